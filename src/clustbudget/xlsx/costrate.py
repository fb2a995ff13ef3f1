"""The hourly-cost statement (prospetto del costo orario) as a workbook: the components of a
person's annual gross cost, their sum (a formula), ÷ the hours basis = the hourly rate
(``ROUND(sum ÷ basis; 2)``), the source document and the period it is filed with.

Every figure is compute's (:func:`clustbudget.compute.cost_statement_figures`), cached in its
formula; the components and the basis are inputs.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook as OpenpyxlWorkbook

from ..i18n import N_, gettext, msg
from ..timesheet import (
    PAGE,
    STATEMENT_SHEET,
    CostStatement,
    component_rows,
    filed_text,
    header_fields,
    statement_title,
)
from .layout import frame
from .package import Package, package_of
from .sheetxml import Formula, Rows
from .styles import ReportStyles


def build(st: CostStatement, lang: str) -> Package:
    wb = OpenpyxlWorkbook(write_only=True)
    name = gettext(STATEMENT_SHEET, lang)
    ws = wb.create_sheet(name)
    s = ReportStyles(ws, date_format="dd/mm/yyyy" if lang == "it" else "yyyy-mm-dd", flag_format='"x";"x";""')
    rows = Rows()
    g = lambda text: gettext(text, lang)  # noqa: E731
    p, f = st.person, st.figures
    rows.append([(statement_title(st, lang), s.title)])
    rows.append()
    for label, value in header_fields(st.header, lang):
        rows.append([(label, s.label), (value, s.text)])
    rows.append()
    item = p.item_label if lang == "it" else p.item_label_en
    rows.append([(g(N_("Name")), s.label), (p.name, s.text)])
    rows.append([(g(N_("Role")), s.label), (p.role or "—", s.text)])
    rows.append([(g(N_("Cost item")), s.label), (f"{p.item} – {item}", s.text)])
    rows.append([(g(N_("Year of the costs")), s.label), (st.cost_year, s.integer_input)])
    rows.append()
    rows.append([(g(N_("Component")), s.header), (g(N_("Amount (€)")), s.header_right)])
    if f.itemised:
        first = rows.next
        for label, amount in component_rows(st, lang):
            rows.append([(label, s.text), (amount, s.money_input)])
        last = rows.next - 1
        total_row = rows.append(
            [
                (g(N_("Annual gross cost (sum of the components)")), s.total_label),
                (Formula(f"SUM(B{first}:B{last})", f.total), s.money_total),
            ]
        )
    else:
        rows.append(
            [
                (
                    g(
                        N_(
                            "Components not given in the report (cost_components): the annual gross cost as claimed"
                        )
                    ),
                    s.note,
                )
            ]
        )
        total_row = rows.append([(g(N_("Annual gross cost")), s.total_label), (f.total, s.money_input)])
    claimed_row = rows.append(
        [(g(N_("Annual gross cost claimed in the report")), s.label), (f.annual_gross_cost, s.money_input)]
    )
    rows.append(
        [
            (g(N_("Difference")), s.label),
            (Formula(f"B{total_row}-B{claimed_row}", f.total - f.annual_gross_cost), s.money),
        ]
    )
    basis_row = rows.append(
        [(g(N_("Hours a year (basis of the rate)")), s.label), (f.hours_per_year, s.hours_input)]
    )
    rows.append(
        [
            (g(N_("Hourly rate (annual gross cost ÷ hours, rounded to the cent)")), s.label),
            (
                Formula(f"IF(B{basis_row}=0,0,ROUND(B{total_row}/B{basis_row},2))", f.hourly_rate),
                s.money_total,
            ),
        ]
    )
    rows.append()
    rows.append([(g(N_("Source documents")), s.label), (st.document or "—", s.text_input_wrap)])
    rows.append([(filed_text(st, lang), s.note)])
    if not f.matches:
        rows.append(
            [
                (
                    g(
                        N_(
                            "The components do not add up to the annual gross cost claimed (CB239): correct them before filing"
                        )
                    ),
                    s.error,
                )
            ]
        )
    rows.append()
    rows.append()
    rep = st.header.legal_representative
    rows.append(
        [
            (
                msg("Signature of the legal representative ({name})", name=rep).render(lang)
                if rep
                else g(N_("Signature of the legal representative")),
                s.label,
            )
        ]
    )
    rows.append()
    rows.append([("_" * 30, s.text)])
    rows.append([(g(N_("Place and date")), s.label)])
    rows.append([("_" * 30, s.text)])
    frame(
        ws,
        rows,
        title=f"{st.header.title} — {statement_title(st, lang)}",
        page=gettext(PAGE, lang),
        widths={1: (40.0, 60.0), 2: (18.0, 60.0)},
        freeze=None,
    )
    wb.properties.title = statement_title(st, lang)
    return package_of(wb, [name], {name: rows})


def write_cost_statement_xlsx(
    st: CostStatement, target: Path, lang: str = "it", *, overwrite: bool = False
) -> Path:
    """Write ``st`` as an xlsx at ``target``, atomically."""
    from ..atomic import write_atomic

    package = build(st, lang)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as out:
            package.write(out)

    return write_atomic(Path(target), write, overwrite=overwrite)
