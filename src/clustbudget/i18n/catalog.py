"""GNU gettext catalogues (``.po``), read directly: no compile step, no extra dependency.

A ``.po`` file is what translators edit (Poedit, Weblate, a text editor); reading it at run
time keeps the source of truth and the shipped file the same file. The reader understands
what those tools write: ``msgctxt``, ``msgid``/``msgid_plural``, ``msgstr``/``msgstr[N]``,
continued strings, C escapes, ``#, fuzzy`` (a fuzzy entry is not used), and the header's
``Plural-Forms``. A catalogue is read only when its language is first used, then cached
(the only state of this package).
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable
from dataclasses import field
from pathlib import Path

from ..records import dataclass

DOMAIN = "clustbudget"

Key = tuple[str, str]
"""(context, msgid); the context is ``""`` when the entry has none."""

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")


class CatalogError(ValueError):
    """A ``.po`` file that cannot be read: names the file and line."""


@dataclass
class Catalog:
    """One language's translations: ``(context, msgid)`` → the forms of its ``msgstr``."""

    lang: str
    entries: dict[Key, tuple[str, ...]] = field(default_factory=dict)
    plural_ids: dict[Key, str] = field(default_factory=dict)
    plural: Callable[[int], int] = lambda n: int(n != 1)

    def get(self, msgid: str, context: str = "") -> str | None:
        forms = self.entries.get((context, msgid))
        return forms[0] if forms and forms[0] else None

    def get_plural(self, msgid: str, n: int, context: str = "") -> str | None:
        forms = self.entries.get((context, msgid))
        if not forms:
            return None
        index = self.plural(n)
        text = forms[index] if index < len(forms) else ""
        return text or None


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise CatalogError(f"{where}: expected a quoted string, got {text[:40]!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), text[1:-1])


def parse_po(text: str, name: str = "<po>") -> Catalog:
    """Read the text of a ``.po`` file into a :class:`Catalog` (language from ``Language:``)."""
    cat = Catalog(lang="")
    current: dict[str, str] = {}
    fuzzy = False
    last: str | None = None

    def finish() -> None:
        nonlocal fuzzy
        if "msgid" in current:
            key = (current.get("msgctxt", ""), current["msgid"])
            if "msgstr" in current:
                forms: tuple[str, ...] = (current["msgstr"],)
            else:
                n = sum(1 for k in current if k.startswith("msgstr["))
                forms = tuple(current.get(f"msgstr[{i}]", "") for i in range(n))
            if key == ("", ""):
                _read_header(cat, forms[0] if forms else "")
            elif not fuzzy and (all(forms) or not all(cat.entries.get(key, ("",)))):
                # a msgid given twice (a merge that kept both sides) keeps its translation
                cat.entries[key] = forms
                if "msgid_plural" in current:
                    cat.plural_ids[key] = current["msgid_plural"]
        current.clear()
        fuzzy = False

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{name}:{lineno}"
        if not line:
            continue
        if line.startswith("#"):
            if any(k.startswith("msgstr") for k in current):
                finish()  # comments belong to the entry that follows them
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            if last is None:
                raise CatalogError(f"{where}: a continued string with nothing to continue")
            current[last] += _unquote(line, where)
            continue
        keyword, _, rest = line.partition(" ")
        if not (
            keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr")
            or re.fullmatch(r"msgstr\[\d+\]", keyword)
        ):
            raise CatalogError(f"{where}: unknown keyword {keyword!r}")
        if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in current):
            finish()
        current[keyword] = _unquote(rest, where)
        last = keyword
    finish()
    return cat


def _read_header(cat: Catalog, header: str) -> None:
    for line in header.splitlines():
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "language":
            cat.lang = value
        elif name == "plural-forms":
            m = re.search(r"plural\s*=\s*([^;]+)", value)
            if m:
                cat.plural = gettext.c2py(m[1].strip())


_LOCALE = Path(__file__).parent / "locale"
"""The catalogues' folder inside the package (the package is files on disk, as
``importlib.resources`` would find it; importing that costs every start-up 3 ms)."""


def po_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` ships inside the package."""
    return _LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> tuple[str, ...]:
    """The languages with a catalogue, plus English (the source language, needing none)."""
    found = sorted(p.name for p in _LOCALE.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file())
    return ("en", *[lang for lang in found if lang != "en"])


@functools.cache
def catalog(lang: str) -> Catalog | None:
    """The catalogue of ``lang``, read on first use; ``None`` for English or an unknown language."""
    if lang == "en":
        return None
    path = po_path(lang)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    cat = parse_po(text, str(path))
    cat.lang = cat.lang or lang
    return cat
