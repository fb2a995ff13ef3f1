"""The indicators file: counts by category and channel from small lists, the CB5xx rules with
the project, and `validate` picking the file up as part of the project."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from clustbudget.compute import accepted_by_year, report_costs
from clustbudget.indicators import IndicatorsFile, indicator_value, year_counts
from clustbudget.loading import load_file
from clustbudget.models import CostReport
from clustbudget.pipeline import check_budget, check_indicators, validate_paths

from .conftest import EXAMPLE, ROOT, run_cli

SMALL = """\
clustbudget: 1
indicators:
  - id: orgs
    label: {it: Organizzazioni raggiunte, en: Organisations reached}
    unit: organisations
    action: "2"
    targets: {2021: 4, 2022: 1}
    count: organisations
  - id: proposals
    label: {it: Proposte europee}
    unit: proposals
    action: "3"
    targets: {2021: 2}
values:
  - {indicator: proposals, year: 2021, value: 1, source: registro}
  - {indicator: proposals, period: {start: 2021-06-01, end: 2021-12-31}, value: 2, source: registro}
  - {indicator: proposals, year: 2022, value: 5, source: registro}
organisations:
  - {name: A, category: small_company, reached: 2021-01-10, action: "2"}
  - {name: B, category: small_company, reached: 2021-05-10, action: "3"}
  - {name: C, category: university, reached: 2021-12-31}
  - {name: D, category: public_body, reached: 2022-01-01}
contacts:
  - {channel: newsletter, year: 2021, count: 100, source: mailchimp}
  - {channel: newsletter, period: {start: 2021-07-01, end: 2021-12-31}, count: 50, source: mailchimp}
  - {channel: fairs, year: 2021, count: 7, source: MEDICA}
  - {channel: fairs, period: {start: 2021-12-01, end: 2022-01-31}, count: 9, source: BIO-Europe}
members:
  - {name: A, category: small_company, joined: 2019-03-01}
  - {name: B, category: small_company, joined: 2021-02-01, left: 2021-12-31}
  - {name: C, category: university, joined: 2021-12-31}
  - {name: D, category: university, joined: 2022-01-01}
events:
  - {title: Webinar, date: 2021-02-09, action: "2", participants: 40}
  - {title: MEDICA, date: 2021-11-15, action: "3", channel: fairs, participants: 7}
  - {title: Assemblea, date: 2022-06-23, participants: 30}
"""

BUDGET = """\
clustbudget: 1
call: clust-er-2020
project: {title: T, programme: POR FESR 2014-2020, start: 2021-01-01, end: 2022-06-30}
actions:
  - {id: "1", title: Uno}
  - {id: "2", title: Due}
  - {id: "3", title: Tre}
  - {id: "4", title: Quattro}
costs:
  A: [{description: CM, amount: 1000.00}]
"""


def project(tmp_path: Path, indicators: str = SMALL) -> Path:
    (tmp_path / "p.yaml").write_text(BUDGET)
    (tmp_path / "p").mkdir()
    path = tmp_path / "p" / "indicators.yaml"
    path.write_text(indicators)
    return path


def doc_of(path: Path) -> IndicatorsFile:
    loaded = load_file(path, expect="indicators")
    assert isinstance(loaded.model, IndicatorsFile), loaded.findings
    return loaded.model


def test_counts_by_category_and_channel_are_computed_from_the_lists(tmp_path):
    doc = doc_of(project(tmp_path))
    c2021 = year_counts(doc, 2021)
    assert c2021.organisations["small_company"] == 2 and c2021.organisations["university"] == 1
    assert c2021.organisations["public_body"] == 0 and sum(c2021.organisations.values()) == 3
    assert c2021.organisations_by_action == {"1": 0, "2": 1, "3": 1, "4": 0}
    # a period counts in the year of its end: BIO-Europe (Dec 2021 – Jan 2022) is 2022's
    assert c2021.contacts["newsletter"] == 150 and c2021.contacts["fairs"] == 7
    assert year_counts(doc, 2022).contacts["fairs"] == 9
    # members at 31 December: B left on 31 December 2021 (gone), C joined that day (in)
    assert c2021.members == {**dict.fromkeys(c2021.members, 0), "small_company": 1, "university": 1}
    assert c2021.new_members["small_company"] == 1 and c2021.new_members["university"] == 1
    assert sum(year_counts(doc, 2022).members.values()) == 3
    assert (c2021.events, c2021.participants) == (2, 47)
    assert c2021.participants_by_action == {"1": 0, "2": 40, "3": 7, "4": 0}
    orgs, proposals = doc.indicators
    assert indicator_value(doc, orgs, 2021) == 3 and indicator_value(doc, orgs, 2022) == 1
    assert indicator_value(doc, proposals, 2021) == Decimal(3)  # 1 + 2 (the period ends in 2021)
    assert indicator_value(doc, proposals, 2020) is None


def test_a_target_is_checked_once_its_year_is_over(tmp_path):
    path = project(tmp_path)
    budget = check_budget(tmp_path / "p.yaml")
    loaded = load_file(path, str(path), expect="indicators")

    def codes(today: date) -> list[tuple[str, int]]:
        found = check_indicators(loaded, budget=budget, reports=[], today=today)
        return [(f.code, f.location.line) for f in found]

    assert codes(date(2021, 12, 31)) == []  # 2021 is not over yet
    # 2021 over: orgs 3 < 4 (line 7, its target); proposals 3 >= 2
    assert codes(date(2022, 1, 1)) == [("CB504", 7)]
    # the project ends 30 June 2022: 2022 is over on 1 July; orgs 1 >= 1
    assert codes(date(2022, 7, 1)) == [("CB504", 7)]


def test_findings_point_at_the_entry(tmp_path):
    text = SMALL.replace("category: public_body", "category: ente pubblico").replace(
        "{channel: fairs, year: 2021, count: 7, source: MEDICA}", "{channel: fiere, year: 2023, count: 7}"
    )
    path = project(tmp_path, text)
    found = validate_paths([path]).findings
    got = sorted((f.code, f.location.line) for f in found if f.code.startswith("CB5"))
    contacts_line = text.splitlines().index("  - {channel: fiere, year: 2023, count: 7}") + 1
    orgs_line = next(i for i, line in enumerate(text.splitlines(), 1) if "ente pubblico" in line)
    assert ("CB500", orgs_line) in got
    assert ("CB501", contacts_line) in got and ("CB502", contacts_line) in got
    assert ("CB503", contacts_line) in got  # 2023: the project ends in 2022
    assert ("CB503", orgs_line) not in got  # reached 2022-01-01: inside the project
    unknown = next(f for f in found if f.code == "CB500")
    assert "public_body" in unknown.message


def test_validate_reads_the_example_project_with_its_indicators():
    run = validate_paths([ROOT / "budgets"])
    kinds = {Path(fr.display).name: fr.kind for fr in run.files}
    assert kinds["indicators.yaml"] == "indicators"
    mine = next(fr for fr in run.files if fr.display.endswith("indicators.yaml"))
    assert mine.findings == []
    assert run.counts() == {"error": 0, "warning": 4, "info": 8}


def test_an_indicators_file_outside_a_project_is_a_warning(tmp_path):
    path = tmp_path / "loose" / "indicators.yaml"
    path.parent.mkdir()
    path.write_text(SMALL)
    found = validate_paths([path]).findings
    # without a project: CB511, and the rules that need none (2021's target missed, CB504)
    assert sorted(f.code for f in found) == ["CB504", "CB511"]


def test_schema_indicators_lists_the_fields():
    out = run_cli("schema", "indicators")
    assert out.returncode == 0
    schema = json.loads(out.stdout)
    assert schema["title"] == "clustbudget indicators"
    assert {"indicators", "values", "organisations", "contacts", "members", "events", "communication"} <= set(
        schema["properties"]
    )


def test_accepted_staff_cost_is_split_over_years_by_hours(tmp_path):
    """SAL-1 of the example: the cluster manager's 1,495 hours from October 2020 to September
    2021 at 37.79 = 56,496.05; 2020 has 385 of them: 56,496.05 × 385 / 1,495 = 14,549.15
    (half-up), 2021 the rest, 41,946.90. An expense counts in its invoice's year."""
    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    sal1 = tmp_path / "budgets" / EXAMPLE.stem / "sal-1.yaml"
    loaded = load_file(sal1, expect="report")
    report = loaded.model
    assert isinstance(report, CostReport)
    costs = report_costs(report, True, Decimal(1720))
    parts = accepted_by_year(report, costs, {})
    assert costs.staff[0].hours == 1495 and costs.staff[0].cost == Decimal("56496.05")
    assert parts[("staff", 0)] == {2020: Decimal("14549.15"), 2021: Decimal("41946.90")}
    assert sum(parts[("staff", 0)].values()) == costs.staff[0].cost
    assert parts[("expense", 0)] == {2021: Decimal("1000.00")}
    # what is not accepted comes off before the split
    less = accepted_by_year(report, costs, {("staff", 0): Decimal("6.05")})
    assert sum(less[("staff", 0)].values()) == Decimal("56490.00")


def test_hours_given_by_day_are_split_over_years_too(tmp_path):
    """A person with 2020-12-30: 8, 2020-12-31: 4 and 2021-01-04: 8 by day, at 65,000.00 /
    1,720 = 37.79: 20 h = 755.80; 2020's 12 h: 755.80 × 12 / 20 = 453.48, 2021 the rest, 302.32."""
    path = tmp_path / "r.yaml"
    path.write_text(
        "clustbudget: 1\n"
        "budget: b.yaml\n"
        "period: {id: SAL-1, start: 2020-10-01, end: 2021-03-31}\n"
        "staff:\n"
        "  - id: cm\n"
        "    name: Cluster Manager\n"
        "    item: A\n"
        "    annual_gross_cost: 65000.00\n"
        "    cost_year: 2019\n"
        "    days:\n"
        "      2020-12-30: 8\n"
        "      2020-12-31: 4\n"
        "      2021-01-04: 8\n"
    )
    report = load_file(path, expect="report").model
    assert isinstance(report, CostReport)
    costs = report_costs(report, True, Decimal(1720))
    assert costs.staff[0].cost == Decimal("755.80")
    assert accepted_by_year(report, costs, {})[("staff", 0)] == {
        2020: Decimal("453.48"),
        2021: Decimal("302.32"),
    }
