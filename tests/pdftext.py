"""Reading clustbudget's PDFs back, for tests: ``pdftotext`` (poppler) text and word boxes.

:func:`text_of` is the text (``-layout``), :func:`words_of` every word with its box in points
from the page's top left, :func:`points` a word's font size: a word's box is taller than its
font size by a fixed ratio (ascent + descent), measured on a reference PDF drawn by our own
base at 10 points, so sizes are measured, never assumed.
"""

from __future__ import annotations

import functools
import html as html_text
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def pdftotext() -> str:
    found = shutil.which("pdftotext")
    if not found:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return found


def text_of(pdf: Path, *, layout: bool = True) -> str:
    """The PDF's text; pages separated by form feeds."""
    args = [pdftotext(), *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pages_of(pdf: Path) -> list[str]:
    """The text of each page."""
    return text_of(pdf).split("\f")[:-1]


def words_of(pdf: Path) -> list[Word]:
    """Every word of the PDF with its box (points, from the page's top left)."""
    html = subprocess.run(
        [pdftotext(), "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    out = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            out.append(Word(number, float(x0), float(y0), float(x1), float(y1), html_text.unescape(text)))
    return out


@functools.cache
def _ratio() -> float:
    """Box height ÷ font size of the base's font, from a reference word drawn at 10 points."""
    from reportlab.pdfgen.canvas import Canvas

    from clustbudget.pdf.document import FONT

    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "ref.pdf"
        canvas = Canvas(str(ref))
        canvas.setFont(FONT, 10)
        canvas.drawString(100, 700, "Riferimento")
        canvas.save()
        (word,) = words_of(ref)
    return word.height / 10


def points(word: Word) -> float:
    """The font size a word is drawn at (points)."""
    return word.height / _ratio()
