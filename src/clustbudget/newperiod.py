"""The next period's cost report: ``clustbudget new-period BUDGET --id SAL-3 --end 2022-09-20``.

The new report starts the day after the latest period of the project ends (the project's start
when it has no report yet), and carries the staff of that latest report over with the basis of
their rate — annual gross cost, cost year, hours basis, and any other field of the person but
their hours and the review's outcome — with no hours and no expenses. It is written beside the
budget (``<budget folder>/<budget name>/sal-3.yaml``, or ``-o``), never over an existing file,
atomically.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .i18n import msg
from .records import dataclass

NOT_CARRIED = frozenset({"hours", "days", "approved", "approved_note"})
"""A person's fields that belong to one period (hours, days, the review) and start empty."""


class NewPeriodRefused(Exception):
    """The new report cannot be written: a one-line message and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class NewPeriod:
    """What ``new-period`` writes: where, the period, the report it follows and the text."""

    path: Path
    period_id: str
    start: date
    end: date
    previous: Path | None
    staff: int
    text: str


def _scalar(value: Any) -> str | None:
    from .ledger import quoted

    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return f"{value}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return quoted(value)
    return None  # a structure: not a basis of the rate; left out


def plan_new_period(budget_path: Path, period_id: str, end: date, *, output: Path | None = None) -> NewPeriod:
    """Plan the next report of a budget's project. Raises :class:`NewPeriodRefused` (exit 2)
    when the budget or a report of the project cannot be read, the id is taken, the end is
    not after the start, or the file exists."""
    from .exitcodes import ExitCode
    from .loading import load_file
    from .models import Budget, CostReport
    from .pipeline import project_reports

    loaded = load_file(budget_path, str(budget_path), expect="budget")
    budget = loaded.model
    if not isinstance(budget, Budget):
        raise NewPeriodRefused(
            msg("{budget}: not a valid budget: validate it first", budget=str(budget_path)),
            ExitCode.UNREADABLE,
        )
    reports = []
    for report in project_reports(budget_path):
        if not isinstance(report.model, CostReport):
            raise NewPeriodRefused(
                msg(
                    "{report}: not a valid cost report: cannot tell which period is the last; validate it first",
                    report=report.display,
                ),
                ExitCode.UNREADABLE,
            )
        reports.append(report)
    taken = {r.model.period.id for r in reports if isinstance(r.model, CostReport)}
    if period_id in taken:
        raise NewPeriodRefused(
            msg("period {id} already exists: choose another --id", id=period_id), ExitCode.UNREADABLE
        )
    last = max(
        (r for r in reports if isinstance(r.model, CostReport)),
        key=lambda r: r.model.period.end if isinstance(r.model, CostReport) else date.min,
        default=None,
    )
    last_report = last.model if last is not None and isinstance(last.model, CostReport) else None
    start = last_report.period.end + timedelta(days=1) if last_report is not None else budget.project.start
    if end < start:
        raise NewPeriodRefused(
            msg(
                "--end {end} is before the new period's start, {start} (the day after {previous} ends)",
                end=end,
                start=start,
                previous=last_report.period.id if last_report is not None else "-",
            ),
            ExitCode.UNREADABLE,
        )
    folder = budget_path.parent / budget_path.stem
    target = output if output is not None else folder / f"{period_id.lower()}.yaml"
    if target.exists():
        raise NewPeriodRefused(
            msg(
                "{path} already exists: it is never overwritten; choose another -o or --id", path=str(target)
            ),
            ExitCode.UNREADABLE,
        )
    import os

    budget_ref = Path(os.path.relpath(budget_path.resolve(), target.parent.resolve())).as_posix()
    lines = [
        f"# {period_id} of {budget.project.title}: written by clustbudget new-period on {date.today().isoformat()}"
        + (f", staff carried over from {last_report.period.id}" if last_report is not None else ""),
        "clustbudget: 1",
        f"budget: {_scalar(budget_ref)}",
        f"period: {{id: {_scalar(period_id)}, start: {start.isoformat()}, end: {end.isoformat()}}}",
    ]
    staff = list(last_report.staff) if last_report is not None else []
    if staff:
        lines.append("staff:")
        for person in staff:
            fields = [
                (name, text)
                for name in type(person).model_fields
                if name not in NOT_CARRIED
                and name in person.model_fields_set | {"id", "name", "item", "annual_gross_cost", "cost_year"}
                for text in (_scalar(getattr(person, name)),)
                if text is not None
            ]
            for i, (name, text) in enumerate(fields):
                lines.append(f"{'  - ' if i == 0 else '    '}{name}: {text}")
            for name in type(person).model_fields:
                value = getattr(person, name)
                if (
                    name in NOT_CARRIED
                    or name not in person.model_fields_set
                    or not isinstance(value, BaseModel)
                ):
                    continue
                # a structure of the rate's basis (cost_components: the hourly-cost statement)
                lines.append(f"    {name}:")
                for sub in type(value).model_fields:
                    written = _scalar(getattr(value, sub))
                    if written is not None:
                        lines.append(f"      {sub}: {written}")
            lines.append("    hours: {}                       # YYYY-MM: hours on the project")
    else:
        lines.append("staff: []")
    lines.append("expenses: []")
    return NewPeriod(
        path=target,
        period_id=period_id,
        start=start,
        end=end,
        previous=last.path if last is not None else None,
        staff=len(staff),
        text="\n".join(lines) + "\n",
    )


def write_new_period(plan: NewPeriod) -> Path:
    """Write the planned report atomically, never over an existing file."""
    from .atomic import write_text_atomic
    from .exitcodes import ExitCode

    plan.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return write_text_atomic(plan.path, plan.text, overwrite=False)
    except FileExistsError:
        raise NewPeriodRefused(
            msg(
                "{path} already exists: it is never overwritten; choose another -o or --id",
                path=str(plan.path),
            ),
            ExitCode.UNREADABLE,
        ) from None
    except OSError as exc:
        raise NewPeriodRefused(
            msg("{path}: cannot write: {reason}", path=str(plan.path), reason=exc.strerror or str(exc)),
            ExitCode.UNREADABLE,
        ) from None
