"""`results`: the annual results report in the terminal and as JSON, and the words it shares
with its workbook (:mod:`clustbudget.xlsx.results`) and PDF (:mod:`clustbudget.pdf.results`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import N_, format_template, formatting, gettext
from ..indicators import CATEGORIES, CHANNELS, COUNTS
from ..models import CallPack
from ..money import fmt
from ..results import YearResults
from .json import envelope, finding

if TYPE_CHECKING:
    from rich.console import Console

MESSAGES: dict[str, str] = {
    "title": N_("Results report {year}"),
    "subtitle": N_("For the Board (Consiglio Direttivo) and the Members' Assembly"),
    "project": N_("Project"),
    "beneficiary": N_("Beneficiary"),
    "year": N_("Year"),
    "days": N_("Days of the year in the project"),
    "budget_version": N_("Budget in force"),
    "periods": N_("Cost reports with costs in the year"),
    "none": N_("none"),
    "organisations": N_("Organisations reached by category"),
    "category": N_("Category"),
    "count": N_("Number"),
    "total": N_("Total"),
    "channels": N_("Communication channels by reach"),
    "channels_cost": N_("Communication channels by cost per contact"),
    "channel": N_("Channel"),
    "contacts": N_("Contacts"),
    "expenses": N_("Item D costs (€)"),
    "staff": N_("Staff cost (€)"),
    "cost": N_("Cost (€)"),
    "per_contact": N_("Cost per contact (€)"),
    "rank_reach": N_("Rank by reach"),
    "rank_cost": N_("Rank by cost"),
    "unassigned": N_("Item D costs assigned to no channel"),
    "communication_cost": N_("Communication costs of the year"),
    "members": N_("Members and new members by category"),
    "members_end": N_("Members at year end"),
    "new_members": N_("New members"),
    "events": N_("Events and participants"),
    "events_n": N_("Events"),
    "participants": N_("Participants"),
    "indicators": N_("Indicators against targets"),
    "indicator": N_("Indicator"),
    "unit": N_("Unit"),
    "action": N_("Action"),
    "target": N_("Target"),
    "value": N_("Value"),
    "reached": N_("Reached"),
    "share_target": N_("% of target"),
    "source": N_("Source"),
    "counted": N_("counted: {what}"),
    "yes": N_("yes"),
    "no": N_("no"),
    "not_set": N_("—"),
    "actions": N_("By action"),
    "met": N_("Targets met"),
    "n_indicators": N_("Indicators"),
    "orgs_short": N_("Organisations"),
    "spending": N_("The year's spending against the budget"),
    "item": N_("Item"),
    "budget": N_("Budget"),
    "budget_year": N_("Budget of the year"),
    "accepted_year": N_("Accepted in the year"),
    "accepted_to_date": N_("Accepted to year end"),
    "remaining": N_("Remaining"),
    "used": N_("Used"),
    "direct": N_("Direct costs"),
    "no_split": N_("The budget is not split by year: the year's budget is not shown."),
    "sheet_summary": N_("Summary"),
    "sheet_channels": N_("Channels"),
    "sheet_indicators": N_("Indicators"),
    "sheet_spending": N_("Spending"),
    "note_costs": N_(
        "Costs are the accepted costs of the cost reports in the calendar year: an invoice in the "
        "year of its date, a person's cost split over the years by the hours of each month."
    ),
}


class _Words:
    def __getitem__(self, lang: str) -> dict[str, str]:
        return {key: gettext(text, lang) for key, text in MESSAGES.items()}


WORDS = _Words()
"""``WORDS[lang]["channels"]``: the report's words in ``lang``."""


def category_word(key: str, lang: str) -> str:
    return gettext(CATEGORIES[key], lang) if key in CATEGORIES else key


def channel_word(key: str, lang: str) -> str:
    return gettext(CHANNELS[key], lang) if key in CHANNELS else key


def item_word(key: str, pack: CallPack, lang: str) -> str:
    w = WORDS[lang]
    if key == "total":
        return w["total"]
    if key == "direct":
        return w["direct"]
    return f"{key} {pack.label(key, lang)}"


def format_counted(what: str, lang: str) -> str:
    """Where a counted indicator's value comes from: ``counted: organisations reached``."""
    return format_template(WORDS[lang]["counted"], {"what": gettext(COUNTS[what], lang)}, lang)


def title(res: YearResults, lang: str) -> str:
    return format_template(WORDS[lang]["title"], {"year": str(res.year)}, lang)


def _opt(value: Any) -> Any:
    return None if value is None else fmt(value)


def _number(value: Any) -> str | None:
    return None if value is None else f"{value}"


def results_json(res: YearResults, pack: CallPack, lang: str = "en") -> dict[str, Any]:
    """The `results` JSON envelope: every figure of the report (money as strings with two
    decimals, counts as numbers, shares as four-decimal strings)."""
    c = res.counts
    return envelope(
        "results",
        {
            "project": res.title,
            "year": res.year,
            "start": res.start.isoformat(),
            "end": res.end.isoformat(),
            "budget_version": res.budget_version,
            "periods": res.periods,
            "organisations": {
                "by_category": c.organisations,
                "by_action": c.organisations_by_action,
                "total": sum(c.organisations.values()),
            },
            "channels": [
                {
                    "key": ch.key,
                    "contacts": ch.contacts,
                    "expenses": fmt(ch.expenses),
                    "staff": fmt(ch.staff),
                    "cost": fmt(ch.cost),
                    "cost_per_contact": _opt(ch.cost_per_contact),
                    "reach_rank": ch.reach_rank,
                    "cost_rank": ch.cost_rank,
                }
                for ch in res.channels
            ],
            "communication": {
                "staff": fmt(res.communication_staff),
                "unassigned": fmt(res.unassigned),
                "total": fmt(res.communication_cost),
            },
            "members": {
                "at_year_end": c.members,
                "new": c.new_members,
                "total": sum(c.members.values()),
                "new_total": sum(c.new_members.values()),
            },
            "events": {
                "events": c.events,
                "participants": c.participants,
                "by_action": {
                    a: {"events": c.events_by_action[a], "participants": c.participants_by_action[a]}
                    for a in c.events_by_action
                },
            },
            "indicators": [
                {
                    "id": i.id,
                    "label": i.label_it,
                    "label_en": i.label_en,
                    "unit": i.unit,
                    "unit_en": i.unit_en,
                    "action": i.action,
                    "target": _number(i.target),
                    "value": _number(i.value),
                    "counted": i.counted,
                    "met": i.met,
                    "share": _number(i.share),
                    "sources": list(i.sources),
                }
                for i in res.indicators
            ],
            "actions": [
                {
                    "id": a.id,
                    "title": a.title,
                    "indicators": a.indicators,
                    "met": a.met,
                    "organisations": a.organisations,
                    "events": a.events,
                    "participants": a.participants,
                }
                for a in res.actions
            ],
            "spending": [
                {
                    "key": s.key,
                    "label": item_word(s.key, pack, "it"),
                    "label_en": item_word(s.key, pack, "en"),
                    "budget": fmt(s.budget),
                    "budget_year": _opt(s.budget_year),
                    "accepted_year": fmt(s.accepted_year),
                    "accepted_to_date": fmt(s.accepted_to_date),
                    "remaining": fmt(s.remaining),
                    "share_used": _number(s.share_used),
                }
                for s in res.spending
            ],
            "findings": [finding(f, lang) for f in res.findings],
        },
    )


def render(res: YearResults, pack: CallPack, console: Console, lang: str) -> None:
    """The report as terminal tables, in the order of the printed report."""
    from rich.table import Table

    w = WORDS[lang]

    def number(value: Any) -> str:
        return w["not_set"] if value is None else formatting.number(value, lang)

    def money(value: Any) -> str:
        return w["not_set"] if value is None else formatting.amount(value, lang)

    def table(caption: str, *headers: str) -> Table:
        t = Table(title=caption, title_justify="left", show_edge=False)
        for i, h in enumerate(headers):
            t.add_column(h, justify="left" if i == 0 else "right")
        return t

    console.print(f"[bold]{title(res, lang)}[/bold] — {res.title}")
    console.print(w["subtitle"])
    console.print(
        f"{w['days']}: {formatting.date(res.start, lang)} – {formatting.date(res.end, lang)}; "
        f"{w['periods']}: {', '.join(res.periods) or w['none']}"
    )
    c = res.counts
    t = table(w["organisations"], w["category"], w["count"])
    for k, n in c.organisations.items():
        t.add_row(category_word(k, lang), number(n))
    t.add_row(w["total"], number(sum(c.organisations.values())), style="bold")
    console.print(t)
    t = table(
        w["channels"],
        w["channel"],
        w["contacts"],
        w["expenses"],
        w["staff"],
        w["per_contact"],
        w["rank_cost"],
    )
    for ch in res.channels:
        t.add_row(
            channel_word(ch.key, lang),
            number(ch.contacts),
            money(ch.expenses),
            money(ch.staff),
            money(ch.cost_per_contact),
            number(ch.cost_rank),
        )
    console.print(t)
    console.print(f"{w['communication_cost']}: {formatting.money(res.communication_cost, lang)}")
    if res.unassigned:
        console.print(f"{w['unassigned']}: {formatting.money(res.unassigned, lang)}")
    t = table(w["members"], w["category"], w["members_end"], w["new_members"])
    for k in c.members:
        t.add_row(category_word(k, lang), number(c.members[k]), number(c.new_members.get(k, 0)))
    t.add_row(w["total"], number(sum(c.members.values())), number(sum(c.new_members.values())), style="bold")
    console.print(t)
    t = table(w["events"], w["action"], w["events_n"], w["participants"])
    for a in c.events_by_action:
        t.add_row(a, number(c.events_by_action[a]), number(c.participants_by_action[a]))
    t.add_row(w["total"], number(c.events), number(c.participants), style="bold")
    console.print(t)
    t = table(w["indicators"], w["indicator"], w["action"], w["target"], w["value"], w["reached"])
    for i in res.indicators:
        met = w["not_set"] if i.met is None else (w["yes"] if i.met else w["no"])
        label = i.label_en if lang == "en" and i.label_en else i.label_it
        t.add_row(label, i.action, number(i.target), number(i.value), met)
    console.print(t)
    t = table(w["actions"], w["action"], w["n_indicators"], w["met"], w["orgs_short"], w["events_n"])
    for row in res.actions:
        t.add_row(
            f"{row.id} {row.title}",
            number(row.indicators),
            number(row.met),
            number(row.organisations),
            number(row.events),
        )
    console.print(t)
    t = table(
        w["spending"],
        w["item"],
        w["budget"],
        w["budget_year"],
        w["accepted_year"],
        w["accepted_to_date"],
        w["used"],
    )
    for s in res.spending:
        used = w["not_set"] if s.share_used is None else formatting.percent(s.share_used, lang)
        t.add_row(
            item_word(s.key, pack, lang),
            money(s.budget),
            money(s.budget_year),
            money(s.accepted_year),
            money(s.accepted_to_date),
            used,
            style="bold" if s.key == "total" else None,
        )
    console.print(t)
    if all(s.budget_year is None for s in res.spending):
        console.print(w["no_split"])
    console.print(w["note_costs"])
