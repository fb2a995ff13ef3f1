"""Writing a user's file safely: all of the new file or none of it, never over a concurrent run.

- The new content goes to a file no one can see yet: on Linux an unnamed file (``O_TMPFILE``)
  linked into place once complete; elsewhere, or where the file system cannot, a hidden
  temporary ``.NAME.<12 hex>.tmp`` renamed over the target. A crash, a kill or a full disk
  leaves the old file or the new one, never half of either. A temporary left by a killed run
  is removed at the next write to that folder (one still being written is locked, and kept).
- A symlink is written through: the file it points to is replaced, the link stays a link.
- A read-only file (no write permission at all, ``chmod 444``) is refused, even for root.
- :func:`locked` serialises writers of one file (``flock``): a run that reads a file, changes
  it and writes it back holds the lock from the read to the rename, so no concurrent run's
  change is lost. Where ``flock`` does not exist (Windows) it does not lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .i18n import msg

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_TIMEOUT = 10.0
"""Seconds a writer waits for another run holding the same file (``CLUSTBUDGET_LOCK_TIMEOUT``)."""

_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")


class FileBusy(OSError):
    """Another run holds the lock on the file for longer than the timeout."""


def write_atomic(
    target: Path, write: Callable[[Path], object], *, overwrite: bool = False, lock: bool = True
) -> Path:
    """Call ``write(tmp)`` on a path no one else sees, then put that file at ``target``.

    Refuses (``FileExistsError``) to replace an existing file unless ``overwrite``, and
    (``PermissionError``) to replace a read-only one. The new file keeps the permissions of
    the one it replaces. ``target`` may be a symlink: the file it names is replaced. Returns
    the path actually written.

    Replacing an existing file takes its lock (:func:`locked`, :class:`FileBusy` after the
    timeout), as every writer of a user's file does, so an ``export --force`` never replaces a
    file another run is rewriting. ``lock=False`` when the caller holds that lock already
    (a read-change-write such as ``import-expenses``).
    """
    target = real_file(Path(target))
    if target.exists() and not overwrite:
        raise FileExistsError(errno.EEXIST, "the file already exists", str(target))
    hold = contextlib.ExitStack()
    if overwrite and lock and target.is_file():
        hold.enter_context(locked(target))
    with hold:
        return _replace(target, write, overwrite=overwrite)


def _replace(target: Path, write: Callable[[Path], object], *, overwrite: bool) -> Path:
    existing = _writable_or_refuse(target) if overwrite else None
    folder = target.parent if str(target.parent) else Path(".")
    _remove_stale_temporaries(folder)
    fd = _unnamed(folder)
    if fd is None:
        _write_named(folder, target, write, existing)
    else:
        _write_unnamed(fd, folder, target, write, existing)
    _sync_folder(folder)
    return target


def write_text_atomic(target: Path, text: str, *, overwrite: bool = False, lock: bool = True) -> Path:
    """:func:`write_atomic` for UTF-8 text, written exactly (no newline translation)."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            out.write(text)

    return write_atomic(target, write, overwrite=overwrite, lock=lock)


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[Path]:
    """Hold an exclusive lock on an existing file (the file a symlink names) while inside.

    Read the file *inside* the block: a run that waited sees the changes of the run before
    it. After ``timeout`` seconds (default :data:`LOCK_TIMEOUT`, or the environment's
    ``CLUSTBUDGET_LOCK_TIMEOUT``) raises :class:`FileBusy`. Yields the real path.
    """
    real = real_file(Path(path))
    if fcntl is None:  # pragma: no cover - Windows
        yield real
        return
    if timeout is None:
        try:
            timeout = float(os.environ.get("CLUSTBUDGET_LOCK_TIMEOUT", LOCK_TIMEOUT))
        except ValueError:
            timeout = LOCK_TIMEOUT
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise FileBusy(
                    errno.EWOULDBLOCK,
                    msg(
                        "another clustbudget run is writing it (waited {seconds} s): "
                        "try again when it has finished",
                        seconds=f"{timeout:g}",
                    ),
                    str(path),
                ) from None
            time.sleep(0.02)
            continue
        except BaseException:
            os.close(fd)
            raise
        # The run before us replaced the file while we waited: lock the file there now.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(real))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield real
    finally:
        os.close(fd)  # releases the lock


# ------------------------------------------------------------------ the pieces


def real_file(target: Path) -> Path:
    """The file a symlink (or a chain of them) names; ``target`` itself otherwise: the file a
    write through the link replaces (and whose folder its relative paths start from)."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _writable_or_refuse(target: Path) -> os.stat_result | None:
    """The existing file's status, or a PermissionError when it is read-only."""
    try:
        st = target.stat()
    except FileNotFoundError:
        return None
    if stat.S_ISREG(st.st_mode) and (not st.st_mode & 0o222 or not os.access(target, os.W_OK)):
        raise PermissionError(
            errno.EACCES,
            msg(
                "the file is read-only (mode {mode}): make it writable first (chmod u+w)",
                mode=f"{st.st_mode & 0o777:04o}",
            ),
            str(target),
        )
    return st


def _unnamed(folder: Path) -> int | None:
    """An unnamed file in ``folder`` (Linux ``O_TMPFILE``) that /proc can name, or None."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None  # this file system (or kernel) cannot: a named temporary instead
        raise
    if fcntl is not None:  # the brief name it may get is then not taken for a stale one
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _write_unnamed(
    fd: int, folder: Path, target: Path, write: Callable[[Path], object], existing: os.stat_result | None
) -> None:
    proc = Path(f"/proc/self/fd/{fd}")
    staged: Path | None = None
    try:
        write(proc)
        os.fsync(fd)  # on disk before it gets a name, not only in the cache
        if existing is None:
            # link() fails if the target appeared meanwhile: never clobber a file we did not see
            _link_unnamed(fd, folder, target.name)
        else:
            with contextlib.suppress(OSError):
                os.fchmod(fd, existing.st_mode & 0o7777)
            # A name is needed to rename over the target: it lives only between these two
            # calls (a kill in between leaves a temporary the next write removes).
            staged = _temporary_name(folder, target.name)
            _link_unnamed(fd, folder, staged.name)
            os.replace(staged, target)
            staged = None
    finally:
        if staged is not None:
            with contextlib.suppress(OSError):
                staged.unlink()
        os.close(fd)


def _link_unnamed(fd: int, folder: Path, name: str) -> None:
    """Give the unnamed file ``fd`` the name ``folder/name`` (``linkat`` with
    ``AT_SYMLINK_FOLLOW`` on its /proc name; fails if the name exists)."""
    dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        # with a dir_fd, Python calls linkat() and follows the /proc link to the open file
        os.link(f"/proc/self/fd/{fd}", name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def _write_named(
    folder: Path, target: Path, write: Callable[[Path], object], existing: os.stat_result | None
) -> None:
    tmp, fd = _new_temporary(folder, target.name)
    try:
        write(tmp)
        with open(tmp, "rb+") as written:  # on disk before the rename, not only in the cache
            os.fsync(written.fileno())
        if existing is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, existing.st_mode & 0o7777)
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        os.close(fd)


def _temporary_name(folder: Path, name: str) -> Path:
    return folder / f".{name}.{secrets.token_hex(6)}.tmp"


def _new_temporary(folder: Path, name: str) -> tuple[Path, int]:
    """A new, empty, hidden file beside the target, created with the permissions a new file
    gets (0666 less the umask), and locked while we write it: the lock tells a later run that
    this temporary is not stale."""
    for _ in range(100):
        tmp = _temporary_name(folder, name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return tmp, fd
    raise FileExistsError(errno.EEXIST, "could not create a temporary file", str(folder))


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporaries of our naming that no running write holds (a killed run's)."""
    if fcntl is None:  # pragma: no cover - cannot tell a stale one from one being written
        return
    try:
        entries = [e for e in os.scandir(folder) if _TEMPORARY.fullmatch(e.name)]
    except OSError:
        return
    for entry in entries:
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # being written right now
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
        finally:
            os.close(fd)


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


# ------------------------------------------------------------------ folders (the claim package)

_STAGING = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{12}\.(?P<kind>tmp|old)")


def staging_folder(parent: Path, name: str) -> tuple[Path, int]:
    """A new hidden folder ``.NAME.<12 hex>.tmp`` in ``parent`` (the target's file system: the
    final rename is atomic), locked (``flock`` on the folder) while the run builds in it: a
    later run removes it only once no run holds it (:func:`remove_stale_staging`). Returns the
    folder and the descriptor holding the lock (the caller closes it when done)."""
    for _ in range(100):
        path = parent / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path, _lock_folder(path)
    raise FileExistsError(errno.EEXIST, "could not create a staging folder", str(parent))


def _lock_folder(path: Path) -> int:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def lock_folder(path: Path) -> int:
    """Lock an existing folder (the package about to be moved aside) as :func:`staging_folder`
    locks its own; returns the descriptor to close."""
    return _lock_folder(path)


def remove_stale_staging(parent: Path) -> None:
    """Clean what a killed run left in ``parent``: its staging folders (``.NAME.<hex>.tmp``) are
    removed; a previous package it had moved aside (``.NAME.<hex>.old``) is put back under its
    name when that name is free (the run died before the new one took it), else removed. A
    folder a running run holds (its lock) is left alone."""
    if fcntl is None:  # pragma: no cover - cannot tell a stale one from one being written
        return
    try:
        entries = [e for e in os.scandir(parent) if _STAGING.fullmatch(e.name)]
    except OSError:
        return
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            fd = os.open(
                entry.path,
                os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
            )
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a run is building in it right now
        try:
            found = _STAGING.fullmatch(entry.name)
            assert found is not None
            home = parent / found["name"]
            if found["kind"] == "old" and not (home.exists() or home.is_symlink()):
                with contextlib.suppress(OSError):
                    os.rename(entry.path, home)  # the previous package, back under its name
                    continue
            import shutil

            shutil.rmtree(entry.path, ignore_errors=True)
        finally:
            os.close(fd)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``): a crash leaves one or
    the other under each name, never a name missing. False where the system or the file
    system cannot (the caller moves them one after the other)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
