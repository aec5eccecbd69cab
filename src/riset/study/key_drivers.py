"""The study's key-driver analyses: the headline analysis and the other treatments of blank answers beside it.

Listwise analysis: LMG/Johnson shares of R^2 of the overall item on the unsur (`riset.skm.drivers`), respondents
with every unsur answered, percentile intervals from Rao-Wu bootstrap replicates of the final design
(adjustment factors held fixed, as R does for a calibrated design converted with as.svrepdesign; a final design
that is already a bootstrap -- estimated calibration targets -- brings its own re-weighted replicates). The
study file's `drivers.replicates` fixes the count; `drivers.mc_target` raises it from 100 until the Monte Carlo
error of the share interval ends is below the target (percentage points) -- except for a bootstrap final design,
whose count the re-weighting fixed; the error achieved is always reported.

Blank answers make listwise deletion drop a selection of respondents: a blank complaint answer usually means
"never complained", and a few blanks in each of the other unsur add up. When the listwise analysis leaves out at
least `BLANK_SHARE` of the respondents who answered the overall item:

* with imputations configured (`drivers.imputations`, default 20) the HEADLINE is the analysis with every blank
  unsur answer of those respondents multiply imputed, so it keeps everyone with the overall item (predictive mean
  matching, chained over the unsur with blanks, on the overall item and the other unsur; pooled by Rubin's rules
  over the same bootstrap replicates -- the count the listwise analysis chose -- with the design df;
  `riset.skm.drivers_mi`). The overall item is never imputed: respondents without it stay out. Its assumption --
  the answers are missing at random given the respondent's other answers -- is stated wherever it is shown;
* the listwise analysis is the sensitivity analysis, and, when at least `BLANK_SHARE` of them left the complaint
  unsur blank, so is the analysis without the complaint unsur (those respondents kept; point estimates).

Otherwise (few blanks, or `imputations: 0`) the listwise analysis is the headline, and with many blank complaint
answers the analysis without the complaint unsur is its sensitivity analysis. `DriverAnalyses.sensitivity` puts
the analyses that ran side by side, the headline first (shares, ranks, Spearman with the headline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riset.skm.drivers import DriverImportance, RelativeImportance, numeric_answers, relative_importance
from riset.skm.drivers_mi import ImputedImportance, RankingSensitivity, imputed_importance, ranking_sensitivity
from riset.survey.replicate import as_replicate

__all__ = ["BLANK_SHARE", "DriverAnalyses", "driver_analyses"]

#: Share of the respondents with the overall item from which blanks change the analysis: the listwise analysis
#: leaving out this share makes the imputed analysis the headline; this share of blank complaint answers adds the
#: analysis without the complaint unsur.
BLANK_SHARE = 0.05


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
    """The listwise analysis and, when it leaves out many respondents with the overall item, the imputed one (then
    the headline) and, with many blank complaint answers, the one without the complaint unsur (module docstring).
    `final_data` carries the final weights in column `weights`; `config` is the `StudyConfig`."""
    if not final.linearized or config.mc_target is None:
        # a bootstrap final design has its count fixed by the re-weighting; mc_error then only reports
        matrix = final.replicate_weights if not final.linearized else _draw(final, config.replicates, config.seed)
        listwise = relative_importance(final_data, overall, unsur_map, weights=weights, replicate_weights=matrix,
                                       progress=progress)
    else:
        drawn: list[np.ndarray] = []  # the rounds of replicates the target asked for, reused below (drawn once)

        def draw(count: int, seed: int) -> np.ndarray:
            drawn.append(_draw(final, count, seed))
            return drawn[-1]

        listwise = relative_importance(final_data, overall, unsur_map, weights=weights, replicate_weights=draw,
                                       replicates="auto", seed=config.seed, mc_target=config.mc_target,
                                       progress=progress)
        matrix = np.hstack(drawn)
    answered = final_data[numeric_answers(final_data, [overall])[overall].notna()]
    complaint = [c for c, k in unsur_map.items() if k == "pengaduan"]
    without = imputed = None
    if complaint and answered[complaint[0]].isna().mean() >= BLANK_SHARE:
        others = {c: k for c, k in unsur_map.items() if c not in complaint}
        without = relative_importance(final_data, overall, others, weights=weights, progress=False)
    if config.imputations and 1 - listwise.n / len(answered) >= BLANK_SHARE:
        # every unsur with a blank answer of a respondent with the overall item (imputed_importance's default)
        imputed = imputed_importance(final_data, overall, unsur_map, weights=weights, replicate_weights=matrix,
                                     m=config.imputations, seed=config.seed, df_complete=final.df, progress=progress)
    return DriverAnalyses(listwise, without, imputed)


def _draw(final, count: int, seed: int) -> np.ndarray:
    """Rao-Wu bootstrap replicate weights of the final design, adjustment factors held fixed."""
    return as_replicate(final, type="bootstrap", replicates=count, seed=seed, calibrated="fixed").replicate_weights
