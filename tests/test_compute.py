"""The computation stage: flat rate, totals, shares and splits, exact to the cent."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustbudget.compute import allocate, budget_figures, flat_rate, share
from clustbudget.loading import PackResolver, load_file
from clustbudget.models import Budget

from .conftest import DATA, EXAMPLE

D = Decimal


def pack(name="clust-er-2020"):
    resolver = PackResolver()
    return resolver.load(resolver.locate(name, EXAMPLE)).model


def test_example_budget_figures():
    fig = budget_figures(load_file(EXAMPLE).model, pack())
    assert fig.items == {
        "A": D("130000.00"),
        "B": D("30000.00"),
        "C": D("0.00"),
        "D": D("0.00"),
        "E": D("40000.00"),
    }
    assert fig.direct == D("160000.00")
    assert fig.total == D("200000.00")
    assert [(r.key, r.rate, r.base_amount) for r in fig.flat_rates] == [("E", D("0.25"), D("160000.00"))]
    assert fig.share("A") == D("0.6500") and fig.share("E") == D("0.2000")


def test_half_cent_flat_rate_rounds_up():
    assert flat_rate(D("0.25"), D("1000.02")) == D("250.01")  # 250.005
    assert flat_rate(D("0.25"), D("1000.06")) == D("250.02")  # 250.015 (banker's: 250.02 too)
    assert flat_rate(D("0.25"), D("1000.10")) == D("250.03")  # 250.025 (banker's would give 250.02)


def test_splits_by_action_and_year():
    fig = budget_figures(load_file(DATA / "budgets" / "good.yaml").model, pack())
    # B 20,000.50 is shared by actions 1 and 2: 10,000.25 each
    assert fig.by_action == {
        "1": {"A": D("100000"), "B": D("10000.25")},
        "2": {"B": D("10000.25"), "D": D("4999.99")},
    }
    assert fig.by_year[2021] == {"A": D("50000.00")}
    assert fig.by_year[""] == {"B": D("20000.50"), "D": D("4999.99")}
    assert fig.items["E"] == D("31250.12")  # 25% of 125,000.49 = 31,250.1225


def test_allocate_distributes_cents():
    assert allocate(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
    assert allocate(D("0.01"), 2) == [D("0.01"), D("0.00")]


def test_share_of_nothing_is_zero():
    assert share(D("5"), D("0")) == D("0")


amounts = st.decimals(
    min_value=0, max_value=D("99999999.99"), places=2, allow_nan=False, allow_infinity=False
)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from("ABCD"), st.lists(amounts, max_size=5), max_size=4))
def test_total_is_sum_of_items_and_e_is_rate_times_base(costs):
    budget = Budget.model_validate(
        {
            "clustbudget": 1,
            "call": "clust-er-2020",
            "project": {"title": "t", "start": "2021-01-01", "end": "2021-12-31"},
            "costs": {k: [{"description": "x", "amount": f"{a:f}"} for a in v] for k, v in costs.items()},
        }
    )
    fig = budget_figures(budget, pack())
    direct = sum((a for v in costs.values() for a in v), D("0"))
    assert fig.direct == direct
    expected_e = (direct * D("0.25")).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert fig.items["E"] == expected_e
    assert fig.total == sum(fig.items.values()) == direct + expected_e
    for value in fig.items.values():
        assert isinstance(value, Decimal) and value == value.quantize(D("0.01"))


@given(amounts, st.integers(min_value=1, max_value=7))
def test_allocation_adds_up_exactly(amount, parts):
    shares = allocate(amount, parts)
    assert sum(shares) == amount
    assert max(shares) - min(shares) <= D("0.01")


def _figures_line_by_line(budget, pack):
    """What budget_figures gives by action and by year, each line split with allocate."""
    by_action: dict = {}
    by_year: dict = {}
    for key, lines in budget.costs.items():
        if key not in pack.direct_items:
            continue
        for line in lines:
            actions = line.action or ("",)
            for action, part in zip(actions, allocate(line.amount, len(actions)), strict=True):
                bucket = by_action.setdefault(action, {})
                bucket[key] = bucket.get(key, D("0.00")) + part
            for year, amount in (line.by_year or {"": line.amount}).items():
                bucket = by_year.setdefault(year, {})
                bucket[key] = bucket.get(key, D("0.00")) + amount
    return by_action, by_year


def _digits(split):
    return {k: {item: str(v) for item, v in parts.items()} for k, parts in split.items()}


line_amounts = st.decimals(min_value=0, max_value=D("99999999.99"), places=2).map(lambda d: f"{d:f}") | (
    st.integers(min_value=0, max_value=10**9).map(str)
)


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from("ABCDE"),
        st.lists(
            st.tuples(line_amounts, st.lists(st.sampled_from("123"), max_size=3), st.booleans()), max_size=5
        ),
        max_size=5,
    )
)
def test_splits_by_action_and_year_are_the_lines_allocated(costs):
    """A line of one action (or none) is added whole, one of several is split with allocate:
    the same figures, to the digit (``100`` counts as ``100.00``), as splitting every line."""
    budget = Budget.model_validate(
        {
            "clustbudget": 1,
            "call": "clust-er-2020",
            "project": {"title": "t", "start": "2021-01-01", "end": "2022-12-31"},
            "costs": {
                k: [
                    {"description": "x", "amount": a, "action": acts}
                    | ({"by_year": {2021: a, 2022: "0"}} if split else {})
                    for a, acts, split in v
                ]
                for k, v in costs.items()
            },
        }
    )
    fig = budget_figures(budget, pack())
    by_action, by_year = _figures_line_by_line(budget, pack())
    assert _digits(fig.by_action) == _digits(by_action)
    assert _digits(fig.by_year) == _digits(by_year)
    assert list(fig.by_action) == list(by_action) and list(fig.by_year) == list(by_year)


def test_the_splits_are_made_when_first_read_and_equal_the_eager_ones():
    """budget_figures leaves by_action and by_year to their first use (validate of budgets
    never reads them): the same figures as made at once, equal, shown alike, copied."""
    import copy

    from clustbudget.compute import BudgetFigures

    budget = load_file(DATA / "budgets" / "good.yaml").model
    fig = budget_figures(budget, pack())
    assert "by_action" not in vars(fig) and "by_year" not in vars(fig)
    later = copy.copy(fig)
    eager = BudgetFigures(fig.items, fig.direct, fig.flat_rates, fig.total, fig.by_action, fig.by_year)
    assert "by_action" in vars(fig) and "by_year" in vars(fig)
    assert fig == eager == later and repr(later) == repr(eager)
    assert fig.by_year[2021] == {"A": D("50000.00")}
    with pytest.raises(AttributeError, match="no attribute 'by_item'"):
        fig.by_item  # noqa: B018
