"""The data and findings stay byte-identical through the speed work (issue 13).

`validate`, `show` and `report` with `-f json` on the example project and on a generated one
(``golden_project.py``: positions in block and flow style, aliases, duplicate and unknown
keys, schema errors, rule findings across periods) are compared with outputs recorded under
``tests/data/golden/`` (the tool's version blanked). A change that is meant to change the
output (a new rule, a reworded message) records them again:

    CLUSTBUDGET_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and the diff of the recorded files shows, in review, exactly what changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import DATA, ROOT, run_cli
from .golden_project import write_golden_project

GOLDEN = DATA / "golden"
UPDATE = os.environ.get("CLUSTBUDGET_UPDATE_GOLDEN") == "1"

EXAMPLE_BUDGET = "budgets/clust-er-health-2020-2022.yaml"
CASES = {
    "example-validate": ("example", ["validate", "-f", "json", "budgets/"]),
    "example-show": ("example", ["show", "-f", "json", EXAMPLE_BUDGET]),
    "example-report": ("example", ["report", "-f", "json", EXAMPLE_BUDGET]),
    "generated-validate": (
        "generated",
        ["validate", "-f", "json", "golden.yaml", "golden/", "broken-report.yaml", "broken.yaml"],
    ),
    "generated-show": ("generated", ["show", "-f", "json", "golden.yaml"]),
    "generated-report": ("generated", ["report", "-f", "json", "golden.yaml"]),
    "generated-show-broken": ("generated", ["show", "-f", "json", "broken.yaml"]),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden")
    write_golden_project(folder)
    return folder


def normalised(stdout: str) -> str:
    data = json.loads(stdout)
    if isinstance(data.get("tool"), dict):
        data["tool"]["version"] = "<version>"
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_output_is_unchanged(name: str, generated: Path) -> None:
    where, args = CASES[name]
    cwd = ROOT if where == "example" else generated
    result = run_cli(*args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    got = f"exit {result.returncode}\n" + normalised(result.stdout)
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.is_file(), f"no recorded output: run with CLUSTBUDGET_UPDATE_GOLDEN=1 ({path})"
    assert got == path.read_text(encoding="utf-8"), (
        f"{name}: the output changed; if that is meant, record it again with "
        "CLUSTBUDGET_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py and review the diff"
    )


def test_the_generated_project_has_findings_of_every_family(generated: Path) -> None:
    """The generated files are worth comparing: they break reading, schema and rules."""
    result = run_cli(*CASES["generated-validate"][1], cwd=generated)
    codes = {f["code"] for file in json.loads(result.stdout)["files"] for f in file["findings"]}
    assert {"CB010", "CB011", "CB013"} <= codes
    assert any(c.startswith("CB2") for c in codes) and any(c.startswith("CB3") for c in codes)
