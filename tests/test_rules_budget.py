"""Each budget rule fires where it should, at the right line, and stays quiet otherwise."""

import pytest

from clustbudget.pipeline import check_budget
from clustbudget.rules import Selection, all_rules
from clustbudget.rules.budget import expected_end, programme_years, span

from .conftest import DATA, EXAMPLE


def codes(path, **kw):
    result = check_budget(path, **kw)
    return [(f.code, f.location.line) for f in result.findings], result


def test_example_budget_gets_the_programme_and_duration_warnings():
    got, result = codes(EXAMPLE)
    assert got == [("CB112", 5), ("CB106", 10), ("CB107", 12)]
    msgs = {f.code: f.message for f in result.findings}
    assert "POR FESR 2021-2027" in msgs["CB106"] and "POR FESR 2014-2020" in msgs["CB106"]
    assert "23 months and 20 days" in msgs["CB107"] and "expected end 2022-09-30" in msgs["CB107"]


def test_good_budget_has_only_the_not_checked_info():
    got, result = codes(DATA / "budgets" / "good.yaml")
    assert got == [("CB112", 3)]
    assert result.findings[0].message.endswith(
        "grant_cap, contribution_rate, min_spend_share, variations.share/amount"
    )


def test_each_rule_fires_at_its_line():
    got, result = codes(DATA / "budgets" / "rules-broken.yaml")
    assert sorted(got) == sorted(
        [
            ("CB112", 3),
            ("CB105", 7),
            ("CB105", 8),
            ("CB107", 8),
            ("CB111", 13),
            ("CB108", 19),
            ("CB113", 21),
            ("CB110", 23),
            ("CB109", 24),
            ("CB101", 25),
            ("CB102", 28),
            ("CB103", 32),
            ("CB103", 34),
        ]
    )
    msgs = [f.message for f in result.findings]
    # E on 1,000.02 is 250.005 → 250.01; the declared 250.00 is off by a cent
    assert any("declared E is 250.00 but the lines give 250.01" in m for m in msgs)
    # Z is not an item of the call, so it is left out of the total: 1,000.02 + 250.01
    assert not any("declared total" in m for m in msgs)


def test_reversed_dates():
    got, _ = codes(DATA / "budgets" / "dates-reversed.yaml")
    assert ("CB104", 6) in got


def test_cpr_pack_rules():
    got, result = codes(DATA / "budgets" / "cpr-2021-2027.yaml")
    assert ("CB120", 3) in got and ("CB121", 10) in got and ("CB105", 7) in got
    assert "first 92 days" in next(f.message for f in result.findings if f.code == "CB105")
    assert ("CB106", 6) not in got  # PR FESR 2021-2027 agrees with the pack


def test_cpr_rules_quiet_with_a_method_and_state_aid():
    got, _ = codes(DATA / "budgets" / "cpr-with-method.yaml")
    assert [c for c, _ in got] == ["CB112"]


def test_custom_pack_by_path_and_its_parameters():
    got, result = codes(DATA / "budgets" / "custom-pack.yaml")
    assert got == []  # all parameters known: nothing reported as not checked
    assert result.pack.id == "custom-15"
    assert str(result.figures.items["E"]) == "150.00"


def test_unknown_and_broken_packs():
    got, result = codes(DATA / "budgets" / "missing-pack.yaml")
    assert got == [("CB020", 2)] and "clust-er-2020" in result.findings[0].message
    got, result = codes(DATA / "budgets" / "bad-pack-ref.yaml")
    assert got == [("CB020", 2)] and "base 'Q'" in result.findings[0].message


def test_selection_filters_by_prefix():
    got, _ = codes(
        DATA / "budgets" / "rules-broken.yaml", selection=Selection(select=("CB10",), ignore=("CB105",))
    )
    assert {c for c, _ in got} == {"CB101", "CB102", "CB103", "CB104", "CB107", "CB108", "CB109"} - {"CB104"}


def test_every_rule_is_documented():
    for code, rule in all_rules().items():
        assert code.startswith("CB") and len(code) == 5
        assert rule.summary and rule.citation and rule.name
        assert rule.explanation.strip(), f"{code} has no explanation for `clustbudget rules {code}`"


@pytest.mark.parametrize(
    ("label", "years"),
    [
        ("POR FESR 2014-2020", (2014, 2020)),
        ("POR FESR 2014/20", (2014, 2020)),
        ("PR FESR 2021–2027", (2021, 2027)),
        ("FESR", None),
    ],
)
def test_programme_years(label, years):
    assert programme_years(label) == years


def test_duration_arithmetic():
    from datetime import date

    assert expected_end(date(2020, 10, 1), 24) == date(2022, 9, 30)
    assert expected_end(date(2021, 1, 31), 1) == date(2021, 2, 28)  # tests/test_boundaries.py
    assert span(date(2020, 10, 1), date(2022, 9, 20)) == "23 months and 20 days"
    assert span(date(2021, 1, 1), date(2021, 12, 31)) == "12 months"


@pytest.mark.parametrize(
    "descriptions",
    [
        ["Notebook", "Stand"],
        ["Notebook", "AFFITTO sala", "Canone telefonico"],
        ["ΟΔΟΣ", "Stand"],  # ΟΔΟΣ lowered alone ends in a final sigma
        ["Rent", "current account"],  # "rent" only at the start of a word
        ["İstanbul office", "Σ utenze", "x\nenergia elettrica"],
        [],
    ],
)
def test_overhead_words_found_per_line_as_each_line_alone(descriptions):
    """CB113 looks at all the descriptions at once first: it flags what checking each line
    alone flags, nothing more (keywords with capitals, a sigma, words only at their start)."""
    from clustbudget.compute import budget_figures
    from clustbudget.models import CostLine
    from clustbudget.rules.budget import BudgetContext, overhead_in_direct_costs, overhead_keyword

    result = check_budget(DATA / "budgets" / "good.yaml")
    keywords = [
        "Affitto",
        "telefon",
        "\u03bf\u03b4\u03bf\u03c2",  # οδος, with a final sigma
        "rent",
        "utenze",
        "energia elettrica",
        "İstanbul",
    ]
    pack = result.pack.model_copy(
        update={"expenses": result.pack.expenses.model_copy(update={"overhead_keywords": keywords})}
    )
    lines = [CostLine(description=d, amount="1.00") for d in descriptions]
    budget = result.budget.model_copy(update={"costs": {"A": lines[:1], "E": lines, "B": lines[1:]}})
    ctx = BudgetContext(budget, pack, budget_figures(budget, pack))
    got = [(hit.loc, hit.message) for hit in overhead_in_direct_costs(ctx)]
    alone = [
        (("costs", key, i, "description"), kw)
        for key in ("A", "B")
        for i, line in enumerate(budget.costs[key])
        if (kw := overhead_keyword(line.description, keywords))
    ]
    assert [loc for loc, _ in got] == [loc for loc, _ in alone]
    assert all(repr(kw) in message for (_, message), (_, kw) in zip(got, alone, strict=True))
    assert bool(alone) == (descriptions not in (["Notebook", "Stand"], []))
