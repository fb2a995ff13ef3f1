"""Italy's national holidays, from the well-kept `holidays` package (L. 260/1949 and its
amendments, including San Francesco d'Assisi on 4 October from 2026, L. 151/2025).

The package is the one source: a calendar maintained by others follows the laws that change
it, which a table of our own would not. Its `country_holidays` imports every country's
calendar (``holidays/countries/__init__.py``: 250 modules, about 70 ms), so :func:`italy`
imports Italy's module alone (about 15 ms), only when a check first needs a year's holidays,
and each year is asked once per run.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

_PACKAGE = "holidays"
_COUNTRIES = "holidays.countries"
_ITALY = "holidays.countries.italy"


@functools.lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[date]:
    """Italy's national holidays of ``year`` (Sundays that are holidays included: Easter, the
    first Sunday of November), as the `holidays` package lists them."""
    return frozenset(italy()(years=year))


@functools.cache
def italy() -> Callable[..., Any]:
    """The `holidays` package's calendar of Italy: called with ``years=`` (and ``language=``),
    it gives what ``holidays.country_holidays("IT", ...)`` gives.

    When the package's countries are not imported yet, Italy's module is imported alone, under
    stand-ins for the packages above it (their ``__init__`` not run), and every module of the
    package that this imported is then taken out of ``sys.modules`` again: whoever imports
    `holidays` later gets the whole package as usual. A layout of the package this does not know
    falls back to ``country_holidays``.
    """
    if _COUNTRIES not in sys.modules:
        try:
            return _italy_alone()
        except (ImportError, AttributeError):
            pass
    from holidays import country_holidays

    return functools.partial(country_holidays, "IT")


def _italy_alone() -> Callable[..., Any]:
    spec = importlib.util.find_spec(_PACKAGE)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(_PACKAGE)
    before = {name for name in sys.modules if name == _PACKAGE or name.startswith(_PACKAGE + ".")}
    roots = [Path(p) for p in spec.submodule_search_locations]
    try:
        for name, where in ((_PACKAGE, roots), (_COUNTRIES, [p / "countries" for p in roots])):
            if name not in sys.modules:
                stand_in = types.ModuleType(name)
                stand_in.__path__ = [str(p) for p in where]
                sys.modules[name] = stand_in
        cls: Callable[..., Any] = importlib.import_module(_ITALY).Italy
    finally:
        for name in [n for n in sys.modules if n == _PACKAGE or n.startswith(_PACKAGE + ".")]:
            if name not in before:
                del sys.modules[name]
    return cls
