"""The workbook's words: written here in English, translated by the catalogue (context ``workbook``).

Item labels come from the call pack (``CallPack.label``); everything else a reader sees in
the workbook is here. ``ENGLISH`` and ``REPORT_ENGLISH`` are the msgids (extracted by
:mod:`clustbudget.i18n.extract`); ``labels("it")`` fills the same fields from
``i18n/locale/it/LC_MESSAGES/clustbudget.po``, so a new language is a new catalogue.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, TypeVar

from ..findings import Severity
from ..i18n import LANGS, gettext, nmsg, pgettext
from ..records import dataclass

CONTEXT = "workbook"
"""The gettext context of every workbook label: a sheet's word may differ from the terminal's."""


@dataclass(frozen=True)
class Labels:
    """Every fixed text of the budget workbook, in one language."""

    lang: str
    # sheet names (at most 31 characters, none of []:*?/\)
    summary: str
    details: str
    by_action: str
    by_year: str
    checks: str
    provenance: str
    # Summary: project header
    project: str
    beneficiary: str
    cup: str
    programme_stated: str
    programme_call: str
    call: str
    call_id: str
    start: str
    end: str
    duration: str
    findings: str
    see_sheet: str
    missing: str
    # Summary: the items table
    item: str
    description: str
    amount: str
    share: str
    rate: str
    base: str
    direct_total: str
    total: str
    not_in_call: str
    chart_title: str
    legend: str
    legend_input: str
    legend_computed: str
    rounding_note: str
    share_note: str
    banner: str
    banner_more: str
    # Details
    details_title: str
    action: str
    note: str
    unsplit: str
    unassigned: str
    item_total: str
    ignored_title: str
    # By action / by year
    by_action_title: str
    by_year_title: str
    action_title: str
    year: str
    split_note: str
    flat_rate_note: str
    # Checks
    checks_title: str
    code: str
    severity: str
    message: str
    citation: str
    location: str
    related: str
    no_findings: str
    # Provenance
    provenance_title: str
    field: str
    value: str
    source_file: str
    sha256: str
    tool_version: str
    pack_id: str
    pack_version: str
    pack_title: str
    pack_act: str
    pack_file: str
    generated: str
    language: str
    rounding: str
    rounding_rule: str
    # print set-up
    page: str
    # document properties
    doc_subject: str
    doc_description: str

    def severity_name(self, severity: Severity) -> str:
        from ..output.words import SEVERITY_WORDS

        return gettext(SEVERITY_WORDS[str(severity)], self.lang)

    def counts(self, errors: int, warnings: int, infos: int) -> str:
        """``0 errori, 2 avvisi, 1 informazione`` / ``0 errors, 2 warnings, 1 info``."""
        parts = (
            nmsg("{n} error", "{n} errors", errors),
            nmsg("{n} warning", "{n} warnings", warnings),
            nmsg("{n} info", "{n} info", infos),
        )
        return ", ".join(p.render(self.lang) for p in parts)


ENGLISH = Labels(
    lang="en",
    summary="Summary",
    details="Details",
    by_action="By action",
    by_year="By year",
    checks="Checks",
    provenance="Provenance",
    project="Project",
    beneficiary="Beneficiary",
    cup="CUP (project code)",
    programme_stated="Programme (as stated)",
    programme_call="Programme of the call",
    call="Call",
    call_id="Call pack",
    start="Start",
    end="End",
    duration="Stated duration (months)",
    findings="Checks",
    see_sheet="see the {sheet} sheet",
    missing="—",
    item="Item",
    description="Description",
    amount="Amount (€)",
    share="Share of total",
    rate="Rate",
    base="Base (€)",
    direct_total="Direct costs",
    total="Project total",
    not_in_call="item not defined by the call",
    chart_title="Breakdown by item",
    legend="Legend",
    legend_input="Input (from the budget file or the call): editable",
    legend_computed="Computed by a formula: locked (the sheet protection has no password and can be lifted)",
    rounding_note="Rounding: to the cent, half-up (ROUND(…,2))",
    share_note="Shares are rounded to 0.01%; they may not add up to 100%.",
    banner="WARNING: this budget has {n} {errors} (see the {sheet} sheet). "
    "Exported with --allow-errors: do not submit it until they are fixed.",
    banner_more="… and {n} more",
    details_title="Cost details",
    action="Action",
    note="Note",
    unsplit="Not split by year",
    unassigned="No action",
    item_total="Total {key}",
    ignored_title="Lines not counted: {key} is computed from the call, never typed in",
    by_action_title="Direct costs by action",
    by_year_title="Direct costs by year",
    action_title="Title",
    year="Year",
    split_note=(
        "Lines assigned to several actions are split equally to the cent; "
        "the cents left over go to the line's first actions."
    ),
    flat_rate_note="Flat-rate items ({keys}) are computed on the total: see the {sheet} sheet.",
    checks_title="Checks (clustbudget validate)",
    code="Code",
    severity="Severity",
    message="Message",
    citation="Reference",
    location="Location (file:line:column)",
    related="See also",
    no_findings="No findings.",
    provenance_title="Provenance",
    field="Field",
    value="Value",
    source_file="Budget file",
    sha256="SHA-256 of the file",
    tool_version="clustbudget version",
    pack_id="Call pack",
    pack_version="Call pack version",
    pack_title="Call title",
    pack_act="Act",
    pack_file="Call pack file",
    generated="Generated",
    language="Language",
    rounding="Rounding",
    rounding_rule="To the cent, half-up (ROUND_HALF_UP); E = ROUND(rate × base, 2)",
    page="Page &P of &N",
    doc_subject="Project budget — {call}",
    doc_description="Generated by clustbudget {version} from {source} (SHA-256 {sha256}).",
)


def labels(lang: str) -> Labels:
    """The workbook's texts in ``lang`` (``it`` or ``en``)."""
    return _labels(lang)


@functools.cache
def _labels(lang: str) -> Labels:
    texts: Labels = _translated(ENGLISH, lang)
    return texts


# ============================================================================ the rendiconto


@dataclass(frozen=True)
class ReportLabels:
    """The rendiconto workbook's own texts; the rest (Checks, Provenance, legend) is :class:`Labels`."""

    lang: str
    # sheet names
    staff: str
    expenses: str
    # Summary
    title: str
    period: str
    period_dates: str
    report_file: str
    budget_in_force: str
    version_variation: str
    version_act: str
    version_original: str
    version_header: str
    version_header_original: str
    budget_col: str
    earlier_col: str
    previous_col: str
    this_period_col: str
    cumulative_col: str
    remaining_col: str
    used_col: str
    over_budget: str
    """In the "% used" cell of an item with no budget and money spent (no share to show)."""
    period_base_col: str
    previous_note: str
    no_previous_note: str
    flat_rate_note: str
    sums_note: str
    contribution_rate: str
    grant_cap: str
    no_cap: str
    contribution_due: str
    contribution_unknown: str
    banner: str
    legend_input: str
    chart_title: str
    # Staff
    staff_title: str
    person_id: str
    name: str
    annual_cost: str
    cost_year: str
    hours_basis: str
    hourly_rate: str
    hours_total: str
    cost: str
    not_accepted: str
    accepted: str
    findings_col: str
    findings_explained: str
    sheet_total: str
    no_staff: str
    months: tuple[str, ...]
    # Expenses
    expenses_title: str
    number: str
    date: str
    supplier: str
    supplier_vat: str
    document: str
    amount: str
    vat: str
    vat_eligible: str
    share: str
    eligible: str
    paid: str
    payment: str
    payment_ref: str
    note: str
    vat_recoverable: str
    flag_format: str
    visible_total: str
    no_expenses: str
    # Expenses: what a line says beyond its columns (issue 8)
    kept_on_record: str
    invoice_parts: str
    payments_note: str
    approved_line: str
    review: str
    review_fact: str
    payment_methods: dict[str, str]
    # Provenance
    budget_file: str
    report_of: str
    unreadable_report: str
    period_selected: str
    # document properties
    doc_subject: str
    doc_description: str

    def month(self, month: str) -> str:
        """A ``YYYY-MM`` month as a column header: ``ott 2020`` / ``Oct 2020``."""
        year, number = month.split("-")
        return f"{self.months[int(number) - 1]} {year}"


REPORT_ENGLISH = ReportLabels(
    lang="en",
    staff="Staff",
    expenses="Expenses",
    title="Cost statement {period} — {project}",
    period="Period",
    period_dates="{start} to {end}",
    report_file="Report file",
    budget_in_force="Budget in force",
    version_variation="variation {vid}, approved on {approved}{act} ({file})",
    version_act=", {act}",
    version_original="the original budget ({file}): no variation approved by {end}",
    version_header="Budget: variation {vid}{act}",
    version_header_original="Budget: original",
    budget_col="Budget (€)",
    earlier_col="{period}: accepted (€)",
    previous_col="Earlier periods (€)",
    this_period_col="{period}: accepted (€)",
    cumulative_col="Cumulative (€)",
    remaining_col="Remaining (€)",
    used_col="% used",
    over_budget="over budget",
    period_base_col="Period base (€)",
    previous_note=(
        "Earlier periods: the amounts accepted in {periods}, taken from their reports "
        "(inputs; see the {sheet} sheet)."
    ),
    no_previous_note="Earlier periods: none, {period} is the first report.",
    flat_rate_note=(
        "Flat-rate items ({keys}) are recomputed on the period's accepted direct costs, "
        "never carried over from the budget."
    ),
    sums_note="Accepted in the period: the 'Accepted' column of the {staff} and {expenses} sheets, by item.",
    contribution_rate="Contribution rate",
    grant_cap="Grant cap",
    no_cap="no cap",
    contribution_due="Contribution due (on the cumulative accepted costs)",
    contribution_unknown="Contribution due: not computed (contribution rate unknown for this call)",
    banner="WARNING: the budget and reports have {n} {errors} (see the {sheet} sheet). "
    "Exported with --allow-errors: do not submit it until they are fixed.",
    legend_input="Input (from the budget and report files, or the call): editable",
    chart_title="Budget and cumulative accepted, by item",
    staff_title="Staff — {period}",
    person_id="ID",
    name="Name",
    annual_cost="Annual gross cost (€)",
    cost_year="Cost year",
    hours_basis="Hours per year (basis)",
    hourly_rate="Hourly rate (€)",
    hours_total="Total hours",
    cost="Cost (€)",
    not_accepted="Not accepted (€)",
    accepted="Accepted (€)",
    findings_col="Findings",
    findings_explained="Findings explained",
    sheet_total="Total",
    no_staff="No staff costs in the period.",
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    expenses_title="Expenses — {period}",
    number="No.",
    date="Date",
    supplier="Supplier",
    supplier_vat="VAT number",
    document="Document",
    amount="Taxable amount (€)",
    vat="VAT (€)",
    vat_eligible="Eligible VAT (€)",
    share="Eligible share",
    eligible="Eligible (€)",
    paid="Paid on",
    payment="Payment",
    payment_ref="Payment reference",
    note="Note",
    vat_recoverable="VAT recoverable by the beneficiary (from the budget; 1 = yes, 0 = no): if yes, VAT is not eligible",
    flag_format='"yes";"yes";"no"',
    visible_total="Total of the visible rows (with the filter)",
    no_expenses="No expenses in the period.",
    kept_on_record="NOT CLAIMED (excluded): {reason}",
    invoice_parts="Part of an invoice of {whole}; other parts: {parts}",
    payments_note="Payments: {payments}",
    approved_line="Approved on review: {amount}",
    review="Review",
    review_fact="{date}: requested {requested}, approved {approved}, cut {cut}",
    payment_methods={
        "bank_transfer": "bank transfer",
        "card": "card",
        "pagopa": "pagoPA",
        "direct_debit": "direct debit",
        "other_traceable": "other traceable",
        "cash": "cash",
    },
    budget_file="Budget file",
    report_of="Report {period}",
    unreadable_report="Unreadable report",
    period_selected="Period of the statement",
    doc_subject="Cost statement {period} — {call}",
    doc_description="Generated by clustbudget {version} from {sources}.",
)


def report_labels(lang: str) -> ReportLabels:
    """The rendiconto's own texts in ``lang`` (``it`` or ``en``)."""
    return _report_labels(lang)


@functools.cache
def _report_labels(lang: str) -> ReportLabels:
    texts: ReportLabels = _translated(REPORT_ENGLISH, lang)
    return texts


# ============================================================================ the variation


@dataclass(frozen=True)
class VariationLabels:
    """The variation workbook's own texts (the form the Region's platform fills per cost item
    and year); the rest (Checks, Provenance, legend, By year / By action names) is :class:`Labels`."""

    lang: str
    # sheet name
    summary: str
    # the header
    title: str
    variation: str
    state: str
    state_pending: str
    state_approved: str
    state_act: str
    not_a_revision: str
    general_note: str
    old_file: str
    new_file: str
    tolerance: str
    tolerated_share: str
    basis_item: str
    basis_total: str
    tolerated_amount: str
    combine: str
    combine_either: str
    combine_both: str
    # the tables
    overall_title: str
    cost_item: str
    approved: str
    requested: str
    difference: str
    of_item: str
    of_total: str
    tolerated: str
    beyond: str
    note: str
    year_title: str
    unsplit_title: str
    year_total: str
    unsplit_total: str
    action_title: str
    unassigned_title: str
    action_total: str
    unassigned_total: str
    overall: str
    flat_rate_note: str
    split_note: str
    not_checked_note: str
    legend_input: str
    banner: str
    # Provenance
    old_label: str
    new_label: str
    # document properties
    doc_subject: str
    doc_description: str


VARIATION_ENGLISH = VariationLabels(
    lang="en",
    summary="Variation",
    title="Budget variation {vid} — {project}",
    variation="Variation",
    state="State",
    state_pending="requested on {requested}, pending approval",
    state_approved="requested on {requested}, approved on {approved}",
    state_act=" ({act})",
    not_a_revision="not yet recorded as a variation (no revises: naming the approved version)",
    general_note="Note",
    old_file="Approved version (file)",
    new_file="New version (file)",
    tolerance="Tolerated without approval",
    tolerated_share="Tolerated share ({basis})",
    basis_item="of the item's approved cost",
    basis_total="of the approved total",
    tolerated_amount="Tolerated amount (€)",
    combine="With share and amount",
    combine_either="within either (the larger)",
    combine_both="within both (the smaller)",
    overall_title="Cost plan — overall",
    cost_item="Cost item",
    approved="Approved cost (€)",
    requested="Requested amount (€)",
    difference="Difference (€)",
    of_item="% of the item",
    of_total="% of the total",
    tolerated="Tolerated without approval (€)",
    beyond="Beyond the tolerance (€)",
    note="Note",
    year_title="Cost plan — year {year}",
    unsplit_title="Cost plan — not split by year",
    year_total="Total year {year}",
    unsplit_total="Total not split by year",
    action_title="Action {action} — {title}",
    unassigned_title="No action",
    action_total="Total action {action}",
    unassigned_total="Total with no action",
    overall="Overall",
    flat_rate_note=(
        "{keys}: computed on each version's direct costs (ROUND(rate × base, 2)), never shifted by hand."
    ),
    split_note=(
        "Direct costs only (the flat rate is not split); lines assigned to several actions are split "
        "equally to the cent."
    ),
    not_checked_note="The shift tolerated without approval is unknown for this call: not checked.",
    legend_input="Input (from the two budget files, or the call): editable",
    banner="WARNING: the two versions have {n} {errors} (see the {sheet} sheet): "
    "fix them before submitting the request.",
    old_label="Approved version",
    new_label="New version",
    doc_subject="Budget variation {vid} — {call}",
    doc_description="Generated by clustbudget {version} from {sources}.",
)


def variation_labels(lang: str) -> VariationLabels:
    """The variation workbook's own texts in ``lang`` (``it`` or ``en``)."""
    return _variation_labels(lang)


@functools.cache
def _variation_labels(lang: str) -> VariationLabels:
    texts: VariationLabels = _translated(VARIATION_ENGLISH, lang)
    return texts


_T = TypeVar("_T", Labels, ReportLabels, VariationLabels)


def _translated(english: _T, lang: str) -> _T:
    """``english`` with every text (tuples and dict values too) from the catalogue of ``lang``."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use 'it' or 'en'")
    if lang == "en":
        return english

    def tr(value: Any) -> Any:
        if isinstance(value, str):
            return pgettext(CONTEXT, value, lang) if value else value
        if isinstance(value, tuple):
            return tuple(tr(v) for v in value)
        if isinstance(value, dict):
            return {k: tr(v) for k, v in value.items()}
        return value

    changes = {f.name: tr(getattr(english, f.name)) for f in dataclasses.fields(english) if f.name != "lang"}
    return dataclasses.replace(english, lang=lang, **changes)
