"""The workbook's words, in Italian (for the Region) and English.

Item labels come from the call pack (``CallPack.label``); everything else a reader sees in
the workbook is here, so a translation or a wording change is one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Severity


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
    source_path: str
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
        if self.lang == "it":
            return {Severity.ERROR: "errore", Severity.WARNING: "avviso", Severity.INFO: "info"}[severity]
        return str(severity)

    def counts(self, errors: int, warnings: int, infos: int) -> str:
        """``0 errori, 2 avvisi, 1 informazione`` / ``0 errors, 2 warnings, 1 info``."""
        if self.lang == "it":
            return (
                f"{errors} {'errore' if errors == 1 else 'errori'}, "
                f"{warnings} {'avviso' if warnings == 1 else 'avvisi'}, "
                f"{infos} {'informazione' if infos == 1 else 'informazioni'}"
            )
        return (
            f"{errors} error{'' if errors == 1 else 's'}, "
            f"{warnings} warning{'' if warnings == 1 else 's'}, {infos} info"
        )


ITALIAN = Labels(
    lang="it",
    summary="Riepilogo",
    details="Dettaglio",
    by_action="Per azione",
    by_year="Per anno",
    checks="Controlli",
    provenance="Provenienza",
    project="Progetto",
    beneficiary="Beneficiario",
    cup="CUP",
    programme_stated="Programma (come dichiarato)",
    programme_call="Programma del bando",
    call="Bando",
    call_id="Call pack",
    start="Inizio",
    end="Fine",
    duration="Durata dichiarata (mesi)",
    findings="Controlli",
    see_sheet="vedi il foglio {sheet}",
    missing="—",
    item="Voce",
    description="Descrizione",
    amount="Importo (€)",
    share="Quota del totale",
    rate="Aliquota",
    base="Base di calcolo (€)",
    direct_total="Totale costi diretti",
    total="Totale progetto",
    not_in_call="voce non prevista dal bando",
    chart_title="Ripartizione per voce",
    legend="Legenda",
    legend_input="Dato immesso (dal file del budget o dal bando): modificabile",
    legend_computed=(
        "Calcolato con una formula: protetto (la protezione del foglio non ha password e si può togliere)"
    ),
    rounding_note="Arrotondamento: al centesimo, per eccesso dal mezzo centesimo (ARROTONDA(…;2))",
    banner="ATTENZIONE: il budget contiene {n} {errors} (vedi il foglio {sheet}). "
    "Esportato con --allow-errors: non presentarlo prima di averlo corretto.",
    banner_more="… e altri {n}",
    details_title="Dettaglio dei costi",
    action="Azione",
    note="Nota",
    unsplit="Non ripartito per anno",
    unassigned="Senza azione",
    item_total="Totale {key}",
    ignored_title="Righe non conteggiate: {key} è calcolata dal bando, non si inserisce a mano",
    by_action_title="Costi diretti per azione",
    by_year_title="Costi diretti per anno",
    action_title="Titolo",
    year="Anno",
    split_note=(
        "Le righe attribuite a più azioni sono divise in parti uguali al centesimo; "
        "i centesimi che avanzano vanno alle prime azioni della riga."
    ),
    flat_rate_note="Le voci forfettarie ({keys}) sono calcolate sul totale: vedi il foglio {sheet}.",
    checks_title="Controlli (clustbudget validate)",
    code="Codice",
    severity="Gravità",
    message="Messaggio",
    citation="Riferimento",
    location="Posizione (file:riga:colonna)",
    related="Vedi anche",
    no_findings="Nessun rilievo.",
    provenance_title="Provenienza",
    field="Voce",
    value="Valore",
    source_file="File del budget",
    source_path="Percorso",
    sha256="SHA-256 del file",
    tool_version="Versione di clustbudget",
    pack_id="Bando (call pack)",
    pack_version="Versione del call pack",
    pack_title="Titolo del bando",
    pack_act="Atto",
    pack_file="File del call pack",
    generated="Generato il",
    language="Lingua",
    rounding="Arrotondamento",
    rounding_rule="Al centesimo, per eccesso dal mezzo centesimo (ROUND_HALF_UP); E = ARROTONDA(aliquota × base; 2)",
    page="Pagina &P di &N",
    doc_subject="Budget del progetto — {call}",
    doc_description="Generato da clustbudget {version} da {source} (SHA-256 {sha256}).",
)

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
    source_path="Path",
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
    if lang == "it":
        return ITALIAN
    if lang == "en":
        return ENGLISH
    raise ValueError(f"unknown language {lang!r}: use 'it' or 'en'")
