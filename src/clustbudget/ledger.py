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
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .models import CallPack, CostReport, Expense
from .rules.project import document_key, supplier_key, vat_key

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

PAYMENT_WORDS = {
    "bank_transfer": ["bonifico", "bonifico bancario", "bank transfer", "transfer", "wire transfer", "sepa"],
    "card": ["carta", "carta di credito", "carta di debito", "bancomat", "card", "credit card", "debit card"],
    "pagopa": ["pagopa", "pago pa"],
    "direct_debit": ["rid", "sdd", "addebito diretto", "addebito in conto", "direct debit"],
    "cash": ["contanti", "contante", "cassa", "cash"],
}

MAX_LEDGER_BYTES = 64 * 1024 * 1024


class LedgerError(Exception):
    """The ledger cannot be read at all (missing, not CSV/xlsx, no header): exit code 2."""


def normalise(text: str) -> str:
    """Header or word for matching: lower case, no accents, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass
class Ledger:
    """A ledger's rows as cell values, with their row numbers in the source (1-based)."""

    path: Path
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    decimal_comma: bool = False
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
    """Read a CSV (delimiter sniffed, UTF-8 or Windows-1252) or xlsx ledger's header and rows."""
    if not path.is_file():
        raise LedgerError(f"{path}: no such file")
    if path.stat().st_size > MAX_LEDGER_BYTES:
        raise LedgerError(f"{path}: file is too large (at most {MAX_LEDGER_BYTES:,} bytes)")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise LedgerError(f"{path}: a ledger is a .csv or .xlsx file")


def _read_csv(path: Path) -> Ledger:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Italian Windows
    sample = text[:20000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return _table(path, [(i + 1, row) for i, row in enumerate(rows)], decimal_comma=dialect.delimiter == ";")


def _read_xlsx(path: Path, sheet: str | None) -> Ledger:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise LedgerError(f"{path}: not a readable xlsx workbook ({type(exc).__name__})") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise LedgerError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = [(i + 1, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True))]
    finally:
        wb.close()
    return _table(path, rows, decimal_comma=False)


def _table(path: Path, rows: list[tuple[int, list[Any]]], *, decimal_comma: bool) -> Ledger:
    def blank(values: Sequence[Any]) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)

    rows = [(n, r) for n, r in rows if not blank(r)]
    if not rows:
        raise LedgerError(f"{path}: the ledger is empty")
    header_row, header = rows[0]
    headers = ["" if h is None else str(h).strip() for h in header]
    ledger = Ledger(path, headers, rows[1:], decimal_comma, header_row)
    if not decimal_comma:
        ledger.decimal_comma = _looks_decimal_comma(ledger)
    return ledger


_COMMA_NUMBER = re.compile(r"\d{1,3}(\.\d{3})*,\d{1,2}|\d+,\d{1,2}")


def _looks_decimal_comma(ledger: Ledger) -> bool:
    return any(isinstance(v, str) and _COMMA_NUMBER.fullmatch(v.strip()) for _, r in ledger.rows for v in r)


def match_columns(
    headers: Sequence[str], explicit: dict[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Map expense fields to column indexes: explicit ``field=header`` first, then known names.

    Returns the mapping and the problems (unknown fields or headers in the explicit mapping,
    required fields with no column).
    """
    problems: list[str] = []
    index = {normalise(h): i for i, h in enumerate(headers) if h}
    mapping: dict[str, int] = {}
    for fld, header in (explicit or {}).items():
        if fld not in FIELDS:
            problems.append(f"--map {fld}=…: {fld!r} is not an expense field ({', '.join(FIELDS)})")
        elif normalise(header) not in index:
            problems.append(
                f"--map {fld}={header}: no column {header!r} (columns: {', '.join(h for h in headers if h)})"
            )
        else:
            mapping[fld] = index[normalise(header)]
    for fld, names in HEADERS.items():
        if fld in mapping:
            continue
        for name in names:
            i = index.get(normalise(name))
            if i is not None and i not in mapping.values():
                mapping[fld] = i
                break
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        problems.append(
            f"no column for {', '.join(missing)}: name them with --map FIELD=HEADER "
            f"(columns: {', '.join(h for h in headers if h)})"
        )
    return mapping, problems


def _cell_text(value: Any, fld: str, decimal_comma: bool) -> Any:
    """A cell as the text a report file would hold (dates ISO, money exact), or None."""
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
        return text[:-2] if text.endswith(".0") and fld not in ("amount", "vat", "eligible_share") else text
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if fld in ("amount", "vat", "eligible_share"):
        text = text.replace("€", "").replace("EUR", "").strip()
        if decimal_comma and re.fullmatch(r"[\d.]*,?\d*", text):
            text = text.replace(".", "").replace(",", ".")
    if fld in ("date", "paid"):
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if m:  # Italian day/month/year, as ledgers write dates
            text = f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    if fld == "payment":
        key = normalise(text)
        for method, words in PAYMENT_WORDS.items():
            if key == method.replace("_", " ") or key in words:
                return method
    return text


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
    for number, row in ledger.rows:
        values = {
            f: _cell_text(row[i] if i < len(row) else None, f, ledger.decimal_comma)
            for f, i in mapping.items()
        }
        values = {f: v for f, v in values.items() if v is not None}
        if isinstance(values.get("action"), str) and "," in values["action"]:
            values["action"] = [a.strip() for a in values["action"].split(",") if a.strip()]
        try:
            expense = Expense.model_validate(values)
        except ValidationError as exc:
            reasons = [f"{_col(parsed, e['loc'])}: {_why(e)}" for e in exc.errors(include_url=False)]
            parsed.problems.append(RowProblem(number, "; ".join(reasons)))
            continue
        reasons = []
        if expense.item not in pack.items or pack.items[expense.item].kind == "flat_rate":
            reasons.append(
                f"{_col(parsed, ('item',))}: {expense.item!r} is not a direct cost item "
                f"({', '.join(pack.direct_items)})"
            )
        if expense.payment is not None and expense.payment not in allowed:
            reasons.append(
                f"{_col(parsed, ('payment',))}: {expense.payment!r} is not a traceable payment "
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


def _invoice_key(exp: Expense) -> tuple[str, int, str]:
    who = vat_key(exp.supplier_vat) if exp.supplier_vat else supplier_key(exp.supplier)
    return document_key(exp.document), exp.date.year, who


def _col(parsed: ParsedLedger, loc: tuple[Any, ...]) -> str:
    fld = str(loc[0]) if loc else "?"
    header = parsed.mapping.get(fld)
    return f"column {header!r}" if header else fld


def _why(err: Any) -> str:
    if err["type"] == "missing":
        return "empty"
    if err["type"] == "extra_forbidden":
        return "not an expense field"
    return str(err["msg"])


# ------------------------------------------------------------------ writing into the report


def expense_yaml(values: dict[str, Any], indent: int) -> str:
    """One expense as a block-style YAML list item; text is double-quoted (JSON-style), so no
    value can be read back as another type."""
    pad = " " * indent
    lines = []
    for i, fld in enumerate(f for f in FIELDS if f in values):
        v = values[fld]
        if fld in ("date", "paid", "amount", "vat"):
            text = str(v)
        elif fld == "action":
            items = v if isinstance(v, list) else [v]
            text = "[" + ", ".join(json.dumps(str(a), ensure_ascii=False) for a in items) + "]"
        else:
            text = json.dumps(str(v), ensure_ascii=False)
        lines.append(f"{pad}{'- ' if i == 0 else '  '}{fld}: {text}")
    return "\n".join(lines) + "\n"


def insert_expenses(text: str, root: Any, expenses: Sequence[dict[str, Any]], comment: str) -> str:
    """Return the report's text with ``expenses`` appended to its ``expenses:`` list.

    ``root`` is the report's composed YAML mapping node. A block list is extended after its
    last item; an empty or flow list (``expenses: []``) is replaced by a block list; a report
    without ``expenses`` gets one at the end.
    """
    for key, value in root.value:
        if key.value != "expenses":
            continue
        if getattr(value, "flow_style", False) is False and value.value and value.tag.endswith(":seq"):
            indent = value.start_mark.column
            body = f"{' ' * indent}# {comment}\n" + "".join(expense_yaml(e, indent) for e in expenses)
            end = value.end_mark.index
            # a block list ends where the next key starts: insert at the start of that line
            cut = text.rfind("\n", 0, end) + 1 if end < len(text) else len(text)
            prefix = text[:cut] if text[:cut].endswith("\n") or not text[:cut] else text[:cut] + "\n"
            return prefix + body + text[cut:]
        body = "\n" + f"  # {comment}\n" + "".join(expense_yaml(e, 2) for e in expenses)
        if value.tag.endswith(":null") or not value.value:  # `expenses:`, `expenses: null`, `expenses: []`
            colon = text.index(":", key.end_mark.index)
            start = value.start_mark.index if value.end_mark.index > value.start_mark.index else colon + 1
            end = max(value.end_mark.index, colon + 1)
            return text[: colon + 1] + body.rstrip("\n") + text[end:] if start >= colon else text
        raise ValueError("expenses: is not a list")
    sep = "" if text.endswith("\n") else "\n"
    return text + sep + f"expenses:\n  # {comment}\n" + "".join(expense_yaml(e, 2) for e in expenses)


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
        out[fld.strip()] = header.strip()
    return out
