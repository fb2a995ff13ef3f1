"""The claim package (issue 10): ``clustbudget package BUDGET --period ID -o DIR|FILE.zip``.

Built from a copy of the example project (which names two attachments on SAL-2's video
invoice): every file the manifest lists is there with its SHA-256, the PDFs open and say
what they should, the workbooks recompute (LibreOffice) to compute's figures, a missing
attachment refuses the package with its file and line, and a run that fails half-way leaves
nothing behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from clustbudget import __version__
from clustbudget.claim import plan_package, write_package
from clustbudget.pipeline import Refused

from .conftest import run_cli
from .libreoffice import assert_recalculated_from_wrong_cache, recalculate, wrong_cached_results
from .pdftext import points, text_of, words_of

ROOT = Path(__file__).resolve().parents[1]
TITLE = "Clust-ER Industrie della Salute e del Benessere 2020-2022"
INVOICE = "fatture/ft-12-2022-officina-video.pdf"
RECEIPT = "quietanze/bonifico-2022-04-15-officina-video.pdf"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project; returns its budget."""
    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    return tmp_path / "budgets" / "clust-er-health-2020-2022.yaml"


def package(budget: Path, target: Path, period: str = "SAL-2", **kwargs) -> Path:
    plan = plan_package(budget, period=period, output=target, force=kwargs.pop("force", False))
    return write_package(plan, lang=kwargs.pop("lang", "it"), force=plan.target.exists())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_package_of_the_example_holds_every_document_and_its_manifest_verifies(project, tmp_path):
    out = package(project, tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "clustbudget.package" and manifest["format_version"] == 1
    assert manifest["tool"] == {"name": "clustbudget", "version": __version__}
    assert manifest["call_pack"]["id"] == "clust-er-2020" and manifest["call_pack"]["version"] == 1
    assert manifest["period"] == {"id": "SAL-2", "start": "2021-10-01", "end": "2022-09-20"}
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(listed) | {"manifest.json"}
    for name, entry in listed.items():
        assert sha(out / name) == entry["sha256"], name
        assert (out / name).stat().st_size == entry["bytes"]
    roles = sorted(f["role"] for f in manifest["files"] if f["role"] not in ("timesheet", "cost-statement"))
    assert roles == sorted(
        [
            "rendiconto-xlsx",
            "rendiconto-pdf",
            "elenco-giustificativi-xlsx",
            "elenco-giustificativi-csv",
            "attachment",
            "attachment",
        ]
    )
    # the attachments, copied byte for byte under stable names, with where they came from
    reports = project.parent / "clust-er-health-2020-2022"
    copied = {f["source"]: f for f in manifest["files"] if f["role"] == "attachment"}
    assert set(copied) == {INVOICE, RECEIPT}
    assert copied[INVOICE]["path"] == "allegati/SAL-2/002-1-ft-12-2022-officina-video.pdf"
    assert copied[INVOICE]["sha256"] == sha(reports / INVOICE)
    assert (out / copied[RECEIPT]["path"]).read_bytes() == (reports / RECEIPT).read_bytes()
    # the sources it was made from
    assert manifest["budget"]["path"] == "clust-er-health-2020-2022.yaml"
    assert manifest["budget"]["sha256"] == sha(project)
    assert [r["path"] for r in manifest["reports"]] == [
        "clust-er-health-2020-2022/sal-1.yaml",
        "clust-er-health-2020-2022/sal-2.yaml",
    ]
    # the staff's documents are in it: nothing is said missing
    assert manifest["missing"] == []
    assert {"timesheet", "cost-statement"} <= {f["role"] for f in manifest["files"]}


def test_the_rendiconto_pdf_opens_with_title_period_hours_and_figures(project, tmp_path):
    out = package(project, tmp_path / "out")
    pdf = out / "rendiconto" / "clust-er-health-2020-2022-SAL-2.pdf"
    text = text_of(pdf)
    assert TITLE in text
    assert "Rendiconto del periodo SAL-2" in text
    assert "SAL-2 · 01/10/2021 – 20/09/2022" in text
    assert "pagina 1 di " in text
    assert re.search(r"^\s*CUP\s+—\s*$", text, re.M)  # the example has no CUP yet: a dash, not a blank
    # the Cluster Manager's hours of 08/2022 (60) and of the period (1,455); rate 37.79:
    # 37.79 × 1,455 = 54,984.45; D accepted this period 4,200.00 + 3,000.00 + 600.00 + 1,500.00
    lines = text.splitlines()
    august = next(line for line in lines if line.strip().startswith("08/2022"))
    assert august.split()[1:] == ["60", "15", "75"]
    # April 2022 is given day by day (sal-2.yaml `days:`): its 130 hours are in its cell, and
    # every month's row has a figure per person that adds up to its total
    april = next(line for line in lines if line.strip().startswith("04/2022"))
    assert april.split()[1:] == ["130", "40", "170"]
    months = [line.split() for line in lines if re.match(r"\s*\d\d/20\d\d\s", line)]
    assert len(months) == 12 and all(len(m) == 4 and int(m[1]) + int(m[2]) == int(m[3]) for m in months), (
        months
    )
    assert "54.984,45" in text and "9.300,00" in text
    smallest = min(words_of(pdf), key=points)
    assert points(smallest) >= 7.95, smallest


def test_the_list_of_supporting_documents_csv_has_the_platform_fields(project, tmp_path):
    out = package(project, tmp_path / "out")
    raw = (out / "giustificativi" / "elenco-giustificativi-SAL-2.csv").read_text(encoding="utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert [r["numero_giustificativo"] for r in rows] == ["2021-MD-77810", "12/2022", "FT 88", "FT 2021/015"]
    video = rows[1]
    assert video["denominazione_fornitore"] == "Officina Video Esempio S.r.l."
    assert video["codice_fiscale_fornitore"] == "IT09876543210"
    assert video["data_giustificativo"] == "2022-03-01"
    assert video["voce_piano_costo"] == "D"
    # 3,000.00 + VAT 660.00 = 3,660.00; VAT recoverable: 3,000.00 requested
    assert (video["importo_imputato"], video["importo_iva_giustificativo"], video["importo_totale"]) == (
        "3000.00",
        "660.00",
        "3660.00",
    )
    assert video["importo_richiesto"] == "3000.00"
    assert video["quietanze"] == "2022-04-15 bank_transfer"
    files = video["allegati"].split(" | ")
    assert files[0].split() == [
        "allegati/SAL-2/002-1-ft-12-2022-officina-video.pdf",
        sha(out / files[0].split()[0]),
    ]
    # the deposit and the balance of the MEDICA stand: two payments
    assert rows[0]["quietanze"] == (
        "2021-11-20 2100.00 bank_transfer TRN 2021112000418 | 2021-12-10 2100.00 bank_transfer TRN 2021121000977"
    )
    # half of the print run: (1,200.00 + 0) × 0.5 = 600.00
    assert rows[2]["importo_rendicontato"] == "600.00" and rows[2]["quota_ammissibile"] == "0.5"
    # the list's requested total is the period's accepted D: 9,300.00
    assert sum(Decimal(r["importo_richiesto"]) for r in rows) == Decimal("9300.00")


def test_a_zip_package_holds_the_same_files_and_its_manifest_verifies(project, tmp_path):
    target = package(project, tmp_path / "claim.zip")
    with zipfile.ZipFile(target) as z:
        manifest = json.loads(z.read("manifest.json"))
        names = set(z.namelist())
        assert names == {f["path"] for f in manifest["files"]} | {"manifest.json"}
        for f in manifest["files"]:
            assert hashlib.sha256(z.read(f["path"])).hexdigest() == f["sha256"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_an_existing_package_is_replaced_only_with_force(project, tmp_path):
    out = package(project, tmp_path / "out")
    (out / "mine.txt").write_text("kept")
    with pytest.raises(Refused, match="already exists"):
        plan_package(project, period="SAL-2", output=out)
    assert (out / "mine.txt").exists()
    plan = plan_package(project, period="SAL-1", output=out, force=True)
    write_package(plan, force=True)
    assert not (out / "mine.txt").exists()
    assert json.loads((out / "manifest.json").read_text())["period"]["id"] == "SAL-1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budgets", "out"]


@pytest.mark.parametrize("target", ["out", "out.zip"])
def test_an_interrupted_run_leaves_nothing(project, tmp_path, monkeypatch, target):
    import clustbudget.elenco

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(clustbudget.elenco, "write_csv", broken)
    with pytest.raises(Refused, match="cannot write the package: no space left on the disk"):
        package(project, tmp_path / target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budgets"]


def test_an_interrupted_replacement_keeps_the_old_package(project, tmp_path, monkeypatch):
    out = package(project, tmp_path / "out")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    import clustbudget.pdf.rendiconto

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(clustbudget.pdf.rendiconto, "write", broken)
    with pytest.raises(KeyboardInterrupt):
        write_package(plan_package(project, period="SAL-2", output=out, force=True), force=True)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budgets", "out"]


def test_a_missing_attachment_refuses_the_package_with_its_line(project, tmp_path):
    reports = project.parent / "clust-er-health-2020-2022"
    (reports / RECEIPT).unlink()
    line = next(
        n for n, text in enumerate((reports / "sal-2.yaml").read_text().splitlines(), 1) if RECEIPT in text
    )
    result = run_cli("package", str(project), "--period", "SAL-2", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert f"sal-2.yaml:{line}:" in result.stderr and "CB240" in result.stderr
    assert "no package written" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_attachment_does_not_keep_the_rendiconto_from_being_exported(project, tmp_path):
    """The figures stand without the file: export writes the rendiconto (Controlli lists CB240,
    exit 0); only the package, which carries the files, is refused; --strict refuses the export."""
    from openpyxl import load_workbook

    reports = project.parent / "clust-er-health-2020-2022"
    (reports / RECEIPT).unlink()
    sal2 = str(reports / "sal-2.yaml")
    out = tmp_path / "r.xlsx"
    result = run_cli("export", str(project), sal2, "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    book = load_workbook(out, read_only=True)
    sheets = {
        name: [c for row in book[name].iter_rows(values_only=True) for c in row if c]
        for name in book.sheetnames
    }
    assert any("CB240" in str(c) for cells in sheets.values() for c in cells)
    strict = run_cli("export", str(project), sal2, "-o", str(tmp_path / "s.xlsx"), "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "CB240" in strict.stderr
    assert not (tmp_path / "s.xlsx").exists()


def test_the_command_writes_the_package_and_refuses_an_existing_one(project, tmp_path):
    result = run_cli("package", str(project), "--period", "SAL-2", "-o", "out/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "manifest.json").is_file()
    again = run_cli("package", str(project), "--period", "SAL-2", "-o", "out/", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    unknown = run_cli("package", str(project), "--period", "SAL-9", "-o", "x", cwd=tmp_path)
    assert unknown.returncode == 2 and "SAL-9" in unknown.stderr


@pytest.mark.libreoffice
def test_the_package_workbooks_recalculate_to_our_figures(project, tmp_path):
    honest = package(project, tmp_path / "honest")
    with wrong_cached_results():
        wrong = package(project, tmp_path / "wrong")
    names = [
        "rendiconto/clust-er-health-2020-2022-SAL-2.xlsx",
        "giustificativi/elenco-giustificativi-SAL-2.xlsx",
    ]
    flat = tmp_path / "flat"
    flat.mkdir()
    inputs = []
    for name in names:
        copy = flat / Path(name).name
        shutil.copy(wrong / name, copy)
        inputs.append(copy)
    copies = recalculate(inputs, tmp_path / "recalculated")
    for name, source in zip(names, inputs, strict=True):
        cells = assert_recalculated_from_wrong_cache(honest / name, source, copies[source])
        assert cells >= 10, name
    # the list's totals, as LibreOffice computed them: requested 9,300.00 (the period's D),
    # taxable charged 4,200.00 + 3,000.00 + 1,200.00 + 1,500.00 = 9,900.00, VAT 660.00 + 264.00 + 330.00 = 1,254.00
    wb = openpyxl.load_workbook(copies[inputs[1]], data_only=True)
    ws = wb["Giustificativi"]
    total = next(row for row in ws.iter_rows(values_only=True) if row[1] == "Totale")
    header = next(row for row in ws.iter_rows(values_only=True) if row[0] == "N.")
    col = {h: i for i, h in enumerate(header)}
    assert Decimal(str(total[col["Importo richiesto"]])) == Decimal("9300")
    assert Decimal(str(total[col["Imponibile imputato"]])) == Decimal("9900")
    assert Decimal(str(total[col["IVA"]])) == Decimal("1254")


def test_the_timesheets_in_the_package_open_with_the_title_and_their_hours(project, tmp_path):
    out = package(project, tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sheets = [f["path"] for f in manifest["files"] if f["role"] == "timesheet" and f["path"].endswith(".pdf")]
    assert sheets
    for name in sheets:
        text = text_of(out / name)
        assert TITLE in text, name
    # the Cluster Manager's August 2022: 60 hours on the project (SAL-2)
    august = [n for n in sheets if "2022-08" in n and "cluster-manager" in n]
    assert august and "60" in text_of(out / august[0]).split()
