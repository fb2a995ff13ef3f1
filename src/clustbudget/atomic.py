"""Writing a user's file safely: to a temporary file in the same folder, then renamed.

A crash or a full disk leaves either the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def write_atomic(target: Path, write: Callable[[Path], object], *, overwrite: bool = False) -> Path:
    """Call ``write(tmp)`` on a temporary path beside ``target``, then rename it to ``target``.

    Refuses (``FileExistsError``) to replace an existing file unless ``overwrite``. The new
    file keeps the permissions of the one it replaces.
    """
    target = Path(target)
    if target.exists() and not overwrite:
        raise FileExistsError(target)
    folder = target.parent if str(target.parent) else Path(".")
    tmp = _new_temporary(folder, target.name)
    try:
        write(tmp)
        with open(tmp, "rb+") as written:  # on disk before the rename, not only in the cache
            os.fsync(written.fileno())
        if overwrite:
            if target.exists():
                with contextlib.suppress(OSError):
                    os.chmod(tmp, target.stat().st_mode & 0o7777)
            os.replace(tmp, target)
        else:
            # link() fails if the target appeared meanwhile: never clobber a file we did not see
            os.link(tmp, target)
            tmp.unlink()
        _sync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def _new_temporary(folder: Path, name: str) -> Path:
    """A new, empty, hidden file beside the target, created with the permissions a new file
    gets (0666 less the umask, applied by the system: no process-wide umask juggling)."""
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"could not create a temporary file in {folder}")


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
