"""CB3xx: rules across the reports of one project, and budget against actual.

A finding that involves two reports is reported on the later period's file, at the line of
the entry that breaks the rule, and names the earlier file and line (``related``).
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ..compute import (
    BudgetFigures,
    ItemProgress,
    PeriodFigures,
    RefuseCost,
    RefuseHours,
    ReportCosts,
    invoice_charge,
    staff_cost,
)
from ..findings import Severity
from ..holidays_it import national_holidays
from ..i18n import LANGS, Localized, msg, render
from ..invoices import (
    InvoiceKey,
    Supplier,
    invoice_key,
    issue_year,
    same_supplier,
    supplier_of,
    whole_amount,
)
from ..models import Budget, CallPack, CostReport
from ..money import ZERO, round_cents
from ..records import dataclass
from ..variations import Shift, beyond_tolerance, is_set, tolerated
from . import Hit, rule
from .budget import FILE_CHECK, UNKNOWN_PARAMETERS

if TYPE_CHECKING:
    from ..loading import Loaded

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

DISALLOWING = frozenset(
    {"CB202", "CB203", "CB206", "CB208", "CB209", "CB210", "CB302", "CB304", "CB305", "CB307"}
    | {"CB230", "CB231", "CB232", "CB233", "CB235", "CB237"}  # project hours of a day (rules/days.py)
)
"""The errors that are disallowed costs: the rule leaves the cost (or the hours) out of the
accepted figures, which stay right. A rendiconto is exported with them (they are its Checks);
`export --strict` refuses them as any other error."""

DOCUMENTS = frozenset({"CB240", "CB241"})
"""The errors about an expense's supporting files (missing, or not the file recorded): the
figures stand, so a rendiconto and the timesheets are written with them (Controlli lists them);
the claim package, which carries the files to the Region, is refused."""


@dataclass(frozen=True)
class ReportCheck:
    """One valid report of a project, in period order."""

    loaded: Loaded
    report: CostReport
    costs: ReportCosts


@dataclass(frozen=True)
class ProjectContext:
    budget: Budget
    pack: CallPack
    reports: list[ReportCheck]

    @functools.cached_property
    def lines(self) -> list[Part]:
        """Every claimed line of the project's reports with its invoice identity: worked out
        once, for the rules on invoices (CB304, CB306) and the pipeline's invoice parts."""
        return claimed_lines(self.reports)

    @functools.cached_property
    def invoices(self) -> list[list[Part]]:
        """The claimed lines grouped by invoice (:func:`group_invoices`), once per project."""
        return group_invoices(self.lines)


@dataclass(frozen=True)
class ProgressContext:
    budget: Budget
    pack: CallPack
    figures: BudgetFigures
    reports: list[ReportCheck]
    periods: list[PeriodFigures]
    progress: list[list[ItemProgress]]
    """Budget vs actual after each period (cumulative)."""


@rule(
    "CB301",
    "periods-overlap",
    E,
    "Two reports whose periods overlap, or share a period id.",
    FILE_CHECK,
    "project",
)
def periods_overlap(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: the project's reports, ordered by `period.start`, cover distinct periods
    with distinct ids.

    Why: an overlap would let the same month's costs be claimed twice; a repeated id makes the
    periods impossible to tell apart in statements and messages.

    Fix: start each period the day after the previous one ends, and give each its own id.
    """
    for i, later in enumerate(ctx.reports):
        for earlier in ctx.reports[:i]:
            a, b = earlier.report.period, later.report.period
            if a.id == b.id:
                yield Hit(
                    ("period", "id"),
                    msg(
                        "period id {period!r} is also used by {file}",
                        period=b.id,
                        file=earlier.loaded.display,
                    ),
                    related=earlier.loaded.at(("period", "id")),
                    doc=later.loaded,
                )
            elif b.start <= a.end and a.start <= b.end:
                yield Hit(
                    ("period", "start"),
                    msg(
                        "period {later} ({later_start} – {later_end}) overlaps period {earlier} "
                        "({earlier_start} – {earlier_end})",
                        later=b.id,
                        later_start=b.start,
                        later_end=b.end,
                        earlier=a.id,
                        earlier_start=a.start,
                        earlier_end=a.end,
                    ),
                    related=earlier.loaded.at(("period", "start")),
                    doc=later.loaded,
                )


@rule(
    "CB302",
    "hours-cap",
    E,
    "A person's hours in a calendar year exceed the hours basis of their rate.",
    "Reg. (UE) 1303/2013 art. 68a(3); Reg. (UE) 2021/1060 art. 55(2)",
    "project",
)
def hours_cap(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: for each person (by id) and calendar year, the hours declared across all
    the project's reports do not exceed the hours per year used to compute their hourly rate
    (1,720 for full time, pro rata for part time). The hours past the cap are not accepted;
    the finding is on the month that crosses it.

    Why: the hourly rate is the annual cost divided by those hours (Reg. 1303/2013 art. 68a;
    CPR art. 55): more hours in a year than the rate's basis would claim more than the
    person's annual cost.

    Fix: declare only the hours worked on the project; for part time, give `hours_per_year`
    pro rata, the same in every report.
    """
    used: dict[tuple[str, int], Decimal] = {}
    first_seen: dict[tuple[str, int], tuple[ReportCheck, int, str]] = {}
    for rc in ctx.reports:
        for s, entry in zip(rc.costs.staff, rc.report.staff, strict=True):
            for month in sorted(s.months):
                h = s.months[month]
                key = (entry.id, int(month[:4]))
                before = used.get(key, ZERO)
                after = before + h
                used[key] = after
                first_seen.setdefault(key, (rc, s.index, month))
                cap = s.hours_per_year
                if after > cap and h:
                    excess = min(h, after - cap)
                    earlier_rc, earlier_i, earlier_m = first_seen[key]
                    related = None
                    if earlier_rc is not rc:
                        related = earlier_rc.loaded.at(
                            ("staff", earlier_i, *earlier_rc.report.staff[earlier_i].month_path(earlier_m)),
                            key=True,
                        )
                    yield Hit(
                        ("staff", s.index, *entry.month_path(month)),
                        msg(
                            "{name}: {hours:number} hours in {year} by {month:month}, over the {cap:number} of "
                            "their rate's basis: {excess:number} hours ({cost:money}) not accepted",
                            name=entry.name,
                            hours=after,
                            year=str(key[1]),
                            month=month,
                            cap=cap,
                            excess=excess,
                            cost=staff_cost(s.hourly_rate, excess),
                        ),
                        related=related,
                        key=True,
                        doc=rc.loaded,
                        disallow=RefuseHours(s.index, month, excess),
                    )


@rule(
    "CB303",
    "rate-changed",
    W,
    "A person's hourly rate differs from the one declared in the first report.",
    "Regional practice for other ERDF calls: the rate declared at the first report is kept for the whole project",
    "project",
)
def rate_changed(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: the hourly rate computed for a person (annual gross cost ÷ hours per year)
    is the same in every report.

    Why: the Region's practice for ERDF calls keeps the rate declared at the first report for
    the life of the project.

    Fix: keep `annual_gross_cost`, `cost_year` and `hours_per_year` as in the first report.
    """
    first: dict[str, tuple[ReportCheck, int, Decimal]] = {}
    for rc in ctx.reports:
        for s in rc.costs.staff:
            if s.id not in first:
                first[s.id] = (rc, s.index, s.hourly_rate)
                continue
            erc, ei, rate = first[s.id]
            if erc is not rc and s.hourly_rate != rate:
                yield Hit(
                    ("staff", s.index, "annual_gross_cost"),
                    msg(
                        "{name}: hourly rate {rate:money} differs from {first:money} declared in {period}",
                        name=s.name,
                        rate=s.hourly_rate,
                        first=rate,
                        period=erc.report.period.id,
                    ),
                    related=erc.loaded.at(("staff", ei, "annual_gross_cost")),
                    doc=rc.loaded,
                )


@dataclass(slots=True)
class Part:
    """One claimed line of an invoice, in period order, with its invoice's identity (not
    frozen: a frozen dataclass's ``__init__`` costs twice as much, on every claimed line)."""

    rc: ReportCheck
    index: int
    charge: Decimal
    """The part of the invoice's taxable amount the line charges (amount × eligible share)."""
    supplier: Supplier
    key: InvoiceKey


def claimed_lines(reports: Sequence[ReportCheck]) -> list[Part]:
    """Every claimed line of the reports, in period order, each with its supplier and invoice
    key (:func:`~clustbudget.invoices.supplier_of`, :func:`~clustbudget.invoices.invoice_key`)
    worked out once."""
    out: list[Part] = []
    append = out.append
    # One Supplier per (VAT number, name) as written: a project's lines name a few hundred.
    suppliers: dict[tuple[str | None, str], Supplier] = {}
    for rc in reports:
        for i, exp in enumerate(rc.report.expenses):
            if exp.claimed:
                who = (exp.supplier_vat, exp.supplier)
                supplier = suppliers.get(who)
                if supplier is None:
                    supplier = suppliers[who] = supplier_of(exp)
                append(Part(rc, i, invoice_charge(exp), supplier, invoice_key(exp)))
    return out


def group_invoices(lines: Iterable[Part]) -> list[list[Part]]:
    """Claimed lines grouped by invoice (document number normalised and year of issue, then
    the same supplier: :func:`~clustbudget.invoices.same_supplier`), each group in the lines'
    order, the groups in the order of their first line."""
    by_key: dict[InvoiceKey, list[Part]] = {}
    for part in lines:
        same = by_key.get(part.key)
        if same is None:
            by_key[part.key] = [part]
        else:
            same.append(part)
    out: list[list[Part]] = []
    for parts in by_key.values():
        if len(parts) == 1:  # most invoices: one line, one supplier (no split made for nothing)
            out.append(parts)
            continue
        suppliers: list[tuple[Supplier, list[Part]]] = []
        for part in parts:
            who = part.supplier
            for other, members in suppliers:
                if same_supplier(who, other):
                    members.append(part)
                    break
            else:
                suppliers.append((who, [part]))
        out.extend(members for _, members in suppliers)
    return out


def invoices(reports: Sequence[ReportCheck]) -> list[list[Part]]:
    """The claimed lines of the reports grouped by invoice (supplier, document number
    normalised, year of issue: :mod:`clustbudget.invoices`), each group in period order.
    Within a project, use :attr:`ProjectContext.invoices` (grouped once per project)."""
    return group_invoices(claimed_lines(reports))


def _where(parts: Sequence[Part], rc: ReportCheck) -> str:
    places = []
    for p in parts:
        line = p.rc.loaded.at(("expenses", p.index, "document")).line
        name = p.rc.loaded.display.replace("\\", "/").rsplit("/", 1)[-1]
        places.append(f"{p.rc.report.period.id} ({name}:{line})")
    return ", ".join(places)


@rule(
    "CB304",
    "double-claim",
    E,
    "An invoice charged, over the project's reports, for more than its amount.",
    "Reg. (UE) 1303/2013 art. 65(11); Reg. (UE) 2021/1060 art. 63(9) (no double funding)",
    "project",
)
def double_claim(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: the lines that charge one invoice — in one report or several, to one item
    or several — never charge more than the invoice's taxable amount (`invoice_amount`, or
    the first line's `amount` when no line gives it). A line's charge is its `amount` × its
    `eligible_share`. The excess is not accepted, on the later line; claiming an invoice a
    second time in full is a charge of twice its amount.

    An invoice is the supplier (the VAT number or tax code when both lines give one, else the
    normalised name: case, accents, punctuation and legal forms dropped), the document number
    (Unicode NFKC, case-folded, spaces, zero-width characters and dashes removed: `FT 2021–15`
    is `ft202115`) and the year of issue (the year in the number when it carries one, else the
    date's): Italian invoice numbers restart each year.

    Why: the same cost is never funded twice (Reg. 1303/2013 art. 65(11); CPR art. 63(9)); the
    Region's platform records one invoice charged to several items and periods, and never more
    than its amount in all.

    Fix: remove the repeated line; when one invoice is claimed in parts, give each line the part
    it charges as `amount` and the whole invoice as `invoice_amount`.
    """
    for parts in ctx.invoices:
        if len(parts) < 2:
            continue
        whole = whole_amount([p.rc.report.expenses[p.index] for p in parts])
        before = ZERO
        for k, part in enumerate(parts):
            after = before + part.charge
            if k and after > whole and part.charge:
                excess = min(part.charge, after - whole)
                eligible = part.rc.costs.expenses[part.index].eligible
                cut = eligible if excess == part.charge else round_cents(eligible * excess / part.charge)
                exp = part.rc.report.expenses[part.index]
                earlier = parts[:k]
                year = issue_year(exp)
                places = _where(earlier, part.rc)
                if before >= whole:  # charged in full already: this line is a second claim
                    what = msg("is already claimed in {places}", places=places)
                else:
                    what = msg(
                        "{total:money} charged in all, more than its {whole:money} (earlier parts: {places})",
                        total=after,
                        whole=whole,
                        places=places,
                    )
                yield Hit(
                    ("expenses", part.index, "document"),
                    msg(
                        "invoice {document} of {supplier} ({year}) {what}: {amount:money} not accepted",
                        document=exp.document,
                        supplier=exp.supplier,
                        year=str(year),
                        what=what,
                        amount=cut,
                    ),
                    related=earlier[0].rc.loaded.at(("expenses", earlier[0].index, "document")),
                    doc=part.rc.loaded,
                    disallow=RefuseCost(("expense", part.index), cut),
                )
            before = after


@rule(
    "CB306",
    "same-number-other-year",
    W,
    "The same supplier, document number and amount in two different years.",
    "Reg. (UE) 1303/2013 art. 65(11); Reg. (UE) 2021/1060 art. 63(9) (no double funding)",
    "project",
)
def same_number_other_year(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: two claimed lines of the project with the same supplier, the same document
    number (normalised as CB304 does) and the same amount, but different years of issue. Both
    stay accepted: numbers restart each year, so they may be two invoices.

    Why: an invoice claimed again with its date mistyped (or a registration date instead of the
    invoice date) would look like an invoice of another year, and escape CB304.

    Fix: check both documents; if they are one invoice, remove the second line and correct the
    date.
    """
    # The lines by document number (then compared by amount): a number's text hashes once, an
    # amount's Decimal on every line.
    seen: dict[str, list[tuple[Decimal, Part]]] = {}
    for part in ctx.lines:
        rc, i = part.rc, part.index
        exp = rc.report.expenses[i]
        amount = exp.amount
        same = seen.get(part.key.document)
        if same is None:  # most lines: no other with this number (no list made for nothing)
            seen[part.key.document] = [(amount, part)]
            continue
        who, year = part.supplier, part.key.year
        for other_amount, other in same:
            if other_amount == amount and other.key.year != year and same_supplier(who, other.supplier):
                erc, ei = other.rc, other.index
                yield Hit(
                    ("expenses", i, "document"),
                    (
                        msg(
                            "invoice {document} of {supplier} ({year}, {amount:money}) has the number and "
                            "amount of one of {other_year} in this report: check that it is not the same invoice",
                            document=exp.document,
                            supplier=exp.supplier,
                            year=str(year),
                            amount=exp.amount,
                            other_year=str(other.key.year),
                        )
                        if erc is rc
                        else msg(
                            "invoice {document} of {supplier} ({year}, {amount:money}) has the number and "
                            "amount of one of {other_year} in {period}: check that it is not the same invoice",
                            document=exp.document,
                            supplier=exp.supplier,
                            year=str(year),
                            amount=exp.amount,
                            other_year=str(other.key.year),
                            period=erc.report.period.id,
                        )
                    ),
                    related=erc.loaded.at(("expenses", ei, "document")),
                    doc=rc.loaded,
                )
                break
        same.append((amount, part))


@dataclass(frozen=True)
class PortfolioContext:
    """Every project of one `validate` run: its budget's file and its reports in period order."""

    projects: list[tuple[str, list[ReportCheck]]]


@rule(
    "CB305",
    "double-claim-across-projects",
    E,
    "The same invoice claimed by two projects validated together.",
    "Reg. (UE) 1303/2013 art. 65(11); Reg. (UE) 2021/1060 art. 63(9) (no double funding)",
    "portfolio",
)
def double_claim_across_projects(ctx: PortfolioContext) -> Iterator[Hit]:
    """
    What it checks, when one `validate` run covers several projects (e.g. `validate budgets/`
    with each project's budget and reports): the lines that charge one invoice — same
    supplier, document number and year, as CB304 compares them — in the reports of different
    projects never charge more than the invoice's taxable amount. The excess is not accepted,
    on the later line (by period start), in the project that claimed it later; the earlier
    project keeps its claim.

    Why: no double funding (Reg. 1303/2013 art. 65(11); CPR art. 63(9)), across projects too.

    Fix: claim the invoice in one project only, or split it between them with
    `eligible_share` (or `invoice_amount` and the part each project charges as `amount`).
    """
    owner = {id(rc.loaded): budget for budget, reports in ctx.projects for rc in reports}
    ordered = sorted(
        (rc for _, reports in ctx.projects for rc in reports),
        key=lambda rc: (rc.report.period.start, rc.loaded.display),
    )
    for parts in invoices(ordered):
        if len({owner[id(p.rc.loaded)] for p in parts}) < 2:
            continue
        whole = whole_amount([p.rc.report.expenses[p.index] for p in parts])
        before = ZERO  # charged by the earlier lines of every project
        own: dict[str, Decimal] = {}  # charged by the earlier lines of each project (CB304's part)
        for k, part in enumerate(parts):
            project = owner[id(part.rc.loaded)]
            own_before = own.get(project, ZERO)
            excess = min(max(before + part.charge - whole, ZERO), part.charge)
            own_excess = min(max(own_before + part.charge - whole, ZERO), part.charge)
            before += part.charge
            own[project] = own_before + part.charge
            if not k or excess <= own_excess:
                continue  # within the invoice, or beyond it within its own project (CB304)
            other = next(p for p in parts[:k] if owner[id(p.rc.loaded)] != project)
            eligible = part.rc.costs.expenses[part.index].eligible
            cut = eligible if excess == part.charge else round_cents(eligible * excess / part.charge)
            exp = part.rc.report.expenses[part.index]
            yield Hit(
                ("expenses", part.index, "document"),
                msg(
                    "invoice {document} of {supplier} ({year}) is also claimed by another project, "
                    "{project} ({period}): {amount:money} not accepted",
                    document=exp.document,
                    supplier=exp.supplier,
                    year=str(issue_year(exp)),
                    project=owner[id(other.rc.loaded)],
                    period=other.rc.report.period.id,
                    amount=cut,
                ),
                related=other.rc.loaded.at(("expenses", other.index, "document")),
                doc=part.rc.loaded,
                disallow=RefuseCost(("expense", part.index), cut),
            )


# --------------------------------------------------------------------- budget against actual


@rule(
    "CB310",
    "over-budget",
    W,
    "An item's accepted costs, to date, exceed its budget.",
    "The call's budget by item; reporting manual (DGR 671/2017), variations: text not available",
    "progress",
)
def over_budget(ctx: ProgressContext) -> Iterator[Hit]:
    """
    What it checks: the cumulative accepted cost of each item, to the latest period, against
    its budget; reported on the latest report, with the overrun to date (an overrun that began
    earlier is reported as it stands now, not as it was when it began).

    Why: the shift tolerated between items without the Region's approval is not known for this
    call (see CB300); an overrun needs either savings elsewhere or an approved variation.

    Fix: plan savings on other items, or ask the Region for a variation; check that no cost sits
    under the wrong item.
    """
    if not ctx.progress:
        return
    for r in ctx.progress[-1]:
        if r.key == "total" or not r.over:
            continue
        yield Hit(
            ("period",),
            msg(
                "item {key}: {accepted:money} accepted to date, over its budget of {budget:money} by {over:money}",
                key=r.key,
                accepted=r.cumulative,
                budget=r.budget,
                over=r.cumulative - r.budget,
            ),
            doc=ctx.reports[-1].loaded,
            key=True,
        )


@rule(
    "CB311",
    "shift-exceeded",
    E,
    "An item's overrun exceeds the shift between items the call tolerates.",
    "The call's tolerated shift between items (call pack section variations: share, amount, basis, combine)",
    "progress",
)
def shift_exceeded(ctx: ProgressContext) -> Iterator[Hit]:
    """
    What it checks (when the call pack's `variations:` section sets `share` and/or
    `amount`): no item's cumulative accepted cost exceeds its budget by more than the
    tolerance, measured as a variation's shift is (CB404): `share` × the item's budget
    (`basis: item`) or × the budget's total (`basis: total`), and/or `amount` in euro, the
    larger of the two (`combine: either`) or the smaller (`both`).

    Why: the call tolerates moving that much into an item without approval; beyond it, the
    overrun needs a variation approved by the Region.

    Fix: ask the Region for a variation of at least the amount stated (record it as a revision
    of the budget: `revises:` and `variation:`), or bring the item back within the tolerance.
    """
    rules = ctx.pack.variations
    if not is_set(rules) or not ctx.progress:
        return
    rows = ctx.progress[-1]
    budget_total = next((r.budget for r in rows if r.key == "total"), ZERO)
    for r in rows:
        if r.key == "total":
            continue
        # The overrun read as a shift from the budget to what was accepted: the same tolerance.
        as_shift = Shift(r.key, r.budget, r.cumulative, budget_total)
        excess = beyond_tolerance(rules, as_shift)
        if excess > 0:
            yield Hit(
                ("period",),
                msg(
                    "item {key}: {cumulative:money} against a budget of {budget:money} is beyond the "
                    "shift the call tolerates ({tolerated:money}) by {excess:money}: "
                    "that much needs an approved variation",
                    key=r.key,
                    cumulative=r.cumulative,
                    budget=r.budget,
                    tolerated=tolerated(rules, as_shift),
                    excess=excess,
                ),
                doc=ctx.reports[-1].loaded,
                key=True,
            )


@rule(
    "CB312",
    "min-spend",
    W,
    "At the final report, less was spent than the call's minimum share.",
    "The call's minimum share of the budget to spend (call pack parameter min_spend_share)",
    "progress",
)
def min_spend(ctx: ProgressContext) -> Iterator[Hit]:
    """
    What it checks (when the call pack sets `min_spend_share` and the last report reaches the
    project's end): the accepted total is at least that share of the budget total.

    Why: below the call's minimum share, the grant is usually reduced or revoked.

    Fix: check that every cost incurred has been claimed, and that what was disallowed could
    not be put right; otherwise discuss it with the Region before the final report.
    """
    share = ctx.pack.parameters.min_spend_share
    if share is None or not ctx.progress or ctx.reports[-1].report.period.end < ctx.budget.project.end:
        return
    total = next(r for r in ctx.progress[-1] if r.key == "total")
    if total.cumulative < total.budget * share:
        yield Hit(
            ("period",),
            msg(
                "{accepted:money} accepted in all, {used:percent} of the budget: below the minimum {share:rate}",
                accepted=total.cumulative,
                used=total.used,
                share=share,
            ),
            doc=ctx.reports[-1].loaded,
            key=True,
        )


@rule(
    "CB300",
    "report-not-checked",
    INFO,
    "Call parameters unknown for this call: not checked on the reports.",
    UNKNOWN_PARAMETERS,
    "progress",
)
def report_not_checked(ctx: ProgressContext) -> Iterator[Hit]:
    """
    What it checks, once per project on its latest report: which of the tolerated shift
    between items, the minimum share to spend, the contribution rate and the grant cap are
    unknown for the call, and so not checked, and whether the contribution due could be
    computed. Whether E is capped at the budgeted E is also unknown: not checked. An info
    line, not a fault of the reports.

    Why: a tool that is silent about what it did not check invites false confidence.

    Fix: nothing in the reports. Once the call's manual gives the values, set them in a call
    pack of your own and point the budget's `call:` at it.
    """
    if not ctx.reports:
        return
    params = ctx.pack.parameters
    missing = ctx.pack.unknown_parameters()
    if missing:
        text = msg(
            "not checked, unknown for call {call}: {parameters}, and whether E is capped at the budgeted E",
            call=ctx.pack.id,
            parameters=", ".join(missing),
        )
    else:
        text = msg("not checked: whether E is capped at the budgeted E")
    if params.contribution_rate is None:
        text = msg("{checked}; contribution due not computed", checked=text)
    yield Hit(("period",), text, doc=ctx.reports[-1].loaded, key=True)


# --------------------------------------------------------------------- hours that cannot be true


def month_days(month: str) -> int:
    """Days in a ``YYYY-MM`` month."""
    return calendar.monthrange(int(month[:4]), int(month[5:7]))[1]


def weekdays(month: str) -> int:
    """Monday-to-Friday days of a ``YYYY-MM`` month."""
    y, m = int(month[:4]), int(month[5:7])
    return sum(1 for d in range(1, month_days(month) + 1) if date(y, m, d).weekday() < 5)


MAX_WEEKDAY_HOLIDAYS = 3
"""No month has more Italian national holidays on weekdays than this (December: 8, 25, 26):
a month's hours within (weekdays − 3) × the daily limit need no holiday calendar."""


def _holidays(year: int) -> frozenset[date]:
    # Asked only when a month's hours come near the limit: the `holidays` package is then
    # imported (clustbudget.holidays_it).
    return national_holidays(year)


def working_days(month: str) -> int:
    """Monday-to-Friday days of a month that are not Italian national holidays (`holidays`)."""
    y, m = int(month[:4]), int(month[5:7])
    off = _holidays(y)
    return sum(
        1 for d in range(1, month_days(month) + 1) if (day := date(y, m, d)).weekday() < 5 and day not in off
    )


def _person_months(ctx: ProjectContext) -> dict[tuple[str, str], list[tuple[ReportCheck, int, Decimal]]]:
    """Every person's (by id) hours of each month, over the project's reports in period order:
    a month that straddles two periods has an entry from each."""
    out: dict[tuple[str, str], list[tuple[ReportCheck, int, Decimal]]] = {}
    for rc in ctx.reports:
        for i, entry in enumerate(rc.costs.staff):
            for month, h in entry.months.items():
                if h:
                    out.setdefault((entry.id, month), []).append((rc, i, h))
    return out


def _together(earlier: list[tuple[ReportCheck, int, Decimal]], rc: ReportCheck) -> Localized | str:
    """The other periods' hours of the month, "(with 120 in SAL-1)", or "" when there are none."""
    others = [
        msg("{hours:number} in {period}", hours=h, period=e.report.period.id)
        for e, _, h in earlier
        if e is not rc
    ]
    if not others:
        return ""
    joined = Localized({lang: ", ".join(render(o, lang) for o in others) for lang in LANGS})
    return msg(" (with {others})", others=joined)


@rule(
    "CB307",
    "hours-above-calendar",
    E,
    "More hours in a month than the month has (days × 24).",
    "Reg. (UE) 1303/2013 art. 68a; Reg. (UE) 2021/1060 art. 55 (hours actually worked)",
    "project",
)
def hours_above_calendar(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: a person's hours in a month — over every report of the project, so that a
    month split between two periods (SAL-1 ends 15 October, SAL-2 starts 16 October) is
    checked as one month — do not exceed the month's days × 24. The hours beyond are not
    accepted, on the report whose hours cross the limit.

    Why: staff costs are hours actually worked (Reg. 1303/2013 art. 68a; CPR art. 55); more
    hours than the month has is a typing error (a year's hours under one month, a decimal
    point), or the same month claimed in full by two periods.

    Fix: correct the hours from the signed monthly timesheets; for a month split between two
    periods, claim in each only the days of its period.
    """
    for (_, month), entries in _person_months(ctx).items():
        cap = Decimal(month_days(month) * 24)
        total = ZERO
        for k, (rc, i, h) in enumerate(entries):
            total += h
            if total > cap:
                s = rc.costs.staff[i]
                excess = min(h, total - cap)
                earlier = entries[:k]
                yield Hit(
                    ("staff", i, *rc.report.staff[i].month_path(month)),
                    msg(
                        "{name}: {total:number} hours in {month:month}{together}, more than the month has "
                        "({days} days × 24 = {cap:number}): {excess:number} hours ({cost:money}) not accepted",
                        name=s.name,
                        total=total,
                        month=month,
                        together=_together(earlier, rc),
                        days=str(month_days(month)),
                        cap=cap,
                        excess=excess,
                        cost=staff_cost(s.hourly_rate, excess),
                    ),
                    related=earlier[0][0].loaded.at(
                        (
                            "staff",
                            earlier[0][1],
                            *earlier[0][0].report.staff[earlier[0][1]].month_path(month),
                        ),
                        key=True,
                    )
                    if earlier and earlier[0][0] is not rc
                    else None,
                    key=True,
                    doc=rc.loaded,
                    disallow=RefuseHours(i, month, excess),
                )
                break


@rule(
    "CB308",
    "hours-implausible",
    W,
    "More hours in a month than its working days allow.",
    "Call pack parameter staff.hours_per_working_day (default 8); Italian national holidays (L. 260/1949)",
    "project",
)
def hours_implausible(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: a person's hours in a month, over every report of the project (a month
    split between two periods counts once), against the month's working days — Monday to
    Friday, Italian national holidays excluded — × the call pack's `staff.hours_per_working_day`
    (8 by default; null: not checked). The hours stay accepted.

    Why: timesheets record no project hours on Sundays and national holidays; more hours than
    the working days allow needs overtime or weekend work the auditor will ask to see.

    Fix: check the hours against the signed timesheets; keep the evidence of overtime.
    """
    per_day = ctx.pack.staff.hours_per_working_day
    if per_day is None:
        return
    for (_, month), entries in _person_months(ctx).items():
        total = sum((h for _, _, h in entries), ZERO)
        if total <= (weekdays(month) - MAX_WEEKDAY_HOLIDAYS) * per_day or total > month_days(month) * 24:
            continue  # surely within the limit; or past the calendar, which CB307 reports
        days = working_days(month)
        limit = days * per_day
        if total <= limit:
            continue
        rc, i, _ = entries[-1]
        yield Hit(
            ("staff", i, *rc.report.staff[i].month_path(month)),
            msg(
                "{name}: {total:number} hours in {month:month}{together}, more than its {days} working days "
                "× {per_day:number} = {limit:number} (national holidays excluded): check the timesheets",
                name=rc.report.staff[i].name,
                total=total,
                month=month,
                together=_together(entries[:-1], rc),
                days=str(days),
                per_day=per_day,
                limit=limit,
            ),
            key=True,
            doc=rc.loaded,
        )


# --------------------------------------------------------------------- the periods' timeline


@rule(
    "CB320",
    "period-gap",
    W,
    "Days between two consecutive periods that no report covers.",
    "Region's practice: each SAL starts the day after the previous one ends",
    "project",
)
def period_gap(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: each period (in order of start) starts the day after the previous one ends.

    Why: costs incurred in the days between two periods belong to no report: they are claimed
    nowhere, or (more often) a date is typed wrong.

    Fix: start the period the day after the previous one ends, or add the missing report.
    """
    for earlier, later in zip(ctx.reports, ctx.reports[1:], strict=False):
        a, b = earlier.report.period, later.report.period
        gap = (b.start - a.end).days - 1
        if gap > 0:
            yield Hit(
                ("period", "start"),
                f"period {b.id} starts {b.start}, {gap} day{'s' if gap != 1 else ''} after period {a.id} ended "
                f"({a.end}): {a.end + timedelta(days=1)} – {b.start - timedelta(days=1)} is in no period",
                related=earlier.loaded.at(("period", "end")),
                doc=later.loaded,
            )


@rule(
    "CB321",
    "first-period-late",
    INFO,
    "The first period starts after the project.",
    "File consistency check (clustbudget): the first period starts with the project",
    "project",
)
def first_period_late(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: whether the earliest report's period starts after the project does.

    Why: the costs of the project's first days are then in no report: fine if there were
    none, or if the first report is still to be written; worth knowing either way.

    Fix: nothing, if so; otherwise start the first period on the project's start date.
    """
    if not ctx.reports:
        return
    first, start = ctx.reports[0], ctx.budget.project.start
    if first.report.period.start > start:
        yield Hit(
            ("period", "start"),
            f"the first period, {first.report.period.id}, starts {first.report.period.start}, after the project "
            f"({start}): costs from {start} to {first.report.period.start - timedelta(days=1)} are in no report",
            doc=first.loaded,
        )
