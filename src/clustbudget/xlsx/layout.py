"""What every clustbudget workbook shares: sheet set-up (widths, panes, protection, print),
formula helpers, and the Checks table of findings.

Used by the budget statement (:mod:`.statement`) and the rendiconto (:mod:`.rendiconto`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.protection import SheetProtection

from .. import __version__
from ..findings import Finding, Severity
from .labels import Labels
from .sheetxml import Rows, column_letter
from .styles import Styles

NAME_SAFE = re.compile(r"[A-Za-z0-9_]{1,40}")
"""An item key that can be part of a defined name (``Item_E``) or a SUMIF criterion."""
MAX_TITLE = 90


def quote(sheet: str) -> str:
    """A sheet name as a formula writes it: ``'Riepilogo'`` (quotes doubled inside)."""
    return "'" + sheet.replace("'", "''") + "'"


def ranges(col: str, rows: Sequence[int]) -> str:
    """``C8:C11,C14``: the rows as contiguous ranges, for a ``SUM``."""
    runs: list[list[int]] = []
    for r in sorted(rows):
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return ",".join(f"{col}{run[0]}" if len(run) == 1 else f"{col}{run[0]}:{col}{run[-1]}" for run in runs)


def frame(
    ws: Any,
    rows: Rows,
    *,
    title: str,
    page: str,
    widths: Mapping[int, tuple[float, float]],
    freeze: str | None,
    title_rows: str | None = None,
    landscape: bool = False,
    allow_filter: bool = False,
) -> None:
    """Column widths, frozen panes, protection and print set-up of one sheet.

    ``widths`` maps a column to ``(minimum, maximum)``; the width fits the longest text
    written in that column within those bounds. ``title`` goes in the page header, ``page``
    (``Pagina &P di &N``) in the footer. ``allow_filter`` lets the autofilter work on the
    protected sheet.
    """
    seen = rows.widths
    for col, (low, high) in widths.items():
        ws.column_dimensions[column_letter(col)].width = min(max(seen.get(col, 0) + 2, low), high)
    if freeze:
        ws.freeze_panes = freeze
    # Computed cells are locked; no password, so anyone can lift the protection on purpose.
    ws.protection = SheetProtection(
        sheet=True,
        formatColumns=False,
        formatRows=False,
        selectLockedCells=False,
        selectUnlockedCells=False,
        autoFilter=not allow_filter,
    )
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if title_rows:
        ws.print_title_rows = title_rows
    title = title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"
    # In headers and footers "&" starts a code: a literal one is written "&&".
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = page
    ws.oddFooter.right.text = f"clustbudget {__version__}"


def counts(findings: Sequence[Finding]) -> tuple[int, int, int]:
    """How many errors, warnings and info findings."""
    severities = [f.severity for f in findings]
    return (
        severities.count(Severity.ERROR),
        severities.count(Severity.WARNING),
        severities.count(Severity.INFO),
    )


def findings_table(
    rows: Rows, s: Styles, t: Labels, findings: Sequence[Finding]
) -> dict[int, tuple[int, int]]:
    """The Checks sheet's rows: a title with the counts, a header, one finding a row.

    Returns the column widths for :func:`frame`.
    """
    rows.append([(f"{t.checks_title} — {t.counts(*counts(findings))}", s.title)])
    rows.append(
        [
            (t.code, s.header),
            (t.severity, s.header),
            (t.message, s.header),
            (t.citation, s.header),
            (t.location, s.header),
            (t.related, s.header),
        ],
        height=30,
    )
    for f in findings:
        rows.append(
            [
                (f.code, s.label),
                (t.severity_name(f.severity), s.severity[str(f.severity)]),
                (f.message, s.text),
                (f.citation or None, s.text),
                (str(f.location), s.text),
                (str(f.related) if f.related else None, s.text),
            ]
        )
    if not findings:
        rows.append([(t.no_findings, s.note)])
    return {1: (8, 10), 2: (9, 12), 3: (40, 100), 4: (14, 50), 5: (20, 60), 6: (12, 60)}
