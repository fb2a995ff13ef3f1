"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line."""

from __future__ import annotations

from typing import TextIO

from ..findings import Finding, Severity
from ..i18n import msg, render
from ..pipeline import RunResult
from .text import summary_line

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, lang: str = "en") -> str:
    props = [f"file={_prop(f.location.path)}"]
    if f.location.line:
        props += [f"line={f.location.line}", f"col={f.location.col}"]
    props.append(f"title={_prop(f.code)}")
    related = " " + msg("(see {place})", place=str(f.related)).render(lang) if f.related else ""
    return f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(render(f.message, lang) + related)}"


def write(run: RunResult, out: TextIO, *, strict: bool = False, lang: str = "en") -> None:
    for fr in run.files:
        for f in fr.findings:
            out.write(annotation(f, lang) + "\n")
    out.write(summary_line(run, strict=strict, lang=lang) + "\n")
