"""Compute: pure functions on Decimals — the flat rate, totals, shares, splits.

This is where the 25% is computed (:func:`flat_rate`, applied by :func:`budget_figures`).
Nothing here reads files, prints, or knows about rules: figures in, figures out.
Every rounding is :func:`~clustbudget.money.round_cents` (half-up to the cent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import Budget, CallPack
from .money import CENT, ZERO, round_cents

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
    """Everything computed from a budget: per item, direct subtotal, flat rates, total."""

    items: dict[str, Decimal]
    direct: Decimal
    flat_rates: list[FlatRateFigure]
    total: Decimal
    by_action: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    by_year: dict[int | str, dict[str, Decimal]] = field(default_factory=dict)

    def share(self, key: str) -> Decimal:
        return share(self.items.get(key, ZERO), self.total)


def sum_amounts(values: Iterable[Decimal]) -> Decimal:
    """Exact sum, ``0.00`` for nothing."""
    return sum(values, ZERO)


def item_totals(
    pack: CallPack, direct: Mapping[str, Decimal]
) -> tuple[dict[str, Decimal], Decimal, list[FlatRateFigure], Decimal]:
    """From direct item amounts, compute every flat-rate item and the totals.

    Returns the amounts of all the pack's items (in the pack's order, flat rates included;
    items the pack does not define are left out: they cannot be funded), the direct
    subtotal, the flat-rate figures and the total. Shared by budgets and cost reports, so both compute E the same way.
    """
    items = {key: direct.get(key, ZERO) for key in pack.direct_items}
    direct_total = sum_amounts(items.values())
    rates: list[FlatRateFigure] = []
    for key in pack.flat_rate_items:
        item = pack.items[key]
        assert item.rate is not None and item.base is not None
        base = tuple(item.base)
        base_amount = sum_amounts(items[k] for k in base)
        rates.append(FlatRateFigure(key, item.rate, base, base_amount, flat_rate(item.rate, base_amount)))
    computed = {r.key: r.amount for r in rates}
    ordered = {k: items[k] if k in items else computed[k] for k in pack.items}
    total = direct_total + sum_amounts(r.amount for r in rates)
    return ordered, direct_total, rates, total


def budget_figures(budget: Budget, pack: CallPack) -> BudgetFigures:
    """Compute a budget's figures under its call pack.

    Lines under a flat-rate item, or under an item the call does not define, are left out
    here (rules CB101 and CB102 report them): E is computed, never typed in.
    """
    flat = set(pack.flat_rate_items)
    direct: dict[str, Decimal] = {}
    by_action: dict[str, dict[str, Decimal]] = {}
    by_year: dict[int | str, dict[str, Decimal]] = {}
    for key, lines in budget.costs.items():
        if key in flat or key not in pack.items:
            continue
        direct[key] = sum_amounts(line.amount for line in lines)
        for line in lines:
            actions = line.action or (UNASSIGNED,)
            for action, part in zip(actions, allocate(line.amount, len(actions)), strict=True):
                bucket = by_action.setdefault(action, {})
                bucket[key] = bucket.get(key, ZERO) + part
            split: Mapping[int | str, Decimal] = line.by_year or {UNASSIGNED: line.amount}
            for year_key, amount in split.items():
                bucket = by_year.setdefault(year_key, {})
                bucket[key] = bucket.get(key, ZERO) + amount
    items, direct_total, rates, total = item_totals(pack, direct)
    return BudgetFigures(items, direct_total, rates, total, by_action, by_year)
