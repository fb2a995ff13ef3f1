"""The hourly-cost statement (prospetto del costo orario) as a PDF, ready to sign: the same
content as its workbook (:mod:`clustbudget.xlsx.costrate`), drawn on :mod:`.document`."""

from __future__ import annotations

from pathlib import Path

from ..i18n import N_, gettext, msg
from ..i18n import formatting as fmt
from ..timesheet import CostStatement, component_rows, filed_text, header_fields, statement_title
from .document import Column, Document, write_pdf
from .timesheet import document_for, signature_block


def build(st: CostStatement, lang: str) -> Document:
    g = lambda text: gettext(text, lang)  # noqa: E731
    title = statement_title(st, lang)
    doc = document_for(st.header, title, lang)
    p, f = st.person, st.figures
    doc.heading(title, level=0)
    doc.fields(header_fields(st.header, lang))
    item = p.item_label if lang == "it" else p.item_label_en
    doc.fields(
        [
            (g(N_("Name")), p.name),
            (g(N_("Role")), p.role or "—"),
            (g(N_("Cost item")), f"{p.item} – {item}"),
            (g(N_("Year of the costs")), str(st.cost_year)),
        ]
    )
    columns = [Column(g(N_("Component")), 3.0), Column(g(N_("Amount (€)")), 1.2, "money")]
    if f.itemised:
        rows = [[label, amount] for label, amount in component_rows(st, lang)]
        totals = [[g(N_("Annual gross cost (sum of the components)")), f.total]]
    else:
        doc.paragraph(
            g(N_("Components not given in the report (cost_components): the annual gross cost as claimed"))
        )
        rows = []
        totals = [[g(N_("Annual gross cost")), f.total]]
    totals += [
        [g(N_("Annual gross cost claimed in the report")), f.annual_gross_cost],
        [g(N_("Difference")), f.total - f.annual_gross_cost],
    ]
    doc.table(columns, rows, totals=totals)
    doc.fields(
        [
            (g(N_("Hours a year (basis of the rate)")), fmt.number(f.hours_per_year, lang)),
            (
                g(N_("Hourly rate (annual gross cost ÷ hours, rounded to the cent)")),
                fmt.money(f.hourly_rate, lang),
            ),
            (g(N_("Source documents")), st.document or "—"),
        ],
        label_width=0.45,
    )
    doc.paragraph(filed_text(st, lang))
    if not f.matches:
        doc.paragraph(
            g(
                N_(
                    "The components do not add up to the annual gross cost claimed (CB239): correct them before filing"
                )
            )
        )
    rep = st.header.legal_representative
    signature_block(
        doc,
        [
            msg("Signature of the legal representative ({name})", name=rep).render(lang)
            if rep
            else g(N_("Signature of the legal representative"))
        ],
        lang,
    )
    return doc


def write_cost_statement_pdf(
    st: CostStatement, target: Path, lang: str = "it", *, overwrite: bool = False
) -> Path:
    """Write ``st`` as a PDF at ``target``, atomically."""
    return write_pdf(build(st, lang), Path(target), overwrite=overwrite)
