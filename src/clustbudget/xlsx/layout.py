"""What every clustbudget workbook shares: sheet set-up (widths, panes, protection, print),
formula and chart helpers, file paths as the workbook shows them, and the Checks table of
findings.

Used by the budget statement (:mod:`.statement`) and the rendiconto (:mod:`.rendiconto`).
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from openpyxl.chart.data_source import (
    AxDataSource,
    NumData,
    NumDataSource,
    NumRef,
    NumVal,
    StrData,
    StrRef,
    StrVal,
)
from openpyxl.chart.series import Series, SeriesLabel
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.protection import SheetProtection

from .. import __version__
from ..findings import Finding, Location, Severity
from ..i18n import gettext, render
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


def area(sheet: str, col: str, rows: Sequence[int]) -> str:
    """The cells of column ``col`` in ``rows`` of ``sheet`` as a chart names them: one range, or
    several in parentheses (``('Riepilogo'!$C$16:$C$19,'Riepilogo'!$C$21)``)."""
    parts = [f"{quote(sheet)}!{part}" for part in ranges(f"${col}$", rows).split(",")]
    return parts[0] if len(parts) == 1 else "(" + ",".join(parts) + ")"


def bar_series(
    sheet: str,
    *,
    col: str,
    rows: Sequence[int],
    values: Sequence[Decimal],
    category_col: str,
    categories: Sequence[str],
    title: tuple[str, str] | None = None,
    index: int = 0,
) -> Series:
    """A chart series over cells that need not be contiguous, with the figures cached in the
    chart, so that a preview that does not calculate still draws it.

    ``title`` is the cell holding the series' name and that name.
    """
    val = NumDataSource(
        numRef=NumRef(
            f=area(sheet, col, rows),
            numCache=NumData(
                formatCode="General",
                ptCount=len(values),
                pt=[NumVal(idx=i, v=float(v)) for i, v in enumerate(values)],
            ),
        )
    )
    cat = AxDataSource(
        strRef=StrRef(
            f=area(sheet, category_col, rows),
            strCache=StrData(
                ptCount=len(categories), pt=[StrVal(idx=i, v=c) for i, c in enumerate(categories)]
            ),
        )
    )
    tx = None
    if title is not None:
        ref, text = title
        tx = SeriesLabel(strRef=StrRef(f=ref, strCache=StrData(ptCount=1, pt=[StrVal(idx=0, v=text)])))
    return Series(idx=index, order=index, tx=tx, cat=cat, val=val)


class Places:
    """File paths as the workbook shows them: relative to the budget's folder.

    The workbook travels (by mail, by PEC): it names the budget by its file name, a report as
    the budget's folder sees it (``clust-er-health-2020-2022/sal-1.yaml``), a call pack as the
    budget's ``call:`` names it, and never an absolute path of the machine that wrote it.
    Findings name files by their display path (as given on the command line, or relative to
    the working folder); ``known`` maps those of the loaded files to their paths.
    """

    def __init__(self, budget_path: Path, known: Iterable[tuple[str, Path]] = ()) -> None:
        self.folder = os.path.abspath(budget_path.parent)
        self.shown: dict[str, str] = {}
        for display, path in known:
            if display and not display.startswith("<"):
                self.shown[display] = self.relative(path)
        swaps = {d: p for d, p in self.shown.items() if d != p}
        # A whole path only, never the tail of a longer one; the longest first.
        alternatives = "|".join(re.escape(d) for d in sorted(swaps, key=len, reverse=True))
        self._swap = re.compile(rf"(?<![\w./\\-])(?:{alternatives})(?![\w/\\])") if swaps else None
        self._swaps = swaps

    def relative(self, path: str | PurePath) -> str:
        """``path`` (absolute, or relative to the working folder) relative to the budget's folder."""
        try:
            rel = os.path.relpath(os.path.abspath(path), self.folder)
        except ValueError:  # another drive (Windows): the file name is all there is to show
            return PurePath(path).name
        return PurePath(rel).as_posix()

    def path(self, display: str) -> str:
        """A display path as the workbook shows it; ``<built-in pack …>`` and the like stay."""
        if not display or display.startswith("<"):
            return display
        shown = self.shown.get(display)
        if shown is None:
            shown = self.shown[display] = self.relative(display)
        return shown

    def location(self, loc: Location) -> str:
        """``path:line:col`` with the path as the workbook shows it."""
        path = self.path(loc.path)
        return f"{path}:{loc.line}:{loc.col}" if loc.line else path

    def message(self, text: str) -> str:
        """A finding's message with the loaded files' display paths as the workbook shows them."""
        if self._swap is None:
            return text
        return self._swap.sub(lambda m: self._swaps[m.group(0)], text)


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
    print_scale: int | None = None,
    title_cols: str | None = None,
    breaks_after: Sequence[int] = (),
    header_right: str | None = None,
    rows_before: Sequence[int] = (),
) -> None:
    """Column widths, frozen panes, protection and print set-up of one sheet.

    ``widths`` maps a column to ``(minimum, maximum)``; the width fits the longest text
    written in that column within those bounds. ``title`` goes in the page header (and
    ``header_right``, when given, at its right: the rendiconto's budget version), ``page``
    (``Pagina &P di &N``) in the footer. ``allow_filter`` lets the autofilter work on the
    protected sheet.

    A sheet prints fit to the page's width, unless ``print_scale`` (percent) is given: then
    it prints at that scale, on as many pages across as its columns need, with a page break
    after each column of ``breaks_after``, the columns ``title_cols`` (``"A:B"``) repeated on
    every page, and the pages of one band of rows printed one after the other (over, then
    down), so a row's two halves are on facing pages.
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
    if print_scale is None:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        ws.page_setup.scale = print_scale
        ws.page_setup.pageOrder = "overThenDown"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
        ws.page_margins = PageMargins(left=0.3, right=0.3, top=0.6, bottom=0.6, header=0.3, footer=0.3)
        for col in breaks_after:
            ws.col_breaks.append(Break(id=col))
        for row in rows_before:  # a page break above these rows (a chart on a page of its own)
            ws.row_breaks.append(Break(id=row - 1))
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    title = title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"
    # In headers and footers "&" starts a code: a literal one is written "&&".
    ws.oddHeader.center.text = title.replace("&", "&&")
    if header_right:
        ws.oddHeader.right.text = header_right.replace("&", "&&")
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


CHECKS_WIDTHS: dict[int, tuple[int, int]] = {
    1: (8, 9),
    2: (9, 10),
    3: (40, 56),
    4: (20, 30),
    5: (20, 36),
    6: (12, 28),
}
"""The Checks sheet's columns (minimum, maximum width): code, severity, message, citation,
location, related. About 150 characters in all: landscape A4 at a readable scale, the long
texts wrapped."""
LINE_HEIGHT = 15
"""Points a line of 11-point text takes: a wrapped cell's row is this many times its lines."""
PRINT_SCALE = 75
"""The scale the wide lists (Staff, Expenses) print at: 11-point text comes out at 8.25
points, readable on A4 (fit to the page's width, they would print at about 5)."""


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes, wrapped at spaces in a column ``width`` characters wide.

    A column's width counts the digit "0"; a line of prose holds about 15% more characters
    (11-point Calibri or Carlito, and LibreOffice's fallback fonts alike).
    """
    chars = max(1, int(width * 1.15))
    return sum(_part_lines(part, chars) for part in text.split("\n"))


# Whitespace other than the space: tabs, which textwrap expands, and the Unicode spaces (a
# no-break space...), which textwrap keeps inside a word but drops as a word of their own at a
# line's end or start (``str.strip``): textwrap itself counts those parts.
_OTHER_SPACE = re.compile(r"[^\S ]")


def _part_lines(part: str, chars: int) -> int:
    """The lines ``textwrap.wrap(part, chars, break_on_hyphens=False)`` gives (at least 1),
    counted without building them when the words are parted by single spaces and none is
    longer than a line (a rendiconto's supplier, description and note: 3 wraps an expense)."""
    if _OTHER_SPACE.search(part) is not None:
        return max(1, len(textwrap.wrap(part, chars, break_on_hyphens=False)))
    if len(part) <= chars:
        return 1
    words = part.split(" ")
    if "" in words:  # spaces at an end, or several in a row
        return max(1, len(textwrap.wrap(part, chars, break_on_hyphens=False)))
    lines, used = 1, -1
    for word in words:
        size = len(word)
        if size > chars:  # a word longer than a line: textwrap breaks it
            return max(1, len(textwrap.wrap(part, chars, break_on_hyphens=False)))
        if used + 1 + size <= chars:
            used += 1 + size
        else:
            lines, used = lines + 1, size
    return lines


def fitted_width(rows: Rows, col: int, bounds: tuple[float, float], texts: Iterable[str] = ()) -> float:
    """The width :func:`frame` will give column ``col``: its longest text so far or in ``texts``
    (still to be written), within ``bounds``."""
    longest = max([rows.widths.get(col, 0), *map(len, texts)])
    return min(max(longest + 2, bounds[0]), bounds[1])


def row_height(texts: Iterable[tuple[str | None, float]]) -> float | None:
    """The height a row needs for its wrapped cells, each ``(text, column width)``; ``None``
    when every one fits on a line.

    Counted as if a line held as many characters as the column is wide (not the 15% more
    that Calibri fits): spreadsheets that substitute a wider font (LibreOffice without
    Calibri) must not cut a wrapped text short."""
    lines = 1
    for text, width in texts:
        # Most texts are short: no wrapping to work out.
        if text and (len(text) > width / 1.15 or "\n" in text):
            lines = max(lines, wrapped_lines(text, width / 1.15))
    return LINE_HEIGHT * lines if lines > 1 else None


def wrapped_height(text: str, width: float) -> float | None:
    """The height a row needs for ``text`` wrapped in a column ``width`` wide; ``None`` for one
    line. (Excel does not fit row heights on load: a row whose text wraps needs its height.)
    Counted as :func:`row_height` counts, a line holding as many characters as the column is
    wide: a wider substitute font (LibreOffice without Calibri) must not cut the text short."""
    return row_height([(text, width)])


def findings_table(
    rows: Rows, s: Styles, t: Labels, findings: Sequence[Finding], places: Places
) -> dict[int, tuple[float, float]]:
    """The Checks sheet's rows: a title with the counts, a header, one finding a row.

    The message, citation and places wrap within their columns, each row as tall as its
    longest text; paths are shown as ``places`` says. Returns the column widths for
    :func:`frame`.
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
    table = [
        (
            f,
            places.message(render(f.message, t.lang)),
            gettext(f.citation, t.lang) if f.citation else None,
            places.location(f.location),
            places.location(f.related) if f.related else None,
        )
        for f in findings
    ]
    # The widths the columns will have (as frame() sets them), to know where texts wrap.
    longest = {3: 0, 4: 0, 5: 0, 6: 0}
    for _, *texts in table:
        for col, text in zip((3, 4, 5, 6), texts, strict=True):
            if text:
                longest[col] = max(longest[col], len(text))
    width = {col: min(max(n + 2, CHECKS_WIDTHS[col][0]), CHECKS_WIDTHS[col][1]) for col, n in longest.items()}
    for f, message, citation, location, related in table:
        lines = max(
            wrapped_lines(text, width[col])
            for col, text in ((3, message), (4, citation), (5, location), (6, related))
            if text
        )
        rows.append(
            [
                (f.code, s.label),
                (t.severity_name(f.severity), s.severity[str(f.severity)]),
                (message, s.wrap),
                (citation, s.wrap),
                (location, s.wrap),
                (related, s.wrap),
            ],
            height=LINE_HEIGHT * lines if lines > 1 else None,
        )
    if not findings:
        rows.append([(t.no_findings, s.note)])
    return {col: (float(low), float(high)) for col, (low, high) in CHECKS_WIDTHS.items()}
