"""`report`'s forecast: where the project is heading (rich tables, or its JSON object).

The figures are :mod:`clustbudget.forecast`'s; this module only lays them out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..forecast import Forecast, ItemForecast
from ..i18n import N_, format_template, gettext
from ..models import CallPack
from ..money import fmt, fmt_eur

if TYPE_CHECKING:
    from rich.console import Console

WORDS: dict[str, str] = {
    "title": N_(
        "Forecast to the end date ({end:date}), as of {as_of:date}: {elapsed} of {total} months elapsed, "
        "{left} left"
    ),
    "title_none": N_("Forecast to the end date ({end:date}): no period reported yet, {total} months to go"),
    "actual": N_("Accepted"),
    "monthly": N_("A month so far"),
    "needed": N_("A month needed"),
    "projected": N_("Projected"),
    "difference": N_("Over (+) / short (-)"),
    "minimum": N_(
        "Minimum spend {share:rate} of the budget: {amount:money}; {needed} a month needed{below}."
    ),
    "minimum_below": N_(" — projected below it"),
    "minimum_unknown": N_("Minimum spend: not checked (unknown for this call)."),
    "ended": N_("the end date is reached: the projection is what was accepted"),
    "by_year": N_("Accepted by calendar year against the budget's split by year"),
    "year": N_("Year"),
    "not_split": N_("not split by year"),
    "no_split": N_("(the budget does not split its lines by year)"),
}


def _word(key: str, lang: str) -> str:
    return gettext(WORDS[key], lang)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else fmt(value)


def _item(i: ItemForecast) -> dict[str, Any]:
    return {
        "key": i.key,
        "budget": fmt(i.budget),
        "actual": fmt(i.actual),
        "remaining": fmt(i.remaining),
        "monthly": _money(i.monthly),
        "needed_monthly": _money(i.needed),
        "projected": _money(i.projected),
        "difference": _money(i.difference),
    }


def forecast_json(fc: Forecast | None) -> dict[str, Any] | None:
    """The `forecast` object of `report -f json` (None: the budget could not be computed).

    Money as strings with two decimals, months as strings with two; ``null`` where a figure
    does not exist (no month elapsed: no pace, no projection; no month left: no pace needed;
    ``minimum_spend`` null: the call pack does not set it, not checked)."""
    if fc is None:
        return None
    m = fc.minimum
    return {
        "start": fc.start.isoformat(),
        "end": fc.end.isoformat(),
        "as_of": fc.as_of.isoformat() if fc.as_of else None,
        "months_total": f"{fc.months_total}",
        "months_elapsed": f"{fc.months_elapsed}",
        "months_left": f"{fc.months_left}",
        "items": [_item(i) for i in fc.items],
        "minimum_spend": None
        if m is None
        else {
            "share": f"{m.share}",
            "amount": fmt(m.amount),
            "needed_monthly": _money(m.needed),
            "projected_below": m.projected_below,
        },
        "by_year": [
            {
                "year": y.year if y.year != "" else None,
                "budget": None if y.budget is None else {k: fmt(v) for k, v in y.budget.items()},
                "budget_total": _money(y.budget_total),
                "actual": {k: fmt(v) for k, v in y.actual.items()},
                "actual_total": fmt(y.actual_total),
            }
            for y in fc.by_year
        ],
    }


def render(fc: Forecast, pack: CallPack, console: Console, lang: str = "en") -> None:
    """The forecast table (per item and total: budget, accepted, a month so far, a month
    needed, projected, over/short), the minimum spend, and the years against the budget."""
    from rich.table import Table

    from .text import literal
    from .words import WORDS as TABLE

    t = TABLE[lang]
    dash = "—"

    def money(value: Decimal | None) -> str:
        return dash if value is None else fmt_eur(value, lang)

    if fc.as_of is None:
        title = format_template(_word("title_none", lang), {"end": fc.end, "total": fc.months_total}, lang)
    else:
        fields = {
            "end": fc.end,
            "as_of": fc.as_of,
            "elapsed": fc.months_elapsed,
            "total": fc.months_total,
            "left": fc.months_left,
        }
        title = format_template(_word("title", lang), fields, lang)
        if fc.ended:
            title += f" ({_word('ended', lang)})"
    table = Table(title=literal(title), title_justify="left")
    table.add_column(t["item"], no_wrap=True)
    for header in (
        t["budget"],
        _word("actual", lang),
        _word("monthly", lang),
        _word("needed", lang),
        _word("projected", lang),
        _word("difference", lang),
    ):
        table.add_column(header, justify="right", no_wrap=True)
    for i in fc.items:
        if i.key == "total":
            table.add_section()
        diff = i.difference
        table.add_row(
            literal(i.key) if i.key != "total" else t["total"],
            money(i.budget),
            money(i.actual),
            money(i.monthly),
            money(i.needed),
            money(i.projected),
            dash if diff is None else ("+" if diff > 0 else "") + fmt_eur(diff, lang),
            style="red" if diff is not None and diff > 0 else None,
        )
    console.print(table)
    m = fc.minimum
    if m is None:
        console.print(_word("minimum_unknown", lang))
    else:
        fields2 = {
            "share": m.share,
            "amount": m.amount,
            "needed": money(m.needed),
            "below": _word("minimum_below", lang) if m.projected_below else "",
        }
        console.print(literal(format_template(_word("minimum", lang), fields2, lang)))
    if fc.by_year:
        years = Table(title=literal(_word("by_year", lang)), title_justify="left")
        years.add_column(_word("year", lang), no_wrap=True)
        years.add_column(t["budget"], justify="right", no_wrap=True)
        years.add_column(_word("actual", lang), justify="right", no_wrap=True)
        for y in fc.by_year:
            label = str(y.year) if y.year != "" else _word("not_split", lang)
            years.add_row(label, money(y.budget_total), money(y.actual_total) if y.year != "" else dash)
        console.print(years)
        if all(y.budget is None for y in fc.by_year):
            console.print(_word("no_split", lang))
