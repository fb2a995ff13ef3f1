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
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import __version__
from ..compute import (
    ItemProgress,
    LineFigures,
    Ref,
    direct_vs_actual,
    line_figures,
    payments_of,
    report_totals,
    sum_amounts,
)
from ..findings import Finding
from ..i18n import gettext
from ..invoices import whole_amount
from ..models import CostReport, reason_text
from ..money import ZERO, fmt_eur, round_cents
from ..pipeline import ProjectResult, ReportResult
from ..rules import all_rules
from . import forecast
from .labels import Labels, ReportLabels, labels, report_labels
from .layout import (
    NAME_SAFE,
    PRINT_SCALE,
    Places,
    counts,
    fitted_width,
    quote,
    ranges,
    row_height,
    wrapped_height,
)
from .package import Package
from .sheetxml import Cell, Formula, column_letter
from .styles import ReportStyles
from .workbook import ChartSeries, SourceFile, Workbook

VAT_NOT_ELIGIBLE = "CB212"
"""The finding, reported once per report (at its first invoice with VAT), that recorded VAT is
left out because the project's VAT is recoverable: the Expenses sheet shows it on every line
whose VAT it leaves out."""

STAFF_NAME_WIDTH = 24
"""The Staff sheet's name column: longer names wrap in it."""
SUPPLIER_WIDTH, DESCRIPTION_WIDTH, DOCUMENT_WIDTH = 16, 17, 11
PAYMENT_REF_WIDTH, NOTE_WIDTH = 16, 40
"""The Expenses sheet's text columns: longer texts wrap in them, the row as tall as they need."""
CODES_WIDTH = 7
"""The findings column of Staff and Expenses: one or two codes a line, more wrap."""
EXPLAINED_WIDTH = 30
"""The findings explained (Staff and Expenses, the last column): each code with its rule's
short message in the workbook's language, one a line, wrapped within the column. The codes
column stays on the claim's page; it has no room for words at a readable scale."""
LABEL_WIDTH = (30, 36)
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
        months.update(f"{d.year:04d}-{d.month:02d}" for d in entry.days)
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


def explained(codes: str | None, lang: str) -> str | None:
    """An entry's codes (``CB304, CB209``) each with its rule's short message in ``lang``,
    one a line (``CB209: Spesa non pagata per intero …``): the Rilievi explained."""
    if not codes:
        return None
    rules = all_rules()

    def line(code: str) -> str:
        rule = rules.get(code)
        return f"{code}: {gettext(rule.summary, lang)}" if rule is not None else code

    return "\n".join(line(code) for code in codes.split(", "))


class _Rendiconto(Workbook[ReportStyles]):
    """One period's workbook; Staff and Expenses first: the Summary sums their columns.

    Every figure is compute's: the period's :class:`~clustbudget.compute.PeriodFigures`, the
    project's :class:`~clustbudget.compute.ItemProgress` rows and contributions, each line's
    :class:`~clustbudget.compute.LineFigures`; the builder lays them out and writes the
    formulas that recompute them, and never computes one itself.
    """

    def __init__(
        self, project: ProjectResult, index: int, t: Labels, rt: ReportLabels, generated: datetime
    ) -> None:
        self.project = project
        self.index = index
        self.rt = rt
        b = project.budget
        assert b.budget is not None and b.pack is not None and b.figures is not None
        self.model, self.bfig = b.budget, b.figures
        self.result = project.computed[index]
        report, costs, fig = self.result.report, self.result.costs, self.result.figures
        assert report is not None and costs is not None and fig is not None
        self.report, self.costs, self.fig = report, costs, fig
        self.period_id = report.period.id
        self.earlier = project.computed[:index]
        self.progress: list[ItemProgress] = project.progress[index]
        self.direct_progress = direct_vs_actual(b.figures, [r.figures for r in project.computed], index)  # type: ignore[misc]
        self.lines = line_figures(costs, self.result.disallowed)
        self.totals = report_totals(report, costs, self.lines)
        self.flat = set(b.pack.flat_rate_items)
        self.keys = [row.key for row in self.progress if row.key != "total"]
        self.direct_keys = [k for k in self.keys if k not in self.flat]
        self.flat_keys = [k for k in self.keys if k in self.flat]
        largest = max([self.bfig.total, *(row.cumulative for row in self.progress), fig.total, ZERO])
        self.money_width = max(14, len(fmt_eur(largest, "it")) + 4)
        known = [(f.display, f.path) for f in [b.loaded, *(r.loaded for r in project.reports)]]
        known.append((b.pack_display, Path(b.pack_display)))
        date_format = "dd/mm/yyyy" if t.lang == "it" else "yyyy-mm-dd"
        self.version = project.in_force[index] if index < len(project.in_force) else None
        """The budget version in force at the period's end: the budget column's figures."""
        super().__init__(
            t=t,
            pack=b.pack,
            pack_display=b.pack_display,
            sheet_names=[t.summary, rt.staff, rt.expenses, t.checks, t.provenance],
            styles=lambda sheet: ReportStyles(sheet, date_format=date_format, flag_format=rt.flag_format),
            places=Places(b.loaded.path, known),
            page_title=f"{self.model.project.title} — {self.period_id}",
            generated=generated,
            page_note=self._version_header(rt),
        )
        # Where the Summary finds the accepted amounts: (item range, accepted range) per sheet.
        self.sources: list[tuple[str, str]] = []

    def _version_header(self, rt: ReportLabels) -> str:
        """The page header's note: which budget version the statement is against."""
        v = self.version
        if v is None or not v.id:
            return rt.version_header_original
        act = rt.version_act.format(act=v.act) if v.act else ""
        return rt.version_header.format(vid=v.id, act=act)

    def _version_fact(self) -> tuple[str, Any, Any]:
        """The Summary's row naming the budget version in force: id, act, approval date, file."""
        rt, v = self.rt, self.version
        path = self.places.path(v.display if v is not None else self.project.budget.loaded.display)
        if v is None or not v.id or v.approved is None:
            text = rt.version_original.format(file=path, end=self.date_text(self.report.period.end))
        else:
            act = rt.version_act.format(act=v.act) if v.act else ""
            text = rt.version_variation.format(
                vid=v.id, approved=self.date_text(v.approved), act=act, file=path
            )
        return (rt.budget_in_force, text, self.s.text)

    def package(self) -> Package:
        self._staff()
        self._expenses()
        self._summary()
        forecast.add_sheet(self)  # the Forecast sheet, after Expenses (xlsx/forecast.py)
        self.checks_sheet(self._findings())
        self._provenance()
        self._properties()
        return self.finish()

    def line(self, ref: Ref) -> LineFigures:
        """A claimed cost's figures (claimed, not accepted, accepted): the one place this
        workbook reads what the rules disallowed."""
        return self.lines[ref]

    # ------------------------------------------------------------------ Staff

    def _staff(self) -> None:
        """One row per person: inputs, rate, hours, cost, not accepted, accepted, findings;
        then the hours by month, which print on the following page(s), ID and name repeated."""
        t, rt, s = self.t, self.rt, self.s
        name = rt.staff
        rows = self.rows[name]
        months = period_months(self.report)
        hours_col, cost_col, not_col, acc_col, find_col = 8, 9, 10, 11, 12
        first_month = find_col + 1
        H, COST, NOT, ACC = (column_letter(c) for c in (hours_col, cost_col, not_col, acc_col))
        m0, m1 = column_letter(first_month), column_letter(first_month + len(months) - 1)
        money = float(self.money_width)
        widths: dict[int, tuple[float, float]] = {
            1: (8, 16),
            2: (STAFF_NAME_WIDTH, STAFF_NAME_WIDTH),
            3: (6, 6),
            4: (money, money),
            5: (7, 7),
            6: (8, 8),
            7: (10, 10),
            hours_col: (9, 9),
            cost_col: (money, money),
            not_col: (money, money),
            acc_col: (money, money),
            find_col: (CODES_WIDTH, CODES_WIDTH),
        }
        widths.update({first_month + i: (9, 9) for i in range(len(months))})
        explained_col = first_month + len(months)
        widths[explained_col] = (EXPLAINED_WIDTH, EXPLAINED_WIDTH)
        rows.append([(rt.staff_title.format(period=self.period_id), s.title)])
        self.header_row(
            rows,
            [
                (rt.person_id, False),
                (rt.name, False),
                (t.item, False),
                (rt.annual_cost, True),
                (rt.cost_year, True),
                (rt.hours_basis, True),
                (rt.hourly_rate, True),
                (rt.hours_total, True),
                (rt.cost, True),
                (rt.not_accepted, True),
                (rt.accepted, True),
                (rt.findings_col, False),
                *((rt.month(m), True) for m in months),
                (rt.findings_explained, False),
            ],
            height=45,
        )
        codes = entry_codes(self.result, "staff", len(self.costs.staff))
        first = rows.next
        for c, entry, found in zip(self.costs.staff, self.report.staff, codes, strict=True):
            r = rows.next
            line = self.line(("staff", c.index))
            cells: list[Cell] = [
                (c.id, s.text_input_wrap),
                (c.name, s.text_input_wrap),
                (c.item, s.text_input),
                (c.annual_gross_cost, s.money_input),
                (entry.cost_year, s.integer_input),
                (c.hours_per_year, s.hours_input),
                (Formula(f"IF(F{r}=0,0,ROUND(D{r}/F{r},2))", c.hourly_rate), s.money),
                (Formula(f"ROUND(SUM({m0}{r}:{m1}{r}),2)", c.hours) if months else 0, s.hours),
                (Formula(f"ROUND(G{r}*{H}{r},2)", c.cost), s.money),
                (line.not_accepted, s.money_input),
                (Formula(f"{COST}{r}-{NOT}{r}", line.accepted), s.money),
                (found, s.codes),
            ]
            cells += [(c.months.get(m), s.hours_input) for m in months]
            words = explained(found, t.lang)
            cells.append((words, s.codes))
            height = row_height(
                [
                    (c.id, widths[1][1]),
                    (c.name, STAFF_NAME_WIDTH),
                    (found, CODES_WIDTH),
                    (words, EXPLAINED_WIDTH),
                ]
            )
            rows.append(cells, height=height)
        last = rows.next - 1
        if last >= first:
            # The totals, at the bottom: compute's hours, cost, not accepted and accepted.
            totals = self.totals
            sums: list[Cell] = [(None, s.total_label)] * (hours_col - 3)
            sums.append((Formula(f"SUM({H}{first}:{H}{last})", totals.hours), s.hours_total))
            staff = totals.staff
            for letter, value in ((COST, staff.claimed), (NOT, staff.not_accepted), (ACC, staff.accepted)):
                sums.append((Formula(f"SUM({letter}{first}:{letter}{last})", value), s.money_total))
            sums.append((None, s.total_label))
            for i, m in enumerate(months):
                letter = column_letter(first_month + i)
                value = totals.hours_by_month.get(m, ZERO)
                sums.append((Formula(f"SUM({letter}{first}:{letter}{last})", value), s.hours_total))
            self.total_row(rows, rt.sheet_total, sums)
            sheet = quote(name)
            self.sources.append((f"{sheet}!$C${first}:$C${last}", f"{sheet}!${ACC}${first}:${ACC}${last}"))
        else:
            rows.append([(None, s.text), (rt.no_staff, s.note)])
        self.frame(
            name,
            widths=widths,
            freeze="C3",
            title_rows="2:2",
            landscape=True,
            print_scale=PRINT_SCALE,
            title_cols="A:B",
            breaks_after=[find_col] if months else [],
        )

    # ------------------------------------------------------------------ Expenses

    def _review_fact(self) -> list[tuple[str, Any, Any]]:
        """The review's outcome, when the period has one: its date, requested, approved, cut."""
        fig, report, rt = self.result.figures, self.report, self.rt
        if fig is None or not fig.reviewed:
            return []
        requested = sum_amounts(fig.requested.values())
        text = rt.review_fact.format(
            date=self.date_text(report.period.reviewed) if report.period.reviewed else "—",
            requested=fmt_eur(requested, self.t.lang),
            approved=fmt_eur(fig.total, self.t.lang),
            cut=fmt_eur(requested - fig.total, self.t.lang),
        )
        return [(rt.review, text, self.s.text)]

    def _expense_note(self, index: int, x: Any) -> str | None:
        """What a line says beyond its columns: kept on record (and why), the other parts of
        its invoice, its payments when several, the review's approved amount, its note."""
        rt, lang = self.rt, self.t.lang
        notes = []
        if not x.claimed:
            notes.append(rt.kept_on_record.format(reason=reason_text(x.reason, lang)))
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
            listed = [f"{self.date_text(p.date)} {fmt_eur(p.amount, lang)}" for p in x.payments]
            notes.append(rt.payments_note.format(payments="; ".join(listed)))
        if x.approved is not None:
            approved = fmt_eur(x.approved, lang) + (f" ({x.approved_note})" if x.approved_note else "")
            notes.append(rt.approved_line.format(amount=approved))
        if x.note:
            notes.append(x.note)
        return " — ".join(notes) or None

    def _expenses(self) -> None:
        """The period's invoices as a filterable list, totals at the bottom. The first page
        across holds the claim (supplier, description, document, amounts, not accepted,
        accepted, findings); the next one the supplier's VAT number, the payment and the note."""
        t, rt, s = self.t, self.rt, self.s
        name = rt.expenses
        rows = self.rows[name]
        rows.append([(rt.expenses_title.format(period=self.period_id), s.title)])
        # The project's VAT status: an input every row's eligible VAT refers to, as $A$2.
        vat_recoverable = 1 if self.model.project.vat_recoverable else 0
        rows.append([(vat_recoverable, s.flag_input), (rt.vat_recoverable, s.label)])
        rows.append([])
        count = len(self.costs.expenses)
        # The amounts of one invoice and the sheet's totals: narrower than the Summary's.
        figures = self.totals
        # (the totals are the widest figures: no line is larger than its column's total)
        largest = max(figures.amount, figures.vat, figures.expenses.claimed)
        money = float(max(12, len(fmt_eur(largest, "it")) + 1))
        # Columns, in print order: the claim (one page across, at a readable scale), then
        # on the next page its action, the supplier's VAT number and the payment.
        columns: list[tuple[str, bool, tuple[float, float]]] = [
            (rt.number, False, (4, 4)),  # A
            (rt.date, False, (10, 10)),  # B
            (t.item, False, (5, 5)),  # C
            (rt.supplier, False, (SUPPLIER_WIDTH, SUPPLIER_WIDTH)),  # D
            (t.description, False, (DESCRIPTION_WIDTH, DESCRIPTION_WIDTH)),  # E
            (rt.document, False, (DOCUMENT_WIDTH, DOCUMENT_WIDTH)),  # F
            (rt.amount, True, (money, money)),  # G
            (rt.vat, True, (money, money)),  # H
            (rt.vat_eligible, True, (money, money)),  # I
            (rt.share, True, (8, 8)),  # J
            (rt.eligible, True, (money, money)),  # K
            (rt.not_accepted, True, (money, money)),  # L
            (rt.accepted, True, (money, money)),  # M
            (rt.findings_col, False, (CODES_WIDTH, CODES_WIDTH)),  # N
            (t.action, False, (8, 12)),  # O
            (rt.supplier_vat, False, (13, 18)),  # P
            (rt.paid, False, (10, 10)),  # Q
            (rt.payment, False, (14, 20)),  # R
            (rt.payment_ref, False, (PAYMENT_REF_WIDTH, PAYMENT_REF_WIDTH)),  # S
            (rt.note, False, (NOTE_WIDTH, NOTE_WIDTH)),  # T
            (rt.findings_explained, False, (EXPLAINED_WIDTH, EXPLAINED_WIDTH)),  # U
        ]
        last_col = column_letter(len(columns))
        header_row = self.header_row(rows, [(text, right) for text, right, _ in columns], height=45)
        first, last = header_row + 1, header_row + count
        codes = entry_codes(self.result, "expenses", len(self.costs.expenses))
        methods = rt.payment_methods
        text_input, wrap_input, money_input, money_style = (
            s.text_input,
            s.text_input_wrap,
            s.money_input,
            s.money,
        )
        date_input = s.date_input
        append = rows.append
        for c, x, found in zip(self.costs.expenses, self.report.expenses, codes, strict=True):
            r = rows.next
            line = self.line(("expense", c.index))
            action = ", ".join(x.action) if x.action else None
            refs = "; ".join(pay.reference for pay in payments_of(x) if pay.reference) or None
            note = self._expense_note(c.index, x)
            words = explained(found, t.lang)
            append(
                [
                    (c.index + 1, s.integer),
                    (x.date, date_input),
                    (x.item, text_input),
                    (x.supplier, wrap_input),
                    (x.description, wrap_input),
                    (x.document, wrap_input),
                    (x.amount, money_input),
                    (x.vat, money_input),
                    (Formula(f"IF($A$2,0,H{r})", c.vat_eligible), money_style),
                    (c.share, s.rate_input),
                    (Formula(f"ROUND((G{r}+I{r})*J{r},2)", c.eligible), money_style),
                    (line.not_accepted, money_input),
                    (Formula(f"K{r}-L{r}", line.accepted), money_style),
                    (found, s.codes),
                    (action, wrap_input),
                    (x.supplier_vat, text_input),
                    (paid_on(x), date_input),
                    ("; ".join(methods.get(m, m) for m in pay_methods(x)) or None, text_input),
                    (refs, wrap_input),
                    (note, wrap_input),
                    (words, s.codes),
                ],
                height=row_height(
                    [
                        (x.supplier, SUPPLIER_WIDTH),
                        (x.description, DESCRIPTION_WIDTH),
                        (x.document, DOCUMENT_WIDTH),
                        (found, CODES_WIDTH),
                        (refs, PAYMENT_REF_WIDTH),
                        (note, NOTE_WIDTH),
                        (words, EXPLAINED_WIDTH),
                    ]
                ),
            )
        assert rows.next == last + 1, "the Expenses rows must be where the totals expect them"
        if count:
            # The totals at the bottom, where auditors look, below the filtered range (a blank
            # row between, so no spreadsheet takes them for a line of the list). SUBTOTAL counts
            # only the rows the filter shows (all of them, for the cached results): compute's.
            sums = {
                "G": figures.amount,
                "H": figures.vat,
                "I": figures.vat_eligible,
                "K": figures.expenses.claimed,
                "L": figures.expenses.not_accepted,
                "M": figures.expenses.accepted,
            }
            rows.append([])
            totals: list[Cell] = [(None, s.total_label)] * 4  # C–F
            for letter in "GHIJKLM":
                formula = (
                    Formula(f"SUBTOTAL(109,{letter}{first}:{letter}{last})", sums[letter])
                    if letter in sums
                    else None
                )
                totals.append((formula, s.money_total))
            self.total_row(rows, rt.visible_total, totals)
            sheet = quote(name)
            self.sources.append((f"{sheet}!$C${first}:$C${last}", f"{sheet}!$M${first}:$M${last}"))
            self.sheets[name].auto_filter.ref = f"A{header_row}:{last_col}{last}"
        else:
            rows.append([(None, s.text), (rt.no_expenses, s.note)])
        self.frame(
            name,
            widths={i: bounds for i, (_, _, bounds) in enumerate(columns, 1)},
            freeze=f"C{header_row + 1}",
            title_rows=f"{header_row}:{header_row}",
            landscape=True,
            allow_filter=True,
            print_scale=PRINT_SCALE,
            title_cols="A:A",
            breaks_after=[14],  # after the findings (N): the payment on the next page
        )

    # ------------------------------------------------------------------ Summary

    def _summary(self) -> None:
        t, rt, s = self.t, self.rt, self.s
        p, pack, report = self.model.project, self.pack, self.report
        rows = self.rows[t.summary]
        title_row = self.banner_and_title(
            rows, self.project.errors, rt.banner, rt.title.format(period=self.period_id, project=p.title)
        )
        rows.append([])
        call = pack.title + (f" ({pack.act})" if pack.act else "")
        dates = rt.period_dates.format(
            start=self.date_text(report.period.start), end=self.date_text(report.period.end)
        )
        self.facts(
            rows,
            [
                (t.project, p.title, s.text),
                (t.beneficiary, p.beneficiary or t.missing, s.text),
                (t.cup, p.cup or t.missing, s.text),
                (t.call, call, s.text),
                (t.call_id, f"{pack.id} v{pack.version}", s.text),
                (rt.period, f"{self.period_id} ({dates})", s.text),
                self._version_fact(),
                (rt.report_file, self.places.path(self.result.loaded.display), s.text),
                (
                    t.findings,
                    f"{t.counts(*counts(self._findings()))} ({t.see_sheet.format(sheet=t.checks)})",
                    s.text,
                ),
                *self._review_fact(),
            ],
        )
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
        earlier_ids = [e.report.period.id for e in self.earlier]  # type: ignore[union-attr]
        self.header_row(
            rows,
            [
                (t.item, False),
                (t.description, False),
                (rt.budget_col, True),
                *((rt.earlier_col.format(period=e), True) for e in earlier_ids),
                (rt.previous_col, True),
                (rt.this_period_col.format(period=self.period_id), True),
                (rt.cumulative_col, True),
                (rt.remaining_col, True),
                (rt.used_col, True),
                (t.rate, True),
                (rt.period_base_col, True),
            ],
            height=45,
        )
        # The rows as `clustbudget show` prints them: direct items, their subtotal, the flat
        # rates computed on them, the total.
        first_item = rows.next
        item_rows = {key: first_item + i for i, key in enumerate(self.direct_keys)}
        direct_row = first_item + len(self.direct_keys)
        item_rows.update({key: direct_row + 1 + i for i, key in enumerate(self.flat_keys)})
        total_row = direct_row + 1 + len(self.flat_keys)
        bases = {key: [b for b in pack.items[key].base or [] if b in item_rows] for key in self.flat_keys}

        # The figures the formulas compute are compute's (the cached results): budget against
        # actual per item and in total (ItemProgress), the direct subtotal's, each earlier
        # period's accepted figures, this period's flat-rate bases.
        progress = {row.key: row for row in self.progress}
        progress["direct"] = self.direct_progress
        earlier = [self.project.computed[j].figures for j in range(k)]

        def earlier_figure(j: int, key: str) -> Decimal:
            fig = earlier[j]
            assert fig is not None
            if key == "direct":
                return fig.direct
            return fig.total if key == "total" else fig.items.get(key, ZERO)

        rate_of = {fr.key: fr for fr in self.fig.flat_rates}
        label_width = fitted_width(rows, 2, LABEL_WIDTH, map(self.item_label, self.keys))

        def tail(
            r: int, row: ItemProgress, this_cell: Formula | int, style: Any, share_style: Any
        ) -> list[Cell]:
            """Earlier total, this period (``this_cell``), cumulative, remaining and used."""
            previous: Cell = (
                (Formula(f"SUM({earlier_cols[0]}{r}:{earlier_cols[-1]}{r})", row.earlier), style)
                if k
                else (0, style)
            )
            return [
                previous,
                (this_cell, style),
                (Formula(f"{T}{r}+{P}{r}", row.cumulative), style),
                (Formula(f"{B}{r}-{CU}{r}", row.remaining), style),
                used_cell(r, row, share_style),
            ]

        def used_cell(r: int, row: ItemProgress, share_style: Any) -> Cell:
            """cumulative ÷ budget rounded as compute rounds it (the cached value is what the
            formula gives); with no budget and money spent, the words "over budget", in red."""
            over = rt.over_budget.replace('"', "'")
            formula = f'IF({B}{r}=0,IF({CU}{r}>0,"{over}",0),ROUND({CU}{r}/{B}{r},4))'
            if row.unbudgeted:
                return (Formula(formula, rt.over_budget), s.severity["error"])
            return (Formula(formula, row.used), share_style)

        def item_row(key: str) -> None:
            r = item_rows[key]
            row = progress[key]
            cells: list[Cell] = [(key, s.label), (self.item_label(key), s.wrap)]
            this_cell: Formula | int
            if key in self.flat:
                budget_base = ",".join(f"{B}{item_rows[b]}" for b in bases[key]) or "0"
                cells.append((Formula(f"ROUND({RT}{r}*ROUND(SUM({budget_base}),2),2)", row.budget), s.money))
                this_cell = Formula(f"ROUND({RT}{r}*{BS}{r},2)", row.period)
            else:
                cells.append((row.budget, s.money_input))
                this_cell = self._sumif(key, r, row.period)
            cells += [(earlier_figure(j, key), s.money_input) for j in range(k)]
            cells += tail(r, row, this_cell, s.money, s.share)
            if key in self.flat:
                this_base = ",".join(f"{T}{item_rows[b]}" for b in bases[key]) or "0"
                cells += [
                    (rate_of[key].rate, s.rate_input),
                    (Formula(f"ROUND(SUM({this_base}),2)", rate_of[key].base_amount), s.money),
                ]
            appended = rows.append(cells, height=wrapped_height(self.item_label(key), label_width))
            assert appended == r, "the Summary's item rows must be where the formulas expect them"

        for key in self.direct_keys:
            item_row(key)
        direct_refs = [item_rows[key] for key in self.direct_keys]

        def direct_sum(col: str, value: Decimal) -> Formula | int:
            return Formula(f"SUM({ranges(col, direct_refs)})", value) if direct_refs else 0

        def total_sum(col: str, value: Decimal) -> Formula:
            terms = [f"{col}{direct_row}", *(f"{col}{item_rows[key]}" for key in self.flat_keys)]
            return Formula("+".join(terms), value)

        def sum_row(key: str, label: str, summed: Any) -> int:
            row = progress[key]
            figures = [row.budget, *(earlier_figure(j, key) for j in range(k))]
            cells: list[Cell] = [
                (summed(col, v), s.money_total) for col, v in zip([B, *earlier_cols], figures, strict=True)
            ]
            cells += tail(
                item_rows.get(key, direct_row if key == "direct" else total_row),
                row,
                summed(T, row.period),
                s.money_total,
                s.share_total,
            )
            return self.total_row(rows, label, cells)

        assert sum_row("direct", t.direct_total, direct_sum) == direct_row
        for key in self.flat_keys:
            item_row(key)
        assert sum_row("total", t.total, total_sum) == total_row

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
        due_value = self.project.contributions[self.index]
        if params.contribution_rate is not None:
            assert due_value is not None, "compute gives a contribution whenever the call's rate is known"
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
        self.legend(rows, rt.legend_input)
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
        keys = [*self.direct_keys, *self.flat_keys]  # the items, not the subtotal between them
        header_row = first_item - 1
        chart_row = rows.next
        self.items_chart(
            title=rt.chart_title,
            keys=keys,
            item_rows=item_rows,
            series=[
                ChartSeries(
                    col,
                    [getattr(progress[key], figure) for key in keys],
                    (f"{quote(t.summary)}!${col}${header_row}", name),
                )
                for col, name, figure in ((B, rt.budget_col, "budget"), (CU, rt.cumulative_col, "cumulative"))
            ],
            anchor_row=chart_row,
            width=20,
            legend=True,
        )
        self.define_names(names)
        m = (self.money_width,) * 2
        widths: dict[int, tuple[float, float]] = {1: (16, 22), 2: LABEL_WIDTH, C_BUDGET: m}
        widths.update({4 + j: m for j in range(k)})
        widths.update(
            {C_PREV: m, C_THIS: m, C_CUM: m, C_REM: m, C_USED: (11, 11), C_RATE: (10, 10), C_BASE: m}
        )
        # Fit to the page's width, the Summary printed at about 5 points: it prints at the
        # lists' scale instead, the figures to date (budget … cumulative) on the first page
        # across, the remaining, % used and the flat rates' rate and base on the next, item
        # and label repeated on each.
        self.frame(
            t.summary,
            widths=widths,
            freeze=f"A{title_row + 1}",
            landscape=True,
            print_scale=PRINT_SCALE,
            title_cols="A:B",
            breaks_after=[C_CUM],
            rows_before=[chart_row] if keys else [],  # the chart on a page of its own, never cut
        )

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

    # ------------------------------------------------------------------ Checks, Provenance

    def _findings(self) -> list[Finding]:
        return self.project.budget.findings + [f for r in self.project.reports for f in r.findings]

    def _provenance(self) -> None:
        t, rt, s = self.t, self.rt, self.s
        budget = self.project.budget

        def sha(result: Any) -> str:
            return result.loaded.doc.sha256 if result.loaded.doc is not None else t.missing

        files = [SourceFile(rt.budget_file, self.places.path(budget.loaded.display), sha(budget))]
        for r in self.project.reports:
            label = rt.report_of.format(period=r.report.period.id) if r.report else rt.unreadable_report
            files.append(SourceFile(label, self.places.path(r.loaded.display), sha(r)))
        period = self.report.period
        selected = f"{period.id} ({self.date_text(period.start)} – {self.date_text(period.end)})"
        self.provenance_sheet(files, [(rt.period_selected, selected, s.text), self._version_fact()])

    def _properties(self) -> None:
        rt, pack = self.rt, self.pack
        sources = [self.project.budget.loaded, *(r.loaded for r in self.project.reports)]
        self.properties(
            title=self.model.project.title,
            subject=rt.doc_subject.format(
                period=self.period_id, call=f"{pack.title} ({pack.id} v{pack.version})"
            ),
            description=rt.doc_description.format(
                version=__version__,
                sources="; ".join(
                    f"{f.path.name} (SHA-256 {f.doc.sha256 if f.doc else '—'})" for f in sources
                ),
            ),
            keywords=f"clustbudget, rendiconto, {pack.id}, {self.period_id}",
        )


def paid_on(expense: Any) -> date | None:
    """The date an expense was paid (in full): its `paid`, or its last payment's date."""
    dates = [pay.date for pay in payments_of(expense)]
    return max(dates) if dates else None


def pay_methods(expense: Any) -> list[str]:
    """The methods of an expense's payments, each once, in order."""
    return list(dict.fromkeys(pay.method for pay in payments_of(expense) if pay.method))
