"""Present as xlsx: workbook writers. Imported only by `export`; openpyxl is never loaded by
`validate`, `show` or `rules`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..validation import BudgetResult


def export_budget(result: BudgetResult, target: Path, *, lang: str = "it", force: bool = False) -> Path:
    """Write the budget statement to ``target`` atomically; refuse to overwrite unless ``force``."""
    raise NotImplementedError("export is being written")
