"""The seminar package, checked as a person would: the HTML opened in headless Chromium and looked at, the
PPTX/DOCX re-opened and their chapters, slides and key numbers compared with the study's own results."""

import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation

from riset.errors import RisetError
from riset.i18n import fmt_ci, fmt_num
from riset.present.report import FILE_NAMES, ikm_table, period_change_table, write_report
from riset.study.run import run_study

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHAPTERS = ["1. Pendahuluan", "2. Metodologi", "3. Hasil", "4. Analisis", "5. Rekomendasi dan Rencana Tindak Lanjut"]
N_FIGURES = 7  # ikm_unit, nrr, periode, profil, ipa, drivers, bobot


@pytest.fixture(scope="module")
def res():
    return run_study(ROOT / "data" / "raw", n_replicates=20, out_of_sample=False, seed=2026)


@pytest.fixture(scope="module")
def package(res, tmp_path_factory):
    out = tmp_path_factory.mktemp("paket")
    start = time.perf_counter()
    paths = write_report(res, out)
    return paths, time.perf_counter() - start


def _kab(res):
    return res.kabupaten()


def test_writes_the_four_files_quickly(package):
    paths, seconds = package
    assert sorted(paths) == ["docx", "html", "pptx", "xlsx"]
    assert all(p.is_file() and p.stat().st_size > 10_000 and p.name == FILE_NAMES[k] for k, p in paths.items())
    assert seconds < 30, f"writing the package took {seconds:.1f} s"


def test_html_is_self_contained_with_key_numbers(package, res):
    html = package[0]["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external URL in the report"
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == N_FIGURES and all(i.startswith("data:image/png;base64,") for i in images)
    for chapter in CHAPTERS:
        assert chapter in html
    kab = _kab(res)
    assert fmt_num(kab["ikm_konversi"], 2) in html and fmt_ci(kab["ci_low"], kab["ci_high"], 2) in html
    rsud = res.level("unit").set_index("unit").loc["RSUD-RJ"]
    assert fmt_num(rsud["ikm_konversi"], 2) in html
    assert "1/9" in html and "Taylor" in html


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
    non_white = (image.min(axis=2) < 235).mean()
    assert non_white > 0.15, f"only {non_white:.1%} of the page is not white"
    assert image.std() > 30
    # the header band is drawn in the report's accent colour #253494 (rgb 37, 52, 148)
    np.testing.assert_allclose(image[20, 640], [37, 52, 148], atol=12)
    # the first chart (respondent profile in the methodology) is rendered: blue bars somewhere below 1,200 px
    lower = image[1200:]
    bars = (np.abs(lower - [37, 52, 148]).sum(axis=2) < 120).mean()
    assert bars > 0.002


def test_docx_chapters_tables_figures_and_numbers(package, res):
    doc = Document(package[0]["docx"])
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == CHAPTERS
    assert len(doc.inline_shapes) == N_FIGURES
    text = "\n".join(p.text for p in doc.paragraphs)
    kab = _kab(res)
    assert f"IKM kabupaten {fmt_num(kab['ikm_konversi'], 2)} (SK 95% {fmt_ci(kab['ci_low'], kab['ci_high'], 2)})" in text
    assert "1/9" in text and "Taylor" in text
    units = doc.tables[0]
    assert [c.text for c in units.rows[0].cells][:3] == ["Unit layanan", "n", "IKM (konversi, 25-100)"]
    assert len(units.rows) == 1 + 15
    row = res.level("unit").set_index("unit").loc["PKM-KOTA"]
    found = [[c.text for c in r.cells] for r in units.rows if r.cells[0].text == row["nama_unit"]]
    assert found and found[0][2] == fmt_num(row["ikm_konversi"], 2) and found[0][3] == fmt_ci(row["ci_low"], row["ci_high"], 2)
    assert found[0][4] == row["mutu"]


def test_pptx_slides_and_numbers(package, res):
    prs = Presentation(package[0]["pptx"])
    slides = list(prs.slides)
    # title, methodology, key results, unit table, 7 charts, period change table, recommendations, follow-up plan
    assert len(slides) == 3 + 1 + N_FIGURES + 1 + 2
    assert fmt_num(_kab(res)["ikm_konversi"], 2) in slides[0].placeholders[1].text
    pictures = sum(1 for s in slides for sh in s.shapes if sh.shape_type == 13)
    assert pictures == N_FIGURES
    table = next(sh.table for sh in slides[3].shapes if sh.has_table)
    rows = {table.cell(i, 0).text: [table.cell(i, j).text for j in range(len(table.columns))]
            for i in range(1, len(table.rows))}
    rsud = res.level("unit").set_index("unit").loc["RSUD-RJ"]
    assert rows[rsud["nama_unit"]][2] == fmt_num(rsud["ikm_konversi"], 2)
    assert rows[rsud["nama_unit"]][4] == rsud["mutu"]
    for slide in slides:  # nothing placed off the slide
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= prs.slide_width and shape.top + shape.height <= prs.slide_height


def test_xlsx_tables_keep_numbers(package, res):
    book = load_workbook(package[0]["xlsx"], read_only=True)
    assert {"IKM", "NRR", "IPA", "Rekomendasi", "Masalah data", "Bobot"} <= set(book.sheetnames)
    rows = list(book["IKM"].iter_rows(values_only=True))
    header = rows[0]
    kab = next(r for r in rows[1:] if r[header.index("level")] == "kabupaten")
    assert kab[header.index("ikm_konversi")] == pytest.approx(_kab(res)["ikm_konversi"], rel=1e-12)


def test_english_labels_and_number_format(res):
    table = ikm_table(res, "opd", lang="en")
    assert table.header[:3] == ["Agency (OPD)", "n", "IKM (converted, 25-100)"]
    disdukcapil = next(r for r in table.rows if r[0] == "Disdukcapil")
    value = res.level("opd").set_index("opd").loc["Disdukcapil", "ikm_konversi"]
    assert disdukcapil[2] == f"{value:.2f}"


def test_unknown_format_is_refused(res, tmp_path):
    with pytest.raises(RisetError, match="pdf"):
        write_report(res, tmp_path, formats=("html", "pdf"))


def _change_row(res, group):
    change = res.period_change.set_index("group")
    return change.loc[group]


def test_docx_period_change_table_matches_the_study(package, res):
    doc = Document(package[0]["docx"])
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][3:4] == ["Selisih"])
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Unit layanan", "IKM 2026-S1", "IKM 2026-S2", "Selisih", "SK 95%", "p", "p (Holm)", "Perubahan"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert len(rows) == 1 + 15
    for group, name in (("Kabupaten", "Kabupaten"), ("RSUD-RJ", res.level("unit").set_index("unit").loc["RSUD-RJ", "nama_unit"])):
        r = _change_row(res, group)
        assert rows[name][1:5] == [fmt_num(r["ikm_awal"], 2), fmt_num(r["ikm_akhir"], 2), "+" + fmt_num(r["selisih"], 2),
                                   fmt_ci(r["ci_low"], r["ci_high"], 2)]
        assert rows[name][7] == "naik bermakna"
    # RSUD-RJ: p = 0.0036 (R golden in test_study); SMP Negeri 3: p = 0.057 -> not significant at 95%
    assert rows[name][5] == "0,004"
    smp3 = _change_row(res, "SMPN3-SMAS")
    assert rows[smp3["nama_unit"]][5] == fmt_num(smp3["p_value"], 3) and rows[smp3["nama_unit"]][7] == "tidak berubah bermakna"
    # RSUD-RJ: Holm over 15 units, 0.054: the paragraph says no unit stays significant after the adjustment
    assert rows[name][6] == fmt_num(_change_row(res, "RSUD-RJ")["p_holm"], 3) == "0,054"
    text = "\n".join(p.text for p in doc.paragraphs)
    kab = _change_row(res, "Kabupaten")
    assert (f"IKM kabupaten naik bermakna (+{fmt_num(kab['selisih'], 2)} poin; SK 95% "
            f"{fmt_ci(kab['ci_low'], kab['ci_high'], 2)}; p < 0,001)") in text
    assert "sekitar 0,8 unit diperkirakan tampak berubah bermakna karena kebetulan saja" in text
    assert "setelah penyesuaian Holm (kolom p (Holm)) yang tetap bermakna: tidak ada" in text


def test_xlsx_period_change_sheet_keeps_numbers(package, res):
    book = load_workbook(package[0]["xlsx"], read_only=True)
    rows = list(book["Perubahan periode"].iter_rows(values_only=True))
    header = rows[0]
    got = {r[header.index("group")]: r for r in rows[1:]}
    assert len(got) == 16
    for group in ("Kabupaten", "PKM-SMAS"):
        want = _change_row(res, group)
        for column in ("selisih", "se", "ci_low", "ci_high", "p_value", "kov"):
            assert got[group][header.index(column)] == pytest.approx(want[column], rel=1e-12), column
        assert got[group][header.index("perubahan")] == "naik bermakna"


def test_pptx_has_the_period_change_slide(package, res):
    prs = Presentation(package[0]["pptx"])
    slide = next(s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text == "Perubahan IKM antar periode")
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    rows = {table.cell(i, 0).text: table.cell(i, 7).text for i in range(1, len(table.rows))}
    names = res.period_change.set_index("group")["nama_unit"]
    assert rows[names["PKM-SMAS"]] == "naik bermakna" and rows[names["DUK-KK"]] == "tidak berubah bermakna"


def test_period_change_table_in_english(res):
    table = period_change_table(res, lang="en")
    assert table.header[3:] == ["Change", "95% CI", "p", "p (Holm)", "Verdict"]
    assert table.rows[0][0] == "Kabupaten" and table.rows[0][7] == "significant increase"
    # units follow the kabupaten row, largest change first
    changes = [float(r[3]) for r in table.rows[1:]]
    assert changes == sorted(changes, reverse=True)


def test_periods_are_listed_in_time_order_units_best_first(res):
    assert [row[0] for row in ikm_table(res, "periode").rows] == ["2026-S1", "2026-S2"]
    units = res.level("unit").set_index("nama_unit")["ikm_konversi"]
    shown = [units[row[0]] for row in ikm_table(res, "unit").rows]
    assert shown == sorted(shown, reverse=True)
