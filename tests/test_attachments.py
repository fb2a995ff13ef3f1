"""An expense's files (``attachments:``, issue 10): a path or ``{file, sha256, kind}``, relative
to the report; a missing file is CB240 at its line, a recorded SHA-256 that the file does not
have is CB241 at the digest's line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clustbudget.attachments import located, sha256_of
from clustbudget.loading import load_file
from clustbudget.models import Attachment
from clustbudget.pipeline import validate_paths

BUDGET = (
    "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2022-12-31}\n"
    "costs:\n  D: [{description: y, amount: 10000.00}]\n"
)
INVOICE = b"%PDF-1.4 fattura FT 12/2021\n"
DIGEST = hashlib.sha256(INVOICE).hexdigest()


def expense(attachments: str, claimed: str = "") -> str:
    return (
        "  - date: 2021-03-15\n"
        "    item: D\n"
        "    description: Stand\n"
        "    supplier: Fiera Srl\n"
        "    document: FT 12/2021\n"
        "    amount: 1000.00\n"
        "    paid: 2021-04-01\n"
        "    payment: bank_transfer\n"
        f"{claimed}"
        "    attachments:\n"
        f"{attachments}"
    )


def project(tmp_path: Path, *expenses: str) -> Path:
    (tmp_path / "b.yaml").write_text(BUDGET)
    folder = tmp_path / "b"
    (folder / "fatture").mkdir(parents=True)
    (folder / "fatture" / "ft-12-2021.pdf").write_bytes(INVOICE)
    report = folder / "sal-1.yaml"
    report.write_text(
        "clustbudget: 1\nbudget: ../b.yaml\nperiod: {id: SAL-1, start: 2021-01-01, end: 2021-12-31}\n"
        "expenses:\n" + "".join(expenses)
    )
    return report


def findings(report: Path, code: str) -> list:
    return [f for f in validate_paths([report]).findings if f.code == code]


def line_of(report: Path, text: str) -> int:
    return next(n for n, line in enumerate(report.read_text().splitlines(), 1) if text in line)


def test_both_forms_load_as_attachments(tmp_path: Path):
    report = project(
        tmp_path,
        expense(
            "      - fatture/ft-12-2021.pdf\n"
            f"      - {{file: fatture/ft-12-2021.pdf, sha256: {DIGEST.upper()}, kind: invoice}}\n"
        ),
    )
    loaded = load_file(report)
    assert loaded.model is not None, loaded.findings
    (exp,) = loaded.model.expenses
    assert exp.attachments == [
        Attachment(file="fatture/ft-12-2021.pdf"),
        Attachment(file="fatture/ft-12-2021.pdf", sha256=DIGEST, kind="invoice"),
    ]
    assert located(exp.attachments[0], report.parent) == report.parent / "fatture" / "ft-12-2021.pdf"
    assert sha256_of(located(exp.attachments[1], report.parent)) == DIGEST
    assert validate_paths([report]).exit_code() == 0


def test_an_expense_without_attachments_has_none(tmp_path: Path):
    report = project(tmp_path, expense("      []\n"))
    (exp,) = load_file(report).model.expenses
    assert exp.attachments == []


def test_a_missing_file_is_an_error_at_its_line(tmp_path: Path):
    report = project(
        tmp_path,
        expense("      - fatture/ft-12-2021.pdf\n      - quietanze/cro-1234.pdf\n"),
        expense("      - {kind: payment, file: quietanze/cro-5678.pdf}\n"),
    )
    got = findings(report, "CB240")
    assert [(f.location.line, f.location.col) for f in got] == [
        (line_of(report, "cro-1234"), 9),
        (
            line_of(report, "cro-5678"),
            report.read_text().splitlines()[line_of(report, "cro-5678") - 1].index("quietanze") + 1,
        ),
    ]
    assert "quietanze/cro-1234.pdf not found" in got[0].message
    assert validate_paths([report]).exit_code() == 1


def test_a_path_is_relative_to_the_report_not_to_the_current_folder(tmp_path: Path, monkeypatch):
    report = project(tmp_path, expense("      - fatture/ft-12-2021.pdf\n"))
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "fatture").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    assert findings(report, "CB240") == []
    (report.parent / "fatture" / "ft-12-2021.pdf").unlink()
    (elsewhere / "fatture" / "ft-12-2021.pdf").write_bytes(INVOICE)  # the cwd's copy does not count
    assert len(findings(report, "CB240")) == 1


def test_a_folder_is_not_a_file(tmp_path: Path):
    report = project(tmp_path, expense("      - fatture\n"))
    (f,) = findings(report, "CB240")
    assert "is a folder" in f.message


def test_a_different_digest_is_an_error_at_the_digest(tmp_path: Path):
    wrong = "0" * 64
    report = project(tmp_path, expense(f"      - file: fatture/ft-12-2021.pdf\n        sha256: {wrong}\n"))
    (f,) = findings(report, "CB241")
    assert f.location.line == line_of(report, wrong)
    assert DIGEST in f.message and wrong in f.message
    assert findings(report, "CB240") == []


def test_the_right_digest_passes_and_an_edited_file_fails(tmp_path: Path):
    report = project(tmp_path, expense(f"      - {{file: fatture/ft-12-2021.pdf, sha256: {DIGEST}}}\n"))
    assert findings(report, "CB241") == []
    (report.parent / "fatture" / "ft-12-2021.pdf").write_bytes(INVOICE + b"edited")
    assert len(findings(report, "CB241")) == 1


def test_a_malformed_digest_is_a_schema_error_at_its_line(tmp_path: Path):
    report = project(tmp_path, expense("      - {file: fatture/ft-12-2021.pdf, sha256: abc123}\n"))
    (f,) = findings(report, "CB013")
    assert f.location.line == line_of(report, "abc123")
    assert "64 hexadecimal digits" in f.message


@pytest.mark.parametrize(
    ("entry", "code", "text"),
    [
        ("{file: fatture/ft-12-2021.pdf, sha: x}", "CB011", "did you mean 'sha256'"),
        ("{file: fatture/ft-12-2021.pdf, kind: bill}", "CB013", "'invoice', 'payment' or 'other'"),
        ("{kind: invoice}", "CB012", "missing key 'file'"),
    ],
)
def test_other_mistakes_in_an_entry_are_schema_errors(tmp_path: Path, entry: str, code: str, text: str):
    report = project(tmp_path, expense(f"      - {entry}\n"))
    (f,) = findings(report, code)
    assert text in f.message
    assert f.location.line == line_of(report, entry)


def test_an_expense_kept_on_record_is_not_checked(tmp_path: Path):
    report = project(
        tmp_path,
        expense("      - quietanze/nowhere.pdf\n", claimed="    claimed: false\n    reason: doppione\n"),
    )
    assert findings(report, "CB240") == []


def test_the_schema_describes_both_forms():
    from clustbudget.schema import json_schema

    props = json_schema("report")["$defs"]["Expense"]["properties"]["attachments"]
    forms = props["items"]["anyOf"]
    assert forms[0]["type"] == "string"
    assert forms[1]["required"] == ["file"]


def test_a_pipe_is_named_as_such_and_never_opened(tmp_path: Path):
    """A FIFO where an attachment belongs: CB240 says it is not a regular file (it said 'not
    found'), and nothing opens it — CB241's digest and the list of documents would wait for a
    writer that never comes (the run hung)."""
    import os
    import subprocess
    import sys

    report = project(tmp_path, expense(f"      - file: fatture/cro.pdf\n        sha256: {DIGEST}\n"))
    os.mkfifo(report.parent / "fatture" / "cro.pdf")
    r = subprocess.run(
        [sys.executable, "-m", "clustbudget", "validate", "--lang", "it", str(report)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{report}:{line_of(report, 'cro.pdf')}:" in r.stdout
    assert "l'allegato fatture/cro.pdf non è un file normale (una pipe" in r.stdout, r.stdout
    assert "CB241" not in r.stdout and "Traceback" not in r.stderr
    with pytest.raises(OSError):
        sha256_of(report.parent / "fatture" / "cro.pdf")
