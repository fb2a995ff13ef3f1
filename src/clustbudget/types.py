"""Field types shared by the models: amounts, rates, hours, dates, years and ids.

Each one parses the text the YAML loader kept (see :mod:`clustbudget.yamlsource`) and raises
a ``PydanticCustomError`` of type ``cb_value`` with a message a person can act on. They also
accept the Python values a programmer would pass (``Decimal``, ``date``, ``int``), never float.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import PlainValidator, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from .i18n import Message, msg
from .money import _FAST as _PLAIN
from .money import AmountError, parse_decimal, parse_rate

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ID = re.compile(r"[^\s].*")
_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


def _fail(message: Message) -> PydanticCustomError:
    """The error for a value: its English text for pydantic, the :class:`Message` itself in the
    error's context (``ctx["message"]``) for the loader to show in the user's language."""
    return PydanticCustomError("cb_value", "{message}", {"message": message})


_PLAIN_AMOUNT = _PLAIN.fullmatch


def _decimal_of(value: Any, what: str, places: int) -> Decimal:
    if isinstance(value, float):
        raise _fail(msg("{what} given as a float: write it as text or a Decimal", what=what))
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        value = str(value)
    try:
        return parse_decimal(value, what=what, places=places)
    except AmountError as exc:
        raise _fail(exc.message) from None


def money(value: Any) -> Decimal:
    """An amount in euro: non-negative, at most two decimals."""
    if type(value) is str and _PLAIN_AMOUNT(value):  # most amounts: parse_decimal's own first test
        return Decimal(value)
    return _decimal_of(value, "amount", 2)


def hours(value: Any) -> Decimal:
    """A number of hours: non-negative, at most two decimals."""
    return _decimal_of(value, "number of hours", 2)


def hours_basis(value: Any) -> Decimal:
    """The hours a year an hourly rate is computed on: more than 0 (1720 for full time)."""
    basis = hours(value)
    if not basis:
        raise _fail(msg("hours_per_year must be more than 0: 1720 for full time, pro rata for part time"))
    return basis


def rate(value: Any) -> Decimal:
    """A fraction from 0 to 1 (``0.25`` for 25%)."""
    if isinstance(value, float):
        raise _fail(msg('rate given as a float: write it as text, e.g. "0.25"'))
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        value = str(value)
    try:
        return parse_rate(value)
    except AmountError as exc:
        raise _fail(exc.message) from None


def calendar_date(value: Any) -> date:
    """A date written ``YYYY-MM-DD`` that exists in the calendar."""
    if type(value) is str:
        return _date_of_text(value)
    return _calendar_date(value)


@functools.lru_cache(maxsize=100_000)
def _date_of_text(value: str) -> date:
    """The dates read so far, by their text: a report or a ledger writes a few hundred distinct
    dates on tens of thousands of lines (a text that is no date raises, and is not kept)."""
    return _calendar_date(value)


def _calendar_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _fail(msg("expected a date such as 2020-10-01, got {shown}", shown=describe(value)))
    text = value.strip()
    m = _DATE.fullmatch(text)
    if m is None:
        dmy = _DMY.fullmatch(text)
        if dmy is not None:
            d, mth, y = dmy.groups()
            raise _fail(
                msg(
                    "write the date {text!r} as YYYY-MM-DD: {iso}",
                    text=text,
                    iso=f"{y}-{int(mth):02d}-{int(d):02d}",
                )
            )
        raise _fail(msg("expected a date such as 2020-10-01, got {shown}", shown=repr(text)))
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _fail(msg("{text} is not a date in the calendar", text=text)) from None


_YEAR = re.compile(r"(19|20|21)\d\d").fullmatch


def year(value: Any) -> int:
    """A calendar year such as ``2021``."""
    if type(value) is int and 1900 <= value <= 2199:  # most years: what the pattern below accepts
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise _fail(msg("expected a year such as 2021, got {shown}", shown=describe(value)))
    if not _YEAR(text):
        raise _fail(msg("expected a year such as 2021, got {shown}", shown=repr(text)))
    return int(text)


def month(value: Any) -> str:
    """A calendar month written ``YYYY-MM``, kept as that text."""
    text = value.strip() if isinstance(value, str) else None
    m = _MONTH.fullmatch(text or "")
    if m is None or not 1 <= int(m[2]) <= 12 or not 1900 <= int(m[1]) <= 2199:
        raise _fail(msg("expected a month such as 2021-03, got {shown}", shown=describe(value)))
    return text  # type: ignore[return-value]


def month_day(value: Any) -> str:
    """A day of the year written ``MM-DD`` (``10-04`` for 4 October), kept as that text."""
    text = value.strip() if isinstance(value, str) else ""
    m = _MONTH_DAY.fullmatch(text)
    ok = False
    if m is not None and 1 <= int(m[1]) <= 12:
        ok = 1 <= int(m[2]) <= (29 if int(m[1]) == 2 else calendar.monthrange(2001, int(m[1]))[1])
    if not ok:
        raise _fail(
            msg('expected a day of the year as MM-DD such as "10-04", got {shown}', shown=describe(value))
        )
    return text


def identifier(value: Any) -> str:
    """An id: always text, so ``action: 1`` matches ``id: "1"``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise _fail(msg("expected an id (text or a number), got {shown}", shown=describe(value)))
    return value.strip()


def text(value: Any) -> str:
    """Free text; numbers written bare are kept as their text."""
    if isinstance(value, str):
        return value
    raise _fail(msg("expected text, got {shown}", shown=describe(value)))


def format_version(value: Any) -> int:
    if value in ("1", 1):
        return 1
    raise _fail(
        msg("unsupported format version {shown}: this clustbudget reads version 1", shown=describe(value))
    )


def describe(value: Any) -> str:
    """How an unexpected value is named in a message (a :class:`Message` where it is words)."""
    if value is None:
        return msg("nothing (null)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return msg("a mapping")
    if isinstance(value, list):
        return msg("a list")
    return repr(value)


_AMOUNT_SCHEMA = {
    "anyOf": [
        # no multipleOf 0.01: JSON Schema validators test it in binary floating point and
        # refuse exact amounts such as 40833.34; the string form below is exact.
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"},
    ],
    "description": "Euro, exact decimal, at most two decimals, never negative.",
}

Money = Annotated[Decimal, PlainValidator(money), WithJsonSchema(_AMOUNT_SCHEMA)]
Hours = Annotated[
    Decimal,
    PlainValidator(hours),
    WithJsonSchema({**_AMOUNT_SCHEMA, "description": "Hours, at most two decimals."}),
]
HoursBasis = Annotated[
    Decimal,
    PlainValidator(hours_basis),
    WithJsonSchema({**_AMOUNT_SCHEMA, "description": "Hours a year, more than 0 (1720 full time)."}),
]
Rate = Annotated[
    Decimal,
    PlainValidator(rate),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$"},
            ],
            "description": 'A fraction from 0 to 1, e.g. "0.25".',
        }
    ),
]
Date = Annotated[
    date,
    PlainValidator(calendar_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
]
Year = Annotated[
    int,
    PlainValidator(year),
    WithJsonSchema({"type": "integer", "minimum": 1900, "maximum": 2199}),
]
Month = Annotated[
    str,
    PlainValidator(month),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}),
]
Id = Annotated[
    str,
    PlainValidator(identifier),
    WithJsonSchema({"type": ["string", "integer"], "description": "An id; compared as text."}),
]
# Free text is pydantic's own strict str (no Python call per field, a tenth of a report's
# validation): its refusal, ``string_type``, is worded by the loader as :func:`text` words it.
Text = Annotated[str, Strict(), WithJsonSchema({"type": "string"})]


def sha256(value: Any) -> str:
    """A SHA-256 digest: 64 hexadecimal digits (any case), kept in lower case."""
    digest = value.strip().lower() if isinstance(value, str) else ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise _fail(
            msg(
                "expected a SHA-256 of 64 hexadecimal digits (as sha256sum prints it), got {shown}",
                shown=describe(value),
            )
        )
    return digest


Sha256 = Annotated[
    str,
    PlainValidator(sha256),
    WithJsonSchema(
        {"type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "SHA-256, 64 hex digits"}
    ),
]
Bool = Annotated[bool, Strict()]
FormatVersion = Annotated[
    int, PlainValidator(format_version), WithJsonSchema({"type": "integer", "const": 1})
]
MonthDay = Annotated[
    str,
    PlainValidator(month_day),
    WithJsonSchema(
        {"type": "string", "pattern": r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", "description": "MM-DD"}
    ),
]
