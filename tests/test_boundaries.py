"""Boundary days and exact limits, each a hand-computed case (issue 7's mutation review).

Every test writes a small budget (and its reports) in a temporary folder, laid out as in
``budgets/``: ``budget.yaml`` and ``budget/sal-N.yaml``. On each boundary the test pins both
sides: the limit itself is accepted, one day, one cent or one hour past it is not.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import clustbudget
from clustbudget.compute import expense_eligible, report_costs
from clustbudget.findings import Severity
from clustbudget.models import CostReport
from clustbudget.output.show import figures_json
from clustbudget.pipeline import BudgetResult, ProjectResult, ReportResult, check_budget, load_project
from clustbudget.rules.budget import expected_end, span

D = Decimal
PACKS = Path(clustbudget.__file__).parent / "packs"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def project_of(folder: Path, budget: str, *reports: str) -> ProjectResult:
    path = write(folder / "budget.yaml", budget)
    for i, text in enumerate(reports, 1):
        write(folder / "budget" / f"sal-{i}.yaml", text)
    return load_project(path)


def budget_of(folder: Path, budget: str) -> BudgetResult:
    return check_budget(write(folder / "budget.yaml", budget))


def pack_of(folder: Path, builtin: str, *replacements: tuple[str, str]) -> Path:
    """A copy of a built-in call pack with some of its text replaced (each must be there)."""
    text = (PACKS / f"{builtin}.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return write(folder / "pack.yaml", text)


def codes(result: BudgetResult | ReportResult) -> list[str]:
    return [f.code for f in result.findings]


def lines_of(result: ReportResult, code: str) -> list[int]:
    return [f.location.line for f in result.findings if f.code == code]


# A year-long project under the 2014-2020 pack: A 45,000.00 + D 10,000.00, E 13,750.00.
BUDGET_2021 = """\
    clustbudget: 1
    call: clust-er-2020
    project:
      title: Boundaries
      programme: POR FESR 2014-2020
      start: 2021-01-01
      end: 2021-12-31
      duration_months: 12
    costs:
      A:
        - {description: Coordinator, amount: 45000.00}
      D:
        - {description: Events, amount: 10000.00}
    """


def test_an_invoice_and_its_payment_on_the_periods_last_day_are_accepted(tmp_path):
    project = project_of(
        tmp_path,
        BUDGET_2021,
        """\
        clustbudget: 1
        budget: ../budget.yaml
        period: {id: SAL-1, start: 2021-01-01, end: 2021-06-30}
        expenses:
          - {date: 2021-06-30, paid: 2021-06-30, item: D, description: Stand, supplier: Fiere Srl, document: "1", amount: 1000.00, payment: bank_transfer}
          - {date: 2021-06-30, paid: 2021-07-01, item: D, description: Stand, supplier: Fiere Srl, document: "2", amount: 1000.00, payment: bank_transfer}
          - {date: 2021-07-01, paid: 2021-06-30, item: D, description: Stand, supplier: Fiere Srl, document: "3", amount: 1000.00, payment: bank_transfer}
        """,
    )
    (r,) = project.reports
    # line 5: both on 30 June, accepted; line 6: paid a day late; line 7: invoiced a day late
    assert lines_of(r, "CB208") == [7] and lines_of(r, "CB209") == [6]
    assert r.disallowed == {("expense", 1): D("1000.00"), ("expense", 2): D("1000.00")}
    assert r.figures is not None
    assert r.figures.items["D"] == D("1000.00") and r.figures.items["E"] == D("250.00")  # 25% of 1,000.00


def test_a_payment_on_the_projects_first_day_is_accepted(tmp_path):
    project = project_of(
        tmp_path,
        BUDGET_2021,
        """\
        clustbudget: 1
        budget: ../budget.yaml
        period: {id: SAL-1, start: 2021-01-01, end: 2021-06-30}
        expenses:
          - {date: 2021-01-01, paid: 2021-01-01, item: D, description: Roll-up, supplier: Stampe Srl, document: "1", amount: 500.00, payment: card}
          - {date: 2021-01-01, paid: 2020-12-31, item: D, description: Roll-up, supplier: Stampe Srl, document: "2", amount: 500.00, payment: card}
        """,
    )
    (r,) = project.reports
    assert lines_of(r, "CB209") == [6] and "CB208" not in codes(r)
    assert "before the project starts (2021-01-01)" in r.findings[codes(r).index("CB209")].message
    assert r.figures is not None
    assert r.figures.items["D"] == D("500.00") and r.figures.items["E"] == D("125.00")


def test_a_one_day_project_with_a_one_day_period(tmp_path):
    project = project_of(
        tmp_path,
        """\
        clustbudget: 1
        call: clust-er-2020
        project: {title: One day, programme: POR FESR 2014-2020, start: 2021-03-15, end: 2021-03-15}
        costs:
          A: [{description: Coordinator, amount: 80.00}]
          D: [{description: Workshop, amount: 100.00}]
        """,
        """\
        clustbudget: 1
        budget: ../budget.yaml
        period: {id: SAL-1, start: 2021-03-15, end: 2021-03-15}
        staff:
          - {id: p1, name: Coordinator, item: A, annual_gross_cost: 17200.00, cost_year: 2020, hours: {2021-03: 8}}
        expenses:
          - {date: 2021-03-15, paid: 2021-03-15, item: D, description: Room, supplier: Sala Srl, document: "1", amount: 100.00, payment: bank_transfer}
        """,
    )
    assert codes(project.budget) == ["CB112"]  # dates in order (CB104), nothing else to say
    (r,) = project.reports
    assert codes(r) == ["CB300"]  # the period is in order and inside the project (CB201)
    assert r.figures is not None and r.disallowed == {}
    # 17,200.00 / 1,720 = 10.00 an hour × 8 = 80.00 (March overlaps the day: CB203 quiet)
    assert r.figures.items["A"] == D("80.00") and r.figures.items["D"] == D("100.00")
    assert r.figures.items["E"] == D("45.00") and r.figures.total == D("225.00")  # 25% of 180.00
    assert span(date(2021, 3, 15), date(2021, 3, 15)) == "1 day"


PERSON = "  - {{id: p1, name: Coordinator, item: A, annual_gross_cost: 43000.00, cost_year: 2020, hours: {{{hours}}}}}\n"


def two_halves(first: str, second: str) -> tuple[str, str]:
    """SAL-1 (January–June) and SAL-2 (July–December) of 2021, one person in each."""
    head = (
        "clustbudget: 1\nbudget: ../budget.yaml\nperiod: {{id: {id}, start: {start}, end: {end}}}\nstaff:\n"
    )
    return (
        head.format(id="SAL-1", start="2021-01-01", end="2021-06-30") + PERSON.format(hours=first),
        head.format(id="SAL-2", start="2021-07-01", end="2021-12-31") + PERSON.format(hours=second),
    )


def test_exactly_1720_hours_in_a_year_are_accepted_and_half_an_hour_more_is_not(tmp_path):
    # 43,000.00 / 1,720 = 25.00 an hour; 860 + 860 = 1,720 hours in 2021: exactly the cap
    # (spread over the months, each within its working days × 8: CB307/CB308 stay silent)
    first = "2021-01: 140, 2021-02: 150, 2021-03: 150, 2021-04: 140, 2021-05: 140, 2021-06: 140"
    second = "2021-07: 140, 2021-08: 140, 2021-09: 150, 2021-10: 140, 2021-11: 140, 2021-12: {dec}"
    exact = project_of(tmp_path / "exact", BUDGET_2021, *two_halves(first, second.format(dec=150)))
    assert [codes(r) for r in exact.reports] == [[], ["CB300"]]
    assert [r.figures.items["A"] for r in exact.computed] == [D("21500.00"), D("21500.00")]

    over = project_of(tmp_path / "over", BUDGET_2021, *two_halves(first, second.format(dec=150.5)))
    sal2 = over.reports[1]
    assert "CB302" in codes(sal2)
    # 860.5 h cost 21,512.50; the 860 h accepted cost 21,500.00: 12.50 refused
    assert sal2.disallowed == {("staff", 0): D("12.50")}
    assert sal2.figures is not None and sal2.figures.items["A"] == D("21500.00")


# The same project under PR FESR 2021-2027, one year later (inside its window).
BUDGET_2022 = """\
    clustbudget: 1
    call: {call}
    project:
      title: Boundaries
      programme: PR FESR 2021-2027
      start: 2022-01-01
      end: 2022-12-31
    costs:
      A:
        - {{description: Coordinator, amount: 1000.00}}
      B:
        - {{description: Communication, amount: 333.33}}
      D:
        - {{description: Events, amount: 500.00}}
    """


def test_a_flat_rate_of_exactly_7_percent_needs_no_method_under_2021_2027(tmp_path):
    pack_of(tmp_path, "pr-fesr-2021-2027", ('rate: "0.25"', 'rate: "0.07"'))
    result = budget_of(tmp_path, BUDGET_2022.format(call="pack.yaml"))
    assert "CB120" not in codes(result)
    assert result.figures is not None
    # 7% of 1,833.33 = 128.3331 → 128.33
    assert result.figures.items["E"] == D("128.33") and result.figures.total == D("1961.66")

    pack_of(tmp_path, "pr-fesr-2021-2027", ('rate: "0.25"', 'rate: "0.0701"'))
    assert "CB120" in codes(budget_of(tmp_path, BUDGET_2022.format(call="pack.yaml")))


def test_a_flat_rate_on_staff_costs_only_may_reach_15_percent(tmp_path):
    pack_of(tmp_path, "pr-fesr-2021-2027", ('rate: "0.25", base: [A, B, C, D]', 'rate: "0.15", base: [A, B]'))
    result = budget_of(tmp_path, BUDGET_2022.format(call="pack.yaml"))
    assert "CB120" not in codes(result)
    assert result.figures is not None
    (fr,) = result.figures.flat_rates
    # 15% of A + B only = 15% of 1,333.33 = 199.9995 → 200.00; D is not in the base
    assert (fr.base, fr.base_amount, fr.amount) == (("A", "B"), D("1333.33"), D("200.00"))
    assert result.figures.total == D("2033.33")

    for rate, base in (("0.15", "[A, B, D]"), ("0.1501", "[A, B]")):
        pack_of(
            tmp_path,
            "pr-fesr-2021-2027",
            ('rate: "0.25", base: [A, B, C, D]', f'rate: "{rate}", base: {base}'),
        )
        assert "CB120" in codes(budget_of(tmp_path, BUDGET_2022.format(call="pack.yaml"))), (rate, base)


MIN_SPEND_BUDGET = """\
    clustbudget: 1
    call: pack.yaml
    project: {title: Minimum spend, programme: POR FESR 2014-2020, start: 2021-01-01, end: 2021-12-31}
    costs:
      D: [{description: Events, amount: 1000.00}]
    """

FINAL_REPORT = """\
    clustbudget: 1
    budget: ../budget.yaml
    period: {{id: SAL-1, start: 2021-01-01, end: 2021-12-31}}
    expenses:
      - {{date: 2021-05-01, paid: 2021-05-01, item: D, description: Fair, supplier: Fiere Srl, document: "1", amount: {amount}, payment: bank_transfer}}
    """


def test_exactly_the_minimum_spend_passes_and_a_cent_less_does_not(tmp_path):
    # budget: D 1,000.00 + E 250.00 = 1,250.00; 80% of it is 1,000.00
    pack_of(tmp_path, "clust-er-2020", ("min_spend_share: null", 'min_spend_share: "0.80"'))
    # 800.00 + E 200.00 = 1,000.00: exactly 80%
    exact = project_of(tmp_path, MIN_SPEND_BUDGET, FINAL_REPORT.format(amount="800.00"))
    assert exact.progress[-1][-1].cumulative == D("1000.00")
    assert "CB312" not in codes(exact.reports[0])
    # 799.99 + E 200.00 (199.9975 → 200.00) = 999.99: a cent below
    short = project_of(tmp_path, MIN_SPEND_BUDGET, FINAL_REPORT.format(amount="799.99"))
    assert short.progress[-1][-1].cumulative == D("999.99")
    assert "CB312" in codes(short.reports[0])


def test_a_project_starting_on_the_31st_of_a_month(tmp_path):
    # One month from 31 January ends on the last day of February; from 31 March, on 30 April.
    assert expected_end(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert expected_end(date(2021, 3, 31), 1) == date(2021, 4, 30)
    assert expected_end(date(2021, 1, 31), 2) == date(2021, 3, 30)
    assert expected_end(date(2020, 1, 31), 1) == date(2020, 2, 29)  # a leap year
    assert span(date(2021, 1, 31), date(2021, 2, 28)) == "1 month"
    assert span(date(2021, 1, 31), date(2021, 3, 31)) == "2 months and 1 day"
    budget = """\
        clustbudget: 1
        call: clust-er-2020
        project: {{title: From the 31st, programme: POR FESR 2014-2020, start: 2021-01-31, end: {end}, duration_months: 1}}
        costs:
          D: [{{description: Events, amount: 1000.00}}]
        """
    assert "CB107" not in codes(budget_of(tmp_path, budget.format(end="2021-02-28")))
    late = budget_of(tmp_path, budget.format(end="2021-03-01"))
    (cb107,) = [f for f in late.findings if f.code == "CB107"]
    assert "(1 month and 1 day)" in cb107.message and "expected end 2021-02-28" in cb107.message


def test_a_project_ending_before_the_programme_window_opens(tmp_path):
    # 2014-2020 accepts costs from 2014-01-01: none of the 122 days of 1 March – 30 June 2013
    result = budget_of(
        tmp_path,
        """\
        clustbudget: 1
        call: clust-er-2020
        project: {title: Too early, programme: POR FESR 2014-2020, start: 2013-03-01, end: 2013-06-30}
        costs:
          D: [{description: Events, amount: 1000.00}]
        """,
    )
    (cb105,) = [f for f in result.findings if f.code == "CB105"]
    assert "122 days" in cb105.message and cb105.location.line == 3


def share_report(share: str) -> str:
    return f"""\
        clustbudget: 1
        budget: ../budget.yaml
        period: {{id: SAL-1, start: 2021-01-01, end: 2021-06-30}}
        expenses:
          - date: 2021-03-01
            paid: 2021-03-01
            item: D
            description: Fair
            supplier: Fiere Srl
            document: "1"
            amount: 1000.00
            payment: bank_transfer
            eligible_share: {share}
        """


def test_an_eligible_share_of_exactly_1_is_accepted_and_07_is_refused(tmp_path):
    whole = project_of(tmp_path / "one", BUDGET_2021, share_report("1"))
    (r,) = whole.reports
    assert codes(r) == ["CB300"] and r.costs is not None
    assert r.costs.expenses[0].eligible == D("1000.00")

    octal = project_of(tmp_path / "octal", BUDGET_2021, share_report("07"))
    (r,) = octal.reports
    errors = [f for f in r.findings if f.severity is Severity.ERROR]
    assert [(f.code, f.location.line) for f in errors] == [("CB013", 13)] and r.figures is None
    assert "'07' has a leading zero" in errors[0].message and "such as 0.7" in errors[0].message


def staff_report(year: int) -> str:
    return f"""\
        clustbudget: 1
        budget: ../budget.yaml
        period: {{id: SAL-1, start: {year}-01-01, end: {year}-12-31}}
        staff:
          - {{id: p1, name: Coordinator, item: A, annual_gross_cost: 34400.00, cost_year: 2020, hours: {{{", ".join(f"{year}-{m:02}: 172" for m in range(1, 11))}, {year}-12: 0.5}}}}
        """


def test_the_hours_basis_from_the_2021_2027_pack_and_from_the_code_default(tmp_path):
    # 34,400.00 / 1,720 = 20.00 an hour; 1,720.5 hours: half an hour over the basis, 10.00 refused
    under_cpr = project_of(tmp_path / "cpr", BUDGET_2022.format(call="pr-fesr-2021-2027"), staff_report(2022))
    # a pack that says nothing about staff: the code's default basis, 1,720 hours
    folder = tmp_path / "default"
    pack_of(folder, "clust-er-2020", ("staff:\n  hours_per_year: 1720", "staff:"))
    by_default = project_of(folder, BUDGET_2021.replace("clust-er-2020", "pack.yaml"), staff_report(2021))
    for project in (under_cpr, by_default):
        (r,) = project.reports
        assert r.costs is not None
        (person,) = r.costs.staff
        assert (person.hours_per_year, person.hourly_rate, person.cost) == (
            D("1720"),
            D("20.00"),
            D("34410.00"),
        )
        assert "CB302" in codes(r) and r.disallowed == {("staff", 0): D("10.00")}


def test_lines_typed_under_e_are_left_out_of_the_split_by_action_and_by_year(tmp_path):
    result = budget_of(
        tmp_path,
        """\
        clustbudget: 1
        call: clust-er-2020
        project: {title: E typed in, programme: POR FESR 2014-2020, start: 2021-01-01, end: 2021-12-31}
        actions: [{id: "1", title: Promozione}]
        costs:
          A: [{description: Coordinator, amount: 1000.00, action: "1", by_year: {2021: 1000.00}}]
          E: [{description: Overheads, amount: 500.00, action: "1", by_year: {2021: 500.00}}]
        """,
    )
    assert "CB101" in codes(result) and result.figures is not None
    assert result.figures.by_action == {"1": {"A": D("1000.00")}}
    assert result.figures.by_year == {2021: {"A": D("1000.00")}}
    shown = figures_json(result)
    assert shown["by_action"] == {"1": {"A": "1000.00"}} and shown["by_year"] == {"2021": {"A": "1000.00"}}
    assert shown["flat_rate"]["amount"] == "250.00" and shown["total"] == "1250.00"  # E computed, not typed


def test_an_eligible_share_rounds_half_up_to_the_cent():
    # (amount + eligible VAT) × share, half-up: 100.01 × 0.5 = 50.005 → 50.01 (half-even: 50.00)
    assert expense_eligible(D("100.01"), None, D("0.5"), vat_recoverable=True) == (D("0"), D("50.01"))
    assert expense_eligible(D("0.01"), None, D("0.5"), vat_recoverable=True)[1] == D("0.01")
    assert expense_eligible(D("100.02"), None, D("0.5"), vat_recoverable=True)[1] == D("50.01")
    # VAT not recoverable: (100.00 + 22.00) × 0.333333 = 40.666626 → 40.67
    assert expense_eligible(D("100.00"), D("22.00"), D("0.333333"), vat_recoverable=False) == (
        D("22.00"),
        D("40.67"),
    )
    # the same rounding when a report's costs are computed
    report = CostReport.model_validate(
        {
            "clustbudget": 1,
            "budget": "../budget.yaml",
            "period": {"id": "SAL-1", "start": "2021-01-01", "end": "2021-06-30"},
            "expenses": [
                {
                    "date": "2021-03-01",
                    "item": "D",
                    "description": "Fair",
                    "supplier": "Fiere Srl",
                    "document": "1",
                    "amount": "100.01",
                    "eligible_share": "0.5",
                }
            ],
        }
    )
    (cost,) = report_costs(report, vat_recoverable=True, default_hours=D("1720")).expenses
    assert (cost.share, cost.eligible) == (D("0.5"), D("50.01"))


def test_a_duration_past_the_calendars_end_does_not_crash():
    from clustbudget.rules.budget import add_months

    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(9999, 12, 1), 24) == date.max  # end: 9999-12-01 typed by mistake
    assert add_months(date(1, 1, 1), -1) == date.min
