"""The project is the unit (issue 8): double claims across the projects of one run are left
out of the figures (CB305), and the findings on a report of the project that was not named
are shown, at their own file:line (issue 12: a sibling report that cannot be read too)."""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

from clustbudget.pipeline import validate_paths

from .conftest import EXAMPLE

BUDGET = """clustbudget: 1
call: clust-er-2020
project: {title: P, start: 2021-01-01, end: 2022-12-31}
costs:
  D:
    - {description: Comunicazione, amount: 10000.00}
"""

STAND = (
    "  - {date: 2021-03-01, item: D, description: Stand, supplier: Fiere Alfa, document: FT 12/2021,\n"
    '     amount: 1000.00, eligible_share: "0.6", paid: 2021-03-10, payment: bank_transfer}\n'
)
PRINT = (
    "  - {date: 2021-03-05, item: D, description: Stampa, supplier: Tipografia Beta, document: 7/2021,\n"
    "     amount: 300.00, paid: 2021-03-10, payment: bank_transfer}\n"
)
OWN = (
    "  - {date: 2021-08-02, item: D, description: Video, supplier: Studio Gamma, document: 9/2021,\n"
    "     amount: 500.00, paid: 2021-08-20, payment: bank_transfer}\n"
)


def two_projects(tmp_path: Path) -> Path:
    """Project one claims, in its first half-year, 60% of a 1,000.00 invoice and all of a
    300.00 one; project two, in the second half-year, 60% of the first again, all of the
    second again, and a 500.00 invoice of its own."""
    for name in ("one", "two"):
        (tmp_path / f"{name}.yaml").write_text(BUDGET)
        (tmp_path / name).mkdir()
    (tmp_path / "one" / "s1.yaml").write_text(
        "clustbudget: 1\nbudget: ../one.yaml\nperiod: {id: S1, start: 2021-01-01, end: 2021-06-30}\n"
        "expenses:\n" + STAND + PRINT
    )
    (tmp_path / "two" / "t1.yaml").write_text(
        "clustbudget: 1\nbudget: ../two.yaml\nperiod: {id: T1, start: 2021-07-01, end: 2021-12-31}\n"
        "expenses:\n" + STAND + PRINT + OWN
    )
    return tmp_path


def test_an_invoice_claimed_by_two_projects_is_left_out_of_the_later_one(tmp_path):
    run = validate_paths([two_projects(tmp_path)])
    one, two = sorted(run.projects, key=lambda p: p.budget.loaded.display)
    # one keeps its claims: 600.00 + 300.00, E = 25% = 225.00
    s1 = one.computed[0]
    assert s1.figures.items["D"] == D("900.00") and s1.figures.total == D("1125.00")
    assert s1.disallowed == {}
    # two: 60% + 60% of 1,000.00 is 200.00 beyond the invoice; the 300.00 is a second full
    # claim; its own 500.00 stays. D = 1,400.00 claimed − 500.00 = 900.00, E = 225.00
    t1 = two.computed[0]
    assert t1.disallowed == {("expense", 0): D("200.00"), ("expense", 1): D("300.00")}
    assert t1.figures.items["D"] == D("900.00")
    assert t1.figures.items["E"] == D("225.00")
    assert t1.figures.total == D("1125.00")
    found = sorted(
        (f.location.path.rsplit("/", 1)[-1], f.location.line, f.message)
        for f in run.findings
        if f.code == "CB305"
    )
    assert [(name, line) for name, line, _ in found] == [("t1.yaml", 5), ("t1.yaml", 7)]
    assert found[0][2].endswith("200.00 not accepted")
    assert found[1][2].endswith("300.00 not accepted")


def test_each_project_alone_keeps_its_claims(tmp_path):
    two_projects(tmp_path)
    run = validate_paths([tmp_path / "two.yaml", tmp_path / "two"])
    assert not any(f.code == "CB305" for f in run.findings)
    assert run.projects[0].computed[0].figures.items["D"] == D("1400.00")


def test_ignoring_cb305_hides_it_but_still_leaves_the_cost_out(tmp_path):
    from clustbudget.rules import Selection

    run = validate_paths([two_projects(tmp_path)], Selection(ignore=("CB305",)))
    assert not any(f.code == "CB305" for f in run.findings)
    two = next(p for p in run.projects if p.budget.loaded.display.endswith("two.yaml"))
    assert two.computed[0].figures.items["D"] == D("900.00")


def example_copy(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.stem


def test_a_finding_on_a_report_not_named_is_shown_at_its_line(tmp_path, cli):
    folder = example_copy(tmp_path)
    sal1 = folder / "sal-1.yaml"
    text = sal1.read_text()
    # a cash payment in SAL-1 (CB210): found when only SAL-2 is named
    assert "payment: bank_transfer" in text
    sal1.write_text(text.replace("payment: bank_transfer", "payment: cash", 1))
    line = next(i for i, t in enumerate(sal1.read_text().splitlines(), 1) if "payment: cash" in t)
    r = cli("validate", folder / "sal-2.yaml")
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"sal-1.yaml:{line}:" in r.stdout
    assert any(f"sal-1.yaml:{line}:" in t and " CB210 error " in t for t in r.stdout.splitlines()), r.stdout
    assert "2 files checked" in r.stdout
    # `report` and `export` naming SAL-2 alone show it too
    rep = cli("report", tmp_path / EXAMPLE.name, folder / "sal-2.yaml")
    assert any(f"sal-1.yaml:{line}:" in t and "CB210" in t for t in (rep.stdout + rep.stderr).splitlines())


def test_an_unreadable_sibling_report_is_an_error_of_every_command(tmp_path, cli):
    folder = example_copy(tmp_path)
    (folder / "sal-3.yaml").write_text(
        "clustbudget: 1\nbudget: ../clust-er-health-2020-2022.yaml\nperiod: {id: SAL-3, start: 2022-09-01\n"
    )
    for args in (
        ("validate", folder / "sal-2.yaml"),
        ("report", tmp_path / EXAMPLE.name, folder / "sal-2.yaml"),
        ("export", tmp_path / EXAMPLE.name, folder / "sal-2.yaml", "-o", tmp_path / "r.xlsx"),
    ):
        r = cli(*args, cwd=tmp_path)
        assert r.returncode == 2, (args, r.stdout + r.stderr)
        assert "sal-3.yaml:4:1: CB002 error" in r.stdout + r.stderr, (args, r.stdout + r.stderr)
    assert not (tmp_path / "r.xlsx").exists()


def test_the_run_keeps_every_budget_it_read_by_its_real_path():
    """validate_paths' result holds the budgets it read, named or read for a report named, by
    their real path: the command line exits without freeing them one by one."""
    report = next((EXAMPLE.parent / EXAMPLE.stem).glob("sal-*.yaml"))
    named = validate_paths([EXAMPLE.parent / "clust-er-health-2020-2022.V1.yaml", report])
    assert set(named.budgets) == {
        (EXAMPLE.parent / "clust-er-health-2020-2022.V1.yaml").resolve(),
        EXAMPLE.resolve(),
    }
    assert all(b.figures is not None for b in named.budgets.values())
    assert validate_paths([EXAMPLE]).budgets.keys() == {EXAMPLE.resolve()}
