#!/usr/bin/env python3
"""Benchmarks of the clustbudget command line, run as users run it (subprocesses).

    python bench/bench.py                 # everything
    python bench/bench.py --quick         # fewer repetitions
    python bench/bench.py --only startup  # one measurement (or a group: --only report)
    python bench/bench.py --profile       # also: -X importtime against the floor, cProfile of big runs

Standard library only. Every measurement prints name, measured, target and PASS/FAIL/n.a.;
see bench/README.md for what each one means.
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

STARTUP_RATIO = 1.5  # validate start-up within 1.5x the floor
FILES_TARGET = 1.5  # s, 1,000 budgets in one `validate DIR`
EXPORT_TARGET = 2.5  # s, 20,000 cost lines
REPORT_VALIDATE_TARGET = 1.5  # s, 20,000 expense lines
REPORT_EXPORT_TARGET = 3.0  # s, budget + 20,000 expense lines

N_FILES = 1000
N_BIG_LINES = 20_000
N_EXPENSES = 20_000

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
    """The command users run, and the interpreter it runs on (for the floor).

    Prefers the console script installed next to ``sys.executable``; ``clustbudget.cli`` has
    no ``__main__`` guard, so the fallback calls ``main()`` explicitly.
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


@dataclass
class Run:
    seconds: float
    rc: int
    stdout: str
    stderr: str

    def last_line(self) -> str:
        """The line that best says why a run failed (typer's boxed usage errors unboxed)."""
        lines = [ln.strip(" │╭╮╰╯─\t") for ln in (self.stderr + self.stdout).splitlines()]
        lines = [ln for ln in lines if ln and ln != "Error"]
        for ln in lines:
            if ln.startswith("clustbudget:") or "rror" in ln or "unexpected" in ln.lower():
                return f"exit {self.rc}: {ln}"
        return f"exit {self.rc}: {lines[-1]}" if lines else f"exit {self.rc}"

    def first_error(self) -> str:
        for ln in (self.stdout + self.stderr).splitlines():
            if " error " in ln or ln.startswith("clustbudget:"):
                return ln.strip()
        return self.last_line()


def run_once(cmd: Sequence[str], cwd: Path | None = None) -> Run:
    t0 = time.perf_counter()
    p = subprocess.run(list(cmd), capture_output=True, cwd=cwd, env=ENV, check=False)
    elapsed = time.perf_counter() - t0
    return Run(elapsed, p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))


def timed(cmd: Sequence[str], runs: int, warmups: int, cwd: Path | None = None) -> tuple[list[float], Run]:
    """Wall times of ``runs`` runs after ``warmups``; stops early when a run fails (rc >= 2)."""
    last = None
    for _ in range(warmups):
        last = run_once(cmd, cwd)
        if last.rc >= 2:
            return [], last
    times = []
    for _ in range(runs):
        last = run_once(cmd, cwd)
        if last.rc >= 2:
            return times, last
        times.append(last.seconds)
    assert last is not None
    return times, last


# ---------------------------------------------------------------- results


@dataclass
class Result:
    name: str
    measured: str
    target: str
    status: str  # PASS, FAIL, n.a. or info
    note: str = ""


RESULTS: list[Result] = []


def report(result: Result) -> None:
    RESULTS.append(result)
    note = f"  [{result.note}]" if result.note else ""
    print(f"  {result.name:<16} {result.measured:<44} {result.target:<12} {result.status}{note}", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def med_min(times: list[float], unit: Callable[[float], str] = secs) -> str:
    if len(times) == 1:
        return unit(times[0])
    return f"{unit(statistics.median(times))} median (min {unit(min(times))}, n={len(times)})"


def status(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


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


def write_report_project(folder: Path, n_expenses: int, seed: int = 99) -> tuple[Path, Path]:
    """A budget and one cost report of ``n_expenses`` expenses, laid out as FORMAT.md §3 shows.

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
        if rng.random() < 0.6:
            lines.append(f"    vat: {vat:f}")
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
    return budget_path, report_path


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
        return not self.only or any(name == o or name.startswith(o + "-") for o in self.only)


def warm_up(work: Path) -> None:
    """Fill the bytecode cache for every command path measured, on small inputs.

    Python compiles each module on its first import under a new cache prefix; without this a
    --quick run (no warm-up runs) would time the compilation of the export or report modules.
    """
    budget, rep = write_report_project(work / "warm", 10)
    for cmd in (
        [INTERPRETER, "-c", FLOOR_CODE],
        [*CLI, "validate", str(EXAMPLE)],
        [*CLI, "validate", str(rep)],
        [*CLI, "export", str(EXAMPLE), "-o", str(work / "warm.xlsx"), "--force"],
        [*CLI, "export", str(budget), str(rep), "-o", str(work / "warm-report.xlsx"), "--force"],
    ):
        run_once(cmd)


def bench_startup(opt: Options) -> None:
    """validate on the example budget vs the floor of unavoidable imports, interleaved."""
    validate = [*CLI, "validate", str(EXAMPLE)]
    floor = [INTERPRETER, "-c", FLOOR_CODE]
    for _ in range(opt.warmups):
        run_once(floor)
        run_once(validate)
    t_floor, t_val = [], []
    for _ in range(opt.runs):
        f = run_once(floor)
        v = run_once(validate)
        if f.rc != 0 or v.rc >= 2:
            bad = f if f.rc != 0 else v
            report(Result("startup", "-", f"<= {STARTUP_RATIO}x floor", "n.a.", bad.last_line()))
            return
        t_floor.append(f.seconds)
        t_val.append(v.seconds)
    ratio = statistics.median(t_val) / statistics.median(t_floor)
    ratio_min = min(t_val) / min(t_floor)
    report(Result("startup-floor", med_min(t_floor, ms), "-", "info", FLOOR_CODE))
    report(Result("startup-validate", med_min(t_val, ms), "-", "info", f"exit {v.rc}"))
    report(
        Result(
            "startup",
            f"{ratio:.3f}x floor (of mins {ratio_min:.3f}x)",
            f"<= {STARTUP_RATIO}x",
            status(ratio, STARTUP_RATIO),
            f"+{ms(statistics.median(t_val) - statistics.median(t_floor))} over the floor",
        )
    )


MODULES_PROBE = """
import json, sys
out, argv = sys.argv[1], sys.argv[2:]
if argv:
    sys.argv = ["clustbudget", *argv]
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
    mods = loaded_modules(["validate", str(EXAMPLE)], opt.work)
    if isinstance(mods, str):
        report(Result("openpyxl", "-", "not imported", "n.a.", mods))
        return
    xl = sorted(m for m in mods if m == "openpyxl" or m.startswith("openpyxl."))
    floor = loaded_modules([], opt.work)
    extra = Counter(m.split(".")[0] for m in mods - (floor if isinstance(floor, set) else set()))
    measured = f"imported ({len(xl)} modules)" if xl else "not imported"
    report(Result("openpyxl", measured, "not imported", "FAIL" if xl else "PASS"))
    if isinstance(floor, set):
        note = ", ".join(f"{m} {n}" for m, n in extra.most_common() if not m.startswith("_")) or "-"
        report(
            Result(
                "modules",
                f"{len(mods)} (floor {len(floor)}, +{len(mods - floor)})",
                "-",
                "info",
                f"top-level packages beyond the floor: {note}",
            )
        )


def bench_files(opt: Options) -> Path:
    folder = opt.work / "budgets-1000"
    if not folder.exists():
        write_budget_folder(folder, N_FILES)
    times, last = timed([*CLI, "validate", str(folder)], opt.big_runs, opt.big_warmups)
    target = f"< {FILES_TARGET} s"
    if not times:
        report(Result("files", "-", target, "n.a.", last.last_line()))
        return folder
    t = statistics.median(times)
    note = f"{N_FILES / t:,.0f} files/s"
    if last.rc != 0:
        note += f"; exit {last.rc}, generated data has findings: {last.first_error()}"
    report(Result("files", f"{med_min(times)} for {N_FILES:,}", target, status(t, FILES_TARGET), note))
    return folder


def bench_export(opt: Options) -> None:
    big = opt.work / "big-budget.yaml"
    if not big.exists():
        big.write_text(big_budget_text(N_BIG_LINES), encoding="utf-8")
    if opt.wants("export-validate"):
        times, last = timed([*CLI, "validate", str(big)], opt.big_runs, opt.big_warmups)
        if times:
            note = f"{N_BIG_LINES:,} cost lines" + (
                f"; exit {last.rc}: {last.first_error()}" if last.rc else ""
            )
            report(Result("export-validate", med_min(times), "-", "info", note))
        else:
            report(Result("export-validate", "-", "-", "n.a.", last.last_line()))
    if not opt.wants("export"):
        return
    out = opt.work / "big-budget.xlsx"
    cmd = [*CLI, "export", str(big), "-o", str(out), "--force"]
    times, last = timed(cmd, opt.big_runs, opt.big_warmups)
    target = f"< {EXPORT_TARGET} s"
    if not times or last.rc != 0 or not out.is_file():
        print(f"  export: not available ({last.last_line()})")
        report(Result("export", "not available", target, "n.a.", last.last_line()))
        return
    t = statistics.median(times)
    note = f"{N_BIG_LINES:,} cost lines, {out.stat().st_size / 1e6:.1f} MB"
    report(Result("export", med_min(times), target, status(t, EXPORT_TARGET), note))


def report_rules_present() -> bool | None:
    r = run_once([*CLI, "rules", "--output-format", "json"])
    try:
        codes = [x["code"] for x in json.loads(r.stdout)["rules"]]
    except (ValueError, KeyError, TypeError):
        return None
    return any(c.startswith(("CB2", "CB3")) for c in codes)


def bench_report(opt: Options) -> None:
    budget, rep = (
        opt.work / "report" / "bench-project.yaml",
        opt.work / "report" / "bench-project" / "sal-1.yaml",
    )
    if not rep.exists():
        budget, rep = write_report_project(opt.work / "report", N_EXPENSES)
    size = f"{N_EXPENSES:,} expenses, {rep.stat().st_size / 1e6:.1f} MB"
    if opt.wants("report-validate"):
        target = f"< {REPORT_VALIDATE_TARGET} s"
        times, last = timed([*CLI, "validate", str(rep)], opt.big_runs, opt.big_warmups)
        if not times:
            print(f"  report-validate: not available ({last.last_line()})")
            report(Result("report-validate", "not available", target, "n.a.", last.last_line()))
        else:
            t = statistics.median(times)
            note = size
            if last.rc != 0:
                note += f"; exit {last.rc}: {last.first_error()}"
            if report_rules_present() is False:
                note += "; no CB2xx/CB3xx rules yet: schema only"
            report(Result("report-validate", med_min(times), target, status(t, REPORT_VALIDATE_TARGET), note))
    if opt.wants("report-export"):
        target = f"< {REPORT_EXPORT_TARGET} s"
        out = opt.work / "report.xlsx"
        cmd = [*CLI, "export", str(budget), str(rep), "-o", str(out), "--force"]
        times, last = timed(cmd, opt.big_runs, opt.big_warmups)
        if not times or last.rc != 0 or not out.is_file():
            print(f"  report-export: not available ({last.last_line()})")
            report(Result("report-export", "not available", target, "n.a.", last.last_line()))
        else:
            t = statistics.median(times)
            report(Result("report-export", med_min(times), target, status(t, REPORT_EXPORT_TARGET), size))


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
    r = run_once([INTERPRETER, "-m", "cProfile", "-o", str(prof), CLI[0], *argv])
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


# ---------------------------------------------------------------- main

GROUPS = ["startup", "openpyxl", "files", "export", "report"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the clustbudget CLI (see bench/README.md).")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (5 start-ups, 1 big run)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this measurement or group (startup, openpyxl, files, export, "
        "export-validate, report, report-validate, report-export); repeatable or comma-separated",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print -X importtime and cProfile figures"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files and print where")
    parser.add_argument("--check", action="store_true", help="exit 1 when a measurement FAILs")
    args = parser.parse_args(argv)
    only = [o.strip() for part in args.only for o in part.split(",") if o.strip()]
    known = {
        "startup",
        "openpyxl",
        "files",
        "export",
        "export-validate",
        "report",
        "report-validate",
        "report-export",
    }
    for o in only:
        if o not in known:
            parser.error(f"unknown measurement {o!r}: choose from {', '.join(sorted(known))}")
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
    print(f"  {'name':<16} {'measured':<44} {'target':<12} status")
    folder = None
    try:
        warm_up(work)
        if opt.wants("startup"):
            bench_startup(opt)
        if opt.wants("openpyxl"):
            bench_openpyxl(opt)
        if opt.wants("files"):
            folder = bench_files(opt)
        if opt.wants("export") or opt.wants("export-validate"):
            bench_export(opt)
        if opt.wants("report") or opt.wants("report-validate") or opt.wants("report-export"):
            bench_report(opt)
        if args.profile:
            profile_imports(3 if args.quick else 7)
            if folder is None:
                folder = work / "budgets-1000"
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
    print("\nsummary")
    for r in RESULTS:
        if r.status != "info":
            print(f"  {r.name:<16} {r.status:<5} {r.measured}  (target {r.target})")
    failed = any(r.status == "FAIL" for r in RESULTS)
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
