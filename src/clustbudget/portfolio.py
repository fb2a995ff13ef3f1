"""`summary`: many projects at once — the portfolio a Region officer or the network's
coordinator looks at.

Each budget named (or found in a folder named) is loaded with its whole project
(:func:`clustbudget.pipeline.load_project`) and summarised from the figures the `report`
command shows: the budget in force, the accepted to date, the share used, what remains, the
months left and the projection to the end date (:mod:`clustbudget.forecast`), the findings,
the latest period and whether the Region has reviewed it. Nothing is computed here that
`report` does not compute: the totals are sums of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .compute import share, sum_amounts
from .findings import Finding, Severity
from .forecast import project_forecast
from .loading import read, validate
from .pipeline import YAML_SUFFIXES, _display, budget_of_report, collect, load_project
from .records import dataclass


@dataclass(frozen=True)
class ProjectRow:
    """One project of the portfolio. Figures are None when the budget could not be computed."""

    path: str
    title: str | None
    budget: Decimal | None
    accepted: Decimal | None
    remaining: Decimal | None
    share_used: Decimal | None
    """accepted ÷ budget, four decimals; None with no budget (or no figures)."""
    months_left: Decimal | None
    projected: Decimal | None
    """The projected total at the end date (None: no period yet, or no figures)."""
    difference: Decimal | None
    errors: int
    warnings: int
    latest_period: str | None
    latest_end: date | None
    reviewed: date | None
    """The date of the Region's review of the latest period (None: not reviewed)."""
    end: date | None = None

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed is not None


@dataclass(frozen=True)
class Portfolio:
    """The projects, in the order found, and their totals."""

    projects: list[ProjectRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """Every project's findings (as `report` gives them): the exit code follows them."""

    def _sum(self, name: str) -> Decimal:
        return sum_amounts(getattr(p, name) for p in self.projects if getattr(p, name) is not None)

    @property
    def budget(self) -> Decimal:
        return self._sum("budget")

    @property
    def accepted(self) -> Decimal:
        return self._sum("accepted")

    @property
    def remaining(self) -> Decimal:
        return self._sum("remaining")

    @property
    def projected(self) -> Decimal:
        """The sum of the projections (of the projects that have one: a project with no
        period reported yet has no pace to project)."""
        return self._sum("projected")

    @property
    def difference(self) -> Decimal:
        """The sum of the expected overruns (+) and shortfalls (−) of the projects with a
        projection."""
        return self._sum("difference")

    @property
    def share_used(self) -> Decimal | None:
        return share(self.accepted, self.budget) if self.budget else None

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.projects)

    @property
    def warnings(self) -> int:
        return sum(p.warnings for p in self.projects)


def find_budgets(paths: Sequence[Path]) -> list[Path]:
    """The budgets the paths name: budget files named, the budget of a report named, and the
    budgets in the folders named (revisions, ``revises:``, are versions of a budget, not
    projects; a project's reports, in ``<budget folder>/<budget name>/``, are not read here)."""
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for path, named in collect(list(paths)):
        if not named and _in_a_project_folder(path):
            continue
        loaded = read(path, str(path))
        if loaded.kind == "budget":
            data = loaded.doc.data if loaded.doc is not None else None
            if not (isinstance(data, dict) and data.get("revises") is not None):
                add(path)
        elif loaded.kind == "report" and named:
            validate(loaded)
            target = budget_of_report(loaded)
            if target is not None and target.is_file():
                add(Path(_display(target)))
        elif named:
            add(path)  # not a budget: load_project says what is wrong with it
    return out


def _in_a_project_folder(path: Path) -> bool:
    """Whether ``path`` sits in ``<folder>/<name>/`` beside a budget ``<folder>/<name>.yaml``:
    a project's reports (read with their project, not as budgets)."""
    for parent in path.parents:
        if any((parent.parent / (parent.name + suffix)).is_file() for suffix in YAML_SUFFIXES):
            return True
        if parent == parent.parent:
            break
    return False


def summarise(budget_path: Path, findings: list[Finding] | None = None) -> ProjectRow:
    """One project's row, from its loaded project (as `report` loads it); its findings are
    added to ``findings`` when given."""
    project = load_project(budget_path)
    if findings is not None:
        findings.extend(project.findings)
    findings = project.findings
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    b = project.budget
    model = b.budget
    title = model.project.title if model is not None else None
    fc = project_forecast(project)
    if fc is None:
        return ProjectRow(
            b.loaded.display,
            title,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            errors,
            warnings,
            None,
            None,
            None,
        )
    total = fc.total
    latest = project.computed[-1].report if project.computed else None
    return ProjectRow(
        path=b.loaded.display,
        title=title,
        budget=total.budget,
        accepted=total.actual,
        remaining=total.remaining,
        share_used=share(total.actual, total.budget) if total.budget else None,
        months_left=fc.months_left,
        projected=total.projected,
        difference=total.difference,
        errors=errors,
        warnings=warnings,
        latest_period=latest.period.id if latest is not None else None,
        latest_end=latest.period.end if latest is not None else None,
        reviewed=latest.period.reviewed if latest is not None else None,
        end=fc.end,
    )


def portfolio(paths: Iterable[Path]) -> Portfolio:
    """Every project the paths name (:func:`find_budgets`), summarised."""
    findings: list[Finding] = []
    rows = [summarise(p, findings) for p in find_budgets(list(paths))]
    return Portfolio(rows, findings)


def write_workbook(result: Portfolio, target: Path, *, lang: str = "it", force: bool = False) -> Path:
    """Write the portfolio workbook (:mod:`clustbudget.xlsx.summary`) to ``target``
    atomically; :class:`~clustbudget.pipeline.Refused` (exit 2) when its name does not end in
    ``.xlsx``, it exists (unless ``force``) or cannot be written: nothing is left behind."""
    from .pipeline import cannot_write, check_target

    target = Path(target)
    check_target(target, force=force)
    from .xlsx import _write
    from .xlsx.summary import build

    try:
        return _write(build(result, lang), target, force)
    except OSError as exc:
        raise cannot_write(target, exc) from None
