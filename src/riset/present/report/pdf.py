"""The laporan as PDF, in pure Python (fpdf2), so it is made on a laptop without Word or LibreOffice: A4, the
same content and order as the DOCX -- cover, kata pengantar, daftar isi with page numbers, chapters on new
pages, numbered captions, tables that continue over pages with their header repeated, figures at text width,
page numbers. Text in DejaVu Sans, which matplotlib ships (no font file of our own). Pages have no large gaps: a
figure that nearly fits the room left on a page is shrunk into it rather than moved to the next page, and a heading
or a caption moves with the start of what follows it.

>>> write_pdf(build_laporan(results, figures, "id"), "laporan_skm.pdf")     # doctest: +SKIP
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from riset.i18n import say
from riset.present.report.document import Bullets, Callout, Figure, Laporan, Paragraph, Table
from riset.present.report.layout import TEXT_WIDTH_CM, figure_size_cm, table_layout
from riset.textsafe import printable

__all__ = ["FIGURE_SHRINK_FLOOR", "write_pdf"]

_FONT = "DejaVu"
_ACCENT = (0x25, 0x34, 0x94)
_MUTU = {"A": (0x1A, 0x98, 0x50), "B": (0x66, 0xBD, 0x63), "C": (0xFD, 0xAE, 0x61), "D": (0xD7, 0x30, 0x27)}
_MARGIN_MM = 25.0
_TEXT_MM = TEXT_WIDTH_CM * 10
_ALIGN = {"l": "LEFT", "r": "RIGHT", "c": "CENTER"}
#: A figure is shrunk to the room left on its page, rather than moved to the next page, down to this share of its
#: size.
FIGURE_SHRINK_FLOOR = 0.75
#: Height (mm) of the start of a paragraph or a list: two lines, so none is left alone under its heading.
_TEXT_START_MM = 11.0
#: Height (mm) of a callout box with the space under it.
_CALLOUT_MM = 30.0
#: Table cells' padding (mm).
_CELL_PADDING_MM = 1.2


class _Pdf(FPDF):
    """A4 with page numbers in the footer (not on the cover)."""

    def __init__(self, page_word: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.page_word = page_word
        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        self.add_font(_FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(_FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.add_font(_FONT, "I", str(fonts / "DejaVuSans-Oblique.ttf"))
        self.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
        self.set_auto_page_break(True, margin=22)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-15)
        self.set_font(_FONT, "", 9)
        self.cell(0, 8, f"{self.page_word} {self.page_no()}", align="C")


def _heading(pdf: _Pdf, text: str, level: int, keep: float = _TEXT_START_MM) -> None:
    """The heading, on the next page when it and the `keep` mm that follow it do not fit on this one."""
    size = 15 if level == 1 else 12
    pdf.set_font(_FONT, "B", size)
    height = pdf.multi_cell(0, size * 0.55, printable(text), dry_run=True, output="HEIGHT") + 2
    if pdf.will_page_break(height + keep):
        pdf.add_page()
    pdf.start_section(printable(text), level=level - 1)
    pdf.set_text_color(*_ACCENT)
    pdf.multi_cell(0, size * 0.55, printable(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _paragraph(pdf: _Pdf, text: str, size: float = 10.5, align: str = "J") -> None:
    pdf.set_font(_FONT, "", size)
    pdf.multi_cell(0, size * 0.5, printable(text), align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _bullets(pdf: _Pdf, block: Bullets) -> None:
    pdf.set_font(_FONT, "", 10.5)
    for number, item in enumerate(block.items, start=1):
        marker = f"{number}." if block.numbered else "•"
        pdf.set_x(_MARGIN_MM + 2)
        pdf.cell(6, 5.2, marker)
        pdf.multi_cell(_TEXT_MM - 8, 5.2, printable(item), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(1)


def _caption_height(pdf: _Pdf, text: str) -> float:
    """Height (mm) `_caption` takes."""
    pdf.set_font(_FONT, "B", 8.5)
    return pdf.multi_cell(0, 4.2, printable(text), dry_run=True, output="HEIGHT") + 1


def _caption(pdf: _Pdf, text: str) -> None:
    pdf.set_font(_FONT, "B", 8.5)
    pdf.set_text_color(0x55, 0x55, 0x55)
    pdf.multi_cell(0, 4.2, printable(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)


def _row_height(pdf: _Pdf, values: list[str], widths: list[float], size: float, style: str = "") -> float:
    """Height (mm) of one table row: its tallest cell, wrapped in its column as `pdf.table` wraps it."""
    pdf.set_font(_FONT, style, size)
    return max(pdf.multi_cell(width * 10, size * 0.48, printable(value), dry_run=True, output="HEIGHT",
                              padding=_CELL_PADDING_MM) for width, value in zip(widths, values))


def _table_start(pdf: _Pdf, block: Table, widths: list[float], size: float) -> float:
    """Height (mm) of a table's caption, header and first row (columns `widths`, font `size`: `table_layout`),
    which are kept on one page."""
    first = sum(_row_height(pdf, row, widths, size) for row in block.rows[:1])
    return _caption_height(pdf, block.caption) + _row_height(pdf, block.header, widths, size, "B") + first


def _table(pdf: _Pdf, block: Table) -> None:
    widths, size = table_layout(block)
    if pdf.will_page_break(_table_start(pdf, block, widths, size)):
        pdf.add_page()
    _caption(pdf, block.caption)
    pdf.set_font(_FONT, "", size)
    heading = FontFace(emphasis="BOLD", fill_color=(0xE8, 0xEB, 0xF5))
    with pdf.table(col_widths=[w * 10 for w in widths], width=_TEXT_MM, text_align=[_ALIGN[a] for a in block.align],
                   headings_style=heading, line_height=size * 0.48, repeat_headings=1, padding=_CELL_PADDING_MM,
                   cell_fill_mode="NONE") as grid:
        for values in [block.header, *block.rows]:
            row = grid.row()
            for value in values:
                row.cell(printable(value))
    if block.note:
        pdf.set_font(_FONT, "I", 8)
        pdf.multi_cell(0, 4, printable(block.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _figure_width(pdf: _Pdf, block: Figure) -> float | None:
    """Width (mm) of the figure on this page: its size (`figure_size_cm`), shrunk to the room left below the text
    (its caption's included) when it fits there at `FIGURE_SHRINK_FLOOR` of that size or more; None when it must go
    to the next page."""
    width, height = (side * 10 for side in figure_size_cm(block.aspect))
    room = pdf.page_break_trigger - pdf.get_y() - _caption_height(pdf, block.caption) - 3
    if height <= room:
        return width
    return width * room / height if height * FIGURE_SHRINK_FLOOR <= room else None


def _figure(pdf: _Pdf, block: Figure) -> None:
    width = _figure_width(pdf, block)
    if width is None:
        pdf.add_page()
        width = _figure_width(pdf, block) or figure_size_cm(block.aspect)[0] * 10
    pdf.image(io.BytesIO(block.png), x=_MARGIN_MM + (_TEXT_MM - width) / 2, w=width)
    pdf.ln(1)
    _caption(pdf, block.caption)
    pdf.ln(1)


def _callout(pdf: _Pdf, block: Callout) -> None:
    if pdf.will_page_break(_CALLOUT_MM):
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_fill_color(*_MUTU.get(block.mutu or "", _ACCENT))
    pdf.rect(_MARGIN_MM, top, 45, 24, style="F")
    pdf.set_xy(_MARGIN_MM, top + 5)
    pdf.set_font(_FONT, "B", 24)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(45, 14, printable(block.value), align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(_MARGIN_MM + 50, top + 3)
    pdf.set_font(_FONT, "B", 12)
    pdf.multi_cell(_TEXT_MM - 50, 6, printable(block.label), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(_MARGIN_MM + 50)
    pdf.set_font(_FONT, "", 10)
    pdf.multi_cell(_TEXT_MM - 50, 5, printable(block.detail), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top + 28)


def _start_height(pdf: _Pdf, block) -> float:
    """Height (mm) of the start of `block`, which its heading keeps on its page: a figure at its smallest with its
    caption, a table's caption, header and first row, a callout, or two lines of text."""
    if isinstance(block, Figure):
        height = figure_size_cm(block.aspect)[1] * 10 * FIGURE_SHRINK_FLOOR
        return height + _caption_height(pdf, block.caption) + 3
    if isinstance(block, Table):
        return _table_start(pdf, block, *table_layout(block))
    if isinstance(block, Callout):
        return _CALLOUT_MM
    return _TEXT_START_MM


def _cover(pdf: _Pdf, laporan: Laporan) -> None:
    cover = laporan.cover
    pdf.add_page()
    pdf.set_y(60)
    if cover.logo:
        pdf.image(io.BytesIO(cover.logo), x=(210 - 30) / 2, h=30)
        pdf.ln(8)
    for text, size, style in ((cover.subtitle.upper(), 13, "B"), (cover.title, 22, "B"), (cover.area, 15, "")):
        pdf.set_font(_FONT, style, size)
        pdf.set_text_color(*_ACCENT)
        pdf.multi_cell(0, size * 0.6, printable(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(220)
    pdf.set_font(_FONT, "", 12)
    for text in (cover.organiser, cover.date):
        if text:
            pdf.multi_cell(0, 7, printable(text), align="C", new_x="LMARGIN", new_y="NEXT")


def _toc(pdf: _Pdf, outline) -> None:
    """The daftar isi: every chapter and section with its page (fpdf2 fills it after the last page)."""
    pdf.set_font(_FONT, "", 10.5)
    for entry in outline:
        if entry.level > 1:
            continue
        indent = 6 * entry.level
        pdf.set_x(_MARGIN_MM + indent)
        pdf.set_font(_FONT, "B" if entry.level == 0 else "", 10.5 if entry.level == 0 else 10)
        name = entry.name
        page = str(entry.page_number)
        width = _TEXT_MM - indent - 12
        pdf.cell(width, 6, name[:95], link=pdf.add_link(page=entry.page_number))
        pdf.cell(12, 6, page, align="R", new_x="LMARGIN", new_y="NEXT")


def write_pdf(laporan: Laporan, path: str | Path) -> Path:
    """Write the laporan to `path` (PDF, A4)."""
    pdf = _Pdf(say("page_word", laporan.lang))
    pdf.set_title(printable(laporan.cover.title))
    pdf.set_author(printable(laporan.cover.organiser or ""))
    pdf.set_creator("riset")
    _cover(pdf, laporan)
    pdf.add_page()
    _heading(pdf, laporan.preface_title, 1)
    for text in laporan.preface:
        _paragraph(pdf, text)
    for line in laporan.signature:
        if line:
            _paragraph(pdf, line, align="R")
    pdf.add_page()
    pdf.set_font(_FONT, "B", 15)
    pdf.set_text_color(*_ACCENT)
    pdf.cell(0, 9, printable(laporan.contents_title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    entries = sum(1 + len(c.sections) for c in laporan.chapters)
    pdf.insert_toc_placeholder(_toc, pages=max(1, -(-entries // 38)))  # turns the page after the contents
    for i, chapter in enumerate(laporan.chapters):
        if i:
            pdf.add_page()
        _heading(pdf, f"{chapter.label} {chapter.title}", 1)
        for section in chapter.sections:
            _heading(pdf, f"{section.number} {section.title}", 2,
                     _start_height(pdf, section.blocks[0]) if section.blocks else _TEXT_START_MM)
            for block in section.blocks:
                if isinstance(block, Figure):
                    _figure(pdf, block)
                elif isinstance(block, Table):
                    _table(pdf, block)
                elif isinstance(block, Callout):
                    _callout(pdf, block)
                elif isinstance(block, Bullets):
                    _bullets(pdf, block)
                elif isinstance(block, Paragraph):
                    _paragraph(pdf, block.text)
    path = Path(path)
    pdf.output(str(path))
    return path
