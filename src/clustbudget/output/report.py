"""`report`: budget against actual, per period and cumulative (rich tables or JSON)."""

from __future__ import annotations

from typing import Any

from ..compute import ItemProgress
from ..money import ZERO, fmt, fmt_eur, fmt_rate
from ..validation import ProjectResult
from .json import envelope, finding, flat_rates


def _progress(rows: list[ItemProgress], pack: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": r.key,
            "label": pack.label(r.key, "it") if r.key != "total" else "Totale",
            "label_en": pack.label(r.key, "en") if r.key != "total" else "Total",
            "budget": fmt(r.budget),
            "period": fmt(r.period),
            "actual": fmt(r.cumulative),
            "remaining": fmt(r.remaining),
            "share_used": f"{r.used}",
        }
        for r in rows
    ]


def report_json(project: ProjectResult) -> dict[str, Any]:
    """The `report` JSON envelope: per period staff, expenses and figures; per item progress."""
    b = project.budget
    pack = b.pack
    assert pack is not None and b.figures is not None
    periods = []
    for i, r in enumerate(project.computed):
        rep, costs, fig = r.report, r.costs, r.figures
        assert rep is not None and costs is not None and fig is not None
        periods.append(
            {
                "id": rep.period.id,
                "start": rep.period.start.isoformat(),
                "end": rep.period.end.isoformat(),
                "path": r.loaded.display,
                "staff": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "item": s.item,
                        "annual_gross_cost": fmt(s.annual_gross_cost),
                        "hours_per_year": f"{s.hours_per_year}",
                        "hourly_rate": fmt(s.hourly_rate),
                        "hours": f"{s.hours}",
                        "cost": fmt(s.cost),
                        "disallowed": fmt(min(r.disallowed.get(("staff", s.index), ZERO), s.cost)),
                    }
                    for s in costs.staff
                ],
                "expenses": [
                    {
                        "index": e.index,
                        "date": x.date.isoformat(),
                        "item": e.item,
                        "description": x.description,
                        "supplier": x.supplier,
                        "document": x.document,
                        "amount": fmt(x.amount),
                        "vat_eligible": fmt(e.vat_eligible),
                        "eligible_share": f"{e.share}",
                        "eligible": fmt(e.eligible),
                        "disallowed": fmt(min(r.disallowed.get(("expense", e.index), ZERO), e.eligible)),
                    }
                    for e, x in zip(costs.expenses, rep.expenses, strict=True)
                ],
                "claimed": {k: fmt(v) for k, v in fig.claimed.items()},
                "disallowed": {k: fmt(v) for k, v in fig.disallowed.items()},
                "items": {k: fmt(v) for k, v in fig.items.items()},
                "direct": fmt(fig.direct),
                **flat_rates(fig.flat_rates),
                "total": fmt(fig.total),
                "contribution_due": None
                if project.contributions[i] is None
                else fmt(project.contributions[i]),
                "progress": _progress(project.progress[i], pack),
            }
        )
    last = project.progress[-1] if project.progress else []
    findings = [f for r in project.reports for f in r.findings]
    return envelope(
        "report",
        {
            "budget": b.loaded.display,
            "call": {"id": pack.id, "version": pack.version},
            "periods": periods,
            "items": _progress(last, pack),
            "findings": [finding(f) for f in b.findings + findings],
        },
    )


def _bar(row: ItemProgress, width: int = 20) -> str:
    over = row.cumulative > row.budget
    filled = width if over else min(int(row.used * width), width)
    return (
        ("[red]" if over else "[green]")
        + "█" * filled
        + ("[/red]" if over else "[/green]")
        + "·" * (width - filled)
        + (" [red]▲[/red]" if over else "")
    )


def _used(row: ItemProgress) -> str:
    if not row.budget:
        return "—" if not row.cumulative else "over"
    return f"{row.used * 100:.1f}%"


def render(project: ProjectResult, console: Any, lang: str = "en") -> None:
    """Budget against actual: one column per period, cumulative, remaining, % used and a bar."""
    from rich.table import Table

    b = project.budget
    pack, model = b.pack, b.budget
    assert pack is not None and model is not None
    reports = project.computed
    if not reports:
        console.print("No cost reports: nothing to compare with the budget yet.")
        return
    last = project.progress[-1]
    table = Table(
        title=f"{model.project.title}\nBudget vs actual, to {reports[-1].report.period.id}"  # type: ignore[union-attr]
        f" ({reports[-1].report.period.end})",
        title_justify="left",
    )  # type: ignore[union-attr]
    table.add_column("Item")
    table.add_column("Label", max_width=34)
    table.add_column("Budget", justify="right")
    for r in reports:
        table.add_column(r.report.period.id, justify="right")  # type: ignore[union-attr]
    for col in ("Cumulative", "Remaining", "Used"):
        table.add_column(col, justify="right")
    table.add_column("", no_wrap=True)
    for row_i, row in enumerate(last):
        if row.key == "total":
            table.add_section()
        label = "Total" if row.key == "total" else pack.label(row.key, lang)
        per = [fmt_eur(p[row_i].period, lang) for p in project.progress]
        style = "bold red" if row.cumulative > row.budget else None
        table.add_row(
            row.key if row.key != "total" else "",
            label,
            fmt_eur(row.budget, lang),
            *per,
            fmt_eur(row.cumulative, lang),
            fmt_eur(row.remaining, lang),
            _used(row),
            _bar(row),
            style=style,
        )
    console.print(table)
    params = pack.parameters
    due = project.contributions[-1]
    if due is None:
        console.print("Contribution due: not computed (contribution rate unknown for this call).")
    else:
        cap = f", cap {fmt_eur(params.grant_cap, lang)}" if params.grant_cap is not None else ""
        rate = fmt_rate(params.contribution_rate) if params.contribution_rate is not None else ""
        console.print(f"Contribution due: {fmt_eur(due, lang)} ({rate} of accepted costs{cap}).")
    disallowed = sum((v for r in reports if r.figures for v in r.figures.disallowed.values()), ZERO)
    if disallowed:
        console.print(f"Not accepted (see the errors below): {fmt_eur(disallowed, lang)}")
