"""What the rules disallow is one typed value that compute applies once.

``compute.disallowed_costs`` merges the rules' refusals (a cost, or hours of a person-month),
turns refused hours into an amount and caps every amount at its cost; the figures follow from
it alone, whatever ``--select``/``--ignore`` show. Figures in comments are worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from clustbudget.compute import (
    ExpenseCost,
    RefuseCost,
    RefuseHours,
    ReportCosts,
    StaffCost,
    disallowed_costs,
)
from clustbudget.pipeline import load_project
from clustbudget.rules import Selection
from clustbudget.rules.examples import EXAMPLES_DIR

from .conftest import DATA

D = Decimal


def _costs() -> ReportCosts:
    # One person at 100.00 an hour for 140 hours (14,000.00), one invoice of 1,000.00.
    person = StaffCost(0, "p", "P", "A", D("10000.00"), D("100"), D("100.00"), D("140"), D("14000.00"))
    return ReportCosts([person], [ExpenseCost(0, "D", D("0"), D("1"), D("1000.00"))])


def test_a_cost_refused_by_two_rules_is_refused_once_and_never_beyond_its_cost():
    costs = _costs()
    got = disallowed_costs(
        costs, [RefuseCost(("expense", 0), D("400.00")), RefuseCost(("expense", 0), D("300.00"))]
    )
    assert dict(got) == {("expense", 0): D("400.00")}
    over = disallowed_costs(costs, [RefuseCost(("expense", 0), D("1500.00"))])
    assert dict(over) == {("expense", 0): D("1000.00")}
    assert over.accepted(costs, ("expense", 0)) == D("0.00")
    assert over.accepted(costs, ("staff", 0)) == D("14000.00")


def test_hours_refused_by_two_rules_for_the_same_month_are_refused_once():
    costs = _costs()
    got = disallowed_costs(costs, [RefuseHours(0, "2021-10", D("80")), RefuseHours(0, "2021-10", D("40"))])
    assert got.hours == {(0, "2021-10"): D("80")}
    assert dict(got) == {("staff", 0): D("8000.00")}  # 80 h × 100.00, not 120 h
    two_months = disallowed_costs(
        costs, [RefuseHours(0, "2021-10", D("80")), RefuseHours(0, "2021-11", D("40"))]
    )
    assert dict(two_months) == {("staff", 0): D("12000.00")}  # 140 − 120 = 20 h accepted: 2,000.00


def test_refused_hours_and_a_refused_person_never_exceed_the_cost():
    costs = _costs()
    got = disallowed_costs(
        costs, [RefuseHours(0, "2021-10", D("200")), RefuseCost(("staff", 0), D("14000.00"))]
    )
    assert dict(got) == {("staff", 0): D("14000.00")}


BUDGET = """\
clustbudget: 1
call: clust-er-2020
project: {title: T, start: 2020-10-01, end: 2022-09-30}
costs:
  A: [{description: Cluster Manager, amount: 100000.00}]
"""
REPORT = """\
clustbudget: 1
budget: ../budget.yaml
period: {id: SAL-1, start: 2021-01-01, end: 2021-09-30}
staff:
  - id: cm
    name: Cluster Manager
    item: A
    annual_gross_cost: 10000.00
    cost_year: 2020
    hours_per_year: 100
    hours: {2021-09: 60, 2021-10: 80}
"""


def test_the_same_month_refused_by_cb203_and_cb302_is_refused_once(tmp_path: Path):
    """2021-10 is outside the period (CB203 refuses its 80 hours) and crosses the 100 hours
    of 2021 (CB302 refuses 40 of them): 80 hours are refused, 8,000.00; 60 accepted, 6,000.00."""
    (tmp_path / "budget.yaml").write_text(BUDGET, encoding="utf-8")
    (tmp_path / "budget").mkdir()
    (tmp_path / "budget" / "sal-1.yaml").write_text(REPORT, encoding="utf-8")
    project = load_project(tmp_path / "budget.yaml")
    (r,) = project.reports
    assert {(f.code, f.location.line) for f in r.findings} >= {("CB203", 11), ("CB302", 11)}
    assert r.costs is not None and r.costs.staff[0].cost == D("14000.00")
    assert r.disallowed.hours == {(0, "2021-10"): D("80")}
    assert dict(r.disallowed) == {("staff", 0): D("8000.00")}
    assert r.figures is not None and r.figures.items["A"] == D("6000.00")


PROJECTS = [
    DATA / "reports" / "budget.yaml",
    *sorted(folder / "budget.yaml" for folder in EXAMPLES_DIR.iterdir() if (folder / "budget").is_dir()),
]
SELECTIONS = [
    Selection(ignore=("CB",)),
    Selection(select=("CB1",)),
    Selection(ignore=("CB2", "CB3")),
    Selection(select=("CB209", "CB302")),
]


def _figures(budget: Path, selection: Selection) -> list[object]:
    project = load_project(budget, selection=selection)
    return [
        *((r.loaded.display, dict(r.disallowed), r.disallowed.hours, r.figures) for r in project.reports),
        project.progress,
        project.contributions,
    ]


@pytest.mark.parametrize("budget", PROJECTS, ids=lambda p: p.parent.name)
def test_figures_never_depend_on_select_or_ignore(budget: Path):
    everything = _figures(budget, Selection())
    for selection in SELECTIONS:
        assert _figures(budget, selection) == everything, selection


def test_the_projects_above_do_disallow_something():
    """Otherwise the test above could not fail."""
    refused = [p.parent.name for p in PROJECTS if any(dict(r.disallowed) for r in load_project(p).reports)]
    assert {"reports", "CB209", "CB302", "CB304"} <= set(refused)
