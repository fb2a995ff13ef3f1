"""Hours given day by day (``days:``): the months derived from them, the day checks CB230–CB238,
and what those checks refuse. Figures in comments are worked out by hand."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

from clustbudget.compute import contract_hours_per_day, month_hours
from clustbudget.loading import PACKS_DIR, PackResolver
from clustbudget.models import StaffEntry
from clustbudget.pipeline import load_project

D = Decimal

BUDGET = """\
clustbudget: 1
call: clust-er-2020
project:
  title: Progetto di prova
  programme: POR FESR 2014-2020
  start: 2020-10-01
  end: 2022-09-30
  duration_months: 24
{extra}actions:
  - id: "1"
    title: Vita associativa
  - id: "2"
    title: Promozione
staff:
  - id: cm
    role: Cluster Manager
  - id: pt
    role: Communication Manager
costs:
  A:
    - description: Cluster Manager
      amount: 120000.00
  B:
    - description: Communication Manager
      amount: 30000.00
"""


def project(
    tmp_path: Path, staff: str, *, extra: str = "", period: str = "2020-10-01, end: 2021-09-30"
) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    budget = tmp_path / "b.yaml"
    budget.write_text(BUDGET.format(extra=extra), encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "sal-1.yaml").write_text(
        "clustbudget: 1\nbudget: ../b.yaml\n"
        f"period: {{id: SAL-1, start: {period}}}\n"
        "staff:\n" + textwrap.indent(textwrap.dedent(staff), "  "),
        encoding="utf-8",
    )
    return budget


FULL_TIME = """\
- id: cm
  name: Cluster Manager
  item: A
  annual_gross_cost: 65000.00
  cost_year: 2019
  hours:
    2021-02: 100
  days:
    2021-03-01: 8                                 # Monday
    2021-03-02: {actions: {"1": 4, "2": 3}, ordinary: 1}
    2021-03-03: {absence: ferie}
    2021-03-07: 4                                 # Sunday: CB231
    2021-03-08: 9.5                               # 1.5 beyond the day's 8: CB230
"""


def test_the_months_of_a_person_are_derived_from_the_days(tmp_path):
    result = load_project(project(tmp_path, FULL_TIME))
    (r,) = result.reports
    s = r.costs.staff[0]
    # February typed; March = 8 + (4 + 3) + 0 + 4 + 9.5 = 28.5 hours
    assert dict(s.months) == {"2021-02": D("100"), "2021-03": D("28.5")}
    assert s.hours == D("128.5")
    # 65,000.00 / 1,720 = 37.79; 37.79 × 128.5 = 4,856.015 → 4,856.02
    assert s.hourly_rate == D("37.79")
    assert s.cost == D("4856.02")
    codes = sorted(f.code for f in r.findings if f.code.startswith("CB23"))
    assert codes == ["CB230", "CB231"]
    # Refused in March: Sunday's 4 + 1.5 = 5.5 hours, once; accepted 123 h × 37.79 = 4,648.17
    assert r.disallowed.hours == {(0, "2021-03"): D("5.5")}
    assert r.disallowed[("staff", 0)] == D("4856.02") - D("4648.17")
    assert r.figures.items["A"] == D("4648.17")


def test_the_findings_point_at_the_day(tmp_path):
    result = load_project(project(tmp_path, FULL_TIME))
    where = {f.code: f.location.line for f in result.reports[0].findings if f.code in ("CB230", "CB231")}
    lines = (tmp_path / "b" / "sal-1.yaml").read_text().splitlines()
    assert "2021-03-08" in lines[where["CB230"] - 1]
    assert "2021-03-07" in lines[where["CB231"] - 1]


PART_TIME = """\
- id: pt
  name: Communication Manager
  item: B
  annual_gross_cost: 30000.00
  cost_year: 2019
  hours_per_year: 860
  days:
    2021-04-02: 4
    2021-04-05: 4                                 # Easter Monday: CB232
    2021-04-06: {project: 5, ordinary: 1}         # 4 contractual hours: 1 beyond (CB230), 6 in all (CB230 only)
    2021-04-07: {project: 2, other_projects: 3}   # 5 in all, beyond 4: CB234 (a warning)
"""


def test_a_part_time_persons_day_is_pro_rata(tmp_path):
    result = load_project(project(tmp_path, PART_TIME))
    (r,) = result.reports
    entry = r.report.staff[0]
    pack = result.budget.pack
    assert contract_hours_per_day(entry, pack) == D("4")  # 8 × 860 / 1,720
    s = r.costs.staff[0]
    # 30,000.00 / 860 = 34.8837 → 34.88; hours 4 + 4 + 5 + 2 = 15; 34.88 × 15 = 523.20
    assert (s.hourly_rate, s.hours, s.cost) == (D("34.88"), D("15"), D("523.20"))
    codes = sorted(f.code for f in r.findings if f.code.startswith("CB23"))
    assert codes == ["CB230", "CB232", "CB234"]
    # refused: the holiday's 4 + 1 = 5 hours; accepted 10 × 34.88 = 348.80
    assert r.disallowed.hours == {(0, "2021-04"): D("5")}
    assert r.figures.items["B"] == D("348.80")


def test_hours_per_day_given_wins(tmp_path):
    staff = PART_TIME.replace("hours_per_year: 860", "hours_per_year: 860\n  hours_per_day: 6")
    result = load_project(project(tmp_path, staff))
    (r,) = result.reports
    assert contract_hours_per_day(r.report.staff[0], result.budget.pack) == D("6")
    assert sorted(f.code for f in r.findings if f.code.startswith("CB23")) == ["CB232"]


PATRON = """\
- id: cm
  name: Cluster Manager
  item: A
  annual_gross_cost: 65000.00
  cost_year: 2019
  days:
    2021-10-04: 8                                 # San Petronio, when the project says so
    2021-10-05: 8
"""


def test_the_patron_saints_day_is_the_projects(tmp_path):
    period = "2021-10-01, end: 2022-09-30"
    plain = load_project(project(tmp_path / "a", PATRON, period=period))
    assert not [f for f in plain.reports[0].findings if f.code == "CB233"]
    bologna = load_project(
        project(tmp_path / "b", PATRON, period=period, extra='  patron_saint_day: "10-04"\n')
    )
    (r,) = bologna.reports
    assert [f.code for f in r.findings if f.code.startswith("CB23")] == ["CB233"]
    assert r.figures.items["A"] == D("302.32")  # 8 h × 37.79


def test_a_month_typed_both_ways_counts_its_days(tmp_path):
    staff = FULL_TIME.replace("2021-02: 100", "2021-02: 100\n    2021-03: 50")
    result = load_project(project(tmp_path, staff))
    (r,) = result.reports
    assert r.costs.staff[0].months["2021-03"] == D("28.5")
    assert "CB236" in {f.code for f in r.findings}


def test_absence_and_days_outside_the_period(tmp_path):
    staff = """\
    - id: cm
      name: Cluster Manager
      item: A
      annual_gross_cost: 65000.00
      cost_year: 2019
      days:
        2021-09-14: {project: 3, absence: permesso}
        2021-09-15: 8
        2021-09-16: 8
    """
    result = load_project(project(tmp_path, staff, period="2020-10-01, end: 2021-09-15"))
    (r,) = result.reports
    assert sorted(f.code for f in r.findings if f.code.startswith("CB23")) == ["CB235", "CB237"]
    assert r.disallowed.hours == {(0, "2021-09"): D("11")}  # 3 absent + 8 after the period
    assert r.figures.items["A"] == D("302.32")


def test_month_hours_alone():
    entry = StaffEntry.model_validate(
        {
            "id": "x",
            "name": "X",
            "item": "A",
            "annual_gross_cost": "1000",
            "cost_year": "2020",
            "days": {"2021-01-29": "7.25", "2021-02-01": {"project": "2"}, "2021-01-04": "1"},
        }
    )
    assert month_hours(entry) == {"2021-01": D("8.25"), "2021-02": D("2")}
    assert entry.month_path("2021-02") == ("days", "2021-02-01")
    assert entry.month_path("2021-01") == ("days", "2021-01-04")


def test_bad_patron_saint_day_is_a_schema_error(tmp_path):
    result = load_project(project(tmp_path, PATRON, extra='  patron_saint_day: "02-30"\n'))
    found = [f for f in result.budget.findings if f.code == "CB013"]
    assert found and "MM-DD" in found[0].message


def test_the_pack_may_set_the_patron_saint(tmp_path):
    assert "clust-er-2020" in PackResolver.builtin_ids()
    text = (PACKS_DIR / "clust-er-2020.yaml").read_text(encoding="utf-8")
    assert "  patron_saint_day: null" in text
    own = tmp_path / "pack.yaml"
    own.write_text(text.replace("patron_saint_day: null", 'patron_saint_day: "10-04"', 1), encoding="utf-8")
    (tmp_path / "p").mkdir()
    budget = project(tmp_path / "p", PATRON, period="2021-10-01, end: 2022-09-30")
    budget.write_text(budget.read_text().replace("call: clust-er-2020", "call: ../pack.yaml"))
    result = load_project(budget)
    assert "CB233" in {f.code for f in result.reports[0].findings}
