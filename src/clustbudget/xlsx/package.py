"""The xlsx package: openpyxl's skeleton with our rows streamed into it.

openpyxl saves the workbook with every sheet's set-up but empty ``<sheetData>``; the rows
(:mod:`.sheetxml`) are streamed into those sheets, with the ``<dimension>`` they cover, as
the package is copied to its file.
Writing that file atomically is :func:`clustbudget.atomic.write_atomic`'s job.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import TYPE_CHECKING, BinaryIO

from ..records import dataclass
from .sheetxml import Rows, deflater

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
        """Write the complete package to ``out`` (a binary file open for writing).

        The sheets' rows go in as :class:`Rows` holds them, already deflated, between their
        sheet's deflated head and tail (one deflate stream: each part ends on a sync flush).
        """
        with zipfile.ZipFile(BytesIO(self.skeleton)) as source:
            names = set(source.namelist())
            missing = [name for name in self.rows if name not in names]
            if missing:
                raise RuntimeError(f"worksheet entries not found in the workbook skeleton: {missing}")
            package = _Zip(out)
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename not in self.rows:
                    package.add(info, [_deflate(data)], zlib.crc32(data), len(data))
                    continue
                rows = self.rows[info.filename]
                head, found, tail = data.partition(EMPTY_SHEET_DATA)
                if not found or SHEET_VIEWS not in head:
                    raise RuntimeError(f"{info.filename}: no empty <sheetData> to fill in")
                # <dimension> comes right before <sheetViews> (the schema's order).
                dimension = f'<dimension ref="{rows.dimension}"/>'.encode()
                head = head.replace(SHEET_VIEWS, dimension + SHEET_VIEWS, 1) + b"<sheetData>"
                tail = b"</sheetData>" + tail
                first = deflater()
                pieces, crc, size = rows.deflated()
                package.add(
                    info,
                    [first.compress(head) + first.flush(zlib.Z_SYNC_FLUSH), *pieces, _deflate(tail)],
                    zlib.crc32(tail, crc32_combine(zlib.crc32(head), crc, size)),
                    len(head) + size + len(tail),
                )
            package.close()


def _deflate(data: bytes) -> bytes:
    packer = deflater()
    return packer.compress(data) + packer.flush()


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_MAX = 0xFFFFFFFF


class _Zip:
    """A zip archive of deflated entries, written in order (no zip64: a workbook holds less
    than 4 GiB; past that the package is refused)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offset = 0
        self.central: list[bytes] = []

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def add(self, info: zipfile.ZipInfo, pieces: Sequence[bytes], crc: int, size: int) -> None:
        """An entry named and dated as ``info``: its deflated ``pieces``, the CRC-32 and the
        length of the data they hold."""
        packed = sum(map(len, pieces))
        if max(size, packed, self.offset) >= _MAX:
            raise RuntimeError(f"{info.filename}: the workbook would exceed 4 GiB")
        name = info.filename.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # bit 11: the name is UTF-8
        year, month, day, hour, minute, second = info.date_time
        time = hour << 11 | minute << 5 | second // 2
        date = (year - 1980) << 9 | month << 5 | day
        at = self.offset
        self._write(
            _LOCAL.pack(b"PK\x03\x04", 20, flags, 8, time, date, crc, packed, size, len(name), 0) + name
        )
        for piece in pieces:
            self._write(piece)
        made_by = info.create_system << 8 | 20
        self.central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                made_by,
                20,
                flags,
                8,
                time,
                date,
                crc,
                packed,
                size,
                len(name),
                0,
                0,
                0,
                0,
                info.external_attr,
                at,
            )
            + name
        )

    def close(self) -> None:
        """Write the central directory."""
        start = self.offset
        for entry in self.central:
            self._write(entry)
        n = len(self.central)
        self._write(_END.pack(b"PK\x05\x06", 0, 0, n, n, self.offset - start, start, 0))


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc1`` of ``a``, ``crc2`` of ``b`` and ``len2`` (the
    length of ``b``): zlib's ``crc32_combine``, which Python's zlib does not offer."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _square(odd)  # two zero bits
    odd = _square(even)  # four
    while True:  # apply len2 zero bytes to crc1
        even = _square(odd)
        if len2 & 1:
            crc1 = _times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _square(even)
        if len2 & 1:
            crc1 = _times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, row) for row in matrix]


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
