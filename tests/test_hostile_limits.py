"""Every limit of the input is documented as the code has it (issue 12: the README's "Reading
YAML safely" lists every limit and what happens past it), and the e-invoice limits hold:
past them an import is one line and exit 2, nothing written."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from clustbudget import atomic, einvoice, ledger, loading, money, yamlsource

from .conftest import EXAMPLE, ROOT, run_cli


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Reading YAML safely")
    end = text.index("\n### ", start + 1)
    return " ".join(text[start:end].split())  # one line: a phrase may wrap anywhere


def mib(n: int) -> str:
    assert n % (1024 * 1024) == 0
    return f"{n // (1024 * 1024)} MiB"


# (what the constant is, how the README must say it): formatted from the code, so that a limit
# changed without its documentation fails here.
LIMITS = [
    ("yamlsource.MAX_BYTES", lambda: f"files at most {mib(yamlsource.MAX_BYTES)}"),
    ("yamlsource.MAX_DEPTH", lambda: f"nesting at most {yamlsource.MAX_DEPTH} levels"),
    ("yamlsource.MAX_ALIAS_EXPANSIONS", lambda: f"at most {yamlsource.MAX_ALIAS_EXPANSIONS:,} times"),
    ("yamlsource.MAX_ALIAS_CHARS", lambda: f"at most {yamlsource.MAX_ALIAS_CHARS // 1024**2} Mi characters"),
    ("yamlsource.MAX_LINES", lambda: f"at most {yamlsource.MAX_LINES:,} lines"),
    ("yamlsource.MAX_NODES", lambda: f"at most {yamlsource.MAX_NODES:,} keys and values"),
    ("yamlsource.MAX_COLLECTIONS", lambda: f"{yamlsource.MAX_COLLECTIONS:,} mappings and lists"),
    ("loading.MAX_SUGGESTIONS", lambda: f"Past {loading.MAX_SUGGESTIONS:,} unknown keys"),
    ("loading.MAX_SCHEMA_ERRORS", lambda: f"at most {loading.MAX_SCHEMA_ERRORS:,} are listed per file"),
    ("loading.LONG_LIST", lambda: f"validated {loading.LONG_LIST:,} entries at a time"),
    ("ledger.MAX_LEDGER_BYTES", lambda: f"at most {mib(ledger.MAX_LEDGER_BYTES)} and"),
    ("ledger.MAX_LEDGER_ROWS", lambda: f"{ledger.MAX_LEDGER_ROWS:,} rows (split"),
    ("ledger.MAX_LEDGER_ROWS (xlsx)", lambda: f"an xlsx at most {ledger.MAX_LEDGER_ROWS:,} rows"),
    ("ledger.MAX_LEDGER_COLUMNS", lambda: f"{ledger.MAX_LEDGER_COLUMNS:,} columns as its sheet declares"),
    ("ledger.MAX_XLSX_UNCOMPRESSED", lambda: f"{mib(ledger.MAX_XLSX_UNCOMPRESSED)} once inflated"),
    ("einvoice.MAX_EINVOICE_BYTES", lambda: f"each file at most {mib(einvoice.MAX_EINVOICE_BYTES)}"),
    ("einvoice.MAX_EINVOICE_FILES", lambda: f"at most {einvoice.MAX_EINVOICE_FILES:,} files in one import"),
    ("money.MAX_AMOUNT", lambda: f"Amounts at most {money.MAX_AMOUNT}"),
    ("atomic.LOCK_TIMEOUT", lambda: f"at most {atomic.LOCK_TIMEOUT:g} s (`CLUSTBUDGET_LOCK_TIMEOUT`)"),
]


@pytest.mark.parametrize(("name", "phrase"), LIMITS, ids=[name for name, _ in LIMITS])
def test_the_readme_states_each_limit_as_the_code_has_it(name, phrase):
    assert phrase() in section(), f"{name}: the README's 'Reading YAML safely' should say {phrase()!r}"


def test_the_readme_says_what_happens_past_the_limits():
    text = section()
    for said in (
        "CB004 (CB001 for size and encoding), exit 2",  # YAML
        "refused in one line that names the file and the limit, exit 2, and nothing is written",
        'exit 2 "out of memory',
        'exit 2 "another clustbudget run is writing it"',
    ):
        assert said in text, said
    assert not re.search(r"\b2 GiB|\b512 MiB", text)


@pytest.fixture
def project(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.stem / "sal-2.yaml"


def test_an_einvoice_past_its_size_limit_is_refused_unread(project, tmp_path):
    big = tmp_path / "IT01234567890_00001.xml"
    with big.open("wb") as out:  # sparse: the size is checked before a byte is read
        out.truncate(einvoice.MAX_EINVOICE_BYTES + 1)
    before = project.read_bytes()
    r = run_cli("import-invoices", big, "--into", project, "--item", "D")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.strip().splitlines()[-1] == (
        f"clustbudget: {big}: file is too large (at most {einvoice.MAX_EINVOICE_BYTES:,} bytes)"
    )
    assert project.read_bytes() == before


def test_more_einvoice_files_than_the_limit_are_refused(project, tmp_path):
    folder = tmp_path / "fatture"
    folder.mkdir()
    for i in range(einvoice.MAX_EINVOICE_FILES + 1):
        (folder / f"IT01234567890_{i:05d}.xml").touch()
    before = project.read_bytes()
    r = run_cli("import-invoices", folder, "--into", project, "--item", "D")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.strip().splitlines()[-1] == (
        f"clustbudget: more than {einvoice.MAX_EINVOICE_FILES:,} e-invoice files in one import: "
        "import them by period"
    )
    assert project.read_bytes() == before
    assert os.listdir(project.parent) == os.listdir(EXAMPLE.parent / EXAMPLE.stem)


def test_limits_module_names_are_real():
    for name, _ in LIMITS:
        module, attr = name.split(" ")[0].split(".")
        assert hasattr(globals()[module], attr), name


def test_the_hostile_tests_run_the_cli_under_1_gib(monkeypatch):
    """Every ``run_cli`` of these modules limits the child's address space (``RLIMIT_AS``) to
    1 GiB: CI enforces the memory bound of the issue, not only the machine the tests ran on."""
    import subprocess

    from . import conftest

    seen = {}

    def fake_run(*args, **kwargs):
        seen.update(kwargs)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(conftest.subprocess, "run", fake_run)
    run_cli("validate", EXAMPLE)
    assert conftest._memory == 1024**3
    assert seen["preexec_fn"] is not None
