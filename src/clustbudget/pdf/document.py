"""The PDF base every clustbudget document is drawn on (reportlab, no spreadsheet program).

A :class:`Document` is an A4 page template — the project's title and the period in the
header, the document's name and "pagina n di m" / "page n of m" in the footer — and a story
of headings, paragraphs and tables added in order. Text is never smaller than
:data:`MIN_FONT_SIZE` (8 pt). :meth:`Document.table` takes :class:`Column` s and rows of
values: text wraps within its column, money (``Decimal``) is right-aligned and written by
:mod:`clustbudget.i18n.formatting` for the document's language, the header rows repeat on
every page. :func:`write_pdf` builds the whole file in memory and then writes it atomically
(:func:`clustbudget.atomic.write_atomic`): a failure leaves no file behind.

The standard Helvetica is used: its WinAnsi encoding has ``€`` and every Italian accent, so
no font is bundled. A character outside it (``→``, ``ő``) is written as its closest WinAnsi
form (``->``, ``o``), never as a missing glyph.

Output is reproducible: the same story gives the same bytes (reportlab's ``invariant``
mode: no creation time, a fixed document id), so a package's manifest hashes are stable.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)

from .. import __version__
from ..atomic import write_atomic
from ..i18n import N_, gettext, msg
from ..i18n import formatting as fmt
from ..records import dataclass

MIN_FONT_SIZE = 8.0
"""No text in a clustbudget PDF is smaller than this (points): the issue's readability floor."""

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
MARGIN = 15 * mm
HEADER_GAP = 12 * mm  # from the page's top edge to the frame: room for the header line

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, alignment=TA_LEFT, spaceAfter=4)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=MIN_FONT_SIZE, leading=10, spaceAfter=2)
TITLE = ParagraphStyle("title", parent=BODY, fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=8)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontName=FONT_BOLD, fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=4
)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.2, spaceAfter=0)
CELL_RIGHT = ParagraphStyle("cell-right", parent=CELL, alignment=TA_RIGHT)
CELL_CENTER = ParagraphStyle("cell-center", parent=CELL, alignment=TA_CENTER)
HEAD_CELL = ParagraphStyle("head-cell", parent=CELL, fontName=FONT_BOLD)
HEAD_CELL_RIGHT = ParagraphStyle("head-cell-right", parent=HEAD_CELL, alignment=TA_RIGHT)
STYLES = (BODY, SMALL, TITLE, HEADING, CELL, CELL_RIGHT, CELL_CENTER, HEAD_CELL, HEAD_CELL_RIGHT)

HEADER_FILL = colors.HexColor("#DDE4EE")
TOTAL_FILL = colors.HexColor("#EEF1F5")
GRID = colors.HexColor("#7F8C9D")

# WinAnsi (cp1252) lacks these; everything else falls back to its decomposed base letter.
_REPLACEMENTS = {
    "→": "->",
    "←": "<-",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "✓": "v",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "ı": "i",
    "\u2212": "-",  # minus sign
    "\u2009": " ",
    "\u202f": " ",
    "\u00a0": " ",
}


def printable(text: str) -> str:
    """``text`` with every character the standard fonts can draw (WinAnsi), the others replaced
    by their closest form: ``→`` → ``->``, ``ő`` → ``o``; ``?`` when there is none."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def markup(text: object) -> str:
    """Plain text (a supplier's name, a description) as safe Paragraph markup: escaped, drawable,
    line breaks kept."""
    return escape(printable("" if text is None else str(text))).replace("\n", "<br/>")


Kind = Literal["text", "money", "number", "date", "month", "percent"]


@dataclass(frozen=True)
class Column:
    """A table column: its header (already in the document's language), its share of the
    table's width (relative to the other columns) and the kind of its values."""

    header: str
    width: float = 1.0
    kind: Kind = "text"

    @property
    def right(self) -> bool:
        return self.kind in ("money", "number", "percent")


@dataclass(frozen=True)
class Bold:
    """A cell value drawn in bold (a total's label or figure)."""

    value: object


def cell_text(value: object, kind: Kind, lang: str) -> str:
    """A value as the text of a cell of ``kind`` in ``lang`` (empty for ``None``)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if kind == "money":
            return fmt.amount(value, lang)
        if kind == "percent":
            return fmt.percent(value, lang)
        return fmt.number(value, lang)
    if isinstance(value, bool):
        return gettext(N_("yes"), lang) if value else gettext(N_("no"), lang)
    if isinstance(value, int):
        return fmt.number(value, lang)
    if isinstance(value, _dt.date):
        return fmt.month(value, lang) if kind == "month" else fmt.date(value, lang)
    if kind == "month" and isinstance(value, str):
        return fmt.month(value, lang)
    render = getattr(value, "render", None)
    if callable(render):
        return str(render(lang))
    return str(value)


class _NumberedCanvas(Canvas):
    """A canvas that knows the page count when it draws each footer ("pagina n di m"): pages
    are kept until the document is complete, then each is finished with its footer."""

    footer: Callable[[Canvas, int, int], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invariant", 1)
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self.footer is not None:
                self.footer(self, self.getPageNumber(), total)
            super().showPage()
        super().save()


class Document:
    """One PDF document: the page template and its story.

    ``title`` is the project's title and ``period`` the period's label (``SAL-2, 01/10/2021 –
    30/09/2022``, or ``None`` for a document not tied to a period): both go in every page's
    header. ``name`` (the document's name: "Rendiconto", "Foglio presenze") goes in the footer
    and the PDF's metadata. ``lang`` is the language of the footer and of the formatted
    values. ``wide`` turns the pages landscape.
    """

    def __init__(
        self,
        *,
        title: str,
        name: str,
        lang: str,
        period: str | None = None,
        wide: bool = False,
        author: str | None = None,
    ) -> None:
        self.title = printable(title)
        self.name = printable(name)
        self.period = printable(period) if period else None
        self.lang = lang
        self.pagesize = landscape(A4) if wide else A4
        self.author = author
        self.story: list[Flowable] = []

    @property
    def width(self) -> float:
        """The width text and tables may take (points)."""
        return float(self.pagesize[0] - 2 * MARGIN)

    # ------------------------------------------------------------------ the story

    def add(self, flowable: Flowable) -> None:
        """Add any reportlab flowable (keep its text at or above :data:`MIN_FONT_SIZE`)."""
        self.story.append(flowable)

    def heading(self, text: str, *, level: int = 1) -> None:
        """A title (level 0) or a section heading (level 1), kept with what follows it."""
        style = TITLE if level == 0 else HEADING
        if level:
            self.story.append(CondPageBreak(40 * mm))
        self.story.append(Paragraph(markup(text), style))

    def paragraph(self, text: str, *, small: bool = False) -> None:
        """A paragraph of plain text (escaped; line breaks kept)."""
        self.story.append(Paragraph(markup(text), SMALL if small else BODY))

    def fields(self, pairs: Sequence[tuple[str, object]], *, label_width: float = 0.3) -> None:
        """A two-column list of labels and values (the project's data on a cover page)."""
        rows = [
            [
                Paragraph(markup(label), HEAD_CELL),
                Paragraph(markup(cell_text(value, "text", self.lang)), CELL),
            ]
            for label, value in pairs
        ]
        widths = [self.width * label_width, self.width * (1 - label_width)]
        table = LongTable(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 4 * mm))

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[object]],
        *,
        totals: Sequence[Sequence[object]] = (),
        header_rows: Sequence[Sequence[str]] = (),
    ) -> LongTable:
        """A table: the columns' headers (repeated on every page, with any ``header_rows``
        above them), one row per entry of ``rows``, and ``totals`` at the bottom in bold on a
        tinted background. Values are formatted by kind (money right-aligned, two decimals, in
        the document's language); text wraps within its column. Returns the table (already
        added to the story)."""
        total_width = sum(c.width for c in columns)
        widths = [self.width * c.width / total_width for c in columns]
        data: list[list[Paragraph]] = []
        for extra in header_rows:
            data.append([Paragraph(markup(text), HEAD_CELL) for text in extra])
        data.append([Paragraph(markup(c.header), HEAD_CELL_RIGHT if c.right else HEAD_CELL) for c in columns])
        heads = len(data)
        for row in rows:
            data.append(self._row(columns, row, bold=False))
        for row in totals:
            data.append(self._row(columns, row, bold=True))
        table = LongTable(data, colWidths=widths, repeatRows=heads, hAlign="LEFT")
        style: list[Any] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, GRID),
            ("BACKGROUND", (0, 0), (-1, heads - 1), HEADER_FILL),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        if totals:
            style.append(("BACKGROUND", (0, len(data) - len(totals)), (-1, -1), TOTAL_FILL))
        table.setStyle(TableStyle(style))
        self.story.append(table)
        self.story.append(Spacer(1, 4 * mm))
        return table

    def _row(self, columns: Sequence[Column], row: Sequence[object], *, bold: bool) -> list[Paragraph]:
        if len(row) != len(columns):
            raise ValueError(f"a row of {len(row)} cells in a table of {len(columns)} columns")
        cells = []
        for column, value in zip(columns, row, strict=True):
            strong = bold or isinstance(value, Bold)
            if isinstance(value, Bold):
                value = value.value
            text = markup(cell_text(value, column.kind, self.lang))
            if strong and text:
                text = f"<b>{text}</b>"
            cells.append(Paragraph(text, CELL_RIGHT if column.right else CELL))
        return cells

    def spacer(self, height_mm: float = 4) -> None:
        self.story.append(Spacer(1, height_mm * mm))

    def page_break(self) -> None:
        self.story.append(PageBreak())

    def keep_together(self, flowables: Sequence[Flowable]) -> None:
        """Flowables that must stay on one page (a signature block)."""
        self.story.append(KeepTogether(list(flowables)))

    # ------------------------------------------------------------------ drawing

    def _header(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = self.pagesize
        y = height - MARGIN + 3 * mm
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 9)
        right = self.period or ""
        # The title takes what the period leaves; a very long one is cut with an ellipsis.
        room = width - 2 * MARGIN - (canvas.stringWidth(right, FONT, 9) + 6 * mm if right else 0)
        canvas.drawString(MARGIN, y, _fit(self.title, FONT_BOLD, 9, room, canvas))
        canvas.setFont(FONT, 9)
        if right:
            canvas.drawRightString(width - MARGIN, y, right)
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y - 2 * mm, width - MARGIN, y - 2 * mm)
        canvas.restoreState()

    def _footer(self, canvas: Canvas, page: int, total: int) -> None:
        width, _ = self.pagesize
        y = MARGIN - 7 * mm
        canvas.saveState()
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y + 4 * mm, width - MARGIN, y + 4 * mm)
        canvas.setFont(FONT, MIN_FONT_SIZE)
        canvas.drawString(MARGIN, y, printable(f"{self.name} · clustbudget {__version__}"))
        canvas.drawRightString(
            width - MARGIN, y, printable(msg("page {n} of {total}", n=page, total=total).render(self.lang))
        )
        canvas.restoreState()

    def render(self) -> bytes:
        """The whole PDF, as bytes."""
        out = BytesIO()
        template = BaseDocTemplate(
            out,
            pagesize=self.pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_GAP - 6 * mm,
            bottomMargin=MARGIN,
            title=self.name if not self.period else f"{self.name} - {self.period}",
            subject=self.title,
            author=self.author or self.title,
            creator=f"clustbudget {__version__}",
            lang=self.lang,
            invariant=1,
        )
        frame = Frame(
            template.leftMargin,
            template.bottomMargin,
            template.width,
            template.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._header)])
        footer = self._footer

        class Numbered(_NumberedCanvas):
            pass

        Numbered.footer = staticmethod(footer)
        story = self.story or [Spacer(1, 1)]
        template.build(list(story), canvasmaker=Numbered)
        return out.getvalue()


def _fit(text: str, font: str, size: float, room: float, canvas: Canvas) -> str:
    if canvas.stringWidth(text, font, size) <= room:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def write_pdf(document: Document, target: Path, *, overwrite: bool = False) -> Path:
    """Draw ``document`` and write it at ``target`` atomically (all of it or nothing; an
    existing file only with ``overwrite``). The PDF is complete in memory before the file is
    created, so an error while drawing leaves no file. Returns the path written."""
    data = document.render()

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as out:
            out.write(data)

    return write_atomic(Path(target), write, overwrite=overwrite)


def period_label(period_id: str, start: _dt.date, end: _dt.date, lang: str) -> str:
    """The header's period: ``SAL-2 · 01/10/2021 – 30/09/2022``."""
    return f"{period_id} · {fmt.date(start, lang)} – {fmt.date(end, lang)}"
