"""The annual results report for the Board (Consiglio Direttivo) and the Assembly.

:func:`load_results` loads a project (budget, cost reports, ``indicators.yaml``) and
:func:`year_results` makes one calendar year's figures: organisations reached by category,
contacts and cost per contact by channel, members and new members by category, events and
participants, indicators against targets, each action 1–4, and the year's accepted spending
against the budget. Money comes from :mod:`clustbudget.compute` (accepted costs by year:
:func:`~clustbudget.compute.accepted_by_year`); counts from :mod:`clustbudget.indicators`.
The outputs (JSON, text, xlsx, PDF) only show these figures.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .compute import accepted_by_year, item_totals, share, sum_amounts
from .exitcodes import ExitCode
from .findings import Finding, Severity
from .i18n import msg
from .indicators import (
    ACTIONS,
    CHANNELS,
    INDICATORS_FILE,
    IndicatorsFile,
    YearCounts,
    indicator_value,
    year_counts,
)
from .loading import load_file
from .money import ZERO, round_cents
from .pipeline import ProjectResult, Refused, cannot_write, check_indicators, check_target, computed_project
from .records import dataclass
from .variations import in_force


@dataclass(frozen=True)
class ChannelRow:
    """One communication channel in the year: its reach, its cost and cost per contact."""

    key: str
    contacts: int
    expenses: Decimal
    """Accepted item-D costs of the year assigned to the channel."""
    staff: Decimal
    """Its share of the communication staff's accepted cost of the year."""
    cost_per_contact: Decimal | None
    """(expenses + staff) ÷ contacts, half-up to the cent; None without contacts."""
    reach_rank: int
    cost_rank: int | None

    @property
    def cost(self) -> Decimal:
        return self.expenses + self.staff


@dataclass(frozen=True)
class IndicatorRow:
    id: str
    label_it: str
    label_en: str | None
    unit: str
    """The unit as written, or its Italian when written in both languages (``unit_en``)."""
    action: str
    target: Decimal | None
    value: Decimal | None
    counted: str | None
    """What it counts from the lists, or None for typed values."""
    sources: tuple[str, ...]
    unit_en: str | None = None

    def unit_in(self, lang: str) -> str:
        return self.unit_en if lang == "en" and self.unit_en else self.unit

    @property
    def met(self) -> bool | None:
        """Whether the value reaches the target (None: no target, or no value)."""
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target

    @property
    def share(self) -> Decimal | None:
        """Value ÷ target, four decimals (None without both)."""
        if self.target is None or self.value is None or not self.target:
            return None
        return share(self.value, self.target)


@dataclass(frozen=True)
class ActionRow:
    id: str
    title: str
    indicators: int
    met: int
    organisations: int
    events: int
    participants: int


@dataclass(frozen=True)
class SpendingRow:
    """One item (A–E, ``direct``, ``total``) in the year: budget and accepted costs."""

    key: str
    budget: Decimal
    """The whole budget of the version in force at the year's end."""
    budget_year: Decimal | None
    """The budget's split for the year (None when the budget has no ``by_year``)."""
    accepted_year: Decimal
    accepted_to_date: Decimal
    """Accepted from the project's start to the year's end."""

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.accepted_to_date

    @property
    def share_used(self) -> Decimal | None:
        return share(self.accepted_to_date, self.budget) if self.budget else None


@dataclass
class YearResults:
    """Everything the annual results report shows for one calendar year."""

    title: str
    beneficiary: str | None
    year: int
    start: date
    """The first day of the year in the project (1 January, or the project's start)."""
    end: date
    budget_version: str
    counts: YearCounts
    channels: list[ChannelRow]
    unassigned: Decimal
    """Accepted item-D costs of the year assigned to no channel."""
    communication_staff: Decimal
    """The communication staff's accepted cost of the year (before the split by channel)."""
    indicators: list[IndicatorRow]
    actions: list[ActionRow]
    spending: list[SpendingRow]
    periods: list[str]
    """The cost reports (period ids) with accepted costs in the year."""
    findings: list[Finding] = field(default_factory=list)

    @property
    def communication_cost(self) -> Decimal:
        return sum_amounts(c.expenses for c in self.channels) + self.unassigned + self.communication_staff

    @property
    def by_cost(self) -> list[ChannelRow]:
        """The channels by cost per contact, cheapest first (those without contacts last)."""
        return sorted(self.channels, key=lambda c: (c.cost_rank is None, c.cost_rank or 0))


def indicators_path(budget_path: Path) -> Path:
    """Where a project's indicators file is: ``<budget folder>/<budget name>/indicators.yaml``."""
    return budget_path.parent / budget_path.stem / INDICATORS_FILE


@dataclass
class LoadedResults:
    project: ProjectResult
    indicators: IndicatorsFile
    findings: list[Finding]


def load_results(budget_path: Path | str, *, today: date | None = None) -> LoadedResults:
    """Load a project and its indicators file, checked (CB5xx with the project).

    Raises :class:`~clustbudget.pipeline.Refused` when the budget cannot be computed (exit
    1, or 2 when unreadable), the indicators file is missing or unreadable (2), or it has
    errors (1: counts from a broken list would be wrong).
    """
    budget_path = Path(budget_path)
    project = computed_project(budget_path)
    path = indicators_path(budget_path)
    if not path.is_file():
        raise Refused(
            msg(
                "{path} not found: the indicators file of the project (see `clustbudget schema indicators`)",
                path=str(path),
            ),
            ExitCode.UNREADABLE,
        )
    loaded = load_file(path, str(path), expect="indicators")
    reports = [r.report for r in project.computed if r.report is not None]
    findings = check_indicators(loaded, budget=project.budget, reports=reports, today=today)
    if not isinstance(loaded.model, IndicatorsFile) or any(f.severity is Severity.ERROR for f in findings):
        code = ExitCode.UNREADABLE if any(f.fatal for f in findings) else ExitCode.FINDINGS
        raise Refused(
            msg("{path} has errors: fix them first (clustbudget validate)", path=str(path)), code, findings
        )
    return LoadedResults(project, loaded.model, findings)


def year_results(loaded: LoadedResults, year: int) -> YearResults:
    """The results of calendar ``year`` (which must be one of the project's years:
    :class:`Refused` otherwise)."""
    project, doc = loaded.project, loaded.indicators
    budget = project.budget.budget
    pack = project.budget.pack
    assert budget is not None and pack is not None and project.budget.figures is not None
    start, end = budget.project.start, budget.project.end
    if not start.year <= year <= end.year:
        raise Refused(
            msg(
                "{year} is not a year of the project ({first}–{last})",
                year=str(year),
                first=str(start.year),
                last=str(end.year),
            ),
            ExitCode.UNREADABLE,
        )
    first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    counts = year_counts(doc, year)

    # Accepted costs by year, line by line, from compute.
    direct_year: dict[str, Decimal] = {}
    direct_to_date: dict[str, Decimal] = {}
    comm = doc.communication
    staff_ids = set(comm.staff) if comm else set()
    channel_of: dict[tuple[str, str | None], str] = {}
    if comm:
        for c in comm.expenses:
            channel_of[(c.document.strip(), c.period)] = c.channel
    expenses_by_channel: dict[str, Decimal] = {}
    unassigned = ZERO
    staff_cost = ZERO
    periods: list[str] = []
    for r in project.computed:
        report, costs = r.report, r.costs
        assert report is not None and costs is not None
        lines = accepted_by_year(report, costs, r.disallowed)
        in_year = False
        for ref, parts in lines.items():
            item = costs.item_of(ref)
            for y, amount in parts.items():
                if y <= year:
                    direct_to_date[item] = direct_to_date.get(item, ZERO) + amount
                if y != year:
                    continue
                in_year = True
                direct_year[item] = direct_year.get(item, ZERO) + amount
                if ref[0] == "staff":
                    if report.staff[ref[1]].id in staff_ids:
                        staff_cost += amount
                elif report.expenses[ref[1]].item == "D":
                    channel = _channel(report.expenses[ref[1]].document, report.period.id, channel_of)
                    if channel is None:
                        unassigned += amount
                    else:
                        expenses_by_channel[channel] = expenses_by_channel.get(channel, ZERO) + amount
        if in_year:
            periods.append(report.period.id)

    # The staff cost split by channel: each share half-up, the last channel the rest.
    split = dict(comm.staff_split) if comm else {}
    staff_by_channel: dict[str, Decimal] = {}
    keys = [k for k in CHANNELS if k in split]
    for k in keys[:-1]:
        staff_by_channel[k] = round_cents(staff_cost * split[k])
    if keys:
        staff_by_channel[keys[-1]] = staff_cost - sum_amounts(staff_by_channel.values())
    channels = _channels(counts, expenses_by_channel, staff_by_channel)

    indicators = [
        IndicatorRow(
            ind.id,
            ind.label.it,
            ind.label.en,
            ind.unit if isinstance(ind.unit, str) else ind.unit.it,
            ind.action,
            ind.targets.get(year),
            indicator_value(doc, ind, year),
            ind.count,
            tuple(
                v.source for v in doc.values if v.indicator == ind.id and v.counted_in == year and v.source
            ),
            None if isinstance(ind.unit, str) else ind.unit.en,
        )
        for ind in doc.indicators
    ]
    titles = {a.id: a.title for a in budget.actions}
    action_ids = list(titles) or list(ACTIONS)
    actions = [
        ActionRow(
            a,
            titles.get(a, ""),
            sum(1 for i in indicators if i.action == a),
            sum(1 for i in indicators if i.action == a and i.met),
            counts.organisations_by_action.get(a, 0),
            counts.events_by_action.get(a, 0),
            counts.participants_by_action.get(a, 0),
        )
        for a in action_ids
    ]

    version = project.versions[in_force(project.versions, last)] if project.versions else None
    figures = version.figures if version is not None else project.budget.figures
    year_items, year_direct, _, year_total = item_totals(pack, direct_year)
    to_date_items, to_date_direct, _, to_date_total = item_totals(pack, direct_to_date)
    split_year = figures.by_year.get(year)
    budget_year: dict[str, Decimal] | None = None
    if split_year is not None:
        budget_year = item_totals(pack, split_year)[0]
    spending = [
        SpendingRow(
            key,
            figures.items.get(key, ZERO),
            budget_year.get(key, ZERO) if budget_year is not None else None,
            year_items[key],
            to_date_items[key],
        )
        for key in pack.items
    ]
    by_year_direct = sum_amounts(budget_year[k] for k in pack.direct_items) if budget_year else None
    by_year_total = sum_amounts(budget_year.values()) if budget_year else None
    spending.append(SpendingRow("direct", figures.direct, by_year_direct, year_direct, to_date_direct))
    spending.append(SpendingRow("total", figures.total, by_year_total, year_total, to_date_total))
    return YearResults(
        budget.project.title,
        budget.project.beneficiary,
        year,
        first,
        last,
        _version_name(
            version.display if version is not None else project.budget.loaded.display,
            version.id if version else "",
        ),
        counts,
        channels,
        unassigned,
        staff_cost,
        indicators,
        actions,
        spending,
        periods,
        list(loaded.findings),
    )


def _version_name(display: str, variation: str) -> str:
    """The budget version as the report names it: its file name, and its variation's id."""
    name = Path(display).name
    return f"{name} ({variation})" if variation else name


def _channel(document: str, period: str, channel_of: dict[tuple[str, str | None], str]) -> str | None:
    key = document.strip()
    return channel_of.get((key, period)) or channel_of.get((key, None))


def _channels(
    counts: YearCounts, expenses: dict[str, Decimal], staff: dict[str, Decimal]
) -> list[ChannelRow]:
    """Every channel of the report, ranked by reach (most contacts first)."""
    keys = list(CHANNELS) + [k for k in counts.contacts if k not in CHANNELS]
    rows = []
    for k in keys:
        contacts = counts.contacts.get(k, 0)
        cost = expenses.get(k, ZERO) + staff.get(k, ZERO)
        per = round_cents(cost / contacts) if contacts else None
        rows.append((k, contacts, expenses.get(k, ZERO), staff.get(k, ZERO), per))
    by_reach = sorted(rows, key=lambda r: (-r[1], keys.index(r[0])))
    priced = sorted((r for r in rows if r[4] is not None), key=lambda r: (r[4], keys.index(r[0])))
    cost_rank = {r[0]: i for i, r in enumerate(priced, 1)}
    return [
        ChannelRow(k, contacts, exp, st, per, i, cost_rank.get(k))
        for i, (k, contacts, exp, st, per) in enumerate(by_reach, 1)
    ]


RESULTS_SUFFIXES = (".xlsx", ".pdf")


def default_targets(budget_path: Path, year: int) -> list[Path]:
    """The files `results` writes without ``-o``: ``<budget name>-results-<year>.xlsx`` and
    ``.pdf``, in the current folder."""
    stem = f"{budget_path.stem}-results-{year}"
    return [Path(stem + ".xlsx"), Path(stem + ".pdf")]


def check_targets(targets: list[Path], *, force: bool = False) -> None:
    """Refuse (:class:`Refused`, exit 2) a target that is neither .xlsx nor .pdf, or that
    exists (unless ``force``), before anything is computed or written."""
    for target in targets:
        check_target(
            target,
            force=force,
            suffixes=RESULTS_SUFFIXES,
            wrong_name=msg("{target}: the report's name must end in .xlsx or .pdf", target=str(target)),
        )


def write_results(
    res: YearResults, pack: object, targets: list[Path], *, lang: str = "it", force: bool = False
) -> list[Path]:
    """Write the report to each target (xlsx or PDF by its suffix), each atomically;
    :class:`Refused` (exit 2) when one cannot be written."""
    from .models import CallPack

    assert isinstance(pack, CallPack)
    written: list[Path] = []
    for target in targets:
        try:
            if target.suffix.lower() == ".pdf":
                from .pdf.results import write_results_pdf

                written.append(write_results_pdf(res, pack, target, lang=lang, force=force))
            else:
                from .xlsx.results import write_results_xlsx

                written.append(write_results_xlsx(res, pack, target, lang=lang, force=force))
        except OSError as exc:
            raise cannot_write(target, exc) from None
    return written
