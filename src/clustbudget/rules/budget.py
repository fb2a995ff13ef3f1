"""CB1xx: rules on a budget, with the parameters of its call pack."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from ..compute import BudgetFigures
from ..findings import Severity
from ..i18n import N_, Localized, Message, msg, nmsg
from ..models import Budget, CallPack
from ..money import ZERO
from ..records import dataclass
from . import Hit, rule

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


def item_label(pack: CallPack, key: str) -> Localized:
    """An item's label from the call pack, in the language the message is shown in."""
    return Localized({"it": pack.label(key, "it"), "en": pack.label(key, "en")})


FILE_CHECK = N_("File consistency check (clustbudget)")
"""The citation of a rule that is the tool's own convention, not a rule of the call."""
UNKNOWN_PARAMETERS = N_(
    "Reporting manual for the associations (DGR 671/2017 and amendments): text not available; "
    "the values belong in the call pack"
)


@dataclass(frozen=True)
class BudgetContext:
    budget: Budget
    pack: CallPack
    figures: BudgetFigures


# --------------------------------------------------------------------- the flat rate and totals


@rule(
    "CB101",
    "flat-rate-typed-in",
    E,
    "A cost line under a flat-rate item (E is computed, never typed in).",
    "Clust-ER call (DGR 827/2020): general expenses at a flat rate of 25% of A+B+C+D; "
    "Reg. (UE) 1303/2013 art. 68(1)",
    "budget",
)
def flat_rate_typed_in(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: no cost lines are listed under a flat-rate item such as E.

    Why: general expenses are a flat rate of the base items (25% of A+B+C+D in the Clust-ER
    calls): they need no invoices and are computed from the other items. A typed-in figure
    would drift from the base the moment a line changes.

    Fix: remove the lines under E; state the application's figure under `declared: {E: …}`
    if you want it cross-checked (rule CB103).
    """
    for key in ctx.pack.flat_rate_items:
        if ctx.budget.costs.get(key):
            yield Hit(
                ("costs", key),
                msg(
                    "item {key} ({label}) is a flat rate computed from its base items: remove its cost lines",
                    key=key,
                    label=item_label(ctx.pack, key),
                ),
                key=True,
            )


@rule(
    "CB102",
    "unknown-item",
    E,
    "A cost item the call does not define.",
    "The call's cost items (DGR 827/2020 for the Clust-ER associations; call pack `items`)",
    "budget",
)
def unknown_item(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: every key under `costs` is an item of the call pack (A–D in the Clust-ER
    calls).

    Why: costs under an item the call does not have cannot be funded, and are left out of
    every total.

    Fix: move the lines under one of the call's items.
    """
    known = ", ".join(ctx.pack.direct_items)
    for key in ctx.budget.costs:
        if key not in ctx.pack.items:
            close = next((k for k in ctx.pack.items if k.lower() == key.strip().lower()), None)
            if close is not None:
                yield Hit(
                    ("costs", key),
                    msg(
                        "item {key!r} is not defined by call {call}: did you mean {close!r}?",
                        key=key,
                        call=ctx.pack.id,
                        close=close,
                    ),
                    key=True,
                )
                continue
            yield Hit(
                ("costs", key),
                msg(
                    "item {key!r} is not defined by call {call} (direct items: {known})",
                    key=key,
                    call=ctx.pack.id,
                    known=known,
                ),
                key=True,
            )


@rule(
    "CB103",
    "declared-mismatch",
    E,
    "A declared figure differs from the computed one.",
    "Clust-ER call (DGR 827/2020): total project cost; E = 25% × (A+B+C+D)",
    "budget",
)
def declared_mismatch(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: each figure under `declared` (an item, `direct` or `total`) equals the
    figure computed from the cost lines, to the cent.

    Why: the application states E and the total as numbers; when a line changes, the stated
    figures silently go stale. The flat rate is rounded half-up to the cent.

    Fix: correct the declared figure, or the lines, as the message shows.
    """
    f = ctx.figures
    computed = {**f.items, "direct": f.direct, "total": f.total}
    for key, declared in ctx.budget.declared.items():
        if key not in computed:
            yield Hit(
                ("declared", key),
                msg(
                    "declared {key!r} is neither an item of call {call} nor 'direct' or 'total'",
                    key=key,
                    call=ctx.pack.id,
                ),
                key=True,
            )
            continue
        actual = computed[key]
        if declared != actual:
            how: Message | str = ""
            for fr in f.flat_rates:
                if fr.key == key:
                    how = msg(
                        " = {rate:rate} of {base} ({base_amount:money})",
                        rate=fr.rate,
                        base="+".join(fr.base),
                        base_amount=fr.base_amount,
                    )
            yield Hit(
                ("declared", key),
                msg(
                    "declared {key} is {declared:money} but the lines give {actual:money}{how}: "
                    "difference {difference:money}",
                    key=key,
                    declared=declared,
                    actual=actual,
                    how=how,
                    difference=abs(declared - actual),
                ),
            )


# --------------------------------------------------------------------- dates and programme


@rule("CB104", "dates-out-of-order", E, "The project ends before it starts.", FILE_CHECK, "budget")
def dates_out_of_order(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: `project.start` is on or before `project.end` (both inclusive).

    Why: every other date check (eligibility window, duration, periods, invoices) assumes the
    project runs forward; reversed dates are most often a typo in a year.

    Fix: correct the wrong date, usually the year of `end`.
    """
    p = ctx.budget.project
    if p.start > p.end:
        yield Hit(
            ("project", "end"),
            msg("project ends on {end} before it starts on {start}", end=p.end, start=p.start),
        )


@rule(
    "CB105",
    "outside-eligibility",
    E,
    "Project dates outside the programme's eligibility window (call pack).",
    "Reg. (UE) 1303/2013 art. 65(2); Reg. (UE) 2021/1060 art. 63(2)",
    "budget",
)
def outside_eligibility(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: the project's start and end fall inside the window in which the call
    pack's programme accepts costs (POR FESR 2014-2020: 2014-01-01 … 2023-12-31;
    PR FESR 2021-2027: 2021-01-01 … 2029-12-31).

    Why: costs incurred outside the window are not eligible, whatever the project says. The
    seed project (2020-10-01 start) under the 2021-2027 programme would lose its first 92 days.

    Fix: check `call:` names the right pack, or move the dates.
    """
    p, prog = ctx.budget.project, ctx.pack.programme
    ref = f" ({prog.eligibility_ref})" if prog.eligibility_ref else ""  # a citation: not translated
    if p.start < prog.eligible_from:
        days = (min(prog.eligible_from, p.end + timedelta(days=1)) - p.start).days
        yield Hit(
            ("project", "start"),
            msg(
                "project starts {start}, before {programme} accepts costs from {eligible_from}{ref}: "
                "the first {days} days are not eligible",
                start=p.start,
                programme=prog.label,
                eligible_from=prog.eligible_from,
                ref=ref,
                days=days,
            ),
        )
    if p.end > prog.eligible_to:
        yield Hit(
            ("project", "end"),
            msg(
                "project ends {end}, after {programme} accepts costs until {eligible_to}{ref}",
                end=p.end,
                programme=prog.label,
                eligible_to=prog.eligible_to,
                ref=ref,
            ),
        )


_YEARS = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/–—]\s*(\d{4}|\d{2})(?!\d)")


@functools.lru_cache(maxsize=256)
def programme_years(label: str) -> tuple[int, int] | None:
    """The year range a programme label names: ``POR FESR 2014/20`` → (2014, 2020) (a run
    of many budgets names a few programmes: each label searched once)."""
    m = _YEARS.search(label)
    if m is None:
        return None
    start, end = int(m[1]), m[2]
    return start, int(end) if len(end) == 4 else start // 100 * 100 + int(end)


@rule(
    "CB106",
    "programme-mismatch",
    W,
    "The stated programme differs from the call pack's.",
    "DGR 827/2020; Reg. (UE) 1303/2013 vs 2021/1060",
    "budget",
)
def programme_mismatch(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: the years in `project.programme` (`2014-2020`, `2014/20`, `2021-2027`…)
    are those of the call pack's programme.

    Why: the seed application says "POR FESR 2021-2027", but its dates and its call
    (DGR 827/2020, which cites Reg. 1303/2013) place it in POR FESR 2014-2020. Which
    regulation applies changes the eligibility window and the flat-rate rules, so the
    mismatch must be resolved before the report, not by the auditor.

    Fix: correct the label, or point `call:` at the pack of the stated programme.
    """
    stated = ctx.budget.project.programme
    if not stated:
        return
    mine, theirs = programme_years(stated), programme_years(ctx.pack.programme.label)
    if mine is None or theirs is None or mine == theirs:
        return
    yield Hit(
        ("project", "programme"),
        msg(
            "programme stated as {stated!r}, but call {call} belongs to {programme} ({regulation}): "
            "check which programme and regulation apply",
            stated=stated,
            call=ctx.pack.id,
            programme=ctx.pack.programme.label,
            regulation=ctx.pack.programme.regulation,
        ),
    )


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, clamped to the month's last day."""
    index = start.year * 12 + start.month - 1 + months
    y, m = divmod(index, 12)
    if y > date.max.year:  # a project "ending" past year 9999 (a typo): the calendar's last day
        return date.max
    if y < date.min.year:
        return date.min
    for day in (start.day, 30, 29, 28):
        try:
            return date(y, m + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def expected_end(start: date, months: int) -> date:
    """Inclusive end of a project of ``months`` months: the day before the same day ``months``
    later (2020-10-01 + 24 → 2022-09-30), or that month's last day when it is shorter
    (2021-01-31 + 1 → 2021-02-28, 2021-03-31 + 1 → 2021-04-30)."""
    if start.day == 1:
        return add_months(start, months) - timedelta(days=1)
    # add_months clamps to the month's last day: the 31st, 30th and 29th all become the 28th
    # in February, so take the day before first, then move.
    return add_months(start.replace(day=start.day - 1), months)


def span(start: date, end: date) -> Message:
    """``start`` … ``end`` (inclusive) in months and days: "23 months and 20 days"."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    while months > 0 and expected_end(start, months) > end:
        months -= 1
    days = (end - expected_end(start, months)).days if months else (end - start).days + 1
    in_months = nmsg("{n} month", "{n} months", months)
    in_days = nmsg("{n} day", "{n} days", days)
    if months and days:
        return msg("{months} and {days}", months=in_months, days=in_days)
    return in_months if months else in_days


@rule(
    "CB107",
    "duration-mismatch",
    W,
    "The stated duration does not match the dates.",
    "File consistency check (clustbudget): dates are inclusive",
    "budget",
)
def duration_mismatch(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: with `duration_months: N`, the project ends on start + N months − 1 day.

    Why: the seed says "durata di 2 anni" but runs 2020-10-01 to 2022-09-20: 23 months and
    20 days. A duration stated in the application that the dates do not bear out is the kind
    of inconsistency a reviewer asks about.

    Fix: correct `end` (the message names the expected date) or `duration_months`.
    """
    p = ctx.budget.project
    if p.duration_months is None or p.start > p.end:
        return
    expected = expected_end(p.start, p.duration_months)
    if p.end != expected:
        yield Hit(
            ("project", "end"),
            msg(
                "project runs {start} to {end} ({span}), but duration_months is {months}: expected end {expected}",
                start=p.start,
                end=p.end,
                span=span(p.start, p.end),
                months=p.duration_months,
                expected=expected,
            ),
        )


# --------------------------------------------------------------------- lines


@rule(
    "CB108",
    "by-year-sum",
    E,
    "A line's split by year does not add up to its amount.",
    FILE_CHECK,
    "budget",
)
def by_year_sum(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: the amounts under a line's `by_year` add up to its `amount`, to the cent.

    Why: the statement's By year sheet splits the budget with these figures; a split that does
    not add up makes the years disagree with the line and the totals.

    Fix: make the years add up to `amount`, to the cent.
    """
    for key, lines in ctx.budget.costs.items():
        for i, line in enumerate(lines):
            if line.by_year is None:
                continue
            total = sum(line.by_year.values(), ZERO)
            if total != line.amount:
                yield Hit(
                    ("costs", key, i, "by_year"),
                    msg(
                        "by_year adds up to {total:money}, not the line's amount {amount:money}",
                        total=total,
                        amount=line.amount,
                    ),
                )


@rule(
    "CB109",
    "year-outside-project",
    E,
    "A line is split to a year outside the project's dates.",
    FILE_CHECK,
    "budget",
)
def year_outside_project(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: every year under `by_year` is between the project's start and end years.

    Why: a cost planned for a year the project does not reach cannot be incurred within it.

    Fix: move the amount to a year of the project, or correct the project's dates.
    """
    p = ctx.budget.project
    first, last = p.start.year, p.end.year
    for key, lines in ctx.budget.costs.items():
        for i, line in enumerate(lines):
            if not line.by_year:
                continue
            for y in line.by_year:
                if not first <= y <= last:
                    yield Hit(
                        ("costs", key, i, "by_year", str(y)),
                        msg(
                            "year {year} is outside the project ({first}–{last})",
                            year=str(y),
                            first=str(p.start.year),
                            last=str(p.end.year),
                        ),
                        key=True,
                    )


@rule(
    "CB110",
    "unknown-action",
    E,
    "A line refers to an action id not listed under `actions`.",
    FILE_CHECK,
    "budget",
)
def unknown_action(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: each id in a line's `action` is the id of one of the budget's actions
    (ids are compared as text: `action: 1` matches `id: "1"`).

    Why: the statements split the budget by action with these ids; one that names no action
    is a typo, or an action missing from the list.

    Fix: correct the id, or add the action under `actions`.
    """
    known = [a.id for a in ctx.budget.actions]
    for key, lines in ctx.budget.costs.items():
        for i, line in enumerate(lines):
            for ref in line.action:
                if ref not in known:
                    listed = ", ".join(known) if known else msg("none are listed")
                    yield Hit(
                        ("costs", key, i, "action"),
                        msg(
                            "action {ref!r} is not one of the budget's actions ({listed})",
                            ref=ref,
                            listed=listed,
                        ),
                    )


@rule(
    "CB111",
    "duplicate-id",
    E,
    "Two actions or two staff roles share an id.",
    FILE_CHECK,
    "budget",
)
def duplicate_id(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: each id under `actions`, and each id under `staff` (where given), is used
    once.

    Why: lines and cost reports refer to actions and people by id; a repeated id is ambiguous.

    Fix: give each action or role an id of its own, and update what refers to it.
    """
    for section, ids in (
        ("actions", [a.id for a in ctx.budget.actions]),
        ("staff", [s.id for s in ctx.budget.staff]),
    ):
        seen: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident is None:
                continue
            if ident in seen:
                yield Hit(
                    (section, i, "id"),
                    msg(
                        "id {ident!r} is already used by {section}[{index}]",
                        ident=ident,
                        section=section,
                        index=seen[ident],
                    ),
                )
            else:
                seen[ident] = i


@rule(
    "CB112",
    "not-checked",
    I,
    "Call parameters unknown for this call: not checked.",
    UNKNOWN_PARAMETERS,
    "budget",
)
def not_checked(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: which of the call pack's parameters are `null` (unknown for the call), and
    therefore not checked: grant cap, contribution rate, minimum share of the budget to spend,
    tolerated shift between items. An info line, not a fault of the budget.

    Why: a tool that is silent about what it did not check invites false confidence.

    Fix: nothing in the budget. Once the call's manual gives the values, set them in a call
    pack of your own (a copy of the built-in one) and point `call:` at it.
    """
    hit = _not_checked_hit(ctx.pack)
    if hit is not None:
        yield hit


_NOT_CHECKED: dict[int, tuple[CallPack, Hit | None]] = {}
"""CB112's hit for each pack, by ``id`` (with the pack, so that the id stays its own): a run of
1,000 budgets under one pack makes it once. A pack model is frozen."""


def _not_checked_hit(pack: CallPack) -> Hit | None:
    known = _NOT_CHECKED.get(id(pack))
    if known is not None and known[0] is pack:
        return known[1]
    missing = pack.unknown_parameters()
    hit = (
        Hit(
            ("call",),
            msg(
                "not checked, unknown for call {call}: {parameters}",
                call=pack.id,
                parameters=", ".join(missing),
            ),
        )
        if missing
        else None
    )
    if len(_NOT_CHECKED) >= 64:
        _NOT_CHECKED.clear()
    _NOT_CHECKED[id(pack)] = (pack, hit)
    return hit


@functools.lru_cache(maxsize=16)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    alternatives = "|".join(re.escape(kw.lower()) for kw in keywords)
    return re.compile(r"(?<!\w)(" + alternatives + ")")


def overhead_keyword(text: str, keywords: list[str]) -> str | None:
    """The overhead keyword found at the start of a word of ``text``, if any (first in the
    pack's list when several match)."""
    pattern = _keyword_pattern(tuple(keywords))
    if pattern is None:
        return None
    low = text.lower()
    if pattern.search(low) is None:  # the common case: no overhead word at all
        return None
    found = {m.group(1) for m in pattern.finditer(low)}
    return next((kw for kw in keywords if kw.lower() in found), None)


@rule(
    "CB113",
    "overhead-in-direct-costs",
    W,
    "A direct cost that looks like an overhead the flat rate already covers.",
    "Reg. (UE) 1303/2013 art. 68; Reg. (UE) 2021/1060 art. 54 (no double funding)",
    "budget",
)
def overhead_in_direct_costs(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks: a line's description under A–D contains a word from the call pack's
    `expenses.overhead_keywords` (rent, utilities, phone, accounting, office supplies…).

    Why: a cost is claimed either at real cost or through a flat rate, never both; when E
    covers general expenses, rent or a phone bill among the direct costs is double funding.
    Keyword matching is a heuristic: a warning, not an error.

    Fix: remove the line, or reword it if it is not an overhead.
    """
    flat = ctx.pack.flat_rate_items
    if not flat:
        return
    keywords = ctx.pack.expenses.overhead_keywords
    # The common case, no line with an overhead word, seen at once: the descriptions lowered
    # as one text (a newline is neither a letter nor case-ignorable, so lowering the joined
    # text lowers each description as it would alone), searched for each keyword as plain text.
    text = "\n".join(
        [line.description for key, lines in ctx.budget.costs.items() if key not in flat for line in lines]
    ).lower()
    for word in _lowered(tuple(keywords)):
        if word in text:
            break
    else:
        return
    for key, lines in ctx.budget.costs.items():
        if key in flat:
            continue
        for i, line in enumerate(lines):
            kw = overhead_keyword(line.description, keywords)
            if kw:
                yield Hit(
                    ("costs", key, i, "description"),
                    msg(
                        "{description!r} looks like an overhead ({keyword!r}) that the flat rate already covers",
                        description=line.description,
                        keyword=kw,
                    ),
                )


@functools.lru_cache(maxsize=16)
def _lowered(keywords: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(kw.lower() for kw in keywords)


# --------------------------------------------------------------------- CPR 2021-2027


@rule(
    "CB120",
    "flat-rate-limit",
    E,
    "A flat rate above what the programme allows without a method.",
    "Reg. (UE) 2021/1060 art. 54",
    "budget",
)
def flat_rate_limit(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks (packs with `flat_rate_limits`, e.g. pr-fesr-2021-2027): an indirect-cost
    flat rate is at most 7% of eligible direct costs, or at most 15% of eligible direct staff
    costs, without justification; up to 25% of direct costs only with a fair, equitable and
    verifiable calculation method, named in `project.flat_rate_method`; never above 25%.

    Why: CPR art. 54. The Clust-ER 25% on A+B+C+D is above the free limits under 2021-2027.

    Fix: state the calculation method (`flat_rate_method`), or lower the rate in the pack.
    """
    limits = ctx.pack.flat_rate_limits
    if limits is None:
        return
    staff_items = {k for k, v in ctx.pack.items.items() if v.kind == "staff"}
    method = ctx.budget.project.flat_rate_method
    for key in ctx.pack.flat_rate_items:
        item = ctx.pack.items[key]
        assert item.rate is not None and item.base is not None
        r = item.rate
        on_staff_only = set(item.base) <= staff_items
        if r <= limits.direct_costs or (on_staff_only and r <= limits.staff_costs):
            continue
        if r > limits.with_method:
            yield Hit(
                ("call",),
                msg(
                    "flat rate {key} of {rate:rate} is above the {limit:rate} that {ref} allows "
                    "even with a calculation method",
                    key=key,
                    rate=r,
                    limit=limits.with_method,
                    ref=limits.ref,
                ),
            )
        elif not method:
            yield Hit(
                ("call",),
                msg(
                    "flat rate {key} of {rate:rate} is above {direct:rate} of direct costs "
                    "({staff:rate} of staff costs): {ref} requires a calculation method; "
                    "name it in project.flat_rate_method",
                    key=key,
                    rate=r,
                    direct=limits.direct_costs,
                    staff=limits.staff_costs,
                    ref=limits.ref,
                ),
            )


@rule(
    "CB121",
    "simplified-costs",
    W,
    "An operation of at most 200,000 € must use simplified costs unless State aid applies.",
    "Reg. (UE) 2021/1060 art. 53(2)",
    "budget",
)
def simplified_costs(ctx: BudgetContext) -> Iterator[Hit]:
    """
    What it checks (packs with `simplified_costs`): when the total is at most `max_total`
    (200,000 €) and `project.state_aid` is not true, whether direct costs are still claimed at
    real cost.

    Why: under CPR art. 53(2) the support for such an operation takes the form of simplified
    costs (flat rates, unit costs, lump sums) unless State aid applies, so direct costs at real
    cost need a second look. The seed's total is exactly 200,000 €. Only the Region can say
    how the costs will be reimbursed: a warning.

    Fix: confirm with the Region how the costs will be reimbursed; set `state_aid: true` if
    State aid applies.
    """
    sc = ctx.pack.simplified_costs
    p = ctx.budget.project
    if sc is None or p.state_aid or ctx.figures.total > sc.max_total:
        return
    real = [k for k in ctx.pack.direct_items if ctx.figures.items.get(k, Decimal(0))]
    if real:
        yield Hit(
            ("costs",),
            msg(
                "total {total:money} is at most {max_total:money}: under {ref} support takes the form "
                "of simplified costs unless State aid applies, yet {items} are at real cost",
                total=ctx.figures.total,
                max_total=sc.max_total,
                ref=sc.ref,
                items=", ".join(real),
            ),
            key=True,
        )
