"""Check: rules with stable codes, and the registry that maps code → rule.

Codes are grouped by family, ruff-style:

- ``CB0xx`` reading and schema (:mod:`clustbudget.rules.reading`): the file as a document;
- ``CB1xx`` budget rules (:mod:`clustbudget.rules.budget`);
- ``CB2xx`` cost report rules (:mod:`clustbudget.rules.costreport`), ``CB3xx`` rules across the
  reports of one project, and budget against actual;
- ``CB4xx`` budget variations: a revision against the version it revises
  (:mod:`clustbudget.rules.variation`);
- ``CB5xx`` a project's indicators file (:mod:`clustbudget.rules.indicators`);
- ``CB60x`` the forecast: the projection to the end date (:mod:`clustbudget.rules.forecast`).

A rule is a plain function over the loaded data that yields :class:`Hit` s; the registry
attaches its code, severity and citation to make :class:`~clustbudget.findings.Finding` s.
Every finding is made by :meth:`Rule.finding` (or :func:`finding`, by code), including those of
the codes that no check function produces (reading, schema, which files form a project): the
registry is the one source of a code's severity and citation.
Rule *parameters* (rates, windows, hours, keyword lists) come from the call pack, never from
code. ``clustbudget rules CODE`` prints a rule's docstring: what it checks, why, an example.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ..findings import Finding, Location, Severity
from ..records import dataclass

if TYPE_CHECKING:
    from ..compute import Refusal

Scope = Literal["reading", "budget", "report", "project", "progress", "portfolio", "variation", "indicators"]


class Hit(NamedTuple):
    """A rule's raw result: a path into the checked file's data and a message."""

    loc: tuple[Any, ...]
    message: str
    related: Location | None = None
    key: bool = False
    """Point at the key of ``loc`` rather than its value."""
    disallow: Refusal | None = None
    """What the rule refuses (a cost, or hours of a person-month), applied even when the rule
    is not selected for output: :func:`clustbudget.compute.disallowed_costs` applies them."""
    doc: Any = None
    """The file the finding belongs to (a :class:`~clustbudget.loading.Loaded`), when a rule
    looks across several files; otherwise the file being checked."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    citation: str
    scope: Scope
    check: Callable[[Any], Iterable[Hit]] | None = None
    explanation: str = ""

    def finding(
        self, message: str, location: Location, *, related: Location | None = None, fatal: bool = False
    ) -> Finding:
        """A finding of this rule: its code, severity and citation, with ``message`` at ``location``."""
        return Finding(self.code, self.severity, message, location, self.citation, related, fatal)


REGISTRY: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in REGISTRY:
        raise ValueError(f"rule code {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return rule


def rule(
    code: str, name: str, severity: Severity, summary: str, citation: str, scope: Scope
) -> Callable[[Callable[[Any], Iterable[Hit]]], Callable[[Any], Iterable[Hit]]]:
    """Register a check function as a rule; its docstring is the rule's explanation."""

    def decorate(fn: Callable[[Any], Iterable[Hit]]) -> Callable[[Any], Iterable[Hit]]:
        register(Rule(code, name, severity, summary, citation, scope, fn, inspect.cleandoc(fn.__doc__ or "")))
        return fn

    return decorate


SCOPE_MODULES: dict[str, tuple[str, ...]] = {
    "reading": ("reading",),
    "budget": ("budget",),
    "report": ("costreport", "days", "attachments", "intake"),
    "project": ("project",),
    "progress": ("project", "forecast"),
    "portfolio": ("project",),
    "variation": ("variation",),
    "indicators": ("indicators",),
}
"""The rule modules that register the rules of each scope: running a scope imports only these
(``validate`` of a budget does not import the report rules)."""

CODE_MODULES: tuple[tuple[str, str], ...] = (
    ("CB0", "reading"),
    ("CB1", "budget"),
    ("CB23", "days"),
    ("CB24", "attachments"),
    ("CB25", "intake"),
    ("CB2", "costreport"),
    ("CB3", "project"),
    ("CB4", "variation"),
    ("CB5", "indicators"),
    ("CB6", "forecast"),
)
"""The rule module that registers a code, by the code's prefix (the first that matches)."""

_ALL_MODULES = tuple(dict.fromkeys(m for ms in SCOPE_MODULES.values() for m in ms))
_imported: set[str] = set()


def _load(modules: Iterable[str]) -> None:
    for name in modules:
        if name not in _imported:
            importlib.import_module(f"{__name__}.{name}")
            _imported.add(name)


def all_rules() -> dict[str, Rule]:
    """Every rule, by code (importing the rule modules registers them)."""
    _load(_ALL_MODULES)
    return dict(sorted(REGISTRY.items()))


def scope_rules(scope: Scope) -> list[Rule]:
    """The rules of ``scope``, by code; only the modules of that scope are imported."""
    _load(SCOPE_MODULES[scope])
    known = _SCOPE_CODES.get(scope)
    if known is None or known[0] != len(REGISTRY):
        codes = sorted(code for code, r in REGISTRY.items() if r.scope == scope)
        known = _SCOPE_CODES[scope] = (len(REGISTRY), codes)
    return [REGISTRY[code] for code in known[1]]


_SCOPE_CODES: dict[str, tuple[int, list[str]]] = {}
"""The codes of each scope's rules, sorted, with the size of the registry they were read from:
a run asks once per file checked. A code is never unregistered (:func:`register`); the rule
of a code is looked up at each call (a test may replace it)."""


def rule_for(code: str) -> Rule:
    """The registered rule of ``code`` (``KeyError`` for a code no rule registers: a bug);
    only the module that registers it is imported."""
    found = REGISTRY.get(code)
    if found is None:
        _load([next((m for prefix, m in CODE_MODULES if code.startswith(prefix)), "reading")])
        found = REGISTRY.get(code)
    return found if found is not None else all_rules()[code]


def finding(
    code: str, message: str, location: Location, *, related: Location | None = None, fatal: bool = False
) -> Finding:
    """A finding of rule ``code``, with the registry's severity and citation."""
    return rule_for(code).finding(message, location, related=related, fatal=fatal)


ALWAYS_REPORTED = frozenset(
    {
        "CB001",
        "CB002",
        "CB003",
        "CB004",
        "CB010",
        "CB011",
        "CB012",
        "CB013",
        "CB014",
        "CB015",
        "CB017",
        "CB020",
        "CB021",
    }
)
"""Codes that mean a file could not be checked at all: never hidden by --select/--ignore, so
that a selection can never turn a broken file into a passing one."""


@dataclass(frozen=True)
class Selection:
    """Which codes are reported: ``--select``/``--ignore`` prefixes, as in ruff."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        if code in ALWAYS_REPORTED or not (self.select or self.ignore):
            return True
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)


@dataclass
class Checked:
    """What running the rules of one scope gives: the selected rules' findings, and what every
    rule refuses, as ``(file, refusal)`` (``file`` is ``Hit.doc``, None for the file checked)."""

    findings: list[Finding] = field(default_factory=list)
    refusals: list[tuple[Any, Refusal]] = field(default_factory=list)


def run(
    scope: Scope, ctx: Any, at: Callable[[Hit], Location], selection: Selection, *, refusals: bool = False
) -> Checked:
    """Run the rules of ``scope`` on ``ctx``; ``at`` turns a hit into a location.

    With ``refusals`` (the scopes whose rules disallow costs), every rule runs whatever the
    output filters, so that figures never depend on ``--select``/``--ignore``; only the
    selected rules' findings are kept. Without it, rules not selected are not run.
    """
    out = Checked()
    findings, refused = out.findings, out.refusals
    everything = not (selection.select or selection.ignore)  # what Selection.wants says of every code
    for r in scope_rules(scope):
        check = r.check
        if check is None:
            continue
        wanted = everything or selection.wants(r.code)
        if not wanted and not refusals:
            continue
        for hit in check(ctx):
            if hit.disallow is not None:
                refused.append((hit.doc, hit.disallow))
            if wanted:
                findings.append(r.finding(hit.message, at(hit), related=hit.related))
    return out
