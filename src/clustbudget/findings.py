"""The Finding: what every check produces, and what every output format presents."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from .exitcodes import ExitCode
from .records import dataclass


class Severity(IntEnum):
    """How bad a finding is; the order matters (``max()`` gives the worst)."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; line and column are 1-based, 0 when unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}"
        return self.path


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken (or noteworthy) rule at one place.

    ``related`` names another place the finding involves, such as the earlier report that
    already claimed an invoice. ``fatal`` marks a file that could not be read as a document
    at all (exit code 2).
    """

    code: str
    severity: Severity
    message: str
    location: Location
    citation: str = ""
    related: Location | None = None
    fatal: bool = False

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.col, self.code)


def exit_code(findings: Iterable[Finding], *, strict: bool = False) -> ExitCode:
    """The exit code of a run with these findings (FORMAT.md §4), for every command: 2 when a
    file could not be read as a document, 1 when there are errors (or warnings, with
    ``strict``), else 0."""
    worst = Severity.INFO
    for f in findings:
        if f.fatal:
            return ExitCode.UNREADABLE
        worst = max(worst, f.severity)
    if worst is Severity.ERROR or (strict and worst is Severity.WARNING):
        return ExitCode.FINDINGS
    return ExitCode.OK
