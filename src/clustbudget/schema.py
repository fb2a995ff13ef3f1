"""JSON Schema of the file kinds, from the models (for editors and other validators).

The descriptions are the models' field docs, in English by default (the schema file an editor
reads stays the same whatever the machine's locale); ``lang`` gives them in another language,
through the catalogue (``clustbudget schema --lang it``). Field names, titles and examples are
the format's contract and stay as they are.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from .i18n import N_, gettext
from .loading import MODELS

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
        schema = MODELS[kind].model_json_schema(mode="validation")
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
            else:
                _translate(value, lang)
    elif isinstance(node, list):
        for value in node:
            _translate(value, lang)


def descriptions() -> Iterator[str]:
    """Every description of the schemas, in English: msgids of the catalogue (the extractor
    reads them here, as they come from field docs and model docstrings)."""
    seen: set[str] = set()
    stack: list[Any] = [json_schema(kind) for kind in MODELS]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    if value not in seen:
                        seen.add(value)
                        yield value
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
