"""Cost reports: hand-computed staff costs, expenses, disallowances, E on actuals, budget vs actual.

The figures in comments are worked out by hand from tests/data/reports/budget/sal-*.yaml.
"""

import json
from decimal import Decimal

import pytest

from clustbudget.compute import expense_eligible, hourly_rate, staff_cost
from clustbudget.pipeline import load_project, validate_paths

from .conftest import DATA, EXAMPLE, example_before_variations

D = Decimal
REPORTS = DATA / "reports"


@pytest.fixture(scope="module")
def project():
    return load_project(REPORTS / "budget.yaml")


def findings(project, period):
    r = next(r for r in project.reports if r.report.period.id == period)
    return [(f.code, f.location.line) for f in r.findings], r


def test_hourly_rate_and_cost_round_half_up():
    assert hourly_rate(D("65000.00"), D("1720")) == D("37.79")  # 37.7907
    assert staff_cost(D("37.79"), D("290")) == D("10959.10")
    assert hourly_rate(D("30000.00"), D("860")) == D("34.88")  # part time: 34.8837
    assert staff_cost(D("34.88"), D("100.5")) == D("3505.44")
    assert hourly_rate(D("1000.00"), D("80")) == D("12.50")
    assert staff_cost(D("0.05"), D("0.1")) == D("0.01")  # 0.005 → 0.01, half-up


def test_vat_and_share():
    assert expense_eligible(D("1000"), D("220"), None, vat_recoverable=False) == (D("220"), D("1220"))
    assert expense_eligible(D("1000"), D("220"), None, vat_recoverable=True) == (D("0"), D("1000"))
    assert expense_eligible(D("333.33"), D("73.33"), D("0.5"), vat_recoverable=False)[1] == D("203.33")


def test_reports_are_found_beside_the_budget_and_ordered_by_period(project):
    assert [r.report.period.id for r in project.computed] == ["SAL-1", "SAL-2"]


def test_first_period_staff_and_expenses(project):
    got, r = findings(project, "SAL-1")
    assert got == [("CB210", 35), ("CB208", 36)]  # cash refused; invoice before the project
    assert [(s.hourly_rate, s.hours, s.cost) for s in r.costs.staff] == [
        (D("37.79"), D("900"), D("34011.00")),
        (D("34.88"), D("100.5"), D("3505.44")),
    ]
    assert [e.eligible for e in r.costs.expenses] == [D("1220.00"), D("300.00"), D("500.00"), D("203.33")]
    fig = r.figures
    assert fig.claimed["D"] == D("2223.33") and fig.disallowed == {"D": D("800.00")}
    assert fig.items["D"] == D("1423.33")
    assert fig.direct == D("38939.77")
    # E on the accepted direct costs only: 25% of 38,939.77 = 9,734.9425
    assert fig.items["E"] == D("9734.94") and fig.total == D("48674.71")


def test_second_period_cross_report_rules(project):
    got, r = findings(project, "SAL-2")
    assert got == [("CB300", 3), ("CB302", 11), ("CB303", 15), ("CB304", 24), ("CB209", 33)]
    by_code = {f.code: f for f in r.findings}
    # 900 + 900 hours in 2021: 80 over 1,720, crossed in December, at 37.79 = 3,023.20
    assert "80 hours (3,023.20) not accepted" in by_code["CB302"].message
    assert by_code["CB302"].related.path.endswith("sal-1.yaml")
    assert (by_code["CB304"].related.path.endswith("sal-1.yaml"), by_code["CB304"].related.line) == (True, 23)
    assert r.disallowed == {
        ("staff", 0): D("3023.20"),
        ("expense", 0): D("1220.00"),
        ("expense", 1): D("2000.00"),
    }
    fig = r.figures
    assert fig.items["A"] == D("30987.80")  # 34,011.00 − 3,023.20
    assert fig.items["B"] == D("360.50")  # 36.05 × 10
    assert fig.items["D"] == D("5000.00")
    # 25% of 36,348.30 = 9,087.075 → 9,087.08 (half-up)
    assert fig.items["E"] == D("9087.08") and fig.total == D("45435.38")


def test_budget_vs_actual_cumulative_and_remaining(project):
    rows = {r.key: r for r in project.progress[-1]}
    assert (rows["A"].budget, rows["A"].period, rows["A"].cumulative, rows["A"].remaining) == (
        D("70000.00"),
        D("30987.80"),
        D("64998.80"),
        D("5001.20"),
    )
    assert rows["E"].cumulative == D("18822.02")  # the sum of the periods' E, never the budget's
    assert rows["total"].cumulative == D("94110.09") and rows["total"].remaining == D("30889.91")
    assert rows["total"].used == D("0.7529")
    assert project.contributions == [None, None]  # rate unknown for this call


def test_rules_on_single_reports():
    run = validate_paths([REPORTS / "misc"])
    by_file = {
        fr.display.rsplit("/", 1)[-1]: [(f.code, f.location.line) for f in fr.findings] for fr in run.files
    }
    assert by_file["overlap-b.yaml"] == [
        ("CB300", 3),
        ("CB301", 3),
        ("CB202", 7),
        ("CB203", 10),
        ("CB205", 12),
        ("CB206", 14),
        ("CB210", 15),
        ("CB207", 16),
        ("CB211", 17),
        ("CB209", 19),
        ("CB215", 19),  # paid before the invoice date, too
    ]
    assert by_file["orphan.yaml"] == [("CB021", 2)]
    assert by_file["bad-amount.yaml"] == [("CB017", 1), ("CB013", 5)]
    assert by_file["overlap-a.yaml"] == []


def test_over_budget_is_flagged_on_the_example_before_its_variation(cli, tmp_path):
    r = cli("report", example_before_variations(tmp_path), "-f", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["format"] == "clustbudget.report"
    items = {i["key"]: i for i in data["items"]}
    assert items["D"]["budget"] == "0.00" and items["D"]["actual"] == "11100.00"
    assert items["D"]["remaining"] == "-11100.00"
    sal1 = data["periods"][0]
    assert sal1["staff"][0]["hourly_rate"] == "37.79" and sal1["staff"][1]["hourly_rate"] == "30.00"
    assert sal1["flat_rate"]["amount"] == sal1["items"]["E"]
    assert D(sal1["total"]) == sum(D(v) for v in sal1["items"].values())
    assert any(f["code"] == "CB310" for f in data["findings"])


def test_report_text_shows_each_period_and_bars(cli):
    r = cli("report", REPORTS / "budget.yaml")
    assert r.returncode == 1  # the reports have errors
    for text in ("SAL-1", "SAL-2", "64,998.80", "94,110.09", "75.3%", "█", "Contribution due: not computed"):
        assert text in r.stdout


def test_named_report_of_another_budget_is_refused(cli):
    r = cli("report", REPORTS / "misc" / "budget.yaml", REPORTS / "budget" / "sal-1.yaml")
    assert r.returncode == 1 and "CB021" in r.stdout


@pytest.mark.parametrize(
    ("hours", "total", "due", "codes"),
    [
        # 10.00 × 1,300 = 13,000.00, over A's 10,000.00 by more than the 20% shift; E 15% = 1,950.00
        ("1300", "14950.00", "7475.00", {"CB300", "CB310", "CB311"}),
        # 10.00 × 100 = 1,000.00 + 150.00: below 70% of the 11,500.00 budget at the final report
        ("100", "1150.00", "575.00", {"CB300", "CB312"}),
        # 10.00 × 1,000: on budget; the grant is 50% of 11,500.00
        ("1000", "11500.00", "5750.00", {"CB300"}),
    ],
)
def test_call_parameters_when_the_pack_sets_them(tmp_path, hours, total, due, codes):
    (tmp_path / "b.yaml").write_text(
        "clustbudget: 1\ncall: pack.yaml\nproject: {title: t, start: 2021-01-01, end: 2021-12-31}\n"
        "costs: {A: [{description: x, amount: 10000.00}]}\n"
    )
    (tmp_path / "pack.yaml").write_text((DATA / "packs" / "custom.yaml").read_text())
    (tmp_path / "r.yaml").write_text(
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P1, start: 2021-01-01, end: 2021-12-31}\n"
        "staff:\n  - {id: p, name: P, item: A, annual_gross_cost: 17200.00, cost_year: 2020, "
        # the hours spread over ten months (no month past its calendar, CB307)
        f"hours_per_year: 1720, hours: {{{', '.join(f'2021-{m:02}: {int(hours) // 10}' for m in range(1, 11))}}}}}\n"
    )
    project = load_project(tmp_path / "b.yaml", [tmp_path / "r.yaml"])
    assert project.computed[0].figures.total == D(total)
    assert project.contributions == [D(due)]
    assert {f.code for f in project.computed[0].findings} == codes


def test_grant_cap_limits_the_contribution():
    from clustbudget.compute import contribution_due

    assert contribution_due(D("200000.00"), D("0.5"), D("50000.00")) == D("50000.00")
    assert contribution_due(D("1000.01"), D("0.5"), None) == D("500.01")  # 500.005 → 500.01


def test_an_invoice_claimed_by_two_projects(tmp_path):
    import shutil

    for name in ("one", "two"):
        shutil.copy(REPORTS / "budget.yaml", tmp_path / f"{name}.yaml")
        (tmp_path / name).mkdir()
    sal1 = (REPORTS / "budget" / "sal-1.yaml").read_text().replace("../budget.yaml", "../one.yaml")
    (tmp_path / "one" / "sal-1.yaml").write_text(sal1)
    (tmp_path / "two" / "p1.yaml").write_text(
        "clustbudget: 1\nbudget: ../two.yaml\nperiod: {id: T1, start: 2021-07-01, end: 2021-12-31}\n"
        "expenses:\n"
        "  - {date: 2021-04-01, item: D, description: Gadget, supplier: GADGET S.R.L., document: 2021/4,\n"
        "     amount: 333.33, paid: 2021-08-01, payment: card}\n"
    )
    # one charges half of the 333.33 invoice; two all of it again: 166.67 beyond it
    run = validate_paths([tmp_path])
    found = [
        (f.code, f.location.path.rsplit("/", 2)[-2:], f.location.line, f.related.line)
        for f in run.findings
        if f.code == "CB305"
    ]
    assert found == [("CB305", ["two", "p1.yaml"], 5, 48)]
    # each project alone knows nothing of the other
    assert not any(
        f.code == "CB305" for f in validate_paths([tmp_path / "two.yaml", tmp_path / "two"]).findings
    )


def test_a_report_named_alone_warns_that_its_budget_has_errors(tmp_path):
    (tmp_path / "b.yaml").write_text(
        "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2021-12-31}\n"
        "costs: {A: [{description: x, amount: 100.00}]}\ndeclared: {total: 1.00}\n"
    )
    (tmp_path / "r.yaml").write_text(
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P, start: 2021-01-01, end: 2021-06-30}\n"
    )
    alone = validate_paths([tmp_path / "r.yaml"])
    assert [(f.code, f.location.line) for f in alone.findings if f.code != "CB300"] == [("CB022", 2)]
    together = validate_paths([tmp_path])
    assert "CB022" not in {f.code for f in together.findings} and "CB103" in {
        f.code for f in together.findings
    }


@pytest.mark.parametrize("columns", ["100", "130", "200"])
def test_report_never_cuts_a_figure(cli, columns):
    r = cli("report", EXAMPLE, "--lang", "it", env={"COLUMNS": columns})
    # A's budget is V1's (in force at SAL-2's end): 115,000.00, 3,519.50 left.
    for figure in ("115.000,00", "56.496,05", "111.480,50", "3.519,50", "186.225,62", "93,1%"):
        assert figure in r.stdout, (columns, r.stdout)
    assert (
        "Budget e consuntivo, fino a SAL-2 (20/09/2022)" in r.stdout
        and "Contributo dovuto: non calcolato" in r.stdout
    )


def test_several_months_refused_on_one_person_all_count(tmp_path):
    """Two months outside the period and a yearly cap crossed: every refused hour counts, once."""
    (tmp_path / "b.yaml").write_text(
        "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2022-12-31}\n"
        "costs: {A: [{description: x, amount: 100000.00}]}\n"
    )
    (tmp_path / "r.yaml").write_text(
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P, start: 2021-05-01, end: 2021-12-31}\n"
        "staff:\n  - {id: p, name: P, item: A, annual_gross_cost: 17200.00, cost_year: 2020,\n"
        "     hours: {2021-03: 10, 2021-04: 20, 2021-05: 600, 2021-06: 600, 2021-07: 600}}\n"
    )
    project = load_project(tmp_path / "b.yaml", [tmp_path / "r.yaml"])
    r = project.computed[0]
    # rate 10.00; 1,830 hours claimed = 18,300.00. Refused: 10 + 20 outside the period (CB203),
    # and in 2021 the cap of 1,720 is crossed in July by 110 (CB302): 140 hours = 1,400.00.
    assert r.costs.staff[0].cost == D("18300.00")
    assert r.disallowed == {("staff", 0): D("1400.00")}
    assert r.figures.items["A"] == D("16900.00")
    # (600 hours a month are implausible, CB308, but accepted; the period starts after the
    # project, CB321, an info line)
    assert sorted(f.code for f in r.findings if f.code not in ("CB300", "CB308", "CB321")) == [
        "CB203",
        "CB203",
        "CB302",
    ]


def test_a_broken_file_among_the_reports_is_reported_not_left_out(cli, tmp_path):
    import shutil

    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    broken = tmp_path / EXAMPLE.stem / "sal-3.yaml"
    broken.write_text(
        "clustbudget: 1\nbudget: ../clust-er-health-2020-2022.yaml\nperiod: {id: SAL-3, start: 2022-09-01\n"
    )
    r = cli("report", tmp_path / EXAMPLE.name)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "sal-3.yaml:4:1: CB002 error" in r.stdout + r.stderr
