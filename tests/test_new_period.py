"""new-period: the next report starts the day after the last one ends, carries the staff over
with their rate's basis, has no hours or expenses, and never overwrites."""

import shutil
from datetime import date
from decimal import Decimal

import pytest

from clustbudget.loading import load_file

from .conftest import EXAMPLE


@pytest.fixture
def project(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    (tmp_path / EXAMPLE.stem / "sal-2.yaml").unlink()  # SAL-1 (2020-10-01 … 2021-09-30) is the last
    return tmp_path / EXAMPLE.name


def test_the_next_period_follows_the_last(cli, project):
    r = cli("new-period", project, "--id", "SAL-2", "--end", "2022-09-20")
    assert r.returncode == 0, r.stderr
    path = project.parent / EXAMPLE.stem / "sal-2.yaml"
    assert r.stdout == f"wrote {path}: SAL-2, 2021-10-01 to 2022-09-20, 2 people carried over\n"
    report = load_file(path).model
    assert (report.period.id, report.period.start, report.period.end) == (
        "SAL-2",
        date(2021, 10, 1),
        date(2022, 9, 20),
    )
    sal1 = load_file(project.parent / EXAMPLE.stem / "sal-1.yaml").model
    assert [
        (s.id, s.name, s.item, s.annual_gross_cost, s.cost_year, s.hours_per_year) for s in report.staff
    ] == [(s.id, s.name, s.item, s.annual_gross_cost, s.cost_year, s.hours_per_year) for s in sal1.staff]
    assert report.staff[1].hours_per_year == Decimal(1204)  # the part-time basis is carried over
    assert all(s.hours == {} for s in report.staff) and report.expenses == []
    # the project still validates with the new, empty period
    v = cli("validate", project.parent)
    assert v.returncode == 0, v.stdout
    # never overwritten
    before = path.read_text()
    again = cli("new-period", project, "--id", "SAL-2", "--end", "2022-09-20")
    assert again.returncode == 2 and "period SAL-2 already exists" in again.stderr
    mine = project.parent / "mine.yaml"
    mine.write_text("# mine\n")
    other = cli("new-period", project, "--id", "SAL-3", "--end", "2022-12-31", "-o", mine)
    assert other.returncode == 2 and "already exists: it is never overwritten" in other.stderr
    assert path.read_text() == before and mine.read_text() == "# mine\n"


def test_bad_end_dates_exit_2(cli, project):
    r = cli("new-period", project, "--id", "SAL-2", "--end", "2021-09-30")
    assert r.returncode == 2
    assert (
        "--end 2021-09-30 is before the new period's start, 2021-10-01 (the day after SAL-1 ends)" in r.stderr
    )
    r = cli("new-period", project, "--id", "SAL-2", "--end", "20/09/2022")
    assert r.returncode == 2 and "write the date as YYYY-MM-DD" in r.stderr
    assert not (project.parent / EXAMPLE.stem / "sal-2.yaml").exists()


def test_a_first_period_starts_with_the_project(cli, tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    r = cli("new-period", tmp_path / EXAMPLE.name, "--id", "SAL-1", "--end", "2021-09-30")
    assert r.returncode == 0, r.stderr
    report = load_file(tmp_path / EXAMPLE.stem / "sal-1.yaml").model
    assert report.period.start == date(2020, 10, 1) and report.staff == []


def test_hours_per_day_and_cost_components_are_carried_over(cli, project):
    sal1 = project.parent / EXAMPLE.stem / "sal-1.yaml"
    text = sal1.read_text()
    basis = (
        "    hours_per_day: 6\n"
        "    cost_components: {year: 2019, gross_pay: 47000.00, social_charges: 14100.00, tfr: 3480.00,"
        " other: 420.00, document: Cedolini 2019}\n"
    )
    # the example's first person has cost components of its own: replace them with these
    start = text.index("    cost_components:")
    at = text.index("    hours:", start)
    sal1.write_text(text[:start] + basis + text[at:])
    assert cli("validate", project.parent).returncode == 0
    r = cli("new-period", project, "--id", "SAL-2", "--end", "2022-09-20")
    assert r.returncode == 0, r.stderr
    person = load_file(project.parent / EXAMPLE.stem / "sal-2.yaml").model.staff[0]
    assert person.hours_per_day == Decimal(6)
    assert person.cost_components.gross_pay == Decimal("47000.00")
    assert person.cost_components.document == "Cedolini 2019"
    assert person.days == {} and person.hours == {}
