"""Compute: pure functions on Decimals — the flat rate, totals, shares, splits.

This is where the 25% is computed (:func:`flat_rate`, applied by :func:`budget_figures`).
Nothing here reads files, prints, or knows about rules: figures in, figures out.
Every rounding is :func:`~clustbudget.money.round_cents` (half-up to the cent).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .models import Budget, CallPack
from .money import CENT, ZERO, round_cents
from .records import dataclass

if TYPE_CHECKING:  # the report's models are made on first use (models.py)
    from .models import CostComponents, CostReport, Day, Expense, StaffEntry

SHARE_PLACES = Decimal("0.0001")
UNASSIGNED = ""
"""Key of the costs given no action (by action) or no split by year (by year)."""


def flat_rate(rate: Decimal, base_amount: Decimal) -> Decimal:
    """A flat-rate item: ``rate × base``, rounded half-up to the cent (E = 25% of A+B+C+D)."""
    return round_cents(rate * base_amount)


def share(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` as a fraction with four decimals, half-up; 0 when ``whole`` is 0."""
    if not whole:
        return Decimal("0.0000")
    return (part / whole).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, parts: int) -> list[Decimal]:
    """Split ``amount`` into ``parts`` equal shares to the cent that add up exactly.

    The cents left over go to the first shares: 100.00 / 3 → 33.34, 33.33, 33.33.
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    cents = int((amount / CENT).to_integral_value())
    base, extra = divmod(cents, parts)
    return [(Decimal(base + (1 if i < extra else 0)) * CENT) for i in range(parts)]


def allocated(amount: Decimal, parts: int, shares: Iterable[int]) -> Decimal:
    """The sum of shares ``shares`` (0-based) of :func:`allocate`'s split of ``amount`` into
    ``parts``: what an action named more than once on a line receives."""
    split = allocate(amount, parts)
    return sum_amounts(split[i] for i in shares)


@dataclass(frozen=True, slots=True)
class FlatRateFigure:
    """A computed flat-rate item: ``amount = round(rate × base_amount)``."""

    key: str
    rate: Decimal
    base: tuple[str, ...]
    base_amount: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BudgetFigures:
    """Everything computed from a budget: per item, direct subtotal, flat rates, total.

    The figures :func:`budget_figures` makes split the lines by action and by year on the
    first use of ``by_action`` or ``by_year``: the budget rules never read them, and
    ``validate`` of a folder of budgets without reports would split every line for nothing.
    """

    items: dict[str, Decimal]
    direct: Decimal
    flat_rates: list[FlatRateFigure]
    total: Decimal
    by_action: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    by_year: dict[int | str, dict[str, Decimal]] = field(default_factory=dict)

    def share(self, key: str) -> Decimal:
        return share(self.items.get(key, ZERO), self.total)

    @classmethod
    def _split_later(
        cls,
        items: dict[str, Decimal],
        direct: Decimal,
        flat_rates: list[FlatRateFigure],
        total: Decimal,
        of: Any,
    ) -> BudgetFigures:
        """Figures whose ``by_action`` and ``by_year`` are :func:`_splits` of ``of`` (a budget and
        its pack), made when first read."""
        figures = object.__new__(cls)
        setattr_ = object.__setattr__
        setattr_(figures, "items", items)
        setattr_(figures, "direct", direct)
        setattr_(figures, "flat_rates", flat_rates)
        setattr_(figures, "total", total)
        setattr_(figures, "_of", of)
        return figures

    if not TYPE_CHECKING:  # for a type checker, by_action and by_year are plain fields

        def __getattr__(self, name: str) -> Any:
            # Only called for an attribute not set: the splits of figures made by _split_later.
            of = self.__dict__.get("_of") if name in ("by_action", "by_year") else None
            if of is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            by_action, by_year = _splits(*of)
            object.__setattr__(self, "by_action", by_action)
            object.__setattr__(self, "by_year", by_year)
            return by_action if name == "by_action" else by_year


def sum_amounts(values: Iterable[Decimal]) -> Decimal:
    """Exact sum, ``0.00`` for nothing."""
    return sum(values, ZERO)


class PackShape:
    """What the figures need of a call pack's items, worked out once per pack of a run (a
    run of 1,000 budgets under one pack asks for it 1,000 times). A plain class: a dataclass
    costs a compiled ``__init__`` at every start."""

    __slots__ = ("direct", "flat", "flat_rates", "items")

    def __init__(
        self,
        items: tuple[str, ...],
        direct: tuple[str, ...],
        flat: frozenset[str],
        flat_rates: tuple[tuple[str, Decimal, tuple[str, ...]], ...],
    ) -> None:
        self.items = items
        """Every item, in the pack's order."""
        self.direct = direct
        """The direct items (A–D), in the pack's order."""
        self.flat = flat
        """The flat-rate items (E)."""
        self.flat_rates = flat_rates
        """Each flat-rate item: its key, rate and base items, in the pack's order."""


_SHAPES: dict[int, tuple[CallPack, PackShape]] = {}
"""The shape of each pack asked for, by ``id`` (the pack is kept with it, so the id cannot be
another object's); a pack model is frozen, so its shape never changes."""
_MAX_SHAPES = 64


def pack_shape(pack: CallPack) -> PackShape:
    """The :class:`PackShape` of ``pack`` (made on its first use)."""
    known = _SHAPES.get(id(pack))
    if known is not None and known[0] is pack:
        return known[1]
    rates: list[tuple[str, Decimal, tuple[str, ...]]] = []
    for key in pack.flat_rate_items:
        item = pack.items[key]
        assert item.rate is not None and item.base is not None
        rates.append((key, item.rate, tuple(item.base)))
    shape = PackShape(
        tuple(pack.items), tuple(pack.direct_items), frozenset(pack.flat_rate_items), tuple(rates)
    )
    if len(_SHAPES) >= _MAX_SHAPES:
        _SHAPES.clear()
    _SHAPES[id(pack)] = (pack, shape)
    return shape


def item_totals(
    pack: CallPack, direct: Mapping[str, Decimal]
) -> tuple[dict[str, Decimal], Decimal, list[FlatRateFigure], Decimal]:
    """From direct item amounts, compute every flat-rate item and the totals.

    Returns the amounts of all the pack's items (in the pack's order, flat rates included;
    items the pack does not define are left out: they cannot be funded), the direct
    subtotal, the flat-rate figures and the total. Shared by budgets and cost reports, so both compute E the same way.
    """
    shape = pack_shape(pack)
    get = direct.get
    items = {key: get(key, ZERO) for key in shape.direct}
    direct_total = sum(items.values(), ZERO)
    rates: list[FlatRateFigure] = []
    computed: dict[str, Decimal] = {}
    total = direct_total
    for key, rate, base in shape.flat_rates:
        base_amount = ZERO
        for k in base:
            base_amount += items[k]
        amount = flat_rate(rate, base_amount)
        rates.append(FlatRateFigure(key, rate, base, base_amount, amount))
        computed[key] = amount
        total += amount
    ordered = {k: items[k] if k in items else computed[k] for k in shape.items}
    return ordered, direct_total, rates, total


def budget_figures(budget: Budget, pack: CallPack) -> BudgetFigures:
    """Compute a budget's figures under its call pack.

    Lines under a flat-rate item, or under an item the call does not define, are left out
    here (rules CB101 and CB102 report them): E is computed, never typed in.
    """
    shape = pack_shape(pack)
    flat, defined = shape.flat, pack.items
    direct: dict[str, Decimal] = {}
    for key, lines in budget.costs.items():
        if key in flat or key not in defined:
            continue
        subtotal = ZERO
        for line in lines:
            subtotal += line.amount
        direct[key] = subtotal
    items, direct_total, rates, total = item_totals(pack, direct)
    return BudgetFigures._split_later(items, direct_total, rates, total, (budget, pack))


def _splits(
    budget: Budget, pack: CallPack
) -> tuple[dict[str, dict[str, Decimal]], dict[int | str, dict[str, Decimal]]]:
    """A budget's direct costs by action (a line of several actions split with
    :func:`allocate`) and by year (a line without ``by_year`` under :data:`UNASSIGNED`)."""
    shape = pack_shape(pack)
    flat, defined = shape.flat, pack.items
    by_action: dict[str, dict[str, Decimal]] = {}
    by_year: dict[int | str, dict[str, Decimal]] = {}
    for key, lines in budget.costs.items():
        if key in flat or key not in defined:
            continue
        for line in lines:
            amount = line.amount
            actions = line.action
            if len(actions) < 2:
                # One action (or none): its share is the whole amount. An amount has at most
                # two decimals, so adding it to a bucket (which starts at 0.00) gives what
                # adding allocate(amount, 1)[0] gives, to the digit.
                action = actions[0] if actions else UNASSIGNED
                bucket = by_action.get(action)
                if bucket is None:
                    bucket = by_action[action] = {}
                bucket[key] = bucket.get(key, ZERO) + amount
            else:
                for action, part in zip(actions, allocate(amount, len(actions)), strict=True):
                    bucket = by_action.setdefault(action, {})
                    bucket[key] = bucket.get(key, ZERO) + part
            split = line.by_year
            if split:
                for year_key, part in split.items():
                    bucket = by_year.get(year_key)
                    if bucket is None:
                        bucket = by_year[year_key] = {}
                    bucket[key] = bucket.get(key, ZERO) + part
            else:
                bucket = by_year.get(UNASSIGNED)
                if bucket is None:
                    bucket = by_year[UNASSIGNED] = {}
                bucket[key] = bucket.get(key, ZERO) + amount
    return by_action, by_year


# ====================================================================== cost reports

Ref = tuple[str, int]
"""A claimed cost in a report: ``("staff", i)`` or ``("expense", i)``."""


def hourly_rate(annual_gross_cost: Decimal, hours_per_year: Decimal) -> Decimal:
    """Annual gross employment cost ÷ hours per year, half-up to the cent (65,000 ÷ 1,720 = 37.79)."""
    if not hours_per_year:
        return ZERO
    return round_cents(annual_gross_cost / hours_per_year)


def staff_cost(rate: Decimal, hours: Decimal) -> Decimal:
    """Hourly rate × hours, half-up to the cent (37.79 × 290 = 10,959.10)."""
    return round_cents(rate * hours)


# ---------------------------------------------------------------- hours by day and by month

DEFAULT_HOURS_PER_DAY = Decimal(8)
HOURS_PLACES = Decimal("0.01")


def day_project_hours(day: Day) -> Decimal:
    """A day's hours on the project: ``project``, or the sum of its hours per action."""
    if day.project is not None:
        return day.project
    return sum_amounts(day.actions.values())


def day_total_hours(day: Day) -> Decimal:
    """A day's hours worked in all: on the project, other projects and ordinary activity."""
    return day_project_hours(day) + day.other_projects + day.ordinary


def month_of(day: Date) -> str:
    """The ``YYYY-MM`` month of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def month_hours(entry: StaffEntry) -> dict[str, Decimal]:
    """A person's hours on the project per month (``YYYY-MM``), in month order: the months
    typed under ``hours``, and those given day by day under ``days`` (their project hours
    summed, never typed twice). A month given both ways counts its days (CB236 reports it)."""
    out = dict(entry.hours)
    from_days: dict[str, Decimal] = {}
    for day, d in entry.days.items():
        key = month_of(day)
        from_days[key] = from_days.get(key, ZERO) + day_project_hours(d)
    out.update(from_days)
    return dict(sorted(out.items()))


def day_months(entry: StaffEntry) -> set[str]:
    """The months a person's hours are given day by day."""
    return {month_of(day) for day in entry.days}


def contract_hours_per_day(entry: StaffEntry, pack: CallPack) -> Decimal:
    """A person's contractual hours per working day: ``hours_per_day`` when given, else the
    call pack's ``staff.hours_per_working_day`` (8 when null) pro rata to the person's hours a
    year (part time: 8 × 860 ÷ 1,720 = 4), half-up to the hundredth of an hour."""
    if entry.hours_per_day is not None:
        return entry.hours_per_day
    full = pack.staff.hours_per_working_day or DEFAULT_HOURS_PER_DAY
    basis = entry.hours_per_year
    if basis is None or basis == pack.staff.hours_per_year or not pack.staff.hours_per_year:
        return full
    return (full * basis / pack.staff.hours_per_year).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)


def patron_saint_day(budget: Budget, pack: CallPack) -> str | None:
    """The patron saint's day (``MM-DD``) in force for a project: the project's, else the call
    pack's ``staff.patron_saint_day``, else None."""
    return budget.project.patron_saint_day or pack.staff.patron_saint_day


@dataclass(frozen=True, slots=True)
class CostStatementFigures:
    """The figures of a person's hourly-cost statement (prospetto del costo orario)."""

    gross_pay: Decimal | None
    social_charges: Decimal | None
    tfr: Decimal | None
    other: Decimal | None
    total: Decimal
    """The components' sum (the annual gross cost when no components are given)."""
    annual_gross_cost: Decimal
    hours_per_year: Decimal
    hourly_rate: Decimal
    """total ÷ hours_per_year, half-up to the cent (:func:`hourly_rate`)."""

    @property
    def itemised(self) -> bool:
        return self.gross_pay is not None

    @property
    def matches(self) -> bool:
        """The components add up to the annual gross cost the claim's rate is computed on."""
        return self.total == self.annual_gross_cost


def cost_statement_figures(
    annual_gross_cost: Decimal, components: CostComponents | None, hours_per_year: Decimal
) -> CostStatementFigures:
    """A person's hourly-cost statement: the components of the annual cost, their sum, and
    sum ÷ hours basis = the hourly rate, rounded as :func:`hourly_rate` rounds (the same rate
    as the claim's when the components add up to ``annual_gross_cost``, CB239)."""
    if components is None:
        rate = hourly_rate(annual_gross_cost, hours_per_year)
        return CostStatementFigures(
            None, None, None, None, annual_gross_cost, annual_gross_cost, hours_per_year, rate
        )
    c = components
    total = sum_amounts([c.gross_pay, c.social_charges, c.tfr, c.other])
    return CostStatementFigures(
        c.gross_pay,
        c.social_charges,
        c.tfr,
        c.other,
        total,
        annual_gross_cost,
        hours_per_year,
        hourly_rate(total, hours_per_year),
    )


@dataclass(frozen=True, slots=True)
class StaffCost:
    """One person's claimed cost in a period."""

    index: int
    id: str
    name: str
    item: str
    annual_gross_cost: Decimal
    hours_per_year: Decimal
    hourly_rate: Decimal
    hours: Decimal
    cost: Decimal
    months: Mapping[str, Decimal] = field(default_factory=dict)
    """The hours per month (:func:`month_hours`), whose sum is ``hours``."""


@dataclass(slots=True)
class ExpenseCost:
    """One expense's claimed cost: the taxable amount, eligible VAT, times the eligible share.

    An expense kept on record (``claimed: false``) keeps its figures for display, but is
    counted nowhere (``claimed`` False). Not frozen, though nothing changes it: a frozen
    dataclass's ``__init__`` takes four times as long, on every expense of a report.
    """

    index: int
    item: str
    vat_eligible: Decimal
    share: Decimal
    eligible: Decimal
    claimed: bool = True


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One payment of an expense: ``amount`` None is the one-payment form (``paid:``), which
    pays the invoice in full; ``loc`` is the path of its date within the expense."""

    date: Date
    amount: Decimal | None
    method: str | None
    reference: str | None
    loc: tuple[str | int, ...]


def payments_of(expense: Expense) -> list[PaymentLine]:
    """An expense's payments, in either form: ``payments:`` or ``paid``/``payment``."""
    if expense.payments is not None:
        return [
            PaymentLine(p.date, p.amount, p.method, p.reference, ("payments", k, "date"))
            for k, p in enumerate(expense.payments)
        ]
    if expense.paid is None:
        return []
    return [PaymentLine(expense.paid, None, expense.payment, expense.payment_ref, ("paid",))]


def amount_due(expense: Expense) -> Decimal:
    """What the supplier is paid for this line: its taxable amount plus its VAT (VAT is paid
    whether or not the project can recover it)."""
    return expense.amount + (expense.vat or ZERO)


def paid_by(expense: Expense, day: Date) -> Decimal | None:
    """The amount paid on or before ``day``; None when the one-payment form pays in full."""
    total = ZERO
    for pay in payments_of(expense):
        if pay.date <= day:
            if pay.amount is None:
                return None
            total += pay.amount
    return total


def invoice_charge(expense: Expense) -> Decimal:
    """The part of the invoice's taxable amount this line charges: amount × eligible share."""
    share = expense.eligible_share
    # Without a share the charge is the amount itself (the same value and digits as amount × 1,
    # without a new Decimal kept per line).
    return expense.amount if share is None else expense.amount * share


def expense_eligible(
    amount: Decimal, vat: Decimal | None, share: Decimal | None, vat_recoverable: bool
) -> tuple[Decimal, Decimal]:
    """(eligible VAT, eligible amount): VAT counts only when not recoverable; the share applies
    to the sum and is rounded half-up to the cent."""
    vat_ok = (vat or ZERO) if not vat_recoverable else ZERO
    gross = amount + vat_ok
    if share is None:
        return vat_ok, gross
    return vat_ok, round_cents(gross * share)


@dataclass(frozen=True)
class ReportCosts:
    """Every cost a report claims, computed line by line, before any rule disallows one."""

    staff: list[StaffCost]
    expenses: list[ExpenseCost]

    def amount(self, ref: Ref) -> Decimal:
        kind, i = ref
        return self.staff[i].cost if kind == "staff" else self.expenses[i].eligible

    def item_of(self, ref: Ref) -> str:
        kind, i = ref
        return self.staff[i].item if kind == "staff" else self.expenses[i].item


_WHOLE = Decimal(1)
"""The share of an expense that gives none (one Decimal for all of them)."""


def report_costs(report: CostReport, vat_recoverable: bool, default_hours: Decimal) -> ReportCosts:
    """Compute the claimed cost of each staff entry and each expense of a report."""
    staff = []
    for i, s in enumerate(report.staff):
        basis = s.hours_per_year if s.hours_per_year is not None else default_hours
        rate = hourly_rate(s.annual_gross_cost, basis)
        months = month_hours(s) if s.days else s.hours
        hours = sum_amounts(months.values())
        staff.append(
            StaffCost(
                i,
                s.id,
                s.name,
                s.item,
                s.annual_gross_cost,
                basis,
                rate,
                hours,
                staff_cost(rate, hours),
                months,
            )
        )
    expenses = []
    for i, e in enumerate(report.expenses):
        share_ = e.eligible_share if e.eligible_share is not None else _WHOLE
        vat_ok, eligible = expense_eligible(e.amount, e.vat, e.eligible_share, vat_recoverable)
        expenses.append(ExpenseCost(i, e.item, vat_ok, share_, eligible, e.claimed))
    return ReportCosts(staff, expenses)


@dataclass(frozen=True)
class PeriodFigures:
    """A period's figures: what was claimed, what was disallowed, what is accepted.

    ``items`` holds the accepted amounts (flat rates recomputed on the accepted direct costs of
    this period, never carried over from the budget).
    """

    claimed: dict[str, Decimal]
    disallowed: dict[str, Decimal]
    items: dict[str, Decimal]
    direct: Decimal
    flat_rates: list[FlatRateFigure]
    total: Decimal
    cut: dict[str, Decimal] = field(default_factory=dict)
    """What the Region's review cut, per item: requested − approved on the lines it approved
    (on those lines the review's figure replaces what the rules disallowed)."""
    reviewed: bool = False
    """The period has the review's outcome (a review date, or an approved amount): ``items``
    are then the approved figures."""
    requested: dict[str, Decimal] = field(default_factory=dict)
    """Every item as claimed, flat rates computed on the claimed direct costs."""


@dataclass(frozen=True, slots=True)
class RefuseCost:
    """A rule refuses a claimed cost, up to ``amount`` (usually the whole cost)."""

    ref: Ref
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RefuseHours:
    """A rule refuses ``hours`` of person ``person``'s hours of ``month`` (``YYYY-MM``); the
    cost refused follows from the hours accepted (:func:`disallowed_costs`)."""

    person: int
    month: str
    hours: Decimal


Refusal = RefuseCost | RefuseHours
"""What a rule disallows (``Hit.disallow``): a cost, or hours of one person-month."""


@dataclass(frozen=True, eq=False)
class Disallowed(Mapping[Ref, Decimal]):
    """What the rules refuse of one report, final: per cost (``ref → amount``), never more
    than the cost. A read-only mapping, so ``disallowed.get(ref, ZERO)`` is the amount not
    accepted; ``hours`` keeps the hours refused per ``(person index, month)``."""

    amounts: dict[Ref, Decimal] = field(default_factory=dict)
    hours: dict[tuple[int, str], Decimal] = field(default_factory=dict)

    def __getitem__(self, ref: Ref) -> Decimal:
        return self.amounts[ref]

    def __iter__(self) -> Iterator[Ref]:
        return iter(self.amounts)

    def __len__(self) -> int:
        return len(self.amounts)

    def __contains__(self, ref: object) -> bool:
        return ref in self.amounts

    def get(self, ref: Ref, default: Any = None) -> Any:
        # Mapping.get goes through __getitem__ and a KeyError for every line not refused.
        return self.amounts.get(ref, default)

    def accepted(self, costs: ReportCosts, ref: Ref) -> Decimal:
        """What is accepted of a cost: the cost minus what is disallowed of it."""
        return costs.amount(ref) - self.amounts.get(ref, ZERO)


def disallowed_costs(costs: ReportCosts, refusals: Iterable[Refusal]) -> Disallowed:
    """Apply what the rules refuse to a report's costs, once: the policy in one place.

    Two rules refusing the same cost refuse it once (the larger amount); two rules refusing
    hours of the same person and month refuse those hours once (the larger number). A
    person's refused hours become an amount as the cost of the hours claimed minus the cost
    of the hours accepted, each rounded as :func:`staff_cost` rounds. Every amount is capped
    at the cost it refuses.
    """
    amounts: dict[Ref, Decimal] = {}
    hours: dict[tuple[int, str], Decimal] = {}
    for refusal in refusals:
        if isinstance(refusal, RefuseHours):
            key = (refusal.person, refusal.month)
            hours[key] = max(hours.get(key, ZERO), refusal.hours)
        else:
            amounts[refusal.ref] = max(amounts.get(refusal.ref, ZERO), refusal.amount)
    for ref, amount in refused_hours_cost(costs, hours).items():
        amounts[ref] = max(amounts.get(ref, ZERO), amount)
    capped = {ref: min(amount, costs.amount(ref)) for ref, amount in amounts.items()}
    return Disallowed(capped, hours)


def refused_hours_cost(costs: ReportCosts, refused: Mapping[tuple[int, str], Decimal]) -> dict[Ref, Decimal]:
    """The cost of the hours refused per person and month: a person's cost minus the cost of
    the hours accepted, each rounded as :func:`staff_cost` rounds (never more than the cost).

    ``refused`` holds the hours refused for ``(person index, month)``, each person-month once
    (:func:`disallowed_costs` merges what several rules refuse).
    """
    hours_by_person: dict[int, Decimal] = {}
    for (index, _month), h in refused.items():
        hours_by_person[index] = hours_by_person.get(index, ZERO) + h
    out: dict[Ref, Decimal] = {}
    for index, h in hours_by_person.items():
        s = costs.staff[index]
        accepted = staff_cost(s.hourly_rate, max(s.hours - h, ZERO))
        out[("staff", index)] = s.cost - accepted
    return out


def period_figures(
    costs: ReportCosts,
    pack: CallPack,
    disallowed: Mapping[Ref, Decimal],
    approved: Mapping[Ref, Decimal] | None = None,
    reviewed: bool = False,
) -> PeriodFigures:
    """Accepted figures of a period: claimed − disallowed per item, then E on what is accepted.

    ``disallowed`` comes from :func:`disallowed_costs` (each amount already capped at its
    cost, so two rules refusing the same invoice never take more than the invoice away). A
    line with an ``approved`` amount (the Region's review) counts that amount, at most what it
    requests: the review cuts the rest, and E is recomputed on the approved direct costs, as
    the Region's platform does. Expenses kept on record (``claimed: false``) are counted nowhere.
    """
    approved = approved or {}
    claimed: dict[str, Decimal] = {}
    refused: dict[str, Decimal] = {}
    cuts: dict[str, Decimal] = {}
    lines: list[tuple[Ref, str, Decimal]] = [(("staff", s.index), s.item, s.cost) for s in costs.staff]
    lines += [
        (("expense", e.index), e.item, e.eligible)
        for e in costs.expenses
        if e.claimed  # kept on record: not counted
    ]
    # The dict itself when it is one (a lookup per line; Disallowed.get is a Python call).
    refusals = disallowed.amounts if isinstance(disallowed, Disallowed) else disallowed
    for ref, item, amount in lines:
        claimed[item] = claimed.get(item, ZERO) + amount
        if ref in approved:
            cut = amount - min(approved[ref], amount)
            if cut:
                cuts[item] = cuts.get(item, ZERO) + cut
            continue
        refusal = refusals.get(ref)
        if refusal is None:  # most lines (an amount is never below 0: nothing to take)
            continue
        cut = min(refusal, amount)
        if cut:
            refused[item] = refused.get(item, ZERO) + cut
    accepted = {k: v - refused.get(k, ZERO) - cuts.get(k, ZERO) for k, v in claimed.items()}
    items, direct, rates, total = item_totals(pack, accepted)
    requested = item_totals(pack, claimed)[0]
    return PeriodFigures(
        claimed, refused, items, direct, rates, total, cuts, reviewed or bool(approved), requested
    )


def approved_amounts(report: CostReport) -> dict[Ref, Decimal]:
    """The review's approved amount of each line that records one (claimed lines only)."""
    out: dict[Ref, Decimal] = {
        ("staff", i): s.approved for i, s in enumerate(report.staff) if s.approved is not None
    }
    out.update(
        {
            ("expense", i): e.approved
            for i, e in enumerate(report.expenses)
            if e.approved is not None and e.claimed
        }
    )
    return out


def not_accepted(costs: ReportCosts, disallowed: Disallowed, approved: Mapping[Ref, Decimal]) -> Disallowed:
    """What is not accepted of each line, finally, as the period's figures count it: what the
    rules disallowed; on a line the review approved, the review's cut instead (requested −
    approved, never below 0); on a line kept on record, all of it (it is not claimed)."""
    amounts = dict(disallowed.amounts)
    for ref, amount in approved.items():
        cut = costs.amount(ref) - min(amount, costs.amount(ref))
        if cut:
            amounts[ref] = cut
        else:
            amounts.pop(ref, None)
    for e in costs.expenses:
        if not e.claimed:
            amounts[("expense", e.index)] = e.eligible
    return Disallowed(amounts, disallowed.hours)


@dataclass(frozen=True, slots=True)
class ItemProgress:
    """Budget against actual for one item (or the total, key ``"total"``)."""

    key: str
    budget: Decimal
    period: Decimal
    cumulative: Decimal
    remaining: Decimal
    used: Decimal
    """cumulative ÷ budget, four decimals (1.0000 = 100%); 0 when there is no budget."""

    @property
    def over(self) -> bool:
        """More accepted to date than budgeted."""
        return self.cumulative > self.budget

    @property
    def unbudgeted(self) -> bool:
        """Money spent on an item with no budget: over it, with no share to show."""
        return not self.budget and self.cumulative > 0

    @property
    def earlier(self) -> Decimal:
        """Accepted in the periods before this one (cumulative − this period)."""
        return self.cumulative - self.period


def item_progress(key: str, budget: Decimal, periods: Sequence[Decimal]) -> ItemProgress:
    """Budget against actual for one figure, from its accepted amount in each period up to
    this one (the last): remaining = budget − cumulative, used = cumulative ÷ budget."""
    cumulative = sum_amounts(periods)
    this = periods[-1] if periods else ZERO
    return ItemProgress(key, budget, this, cumulative, budget - cumulative, share(cumulative, budget))


def budget_vs_actual(budget: BudgetFigures, periods: list[PeriodFigures], upto: int) -> list[ItemProgress]:
    """Per item and in total: budget, accepted in period ``upto``, cumulative to it, remaining, used."""
    keys = list(budget.items)
    for p in periods[: upto + 1]:
        keys += [k for k in p.items if k not in keys]
    rows = []
    for key in [*keys, "total"]:
        b = budget.total if key == "total" else budget.items.get(key, ZERO)
        amounts = [(p.total if key == "total" else p.items.get(key, ZERO)) for p in periods[: upto + 1]]
        rows.append(item_progress(key, b, amounts))
    return rows


def direct_vs_actual(budget: BudgetFigures, periods: list[PeriodFigures], upto: int) -> ItemProgress:
    """The direct costs' subtotal against the budget's, as :func:`budget_vs_actual` gives each
    item (key ``"direct"``)."""
    return item_progress("direct", budget.direct, [p.direct for p in periods[: upto + 1]])


def contribution_due(accepted_total: Decimal, rate: Decimal, cap: Decimal | None) -> Decimal:
    """The grant: ``rate × accepted costs``, half-up to the cent, at most ``cap``."""
    due = round_cents(accepted_total * rate)
    return min(due, cap) if cap is not None else due


# ====================================================================== the lines of a period


@dataclass(frozen=True, slots=True)
class LineFigures:
    """One claimed cost after the rules: claimed, not accepted (what the rules disallowed, at
    most the claim) and accepted."""

    claimed: Decimal
    not_accepted: Decimal

    @property
    def accepted(self) -> Decimal:
        return self.claimed - self.not_accepted


def line_figures(costs: ReportCosts, disallowed: Disallowed) -> dict[Ref, LineFigures]:
    """Every claimed cost of a report with what is not accepted of it (``disallowed`` is
    :func:`disallowed_costs`'s, each amount already capped at its cost)."""
    refs: list[Ref] = [("staff", s.index) for s in costs.staff] + [
        ("expense", e.index) for e in costs.expenses
    ]
    return {ref: LineFigures(costs.amount(ref), disallowed.get(ref, ZERO)) for ref in refs}


@dataclass(frozen=True)
class ReportTotals:
    """Column totals of a period's staff and expenses, as a cost statement lists them."""

    hours_by_month: dict[str, Decimal]
    hours: Decimal
    staff: LineFigures
    amount: Decimal
    """Taxable amounts of the expenses."""
    vat: Decimal
    vat_eligible: Decimal
    expenses: LineFigures


def report_totals(report: CostReport, costs: ReportCosts, lines: Mapping[Ref, LineFigures]) -> ReportTotals:
    """The totals of :func:`line_figures` by kind, the hours by month, and the expenses' amounts."""
    months: dict[str, Decimal] = {}
    for entry in costs.staff:
        for month, hours in entry.months.items():
            months[month] = months.get(month, ZERO) + hours

    def kind_total(kind: str) -> LineFigures:
        mine = [f for (k, _), f in lines.items() if k == kind]
        return LineFigures(sum_amounts(f.claimed for f in mine), sum_amounts(f.not_accepted for f in mine))

    return ReportTotals(
        hours_by_month=months,
        hours=sum_amounts(s.hours for s in costs.staff),
        staff=kind_total("staff"),
        amount=sum_amounts(x.amount for x in report.expenses),
        vat=sum_amounts(x.vat for x in report.expenses if x.vat),
        vat_eligible=sum_amounts(e.vat_eligible for e in costs.expenses),
        expenses=kind_total("expense"),
    )


@dataclass(frozen=True)
class SplitTotals:
    """The totals of figures split into buckets (by action, by year): each bucket's over its
    items, each item's over the buckets, and all of them."""

    by_bucket: dict[Any, Decimal]
    by_item: dict[str, Decimal]
    total: Decimal


def split_totals(buckets: Mapping[Any, Mapping[str, Decimal]]) -> SplitTotals:
    """The totals of ``buckets`` (``BudgetFigures.by_action`` or ``by_year``): by bucket, by item, in all."""
    by_item: dict[str, Decimal] = {}
    for bucket in buckets.values():
        for item, amount in bucket.items():
            by_item[item] = by_item.get(item, ZERO) + amount
    by_bucket = {key: sum_amounts(bucket.values()) for key, bucket in buckets.items()}
    return SplitTotals(by_bucket, by_item, sum_amounts(by_bucket.values()))


# ====================================================================== by calendar year


def split_by_weight(amount: Decimal, weights: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """``amount`` split in proportion to ``weights`` (years → hours), each part half-up to
    the cent but the last, which takes what is left so that the parts add up exactly."""
    years = sorted(y for y, w in weights.items() if w)
    whole = sum_amounts(weights[y] for y in years)
    if not years or not whole:
        return {}
    out: dict[int, Decimal] = {}
    for y in years[:-1]:
        out[y] = round_cents(amount * weights[y] / whole)
    out[years[-1]] = amount - sum_amounts(out.values())
    return out


def accepted_by_year(
    report: CostReport, costs: ReportCosts, not_accepted_: Mapping[Ref, Decimal]
) -> dict[Ref, dict[int, Decimal]]:
    """Each claimed line's accepted amount (claimed − not accepted) by calendar year.

    An expense counts in the year of its invoice date. A person's accepted cost is split over
    the years of the months its hours are in, in proportion to the hours: each year's part
    rounded half-up to the cent, the last year taking the rest, so the parts add up to the
    line exactly. Lines kept on record, or not accepted at all, are left out.
    """
    out: dict[Ref, dict[int, Decimal]] = {}
    for s in costs.staff:
        ref: Ref = ("staff", s.index)
        accepted = s.cost - not_accepted_.get(ref, ZERO)
        if accepted <= 0:
            continue
        by_year: dict[int, Decimal] = {}
        for month, hours in s.months.items():  # derived from days: where given
            year = int(month[:4])
            by_year[year] = by_year.get(year, ZERO) + hours
        parts = split_by_weight(accepted, by_year)
        if parts:
            out[ref] = parts
    for e in costs.expenses:
        ref = ("expense", e.index)
        accepted = e.eligible - not_accepted_.get(ref, ZERO)
        if e.claimed and accepted > 0:
            out[ref] = {report.expenses[e.index].date.year: accepted}
    return out
