"""The one place numbers, money, percentages and dates are written for people, per language.

=========  ==================  ==================
           Italian (``it``)    English (``en``)
=========  ==================  ==================
money      ``1.511,00 €``      ``1,511.00``
amount     ``1.511,00``        ``1,511.00``        (table cells, under an "(€)" header)
number     ``1.800``, ``7,5``  ``1,800``, ``7.5``  (hours, counts: no trailing zeros)
percent    ``65,00%``          ``65.00%``          (a share, half-up to ``places``)
rate       ``25%``, ``7,5%``   ``25%``, ``7.5%``   (a call's rate, as exact as it is)
date       ``31/12/2024``      ``2024-12-31``
month      ``10/2020``         ``2020-10``
timestamp  ``31/12/2024 14:05``  ``2024-12-31 14:05``  (local time)
=========  ==================  ==================

Machine formats (JSON, YAML, spreadsheet cells holding numbers) never go through here: they
keep ``40000.00`` and ISO dates. A language without an entry in ``_STYLE`` is written the
English way, so a new catalogue works before anyone tunes its numbers.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

CENT = Decimal("0.01")


class Style(NamedTuple):
    group: str
    decimal: str
    date: str
    month: str
    money: str  # "{}" is the amount


_STYLE = {
    "en": Style(",", ".", "%Y-%m-%d", "%Y-%m", "{}"),
    "it": Style(".", ",", "%d/%m/%Y", "%m/%Y", "{} €"),
}


def style(lang: str) -> Style:
    return _STYLE.get(lang, _STYLE["en"])


def _local(text: str, lang: str) -> str:
    """``1,234.5`` (Python's grouping) in the language's separators."""
    s = style(lang)
    if (s.group, s.decimal) == (",", "."):
        return text
    return text.replace(",", "\0").replace(".", s.decimal).replace("\0", s.group)


def amount(value: Decimal, lang: str) -> str:
    """An amount in euro, two decimals, grouped, no currency sign: ``1.511,00`` / ``1,511.00``."""
    return _local(f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,f}", lang)


def money(value: Decimal, lang: str) -> str:
    """An amount in running text: ``1.511,00 €`` (it), ``1,511.00`` (en)."""
    return style(lang).money.format(amount(value, lang))


def number(value: Decimal | int, lang: str) -> str:
    """A quantity (hours, counts), grouped, without trailing zeros: ``1.800``, ``7,5``."""
    if isinstance(value, int):
        return _local(f"{value:,d}", lang)
    return _local(f"{value.normalize():,f}", lang)


def percent(fraction: Decimal, lang: str, places: int = 2) -> str:
    """A share as a percentage, rounded half-up: ``0.6500`` → ``65,00%`` / ``65.00%``."""
    value = (fraction * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _local(f"{value:f}", lang) + "%"


def rate(value: Decimal, lang: str) -> str:
    """A call's rate as exact as it is written: ``0.25`` → ``25%``, ``0.075`` → ``7,5%``."""
    return _local(f"{(value * 100).normalize():f}", lang) + "%"


def date(value: _dt.date, lang: str) -> str:
    """``31/12/2024`` (it), ``2024-12-31`` (en)."""
    return value.strftime(style(lang).date)


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month(value: str | _dt.date, lang: str) -> str:
    """A month (``2020-10`` or a date in it): ``10/2020`` (it), ``2020-10`` (en)."""
    if isinstance(value, str):
        m = _MONTH.fullmatch(value)
        if m is None:
            return value
        value = _dt.date(int(m[1]), int(m[2]), 1)
    return value.strftime(style(lang).month)


def timestamp(value: _dt.datetime, lang: str) -> str:
    """A moment as local date and time to the minute: ``31/12/2024 14:05``."""
    if value.tzinfo is not None:
        value = value.astimezone()
    return f"{date(value, lang)} {value:%H:%M}"


SPECS: dict[str, Callable[[Any, str], str]] = {
    "money": money,
    "amount": amount,
    "number": number,
    "percent": percent,
    "rate": rate,
    "date": date,
    "month": month,
}
"""The format specs a message template may use on a field: ``{cost:money}``, ``{d:date}``."""


def field(value: object, spec: str, lang: str) -> str:
    """One field of a message template, written for ``lang``.

    A named spec (``money``, ``date``…) picks the function above; without one, dates are
    still dates and Decimals numbers in the language's style, and anything else is ``format``
    ed as Python would.
    """
    fn = SPECS.get(spec)
    if fn is not None:
        return fn(value, lang)
    if not spec:
        if isinstance(value, _dt.datetime):
            return timestamp(value, lang)
        if isinstance(value, _dt.date):
            return date(value, lang)
        if isinstance(value, Decimal):
            return number(value, lang)
    return format(value, spec)
