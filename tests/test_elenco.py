"""The list of supporting documents (elenco giustificativi, issue 10) of the example's SAL-2:
one row per claimed line with the platform's fields, its payments and files, figures by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from clustbudget.elenco import csv_text, giustificativi, package_name, totals
from clustbudget.pipeline import load_project
from clustbudget.xlsx.elenco import write

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "budgets" / "clust-er-health-2020-2022.yaml"
D = Decimal


def test_one_row_per_claimed_line_with_its_payments_and_files():
    project = load_project(EXAMPLE)
    rows = giustificativi(project)  # SAL-2, the latest
    assert [(g.number, g.document) for g in rows] == [
        (1, "2021-MD-77810"),
        (2, "12/2022"),
        (3, "FT 88"),
        (4, "FT 2021/015"),
    ]
    # the expense kept on record (claimed: false) is not a supporting document of the claim
    assert all(g.index != 4 for g in rows)
    medica, video, print_run, site = rows
    assert [(p.amount, p.reference) for p in medica.payments] == [
        (D("2100.00"), "TRN 2021112000418"),
        (D("2100.00"), "TRN 2021121000977"),
    ]
    assert video.total == D("3660.00") and video.vat_eligible == 0 and video.requested == D("3000.00")
    assert [a.kind for a in video.attachments] == ["invoice", "payment"]
    assert video.payments[0].amount is None  # paid: one date, the invoice in full
    assert print_run.eligible == D("600.00")  # 1,200.00 × 0.5
    # the second part of an invoice in parts: 1,500.00 charged of its 2,500.00
    assert (site.invoice_taxable, site.taxable) == (D("2500.00"), D("1500.00"))
    t = totals(rows)
    assert (t.taxable, t.vat, t.total, t.requested, t.paid) == (
        D("9900.00"),
        D("1254.00"),
        D("11154.00"),
        D("9300.00"),
        D("4200.00"),
    )
    assert t.requested == project.computed[-1].figures.items["D"]


def test_package_names_are_stable_and_plain():
    assert (
        package_name("SAL 2", 3, 1, "fatture/Fattura n° 77 è.pdf")
        == "allegati/SAL-2/003-1-Fattura-n-77-e.pdf"
    )
    assert package_name("SAL-2", 12, 2, "../../x/") == "allegati/SAL-2/012-2-x"


def test_csv_text_that_looks_like_a_formula_stays_text(tmp_path):
    project = load_project(EXAMPLE)
    rows = giustificativi(project)
    from dataclasses import replace

    text = csv_text([replace(rows[0], supplier="=HYPERLINK(1)")])
    assert "'=HYPERLINK(1)" in text


def test_the_workbook_has_the_documents_their_payments_and_files(tmp_path):
    project = load_project(EXAMPLE)
    rows = giustificativi(project)
    path = write(project, rows, tmp_path / "elenco.xlsx", lang="en")
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames == ["Documents", "Payments", "Attachments"]
    docs = [r for r in wb["Documents"].iter_rows(values_only=True) if isinstance(r[0], int) and r[3]]
    assert [r[3] for r in docs] == ["2021-MD-77810", "12/2022", "FT 88", "FT 2021/015"]
    total = next(r for r in wb["Documents"].iter_rows(values_only=True) if r[1] == "Total")
    assert total[16] == 9300  # Amount requested (cached: compute's)
    payments = [r for r in wb["Payments"].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[0], r[4]) for r in payments] == [
        (1, 2100),
        (1, 2100),
        (2, "in full"),
        (3, "in full"),
        (4, "in full"),
    ]
    files = [r for r in wb["Attachments"].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[0], r[2], r[3]) for r in files] == [
        (2, "invoice", "allegati/SAL-2/002-1-ft-12-2022-officina-video.pdf"),
        (2, "payment", "allegati/SAL-2/002-2-bonifico-2022-04-15-officina-video.pdf"),
    ]
    assert all(len(r[5]) == 64 for r in files)
