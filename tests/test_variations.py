"""Budget variations: versions of a budget, the version in force, the shifts and the tolerance."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from clustbudget.findings import Severity
from clustbudget.models import VariationRules
from clustbudget.pipeline import compare_budgets, load_project, validate_paths
from clustbudget.variations import Shift, beyond_tolerance, tolerated

from .conftest import EXAMPLE, EXAMPLE_V1, example_before_variations

D = Decimal

HEAD = """clustbudget: 1
{revision}call: clust-er-2020
project: {{title: Progetto, start: 2021-01-01, end: 2022-12-31}}
actions: [{{id: "1", title: Uno}}, {{id: "2", title: Due}}]
costs:
"""
OLD_COSTS = """  A:
    - {description: Coordinatore, amount: 100000.00, action: "1", by_year: {2021: 60000.00, 2022: 40000.00}}
  B:
    - {description: Comunicazione, amount: 20000.00, action: "2", by_year: {2021: 10000.00, 2022: 10000.00}}
"""
NEW_COSTS = """  A:
    - {description: Coordinatore, amount: 90000.00, action: "1", by_year: {2021: 60000.00, 2022: 30000.00}}
  B:
    - {description: Comunicazione, amount: 20000.00, action: "2", by_year: {2021: 10000.00, 2022: 10000.00}}
  D:
    - {description: Fiere, amount: 10000.00, action: "2", by_year: {2022: 10000.00}}
"""


def revision(revises: str, vid: str, requested: str, approved: str | None) -> str:
    return (
        f"revises: {revises}\nvariation: {{id: {vid}, requested: {requested}, "
        f"approved: {approved or 'null'}}}\n"
    )


def write(folder: Path, name: str, costs: str, rev: str = "") -> Path:
    path = folder / name
    path.write_text(HEAD.format(revision=rev) + costs, encoding="utf-8")
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    old = write(tmp_path, "budget.yaml", OLD_COSTS)
    new = write(tmp_path, "budget.V1.yaml", NEW_COSTS, revision("budget.yaml", "V1", "2021-06-15", None))
    return old, new


def rows(shifts: list[Shift]) -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal | None, Decimal]]:
    return {s.key: (s.approved, s.new, s.shift, s.share_of_item, s.share_of_total) for s in shifts}


def test_shifts_per_item_computed_by_hand(pair):
    result = compare_budgets(*pair)
    cmp = result.comparison
    assert cmp is not None
    # Old: A 100,000 + B 20,000 = 120,000, E 25% = 30,000, total 150,000. New: A 90,000, B
    # 20,000, D 10,000: the same direct total, so E and the total do not move.
    assert rows(cmp.items) == {
        "A": (D("100000.00"), D("90000.00"), D("-10000.00"), D("-0.1000"), D("-0.0667")),
        "B": (D("20000.00"), D("20000.00"), D("0.00"), D("0.0000"), D("0.0000")),
        "C": (D("0.00"), D("0.00"), D("0.00"), None, D("0.0000")),
        "D": (D("0.00"), D("10000.00"), D("10000.00"), None, D("0.0667")),
        "E": (D("30000.00"), D("30000.00"), D("0.00"), D("0.0000"), D("0.0000")),
        "total": (D("150000.00"), D("150000.00"), D("0.00"), D("0.0000"), D("0.0000")),
    }
    assert [s.key for s in cmp.changed] == ["A", "D"]


def test_shifts_per_year_and_per_action_computed_by_hand(pair):
    cmp = compare_budgets(*pair).comparison
    assert cmp is not None
    assert set(cmp.by_year) == {2021, 2022}
    assert rows(cmp.by_year[2021])["A"][:3] == (D("60000.00"), D("60000.00"), D("0.00"))
    y22 = rows(cmp.by_year[2022])
    assert y22["A"][:3] == (D("40000.00"), D("30000.00"), D("-10000.00"))
    assert y22["D"][:3] == (D("0.00"), D("10000.00"), D("10000.00"))
    assert y22["total"][:3] == (D("50000.00"), D("50000.00"), D("0.00"))  # the year's direct costs
    assert rows(cmp.by_action["1"])["A"][:3] == (D("100000.00"), D("90000.00"), D("-10000.00"))
    a2 = rows(cmp.by_action["2"])
    assert a2["D"][:3] == (D("0.00"), D("10000.00"), D("10000.00"))
    assert a2["total"][:3] == (D("20000.00"), D("30000.00"), D("10000.00"))


def test_a_pending_variation_into_an_item_with_nothing_approved_needs_approval(pair):
    result = compare_budgets(*pair)
    codes = {f.code: f for f in result.new.findings}
    assert "CB405" in codes and "item D had 0.00 approved" in codes["CB405"].message
    assert "CB403" in codes  # the built-in pack does not know the tolerance: said so
    assert "CB404" not in codes
    assert not result.errors


# ------------------------------------------------------------------ the tolerance


def row(approved: str, shift: str, total: str = "200000.00") -> Shift:
    return Shift("D", D(approved), D(approved) + D(shift), D(total))


CASES = [
    # (rules, approved, shift, beyond): each mode at, just below and just above its limit
    (VariationRules(share=D("0.1")), "10000.00", "1000.00", "0.00"),
    (VariationRules(share=D("0.1")), "10000.00", "999.99", "0.00"),
    (VariationRules(share=D("0.1")), "10000.00", "1000.01", "0.01"),
    (VariationRules(amount=D("15000.00")), "50000.00", "15000.00", "0.00"),
    (VariationRules(amount=D("15000.00")), "50000.00", "14999.99", "0.00"),
    (VariationRules(amount=D("15000.00")), "50000.00", "15000.01", "0.01"),
    # basis total: 5% of the approved total 200,000.00 = 10,000.00, whatever the item had
    (VariationRules(share=D("0.05"), basis="total"), "0.00", "10000.00", "0.00"),
    (VariationRules(share=D("0.05"), basis="total"), "0.00", "9999.99", "0.00"),
    (VariationRules(share=D("0.05"), basis="total"), "0.00", "10000.01", "0.01"),
    # 20% of 50,000.00 = 10,000.00, or 15,000.00: either → the larger, both → the smaller
    (VariationRules(share=D("0.2"), amount=D("15000.00"), combine="either"), "50000.00", "15000.00", "0.00"),
    (VariationRules(share=D("0.2"), amount=D("15000.00"), combine="either"), "50000.00", "14999.99", "0.00"),
    (VariationRules(share=D("0.2"), amount=D("15000.00"), combine="either"), "50000.00", "15000.01", "0.01"),
    (VariationRules(share=D("0.2"), amount=D("15000.00"), combine="both"), "50000.00", "10000.00", "0.00"),
    (VariationRules(share=D("0.2"), amount=D("15000.00"), combine="both"), "50000.00", "9999.99", "0.00"),
    (VariationRules(share=D("0.2"), amount=D("15000.00"), combine="both"), "50000.00", "10000.01", "0.01"),
    # a decrease is what pays for an increase: never beyond the tolerance
    (VariationRules(share=D("0.1")), "10000.00", "-5000.00", "0.00"),
]


@pytest.mark.parametrize(("rules", "approved", "shift", "beyond"), CASES)
def test_each_tolerance_mode_at_below_and_above_its_limit(rules, approved, shift, beyond):
    assert beyond_tolerance(rules, row(approved, shift)) == D(beyond)


def test_an_unknown_tolerance_is_not_checked():
    assert tolerated(VariationRules(), row("10000.00", "9000.00")) is None
    assert beyond_tolerance(VariationRules(), row("10000.00", "9000.00")) == D("0.00")


def _pack(folder: Path, variations: str) -> None:
    builtin = Path(__file__).resolve().parent.parent / "src/clustbudget/packs/clust-er-2020.yaml"
    text = re.sub(r"(?m)^variations:.*\n(?:  .*\n)*", "", builtin.read_text(encoding="utf-8"))
    assert "variations:" not in text  # the built-in pack's own (unknown) tolerance, replaced
    (folder / "pack.yaml").write_text(text + variations, encoding="utf-8")


@pytest.mark.parametrize(("increase", "beyond"), [("10000.00", None), ("10000.01", "0.01")])
def test_a_pending_shift_beyond_the_pack_tolerance_says_by_how_much(tmp_path, increase, beyond):
    _pack(tmp_path, 'variations: {share: "0.1", basis: item}\n')
    costs = "  A:\n    - {description: Coordinatore, amount: 100000.00}\n"
    old = tmp_path / "budget.yaml"
    old.write_text(HEAD.format(revision="").replace("clust-er-2020", "pack.yaml") + costs)
    more = D("100000.00") + D(increase)
    new = tmp_path / "budget.V1.yaml"
    new.write_text(
        HEAD.format(revision=revision("budget.yaml", "V1", "2021-06-15", None)).replace(
            "clust-er-2020", "pack.yaml"
        )
        + f"  A:\n    - {{description: Coordinatore, amount: {more}}}\n"
    )
    found = [f for f in validate_paths([tmp_path]).findings if f.code == "CB404"]
    if beyond is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].location.path.endswith("budget.V1.yaml")
        assert f"beyond the 10,000.00 tolerated without approval by {beyond}" in found[0].message
    assert not any(f.code == "CB403" for f in validate_paths([tmp_path]).findings)


# ------------------------------------------------------------------ the version in force


def test_each_period_is_checked_against_the_version_in_force_at_its_end(tmp_path):
    budget = example_before_variations(tmp_path)
    v1 = EXAMPLE_V1.read_text(encoding="utf-8").replace("approved: 2021-07-30", "approved: 2021-11-15")
    (budget.parent / EXAMPLE_V1.name).write_text(v1, encoding="utf-8")
    # V2, pending: would move 5,000.00 more from B to D. It never counts.
    v2 = v1.replace("revises: clust-er-health-2020-2022.yaml", "revises: clust-er-health-2020-2022.V1.yaml")
    v2 = v2.replace("id: V1", "id: V2").replace("approved: 2021-11-15", "approved: null")
    v2 = v2.replace("amount: 30000.00", "amount: 25000.00").replace("amount: 15000.00", "amount: 20000.00")
    (budget.parent / "clust-er-health-2020-2022.V2.yaml").write_text(v2, encoding="utf-8")
    project = load_project(budget)
    # SAL-1 ends 2021-09-30, before V1's approval: the original; SAL-2 ends 2022-09-20: V1.
    assert [v.id for v in project.in_force] == ["", "V1"]
    assert [v.id for v in project.versions] == ["", "V1"]
    assert [v.id for v in project.pending] == ["V2"]
    budget_of = [{r.key: r.budget for r in rows} for rows in project.progress]
    assert (budget_of[0]["A"], budget_of[0]["D"]) == (D("130000.00"), D("0.00"))
    assert (budget_of[1]["A"], budget_of[1]["D"], budget_of[1]["B"]) == (
        D("115000.00"),
        D("15000.00"),
        D("30000.00"),
    )
    assert not any(f.code == "CB310" for f in project.findings)  # D within V1's 15,000.00


def test_report_names_the_version_in_force_and_shows_pending_beside(cli, tmp_path):
    budget = example_before_variations(tmp_path)
    (budget.parent / EXAMPLE_V1.name).write_text(EXAMPLE_V1.read_text(encoding="utf-8"), encoding="utf-8")
    v2 = EXAMPLE_V1.read_text(encoding="utf-8").replace(
        "revises: clust-er-health-2020-2022.yaml", "revises: clust-er-health-2020-2022.V1.yaml"
    )
    v2 = v2.replace("id: V1", "id: V2").replace("approved: 2021-07-30", "approved: null")
    v2 = v2.replace("amount: 30000.00", "amount: 25000.00").replace("amount: 15000.00", "amount: 20000.00")
    (budget.parent / "clust-er-health-2020-2022.V2.yaml").write_text(v2, encoding="utf-8")
    text = cli("report", budget, "--with-pending", env={"COLUMNS": "200"}).stdout
    assert "Budget in force: variation V1" in text and "V2 (pending)" in text
    d = next(line for line in text.splitlines() if line.lstrip("│ ").startswith("D "))
    assert "15,000.00" in d and "20,000.00" in d  # V1's budget, V2's pending figure beside
    assert "V2 (pending)" not in cli("report", budget, env={"COLUMNS": "200"}).stdout
    data = json.loads(cli("report", budget, "-f", "json").stdout)
    assert [p["budget_version"].endswith("V1.yaml") for p in data["periods"]] == [True, True]
    assert [v["variation"] for v in data["versions"]] == [None, "V1"]
    assert data["pending"][0]["variation"] == "V2" and data["pending"][0]["items"]["D"] == "20000.00"


def test_the_example_passes_with_v1_and_sal2_within_budget(cli):
    r = cli("validate", "budgets/")
    assert r.returncode == 0
    assert "CB408 info V1: item D 0.00 → 15,000.00" in r.stdout
    project = load_project(EXAMPLE)
    assert all(not row.over for row in project.progress[-1])


# ------------------------------------------------------------------ the line of versions


def codes_at(tmp_path: Path) -> list[tuple[str, str, int]]:
    return [
        (Path(f.location.path).name, f.code, f.location.line)
        for f in validate_paths([tmp_path]).findings
        if f.code in ("CB400", "CB401", "CB402")
    ]


def test_two_approved_versions_revising_the_same_one_are_a_fork(tmp_path):
    write(tmp_path, "budget.yaml", OLD_COSTS)
    write(tmp_path, "budget.V1.yaml", OLD_COSTS, revision("budget.yaml", "V1", "2021-06-15", "2021-07-01"))
    write(tmp_path, "budget.V2.yaml", OLD_COSTS, revision("budget.yaml", "V2", "2021-08-15", "2021-09-01"))
    assert sorted(codes_at(tmp_path)) == [("budget.V1.yaml", "CB401", 2), ("budget.V2.yaml", "CB401", 2)]
    # a pending alternative beside an approved one is no fork
    write(tmp_path, "budget.V2.yaml", OLD_COSTS, revision("budget.yaml", "V2", "2021-08-15", None))
    assert codes_at(tmp_path) == []


def test_an_approved_revision_of_a_pending_one_breaks_the_line(tmp_path):
    write(tmp_path, "budget.yaml", OLD_COSTS)
    write(tmp_path, "budget.V1.yaml", OLD_COSTS, revision("budget.yaml", "V1", "2021-06-15", None))
    write(tmp_path, "budget.V2.yaml", OLD_COSTS, revision("budget.V1.yaml", "V2", "2021-08-15", "2021-09-01"))
    assert codes_at(tmp_path) == [("budget.V2.yaml", "CB401", 3)]


def test_revisions_in_a_loop(tmp_path):
    write(tmp_path, "budget.V1.yaml", OLD_COSTS, revision("budget.V2.yaml", "V1", "2021-06-15", "2021-07-01"))
    write(tmp_path, "budget.V2.yaml", OLD_COSTS, revision("budget.V1.yaml", "V2", "2021-08-15", "2021-09-01"))
    assert sorted(codes_at(tmp_path)) == [("budget.V1.yaml", "CB402", 2), ("budget.V2.yaml", "CB402", 2)]


def test_a_revision_of_a_missing_file(tmp_path):
    write(tmp_path, "budget.V1.yaml", OLD_COSTS, revision("nowhere.yaml", "V1", "2021-06-15", "2021-07-01"))
    assert codes_at(tmp_path) == [("budget.V1.yaml", "CB400", 2)]
    f = next(f for f in validate_paths([tmp_path]).findings if f.code == "CB400")
    assert f.message == "nowhere.yaml: not found (relative to this revision)"


@pytest.mark.parametrize(
    ("rev", "expected"),
    [
        ("revises: budget.yaml\n", "a revision (revises:) needs its variation"),
        ("variation: {id: V1, requested: 2021-06-15}\n", "a variation needs revises"),
        (
            revision("budget.yaml", "V1", "2021-06-15", "2021-06-01"),
            "approved 2021-06-01 is before requested",
        ),
    ],
)
def test_a_revision_states_its_variation_consistently(tmp_path, rev, expected):
    write(tmp_path, "budget.yaml", OLD_COSTS)
    write(tmp_path, "budget.V1.yaml", OLD_COSTS, rev)
    messages = [f.message for f in validate_paths([tmp_path / "budget.V1.yaml"]).findings]
    assert any(expected in m for m in messages), messages


# ------------------------------------------------------------------ the command


def test_variation_command_text_json_and_italian(cli):
    args = ("variation", EXAMPLE, EXAMPLE_V1)
    text = cli(*args, env={"COLUMNS": "200"})
    assert text.returncode == 0, text.stderr
    a = next(line for line in text.stdout.splitlines() if line.lstrip("│ ").startswith("A "))
    for cell in ("130,000.00", "115,000.00", "-15,000.00", "-11.54%", "-7.50%"):
        assert cell in a
    assert "unknown for this call, not checked" in text.stdout
    data = json.loads(cli(*args, "-f", "json").stdout)
    assert data["format"] == "clustbudget.variation" and data["variation"]["approved"] == "2021-07-30"
    d = next(i for i in data["items"] if i["key"] == "D")
    assert (d["approved"], d["new"], d["shift"], d["share_of_item"], d["share_of_total"]) == (
        "0.00",
        "15000.00",
        "15000.00",
        None,
        "0.0750",
    )
    it = cli(*args, "--lang", "it", env={"COLUMNS": "200"}).stdout
    assert "Variazione V1" in it and "-15.000,00 €" in it and "Spostamento (€)" in it


def test_variation_command_exits_2_on_a_missing_file(cli, tmp_path):
    r = cli("variation", EXAMPLE, tmp_path / "none.yaml")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_cb311_says_how_much_needs_a_variation():
    from clustbudget.rules.examples import example_dir

    folder = example_dir("CB311")
    assert folder is not None
    (f,) = [f for f in validate_paths([folder]).findings if f.code == "CB311"]
    # D: 13,000.00 against 10,000.00; 20% tolerated = 2,000.00; 1,000.00 beyond it.
    assert "tolerates (2,000.00) by 1,000.00: that much needs an approved variation" in f.message


# ------------------------------------------------------------------ one home for the tolerance


def _old_and_new_pack(tmp_path: Path, tolerance: str) -> Path:
    """The CB311 example with its pack's tolerance written as ``tolerance``."""
    import shutil

    from clustbudget.rules.examples import example_dir

    folder = tmp_path / "cb311"
    shutil.copytree(example_dir("CB311"), folder)
    pack = folder / "call-pack.yaml"
    text = pack.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^variations:\n(?:  .*\n)*", "", text)
    pack.write_text(text + tolerance, encoding="utf-8")
    return folder


def test_an_old_pack_still_loads_its_shift_as_variations_share_with_a_warning(tmp_path):
    folder = _old_and_new_pack(tmp_path, 'parameters:\n  max_shift_between_items: "0.2"\n')
    findings = validate_paths([folder]).findings
    # the same 1,000.00 beyond the same 2,000.00 as with variations: {share: "0.2"}
    (cb311,) = [f for f in findings if f.code == "CB311"]
    assert "tolerates (2,000.00) by 1,000.00" in cb311.message
    deprecated = sorted((Path(f.location.path).name, f.location.line) for f in findings if f.code == "CB409")
    pack_line = 1 + next(
        i
        for i, line in enumerate((folder / "call-pack.yaml").read_text().splitlines())
        if "max_shift_between_items" in line
    )
    assert deprecated == [("budget.yaml", 3), ("call-pack.yaml", pack_line)]
    assert all(f.severity is Severity.WARNING for f in findings if f.code == "CB409")
    it = [f.message.render("it") for f in findings if f.code == "CB409"]
    assert all("deprecato" in text and "variations" in text and "20%" in text for text in it), it


def test_a_pack_with_the_shift_in_both_homes_is_refused(tmp_path):
    folder = _old_and_new_pack(
        tmp_path, 'parameters:\n  max_shift_between_items: "0.2"\nvariations:\n  share: "0.1"\n'
    )
    findings = validate_paths([folder / "call-pack.yaml"]).findings
    assert any(
        f.severity is Severity.ERROR and "keep only variations.share" in str(f.message) for f in findings
    )


@pytest.mark.parametrize(
    ("tolerance", "beyond"),
    [
        # D: 13,000.00 accepted against a budget of 10,000.00: 3,000.00 over
        ("variations: {amount: 2999.99}\n", "0.01"),
        ("variations: {amount: 3000.00}\n", None),
        # 1.5% of the 200,000.00 total = 3,000.00
        ('variations: {share: "0.015", basis: total}\n', None),
        ('variations: {share: "0.0149", basis: total}\n', "20.00"),
        # either: the larger of 20% of 10,000.00 and 2,500.00; both: the smaller
        ('variations: {share: "0.2", amount: 2500.00, combine: either}\n', "500.00"),
        ('variations: {share: "0.2", amount: 2500.00, combine: both}\n', "1,000.00"),
    ],
)
def test_cb311_measures_the_overrun_as_a_variation_shift(tmp_path, tolerance, beyond):
    folder = _old_and_new_pack(tmp_path, tolerance)
    found = [f for f in validate_paths([folder]).findings if f.code == "CB311"]
    if beyond is None:
        assert found == []
    else:
        (f,) = found
        assert f.message.render("en").endswith(f"by {beyond}: that much needs an approved variation")
