"""The study's driver analyses: the headline keeps the respondents with a blank complaint answer (imputed) when
many left it blank and is listwise otherwise, the sensitivity analyses beside it, the replicate count from a
Monte Carlo error target, and the study-file keys that switch them (issue 14.7)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riset.skm.drivers_mi import imputed_importance
from riset.study.config import StudyError, load_study
from riset.study.key_drivers import COMPLAINT_BLANK_SHARE, driver_analyses
from riset.survey.design import SurveyDesign
from riset.survey.replicate import as_replicate

UNSUR = {"U1": "waktu", "U2": "biaya", "U3": "pengaduan"}


@pytest.fixture(scope="module")
def final():
    rng = np.random.default_rng(4)
    n = 400
    d = pd.DataFrame(rng.integers(1, 5, size=(n, 3)).astype(float), columns=list(UNSUR))
    d["K1"] = d["U1"] + 0.5 * d["U2"] + 0.5 * d["U3"] + rng.normal(size=n)
    d.loc[rng.random(n) < 0.25, "U3"] = np.nan  # a quarter never complained
    d.loc[rng.random(n) < 0.03, "U1"] = np.nan  # a few other blanks, and a few without the overall item
    d.loc[rng.random(n) < 0.02, "K1"] = np.nan
    d = d.assign(psu=np.arange(n) // 4, w=rng.uniform(1, 2, n), bobot=0.0)
    d["bobot"] = d["w"]
    return SurveyDesign(d, weights="w", psu="psu")


def _config(**changes):
    return SimpleNamespace(**{"replicates": 30, "seed": 7, "mc_target": None, "imputations": 3, **changes})


def test_headline_keeps_the_blank_complaint_answers_imputed(final):
    data = final.data
    found = driver_analyses(final, data, "K1", UNSUR, _config(), "bobot", progress=False)
    head = found.headline
    assert head is found.imputed
    # every respondent with the overall item and the other unsur answered, whatever their complaint answer
    answered = int(data[["K1", "U1", "U2"]].notna().all(axis=1).sum())
    assert head.n == answered == found.without_complaint.n and head.n > found.listwise.n
    assert head.imputed == {"U3": int(data.loc[data[["K1", "U1", "U2"]].notna().all(axis=1), "U3"].isna().sum())}
    # the headline is imputed_importance itself, on the listwise analysis' bootstrap replicates
    reps = as_replicate(final, type="bootstrap", replicates=30, seed=7, calibrated="fixed").replicate_weights
    direct = imputed_importance(data, "K1", UNSUR, impute=["U3"], weights="bobot", replicate_weights=reps, m=3,
                                seed=7, df_complete=final.df, progress=False)
    pd.testing.assert_frame_equal(head.to_frame(), direct.to_frame())
    assert head.r2 == direct.r2 and (head.table["df"] <= final.df).all()  # Barnard-Rubin df, design df
    # the listwise and without-complaint analyses sit beside it, the headline first
    side = found.sensitivity()
    assert list(side.n) == ["imputasi", "listwise", "tanpa_pengaduan"] and side.spearman["imputasi"] == 1.0
    assert side.n["listwise"] == found.listwise.n == int(data[["K1", *UNSUR]].notna().all(axis=1).sum())
    listwise = found.listwise.share_table().set_index("unsur")["importance"]
    assert side.table.set_index("unsur")["porsi_listwise"].to_dict() == pytest.approx(listwise.to_dict())
    # the exclusion note is the headline's: only the blanks of the overall item and the other unsur
    assert head.notes[0].values["n"] == len(data) - answered
    assert "U3" not in head.notes[0].values["detail"] and "U1" in head.notes[0].values["detail"]
    words = head.blanks_text(len(data), "en")
    assert f"uses {answered} of {len(data)}" in words and f"their {head.imputed['U3']} blank answers" in words
    assert "left the element Handling of complaints and suggestions blank" in words and "Rubin" in words


def test_imputation_off_keeps_listwise_as_the_headline(final):
    off = driver_analyses(final, final.data, "K1", UNSUR, _config(imputations=0), "bobot", progress=False)
    assert off.imputed is None and off.headline is off.listwise and off.without_complaint is not None
    assert list(off.sensitivity().n) == ["listwise", "tanpa_pengaduan"]


def test_few_blank_complaints_keep_the_listwise_headline(final):
    data = final.data.copy()
    blank = data.index[data["U3"].isna()]
    data.loc[blank[int(COMPLAINT_BLANK_SHARE * len(data)) - 1:], "U3"] = 3  # just under 5 % left blank
    assert data["U3"].isna().mean() < COMPLAINT_BLANK_SHARE
    found = driver_analyses(SurveyDesign(data, weights="w", psu="psu"), data, "K1", UNSUR, _config(), "bobot",
                            progress=False)
    assert found.without_complaint is None and found.imputed is None and found.headline is found.listwise
    assert found.headline.n == int(data[["K1", *UNSUR]].notna().all(axis=1).sum())
    assert found.sensitivity() is None


def test_monte_carlo_target_sets_the_count(final):
    found = driver_analyses(final, final.data, "K1", UNSUR, _config(mc_target=0.01), "bobot", progress=False)
    count = len(found.listwise.replicates["lmg"])
    assert count > 100 and found.listwise.mc_error <= 0.01 and found.listwise.mc_target == 0.01
    assert found.imputed.replicates == count
    # a bootstrap final design (estimated targets) keeps its own replicates; the error is reported, not targeted
    boot = as_replicate(final, type="bootstrap", replicates=40, seed=1)
    fixed = driver_analyses(boot, final.data, "K1", UNSUR, _config(mc_target=0.01, imputations=0), "bobot",
                            progress=False)
    assert len(fixed.listwise.replicates["lmg"]) == 40 and fixed.listwise.mc_target is None


def _study(tmp_path, drivers: str):
    (tmp_path / "data.csv").write_text("id,unit\n1,A\n")
    (tmp_path / "cb.yaml").write_text("columns: {}")
    (tmp_path / "studi.yaml").write_text(f"study: Contoh\ndata: data.csv\ncodebook: cb.yaml\ndrivers: {drivers}\n")
    return load_study(tmp_path / "studi.yaml")


def test_study_file_keys(tmp_path):
    config = _study(tmp_path, "{mc_target: 0.25, imputations: 10}")
    assert config.mc_target == pytest.approx(0.0025) and config.imputations == 10
    default = _study(tmp_path, "{replicates: 50}")
    assert default.mc_target is None and default.imputations == 20
    with pytest.raises(StudyError, match="drivers.imputations.*1"):
        _study(tmp_path, "{imputations: 1}")
    with pytest.raises(StudyError, match="drivers.mc_target"):
        _study(tmp_path, "{mc_target: 0}")
