"""The laporan as a Word document (python-docx): A4, cover, kata pengantar, daftar isi (a TOC field Word and
LibreOffice fill on opening), chapters on new pages, numbered captions, page numbers, tables whose headers
never break inside a word. It lays out the document model (`riset.present.report.document`); it computes and
phrases nothing.

>>> write_docx(build_laporan(results, figures, "id"), "laporan_skm.docx")   # doctest: +SKIP
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from riset.i18n import say
from riset.present.report.document import Bullets, Callout, Figure, Laporan, Paragraph, Table
from riset.present.report.layout import figure_size_cm, table_layout
from riset.textsafe import printable

__all__ = ["write_docx"]

_ACCENT = RGBColor(0x25, 0x34, 0x94)
_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT, "c": WD_ALIGN_PARAGRAPH.CENTER}
def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, TOC ...) in `paragraph`, marked dirty so it is updated when the file is opened."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = placeholder
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Calibri", Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Heading 1", 16), ("Heading 2", 13)):
        style = doc.styles[name]
        style.font.size, style.font.color.rgb, style.font.bold = Pt(size), _ACCENT, True
    doc.styles["Caption"].font.size = Pt(9)


def _page_setup(section) -> None:
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)


def _footer_page_number(section, word: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{word} ")
    _field(paragraph, "PAGE", "1")


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_with_next_row(row) -> None:
    """The row stays whole and on the page of the row after it (Word's "keep with next" on its paragraphs)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _cell_text(cell, text: str, align: str, bold: bool = False, size: float = 9.0) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = _ALIGN.get(align, WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(printable(text))
    run.font.size, run.font.bold = Pt(size), bold


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc, block: Table) -> None:
    """The caption, the header row and the first row stay on one page; the header repeats on every page."""
    doc.add_paragraph(printable(block.caption), style="Caption").paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths, size = table_layout(block)
    for j, (cell, text) in enumerate(zip(table.rows[0].cells, block.header)):
        _cell_text(cell, text, block.align[j], bold=True, size=size)
        _shade(cell, "E8EBF5")
    _repeat_header(table.rows[0])
    if block.rows:
        _keep_with_next_row(table.rows[0])
    for row in block.rows:
        for j, (cell, text) in enumerate(zip(table.add_row().cells, row)):
            _cell_text(cell, text, block.align[j], size=size)
    for column, width in zip(table.columns, widths):  # the grid (LibreOffice) and every cell (Word)
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    if block.note:
        note = doc.add_paragraph()
        run = note.add_run(printable(block.note))
        run.font.size, run.italic = Pt(8.5), True
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _figure(doc, block: Figure) -> None:
    """The figure at text width, never taller than `FIGURE_MAX_CM`, kept on one page with its caption. Word and
    LibreOffice cannot shrink a picture to the room left on a page, so the height cap is what bounds the gap a
    figure leaves when it moves to the next page."""
    width, _height = figure_size_cm(block.aspect)
    doc.add_picture(io.BytesIO(block.png), width=Cm(width))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    doc.add_paragraph(printable(block.caption), style="Caption")


def _callout(doc, block: Callout) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _shade(left, {"A": "1A9850", "B": "66BD63", "C": "FDAE61", "D": "D73027"}.get(block.mutu or "", "253494"))
    left.width, right.width = Cm(4.5), Cm(11.5)
    value = left.paragraphs[0]
    value.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = value.add_run(printable(block.value))
    run.font.size, run.font.bold, run.font.color.rgb = Pt(28), True, RGBColor(0xFF, 0xFF, 0xFF)
    head = right.paragraphs[0].add_run(printable(block.label))
    head.font.size, head.font.bold = Pt(13), True
    detail = right.add_paragraph().add_run(printable(block.detail))
    detail.font.size = Pt(10)
    doc.add_paragraph()


def _cover(doc, laporan: Laporan) -> None:
    cover = laporan.cover
    for _ in range(3):
        doc.add_paragraph()
    if cover.logo:
        doc.add_picture(io.BytesIO(cover.logo), height=Cm(3.0))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, size, bold in ((cover.subtitle.upper(), 14, True), (cover.title, 22, True), (cover.area, 16, False)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(18)
        run = paragraph.add_run(printable(text))
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, _ACCENT
    for _ in range(8):
        doc.add_paragraph()
    for text in (cover.organiser, cover.date):
        if text:
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(printable(text)).font.size = Pt(13)


def write_docx(laporan: Laporan, path: str | Path) -> Path:
    """Write the laporan to `path` (DOCX)."""
    doc = Document()
    _styles(doc)
    _page_setup(doc.sections[0])
    doc.sections[0].different_first_page_header_footer = True
    _footer_page_number(doc.sections[0], say("page_word", laporan.lang))
    _cover(doc, laporan)
    doc.add_page_break()
    doc.add_heading(printable(laporan.preface_title), level=1)
    for text in laporan.preface:
        doc.add_paragraph(printable(text)).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for line in laporan.signature:
        if line:
            doc.add_paragraph(printable(line)).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_page_break()
    doc.add_heading(printable(laporan.contents_title), level=1)
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', say("toc_placeholder", laporan.lang))
    for chapter in laporan.chapters:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(printable(f"{chapter.label} {chapter.title}"), level=1)
        for section in chapter.sections:
            doc.add_heading(printable(f"{section.number} {section.title}"), level=2)
            for block in section.blocks:
                if isinstance(block, Figure):
                    _figure(doc, block)
                elif isinstance(block, Table):
                    _table(doc, block)
                elif isinstance(block, Callout):
                    _callout(doc, block)
                elif isinstance(block, Bullets):
                    style = "List Number" if block.numbered else "List Bullet"
                    for item in block.items:
                        doc.add_paragraph(printable(item), style=style)
                elif isinstance(block, Paragraph):
                    doc.add_paragraph(printable(block.text)).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    path = Path(path)
    doc.save(path)
    return path
