"""The command line as CI and people use it: a real subprocess, exit codes, every format."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
import typer
import typer.core

from clustbudget.cli import app

from .conftest import DATA, EXAMPLE, ROOT

BUDGETS = DATA / "budgets"
LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>CB\d{3}) (?P<sev>error|warning|info) .+$"
)


def test_validate_example_folder_passes_with_the_programme_warning(cli):
    r = cli("validate", "budgets/")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(LINE.match(line) for line in lines[:-1]), lines
    assert any(" CB106 warning programme stated as 'POR FESR 2021-2027'" in line for line in lines)
    # the budget, its variation V1 and its two example reports, checked together as one project
    assert lines[-1].startswith("5 files checked: 0 errors, 4 warnings, 8 info")
    # V1's shifts are shown; under V1 (in force at SAL-2's end) D is within its budget
    assert any(
        "V1.yaml:43:3: CB408 info V1: item A 130,000.00 → 115,000.00 (-15,000.00" in line for line in lines
    )
    assert not any(" CB310 " in line for line in lines)
    assert "\x1b[" not in r.stdout  # not a terminal: no colour


def test_strict_fails_on_warnings(cli):
    assert cli("validate", "--strict", EXAMPLE).returncode == 1


def test_errors_exit_1_and_name_file_and_line(cli):
    r = cli("validate", BUDGETS / "rules-broken.yaml")
    assert r.returncode == 1
    assert f"{BUDGETS / 'rules-broken.yaml'}:32:6: CB103 error declared E is 250.00" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


@pytest.mark.parametrize("name", ["ambiguous-amount.yaml", "schema-errors.yaml", "duplicate-keys.yaml"])
def test_schema_faults_exit_1(cli, name):
    r = cli("validate", BUDGETS / name)
    assert r.returncode == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "CB003"),
        (b"a: [1\n", "CB002"),
        (b"a: caf\xe9\n", "CB001"),
        (b"a: !!python/object:os.system x\n", "CB004"),
    ],
)
def test_unreadable_files_exit_2(cli, tmp_path, content, code):
    path = tmp_path / "b.yaml"
    path.write_bytes(content)
    r = cli("validate", path)
    assert r.returncode == 2, r.stdout
    assert f" {code} error " in r.stdout and "Traceback" not in r.stderr


def test_missing_file_exits_2(cli, tmp_path):
    r = cli("validate", tmp_path / "nope.yaml")
    assert r.returncode == 2 and "CB001 error no such file" in r.stdout


def test_highest_exit_code_wins_over_several_files(cli, tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    r = cli("validate", EXAMPLE, BUDGETS / "rules-broken.yaml", tmp_path / "empty.yaml")
    assert r.returncode == 2
    assert "3 files checked" in r.stdout


def test_folder_skips_other_yaml_with_info(cli, tmp_path):
    (tmp_path / "ci.yml").write_text("jobs: {}\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("a: [\n")
    r = cli("validate", tmp_path)
    assert r.returncode == 0
    assert "CB016 info skipped" in r.stdout and "x.yaml" not in r.stdout


def test_json_output_is_a_versioned_envelope(cli):
    r = cli("validate", "-f", "json", BUDGETS / "rules-broken.yaml", EXAMPLE)
    data = json.loads(r.stdout)
    assert data["format"] == "clustbudget.validate" and data["format_version"] == 1
    assert data["exit_code"] == r.returncode == 1
    assert data["summary"]["files"] == 2 and data["summary"]["error"] == 10
    f = data["files"][0]["findings"][0]
    assert set(f) >= {"code", "severity", "message", "path", "line", "col", "citation"}


def test_github_annotations(cli):
    r = cli("validate", "-f", "github", BUDGETS / "rules-broken.yaml")
    anns = [line for line in r.stdout.splitlines() if line.startswith("::")]
    assert len(anns) == 13
    assert any(a.startswith("::error file=") and ",line=32,col=6,title=CB103::" in a for a in anns)
    assert any(a.startswith("::notice ") for a in anns)


def test_junit_output_parses(cli, tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    r = cli("validate", "-f", "junit", EXAMPLE, BUDGETS / "rules-broken.yaml", tmp_path / "empty.yaml")
    suite = ET.fromstring(r.stdout.split("\n", 1)[1] if r.stdout.startswith("<?xml") else r.stdout)
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("errors") == "1"
    cases = suite.findall("testcase")
    assert cases[0].find("failure") is None and cases[1].find("failure") is not None


def test_select_and_ignore(cli):
    r = cli("validate", "--select", "CB103", BUDGETS / "rules-broken.yaml")
    assert {m["code"] for m in map(LINE.match, r.stdout.splitlines()[:-1])} == {"CB103"}
    r = cli("validate", "--ignore", "CB1", EXAMPLE)
    assert r.stdout.splitlines()[-1].startswith("1 file checked: 0 errors, 0 warnings, 0 info")
    bad = cli("validate", "--select", "XY9", EXAMPLE)
    assert bad.returncode == 2 and "no rule code" in bad.stderr


def test_usage_errors_exit_2(cli):
    assert cli("validate").returncode == 2
    assert cli("validate", "-f", "xml", EXAMPLE).returncode == 2


def test_color_always_and_never(cli):
    assert "\x1b[" in cli("validate", "--color", "always", EXAMPLE).stdout
    assert "\x1b[" not in cli("validate", "--color", "never", EXAMPLE).stdout


def test_show_table_and_json(cli):
    r = cli("show", EXAMPLE)
    assert r.returncode == 0
    for text in ("130,000.00", "30,000.00", "40,000.00", "200,000.00", "65.00%", "Direct costs"):
        assert text in r.stdout
    data = json.loads(cli("show", "-f", "json", EXAMPLE).stdout)
    assert data["format"] == "clustbudget.show"
    assert [(i["key"], i["amount"], i["share"]) for i in data["items"]] == [
        ("A", "130000.00", "0.6500"),
        ("B", "30000.00", "0.1500"),
        ("C", "0.00", "0.0000"),
        ("D", "0.00", "0.0000"),
        ("E", "40000.00", "0.2000"),
    ]
    assert data["direct"] == "160000.00" and data["total"] == "200000.00"
    assert data["flat_rate"] == {
        "key": "E",
        "rate": "0.25",
        "base": ["A", "B", "C", "D"],
        "base_amount": "160000.00",
        "amount": "40000.00",
    }
    assert '"amount": 1' not in json.dumps(data)  # money is never a JSON number


def test_show_italian_labels(cli):
    r = cli("show", "--lang", "it", EXAMPLE)
    assert "Costo del coordinatore operativo" in r.stdout and "130.000,00" in r.stdout


def test_show_refuses_unreadable_budget(cli):
    r = cli("show", BUDGETS / "schema-errors.yaml")
    assert r.returncode == 1 and "CB011" in r.stderr and "Traceback" not in r.stderr


def test_rules_lists_and_explains(cli):
    r = cli("rules")
    assert r.returncode == 0 and "CB107" in r.stdout and "clust-er-2020" in r.stdout
    r = cli("rules", "cb107")
    assert "duration-mismatch" in r.stdout and "expected" in r.stdout
    assert cli("rules", "CB999").returncode == 2
    data = json.loads(cli("rules", "-f", "json").stdout)
    assert len(data["rules"]) >= 25


def test_schema_is_json_schema(cli):
    data = json.loads(cli("schema").stdout)
    assert data["$schema"].endswith("2020-12/schema") and "costs" in data["required"]
    assert "properties" in json.loads(cli("schema", "report").stdout)


def test_every_command_has_help_and_is_in_the_readme(cli):
    readme = (ROOT / "README.md").read_text()
    group = typer.main.get_command(app)  # the commands as typer registered them, not as rich draws them
    assert isinstance(group, typer.core.TyperGroup)
    commands = [name for name, command in group.commands.items() if not command.hidden]
    assert {"validate", "show", "rules", "schema", "export", "report", "import-expenses"} <= set(commands)
    for command in commands:
        h = cli(command, "--help")
        assert h.returncode == 0 and len(h.stdout) > 200, command
        assert f"clustbudget {command}" in readme, f"{command} is not in the README"
    assert "Exit codes" in cli("validate", "--help").stdout


def test_version(cli):
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("clustbudget ")


def test_other_yaml_in_a_folder_is_skipped_whatever_it_holds(cli, tmp_path):
    (tmp_path / "mkdocs.yml").write_text("theme: x\nemoji: !!python/name:material.twemoji\n")
    (tmp_path / "compose.yml").write_text("base: &b {x: 1}\njob:\n  <<: *b\n")
    (tmp_path / "helm.yaml").write_text("metadata:\n  name: {{ .Release.Name }}\n")
    (tmp_path / "ci.yaml").write_text("jobs: [\n")
    r = cli("validate", tmp_path)
    assert r.returncode == 0, r.stdout
    assert r.stdout.count("CB016 info skipped") == 4
    assert (
        r.stdout.splitlines()[-1].startswith("0 files checked") and "4 other YAML files skipped" in r.stdout
    )


def test_a_misspelt_kind_key_is_an_error_not_a_skip(cli, tmp_path):
    (tmp_path / "budget.yaml").write_text(
        "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2021-12-31}\ncost:\n  A: []\n"
    )
    (tmp_path / "sal.yaml").write_text("clustbudget: 1\nbugdet: budget.yaml\n")
    (tmp_path / "broken.yaml").write_text("clustbudget: 1\ncosts: [\n")
    r = cli("validate", tmp_path)
    assert r.returncode == 2
    assert (
        f"{tmp_path / 'budget.yaml'}:4:1: CB015 error not a clustbudget file: did you mean 'costs'"
        in r.stdout
    )
    assert (
        f"{tmp_path / 'sal.yaml'}:2:1: CB015 error not a clustbudget file: did you mean 'budget'" in r.stdout
    )
    assert f"{tmp_path / 'broken.yaml'}:3:1: CB002 error" in r.stdout


def test_a_pipe_is_not_read(cli, tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    r = cli("validate", tmp_path / "pipe.yaml")
    assert r.returncode == 2 and "CB001 error not a regular file" in r.stdout


def test_show_json_gives_an_envelope_even_without_figures(cli):
    r = cli("show", "-f", "json", BUDGETS / "schema-errors.yaml")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["total"] is None and {f["code"] for f in data["findings"]} >= {"CB011", "CB013"}


def test_select_takes_comma_lists(cli):
    r = cli("validate", "--select", "CB106,CB107", EXAMPLE)
    assert {m["code"] for m in map(LINE.match, r.stdout.splitlines()[:-1])} == {"CB106", "CB107"}


def test_schema_prints_no_warnings(cli):
    for kind in ("budget", "report", "pack"):
        r = cli("schema", kind)
        assert r.returncode == 0 and r.stderr == ""


def test_lowercase_item_gets_a_suggestion(cli, tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(
        "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2021-12-31}\n"
        "costs:\n  a: [{description: x, amount: 1.00}]\n"
    )
    r = cli("validate", path)
    assert "5:3: CB102 error item 'a' is not defined by call clust-er-2020: did you mean 'A'?" in r.stdout


def test_payment_words_get_the_formats_name(cli, tmp_path):
    budget = tmp_path / "b.yaml"
    budget.write_text(
        "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2021-12-31}\n"
        "costs: {D: [{description: x, amount: 100.00}]}\n"
    )
    (tmp_path / "r.yaml").write_text(
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P, start: 2021-01-01, end: 2021-12-31}\nexpenses:\n"
        "  - {date: 2021-02-01, item: D, description: x, supplier: s, document: '1', amount: 10.00,\n"
        "     paid: 2021-02-02, payment: bonifico}\n"
    )
    r = cli("validate", tmp_path)
    assert (
        "CB210 error invoice 1: payment 'bonifico' is not one of the names the format knows: write bank_transfer"
        in r.stdout
    )


def test_a_folder_without_our_files_passes_with_a_warning(cli, tmp_path):
    (tmp_path / "ci.yml").write_text("jobs: {}\n")
    r = cli("validate", tmp_path)
    assert r.returncode == 0 and "warning: no budget, cost report or call pack found" in r.stderr


def test_an_empty_yaml_file_in_a_folder_is_reported_not_skipped(cli, tmp_path):
    (tmp_path / "budget.yaml").write_text("# the budget was never saved\n")
    r = cli("validate", tmp_path)
    assert r.returncode == 2 and "CB003 error file is empty" in r.stdout


def test_a_closed_pipe_is_not_reported_as_findings(monkeypatch):
    """`clustbudget rules | head -1`: the reader goes away; the exit code says so (141), not 1."""
    import errno
    import io
    import sys

    from clustbudget import cli as cli_module

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def fileno(self):  # the handler points stdout at /dev/null through its descriptor
            return sys.__stdout__.fileno() if sys.__stdout__ else 1

    for args in (["rules"], ["validate", str(EXAMPLE)]):
        monkeypatch.setattr(sys, "argv", ["clustbudget", *args])
        monkeypatch.setattr(sys, "stdout", ClosedPipe())
        monkeypatch.setattr(cli_module.os, "dup2", lambda *a: None)
        assert cli_module._run() == 141, args


def test_junit_survives_control_characters():
    import io

    from clustbudget.findings import Finding, Location, Severity
    from clustbudget.output import junit
    from clustbudget.pipeline import FileResult, RunResult

    bad = Finding("CB209", Severity.ERROR, "invoice \x07FT1 not paid", Location("b\x01.yaml", 3, 1))
    out = io.StringIO()
    junit.write(RunResult([FileResult("b\x01.yaml", "report", [bad])]), out)
    suite = ET.fromstring(out.getvalue().split("\n", 1)[1])
    # the finding's line is the text format's: the control character shown as its escape
    assert suite.get("failures") == "1" and "invoice \\x07FT1" in suite.find("testcase/failure").text


def test_the_readme_flow_runs_as_written(cli, tmp_path):
    """Every command of the README's 'whole flow', on a copy of the example project."""
    import shlex
    import shutil

    readme = (ROOT / "README.md").read_text()
    block = (
        readme.split("## The whole flow, budget to rendiconto", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    )
    commands = [
        line.split("#", 1)[0].strip() for line in block.splitlines() if line.startswith("clustbudget ")
    ]
    assert len(commands) == 10
    shutil.copytree(ROOT / "budgets", tmp_path / "budgets")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for command in commands:
        args = shlex.split(command)[1:]
        expanded = []
        for arg in args:  # the shell's glob, as the README's reader's shell does it
            expanded += (
                sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob(arg)) if "*" in arg else [arg]
            )
        r = cli(*expanded, cwd=tmp_path)
        assert r.returncode == 0, (command, r.stdout, r.stderr)
    assert (tmp_path / "clust-er-health-2020-2022.xlsx").is_file()
    assert (tmp_path / "clust-er-health-2020-2022-SAL-2.xlsx").is_file()
    assert (tmp_path / "out" / "manifest.json").is_file()
    assert (tmp_path / "clust-er-health-2020-2022-results-2021.pdf").is_file()


def test_the_plugin_loader_stand_in_answers_as_pydantics_own_loader():
    """cli.py replaces pydantic's private plugin loader (``pydantic.plugin._loader``) with a
    stand-in that says "no plugins" while plugins are disabled, to spare start-up its import of
    importlib.metadata. A pydantic that renamed or reshaped it would break every model: check,
    in a process without clustbudget, that the real loader has ``get_plugins`` and gives no
    plugin when they are disabled, and that the CLI still builds its models with the stand-in."""
    import subprocess
    import sys

    probe = (
        "import os; os.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'\n"
        "from pydantic.plugin import _loader\n"
        "assert tuple(_loader.get_plugins()) == (), _loader.get_plugins()\n"
        "from pydantic.plugin import _schema_validator\n"
        "import inspect\n"
        "assert 'get_plugins' in inspect.getsource(_schema_validator)\n"
    )
    real = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert real.returncode == 0, real.stderr
    stand_in = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, clustbudget.cli\n"
            "assert sys.modules['pydantic.plugin._loader'].get_plugins() == ()\n"
            "from pathlib import Path\n"
            "from clustbudget.loading import load_file\n"
            f"assert load_file(Path({str(EXAMPLE)!r})).model is not None\n",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert stand_in.returncode == 0, stand_in.stderr


def test_validate_of_a_budget_makes_no_report_model():
    """The cost report's models (reportmodels.py) are made on first use: a budget's `validate`
    does not pay for them. Asked for, they come from clustbudget.models as before."""
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        f"sys.argv = ['clustbudget', 'validate', {str(EXAMPLE)!r}]\n"
        "os._exit = lambda code: None\n"
        "from clustbudget.cli import main\n"
        "main()\n"
        "print('clustbudget.reportmodels' in sys.modules)\n"
        "from clustbudget import models, reportmodels\n"
        "from clustbudget.models import CostReport, Expense\n"
        "assert CostReport is reportmodels.CostReport and Expense is models.Expense\n"
        "try:\n"
        "    models.Nothing\n"
        "except AttributeError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == [
        "False",
        "module 'clustbudget.models' has no attribute 'Nothing'",
    ]


def test_yamls_reader_pattern_is_compiled_on_first_use_and_answers_the_same():
    """cli.main has PyYAML's reader pattern (the characters YAML does not allow) compiled where
    it is used, not at `import yaml`: the same text as PyYAML's, and the pure-Python reader
    rejects the same character with the same message."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from clustbudget import cli\n"
        "{setup}\n"
        "import yaml\n"
        "pattern = yaml.reader.Reader.NON_PRINTABLE\n"
        "print(type(pattern).__name__)\n"
        "print(pattern.pattern == cli._YAML_NON_PRINTABLE)\n"
        "print(pattern.search('ok \\x01 here').start(), pattern.match('ok'), pattern.search('fine'))\n"
        "try:\n"
        "    yaml.load('a: 1\\nb: \\x07\\n', Loader=yaml.SafeLoader)\n"
        "except yaml.YAMLError as exc:\n"
        "    print(exc)\n"
    )
    lent = "on_first_use = cli._yaml_reader_pattern_on_first_use()\non_first_use.__enter__()"
    ours, std = (
        subprocess.run(
            [sys.executable, "-c", probe.format(setup=s)], capture_output=True, text=True, check=False
        )
        for s in (lent, "")
    )
    assert ours.returncode == 0, ours.stderr
    assert std.returncode == 0, std.stderr
    assert ours.stdout.splitlines()[0] == "_CompiledOnFirstUse"
    assert std.stdout.splitlines()[0] == "Pattern"
    assert ours.stdout.splitlines()[1:] == std.stdout.splitlines()[1:]
    assert std.stdout.splitlines()[1] == "True"
    assert "special characters are not allowed" in std.stdout
