"""Online (self-selected) answers of a study: weighted to the service volume, reported apart from a probability
sample, combined with it only by a stated method (`online:` of the study file, `riset.study.config.OnlineSpec`).

Answers from a QR code at the counter or a link on a website are not a probability sample: who answers is
unknown and may depend on satisfaction itself. riset therefore

1. weights them, as a built-in step, to the service volume N_c (visits or transactions) of each cell c
   (unit x period) with online answers -- post-stratification, w_i = N_c / n_c (Holt & Smith 1979; R
   ``postStratify``) -- and, when the study names them, rakes to other known margins of the service users
   (e.g. unit x age group) keeping the cell volumes (Deming & Stephan 1940; R ``rake``), all with
   `riset.survey.weighting.weight_to_population`, so the variance carries the adjustment;
2. reports the weighting's effect -- Kish deff = n sum w^2 / (sum w)^2 and n_eff = n / deff (Kish 1992) -- and
   its limits: the share of the volume the cells with online answers cover, cells with fewer than `MIN_CELL`
   answers, and that selection on satisfaction within a cell is not corrected by any margin (quasi-randomisation
   assumption of Elliott & Valliant 2017, "Inference for nonprobability samples", Statistical Science 32(2));
3. with a probability sample as well (`online.combine`):
   - ``separate`` (default): the probability design gives every IKM of the study; the online IKM is reported
     beside it with the difference d = IKM_daring - IKM_probabilitas, se(d) = sqrt(se_d^2 + se_p^2) (two
     independent samples) and its two-sided normal p-value, on the cells both cover;
   - ``pooled_weighted``: one design in which the online answers are their own strata (one per cell) and each
     respondent its own PSU; in a cell with both sources the weights become lambda_c w_i (probability) and
     (1 - lambda_c) w_i (online) with lambda_c = neff_p,c / (neff_p,c + neff_o,c), the composite estimator
     weighted by effective sample size (Hartley 1974; Elliott & Haviland 2007, Survey Methodology 33(2), without
     their bias term: it assumes the online answers are unbiased within a cell). Each source's calibration (the
     probability weighting, the online weighting to volume and margins) stays in the variance: the pooled
     variance is that of the probability part sum lambda_c w_i y_i with its calibration residuals plus that of
     the online part with its own (the two samples are independent); FPCs given as sampling fractions are
     pooled as fractions.

Example
-------
>>> import pandas as pd
>>> answers = pd.DataFrame({"unit": ["A", "A", "A", "B"], "periode": ["1", "1", "1", "1"]})
>>> volume = pd.DataFrame({"unit": ["A", "B", "C"], "periode": ["1", "1", "1"], "jumlah": [300, 100, 600]})
>>> from riset.study.config import OnlineSpec
>>> result = weight_online(answers, OnlineSpec(cells=("unit", "periode")), volume)
>>> result.design.weights.tolist(), float(round(result.cells["tercakup"].mean(), 3))
([100.0, 100.0, 100.0, 100.0], 0.667)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from riset.errors import WeightingError
from riset.i18n import Note, check_language
from riset.study.config import OnlineSpec, StudyConfig, StudyError
from riset.survey.design import SurveyDesign
from riset.survey.replicate import ReplicateDesign
from riset.survey.diagnostics import effective_n, kish_deff, weight_summary
from riset.survey.weighting import WeightingRun, weight_to_population

__all__ = ["MIN_CELL", "OnlineAnswers", "OnlineWeighting", "composite_weights", "compare_online", "pooled_design",
           "weight_online"]

#: A cell with fewer online answers than this gets large weights on few people: reported as thin.
MIN_CELL = 5
_EQUAL = "_bobot_daring_sama"
_WEIGHT, _POOLED, _STRATUM, _PSU = "_bobot_sumber", "_bobot_gabungan", "_strata_sumber", "_psu_sumber"
_CELL_N = "n_daring"
#: Notes of the weighting steps that `_effect_notes` restates for online answers (the cell volumes kept, the
#: margins scaled within a unit): said in a probability design's words ('total bobot desain'), they are left out.
_RESTATED = ("weighting_keep_totals", "weighting_scaled_within")
#: A calibration residualiser of a design (`SurveyDesign.adjustments`): weighted influence values n x k -> n x k.
_Adjust = Callable[[np.ndarray], np.ndarray]


@dataclass
class OnlineWeighting:
    """Online answers weighted to the service volume (and other margins): `design` (the online respondents with
    their final weights; variance with the adjustments), `runs` (the weighting steps), `cells` (per cell of the
    volume table: volume, n_daring, tercakup), `weight_table` (Kish deff, n_eff before/after) and `notes`."""

    design: SurveyDesign
    runs: tuple[WeightingRun, ...]
    cells: pd.DataFrame | None
    weight_table: pd.DataFrame
    notes: list[Note] = field(default_factory=list)

    @property
    def deff(self) -> float:
        """Kish design effect of the final online weights."""
        return kish_deff(self.design.weights)

    @property
    def n_eff(self) -> float:
        """Effective sample size of the online answers after weighting (n / deff)."""
        return effective_n(self.design.weights)

    def to_frame(self) -> pd.DataFrame:
        """The weight distribution before (equal) and after the weighting."""
        return self.weight_table.copy()

    def summary(self, lang: str | None = None) -> str:
        """What the weighting did and where it stops, in `lang`."""
        lang = check_language(lang)
        return "\n".join(note.text(lang) for note in self.notes)

    def __repr__(self) -> str:
        return self.summary()


@dataclass
class OnlineAnswers:
    """The online part of a study: how it meets the probability sample (`combine`: 'separate', 'pooled_weighted',
    or 'only' when the study has no probability sample), its `weighting`, its IKM per level (`ikm`: every row
    rests on online answers only, bagian_daring = 1) and, beside a probability sample, `comparison`
    (`compare_online`: the same groups from both sources, the probability side on the cells the online answers
    cover)."""

    combine: str
    weighting: OnlineWeighting
    ikm: pd.DataFrame
    comparison: pd.DataFrame | None = None

    def notes(self) -> list[Note]:
        """The weighting's notes, then the method that combines the sources."""
        return [*self.weighting.notes, Note(f"online_combine_{self.combine}")]

    def to_frame(self) -> pd.DataFrame:
        """The comparison with the probability sample, or the online IKM when there is none."""
        return (self.ikm if self.comparison is None else self.comparison).copy()

    def summary(self, lang: str | None = None) -> str:
        """The notes in `lang`, then the table of `to_frame`."""
        lang = check_language(lang)
        return "\n".join([*(n.text(lang) for n in self.notes()), self.to_frame().round(2).to_string(index=False)])

    def __repr__(self) -> str:
        return self.summary()


def weight_online(data: pd.DataFrame, spec: OnlineSpec, volume: pd.DataFrame | None = None,
                  margins: pd.DataFrame | None = None) -> OnlineWeighting:
    """Weights for the online answers `data`: post-stratified to the `volume` table (spec.count per spec.cells),
    then raked to the `margins` table (spec.variables, spec.margins_count, spec.scale) keeping the cell volumes.

    Without a volume table every online answer weighs 1 and a note says so. Cells of the answers missing from
    the volume table, or with volume 0, are a `StudyError` naming the cell.
    """
    start = SurveyDesign(data.assign(**{_EQUAL: 1.0}), weights=_EQUAL)
    if volume is None:
        return OnlineWeighting(start, (), None, weight_summary({"awal": start}),
                               [Note("online_unweighted", {"n": len(data)})])
    cells = list(spec.cells)
    table = _cell_volumes(data, volume, cells, spec.count)
    covered = table[table[_CELL_N] > 0]
    runs = [weight_to_population(start, covered, [cells], method="poststratify", scale=False, count=spec.count)]
    if margins is not None:
        try:
            runs.append(weight_to_population(runs[0].design, margins, [list(v) for v in spec.variables],
                                             method="rake", scale=spec.scale, keep_totals=cells,
                                             count=spec.margins_count))
        except WeightingError as exc:
            raise StudyError(f"online.margins: the online answers cannot be raked to "
                             f"{', '.join(' × '.join(v) for v in spec.variables)} ({exc}); use fewer or coarser "
                             "margins") from None
    final = runs[-1].design
    notes = [note for run in runs for note in run.notes if note.code not in _RESTATED]
    notes += _effect_notes(final, table, cells, spec)
    return OnlineWeighting(final, tuple(runs), table, weight_summary({"awal": start, "akhir": final}), notes)


def _cell_volumes(data: pd.DataFrame, volume: pd.DataFrame, cells: list[str], count: str) -> pd.DataFrame:
    """The volume per cell (summed over the table's rows of a cell) with the number of online answers; every
    cell with answers must have a volume above 0."""
    absent = [c for c in cells if c not in data.columns]
    if absent:
        raise StudyError(f"online.cells names column '{absent[0]}', which is not in the online answers")
    keys = [volume[c].astype(str) for c in cells]
    table = pd.to_numeric(volume[count], errors="coerce").groupby(keys).sum(min_count=1).rename(count).reset_index()
    answers = data.groupby([data[c].astype(str) for c in cells]).size().rename(_CELL_N).reset_index()
    merged = answers.merge(table, on=cells, how="left")
    bad = merged[~(merged[count] > 0)]
    if len(bad):
        cell = " / ".join(str(bad.iloc[0][c]) for c in cells)
        raise StudyError(f"online answers of cell {cell} ({' × '.join(cells)}, {int(bad.iloc[0][_CELL_N])} answers) "
                         f"have no volume above 0 in the online.volume table (column '{count}'); add the cell's "
                         "visits or transactions")
    table = table.merge(answers, on=cells, how="left").fillna({_CELL_N: 0})
    table[_CELL_N] = table[_CELL_N].astype(int)
    table["tercakup"] = table[_CELL_N] > 0
    return table


def _effect_notes(final: SurveyDesign, table: pd.DataFrame, cells: list[str], spec: OnlineSpec) -> list[Note]:
    """The weighting's effect (Kish deff, n_eff, weight range) and its limits (coverage, thin cells, what no
    margin corrects), as notes with their values."""
    w = np.asarray(final.weights, dtype=float)
    variables = [tuple(cells), *(tuple(v) for v in spec.variables)]
    notes = [Note("online_weighted", {"n": int(w.size), "cells": int(table["tercakup"].sum()),
                                      "variables": variables, "deff": kish_deff(w),
                                      "n_eff": effective_n(w), "ratio": float(w.max() / w.min())})]
    volume = pd.to_numeric(table[spec.count])
    share = float(volume[table["tercakup"]].sum() / volume.sum())
    if share < 1:
        notes.append(Note("online_coverage", {"share": share, "covered": int(table["tercakup"].sum()),
                                              "total": len(table)}))
    thin = table[table["tercakup"] & (table[_CELL_N] < MIN_CELL)]
    if len(thin):
        names = ", ".join(" / ".join(str(r[c]) for c in cells) for _, r in thin.iterrows())
        notes.append(Note("online_thin_cells", {"n": len(thin), "min": MIN_CELL, "cells": names}))
    notes.append(Note("online_limits", {"variables": variables}))
    return notes


def composite_weights(prob: pd.DataFrame, online: pd.DataFrame, cells: Sequence[str], weight: str) -> tuple[
        np.ndarray, np.ndarray]:
    """Composite factors for pooling (`combine: pooled_weighted`): per cell c with both sources,
    lambda_c = neff_p,c / (neff_p,c + neff_o,c) with neff = (sum w)^2 / sum w^2 of the source's weights in the
    cell (Kish); the probability weights are multiplied by lambda_c, the online ones by 1 - lambda_c; a cell
    with one source keeps its weights (factor 1). Returns the two factor arrays (probability rows, online rows).

    >>> p = pd.DataFrame({"u": ["A", "A", "B"], "w": [1.0, 1.0, 1.0]})
    >>> o = pd.DataFrame({"u": ["A", "A", "C"], "w": [2.0, 2.0, 5.0]})
    >>> [f.tolist() for f in composite_weights(p, o, ["u"], "w")]
    [[0.5, 0.5, 1.0], [0.5, 0.5, 1.0]]
    """
    def neff(frame: pd.DataFrame) -> pd.Series:
        keys = [frame[c].astype(str) for c in cells]
        w = frame[weight].astype(float)
        return w.groupby(keys).sum() ** 2 / (w**2).groupby(keys).sum()

    n_p, n_o = neff(prob), neff(online)
    lam = (n_p / (n_p + n_o)).dropna()

    def factor(frame: pd.DataFrame, share: pd.Series) -> np.ndarray:
        index = pd.MultiIndex.from_frame(frame[list(cells)].astype(str)) if len(cells) > 1 else \
            pd.Index(frame[cells[0]].astype(str))
        return share.reindex(index).fillna(1.0).to_numpy()

    return factor(prob, lam), factor(online, 1 - lam)


def compare_online(prob: pd.DataFrame, online: pd.DataFrame, keys: Sequence[str] = ("level", "group")) -> pd.DataFrame:
    """The online IKM beside the probability IKM of the same groups: ikm_probabilitas, ikm_daring (converted),
    their SEs and n, selisih = daring - probabilitas, se_selisih = sqrt(se_d^2 + se_p^2) (independent samples)
    and p_value = 2 (1 - Phi(|selisih| / se_selisih)). Groups with online answers only keep a blank
    probability side.

    >>> p = pd.DataFrame({"level": ["unit"], "group": ["A"], "n_responden": [100], "ikm_konversi": [80.0], "se": [1.0]})
    >>> o = p.assign(n_responden=50, ikm_konversi=76.0, se=1.0)
    >>> compare_online(p, o)[["selisih", "se_selisih"]].round(3).values.tolist()
    [[-4.0, 1.414]]
    """
    keys = list(keys)
    columns = {"n_responden": "n", "ikm_konversi": "ikm", "se": "se"}
    left = prob[keys + list(columns)].rename(columns={k: f"{v}_probabilitas" for k, v in columns.items()})
    right = online[keys + list(columns)].rename(columns={k: f"{v}_daring" for k, v in columns.items()})
    out = right.merge(left, on=keys, how="left")
    out["selisih"] = out["ikm_daring"] - out["ikm_probabilitas"]
    out["se_selisih"] = np.sqrt(out["se_daring"] ** 2 + out["se_probabilitas"] ** 2)
    out["p_value"] = 2 * norm.sf(np.abs(out["selisih"] / out["se_selisih"]))
    return out


def _check_poolable(p: pd.DataFrame, o: pd.DataFrame, online: OnlineWeighting, cells: list[str],
                    config: StudyConfig) -> None:
    """What pooling needs from both sources, said in the study file's words: the columns the probability
    weighting uses present in the online rows, no online cell with a single answer where lonely PSUs are
    refused, and, with an FPC, no cell whose volume (its population) is below its number of answers."""
    spec = config.design
    needed = sorted({c for v in config.weighting.variables for c in v} - set(o.columns)) if config.weighting.adjusts \
        else []
    if needed:
        raise StudyError(f"online.combine: pooled_weighted: the online answers lack the column(s) "
                         f"{', '.join(map(repr, needed))} the weighting of the probability sample uses "
                         "(weighting.variables); add them to the online export or use combine: separate")
    if spec.lonely_psu == "fail":
        single = o.groupby(cells, dropna=False).size()
        single = single[single == 1]
        if len(single):
            cell = single.index[0] if len(cells) == 1 else " / ".join(map(str, single.index[0]))
            raise StudyError(f"online.combine: pooled_weighted: online cell {cell!r} has one answer, a stratum "
                             "with a single unit whose variance cannot be estimated; set design.lonely_psu (e.g. "
                             "certainty or adjust) or use combine: separate")
    count = config.online.count
    short = online.cells[online.cells[_CELL_N] > pd.to_numeric(online.cells[count])] if spec.fpc else ()
    if len(short):
        row = short.iloc[0]
        raise StudyError(f"online.combine: pooled_weighted: online cell {' / '.join(str(row[c]) for c in cells)} "
                         f"({' × '.join(cells)}) has {int(row[_CELL_N])} answers but a volume of {row[count]:g} "
                         f"(column '{count}' of the online volume table); the pooled design takes the volume as the "
                         f"cell's population (design.fpc '{spec.fpc}'), which cannot be below its answers: correct "
                         "the volume or use combine: separate")


def _online_fpc(p: pd.DataFrame, o: pd.DataFrame, online: OnlineWeighting, config: StudyConfig) -> np.ndarray:
    """The FPC of each online row in the pooled design, in the form the probability design gives its own: the
    cell's volume N_c (its population), or the sampling fraction n_c / N_c (n_c online answers in the cell) when
    every FPC value of the probability rows is at most 1 -- fractions, as `SurveyDesign` and R `as.fpc` read
    them. Both say the same population N_c = n_c / (n_c / N_c), so the variance does not depend on the form."""
    spec, cells = config.design, list(config.online.cells)
    table = online.cells.set_index(cells)
    key = pd.MultiIndex.from_frame(o[cells].astype(str)) if len(cells) > 1 else pd.Index(o[cells[0]].astype(str))
    volume = pd.to_numeric(table[config.online.count]).reindex(key).to_numpy(dtype=float)
    given = np.concatenate([pd.to_numeric(p[c], errors="coerce").to_numpy(dtype=float)
                            for c in (spec.fpc, spec.fpc2) if c])
    if (given > 1).any():
        return volume
    return table[_CELL_N].reindex(key).to_numpy(dtype=float) / volume


def _stacked(adjustments_p: Sequence[_Adjust], adjustments_o: Sequence[_Adjust], n_p: int) -> _Adjust:
    """The variance adjustment of a design stacking two independent samples (rows 0..n_p-1 the first, the rest
    the second): each block's weighted influence values go through its own calibration residualisers, in order,
    as in the sample's own design (R `svyrecvar` of each calibrated design). A composite factor lambda_c on a
    row's weight scales its influence value x_i = lambda_c w_i u_i, which the residualiser of that sample treats
    as the influence of lambda_c u_i, so the pooled variance is V_p(sum lambda w u) + V_o(sum (1 - lambda) w u)
    with each sample's calibration (Deville & Sarndal 1992; the sources are independent)."""
    def adjust(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        first, second = x[:n_p], x[n_p:]
        for step in adjustments_p:
            first = np.asarray(step(first), dtype=float).reshape(first.shape)
        for step in adjustments_o:
            second = np.asarray(step(second), dtype=float).reshape(second.shape)
        return np.concatenate([first, second])

    return adjust


def pooled_design(prob: SurveyDesign, online: OnlineWeighting,
                  config: StudyConfig) -> tuple[pd.DataFrame, dict[str, SurveyDesign]]:
    """One design of both sources (`online.combine: pooled_weighted`): the probability rows keep their strata,
    PSUs and FPCs; each cell of online answers is a stratum of its own, each online respondent its own PSU with
    the cell's volume as FPC (`_online_fpc`: as a fraction n_c / N_c when the probability FPCs are fractions; in a
    two-stage design its own SSU, taken with certainty). Returns the pooled rows and their designs: 'none'
    (equal weights), 'design' (each source's own final weights) and 'final' (the composite weights,
    `composite_weights`); 'design' and 'final' carry the calibration of both sources into the variance -- the
    probability weighting (weighting:) and the online weighting to volume and margins (`_stacked`), as each
    source's own design does. Example: a cell with exit interviews of n_eff 60 and QR answers of n_eff 40 gives
    the interviews 0.6 and the QR answers 0.4 of their weights, so the cell's pooled total stays between the two
    sources' totals."""
    spec, cells = config.design, list(config.online.cells)
    if isinstance(prob, ReplicateDesign) or not cells:
        raise StudyError("online.combine: pooled_weighted needs online.volume (the cells to pool in) and "
                         "weighting.targets: known; use combine: separate")
    p = prob.data.assign(**{_WEIGHT: np.asarray(prob.weights)})
    o = online.design.data.assign(**{_WEIGHT: np.asarray(online.design.weights)})
    _check_poolable(p, o, online, cells, config)
    strata = list(spec.strata)
    p[_STRATUM] = "p|" + (p[strata].astype(str).agg("/".join, axis=1) if strata else "")
    o[_STRATUM] = "d|" + o[cells].astype(str).agg("/".join, axis=1)
    p[_PSU] = "p|" + (p[spec.psu].astype(str) if spec.psu else pd.Series(p.index.astype(str), index=p.index))
    o[_PSU] = "d|" + pd.Series(o.index.astype(str), index=o.index)
    if spec.fpc:
        o[spec.fpc] = _online_fpc(p, o, online, config)
    if spec.psu:  # other steps group by the design's PSU (cross-validation folds): the online rows are their own
        o[spec.psu] = o[_PSU]
    if spec.fpc2:
        o[spec.ssu], o[spec.fpc2] = o[_PSU], 1.0
    factor_p, factor_o = composite_weights(p, o, cells, _WEIGHT)
    data = pd.concat([p, o], ignore_index=True)
    data[_POOLED] = data[_WEIGHT] * np.concatenate([factor_p, factor_o])
    plain = SurveyDesign(data, weights=_WEIGHT, strata=[_STRATUM], psu=_PSU, fpc=spec.fpc,
                         ssu=spec.ssu if spec.fpc2 else None, fpc2=spec.fpc2, lonely_psu=spec.lonely_psu)
    calibration = _stacked(prob.adjustments, online.design.adjustments, len(p))
    return data, {"none": plain.with_weights(np.ones(len(data))),
                  "design": plain.with_weights(data[_WEIGHT], adjust=calibration),
                  "final": plain.with_weights(data[_POOLED], adjust=calibration)}
