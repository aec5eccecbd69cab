"""Coding what respondents wrote (issue 18): normalisation, stemming, unsur and tone on hand-labelled sets of
varied answers (informal spellings, negations, several unsur), design-weighted shares by hand, quotes masked,
lexicon checks."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from riset.errors import CodebookError
from riset.skm.opentext import code_answers, load_lexicon, normalise, open_text
from riset.survey.design import SurveyDesign

# answer -> (unsur mentioned, tones); hand-labelled
LABELLED = {
    "Antrinya lama bgt, tolong tambah loket": ({"waktu"}, {"keluhan", "saran"}),
    "petugas tdk ramah dan jutek": ({"perilaku"}, {"keluhan"}),
    "pelayanan cepat, petugas ramah": ({"waktu", "perilaku"}, {"pujian"}),
    "ruang tunggu panas, kursi kurang": ({"sarana"}, {"keluhan"}),
    "Persyaratannya ribet, harus bolak balik fotokopi": ({"persyaratan", "prosedur"}, {"keluhan"}),
    "biaya gratis, mantap": ({"biaya"}, {"pujian"}),
    "ada pungli di loket": ({"biaya"}, {"keluhan"}),
    "mohon disediakan kotak saran": ({"pengaduan"}, {"saran"}),
    "-": (set(), set()),
    "tidak ada": (set(), set()),
    "Mantap!!": (set(), set()),
    "parkiran sempit dan WC kotor": ({"sarana"}, {"keluhan"}),
    "tidak lama kok, sudah cepat": ({"waktu"}, {"pujian"}),
    "penjelasan petugas kurang jelas": ({"kompetensi"}, {"keluhan"}),
    "ktp saya salah cetak": ({"produk"}, {"keluhan"}),
    "semoga lebih baik lagi ke depannya": (set(), {"saran", "pujian"}),
    "dokter datang terlambat, menunggu 3 jam": ({"waktu"}, {"keluhan"}),
    "pengaduan saya tidak ditanggapi": ({"pengaduan"}, {"keluhan"}),
}
KEYS = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana"]
TONES = ["keluhan", "pujian", "saran"]
#: 70 answers written and labelled by hand (tests/data/saran_berlabel.yaml): 46 used while tuning the lexicon,
#: 24 written afterwards and never tuned on.
LABELLED_FILE = Path(__file__).resolve().parents[1] / "data" / "saran_berlabel.yaml"


def test_normalisation():
    assert normalise("Antriannya LAMAAA bgt!!") == "antriannya lama banget"
    assert normalise("gk ada WC") == "tidak ada toilet"


def test_the_hand_labelled_set_is_coded_right():
    coded = code_answers(list(LABELLED))
    unsur_hits = tone_hits = 0
    for (_, row), (unsur, tones) in zip(coded.iterrows(), LABELLED.values()):
        unsur_hits += {k for k in KEYS if row[k]} == unsur
        tone_hits += {t for t in ("keluhan", "pujian", "saran") if row[t]} == tones
    # stated accuracy of the bundled lexicon on this set (exact match of the whole set of codes per answer)
    assert unsur_hits / len(LABELLED) >= 0.85, unsur_hits
    assert tone_hits / len(LABELLED) >= 0.8, tone_hits
    assert coded["kosong"].tolist()[8:11] == [True, True, True]
    assert coded.loc[15, "lainnya"]  # content, no unsur


def test_shares_are_design_weighted_means_of_the_indicators_by_hand():
    frame = pd.DataFrame({"id": range(6), "unit": list("AAABBB"), "w": [1.0, 1, 2, 1, 1, 1],
                          "saran": ["antre lama", "", "petugas ramah", "antri lama bgt", "-", "pak Budi ketus"]})
    result = open_text(SurveyDesign(frame, weights="w"), ["saran"], id_column="id", by="unit")
    s = result.shares.set_index(["group", "unsur"])
    # A: waktu mentioned by the weight-1 respondent of 4 -> 1/4; B: 1/3; whole sample (1 + 1) / 7
    assert s.loc[("A", "waktu"), "sebut"] == pytest.approx(1 / 4)
    assert s.loc[("B", "waktu"), "sebut"] == pytest.approx(1 / 3)
    assert s.loc[("area", "waktu"), "sebut"] == pytest.approx(2 / 7)
    assert s.loc[("B", "perilaku"), "keluhan"] == pytest.approx(1 / 3)  # "ketus" is a complaint
    assert s.loc[("A", "perilaku"), "keluhan"] == 0 and s.loc[("A", "perilaku"), "sebut"] == pytest.approx(2 / 4)
    assert result.n_answers == 4
    assert "Budi" not in " ".join(result.quotes["jawaban"]) and "pak [nama] ketus" in list(result.quotes["jawaban"])
    complaints = result.complaints("unit").set_index(["unit", "unsur"])["share"]
    assert complaints[("B", "waktu")] == pytest.approx(1 / 3)


def test_a_study_lexicon_is_checked(tmp_path):
    path = tmp_path / "leksikon.yaml"
    path.write_text("unsur:\n  antrean: [antre]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="'antrean' is not an unsur"):
        load_lexicon(path)
    path.write_text("unsur:\n  waktu: antre\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="'unsur.waktu' needs a list"):
        load_lexicon(path)
    path.write_text("unsur:\n  waktu: [antre]\nutuh: selama\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="'utuh' needs a list"):
        load_lexicon(path)
    path.write_text("unsur:\n  waktu: [antre]\nnada:\n  marah: [kesal]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="tone 'marah'"):
        load_lexicon(path)


def test_unmatched_answers_are_grouped_into_reproducible_themes():
    from riset.skm.opentext import themes

    texts = ["wifi gratis lambat sekali", "wifi sering mati", "tolong wifi diperbaiki", "wifi tidak bisa connect",
             "sinyal wifi lemah", "musholla kurang bersih", "musholla perlu mukena", "musholla sempit sekali",
             "tempat wudhu musholla rusak", "musholla tidak ada sajadah", "wifi password tidak diumumkan",
             "musholla jauh dari loket"]
    first = themes(texts, seed=1)
    again = themes(texts, seed=1)
    assert first.equals(again)  # seeded: the same themes every run
    named = " ".join(first["kata"])
    assert "wifi" in named and "musholla" in named
    assert first["n"].sum() == len(texts) and (first["contoh"].str.count(r"\|") <= 2).all()
    assert themes(texts[:5]) is None  # too few to group


def _unsur(coded: pd.DataFrame) -> list[set]:
    return [{k for k in KEYS if row[k]} for _, row in coded.iterrows()]


def test_stemming_reaches_derived_words():
    """Words no lexicon word begins are read as their Sastrawi stem: "kebersihan" -> bersih (sarana),
    "dimarahi" -> marah (perilaku, complaint), "pembayaran" -> bayar (biaya), "dibentak" -> bentak; without
    stemming they are missed."""
    answers = ["kebersihan kurang dijaga", "sy dimarahi satpam", "pembayarannya ribet", "pernah dibentak"]
    assert _unsur(code_answers(answers)) == [{"sarana"}, {"perilaku"}, {"biaya", "prosedur"}, {"perilaku"}]
    assert _unsur(code_answers(answers, stem=False)) == [set(), set(), {"prosedur"}, set()]
    assert code_answers(["sy dimarahi satpam"])["keluhan"].item()
    assert not code_answers(["sy dimarahi satpam"], stem=False)["keluhan"].item()


def test_stemming_leaves_lexicon_words_and_the_utuh_list_as_written():
    """A word a lexicon word begins keeps its form: "diperbaiki" stays a request, not "baik" (praise);
    "penjelasan" stays kompetensi, not "jelas" (praise). Words the stemmer cuts wrongly (`utuh`) are kept:
    "selama" is not "lama" (waktu), "terbuka" not "buka"."""
    coded = code_answers(["mohon toilet diperbaiki", "penjelasannya membingungkan", "selama ini sudah oke",
                          "mohon biaya diumumkan secara terbuka"])
    assert coded[TONES].values.tolist() == [[False, False, True], [True, False, False], [False, False, False],
                                            [False, False, True]]
    assert _unsur(coded) == [{"sarana"}, {"kompetensi"}, set(), {"biaya"}]


def test_negations_and_comparatives_on_stemmed_text():
    """After a negation a praise word is a complaint, a complaint word praise, a request none ("tidak perlu");
    after a comparative ("lebih ramah") a praise word is a wish (saran). Informal negations count ("gk")."""
    coded = code_answers(["petugas gk ramah", "tdk dimarahi lagi", "sistem online, tidak perlu antre",
                          "mohon petugas lebih ramah", "kebersihan toilet bagus"])
    assert coded[TONES].values.tolist() == [[True, False, False], [False, True, False], [False, False, False],
                                            [False, False, True], [False, True, False]]


@pytest.mark.parametrize("part, exact_unsur, exact_tone", [("penyetelan", 0.80, 0.80), ("uji", 0.65, 0.50)])
def test_accuracy_on_the_hand_labelled_answers(part, exact_unsur, exact_tone):
    """Share of answers whose whole set of codes is right, bundled lexicon with stemming (tests/data/
    saran_berlabel.yaml). Measured: tuning part (46 answers) unsur 38/46 = 0.83 (micro precision 0.88, recall
    0.90), tone 39/46 = 0.85, empty meaning 44/46; held-out part (24 answers, never tuned on) unsur 17/24 =
    0.71 (precision 0.80, recall 0.87), tone 13/24 = 0.54, empty meaning 23/24. Without stemming: unsur the
    same, tone 37/46 and 14/24. The thresholds sit a little under the measured figures."""
    items = yaml.safe_load(LABELLED_FILE.read_text(encoding="utf-8"))[part]
    coded = code_answers([item["teks"] for item in items])
    unsur_right = np.mean([found == set(item["unsur"]) for found, item in zip(_unsur(coded), items)])
    tone_right = np.mean([{t for t in TONES if row[t]} == set(item["nada"])
                          for (_, row), item in zip(coded.iterrows(), items)])
    empty_right = np.mean([row["kosong"] == bool(item.get("kosong"))
                           for (_, row), item in zip(coded.iterrows(), items)])
    assert unsur_right >= exact_unsur and tone_right >= exact_tone and empty_right >= 0.9, (unsur_right, tone_right)
