"""A failing example for every rule: ``rules/examples/<CODE>/``, shown by ``clustbudget rules CODE``.

Each code's folder holds the smallest realistic files that break the rule, with a comment on
the line that breaks it: a budget (``budget.yaml``), or a budget and its cost reports
(``budget/sal-1.yaml``…, whose ``budget:`` is ``../budget.yaml``), sometimes a call pack of
its own. ``clustbudget validate <folder>`` reports the code; ``tests/test_rule_examples.py``
keeps it so. A ``README.txt`` says what cannot be shown (a file that is not UTF-8) or how to
run the example when naming the folder is not enough.

The comments are English, and msgids of the catalogue: ``rules CODE --lang it`` shows them in
Italian (:func:`localize_comments`; a block of comment lines is one text, a comment after a
value another; a ``README.txt`` is one text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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


def example_files(code: str, lang: str = "en") -> list[tuple[str, str]]:
    """The files of ``code``'s example, for display: ``(path in the folder, text)`` pairs,
    their comments in ``lang``.

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
        if lang != "en":
            text = _localized(p.name, text, lang)
        out.append((p.relative_to(folder).as_posix(), text))
    return out


def _localized(name: str, text: str, lang: str) -> str:
    from ..i18n import gettext

    if name == "README.txt":
        return _plain(gettext(_msgid(text.strip()), lang)) + "\n"
    return localize_comments(text, lambda words: _plain(gettext(_msgid(words), lang)))


def _msgid(words: str) -> str:
    """A comment as a msgid: braces doubled, as in every template of the catalogue."""
    return words.replace("{", "{{").replace("}", "}}")


def _plain(template: str) -> str:
    return template.replace("{{", "{").replace("}}", "}")


def _comments_of(text: str) -> list[str]:
    found: list[str] = []

    def keep(words: str) -> str:
        found.append(words)
        return words

    localize_comments(text, keep)
    return found


def comment_texts() -> Iterator[tuple[str, str]]:
    """Every comment of the examples (and each ``README.txt``), as msgids: ``(text, file)``."""
    for p in sorted(EXAMPLES_DIR.rglob("*")):
        if not p.is_file() or p.suffix not in (".yaml", ".yml", ".txt"):
            continue
        try:
            text = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        where = p.relative_to(EXAMPLES_DIR.parent.parent).as_posix()
        if p.name == "README.txt":
            yield _msgid(text.strip()), where
            continue
        for words in _comments_of(text):
            yield _msgid(words), where


def _inline_start(line: str) -> int:
    """Index of the '#' that starts a comment after a value, or -1 (quotes respected)."""
    quote = ""
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = c
        elif c == "#" and i > 0 and line[i - 1] in " \t":
            return i
    return -1


def localize_comments(text: str, translate: Callable[[str], str]) -> str:
    """``text`` with each comment replaced by ``translate(comment)``: a block of full-line
    comments at one indentation is one text (its lines joined by newlines; the translation may
    have other line breaks), a comment after a value another. The YAML itself is unchanged."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip(" ")
        if stripped.startswith("#"):
            indent = line[: len(line) - len(stripped)]
            block = []
            while (
                i < len(lines)
                and lines[i].startswith(indent + "#")
                and lines[i][len(indent) :].startswith("#")
            ):
                block.append(re.sub(r"^# ?", "", lines[i][len(indent) :]))
                i += 1
            words = "\n".join(block).strip()
            if not any(c.isalpha() for c in words):
                out.extend(indent + "# " + b if b else indent + "#" for b in block)
                continue
            out.extend((indent + "# " + b).rstrip() for b in translate(words).split("\n"))
            continue
        at = _inline_start(line)
        if at >= 0:
            words = line[at + 1 :].strip()
            if any(c.isalpha() for c in words):
                line = line[: at + 1] + " " + translate(words)
        out.append(line)
        i += 1
    return "\n".join(out)
