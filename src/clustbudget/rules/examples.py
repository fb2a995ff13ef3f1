"""A failing example for every rule: ``rules/examples/<CODE>/``, shown by ``clustbudget rules CODE``.

Each code's folder holds the smallest realistic files that break the rule, with a comment on
the line that breaks it: a budget (``budget.yaml``), or a budget and its cost reports
(``budget/sal-1.yaml``…, whose ``budget:`` is ``../budget.yaml``), sometimes a call pack of
its own. ``clustbudget validate <folder>`` reports the code; ``tests/test_rule_examples.py``
keeps it so. A ``README.txt`` says what cannot be shown (a file that is not UTF-8) or how to
run the example when naming the folder is not enough.
"""

from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).with_name("examples")
"""Where the examples live: one sub-folder per rule code."""


def example_dir(code: str) -> Path | None:
    """The folder of ``code``'s failing example (``CB107`` or ``cb107``), or None if it has none."""
    code = code.strip().upper()
    if not code.isalnum():  # a code is letters and digits: never a path
        return None
    folder = EXAMPLES_DIR / code
    return folder if folder.is_dir() else None


def example_files(code: str) -> list[tuple[str, str]]:
    """The files of ``code``'s example, for display: ``(path in the folder, text)`` pairs.

    ``README.txt`` comes first, then the files by depth and name (the budget before its
    reports), with ``/`` in paths. Only UTF-8 text is returned: a file that is not (CB001's
    example) is left out and described by the folder's ``README.txt``. Empty when the code has
    no example.
    """
    folder = example_dir(code)
    if folder is None:
        return []
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith((".", "__")) for part in p.relative_to(folder).parts)
    ]

    def order(p: Path) -> tuple[bool, int, tuple[str, ...]]:
        rel = p.relative_to(folder)
        return (rel.as_posix() != "README.txt", len(rel.parts), rel.parts)

    out: list[tuple[str, str]] = []
    for p in sorted(files, key=order):
        try:
            text = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append((p.relative_to(folder).as_posix(), text))
    return out
