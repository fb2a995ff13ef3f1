"""Monthly timesheets (foglio ore mensile) and hourly-cost statements (prospetto del costo
orario), from a project's computed figures.

:func:`timesheets` lays out, per person and month of a period, what the signed timesheet
shows: the day grid (hours on the project per action, other projects, ordinary activity,
absence) as the report gives it day by day — or, where a person's hours are given by month
only, the month's total and an empty grid to fill in by hand, never invented daily figures —
and hours × hourly rate = the month's cost. :func:`cost_statements` lays out each person's
hourly-cost statement: the components of the annual cost, their sum, ÷ the hours basis = the
rate, and the period it was filed with. Every figure is :mod:`clustbudget.compute`'s; the
writers (:mod:`clustbudget.xlsx.timesheet`, :mod:`clustbudget.pdf.timesheet`,
:mod:`clustbudget.xlsx.costrate`, :mod:`clustbudget.pdf.costrate`) only draw them.

:func:`write_timesheets` and :func:`write_cost_statements` write the files of one period (xlsx
and PDF), each atomically: what the ``timesheet`` and ``package`` commands call.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .compute import (
    CostStatementFigures,
    contract_hours_per_day,
    cost_statement_figures,
    day_project_hours,
    month_of,
    patron_saint_day,
    staff_cost,
)
from .holidays_it import national_holidays
from .i18n import N_, Message, formatting, gettext, msg
from .models import Budget, CallPack, CostReport
from .money import ZERO
from .pipeline import ProjectResult, ReportResult
from .records import dataclass


@dataclass(frozen=True)
class ProjectHeader:
    """What heads every timesheet and statement: the programme, the call, the project."""

    programme: str
    call: str
    call_act: str | None
    cup: str | None
    title: str
    beneficiary: str | None
    legal_representative: str | None
    period_id: str
    period_start: date
    period_end: date


@dataclass(frozen=True)
class Person:
    """The person a timesheet or statement is about."""

    index: int
    """The staff entry's index in its report."""
    id: str
    name: str
    role: str | None
    item: str
    item_label: str
    item_label_en: str
    hours_per_day: Decimal
    hours_per_year: Decimal
    hourly_rate: Decimal


@dataclass(frozen=True)
class SheetDay:
    """One calendar day of a timesheet's grid (its figures None when the report gives the
    month by month only, or the day is not listed)."""

    day: date
    actions: dict[str, Decimal]
    """Project hours per column of :attr:`Timesheet.columns` (only the columns with hours)."""
    project: Decimal | None
    other_projects: Decimal | None
    ordinary: Decimal | None
    absence: str | None = None
    note: str | None = None
    sunday: bool = False
    holiday: bool = False
    patron: bool = False
    outside: bool = False
    """Outside the period (a month split between two periods)."""

    @property
    def total(self) -> Decimal | None:
        if self.project is None and self.other_projects is None and self.ordinary is None:
            return None
        return (self.project or ZERO) + (self.other_projects or ZERO) + (self.ordinary or ZERO)


UNSPLIT = ""
"""The column of project hours given without an action (``project:``)."""


@dataclass(frozen=True)
class Timesheet:
    """One person's timesheet of one month, as a period's report gives it."""

    header: ProjectHeader
    person: Person
    month: str
    by_day: bool
    """The report gives this month day by day; otherwise the grid is empty, to fill by hand."""
    columns: list[str]
    """The project's columns: action ids, and :data:`UNSPLIT` for hours without an action."""
    action_titles: dict[str, str]
    days: list[SheetDay]
    hours: Decimal
    """The month's hours on the project (the report's figure)."""
    cost: Decimal
    """hours × hourly rate, half-up to the cent."""
    not_accepted_hours: Decimal = ZERO
    """The month's hours the checks do not accept (they stay on the signed timesheet)."""
    column_totals: dict[str, Decimal] = field(default_factory=dict)
    other_projects: Decimal = ZERO
    ordinary: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.hours + self.other_projects + self.ordinary

    @property
    def file_stem(self) -> str:
        return f"timesheet-{safe_name(self.header.period_id)}-{safe_name(self.person.id)}-{self.month}"


def safe_name(text: str) -> str:
    """``text`` as a part of a file name: letters, digits, ``.``, ``_`` and ``-``."""
    return re.sub(r"[^\w.-]+", "-", text).strip("-.") or "x"


def project_header(budget: Budget, pack: CallPack, report: CostReport) -> ProjectHeader:
    p = budget.project
    return ProjectHeader(
        programme=p.programme or pack.programme.label,
        call=pack.title,
        call_act=pack.act,
        cup=p.cup,
        title=p.title,
        beneficiary=p.beneficiary,
        legal_representative=p.legal_representative,
        period_id=report.period.id,
        period_start=report.period.start,
        period_end=report.period.end,
    )


def _person(budget: Budget, pack: CallPack, result: ReportResult, index: int) -> Person:
    assert result.report is not None and result.costs is not None
    entry, cost = result.report.staff[index], result.costs.staff[index]
    roles = {s.id: s.role for s in budget.staff if s.id is not None}
    item = pack.items.get(entry.item)
    return Person(
        index=index,
        id=entry.id,
        name=entry.name,
        role=roles.get(entry.id),
        item=entry.item,
        item_label=item.it if item else entry.item,
        item_label_en=item.en if item else entry.item,
        hours_per_day=contract_hours_per_day(entry, pack),
        hours_per_year=cost.hours_per_year,
        hourly_rate=cost.hourly_rate,
    )


def month_days(month: str) -> list[date]:
    y, m = int(month[:4]), int(month[5:7])
    return [date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]


def timesheet(project: ProjectResult, result: ReportResult, index: int, month: str) -> Timesheet:
    """The timesheet of staff entry ``index`` of ``result`` for ``month`` (``YYYY-MM``)."""
    budget, pack = project.budget.budget, project.budget.pack
    assert budget is not None and pack is not None
    report, costs = result.report, result.costs
    assert report is not None and costs is not None
    entry, cost = report.staff[index], costs.staff[index]
    person = _person(budget, pack, result, index)
    patron = patron_saint_day(budget, pack)
    off = national_holidays(int(month[:4]))
    mine = {d: v for d, v in entry.days.items() if month_of(d) == month}
    by_day = bool(mine)
    titles = {a.id: a.title for a in budget.actions}
    if by_day:
        used = {a for v in mine.values() for a in v.actions}
        columns = [a.id for a in budget.actions if a.id in used]
        columns += sorted(used - set(columns))
        if any(not v.actions and v.project is not None for v in mine.values()):
            columns.append(UNSPLIT)
    else:
        columns = [a.id for a in budget.actions] or [UNSPLIT]
    start, end = report.period.start, report.period.end
    days: list[SheetDay] = []
    totals = dict.fromkeys(columns, ZERO)
    other = ordinary = ZERO
    for day in month_days(month):
        sunday, holiday = day.weekday() == 6, day in off
        patron_day = patron is not None and f"{day.month:02d}-{day.day:02d}" == patron
        outside = not start <= day <= end
        given = mine.get(day)
        if given is None:
            days.append(
                SheetDay(
                    day,
                    {},
                    None,
                    None,
                    None,
                    sunday=sunday,
                    holiday=holiday,
                    patron=patron_day,
                    outside=outside,
                )
            )
            continue
        split = dict(given.actions)
        if not split and given.project is not None:
            split = {UNSPLIT: given.project}
        for col, h in split.items():
            totals[col] += h
        other += given.other_projects
        ordinary += given.ordinary
        days.append(
            SheetDay(
                day,
                split,
                day_project_hours(given),
                given.other_projects,
                given.ordinary,
                given.absence,
                given.note,
                sunday=sunday,
                holiday=holiday,
                patron=patron_day,
                outside=outside,
            )
        )
    hours = cost.months.get(month, ZERO)
    refused = result.disallowed.hours.get((index, month), ZERO)
    return Timesheet(
        header=project_header(budget, pack, report),
        person=person,
        month=month,
        by_day=by_day,
        columns=columns,
        action_titles=titles,
        days=days,
        hours=hours,
        cost=staff_cost(cost.hourly_rate, hours),
        not_accepted_hours=refused,
        column_totals=totals,
        other_projects=other,
        ordinary=ordinary,
    )


def period_result(project: ProjectResult, period_id: str | None) -> ReportResult:
    """The computed report of period ``period_id`` (the latest named when None); KeyError
    when the project has no such period."""
    computed = [r for r in project.computed if r.report is not None]
    if not computed:
        raise KeyError(period_id)
    if period_id is None:
        return project.computed[project.latest_named]
    for r in computed:
        assert r.report is not None
        if r.report.period.id == period_id:
            return r
    raise KeyError(period_id)


def asked_for(
    project: ProjectResult, period_id: str | None, *, person: str | None = None, month: str | None = None
) -> Message | None:
    """Why ``person`` or ``month`` names nothing of the period (a usage error: an id not in
    the report, a month outside the period), or None."""
    result = period_result(project, period_id)
    assert result.report is not None and result.costs is not None
    period = result.report.period
    if person is not None and person not in {c.id for c in result.costs.staff}:
        return msg(
            "--person {person!r}: no such person in period {period} (the report's people: {people})",
            person=person,
            period=period.id,
            people=", ".join(c.id for c in result.costs.staff) or "—",
        )
    first, last = f"{period.start:%Y-%m}", f"{period.end:%Y-%m}"
    if month is not None and not first <= month <= last:
        return msg(
            "--month {month}: not a month of period {period} ({first} to {last})",
            month=month,
            period=period.id,
            first=first,  # as --month takes it
            last=last,
        )
    return None


def timesheets(
    project: ProjectResult,
    period_id: str | None = None,
    *,
    person: str | None = None,
    month: str | None = None,
) -> list[Timesheet]:
    """Every timesheet of a period: per person (or only ``person``, by id) and per month of
    their hours (or only ``month``), in the report's order."""
    result = period_result(project, period_id)
    assert result.report is not None and result.costs is not None
    out = []
    for i, cost in enumerate(result.costs.staff):
        if person is not None and cost.id != person:
            continue
        for m in cost.months:
            if month is not None and m != month:
                continue
            out.append(timesheet(project, result, i, m))
    return out


# ----------------------------------------------------------------- hourly-cost statements


@dataclass(frozen=True)
class CostStatement:
    """One person's hourly-cost statement, as filed with the first period that reports them."""

    header: ProjectHeader
    person: Person
    cost_year: int
    figures: CostStatementFigures
    document: str | None
    other_note: str | None
    filed_with: str
    """The id of the first period that reports the person: the statement is filed with it."""
    filed_here: bool
    """This period is that first one; otherwise the statement is reused unchanged."""

    @property
    def file_stem(self) -> str:
        return f"costo-orario-{safe_name(self.person.id)}"


def cost_statements(
    project: ProjectResult, period_id: str | None = None, *, person: str | None = None
) -> list[CostStatement]:
    """The hourly-cost statement of every person of a period (or only ``person``)."""
    budget, pack = project.budget.budget, project.budget.pack
    assert budget is not None and pack is not None
    result = period_result(project, period_id)
    report = result.report
    assert report is not None and result.costs is not None
    first: dict[str, str] = {}
    for r in project.computed:
        if r.report is None:
            continue
        for s in r.report.staff:
            first.setdefault(s.id, r.report.period.id)
    out = []
    for i, entry in enumerate(report.staff):
        if person is not None and entry.id != person:
            continue
        cost = result.costs.staff[i]
        comp = entry.cost_components
        filed = first.get(entry.id, report.period.id)
        out.append(
            CostStatement(
                header=project_header(budget, pack, report),
                person=_person(budget, pack, result, i),
                cost_year=entry.cost_year,
                figures=cost_statement_figures(entry.annual_gross_cost, comp, cost.hours_per_year),
                document=comp.document if comp else None,
                other_note=comp.other_note if comp else None,
                filed_with=filed,
                filed_here=filed == report.period.id,
            )
        )
    return out


# ----------------------------------------------------------------- writing


def _targets(out_dir: Path, stems: Sequence[str], overwrite: bool) -> None:
    if not overwrite:
        for stem in stems:
            for ext in (".xlsx", ".pdf"):
                if (out_dir / (stem + ext)).exists():
                    raise FileExistsError(17, "the file already exists", str(out_dir / (stem + ext)))


def write_timesheets(
    project: ProjectResult,
    period_id: str | None,
    out_dir: Path,
    lang: str = "it",
    *,
    person: str | None = None,
    month: str | None = None,
    overwrite: bool = False,
    formats: Sequence[str] = ("xlsx", "pdf"),
) -> list[Path]:
    """Write the timesheets of a period into ``out_dir`` (created if needed), an xlsx and a
    PDF per person and month, named ``timesheet-<period>-<person>-<YYYY-MM>.xlsx|.pdf``; each
    file atomically. Returns the paths written, in order. Raises ``KeyError`` for an unknown
    period, ``FileExistsError`` when a file exists (before anything is written) unless
    ``overwrite``, ``OSError`` when a file cannot be written."""
    from .pdf.timesheet import write_timesheet_pdf
    from .xlsx.timesheet import write_timesheet_xlsx

    sheets = timesheets(project, period_id, person=person, month=month)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _targets(out_dir, [ts.file_stem for ts in sheets], overwrite)
    written = []
    for ts in sheets:
        if "xlsx" in formats:
            written.append(
                write_timesheet_xlsx(ts, out_dir / f"{ts.file_stem}.xlsx", lang, overwrite=overwrite)
            )
        if "pdf" in formats:
            written.append(
                write_timesheet_pdf(ts, out_dir / f"{ts.file_stem}.pdf", lang, overwrite=overwrite)
            )
    return written


def write_cost_statements(
    project: ProjectResult,
    period_id: str | None,
    out_dir: Path,
    lang: str = "it",
    *,
    person: str | None = None,
    overwrite: bool = False,
    formats: Sequence[str] = ("xlsx", "pdf"),
) -> list[Path]:
    """Write the hourly-cost statements of a period's people into ``out_dir``, an xlsx and a
    PDF each, named ``costo-orario-<person>.xlsx|.pdf``; as :func:`write_timesheets`."""
    from .pdf.costrate import write_cost_statement_pdf
    from .xlsx.costrate import write_cost_statement_xlsx

    statements = cost_statements(project, period_id, person=person)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _targets(out_dir, [st.file_stem for st in statements], overwrite)
    written = []
    for st in statements:
        if "xlsx" in formats:
            written.append(
                write_cost_statement_xlsx(st, out_dir / f"{st.file_stem}.xlsx", lang, overwrite=overwrite)
            )
        if "pdf" in formats:
            written.append(
                write_cost_statement_pdf(st, out_dir / f"{st.file_stem}.pdf", lang, overwrite=overwrite)
            )
    return written


# ----------------------------------------------------------------- what the commands do


def project_of_report(report_path: Path, *, strict: bool = False) -> tuple[ProjectResult, str]:
    """The whole project of a cost report (its budget and every report beside it) and the
    report's period id, for the ``timesheet`` and ``hourly-cost`` commands.

    Raises :class:`~clustbudget.pipeline.Refused` when the report cannot be read (exit 2) or
    computed, or the project has errors other than disallowed costs (exit 1; any error with
    ``strict``), as ``export`` does.
    """
    from .exitcodes import ExitCode
    from .i18n import msg, nmsg
    from .loading import load_file
    from .pipeline import Refused, budget_of_report, computed_project

    loaded = load_file(Path(report_path), str(report_path), expect="report")
    if loaded.model is None:
        code = (
            ExitCode.UNREADABLE
            if any(f.fatal for f in loaded.findings) or loaded.doc is None
            else ExitCode.FINDINGS
        )
        raise Refused(msg("{path}: not a valid cost report", path=str(report_path)), code, loaded.findings)
    budget_path = budget_of_report(loaded)
    assert budget_path is not None
    project = computed_project(budget_path, [Path(report_path)])
    errors = project.blocking_errors(strict=strict)
    if errors:
        raise Refused(
            nmsg(
                "{n} error in the budget or its reports: fix it first",
                "{n} errors in the budget or its reports: fix them first",
                len(errors),
            ),
            ExitCode.FINDINGS,
            errors,
        )
    named = [r for r in project.computed if r.named and r.report is not None]
    if not named:
        raise Refused(
            msg("{path}: the report's figures could not be computed", path=str(report_path)),
            ExitCode.FINDINGS,
        )
    report = named[-1].report
    assert report is not None
    return project, report.period.id


def written_or_refused(write: Callable[[], list[Path]], out_dir: Path) -> list[Path]:
    """Run a writer; a file that exists or cannot be written becomes :class:`Refused` (exit 2)."""
    from .exitcodes import ExitCode
    from .i18n import msg
    from .pipeline import Refused

    try:
        return write()
    except FileExistsError as exc:
        raise Refused(
            msg(
                "{target} already exists: pass --force to overwrite it, or -o another folder",
                target=exc.filename,
            ),
            ExitCode.UNREADABLE,
        ) from None
    except OSError as exc:
        raise Refused(
            msg(
                "{target}: cannot write: {reason}",
                target=str(exc.filename or out_dir),
                reason=exc.strerror or str(exc),
            ),
            ExitCode.UNREADABLE,
        ) from None


# ----------------------------------------------------------------- words the writers share

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
PAGE = N_("Page &P of &N")
SHEET = N_("Timesheet")


def month_name(month: str, lang: str) -> str:
    """``2021-03`` → ``marzo 2021`` / ``March 2021``."""
    name = gettext(MONTHS[int(month[5:7]) - 1], lang)
    return f"{name.lower() if lang == 'it' else name} {month[:4]}"


def weekday_name(index: int, lang: str) -> str:
    return gettext(WEEKDAYS[index], lang)


def header_fields(h: ProjectHeader, lang: str) -> list[tuple[str, str]]:
    """The header's labels and values (programme, call, CUP, project, beneficiary, period)."""
    call = h.call + (f" ({h.call_act})" if h.call_act else "")
    period = (
        f"{h.period_id} ({formatting.date(h.period_start, lang)} – {formatting.date(h.period_end, lang)})"
    )
    return [
        (gettext(N_("Programme"), lang), h.programme),
        (gettext(N_("Call"), lang), call),
        (gettext(N_("CUP"), lang), h.cup or "—"),
        (gettext(N_("Project"), lang), h.title),
        (gettext(N_("Beneficiary"), lang), h.beneficiary or "—"),
        (gettext(N_("Period"), lang), period),
    ]


def column_title(ts: Timesheet, col: str, lang: str) -> str:
    if col == UNSPLIT:
        return (
            gettext(N_("Project (not split by action)"), lang)
            if len(ts.columns) > 1
            else gettext(N_("Project"), lang)
        )
    return msg("Action {id}", id=col).render(lang)


def action_legend(ts: Timesheet, lang: str) -> str | None:
    """The titles of the actions of the grid's columns: ``Azioni: 1 = …; 2 = …``."""
    named = [f"{col} = {ts.action_titles[col]}" for col in ts.columns if col in ts.action_titles]
    if not named:
        return None
    return msg("Actions: {list}", list="; ".join(named)).render(lang)


def day_remark(day: object, lang: str) -> str:
    """Why a day normally has no project hours: Sunday, holiday, patron saint, outside the period."""
    parts = []
    if getattr(day, "outside", False):
        parts.append(gettext(N_("outside the period"), lang))
    if getattr(day, "holiday", False):
        parts.append(gettext(N_("national holiday"), lang))
    if getattr(day, "patron", False):
        parts.append(gettext(N_("patron saint's day"), lang))
    note = getattr(day, "note", None)
    if note:
        parts.append(str(note))
    return "; ".join(parts)


STATEMENT_SHEET = N_("Hourly cost")


def component_rows(st: CostStatement, lang: str) -> list[tuple[str, Decimal | None]]:
    """The components' labels and amounts (None where not given)."""
    f = st.figures
    other = gettext(N_("Other costs of employment"), lang) + (f" ({st.other_note})" if st.other_note else "")
    return [
        (gettext(N_("Gross pay"), lang), f.gross_pay),
        (gettext(N_("Employer's social charges"), lang), f.social_charges),
        (gettext(N_("Severance pay accrued (TFR)"), lang), f.tfr),
        (other, f.other),
    ]


def filed_text(st: CostStatement, lang: str) -> str:
    if st.filed_here:
        return msg(
            "Filed with period {period}, the first that reports this person", period=st.filed_with
        ).render(lang)
    return msg(
        "Filed with period {period}; reused unchanged in period {this} (the rate stays the one filed)",
        period=st.filed_with,
        this=st.header.period_id,
    ).render(lang)


def statement_title(st: CostStatement, lang: str) -> str:
    return msg("Hourly-cost statement — {name}", name=st.person.name).render(lang)
