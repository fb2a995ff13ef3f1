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
from ..i18n import gettext, msg, nmsg, render
from ..pipeline import RunResult
from .words import SEVERITY_WORDS

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


def finding_line(f: Finding, *, color: bool = False, lang: str = "en") -> str:
    """One finding as one line (related place appended as ``(see path:line)``), its message
    and severity in ``lang``; user text in it through :func:`printable`."""
    related = " " + printable(msg("(see {place})", place=str(f.related)).render(lang)) if f.related else ""
    severity = gettext(SEVERITY_WORDS[str(f.severity)], lang)
    where, message = printable(str(f.location)), printable(render(f.message, lang))
    if not color:
        return f"{where}: {f.code} {severity} {message}{related}"
    sev = f"{_ANSI[f.severity]}{severity}{_RESET}"
    tail = f"{_DIM}{related}{_RESET}" if related else ""
    return f"{_BOLD}{where}{_RESET}: {_BOLD}{f.code}{_RESET} {sev} {message}{tail}"


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


WRITE_LINES = 512
"""Finding lines written at once: one write per line is one system call per line when the
output is unbuffered (``PYTHONUNBUFFERED``), 1,000 of them for a folder of 1,000 budgets."""


def write(
    run: RunResult, out: TextIO, *, color: bool = False, strict: bool = False, lang: str = "en"
) -> None:
    lines: list[str] = []
    for fr in run.files:
        for f in fr.findings:
            lines.append(finding_line(f, color=color, lang=lang))
            if len(lines) >= WRITE_LINES:
                out.write("\n".join(lines) + "\n")
                lines.clear()
    lines.append(summary_line(run, strict=strict, lang=lang))
    out.write("\n".join(lines) + "\n")
