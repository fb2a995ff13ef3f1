"""Claims as the Region counts them (issue 8): the project is the unit, overruns to date.

Figures in comments are worked out by hand. The projects are built in each test, small:
rate 17,200.00 ÷ 1,720 = 10.00 an hour, so hours and euros are easy to follow.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from clustbudget.pipeline import load_project, validate_paths
from clustbudget.xlsx.styles import RED

from .conftest import example_before_variations

D = Decimal

BUDGET = (
    "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2022-12-31}\n"
    "costs:\n  A: [{description: x, amount: 100000.00}]\n  D: [{description: y, amount: 1000.00}]\n"
)


def person(months: dict[str, int]) -> str:
    hours = ", ".join(f"{m}: {h}" for m, h in months.items())
    return (
        "staff:\n  - {id: p, name: P, item: A, annual_gross_cost: 17200.00, cost_year: 2020,\n"
        f"     hours: {{{hours}}}}}\n"
    )


def report(pid: str, start: str, end: str, body: str = "") -> str:
    return f"clustbudget: 1\nbudget: ../b.yaml\nperiod: {{id: {pid}, start: {start}, end: {end}}}\n" + body


def expense(date: str, amount: str, document: str = "F1") -> str:
    return (
        f"  - {{date: {date}, item: D, description: Fiera, supplier: Rossi S.r.l., document: {document},\n"
        f"     amount: {amount}, paid: {date}, payment: bank_transfer}}\n"
    )


def project_dir(tmp_path: Path, *reports: tuple[str, str]) -> Path:
    (tmp_path / "b.yaml").write_text(BUDGET)
    (tmp_path / "b").mkdir()
    for name, text in reports:
        (tmp_path / "b" / name).write_text(text)
    return tmp_path


def hours_over_two_periods(tmp_path: Path) -> Path:
    # 2021: 900 hours in P1 (January–June) and 900 in P2 (July–December): 1,800 > 1,720.
    return project_dir(
        tmp_path,
        ("p1.yaml", report("P1", "2021-01-01", "2021-06-30", person({"2021-03": 900}))),
        ("p2.yaml", report("P2", "2021-07-01", "2021-12-31", person({"2021-09": 900}))),
    )


def test_validate_one_report_checks_it_in_its_whole_project(tmp_path):
    root = hours_over_two_periods(tmp_path)
    run = validate_paths([root / "b" / "p2.yaml"])
    # only the file named is reported, but the hours cap sees P1: 80 hours at 10.00 refused
    assert [fr.display for fr in run.files] == [str(root / "b" / "p2.yaml")]
    cap = [f for f in run.findings if f.code == "CB302"]
    assert len(cap) == 1 and "80 hours (800.00) not accepted" in cap[0].message
    assert cap[0].related is not None and cap[0].related.path.endswith("p1.yaml")
    assert run.exit_code() == 1


def test_report_and_export_given_one_report_see_every_period(tmp_path):
    root = hours_over_two_periods(tmp_path)
    project = load_project(root / "b.yaml", [root / "b" / "p2.yaml"])
    assert [(r.report.period.id, r.named) for r in project.computed] == [("P1", False), ("P2", True)]
    p2 = project.computed[1]
    assert p2.disallowed == {("staff", 0): D("800.00")}
    # A: 9,000.00 in P1 + (9,000.00 − 800.00) in P2 = 17,200.00 to date
    a = next(row for row in project.progress[-1] if row.key == "A")
    assert (a.period, a.cumulative) == (D("8200.00"), D("17200.00"))
    assert project.latest_named == 1
    # the findings are those of the report named (and the budget), not of P1
    assert {f.location.path for f in project.findings} <= {str(root / "b" / "p2.yaml"), str(root / "b.yaml")}


def test_the_rendiconto_defaults_to_the_latest_period_named(tmp_path, cli):
    root = hours_over_two_periods(tmp_path)
    r = cli("export", root / "b.yaml", root / "b" / "p1.yaml", "--allow-errors", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "b-P1.xlsx").is_file()
    r = cli("export", root / "b.yaml", root / "b" / "p2.yaml", "--allow-errors", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(tmp_path / "b-P2.xlsx")["Riepilogo"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "A")
    # the earlier period P1, read from its file though only p2.yaml was named
    assert ws.cell(row, 4).value == 9000


def test_a_report_of_another_budget_is_still_refused(tmp_path):
    root = hours_over_two_periods(tmp_path)
    (tmp_path / "other.yaml").write_text(BUDGET)
    project = load_project(tmp_path / "other.yaml", [root / "b" / "p2.yaml"])
    assert [f.code for f in project.findings if f.code == "CB021"] == ["CB021"]


def test_over_budget_is_reported_on_the_latest_period_with_the_overrun_to_date(tmp_path):
    # D budget 1,000.00: P1 claims 1,370.00 (over by 370.00), P2 another 500.00: over by 870.00.
    root = project_dir(
        tmp_path,
        (
            "p1.yaml",
            report("P1", "2021-01-01", "2021-06-30", "expenses:\n" + expense("2021-02-01", "1370.00")),
        ),
        (
            "p2.yaml",
            report("P2", "2021-07-01", "2021-12-31", "expenses:\n" + expense("2021-08-01", "500.00", "F2")),
        ),
    )
    run = validate_paths([root])
    over = [(f.location.path.rsplit("/", 1)[-1], f.message) for f in run.findings if f.code == "CB310"]
    assert over == [("p2.yaml", "item D: 1,870.00 accepted to date, over its budget of 1,000.00 by 870.00")]


def test_an_item_with_no_budget_and_money_spent_is_over_not_zero_percent(cli, tmp_path):
    # The example before V1: D has no budget; 3,300.00 in SAL-1 and 7,800.00 in SAL-2 were spent on it.
    example = example_before_variations(tmp_path)
    project = load_project(example)
    d = next(row for row in project.progress[-1] if row.key == "D")
    assert (d.budget, d.cumulative, d.unbudgeted, d.over) == (D("0.00"), D("11100.00"), True, True)
    data = json.loads(cli("report", example, "-f", "json").stdout)
    item = next(i for i in data["items"] if i["key"] == "D")
    assert (item["share_used"], item["over_budget"]) == (None, True)
    text = cli("report", example).stdout
    assert any(line.lstrip("│ ").startswith("D") and " over " in line for line in text.splitlines())
    out = tmp_path / "r.xlsx"
    assert (
        cli("export", example, *sorted((example.parent / example.stem).glob("*.yaml")), "-o", out).returncode
        == 0
    )
    ws = openpyxl.load_workbook(out)["Riepilogo"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "D")
    marked = [c for c in ws[row] if c.value is not None and "oltre il budget" in str(c.value)]
    assert len(marked) == 1 and marked[0].font.b and marked[0].font.color.rgb.endswith(RED)
    values = openpyxl.load_workbook(out, data_only=True)["Riepilogo"]
    assert values[marked[0].coordinate].value == "oltre il budget"  # the cached result
