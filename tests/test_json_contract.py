"""The JSON envelopes are a contract: scripts read them. These tests pin their keys and types;
a change here needs a `format_version` bump and a note in the README."""

import json

import pytest

from .conftest import DATA, EXAMPLE


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
    finding = data["files"][0]["findings"][0]
    assert set(finding) <= {"code", "severity", "message", "path", "line", "col", "citation", "related"}


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
    assert set(data) == ENVELOPE | {"budget", "call", "periods", "items", "findings"}
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
        "items",
        "direct",
        "flat_rate",
        "flat_rates",
        "total",
        "contribution_due",
        "progress",
    }
    assert {"id", "hourly_rate", "hours", "cost"} <= set(period["staff"][0])
    assert set(data["items"][0]) == {
        "key",
        "label",
        "label_en",
        "budget",
        "period",
        "actual",
        "remaining",
        "share_used",
    }


@pytest.mark.parametrize("money", ["direct", "total"])
def test_money_is_a_two_decimal_string(cli, money):
    data = json.loads(cli("show", "-f", "json", EXAMPLE).stdout)
    value = data[money]
    assert isinstance(value, str) and value.split(".")[1].__len__() == 2
