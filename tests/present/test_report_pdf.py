"""The laporan as PDF (pure Python, fpdf2): A4, the cover first, a daftar isi with the chapters' pages, the same
chapters and numbered captions as the DOCX, page numbers; no large gaps: a figure that nearly fits the room left is
shrunk into it, a table's caption never stays alone at a page's foot."""

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from riset.present.report.content import build_laporan
from riset.present.report.document import Chapter, Cover, Figure, Laporan, Paragraph, Section
from riset.present.report.figures import render_figures
from riset.present.report.pdf import write_pdf
from riset.study import run_study
from riset.study.config import load_study

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    res = run_study(replace(load_study(ROOT / "data" / "raw" / "studi.yaml"), replicates=20, out_of_sample=False))
    laporan = build_laporan(res, render_figures(res, "id"), "id")
    return PdfReader(write_pdf(laporan, tmp_path_factory.mktemp("pdf") / "laporan.pdf")), laporan


def test_a4_pages_and_the_cover_first(pdf):
    reader, laporan = pdf
    assert 20 <= len(reader.pages) <= 64  # 61 since the driver analysis states its treatment of blanks (14.7)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    cover = reader.pages[0].extract_text()
    assert "Kabupaten Tanjung Harapan" in cover and "LAPORAN HASIL SURVEI" in cover


def test_the_contents_list_every_chapter_with_the_page_it_starts_on(pdf):
    reader, laporan = pdf
    texts = [page.extract_text() for page in reader.pages]
    contents = texts[2]
    assert "Daftar Isi" in contents
    for chapter in laporan.chapters:
        title = f"{chapter.label} {chapter.title}"
        line = next(l for l in contents.splitlines() if l.startswith(title))
        page = int(line.split()[-1])
        assert title in texts[page - 1], title
    assert "Halaman 3" in contents


def test_no_page_is_blank_but_for_its_number(pdf):
    # the contents placeholder turns the page itself; a second turn left page 4 empty ("Halaman 4")
    reader, _laporan = pdf
    for number, page in enumerate(reader.pages[1:], start=2):
        assert page.extract_text().replace(f"Halaman {number}", "").strip(), number


def test_captions_are_those_of_the_document(pdf):
    reader, laporan = pdf
    everything = " ".join(page.extract_text() for page in reader.pages)
    for table in laporan.tables()[:5]:
        assert table.caption.split(" ", 2)[1] in everything
    assert "Tabel 3.1" in everything and "Gambar 3.1" in everything


def test_no_table_caption_is_left_alone_at_the_foot_of_a_page(pdf):
    # a caption stayed at the foot of a page while its table (tall first rows) started on the next
    reader, _laporan = pdf
    for number, page in enumerate(reader.pages[5:], start=6):
        lines = [line for line in page.extract_text().splitlines() if line.strip()]
        last = [line for line in lines if line.strip() != f"Halaman {number}"][-1]
        assert not last.startswith("Tabel "), (number, last)


def _figure_after_lines(tmp_path, lines: int):
    """A one-chapter laporan: `lines` one-line paragraphs, then a 16 x 12.8 cm figure; the pages (from 1) of the
    last paragraph, of the figure and of its caption."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (100, 80), "navy").save(buffer, format="PNG")
    blocks = [Paragraph(f"Baris {i}.") for i in range(1, lines + 1)] + [Figure("f", "Uji", buffer.getvalue(), 100, 80)]
    laporan = Laporan(cover=Cover("T", "S", "A", None, "1 Januari 2026"), preface=[],
                      chapters=[Chapter("BAB I", "Uji", [Section("Gambar", blocks)])])
    laporan.number_captions("Tabel", "Gambar")
    pages = PdfReader(write_pdf(laporan, tmp_path / f"l{lines}.pdf")).pages
    text_page = next(i for i, p in enumerate(pages, 1) if f"Baris {lines}." in p.extract_text())
    figure_page = next(i for i, p in enumerate(pages, 1) if p.images)
    caption_page = next(i for i, p in enumerate(pages, 1) if "Gambar 1.1 Uji" in p.extract_text())
    return text_page, figure_page, caption_page


def test_a_figure_that_nearly_fits_is_shrunk_into_the_page(tmp_path):
    # the 128 mm figure (+ caption) after the headings and 15 lines (7.25 mm each) has ~114 mm left: 89 % of it
    # fits (>= FIGURE_SHRINK_FLOOR), so it stays on the page instead of leaving half of it empty
    text_page, figure_page, caption_page = _figure_after_lines(tmp_path, 15)
    assert figure_page == caption_page == text_page


def test_a_figure_that_fits_only_much_smaller_moves_to_the_next_page(tmp_path):
    # after 19 lines ~85 mm are left: the figure would be shrunk to 66 %, so it moves, whole, with its caption
    text_page, figure_page, caption_page = _figure_after_lines(tmp_path, 19)
    assert figure_page == caption_page == text_page + 1
