"""CB230–CB239: a person's hours day by day (``days:`` in a cost report), and the components
of their annual cost.

The day checks look at what a signed monthly timesheet shows: no project hours on a Sunday,
an Italian national holiday or the local patron saint's day, none on a day of absence, none
outside the period, at most the person's contractual hours a day. The project hours these
rules refuse are counted once per day, whichever rules find them: every hit of a month carries
the same refusal, the month's total (:func:`day_refusals`), so that
:func:`~clustbudget.compute.disallowed_costs` (which keeps the larger of two refusals of one
person-month) refuses each hour once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from ..compute import (
    RefuseHours,
    contract_hours_per_day,
    day_months,
    day_project_hours,
    day_total_hours,
    month_hours,
    month_of,
    patron_saint_day,
    sum_amounts,
)
from ..findings import Severity
from ..holidays_it import italy, national_holidays
from ..i18n import Localized, msg
from ..models import Day
from ..money import ZERO
from ..records import dataclass
from . import Hit, rule
from .costreport import ReportContext

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@functools.lru_cache(maxsize=64)
def holiday_name(day: date) -> Localized:
    """The name of an Italian national holiday in Italian and English, from the `holidays`
    package (asked only to name a holiday a finding reports)."""
    it = italy()(years=day.year, language="it_IT").get(day)
    en = italy()(years=day.year, language="en_US").get(day)
    return Localized({"it": str(it or en or day), "en": str(en or it or day)})


def holiday(day: date) -> Localized | None:
    """The national holiday on ``day``, named, or None."""
    return holiday_name(day) if day in national_holidays(day.year) else None


def is_patron_saint_day(day: date, patron: str | None) -> bool:
    return patron is not None and f"{day.month:02d}-{day.day:02d}" == patron


@dataclass(frozen=True, slots=True)
class DayCheck:
    """What the day checks find on one day of one person."""

    person: int
    day: date
    entry: Day
    project: Decimal
    total: Decimal
    contract: Decimal
    outside: bool
    sunday: bool
    holiday: Localized | None
    patron: bool

    @property
    def refused(self) -> Decimal:
        """The project hours of the day that are not accepted."""
        if self.outside or self.sunday or self.holiday or self.patron or self.entry.absence:
            return self.project
        return max(self.project - self.contract, ZERO)

    @property
    def loc(self) -> tuple[str | int, ...]:
        return ("staff", self.person, "days", self.day.isoformat())


def day_checks(ctx: ReportContext) -> list[DayCheck]:
    """Every day given under ``days:`` in the report, with what the checks find on it."""
    budget, pack, per = ctx.budget, ctx.pack, ctx.report.period
    patron = patron_saint_day(budget, pack)
    start, end = max(per.start, budget.project.start), min(per.end, budget.project.end)
    out = []
    for i, entry in enumerate(ctx.report.staff):
        if not entry.days:
            continue
        contract = contract_hours_per_day(entry, pack)
        for day in sorted(entry.days):
            d = entry.days[day]
            project = day_project_hours(d)
            out.append(
                DayCheck(
                    i,
                    day,
                    d,
                    project,
                    day_total_hours(d),
                    contract,
                    not start <= day <= end,
                    day.weekday() == 6,
                    holiday(day) if project else None,
                    is_patron_saint_day(day, patron),
                )
            )
    return out


def day_refusals(checks: list[DayCheck]) -> dict[tuple[int, str], Decimal]:
    """The project hours refused per (person index, month), each day once."""
    out: dict[tuple[int, str], Decimal] = {}
    for c in checks:
        if c.refused:
            key = (c.person, month_of(c.day))
            out[key] = out.get(key, ZERO) + c.refused
    return out


def _checked(ctx: ReportContext) -> tuple[list[DayCheck], dict[tuple[int, str], Decimal]]:
    checks = day_checks(ctx)
    return checks, day_refusals(checks)


def _refusal(c: DayCheck, refused: dict[tuple[int, str], Decimal]) -> RefuseHours:
    month = month_of(c.day)
    return RefuseHours(c.person, month, refused[(c.person, month)])


@rule(
    "CB230",
    "day-over-contract",
    E,
    "More project hours on a day than the person's contractual hours a day.",
    "Reg. (UE) 1303/2013 art. 68a(2); Italian ERDF practice: signed monthly timesheets",
    "report",
)
def day_over_contract(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: on each day given under `days:`, the hours on the project are at most
    the person's contractual hours a day: `hours_per_day`, or else the call pack's
    `staff.hours_per_working_day` (8) pro rata to the person's `hours_per_year` (a part time
    of 860 hours a year: 4 hours a day). The hours beyond are not accepted.

    Why: the hourly rate divides the annual cost by the contractual hours; hours on the
    project beyond the day's contract are overtime that the rate does not pay for, and an
    auditor reads them as a timesheet error.

    Fix: correct the day from the signed timesheet, or give the person's `hours_per_day`
    when the contract says otherwise.
    """
    checks, refused = _checked(ctx)
    for c in checks:
        if c.refused and not (c.outside or c.sunday or c.holiday or c.patron or c.entry.absence):
            yield Hit(
                c.loc,
                msg(
                    "{name}: {hours:number} project hours on {day:date}, more than the {contract:number} "
                    "contractual hours a day: {excess:number} hours not accepted",
                    name=ctx.report.staff[c.person].name,
                    hours=c.project,
                    day=c.day,
                    contract=c.contract,
                    excess=c.refused,
                ),
                key=True,
                disallow=_refusal(c, refused),
            )


@rule(
    "CB231",
    "project-hours-sunday",
    E,
    "Project hours on a Sunday.",
    "Italian ERDF practice: signed monthly timesheets",
    "report",
)
def project_hours_sunday(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: no project hours on a Sunday among the days under `days:`. They are not
    accepted.

    Why: the Region's timesheets record no project hours on Sundays (the weekly rest day);
    Sunday work needs an authorisation and evidence that a funded project rarely has.

    Fix: move the hours to the day they were worked, or remove them.
    """
    checks, refused = _checked(ctx)
    for c in checks:
        if c.sunday and c.project and not c.outside:
            yield Hit(
                c.loc,
                msg(
                    "{name}: {hours:number} project hours on Sunday {day:date}: not accepted",
                    name=ctx.report.staff[c.person].name,
                    hours=c.project,
                    day=c.day,
                ),
                key=True,
                disallow=_refusal(c, refused),
            )


@rule(
    "CB232",
    "project-hours-holiday",
    E,
    "Project hours on an Italian national holiday.",
    "Italian national holidays (L. 260/1949); Italian ERDF practice: signed monthly timesheets",
    "report",
)
def project_hours_holiday(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: no project hours on an Italian national holiday (New Year's Day,
    Epiphany, Easter Monday, 25 April, 1 May, 2 June, 15 August, 1 November, 8, 25 and 26
    December — the calendar of the `holidays` package) among the days under `days:`. They
    are not accepted.

    Why: the Region's timesheets record no project hours on national holidays.

    Fix: move the hours to the day they were worked, or remove them.
    """
    checks, refused = _checked(ctx)
    for c in checks:
        if c.holiday is not None and c.project and not c.outside and not c.sunday:
            yield Hit(
                c.loc,
                msg(
                    "{name}: {hours:number} project hours on {day:date}, a national holiday ({holiday}): "
                    "not accepted",
                    name=ctx.report.staff[c.person].name,
                    hours=c.project,
                    day=c.day,
                    holiday=c.holiday,
                ),
                key=True,
                disallow=_refusal(c, refused),
            )


@rule(
    "CB233",
    "project-hours-patron-saint",
    E,
    "Project hours on the local patron saint's day.",
    "Local public holiday (project.patron_saint_day); Italian ERDF practice: signed monthly timesheets",
    "report",
)
def project_hours_patron_saint(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: no project hours on the local patron saint's day — the project's
    `patron_saint_day` (MM-DD: `10-04` for San Petronio in Bologna), else the call pack's
    `staff.patron_saint_day`; not checked when neither is set. They are not accepted.

    Why: the patron saint's day is a public holiday where the beneficiary works; the
    Region's timesheets record no project hours on it.

    Fix: move the hours to the day they were worked, or remove them; set
    `project.patron_saint_day` to the day of the beneficiary's town.
    """
    checks, refused = _checked(ctx)
    for c in checks:
        if c.patron and c.project and not (c.outside or c.sunday or c.holiday):
            yield Hit(
                c.loc,
                msg(
                    "{name}: {hours:number} project hours on {day:date}, the patron saint's day: not accepted",
                    name=ctx.report.staff[c.person].name,
                    hours=c.project,
                    day=c.day,
                ),
                key=True,
                disallow=_refusal(c, refused),
            )


@rule(
    "CB234",
    "day-total-over-contract",
    W,
    "Project, other projects and ordinary activity together above the contractual hours of a day.",
    "Italian ERDF practice: signed monthly timesheets",
    "report",
)
def day_total_over_contract(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: on each day under `days:`, the hours on the project, on other projects
    and of ordinary activity together are at most the person's contractual hours a day
    (see CB230). The project hours stay accepted (CB230 refuses those beyond the contract).

    Why: a timesheet's totals must match the person's presence; more hours than the contract
    are overtime, which the auditor will ask to see.

    Fix: check the day against the attendance record (foglio presenze).
    """
    for c in day_checks(ctx):
        if c.total > c.contract and c.project <= c.contract and not c.entry.absence:
            yield Hit(
                c.loc,
                msg(
                    "{name}: {total:number} hours on {day:date} (project {project:number}, other projects "
                    "{other:number}, ordinary activity {ordinary:number}), more than the {contract:number} "
                    "contractual hours a day",
                    name=ctx.report.staff[c.person].name,
                    total=c.total,
                    day=c.day,
                    project=c.project,
                    other=c.entry.other_projects,
                    ordinary=c.entry.ordinary,
                    contract=c.contract,
                ),
                key=True,
            )


@rule(
    "CB235",
    "absence-with-hours",
    E,
    "A day of absence with hours worked.",
    "Italian ERDF practice: signed monthly timesheets",
    "report",
)
def absence_with_hours(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: a day with an `absence` (ferie, malattia…) has no hours on the project,
    on other projects or of ordinary activity. Its project hours are not accepted.

    Why: an absence is a day not worked; hours on it contradict the attendance record.

    Fix: remove the hours, or the absence if the person worked that day.
    """
    checks, refused = _checked(ctx)
    for c in checks:
        if c.entry.absence and c.total and not c.outside:
            yield Hit(
                c.loc,
                msg(
                    "{name}: {day:date} is an absence ({absence}) but has {total:number} hours: "
                    "{refused:number} project hours not accepted",
                    name=ctx.report.staff[c.person].name,
                    day=c.day,
                    absence=c.entry.absence,
                    total=c.total,
                    refused=c.project,
                ),
                key=True,
                disallow=_refusal(c, refused) if c.project else None,
            )


@rule(
    "CB236",
    "month-typed-twice",
    E,
    "A month's hours given both by month and day by day.",
    "File consistency check (clustbudget): the hours of a month are given once",
    "report",
)
def month_typed_twice(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: a month of a person is given either under `hours` (by month) or under
    `days` (day by day), not both. The days count.

    Why: a figure typed twice drifts; the month's hours are the sum of its days.

    Fix: remove the month from `hours:`.
    """
    for i, entry in enumerate(ctx.report.staff):
        if not entry.days:
            continue
        derived = month_hours(entry)
        for month in sorted(day_months(entry) & set(entry.hours)):
            yield Hit(
                ("staff", i, "hours", month),
                msg(
                    "{name}: {month:month} is given both under hours ({typed:number}) and day by day "
                    "under days ({derived:number}): give it once (the days count)",
                    name=entry.name,
                    month=month,
                    typed=entry.hours[month],
                    derived=derived[month],
                ),
                key=True,
            )


@rule(
    "CB237",
    "day-outside-period",
    E,
    "Project hours on a day outside the period or the project.",
    "Reg. (UE) 1303/2013 art. 65(2); file consistency check (clustbudget)",
    "report",
)
def day_outside_period(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: every day with project hours under `days:` lies in the report's period
    and in the project's dates (a month split between two periods: each report gives the
    days of its own period). Its hours are not accepted.

    Why: each report claims its own period's costs; a day of another period belongs to
    another report, where it could be claimed again.

    Fix: move the day to the report of its period.
    """
    checks, refused = _checked(ctx)
    per = ctx.report.period
    for c in checks:
        if c.outside and c.project:
            yield Hit(
                c.loc,
                msg(
                    "{name}: {hours:number} project hours on {day:date}, outside period {period} "
                    "({start} – {end}) or the project: not accepted",
                    name=ctx.report.staff[c.person].name,
                    hours=c.project,
                    day=c.day,
                    period=per.id,
                    start=per.start,
                    end=per.end,
                ),
                key=True,
                disallow=_refusal(c, refused),
            )


@rule(
    "CB238",
    "day-unknown-action",
    E,
    "A day's hours under an action the budget does not have.",
    "File consistency check (clustbudget): actions are the budget's",
    "report",
)
def day_unknown_action(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: the action ids under a day's `actions:` are the budget's `actions`.

    Why: the timesheet shows the hours per action of the project; an action the budget does
    not have is a typing error, and its hours could not be traced to the project's work.

    Fix: use an action id of the budget, or give the day's hours as `project:`.
    """
    known = {a.id for a in ctx.budget.actions}
    for i, entry in enumerate(ctx.report.staff):
        for day in sorted(entry.days):
            for action in entry.days[day].actions:
                if action not in known:
                    yield Hit(
                        ("staff", i, "days", day.isoformat(), "actions", action),
                        msg(
                            "{name}: action {action!r} on {day:date} is not one of the budget's actions ({known})",
                            name=entry.name,
                            action=action,
                            day=day,
                            known=", ".join(sorted(known)) or "—",
                        ),
                        key=True,
                    )


@rule(
    "CB239",
    "cost-components-sum",
    E,
    "The components of a person's annual cost do not add up to it.",
    "Reg. (UE) 1303/2013 art. 68a(2): the latest documented annual gross employment cost",
    "report",
)
def cost_components_sum(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: where a staff entry gives its `cost_components` (gross pay, social
    charges, TFR, other), they add up to its `annual_gross_cost`, and their `year` is its
    `cost_year`.

    Why: the hourly-cost statement (prospetto del costo orario) shows the components and
    their sum; the rate is that sum ÷ the hours basis. A sum that differs from the cost the
    rate is computed on would file a statement that contradicts the claim.

    Fix: correct the components from the payslips and the CU, or the annual cost.
    """
    for i, entry in enumerate(ctx.report.staff):
        comp = entry.cost_components
        if comp is None:
            continue
        total = sum_amounts([comp.gross_pay, comp.social_charges, comp.tfr, comp.other])
        if total != entry.annual_gross_cost:
            yield Hit(
                ("staff", i, "cost_components"),
                msg(
                    "{name}: the cost components add up to {total:money}, but annual_gross_cost is "
                    "{cost:money} (difference {diff:money})",
                    name=entry.name,
                    total=total,
                    cost=entry.annual_gross_cost,
                    diff=abs(total - entry.annual_gross_cost),
                ),
                key=True,
            )
        if comp.year != entry.cost_year:
            yield Hit(
                ("staff", i, "cost_components", "year"),
                msg(
                    "{name}: the cost components are of {year}, but cost_year is {cost_year}",
                    name=entry.name,
                    year=str(comp.year),
                    cost_year=str(entry.cost_year),
                ),
            )
