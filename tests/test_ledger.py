"""Ledger import: CSV and xlsx with Italian headers into a report; bad rows refuse the import."""

import shutil
from datetime import date, datetime
from decimal import Decimal

import pytest

from clustbudget.ledger import insert_expenses, match_columns, normalise
from clustbudget.loading import load_file

from .conftest import DATA, EXAMPLE

LEDGERS = DATA / "ledger"


@pytest.fixture
def project(tmp_path):
    """A copy of the example project, so that imports write into a throwaway report."""
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.stem / "sal-2.yaml"


def test_csv_with_italian_headers_and_numbers(cli, project):
    before = project.read_text()
    r = cli("import-expenses", LEDGERS / "ledger-it.csv", "--into", project)
    assert r.returncode == 0, r.stderr
    assert "imported 2 expenses" in r.stdout
    after = project.read_text()
    assert after.startswith(before.split("expenses:")[0])  # the top of the file, comments included, is kept
    assert "# reverse charge: no Italian VAT on the invoice" in after
    report = load_file(project).model
    new = report.expenses[-2:]
    assert [(e.date, e.amount, e.vat, e.paid, e.payment) for e in new] == [
        (date(2022, 1, 15), Decimal("1250.00"), Decimal("275.00"), date(2022, 2, 10), "bank_transfer"),
        (date(2022, 3, 20), Decimal("120.50"), Decimal("26.51"), date(2022, 3, 20), "card"),
    ]
    assert new[0].supplier_vat == "IT 11122233344" and new[1].supplier_vat is None
    # the project still validates, with the new invoices in SAL-2
    assert cli("validate", project.parent.parent).returncode == 0
    # importing the same ledger twice is refused: the invoices are already in the report
    again = cli("import-expenses", LEDGERS / "ledger-it.csv", "--into", project)
    assert again.returncode == 1 and "already in the report" in again.stderr
    assert project.read_text() == after


def test_bad_rows_refuse_the_whole_import(cli, project):
    before = project.read_text()
    r = cli("import-expenses", LEDGERS / "ledger-bad.csv", "--into", project)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0].endswith(
        "ledger-bad.csv:3: column 'Data': 2022-01-32 is not a date in the calendar (the cell reads '32/01/2022')"
    )
    assert ":4: column 'Voce': 'Z' is not a direct cost item" in lines[1]
    assert ":5: column 'Modalità di pagamento': 'contanti' (cash) is not a traceable payment" in lines[2]
    assert ":6: column 'Importo': negative amount" in lines[3]
    assert "4 of 5 rows are invalid: nothing written" in lines[4]
    assert project.read_text() == before


def test_skip_invalid_imports_the_rest_and_lists_the_others(cli, project):
    r = cli("import-expenses", LEDGERS / "ledger-bad.csv", "--into", project, "--skip-invalid")
    assert r.returncode == 0
    assert r.stderr.count("skipped: ") == 4
    assert "imported 1 expense " in r.stdout and "4 rows left out" in r.stdout
    assert load_file(project).model.expenses[-1].description == "Ok row"


def test_xlsx_ledger(cli, project, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Registro spese Clust-ER"])  # a title row above the header is not a header
    ws.delete_rows(1)
    ws.append(
        [
            "Data fattura",
            "Voce di costo",
            "Descrizione",
            "Ragione sociale",
            "N. fattura",
            "Imponibile",
            "IVA",
            "Data pagamento",
            "Metodo di pagamento",
            "Azione",
        ]
    )
    ws.append(
        [
            datetime(2022, 5, 2),
            "D",
            "Interpreti workshop",
            "Lingue Srl",
            77,
            980.4,
            215.69,
            datetime(2022, 5, 30),
            "bonifico",
            2,
        ]
    )
    ws.append(
        [
            datetime(2022, 5, 3),
            "D",
            "Sala conferenze",
            "Centro Congressi Esempio",
            "C-12",
            1500,
            None,
            datetime(2022, 6, 1),
            "PagoPA",
            "1, 2",
        ]
    )
    path = tmp_path / "registro.xlsx"
    wb.save(path)
    r = cli("import-expenses", path, "--into", project)
    assert r.returncode == 0, r.stderr
    new = load_file(project).model.expenses[-2:]
    assert [(e.document, e.amount, e.vat, e.payment, e.action) for e in new] == [
        ("77", Decimal("980.4"), Decimal("215.69"), "bank_transfer", ("2",)),
        ("C-12", Decimal("1500"), None, "pagopa", ("1", "2")),
    ]


def test_explicit_mapping_and_unmatched_columns(cli, project, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "When,Cat,What,Who,No,Net,Settled,How\n2022-02-01,D,Poster,Print Co,9,10.00,2022-02-10,wire\n"
    )
    r = cli("import-expenses", path, "--into", project)
    assert (
        r.returncode == 1 and "no column for date, item, description, supplier, document, amount" in r.stderr
    )
    r = cli(
        "import-expenses",
        path,
        "--into",
        project,
        "--map",
        "date=When",
        "--map",
        "item=Cat",
        "--map",
        "description=What",
        "--map",
        "supplier=Who",
        "--map",
        "document=No",
        "--map",
        "amount=Net",
        "--map",
        "paid=Settled",
        "--map",
        "payment=How",
    )
    assert r.returncode == 0, r.stderr


def test_missing_ledger_exits_2(cli, project):
    r = cli("import-expenses", "nope.csv", "--into", project)
    assert r.returncode == 2 and "no such file" in r.stderr


def test_header_matching_ignores_case_accents_and_punctuation():
    assert normalise("Modalità  di Pagamento") == "modalita di pagamento"
    mapping, problems = match_columns(
        ["DATA", "Voce", "Descrizione", "Fornitore", "N. documento", "Importo €"]
    )
    assert problems == [] and mapping["document"] == 4 and mapping["amount"] == 5


@pytest.mark.parametrize(
    "text",
    [
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P, start: 2021-01-01, end: 2021-12-31}\n",
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P, start: 2021-01-01, end: 2021-12-31}\nexpenses: []\nstaff: []\n",
        "clustbudget: 1\nbudget: b.yaml\nexpenses:\nperiod: {id: P, start: 2021-01-01, end: 2021-12-31}\n",
        "clustbudget: 1\nbudget: b.yaml\nexpenses:\n- {date: 2021-01-01, item: D, description: a, supplier: s, document: '0',"
        " amount: 1}\n# trailing comment\nperiod: {id: P, start: 2021-01-01, end: 2021-12-31}\n",
    ],
)
def test_insert_into_every_shape_of_expenses(tmp_path, text):
    from clustbudget.ledger import check_result

    new = {
        "date": "2021-02-01",
        "item": "D",
        "description": 'He said "yes"',
        "supplier": "NO",
        "document": "0700",
        "amount": "5.00",
    }
    out = insert_expenses(text, [new], "imported")
    report = check_result(out, tmp_path / "r.yaml")
    last = report.expenses[-1]
    assert (last.description, last.supplier, last.document) == ('He said "yes"', "NO", "0700")
    assert report.period.id == "P"


def test_comments_stay_with_their_section():
    text = (
        "clustbudget: 1\nbudget: b.yaml\nexpenses: []   # to be filled from the ledger\n"
        "period: {id: P, start: 2021-01-01, end: 2021-12-31}\n"
    )
    new = {
        "date": "2021-02-01",
        "item": "D",
        "description": "x",
        "supplier": "s",
        "document": "1",
        "amount": "5",
    }
    out = insert_expenses(text, [new], "imported")
    assert "expenses:   # to be filled from the ledger\n  # imported\n  - date: 2021-02-01\n" in out
    assert "  amount: 5.00\nperiod:" in out
    text = (
        "expenses:\n  - {date: 2021-01-01, item: D, description: a, supplier: s, document: '0', amount: 1}\n"
        "\n# staff follows\nstaff: []\n"
    )
    out = insert_expenses(text, [new], "imported")
    assert out.index("# imported") < out.index("# staff follows")


def test_crlf_and_bom_reports_are_kept(cli, project):
    raw = project.read_bytes().replace(b"\n", b"\r\n")
    project.write_bytes(b"\xef\xbb\xbf" + raw)
    r = cli("import-expenses", LEDGERS / "ledger-it.csv", "--into", project)
    assert r.returncode == 0, r.stderr
    out = project.read_bytes()
    assert out.startswith(b"\xef\xbb\xbf") and b"\n" not in out.replace(b"\r\n", b"")
    assert len(load_file(project).model.expenses) == 7  # the 5 of SAL-2 and the 2 imported


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # a `;` file with decimal points (the delimiter says nothing about the decimal mark)
        (["1250.00", "12.50 €", "980.4"], ["1250.00", "12.50", "980.4"]),
        # Italian numbers, thousands with points
        (["1.250,00", "120,5", "1.250"], ["1250.00", "120.5", "1250"]),
        # English numbers, thousands with commas
        (["1,000.50", "200.25", "1,500"], ["1000.50", "200.25", "1500"]),
        # nothing tells: an ambiguous cell is left for the model to refuse
        (["1.250", "7"], ["1.250", "7"]),
    ],
)
def test_numbers_follow_the_columns_decimal_mark(tmp_path, cells, expected):
    from clustbudget.ledger import decimal_mark, number_text, read_ledger

    path = tmp_path / "l.csv"
    path.write_text("Importo;Note\n" + "".join(f"{c};x\n" for c in cells))
    ledger = read_ledger(path)
    mark = decimal_mark(ledger, [0])
    assert [number_text(c, mark) for c in cells] == expected


def test_shares_in_percent_and_payment_words():
    from clustbudget.ledger import number_text
    from clustbudget.payments import payment_method_of

    assert number_text("50%", None) == "0.5" and number_text("33,3%", True) == "0.333"
    assert [
        payment_method_of(w) for w in ("Bonifico SEPA", "Carta aziendale", "RiBa", "Contanti", "boh")
    ] == ["bank_transfer", "card", "other_traceable", "cash", None]


def test_rows_that_break_the_reports_rules_are_refused(cli, project, tmp_path):
    """A row valid as an expense but not in its report: paid after the period (CB209), dated
    after it (CB208), or already claimed in SAL-1 (CB304)."""
    path = tmp_path / "late.csv"
    path.write_text(
        "Data;Voce;Descrizione;Fornitore;Partita IVA;Numero documento;Importo;Data pagamento;Pagamento\n"
        "01/03/2022;D;Ok;Fornitore A;;10;100,00;10/03/2022;bonifico\n"
        "01/03/2022;D;Paid late;Fornitore B;;11;100,00;28/02/2023;bonifico\n"
        "01/12/2022;D;After the period;Fornitore C;;12;100,00;02/12/2022;bonifico\n"
        "20/05/2021;D;Again;LinkedIn Ireland Unlimited Company;;INV-8841203;800,00;20/05/2021;carta\n"
    )
    before = project.read_text()
    r = cli("import-expenses", path, "--into", project)
    assert r.returncode == 1
    assert ":3: CB209 invoice 11 paid 2023-02-28, after the end of period SAL-2" in r.stderr
    assert ":4: CB208 invoice 12 dated 2022-12-01" in r.stderr
    assert ":5: CB304 invoice INV-8841203" in r.stderr and "already claimed in SAL-1" in r.stderr
    assert project.read_text() == before
    r = cli("import-expenses", path, "--into", project, "--skip-invalid")
    assert r.returncode == 0 and "imported 1 expense " in r.stdout and "3 rows left out" in r.stdout
    assert load_file(project).model.expenses[-1].description == "Ok"
    assert cli("validate", project.parent.parent).returncode == 0


def test_unknown_map_field_is_a_command_line_error(cli, project):
    r = cli("import-expenses", LEDGERS / "ledger-it.csv", "--into", project, "--map", "importo=Importo")
    assert r.returncode == 2 and "'importo' is not an expense field" in r.stderr


def test_errors_elsewhere_in_the_report_are_not_blamed_on_imported_rows(cli, tmp_path):
    """The report already has an error after its expenses (hours outside the period): a valid
    ledger row is still imported."""
    shutil.copy(EXAMPLE, tmp_path / "b.yaml")
    report = tmp_path / "r.yaml"
    report.write_text(
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P, start: 2021-10-01, end: 2022-09-20}\n"
        "expenses:\n  - {date: 2021-11-15, item: D, description: a, supplier: s, document: '1', amount: 10.00,\n"
        "     paid: 2021-11-20, payment: card}\n"
        "staff:\n  - {id: cluster-manager, name: CM, item: A, annual_gross_cost: 65000.00, cost_year: 2019,\n"
        "     hours: {2020-01: 10}}\n"
    )
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;Data pagamento;Pagamento\n"
        "01/03/2022;D;Ok;Fornitore A;10;100,00;10/03/2022;bonifico\n"
    )
    r = cli("import-expenses", ledger, "--into", report)
    assert r.returncode == 0, r.stderr
    assert "imported 1 expense " in r.stdout


@pytest.mark.parametrize("shape", ["lf", "crlf-bom"])
def test_the_checked_text_is_written_as_rendering_it_again_would(project, tmp_path, monkeypatch, shape):
    """The new text the report's rules read is kept and written as it is (a small one), or
    rendered again as it is written (one past ``KEEP_CHECKED``): the same bytes either way,
    line endings and BOM included."""
    from clustbudget import ledger

    (tmp_path / "again").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "again" / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / "again" / EXAMPLE.stem)
    again = tmp_path / "again" / EXAMPLE.stem / project.name
    for report in (project, again):
        if shape == "crlf-bom":
            report.write_bytes(b"\xef\xbb\xbf" + report.read_bytes().replace(b"\n", b"\r\n"))
    written = ledger.import_ledger(LEDGERS / "ledger-it.csv", project)
    assert written.written and written.plan.checked is not None
    monkeypatch.setattr(ledger, "KEEP_CHECKED", 0)
    rendered = ledger.import_ledger(LEDGERS / "ledger-it.csv", again)
    assert rendered.written and rendered.plan.checked is None
    assert project.read_bytes() == again.read_bytes()
    assert b'document: "' in project.read_bytes().split(b"# imported from ledger-it.csv")[1]


def test_plain_text_columns_are_the_ones_text_cell_keeps_as_they_are():
    """parse_rows only strips a cell of a column outside ``_CONVERTED``: every such field must
    be one whose text ``_cell_text`` keeps (a field converted there but not listed fails)."""
    from clustbudget.ledger import _CONVERTED, CHECKED, FIELDS, _cell_text

    for fld in [*FIELDS, *CHECKED]:
        for cell in (" 1.250,00 ", "15/01/2022", "Bonifico SEPA", "50%", "\u00a0x\t", " ", ""):
            if fld not in _CONVERTED:
                assert _cell_text(cell, fld, True) == (cell.strip() or None), (fld, cell)
    assert any(_cell_text("15/01/2022", f, True) != "15/01/2022" for f in _CONVERTED)
