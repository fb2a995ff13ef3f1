"""Writes under hostile conditions: concurrent imports, a lock held by another run, symlinks,
read-only reports, SIGKILL in the middle of a write. Nothing the user owns is lost or left
half-written, and nothing is left behind for the user to clean."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from clustbudget import atomic
from clustbudget.atomic import locked, write_text_atomic
from clustbudget.loading import load_file

from .conftest import EXAMPLE, ROOT, run_cli

HEADER = "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;Data pagamento;Modalità di pagamento\n"


@pytest.fixture
def project(tmp_path):
    """A copy of the example project; returns its SAL-2 report."""
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.stem / "sal-2.yaml"


def ledger(folder: Path, name: str, document: str) -> Path:
    path = folder / f"{name}.csv"
    path.write_text(
        HEADER + f"15/01/2022;D;Stampa {name};Tipografia {name};{document};100,00;10/02/2022;Bonifico\n"
    )
    return path


def documents(report: Path) -> list[str]:
    return [e.document for e in load_file(report).model.expenses]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_concurrent_imports_into_one_report_are_all_kept(project, tmp_path):
    ledgers = [ledger(tmp_path, f"l{i}", f"CONC-{i}") for i in range(4)]
    env = {k: v for k, v in os.environ.items() if k != "CLUSTBUDGET_DEBUG"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "clustbudget", "import-expenses", str(p), "--into", str(project)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in ledgers
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.stdout.close()  # type: ignore[union-attr]
        p.stderr.close()  # type: ignore[union-attr]
    imported = [f"CONC-{i}" for i, (code, _, _) in enumerate(results) if code == 0]
    assert len(imported) == 4, results  # the lock waits (10 s) far longer than an import takes
    assert sorted(d for d in documents(project) if d.startswith("CONC-")) == imported
    assert leftovers(project.parent) == []


def test_a_report_locked_by_another_run_is_refused_after_the_timeout(project, tmp_path):
    before = project.read_bytes()
    with open(project, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        r = run_cli(
            "import-expenses",
            ledger(tmp_path, "l", "FT 1"),
            "--into",
            project,
            env={"CLUSTBUDGET_LOCK_TIMEOUT": "0.3"},
        )
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"clustbudget: {project}: cannot write: another clustbudget run is writing it (waited 0.3 s): "
        "try again when it has finished"
    ]
    assert project.read_bytes() == before
    # a dry run reads without waiting for the lock
    with open(project, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        dry = run_cli("import-expenses", tmp_path / "l.csv", "--into", project, "--dry-run")
    assert dry.returncode == 0, dry.stderr


def test_the_lock_follows_a_file_replaced_while_waiting(tmp_path):
    target = tmp_path / "r.yaml"
    target.write_text("old\n")
    with locked(target):
        write_text_atomic(target, "new\n", overwrite=True, lock=False)  # what the run holding the lock does
    with locked(target, timeout=0.5) as real:
        assert real.read_text() == "new\n"


def test_export_force_waits_for_the_lock_of_the_file_it_replaces(project, tmp_path):
    # Issue 12: every writer that replaces a file takes the lock the import takes, so an
    # `export --force` never replaces a file another run is rewriting.
    budget = tmp_path / EXAMPLE.name
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the workbook of another run")
    with open(target, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        r = run_cli("export", budget, "-o", target, "--force", env={"CLUSTBUDGET_LOCK_TIMEOUT": "0.3"})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "another clustbudget run is writing it (waited 0.3 s)" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == b"the workbook of another run"
    assert leftovers(tmp_path) == []
    # once the other run is done, the same command replaces it
    r = run_cli("export", budget, "-o", target, "--force")
    assert r.returncode == 0, r.stdout + r.stderr
    assert target.read_bytes()[:2] == b"PK"


def test_a_write_that_replaces_a_file_takes_its_lock(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTBUDGET_LOCK_TIMEOUT", "0.2")
    target = tmp_path / "r.yaml"
    target.write_text("old\n")
    with open(target, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(atomic.FileBusy):
            atomic.write_atomic(target, lambda tmp: tmp.write_text("new\n"), overwrite=True)
    assert target.read_text() == "old\n"


def test_into_a_symlink_writes_through_to_the_report(project, tmp_path):
    link = tmp_path / "current.yaml"
    link.symlink_to(project)
    r = run_cli("import-expenses", ledger(tmp_path, "l", "VIA-LINK"), "--into", link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and link.resolve() == project.resolve()
    assert "VIA-LINK" in documents(project)
    assert leftovers(tmp_path) == [] and leftovers(project.parent) == []


def test_a_read_only_report_is_refused_and_kept(project, tmp_path):
    before = project.read_bytes()
    project.chmod(0o444)
    try:
        r = run_cli("import-expenses", ledger(tmp_path, "l", "FT 1"), "--into", project)
        assert r.returncode == 2, r.stderr
        assert "cannot write: the file is read-only (mode 0444): make it writable first" in r.stderr
        assert "Traceback" not in r.stderr
        assert project.read_bytes() == before and project.stat().st_mode & 0o777 == 0o444
    finally:
        project.chmod(0o644)


def test_a_symlink_written_through_keeps_permissions_and_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(real.name)
    write_text_atomic(link, "new\r\nline\n", overwrite=True)
    assert link.is_symlink() and real.read_bytes() == b"new\r\nline\n"
    assert real.stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------ SIGKILL during a write

SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from clustbudget import atomic
    if sys.argv[3] == "named":
        atomic._unnamed = lambda folder: None   # as on a file system without O_TMPFILE
    def write(tmp):
        with open(tmp, "w") as out:
            out.write("half of the new ")
            out.flush()
            Path(sys.argv[2]).write_text("writing")
            time.sleep(60)
            out.write("file")
    atomic.write_atomic(Path(sys.argv[1]), write, overwrite=True)
    """
)


def kill_while_writing(target: Path, flag: Path, how: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target), str(flag), how], cwd=ROOT)
    try:
        for _ in range(600):
            if flag.exists():
                break
            time.sleep(0.02)
        assert flag.exists(), "the writer never started writing"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


def test_sigkill_during_a_write_leaves_the_old_file_and_nothing_else(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    target = folder / "sal-2.yaml"
    target.write_text("old\n")
    kill_while_writing(target, tmp_path / "flag", "unnamed")
    assert sorted(p.name for p in folder.iterdir()) == ["sal-2.yaml"]
    assert target.read_text() == "old\n"


def test_a_killed_runs_temporary_is_removed_at_the_next_write(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    target = folder / "sal-2.yaml"
    target.write_text("old\n")
    kill_while_writing(target, tmp_path / "flag", "named")
    assert len(leftovers(folder)) == 1 and target.read_text() == "old\n"  # what a named temporary risks
    # one being written right now by another run (locked) is kept
    busy = folder / ".sal-1.yaml.0123456789ab.tmp"
    busy.write_text("in progress")
    theirs = os.open(busy, os.O_RDONLY)
    fcntl.flock(theirs, fcntl.LOCK_EX)
    try:
        # the next write to that folder, of any file, removes the stale one
        write_text_atomic(folder / "other.yaml", "x\n")
        assert leftovers(folder) == [busy.name]
    finally:
        os.close(theirs)
    write_text_atomic(target, "new\n", overwrite=True)
    assert leftovers(folder) == [] and target.read_text() == "new\n"
    # a user's own file that only looks like ours (no 12 hex digits) is never touched
    mine = folder / ".notes.tmp"
    mine.write_text("mine")
    write_text_atomic(target, "newer\n", overwrite=True)
    assert mine.read_text() == "mine"


def test_without_o_tmpfile_writes_still_leave_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_unnamed", lambda folder: None)
    target = tmp_path / "a.txt"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two", overwrite=True)
    with pytest.raises(FileExistsError):
        write_text_atomic(target, "three")
    assert target.read_text() == "two" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_concurrent_export_force_to_one_file_leaves_one_complete_workbook(project, tmp_path):
    # Issue 12: two `export --force` of one workbook at the same moment (in Italian and in
    # English, so the file says whose it is): each exits 0, or 2 with the lock's message in its
    # language when the other held the file past the timeout; the file is always one run's
    # whole workbook, never a mix or a part, and nothing is left beside it.
    import openpyxl

    budget = tmp_path / EXAMPLE.name
    target = tmp_path / "out.xlsx"
    sheets = {}
    for lang in ("it", "en"):
        r = run_cli("export", budget, "-o", tmp_path / f"{lang}.xlsx", "--lang", lang)
        assert r.returncode == 0, r.stderr
        sheets[lang] = openpyxl.load_workbook(tmp_path / f"{lang}.xlsx", read_only=True).sheetnames
    assert sheets["it"] != sheets["en"]
    target.write_bytes((tmp_path / "it.xlsx").read_bytes())
    busy = {
        "en": "clustbudget: {target}: cannot be written: another clustbudget run is writing it "
        "(waited {s} s): try again when it has finished",
        "it": "clustbudget: {target}: impossibile scrivere il file: un'altra esecuzione di clustbudget "
        "lo sta scrivendo (atteso {s} s): riprova quando avrà finito",
    }
    env = {k: v for k, v in os.environ.items() if k not in ("CLUSTBUDGET_DEBUG", "CLUSTBUDGET_LANG")}
    codes = []
    for timeout in ("10", "0"):  # the default wait, and none at all (a held file is refused at once)
        langs = ["it", "en", "it", "en"]
        command = [sys.executable, "-m", "clustbudget", "export", str(budget), "-o", str(target), "--force"]
        procs = [
            subprocess.Popen(
                [*command, "--lang", lang],
                cwd=ROOT,
                env={**env, "CLUSTBUDGET_LOCK_TIMEOUT": timeout},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for lang in langs
        ]
        for lang, p in zip(langs, procs, strict=True):
            code, err = p.wait(timeout=120), p.stderr.read()  # type: ignore[union-attr]
            p.stderr.close()  # type: ignore[union-attr]
            codes.append(code)
            assert code in (0, 2), err
            if code == 2:
                assert err.strip().splitlines() == [busy[lang].format(target=target, s=timeout)], err
        workbook = openpyxl.load_workbook(target, read_only=True)
        assert workbook.sheetnames in (sheets["it"], sheets["en"])
        assert leftovers(tmp_path) == []
    assert codes.count(0) >= 2  # at least one run of each round wrote
