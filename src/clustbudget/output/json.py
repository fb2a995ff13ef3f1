"""JSON output: a versioned envelope; money is a string with two decimals, never a float."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from .. import __version__
from ..compute import FlatRateFigure
from ..findings import Finding
from ..i18n import gettext, render
from ..money import fmt
from ..pipeline import RunResult
from . import JSON_FORMAT_VERSION


def envelope(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Wrap a command's output: ``{"format": "clustbudget.<kind>", "format_version": 1, …}``."""
    return {
        "format": f"clustbudget.{kind}",
        "format_version": JSON_FORMAT_VERSION,
        "tool": {"name": "clustbudget", "version": __version__},
        **body,
    }


def finding(f: Finding, lang: str = "en") -> dict[str, Any]:
    """A finding for scripts: English codes and keys; ``message`` and ``citation`` in ``lang``."""
    citation = f.citation or _registered_citation(f.code)
    out: dict[str, Any] = {
        "code": f.code,
        "severity": str(f.severity),
        "message": render(f.message, lang),
        "path": f.location.path,
        "line": f.location.line,
        "col": f.location.col,
        "citation": gettext(citation, lang) if citation else citation,
    }
    if f.related:
        out["related"] = {"path": f.related.path, "line": f.related.line, "col": f.related.col}
    return out


def flat_rates(rates: Iterable[FlatRateFigure]) -> dict[str, Any]:
    """``flat_rate`` (the only flat rate, or null) and ``flat_rates`` (all), as `show` and
    `report` give them."""
    out = [
        {
            "key": r.key,
            "rate": f"{r.rate}",
            "base": list(r.base),
            "base_amount": fmt(r.base_amount),
            "amount": fmt(r.amount),
        }
        for r in rates
    ]
    return {"flat_rate": out[0] if len(out) == 1 else None, "flat_rates": out}


def _registered_citation(code: str) -> str | None:
    """The citation of a code produced outside a rule function (CB0xx, from loading)."""
    from ..rules import all_rules

    rule = all_rules().get(code)
    return rule.citation if rule else None


def dump(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write(run: RunResult, out: TextIO, *, strict: bool = False, lang: str = "en") -> None:
    dump(
        envelope(
            "validate",
            {
                "files": [
                    {"path": fr.display, "kind": fr.kind, "findings": [finding(f, lang) for f in fr.findings]}
                    for fr in run.files
                ],
                "summary": {"files": len(run.files), **run.counts()},
                "exit_code": int(run.exit_code(strict=strict)),
            },
        ),
        out,
    )
