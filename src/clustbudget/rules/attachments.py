"""CB240–CB249: the files an expense names (``attachments:``), which the claim package uploads.

Part of the CB2xx family (one cost report); kept in a module of its own because these rules
read files beside the report rather than the report's figures.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator

from ..attachments import located, sha256_of
from ..findings import Severity
from ..i18n import msg
from . import Hit, rule
from .budget import FILE_CHECK
from .costreport import ReportContext

E = Severity.ERROR


def _at(i: int, j: int, key: str) -> tuple[object, ...]:
    """The entry's ``key`` (``file``, ``sha256``); for an entry written as a bare path, which has
    no keys, the document's position falls back to the path itself."""
    return ("expenses", i, "attachments", j, key)


@rule(
    "CB240",
    "attachment-missing",
    E,
    "A file named in an expense's attachments does not exist.",
    FILE_CHECK,
    "report",
)
def attachment_missing(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: every file in a claimed expense's `attachments:` exists, relative to the
    cost report's folder, and is a file that can be read.

    Why: the Region pays an invoice only against its documents (the invoice, the proof of
    payment) uploaded with the claim; the package copies them from where the report says they
    are. A path typed wrong, or a file moved, would leave the claim without its evidence.

    Fix: correct the path (it is relative to the report file: `fatture/ft-77-2023.pdf` beside
    `sal-2.yaml`), or put the file there.
    """
    if ctx.folder is None:
        return
    for i, exp, _ in ctx.claimed():
        if not exp.attachments:  # most lines: no enumerate made for nothing
            continue
        for j, att in enumerate(exp.attachments):
            path = located(att, ctx.folder)
            where = _at(i, j, "file")
            try:
                mode = path.stat().st_mode
            except (FileNotFoundError, NotADirectoryError):
                mode = None
            except OSError as exc:
                yield _unreadable(where, exp.document, att.file, exc)
                continue
            if mode is None:
                yield Hit(
                    where,
                    msg(
                        "invoice {document}: attachment {file} not found in {folder}: correct the path "
                        "(relative to this report) or put the file there",
                        document=exp.document,
                        file=att.file,
                        folder=str(ctx.folder),
                    ),
                )
            elif stat.S_ISDIR(mode):
                yield Hit(
                    where,
                    msg(
                        "invoice {document}: attachment {file} is a folder, not a file: name the file",
                        document=exp.document,
                        file=att.file,
                    ),
                )
            elif not stat.S_ISREG(mode):  # a pipe would hang whoever opens it: never opened
                yield Hit(
                    where,
                    msg(
                        "invoice {document}: attachment {file} is not a regular file (a pipe, a socket "
                        "or a device): name the document's file",
                        document=exp.document,
                        file=att.file,
                    ),
                )
            else:
                try:
                    with open(path, "rb"):
                        pass
                except OSError as exc:
                    yield _unreadable(where, exp.document, att.file, exc)


def _unreadable(where: tuple[object, ...], document: str, file: str, exc: OSError) -> Hit:
    from ..i18n.oserrors import os_reason

    return Hit(
        where,
        msg(
            "invoice {document}: attachment {file} cannot be read ({reason})",
            document=document,
            file=file,
            reason=os_reason(exc),
        ),
    )


@rule(
    "CB241",
    "attachment-changed",
    E,
    "An attachment's SHA-256 differs from the one recorded in the report.",
    FILE_CHECK,
    "report",
)
def attachment_changed(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: when an attachment records its `sha256:`, the file has that SHA-256.

    Why: the digest pins the document that was checked (an e-invoice's XML as it came from
    the exchange system, a receipt as the bank issued it): a different digest means the file
    was replaced or edited after it was recorded, or the entry names the wrong file — and the
    Region would receive a document nobody checked.

    Fix: put back the recorded file, or, if the new one is right, record its digest
    (`sha256sum FILE`).
    """
    if ctx.folder is None:
        return
    for i, exp, _ in ctx.claimed():
        if not exp.attachments:  # most lines: no enumerate made for nothing
            continue
        for j, att in enumerate(exp.attachments):
            if att.sha256 is None:
                continue
            path = located(att, ctx.folder)
            try:
                actual = sha256_of(path)
            except OSError:
                continue  # CB240 says why it cannot be read
            if actual != att.sha256:
                yield Hit(
                    _at(i, j, "sha256"),
                    msg(
                        "invoice {document}: attachment {file} has SHA-256 {actual}, not the {expected} "
                        "recorded: the file was changed or replaced, or the entry names the wrong file",
                        document=exp.document,
                        file=att.file,
                        actual=actual,
                        expected=att.sha256,
                    ),
                )
