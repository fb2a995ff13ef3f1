"""The annual results report as a workbook: Riepilogo, Canali, Indicatori, Spesa.

Counts and accepted costs are inputs (they come from the lists and from compute: a
spreadsheet cannot re-count a YAML list or re-run the rules); what follows from them — totals,
cost per contact, share of a target, the year's flat rate, remaining, share used — is a
formula with clustbudget's figure cached, recomputed by any spreadsheet.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.chart import BarChart
from openpyxl.styles import Border, Font, PatternFill, Side

from .. import __version__
from ..compute import flat_rate, share
from ..models import CallPack
from ..money import ZERO, round_cents
from ..output.results import WORDS, category_word, channel_word, format_counted, item_word, title
from ..results import YearResults
from .layout import bar_series, frame, quote
from .package import Package, package_of
from .sheetxml import Cell, Formula, Rows
from .styles import COMPUTED_FILL, INPUT_FILL, TOTAL_FILL, Styles

_thin = Side(style="thin", color="808080")


class ResultsStyles(Styles):
    """The shared formats, and whole numbers (counts) as inputs, computed and totals."""

    def __init__(self, sheet: Any, *, date_format: str) -> None:
        super().__init__(sheet, date_format=date_format)
        bold = Font(bold=True)
        self.count_input = self._add(number_format="#,##0", fill=PatternFill("solid", fgColor=INPUT_FILL))
        self.count = self._add(number_format="#,##0", fill=PatternFill("solid", fgColor=COMPUTED_FILL))
        self.count_total = self._add(
            number_format="#,##0",
            font=bold,
            fill=PatternFill("solid", fgColor=TOTAL_FILL),
            border=Border(top=_thin),
        )
        self.money_input_plain = self._add(
            number_format='#,##0.00 "€"', fill=PatternFill("solid", fgColor=INPUT_FILL)
        )
        self.value_input = self._add(number_format="General", fill=PatternFill("solid", fgColor=INPUT_FILL))


def _sum(col: str, first: int, last: int, value: Any) -> Formula:
    return Formula(f"SUM({col}{first}:{col}{last})", value)


class ResultsWorkbook:
    def __init__(self, res: YearResults, pack: CallPack, lang: str, generated: datetime) -> None:
        self.res, self.pack, self.lang = res, pack, lang
        self.w = WORDS[lang]
        w = self.w
        self.names = [w["sheet_summary"], w["sheet_channels"], w["sheet_indicators"], w["sheet_spending"]]
        self.wb = OpenpyxlWorkbook(write_only=True)
        self.sheets = {n: self.wb.create_sheet(n) for n in self.names}
        self.s = ResultsStyles(
            self.sheets[self.names[0]], date_format="dd/mm/yyyy" if lang == "it" else "yyyy-mm-dd"
        )
        self.rows = {n: Rows() for n in self.names}
        self.page_title = f"{title(res, lang)} — {res.title}"
        self.generated = generated
        self.cells: dict[str, str] = {}
        """Key cells, for tests and readers: ``organisations_total`` → ``'Riepilogo'!B12``."""

    def build(self) -> Package:
        self.summary()
        self.channels()
        self.indicators()
        self.spending()
        props = self.wb.properties
        props.title = self.page_title
        props.creator = props.lastModifiedBy = f"clustbudget {__version__}"
        props.language = "it-IT" if self.lang == "it" else "en"
        when = self.generated.replace(tzinfo=None, microsecond=0)
        props.created = props.modified = when
        return package_of(self.wb, self.names, self.rows)

    def _frame(self, name: str, widths: dict[int, tuple[float, float]], **kwargs: Any) -> None:
        page = "Pagina &P di &N" if self.lang == "it" else "Page &P of &N"
        frame(self.sheets[name], self.rows[name], title=self.page_title, page=page, widths=widths, **kwargs)

    def _ref(self, sheet: str, cell: str) -> str:
        return f"{quote(sheet)}!{cell}"

    def _header(self, rows: Rows, texts: list[tuple[str, bool]]) -> int:
        s = self.s
        return rows.append([(t, s.header_right if right else s.header) for t, right in texts], height=30)

    # ------------------------------------------------------------------ Riepilogo

    def summary(self) -> None:
        res, s, w, lang = self.res, self.s, self.w, self.lang
        name = self.names[0]
        rows = self.rows[name]
        from ..i18n import formatting

        rows.append([(title(res, lang), s.title)], height=20)
        rows.append([(w["subtitle"], s.note)])
        facts = [
            (w["project"], res.title),
            (w["beneficiary"], res.beneficiary or w["not_set"]),
            (w["year"], str(res.year)),
            (w["days"], f"{formatting.date(res.start, lang)} – {formatting.date(res.end, lang)}"),
            (w["budget_version"], res.budget_version),
            (w["periods"], ", ".join(res.periods) or w["none"]),
        ]
        for label, value in facts:
            rows.append([(label, s.label), (value, s.text)])
        rows.append()
        c = res.counts
        # Organisations reached by category, with a chart
        rows.append([(w["organisations"], s.label)])
        self._header(rows, [(w["category"], False), (w["count"], True)])
        first = rows.next
        org_rows: list[int] = []
        for k, n in c.organisations.items():
            org_rows.append(rows.append([(category_word(k, lang), s.text), (n, s.count_input)]))
        last = rows.next - 1
        total = rows.append(
            [
                (w["total"], s.total_label),
                (_sum("B", first, last, sum(c.organisations.values())), s.count_total),
            ]
        )
        self.cells["organisations_total"] = self._ref(name, f"B{total}")
        chart = BarChart()
        chart.type = "bar"
        chart.title = w["organisations"]
        chart.legend = None
        chart.series.append(
            bar_series(
                name,
                col="B",
                rows=org_rows,
                values=[Decimal(n) for n in c.organisations.values()],
                category_col="A",
                categories=[category_word(k, lang) for k in c.organisations],
            )
        )
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.width, chart.height = 16, 8
        self.sheets[name].add_chart(chart, f"E{first - 1}")
        rows.append()
        # Members and new members by category
        rows.append([(w["members"], s.label)])
        self._header(rows, [(w["category"], False), (w["members_end"], True), (w["new_members"], True)])
        first = rows.next
        for k in c.members:
            rows.append(
                [
                    (category_word(k, lang), s.text),
                    (c.members[k], s.count_input),
                    (c.new_members.get(k, 0), s.count_input),
                ]
            )
        last = rows.next - 1
        total = rows.append(
            [
                (w["total"], s.total_label),
                (_sum("B", first, last, sum(c.members.values())), s.count_total),
                (_sum("C", first, last, sum(c.new_members.values())), s.count_total),
            ]
        )
        self.cells["members_total"] = self._ref(name, f"B{total}")
        self.cells["new_members_total"] = self._ref(name, f"C{total}")
        rows.append()
        # Events and participants by action
        rows.append([(w["events"], s.label)])
        self._header(rows, [(w["action"], False), (w["events_n"], True), (w["participants"], True)])
        titles = {a.id: a.title for a in res.actions}
        first = rows.next
        for a in c.events_by_action:
            label = f"{a} {titles.get(a, '')}".strip()
            rows.append(
                [
                    (label, s.wrap),
                    (c.events_by_action[a], s.count_input),
                    (c.participants_by_action[a], s.count_input),
                ]
            )
        other_events = c.events - sum(c.events_by_action.values())
        other_people = c.participants - sum(c.participants_by_action.values())
        if other_events:
            rows.append(
                [(w["not_set"], s.text), (other_events, s.count_input), (other_people, s.count_input)]
            )
        last = rows.next - 1
        total = rows.append(
            [
                (w["total"], s.total_label),
                (_sum("B", first, last, c.events), s.count_total),
                (_sum("C", first, last, c.participants), s.count_total),
            ]
        )
        self.cells["events_total"] = self._ref(name, f"B{total}")
        self.cells["participants_total"] = self._ref(name, f"C{total}")
        rows.append()
        rows.append([(w["note_costs"], s.note)])
        self._frame(name, {1: (30, 60), 2: (12, 16), 3: (12, 16)}, freeze=None)

    # ------------------------------------------------------------------ Canali

    def channels(self) -> None:
        res, s, w, lang = self.res, self.s, self.w, self.lang
        name = self.names[1]
        rows = self.rows[name]
        rows.append([(w["channels"], s.title)], height=20)
        self._header(
            rows,
            [
                (w["channel"], False),
                (w["contacts"], True),
                (w["expenses"], True),
                (w["staff"], True),
                (w["cost"], True),
                (w["per_contact"], True),
                (w["rank_reach"], True),
                (w["rank_cost"], True),
            ],
        )
        first = rows.next
        ch_rows: list[int] = []
        for ch in res.channels:
            r = rows.next
            # without contacts there is no cost per contact: a dash, not a formula
            per: Cell = (
                (Formula(f"ROUND(E{r}/B{r},2)", ch.cost_per_contact), s.money)
                if ch.cost_per_contact is not None
                else (w["not_set"], s.text)
            )
            ch_rows.append(
                rows.append(
                    [
                        (channel_word(ch.key, lang), s.text),
                        (ch.contacts, s.count_input),
                        (ch.expenses, s.money_input_plain),
                        (ch.staff, s.money_input_plain),
                        (Formula(f"C{r}+D{r}", ch.cost), s.money),
                        per,
                        (ch.reach_rank, s.count),
                        (
                            ch.cost_rank if ch.cost_rank is not None else w["not_set"],
                            s.count if ch.cost_rank else s.text,
                        ),
                    ]
                )
            )
        last = rows.next - 1
        contacts = sum(ch.contacts for ch in res.channels)
        expenses = sum((ch.expenses for ch in res.channels), ZERO)
        staff = sum((ch.staff for ch in res.channels), ZERO)
        total = rows.next
        per_all = round_cents((expenses + staff) / contacts) if contacts else ""
        rows.append(
            [
                (w["total"], s.total_label),
                (_sum("B", first, last, contacts), s.count_total),
                (_sum("C", first, last, expenses), s.money_total),
                (_sum("D", first, last, staff), s.money_total),
                (_sum("E", first, last, expenses + staff), s.money_total),
                (Formula(f"ROUND(E{total}/B{total},2)", per_all), s.money_total)
                if contacts
                else (w["not_set"], s.text),
            ]
        )
        self.cells["contacts_total"] = self._ref(name, f"B{total}")
        self.cells["channels_cost_total"] = self._ref(name, f"E{total}")
        rows.append()
        unassigned = rows.append([(w["unassigned"], s.label), (res.unassigned, s.money_input_plain)])
        comm = rows.append(
            [
                (w["communication_cost"], s.label),
                (Formula(f"E{total}+B{unassigned}", res.communication_cost), s.money_total),
            ]
        )
        self.cells["communication_cost"] = self._ref(name, f"B{comm}")
        for col, key, values in (
            ("B", "contacts", [Decimal(ch.contacts) for ch in res.channels]),
            ("F", "per_contact", [ch.cost_per_contact or ZERO for ch in res.channels]),
        ):
            chart = BarChart()
            chart.type = "bar"
            chart.title = w["channels"] if key == "contacts" else w["channels_cost"]
            chart.legend = None
            chart.series.append(
                bar_series(
                    name,
                    col=col,
                    rows=ch_rows,
                    values=values,
                    category_col="A",
                    categories=[channel_word(ch.key, lang) for ch in res.channels],
                )
            )
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            chart.width, chart.height = 14, 7
            anchor = comm + 2 if key == "contacts" else comm + 17
            self.sheets[name].add_chart(chart, f"A{anchor}")
        self._frame(
            name,
            {
                1: (24, 40),
                2: (11, 14),
                3: (13, 16),
                4: (13, 16),
                5: (13, 16),
                6: (13, 16),
                7: (9, 11),
                8: (9, 11),
            },
            freeze="B3",
            title_rows="2:2",
            landscape=True,
        )

    # ------------------------------------------------------------------ Indicatori

    def indicators(self) -> None:
        res, s, w, lang = self.res, self.s, self.w, self.lang
        name = self.names[2]
        rows = self.rows[name]
        rows.append([(w["indicators"], s.title)], height=20)
        self._header(
            rows,
            [
                (w["indicator"], False),
                (w["action"], False),
                (w["unit"], False),
                (w["target"], True),
                (w["value"], True),
                (w["share_target"], True),
                (w["reached"], False),
                (w["source"], False),
            ],
        )
        yes, no = w["yes"], w["no"]
        first = rows.next
        for i in res.indicators:
            r = rows.next
            label = i.label_en if lang == "en" and i.label_en else i.label_it
            source = format_counted(i.counted, lang) if i.counted else "; ".join(i.sources)
            # a value without a target (or the reverse) has no share and no verdict: a dash
            share_cell: Cell = (
                (Formula(f"ROUND(E{r}/D{r},4)", i.share), s.share)
                if i.share is not None
                else (w["not_set"], s.text)
            )
            met_cell: Cell = (
                (Formula(f'IF(E{r}>=D{r},"{yes}","{no}")', yes if i.met else no), s.text)
                if i.met is not None
                else (w["not_set"], s.text)
            )
            rows.append(
                [
                    (label, s.wrap),
                    (i.action, s.text),
                    (i.unit_in(lang), s.text),
                    (i.target, s.value_input) if i.target is not None else (None, s.value_input),
                    (i.value, s.value_input) if i.value is not None else (None, s.value_input),
                    share_cell,
                    met_cell,
                    (source, s.wrap),
                ]
            )
        last = rows.next - 1
        rows.append()
        rows.append([(w["actions"], s.label)])
        self._header(
            rows,
            [
                (w["action"], False),
                (w["n_indicators"], True),
                (w["met"], True),
                (w["orgs_short"], True),
                (w["events_n"], True),
                (w["participants"], True),
            ],
        )
        for a in res.actions:
            r = rows.next
            rows.append(
                [
                    (f"{a.id} {a.title}".strip(), s.wrap),
                    (Formula(f'COUNTIF($B${first}:$B${last},"{a.id}")', a.indicators), s.count),
                    (
                        Formula(
                            f'COUNTIFS($B${first}:$B${last},"{a.id}",$G${first}:$G${last},"{yes}")', a.met
                        ),
                        s.count,
                    ),
                    (a.organisations, s.count_input),
                    (a.events, s.count_input),
                    (a.participants, s.count_input),
                ]
            )
            self.cells[f"action_{a.id}_met"] = self._ref(name, f"C{r}")
        self._frame(
            name,
            {
                1: (30, 50),
                2: (8, 10),
                3: (12, 16),
                4: (10, 12),
                5: (10, 12),
                6: (10, 12),
                7: (10, 12),
                8: (30, 60),
            },
            freeze="A3",
            title_rows="2:2",
            landscape=True,
        )

    # ------------------------------------------------------------------ Spesa

    def spending(self) -> None:
        res, s, w, lang, pack = self.res, self.s, self.w, self.lang, self.pack
        name = self.names[3]
        rows = self.rows[name]
        rows.append([(w["spending"], s.title)], height=20)
        self._header(
            rows,
            [
                (w["item"], False),
                (w["budget"], True),
                (w["budget_year"], True),
                (w["accepted_year"], True),
                (w["accepted_to_date"], True),
                (w["remaining"], True),
                (w["used"], True),
            ],
        )
        by_key = {r.key: r for r in res.spending}
        at: dict[str, int] = {}
        order = [*pack.direct_items, "direct", *pack.flat_rate_items, "total"]
        for key in order:
            at[key] = 3 + order.index(key)
        direct_rows = [at[k] for k in pack.direct_items]
        for key in order:
            row = by_key[key]
            r = at[key]
            total_style = key in ("direct", "total")
            money = s.money_total if total_style else s.money
            label_style = s.total_label if total_style else s.text
            cells: list[Cell] = [(item_word(key, pack, lang), label_style)]
            if key in pack.direct_items:
                cells += [
                    (row.budget, s.money_input_plain),
                    (row.budget_year, s.money_input_plain) if row.budget_year is not None else (None, s.text),
                    (row.accepted_year, s.money_input_plain),
                    (row.accepted_to_date, s.money_input_plain),
                ]
            elif key == "direct":
                cells += [
                    (Formula(_plus("B", direct_rows), row.budget), money),
                    (Formula(_plus("C", direct_rows), row.budget_year), money)
                    if row.budget_year is not None
                    else (None, s.text),
                    (Formula(_plus("D", direct_rows), row.accepted_year), money),
                    (Formula(_plus("E", direct_rows), row.accepted_to_date), money),
                ]
            elif key in pack.flat_rate_items:
                item = pack.items[key]
                assert item.rate is not None and item.base is not None
                base = [at[b] for b in item.base if b in at]
                rate = f"{item.rate:f}"
                year_value = flat_rate(item.rate, sum((by_key[b].accepted_year for b in item.base), ZERO))
                date_value = flat_rate(item.rate, sum((by_key[b].accepted_to_date for b in item.base), ZERO))
                cells += [
                    (row.budget, s.money_input_plain),
                    (row.budget_year, s.money_input_plain) if row.budget_year is not None else (None, s.text),
                    (Formula(f"ROUND({rate}*({_plus('D', base)}),2)", year_value), money),
                    (Formula(f"ROUND({rate}*({_plus('E', base)}),2)", date_value), money),
                ]
            else:  # total
                parts = [at["direct"], *(at[k] for k in pack.flat_rate_items)]
                cells += [
                    (Formula(_plus("B", parts), row.budget), money),
                    (Formula(_plus("C", parts), row.budget_year), money)
                    if row.budget_year is not None
                    else (None, s.text),
                    (Formula(_plus("D", parts), row.accepted_year), money),
                    (Formula(_plus("E", parts), row.accepted_to_date), money),
                ]
            cells.append((Formula(f"B{r}-E{r}", row.remaining), money))
            if row.budget:
                used = share(row.accepted_to_date, row.budget)
                cells.append(
                    (Formula(f"ROUND(E{r}/B{r},4)", used), s.share_total if total_style else s.share)
                )
            else:  # no budget: no share of it
                cells.append((w["not_set"], s.text))
            assert rows.append(cells) == r
        self.cells["accepted_year_total"] = self._ref(name, f"D{at['total']}")
        self.cells["accepted_to_date_total"] = self._ref(name, f"E{at['total']}")
        rows.append()
        if all(r.budget_year is None for r in res.spending):
            rows.append([(w["no_split"], s.note)])
        rows.append([(w["note_costs"], s.note)])
        self._frame(
            name,
            {1: (30, 60), 2: (14, 16), 3: (14, 16), 4: (14, 16), 5: (14, 16), 6: (14, 16), 7: (9, 10)},
            freeze="B3",
            title_rows="2:2",
            landscape=True,
        )


def _plus(col: str, rows: list[int]) -> str:
    return "+".join(f"{col}{r}" for r in rows) if rows else "0"


def write_results_xlsx(
    res: YearResults, pack: CallPack, target: Path, *, lang: str = "it", force: bool = False
) -> Path:
    """Write the results workbook to ``target`` atomically (no overwrite unless ``force``)."""
    from ..atomic import write_atomic

    package = ResultsWorkbook(res, pack, lang, datetime.now().astimezone()).build()

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as out:
            package.write(out)

    return write_atomic(target, write, overwrite=force)
