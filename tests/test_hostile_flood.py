"""A flood of schema errors (issue 12): a list of a million bad entries is refused with at
most :data:`~clustbudget.loading.MAX_SCHEMA_ERRORS` findings, under a 1 GiB address-space limit
(``RLIMIT_AS``), never out of memory; long lists are validated in pieces, to the same model."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from clustbudget.loading import LONG_LIST, MAX_SCHEMA_ERRORS, load_file

GIB = 1 << 30
BUDGET = "clustbudget: 1\ncall: clust-er-2020\nproject:\n  title: T\n  start: 2021-01-01\n  end: 2021-12-31\n"


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CLUSTBUDGET_DEBUG", "CLUSTBUDGET_LANG", "LANG")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "clustbudget", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        preexec_fn=limited,
        timeout=300,
        check=False,
    )


def test_a_million_bad_cost_lines_are_capped_under_1_gib(tmp_path):
    path = tmp_path / "b.yaml"
    with path.open("w") as out:
        out.write(BUDGET + "costs:\n  A:\n")
        out.write("    - x\n" * 1_000_000)
    r = run("validate", path, cwd=tmp_path)
    assert "Traceback" not in r.stderr and "out of memory" not in r.stderr, r.stderr[-2000:]
    assert r.returncode == 1, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    errors = [t for t in lines if " CB013 error " in t]
    assert MAX_SCHEMA_ERRORS <= len(errors) <= MAX_SCHEMA_ERRORS + 1
    assert errors[0].startswith(f"{path}:9:7: CB013 error A: expected a mapping")  # the first bad entry
    assert any("more errors past these 1,000: the rest of the file was not checked" in t for t in lines)


def test_900_000_empty_expenses_are_capped_under_1_gib(tmp_path):
    (tmp_path / "b.yaml").write_text(BUDGET + "costs:\n  D:\n    - {description: d, amount: 100.00}\n")
    path = tmp_path / "r.yaml"
    with path.open("w") as out:
        out.write(
            "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P1, start: 2021-01-01, end: 2021-12-31}\nexpenses:\n"
        )
        out.write("  - {}\n" * 900_000)  # within the 1,000,000 mappings a file may have
    r = run("validate", "--lang", "it", path, cwd=tmp_path)
    assert "Traceback" not in r.stderr and "memoria esaurita" not in r.stderr, r.stderr[-2000:]
    assert r.returncode == 1, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    assert len([t for t in lines if " CB012 " in t]) <= MAX_SCHEMA_ERRORS + 10 * LONG_LIST
    assert any("altri errori oltre questi 1.000" in t for t in lines), lines[-5:]


def report(tmp_path: Path, n: int, bad: int | None = None) -> Path:
    (tmp_path / "b.yaml").write_text(BUDGET + "costs:\n  D:\n    - {description: d, amount: 100000.00}\n")
    path = tmp_path / "r.yaml"
    rows = [
        f"  - {{date: 2021-03-01, item: D, description: e{i}, supplier: S{i}, document: 'F{i}',"
        f" amount: {'ten' if i == bad else '10.00'}, paid: 2021-03-02, payment: bank_transfer}}\n"
        for i in range(n)
    ]
    path.write_text(
        "clustbudget: 1\nbudget: b.yaml\nperiod: {id: P1, start: 2021-01-01, end: 2021-12-31}\nexpenses:\n"
        + "".join(rows)
    )
    return path


def test_an_error_past_the_first_piece_of_a_long_list_is_at_its_line(tmp_path):
    path = report(tmp_path, 2 * LONG_LIST + 500, bad=LONG_LIST + 733)
    loaded = load_file(path, "r.yaml")
    errors = [f for f in loaded.findings if f.code == "CB013"]
    assert [(f.location.line, f.message.split(":")[0]) for f in errors] == [(5 + LONG_LIST + 733, "amount")]
    assert loaded.model is None


def test_a_long_valid_list_gives_the_same_model_as_one_validation(tmp_path):
    from clustbudget.models import CostReport

    path = report(tmp_path, 2 * LONG_LIST + 500)
    loaded = load_file(path, "r.yaml")
    assert loaded.model is not None
    whole = CostReport.model_validate(loaded.doc.data)
    assert loaded.model.model_dump() == whole.model_dump()
    assert len(loaded.model.expenses) == 2 * LONG_LIST + 500
    assert sum(e.amount for e in loaded.model.expenses) == D("25000.00")


def test_the_entries_of_a_long_list_share_one_set_of_the_fields_written(tmp_path):
    # 0.7 KiB an expense: the entries that give the same keys share one fields set, and a copy
    # that sets more fields has its own (the others keep theirs).
    path = report(tmp_path, 2 * LONG_LIST + 500)
    expenses = load_file(path, "r.yaml").model.expenses
    first = expenses[0].model_fields_set
    assert all(e.model_fields_set is first for e in expenses)
    assert first == {"date", "item", "description", "supplier", "document", "amount", "paid", "payment"}
    copy = expenses[1].model_copy(update={"note": "n"})
    assert "note" in copy.model_fields_set and "note" not in expenses[2].model_fields_set
