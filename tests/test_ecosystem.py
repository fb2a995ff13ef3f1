"""The ecosystem's conventions: the pre-commit hook, shell completion, the README's CI workflow.

The pre-commit test runs ``pre-commit try-repo`` on this checkout: pre-commit installs
clustbudget from it into an environment of its own (``language: python``: ``pip install .``),
so it needs the package registry for the dependencies, and nothing else. Without pre-commit
(an old development virtualenv) it is skipped, and fails when ``CI`` is set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, run_cli

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def test_the_hook_runs_validate_on_budget_and_report_files():
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "clustbudget-validate" and hook["entry"] == "clustbudget validate"
    assert hook["language"] == "python" and hook["types"] == ["yaml"]
    # one run for all the files, so that reports are checked with each other and their budget
    assert hook["require_serial"] is True
    files = re.compile(hook["files"])
    for path in ("budgets/clust-er-health-2020-2022.yaml", "budgets/clust-er-health-2020-2022/sal-1.yaml"):
        assert files.search(path), path
    for path in (".pre-commit-config.yaml", ".github/workflows/budgets.yml", "mkdocs.yml"):
        assert not files.search(path), path


def _pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        message = "pre-commit is not installed (the test extra: pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must install it", pytrace=False)
        pytest.skip(message)
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: pre-commit try-repo needs one")
    return [sys.executable, "-m", "pre_commit"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory):
    """A team's repository holding the example project, and a pre-commit home of its own."""
    repo = tmp_path_factory.mktemp("user-repo")
    shutil.copytree(ROOT / "budgets", repo / "budgets")
    (repo / "notes.yaml").write_text("not: a budget\n")  # outside budgets/: not the hook's business
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    env.pop("CLUSTBUDGET_DEBUG", None)
    return repo, env


def _try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_pre_commit(), "try-repo", str(ROOT), "clustbudget-validate", "--all-files", "--verbose"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # the first run installs clustbudget and its dependencies
    )


def test_pre_commit_hook_passes_on_the_example_and_fails_on_a_broken_budget(user_repo):
    repo, env = user_repo
    ok = _try_repo(repo, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"clustbudget validate\.+Passed", ok.stdout), ok.stdout
    # the example's real warnings, from the budget and its reports validated together
    assert "CB106 warning" in ok.stdout and "5 files checked: 0 errors" in ok.stdout

    broken = (repo / "budgets" / "clust-er-health-2020-2022.yaml").read_text(encoding="utf-8")
    assert "  E: 40000.00" in broken
    (repo / "budgets" / "broken.yaml").write_text(broken.replace("  E: 40000.00", "  E: 40000.01"))
    _git(repo, "add", "-A")
    failed = _try_repo(repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"clustbudget validate\.+Failed", failed.stdout), failed.stdout
    assert re.search(r"budgets/broken\.yaml:\d+:\d+: CB103 error declared E", failed.stdout), failed.stdout
    assert "notes.yaml" not in failed.stdout


def test_show_completion_prints_a_script_for_the_shell():
    # the shell it runs in, as typer detects it (bash under .ci/run)
    detected = run_cli("--show-completion")
    assert detected.returncode == 0, detected.stderr
    assert re.search(r"_CLUSTBUDGET_COMPLETE=complete_(bash|zsh|fish|powershell)", detected.stdout)
    # a shell named on the command line (typer takes a name when it does not detect one)
    no_detection = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    bash = run_cli("--show-completion", "bash", env=no_detection)
    assert bash.returncode == 0, bash.stderr
    assert "_CLUSTBUDGET_COMPLETE=complete_bash" in bash.stdout
    assert "complete -o default -F _clustbudget_completion clustbudget" in bash.stdout
    zsh = run_cli("--show-completion", "zsh", env=no_detection)
    assert zsh.returncode == 0 and "compdef _clustbudget_completion clustbudget" in zsh.stdout


def test_the_completion_script_completes_commands_and_choices():
    # what the bash script asks clustbudget when the user presses Tab
    def complete(line: str) -> list[str]:
        words = line.split(" ")
        env = {
            "_CLUSTBUDGET_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
        }
        r = run_cli(env=env)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()

    assert complete("clustbudget val") == ["validate"]
    assert complete("clustbudget import-e") == ["import-expenses"]
    assert "import-invoices" in complete("clustbudget imp")
    assert complete("clustbudget validate --output-format ") == ["text", "json", "github", "junit"]


def _readme_workflow() -> dict:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("`.github/workflows/budgets.yml`", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", after, flags=re.S)
    assert block is not None, "no workflow after the mention of .github/workflows/budgets.yml"
    return yaml.safe_load(block[1])


def test_the_readme_workflow_installs_from_the_checkout_and_its_command_runs():
    workflow = _readme_workflow()
    assert workflow[True] == ["push", "pull_request"]  # `on:`, which YAML 1.1 reads as true
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("actions/setup-python@")
    assert steps[1]["with"]["python-version"] == "3.11"  # requires-python >= 3.11
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == ["pip install .", "clustbudget validate --output-format github budgets/"]
    # `pip install .` is what pre-commit does too (test above); here the command itself
    program, *args = runs[1].split()
    assert program == "clustbudget"
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert any(line.startswith("::warning file=budgets/") for line in r.stdout.splitlines()), r.stdout
