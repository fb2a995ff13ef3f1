"""Every finding is built from the rule registry: code, severity and citation have one source.

Findings come from rule functions (``rules.run``) and from the wiring that has no rule function
behind it: reading a file (CB0xx), telling its kind, finding a report's budget or a budget's
call pack. Both go through ``Rule.finding``; these tests walk each of those code paths and
compare what comes out with the registry, and change a registry entry to see it followed.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from clustbudget.findings import Finding, Severity
from clustbudget.loading import load_file
from clustbudget.pipeline import check_budget, load_project, loaded_from_text, validate_paths
from clustbudget.rules import REGISTRY, all_rules
from clustbudget.rules.examples import EXAMPLES_DIR

SRC = Path(__file__).resolve().parent.parent / "src" / "clustbudget"
EXAMPLE_BUDGET = EXAMPLES_DIR / "CB021" / "budget.yaml"
"""A valid budget, used as a base for the paths below."""
REPORT = """\
clustbudget: 1
budget: {budget}
period: {{id: SAL-1, start: 2020-10-01, end: 2021-09-30}}
staff: []
expenses: []
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _paths_that_emit_findings(tmp: Path) -> dict[str, list[Finding]]:
    """One run per way a finding is made outside a rule function, plus every rule's example."""
    runs: dict[str, list[Finding]] = {}
    for folder in sorted(p for p in EXAMPLES_DIR.iterdir() if p.is_dir()):
        runs[f"example {folder.name}"] = validate_paths([folder]).findings
    # Files named one by one: an empty file is reported (not skipped), a report without its
    # budget in the run gets CB022 when that budget has errors.
    runs["example CB003 named"] = validate_paths([EXAMPLES_DIR / "CB003" / "budget.yaml"]).findings
    runs["example CB022 named"] = validate_paths([EXAMPLES_DIR / "CB022" / "budget" / "sal-1.yaml"]).findings

    budget_text = EXAMPLE_BUDGET.read_text(encoding="utf-8")
    # CB015 by expectation: a report where a budget is expected.
    report = _write(tmp / "kind" / "sal-1.yaml", REPORT.format(budget="../b.yaml"))
    runs["load_file expect"] = load_file(report, expect="budget").findings
    # CB020: a pack that is not found, and a pack file with errors.
    missing = _write(tmp / "pack" / "missing.yaml", budget_text.replace("call: clust-er-2020", "call: nope"))
    runs["pack not found"] = check_budget(missing).findings
    _write(tmp / "pack" / "broken-pack.yaml", "id: x\nitems: {}\n")
    broken = _write(
        tmp / "pack" / "broken.yaml", budget_text.replace("call: clust-er-2020", "call: broken-pack.yaml")
    )
    runs["pack with errors"] = check_budget(broken).findings
    # CB021: the budget not found, the budget with errors, a report of another budget.
    lost = _write(tmp / "lost" / "sal-1.yaml", REPORT.format(budget="../nowhere.yaml"))
    runs["budget not found"] = validate_paths([lost]).findings
    sick = _write(tmp / "sick" / "b.yaml", budget_text.replace("call: clust-er-2020", "call: nope"))
    sick_report = _write(tmp / "sick" / "b" / "sal-1.yaml", REPORT.format(budget="../b.yaml"))
    runs["budget with errors"] = validate_paths([sick, sick_report]).findings
    other = _write(tmp / "other" / "a.yaml", budget_text)
    _write(tmp / "other" / "b.yaml", budget_text)
    stray = _write(tmp / "other" / "b" / "sal-1.yaml", REPORT.format(budget="../b.yaml"))
    project = load_project(other, [stray])
    runs["report of another budget"] = [f for r in project.reports for f in r.findings]
    # CB016: other YAML inside a folder; CB010 in text not yet on disk (import-expenses).
    _write(tmp / "folder" / "mkdocs.yml", "site_name: x\n")
    runs["skipped in a folder"] = validate_paths([tmp / "folder"]).findings
    runs["text not on disk"] = loaded_from_text(tmp / "t.yaml", "costs: {}\ncosts: {}\n").findings
    return runs


def test_every_finding_has_its_registry_severity_and_citation(tmp_path):
    runs = _paths_that_emit_findings(tmp_path)
    rules = all_rules()
    seen: set[str] = set()
    for name, findings in runs.items():
        assert findings, f"{name}: no finding at all"
        for f in findings:
            rule = rules[f.code]
            assert (f.severity, f.citation) == (rule.severity, rule.citation), f"{name}: {f}"
            assert f.citation, f"{name}: {f.code} has no citation"
            seen.add(f.code)
    assert seen == set(rules), f"codes no path above emits: {sorted(set(rules) - seen)}"
    for code, wanted in {
        "load_file expect": "CB015",
        "pack not found": "CB020",
        "pack with errors": "CB020",
        "budget not found": "CB021",
        "budget with errors": "CB021",
        "report of another budget": "CB021",
        "skipped in a folder": "CB016",
        "text not on disk": "CB010",
    }.items():
        assert wanted in {f.code for f in runs[code]}, f"{code}: no {wanted}"


def test_a_registry_change_changes_what_validate_reports(monkeypatch):
    """The review's case: CB022's severity changed in the registry changes the finding."""
    all_rules()
    for code in ("CB022", "CB013", "CB106"):
        monkeypatch.setitem(
            REGISTRY,
            code,
            dataclasses.replace(REGISTRY[code], severity=Severity.INFO, citation=f"cite {code}"),
        )
    report = EXAMPLES_DIR / "CB022" / "budget" / "sal-1.yaml"
    cb022 = [f for f in validate_paths([report]).findings if f.code == "CB022"]
    assert cb022 and all((f.severity, f.citation) == (Severity.INFO, "cite CB022") for f in cb022)
    cb013 = [f for f in validate_paths([EXAMPLES_DIR / "CB013"]).findings if f.code == "CB013"]
    assert cb013 and all((f.severity, f.citation) == (Severity.INFO, "cite CB013") for f in cb013)
    cb106 = [f for f in validate_paths([EXAMPLES_DIR / "CB106"]).findings if f.code == "CB106"]
    assert cb106 and all((f.severity, f.citation) == (Severity.INFO, "cite CB106") for f in cb106)


def _finding_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "Finding")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "Finding")
        )
    ]


def test_only_the_registry_constructs_findings():
    """A ``Finding(...)`` written anywhere else would carry a severity of its own."""
    home = SRC / "rules" / "__init__.py"
    assert _finding_calls(home), "the registry no longer builds findings: update this test"
    elsewhere = {
        str(p.relative_to(SRC)): lines
        for p in sorted(SRC.rglob("*.py"))
        if p != home and (lines := _finding_calls(p))
    }
    assert elsewhere == {}, "build findings with REGISTRY[code].finding(...) or rules.finding(code, ...)"


@pytest.mark.parametrize("code", ["CB001", "CB016", "CB022", "CB999"])
def test_finding_by_code(code):
    from clustbudget.findings import Location
    from clustbudget.rules import finding

    if code == "CB999":
        with pytest.raises(KeyError):
            finding(code, "x", Location("f"))
        return
    f = finding(code, "message", Location("f.yaml", 3, 4), fatal=True)
    rule = all_rules()[code]
    assert (f.code, f.severity, f.citation, f.message, f.fatal) == (
        code,
        rule.severity,
        rule.citation,
        "message",
        True,
    )
