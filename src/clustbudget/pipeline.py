"""The pipeline behind `validate`, `show` and `export`: load → compute → check.

:func:`check_budget` handles one budget; :func:`validate_paths` handles what the command line
names (files and folders), groups cost reports into projects by their budget, and returns
every finding of every file in one :class:`RunResult`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .compute import (
    BudgetFigures,
    Disallowed,
    ItemProgress,
    PeriodFigures,
    Ref,
    Refusal,
    ReportCosts,
    approved_amounts,
    budget_figures,
    budget_vs_actual,
    contribution_due,
    disallowed_costs,
    invoice_charge,
    not_accepted,
    period_figures,
    report_costs,
)
from .exitcodes import ExitCode
from .findings import Finding, Location, Severity, exit_code
from .i18n import msg, nmsg
from .loading import Loaded, PackResolver, kind_hint, load_file, looks_like_ours, read, unknown_kind, validate
from .models import Budget, CallPack
from .records import dataclass
from .rules import Hit, Selection, finding, run
from .rules.budget import BudgetContext
from .variations import Comparison, Version, compare, in_force

if TYPE_CHECKING:  # the rule modules of reports, projects and variations load when those are checked
    from .models import CostReport, Expense  # made on first use (models.py)
    from .rules.project import ProjectContext, ReportCheck
    from .rules.variation import VariationContext

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class BudgetResult:
    """A budget after the whole pipeline: model, pack and figures where they could be made."""

    loaded: Loaded
    pack: CallPack | None = None
    pack_display: str = ""
    figures: BudgetFigures | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def budget(self) -> Budget | None:
        return self.loaded.model if isinstance(self.loaded.model, Budget) else None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def check_budget(
    path: Path | str,
    *,
    display: str | None = None,
    resolver: PackResolver | None = None,
    selection: Selection = Selection(),
    loaded: Loaded | None = None,
    real_path: Path | None = None,
) -> BudgetResult:
    """Load, compute and check one budget file (``real_path``: the file's path with its links
    resolved, when the caller has it already)."""
    path = path if isinstance(path, Path) else Path(path)
    resolver = resolver or PackResolver()
    loaded = loaded or load_file(path, display, expect="budget")
    result = BudgetResult(loaded)
    result.findings = [f for f in loaded.findings if f.fatal or selection.wants(f.code)]
    budget = result.budget
    if budget is None:
        return result
    pack_path = resolver.locate(budget.call, path)
    if pack_path is None:
        if selection.wants("CB020"):
            builtins = ", ".join(resolver.builtin_ids())
            result.findings.append(
                finding(
                    "CB020",
                    msg(
                        "call pack {call!r} not found: use a built-in id ({builtins}) "
                        "or the path of a pack file, relative to this budget",
                        call=budget.call,
                        builtins=builtins,
                    ),
                    loaded.at(("call",)),
                )
            )
        return result
    pack_loaded = resolver.load(pack_path)
    if not isinstance(pack_loaded.model, CallPack):
        if selection.wants("CB020"):
            first = next((f for f in pack_loaded.findings if f.severity is Severity.ERROR), None)
            text = (
                msg(
                    "call pack {call!r} has errors ({where}: {first})",
                    call=budget.call,
                    where=str(first.location),
                    first=first.message,
                )
                if first
                else msg("call pack {call!r} has errors", call=budget.call)
            )
            result.findings.append(finding("CB020", text, loaded.at(("call",))))
        return result
    result.pack, result.pack_display = (
        _with_saved_settings(pack_loaded.model, path, real_path),
        pack_loaded.display,
    )
    if result.pack.parameters.max_shift_between_items is not None and selection.wants("CB409"):
        result.findings.append(
            finding(
                "CB409",
                msg(
                    "call pack {call!r} sets parameters.max_shift_between_items, deprecated: it is read as "
                    "variations.share ({share:rate}); move it to the pack's variations: section",
                    call=budget.call,
                    share=result.pack.variations.share,
                ),
                loaded.at(("call",)),
            )
        )
    result.figures = budget_figures(budget, result.pack)
    ctx = BudgetContext(budget, result.pack, result.figures)
    result.findings.extend(
        run("budget", ctx, lambda hit: loaded.at(hit.loc, key=hit.key), selection).findings
    )
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def _with_saved_settings(pack: CallPack, budget_path: Path, real_path: Path | None = None) -> CallPack:
    """The call pack as the project's ``clustbudget.toml`` completes it: its
    ``patron_saint_day`` stands for the pack's ``staff.patron_saint_day`` (a project's own
    ``project.patron_saint_day`` still wins, :func:`clustbudget.compute.patron_saint_day`).
    The file's folder with links resolved is ``real_path``'s when given (no system call)."""
    if real_path is not None:
        folder: Path | str = str(real_path.parent)
    elif budget_path.is_symlink():
        folder = budget_path.resolve().parent
    else:
        folder = _real_folder(str(budget_path.parent))
    day = _saved_patron_saint_day(folder)
    if day is None or day == pack.staff.patron_saint_day:
        return pack
    return pack.model_copy(update={"staff": pack.staff.model_copy(update={"patron_saint_day": day})})


@functools.lru_cache(maxsize=256)
def _real_folder(folder: str) -> str:
    """A folder with its links resolved, once per folder of a run (not once per file)."""
    return str(Path(folder).resolve())


@functools.lru_cache(maxsize=256)
def _saved_patron_saint_day(folder: str) -> str | None:
    from .config import ConfigError, find_config, load_config

    found = find_config([Path(folder)], cwd=Path(folder))
    if found is None:
        return None
    try:
        return load_config(found).patron_saint_day
    except ConfigError:  # the command line reports it (exit 2) before any budget is read
        return None


# ------------------------------------------------------------------ a project: budget + reports


@dataclass
class ReportResult:
    """A cost report after the pipeline: claimed costs, what rules disallowed, accepted figures."""

    loaded: Loaded
    costs: ReportCosts | None = None
    disallowed: Disallowed = field(default_factory=Disallowed)
    """What the rules refused, per cost, at most the cost (``compute.disallowed_costs``);
    ``disallowed.hours`` the hours refused per (person index, month)."""
    approved: dict[Ref, Decimal] = field(default_factory=dict)
    """The review's approved amount per line, where the report records one."""
    figures: PeriodFigures | None = None
    findings: list[Finding] = field(default_factory=list)
    named: bool = True
    """Named on the command line (or found as the budget's reports when none was named). A
    report of the project that was not named counts in the figures and the checks across
    periods, and its findings are shown too (the project is the unit); a rendiconto defaults
    to the latest period named."""

    @property
    def report(self) -> CostReport | None:
        from .models import CostReport

        return self.loaded.model if isinstance(self.loaded.model, CostReport) else None


@dataclass(frozen=True, slots=True)
class InvoicePart:
    """One line that charges (part of) an invoice: its report, its index, its charge (the
    part of the invoice's taxable amount: amount × eligible share)."""

    result: ReportResult
    index: int
    charge: Decimal
    expense: Expense
    period: str


@dataclass
class ProjectResult:
    """A budget and its reports, in period order, with budget against actual after each period."""

    budget: BudgetResult
    reports: list[ReportResult]
    progress: list[list[ItemProgress]] = field(default_factory=list)
    contributions: list[Decimal | None] = field(default_factory=list)
    """Contribution due on the cumulative accepted costs after each period (None: rate unknown)."""
    versions: list[Version] = field(default_factory=list)
    """The budget's approved line of versions: the original, then each approved revision."""
    in_force: list[Version] = field(default_factory=list)
    """The version in force at each computed period's end (its progress is against it)."""
    pending: list[Version] = field(default_factory=list)
    """Revisions still pending: never counted, shown beside by ``report --with-pending``."""
    parts: dict[tuple[int, int], list[InvoicePart]] = field(default_factory=dict)
    """For each claimed expense whose invoice other lines charge too, ``(id(report's Loaded),
    index)``: every line of the project that charges the invoice, itself included, in period
    order. Use :meth:`parts_of`, which also answers for a line that charges an invoice alone."""
    grouped: set[int] = field(default_factory=set)
    """``id`` of the Loaded of each report whose claimed lines were grouped by invoice."""

    def parts_of(self, result: ReportResult, index: int) -> list[InvoicePart]:
        """The lines charging the same invoice as expense ``index`` of ``result`` (none for a
        line not claimed). A line alone on its invoice is made here, when asked: most lines
        are, and keeping one part per line cost 0.3 KiB an expense and a tenth of the checks'
        time."""
        shared = self.parts.get((id(result.loaded), index))
        if shared is not None:
            return shared
        report = result.report
        if id(result.loaded) not in self.grouped or report is None or not 0 <= index < len(report.expenses):
            return []
        exp = report.expenses[index]
        if not exp.claimed:
            return []
        return [InvoicePart(result, index, invoice_charge(exp), exp, report.period.id)]

    @property
    def computed(self) -> list[ReportResult]:
        """The reports whose figures could be computed, in period order."""
        return [r for r in self.reports if r.figures is not None]

    @property
    def findings(self) -> list[Finding]:
        """The budget's findings and those of every report of the project, named or not: the
        project is the unit, so a finding on a report that was not named (a double claim found
        on a later period, a sibling file that cannot be read) is shown at its own file:line."""
        return self.budget.findings + [f for r in self.reports for f in r.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def blocking_errors(self, *, strict: bool = False, package: bool = False) -> list[Finding]:
        """The errors that keep a rendiconto from being exported: all of them with ``strict``,
        otherwise those that are not disallowed costs (:data:`~clustbudget.rules.project.DISALLOWING`:
        the figures already leave those costs out) nor, unless for the claim ``package``, about
        supporting files (:data:`~clustbudget.rules.project.DOCUMENTS`: the figures stand)."""
        from .rules.project import DISALLOWING, DOCUMENTS

        passing = DISALLOWING if package else DISALLOWING | DOCUMENTS
        return [f for f in self.errors if strict or f.code not in passing]

    @property
    def latest_named(self) -> int:
        """Index in :attr:`computed` of the latest period named (the default period of a
        rendiconto), or -1 (the latest) when none of the computed reports was named."""
        computed = self.computed
        named = [i for i, r in enumerate(computed) if r.named]
        return named[-1] if named else -1


def budget_of_report(loaded: Loaded) -> Path | None:
    """The budget file a valid report's ``budget:`` names, resolved against the report's folder."""
    from .models import CostReport

    report = loaded.model
    if not isinstance(report, CostReport):
        return None
    try:
        return (loaded.path.parent / report.budget).resolve()
    except (OSError, RuntimeError, ValueError):  # a name no file can have: reported as not found
        return loaded.path.parent / "\ufffd"


def check_project(
    budget: BudgetResult,
    reports: Sequence[Loaded],
    *,
    selection: Selection = Selection(),
    others: Sequence[Loaded] = (),
    versions: Sequence[Version] = (),
    pending: Sequence[Version] = (),
) -> ProjectResult:
    """Check a budget's cost reports: each on its own, then across them, then against the budget.

    ``versions`` is the budget's approved line (:func:`version_line`; default: the budget
    alone): each period's budget against actual uses the version in force at its end.

    ``reports`` are loaded (and validated) report files; those that could not be read keep
    their findings and are left out of the figures. ``others`` are the project's reports that
    were not named: they complete the figures and the checks across periods (``named`` False).
    """
    checked = check_reports(budget, reports, selection=selection, others=others)
    return compute_project(checked, selection=selection, versions=versions, pending=pending)


@dataclass
class CheckedProject:
    """A project whose reports are checked, on their own and across periods, with what the
    rules refuse, but whose figures are not computed yet (:func:`compute_project`): a run of
    several projects adds what the rules across projects refuse (CB305) in between."""

    project: ProjectResult
    results: list[ReportResult]
    valid: list[ReportResult]
    """The reports read and valid, in period order: those whose figures are computed."""
    checks: list[ReportCheck]
    refusals: dict[int, list[Refusal]]
    """What the rules refuse, per report (``id`` of its :class:`Loaded`)."""
    context: ProjectContext | None = None
    """What the rules across reports saw (its claimed lines grouped by invoice, once)."""

    def attach(self, findings: Iterable[Finding]) -> None:
        """Give each finding to the report of the project whose file it is on."""
        for f in findings:
            for r in self.valid:
                if r.loaded.display == f.location.path:
                    r.findings.append(f)
                    break


def check_reports(
    budget: BudgetResult,
    reports: Sequence[Loaded],
    *,
    selection: Selection = Selection(),
    others: Sequence[Loaded] = (),
) -> CheckedProject:
    """The first half of :func:`check_project`: each report's rules and the rules across the
    project's reports, collecting what they refuse."""
    results = [
        ReportResult(r, findings=[f for f in r.findings if f.fatal or selection.wants(f.code)], named=named)
        for group, named in ((reports, True), (others, False))
        for r in group
    ]
    from .rules.costreport import ReportContext
    from .rules.project import ProjectContext, ReportCheck

    project = ProjectResult(budget, results)
    valid = [r for r in results if r.report is not None]
    if budget.figures is None or budget.budget is None or budget.pack is None:
        for r in valid:
            if selection.wants("CB021"):
                r.findings.append(
                    finding(
                        "CB021",
                        msg("budget {budget} has errors: fix it first", budget=budget.loaded.display),
                        r.loaded.at(("budget",)),
                    )
                )
        return CheckedProject(project, results, [], [], {})
    model, pack = budget.budget, budget.pack
    valid.sort(key=lambda r: (r.report.period.start, r.report.period.end))  # type: ignore[union-attr]
    project.reports = valid + [r for r in results if r.report is None]

    # What the rules refuse, per report (a rule across reports names the report in Hit.doc).
    refusals: dict[int, list[Refusal]] = {id(r.loaded): [] for r in valid}
    for r in valid:
        report = r.report
        assert report is not None
        r.costs = report_costs(report, model.project.vat_recoverable, pack.staff.hours_per_year)
        checked = run(
            "report",
            ReportContext(report, model, pack, r.costs, r.loaded.path.parent),
            _locate(r),
            selection,
            refusals=True,
        )
        r.findings.extend(checked.findings)
        for doc, refusal in checked.refusals:
            refusals[id(doc or r.loaded)].append(refusal)
    checks = [ReportCheck(r.loaded, r.report, r.costs) for r in valid]  # type: ignore[arg-type]
    context = ProjectContext(model, pack, checks)
    state = CheckedProject(project, results, valid, checks, refusals, context)
    if valid:
        checked = run("project", context, _locate(valid[0]), selection, refusals=True)
        state.attach(checked.findings)
        for doc, refusal in checked.refusals:
            refusals[id(doc or valid[0].loaded)].append(refusal)
    return state


def _locate(default: ReportResult) -> Callable[[Hit], Location]:
    return lambda hit: (hit.doc or default.loaded).at(hit.loc, key=hit.key)


def compute_project(
    state: CheckedProject,
    *,
    selection: Selection = Selection(),
    versions: Sequence[Version] = (),
    pending: Sequence[Version] = (),
) -> ProjectResult:
    """The second half of :func:`check_project`: what the rules refused applied once per report
    (``compute.disallowed_costs``), the accepted figures, budget against actual, and the rules
    on it."""
    project, valid, checks = state.project, state.valid, state.checks
    budget = project.budget
    if budget.figures is None or budget.budget is None or budget.pack is None:
        return project
    model, pack = budget.budget, budget.pack
    by_loaded = {id(r.loaded): r for r in valid}
    if state.context is not None:
        project.grouped.update(id(rc.loaded) for rc in state.context.reports)
    for group in state.context.invoices if state.context is not None else []:
        if len(group) < 2:
            continue  # made by parts_of when asked
        shared = [
            InvoicePart(
                by_loaded[id(p.rc.loaded)],
                p.index,
                p.charge,
                p.rc.report.expenses[p.index],
                p.rc.report.period.id,
            )
            for p in group
        ]
        for p in group:
            project.parts[(id(p.rc.loaded), p.index)] = shared
    for r in valid:
        assert r.costs is not None and r.report is not None
        r.approved = approved_amounts(r.report)
        disallowed = disallowed_costs(r.costs, state.refusals[id(r.loaded)])
        reviewed = r.report.period.reviewed is not None
        r.figures = period_figures(r.costs, pack, disallowed, r.approved, reviewed=reviewed)
        r.disallowed = not_accepted(r.costs, disallowed, r.approved)
    periods = [r.figures for r in valid if r.figures is not None]
    project.versions = list(versions) or [Version(budget.loaded.display, "", None, budget.figures)]
    project.pending = list(pending)
    ends = [r.report.period.end for r in valid if r.figures is not None]  # type: ignore[union-attr]
    project.in_force = [project.versions[in_force(project.versions, end)] for end in ends]
    project.progress = [
        budget_vs_actual(project.in_force[i].figures, periods, i) for i in range(len(periods))
    ]
    params = pack.parameters
    for rows in project.progress:
        total = next(row for row in rows if row.key == "total")
        project.contributions.append(
            contribution_due(total.cumulative, params.contribution_rate, params.grant_cap)
            if params.contribution_rate is not None
            else None
        )
    if valid:
        figures = project.in_force[-1].figures if project.in_force else budget.figures
        from .rules.project import ProgressContext

        ctx2 = ProgressContext(model, pack, figures, checks, periods, project.progress)
        state.attach(run("progress", ctx2, _locate(valid[-1]), selection).findings)
    for r in state.results:
        r.findings.sort(key=lambda f: f.sort_key)
    return project


# ------------------------------------------------------------------ many files, one run


@dataclass
class FileResult:
    """The findings of one file of a run."""

    display: str
    kind: str | None
    findings: list[Finding]
    skipped: bool = False
    """Not one of ours (other YAML in a folder): not counted as checked."""


@dataclass
class RunResult:
    files: list[FileResult]
    projects: list[ProjectResult] = field(default_factory=list)
    """The projects of the run (a budget with its reports), their figures computed."""
    budgets: dict[Path, BudgetResult] = field(default_factory=dict, repr=False, compare=False)
    """Every budget the run read (named, or read for its reports or revisions), by its real
    path. Kept with the result: freed at the end of :func:`validate_paths`, their documents
    and models cost 20 ms to take apart for 1,000 budgets, and the command line writes its
    output and exits without freeing them at all."""

    @property
    def findings(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.findings]

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out

    def exit_code(self, *, strict: bool = False) -> ExitCode:
        """FORMAT.md §4: 2 unreadable, 1 errors (or warnings with strict), else 0."""
        return exit_code(self.findings, strict=strict)


def collect(paths: Sequence[Path], keys: dict[Path, Path] | None = None) -> list[tuple[Path, bool]]:
    """The files a run reads: those named, and the YAML files inside the folders named.

    Returns ``(path, named)`` pairs, in a stable order, each file once. Hidden folders
    (``.git``, ``.venv``…) are not entered. ``keys``, when given, receives each file's
    resolved path (what tells two names of one file apart).
    """
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    keys = {} if keys is None else keys
    folders: dict[Path, Path] = {}
    linked: set[Path] = set()

    def add(p: Path, named: bool) -> None:
        if named or p in linked:
            key = _resolved(p)
        else:  # found in a folder, not a link: its folder resolved (once) and its name
            parent = folders.get(p.parent)
            if parent is None:
                parent = folders[p.parent] = _resolved(p.parent)
            key = parent / p.name
        if key not in seen:
            seen.add(key)
            keys[p] = key
            out.append((p, named))

    for p in paths:
        if p.is_dir():
            for f in sorted(_yaml_files(p, linked)):
                add(f, False)
        else:
            add(p, True)
    return out


def files_under(
    root: Path, unlistable: Callable[[Path, OSError], None] | None = None
) -> Iterator[os.DirEntry[str]]:
    """The entries under ``root`` at any depth that are not folders, outside hidden folders.

    A loop over a stack, not recursion: a tree 1,000 folders deep is walked like a flat one.
    Symlinked folders are not entered (as ``Path.rglob``: a link to a parent never ends). A
    folder that cannot be listed goes to ``unlistable(folder, error)``, which may raise to
    refuse the walk; without it the folder is passed over. Shared by ``validate``'s folders
    and ``import-invoices``' e-invoice folders.
    """
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as exc:
            if unlistable is not None:
                unlistable(folder, exc)
            continue
        for entry in listed:
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_folder:
                yield entry
            elif not entry.name.startswith("."):
                folders.append(Path(entry.path))


def _yaml_files(root: Path, linked: set[Path] | None = None) -> list[Path]:
    """The ``*.yaml``/``*.yml`` files under ``root`` (:func:`files_under`); the ones that are
    symlinks are added to ``linked``."""
    found: list[Path] = []
    for entry in files_under(root):
        try:
            if os.path.splitext(entry.name)[1].lower() in YAML_SUFFIXES and entry.is_file():
                found.append(Path(entry.path))
                if linked is not None and entry.is_symlink():
                    linked.add(found[-1])
        except OSError:
            continue
    return found


def validate_paths(paths: Iterable[Path], selection: Selection = Selection()) -> RunResult:
    """Validate the files and folders named, as `clustbudget validate` does.

    Cost reports are grouped into projects by the budget their ``budget:`` resolves to; that
    budget is read even when it was not named (its own findings are then not reported).
    """
    resolver = PackResolver()
    files: list[FileResult] = []
    budgets: dict[Path, BudgetResult] = {}
    reports: dict[Path, list[tuple[Loaded, FileResult]]] = {}
    portfolio: list[tuple[str, list[ReportCheck]]] = []
    projects: list[
        tuple[
            Path, list[tuple[Loaded, FileResult]], BudgetResult, CheckedProject, list[Version], list[Version]
        ]
    ] = []
    indicator_files: list[tuple[Loaded, FileResult]] = []
    keys: dict[Path, Path] = {}
    collected = collect(list(paths), keys)
    run_projects: list[ProjectResult] = []
    for path, named in collected:
        loaded = read(path, str(path))
        if not named and _not_ours(loaded):
            # Other YAML in a folder (CI configuration, mkdocs, Helm templates…): skipped,
            # whatever it holds, unless it looks like a budget, report or pack of ours.
            reason = (
                msg("skipped: not a budget, cost report or call pack")
                if loaded.doc is not None
                else msg(
                    "skipped: not read as YAML ({why}) and not a clustbudget file",
                    why=loaded.findings[0].message,
                )
            )
            skipped = [finding("CB016", reason, Location(str(path), 1, 1))]
            files.append(FileResult(str(path), None, _selected(skipped, selection), skipped=True))
            continue
        if loaded.doc is not None and loaded.kind is None:
            loaded.findings.append(unknown_kind(loaded))
        elif loaded.doc is not None:
            validate(loaded)
        fr = FileResult(str(path), loaded.kind, [])
        files.append(fr)
        if loaded.kind == "budget":
            result = check_budget(
                path, resolver=resolver, selection=selection, loaded=loaded, real_path=keys[path]
            )
            budgets[keys[path]] = result
            fr.findings = result.findings
        elif loaded.kind == "report" and loaded.model is not None:
            target = budget_of_report(loaded)
            assert target is not None
            reports.setdefault(target, []).append((loaded, fr))
        elif loaded.kind == "indicators" and loaded.model is not None:
            indicator_files.append((loaded, fr))
        else:
            fr.findings = _selected(loaded.findings, selection)
    cache = dict(budgets)  # every budget read in this run, named or not: each read once
    for result in list(budgets.values()):
        if revises_target(result.loaded) is not None:
            check_revision(result, resolver=resolver, selection=selection, known=cache)
    for target, members in reports.items():
        budget = budgets.get(target)
        if budget is None:
            if _is_file(target):
                budget = check_budget(
                    target, display=_display(target), resolver=resolver, selection=selection
                )
            else:
                for loaded, fr in members:
                    fr.findings = _selected(loaded.findings, selection)
                    if selection.wants("CB021"):
                        fr.findings.append(
                            finding(
                                "CB021",
                                msg(
                                    "budget {budget!r} not found (relative to this report)",
                                    budget=loaded.model.budget,
                                ),
                                loaded.at(("budget",)),
                            )
                        )
                continue
        # The rest of the project: its reports this run did not name (every file the run reads
        # already has its own findings).
        others = project_reports(target, known=[p for p, _ in collected])
        versions, pending = version_line(budget, resolver=resolver, known=cache)
        state = check_reports(budget, [m[0] for m in members], selection=selection, others=others)
        projects.append((target, members, budget, state, versions, pending))
        portfolio.append((budget.loaded.display, state.checks))
    if len(portfolio) > 1:
        # Across the projects of the run (CB305): what it refuses is left out of the figures
        # of the project that claimed the invoice later, as a rule within a project would.
        from .rules.project import PortfolioContext

        ctx = PortfolioContext(portfolio)
        states = {id(rc.loaded): state for *_, state, _, _ in projects for rc in state.checks}
        by_display = {rc.loaded.display: state for *_, state, _, _ in projects for rc in state.checks}
        checked = run(
            "portfolio", ctx, lambda hit: hit.doc.at(hit.loc, key=hit.key), selection, refusals=True
        )
        for doc, refusal in checked.refusals:
            states[id(doc)].refusals[id(doc)].append(refusal)
        for f in checked.findings:
            by_display[f.location.path].attach([f])
    for target, members, budget, state, versions, pending in projects:
        project = compute_project(state, selection=selection, versions=versions, pending=pending)
        run_projects.append(project)
        by_loaded = {id(r.loaded): r for r in project.reports}
        for r in project.reports:
            if not r.named:  # a report of the project not named: its findings are shown too
                files.append(FileResult(r.loaded.display, r.loaded.kind, r.findings))
        unnamed_with_errors = target not in budgets and budget.figures is not None and budget.errors
        for loaded, fr in members:
            fr.findings = by_loaded[id(loaded)].findings
            if unnamed_with_errors and selection.wants("CB022") and loaded.model is not None:
                n = len(budget.errors)
                fr.findings.append(
                    finding(
                        "CB022",
                        nmsg(
                            "its budget {budget} has {n} error, not shown because it was not named: "
                            "validate it too",
                            "its budget {budget} has {n} errors, not shown because it was not named: "
                            "validate it too",
                            n,
                            budget=budget.loaded.display,
                        ),
                        loaded.at(("budget",)),
                    )
                )
    for loaded, fr in indicator_files:
        budget_path = indicators_budget(loaded.path)
        indicators_of = None
        if budget_path is not None:
            indicators_of = cache.get(_resolved(budget_path)) or check_budget(
                budget_path, display=_display(budget_path), resolver=resolver, selection=Selection(("CB0",))
            )
        fr.findings = check_indicators(loaded, budget=indicators_of, selection=selection)
    for fr in files:
        fr.findings.sort(key=lambda f: f.sort_key)
    return RunResult(files, run_projects, cache)


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or its absolute form when it cannot be resolved (a symlink loop
    raises RuntimeError before Python 3.13; a NUL byte, ValueError): reading it then says why."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


# ------------------------------------------------------------------ a project's indicators


def _is_project_indicators(path: Path, budget_path: Path) -> bool:
    from .indicators import INDICATORS_FILE

    try:
        folder = (budget_path.parent / budget_path.stem).resolve()
        return path.name == INDICATORS_FILE and path.resolve().parent == folder
    except (OSError, RuntimeError, ValueError):
        return False


def indicators_budget(path: Path) -> Path | None:
    """The budget of an indicators file kept in a project's folder
    (``budgets/<budget name>/indicators.yaml`` → ``budgets/<budget name>.yaml``), or None."""
    folder = path.parent
    for suffix in YAML_SUFFIXES:
        candidate = folder.parent / (folder.name + suffix)
        if _is_file(candidate):
            return candidate
    return None


def check_indicators(
    loaded: Loaded,
    *,
    budget: BudgetResult | None,
    reports: Sequence[CostReport] | None = None,
    selection: Selection = Selection(),
    today: date | None = None,
) -> list[Finding]:
    """The findings of a loaded indicators file: its reading and schema findings, then the
    CB5xx rules with its project (the budget's dates and actions; the cost reports, read
    from beside the budget when ``reports`` is None). Without a budget: CB511, and the rules
    that need none."""
    from .indicators import IndicatorsFile
    from .rules.indicators import IndicatorsContext

    findings = _selected(loaded.findings, selection)
    doc = loaded.model
    if not isinstance(doc, IndicatorsFile):
        return findings
    model = budget.budget if budget is not None else None
    if model is None:
        if selection.wants("CB511"):
            findings.append(
                finding(
                    "CB511",
                    msg(
                        "not in a project's folder (budgets/<budget name>/indicators.yaml beside "
                        "budgets/<budget name>.yaml), or its budget has errors: dates, actions and "
                        "costs not checked"
                    ),
                    Location(loaded.display, 1, 1),
                )
            )
        reports = ()
    elif reports is None:
        assert budget is not None
        from .models import CostReport

        reports = [r.model for r in project_reports(budget.loaded.path) if isinstance(r.model, CostReport)]
    ctx = IndicatorsContext(doc, model, reports, today or date.today())
    findings += run("indicators", ctx, lambda hit: loaded.at(hit.loc, key=hit.key), selection).findings
    findings.sort(key=lambda f: f.sort_key)
    return findings


def _not_ours(loaded: Loaded) -> bool:
    if loaded.doc is None:
        # Only a file that is YAML of another kind (tags, merge keys, templates) is skipped; an
        # empty, truncated or non-UTF-8 .yaml file is reported: it may be a budget gone wrong.
        code = loaded.findings[0].code if loaded.findings else ""
        return code in ("CB002", "CB004") and not looks_like_ours(loaded.path) and _is_file(loaded.path)
    return loaded.kind is None and kind_hint(loaded.doc.data) is None


def _is_file(path: Path) -> bool:
    """Whether a file is there; False for a name no file can have (too long, a NUL in it)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _selected(findings: list[Finding], selection: Selection) -> list[Finding]:
    return [f for f in findings if f.fatal or selection.wants(f.code)]


def find_reports(budget_path: Path) -> list[Path]:
    """The cost reports kept beside a budget: ``<budget folder>/<budget stem>/*.yaml``
    whose ``budget:`` points back at it (FORMAT.md §3's layout), and the files there that
    could not be read as documents (they may be reports gone wrong)."""
    return [loaded.path for loaded in _beside(budget_path, ())]


def project_reports(budget_path: Path, known: Iterable[Path] = ()) -> list[Loaded]:
    """The reports beside a budget (as :func:`find_reports` finds them) other than the files
    ``known``, loaded and validated: the rest of the project, each file read once."""
    found = list(_beside(budget_path, known))
    for loaded in found:
        if loaded.doc is not None:
            validate(loaded)
    return found


def _beside(budget_path: Path, known: Iterable[Path]) -> Iterator[Loaded]:
    folder = budget_path.parent / budget_path.stem
    if not folder.is_dir():
        return
    target = _resolved(budget_path)
    skip = {_resolved(p) for p in known}
    for path, _ in collect([folder]):
        if _resolved(path) in skip:
            continue
        loaded = read(path, _display(path))
        if loaded.doc is None and not _not_ours(loaded):
            # A file of the project's folder that cannot be read (truncated, not UTF-8, empty)
            # may be one of its periods: it is part of the project, so that its errors are
            # reported, never a period silently missing from the figures.
            yield loaded
            continue
        ref = loaded.doc.data.get("budget") if loaded.kind == "report" and loaded.doc else None
        try:
            if isinstance(ref, str) and _resolved(path.parent / ref) == target:
                yield loaded
        except (OSError, ValueError):  # a name no file can have: not this budget
            continue


def loaded_from_text(path: Path, text: str | bytes, display: str | None = None) -> Loaded:
    """A report (or budget) as if read from ``path``, from text (or its UTF-8 bytes) that is
    not on disk yet."""
    from .loading import detect_kind, problem_findings
    from .yamlsource import parse_document

    display = display or str(path)
    doc = parse_document(text.encode("utf-8") if isinstance(text, str) else text, path, display)
    loaded = Loaded(path, display, doc, detect_kind(doc.data))
    loaded.findings = problem_findings(doc, display)
    if loaded.kind is not None:
        validate(loaded)
    return loaded


def load_project(
    budget_path: Path | str, report_paths: Sequence[Path] = (), *, selection: Selection = Selection()
) -> ProjectResult:
    """Load and check a budget with its whole project: the reports named, and every report
    beside the budget (``<budget folder>/<budget name>/``), so that cumulative figures, the
    hours cap, rates and double claims always see every period. With no report named, those
    beside it are the named ones.

    A named report that belongs to another budget gets a CB021 error.
    """
    budget_path = Path(budget_path)
    budget = check_budget(budget_path, selection=selection)
    # The project's indicators file is part of the project, not a report: `export BUDGET
    # budgets/<name>/*.yaml` names it with the reports (results reads it, not report/export).
    paths = [p for p in report_paths if not _is_project_indicators(p, budget_path)]
    loadeds = [load_file(p, str(p), expect="report") for p in paths]
    others = project_reports(budget_path, known=paths)
    if not paths:
        loadeds, others = others, []
    for loaded in loadeds:
        target = budget_of_report(loaded)
        if target is not None and target != _resolved(budget_path):
            loaded.findings.append(
                finding(
                    "CB021",
                    msg(
                        "this report belongs to budget {budget!r}, not {path}",
                        budget=loaded.model.budget,
                        path=str(budget_path),
                    ),
                    loaded.at(("budget",)),
                )
            )
            loaded.model = None
    versions, pending = version_line(budget)
    return check_project(
        budget, loadeds, selection=selection, others=others, versions=versions, pending=pending
    )


# ------------------------------------------------------------------ versions of a budget


def revises_target(loaded: Loaded) -> Path | None:
    """The file a budget's ``revises:`` names, resolved against its folder (None: not a
    revision). Read from the document, so that a broken revision still names its target."""
    data = loaded.doc.data if loaded.doc is not None else None
    ref = data.get("revises") if isinstance(data, dict) else None
    if not isinstance(ref, str):
        return None
    try:
        return (loaded.path.parent / ref).resolve()
    except (OSError, RuntimeError, ValueError):  # a name no file can have: reported as not found
        return loaded.path.parent / "\ufffd"


def find_revisions(folder: Path, known: Iterable[Path] = ()) -> list[Loaded]:
    """The revisions kept in ``folder`` (budget files with ``revises:``, FORMAT "Budget
    variations": beside the budget they revise), read and validated, except the files
    ``known``."""
    skip = {_resolved(p) for p in known}
    out = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if path.suffix.lower() not in YAML_SUFFIXES or not path.is_file() or _resolved(path) in skip:
            continue
        loaded = read(path, _display(path))
        if loaded.kind == "budget" and revises_target(loaded) is not None:
            validate(loaded)
            out.append(loaded)
    return out


def _approved(result: BudgetResult) -> bool:
    model = result.budget
    return model is not None and model.variation is not None and model.variation.approved is not None


def version_line(
    budget: BudgetResult,
    *,
    resolver: PackResolver | None = None,
    known: dict[Path, BudgetResult] | None = None,
) -> tuple[list[Version], list[Version]]:
    """A budget's approved line of versions, from the original, and its pending revisions.

    The revisions are the budget files beside it whose ``revises:`` leads back to it. From
    each version the line goes on to the approved revision of it (the earliest approved, if
    two are: CB401 reports that fork); a revision with errors ends the line there. Pending:
    the revisions of a version of the line not yet approved.
    """
    resolver = resolver or PackResolver()
    known = {} if known is None else known
    if budget.figures is None:
        return [], []
    root = _resolved(budget.loaded.path)
    known.setdefault(root, budget)
    results: list[BudgetResult] = []
    for loaded in find_revisions(budget.loaded.path.parent):
        key = _resolved(loaded.path)
        if key not in known:
            known[key] = check_budget(loaded.path, resolver=resolver, loaded=loaded)
        results.append(known[key])
    targets = {id(r): revises_target(r.loaded) for r in results}
    line = [Version(budget.loaded.display, "", None, budget.figures)]
    on_line, current = {root}, root
    while True:
        nexts = [r for r in results if targets[id(r)] == current and _approved(r) and r.figures is not None]
        if not nexts:
            break
        nexts.sort(key=lambda r: (r.budget.variation.approved, r.loaded.display))  # type: ignore[union-attr]
        chosen = nexts[0]
        current = _resolved(chosen.loaded.path)
        if current in on_line:
            break
        on_line.add(current)
        v = chosen.budget.variation  # type: ignore[union-attr]
        line.append(Version(chosen.loaded.display, v.id, v.approved, chosen.figures, v.act))  # type: ignore[union-attr, arg-type]
    pending = [
        Version(r.loaded.display, r.budget.variation.id, None, r.figures, r.budget.variation.act)  # type: ignore[union-attr]
        for r in results
        if targets[id(r)] in on_line and r.budget is not None and not _approved(r) and r.figures is not None
    ]
    return line, pending


def _loop_through(loaded: Loaded) -> list[str]:
    """The files of a loop of ``revises:`` through ``loaded``, or [] when the line reaches
    an original budget (or a missing file, reported on its own)."""
    start = _resolved(loaded.path)
    names, seen, current = [loaded.display], {start}, loaded
    while True:
        target = revises_target(current)
        if target is None or not target.is_file():
            return []
        if target == start:
            return [*names, loaded.display]
        if target in seen:
            return []  # a loop that does not pass through this file: reported on its members
        seen.add(target)
        current = read(target, _display(target))
        names.append(current.display)


def variation_context(
    revision: BudgetResult,
    revised: BudgetResult | None,
    *,
    siblings: Sequence[BudgetResult] = (),
) -> VariationContext | None:
    """What the CB4xx rules look at for one revision (None when the revision itself could
    not be read as a budget). ``revised`` None: the version it names was not found."""
    model = revision.budget
    if model is None:
        return None
    name = model.revises or (revised.loaded.display if revised is not None else "")
    problem = ""
    comparison: Comparison | None = None
    if revised is None:
        problem = msg("not found (relative to this revision)")
    elif revised.loaded.kind != "budget":
        problem = msg("not a budget file")
    elif revised.figures is None:
        problem = msg("the version it revises has errors: fix them first")
    elif revision.figures is not None:
        comparison = compare(revised.figures, revision.figures)
    revised_model = revised.budget if revised is not None else None
    pending = bool(
        revised_model is not None and revised_model.revises is not None and not _approved(revised)  # type: ignore[arg-type]
    )
    from .rules.variation import Sibling, VariationContext

    others = [
        Sibling(s.loaded.display, _approved(s), s.loaded.at(("variation", "approved")))
        for s in siblings
        if s is not revision and s.budget is not None
    ]
    return VariationContext(
        model,
        revision.pack,
        name,
        revised_model if comparison is not None else None,
        revised is not None,
        problem,
        pending,
        comparison,
        others,
        _loop_through(revision.loaded) if model.revises is not None else [],
        revision.loaded.display,
    )


def check_revision(
    revision: BudgetResult,
    *,
    resolver: PackResolver | None = None,
    selection: Selection = Selection(),
    known: dict[Path, BudgetResult] | None = None,
) -> VariationContext | None:
    """Run the CB4xx rules on a revision: its findings are added to ``revision.findings``.
    Returns the context (with the comparison), or None when it is not a readable revision."""
    resolver = resolver or PackResolver()
    known = {} if known is None else known
    target = revises_target(revision.loaded)
    if target is None or revision.budget is None:
        return None
    revised: BudgetResult | None = None
    if target.is_file():
        if target not in known:
            known[target] = check_budget(target, display=_display(target), resolver=resolver)
        revised = known[target]
    siblings = []
    for loaded in find_revisions(revision.loaded.path.parent):
        key = _resolved(loaded.path)
        if revises_target(loaded) != target or key == _resolved(revision.loaded.path):
            continue
        if key not in known:
            known[key] = check_budget(loaded.path, resolver=resolver, loaded=loaded)
        siblings.append(known[key])
    ctx = variation_context(revision, revised, siblings=siblings)
    if ctx is not None:
        loaded = revision.loaded
        found = run("variation", ctx, lambda hit: loaded.at(hit.loc, key=hit.key), selection).findings
        revision.findings.extend(found)
        revision.findings.sort(key=lambda f: f.sort_key)
    return ctx


@dataclass
class VariationResult:
    """``clustbudget variation OLD NEW``: two versions, their comparison and the findings."""

    old: BudgetResult
    new: BudgetResult
    context: VariationContext | None

    @property
    def comparison(self) -> Comparison | None:
        return self.context.comparison if self.context is not None else None

    @property
    def findings(self) -> list[Finding]:
        return self.old.findings + self.new.findings

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def compare_budgets(old_path: Path, new_path: Path, *, selection: Selection = Selection()) -> VariationResult:
    """Compare two versions of a budget, as `clustbudget variation OLD NEW` does.

    When NEW is a revision of OLD (its ``revises:`` names it), its line of versions is checked
    too (CB400–CB402); otherwise NEW is taken as a variation being prepared from OLD.
    """
    resolver = PackResolver()
    old = check_budget(old_path, selection=selection, resolver=resolver)
    new = check_budget(new_path, selection=selection, resolver=resolver)
    known = {_resolved(old_path): old}
    if revises_target(new.loaded) == _resolved(old_path):
        return VariationResult(
            old, new, check_revision(new, resolver=resolver, selection=selection, known=known)
        )
    ctx = variation_context(new, old)
    if ctx is not None:
        found = run("variation", ctx, lambda hit: new.loaded.at(hit.loc, key=hit.key), selection).findings
        new.findings.extend(found)
        new.findings.sort(key=lambda f: f.sort_key)
    return VariationResult(old, new, ctx)


def compared_budgets(old_path: Path, new_path: Path) -> VariationResult:
    """:func:`compare_budgets`, refused (:class:`Refused`) when either version has no figures."""
    result = compare_budgets(old_path, new_path)
    for path, version in ((old_path, result.old), (new_path, result.new)):
        if version.figures is None:
            raise _cannot_compute(path, result.findings)
    return result


def write_variation(result: VariationResult, target: Path, *, lang: str = "it", force: bool = False) -> Path:
    """Write the variation workbook of ``result`` (:func:`compared_budgets`'s) to ``target``,
    atomically (:class:`Refused` when the file cannot be written: nothing is left behind)."""
    from .xlsx import export_variation

    try:
        return export_variation(result, target, lang=lang, force=force)
    except OSError as exc:
        raise cannot_write(target, exc) from None


# ------------------------------------------------------------------ what the commands do, as functions


class Refused(Exception):
    """What a command was asked cannot be done: the message for the user (a ``msg``
    template), the exit code, and the findings that explain it (shown before the message)."""

    def __init__(self, message: str, code: ExitCode, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.findings = list(findings)


def check_target(
    target: Path, *, force: bool, wrong_name: str | None = None, suffixes: tuple[str, ...] = (".xlsx",)
) -> None:
    """Refuse (:class:`Refused`, exit 2) before anything is computed: a ``target`` whose name
    does not end in one of ``suffixes`` (``wrong_name`` says so; default: an .xlsx workbook), or
    one that exists (unless ``force``)."""
    from .i18n import msg

    if target.suffix.lower() not in suffixes:
        raise Refused(
            wrong_name or msg("{target}: the workbook's name must end in .xlsx", target=str(target)),
            ExitCode.UNREADABLE,
        )
    if target.exists() and not force:
        raise target_exists(target)


def target_exists(target: Path) -> Refused:
    """The refusal of a file that exists and may not be overwritten (exit 2)."""
    from .i18n import msg

    return Refused(
        msg("{target} already exists: pass --force to overwrite it, or -o another name", target=str(target)),
        ExitCode.UNREADABLE,
    )


def cannot_write(target: Path, exc: OSError) -> Refused:
    """The refusal of a document that could not be written (exit 2), worded by its errno in the
    run's language; nothing is left behind (the writers are atomic)."""
    from .i18n import msg
    from .i18n.oserrors import os_reason

    if isinstance(exc, FileExistsError):
        return target_exists(target)
    return Refused(
        msg("{target}: cannot be written: {reason}", target=str(target), reason=os_reason(exc)),
        ExitCode.UNREADABLE,
    )


def _cannot_compute(path: Path, findings: Sequence[Finding]) -> Refused:
    from .i18n import msg

    code = ExitCode.UNREADABLE if any(f.fatal for f in findings) else ExitCode.FINDINGS
    return Refused(
        msg("{budget}: cannot compute the budget, see the errors above", budget=str(path)), code, findings
    )


def computed_budget(path: Path | str) -> BudgetResult:
    """:func:`check_budget`, refused (:class:`Refused`) when no figures could be made."""
    result = check_budget(path)
    if result.figures is None:
        raise _cannot_compute(Path(path), result.findings)
    return result


def computed_project(budget_path: Path | str, report_paths: Sequence[Path] = ()) -> ProjectResult:
    """:func:`load_project`, refused (:class:`Refused`) when the budget has no figures."""
    project = load_project(budget_path, report_paths)
    if project.budget.figures is None:
        raise _cannot_compute(Path(budget_path), project.budget.findings)
    return project


def workbook_name(budget_path: Path, period_id: str | None = None) -> str:
    """The default name of a workbook: ``<budget name>.xlsx``, or ``<budget name>-<period
    id>.xlsx`` for a period's rendiconto (the id made safe for a file name)."""
    import re

    suffix = ""
    if period_id is not None:
        suffix = "-" + (re.sub(r"[^\w.-]+", "-", period_id).strip("-") or "period")
    return budget_path.stem + suffix + ".xlsx"


@dataclass(frozen=True)
class ExportPlan:
    """What ``export`` writes to ``target``: the budget statement (``project`` None), or the
    rendiconto of ``project.computed[period]``."""

    budget: BudgetResult
    target: Path
    project: ProjectResult | None = None
    period: int = -1


def plan_export(
    budget_path: Path,
    report_paths: Sequence[Path] = (),
    *,
    period: str | None = None,
    output: Path | None = None,
    output_dir: Path | None = None,
    allow_errors: bool = False,
    strict: bool = False,
    force: bool = False,
) -> ExportPlan:
    """Decide what ``export`` writes, and where: the budget statement, or with reports (or a
    ``period`` alone: the reports beside the budget) a period's rendiconto, the latest named
    by default; the default file name (:func:`workbook_name`) in ``output_dir`` (a
    ``clustbudget.toml``'s ``output``), else the current folder.

    Raises :class:`Refused` when the budget cannot be computed, has errors (unless
    ``allow_errors``), no report could be read, the period is unknown, the name does not
    end in ``.xlsx``, or the file exists (unless ``force``).
    """
    from .i18n import msg, nmsg

    project: ProjectResult | None = None
    if report_paths or period is not None:
        project = computed_project(budget_path, report_paths)
        budget, errors = project.budget, project.blocking_errors(strict=strict)
    else:
        budget = computed_budget(budget_path)
        errors = budget.errors
    if errors and not allow_errors:
        where = msg("the budget or its reports") if project else str(budget_path)
        raise Refused(
            nmsg(
                "{n} error in {where}, not exported: fix it, or pass --allow-errors",
                "{n} errors in {where}, not exported: fix them, or pass --allow-errors",
                len(errors),
                where=where,
            ),
            # a file of the project that cannot be read: exit 2, as `validate` and `report` say
            ExitCode.UNREADABLE if any(f.fatal for f in errors) else ExitCode.FINDINGS,
            errors,
        )
    index, period_id = -1, None
    if project is not None:
        index = project.latest_named  # the latest period named, the rest of the project around it
        ids = [r.report.period.id for r in project.computed if r.report is not None]
        if not ids:
            raise Refused(
                msg("no cost report could be read: nothing to put in a rendiconto"), ExitCode.FINDINGS
            )
        if period is not None:
            if period not in ids:
                raise Refused(
                    msg("no period {period!r} among the reports ({ids})", period=period, ids=", ".join(ids)),
                    ExitCode.UNREADABLE,
                )
            index = ids.index(period)
        period_id = ids[index]
    target = output if output is not None else (output_dir or Path()) / workbook_name(budget_path, period_id)
    check_target(target, force=force)
    return ExportPlan(budget, target, project, index)


def write_export(plan: ExportPlan, *, lang: str = "it", force: bool = False) -> Path:
    """Write the workbook :func:`plan_export` decided, atomically (:class:`Refused` when the
    file cannot be written: nothing is left behind)."""

    try:
        if plan.project is None:
            from .xlsx import export_budget

            return export_budget(plan.budget, plan.target, lang=lang, force=force)
        from .xlsx import export_report

        return export_report(plan.project, plan.target, period=plan.period, lang=lang, force=force)
    except OSError as exc:
        raise cannot_write(plan.target, exc) from None


@dataclass(frozen=True)
class ImportTarget:
    """A cost report to add expenses to, read and valid, with its budget's figures."""

    loaded: Loaded
    report: CostReport
    budget_path: Path
    budget: BudgetResult


def load_import_target(path: Path) -> ImportTarget:
    """Read the report ``import-expenses`` adds to, and its budget, once.

    Raises :class:`Refused` when the report is not a valid cost report or its budget cannot
    be computed (exit 2 when a file could not be read, else 1), with their findings.
    """
    from .i18n import msg
    from .models import CostReport

    loaded = load_file(path, str(path), expect="report")
    report = loaded.model
    if not isinstance(report, CostReport):
        code = ExitCode.UNREADABLE if any(f.fatal for f in loaded.findings) else ExitCode.FINDINGS
        raise Refused(
            msg("{into}: not a valid cost report, see above", into=str(path)), code, loaded.findings
        )
    budget_path = budget_of_report(loaded)
    assert budget_path is not None  # a valid report names its budget
    budget = check_budget(budget_path)
    if budget.pack is None or budget.figures is None:
        code = ExitCode.UNREADABLE if any(f.fatal for f in budget.findings) else ExitCode.FINDINGS
        raise Refused(
            msg(
                "{into}: its budget {budget!r} cannot be read, see above",
                into=str(path),
                budget=report.budget,
            ),
            code,
            budget.findings,
        )
    return ImportTarget(loaded, report, budget_path, budget)
