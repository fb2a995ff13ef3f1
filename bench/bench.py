#!/usr/bin/env python3
"""Benchmarks of the clustbudget command line, run as users run it (subprocesses).

    python bench/bench.py                 # everything (a few minutes)
    python bench/bench.py --quick         # fewer repetitions (about a minute less)
    python bench/bench.py --only startup  # one measurement (or several: --only files,import)
    python bench/bench.py --profile       # also: -X importtime against the floor, cProfile of big runs

Standard library only. Each run's wall time and peak RSS come from ``os.wait4``. Ratios are
taken against a floor or a peer tool run on the same data, interleaved with ours (one of
ours, one of theirs, repeated), as medians. It prints one table, a row per target of issue 13
and the earlier absolute targets, each PASS, FAIL, n.a. (with why) or info; see
bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "budgets" / "clust-er-health-2020-2022.yaml"
FLOOR_CODE = "import typer, yaml; from pydantic import BaseModel; from rich.console import Console"
YAML_LOOP_CODE = (
    "import sys, yaml, pathlib\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*')):\n"
    "    if p.suffix in ('.yaml', '.yml'):\n"
    "        yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n"
)
IMPORT_FLOOR_CODE = (
    "import csv, sys, yaml\n"
    "with open(sys.argv[1], newline='', encoding='utf-8') as fh:\n"
    "    rows = csv.reader(fh, delimiter=';')\n"
    "    header = next(rows)\n"
    "    out = [dict(zip(header, row)) for row in rows]\n"
    "with open(sys.argv[2], 'w', encoding='utf-8') as fh:\n"
    "    yaml.dump({'expenses': out}, fh, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)\n"
)

# Targets of issue 13 (ratios on this machine, in one run) and the earlier absolute ones.
STARTUP_RATIO = 1.15  # validate start-up / bare imports of typer+yaml+pydantic+rich
FILES_RATIO = 1.2  # 1,000 budgets / a libyaml parse loop over them
REPORT_RATIO = 1.0  # 20,000-expense report validate / hledger check on 20,000 transactions
IMPORT_RATIO = 1.1  # import-expenses of 20,000 rows / csv.reader + yaml.dump
KIB_PER_EXPENSE = 4.0  # peak RSS of validate at 200,000 expenses, per expense
BIG_RSS = 1 << 30  # 200,000-expense validate and export: each under 1 GiB
LINEAR_RATIO = 2.2  # time at 200,000 / time at 100,000 (2.0 is exactly linear)
EXPORT_TARGET = 2.5  # s, a budget of 20,000 cost lines
REPORT_EXPORT_TARGET = 3.0  # s, budget + 20,000 expense lines

N_FILES = 1000
N_BIG_LINES = 20_000
N_EXPENSES = 20_000
N_IMPORT = 20_000
N_LARGE = (100_000, 200_000)

# ---------------------------------------------------------------- running the CLI


ENV: dict[str, str] = {}


def set_env(work: Path) -> None:
    """The environment of every run: the user's, with bytecode cached (in ``work``).

    An editable install has no .pyc for clustbudget's own modules, and PYTHONDONTWRITEBYTECODE
    (often set in containers) would recompile them on every run; users of a wheel have them.
    The cache goes under ``work`` so the source tree is left untouched; warm-ups fill it.
    """
    ENV.clear()
    ENV.update(os.environ)
    for var in (
        "PYTHONPROFILEIMPORTTIME",
        "PYTHONDEVMODE",
        "PYTHONTRACEMALLOC",
        "PYTHONDONTWRITEBYTECODE",
        "CLUSTBUDGET_DEBUG",
    ):
        ENV.pop(var, None)
    ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    ENV["NO_COLOR"] = "1"


def find_cli() -> tuple[list[str], str]:
    """The command users run, and the interpreter it runs on (for the floors).

    Prefers the console script installed next to ``sys.executable``; the fallback calls
    ``main()`` explicitly.
    """
    here = Path(sys.executable).parent
    for name in ("clustbudget", "clustbudget.exe"):
        script = here / name
        if script.is_file():
            interpreter = sys.executable
            try:
                first = script.read_bytes().split(b"\n", 1)[0].decode()
            except (OSError, UnicodeDecodeError):
                first = ""
            if first.startswith("#!") and " " not in first[2:].strip():
                interpreter = first[2:].strip()
            return [str(script)], interpreter
    return [sys.executable, "-c", "from clustbudget.cli import main; main()"], sys.executable


CLI, INTERPRETER = find_cli()


def find_tool(name: str) -> str | None:
    """A peer tool on PATH or next to the interpreter (bean-check installed in a venv)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


@dataclass
class Run:
    seconds: float
    rc: int
    stdout: str
    stderr: str
    max_rss: int  # bytes, from os.wait4

    def last_line(self) -> str:
        """The line that best says why a run failed (typer's boxed usage errors unboxed)."""
        lines = [ln.strip(" │╭╮╰╯─\t") for ln in (self.stderr + self.stdout).splitlines()]
        lines = [ln for ln in lines if ln and ln != "Error"]
        for ln in lines:
            if ln.startswith("clustbudget:") or "rror" in ln or "unexpected" in ln.lower():
                return f"exit {self.rc}: {ln[:160]}"
        return f"exit {self.rc}: {lines[-1][:160]}" if lines else f"exit {self.rc}"

    def first_error(self) -> str:
        for ln in (self.stdout + self.stderr).splitlines():
            if " error " in ln or ln.startswith("clustbudget:"):
                return ln.strip()[:160]
        return self.last_line()


def run_once(cmd: Sequence[str], cwd: Path | None = None) -> Run:
    """One run: wall time, exit code, output and peak RSS (``ru_maxrss`` of ``os.wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(list(cmd), stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, env=ENV)
        _, wstatus, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t0
        p.returncode = rc = os.waitstatus_to_exitcode(wstatus)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Run(elapsed, rc, stdout, stderr, rss)


def timed(cmd: Sequence[str], runs: int, warmups: int, cwd: Path | None = None) -> tuple[list[Run], Run]:
    """``runs`` runs after ``warmups``; stops early when a run fails (rc >= 2)."""
    last = None
    for _ in range(warmups):
        last = run_once(cmd, cwd)
        if last.rc >= 2:
            return [], last
    done = []
    for _ in range(runs):
        last = run_once(cmd, cwd)
        if last.rc >= 2:
            return done, last
        done.append(last)
    assert last is not None
    return done, last


def interleaved(
    ours: Sequence[str],
    theirs: Sequence[str],
    runs: int,
    warmups: int,
    before: Sequence[str] | None = None,
    ok: tuple[int, ...] = (0, 1),
) -> tuple[list[Run], list[Run], Run | None]:
    """Ours and theirs alternately, ``warmups`` pairs then ``runs`` pairs (``before`` is run,
    untimed, before each of ours: it restores a file ours changes). Returns (ours, theirs,
    the failed run or None)."""
    a: list[Run] = []
    b: list[Run] = []
    for i in range(warmups + runs):
        if before is not None:
            run_once(before)
        x = run_once(ours)
        if x.rc not in ok:
            return a, b, x
        y = run_once(theirs)
        if y.rc != 0:
            return a, b, y
        if i >= warmups:
            a.append(x)
            b.append(y)
    return a, b, None


# ---------------------------------------------------------------- results


@dataclass
class Result:
    name: str
    what: str
    measured: str
    target: str
    status: str  # PASS, FAIL, n.a. or info
    note: str = ""


RESULTS: list[Result] = []


def report(result: Result) -> None:
    RESULTS.append(result)
    note = f"  [{result.note}]" if result.note else ""
    print(f"  {result.name:<20} {result.measured:<34} {result.target:<12} {result.status}{note}", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def mib(n: float) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def median_s(runs: Sequence[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def status(value: float, target: float, strict: bool = False) -> str:
    return "PASS" if (value < target if strict else value <= target) else "FAIL"


# ---------------------------------------------------------------- generated data

TWO = Decimal("0.01")
ACTION_TITLES = [
    "Vita associativa e funzionamento dell'Associazione",
    "Promozione e sviluppo dell'Associazione",
    "Supporto strategico regionale e azioni di sistema",
    "Azioni di sistema per il capitale umano e le competenze",
    "Internazionalizzazione della filiera",
    "Laboratori e progetti di ricerca collaborativa",
]
ROLES = ["Cluster Manager", "Communication Manager", "Project Officer", "Innovation Broker", "Segreteria"]
DESCRIPTIONS = {
    "A": ["Cluster Manager (coordinatore operativo)", "Coordinatore operativo", "Cluster manager, quota"],
    "B": [
        "Communication Manager",
        "Project officer",
        "Innovation broker",
        "Addetto alla segreteria tecnica",
        "Esperto di trasferimento tecnologico",
    ],
    "C": ["Notebook e monitor", "Videoproiettore", "Server per la piattaforma", "Attrezzatura per eventi"],
    "D": [
        "Stand a MEDICA",
        "Sito web e newsletter",
        "Evento annuale del Clust-ER",
        "Video promozionale",
        "Traduzioni",
        "Campagna social",
        "Brochure e materiali a stampa",
        "Partecipazione a fiera internazionale",
    ],
}
SUPPLIER_WORDS = ["Alfa", "Emilia", "Bologna", "Adriatica", "Nord", "Digitale", "Eventi", "Stampa", "Media"]
PAYMENTS = ["bank_transfer", "card", "pagopa", "direct_debit", "other_traceable"]


def money(rng: random.Random, lo: int, hi: int, whole: float = 0.2) -> Decimal:
    """A random amount in euro between lo and hi; a share of them in whole euro."""
    cents = rng.randint(lo * 100, hi * 100)
    if rng.random() < whole:
        cents -= cents % 100
    return Decimal(cents).scaleb(-2)


def amount_text(rng: random.Random, value: Decimal) -> str:
    """The ways users write amounts: 1500.00, 1500, "1500.00"."""
    text = f"{value:f}"
    r = rng.random()
    if r < 0.1:
        return f'"{text}"'
    if r < 0.25 and value == value.to_integral_value():
        return str(int(value))
    return text


def split(rng: random.Random, value: Decimal, parts: int) -> list[Decimal]:
    """``value`` split into ``parts`` random amounts (to the cent) that add up exactly."""
    cents = int(value.scaleb(2))
    cuts = sorted(rng.randint(0, cents) for _ in range(parts - 1))
    bounds = [0, *cuts, cents]
    return [Decimal(b - a).scaleb(-2) for a, b in pairwise(bounds)]


def add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    y, m = divmod(index, 12)
    return date(y, m + 1, min(start.day, 28))


def flat_rate(direct: Decimal) -> Decimal:
    return (Decimal("0.25") * direct).quantize(TWO, rounding=ROUND_HALF_UP)


def budget_text(rng: random.Random, index: int, lines_per_item: tuple[int, int] = (0, 6)) -> str:
    """One valid budget (FORMAT.md §1), varied: packs, dates, actions, staff, by_year, declared."""
    pr = rng.random() < 0.3
    call = "pr-fesr-2021-2027" if pr else "clust-er-2020"
    start = date(rng.randint(2021, 2025), rng.randint(1, 12), 1) if pr else None
    if start is None:
        start = date(rng.randint(2015, 2020), rng.randint(1, 12), 1)
    months = rng.choice([12, 18, 24, 24, 30, 36])
    end = add_months(start, months) - timedelta(days=1)
    n_actions = rng.choice([0, 0, 2, 3, 4, 5])
    action_ids = [str(i + 1) if rng.random() < 0.7 else f"wp{i + 1}" for i in range(n_actions)]
    out = [
        f"# Generated by bench/bench.py: budget {index}",
        "clustbudget: 1",
        f"call: {call}",
        "project:",
        f"  title: Progetto di prova {index} del Clust-ER",
    ]
    if rng.random() < 0.7:
        out.append(f"  beneficiary: Associazione Clust-ER {rng.choice(SUPPLIER_WORDS)}")
    if rng.random() < 0.3:
        out.append(f"  cup: E{rng.randint(10, 99)}B{rng.randint(10**9, 10**10 - 1)}")
    out.append(f"  programme: {'PR FESR 2021-2027' if pr else 'POR FESR 2014-2020'}")
    out.append(f"  start: {start.isoformat()}")
    out.append(f"  end: {end.isoformat()}                      # inclusive")
    if rng.random() < 0.8:
        out.append(f"  duration_months: {months}")
    out.append(f"  vat_recoverable: {'true' if rng.random() < 0.8 else 'false'}")
    if pr:
        out.append(f"  state_aid: {'true' if rng.random() < 0.5 else 'false'}")
        out.append("  flat_rate_method: Metodo di calcolo approvato dalla Regione, delibera di prova")
    if action_ids:
        out.append("actions:")
        for i, ident in enumerate(action_ids):
            out.append(f'  - id: "{ident}"')
            out.append(f"    title: {ACTION_TITLES[i % len(ACTION_TITLES)]}")
    if rng.random() < 0.6:
        out.append("staff:")
        for i, role in enumerate(rng.sample(ROLES, rng.randint(1, 3))):
            out.append(f"  - id: staff-{i + 1}")
            out.append(f"    role: {role}")
            if rng.random() < 0.5:
                out.append(f"    engaged_since: {start.year - rng.randint(0, 3)}")
    out.append("costs:")
    years = list(range(start.year, end.year + 1))
    totals: dict[str, Decimal] = {}
    for key in "ABCD":
        n = rng.randint(*lines_per_item)
        if key == "A":
            n = max(n, 1)
        if n == 0:
            out.append(f"  {key}: []")
            totals[key] = Decimal("0.00")
            continue
        out.append(f"  {key}:")
        total = Decimal("0.00")
        for j in range(n):
            amount = money(rng, 200, 90_000 if key in "AB" else 15_000)
            total += amount
            out.append(f"    - description: {rng.choice(DESCRIPTIONS[key])} ({j + 1})")
            out.append(f"      amount: {amount_text(rng, amount)}")
            if action_ids and rng.random() < 0.5:
                if rng.random() < 0.3 and len(action_ids) > 1:
                    refs = rng.sample(action_ids, 2)
                    out.append(f"      action: [{', '.join(json.dumps(r) for r in refs)}]")
                else:
                    ref = rng.choice(action_ids)
                    out.append(
                        f"      action: {ref if ref.isdigit() and rng.random() < 0.5 else json.dumps(ref)}"
                    )
            if rng.random() < 0.35 and len(years) > 1:
                parts = split(rng, amount, len(years))
                pairs = ", ".join(f"{y}: {p:f}" for y, p in zip(years, parts, strict=True))
                out.append(f"      by_year: {{{pairs}}}")
            if rng.random() < 0.1:
                out.append("      note: stima sulla base dei costi dell'anno precedente")
        totals[key] = total
    direct = sum(totals.values(), Decimal("0.00"))
    if rng.random() < 0.6:
        e = flat_rate(direct)
        out.append("declared:")
        out.append(f"  E: {e:f}")
        out.append(f"  total: {direct + e:f}")
    return "\n".join(out) + "\n"


def write_budget_folder(folder: Path, n: int, seed: int = 20201001) -> None:
    """``n`` varied budgets, in a few subfolders, some as .yml."""
    rng = random.Random(seed)
    for i in range(n):
        sub = folder / f"group-{i % 10:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        suffix = ".yml" if i % 7 == 3 else ".yaml"
        (sub / f"budget-{i:04d}{suffix}").write_text(budget_text(rng, i), encoding="utf-8")


def big_budget_text(n_lines: int, seed: int = 7) -> str:
    """A budget of ``n_lines`` cost lines (clust-er-2020, 2020-10 to 2023-09), valid."""
    rng = random.Random(seed)
    actions = [str(i + 1) for i in range(6)]
    out = [
        "# Generated by bench/bench.py: a budget with many cost lines",
        "clustbudget: 1",
        "call: clust-er-2020",
        "project:",
        "  title: Progetto grande per il benchmark di export",
        "  beneficiary: Clust-ER Health",
        "  programme: POR FESR 2014-2020",
        "  start: 2020-10-01",
        "  end: 2023-09-30",
        "  duration_months: 36",
        "  vat_recoverable: true",
        "actions:",
    ]
    for i, ident in enumerate(actions):
        out += [f'  - id: "{ident}"', f"    title: {ACTION_TITLES[i]}"]
    out.append("costs:")
    years = [2020, 2021, 2022, 2023]
    direct = Decimal("0.00")
    per_item = n_lines // 4
    for k, key in enumerate("ABCD"):
        out.append(f"  {key}:")
        count = per_item if k < 3 else n_lines - 3 * per_item
        for j in range(count):
            amount = money(rng, 10, 5000, whole=0.1)
            direct += amount
            out.append(f"    - description: {rng.choice(DESCRIPTIONS[key])} ({j + 1})")
            out.append(f"      amount: {amount:f}")
            if rng.random() < 0.5:
                out.append(f'      action: "{rng.choice(actions)}"')
            if rng.random() < 0.3:
                parts = split(rng, amount, len(years))
                pairs = ", ".join(f"{y}: {p:f}" for y, p in zip(years, parts, strict=True))
                out.append(f"      by_year: {{{pairs}}}")
    e = flat_rate(direct)
    out += ["declared:", f"  E: {e:f}", f"  total: {direct + e:f}"]
    return "\n".join(out) + "\n"


def write_report_project(
    folder: Path, n_expenses: int, seed: int = 99, journals: bool = False
) -> tuple[Path, Path]:
    """A budget and one cost report of ``n_expenses`` expenses, laid out as FORMAT.md §3 shows.

    With ``journals``, the same expenses also as an hledger journal (``journal.hledger``) and a
    Beancount file (``journal.beancount``), one transaction each, for the peer runs.
    Returns (budget, report). Every invoice is distinct (supplier, document, year); hours stay
    under the yearly cap; payments are traceable; dates fall inside the period.
    """
    rng = random.Random(seed)
    start, end = date(2020, 10, 1), date(2022, 9, 30)
    days = (end - start).days
    suppliers = []
    for i in range(400):
        name = f"{rng.choice(SUPPLIER_WORDS)} {rng.choice(SUPPLIER_WORDS)} S.r.l. {i}"
        vat = f"IT{rng.randint(10**10, 10**11 - 1)}" if rng.random() < 0.8 else None
        suppliers.append((name, vat))
    actions = ["1", "2", "3", "4"]
    lines = [
        "# Generated by bench/bench.py: a cost report with many expenses",
        "clustbudget: 1",
        "budget: ../bench-project.yaml",
        f"period: {{id: SAL-1, start: {start.isoformat()}, end: {end.isoformat()}}}",
        "staff:",
    ]
    staff_cost = {"A": Decimal(0), "B": Decimal(0)}
    for ident, name, item, gross, hpy, lo, hi in (
        ("cluster-manager", "Cluster Manager", "A", "65000.00", None, 90, 140),
        ("communication-manager", "Communication Manager", "B", "42000.00", "860", 40, 70),
    ):
        lines += [
            f"  - id: {ident}",
            f"    name: {name}",
            f"    item: {item}",
            f"    annual_gross_cost: {gross}",
            "    cost_year: 2019",
        ]
        if hpy:
            lines.append(f"    hours_per_year: {hpy}")
        lines.append("    hours:")
        rate = (Decimal(gross) / Decimal(hpy or 1720)).quantize(TWO, rounding=ROUND_HALF_UP)
        m = start
        while m <= end:
            h = rng.randint(lo, hi)
            staff_cost[item] += rate * h
            lines.append(f"      {m.year}-{m.month:02d}: {h}")
            m = add_months(m, 1)
    lines.append("expenses:")
    txns: list[tuple[str, str, str, str, Decimal]] = []
    spent = {"C": Decimal(0), "D": Decimal(0)}
    for i in range(n_expenses):
        item = "C" if rng.random() < 0.2 else "D"
        d = start + timedelta(days=rng.randint(0, days))
        paid = min(d + timedelta(days=rng.randint(0, 60)), end)
        supplier, vat_no = rng.choice(suppliers)
        amount = money(rng, 20, 3000, whole=0.1)
        vat = (amount * Decimal("0.22")).quantize(TWO, rounding=ROUND_HALF_UP)
        spent[item] += amount + vat
        lines += [
            f"  - date: {d.isoformat()}",
            f"    item: {item}",
            f"    description: {rng.choice(DESCRIPTIONS[item])}",
            f"    supplier: {supplier}",
            f"    supplier_vat: {vat_no or 'null'}",
            f'    document: "FT {d.year}/{i + 1}"',
            f"    amount: {amount:f}",
        ]
        with_vat = rng.random() < 0.6
        if with_vat:
            lines.append(f"    vat: {vat:f}")
        txns.append(
            (d.isoformat(), supplier, f"FT {d.year}/{i + 1}", item, amount + (vat if with_vat else 0))
        )
        if rng.random() < 0.05:
            lines.append('    eligible_share: "0.5"')
        lines += [f"    paid: {paid.isoformat()}", f"    payment: {rng.choice(PAYMENTS)}"]
        if rng.random() < 0.3:
            lines.append(f"    payment_ref: CRO{rng.randint(10**10, 10**11 - 1)}")
        if rng.random() < 0.5:
            lines.append(f'    action: "{rng.choice(actions)}"')
    # The budget covers what the report spends, with some margin.
    plan = {k: (v * Decimal("1.2")).quantize(Decimal(1)) for k, v in {**staff_cost, **spent}.items()}
    direct = sum(plan.values(), Decimal(0))
    e = flat_rate(direct)
    budget = [
        "# Generated by bench/bench.py: the budget of the cost-report benchmark",
        "clustbudget: 1",
        "call: clust-er-2020",
        "project:",
        "  title: Progetto per il benchmark delle rendicontazioni",
        "  programme: POR FESR 2014-2020",
        f"  start: {start.isoformat()}",
        f"  end: {end.isoformat()}",
        "  duration_months: 24",
        "  vat_recoverable: false             # VAT is then eligible (not one CB212 info per invoice)",
        "actions:",
        *(f'  - id: "{a}"\n    title: {ACTION_TITLES[int(a) - 1]}' for a in actions),
        "staff:",
        "  - id: cluster-manager",
        "    role: Cluster Manager",
        "  - id: communication-manager",
        "    role: Communication Manager",
        "costs:",
        *(
            f"  {k}:\n    - description: {DESCRIPTIONS[k][0]}\n      amount: {v:f}.00"
            for k, v in plan.items()
        ),
        "declared:",
        f"  E: {e:f}",
        f"  total: {direct + e:f}",
    ]
    folder.mkdir(parents=True, exist_ok=True)
    budget_path = folder / "bench-project.yaml"
    budget_path.write_text("\n".join(budget) + "\n", encoding="utf-8")
    report_path = folder / "bench-project" / "sal-1.yaml"
    report_path.parent.mkdir(exist_ok=True)
    report_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if journals:
        write_journals(folder, txns)
    return budget_path, report_path


def write_journals(folder: Path, txns: list[tuple[str, str, str, str, Decimal]]) -> None:
    """The expenses as plain-text accounting journals: hledger's and Beancount's syntax."""
    hl = []
    bc = ['option "operating_currency" "EUR"', "2020-01-01 open Assets:Bank EUR"]
    bc += [f"2020-01-01 open Expenses:{k} EUR" for k in "ABCD"]
    for day, supplier, doc, item, total in txns:
        hl.append(f"{day} {supplier} | {doc}\n    expenses:{item}    {total:f} EUR\n    assets:bank\n")
        bc.append(f'{day} * "{supplier}" "{doc}"\n  Expenses:{item}  {total:f} EUR\n  Assets:Bank\n')
    (folder / "journal.hledger").write_text("\n".join(hl), encoding="utf-8")
    (folder / "journal.beancount").write_text("\n".join(bc), encoding="utf-8")


LEDGER_HEADER = [
    "Data",
    "Voce",
    "Descrizione",
    "Fornitore",
    "Partita IVA",
    "Numero documento",
    "Importo",
    "IVA",
    "Data pagamento",
    "Modalità di pagamento",
]
PAYMENT_WORDS = ["bonifico", "carta", "PagoPA", "RID", "bonifico bancario"]


def write_ledger(path: Path, n_rows: int, seed: int = 5) -> None:
    """An accountant's ledger of ``n_rows`` invoices as an Italian spreadsheet exports it:
    ``;``, ``1.250,00``, ``14/06/2021``; dated and paid inside SAL-1 of the report project."""
    rng = random.Random(seed)
    start, days = date(2020, 10, 1), 670
    rows = [";".join(LEDGER_HEADER)]
    for i in range(n_rows):
        d = start + timedelta(days=rng.randint(0, days))
        paid = d + timedelta(days=rng.randint(0, 20))
        amount = money(rng, 20, 3000, whole=0.1)
        vat = (amount * Decimal("0.22")).quantize(TWO, rounding=ROUND_HALF_UP)
        whole, cents = f"{amount:f}".split(".")
        it_amount = f"{int(whole):,}".replace(",", ".") + "," + cents
        rows.append(
            ";".join(
                [
                    d.strftime("%d/%m/%Y"),
                    rng.choice("CD"),
                    rng.choice(DESCRIPTIONS["D"]),
                    f"{rng.choice(SUPPLIER_WORDS)} {rng.choice(SUPPLIER_WORDS)} S.r.l.",
                    f"IT{rng.randint(10**10, 10**11 - 1)}",
                    f"L-{i + 1}/{d.year}",
                    it_amount,
                    f"{vat:f}".replace(".", ","),
                    paid.strftime("%d/%m/%Y"),
                    rng.choice(PAYMENT_WORDS),
                ]
            )
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- measurements


@dataclass
class Options:
    quick: bool
    only: list[str]
    profile: bool
    work: Path
    runs: int = field(init=False)
    warmups: int = field(init=False)
    big_runs: int = field(init=False)
    big_warmups: int = field(init=False)

    def __post_init__(self) -> None:
        self.runs, self.warmups = (5, 1) if self.quick else (15, 2)
        self.big_runs, self.big_warmups = (1, 0) if self.quick else (3, 1)

    def wants(self, name: str) -> bool:
        return not self.only or name in self.only


def warm_up(work: Path) -> None:
    """Fill the bytecode cache for every command path measured, on small inputs.

    Python compiles each module on its first import under a new cache prefix; without this a
    --quick run (no warm-up runs) would time the compilation of the export or report modules.
    """
    budget, rep = write_report_project(work / "warm", 10)
    ledger = work / "warm-ledger.csv"
    write_ledger(ledger, 5)
    for cmd in (
        [INTERPRETER, "-c", FLOOR_CODE],
        [*CLI, "validate", str(EXAMPLE)],
        [*CLI, "validate", str(rep)],
        [*CLI, "export", str(EXAMPLE), "-o", str(work / "warm.xlsx"), "--force"],
        [*CLI, "export", str(budget), str(rep), "-o", str(work / "warm-report.xlsx"), "--force"],
        [*CLI, "import-expenses", str(ledger), "--into", str(rep)],
    ):
        run_once(cmd)


def bench_startup(opt: Options) -> None:
    """validate on the example budget vs the floor of unavoidable imports, interleaved."""
    what = "validate start-up / bare imports of typer+yaml+pydantic+rich"
    target = f"<= {STARTUP_RATIO}x"
    validate = [*CLI, "validate", str(EXAMPLE)]
    floor = [INTERPRETER, "-c", FLOOR_CODE]
    ours, theirs, bad = interleaved(validate, floor, opt.runs, opt.warmups)
    if bad is not None:
        report(Result("startup", what, "-", target, "n.a.", bad.last_line()))
        return
    ratio = median_s(ours) / median_s(theirs)
    note = f"validate {ms(median_s(ours))}, floor {ms(median_s(theirs))}, n={len(ours)}"
    report(Result("startup", what, f"{ratio:.2f}x", target, status(ratio, STARTUP_RATIO), note))


MODULES_PROBE = """
import json, sys
out, argv = sys.argv[1], sys.argv[2:]
if argv:
    import os
    sys.argv = ["clustbudget", *argv]
    os._exit = sys.exit  # main() ends with os._exit once its output is flushed
    from clustbudget.cli import main
    try:
        main()
    except SystemExit:
        pass
else:
    exec(FLOOR)
with open(out, "w") as fh:
    json.dump(sorted(sys.modules), fh)
"""


def loaded_modules(argv: list[str], work: Path) -> set[str] | str:
    """The modules a run has imported by its end (in a subprocess); a message on failure."""
    out = work / "modules.json"
    code = f"FLOOR = {FLOOR_CODE!r}\n{MODULES_PROBE}"
    r = run_once([INTERPRETER, "-c", code, str(out), *argv])
    if not out.is_file():
        return r.last_line()
    mods = set(json.loads(out.read_text()))
    out.unlink()
    return mods


def bench_openpyxl(opt: Options) -> None:
    what = "validate does not import openpyxl"
    mods = loaded_modules(["validate", str(EXAMPLE)], opt.work)
    if isinstance(mods, str):
        report(Result("openpyxl", what, "-", "not imported", "n.a.", mods))
        return
    xl = sorted(m for m in mods if m == "openpyxl" or m.startswith("openpyxl."))
    floor = loaded_modules([], opt.work)
    extra = Counter(m.split(".")[0] for m in mods - (floor if isinstance(floor, set) else set()))
    measured = f"imported ({len(xl)} modules)" if xl else "not imported"
    note = ""
    if isinstance(floor, set):
        beyond = ", ".join(f"{m} {n}" for m, n in extra.most_common() if not m.startswith("_")) or "-"
        note = f"{len(mods)} modules (floor {len(floor)}); beyond the floor: {beyond}"
    report(Result("openpyxl", what, measured, "not imported", "FAIL" if xl else "PASS", note))


def bench_files(opt: Options) -> None:
    what = f"validate {N_FILES:,} budgets / libyaml parse loop"
    target = f"<= {FILES_RATIO}x"
    folder = opt.work / "budgets-1000"
    if not folder.exists():
        write_budget_folder(folder, N_FILES)
    runs = 3 if opt.quick else 7
    ours, theirs, bad = interleaved(
        [*CLI, "validate", str(folder)], [INTERPRETER, "-c", YAML_LOOP_CODE, str(folder)], runs, 1
    )
    if bad is not None:
        report(Result("files", what, "-", target, "n.a.", bad.last_line()))
        return
    ratio = median_s(ours) / median_s(theirs)
    note = f"validate {secs(median_s(ours))}, loop {secs(median_s(theirs))}, n={len(ours)}"
    if ours[-1].rc != 0:
        note += f"; exit {ours[-1].rc}, generated data has findings: {ours[-1].first_error()}"
    report(Result("files", what, f"{ratio:.2f}x", target, status(ratio, FILES_RATIO), note))


def bench_report(opt: Options) -> None:
    """validate of a 20,000-expense report against hledger check (and bean-check) on the
    same 20,000 transactions, interleaved."""
    what = f"validate {N_EXPENSES:,}-expense report / hledger check"
    target = f"<= {REPORT_RATIO}x"
    folder = opt.work / "report"
    budget, rep = write_report_project(folder, N_EXPENSES, journals=True)
    validate = [*CLI, "validate", str(rep)]
    runs = 3 if opt.quick else 7
    peers = [("hledger", ["check", "-f", str(folder / "journal.hledger")])]
    peers.append(("bean-check", [str(folder / "journal.beancount")]))
    first = True
    for tool, args in peers:
        exe = find_tool(tool)
        name = "report-validate" if first else f"report-{tool}"
        w = what if first else f"validate {N_EXPENSES:,}-expense report / {tool}"
        if exe is None:
            report(Result(name, w, "-", target if first else "-", "n.a.", f"{tool} not installed"))
            first = False
            continue
        ours, theirs, bad = interleaved(validate, [exe, *args], runs, 1)
        if bad is not None:
            report(Result(name, w, "-", target if first else "-", "n.a.", bad.last_line()))
        else:
            ratio = median_s(ours) / median_s(theirs)
            note = (
                f"validate {secs(median_s(ours))} {mib(ours[-1].max_rss)}, "
                f"{tool} {secs(median_s(theirs))} {mib(theirs[-1].max_rss)}, n={len(ours)}"
            )
            if ours[-1].rc != 0:
                note += f"; exit {ours[-1].rc}: {ours[-1].first_error()}"
            if first:
                report(Result(name, w, f"{ratio:.2f}x", target, status(ratio, REPORT_RATIO), note))
            else:
                report(Result(name, w, f"{ratio:.2f}x", "-", "info", note))
        first = False
    if opt.wants("report-export"):
        what = f"export of budget + {N_EXPENSES:,}-expense report"
        target = f"< {REPORT_EXPORT_TARGET} s"
        out = opt.work / "report.xlsx"
        cmd = [*CLI, "export", str(budget), str(rep), "-o", str(out), "--force"]
        done, last = timed(cmd, opt.big_runs, opt.big_warmups)
        if not done or last.rc != 0 or not out.is_file():
            report(Result("report-export", what, "-", target, "n.a.", last.last_line()))
        else:
            t = median_s(done)
            note = f"{mib(last.max_rss)} peak"
            report(Result("report-export", what, secs(t), target, status(t, REPORT_EXPORT_TARGET), note))


def bench_import(opt: Options) -> None:
    """import-expenses of a 20,000-row CSV ledger against csv.reader + yaml.dump, interleaved."""
    what = f"import-expenses {N_IMPORT:,} rows / csv.reader + yaml.dump"
    target = f"<= {IMPORT_RATIO}x"
    folder = opt.work / "import"
    _, rep = write_report_project(folder, 10)
    pristine = folder / "sal-1.pristine.yaml"
    shutil.copyfile(rep, pristine)
    ledger = folder / "registro.csv"
    write_ledger(ledger, N_IMPORT)
    ours = [*CLI, "import-expenses", str(ledger), "--into", str(rep)]
    floor = [INTERPRETER, "-c", IMPORT_FLOOR_CODE, str(ledger), str(folder / "floor.yaml")]
    restore = ["cp", str(pristine), str(rep)]
    runs = 1 if opt.quick else 3
    a, b, bad = interleaved(ours, floor, runs, 0, before=restore, ok=(0,))
    if bad is not None:
        report(Result("import", what, "-", target, "n.a.", bad.last_line()))
        return
    ratio = median_s(a) / median_s(b)
    note = (
        f"import {secs(median_s(a))} {mib(a[-1].max_rss)}, floor {secs(median_s(b))} "
        f"{mib(b[-1].max_rss)}, n={len(a)}"
    )
    report(Result("import", what, f"{ratio:.2f}x", target, status(ratio, IMPORT_RATIO), note))


def bench_large(opt: Options) -> None:
    """validate and export of 100,000- and 200,000-expense projects: time and peak RSS."""
    measured: dict[tuple[str, int], Run] = {}
    for n in N_LARGE:
        folder = opt.work / f"large-{n}"
        budget, rep = write_report_project(folder, n)
        for command, cmd in (
            ("validate", [*CLI, "validate", str(rep)]),
            ("export", [*CLI, "export", str(budget), str(rep), "-o", str(folder / "out.xlsx"), "--force"]),
        ):
            r = run_once(cmd)
            measured[command, n] = r
            ok = r.rc == 0 or (command == "validate" and r.rc == 1)
            note = f"{n:,} expenses: {secs(r.seconds)}, {mib(r.max_rss)} peak"
            if not ok:
                note += f"; {r.last_line()}"
            print(f"    {command} {note}", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
    small, big = N_LARGE
    v = measured["validate", big]
    per = v.max_rss / big / 1024
    report(
        Result(
            "memory-per-expense",
            f"peak RSS of validate / {big:,} expenses",
            f"{per:.1f} KiB",
            f"<= {KIB_PER_EXPENSE:.0f} KiB",
            status(per, KIB_PER_EXPENSE) if v.rc in (0, 1) else "n.a.",
            f"{mib(v.max_rss)} peak, {secs(v.seconds)}",
        )
    )
    for command in ("validate", "export"):
        r = measured[command, big]
        ok = r.rc == 0 or (command == "validate" and r.rc == 1)
        report(
            Result(
                f"{command}-{big // 1000}k",
                f"{command} of a {big:,}-expense project: peak RSS",
                mib(r.max_rss),
                "< 1024 MiB",
                status(r.max_rss, BIG_RSS, strict=True) if ok else "n.a.",
                f"{secs(r.seconds)}" if ok else r.last_line(),
            )
        )
        s = measured[command, small]
        ratio = r.seconds / s.seconds
        report(
            Result(
                f"{command}-linear",
                f"{command} time at {big // 1000}k / at {small // 1000}k (2.0 = linear)",
                f"{ratio:.2f}x",
                f"<= {LINEAR_RATIO}x",
                status(ratio, LINEAR_RATIO) if ok and s.rc == r.rc else "n.a.",
                f"{secs(s.seconds)} -> {secs(r.seconds)}",
            )
        )


def bench_export(opt: Options) -> None:
    what = f"export of a {N_BIG_LINES:,}-line budget"
    big = opt.work / "big-budget.yaml"
    if not big.exists():
        big.write_text(big_budget_text(N_BIG_LINES), encoding="utf-8")
    out = opt.work / "big-budget.xlsx"
    cmd = [*CLI, "export", str(big), "-o", str(out), "--force"]
    done, last = timed(cmd, opt.big_runs, opt.big_warmups)
    target = f"< {EXPORT_TARGET} s"
    if not done or last.rc != 0 or not out.is_file():
        report(Result("export", what, "-", target, "n.a.", last.last_line()))
        return
    t = median_s(done)
    note = f"{out.stat().st_size / 1e6:.1f} MB, {mib(last.max_rss)} peak"
    report(Result("export", what, secs(t), target, status(t, EXPORT_TARGET), note))


# ---------------------------------------------------------------- profiles (--profile)


def import_times(cmd: list[str], runs: int) -> dict[str, tuple[float, float, int]]:
    """``-X importtime`` of a command: module -> (median self ms, median cumulative ms, depth)."""
    selfs: dict[str, list[int]] = {}
    cums: dict[str, list[int]] = {}
    depth: dict[str, int] = {}
    for _ in range(runs):
        r = run_once([INTERPRETER, "-X", "importtime", *cmd])
        for ln in r.stderr.splitlines():
            if not ln.startswith("import time:") or "self [us]" in ln:
                continue
            s, c, name = ln[len("import time:") :].split("|", 2)
            mod = name.strip()
            depth[mod] = (len(name) - len(name.lstrip()) - 1) // 2
            selfs.setdefault(mod, []).append(int(s))
            cums.setdefault(mod, []).append(int(c))
    return {
        m: (statistics.median(selfs[m]) / 1000, statistics.median(cums[m]) / 1000, depth[m]) for m in selfs
    }


def profile_imports(runs: int) -> None:
    """Where start-up goes beyond the floor: the modules validate imports that the floor does not."""
    if len(CLI) != 1:
        print("\n(-X importtime needs the console script; skipped)")
        return
    floor = import_times(["-c", FLOOR_CODE], runs)
    val = import_times([CLI[0], "validate", str(EXAMPLE)], runs)
    extra = {m: v for m, v in val.items() if m not in floor}
    print(f"\n-X importtime, validate {EXAMPLE.name} vs the floor, median of {runs} runs")
    print(
        f"  self time of all imports: validate {sum(v[0] for v in val.values()):.1f} ms, "
        f"floor {sum(v[0] for v in floor.values()):.1f} ms; "
        f"{len(extra)} modules beyond the floor: {sum(v[0] for v in extra.values()):.1f} ms"
    )
    packages = Counter[str]()
    for m, v in extra.items():
        packages[m.split(".")[0]] += v[0]  # type: ignore[assignment]
    print("  beyond the floor, by top-level package (self ms):")
    print("    " + ", ".join(f"{p} {t:.1f}" for p, t in packages.most_common(12)))
    print("  beyond the floor, by module (self ms, cumulative ms):")
    for m, (own, cum, _) in sorted(extra.items(), key=lambda kv: -kv[1][0])[:15]:
        print(f"    {own:7.1f} {cum:7.1f}  {m}")
    print("  top-level imports (by the script, or lazily inside functions), cumulative ms:")
    for m, (_, cum, d) in sorted(extra.items(), key=lambda kv: -kv[1][1]):
        if d == 0 and cum >= 1:
            print(f"    {cum:7.1f}  {m}")


def profile_run(label: str, argv: list[str], work: Path, top: int = 20) -> None:
    """cProfile of one CLI run, imports included."""
    if len(CLI) != 1:
        print(f"\n(cProfile of {label} needs the console script; skipped)")
        return
    prof = work / "run.prof"
    # The CLI ends with os._exit once its output is flushed (no teardown), so `python -m
    # cProfile` would never write its file: this driver stops the exit and writes it.
    driver = (
        "import cProfile, os, sys\n"
        "from clustbudget.cli import main\n"
        "sys.argv = sys.argv[1:]\n"
        "os._exit = lambda code: None\n"
        "profile = cProfile.Profile()\n"
        "try:\n"
        "    profile.runcall(main)\n"
        "except SystemExit:\n"
        "    pass\n"
        "profile.dump_stats(PROF)\n"
    ).replace("PROF", repr(str(prof)))
    r = run_once([INTERPRETER, "-c", driver, CLI[0], *argv])
    if not prof.is_file():
        print(f"\ncProfile of {label} failed: {r.last_line()}")
        return
    stats = pstats.Stats(str(prof), stream=sys.stdout)
    stats.strip_dirs()
    print(f"\ncProfile, {label} ({r.seconds:.2f} s under the profiler, exit {r.rc})")
    for key, title in (("tottime", "by own time"), ("cumulative", "by cumulative time")):
        print(f"  {title}:")
        stats.sort_stats(key).print_stats(top)
    prof.unlink()


def bench_summary(opt: Options) -> None:
    """summary (the portfolio) of 300 projects, each a budget and a 20-expense report."""
    n, limit = 300, 10.0
    what, target = f"summary of {n} projects", f"< {limit:g} s"
    folder = opt.work / "portfolio"
    if not folder.exists():
        for i in range(n):
            write_report_project(folder / f"p{i:03d}", 20)
    done, last = timed([*CLI, "summary", "-f", "json", str(folder)], opt.big_runs, opt.big_warmups)
    if not done or last.rc >= 2:
        report(Result("summary", what, "-", target, "n.a.", last.last_line()))
        return
    t = median_s(done)
    report(
        Result(
            "summary", what, secs(t), target, status(t, limit), f"{mib(last.max_rss)} peak, exit {last.rc}"
        )
    )


# ---------------------------------------------------------------- main

MEASUREMENTS = [
    "startup",
    "openpyxl",
    "files",
    "report",
    "report-export",
    "import",
    "large",
    "export",
    "summary",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the clustbudget CLI (see bench/README.md).")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these measurements ({', '.join(MEASUREMENTS)}); repeatable or comma-separated",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print -X importtime and cProfile figures"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files and print where")
    parser.add_argument("--check", action="store_true", help="exit 1 when a measurement FAILs")
    args = parser.parse_args(argv)
    only = [o.strip() for part in args.only for o in part.split(",") if o.strip()]
    for o in only:
        if o not in MEASUREMENTS:
            parser.error(f"unknown measurement {o!r}: choose from {', '.join(MEASUREMENTS)}")
    work = Path(tempfile.mkdtemp(prefix="clustbudget-bench-"))
    set_env(work)
    opt = Options(args.quick, only, args.profile, work)
    version = run_once([*CLI, "--version"])
    if version.rc != 0:
        shutil.rmtree(work, ignore_errors=True)
        print(f"cannot run {' '.join(CLI)}: {version.last_line()}", file=sys.stderr)
        return 2
    print(f"{version.stdout.strip()}: {' '.join(CLI)} (interpreter {INTERPRETER})")
    print(f"  bytecode cached under {ENV['PYTHONPYCACHEPREFIX']}; output not a terminal, NO_COLOR=1")
    print(f"  {'name':<20} {'measured':<34} {'target':<12} status")
    try:
        warm_up(work)
        steps: list[tuple[str, Callable[[Options], None]]] = [
            ("startup", bench_startup),
            ("openpyxl", bench_openpyxl),
            ("files", bench_files),
            ("report", bench_report),
            ("import", bench_import),
            ("large", bench_large),
            ("export", bench_export),
            ("summary", bench_summary),
        ]
        for name, step in steps:
            if opt.wants(name) or (name == "report" and opt.wants("report-export")):
                step(opt)
        if args.profile:
            profile_imports(3 if args.quick else 7)
            folder = work / "budgets-1000"
            if not folder.exists():
                write_budget_folder(folder, N_FILES)
            profile_run(f"validate {N_FILES:,} budgets", ["validate", str(folder)], work)
            rep = work / "report" / "bench-project" / "sal-1.yaml"
            if rep.is_file():
                profile_run(f"validate a report of {N_EXPENSES:,} expenses", ["validate", str(rep)], work)
    finally:
        if args.keep:
            print(f"\ngenerated files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n| case | now | target | status |\n|---|---|---|---|")
    for r in RESULTS:
        if r.status != "info":
            print(
                f"| {r.what} | {r.measured} | {r.target.replace('<', '≤' if '=' in r.target else '<').replace('≤=', '≤')} | {r.status} |"
            )
    failed = any(r.status == "FAIL" for r in RESULTS)
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
