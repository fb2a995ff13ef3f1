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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .i18n import msg
from .invoices import document_key, supplier_key, vat_key
from .models import CallPack, CostReport, Expense
from .payments import normalise, payment_method_of

if TYPE_CHECKING:
    from yaml.nodes import Node

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
REQUIRED = ["date", "item", "description", "supplier", "document", "amount"]

# Header names recognised for each field (compared after normalising case, accents, punctuation).
HEADERS: dict[str, list[str]] = {
    "date": ["data", "data fattura", "data documento", "data doc", "date", "invoice date", "document date"],
    "item": ["voce", "voce di costo", "voce di spesa", "item", "cost item", "budget item"],
    "description": ["descrizione", "oggetto", "causale", "description", "details"],
    "supplier": ["fornitore", "ragione sociale", "ragione sociale fornitore", "supplier", "vendor"],
    "supplier_vat": [
        "partita iva",
        "p iva",
        "piva",
        "p iva fornitore",
        "partita iva fornitore",
        "vat number",
        "supplier vat",
        "vat id",
    ],
    "document": [
        "numero documento",
        "n documento",
        "numero fattura",
        "n fattura",
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
    "eligible_share": ["quota", "quota ammissibile", "quota progetto", "eligible share", "share"],
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
}

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


def read_ledger(path: Path, *, sheet: str | None = None) -> Ledger:
    """Read a CSV (delimiter sniffed; UTF-8, UTF-16 with a BOM or Windows-1252) or xlsx
    ledger's header and rows, within the documented limits (:data:`MAX_LEDGER_BYTES`,
    :data:`MAX_LEDGER_ROWS`, :data:`MAX_XLSX_UNCOMPRESSED`)."""
    from .i18n.oserrors import os_reason

    try:
        if not path.is_file():
            raise LedgerError(msg("{path}: no such file", path=str(path)))
        if path.stat().st_size > MAX_LEDGER_BYTES:
            raise LedgerError(
                msg(
                    "{path}: file is too large (at most {limit:,} bytes): split it by period",
                    path=str(path),
                    limit=MAX_LEDGER_BYTES,
                )
            )
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path, sheet)
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path)
    except OSError as exc:  # unreadable (permissions, a failing disk…): said in the user's words
        raise LedgerError(
            msg("{path}: cannot read: {reason}", path=str(path), reason=os_reason(exc))
        ) from None
    raise LedgerError(msg("{path}: a ledger is a .csv or .xlsx file", path=str(path)))


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


def _read_csv(path: Path) -> Ledger:
    text = _decode(path, path.read_bytes())  # the bytes are dropped once decoded
    sample = text[:20000]
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
    return _table(path, rows)


def _read_xlsx(path: Path, sheet: str | None) -> Ledger:
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
    return _table(path, rows)


def _too_many_rows(path: Path) -> str:
    return msg(
        "{path}: more than {limit:,} rows: split the ledger by period", path=str(path), limit=MAX_LEDGER_ROWS
    )


def _not_xlsx(path: Path, exc: Exception) -> str:
    return msg("{path}: not a readable xlsx workbook ({reason})", path=str(path), reason=type(exc).__name__)


def _table(path: Path, rows: list[tuple[int, list[Any]]]) -> Ledger:
    def blank(values: Sequence[Any]) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)

    rows = [(n, r) for n, r in rows if not blank(r)]
    if not rows:
        raise LedgerError(msg("{path}: the ledger is empty", path=str(path)))
    header_row, header = rows[0]
    headers = ["" if h is None else str(h).strip() for h in header]
    return Ledger(path, headers, rows[1:], header_row)


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
                comma = comma or bool(_COMMA_DECIMAL.fullmatch(text))
                point = point or bool(_POINT_DECIMAL.fullmatch(text))
    return None if comma == point else comma


_NUMBER_NOISE = re.compile(r"[\s\u00a0€]|EUR")


def _bare_number(text: str) -> str:
    return _NUMBER_NOISE.sub("", text.strip())


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
        if re.fullmatch(r"\d+(\.\d+)?", inner):
            return f"{(Decimal(inner) / 100).normalize():f}"
        return t
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind(".") and re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", t):
            return t.replace(".", "").replace(",", ".")
        if t.rfind(".") > t.rfind(",") and re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", t):
            return t.replace(",", "")
        return t
    if re.fullmatch(r"\d+,\d{1,2}", t):
        return t.replace(",", ".")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", t) and comma_decimal is False:
        return t.replace(",", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", t) and comma_decimal is True:
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
        if fld not in FIELDS:
            problems.append(f"--map {fld}=…: {fld!r} is not an expense field ({', '.join(FIELDS)})")
        elif normalise(header) not in index:
            problems.append(
                f"--map {fld}={header}: no column {header!r} (columns: {', '.join(h for h in headers if h)})"
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
            f"no column for {', '.join(missing)}: name them with --map FIELD=HEADER "
            f"(columns: {', '.join(h for h in headers if h)})"
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


def _text_cell(text: str, fld: str, comma_decimal: bool | None) -> str:
    if fld in NUMERIC:
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
) -> ParsedLedger:
    """Validate every row as an expense; collect the valid ones and each invalid row's reasons."""
    mapping, problems = match_columns(ledger.headers, explicit)
    parsed = ParsedLedger(mapping={f: ledger.headers[i] for f, i in mapping.items()})
    if problems:
        parsed.problems = [RowProblem(ledger.header_row, p) for p in problems]
        parsed.columns_ok = False
        return parsed
    seen: dict[tuple[str, int, str], str] = {}
    for exp in existing:
        seen[_invoice_key(exp)] = "already in the report"
    allowed = set(pack.expenses.payment_methods)
    comma_decimal = decimal_mark(ledger, [mapping[f] for f in NUMERIC if f in mapping])
    # Ledgers repeat their cells (dates, items, suppliers, payment methods): each distinct
    # text cell of a column is turned into report text once.
    texts: dict[str, dict[Any, Any]] = {f: {} for f in mapping}
    for number, row in ledger.rows:
        cells = {f: row[i] if i < len(row) else None for f, i in mapping.items()}
        values = {}
        for f, cell in cells.items():
            if type(cell) is str:
                seen_cell = texts[f]
                v = seen_cell.get(cell, _MISSING)
                if v is _MISSING:
                    v = seen_cell[cell] = _cell_text(cell, f, comma_decimal)
            else:
                v = _cell_text(cell, f, comma_decimal)
            if v is not None:
                values[f] = v
        if isinstance(values.get("action"), str) and "," in values["action"]:
            values["action"] = [a.strip() for a in values["action"].split(",") if a.strip()]
        try:
            expense = Expense.model_validate(values)
        except ValidationError as exc:
            reasons = [
                f"{_col(parsed, e['loc'])}: {_why(e, ledger)}{_as_written(cells, values, e['loc'])}"
                for e in exc.errors(include_url=False)
            ]
            parsed.problems.append(RowProblem(number, "; ".join(reasons)))
            continue
        reasons = []
        if expense.item not in pack.items or pack.items[expense.item].kind == "flat_rate":
            reasons.append(
                f"{_col(parsed, ('item',))}: {expense.item!r} is not a direct cost item "
                f"({', '.join(pack.direct_items)})"
            )
        if expense.payment is not None and expense.payment not in allowed:
            written = cells.get("payment")
            what = f"{written!r} ({expense.payment})" if expense.payment == "cash" else repr(written)
            reasons.append(
                f"{_col(parsed, ('payment',))}: {what} is not a traceable payment "
                f"({', '.join(sorted(allowed))})"
            )
        key = _invoice_key(expense)
        if key in seen:
            reasons.append(f"invoice {expense.document} of {expense.supplier} is {seen[key]}")
        if reasons:
            parsed.problems.append(RowProblem(number, "; ".join(reasons)))
            continue
        seen[key] = f"already in row {number}"
        parsed.expenses.append((number, values))
    return parsed


_MISSING = object()


def _invoice_key(exp: Expense) -> tuple[str, int, str]:
    who = vat_key(exp.supplier_vat) if exp.supplier_vat else supplier_key(exp.supplier)
    return document_key(exp.document), exp.date.year, who


def _col(parsed: ParsedLedger, loc: tuple[Any, ...]) -> str:
    fld = str(loc[0]) if loc else "?"
    header = parsed.mapping.get(fld)
    return f"column {header!r}" if header else fld


def _as_written(cells: dict[str, Any], values: dict[str, Any], loc: tuple[Any, ...]) -> str:
    fld = str(loc[0]) if loc else ""
    cell = cells.get(fld)
    if isinstance(cell, str) and cell.strip() != str(values.get(fld, "")):
        return f" (the cell reads {cell.strip()!r})"
    return ""


def _why(err: Any, ledger: Ledger) -> str:
    if err["type"] == "missing":
        if ledger.path.suffix.lower() in (".xlsx", ".xlsm"):
            # openpyxl reads the value a spreadsheet stored; a formula never computed has none
            return "empty (if it holds a formula, open and save the file in Excel or LibreOffice)"
        return "empty"
    if err["type"] == "extra_forbidden":
        return "not an expense field"
    return str(err["msg"])


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
    for i, fld in enumerate(f for f in FIELDS if f in values):
        v = values[fld]
        if fld in ("amount", "vat"):
            text = f"{Decimal(str(v)):.2f}"  # validated: at most two decimals, so exact
        elif fld in ("date", "paid"):
            text = str(v)
        elif fld == "action":
            items = v if isinstance(v, list) else [v]
            text = "[" + ", ".join(quoted(str(a)) for a in items) + "]"
        else:
            text = quoted(str(v))
        lines.append(f"{pad}{'- ' if i == 0 else '  '}{fld}: {text}")
    return "\n".join(lines) + "\n"


def insert_expenses(text: str, expenses: Sequence[dict[str, Any]], comment: str) -> str:
    """Return the report's text with ``expenses`` appended to its ``expenses:`` list.

    A block list is extended right after its last item (comments that follow it, which
    belong to the next section, stay where they are); an empty list (``expenses: []``,
    ``expenses:``) becomes a block list, keeping a comment on its line; a report without
    ``expenses`` gets one at the end. Line endings are kept line by line (LF, CRLF, or a
    mix of them); the new lines end as most of the file's lines do.
    """
    from .yamlsource import compose

    # Each line keeps its own ending; the new lines take the file's usual one.
    nl = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    return _insert(text, compose(text), expenses, comment, nl)


def _insert(text: str, root: Node | None, expenses: Sequence[dict[str, Any]], comment: str, nl: str) -> str:
    def block(indent: int) -> str:
        lines = f"{' ' * indent}# {comment}\n" + "".join(expense_yaml(e, indent) for e in expenses)
        return lines if nl == "\n" else lines.replace("\n", nl)

    def line_end(index: int) -> int:
        found = text.find("\n", index)
        return len(text) if found < 0 else found + 1

    for key, value in root.value if root is not None else ():
        if key.value != "expenses":
            continue
        if value.tag.endswith(":seq") and value.value and not value.flow_style:
            at = line_end(_last_end(value))
            prefix = text[:at] if text[:at].endswith("\n") else text[:at] + nl
            return prefix + block(value.start_mark.column) + text[at:]
        if value.value:  # a flow list with items, or a scalar that is not null
            raise ReportShapeError(
                "`expenses:` is not a block list: write it as one (- date: …) and import again"
            )
        # `expenses:`, `expenses: null`, `expenses: []` (maybe with a comment after it)
        colon = text.index(":", key.end_mark.index)
        start = value.start_mark.index if value.end_mark.index > value.start_mark.index else colon + 1
        end = max(value.end_mark.index, colon + 1)
        at = line_end(end)
        rest_of_line = text[end:at].rstrip("\r\n")
        ending = text[end:at][len(rest_of_line) :] or nl
        head = text[: colon + 1] + text[colon + 1 : start].rstrip(" ") + rest_of_line
        return head + ending + block(2) + text[at:]
    sep = "" if text.endswith("\n") or not text else nl
    return text + sep + "expenses:" + nl + block(2)


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
            raise LedgerError(f"--map {pair!r}: write FIELD=HEADER, e.g. amount=Imponibile")
        if fld.strip() not in FIELDS:
            raise LedgerError(
                f"--map {pair!r}: {fld.strip()!r} is not an expense field ({', '.join(FIELDS)})"
            )
        out[fld.strip()] = header.strip()
    return out


# ------------------------------------------------------------------ the whole import


@dataclass
class ImportPlan:
    """What an import would do: the rows to add, the rows refused and why, the new text."""

    ledger: Ledger
    parsed: ParsedLedger
    added: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    text: str = ""
    bom: bool = False

    @property
    def problems(self) -> list[RowProblem]:
        return sorted(self.parsed.problems, key=lambda p: p.row)


def plan_import(
    ledger: Ledger,
    target: ImportTarget,
    *,
    explicit: dict[str, str] | None = None,
    skip_invalid: bool = False,
) -> ImportPlan:
    """Plan adding a ledger's rows to a cost report, checking each row twice: as an expense
    (:func:`parse_rows`), then with the report's rules in its project (dates in the period,
    paid by its end, not claimed in another report…): a row that would be an error there is
    refused too, with the rule's code and message.

    ``target`` is the report and its budget, read once (:func:`clustbudget.pipeline.load_import_target`).
    With ``skip_invalid`` the refused rows are left out of the text; otherwise the text is
    built only when no row is refused.
    """
    from datetime import date as _date

    from .findings import Severity
    from .loading import load_file
    from .pipeline import check_project, find_reports, loaded_from_text

    report_path, model, budget_path, budget = (
        target.loaded.path,
        target.report,
        target.budget_path,
        target.budget,
    )
    assert budget.pack is not None  # load_import_target refuses a budget without figures
    parsed = parse_rows(ledger, budget.pack, explicit=explicit, existing=model.expenses)
    plan = ImportPlan(ledger, parsed)
    if not parsed.columns_ok or not parsed.expenses:
        return plan
    raw = report_path.read_bytes()
    plan.bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")  # no newline translation: CRLF files keep their endings
    comment = f"imported from {ledger.path.name} on {_date.today().isoformat()}"
    candidates = list(parsed.expenses)
    new_text = insert_expenses(text, [v for _, v in candidates], comment)
    # The rules, on the report as it would be, in its project.
    trial = loaded_from_text(report_path, new_text)
    others = [
        load_file(p, str(p), expect="report")
        for p in find_reports(budget_path)
        if p.resolve() != report_path.resolve()
    ]
    project = check_project(budget, [trial, *others])
    result = next(r for r in project.reports if r.loaded is trial)
    first = len(model.expenses)
    # Each new expense is written one field a line (:func:`expense_yaml`): count its fields.
    spans = [
        (trial.at(("expenses", first + k)).line, sum(1 for f in FIELDS if f in values))
        for k, (_, values) in enumerate(candidates)
    ]
    refused: dict[int, list[str]] = {}
    for f in result.findings:
        if f.severity is not Severity.ERROR or f.location.path != trial.display:
            continue
        for k, (start, lines) in enumerate(spans):
            if start <= f.location.line < start + lines:
                refused.setdefault(k, []).append(f"{f.code} {f.message}")
    for k, reasons in refused.items():
        parsed.problems.append(RowProblem(candidates[k][0], "; ".join(reasons)))
    plan.added = [c for k, c in enumerate(candidates) if k not in refused]
    if refused and not skip_invalid:
        return plan
    if plan.added:
        plan.text = new_text if not refused else insert_expenses(text, [v for _, v in plan.added], comment)
        if refused or not isinstance(trial.model, CostReport):  # the trial read new_text already
            check_result(plan.text, report_path)
    return plan


class ImportRefused(Exception):
    """An import that writes nothing: its message (a ``msg`` template), its exit code, and the
    plan whose refused rows explain it (listed before the message), when there is one."""

    def __init__(self, message: str, code: int, plan: ImportPlan | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.plan = plan


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
) -> ImportOutcome:
    """Add a ledger's expenses to a cost report, as ``clustbudget import-expenses`` does.

    The report is read, changed and replaced atomically under its lock (a concurrent import
    waits, then reads what the other one wrote, so an import that returns is never lost); a
    symlink is written through to the file it names. Nothing is written unless every row is
    valid (or ``skip_invalid``), nor with ``dry_run``. Raises :class:`ImportRefused` (exit code
    and message) or :class:`clustbudget.pipeline.Refused` (the report or its budget cannot be
    used, with their findings).
    """
    import contextlib

    from .atomic import FileBusy, locked, real_file, write_text_atomic
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
            table = read_ledger(ledger_path, sheet=sheet)
            plan = plan_import(
                table, target, explicit=parse_mapping(list(mapping)), skip_invalid=skip_invalid
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
            from .i18n import nmsg

            total = len(table.rows)
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
        if not rows or dry_run:
            return ImportOutcome(plan, into, rows, written=False)
        try:
            text = ("\ufeff" if plan.bom else "") + plan.text
            write_text_atomic(into, text, overwrite=True, lock=False)  # held since the read
        except OSError as exc:
            raise ImportRefused(
                msg("{into}: cannot write: {reason}", into=str(into), reason=os_reason(exc)),
                ExitCode.UNREADABLE,
            ) from None
        return ImportOutcome(plan, into, rows, written=True)
