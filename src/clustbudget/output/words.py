"""The fixed words of the terminal's tables and notes (`show`, `report`, `rules`), as msgids.

The English text is the msgid; ``WORDS[lang][key]`` gives it in ``lang`` from the catalogue.
Templates with fields (``vs``, ``due``…) are filled with :func:`clustbudget.i18n.format_template`
so that their numbers and dates follow the language too.
"""

from __future__ import annotations

from decimal import Decimal

from ..i18n import N_, formatting, gettext

MESSAGES: dict[str, str] = {
    "item": N_("Item"),
    "label": N_("Label"),
    "amount": N_("Amount (€)"),
    "share": N_("Share"),
    "total": N_("Total"),
    "direct": N_("Direct costs"),
    "call": N_("call"),
    "budget": N_("Budget"),
    "cumulative": N_("Cumulative"),
    "remaining": N_("Remaining"),
    "used": N_("Used"),
    "over": N_("over"),
    "vs": N_("Budget vs actual, to {period} ({end:date})"),
    "no_reports": N_("No cost reports: nothing to compare with the budget yet."),
    "due_unknown": N_("Contribution due: not computed (contribution rate unknown for this call)."),
    "due": N_("Contribution due: {due:money} ({rate:rate} of accepted costs{cap})."),
    "cap": N_(", cap {cap:money}"),
    "refused": N_("Not accepted (see the errors below): {amount:money}"),
}

SEVERITY_WORDS = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
"""How a severity reads for people (codes, JSON and CI formats keep ``error``/``warning``/``info``)."""


class _ByLanguage:
    def __getitem__(self, lang: str) -> dict[str, str]:
        return {key: gettext(text, lang) for key, text in MESSAGES.items()}


WORDS = _ByLanguage()
"""``WORDS[lang]["item"]``: the table words in ``lang``."""


def pct(fraction: Decimal, lang: str, places: int = 2) -> str:
    """A share as a percentage, half-up (see :func:`clustbudget.i18n.formatting.percent`)."""
    return formatting.percent(fraction, lang, places)
