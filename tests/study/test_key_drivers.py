"""The study's driver analyses: replicate count from a Monte Carlo error target, the complaint sensitivity
analyses (without the unsur, multiple imputation) and the study-file keys that switch them."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riset.study.config import StudyError, load_study
from riset.study.key_drivers import driver_analyses, driver_sensitivity
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
    d = d.assign(psu=np.arange(n) // 4, w=rng.uniform(1, 2, n), bobot=0.0)
    d["bobot"] = d["w"]
    return SurveyDesign(d, weights="w", psu="psu")


def _config(**changes):
    return SimpleNamespace(**{"replicates": 30, "seed": 7, "mc_target": None, "imputations": 3, **changes})


def test_fixed_count_sensitivity_analyses_share_the_replicates(final):
    found = driver_analyses(final, final.data, "K1", UNSUR, _config(), "bobot", progress=False)
    assert len(found.main.replicates["lmg"]) == 30 and found.main.mc_error is not None
    assert found.without_complaint is not None and "pengaduan" not in found.without_complaint.ranking()
    mi = found.imputed
    assert mi.m == 3 and mi.replicates == 30 and mi.n == found.without_complaint.n
    assert mi.imputed == {"U3": int(final.data["U3"].isna().sum())}
    assert (mi.table["df"] <= final.df).all()  # Barnard-Rubin df, complete-data df of the design
    side = driver_sensitivity(found.main, found.without_complaint, found.imputed)
    assert list(side.n) == ["listwise", "tanpa_pengaduan", "imputasi"] and side.spearman["listwise"] == 1.0
    # imputation off: the analysis without the unsur still runs
    off = driver_analyses(final, final.data, "K1", UNSUR, _config(imputations=0), "bobot", progress=False)
    assert off.imputed is None and off.without_complaint is not None
    assert list(driver_sensitivity(off.main, off.without_complaint, None).n) == ["listwise", "tanpa_pengaduan"]


def test_few_blank_complaints_run_only_the_main_analysis(final):
    data = final.data.assign(U3=final.data["U3"].fillna(3))
    found = driver_analyses(SurveyDesign(data, weights="w", psu="psu"), data, "K1", UNSUR, _config(), "bobot",
                            progress=False)
    assert found.without_complaint is None and found.imputed is None
    assert driver_sensitivity(found.main, None, None) is None


def test_monte_carlo_target_sets_the_count(final):
    found = driver_analyses(final, final.data, "K1", UNSUR, _config(mc_target=0.01), "bobot", progress=False)
    count = len(found.main.replicates["lmg"])
    assert count > 100 and found.main.mc_error <= 0.01 and found.main.mc_target == 0.01
    assert found.imputed.replicates == count
    # a bootstrap final design (estimated targets) keeps its own replicates; the error is reported, not targeted
    boot = as_replicate(final, type="bootstrap", replicates=40, seed=1)
    fixed = driver_analyses(boot, final.data, "K1", UNSUR, _config(mc_target=0.01, imputations=0), "bobot",
                            progress=False)
    assert len(fixed.main.replicates["lmg"]) == 40 and fixed.main.mc_target is None


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
