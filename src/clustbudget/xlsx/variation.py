"""The variation workbook: a budget variation request shaped like the Region's form.

The Region's platform (Sfinge 2020, ``VariazioneVocePianoCosto``) records a variation of the
cost plan per cost item × year: the approved cost ("costo ammesso"), the amount the
beneficiary asks for ("importo variato"), a note each; its printed form has one table per year
("piano costi anno …") and an overall one ("complessivo"). This workbook lays out
:func:`clustbudget.variations.compare`'s figures the same way:

- Variation (Variazione): the project, the variation (id, requested and approval dates, act,
  note), the two files, the call's tolerance; then per item the approved cost and the
  requested amount (inputs), the difference ``requested − approved``, its share of the item
  (``ROUND(difference ÷ approved, 4)``, "—" when the item had 0) and of the approved total,
  and — when the call pack sets the tolerance — what is tolerated without approval and what
  is beyond it; the flat rate E as ``ROUND(rate × base, 2)`` on each version's direct costs
  (never shifted by hand); direct costs and the total by ``SUM``.
- By year (Per anno) and By action (Per azione), when a version splits its lines so: one table
  per year (per action) of the direct items, and an overall table that sums them.
- Checks (Controlli): the findings of both versions; Provenance (Provenienza): both files.

The budget has no partners (a Clust-ER association is one beneficiary): the platform's per
partner split has no counterpart here. Every figure is compute's, cached in its formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import __version__
from ..compute import UNASSIGNED
from ..models import VariationRules
from ..money import ZERO, fmt_eur
from ..pipeline import VariationResult
from ..variations import TOTAL, Comparison, Shift, beyond_tolerance, is_set, tolerated
from .labels import Labels, VariationLabels, labels, variation_labels
from .layout import Places, fitted_width, row_height, wrapped_height
from .package import Package
from .sheetxml import Cell, Formula, Rows, column_letter
from .styles import Styles
from .workbook import SourceFile, Workbook

LABEL_WIDTH = (30, 46)
"""The cost item's label column (minimum, maximum width): longer labels wrap."""
NOTE_WIDTH = 40
"""The note column: notes wrap in it."""


def build(result: VariationResult, lang: str = "it", *, generated: datetime | None = None) -> Package:
    """Lay out the variation workbook of ``result`` (``clustbudget variation OLD NEW``) in ``lang``."""
    if result.comparison is None or result.new.pack is None or result.new.budget is None:
        raise ValueError("the two versions cannot be compared: nothing to export")
    generated = generated or datetime.now().astimezone()
    return _Variation(result, labels(lang), variation_labels(lang), generated).package()


class _Variation(Workbook[Styles]):
    """The variation request's workbook; the per-year and per-action sheets when the budget
    splits its lines so."""

    def __init__(self, result: VariationResult, t: Labels, vt: VariationLabels, generated: datetime) -> None:
        assert result.comparison is not None and result.new.pack is not None and result.new.budget is not None
        self.result, self.vt = result, vt
        self.cmp: Comparison = result.comparison
        self.model = result.new.budget
        pack = result.new.pack
        self.rules: VariationRules = pack.variations
        self.checked = is_set(self.rules)
        self.flat = set(pack.flat_rate_items)
        v = self.model.variation
        self.vid = v.id if v is not None else Path(result.new.loaded.display).name
        self.notes: dict[str, str] = dict(v.notes) if v is not None else {}
        largest = max([self.cmp.total.approved, self.cmp.total.new, *(abs(r.shift) for r in self.cmp.items)])
        self.money_width = max(14, len(fmt_eur(largest, "it")) + 4)
        sheet_names = [vt.summary]
        if self.cmp.by_year:
            sheet_names.append(t.by_year)
        if self.cmp.by_action:
            sheet_names.append(t.by_action)
        sheet_names += [t.checks, t.provenance]
        known = [(b.loaded.display, b.loaded.path) for b in (result.old, result.new)]
        known.append((result.new.pack_display, Path(result.new.pack_display)))
        super().__init__(
            t=t,
            pack=pack,
            pack_display=result.new.pack_display,
            sheet_names=sheet_names,
            styles=lambda sheet: Styles(sheet, date_format="dd/mm/yyyy" if t.lang == "it" else "yyyy-mm-dd"),
            places=Places(result.new.loaded.path, known),
            page_title=f"{self.model.project.title} — {vt.variation} {self.vid}",
            generated=generated,
        )
        old_fig, new_fig = result.old.figures, result.new.figures
        assert old_fig is not None and new_fig is not None
        self.direct = (old_fig.direct, new_fig.direct)
        """Each version's direct costs (compute's), the cached sums of the direct rows."""
        self.share_cell: str | None = None
        self.amount_cell: str | None = None

    def package(self) -> Package:
        self._summary()
        if self.cmp.by_year:
            self._split(
                self.t.by_year,
                self.cmp.by_year,
                lambda k: self.vt.unsplit_title if k == UNASSIGNED else self.vt.year_title.format(year=k),
                lambda k: self.vt.unsplit_total if k == UNASSIGNED else self.vt.year_total.format(year=k),
                self.t.year,
                lambda k: self.t.unsplit if k == UNASSIGNED else k,
            )
        if self.cmp.by_action:
            titles = {a.id: a.title for a in self.model.actions}
            self._split(
                self.t.by_action,
                self.cmp.by_action,
                lambda k: (
                    self.vt.unassigned_title
                    if k == UNASSIGNED
                    else self.vt.action_title.format(action=k, title=titles.get(str(k), self.t.missing))
                ),
                lambda k: (
                    self.vt.unassigned_total if k == UNASSIGNED else self.vt.action_total.format(action=k)
                ),
                self.t.action,
                lambda k: self.t.unassigned if k == UNASSIGNED else str(k),
            )
        self.checks_sheet(self.result.findings)
        self._provenance()
        self._properties()
        return self.finish()

    # ------------------------------------------------------------------ the header

    def _state(self) -> str:
        vt, v = self.vt, self.model.variation
        if v is None:
            return vt.not_a_revision
        if v.approved is None:
            text = vt.state_pending.format(requested=self.date_text(v.requested))
        else:
            text = vt.state_approved.format(
                requested=self.date_text(v.requested), approved=self.date_text(v.approved)
            )
        return text + (vt.state_act.format(act=v.act) if v.act else "")

    def _header(self, rows: Rows) -> int:
        """The banner, the title and the facts of the request; returns the title's row."""
        t, vt, s = self.t, self.vt, self.s
        p, pack, v = self.model.project, self.pack, self.model.variation
        errors = self.result.errors
        title_row = self.banner_and_title(
            rows, errors, vt.banner, vt.title.format(vid=self.vid, project=p.title)
        )
        rows.append([])
        call = pack.title + (f" ({pack.act})" if pack.act else "")
        self.facts(
            rows,
            [
                (t.project, p.title, s.text),
                (t.beneficiary, p.beneficiary or t.missing, s.text),
                (t.cup, p.cup or t.missing, s.text),
                (t.call, call, s.text),
                (t.call_id, f"{pack.id} v{pack.version}", s.text),
                (vt.variation, self.vid, s.text),
                (vt.state, self._state(), s.text),
                (vt.general_note, (v.note if v is not None else None) or t.missing, s.wrap),
                (vt.old_file, self.places.path(self.result.old.loaded.display), s.text),
                (vt.new_file, self.places.path(self.result.new.loaded.display), s.text),
            ],
        )
        rules = self.rules
        if not self.checked:
            rows.append([(vt.tolerance, s.label), (vt.not_checked_note, s.text)])
            return title_row
        if rules.share is not None:
            basis = vt.basis_item if rules.basis == "item" else vt.basis_total
            r = rows.append([(vt.tolerated_share.format(basis=basis), s.label), (rules.share, s.rate_input)])
            self.share_cell = f"$B${r}"
        if rules.amount is not None:
            r = rows.append([(vt.tolerated_amount, s.label), (rules.amount, s.money_input)])
            self.amount_cell = f"$B${r}"
        if rules.share is not None and rules.amount is not None:
            words = vt.combine_either if rules.combine == "either" else vt.combine_both
            rows.append([(vt.combine, s.label), (words, s.text)])
        return title_row

    # ------------------------------------------------------------------ Variation

    def _summary(self) -> None:
        t, vt, s = self.t, self.vt, self.s
        name = vt.summary
        rows = self.rows[name]
        title_row = self._header(rows)
        rows.append([])
        rows.append([(vt.overall_title, s.label)])
        # Columns: item, label, approved, requested, difference, % item, % total, [tolerated,
        # beyond], rate, note.
        C_APP, C_NEW, C_DIFF, C_ITEM, C_TOT = 3, 4, 5, 6, 7
        C_TOL, C_BEY = (8, 9) if self.checked else (0, 0)
        C_RATE = 10 if self.checked else 8
        C_NOTE = C_RATE + 1
        A, N, DF, TL, RT = (column_letter(c) for c in (C_APP, C_NEW, C_DIFF, C_TOL or 1, C_RATE))
        header: list[tuple[Any, bool]] = [
            (t.item, False),
            (vt.cost_item, False),
            (vt.approved, True),
            (vt.requested, True),
            (vt.difference, True),
            (vt.of_item, True),
            (vt.of_total, True),
        ]
        if self.checked:
            header += [(vt.tolerated, True), (vt.beyond, True)]
        header += [(t.rate, True), (vt.note, False)]
        self.header_row(rows, header, height=45)

        items = self.cmp.items[:-1]
        direct = [row for row in items if row.key not in self.flat]
        flats = [row for row in items if row.key in self.flat]
        first = rows.next
        item_rows = {row.key: first + i for i, row in enumerate(direct)}
        direct_row = first + len(direct)
        item_rows.update({row.key: direct_row + 1 + i for i, row in enumerate(flats)})
        total_row = direct_row + 1 + len(flats)
        label_width = fitted_width(rows, 2, LABEL_WIDTH, (self.item_label(r.key) for r in items))
        rate_of = {
            fr.key: fr.rate for fr in (self.result.new.figures.flat_rates if self.result.new.figures else [])
        }

        def shares(r: int, row: Shift, style: Any) -> list[Cell]:
            of_item: Cell = (
                Formula(f'IF({A}{r}=0,"{self.t.missing}",ROUND({DF}{r}/{A}{r},4))', self.t.missing),
                s.text,
            )
            if row.share_of_item is not None:
                of_item = (
                    Formula(f'IF({A}{r}=0,"{self.t.missing}",ROUND({DF}{r}/{A}{r},4))', row.share_of_item),
                    style,
                )
            return [
                of_item,
                (
                    Formula(
                        f"IF(${A}${total_row}=0,0,ROUND({DF}{r}/${A}${total_row},4))", row.share_of_total
                    ),
                    style,
                ),
            ]

        def tolerance(r: int, row: Shift) -> list[Cell]:
            if not self.checked:
                return []
            limit = tolerated(self.rules, row)
            assert limit is not None
            base = f"{A}{r}" if self.rules.basis == "item" else f"${A}${total_row}"
            terms = []
            if self.share_cell:
                terms.append(f"ROUND({self.share_cell}*{base},2)")
            if self.amount_cell:
                terms.append(self.amount_cell)
            joined = (
                terms[0]
                if len(terms) == 1
                else f"{'MAX' if self.rules.combine == 'either' else 'MIN'}({','.join(terms)})"
            )
            return [
                (Formula(joined, limit), s.money),
                (
                    Formula(f"IF({DF}{r}<=0,0,MAX({DF}{r}-{TL}{r},0))", beyond_tolerance(self.rules, row)),
                    s.money,
                ),
            ]

        def note(key: str) -> Cell:
            return (self.notes.get(key), s.wrap)

        def item_row(row: Shift) -> None:
            r = item_rows[row.key]
            label = self.item_label(row.key)
            cells: list[Cell] = [(row.key, s.label), (label, s.wrap)]
            rate: Cell = (None, s.text)
            if row.key in self.flat:
                bases = [b for b in self.pack.items[row.key].base or [] if b in item_rows]
                for col in (A, N):
                    refs = ",".join(f"{col}{item_rows[b]}" for b in bases) or "0"
                    value = row.approved if col == A else row.new
                    cells.append((Formula(f"ROUND({RT}{r}*ROUND(SUM({refs}),2),2)", value), s.money))
                rate = (rate_of.get(row.key, ZERO), s.rate_input)
            else:
                cells += [(row.approved, s.money_input), (row.new, s.money_input)]
            cells.append((Formula(f"{N}{r}-{A}{r}", row.shift), s.money))
            cells += shares(r, row, s.share)
            cells += tolerance(r, row)
            cells += [rate, note(row.key)]
            height = row_height([(label, label_width), (self.notes.get(row.key), NOTE_WIDTH)])
            appended = rows.append(cells, height=height)
            assert appended == r, "the item rows must be where the formulas expect them"

        for row in direct:
            item_row(row)
        approved_direct, new_direct = self.direct
        refs = [item_rows[row.key] for row in direct]

        def direct_sum(col: str, value: Decimal) -> Cell:
            return (Formula(f"SUM({col}{refs[0]}:{col}{refs[-1]})", value) if refs else 0, s.money_total)

        r = self.total_row(
            rows,
            t.direct_total,
            [
                direct_sum(A, approved_direct),
                direct_sum(N, new_direct),
                (Formula(f"{N}{direct_row}-{A}{direct_row}", new_direct - approved_direct), s.money_total),
            ],
        )
        assert r == direct_row
        for row in flats:
            item_row(row)
        total = self.cmp.total
        terms = lambda col: "+".join([f"{col}{direct_row}", *(f"{col}{item_rows[f.key]}" for f in flats)])  # noqa: E731
        tail: list[Cell] = [
            (Formula(terms(A), total.approved), s.money_total),
            (Formula(terms(N), total.new), s.money_total),
            (Formula(f"{N}{total_row}-{A}{total_row}", total.shift), s.money_total),
            *shares(total_row, total, s.share_total),
        ]
        assert self.total_row(rows, t.total, tail) == total_row
        rows.append([])
        self.legend(rows, vt.legend_input)
        if flats:
            rows.append([(vt.flat_rate_note.format(keys=", ".join(f.key for f in flats)), s.note)])
        rows.append([(t.rounding_note, s.note)])
        m = (self.money_width,) * 2
        widths: dict[int, tuple[float, float]] = {
            1: (24, 30),
            2: LABEL_WIDTH,
            C_APP: m,
            C_NEW: m,
            C_DIFF: m,
            C_ITEM: (11, 11),
            C_TOT: (11, 11),
            C_RATE: (9, 9),
            C_NOTE: (NOTE_WIDTH, NOTE_WIDTH),
        }
        if self.checked:
            widths.update({C_TOL: m, C_BEY: m})
        self.frame(name, widths=widths, freeze=f"A{title_row + 1}", landscape=True)

    # ------------------------------------------------------------------ By year, by action

    def _split(
        self,
        name: str,
        split: dict[Any, list[Shift]],
        title_of: Any,
        total_of: Any,
        key_header: str,
        key_cell: Any,
    ) -> None:
        """One table per year (or action), as the Region's form prints one per year, then the
        overall table that sums them."""
        t, vt, s = self.t, self.vt, self.s
        rows = self.rows[name]
        rows.append(
            [(f"{name} — {vt.title.format(vid=self.vid, project=self.model.project.title)}", s.title)]
        )
        labels = [self.item_label(row.key) for rs in split.values() for row in rs if row.key != TOTAL]
        label_width = fitted_width(rows, 2, LABEL_WIDTH, labels)
        totals: list[tuple[Any, int, Shift]] = []
        for key, shifts in split.items():
            rows.append([])
            title = title_of(key)
            rows.append(
                [(title, s.group), *((None, s.group) for _ in range(5))],
                height=wrapped_height(title, label_width + 24),
            )
            self.header_row(
                rows,
                [
                    (t.item, False),
                    (vt.cost_item, False),
                    (vt.approved, True),
                    (vt.requested, True),
                    (vt.difference, True),
                    (vt.note, False),
                ],
                height=30,
            )
            first = rows.next
            for row in shifts[:-1]:
                r = rows.next
                label = self.item_label(row.key)
                note = self.notes.get(row.key) if row.shift else None  # where the item moves
                rows.append(
                    [
                        (row.key, s.label),
                        (label, s.wrap),
                        (row.approved, s.money_input),
                        (row.new, s.money_input),
                        (Formula(f"D{r}-C{r}", row.shift), s.money),
                        (note, s.wrap),
                    ],
                    height=row_height([(label, label_width), (note, NOTE_WIDTH)]),
                )
            last = rows.next - 1
            whole = shifts[-1]
            sums: list[Cell] = [
                (Formula(f"SUM(C{first}:C{last})", whole.approved) if last >= first else 0, s.money_total),
                (Formula(f"SUM(D{first}:D{last})", whole.new) if last >= first else 0, s.money_total),
                (Formula(f"D{rows.next}-C{rows.next}", whole.shift), s.money_total),
            ]
            totals.append((key, self.total_row(rows, total_of(key), sums), whole))
        # The overall table: each year's (action's) total, and their sum.
        rows.append([])
        rows.append([(vt.overall, s.group), *((None, s.group) for _ in range(5))])
        self.header_row(
            rows,
            [
                (key_header, False),
                (None, False),
                (vt.approved, True),
                (vt.requested, True),
                (vt.difference, True),
            ],
            height=30,
        )
        first = rows.next
        for key, at, whole in totals:
            value = key_cell(key)
            r = rows.next
            rows.append(
                [
                    (value, s.year_label if isinstance(value, int) else s.label),
                    (None, s.text),
                    (Formula(f"C{at}", whole.approved), s.money),
                    (Formula(f"D{at}", whole.new), s.money),
                    (Formula(f"D{r}-C{r}", whole.shift), s.money),
                ]
            )
        last = rows.next - 1
        approved, new = self.direct
        r = rows.next
        self.total_row(
            rows,
            t.direct_total,
            [
                (Formula(f"SUM(C{first}:C{last})", approved), s.money_total),
                (Formula(f"SUM(D{first}:D{last})", new), s.money_total),
                (Formula(f"D{r}-C{r}", new - approved), s.money_total),
            ],
        )
        rows.append([])
        rows.append([(vt.split_note, s.note)])
        m = (self.money_width,) * 2
        self.frame(
            name,
            widths={1: (14, 22), 2: LABEL_WIDTH, 3: m, 4: m, 5: m, 6: (NOTE_WIDTH, NOTE_WIDTH)},
            freeze="A2",
            landscape=True,
        )

    # ------------------------------------------------------------------ Provenance, properties

    def _sources(self) -> Sequence[tuple[str, Any]]:
        return [(self.vt.old_label, self.result.old.loaded), (self.vt.new_label, self.result.new.loaded)]

    def _provenance(self) -> None:
        t, vt, s = self.t, self.vt, self.s
        files = [
            SourceFile(
                label, self.places.path(loaded.display), loaded.doc.sha256 if loaded.doc else t.missing
            )
            for label, loaded in self._sources()
        ]
        self.provenance_sheet(files, [(vt.variation, self.vid, s.text), (vt.state, self._state(), s.text)])

    def _properties(self) -> None:
        vt, pack = self.vt, self.pack
        self.properties(
            title=vt.title.format(vid=self.vid, project=self.model.project.title),
            subject=vt.doc_subject.format(vid=self.vid, call=f"{pack.title} ({pack.id} v{pack.version})"),
            description=vt.doc_description.format(
                version=__version__,
                sources="; ".join(
                    f"{loaded.path.name} (SHA-256 {loaded.doc.sha256 if loaded.doc else '—'})"
                    for _, loaded in self._sources()
                ),
            ),
            keywords=f"clustbudget, variazione, {pack.id}, {self.vid}",
        )
