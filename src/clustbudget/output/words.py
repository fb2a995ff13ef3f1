"""The words of the terminal tables, in English and Italian (`--lang`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "item": "Item",
        "label": "Label",
        "amount": "Amount (€)",
        "share": "Share",
        "total": "Total",
        "direct": "Direct costs",
        "call": "call",
        "budget": "Budget",
        "cumulative": "Cumulative",
        "remaining": "Remaining",
        "used": "Used",
        "over": "over",
        "vs": "Budget vs actual, to {period} ({end})",
        "no_reports": "No cost reports: nothing to compare with the budget yet.",
        "due_unknown": "Contribution due: not computed (contribution rate unknown for this call).",
        "due": "Contribution due: {due} ({rate} of accepted costs{cap}).",
        "cap": ", cap {cap}",
        "refused": "Not accepted (see the errors below): {amount}",
    },
    "it": {
        "item": "Voce",
        "label": "Descrizione",
        "amount": "Importo (€)",
        "share": "Quota",
        "total": "Totale",
        "direct": "Totale costi diretti",
        "call": "bando",
        "budget": "Budget",
        "cumulative": "Cumulato",
        "remaining": "Residuo",
        "used": "Utilizzato",
        "over": "oltre",
        "vs": "Budget e consuntivo, fino a {period} ({end})",
        "no_reports": "Nessun rendiconto: niente da confrontare con il budget.",
        "due_unknown": "Contributo dovuto: non calcolato (aliquota di contributo non nota per questo bando).",
        "due": "Contributo dovuto: {due} ({rate} dei costi ammessi{cap}).",
        "cap": ", massimale {cap}",
        "refused": "Non ammesso (vedi gli errori sotto): {amount}",
    },
}


def pct(fraction: Decimal, lang: str, places: int = 2) -> str:
    """A share as a percentage, half-up like every rounding here: ``0.6500`` → ``65.00%`` (en)
    or ``65,00%`` (it)."""
    percent = (fraction * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{percent:f}%"
    return text.replace(".", ",") if lang == "it" else text
