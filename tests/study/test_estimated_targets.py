"""Calibration targets estimated from the sample (issue 21.2): with `weighting.targets: estimated` the final
design is a bootstrap whose replicates are each re-weighted to targets recomputed from the replicate, so the
SE carries the targets' sampling error; R golden values (tests/r/golden_estimated_targets.R: every bootstrap
replicate raked by R to margins rescaled to its own total); an invariant: re-weighting to the sample's own
totals changes nothing, so its replicates and SE are exactly those of the design-weighted bootstrap."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from own_studies import kobo_xlsx
from riset.skm.ikm_design import ikm_design
from riset.study.config import WeightingSpec, load_study
from riset.study.run import run_study
from riset.survey.replicate import ReplicateDesign, as_replicate

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"


def test_estimated_targets_use_re_weighted_bootstrap_replicates(tmp_path, capsys):
    config = load_study(kobo_xlsx(tmp_path)["study"])
    known = run_study(replace(config, replicates=40))
    estimated_config = replace(config, replicates=40, weighting=replace(config.weighting, targets="estimated"))
    estimated = run_study(estimated_config)
    assert isinstance(estimated.designs["final"], ReplicateDesign)
    # the same point estimates, another variance
    assert estimated.area_row()["ikm_konversi"] == pytest.approx(known.area_row()["ikm_konversi"], rel=1e-12)
    assert estimated.area_row()["se"] != pytest.approx(known.area_row()["se"], rel=1e-3)
    # every replicate meets its own re-estimated targets: its weights sum to its own design-weighted total
    final, reps = estimated.designs["final"], as_replicate(estimated.designs["design"], type="bootstrap",
                                                            replicates=40, seed=config.seed)
    np.testing.assert_allclose(np.asarray(final.replicate_weights).sum(axis=0),
                               np.asarray(reps.replicate_weights).sum(axis=0), rtol=1e-9)


def test_estimated_targets_keep_the_design_df_above_the_replicates_without_a_note(tmp_path):
    """The final replicate design takes the linearization df of the design (4 here); with fewer replicates (3)
    that df is above the replicates, which is not the user's slip R svrepdesign warns about: no note."""
    config = load_study(kobo_xlsx(tmp_path)["study"])
    res = run_study(replace(config, replicates=3, weighting=replace(config.weighting, targets="estimated")))
    final = res.designs["final"]
    assert final.df == res.designs["design"].df > final.n_replicates == 3
    assert "replicate_df_above_replicates" not in [n.code for n in final.notes]


def test_re_weighting_to_the_samples_own_totals_gains_nothing(tmp_path):
    config = load_study(kobo_xlsx(tmp_path)["study"])
    table = tmp_path / "layanan.csv"
    pd.DataFrame({"layanan": ["Posyandu Hulu", "Posyandu Hilir"], "jumlah": [1, 1]}).to_csv(table, index=False)
    # margins scaled within each layanan to its own design-weighted total: the targets are the sample's own
    own = WeightingSpec(method="rake", margins=table, count="jumlah", variables=(("layanan",),), scale="layanan",
                        targets="estimated")
    res = run_study(replace(config, replicates=30, weighting=own))
    base_boot = as_replicate(res.designs["design"], type="bootstrap", replicates=30, seed=config.seed)
    np.testing.assert_allclose(res.designs["final"].replicate_weights, base_boot.replicate_weights, rtol=1e-9)
    by_design = ikm_design(base_boot, res.unsur_map).table.iloc[0]["se"]
    assert res.area_row()["se"] == pytest.approx(by_design, rel=1e-9)  # no gain from self-made targets


def test_estimated_targets_match_r_raking_every_replicate_to_its_own_targets(tmp_path):
    gold = json.loads((GOLDEN / "estimated_targets.json").read_text())
    start = pd.read_csv(GOLDEN / "estimated_targets_input.csv").filter(regex=r"^rep\d+$").to_numpy()
    config = load_study(kobo_xlsx(tmp_path)["study"])
    res = run_study(replace(config, replicates=start.shape[1],
                            weighting=replace(config.weighting, targets="estimated")))
    # R's input is this study's seeded bootstrap (tests/r/export_estimated_targets.py writes it again)
    reps = as_replicate(res.designs["design"], type="bootstrap", replicates=start.shape[1], seed=config.seed)
    np.testing.assert_allclose(reps.replicate_weights, start, rtol=1e-15)
    final = res.designs["final"]
    np.testing.assert_allclose(final.weights, gold["weights"], rtol=1e-10)
    np.testing.assert_allclose(final.replicate_weights, np.array(gold["repweights"]).T, rtol=1e-10, atol=1e-12)
    assert res.area_row()["ikm_konversi"] == pytest.approx(gold["area"]["ikm_konversi"], rel=1e-12)
    assert res.area_row()["se"] == pytest.approx(gold["area"]["se"], rel=1e-10)
    for _, unit in res.units().iterrows():
        assert unit["se"] == pytest.approx(gold[unit["layanan"]]["se"], rel=1e-10), unit["layanan"]
    # not the SE with the targets held fixed (R rake of the bootstrap design to the full-sample targets)
    assert res.area_row()["se"] != pytest.approx(gold["area_fixed_targets"]["se"], rel=1e-6)
