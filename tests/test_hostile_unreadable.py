"""Inputs that exist but cannot be read (issue 12): a file or a folder without permission, a
folder named where a file belongs, a FIFO. Each importer says so in one line, in the run's
language, with the system's reason worded by its errno, and exits 2: never "no such file",
never an invoice silently left out, never a run that hangs on a pipe.

Permissions are real when the tests do not run as root; as root (who reads a mode-000 file)
the child's ``open``/``scandir`` of that one path raise the EACCES the kernel would give."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLE, ROOT

REPORT = EXAMPLE.stem + "/sal-2.yaml"
LEDGER = (
    "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;Data pagamento;Modalità di pagamento\n"
    "15/01/2022;D;Stampa;Tipografia;U-1;100,00;10/02/2022;Bonifico\n"
)
HOURS = "Persona;Mese;Ore\nMario Rossi;2022-01;10\n"
EINVOICE = "<?xml version='1.0'?><FatturaElettronica/>\n"

# Run as root, a mode-000 path is readable: the child refuses what the kernel would refuse.
DENY = """
import builtins, errno, io, os, runpy, sys
deny = os.environ.get("CB_DENY")
def denied(p):
    try:
        return deny and os.path.realpath(os.fspath(p)) == deny
    except TypeError:
        return False
def guard(real):
    def call(p, *a, **k):
        if denied(p):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(p))
        return real(p, *a, **k)
    return call
if deny:
    io.open = builtins.open = guard(io.open)
    os.open, os.scandir, os.listdir = guard(os.open), guard(os.scandir), guard(os.listdir)
sys.argv = ["clustbudget", *sys.argv[1:]]
runpy.run_module("clustbudget", run_name="__main__", alter_sys=True)
"""


def run(cwd: Path, *args: str, deny: Path | None = None) -> subprocess.CompletedProcess[str]:
    unset = ("CLUSTBUDGET_DEBUG", "COLUMNS", "CLUSTBUDGET_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["NO_COLOR"] = ""
    env["PYTHONPATH"] = str(ROOT / "src")
    if deny is not None and os.geteuid() == 0:
        env["CB_DENY"] = os.path.realpath(deny)
    return subprocess.run(
        [sys.executable, "-c", DENY, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )


@pytest.fixture
def project(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path


def unreadable(path: Path, kind: str, text: str) -> Path:
    """``path`` made into the input ``kind``: ``mode000`` (exists, no permission), ``folder``
    (a folder where a file belongs) or ``fifo`` (a named pipe no one writes to)."""
    if kind == "mode000":
        path.write_text(text, encoding="utf-8")
        path.chmod(0)
    elif kind == "folder":
        path.mkdir()
        (path / "inside.txt").write_text(text, encoding="utf-8")
    else:
        os.mkfifo(path)
    return path


IMPORTERS = [
    ("import-expenses", "registro.csv", LEDGER),
    ("import-expenses", "registro.xlsx", LEDGER),
    ("import-hours", "ore.csv", HOURS),
    ("import-invoices", "fattura.xml", EINVOICE),
]
REASONS = {
    "mode000": ("permission denied", "permesso negato"),
    "folder": ("is a folder, not a file", "è una cartella, non un file"),
    "fifo": (
        "not a regular file (a pipe, a socket or a device)",
        "non è un file regolare (una pipe, un socket o un dispositivo)",
    ),
}


@pytest.mark.parametrize("kind", ["mode000", "folder", "fifo"])
@pytest.mark.parametrize(("command", "name", "text"), IMPORTERS)
@pytest.mark.parametrize("lang", ["en", "it"])
def test_an_input_that_cannot_be_read_is_one_line_with_the_reason(project, command, name, text, kind, lang):
    if command == "import-invoices" and kind == "folder":
        pytest.skip("a folder of e-invoices is a valid input: see the unreadable folder below")
    source = unreadable(project / name, kind, text)
    before = (project / REPORT).read_bytes()
    r = run(project, "--lang", lang, command, name, "--into", REPORT, deny=source)
    reason = REASONS[kind][0 if lang == "en" else 1]
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines == [
        f"clustbudget: {name}: {'cannot read' if lang == 'en' else 'impossibile leggere'}: {reason}"
    ]
    assert "Traceback" not in r.stdout + r.stderr
    assert (project / REPORT).read_bytes() == before


@pytest.mark.parametrize("lang", ["en", "it"])
def test_an_einvoice_folder_that_cannot_be_listed_is_refused_not_taken_as_empty(project, lang):
    folder = project / "fatture-2022"
    folder.mkdir()
    (folder / "a.xml").write_text(EINVOICE)
    folder.chmod(0)
    try:
        r = run(project, "--lang", lang, "import-invoices", "fatture-2022", "--into", REPORT, deny=folder)
    finally:
        folder.chmod(0o755)
    assert r.returncode == 2, r.stdout + r.stderr
    reason = "cannot read: permission denied" if lang == "en" else "impossibile leggere: permesso negato"
    assert r.stderr.strip().splitlines() == [f"clustbudget: fatture-2022: {reason}"]


def test_an_unreadable_subfolder_of_einvoices_is_refused_not_passed_over(project):
    folder = project / "fatture-2022"
    (folder / "marzo").mkdir(parents=True)
    (folder / "a.xml").write_text(EINVOICE)
    (folder / "marzo" / "b.xml").write_text(EINVOICE)
    (folder / "marzo").chmod(0)
    try:
        r = run(project, "import-invoices", "fatture-2022", "--into", REPORT, deny=folder / "marzo")
    finally:
        (folder / "marzo").chmod(0o755)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip().splitlines() == [
        f"clustbudget: {Path('fatture-2022', 'marzo')}: cannot read: permission denied"
    ]


def test_an_einvoice_file_in_a_folder_that_cannot_be_read_says_why_in_italian(project):
    folder = project / "fatture-2022"
    folder.mkdir()
    bad = folder / "a.xml"
    bad.write_text(EINVOICE)
    bad.chmod(0)
    r = run(project, "--lang", "it", "import-invoices", "fatture-2022", "--into", REPORT, deny=bad)
    assert r.returncode == 2, r.stdout + r.stderr
    assert (
        r.stderr.strip().splitlines()[-1]
        == f"clustbudget: {bad.relative_to(project)}: impossibile leggere: permesso negato"
    )


def test_an_einvoice_folder_1000_levels_deep_is_walked(project):
    # Path.rglob recursed once per level (RecursionError: exit 3); the walk is a loop now.
    from .conftest import deep_folder

    root = project / "fatture-2022"
    root.mkdir()
    with deep_folder(root, 1000, {"a.xml": EINVOICE.encode()}):
        r = run(project, "import-invoices", "fatture-2022", "--into", REPORT, "--dry-run")
    assert "Traceback" not in r.stderr and "RecursionError" not in r.stderr, r.stderr[-800:]
    assert r.returncode in (1, 2), r.stderr[-800:]
    assert "a.xml" in r.stdout + r.stderr  # found at the bottom, and read (not a FatturaPA file)
