"""Ledgers as accountants have them: a title above the header, totals rows, Italian header
variants, columns that map to no field, a ``Totale documento`` column."""

import shutil
from datetime import datetime
from decimal import Decimal

import pytest

from clustbudget.ledger import match_columns
from clustbudget.loading import load_file

from .conftest import DATA, EXAMPLE

MESSY = DATA / "ledger" / "ledger-messy.csv"


@pytest.fixture
def project(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.stem / "sal-2.yaml"


def test_title_lines_totals_rows_and_unmapped_columns(cli, project):
    before = len(load_file(project).model.expenses)
    r = cli("import-expenses", MESSY, "--into", project)
    assert r.returncode == 0, r.stderr
    assert "imported 2 expenses" in r.stdout
    info = r.stderr.splitlines()
    assert info == [
        f"{MESSY}:4: info: the header is row 4: 2 rows above it are not read",
        f"{MESSY}:4: info: not imported: Prot., Centro di costo (--keep-unmapped keeps them in the note)",
        f"{MESSY}:7: info: a totals row (its amount is the sum of the rows above): skipped",
        f"{MESSY}:8: info: a totals row (TOTALE): skipped",
    ]
    new = load_file(project).model.expenses[before:]
    # `Nr. fattura`, `Descrizione operazione`, `% imputazione` (100 and 50 are percentages)
    assert [(e.document, e.description, e.amount, e.vat, e.eligible_share, e.note) for e in new] == [
        ("FT 5/2022", "Traduzione brochure in inglese", Decimal("1250.00"), Decimal("275.00"), 1, None),
        ("2022-031", "Hosting sito 2022", Decimal("120.50"), Decimal("26.51"), Decimal("0.5"), None),
    ]


def test_keep_unmapped_puts_the_columns_in_the_note(cli, project):
    r = cli("import-expenses", MESSY, "--into", project, "--keep-unmapped", "--lang", "it")
    assert r.returncode == 0, r.stderr
    assert "conservate nella nota di ogni spesa: Prot., Centro di costo" in r.stderr
    notes = [e.note for e in load_file(project).model.expenses[-2:]]
    assert notes == ["Prot.: 118; Centro di costo: CC-2", "Prot.: 119; Centro di costo: CC-2"]


def test_document_total_is_checked_against_amount_plus_vat(cli, project, tmp_path):
    text = MESSY.read_text().replace("1.525,00", "1.552,00")
    path = tmp_path / "wrong-total.csv"
    path.write_text(text)
    before = project.read_text()
    r = cli("import-expenses", path, "--into", project)
    assert r.returncode == 1
    assert (
        f"{path}:5: column 'Totale documento': 1,552.00 is not amount + VAT "
        "(1,250.00 + 275.00 = 1,525.00): check the amounts" in r.stderr
    )
    assert "1 of 2 row is invalid: nothing written" in r.stderr
    assert project.read_text() == before


def test_header_row_option(cli, project, tmp_path):
    # a header that names too few fields to be found by itself
    path = tmp_path / "short.csv"
    path.write_text(
        "Registro\n"
        "When;Cat;Descrizione;Who;No;Net;Data pagamento\n"
        "01/02/2022;D;Poster;Print Co;9;10,00;10/02/2022\n"
    )
    args = ["--map", "date=When", "--map", "item=Cat", "--map", "supplier=Who"]
    args += ["--map", "document=No", "--map", "amount=Net", "--dry-run"]
    r = cli("import-expenses", path, "--into", project, "--header-row", "2", *args)
    assert r.returncode == 0, r.stderr
    assert "1 expense would be added" in r.stdout
    # the mapping's headers are known headers too: the header is found without --header-row
    assert cli("import-expenses", path, "--into", project, *args).returncode == 0
    # a header row past the end is a one-line error, exit 2
    r = cli("import-expenses", path, "--into", project, "--header-row", "9", *args)
    assert r.returncode == 2 and "--header-row 9: that row is empty or past the end" in r.stderr


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Num. fattura", "document"),
        ("Nr. fattura", "document"),
        ("Fattura n.", "document"),
        ("Fattura nr.", "document"),
        ("N° fattura", "document"),
        ("Descrizione operazione", "description"),
        ("% imputazione", "eligible_share"),
        ("Percentuale di imputazione", "eligible_share"),
        ("Totale documento", "document_total"),
        ("Denominazione fornitore", "supplier"),
        ("P.IVA/C.F.", "supplier_vat"),
    ],
)
def test_italian_header_variants(header, field):
    headers = ["Data", "Voce", "Descrizione", "Fornitore", "Numero documento", "Importo"]
    if field in ("document", "description", "supplier"):
        headers = [h for h in headers if h not in ("Numero documento", "Descrizione", "Fornitore")]
        headers += [{"document": "Descrizione", "description": "N. doc", "supplier": "N. doc"}[field]]
        if field != "supplier":
            headers.append("Fornitore")
        else:
            headers.append("Descrizione")
    mapping, problems = match_columns([*headers, header])
    assert not problems, problems
    assert mapping[field] == len(headers)


def test_xlsx_with_title_and_totals(cli, project, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Registro spese Clust-ER Health"])
    ws.append([])
    ws.append(["Data", "Voce", "Descrizione", "Fornitore", "Fattura n.", "Imponibile", "Data pagamento"])
    ws.append([datetime(2022, 5, 2), "D", "Interpreti", "Lingue Srl", "77", 980.4, datetime(2022, 5, 30)])
    ws.append([datetime(2022, 5, 3), "D", "Sala", "Centro Congressi", "C-12", 1500, datetime(2022, 6, 1)])
    ws.append(["Totale", None, None, None, None, "=SUM(F4:F5)", None])
    path = tmp_path / "registro.xlsx"
    wb.save(path)
    r = cli("import-expenses", path, "--into", project)
    assert r.returncode == 0, r.stderr
    assert f"{path}:3: info: the header is row 3: 1 row above it is not read" in r.stderr
    assert f"{path}:6: info: a totals row (Totale): skipped" in r.stderr
    assert [e.document for e in load_file(project).model.expenses[-2:]] == ["77", "C-12"]
