"""Workbooks read compute's figures; they never recompute them.

Each test hands the workbook builder figures that compute did not and could not produce
(distinct sentinel amounts in place of compute's results) and reads the cells' cached values
back: a builder that recomputed a figure itself — a flat rate, a subtotal, a cumulative, a
line's accepted amount — would cache its own figure, not the sentinel, and fail here.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from clustbudget.compute import ItemProgress, LineFigures, ReportTotals
from clustbudget.pipeline import check_budget, load_project
from clustbudget.xlsx import export_budget, export_report, rendiconto
from clustbudget.xlsx.labels import labels, report_labels

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "budgets" / "clust-er-health-2020-2022.yaml"
THREE = Path(__file__).parent / "data" / "export_report" / "project.yaml"
D = Decimal
IT, RT = labels("it"), report_labels("it")


def find_row(ws, column: int, value: object) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{ws.title}: no row with {value!r} in column {column}")


def columns(ws, row: int) -> dict[str, str]:
    """Column letter of each header text of ``row``."""
    return {c.value: c.column_letter for c in ws[row] if c.value is not None}


def cached(path: Path):
    """The workbook as a reader that does not calculate sees it: every formula's cached value."""
    return openpyxl.load_workbook(path, data_only=True)


def value(ws, ref: str) -> Decimal:
    v = ws[ref].value
    assert isinstance(v, int | float), f"{ws.title}!{ref}: {v!r}"
    return Decimal(repr(v))


def test_the_budget_statement_caches_the_figures_compute_gives(tmp_path):
    result = check_budget(EXAMPLE)
    fig = result.figures
    # Figures no computation over the budget's lines gives: the workbook can only have read them.
    items = {key: D(f"{1000 + i}.{11 * (i + 1) % 100:02d}") for i, key in enumerate(fig.items)}
    flat = [dataclasses.replace(fr, amount=items[fr.key], base_amount=D("8888.88")) for fr in fig.flat_rates]
    result.figures = dataclasses.replace(
        fig, items=items, flat_rates=flat, direct=D("55555.55"), total=D("66666.66")
    )
    path = export_budget(result, tmp_path / "budget.xlsx")
    ws = cached(path)[IT.summary]
    for key, amount in items.items():
        assert value(ws, f"C{find_row(ws, 1, key)}") == amount, key
    e = find_row(ws, 1, "E")
    assert value(ws, f"F{e}") == D("8888.88")  # the flat rate's base
    assert value(ws, f"C{find_row(ws, 2, IT.direct_total)}") == D("55555.55")
    total = find_row(ws, 2, IT.total)
    assert value(ws, f"C{total}") == D("66666.66")
    assert value(ws, f"D{total}") == 1  # a share of compute's total, by compute's share()
    # The Details subtotals are compute's per-item figures too (the Summary references them).
    details = cached(path)[IT.details]
    subtotal = find_row(details, 2, IT.item_total.format(key="A"))
    assert value(details, f"D{subtotal}") == items["A"]


@pytest.fixture
def three(monkeypatch):
    """The three-period project, with sentinel figures in place of compute's for period 2."""
    project = load_project(THREE)
    index = 1
    rows = project.progress[index]
    sentinel: dict[str, ItemProgress] = {}
    for i, row in enumerate(rows):
        sentinel[row.key] = ItemProgress(
            row.key,
            budget=D(f"{10000 + i}.01"),
            period=D(f"{2000 + i}.02"),
            cumulative=D(f"{5000 + i}.03"),
            remaining=D(f"{4000 + i}.04"),
            used=D(f"0.{1234 + i}"),
        )
    project.progress[index] = list(sentinel.values())
    project.contributions[index] = D("4321.09")
    report = project.computed[index]
    report.figures = dataclasses.replace(
        report.figures,
        flat_rates=[dataclasses.replace(fr, base_amount=D("7070.70")) for fr in report.figures.flat_rates],
    )
    direct = ItemProgress("direct", D("9999.01"), D("999.02"), D("1999.03"), D("8000.04"), D("0.4321"))
    monkeypatch.setattr(rendiconto, "direct_vs_actual", lambda *_: direct)
    real_lines = rendiconto.line_figures
    monkeypatch.setattr(
        rendiconto,
        "line_figures",
        lambda costs, disallowed: {
            ref: LineFigures(line.claimed, D("1.23")) for ref, line in real_lines(costs, disallowed).items()
        },
    )
    totals = ReportTotals(
        hours_by_month={},
        hours=D("321.5"),
        staff=LineFigures(D("30303.03"), D("303.03")),
        amount=D("40404.04"),
        vat=D("404.04"),
        vat_eligible=D("44.04"),
        expenses=LineFigures(D("50505.05"), D("505.05")),
    )
    monkeypatch.setattr(rendiconto, "report_totals", lambda *_: totals)
    return project, index, sentinel, direct, totals


def test_the_rendiconto_caches_the_figures_compute_gives(three, tmp_path):
    project, index, sentinel, direct, totals = three
    path = export_report(project, tmp_path / "p2.xlsx", period=index)
    wb = cached(path)
    ws = wb[IT.summary]
    head = find_row(ws, 1, IT.item)
    col = columns(ws, head)
    this = RT.this_period_col.format(period="P2")
    figures = {
        RT.budget_col: "budget",
        RT.previous_col: "earlier",
        this: "period",
        RT.cumulative_col: "cumulative",
        RT.remaining_col: "remaining",
        RT.used_col: "used",
    }
    rows = {key: find_row(ws, 1, key) for key in sentinel if key != "total"}
    rows["total"] = find_row(ws, 2, IT.total)
    for key, r in rows.items():
        for header, attribute in figures.items():
            if attribute == "period" and key not in ("E", "F", "total"):
                continue  # a direct item's period figure is a SUMIF over the lines (below)
            want = getattr(sentinel[key], attribute)
            assert value(ws, f"{col[header]}{r}") == want, (key, header)
    r = find_row(ws, 2, IT.direct_total)
    for header, attribute in figures.items():
        assert value(ws, f"{col[header]}{r}") == getattr(direct, attribute), ("direct", header)
    assert value(ws, f"{col[RT.period_base_col]}{rows['E']}") == D("7070.70")
    assert value(ws, f"C{find_row(ws, 1, RT.contribution_due)}") == D("4321.09")

    staff = wb[RT.staff]
    scol = columns(staff, 2)
    first, total = 3, find_row(staff, 2, RT.sheet_total)
    for r in range(first, total):
        claimed = value(staff, f"{scol[RT.cost]}{r}")
        assert value(staff, f"{scol[RT.not_accepted]}{r}") == D("1.23")
        assert value(staff, f"{scol[RT.accepted]}{r}") == claimed - D("1.23")
    assert value(staff, f"{scol[RT.hours_total]}{total}") == D("321.5")
    assert value(staff, f"{scol[RT.cost]}{total}") == D("30303.03")
    assert value(staff, f"{scol[RT.not_accepted]}{total}") == D("303.03")
    assert value(staff, f"{scol[RT.accepted]}{total}") == D("30000.00")

    expenses = wb[RT.expenses]
    head = find_row(expenses, 1, RT.number)
    ecol = columns(expenses, head)
    total = find_row(expenses, 2, RT.visible_total)
    for header, want in (
        (RT.amount, totals.amount),
        (RT.vat, totals.vat),
        (RT.vat_eligible, totals.vat_eligible),
        (RT.eligible, totals.expenses.claimed),
        (RT.not_accepted, totals.expenses.not_accepted),
        (RT.accepted, totals.expenses.accepted),
    ):
        assert value(expenses, f"{ecol[header]}{total}") == want, header
