"""The PDF base (``clustbudget.pdf.document``): A4 pages with the project's title and the period
in the header and "pagina n di m" in the footer, nothing below 8 points, tables whose header
repeats on every page, whose text wraps inside its column and whose money is right-aligned in
the language's format, and an atomic write. Every PDF is read back with ``pdftotext``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4

from clustbudget.pdf.document import Bold, Column, Document, period_label, printable, write_pdf

from .pdftext import pages_of, points, text_of, words_of

TITLE = "Clust-ER Industrie della Salute e del Benessere 2020-2022"
LONG = "Consorzio Interuniversitario per la Ricerca e l'Innovazione Tecnologica dell'Emilia-Romagna"


def sample(lang: str = "it", rows: int = 90) -> Document:
    doc = Document(
        title=TITLE,
        name="Elenco giustificativi",
        lang=lang,
        period=period_label("SAL-2", dt.date(2021, 10, 1), dt.date(2022, 9, 30), lang),
    )
    doc.heading("Elenco dei giustificativi", level=0)
    doc.paragraph("Spese sostenute nel periodo, con la quietanza di ciascuna.")
    columns = [Column("Fornitore", 4), Column("Data", 1.3, "date"), Column("Imponibile (€)", 1.6, "money")]
    data = [[f"{LONG} {i}", dt.date(2022, 1, 1 + i % 28), Decimal("1250.5") + i] for i in range(rows)]
    total = sum((row[2] for row in data), Decimal(0))
    doc.table(columns, data, totals=[[Bold("Totale"), None, total]])
    return doc


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return write_pdf(sample(), tmp_path / "elenco.pdf")


def test_every_page_has_the_header_and_pagina_n_di_m(pdf: Path):
    pages = pages_of(pdf)
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        assert TITLE in page
        assert "SAL-2 · 01/10/2021 – 30/09/2022" in page
        assert f"pagina {n} di {len(pages)}" in page


def test_english_footer_and_numbers(tmp_path: Path):
    out = write_pdf(sample("en", rows=3), tmp_path / "en.pdf")
    text = text_of(out)
    assert "page 1 of 1" in text
    assert "SAL-2 · 2021-10-01 – 2022-09-30" in text
    assert "1,250.50" in text and "3,754.50" in text  # 1250.50 + 1251.50 + 1252.50


def test_no_text_smaller_than_8_points(pdf: Path):
    words = words_of(pdf)
    smallest = min(words, key=points)
    assert points(smallest) >= 8 - 0.05, f"{smallest.text!r} at {points(smallest):.2f} pt"


def test_the_pages_are_a4(pdf: Path):
    import re

    raw = pdf.read_bytes().decode("latin-1")
    boxes = re.findall(r"/MediaBox \[\s*([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\s*\]", raw)
    assert boxes
    for box in boxes:
        assert (round(float(box[2])), round(float(box[3]))) == (round(A4[0]), round(A4[1]))


def test_the_header_row_repeats_on_every_page(pdf: Path):
    for page in pages_of(pdf):
        assert "Fornitore" in page and "Imponibile (€)" in page


def test_money_is_right_aligned_in_italian_format_and_the_total_is_at_the_bottom(pdf: Path):
    words = words_of(pdf)
    amounts = [w for w in words if w.text.endswith(",50") or w.text == "116.550,00"]
    assert len(amounts) == 91  # 90 rows and the total: 90 × 1250.50 + (0 + … + 89) = 116,550.00
    right_edges = {round(w.x1, 1) for w in amounts}
    assert max(right_edges) - min(right_edges) < 0.5, right_edges
    last = pages_of(pdf)[-1]
    assert last.index("Totale") > last.index("Romagna 89")


def test_long_text_wraps_inside_its_column(pdf: Path):
    words = words_of(pdf)
    dates = [w for w in words if len(w.text) == 10 and w.text[2] == "/" and w.text[5] == "/"]
    date_column = min(w.x0 for w in dates if w.text.endswith("/2022"))
    supplier_words = [w for w in words if w.text in ("Interuniversitario", "dell'Emilia-Romagna")]
    assert supplier_words
    assert max(w.x1 for w in supplier_words) < date_column
    # each supplier wraps: its words sit on more than one line
    first = [w for w in words if w.page == 1 and w.text in ("Consorzio", "dell'Emilia-Romagna")]
    assert len({round(w.y0) for w in first[:2]}) == 2


def test_euro_and_accents_are_drawn_and_other_characters_approximated(tmp_path: Path):
    assert printable("Società € – “qualità”") == "Società € – “qualità”"
    assert printable("A → B, Łódź, Győr") == "A -> B, Lódz, Gyor"
    doc = Document(title="Progetto città", name="Prova", lang="it")
    doc.paragraph("Perché la società paga 1.000,00 € → subito; Łódź")
    text = text_of(write_pdf(doc, tmp_path / "t.pdf"))
    assert "Perché la società paga 1.000,00 € -> subito; Lódz" in text
    assert "Progetto città" in text


def test_the_same_document_gives_the_same_bytes(tmp_path: Path):
    assert sample().render() == sample().render()


def test_an_existing_file_is_kept_without_overwrite(pdf: Path):
    before = pdf.read_bytes()
    with pytest.raises(FileExistsError):
        write_pdf(sample(rows=1), pdf)
    assert pdf.read_bytes() == before
    write_pdf(sample(rows=1), pdf, overwrite=True)
    assert pdf.read_bytes() != before


def test_a_failure_while_drawing_leaves_no_file(tmp_path: Path):
    doc = sample(rows=2)
    doc.table([Column("A"), Column("B")], [["only one cell", "two"]])

    class Broken(Exception):
        pass

    def boom(*args: object) -> None:
        raise Broken

    doc._footer = boom  # type: ignore[method-assign]
    with pytest.raises(Broken):
        write_pdf(doc, tmp_path / "broken.pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_row_of_the_wrong_width_is_a_programming_error():
    doc = sample(rows=0)
    with pytest.raises(ValueError, match="2 columns"):
        doc.table([Column("A"), Column("B")], [["only one"]])
