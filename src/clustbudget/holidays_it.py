"""Italy's national holidays, from the well-kept `holidays` package (L. 260/1949 and its
amendments, including San Francesco d'Assisi on 4 October from 2026, L. 151/2025).

The package is the one source: a calendar maintained by others follows the laws that change
it, which a table of our own would not. Importing it loads every country's calendar (about a
tenth of a second), so it is imported only when a check first needs a year's holidays, and each
year is asked once per run.
"""

from __future__ import annotations

import functools
from datetime import date


@functools.lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    """Italy's national holidays of ``year`` (Sundays that are holidays included: Easter, the
    first Sunday of November), as the `holidays` package lists them."""
    from holidays import country_holidays  # loaded only when a check needs it

    return frozenset(country_holidays("IT", years=year))
