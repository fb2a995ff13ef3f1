"""Monthly timesheets and hourly-cost statements: hand-computed hours and costs for a full-time
and a part-time person, a month with a national holiday and one with the patron saint's day;
the workbooks recalculated by LibreOffice to our figures; the PDFs read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from clustbudget.cli import app
from clustbudget.pipeline import load_project
from clustbudget.timesheet import (
    UNSPLIT,
    cost_statements,
    timesheets,
    write_cost_statements,
    write_timesheets,
)

from .libreoffice import (
    assert_recalculated_from_wrong_cache,
    cents,
    number,
    recalculate,
    wrong_cached_results,
)
from .test_days import PART_TIME, PATRON, project

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "budgets" / "clust-er-health-2020-2022.yaml"
SAL2 = ROOT / "budgets" / "clust-er-health-2020-2022" / "sal-2.yaml"
D = Decimal


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_full_time_month_given_by_day():
    # The example's Cluster Manager, April 2022 in SAL-2: 14 days of 4 + 3 (+ 1 ordinary) and
    # 4 days of 4 + 4: 14 × 7 + 4 × 8 = 130 hours; 18 and 25 April national holidays, 22 April
    # leave. 65,000.00 / 1,720 = 37.79; 37.79 × 130 = 4,912.70.
    (ts,) = timesheets(load_project(EXAMPLE), "SAL-2", person="cluster-manager", month="2022-04")
    assert ts.by_day
    assert ts.columns == ["1", "2"]
    assert (ts.hours, ts.person.hourly_rate, ts.cost) == (D("130"), D("37.79"), D("4912.70"))
    assert ts.column_totals == {"1": D("72"), "2": D("58")}
    assert ts.ordinary == D("14") and ts.other_projects == D("0")
    days = {d.day.day: d for d in ts.days}
    assert len(days) == 30
    assert days[18].holiday and days[25].holiday and days[17].sunday
    assert days[22].absence == "ferie" and days[22].project == 0 and not days[22].actions
    assert ts.not_accepted_hours == 0
    assert ts.header.legal_representative and ts.header.period_id == "SAL-2"


def test_a_month_given_by_month_only_has_an_empty_grid():
    # The Communication Manager, March 2022: 40 hours by month; 36,120.00 / 1,204 = 30.00; 1,200.00.
    (ts,) = timesheets(load_project(EXAMPLE), "SAL-2", person="communication-manager", month="2022-03")
    assert not ts.by_day
    assert all(d.project is None and not d.actions for d in ts.days)
    assert ts.columns == ["1", "2", "3", "4"]  # every action of the budget, to fill in by hand
    assert (ts.hours, ts.person.hourly_rate, ts.cost) == (D("40"), D("30.00"), D("1200.00"))
    assert ts.person.hours_per_day == D("5.6")  # 8 × 1,204 / 1,720


def test_part_time_with_a_national_holiday(tmp_path):
    # 860 hours a year: 4 a day; 30,000.00 / 860 = 34.88; 15 hours: 523.20, of which 5 not
    # accepted (Easter Monday's 4, and 1 beyond the 4 of 6 April).
    result = load_project(project(tmp_path, PART_TIME))
    (ts,) = timesheets(result, "SAL-1")
    assert ts.month == "2021-04"
    assert ts.person.hours_per_day == D("4")
    assert (ts.hours, ts.cost, ts.not_accepted_hours) == (D("15"), D("523.20"), D("5"))
    assert ts.columns == [UNSPLIT]
    day = {d.day.day: d for d in ts.days}
    assert day[5].holiday and day[5].project == D("4")
    assert day[7].total == D("5")  # 2 on the project, 3 on other projects


def test_the_patron_saints_day(tmp_path):
    result = load_project(
        project(tmp_path, PATRON, period="2021-10-01, end: 2022-09-30", extra='  patron_saint_day: "10-04"\n')
    )
    (ts,) = timesheets(result)
    day = {d.day.day: d for d in ts.days}
    assert day[4].patron and not day[5].patron
    # 16 hours × 37.79 = 604.64; 4 October's 8 not accepted
    assert (ts.hours, ts.cost, ts.not_accepted_hours) == (D("16"), D("604.64"), D("8"))


def test_the_hourly_cost_statement_is_filed_with_the_first_period():
    p = load_project(EXAMPLE)
    first = {s.person.id: s for s in cost_statements(p, "SAL-1")}
    later = {s.person.id: s for s in cost_statements(p, "SAL-2")}
    cm = later["cluster-manager"]
    # 47,000.00 + 14,100.00 + 3,481.48 + 418.52 = 65,000.00; ÷ 1,720 = 37.79
    assert cm.figures.total == D("65000.00") and cm.figures.matches
    assert cm.figures.hourly_rate == D("37.79") == cm.person.hourly_rate
    assert first["cluster-manager"].filed_here and first["cluster-manager"].filed_with == "SAL-1"
    assert not cm.filed_here and cm.filed_with == "SAL-1"
    pt = later["communication-manager"]
    # 26,100.00 + 7,830.00 + 1,933.33 + 256.67 = 36,120.00; ÷ 1,204 = 30.00
    assert (pt.figures.total, pt.figures.hourly_rate) == (D("36120.00"), D("30.00"))


def _sheet_values(path: Path) -> dict[str, object]:
    """Column A's labels → column C's value (the timesheet's summary rows), or B's (statement)."""
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    out: dict[str, object] = {}
    for row in ws.iter_rows():
        label = row[0].value
        if isinstance(label, str) and len(row) > 2:
            out[label] = row[2].value if row[2].value is not None else row[1].value
        elif isinstance(label, str) and len(row) > 1:
            out[label] = row[1].value
    return out


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_timesheets_and_statements_to_our_figures(tmp_path):
    p = load_project(EXAMPLE)
    honest = tmp_path / "honest"
    wrong = tmp_path / "wrong"
    written = write_timesheets(
        p, "SAL-2", honest, "it", person="cluster-manager", month="2022-04", formats=("xlsx",)
    )
    written += write_timesheets(
        p, "SAL-2", honest, "en", person="communication-manager", month="2022-03", formats=("xlsx",)
    )
    written += write_cost_statements(p, "SAL-2", honest, "it", formats=("xlsx",))
    with wrong_cached_results():
        write_timesheets(
            p, "SAL-2", wrong, "it", person="cluster-manager", month="2022-04", formats=("xlsx",)
        )
        write_timesheets(
            p, "SAL-2", wrong, "en", person="communication-manager", month="2022-03", formats=("xlsx",)
        )
        write_cost_statements(p, "SAL-2", wrong, "it", formats=("xlsx",))
    copies = recalculate([wrong / w.name for w in written], tmp_path / "lo")
    for w in written:
        assert assert_recalculated_from_wrong_cache(w, wrong / w.name, copies[wrong / w.name]) >= 2
    april = _sheet_values(copies[wrong / "timesheet-SAL-2-cluster-manager-2022-04.xlsx"])
    assert number(april["Ore sul progetto nel mese"]) == D("130")
    assert cents(april["Costo del mese (ore × costo orario)"]) == D("4912.70")
    march = _sheet_values(copies[wrong / "timesheet-SAL-2-communication-manager-2022-03.xlsx"])
    assert cents(march["Cost of the month (hours × hourly rate)"]) == D("1200.00")
    statement = _sheet_values(copies[wrong / "costo-orario-cluster-manager.xlsx"])
    assert cents(statement["Costo annuo lordo (somma delle componenti)"]) == D("65000.00")
    assert cents(statement["Costo orario (costo annuo lordo ÷ ore, arrotondato al centesimo)"]) == D("37.79")


def test_the_pdfs_read_back(tmp_path):
    p = load_project(EXAMPLE)
    paths = write_timesheets(p, "SAL-2", tmp_path, "it", person="cluster-manager", month="2022-04")
    pdf = next(x for x in paths if x.suffix == ".pdf")
    text = pdf_text(pdf)
    assert "Foglio presenze mensile — aprile 2022" in text
    assert "Clust-ER Industrie della Salute e del Benessere 2020-2022" in text
    assert "Ore sul progetto nel mese" in text and "130" in text
    assert "4.912,70 €" in text
    assert "festività nazionale" in text and "ferie" in text
    assert "Firma del legale rappresentante" in text and "Luogo e data" in text
    monthly = write_timesheets(p, "SAL-2", tmp_path, "en", person="communication-manager", month="2022-03")
    text = pdf_text(next(x for x in monthly if x.suffix == ".pdf"))
    assert "by month only" in text and "1,200.00" in text
    (st_pdf,) = write_cost_statements(
        p, "SAL-2", tmp_path / "st", "it", person="cluster-manager", formats=("pdf",)
    )
    text = pdf_text(st_pdf)
    assert "Prospetto del costo orario — Cluster Manager" in text
    assert "65.000,00" in text and "37,79 €" in text and "riutilizzato invariato" in text


def test_the_timesheet_command(tmp_path):
    runner = CliRunner()
    args = ["timesheet", str(SAL2), "--person", "cluster-manager", "--month", "2022-04", "-o", str(tmp_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "timesheet-SAL-2-cluster-manager-2022-04.pdf",
        "timesheet-SAL-2-cluster-manager-2022-04.xlsx",
    ]
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    nobody = runner.invoke(app, ["timesheet", str(SAL2), "--person", "nobody", "-o", str(tmp_path / "n")])
    assert nobody.exit_code == 2 and not (tmp_path / "n").exists()  # a usage error: see below
    statement = runner.invoke(app, ["hourly-cost", str(SAL2), "-o", str(tmp_path / "st")])
    assert statement.exit_code == 0, statement.output
    assert len(list((tmp_path / "st").iterdir())) == 4


@pytest.mark.parametrize("month", ["2022-13", "2022-00", "13", "2022/04", "april", ""])
def test_a_month_that_is_no_month_is_a_usage_error_in_both_languages(tmp_path, month):
    from .conftest import run_cli

    it = run_cli("timesheet", SAL2, "--month", month, "-o", tmp_path, "--lang", "it")
    en = run_cli("timesheet", SAL2, "--month", month, "-o", tmp_path, env={"LANG": "en_GB.UTF-8"})
    assert (it.returncode, en.returncode) == (2, 2), (it.stderr, en.stderr)
    assert it.stderr == (
        f"clustbudget: --month {month!r}: scrivi il mese come AAAA-MM, per esempio 2022-04 "
        "(vedi 'clustbudget timesheet --help')\n"
    )
    assert en.stderr == (
        f"clustbudget: --month {month!r}: write a month as YYYY-MM, e.g. 2022-04 "
        "(see 'clustbudget timesheet --help')\n"
    )
    assert not it.stdout and not en.stdout and not list(tmp_path.iterdir())


def test_a_month_may_be_written_without_its_leading_zero_and_hourly_cost_has_no_month(tmp_path):
    from .conftest import run_cli

    r = run_cli("timesheet", SAL2, "--person", "cluster-manager", "--month", "2022-4", "-o", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "timesheet-SAL-2-cluster-manager-2022-04.xlsx" in r.stdout
    hc = run_cli("hourly-cost", SAL2, "--month", "2022-13", "-o", tmp_path / "hc", "--lang", "it")
    assert hc.returncode == 2 and len(hc.stderr.splitlines()) == 1
    assert hc.stderr.startswith("clustbudget: opzione inesistente: --month"), hc.stderr


def test_a_failing_writer_leaves_no_file(tmp_path, monkeypatch):
    from clustbudget.xlsx import timesheet as xlsx_timesheet

    def boom(*args, **kwargs):
        raise RuntimeError("the writer failed")

    monkeypatch.setattr(xlsx_timesheet, "build", boom)
    with pytest.raises(RuntimeError):
        write_timesheets(load_project(EXAMPLE), "SAL-2", tmp_path, "it", month="2022-04")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "it", "en"),
    [
        (
            ["timesheet", "--month", "2019-01"],
            "--month 2019-01: non è un mese del periodo SAL-2 (da 2021-10 a 2022-09)",
            "--month 2019-01: not a month of period SAL-2 (2021-10 to 2022-09)",
        ),
        (
            ["timesheet", "--person", "nobody"],
            "--person 'nobody': nessuna persona con questo id nel periodo SAL-2 "
            "(le persone del rendiconto: cluster-manager, communication-manager)",
            "--person 'nobody': no such person in period SAL-2",
        ),
        (
            ["hourly-cost", "--person", "nobody"],
            "--person 'nobody': nessuna persona con questo id nel periodo SAL-2",
            "--person 'nobody': no such person in period SAL-2",
        ),
    ],
)
def test_a_month_outside_the_period_or_an_unknown_person_is_a_one_line_usage_error(tmp_path, args, it, en):
    from .conftest import run_cli

    command, *options = args
    for lang, expected in (("it", it), ("en", en)):
        r = run_cli(command, SAL2, *options, "-o", tmp_path / lang, "--lang", lang)
        assert r.returncode == 2, r.stderr
        assert r.stdout == "" and len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr
        assert expected in r.stderr, r.stderr
        help_hint = "(vedi 'clustbudget " if lang == "it" else "(see 'clustbudget "
        assert r.stderr.rstrip().endswith(f"{help_hint}{command} --help')")
        assert not (tmp_path / lang).exists()  # nothing written
