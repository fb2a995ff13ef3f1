"""JSON Schema of the file kinds, from the models (for editors and other validators).

The descriptions are the models' field docs and the titles pydantic makes of the field and
model names, in English by default (the schema file an editor reads stays the same whatever the
machine's locale); ``lang`` gives both in another language, through the catalogue
(``clustbudget schema --lang it``; the titles under the context ``schema``). Field names and
examples are the format's contract and stay as they are.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from .i18n import N_, gettext, pgettext
from .loading import KINDS, model_of

TITLE_CONTEXT = "schema"
"""The gettext context of the schema's titles: a field's title ("Amount", "Note") may read
differently from the same word elsewhere."""

TITLES = {
    "budget": N_("clustbudget budget"),
    "report": N_("clustbudget cost report"),
    "pack": N_("clustbudget call pack"),
    "indicators": N_("clustbudget indicators"),
}


def json_schema(kind: str = "budget", lang: str = "en") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind: ``budget``, ``report``, ``pack`` or
    ``indicators``, its descriptions in ``lang``."""
    with warnings.catch_warnings():
        # pydantic warns while serialising Decimal defaults (hours_per_year) into the schema
        warnings.simplefilter("ignore")
        schema = model_of(kind).model_json_schema(mode="validation")
    if lang != "en":
        _translate(schema, lang)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://clustbudget.invalid/schema/{kind}-1.json",
        **schema,
        "title": gettext(TITLES[kind], lang),
    }


def _translate(node: Any, lang: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = gettext(value, lang)
            elif key == "title" and isinstance(value, str):
                node[key] = pgettext(TITLE_CONTEXT, value, lang)
            else:
                _translate(value, lang)
    elif isinstance(node, list):
        for value in node:
            _translate(value, lang)


def descriptions(key: str = "description") -> Iterator[str]:
    """Every description of the schemas (``key="title"``: every title but the files' own), in
    English: msgids of the catalogue (the extractor reads them here, as they come from field
    docs, field names and model docstrings)."""
    seen: set[str] = set(TITLES.values())
    stack: list[Any] = [json_schema(kind) for kind in KINDS]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            for k, value in node.items():
                if k == key and isinstance(value, str):
                    if value not in seen:
                        seen.add(value)
                        yield value
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
