"""Findings for people: one per line, ``path:line:col: CODE severity message``, then a summary.

Colour only on a terminal (or with ``--color always``); never wrapped, so every line can be
grepped and clicked in an editor. Text from the user's files is printed through
:func:`printable`: a newline in a document number cannot forge a second finding line, and an
escape sequence, a bell or a bidi override in a description cannot reach the terminal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO

from ..findings import Finding, Severity
from ..pipeline import RunResult

if TYPE_CHECKING:
    from rich.text import Text

_ANSI = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


# Control characters (C0 but tab, DEL, C1), the bidi embeddings, overrides and isolates and the
# directional marks, the line and paragraph separators, the BOM and the noncharacters.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """``text`` with every character that could break a line or drive the terminal shown as an
    escape (``\\n``, ``\\x1b``, ``\\u202e``); everything else, accents included, as it is."""
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m[0]) or _escape(m[0]), text)


def literal(text: str) -> Text:
    """User text for a rich table or title: printed as it is written, never read as markup
    (``[bold]``, ``[/]``, ``[link=…]`` stay text; no hyperlink, no MarkupError)."""
    from rich.text import Text

    return Text(printable(text))


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def finding_line(f: Finding, *, color: bool = False) -> str:
    """One finding as one line (related place appended as ``(see path:line)``)."""
    related = f" (see {printable(str(f.related))})" if f.related else ""
    where, message = printable(str(f.location)), printable(f.message)
    if not color:
        return f"{where}: {f.code} {f.severity} {message}{related}"
    sev = f"{_ANSI[f.severity]}{f.severity}{_RESET}"
    tail = f"{_DIM}{related}{_RESET}" if related else ""
    return f"{_BOLD}{where}{_RESET}: {_BOLD}{f.code}{_RESET} {sev} {message}{tail}"


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
