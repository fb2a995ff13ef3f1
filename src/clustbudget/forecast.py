"""Compute: where the project is heading — months elapsed and left, the pace of spending so
far, the pace needed to reach the budget (and the call's minimum spend) by the end date, a
linear projection to the end date, and the actuals by calendar year against the budget's
``by_year`` split.

Pure functions on Decimals, fed by :mod:`clustbudget.compute`'s figures (the accepted
cumulative of each item after the latest period, each line's accepted amount): figures in,
figures out. Nothing here reads files, prints or knows about rules.

**Months** (:func:`months_between`): whole months from the project's start, the way
``duration_months`` counts them (a project that starts on 1 October has run 12 months on
30 September), plus the days left over as a fraction of the month that follows, rounded
half-up to two decimals: 2020-10-01 to 2022-09-20 is 23 months and 20 of September's 30
days, **23.67** months. The forecast's date (``as_of``) is the end of the latest period
reported: the accepted figures run to there. Elapsed = months from the start to ``as_of``
(at most to the end date), left = total − elapsed.

**Rounding** (README "Rounding"): every figure is rounded half-up to the cent once, from the
two-decimal months: the pace so far = actual ÷ elapsed; the pace needed = (budget − actual)
÷ left (0 when nothing is left to spend); the projection of a direct item = actual × total ÷
elapsed; a flat-rate item's projection is what it has accepted so far plus its rate × what its
base items are projected to add (E is computed on each period's direct costs, so the
projection adds E on the periods to come); the projected total is the sum of the projected
items. At the end date the projection is the actual.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from .compute import (
    UNASSIGNED,
    BudgetFigures,
    Disallowed,
    ItemProgress,
    ReportCosts,
    flat_rate,
    item_totals,
    sum_amounts,
)
from .compute import (
    accepted_by_year as line_years,
)
from .models import CallPack, CostReport
from .money import ZERO, round_cents
from .records import dataclass

if TYPE_CHECKING:
    from .pipeline import ProjectResult

MONTH_PLACES = Decimal("0.01")
TOTAL = "total"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the day clipped to the month's length)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> Decimal:
    """Months from ``start`` to ``end`` inclusive: whole months as ``duration_months`` counts
    them (``start`` + N months − 1 day ≤ ``end``), plus the remaining days as a fraction of
    the next month's length, half-up to two decimals. 0 when ``end`` is before ``start``.

    2020-10-01 → 2021-09-30: 12.00; 2020-10-01 → 2022-09-20: 23 + 20/30 = 23.67.
    """
    if end < start:
        return Decimal("0.00")
    whole = (end.year - start.year) * 12 + end.month - start.month + 1
    while whole > 0 and add_months(start, whole) - timedelta(days=1) > end:
        whole -= 1
    covered = add_months(start, whole) - timedelta(days=1)  # last day of the whole months
    days = (end - covered).days
    if not days:
        return Decimal(whole).quantize(MONTH_PLACES)
    length = (add_months(start, whole + 1) - add_months(start, whole)).days
    return (Decimal(whole) + Decimal(days) / Decimal(length)).quantize(MONTH_PLACES, rounding=ROUND_HALF_UP)


def per_month(amount: Decimal, months: Decimal) -> Decimal | None:
    """``amount ÷ months``, half-up to the cent; None when there are no months."""
    if months <= 0:
        return None
    return round_cents(amount / months)


@dataclass(frozen=True, slots=True)
class ItemForecast:
    """One item's (or the total's, key ``"total"``) forecast."""

    key: str
    budget: Decimal
    actual: Decimal
    """Accepted to date (cumulative, to the latest period)."""
    monthly: Decimal | None
    """Accepted per month so far: actual ÷ months elapsed (None: no month elapsed)."""
    needed: Decimal | None
    """Per month from now to reach the budget by the end date: (budget − actual) ÷ months
    left, 0 when the budget is reached (None: no month left)."""
    projected: Decimal | None
    """Accepted by the end date at the pace so far (None: no month elapsed, no pace yet)."""

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.actual

    @property
    def difference(self) -> Decimal | None:
        """Projected − budget: an expected overrun (positive) or shortfall (negative)."""
        return None if self.projected is None else self.projected - self.budget


@dataclass(frozen=True, slots=True)
class MinimumSpend:
    """The call's minimum spend (``parameters.min_spend_share`` of the budget's total)."""

    share: Decimal
    amount: Decimal
    """share × budget total, half-up to the cent."""
    needed: Decimal | None
    """Per month from now to reach it by the end date (0 when reached; None: no month left)."""
    projected_below: bool
    """The projected total is below it."""


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One calendar year: the budget's ``by_year`` split and what was accepted in it.

    ``year`` ``""`` holds the budget's amounts not split by year. ``budget`` None: the
    budget does not split its lines by year.
    """

    year: int | str
    budget: dict[str, Decimal] | None
    budget_total: Decimal | None
    actual: dict[str, Decimal]
    actual_total: Decimal


@dataclass(frozen=True)
class Forecast:
    """Where the project is heading, as of the end of the latest period reported."""

    start: date
    end: date
    as_of: date | None
    """The end of the latest period (None: nothing reported yet)."""
    months_total: Decimal
    months_elapsed: Decimal
    months_left: Decimal
    items: list[ItemForecast]
    """Every item of the budget in force (flat rates included), then ``total``."""
    minimum: MinimumSpend | None
    """None: the call pack does not set a minimum spend (not checked)."""
    by_year: list[YearFigures] = field(default_factory=list)

    @property
    def total(self) -> ItemForecast:
        return self.items[-1]

    def item(self, key: str) -> ItemForecast | None:
        return next((i for i in self.items if i.key == key), None)

    @property
    def ended(self) -> bool:
        """The latest period reaches the end date: no month left."""
        return self.months_left <= 0


def forecast(
    start: date,
    end: date,
    as_of: date | None,
    progress: Sequence[ItemProgress],
    budget: BudgetFigures,
    pack: CallPack,
    by_year: Sequence[YearFigures] = (),
) -> Forecast:
    """The forecast of a project from its budget against actual after the latest period
    (``progress``, :func:`clustbudget.compute.budget_vs_actual`'s rows, against the budget
    version in force ``budget``) at ``as_of``, the latest period's end (None: no period yet:
    nothing elapsed, no pace and no projection)."""
    total_months = months_between(start, end)
    elapsed = ZERO if as_of is None else months_between(start, min(as_of, end))
    left = max(total_months - elapsed, ZERO)
    rows = {r.key: r for r in progress}
    keys = [k for k in budget.items] + [
        r.key for r in progress if r.key not in budget.items and r.key != TOTAL
    ]
    actual = {k: rows[k].cumulative if k in rows else ZERO for k in keys}
    budgets = {k: budget.items.get(k, ZERO) for k in keys}
    projected_items: dict[str, Decimal] | None = None
    if elapsed > 0:
        flat = set(pack.flat_rate_items)
        projected_items = {k: round_cents(actual[k] * total_months / elapsed) for k in keys if k not in flat}
        for key in pack.flat_rate_items:
            # E accepted so far, plus E on the direct costs still to come (E is computed
            # on each period's direct costs: the projection adds future periods)
            item = pack.items[key]
            assert item.rate is not None and item.base is not None
            future = sum_amounts(projected_items.get(b, ZERO) - actual.get(b, ZERO) for b in item.base)
            projected_items[key] = actual.get(key, ZERO) + flat_rate(item.rate, future)
        projected_items = {k: projected_items.get(k, ZERO) for k in keys}
        projected_items[TOTAL] = sum_amounts(projected_items.values())

    def one(key: str, b: Decimal, a: Decimal) -> ItemForecast:
        needed = None if left <= 0 else round_cents(max(b - a, ZERO) / left)
        projected = projected_items[key] if projected_items is not None else None
        return ItemForecast(key, b, a, per_month(a, elapsed), needed, projected)

    items = [one(k, budgets[k], actual[k]) for k in keys]
    total_actual = rows[TOTAL].cumulative if TOTAL in rows else sum_amounts(actual.values())
    items.append(one(TOTAL, budget.total, total_actual))
    minimum = None
    share = pack.parameters.min_spend_share
    if share is not None:
        target = round_cents(budget.total * share)
        needed = None if left <= 0 else round_cents(max(target - total_actual, ZERO) / left)
        projected = items[-1].projected
        below = (projected if projected is not None else total_actual) < target
        minimum = MinimumSpend(share, target, needed, below)
    return Forecast(start, end, as_of, total_months, elapsed, left, items, minimum, list(by_year))


# ------------------------------------------------------------------ actuals by year


def accepted_by_year(
    reports: Iterable[tuple[CostReport, ReportCosts, Disallowed]], pack: CallPack
) -> dict[int, dict[str, Decimal]]:
    """What was accepted in each calendar year, per item (flat rates included).

    Each line as :func:`clustbudget.compute.accepted_by_year` splits it: a person's accepted
    cost goes to the years of their hours (derived from `days:` where given), in proportion to the hours
    of each year; an expense's accepted amount to the year of its
    invoice date. A year's flat rate is computed on that year's accepted direct costs, so the
    years' E may differ by a cent from the sum of the periods' E. ``reports`` are the
    project's reports with their costs and what is not accepted of each line (the final
    figure: disallowed, cut by the review, or kept on record).
    """
    direct: dict[int, dict[str, Decimal]] = {}
    for report, costs, not_accepted in reports:
        for ref, parts in line_years(report, costs, not_accepted).items():
            item = costs.item_of(ref)
            for year, part in parts.items():
                bucket = direct.setdefault(year, {})
                bucket[item] = bucket.get(item, ZERO) + part
    return {year: item_totals(pack, direct[year])[0] for year in sorted(direct)}


def years_against_budget(
    budget: BudgetFigures, actual: Mapping[int, Mapping[str, Decimal]], pack: CallPack
) -> list[YearFigures]:
    """Each year of the budget's ``by_year`` split or of the actuals, in order: the budget's
    items for the year (flat rates computed on the year's direct items) and the actuals; then
    the budget's amounts not split by year (``year`` ``""``), when some are. When the budget
    splits nothing by year, every year's budget is None."""
    split = {k: v for k, v in budget.by_year.items() if k != UNASSIGNED}
    years = sorted({*(k for k in split if isinstance(k, int)), *actual})
    out = []
    for year in years:
        b: dict[str, Decimal] | None = None
        b_total: Decimal | None = None
        if split:
            b, _, _, b_total = item_totals(pack, split.get(year, {}))
        a = dict(actual.get(year, {}))
        out.append(YearFigures(year, b, b_total, a, sum_amounts(a.values())))
    if split and UNASSIGNED in budget.by_year:
        b, _, _, b_total = item_totals(pack, budget.by_year[UNASSIGNED])
        out.append(YearFigures(UNASSIGNED, b, b_total, {}, ZERO))
    return out


# ------------------------------------------------------------------ a project's forecast


def project_forecast(project: ProjectResult, upto: int = -1) -> Forecast | None:
    """The forecast of a loaded project (:func:`clustbudget.pipeline.load_project`) as of
    the end of period ``upto`` (an index into ``project.computed``; -1, the latest), against
    the budget version in force then; None when the budget's figures could not be computed."""
    b = project.budget
    model, pack = b.budget, b.pack
    if model is None or pack is None or b.figures is None:
        return None
    computed = project.computed
    as_of = None
    progress: Sequence[ItemProgress] = []
    figures = b.figures
    if computed:
        upto %= len(computed)
        computed = computed[: upto + 1]
        last = computed[-1].report
        assert last is not None
        as_of = last.period.end
        progress = project.progress[upto]
        figures = project.in_force[upto].figures
    lines = [
        (r.report, r.costs, r.disallowed) for r in computed if r.report is not None and r.costs is not None
    ]
    years = years_against_budget(figures, accepted_by_year(lines, pack), pack)
    return forecast(model.project.start, model.project.end, as_of, progress, figures, pack, years)


@dataclass(frozen=True, slots=True)
class TimePoint:
    """One point of the project's time line: the start, a period's end, or the end date."""

    label: str
    """A period's id; ``""`` for the project's start and end date."""
    day: date
    months: Decimal
    """Months from the project's start (:func:`months_between`)."""
    accepted: Decimal | None
    """Accepted in the period (None at the start and the end date)."""
    cumulative: Decimal | None
    """Accepted to date (0 at the start; None at the end date, which is projected)."""
    planned: Decimal
    """The budget line: the total budget × months ÷ the project's months, half-up to the cent
    (what an even pace would have spent by then)."""


def time_line(fc: Forecast, periods: Sequence[tuple[str, date, Decimal]]) -> list[TimePoint]:
    """The start, each period's end with its accepted total (``periods``: id, end, accepted
    in it, in order) and the cumulative, and the end date, each with the budget line."""
    budget = fc.total.budget

    def planned(months: Decimal) -> Decimal:
        if fc.months_total <= 0:
            return budget
        return round_cents(budget * min(months, fc.months_total) / fc.months_total)

    points = [TimePoint("", fc.start, ZERO, None, ZERO, ZERO)]
    cumulative = ZERO
    for pid, end, accepted in periods:
        cumulative += accepted
        m = months_between(fc.start, min(end, fc.end))
        points.append(TimePoint(pid, end, m, accepted, cumulative, planned(m)))
    if not periods or periods[-1][1] < fc.end:
        points.append(TimePoint("", fc.end, fc.months_total, None, None, planned(fc.months_total)))
    return points
