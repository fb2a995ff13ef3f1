"""`clustbudget export`: the budget workbook (clustbudget.xlsx).

Three kinds of test:

- structure: the exported file reopened by openpyxl (sheets, formulas, styles, protection,
  print set-up) and read as raw SpreadsheetML where the detail matters (exact decimals, the
  cached result of every formula, no formula made of budget text, no absolute path);
- behaviour: atomic write, no overwrite without force, the CLI's refusal of budgets with
  errors, openpyxl never imported by the rest of the package, speed on 20,000 lines;
- figures: every workbook read as it is written (openpyxl's ``data_only``: the cached
  results) and recalculated by LibreOffice headless from wrong cached results
  (tests/libreoffice.py), each figure equal to clustbudget's Decimal figure to the cent — the
  example budget, small budgets under tests/data/export and generated ones (hypothesis).
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clustbudget import __version__
from clustbudget.compute import UNASSIGNED
from clustbudget.i18n import render
from clustbudget.money import ZERO
from clustbudget.pipeline import BudgetResult, check_budget
from clustbudget.xlsx import export_budget
from clustbudget.xlsx.labels import labels
from clustbudget.xlsx.package import Package

from .libreoffice import (
    ALWAYS,
    NEVER,
    assert_recalculated_from_wrong_cache,
    cached_results,
    cents,
    number,
    recalculate,
    wrong_cached_results,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "export"
EXAMPLE = ROOT / "budgets" / "clust-er-health-2020-2022.yaml"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
EURO = '#,##0.00 "€"'
INPUT_FILL, COMPUTED_FILL = "FFF2CC", "EDEDED"


def export(source: Path, target: Path, lang: str = "it", *, force: bool = False) -> BudgetResult:
    """Run the real pipeline on ``source`` and export it to ``target``."""
    result = check_budget(source)
    assert result.figures is not None, [str(f.message) for f in result.findings]
    assert export_budget(result, target, lang=lang, force=force) == target
    return result


def export_wrong(result: BudgetResult, target: Path, lang: str) -> Path:
    """``result`` exported by the real writer with a wrong cached result in every formula."""
    with wrong_cached_results():
        assert export_budget(result, target, lang=lang) == target
    return target


def sheet_xml(path: Path, index: int) -> ElementTree.Element:
    """The raw XML of the ``index``-th worksheet (1-based, in workbook order)."""
    with zipfile.ZipFile(path) as package:
        return ElementTree.fromstring(package.read(f"xl/worksheets/sheet{index}.xml"))


def rows_of(ws) -> Iterator[tuple]:
    return ws.iter_rows(values_only=True)


def find_row(ws, column: int, value: object) -> int:
    """The first row whose cell in ``column`` holds ``value``."""
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{ws.title}: no row with {value!r} in column {column}")


@pytest.fixture(scope="module")
def example_workbook(tmp_path_factory) -> tuple[BudgetResult, Path]:
    target = tmp_path_factory.mktemp("example") / "example.xlsx"
    return export(EXAMPLE, target), target


@pytest.fixture(scope="module")
def actions_workbook(tmp_path_factory) -> tuple[BudgetResult, Path]:
    target = tmp_path_factory.mktemp("actions") / "actions-years.xlsx"
    return export(DATA / "actions-years.yaml", target), target


# ============================================================================ structure


def test_example_workbook_has_summary_details_checks_and_provenance(example_workbook):
    _, path = example_workbook
    wb = openpyxl.load_workbook(path)
    # The example's lines name no action and no year: no By action / By year sheets.
    assert wb.sheetnames == ["Riepilogo", "Dettaglio", "Controlli", "Provenienza"]


def test_summary_header_names_the_project_and_the_call(example_workbook):
    _, path = example_workbook
    ws = openpyxl.load_workbook(path)["Riepilogo"]
    header = {row[0]: row[1] for row in rows_of(ws) if row[0] and row[1] is not None}
    assert header["Progetto"] == "Clust-ER Industrie della Salute e del Benessere 2020-2022"
    assert header["Beneficiario"] == "Clust-ER Health"
    assert header["CUP"] == "—"
    assert header["Programma (come dichiarato)"] == "POR FESR 2021-2027"
    assert header["Programma del bando"].startswith("POR FESR 2014-2020")
    assert "DGR 827/2020" in header["Bando"]
    assert header["Pacchetto di bando"] == "clust-er-2020 v1"
    assert header["Inizio"].date().isoformat() == "2020-10-01"
    assert header["Fine"].date().isoformat() == "2022-09-20"
    assert header["Durata dichiarata (mesi)"] == 24
    assert header["Controlli"].startswith("0 errori, 2 avvisi, 1 informazione")


def test_flat_rate_is_a_rounding_formula_over_a_rate_cell_of_its_own(example_workbook):
    _, path = example_workbook
    ws = openpyxl.load_workbook(path)["Riepilogo"]
    r = find_row(ws, 1, "E")
    assert ws[f"B{r}"].value == "Spese generali (forfettarie)"
    assert ws[f"C{r}"].value == f"=ROUND(E{r}*F{r},2)"
    assert ws[f"E{r}"].value == 0.25 and ws[f"E{r}"].data_type == "n"
    assert ws[f"E{r}"].protection.locked is False  # the rate is an input
    # The base: A+B+C+D as they stand on the Summary, rounded to the cent.
    rows = [find_row(ws, 1, key) for key in "ABCD"]
    assert ws[f"F{r}"].value == f"=ROUND(SUM({','.join(f'C{i}' for i in rows)}),2)"


def test_summary_items_reference_the_details_subtotals_and_total_is_a_formula(example_workbook):
    _, path = example_workbook
    wb = openpyxl.load_workbook(path)
    summary, details = wb["Riepilogo"], wb["Dettaglio"]
    for key in "ABCD":
        r = find_row(summary, 1, key)
        m = re.fullmatch(r"='Dettaglio'!\$D\$(\d+)", summary[f"C{r}"].value)
        assert m, summary[f"C{r}"].value
        subtotal = int(m[1])
        assert details[f"B{subtotal}"].value == f"Totale {key}"
        assert details[f"D{subtotal}"].value.startswith("=SUM(D")
        assert summary[f"D{r}"].value.startswith("=IF(")  # share of the total
    direct = find_row(summary, 2, "Totale costi diretti")
    total = find_row(summary, 2, "Totale progetto")
    rows = [find_row(summary, 1, key) for key in "ABCD"]
    assert summary[f"C{direct}"].value == f"=SUM(C{rows[0]}:C{rows[-1]})"
    assert summary[f"C{total}"].value == f"=C{direct}+C{find_row(summary, 1, 'E')}"


def test_amounts_are_written_digit_for_digit_and_every_formula_caches_its_result(example_workbook):
    result, path = example_workbook
    details = sheet_xml(path, 2)
    values = {c.get("r"): c.findtext("m:v", namespaces=NS) for c in details.iterfind(".//m:c", NS)}
    # The Decimal's own text, not a float's ("130000.0"), goes into the cell.
    assert "130000.00" in values.values() and "30000.00" in values.values()
    # Every formula carries its result (fails on one without), compute's Decimal digit for
    # digit: what previews, Protected View and data_only readers show.
    cached = cached_results(path)
    formulas = sum(
        c.find("m:f", NS) is not None for i in range(1, 5) for c in sheet_xml(path, i).iterfind(".//m:c", NS)
    )
    assert len(cached) == formulas >= 14
    summary = openpyxl.load_workbook(path)["Riepilogo"]
    raw = {ref: str(value) for (sheet, ref), (_, value) in cached.items() if sheet == "Riepilogo"}
    e, total = find_row(summary, 1, "E"), find_row(summary, 2, "Totale progetto")
    assert raw[f"C{e}"] == "40000.00" and raw[f"F{e}"] == "160000.00"
    assert raw[f"C{total}"] == "200000.00" and raw[f"D{total}"] == "1.0000"
    assert raw[f"D{find_row(summary, 1, 'A')}"] == "0.6500"
    assert Decimal(raw[f"C{total}"]) == result.figures.total
    # ... and spreadsheets that honour it still compute every formula on load.
    with zipfile.ZipFile(path) as package:
        calc = ElementTree.fromstring(package.read("xl/workbook.xml")).find("m:calcPr", NS)
    assert calc.get("fullCalcOnLoad") == "1"


def test_openpyxl_data_only_reads_every_figure_without_a_spreadsheet(tmp_path):
    # What pandas, mail previews and Excel's Protected View show: the cached results.
    for name, (source, lang) in CASES.items():
        result = export(source, tmp_path / f"{name}.xlsx", lang)
        assert_figures_match(tmp_path / f"{name}.xlsx", result, lang)


def test_input_and_computed_cells_differ_in_fill_and_lock_and_the_legend_says_so(example_workbook):
    _, path = example_workbook
    wb = openpyxl.load_workbook(path)
    details, summary = wb["Dettaglio"], wb["Riepilogo"]
    line = find_row(details, 2, "Cluster Manager (coordinatore operativo)")
    amount = details[f"D{line}"]
    assert amount.fill.fgColor.rgb.endswith(INPUT_FILL)
    assert amount.protection.locked is False
    assert amount.number_format == EURO
    assert details[f"B{line}"].protection.locked is False  # descriptions can be corrected
    computed = summary[f"C{find_row(summary, 1, 'A')}"]
    assert computed.fill.fgColor.rgb.endswith(COMPUTED_FILL)
    assert computed.protection.locked is True
    assert computed.number_format == EURO
    share = summary[f"D{find_row(summary, 1, 'A')}"]
    assert share.number_format == "0.00%"
    total = summary[f"C{find_row(summary, 2, 'Totale progetto')}"]
    assert total.font.b and total.number_format == EURO
    legend = find_row(summary, 1, "Legenda")
    assert summary[f"A{legend + 1}"].fill.fgColor.rgb.endswith(INPUT_FILL)
    assert summary[f"B{legend + 1}"].value.startswith("Dato immesso")
    assert summary[f"A{legend + 2}"].fill.fgColor.rgb.endswith(COMPUTED_FILL)
    assert summary[f"B{legend + 2}"].value.startswith("Calcolato con una formula")


def test_every_sheet_is_protected_without_password_frozen_and_set_up_for_a4(example_workbook):
    result, path = example_workbook
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        assert ws.protection.sheet is True, ws.title
        assert not ws.protection.password, ws.title
        assert ws.freeze_panes, ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert ws.oddHeader.center.text == result.budget.project.title, ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title
    details = wb["Dettaglio"]
    assert details.freeze_panes == "A3"
    assert details.print_title_rows == "$2:$2"
    assert details.page_setup.orientation == "landscape"
    header = details["A2"]
    assert header.font.b is True


def test_column_widths_fit_the_text(actions_workbook):
    _, path = actions_workbook
    details = openpyxl.load_workbook(path)["Dettaglio"]
    longest = max(
        len(v) for (v,) in details.iter_rows(min_row=3, min_col=2, max_col=2, values_only=True) if v
    )
    assert details.column_dimensions["B"].width >= min(longest, 70)
    # money columns are wide enough for the figures with separators and the euro sign
    assert details.column_dimensions["D"].width >= len("1.000,02 €")


def test_document_properties_and_chart_of_the_items(example_workbook):
    result, path = example_workbook
    wb = openpyxl.load_workbook(path)
    assert wb.properties.title == result.budget.project.title
    assert "clust-er-2020" in wb.properties.subject
    assert wb.properties.creator == f"clustbudget {__version__}"
    with zipfile.ZipFile(path) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = package.read(charts[0]).decode()
    summary = wb["Riepilogo"]
    a, d, e = (find_row(summary, 1, key) for key in "ADE")
    # The A–E amounts, labelled by item, without the direct-costs subtotal between D and E.
    assert f"<f>('Riepilogo'!$C${a}:$C${d},'Riepilogo'!$C${e})</f>" in chart
    assert f"<f>('Riepilogo'!$A${a}:$A${d},'Riepilogo'!$A${e})</f>" in chart
    # The figures and labels are cached in the chart too, for previews that do not calculate.
    cached = ElementTree.fromstring(chart)
    c = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    points = [Decimal(v.text) for v in cached.iterfind(".//c:val//c:pt/c:v", c)]
    assert points == [result.figures.items[key] for key in "ABCDE"]
    assert [v.text for v in cached.iterfind(".//c:cat//c:pt/c:v", c)] == list("ABCDE")


def test_summary_rows_read_as_clustbudget_show_prints_them(example_workbook):
    # A–D, the direct costs, then E (computed on them), then the total: E is not a direct cost.
    _, path = example_workbook
    summary = openpyxl.load_workbook(path)["Riepilogo"]
    a = find_row(summary, 1, "A")
    labels_ = [(summary[f"A{r}"].value, summary[f"B{r}"].value) for r in range(a, a + 7)]
    assert [key or label for key, label in labels_] == [
        "A",
        "B",
        "C",
        "D",
        "Totale costi diretti",
        "E",
        "Totale progetto",
    ]
    # Under the table: the shares are rounded, and may not add up to 100%.
    assert (
        summary[f"A{a + 7}"].value
        == "Le quote sono arrotondate allo 0,01%: la loro somma può non essere 100%."
    )
    assert summary[f"A{a + 7}"].font.i is True


def test_item_rows_are_top_aligned_beside_wrapped_descriptions(example_workbook):
    _, path = example_workbook
    summary = openpyxl.load_workbook(path)["Riepilogo"]
    b = find_row(summary, 1, "B")
    assert len(summary[f"B{b}"].value) > 80 and summary[f"B{b}"].alignment.wrap_text is True
    assert summary.row_dimensions[b].height == 30  # two lines
    for col in "ABCD":
        assert summary[f"{col}{b}"].alignment.vertical == "top", col
    assert summary.row_dimensions[find_row(summary, 1, "D")].height is None  # one line


def test_defined_names_point_at_the_key_figures(example_workbook):
    _, path = example_workbook
    wb = openpyxl.load_workbook(path)
    summary = wb["Riepilogo"]
    assert wb.defined_names["Total"].attr_text == f"'Riepilogo'!$C${find_row(summary, 2, 'Totale progetto')}"
    assert wb.defined_names["Rate_E"].attr_text == f"'Riepilogo'!$E${find_row(summary, 1, 'E')}"


def test_checks_sheet_lists_every_finding_with_its_place(example_workbook):
    result, path = example_workbook
    ws = openpyxl.load_workbook(path)["Controlli"]
    assert next(ws.iter_rows(min_row=2, max_row=2, values_only=True))[:5] == (
        "Codice",
        "Gravità",
        "Messaggio",
        "Riferimento",
        "Posizione (file:riga:colonna)",
    )
    listed = [row for row in ws.iter_rows(min_row=3, values_only=True) if row[0]]
    # The place names the file relative to the budget's folder: the budget by its name; the
    # message is in the workbook's language.
    assert [(r[0], r[2], r[4]) for r in listed] == [
        (
            f.code,
            render(f.message, "it"),
            f"clust-er-health-2020-2022.yaml:{f.location.line}:{f.location.col}",
        )
        for f in result.findings
    ]
    assert {r[1] for r in listed} == {"avviso", "info"}
    assert all(r[3] for r in listed)  # every rule cites its source


def test_checks_sheet_wraps_long_texts_and_prints_landscape_fit_to_width(example_workbook):
    _, path = example_workbook
    ws = openpyxl.load_workbook(path)["Controlli"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0  # width only
    widths = [ws.column_dimensions[col].width for col in "ABCDEF"]
    assert sum(widths) <= 160, widths  # a readable scale on A4 landscape
    assert ws.column_dimensions["C"].width >= 40 and ws.column_dimensions["D"].width >= 20
    r = find_row(ws, 1, "CB106")  # a message and a citation longer than their columns
    assert len(ws[f"C{r}"].value) > ws.column_dimensions["C"].width
    for col in "CDEF":
        assert ws[f"{col}{r}"].alignment.wrap_text is True, col
    for col in "ABCDEF":
        assert ws[f"{col}{r}"].alignment.vertical == "top", col
    assert ws.row_dimensions[r].height >= 30  # tall enough for the wrapped lines


def test_no_absolute_path_of_the_machine_that_wrote_it(tmp_path, cli):
    # Exported from an absolute path, and from a relative one: the workbook names files
    # relative to the budget's folder, never as /home/… or /tmp/… of the machine.
    folder = tmp_path / "review" / "budgets"
    (folder / "packs").mkdir(parents=True)
    budget = folder / "project.yaml"
    text = (DATA / "with-errors.yaml").read_text(encoding="utf-8")
    pack = (ROOT / "src" / "clustbudget" / "packs" / "clust-er-2020.yaml").read_text(encoding="utf-8")
    (folder / "packs" / "call.yaml").write_text(pack, encoding="utf-8")
    budget.write_text(re.sub(r"(?m)^call: .*$", "call: packs/call.yaml", text), encoding="utf-8")
    for name, arg in (("absolute.xlsx", str(budget)), ("relative.xlsx", "review/budgets/project.yaml")):
        done = cli("export", arg, "-o", str(tmp_path / name), "--allow-errors", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        with zipfile.ZipFile(tmp_path / name) as package:
            for entry in package.namelist():
                data = package.read(entry).decode("utf-8")
                assert str(tmp_path) not in data and "review/" not in data, (name, entry)
        wb = openpyxl.load_workbook(tmp_path / name)
        places = [row[4] for row in wb["Controlli"].iter_rows(min_row=3, values_only=True) if row[0]]
        assert places and all(re.fullmatch(r"project\.yaml:\d+:\d+", p) for p in places), places
        assert wb["Riepilogo"]["A3"].value.startswith("CB101 project.yaml:")
        facts = {row[0]: row[1] for row in wb["Provenienza"].iter_rows(min_row=3, values_only=True)}
        assert facts["File del budget"] == "project.yaml"
        assert facts["File del pacchetto di bando"] == "packs/call.yaml"  # as the budget's call: names it


def test_provenance_names_source_hash_tool_and_call_pack(example_workbook):
    result, path = example_workbook
    ws = openpyxl.load_workbook(path)["Provenienza"]
    # The same sheet as the rendiconto's: each source file, its path and its SHA-256.
    assert [c.value for c in ws[2]] == ["Voce", "Valore", "SHA-256 del file"]
    files = {row[0]: row[1:3] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert files["File del budget"] == ("clust-er-health-2020-2022.yaml", result.loaded.doc.sha256)
    assert re.fullmatch(r"[0-9a-f]{64}", result.loaded.doc.sha256)
    facts = {row[0]: row[1] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert facts["Versione di clustbudget"] == __version__
    assert facts["Pacchetto di bando"] == "clust-er-2020"
    assert facts["Versione del pacchetto di bando"] == 1
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", facts["Generato il"])  # local date and time


def test_by_action_and_by_year_sheets_split_lines_as_compute_allocate_does(actions_workbook):
    _, path = actions_workbook
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Riepilogo", "Dettaglio", "Per azione", "Per anno", "Controlli", "Provenienza"]
    details = wb["Dettaglio"]
    header = next(details.iter_rows(min_row=2, max_row=2, values_only=True))
    assert header[4:6] == (2021, 2022)
    assert header[6:12] == (
        "Non ripartito per anno",
        "Azione 1",
        "Azione 2",
        "Azione 3",
        "Azione 4",
        "Senza azione",
    )
    line = find_row(details, 2, "Communication Manager")  # 300.01 over actions 1, 2, 3
    assert details[f"C{line}"].value == "1, 2, 3"
    first = details[f"H{line}"].value
    assert first == f"=(INT(ROUND(D{line}*100,0)/3)+IF(MOD(ROUND(D{line}*100,0),3)>0,1,0))/100"
    by_action = wb["Per azione"]
    assert by_action["C3"].value.startswith("='Dettaglio'!$H$")


def test_years_are_aligned_as_the_text_labels_of_their_column(actions_workbook):
    _, path = actions_workbook
    by_year = openpyxl.load_workbook(path)["Per anno"]
    years = [find_row(by_year, 1, year) for year in (2021, 2022)]
    unsplit = find_row(by_year, 1, "Non ripartito per anno")
    total = find_row(by_year, 1, "Totale costi diretti")
    for r in years:
        assert by_year[f"A{r}"].data_type == "n" and by_year[f"A{r}"].number_format == "0"
        assert by_year[f"A{r}"].alignment.horizontal == "left", r
    for r in (unsplit, total):  # text: left-aligned as well
        assert by_year[f"A{r}"].alignment.horizontal in (None, "general", "left"), r


def test_lines_under_a_flat_rate_item_are_shown_but_not_counted(tmp_path):
    export(DATA / "with-errors.yaml", tmp_path / "errors.xlsx")
    details = openpyxl.load_workbook(tmp_path / "errors.xlsx")["Dettaglio"]
    r = find_row(details, 2, "Spese generali scritte a mano")
    assert details[f"D{r}"].value == 300
    assert details[f"D{r}"].font.strike is True
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=") and f"D{r}" in c.value
        for row in details.iter_rows()
        for c in row
    )


def test_errors_put_a_bold_red_banner_at_the_top_of_the_summary(tmp_path):
    export(DATA / "with-errors.yaml", tmp_path / "errors.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "errors.xlsx")["Riepilogo"]
    banner = ws["A1"]
    assert banner.value.startswith("ATTENZIONE: il budget contiene 2 errori")
    assert banner.font.b is True and banner.font.color.rgb.endswith("C00000")
    assert ws["A2"].value == "Progetto con errori"
    assert ws["A3"].value.startswith("CB101 ") and ws["A4"].value.startswith("CB103 ")


def test_no_banner_without_errors(example_workbook):
    _, path = example_workbook
    ws = openpyxl.load_workbook(path)["Riepilogo"]
    assert ws["A1"].value == "Clust-ER Industrie della Salute e del Benessere 2020-2022"


def test_english_labels_come_from_the_call_pack(tmp_path):
    export(EXAMPLE, tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(tmp_path / "en.xlsx")
    assert wb.sheetnames == ["Summary", "Details", "Checks", "Provenance"]
    summary = wb["Summary"]
    assert summary[f"B{find_row(summary, 1, 'A')}"].value == "Operational coordinator"
    assert summary[f"B{find_row(summary, 1, 'E')}"].value == "General expenses (flat rate)"
    assert summary[f"C{find_row(summary, 1, 'A')}"].value.startswith("='Details'!$D$")
    assert find_row(summary, 2, "Project total")
    assert find_row(summary, 1, "Shares are rounded to 0.01%; they may not add up to 100%.")
    assert wb["Checks"]["B3"].value in {"info", "warning"}


def test_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown language"):
        export(EXAMPLE, tmp_path / "x.xlsx", lang="fr")
    assert not (tmp_path / "x.xlsx").exists()


# ============================================================================ safety


INJECTED = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(D1:D9)",
    "=cmd|' /C calc'!A0",
    "_x0041_ stays as typed, & < > too",
]


def test_budget_text_that_looks_like_a_formula_is_stored_as_text(tmp_path):
    export(DATA / "injection.yaml", tmp_path / "inj.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "inj.xlsx")
    details, summary = wb["Dettaglio"], wb["Riepilogo"]
    for text in INJECTED[:-1]:
        cell = details[f"B{find_row(details, 2, text)}"]
        assert cell.data_type == "s", text
        assert cell.quotePrefix is True, text  # stays text when the cell is edited
    # Spreadsheets read _xHHHH_ in text as a character: the underscore is escaped as _x005F_
    # (openpyxl does not decode it; LibreOffice does, see the LibreOffice test).
    raw = ElementTree.tostring(sheet_xml(tmp_path / "inj.xlsx", 2), encoding="unicode")
    assert "_x005F_x0041_ stays as typed, &amp; &lt; &gt; too" in raw
    note = details[f"G{find_row(details, 2, '=1+1')}"]
    assert (details["G2"].value, note.value, note.data_type) == ("Nota", "=NOW()", "s")
    assert summary["A1"].value == '=HYPERLINK("http://example.invalid","click") & <budget>'
    assert summary["A1"].data_type == "s"
    header = {row[0]: row[1] for row in rows_of(summary) if row[0] and row[1] is not None}
    assert header["Beneficiario"] == "=2*3"
    assert header["CUP"] == "+39 051 000000"
    by_action = wb["Per azione"]
    assert (by_action["A3"].value, by_action["B3"].value) == ("=A1", "@SUM(A1:A2)")
    # In the file itself: no formula made of budget text, anywhere.
    with zipfile.ZipFile(tmp_path / "inj.xlsx") as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                for f in ElementTree.fromstring(package.read(name)).iterfind(".//m:f", NS):
                    assert not re.search(r"1\+1|cmd|NOW|HYPERLINK|2\*3|^A1$", f.text or ""), (name, f.text)


def test_the_print_header_escapes_ampersands(tmp_path):
    result = export(DATA / "injection.yaml", tmp_path / "inj.xlsx")
    header = sheet_xml(tmp_path / "inj.xlsx", 1).find("m:headerFooter/m:oddHeader", NS)
    # "&" starts a code in headers and footers: the title's "&" is written "&&".
    assert header.text == "&C" + result.budget.project.title.replace("&", "&&")


def test_an_existing_workbook_is_not_overwritten_without_force(tmp_path):
    target = tmp_path / "budget.xlsx"
    target.write_bytes(b"not yours to overwrite")
    with pytest.raises(FileExistsError) as raised:
        export(EXAMPLE, target)
    assert raised.value.errno == errno.EEXIST
    assert target.read_bytes() == b"not yours to overwrite"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.xlsx"]
    export(EXAMPLE, target, force=True)
    assert openpyxl.load_workbook(target).sheetnames[0] == "Riepilogo"


def _broken_write(self: Package, out) -> None:
    out.write(b"PK\x03\x04half a workbook")
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_no_workbook_and_no_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setattr(Package, "write", _broken_write)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(OSError, match="No space left"):
        export(EXAMPLE, folder / "budget.xlsx")
    assert list(folder.iterdir()) == []


def test_a_failed_write_keeps_the_workbook_it_would_replace(tmp_path, monkeypatch):
    target = tmp_path / "budget.xlsx"
    export(EXAMPLE, target)
    before = target.read_bytes()
    monkeypatch.setattr(Package, "write", _broken_write)
    with pytest.raises(OSError):
        export(EXAMPLE, target, force=True)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.xlsx"]


def test_a_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(src, dst, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    # the last step is link() for a new file, replace() over an existing one (with force)
    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "link", refuse)
    with pytest.raises(PermissionError):
        export(EXAMPLE, tmp_path / "budget.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_the_workbook_is_a_complete_zip_with_the_usual_permissions(example_workbook):
    _, path = example_workbook
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# ============================================================================ CLI and imports


def test_cli_export_writes_budget_name_xlsx_in_the_current_folder(cli, tmp_path):
    done = cli("export", str(EXAMPLE), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote clust-er-health-2020-2022.xlsx\n"
    assert openpyxl.load_workbook(tmp_path / "clust-er-health-2020-2022.xlsx").sheetnames[0] == "Riepilogo"
    again = cli("export", str(EXAMPLE), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_cli_refuses_a_budget_with_errors_unless_allowed(cli, tmp_path):
    refused = cli("export", str(DATA / "with-errors.yaml"), "-o", "out.xlsx", cwd=tmp_path)
    assert refused.returncode == 1
    assert "CB103" in refused.stderr and "--allow-errors" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    allowed = cli("export", str(DATA / "with-errors.yaml"), "-o", "out.xlsx", "--allow-errors", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    banner = openpyxl.load_workbook(tmp_path / "out.xlsx")["Riepilogo"]["A1"]
    assert banner.value.startswith("ATTENZIONE") and banner.font.b


def test_cli_lang_en(cli, tmp_path):
    done = cli("export", str(EXAMPLE), "-o", "en.xlsx", "--lang", "en", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(tmp_path / "en.xlsx").sheetnames[0] == "Summary"


def test_openpyxl_is_loaded_only_to_write_a_workbook(tmp_path):
    code = f"""
import importlib, pkgutil, sys
import clustbudget
for module in pkgutil.walk_packages(clustbudget.__path__, "clustbudget."):
    if not module.name.startswith("clustbudget.xlsx.") and not module.name.endswith("__main__"):
        importlib.import_module(module.name)
from clustbudget.cli import app
for args in (["validate", {str(EXAMPLE)!r}], ["show", {str(EXAMPLE)!r}], ["rules"]):
    try:
        app(args, standalone_mode=False)
    except SystemExit:
        pass
print(sorted(m for m in sys.modules if m.split(".")[0] == "openpyxl"))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


# ============================================================================ speed


def big_budget(lines: int) -> str:
    """A budget of ``lines`` lines over A–D, with actions (some shared) and years (most lines)."""
    out = [
        "clustbudget: 1",
        "call: clust-er-2020",
        "project: {title: Budget grande, start: 2020-10-01, end: 2022-09-30, duration_months: 24}",
        "actions:",
        *(f'  - {{id: "{i}", title: Azione {i}}}' for i in range(1, 5)),
        "costs:",
    ]
    actions = ['"1"', '["1", "2"]', '["2", "3", "4"]', None]
    for key in "ABCD":
        out.append(f"  {key}:")
        for i in range(lines // 4):
            c = 100_000 + 7 * i
            third = c // 3
            out.append(f"    - description: Riga {key}{i} — servizi e consulenze")
            out.append(f"      amount: {c // 100}.{c % 100:02d}")
            if actions[i % 4]:
                out.append(f"      action: {actions[i % 4]}")
            if i % 5:
                y3 = c - 2 * third
                split = ", ".join(
                    f"{y}: {v // 100}.{v % 100:02d}" for y, v in ((2020, third), (2021, third), (2022, y3))
                )
                out.append(f"      by_year: {{{split}}}")
    return "\n".join(out) + "\n"


def test_a_budget_of_20000_lines_exports_whole(tmp_path):
    """Large budgets export completely (speed is measured by bench/bench.py, not by tests)."""
    source = tmp_path / "big.yaml"
    source.write_text(big_budget(20_000), encoding="utf-8")
    result = check_budget(source)
    assert result.figures is not None and not result.errors
    assert sum(len(lines) for lines in result.budget.costs.values()) == 20_000
    export_budget(result, tmp_path / "big.xlsx")
    details = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)["Dettaglio"]
    assert details.max_row > 20_000


# ============================================================================ LibreOffice: figures to the cent


def _named(wb, name: str):
    """The cell a workbook-level defined name points at."""
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]


def _pivot(
    ws, first_column_buckets: dict[object, object], keys: list[str]
) -> dict[object, dict[str, object]]:
    """Read a By action / By year table: bucket → item key → cell value."""
    header = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
    col = {key: header.index(key) for key in keys}
    table: dict[object, dict[str, object]] = {}
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[0] not in first_column_buckets:
            break
        table[first_column_buckets[row[0]]] = {key: row[col[key]] for key in keys} | {
            "": row[len(header) - 1]
        }
    return table


def assert_figures_match(copy: Path, result: BudgetResult, lang: str) -> None:
    """Every figure ``copy`` holds (as LibreOffice computed it, or as cached by the writer)
    equals clustbudget's figure to the cent."""
    t = labels(lang)
    fig = result.figures
    values = openpyxl.load_workbook(copy, data_only=True)
    formulas = openpyxl.load_workbook(copy)
    # 1. Not one formula came back empty.
    count = 0
    for ws in formulas:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    count += 1
                    number(
                        values[ws.title][c.coordinate].value,
                        f"{copy.name} {ws.title}!{c.coordinate} {c.value}",
                    )
    assert count >= len(fig.items) * 2 + 2
    # 2. The Summary, through the workbook's defined names.
    for key, amount in fig.items.items():
        cell = _named(values, f"Item_{key}")
        assert cents(cell.value, f"{copy.name} item {key}") == amount, key
        share = number(values[cell.parent.title][f"D{cell.row}"].value, f"share {key}")
        assert abs(share - fig.share(key)) <= Decimal("0.00005"), (key, share, fig.share(key))
    assert cents(_named(values, "DirectCosts").value) == fig.direct
    assert cents(_named(values, "Total").value) == fig.total
    for fr in fig.flat_rates:
        assert number(_named(values, f"Rate_{fr.key}").value) == fr.rate
        assert cents(_named(values, f"Base_{fr.key}").value) == fr.base_amount
        assert cents(_named(values, f"Item_{fr.key}").value) == fr.amount
    # 3. By action and by year agree with compute's by_action and by_year.
    direct = [k for k in fig.items if k not in {fr.key for fr in fig.flat_rates}]
    has_actions = any(bucket != UNASSIGNED for bucket in fig.by_action)
    has_years = any(bucket != UNASSIGNED for bucket in fig.by_year)
    assert (t.by_action in values.sheetnames) == has_actions
    assert (t.by_year in values.sheetnames) == has_years
    checks: list[tuple[str, dict, dict]] = []
    if has_actions:
        ids = [a.id for a in result.budget.actions] + [a for a in fig.by_action if a]
        buckets = {a: a for a in ids} | {t.unassigned: UNASSIGNED, t.direct_total: "total"}
        checks.append((t.by_action, buckets, fig.by_action))
    if has_years:
        buckets = {float(y): y for y in fig.by_year if y != UNASSIGNED} | {y: y for y in fig.by_year}
        buckets |= {t.unsplit: UNASSIGNED, t.direct_total: "total"}
        checks.append((t.by_year, buckets, fig.by_year))
    for sheet, buckets, expected in checks:
        table = _pivot(values[sheet], buckets, direct)
        assert set(expected) <= set(table), (sheet, set(expected), set(table))
        for bucket, row in table.items():
            want = fig.items if bucket == "total" else expected.get(bucket, {})
            for key in direct:
                assert cents(row[key], f"{sheet} {bucket} {key}") == want.get(key, ZERO), (sheet, bucket, key)
            row_total = fig.direct if bucket == "total" else sum(want.values(), ZERO)
            assert cents(row[""], f"{sheet} {bucket} total") == row_total, (sheet, bucket)


@dataclass(frozen=True)
class Recalculated:
    result: BudgetResult
    original: Path
    wrong: Path
    copy: Path
    """``wrong`` recalculated by LibreOffice."""
    lang: str


CASES = {
    "example-it": (EXAMPLE, "it"),
    "example-en": (EXAMPLE, "en"),
    "actions-years": (DATA / "actions-years.yaml", "it"),
    "two-rates": (DATA / "two-rates.yaml", "en"),
    "with-errors": (DATA / "with-errors.yaml", "it"),
    "injection": (DATA / "injection.yaml", "it"),
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, Recalculated]:
    """Every case exported, and exported again with wrong cached results; the latter
    recalculated by LibreOffice in one run."""
    folder = tmp_path_factory.mktemp("exported")
    exported = {}
    for name, (source, lang) in CASES.items():
        target = folder / f"{name}.xlsx"
        result = export(source, target, lang)
        wrong = export_wrong(result, folder / f"{name}-wrong.xlsx", lang)
        exported[name] = (result, target, wrong, lang)
    copies = recalculate(
        [wrong for _, _, wrong, _ in exported.values()], tmp_path_factory.mktemp("recalculated")
    )
    return {
        name: Recalculated(r, target, wrong, copies[wrong], lang)
        for name, (r, target, wrong, lang) in exported.items()
    }


def test_without_libreoffice_the_tests_skip_locally_and_fail_under_ci(monkeypatch):
    from . import libreoffice

    monkeypatch.setattr(libreoffice.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        libreoffice.soffice()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must install it"):
        libreoffice.soffice()


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(CASES))
def test_libreoffice_recalculates_every_figure_to_the_cent(recalculated, case):
    # LibreOffice was given a wrong cached result in every formula: each figure it shows, it
    # computed; each is compute's figure, and the result the honest workbook caches.
    r = recalculated[case]
    assert_figures_match(r.copy, r.result, r.lang)
    assert assert_recalculated_from_wrong_cache(r.original, r.wrong, r.copy) >= 14


@pytest.mark.libreoffice
def test_libreoffice_example_figures(recalculated):
    values = openpyxl.load_workbook(recalculated["example-it"].copy, data_only=True)
    got = {key: cents(_named(values, f"Item_{key}").value) for key in "ABCDE"}
    assert got == {
        "A": Decimal("130000.00"),
        "B": Decimal("30000.00"),
        "C": Decimal("0.00"),
        "D": Decimal("0.00"),
        "E": Decimal("40000.00"),
    }
    assert cents(_named(values, "Total").value) == Decimal("200000.00")


@pytest.mark.libreoffice
def test_libreoffice_rounds_half_cents_up(recalculated):
    # 25% of 1,000.02 is 250.005: 250.01. 7% of 0.50 is 0.035: 0.04; 15% of 0.30 is 0.045: 0.05.
    actions = openpyxl.load_workbook(recalculated["actions-years"].copy, data_only=True)
    assert cents(_named(actions, "Item_E").value) == Decimal("250.01")
    two = openpyxl.load_workbook(recalculated["two-rates"].copy, data_only=True)
    assert cents(_named(two, "Item_E").value) == Decimal("0.04")
    assert cents(_named(two, "Item_F").value) == Decimal("0.05")
    assert cents(_named(two, "Total").value) == Decimal("0.59")


@pytest.mark.libreoffice
def test_libreoffice_keeps_budget_text_as_text(recalculated):
    wb = openpyxl.load_workbook(recalculated["injection"].copy)
    details = wb["Dettaglio"]
    texts = {c.value: c.data_type for row in details.iter_rows(min_col=2, max_col=2) for c in row if c.value}
    for text in INJECTED:
        assert texts.get(text) == "s", text
    assert wb["Riepilogo"]["A1"].value.startswith("=HYPERLINK(")
    assert wb["Riepilogo"]["A1"].data_type == "s"


@pytest.mark.libreoffice
def test_libreoffice_default_settings_show_the_cached_figures(example_workbook, tmp_path):
    # LibreOffice's default is never to recalculate an xlsx on load (it ignores
    # fullCalcOnLoad): an accountant opening the file sees the cached results, which must
    # be clustbudget's figures (and stay live: an edited input recomputes what depends on it).
    result, path = example_workbook
    copies = recalculate([path], tmp_path, recalc_mode=NEVER)
    assert_figures_match(copies[path], result, "it")


@pytest.mark.libreoffice
def test_libreoffice_helper_recalculates_stale_results(tmp_path):
    # A formula whose cached result is wrong: recalculated only when the helper's setting works.
    wb = openpyxl.Workbook()
    wb.active["A1"] = 2
    wb.active["A2"] = "=A1*3"
    wb.save(tmp_path / "stale.xlsx")
    with zipfile.ZipFile(tmp_path / "stale.xlsx") as source:
        entries = {n: source.read(n) for n in source.namelist()}
    sheet = entries["xl/worksheets/sheet1.xml"].decode()
    stale = re.sub(r"<f>A1\*3</f>(<v\s*/>|<v></v>)?", "<f>A1*3</f><v>999</v>", sheet)
    assert "<v>999</v>" in stale
    entries["xl/worksheets/sheet1.xml"] = stale.encode()
    for mode, folder, expected in ((ALWAYS, "always", 6), (NEVER, "never", 999)):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / "stale.xlsx"
        with zipfile.ZipFile(path, "w") as out:
            for n, data in entries.items():
                out.writestr(n, data)
        copy = recalculate([path], tmp_path / folder / "out", recalc_mode=mode)[path]
        assert openpyxl.load_workbook(copy, data_only=True).active["A2"].value == expected, mode


# ---------------------------------------------------------------- generated budgets


RATES = ["0.25", "0.07", "0.15", "0.075", "0.125", "0.2"]
# A flat rate and a base residue (in cents) that make rate × base end in exactly half a cent.
HALF_CENT = [("0.25", 4, 2), ("0.07", 100, 50), ("0.15", 20, 10), ("0.075", 40, 20)]


@dataclass(frozen=True)
class Spec:
    """A generated budget: its pack's flat rates and its lines."""

    e_rate: str
    f_rate: str | None  # a second flat rate, on A+B
    lines: tuple[
        tuple[str, int, tuple[str, ...], int | None, str], ...
    ]  # key, cents, actions, 2021 cents, text

    def pack_yaml(self) -> str:
        items = {
            "A": {"kind": "staff", "it": "Personale", "en": "Staff"},
            "B": {"kind": "staff", "it": "Altro personale", "en": "Other staff"},
            "C": {"kind": "equipment", "it": "Attrezzature", "en": "Equipment"},
            "D": {"kind": "other", "it": "Altro", "en": "Other"},
            "E": {
                "kind": "flat_rate",
                "rate": self.e_rate,
                "base": list("ABCD"),
                "it": "Forfait",
                "en": "Flat rate",
            },
        }
        if self.f_rate:
            items["F"] = {"kind": "flat_rate", "rate": self.f_rate, "base": ["A", "B"], "it": "F", "en": "F"}
        pack = {
            "id": "generated",
            "version": 1,
            "title": "Generated call",
            "programme": {
                "label": "PR FESR 2021-2027",
                "regulation": "Reg. (UE) 2021/1060",
                "eligible_from": "2021-01-01",
                "eligible_to": "2029-12-31",
            },
            "items": items,
        }
        return json.dumps(pack, indent=1)  # JSON is YAML

    def budget_yaml(self, pack: str) -> str:
        out = [
            "clustbudget: 1",
            f"call: {pack}",
            "project: {title: Generated, start: 2021-01-01, end: 2022-12-31, duration_months: 24}",
            "actions: [{id: '1', title: Uno}, {id: '2', title: Due}, {id: '3', title: Tre}]",
            "costs:",
        ]
        for key in "ABCD":
            mine = [line for line in self.lines if line[0] == key]
            out.append(f"  {key}:" + ("" if mine else " []"))
            for _, amount, actions, first_year, text in mine:
                out.append(f"    - description: {json.dumps(text)}")
                out.append(f"      amount: {_money(amount)}")
                if actions:
                    out.append(f"      action: {json.dumps(list(actions))}")
                if first_year is not None:
                    out.append(
                        f"      by_year: {{2021: {_money(first_year)}, 2022: {_money(amount - first_year)}}}"
                    )
        return "\n".join(out) + "\n"


def _money(cents_: int) -> str:
    return f"{cents_ // 100}.{cents_ % 100:02d}"


@st.composite
def line_specs(draw, key: str, amount: st.SearchStrategy[int], years: bool):
    cents_ = draw(amount)
    actions = draw(
        st.one_of(
            st.just(()),
            st.sampled_from("123").map(lambda a: (a,)),
            st.lists(st.sampled_from("123"), min_size=2, max_size=3, unique=True).map(tuple),
        )
    )
    first_year = draw(st.integers(0, cents_)) if years and draw(st.booleans()) else None
    text = draw(st.sampled_from(["", "=", "+", "-", "@"])) + draw(
        st.text("abc xyz&<>_1", min_size=1, max_size=12)
    )
    return (key, cents_, actions, first_year, text)


@st.composite
def budget_specs(draw) -> Spec:
    years = draw(st.booleans())
    if draw(st.booleans()):
        # One line holds the whole base, chosen so that rate × base ends in half a cent.
        rate, modulus, residue = draw(st.sampled_from(HALF_CENT))
        base = draw(st.integers(0, 10**9 // modulus)) * modulus + residue
        key = draw(st.sampled_from("ABCD"))
        return Spec(rate, None, (draw(line_specs(key, st.just(base), years)),))
    amount = st.one_of(st.integers(0, 10_000), st.integers(0, 10**9))  # up to 10 million euro a line
    lines = []
    for key in "ABCD":
        lines += draw(st.lists(line_specs(key, amount, years), max_size=3))
    f_rate = draw(st.one_of(st.none(), st.sampled_from(RATES)))
    return Spec(draw(st.sampled_from(RATES)), f_rate, tuple(lines))


def _spec(e: str, *lines: tuple[str, int], f: str | None = None) -> Spec:
    return Spec(e, f, tuple((k, c, (), None, f"line {i}") for i, (k, c) in enumerate(lines)))


@pytest.mark.libreoffice
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(specs=st.lists(budget_specs(), min_size=4, max_size=4))
@example(
    specs=[
        _spec("0.25", ("A", 100_002)),  # base 1,000.02 → E 250.005 → 250.01
        _spec("0.07", ("D", 50), f="0.15"),  # 0.035 → 0.04
        _spec("0.15", ("A", 10), ("B", 20)),  # 0.045 → 0.05
        _spec("0.25", ("A", 9_999_999_998), ("C", 1)),  # 99,999,999.99 → 24,999,999.9975 → …00.00
        _spec("0.075", ("B", 20), ("D", 0)),  # 0.015 → 0.02
    ]
)
def test_libreoffice_recalculates_generated_budgets_to_the_cent(specs: list[Spec]):
    with tempfile.TemporaryDirectory(prefix="clustbudget-generated-") as folder:
        root = Path(folder)
        exported = []
        for i, spec in enumerate(specs):
            (root / f"pack-{i}.yaml").write_text(spec.pack_yaml(), encoding="utf-8")
            source = root / f"budget-{i}.yaml"
            source.write_text(spec.budget_yaml(f"pack-{i}.yaml"), encoding="utf-8")
            lang = "it" if i % 2 else "en"
            result = export(source, root / f"budget-{i}.xlsx", lang)
            wrong = export_wrong(result, root / f"budget-{i}-wrong.xlsx", lang)
            exported.append((result, root / f"budget-{i}.xlsx", wrong, lang))
        copies = recalculate([wrong for _, _, wrong, _ in exported], root / "recalculated")
        for result, path, wrong, lang in exported:
            assert_figures_match(path, result, lang)  # the cached results
            assert_figures_match(copies[wrong], result, lang)  # LibreOffice's
            assert_recalculated_from_wrong_cache(path, wrong, copies[wrong])


def test_a_sheets_rows_are_kept_compressed_and_given_back_as_written():
    # A 200,000-expense rendiconto: its rows' XML is held compressed (a tenth of the text)
    # while the workbook is built, and the sheet receives it byte for byte.
    from clustbudget.xlsx.sheetxml import Rows, Style

    style = Style(1, 2)
    rows = Rows()
    written = []
    for i in range(20_000):
        rows.append([(f"Fornitore {i} S.r.l. è", style), (Decimal(i) / 100, style), None, (i, style)])
        written.append(
            f'<row r="{i + 1}"><c r="A{i + 1}" s="1" t="inlineStr"><is><t xml:space="preserve">'
            f'Fornitore {i} S.r.l. è</t></is></c><c r="B{i + 1}" s="1"><v>{Decimal(i) / 100:f}</v></c>'
            f'<c r="D{i + 1}" s="1"><v>{i}</v></c></row>'
        )
    text = "".join(written).encode("utf-8")
    assert sum(map(len, rows._packed)) < len(text) / 5
    assert b"".join(rows.xml()) == text
    rows.append([("after", style)])  # still open: reading does not end it
    assert b"".join(rows.xml()).endswith(b"after</t></is></c></row>")
    assert rows.dimension == "A1:D20001"


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*"ab c\t\n\u00a0-èW", "word", "  ", "lunghissima"]), max_size=40).map("".join),
    st.floats(min_value=0.5, max_value=40, allow_nan=False),
)
@example("Servizi di consulenza per la fiera internazionale", 10)
@example("abc defgh ij", 3.5)
@example("a \u00a0", 1.0)  # a no-break space alone: textwrap drops it at a line's end (found by hypothesis)
def test_wrapped_lines_counts_what_textwrap_gives(text, width):
    import textwrap

    from clustbudget.xlsx.layout import wrapped_lines

    chars = max(1, int(width * 1.15))
    expected = sum(max(1, len(textwrap.wrap(p, chars, break_on_hyphens=False))) for p in text.split("\n"))
    assert wrapped_lines(text, width) == expected


def test_the_package_is_a_zip_whose_crcs_hold(example_workbook):
    # The package is written by hand (the rows go in deflated as Rows holds them): every
    # entry's CRC-32 and length check out, and the combined CRC is zlib's.
    import zlib

    from clustbudget.xlsx.package import crc32_combine

    _, path = example_workbook
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
    for a, b in [(b"", b""), (b"abc", b""), (b"", b"xyz"), (bytes(range(256)) * 40, b"\xff" * 70_001)]:
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_a_long_action_title_wraps_in_per_azione_and_is_never_cut(tmp_path):
    """Issue 9's review: the action title was cut in "Per azione". A title longer than its
    column wraps there, whole, and its row is tall enough for every line."""
    long_title = (
        "Azioni di sistema per il capitale umano, le competenze e la formazione "
        "degli associati e dei giovani ricercatori della regione"
    )
    source = (DATA / "actions-years.yaml").read_text(encoding="utf-8")
    assert "title: Capitale umano" in source
    budget = tmp_path / "long-title.yaml"
    budget.write_text(source.replace("title: Capitale umano", f"title: {long_title}"), encoding="utf-8")
    export(budget, tmp_path / "long-title.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "long-title.xlsx")["Per azione"]
    row = find_row(ws, 1, "4")
    cell = ws[f"B{row}"]
    assert cell.value == long_title  # whole, not cut
    assert cell.alignment.wrap_text is True
    width = ws.column_dimensions["B"].width
    assert width < len(long_title)  # it needs more than one line...
    lines = -(-len(long_title) // int(width))
    assert ws.row_dimensions[row].height >= 15 * lines * 0.9  # ...and the row is as tall as they are
