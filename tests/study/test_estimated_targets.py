"""Calibration targets estimated from the sample (issue 21.2): with `weighting.targets: estimated` the final
design is a bootstrap whose replicates are each re-weighted to targets recomputed from the replicate, so the
SE carries the targets' sampling error; an invariant: re-weighting to the sample's own totals changes
nothing, so its replicates and SE are exactly those of the design-weighted bootstrap."""

from dataclasses import replace

import numpy as np
import pytest

from own_studies import kobo_xlsx
from riset.skm.ikm_design import ikm_design
from riset.study.config import WeightingSpec, load_study
from riset.study.run import run_study
from riset.survey.replicate import ReplicateDesign, as_replicate


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


def test_re_weighting_to_the_samples_own_totals_gains_nothing(tmp_path):
    import pandas as pd

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
