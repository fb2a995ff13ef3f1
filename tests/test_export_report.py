"""`clustbudget export BUDGET REPORT...`: the rendiconto workbook (clustbudget.xlsx.export_report).

- structure: the workbook reopened by openpyxl (sheets, formulas, styles, autofilter,
  protection, print set-up) and read as raw SpreadsheetML where the detail matters;
- figures: every workbook read as written (openpyxl's ``data_only``: the cached results), and
  recalculated by LibreOffice headless in one run from wrong cached results
  (tests/libreoffice.py), every figure equal to clustbudget's Decimal figure to the cent: the
  Summary against ``project.progress`` and the period's figures, each person's rate and
  cost, each expense's eligible amount, the contribution;
- behaviour: the CLI (exit codes, --period, default name), atomic write, speed.

Projects: the example (SAL-1 and SAL-2), the hand-computed one of tests/test_reports.py
(disallowed costs, part time, eligible VAT and shares, E rounding half-up at 9,087.075), and
tests/data/export_report (two flat rates, a contribution with a cap, three periods, text
that looks like formulas).
"""

from __future__ import annotations

import errno
import os
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from clustbudget import __version__
from clustbudget.money import ZERO
from clustbudget.pipeline import ProjectResult, load_project
from clustbudget.xlsx import export_report
from clustbudget.xlsx.labels import labels, report_labels
from clustbudget.xlsx.package import Package

from .libreoffice import (
    assert_recalculated_from_wrong_cache,
    cached_results,
    cents,
    number,
    recalculate,
    wrong_cached_results,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "budgets" / "clust-er-health-2020-2022.yaml"
HAND = Path(__file__).parent / "data" / "reports" / "budget.yaml"
DATA = Path(__file__).parent / "data" / "export_report"
THREE = DATA / "project.yaml"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
EURO = '#,##0.00 "€"'
INPUT_FILL, COMPUTED_FILL = "FFF2CC", "EDEDED"
D = Decimal


def rilievo(code: str, lang: str = "it") -> str:
    """A findings cell of Personale/Spese: the code and its rule's summary in ``lang``."""
    from clustbudget.i18n import gettext
    from clustbudget.rules import all_rules

    summary = all_rules()[code].summary
    assert lang == "en" or gettext(summary, lang) != summary, f"{code}'s summary is not translated"
    return f"{code}: {gettext(summary, lang)}"


def export(project: ProjectResult, target: Path, period: int = -1, lang: str = "it", **kw) -> Path:
    assert export_report(project, target, period=period, lang=lang, **kw) == target
    return target


@pytest.fixture(scope="module")
def example() -> ProjectResult:
    return load_project(EXAMPLE)


@pytest.fixture(scope="module")
def hand() -> ProjectResult:
    return load_project(HAND)


@pytest.fixture(scope="module")
def three() -> ProjectResult:
    return load_project(THREE)


@pytest.fixture(scope="module")
def example_sal2(example, tmp_path_factory) -> Path:
    return export(example, tmp_path_factory.mktemp("example") / "example-sal2.xlsx")


@pytest.fixture(scope="module")
def hand_sal2(hand, tmp_path_factory) -> Path:
    return export(hand, tmp_path_factory.mktemp("hand") / "hand-sal2.xlsx")


@pytest.fixture(scope="module")
def three_p2(three, tmp_path_factory) -> Path:
    return export(three, tmp_path_factory.mktemp("three") / "three-p2.xlsx", period=1)


def find_row(ws, column: int, value: object) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{ws.title}: no row with {value!r} in column {column}")


def header(ws, row: int) -> dict[str, int]:
    """Column number of each header text of ``row``."""
    return {c.value: c.column for c in ws[row] if c.value is not None}


def sheet_xml(path: Path, index: int) -> ElementTree.Element:
    with zipfile.ZipFile(path) as package:
        return ElementTree.fromstring(package.read(f"xl/worksheets/sheet{index}.xml"))


# ============================================================================ structure


def test_sheets_in_italian_and_english(example, example_sal2, tmp_path):
    assert openpyxl.load_workbook(example_sal2).sheetnames == [
        "Riepilogo",
        "Personale",
        "Spese",
        "Previsione",
        "Controlli",
        "Provenienza",
    ]
    en = export(example, tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(en)
    assert wb.sheetnames == ["Summary", "Staff", "Expenses", "Forecast", "Checks", "Provenance"]
    summary = wb["Summary"]
    assert summary["A1"].value == (
        "Cost statement SAL-2 — Clust-ER Industrie della Salute e del Benessere 2020-2022"
    )
    assert summary[f"B{find_row(summary, 1, 'E')}"].value == "General expenses (flat rate)"


def test_summary_columns_and_formulas(example, example_sal2):
    ws = openpyxl.load_workbook(example_sal2)["Riepilogo"]
    h = find_row(ws, 1, "Voce")
    cols = header(ws, h)
    assert list(cols) == [
        "Voce",
        "Descrizione",
        "Budget (€)",
        "SAL-1: ammesso (€)",
        "Periodi precedenti (€)",
        "SAL-2: ammesso (€)",
        "Cumulato (€)",
        "Residuo (€)",
        "% utilizzato",
        "Aliquota",
        "Base del periodo (€)",
    ]
    a, e = find_row(ws, 1, "A"), find_row(ws, 1, "E")
    # A direct item: the budget and the earlier period are inputs, the period sums the
    # accepted columns of Staff and Expenses by item.
    # the budget in force at SAL-2's end: variation V1 (A 130,000.00 → 115,000.00)
    assert ws[f"C{a}"].value == 115000 and ws[f"C{a}"].protection.locked is False
    sal1 = example.computed[0].figures.items["A"]
    assert D(str(ws[f"D{a}"].value)) == sal1 and ws[f"D{a}"].fill.fgColor.rgb.endswith(INPUT_FILL)
    assert ws[f"E{a}"].value == f"=SUM(D{a}:D{a})"
    assert ws[f"F{a}"].value == (
        f"=ROUND(SUMIF('Personale'!$C$3:$C$4,$A{a},'Personale'!$K$3:$K$4)"
        f"+SUMIF('Spese'!$C$5:$C$9,$A{a},'Spese'!$M$5:$M$9),2)"
    )
    assert ws[f"G{a}"].value == f"=F{a}+E{a}"
    assert ws[f"H{a}"].value == f"=C{a}-G{a}"
    # rounded as compute rounds a share, so the cached value is what the formula computes
    assert ws[f"I{a}"].value == f'=IF(C{a}=0,IF(G{a}>0,"oltre il budget",0),ROUND(G{a}/C{a},4))'
    assert ws[f"I{a}"].number_format == "0.00%"
    # E: ROUND(rate × base, 2) on this period's accepted direct costs, the rate an input.
    assert ws[f"F{e}"].value == f"=ROUND(J{e}*K{e},2)"
    assert ws[f"J{e}"].value == 0.25 and ws[f"J{e}"].protection.locked is False
    rows = ",".join(f"F{find_row(ws, 1, k)}" for k in "ABCD")
    assert ws[f"K{e}"].value == f"=ROUND(SUM({rows}),2)"
    assert ws[f"C{e}"].value == f"=ROUND(J{e}*ROUND(SUM({rows.replace('F', 'C')}),2),2)"
    for col in "EFGH":
        cell = ws[f"{col}{a}"]
        assert cell.protection.locked is True and cell.fill.fgColor.rgb.endswith(COMPUTED_FILL)
        assert cell.number_format == EURO
    total = find_row(ws, 2, "Totale progetto")
    direct = find_row(ws, 2, "Totale costi diretti")
    d = find_row(ws, 1, "D")
    # As `clustbudget show` prints them: A–D, the direct costs, E, the total.
    assert (direct, e, total) == (d + 1, d + 2, d + 3)
    assert ws[f"F{direct}"].value == f"=SUM(F{a}:F{d})"
    assert ws[f"F{total}"].value == f"=F{direct}+F{e}"
    assert ws[f"F{total}"].font.b is True
    for col in "ABCDEFGHI":  # the rows are top-aligned beside the wrapped descriptions
        assert ws[f"{col}{find_row(ws, 1, 'B')}"].alignment.vertical == "top", col


def test_summary_says_when_the_contribution_cannot_be_computed(example_sal2):
    ws = openpyxl.load_workbook(example_sal2)["Riepilogo"]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "Contributo dovuto: non calcolato (aliquota di contributo non nota per questo bando)" in texts
    assert any(t.startswith("Periodi precedenti: importi ammessi di SAL-1 (") for t in texts)


def test_contribution_is_min_of_rate_times_cumulative_and_the_cap(three_p2):
    wb = openpyxl.load_workbook(three_p2)
    ws = wb["Riepilogo"]
    rate = find_row(ws, 1, "Aliquota del contributo")
    cap = find_row(ws, 1, "Massimale del contributo")
    due = find_row(ws, 1, "Contributo dovuto (sul cumulato ammesso)")
    total = find_row(ws, 2, "Totale progetto")
    assert ws[f"C{rate}"].value == 0.5 and ws[f"C{rate}"].protection.locked is False
    assert ws[f"C{cap}"].value == 20000 and ws[f"C{cap}"].number_format == EURO
    cum = header(ws, find_row(ws, 1, "Voce"))["Cumulato (€)"]
    col = openpyxl.utils.get_column_letter(cum)
    assert ws[f"C{due}"].value == f"=MIN(ROUND(C{rate}*{col}{total},2),C{cap})"
    assert wb.defined_names["ContributionDue"].attr_text == f"'Riepilogo'!$C${due}"


def test_staff_sheet_rate_hours_cost_and_not_accepted(hand_sal2):
    ws = openpyxl.load_workbook(hand_sal2)["Personale"]
    cols = header(ws, 2)
    assert list(cols) == [
        "ID",
        "Nome",
        "Voce",
        "Costo annuo lordo (€)",
        "Anno del costo",
        "Ore annue (base)",
        "Costo orario (€)",
        "Ore totali",
        "Costo (€)",
        "Non ammesso (€)",
        "Ammesso (€)",
        "Rilievi",
        # the hours by month last: they print on the next page, ID and name repeated
        "lug 2021",
        "ago 2021",
        "set 2021",
        "ott 2021",
        "nov 2021",
        "dic 2021",
        # then each finding explained in words
        "Descrizione dei rilievi",
    ]
    assert [c.value for c in ws[3]][:7] == [
        "p1",
        "Full-time coordinator",
        "A",
        65000,
        2020,
        1720,
        ("=IF(F3=0,0,ROUND(D3/F3,2))"),
    ]
    assert ws["H3"].value == "=ROUND(SUM(M3:R3),2)"
    assert ws["I3"].value == "=ROUND(G3*H3,2)"
    # What the hours cap disallowed (80 h × 37.79) is an input; accepted is a formula.
    assert ws["J3"].value == 3023.2 and ws["J3"].protection.locked is False
    assert ws["J3"].fill.fgColor.rgb.endswith(INPUT_FILL)
    assert ws["K3"].value == "=I3-J3"
    assert ws["L3"].value == "CB302"  # the finding on this person
    assert ws["L4"].value == "CB303"
    # ...explained after the months: the code and the rule's short message, in Italian, wrapped
    assert ws["R2"].value == "dic 2021" and ws["S2"].value == "Descrizione dei rilievi"
    assert (ws["S3"].value, ws["S4"].value) == (rilievo("CB302"), rilievo("CB303"))
    assert "ore" in ws["S3"].value and ws["S3"].alignment.wrap_text
    for ref in ("D3", "F3", "M3", "O4"):
        assert ws[ref].protection.locked is False and ws[ref].fill.fgColor.rgb.endswith(INPUT_FILL), ref
    assert ws["O4"].value == 10 and ws["M4"].value is None  # months without hours stay empty inputs
    # The totals at the bottom, the months' too.
    assert ws["B5"].value == "Totale" and ws["I5"].value == "=SUM(I3:I4)" and ws["M5"].value == "=SUM(M3:M4)"
    assert ws["B3"].alignment.wrap_text is True  # a long name wraps in its column
    assert ws.freeze_panes == "C3"


def test_staff_months_cover_the_period_and_any_month_with_hours(three, tmp_path):
    ws = openpyxl.load_workbook(export(three, tmp_path / "p2.xlsx", period=1, lang="en"))["Staff"]
    months = [v for v in [c.value for c in ws[2]] if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", str(v))]
    # May–December 2021, and January 2022, where the report records hours outside the period.
    assert months == [f"{m} 2021" for m in ["May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]] + [
        "Jan 2022"
    ]


def test_expenses_sheet_is_a_filterable_list_with_live_formulas(hand_sal2):
    ws = openpyxl.load_workbook(hand_sal2)["Spese"]
    assert ws.auto_filter.ref == "A4:U7"
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$4:$4"
    assert list(header(ws, 4)) == [
        # the claim: one page across
        "N.",
        "Data",
        "Voce",
        "Fornitore",
        "Descrizione",
        "Documento",
        "Imponibile (€)",
        "IVA (€)",
        "IVA ammissibile (€)",
        "Quota ammissibile",
        "Ammissibile (€)",
        "Non ammesso (€)",
        "Ammesso (€)",
        "Rilievi",
        # the next page: action, supplier's VAT number, payment, note
        "Azione",
        "Partita IVA",
        "Pagato il",
        "Modalità di pagamento",
        "Riferimento del pagamento",
        "Nota",
        "Descrizione dei rilievi",
    ]
    # The project's VAT status: an input every row refers to (VAT not recoverable here).
    assert ws["A2"].value == 0 and ws["A2"].protection.locked is False
    assert ws["A2"].number_format == '"sì";"sì";"no"'
    assert ws["I5"].value == "=IF($A$2,0,H5)"
    assert ws["K5"].value == "=ROUND((G5+I5)*J5,2)"
    assert ws["M5"].value == "=K5-L5"
    assert ws["J5"].value == 1 and ws["J5"].number_format == "0.00%"
    assert ws["L5"].value == 1220  # claimed again: CB304
    assert (ws["N5"].value, ws["N6"].value, ws["N7"].value) == ("CB304", "CB209", None)
    assert ws["U4"].value == "Descrizione dei rilievi"
    assert (ws["U5"].value, ws["U6"].value, ws["U7"].value) == (rilievo("CB304"), rilievo("CB209"), None)
    assert ws["B2"].value.startswith("IVA recuperabile") and "1 = sì" in ws["B2"].value
    assert ws["R5"].value == "bonifico"
    # The totals at the bottom, below the filtered range and a blank row.
    assert ws["B9"].value.startswith("Totale delle righe visibili") and ws["A8"].value is None
    assert ws["G9"].value == "=SUBTOTAL(109,G5:G7)" and ws["M9"].value == "=SUBTOTAL(109,M5:M7)"
    for col in "DEFS":  # supplier, description, document, payment reference wrap
        assert ws[f"{col}5"].alignment.wrap_text is True, col
    assert ws["B5"].number_format == "dd/mm/yyyy" and ws["B5"].value.date().isoformat() == "2021-02-01"
    # Filtering must work on the protected sheet.
    assert ws.protection.sheet is True and ws.protection.autoFilter is False
    with zipfile.ZipFile(hand_sal2) as package:
        workbook = package.read("xl/workbook.xml").decode()
    assert "_xlnm._FilterDatabase" in workbook


def test_every_sheet_protected_frozen_and_set_up_for_a4(example_sal2, example):
    wb = openpyxl.load_workbook(example_sal2)
    for ws in wb:
        assert ws.protection.sheet is True and not ws.protection.password, ws.title
        assert ws.freeze_panes, ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title
        if ws.title in ("Personale", "Spese", "Riepilogo"):
            # The wide lists and the Summary print at 75% (11-point text at 8.25 points), split
            # over pages across at a column break, the first columns and the header on every
            # page (the Summary: budget to cumulative — column G with one earlier period —,
            # then the rest).
            assert ws.page_setup.scale == 75, ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage is False, ws.title
            assert ws.page_setup.pageOrder == "overThenDown", ws.title
            brk = {"Personale": 12, "Spese": 14, "Riepilogo": 7}[ws.title]
            assert [b.id for b in ws.col_breaks.brk] == [brk], ws.title
            assert ws.print_title_cols == ("$A:$A" if ws.title == "Spese" else "$A:$B"), ws.title
        else:
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert ws.oddHeader.center.text == f"{example.budget.budget.project.title} — SAL-2", ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws["A2"].font.b or ws["A1"].font.b, ws.title
    assert wb["Spese"].column_dimensions["E"].width >= 17  # descriptions wrap in it
    assert wb["Riepilogo"].column_dimensions["C"].width >= len("130.000,00 €")


def test_every_formula_caches_its_result_and_amounts_are_exact(example, example_sal2):
    formulas = sum(
        c.find("m:f", NS) is not None
        for index in range(1, 7)
        for c in sheet_xml(example_sal2, index).iterfind(".//m:c", NS)
    )
    cached = cached_results(example_sal2)  # fails on a formula without a cached result
    assert len(cached) == formulas >= 60
    values = {c.findtext("m:v", namespaces=NS) for c in sheet_xml(example_sal2, 3).iterfind(".//m:c", NS)}
    assert "4200.00" in values and "0.5" in values
    # compute's figures, digit for digit.
    summary = openpyxl.load_workbook(example_sal2)["Riepilogo"]
    total, e = find_row(summary, 2, "Totale progetto"), find_row(summary, 1, "E")
    raw = {ref: str(value) for (sheet, ref), (_, value) in cached.items() if sheet == "Riepilogo"}
    assert raw[f"F{total}"] == "97043.06" == str(example.computed[1].figures.total)
    assert raw[f"G{total}"] == "186225.62" and raw[f"H{total}"] == "13774.38"
    assert raw[f"I{total}"] == "0.9311" and raw[f"F{e}"] == "19408.61"
    with zipfile.ZipFile(example_sal2) as package:
        calc = ElementTree.fromstring(package.read("xl/workbook.xml")).find("m:calcPr", NS)
    assert calc.get("fullCalcOnLoad") == "1"  # spreadsheets still compute every formula


def test_the_vat_finding_is_shown_on_every_line_whose_vat_it_leaves_out(example, example_sal2):
    # CB212 is one finding per report (at its first invoice with VAT); the Expenses sheet
    # shows it on each line whose VAT is not counted.
    ws = openpyxl.load_workbook(example_sal2, data_only=True)["Spese"]
    findings = [f for f in example.computed[1].findings if f.code == "CB212"]
    assert len(findings) == 1  # at the first of the two invoices with VAT
    # VAT, eligible VAT (0: the project's VAT is recoverable), findings.
    rows = [(ws[f"H{r}"].value, ws[f"I{r}"].value, ws[f"N{r}"].value) for r in range(5, 8)]
    assert rows == [(None, 0, None), (660, 0, "CB212"), (264, 0, "CB212")]
    assert ws["U6"].value == rilievo("CB212") == ws["U7"].value


def test_openpyxl_data_only_reads_every_figure_without_a_spreadsheet(tmp_path):
    # What pandas, mail previews and Excel's Protected View show: the cached results.
    projects = {path: load_project(path) for path in {c[0] for c in CASES.values()}}
    for name, (path, index, lang) in CASES.items():
        project = projects[path]
        target = export(project, tmp_path / f"{name}.xlsx", index, lang)
        assert_rendiconto_matches(Case(project, index % len(project.computed), lang, target))


def test_document_properties(example_sal2, example):
    wb = openpyxl.load_workbook(example_sal2)
    props = wb.properties
    assert props.title == example.budget.budget.project.title
    assert props.subject.startswith("Rendiconto SAL-2 — ") and "clust-er-2020" in props.subject
    assert props.creator == f"clustbudget {__version__}"
    for r in [example.budget, *example.reports]:
        assert r.loaded.doc.sha256 in props.description


def relative(display: str, budget: Path = HAND) -> str:
    """A display path relative to the budget's folder, as the workbook shows it."""
    return Path(os.path.relpath(os.path.abspath(display), budget.parent)).as_posix()


def test_checks_list_the_findings_of_the_budget_and_every_report(hand, hand_sal2):
    ws = openpyxl.load_workbook(hand_sal2)["Controlli"]
    listed = [(row[0], row[4], row[5]) for row in ws.iter_rows(min_row=3, values_only=True) if row[0]]
    expected = hand.budget.findings + [f for r in hand.reports for f in r.findings]

    def place(loc):
        return f"{relative(loc.path)}:{loc.line}:{loc.col}" if loc else None

    assert listed == [(f.code, place(f.location), place(f.related)) for f in expected]
    assert {"CB210", "CB208", "CB302", "CB304", "CB209"} <= {code for code, _, _ in listed}
    # Files relative to the budget's folder: the budget by its name, the reports below it.
    assert {p.split(":")[0] for _, p, _ in listed} == {
        "budget.yaml",
        "budget/sal-1.yaml",
        "budget/sal-2.yaml",
    }
    assert ("CB304", "budget/sal-2.yaml:24:15", "budget/sal-1.yaml:23:15") in listed


def test_provenance_names_every_file_with_its_hash(hand, hand_sal2):
    ws = openpyxl.load_workbook(hand_sal2)["Provenienza"]
    facts = {row[0]: row[1:] for row in ws.iter_rows(min_row=3, values_only=True) if row[0]}
    assert facts["File del budget"] == ("budget.yaml", hand.budget.loaded.doc.sha256)
    for r in hand.reports:
        name = f"budget/{r.loaded.path.name}"  # relative to the budget's folder
        assert facts[f"Rendiconto {r.report.period.id}"] == (name, r.loaded.doc.sha256)
        assert re.fullmatch(r"[0-9a-f]{64}", r.loaded.doc.sha256)
    assert facts["Periodo del rendiconto"][0] == "SAL-2 (01/07/2021 – 31/12/2021)"
    assert facts["Versione di clustbudget"][0] == __version__
    assert facts["Pacchetto di bando"][0] == "clust-er-2020"
    assert facts["Versione del pacchetto di bando"][0] == 1
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", facts["Generato il"][0])  # local date and time


def test_errors_put_a_red_banner_on_the_summary(hand_sal2, example_sal2):
    ws = openpyxl.load_workbook(hand_sal2)["Riepilogo"]
    assert ws["A1"].value.startswith("ATTENZIONE: budget e rendiconti contengono 5 errori")
    assert ws["A1"].font.b is True and ws["A1"].font.color.rgb.endswith("C00000")
    assert ws["A2"].value == "Rendiconto SAL-2 — Report tests"
    assert ws["A3"].value.startswith("CB210 ")
    clean = openpyxl.load_workbook(example_sal2)["Riepilogo"]
    assert clean["A1"].value.startswith("Rendiconto SAL-2 — ")


INJECTED = ["=cmd|' /C calc'!A0", "-Fornitore & figli <srl>", "+IT 00000000000", "=1+1", "@CRO 1"]


def test_report_text_that_looks_like_a_formula_stays_text(three_p2):
    wb = openpyxl.load_workbook(three_p2)
    expenses = wb["Spese"]
    row = [c for c in expenses[5]]
    texts = {c.value: c for c in row if isinstance(c.value, str)}
    for text in INJECTED:
        assert texts[text].data_type == "s", text
        assert texts[text].quotePrefix is True, text
    staff = openpyxl.load_workbook(export_report_p1(three_p2))["Personale"]
    assert staff["A4"].value == "=1+1" and staff["A4"].data_type == "s"
    assert staff["B4"].value == "@SUM(A1:A9)" and staff["B4"].data_type == "s"
    summary = wb["Riepilogo"]
    assert summary["A1"].value.startswith("ATTENZIONE")
    assert summary["A2"].value.startswith("Rendiconto P2 — =HYPERLINK(")
    raw = ElementTree.tostring(sheet_xml(three_p2, 3), encoding="unicode")
    assert "_x005F_x0041_ stays as typed" in raw
    header_xml = sheet_xml(three_p2, 1).find("m:headerFooter/m:oddHeader", NS)
    assert (
        header_xml.text == '&C=HYPERLINK("http://example.invalid","x") && <progetto> — P2&RBudget: originale'
    )
    with zipfile.ZipFile(three_p2) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                for f in ElementTree.fromstring(package.read(name)).iterfind(".//m:f", NS):
                    assert not re.search(r"1\+1|cmd|HYPERLINK|CRO|Fornitore", f.text or ""), (name, f.text)


def export_report_p1(p2: Path) -> Path:
    """The first period of the three-period project, beside ``p2``."""
    target = p2.with_name("three-p1-structure.xlsx")
    if not target.exists():
        export(load_project(THREE), target, period=0)
    return target


def test_unknown_language_and_period_are_refused(example, tmp_path):
    with pytest.raises(ValueError, match="unknown language"):
        export_report(example, tmp_path / "x.xlsx", lang="fr")
    with pytest.raises(IndexError, match="out of range"):
        export_report(example, tmp_path / "x.xlsx", period=2)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_workbook_is_not_overwritten_without_force(example, tmp_path):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError) as raised:
        export_report(example, target)
    assert raised.value.errno == errno.EEXIST and target.read_bytes() == b"keep me"
    export_report(example, target, force=True)
    assert openpyxl.load_workbook(target).sheetnames[0] == "Riepilogo"


def test_a_failed_write_leaves_nothing_behind(example, tmp_path, monkeypatch):
    def broken(self, out):
        out.write(b"PK\x03\x04half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Package, "write", broken)
    with pytest.raises(OSError, match="No space left"):
        export_report(example, tmp_path / "r.xlsx")
    assert list(tmp_path.iterdir()) == []


# ============================================================================ CLI


def test_cli_exports_the_latest_period_by_default(cli, tmp_path):
    reports = sorted((ROOT / "budgets" / "clust-er-health-2020-2022").glob("*.yaml"))
    done = cli("export", EXAMPLE, *reports, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote clust-er-health-2020-2022-SAL-2.xlsx\n"
    ws = openpyxl.load_workbook(tmp_path / "clust-er-health-2020-2022-SAL-2.xlsx")["Riepilogo"]
    assert ws["A1"].value.startswith("Rendiconto SAL-2")
    again = cli("export", EXAMPLE, *reports, cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_cli_period_selection_and_unknown_period(cli, tmp_path):
    reports = sorted((ROOT / "budgets" / "clust-er-health-2020-2022").glob("*.yaml"))
    done = cli("export", EXAMPLE, *reports, "--period", "SAL-1", "--lang", "en", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote clust-er-health-2020-2022-SAL-1.xlsx\n"
    wb = openpyxl.load_workbook(tmp_path / "clust-er-health-2020-2022-SAL-1.xlsx")
    assert wb["Summary"]["A1"].value.startswith("Cost statement SAL-1")
    unknown = cli("export", EXAMPLE, *reports, "--period", "SAL-9", "-o", "x.xlsx", cwd=tmp_path)
    assert unknown.returncode == 2 and "SAL-9" in unknown.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_exports_disallowed_costs_and_refuses_them_with_strict(cli, tmp_path):
    # The hand reports' errors are all disallowed costs (cash, dates, hours cap, double
    # claim, unpaid): the rendiconto leaves them out of its figures and lists them.
    reports = sorted((HAND.parent / "budget").glob("*.yaml"))
    refused = cli("export", HAND, *reports, "-o", "out.xlsx", "--strict", cwd=tmp_path)
    assert refused.returncode == 1
    assert "CB304" in refused.stderr and "--allow-errors" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    done = cli("export", HAND, *reports, "-o", "out.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    allowed = cli("export", HAND, *reports, "-o", "out2.xlsx", "--strict", "--allow-errors", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert openpyxl.load_workbook(tmp_path / "out2.xlsx")["Riepilogo"]["A1"].value.startswith("ATTENZIONE")


# ============================================================================ speed


def big_report(expenses: int) -> str:
    lines = [
        "clustbudget: 1",
        "budget: ../big.yaml",
        "period: {id: SAL-1, start: 2021-01-01, end: 2021-12-31}",
        "staff:",
    ]
    for i in range(20):
        lines.append(
            f"  - {{id: p{i}, name: Persona {i}, item: {'AB'[i % 2]}, annual_gross_cost: {30000 + i}.00, "
            f"cost_year: 2020, hours: {{{', '.join(f'2021-{m:02d}: {50 + i}' for m in range(1, 13))}}}}}"
        )
    lines.append("expenses:")
    for i in range(expenses):
        c = 10_000 + 7 * i
        lines.append(
            f"  - {{date: 2021-{i % 12 + 1:02d}-15, item: {'CD'[i % 2]}, description: Servizio {i} di promozione, "
            f"supplier: Fornitore {i % 500} S.r.l., supplier_vat: IT{i % 500:011d}, document: FT {i}, "
            f"amount: {c // 100}.{c % 100:02d}, vat: 22.00, paid: 2021-12-20, payment: bank_transfer}}"
        )
    return "\n".join(lines) + "\n"


def test_a_report_of_20000_expenses_exports_whole(tmp_path):
    """Large reports export completely (speed is measured by bench/bench.py, not by tests)."""
    (tmp_path / "big.yaml").write_text(
        "clustbudget: 1\ncall: clust-er-2020\n"
        "project: {title: Grande, start: 2021-01-01, end: 2022-12-31, duration_months: 24}\n"
        "costs: {A: [{description: a, amount: 900000.00}], D: [{description: d, amount: 9000000.00}]}\n",
        encoding="utf-8",
    )
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "sal-1.yaml").write_text(big_report(20_000), encoding="utf-8")
    project = load_project(tmp_path / "big.yaml")
    assert len(project.computed[0].report.expenses) == 20_000
    export_report(project, tmp_path / "big.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)["Spese"]
    assert ws.max_row >= 20_004


# ============================================================================ LibreOffice: figures to the cent


@dataclass(frozen=True)
class Case:
    project: ProjectResult
    index: int
    lang: str
    copy: Path
    """The workbook whose figures are checked: as written, or recalculated by LibreOffice."""
    original: Path | None = None
    wrong: Path | None = None
    """With LibreOffice: the workbook as written, and written with wrong cached results
    (which ``copy`` is, recalculated)."""


def _named(wb, name: str):
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]


def assert_rendiconto_matches(case: Case) -> None:
    """Every figure LibreOffice computed equals clustbudget's Decimal figure to the cent."""
    project, i = case.project, case.index
    t, rt = labels(case.lang), report_labels(case.lang)
    values = openpyxl.load_workbook(case.copy, data_only=True)
    formulas = openpyxl.load_workbook(case.copy)
    name = case.copy.name
    # 1. LibreOffice computed every formula.
    for ws in formulas:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" and values[ws.title][c.coordinate].value != rt.over_budget:
                    number(
                        values[ws.title][c.coordinate].value, f"{name} {ws.title}!{c.coordinate} {c.value}"
                    )
    result = project.computed[i]
    fig, costs = result.figures, result.costs
    pid = result.report.period.id
    # 2. Summary: every item, the direct costs and the total against project.progress.
    ws = values[t.summary]
    h = find_row(ws, 1, t.item)
    cols = header(ws, h)

    def at(r: int, col: str):
        return ws.cell(r, cols[col]).value

    this, cum = rt.this_period_col.format(period=pid), rt.cumulative_col
    for row in project.progress[i]:
        r = find_row(ws, 2, t.total) if row.key == "total" else find_row(ws, 1, row.key)
        where = f"{name} {row.key}"
        assert cents(at(r, rt.budget_col), where) == row.budget, where
        assert cents(at(r, this), where) == row.period, where
        assert cents(at(r, rt.previous_col), where) == row.cumulative - row.period, where
        assert cents(at(r, cum), where) == row.cumulative, where
        assert cents(at(r, rt.remaining_col), where) == row.remaining, where
        if row.unbudgeted:  # no budget, money spent: over, not "0% used"
            assert at(r, rt.used_col) == rt.over_budget, where
        else:
            assert number(at(r, rt.used_col), where) == row.used, where
        for j, earlier in enumerate(project.computed[:i]):
            col = rt.earlier_col.format(period=earlier.report.period.id)
            assert cents(at(r, col), where) == project.progress[j][project.progress[i].index(row)].period
        if row.key != "total":
            assert cents(at(r, this), where) == fig.items[row.key], where
    direct = find_row(ws, 2, t.direct_total)
    assert cents(at(direct, this)) == fig.direct
    assert cents(at(direct, rt.budget_col)) == project.budget.figures.direct
    assert cents(at(find_row(ws, 2, t.total), this)) == fig.total
    for fr in fig.flat_rates:
        r = find_row(ws, 1, fr.key)
        assert number(at(r, t.rate)) == fr.rate
        assert cents(at(r, rt.period_base_col)) == fr.base_amount
        assert cents(at(r, this)) == fr.amount
    assert cents(_named(values, "Period_Total").value) == fig.total
    assert cents(_named(values, "Cumulative_Total").value) == project.progress[i][-1].cumulative
    due = project.contributions[i]
    if due is None:
        assert "ContributionDue" not in values.defined_names
    else:
        assert cents(_named(values, "ContributionDue").value, f"{name} contribution") == due
    # 3. Staff: rate, hours, cost, accepted, one person a row, and the totals row.
    ws = values[rt.staff]
    cols = header(ws, 2)
    for k, s in enumerate(costs.staff):
        r = 3 + k
        where = f"{name} staff {s.id}"
        cut = min(result.disallowed.get(("staff", s.index), ZERO), s.cost)
        assert cents(ws.cell(r, cols[rt.hourly_rate]).value, where) == s.hourly_rate, where
        assert number(ws.cell(r, cols[rt.hours_total]).value, where) == s.hours, where
        assert cents(ws.cell(r, cols[rt.cost]).value, where) == s.cost, where
        assert cents(ws.cell(r, cols[rt.accepted]).value, where) == s.cost - cut, where
    if costs.staff:
        r = 3 + len(costs.staff)
        assert cents(ws.cell(r, cols[rt.cost]).value) == sum((s.cost for s in costs.staff), ZERO)
    # 4. Expenses: eligible VAT, eligible amount, accepted, and the visible totals.
    ws = values[rt.expenses]
    cols = header(ws, 4)
    accepted_total = ZERO
    for k, e in enumerate(costs.expenses):
        r = 5 + k
        where = f"{name} expense {e.index}"
        cut = min(result.disallowed.get(("expense", e.index), ZERO), e.eligible)
        assert cents(ws.cell(r, cols[rt.vat_eligible]).value, where) == e.vat_eligible, where
        assert cents(ws.cell(r, cols[rt.eligible]).value, where) == e.eligible, where
        assert cents(ws.cell(r, cols[rt.accepted]).value, where) == e.eligible - cut, where
        accepted_total += e.eligible - cut
    if costs.expenses:
        totals = find_row(ws, 2, rt.visible_total)
        assert totals == 5 + len(costs.expenses) + 1  # at the bottom, a blank row between
        assert cents(ws.cell(totals, cols[rt.accepted]).value) == accepted_total


CASES = {
    "example-sal1": (EXAMPLE, 0, "it"),
    "example-sal2": (EXAMPLE, 1, "it"),
    "example-sal2-en": (EXAMPLE, -1, "en"),
    "hand-sal1": (HAND, 0, "it"),
    "hand-sal2": (HAND, 1, "en"),
    "three-p1": (THREE, 0, "en"),
    "three-p2": (THREE, 1, "it"),
    "three-p3": (THREE, 2, "it"),
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, Case]:
    """Every case exported, and exported again with wrong cached results; the latter
    recalculated by LibreOffice in one run."""
    folder = tmp_path_factory.mktemp("rendiconti")
    projects = {path: load_project(path) for path in {c[0] for c in CASES.values()}}
    exported = {}
    for name, (path, index, lang) in CASES.items():
        honest = export(projects[path], folder / f"{name}.xlsx", index, lang)
        with wrong_cached_results():
            wrong = export(projects[path], folder / f"{name}-wrong.xlsx", index, lang)
        exported[name] = (honest, wrong)
    copies = recalculate([wrong for _, wrong in exported.values()], tmp_path_factory.mktemp("recalculated"))
    cases = {}
    for name, (path, index, lang) in CASES.items():
        honest, wrong = exported[name]
        project = projects[path]
        cases[name] = Case(project, index % len(project.computed), lang, copies[wrong], honest, wrong)
    return cases


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(CASES))
def test_libreoffice_recalculates_every_figure_to_the_cent(recalculated, case):
    # LibreOffice was given a wrong cached result in every formula: each figure it shows, it
    # computed; each is compute's figure, and the result the honest workbook caches.
    c = recalculated[case]
    assert_rendiconto_matches(c)
    assert assert_recalculated_from_wrong_cache(c.original, c.wrong, c.copy) >= 40


@pytest.mark.libreoffice
def test_libreoffice_hand_computed_figures(recalculated):
    # tests/test_reports.py's figures, worked out by hand.
    case = recalculated["hand-sal2"]
    wb = openpyxl.load_workbook(case.copy, data_only=True)
    ws = wb["Summary"]
    cols = header(ws, find_row(ws, 1, "Item"))
    e, a = find_row(ws, 1, "E"), find_row(ws, 1, "A")
    assert cents(ws.cell(e, cols["SAL-2: accepted (€)"]).value) == D("9087.08")  # 9,087.075, half-up
    assert cents(ws.cell(a, cols["SAL-2: accepted (€)"]).value) == D("30987.80")
    assert cents(ws.cell(a, cols["Cumulative (€)"]).value) == D("64998.80")
    assert cents(_named(wb, "Cumulative_Total").value) == D("94110.09")
    assert cents(_named(wb, "Remaining_Total").value) == D("30889.91")
    staff = wb["Staff"]
    assert cents(staff["K3"].value) == D("30987.80")  # 34,011.00 − 3,023.20
    sal1 = openpyxl.load_workbook(recalculated["hand-sal1"].copy, data_only=True)
    assert cents(sal1["Personale"]["G4"].value) == D("34.88")  # part time: 30,000 / 860
    assert cents(sal1["Personale"]["I4"].value) == D("3505.44")
    assert [cents(sal1["Spese"][f"K{r}"].value) for r in range(5, 9)] == [
        D("1220.00"),
        D("300.00"),
        D("500.00"),
        D("203.33"),
    ]


@pytest.mark.libreoffice
def test_libreoffice_contribution_is_capped(recalculated):
    dues = [
        cents(
            _named(
                openpyxl.load_workbook(recalculated[f"three-p{n}"].copy, data_only=True), "ContributionDue"
            ).value
        )
        for n in (1, 2, 3)
    ]
    assert dues == [D("1427.16"), D("4072.35"), D("20000.00")]  # the cap binds in P3


@pytest.mark.libreoffice
def test_libreoffice_keeps_the_autofilter_and_report_text_as_text(recalculated):
    wb = openpyxl.load_workbook(recalculated["three-p2"].copy)
    ws = wb["Spese"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A4:")
    texts = {c.value: c.data_type for c in ws[5] if isinstance(c.value, str)}
    for text in INJECTED:
        assert texts.get(text) == "s", text
    assert "_x0041_ stays as typed" in texts


def test_the_rendiconto_names_the_budget_version_in_force_at_its_period_end(tmp_path):
    """V1 approved after SAL-1's end (30/09/2021): SAL-1 is against the original budget, SAL-2
    against V1; the Summary, the Provenance and every page's header say which."""
    import shutil

    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    v1 = tmp_path / "budgets" / "clust-er-health-2020-2022.V1.yaml"
    v1.write_text(v1.read_text(encoding="utf-8").replace("approved: 2021-07-30", "approved: 2021-10-15"))
    project = load_project(tmp_path / "budgets" / EXAMPLE.name)
    assert [v.id for v in project.in_force] == ["", "V1"]
    seen = {}
    for index, lang in ((0, "it"), (1, "it"), (1, "en")):
        wb = openpyxl.load_workbook(export(project, tmp_path / f"p{index}-{lang}.xlsx", index, lang))
        t, rt = labels(lang), report_labels(lang)
        facts = {row[0]: row[1] for row in wb[t.summary].iter_rows(max_row=20, values_only=True) if row[0]}
        budget_a = next(row[2] for row in wb[t.summary].iter_rows(values_only=True) if row[0] == "A")
        provenance = {row[0]: row[1] for row in wb[t.provenance].iter_rows(values_only=True) if row[0]}
        assert provenance[rt.budget_in_force] == facts[rt.budget_in_force]
        headers = {wb[name].oddHeader.right.text for name in wb.sheetnames}
        seen[index, lang] = (facts[rt.budget_in_force], budget_a, headers)
    assert seen[0, "it"] == (
        "il budget originale (clust-er-health-2020-2022.yaml): nessuna variazione approvata entro il 30/09/2021",
        130000,
        {"Budget: originale"},
    )
    assert seen[1, "it"] == (
        "variazione V1, approvata il 15/10/2021, Det. 12345/2021 (clust-er-health-2020-2022.V1.yaml)",
        115000,
        {"Budget: variazione V1, Det. 12345/2021"},
    )
    assert seen[1, "en"][0] == (
        "variation V1, approved on 2021-10-15, Det. 12345/2021 (clust-er-health-2020-2022.V1.yaml)"
    )
