"""The list of supporting documents (elenco dei giustificativi) of one period, as the Region's
platform records them.

One :class:`Giustificativo` per claimed line of the period's report — a whole invoice, or the
part of one charged to an item in this period — with its payments (quietanze) and its files.
The fields mirror Sfinge 2020's ``GiustificativoPagamento`` and ``QuietanzaGiustificativo``
(the CSV's column names are theirs: ``denominazione_fornitore``, ``codice_fiscale_fornitore``,
``numero_giustificativo``, ``data_giustificativo``, ``importo_imponibile_giustificativo``,
``importo_iva_giustificativo``, ``importo_richiesto``; ``data_quietanza``, ``numero``,
``importo``, ``tipologia_quietanza``), so the list can be typed (or loaded) into the platform
field by field.

Every figure is :mod:`clustbudget.compute`'s (the line's eligible amount, what the rules did
not accept); this module only arranges them. The workbook is :mod:`clustbudget.xlsx.elenco`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from .atomic import write_text_atomic
from .attachments import located, sha256_of
from .compute import line_figures, payments_of
from .invoices import whole_amount
from .money import ZERO
from .pipeline import ProjectResult, ReportResult
from .records import dataclass


@dataclass(frozen=True)
class Quietanza:
    """One payment of a supporting document: ``amount`` None when the report gives one payment
    date for the whole invoice (``paid:``), which pays it in full."""

    date: date
    amount: Decimal | None
    method: str | None
    reference: str | None


@dataclass(frozen=True)
class Allegato:
    """One file of a supporting document: as the report names it, where it is, its SHA-256 and
    the stable name it has in the claim package."""

    file: str
    kind: str | None
    path: Path
    sha256: str
    name: str


@dataclass(frozen=True)
class Giustificativo:
    """One claimed line: the document (supplier, number, date, amounts), the item it is charged
    to, what is requested, its payments and files."""

    number: int
    """The row's number in the list (1, 2, …), which the payments and files refer to."""
    index: int
    """The expense's index in the report (0-based)."""
    supplier: str
    supplier_vat: str | None
    document: str
    date: date
    description: str
    item: str
    action: tuple[str, ...]
    invoice_taxable: Decimal
    """The whole invoice's taxable amount (``invoice_amount``, else the line's amount)."""
    taxable: Decimal
    """The taxable amount charged on this line."""
    vat: Decimal
    vat_eligible: Decimal
    share: Decimal
    eligible: Decimal
    """What the line claims: ``round((taxable + eligible VAT) × share)``."""
    not_accepted: Decimal
    requested: Decimal
    """What is requested: the eligible amount less what the rules do not accept."""
    approved: Decimal | None
    payments: tuple[Quietanza, ...]
    attachments: tuple[Allegato, ...]

    @property
    def total(self) -> Decimal:
        """Taxable amount charged plus its VAT."""
        return self.taxable + self.vat


def giustificativi(project: ProjectResult, period: int = -1) -> list[Giustificativo]:
    """The list of period ``period`` (an index into ``project.computed``; -1 the latest): one
    row per claimed line, in the report's order. Attachments are hashed here (their files must
    exist: the pipeline's CB240 says where one is missing)."""
    result = project.computed[period]
    return rows_of(project, result)


def rows_of(project: ProjectResult, result: ReportResult) -> list[Giustificativo]:
    """The list's rows of one report of ``project``."""
    report, costs = result.report, result.costs
    assert report is not None and costs is not None
    lines = line_figures(costs, result.disallowed)
    folder = result.loaded.path.parent
    out: list[Giustificativo] = []
    for exp, cost in zip(report.expenses, costs.expenses, strict=True):
        if not exp.claimed:
            continue
        number = len(out) + 1
        parts = project.parts_of(result, cost.index)
        invoice_taxable = whole_amount([p.expense for p in parts]) if parts else whole_amount([exp])
        line = lines[("expense", cost.index)]
        files = []
        for j, att in enumerate(exp.attachments, 1):
            path = located(att, folder)
            files.append(
                Allegato(
                    att.file,
                    att.kind,
                    path,
                    sha256_of(path),
                    package_name(report.period.id, number, j, att.file),
                )
            )
        out.append(
            Giustificativo(
                number=number,
                index=cost.index,
                supplier=exp.supplier,
                supplier_vat=exp.supplier_vat,
                document=exp.document,
                date=exp.date,
                description=exp.description,
                item=exp.item,
                action=tuple(exp.action),
                invoice_taxable=invoice_taxable,
                taxable=exp.amount,
                vat=exp.vat or ZERO,
                vat_eligible=cost.vat_eligible,
                share=cost.share,
                eligible=cost.eligible,
                not_accepted=line.not_accepted,
                requested=line.accepted,
                approved=result.approved.get(("expense", cost.index)),
                payments=tuple(Quietanza(p.date, p.amount, p.method, p.reference) for p in payments_of(exp)),
                attachments=tuple(files),
            )
        )
    return out


@dataclass(frozen=True)
class Totals:
    """The list's column totals (the workbook's total rows cache them)."""

    invoice_taxable: Decimal
    taxable: Decimal
    vat: Decimal
    total: Decimal
    vat_eligible: Decimal
    eligible: Decimal
    not_accepted: Decimal
    requested: Decimal
    paid: Decimal
    """The payments with an amount (a one-payment ``paid:`` date has none)."""


def totals(rows: Sequence[Giustificativo]) -> Totals:
    """The column totals of ``rows``; ``requested`` equals the period's accepted expenses."""

    def total(values: object) -> Decimal:
        return sum(values, ZERO)  # type: ignore[call-overload, no-any-return]

    return Totals(
        invoice_taxable=total(g.invoice_taxable for g in rows),
        taxable=total(g.taxable for g in rows),
        vat=total(g.vat for g in rows),
        total=total(g.total for g in rows),
        vat_eligible=total(g.vat_eligible for g in rows),
        eligible=total(g.eligible for g in rows),
        not_accepted=total(g.not_accepted for g in rows),
        requested=total(g.requested for g in rows),
        paid=total(p.amount for g in rows for p in g.payments if p.amount is not None),
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def package_name(period_id: str, number: int, j: int, file: str) -> str:
    """The stable name of a document's ``j``-th file in the claim package:
    ``allegati/SAL-2/003-2-ft-77-2023.pdf`` (the row's number, the file's place, its own name
    in plain ASCII), so two files named alike never collide and a re-run gives the same names."""
    base = unicodedata.normalize("NFKD", Path(file).name).encode("ascii", "ignore").decode()
    base = _UNSAFE.sub("-", base).strip("-.") or "file"
    period = _UNSAFE.sub("-", period_id).strip("-.") or "period"
    return f"allegati/{period}/{number:03d}-{j}-{base}"


# ----------------------------------------------------------------------------- CSV

CSV_FIELDS = (
    "n",
    "denominazione_fornitore",
    "codice_fiscale_fornitore",
    "numero_giustificativo",
    "data_giustificativo",
    "descrizione_giustificativo",
    "voce_piano_costo",
    "azione",
    "importo_imponibile_giustificativo",
    "importo_imputato",
    "importo_iva_giustificativo",
    "importo_totale",
    "iva_ammissibile",
    "quota_ammissibile",
    "importo_rendicontato",
    "importo_non_ammesso",
    "importo_richiesto",
    "importo_approvato",
    "quietanze",
    "allegati",
)
"""The CSV's columns: Sfinge 2020's field names where the platform has the field."""


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def csv_text(rows: Sequence[Giustificativo]) -> str:
    """The list as CSV (UTF-8, ``,``-separated, amounts ``1234.50``, dates ``YYYY-MM-DD``): one
    row per document; its payments as ``date amount method reference`` and its files as
    ``package-name sha256``, several joined by `` | ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for g in rows:
        payments = " | ".join(
            " ".join(
                part
                for part in (p.date.isoformat(), _money(p.amount), p.method or "", p.reference or "")
                if part
            )
            for p in g.payments
        )
        files = " | ".join(f"{a.name} {a.sha256}" for a in g.attachments)
        writer.writerow(
            [
                g.number,
                _cell(g.supplier),
                _cell(g.supplier_vat or ""),
                _cell(g.document),
                g.date.isoformat(),
                _cell(g.description),
                g.item,
                ", ".join(g.action),
                _money(g.invoice_taxable),
                _money(g.taxable),
                _money(g.vat),
                _money(g.total),
                _money(g.vat_eligible),
                f"{g.share:f}",
                _money(g.eligible),
                _money(g.not_accepted),
                _money(g.requested),
                _money(g.approved),
                _cell(payments),
                files,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets a leading
    apostrophe when the CSV is opened: the CSV is data, never code."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_csv(rows: Sequence[Giustificativo], target: Path, *, overwrite: bool = False) -> Path:
    """Write :func:`csv_text` to ``target`` atomically (with a BOM, so spreadsheets read UTF-8)."""
    return write_text_atomic(Path(target), "\ufeff" + csv_text(rows), overwrite=overwrite)
