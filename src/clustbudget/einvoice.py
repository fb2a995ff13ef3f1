"""E-invoices: FatturaPA 1.2.x files (``.xml``, signed ``.xml.p7m``) → expenses of a cost report.

Reading: the XML is parsed by :mod:`defusedxml`, which refuses DTDs, entities and external
references (an XML bomb or an external entity is refused, never expanded or fetched); a signed
file's content is taken out of its CMS ``SignedData`` with :mod:`asn1crypto` — the signature is
**not** verified, and the import says so. Tag names are those of the FatturaPA 1.2 schema
(``FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA``…, namespace
``http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2``); elements are matched by
their local name, so a file with or without the namespace prefix reads the same.

One file may hold several invoices (one ``FatturaElettronicaBody`` each): each is an invoice.

Mapping: each invoice becomes one expense of the report — supplier, VAT number (or tax code),
number, date, taxable amount (the sum of ``DatiRiepilogo/ImponibileImporto``) and VAT (the sum of
``Imposta``) — with the item and share the accountant gives (``--item``/``--share``, a mapping
file, or ``--ask``), recorded ``awaiting_payment: true`` (kept on record, not claimed) until its
payment is added, and the XML file as its attachment with its SHA-256. A credit note (TD04)
reduces the invoice it cites (``DatiFattureCollegate``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, ParseError

from .i18n import Message, joined, msg
from .i18n.oserrors import cannot_read, not_a_regular_file
from .records import dataclass

if TYPE_CHECKING:
    from .ledger import ImportPlan
    from .pipeline import ImportTarget

FPA_NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
MAX_EINVOICE_BYTES = 32 * 1024 * 1024
"""An e-invoice file at most this large (attachments inside included)."""
MAX_EINVOICE_FILES = 10_000
"""Files of one import (a folder of a year's invoices is a few hundred)."""
CREDIT_NOTE = "TD04"
INVOICE_TYPES = {
    "TD01": "fattura",
    "TD02": "acconto/anticipo su fattura",
    "TD03": "acconto/anticipo su parcella",
    "TD04": "nota di credito",
    "TD05": "nota di debito",
    "TD06": "parcella",
    "TD24": "fattura differita",
    "TD25": "fattura differita",
}

# ModalitaPagamento (FatturaPA 2.4.2.2) → the report's payment methods.
PAYMENT_CODES: dict[str, str] = {
    "MP01": "cash",  # contanti
    "MP02": "other_traceable",  # assegno
    "MP03": "other_traceable",  # assegno circolare
    "MP04": "cash",  # contanti presso Tesoreria
    "MP05": "bank_transfer",  # bonifico
    "MP06": "other_traceable",  # vaglia cambiario
    "MP07": "other_traceable",  # bollettino bancario
    "MP08": "card",  # carta di pagamento
    "MP09": "direct_debit",  # RID
    "MP10": "direct_debit",  # RID utenze
    "MP11": "direct_debit",  # RID veloce
    "MP12": "other_traceable",  # RIBA
    "MP13": "other_traceable",  # MAV
    "MP14": "other_traceable",  # quietanza erario
    "MP15": "other_traceable",  # giroconto su conti di contabilità speciale
    "MP16": "direct_debit",  # domiciliazione bancaria
    "MP17": "direct_debit",  # domiciliazione postale
    "MP18": "other_traceable",  # bollettino di c/c postale
    "MP19": "direct_debit",  # SEPA Direct Debit
    "MP20": "direct_debit",  # SEPA Direct Debit CORE
    "MP21": "direct_debit",  # SEPA Direct Debit B2B
    "MP22": "other_traceable",  # trattenuta su somme già riscosse
    "MP23": "pagopa",  # PagoPA
}


class EInvoiceError(Exception):
    """An e-invoice file cannot be read (missing, too large, not FatturaPA, unsafe XML): exit 2."""


@dataclass(frozen=True)
class VatSummary:
    """One ``DatiRiepilogo``: the taxable amount and VAT at one rate (or one ``Natura``)."""

    rate: Decimal
    nature: str | None
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class InvoiceLine:
    """One ``DettaglioLinee``."""

    number: str
    description: str
    quantity: Decimal | None
    unit_price: Decimal | None
    total: Decimal
    rate: Decimal


@dataclass(frozen=True)
class PaymentTerm:
    """One ``DettaglioPagamento``: how and when the supplier asks to be paid."""

    code: str
    method: str | None
    due: date | None
    amount: Decimal | None
    iban: str | None


@dataclass
class EInvoice:
    """One invoice of a FatturaPA file, with what an expense needs."""

    path: Path
    body: int
    """1-based position of its ``FatturaElettronicaBody`` in the file."""
    signed: bool
    sha256: str
    """Of the file as stored (the ``.p7m`` when signed)."""
    version: str
    supplier: str
    supplier_vat: str | None
    supplier_tax_code: str | None
    kind: str
    number: str
    issued: date
    currency: str
    summaries: list[VatSummary] = field(default_factory=list)
    lines: list[InvoiceLine] = field(default_factory=list)
    total: Decimal | None = None
    terms: list[PaymentTerm] = field(default_factory=list)
    reason: str | None = None
    cited: list[tuple[str, date | None]] = field(default_factory=list)
    """Invoices it refers to (``DatiFattureCollegate``): number and date; a credit note's invoice."""

    @property
    def taxable(self) -> Decimal:
        return sum((abs(s.taxable) for s in self.summaries), Decimal("0.00"))

    @property
    def vat(self) -> Decimal:
        return sum((abs(s.tax) for s in self.summaries), Decimal("0.00"))

    @property
    def is_credit_note(self) -> bool:
        return self.kind == CREDIT_NOTE

    @property
    def supplier_id(self) -> str | None:
        """The VAT number, else the tax code: what identifies the supplier."""
        return self.supplier_vat or self.supplier_tax_code

    @property
    def where(self) -> str:
        """The file, and the body when the file holds several invoices."""
        return str(self.path) if self.body == 1 else f"{self.path}#{self.body}"

    def description(self) -> str:
        """``Causale`` when given, else the lines' descriptions (the first three)."""
        if self.reason:
            return self.reason
        texts = [ln.description for ln in self.lines if ln.description]
        if not texts:
            return f"{INVOICE_TYPES.get(self.kind, self.kind)} {self.number}"
        head = "; ".join(texts[:3])
        return head if len(texts) <= 3 else f"{head}; … (+{len(texts) - 3})"


# ------------------------------------------------------------------ reading


def invoice_files(paths: Iterable[Path]) -> list[Path]:
    """The e-invoice files named, and those in the folders named (``*.xml``, ``*.xml.p7m``,
    ``*.p7m``; case ignored; hidden files and folders skipped), in a stable order.

    A path that exists but cannot be read (a folder or a file without permission, a pipe) is
    refused with the system's reason: an invoice is never left out without a word."""
    out: list[Path] = []
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            raise EInvoiceError(msg("{path}: no such file", path=str(path))) from None
        except OSError as exc:
            raise EInvoiceError(cannot_read(path, exc)) from None
        if stat.S_ISDIR(st.st_mode):
            found = sorted(_einvoices_under(path))
            if not found:
                raise EInvoiceError(msg("{path}: no .xml or .xml.p7m file in this folder", path=str(path)))
            out.extend(found)
        else:
            problem = not_a_regular_file(path, st.st_mode)
            if problem is not None:
                raise EInvoiceError(cannot_read(path, problem))
            out.append(path)
        if len(out) > MAX_EINVOICE_FILES:
            raise EInvoiceError(
                msg(
                    "more than {limit:,} e-invoice files in one import: import them by period",
                    limit=MAX_EINVOICE_FILES,
                )
            )
    return out


def _einvoices_under(root: Path) -> list[Path]:
    """The e-invoice files under ``root`` at any depth, outside hidden folders and hidden files
    (:func:`clustbudget.pipeline.files_under`: symlinked folders not entered); a folder that
    cannot be listed is refused (:class:`EInvoiceError`), not passed over. Stops one file past
    :data:`MAX_EINVOICE_FILES`."""
    from .pipeline import files_under

    def refuse(folder: Path, exc: OSError) -> None:
        raise EInvoiceError(cannot_read(folder, exc))

    found: list[Path] = []
    for entry in files_under(root, refuse):
        if entry.name.startswith("."):
            continue
        try:
            if _is_einvoice_name(entry.name) and entry.is_file():
                found.append(Path(entry.path))
        except OSError:
            continue  # a link to nothing: not an invoice
        if len(found) > MAX_EINVOICE_FILES:
            break
    return found


def _is_einvoice_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".xml", ".p7m"))


def read_einvoices(path: Path) -> list[EInvoice]:
    """The invoices of one FatturaPA file (``.xml`` or signed ``.p7m``)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EInvoiceError(cannot_read(path, exc)) from None
    if size > MAX_EINVOICE_BYTES:
        raise EInvoiceError(
            msg(
                "{path}: file is too large (at most {limit:,} bytes)",
                path=str(path),
                limit=MAX_EINVOICE_BYTES,
            )
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EInvoiceError(cannot_read(path, exc)) from None
    signed = path.name.lower().endswith(".p7m")
    xml = signed_content(raw, path) if signed else raw
    return parse_fatturapa(xml, path, signed=signed, sha256=hashlib.sha256(raw).hexdigest())


def signed_content(raw: bytes, path: Path) -> bytes:
    """The content a CMS/PKCS#7 ``SignedData`` envelope (``.p7m``) carries; DER, or DER in
    base64 as some mail clients save it. The signature is not verified."""
    from asn1crypto import cms

    data = raw
    if raw[:1] != b"\x30":  # not DER: base64 (maybe PEM-armoured)?
        text = re.sub(rb"-----[^-]+-----|\s", b"", raw)
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise EInvoiceError(
                msg("{path}: not a signed file (.p7m): neither DER nor base64", path=str(path))
            ) from None
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        content = info["content"]["encap_content_info"]["content"].native
    except (ValueError, TypeError, KeyError, OverflowError):
        raise EInvoiceError(
            msg("{path}: not a readable signed file (CMS SignedData)", path=str(path))
        ) from None
    if not isinstance(content, bytes) or not content:
        raise EInvoiceError(
            msg(
                "{path}: the signed file does not contain the invoice (a detached signature?)",
                path=str(path),
            )
        )
    return content


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Element | None, name: str) -> Iterator[Element]:
    if el is None:
        return
    for child in el:
        if _local(child.tag) == name:
            yield child


def _find(el: Element | None, *path: str) -> Element | None:
    for name in path:
        el = next(_children(el, name), None)
        if el is None:
            return None
    return el


def _text(el: Element | None, *path: str) -> str | None:
    found = _find(el, *path)
    if found is None or found.text is None:
        return None
    text = " ".join(found.text.split())
    return text or None


def parse_fatturapa(xml: bytes, path: Path, *, signed: bool = False, sha256: str = "") -> list[EInvoice]:
    """The invoices of a FatturaPA 1.2.x document. Raises :class:`EInvoiceError` for XML that
    is unsafe (DTD, entities, external references), malformed, or not FatturaPA 1.2."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise EInvoiceError(
            msg(
                "{path}: refused: the XML declares {what} (an e-invoice never does; "
                "entities could expand without end or read other files)",
                path=str(path),
                what=type(exc).__name__.replace("Forbidden", "").lower() or "a DTD",
            )
        ) from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise EInvoiceError(
            msg("{path}:{line}:{col}: not well-formed XML", path=str(path), line=line, col=col + 1)
        ) from None
    version = root.get("versione") or ""
    if _local(root.tag) != "FatturaElettronica":
        raise EInvoiceError(
            msg(
                "{path}: not a FatturaPA invoice (the root element is {tag!r}, not FatturaElettronica)",
                path=str(path),
                tag=_local(root.tag),
            )
        )
    if not re.fullmatch(r"FP[AR]12", version):
        raise EInvoiceError(
            msg(
                "{path}: FatturaPA version {version!r} is not 1.2 (FPR12 or FPA12)",
                path=str(path),
                version=version,
            )
        )
    header = _find(root, "FatturaElettronicaHeader")
    who = _find(header, "CedentePrestatore", "DatiAnagrafici")
    if who is None:
        raise EInvoiceError(msg("{path}: no CedentePrestatore (the supplier)", path=str(path)))
    name = _text(who, "Anagrafica", "Denominazione") or " ".join(
        t for t in (_text(who, "Anagrafica", "Nome"), _text(who, "Anagrafica", "Cognome")) if t
    )
    country, code = _text(who, "IdFiscaleIVA", "IdPaese"), _text(who, "IdFiscaleIVA", "IdCodice")
    vat = f"{country or ''}{code}" if code else None
    tax_code = _text(who, "CodiceFiscale")
    bodies = list(_children(root, "FatturaElettronicaBody"))
    if not bodies:
        raise EInvoiceError(msg("{path}: no FatturaElettronicaBody (no invoice)", path=str(path)))
    out = []
    for n, body in enumerate(bodies, 1):
        where = str(path) if len(bodies) == 1 else f"{path}#{n}"
        doc = _find(body, "DatiGenerali", "DatiGeneraliDocumento")
        kind, number, when = _text(doc, "TipoDocumento"), _text(doc, "Numero"), _text(doc, "Data")
        if not kind or not number or not when:
            raise EInvoiceError(
                msg(
                    "{where}: DatiGeneraliDocumento lacks TipoDocumento, Numero or Data",
                    where=where,
                )
            )
        invoice = EInvoice(
            path=path,
            body=n,
            signed=signed,
            sha256=sha256,
            version=version,
            supplier=name or (vat or tax_code or "?"),
            supplier_vat=vat,
            supplier_tax_code=tax_code,
            kind=kind,
            number=number,
            issued=_date(when, where, "Data"),
            currency=_text(doc, "Divisa") or "EUR",
            total=_amount(_text(doc, "ImportoTotaleDocumento"), where, "ImportoTotaleDocumento"),
            reason=" ".join(t.text.strip() for t in _children(doc, "Causale") if t.text and t.text.strip())
            or None,
        )
        goods = _find(body, "DatiBeniServizi")
        for line in _children(goods, "DettaglioLinee"):
            invoice.lines.append(
                InvoiceLine(
                    number=_text(line, "NumeroLinea") or "",
                    description=_text(line, "Descrizione") or "",
                    quantity=_amount(_text(line, "Quantita"), where, "Quantita"),
                    unit_price=_amount(_text(line, "PrezzoUnitario"), where, "PrezzoUnitario"),
                    total=_amount(_text(line, "PrezzoTotale"), where, "PrezzoTotale") or Decimal(0),
                    rate=_amount(_text(line, "AliquotaIVA"), where, "AliquotaIVA") or Decimal(0),
                )
            )
        for summary in _children(goods, "DatiRiepilogo"):
            invoice.summaries.append(
                VatSummary(
                    rate=_amount(_text(summary, "AliquotaIVA"), where, "AliquotaIVA") or Decimal(0),
                    nature=_text(summary, "Natura"),
                    taxable=_amount(_text(summary, "ImponibileImporto"), where, "ImponibileImporto")
                    or Decimal("0.00"),
                    tax=_amount(_text(summary, "Imposta"), where, "Imposta") or Decimal("0.00"),
                )
            )
        if not invoice.summaries:
            raise EInvoiceError(msg("{where}: no DatiRiepilogo (the VAT summary)", where=where))
        for pay in _children(body, "DatiPagamento"):
            for detail in _children(pay, "DettaglioPagamento"):
                code_ = _text(detail, "ModalitaPagamento") or ""
                due = _text(detail, "DataScadenzaPagamento")
                invoice.terms.append(
                    PaymentTerm(
                        code=code_,
                        method=PAYMENT_CODES.get(code_),
                        due=_date(due, where, "DataScadenzaPagamento") if due else None,
                        amount=_amount(_text(detail, "ImportoPagamento"), where, "ImportoPagamento"),
                        iban=_text(detail, "IBAN"),
                    )
                )
        for linked in _children(_find(body, "DatiGenerali"), "DatiFattureCollegate"):
            cited = _text(linked, "IdDocumento")
            if cited:
                day = _text(linked, "Data")
                invoice.cited.append((cited, _date(day, where, "Data") if day else None))
        out.append(invoice)
    return out


def _date(text: str | None, where: str, tag: str) -> date:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        raise EInvoiceError(
            msg("{where}: {tag} {text!r} is not a date (YYYY-MM-DD)", where=where, tag=tag, text=text)
        ) from None


def _amount(text: str | None, where: str, tag: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise EInvoiceError(msg("{where}: {tag} {text!r} is not an amount", where=where, tag=tag, text=text))
    return value


# ------------------------------------------------------------------ which item, which share


@dataclass(frozen=True)
class Assignment:
    """Where an invoice goes: a direct item of the call, its eligible share, its action(s)."""

    item: str | None = None
    share: str | None = None
    action: str | None = None


def load_assignments(path: Path) -> dict[str, Assignment]:
    """A mapping file: for each e-invoice file (its name, or its path as given), the item, or
    ``{item, share, action}``::

        IT02345678901_00017.xml: D
        IT03456789012_00342.xml: {item: D, share: "0.5", action: "2"}
    """
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EInvoiceError(cannot_read(path, exc)) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise EInvoiceError(
            msg("{path}:{line}: not a readable YAML mapping file", path=str(path), line=line)
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise EInvoiceError(
            msg(
                '{path}: write one line per file: `FILE: ITEM` or `FILE: {{item: D, share: "0.5"}}`',
                path=str(path),
            )
        )
    out: dict[str, Assignment] = {}
    for name, value in data.items():
        if isinstance(value, str | int):
            out[str(name)] = Assignment(item=str(value))
        elif isinstance(value, dict) and set(map(str, value)) <= {"item", "share", "action"}:
            out[str(name)] = Assignment(
                item=None if value.get("item") is None else str(value["item"]),
                share=None if value.get("share") is None else str(value["share"]),
                action=None if value.get("action") is None else str(value["action"]),
            )
        else:
            raise EInvoiceError(
                msg(
                    '{path}: {name}: give the item (D) or {{item: D, share: "0.5", action: "2"}}',
                    path=str(path),
                    name=str(name),
                )
            )
    return out


def assignment_for(invoice: EInvoice, assignments: dict[str, Assignment]) -> Assignment | None:
    """The mapping file's line for an invoice's file: by its path as given, else its name."""
    return assignments.get(str(invoice.path)) or assignments.get(invoice.path.name)


# ------------------------------------------------------------------ invoices → expenses


def _payment_terms(invoice: EInvoice) -> Message | None:
    parts: list[str] = []
    for term in invoice.terms:
        how = f"{term.code} ({term.method})" if term.method else term.code
        parts.append(msg("{how}, due {due:date}", how=how, due=term.due) if term.due else how)
    return msg("payment terms: {terms}", terms=joined(parts)) if parts else None


def attachment_of(invoice: EInvoice, report_dir: Path) -> dict[str, str]:
    """The e-invoice file as an expense's attachment: its path relative to the report's folder,
    its SHA-256, ``kind: invoice``."""
    return {
        "file": Path(os.path.relpath(invoice.path.resolve(), report_dir.resolve())).as_posix(),
        "sha256": invoice.sha256,
        "kind": "invoice",
    }


def has_attachments() -> bool:
    """Whether the report format has ``attachments:`` on an expense (else the file and its
    SHA-256 go in the note)."""
    from .models import Expense

    return "attachments" in Expense.model_fields


def expense_values(
    invoice: EInvoice,
    assignment: Assignment,
    report_dir: Path,
    *,
    credit_notes: Iterable[EInvoice] = (),
    lang: str = "en",
) -> dict[str, Any]:
    """An invoice as the YAML-ready values of an expense, awaiting payment; the credit notes
    that cite it reduce its taxable amount and VAT. The note the tool writes (payment terms,
    credit notes) is in ``lang``, the run's language: it becomes the report's own text."""
    credits = list(credit_notes)
    amount = invoice.taxable - sum((c.taxable for c in credits), Decimal(0))
    vat = invoice.vat - sum((c.vat for c in credits), Decimal(0))
    values: dict[str, Any] = {
        "date": invoice.issued.isoformat(),
        "item": assignment.item,
        "description": invoice.description(),
        "supplier": invoice.supplier,
    }
    if invoice.supplier_id:
        values["supplier_vat"] = invoice.supplier_id
    values["document"] = invoice.number
    values["amount"] = f"{amount:.2f}"
    if vat:
        values["vat"] = f"{vat:.2f}"
    if assignment.share is not None:
        values["eligible_share"] = assignment.share
    if assignment.action is not None:
        values["action"] = [a.strip() for a in assignment.action.split(",") if a.strip()]
    notes: list[str] = [n for n in (_payment_terms(invoice),) if n]
    for c in credits:
        notes.append(
            msg(
                "reduced by credit note {number} of {date:date} (-{taxable:amount} taxable, -{vat:amount} VAT)",
                number=c.number,
                date=c.issued,
                taxable=c.taxable,
                vat=c.vat,
            )
        )
    files = [invoice, *credits]
    if not has_attachments():
        for f in files:
            att = attachment_of(f, report_dir)
            notes.append(msg("e-invoice {file} (sha256 {sha256})", file=att["file"], sha256=att["sha256"]))
    if notes:
        values["note"] = joined(notes).render(lang)
    values["awaiting_payment"] = True
    if has_attachments():
        values["attachments"] = [attachment_of(f, report_dir) for f in files]
    return values


# ------------------------------------------------------------------ the whole import


Ask = Callable[[EInvoice, tuple[str, ...]], Assignment | None]
"""Asks the accountant where an invoice goes (``--ask``): the direct items to choose from."""


@dataclass
class InvoicePlan:
    """What an e-invoice import would do: the invoices read, and the import plan of their
    expenses (its rows are 1-based positions in :attr:`invoices`)."""

    invoices: list[EInvoice]
    plan: ImportPlan
    notes: list[str] = field(default_factory=list)
    """Info lines: signatures not verified, credit notes applied, totals that differ."""

    def where(self, row: int) -> str:
        return self.invoices[row - 1].where if 0 < row <= len(self.invoices) else "?"


def plan_invoices(
    invoices: list[EInvoice],
    target: ImportTarget,
    *,
    item: str | None = None,
    share: str | None = None,
    action: str | None = None,
    assignments: dict[str, Assignment] | None = None,
    ask: Ask | None = None,
    skip_invalid: bool = False,
    lang: str = "en",
) -> InvoicePlan:
    """Plan adding e-invoices to a cost report: each invoice becomes an expense awaiting
    payment, validated as a ledger row is (an expense, a direct item, not already in the
    project), then with the report's rules in its project. A credit note (TD04) reduces the
    invoice it cites among the files imported; one citing an invoice already in a report is
    refused, naming where it is."""
    from .invoices import (
        Supplier,
        document_key,
        issue_year,
        same_supplier,
        supplier_key,
        supplier_of,
        vat_key,
    )
    from .ledger import ImportPlan, ParsedLedger, RowProblem, plan_expenses
    from .loading import load_file, value_reason
    from .models import CostReport, Expense
    from .pipeline import find_reports

    pack = target.budget.pack
    assert pack is not None  # load_import_target refuses a budget without figures
    report_dir = target.loaded.path.parent
    parsed = ParsedLedger()
    out = InvoicePlan(invoices, ImportPlan(None, parsed))
    direct = tuple(pack.direct_items)

    def who(inv: EInvoice) -> str:
        return vat_key(inv.supplier_id) if inv.supplier_id else supplier_key(inv.supplier)

    for inv in invoices:
        if inv.signed:
            out.notes.append(
                msg(
                    "{where}: signed file: its content was read, the signature was not verified",
                    where=inv.where,
                )
            )
        if inv.total is not None and inv.total != inv.taxable + inv.vat:
            out.notes.append(
                msg(
                    "{where}: ImportoTotaleDocumento {total:money} differs from taxable + VAT "
                    "({taxable:money} + {vat:money}): stamp duty or withholding?",
                    where=inv.where,
                    total=inv.total,
                    taxable=inv.taxable,
                    vat=inv.vat,
                )
            )
    # Where each invoice already is: the target report, the project's other reports.
    existing: list[tuple[Expense, str]] = []
    for i, exp in enumerate(target.report.expenses):
        existing.append((exp, f"{target.loaded.display}:{target.loaded.at(('expenses', i)).line}"))
    for path in find_reports(target.budget_path):
        if path.resolve() == target.loaded.path.resolve():
            continue
        other = load_file(path, str(path), expect="report")
        if isinstance(other.model, CostReport):
            for i, exp in enumerate(other.model.expenses):
                existing.append((exp, f"{other.display}:{other.at(('expenses', i)).line}"))

    def found_in(supplier: str, vat: str | None, number: str, year: int | None) -> str | None:
        mine = Supplier(vat_key(vat) if vat else None, supplier_key(supplier))
        key = document_key(number)
        for exp, where in existing:
            if (
                document_key(exp.document) == key
                and same_supplier(supplier_of(exp), mine)
                and (year is None or issue_year(exp) == year)
            ):
                return where
        return None

    invoices_by_key = {
        (who(inv), document_key(inv.number)): k for k, inv in enumerate(invoices) if not inv.is_credit_note
    }
    credits: dict[int, list[EInvoice]] = {}
    refused_credit: dict[int, str] = {}
    reduced: dict[int, dict[str, Any]] = {}  # expense index in the report → its new amount and VAT
    for k, inv in enumerate(invoices):
        if not inv.is_credit_note:
            continue
        if not inv.cited:
            refused_credit[k] = msg(
                "credit note {number} cites no invoice (DatiFattureCollegate): add it by hand",
                number=inv.number,
            )
            continue
        number, day = inv.cited[0]
        j = invoices_by_key.get((who(inv), document_key(number)))
        if j is not None:
            credits.setdefault(j, []).append(inv)
            out.notes.append(
                msg(
                    "{where}: credit note {number} reduces invoice {cited} by {taxable:money} (VAT {vat:money})",
                    where=inv.where,
                    number=inv.number,
                    cited=number,
                    taxable=inv.taxable,
                    vat=inv.vat,
                )
            )
            continue
        where = found_in(inv.supplier, inv.supplier_id, number, day.year if day else None)
        index = next(
            (i for i, (_, w) in enumerate(existing[: len(target.report.expenses)]) if w == where), None
        )
        if index is not None:  # in the report imported into: its amount is reduced there
            exp = target.report.expenses[index]
            before = reduced.get(index, {"amount": exp.amount, "vat": exp.vat, "why": []})
            amount = before["amount"] - inv.taxable
            vat = None if before["vat"] is None else before["vat"] - inv.vat
            if exp.invoice_amount is not None or amount < 0 or (vat is not None and vat < 0):
                refused_credit[k] = msg(
                    "credit note {number} cites invoice {cited}, claimed in parts or for less at {where}: "
                    "reduce it there by hand ({taxable:money}, VAT {vat:money})",
                    number=inv.number,
                    cited=number,
                    where=where,
                    taxable=inv.taxable,
                    vat=inv.vat,
                )
                continue
            reduced[index] = {
                "amount": amount,
                "vat": vat,
                "why": [
                    *before["why"],
                    msg(
                        "credit note {number} of {date:date}: -{taxable:amount}",
                        number=inv.number,
                        date=inv.issued,
                        taxable=inv.taxable,
                    ),
                ],
                "row": k + 1,
            }
            out.notes.append(
                msg(
                    "{where}: credit note {number} reduces invoice {cited} at {at} to {amount:money}",
                    where=inv.where,
                    number=inv.number,
                    cited=number,
                    at=where,
                    amount=amount,
                )
            )
            continue
        refused_credit[k] = (
            msg(
                "credit note {number} cites invoice {cited}, already at {where}: reduce its amount there "
                "by {taxable:money} (and its VAT by {vat:money})",
                number=inv.number,
                cited=number,
                where=where,
                taxable=inv.taxable,
                vat=inv.vat,
            )
            if where
            else msg(
                "credit note {number} cites invoice {cited}, which is neither among the files imported "
                "nor in the project's reports",
                number=inv.number,
                cited=number,
            )
        )
    seen: dict[tuple[str, str, int], int] = {}
    for k, inv in enumerate(invoices):
        row = k + 1
        if k in refused_credit:
            parsed.problems.append(RowProblem(row, refused_credit[k]))
            continue
        if inv.is_credit_note:
            continue  # applied to its invoice
        if inv.currency != "EUR":
            parsed.problems.append(
                RowProblem(
                    row, msg("invoice in {currency}: convert it to euro by hand", currency=inv.currency)
                )
            )
            continue
        chosen = assignment_for(inv, assignments or {}) or Assignment()
        assignment = Assignment(
            item=chosen.item or item,
            share=chosen.share if chosen.share is not None else share,
            action=chosen.action if chosen.action is not None else action,
        )
        if assignment.item is None and ask is not None:
            asked = ask(inv, direct)
            if asked is not None:
                assignment = Assignment(
                    item=asked.item,
                    share=asked.share if asked.share is not None else assignment.share,
                    action=asked.action if asked.action is not None else assignment.action,
                )
        if assignment.item is None:
            parsed.problems.append(
                RowProblem(
                    row,
                    msg(
                        "which item? give --item, a line in the --mapping file, or --ask (items: {items})",
                        items=", ".join(direct),
                    ),
                )
            )
            continue
        values = expense_values(inv, assignment, report_dir, credit_notes=credits.get(k, ()), lang=lang)
        if Decimal(values["amount"]) < 0:
            parsed.problems.append(
                RowProblem(row, msg("its credit notes exceed invoice {number}", number=inv.number))
            )
            continue
        try:
            expense = Expense.model_validate(values)
        except Exception as exc:  # pydantic's ValidationError: the values as written
            from pydantic import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            parsed.problems.append(
                RowProblem(
                    row,
                    joined(
                        [
                            msg(
                                "{field}: {reason}",
                                field=".".join(map(str, e["loc"])),
                                reason=value_reason(e),
                            )
                            for e in exc.errors(include_url=False)
                        ]
                    ),
                )
            )
            continue
        if expense.item not in pack.items or pack.items[expense.item].kind == "flat_rate":
            parsed.problems.append(
                RowProblem(
                    row,
                    msg(
                        "{item!r} is not a direct cost item ({items})",
                        item=expense.item,
                        items=", ".join(direct),
                    ),
                )
            )
            continue
        where = found_in(inv.supplier, inv.supplier_id, inv.number, inv.issued.year)
        key = (who(inv), document_key(inv.number), inv.issued.year)
        if where is not None or key in seen:
            parsed.problems.append(
                RowProblem(
                    row,
                    msg(
                        "invoice {number} of {supplier} is already at {where}",
                        number=inv.number,
                        supplier=inv.supplier,
                        where=where or invoices[seen[key]].where,
                    ),
                )
            )
            continue
        seen[key] = k
        parsed.expenses.append((row, values))
    for index, change in reduced.items():
        fields: dict[str, Any] = {"amount": f"{change['amount']:.2f}"}
        if change["vat"] is not None:
            fields["vat"] = f"{change['vat']:.2f}"
        old = target.report.expenses[index]
        fields["why"] = joined([msg("was {amount:amount}", amount=old.amount), *change["why"]]).render(lang)
        parsed.reductions.append((change["row"], index, fields))
    if parsed.problems and not skip_invalid:
        return out
    plan_expenses(out.plan, target, msg("imported from e-invoices"), skip_invalid=skip_invalid, lang=lang)
    return out


@dataclass
class InvoiceOutcome:
    """What :func:`import_invoices` did."""

    planned: InvoicePlan
    into: Path
    rows: list[dict[str, Any]]
    written: bool


def import_invoices(
    paths: Iterable[Path],
    into: Path,
    *,
    item: str | None = None,
    share: str | None = None,
    action: str | None = None,
    mapping: Path | None = None,
    ask: Ask | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    lang: str = "en",
) -> InvoiceOutcome:
    """Add FatturaPA e-invoices to a cost report, as ``clustbudget import-invoices`` does:
    the same guarantees as :func:`clustbudget.ledger.import_ledger` (the report's lock from
    the first read to the rename, all-or-nothing, comments kept, atomic write). Raises
    :class:`clustbudget.ledger.ImportRefused` or :class:`clustbudget.pipeline.Refused`."""
    import contextlib

    from .atomic import FileBusy, locked, real_file
    from .exitcodes import ExitCode
    from .i18n import nmsg
    from .i18n.oserrors import os_reason
    from .ledger import ImportRefused
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
            assignments = load_assignments(mapping) if mapping is not None else {}
            invoices = [inv for path in invoice_files(paths) for inv in read_einvoices(path)]
        except EInvoiceError as exc:
            raise ImportRefused(exc.args[0] if exc.args else str(exc), ExitCode.UNREADABLE) from None
        planned = plan_invoices(
            invoices,
            target,
            item=item,
            share=share,
            action=action,
            assignments=assignments,
            ask=ask,
            skip_invalid=skip_invalid,
            lang=lang,
        )
        plan = planned.plan
        if plan.problems and not skip_invalid:
            refused = ImportRefused(
                nmsg(
                    "{n} of {total} e-invoice cannot be imported: nothing written; fix it, or pass --skip-invalid to import the others",
                    "{n} of {total} e-invoices cannot be imported: nothing written; fix them, or pass --skip-invalid to import the others",
                    len(plan.problems),
                    total=len(invoices),
                ),
                ExitCode.FINDINGS,
                plan,
            )
            refused.planned = planned
            raise refused
        rows = [values for _, values in plan.added]
        if not (rows or plan.reduced) or dry_run:
            return InvoiceOutcome(planned, into, rows, written=False)
        try:
            plan.write(into)  # the lock is held since the read
        except OSError as exc:
            raise ImportRefused(
                msg("{into}: cannot write: {reason}", into=str(into), reason=os_reason(exc)),
                ExitCode.UNREADABLE,
            ) from None
        return InvoiceOutcome(planned, into, rows, written=True)
