"""The workbook's cell formats, registered once with openpyxl and used by index.

Two kinds of cell an accountant must tell apart at a glance: **inputs** (figures from the
budget file or the call pack: pale yellow, unlocked) and **computed** cells (formulas: grey,
locked by the sheet protection). The Summary carries a legend of both.

Every format but the headers' aligns its cell to the top: in a row made taller by a wrapped
description or message, the item letter and the figures stay on its first line.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from .sheetxml import Style

EURO = '#,##0.00 "€"'
EURO_WHOLE = '#,##0 "€"'
PERCENT = "0.00%"
INPUT_FILL = "FFF2CC"  # pale yellow: typed in
COMPUTED_FILL = "EDEDED"  # light grey: a formula
TOTAL_FILL = "D9D9D9"
HEADER_FILL = "DDEBF7"
GROUP_FILL = "F2F2F2"
RED = "C00000"
ORANGE = "C65911"
GREY = "595959"

_thin = Side(style="thin", color="808080")
_UNLOCKED = Protection(locked=False)


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


def _top(**alignment: Any) -> Alignment:
    """Top-aligned, with any other alignment given."""
    return Alignment(vertical="top", **alignment)


class Styles:
    """Every cell format of the budget workbook, as :class:`~.sheetxml.Style` indices."""

    def __init__(self, sheet: Any, *, date_format: str) -> None:
        # A style's index is its place in the workbook's list of cell formats, which openpyxl
        # writes at save time; a throw-away cell of any sheet of the workbook registers it.
        self._sheet = sheet
        bold = Font(bold=True)
        header = {
            "font": bold,
            "fill": _fill(HEADER_FILL),
            "border": Border(bottom=_thin),
            "alignment": Alignment(wrap_text=True, vertical="center"),
        }
        self.text = self._add()
        self.text_input = self._add(protection=_UNLOCKED)
        self.wrap = self._add(alignment=_top(wrap_text=True))
        self.title = self._add(font=Font(bold=True, size=14))
        self.label = self._add(font=bold)
        self.note = self._add(font=Font(italic=True, color=GREY))
        self.header = self._add(**header)
        self.header_right = self._add(
            **{**header, "alignment": Alignment(wrap_text=True, vertical="center", horizontal="right")}
        )
        self.group = self._add(font=bold, fill=_fill(GROUP_FILL))
        self.total_label = self._add(font=bold, fill=_fill(TOTAL_FILL), border=Border(top=_thin))
        self.banner = self._add(font=Font(bold=True, color=RED, size=12))
        self.error = self._add(font=Font(color=RED))
        self.severity = {
            "error": self._add(font=Font(bold=True, color=RED)),
            "warning": self._add(font=Font(bold=True, color=ORANGE)),
            "info": self._add(font=Font(color=GREY)),
        }
        self.money_input = self._add(number_format=EURO, fill=_fill(INPUT_FILL), protection=_UNLOCKED)
        self.money = self._add(number_format=EURO, fill=_fill(COMPUTED_FILL))
        self.money_total = self._add(
            number_format=EURO, font=bold, fill=_fill(TOTAL_FILL), border=Border(top=_thin)
        )
        self.money_ignored = self._add(number_format=EURO, font=Font(italic=True, strike=True, color=GREY))
        self.share = self._add(number_format=PERCENT, fill=_fill(COMPUTED_FILL))
        self.share_total = self._add(
            number_format=PERCENT, font=bold, fill=_fill(TOTAL_FILL), border=Border(top=_thin)
        )
        self.rate_input = self._add(number_format=PERCENT, fill=_fill(INPUT_FILL), protection=_UNLOCKED)
        self.date = self._add(number_format=date_format, alignment=_top(horizontal="left"))
        self.integer = self._add(number_format="0", alignment=_top(horizontal="left"))
        self.year_header = self._add(**{**header, "number_format": "0"})
        # A year as a row label, aligned as the text labels beside it ("Not split by year").
        self.year_label = self._add(font=bold, number_format="0", alignment=_top(horizontal="left"))
        self.legend_input = self._add(fill=_fill(INPUT_FILL), border=Border(_thin, _thin, _thin, _thin))
        self.legend_computed = self._add(fill=_fill(COMPUTED_FILL), border=Border(_thin, _thin, _thin, _thin))

    def _add(self, **attributes: Any) -> Style:
        attributes.setdefault("alignment", _top())
        ids = []
        for quoted in (False, True):
            cell = WriteOnlyCell(self._sheet)
            for name, value in attributes.items():
                setattr(cell, name, value)
            if quoted:
                # Excel's "quote prefix": the text stays text when the cell is edited.
                cell.quotePrefix = True
            ids.append(cell.style_id)
        return Style(ids[0], ids[1])


class ReportStyles(Styles):
    """The budget workbook's formats, and those the rendiconto adds: hours, dates and flags as inputs."""

    def __init__(self, sheet: Any, *, date_format: str, flag_format: str) -> None:
        super().__init__(sheet, date_format=date_format)
        bold = Font(bold=True)
        self.date_input = self._add(
            number_format=date_format, alignment=_top(horizontal="left"), protection=_UNLOCKED
        )
        self.integer_input = self._add(
            number_format="0", alignment=_top(horizontal="left"), protection=_UNLOCKED
        )
        # Hours have up to two decimals: "General" shows 140 and 100.5 as they are.
        self.hours_input = self._add(number_format="General", fill=_fill(INPUT_FILL), protection=_UNLOCKED)
        self.hours = self._add(number_format="General", fill=_fill(COMPUTED_FILL))
        self.hours_total = self._add(
            number_format="General", font=bold, fill=_fill(TOTAL_FILL), border=Border(top=_thin)
        )
        self.flag_input = self._add(
            number_format=flag_format,
            fill=_fill(INPUT_FILL),
            protection=_UNLOCKED,
            alignment=_top(horizontal="center"),
            font=bold,
        )
        self.codes = self._add(font=Font(color=RED), alignment=_top(wrap_text=True))
        # Long texts of a list (a supplier's name, a description) wrap within their column
        # instead of running into the next one, on screen and on paper.
        self.text_input_wrap = self._add(protection=_UNLOCKED, alignment=_top(wrap_text=True))
