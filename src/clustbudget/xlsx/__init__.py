"""Present as xlsx: workbook writers. Imported only by `export`; openpyxl is never loaded by
`validate`, `show` or `rules` — nor by importing this package: it is imported when a workbook
is written.

Modules: :mod:`.statement` lays out the budget workbook (which sheet shows what, which
formulas), :mod:`.styles` its cell formats, :mod:`.labels` its words in Italian and English,
:mod:`.sheetxml` writes rows as SpreadsheetML, :mod:`.package` assembles the file and writes
it atomically.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..validation import BudgetResult


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
    from ..atomic import write_atomic
    from .statement import build

    target = Path(target)
    if target.exists() and not force:
        raise FileExistsError(
            errno.EEXIST, "the workbook already exists (overwrite it with force)", str(target)
        )
    package = build(result, lang)

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as out:
            package.write(out)
            out.flush()
            # On disk before the rename: after a power cut, the old workbook or the whole new one.
            os.fsync(out.fileno())

    return write_atomic(target, write, overwrite=force)
