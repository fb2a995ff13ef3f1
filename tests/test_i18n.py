"""Italian and English: the catalogues, the formatting of numbers and dates, the language chosen."""

from __future__ import annotations

import json
import pickle
import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from clustbudget.i18n import (
    Message,
    default_lang,
    field_names,
    gettext,
    lang_from_argv,
    msg,
    ngettext,
    nmsg,
    render,
    workbook_lang,
)
from clustbudget.i18n import formatting as f
from clustbudget.i18n.catalog import catalog, languages, parse_po
from clustbudget.i18n.extract import entries


def _translated(e) -> tuple[str, ...]:
    cat = catalog("it")
    assert cat is not None
    return cat.entries.get((e.context, e.msgid), ())


def test_every_msgid_has_an_italian_translation_with_the_same_fields():
    problems = []
    for e in entries():
        forms = _translated(e)
        if not forms or not all(forms):
            problems.append(f"{e.where}: untranslated {e.msgid[:60]!r}")
            continue
        want = field_names(e.msgid) | (field_names(e.plural) if e.plural else set())
        for form in forms:
            if field_names(form) != want:
                problems.append(f"{e.where}: fields {sorted(field_names(form))} ≠ {sorted(want)}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_has_no_entry_the_code_no_longer_uses():
    cat = catalog("it")
    assert cat is not None
    used = {(e.context, e.msgid) for e in entries()}
    stale = [k[1][:60] for k in cat.entries if k not in used]
    assert not stale, f"run `python -m clustbudget.i18n update it`: {stale}"


def test_languages_are_english_and_those_with_a_catalogue():
    assert languages() == ("en", "it")


# --------------------------------------------------------------------- the .po reader


PO = r"""
msgid ""
msgstr ""
"Language: it\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: somewhere.py:1
msgid "Item"
msgstr "Voce"

msgctxt "sheet"
msgid "Item"
msgstr "Voce di costo"

msgid "{n} row"
msgid_plural "{n} rows"
msgstr[0] "{n} riga"
msgstr[1] "{n} righe"

msgid ""
"two\n"
"lines \"quoted\""
msgstr "due\nrighe \"tra virgolette\""

#, fuzzy
msgid "Total"
msgstr "Totalone"

msgid "Share"
msgstr ""
"""


def test_po_reader_reads_contexts_plurals_continuations_and_skips_fuzzy_or_empty():
    cat = parse_po(PO, "t.po")
    assert cat.lang == "it"
    assert cat.get("Item") == "Voce"
    assert cat.get("Item", "sheet") == "Voce di costo"
    assert cat.get_plural("{n} row", 1) == "{n} riga"
    assert cat.get_plural("{n} row", 0) == "{n} righe"
    assert cat.get('two\nlines "quoted"') == 'due\nrighe "tra virgolette"'
    assert cat.get("Total") is None  # fuzzy: a translator has not confirmed it
    assert cat.get("Share") is None


def test_po_reader_names_file_and_line_of_a_broken_entry():
    with pytest.raises(ValueError, match=r"t\.po:2: unknown keyword 'msgsrt'"):
        parse_po('msgid "a"\nmsgsrt "b"\n', "t.po")


# --------------------------------------------------------------------- numbers, money, dates


@pytest.mark.parametrize(
    ("fn", "value", "it", "en"),
    [
        (f.money, Decimal("1511"), "1.511,00 €", "1,511.00"),
        (f.money, Decimal("1234567.005"), "1.234.567,01 €", "1,234,567.01"),  # half-up
        (f.amount, Decimal("0.5"), "0,50", "0.50"),
        (f.number, Decimal("1800.00"), "1.800", "1,800"),
        (f.number, Decimal("7.50"), "7,5", "7.5"),
        (f.number, 12000, "12.000", "12,000"),
        (f.percent, Decimal("0.65"), "65,00%", "65.00%"),
        (f.percent, Decimal("0.000049"), "0,00%", "0.00%"),
        (f.rate, Decimal("0.075"), "7,5%", "7.5%"),
        (f.rate, Decimal("0.25"), "25%", "25%"),
        (f.date, date(2024, 12, 31), "31/12/2024", "2024-12-31"),
        (f.month, "2020-10", "10/2020", "2020-10"),
        (f.timestamp, datetime(2024, 12, 31, 14, 5), "31/12/2024 14:05", "2024-12-31 14:05"),
    ],
)
def test_one_module_writes_numbers_and_dates_per_language(fn, value, it, en):
    assert fn(value, "it") == it
    assert fn(value, "en") == en


def test_a_message_is_its_english_text_and_renders_in_italian_with_italian_numbers():
    m = msg(
        "declared {key} is {declared:money} but the lines give {actual:money}",
        key="E",
        declared=Decimal("1511"),
        actual=Decimal("1159"),
    )
    assert m == "declared E is 1,511.00 but the lines give 1,159.00"
    assert isinstance(m, str) and m.msgid.startswith("declared {key}")
    # No catalogue entry for this msgid: English words, Italian numbers (never English numbers).
    assert render(m, "it") == "declared E is 1.511,00 € but the lines give 1.159,00 €"
    assert render("user's own text", "it") == "user's own text"


def test_a_message_inside_a_message_and_dates_follow_the_language():
    inner = msg("the budget or its reports")
    outer = msg("{n} errors in {where} on {day}", n=2, where=inner, day=date(2023, 12, 31))
    assert outer == "2 errors in the budget or its reports on 2023-12-31"
    assert "il budget o i suoi rendiconti" in outer.render("it")
    assert "31/12/2023" in outer.render("it")


def test_plural_messages_pick_the_form_from_n():
    assert nmsg("{n} file checked", "{n} files checked", 1) == "1 file checked"
    assert nmsg("{n} file checked", "{n} files checked", 3).render("it") == "3 file controllati"
    assert ngettext("{n} error", "{n} errors", 1, "it") == "{n} errore"


def test_a_message_survives_pickling_with_its_fields():
    m = msg("wrote {target}", target="a.xlsx")
    back = pickle.loads(pickle.dumps(m))
    assert isinstance(back, Message) and back.render("it") == "scritto a.xlsx"


def test_gettext_falls_back_to_english_for_an_unknown_text_or_language():
    assert gettext("Total", "it") == "Totale"
    assert gettext("no such text", "it") == "no such text"
    assert gettext("Total", "fr") == "Total"


# --------------------------------------------------------------------- which language


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),
        ({"LANG": "it_IT.UTF-8"}, "it"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "it_IT"}, "it"),
        ({"LC_ALL": "C", "LANG": "it_IT.UTF-8"}, "en"),  # LC_ALL wins, as POSIX reads them
        ({"LANG": "it_IT.UTF-8", "CLUSTBUDGET_LANG": "en"}, "en"),
        ({"CLUSTBUDGET_LANG": "it"}, "it"),
    ],
)
def test_the_terminal_language_comes_from_clustbudget_lang_then_the_locale(env, lang):
    assert default_lang(env) == lang


def test_workbooks_default_to_italian_unless_clustbudget_lang_says_otherwise():
    assert workbook_lang({"LANG": "en_US.UTF-8"}) == "it"
    assert workbook_lang({"CLUSTBUDGET_LANG": "en"}) == "en"


def test_lang_is_read_from_the_command_line_before_parsing():
    assert lang_from_argv(["validate", "--lang", "it", "x.yaml"]) == "it"
    assert lang_from_argv(["--lang=en", "--help"]) == "en"
    assert lang_from_argv(["validate", "--", "--lang", "it"]) is None
    assert lang_from_argv(["--lang", "xx"]) is None


# --------------------------------------------------------------------- the command line


def test_help_is_italian_under_an_italian_locale(cli):
    top = cli("--help", env={"LANG": "it_IT.UTF-8"})
    assert top.returncode == 0
    assert "Budget e rendiconti dei progetti Clust-ER" in top.stdout
    assert "Comandi" in top.stdout and "Opzioni" in top.stdout
    sub = cli("validate", "--help", env={"LANG": "it_IT.UTF-8"})
    assert "Uso: clustbudget validate [OPZIONI]" in sub.stdout
    assert "Controlla budget, rendiconti e pacchetti di bando" in sub.stdout
    assert "Fallisce (uscita 1) anche" in sub.stdout
    assert "Show this message" not in sub.stdout and "Options" not in sub.stdout


def test_every_help_is_italian_under_an_italian_locale_and_with_lang_it(cli):
    """The main help (options, the command list and its one-line descriptions) and every
    command's --help: no English catalogue text, no typer word, no English placeholder."""
    import typer

    from clustbudget.cli import app
    from clustbudget.i18n import pgettext
    from clustbudget.i18n.extract import entries

    group = typer.main.get_command(app)
    commands = [name for name, c in group.commands.items() if not c.hidden]  # type: ignore[attr-defined]
    assert len(commands) >= 15
    fragments = _english_fragments()
    placeholders = {
        e.msgid for e in entries() if e.context == "metavar" and pgettext("metavar", e.msgid, "it") != e.msgid
    }
    assert {"REPORT", "CODE", "YYYY-MM", "PATH"} <= placeholders
    typer_words = (
        "Usage:",
        "Options",
        "Arguments",
        "Commands",
        "[default",
        "[required]",
        "COMMAND",
        "<path>",
    )
    it_locale = {"LANG": "it_IT.UTF-8", "COLUMNS": "200"}
    runs = [("", cli("--help", env=it_locale)), *((c, cli(c, "--help", env=it_locale)) for c in commands)]
    runs.append(("--lang it", cli("--lang", "it", "--help", env={"COLUMNS": "200"})))
    runs.append(("timesheet --lang it", cli("timesheet", "--help", "--lang", "it", env={"COLUMNS": "200"})))
    leaks = []
    for name, r in runs:
        assert r.returncode == 0, (name, r.stderr)
        out = r.stdout
        assert "Uso: clustbudget" in out and "Opzioni" in out, name
        words = set(re.findall(r"[A-Za-z][A-Za-z_=|.-]*", out))
        leaks += [f"{name}: {p!r}" for p in fragments if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", out)]
        leaks += [f"{name}: {w!r}" for w in typer_words if w in out]
        leaks += [f"{name}: placeholder {p}" for p in placeholders if p in words]
    assert not leaks, "\n".join(leaks)
    top = runs[0][1].stdout
    assert "COMANDO [ARGOMENTI]..." in top and "Installa il completamento" in top
    assert "Aggiunge a un rendiconto le spese di un registro contabile" in top  # the command list


def test_help_follows_lang_and_english_stays_the_default(cli):
    assert "Mostra un budget in tabella" in cli("show", "--help", "--lang", "it").stdout
    english = cli("show", "--help")
    assert "Show a budget as a table" in english.stdout and "Opzioni" not in english.stdout


def test_help_shows_no_value_for_flags_and_keeps_angle_bracket_placeholders(cli):
    out = cli("export", "--help", env={"COLUMNS": "200"}).stdout
    assert "<bool>" not in out
    assert "<budget name>.xlsx" in out and "<budget name>-<period id>.xlsx" in out


def test_every_command_takes_lang(cli):
    for command in ("validate", "show", "report", "export", "import-expenses", "rules", "schema"):
        assert "--lang" in cli(command, "--help").stdout, command


def test_validate_summary_and_severity_in_italian(cli):
    r = cli("validate", "--lang", "it", "budgets/")
    assert r.returncode == 0
    assert r.stdout.splitlines()[-1] == "5 file controllati: 0 errori, 4 avvisi, 8 informazioni — superato"
    assert " CB107 avviso " in r.stdout


# --------------------------------------------------------------------- an Italian workbook


def _english_fragments() -> set[str]:
    """Pieces of English text that no Italian cell may contain: each msgid's literal parts
    (between its fields) of two words or more, where the Italian translation differs."""
    import _string

    cat = catalog("it")
    assert cat is not None
    out = set()
    for (_, msgid), forms in cat.entries.items():
        english = [msgid, cat.plural_ids.get(("", msgid), "")]
        for text in english:
            for literal, *_ in _string.formatter_parser(text):
                for piece in literal.split("\n"):
                    piece = piece.strip(" .,:;()—-")
                    if " " in piece and len(piece) >= 8 and not any(piece in f for f in forms):
                        out.add(piece)
    return out


def _texts_of(path):
    import openpyxl

    wb = openpyxl.load_workbook(path)
    yield "sheet name", ", ".join(wb.sheetnames)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    yield f"{ws.title}!{cell.coordinate}", cell.value


@pytest.fixture(scope="module")
def italian_workbooks(tmp_path_factory):
    from clustbudget.pipeline import check_budget, compared_budgets, load_project
    from clustbudget.xlsx import export_budget, export_report, export_variation

    from .conftest import DATA, EXAMPLE, EXAMPLE_V1

    out = tmp_path_factory.mktemp("italian")
    hand = load_project(EXAMPLE.parent.parent / "tests" / "data" / "reports" / "budget.yaml")
    example = load_project(EXAMPLE)
    families = {f.code[:3] for p in (hand, example) for f in p.findings}
    assert {"CB1", "CB2", "CB3"} <= families  # findings of every family that lets a workbook be made
    books = [out / "statement.xlsx", out / "rendiconto-hand.xlsx", out / "rendiconto-example.xlsx"]
    export_budget(check_budget(EXAMPLE), books[0], lang="it")
    export_report(hand, books[1], lang="it")
    export_report(example, books[2], lang="it")
    # the variation workbook: the example's V1, and a pending one split by year and action
    # with the tolerance set (every sheet and column it has)
    books += [out / "variation-example.xlsx", out / "variation-hand.xlsx"]
    export_variation(compared_budgets(EXAMPLE, EXAMPLE_V1), books[3], lang="it")
    hand_v1 = DATA / "variations"
    export_variation(
        compared_budgets(hand_v1 / "budget.yaml", hand_v1 / "budget.V1.yaml"), books[4], lang="it"
    )
    return books


def test_an_italian_workbook_contains_no_english_text(italian_workbooks):
    fragments = _english_fragments()
    assert len(fragments) > 200  # the check has teeth: the English catalogue, in pieces
    leaks = []
    for path in italian_workbooks:
        for where, text in _texts_of(path):
            found = [p for p in fragments if p in text]
            if found:
                leaks.append(f"{path.name} {where}: {text[:80]!r} has {found[0]!r}")
    assert not leaks, "\n".join(leaks[:20])


def test_the_english_check_finds_english_text_in_an_english_workbook(tmp_path):
    from clustbudget.pipeline import check_budget
    from clustbudget.xlsx import export_budget

    from .conftest import EXAMPLE

    english = tmp_path / "en.xlsx"
    export_budget(check_budget(EXAMPLE), english, lang="en")
    fragments = _english_fragments()
    assert any(p in text for _, text in _texts_of(english) for p in fragments)


def test_an_italian_workbook_writes_italian_numbers_and_dates_in_its_text(italian_workbooks):
    texts = [t for path in italian_workbooks for _, t in _texts_of(path)]
    amounts = [m for t in texts for m in re.findall(r"[\d.,]+ €", t)]
    assert amounts and all(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d\d €", a) for a in amounts), amounts[:5]
    assert not any(re.search(r"\b20\d\d-\d\d-\d\d\b", t) for t in texts)  # no ISO date in Italian text


# ------------------------------------------------------- validate's findings in Italian


def test_validate_in_italian_prints_every_family_in_italian_with_italian_numbers(cli, tmp_path):
    """A YAML error, a schema error, an ambiguous amount, a duplicate key (CB0xx), budget
    rules (CB1xx) and report rules (CB2xx, CB3xx): Italian words, Italian numbers, and none of
    the English catalogue's text."""
    broken = tmp_path / "broken-yaml.yaml"
    broken.write_text("clustbudget: 1\ncosts:\n  A: [\n", encoding="utf-8")
    huge = tmp_path / "amount.yaml"
    huge.write_text(
        "clustbudget: 1\ncall: clust-er-2020\nproject: {}\ncosts:\n  A:\n    - amount: 1000000000000.00\n",
        encoding="utf-8",
    )
    data = "tests/data"
    r = cli(
        "validate",
        "--lang",
        "it",
        broken,
        huge,
        f"{data}/budgets/schema-errors.yaml",
        f"{data}/budgets/ambiguous-amount.yaml",
        f"{data}/budgets/duplicate-keys.yaml",
        f"{data}/budgets/rules-broken.yaml",
        f"{data}/reports/budget",
    )
    out = r.stdout
    assert r.returncode == 2, r.stderr
    codes = set(re.findall(r" (CB\d{3}) ", out))
    assert {"CB002", "CB010", "CB011", "CB012", "CB013", "CB017"} <= codes
    assert {c[:3] for c in codes} >= {"CB0", "CB1", "CB2", "CB3"}
    assert "YAML non valido: " in out  # CB002, with libyaml's own words translated
    assert "chiave 'duration_month' non prevista in project (forse si intendeva 'duration_months'?)" in out
    assert "manca la chiave 'amount' in costs.A[0]" in out
    assert "start: 2021-02-30 non è una data del calendario" in out
    assert "description: si attendeva un testo, trovato: un elenco" in out
    assert "importo '130.000' ambiguo: scrivere 130000.00 se sono migliaia o 130.00 se è un decimale" in out
    assert "valore negativo '-10.00' (importo): serve un importo maggiore o uguale a zero" in out
    assert "chiave 'amount' duplicata (prima alla riga 10): tenerne una sola" in out
    assert "oltre il massimo ammesso (999999999999.99)" in out  # the limit as YAML wants it written
    assert "by_year somma a 1.000,00 €" in out  # CB1xx: Italian money
    assert "1.800 ore nel 2021" in out  # CB3xx: Italian numbers
    english = [piece for piece in _english_fragments() if piece in out]
    assert not english, english


def test_lang_before_the_command_is_the_language_of_the_whole_run(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("clustbudget: 1\nproject: [\n")
    r = cli("--lang", "it", "validate", bad)
    assert r.returncode == 2 and "YAML non valido" in r.stdout and "1 file controllato" in r.stdout, r.stdout
    # the command's own --lang wins over the one before it
    r = cli("--lang", "it", "validate", "--lang", "en", bad)
    assert "not valid YAML" in r.stdout and "1 file checked" in r.stdout, r.stdout


def test_import_expenses_in_italian_gives_every_row_reason_in_italian(cli, tmp_path):
    """Every kind of bad ledger row (a field pydantic refuses, an empty cell, an unknown item,
    cash, a document total that is not amount + VAT, a duplicate invoice, a row the report's
    rules refuse): its reason is Italian, with Italian numbers, and none of the English
    catalogue's text; reasons of one row are joined the same way in both languages."""
    from .conftest import example_report_copy

    report = example_report_copy(tmp_path)
    ledger = tmp_path / "registro.csv"
    ledger.write_text(
        "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;IVA;Totale documento;"
        "Data pagamento;Modalità di pagamento\n"
        "15/01/2022;D;Ok;Fornitore A;1;100,00;0;100,00;20/01/2022;bonifico\n"
        "32/01/2022;D;Data;Fornitore B;2;-50,00;0;;20/01/2022;bonifico\n"
        ";D;Vuota;Fornitore B;3;abc;0;;20/01/2022;bonifico\n"
        "15/02/2022;Z;Voce;Fornitore C;4;100,00;0;;20/02/2022;contanti\n"
        "15/02/2022;D;Totale;Fornitore D;5;100,00;22,00;1.500,00;20/02/2022;bonifico\n"
        "15/02/2022;D;Doppia;Fornitore A;1;100,00;0;;20/02/2022;bonifico\n"
        "01/03/2022;D;Tardi;Fornitore E;6;100,00;0;;28/02/2023;bonifico\n",
        encoding="utf-8",
    )
    it = cli("import-expenses", ledger, "--into", report, "--lang", "it")
    en = cli("import-expenses", ledger, "--into", report, "--lang", "en")
    assert it.returncode == en.returncode == 1, it.stderr
    lines = it.stderr.splitlines()
    assert [line.split(":")[1] for line in lines[:-1]] == ["3", "4", "5", "6", "7", "8"], it.stderr
    assert (
        ":3: colonna 'Data': 2022-01-32 non è una data del calendario (la cella contiene '32/01/2022'); "
        "colonna 'Importo': valore negativo '-50,00' (importo): serve un importo maggiore o uguale a zero"
    ) in it.stderr
    assert ":4: colonna 'Data': vuota; colonna 'Importo': 'abc' non è un importo" in it.stderr
    assert ":5: colonna 'Voce': 'Z' non è una voce di costo diretto (A, B, C, D); " in it.stderr
    assert "colonna 'Modalità di pagamento': 'contanti' (cash) non è un pagamento tracciabile" in it.stderr
    assert (
        ":6: colonna 'Totale documento': 1.500,00 € non è imponibile + IVA (100,00 € + 22,00 € = 122,00 €)"
        in it.stderr
    )
    assert ":7: la fattura 1 di Fornitore A è già alla riga 2" in it.stderr
    assert ":8: CB209 " in it.stderr and "28/02/2023" in it.stderr
    english = [piece for piece in _english_fragments() if piece in it.stderr]
    assert not english, english
    # the same reasons in English, joined the same way
    assert "column 'Data': empty; column 'Importo': 'abc' is not an amount" in en.stderr
    assert ":7: invoice 1 of Fornitore A is already in row 2" in en.stderr


INTERNAL_DOCUMENTS = re.compile(r"\bDOMAIN\b|\bFORMAT\b *(§|:)|\bFORMAT\.md\b|\bDOMAIN\.md\b|\bSTYLE\.md\b")


def test_no_rule_or_schema_text_cites_an_internal_document(cli):
    """A Region's officer reads the sources: a rule's summary, citation and explanation, and
    the JSON Schema's descriptions, in both languages, never name DOMAIN or FORMAT §n (the
    project's own notes); a check that is the tool's convention says so in words."""
    leaks = []
    for lang in ("it", "en"):
        r = cli("rules", "-f", "json", "--lang", lang)
        assert r.returncode == 0, r.stderr
        rules = json.loads(r.stdout)["rules"]
        assert len(rules) > 90 and all(rule["citation"] and rule["explanation"] for rule in rules)
        for rule in rules:
            for key in ("summary", "citation", "explanation"):
                if INTERNAL_DOCUMENTS.search(rule[key]):
                    leaks.append(f"{lang} {rule['code']} {key}: {INTERNAL_DOCUMENTS.search(rule[key])[0]}")
        for kind in ("budget", "report", "pack", "indicators"):
            schema = cli("schema", kind, "--lang", lang).stdout
            leaks += [f"{lang} schema {kind}: {m[0]}" for m in INTERNAL_DOCUMENTS.finditer(schema)]
    assert not leaks, "\n".join(leaks)
    (cb321,) = json.loads(cli("rules", "CB321", "-f", "json", "--lang", "it").stdout)["rules"]
    assert cb321["citation"].startswith("Controllo di coerenza del file (clustbudget)")


def test_the_catalogue_is_read_only_for_the_language_in_use(tmp_path):
    """Start-up: an English run reads no catalogue at all, an Italian one only Italian's, once
    (the start-up cost of Italian against English was measured at +2.9%, validate of the
    example budget, 15 interleaved runs, medians)."""
    import ast
    import subprocess
    import sys

    from .conftest import EXAMPLE

    probe = (  # every file opened, from before the first import
        "import sys\n"
        "read = []\n"
        "sys.addaudithook(lambda e, a: read.append(str(a[0])) if e == 'open' and str(a[0]).endswith('.po') else None)\n"
        "from clustbudget.cli import _run\n"
        "_run()\n"
        "sys.stderr.write('\\n' + repr(read))\n"
    )
    seen = {}
    for lang in ("en", "it"):
        r = subprocess.run(
            [sys.executable, "-c", probe, "validate", str(EXAMPLE), "--lang", lang],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        )
        seen[lang] = ast.literal_eval(r.stderr.splitlines()[-1])  # the list of .po files parsed
    assert seen["en"] == []
    assert len(seen["it"]) == 1 and seen["it"][0].endswith("it/LC_MESSAGES/clustbudget.po")


def test_a_report_that_cannot_be_extended_is_refused_in_italian(cli, tmp_path):
    """import-expenses into a report whose `expenses:` is a flow list: the refusal is Italian."""
    from .conftest import example_report_copy

    report = example_report_copy(tmp_path)
    head = report.read_text(encoding="utf-8").split("\nexpenses:")[0]
    report.write_text(
        head + "\nexpenses: [{date: 2022-01-10, item: D, description: Stampa, supplier: Tipografia, "
        "document: '7', amount: 100.00, paid: 2022-01-20, payment: bank_transfer}]\n",
        encoding="utf-8",
    )
    ledger = tmp_path / "registro.csv"
    ledger.write_text(
        "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;Data pagamento;Modalità di pagamento\n"
        "15/01/2022;D;Ok;Fornitore A;1;100,00;20/01/2022;bonifico\n",
        encoding="utf-8",
    )
    r = cli("import-expenses", ledger, "--into", report, "--lang", "it")
    assert r.returncode == 1, r.stderr
    assert "`expenses:` non è un elenco a blocchi: scrivilo così (- date: …) e importa di nuovo" in r.stderr


def test_an_indicator_value_with_neither_year_nor_period_is_explained_in_italian(cli, tmp_path):
    from .conftest import EXAMPLE

    source = EXAMPLE.parent / EXAMPLE.stem / "indicators.yaml"
    text = source.read_text(encoding="utf-8")
    assert "year: 2021, " in text
    bad = tmp_path / "indicators.yaml"
    bad.write_text(text.replace("year: 2021, ", "", 1), encoding="utf-8")
    r = cli("validate", bad, "--lang", "it")
    assert "CB013 errore values: indica year: oppure period: {start:, end:}, uno dei due" in r.stdout, (
        r.stdout
    )


def test_ci_formats_keep_english_codes_and_fields_and_their_messages_follow_lang(cli):
    """JSON, GitHub and JUnit under --lang it: the codes, field names, severities and
    annotation levels a CI reads stay English; the messages are Italian, with Italian numbers."""
    from .conftest import EXAMPLE

    project = EXAMPLE.parent
    data = json.loads(cli("validate", project, "-f", "json", "--lang", "it").stdout)
    findings = [f for file in data["files"] for f in file["findings"]]
    assert findings and {f["severity"] for f in findings} <= {"error", "warning", "info"}
    assert set(findings[0]) == {"code", "severity", "message", "path", "line", "col", "citation"}
    vat = next(f for f in findings if f["code"] == "CB212")
    assert vat["message"].startswith("l'IVA di ") and " € " in vat["message"]  # Italian, Italian money
    english = json.loads(cli("validate", project, "-f", "json", "--lang", "en").stdout)
    assert [f["code"] for file in english["files"] for f in file["findings"]] == [f["code"] for f in findings]
    github = cli("validate", project, "-f", "github", "--lang", "it").stdout
    assert "::notice file=" in github and "title=CB212::l'IVA di " in github
    junit = cli("validate", project, "-f", "junit", "--lang", "it").stdout
    assert '<testsuite name="clustbudget validate"' in junit and "CB212 info l'IVA di " in junit


def test_the_review_wordings_one_row_and_e_capped(cli, tmp_path):
    """Issue 9's review: "1 of 1 rows are invalid" and "E capped at budget" (read as if E had
    been capped) are worded as they mean, in both languages."""
    from .conftest import example_report_copy

    report = example_report_copy(tmp_path)
    ledger = tmp_path / "uno.csv"
    ledger.write_text(
        "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;Data pagamento;Modalità di pagamento\n"
        "32/01/2022;D;Bad;F;9;100,00;20/01/2022;bonifico\n",
        encoding="utf-8",
    )
    it = cli("import-expenses", ledger, "--into", report, "--lang", "it").stderr
    en = cli("import-expenses", ledger, "--into", report, "--lang", "en").stderr
    assert "uno.csv: la sua unica riga non è valida: nulla è stato scritto" in it, it
    assert "uno.csv: its only row is invalid: nothing written" in en and "1 of 1" not in en, en
    it = cli("validate", tmp_path, "--lang", "it").stdout
    en = cli("validate", tmp_path, "--lang", "en").stdout
    assert "e se E abbia come tetto la E del budget" in it, it
    assert "whether E is capped at the budgeted E" in en and "E capped at budget" not in en, en


def test_the_comment_an_import_writes_into_the_report_is_in_the_runs_language(cli, tmp_path):
    """The comment above imported expenses is the user's own text from then on: Italian words
    and date with --lang it, English with --lang en (it was English in both)."""
    import re
    from datetime import date

    from .conftest import example_report_copy

    today = date.today()
    for lang, words in (
        ("it", f"# importate da registro.csv il {today:%d/%m/%Y}"),
        ("en", f"# imported from registro.csv on {today:%Y-%m-%d}"),
    ):
        folder = tmp_path / lang
        folder.mkdir()
        report = example_report_copy(folder)
        ledger = folder / "registro.csv"
        ledger.write_text(
            "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;IVA;Data pagamento;Modalità di pagamento\n"
            "15/01/2022;D;Volantini;Tipografia Rossi;77;100,00;0;20/01/2022;bonifico\n",
            encoding="utf-8",
        )
        r = cli("import-expenses", ledger, "--into", report, "--lang", lang)
        assert r.returncode == 0, r.stderr
        comments = re.findall(r"(?m)^\s*(# import\S* (?:da|from) .*)$", report.read_text(encoding="utf-8"))
        assert comments == [words], comments
