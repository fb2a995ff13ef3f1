"""The forecast (issue 15): months, pace, pace needed, linear projection, years — by hand.

The project (``tests/data/forecast/budget.yaml``) runs 24 months, 2021-01-01 to 2022-12-31:
A 48,000.00 and D 12,000.00 (each split evenly between 2021 and 2022), E = 25% = 15,000.00,
total 75,000.00. Its call pack sets a minimum spend of 80% (60,000.00) and a tolerated shift
of 10% of an item. The Cluster Manager costs 34,400.00 a year ÷ 1,720 h = 20.00 an hour.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from clustbudget.compute import split_by_weight
from clustbudget.forecast import months_between, project_forecast
from clustbudget.pipeline import load_project

from .conftest import DATA, run_cli

D = Decimal


def months(n: int, hours: int, start: tuple[int, int] = (2021, 1)) -> str:
    y, m = start
    out = []
    for _ in range(n):
        out.append(f"      {y:04d}-{m:02d}: {hours}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return "\n".join(out)


def report(pid: str, start: str, end: str, hours: str = "", expenses: str = "") -> str:
    staff = ""
    if hours:
        staff = (
            "staff:\n  - id: cm\n    name: Cluster Manager\n    item: A\n"
            "    annual_gross_cost: 34400.00\n    cost_year: 2020\n    hours:\n" + hours + "\n"
        )
    return (
        f"clustbudget: 1\nbudget: ../budget.yaml\nperiod: {{id: {pid}, start: {start}, end: {end}}}\n"
        + staff
        + (f"expenses:\n{expenses}" if expenses else "")
    )


def expense(day: str, amount: str, doc: str) -> str:
    return (
        f"  - date: {day}\n    item: D\n    description: Stand in fiera\n    supplier: Fiere Srl\n"
        f'    document: "{doc}"\n    amount: {amount}\n    paid: {day}\n    payment: bank_transfer\n'
    )


@pytest.fixture
def project(tmp_path: Path):
    """A copy of the test project; ``write(name, text)`` adds a report to it."""
    shutil.copy(DATA / "forecast" / "budget.yaml", tmp_path / "budget.yaml")
    shutil.copy(DATA / "forecast" / "pack.yaml", tmp_path / "pack.yaml")
    (tmp_path / "budget").mkdir()

    def write(name: str, text: str) -> Path:
        path = tmp_path / "budget" / name
        path.write_text(text, encoding="utf-8")
        return path

    write.budget = tmp_path / "budget.yaml"  # type: ignore[attr-defined]
    return write


SAL1 = report("SAL-1", "2021-01-01", "2021-06-30", months(6, 100), expense("2021-03-10", "2000.00", "FT 1"))
"""Six months: 600 h × 20.00 = 12,000.00 on A, 2,000.00 on D, E = 3,500.00: 17,500.00."""


def test_months_count_as_duration_months_does_with_the_days_left_as_a_fraction() -> None:
    assert months_between(date(2020, 10, 1), date(2021, 9, 30)) == D("12.00")
    assert months_between(date(2020, 10, 1), date(2022, 9, 20)) == D("23.67")  # 23 + 20/30
    assert months_between(date(2021, 1, 1), date(2021, 6, 15)) == D("5.50")  # 5 + 15/30
    assert months_between(date(2021, 1, 31), date(2021, 2, 27)) == D("1.00")
    assert months_between(date(2021, 1, 1), date(2021, 1, 1)) == D("0.03")  # 1 of 31 days
    assert months_between(date(2021, 1, 2), date(2021, 1, 1)) == D("0.00")


def test_a_linear_case_by_hand(project) -> None:
    project("sal-1.yaml", SAL1)
    fc = project_forecast(load_project(project.budget))
    assert fc is not None
    assert (fc.as_of, fc.months_total, fc.months_elapsed, fc.months_left) == (
        date(2021, 6, 30),
        D("24.00"),
        D("6.00"),
        D("18.00"),
    )
    got = {i.key: (i.actual, i.monthly, i.needed, i.projected, i.difference) for i in fc.items}
    assert got["A"] == (D("12000.00"), D("2000.00"), D("2000.00"), D("48000.00"), D("0.00"))
    # D: 2,000 / 6 = 333.33 a month; (12,000 - 2,000) / 18 = 555.56 needed; 2,000 × 24 / 6
    assert got["D"] == (D("2000.00"), D("333.33"), D("555.56"), D("8000.00"), D("-4000.00"))
    # E: 3,500 so far + 25% of what A and D add (36,000 + 6,000) = 14,000.00
    assert got["E"] == (D("3500.00"), D("583.33"), D("638.89"), D("14000.00"), D("-1000.00"))
    assert got["total"] == (D("17500.00"), D("2916.67"), D("3194.44"), D("70000.00"), D("-5000.00"))
    assert got["B"] == (D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"))
    m = fc.minimum
    assert m is not None
    # 80% of 75,000.00 = 60,000.00; (60,000 - 17,500) / 18 = 2,361.11 a month; 70,000 is above
    assert (m.amount, m.needed, m.projected_below) == (D("60000.00"), D("2361.11"), False)


def test_actuals_by_year_against_the_budgets_split(project) -> None:
    # SAL-2 straddles the new year: 100 h in December 2021 and 300 h in 2022 (8,000.00)
    project("sal-1.yaml", SAL1)
    hours = months(1, 100, (2021, 12)) + "\n" + months(3, 100, (2022, 1))
    project(
        "sal-2.yaml",
        report("SAL-2", "2021-07-01", "2022-03-31", hours, expense("2022-01-15", "1000.00", "FT 9")),
    )
    fc = project_forecast(load_project(project.budget))
    assert fc is not None
    years = {y.year: y for y in fc.by_year}
    assert list(years) == [2021, 2022]
    y21, y22 = years[2021], years[2022]
    assert y21.budget is not None and y22.budget is not None
    assert (y21.budget["A"], y21.budget["D"], y21.budget["E"], y21.budget_total) == (
        D("24000.00"),
        D("6000.00"),
        D("7500.00"),
        D("37500.00"),
    )
    # 2021: 12,000 + 2,000 (December's 100 h of SAL-2) on A, 2,000 on D, E 25% of 16,000
    assert (y21.actual["A"], y21.actual["D"], y21.actual["E"], y21.actual_total) == (
        D("14000.00"),
        D("2000.00"),
        D("4000.00"),
        D("20000.00"),
    )
    assert (y22.actual["A"], y22.actual["D"], y22.actual["E"], y22.actual_total) == (
        D("6000.00"),
        D("1000.00"),
        D("1750.00"),
        D("8750.00"),
    )


def test_a_cost_split_between_years_adds_up_to_the_cent() -> None:
    assert split_by_weight(D("100.00"), {2021: D(1), 2022: D(2)}) == {2021: D("33.33"), 2022: D("66.67")}
    assert split_by_weight(D("100.00"), {}) == {}


def test_a_project_with_no_period_yet(project) -> None:
    fc = project_forecast(load_project(project.budget))
    assert fc is not None
    assert (fc.as_of, fc.months_elapsed, fc.months_left) == (None, D("0.00"), D("24.00"))
    total = fc.total
    # nothing elapsed: no pace and no projection; 75,000 / 24 = 3,125.00 a month needed
    assert (total.actual, total.monthly, total.needed, total.projected) == (
        D("0.00"),
        None,
        D("3125.00"),
        None,
    )
    assert fc.item("A").needed == D("2000.00")  # type: ignore[union-attr]
    assert fc.minimum is not None and fc.minimum.needed == D("2500.00")  # 60,000 / 24
    assert fc.minimum.projected_below  # nothing spent, nothing projected: below


def test_a_project_with_no_spending_yet(project) -> None:
    project("sal-1.yaml", report("SAL-1", "2021-01-01", "2021-06-30"))
    fc = project_forecast(load_project(project.budget))
    assert fc is not None
    total = fc.total
    # 75,000 / 18 = 4,166.67 a month needed; the pace so far is 0, so is the projection
    assert (total.actual, total.monthly, total.needed, total.projected, total.difference) == (
        D("0.00"),
        D("0.00"),
        D("4166.67"),
        D("0.00"),
        D("-75000.00"),
    )
    assert fc.minimum is not None
    assert (fc.minimum.needed, fc.minimum.projected_below) == (D("3333.33"), True)  # 60,000 / 18


def test_a_project_past_its_end(project) -> None:
    project("sal-1.yaml", SAL1)
    rest = months(18, 100, (2021, 7))
    project(
        "sal-2.yaml",
        report("SAL-2", "2021-07-01", "2022-12-31", rest, expense("2022-05-02", "11500.00", "FT 2")),
    )
    fc = project_forecast(load_project(project.budget))
    assert fc is not None
    assert (fc.months_elapsed, fc.months_left, fc.ended) == (D("24.00"), D("0.00"), True)
    got = {i.key: (i.actual, i.needed, i.projected, i.difference) for i in fc.items}
    # A: 2,400 h × 20.00 = 48,000.00; D: 13,500.00, 1,500.00 over; E: 3,500 + 25% of 48,000
    assert got["A"] == (D("48000.00"), None, D("48000.00"), D("0.00"))
    assert got["D"] == (D("13500.00"), None, D("13500.00"), D("1500.00"))
    assert got["E"] == (D("15375.00"), None, D("15375.00"), D("375.00"))
    assert got["total"] == (D("76875.00"), None, D("76875.00"), D("1875.00"))


def test_cb600_warns_while_months_are_left_and_not_at_the_end(project) -> None:
    project("sal-1.yaml", report("SAL-1", "2021-01-01", "2021-06-30", months(6, 20)))
    project_ = load_project(project.budget)
    codes = [f.code for f in project_.findings]
    assert "CB600" in codes
    text = next(f for f in project_.findings if f.code == "CB600").message
    # 120 h × 20 = 2,400 + E 600 = 3,000 in 6 months: 12,000.00 by the end; (60,000 - 3,000) / 18
    assert "12,000.00" in str(text) and "3,166.67" in str(text)


def test_cb601_warns_of_an_item_heading_beyond_the_tolerated_shift(project) -> None:
    project(
        "sal-1.yaml",
        report("SAL-1", "2021-01-01", "2021-06-30", expenses=expense("2021-03-10", "3500.00", "FT 1")),
    )
    findings = load_project(project.budget).findings
    hits = [f for f in findings if f.code == "CB601"]
    # D: 3,500 × 24 / 6 = 14,000.00, 2,000.00 over 12,000.00, 800.00 beyond the 1,200.00 tolerated
    assert len(hits) == 1
    message = str(hits[0].message)
    assert "14,000.00" in message and "2,000.00" in message and "800.00" in message and "1,200.00" in message


def test_report_json_carries_the_forecast(project) -> None:
    project("sal-1.yaml", SAL1)
    result = run_cli("report", "-f", "json", project.budget)
    assert result.returncode == 0, result.stderr
    fc = json.loads(result.stdout)["forecast"]
    assert (fc["as_of"], fc["months_elapsed"], fc["months_left"]) == ("2021-06-30", "6.00", "18.00")
    total = fc["items"][-1]
    assert total == {
        "key": "total",
        "budget": "75000.00",
        "actual": "17500.00",
        "remaining": "57500.00",
        "monthly": "2916.67",
        "needed_monthly": "3194.44",
        "projected": "70000.00",
        "difference": "-5000.00",
    }
    assert fc["minimum_spend"] == {
        "share": "0.8",
        "amount": "60000.00",
        "needed_monthly": "2361.11",
        "projected_below": False,
    }
    assert [y["year"] for y in fc["by_year"]] == [2021, 2022]
    assert fc["by_year"][0]["budget_total"] == "37500.00" and fc["by_year"][0]["actual_total"] == "17500.00"


def test_report_text_shows_the_forecast_in_italian(project) -> None:
    project("sal-1.yaml", SAL1)
    result = run_cli("report", "--lang", "it", project.budget, env={"COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    assert "70.000,00" in result.stdout and "3.194,44" in result.stdout
    assert "Previsione" in result.stdout


# ------------------------------------------------------------------ the rendiconto's sheet


@pytest.mark.libreoffice
def test_the_rendiconto_forecast_sheet_recalculates_to_the_hand_figures(project, tmp_path: Path) -> None:
    import openpyxl

    from clustbudget.xlsx.rendiconto import build

    from .conftest import EXAMPLE
    from .libreoffice import assert_recalculated_from_wrong_cache, cents, recalculate, wrong_cached_results

    project("sal-1.yaml", SAL1)
    cases = {"linear": (load_project(project.budget), "en"), "example": (load_project(EXAMPLE), "it")}
    honest, wrong = {}, {}
    for name, (proj, lang) in cases.items():
        index = 0
        honest[name] = tmp_path / f"{name}.xlsx"
        with open(honest[name], "wb") as out:
            build(proj, index, lang).write(out)
        wrong[name] = tmp_path / f"{name}-wrong.xlsx"
        with wrong_cached_results(), open(wrong[name], "wb") as out:
            build(proj, index, lang).write(out)
    copies = recalculate(list(wrong.values()), tmp_path / "recalculated")
    for name in cases:
        assert assert_recalculated_from_wrong_cache(honest[name], wrong[name], copies[wrong[name]]) >= 40
    ws = openpyxl.load_workbook(copies[wrong["linear"]], data_only=True)["Forecast"]
    first = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Item") + 1
    rows = {ws.cell(r, 1).value: r for r in range(first, first + 6)}
    total = next(r for r in range(first, first + 8) if ws.cell(r, 2).value == "Project total")

    def row(r: int) -> tuple[Decimal, ...]:
        return tuple(cents(ws.cell(r, c).value, f"row {r} col {c}") for c in range(3, 9))

    # budget, accepted, a month so far, a month needed, projected, over/short: as by hand above
    assert row(rows["D"]) == (
        D("12000.00"),
        D("2000.00"),
        D("333.33"),
        D("555.56"),
        D("8000.00"),
        D("-4000.00"),
    )
    assert row(rows["E"]) == (
        D("15000.00"),
        D("3500.00"),
        D("583.33"),
        D("638.89"),
        D("14000.00"),
        D("-1000.00"),
    )
    assert row(total) == (
        D("75000.00"),
        D("17500.00"),
        D("2916.67"),
        D("3194.44"),
        D("70000.00"),
        D("-5000.00"),
    )
    # the minimum spend: 80% of 75,000.00, and 2,361.11 a month to reach it
    minimum = next(r for r in range(total, total + 6) if ws.cell(r, 1).value == "Minimum spend")
    assert cents(ws.cell(minimum, 2).value) == D("60000.00")
    assert cents(ws.cell(minimum + 1, 2).value) == D("2361.11")
    # the time line: start, SAL-1, end; the budget line at 6 of 24 months is 18,750.00
    line = next(r for r in range(minimum, minimum + 10) if ws.cell(r, 1).value == "Point") + 1
    assert [ws.cell(line + i, 1).value for i in range(3)] == ["Start", "SAL-1", "End"]
    assert cents(ws.cell(line + 1, 5).value) == D("17500.00")
    assert cents(ws.cell(line + 1, 6).value) == D("18750.00")
    assert cents(ws.cell(line + 2, 7).value) == D("70000.00")
    charts = openpyxl.load_workbook(honest["linear"])["Forecast"]._charts
    assert len(charts) == 1 and charts[0].tagname == "lineChart"
    assert len(charts[0].series) == 3
    assert "Previsione" in openpyxl.load_workbook(honest["example"]).sheetnames


def test_report_text_of_a_project_with_no_period_shows_the_pace_needed(project) -> None:
    result = run_cli("report", project.budget, env={"COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    assert "No cost reports" in result.stdout
    assert "no period reported yet, 24 months to go" in result.stdout
    assert "3,125.00" in result.stdout  # 75,000.00 over 24 months
