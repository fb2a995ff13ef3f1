"""Writing the xlsx package: openpyxl's skeleton with our rows, to a file, atomically.

openpyxl saves the workbook with every sheet's set-up but empty ``<sheetData>``; the rows
(:mod:`.sheetxml`) are streamed into those sheets as the package is copied to the target.
The package goes to a temporary file in the target's folder, is flushed to disk, and only
then renamed over the target (:func:`os.replace`), so a crash or a full disk never leaves
half a workbook behind, and never destroys the workbook that was there.
"""

from __future__ import annotations

import errno
import os
import secrets
import zipfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

EMPTY_SHEET_DATA = b"<sheetData></sheetData>"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Package:
    """An xlsx package: openpyxl's saved skeleton, and the rows of each worksheet entry."""

    skeleton: bytes
    rows: Mapping[str, Iterable[str]]

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
                head, found, tail = data.partition(EMPTY_SHEET_DATA)
                if not found:
                    raise RuntimeError(f"{info.filename}: no empty <sheetData> to fill in")
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with package.open(entry, "w", force_zip64=True) as sheet:
                    sheet.write(head + b"<sheetData>")
                    _stream(sheet, self.rows[info.filename])
                    sheet.write(b"</sheetData>" + tail)


def _stream(out: BinaryIO, rows: Iterable[str]) -> None:
    buffer: list[str] = []
    size = 0
    for row in rows:
        buffer.append(row)
        size += len(row)
        if size >= _CHUNK:
            out.write("".join(buffer).encode("utf-8"))
            buffer, size = [], 0
    out.write("".join(buffer).encode("utf-8"))


def write_atomically(target: Path, write: Callable[[BinaryIO], None], *, force: bool = False) -> None:
    """Call ``write`` on a temporary file next to ``target``, then rename it to ``target``.

    Raises :class:`FileExistsError` when ``target`` exists and ``force`` is false. Whatever
    goes wrong, the temporary file is removed and ``target`` is left as it was.
    """
    if not force and target.exists():
        raise _exists(target)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never write through a file or link someone else put there. Mode 0o666 minus
    # the umask, as for any file the user creates (mkstemp would give 0o600).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        if not force and target.exists():
            raise _exists(target)
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(target.parent)


def _exists(target: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, "the workbook already exists (overwrite it with force)", str(target))


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
