"""`clustbudget results`: the annual results report of the example project, its figures
worked out by hand, its workbook equal to the JSON and recalculated by LibreOffice."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from clustbudget.results import load_results, year_results
from clustbudget.xlsx.results import ResultsWorkbook, write_results_xlsx

from .conftest import EXAMPLE, ROOT, run_cli
from .libreoffice import (
    assert_recalculated_from_wrong_cache,
    cents,
    recalculate,
    soffice,
    wrong_cached_results,
)
from .pdftext import points, text_of, words_of


@pytest.fixture(scope="module")
def json2021() -> dict:
    out = run_cli("results", EXAMPLE, "--year", "2021", "-f", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_organisations_members_and_events_are_counted_from_the_lists(json2021):
    data = json2021
    assert data["format"] == "clustbudget.results" and data["year"] == 2021
    orgs = data["organisations"]["by_category"]
    # the example's 2021 entries: 2 micro, 3 small, 2 medium, 2 large, 2 research, 1
    # university, 1 training, 1 public body, 2 associations
    assert orgs == {
        "micro_company": 2,
        "small_company": 3,
        "medium_company": 2,
        "large_company": 2,
        "research_centre": 2,
        "university": 1,
        "training_body": 1,
        "public_body": 1,
        "association": 2,
        "other": 0,
    }
    assert data["organisations"]["total"] == 16
    # 15 members joined by 2020, one left on 2021-06-30, four joined in 2021: 18 at year end
    assert data["members"]["total"] == 18 and data["members"]["new_total"] == 4
    assert data["events"]["events"] == 6 and data["events"]["participants"] == 455
    assert data["periods"] == ["SAL-1", "SAL-2"]


def test_channels_are_ranked_by_reach_and_by_cost_per_contact(json2021):
    channels = {c["key"]: c for c in json2021["channels"]}
    # The communication manager in 2021: 325 h in SAL-1 + 120 h in SAL-2 at 30.00 = 13,350.00;
    # the website's 15% is 2,002.50, plus the SAL-2 part of FT 2021/015 (1,500.00):
    # 3,502.50 / 14,200 contacts = 0.2467 → 0.25.
    assert json2021["communication"]["staff"] == "13350.00"
    web = channels["website"]
    assert (web["expenses"], web["staff"], web["cost"], web["cost_per_contact"]) == (
        "1500.00",
        "2002.50",
        "3502.50",
        "0.25",
    )
    # MEDICA 2021: 4,200.00 + 5% of 13,350.00 = 667.50 → 4,867.50 / 96 = 50.703 → 50.70
    assert channels["fairs"]["cost_per_contact"] == "50.70"
    assert [c["key"] for c in json2021["channels"]][:3] == ["website", "newsletter", "social_media"]
    by_cost = sorted(json2021["channels"], key=lambda c: c["cost_rank"])
    assert [c["key"] for c in by_cost][-2:] == ["meetings", "fairs"]
    # every item-D invoice of 2021 is assigned; D + staff = 7,500.00 + 13,350.00
    assert json2021["communication"]["unassigned"] == "0.00"
    assert json2021["communication"]["total"] == "20850.00"


def test_indicators_against_targets_and_actions(json2021):
    ind = {i["id"]: i for i in json2021["indicators"]}
    assert (ind["organisations-reached"]["value"], ind["organisations-reached"]["target"]) == ("16", "15")
    assert ind["organisations-reached"]["counted"] == "organisations" and ind["organisations-reached"]["met"]
    assert ind["eu-proposals"]["value"] == "4" and ind["eu-proposals"]["sources"]
    assert ind["participants"]["share"] == "1.1375"  # 455 / 400
    actions = {a["id"]: a for a in json2021["actions"]}
    assert (actions["2"]["indicators"], actions["2"]["met"], actions["2"]["events"]) == (3, 3, 3)


def test_the_years_spending_comes_from_the_accepted_costs(json2021):
    rows = {r["key"]: r for r in json2021["spending"]}
    # B in 2021 is the communication manager's 13,350.00; D the four invoices dated 2021:
    # 1,000.00 + 800.00 + 4,200.00 + 1,500.00 = 7,500.00
    assert rows["B"]["accepted_year"] == "13350.00"
    assert rows["D"]["accepted_year"] == "7500.00"
    direct = D(rows["direct"]["accepted_year"])
    assert direct == sum(D(rows[k]["accepted_year"]) for k in "ABCD")
    # E of the year = 25% of the year's accepted direct costs, half-up
    assert D(rows["E"]["accepted_year"]) == (direct * D("0.25")).quantize(D("0.01"))
    assert rows["total"]["budget"] == "200000.00" and rows["total"]["budget_year"] is None
    # the two years in the project's cost reports add up to what the reports accept
    report = json.loads(run_cli("report", EXAMPLE, "-f", "json").stdout)
    total = next(i for i in report["items"] if i["key"] == "B")
    years = [
        json.loads(run_cli("results", EXAMPLE, "--year", y, "-f", "json").stdout)["spending"]
        for y in ("2020", "2022")
    ]
    b = D(rows["B"]["accepted_year"]) + sum(
        D(next(r for r in s if r["key"] == "B")["accepted_year"]) for s in years
    )
    assert b == D(total["actual"])


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    """The 2021 report as a workbook, in Italian, honest and with wrong cached results, and
    the latter recalculated by LibreOffice."""
    soffice()
    folder = tmp_path_factory.mktemp("results")
    res = year_results(load_results(EXAMPLE), 2021)
    pack = load_results(EXAMPLE).project.budget.pack
    honest = write_results_xlsx(res, pack, folder / "honest.xlsx")
    with wrong_cached_results():
        wrong = write_results_xlsx(res, pack, folder / "wrong.xlsx")
    copies = recalculate([wrong], tmp_path_factory.mktemp("recalculated"))
    return res, pack, honest, wrong, copies[wrong]


def test_the_workbook_recalculates_to_our_figures(workbooks, json2021):
    res, pack, honest, wrong, copy = workbooks
    assert assert_recalculated_from_wrong_cache(honest, wrong, copy) >= 30
    values = openpyxl.load_workbook(copy, data_only=True)
    assert values.sheetnames == ["Riepilogo", "Canali", "Indicatori", "Spesa"]
    # the key cells are known once the workbook is built
    book = ResultsWorkbook(res, pack, "it", datetime.now())
    book.build()
    cells = book.cells

    def at(name: str):
        sheet, ref = cells[name].split("!")
        return values[sheet.strip("'")][ref].value

    assert at("organisations_total") == json2021["organisations"]["total"]
    assert at("members_total") == json2021["members"]["total"]
    assert at("participants_total") == json2021["events"]["participants"]
    assert cents(at("communication_cost")) == D(json2021["communication"]["total"])
    total = next(r for r in json2021["spending"] if r["key"] == "total")
    assert cents(at("accepted_year_total")) == D(total["accepted_year"])
    assert cents(at("accepted_to_date_total")) == D(total["accepted_to_date"])
    # per channel, as the JSON has it, in the JSON's order (by reach)
    canali = values["Canali"]
    per = [canali.cell(r, 6).value for r in range(3, 3 + len(json2021["channels"]))]
    assert [cents(v) for v in per] == [D(c["cost_per_contact"]) for c in json2021["channels"]]
    # charts: organisations on the Summary, contacts and cost per contact on Channels
    book = openpyxl.load_workbook(honest)
    assert len(book["Riepilogo"]._charts) == 1 and len(book["Canali"]._charts) == 2


def test_results_writes_the_workbook_and_refuses_to_overwrite(tmp_path):
    out = run_cli("results", EXAMPLE, "--year", "2021", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    target = tmp_path / "clust-er-health-2020-2022-results-2021.xlsx"
    assert target.is_file() and str(target.name) in out.stdout
    assert (tmp_path / "clust-er-health-2020-2022-results-2021.pdf").is_file()
    assert "Report dei risultati 2021" not in out.stdout  # the terminal follows the locale (English)
    again = run_cli("results", EXAMPLE, "--year", "2021", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    assert run_cli("results", EXAMPLE, "--year", "2021", "--force", cwd=tmp_path).returncode == 0
    sheet = openpyxl.load_workbook(target)["Riepilogo"]
    assert sheet["A1"].value == "Report dei risultati 2021"


def test_results_refuses_a_year_outside_the_project_and_a_missing_file(tmp_path):
    out = run_cli("results", EXAMPLE, "--year", "2024", "-f", "json")
    assert out.returncode == 2 and "2024" in out.stderr and "Traceback" not in out.stderr
    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    budget = tmp_path / "budgets" / EXAMPLE.name
    (budget.parent / budget.stem / "indicators.yaml").unlink()
    out = run_cli("results", budget, "--year", "2021", "-f", "json")
    assert out.returncode == 2 and "indicators.yaml" in out.stderr


def test_results_refuses_an_indicators_file_with_errors(tmp_path):
    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    budget = tmp_path / "budgets" / EXAMPLE.name
    path = budget.parent / budget.stem / "indicators.yaml"
    path.write_text(path.read_text().replace("category: public_body", "category: comune", 1))
    out = run_cli("results", budget, "--year", "2021", "-f", "json")
    assert out.returncode == 1 and "CB500" in out.stdout + out.stderr


def test_export_and_report_leave_the_indicators_file_out_of_the_reports(tmp_path):
    """`export BUDGET budgets/<name>/*.yaml`: the shell's glob names the indicators file too."""
    folder = ROOT / "budgets" / EXAMPLE.stem
    named = sorted(folder.glob("*.yaml"))
    assert folder / "indicators.yaml" in named
    out = run_cli("report", EXAMPLE, *named, "-f", "json")
    assert out.returncode == 0, out.stderr
    assert [p["id"] for p in json.loads(out.stdout)["periods"]] == ["SAL-1", "SAL-2"]
    target = tmp_path / "r.xlsx"
    assert run_cli("export", EXAMPLE, *named, "-o", target).returncode == 0


def test_the_example_command_of_the_issue_works(tmp_path):
    relative = Path("budgets") / EXAMPLE.name
    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    out = run_cli("results", relative, "--year", "2021", "--lang", "it", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Organizzazioni raggiunte per categoria" in out.stdout and "sito web" in out.stdout


def test_the_pdf_reads_back_with_the_figures_of_the_json(tmp_path, json2021):
    target = tmp_path / "r.pdf"
    out = run_cli("results", EXAMPLE, "--year", "2021", "-o", target)
    assert out.returncode == 0, out.stderr
    text = text_of(target)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Report dei risultati 2021" in lines
    assert "Per il Consiglio Direttivo e l'Assemblea dei soci" in lines
    # organisations by category, the JSON's counts in Italian words
    assert "piccola impresa 3" in lines and "Totale 16" in lines
    # each channel's row: contacts, item D costs, staff cost, cost per contact, rank by cost
    for ch in json2021["channels"]:
        words = {"website": "sito web", "newsletter": "newsletter", "fairs": "fiere (BIO-Europe, MEDICA…)"}
        if ch["key"] in words:
            row = next(line for line in lines if line.startswith(words[ch["key"]] + " "))
            figures = row[len(words[ch["key"]]) + 1 :].split()
            assert figures[0] == f"{ch['contacts']:,}".replace(",", ".")
            assert figures[3] == ch["cost_per_contact"].replace(".", ",")
    assert "Costi di comunicazione dell'anno: 20.850,00 €" in lines
    total = next(r for r in json2021["spending"] if r["key"] == "total")
    accepted = f"{D(total['accepted_year']):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert any(line.startswith("Totale 200.000,00") and accepted in line for line in lines)
    assert "pagina 1 di" in text
    # the charts' labels: each category again below its table, each channel below the channels
    assert lines.count("microimpresa") == 1 and lines.count("sito web") == 1
    # no text below 8 points
    assert min(points(w) for w in words_of(target)) >= 7.9
