"""An expense's files (``attachments:``): where each one is, and its SHA-256.

An attachment's ``file`` is relative to the cost report that names it (as ``budget:`` is):
``fatture/ft-77-2023.pdf`` beside ``sal-2.yaml`` is ``<report folder>/fatture/ft-77-2023.pdf``.
The rules check that each file exists (CB240) and, when the report records its SHA-256, that
the file is still the one recorded (CB241); the claim package copies them and lists their
digests.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .models import Attachment

_CHUNK = 1 << 20


def located(attachment: Attachment, folder: Path) -> Path:
    """Where ``attachment`` is, for a report in ``folder`` (an absolute ``file`` stays itself)."""
    return folder / attachment.file


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as 64 lower-case hexadecimal digits (``sha256sum``)."""
    from .i18n.oserrors import not_a_regular_file

    problem = not_a_regular_file(path, os.stat(path).st_mode)  # a pipe is never opened: it would hang
    if problem is not None:
        raise problem
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
