"""The xlsx package: openpyxl's skeleton with our rows streamed into it.

openpyxl saves the workbook with every sheet's set-up but empty ``<sheetData>``; the rows
(:mod:`.sheetxml`) are streamed into those sheets, with the ``<dimension>`` they cover, as
the package is copied to its file.
Writing that file atomically is :func:`clustbudget.atomic.write_atomic`'s job.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, BinaryIO

from .sheetxml import Rows

if TYPE_CHECKING:
    from openpyxl import Workbook

EMPTY_SHEET_DATA = b"<sheetData></sheetData>"
SHEET_VIEWS = b"<sheetViews>"


@dataclass(frozen=True)
class Package:
    """An xlsx package: openpyxl's saved skeleton, and the rows of each worksheet entry."""

    skeleton: bytes
    rows: Mapping[str, Rows]

    def write(self, out: BinaryIO) -> None:
        """Write the complete package to ``out`` (a binary file open for writing)."""
        with (
            zipfile.ZipFile(BytesIO(self.skeleton)) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as package,
        ):
            names = set(source.namelist())
            missing = [name for name in self.rows if name not in names]
            if missing:
                raise RuntimeError(f"worksheet entries not found in the workbook skeleton: {missing}")
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename not in self.rows:
                    package.writestr(info, data)
                    continue
                rows = self.rows[info.filename]
                head, found, tail = data.partition(EMPTY_SHEET_DATA)
                if not found or SHEET_VIEWS not in head:
                    raise RuntimeError(f"{info.filename}: no empty <sheetData> to fill in")
                # <dimension> comes right before <sheetViews> (the schema's order).
                dimension = f'<dimension ref="{rows.dimension}"/>'.encode()
                head = head.replace(SHEET_VIEWS, dimension + SHEET_VIEWS, 1)
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with package.open(entry, "w", force_zip64=True) as sheet:
                    sheet.write(head + b"<sheetData>")
                    for piece in rows.xml():
                        sheet.write(piece)
                    sheet.write(b"</sheetData>" + tail)


def package_of(wb: Workbook, sheet_names: Sequence[str], rows: Mapping[str, Rows]) -> Package:
    """Save openpyxl's skeleton of ``wb`` and pair each sheet's entry with its rows (the
    sheets are numbered in the order of ``sheet_names``, as openpyxl saves them).

    The workbook asks for a full calculation on load (``fullCalcOnLoad``): a spreadsheet that
    honours it computes every formula itself rather than show the cached results.
    """
    wb.calculation.fullCalcOnLoad = True
    skeleton = BytesIO()
    wb.save(skeleton)
    entries = {f"xl/worksheets/sheet{i}.xml": rows[name] for i, name in enumerate(sheet_names, 1)}
    return Package(skeleton.getvalue(), entries)
