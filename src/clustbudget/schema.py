"""JSON Schema of the file kinds, from the models (for editors and other validators)."""

from __future__ import annotations

import warnings
from typing import Any

from .loading import MODELS

TITLES = {
    "budget": "clustbudget budget",
    "report": "clustbudget cost report",
    "pack": "clustbudget call pack",
    "indicators": "clustbudget indicators",
}


def json_schema(kind: str = "budget") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind: ``budget``, ``report``, ``pack`` or ``indicators``."""
    with warnings.catch_warnings():
        # pydantic warns while serialising Decimal defaults (hours_per_year) into the schema
        warnings.simplefilter("ignore")
        schema = MODELS[kind].model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://clustbudget.invalid/schema/{kind}-1.json",
        **schema,
        "title": TITLES[kind],
    }
