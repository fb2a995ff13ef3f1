"""A generated project for the golden-output test: deterministic, small, and full of findings.

Its files exercise what the YAML reader and the loader must keep exact: positions of values
and keys in block and flow style, quoted and multi-line scalars, comments, aliases, duplicate
and unknown keys, schema errors deep inside lists, and rule findings across two periods
(cash payments, dates outside the period, unpaid invoices, double claims, hours over the cap).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

SUPPLIERS = [
    ("Studio Grafico Alfa S.r.l.", "IT01234567890"),
    ("Tipografia Emilia S.n.c.", None),
    ("Eventi Bologna S.p.A.", "IT09876543210"),
    ("Digitale Adriatica S.r.l.", "IT11223344556"),
]
PAYMENTS = ["bank_transfer", "card", "pagopa", "direct_debit", "cash", "other_traceable"]

BUDGET = """\
# Generated for the golden test: the budget of a project with two periods
clustbudget: 1
call: clust-er-2020
project:
  title: "Progetto d'oro: Clust-ER Test"
  beneficiary: Clust-ER Golden
  programme: POR FESR 2014-2020
  start: 2020-10-01
  end: 2022-09-30
  duration_months: 24
  vat_recoverable: false
actions:
  - {id: "1", title: Vita associativa}
  - id: "2"
    title: >-
      Promozione e
      sviluppo
staff:
  - id: cluster-manager
    role: Cluster Manager
costs:
  A:
    - description: Cluster Manager
      amount: 120000.00
      action: "1"
      by_year: {2021: 60000.00, 2022: 60000.00}
  C:
    - {description: "Notebook", amount: 3000, action: ["1", "2"]}
  D:
    - description: &desc Stand a MEDICA
      amount: "25000.00"
    - description: *desc
      amount: 5000.50
declared:
  E: 37000.13
  total: 185000.63
"""


def _report(
    rng: random.Random, period: tuple[str, date, date], n: int, offset: int, broken: bool = False
) -> str:
    pid, start, end = period
    days = (end - start).days
    out = [
        f"# Generated for the golden test: period {pid}",
        "clustbudget: 1",
        "budget: golden.yaml" if broken else "budget: ../golden.yaml",
        f"period: {{id: {pid}, start: {start.isoformat()}, end: {end.isoformat()}}}",
        "staff:",
        "  - id: cluster-manager",
        "    name: Cluster Manager",
        "    item: A",
        "    annual_gross_cost: 65000.00",
        "    cost_year: 2019",
        "    hours:",
    ]
    m = start
    while m <= end:
        out.append(f"      {m.year}-{m.month:02d}: {rng.choice([120, 150, 160, 175.5])}")
        m = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
    out.append("expenses:")
    for i in range(n):
        d = start + timedelta(days=rng.randint(-20, days + 20))
        supplier, vat_no = rng.choice(SUPPLIERS)
        amount = f"{rng.randint(20, 2000)}.{rng.randint(0, 99):02d}"
        number = offset + i if rng.random() < 0.9 else rng.randint(0, 12)  # some double claims
        style = rng.random()
        if style < 0.15:
            out.append(
                f'  - {{date: {d.isoformat()}, item: D, description: "Flow {i}", supplier: "{supplier}",'
                f' document: "FT {number}", amount: {amount}, paid: {d.isoformat()}, payment: card}}'
            )
            continue
        out += [
            f"  - date: {d.isoformat()}",
            f"    item: {rng.choice(['C', 'D', 'D', 'D', 'Z'])}",
            f"    description: {rng.choice(['Stand', 'Affitto sede', 'Sito web', 'Traduzioni'])} {i}",
            f"    supplier: {supplier}",
        ]
        if vat_no:
            out.append(f"    supplier_vat: {vat_no}")
        out.append(f'    document: "FT {number}"')
        if broken and rng.random() < 0.1:
            out.append("    amount: 1.250,00")  # a schema error deep in the list
        else:
            out.append(f"    amount: {amount}            # imponibile")
        if rng.random() < 0.5:
            out.append(f"    vat: '{amount}'")
        r = rng.random()
        if r < 0.1:
            out.append("    paid: null")
        elif r < 0.95:
            out.append(f"    paid: {(d + timedelta(days=rng.randint(0, 90))).isoformat()}")
        out.append(f"    payment: {rng.choice(PAYMENTS)}")
        if broken and rng.random() < 0.1:
            out.append("    colour: blue")  # an unknown key
        if broken and rng.random() < 0.1:
            out.append("    payment: card")  # a duplicate key
    return "\n".join(out) + "\n"


def write_golden_project(folder: Path, seed: int = 7) -> list[Path]:
    """The budget, its two reports, a broken report and a broken budget; returns their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    budget = folder / "golden.yaml"
    budget.write_text(BUDGET, encoding="utf-8")
    reports = folder / "golden"
    reports.mkdir(exist_ok=True)
    paths = [budget]
    for k, period in enumerate(
        [("SAL-1", date(2020, 10, 1), date(2021, 9, 30)), ("SAL-2", date(2021, 10, 1), date(2022, 9, 30))]
    ):
        p = reports / f"sal-{k + 1}.yaml"
        p.write_text(_report(rng, period, 60, 1000 * k), encoding="utf-8")
        paths.append(p)
    hostile = folder / "broken-report.yaml"
    hostile.write_text(_report(rng, ("SAL-9", date(2022, 1, 1), date(2022, 6, 30)), 40, 5000, True))
    paths.append(hostile)
    broken = folder / "broken.yaml"
    broken.write_text(
        "clustbudget: 1\ncall: clust-er-2020\nproject:\n  title: Broken\n  start: 2021-02-29\n"
        "  end: 2022-01-01\n  vat_recoverable: yes\n  titel: typo\ncosts:\n  A:\n"
        "    - description: x\n      amount: -5\n    - {description: y, amount: 1.234}\n"
        "    - amount: 10\n  B: {a: 1}\ndeclared:\n  total: 0700\n  total: 1\n",
        encoding="utf-8",
    )
    paths.append(broken)
    return paths
