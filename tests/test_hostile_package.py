"""A claim package killed while it is written (issue 12): a real SIGKILL at timed moments and
at each step of the replacement. The user's output is always a complete package (the previous
one or the new one, never a part of either); a killed run's hidden staging folder (our own
naming, ``.NAME.<hex>.tmp``) is removed by the next run, and a previous package a killed run
had moved aside is put back under its name."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from clustbudget.atomic import remove_stale_staging

from .conftest import ROOT, run_cli

BUDGET = "budgets/clust-er-health-2020-2022.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    return tmp_path


def package_of(target: Path) -> tuple[str, dict[str, bytes]]:
    """The period of a complete package and its files; fails on anything less than complete
    (a file missing, one the manifest does not list, a SHA-256 that does not match)."""
    if target.suffix == ".zip":
        with zipfile.ZipFile(target) as z:
            files = {name: z.read(name) for name in z.namelist()}
    else:
        files = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    manifest = json.loads(files["manifest.json"])
    assert set(files) == {f["path"] for f in manifest["files"]} | {"manifest.json"}
    for f in manifest["files"]:
        assert hashlib.sha256(files[f["path"]]).hexdigest() == f["sha256"], f["path"]
    return manifest["period"]["id"], files


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def start(cwd: Path, target: str, period: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "CLUSTBUDGET_LANG")}
    full.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "clustbudget", "package", BUDGET, "--period", period, "-o", target, "--force"],
        cwd=cwd,
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@pytest.mark.parametrize("target", ["out", "out.zip"])
def test_a_package_killed_at_any_moment_leaves_a_complete_package_and_the_next_run_cleans(project, target):
    first = run_cli("package", BUDGET, "--period", "SAL-1", "-o", target, cwd=project)
    assert first.returncode == 0, first.stderr
    _, old = package_of(project / target)
    outcomes = set()
    # From the imports to the last rename (a run takes 1.5-5 s on this machine).
    for delay in (0.3, 0.8, 1.3, 1.8, 2.4, 3.2, 4.5):
        run = start(project, target, "SAL-2")
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        period, files = package_of(project / target)  # complete, whichever it is
        if period == "SAL-1":
            assert files == old
        outcomes.add((period, run.returncode))
        # beside the output: only our hidden staging, nothing half-written under another name
        assert sorted(p.name for p in project.iterdir() if not p.name.startswith(".")) == ["budgets", target]
        assert all(name.startswith(f".{target}.") and name.endswith(".tmp") for name in hidden(project))
        # put the old package back for the next kill, if the run got to the end
        if period == "SAL-2":
            again = run_cli("package", BUDGET, "--period", "SAL-1", "-o", target, "--force", cwd=project)
            assert again.returncode == 0, again.stderr
            # a new SAL-1 package: complete, but its workbooks carry the time they were made
            # (zip entry times), so it is the "old" one of the next kill
            period, old = package_of(project / target)
            assert period == "SAL-1"
    assert any(code == -signal.SIGKILL for _, code in outcomes), outcomes  # some kills landed mid-run
    done = run_cli("package", BUDGET, "--period", "SAL-2", "-o", target, "--force", cwd=project)
    assert done.returncode == 0, done.stderr
    assert package_of(project / target)[0] == "SAL-2"
    assert hidden(project) == []  # the killed runs' staging folders are gone


# A child that SIGKILLs itself at one step of the replacement, the exact moment a timed kill
# rarely hits.
KILL_AT = """
import os, signal, sys
import clustbudget.atomic as atomic, clustbudget.claim as claim
point = sys.argv.pop(1)
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if point == "building":  # the staging folder half full
    import clustbudget.pdf.rendiconto as rendiconto
    rendiconto.write = die
elif point == "exchanged":  # the new package in place, the old one not removed yet
    claim._remove_old = die
elif point == "aside":  # no renameat2: the old package moved aside, the new one not in place
    atomic.exchange = lambda a, b: False
    rename = os.rename
    def first_then_die(a, b):
        rename(a, b)
        if str(b).endswith(".old"):
            die()
    os.rename = first_then_die
from clustbudget.cli import main
sys.argv[0] = "clustbudget"
main()
"""


@pytest.mark.parametrize("target", ["out", "out.zip"])
@pytest.mark.parametrize("point", ["building", "exchanged", "aside"])
def test_a_kill_at_each_step_of_the_replacement_keeps_a_package(project, target, point):
    if point != "building" and target.endswith(".zip"):
        pytest.skip("a zip is one file, replaced by atomic.write_atomic (test_hostile_writes)")
    first = run_cli("package", BUDGET, "--period", "SAL-1", "-o", target, cwd=project)
    assert first.returncode == 0, first.stderr
    _, old = package_of(project / target)
    args = [
        sys.executable,
        "-c",
        KILL_AT,
        point,
        "package",
        BUDGET,
        "--period",
        "SAL-2",
        "-o",
        target,
        "--force",
    ]
    killed = subprocess.run(args, cwd=project, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if point == "aside":
        # the old package is aside under our naming, its name free: the next run puts it back
        assert not (project / target).exists()
        remove_stale_staging(project)
    period, files = package_of(project / target)
    assert period == ("SAL-2" if point == "exchanged" else "SAL-1")
    if period == "SAL-1":
        assert files == old
    assert sorted(p.name for p in project.iterdir() if not p.name.startswith(".")) == ["budgets", target]
    again = run_cli("package", BUDGET, "--period", "SAL-2", "-o", target, "--force", cwd=project)
    assert again.returncode == 0, again.stderr
    assert package_of(project / target)[0] == "SAL-2"
    assert hidden(project) == []


def test_a_staging_folder_a_running_package_holds_is_not_removed(project):
    from clustbudget.atomic import staging_folder

    staging, held = staging_folder(project, "out")
    try:
        remove_stale_staging(project)
        assert staging.is_dir()  # being built
    finally:
        os.close(held)
    remove_stale_staging(project)
    assert not staging.exists()  # its run is gone: stale
