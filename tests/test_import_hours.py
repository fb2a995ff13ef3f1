"""import-hours: a timesheet export (Kimai's layout, Italian headers; CSV, xlsx) into a report's
staff hours, by month or by day, with the ledger import's guarantees."""

import shutil
from datetime import datetime, time
from decimal import Decimal

import pytest
import yaml

from clustbudget.hoursin import days_supported, hours_text, insert_hours, minutes_of
from clustbudget.loading import load_file

from .conftest import EXAMPLE

KIMAI = """\
Date,From,To,Duration,Rate,User,Customer,Project,Activity,Description
2022-03-01,09:00,13:00,4:00,0,cluster-manager,Clust-ER,Clust-ER Health,Vita associativa,Assemblea
2022-03-01,14:00,17:30,3:30,0,cluster-manager,Clust-ER,Clust-ER Health,Promozione,Fiera
2022-03-02,09:00,17:00,8:00,0,cluster-manager,Clust-ER,Altro progetto,Supporto,Altro
2022-03-03,09:00,11:20,2:20,0,Communication Manager,Clust-ER,Clust-ER Health,Promozione,Social
2022-04-04,09:00,15:00,6:00,0,cluster-manager,Clust-ER,Clust-ER Health,Promozione,Newsletter
"""


@pytest.fixture
def report(cli, tmp_path):
    """The example project with a fresh SAL-2 (new-period): its staff with no hours yet."""
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    (tmp_path / EXAMPLE.stem / "sal-2.yaml").unlink()
    r = cli("new-period", tmp_path / EXAMPLE.name, "--id", "SAL-2", "--end", "2022-09-20")
    assert r.returncode == 0, r.stderr
    return tmp_path / EXAMPLE.stem / "sal-2.yaml"


def test_kimai_export_by_month(cli, report, tmp_path):
    path = tmp_path / "kimai.csv"
    path.write_text(KIMAI)
    r = cli("import-hours", path, "--into", report, "--project", "Clust-ER Health", "--form", "months")
    assert r.returncode == 0, r.stderr
    assert "imported 3 months of hours for 2 people" in r.stdout
    staff = load_file(report).model.staff
    # 4:00 + 3:30 on 1 March (the other project's 8 hours are not ours), 6:00 in April; 2:20 = 2.33
    assert staff[0].hours == {"2022-03": Decimal("7.5"), "2022-04": Decimal("6")}
    assert staff[1].hours == {"2022-03": Decimal("2.33")}
    assert "# SAL-2 of" in report.read_text()  # the file's comments are kept
    assert cli("validate", report.parent.parent).returncode == 0
    # the same export again: refused, nothing added twice
    text = report.read_text()
    again = cli("import-hours", path, "--into", report, "--project", "Clust-ER Health", "--form", "months")
    assert again.returncode == 1
    assert (
        "cluster-manager already has hours for 2022-03 in the report: nothing is added twice" in again.stderr
    )
    assert report.read_text() == text


def test_several_projects_need_project(cli, report, tmp_path):
    path = tmp_path / "kimai.csv"
    path.write_text(KIMAI)
    r = cli("import-hours", path, "--into", report, "--form", "months")
    assert r.returncode == 1 and "the export has the hours of 2 projects" in r.stderr


def test_italian_xlsx_with_a_title_row(cli, report, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Fogli presenze marzo 2022"])
    ws.append(["Persona", "Data", "Ore", "Assenza"])
    ws.append(["Cluster Manager", datetime(2022, 3, 7), time(7, 45), None])
    ws.append(["Cluster Manager", datetime(2022, 3, 8), 8, None])
    ws.append(["communication-manager", "09/03/2022", "3,5", None])
    ws.append(["Cluster Manager", datetime(2022, 3, 9), None, "ferie"])
    path = tmp_path / "presenze.xlsx"
    wb.save(path)
    r = cli("import-hours", path, "--into", report, "--form", "months")
    assert r.returncode == 0, r.stderr
    staff = load_file(report).model.staff
    assert staff[0].hours == {"2022-03": Decimal("15.75")}
    assert staff[1].hours == {"2022-03": Decimal("3.5")}


def test_bad_rows_refuse_everything(cli, report, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Persona;Data;Ore\n"
        "Cluster Manager;01/03/2022;8\n"
        "Mario Rossi;02/03/2022;8\n"
        "Cluster Manager;31/12/2022;8\n"
        "Cluster Manager;03/03/2022;otto\n"
    )
    text = report.read_text()
    r = cli("import-hours", path, "--into", report, "--form", "months")
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert (
        lines[0]
        == f"{path}:3: 'Mario Rossi' is not in the report's staff (cluster-manager, communication-manager): add the person, then import again"
    )
    assert lines[1] == f"{path}:4: 2022-12-31 is outside period SAL-2 (2021-10-01 to 2022-09-20)"
    assert lines[2] == f"{path}:5: 'otto' is not a number of hours (7.5, 7,5 or 7:30)"
    assert lines[3].endswith("3 of 4 rows cannot be imported: nothing written")
    assert report.read_text() == text


def test_hours_that_break_the_rules_are_refused(cli, report, tmp_path):
    path = tmp_path / "troppe.csv"
    # 31 days × 24 hours is the calendar's limit for March (CB307): 800 hours cannot be true
    path.write_text("Persona;Data;Ore\nCluster Manager;01/03/2022;800\n")
    text = report.read_text()
    r = cli("import-hours", path, "--into", report, "--form", "months")
    assert r.returncode == 1 and "CB307" in r.stderr, r.stderr
    assert report.read_text() == text


@pytest.mark.parametrize(
    ("cell", "minutes"),
    [
        ("7:30", 450),
        ("07:30:00", 450),
        ("7,5", 450),
        ("7.5", 450),
        ("2:20", 140),
        (7.25, 435),
        (time(1, 5), 65),
        ("8 h", 480),
        ("x", None),
    ],
)
def test_durations(cell, minutes):
    assert minutes_of(cell) == minutes


def test_minutes_round_half_up_to_the_cent_of_an_hour():
    assert [hours_text(m) for m in (20, 450, 140, 1)] == ["0.33", "7.5", "2.33", "0.02"]


def test_days_are_written_under_days(tmp_path):
    text = (
        "clustbudget: 1\nbudget: ../b.yaml\nperiod: {id: SAL-1, start: 2022-01-01, end: 2022-12-31}\n"
        "staff:\n  - id: cm\n    name: CM\n    item: A\n    annual_gross_cost: 1000.00\n    cost_year: 2021\n"
        "    hours: {}   # by month\n  - id: other\n    name: Other\n    item: A\n"
        "    annual_gross_cost: 1000.00\n    cost_year: 2021\n    days:\n      2022-03-01: 8\n"
        "expenses: []\n"
    )
    new = insert_hours(
        text,
        "days",
        {0: {"2022-03-02": '{actions: {"1": 4, "2": 3.5}}'}, 1: {"2022-03-03": '{absence: "ferie"}'}},
    )
    data = yaml.safe_load(new)
    assert data["staff"][0]["days"] == {datetime(2022, 3, 2).date(): {"actions": {"1": 4, "2": 3.5}}}
    assert data["staff"][1]["days"] == {
        datetime(2022, 3, 1).date(): 8,
        datetime(2022, 3, 3).date(): {"absence": "ferie"},
    }
    assert "    hours: {}   # by month\n" in new  # the rest of the file as it was


@pytest.mark.skipif(not days_supported(), reason="the report format has no days: yet")
def test_kimai_export_by_day(cli, report, tmp_path):
    path = tmp_path / "kimai.csv"
    path.write_text(KIMAI)
    r = cli("import-hours", path, "--into", report, "--project", "Clust-ER Health")
    assert r.returncode == 0, r.stderr
    staff = load_file(report).model.staff
    days = {d.isoformat(): v for d, v in staff[0].days.items()}
    assert days["2022-03-01"].actions == {"1": Decimal("4"), "2": Decimal("3.5")}
    assert days["2022-03-02"].other_projects == Decimal("8")
