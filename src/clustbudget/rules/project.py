"""CB3xx: rules across the reports of one project, and budget against actual.

A finding that involves two reports is reported on the later period's file, at the line of
the entry that breaks the rule, and names the earlier file and line (``related``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..compute import (
    BudgetFigures,
    ItemProgress,
    PeriodFigures,
    RefuseCost,
    RefuseHours,
    ReportCosts,
    staff_cost,
)
from ..findings import Severity
from ..i18n import msg
from ..models import Budget, CallPack, CostReport
from ..money import ZERO, round_cents
from ..payments import normalise
from . import Hit, rule
from .budget import FILE_CHECK, UNKNOWN_PARAMETERS

if TYPE_CHECKING:
    from ..loading import Loaded

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


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
            for month in sorted(entry.hours):
                h = entry.hours[month]
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
                        related = earlier_rc.loaded.at(("staff", earlier_i, "hours", earlier_m), key=True)
                    yield Hit(
                        ("staff", s.index, "hours", month),
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


# Legal forms, as they read once normalised ("S.r.l." → "s r l"), dropped from supplier names.
_LEGAL = re.compile(
    r"\b(s r l(?: s)?|srls?|s p a|spa|s n c|snc|s a s|sas|s c a r l|scarl|gmbh|ag|ltd|llc|inc|sa|bv|nv|societa|co)\b"
)


@functools.lru_cache(maxsize=4096)
def supplier_key(name: str) -> str:
    """A supplier's name, normalised: case, accents, legal forms and punctuation dropped
    (``Messe Düsseldorf GmbH`` = ``MESSE DUSSELDORF``)."""
    return " ".join(_LEGAL.sub(" ", normalise(name)).split())


_VAT_NOISE = re.compile(r"[\s.\-]")


def vat_key(vat: str) -> str:
    """A VAT number, normalised: ``IT 01234567890`` → ``01234567890``."""
    text = _VAT_NOISE.sub("", vat.upper())
    return text[2:] if text.startswith("IT") and text[2:].isdigit() else text


def document_key(document: str) -> str:
    """A document number, normalised: case and spaces ignored (``FT 1`` = ``ft1``)."""
    return "".join(document.upper().split())


@rule(
    "CB304",
    "double-claim",
    E,
    "The same invoice claimed twice, in one report or two.",
    "Reg. (UE) 1303/2013 art. 65(11); Reg. (UE) 2021/1060 art. 63(9) (no double funding)",
    "project",
)
def double_claim(ctx: ProjectContext) -> Iterator[Hit]:
    """
    What it checks: no two expenses of the project's reports share supplier (VAT number when
    both have one, else the normalised name), document number and year. The later claim is not
    accepted.

    Why: the same cost is never funded twice (Reg. 1303/2013 art. 65(11); CPR art. 63(9)).
    Document numbers are compared without case and spaces, supplier names also without
    punctuation and legal forms: `FT 1` of `Rossi S.r.l.` is `ft1` of `ROSSI SRL`.

    Fix: remove the repeated line; if two invoices really share a number, check the supplier.
    """
    for rc, i, erc, ei in repeated_invoices(ctx.reports):
        exp = rc.report.expenses[i]
        where = (
            msg("earlier in this report") if erc is rc else msg("in {period}", period=erc.report.period.id)
        )
        amount = rc.costs.expenses[i].eligible
        yield Hit(
            ("expenses", i, "document"),
            msg(
                "invoice {document} of {supplier} ({year}) is already claimed {where}: {amount:money} not accepted",
                document=exp.document,
                supplier=exp.supplier,
                year=str(exp.date.year),
                where=where,
                amount=amount,
            ),
            related=erc.loaded.at(("expenses", ei, "document")),
            doc=rc.loaded,
            disallow=RefuseCost(("expense", i), amount),
        )


def repeated_invoices(
    reports: Sequence[ReportCheck], counts: Callable[[ReportCheck, ReportCheck], bool] = lambda a, b: True
) -> Iterator[tuple[ReportCheck, int, ReportCheck, int]]:
    """Each expense that repeats an earlier one — same document number and year, same supplier
    (VAT number when both have one, else the normalised name) — with the first such earlier
    expense for which ``counts(earlier report, report)`` holds."""
    seen: dict[tuple[str, int], list[tuple[ReportCheck, int, str | None, str]]] = {}
    for rc in reports:
        for i, exp in enumerate(rc.report.expenses):
            key = (document_key(exp.document), exp.date.year)
            vat = vat_key(exp.supplier_vat) if exp.supplier_vat else None
            name = supplier_key(exp.supplier)
            for erc, ei, evat, ename in seen.get(key, []):
                same = (vat == evat) if (vat and evat) else (name == ename)
                if same and counts(erc, rc):
                    yield rc, i, erc, ei
                    break
            seen.setdefault(key, []).append((rc, i, vat, name))


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
    with each project's budget and reports): no invoice — same supplier, document number and
    year, as CB304 compares them — is claimed by the reports of two different projects.

    Why: no double funding (Reg. 1303/2013 art. 65(11); CPR art. 63(9)), across projects too.
    Each project's own figures cannot see the other project, so the claim is reported, not
    subtracted.

    Fix: claim the invoice in one project only, or split it with `eligible_share`.
    """
    owner = {id(rc): budget for budget, reports in ctx.projects for rc in reports}
    ordered = sorted(
        (rc for _, reports in ctx.projects for rc in reports),
        key=lambda rc: (rc.report.period.start, rc.loaded.display),
    )
    for rc, i, erc, ei in repeated_invoices(ordered, lambda a, b: owner[id(a)] != owner[id(b)]):
        exp = rc.report.expenses[i]
        yield Hit(
            ("expenses", i, "document"),
            msg(
                "invoice {document} of {supplier} ({year}) is also claimed by another project, {project} ({period})",
                document=exp.document,
                supplier=exp.supplier,
                year=str(exp.date.year),
                project=owner[id(erc)],
                period=erc.report.period.id,
            ),
            related=erc.loaded.at(("expenses", ei, "document")),
            doc=rc.loaded,
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
    "The call's tolerated shift between items (call pack parameter max_shift_between_items)",
    "progress",
)
def shift_exceeded(ctx: ProgressContext) -> Iterator[Hit]:
    """
    What it checks (when the call pack sets `max_shift_between_items`): no item's cumulative
    accepted cost exceeds its budget by more than that share of the item's budget.

    Why: the call tolerates moving that share of an item's budget without approval; beyond it,
    the overrun needs a variation approved by the Region.

    Fix: ask the Region for a variation of at least the amount stated (record it as a revision
    of the budget: `revises:` and `variation:`), or bring the item back within the tolerance.
    """
    limit = ctx.pack.parameters.max_shift_between_items
    if limit is None or not ctx.progress:
        return
    for r in ctx.progress[-1]:
        tolerated = round_cents(r.budget * limit)
        excess = r.cumulative - r.budget - tolerated
        if r.key != "total" and excess > 0:
            yield Hit(
                ("period",),
                msg(
                    "item {key}: {cumulative:money} against a budget of {budget:money} is beyond the "
                    "{limit:rate} shift the call tolerates ({tolerated:money}) by {excess:money}: "
                    "that much needs an approved variation",
                    key=r.key,
                    cumulative=r.cumulative,
                    budget=r.budget,
                    limit=limit,
                    tolerated=tolerated,
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
    missing = [k for k, v in params.model_dump().items() if v is None]
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
