"""Present as xlsx: workbook writers. Imported only by `export`; openpyxl is never loaded by
`validate`, `show` or `rules` — nor by importing this package: it is imported when a workbook
is written.

Modules: :mod:`.statement` lays out the budget workbook (which sheet shows what, which
formulas), :mod:`.rendiconto` a period's rendiconto; :mod:`.workbook` is what both have in
common (the error banner, header and total rows, the items chart, the Checks and Provenance
sheets, document properties), :mod:`.layout` the sheet set-up and the Checks table, :mod:`.styles` their cell formats, :mod:`.labels` their
words in Italian and English, :mod:`.sheetxml` writes rows as SpreadsheetML, :mod:`.package`
assembles the file.

The builders never compute a figure: every number in a cell (and every formula's cached
result) is :mod:`clustbudget.compute`'s, read from the pipeline's results.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pipeline import BudgetResult, ProjectResult, VariationResult
    from .package import Package


def export_budget(result: BudgetResult, target: Path, *, lang: str = "it", force: bool = False) -> Path:
    """Write the budget statement to ``target`` atomically; refuse to overwrite unless ``force``.

    ``lang`` is ``it`` (labels for the Region) or ``en``. The workbook has live formulas:
    item subtotals, the flat rate ``ROUND(rate × base, 2)`` and the total recompute when an
    input changes. A budget with errors is written with a red banner at the top of the
    Summary (refusing it is the caller's choice: the CLI does, unless --allow-errors).

    Raises :class:`FileExistsError` when ``target`` exists and ``force`` is false,
    :class:`ValueError` when the budget has no figures (it could not be computed) or
    ``lang`` is unknown, and :class:`OSError` when the file cannot be written; in every
    case nothing is left behind and an existing ``target`` is untouched.
    """
    from .statement import build

    target = Path(target)
    _refuse_existing(target, force)
    return _write(build(result, lang), target, force)


def export_report(
    project: ProjectResult, target: Path, *, period: int = -1, lang: str = "it", force: bool = False
) -> Path:
    """Write the rendiconto of one period to ``target`` atomically; refuse to overwrite unless ``force``.

    ``period`` is an index into ``project.computed`` (the reports whose figures could be
    computed, in period order); -1, the default, is the latest. The workbook has Summary
    (budget | earlier periods | this period | cumulative | remaining | % used), Staff,
    Expenses, Checks and Provenance sheets, with live formulas that recompute what
    :mod:`clustbudget.compute` computes. A project with errors is written with a red banner
    at the top of the Summary (refusing it is the caller's choice: the CLI does, unless
    --allow-errors).

    Raises :class:`FileExistsError` when ``target`` exists and ``force`` is false,
    :class:`ValueError` when the budget or every report could not be computed or ``lang``
    is unknown, :class:`IndexError` when ``period`` is out of range, and :class:`OSError`
    when the file cannot be written; in every case nothing is left behind and an existing
    ``target`` is untouched.
    """
    from .rendiconto import build

    target = Path(target)
    _refuse_existing(target, force)
    return _write(build(project, period, lang), target, force)


def export_variation(result: VariationResult, target: Path, *, lang: str = "it", force: bool = False) -> Path:
    """Write the variation workbook (``clustbudget variation OLD NEW -o FILE``) to ``target``
    atomically; refuse to overwrite unless ``force``.

    Shaped like the Region's variation form: per cost item (and per year, per action where
    the budget splits them) the approved cost, the requested amount, the difference and the
    note, with live formulas (E recomputed from each version's direct costs, totals by SUM,
    the tolerance and what is beyond it when the call pack sets it). Two versions with errors
    are written with a red banner at the top.

    Raises :class:`FileExistsError` when ``target`` exists and ``force`` is false,
    :class:`ValueError` when the versions cannot be compared or ``lang`` is unknown, and
    :class:`OSError` when the file cannot be written; nothing is left behind.
    """
    from .variation import build

    target = Path(target)
    _refuse_existing(target, force)
    return _write(build(result, lang), target, force)


def _refuse_existing(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise FileExistsError(
            errno.EEXIST, "the workbook already exists (overwrite it with force)", str(target)
        )


def _write(package: Package, target: Path, force: bool) -> Path:
    from ..atomic import write_atomic

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as out:
            package.write(out)  # write_atomic syncs it to disk before the rename

    return write_atomic(target, write, overwrite=force)
