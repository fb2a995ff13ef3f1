"""LibreOffice headless, for tests: recalculate exported workbooks and read back the figures.

clustbudget writes every formula with its result as computed by :mod:`clustbudget.compute`
(the cell's cached value), and openpyxl cannot evaluate formulas: to check that the workbook
really computes what clustbudget computes, a spreadsheet application must compute it, and
must be seen to. :func:`recalculate` has LibreOffice load each workbook and save it again as
xlsx; the copies then carry LibreOffice's results, which openpyxl reads with
``data_only=True``.

How LibreOffice treats formulas on load: a formula cell that has no cached result is
computed (it is "dirty"); a cell that has one keeps it unless "Recalculation on file load"
(Tools › Options › Calc › Formula; ``OOXMLRecalcMode`` for xlsx) says otherwise, and its
default is *never* (it ignores the workbook's ``fullCalcOnLoad``, which Excel honours). Each
run here uses a fresh profile with that setting at *always*, so every formula is computed by
LibreOffice whatever the file carries; a test that a stale cached result comes back
corrected proves the setting takes effect
(``test_libreoffice_helper_recalculates_stale_results``).

And so that a recalculated figure can never be our cached value echoed back, the workbooks
LibreOffice recalculates are written by the real writer with a **wrong** cached result in
every formula cell (:func:`wrong_cached_results`); :func:`assert_recalculated_from_wrong_cache`
checks, cell by cell, that LibreOffice replaced each wrong result, and that what it computed
is the result the honest workbook caches.

Without LibreOffice the tests are skipped locally, and fail when ``CI`` is set (CI installs
it): they can never pass silently.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from clustbudget.xlsx import sheetxml

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
    return _convert(workbooks, outdir, "xlsx:Calc MS Excel 2007 XML", ".xlsx", recalc_mode, timeout)


def to_pdf(workbooks: Sequence[Path], outdir: Path, *, timeout: float = 240) -> dict[Path, Path]:
    """Have LibreOffice print each workbook to PDF in ``outdir`` (every sheet, with its page
    set-up), in one run; returns each workbook's PDF."""
    return _convert(workbooks, outdir, "pdf", ".pdf", ALWAYS, timeout)


def _convert(
    workbooks: Sequence[Path], outdir: Path, target: str, suffix: str, recalc_mode: int, timeout: float
) -> dict[Path, Path]:
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
            target,
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
    copies = {w: outdir / (w.stem + suffix) for w in workbooks}
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


WRONG = Decimal("7777.77")
WRONG_TEXT = "wrong: "
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@contextmanager
def wrong_cached_results() -> Iterator[None]:
    """Within this block, the real writer caches a wrong result in every formula cell:
    ``-(right result) - 7,777.77``, which no formula of a workbook here computes."""
    right = sheetxml.formula_xml

    def wrong(ref: str, formula: sheetxml.Formula, style: sheetxml.Style) -> str:
        if isinstance(formula.value, str):  # words a formula gives ("over budget")
            return right(ref, sheetxml.Formula(formula.text, WRONG_TEXT + formula.value), style)
        return right(ref, sheetxml.Formula(formula.text, -formula.value - WRONG), style)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheetxml, "formula_xml", wrong)
        yield


def cached_results(path: Path) -> dict[tuple[str, str], tuple[str, Decimal | str]]:
    """Every formula cell of a workbook clustbudget wrote: (sheet, cell) → (formula, cached
    result as written, exactly: a number, or the words of a text result). Fails on a formula
    without a cached result."""
    titles = openpyxl.load_workbook(path, read_only=True).sheetnames
    out = {}
    with zipfile.ZipFile(path) as package:
        for i, title in enumerate(titles, 1):
            root = ElementTree.fromstring(package.read(f"xl/worksheets/sheet{i}.xml"))
            for c in root.iterfind(".//m:c", _NS):
                f = c.find("m:f", _NS)
                if f is None:
                    continue
                v = c.findtext("m:v", namespaces=_NS)
                assert v, f"{path.name} {title}!{c.get('r')} ={f.text}: no cached result"
                if c.get("t") == "str":
                    out[(title, c.get("r"))] = (f.text or "", v)
                    continue
                assert re.fullmatch(r"-?\d+(\.\d+)?", v), (title, c.get("r"), v)
                out[(title, c.get("r"))] = (f.text or "", Decimal(v))
    return out


def assert_recalculated_from_wrong_cache(honest: Path, wrong: Path, recalculated: Path) -> int:
    """``wrong`` (the workbook with wrong cached results) recalculated by LibreOffice is
    ``recalculated``: every formula cell's result there differs from the wrong one it was
    given, and equals the result ``honest`` caches. Returns how many cells."""
    ours, theirs = cached_results(honest), cached_results(wrong)
    assert ours.keys() == theirs.keys(), "the honest and the wrong workbook differ in their formulas"
    values = openpyxl.load_workbook(recalculated, data_only=True)
    for (sheet, ref), (formula, right) in ours.items():
        where = f"{honest.name} {sheet}!{ref} ={formula}"
        if isinstance(right, str):
            assert theirs[(sheet, ref)] == (formula, WRONG_TEXT + right), where
            assert values[sheet][ref].value == right, (
                f"{where}: LibreOffice gave {values[sheet][ref].value!r}"
            )
            continue
        assert theirs[(sheet, ref)] == (formula, -right - WRONG), where
        got = number(values[sheet][ref].value, where)
        assert got != -right - WRONG, f"{where}: LibreOffice kept the wrong cached result"
        # shares too: their formulas round to four decimals as compute does, so what a
        # spreadsheet computes is the cached value exactly (up to binary float noise)
        tolerance = Decimal("0.000001")
        assert abs(got - right) <= tolerance, (
            f"{where}: LibreOffice computed {got}, the workbook caches {right}"
        )
    return len(ours)
