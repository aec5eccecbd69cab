"""Input of golden_estimated_targets.R: the Kobo study of tests/study/own_studies.py (stratified cluster
design, raked to two population margins scaled to the design-weighted total) with the design weights, the
answers in questionnaire order (U1..U9) and riset's seeded Rao-Wu bootstrap replicates of the design weights
(rep1..rep20), as `weighting.targets: estimated` starts from them. Run from the repository root:

    PYTHONPATH=src:tests/study python tests/r/export_estimated_targets.py
      -> tests/data/golden/estimated_targets_input.csv
"""

import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd

from own_studies import kobo_xlsx
from riset.study.config import load_study
from riset.survey.replicate import as_replicate
from riset.study.run import run_study

REPLICATES = 20


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = load_study(kobo_xlsx(Path(folder))["study"])
        res = run_study(replace(config, replicates=REPLICATES))
    design = res.designs["design"]
    reps = as_replicate(design, type="bootstrap", replicates=REPLICATES, seed=config.seed)
    data = design.data
    out = data[["wilayah", "posyandu", "layanan", "bobot", "status_bpjs", "tempat_tinggal"]].copy()
    for j, column in enumerate(res.unsur_map, start=1):
        out[f"U{j}"] = data[column]
    for r in range(REPLICATES):
        out[f"rep{r + 1}"] = reps.replicate_weights[:, r]
    target = Path("tests") / "data" / "golden" / "estimated_targets_input.csv"
    out.to_csv(target, index=False, float_format="%.17g")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
