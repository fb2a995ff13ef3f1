"""Invoice identity: which lines of a project's reports charge the same invoice.

An invoice is its supplier (VAT number or tax code when given, else the normalised name), its
document number (normalised) and its year of issue: Italian invoice numbers are progressive
per calendar year, so the same supplier may issue "77" in 2023 and in 2024 (DOMAIN.md,
"Invoice identity"). A number that embeds a year ("FT 77/2023") is an invoice of that year,
whatever its date says: a date in another year is usually a registration date.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from .models import Expense
from .payments import normalise

# Legal forms, as they read once normalised ("S.r.l." → "s r l"), dropped from supplier names.
_LEGAL = re.compile(
    r"\b(s r l(?: s)?|srls?|s p a|spa|s n c|snc|s a s|sas|s c a r l|scarl|gmbh|ag|ltd|llc|inc|sa|bv|nv|societa|co)\b"
)


@functools.lru_cache(maxsize=4096)
def supplier_key(name: str) -> str:
    """A supplier's name, normalised: case, accents, legal forms and punctuation dropped
    (``Messe Düsseldorf GmbH`` = ``MESSE DUSSELDORF``)."""
    return " ".join(_LEGAL.sub(" ", normalise(name)).split())


_VAT_NOISE = re.compile(r"[\s.\-]")


@functools.lru_cache(maxsize=65536)
def vat_key(vat: str) -> str:
    """A VAT number or tax code, normalised: ``IT 01234567890`` → ``01234567890``."""
    text = _VAT_NOISE.sub("", vat.upper())
    return text[2:] if text.startswith("IT") and text[2:].isdigit() else text


# After NFKC (which folds full-width and compatibility forms): white space, zero-width
# characters and every dash a keyboard or a PDF can produce.
_NUMBER_NOISE = re.compile(
    "[\\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff\\-\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d]"
)


def document_key(document: str) -> str:
    """A document number, normalised: Unicode NFKC, case-folded, with spaces, zero-width
    characters and dashes removed (``FT 2021–015`` = ``ft2021015`` = ``FT2021-015``)."""
    return _number(document)[0]


_YEAR_IN_NUMBER = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")


def number_year(document: str) -> int | None:
    """The year a document number carries (``FT 77/2023`` → 2023), or None. A number with
    two different years names none."""
    return _number(document)[1]


@functools.lru_cache(maxsize=65536)
def _number(document: str) -> tuple[str, int | None]:
    # Both readings of a number at once (one NFKC, one cache entry): CB216 asks for the year of
    # every claimed line, then CB304 for its key and year.
    if document.isascii() and document.isprintable():
        # Most numbers: NFKC leaves printable ASCII as it is, casefold is lower, and its only
        # characters that _NUMBER_NOISE matches are the space and the hyphen.
        text = document
        key = document.lower().replace(" ", "").replace("-", "")
    else:
        text = unicodedata.normalize("NFKC", document)
        key = _NUMBER_NOISE.sub("", text.casefold())
    years = _YEAR_IN_NUMBER.findall(text)
    if len(years) == 1:  # most numbers that carry a year carry it once
        year: int | None = int(years[0])
    else:
        year = int(years[0]) if years and len(set(years)) == 1 else None
    return key, year


def issue_year(expense: Expense) -> int:
    """The invoice's year of issue: the year in its number when it carries one, else its date's."""
    return invoice_key(expense).year


class InvoiceKey(NamedTuple):
    """What an invoice is: document number and year; the supplier is compared apart
    (:func:`same_supplier`), since a VAT number given on one line only cannot be matched by key."""

    document: str
    year: int


def invoice_key(expense: Expense) -> InvoiceKey:
    """The invoice a line charges: its number's key and its year of issue (the year in its
    number when it carries one, else its date's)."""
    key, year = _number(expense.document)
    return InvoiceKey(key, year or expense.date.year)


class Supplier(NamedTuple):
    vat: str | None
    name: str


def supplier_of(expense: Expense) -> Supplier:
    return Supplier(
        vat_key(expense.supplier_vat) if expense.supplier_vat else None, supplier_key(expense.supplier)
    )


def same_supplier(a: Supplier, b: Supplier) -> bool:
    """The VAT numbers (or tax codes) when both lines give one, else the normalised names."""
    return a.vat == b.vat if (a.vat and b.vat) else a.name == b.name


def whole_amount(lines: Sequence[Expense]) -> Decimal:
    """An invoice's taxable amount from the lines that charge it, in period order: the first
    `invoice_amount` given, else the first line's `amount` (a line that does not say it is a
    part charges the whole invoice)."""
    given = next((e.invoice_amount for e in lines if e.invoice_amount is not None), None)
    return given if given is not None else lines[0].amount
