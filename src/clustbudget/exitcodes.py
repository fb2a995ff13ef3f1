"""Exit codes: the contract CI reads (FORMAT.md §4), named in one place."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Every document was read; no errors (warnings and info allowed unless --strict)."""
    FINDINGS = 1
    """A document was read but has errors (schema or rules), or warnings under --strict."""
    UNREADABLE = 2
    """A file could not be read as a document, or the command line is wrong."""
    INTERNAL = 3
    """A bug in clustbudget itself: please report it (no traceback is shown)."""
    INTERRUPTED = 130
    """Ctrl-C."""
    BROKEN_PIPE = 141
    """The reader of the output went away (`| head`), as the shell reports SIGPIPE."""
