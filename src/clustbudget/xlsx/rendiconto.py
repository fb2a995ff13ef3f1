"""The rendiconto: one reporting period's cost statement, against the budget.

Sheets, in order: Summary (Riepilogo), Staff (Personale), Expenses (Spese), Checks
(Controlli), Provenance (Provenienza).

What the files state is an input cell; what clustbudget computes is a formula over those
inputs, the same computation as :mod:`clustbudget.compute` (whose figures each formula
carries as its cached result):

- Staff: hourly rate ``ROUND(annual cost / hours basis, 2)``, hours ``SUM`` of the months,
  cost ``ROUND(rate × hours, 2)``; accepted = cost − not accepted.
- Expenses: eligible VAT ``0`` when the project's VAT is recoverable (a flag cell at the top
  of the sheet), eligible ``ROUND((amount + eligible VAT) × share, 2)``; accepted =
  eligible − not accepted.
- Summary: a direct item's period figure is ``SUMIF`` of the accepted columns by item; a flat
  rate is ``ROUND(rate × base, 2)`` on the period's accepted direct costs (never the
  budget's); earlier periods are inputs (their own workbooks show how they were computed);
  cumulative = earlier + this period, remaining = budget − cumulative, used = cumulative ÷
  budget (0 when the budget is 0); the contribution ``MIN(ROUND(rate × cumulative, 2), cap)``
  when the call pack knows its rate.

The Summary's rows read as ``clustbudget show`` prints a budget: the direct items, their
subtotal, the flat rates, the total.

"Not accepted" is an input: it is what the rules disallowed (``ReportResult.disallowed``,
capped at the cost), which a spreadsheet cannot recompute. Sums over many rows are rounded to
the cent (``ROUND(SUMIF(…), 2)``), which removes binary floating-point noise and changes
nothing else: every amount is a whole number of cents.
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart
from openpyxl.workbook.defined_name import DefinedName

from .. import __version__
from ..compute import ItemProgress, contribution_due, flat_rate, payments_of, share, sum_amounts
from ..findings import Finding
from ..invoices import whole_amount
from ..models import CostReport
from ..money import ZERO, fmt_eur, round_cents
from ..pipeline import ProjectResult, ReportResult
from .labels import Labels, ReportLabels, labels, report_labels
from .layout import (
    NAME_SAFE,
    Places,
    bar_series,
    counts,
    findings_table,
    fitted_width,
    frame,
    quote,
    ranges,
    wrapped_height,
)
from .package import Package, package_of
from .sheetxml import Cell, Formula, Rows, column_letter
from .styles import ReportStyles

VAT_NOT_ELIGIBLE = "CB212"
"""The finding, reported once per report (at its first invoice with VAT), that recorded VAT is
left out because the project's VAT is recoverable: the Expenses sheet shows it on every line
whose VAT it leaves out."""

MAX_ERRORS_LISTED = 5
LABEL_WIDTH = (36, 54)
"""The Summary's description column (minimum, maximum width): the item labels wrap in it."""


def build(
    project: ProjectResult, period: int = -1, lang: str = "it", *, generated: datetime | None = None
) -> Package:
    """Lay out the rendiconto of period ``period`` (an index into ``project.computed``, -1 the latest)."""
    budget = project.budget
    if budget.budget is None or budget.pack is None or budget.figures is None:
        raise ValueError(
            f"{budget.loaded.display}: the budget's figures could not be computed: nothing to export"
        )
    reports = project.computed
    if not reports:
        raise ValueError("no cost report could be computed: nothing to put in a rendiconto")
    if not -len(reports) <= period < len(reports):
        raise IndexError(f"period index {period} out of range: the project has {len(reports)} period(s)")
    t, rt = labels(lang), report_labels(lang)
    generated = generated or datetime.now().astimezone()
    return _Rendiconto(project, period % len(reports), t, rt, generated).package()


# ----------------------------------------------------------------------------- helpers


def period_months(report: CostReport) -> list[str]:
    """The months (``YYYY-MM``) of the period, and any other month a person's hours name."""
    months: set[str] = set()
    start, end = report.period.start, report.period.end
    if start <= end:
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            months.add(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    for entry in report.staff:
        months.update(entry.hours)
    return sorted(months)


def entry_codes(result: ReportResult, key: str, count: int) -> list[str | None]:
    """The codes of the findings located inside each entry of the report's ``key`` list.

    An entry spans from its first character to the next entry's (the last one to the end of
    the list); a finding of this file whose line and column fall in that span is about it.
    """
    out: list[list[str]] = [[] for _ in range(count)]
    doc = result.loaded.doc
    spans = doc.spans(key) if doc is not None else None
    if spans is None or not count or len(spans[0]) != count:
        return [None] * count
    starts, end = spans
    for f in result.findings:
        loc = f.location
        if loc.path != result.loaded.display or not loc.line:
            continue
        at = (loc.line, loc.col)
        i = bisect.bisect_right(starts, at) - 1
        if 0 <= i < count and (i + 1 < count or at < end) and f.code not in out[i]:
            out[i].append(f.code)
            if f.code == VAT_NOT_ELIGIBLE and key == "expenses" and result.report is not None:
                # One finding for the whole report; every line whose VAT it leaves out shows it.
                for j, expense in enumerate(result.report.expenses):
                    if expense.vat and VAT_NOT_ELIGIBLE not in out[j]:
                        out[j].append(VAT_NOT_ELIGIBLE)
    return [", ".join(codes) if codes else None for codes in out]


class _Rendiconto:
    """One period's workbook; Staff and Expenses first: the Summary sums their columns."""

    def __init__(
        self, project: ProjectResult, index: int, t: Labels, rt: ReportLabels, generated: datetime
    ) -> None:
        self.project = project
        self.index = index
        self.t, self.rt = t, rt
        self.generated = generated
        b = project.budget
        assert b.budget is not None and b.pack is not None and b.figures is not None
        self.model, self.pack, self.bfig = b.budget, b.pack, b.figures
        self.result = project.computed[index]
        report, costs, fig = self.result.report, self.result.costs, self.result.figures
        assert report is not None and costs is not None and fig is not None
        self.report, self.costs, self.fig = report, costs, fig
        self.period_id = report.period.id
        self.earlier = project.computed[:index]
        self.progress: list[ItemProgress] = project.progress[index]
        self.flat = set(self.pack.flat_rate_items)
        self.keys = [row.key for row in self.progress if row.key != "total"]
        self.direct_keys = [k for k in self.keys if k not in self.flat]
        self.flat_keys = [k for k in self.keys if k in self.flat]
        largest = max([self.bfig.total, *(row.cumulative for row in self.progress), fig.total, ZERO])
        self.money_width = max(14, len(fmt_eur(largest, "it")) + 4)
        self.date_format = "dd/mm/yyyy" if t.lang == "it" else "yyyy-mm-dd"
        known = [(f.display, f.path) for f in [b.loaded, *(r.loaded for r in project.reports)]]
        known.append((b.pack_display, Path(b.pack_display)))
        self.places = Places(b.loaded.path, known)

        self.wb = Workbook(write_only=True)
        self.sheet_names = [t.summary, rt.staff, rt.expenses, t.checks, t.provenance]
        self.sheets = {name: self.wb.create_sheet(name) for name in self.sheet_names}
        self.s = ReportStyles(
            self.sheets[t.summary], date_format=self.date_format, flag_format=rt.flag_format
        )
        self.rows: dict[str, Rows] = {name: Rows() for name in self.sheet_names}
        # Where the Summary finds the accepted amounts: (item range, accepted range) per sheet.
        self.sources: list[tuple[str, str]] = []

    def package(self) -> Package:
        self._staff()
        self._expenses()
        self._summary()
        self._checks()
        self._provenance()
        self._properties()
        return package_of(self.wb, self.sheet_names, self.rows)

    def _frame(self, name: str, **kwargs: Any) -> None:
        frame(
            self.sheets[name],
            self.rows[name],
            title=f"{self.model.project.title} — {self.period_id}",
            page=self.t.page,
            **kwargs,
        )

    def _date(self, d: date) -> str:
        return d.strftime("%d/%m/%Y") if self.t.lang == "it" else d.isoformat()

    # ------------------------------------------------------------------ Staff

    def _staff(self) -> None:
        t, rt, s = self.t, self.rt, self.s
        name = rt.staff
        rows = self.rows[name]
        months = period_months(self.report)
        first_month = 8
        hours_col = first_month + len(months)
        cost_col, not_col, acc_col, find_col = hours_col + 1, hours_col + 2, hours_col + 3, hours_col + 4
        H, COST, NOT, ACC = (column_letter(c) for c in (hours_col, cost_col, not_col, acc_col))
        m0, m1 = column_letter(first_month), column_letter(hours_col - 1)
        rows.append([(rt.staff_title.format(period=self.period_id), s.title)])
        header: list[Cell] = [
            (rt.person_id, s.header),
            (rt.name, s.header),
            (t.item, s.header),
            (rt.annual_cost, s.header_right),
            (rt.cost_year, s.header_right),
            (rt.hours_basis, s.header_right),
            (rt.hourly_rate, s.header_right),
        ]
        header += [(rt.month(m), s.header_right) for m in months]
        header += [
            (rt.hours_total, s.header_right),
            (rt.cost, s.header_right),
            (rt.not_accepted, s.header_right),
            (rt.accepted, s.header_right),
            (rt.findings_col, s.header),
        ]
        rows.append(header, height=45)
        codes = entry_codes(self.result, "staff", len(self.costs.staff))
        disallowed = self.result.disallowed
        first = rows.next
        # Column totals of the hours, cost, not accepted and accepted (the cached results).
        month_hours = dict.fromkeys(months, ZERO)
        hours_sum = cost_sum = not_sum = accepted_sum = ZERO
        for c, entry, found in zip(self.costs.staff, self.report.staff, codes, strict=True):
            r = rows.next
            cut = min(disallowed.get(("staff", c.index), ZERO), c.cost)
            cells: list[Cell] = [
                (c.id, s.text_input),
                (c.name, s.text_input),
                (c.item, s.text_input),
                (c.annual_gross_cost, s.money_input),
                (entry.cost_year, s.integer_input),
                (c.hours_per_year, s.hours_input),
                (Formula(f"IF(F{r}=0,0,ROUND(D{r}/F{r},2))", c.hourly_rate), s.money),
            ]
            cells += [(entry.hours.get(m), s.hours_input) for m in months]
            cells += [
                (Formula(f"ROUND(SUM({m0}{r}:{m1}{r}),2)", c.hours) if months else 0, s.hours),
                (Formula(f"ROUND(G{r}*{H}{r},2)", c.cost), s.money),
                (cut, s.money_input),
                (Formula(f"{COST}{r}-{NOT}{r}", c.cost - cut), s.money),
                (found, s.codes),
            ]
            rows.append(cells)
            for m, h in entry.hours.items():
                month_hours[m] += h
            hours_sum += c.hours
            cost_sum += c.cost
            not_sum += cut
            accepted_sum += c.cost - cut
        last = rows.next - 1
        if last >= first:
            total: list[Cell] = [(None, s.total_label), (rt.sheet_total, s.total_label)]
            total += [(None, s.total_label)] * (first_month - 3)
            column_sums = [*month_hours.values(), hours_sum]
            for col, value in zip(range(first_month, hours_col + 1), column_sums, strict=True):
                letter = column_letter(col)
                total.append((Formula(f"SUM({letter}{first}:{letter}{last})", value), s.hours_total))
            for letter, value in ((COST, cost_sum), (NOT, not_sum), (ACC, accepted_sum)):
                total.append((Formula(f"SUM({letter}{first}:{letter}{last})", value), s.money_total))
            rows.append(total)
            sheet = quote(name)
            self.sources.append((f"{sheet}!$C${first}:$C${last}", f"{sheet}!${ACC}${first}:${ACC}${last}"))
        else:
            rows.append([(None, s.text), (rt.no_staff, s.note)])
        widths: dict[int, tuple[float, float]] = {
            1: (10, 24),
            2: (16, 36),
            3: (6, 8),
            4: (self.money_width, self.money_width),
            5: (8, 8),
            6: (9, 9),
            7: (11, 11),
        }
        widths.update({col: (9, 9) for col in range(first_month, hours_col)})
        widths.update({hours_col: (9, 9), cost_col: (self.money_width,) * 2})
        widths.update({not_col: (self.money_width,) * 2, acc_col: (self.money_width,) * 2})
        widths[find_col] = (10, 30)
        self._frame(name, widths=widths, freeze="D3", title_rows="2:2", landscape=True)

    # ------------------------------------------------------------------ Expenses

    def _expense_note(self, index: int, x: Any) -> str | None:
        """What a line says beyond its columns: kept on record (and why), the other parts of
        its invoice, its payments when several, the review's approved amount, its note."""
        rt, lang = self.rt, self.t.lang
        notes = []
        if not x.claimed:
            notes.append(rt.kept_on_record.format(reason=x.reason))
        parts = self.project.parts_of(self.result, index)
        if len(parts) > 1:
            others = [
                f"{p.period} {fmt_eur(round_cents(p.charge), lang)}"
                for p in parts
                if not (p.result is self.result and p.index == index)
            ]
            whole = fmt_eur(whole_amount([p.expense for p in parts]), lang)
            notes.append(rt.invoice_parts.format(whole=whole, parts=", ".join(others)))
        if x.payments is not None and len(x.payments) > 1:
            listed = [f"{self._date(p.date)} {fmt_eur(p.amount, lang)}" for p in x.payments]
            notes.append(rt.payments_note.format(payments="; ".join(listed)))
        if x.approved is not None:
            approved = fmt_eur(x.approved, lang) + (f" ({x.approved_note})" if x.approved_note else "")
            notes.append(rt.approved_line.format(amount=approved))
        if x.note:
            notes.append(x.note)
        return " — ".join(notes) or None

    def _expenses(self) -> None:
        t, rt, s = self.t, self.rt, self.s
        name = rt.expenses
        rows = self.rows[name]
        rows.append([(rt.expenses_title.format(period=self.period_id), s.title)])
        # The project's VAT status: an input every row's eligible VAT refers to, as $A$2.
        vat_recoverable = 1 if self.model.project.vat_recoverable else 0
        rows.append([(vat_recoverable, s.flag_input), (rt.vat_recoverable, s.label)])
        count = len(self.costs.expenses)
        header_row = rows.next + 1
        first, last = header_row + 1, header_row + count
        disallowed = self.result.disallowed
        cuts = [min(disallowed.get(("expense", c.index), ZERO), c.eligible) for c in self.costs.expenses]
        # Totals above the header, so that the filter leaves them alone; SUBTOTAL counts only
        # the rows the filter shows (all of them, for the cached results).
        sums = {
            "H": sum_amounts(x.amount for x in self.report.expenses),
            "I": sum_amounts(x.vat for x in self.report.expenses if x.vat),
            "J": sum_amounts(c.vat_eligible for c in self.costs.expenses),
            "L": sum_amounts(c.eligible for c in self.costs.expenses),
            "P": sum_amounts(cuts),
        }
        sums["Q"] = sums["L"] - sums["P"]
        totals: list[Cell] = [None, (rt.visible_total, s.label), *[None] * 5]
        for letter in "HIJKLMNOPQ":
            totals.append(
                (Formula(f"SUBTOTAL(109,{letter}{first}:{letter}{last})", sums[letter]), s.money_total)
                if count and letter in sums
                else None
            )
        rows.append(totals if count else [])
        rows.append(
            [
                (rt.number, s.header),
                (rt.date, s.header),
                (t.item, s.header),
                (t.description, s.header),
                (rt.supplier, s.header),
                (rt.supplier_vat, s.header),
                (rt.document, s.header),
                (rt.amount, s.header_right),
                (rt.vat, s.header_right),
                (rt.vat_eligible, s.header_right),
                (rt.share, s.header_right),
                (rt.eligible, s.header_right),
                (rt.paid, s.header),
                (rt.payment, s.header),
                (rt.payment_ref, s.header),
                (rt.not_accepted, s.header_right),
                (rt.accepted, s.header_right),
                (rt.findings_col, s.header),
                (rt.note, s.header),
            ],
            height=45,
        )
        codes = entry_codes(self.result, "expenses", len(self.costs.expenses))
        methods = rt.payment_methods
        text_input, money_input, money, date_input = s.text_input, s.money_input, s.money, s.date_input
        append = rows.append
        for c, x, found, cut in zip(self.costs.expenses, self.report.expenses, codes, cuts, strict=True):
            r = rows.next
            append(
                [
                    (c.index + 1, s.integer),
                    (x.date, date_input),
                    (x.item, text_input),
                    (x.description, text_input),
                    (x.supplier, text_input),
                    (x.supplier_vat, text_input),
                    (x.document, text_input),
                    (x.amount, money_input),
                    (x.vat, money_input),
                    (Formula(f"IF($A$2,0,I{r})", c.vat_eligible), money),
                    (c.share, s.rate_input),
                    (Formula(f"ROUND((H{r}+J{r})*K{r},2)", c.eligible), money),
                    (paid_on(x), date_input),
                    ("; ".join(methods.get(m, m) for m in pay_methods(x)) or None, text_input),
                    ("; ".join(pay.reference for pay in payments_of(x) if pay.reference) or None, text_input),
                    (cut, money_input),
                    (Formula(f"L{r}-P{r}", c.eligible - cut), money),
                    (found, s.codes),
                    (self._expense_note(c.index, x), text_input),
                ]
            )
        assert rows.next == last + 1, "the Expenses rows must be where the totals expect them"
        if count:
            sheet = quote(name)
            self.sources.append((f"{sheet}!$C${first}:$C${last}", f"{sheet}!$Q${first}:$Q${last}"))
            ws = self.sheets[name]
            ws.auto_filter.ref = f"A{header_row}:S{last}"
        else:
            rows.append([(None, s.text), (rt.no_expenses, s.note)])
        m = (self.money_width,) * 2
        self._frame(
            name,
            widths={
                1: (6, 8),
                2: (11, 11),
                3: (6, 8),
                4: (30, 60),
                5: (20, 40),
                6: (13, 18),
                7: (12, 20),
                8: m,
                9: m,
                10: m,
                11: (11, 11),
                12: m,
                13: (11, 11),
                14: (12, 20),
                15: (12, 18),
                16: m,
                17: m,
                18: (10, 30),
                19: (10, 50),
            },
            freeze=f"A{header_row + 1}",
            title_rows=f"{header_row}:{header_row}",
            landscape=True,
            allow_filter=True,
        )

    # ------------------------------------------------------------------ Summary

    def _summary(self) -> None:
        t, rt, s = self.t, self.rt, self.s
        p, pack, report = self.model.project, self.pack, self.report
        rows = self.rows[t.summary]
        errors = self.project.errors
        if errors:
            noun = (
                ("errore" if len(errors) == 1 else "errori")
                if t.lang == "it"
                else ("error" if len(errors) == 1 else "errors")
            )
            rows.append([(rt.banner.format(n=len(errors), errors=noun, sheet=t.checks), s.banner)], height=20)
        title_row = rows.append(
            [(rt.title.format(period=self.period_id, project=p.title), s.title)], height=20
        )
        for f in errors[:MAX_ERRORS_LISTED]:
            where = self.places.location(f.location)
            rows.append([(f"{f.code} {where}: {self.places.message(f.message)}", s.error)])
        if len(errors) > MAX_ERRORS_LISTED:
            rows.append([(t.banner_more.format(n=len(errors) - MAX_ERRORS_LISTED), s.error)])
        rows.append([])
        call = pack.title + (f" ({pack.act})" if pack.act else "")
        dates = rt.period_dates.format(
            start=self._date(report.period.start), end=self._date(report.period.end)
        )
        facts: list[tuple[str, Any]] = [
            (t.project, p.title),
            (t.beneficiary, p.beneficiary or t.missing),
            (t.cup, p.cup or t.missing),
            (t.call, call),
            (t.call_id, f"{pack.id} v{pack.version}"),
            (rt.period, f"{self.period_id} ({dates})"),
            (rt.report_file, self.places.path(self.result.loaded.display)),
            (t.findings, f"{t.counts(*counts(self._findings()))} ({t.see_sheet.format(sheet=t.checks)})"),
        ]
        fig = self.result.figures
        if fig is not None and fig.reviewed:  # the review's outcome: requested, approved, cut
            date_text = self._date(report.period.reviewed) if report.period.reviewed else "—"
            facts.append(
                (
                    rt.review,
                    rt.review_fact.format(
                        date=date_text,
                        requested=fmt_eur(sum_amounts(fig.requested.values()), self.t.lang),
                        approved=fmt_eur(fig.total, self.t.lang),
                        cut=fmt_eur(sum_amounts(fig.requested.values()) - fig.total, self.t.lang),
                    ),
                )
            )
        for label, value in facts:
            rows.append([(label, s.label), (value, s.text)])
        rows.append([])

        # Columns: item, label, budget, one per earlier period, earlier total, this period,
        # cumulative, remaining, used, and for flat rates their rate and base.
        k = len(self.earlier)
        C_BUDGET = 3
        C_PREV = 4 + k
        C_THIS, C_CUM, C_REM, C_USED, C_RATE, C_BASE = (C_PREV + i for i in range(1, 7))
        B, P, T, CU, R, RT, BS = (
            column_letter(c) for c in (C_BUDGET, C_PREV, C_THIS, C_CUM, C_REM, C_RATE, C_BASE)
        )
        earlier_cols = [column_letter(4 + j) for j in range(k)]
        header: list[Cell] = [(t.item, s.header), (t.description, s.header), (rt.budget_col, s.header_right)]
        header += [(rt.earlier_col.format(period=e.report.period.id), s.header_right) for e in self.earlier]  # type: ignore[union-attr]
        header += [
            (rt.previous_col, s.header_right),
            (rt.this_period_col.format(period=self.period_id), s.header_right),
            (rt.cumulative_col, s.header_right),
            (rt.remaining_col, s.header_right),
            (rt.used_col, s.header_right),
            (t.rate, s.header_right),
            (rt.period_base_col, s.header_right),
        ]
        rows.append(header, height=45)
        # The rows as `clustbudget show` prints them: direct items, their subtotal, the flat
        # rates computed on them, the total.
        first_item = rows.next
        item_rows = {key: first_item + i for i, key in enumerate(self.direct_keys)}
        direct_row = first_item + len(self.direct_keys)
        item_rows.update({key: direct_row + 1 + i for i, key in enumerate(self.flat_keys)})
        total_row = direct_row + 1 + len(self.flat_keys)
        rates = {key: pack.items[key].rate for key in self.flat_keys}
        bases = {key: [b for b in pack.items[key].base or [] if b in item_rows] for key in self.flat_keys}

        # The figures the formulas compute, as compute computes them (the cached results):
        # per row, budget, each earlier period, earlier total, this period, cumulative,
        # remaining, used; flat rates on their bases, the subtotal and total as sums.
        progress = {row.key: row for row in self.progress}
        earlier = [{row.key: row.period for row in self.project.progress[j]} for j in range(k)]
        budget: dict[str, Decimal] = {key: progress[key].budget for key in self.direct_keys}
        this: dict[str, Decimal] = {key: progress[key].period for key in self.direct_keys}
        period_base: dict[str, Decimal] = {}
        for key in self.flat_keys:
            rate = rates[key]
            assert rate is not None
            budget[key] = flat_rate(rate, sum_amounts(budget[b] for b in bases[key]))
            period_base[key] = sum_amounts(this[b] for b in bases[key])
            this[key] = flat_rate(rate, period_base[key])
        figures: dict[str | int, list[Decimal]] = {
            key: [budget[key], *(e.get(key, ZERO) for e in earlier), this[key]] for key in self.keys
        }
        figures[direct_row] = (
            [sum_amounts(col) for col in zip(*(figures[key] for key in self.direct_keys), strict=True)]
            if self.direct_keys
            else [ZERO] * (k + 2)
        )
        figures[total_row] = [
            sum_amounts(col)
            for col in zip(figures[direct_row], *(figures[key] for key in self.flat_keys), strict=True)
        ]

        label_width = fitted_width(rows, 2, LABEL_WIDTH, map(self._item_label, self.keys))

        def tail(
            r: int, row: list[Decimal], this_cell: Formula | int, style: Any, share_style: Any
        ) -> list[Cell]:
            """Earlier total, this period (``this_cell``), cumulative, remaining and used."""
            before = sum_amounts(row[1:-1])
            cumulative = row[-1] + before
            previous: Cell = (
                (Formula(f"SUM({earlier_cols[0]}{r}:{earlier_cols[-1]}{r})", before), style)
                if k
                else (0, style)
            )
            return [
                previous,
                (this_cell, style),
                (Formula(f"{T}{r}+{P}{r}", cumulative), style),
                (Formula(f"{B}{r}-{CU}{r}", row[0] - cumulative), style),
                used_cell(r, row[0], cumulative, share_style),
            ]

        def used_cell(r: int, budget: Decimal, cumulative: Decimal, share_style: Any) -> Cell:
            """cumulative ÷ budget rounded as compute rounds it (the cached value is what the
            formula gives); with no budget and money spent, the words "over budget", in red."""
            over = rt.over_budget.replace('"', "'")
            formula = f'IF({B}{r}=0,IF({CU}{r}>0,"{over}",0),ROUND({CU}{r}/{B}{r},4))'
            if not budget and cumulative > 0:
                return (Formula(formula, rt.over_budget), s.severity["error"])
            return (Formula(formula, share(cumulative, budget)), share_style)

        def item_row(key: str) -> None:
            r = item_rows[key]
            row = figures[key]
            cells: list[Cell] = [(key, s.label), (self._item_label(key), s.wrap)]
            this_cell: Formula | int
            if key in self.flat:
                budget_base = ",".join(f"{B}{item_rows[b]}" for b in bases[key]) or "0"
                cells.append((Formula(f"ROUND({RT}{r}*ROUND(SUM({budget_base}),2),2)", row[0]), s.money))
                this_cell = Formula(f"ROUND({RT}{r}*{BS}{r},2)", row[-1])
            else:
                cells.append((row[0], s.money_input))
                this_cell = self._sumif(key, r, row[-1])
            cells += [(value, s.money_input) for value in row[1:-1]]
            cells += tail(r, row, this_cell, s.money, s.share)
            if key in self.flat:
                this_base = ",".join(f"{T}{item_rows[b]}" for b in bases[key]) or "0"
                cells += [
                    (rates[key], s.rate_input),
                    (Formula(f"ROUND(SUM({this_base}),2)", period_base[key]), s.money),
                ]
            appended = rows.append(cells, height=wrapped_height(self._item_label(key), label_width))
            assert appended == r, "the Summary's item rows must be where the formulas expect them"

        for key in self.direct_keys:
            item_row(key)
        direct_refs = [item_rows[key] for key in self.direct_keys]

        def direct_sum(col: str, value: Decimal) -> Formula | int:
            return Formula(f"SUM({ranges(col, direct_refs)})", value) if direct_refs else 0

        def total_sum(col: str, value: Decimal) -> Formula:
            terms = [f"{col}{direct_row}", *(f"{col}{item_rows[key]}" for key in self.flat_keys)]
            return Formula("+".join(terms), value)

        row = figures[direct_row]
        sums: list[Cell] = [(None, s.total_label), (t.direct_total, s.total_label)]
        sums += [(direct_sum(col, v), s.money_total) for col, v in zip([B, *earlier_cols], row, strict=False)]
        sums += tail(direct_row, row, direct_sum(T, row[-1]), s.money_total, s.share_total)
        assert rows.append(sums) == direct_row
        for key in self.flat_keys:
            item_row(key)
        row = figures[total_row]
        totals: list[Cell] = [(None, s.total_label), (t.total, s.total_label)]
        totals += [
            (total_sum(col, v), s.money_total) for col, v in zip([B, *earlier_cols], row, strict=False)
        ]
        totals += tail(total_row, row, total_sum(T, row[-1]), s.money_total, s.share_total)
        assert rows.append(totals) == total_row

        names = {
            "Budget_Total": f"${B}${total_row}",
            "Period_Direct": f"${T}${direct_row}",
            "Period_Total": f"${T}${total_row}",
            "Cumulative_Total": f"${CU}${total_row}",
            "Remaining_Total": f"${R}${total_row}",
        }
        for key in self.flat_keys:
            if NAME_SAFE.fullmatch(key):
                names[f"Rate_{key}"] = f"${RT}${item_rows[key]}"
                names[f"Base_{key}"] = f"${BS}${item_rows[key]}"

        rows.append([])
        params = pack.parameters
        if params.contribution_rate is not None:
            cumulative_total = sum_amounts(figures[total_row][1:])  # earlier periods and this one
            due_value = contribution_due(cumulative_total, params.contribution_rate, params.grant_cap)
            rate_row = rows.append(
                [(rt.contribution_rate, s.label), None, (params.contribution_rate, s.rate_input)]
            )
            if params.grant_cap is not None:
                cap_row = rows.append([(rt.grant_cap, s.label), None, (params.grant_cap, s.money_input)])
                due = f"MIN(ROUND(C{rate_row}*{CU}{total_row},2),C{cap_row})"
            else:
                rows.append([(rt.grant_cap, s.label), None, (rt.no_cap, s.text)])
                due = f"ROUND(C{rate_row}*{CU}{total_row},2)"
            due_row = rows.append(
                [(rt.contribution_due, s.label), None, (Formula(due, due_value), s.money_total)]
            )
            names["ContributionDue"] = f"$C${due_row}"
        else:
            rows.append([(rt.contribution_unknown, s.label)])
        rows.append([])
        rows.append([(t.legend, s.label)])
        rows.append([(None, s.legend_input), (rt.legend_input, s.text)])
        rows.append([(None, s.legend_computed), (t.legend_computed, s.text)])
        if self.earlier:
            periods = ", ".join(
                f"{e.report.period.id} ({self.places.path(e.loaded.display)})"  # type: ignore[union-attr]
                for e in self.earlier
            )
            rows.append([(rt.previous_note.format(periods=periods, sheet=t.provenance), s.note)])
        else:
            rows.append([(rt.no_previous_note.format(period=self.period_id), s.note)])
        if self.flat_keys:
            rows.append([(rt.flat_rate_note.format(keys=", ".join(self.flat_keys)), s.note)])
        rows.append([(rt.sums_note.format(staff=rt.staff, expenses=rt.expenses), s.note)])
        rows.append([(t.rounding_note, s.note)])
        rows.append([])
        chart_row = rows.next

        ws = self.sheets[t.summary]
        if self.keys:
            chart = BarChart()
            chart.type = "col"
            chart.title = rt.chart_title
            keys = [*self.direct_keys, *self.flat_keys]  # the items, not the subtotal between them
            cumulative = {key: sum_amounts(figures[key][1:]) for key in keys}
            series = ((B, rt.budget_col, budget), (CU, rt.cumulative_col, cumulative))
            for i, (col, name, values) in enumerate(series):
                chart.series.append(
                    bar_series(
                        t.summary,
                        col=col,
                        rows=[item_rows[key] for key in keys],
                        values=[values[key] for key in keys],
                        category_col="A",
                        categories=keys,
                        title=(f"{quote(t.summary)}!${col}${first_item - 1}", name),  # the header
                        index=i,
                    )
                )
            chart.y_axis.numFmt = '#,##0 "€"'
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            chart.width, chart.height = 20, 8
            ws.add_chart(chart, f"A{chart_row}")

        summary = quote(t.summary)
        for n, ref in names.items():
            self.wb.defined_names[n] = DefinedName(n, attr_text=f"{summary}!{ref}")
        m = (self.money_width,) * 2
        widths: dict[int, tuple[float, float]] = {1: (22, 30), 2: LABEL_WIDTH, C_BUDGET: m}
        widths.update({4 + j: m for j in range(k)})
        widths.update(
            {C_PREV: m, C_THIS: m, C_CUM: m, C_REM: m, C_USED: (11, 11), C_RATE: (10, 10), C_BASE: m}
        )
        self._frame(t.summary, widths=widths, freeze=f"A{title_row + 1}", landscape=True)

    def _sumif(self, key: str, r: int, value: Decimal) -> Formula | int:
        """This period's accepted amount ``value`` of item ``key`` (in ``A{r}``): the accepted
        columns, by item."""
        terms = []
        for items, accepted in self.sources:
            # The criterion is the item cell: a key such as "A" matches only itself (no
            # wildcard, no operator); any other key is compared with EXACT.
            if NAME_SAFE.fullmatch(key):
                terms.append(f"SUMIF({items},$A{r},{accepted})")
            else:
                terms.append(f"SUMPRODUCT(--EXACT({items},$A{r}),{accepted})")
        if not terms:
            return 0
        return Formula(f"ROUND({'+'.join(terms)},2)", value)

    def _item_label(self, key: str) -> str:
        if key in self.pack.items:
            return self.pack.label(key, self.t.lang)
        return f"{key} — {self.t.not_in_call}"

    # ------------------------------------------------------------------ Checks, Provenance

    def _findings(self) -> list[Finding]:
        return self.project.budget.findings + [f for r in self.project.reports for f in r.findings]

    def _checks(self) -> None:
        t = self.t
        widths = findings_table(self.rows[t.checks], self.s, t, self._findings(), self.places)
        self._frame(t.checks, widths=widths, freeze="A3", title_rows="2:2", landscape=True)

    def _provenance(self) -> None:
        t, rt, s = self.t, self.rt, self.s
        budget, pack = self.project.budget, self.pack
        rows = self.rows[t.provenance]
        rows.append([(t.provenance_title, s.title)])
        rows.append([(t.field, s.header), (t.value, s.header), (t.sha256, s.header)])

        def sha(result: Any) -> str:
            return result.loaded.doc.sha256 if result.loaded.doc is not None else t.missing

        rows.append(
            [
                (rt.budget_file, s.label),
                (self.places.path(budget.loaded.display), s.text),
                (sha(budget), s.text),
            ]
        )
        for r in self.project.reports:
            label = rt.report_of.format(period=r.report.period.id) if r.report else rt.unreadable_report
            rows.append([(label, s.label), (self.places.path(r.loaded.display), s.text), (sha(r), s.text)])
        period = self.report.period
        facts: list[tuple[str, Any, Any]] = [
            (
                rt.period_selected,
                f"{period.id} ({period.start.isoformat()} – {period.end.isoformat()})",
                s.text,
            ),
            (t.tool_version, __version__, s.text),
            (t.pack_id, pack.id, s.text),
            (t.pack_version, pack.version, s.integer),
            (t.pack_title, pack.title, s.text),
            (t.pack_act, pack.act or t.missing, s.text),
            (t.pack_file, self.places.path(budget.pack_display) or t.missing, s.text),
            (t.generated, self.generated.isoformat(timespec="seconds"), s.text),
            (t.language, t.lang, s.text),
            (t.rounding, t.rounding_rule, s.text),
        ]
        for label, value, style in facts:
            rows.append([(label, s.label), (value, style)])
        self._frame(t.provenance, widths={1: (22, 30), 2: (30, 70), 3: (66, 66)}, freeze="A3", landscape=True)

    def _properties(self) -> None:
        t, rt, p, pack = self.t, self.rt, self.model.project, self.pack
        props = self.wb.properties
        props.title = p.title
        props.subject = rt.doc_subject.format(
            period=self.period_id, call=f"{pack.title} ({pack.id} v{pack.version})"
        )
        props.creator = f"clustbudget {__version__}"
        props.lastModifiedBy = props.creator
        sources = [self.project.budget.loaded, *(r.loaded for r in self.project.reports)]
        props.description = rt.doc_description.format(
            version=__version__,
            sources="; ".join(f"{f.path.name} (SHA-256 {f.doc.sha256 if f.doc else '—'})" for f in sources),
        )
        props.keywords = f"clustbudget, rendiconto, {pack.id}, {self.period_id}"
        props.language = "it-IT" if t.lang == "it" else "en"
        when = self.generated.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        props.created = props.modified = when


def paid_on(expense: Any) -> date | None:
    """The date an expense was paid (in full): its `paid`, or its last payment's date."""
    dates = [pay.date for pay in payments_of(expense)]
    return max(dates) if dates else None


def pay_methods(expense: Any) -> list[str]:
    """The methods of an expense's payments, each once, in order."""
    return list(dict.fromkeys(pay.method for pay in payments_of(expense) if pay.method))
