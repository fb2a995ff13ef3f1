"""The budget statement: what goes on each sheet, and where.

Sheets, in order: Summary (Riepilogo), Details (Dettaglio), By action (Per azione) and By
year (Per anno) when the budget's lines carry them, Checks (Controlli), Provenance
(Provenienza).

Every figure the budget states is an input cell; every figure clustbudget computes is a
formula over those inputs, so the workbook recomputes as :mod:`clustbudget.compute` does
(and each formula carries compute's figure as its cached result):

- Details: an item's subtotal is ``SUM`` of its lines; a line shared by *n* actions is split
  into *n* parts equal to the cent, the leftover cents to the first actions
  (:func:`~clustbudget.compute.allocate`).
- Summary: each item *references* its Details subtotal; a flat-rate item is
  ``ROUND(rate × base, 2)`` with the rate in a cell of its own (the base is rounded to the
  cent first, which removes binary floating-point noise from the sum and changes nothing
  else: the amounts are whole cents); the total is direct costs plus flat rates. The rows
  read as ``clustbudget show`` prints them: the direct items, their subtotal, the flat
  rates, the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import __version__
from ..compute import UNASSIGNED, BudgetFigures, allocated, share, split_totals
from ..models import Budget, CallPack, CostLine
from ..money import ZERO, fmt_eur
from ..pipeline import BudgetResult
from ..records import dataclass
from .labels import Labels, labels
from .layout import NAME_SAFE, Places, counts, fitted_width, quote, ranges, wrapped_height
from .package import Package
from .sheetxml import Cell, Formula, Style, column_letter
from .styles import Styles
from .workbook import ChartSeries, SourceFile, Workbook

LABEL_WIDTH = (40, 62)
"""The Summary's description column (minimum, maximum width): the item labels wrap in it."""
PIVOT_TITLE_WIDTH = 40
"""By action: the action titles' column (its maximum width); longer titles wrap in it."""


def build(result: BudgetResult, lang: str = "it", *, generated: datetime | None = None) -> Package:
    """Lay out the budget workbook of ``result`` in ``lang``; the :class:`Package` writes it."""
    budget, pack, figures = result.budget, result.pack, result.figures
    if budget is None or pack is None or figures is None:
        raise ValueError(
            f"{result.loaded.display}: the budget's figures could not be computed: nothing to export"
        )
    text = labels(lang)
    generated = generated or datetime.now().astimezone()
    return _Statement(result, budget, pack, figures, text, generated).package()


# ----------------------------------------------------------------------------- layout of Details


@dataclass
class _Group:
    """One item's block on the Details sheet: header row, line rows, subtotal row."""

    key: str
    lines: list[CostLine]
    header_row: int = 0
    subtotal_row: int = 0
    subtotals: dict[int, Decimal] = field(default_factory=dict)
    """The subtotal row's figures, by column."""


@dataclass
class _DetailsColumns:
    """Which columns the Details sheet has; year and action columns only when lines carry them."""

    years: list[int]
    unsplit: bool
    actions: list[str]
    unassigned: bool
    year_col: dict[int | str, int] = field(default_factory=dict)
    action_col: dict[str, int] = field(default_factory=dict)
    note: int = 0

    ITEM, DESCRIPTION, ACTION, AMOUNT = 1, 2, 3, 4

    def __post_init__(self) -> None:
        col = self.AMOUNT
        for year in self.years:
            col += 1
            self.year_col[year] = col
        if self.unsplit:
            col += 1
            self.year_col[UNASSIGNED] = col
        for action in self.actions:
            col += 1
            self.action_col[action] = col
        if self.unassigned:
            col += 1
            self.action_col[UNASSIGNED] = col
        self.note = col + 1

    @property
    def has_years(self) -> bool:
        return bool(self.years)

    @property
    def has_actions(self) -> bool:
        return bool(self.actions)

    @property
    def last(self) -> int:
        return self.note


def split_formula(amount_ref: str, amount: Decimal, parts: int, shares: Sequence[int]) -> Formula:
    """The sum of shares ``shares`` (0-based) of ``amount`` (in ``amount_ref``) split into
    ``parts`` equal to the cent.

    As :func:`clustbudget.compute.allocate` (:func:`~clustbudget.compute.allocated` computes the cached result): share *i* is
    ``floor(cents / n)`` plus one cent when *i* is below ``cents mod n``.
    """
    if parts == 1:
        return Formula(amount_ref, amount)
    value = allocated(amount, parts, shares)
    cents = f"ROUND({amount_ref}*100,0)"
    whole = f"INT({cents}/{parts})"
    terms = [whole if len(shares) == 1 else f"{len(shares)}*{whole}"]
    terms += [f"IF(MOD({cents},{parts})>{i},1,0)" for i in shares]
    return Formula(f"({'+'.join(terms)})/100", value)


class _Statement(Workbook[Styles]):
    """One budget's workbook, built sheet by sheet (Details first: the others refer to it).

    Every figure is ``figures``' (compute's): the builder lays them out and writes the
    formulas that recompute them, and never computes one itself.
    """

    def __init__(
        self,
        result: BudgetResult,
        budget: Budget,
        pack: CallPack,
        figures: BudgetFigures,
        text: Labels,
        generated: datetime,
    ) -> None:
        self.result, self.budget, self.figures = result, budget, figures
        known = [
            (result.loaded.display, result.loaded.path),
            (result.pack_display, Path(result.pack_display)),
        ]
        self.flat = set(pack.flat_rate_items)
        self.direct_keys = [k for k in figures.items if k not in self.flat]
        self.flat_keys = [k for k in figures.items if k in self.flat]
        self.groups = [_Group(k, list(budget.costs.get(k, []))) for k in self.direct_keys]
        self.ignored = [(k, list(budget.costs[k])) for k in self.flat_keys if budget.costs.get(k)]
        self.cols = self._details_columns()
        self.money_width = max(14, len(fmt_eur(max(figures.total, figures.direct), "it")) + 4)

        sheet_names = [text.summary, text.details]
        if self.cols.has_actions:
            sheet_names.append(text.by_action)
        if self.cols.has_years:
            sheet_names.append(text.by_year)
        sheet_names += [text.checks, text.provenance]
        date_format = "dd/mm/yyyy" if text.lang == "it" else "yyyy-mm-dd"
        super().__init__(
            t=text,
            pack=pack,
            pack_display=result.pack_display,
            sheet_names=sheet_names,
            styles=lambda sheet: Styles(sheet, date_format=date_format),
            places=Places(result.loaded.path, known),
            page_title=budget.project.title,
            generated=generated,
        )
        self.styles = self.s

    # ------------------------------------------------------------------ the whole workbook

    def package(self) -> Package:
        # Details first: the other sheets reference its subtotal rows.
        self._details()
        self._summary()
        if self.cols.has_actions:
            self._by_action()
        if self.cols.has_years:
            self._by_year()
        self._checks()
        self._provenance()
        self._properties()
        return self.finish()

    def _details_columns(self) -> _DetailsColumns:
        lines = [line for g in self.groups for line in g.lines]
        years = sorted({y for line in lines for y in (line.by_year or {})})
        unsplit = bool(years) and any(not line.by_year for line in lines)
        used: dict[str, None] = {}
        for line in lines:
            used.update(dict.fromkeys(line.action))
        actions: list[str] = []
        if used:
            actions = [a.id for a in self.budget.actions]
            actions += [a for a in used if a not in actions]
        unassigned = bool(actions) and any(not line.action for line in lines)
        return _DetailsColumns(years, unsplit, actions, unassigned)

    # ------------------------------------------------------------------ Details

    def _details(self) -> None:
        t, s, c = self.t, self.styles, self.cols
        rows = self.rows[t.details]
        rows.append([(f"{t.details_title} — {self.budget.project.title}", s.title)])
        header: list[Cell] = [
            (t.item, s.header),
            (t.description, s.header),
            (t.action, s.header),
            (t.amount, s.header_right),
        ]
        header += [(year, s.year_header) for year in c.years]
        if c.unsplit:
            header.append((t.unsplit, s.header_right))
        header += [(f"{t.action} {a}", s.header_right) for a in c.actions]
        if c.unassigned:
            header.append((t.unassigned, s.header_right))
        header.append((t.note, s.header))
        rows.append(header, height=30)
        amount = column_letter(c.AMOUNT)
        computed = [*c.year_col.items(), *c.action_col.items()]
        fig = self.figures
        # Each subtotal column's figures, by item: compute's, never summed here.
        column_figures: dict[int, dict[str, Decimal]] = {c.AMOUNT: fig.items}
        for year, col in c.year_col.items():
            column_figures[col] = fig.by_year.get(year, {})
        for action, col in c.action_col.items():
            column_figures[col] = fig.by_action.get(action, {})
        for i, group in enumerate(self.groups):
            if i:
                rows.append([])
            group.header_row = rows.append(
                [(group.key, s.group), (self.item_label(group.key), s.group)]
                + [(None, s.group)] * (c.last - 2)
            )
            summed = [c.AMOUNT, *(col for _, col in computed)]
            sums = {col: column_figures[col].get(group.key, ZERO) for col in summed}
            for line in group.lines:
                rows.append(self._line_cells(group.key, line, rows.next, amount))
            first, last = group.header_row, rows.next - 1
            subtotal: list[Cell] = [
                (None, s.total_label),
                (t.item_total.format(key=group.key), s.total_label),
            ]
            subtotal += [(None, s.total_label)] * (c.last - 2)
            for col in summed:
                letter = column_letter(col)
                subtotal[col - 1] = (
                    Formula(f"SUM({letter}{first}:{letter}{last})", sums[col]),
                    s.money_total,
                )
            group.subtotals = sums
            group.subtotal_row = rows.append(subtotal)
        for key, lines in self.ignored:
            rows.append([])
            rows.append(
                [(key, s.group), (t.ignored_title.format(key=key), s.group)]
                + [(None, s.group)] * (c.last - 2)
            )
            for line in lines:
                ignored: list[Cell] = [None] * c.last
                ignored[c.ITEM - 1] = (key, s.text)
                ignored[c.DESCRIPTION - 1] = (line.description, s.text)
                ignored[c.AMOUNT - 1] = (line.amount, s.money_ignored)
                ignored[c.note - 1] = (line.note, s.text) if line.note else None
                rows.append(ignored)
        widths = {
            c.ITEM: (6, 12),
            c.DESCRIPTION: (30, 70),
            c.ACTION: (9, 20),
            c.AMOUNT: (self.money_width,) * 2,
        }
        widths.update({col: (self.money_width, self.money_width) for _, col in computed})
        widths[c.note] = (20, 60)
        self.frame(t.details, widths=widths, freeze="A3", title_rows="2:2", landscape=True)

    def _line_cells(self, key: str, line: CostLine, r: int, amount: str) -> list[Cell]:
        """A cost line: its inputs, and the formulas that put its amount in year and action columns."""
        s, c = self.styles, self.cols
        cells: list[Cell] = [None] * c.last
        cells[c.ITEM - 1] = (key, s.text)
        cells[c.DESCRIPTION - 1] = (line.description, s.text_input)
        cells[c.ACTION - 1] = (", ".join(line.action), s.text_input) if line.action else (None, s.text_input)
        cells[c.AMOUNT - 1] = (line.amount, s.money_input)
        ref = f"{amount}{r}"
        if c.has_years:
            if line.by_year:
                for year, value in line.by_year.items():
                    cells[c.year_col[year] - 1] = (value, s.money_input)
            else:
                cells[c.year_col[UNASSIGNED] - 1] = (Formula(ref, line.amount), s.money)
        if c.has_actions:
            actions = line.action or (UNASSIGNED,)
            shares: dict[str, list[int]] = {}
            for i, action in enumerate(actions):
                shares.setdefault(action, []).append(i)
            for action, indices in shares.items():
                cells[c.action_col[action] - 1] = (
                    split_formula(ref, line.amount, len(actions), indices),
                    s.money,
                )
        cells[c.note - 1] = (line.note, s.text_input) if line.note else (None, s.text_input)
        return cells

    # ------------------------------------------------------------------ Summary

    def _summary(self) -> None:
        t, s, fig, p = self.t, self.styles, self.figures, self.budget.project
        rows = self.rows[t.summary]
        title_row = self.banner_and_title(rows, self.result.errors, t.banner, p.title)
        rows.append([])
        call = self.pack.title + (f" ({self.pack.act})" if self.pack.act else "")
        counts = self._counts()
        self.facts(
            rows,
            [
                (t.project, p.title, s.text),
                (t.beneficiary, p.beneficiary or t.missing, s.text),
                (t.cup, p.cup or t.missing, s.text),
                (t.programme_stated, p.programme or t.missing, s.text),
                (t.programme_call, f"{self.pack.programme.label} — {self.pack.programme.regulation}", s.text),
                (t.call, call, s.text),
                (t.call_id, f"{self.pack.id} v{self.pack.version}", s.text),
                (t.start, p.start, s.date),
                (t.end, p.end, s.date),
                (t.duration, p.duration_months or t.missing, s.integer),
                (t.findings, f"{t.counts(*counts)} ({t.see_sheet.format(sheet=t.checks)})", s.text),
            ],
        )
        rows.append([])
        self.header_row(
            rows,
            [
                (t.item, False),
                (t.description, False),
                (t.amount, True),
                (t.share, True),
                (t.rate, True),
                (t.base, True),
            ],
        )
        details = quote(t.details)
        groups = {g.key: g for g in self.groups}
        # The rows as `clustbudget show` prints them: direct items, their subtotal, the flat
        # rates computed on them, the total.
        first_item = rows.next
        item_rows = {key: first_item + i for i, key in enumerate(self.direct_keys)}
        direct_row = first_item + len(self.direct_keys)
        item_rows.update({key: direct_row + 1 + i for i, key in enumerate(self.flat_keys)})
        total_row = direct_row + 1 + len(self.flat_keys)
        # The figures the formulas compute are compute's (the cached results).
        rates = {fr.key: fr for fr in fig.flat_rates}
        share_of = "IF($C${t}=0,0,ROUND(C{r}/$C${t},4))"  # rounded as compute.share: cached = computed
        label_width = fitted_width(rows, 2, LABEL_WIDTH, map(self.item_label, item_rows))

        def share_cell(r: int, value: Decimal, style: Style) -> Cell:
            return (Formula(share_of.format(t=total_row, r=r), share(value, fig.total)), style)

        def item_row(key: str) -> None:
            r = item_rows[key]
            label = self.item_label(key)
            amount = fig.items[key]
            cells: list[Cell] = [(key, s.label), (label, s.wrap)]
            if key in rates:
                fr = rates[key]
                base = ",".join(f"C{item_rows[b]}" for b in fr.base if b in item_rows) or "0"
                cells += [
                    (Formula(f"ROUND(E{r}*F{r},2)", fr.amount), s.money),
                    share_cell(r, fr.amount, s.share),
                    (fr.rate, s.rate_input),
                    (Formula(f"ROUND(SUM({base}),2)", fr.base_amount), s.money),
                ]
            else:
                cells += [
                    (Formula(f"{details}!$D${groups[key].subtotal_row}", amount), s.money),
                    share_cell(r, amount, s.share),
                ]
            appended = rows.append(cells, height=wrapped_height(label, label_width))
            assert appended == r, "the Summary's item rows must be where the formulas expect them"

        for key in self.direct_keys:
            item_row(key)
        direct_refs = ranges("C", [item_rows[k] for k in self.direct_keys]) or "0"
        appended = self.total_row(
            rows,
            t.direct_total,
            [
                (Formula(f"SUM({direct_refs})", fig.direct), s.money_total),
                share_cell(direct_row, fig.direct, s.share_total),
            ],
        )
        assert appended == direct_row, "the direct costs must be where the formulas expect them"
        for key in self.flat_keys:
            item_row(key)
        flat_refs = "".join(f"+C{item_rows[k]}" for k in self.flat_keys)
        appended = self.total_row(
            rows,
            t.total,
            [
                (Formula(f"C{direct_row}{flat_refs}", fig.total), s.money_total),
                share_cell(total_row, fig.total, s.share_total),
            ],
        )
        assert appended == total_row, "the total must be where the formulas expect it"
        rows.append([(t.share_note, s.note)])
        rows.append([])
        self.legend(rows, t.legend_input)
        rows.append([(t.rounding_note, s.note)])
        rows.append([])
        keys = [*self.direct_keys, *self.flat_keys]  # the items, not the subtotal between them
        self.items_chart(
            title=t.chart_title,
            keys=keys,
            item_rows=item_rows,
            series=[ChartSeries("C", [fig.items[k] for k in keys])],
            anchor_row=rows.next,
            width=18,
            legend=False,
            y_title=t.amount,
        )
        names = {"Total": f"$C${total_row}", "DirectCosts": f"$C${direct_row}"}
        for key, r in item_rows.items():
            if NAME_SAFE.fullmatch(key):
                names[f"Item_{key}"] = f"$C${r}"
                if key in rates:
                    names[f"Rate_{key}"] = f"$E${r}"
                    names[f"Base_{key}"] = f"$F${r}"
        self.define_names(names)
        self.frame(
            t.summary,
            widths={
                1: (24, 30),
                2: LABEL_WIDTH,
                3: (self.money_width,) * 2,
                4: (11, 11),
                5: (10, 10),
                6: (self.money_width,) * 2,
            },
            freeze=f"A{title_row + 1}",
        )

    def _counts(self) -> tuple[int, int, int]:
        """How many errors, warnings and info findings the budget has."""
        return counts(self.result.findings)

    # ------------------------------------------------------------------ By action, by year

    def _pivot(
        self,
        name: str,
        title: str,
        first_header: Sequence[str],
        keys: Sequence[tuple[Sequence[Any], int | str]],
        col_of: dict[Any, int],
        buckets: Mapping[Any, Mapping[str, Decimal]],
        notes: Sequence[str],
    ) -> None:
        """A table of item subtotals by action or by year, each cell a reference to Details."""
        s = self.styles
        rows = self.rows[name]
        rows.append([(f"{title} — {self.budget.project.title}", s.title)])
        lead = len(first_header)
        header: list[Cell] = [(h, s.header) for h in first_header]
        header += [(k, s.header_right) for k in self.direct_keys]
        header.append((self.t.direct_total, s.header_right))
        rows.append(header, height=30)
        details = quote(self.t.details)
        first = rows.next
        n = len(self.direct_keys)
        last_item_col = column_letter(lead + n)
        totals_of = split_totals(buckets)
        for leading, bucket in keys:
            r = rows.next
            # A year is a number, aligned as the text labels of the column ("Not split by year").
            # An action's title wraps in its column (never cut at the next cell), the row as tall
            # as it needs.
            cells: list[Cell] = [
                (v, (s.year_label if isinstance(v, int) else s.label) if i == 0 else s.wrap)
                for i, v in enumerate(leading)
            ]
            height = max((wrapped_height(str(v), PIVOT_TITLE_WIDTH) or 0 for v in leading[1:]), default=0)
            col = col_of[bucket]
            letter = column_letter(col)
            figures = buckets.get(bucket, {})
            cells += [
                (Formula(f"{details}!${letter}${g.subtotal_row}", figures.get(g.key, ZERO)), s.money)
                for g in self.groups
            ]
            cells.append(
                (
                    Formula(
                        f"SUM({column_letter(lead + 1)}{r}:{last_item_col}{r})",
                        totals_of.by_bucket.get(bucket, ZERO),
                    ),
                    s.money_total,
                )
            )
            rows.append(cells, height=height or None)
        last = rows.next - 1
        totals: list[Cell] = [(self.t.direct_total, s.total_label)] + [(None, s.total_label)] * (lead - 1)
        column_totals = [totals_of.by_item.get(key, ZERO) for key in self.direct_keys] + [totals_of.total]
        for i, value in enumerate(column_totals):
            letter = column_letter(lead + 1 + i)
            totals.append((Formula(f"SUM({letter}{first}:{letter}{last})", value), s.money_total))
        rows.append(totals)
        rows.append([])
        for key in self.direct_keys:
            rows.append([(key, s.label), (self.item_label(key), s.text)])
        for note in notes:
            rows.append([(note, s.note)])
        widths = {i + 1: (10, PIVOT_TITLE_WIDTH if i else 24) for i in range(lead)}
        widths.update({lead + 1 + i: (self.money_width,) * 2 for i in range(n + 1)})
        self.frame(
            name, widths=widths, freeze=f"{column_letter(lead + 1)}3", title_rows="2:2", landscape=n > 5
        )

    def _by_action(self) -> None:
        t, c = self.t, self.cols
        titles = {a.id: a.title for a in self.budget.actions}
        keys: list[tuple[Sequence[Any], int | str]] = [((a, titles.get(a, t.missing)), a) for a in c.actions]
        if c.unassigned:
            keys.append(((t.unassigned, t.missing), UNASSIGNED))
        notes = [t.split_note]
        if self.flat_keys:
            notes.append(t.flat_rate_note.format(keys=", ".join(self.flat_keys), sheet=t.summary))
        self._pivot(
            t.by_action,
            t.by_action_title,
            (t.action, t.action_title),
            keys,
            c.action_col,
            self.figures.by_action,
            notes,
        )

    def _by_year(self) -> None:
        t, c = self.t, self.cols
        keys: list[tuple[Sequence[Any], int | str]] = [((year,), year) for year in c.years]
        if c.unsplit:
            keys.append(((t.unsplit,), UNASSIGNED))
        notes = []
        if self.flat_keys:
            notes.append(t.flat_rate_note.format(keys=", ".join(self.flat_keys), sheet=t.summary))
        self._pivot(t.by_year, t.by_year_title, (t.year,), keys, c.year_col, self.figures.by_year, notes)

    # ------------------------------------------------------------------ Checks, Provenance

    def _checks(self) -> None:
        self.checks_sheet(self.result.findings)

    def _provenance(self) -> None:
        t, loaded = self.t, self.result.loaded
        sha = loaded.doc.sha256 if loaded.doc is not None else t.missing
        self.provenance_sheet([SourceFile(t.source_file, loaded.path.name, sha)], [])

    def _properties(self) -> None:
        t, pack = self.t, self.pack
        sha = self.result.loaded.doc.sha256 if self.result.loaded.doc is not None else "—"
        self.properties(
            title=self.budget.project.title,
            subject=t.doc_subject.format(call=f"{pack.title} ({pack.id} v{pack.version})"),
            description=t.doc_description.format(
                version=__version__, source=self.result.loaded.path.name, sha256=sha
            ),
            keywords=f"clustbudget, budget, {pack.id}, {pack.programme.label}",
        )
