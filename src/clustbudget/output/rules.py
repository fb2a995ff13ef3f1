"""What ``clustbudget rules`` prints, as functions: every rule as JSON, one rule explained.

The table of every rule is drawn by the CLI (rich); everything else is here, so that a
notebook or a documentation generator gets the same text and the same JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import gettext, msg, render

if TYPE_CHECKING:
    from ..rules import Rule


def _tr(text: str, lang: str) -> str:
    return gettext(text, lang) if text else text


def severity_word(rule: Rule, lang: str) -> str:
    """The rule's severity in ``lang`` (``error``, ``errore``…)."""
    from .words import SEVERITY_WORDS

    return gettext(SEVERITY_WORDS[str(rule.severity)], lang)


def summary(rule: Rule, lang: str) -> str:
    """What the rule checks, in one line, in ``lang``."""
    return _tr(rule.summary, lang)


def rules_json(rules: list[Rule], lang: str) -> dict[str, Any]:
    """The ``rules -f json`` envelope: each rule's code, name, severity, summary, citation,
    explanation and its tested failing example (``path``/``text`` pairs)."""
    from ..rules.examples import example_files
    from .json import envelope

    return envelope(
        "rules",
        {
            "rules": [
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": str(r.severity),
                    "summary": _tr(r.summary, lang),
                    "citation": _tr(r.citation, lang),
                    "explanation": _tr(r.explanation, lang),
                    "example": [{"path": name, "text": text} for name, text in example_files(r.code, lang)],
                }
                for r in rules
            ]
        },
    )


def explanation(rule: Rule, lang: str) -> str:
    """``rules CODE`` as text: the rule, its source, what it checks, why, the fix, and the
    files of its failing example."""
    from ..rules.examples import example_files

    source = render(msg("Source: {citation}", citation=_tr(rule.citation, lang)), lang)
    out = [
        f"{rule.code} {rule.name} ({severity_word(rule, lang)})\n\n{_tr(rule.summary, lang)}\n\n{source}\n"
    ]
    if rule.explanation:
        out.append(f"\n{_tr(rule.explanation, lang)}\n")
    files = example_files(rule.code, lang)
    if files:
        out.append(
            "\n" + gettext("Example — files that break the rule (the comment marks the line):", lang) + "\n"
        )
        out.extend(f"\n# --- {name}\n{text.rstrip()}\n" for name, text in files)
    return "".join(out)
