"""Every document and every terminal output the example project gives an Italian user, read
back: no English in it.

`package`, `results`, `summary -o`, `export` (the budget statement and the rendiconto),
`timesheet` and `hourly-cost` run in Italian on the example project; every string of every
xlsx cell and sheet name and every PDF page's text is checked against the English catalogue
(test_i18n's workbooks are built through the library; these are the files the commands write).
A string fails when it is an English msgid whose Italian translation differs, or holds a piece
of one (two words or more, see test_i18n._english_fragments). Codes, ids, file names and the
user's own text are no msgid, so they pass. The same check reads what every command prints
with ``--lang it`` (tables, findings, rule explanations, the "wrote" lines).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from clustbudget.i18n.catalog import catalog

from .conftest import EXAMPLE, EXAMPLE_V1, run_cli
from .pdftext import pages_of
from .test_i18n import _english_fragments, _texts_of


def _english_msgids() -> set[str]:
    """Whole English texts with no field that Italian says otherwise ("Total", "Staff")."""
    cat = catalog("it")
    assert cat is not None
    italian = {form.strip() for forms in cat.entries.values() for form in forms}
    out = set()
    for (_, msgid), _forms in cat.entries.items():
        for text in (msgid, cat.plural_ids.get(("", msgid), "")):
            text = text.strip()
            if text and "{" not in text and re.search(r"[A-Za-z]{2}", text) and text not in italian:
                out.add(text)  # "Note" is Italian too (the translation of another msgid)
    return out


def _pdf_texts(pdf: Path):
    """The PDF's text, per page and line, and each line's pieces between wide gaps (the cells
    of a table in ``pdftotext -layout``)."""
    for n, page in enumerate(pages_of(pdf), 1):
        for i, line in enumerate(page.splitlines(), 1):
            if line.strip():
                yield f"page {n} line {i}", " ".join(line.split())
                for piece in re.split(r"\s{2,}", line.strip()):
                    yield f"page {n} line {i}", piece


printed: dict[str, str] = {}
"""What each command of :func:`italian_documents` printed (stdout and stderr)."""

BOX = re.compile(r"[│┃║╭╮╰╯─━┏┓┗┛┡┩└┘┌┐├┤┼┬┴╇╈╋┳┻]")


def _terminal_texts(name: str, text: str):
    """A command's output per line, and each line's cells (rich's table borders and wide gaps)."""
    for i, line in enumerate(text.splitlines(), 1):
        plain = BOX.sub("  ", line)
        if plain.strip():
            yield f"{name} line {i}", " ".join(plain.split())
            for piece in re.split(r"\s{2,}", plain.strip()):
                yield f"{name} line {i}", piece


@pytest.fixture(scope="module")
def italian_documents(tmp_path_factory) -> list[Path]:
    work = tmp_path_factory.mktemp("audit")
    shutil.copy(EXAMPLE, work / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, work / EXAMPLE.stem)
    budget = work / EXAMPLE.name
    reports = sorted((work / EXAMPLE.stem).glob("sal-*.yaml"))
    out = work / "out"
    out.mkdir()
    commands = [
        ("package", budget, "--period", "SAL-2", "-o", out / "package"),
        ("results", budget, "--year", "2021", "-o", out / "results.xlsx", "-o", out / "results.pdf"),
        ("summary", budget, "-o", out / "summary.xlsx"),
        ("export", budget, "-o", out / "statement.xlsx"),
        ("export", budget, *reports, "-o", out / "rendiconto.xlsx"),
        ("timesheet", reports[-1], "-o", out / "timesheets"),
        ("hourly-cost", reports[-1], "-o", out / "hourly-cost"),
    ]
    printed.clear()
    for args in commands:
        r = run_cli(*args, "--lang", "it", cwd=work, env={"COLUMNS": "300"})
        assert r.returncode == 0, (args[0], r.stderr)
        printed[f"{args[0]} {len(printed)}"] = r.stdout + r.stderr
    # the attachments (allegati/) are the user's own invoices and receipts, copied as they are
    files = sorted(p for p in out.rglob("*") if p.suffix in (".xlsx", ".pdf") and "allegati" not in p.parts)
    kinds = {p.relative_to(out).parts[0] for p in files}
    assert {"package", "results.xlsx", "results.pdf", "summary.xlsx", "statement.xlsx"} <= kinds
    assert {"rendiconto.xlsx", "timesheets", "hourly-cost"} <= kinds
    return files


def _leaks(
    files: list[Path], fragments: set[str], whole: set[str], outputs: dict[str, str] | None = None
) -> list[str]:
    pieces = [(p, re.compile(r"(?<![A-Za-zÀ-ÿ])" + re.escape(p) + r"(?![A-Za-zÀ-ÿ])")) for p in fragments]
    sources = [
        (path.name, _texts_of(path) if path.suffix == ".xlsx" else _pdf_texts(path)) for path in files
    ] + [("output of", _terminal_texts(name, text)) for name, text in (outputs or {}).items()]
    out = []
    for name, texts in sources:
        for where, text in texts:
            found = [p for p, pattern in pieces if p in text and pattern.search(text)]
            if text.strip() in whole:
                found.insert(0, text.strip())
            if found:
                out.append(f"{name} {where}: {text[:90]!r} has {found[0]!r}")
    return out


def _run_in(lang: str, work: Path) -> dict[str, str]:
    """What the commands that write nothing print in ``lang``, on a copy of the example in ``work``."""
    budget = work / EXAMPLE.name
    if not budget.exists():
        shutil.copy(EXAMPLE, budget)
        shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, work / EXAMPLE.stem)
    shutil.copy(EXAMPLE_V1, work / EXAMPLE_V1.name)
    commands = [
        ("validate", "."),
        ("show", budget),
        ("report", budget),
        ("rules",),
        ("rules", "CB304"),
        ("rules", "CB209"),
        ("config",),
        ("variation", budget, work / EXAMPLE_V1.name),
        ("new-period", budget, "--id", "SAL-3", "--end", "2022-12-31"),
    ]
    out = {}
    for args in commands:
        r = run_cli(*args, "--lang", lang, cwd=work, env={"COLUMNS": "300"})
        assert r.returncode in (0, 1), (args, r.stderr)
        out[" ".join(map(str, args[:2])) if args[0] == "rules" else args[0]] = r.stdout + r.stderr
    return out


def test_every_document_an_italian_user_gets_is_italian(italian_documents):
    fragments, whole = _english_fragments(), _english_msgids()
    assert len(fragments) > 200 and len(whole) > 200  # the check has teeth
    pdfs = [p for p in italian_documents if p.suffix == ".pdf"]
    assert len(pdfs) >= 4 and len(italian_documents) - len(pdfs) >= 6
    leaks = _leaks(italian_documents, fragments, whole)
    assert not leaks, "\n".join(sorted(set(leaks), key=lambda x: x.split(": ", 1)[-1])[:40])


def test_every_command_prints_italian_under_lang_it(italian_documents, tmp_path):
    fragments, whole = _english_fragments(), _english_msgids()
    outputs = {**printed, **_run_in("it", tmp_path)}
    assert len(outputs) == 16 and all(outputs.values())
    leaks = _leaks([], fragments, whole, outputs)
    assert not leaks, "\n".join(sorted(set(leaks), key=lambda x: x.split(": ", 1)[-1])[:40])


def test_the_audit_finds_the_english_of_english_documents(tmp_path):
    """The same reading of the same commands in English finds English: whole cells ("Total")
    and pieces of sentences, in workbooks and in PDFs."""
    budget = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, budget)
    shutil.copytree(EXAMPLE.parent / EXAMPLE.stem, tmp_path / EXAMPLE.stem)
    report = tmp_path / EXAMPLE.stem / "sal-2.yaml"
    assert run_cli("export", budget, "-o", tmp_path / "s.xlsx", "--lang", "en").returncode == 0
    r = run_cli("hourly-cost", report, "--person", "cluster-manager", "-o", tmp_path / "hc", "--lang", "en")
    assert r.returncode == 0, r.stderr
    xlsx, pdf = tmp_path / "s.xlsx", next((tmp_path / "hc").glob("*.pdf"))
    fragments, whole = _english_fragments(), _english_msgids()
    for path in (xlsx, pdf):
        assert _leaks([path], set(), whole), path.name
        assert _leaks([path], fragments, set()), path.name
    english = _run_in("en", tmp_path)
    for name in ("validate", "show", "rules CB304", "config"):
        assert _leaks([], fragments, whole, {name: english[name]}), name
