"""E-invoices (FatturaPA 1.2): the two examples, a signed .p7m, unsafe XML refused, credit
notes, duplicates, the mapping file, and the later ledger import that pays them."""

import shutil
import subprocess
from decimal import Decimal

import pytest

from clustbudget.loading import load_file

from .conftest import EXAMPLE, ROOT

FATTURE = ROOT / "examples" / "fatture"
PLAIN = FATTURE / "IT02345678901_00017.xml"
TWO_RATES = FATTURE / "IT03456789012_00342.xml"


@pytest.fixture
def project(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.stem / "sal-2.yaml"


def accepted_d(cli, project):
    import json

    r = cli("report", project.parent.parent / EXAMPLE.name, "-f", "json")
    assert r.returncode in (0, 1), r.stderr
    return Decimal(json.loads(r.stdout)["items"][3]["actual"])


def test_the_two_examples_come_in_awaiting_payment(cli, project):
    before_text = project.read_text()
    before = accepted_d(cli, project)
    r = cli("import-invoices", FATTURE, "--into", project, "--item", "D")
    assert r.returncode == 0, r.stderr
    assert "imported 2 invoices" in r.stdout and "awaiting payment" in r.stdout
    after = project.read_text()
    assert after.startswith(before_text)  # appended: the file, comments included, is kept
    new = load_file(project).model.expenses[-2:]
    assert [(e.supplier_vat, e.document, str(e.date), e.amount, e.vat) for e in new] == [
        ("IT02345678901", "17/E", "2022-04-12", Decimal("1200.00"), Decimal("264.00")),
        # two VAT rates: 1,500.00 at 22% (330.00) and 300.00 at 10% (30.00)
        ("IT03456789012", "342/2022", "2022-05-20", Decimal("1800.00"), Decimal("360.00")),
    ]
    assert all(e.awaiting_payment and not e.claimed for e in new)
    assert new[0].description == "Stampa di 2.000 brochure del Forum della Salute 2022"
    assert "MP05 (bank_transfer), due 2022-05-12" in new[0].note
    # kept on record: the accepted figures do not move; validate lists them
    assert accepted_d(cli, project) == before
    v = cli("validate", project.parent.parent)
    assert v.returncode == 0, v.stdout
    assert v.stdout.count("CB250 info invoice") == 2
    # the same files again: duplicates, refused, nothing written
    again = cli("import-invoices", PLAIN, "--into", project, "--item", "D")
    assert again.returncode == 1
    assert f"{PLAIN}: invoice 17/E of Stamperia Emiliana Esempio S.r.l. is already at " in again.stderr
    assert project.read_text() == after


def test_the_xml_is_recorded_with_its_sha256(cli, project):
    import hashlib

    assert cli("import-invoices", PLAIN, "--into", project, "--item", "D").returncode == 0
    digest = hashlib.sha256(PLAIN.read_bytes()).hexdigest()
    text = project.read_text()
    assert digest in text
    exp = load_file(project).model.expenses[-1]
    attachments = getattr(exp, "attachments", None)
    if attachments is not None:  # the report format's attachments (once landed)
        assert [(a.sha256, a.kind) for a in attachments] == [(digest, "invoice")]
    else:
        assert f"(sha256 {digest})" in exp.note


def test_a_ledger_import_later_pays_it_and_makes_it_a_claim(cli, project, tmp_path):
    before = accepted_d(cli, project)
    assert cli("import-invoices", PLAIN, "--into", project, "--item", "D").returncode == 0
    ledger = tmp_path / "banca.csv"
    ledger.write_text(
        "Data;Voce;Descrizione;Fornitore;Nr. fattura;Imponibile;IVA;Data pagamento;Modalità di pagamento;CRO\n"
        "12/04/2022;D;Brochure;Stamperia Emiliana Esempio srl;17/E;1.200,00;264,00;10/05/2022;Bonifico;TRN 1\n"
    )
    r = cli("import-expenses", ledger, "--into", project)
    assert r.returncode == 0, r.stderr
    assert "1 invoice awaiting payment gets its payment from the ledger" in r.stdout
    exp = load_file(project).model.expenses[-1]
    assert (exp.document, str(exp.paid), exp.payment, exp.payment_ref, exp.claimed) == (
        "17/E",
        "2022-05-10",
        "bank_transfer",
        "TRN 1",
        True,
    )
    assert "awaiting_payment" not in project.read_text()
    assert accepted_d(cli, project) == before + Decimal("1200.00")
    # paid after the period's end: refused by the report's rules, nothing written
    text = project.read_text()
    assert cli("import-invoices", TWO_RATES, "--into", project, "--item", "D").returncode == 0
    late = tmp_path / "late.csv"
    late.write_text(
        "Data;Voce;Descrizione;Fornitore;Nr. fattura;Imponibile;Data pagamento;Modalità di pagamento\n"
        "20/05/2022;D;Sala;Centro Congressi Esempio;342/2022;1.800,00;30/09/2022;Bonifico\n"
    )
    text = project.read_text()
    r = cli("import-expenses", late, "--into", project)
    assert r.returncode == 1 and "CB209" in r.stderr, r.stderr
    assert project.read_text() == text


def test_a_signed_p7m_is_read_and_says_the_signature_is_not_verified(cli, project, tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert),
            *("-subj", "/CN=Firma di prova", "-days", "2"),
        ],
        check=True,
        capture_output=True,
    )
    signed = tmp_path / "IT02345678901_00017.xml.p7m"
    subprocess.run(
        [
            *("openssl", "cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-in", PLAIN),
            *("-signer", cert, "-inkey", key, "-out", signed),
        ],
        check=True,
        capture_output=True,
    )
    r = cli("import-invoices", signed, "--into", project, "--item", "D", "--share", "50%")
    assert r.returncode == 0, r.stderr
    assert f"info: {signed}: signed file: its content was read, the signature was not verified" in r.stderr
    exp = load_file(project).model.expenses[-1]
    assert (exp.document, exp.amount, exp.eligible_share) == ("17/E", Decimal("1200.00"), Decimal("0.5"))
    # base64, as some mail clients save it, reads the same
    b64 = tmp_path / "b64" / "IT02345678901_00017.xml.p7m"
    b64.parent.mkdir()
    import base64

    b64.write_bytes(base64.encodebytes(signed.read_bytes()))
    r = cli("import-invoices", b64, "--into", project, "--item", "D", "--dry-run")
    assert r.returncode == 1 and "is already at" in r.stderr  # the same invoice: read, and a duplicate


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<FatturaElettronica versione="FPR12"><x>&lol3;</x></FatturaElettronica>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<FatturaElettronica versione="FPR12"><x>&secret;</x></FatturaElettronica>
"""


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL], ids=["xml-bomb", "external-entity"])
def test_unsafe_xml_is_refused_with_exit_2(cli, project, tmp_path, xml):
    path = tmp_path / "evil.xml"
    path.write_text(xml)
    before = project.read_text()
    r = cli("import-invoices", PLAIN, path, "--into", project, "--item", "D")
    assert r.returncode == 2
    assert r.stderr.startswith(f"clustbudget: {path}: refused: the XML declares")
    assert "root:" not in r.stderr and "lollol" not in r.stderr
    assert len(r.stderr.splitlines()) == 1
    assert project.read_text() == before


def test_not_fatturapa_and_malformed_xml_exit_2(cli, project, tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<Invoice><ID>1</ID></Invoice>")
    r = cli("import-invoices", other, "--into", project, "--item", "D")
    assert r.returncode == 2 and "not a FatturaPA invoice" in r.stderr
    broken = tmp_path / "broken.xml"
    broken.write_text("<FatturaElettronica versione='FPR12'>\n<a></b>")
    r = cli("import-invoices", broken, "--into", project, "--item", "D")
    assert r.returncode == 2 and f"{broken}:2:" in r.stderr and "not well-formed XML" in r.stderr


def credit_note(number="NC 3/E", cited="17/E", taxable="200.00", tax="44.00"):
    text = PLAIN.read_text()
    text = text.replace("<TipoDocumento>TD01</TipoDocumento>", "<TipoDocumento>TD04</TipoDocumento>")
    text = text.replace("<Numero>17/E</Numero>", f"<Numero>{number}</Numero>")
    text = text.replace("<Data>2022-04-12</Data>", "<Data>2022-04-30</Data>")
    text = text.replace("<ImportoTotaleDocumento>1464.00</ImportoTotaleDocumento>", "")
    text = text.replace("<PrezzoTotale>1200.00</PrezzoTotale>", f"<PrezzoTotale>{taxable}</PrezzoTotale>")
    text = text.replace(
        "<ImponibileImporto>1200.00</ImponibileImporto>", f"<ImponibileImporto>{taxable}</ImponibileImporto>"
    )
    text = text.replace("<Imposta>264.00</Imposta>", f"<Imposta>{tax}</Imposta>")
    linked = f"<DatiFattureCollegate><IdDocumento>{cited}</IdDocumento><Data>2022-04-12</Data></DatiFattureCollegate>"
    return text.replace("</DatiGeneraliDocumento>", "</DatiGeneraliDocumento>" + linked)


def test_a_credit_note_reduces_the_invoice_it_cites(cli, project, tmp_path):
    folder = tmp_path / "fatture"
    folder.mkdir()
    shutil.copy(PLAIN, folder)
    (folder / "IT02345678901_00021.xml").write_text(credit_note())
    r = cli("import-invoices", folder, "--into", project, "--item", "D")
    assert r.returncode == 0, r.stderr
    assert "credit note NC 3/E reduces invoice 17/E by 200.00 (VAT 44.00)" in r.stderr
    assert "imported 1 invoice " in r.stdout
    exp = load_file(project).model.expenses[-1]
    assert (exp.document, exp.amount, exp.vat) == ("17/E", Decimal("1000.00"), Decimal("220.00"))
    assert "reduced by credit note NC 3/E of 2022-04-30 (-200.00 taxable, -44.00 VAT)" in exp.note
    # a later credit note for the invoice already in the report reduces it there, in place
    later = tmp_path / "later.xml"
    later.write_text(credit_note(number="NC 4/E", taxable="100.00", tax="22.00"))
    text = project.read_text()
    r = cli("import-invoices", later, "--into", project, "--item", "D")
    assert r.returncode == 0, r.stderr
    assert "credit note NC 4/E reduces invoice 17/E at " in r.stderr and "to 900.00" in r.stderr
    assert "1 invoice in " in r.stdout and "reduced by its credit note" in r.stdout
    exp = load_file(project).model.expenses[-1]
    assert (exp.document, exp.amount, exp.vat) == ("17/E", Decimal("900.00"), Decimal("198.00"))
    after = project.read_text()
    assert "amount: 900.00  # was 1,000.00; credit note NC 4/E of 2022-04-30: -100.00\n" in after
    assert len(after.splitlines()) == len(text.splitlines())  # changed in place, nothing added
    # one for an invoice claimed in parts: refused, saying where it is
    parts = tmp_path / "parts.xml"
    parts.write_text(
        credit_note(number="NC 9", cited="FT 2021/015", taxable="100.00", tax="22.00")
        .replace("02345678901", "01234567890")
        .replace("Stamperia Emiliana Esempio S.r.l.", "Studio Grafico Esempio S.r.l.")
        .replace(
            "<Data>2022-04-12</Data></DatiFattureCollegate>", "<Data>2021-03-01</Data></DatiFattureCollegate>"
        )
    )
    r = cli("import-invoices", parts, "--into", project, "--item", "D")
    assert r.returncode == 1
    assert "credit note NC 9 cites invoice FT 2021/015, claimed in parts or for less at " in r.stderr
    assert project.read_text() == after


def test_the_mapping_file_and_a_missing_item(cli, project, tmp_path):
    r = cli("import-invoices", FATTURE, "--into", project)
    assert r.returncode == 1
    assert f"{PLAIN}: which item? give --item, a line in the --mapping file, or --ask" in r.stderr
    mapping = tmp_path / "voci.yaml"
    mapping.write_text(f'{PLAIN.name}: D\n{TWO_RATES.name}: {{item: D, share: "0.5", action: "2"}}\n')
    r = cli("import-invoices", FATTURE, "--into", project, "--mapping", mapping)
    assert r.returncode == 0, r.stderr
    new = load_file(project).model.expenses[-2:]
    assert [(e.item, e.eligible_share, e.action) for e in new] == [
        ("D", None, ()),
        ("D", Decimal("0.5"), ("2",)),
    ]


def test_ask_needs_a_terminal(cli, project):
    r = cli("import-invoices", PLAIN, "--into", project, "--ask")
    assert r.returncode == 2 and "--ask needs a terminal" in r.stderr


def test_ask_on_a_terminal_asks_item_and_share(project):
    """--ask on a terminal (a pseudo-terminal here): the item and share are typed in."""
    import os
    import pty
    import select
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("CLUSTBUDGET_LANG", "LANG", "LC_ALL")}
    pid, fd = pty.fork()
    if pid == 0:  # the child: clustbudget on the terminal
        os.chdir(ROOT)
        args = [
            sys.executable,
            "-m",
            "clustbudget",
            "import-invoices",
            str(PLAIN),
            "--into",
            str(project),
            "--ask",
        ]
        os.execve(sys.executable, args, env)
    seen = b""

    def until(text: bytes) -> None:
        nonlocal seen
        while text not in seen:
            ready, _, _ = select.select([fd], [], [], 60)
            assert ready, seen.decode(errors="replace")
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                chunk = b""
            assert chunk, seen.decode(errors="replace")
            seen += chunk

    until(b"item (A/B/C/D): ")
    assert b"Stamperia Emiliana Esempio S.r.l., 17/E of 2022-04-12, 1,200.00" in seen
    os.write(fd, b"d\n")
    until(b"eligible share [1]: ")
    os.write(fd, b"50%\n")
    until(b"awaiting payment")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    exp = load_file(project).model.expenses[-1]
    assert (exp.document, exp.item, exp.eligible_share) == ("17/E", "D", Decimal("0.5"))


def test_the_default_reason_of_an_invoice_awaiting_payment_is_in_the_workbooks_language(
    cli, project, tmp_path
):
    import openpyxl

    assert cli("import-invoices", PLAIN, "--into", project, "--item", "D").returncode == 0
    # the file keeps no reason: the model's default is a stable code, shown translated
    assert load_file(project).model.expenses[-1].reason == "awaiting payment"
    budget = project.parent.parent / EXAMPLE.name
    notes = {}
    for lang in ("it", "en"):
        out = tmp_path / f"sal-2-{lang}.xlsx"
        r = cli("export", budget, project, "--period", "SAL-2", "--lang", lang, "-o", out, "--allow-errors")
        assert r.returncode == 0, r.stderr
        ws = openpyxl.load_workbook(out).worksheets[2]  # Spese / Expenses
        notes[lang] = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("NON RENDICONTATA (esclusa): in attesa di pagamento" in c for c in notes["it"])
    assert not any("awaiting payment" in c for c in notes["it"])
    assert any("NOT CLAIMED (excluded): awaiting payment" in c for c in notes["en"])


def test_the_note_written_into_the_report_is_in_the_runs_language(cli, project, tmp_path):
    """The payment terms and the credit note the tool writes into an expense's note (and so
    into the rendiconto's Nota column) follow --lang: Italian words, dates and amounts."""
    folder = tmp_path / "fatture"
    folder.mkdir()
    shutil.copy(PLAIN, folder)
    (folder / "IT02345678901_00021.xml").write_text(credit_note())
    r = cli("import-invoices", folder, "--into", project, "--item", "D", "--lang", "it")
    assert r.returncode == 0, r.stderr
    note = load_file(project).model.expenses[-1].note
    assert "ridotta dalla nota di credito NC 3/E del 30/04/2022 (imponibile -200,00, IVA -44,00)" in note
    assert "payment terms" not in note and "reduced by" not in note and "2022-04-30" not in note
    later = tmp_path / "later.xml"
    later.write_text(credit_note(number="NC 4/E", taxable="100.00", tax="22.00"))
    r = cli("import-invoices", later, "--into", project, "--item", "D", "--lang", "it")
    assert r.returncode == 0, r.stderr
    assert (
        "amount: 900.00  # era 1.000,00; nota di credito NC 4/E del 30/04/2022: -100,00\n"
        in project.read_text()
    )
