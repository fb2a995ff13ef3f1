"""What the budget statement and the rendiconto have in common, written once: the workbook and
its sheets, the error banner and title at the top of the Summary, header and total rows, the
items chart, the Checks and Provenance sheets, and the document properties.

:class:`Workbook` is the base of :class:`.statement._Statement` and
:class:`.rendiconto._Rendiconto`; each of them lays out its own tables and gives this class
the texts and figures that differ. No figure is computed here: every number a cell shows is
one of :mod:`clustbudget.compute`'s, handed in by the builder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.chart import BarChart
from openpyxl.workbook.defined_name import DefinedName

from .. import __version__
from ..findings import Finding
from ..i18n import formatting, gettext, render
from ..models import CallPack
from ..records import dataclass
from .labels import Labels
from .layout import Places, bar_series, findings_table, frame, quote
from .package import Package, package_of
from .sheetxml import Cell, Rows, Style
from .styles import Styles

MAX_ERRORS_LISTED = 5
"""How many errors the Summary lists under its banner (the Checks sheet has them all)."""

S = TypeVar("S", bound=Styles)


@dataclass(frozen=True)
class SourceFile:
    """A file the workbook was made from, as the Provenance sheet lists it."""

    label: str
    path: str
    sha256: str


@dataclass(frozen=True)
class ChartSeries:
    """One series of the items chart: the Summary column it reads, its name cell, its figures."""

    col: str
    values: Sequence[Decimal]
    title: tuple[str, str] | None = None


CHART_POINTS = 11
"""The size of a chart's axis and legend text, as the cells'."""


def _chart_text(points: int) -> Any:
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RichTextProperties

    size = CharacterProperties(sz=points * 100)
    return RichText(
        bodyPr=RichTextProperties(), p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)]
    )


class Workbook(Generic[S]):
    """A clustbudget workbook under construction: its sheets' rows, styles and set-up."""

    def __init__(
        self,
        *,
        t: Labels,
        pack: CallPack,
        pack_display: str,
        sheet_names: Sequence[str],
        styles: Callable[[Any], S],
        places: Places,
        page_title: str,
        generated: datetime,
        page_note: str | None = None,
    ) -> None:
        self.t = t
        self.page_note = page_note
        """Printed at the right of every page's header (the rendiconto's budget version)."""
        self.pack = pack
        self.pack_display = pack_display
        """The call pack's file as the budget's ``call:`` names it."""
        self.places = places
        self.page_title = page_title
        self.generated = generated
        self.wb = OpenpyxlWorkbook(write_only=True)
        self.sheet_names = list(sheet_names)
        self.sheets = {name: self.wb.create_sheet(name) for name in self.sheet_names}
        # Styles register on any sheet of the workbook: the first one.
        self.s: S = styles(self.sheets[self.sheet_names[0]])
        self.rows: dict[str, Rows] = {name: Rows() for name in self.sheet_names}

    def finish(self) -> Package:
        """The workbook as a :class:`Package`, once every sheet's rows are laid out."""
        return package_of(self.wb, self.sheet_names, self.rows)

    # ------------------------------------------------------------------ set-up, labels

    def frame(self, name: str, **kwargs: Any) -> None:
        """Column widths, frozen panes, protection and print set-up of sheet ``name``
        (:func:`.layout.frame`), with the page header every sheet of the workbook has."""
        frame(
            self.sheets[name],
            self.rows[name],
            title=self.page_title,
            page=self.t.page,
            header_right=self.page_note,
            **kwargs,
        )

    def item_label(self, key: str) -> str:
        """An item's label in the workbook's language, from the call pack."""
        if key in self.pack.items:
            return self.pack.label(key, self.t.lang)
        return f"{key} — {self.t.not_in_call}"

    def date_text(self, d: date) -> str:
        """A date as text in the workbook's language (``31/12/2021``, ``2021-12-31``)."""
        return formatting.date(d, self.t.lang)

    @property
    def date_format(self) -> str:
        """A date cell's number format in the workbook's language."""
        return "dd/mm/yyyy" if self.t.lang == "it" else "yyyy-mm-dd"

    # ------------------------------------------------------------------ rows every table has

    def header_row(self, rows: Rows, texts: Iterable[tuple[Any, bool]], *, height: float = 30) -> int:
        """A table's header: each text with whether its column holds figures (right-aligned)."""
        s = self.s
        return rows.append(
            [(text, s.header_right if right else s.header) for text, right in texts], height=height
        )

    def total_row(self, rows: Rows, label: str, cells: Sequence[Cell], *, label_col: int = 2) -> int:
        """A total row: ``label`` in column ``label_col`` on the total fill, then ``cells``."""
        s = self.s
        lead: list[Cell] = [(None, s.total_label)] * (label_col - 1) + [(label, s.total_label)]
        return rows.append([*lead, *cells])

    def banner_and_title(self, rows: Rows, errors: Sequence[Finding], banner: str, title: str) -> int:
        """The Summary's top: a red banner when there are errors, the title, and the first
        errors with their places. Returns the title's row."""
        t, s = self.t, self.s
        if errors:
            noun = gettext("error", t.lang) if len(errors) == 1 else gettext("errors", t.lang)
            rows.append([(banner.format(n=len(errors), errors=noun, sheet=t.checks), s.banner)], height=20)
        title_row = rows.append([(title, s.title)], height=20)
        for f in errors[:MAX_ERRORS_LISTED]:
            where = self.places.location(f.location)
            message = self.places.message(render(f.message, t.lang))
            rows.append([(f"{f.code} {where}: {message}", s.error)])
        if len(errors) > MAX_ERRORS_LISTED:
            rows.append([(t.banner_more.format(n=len(errors) - MAX_ERRORS_LISTED), s.error)])
        return title_row

    def facts(self, rows: Rows, facts: Iterable[tuple[str, Any, Style]]) -> None:
        """Label / value rows (the project header, the provenance facts)."""
        s = self.s
        for label, value, style in facts:
            rows.append([(label, s.label), (value, style)])

    def legend(self, rows: Rows, input_text: str) -> None:
        """The key to the two kinds of cell: inputs (what the files state) and formulas."""
        s, t = self.s, self.t
        rows.append([(t.legend, s.label)])
        rows.append([(None, s.legend_input), (input_text, s.text)])
        rows.append([(None, s.legend_computed), (t.legend_computed, s.text)])

    # ------------------------------------------------------------------ the items chart

    def items_chart(
        self,
        *,
        title: str,
        keys: Sequence[str],
        item_rows: dict[str, int],
        series: Sequence[ChartSeries],
        anchor_row: int,
        width: int,
        legend: bool,
        y_title: str | None = None,
    ) -> None:
        """A column chart of the Summary's items (A–E, not the subtotal between them), with
        the figures cached in the chart for previews that do not calculate."""
        if not keys:
            return
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        if not legend:
            chart.legend = None
        for i, one in enumerate(series):
            chart.series.append(
                bar_series(
                    self.t.summary,
                    col=one.col,
                    rows=[item_rows[k] for k in keys],
                    values=list(one.values),
                    category_col="A",
                    categories=list(keys),
                    title=one.title,
                    index=i,
                )
            )
        chart.y_axis.numFmt = '#,##0 "€"'
        # The axes' and the legend's words at the cells' 11 points: a sheet printed at 75%
        # (the rendiconto's Summary) shows them at 8.25, not at the default 10 × 75%.
        text = _chart_text(CHART_POINTS)
        chart.x_axis.txPr = text
        chart.y_axis.txPr = text
        if chart.legend is not None:
            chart.legend.txPr = text
        if y_title:
            chart.y_axis.title = y_title
        # openpyxl ≥ 3.1 hides axes unless told otherwise
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.width, chart.height = width, 8
        self.sheets[self.t.summary].add_chart(chart, f"A{anchor_row}")

    def define_names(self, names: dict[str, str]) -> None:
        """Workbook names for the Summary's key cells (``Total`` → ``'Riepilogo'!$C$20``);
        names are case-insensitive in spreadsheets: the first of two that differ in case wins."""
        summary = quote(self.t.summary)
        seen: set[str] = set()
        for name, ref in names.items():
            if name.lower() not in seen:
                seen.add(name.lower())
                self.wb.defined_names[name] = DefinedName(name, attr_text=f"{summary}!{ref}")

    # ------------------------------------------------------------------ Checks, Provenance

    def checks_sheet(self, findings: Sequence[Finding]) -> None:
        """The Checks sheet: every finding, with its rule's source and place."""
        t = self.t
        widths = findings_table(self.rows[t.checks], self.s, t, findings, self.places)
        self.frame(t.checks, widths=widths, freeze="A3", title_rows="2:2", landscape=True)

    def provenance_sheet(self, files: Sequence[SourceFile], facts: Sequence[tuple[str, Any, Style]]) -> None:
        """The Provenance sheet: each source file with its SHA-256, then ``facts`` and what
        every workbook states (clustbudget's version, the call pack, when, language, rounding)."""
        t, s, pack = self.t, self.s, self.pack
        rows = self.rows[t.provenance]
        rows.append([(t.provenance_title, s.title)])
        rows.append([(t.field, s.header), (t.value, s.header), (t.sha256, s.header)])
        for f in files:
            rows.append([(f.label, s.label), (f.path, s.text), (f.sha256, s.text)])
        common: list[tuple[str, Any, Style]] = [
            (t.tool_version, __version__, s.text),
            (t.pack_id, pack.id, s.text),
            (t.pack_version, pack.version, s.integer),
            (t.pack_title, pack.title, s.text),
            (t.pack_act, pack.act or t.missing, s.text),
            (t.pack_file, render(self.places.path(self.pack_display), t.lang) or t.missing, s.text),
            (t.generated, formatting.timestamp(self.generated, t.lang), s.text),  # local date and time
            (t.language, t.lang, s.text),
            (t.rounding, t.rounding_rule, s.text),
        ]
        self.facts(rows, [*facts, *common])
        self.frame(t.provenance, widths={1: (22, 30), 2: (30, 70), 3: (66, 66)}, freeze="A3", landscape=True)

    def properties(self, *, title: str, subject: str, description: str, keywords: str) -> None:
        """The document properties: what a file manager or a document system shows."""
        props = self.wb.properties
        props.title = title
        props.subject = subject
        props.creator = f"clustbudget {__version__}"
        props.lastModifiedBy = props.creator
        props.description = description
        props.keywords = keywords
        props.language = "it-IT" if self.t.lang == "it" else "en"
        when = self.generated.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        props.created = props.modified = when
