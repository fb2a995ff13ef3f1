"""Hours in: a timesheet export (CSV or xlsx) → the staff hours of a cost report.

The export has one row per person and day (or several: a time tracker such as Kimai writes one
per entry, and they are added up): the person (the report's staff ``id`` or ``name``), the date,
the hours (``7.5``, ``7,5``, ``7:30``, ``07:30:00``), and optionally the action, the project
(Kimai's ``Project`` column: with ``--project`` the rows of other projects are hours on other
projects), hours on other projects, ordinary activity, an absence. Headers in English (Kimai's
``Date``, ``User``, ``Duration``, ``Activity``, ``Project``) or Italian (``Data``, ``Persona``,
``Ore``, ``Azione``…).

Written in the report either **by day** (``days:``, the timesheet's form, when the report format
has it) or **by month** (``hours:``, the sum of the month's days); hours are added up in minutes
and rounded half-up to the cent of an hour once, per day or per month (20 minutes = 0.33).

The same guarantees as the ledger import: the report's lock from the first read to the rename,
nothing written unless every row is valid, the rest of the file (comments included) kept as it
is, the result checked with the report's rules in its project, then an atomic write.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .i18n import joined, msg
from .i18n.oserrors import os_reason
from .payments import normalise
from .records import dataclass

if TYPE_CHECKING:
    from yaml.nodes import Node

    from .ledger import Ledger

HOUR_HEADERS: dict[str, list[str]] = {
    "person": [
        "persona",
        "dipendente",
        "collaboratore",
        "risorsa",
        "nome",
        "nominativo",
        "utente",
        "user",
        "username",
        "person",
        "employee",
        "name",
        "staff",
        "id",
    ],
    "date": ["data", "giorno", "date", "day"],
    "hours": ["ore", "ore lavorate", "ore progetto", "ore sul progetto", "durata", "duration", "hours"],
    "action": ["azione", "attivita", "action", "activity", "work package"],
    "project": ["progetto", "project"],
    "other_projects": ["altri progetti", "ore altri progetti", "other projects"],
    "ordinary": [
        "attivita ordinaria",
        "ore attivita ordinaria",
        "ordinaria",
        "ordinary",
        "ordinary activity",
    ],
    "absence": ["assenza", "causale assenza", "giustificativo", "absence", "leave"],
}
REQUIRED = ("person", "date")


class HoursError(Exception):
    """The timesheet cannot be read at all (exit 2)."""


@dataclass
class HourRow:
    row: int
    person: int
    """Index of the staff entry in the report."""
    day: date
    minutes: int
    action: str | None
    other_minutes: int
    ordinary_minutes: int
    absence: str | None


@dataclass
class HoursPlan:
    """What an hours import would do: per staff entry the days (or months) to add, the rows
    refused and why, the info lines, the new text."""

    form: str
    """``days`` or ``hours`` (by month)."""
    added: dict[int, dict[str, Any]] = field(default_factory=dict)
    """staff index → {YYYY-MM-DD or YYYY-MM: value as YAML text}"""
    problems: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    text: str = ""
    bom: bool = False
    rows: int = 0

    @property
    def entries(self) -> int:
        return sum(len(v) for v in self.added.values())


def days_supported() -> bool:
    """Whether the report format has hours by day (``days:`` on a staff entry)."""
    from .models import StaffEntry

    return "days" in StaffEntry.model_fields


_CLOCK = re.compile(r"(\d+):([0-5]\d)(?::([0-5]\d))?")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")


def minutes_of(value: Any) -> int | None:
    """A duration as whole minutes: ``7.5``, ``7,5``, ``7:30``, ``07:30:00``, an xlsx time or
    number of hours; None when it is not a duration."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, time):
        return value.hour * 60 + value.minute + (1 if value.second >= 30 else 0)
    if isinstance(value, timedelta):
        return int((Decimal(value.total_seconds()) / 60).to_integral_value(ROUND_HALF_UP))
    if isinstance(value, int | float | Decimal):
        return int(
            (Decimal(repr(value) if isinstance(value, float) else value) * 60).to_integral_value(
                ROUND_HALF_UP
            )
        )
    text = str(value).strip().replace("\u00a0", "")
    text = re.sub(r"\s*(h|ore|hours)$", "", text, flags=re.I)
    m = _CLOCK.fullmatch(text)
    if m:
        seconds = int(m[3] or 0)
        return int(m[1]) * 60 + int(m[2]) + (1 if seconds >= 30 else 0)
    if _DECIMAL.fullmatch(text):
        return int((Decimal(text.replace(",", ".")) * 60).to_integral_value(ROUND_HALF_UP))
    return None


def hours_text(minutes: int) -> str:
    """Minutes as hours, rounded half-up to the cent: 450 → ``7.5``, 20 → ``0.33``."""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value.normalize():f}"


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    m = _DAY_MONTH_YEAR.fullmatch(text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def match_hour_columns(headers: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Timesheet fields → column indexes, by their headers (case, accents, punctuation ignored)."""
    index: dict[str, int] = {}
    for i, h in enumerate(headers):
        if h:
            index.setdefault(normalise(h), i)
    mapping: dict[str, int] = {}
    for fld, names in HOUR_HEADERS.items():
        for name in names:
            col = index.get(normalise(name))
            if col is not None and col not in mapping.values():
                mapping[fld] = col
                break
    problems: list[str] = []
    missing = [f for f in REQUIRED if f not in mapping]
    if "hours" not in mapping and "absence" not in mapping:
        missing.append("hours")
    if missing:
        problems.append(
            msg(
                "no column for {fields} (columns: {columns})",
                fields=", ".join(missing),
                columns=", ".join(h for h in headers if h),
            )
        )
    return mapping, problems


def plan_hours(
    ledger: Ledger,
    report_text: str,
    target: Any,
    *,
    project: str | None = None,
    form: str | None = None,
) -> HoursPlan:
    """Plan adding a timesheet's hours to a report (``target`` from
    :func:`clustbudget.pipeline.load_import_target`)."""
    from .models import CostReport

    report: CostReport = target.report
    budget = target.budget.budget
    chosen = form or ("days" if days_supported() else "hours")
    plan = HoursPlan(form=chosen, rows=len(ledger.rows))
    if chosen == "days" and not days_supported():
        plan.problems.append(
            (ledger.header_row, msg("this report format has no days: (hours by day) yet; use --form months"))
        )
        return plan
    mapping, problems = match_hour_columns(ledger.headers)
    if problems:
        plan.problems.extend((ledger.header_row, p) for p in problems)
        return plan
    people: dict[str, int] = {}
    for i, person in enumerate(report.staff):
        people.setdefault(normalise(person.id), i)
        people.setdefault(normalise(person.name), i)
    actions = {}
    for a in budget.actions if budget is not None else ():
        actions[normalise(a.id)] = a.id
        actions.setdefault(normalise(a.title), a.id)
    projects = {
        normalise(str(row[mapping["project"]]))
        for _, row in ledger.rows
        if "project" in mapping and mapping["project"] < len(row) and row[mapping["project"]]
    }
    if "project" in mapping and project is None and len(projects) > 1:
        plan.problems.append(
            (
                ledger.header_row,
                msg(
                    "the export has the hours of {n} projects: say which one is this project with --project NAME",
                    n=len(projects),
                ),
            )
        )
        return plan
    ours = normalise(project) if project is not None else None
    per, rows = report.period, []
    for number, row in ledger.rows:

        def cell(fld: str, row: list[Any] = row) -> Any:
            i = mapping.get(fld)
            return row[i] if i is not None and i < len(row) else None

        who = str(cell("person") or "").strip()
        if who == "":
            plan.problems.append((number, msg("no person")))
            continue
        if normalise(who) not in people:
            plan.problems.append(
                (
                    number,
                    msg(
                        "{person!r} is not in the report's staff ({staff}): add the person, then import again",
                        person=who,
                        staff=", ".join(p.id for p in report.staff) or "-",
                    ),
                )
            )
            continue
        day = _day(cell("date"))
        if day is None:
            plan.problems.append((number, msg("{text!r} is not a date", text=str(cell("date")))))
            continue
        if not per.start <= day <= per.end:
            plan.problems.append(
                (
                    number,
                    msg(
                        "{day} is outside period {id} ({start} to {end})",
                        day=day,
                        id=per.id,
                        start=per.start,
                        end=per.end,
                    ),
                )
            )
            continue
        minutes = minutes_of(cell("hours"))
        other = minutes_of(cell("other_projects"))
        ordinary = minutes_of(cell("ordinary"))
        if minutes is None or other is None or ordinary is None:
            bad = next(
                f
                for f, v in (("hours", minutes), ("other_projects", other), ("ordinary", ordinary))
                if v is None
            )
            plan.problems.append(
                (number, msg("{text!r} is not a number of hours (7.5, 7,5 or 7:30)", text=str(cell(bad))))
            )
            continue
        if ours is not None and "project" in mapping and normalise(str(cell("project") or "")) != ours:
            other, minutes = other + minutes, 0  # another project's entry
        action = None
        written_action = str(cell("action") or "").strip()
        if written_action and minutes and chosen == "days":  # by month, the hours are not split
            key = normalise(written_action)
            action = actions.get(key)
            if action is None:  # a time tracker's activity named by the start of the action's title
                starts = {a for title, a in actions.items() if title.startswith(key + " ")}
                action = starts.pop() if len(starts) == 1 else None
            if action is None:
                plan.problems.append(
                    (
                        number,
                        msg(
                            "action {action!r} is not an action of the budget ({actions})",
                            action=written_action,
                            actions=", ".join(sorted(set(actions.values()))) or "-",
                        ),
                    )
                )
                continue
        absence = str(cell("absence") or "").strip() or None
        rows.append(HourRow(number, people[normalise(who)], day, minutes, action, other, ordinary, absence))
    if plan.problems:
        return plan
    if chosen == "days":
        _by_day(plan, rows, report)
    else:
        _by_month(plan, rows, report)
    return plan


def _by_day(plan: HoursPlan, rows: list[HourRow], report: Any) -> None:
    grouped: dict[tuple[int, date], list[HourRow]] = defaultdict(list)
    for r in rows:
        grouped[(r.person, r.day)].append(r)
    for (person, day), found in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        entry = report.staff[person]
        if day in getattr(entry, "days", {}) or f"{day.year:04d}-{day.month:02d}" in entry.hours:
            plan.problems.append(
                (
                    found[0].row,
                    msg(
                        "{person} already has hours for {day} in the report: nothing is added twice",
                        person=entry.id,
                        day=day,
                    ),
                )
            )
            continue
        by_action: dict[str, int] = defaultdict(int)
        project = sum(r.minutes for r in found if r.action is None)
        for r in found:
            if r.action is not None:
                by_action[r.action] += r.minutes
        other = sum(r.other_minutes for r in found)
        ordinary = sum(r.ordinary_minutes for r in found)
        absence = next((r.absence for r in found if r.absence), None)
        parts = []
        if by_action and project:
            plan.problems.append(
                (
                    found[0].row,
                    msg(
                        "{person} on {day}: some hours name an action and some do not: give every row its action",
                        person=entry.id,
                        day=day,
                    ),
                )
            )
            continue
        if by_action:
            inner = ", ".join(f'"{a}": {hours_text(m)}' for a, m in sorted(by_action.items()))
            parts.append(f"actions: {{{inner}}}")
        elif project or not (other or ordinary or absence):
            parts.append(f"project: {hours_text(project)}")
        if other:
            parts.append(f"other_projects: {hours_text(other)}")
        if ordinary:
            parts.append(f"ordinary: {hours_text(ordinary)}")
        if absence:
            from .ledger import quoted

            parts.append(f"absence: {quoted(absence)}")
        value = (
            hours_text(project)
            if parts == [f"project: {hours_text(project)}"]
            else "{" + ", ".join(parts) + "}"
        )
        plan.added.setdefault(person, {})[day.isoformat()] = value


def _by_month(plan: HoursPlan, rows: list[HourRow], report: Any) -> None:
    months: dict[tuple[int, str], list[HourRow]] = defaultdict(list)
    for r in rows:
        months[(r.person, f"{r.day.year:04d}-{r.day.month:02d}")].append(r)
    for (person, month), found in sorted(months.items()):
        entry = report.staff[person]
        has_days = any(f"{d.year:04d}-{d.month:02d}" == month for d in getattr(entry, "days", {}))
        if month in entry.hours or has_days:
            plan.problems.append(
                (
                    found[0].row,
                    msg(
                        "{person} already has hours for {month} in the report: nothing is added twice",
                        person=entry.id,
                        month=month,
                    ),
                )
            )
            continue
        total = sum(r.minutes for r in found)
        if total:
            plan.added.setdefault(person, {})[month] = hours_text(total)


def insert_hours(text: str, form: str, added: dict[int, dict[str, Any]]) -> str:
    """The report's text with each staff entry's new days (or months) added to its ``days:``
    (or ``hours:``) mapping — extended after its last line, or made from an empty one
    (``hours: {}``), or added after the entry's last line — the rest kept as it is."""
    from .ledger import ReportShapeError
    from .yamlsource import compose

    nl = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    root = compose(text)
    staff = next((v for k, v in (root.value if root is not None else ()) if k.value == "staff"), None)
    if staff is None or not staff.tag.endswith(":seq") or staff.flow_style:
        raise ReportShapeError("`staff:` is not a block list: write it as one (- id: …) and import again")

    def line_end(index: int) -> int:
        found = text.find("\n", index)
        return len(text) if found < 0 else found + 1

    edits: list[tuple[int, int, str]] = []
    for person, values in added.items():
        if not values:
            continue
        entry: Node = staff.value[person]
        if getattr(entry, "flow_style", False):
            raise ReportShapeError(
                msg(
                    "staff entry {n} is written on one line: write it one field a line and import again",
                    n=person + 1,
                )
            )
        key_col = entry.value[0][0].start_mark.column if entry.value else entry.start_mark.column
        found = next(((k, v) for k, v in entry.value if k.value == form), None)
        if found is not None and found[1].tag.endswith(":map") and found[1].value and not found[1].flow_style:
            value = found[1]
            pad = " " * value.value[0][0].start_mark.column
            at = line_end(_last_end(value))
            lines = "".join(f"{pad}{k}: {v}{nl}" for k, v in values.items())
            prefix_nl = "" if text[:at].endswith("\n") else nl
            edits.append((at, at, prefix_nl + lines))
            continue
        pad = " " * (key_col + 2)
        lines = "".join(f"{pad}{k}: {v}{nl}" for k, v in values.items())
        if found is not None:
            key, value = found
            if value.value and not (value.tag.endswith(":null")):
                raise ReportShapeError(
                    msg(
                        "`{form}:` of staff entry {n} is written on one line: write it as a block",
                        form=form,
                        n=person + 1,
                    )
                )
            colon = text.index(":", key.end_mark.index)
            end = max(value.end_mark.index, colon + 1)
            at = line_end(end)
            comment = text[end:at].rstrip("\r\n").strip()
            head = text[key.start_mark.index : colon + 1]
            rest = f"  {comment}" if comment.startswith("#") else ""
            start = key.start_mark.index
            edits.append((start, at, f"{head}{rest}{nl}{lines}"))
        else:
            at = line_end(_last_end(entry))
            prefix_nl = "" if text[:at].endswith("\n") else nl
            edits.append((at, at, f"{prefix_nl}{' ' * key_col}{form}:{nl}{lines}"))
    for start, end, body in sorted(edits, reverse=True):
        text = text[:start] + body + text[end:]
    return text


def _last_end(node: Node) -> int:
    from .ledger import _last_end as last

    return last(node)


@dataclass
class HoursOutcome:
    plan: HoursPlan
    into: Path
    written: bool


def import_hours(
    path: Path,
    into: Path,
    *,
    sheet: str | None = None,
    project: str | None = None,
    form: str | None = None,
    dry_run: bool = False,
) -> HoursOutcome:
    """Add a timesheet export's hours to a cost report, as ``clustbudget import-hours`` does.
    Raises :class:`clustbudget.ledger.ImportRefused` or :class:`clustbudget.pipeline.Refused`."""
    import contextlib

    from .atomic import FileBusy, locked, real_file, write_text_atomic
    from .exitcodes import ExitCode
    from .findings import Severity
    from .ledger import ImportRefused, LedgerError, ReportShapeError, check_result, read_ledger
    from .loading import load_file
    from .pipeline import check_project, find_reports, load_import_target, loaded_from_text

    into = real_file(into)
    hold = contextlib.ExitStack()
    try:
        if not dry_run and into.is_file():
            hold.enter_context(locked(into))
    except FileBusy as exc:
        raise ImportRefused(
            msg("{into}: cannot write: {reason}", into=str(into), reason=os_reason(exc)),
            ExitCode.UNREADABLE,
        ) from None
    with hold:
        target = load_import_target(into)
        try:
            # the header is the first row that names the timesheet's fields (titles above it skipped)
            known = {name: name for names in HOUR_HEADERS.values() for name in names}
            sheet_rows = read_ledger(path, sheet=sheet, explicit=known)
        except LedgerError as exc:
            raise ImportRefused(exc.args[0] if exc.args else str(exc), ExitCode.UNREADABLE) from None
        raw = into.read_bytes()
        text = raw.decode("utf-8-sig")
        plan = plan_hours(sheet_rows, text, target, project=project, form=form)
        plan.bom = raw.startswith(b"\xef\xbb\xbf")

        def refuse(message: str) -> ImportRefused:
            refused = ImportRefused(message, ExitCode.FINDINGS)
            refused.planned = plan
            return refused

        if plan.problems:
            raise refuse(
                msg(
                    "{path}: {n} of {total} rows cannot be imported: nothing written",
                    path=str(path),
                    n=len(plan.problems),
                    total=plan.rows,
                )
            )
        if not plan.entries:
            return HoursOutcome(plan, into, written=False)
        try:
            new_text = insert_hours(text, plan.form, plan.added)
        except ReportShapeError as exc:
            raise ImportRefused(
                msg("{into}: {problem}", into=str(into), problem=exc.args[0]), ExitCode.FINDINGS
            ) from None
        check_result(new_text, into)
        # The report's rules, in its project: an error the new hours bring is a refusal.
        others = [
            load_file(p, str(p), expect="report")
            for p in find_reports(target.budget_path)
            if p.resolve() != into.resolve()
        ]
        before = check_project(target.budget, [target.loaded, *others])
        trial = loaded_from_text(into, new_text)
        after = check_project(target.budget, [trial, *others])

        def errors(project_result: Any, doc: Any) -> list[str]:
            report = next(r for r in project_result.reports if r.loaded is doc)
            return [joined([f.code, f.message], " ") for f in report.findings if f.severity is Severity.ERROR]

        old = set(errors(before, target.loaded))
        new = [e for e in errors(after, trial) if e not in old]
        if new:
            plan.problems.extend((0, e) for e in new)
            raise refuse(
                msg("{into}: the new hours break the report's rules: nothing written", into=str(into))
            )
        plan.text = new_text
        if dry_run:
            return HoursOutcome(plan, into, written=False)
        try:
            write_text_atomic(
                into, ("\ufeff" if plan.bom else "") + new_text, overwrite=True, lock=False
            )  # held since the read
        except OSError as exc:
            raise ImportRefused(
                msg("{into}: cannot write: {reason}", into=str(into), reason=os_reason(exc)),
                ExitCode.UNREADABLE,
            ) from None
        return HoursOutcome(plan, into, written=True)
