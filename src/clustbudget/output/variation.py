"""`variation OLD NEW`: the shifts between two versions of a budget, as tables (rich) or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..compute import UNASSIGNED
from ..i18n import N_, format_template, gettext
from ..money import fmt, fmt_eur
from ..pipeline import VariationResult
from ..variations import TOTAL, Shift, beyond_tolerance, is_set, tolerated
from .json import envelope, finding

if TYPE_CHECKING:
    from rich.console import Console

    from ..models import CallPack

WORDS = {
    "title": N_("Variation {vid}: {new} against {old}"),
    "state_pending": N_("requested {requested:date}, pending approval"),
    "state_approved": N_("requested {requested:date}, approved {approved:date}"),
    "not_a_revision": N_("not a recorded variation (no revises: naming the old version)"),
    "approved": N_("Approved (€)"),
    "new": N_("New (€)"),
    "shift": N_("Shift (€)"),
    "of_item": N_("% of item"),
    "of_total": N_("% of total"),
    "beyond": N_("Beyond tolerance (€)"),
    "items": N_("By item"),
    "year": N_("Year {year}"),
    "unsplit": N_("Not split by year"),
    "action": N_("Action {action}"),
    "unassigned": N_("No action"),
    "direct": N_("Direct costs"),
    "total": N_("Total"),
    "item": N_("Item"),
    "label": N_("Label"),
    "tolerance_unknown": N_("Shift tolerated without approval: unknown for this call, not checked."),
    "tolerance": N_("Shift tolerated without approval: {limit}."),
    "share_item": N_("{share:rate} of the item"),
    "share_total": N_("{share:rate} of the approved total"),
    "either": N_(" or "),
    "both": N_(" and at most "),
    "in_force": N_("Budget in force: variation {vid} ({path}, approved {approved:date})"),
    "in_force_original": N_("Budget in force: the original budget ({path}), no variation approved by then"),
    "pending": N_("{vid} (pending)"),
    "cannot": N_("The two versions cannot be compared: see the errors above."),
}


def word(key: str, lang: str, **fields: Any) -> str:
    text = gettext(WORDS[key], lang)
    return format_template(text, fields, lang) if fields else text


def tolerance_text(pack: CallPack, lang: str) -> str:
    """The call's tolerance in words: ``20% of the item or 15,000.00``, or that it is unknown."""
    rules = pack.variations
    if not is_set(rules):
        return word("tolerance_unknown", lang)
    parts = []
    if rules.share is not None:
        parts.append(word("share_item" if rules.basis == "item" else "share_total", lang, share=rules.share))
    if rules.amount is not None:
        parts.append(fmt_eur(rules.amount, lang))
    joined = word(rules.combine, lang).join(parts)
    return word("tolerance", lang, limit=joined)


def _row_json(row: Shift, pack: CallPack | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": row.key,
        "approved": fmt(row.approved),
        "new": fmt(row.new),
        "shift": fmt(row.shift),
        "share_of_item": None if row.share_of_item is None else f"{row.share_of_item}",
        "share_of_total": f"{row.share_of_total}",
    }
    if pack is not None and row.key != TOTAL:
        limit = tolerated(pack.variations, row)
        out["tolerated"] = None if limit is None else fmt(limit)
        out["beyond_tolerance"] = None if limit is None else fmt(beyond_tolerance(pack.variations, row))
    return out


def _split_key(key: int | str, unsplit: str) -> str:
    return unsplit if key == UNASSIGNED else str(key)


def variation_json(result: VariationResult, lang: str = "en") -> dict[str, Any]:
    """The `variation` JSON envelope: both versions, the shifts per item, year and action
    (money as strings, shares as fractions with 4 decimals), and the findings."""
    cmp, pack = result.comparison, result.new.pack
    model = result.new.budget
    v = model.variation if model is not None else None
    rows = lambda rs: [_row_json(r, pack) for r in rs]  # noqa: E731
    return envelope(
        "variation",
        {
            "old": result.old.loaded.display,
            "new": result.new.loaded.display,
            "variation": None
            if v is None
            else {
                "id": v.id,
                "requested": v.requested.isoformat(),
                "approved": v.approved.isoformat() if v.approved else None,
                "act": v.act,
                "note": v.note,
            },
            "tolerance": None
            if pack is None or not is_set(pack.variations)
            else {
                "share": None if pack.variations.share is None else f"{pack.variations.share}",
                "amount": None if pack.variations.amount is None else fmt(pack.variations.amount),
                "basis": pack.variations.basis,
                "combine": pack.variations.combine,
            },
            "items": rows(cmp.items) if cmp else [],
            "by_year": {_split_key(k, "unsplit"): rows(rs) for k, rs in cmp.by_year.items()} if cmp else {},
            "by_action": {_split_key(k, "unassigned"): rows(rs) for k, rs in cmp.by_action.items()}
            if cmp
            else {},
            "findings": [finding(f, lang) for f in result.findings],
        },
    )


def _table(title: str, rows: list[Shift], pack: CallPack, lang: str, *, labels: bool, total: str) -> Any:
    from rich.table import Table

    from .words import pct

    checked = is_set(pack.variations)
    table = Table(title=title, title_justify="left")
    table.add_column(word("item", lang))
    if labels:
        table.add_column(word("label", lang))
    for key in ("approved", "new", "shift", "of_item", "of_total") + (("beyond",) if checked else ()):
        table.add_column(word(key, lang), justify="right", no_wrap=True)
    for row in rows:
        if row.key == TOTAL:
            table.add_section()
        name = word(total, lang) if row.key == TOTAL else row.key
        cells = [name] + ([pack.label(row.key, lang) if row.key != TOTAL else ""] if labels else [])
        cells += [
            fmt_eur(row.approved, lang),
            fmt_eur(row.new, lang),
            fmt_eur(row.shift, lang),
            "—" if row.share_of_item is None else pct(row.share_of_item, lang),
            pct(row.share_of_total, lang),
        ]
        if checked:
            excess = beyond_tolerance(pack.variations, row) if row.key != TOTAL else None
            cells.append("" if excess is None else fmt_eur(excess, lang))
        style = (
            "bold red" if checked and row.key != TOTAL and beyond_tolerance(pack.variations, row) else None
        )
        table.add_row(*cells, style=style)
    return table


def render(result: VariationResult, console: Console, lang: str = "en") -> None:
    """Print the comparison: a table by item, then by year and by action where the budget
    splits them, and the call's tolerance."""
    from .text import literal

    cmp, pack, model = result.comparison, result.new.pack, result.new.budget
    if cmp is None or pack is None or model is None:
        console.print(word("cannot", lang))
        return
    v = model.variation
    vid = v.id if v is not None else result.new.loaded.display
    state = (
        word("not_a_revision", lang)
        if v is None
        else word("state_approved", lang, requested=v.requested, approved=v.approved)
        if v.approved
        else word("state_pending", lang, requested=v.requested)
    )
    if v is not None and v.act:
        state += f", {v.act}"
    header = word("title", lang, vid=vid, new=result.new.loaded.display, old=result.old.loaded.display)
    console.print(literal(f"{header} ({state})"))
    console.print(_table(word("items", lang), cmp.items, pack, lang, labels=True, total="total"))
    for key, rows in cmp.by_year.items():
        title = word("unsplit", lang) if key == UNASSIGNED else word("year", lang, year=str(key))
        console.print(_table(title, rows, pack, lang, labels=False, total="direct"))
    for key, rows in cmp.by_action.items():
        title = word("unassigned", lang) if key == UNASSIGNED else word("action", lang, action=str(key))
        console.print(_table(title, rows, pack, lang, labels=False, total="direct"))
    console.print(literal(tolerance_text(pack, lang)))
