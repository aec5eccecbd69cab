"""The seminar slides: readable from a seat (every run >= 18 pt, titles larger, charts at full width), at most
8 units per chart, speaker notes, the same numbers as the study, and a study with nothing but IKM."""

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Pt

from riset.i18n import fmt_num
from riset.present.report.deck import BODY_PT, MAX_UNITS, TITLE_PT, write_deck
from riset.study import run_study
from riset.study.config import load_study

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "study"))
from own_studies import bare_instansi  # noqa: E402


@pytest.fixture(scope="module")
def example():
    return run_study(replace(load_study(ROOT / "data" / "raw" / "studi.yaml"), replicates=20, out_of_sample=False))


@pytest.fixture(scope="module")
def deck(example, tmp_path_factory):
    return Presentation(write_deck(example, tmp_path_factory.mktemp("deck") / "paparan.pptx", "id"))


def _runs(prs):
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        if run.text.strip():
                            yield number, run


def test_every_text_run_is_at_least_18_pt_and_titles_larger(deck):
    small = [(n, r.text[:30], r.font.size.pt) for n, r in _runs(deck) if r.font.size is None or r.font.size < Pt(18)]
    assert not small
    titles = [r.font.size.pt for n, r in _runs(deck) if r.font.bold and r.font.size >= Pt(TITLE_PT)]
    assert len(titles) >= len(deck.slides) - 2 and BODY_PT >= 18


def test_every_chart_fills_the_width_or_the_height(deck):
    width, height = deck.slide_width, deck.slide_height
    pictures = [(n, p) for n, s in enumerate(deck.slides, start=1) for p in s.shapes if p.shape_type == 13]
    assert len(pictures) >= 6
    for n, p in pictures:
        assert p.width >= 0.8 * width or p.height >= 0.8 * height, n


def test_every_slide_has_speaker_notes(deck):
    """Issue 14.3: the detail a presenter needs is in the notes of every slide, the title and closing included."""
    empty = [i + 1 for i, s in enumerate(deck.slides)
             if not (s.has_notes_slide and s.notes_slide.notes_text_frame.text.strip())]
    assert not empty, f"slides without speaker notes: {empty}"


def test_units_are_split_at_most_8_per_slide_with_the_numbers_in_the_notes(deck, example):
    notes = [s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide]
    starts = tuple(example.unit_name(u) + ": IKM" for u in example.units()["unit"])
    # the IKM-per-unit slides: every line is 'unit: IKM x (CI), mutu m, n responden.' (the priority slide differs)
    unit_notes = [n for n in notes if all(line.startswith(starts) and line.endswith("responden.") for line in n.splitlines())]
    assert len(unit_notes) == -(-len(example.units()) // MAX_UNITS)
    assert all(n.count("\n") < MAX_UNITS for n in unit_notes)
    for _, row in example.units().iterrows():
        assert any(fmt_num(row["ikm_konversi"], 2, "id") in n for n in unit_notes)


def test_titles_state_the_finding(deck, example):
    titles = [s.shapes[1].text_frame.text for s in deck.slides if len(s.shapes) > 1 and s.shapes[1].has_text_frame]
    row = example.area_row()
    assert any(fmt_num(row["ikm_konversi"], 2, "id") in t and f"mutu {row['mutu']}" in t for t in titles)
    assert any(t.endswith("unit layanan bermutu C") for t in titles)
    assert "Terima kasih" in [r.text for _, r in _runs(deck)]


def test_the_drivers_slide_shows_the_headline_and_its_notes_state_the_method(deck, example):
    """Issue 14.7: the slide shows the headline analysis (blank complaint answers imputed) and its notes say whom it
    uses, what was imputed, how, and where the other treatments are."""
    from riset.skm.schemes import unsur_name

    mi = example.key_drivers.imputed
    first, second = (unsur_name(k, "id", example.scheme, code=False) for k in mi.ranking()[:2])
    slide = next(s for s in deck.slides if any(sh.has_text_frame and sh.text_frame.text ==
                                               f"Kepuasan paling ditentukan oleh {first} dan {second}"
                                               for sh in s.shapes))
    notes = slide.notes_slide.notes_text_frame.text
    assert f"memakai {fmt_num(mi.n, 0)} dari {fmt_num(example.n, 0)} responden" in notes
    assert f"{fmt_num(sum(mi.imputed.values()), 0)} jawaban kosong pada {len(mi.imputed)} unsur (U8 Penanganan" in notes
    assert "aturan Rubin" in notes and "Asumsinya" in notes and "tabel kepekaan" in notes


def test_a_study_with_only_ikm_gives_a_deck_that_says_what_was_skipped(tmp_path):
    study = bare_instansi(tmp_path)
    prs = Presentation(write_deck(run_study(study["study"]), tmp_path / "p.pptx", "en"))
    text = " ".join(r.text for _, r in _runs(prs))
    assert "Analyses not carried out" in text and "overall-satisfaction question" in text
    assert "Dinas Perpustakaan dan Kearsipan" in text and "K1" not in text


def test_change_and_profile_slides_are_split_for_a_room(deck, example):
    """Issue 14.3: the change in IKM shows at most 8 units per slide, the profile two characteristics per slide."""
    titles = [next((sh.text_frame.text for sh in s.shapes if sh.has_text_frame and sh.text_frame.text), "")
              for s in deck.slides]
    units = example.units()
    assert sum(t.startswith("Perubahan IKM per unit layanan (") for t in titles) == -(-len(units) // MAX_UNITS) - 1
    variables = example.profile["variabel"].nunique()
    assert sum(t.startswith("Profil ") for t in titles) == -(-variables // 2)
