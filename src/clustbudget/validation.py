"""The pipeline behind `validate`, `show` and `export`: load → compute → check.

:func:`check_budget` handles one budget; :func:`validate_paths` handles what the command line
names (files and folders), groups cost reports into projects by their budget, and returns
every finding of every file in one :class:`RunResult`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .compute import BudgetFigures, budget_figures
from .exitcodes import ExitCode
from .findings import Finding, Location, Severity
from .loading import Loaded, PackResolver, load_file, read, validate
from .models import Budget, CallPack
from .rules import Selection, run
from .rules.budget import BudgetContext

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
) -> BudgetResult:
    """Load, compute and check one budget file."""
    path = Path(path)
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
                Finding(
                    "CB020",
                    Severity.ERROR,
                    f"call pack {budget.call!r} not found: use a built-in id ({builtins}) "
                    "or the path of a pack file, relative to this budget",
                    loaded.at(("call",)),
                )
            )
        return result
    pack_loaded = resolver.load(pack_path)
    if not isinstance(pack_loaded.model, CallPack):
        if selection.wants("CB020"):
            first = next((f for f in pack_loaded.findings if f.severity is Severity.ERROR), None)
            why = f" ({first.location}: {first.message})" if first else ""
            result.findings.append(
                Finding(
                    "CB020",
                    Severity.ERROR,
                    f"call pack {budget.call!r} has errors{why}",
                    loaded.at(("call",)),
                )
            )
        return result
    result.pack, result.pack_display = pack_loaded.model, pack_loaded.display
    result.figures = budget_figures(budget, result.pack)
    ctx = BudgetContext(budget, result.pack, result.figures)
    result.findings.extend(run("budget", ctx, lambda loc, key: loaded.at(loc, key=key), selection))
    result.findings.sort(key=lambda f: f.sort_key)
    return result


# ------------------------------------------------------------------ many files, one run


@dataclass
class FileResult:
    """The findings of one file of a run."""

    display: str
    kind: str | None
    findings: list[Finding]

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


@dataclass
class RunResult:
    files: list[FileResult]

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
        findings = self.findings
        if any(f.fatal for f in findings):
            return ExitCode.UNREADABLE
        worst = max((f.severity for f in findings), default=Severity.INFO)
        if worst is Severity.ERROR or (strict and worst is Severity.WARNING):
            return ExitCode.FINDINGS
        return ExitCode.OK


def collect(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """The files a run reads: those named, and the YAML files inside the folders named.

    Returns ``(path, named)`` pairs, in a stable order, each file once. Hidden folders
    (``.git``, ``.venv``…) are not entered.
    """
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()

    def add(p: Path, named: bool) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append((p, named))

    for p in paths:
        if p.is_dir():
            found = [
                f
                for f in p.rglob("*")
                if f.suffix.lower() in YAML_SUFFIXES
                and f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts[:-1])
            ]
            for f in sorted(found):
                add(f, False)
        else:
            add(p, True)
    return out


def validate_paths(paths: Iterable[Path], selection: Selection = Selection()) -> RunResult:
    """Validate the files and folders named, as `clustbudget validate` does."""
    resolver = PackResolver()
    files: list[FileResult] = []
    for path, named in collect(list(paths)):
        loaded = read(path, str(path))
        if loaded.doc is not None and loaded.kind is None and not named:
            if selection.wants("CB016"):
                loaded.findings.append(
                    Finding(
                        "CB016",
                        Severity.INFO,
                        "skipped: not a budget, cost report or call pack",
                        Location(str(path)),
                    )
                )
            files.append(FileResult(str(path), None, _selected(loaded.findings, selection)))
            continue
        if loaded.doc is not None and loaded.kind is None:
            loaded.findings.append(
                Finding(
                    "CB015",
                    Severity.ERROR,
                    "not a clustbudget file: a budget has 'costs', a cost report 'budget', "
                    "a call pack 'items' at the top",
                    Location(str(path), 1, 1),
                )
            )
        elif loaded.doc is not None:
            validate(loaded)
        if loaded.kind == "budget":
            result = check_budget(path, resolver=resolver, selection=selection, loaded=loaded)
            files.append(FileResult(str(path), "budget", result.findings))
        else:
            files.append(FileResult(str(path), loaded.kind, _selected(loaded.findings, selection)))
    for fr in files:
        fr.findings.sort(key=lambda f: f.sort_key)
    return RunResult(files)


def _selected(findings: list[Finding], selection: Selection) -> list[Finding]:
    return [f for f in findings if f.fatal or selection.wants(f.code)]
