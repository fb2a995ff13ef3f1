"""Exact money: parsing amounts from their text, and the one rounding rule.

Every amount goes from the YAML scalar's text straight into :class:`~decimal.Decimal`.
No float is ever involved, so ``0.1 + 0.2`` is ``0.3`` here, as it is on an invoice.

Rounding rule (documented in the README): a computed amount is rounded **half-up to the
cent** (``ROUND_HALF_UP``: 0.005 → 0.01), the way Italian public-funding statements and
spreadsheets' ``ROUND(x;2)`` do it. Rounding happens only where a figure is computed (a flat
rate, an hourly rate, a staff cost), never on an amount a user typed.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .i18n import Message, msg

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Amounts stay below 10^12 € so that every figure, cents included, fits the 15 significant
# digits a spreadsheet cell keeps exactly.
MAX_AMOUNT = Decimal("999999999999.99")

_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_FAST = re.compile(r"(?:0|[1-9]\d{0,11})(?:\.\d{1,2})?")
"""The common case, accepted at once: no leading zero, at most 12 digits and 2 decimals."""
_ITALIAN_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_COMMA_DECIMAL = re.compile(r"\d+,\d+")
_ENGLISH_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


class AmountError(ValueError):
    """An amount's text is not an exact, unambiguous, non-negative decimal.

    ``str(error)`` is the English message; :attr:`message` the same as a
    :class:`~clustbudget.i18n.Message`, to be shown in the user's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def round_cents(value: Decimal) -> Decimal:
    """Round half-up to the cent: the only rounding rule of clustbudget."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Two-decimal text of an amount (``"40000.00"``), as JSON output carries money."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def fmt_eur(value: Decimal, lang: str = "en") -> str:
    """Amount for people: ``130,000.00`` (en) or ``130.000,00`` (it); see :mod:`clustbudget.i18n.formatting`."""
    from .i18n.formatting import amount

    return amount(value, lang)


def fmt_qty(value: Decimal, lang: str = "en") -> str:
    """A quantity such as hours, grouped, without trailing zeros: ``Decimal("1800.00")`` → ``"1,800"``."""
    from .i18n.formatting import number

    return number(value, lang)


def fmt_rate(rate: Decimal, lang: str = "en") -> str:
    """A rate as a percentage for people: ``Decimal("0.25")`` → ``"25%"``, ``0.075`` → ``"7.5%"``."""
    from .i18n.formatting import rate as fmt

    return fmt(rate, lang)


def _suggest(text: str) -> str | None:
    """The unambiguous form of a number written with grouping or a decimal comma."""
    if _ITALIAN_THOUSANDS.fullmatch(text):
        whole, _, frac = text.partition(",")
        return whole.replace(".", "") + ("." + frac if frac else "")
    if _COMMA_DECIMAL.fullmatch(text):
        return text.replace(",", ".")
    if _ENGLISH_THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    return None


_EXAMPLES = {"amount": "1500.00", "number of hours": "7.5", "rate": "0.25", "share": "0.5"}

_WHAT = {
    "amount": (msg("amount"), msg("an amount"), msg("the amount")),
    "number of hours": (msg("number of hours"), msg("a number of hours"), msg("the number of hours")),
    "rate": (msg("rate"), msg("a rate"), msg("the rate")),
    "share": (msg("share"), msg("a share"), msg("the share")),
}
"""What is being parsed, as the messages name it: the noun, with "a" and with "the"."""


def _nouns(what: str) -> dict[str, Message]:
    noun, a_what, the_what = _WHAT.get(what) or (msg(what), msg(f"a {what}"), msg(f"the {what}"))
    return {"what": noun, "a_what": a_what, "the_what": the_what}


def parse_decimal(text: object, *, what: str = "amount", places: int = 2) -> Decimal:
    """Parse a non-negative decimal from a YAML scalar's text, refusing anything ambiguous.

    ``text`` is what the loader kept of the scalar: a ``str`` for any number, ``bool`` for
    ``true``/``false``, ``None`` for null. Raises :class:`AmountError` with a message that
    shows the unambiguous way to write the value (a :class:`~clustbudget.i18n.Message`, so
    it can be shown in Italian or English).
    """
    if places == 2 and type(text) is str and _FAST.fullmatch(text):
        return Decimal(text)
    example = _EXAMPLES.get(what, "1500.00")
    w = _nouns(what)
    if isinstance(text, bool) or text is None:
        shown: object = msg("nothing (null)") if text is None else str(text).lower()
        raise AmountError(
            msg("expected {a_what} such as {example}, got {shown}", example=example, shown=shown, **w)
        )
    if not isinstance(text, str):
        raise AmountError(
            msg(
                "expected {a_what} such as {example}, got {shown}",
                example=example,
                shown=_describe(text),
                **w,
            )
        )
    raw = text.strip()
    if raw.startswith("€") or raw.endswith("€") or raw.upper().startswith("EUR"):
        bare = raw.strip("€").strip()
        bare = bare[3:].strip() if bare.upper().startswith("EUR") else bare
        raise AmountError(msg("write {the_what} without the currency: {bare}", bare=bare or "0.00", **w))
    if raw.startswith("-"):
        raise AmountError(msg("negative {what} {raw!r}: {a_what} is never negative", raw=raw, **w))
    if raw.startswith("+"):
        raise AmountError(msg("write {the_what} without the sign: {bare}", bare=raw[1:], **w))
    if not _PLAIN.fullmatch(raw):
        if raw.endswith("%") and _PLAIN.fullmatch(raw[:-1].replace(",", ".")):
            percent = Decimal(raw[:-1].replace(",", "."))
            if what in ("rate", "share"):
                raise AmountError(
                    msg(
                        "write {the_what} {raw!r} as a fraction: {fraction} for {raw}",
                        raw=raw,
                        fraction=f"{(percent / 100).normalize():f}",
                        **w,
                    )
                )
            raise AmountError(msg("{raw!r} is not {a_what}: write it without %", raw=raw, **w))
        if what == "amount" and re.fullmatch(r"\d{1,3},\d{3}", raw):
            whole, frac = raw.split(",")
            raise AmountError(
                msg(
                    "ambiguous {what} {raw!r}: write {thousands} for thousands or {decimal} for a decimal",
                    raw=raw,
                    thousands=f"{whole}{frac}.00",
                    decimal=f"{whole}.{frac[:2]}",
                    **w,
                )
            )
        hint = _suggest(raw)
        if hint is not None:
            raise AmountError(msg("ambiguous {what} {raw!r}: write it as {hint}", raw=raw, hint=hint, **w))
        low = raw.lower()
        if low in {".nan", "nan", ".inf", "inf", "infinity", ".infinity"}:
            raise AmountError(
                msg(
                    "{raw!r} is not {a_what}: write a finite number such as {example}",
                    raw=raw,
                    example=example,
                    **w,
                )
            )
        if "_" in raw and _PLAIN.fullmatch(raw.replace("_", "")):
            raise AmountError(
                msg("write {the_what} without separators: {bare}", bare=raw.replace("_", ""), **w)
            )
        if ":" in raw:
            raise AmountError(
                msg(
                    "{raw!r} is not {a_what} (YAML 1.1 would read it as base 60): "
                    "write it as a decimal such as 7.5",
                    raw=raw,
                    **w,
                )
            )
        if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", raw):
            try:
                plain: object = f"{Decimal(raw):f}"
            except InvalidOperation:  # pragma: no cover - regex guarantees a number
                plain = msg("a plain decimal")
            raise AmountError(msg("write {the_what} without an exponent: {bare}", bare=plain, **w))
        if low in {"yes", "no", "on", "off", "y", "n"}:
            raise AmountError(
                msg(
                    "{raw!r} is not {a_what} (YAML 1.1 would read it as a boolean): "
                    "write a plain decimal such as {example}",
                    raw=raw,
                    example=example,
                    **w,
                )
            )
        raise AmountError(
            msg(
                "{raw!r} is not {a_what}: write a plain decimal such as {example}",
                raw=raw,
                example=example,
                **w,
            )
        )
    if len(raw) > 1 and raw[0] == "0" and raw[1] != ".":
        digits = raw.lstrip("0") or "0"
        # a rate or share is a fraction: `07` was meant as 0.7 (or 0.07), never as 7
        fix: object = (
            msg("a fraction from 0 to 1, such as {example}", example=f"0.{digits}")
            if what in ("rate", "share")
            else digits
        )
        raise AmountError(
            msg(
                "{what} {raw!r} has a leading zero (YAML 1.1 would read it as octal): write {fix}",
                raw=raw,
                fix=fix,
                **w,
            )
        )
    whole, _, frac = raw.partition(".")
    if len(frac) > places:
        if what == "amount" and len(frac) == 3 and len(whole) <= 3:
            raise AmountError(
                msg(
                    "ambiguous {what} {raw!r}: write {thousands} for thousands "
                    "or {decimal} for a decimal (at most two decimals)",
                    raw=raw,
                    thousands=f"{whole}{frac}.00",
                    decimal=f"{whole}.{frac[:2]}",
                    **w,
                )
            )
        raise AmountError(msg("{what} {raw!r} has more than {places} decimals", raw=raw, places=places, **w))
    value = Decimal(raw)
    if value > MAX_AMOUNT:
        raise AmountError(
            msg("{what} {raw!r} is too large (at most {most})", raw=raw, most=f"{MAX_AMOUNT}", **w)
        )
    return value


def parse_rate(text: object, *, what: str = "rate") -> Decimal:
    """Parse a rate or share between 0 and 1, e.g. ``"0.25"`` (at most 6 decimals)."""
    value = parse_decimal(text, what=what, places=6)
    if value > 1:
        raise AmountError(
            msg("{what} {text!r} is above 1: write a fraction, e.g. 0.25 for 25%", text=text, **_nouns(what))
        )
    return value


def _describe(value: object) -> str:
    if isinstance(value, dict):
        return msg("a mapping")
    if isinstance(value, list):
        return msg("a list")
    return repr(value)
