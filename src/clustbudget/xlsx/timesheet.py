"""The monthly timesheet as a workbook (one sheet): the header, the person, the day grid with
live totals, hours × hourly rate = the month's cost, and the signature blocks.

Every figure is :mod:`clustbudget.timesheet`'s (compute's); each formula caches it. The hours
of the grid are inputs (yellow): where the report gives the month by month only, the grid is
left empty to fill in by hand and the month's hours are the report's total, an input too.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook as OpenpyxlWorkbook

from ..i18n import N_, gettext, msg
from ..money import ZERO
from ..timesheet import (
    PAGE,
    SHEET,
    Timesheet,
    action_legend,
    column_title,
    day_remark,
    header_fields,
    month_name,
    weekday_name,
)
from .layout import frame
from .package import Package, package_of
from .sheetxml import Cell, Formula, Rows, column_letter
from .styles import ReportStyles


def build(ts: Timesheet, lang: str) -> Package:
    """The timesheet workbook (a :class:`~.package.Package`)."""
    wb = OpenpyxlWorkbook(write_only=True)
    name = gettext(SHEET, lang)
    ws = wb.create_sheet(name)
    date_format = "dd/mm/yyyy" if lang == "it" else "yyyy-mm-dd"
    s = ReportStyles(ws, date_format=date_format, flag_format='"x";"x";""')
    rows = Rows()
    p = ts.person
    g = lambda text: gettext(text, lang)  # noqa: E731

    rows.append(
        [(msg("Monthly timesheet — {month}", month=month_name(ts.month, lang)).render(lang), s.title)]
    )
    rows.append()
    for label, value in header_fields(ts.header, lang):
        rows.append([(label, s.label), None, (value, s.text)])
    rows.append([(g(N_("Month")), s.label), None, (month_name(ts.month, lang), s.text)])
    rows.append()
    item = p.item_label if lang == "it" else p.item_label_en
    for label, value in [
        (g(N_("Name")), p.name),
        (g(N_("Role")), p.role or "—"),
        (g(N_("Cost item")), f"{p.item} – {item}"),
    ]:
        rows.append([(label, s.label), None, (value, s.text)])
    rows.append([(g(N_("Contractual hours a day")), s.label), None, (p.hours_per_day, s.hours_input)])
    rows.append(
        [(g(N_("Hours a year (basis of the rate)")), s.label), None, (p.hours_per_year, s.hours_input)]
    )
    rate_row = rows.append([(g(N_("Hourly rate")), s.label), None, (p.hourly_rate, s.money_input)])
    rows.append()
    if not ts.by_day:
        rows.append(
            [
                (
                    g(
                        N_(
                            "The report gives this month's hours by month only: the day grid is empty, "
                            "to be filled in by hand; the month's total below is the report's."
                        )
                    ),
                    s.note,
                )
            ]
        )
    # The grid: day, weekday, the project's columns, project, other projects, ordinary, total, absence, note.
    k = len(ts.columns)
    first_col = 3
    c_project = first_col + k
    c_other, c_ordinary, c_total, c_absence, c_note = (c_project + i for i in range(1, 6))
    L = column_letter
    head = [(g(N_("Day")), s.header), (g(N_("Weekday")), s.header)]
    head += [(column_title(ts, col, lang), s.header_right) for col in ts.columns]
    head += [
        (g(N_("Project hours")), s.header_right),
        (g(N_("Other projects")), s.header_right),
        (g(N_("Ordinary activity")), s.header_right),
        (g(N_("Total hours")), s.header_right),
        (g(N_("Absence")), s.header),
        (g(N_("Notes")), s.header),
    ]
    head_row = rows.append(head, height=45)
    first = rows.next
    for day in ts.days:
        r = rows.next
        cells: list[Cell] = [(day.day, s.date), (weekday_name(day.day.weekday(), lang), s.text)]
        cells += [(day.actions.get(col), s.hours_input) for col in ts.columns]
        project = day.project if day.project is not None else ZERO
        cells.append((Formula(f"SUM({L(first_col)}{r}:{L(c_project - 1)}{r})", project), s.hours))
        cells.append((day.other_projects, s.hours_input))
        cells.append((day.ordinary, s.hours_input))
        total = day.total if day.total is not None else ZERO
        cells.append((Formula(f"{L(c_project)}{r}+{L(c_other)}{r}+{L(c_ordinary)}{r}", total), s.hours))
        cells.append((day.absence, s.text_input))
        cells.append((day_remark(day, lang), s.text_input_wrap))
        rows.append(cells)
    last = rows.next - 1
    totals: list[Cell] = [(g(N_("Total")), s.total_label), (None, s.total_label)]
    sums = [*(ts.column_totals.get(col, ZERO) for col in ts.columns)]
    grid_hours = ts.hours if ts.by_day else ZERO
    sums += [grid_hours, ts.other_projects, ts.ordinary, grid_hours + ts.other_projects + ts.ordinary]
    for offset, figure in enumerate(sums):
        letter = L(first_col + offset)
        totals.append((Formula(f"SUM({letter}{first}:{letter}{last})", figure), s.hours_total))
    total_row = rows.append(totals)
    legend = action_legend(ts, lang)
    if legend:
        rows.append([(legend, s.note)])
    rows.append()
    # Hours × rate = the month's cost.
    if ts.by_day:
        hours_cell: Cell = (Formula(f"{L(c_project)}{total_row}", ts.hours), s.hours)
    else:
        hours_cell = (ts.hours, s.hours_input)
    hours_row = rows.append([(g(N_("Hours on the project in the month")), s.label), None, hours_cell])
    rows.append([(g(N_("Hourly rate")), s.label), None, (Formula(f"C{rate_row}", p.hourly_rate), s.money)])
    rows.append(
        [
            (g(N_("Cost of the month (hours × hourly rate)")), s.label),
            None,
            (Formula(f"ROUND(C{hours_row}*C{rate_row},2)", ts.cost), s.money_total),
        ]
    )
    if ts.not_accepted_hours:
        rows.append(
            [
                (
                    msg(
                        "Of these, {hours:number} hours are not accepted by the checks (see the rendiconto's Checks)",
                        hours=ts.not_accepted_hours,
                    ).render(lang),
                    s.note,
                )
            ]
        )
    rows.append()
    rows.append()
    person_sign = msg("Signature of the person ({name})", name=p.name).render(lang)
    rep = ts.header.legal_representative
    rep_sign = (
        msg("Signature of the legal representative ({name})", name=rep).render(lang)
        if rep
        else g(N_("Signature of the legal representative"))
    )
    place = g(N_("Place and date"))
    rows.append([(person_sign, s.label), None, None, None, None, (rep_sign, s.label)])
    rows.append()
    rows.append([("_" * 30, s.text), None, None, None, None, ("_" * 30, s.text)])
    rows.append([(place, s.label), None, None, None, None, (place, s.label)])
    rows.append([("_" * 30, s.text), None, None, None, None, ("_" * 30, s.text)])

    widths = {1: (11.0, 12.0), 2: (11.0, 12.0)}
    for i in range(k):
        widths[first_col + i] = (12.0, 16.0)
    widths.update(
        {c_project: (10.0, 11.0), c_other: (10.0, 11.0), c_ordinary: (10.0, 11.0), c_total: (10.0, 11.0)}
    )
    widths.update({c_absence: (10.0, 14.0), c_note: (14.0, 28.0)})
    frame(
        ws,
        rows,
        title=f"{ts.header.title} — {p.name} — {month_name(ts.month, lang)}",
        page=gettext(PAGE, lang),
        widths=widths,
        freeze=f"C{head_row + 1}",
        title_rows=f"{head_row}:{head_row}",
        landscape=k > 2,
    )
    wb.properties.title = msg("Monthly timesheet — {month}", month=month_name(ts.month, lang)).render(lang)
    return package_of(wb, [name], {name: rows})


def write_timesheet_xlsx(ts: Timesheet, target: Path, lang: str = "it", *, overwrite: bool = False) -> Path:
    """Write ``ts`` as an xlsx at ``target``, atomically (nothing is left on failure)."""
    from ..atomic import write_atomic

    package = build(ts, lang)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as out:
            package.write(out)

    return write_atomic(Path(target), write, overwrite=overwrite)
