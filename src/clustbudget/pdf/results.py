"""The annual results report as a PDF for the Board and the Assembly (on :mod:`.document`).

The same figures as the workbook and ``results -f json`` (:class:`~clustbudget.results.YearResults`),
laid out to be read on paper: the project and the year, organisations reached by category,
channels by reach and by cost per contact, members and new members, events and participants,
indicators against targets, per action, and the year's spending against the budget.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportlab.graphics.shapes import Drawing

from ..i18n import formatting
from ..models import CallPack
from ..output.results import WORDS, category_word, channel_word, format_counted, item_word, title
from ..results import YearResults
from .document import Bold, Column, Document, printable, write_pdf


def results_document(res: YearResults, pack: CallPack, lang: str = "it") -> Document:
    """The report's story, ready to render."""
    w = WORDS[lang]
    span = f"{formatting.date(res.start, lang)} – {formatting.date(res.end, lang)}"
    doc = Document(
        title=res.title,
        name=title(res, lang),
        lang=lang,
        period=f"{res.year} · {span}",
        author=res.beneficiary,
    )
    doc.heading(title(res, lang), level=0)
    doc.paragraph(w["subtitle"])
    doc.fields(
        [
            (w["project"], res.title),
            (w["beneficiary"], res.beneficiary or w["not_set"]),
            (w["days"], span),
            (w["budget_version"], res.budget_version),
            (w["periods"], ", ".join(res.periods) or w["none"]),
        ]
    )
    c = res.counts

    doc.heading(w["organisations"])
    doc.table(
        [Column(w["category"], 3), Column(w["count"], 1, "number")],
        [[category_word(k, lang), n] for k, n in c.organisations.items()],
        totals=[[w["total"], sum(c.organisations.values())]],
    )
    doc.add(
        bar_chart(
            doc.width, [category_word(k, lang) for k in c.organisations], list(c.organisations.values()), lang
        )
    )

    doc.heading(w["channels"])
    columns = [
        Column(w["channel"], 2.6),
        Column(w["contacts"], 1, "number"),
        Column(w["expenses"], 1.2, "money"),
        Column(w["staff"], 1.2, "money"),
        Column(w["per_contact"], 1.2, "money"),
        Column(w["rank_cost"], 0.9, "number"),
    ]
    doc.table(
        columns,
        [
            [
                channel_word(ch.key, lang),
                ch.contacts,
                ch.expenses,
                ch.staff,
                ch.cost_per_contact if ch.cost_per_contact is not None else w["not_set"],
                ch.cost_rank if ch.cost_rank is not None else w["not_set"],
            ]
            for ch in res.channels
        ],
    )
    doc.add(
        bar_chart(
            doc.width,
            [channel_word(ch.key, lang) for ch in res.channels],
            [ch.contacts for ch in res.channels],
            lang,
        )
    )
    doc.heading(w["channels_cost"])
    doc.table(
        [
            Column(w["rank_cost"], 0.8, "number"),
            Column(w["channel"], 2.6),
            Column(w["per_contact"], 1.2, "money"),
        ],
        [
            [ch.cost_rank, channel_word(ch.key, lang), ch.cost_per_contact]
            for ch in res.by_cost
            if ch.cost_rank
        ],
    )
    lines = [f"{w['communication_cost']}: {formatting.money(res.communication_cost, lang)}"]
    if res.unassigned:
        lines.append(f"{w['unassigned']}: {formatting.money(res.unassigned, lang)}")
    doc.paragraph("\n".join(lines))

    doc.heading(w["members"])
    doc.table(
        [
            Column(w["category"], 3),
            Column(w["members_end"], 1.2, "number"),
            Column(w["new_members"], 1.2, "number"),
        ],
        [[category_word(k, lang), c.members[k], c.new_members.get(k, 0)] for k in c.members],
        totals=[[w["total"], sum(c.members.values()), sum(c.new_members.values())]],
    )

    titles = {a.id: a.title for a in res.actions}
    doc.heading(w["events"])
    doc.table(
        [
            Column(w["action"], 3),
            Column(w["events_n"], 1, "number"),
            Column(w["participants"], 1.2, "number"),
        ],
        [
            [f"{a} {titles.get(a, '')}".strip(), c.events_by_action[a], c.participants_by_action[a]]
            for a in c.events_by_action
        ],
        totals=[[w["total"], c.events, c.participants]],
    )

    doc.heading(w["indicators"])
    yes, no = w["yes"], w["no"]
    doc.table(
        [
            Column(w["indicator"], 3),
            Column(w["action"], 0.7),
            Column(w["target"], 0.9, "number"),
            Column(w["value"], 0.9, "number"),
            Column(w["share_target"], 1.1, "percent"),
            Column(w["reached"], 1.0),
            Column(w["source"], 2.6),
        ],
        [
            [
                i.label_en if lang == "en" and i.label_en else i.label_it,
                i.action,
                i.target,
                i.value,
                i.share,
                w["not_set"] if i.met is None else (yes if i.met else no),
                _source(i.counted, i.sources, lang),
            ]
            for i in res.indicators
        ],
    )
    doc.heading(w["actions"])
    doc.table(
        [
            Column(w["action"], 3.4),
            Column(w["n_indicators"], 1, "number"),
            Column(w["met"], 1, "number"),
            Column(w["orgs_short"], 1.1, "number"),
            Column(w["events_n"], 0.9, "number"),
            Column(w["participants"], 1.1, "number"),
        ],
        [
            [f"{a.id} {a.title}".strip(), a.indicators, a.met, a.organisations, a.events, a.participants]
            for a in res.actions
        ],
    )

    doc.heading(w["spending"])
    rows: list[list[object]] = []
    for s in res.spending:
        cells: list[object] = [
            item_word(s.key, pack, lang),
            s.budget,
            s.budget_year,
            s.accepted_year,
            s.accepted_to_date,
            s.share_used,
        ]
        rows.append([Bold(v) for v in cells] if s.key in ("direct", "total") else cells)
    doc.table(
        [
            Column(w["item"], 3),
            Column(w["budget"], 1.2, "money"),
            Column(w["budget_year"], 1.2, "money"),
            Column(w["accepted_year"], 1.2, "money"),
            Column(w["accepted_to_date"], 1.2, "money"),
            Column(w["used"], 0.9, "percent"),
        ],
        rows,
    )
    if all(s.budget_year is None for s in res.spending):
        doc.paragraph(w["no_split"], small=True)
    doc.paragraph(w["note_costs"], small=True)
    return doc


def bar_chart(width: float, labels: list[str], values: list[int], lang: str) -> Drawing:
    """A horizontal bar chart of whole numbers by label, in the table's order top to bottom
    (text at 8 points, the document's minimum)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    row = 5.5 * mm
    drawing = Drawing(width, len(labels) * row + 12 * mm)
    chart = HorizontalBarChart()
    label_room = 64 * mm
    # whole points (the stubs' type; a fraction of a point is invisible)
    chart.x = round(label_room)
    chart.y = round(8 * mm)
    chart.width = round(width - label_room - 8 * mm)
    chart.height = round(len(labels) * row)
    # reportlab draws the first category at the bottom: reversed, the chart reads as the table
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [printable(label) for label in reversed(labels)]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = "Helvetica"
        axis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    top = max(values, default=0)
    step = max(1, -(-top // 5))  # whole-number ticks
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = step * max(1, -(-top // step))
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = lambda v: formatting.number(Decimal(int(v)), lang)
    chart.bars[0].fillColor = colors.HexColor("#4F6D8F")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def _source(counted: str | None, sources: tuple[str, ...], lang: str) -> str:
    if counted:
        return format_counted(counted, lang)
    return "; ".join(sources)


def write_results_pdf(
    res: YearResults, pack: CallPack, target: Path, *, lang: str = "it", force: bool = False
) -> Path:
    """Write the report's PDF to ``target`` atomically (no overwrite unless ``force``)."""
    return write_pdf(results_document(res, pack, lang), target, overwrite=force)
