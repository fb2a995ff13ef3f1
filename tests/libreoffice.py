"""LibreOffice headless, for tests: recalculate exported workbooks and read back the figures.

clustbudget writes formulas without cached results, and openpyxl cannot evaluate formulas: to
check that the workbook really computes what :mod:`clustbudget.compute` computes, a
spreadsheet application must compute it. :func:`recalculate` has LibreOffice load each
workbook and save it again as xlsx; the copies then carry LibreOffice's results, which
openpyxl reads with ``data_only=True``.

How LibreOffice treats formulas on load: a formula cell that has no cached result is
computed (it is "dirty"); a cell that has one keeps it unless "Recalculation on file load"
(Tools › Options › Calc › Formula; ``OOXMLRecalcMode`` for xlsx) says otherwise, and its
default is *never*. Each run here uses a fresh profile with that setting at *always*, so
every formula is computed by LibreOffice whatever the file carries; a test that a stale
cached result comes back corrected proves the setting takes effect
(``test_libreoffice_helper_recalculates_stale_results``).

Without LibreOffice the tests are skipped locally, and fail when ``CI`` is set (CI installs
it): they can never pass silently.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

ALWAYS, NEVER = 0, 1
"""Values of OOXMLRecalcMode: recalculate always, never (LibreOffice's default), 2 = ask."""

_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop>
</item>
</oor:items>
"""


def soffice() -> str:
    """The LibreOffice executable; skip the test without it, or fail it when CI is set."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    message = "LibreOffice (soffice) is not installed: the workbook's formulas cannot be recalculated"
    if os.environ.get("CI"):
        pytest.fail(message + " — CI must install it", pytrace=False)
    pytest.skip(message)


def recalculate(
    workbooks: Sequence[Path], outdir: Path, *, recalc_mode: int = ALWAYS, timeout: float = 240
) -> dict[Path, Path]:
    """Have LibreOffice load each workbook and save it as xlsx in ``outdir``, in one run.

    Returns each workbook's recalculated copy. The input names must be distinct (the copies
    keep them). A fresh profile per run keeps runs independent (no lock, no leftover
    settings) and sets "Recalculation on file load" to ``recalc_mode``.
    """
    executable = soffice()
    names = [w.name for w in workbooks]
    assert len(set(names)) == len(names), f"workbook names must be distinct: {names}"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="clustbudget-lo-profile-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(
            _SETTINGS.format(mode=recalc_mode), encoding="utf-8"
        )
        command = [
            executable,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            *map(str, workbooks),
        ]
        # Its own process group, so that a hung LibreOffice (and its children) can be ended
        # by that group's id alone.
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"LibreOffice did not finish within {timeout} s: {' '.join(command)}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    copies = {w: outdir / w.name for w in workbooks}
    missing = [str(w) for w, copy in copies.items() if not copy.is_file()]
    assert not missing, (
        f"LibreOffice (exit {proc.returncode}) did not convert {missing}\nstdout: {out}\nstderr: {err}"
    )
    return copies


def number(value: object, where: str = "") -> Decimal:
    """A recalculated cell's value as an exact Decimal; fails on an empty or non-numeric cell.

    LibreOffice writes the shortest text that reads back as the same binary number, so
    ``repr`` of the float openpyxl returns is that text (``250.01``, not 250.00999…).
    """
    assert isinstance(value, int | float) and not isinstance(value, bool), (
        f"{where}: expected a computed number, got {value!r} (was the formula recalculated?)"
    )
    return Decimal(repr(value))


def cents(value: object, where: str = "") -> Decimal:
    """A recalculated amount, which must be a whole number of cents up to float noise."""
    exact = number(value, where)
    rounded = exact.quantize(Decimal("0.01"))
    assert abs(exact - rounded) < Decimal("0.000001"), f"{where}: {exact} is not a whole number of cents"
    return rounded
