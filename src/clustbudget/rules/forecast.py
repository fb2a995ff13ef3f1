"""CB600–CB609: where the project is heading — the linear projection to the end date
(:mod:`clustbudget.forecast`) against the call's minimum spend and the tolerated shift.

Both rules look ahead of the figures, so they are warnings, reported on the latest period's
file, and only while months are left: at the end date the projection is the actual, which
CB310–CB312 check.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..findings import Severity
from ..forecast import Forecast, forecast
from ..i18n import msg
from ..models import CallPack
from ..variations import Shift, is_set, tolerated
from . import Hit, rule
from .project import ProgressContext

W = Severity.WARNING


def _forecast(ctx: ProgressContext) -> Forecast | None:
    if not ctx.progress or not ctx.reports:
        return None
    as_of = ctx.reports[-1].report.period.end
    return forecast(
        ctx.budget.project.start, ctx.budget.project.end, as_of, ctx.progress[-1], ctx.figures, ctx.pack
    )


@rule(
    "CB600",
    "projected-below-min-spend",
    W,
    "At the pace so far, the project will spend less than the call's minimum share by its end.",
    "The call's minimum share of the budget to spend (call pack parameter min_spend_share)",
    "progress",
)
def projected_below_min_spend(ctx: ProgressContext) -> Iterator[Hit]:
    """
    What it checks (when the call pack sets `min_spend_share` and the latest period ends
    before the project): the accepted total projected linearly to the end date (the pace
    so far, per month, times the months of the project) reaches the minimum share of the
    budget.

    Why: below the call's minimum share the grant is usually reduced or revoked (CB312 checks
    it at the final report); months before the end there is still time to spend more.

    Fix: plan the spending of the months left (the message states the amount a month needed),
    claim the costs already incurred, or discuss a variation with the Region.
    """
    fc = _forecast(ctx)
    if fc is None or fc.minimum is None or fc.ended or fc.total.projected is None:
        return
    m = fc.minimum
    if not m.projected_below:
        return
    yield Hit(
        ("period",),
        msg(
            "at the pace so far ({monthly:money} a month) the project would spend {projected:money} by "
            "{end:date}, below the minimum {share:rate} of the budget ({minimum:money}): "
            "{needed:money} a month is needed over the {left} months left",
            monthly=fc.total.monthly,
            projected=fc.total.projected,
            end=fc.end,
            share=m.share,
            minimum=m.amount,
            needed=m.needed,
            left=fc.months_left,
        ),
        doc=ctx.reports[-1].loaded,
        key=True,
    )


def tolerance(
    pack: CallPack, key: str, budget: Decimal, total: Decimal, projected: Decimal
) -> Decimal | None:
    """The overrun of item ``key`` the call tolerates without an approved variation (None: not
    known, not checked): the pack's `variations:` tolerance, as CB311 and CB404 apply it (an
    overrun read as a shift from the budget to the projection)."""
    if not is_set(pack.variations):
        return None
    return tolerated(pack.variations, Shift(key, budget, projected, total))


@rule(
    "CB601",
    "projected-over-tolerance",
    W,
    "At the pace so far, an item will exceed its budget by more than the tolerated shift by the end date.",
    "The call's tolerated shift between items (call pack section variations: share, amount, basis, combine)",
    "progress",
)
def projected_over_tolerance(ctx: ProgressContext) -> Iterator[Hit]:
    """
    What it checks (when the call pack sets the tolerated shift between items, and the latest
    period ends before the project): no item's accepted cost, projected linearly to the end
    date, exceeds its budget by more than the shift the call tolerates without approval.

    Why: beyond the tolerance the overrun needs a variation approved by the Region (CB311
    reports it once it has happened); asking in time keeps the costs claimable.

    Fix: slow the item's spending (the message states the pace needed to stay within its
    budget), or request a variation of at least the amount stated (record it as a revision of
    the budget: `revises:` and `variation:`).
    """
    fc = _forecast(ctx)
    if fc is None or fc.ended:
        return
    for item in fc.items[:-1]:
        if item.projected is None or item.difference is None or item.difference <= 0:
            continue
        limit = tolerance(ctx.pack, item.key, item.budget, fc.total.budget, item.projected)
        if limit is None or item.difference <= limit:
            continue
        yield Hit(
            ("period",),
            msg(
                "item {key}: at the pace so far ({monthly:money} a month) it would reach {projected:money} by "
                "{end:date}, over its budget of {budget:money} by {over:money}, {beyond:money} beyond the "
                "tolerated shift ({tolerated:money}): {needed:money} a month keeps it within its budget",
                key=item.key,
                monthly=item.monthly,
                projected=item.projected,
                end=fc.end,
                budget=item.budget,
                over=item.difference,
                beyond=item.difference - limit,
                tolerated=limit,
                needed=item.needed,
            ),
            doc=ctx.reports[-1].loaded,
            key=True,
        )
