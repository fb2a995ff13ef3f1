"""CB0xx: reading a file as a document, and its schema (FORMAT.md §0).

These codes are produced by :mod:`clustbudget.yamlsource` and :mod:`clustbudget.loading`;
they are registered here so that ``clustbudget rules`` explains them like any other rule.
CB001–CB004 mean the file could not be read as a document (exit code 2) and cannot be ignored.
"""

from __future__ import annotations

import inspect

from ..findings import Severity
from . import Rule, register
from .budget import FILE_CHECK

_FORMAT = FILE_CHECK


def _doc(code: str, name: str, severity: Severity, summary: str, citation: str, text: str) -> None:
    register(Rule(code, name, severity, summary, citation, "reading", None, inspect.cleandoc(text)))


_doc(
    "CB001",
    "unreadable-file",
    Severity.ERROR,
    "The file cannot be read: missing, not UTF-8, or too large.",
    _FORMAT,
    """
    What it checks: the file exists, is a regular file, is at most 64 MiB and is UTF-8 text
    (a byte-order mark is accepted).

    Why: nothing else can be checked in a file that cannot be read. A file saved by a Windows
    editor in Windows-1252 is the usual culprit: its accented letters are not UTF-8. Exit code 2.

    Fix: check the path; save the file as UTF-8; split a huge report by period.
    """,
)
_doc(
    "CB002",
    "invalid-yaml",
    Severity.ERROR,
    "The file is not valid YAML, or holds more than one document.",
    _FORMAT,
    """
    What it checks: the text parses as exactly one YAML document.

    Why: a syntax error means the file says nothing reliable. Exit code 2. The parser may
    notice the error a line after its cause: an unclosed bracket is found where the next key
    starts.

    Fix: correct the YAML at the line shown, or just above it; keep one document per file (no
    `---` separators).
    """,
)
_doc(
    "CB003",
    "empty-file",
    Severity.ERROR,
    "The file is empty (or holds only comments).",
    _FORMAT,
    """
    What it checks: the file holds more than blank lines and comments.

    Why: an empty budget is most often a file that was truncated or not saved. Exit code 2.

    Fix: restore the file from version control or a backup, or remove it.
    """,
)
_doc(
    "CB004",
    "unsafe-yaml",
    Severity.ERROR,
    "The file uses YAML the formats do not allow: tags, merge keys, alias bombs, deep nesting.",
    _FORMAT,
    """
    What it checks: no explicit tags (`!!python/object`, `!!binary`, `!include`…), no merge
    keys (`<<`), aliases expanded at most 10,000 times, nesting at most 64 levels.

    Why: these constructs can run code in careless readers, or make a small file expand into
    gigabytes (the "billion laughs" attack); a tag such as `!include` means something only to
    the tool that defines it. clustbudget refuses them before they cost memory. Exit code 2.

    Fix: write the data out plainly: repeat the keys rather than merging or including them.
    """,
)
_doc(
    "CB010",
    "duplicate-key",
    Severity.ERROR,
    "A key appears twice in the same mapping.",
    _FORMAT,
    """
    What it checks: no key is repeated in a mapping; the finding is at the repeated key's line.

    Why: most YAML readers silently keep the last value, so `amount: 30000.00` followed later
    by `amount: 3000.00` changes a budget without anyone noticing.

    Fix: keep only one of the two keys.
    """,
)
_doc(
    "CB011",
    "unknown-key",
    Severity.ERROR,
    "A key the format does not define (often a typo).",
    FILE_CHECK,
    """
    What it checks: every key is one the format defines; a close match is suggested.

    Why: a misspelt optional key (`duration_month`) would otherwise be ignored in silence, and
    what it states never checked.

    Fix: correct the key as the message suggests, or remove it (a cost line or an expense may
    carry free text under `note:`).
    """,
)
_doc(
    "CB012",
    "missing-key",
    Severity.ERROR,
    "A required key is missing.",
    FILE_CHECK,
    """
    What it checks: every key the format requires is there: a project's `title`, `start` and
    `end`, a cost line's `description` and `amount`, an expense's `date`, `item`,
    `description`, `supplier`, `document` and `amount`… (`clustbudget schema` lists them).

    Why: a missing figure or date cannot be guessed, and a line without an amount would
    otherwise count as nothing.

    Fix: add the key to the mapping the finding points at.
    """,
)
_doc(
    "CB013",
    "invalid-value",
    Severity.ERROR,
    "A value is not of the expected type, or not written unambiguously.",
    FILE_CHECK,
    """
    What it checks: amounts are exact, non-negative decimals with at most two decimals; dates
    are YYYY-MM-DD and exist; booleans are `true`/`false`; ids are text or whole numbers.

    Why: YAML 1.1 reads `0700` as octal 448, `7:30` as 450 and `yes` as true; an Italian
    `"130.000"` means 130,000 but reads as 130.0; `"1,5"` is not a number at all. Money must
    never depend on such guesses.

    Fix: write the value as the message shows: `130000.00` for thousands, `130.00` for a
    decimal, `2021-02-28` for a date that exists.
    """,
)
_doc(
    "CB014",
    "complex-key",
    Severity.ERROR,
    "A mapping key that is a list or a mapping.",
    FILE_CHECK,
    """
    What it checks: every key is plain text (`amount:`), never a list or mapping (`[a, b]:`,
    `? {x: 1}`), which YAML allows and no clustbudget format uses.

    Why: such a key cannot name a field, a year or an item; it is most often a list written
    where one key was meant, and its value would be lost.

    Fix: write one plain key per value: `2021: 5000.00` and `2022: 5000.00`, not
    `[2021, 2022]: 10000.00`.
    """,
)
_doc(
    "CB015",
    "unknown-kind",
    Severity.ERROR,
    "The file is not a budget, cost report or call pack.",
    FILE_CHECK,
    """
    What it checks: a file named on the command line has `costs` (budget), `budget` (cost
    report) or `items` (call pack) at the top. Inside a folder, such a file is skipped with an
    info line instead (CB016), unless it looks like one of ours: a top-level key close to
    those (`cost:`), or `clustbudget:`.

    Why: a file's kind is told by those keys alone: without them nothing in it can be checked,
    and a misspelt one would otherwise pass unchecked.

    Fix: correct the key the message names, or do not name a file that is not a budget, a cost
    report or a call pack.
    """,
)
_doc(
    "CB016",
    "skipped-file",
    Severity.INFO,
    "A YAML file inside a validated folder is not a clustbudget file and was skipped.",
    FILE_CHECK,
    """
    What it checks: a YAML file inside a validated folder that is none of the three kinds and
    does not look like one (no `clustbudget:`, no top-level key close to `costs`, `budget` or
    `items`) is skipped, and named in an info line.

    Why: folders in a repository often hold other YAML (CI configuration, a documentation
    site), which is not clustbudget's to check; the line shows it was seen and left alone.

    Fix: nothing, if the file is not a budget, cost report or call pack; if it is one, add the
    key that tells its kind.
    """,
)
_doc(
    "CB017",
    "rules-not-run",
    Severity.INFO,
    "The file has schema errors, so its rules were not checked yet.",
    FILE_CHECK,
    """
    What it checks: whether a file's rules ran. A budget or report with errors of the CB01x
    family cannot be turned into figures, so its rules (and, for a report, the checks across
    the project's reports) did not run; for a call pack, the budgets that use it were not
    checked.

    Why: a file that shows only its schema errors could look as if it had no other problem.

    Fix: fix the errors listed for the file and validate again: more findings may follow.
    """,
)
_doc(
    "CB020",
    "unknown-call",
    Severity.ERROR,
    "The call pack named by `call:` cannot be found, or has errors.",
    FILE_CHECK,
    """
    What it checks: `call:` is a built-in pack id (`clustbudget rules` lists them in its
    footer; e.g. `clust-er-2020`) or the path of a readable, valid pack file, relative to the
    budget.

    Why: without the call's rules, nothing about the budget can be checked, not even E.

    Fix: correct the id or the path; when the pack file has errors, the message quotes the
    first: validate the pack file itself to see them all.
    """,
)
_doc(
    "CB022",
    "budget-has-errors",
    Severity.WARNING,
    "A report's budget, not named in this run, has errors.",
    FILE_CHECK,
    """
    What it checks: whether the budget a report points at, read to check the report but not
    named on the command line (so its own findings are not shown), has errors.

    Why: the report is checked against that budget, so its errors matter; without this line
    they would go unseen.

    Fix: validate the budget too (or the folder that holds both), and fix its errors.
    """,
)
_doc(
    "CB021",
    "unknown-budget",
    Severity.ERROR,
    "The budget named by a cost report's `budget:` cannot be found, or has errors.",
    FILE_CHECK,
    """
    What it checks: `budget:` is the path of a valid budget file, relative to the report.

    Why: a report is checked against its budget (items, dates, actions, staff) and the
    budget's call pack; without them none of the report's rules can run.

    Fix: correct the path (`../budget.yaml` when the reports sit in a folder beside their
    budget), or fix the budget's errors first.
    """,
)
