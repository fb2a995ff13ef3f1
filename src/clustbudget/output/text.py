"""Findings for people: one per line, ``path:line:col: CODE severity message``, then a summary.

Colour only on a terminal (or with ``--color always``); never wrapped, so every line can be
grepped and clicked in an editor.
"""

from __future__ import annotations

from typing import TextIO

from ..findings import Finding, Severity
from ..i18n import gettext, msg, nmsg, render
from ..pipeline import RunResult
from .words import SEVERITY_WORDS

_ANSI = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def finding_line(f: Finding, *, color: bool = False, lang: str = "en") -> str:
    """One finding as one line (related place appended as ``(see path:line)``), its message
    and severity in ``lang``."""
    related = " " + msg("(see {place})", place=str(f.related)).render(lang) if f.related else ""
    severity = gettext(SEVERITY_WORDS[str(f.severity)], lang)
    message = render(f.message, lang)
    if not color:
        return f"{f.location}: {f.code} {severity} {message}{related}"
    sev = f"{_ANSI[f.severity]}{severity}{_RESET}"
    tail = f"{_DIM}{related}{_RESET}" if related else ""
    return f"{_BOLD}{f.location}{_RESET}: {_BOLD}{f.code}{_RESET} {sev} {message}{tail}"


def summary_line(run: RunResult, *, strict: bool = False, lang: str = "en") -> str:
    c = run.counts()
    n = sum(1 for fr in run.files if not fr.skipped)
    skipped = len(run.files) - n
    parts = [
        nmsg("{n} error", "{n} errors", c["error"]).render(lang),
        nmsg("{n} warning", "{n} warnings", c["warning"]).render(lang),
        nmsg("{n} info", "{n} info", c["info"]).render(lang),
    ]
    unreadable = sum(1 for fr in run.files if any(f.fatal for f in fr.findings))
    tail = ""
    if unreadable:
        tail = "; " + nmsg("{n} file could not be read", "{n} files could not be read", unreadable).render(
            lang
        )
    if skipped:
        tail += "; " + nmsg("{n} other YAML file skipped", "{n} other YAML files skipped", skipped).render(
            lang
        )
    verdict = gettext("failed", lang) if run.exit_code(strict=strict) else gettext("passed", lang)
    checked = nmsg("{n} file checked", "{n} files checked", n).render(lang)
    return f"{checked}: {', '.join(parts)}{tail} — {verdict}"


def write(
    run: RunResult, out: TextIO, *, color: bool = False, strict: bool = False, lang: str = "en"
) -> None:
    for fr in run.files:
        for f in fr.findings:
            out.write(finding_line(f, color=color, lang=lang) + "\n")
    out.write(summary_line(run, strict=strict, lang=lang) + "\n")
