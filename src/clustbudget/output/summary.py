"""`summary`: the portfolio table (rich) and its JSON envelope.

The figures are :mod:`clustbudget.portfolio`'s (each row from its project's `report`
figures); this module only lays them out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..i18n import N_, format_template, gettext, nmsg
from ..money import fmt, fmt_eur
from ..portfolio import Portfolio, ProjectRow
from .json import envelope

if TYPE_CHECKING:
    from rich.console import Console

WORDS: dict[str, str] = {
    "project": N_("Project"),
    "budget": N_("Budget"),
    "accepted": N_("Accepted"),
    "used": N_("Used"),
    "remaining": N_("Remaining"),
    "months_left": N_("Months left"),
    "projected": N_("Projected"),
    "difference": N_("Over (+) / short (-)"),
    "errors": N_("Errors"),
    "warnings": N_("Warnings"),
    "latest": N_("Latest period"),
    "state": N_("State"),
    "reviewed": N_("reviewed {date:date}"),
    "not_reviewed": N_("not reviewed"),
    "no_period": N_("no period"),
    "not_computed": N_("cannot be computed"),
    "total": N_("Total"),
    "none": N_("No budget found: name budget files or folders that hold them."),
}


def _w(key: str, lang: str) -> str:
    return gettext(WORDS[key], lang)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else fmt(value)


def _row(p: ProjectRow) -> dict[str, Any]:
    return {
        "path": p.path,
        "title": p.title,
        "budget": _money(p.budget),
        "accepted": _money(p.accepted),
        "share_used": None if p.share_used is None else f"{p.share_used}",
        "remaining": _money(p.remaining),
        "end": p.end.isoformat() if p.end else None,
        "months_left": None if p.months_left is None else f"{p.months_left}",
        "projected": _money(p.projected),
        "difference": _money(p.difference),
        "errors": p.errors,
        "warnings": p.warnings,
        "latest_period": None
        if p.latest_period is None
        else {
            "id": p.latest_period,
            "end": p.latest_end.isoformat() if p.latest_end else None,
            "reviewed": p.reviewed.isoformat() if p.reviewed else None,
        },
    }


def summary_json(portfolio: Portfolio) -> dict[str, Any]:
    """The `summary -f json` envelope: ``projects`` (one object per project) and ``totals``."""
    return envelope(
        "summary",
        {
            "projects": [_row(p) for p in portfolio.projects],
            "totals": {
                "projects": len(portfolio.projects),
                "budget": fmt(portfolio.budget),
                "accepted": fmt(portfolio.accepted),
                "share_used": None if portfolio.share_used is None else f"{portfolio.share_used}",
                "remaining": fmt(portfolio.remaining),
                "projected": fmt(portfolio.projected),
                "difference": fmt(portfolio.difference),
                "errors": portfolio.errors,
                "warnings": portfolio.warnings,
            },
        },
    )


def state(p: ProjectRow, lang: str) -> str:
    """The latest period's state in words: reviewed on a date, or not reviewed."""
    if p.latest_period is None:
        return _w("no_period", lang)
    if p.reviewed is not None:
        return format_template(_w("reviewed", lang), {"date": p.reviewed}, lang)
    return _w("not_reviewed", lang)


def render(portfolio: Portfolio, console: Console, lang: str = "en") -> None:
    """One row per project and a total row: budget, accepted, used, remaining, months left,
    projected, over/short, errors, warnings, latest period and its state."""
    from rich.table import Table

    from .text import literal
    from .words import pct

    if not portfolio.projects:
        console.print(_w("none", lang))
        return
    dash = "—"

    def money(value: Decimal | None) -> str:
        return dash if value is None else fmt_eur(value, lang)

    def used(value: Decimal | None) -> str:
        return dash if value is None else pct(value, lang, places=1)

    def signed(value: Decimal | None) -> str:
        return dash if value is None else ("+" if value > 0 else "") + fmt_eur(value, lang)

    n = len(portfolio.projects)
    title = nmsg("Portfolio: {n} project", "Portfolio: {n} projects", n).render(lang)
    table = Table(title=literal(title), title_justify="left")
    table.add_column(_w("project", lang), overflow="fold", max_width=40)
    for key in ("budget", "accepted", "used", "remaining", "months_left", "projected", "difference"):
        table.add_column(_w(key, lang), justify="right", no_wrap=True)
    table.add_column(_w("errors", lang), justify="right", no_wrap=True)
    table.add_column(_w("warnings", lang), justify="right", no_wrap=True)
    table.add_column(_w("latest", lang), no_wrap=True)
    table.add_column(_w("state", lang), no_wrap=True)
    for p in portfolio.projects:
        name = literal(p.path)
        if p.title:
            name = literal(p.title).append("\n").append_text(literal(p.path))
        if p.budget is None:
            table.add_row(
                name, _w("not_computed", lang), *[dash] * 6, str(p.errors), str(p.warnings), dash, dash
            )
            continue
        table.add_row(
            name,
            money(p.budget),
            money(p.accepted),
            used(p.share_used),
            money(p.remaining),
            dash if p.months_left is None else format_template("{m}", {"m": p.months_left}, lang),
            money(p.projected),
            signed(p.difference),
            str(p.errors),
            str(p.warnings),
            literal(p.latest_period or dash),
            state(p, lang),
            style="red" if p.errors else None,
        )
    table.add_section()
    table.add_row(
        _w("total", lang),
        money(portfolio.budget),
        money(portfolio.accepted),
        used(portfolio.share_used),
        money(portfolio.remaining),
        "",
        money(portfolio.projected),
        signed(portfolio.difference),
        str(portfolio.errors),
        str(portfolio.warnings),
        "",
        "",
        style="bold",
    )
    console.print(table)
