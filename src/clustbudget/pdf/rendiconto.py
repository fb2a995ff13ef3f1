"""The rendiconto of one period as a PDF, drawn from compute's figures (no spreadsheet program).

What the xlsx rendiconto shows, printed for signing and uploading: the project and the period,
budget against actual per item (budget, earlier periods, this period, cumulative, remaining,
share used), the contribution due when the call's rate is known, the staff (rate, hours, cost,
not accepted, accepted) and the expenses (document, supplier, claimed, not accepted, accepted),
each with its totals at the bottom, then the errors and warnings of the checks. Every figure is
the pipeline's; nothing is computed here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..compute import line_figures, report_totals
from ..findings import Severity
from ..i18n import N_, gettext, nmsg, render
from ..i18n import formatting as fmt
from ..money import ZERO
from ..pipeline import ProjectResult
from .document import Bold, Column, Document, period_label, write_pdf

WORDS = {
    "name": N_("Rendiconto"),
    "title": N_("Rendiconto of period {period}"),
    "project": N_("Project"),
    "beneficiary": N_("Beneficiary"),
    "cup": N_("CUP"),
    "call": N_("Call"),
    "period": N_("Period"),
    "version": N_("Budget in force"),
    "original": N_("the original budget"),
    "reviewed": N_("Region's review"),
    "not_reviewed": N_("not yet reviewed"),
    "summary": N_("Budget and costs accepted, per item"),
    "item": N_("Item"),
    "label": N_("Description"),
    "budget": N_("Budget (€)"),
    "earlier": N_("Earlier periods (€)"),
    "this": N_("This period (€)"),
    "cumulative": N_("Cumulative (€)"),
    "remaining": N_("Remaining (€)"),
    "used": N_("Used"),
    "over": N_("over"),
    "direct": N_("Direct costs"),
    "total": N_("Total"),
    "contribution": N_("Contribution due to date"),
    "not_computed": N_("not computed: the call's contribution rate is not known"),
    "staff": N_("Staff"),
    "person": N_("Person"),
    "rate": N_("Hourly cost (€)"),
    "hours": N_("Hours"),
    "hours_by_month": N_("Hours on the project by month"),
    "month": N_("Month"),
    "cost": N_("Cost (€)"),
    "not_accepted": N_("Not accepted (€)"),
    "accepted": N_("Accepted (€)"),
    "expenses": N_("Expenses"),
    "n": N_("No."),
    "date": N_("Date"),
    "supplier": N_("Supplier"),
    "document": N_("Document"),
    "claimed": N_("Claimed (€)"),
    "none": N_("None in this period."),
    "findings": N_("Findings of the checks"),
    "no_findings": N_("No errors or warnings."),
    "code": N_("Code"),
    "severity": N_("Severity"),
    "message": N_("Message"),
    "where": N_("File:line"),
}


def document(project: ProjectResult, index: int = -1, lang: str = "it") -> Document:
    """The rendiconto of ``project.computed[index]`` as a :class:`Document`."""
    w = {key: gettext(text, lang) for key, text in WORDS.items()}
    b = project.budget
    assert b.budget is not None and b.pack is not None
    result = project.computed[index]
    report, costs, fig = result.report, result.costs, result.figures
    assert report is not None and costs is not None and fig is not None
    index = index % len(project.computed)
    proj, pack = b.budget.project, b.pack
    per = report.period
    doc = Document(
        title=proj.title,
        name=f"{w['name']} {per.id}",
        lang=lang,
        period=period_label(per.id, per.start, per.end, lang),
        author=proj.beneficiary,
        wide=True,
    )
    doc.heading(w["title"].format(period=per.id), level=0)
    in_force = project.in_force[index] if index < len(project.in_force) else None
    version = in_force.id if in_force is not None and in_force.id else w["original"]
    doc.fields(
        [
            (w["project"], proj.title),
            (w["beneficiary"], proj.beneficiary),
            (w["cup"], proj.cup or "—"),  # not given yet: a dash, as the xlsx shows it, not a blank
            (
                w["call"],
                f"{pack.title}" + (f" ({pack.act})" if pack.act else "") + f" — {pack.id} v{pack.version}",
            ),
            (w["period"], f"{per.id}: {fmt.date(per.start, lang)} – {fmt.date(per.end, lang)}"),
            (w["version"], version),
            (w["reviewed"], fmt.date(per.reviewed, lang) if per.reviewed else w["not_reviewed"]),
        ],
        label_width=0.22,
    )

    # Budget against actual, per item: the xlsx Summary's rows.
    doc.heading(w["summary"])
    progress = project.progress[index]
    rows: list[list[object]] = []
    totals: list[list[object]] = []
    for row in progress:
        used: object = w["over"] if row.unbudgeted else row.used
        if row.key == "total":
            totals.append(
                [w["total"], "", row.budget, row.earlier, row.period, row.cumulative, row.remaining, used]
            )
            continue
        label = pack.label(row.key, lang) if row.key in pack.items else row.key
        rows.append(
            [row.key, label, row.budget, row.earlier, row.period, row.cumulative, row.remaining, used]
        )
    doc.table(
        [
            Column(w["item"], 0.6),
            Column(w["label"], 3.4),
            Column(w["budget"], 1.4, "money"),
            Column(w["earlier"], 1.4, "money"),
            Column(w["this"], 1.4, "money"),
            Column(w["cumulative"], 1.4, "money"),
            Column(w["remaining"], 1.4, "money"),
            Column(w["used"], 0.9, "percent"),
        ],
        rows,
        totals=totals,
    )
    contribution = project.contributions[index] if index < len(project.contributions) else None
    doc.paragraph(
        f"{w['contribution']}: "
        + (fmt.money(contribution, lang) if contribution is not None else w["not_computed"])
    )

    lines = line_figures(costs, result.disallowed)
    sums = report_totals(report, costs, lines)

    # Staff
    doc.heading(w["staff"])
    if costs.staff:
        staff_rows: list[list[object]] = []
        for s in costs.staff:
            line = lines[("staff", s.index)]
            staff_rows.append(
                [s.name, s.item, s.hourly_rate, s.hours, s.cost, line.not_accepted, line.accepted]
            )
        doc.table(
            [
                Column(w["person"], 3.2),
                Column(w["item"], 0.6),
                Column(w["rate"], 1.3, "money"),
                Column(w["hours"], 1.0, "number"),
                Column(w["cost"], 1.4, "money"),
                Column(w["not_accepted"], 1.4, "money"),
                Column(w["accepted"], 1.4, "money"),
            ],
            staff_rows,
            totals=[
                [
                    w["total"],
                    "",
                    None,
                    sums.hours,
                    sums.staff.claimed,
                    sums.staff.not_accepted,
                    sums.staff.accepted,
                ]
            ],
        )
        # The hours by month, months as rows: what the timesheets of the period add up to
        # (a month given day by day counts its days' project hours, as the totals do).
        months = sorted(sums.hours_by_month)
        if months:
            doc.heading(w["hours_by_month"])
            doc.table(
                [
                    Column(w["month"], 1.2, "month"),
                    *(Column(s.name, 1.4, "number") for s in costs.staff),
                    Column(w["total"], 1.2, "number"),
                ],
                [
                    [month, *(s.months.get(month) for s in costs.staff), sums.hours_by_month[month]]
                    for month in months
                ],
                totals=[[w["total"], *(s.hours for s in costs.staff), sums.hours]],
            )
    else:
        doc.paragraph(w["none"])

    # Expenses (claimed ones; those kept on record are counted)
    doc.heading(w["expenses"])
    claimed = [(x, c) for x, c in zip(report.expenses, costs.expenses, strict=True) if c.claimed]
    kept = len(costs.expenses) - len(claimed)
    if claimed:
        exp_rows: list[list[object]] = []
        for x, c in claimed:
            line = lines[("expense", c.index)]
            exp_rows.append(
                [
                    c.index + 1,
                    x.date,
                    x.supplier,
                    x.document,
                    x.item,
                    c.eligible,
                    line.not_accepted,
                    line.accepted,
                ]
            )
        doc.table(
            [
                Column(w["n"], 0.5, "number"),
                Column(w["date"], 1.0, "date"),
                Column(w["supplier"], 3.0),
                Column(w["document"], 1.6),
                Column(w["item"], 0.6),
                Column(w["claimed"], 1.4, "money"),
                Column(w["not_accepted"], 1.4, "money"),
                Column(w["accepted"], 1.4, "money"),
            ],
            exp_rows,
            totals=[
                [
                    Bold(w["total"]),
                    None,
                    "",
                    "",
                    "",
                    sums.expenses.claimed - _kept_total(costs),
                    sums.expenses.not_accepted - _kept_total(costs),
                    sums.expenses.accepted,
                ]
            ],
        )
    else:
        doc.paragraph(w["none"])
    if kept:
        doc.paragraph(
            render(
                nmsg(
                    "{n} expense kept on record, not claimed (see the rendiconto's Spese sheet).",
                    "{n} expenses kept on record, not claimed (see the rendiconto's Spese sheet).",
                    kept,
                ),
                lang,
            ),
            small=True,
        )

    # Findings: the errors and warnings of the project's checks (info lines are in the xlsx).
    doc.heading(w["findings"])
    everything = project.budget.findings + [f for r in project.reports for f in r.findings]
    shown = [f for f in everything if f.severity in (Severity.ERROR, Severity.WARNING)]
    if shown:
        doc.table(
            [
                Column(w["code"], 0.7),
                Column(w["severity"], 0.8),
                Column(w["message"], 6.0),
                Column(w["where"], 2.5),
            ],
            [[f.code, gettext(str(f.severity), lang), render(f.message, lang), _where(f)] for f in shown],
        )
    else:
        doc.paragraph(w["no_findings"])
    return doc


def _where(f: object) -> str:
    loc = getattr(f, "location", None)
    if loc is None:
        return ""
    return f"{Path(loc.path).name}:{loc.line}" if loc.line else Path(loc.path).name


def _kept_total(costs: object) -> Decimal:
    """The eligible amounts of the expenses kept on record: in the sheet's claimed and not
    accepted totals (as the xlsx Spese counts them), left out of this table's claimed lines."""
    return sum((e.eligible for e in getattr(costs, "expenses", ()) if not e.claimed), ZERO)


def write(
    project: ProjectResult, target: Path, *, index: int = -1, lang: str = "it", force: bool = False
) -> Path:
    """Draw the rendiconto of ``project.computed[index]`` and write it at ``target`` atomically."""
    return write_pdf(document(project, index, lang), target, overwrite=force)
