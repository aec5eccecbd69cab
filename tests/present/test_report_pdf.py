"""The laporan as PDF (pure Python, fpdf2): A4, the cover first, a daftar isi with the chapters' pages, the same
chapters and numbered captions as the DOCX, page numbers."""

from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from riset.present.report.content import build_laporan
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
