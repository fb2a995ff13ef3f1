"""The monthly timesheet as a PDF, ready to sign: the same content as its workbook
(:mod:`clustbudget.xlsx.timesheet`), drawn on :mod:`.document`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from ..i18n import N_, gettext, msg
from ..i18n import formatting as fmt
from ..timesheet import (
    ProjectHeader,
    Timesheet,
    action_legend,
    column_title,
    day_remark,
    header_fields,
    month_name,
    weekday_name,
)
from .document import BODY, HEAD_CELL, Bold, Column, Document, markup, period_label, write_pdf


def signature_block(doc: Document, signers: list[str], lang: str) -> None:
    """Signature boxes side by side (the person, the legal representative), each with its
    line to sign and a line for place and date."""
    place = gettext(N_("Place and date"), lang)
    line = "_" * 34
    n = len(signers)
    data: list[list[Any]] = [
        [Paragraph(markup(who), HEAD_CELL) for who in signers],
        [Spacer(1, 12 * mm)] * n,
        [Paragraph(line, BODY)] * n,
        [Paragraph(markup(place), BODY)] * n,
        [Spacer(1, 6 * mm)] * n,
        [Paragraph(line, BODY)] * n,
    ]
    table = Table(data, colWidths=[doc.width / 2] * n, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    doc.keep_together([Spacer(1, 8 * mm), table])


def document_for(header: ProjectHeader, name: str, lang: str, *, wide: bool = False) -> Document:
    return Document(
        title=header.title,
        name=name,
        lang=lang,
        period=period_label(header.period_id, header.period_start, header.period_end, lang),
        wide=wide,
        author=header.beneficiary,
    )


def build(ts: Timesheet, lang: str) -> Document:
    """The timesheet's PDF document."""
    g = lambda text: gettext(text, lang)  # noqa: E731
    title = msg("Monthly timesheet — {month}", month=month_name(ts.month, lang)).render(lang)
    doc = document_for(ts.header, title, lang, wide=len(ts.columns) > 2)
    p = ts.person
    doc.heading(title, level=0)
    doc.fields([*header_fields(ts.header, lang), (g(N_("Month")), month_name(ts.month, lang))])
    item = p.item_label if lang == "it" else p.item_label_en
    doc.fields(
        [
            (g(N_("Name")), p.name),
            (g(N_("Role")), p.role or "—"),
            (g(N_("Cost item")), f"{p.item} – {item}"),
            (g(N_("Contractual hours a day")), fmt.number(p.hours_per_day, lang)),
            (g(N_("Hours a year (basis of the rate)")), fmt.number(p.hours_per_year, lang)),
            (g(N_("Hourly rate")), fmt.money(p.hourly_rate, lang)),
        ]
    )
    if not ts.by_day:
        doc.paragraph(
            g(
                N_(
                    "The report gives this month's hours by month only: the day grid is empty, "
                    "to be filled in by hand; the month's total below is the report's."
                )
            )
        )
    columns = [Column(g(N_("Day")), 1.1, "date"), Column(g(N_("Weekday")), 1.2)]
    columns += [Column(column_title(ts, col, lang), 0.9, "number") for col in ts.columns]
    columns += [
        Column(g(N_("Project hours")), 1.0, "number"),
        Column(g(N_("Other projects")), 1.0, "number"),
        Column(g(N_("Ordinary activity")), 1.0, "number"),
        Column(g(N_("Total hours")), 1.0, "number"),
        Column(g(N_("Absence")), 1.1),
        Column(g(N_("Notes")), 1.6),
    ]
    rows = []
    for day in ts.days:
        rows.append(
            [
                day.day,
                weekday_name(day.day.weekday(), lang),
                *(day.actions.get(col) for col in ts.columns),
                day.project,
                day.other_projects,
                day.ordinary,
                day.total,
                day.absence,
                day_remark(day, lang),
            ]
        )
    grid = ts.hours if ts.by_day else None
    totals = [
        Bold(g(N_("Total"))),
        None,
        *((ts.column_totals.get(col) if ts.by_day else None) for col in ts.columns),
        grid,
        ts.other_projects if ts.by_day else None,
        ts.ordinary if ts.by_day else None,
        ts.total if ts.by_day else None,
        None,
        None,
    ]
    doc.table(columns, rows, totals=[totals])
    legend = action_legend(ts, lang)
    if legend:
        doc.paragraph(legend, small=True)
    summary = [
        (g(N_("Hours on the project in the month")), fmt.number(ts.hours, lang)),
        (g(N_("Hourly rate")), fmt.money(p.hourly_rate, lang)),
        (g(N_("Cost of the month (hours × hourly rate)")), fmt.money(ts.cost, lang)),
    ]
    doc.fields(summary, label_width=0.45)
    if ts.not_accepted_hours:
        doc.paragraph(
            msg(
                "Of these, {hours:number} hours are not accepted by the checks (see the rendiconto's Checks)",
                hours=ts.not_accepted_hours,
            ).render(lang)
        )
    rep = ts.header.legal_representative
    signature_block(
        doc,
        [
            msg("Signature of the person ({name})", name=p.name).render(lang),
            msg("Signature of the legal representative ({name})", name=rep).render(lang)
            if rep
            else g(N_("Signature of the legal representative")),
        ],
        lang,
    )
    return doc


def write_timesheet_pdf(ts: Timesheet, target: Path, lang: str = "it", *, overwrite: bool = False) -> Path:
    """Write ``ts`` as a PDF at ``target``, atomically."""
    return write_pdf(build(ts, lang), Path(target), overwrite=overwrite)
