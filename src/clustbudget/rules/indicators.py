"""CB5xx: rules on a project's indicators file (``budgets/<budget name>/indicators.yaml``).

They read the file with its project: the budget (dates, actions) and the project's cost
reports (which invoices and staff the communication costs name). A target is checked only
once its year is over (``today`` is part of the context, so tests fix it).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterator, Sequence
from dataclasses import field
from datetime import date
from decimal import Decimal

from ..findings import Severity
from ..i18n import N_, msg
from ..indicators import ACTIONS, CATEGORIES, CHANNELS, IndicatorsFile, Span, indicator_value
from ..models import Budget, CostReport
from ..records import dataclass
from . import Hit, Rule, register, rule

E, W = Severity.ERROR, Severity.WARNING

PLAN = N_(
    "Project plan (action 2): a yearly report of the organisations reached by category and of the "
    "most effective channels, for the Board and the Assembly"
)
MONITORING = N_(
    "Project plan (action 3): the Clust-ER network's common monitoring model with performance "
    "indicators; Sfinge 2020 asks for indicator values with their evidence"
)
FILE_CHECK = N_("File consistency check (clustbudget)")


@dataclass(frozen=True)
class IndicatorsContext:
    doc: IndicatorsFile
    budget: Budget | None = None
    reports: Sequence[CostReport] = ()
    today: date = field(default_factory=date.today)

    @property
    def start(self) -> date | None:
        return self.budget.project.start if self.budget else None

    @property
    def end(self) -> date | None:
        return self.budget.project.end if self.budget else None

    def actions(self) -> tuple[str, ...]:
        """The budget's action ids, or the four Clust-ER actions when it lists none."""
        if self.budget is not None and self.budget.actions:
            return tuple(a.id for a in self.budget.actions)
        return ACTIONS

    def year_over(self, year: int) -> bool:
        """Whether ``year`` is over: its 31 December (or the project's end, if earlier) is past."""
        last = date(year, 12, 31)
        if self.end is not None and self.end.year == year:
            last = min(last, self.end)
        return last < self.today


def _close(word: str, known: Sequence[str]) -> str:
    found = difflib.get_close_matches(word.strip().lower().replace(" ", "_").replace("-", "_"), known, n=1)
    return found[0] if found else ""


def _unknown(kind_words: str, value: str, known: Sequence[str]) -> str:
    hint = _close(value, known)
    if hint:
        return msg(
            "unknown {what} {value!r} (did you mean {hint!r}?)", what=kind_words, value=value, hint=hint
        )
    return msg(
        "unknown {what} {value!r}: use one of {known}", what=kind_words, value=value, known=", ".join(known)
    )


@rule(
    "CB500", "unknown-category", E, "An organisation or member with an unknown category.", PLAN, "indicators"
)
def unknown_category(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: every organisation reached and every member has one of the report's
    categories: micro_company, small_company, medium_company, large_company, research_centre
    (research laboratory or centre), university, training_body, public_body, association
    (patients' or citizens' association), other.

    Why: the yearly results report counts organisations by category; a category spelt in
    another way would be a category of its own, and the counts would not add up.

    Fix: use one of the categories (`other` for what fits none).
    """
    known = list(CATEGORIES)
    places = [("organisations", i, o.category) for i, o in enumerate(ctx.doc.organisations)]
    places += [("members", i, m.category) for i, m in enumerate(ctx.doc.members)]
    for section, i, category in places:
        if category not in CATEGORIES:
            yield Hit((section, i, "category"), _unknown(msg("category"), category, known))


@rule("CB501", "unknown-channel", E, "A communication channel the report does not know.", PLAN, "indicators")
def unknown_channel(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: every channel named (contacts, organisations, events, communication
    costs and the staff split) is one of newsletter, website, social_media, events, fairs
    (BIO-Europe, MEDICA…), eroi (the EROI open-innovation platform), meetings.

    Why: channels are ranked by reach and by cost per contact; a channel spelt differently
    would split one channel's contacts or costs in two.

    Fix: use one of the channels.
    """
    known = list(CHANNELS)
    doc = ctx.doc
    places: list[tuple[tuple[str | int, ...], str | None]] = []
    places += [(("contacts", i, "channel"), c.channel) for i, c in enumerate(doc.contacts)]
    places += [(("organisations", i, "channel"), o.channel) for i, o in enumerate(doc.organisations)]
    places += [(("events", i, "channel"), e.channel) for i, e in enumerate(doc.events)]
    if doc.communication is not None:
        places += [
            (("communication", "expenses", i, "channel"), c.channel)
            for i, c in enumerate(doc.communication.expenses)
        ]
        for key in doc.communication.staff_split:
            if key not in CHANNELS:
                yield Hit(
                    ("communication", "staff_split", key), _unknown(msg("channel"), key, known), key=True
                )
    for loc, channel in places:
        if channel is not None and channel not in CHANNELS:
            yield Hit(loc, _unknown(msg("channel"), channel, known))


@rule(
    "CB502",
    "value-without-source",
    E,
    "A typed value or a count of contacts without its source.",
    MONITORING,
    "indicators",
)
def value_without_source(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: every typed indicator value and every count of contacts names its
    `source:` (the minutes, the register, the newsletter tool's report, the web analytics).

    Why: the Region's platform asks for indicator values with their evidence, and the Board
    reads figures it can trace back.

    Fix: add `source:` naming the document the figure comes from.
    """
    for i, v in enumerate(ctx.doc.values):
        if not (v.source or "").strip():
            yield Hit(("values", i), msg("value of {id!r} without a source: add source:", id=v.indicator))
    for i, c in enumerate(ctx.doc.contacts):
        if not (c.source or "").strip():
            yield Hit(
                ("contacts", i),
                msg("contacts of {channel!r} without a source: add source:", channel=c.channel),
            )


def _outside_span(ctx: IndicatorsContext, span: Span) -> bool:
    assert ctx.start is not None and ctx.end is not None
    return span.start > span.end or span.start < ctx.start or span.end > ctx.end


@rule("CB503", "outside-project", E, "A figure dated outside the project.", FILE_CHECK, "indicators")
def outside_project(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: every value, count of contacts, organisation reached and event falls
    within the project's dates (a year: one of the years the project runs in; a period:
    inside the project, its start not after its end), and every target is for such a year.

    Why: the results report is the project's; a figure of another year or project would be
    counted where it does not belong.

    Fix: correct the date, or move the figure to the project it belongs to.
    """
    if ctx.start is None or ctx.end is None:
        return
    start, end = ctx.start, ctx.end
    years = range(start.year, end.year + 1)
    span = msg("{start:date} – {end:date}", start=start, end=end)
    for i, ind in enumerate(ctx.doc.indicators):
        for year in ind.targets:
            if year not in years:
                yield Hit(
                    ("indicators", i, "targets", year),
                    msg("target for {year}, outside the project ({span})", year=str(year), span=span),
                    key=True,
                )
    for section, entries in (("values", ctx.doc.values), ("contacts", ctx.doc.contacts)):
        for i, entry in enumerate(entries):
            if entry.period is not None and _outside_span(ctx, entry.period):
                yield Hit(
                    (section, i, "period"),
                    msg(
                        "period {start:date} – {end:date} is not inside the project ({span})",
                        start=entry.period.start,
                        end=entry.period.end,
                        span=span,
                    ),
                )
            elif entry.year is not None and entry.year not in years:
                yield Hit(
                    (section, i, "year"),
                    msg("year {year} is outside the project ({span})", year=str(entry.year), span=span),
                )
    for i, o in enumerate(ctx.doc.organisations):
        if not start <= o.reached <= end:
            yield Hit(
                ("organisations", i, "reached"),
                msg("reached on {day:date}, outside the project ({span})", day=o.reached, span=span),
            )
    for i, e in enumerate(ctx.doc.events):
        if not start <= e.date <= end:
            yield Hit(
                ("events", i, "date"),
                msg("event on {day:date}, outside the project ({span})", day=e.date, span=span),
            )


@rule(
    "CB504",
    "target-missed",
    W,
    "An indicator below its target once the year is over.",
    MONITORING,
    "indicators",
)
def target_missed(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: once a year is over (its 31 December, or the project's end in its last
    year, is past), each indicator's value for that year — counted from the lists, or its
    typed values — reaches the target set for it.

    Why: the common monitoring model compares results with targets each year; a target
    missed is what the Board and the Region will ask about.

    Fix: nothing to fix in the file if the figures are right: explain the shortfall in the
    yearly report. If a value is missing, add it with its source.
    """
    for i, ind in enumerate(ctx.doc.indicators):
        for year, target in ind.targets.items():
            if not ctx.year_over(year):
                continue
            value = indicator_value(ctx.doc, ind, year)
            if value is None:
                yield Hit(
                    ("indicators", i, "targets", year),
                    msg(
                        "{id}: no value for {year}, target {target:number}",
                        id=ind.id,
                        year=str(year),
                        target=target,
                    ),
                    key=True,
                )
            elif value < target:
                yield Hit(
                    ("indicators", i, "targets", year),
                    msg(
                        "{id}: {value:number} in {year}, below the target of {target:number}",
                        id=ind.id,
                        value=value,
                        year=str(year),
                        target=target,
                    ),
                    key=True,
                )


@rule(
    "CB505",
    "unknown-indicator",
    E,
    "A value of an indicator the file does not define.",
    FILE_CHECK,
    "indicators",
)
def unknown_indicator(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: every value names an indicator listed under `indicators:`.

    Why: a value of an indicator that is not defined has no label, unit, action or target:
    it would be shown nowhere.

    Fix: correct the id, or add the indicator.
    """
    ids = [ind.id for ind in ctx.doc.indicators]
    for i, v in enumerate(ctx.doc.values):
        if v.indicator not in ids:
            yield Hit(("values", i, "indicator"), _unknown(msg("indicator"), v.indicator, ids))


@rule("CB506", "duplicate-indicator", E, "Two indicators with the same id.", FILE_CHECK, "indicators")
def duplicate_indicator(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: each indicator's id is used once.

    Why: values name their indicator by id; with two, a value would count for both.

    Fix: give each indicator its own id.
    """
    seen: dict[str, int] = {}
    for i, ind in enumerate(ctx.doc.indicators):
        if ind.id in seen:
            yield Hit(
                ("indicators", i, "id"),
                msg(
                    "indicator id {id!r} is used twice (first at entry {first})",
                    id=ind.id,
                    first=str(seen[ind.id] + 1),
                ),
            )
        else:
            seen[ind.id] = i


@rule(
    "CB507",
    "unknown-action",
    E,
    "An indicator, organisation or event of an action the project does not have.",
    FILE_CHECK,
    "indicators",
)
def unknown_action(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: the `action:` of each indicator, organisation reached and event is one of
    the budget's actions (the four actions 1–4 when the budget lists none).

    Why: the results report is shown per action 1–4.

    Fix: use the id of one of the budget's actions.
    """
    known = ctx.actions()
    places: list[tuple[tuple[str | int, ...], str | None]] = [
        (("indicators", i, "action"), ind.action) for i, ind in enumerate(ctx.doc.indicators)
    ]
    places += [(("organisations", i, "action"), o.action) for i, o in enumerate(ctx.doc.organisations)]
    places += [(("events", i, "action"), e.action) for i, e in enumerate(ctx.doc.events)]
    for loc, action in places:
        if action is not None and action not in known:
            yield Hit(
                loc,
                msg(
                    "action {action!r} is not one of the project's actions ({known})",
                    action=action,
                    known=", ".join(known),
                ),
            )


@rule(
    "CB508",
    "counted-value-typed",
    E,
    "A typed value for an indicator counted from the lists.",
    PLAN,
    "indicators",
)
def counted_value_typed(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: an indicator with `count:` (organisations, contacts, members,
    new_members, events, participants) has no typed values.

    Why: its value is counted from the lists, so the figure and its detail by category or
    channel always agree; a typed value could disagree with the list.

    Fix: remove the value and add the entries to the list it counts.
    """
    counted = {ind.id: ind.count for ind in ctx.doc.indicators if ind.count is not None}
    for i, v in enumerate(ctx.doc.values):
        if v.indicator in counted:
            yield Hit(
                ("values", i, "value"),
                msg(
                    "{id} is counted from the {list} list: its value is not typed",
                    id=v.indicator,
                    list=str(counted[v.indicator]),
                ),
            )


@rule(
    "CB509",
    "staff-split-total",
    E,
    "The staff cost's shares per channel do not add up to 1.",
    FILE_CHECK,
    "indicators",
)
def staff_split_total(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: `communication.staff_split`, when given, has shares that add up to 1.

    Why: the communication staff cost is divided among the channels to compute each
    channel's cost per contact; shares that do not add up to 1 would lose or invent cost.

    Fix: correct the shares (for example 0.4, 0.3, 0.3).
    """
    comm = ctx.doc.communication
    if comm is None or not comm.staff_split:
        return
    total = sum(comm.staff_split.values(), Decimal(0))
    if total != 1:
        yield Hit(
            ("communication", "staff_split"),
            msg("the shares add up to {total:number}, not 1", total=total),
            key=True,
        )


@rule(
    "CB510",
    "communication-cost-not-found",
    W,
    "A communication cost that no cost report claims.",
    FILE_CHECK,
    "indicators",
)
def communication_cost_not_found(ctx: IndicatorsContext) -> Iterator[Hit]:
    """
    What it checks: each invoice under `communication.expenses` is an item-D expense of one
    of the project's cost reports (by its document number), and each staff id under
    `communication.staff` is a person of a cost report.

    Why: the cost per contact is computed from the accepted costs of the cost reports; a
    cost that no report claims adds nothing, and is probably a typo.

    Fix: write the document number (or staff id) as the cost report has it.
    """
    comm = ctx.doc.communication
    if comm is None:
        return
    documents = {e.document.strip() for r in ctx.reports for e in r.expenses if e.item == "D"}
    people = {s.id for r in ctx.reports for s in r.staff}
    for i, c in enumerate(comm.expenses):
        if c.document.strip() not in documents:
            yield Hit(
                ("communication", "expenses", i, "document"),
                msg("no item-D expense {document!r} in the cost reports", document=c.document),
            )
    for i, person in enumerate(comm.staff):
        if person not in people:
            yield Hit(("communication", "staff", i), msg("no person {id!r} in the cost reports", id=person))


def _doc(code: str, name: str, severity: Severity, summary: str, citation: str, text: str) -> None:
    """Register a rule that no check function runs (its findings are made by the pipeline)."""
    register(Rule(code, name, severity, summary, citation, "indicators", None, inspect.cleandoc(text)))


_doc(
    "CB511",
    "indicators-without-project",
    W,
    "An indicators file that is not in a project's folder.",
    FILE_CHECK,
    """
    What it checks: an indicators file sits in a project's folder, beside its cost reports:
    `budgets/<budget name>/indicators.yaml`, with the budget `budgets/<budget name>.yaml`
    (and the budget can be read).

    Why: its dates are checked against the project's, its actions against the budget's, its
    communication costs against the cost reports; without the budget none of that can be
    checked, and `clustbudget results` cannot find it.

    Fix: move the file into the folder of the project's cost reports, named indicators.yaml.
    """,
)
