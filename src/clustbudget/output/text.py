"""Findings for people: one per line, ``path:line:col: CODE severity message``, then a summary.

Colour only on a terminal (or with ``--color always``); never wrapped, so every line can be
grepped and clicked in an editor.
"""

from __future__ import annotations

from typing import TextIO

from ..findings import Finding, Severity
from ..pipeline import RunResult

_ANSI = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def finding_line(f: Finding, *, color: bool = False) -> str:
    """One finding as one line (related place appended as ``(see path:line)``)."""
    related = f" (see {f.related})" if f.related else ""
    if not color:
        return f"{f.location}: {f.code} {f.severity} {f.message}{related}"
    sev = f"{_ANSI[f.severity]}{f.severity}{_RESET}"
    tail = f"{_DIM}{related}{_RESET}" if related else ""
    return f"{_BOLD}{f.location}{_RESET}: {_BOLD}{f.code}{_RESET} {sev} {f.message}{tail}"


def summary_line(run: RunResult, *, strict: bool = False) -> str:
    c = run.counts()
    n = sum(1 for fr in run.files if not fr.skipped)
    skipped = len(run.files) - n
    parts = [
        f"{c['error']} error{'s' if c['error'] != 1 else ''}",
        f"{c['warning']} warning{'s' if c['warning'] != 1 else ''}",
        f"{c['info']} info",
    ]
    unreadable = sum(1 for fr in run.files if any(f.fatal for f in fr.findings))
    tail = f"; {unreadable} file{'s' if unreadable != 1 else ''} could not be read" if unreadable else ""
    if skipped:
        tail += f"; {skipped} other YAML file{'s' if skipped != 1 else ''} skipped"
    verdict = "failed" if run.exit_code(strict=strict) else "passed"
    return f"{n} file{'s' if n != 1 else ''} checked: {', '.join(parts)}{tail} — {verdict}"


def write(run: RunResult, out: TextIO, *, color: bool = False, strict: bool = False) -> None:
    for fr in run.files:
        for f in fr.findings:
            out.write(finding_line(f, color=color) + "\n")
    out.write(summary_line(run, strict=strict) + "\n")
