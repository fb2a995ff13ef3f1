"""The variation workbook (`clustbudget variation OLD NEW -o FILE.xlsx`): the Region's form per
cost item × year (approved cost, requested amount, difference, note), with live formulas that
LibreOffice recalculates to compute's figures.

The hand-computed pair is tests/data/variations/: budget.yaml (A 100,000.00, B 20,000.00, D
10,000.00, by year and by action; E 25% = 32,500.00; total 162,500.00) and its pending V1
(12,000.00 moved from A to D in 2022), under a pack tolerating 10% of the item or 5,000.00,
the larger.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from clustbudget.pipeline import compared_budgets
from clustbudget.xlsx import export_variation

from .conftest import EXAMPLE, EXAMPLE_V1
from .libreoffice import assert_recalculated_from_wrong_cache, recalculate, wrong_cached_results

DATA = Path(__file__).parent / "data" / "variations"
OLD, NEW = DATA / "budget.yaml", DATA / "budget.V1.yaml"
D = Decimal


def rows_of(ws) -> dict[str, list]:
    """The rows of a sheet by the text of their first or second cell (the item key, or a total's label)."""
    out: dict[str, list] = {}
    for row in ws.iter_rows(values_only=True):
        for head in row[:2]:
            if isinstance(head, str | int) and head not in out:
                out[str(head)] = list(row)
    return out


def money(value) -> Decimal:
    return D(str(value)).quantize(D("0.01"))


# Hand-computed: per item, approved, requested, difference, % of the item, % of the total
# (of the approved 162,500.00), tolerated (max(10% of the item, 5,000.00)), beyond it.
ITEMS = {
    "A": ("100000.00", "88000.00", "-12000.00", "-0.1200", "-0.0738", "10000.00", "0.00"),
    "B": ("20000.00", "20000.00", "0.00", "0.0000", "0.0000", "5000.00", "0.00"),
    "D": ("10000.00", "22000.00", "12000.00", "1.2000", "0.0738", "5000.00", "7000.00"),
    "E": ("32500.00", "32500.00", "0.00", "0.0000", "0.0000", "5000.00", "0.00"),
}
YEARS = {  # per year: (item, approved, requested, difference)
    "2021": [
        ("A", "50000.00", "50000.00", "0.00"),
        ("B", "10000.00", "10000.00", "0.00"),
        ("D", "4000.00", "4000.00", "0.00"),
    ],
    "2022": [
        ("A", "50000.00", "38000.00", "-12000.00"),
        ("B", "10000.00", "10000.00", "0.00"),
        ("D", "6000.00", "18000.00", "12000.00"),
    ],
}
YEAR_TOTALS = {"2021": ("64000.00", "64000.00"), "2022": ("66000.00", "66000.00")}
ACTION_TOTALS = {"1": ("110000.00", "98000.00"), "2": ("20000.00", "32000.00")}


def check_figures(path: Path) -> None:
    """The hand-computed figures, read from a workbook's values (cached or recalculated)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames == ["Variazione", "Per anno", "Per azione", "Controlli", "Provenienza"]
    main = rows_of(wb["Variazione"])
    for key, figures in ITEMS.items():
        row = main[key]
        approved, new, diff, of_item, of_total, tolerated, beyond = row[2:9]
        assert [money(approved), money(new), money(diff)] == [D(x) for x in figures[:3]], key
        assert D(str(of_item)).quantize(D("0.0001")) == D(figures[3]), key
        assert D(str(of_total)).quantize(D("0.0001")) == D(figures[4]), key
        assert [money(tolerated), money(beyond)] == [D(figures[5]), D(figures[6])], key
    assert [money(v) for v in main["Totale costi diretti"][2:5]] == [
        D("130000.00"),
        D("130000.00"),
        D("0.00"),
    ]
    assert [money(v) for v in main["Totale progetto"][2:5]] == [D("162500.00"), D("162500.00"), D("0.00")]
    # An item that had 0 approved has no share of itself.
    assert main["C"][5] == "—"
    by_year = list(wb["Per anno"].iter_rows(values_only=True))
    for year, lines in YEARS.items():
        start = next(i for i, r in enumerate(by_year) if r[0] == f"Piano dei costi — anno {year}")
        body = by_year[start + 2 : start + 2 + len(lines)]
        assert [(r[0], money(r[2]), money(r[3]), money(r[4])) for r in body] == [
            (k, D(a), D(n), D(d)) for k, a, n, d in lines
        ]
        total = by_year[start + 2 + len(lines)]
        assert total[1] == f"Totale anno {year}"
        assert (money(total[2]), money(total[3])) == tuple(map(D, YEAR_TOTALS[year]))
    overall = {r[0]: r for r in by_year if isinstance(r[0], int)}
    assert {y: (money(r[2]), money(r[3])) for y, r in overall.items()} == {
        int(y): tuple(map(D, t)) for y, t in YEAR_TOTALS.items()
    }
    by_action = list(wb["Per azione"].iter_rows(values_only=True))
    totals = {r[1]: r for r in by_action if isinstance(r[1], str) and r[1].startswith("Totale azione")}
    assert {k: (money(r[2]), money(r[3])) for k, r in totals.items()} == {
        f"Totale azione {a}": tuple(map(D, t)) for a, t in ACTION_TOTALS.items()
    }
    last = [r for r in by_action if r[1] == "Totale costi diretti"][-1]
    assert (money(last[2]), money(last[3])) == (D("130000.00"), D("130000.00"))


def test_the_workbook_caches_the_hand_computed_figures(tmp_path):
    path = export_variation(compared_budgets(OLD, NEW), tmp_path / "v1.xlsx")
    check_figures(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Variazione"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    # The request's state, the platform's labels, the notes per item, the tolerance
    assert "richiesta il 01/03/2022, in attesa di approvazione" in texts
    assert {"Costo ammesso (€)", "Importo richiesto (€)", "Differenza (€)", "Nota"} <= texts
    assert {"Meno ore del coordinatore nel 2022", "Fiere internazionali 2022", "Più fiere nel 2022"} <= texts
    # live formulas: the difference, E on each version's direct costs, the tolerance
    main = rows_of(ws)
    assert main["D"][4] == "=D22-C22" or main["D"][4].startswith("=D")
    assert main["E"][2].startswith("=ROUND(") and "SUM(" in main["E"][2]
    assert main["D"][7].startswith("=MAX(ROUND(")
    # the action's title is whole, on a row tall enough for it
    by_action = wb["Per azione"]
    title = "Azione 2 — Azioni di sistema per il capitale umano, le competenze e la formazione"
    assert any(c.value == title for row in by_action.iter_rows() for c in row)
    # in the year sheets a note stands beside the item where it moves that year only
    by_year = list(wb["Per anno"].iter_rows(values_only=True))
    y2021 = next(i for i, r in enumerate(by_year) if r[0] == "Piano dei costi — anno 2021")
    assert by_year[y2021 + 2][5] is None


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_variation_workbook_to_our_figures(tmp_path):
    result = compared_budgets(OLD, NEW)
    honest = export_variation(result, tmp_path / "honest.xlsx")
    with wrong_cached_results():
        wrong = export_variation(result, tmp_path / "wrong.xlsx")
    (copy,) = recalculate([wrong], tmp_path / "recalculated").values()
    assert assert_recalculated_from_wrong_cache(honest, wrong, copy) >= 60
    check_figures(copy)


def test_variation_command_writes_the_workbook_in_italian_and_refuses_to_overwrite(cli, tmp_path):
    target = tmp_path / "V1.xlsx"
    r = cli("variation", EXAMPLE, EXAMPLE_V1, "-o", target)
    assert r.returncode == 0, r.stderr
    assert r.stdout.rstrip().endswith(f"wrote {target}")
    wb = openpyxl.load_workbook(target, data_only=True)
    assert wb.sheetnames == ["Variazione", "Controlli", "Provenienza"]  # the example splits nothing
    main = rows_of(wb["Variazione"])
    assert main["Stato"][1] == "richiesta il 15/06/2021, approvata il 30/07/2021 (Det. 12345/2021)"
    assert (money(main["A"][2]), money(main["A"][3]), money(main["A"][4])) == (
        D("130000.00"),
        D("115000.00"),
        D("-15000.00"),
    )
    assert main["D"][5] == "—" and main["A"][-1] == "Savings on the coordinator's hours"
    # unknown tolerance: no tolerance columns, and the sheet says it is not checked
    assert main["Tolleranza senza approvazione"][1].endswith("non controllato.")
    again = cli("variation", EXAMPLE, EXAMPLE_V1, "-o", target)
    assert again.returncode == 2 and "--force" not in again.stdout and "Traceback" not in again.stderr
    assert cli("variation", EXAMPLE, EXAMPLE_V1, "-o", target, "--force", "--lang", "en").returncode == 0
    assert openpyxl.load_workbook(target).sheetnames == ["Variation", "Checks", "Provenance"]
    # with -f json, stdout stays one JSON document
    j = cli("variation", EXAMPLE, EXAMPLE_V1, "-f", "json", "-o", tmp_path / "j.xlsx")
    import json

    assert json.loads(j.stdout)["variation"]["id"] == "V1" and "j.xlsx" in j.stderr


def test_the_budget_statement_wraps_an_action_title_in_per_azione(tmp_path):
    """Issue 9: the action title was cut at its column's edge in "Per azione"."""
    from clustbudget.pipeline import check_budget
    from clustbudget.xlsx import export_budget

    ws = openpyxl.load_workbook(export_budget(check_budget(OLD), tmp_path / "b.xlsx"))["Per azione"]
    title = "Azioni di sistema per il capitale umano, le competenze e la formazione"
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == title]
    assert cell.alignment.wrap_text
    width = ws.column_dimensions[cell.column_letter].width
    assert width < len(title)  # it does not fit on one line...
    assert ws.row_dimensions[cell.row].height >= 30  # ...and its row holds two
