"""Claims as the Region counts them (issue 8): the project is the unit, overruns to date.

Figures in comments are worked out by hand. The projects are built in each test, small:
rate 17,200.00 ÷ 1,720 = 10.00 an hour, so hours and euros are easy to follow.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from clustbudget.pipeline import load_project, validate_paths
from clustbudget.xlsx.styles import RED

from .conftest import example_before_variations

D = Decimal

BUDGET = (
    "clustbudget: 1\ncall: clust-er-2020\nproject: {title: t, start: 2021-01-01, end: 2022-12-31}\n"
    "costs:\n  A: [{description: x, amount: 100000.00}]\n  D: [{description: y, amount: 1000.00}]\n"
)


def person(months: dict[str, int]) -> str:
    hours = ", ".join(f"{m}: {h}" for m, h in months.items())
    return (
        "staff:\n  - {id: p, name: P, item: A, annual_gross_cost: 17200.00, cost_year: 2020,\n"
        f"     hours: {{{hours}}}}}\n"
    )


def report(pid: str, start: str, end: str, body: str = "") -> str:
    return f"clustbudget: 1\nbudget: ../b.yaml\nperiod: {{id: {pid}, start: {start}, end: {end}}}\n" + body


def expense(date: str, amount: str, document: str = "F1") -> str:
    return (
        f"  - {{date: {date}, item: D, description: Fiera, supplier: Rossi S.r.l., document: {document},\n"
        f"     amount: {amount}, paid: {date}, payment: bank_transfer}}\n"
    )


def project_dir(tmp_path: Path, *reports: tuple[str, str]) -> Path:
    (tmp_path / "b.yaml").write_text(BUDGET)
    (tmp_path / "b").mkdir()
    for name, text in reports:
        (tmp_path / "b" / name).write_text(text)
    return tmp_path


def hours_over_two_periods(tmp_path: Path) -> Path:
    # 2021: 900 hours in P1 (January–June) and 900 in P2 (July–December): 1,800 > 1,720.
    # (450 hours a month are implausible, CB308, but possible: accepted)
    return project_dir(
        tmp_path,
        ("p1.yaml", report("P1", "2021-01-01", "2021-06-30", person({"2021-03": 450, "2021-04": 450}))),
        ("p2.yaml", report("P2", "2021-07-01", "2021-12-31", person({"2021-09": 450, "2021-10": 450}))),
    )


def test_validate_one_report_checks_it_in_its_whole_project(tmp_path):
    root = hours_over_two_periods(tmp_path)
    run = validate_paths([root / "b" / "p2.yaml"])
    # the hours cap sees P1: 80 hours at 10.00 refused; P1, not named, is reported too (the
    # project is the unit: its findings are shown at its own lines)
    assert [fr.display for fr in run.files] == [str(root / "b" / "p2.yaml"), str(root / "b" / "p1.yaml")]
    cap = [f for f in run.findings if f.code == "CB302"]
    assert len(cap) == 1 and "80 hours (800.00) not accepted" in cap[0].message
    assert cap[0].related is not None and cap[0].related.path.endswith("p1.yaml")
    assert run.exit_code() == 1


def test_report_and_export_given_one_report_see_every_period(tmp_path):
    root = hours_over_two_periods(tmp_path)
    project = load_project(root / "b.yaml", [root / "b" / "p2.yaml"])
    assert [(r.report.period.id, r.named) for r in project.computed] == [("P1", False), ("P2", True)]
    p2 = project.computed[1]
    assert p2.disallowed == {("staff", 0): D("800.00")}
    # A: 9,000.00 in P1 + (9,000.00 − 800.00) in P2 = 17,200.00 to date
    a = next(row for row in project.progress[-1] if row.key == "A")
    assert (a.period, a.cumulative) == (D("8200.00"), D("17200.00"))
    assert project.latest_named == 1
    # the findings of every report of the project, P1's at P1's lines (the project is the unit)
    assert {f.location.path for f in project.findings} <= {
        str(root / "b" / "p1.yaml"),
        str(root / "b" / "p2.yaml"),
        str(root / "b.yaml"),
    }
    assert any(f.location.path == str(root / "b" / "p1.yaml") for f in project.findings)


def test_the_rendiconto_defaults_to_the_latest_period_named(tmp_path, cli):
    root = hours_over_two_periods(tmp_path)
    r = cli("export", root / "b.yaml", root / "b" / "p1.yaml", "--allow-errors", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "b-P1.xlsx").is_file()
    r = cli("export", root / "b.yaml", root / "b" / "p2.yaml", "--allow-errors", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(tmp_path / "b-P2.xlsx")["Riepilogo"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "A")
    # the earlier period P1, read from its file though only p2.yaml was named
    assert ws.cell(row, 4).value == 9000


def test_a_report_of_another_budget_is_still_refused(tmp_path):
    root = hours_over_two_periods(tmp_path)
    (tmp_path / "other.yaml").write_text(BUDGET)
    project = load_project(tmp_path / "other.yaml", [root / "b" / "p2.yaml"])
    assert [f.code for f in project.findings if f.code == "CB021"] == ["CB021"]


def test_over_budget_is_reported_on_the_latest_period_with_the_overrun_to_date(tmp_path):
    # D budget 1,000.00: P1 claims 1,370.00 (over by 370.00), P2 another 500.00: over by 870.00.
    root = project_dir(
        tmp_path,
        (
            "p1.yaml",
            report("P1", "2021-01-01", "2021-06-30", "expenses:\n" + expense("2021-02-01", "1370.00")),
        ),
        (
            "p2.yaml",
            report("P2", "2021-07-01", "2021-12-31", "expenses:\n" + expense("2021-08-01", "500.00", "F2")),
        ),
    )
    run = validate_paths([root])
    over = [(f.location.path.rsplit("/", 1)[-1], f.message) for f in run.findings if f.code == "CB310"]
    assert over == [("p2.yaml", "item D: 1,870.00 accepted to date, over its budget of 1,000.00 by 870.00")]


def test_an_item_with_no_budget_and_money_spent_is_over_not_zero_percent(cli, tmp_path):
    # The example before V1: D has no budget; 1,800.00 in SAL-1 and 9,300.00 in SAL-2 were spent on it.
    example = example_before_variations(tmp_path)
    project = load_project(example)
    d = next(row for row in project.progress[-1] if row.key == "D")
    assert (d.budget, d.cumulative, d.unbudgeted, d.over) == (D("0.00"), D("11100.00"), True, True)
    data = json.loads(cli("report", example, "-f", "json").stdout)
    item = next(i for i in data["items"] if i["key"] == "D")
    assert (item["share_used"], item["over_budget"]) == (None, True)
    text = cli("report", example).stdout
    assert any(line.lstrip("│ ").startswith("D") and " over " in line for line in text.splitlines())
    out = tmp_path / "r.xlsx"
    assert (
        cli("export", example, *sorted((example.parent / example.stem).glob("*.yaml")), "-o", out).returncode
        == 0
    )
    ws = openpyxl.load_workbook(out)["Riepilogo"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "D")
    marked = [c for c in ws[row] if c.value is not None and "oltre il budget" in str(c.value)]
    assert len(marked) == 1 and marked[0].font.b and marked[0].font.color.rgb.endswith(RED)
    values = openpyxl.load_workbook(out, data_only=True)["Riepilogo"]
    assert values[marked[0].coordinate].value == "oltre il budget"  # the cached result


# ------------------------------------------------------------------ invoices in parts, identity


def line(date: str, amount: str, document: str = "FT 1", **extra: str) -> str:
    fields = {
        "date": date,
        "item": "D",
        "description": "Fiera",
        "supplier": "Rossi S.r.l.",
        "document": f'"{document}"',
        "amount": amount,
        "paid": date,
        "payment": "bank_transfer",
        **extra,
    }
    return "  - {" + ", ".join(f"{k}: {v}" for k, v in fields.items() if v is not None) + "}\n"


def two_periods(tmp_path: Path, first: str, second: str = "", budget: str = BUDGET) -> Path:
    root = project_dir(
        tmp_path,
        ("p1.yaml", report("P1", "2021-01-01", "2021-06-30", "expenses:\n" + first)),
        ("p2.yaml", report("P2", "2021-07-01", "2021-12-31", "expenses:\n" + second if second else "")),
    )
    (root / "b.yaml").write_text(budget)
    return root


def by_period(project) -> dict[str, object]:
    return {r.report.period.id: r for r in project.computed}


def test_an_invoice_in_parts_across_periods_is_accepted_up_to_its_amount(tmp_path):
    # Invoice FT 1 of 6,000.00: 2,000.00 in P1, 3,000.00 (to D) + 1,500.00 (to C) in P2:
    # 6,500.00 charged, 500.00 too much, cut from the last line.
    first = line("2021-03-01", "2000.00", invoice_amount="6000.00")
    second = line("2021-03-01", "3000.00", invoice_amount="6000.00", paid="2021-07-10") + line(
        "2021-03-01", "1500.00", invoice_amount="6000.00", paid="2021-07-10", item="C"
    )
    project = load_project(two_periods(tmp_path, first, second) / "b.yaml")
    p1, p2 = by_period(project)["P1"], by_period(project)["P2"]
    assert p1.disallowed == {} and p2.disallowed == {("expense", 1): D("500.00")}
    (hit,) = [f for f in p2.findings if f.code == "CB304"]
    assert hit.location.line == 6 and hit.related.path.endswith("p1.yaml")
    assert "6,500.00 charged in all, more than its 6,000.00" in hit.message
    assert "P1 (p1.yaml:5)" in hit.message and "P2 (p2.yaml:5)" in hit.message
    assert p2.figures.items["C"] == D("1000.00") and p2.figures.items["D"] == D("3000.00")
    parts = project.parts_of(p2, 1)
    assert [(p.period, p.charge) for p in parts] == [
        ("P1", D("2000.00")),
        ("P2", D("3000.00")),
        ("P2", D("1500.00")),
    ]


def test_an_invoice_claimed_again_in_full_is_still_refused(tmp_path):
    root = two_periods(
        tmp_path, line("2021-03-01", "800.00"), line("2021-03-01", "800.00", paid="2021-07-10")
    )
    p2 = by_period(load_project(root / "b.yaml"))["P2"]
    (hit,) = [f for f in p2.findings if f.code == "CB304"]
    assert "is already claimed in P1 (p1.yaml:5): 800.00 not accepted" in hit.message
    assert p2.disallowed == {("expense", 0): D("800.00")}


def test_halves_of_one_invoice_by_eligible_share_are_one_invoice(tmp_path):
    half = line("2021-03-01", "1200.00", eligible_share='"0.5"')
    root = two_periods(
        tmp_path, half, line("2021-03-01", "1200.00", eligible_share='"0.5"', paid="2021-07-01")
    )
    project = load_project(root / "b.yaml")
    assert not [f for r in project.computed for f in r.findings if f.code == "CB304"]


def test_invoice_identity_normalises_numbers_and_reads_the_year_in_them():
    from clustbudget.invoices import document_key, number_year

    same = ["FT 2021–015", "ft2021-015", "FT\u200b2021\u2011015", "ＦＴ２０２１－０１５", " Ft 2021 015 "]
    assert {document_key(n) for n in same} == {"ft2021015"}
    assert document_key("FT 2021/015") != document_key("FT 2021015")  # a slash is not noise
    assert (number_year("FT 77/2023"), number_year("2021-MD-77810"), number_year("INV-8841203")) == (
        2023,
        2021,
        None,
    )
    assert number_year("2021/2022") is None  # two years: none


def test_a_printable_ascii_number_reads_as_the_unicode_rules_read_it():
    # invoices._number takes printable ASCII the short way (no NFKC, lower(), only ' ' and '-'
    # removed): the same key and year as NFKC, casefold and _NUMBER_NOISE give, on every
    # printable ASCII character and on numbers made of them.
    import random
    import string
    import unicodedata

    from clustbudget import invoices

    def by_the_rules(number: str) -> tuple[str, int | None]:
        text = unicodedata.normalize("NFKC", number)
        years = set(invoices._YEAR_IN_NUMBER.findall(text))
        year = int(years.pop()) if len(years) == 1 else None
        return invoices._NUMBER_NOISE.sub("", text.casefold()), year

    rng = random.Random(13)
    alphabet = string.printable[:95]  # the printable ASCII characters (no tab or newline)
    numbers = [*alphabet, "FT 2021-015", "fT-1998/77 - 2024", "2021 2021", "A-B C"]
    numbers += [
        "".join(rng.choice(alphabet + "2019200") for _ in range(rng.randint(1, 16))) for _ in range(3000)
    ]
    for number in numbers:
        assert number.isascii() and number.isprintable()
        invoices._number.cache_clear()
        assert invoices._number(number) == by_the_rules(number), number


def test_a_year_in_the_number_decides_the_invoice_year(tmp_path):
    # FT 77/2023 dated 2024-07-09 (a registration date) is invoice 77 of 2023, claimed in P1
    # with its real date: a double claim, and a warning on the date.
    budget = BUDGET.replace("end: 2022-12-31", "end: 2024-12-31").replace(
        "start: 2021-01-01", "start: 2023-01-01"
    )
    root = project_dir(
        tmp_path,
        (
            "p1.yaml",
            report(
                "P1", "2023-01-01", "2023-12-31", "expenses:\n" + line("2023-12-20", "500.00", "FT 77/2023")
            ),
        ),
        (
            "p2.yaml",
            report(
                "P2", "2024-01-01", "2024-12-31", "expenses:\n" + line("2024-07-09", "500.00", "FT 77/2023")
            ),
        ),
    )
    (root / "b.yaml").write_text(budget)
    p2 = by_period(load_project(root / "b.yaml"))["P2"]
    codes = {f.code: f for f in p2.findings}
    assert "CB304" in codes and "(2023)" in codes["CB304"].message
    assert "its number says 2023" in codes["CB216"].message
    assert p2.disallowed == {("expense", 0): D("500.00")}


# ------------------------------------------------------------------ payments


def expense_with_payments(payments: str, amount: str = "5000.00", date: str = "2021-03-01") -> str:
    return (
        f"  - date: {date}\n    item: D\n    description: Fiera\n    supplier: Rossi S.r.l.\n"
        f'    document: "FT 9"\n    amount: {amount}\n    payments:\n{payments}'
    )


def pay(date: str, amount: str, method: str = "bank_transfer") -> str:
    return f"      - {{date: {date}, amount: {amount}, method: {method}, reference: CRO1}}\n"


def test_two_payments_by_the_period_end_pay_the_invoice_in_full(tmp_path):
    text = expense_with_payments(pay("2021-03-10", "3000.00") + pay("2021-06-30", "2000.00"))
    p1 = by_period(load_project(two_periods(tmp_path, text) / "b.yaml"))["P1"]
    assert p1.disallowed == {} and p1.figures.items["D"] == D("5000.00")
    assert not [f for f in p1.findings if f.severity.name == "ERROR"]


def test_a_payment_after_the_period_end_leaves_the_invoice_unpaid_in_full(tmp_path):
    text = expense_with_payments(pay("2021-03-10", "3000.00") + pay("2021-07-15", "2000.00"))
    p1 = by_period(load_project(two_periods(tmp_path, text) / "b.yaml"))["P1"]
    (hit,) = [f for f in p1.findings if f.code == "CB209"]
    assert "paid 3,000.00 of 5,000.00 by the end of period P1" in hit.message
    assert p1.disallowed == {("expense", 0): D("5000.00")}


def test_a_call_may_accept_the_share_paid(tmp_path):
    from .conftest import DATA

    pack = (DATA / "packs" / "custom.yaml").read_text()
    assert "expenses:" not in pack
    (tmp_path / "pack.yaml").write_text(pack + "expenses: {paid_in_full: false}\n")
    budget = BUDGET.replace("call: clust-er-2020", "call: ../pack.yaml" if False else "call: pack.yaml")
    text = expense_with_payments(pay("2021-03-10", "3000.00") + pay("2021-07-15", "2000.00"))
    root = two_periods(tmp_path, text, budget=budget)
    p1 = by_period(load_project(root / "b.yaml"))["P1"]
    assert p1.disallowed == {("expense", 0): D("2000.00")}  # 5,000.00 × 2,000 ÷ 5,000 unpaid


def test_mixed_cash_and_early_payments(tmp_path):
    text = expense_with_payments(
        pay("2021-02-20", "3000.00") + pay("2021-03-10", "2000.00", '"Contanti e bonifico"')
    )
    p1 = by_period(load_project(two_periods(tmp_path, text) / "b.yaml"))["P1"]
    found = {f.code: f for f in p1.findings}
    assert "'Contanti e bonifico' (cash) is not a traceable payment" in found["CB210"].message
    assert found["CB210"].location.line == 13  # the second payment's method
    assert "paid 2021-02-20, before it" in found["CB215"].message
    assert p1.disallowed == {("expense", 0): D("5000.00")}


def test_one_payment_form_or_the_list_not_both(tmp_path):
    text = expense_with_payments(pay("2021-03-10", "5000.00")).replace(
        "    payments:", "    paid: 2021-03-10\n    payments:"
    )
    project = load_project(two_periods(tmp_path, text) / "b.yaml")
    errors = [f for f in project.findings if f.code == "CB013"]
    assert errors and "either paid/payment/payment_ref" in errors[0].message and errors[0].location.line == 5


# ------------------------------------------------------------------ kept on record, not claimed


def test_an_expense_kept_on_record_is_counted_nowhere(tmp_path, cli):
    kept = line("2021-03-01", "700.00", "FT 5", claimed="false", reason="pagata in contanti", payment="cash")
    root = two_periods(tmp_path, line("2021-03-01", "300.00") + kept)
    project = load_project(root / "b.yaml")
    p1 = by_period(project)["P1"]
    assert p1.figures.claimed["D"] == D("300.00") and p1.figures.items["D"] == D("300.00")
    assert not [f for f in p1.findings if f.severity.name != "INFO"]  # no cash error: not claimed
    data = json.loads(cli("report", root / "b.yaml", "-f", "json").stdout)
    row = data["periods"][0]["expenses"][1]
    assert (row["claimed"], row["reason"], row["invoice"]) == (False, "pagata in contanti", None)
    r = cli("export", root / "b.yaml", root / "b" / "p1.yaml", "-o", tmp_path / "p1.xlsx")
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(tmp_path / "p1.xlsx", data_only=True)["Spese"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("pagata in contanti" in t for t in texts)


def test_claimed_false_needs_a_reason(tmp_path):
    root = two_periods(tmp_path, line("2021-03-01", "700.00", claimed="false"))
    errors = [f for f in load_project(root / "b.yaml").findings if f.code == "CB013"]
    assert errors and "needs a reason" in errors[0].message


# ------------------------------------------------------------------ the review's outcome


def test_the_reviews_approved_amounts_replace_the_requested_ones(tmp_path, cli):
    # P1 requests D 1,000.00 + 500.00; the review approves 800.00 of the first: D 1,300.00,
    # E 25% = 325.00 (on approved costs), cut 200.00. P2 requests 400.00: cumulative 1,700.00.
    first = line("2021-03-01", "1000.00", approved="800.00", approved_note='"manca il timesheet"') + line(
        "2021-03-02", "500.00", "FT 2"
    )
    root = two_periods(tmp_path, first, line("2021-08-01", "400.00", "FT 3"))
    text = (
        (root / "b" / "p1.yaml")
        .read_text()
        .replace("end: 2021-06-30}", "end: 2021-06-30, reviewed: 2021-10-01}")
    )
    (root / "b" / "p1.yaml").write_text(text)
    project = load_project(root / "b.yaml")
    p1 = by_period(project)["P1"]
    fig = p1.figures
    assert (fig.claimed["D"], fig.cut, fig.items["D"], fig.items["E"]) == (
        D("1500.00"),
        {"D": D("200.00")},
        D("1300.00"),
        D("325.00"),
    )
    assert fig.requested["E"] == D("375.00") and fig.reviewed
    d = next(row for row in project.progress[-1] if row.key == "D")
    assert d.cumulative == D("1700.00")
    data = json.loads(cli("report", root / "b.yaml", "-f", "json").stdout)
    period = data["periods"][0]
    assert (period["reviewed"], period["cut"], period["approved"]["D"], period["requested"]["D"]) == (
        "2021-10-01",
        {"D": "200.00"},
        "1300.00",
        "1500.00",
    )
    assert (period["expenses"][0]["approved"], period["expenses"][0]["cut"]) == ("800.00", "200.00")
    assert data["periods"][1]["approved"] is None


def test_approved_above_requested_is_an_error(tmp_path):
    root = two_periods(tmp_path, line("2021-03-01", "1000.00", approved="1200.00"))
    p1 = by_period(load_project(root / "b.yaml"))["P1"]
    (hit,) = [f for f in p1.findings if f.code == "CB217"]
    assert "approved 1,200.00, more than the 1,000.00 requested" in hit.message
    assert p1.figures.items["D"] == D("1000.00")  # never more than requested


# ------------------------------------------------------------------ hours that cannot be true


def test_working_days_leave_out_weekends_and_national_holidays():
    from clustbudget.rules.project import working_days

    assert working_days("2021-04") == 21  # 22 weekdays, Easter Monday off (25 April a Sunday)
    assert working_days("2021-12") == 22  # 23 weekdays, 8 December off (25, 26 a weekend)
    assert working_days("2022-06") == 21  # 22 weekdays, 2 June off


def test_hours_above_the_calendar_are_refused_and_a_split_month_counts_once(tmp_path):
    # P1 ends 15 October, P2 starts 16 October; each claims 400 hours of October: 800 > 744.
    root = project_dir(
        tmp_path,
        ("p1.yaml", report("P1", "2021-01-01", "2021-10-15", person({"2021-10": 400}))),
        ("p2.yaml", report("P2", "2021-10-16", "2021-12-31", person({"2021-10": 400}))),
    )
    project = load_project(root / "b.yaml")
    p1, p2 = by_period(project)["P1"], by_period(project)["P2"]
    (hit,) = [f for f in p2.findings if f.code == "CB307"]
    assert (
        "800 hours in 2021-10 (with 400 in P1), more than the month has (31 days × 24 = 744)" in hit.message
    )
    assert "56 hours (560.00) not accepted" in hit.message
    assert p2.disallowed == {("staff", 0): D("560.00")} and p1.disallowed == {}
    assert not [f for f in p1.findings if f.code in ("CB307", "CB308")]


def test_hours_above_the_working_days_are_a_warning(tmp_path):
    root = project_dir(
        tmp_path,
        ("p1.yaml", report("P1", "2021-01-01", "2021-12-31", person({"2021-04": 169, "2021-05": 168}))),
    )
    p1 = by_period(load_project(root / "b.yaml"))["P1"]
    hits = [f for f in p1.findings if f.code == "CB308"]
    assert [h.message.split(":")[1].strip() for h in hits] == [
        "169 hours in 2021-04, more than its 21 working days × 8 = 168 (national holidays excluded)"
    ]
    assert p1.disallowed == {}


def test_gaps_between_periods_and_a_late_first_period(tmp_path):
    root = project_dir(
        tmp_path,
        ("p1.yaml", report("P1", "2021-02-01", "2021-06-30")),
        ("p2.yaml", report("P2", "2021-07-05", "2021-12-31")),
    )
    run = validate_paths([root])
    got = {
        (f.code, f.location.path.rsplit("/", 1)[-1]): f.message
        for f in run.findings
        if f.code in ("CB320", "CB321")
    }
    assert got == {
        ("CB320", "p2.yaml"): "period P2 starts 2021-07-05, 4 days after period P1 ended (2021-06-30): "
        "2021-07-01 – 2021-07-04 is in no period",
        ("CB321", "p1.yaml"): "the first period, P1, starts 2021-02-01, after the project (2021-01-01): "
        "costs from 2021-01-01 to 2021-01-31 are in no report",
    }


# ------------------------------------------------------------------ export and disallowed costs


def test_export_writes_a_rendiconto_whose_only_errors_are_disallowed_costs(tmp_path, cli):
    root = two_periods(tmp_path, line("2021-03-01", "300.00", payment="cash"))
    done = cli("export", root / "b.yaml", root / "b" / "p1.yaml", "-o", tmp_path / "a.xlsx")
    assert done.returncode == 0, done.stderr
    strict = cli("export", root / "b.yaml", root / "b" / "p1.yaml", "-o", tmp_path / "b.xlsx", "--strict")
    assert strict.returncode == 1 and "CB210" in strict.stderr and not (tmp_path / "b.xlsx").exists()
    # an error that is not a disallowed cost still refuses: an action the budget lacks
    other = root / "b" / "p1.yaml"
    other.write_text(other.read_text().replace("payment: cash", "payment: card, action: '9'"))
    refused = cli("export", root / "b.yaml", other, "-o", tmp_path / "c.xlsx")
    assert refused.returncode == 1 and "CB213" in refused.stderr and not (tmp_path / "c.xlsx").exists()


def test_the_disallowing_codes_are_the_rules_that_disallow():
    import inspect

    from clustbudget.findings import Severity
    from clustbudget.rules import all_rules
    from clustbudget.rules.project import DISALLOWING

    disallowing = {
        code
        for code, r in all_rules().items()
        if r.check is not None and r.severity is Severity.ERROR and "disallow=" in inspect.getsource(r.check)
    }
    assert disallowing == DISALLOWING


@pytest.mark.libreoffice
def test_the_rendiconto_of_a_reviewed_period_recalculates_to_the_approved_figures(tmp_path):
    from clustbudget.xlsx import export_report

    from .libreoffice import assert_recalculated_from_wrong_cache, cents, recalculate, wrong_cached_results

    # The review approves 800.00 of 1,000.00 (D 1,300.00 with the other 500.00; E 325.00);
    # a line kept on record and a two-payment invoice sit beside them.
    first = (
        line("2021-03-01", "1000.00", approved="800.00")
        + line("2021-03-02", "500.00", "FT 2")
        + line("2021-03-03", "90.00", "FT 3", claimed="false", reason="non pertinente")
    )
    root = two_periods(tmp_path, first)
    text = (
        (root / "b" / "p1.yaml")
        .read_text()
        .replace("end: 2021-06-30}", "end: 2021-06-30, reviewed: 2021-10-01}")
    )
    (root / "b" / "p1.yaml").write_text(text)
    project = load_project(root / "b.yaml", [root / "b" / "p1.yaml"])
    honest, wrong = tmp_path / "honest.xlsx", tmp_path / "wrong.xlsx"
    export_report(project, honest, period=0, lang="en")
    with wrong_cached_results():
        export_report(project, wrong, period=0, lang="en")
    copy = recalculate([wrong], tmp_path / "recalculated")[wrong]
    assert assert_recalculated_from_wrong_cache(honest, wrong, copy) >= 20
    ws = openpyxl.load_workbook(copy, data_only=True)["Summary"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Item")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == "P1: accepted (€)")
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1)}
    assert cents(ws.cell(rows["D"], col).value) == D("1300.00")
    assert cents(ws.cell(rows["E"], col).value) == D("325.00")
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, header)}
    # requested D 1,500.00 + E 375.00; approved D 1,300.00 + E 325.00
    assert facts["Review"] == "2021-10-01: requested 1,875.00, approved 1,625.00, cut 250.00"


def test_a_line_alone_on_its_invoice_is_its_only_part_given_when_asked(tmp_path):
    # Only invoices charged by several lines keep their parts (most lines are alone on theirs:
    # 6 MiB a 20,000-expense report otherwise); parts_of gives a lone line as its one part.
    first = line("2021-03-01", "2000.00", invoice_amount="6000.00")
    second = line("2021-03-01", "4000.00", invoice_amount="6000.00", paid="2021-07-10") + line(
        "2021-04-01", "300.00", paid="2021-07-10", document="FT 9"
    )
    project = load_project(two_periods(tmp_path, first, second) / "b.yaml")
    p2 = by_period(project)["P2"]
    assert sorted(index for _, index in project.parts) == [0, 0]
    assert [(p.period, p.index, p.charge) for p in project.parts_of(p2, 1)] == [("P2", 1, D("300.00"))]
    assert project.parts_of(p2, 1)[0].result is p2
    assert project.parts_of(p2, 5) == []
