"""Worksheet rows as SpreadsheetML text: fast, and a formula only where clustbudget puts one.

openpyxl builds the workbook around the rows (styles, sheet set-up, chart, properties), but
its per-cell writer costs about 20 µs a cell without lxml: a 20,000-line budget would take
several seconds. The rows are simple (numbers, text, formulas, one style each), so they are
written here as text and streamed into the package (:mod:`.package`).

Safety by construction: a :class:`str` value is always written as text (an inline string),
whatever it begins with; only a :class:`Formula`, which this package builds, becomes a
formula. Text that a spreadsheet would turn into a formula when the cell is edited
(``=``, ``+``, ``-``, ``@``) also gets a quote-prefix style.

Every formula carries its result, computed by clustbudget (:mod:`clustbudget.compute`'s
Decimals), as the cell's cached value: what a reader that does not calculate shows (mail and
file previews, Excel's Protected View, pandas, ``openpyxl`` with ``data_only=True``). The
workbook also asks for a full calculation on load, so spreadsheets that do calculate compute
every formula themselves.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from functools import cache

from ..records import dataclass

FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_TEXT = 32_767
"""The most characters a cell holds (Excel's limit)."""

# Characters XML 1.0 does not allow (C0 controls but tab and newline, lone surrogates,
# U+FFFE/U+FFFF); a YAML double-quoted string ("\x07") can carry them.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Spreadsheets decode _xHHHH_ in text as a character; an underscore written _x005F_ stays one.
_ESCAPE_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
# Text with none of these is written as it is: no control character, line end to normalise,
# XML special character or escape look-alike.
_NEEDS_CARE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff&<>_]")
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula built by clustbudget, written without the leading ``=`` (``SUM(D3:D9)``), and
    its result as clustbudget computes it (the cell's cached value)."""

    text: str
    value: Decimal | int | str
    """A number, or words a formula gives (``"over budget"``)."""


@dataclass(frozen=True, slots=True)
class Style:
    """A cell format's index in the workbook's styles, and its quote-prefixed twin for text."""

    id: int
    quoted: int


Value = str | Decimal | int | date | Formula | None
Cell = tuple[Value, Style] | None


@cache
def column_letter(index: int) -> str:
    """``1`` → ``A``, ``27`` → ``AA``."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def clean_text(value: str) -> str:
    """Text as a cell can hold it: XML-legal characters, ``\\n`` line ends, at most 32,767 characters."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_xml(ref: str, value: str, style: Style) -> str:
    """An inline-string cell; the quote-prefix style when the text looks like a formula."""
    if len(value) <= MAX_TEXT and not _NEEDS_CARE.search(value):
        body = text = value  # most text: nothing to clean, escape or cut
    else:
        text = clean_text(value)
        body = _xml(_ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text))
    s = style.quoted if text.startswith(FORMULA_PREFIXES) else style.id
    return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{body}</t></is></c>'


def number_text(value: Decimal | int) -> str:
    """A number as a cell holds it: a Decimal digit for digit (``130000.00``), never through float."""
    if type(value) is Decimal:
        return f"{value:f}"
    if isinstance(value, bool):  # a bool is an int: refuse it rather than write 1 or 0
        raise TypeError("booleans are not written to the workbook")
    return f"{value:f}" if isinstance(value, Decimal) else str(int(value))


def number_xml(ref: str, value: Decimal | int, style: Style) -> str:
    """A number cell."""
    return f'<c r="{ref}" s="{style.id}"><v>{number_text(value)}</v></c>'


def formula_xml(ref: str, formula: Formula, style: Style) -> str:
    """A formula cell with its result cached; spreadsheets compute it again on load."""
    if isinstance(formula.value, str):
        return (
            f'<c r="{ref}" s="{style.id}" t="str"><f>{_xml(formula.text)}</f><v>{_xml(formula.value)}</v></c>'
        )
    return f'<c r="{ref}" s="{style.id}"><f>{_xml(formula.text)}</f><v>{number_text(formula.value)}</v></c>'


def cell_xml(ref: str, value: Value, style: Style) -> str:
    """One cell of any supported value; ``None`` is an empty cell that keeps its style."""
    kind = type(value)
    if kind is str:
        return text_xml(ref, value, style)  # type: ignore[arg-type]
    if kind is Decimal:
        return f'<c r="{ref}" s="{style.id}"><v>{value:f}</v></c>'
    if kind is Formula:
        return formula_xml(ref, value, style)  # type: ignore[arg-type]
    if value is None:
        return f'<c r="{ref}" s="{style.id}"/>'
    if isinstance(value, str):
        return text_xml(ref, value, style)
    if isinstance(value, Formula):
        return formula_xml(ref, value, style)
    if isinstance(value, Decimal | int):
        return number_xml(ref, value, style)
    if isinstance(value, date):
        return f'<c r="{ref}" s="{style.id}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    raise TypeError(f"cannot write a {type(value).__name__} to a cell")


_BATCH = 1 << 16
"""Characters of row text gathered before they are compressed (:class:`Rows`)."""
LEVEL = 6
"""The package's deflate level (zipfile's and zlib's default)."""


def deflater() -> zlib._Compress:
    """A raw deflate compressor (no zlib header: what a zip entry holds) at :data:`LEVEL`."""
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -15)


class Rows:
    """The rows of one worksheet, appended in order; tracks text widths for the columns.

    The rows' XML is kept deflated as the package stores it (:data:`LEVEL`), a batch of
    :data:`_BATCH` characters at a time: a 200,000-expense rendiconto holds about 30 MiB of
    it instead of 230 MiB, and the package copies it as it is (:meth:`deflated`); :meth:`xml`
    gives it back as written.
    """

    def __init__(self) -> None:
        self._batch: list[str] = []
        self._batch_size = 0
        self._packed: list[bytes] = []
        self._packer: zlib._Compress | None = None
        self._crc = 0
        self._size = 0
        self.count = 0
        self.columns = 0
        self.widths: dict[int, int] = {}

    @property
    def next(self) -> int:
        """The number the next appended row will have."""
        return self.count + 1

    def append(self, cells: Sequence[Cell] = (), *, height: float | None = None) -> int:
        """Append a row of ``(value, style)`` pairs (``None`` leaves a cell out); return its number."""
        self.count += 1
        r = self.count
        parts = []
        widths = self.widths
        last = 0
        for i, item in enumerate(cells, 1):
            if item is None:
                continue
            value, style = item
            parts.append(cell_xml(f"{column_letter(i)}{r}", value, style))
            last = i
            if type(value) is str:
                longest = len(value) if "\n" not in value else max(map(len, value.split("\n")))
                if longest > widths.get(i, 0):
                    widths[i] = longest
        if last > self.columns:
            self.columns = last
        ht = f' ht="{height}" customHeight="1"' if height else ""
        row = f'<row r="{r}"{ht}>{"".join(parts)}</row>'
        self._batch.append(row)
        self._batch_size += len(row)
        if self._batch_size >= _BATCH:
            self._pack()
        return r

    def _pack(self) -> None:
        if self._packer is None:  # a small sheet never needs one
            self._packer = deflater()
        data = "".join(self._batch).encode("utf-8")
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        packed = self._packer.compress(data)
        if packed:
            self._packed.append(packed)
        self._batch, self._batch_size = [], 0

    @property
    def dimension(self) -> str:
        """The range the rows cover (``A1:M40``), for the sheet's ``<dimension>``."""
        if not self.count or not self.columns:
            return "A1"
        return f"A1:{column_letter(self.columns)}{self.count}"

    def deflated(self) -> tuple[list[bytes], int, int]:
        """The rows appended so far as raw deflate data that does not end the stream (it ends
        with a sync flush, on a byte: more deflate data can follow it), with the CRC-32 and
        the length of their UTF-8 XML. Rows can still be appended after."""
        last = "".join(self._batch).encode("utf-8")
        packer = self._packer.copy() if self._packer is not None else deflater()
        end = packer.compress(last) + packer.flush(zlib.Z_SYNC_FLUSH)
        return [*self._packed, end], zlib.crc32(last, self._crc), self._size + len(last)

    def xml(self) -> Iterator[bytes]:
        """The rows appended so far, as UTF-8 XML in pieces (rows can still be appended after)."""
        unpacker = zlib.decompressobj(-15)
        for packed in self.deflated()[0]:
            yield unpacker.decompress(packed)
        yield unpacker.flush()
