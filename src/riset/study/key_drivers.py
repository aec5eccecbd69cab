"""The study's key-driver analyses: the headline analysis and the other answers to blank complaint answers.

Listwise analysis: LMG/Johnson shares of R^2 of the overall item on the unsur (`riset.skm.drivers`), respondents
with every unsur answered, percentile intervals from Rao-Wu bootstrap replicates of the final design
(adjustment factors held fixed, as R does for a calibrated design converted with as.svrepdesign; a final design
that is already a bootstrap -- estimated calibration targets -- brings its own re-weighted replicates). The
study file's `drivers.replicates` fixes the count; `drivers.mc_target` raises it from 100 until the Monte Carlo
error of the share interval ends is below the target (percentage points) -- except for a bootstrap final design,
whose count the re-weighting fixed; the error achieved is always reported.

A blank complaint answer usually means "never complained", so listwise deletion drops a selection of
respondents. When at least `COMPLAINT_BLANK_SHARE` left it blank:

* with imputations configured (`drivers.imputations`, default 20) the HEADLINE is the analysis with the blank
  complaint answers multiply imputed: every respondent with the overall item and the other unsur answered is
  kept (predictive mean matching on the overall item and the other unsur, pooled by Rubin's rules over the same
  bootstrap replicates -- the count the listwise analysis chose -- with the design df; `riset.skm.drivers_mi`).
  Its assumption -- the rating a respondent would give the complaint service follows from the rest of their
  answers -- is stated wherever it is shown;
* the listwise analysis and the analysis without the complaint unsur (those respondents kept; point estimates)
  are the sensitivity analyses.

Otherwise (few blanks, or `imputations: 0`) the listwise analysis is the headline, and with many blanks the
analysis without the complaint unsur is its sensitivity analysis. `DriverAnalyses.sensitivity` puts the analyses
that ran side by side, the headline first (shares, ranks, Spearman with the headline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riset.skm.drivers import DriverImportance, RelativeImportance, relative_importance
from riset.skm.drivers_mi import ImputedImportance, RankingSensitivity, imputed_importance, ranking_sensitivity
from riset.survey.replicate import as_replicate

__all__ = ["COMPLAINT_BLANK_SHARE", "DriverAnalyses", "driver_analyses"]

#: Share of blank complaint answers from which they are imputed for the headline (and the sensitivity analyses run).
COMPLAINT_BLANK_SHARE = 0.05


@dataclass
class DriverAnalyses:
    """`listwise`, `without_complaint` and `imputed` (None when not run); `headline` is the one the study shows."""

    listwise: RelativeImportance
    without_complaint: RelativeImportance | None
    imputed: ImputedImportance | None

    @property
    def headline(self) -> DriverImportance:
        """The imputed analysis when it ran (module docstring), else the listwise one."""
        return self.imputed if self.imputed is not None else self.listwise

    def sensitivity(self) -> RankingSensitivity | None:
        """Shares and ranks of the analyses that ran side by side, the headline first (keys imputasi, listwise,
        tanpa_pengaduan); None without an alternative to the headline."""
        found = {"imputasi": self.imputed, "listwise": self.listwise, "tanpa_pengaduan": self.without_complaint}
        found = {k: v for k, v in found.items() if v is not None}
        return ranking_sensitivity(found) if len(found) > 1 else None


def driver_analyses(final, final_data: pd.DataFrame, overall: str, unsur_map: dict[str, str], config, weights: str,
                    progress: bool) -> DriverAnalyses:
    """The listwise analysis and, with enough blank complaint answers, the imputed one (then the headline) and the
    one without the complaint unsur (module docstring). `final_data` carries the final weights in column
    `weights`; `config` is the `StudyConfig`."""
    if not final.linearized or config.mc_target is None:
        # a bootstrap final design has its count fixed by the re-weighting; mc_error then only reports
        matrix = final.replicate_weights if not final.linearized else _draw(final, config.replicates, config.seed)
        listwise = relative_importance(final_data, overall, unsur_map, weights=weights, replicate_weights=matrix,
                                       progress=progress)
    else:
        listwise = relative_importance(final_data, overall, unsur_map, weights=weights,
                                       replicate_weights=lambda count, seed: _draw(final, count, seed),
                                       replicates="auto", seed=config.seed, mc_target=config.mc_target,
                                       progress=progress)
        matrix = _draw(final, len(listwise.replicates["lmg"]), config.seed)
    complaint = [c for c, k in unsur_map.items() if k == "pengaduan"]
    if not complaint or final_data[complaint[0]].isna().mean() < COMPLAINT_BLANK_SHARE:
        return DriverAnalyses(listwise, None, None)
    others = {c: k for c, k in unsur_map.items() if c not in complaint}
    without = relative_importance(final_data, overall, others, weights=weights, progress=False)
    imputed = None
    if config.imputations:
        imputed = imputed_importance(final_data, overall, unsur_map, impute=complaint, weights=weights,
                                     replicate_weights=matrix, m=config.imputations, seed=config.seed,
                                     df_complete=final.df, progress=progress)
    return DriverAnalyses(listwise, without, imputed)


def _draw(final, count: int, seed: int) -> np.ndarray:
    """Rao-Wu bootstrap replicate weights of the final design, adjustment factors held fixed."""
    return as_replicate(final, type="bootstrap", replicates=count, seed=seed, calibrated="fixed").replicate_weights
