"""Italian and English: message templates, the catalogues, and which language is in use.

How text reaches a user:

- Code writes English **message templates with named fields**, ``msg("declared {key} is
  {declared:money} but the lines give {actual:money}", key=..., declared=..., actual=...)``.
  The English template is the gettext ``msgid``: a translator sees the real sentence, and an
  entry missing from a catalogue falls back to readable English, never to a key.
- A :class:`Message` is a ``str`` (its English text) that also keeps its template and fields,
  so it can be rendered again in another language at presentation time
  (:func:`render`). Findings carry Messages; outputs render them in the chosen language, while
  codes and JSON field names stay English.
- Fields are written by :mod:`.formatting` for the language (``{x:money}`` → ``1.511,00 €``);
  a field that is itself a Message is rendered in the same language.
- Static text (help, table headers, workbook labels) goes through :func:`gettext` /
  :func:`pgettext` with the language passed in; ``N_`` marks text for extraction where it is
  defined and translated later.

Catalogues are GNU gettext ``.po`` files, ``i18n/locale/<lang>/LC_MESSAGES/clustbudget.po``,
read on first use of their language only (:mod:`.catalog`). English needs none.
``python -m clustbudget.i18n`` writes the template (``.pot``) of every msgid in the code, and
checks a catalogue against it.
"""

from __future__ import annotations

import _string  # type: ignore[import-not-found]  # the parser behind str.format
import functools
import os
from collections.abc import Mapping, Sequence
from typing import Any

from . import formatting
from .catalog import catalog

DEFAULT = "en"
"""The terminal's language when neither --lang, CLUSTBUDGET_LANG nor the locale says Italian."""
WORKBOOK_DEFAULT = "it"
"""Workbooks go to the Region: Italian unless --lang or CLUSTBUDGET_LANG says otherwise."""
LANGS = ("it", "en")


@functools.lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[str, str | None, str, str | None], ...]:
    return tuple(_string.formatter_parser(template))


def _lookup(fields: Mapping[str, Any], name: str) -> Any:
    first, rest = _string.formatter_field_name_split(name)
    value = fields[first]
    for is_attr, key in rest:
        value = getattr(value, key) if is_attr else value[key]
    return value


def format_template(template: str, fields: Mapping[str, Any], lang: str) -> str:
    """``str.format`` with the language's number, money and date styles (see :mod:`.formatting`)."""
    out: list[str] = []
    for literal, name, spec, conv in _parsed(template):
        out.append(literal)
        if name is None:
            continue
        value = _lookup(fields, name)
        if isinstance(value, Message | Localized):
            value = value.render(lang)
        if conv == "r":
            value = repr(value)
        elif conv == "s":
            value = str(value)
        elif conv == "a":
            value = ascii(value)
        if spec and "{" in spec:  # a nested field in the spec: rare, let str.format do it
            spec = spec.format(**fields)
        out.append(formatting.field(value, spec or "", lang))
    return "".join(out)


def field_names(template: str) -> set[str]:
    """The named fields of a template with their spec: ``{"cost:money", "n"}`` (a test compares
    these between a msgid and its translation)."""
    return {f"{name}:{spec}" if spec else name for _, name, spec, _ in _parsed(template) if name is not None}


class Message(str):
    """A message template with its fields: a ``str`` (the English text) that can be rendered
    in any language.

    ``plural`` and ``n`` make it a plural message (``ngettext``); ``context`` is the gettext
    ``msgctxt``, for the rare msgid that must be translated differently in two places.
    """

    msgid: str
    plural: str | None
    n: int | None
    context: str
    fields: dict[str, Any]

    def __new__(
        cls,
        msgid: str,
        fields: Mapping[str, Any] | None = None,
        /,
        *,
        plural: str | None = None,
        n: int | None = None,
        context: str = "",
    ) -> Message:
        fields = dict(fields or {})
        english = plural if plural is not None and n != 1 else msgid
        self = super().__new__(cls, format_template(english, fields, "en"))
        self.msgid, self.plural, self.n, self.context, self.fields = msgid, plural, n, context, fields
        return self

    def template(self, lang: str) -> str:
        """The template in ``lang`` (the English one when the catalogue has no translation)."""
        cat = catalog(lang)
        if self.plural is not None:
            n = self.n if self.n is not None else 2
            found = cat.get_plural(self.msgid, n, self.context) if cat else None
            return found or (self.msgid if n == 1 else self.plural)
        found = cat.get(self.msgid, self.context) if cat else None
        return found or self.msgid

    def render(self, lang: str) -> str:
        if lang == "en":
            return str.__str__(self)
        return format_template(self.template(lang), self.fields, lang)

    def __reduce__(self) -> Any:  # a str subclass would otherwise pickle as a plain str
        return (_rebuild, (self.msgid, self.plural, self.n, self.context, self.fields))


class Localized:
    """A field value that already exists in each language, such as a call pack's item label
    (``{"it": "Costo del coordinatore operativo", "en": "Operational coordinator"}``); English
    when the language has none."""

    __slots__ = ("texts",)

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = dict(texts)

    def render(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts.get("en") or next(iter(self.texts.values()), "")

    def __str__(self) -> str:
        return self.render("en")

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Localized({self.texts!r})"


def _rebuild(msgid: str, plural: str | None, n: int | None, context: str, fields: dict[str, Any]) -> Message:
    return Message(msgid, fields, plural=plural, n=n, context=context)


def msg(msgid: str, /, **fields: Any) -> Message:
    """A message in English with named fields, to be rendered in the user's language."""
    return Message(msgid, fields)


def nmsg(singular: str, plural: str, n: int, /, **fields: Any) -> Message:
    """A message whose wording depends on a count ``n`` (which is also a field, ``{n}``)."""
    return Message(singular, {"n": n, **fields}, plural=plural, n=n)


def joined(parts: Sequence[object], sep: str = "; ") -> Message:
    """Messages (or plain text) joined by a separator that is the same in every language
    (``"; "``): each part is rendered in the language the whole is rendered in."""
    names = [f"p{i}" for i in range(len(parts))]
    template = sep.replace("{", "{{").replace("}", "}}").join("{" + n + "}" for n in names)
    return Message(template, dict(zip(names, parts, strict=True)))


def render(text: object, lang: str) -> str:
    """Any text for the user in ``lang``: a Message is rendered, plain text (the user's own,
    a file name) is left as it is."""
    if isinstance(text, Message):
        return text.render(lang)
    return "" if text is None else str(text)


def N_(text: str) -> str:
    """Mark a static English text for the catalogue where it is defined; translate it where it
    is shown, with :func:`gettext`."""
    return text


def gettext(text: str, lang: str) -> str:
    """A static text in ``lang`` (English if there is no translation)."""
    cat = catalog(lang)
    return (cat.get(text) if cat else None) or text


def pgettext(context: str, text: str, lang: str) -> str:
    """:func:`gettext` with a context, for a short word that means two things (``Item``)."""
    cat = catalog(lang)
    return (cat.get(text, context) if cat else None) or text


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    cat = catalog(lang)
    found = cat.get_plural(singular, n) if cat else None
    return found or (singular if n == 1 else plural)


def _from_locale(value: str | None) -> str | None:
    if not value:
        return None
    code = value.split(":")[0].strip().lower().replace("-", "_")
    if code in ("c", "posix") or code.startswith(("c.", "c_")):
        return DEFAULT
    base = code.split("_")[0].split(".")[0]
    return base if base in LANGS else DEFAULT


def env_lang(environ: Mapping[str, str] | None = None) -> str | None:
    """The language ``CLUSTBUDGET_LANG`` asks for, if any (``it``, ``en``, or a locale name)."""
    environ = os.environ if environ is None else environ
    return _from_locale(environ.get("CLUSTBUDGET_LANG"))


_PROJECT_LANG: dict[str, str] = {}
"""The language a project's ``clustbudget.toml`` sets (:func:`set_project_lang`): one per run."""


def set_project_lang(lang: str | None) -> None:
    """Set (or clear, with None) the language of the project's ``clustbudget.toml``: after
    ``--lang`` and ``CLUSTBUDGET_LANG``, before the locale (and before Italian for workbooks)."""
    _PROJECT_LANG.clear()
    if lang in LANGS:
        _PROJECT_LANG["lang"] = lang


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """The terminal's language: ``CLUSTBUDGET_LANG``, else the project's ``clustbudget.toml``,
    else the locale (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``: the first one set decides,
    as POSIX reads them), else English."""
    environ = os.environ if environ is None else environ
    chosen = env_lang(environ) or _PROJECT_LANG.get("lang")
    if chosen:
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return _from_locale(value) or DEFAULT
    return DEFAULT


def workbook_lang(environ: Mapping[str, str] | None = None) -> str:
    """A workbook's language when --lang is not given: ``CLUSTBUDGET_LANG``, else the
    project's ``clustbudget.toml``, else Italian."""
    return env_lang(environ) or _PROJECT_LANG.get("lang") or WORKBOOK_DEFAULT


def lang_from_argv(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` on a command line (``--lang it`` or ``--lang=it``), if valid."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None and value.lower() in LANGS:
            return value.lower()
    return None


__all__ = [
    "LANGS",
    "N_",
    "Localized",
    "Message",
    "default_lang",
    "format_template",
    "formatting",
    "gettext",
    "lang_from_argv",
    "msg",
    "ngettext",
    "nmsg",
    "pgettext",
    "render",
    "workbook_lang",
]
