"""`clustbudget summary PATH...` (issue 15): the portfolio, its figures each project's own.

Over the example project, the golden generated project (whose sibling broken budget cannot
be computed) and generated copies of the forecast test project, every row's figures are
checked against `clustbudget report -f json` of that project; the workbook is recalculated
by LibreOffice to the same figures.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from clustbudget.portfolio import find_budgets, portfolio
from clustbudget.xlsx.summary import build

from .conftest import DATA, ROOT, run_cli
from .golden_project import write_golden_project
from .libreoffice import assert_recalculated_from_wrong_cache, cents, recalculate, wrong_cached_results
from .test_forecast import SAL1, report

D = Decimal


def generated_project(folder: Path, name: str, reports: dict[str, str]) -> Path:
    """A copy of the forecast test project as ``folder/name.yaml`` with ``reports``."""
    folder.mkdir(parents=True, exist_ok=True)
    budget = folder / f"{name}.yaml"
    shutil.copy(DATA / "forecast" / "budget.yaml", budget)
    if not (folder / "pack.yaml").exists():
        shutil.copy(DATA / "forecast" / "pack.yaml", folder / "pack.yaml")
    (folder / name).mkdir()
    for file, text in reports.items():
        text = text.replace("budget: ../budget.yaml", f"budget: ../{name}.yaml")
        (folder / name / file).write_text(text, encoding="utf-8")
    return budget


REVIEWED = SAL1.replace("end: 2021-06-30}", "end: 2021-06-30, reviewed: 2021-09-15}")


@pytest.fixture(scope="module")
def portfolio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portfolio")
    shutil.copytree(ROOT / "budgets", root / "budgets")
    write_golden_project(root / "golden")
    gen = root / "generated"
    generated_project(gen, "p-linear", {"sal-1.yaml": SAL1})
    generated_project(gen, "p-none", {})
    generated_project(gen, "p-reviewed", {"sal-1.yaml": REVIEWED})
    generated_project(gen, "p-idle", {"sal-1.yaml": report("SAL-1", "2021-01-01", "2021-06-30")})
    return root


def test_summary_finds_each_budget_once_and_not_revisions_or_reports(portfolio_dir: Path) -> None:
    found = sorted(p.relative_to(portfolio_dir).as_posix() for p in find_budgets([portfolio_dir]))
    assert found == [
        "budgets/clust-er-health-2020-2022.yaml",  # V1 is a revision of it, not a project
        "generated/p-idle.yaml",
        "generated/p-linear.yaml",
        "generated/p-none.yaml",
        "generated/p-reviewed.yaml",
        "golden/broken.yaml",
        "golden/golden.yaml",
    ]


def test_every_row_is_what_report_json_says_of_its_project(portfolio_dir: Path) -> None:
    result = run_cli("summary", "-f", "json", ".", cwd=portfolio_dir)
    assert result.returncode in (1, 2), result.stderr  # the golden project has errors
    data = json.loads(result.stdout)
    assert data["format"] == "clustbudget.summary" and data["format_version"] == 1
    rows = {Path(p["path"]).as_posix(): p for p in data["projects"]}
    assert len(rows) == 7
    checked = 0
    for path, row in rows.items():
        rep = run_cli("report", "-f", "json", path, cwd=portfolio_dir)
        report_data = json.loads(rep.stdout)
        severities = [f["severity"] for f in report_data["findings"]]
        assert (row["errors"], row["warnings"]) == (severities.count("error"), severities.count("warning")), (
            path
        )
        fc = report_data["forecast"]
        if fc is None:
            assert row["budget"] is None and path.endswith("broken.yaml")
            continue
        total = fc["items"][-1]
        assert (
            row["budget"] == total["budget"] == report_data["items"][-1]["budget"]
            if report_data["items"]
            else True
        )
        assert (row["budget"], row["accepted"], row["remaining"]) == (
            total["budget"],
            total["actual"],
            total["remaining"],
        ), path
        assert (row["months_left"], row["projected"], row["difference"]) == (
            fc["months_left"],
            total["projected"],
            total["difference"],
        ), path
        if report_data["items"]:
            last = report_data["items"][-1]
            assert (row["accepted"], row["share_used"]) == (last["actual"], last["share_used"]), path
        periods = report_data["periods"]
        if periods:
            assert row["latest_period"] == {
                "id": periods[-1]["id"],
                "end": periods[-1]["end"],
                "reviewed": periods[-1]["reviewed"],
            }, path
        else:
            assert row["latest_period"] is None
        checked += 1
    assert checked == 6
    totals = data["totals"]
    budgets = [D(p["budget"]) for p in data["projects"] if p["budget"] is not None]
    assert totals["budget"] == f"{sum(budgets)}"
    assert totals["projects"] == 7
    assert totals["errors"] == sum(p["errors"] for p in data["projects"])


def test_hand_computed_rows(portfolio_dir: Path) -> None:
    result = portfolio([portfolio_dir / "generated"])
    rows = {Path(p.path).stem: p for p in result.projects}
    linear, none, reviewed = rows["p-linear"], rows["p-none"], rows["p-reviewed"]
    # tests/test_forecast.py's linear case: 17,500.00 of 75,000.00 in 6 of 24 months
    assert (linear.accepted, linear.share_used, linear.remaining) == (
        D("17500.00"),
        D("0.2333"),
        D("57500.00"),
    )
    assert (linear.months_left, linear.projected, linear.difference) == (
        D("18.00"),
        D("70000.00"),
        D("-5000.00"),
    )
    assert (linear.latest_period, linear.reviewed) == ("SAL-1", None)
    assert (none.accepted, none.months_left, none.projected, none.latest_period) == (
        D("0.00"),
        D("24.00"),
        None,
        None,
    )
    assert str(reviewed.reviewed) == "2021-09-15"
    # totals: four budgets of 75,000.00; projections of the three with a period
    assert result.budget == D("300000.00") and result.accepted == D("35000.00")
    assert result.projected == D("140000.00")  # 70,000 + 70,000 + 0 (the idle one)


def test_summary_text_in_italian(portfolio_dir: Path) -> None:
    result = run_cli("summary", "--lang", "it", "generated", cwd=portfolio_dir, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "Portafoglio: 4 progetti" in result.stdout
    assert "70.000,00" in result.stdout and "revisionato il 15/09/2021" in result.stdout
    assert "non revisionato" in result.stdout and "nessun periodo" in result.stdout


def test_summary_of_nothing_and_of_a_missing_path(tmp_path: Path) -> None:
    result = run_cli("summary", tmp_path)
    assert result.returncode == 0 and "No budget found" in result.stdout
    missing = run_cli("summary", tmp_path / "nope.yaml")
    assert missing.returncode == 2


@pytest.mark.libreoffice
def test_the_workbook_recalculates_to_our_figures(portfolio_dir: Path, tmp_path: Path) -> None:
    result = portfolio([portfolio_dir])
    honest = tmp_path / "portfolio.xlsx"
    with open(honest, "wb") as out:
        build(result, "en").write(out)
    wrong = tmp_path / "portfolio-wrong.xlsx"
    with wrong_cached_results(), open(wrong, "wb") as out:
        build(result, "en").write(out)
    copy = recalculate([wrong], tmp_path / "recalculated")[wrong]
    # used, remaining (6 rows), over/short (5 with a projection), 8 totals
    assert assert_recalculated_from_wrong_cache(honest, wrong, copy) == 25
    ws = openpyxl.load_workbook(copy, data_only=True)["Portfolio"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Project")
    total = next(r for r in range(header, ws.max_row + 1) if ws.cell(r, 1).value == "Total")
    assert total - header - 1 == 7  # one row per project
    assert cents(ws.cell(total, 3).value) == result.budget
    assert cents(ws.cell(total, 4).value) == result.accepted
    assert cents(ws.cell(total, 6).value) == result.remaining
    assert cents(ws.cell(total, 9).value) == result.projected
    assert cents(ws.cell(total, 10).value) == result.difference
    wb = openpyxl.load_workbook(honest)
    assert len(wb["Portfolio"]._charts) == 1


def test_cli_writes_the_workbook_and_refuses_to_overwrite(portfolio_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "p.xlsx"
    first = run_cli("summary", "generated", "-o", target, cwd=portfolio_dir)
    assert first.returncode == 0, first.stderr
    assert target.is_file() and "p.xlsx" in first.stdout
    again = run_cli("summary", "generated", "-o", target, cwd=portfolio_dir)
    assert again.returncode == 2 and "--force" in again.stderr
    assert run_cli("summary", "generated", "-o", target, "--force", cwd=portfolio_dir).returncode == 0
    ws = openpyxl.load_workbook(target)["Portafoglio"]
    assert ws.cell(4, 1).value == "Progetto"


def test_the_portfolio_title_says_one_project_or_many_in_both_languages(
    portfolio_dir: Path, tmp_path: Path
) -> None:
    example = ROOT / "budgets" / "clust-er-health-2020-2022.yaml"
    for lang, one in (("it", "Portafoglio: 1 progetto"), ("en", "Portfolio: 1 project")):
        result = run_cli("summary", "--lang", lang, example, env={"COLUMNS": "200"})
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0].strip() == one, result.stdout[:200]
    many = portfolio([portfolio_dir])
    titles = {}
    for name, result in (("one", portfolio([example])), ("many", many)):
        for lang in ("it", "en"):
            path = tmp_path / f"{name}-{lang}.xlsx"
            with open(path, "wb") as out:
                build(result, lang).write(out)
            titles[name, lang] = openpyxl.load_workbook(path).worksheets[0]["A1"].value
    n = len(many.projects)
    assert titles == {
        ("one", "it"): "Portafoglio di 1 progetto",
        ("one", "en"): "Portfolio of 1 project",
        ("many", "it"): f"Portafoglio di {n} progetti",
        ("many", "en"): f"Portfolio of {n} projects",
    }
