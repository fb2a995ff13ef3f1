"""Writing a user's file safely: to a temporary file in the same folder, then renamed.

A crash or a full disk leaves either the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(target: Path, write: Callable[[Path], None], *, overwrite: bool = False) -> Path:
    """Call ``write(tmp)`` on a temporary path beside ``target``, then rename it to ``target``.

    Refuses (``FileExistsError``) to replace an existing file unless ``overwrite``. The new
    file keeps the permissions of the one it replaces.
    """
    target = Path(target)
    if target.exists() and not overwrite:
        raise FileExistsError(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as written:  # on disk before the rename, not only in the cache
            os.fsync(written.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        _sync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def write_text_atomic(target: Path, text: str, *, overwrite: bool = False) -> Path:
    """:func:`write_atomic` for UTF-8 text."""
    return write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite=overwrite)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
