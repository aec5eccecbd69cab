"""The laporan as DOCX: A4, cover, kata pengantar, daftar isi (TOC field), Bab I-V and Lampiran, page-number
fields, numbered captions, header cells never narrower than their longest word, hostile text survives, figures no
taller than the cap and kept with their captions, tables' captions kept with their header and first row."""

import io
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from riset.present.report.content import build_laporan
from riset.present.report.docx import write_docx
from riset.present.report.layout import CELL_MARGIN_CM, CHAR_CM, FIGURE_MAX_CM, TEXT_WIDTH_CM, column_widths
from riset.present.report.document import Chapter, Cover, Figure, Laporan, Section, Table
from riset.present.report.figures import render_figures
from riset.study import run_study
from riset.study.config import load_study

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def laporan():
    res = run_study(replace(load_study(ROOT / "data" / "raw" / "studi.yaml"), replicates=20, out_of_sample=False))
    return build_laporan(res, render_figures(res, "id"), "id")


@pytest.fixture(scope="module")
def doc(laporan, tmp_path_factory):
    return Document(write_docx(laporan, tmp_path_factory.mktemp("docx") / "laporan.docx"))


def test_a4_with_page_number_and_toc_fields(doc):
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    footer = section.footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    assert any("TOC \\o" in p._element.xml for p in doc.paragraphs)


def test_the_usual_chapters_in_order(doc):
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    expected = ["Kata Pengantar", "Daftar Isi", "BAB I Pendahuluan", "BAB II Metodologi", "BAB III Hasil Survei",
                "BAB IV Analisis", "BAB V Kesimpulan dan Rekomendasi", "LAMPIRAN A Lampiran"]
    assert headings == expected
    subs = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    for title in ("1.2 Dasar Hukum", "1.3 Maksud dan Tujuan", "1.4 Ruang Lingkup", "1.5 Waktu Pelaksanaan",
                  "1.6 Tim Pelaksana", "A.1 Kuesioner"):
        assert title in subs


def test_captions_are_numbered_per_chapter(doc, laporan):
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    tables = [c for c in captions if c.startswith("Tabel ")]
    figures = [c for c in captions if c.startswith("Gambar ")]
    assert len(tables) == len(laporan.tables()) and len(figures) == len(laporan.figures())
    assert tables[0].startswith("Tabel 2.1 ") and any(c.startswith("Gambar 3.1 ") for c in figures)
    numbers = [tuple(map(int, re.match(r"Tabel (\d+)\.(\d+)", c).groups())) for c in tables if c[6].isdigit()]
    assert numbers == sorted(numbers)


def test_header_cells_are_wide_enough_for_their_longest_word(doc):
    """Every header word fits its cell, measured independently of the layout code: with Pillow, in the bold
    DejaVu Sans file matplotlib ships (the font LibreOffice falls back to), at the cell's font size."""
    from matplotlib import get_data_path
    from PIL import ImageFont

    fonts = {}
    for table in doc.tables[1:]:
        for cell in table.rows[0].cells:
            runs = [r for p in cell.paragraphs for r in p.runs if r.font.size is not None]
            size = runs[0].font.size.pt if runs else 9.0
            font = fonts.setdefault(size, ImageFont.truetype(f"{get_data_path()}/fonts/ttf/DejaVuSans-Bold.ttf",
                                                              size * 10))
            longest_cm = max((font.getlength(w) / 10 * 2.54 / 72 for w in cell.text.split()), default=0.0)
            assert cell.width.cm + 1e-3 >= longest_cm + CELL_MARGIN_CM, cell.text


def test_column_widths_keep_numbers_on_one_line_and_fill_the_page():
    table = Table("t", ["Unit layanan", "IKM", "SK 95%"], [["Puskesmas Tanjung Kota", "89,85", "88,75–90,96"]],
                  ["l", "r", "r"])
    widths = column_widths(table)
    assert sum(widths) == pytest.approx(16.0) and widths[2] >= 11 * CHAR_CM * 0.9 + CELL_MARGIN_CM


def test_hostile_text_is_written(tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "study"))
    from own_studies import bare_instansi

    study = bare_instansi(tmp_path)
    data = tmp_path / "data.csv"
    text = data.read_text(encoding="utf-8").replace("Legalisir", "=HYPERLINK(\"x\")\x0b$PBB$ <script>")
    data.write_text(text, encoding="utf-8")
    res = run_study(study["study"])
    path = write_docx(build_laporan(res, render_figures(res, "en"), "en"), tmp_path / "l.docx")
    body = "\n".join(p.text for p in Document(path).paragraphs) + "".join(
        c.text for t in Document(path).tables for r in t.rows for c in r.cells)
    assert "$PBB$ <script>" in body and "\x0b" not in body


def test_the_technical_ikm_table_names_its_levels_in_words(doc, laporan):
    # the Lampiran's IKM table showed the level keys ('area', 'unit_periode')
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tingkat")
    levels = {row.cells[0].text for row in table.rows[1:]}
    assert "Wilayah" in levels and "Unit layanan × Periode" in levels
    assert not any("_" in level for level in levels)


def _png(width_px: int, height_px: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width_px, height_px), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_figures_keep_under_the_height_cap_with_their_captions(tmp_path):
    # a figure taller than half a page left the page before it half empty when it moved whole to the next page
    figures = [Figure(f"f{i}", f"Uji {i}", _png(100, h), 100, h) for i, h in enumerate((50, 100, 200, 400))]
    laporan = Laporan(cover=Cover("T", "S", "A", None, "1 Januari 2026"), preface=[],
                      chapters=[Chapter("BAB I", "Uji", [Section("Gambar", list(figures))])])
    laporan.number_captions("Tabel", "Gambar")
    doc = Document(write_docx(laporan, tmp_path / "l.docx"))
    assert len(doc.inline_shapes) == len(figures)
    for shape in doc.inline_shapes:
        assert shape.height.cm <= FIGURE_MAX_CM + 1e-3 and shape.width.cm <= TEXT_WIDTH_CM + 1e-3
    assert doc.inline_shapes[0].width.cm == pytest.approx(TEXT_WIDTH_CM, abs=1e-3)  # a wide one keeps the width
    paragraphs = doc.paragraphs
    for i, paragraph in enumerate(paragraphs):
        if paragraph._element.xpath(".//pic:pic"):
            assert paragraph.paragraph_format.keep_with_next and paragraphs[i + 1].style.name == "Caption"


def test_a_table_keeps_its_caption_header_and_first_row_together(doc):
    captions = [p for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("Tabel ")]
    assert captions and all(p.paragraph_format.keep_with_next for p in captions)
    for table in doc.tables[1:]:
        if table.rows[0].cells[0].text and len(table.rows) > 1:
            header = table.rows[0]
            assert header._tr.trPr.find(qn("w:cantSplit")) is not None
            assert all(p.paragraph_format.keep_with_next for c in header.cells for p in c.paragraphs)
