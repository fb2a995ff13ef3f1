"""`show`: a budget's figures as a table (rich) or as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..compute import UNASSIGNED
from ..money import fmt, fmt_eur
from ..pipeline import BudgetResult
from .json import envelope, finding, flat_rates

if TYPE_CHECKING:
    from rich.console import Console


def figures_json(result: BudgetResult, lang: str = "en") -> dict[str, Any]:
    """The `show` JSON envelope (money as strings, shares as fractions with 4 decimals)."""
    budget, pack, fig = result.budget, result.pack, result.figures
    if budget is None or pack is None or fig is None:
        # The budget could not be computed: the same envelope, with its findings and no figures.
        return envelope(
            "show",
            {
                "path": result.loaded.display,
                "call": None,
                "project": None,
                "items": [],
                "direct": None,
                "flat_rate": None,
                "flat_rates": [],
                "total": None,
                "by_action": {},
                "by_year": {},
                "findings": [finding(f, lang) for f in result.findings],
            },
        )
    p = budget.project
    return envelope(
        "show",
        {
            "path": result.loaded.display,
            "call": {
                "id": pack.id,
                "version": pack.version,
                "title": pack.title,
                "programme": pack.programme.label,
            },
            "project": {
                "title": p.title,
                "beneficiary": p.beneficiary,
                "cup": p.cup,
                "programme": p.programme,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "duration_months": p.duration_months,
            },
            "items": [
                {
                    "key": k,
                    "label": pack.label(k, "it"),
                    "label_en": pack.label(k, "en"),
                    "kind": pack.items[k].kind if k in pack.items else None,
                    "amount": fmt(v),
                    "share": f"{fig.share(k)}",
                }
                for k, v in fig.items.items()
            ],
            "direct": fmt(fig.direct),
            **flat_rates(fig.flat_rates),
            "total": fmt(fig.total),
            "by_action": {
                k or "unassigned": {i: fmt(v) for i, v in d.items()} for k, d in fig.by_action.items()
            },
            "by_year": {
                str(k) if k != UNASSIGNED else "unsplit": {i: fmt(v) for i, v in d.items()}
                for k, d in fig.by_year.items()
            },
            "findings": [finding(f, lang) for f in result.findings],
        },
    )


def render(result: BudgetResult, console: Console, lang: str = "en") -> None:
    """Print the budget table: item, label, amount, share; direct subtotal, E, total."""
    from rich.table import Table

    from ..compute import share
    from ..i18n import formatting
    from .text import literal
    from .words import WORDS, pct

    w = WORDS[lang]
    budget, pack, fig = result.budget, result.pack, result.figures
    assert budget is not None and pack is not None and fig is not None
    p = budget.project
    table = Table(
        title=literal(p.title)
        + "\n"
        + literal(
            f"{formatting.date(p.start, lang)} – {formatting.date(p.end, lang)}"
            f" · {w['call']} {pack.id} ({pack.programme.label})"
        ),
        show_footer=True,
        title_justify="left",
    )
    table.add_column(w["item"], footer=w["total"])
    table.add_column(w["label"])
    table.add_column(w["amount"], justify="right", footer=fmt_eur(fig.total, lang), no_wrap=True)
    table.add_column(
        w["share"], justify="right", footer=pct(Decimal(1), lang) if fig.total else "", no_wrap=True
    )
    rates = {r.key: r for r in fig.flat_rates}
    for key, amount in fig.items.items():
        label = pack.label(key, lang)
        if key in rates:
            r = rates[key]
            table.add_section()
            table.add_row("", w["direct"], fmt_eur(fig.direct, lang), pct(share(fig.direct, fig.total), lang))
            label += f" = {formatting.rate(r.rate, lang)} × ({'+'.join(r.base)})"
        table.add_row(
            literal(key), literal(label), fmt_eur(amount, lang), pct(share(amount, fig.total), lang)
        )
    console.print(table)
