"""What the operating system said, in the user's language.

``OSError.strerror`` is the C library's English ("No such file or directory"): a message of
ours names the problem through the catalogue instead, by the error's ``errno``. An error this
module does not know keeps the system's words, after its symbolic name (``EXDEV: …``) so that
it can be looked up.
"""

from __future__ import annotations

import errno

from . import Message, msg


def _reasons() -> dict[str, Message]:
    # Built when an error is reported (rare): the templates are msgids of the catalogue.
    return {
        "ENOENT": msg("no such file or folder"),
        "EACCES": msg("permission denied"),
        "EPERM": msg("operation not permitted"),
        "EISDIR": msg("is a folder, not a file"),
        "ENOTDIR": msg("a part of the path is not a folder"),
        "ENOSPC": msg("no space left on the disk"),
        "EDQUOT": msg("disk quota exceeded"),
        "EROFS": msg("the file system is read-only"),
        "ELOOP": msg("too many symbolic links (a link that points to itself?)"),
        "ENAMETOOLONG": msg("the file name is too long"),
        "EMFILE": msg("too many open files (raise the limit: ulimit -n)"),
        "ENFILE": msg("too many open files on the system"),
        "EEXIST": msg("the file already exists"),
        "EBUSY": msg("the file or device is busy"),
        "ETXTBSY": msg("the file is busy"),
        "EIO": msg("input/output error (a failing disk, or a network drive gone?)"),
        "EFBIG": msg("the file is too large for the file system"),
        "ENXIO": msg("no such device"),
        "ENODEV": msg("no such device"),
        "EXDEV": msg("the file cannot be moved across file systems"),
        "EINVAL": msg("invalid argument (a name the file system does not accept?)"),
        "ESTALE": msg("stale network file handle: the network drive went away"),
        "EAGAIN": msg("resource temporarily unavailable: try again"),
    }


def os_reason(exc: OSError) -> Message | str:
    """Why ``exc`` happened, as a message of the catalogue (by its ``errno``).

    A message of ours carried as the error's ``strerror`` (a lock held by another run, a
    read-only file) is returned as it is; an errno not known here keeps the system's text,
    after its symbolic name.
    """
    if isinstance(exc.strerror, Message):
        return exc.strerror
    name = errno.errorcode.get(exc.errno) if isinstance(exc.errno, int) else None
    reason = _reasons().get(name) if name else None
    if reason is not None:
        return reason
    text = exc.strerror or str(exc)
    return f"{name}: {text}" if name else text


def cannot_read(path: object, exc: OSError) -> Message:
    """``PATH: cannot read: REASON``: an input that exists but cannot be read (permissions, a
    folder given as a file, a pipe), worded by its errno in the run's language."""
    return msg("{path}: cannot read: {reason}", path=str(path), reason=os_reason(exc))


def not_a_regular_file(path: object, mode: int) -> OSError | None:
    """Why a path that exists cannot be read as a file (``stat``'s ``mode``), or None when it is
    a regular file: a folder is EISDIR; a pipe, a socket or a device is refused before it is
    opened (opening a FIFO would wait for a writer that never comes)."""
    import stat

    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    return OSError(errno.EINVAL, msg("not a regular file (a pipe, a socket or a device)"), str(path))
