"""clustbudget.toml: found beside the budgets, overridden by the command line and the
environment, shown by `clustbudget config`, refused with file:line when broken."""

import json
import shutil

import openpyxl
import pytest

from clustbudget.loading import load_file

from .conftest import DATA, EXAMPLE


@pytest.fixture
def repo(tmp_path):
    """A team's repository: budgets/ with the example project and its clustbudget.toml."""
    budgets = tmp_path / "budgets"
    budgets.mkdir()
    (tmp_path / ".git").mkdir()  # the search stops at the repository's root
    shutil.copy(EXAMPLE, budgets / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, budgets / EXAMPLE.stem)
    return tmp_path


TOML = """\
lang = "it"
output = "../rendiconti"
patron_saint_day = "10-04"   # San Petronio

[ledger]
keep_unmapped = true

[ledger.columns]
amount = "Netto"
"""


def test_config_shows_each_value_and_where_it_comes_from(cli, repo):
    (repo / "budgets" / "clustbudget.toml").write_text(TOML)
    r = cli("config", "budgets", "-f", "json", cwd=repo)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["format"] == "clustbudget.config" and data["file"] == "budgets/clustbudget.toml"
    got = {s["name"]: (s["value"], s["source"]) for s in data["settings"]}
    assert got["lang"] == ("it", "budgets/clustbudget.toml:1")
    assert got["output"] == ("rendiconti", "budgets/clustbudget.toml:2")
    assert got["patron_saint_day"] == ("10-04", "budgets/clustbudget.toml:3")
    assert got["ledger.keep_unmapped"] == (True, "budgets/clustbudget.toml:6")
    assert got["ledger.columns.amount"] == ("Netto", "budgets/clustbudget.toml:9")
    assert got["ledger.header_row"][0] is None and got["ledger.header_row"][1].startswith(
        "predefinita"
    )  # in Italian, as the file says
    # the command line and the environment override the file
    r = cli("config", "budgets", "--lang", "en", "-f", "json", cwd=repo)
    assert json.loads(r.stdout)["settings"][0] == {"name": "lang", "value": "en", "source": "--lang"}
    r = cli("config", "budgets", "-f", "json", cwd=repo, env={"CLUSTBUDGET_LANG": "en"})
    assert json.loads(r.stdout)["settings"][0]["source"] == "CLUSTBUDGET_LANG"
    # found from a report in a folder below, and from the current folder
    r = cli("config", f"budgets/{EXAMPLE.stem}/sal-2.yaml", cwd=repo)
    assert r.stdout.startswith("impostazioni da budgets/clustbudget.toml")  # its lang is Italian
    r = cli("config", cwd=repo / "budgets")
    assert "clustbudget.toml:1" in r.stdout
    # none above the repository's root
    assert "no clustbudget.toml found" in cli("config", cwd=repo).stdout


def test_its_language_and_output_folder_are_used(cli, repo):
    (repo / "budgets" / "clustbudget.toml").write_text(TOML)
    r = cli("validate", "budgets", cwd=repo)
    assert " file controllati: 0 errori" in r.stdout  # Italian, from the file
    r = cli("validate", "budgets", "--lang", "en", cwd=repo)
    assert " files checked: 0 errors" in r.stdout  # the command line wins
    r = cli("export", f"budgets/{EXAMPLE.name}", cwd=repo)
    assert r.returncode == 0, r.stderr
    book = repo / "rendiconti" / f"{EXAMPLE.stem}.xlsx"
    assert book.is_file()
    assert openpyxl.load_workbook(book).sheetnames[0] == "Riepilogo"
    # -o wins over the saved folder
    r = cli("export", f"budgets/{EXAMPLE.name}", "-o", "mine.xlsx", cwd=repo)
    assert r.returncode == 0 and (repo / "mine.xlsx").is_file()


def test_the_saved_output_folder_serves_every_command_that_writes_files(cli, repo):
    """package, results, timesheet and hourly-cost wrote to the current folder whatever the
    team had saved; -o still wins."""
    (repo / "budgets" / "clustbudget.toml").write_text(TOML)
    out = repo / "rendiconti"
    budget = f"budgets/{EXAMPLE.name}"
    sal2 = f"budgets/{EXAMPLE.stem}/sal-2.yaml"
    r = cli("package", budget, "--period", "SAL-2", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert (out / f"{EXAMPLE.stem}-SAL-2-package" / "manifest.json").is_file()
    r = cli("results", budget, "--year", "2021", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.glob("*-results-2021.*")} == {
        f"{EXAMPLE.stem}-results-2021.xlsx",
        f"{EXAMPLE.stem}-results-2021.pdf",
    }
    r = cli("timesheet", sal2, cwd=repo)
    assert r.returncode == 0, r.stderr
    assert list(out.glob("timesheet-SAL-2-*.pdf"))
    r = cli("hourly-cost", sal2, cwd=repo)
    assert r.returncode == 0, r.stderr
    assert list(out.glob("costo-orario-*.xlsx"))
    assert not list(repo.glob("*.xlsx")) and not list(repo.glob("*.pdf"))  # nothing in the current folder
    r = cli("hourly-cost", sal2, "-o", "mine", cwd=repo)
    assert r.returncode == 0 and list((repo / "mine").glob("costo-orario-*.pdf"))


def test_the_saved_ledger_mapping_is_used_and_the_command_line_wins(cli, repo):
    (repo / "budgets" / "clustbudget.toml").write_text(TOML)
    ledger = repo / "ledger.csv"
    ledger.write_text(
        "Data;Voce;Descrizione;Fornitore;Numero documento;Netto;Prot.;Data pagamento;Modalità di pagamento\n"
        "15/01/2022;D;Traduzione;Traduzioni Esempio S.r.l.;FT 5/2022;1.250,00;118;10/02/2022;Bonifico\n"
    )
    report = repo / "budgets" / EXAMPLE.stem / "sal-2.yaml"
    r = cli("import-expenses", ledger, "--into", report, "--dry-run", "--lang", "en", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert "amount: 1250.00" in r.stdout and 'note: "Prot.: 118"' in r.stdout  # Netto; keep_unmapped
    # a saved column this ledger lacks is no error; --map overrides the saved one
    ledger.write_text(ledger.read_text().replace("Netto", "Imponibile"))
    r = cli("import-expenses", ledger, "--into", report, "--lang", "en", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert load_file(report).model.expenses[-1].amount == 1250


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('lang = "it"\n[ledger\n', "budgets/clustbudget.toml:2:8: not valid TOML: "),
        ('lang = "fr"\n', "budgets/clustbudget.toml:1: lang = 'fr': expected it or en"),
        (
            '\nlanguage = "it"\n',
            "budgets/clustbudget.toml:2: unknown setting 'language' (did you mean 'lang'?)",
        ),
        (
            'patron_saint_day = "04-31"\n',
            "budgets/clustbudget.toml:1: patron_saint_day = '04-31': expected MM-DD",
        ),
        (
            "[ledger.columns]\nimporto = 'X'\n",
            "budgets/clustbudget.toml:2: 'importo' is not an expense field",
        ),
        (
            "[ledger]\nheader_row = 0\n",
            "budgets/clustbudget.toml:2: ledger.header_row = 0: expected a row number",
        ),
    ],
)
def test_a_broken_file_is_one_line_with_its_line_exit_2(cli, repo, text, message):
    (repo / "budgets" / "clustbudget.toml").write_text(text)
    r = cli("validate", "budgets", "--lang", "en", cwd=repo)
    assert r.returncode == 2
    assert r.stderr.startswith("clustbudget: " + message), r.stderr
    assert len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr


def test_no_file_changes_nothing(cli):
    # the repository's own example has no clustbudget.toml: the defaults
    r = cli("config", DATA)
    assert r.returncode == 0 and "no clustbudget.toml found" in r.stdout


def test_the_saved_patron_saint_day_is_checked(cli, repo, tmp_path):
    # hours by day on 4 October (San Petronio, Bologna's patron saint): CB233 once it is saved
    (repo / "budgets" / EXAMPLE.stem / "sal-2.yaml").unlink()
    budget = repo / "budgets" / EXAMPLE.name
    # the example sets the day in its budget: take it out, so the saved setting is what counts
    text = budget.read_text()
    line = next(x for x in text.splitlines(keepends=True) if x.lstrip().startswith("patron_saint_day:"))
    budget.write_text(text.replace(line, ""))
    assert cli("new-period", budget, "--id", "SAL-2", "--end", "2022-09-20").returncode == 0
    report = repo / "budgets" / EXAMPLE.stem / "sal-2.yaml"
    sheet = tmp_path / "presenze.csv"
    sheet.write_text("Persona;Data;Ore\nCluster Manager;04/10/2021;6\nCluster Manager;05/10/2021;6\n")
    r = cli("import-hours", sheet, "--into", report)
    assert r.returncode == 0, r.stderr
    assert "CB233" not in cli("validate", repo / "budgets", "--lang", "en").stdout
    (repo / "budgets" / "clustbudget.toml").write_text('patron_saint_day = "10-04"\n')
    out = cli("validate", repo / "budgets", "--lang", "en").stdout
    assert out.count("CB233") == 1 and "2021-10-04" in out, out


def test_the_saved_settings_are_read_from_the_budgets_real_folder(tmp_path):
    # validate gives check_budget the path collect resolved: the clustbudget.toml that applies
    # is the one of the folder the file really is in, as resolving the path again finds it
    # (a budget in a folder, named, linked from a folder without settings, the link named)
    from clustbudget.loading import PackResolver
    from clustbudget.pipeline import _with_saved_settings, collect

    real, other = tmp_path / "real", tmp_path / "other"
    real.mkdir()
    other.mkdir()
    shutil.copy(EXAMPLE, real / "budget.yaml")
    (real / "clustbudget.toml").write_text('patron_saint_day = "10-04"\n', encoding="utf-8")
    (other / "clustbudget.toml").write_text('patron_saint_day = "06-24"\n', encoding="utf-8")
    (other / "link.yaml").symlink_to(real / "budget.yaml")
    resolver = PackResolver()
    pack = resolver.load(resolver.locate("clust-er-2020", EXAMPLE)).model
    for named in ([real], [other], [real / "budget.yaml"], [other / "link.yaml"]):
        keys: dict = {}
        [(path, _)] = collect(named, keys)
        day = _with_saved_settings(pack, path, keys[path]).staff.patron_saint_day
        assert day == _with_saved_settings(pack, path).staff.patron_saint_day == "10-04", named
