"""Compute: budget variations — the shifts between two versions of a budget, and what of them
the call tolerates without the Region's approval.

Pure functions on :class:`~clustbudget.compute.BudgetFigures`: figures in, figures out. E is
never compared as typed: both versions' E is computed from their own A–D, so a shift of E
follows from the shifts of its base. Which files are versions of a budget, and which version
is in force at a date, is :mod:`clustbudget.pipeline`'s; the rules are in
:mod:`clustbudget.rules.variation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from .compute import UNASSIGNED, BudgetFigures, share
from .models import VariationRules
from .money import ZERO, round_cents
from .records import dataclass

TOTAL = "total"


@dataclass(frozen=True)
class Shift:
    """One row of a comparison: an item (or ``total``), approved and new amounts."""

    key: str
    approved: Decimal
    new: Decimal
    approved_total: Decimal
    """The approved version's total, the base of :attr:`share_of_total`."""

    @property
    def shift(self) -> Decimal:
        """New minus approved: positive when the item receives money."""
        return self.new - self.approved

    @property
    def share_of_item(self) -> Decimal | None:
        """The shift as a fraction of the approved amount (four decimals); None when the item
        had 0 approved (any increase is infinite)."""
        return share(self.shift, self.approved) if self.approved else None

    @property
    def share_of_total(self) -> Decimal:
        """The shift as a fraction of the approved total (four decimals)."""
        return share(self.shift, self.approved_total)


@dataclass(frozen=True)
class Comparison:
    """Two versions of a budget, side by side: per item, per year and per action."""

    items: list[Shift]
    """Every item of either version in the pack's order, then ``total``."""
    by_year: dict[int | str, list[Shift]] = field(default_factory=dict)
    """Direct items per calendar year (when a version splits its lines by year), each list
    ending with the year's direct total. Key ``""``: amounts not split by year."""
    by_action: dict[str, list[Shift]] = field(default_factory=dict)
    """Direct items per action (when a version assigns lines to actions), each list ending
    with the action's direct total. Key ``""``: amounts given no action."""

    @property
    def total(self) -> Shift:
        return self.items[-1]

    def item(self, key: str) -> Shift | None:
        return next((s for s in self.items if s.key == key), None)

    @property
    def changed(self) -> list[Shift]:
        """The items (not the total) whose amount changes."""
        return [s for s in self.items[:-1] if s.shift]


def _rows(
    keys: Iterable[str], old: Mapping[str, Decimal], new: Mapping[str, Decimal], approved_total: Decimal
) -> list[Shift]:
    return [Shift(k, old.get(k, ZERO), new.get(k, ZERO), approved_total) for k in keys]


def _split(
    old: Mapping[Any, Mapping[str, Decimal]],
    new: Mapping[Any, Mapping[str, Decimal]],
    order: list[str],
    approved_total: Decimal,
) -> dict[Any, list[Shift]]:
    keys = sorted(set(old) | set(new), key=lambda k: (k == UNASSIGNED, str(k)))
    if keys in ([], [UNASSIGNED]):
        return {}  # neither version splits its lines: nothing to show beyond the items
    out: dict[Any, list[Shift]] = {}
    for k in keys:
        a, b = old.get(k, {}), new.get(k, {})
        items = [i for i in order if i in a or i in b]
        rows = _rows(items, a, b, approved_total)
        rows.append(
            Shift(
                TOTAL, sum((r.approved for r in rows), ZERO), sum((r.new for r in rows), ZERO), approved_total
            )
        )
        out[k] = rows
    return out


def compare(approved: BudgetFigures, new: BudgetFigures) -> Comparison:
    """The shifts from the ``approved`` version's figures to the ``new`` one's."""
    order = list(approved.items) + [k for k in new.items if k not in approved.items]
    items = _rows(order, approved.items, new.items, approved.total)
    items.append(Shift(TOTAL, approved.total, new.total, approved.total))
    direct = [
        k for k in order if k not in {r.key for r in approved.flat_rates} | {r.key for r in new.flat_rates}
    ]
    return Comparison(
        items,
        _split(approved.by_year, new.by_year, direct, approved.total),
        _split(approved.by_action, new.by_action, direct, approved.total),
    )


# ------------------------------------------------------------------ tolerance


def is_set(rules: VariationRules) -> bool:
    """Whether the call pack says how much may move without approval."""
    return rules.share is not None or rules.amount is not None


def tolerated(rules: VariationRules, row: Shift) -> Decimal | None:
    """The increase of ``row``'s item the call tolerates without approval, in euro (half-up to
    the cent), or None when the pack does not say (not checked).

    ``share`` × the item's approved amount (basis ``item``) or × the approved total (basis
    ``total``); ``amount`` as it is; both set: the larger (``either``) or the smaller (``both``).
    """
    limits: list[Decimal] = []
    if rules.share is not None:
        base = row.approved if rules.basis == "item" else row.approved_total
        limits.append(round_cents(rules.share * base))
    if rules.amount is not None:
        limits.append(rules.amount)
    if not limits:
        return None
    return max(limits) if rules.combine == "either" else min(limits)


def beyond_tolerance(rules: VariationRules, row: Shift) -> Decimal:
    """How much of ``row``'s increase is beyond the tolerance: what needs an approved variation
    (0 when within it, when the item decreases, or when the tolerance is not known)."""
    limit = tolerated(rules, row)
    if limit is None or row.shift <= 0:
        return ZERO
    return max(row.shift - limit, ZERO)


# ------------------------------------------------------------------ versions in force


@dataclass(frozen=True)
class Version:
    """A version of a budget in its approved line: the original (``approved`` None, in force
    from the start) or an approved revision."""

    display: str
    """The file, as the user named it."""
    id: str
    """The variation's id (``V1``), or ``""`` for the original budget."""
    approved: date | None
    figures: BudgetFigures
    act: str | None = None
    """The act that approved the variation (``Det. 12345/2021``), when the revision names it."""


def in_force(versions: list[Version], on: date) -> int:
    """Index of the version in force on ``on``: the latest of the approved line approved by
    then (the original when none was). ``versions`` are in the line's order."""
    found = 0
    for i, v in enumerate(versions):
        if i == 0 or (v.approved is not None and v.approved <= on):
            found = i
    return found
