"""CB2xx: rules on one cost report (a reporting period), with its budget and call pack.

A rule that finds a cost ineligible says how much of it to disallow (``Hit.disallow``, a
:class:`~clustbudget.compute.RefuseCost` or :class:`~clustbudget.compute.RefuseHours`); the
period's accepted figures, and so its flat rate, are computed after all rules have run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..compute import (
    ExpenseCost,
    RefuseCost,
    RefuseHours,
    ReportCosts,
    amount_due,
    paid_by,
    payments_of,
    staff_cost,
)
from ..findings import Severity
from ..i18n import Localized, Message, msg, nmsg
from ..invoices import number_year
from ..models import Budget, CallPack, CostReport, Expense
from ..money import round_cents
from ..payments import payment_method_of
from ..records import dataclass
from . import Hit, rule
from .budget import FILE_CHECK, overhead_keyword

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class ReportContext:
    report: CostReport
    budget: Budget
    pack: CallPack
    costs: ReportCosts
    folder: Path | None = None
    """The report file's folder, where its attachments' paths start (None: not known)."""

    def claimed(self) -> Iterator[tuple[int, Expense, ExpenseCost]]:
        """The expenses claimed (not those kept on record, `claimed: false`), with their costs."""
        return iter(self._claimed)

    @functools.cached_property
    def _claimed(self) -> list[tuple[int, Expense, ExpenseCost]]:
        # Worked out once for the dozen rules that walk the claimed lines (a generator per rule
        # was a tenth of the rules' time on a large report).
        return [
            (i, exp, cost)
            for i, (exp, cost) in enumerate(zip(self.report.expenses, self.costs.expenses, strict=True))
            if exp.claimed
        ]


def month_span(month: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month."""
    y, m = int(month[:4]), int(month[5:7])
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return date(y, m, 1), date.fromordinal(nxt.toordinal() - 1)


@rule(
    "CB201",
    "period-dates",
    E,
    "The period's dates are reversed or outside the project.",
    FILE_CHECK,
    "report",
)
def period_dates(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: `period.start` ≤ `period.end`, and the period lies inside the project's dates.

    Why: a report's hours, invoices and payments are checked against its period; a period
    outside the project could hold costs the project cannot claim, and a reversed one makes
    every such check meaningless.

    Fix: correct the period, or the project's dates in the budget.
    """
    per, proj = ctx.report.period, ctx.budget.project
    if per.start > per.end:
        yield Hit(
            ("period", "end"),
            msg(
                "period {period} ends on {end} before it starts on {start}",
                period=per.id,
                end=per.end,
                start=per.start,
            ),
        )
    if per.start < proj.start:
        yield Hit(
            ("period", "start"),
            msg(
                "period {period} starts {start}, before the project ({project_start})",
                period=per.id,
                start=per.start,
                project_start=proj.start,
            ),
        )
    if per.end > proj.end:
        yield Hit(
            ("period", "end"),
            msg(
                "period {period} ends {end}, after the project ({project_end})",
                period=per.id,
                end=per.end,
                project_end=proj.end,
            ),
        )


@rule(
    "CB202",
    "staff-item",
    E,
    "A staff entry under an item that is not a staff item.",
    "Clust-ER call (DGR 827/2020): items A and B are staff costs",
    "report",
)
def staff_item(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: each staff entry's `item` is a staff item of the call (A or B in the
    Clust-ER calls). The entry's cost is not accepted otherwise.

    Why: the call budgets people under its staff items; a person's cost under an equipment or
    other-costs item would be counted against the wrong budget line.

    Fix: put the person under A (the operational coordinator) or B (other staff).
    """
    staff_items = [k for k, v in ctx.pack.items.items() if v.kind == "staff"]
    for s in ctx.costs.staff:
        if s.item not in staff_items:
            what = (
                msg("not an item of the call")
                if s.item not in ctx.pack.items
                else msg("not a staff item ({kind})", kind=ctx.pack.items[s.item].kind)
            )
            yield Hit(
                ("staff", s.index, "item"),
                msg(
                    "{name}: item {item!r} is {what}; staff costs go under {staff_items}: {cost:money} not accepted",
                    name=s.name,
                    item=s.item,
                    what=what,
                    staff_items=Localized({"en": " or ".join(staff_items), "it": " o ".join(staff_items)}),
                    cost=s.cost,
                ),
                disallow=RefuseCost(("staff", s.index), s.cost),
            )


@rule(
    "CB203",
    "hours-outside-period",
    E,
    "Hours recorded in a month outside the period or the project.",
    "Reg. (UE) 1303/2013 art. 65(2); file consistency check (clustbudget)",
    "report",
)
def hours_outside_period(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: every month under a person's `hours` overlaps the report's period and the
    project's dates. The hours of other months are not accepted.

    Why: each report claims its own period's costs; hours of another month belong to another
    report (where they could be claimed again), or to no project at all.

    Fix: move the hours to the report of their period.
    """
    per, proj = ctx.report.period, ctx.budget.project
    for s, entry in zip(ctx.costs.staff, ctx.report.staff, strict=True):
        for month, h in s.months.items():
            first, last = month_span(month)
            outside: Message | None = None
            if last < proj.start or first > proj.end:
                outside = msg("the project ({start} – {end})", start=proj.start, end=proj.end)
            elif last < per.start or first > per.end:
                outside = msg(
                    "period {period} ({start} – {end})", period=per.id, start=per.start, end=per.end
                )
            if outside and h:
                cost = staff_cost(s.hourly_rate, h)
                yield Hit(
                    ("staff", s.index, *entry.month_path(month)),
                    msg(
                        "{name}: {hours:number} hours in {month:month}, outside {outside}: {cost:money} not accepted",
                        name=s.name,
                        hours=h,
                        month=month,
                        outside=outside,
                        cost=cost,
                    ),
                    key=True,
                    disallow=RefuseHours(s.index, month, h),
                )


@rule(
    "CB204",
    "unknown-person",
    W,
    "A staff id that the budget's `staff` list does not name.",
    FILE_CHECK,
    "report",
)
def unknown_person(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: when the budget lists staff with ids, every person in a report uses one
    of them.

    Why: the same id must name the same person in every period: the yearly hours cap and the
    unchanging hourly rate are checked by id, and a person under two ids escapes both.

    Fix: use the id of the budget's `staff` list, the same in every report, or add the person
    to that list.
    """
    known = [s.id for s in ctx.budget.staff if s.id]
    if not known:
        return
    for i, entry in enumerate(ctx.report.staff):
        if entry.id not in known:
            yield Hit(
                ("staff", i, "id"),
                msg(
                    "staff id {id!r} is not in the budget's staff ({known})",
                    id=entry.id,
                    known=", ".join(known),
                ),
            )


@rule(
    "CB205",
    "expense-under-flat-rate",
    W,
    "An expense under the flat-rate item: E is computed, not claimed.",
    "Reg. (UE) 1303/2013 art. 68; Reg. (UE) 2021/1060 art. 54",
    "report",
)
def expense_under_flat_rate(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: no expense is claimed under a flat-rate item such as E; such an expense is
    not accepted.

    Why: general expenses are covered by the flat rate, which needs no invoices and is
    computed from the period's accepted direct costs: an invoice under E would be funded twice.

    Fix: remove it; if it is a direct cost, put it under its item (C or D).
    """
    flat = frozenset(ctx.pack.flat_rate_items)
    for _, _, e in ctx.claimed():
        if e.item in flat:
            yield Hit(
                ("expenses", e.index, "item"),
                msg(
                    "expense under flat-rate item {item}, which is computed from the direct costs: "
                    "{amount:money} not accepted",
                    item=e.item,
                    amount=e.eligible,
                ),
                disallow=RefuseCost(("expense", e.index), e.eligible),
            )


@rule(
    "CB206",
    "expense-unknown-item",
    E,
    "An expense under an item the call does not define.",
    "The call's cost items (DGR 827/2020 for the Clust-ER associations; call pack `items`)",
    "report",
)
def expense_unknown_item(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: each expense's `item` is a direct cost item of the call (C or D for
    invoices in the Clust-ER calls). The expense is not accepted otherwise.

    Why: an item the call does not define has no budget and no label: the cost cannot be
    funded, and would fall out of every total.

    Fix: put the expense under one of the items the message lists (`D`, not a line number of
    the application form such as `D.1`).
    """
    for _, _, e in ctx.claimed():
        if e.item not in ctx.pack.items:
            yield Hit(
                ("expenses", e.index, "item"),
                msg(
                    "item {item!r} is not defined by call {call} (direct items: {known}): {amount:money} not accepted",
                    item=e.item,
                    call=ctx.pack.id,
                    known=", ".join(ctx.pack.direct_items),
                    amount=e.eligible,
                ),
                disallow=RefuseCost(("expense", e.index), e.eligible),
            )


@rule(
    "CB207",
    "overhead-expense",
    W,
    "An expense that looks like an overhead the flat rate already covers.",
    "Reg. (UE) 1303/2013 art. 68; Reg. (UE) 2021/1060 art. 54 (no double funding)",
    "report",
)
def overhead_expense(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: an expense's description contains a word from the call pack's
    `expenses.overhead_keywords` (rent, utilities, phone, accounting, office supplies…).

    Why: a cost is claimed either at real cost or through the flat rate, never both. Keyword
    matching is a heuristic, so this is a warning and the expense stays accepted.

    Fix: remove the expense if the flat rate covers it; reword the description if it is not an
    overhead.
    """
    flat = frozenset(ctx.pack.flat_rate_items)
    if not flat:
        return
    keywords = ctx.pack.expenses.overhead_keywords
    # Looked up once per description: a report's lines repeat a few dozen descriptions.
    seen: dict[str, str | None] = {}
    for i, exp, _ in ctx.claimed():
        if exp.item in flat:
            continue
        text = exp.description
        if text in seen:
            kw = seen[text]
        else:
            kw = seen[text] = overhead_keyword(text, keywords)
        if kw:
            yield Hit(
                ("expenses", i, "description"),
                msg(
                    "{description!r} looks like an overhead ({keyword!r}) that the flat rate already covers",
                    description=exp.description,
                    keyword=kw,
                ),
            )


@rule(
    "CB208",
    "expense-date",
    E,
    "An invoice dated outside the project, the programme window or the period.",
    "Reg. (UE) 1303/2013 art. 65(2); Reg. (UE) 2021/1060 art. 63(2)",
    "report",
)
def expense_date(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: each invoice date is inside the project's dates, inside the programme's
    eligibility window (call pack) and not after the end of the report's period. The expense is
    not accepted otherwise.

    Why: costs are eligible only when incurred within the project and the programme's window
    (Reg. 1303/2013 art. 65(2); CPR art. 63(2)); an invoice dated after the period belongs to
    a later report.

    Fix: claim the invoice in the report of its period, or remove it.
    """
    proj, prog, per = ctx.budget.project, ctx.pack.programme, ctx.report.period
    # A date inside all three (most lines) needs none of the three tests below.
    first = max(prog.eligible_from, proj.start)
    last = min(prog.eligible_to, proj.end, per.end)
    for _, exp, e in ctx.claimed():
        if first <= exp.date <= last:
            continue
        why: Message | None = None
        if not prog.eligible_from <= exp.date <= prog.eligible_to:
            why = msg(
                "outside the eligibility window of {programme} ({start} – {end})",
                programme=prog.label,
                start=prog.eligible_from,
                end=prog.eligible_to,
            )
        elif not proj.start <= exp.date <= proj.end:
            why = msg("outside the project ({start} – {end})", start=proj.start, end=proj.end)
        elif exp.date > per.end:
            why = msg(
                "after the end of period {period} ({end}): claim it in a later report",
                period=per.id,
                end=per.end,
            )
        if why:
            yield Hit(
                ("expenses", e.index, "date"),
                msg(
                    "invoice {document} dated {date}, {why}: {amount:money} not accepted",
                    document=exp.document,
                    date=exp.date,
                    why=why,
                    amount=e.eligible,
                ),
                disallow=RefuseCost(("expense", e.index), e.eligible),
            )


@rule(
    "CB209",
    "unpaid",
    E,
    "An expense not paid in full by the end of the period, or paid outside the window.",
    "Reg. (UE) 1303/2013 art. 65(2) (incurred and paid); regional practice for other ERDF calls",
    "report",
)
def unpaid(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: each expense is paid in full by the end of the report's period — its
    `paid` date (one payment), or its `payments:` adding up to its amount plus VAT by that
    date — and no payment falls before the project starts or outside the programme's
    eligibility window. The expense is not accepted in this period otherwise.

    When the call pack sets `expenses.paid_in_full: false`, the share paid by the period's end
    is accepted instead (eligible amount × paid ÷ amount due, half-up to the cent).

    Why: costs are eligible when incurred **and paid**; an unpaid invoice is not a cost of the
    period yet.

    Fix: record the payment (`paid:`, or each one under `payments:`), or claim the invoice in
    the period it is paid in.
    """
    prog, per, start = ctx.pack.programme, ctx.report.period, ctx.budget.project.start
    in_full = ctx.pack.expenses.paid_in_full
    first, last, end = prog.eligible_from, prog.eligible_to, per.end
    for i, exp, e in ctx.claimed():
        if (
            exp.payments is None
            and (day := exp.paid) is not None
            and start <= day <= end
            and first <= day <= last
        ):
            continue  # the one-payment form (most lines), paid in the windows by the period's end: in full
        payments = payments_of(exp)
        bad = next(
            (
                (pay, why)
                for pay in payments
                for why in (
                    msg("paid {paid}, outside the window of {programme}", paid=pay.date, programme=prog.label)
                    if not prog.eligible_from <= pay.date <= prog.eligible_to
                    else msg("paid {paid}, before the project starts ({start})", paid=pay.date, start=start)
                    if pay.date < start
                    else None,
                )
                if why
            ),
            None,
        )
        if bad is not None:
            pay, why = bad
            yield Hit(
                ("expenses", i, *pay.loc),
                msg(
                    "invoice {document} {why}: {amount:money} not accepted",
                    document=exp.document,
                    why=why,
                    amount=e.eligible,
                ),
                disallow=RefuseCost(("expense", i), e.eligible),
            )
            continue
        paid = paid_by(exp, per.end)
        if paid is None:  # the one-payment form, dated by the period's end: paid in full
            continue
        due = amount_due(exp)
        if paid >= due:
            continue
        loc: tuple[str | int, ...]
        if not payments:
            why = msg("not paid (no `paid` date) by the end of period {period}", period=per.id)
            loc = ("expenses", i, "document")
        elif exp.payments is None:
            why = msg(
                "paid {paid}, after the end of period {period} ({end})",
                paid=exp.paid,
                period=per.id,
                end=per.end,
            )
            loc = ("expenses", i, "paid")
        else:
            why = msg(
                "paid {paid:money} of {due:money} by the end of period {period} ({end})",
                paid=paid,
                due=due,
                period=per.id,
                end=per.end,
            )
            loc = ("expenses", i, "payments")
        cut = e.eligible if in_full or not due else e.eligible - round_cents(e.eligible * paid / due)
        if cut:
            yield Hit(
                loc,
                msg(
                    "invoice {document} {why}: {amount:money} not accepted",
                    document=exp.document,
                    why=why,
                    amount=cut,
                ),
                key=loc[-1] == "payments",
                disallow=RefuseCost(("expense", i), cut),
            )


@rule(
    "CB210",
    "payment-method",
    E,
    "A payment that is not traceable (cash) or of an unknown method.",
    "Regional practice for other ERDF calls: traceable payments only",
    "report",
)
def payment_method(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: the method of each payment (`payment`, or `method` under `payments:`) is
    one of the call pack's traceable methods (bank_transfer, card, pagopa, direct_debit,
    other_traceable). Cash is refused and the expense not accepted; so is a method written as
    a mix that names cash (`Contanti e bonifico`).

    Why: each payment must be traceable to a bank movement for the auditor; cash leaves no
    trace. A method name the format does not know is refused too, naming the one it probably
    means.

    Fix: pay by a traceable method; when it was one, write its name as the format spells it
    (`bank_transfer`, not `bonifico`).
    """
    allowed = ctx.pack.expenses.payment_methods
    known = frozenset(allowed)
    for i, exp, e in ctx.claimed():
        if exp.payments is None and (exp.payment is None or exp.payment in known):
            continue  # the one-payment form (most lines) with a method of the pack's, or none
        # the one-payment form's method, even with no `paid` date; else each payment's
        methods: list[tuple[tuple[str | int, ...], str | None]] = (
            [(("expenses", i, "payment"), exp.payment)]
            if exp.payments is None
            else [(("expenses", i, "payments", k, "method"), p.method) for k, p in enumerate(exp.payments)]
        )
        for loc, method in methods:
            if method is None or method in allowed:
                continue
            meant = payment_method_of(method)
            if meant == "cash":
                what = (
                    msg("cash is not a traceable payment")
                    if method == "cash"
                    else msg("{payment!r} (cash) is not a traceable payment", payment=method)
                )
            elif meant in allowed:
                what = msg(
                    "payment {payment!r} is not one of the names the format knows: write {meant}",
                    payment=method,
                    meant=meant,
                )
            else:
                what = msg(
                    "payment {payment!r} is not one of {allowed}", payment=method, allowed=", ".join(allowed)
                )
            yield Hit(
                loc,
                msg(
                    "invoice {document}: {what}: {amount:money} not accepted",
                    document=exp.document,
                    what=what,
                    amount=e.eligible,
                ),
                disallow=RefuseCost(("expense", i), e.eligible),
            )
            break  # one untraceable payment refuses the expense: said once


@rule(
    "CB211",
    "payment-missing",
    W,
    "A paid expense without its payment method.",
    "Regional practice for other ERDF calls: traceable payments only",
    "report",
)
def payment_missing(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: an expense with a `paid` date says how it was paid (`payment`); the
    expense stays accepted. (Under `payments:` every payment has its `method`.)

    Why: only traceable payments are accepted (CB210), and the auditor will ask how this one
    was made.

    Fix: add `payment:`, and `payment_ref:` (the transfer's CRO or TRN) when you have it.
    """
    for i, exp, _ in ctx.claimed():
        if exp.paid is not None and exp.payment is None:
            yield Hit(
                ("expenses", i, "paid"),
                msg(
                    "invoice {document}: paid {paid} but no `payment` method given",
                    document=exp.document,
                    paid=exp.paid,
                ),
            )


@rule(
    "CB212",
    "vat-not-eligible",
    INFO,
    "VAT recorded on a project whose VAT is recoverable: left out.",
    "Reg. (UE) 1303/2013 art. 69(3)(c); Reg. (UE) 2021/1060 art. 64(1)(c)",
    "report",
)
def vat_not_eligible(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: whether a report records `vat` on the expenses of a project whose VAT is
    recoverable (`vat_recoverable: true` in the budget, the default). Reported once per report,
    at the first such expense, with the VAT left out in all.

    Why: recoverable VAT is never eligible, so it is not counted; the line says so, since the
    report's figures then differ from the invoices' totals.

    Fix: nothing, if the project's VAT is recoverable; if it is not, set
    `project.vat_recoverable: false` in the budget.
    """
    if not ctx.budget.project.vat_recoverable:
        return
    with_vat = [(i, exp.vat) for i, exp, _ in ctx.claimed() if exp.vat]
    if with_vat:
        total = sum((v for _, v in with_vat), start=Decimal(0))
        n = len(with_vat)
        yield Hit(
            ("expenses", with_vat[0][0], "vat"),
            nmsg(
                "VAT of {vat:money} on {n} invoice is recoverable for this project: not counted",
                "VAT of {vat:money} on {n} invoices is recoverable for this project: not counted",
                n,
                vat=total,
            ),
        )


@rule(
    "CB213",
    "report-unknown-action",
    E,
    "An expense refers to an action id the budget does not list.",
    FILE_CHECK,
    "report",
)
def report_unknown_action(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: each id in an expense's `action` is the id of one of the budget's actions.

    Why: expenses are assigned to actions so that costs can be followed by action; an id that
    names none is a typo, or an action missing from the budget.

    Fix: use one of the budget's action ids, or add the action to the budget.
    """
    known = [a.id for a in ctx.budget.actions]
    for i, exp, _ in ctx.claimed():
        for ref in exp.action:
            if ref not in known:
                yield Hit(
                    ("expenses", i, "action"),
                    msg(
                        "action {ref!r} is not one of the budget's actions ({listed})",
                        ref=ref,
                        listed=", ".join(known) or msg("none are listed"),
                    ),
                )


@rule(
    "CB214",
    "duplicate-person",
    E,
    "The same staff id twice in one report.",
    FILE_CHECK,
    "report",
)
def duplicate_person(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: each staff id appears once in a report.

    Why: a person's hours of a period belong in one entry, so that the hours cap and the rate
    are checked on all of them.

    Fix: merge the two entries: one entry, with the months of both under its `hours`.
    """
    seen: dict[str, int] = {}
    for i, entry in enumerate(ctx.report.staff):
        if entry.id in seen:
            yield Hit(
                ("staff", i, "id"),
                msg(
                    "staff id {id!r} already used by staff[{index}] of this report",
                    id=entry.id,
                    index=seen[entry.id],
                ),
            )
        else:
            seen[entry.id] = i


@rule(
    "CB215",
    "payment-before-invoice",
    W,
    "A payment dated before its invoice.",
    "Region's practice: the payment follows the invoice it pays",
    "report",
)
def payment_before_invoice(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: no payment of an expense (`paid`, or a date under `payments:`) is dated
    before the invoice. The expense stays accepted.

    Why: a payment before the invoice is an advance (which needs its own document) or, more
    often, a date typed wrong on one of the two.

    Fix: check both dates against the documents; for an advance, claim the advance invoice.
    """
    for i, exp, _ in ctx.claimed():
        if exp.payments is None and (exp.paid is None or exp.paid >= exp.date):
            continue  # the one-payment form (most lines), not paid before the invoice
        for pay in payments_of(exp):
            if pay.date < exp.date:
                yield Hit(
                    ("expenses", i, *pay.loc),
                    msg(
                        "invoice {document} dated {date:date} but paid {paid:date}, before it: check both dates",
                        document=exp.document,
                        date=exp.date,
                        paid=pay.date,
                    ),
                )
                break


@rule(
    "CB216",
    "document-year",
    W,
    "An invoice number that carries a year other than its date's.",
    "DPR 633/1972 art. 21 (invoice numbers progressive per year)",
    "report",
)
def document_year(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: when an invoice's number carries a year (`FT 77/2023`), the invoice date is
    in that year. The expense stays accepted, and is checked for double claims (CB304) as an
    invoice of the year in its number.

    Why: Italian invoice numbers are progressive per calendar year, so the number's year is the
    year of issue; a date in another year is usually the date the invoice was registered or
    received, not the date it bears (and the date decides the period and the windows).

    Fix: write the date printed on the invoice.
    """
    for i, exp, _ in ctx.claimed():
        year = number_year(exp.document)
        if year is not None and year != exp.date.year:
            yield Hit(
                ("expenses", i, "date"),
                msg(
                    "invoice {document} dated {date:date}: its number says {year}; the date may not be the "
                    "invoice date (a registration date?). Checked as an invoice of {year}",
                    document=exp.document,
                    date=exp.date,
                    year=str(year),
                ),
            )


@rule(
    "CB217",
    "approved-above-requested",
    E,
    "An approved amount above the amount requested.",
    "Sfinge 2020: the reviewer admits at most what is requested",
    "report",
)
def approved_above_requested(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: the `approved:` amount of an expense or a staff entry (the outcome of the
    Region's review) is not above what the line requests: the expense's eligible amount, the
    person's cost. The approved amount is then taken as the requested one.

    Why: the review admits at most what was requested; more means a figure typed wrong (or
    under the wrong line).

    Fix: copy the approved amount from the review's outcome, line by line.
    """
    for s, entry in zip(ctx.costs.staff, ctx.report.staff, strict=True):
        if entry.approved is not None and entry.approved > s.cost:
            yield Hit(
                ("staff", s.index, "approved"),
                msg(
                    "{name}: approved {approved:money}, more than the {requested:money} requested",
                    name=s.name,
                    approved=entry.approved,
                    requested=s.cost,
                ),
            )
    for i, exp, e in ctx.claimed():
        if exp.approved is not None and exp.approved > e.eligible:
            yield Hit(
                ("expenses", i, "approved"),
                msg(
                    "invoice {document}: approved {approved:money}, more than the {requested:money} requested",
                    document=exp.document,
                    approved=exp.approved,
                    requested=e.eligible,
                ),
            )
