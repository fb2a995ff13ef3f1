""".ci/run runs what the README says, in its order: install, lint, format, types, tests.

CI is a contract with the reader of the README: the commands a developer is told to run are the
ones that gate a landing, and the type checker stays as strict as it was configured.
"""

from __future__ import annotations

import re
import tomllib

from .conftest import ROOT

CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def commands() -> list[str]:
    """The commands .ci/run runs at its top level, without the `.venv/bin/` prefix."""
    out = []
    for line in CI_RUN.splitlines():
        if line.startswith(".venv/bin/"):
            out.append(line.removeprefix(".venv/bin/"))
    return out


def test_ci_runs_the_readme_install_checks_and_tests_in_that_order():
    ran = commands()
    quick_start = re.search(
        r"\.venv/bin/pip install -e '\.\[test\]' && \.venv/bin/clustbudget (.+)\n", README
    )
    assert quick_start is not None
    install = ran.index("pip install -q -e '.[test]'")
    assert ran[install + 1] == f"clustbudget {quick_start[1]}"
    checks = ["ruff check src tests", "ruff format --check src tests", "mypy src"]
    for check in checks:
        assert f"`{check}`" in README, check  # the README's Development section names it
    at = [ran.index(check) for check in checks]
    tests = ran.index("python -m pytest")
    assert "```sh\n.venv/bin/python -m pytest\n```" in README
    assert install < at[0] < at[1] < at[2] < tests == len(ran) - 1
    # the checks' tools come from the dev extra, installed before them
    assert ran.index("pip install -q -e '.[dev]'") < at[0]


def test_the_dev_extra_has_the_type_checker_and_the_stubs_it_needs():
    dev = " ".join(PYPROJECT["project"]["optional-dependencies"]["dev"])
    for package in ("ruff", "mypy", "types-PyYAML", "types-openpyxl"):
        assert package in dev, package


def test_mypy_stays_strict_on_src():
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["files"] == ["src"]
    for flag in (
        "check_untyped_defs",
        "disallow_incomplete_defs",
        "disallow_untyped_defs",
        "warn_unused_ignores",
    ):
        assert mypy.get(flag) is True, flag
    assert "ignore_errors" not in mypy and "ignore_missing_imports" not in mypy
    for override in mypy.get("overrides", []):  # no module quietly exempted
        assert not override.get("ignore_errors"), override
