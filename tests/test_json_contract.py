"""The JSON envelopes are a contract: scripts read them. These tests pin their keys and types;
a change here needs a `format_version` bump and a note in the README."""

import json

import pytest

from .conftest import DATA, EXAMPLE, EXAMPLE_V1


def no_floats(text: str):
    def refuse(value):
        raise AssertionError(f"a float in the JSON output: {value}")

    return json.loads(text, parse_float=refuse)


ENVELOPE = {"format", "format_version", "tool"}


def test_validate_envelope(cli):
    data = no_floats(cli("validate", "-f", "json", "budgets/").stdout)
    assert set(data) == ENVELOPE | {"files", "summary", "exit_code"}
    assert data["format_version"] == 1
    assert set(data["summary"]) == {"files", "error", "warning", "info"}
    assert all(set(f) == {"path", "kind", "findings"} for f in data["files"])
    finding = next(f for file in data["files"] for f in file["findings"])  # indicators.yaml has none
    assert set(finding) == {"code", "severity", "message", "path", "line", "col", "citation"}
    assert finding["citation"]  # every finding names its source, CB0xx included


def test_show_envelope(cli):
    data = no_floats(cli("show", "-f", "json", EXAMPLE).stdout)
    assert set(data) == ENVELOPE | {
        "path",
        "call",
        "project",
        "items",
        "direct",
        "flat_rate",
        "flat_rates",
        "total",
        "by_action",
        "by_year",
        "findings",
    }
    assert set(data["items"][0]) == {"key", "label", "label_en", "kind", "amount", "share"}
    assert set(data["flat_rate"]) == {"key", "rate", "base", "base_amount", "amount"}


def test_report_envelope(cli):
    data = no_floats(cli("report", "-f", "json", DATA / "reports" / "budget.yaml").stdout)
    assert set(data) == ENVELOPE | {
        "budget",
        "call",
        "versions",
        "pending",
        "periods",
        "items",
        "forecast",
        "findings",
    }
    forecast = data["forecast"]
    assert set(forecast) == {
        "start",
        "end",
        "as_of",
        "months_total",
        "months_elapsed",
        "months_left",
        "items",
        "minimum_spend",
        "by_year",
    }
    assert set(forecast["items"][0]) == {
        "key",
        "budget",
        "actual",
        "remaining",
        "monthly",
        "needed_monthly",
        "projected",
        "difference",
    }
    assert set(forecast["by_year"][0]) == {"year", "budget", "budget_total", "actual", "actual_total"}
    assert set(data["versions"][0]) == {"path", "variation", "approved", "items", "total"}
    period = data["periods"][0]
    assert set(period) == {
        "id",
        "start",
        "end",
        "path",
        "staff",
        "expenses",
        "claimed",
        "disallowed",
        "reviewed",
        "requested",
        "approved",
        "cut",
        "items",
        "direct",
        "flat_rate",
        "flat_rates",
        "total",
        "contribution_due",
        "budget_version",
        "progress",
    }
    assert set(period["staff"][0]) == {
        "id",
        "name",
        "item",
        "annual_gross_cost",
        "hours_per_year",
        "hourly_rate",
        "hours",
        "cost",
        "disallowed",
        "requested",
        "approved",
        "cut",
    }
    assert set(period["expenses"][0]) == {
        "index",
        "date",
        "item",
        "description",
        "supplier",
        "document",
        "amount",
        "vat_eligible",
        "eligible_share",
        "eligible",
        "disallowed",
        "claimed",
        "reason",
        "payments",
        "invoice",
        "requested",
        "approved",
        "cut",
    }
    assert set(data["items"][0]) == {
        "key",
        "label",
        "label_en",
        "budget",
        "period",
        "actual",
        "remaining",
        "share_used",
        "over_budget",
    }


@pytest.mark.parametrize("money", ["direct", "total"])
def test_money_is_a_two_decimal_string(cli, money):
    data = json.loads(cli("show", "-f", "json", EXAMPLE).stdout)
    value = data[money]
    assert isinstance(value, str) and value.split(".")[1].__len__() == 2


def test_rules_envelope(cli):
    data = no_floats(cli("rules", "-f", "json").stdout)
    assert set(data) == ENVELOPE | {"rules"}
    assert set(data["rules"][0]) == {
        "code",
        "name",
        "severity",
        "summary",
        "citation",
        "explanation",
        "example",
    }
    by_code = {r["code"]: r for r in data["rules"]}
    assert by_code["CB302"]["example"] and all(
        set(f) == {"path", "text"} for f in by_code["CB302"]["example"]
    )


def test_report_envelope_without_figures(cli):
    r = cli("report", "-f", "json", DATA / "budgets" / "schema-errors.yaml")
    data = no_floats(r.stdout)
    assert r.returncode == 1 and data["periods"] == [] and data["findings"]
    assert data["versions"] == [] and data["pending"] == []


def test_variation_envelope(cli):
    data = no_floats(cli("variation", "-f", "json", EXAMPLE, EXAMPLE_V1).stdout)
    assert data["format"] == "clustbudget.variation"
    assert set(data) == ENVELOPE | {
        "old",
        "new",
        "variation",
        "tolerance",
        "items",
        "by_year",
        "by_action",
        "findings",
    }
    assert set(data["variation"]) == {"id", "requested", "approved", "act", "note"}
    assert set(data["items"][0]) == {
        "key",
        "approved",
        "new",
        "shift",
        "share_of_item",
        "share_of_total",
        "tolerated",
        "beyond_tolerance",
    }


def test_money_is_a_string_everywhere_in_report(cli):
    data = json.loads(cli("report", "-f", "json", DATA / "reports" / "budget.yaml").stdout)
    for period in data["periods"]:
        for key in ("direct", "total"):
            assert isinstance(period[key], str) and len(period[key].split(".")[1]) == 2
        for money in period["items"].values():
            assert len(money.split(".")[1]) == 2
