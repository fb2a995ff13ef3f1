"""CB4xx: budget variations — a revision of a budget against the version it revises.

A revision is checked as any budget (CB1xx) and, here, as a variation: where its line of
versions breaks (a missing version, a fork, a loop), what its shifts are, and which of them
need the Region's approval. The tolerated shift is a call-pack parameter (``variations:``):
unknown for the Clust-ER calls, set in peer ERDF programmes.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import field

from ..findings import Location, Severity
from ..i18n import N_, msg
from ..models import Budget, CallPack
from ..money import ZERO
from ..records import dataclass
from ..variations import Comparison, beyond_tolerance, is_set, tolerated
from . import Hit, Rule, register, rule
from .budget import FILE_CHECK

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CITATION_U = N_(
    "Reporting manual for the associations (DGR 671/2017), variations: text not available, the "
    "tolerance is unknown for Clust-ER; other ERDF programmes tolerate 10-20% of an item or 15,000 €"
)


@dataclass(frozen=True)
class Sibling:
    """Another revision of the same version."""

    display: str
    approved: bool
    location: Location


@dataclass(frozen=True)
class VariationContext:
    """A revision, the version it revises, and the line of versions around it."""

    revision: Budget
    pack: CallPack | None
    revised_name: str
    """``revises:`` as written."""
    revised: Budget | None = None
    """The version it revises, when found and valid."""
    revised_found: bool = True
    revised_problem: str = ""
    """Why the revised version cannot be compared (not found, not a budget, has errors)."""
    revised_pending: bool = False
    """The revised version is itself a revision still pending."""
    comparison: Comparison | None = None
    siblings: list[Sibling] = field(default_factory=list)
    loop: list[str] = field(default_factory=list)
    """The files of a loop of ``revises`` through this one, in order; empty when none."""
    label: str = ""
    """The revision's file, named in messages when it has no ``variation: id``."""

    @property
    def approved(self) -> bool:
        v = self.revision.variation
        return v is not None and v.approved is not None

    @property
    def vid(self) -> str:
        v = self.revision.variation
        return v.id if v is not None else self.label


def _item_loc(ctx: VariationContext, key: str) -> tuple[object, ...]:
    return ("costs", key) if key in ctx.revision.costs else ("variation", "id")


@rule(
    "CB400",
    "revised-not-found",
    E,
    "The budget version a revision revises is missing, or is not a valid budget.",
    FILE_CHECK,
    "variation",
)
def revised_not_found(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks: the file named by `revises:` exists, relative to the revision, and is a
    budget without errors, so that the two versions can be compared.

    Why: a revision is read as the difference from the version it revises; without that
    version, neither the shifts nor what needs approval can be known.

    Fix: correct the path in `revises:` (relative to this file), or fix the errors of the
    version it names first.
    """
    if ctx.revised_problem:
        yield Hit(
            ("revises",),
            msg("{name}: {problem}", name=ctx.revised_name, problem=ctx.revised_problem),
        )


@rule(
    "CB401",
    "revision-fork",
    E,
    "Two approved revisions of the same version, or an approved revision of a pending one.",
    FILE_CHECK,
    "variation",
)
def revision_fork(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks: the approved versions of a budget form one line, each revising the one
    before: no two approved revisions revise the same version, and an approved revision
    does not revise one still pending.

    Why: a cost report is checked against the version in force at its period's end; with two
    approved successors of one version, which one is in force cannot be told.

    Fix: make the later revision revise the earlier one (`revises:` naming it), or record the
    approval of the version it revises first.
    """
    if not ctx.approved:
        return
    for other in ctx.siblings:
        if other.approved:
            yield Hit(
                ("revises",),
                msg(
                    "{vid}: {other} revises the same version and is approved too: the approved "
                    "versions must form one line (make one revise the other)",
                    vid=ctx.vid,
                    other=other.display,
                ),
                related=other.location,
            )
    if ctx.revised_pending:
        yield Hit(
            ("variation", "approved"),
            msg(
                "{vid} is approved but revises {name}, which is still pending: record that approval first",
                vid=ctx.vid,
                name=ctx.revised_name,
            ),
        )


@rule(
    "CB402",
    "revision-loop",
    E,
    "Revisions that revise each other in a loop.",
    FILE_CHECK,
    "variation",
)
def revision_loop(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks: following `revises:` from a revision leads back to an original budget
    (one without `revises:`), never back to the revision itself.

    Why: in a loop there is no approved budget to start from.

    Fix: the first version of the budget names no `revises:`; each revision names the one
    before it.
    """
    if ctx.loop:
        yield Hit(("revises",), msg("revisions in a loop: {files}", files=" → ".join(ctx.loop)))


@rule(
    "CB403",
    "variation-not-checked",
    INFO,
    "The shift tolerated without approval is unknown for this call: not checked.",
    CITATION_U,
    "variation",
)
def variation_not_checked(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks: whether the call pack sets the shift between items tolerated without the
    Region's approval (`variations: share`/`amount`). When it does not, the shifts are shown
    but whether they need approval is not checked. An info line, not a fault of the revision.

    Why: the Clust-ER calls do not state it; peer ERDF programmes tolerate 10%,
    15% or 20% of an item, or 15,000 €. A tool silent about what it did not check invites
    false confidence.

    Fix: nothing in the revision. Once the call's manual gives the value, set it in a call
    pack of your own.
    """
    if (
        ctx.pack is not None
        and ctx.comparison is not None
        and ctx.comparison.changed
        and not is_set(ctx.pack.variations)
    ):
        yield Hit(
            ("variation", "id"),
            msg(
                "{vid}: the shift tolerated without approval is unknown for call {call}: not checked",
                vid=ctx.vid,
                call=ctx.pack.id,
            ),
        )


@rule(
    "CB404",
    "shift-needs-approval",
    W,
    "A pending revision moves more into an item than the call tolerates without approval.",
    CITATION_U,
    "variation",
)
def shift_needs_approval(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks (when the call pack sets `variations: share` and/or `amount`): the
    increase of each item in a revision still pending (`approved: null`) against the
    tolerance: `share` × the item's approved amount (`basis: item`) or × the approved total
    (`basis: total`), and/or `amount` in euro; with both, `either` tolerates an increase
    within one of them, `both` only within both. Reported with the amount beyond it.

    Why: beyond the tolerance, a shift counts only once the Region approves the variation;
    until then reports are checked against the approved version.

    Fix: submit the variation request and record the approval (`variation: approved`), or
    keep the shift within the tolerance.
    """
    if ctx.approved or ctx.pack is None or ctx.comparison is None:
        return
    for row in ctx.comparison.changed:
        excess = beyond_tolerance(ctx.pack.variations, row)
        if excess > 0:
            yield Hit(
                _item_loc(ctx, row.key),
                msg(
                    "{vid}: item {key} receives {shift:money}, beyond the {limit:money} tolerated "
                    "without approval by {excess:money}: that needs the Region's approval",
                    vid=ctx.vid,
                    key=row.key,
                    shift=row.shift,
                    limit=tolerated(ctx.pack.variations, row),
                    excess=excess,
                ),
                key=True,
            )


@rule(
    "CB405",
    "zero-item-receives",
    W,
    "A pending revision gives money to an item that had 0 approved.",
    "Sfinge 2020, the Region's platform: no money for an item with 0 in the approved plan without approval",
    "variation",
)
def zero_item_receives(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks: in a revision still pending, a direct cost item whose approved amount is
    0 and whose new amount is not. Whatever the tolerance, that needs the Region's approval.

    Why: the Region's platform refuses money for an item that had 0 in the approved plan.

    Fix: submit the variation request and record its approval before claiming costs on the
    item.
    """
    if ctx.approved or ctx.pack is None or ctx.comparison is None:
        return
    flat = set(ctx.pack.flat_rate_items)
    for row in ctx.comparison.changed:
        if row.key not in flat and row.approved == ZERO and row.new > 0:
            yield Hit(
                _item_loc(ctx, row.key),
                msg(
                    "{vid}: item {key} had 0.00 approved and would receive {new:money}: "
                    "only an approved variation can give it money",
                    vid=ctx.vid,
                    key=row.key,
                    new=row.new,
                ),
                key=True,
            )


@rule(
    "CB406",
    "variation-after-end",
    E,
    "A variation requested after the project's end.",
    "Reporting manual for the associations (DGR 671/2017), variations: text not available; a variation "
    "changes the plan of a running project",
    "variation",
)
def variation_after_end(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks: the variation's `requested` date is not after the project's `end`.

    Why: a variation changes the plan of a running project; after its end there is nothing
    left to plan, and the final report is checked against the version in force.

    Fix: correct the date, or leave the budget as approved and explain the differences in
    the final report.
    """
    v = ctx.revision.variation
    if v is not None and v.requested > ctx.revision.project.end:
        yield Hit(
            ("variation", "requested"),
            msg(
                "{vid} requested on {requested:date}, after the project's end on {end:date}",
                vid=v.id,
                requested=v.requested,
                end=ctx.revision.project.end,
            ),
        )


@rule(
    "CB407",
    "total-above-approved",
    E,
    "A revision raises the budget's total, which the call does not allow.",
    "The grant approved for the project (DGR 827/2020); call pack parameter variations.total_may_increase",
    "variation",
)
def total_above_approved(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks (unless the call pack sets `variations: total_may_increase: true`): the
    revision's total is not above the total of the version it revises.

    Why: a variation moves money between items within the grant; it does not raise it.

    Fix: take from another item what an item receives.
    """
    if ctx.pack is None or ctx.comparison is None or ctx.pack.variations.total_may_increase:
        return
    total = ctx.comparison.total
    if total.shift > 0:
        yield Hit(
            ("costs",),
            msg(
                "{vid}: total {new:money} is above the approved {approved:money} by {shift:money}",
                vid=ctx.vid,
                new=total.new,
                approved=total.approved,
                shift=total.shift,
            ),
            key=True,
        )


@rule(
    "CB408",
    "variation-shift",
    INFO,
    "What a revision moves: an item's shift from the version it revises.",
    "Sfinge 2020, the Region's platform: a budget variation per cost item and year (requested, approved, note)",
    "variation",
)
def variation_shift(ctx: VariationContext) -> Iterator[Hit]:
    """
    What it checks: nothing; it shows, for each item a revision changes, the approved
    amount, the new amount, and the shift in euro, as a share of the item and of the total
    (`clustbudget variation OLD NEW` shows them per year and per action too).

    Why: the cluster manager sees what the variation asks before the Region does.

    Fix: nothing.
    """
    if ctx.comparison is None:
        return
    for row in ctx.comparison.changed:
        if row.share_of_item is None:
            text = msg(
                "{vid}: item {key} {approved:money} → {new:money} ({shift:money}, "
                "{of_total:percent} of the total; it had 0 approved)",
                vid=ctx.vid,
                key=row.key,
                approved=row.approved,
                new=row.new,
                shift=row.shift,
                of_total=row.share_of_total,
            )
        else:
            text = msg(
                "{vid}: item {key} {approved:money} → {new:money} ({shift:money}, "
                "{of_item:percent} of the item, {of_total:percent} of the total)",
                vid=ctx.vid,
                key=row.key,
                approved=row.approved,
                new=row.new,
                shift=row.shift,
                of_item=row.share_of_item,
                of_total=row.share_of_total,
            )
        yield Hit(_item_loc(ctx, row.key), text, key=True)


def _doc(code: str, name: str, severity: Severity, summary: str, citation: str, text: str) -> None:
    """Register a rule whose findings are made while reading (no check function here)."""
    register(Rule(code, name, severity, summary, citation, "reading", None, inspect.cleandoc(text)))


_doc(
    "CB409",
    "deprecated-shift-parameter",
    W,
    "The call pack sets the tolerated shift as parameters.max_shift_between_items (deprecated).",
    FILE_CHECK,
    """
    What it checks: a call pack that still sets `parameters: max_shift_between_items`, the
    old home of the shift between items tolerated without approval. It is read as
    `variations: share` (of the item's approved amount), which the over-budget rule (CB311)
    and the variation rules (CB404) both measure against. Reported on the pack and on every
    budget that uses it.

    Why: one tolerance has one home; two places for it could say two different things.

    Fix: in the pack, delete `max_shift_between_items` from `parameters:` and write
    `variations: {share: "0.2"}` (the same fraction), with `amount`, `basis` and `combine`
    if the call states them.
    """,
)
