"""Budgets are loaded into typed models; every schema error names its file, line and column."""

from decimal import Decimal

import pytest

from clustbudget.loading import load_file
from clustbudget.models import Budget

from .conftest import DATA, EXAMPLE


def errors(loaded):
    return [f for f in loaded.findings if f.code != "CB017"]


def findings(name: str):
    loaded = load_file(DATA / "budgets" / name, name)
    return [(f.code, f.location.line, f.message) for f in errors(loaded)], loaded


def test_example_budget_loads_with_exact_decimals():
    loaded = load_file(EXAMPLE)
    assert loaded.findings == []
    budget = loaded.model
    assert isinstance(budget, Budget)
    assert budget.costs["A"][0].amount == Decimal("130000.00")
    assert [a.id for a in budget.actions] == ["1", "2", "3", "4"]
    assert budget.staff[0].engaged_since == 2018
    assert budget.project.duration_months == 24
    assert budget.declared == {"E": Decimal("40000.00"), "total": Decimal("200000.00")}


def test_ids_are_text_and_numbers_are_ids():
    loaded = load_file(DATA / "budgets" / "good.yaml")
    assert loaded.model.actions[0].id == "1"
    assert loaded.model.costs["A"][0].action == ("1",)
    assert loaded.model.costs["B"][0].action == ("1", "2")
    assert loaded.model.costs["A"][0].by_year == {2021: Decimal("50000.00"), 2022: Decimal("50000")}


def test_every_ambiguous_amount_is_refused_at_its_line():
    got, loaded = findings("ambiguous-amount.yaml")
    assert loaded.model is None
    assert [(c, line) for c, line, _ in got] == [("CB013", n) for n in range(10, 31, 2)]
    messages = [m for _, _, m in got]
    assert "write 130000.00 for thousands or 130.00 for a decimal" in messages[0]
    assert "write it as 1.5" in messages[1]
    assert "octal" in messages[2]
    assert "base 60" in messages[3]
    assert "boolean" in messages[4]
    assert "got true" in messages[5]
    assert "never negative" in messages[6]
    assert "at most two decimals" in messages[7]


def test_schema_errors_name_key_line_and_fix():
    got, _ = findings("schema-errors.yaml")
    assert got == [
        ("CB013", 5, "start: 2021-02-30 is not a date in the calendar"),
        ("CB011", 7, "unknown key 'duration_month' in project (did you mean 'duration_months'?)"),
        ("CB013", 8, "vat_recoverable: expected true or false, got 'yes'"),
        ("CB012", 11, "missing key 'amount' in costs.A[0]"),
        ("CB011", 13, "unknown key 'amout' in costs.A[1] (did you mean 'amount'?)"),
        ("CB013", 17, "description: expected text, got a list"),
    ]


def test_duplicate_keys_are_errors_at_the_repeated_key():
    got, loaded = findings("duplicate-keys.yaml")
    assert [(c, line) for c, line, _ in got] == [("CB010", 11), ("CB010", 12)]
    assert loaded.model is None  # never silently keep one of the two


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("start: 01/10/2020", "write the date '01/10/2020' as YYYY-MM-DD: 2020-10-01"),
        ("start: 2020-13-01", "not a date in the calendar"),
        ("start: 2021-02-29", "not a date in the calendar"),
        ("start: yesterday", "expected a date"),
        ("duration_months: 0", "whole number"),
        ("duration_months: 2.5", "whole number"),
    ],
)
def test_bad_project_values(tmp_path, text, message):
    key = text.split(":")[0]
    lines = {"start": "2021-01-01", "end": "2021-12-31"}
    body = "\n".join(f"  {k}: {v}" for k, v in lines.items() if k != key)
    path = tmp_path / "b.yaml"
    path.write_text(
        f"clustbudget: 1\ncall: clust-er-2020\nproject:\n  title: t\n  {text}\n{body}\ncosts: {{}}\n"
    )
    loaded = load_file(path)
    [f] = errors(loaded)
    assert f.code == "CB013" and f.location.line == 5 and message in f.message


def test_wrong_format_version(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(
        "clustbudget: 2\ncall: x\nproject: {title: t, start: 2021-01-01, end: 2021-12-31}\ncosts: {}\n"
    )
    [f] = errors(load_file(path))
    assert f.location.line == 1 and "version" in f.message


def test_not_a_clustbudget_file_when_named(tmp_path):
    path = tmp_path / "ci.yaml"
    path.write_text("jobs: {}\n")
    [f] = load_file(path).findings
    assert f.code == "CB015"


def test_schema_errors_say_the_rules_did_not_run():
    loaded = load_file(DATA / "budgets" / "schema-errors.yaml")
    [note] = [f for f in loaded.findings if f.code == "CB017"]
    assert str(note.severity) == "info" and "not checked: fix the errors in this file first" in note.message
    assert not [f for f in load_file(EXAMPLE).findings if f.code == "CB017"]


def test_hours_basis_must_be_positive(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P, start: 2021-01-01, end: 2021-12-31}\n"
        "staff:\n  - {id: p, name: P, item: A, annual_gross_cost: 1000.00, cost_year: 2020, hours_per_year: 0,\n"
        "     hours: {2021-01: 10}}\n"
    )
    [f] = errors(load_file(path))
    assert f.code == "CB013" and f.location.line == 5 and "more than 0" in f.message


def test_collect_reads_each_file_once_by_its_real_path(tmp_path):
    # a file found in a folder, the same file named, a link to it and a link to its folder:
    # one entry, keyed by the real path (the folder's resolved once, links resolved in full)
    from clustbudget.pipeline import collect

    real = tmp_path / "real"
    real.mkdir()
    (real / "a.yaml").write_text("x: 1\n", encoding="utf-8")
    (real / "b.yaml").write_text("x: 2\n", encoding="utf-8")
    (real / "link.yaml").symlink_to(real / "a.yaml")
    (tmp_path / "via").symlink_to(real, target_is_directory=True)
    keys: dict = {}
    out = collect([real, tmp_path / "via" / "b.yaml", real / ".." / "real" / "a.yaml"], keys)
    assert [(p.name, named) for p, named in out] == [("a.yaml", False), ("b.yaml", False)]
    assert keys == {
        real / "a.yaml": (real / "a.yaml").resolve(),
        real / "b.yaml": (real / "b.yaml").resolve(),
    }
