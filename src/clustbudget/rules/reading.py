"""CB0xx: reading a file as a document, and its schema (FORMAT.md §0).

These codes are produced by :mod:`clustbudget.yamlsource` and :mod:`clustbudget.loading`;
they are registered here so that ``clustbudget rules`` explains them like any other rule.
CB001–CB004 mean the file could not be read as a document (exit code 2) and cannot be ignored.
"""

from __future__ import annotations

import inspect

from ..findings import Severity
from . import Rule, register

_FORMAT = "clustbudget FORMAT §0"


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

    Why: nothing else can be checked in a file that cannot be read. Exit code 2.

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

    Why: a syntax error means the file says nothing reliable. Exit code 2.

    Example: `amount: [130000` (an unclosed bracket).

    Fix: correct the YAML at the line shown; keep one document per file (no `---` separators).
    """,
)
_doc(
    "CB003",
    "empty-file",
    Severity.ERROR,
    "The file is empty (or holds only comments).",
    _FORMAT,
    """
    Why: an empty budget is most often a file that was truncated or not saved. Exit code 2.
    """,
)
_doc(
    "CB004",
    "unsafe-yaml",
    Severity.ERROR,
    "The file uses YAML the formats do not allow: tags, merge keys, alias bombs, deep nesting.",
    _FORMAT,
    """
    What it checks: no explicit tags (`!!python/object`, `!!binary`…), no merge keys (`<<`),
    aliases expanded at most 10,000 times, nesting at most 64 levels.

    Why: these constructs can run code in careless readers, or make a small file expand into
    gigabytes (the "billion laughs" attack). clustbudget refuses them before they cost memory.
    Exit code 2.

    Fix: write the data out plainly.
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

    Why: most YAML readers silently keep the last value, so `amount: 1000` followed later by
    `amount: 10000` changes a budget without anyone noticing.

    Example:
        - description: Communication Manager
          amount: 30000.00
          amount: 3000.00

    Fix: keep only one of the two keys.
    """,
)
_doc(
    "CB011",
    "unknown-key",
    Severity.ERROR,
    "A key the format does not define (often a typo).",
    "clustbudget FORMAT §1–§3",
    """
    What it checks: every key is one the format defines; a close match is suggested.

    Why: a misspelt optional key (`duration_month`) would otherwise be ignored in silence.

    Example: `amout: 130000.00` → "unknown key 'amout' (did you mean 'amount'?)".
    """,
)
_doc(
    "CB012",
    "missing-key",
    Severity.ERROR,
    "A required key is missing.",
    "clustbudget FORMAT §1–§3",
    """
    Example: a cost line without `amount`, a project without `start`.
    """,
)
_doc(
    "CB013",
    "invalid-value",
    Severity.ERROR,
    "A value is not of the expected type, or not written unambiguously.",
    "clustbudget FORMAT §0–§1",
    """
    What it checks: amounts are exact, non-negative decimals with at most two decimals; dates
    are YYYY-MM-DD and exist; booleans are `true`/`false`; ids are text or whole numbers.

    Why: YAML 1.1 reads `0700` as octal 448, `7:30` as 450 and `yes` as true; an Italian
    `"130.000"` means 130,000 but reads as 130.0; `"1,5"` is not a number at all. Money must
    never depend on such guesses.

    Example: `amount: "130.000"` → "ambiguous amount '130.000': write 130000.00 for thousands
    or 130.00 for a decimal".

    Fix: write the value as the message shows.
    """,
)
_doc(
    "CB014",
    "complex-key",
    Severity.ERROR,
    "A mapping key that is a list or a mapping.",
    "clustbudget FORMAT §0",
    """
    What it checks: every key is plain text (`amount:`), never a list or mapping (`[a, b]:`,
    `? {x: 1}`), which YAML allows and no clustbudget format uses.
    """,
)
_doc(
    "CB015",
    "unknown-kind",
    Severity.ERROR,
    "The file is not a budget, cost report or call pack.",
    "clustbudget FORMAT §0",
    """
    What it checks: a file named on the command line has `costs` (budget), `budget` (cost
    report) or `items` (call pack) at the top. Inside a folder, such a file is skipped with an
    info line instead (CB016).
    """,
)
_doc(
    "CB016",
    "skipped-file",
    Severity.INFO,
    "A YAML file inside a validated folder is not a clustbudget file and was skipped.",
    "clustbudget FORMAT §0",
    """
    Why: folders in a repository often hold other YAML (CI configuration, for example).
    """,
)
_doc(
    "CB017",
    "rules-not-run",
    Severity.INFO,
    "The file has schema errors, so its rules were not checked yet.",
    "clustbudget FORMAT §0",
    """
    What it reports: a budget or report with errors of the CB01x family cannot be turned into
    figures, so its rules (and, for a report, the checks across the project's reports) did not
    run. Fix the errors listed for the file and validate again: more findings may follow.
    """,
)
_doc(
    "CB020",
    "unknown-call",
    Severity.ERROR,
    "The call pack named by `call:` cannot be found, or has errors.",
    "clustbudget FORMAT §2",
    """
    What it checks: `call:` is a built-in pack id (`clustbudget rules` lists them in its
    footer; e.g. `clust-er-2020`) or the path of a readable, valid pack file, relative to the
    budget.

    Why: without the call's rules, nothing about the budget can be checked, not even E.
    """,
)
_doc(
    "CB022",
    "budget-has-errors",
    Severity.WARNING,
    "A report's budget, not named in this run, has errors.",
    "clustbudget FORMAT §4",
    """
    What it reports: the budget a report points at was read to check the report, but it was not
    named on the command line, so its own findings are not shown; it has errors. Validate the
    budget too (or the folder that holds both).
    """,
)
_doc(
    "CB021",
    "unknown-budget",
    Severity.ERROR,
    "The budget named by a cost report's `budget:` cannot be found, or has errors.",
    "clustbudget FORMAT §3",
    """
    What it checks: `budget:` is the path of a valid budget file, relative to the report.
    """,
)
