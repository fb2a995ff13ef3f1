"""User text that used to reach the terminal as something else: rich markup read as markup
(MarkupError, swallowed text, hyperlinks), control characters and bidi overrides printed raw,
a newline in a document number forging a finding line. Also what used to be exit 3: a folder
tree 1,000 levels deep, a report whose `budget:` no file can have."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from clustbudget.output.text import printable

from .conftest import EXAMPLE, run_cli

MARKUP = "[/] [bold]T[/bold] [link=https://evil.example]click[/link] [red"
OSC8 = "\x1b]8;"  # how a terminal is told "this is a hyperlink"


@pytest.fixture
def project(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.name


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("color", ["never", "always"])
def test_markup_in_titles_periods_descriptions_is_printed_as_written(project, color):
    reports = project.parent / project.stem
    edit(project, "title: Clust-ER Industrie", f'title: "{MARKUP} Clust-ER Industrie')
    edit(project, "2020-2022\n", '2020-2022"\n')
    edit(reports / "sal-2.yaml", "id: SAL-2", 'id: "[/]SAL-2[bold]"')
    edit(
        reports / "sal-2.yaml",
        "description: Stand collettivo a MEDICA 2021, Düsseldorf",
        'description: "[/][link=x]Stand collettivo a MEDICA 2021, Düsseldorf"',
    )
    edit(reports / "sal-2.yaml", "supplier: Messe Düsseldorf GmbH", 'supplier: "[/] Messe Düsseldorf GmbH"')
    show = run_cli("show", project, "--color", color)
    assert show.returncode == 0, show.stderr
    assert MARKUP in show.stdout and OSC8 not in show.stdout
    report = run_cli("report", project, "--color", color)
    assert report.returncode == 0, report.stderr
    assert MARKUP in report.stdout and "[/]SAL-2[bold]" in report.stdout and OSC8 not in report.stdout
    for out in (show.stdout, report.stdout):
        assert "Traceback" not in out


def test_a_newline_in_a_document_number_cannot_forge_a_finding_line(project):
    sal2 = project.parent / project.stem / "sal-2.yaml"
    forged = "FT 9\\nbudgets/x.yaml:1:1: CB999 error forged\\x1b[2J\\x07\\u202eevil"
    edit(sal2, '    document: "2021-MD-77810"', f'    document: "{forged}"')
    edit(sal2, "  - date: 2021-11-15", "  - date: 2019-11-15")  # outside the period: a finding names it
    r = run_cli("validate", project.parent)
    assert r.returncode == 1, r.stdout
    lines = r.stdout.splitlines()
    finding = next(line for line in lines if "FT 9" in line)
    assert "FT 9\\nbudgets/x.yaml:1:1: CB999 error forged\\x1b[2J\\x07\\u202eevil" in finding
    assert not any(line.startswith("budgets/x.yaml") for line in lines)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", r.stdout)


def test_printable_escapes_what_drives_a_terminal_and_keeps_the_rest():
    assert printable("Düsseldorf – città\tok") == "Düsseldorf – città\tok"
    assert printable("a\nb\rc\x1b[31md\x07e\x7f\x85\u202e\u2066\u2028\ufeff") == (
        "a\\nb\\rc\\x1b[31md\\x07e\\x7f\\x85\\u202e\\u2066\\u2028\\ufeff"
    )


def test_a_folder_tree_1000_levels_deep_is_walked(tmp_path):
    from .conftest import deep_folder

    root = tmp_path / "deep"
    root.mkdir()
    with deep_folder(root, 1000, {"budget.yaml": EXAMPLE.read_bytes()}):
        r = run_cli("validate", root)
    assert r.returncode == 0, r.stderr[-500:]
    assert r.stdout.splitlines()[-1].startswith("1 file checked: 0 errors")


@pytest.mark.parametrize(
    "budget_line",
    ['budget: "../x\\0y.yaml"', "budget: " + "a" * 5000, "budget: " + "/".join(["b" * 250] * 30)],
    ids=["nul", "5000-chars", "long-path"],
)
def test_a_report_naming_an_impossible_budget_does_not_break_the_others(project, tmp_path, budget_line):
    reports = project.parent / project.stem
    (reports / "sal-3.yaml").write_text(
        f"clustbudget: 1\n{budget_line}\nperiod: {{id: SAL-3, start: 2022-09-21, end: 2022-09-30}}\n"
    )
    validate = run_cli("validate", project.parent)
    assert validate.returncode == 1, validate.stderr
    assert "sal-3.yaml:2:9: CB021 error budget" in validate.stdout
    report = run_cli("report", project)
    assert report.returncode == 0, report.stderr
    assert "SAL-2" in report.stdout
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;Data pagamento;Pagamento\n"
        "15/01/2022;D;Stampa;Tipografia;FT 1;100,00;10/02/2022;Bonifico\n"
    )
    imported = run_cli("import-expenses", ledger, "--into", reports / "sal-2.yaml")
    assert imported.returncode == 0, imported.stderr


def test_findings_are_written_in_a_few_writes_whatever_their_number():
    """One write per finding is one system call per line on an unbuffered stdout: the lines
    go out WRITE_LINES at a time, the same text as line by line."""
    from clustbudget.findings import Finding, Location, Severity
    from clustbudget.output import text
    from clustbudget.pipeline import FileResult, RunResult

    findings = [
        Finding("CB112", Severity.INFO, f"message {i}", Location(f"b{i}.yaml", i + 1, 3))
        for i in range(2 * text.WRITE_LINES + 5)
    ]
    run = RunResult([FileResult(f.location.path, "budget", [f]) for f in findings])

    class Recorder:
        def __init__(self) -> None:
            self.writes: list[str] = []

        def write(self, s: str) -> int:
            self.writes.append(s)
            return len(s)

    out = Recorder()
    text.write(run, out)  # type: ignore[arg-type]
    expected = [text.finding_line(f) + "\n" for f in findings] + [text.summary_line(run) + "\n"]
    assert "".join(out.writes) == "".join(expected)
    assert len(out.writes) == 3
