"""The example's saran / keluhan text (riset.study.example_text, issue 18): seeded, written the way people type,
following each respondent's own answers, with its truth; the bundled lexicon coder measured against that truth."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.skm.opentext import code_answers
from riset.study import example, example_text

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
KEYS = list(example.UNSUR_KEYS)
TONES = ["keluhan", "pujian", "saran"]


@pytest.fixture(scope="module")
def study() -> dict:
    return example.make_example_study(example.DEFAULT_SEED)


@pytest.fixture(scope="module")
def written(study) -> tuple[pd.Series, pd.DataFrame]:
    """The written answers and their truth (respondents who left the field blank dropped)."""
    texts, truth = study["responden"]["saran"], study["kebenaran_saran"]
    keep = texts.notna().to_numpy()
    return texts[keep].reset_index(drop=True), truth[keep].reset_index(drop=True)


def test_the_truth_is_a_bundled_file_beside_the_export_and_not_in_it(study):
    """One truth row per respondent, same ids and order; the export holds only the text (codebook role 'text')."""
    truth = pd.read_csv(RAW / example.FILES["kebenaran_saran"], dtype=str, keep_default_na=False)
    export = pd.read_csv(RAW / example.FILES["responden"], dtype=str, keep_default_na=False)
    assert truth["id_responden"].tolist() == export["id_responden"].tolist()
    assert not {"unsur", "nada", "kosong"} & set(export.columns)
    assert example.codebook()["columns"]["saran"]["role"] == "text"
    blank = export["saran"] == ""
    assert (truth.loc[blank, "kosong"] == "True").all() and (truth.loc[blank, ["unsur", "nada"]] == "").all().all()
    assert set(";".join(truth["unsur"]).split(";")) - {""} == set(KEYS)


def test_the_text_has_its_own_random_stream(study, monkeypatch):
    """Without the text, every other file and number of the example is the same: the text draws come from their
    own generator (np.random.default_rng([seed, 18]))."""
    def nothing_written(rng, answers, kinds):
        return [None] * len(answers), pd.DataFrame({"id_responden": answers["id_responden"]})

    monkeypatch.setattr(example, "written_answers", nothing_written)
    plain = example.make_example_study(example.DEFAULT_SEED)
    assert plain["responden"].drop(columns="saran").equals(study["responden"].drop(columns="saran"))
    for key in ("kerangka", "margin"):
        assert plain[key].equals(study[key])
    assert plain["kebenaran"] == study["kebenaran"]


def test_the_text_is_seeded(study):
    def draw(seed):
        people = study["responden"].assign(**{k: 4 for k in KEYS})
        return example_text.written_answers(np.random.default_rng([seed, 18]), people,
                                            pd.Series("puskesmas", index=people.index))

    first, again, other = draw(2026), draw(2026), draw(7)
    assert first[0] == again[0] and first[1].equals(again[1])
    assert first[0] != other[0]


def test_the_text_is_written_the_way_people_type(written):
    """Informal spellings (gk, tdk, bgt, antri), letters repeated for emphasis, negations ("tidak ramah"),
    several unsur in one answer, answers about none, and empty-meaning answers ("-", "tidak ada", "mantap")."""
    texts, truth = written
    words = set(" ".join(texts).lower().replace(",", " ").replace(".", " ").split())
    assert {"gk", "tdk", "nggak", "bgt", "antri", "yg"} <= words
    assert sum(bool(re.search(r"([a-z])\1{2,}", t, re.IGNORECASE)) for t in texts) >= 20
    assert texts.str.lower().str.contains(r"\b(?:tidak|gk|tdk|ga|gak|nggak) ramah").any()
    assert {"-", "tidak ada", "mantap"} <= set(texts[truth["kosong"]])
    assert 0.15 < truth["kosong"].mean() < 0.35 and (truth["unsur"].str.contains(";")).mean() > 0.1
    assert ((truth["unsur"] == "") & ~truth["kosong"]).sum() >= 30  # content about none of the unsur


def test_complaints_follow_the_weak_scores(study):
    """People complain about what they scored low: an unsur complained about was scored 1-3 by that respondent,
    mostly 1-2 (a 3 gives a complaint in NADA_TIGA of cases, a 4 never)."""
    truth, export = study["kebenaran_saran"], study["responden"]
    complaint = truth["nada"].str.contains("keluhan") & ~truth["unsur"].str.contains(";") & (truth["unsur"] != "")
    column = truth.loc[complaint, "unsur"].map(example.KOLOM_UNSUR_BY_KEY)
    scores = pd.to_numeric(pd.Series([export.at[i, c] for i, c in column.items()]), errors="coerce")
    scores = scores[scores.between(1, 4)]  # digits only: blanks, code 9, typed labels and invalid cells left out
    assert len(scores) > 150 and (scores <= 3).all() and (scores <= 2).mean() > 0.6, (scores <= 2).mean()


def test_accuracy_of_the_lexicon_coder_on_the_example(written):
    """The bundled lexicon (with stemming) against the generator's truth, 1,064 written answers of seed 2026:
    the whole set of unsur right for 99.4 % (micro precision 0.999, recall 0.995; per unsur precision >= 0.996,
    recall >= 0.95, lowest produk and perilaku), tone set right for 89.8 %, empty meaning right for 100 %.
    Without stemming: unsur 99.2 % (perilaku recall 0.95: "dibentak"), tone 89.6 %. An optimistic, in-sample
    figure: the lexicon was extended while reading this text; the held-out hand-labelled answers
    (tests/skm/test_opentext.py) give the honest one (unsur 71 %, tone 54 %)."""
    texts, truth = written
    coded = code_answers(texts.tolist())
    true_unsur = np.array([[k in u.split(";") for k in KEYS] for u in truth["unsur"]])
    found = coded[KEYS].to_numpy()
    hits = true_unsur & found
    assert (true_unsur == found).all(axis=1).mean() >= 0.97
    assert (hits.sum(axis=0) / found.sum(axis=0) >= 0.97).all()  # precision per unsur
    assert (hits.sum(axis=0) / true_unsur.sum(axis=0) >= 0.9).all()  # recall per unsur
    true_tone = np.array([[t in n.split(";") for t in TONES] for n in truth["nada"]])
    assert (true_tone == coded[TONES].to_numpy()).all(axis=1).mean() >= 0.85
    assert (coded["kosong"] == truth["kosong"]).all()


def test_the_example_study_codes_its_saran(example_results):
    """`make demo` codes the text: the example's shares follow the truth (waktu the most mentioned unsur)."""
    said = example_results.open_text_result
    area = said.shares[said.shares["level"] == "area"].set_index("unsur")
    assert said.n_answers > 700 and area["sebut"].idxmax() == "waktu"
