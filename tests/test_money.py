"""Amounts are parsed from their text exactly, and anything ambiguous is refused with the fix."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clustbudget.money import AmountError, fmt, fmt_eur, fmt_rate, parse_decimal, parse_rate, round_cents


@pytest.mark.parametrize(
    ("text", "value"),
    [("130000", "130000"), ("130000.00", "130000.00"), ("0", "0"), ("0.5", "0.5"), (" 12.30 ", "12.30")],
)
def test_plain_decimals_are_read_exactly(text, value):
    assert parse_decimal(text) == Decimal(value)
    assert str(parse_decimal(text)) == value


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("130.000", "write 130000.00 for thousands or 130.00 for a decimal"),
        ("1,5", "write it as 1.5"),
        ("1.234.567,89", "write it as 1234567.89"),
        ("1,500", "write 1500.00 for thousands or 1.50 for a decimal"),
        ("1,234,567.50", "write it as 1234567.50"),
        ("0700", "leading zero (YAML 1.1 would read it as octal): write 700"),
        ("7:30", "base 60"),
        ("yes", "boolean"),
        ("-10.00", "never negative"),
        ("+5", "without the sign: 5"),
        ("1e5", "without an exponent: 100000"),
        ("130_000", "without separators: 130000"),
        (".nan", "finite"),
        (".inf", "finite"),
        ("€ 100", "without the currency: 100"),
        ("10.123", "at most two decimals"),
        ("12345.678", "more than 2 decimals"),
        ("1000000000000.00", "too large"),
        ("abc", "plain decimal"),
    ],
)
def test_ambiguous_or_invalid_amounts_are_refused_with_the_fix(text, hint):
    with pytest.raises(AmountError, match=None) as err:
        parse_decimal(text)
    assert hint in str(err.value)


@pytest.mark.parametrize("value", [True, False, None, 1.5, [1], {"a": 1}])
def test_non_text_values_are_refused(value):
    with pytest.raises(AmountError):
        parse_decimal(value)


def test_round_cents_is_half_up_not_bankers():
    assert round_cents(Decimal("250.005")) == Decimal("250.01")
    assert round_cents(Decimal("0.125")) == Decimal("0.13")  # banker's rounding would give 0.12
    assert round_cents(Decimal("0.135")) == Decimal("0.14")
    assert round_cents(Decimal("2.004999")) == Decimal("2.00")


def test_formats():
    assert fmt(Decimal("40000")) == "40000.00"
    assert fmt_eur(Decimal("130000"), "en") == "130,000.00"
    assert fmt_eur(Decimal("130000"), "it") == "130.000,00"
    assert fmt_rate(Decimal("0.25")) == "25%"
    assert fmt_rate(Decimal("0.075")) == "7.5%"


def test_rates_are_fractions():
    assert parse_rate("0.25") == Decimal("0.25")
    with pytest.raises(AmountError, match="above 1"):
        parse_rate("25")


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False))
def test_any_two_decimal_amount_round_trips_through_its_text(value):
    assert parse_decimal(f"{value:f}") == value
    assert fmt(parse_decimal(f"{value:f}")) == f"{value:.2f}"


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_rate, "25%", "write the rate '25%' as a fraction: 0.25 for 25%"),
        (parse_rate, "abc", "'abc' is not a rate: write a plain decimal such as 0.25"),
        (
            lambda t: parse_decimal(t, what="number of hours"),
            "7:30",
            "'7:30' is not a number of hours (YAML 1.1",
        ),
        (
            lambda t: parse_decimal(t, what="number of hours"),
            "100.123",
            "number of hours '100.123' has more than 2",
        ),
        (parse_decimal, "25%", "'25%' is not an amount: write it without %"),
    ],
)
def test_messages_fit_what_is_parsed(parse, text, message):
    with pytest.raises(AmountError) as err:
        parse(text)
    assert str(err.value).startswith(message)
