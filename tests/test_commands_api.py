"""What the commands do is library functions a notebook can call: export's mode and file name,
import-expenses' report and budget, the rules JSON, and one exit-code policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clustbudget.cli import app
from clustbudget.exitcodes import ExitCode
from clustbudget.findings import Location, exit_code
from clustbudget.output.rules import explanation, rules_json
from clustbudget.pipeline import Refused, load_import_target, plan_export, workbook_name
from clustbudget.rules import all_rules, finding
from clustbudget.rules.examples import EXAMPLES_DIR

from .conftest import EXAMPLE

REPORTS = EXAMPLE.parent / EXAMPLE.stem


def test_exit_code_policy():
    where = Location("b.yaml", 1, 1)
    warning, error = finding("CB107", "w", where), finding("CB103", "e", where)
    unreadable = finding("CB001", "u", where, fatal=True)
    assert exit_code([]) is ExitCode.OK
    assert exit_code([warning]) is ExitCode.OK
    assert exit_code([warning], strict=True) is ExitCode.FINDINGS
    assert exit_code([warning, error]) is ExitCode.FINDINGS
    assert exit_code([error, unreadable]) is ExitCode.UNREADABLE


def test_workbook_name():
    assert workbook_name(Path("budgets/b.yaml")) == "b.xlsx"
    assert workbook_name(Path("b.yaml"), "SAL 1/2") == "b-SAL-1-2.xlsx"
    assert workbook_name(Path("b.yaml"), "///") == "b-period.xlsx"


def test_plan_export_chooses_the_statement_or_a_rendiconto(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = plan_export(EXAMPLE)
    assert (plan.project, plan.target) == (None, Path("clust-er-health-2020-2022.xlsx"))
    plan = plan_export(EXAMPLE, period="SAL-1")  # a period alone: the reports beside the budget
    assert plan.project is not None and plan.period == 0
    assert plan.target == Path("clust-er-health-2020-2022-SAL-1.xlsx")
    latest = plan_export(EXAMPLE, sorted(REPORTS.glob("sal-*.yaml")))
    assert latest.target == Path("clust-er-health-2020-2022-SAL-2.xlsx")
    (tmp_path / "taken.xlsx").write_bytes(b"x")
    for kwargs, code in [
        ({"period": "SAL-9"}, ExitCode.UNREADABLE),
        ({"output": Path("out.txt")}, ExitCode.UNREADABLE),
        ({"output": Path("taken.xlsx")}, ExitCode.UNREADABLE),
    ]:
        with pytest.raises(Refused) as refused:
            plan_export(EXAMPLE, **kwargs)
        assert refused.value.code is code, kwargs
    assert plan_export(EXAMPLE, output=Path("taken.xlsx"), force=True).target == Path("taken.xlsx")


def test_plan_export_refuses_a_budget_with_errors_unless_allowed():
    budget = EXAMPLES_DIR / "CB103" / "budget.yaml"
    with pytest.raises(Refused) as refused:
        plan_export(budget)
    assert refused.value.code is ExitCode.FINDINGS
    assert {f.code for f in refused.value.findings} == {"CB103"}
    assert plan_export(budget, allow_errors=True).budget.errors


def test_load_import_target_reads_the_report_and_its_budget_once():
    target = load_import_target(REPORTS / "sal-2.yaml")
    assert target.report.period.id == "SAL-2"
    assert target.budget_path == EXAMPLE.resolve() and target.budget.figures is not None
    with pytest.raises(Refused) as refused:
        load_import_target(EXAMPLE)  # a budget, not a report
    assert refused.value.code is ExitCode.FINDINGS and refused.value.findings[0].code == "CB015"
    with pytest.raises(Refused) as missing:
        load_import_target(REPORTS / "nowhere.yaml")
    assert missing.value.code is ExitCode.UNREADABLE


def test_rules_json_and_explanation():
    rules = list(all_rules().values())
    data = rules_json(rules, "en")
    assert data["format"] == "clustbudget.rules" and len(data["rules"]) == len(rules)
    cb107 = next(r for r in data["rules"] if r["code"] == "CB107")
    assert cb107["example"] and cb107["citation"]
    text = explanation(all_rules()["CB107"], "en")
    assert text.startswith("CB107 ") and "budget.yaml" in text


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate", str(EXAMPLE)], 0),
        (["validate", str(EXAMPLES_DIR / "CB103")], 1),
        (["validate", str(EXAMPLES_DIR / "CB107"), "--strict"], 1),
        (["show", str(EXAMPLES_DIR / "CB103" / "budget.yaml"), "-f", "json"], 1),
        (["rules", "CB107"], 0),
    ],
)
def test_commands_return_their_exit_code_in_standalone_mode_too(args, code):
    assert CliRunner().invoke(app, args).exit_code == code


def _project_copy(tmp_path: Path) -> Path:
    import shutil

    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copytree(REPORTS, tmp_path / EXAMPLE.stem)
    return tmp_path / EXAMPLE.stem / "sal-2.yaml"


def test_import_ledger_is_a_library_function(tmp_path):
    from clustbudget.ledger import import_ledger
    from clustbudget.loading import load_file

    into = _project_copy(tmp_path)
    ledger = Path(__file__).parent.parent / "examples" / "registro-spese.csv"
    before = into.read_bytes()
    dry = import_ledger(ledger, into, dry_run=True)
    assert (len(dry.rows), dry.written) == (2, False)
    assert into.read_bytes() == before
    done = import_ledger(ledger, into)
    assert (len(done.rows), done.written, done.into) == (2, True, into)
    assert [e.document for e in load_file(into).model.expenses[-2:]] == ["FT 41/2022", "2022-0712"]


def test_import_ledger_refuses_with_the_rows_and_an_exit_code(tmp_path):
    from clustbudget.ledger import ImportRefused, import_ledger

    into = _project_copy(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Data;Voce;Descrizione;Fornitore;Numero documento;Importo;Data pagamento;Modalità di pagamento\n"
        "14/06/2022;D;Stand;Fiera S.r.l.;FT 9/2022;100,00;30/06/2022;Contanti\n"
        "15/06/2022;D;Volantini;Tipografia S.r.l.;FT 10/2022;200,00;30/06/2022;Bonifico\n",
        encoding="utf-8",
    )
    before = into.read_bytes()
    with pytest.raises(ImportRefused) as refused:
        import_ledger(bad, into)
    assert refused.value.code == ExitCode.FINDINGS
    assert refused.value.plan is not None and [p.row for p in refused.value.plan.problems] == [2]
    assert into.read_bytes() == before  # nothing written
    skipped = import_ledger(bad, into, skip_invalid=True)
    assert (len(skipped.rows), skipped.written) == (1, True)
    with pytest.raises(ImportRefused) as missing:
        import_ledger(tmp_path / "nope.csv", into)
    assert missing.value.code == ExitCode.UNREADABLE
