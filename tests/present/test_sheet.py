"""The publication sheet of each unit (issue 14.5): one A4 page per unit as PNG and PDF, with the unit's own IKM,
mutu, n and first actions, the same numbers as the report."""

from pypdf import PdfReader

from riset.i18n import fmt_ci, fmt_num
from riset.present.report import write_report
from riset.present.report.sheet import sheet_file_stem


def _text(path):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_one_a4_sheet_per_unit_with_its_own_numbers(example_results, tmp_path):
    res = example_results
    folder = write_report(res, tmp_path, formats=("lembar",))["lembar"]
    units = res.units()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{sheet_file_stem(c)}{s}" for c in units["unit"] for s in (".png", ".pdf"))
    actions = res.recommendations_in("id").actions
    for _, row in units.iterrows():
        pdf = folder / f"{sheet_file_stem(row['unit'])}.pdf"
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
        text = _text(pdf)
        assert res.unit_name(row["unit"]) in text
        assert fmt_num(row["ikm_konversi"], 2, "id") in text and fmt_ci(row["ci_low"], row["ci_high"], 2, "id") in text
        assert f"{int(row['n_responden'])} responden" in text.replace(".", "")
        first = actions[actions["unit"] == row["unit"]]
        if len(first):
            assert first.iloc[0]["kegiatan"].split()[0] in text
        assert (folder / f"{sheet_file_stem(row['unit'])}.png").read_bytes()[:4] == b"\x89PNG"


def test_a_study_without_units_gets_one_sheet_for_its_area(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "study"))
    from own_studies import bare_instansi
    from riset.study.config import load_study
    from riset.study.run import run_study
    from dataclasses import replace

    config = load_study(bare_instansi(tmp_path)["study"])
    res = run_study(replace(config, unit=None, levels=()))
    folder = write_report(res, tmp_path / "hasil", lang="en", formats=("lembar",))["lembar"]
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 1
    text = _text(pdfs[0])
    assert "Dinas Perpustakaan dan Kearsipan" in text and fmt_num(res.area_row()["ikm_konversi"], 2, "en") in text
    assert "PUBLIC SATISFACTION SURVEY RESULT" in text and "bulan" not in text


def test_every_text_stays_inside_the_page_margins_and_actions_do_not_overlap(example_results):
    # matplotlib's wrap=True wraps at the figure's edge: an action line ran to 1 % of the page's right edge
    import matplotlib.pyplot as plt

    from riset.present.report.sheet import publication_sheet

    res = example_results
    for unit in res.units()["unit"]:
        fig = publication_sheet(res, unit, "id")
        renderer = fig.canvas.get_renderer()
        width = fig.bbox.width
        boxes = [t.get_window_extent(renderer) for t in fig.texts if t.get_text().strip()]
        assert all(b.x1 <= 0.95 * width for b in boxes), unit
        actions = sorted((b for b, t in zip(boxes, [t for t in fig.texts if t.get_text().strip()])
                          if t.get_text()[:2] in ("1.", "2.", "3.")), key=lambda b: -b.y1)
        assert all(upper.y0 >= lower.y1 for upper, lower in zip(actions, actions[1:])), unit
        plt.close(fig)
