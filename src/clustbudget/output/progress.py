"""`report`: budget against actual, per period and cumulative (rich tables or JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..compute import ItemProgress, payments_of
from ..forecast import project_forecast
from ..invoices import whole_amount
from ..models import CallPack
from ..money import ZERO, fmt, fmt_eur, round_cents
from ..pipeline import ProjectResult
from ..variations import Version
from .forecast import forecast_json
from .json import envelope, finding, flat_rates

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def _progress(rows: list[ItemProgress], pack: CallPack) -> list[dict[str, Any]]:
    return [
        {
            "key": r.key,
            "label": pack.label(r.key, "it") if r.key != "total" else "Totale",
            "label_en": pack.label(r.key, "en") if r.key != "total" else "Total",
            "budget": fmt(r.budget),
            "period": fmt(r.period),
            "actual": fmt(r.cumulative),
            "remaining": fmt(r.remaining),
            # an item with no budget and money spent is over, not "0% used"
            "share_used": None if r.unbudgeted else f"{r.used}",
            "over_budget": r.cumulative > r.budget,
        }
        for r in rows
    ]


def _version(v: Version) -> dict[str, Any]:
    return {
        "path": v.display,
        "variation": v.id or None,
        "approved": v.approved.isoformat() if v.approved else None,
        "items": {k: fmt(a) for k, a in v.figures.items.items()},
        "total": fmt(v.figures.total),
    }


def progress_json(project: ProjectResult, lang: str = "en") -> dict[str, Any]:
    """The `report` JSON envelope: per period staff, expenses and figures; per item progress
    (against the budget version in force at the period's end, ``budget_version``)."""
    b = project.budget
    pack = b.pack
    if pack is None or b.figures is None:  # the budget could not be computed: findings only
        return envelope(
            "report",
            {
                "budget": b.loaded.display,
                "call": None,
                "versions": [],
                "pending": [],
                "periods": [],
                "items": [],
                "forecast": None,
                "findings": [finding(f, lang) for f in project.findings],
            },
        )
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
                        "disallowed": fmt(r.disallowed.get(("staff", s.index), ZERO)),
                        **_review(r, ("staff", s.index), s.cost),
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
                        "disallowed": fmt(r.disallowed.get(("expense", e.index), ZERO)),
                        "claimed": x.claimed,
                        "reason": x.reason,
                        "payments": [
                            {
                                "date": pay.date.isoformat(),
                                "amount": fmt(pay.amount) if pay.amount is not None else None,
                                "method": pay.method,
                                "reference": pay.reference,
                            }
                            for pay in payments_of(x)
                        ],
                        "invoice": _invoice(project, r, e.index, x),
                        **_review(r, ("expense", e.index), e.eligible),
                    }
                    for e, x in zip(costs.expenses, rep.expenses, strict=True)
                ],
                "claimed": {k: fmt(v) for k, v in fig.claimed.items()},
                "disallowed": {k: fmt(v) for k, v in fig.disallowed.items()},
                "reviewed": rep.period.reviewed.isoformat() if rep.period.reviewed else None,
                "requested": {k: fmt(v) for k, v in fig.requested.items()},
                "approved": {k: fmt(v) for k, v in fig.items.items()} if fig.reviewed else None,
                "cut": {k: fmt(v) for k, v in fig.cut.items()},
                "items": {k: fmt(v) for k, v in fig.items.items()},
                "direct": fmt(fig.direct),
                **flat_rates(fig.flat_rates),
                "total": fmt(fig.total),
                "contribution_due": None if (due := project.contributions[i]) is None else fmt(due),
                "budget_version": project.in_force[i].display,
                "progress": _progress(project.progress[i], pack),
            }
        )
    last = project.progress[-1] if project.progress else []
    findings = [f for r in project.reports if r.named for f in r.findings]
    return envelope(
        "report",
        {
            "budget": b.loaded.display,
            "call": {"id": pack.id, "version": pack.version},
            "versions": [_version(v) for v in project.versions],
            "pending": [_version(v) for v in project.pending],
            "periods": periods,
            "items": _progress(last, pack),
            "forecast": forecast_json(project_forecast(project)),
            "findings": [finding(f, lang) for f in b.findings + findings],
        },
    )


def _review(r: Any, ref: tuple[str, int], requested: Any) -> dict[str, Any]:
    """A line's review outcome: requested, approved (None before the review) and cut."""
    approved = r.approved.get(ref)
    if approved is None:
        return {"requested": fmt(requested), "approved": None, "cut": None}
    return {
        "requested": fmt(requested),
        "approved": fmt(approved),
        "cut": fmt(requested - min(approved, requested)),
    }


def _invoice(project: ProjectResult, r: Any, index: int, x: Any) -> dict[str, Any] | None:
    """The invoice a claimed line charges, with every part of it claimed in the project."""
    parts = project.parts_of(r, index)
    if not parts:
        return None
    whole = whole_amount([p.expense for p in parts])
    return {
        "amount": fmt(whole),
        "parts": [
            {
                "period": p.period,
                "path": p.result.loaded.display,
                "index": p.index,
                "charge": fmt(round_cents(p.charge)),
                "this": p.result is r and p.index == index,
            }
            for p in parts
        ],
    }


def _bar(row: ItemProgress, width: int) -> str:
    over = row.cumulative > row.budget
    filled = width if over else min(int(row.used * width), width)
    colour = "red" if over else "green"
    return f"[{colour}]{'█' * filled}[/{colour}]{'·' * (width - filled)}" + (" [red]▲[/red]" if over else "")


def _used(row: ItemProgress, lang: str) -> str:
    from .words import WORDS, pct

    if not row.budget:
        return "—" if not row.cumulative else WORDS[lang]["over"]
    return pct(row.cumulative / row.budget, lang, places=1)  # from the figures: one rounding


def render(project: ProjectResult, console: Console, lang: str = "en", *, with_pending: bool = False) -> None:
    """Budget against actual: one column per period, cumulative, remaining, % used and a bar.

    The budget is the version in force at the latest period's end (named under the title when
    the budget has approved variations); ``with_pending`` adds a column per pending variation.

    On a narrow terminal the bar shortens, then goes, then the label: figures are never cut.
    """
    from rich.table import Table

    from ..i18n import format_template
    from .text import literal
    from .variation import word
    from .words import WORDS

    w = WORDS[lang]
    b = project.budget
    pack, model = b.pack, b.budget
    assert pack is not None and model is not None
    reports = project.computed
    if not reports:
        console.print(w["no_reports"])
        fc0 = project_forecast(project)
        if fc0 is not None:  # no pace yet, but the spend a month the budget needs
            from .forecast import render as render_forecast

            console.print()
            render_forecast(fc0, pack, console, lang)
        return
    last = project.progress[-1]
    current = reports[-1].report
    assert current is not None
    money_width = max(len(fmt_eur(r.budget, lang)) for r in last) + 1
    # Columns take their content plus 3 (borders, padding); what is left goes to label and bar.
    item_w, used_w = max(len(w["item"]), 4), max(len(w["used"]), 6)
    pending = project.pending if with_pending else []
    base = 1 + (item_w + 3) + (money_width + 3) * (3 + len(reports) + len(pending)) + (used_w + 3)
    room = console.width - base
    bar = 20 if room >= 17 + 25 else 10 if room >= 17 + 15 else 0
    label_w = room - (bar + 5 if bar else 0) - 3
    title = (
        literal(model.project.title)
        + "\n"
        + literal(format_template(w["vs"], {"period": current.period.id, "end": current.period.end}, lang))
    )
    version = project.in_force[-1] if project.in_force else None
    if version is not None and len(project.versions) > 1:
        title = (
            title
            + "\n"
            + literal(
                word("in_force", lang, vid=version.id, path=version.display, approved=version.approved)
                if version.id
                else word("in_force_original", lang, path=version.display)
            )
        )
    table = Table(title=title, title_justify="left")
    table.add_column(w["item"], no_wrap=True, min_width=item_w)
    if label_w >= 14:
        table.add_column(w["label"], no_wrap=True, overflow="ellipsis", max_width=min(label_w, 40))

    def money_column(header: str | Text) -> None:
        table.add_column(header, justify="right", no_wrap=True, min_width=money_width)

    money_column(w["budget"])
    for v in pending:
        money_column(literal(word("pending", lang, vid=v.id)))
    for r in reports:
        assert r.report is not None  # computed: its figures exist, so it was read
        money_column(literal(r.report.period.id))
    money_column(w["cumulative"])
    money_column(w["remaining"])
    table.add_column(w["used"], justify="right", no_wrap=True, min_width=used_w)
    if bar:
        table.add_column("", no_wrap=True, min_width=bar + 2)
    for row_i, row in enumerate(last):
        if row.key == "total":
            table.add_section()
        label = w["total"] if row.key == "total" else pack.label(row.key, lang)
        cells: list[str | Text] = [literal(row.key) if row.key != "total" else ""]
        if label_w >= 14:
            cells.append(literal(label))
        cells += [
            fmt_eur(row.budget, lang),
            *(
                fmt_eur(v.figures.total if row.key == "total" else v.figures.items.get(row.key, ZERO), lang)
                for v in pending
            ),
            *(fmt_eur(p[row_i].period, lang) for p in project.progress),
            fmt_eur(row.cumulative, lang),
            fmt_eur(row.remaining, lang),
            _used(row, lang),
        ]
        if bar:
            cells.append(_bar(row, bar))
        table.add_row(*cells, style="bold red" if row.cumulative > row.budget else None)
    console.print(table)
    params = pack.parameters
    due = project.contributions[-1]
    if due is None:
        console.print(w["due_unknown"])
    else:
        cap = (
            format_template(w["cap"], {"cap": params.grant_cap}, lang) if params.grant_cap is not None else ""
        )
        fields = {"due": due, "rate": params.contribution_rate or ZERO, "cap": cap}
        console.print(format_template(w["due"], fields, lang))
    disallowed = sum((v for r in reports if r.figures for v in r.figures.disallowed.values()), ZERO)
    if disallowed:
        console.print(format_template(w["refused"], {"amount": disallowed}, lang))
    fc = project_forecast(project)
    if fc is not None:
        from .forecast import render as render_forecast

        console.print()
        render_forecast(fc, pack, console, lang)
