"""The study's driver analyses: the headline keeps every respondent with the overall item (their blank unsur
answers imputed) when listwise deletion would leave out many and is listwise otherwise, the sensitivity analyses
beside it, the replicate count from a Monte Carlo error target, and the study-file keys that switch them
(issue 14.7)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riset.present.report.text import drivers_statement
from riset.skm.drivers_mi import imputed_importance
from riset.study.config import StudyError, load_study
from riset.study import key_drivers
from riset.study.key_drivers import BLANK_SHARE, driver_analyses
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


def _statement(found, data, lang):
    """The method statement of the report for these analyses (`drivers_statement` reads only these)."""
    results = SimpleNamespace(drivers=found.headline, n=len(data), drivers_sensitivity=found.sensitivity)
    return " ".join(drivers_statement(results, lang))


def test_headline_keeps_everyone_with_the_overall_item_imputing_every_blank_unsur(final):
    data = final.data
    found = driver_analyses(final, data, "K1", UNSUR, _config(), "bobot", progress=False)
    head = found.headline
    assert head is found.imputed
    # every respondent with the overall item, whatever they left blank among the unsur; the outcome is not imputed
    answered = data["K1"].notna()
    assert head.n == int(answered.sum()) > found.without_complaint.n > found.listwise.n
    assert head.imputed == {"U1": int(data.loc[answered, "U1"].isna().sum()),
                            "U3": int(data.loc[answered, "U3"].isna().sum())}
    assert head.left_out == {"K1": int((~answered).sum())}
    # the headline is imputed_importance itself, on the listwise analysis' bootstrap replicates
    reps = as_replicate(final, type="bootstrap", replicates=30, seed=7, calibrated="fixed").replicate_weights
    direct = imputed_importance(data, "K1", UNSUR, weights="bobot", replicate_weights=reps, m=3, seed=7,
                                df_complete=final.df, progress=False)
    pd.testing.assert_frame_equal(head.to_frame(), direct.to_frame())
    assert head.r2 == direct.r2 and (head.table["df"] <= final.df).all()  # Barnard-Rubin df, design df
    # the listwise and without-complaint analyses sit beside it, the headline first
    side = found.sensitivity()
    assert list(side.n) == ["imputasi", "listwise", "tanpa_pengaduan"] and side.spearman["imputasi"] == 1.0
    assert side.n["listwise"] == found.listwise.n == int(data[["K1", *UNSUR]].notna().all(axis=1).sum())
    listwise = found.listwise.share_table().set_index("unsur")["importance"]
    assert side.table.set_index("unsur")["porsi_listwise"].to_dict() == pytest.approx(listwise.to_dict())
    # the exclusion note is the headline's: only the blank overall item
    assert head.notes[0].values["n"] == len(data) - head.n
    assert head.notes[0].values["detail"] == f"K1 {len(data) - head.n}"


def test_the_statement_names_the_imputed_unsur_the_counts_the_assumption_and_who_is_left_out(final):
    data = final.data
    found = driver_analyses(final, data, "K1", UNSUR, _config(), "bobot", progress=False)
    mi, left = found.headline, len(data) - found.headline.n
    complaint, time = mi.imputed["U3"], mi.imputed["U1"]
    assert complaint > time > 0  # the complaint unsur (regulation U8) comes first, then waktu (U3), each named
    english = _statement(found, data, "en")
    assert f"uses {mi.n} of {len(data)} respondents: all who answered overall satisfaction" in english
    assert f"The {left} respondents who did not answer overall satisfaction are left out" in english
    assert (f"{complaint + time} blank answers in 2 elements (U8 Handling of complaints and suggestions: "
            f"{complaint}; U3 Completion time: {time}) were filled in by multiple imputation") in english
    assert "respondent's other answers are taken into account" in english and "(missing at random)" in english
    assert "Rubin's rules" in english
    assert "“Complete answers only”, “Without complaint element”" in english
    indonesian = _statement(found, data, "id")
    assert f"Sebanyak {left} responden yang tidak menjawab kepuasan keseluruhan tidak disertakan" in indonesian
    assert (f"{complaint + time} jawaban kosong pada 2 unsur (U8 Penanganan Pengaduan, Saran dan Masukan: "
            f"{complaint}; U3 Waktu Penyelesaian: {time}) diisi dengan imputasi berganda") in indonesian
    assert "(missing at random)" in indonesian and "diisi 3 kali" in indonesian


def test_many_blanks_outside_the_complaint_unsur_are_imputed_too(final):
    """Listwise deletion counts every blank: few blank complaint answers but many blanks elsewhere still make the
    imputed analysis the headline (without the analysis that drops the complaint unsur)."""
    data = final.data.assign(U3=final.data["U3"].fillna(2))
    data.loc[data.index[::10], "U2"] = np.nan  # a tenth left U2 blank
    found = driver_analyses(SurveyDesign(data, weights="w", psu="psu"), data, "K1", UNSUR, _config(), "bobot",
                            progress=False)
    answered = data["K1"].notna()
    assert found.headline is found.imputed and found.without_complaint is None
    assert found.headline.n == int(answered.sum())
    assert found.headline.imputed == {c: int(data.loc[answered, c].isna().sum()) for c in ("U1", "U2")}
    assert list(found.sensitivity().n) == ["imputasi", "listwise"]
    statement = _statement(found, data, "id")
    assert "Sebagai pembanding, analisis juga dihitung dengan cara lain memperlakukan jawaban yang kosong " \
           "(“Jawaban lengkap saja”)" in statement and "pengaduan" not in statement


def test_imputation_off_keeps_listwise_as_the_headline(final):
    off = driver_analyses(final, final.data, "K1", UNSUR, _config(imputations=0), "bobot", progress=False)
    assert off.imputed is None and off.headline is off.listwise and off.without_complaint is not None
    assert list(off.sensitivity().n) == ["listwise", "tanpa_pengaduan"]


def test_few_blanks_keep_the_listwise_headline(final):
    data = final.data.assign(U1=final.data["U1"].fillna(3))
    answered = data.index[data["K1"].notna()]
    blank = answered[data.loc[answered, "U3"].isna()]
    data.loc[blank[int(BLANK_SHARE * len(answered)):], "U3"] = 3  # just under 5 % of those with K1 left out
    left_out = data.loc[answered, list(UNSUR)].isna().any(axis=1).mean()
    assert 0 < left_out < BLANK_SHARE
    found = driver_analyses(SurveyDesign(data, weights="w", psu="psu"), data, "K1", UNSUR, _config(), "bobot",
                            progress=False)
    assert found.without_complaint is None and found.imputed is None and found.headline is found.listwise
    assert found.headline.n == int(data[["K1", *UNSUR]].notna().all(axis=1).sum())
    assert found.sensitivity() is None
    assert _statement(found, data, "en").startswith(f"This analysis uses {found.headline.n} of {len(data)}")


def test_monte_carlo_target_sets_the_count(final, monkeypatch):
    found = driver_analyses(final, final.data, "K1", UNSUR, _config(mc_target=0.01), "bobot", progress=False)
    count = len(found.listwise.replicates["lmg"])
    assert count > 100 and found.listwise.mc_error <= 0.01 and found.listwise.mc_target == 0.01
    assert found.imputed.replicates == count
    # the imputed analysis runs on the very replicates the listwise one drew (rounds of the target), not a new draw
    seen = []
    real = key_drivers.imputed_importance
    monkeypatch.setattr(key_drivers, "imputed_importance",
                        lambda *a, replicate_weights, **k: seen.append(replicate_weights) or real(
                            *a, replicate_weights=replicate_weights, **k))
    drawn = []
    draw = key_drivers._draw
    monkeypatch.setattr(key_drivers, "_draw", lambda *a: drawn.append(draw(*a)) or drawn[-1])
    driver_analyses(final, final.data, "K1", UNSUR, _config(mc_target=0.01), "bobot", progress=False)
    assert len(drawn) >= 2 and np.array_equal(seen[0], np.hstack(drawn))  # pilot round, then the rest
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
