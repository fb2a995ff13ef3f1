"""Italy's national holidays (L. 260/1949 and its amendments), without importing `holidays`.

The `holidays` package loads every country's calendar when imported (about a tenth of a second,
on every `validate` whose hours come near a month's limit). From 2001 (L. 336/2000 fixed the
Festa della Repubblica on 2 June) the national calendar is a short list of fixed days plus
Easter, which is computed here; other years are asked of `holidays` itself.
tests/test_holidays_it.py checks that both give the same days for every year computed here.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

FIRST_YEAR = 2001
"""Years from this one to :data:`LAST_YEAR` are computed here; others come from `holidays`."""
LAST_YEAR = 2099

_FIXED = ((1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26))
"""Capodanno, Epifania, Liberazione, Festa del Lavoro, Festa della Repubblica, Assunzione,
Ognissanti, Immacolata, Natale, Santo Stefano."""

_ONCE = {2011: (3, 17)}
"""Holidays of one year only: 2011, 150 years of the unification of Italy (L. 47/2011)."""


def easter(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@functools.lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    """Italy's national holidays of ``year`` (Sundays that are holidays included: Easter, the
    first Sunday of November), as the `holidays` package lists them."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        from holidays import country_holidays  # every country's calendar: loaded only here

        return frozenset(country_holidays("IT", years=year))
    days = {date(year, m, d) for m, d in _FIXED}
    if year in _ONCE:
        days.add(date(year, *_ONCE[year]))
    sunday = easter(year)
    days.update((sunday, sunday + timedelta(days=1)))
    if year >= 2026:  # L. 151/2025: San Francesco d'Assisi, patrono d'Italia
        days.add(date(year, 10, 4))
    first = date(year, 11, 1)
    days.add(first + timedelta(days=(6 - first.weekday()) % 7))  # Giorno dell'unità nazionale
    return frozenset(days)
