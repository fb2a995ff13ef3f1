"""The list of supporting documents (elenco dei giustificativi) as a workbook.

Sheets: Documents (Giustificativi: one row per claimed line, totals at the bottom), Payments
(Quietanze: one row per payment, with the document's row number) and Attachments (Allegati:
one row per file, with its name in the package and its SHA-256). The rows are
:func:`clustbudget.elenco.giustificativi`'s; the formulas recompute what compute computed:
total = taxable + VAT, claimed = ``ROUND((taxable + eligible VAT) × share, 2)``, requested =
claimed − not accepted, and the column totals. Not accepted is an input (what the rules
disallowed, which a spreadsheet cannot re-run), as in the rendiconto.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..elenco import Giustificativo, totals
from ..i18n import N_, gettext
from ..money import fmt_eur
from ..pipeline import ProjectResult
from .labels import labels, report_labels
from .layout import PRINT_SCALE, Places, row_height
from .package import Package
from .sheetxml import Cell, Formula
from .styles import ReportStyles
from .workbook import Workbook

SUPPLIER_WIDTH, DESCRIPTION_WIDTH, DOCUMENT_WIDTH = 18, 22, 12

WORDS = {
    "documents": N_("Documents"),
    "payments": N_("Payments"),
    "attachments": N_("Attachments"),
    "title": N_("List of supporting documents — period {period}"),
    "payments_title": N_("Payments (quietanze) of the supporting documents — period {period}"),
    "attachments_title": N_("Files of the supporting documents — period {period}"),
    "n": N_("No."),
    "supplier": N_("Supplier"),
    "supplier_vat": N_("VAT number or tax code"),
    "document": N_("Document number"),
    "date": N_("Document date"),
    "description": N_("Description"),
    "item": N_("Cost item"),
    "action": N_("Action"),
    "invoice_taxable": N_("Invoice taxable amount"),
    "taxable": N_("Taxable amount charged"),
    "vat": N_("VAT"),
    "total": N_("Total (taxable + VAT)"),
    "vat_eligible": N_("Eligible VAT"),
    "share": N_("Eligible share"),
    "eligible": N_("Amount claimed"),
    "not_accepted": N_("Not accepted (checks)"),
    "requested": N_("Amount requested"),
    "payments_n": N_("Payments"),
    "files_n": N_("Files"),
    "totals": N_("Total"),
    "payment_date": N_("Payment date"),
    "payment_amount": N_("Amount paid"),
    "payment_method": N_("Payment method"),
    "payment_ref": N_("Reference (CRO/TRN)"),
    "in_full": N_("in full"),
    "kind": N_("Kind"),
    "file": N_("File in the package"),
    "original": N_("File as named in the report"),
    "sha256": N_("SHA-256"),
    "none": N_("No supporting documents in this period."),
    "no_payments": N_("No payments recorded."),
    "no_files": N_("No files named in the report."),
    "vat_flag": N_("VAT recoverable by the project (1 = yes: VAT is not eligible)"),
    "kind_invoice": N_("invoice"),
    "kind_payment": N_("payment"),
    "kind_other": N_("other"),
}


def build(
    project: ProjectResult,
    rows: Sequence[Giustificativo],
    *,
    period: int = -1,
    lang: str = "it",
    generated: datetime | None = None,
) -> Package:
    """Lay out the list ``rows`` of period ``period`` (an index into ``project.computed``)."""
    return _Elenco(project, period, rows, lang, generated or datetime.now().astimezone()).package()


def write(
    project: ProjectResult,
    rows: Sequence[Giustificativo],
    target: Path,
    *,
    period: int = -1,
    lang: str = "it",
    force: bool = False,
) -> Path:
    """Write the list's workbook to ``target`` atomically (an existing file only with ``force``)."""
    from . import _refuse_existing, _write

    target = Path(target)
    _refuse_existing(target, force)
    return _write(build(project, rows, period=period, lang=lang), target, force)


class _Elenco(Workbook[ReportStyles]):
    def __init__(
        self,
        project: ProjectResult,
        period: int,
        rows: Sequence[Giustificativo],
        lang: str,
        generated: datetime,
    ) -> None:
        b = project.budget
        assert b.budget is not None and b.pack is not None
        self.project = project
        self.result = project.computed[period]
        assert self.result.report is not None
        self.report = self.result.report
        self.docs = list(rows)
        self.totals = totals(self.docs)
        self.w = {key: gettext(text, lang) for key, text in WORDS.items()}
        t, rt = labels(lang), report_labels(lang)
        self.rt = rt
        date_format = "dd/mm/yyyy" if lang == "it" else "yyyy-mm-dd"
        self.period_id = self.report.period.id
        super().__init__(
            t=t,
            pack=b.pack,
            pack_display=b.pack_display,
            sheet_names=[self.w["documents"], self.w["payments"], self.w["attachments"]],
            styles=lambda sheet: ReportStyles(sheet, date_format=date_format, flag_format=rt.flag_format),
            places=Places(b.loaded.path, [(b.loaded.display, b.loaded.path)]),
            page_title=f"{b.budget.project.title} — {self.period_id}",
            generated=generated,
        )
        self.vat_recoverable = b.budget.project.vat_recoverable

    def package(self) -> Package:
        self._documents()
        self._payments()
        self._attachments()
        b = self.project.budget
        assert b.budget is not None
        self.properties(
            title=self.w["title"].format(period=self.period_id),
            subject=b.budget.project.title,
            description=self.w["title"].format(period=self.period_id),
            keywords=f"clustbudget; {self.period_id}",
        )
        return self.finish()

    def _documents(self) -> None:
        w, s = self.w, self.s
        name = w["documents"]
        rows = self.rows[name]
        rows.append([(w["title"].format(period=self.period_id), s.title)])
        rows.append([(1 if self.vat_recoverable else 0, s.flag_input), (w["vat_flag"], s.label)])
        rows.append([])
        largest = max(self.totals.invoice_taxable, self.totals.total)
        money = float(max(12, len(fmt_eur(largest, "it")) + 1))
        columns: list[tuple[str, bool, tuple[float, float]]] = [
            (w["n"], False, (4, 4)),  # A
            (w["supplier"], False, (SUPPLIER_WIDTH, SUPPLIER_WIDTH)),  # B
            (w["supplier_vat"], False, (13, 16)),  # C
            (w["document"], False, (DOCUMENT_WIDTH, DOCUMENT_WIDTH)),  # D
            (w["date"], False, (10, 10)),  # E
            (w["description"], False, (DESCRIPTION_WIDTH, DESCRIPTION_WIDTH)),  # F
            (w["item"], False, (5, 6)),  # G
            (w["action"], False, (6, 10)),  # H
            (w["invoice_taxable"], True, (money, money)),  # I
            (w["taxable"], True, (money, money)),  # J
            (w["vat"], True, (money, money)),  # K
            (w["total"], True, (money, money)),  # L
            (w["vat_eligible"], True, (money, money)),  # M
            (w["share"], True, (8, 8)),  # N
            (w["eligible"], True, (money, money)),  # O
            (w["not_accepted"], True, (money, money)),  # P
            (w["requested"], True, (money, money)),  # Q
            (w["payments_n"], True, (9, 9)),  # R
            (w["files_n"], True, (7, 7)),  # S
        ]
        header = self.header_row(rows, [(text, right) for text, right, _ in columns], height=45)
        first, last = header + 1, header + len(self.docs)
        for g in self.docs:
            r = rows.next
            rows.append(
                [
                    (g.number, s.integer),
                    (g.supplier, s.text_input_wrap),
                    (g.supplier_vat, s.text_input),
                    (g.document, s.text_input_wrap),
                    (g.date, s.date_input),
                    (g.description, s.text_input_wrap),
                    (g.item, s.text_input),
                    (", ".join(g.action) or None, s.text_input),
                    (g.invoice_taxable, s.money_input),
                    (g.taxable, s.money_input),
                    (g.vat, s.money_input),
                    (Formula(f"J{r}+K{r}", g.total), s.money),
                    (Formula(f"IF($A$2,0,K{r})", g.vat_eligible), s.money),
                    (g.share, s.rate_input),
                    (Formula(f"ROUND((J{r}+M{r})*N{r},2)", g.eligible), s.money),
                    (g.not_accepted, s.money_input),
                    (Formula(f"O{r}-P{r}", g.requested), s.money),
                    (len(g.payments), s.integer),
                    (len(g.attachments), s.integer),
                ],
                height=row_height(
                    [
                        (g.supplier, SUPPLIER_WIDTH),
                        (g.description, DESCRIPTION_WIDTH),
                        (g.document, DOCUMENT_WIDTH),
                    ]
                ),
            )
        if self.docs:
            sums = {
                "I": self.totals.invoice_taxable,
                "J": self.totals.taxable,
                "K": self.totals.vat,
                "L": self.totals.total,
                "M": self.totals.vat_eligible,
                "O": self.totals.eligible,
                "P": self.totals.not_accepted,
                "Q": self.totals.requested,
            }
            rows.append([])
            cells: list[Cell] = [(None, s.total_label)] * 6  # C–H
            for letter in "IJKLMNOPQ":
                value = sums.get(letter)
                cells.append(
                    (
                        Formula(f"ROUND(SUM({letter}{first}:{letter}{last}),2)", value)
                        if value is not None
                        else None,
                        s.money_total,
                    )
                )
            self.total_row(rows, w["totals"], cells)
            self.sheets[name].auto_filter.ref = f"A{header}:S{last}"
        else:
            rows.append([(None, s.text), (w["none"], s.note)])
        self.frame(
            name,
            widths={i: bounds for i, (_, _, bounds) in enumerate(columns, 1)},
            freeze=f"C{header + 1}",
            title_rows=f"{header}:{header}",
            landscape=True,
            allow_filter=True,
            print_scale=PRINT_SCALE,
            title_cols="A:B",
            breaks_after=[12],  # after the total (L): the claim on the next page
        )

    def _payments(self) -> None:
        w, s = self.w, self.s
        name = w["payments"]
        rows = self.rows[name]
        rows.append([(w["payments_title"].format(period=self.period_id), s.title)])
        rows.append([])
        columns: list[tuple[str, bool, tuple[float, float]]] = [
            (w["n"], False, (4, 4)),
            (w["supplier"], False, (SUPPLIER_WIDTH, SUPPLIER_WIDTH)),
            (w["document"], False, (DOCUMENT_WIDTH, DOCUMENT_WIDTH)),
            (w["payment_date"], False, (11, 11)),
            (w["payment_amount"], True, (14, 14)),
            (w["payment_method"], False, (14, 20)),
            (w["payment_ref"], False, (18, 30)),
        ]
        header = self.header_row(rows, [(text, right) for text, right, _ in columns], height=30)
        methods = self.rt.payment_methods
        count = 0
        for g in self.docs:
            for p in g.payments:
                count += 1
                rows.append(
                    [
                        (g.number, s.integer),
                        (g.supplier, s.text_input_wrap),
                        (g.document, s.text_input_wrap),
                        (p.date, s.date_input),
                        (p.amount, s.money_input) if p.amount is not None else (w["in_full"], s.text_input),
                        (methods.get(p.method, p.method) if p.method else None, s.text_input),
                        (p.reference, s.text_input_wrap),
                    ],
                    height=row_height([(g.supplier, SUPPLIER_WIDTH), (g.document, DOCUMENT_WIDTH)]),
                )
        if count:
            first, last = header + 1, header + count
            rows.append([])
            cells: list[Cell] = [(None, s.total_label)] * 2
            cells.append((Formula(f"ROUND(SUM(E{first}:E{last}),2)", self.totals.paid), s.money_total))
            self.total_row(rows, w["totals"], cells)
        else:
            rows.append([(None, s.text), (w["no_payments"], s.note)])
        self.frame(
            name,
            widths={i: bounds for i, (_, _, bounds) in enumerate(columns, 1)},
            freeze=f"A{header + 1}",
            title_rows=f"{header}:{header}",
            landscape=True,
        )

    def _attachments(self) -> None:
        w, s = self.w, self.s
        name = w["attachments"]
        rows = self.rows[name]
        rows.append([(w["attachments_title"].format(period=self.period_id), s.title)])
        rows.append([])
        columns: list[tuple[str, bool, tuple[float, float]]] = [
            (w["n"], False, (4, 4)),
            (w["document"], False, (DOCUMENT_WIDTH, DOCUMENT_WIDTH)),
            (w["kind"], False, (9, 12)),
            (w["file"], False, (24, 40)),
            (w["original"], False, (20, 36)),
            (w["sha256"], False, (66, 66)),
        ]
        header = self.header_row(rows, [(text, right) for text, right, _ in columns], height=30)
        count = 0
        for g in self.docs:
            for a in g.attachments:
                count += 1
                kind = w.get(f"kind_{a.kind}") if a.kind else None
                rows.append(
                    [
                        (g.number, s.integer),
                        (g.document, s.text_input_wrap),
                        (kind, s.text_input),
                        (a.name, s.text_input),
                        (a.file, s.text_input),
                        (a.sha256, s.text_input),
                    ]
                )
        if not count:
            rows.append([(None, s.text), (w["no_files"], s.note)])
        self.frame(
            name,
            widths={i: bounds for i, (_, _, bounds) in enumerate(columns, 1)},
            freeze=f"A{header + 1}",
            title_rows=f"{header}:{header}",
            landscape=True,
        )
