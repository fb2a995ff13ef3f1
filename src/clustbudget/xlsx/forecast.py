"""The rendiconto's forecast sheet (Previsione / Forecast): where the project is heading as of
the period's end, with a chart of the cumulative accepted against the budget line over time.

The figures are :mod:`clustbudget.forecast`'s (:func:`~clustbudget.forecast.project_forecast`
as of the rendiconto's period): the budget, the accepted to date and the months are inputs;
the pace so far, the pace needed, the projection (E's as its rate × what its base items add),
the over/short, the minimum spend and the budget line are formulas, each caching compute's
figure. :func:`add_sheet` registers the sheet after the Expenses of a rendiconto under
construction (:class:`clustbudget.xlsx.rendiconto._Rendiconto`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl.chart import LineChart
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

from ..forecast import ItemForecast, project_forecast, time_line
from ..i18n import N_, gettext
from .layout import quote
from .sheetxml import Cell, Formula, Rows

if TYPE_CHECKING:
    from .rendiconto import _Rendiconto

WORDS = {
    "sheet": N_("Forecast"),
    "title": N_("Forecast to the end date, as of the end of {period}"),
    "start": N_("Project start"),
    "end": N_("End date"),
    "as_of": N_("As of (end of the period)"),
    "months_total": N_("Months of the project"),
    "months_elapsed": N_("Months elapsed"),
    "months_left": N_("Months left"),
    "budget": N_("Budget in force"),
    "actual": N_("Accepted to date"),
    "monthly": N_("A month so far"),
    "needed": N_("A month needed"),
    "projected": N_("Projected at the end date"),
    "difference": N_("Over (+) / short (-)"),
    "rate": N_("Rate"),
    "min_share": N_("Minimum spend (share of the budget)"),
    "min_amount": N_("Minimum spend"),
    "min_needed": N_("A month needed for the minimum"),
    "min_unknown": N_("Minimum spend: not checked (unknown for this call)."),
    "line_title": N_("Accepted over time against the budget line"),
    "point": N_("Point"),
    "date": N_("Date"),
    "months": N_("Months from the start"),
    "period_accepted": N_("Accepted in the period"),
    "cumulative": N_("Cumulative accepted"),
    "planned": N_("Budget line (even pace)"),
    "projection": N_("Projection"),
    "start_point": N_("Start"),
    "end_point": N_("End"),
    "chart": N_("Cumulative accepted against the budget line"),
    "note_months": N_(
        "Months count as duration_months does, the days left over as a fraction of the next month "
        "(README 'Rounding'); the projection is linear: accepted × months of the project ÷ months elapsed."
    ),
    "note_inputs": N_(
        "Budget, accepted and months are inputs (clustbudget's figures); every other figure is a formula."
    ),
}
DASH = "—"


def _w(key: str, lang: str) -> str:
    return gettext(WORDS[key], lang)


def sheet_name(lang: str) -> str:
    """The sheet's name in ``lang``."""
    return _w("sheet", lang)


def add_sheet(book: _Rendiconto) -> None:
    """Add the forecast sheet to a rendiconto under construction, after its Expenses (before
    Checks and Provenance)."""
    name = sheet_name(book.t.lang)
    at = book.sheet_names.index(book.t.checks)
    book.sheets[name] = book.wb.create_sheet(name, at)
    book.sheet_names.insert(at, name)
    book.rows[name] = Rows()
    _Forecast(book, name).write()


def _series(
    sheet: str,
    col: str,
    rows: Sequence[int],
    values: Sequence[Decimal | None],
    category_col: str,
    categories: Sequence[str],
    title: tuple[str, str],
    index: int,
) -> Series:
    """A line over ``rows`` of ``col``, with the figures cached (a point without a figure is a gap)."""
    first, last = rows[0], rows[-1]
    val = NumDataSource(
        numRef=NumRef(
            f=f"{quote(sheet)}!${col}${first}:${col}${last}",
            numCache=NumData(
                formatCode="General",
                ptCount=len(values),
                pt=[NumVal(idx=i, v=float(v)) for i, v in enumerate(values) if v is not None],
            ),
        )
    )
    cat = AxDataSource(
        strRef=StrRef(
            f=f"{quote(sheet)}!${category_col}${first}:${category_col}${last}",
            strCache=StrData(
                ptCount=len(categories), pt=[StrVal(idx=i, v=c) for i, c in enumerate(categories)]
            ),
        )
    )
    ref, text = title
    tx = SeriesLabel(strRef=StrRef(f=ref, strCache=StrData(ptCount=1, pt=[StrVal(idx=0, v=text)])))
    return Series(idx=index, order=index, tx=tx, cat=cat, val=val)


class _Forecast:
    def __init__(self, book: _Rendiconto, name: str) -> None:
        self.book, self.name = book, name
        self.lang = book.t.lang
        self.rows: Rows = book.rows[name]

    def write(self) -> None:
        book, s, rows, lang = self.book, self.book.s, self.rows, self.lang
        project, index = book.project, book.index
        fc = project_forecast(project, index)
        assert fc is not None, "a rendiconto's budget has figures"
        dash = DASH
        rows.append([(_w("title", lang).format(period=book.period_id), s.title)], height=20)
        rows.append([])
        assert fc.as_of is not None
        start_row = rows.append([(_w("start", lang), s.label), (fc.start, s.date)])
        rows.append([(_w("end", lang), s.label), (fc.end, s.date)])
        rows.append([(_w("as_of", lang), s.label), (fc.as_of, s.date)])
        mt = rows.append([(_w("months_total", lang), s.label), (fc.months_total, s.hours_input)])
        me = rows.append([(_w("months_elapsed", lang), s.label), (fc.months_elapsed, s.hours_input)])
        ml = rows.append(
            [(_w("months_left", lang), s.label), (Formula(f"MAX(B{mt}-B{me},0)", fc.months_left), s.hours)]
        )
        del start_row
        rows.append([])
        header = [
            (book.t.item, False),
            (book.t.description, False),
            (_w("budget", lang), True),
            (_w("actual", lang), True),
            (_w("monthly", lang), True),
            (_w("needed", lang), True),
            (_w("projected", lang), True),
            (_w("difference", lang), True),
            (_w("rate", lang), True),
        ]
        book.header_row(rows, header, height=45)
        first = rows.next
        items = fc.items[:-1]
        item_rows = {item.key: first + i for i, item in enumerate(items)}
        total_row = first + len(items)
        flat = {key: book.pack.items[key] for key in book.pack.flat_rate_items if key in item_rows}

        def tail(r: int, item: ItemForecast, projected: str) -> list[Cell]:
            monthly: Cell = (
                (Formula(f"ROUND(D{r}/$B${me},2)", item.monthly), s.money)
                if item.monthly is not None
                else (dash, s.text)
            )
            needed: Cell = (
                (Formula(f"ROUND(MAX(C{r}-D{r},0)/$B${ml},2)", item.needed), s.money)
                if item.needed is not None
                else (dash, s.text)
            )
            if item.projected is None or item.difference is None:
                return [monthly, needed, (dash, s.text), (dash, s.text)]
            return [
                monthly,
                needed,
                (Formula(projected, item.projected), s.money),
                (Formula(f"G{r}-C{r}", item.difference), s.money),
            ]

        for item in items:
            r = item_rows[item.key]
            cells: list[Cell] = [
                (item.key, s.label),
                (book.item_label(item.key), s.wrap),
                (item.budget, s.money_input),
                (item.actual, s.money_input),
            ]
            if item.key in flat:
                pack_item = flat[item.key]
                bases = [item_rows[b] for b in pack_item.base or [] if b in item_rows]
                projected_base = "+".join(f"G{b}" for b in bases) or "0"
                actual_base = "+".join(f"D{b}" for b in bases) or "0"
                formula = f"D{r}+ROUND(I{r}*(({projected_base})-({actual_base})),2)"
                cells += tail(r, item, formula)
                cells.append((pack_item.rate, s.rate_input))
            else:
                cells += tail(r, item, f"ROUND(D{r}*$B${mt}/$B${me},2)")
            rows.append(cells)
        total = fc.total

        def summed(col: str, value: Decimal) -> Cell:
            return (Formula(f"SUM({col}{first}:{col}{total_row - 1})", value), s.money_total)

        total_cells: list[Cell] = [summed("C", total.budget), summed("D", total.actual)]
        r = total_row
        total_cells.append(
            (Formula(f"ROUND(D{r}/$B${me},2)", total.monthly), s.money_total)
            if total.monthly is not None
            else (dash, s.text)
        )
        total_cells.append(
            (Formula(f"ROUND(MAX(C{r}-D{r},0)/$B${ml},2)", total.needed), s.money_total)
            if total.needed is not None
            else (dash, s.text)
        )
        if total.projected is not None and total.difference is not None:
            total_cells += [
                summed("G", total.projected),
                (Formula(f"G{r}-C{r}", total.difference), s.money_total),
            ]
        appended = book.total_row(rows, book.t.total, total_cells)
        assert appended == total_row, "the forecast's rows must be where its formulas expect them"
        rows.append([])
        m = fc.minimum
        if m is None:
            rows.append([(_w("min_unknown", lang), s.label)])
        else:
            share_row = rows.append([(_w("min_share", lang), s.label), (m.share, s.rate_input)])
            amount_row = rows.append(
                [
                    (_w("min_amount", lang), s.label),
                    (Formula(f"ROUND(B{share_row}*C{total_row},2)", m.amount), s.money),
                ]
            )
            needed_cell: Cell = (
                (Formula(f"ROUND(MAX(B{amount_row}-D{total_row},0)/B{ml},2)", m.needed), s.money)
                if m.needed is not None
                else (dash, s.text)
            )
            rows.append([(_w("min_needed", lang), s.label), needed_cell])
        rows.append([])
        self._time_line(fc, total_row, mt)
        rows.append([])
        rows.append([(_w("note_inputs", lang), s.note)])
        rows.append([(_w("note_months", lang), s.note)])
        money = (float(book.money_width),) * 2
        book.frame(
            self.name,
            widths={
                1: (22, 30),
                2: (30, 54),
                3: money,
                4: money,
                5: money,
                6: money,
                7: money,
                8: money,
                9: (10, 10),
            },
            freeze="A2",  # the title stays in view
            landscape=True,
        )

    def _time_line(self, fc: Any, total_row: int, mt: int) -> None:
        book, s, rows, lang = self.book, self.book.s, self.rows, self.lang
        project = book.project
        computed = project.computed[: book.index + 1]
        periods = []
        for i, result in enumerate(computed):
            assert result.report is not None
            total = next(row for row in project.progress[i] if row.key == "total")
            periods.append((result.report.period.id, result.report.period.end, total.period))
        points = time_line(fc, periods)
        rows.append([(_w("line_title", lang), s.label)])
        header = book.header_row(
            rows,
            [
                (_w("point", lang), False),
                (_w("date", lang), False),
                (_w("months", lang), True),
                (_w("period_accepted", lang), True),
                (_w("cumulative", lang), True),
                (_w("planned", lang), True),
                (_w("projection", lang), True),
            ],
            height=45,
        )
        first = rows.next
        labels: list[str] = []
        cumulative: list[Decimal | None] = []
        planned: list[Decimal | None] = []
        projection: list[Decimal | None] = []
        last_actual = max(i for i, p in enumerate(points) if p.cumulative is not None)
        for i, p in enumerate(points):
            r = first + i
            label = p.label or (_w("start_point", lang) if i == 0 else _w("end_point", lang))
            labels.append(label)
            cells: list[Cell] = [(label, s.label), (p.day, s.date), (p.months, s.hours_input)]
            if i == 0:
                cells += [None, (p.cumulative, s.money_input)]
            elif p.cumulative is not None:
                cells += [(p.accepted, s.money_input), (Formula(f"E{r - 1}+D{r}", p.cumulative), s.money)]
            else:
                cells += [None, None]
            cells.append((Formula(f"ROUND($C${total_row}*C{r}/$B${mt},2)", p.planned), s.money))
            proj: Decimal | None = None
            if i == last_actual and p.cumulative is not None and last_actual < len(points) - 1:
                proj = p.cumulative
                cells.append((Formula(f"E{r}", proj), s.money))
            elif p.cumulative is None and fc.total.projected is not None:
                proj = fc.total.projected
                cells.append((Formula(f"G{total_row}", proj), s.money))
            rows.append(cells)
            cumulative.append(p.cumulative)
            planned.append(p.planned)
            projection.append(proj)
        point_rows = list(range(first, first + len(points)))
        chart = LineChart()
        chart.title = _w("chart", lang)
        chart.y_axis.numFmt = '#,##0 "€"'
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        name = self.name
        series = [("E", cumulative, "cumulative"), ("F", planned, "planned")]
        if any(v is not None for v in projection):
            series.append(("G", projection, "projection"))
        for i, (col, values, word) in enumerate(series):
            chart.series.append(
                _series(
                    name,
                    col,
                    point_rows,
                    values,
                    "A",
                    labels,
                    (f"{quote(name)}!${col}${header}", _w(word, lang)),
                    i,
                )
            )
        chart.width, chart.height = 22, 9
        anchor = rows.next + 1
        for _ in range(20):  # room for the chart, so the notes below it stay readable
            rows.append([])
        book.sheets[name].add_chart(chart, f"A{anchor}")
