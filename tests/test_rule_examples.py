"""Every rule has a failing example (``clustbudget/rules/examples/<CODE>/``) that really fails.

``clustbudget rules CODE`` prints these files, so each must keep triggering its rule and mark
the line that breaks it with a comment naming the code. Each example is checked in isolation:
validated with only its own code selected (``--select CODE``, plus what is listed here as
unavoidable), so a new rule never breaks another rule's example; the codes that mean a file
could not be checked are always reported, so an example that stops being a valid file fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clustbudget.findings import Severity
from clustbudget.pipeline import validate_paths
from clustbudget.rules import ALWAYS_REPORTED, Selection, all_rules
from clustbudget.rules.examples import EXAMPLES_DIR, example_dir, example_files

CODES = sorted(all_rules())

ALSO = {
    # A schema error stops a file's rules, and CB017 says so.
    "CB010": {"CB017"},
    "CB011": {"CB017"},
    "CB012": {"CB017"},
    "CB013": {"CB017"},
    "CB014": {"CB017"},
    # CB017 exists only beside the schema error that stops the rules: here a missing key.
    "CB017": {"CB012"},
    # An item beyond the tolerated shift is over its budget too.
    "CB311": {"CB310"},
    # A revision that moves money shows its shifts (info).
    "CB403": {"CB408"},
    "CB404": {"CB408"},
    "CB405": {"CB408"},
    "CB407": {"CB408"},
}
"""The other codes an example cannot avoid, exactly (selected with the example's own code)."""

WITH = {
    # CB022 counts the errors of the (unnamed) budget that the selection reports: here CB103.
    "CB022": {"CB103"},
}
"""Codes selected with an example's own so that it can fire, though they are not reported."""

NAMED = {
    # Inside a validated folder an empty file is not recognisably ours: skipped (CB016).
    "CB003": ["budget.yaml"],
    # CB022 needs the report's budget left out of the run.
    "CB022": ["budget/sal-1.yaml"],
}
"""Examples validated by naming their files, as their README.txt says, not their folder."""


def validate_example(code: str) -> list:
    """The findings of ``code``'s example, with only ``code`` (and its ALSO) selected."""
    folder = example_dir(code)
    assert folder is not None, f"{code} has no example folder under {EXAMPLES_DIR}"
    paths = [folder / name for name in NAMED[code]] if code in NAMED else [folder]
    selected = (code, *sorted(ALSO.get(code, set()) | WITH.get(code, set())))
    return validate_paths(paths, Selection(select=selected)).findings


def test_every_example_folder_is_a_rule():
    folders = {p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders == set(CODES), "an example folder without its rule, or a rule without its example"


@pytest.mark.parametrize("code", CODES)
def test_example_triggers_its_rule(code):
    findings = validate_example(code)
    got = {f.code for f in findings}
    assert code in got, f"the example of {code} no longer triggers it: {sorted(got)}"
    allowed = ALSO.get(code, set())
    assert got - {code} == allowed, f"the example of {code} also triggers {sorted(got - {code} - allowed)}"
    errors = {f.code for f in findings if f.severity is Severity.ERROR}
    assert errors <= {code} | allowed, f"the example of {code} has other errors"


def test_an_example_is_checked_for_its_own_code_only():
    """A rule added later, however often it fires, cannot break another rule's example: only
    the example's code and the codes that mean a file was not checked are reported."""
    wanted = Selection(select=("CB107",))
    assert wanted.wants("CB107") and not wanted.wants("CB106") and not wanted.wants("CB999")
    assert all(wanted.wants(code) for code in ALWAYS_REPORTED)
    assert {f.code for f in validate_example("CB107")} == {"CB107"}
    assert "CB112" in {f.code for f in validate_paths([example_dir("CB107")]).findings}


@pytest.mark.parametrize("code", CODES)
def test_example_marks_the_line_it_breaks(code):
    """A finding of the code is on a line (or just below a line) whose comment names the code;
    a finding about the whole file (line 1, column 1) needs the code anywhere in the file."""
    findings = [f for f in validate_example(code) if f.code == code]

    def marked(f) -> bool:
        lines = Path(f.location.path).read_bytes().split(b"\n")
        tag = code.encode()
        if (f.location.line, f.location.col) == (1, 1):
            return any(tag in line for line in lines)
        near = lines[max(f.location.line - 2, 0) : f.location.line]
        return any(b"#" in line and tag in line.split(b"#", 1)[1] for line in near)

    assert any(marked(f) for f in findings), f"no comment names {code} where the example breaks it"


@pytest.mark.parametrize("code", CODES)
def test_example_files_are_shown_as_text(code):
    shown = example_files(code)
    assert shown, f"{code}'s example has nothing to show"
    names = [name for name, _ in shown]
    assert all("\\" not in name and not name.startswith("/") for name in names)
    folder = example_dir(code)
    assert folder is not None
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    hidden = set(on_disk) - set(names)
    if hidden:  # a file that is not UTF-8 (CB001): the README.txt stands in for it
        assert names[0] == "README.txt" and all(name in shown[0][1] for name in hidden)


def test_example_files_of_a_report_rule_list_the_budget_before_its_reports():
    assert [name for name, _ in example_files("CB302")] == [
        "budget.yaml",
        "budget/sal-1.yaml",
        "budget/sal-2.yaml",
    ]
    assert example_files("cb302") == example_files("CB302")


@pytest.mark.parametrize("code", ["CB999", "", "../CB101", "CB1"])
def test_no_example_for_what_is_not_a_code(code):
    assert example_dir(code) is None and example_files(code) == []
