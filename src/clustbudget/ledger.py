"""Ledger import: the accountant's spreadsheet (CSV or xlsx) → expenses of a cost report.

Reading: the header row is matched to the report's expense fields by name, in Italian or
English (``data``, ``voce``, ``descrizione``, ``fornitore``, ``numero documento``, ``importo``,
``IVA``, ``data pagamento``, ``modalità di pagamento``…), or by an explicit mapping. Each row is
validated as an expense (the same model and messages as a report file), its item checked
against the call pack and its payment method translated (``bonifico`` → ``bank_transfer``).

Writing: the new expenses are appended to the report's ``expenses:`` list as YAML text, so the
rest of the file — comments included — is kept as it is; the result is read back and validated
before it replaces the file (atomically).

Money from an xlsx cell arrives as a binary float; it is turned into a Decimal through its
shortest repr (what the user typed: ``1234.5``), and refused if that has more than two decimals.
"""

from __future__ import annotations

import csv
import errno
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .i18n import Message, joined, msg, nmsg
from .invoices import InvoiceKey, document_key, invoice_key, same_supplier, supplier_key, supplier_of, vat_key
from .models import CallPack, CostReport, Expense
from .payments import normalise, payment_method_of
from .records import dataclass

if TYPE_CHECKING:
    from yaml.nodes import Node

    from .loading import Loaded
    from .pipeline import ImportTarget

FIELDS = [
    "date",
    "item",
    "description",
    "supplier",
    "supplier_vat",
    "document",
    "amount",
    "vat",
    "eligible_share",
    "paid",
    "payment",
    "payment_ref",
    "action",
    "note",
]
WRITTEN = [*FIELDS, "awaiting_payment", "attachments"]
"""The fields an import writes, in this order (an e-invoice adds the last two)."""
_WRITTEN_SET = frozenset(WRITTEN)
REQUIRED = ["date", "item", "description", "supplier", "document", "amount"]

# Header names recognised for each field (compared after normalising case, accents, punctuation).
HEADERS: dict[str, list[str]] = {
    "date": ["data", "data fattura", "data documento", "data doc", "date", "invoice date", "document date"],
    "item": ["voce", "voce di costo", "voce di spesa", "item", "cost item", "budget item"],
    "description": [
        "descrizione",
        "descrizione operazione",
        "descrizione spesa",
        "descrizione della spesa",
        "descrizione fattura",
        "oggetto",
        "causale",
        "description",
        "details",
    ],
    "supplier": [
        "fornitore",
        "ragione sociale",
        "ragione sociale fornitore",
        "denominazione",
        "denominazione fornitore",
        "nome fornitore",
        "cedente",
        "cedente prestatore",
        "supplier",
        "vendor",
    ],
    "supplier_vat": [
        "partita iva",
        "p iva",
        "piva",
        "p iva fornitore",
        "partita iva fornitore",
        "partita iva codice fiscale",
        "p iva c f",
        "p iva cf",
        "codice fiscale",
        "c f",
        "vat number",
        "supplier vat",
        "vat id",
    ],
    "document": [
        "numero documento",
        "n documento",
        "numero fattura",
        "n fattura",
        "nr fattura",
        "num fattura",
        "n ro fattura",
        "fattura n",
        "fattura nr",
        "fattura num",
        "fattura numero",
        "nr documento",
        "num documento",
        "documento n",
        "n documento fornitore",
        "numero",
        "documento",
        "fattura",
        "n doc",
        "document",
        "document number",
        "invoice number",
        "invoice",
    ],
    "amount": [
        "importo",
        "imponibile",
        "importo imponibile",
        "importo netto",
        "amount",
        "net amount",
        "taxable amount",
    ],
    "vat": ["iva", "importo iva", "vat", "vat amount"],
    "eligible_share": [
        "quota",
        "quota ammissibile",
        "quota progetto",
        "imputazione",
        "quota imputazione",
        "quota di imputazione",
        "percentuale imputazione",
        "percentuale di imputazione",
        "perc imputazione",
        "imputazione progetto",
        "eligible share",
        "share",
    ],
    "paid": [
        "data pagamento",
        "data di pagamento",
        "pagato il",
        "data quietanza",
        "payment date",
        "paid",
        "paid on",
    ],
    "payment": [
        "modalita di pagamento",
        "modalita pagamento",
        "metodo di pagamento",
        "metodo pagamento",
        "pagamento",
        "payment method",
        "payment",
    ],
    "payment_ref": [
        "riferimento pagamento",
        "rif pagamento",
        "cro",
        "trn",
        "payment reference",
        "payment ref",
    ],
    "action": ["azione", "action"],
    "note": ["note", "notes", "nota"],
    "document_total": [
        "totale documento",
        "totale fattura",
        "totale doc",
        "importo totale",
        "importo lordo",
        "totale",
        "document total",
        "invoice total",
        "gross amount",
        "total",
    ],
}
CHECKED = ["document_total"]
"""Columns read to check a row, never written: ``document_total`` must be amount + VAT."""

TOTAL_WORDS = frozenset(
    {
        "totale",
        "totali",
        "totale generale",
        "totale complessivo",
        "totale spese",
        "subtotale",
        "sub totale",
        "tot",
        "total",
        "totals",
        "grand total",
        "subtotal",
        "sub total",
    }
)
"""A cell that says a row is a totals row (compared normalised: ``TOTALE`` is ``totale``)."""

HEADER_SCAN_ROWS = 30
"""The header is looked for in the first rows of a ledger (title lines above it are skipped)."""
MIN_HEADER_FIELDS = 3
"""A row is the header when at least this many of its cells name a field."""

MAX_LEDGER_BYTES = 64 * 1024 * 1024
"""A ledger file at most this large (CSV or xlsx, as stored)."""
MAX_LEDGER_ROWS = 250_000
"""Rows of a ledger, header included: a larger one is refused (split it by period)."""
MAX_LEDGER_COLUMNS = 1_000
"""Columns of an xlsx ledger, as its sheet declares them."""
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024
"""What an xlsx's parts may inflate to, all together (a zip bomb is refused before reading)."""


class LedgerError(Exception):
    """The ledger cannot be read at all (missing, not CSV/xlsx, no header): exit code 2."""


class ReportShapeError(ValueError):
    """The report's ``expenses:`` is written in a way new expenses cannot be appended to."""


@dataclass
class Ledger:
    """A ledger's rows as cell values, with their row numbers in the source (1-based)."""

    path: Path
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row: int = 1
    skipped_above: list[int] = field(default_factory=list)
    """Rows above the header (a title, the company's name): not read."""


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class ParsedLedger:
    expenses: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """``(row number, expense as YAML-ready values)``"""
    problems: list[RowProblem] = field(default_factory=list)
    columns_ok: bool = True
    """False when the header could not be matched: no row was read."""
    mapping: dict[str, str] = field(default_factory=dict)
    """field → header used"""
    notes: list[RowProblem] = field(default_factory=list)
    """Info lines: the header's row, totals rows skipped, columns not imported."""
    unmapped: list[str] = field(default_factory=list)
    """Headers of the columns that map to no field."""
    totals: int = 0
    """Totals rows skipped."""
    payments: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    """``(row, index of the expense awaiting payment, its paid/payment/payment_ref)``: rows that
    pay an invoice already in the report (brought in from its e-invoice)."""
    reductions: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    """``(row, index of the expense, {amount, vat, why})``: credit notes that reduce an invoice
    already in the report."""
    rows: int = 0
    """The ledger's rows below the header (totals rows included)."""


def read_ledger(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    explicit: dict[str, str] | None = None,
) -> Ledger:
    """Read a CSV (delimiter sniffed; UTF-8, UTF-16 with a BOM or Windows-1252) or xlsx
    ledger's header and rows, within the documented limits (:data:`MAX_LEDGER_BYTES`,
    :data:`MAX_LEDGER_ROWS`, :data:`MAX_XLSX_UNCOMPRESSED`).

    The header is row ``header_row`` (numbered as the spreadsheet shows it) when given, else
    the first row that names the fields (:func:`find_header`): title lines above it are skipped.
    """
    from .i18n.oserrors import cannot_read, not_a_regular_file

    try:
        st = path.stat()
        problem = not_a_regular_file(path, st.st_mode)
        if problem is not None:
            raise problem
    except FileNotFoundError:
        raise LedgerError(msg("{path}: no such file", path=str(path))) from None
    except OSError as exc:
        raise LedgerError(cannot_read(path, exc)) from None
    if st.st_size > MAX_LEDGER_BYTES:
        raise LedgerError(
            msg(
                "{path}: file is too large (at most {limit:,} bytes): split it by period",
                path=str(path),
                limit=MAX_LEDGER_BYTES,
            )
        )
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows = _read_xlsx(path, sheet)
        elif suffix in (".csv", ".txt", ".tsv"):
            rows = _read_csv(path)
        else:
            raise LedgerError(msg("{path}: a ledger is a .csv or .xlsx file", path=str(path)))
    except OSError as exc:  # exists, but cannot be read (permissions, a disk error)
        raise LedgerError(cannot_read(path, exc)) from None
    return _table(path, rows, header_row, explicit)


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


def _decode(path: Path, raw: bytes) -> str:
    """A CSV's text: by its BOM (UTF-8, UTF-16, UTF-32), else UTF-8, else Windows-1252.

    A NUL character is never text in a ledger: it means a UTF-16 file without a BOM, or a
    file that is not a CSV at all; refused with its line.
    """
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise LedgerError(
                    msg(
                        "{path}: starts as {encoding} but is not valid {encoding} (byte {byte:,}): "
                        "save it again as CSV UTF-8",
                        path=str(path),
                        encoding=name,
                        byte=exc.start + len(bom),
                    )
                ) from None
            break
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Italian Windows
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise LedgerError(
            msg(
                "{path}:{line}: a NUL character: not a text CSV (UTF-16 without a BOM?): "
                "save it again as CSV UTF-8",
                path=str(path),
                line=line,
            )
        )
    return text


def _read_csv(path: Path) -> list[tuple[int, list[Any]]]:
    text = _decode(path, path.read_bytes())  # the bytes are dropped once decoded
    sample = text[:20000]
    # A title line above the header ("Registro spese 2022") has no delimiter to sniff.
    lines = sample.splitlines(keepends=True)
    while len(lines) > 1 and not any(d in lines[0] for d in ",;\t|"):
        lines.pop(0)
    sample = "".join(lines)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[int, list[Any]]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    # Ledgers repeat themselves (the same item, supplier, date, payment on many rows): one
    # string per distinct cell keeps a 200,000-row ledger small.
    cells: dict[str, str] = {}
    try:
        for row in reader:
            if len(rows) >= MAX_LEDGER_ROWS:
                raise LedgerError(_too_many_rows(path))
            rows.append(
                (len(rows) + 1, [cells.setdefault(c, c) for c in row])
            )  # numbered as a spreadsheet shows it
    except csv.Error as exc:
        raise LedgerError(
            msg(
                "{path}:{row}: not a readable CSV file ({reason})",
                path=str(path),
                row=len(rows) + 1,
                reason=str(exc),
            )
        ) from None
    return rows


def _read_xlsx(path: Path, sheet: str | None) -> list[tuple[int, list[Any]]]:
    import zipfile

    import openpyxl

    # The sizes a zip declares are what its parts inflate to (reading stops there): check
    # them before openpyxl inflates anything (it reads the shared strings whole).
    try:
        with zipfile.ZipFile(path) as package:
            inflated = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno not in (None, errno.EINVAL):
            raise  # the file cannot be read at all (permissions, disk): read_ledger says why
        raise LedgerError(
            msg("{path}: not a readable xlsx workbook (not a zip file)", path=str(path))
        ) from None
    if inflated > MAX_XLSX_UNCOMPRESSED:
        raise LedgerError(
            msg(
                "{path}: the workbook inflates to {size:,} bytes (at most {limit:,}): "
                "save the ledger's sheet alone, or as CSV",
                path=str(path),
                size=inflated,
                limit=MAX_XLSX_UNCOMPRESSED,
            )
        )
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise LedgerError(_not_xlsx(path, exc)) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise LedgerError(
                msg(
                    "{path}: no sheet {sheet!r} (sheets: {sheets})",
                    path=str(path),
                    sheet=sheet,
                    sheets=", ".join(wb.sheetnames),
                )
            )
        ws = wb[sheet] if sheet else wb.worksheets[0]
        # The dimension the sheet declares (Excel and LibreOffice write it), before any row.
        declared_rows, declared_cols = (getattr(ws, "max_row", None), getattr(ws, "max_column", None))
        if isinstance(declared_rows, int) and declared_rows > MAX_LEDGER_ROWS:
            raise LedgerError(
                msg(
                    "{path}: the sheet declares {n:,} rows (at most {limit:,}): split the ledger by period",
                    path=str(path),
                    n=declared_rows,
                    limit=MAX_LEDGER_ROWS,
                )
            )
        if isinstance(declared_cols, int) and declared_cols > MAX_LEDGER_COLUMNS:
            raise LedgerError(
                msg(
                    "{path}: the sheet declares {n:,} columns (at most {limit:,})",
                    path=str(path),
                    n=declared_cols,
                    limit=MAX_LEDGER_COLUMNS,
                )
            )
        rows: list[tuple[int, list[Any]]] = []
        try:
            for i, r in enumerate(ws.iter_rows(values_only=True, max_col=MAX_LEDGER_COLUMNS)):
                if i >= MAX_LEDGER_ROWS:
                    raise LedgerError(_too_many_rows(path))
                rows.append((i + 1, list(r)))
        except LedgerError:
            raise
        except Exception as exc:  # a malformed sheet inside a valid zip
            raise LedgerError(_not_xlsx(path, exc)) from None
    finally:
        wb.close()
    return rows


def _too_many_rows(path: Path) -> str:
    return msg(
        "{path}: more than {limit:,} rows: split the ledger by period", path=str(path), limit=MAX_LEDGER_ROWS
    )


def _not_xlsx(path: Path, exc: Exception) -> str:
    return msg("{path}: not a readable xlsx workbook ({reason})", path=str(path), reason=type(exc).__name__)


def _table(
    path: Path,
    rows: list[tuple[int, list[Any]]],
    header_row: int | None = None,
    explicit: dict[str, str] | None = None,
) -> Ledger:
    def blank(values: Sequence[Any]) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)

    rows = [(n, r) for n, r in rows if not blank(r)]
    if not rows:
        raise LedgerError(msg("{path}: the ledger is empty", path=str(path)))
    if header_row is not None:
        at = next((i for i, (n, _) in enumerate(rows) if n == header_row), None)
        if at is None:
            raise LedgerError(
                msg(
                    "{path}: --header-row {row}: that row is empty or past the end of the ledger",
                    path=str(path),
                    row=header_row,
                )
            )
    else:
        at = find_header(rows, explicit)
    number, header = rows[at]
    headers = ["" if h is None else str(h).strip() for h in header]
    return Ledger(path, headers, rows[at + 1 :], number, skipped_above=[n for n, _ in rows[:at]])


@functools.lru_cache(maxsize=1)
def _known_headers() -> frozenset[str]:
    return frozenset(normalise(h) for names in HEADERS.values() for h in names)


def find_header(rows: Sequence[tuple[int, Sequence[Any]]], explicit: dict[str, str] | None = None) -> int:
    """The index of the header among a ledger's non-blank rows: the first of the first
    :data:`HEADER_SCAN_ROWS` whose cells name at least :data:`MIN_HEADER_FIELDS` fields
    (known headers, or the headers of an explicit mapping); the first row when none does
    (the column matching then says which columns are missing)."""
    known = _known_headers() | {normalise(h) for h in (explicit or {}).values()}
    for i, (_, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        named = {normalise(c) for c in cells if isinstance(c, str) and c.strip()}
        if len(named & known) >= MIN_HEADER_FIELDS:
            return i
    return 0


NUMERIC = ("amount", "vat", "eligible_share")
_COMMA_DECIMAL = re.compile(r"\d+,\d{1,2}|\d{1,3}(?:\.\d{3})+,\d+")
_POINT_DECIMAL = re.compile(r"\d+\.\d{1,2}|\d{1,3}(?:,\d{3})+\.\d+")


def decimal_mark(ledger: Ledger, columns: Sequence[int]) -> bool | None:
    """Whether the ledger's number columns write decimals with a comma (True), a point
    (False), or cannot tell (None: no unambiguous cell, or both kinds)."""
    comma = point = False
    for _, row in ledger.rows:
        for i in columns:
            cell = row[i] if i < len(row) else None
            if isinstance(cell, str):
                text = _bare_number(cell)
                comma = comma or _COMMA_DECIMAL.fullmatch(text) is not None
                point = point or _POINT_DECIMAL.fullmatch(text) is not None
        if comma and point:  # both kinds: no later cell changes the answer
            break
    return None if comma == point else comma


_NUMBER_NOISE = re.compile(r"[\s\u00a0€]|EUR")


def _bare_number(text: str) -> str:
    return _NUMBER_NOISE.sub("", text.strip())


_PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?")
_ITALIAN_THOUSANDS_DECIMAL = re.compile(r"\d{1,3}(\.\d{3})+,\d+")
_ENGLISH_THOUSANDS_DECIMAL = re.compile(r"\d{1,3}(,\d{3})+\.\d+")
_COMMA_CENTS = re.compile(r"\d+,\d{1,2}")
_COMMA_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")
_POINT_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


def number_text(text: str, comma_decimal: bool | None) -> str:
    """A ledger's written number as plain decimal text, or the text itself when ambiguous
    (the expense model then refuses it with the unambiguous forms).

    ``1.250,50`` → ``1250.50``; ``1,250.50`` → ``1250.50``; ``120,5`` → ``120.5``;
    ``1.250`` → ``1250`` when the column writes decimals with a comma, else left as is.
    ``50%`` → ``0.5`` (for shares).
    """
    t = _bare_number(text)
    if t.endswith("%"):
        inner = number_text(t[:-1], comma_decimal)
        if _PLAIN_NUMBER.fullmatch(inner):
            return f"{(Decimal(inner) / 100).normalize():f}"
        return t
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind(".") and _ITALIAN_THOUSANDS_DECIMAL.fullmatch(t):
            return t.replace(".", "").replace(",", ".")
        if t.rfind(".") > t.rfind(",") and _ENGLISH_THOUSANDS_DECIMAL.fullmatch(t):
            return t.replace(",", "")
        return t
    if _COMMA_CENTS.fullmatch(t):
        return t.replace(",", ".")
    if comma_decimal is False and _COMMA_THOUSANDS.fullmatch(t):
        return t.replace(",", "")
    if comma_decimal is True and _POINT_THOUSANDS.fullmatch(t):
        return t.replace(".", "")
    return t


def match_columns(
    headers: Sequence[str], explicit: dict[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Map expense fields to column indexes: explicit ``field=header`` first, then known names.

    Returns the mapping and the problems (unknown fields or headers in the explicit mapping,
    required fields with no column).
    """
    problems: list[str] = []
    columns: dict[str, list[int]] = {}  # normalised header → every column that has it
    for i, h in enumerate(headers):
        if h:
            columns.setdefault(normalise(h), []).append(i)
    index = {name: found[0] for name, found in columns.items()}
    mapping: dict[str, int] = {}
    ambiguous: set[str] = set()

    def unambiguous(fld: str, name: str) -> bool:
        found = columns[name]
        if len(found) == 1:
            return True
        ambiguous.add(fld)
        problems.append(
            msg(
                "columns {columns} are all headed {header!r}: rename all but one "
                "(the {field} would be read from any of them), then import again",
                columns=", ".join(_column_name(i) for i in found),
                header=headers[found[0]],
                field=fld,
            )
        )
        return False

    for fld, header in (explicit or {}).items():
        if fld not in FIELDS and fld not in CHECKED:
            problems.append(
                msg(
                    "--map {field}=…: {field!r} is not an expense field ({fields})",
                    field=fld,
                    fields=", ".join(FIELDS),
                )
            )
        elif normalise(header) not in index:
            problems.append(
                msg(
                    "--map {field}={header}: no column {header!r} (columns: {columns})",
                    field=fld,
                    header=header,
                    columns=", ".join(h for h in headers if h),
                )
            )
        elif unambiguous(fld, normalise(header)):
            mapping[fld] = index[normalise(header)]
    for fld, names in HEADERS.items():
        if fld in mapping or fld in (explicit or {}):
            continue
        for name in names:
            col = index.get(normalise(name))
            if col is not None and col not in mapping.values():
                if unambiguous(fld, normalise(name)):
                    mapping[fld] = col
                break
    missing = [f for f in REQUIRED if f not in mapping and f not in ambiguous]
    if missing:
        problems.append(
            msg(
                "no column for {fields}: name them with --map FIELD=HEADER (columns: {columns})",
                fields=", ".join(missing),
                columns=", ".join(h for h in headers if h),
            )
        )
    return mapping, problems


def _column_name(index: int) -> str:
    """A 0-based column index as a spreadsheet names it: ``7 (G)``."""
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{index + 1} ({letters})"


def _cell_text(value: Any, fld: str, comma_decimal: bool | None) -> Any:
    """A cell as the text a report file would hold (dates ISO, money exact), or None."""
    if type(value) is str:  # every CSV cell: the common case first
        return _text_cell(value.strip(), fld, comma_decimal) if value and not value.isspace() else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        # The shortest repr of the binary float is the decimal the user typed (1234.5, 0.1).
        text = repr(value)
        if "e" in text or "E" in text:
            text = f"{Decimal(text):f}"
        return text[:-2] if text.endswith(".0") and fld not in NUMERIC else text
    if isinstance(value, int):
        return str(value)
    return _text_cell(str(value).strip(), fld, comma_decimal)


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


_CONVERTED = frozenset({*NUMERIC, "document_total", "date", "paid", "payment"})
"""The columns whose text :func:`_text_cell` turns into report text; any other's is kept."""


def _text_cell(text: str, fld: str, comma_decimal: bool | None) -> str:
    if fld in NUMERIC or fld == "document_total":
        return number_text(text, comma_decimal)
    if fld == "date" or fld == "paid":
        m = _DAY_MONTH_YEAR.fullmatch(text)
        if m:  # Italian day/month/year, as ledgers write dates
            return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
        return text
    if fld == "payment":
        return _payment_method(text) or text
    return text


# A ledger names a few payment methods thousands of times: each text is read once.
_payment_method = functools.lru_cache(maxsize=1024)(payment_method_of)


def parse_rows(
    ledger: Ledger,
    pack: CallPack,
    *,
    explicit: dict[str, str] | None = None,
    existing: Iterable[Expense] = (),
    keep_unmapped: bool = False,
) -> ParsedLedger:
    """Validate every row as an expense; collect the valid ones and each invalid row's reasons.

    Totals rows (a cell reading ``Totale``…, or no date and no document with an amount equal
    to the sum of the rows above it) are skipped with an info line; the columns that map to no
    field are listed once, and with ``keep_unmapped`` kept in each expense's ``note``
    (``Prot.: 118; Centro di costo: CC-2``). A ``Totale documento`` column is checked against
    amount + VAT.
    """
    mapping, problems = match_columns(ledger.headers, explicit)
    parsed = ParsedLedger(mapping={f: ledger.headers[i] for f, i in mapping.items()})
    if ledger.skipped_above:
        parsed.notes.append(
            RowProblem(
                ledger.header_row,
                nmsg(
                    "the header is row {row}: {n} row above it is not read",
                    "the header is row {row}: {n} rows above it are not read",
                    len(ledger.skipped_above),
                    row=ledger.header_row,
                ),
            )
        )
    if problems:
        parsed.problems = [RowProblem(ledger.header_row, p) for p in problems]
        parsed.columns_ok = False
        return parsed
    unmapped = [(i, h) for i, h in enumerate(ledger.headers) if h and i not in mapping.values()]
    parsed.unmapped = [h for _, h in unmapped]
    if unmapped:
        columns = ", ".join(h for _, h in unmapped)
        parsed.notes.append(
            RowProblem(
                ledger.header_row,
                msg("kept in each expense's note: {columns}", columns=columns)
                if keep_unmapped
                else msg("not imported: {columns} (--keep-unmapped keeps them in the note)", columns=columns),
            )
        )
    # Each invoice seen: the ledger row that has it, or None when the report has it already.
    seen: dict[tuple[str, int, str], int | None] = {}
    # Invoices brought in before they were paid (import-invoices): a row with the same
    # supplier and number gives their payment, it is not a second claim.
    awaiting: dict[InvoiceKey, list[tuple[int, Expense]]] = {}
    for i, exp in enumerate(existing):
        if exp.awaiting_payment and exp.paid is None and exp.payments is None:
            awaiting.setdefault(invoice_key(exp), []).append((i, exp))
            continue
        seen[_invoice_key(exp)] = None
    allowed = set(pack.expenses.payment_methods)
    comma_decimal = decimal_mark(ledger, [mapping[f] for f in (*NUMERIC, "document_total") if f in mapping])
    share_header = ledger.headers[mapping["eligible_share"]] if "eligible_share" in mapping else ""
    share_in_percent = "%" in share_header or "percent" in normalise(share_header)
    running = Decimal(0)  # the amounts since the last totals row, to recognise the next one
    # Ledgers repeat their cells (dates, amounts, payment methods): each distinct text cell of
    # a column that converts it (_CONVERTED) is turned into report text once. A plain text
    # column's cell (description, supplier, document…) is only stripped, with no cache: a
    # document column is mostly distinct numbers.
    texts: list[tuple[str, int, dict[Any, Any] | None]] = [
        (f, i, None if f not in _CONVERTED else {}) for f, i in mapping.items()
    ]

    def cells_of(row: Sequence[Any]) -> dict[str, Any]:  # a row's mapped cells, to word a refusal
        return {f: row[i] if i < len(row) else None for f, i in mapping.items()}

    for number, row in ledger.rows:
        values: dict[str, Any] = {}
        width = len(row)
        for f, i, seen_cell in texts:
            cell = row[i] if i < width else None
            if type(cell) is str:
                if seen_cell is None:
                    v = cell.strip() or None  # what _cell_text gives a plain text column
                else:
                    v = seen_cell.get(cell, _MISSING)
                    if v is _MISSING:
                        v = seen_cell[cell] = _cell_text(cell, f, comma_decimal)
            else:
                v = _cell_text(cell, f, comma_decimal)
            if v is not None:
                values[f] = v
        total_word = _total_word(row, values)
        amount = _decimal(values.get("amount"))
        if total_word is not None or (
            "date" not in values
            and "document" not in values
            and amount is not None
            and running > 0
            and amount == running
        ):
            parsed.notes.append(
                RowProblem(
                    number,
                    msg("a totals row ({text}): skipped", text=total_word)
                    if total_word is not None
                    else msg("a totals row (its amount is the sum of the rows above): skipped"),
                )
            )
            running = Decimal(0)
            parsed.totals += 1
            continue
        if amount is not None:
            running += amount
        if share_in_percent and isinstance(values.get("eligible_share"), str):
            written = values["eligible_share"]
            if _PLAIN_NUMBER.fullmatch(written):  # `% imputazione` 50 means 50%
                values["eligible_share"] = f"{(Decimal(written) / 100).normalize():f}"
        document_total = values.pop("document_total", None)
        if keep_unmapped and unmapped:
            kept = []
            for i, h in unmapped:
                text = _cell_text(row[i] if i < len(row) else None, "note", None)
                if text is not None and str(text).strip():
                    kept.append(f"{h}: {text}")
            if kept:
                values["note"] = "; ".join([values["note"], *kept] if "note" in values else kept)
        if isinstance(values.get("action"), str) and "," in values["action"]:
            values["action"] = [a.strip() for a in values["action"].split(",") if a.strip()]
        try:
            expense = Expense.model_validate(values)
        except ValidationError as exc:
            cells = cells_of(row)
            reasons: list[str] = [
                _reason(parsed, e, ledger, cells, values) for e in exc.errors(include_url=False)
            ]
            parsed.problems.append(RowProblem(number, joined(reasons)))
            continue
        reasons = []
        if expense.item not in pack.items or pack.items[expense.item].kind == "flat_rate":
            reasons.append(
                msg(
                    "{column}: {item!r} is not a direct cost item ({items})",
                    column=_col(parsed, ("item",)),
                    item=expense.item,
                    items=", ".join(pack.direct_items),
                )
            )
        if expense.payment is not None and expense.payment not in allowed:
            written = cells_of(row).get("payment")
            what = f"{written!r} ({expense.payment})" if expense.payment == "cash" else repr(written)
            reasons.append(
                msg(
                    "{column}: {payment} is not a traceable payment ({methods})",
                    column=_col(parsed, ("payment",)),
                    payment=what,
                    methods=", ".join(sorted(allowed)),
                )
            )
        if document_total is not None:
            reasons.extend(_check_document_total(parsed, expense, document_total))
        waiting = (
            next(
                (
                    (i, exp)
                    for i, exp in awaiting.get(invoice_key(expense), ())
                    if same_supplier(supplier_of(exp), supplier_of(expense))
                ),
                None,
            )
            if awaiting  # most imports: no invoice in the report awaits its payment
            else None
        )
        if waiting is not None and not reasons:
            index, exp = waiting
            if expense.paid is None:
                reasons.append(
                    msg(
                        "invoice {document} of {supplier} is in the report awaiting payment, "
                        "and this row gives no payment date",
                        document=exp.document,
                        supplier=exp.supplier,
                    )
                )
            else:
                pay: dict[str, Any] = {
                    f: values[f] for f in ("paid", "payment", "payment_ref") if f in values
                }
                parsed.payments.append((number, index, pay))
                awaiting[invoice_key(exp)].remove(waiting)
                continue
        key = _invoice_key(expense)
        if key in seen:
            first = seen[key]
            reasons.append(
                msg(
                    "invoice {document} of {supplier} is {where}",
                    document=expense.document,
                    supplier=expense.supplier,
                    where=msg("already in the report")
                    if first is None
                    else msg("already in row {row}", row=first),
                )
            )
        if reasons:
            parsed.problems.append(RowProblem(number, joined(reasons)))
            continue
        seen[key] = number
        parsed.expenses.append((number, values))
    return parsed


_PLAIN_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def _decimal(text: Any) -> Decimal | None:
    if isinstance(text, str) and _PLAIN_DECIMAL.fullmatch(text):
        return Decimal(text)
    return None


def _total_word(row: Sequence[Any], values: dict[str, Any]) -> str | None:
    """The cell that makes a row a totals row (``Totale``, ``TOTALE GENERALE``), if any: only
    on a row with no document number (an invoice is never a total)."""
    document = values.get("document")
    if document is not None and (
        str(document).lstrip()[:1].lower() not in ("t", "s", "g")  # most rows: an invoice number
        or normalise(str(document)) not in TOTAL_WORDS
    ):
        return None
    for cell in row:
        if isinstance(cell, str) and normalise(cell).rstrip(" :") in TOTAL_WORDS:
            return cell.strip()
    return None


def _check_document_total(parsed: ParsedLedger, expense: Expense, written: Any) -> list[str]:
    """``Totale documento`` must be the taxable amount plus VAT (of the whole invoice)."""
    total = _decimal(written)
    column = _col(parsed, ("document_total",))
    if total is None:
        return [msg("{column}: {text!r} is not an amount", column=column, text=str(written))]
    amount = expense.invoice_amount if expense.invoice_amount is not None else expense.amount
    vat = expense.vat or Decimal(0)
    if total != amount + vat:
        return [
            msg(
                "{column}: {total:money} is not amount + VAT ({amount:money} + {vat:money} = {sum:money}): "
                "check the amounts",
                column=column,
                total=total,
                amount=amount,
                vat=vat,
                sum=amount + vat,
            )
        ]
    return []


_MISSING = object()


def _invoice_key(exp: Expense) -> tuple[str, int, str]:
    who = vat_key(exp.supplier_vat) if exp.supplier_vat else supplier_key(exp.supplier)
    return document_key(exp.document), exp.date.year, who


def _col(parsed: ParsedLedger, loc: tuple[Any, ...]) -> str:
    fld = str(loc[0]) if loc else "?"
    header = parsed.mapping.get(fld)
    return msg("column {header!r}", header=header) if header else fld


def _reason(
    parsed: ParsedLedger, err: Any, ledger: Ledger, cells: dict[str, Any], values: dict[str, Any]
) -> Message:
    """One refused field of a row: its column, why, and the cell as written when it differs."""
    loc = tuple(err["loc"])
    fld = str(loc[0]) if loc else ""
    cell = cells.get(fld)
    if isinstance(cell, str) and cell.strip() != str(values.get(fld, "")):
        return msg(
            "{column}: {reason} (the cell reads {cell!r})",
            column=_col(parsed, loc),
            reason=_why(err, ledger),
            cell=cell.strip(),
        )
    return msg("{column}: {reason}", column=_col(parsed, loc), reason=_why(err, ledger))


def _why(err: Any, ledger: Ledger) -> str:
    if err["type"] == "missing":
        if ledger.path.suffix.lower() in (".xlsx", ".xlsm"):
            # openpyxl reads the value a spreadsheet stored; a formula never computed has none
            return msg("empty (if it holds a formula, open and save the file in Excel or LibreOffice)")
        return msg("empty")
    if err["type"] == "extra_forbidden":
        return msg("not an expense field")
    from .loading import value_reason  # the error path only

    return value_reason(err)


# ------------------------------------------------------------------ writing into the report


# What YAML cannot hold as it is in a double-quoted scalar: DEL and the C1 controls (not
# printable), NEL and the Unicode line and paragraph separators (read as line breaks, then
# folded into a space), the BOM, the noncharacters U+FFFE/U+FFFF and lone surrogates.
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')
_UNSAFE_IN_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly, whatever it holds.

    JSON's escapes are YAML's (``\\n``, ``\\"``, ``\\u0007``); the characters YAML would
    refuse or change are escaped too (``\\x85`` stays U+0085, not a space).
    """
    if not _NEEDS_ESCAPE.search(text):  # most text: nothing to escape
        return f'"{text}"'
    return _UNSAFE_IN_YAML.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


def expense_yaml(values: dict[str, Any], indent: int) -> str:
    """One expense as a block-style YAML list item; text is double-quoted (:func:`quoted`),
    so no value can be read back as another type or as other text."""
    pad = " " * indent
    lines = []
    lead = f"{pad}- "
    for fld in WRITTEN:
        if fld not in values:
            continue
        v = values[fld]
        write = _WRITE.get(fld)
        text = quoted(str(v)) if write is None else write(v)
        lines.append(f"{lead}{fld}: {text}")
        lead = f"{pad}  "
    return "\n".join(lines) + "\n"


# An amount as written: two decimals, no sign but a minus, no leading zero (what the
# ledger's numbers give): written as it is, the same text as Decimal's.
_TWO_DECIMALS = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9][0-9]")


def _money_text(v: Any) -> str:
    if type(v) is str and _TWO_DECIMALS.fullmatch(v):
        return v
    return f"{Decimal(str(v)):.2f}"  # validated: at most two decimals, so exact


def _action_text(v: Any) -> str:
    items = v if isinstance(v, list) else [v]
    return "[" + ", ".join(quoted(str(a)) for a in items) + "]"


_WRITE: dict[str, Callable[[Any], str]] = {
    "awaiting_payment": lambda v: "true" if v else "false",
    "attachments": lambda v: "[" + ", ".join(_flow_mapping(a) for a in v) + "]",
    "amount": _money_text,
    "vat": _money_text,
    "date": str,
    "paid": str,
    "action": _action_text,
}
"""How each field that is not double-quoted text is written (:func:`expense_yaml`)."""


def _flow_mapping(entry: dict[str, Any]) -> str:
    """``{file: "a.xml", sha256: "…", kind: invoice}``: keys are ours, values quoted."""
    return "{" + ", ".join(f"{k}: {quoted(str(v))}" for k, v in entry.items()) + "}"


def insert_expenses(text: str, expenses: Sequence[dict[str, Any]], comment: str) -> str:
    """Return the report's text with ``expenses`` appended to its ``expenses:`` list.

    A block list is extended right after its last item (comments that follow it, which
    belong to the next section, stay where they are); an empty list (``expenses: []``,
    ``expenses:``) becomes a block list, keeping a comment on its line; a report without
    ``expenses`` gets one at the end. Line endings are kept line by line (LF, CRLF, or a
    mix of them); the new lines end as most of the file's lines do.
    """
    return "".join(insertion(text, expenses, comment).chunks())


@dataclass
class Insertion:
    """A report's new text as the pieces it is made of: the text before the new expenses,
    the expenses (rendered one at a time, when read or written), the text after them.
    A 200,000-row import never holds its new text as one string beside the rows."""

    head: str
    expenses: Sequence[dict[str, Any]]
    indent: int
    comment: str
    nl: str
    tail: str

    def chunks(self) -> Iterator[str]:
        yield self.head
        if self.expenses:
            pad, nl = " " * self.indent, self.nl
            yield f"{pad}# {self.comment}{nl}"
            for values in self.expenses:
                block = expense_yaml(values, self.indent)
                yield block if nl == "\n" else block.replace("\n", nl)
        yield self.tail

    def encoded(self) -> bytes:
        """The new text as UTF-8 bytes, built without a string of the whole of it."""
        return b"".join(c.encode("utf-8") for c in self.chunks())


def insertion(text: str, expenses: Sequence[dict[str, Any]], comment: str) -> Insertion:
    """The :class:`Insertion` that :func:`insert_expenses` joins (same rules); with no
    expenses, the text as it is."""
    from .yamlsource import compose

    # Each line keeps its own ending; the new lines take the file's usual one.
    nl = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    if not expenses:
        return Insertion(text, (), 0, comment, nl, "")
    return _insert(text, compose(text), expenses, comment, nl)


def _insert(
    text: str, root: Node | None, expenses: Sequence[dict[str, Any]], comment: str, nl: str
) -> Insertion:
    def line_end(index: int) -> int:
        found = text.find("\n", index)
        return len(text) if found < 0 else found + 1

    for key, value in root.value if root is not None else ():
        if key.value != "expenses":
            continue
        if value.tag.endswith(":seq") and value.value and not value.flow_style:
            at = line_end(_last_end(value))
            prefix = text[:at] if text[:at].endswith("\n") else text[:at] + nl
            return Insertion(prefix, expenses, value.start_mark.column, comment, nl, text[at:])
        if value.value:  # a flow list with items, or a scalar that is not null
            raise ReportShapeError(
                msg("`expenses:` is not a block list: write it as one (- date: …) and import again")
            )
        # `expenses:`, `expenses: null`, `expenses: []` (maybe with a comment after it)
        colon = text.index(":", key.end_mark.index)
        start = value.start_mark.index if value.end_mark.index > value.start_mark.index else colon + 1
        end = max(value.end_mark.index, colon + 1)
        at = line_end(end)
        rest_of_line = text[end:at].rstrip("\r\n")
        ending = text[end:at][len(rest_of_line) :] or nl
        head = text[: colon + 1] + text[colon + 1 : start].rstrip(" ") + rest_of_line
        return Insertion(head + ending, expenses, 2, comment, nl, text[at:])
    sep = "" if text.endswith("\n") or not text else nl
    return Insertion(text + sep + "expenses:" + nl, expenses, 2, comment, nl, "")


def _last_end(node: Node) -> int:
    """Where the text of a block node's last value ends (not where the next token starts)."""
    while not getattr(node, "flow_style", False) and isinstance(node.value, list) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark.index


def check_result(text: str, path: Path) -> CostReport:
    """Read the new report text back as a report (the last guard before writing)."""
    from .yamlsource import parse_document

    doc = parse_document(text.encode("utf-8"), path, str(path))
    if doc.problems:
        raise ValueError(doc.problems[0].message)
    return CostReport.model_validate(doc.data)


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["amount=Importo €", …]`` → ``{"amount": "Importo €"}``."""
    out = {}
    for pair in pairs:
        fld, sep, header = pair.partition("=")
        if not sep or not fld.strip() or not header.strip():
            raise LedgerError(msg("--map {pair!r}: write FIELD=HEADER, e.g. amount=Imponibile", pair=pair))
        if fld.strip() not in FIELDS and fld.strip() not in CHECKED:
            raise LedgerError(
                msg(
                    "--map {pair!r}: {field!r} is not an expense field ({fields})",
                    pair=pair,
                    field=fld.strip(),
                    fields=", ".join(FIELDS),
                )
            )
        out[fld.strip()] = header.strip()
    return out


# ------------------------------------------------------------------ the whole import


@dataclass
class ImportPlan:
    """What an import would do: the rows to add, the rows refused and why, the new text."""

    ledger: Ledger | None
    """The ledger read (None for e-invoices)."""
    parsed: ParsedLedger
    added: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    paid: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    """Rows that pay an expense awaiting payment: ``(row, expense index, payment fields)``."""
    reduced: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    """Credit notes that reduce an expense already in the report: ``(row, index, fields)``."""
    new: Insertion | None = None
    """The report's new text, in pieces (None: nothing to write)."""
    bom: bool = False
    checked: bytes | None = None
    """The new text as UTF-8 exactly as the report's rules read it, when it is kept to be
    written as it is (at most :data:`KEEP_CHECKED` bytes); None: :meth:`write` renders it."""

    @property
    def text(self) -> str:
        """The report's new text ("" when there is nothing to write)."""
        return "".join(self.new.chunks()) if self.new is not None else ""

    def write(self, into: Path) -> None:
        """Replace ``into`` (whose lock the caller holds) with the new text, written piece by
        piece as the expenses are rendered (with the report's BOM, if it had one)."""
        from .atomic import write_atomic

        assert self.new is not None
        new = self.new

        def write(tmp: Path) -> None:
            if self.checked is not None:  # the bytes the rules read: not rendered twice
                with open(tmp, "wb") as raw:
                    raw.write(b"\xef\xbb\xbf" if self.bom else b"")
                    raw.write(self.checked)
                return
            with open(tmp, "w", encoding="utf-8", newline="") as out:
                if self.bom:
                    out.write("\ufeff")
                for chunk in new.chunks():
                    out.write(chunk)

        write_atomic(into, write, overwrite=True, lock=False)

    @property
    def problems(self) -> list[RowProblem]:
        return sorted(self.parsed.problems, key=lambda p: p.row)

    @property
    def notes(self) -> list[RowProblem]:
        """Info lines about the ledger (header row, totals rows, columns not imported)."""
        return sorted(self.parsed.notes, key=lambda p: p.row)


KEEP_CHECKED = 16 << 20
"""The most bytes of a report's new text kept from the rules' check to be written as they
are (about 60,000 expenses). A larger text is rendered again as it is written, so a
200,000-row import never holds its 50 MiB beside the project's check."""


def plan_import(
    ledger: Ledger,
    target: ImportTarget,
    *,
    explicit: dict[str, str] | None = None,
    skip_invalid: bool = False,
    keep_unmapped: bool = False,
    lang: str = "en",
) -> ImportPlan:
    """Plan adding a ledger's rows to a cost report, checking each row twice: as an expense
    (:func:`parse_rows`), then with the report's rules in its project (dates in the period,
    paid by its end, not claimed in another report…): a row that would be an error there is
    refused too, with the rule's code and message.

    ``target`` is the report and its budget, read once (:func:`clustbudget.pipeline.load_import_target`).
    With ``skip_invalid`` the refused rows are left out of the text; otherwise the text is
    built only when no row is refused.
    """
    assert target.budget.pack is not None  # load_import_target refuses a budget without figures
    parsed = parse_rows(
        ledger,
        target.budget.pack,
        explicit=explicit,
        existing=target.report.expenses,
        keep_unmapped=keep_unmapped,
    )
    # Parsed: the ledger's raw rows are not needed any more, and a 200,000-row ledger is not
    # held as cells beside its expenses and the report's new text.
    parsed.rows, ledger.rows = len(ledger.rows), []
    plan = ImportPlan(ledger, parsed)
    source = msg("imported from {ledger}", ledger=ledger.path.name)
    return plan_expenses(plan, target, source, skip_invalid=skip_invalid, lang=lang)


def plan_expenses(
    plan: ImportPlan,
    target: ImportTarget,
    source: Message,
    *,
    skip_invalid: bool = False,
    lang: str = "en",
) -> ImportPlan:
    """Check the expenses of ``plan.parsed`` with the report's rules in its project, as if
    they had been added, and build the report's new text: a candidate that would be an error
    there is refused with the rule's code and message. Shared by the ledger and e-invoice
    imports; ``source`` heads the comment above the new expenses, in ``lang``, the run's
    language (it becomes the report's own text)."""
    from datetime import date as _date

    from .findings import Severity
    from .loading import load_file
    from .pipeline import check_project, find_reports, loaded_from_text

    parsed = plan.parsed
    report_path, model, budget_path, budget = (
        target.loaded.path,
        target.report,
        target.budget_path,
        target.budget,
    )
    if not parsed.columns_ok or not (parsed.expenses or parsed.payments or parsed.reductions):
        return plan
    raw = report_path.read_bytes()
    plan.bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")  # no newline translation: CRLF files keep their endings
    comment = msg("{source} on {day:date}", source=source.render(lang), day=_date.today()).render(lang)
    candidates = list(parsed.expenses)
    # Changes to expenses already in the report: a payment (of an invoice awaiting it), a
    # credit note's reduction; each (row, expense index, fields, kind).
    paying = [(row, i, pay, "pay") for row, i, pay in parsed.payments] + [
        (row, i, red, "reduce") for row, i, red in parsed.reductions
    ]
    base = patch_expenses(text, [(i, pay, kind) for _, i, pay, kind in paying]) if paying else text
    new = insertion(base, [v for _, v in candidates], comment)
    # The rules, on the report as it would be, in its project.
    # Read from bytes built piece by piece: the new text is never one string beside them.
    encoded = new.encoded()
    trial = loaded_from_text(report_path, encoded)
    checked = encoded if len(encoded) <= KEEP_CHECKED else None
    del encoded
    others = [
        load_file(p, str(p), expect="report")
        for p in find_reports(budget_path)
        if p.resolve() != report_path.resolve()
    ]
    project = check_project(budget, [trial, *others])
    result = next(r for r in project.reports if r.loaded is trial)
    first = len(model.expenses)
    count = len(model.expenses) + len(candidates)
    line_of = _entry_lines(trial, count)
    # Each new expense is written one field a line (:func:`expense_yaml`): count its fields.
    spans = [
        (line_of[first + k], len(_WRITTEN_SET.intersection(values)))
        for k, (_, values) in enumerate(candidates)
    ]
    # An expense that gets its payment: its lines run to the next expense's first line.
    paid_spans = [
        (line_of[i], (line_of[i + 1] if i + 1 < count else 1 << 30) - line_of[i]) for _, i, _, _ in paying
    ]
    refused: dict[int, list[str]] = {}
    refused_pay: dict[int, list[str]] = {}
    for f in result.findings:
        if f.severity is not Severity.ERROR or f.location.path != trial.display:
            continue
        for k, (start, lines) in enumerate(spans):
            if start <= f.location.line < start + lines:
                refused.setdefault(k, []).append(joined([f.code, f.message], " "))
        for k, (start, lines) in enumerate(paid_spans):
            if start <= f.location.line < start + lines:
                refused_pay.setdefault(k, []).append(joined([f.code, f.message], " "))
    for k, reasons in refused.items():
        parsed.problems.append(RowProblem(candidates[k][0], joined(reasons)))
    for k, reasons in refused_pay.items():
        parsed.problems.append(RowProblem(paying[k][0], joined(reasons)))
    plan.added = [c for k, c in enumerate(candidates) if k not in refused]
    kept_patches = [p for k, p in enumerate(paying) if k not in refused_pay]
    plan.paid = [(row, i, pay) for row, i, pay, kind in kept_patches if kind == "pay"]
    plan.reduced = [(row, i, red) for row, i, red, kind in kept_patches if kind == "reduce"]
    if (refused or refused_pay) and not skip_invalid:
        return plan
    if plan.added or kept_patches:
        if refused or refused_pay:
            kept = (
                patch_expenses(text, [(i, pay, kind) for _, i, pay, kind in kept_patches])
                if kept_patches
                else text
            )
            new = insertion(kept, [v for _, v in plan.added], comment)
        plan.new = new
        if refused or refused_pay or not isinstance(trial.model, CostReport):  # the trial read the text
            del trial, project, result, checked
            check_result(plan.text, report_path)
        else:  # the text the rules read is the one written
            plan.checked = checked
    return plan


def _entry_lines(trial: Loaded, count: int) -> list[int]:
    """The line of each of the first ``count`` expenses of the trial report, as
    ``trial.at(("expenses", i)).line`` gives it: from the list's positions in one go."""
    spans = trial.doc.spans("expenses") if trial.doc is not None else None
    if spans is not None and len(spans[0]) >= count:
        return [line for line, _ in spans[0][:count]]
    return [trial.at(("expenses", i)).line for i in range(count)]


def record_payments(text: str, payments: Sequence[tuple[int, dict[str, Any]]]) -> str:
    """The report's text with each ``(expense index, paid/payment/payment_ref)`` written into
    that expense in place of its ``awaiting_payment: true`` line (the rest of the file, its
    comments included, is kept as it is)."""
    return patch_expenses(text, [(i, pay, "pay") for i, pay in payments])


def patch_expenses(text: str, patches: Sequence[tuple[int, dict[str, Any], str]]) -> str:
    """The report's text with changes to expenses already in it, the rest (comments included)
    kept as it is: ``pay`` writes ``paid``/``payment``/``payment_ref`` in place of the
    expense's ``awaiting_payment: true`` line; ``reduce`` writes the new ``amount`` (and
    ``vat``) over the old ones, with a comment (``why``) at the end of the amount's line."""
    from .yamlsource import compose

    root = compose(text)
    expenses = next((v for k, v in (root.value if root is not None else ()) if k.value == "expenses"), None)
    if expenses is None or not expenses.tag.endswith(":seq"):
        raise ReportShapeError(
            msg("`expenses:` is not a block list: write it as one (- date: …) and import again")
        )
    edits: list[tuple[int, int, str]] = []
    nl = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    for index, pay, kind in patches:
        node = expenses.value[index]
        if kind == "reduce":
            fields = {k.value: v for k, v in node.value} if not node.flow_style else {}
            if "amount" not in fields or ("vat" in pay and "vat" not in fields):
                raise ReportShapeError(
                    msg("expense {n} is not written one field a line: reduce its amount by hand", n=index + 1)
                )
            for name in ("amount", "vat"):
                if name not in pay:
                    continue
                value = fields[name]
                end = value.end_mark.index
                note = f"  # {pay['why']}" if name == "amount" and pay.get("why") else ""
                line_end = text.find("\n", end)
                line_end = len(text) if line_end < 0 else line_end
                rest = text[end:line_end].rstrip("\r")
                if note and rest.strip().startswith("#"):
                    note = f"{rest.rstrip()}; {pay['why']}"
                    edits.append(
                        (
                            value.start_mark.index,
                            end + len(text[end:line_end].rstrip("\r")),
                            f"{pay[name]}{note}",
                        )
                    )
                else:
                    edits.append((value.start_mark.index, end, f"{pay[name]}{note}"))
            continue
        entry = next(((k, v) for k, v in node.value if k.value == "awaiting_payment"), None)
        if entry is None or node.flow_style:
            raise ReportShapeError(
                msg(
                    "expense {n} awaiting payment is not written one field a line: add its payment by hand",
                    n=index + 1,
                )
            )
        key, _ = entry
        start = text.rfind("\n", 0, key.start_mark.index) + 1
        end = text.find("\n", key.start_mark.index)
        end = len(text) if end < 0 else end + 1
        pad = " " * key.start_mark.column
        lines = expense_yaml(pay, 0).splitlines()
        body = "".join(f"{pad}{line[2:] if line.startswith('- ') else line.lstrip()}{nl}" for line in lines)
        edits.append((start, end, body))
    for start, end, body in sorted(edits, reverse=True):
        text = text[:start] + body + text[end:]
    return text


class ImportRefused(Exception):
    """An import that writes nothing: its message (a ``msg`` template), its exit code, and the
    plan whose refused rows explain it (listed before the message), when there is one."""

    def __init__(self, message: str, code: int, plan: ImportPlan | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.plan = plan
        self.planned: Any = None
        """For e-invoices: the :class:`clustbudget.einvoice.InvoicePlan` (file names, notes)."""


@dataclass
class ImportOutcome:
    """What :func:`import_ledger` did: the plan, the report it wrote (or would write), the
    expenses added (as YAML-ready values) and whether the file was written."""

    plan: ImportPlan
    into: Path
    rows: list[dict[str, Any]]
    written: bool


def import_ledger(
    ledger_path: Path,
    into: Path,
    *,
    mapping: Sequence[str] = (),
    sheet: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    header_row: int | None = None,
    keep_unmapped: bool = False,
    defaults: dict[str, str] | None = None,
    lang: str = "en",
) -> ImportOutcome:
    """Add a ledger's expenses to a cost report, as ``clustbudget import-expenses`` does.

    The report is read, changed and replaced atomically under its lock (a concurrent import
    waits, then reads what the other one wrote, so an import that returns is never lost); a
    symlink is written through to the file it names. Nothing is written unless every row is
    valid (or ``skip_invalid``), nor with ``dry_run``. ``defaults`` is a column mapping saved in
    ``clustbudget.toml`` (field → header); ``mapping`` (``FIELD=HEADER``) overrides it. Raises :class:`ImportRefused` (exit code
    and message) or :class:`clustbudget.pipeline.Refused` (the report or its budget cannot be
    used, with their findings).
    """
    import contextlib

    from .atomic import FileBusy, locked, real_file
    from .exitcodes import ExitCode
    from .i18n.oserrors import os_reason
    from .pipeline import load_import_target

    into = real_file(into)
    hold = contextlib.ExitStack()
    try:
        if not dry_run and into.is_file():
            hold.enter_context(locked(into))
    except FileBusy as exc:
        raise ImportRefused(
            msg("{into}: cannot write: {reason}", into=str(into), reason=os_reason(exc)),
            ExitCode.UNREADABLE,
        ) from None
    with hold:
        target = load_import_target(into)
        try:
            given = parse_mapping(list(mapping))
            table = read_ledger(
                ledger_path, sheet=sheet, header_row=header_row, explicit={**(defaults or {}), **given}
            )
            # A saved mapping names the columns of the ledgers a team has; a column it names
            # that this ledger lacks is not a mistake (one typed on the command line is).
            present = {normalise(h) for h in table.headers if h}
            saved = {f: h for f, h in (defaults or {}).items() if normalise(h) in present}
            explicit = {**saved, **given}
            plan = plan_import(
                table,
                target,
                explicit=explicit,
                skip_invalid=skip_invalid,
                keep_unmapped=keep_unmapped,
                lang=lang,
            )
        except LedgerError as exc:
            raise ImportRefused(exc.args[0] if exc.args else str(exc), ExitCode.UNREADABLE) from None
        except ReportShapeError as exc:  # the report's `expenses:` cannot be extended as it is written
            problem = exc.args[0] if exc.args else str(exc)
            raise ImportRefused(
                msg("{into}: {problem}", into=str(into), problem=problem), ExitCode.FINDINGS
            ) from None
        if not plan.parsed.columns_ok:
            raise ImportRefused(
                msg("{ledger}: the columns could not be matched: nothing written", ledger=str(ledger_path)),
                ExitCode.FINDINGS,
                plan,
            )
        if plan.problems and not skip_invalid:
            total = plan.parsed.rows - plan.parsed.totals
            raise ImportRefused(
                nmsg(
                    "{ledger}: {n} of {total} row is invalid: nothing written; fix it, or pass --skip-invalid to import the others",
                    "{ledger}: {n} of {total} rows are invalid: nothing written; fix them, or pass --skip-invalid to import the others",
                    len(plan.problems),
                    ledger=str(ledger_path),
                    total=total,
                )
                if total > 1
                else msg("{ledger}: its only row is invalid: nothing written", ledger=str(ledger_path)),
                ExitCode.FINDINGS,
                plan,
            )
        rows = [values for _, values in plan.added]
        if not (rows or plan.paid) or dry_run:
            return ImportOutcome(plan, into, rows, written=False)
        try:
            plan.write(into)  # the lock is held since the read
        except OSError as exc:
            raise ImportRefused(
                msg("{into}: cannot write: {reason}", into=str(into), reason=os_reason(exc)),
                ExitCode.UNREADABLE,
            ) from None
        return ImportOutcome(plan, into, rows, written=True)
