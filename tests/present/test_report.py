"""The seminar package as a whole: every format written (atomically), the same IKM per unit in the HTML, DOCX,
PDF, PPTX and XLSX, the HTML rendered in a real headless browser, English on request."""

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from docx import Document
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from riset.errors import RisetError
from riset.i18n import fmt_num
from riset.present.report import FILE_NAMES, FORMATS, write_report
from riset.study import run_study
from riset.study.config import load_study

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def res():
    return run_study(replace(load_study(ROOT / "data" / "raw" / "studi.yaml"), replicates=20, out_of_sample=False))


@pytest.fixture(scope="module")
def package(res, tmp_path_factory):
    out = tmp_path_factory.mktemp("paket")
    return write_report(res, out), out


def test_every_format_and_no_temporary_file_left(package):
    paths, out = package
    assert sorted(paths) == sorted(FORMATS)
    assert all(p.stat().st_size > 10_000 for p in paths.values() if p.is_file()) and paths["lembar"].is_dir()
    assert sorted(p.name for p in out.iterdir()) == sorted(FILE_NAMES.values())


def test_the_same_ikm_per_unit_in_every_format(package, res):
    paths, _ = package
    html = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", paths["html"].read_text(encoding="utf-8"))
    docx = " ".join(c.text for t in Document(paths["docx"]).tables for r in t.rows for c in r.cells)
    pdf = " ".join(page.extract_text() for page in PdfReader(paths["pdf"]).pages)
    deck = Presentation(paths["pptx"])
    notes = " ".join(s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide)
    sheet = openpyxl.load_workbook(paths["xlsx"])["IKM"]
    header = [c.value for c in sheet[1]]
    xlsx = {(r[header.index("Tingkat")], r[header.index("Unit layanan")]): r[header.index("IKM (konversi, 25-100)")]
            for r in sheet.iter_rows(min_row=2, values_only=True)}
    sheets = " ".join(page.extract_text() for p in paths["lembar"].glob("*.pdf") for page in PdfReader(p).pages)
    for _, row in res.units().iterrows():
        shown = fmt_num(row["ikm_konversi"], 2, "id")
        for name, text in (("html", html), ("docx", docx), ("pdf", pdf), ("pptx notes", notes),
                           ("publication sheets", sheets)):
            assert shown in text, (name, row["unit"], shown)
        assert xlsx[("Unit layanan", row["unit"])] == pytest.approx(row["ikm_konversi"], rel=1e-12)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing: apt-get install -y chromium")
def test_html_renders_non_blank_in_headless_chromium(package, tmp_path):
    shot = tmp_path / "laporan.png"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profil'}", f"--screenshot={shot}", "--window-size=1280,2000",
           package[0]["html"].resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert image.shape == (2000, 1280, 3)
    assert (image.min(axis=2) < 235).mean() > 0.10 and image.std() > 30
    np.testing.assert_allclose(image[20, 640], [37, 52, 148], atol=12)  # the header band in the accent colour


def test_english_package(res, tmp_path):
    paths = write_report(res, tmp_path, lang="en", formats=("html",))
    html = paths["html"].read_text(encoding="utf-8")
    assert "Public Satisfaction Survey Report" in html and "CHAPTER I" in html and "Kata Pengantar" not in html


def test_unknown_format_and_unwritable_folder_are_one_clear_error(res, tmp_path):
    with pytest.raises(RisetError, match="not report formats"):
        write_report(res, tmp_path, formats=("odt",))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RisetError, match="cannot write to the output folder"):
        write_report(res, blocker / "hasil")


def test_a_failing_format_leaves_the_older_package_untouched(res, tmp_path, monkeypatch):
    first = write_report(res, tmp_path, formats=("html",))["html"]
    before = first.read_bytes()
    import riset.present.report as report

    def broken(*args, **kwargs):
        raise RisetError("disk full")

    monkeypatch.setattr(report, "write_xlsx", broken)
    with pytest.raises(RisetError, match="disk full"):
        write_report(res, tmp_path, formats=("html", "xlsx"))
    assert first.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["laporan_skm.html"]
