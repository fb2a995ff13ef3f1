"""compute's figures the workbooks read (and no longer work out themselves), by hand:
the direct subtotal against the budget, each line's not accepted and accepted, a period's
column totals, totals of a split by action or year, the shares of an action named twice.
Pinned here so that a machine without LibreOffice still checks them."""

from __future__ import annotations

from decimal import Decimal

from clustbudget.compute import (
    BudgetFigures,
    Disallowed,
    ExpenseCost,
    ItemProgress,
    LineFigures,
    PeriodFigures,
    ReportCosts,
    StaffCost,
    allocated,
    direct_vs_actual,
    item_progress,
    line_figures,
    split_totals,
)

D = Decimal


def period(direct: str, total: str) -> PeriodFigures:
    return PeriodFigures({}, {}, {}, D(direct), [], D(total))


def test_item_progress_budget_against_each_period():
    row = item_progress("A", D("1000.00"), [D("300.00"), D("450.25")])
    assert row == ItemProgress("A", D("1000.00"), D("450.25"), D("750.25"), D("249.75"), D("0.7503"))
    assert row.earlier == D("300.00")  # accepted before this period
    assert item_progress("B", D("0.00"), [D("0.00")]).used == D("0.0000")  # no budget: no share


def test_direct_vs_actual_is_the_direct_subtotal_to_the_period_asked():
    budget = BudgetFigures({}, D("160000.00"), [], D("200000.00"))
    periods = [period("60000.00", "75000.00"), period("70000.01", "87500.01"), period("1.00", "1.25")]
    row = direct_vs_actual(budget, periods, 1)  # after the second period: the third not counted
    assert (row.key, row.budget, row.period, row.cumulative) == (
        "direct",
        D("160000.00"),
        D("70000.01"),
        D("130000.01"),
    )
    assert row.remaining == D("29999.99") and row.used == D("0.8125") and row.earlier == D("60000.00")


def test_line_figures_read_what_is_disallowed_as_the_pipeline_capped_it():
    costs = ReportCosts(
        staff=[StaffCost(0, "p1", "P", "A", D("65000"), D("1720"), D("37.79"), D("290"), D("10959.10"))],
        expenses=[
            ExpenseCost(0, "D", D("0"), D("1"), D("1220.00")),
            ExpenseCost(1, "D", D("0"), D("1"), D("500.00")),
        ],
    )
    disallowed = Disallowed({("staff", 0): D("3023.20"), ("expense", 0): D("1220.00")})
    lines = line_figures(costs, disallowed)
    assert lines[("staff", 0)] == LineFigures(D("10959.10"), D("3023.20"))
    assert lines[("staff", 0)].accepted == D("7935.90")
    assert lines[("expense", 0)].accepted == D("0.00")
    assert lines[("expense", 1)] == LineFigures(D("500.00"), D("0"))  # nothing refused


def test_split_totals_by_bucket_by_item_and_in_all():
    # Years that do not add up to the lines (CB108, exported with --allow-errors) are summed
    # as they are: the totals are what the sheet's SUM formulas compute.
    by_year = {2021: {"A": D("65000.00"), "D": D("1000.00")}, 2022: {"A": D("65000.01")}}
    totals = split_totals(by_year)
    assert totals.by_bucket == {2021: D("66000.00"), 2022: D("65000.01")}
    assert totals.by_item == {"A": D("130000.01"), "D": D("1000.00")}
    assert totals.total == D("131000.01")


def test_an_action_named_twice_on_a_line_gets_both_of_its_shares():
    # 100.00 over three actions (33.34, 33.33, 33.33): the first and the third to one action.
    assert allocated(D("100.00"), 3, [0, 2]) == D("66.67")
    assert allocated(D("100.00"), 3, [1]) == D("33.33")
