"""Replicate-weight designs: JK1, JKn, bootstrap (Rao-Wu rescaling), BRR -- and conversion from a `SurveyDesign`.

A replicate design carries the full-sample weights w and R columns of replicate (analysis) weights
w^(r). Any statistic theta is re-estimated with every replicate column and (R `svrVar`, Lumley 2010 ch. 2.3)

    Var(theta) = scale * sum_r rscale_r * (theta_r - theta_bar)^2,  theta_bar = mean of the theta_r
    (or theta_hat itself with mse=True, R option survey.replicates.mse)

`as_replicate(design, type=...)` builds the replicate weights from the design's strata and PSUs exactly
as R `as.svrepdesign` does, carrying the stage-1 FPC through (stage-2 FPCs are dropped, as in R):

    JK1 (one stratum, n PSUs):  w^(r) = w * n/(n-1) outside PSU r, 0 in PSU r;  scale = f (n-1)/n, f = 1 - n/N
    JKn (strata):               PSU r of stratum h deleted, the other PSUs of h times n_h/(n_h-1);
                                rscale_r = f_h (n_h-1)/n_h, scale = 1; strata with f_h = 0 get no replicate.
                                Lonely strata (one PSU, f_h > 0), by the design's `lonely_psu` as R
                                `jknweights`: 'remove', 'certainty' and 'average' give them no replicate,
                                'adjust' one replicate with the lonely PSU deleted and every other PSU times
                                H/(H-1), rscale (H-1)/H; 'average' then scales by PSUs / replicates when there
                                are fewer replicates than PSUs (so also for a census stratum, as R does).
                                Known difference: R's `svytotal` (only it) leaves the rows of census strata
                                out of the replicate totals, so under 'adjust' with a census stratum R's SE of
                                a total lacks that stratum's share of the adjust replicate; riset keeps it.
    bootstrap (Rao & Wu 1988; Rao, Wu & Yue 1992): in each stratum draw m_h = n_h - 1 PSUs with replacement,
                                count c_hi; w^(r) = w * (1 - lam_h + lam_h * n_h/m_h * c_hi),
                                lam_h = sqrt(m_h (1 - f_h) / (n_h - 1)) = sqrt(1 - f_h); scale = 1/(R-1).
                                Without FPC this is R's type = "subbootstrap" (R's "bootstrap" is the
                                Canty-Davison variant with n_h draws, not the Rao-Wu rescaling asked for).
    BRR (2 PSUs per stratum):   half-samples from the rows 2..H+1 of a Hadamard matrix (Sylvester, or the
                                one you pass, e.g. R `survey:::hadamard(H)` to reproduce R exactly);
                                chosen PSU x 2 (Fay: 2 - rho, other PSU rho); scale = 1/(R (1-rho)^2).
                                BRR ignores the FPC (as R, which warns).

Calibration: a design whose weights were calibrated (`.adjustments` not empty) is refused by default,
because the replicate columns would not be recalibrated; build the replicate design from the
uncalibrated design and calibrate that one, or pass ``calibrated="fixed"`` to treat the calibrated
weights as fixed design weights (what R does silently).

Example
-------
>>> import pandas as pd
>>> from riset.survey.design import SurveyDesign
>>> d = SurveyDesign(pd.DataFrame({"psu": [1, 1, 2, 3], "y": [1.0, 2.0, 3.0, 4.0]}), psu="psu")
>>> rep = as_replicate(d, type="jk1")
>>> rep.replicate_weights.shape, rep.scale
((4, 3), 0.6666666666666666)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from tqdm.auto import tqdm

from riset.survey.base import Design, number_argument, readonly
from riset.survey.design import SurveyDesign, CERTAINTY_TOL, positive_weights
from riset.errors import DesignError
from riset.i18n import Note

__all__ = ["as_replicate", "REPLICATE_TYPES", "ReplicateDesign", "ReplicateEstimates", "replicate_scales",
           "replicate_variance", "sylvester"]

#: replicates per block of the replicate totals; more replicates than this show a progress bar
_BLOCK = 200

ReplicateType = Literal["jk1", "jkn", "bootstrap", "brr", "other"]
REPLICATE_TYPES = ("jk1", "jkn", "bootstrap", "brr", "other")


class ReplicateDesign(Design):
    """A survey design described by replicate weights (R `svrepdesign`).

    Parameters
    ----------
    data : DataFrame (copied).
    weights : column of full-sample weights (> 0).
    replicate_weights : list of columns, or an n x R array, of replicate *analysis* weights (already
        multiplied by the full-sample weight, R ``combined.weights = TRUE``).
    type : 'jk1', 'jkn', 'bootstrap', 'brr' or 'other'; sets the default `scale`:
        jk1 (R-1)/R, bootstrap 1/(R-1), brr 1/R; 'jkn' and 'other' need `scale`/`rscales`.
    scale, rscales : overall and per-replicate variance factors (see module docstring).
    mse : centre the replicates at the full-sample estimate instead of their mean.
    df : design degrees of freedom; default rank of the replicate weights minus 1 (R `degf`). A df above the
        number of replicates is kept, with a note in `notes` (R `svrepdesign` warns), unless `df_from_design`.
    df_from_design : the df given is that of another design of the same sample (e.g. the linearization df of
        the design the replicates were made from), so it may exceed the number of replicates without a note.

    >>> import numpy as np, pandas as pd
    >>> rep = ReplicateDesign(pd.DataFrame({"w": [1.0, 1.0]}), "w", np.array([[2.0, 0.0], [0.0, 2.0]]), "jk1")
    >>> rep.scale, rep.df
    (0.5, 1)
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str,
        replicate_weights: Sequence[str] | np.ndarray,
        type: ReplicateType,
        scale: float | None = None,
        rscales: Sequence[float] | np.ndarray | None = None,
        mse: bool = False,
        df: int | None = None,
        df_from_design: bool = False,
    ):
        if not isinstance(data, pd.DataFrame):
            raise DesignError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        if weights not in data.columns:
            raise DesignError(f"weight column '{weights}' not found in the data")
        w = positive_weights(data[weights], weights, data.index.to_numpy())
        if isinstance(replicate_weights, np.ndarray):
            reps = np.asarray(replicate_weights, dtype="float64")
        else:
            absent = [c for c in replicate_weights if c not in data.columns]
            if absent:
                raise DesignError(f"replicate weight column(s) {', '.join(map(repr, absent))} not found in the data")
            reps = data[list(replicate_weights)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
        if reps.ndim != 2 or reps.shape[0] != len(data) or reps.shape[1] < 2:
            raise DesignError(f"replicate weights must be n x R with n = {len(data)} and R >= 2; got {reps.shape}")
        bad = ~np.isfinite(reps) | (reps < 0)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise DesignError(
                f"replicate weight {col + 1} has value {reps[row, col]} in row {data.index[row]}; must be a number >= 0"
            )
        scale, rscales = replicate_scales(type, reps.shape[1], scale, rscales)
        notes = []
        if df is not None and df > reps.shape[1] and not df_from_design:
            notes.append(Note("replicate_df_above_replicates", {"df": df, "replicates": reps.shape[1]}))
        self._set(data.copy(), w, np.arange(len(data)), reps, np.ones(len(data)), type, scale, rscales, mse, df, notes)

    def _set(self, data, w, unit, multiplier, row_factor, type, scale, rscales, mse, df, notes, rank=None) -> None:
        """Replicate weight of row i in replicate r = row_factor_i * multiplier[unit_i, r].

        Stored compressed like R's `repweights_compressed`: converted designs keep one multiplier row per
        PSU (row_factor = the weight), so a JKn with 4000 PSUs on a million rows never builds n x R.
        Supplied analysis weights are stored with one unit per row (row_factor 1, 0 outside a domain).
        """
        self._data = data
        self._weights = readonly(w)
        self._unit = np.asarray(unit, dtype=np.int64)
        self._mult = readonly(multiplier)
        self._row = readonly(row_factor)
        self.type = type
        self.scale = float(scale)
        self.rscales = readonly(rscales)
        self.mse = bool(mse)
        self._df = int(df) if df is not None else _rank(self._mult, self._unit, self._row, rank) - 1
        #: what the conversion dropped or assumed (Indonesian, for the report)
        self.notes: list[Note] = list(notes)

    linearized = False

    @property
    def replicate_weights(self) -> np.ndarray:
        """n x R replicate analysis weights (built on request from the compressed form); zero outside a domain."""
        return self._row[:, None] * self._mult[self._unit]

    @property
    def n_replicates(self) -> int:
        return self._mult.shape[1]

    @property
    def df(self) -> int:
        """Degrees of freedom of the full replicate design (kept for domains, as R)."""
        return self._df

    def df_by(self, domain, n_domains: int) -> np.ndarray:
        """The df of the full replicate design for every domain (R keeps `degf` of the full design)."""
        return np.full(n_domains, float(self._df))

    def variance_of(self, estimate, replicates) -> np.ndarray:
        """Replicate variance: scale * sum_r rscale_r (theta_r - centre)^2 (R `svrVar`), elementwise.

        `estimate` has any shape s; `replicates` has shape s + (R,). Centre = mean of the replicates with
        rscale > 0, or `estimate` when `mse`.

        >>> import numpy as np, pandas as pd
        >>> rep = ReplicateDesign(pd.DataFrame({"w": [1.0, 1.0]}), "w", np.eye(2) * 2, "bootstrap")
        >>> float(rep.variance_of(np.float64(1.0), np.array([0.0, 2.0])))
        2.0
        """
        return replicate_variance(estimate, replicates, self.scale, self.rscales, self.mse)

    def _restrict(self, inside: np.ndarray) -> None:
        """A domain zeroes the full-sample and the replicate weights outside it; rows and df are kept (R)."""
        super()._restrict(inside)
        self._row = readonly(np.where(inside, self._row, 0.0))

    def smooth_variance(self, estimate, influence, y, g, domain, n_domains, covmat=False):
        """Re-estimation: the totals of `y` per domain under every replicate weight (`replicate_totals`), g of
        them, and `variance_of` those replicate estimates; the covariance of every domain's estimates (D == 1 or
        `covmat`) by the same quadratic form, and those replicate estimates (domain-major columns, as R
        `svyby(..., return.replicates = TRUE)`). `influence` is not needed."""
        rep_est = g(self.replicate_totals(y, domain, n_domains))  # D x R x k
        var = self.variance_of(estimate, np.moveaxis(rep_est, 1, -1))
        if n_domains > 1 and not covmat:
            return var, None, None
        replicates = self.replicate_estimates(np.moveaxis(rep_est, 1, 0).reshape(rep_est.shape[1], -1))
        return var, replicates.cov(np.asarray(estimate).ravel()), replicates

    def replicate_estimates(self, values) -> "ReplicateEstimates":
        """Replicate estimates (R x k) with this design's variance factors (scale, rscales, mse)."""
        return ReplicateEstimates(readonly(np.asarray(values, dtype="float64")), self.scale, self.rscales, self.mse)

    def estimator_cov(self, estimate, scores, score_weights, bread_inv, refit):
        """Re-estimation: `refit` with every replicate weight column, then the replicate covariance.

        `variance_of` is elementwise; the covariances follow by polarisation,
        Cov(a, b) = (Var(a + b) - Var(a - b)) / 4, exact for the replicate quadratic form. The scores and the
        bread are not needed.
        """
        est = np.asarray(estimate, dtype="float64")
        thetas = np.empty((len(est), self.n_replicates))
        for r in tqdm(range(self.n_replicates), desc="replikasi", disable=self.n_replicates < 100):
            thetas[:, r] = refit(self._row * self._mult[self._unit, r])
        plus = self.variance_of(est[:, None] + est[None, :], thetas[:, None, :] + thetas[None, :, :])
        minus = self.variance_of(est[:, None] - est[None, :], thetas[:, None, :] - thetas[None, :, :])
        return (plus - minus) / 4

    def reweighted(self, weights, adjuster, recalibrate) -> "ReplicateDesign":
        """New weights, and every replicate column re-weighted by `recalibrate` (R `calibrate.svyrep.design`)."""
        return self.with_weights(weights, replicate_weights=recalibrate(self.replicate_weights))

    def with_weights(self, weights, replicate_weights=None, adjust=None) -> "ReplicateDesign":
        """New full-sample weights; replicate columns given, or rescaled by w_new / w_old row by row.

        Rescaling treats the weight change as fixed (no re-calibration of each replicate). To carry a
        calibration into the variance, calibrate every replicate column and pass `replicate_weights`
        (R `calibrate.svyrep.design` does so). A linearization `adjust` function has no meaning here and
        is refused, so a calibration written for `SurveyDesign` cannot silently lose its variance effect.
        """
        if adjust is not None:
            raise DesignError(
                "a replicate design carries calibration in its replicate weights, not as a variance adjustment: "
                "calibrate each replicate column too and pass them as replicate_weights="
            )
        w = np.asarray(weights, dtype="float64").ravel()
        if w.shape != self._weights.shape or not np.isfinite(w).all():
            raise DesignError(f"with_weights() needs {len(self._weights)} finite weights (one per row)")
        if replicate_weights is None:
            ratio = np.divide(w, self._weights, out=np.zeros_like(w), where=self._weights != 0)
            if ((self._weights == 0) & (w != 0)).any():
                raise DesignError("new weights are non-zero outside the domain; give `replicate_weights` as well")
            new = copy.copy(self)
            new._row = readonly(self._row * ratio)
        else:
            reps = np.asarray(replicate_weights, dtype="float64")
            if reps.shape != (len(w), self.n_replicates):
                raise DesignError(f"replicate_weights must have shape {(len(w), self.n_replicates)}; got {reps.shape}")
            new = copy.copy(self)
            new._unit, new._mult, new._row = np.arange(len(w)), readonly(reps), readonly(np.ones(len(w)))
        new._weights = readonly(w)
        return new

    def replicate_totals(self, y: np.ndarray, domain: np.ndarray, n_domains: int) -> np.ndarray:
        """Totals of the columns of y (n x m) per domain under every replicate weight: D x R x m.

        T[d, r, j] = sum_{i in d} y_ij row_i multiplier[unit_i, r], computed as a sparse (D x units) matrix
        times the multipliers, in blocks of replicates with a progress bar when there are many.
        """
        keep = domain >= 0
        rows = np.flatnonzero(keep)
        n_rep = self.n_replicates
        out = np.empty((n_domains, n_rep, y.shape[1]))
        sums = [
            sparse.csr_matrix((y[rows, j] * self._row[rows], (domain[keep], self._unit[rows])),
                              shape=(n_domains, self._mult.shape[0]))
            for j in range(y.shape[1])
        ]
        blocks = range(0, n_rep, _BLOCK)
        for start in tqdm(blocks, desc="replikasi", disable=n_rep <= _BLOCK, leave=False):
            block = self._mult[:, start:start + _BLOCK]
            for j, member in enumerate(sums):
                out[:, start:start + block.shape[1], j] = np.asarray(member @ block)
        return out

    def __repr__(self) -> str:
        domain = "" if self.n == len(self._weights) else f" (domain of {len(self._weights)} rows)"
        return (
            f"ReplicateDesign: {self.n} respondents{domain}, {self.n_replicates} {self.type.upper()} replicates, "
            f"scale = {self.scale:.6g}, df = {self.df}{', mse' if self.mse else ''}"
        )


@dataclass(frozen=True, repr=False)
class ReplicateEstimates:
    """Estimates theta re-computed with every replicate weight column (R x k, columns in the order of the
    estimates) and the design's variance factors -- what R keeps with ``return.replicates = TRUE`` -- so that a
    function of the estimates can be re-estimated on each replicate (R `svycontrast.svrepstat`)."""

    values: np.ndarray  # R x k
    scale: float
    rscales: np.ndarray
    mse: bool

    def cov(self, estimate) -> np.ndarray:
        """k x k: scale * sum_r rscale_r (theta_r - centre)(theta_r - centre)' (R `svrVar`), centre = mean of the
        replicates with rscale > 0, or `estimate` (k) when `mse`.

        >>> ReplicateEstimates(np.array([[0.0], [2.0]]), 1.0, np.ones(2), False).cov(np.array([1.0])).tolist()
        [[2.0]]
        """
        centre = np.asarray(estimate, dtype="float64") if self.mse else self.values[self.rscales > 0].mean(axis=0)
        dev = self.values - centre
        return self.scale * (dev * self.rscales[:, None]).T @ dev

    def with_values(self, values) -> "ReplicateEstimates":
        """Other replicate estimates (R x m: a function of these, replicate by replicate), same factors."""
        return ReplicateEstimates(readonly(np.asarray(values, dtype="float64")), self.scale, self.rscales, self.mse)

    def __repr__(self) -> str:
        return f"ReplicateEstimates: {self.values.shape[0]} replicates of {self.values.shape[1]} estimates"


def replicate_scales(type: str, n_rep: int, scale: float | None = None,
                     rscales=None) -> tuple[float, np.ndarray]:
    """The variance factors of `n_rep` replicates of `type` (R `svrepdesign` defaults): scale (R-1)/R for jk1,
    1/(R-1) for bootstrap, 1/R for brr, given for 'jkn' and 'other'; rscales 1 unless given ('jkn' needs them).

    >>> replicate_scales("jk1", 4)[0]
    0.75
    """
    if type not in REPLICATE_TYPES:
        raise DesignError(f"type={type!r} is not a replicate type; choose one of {', '.join(REPLICATE_TYPES)}")
    if scale is None:
        defaults = {"jk1": (n_rep - 1) / n_rep, "bootstrap": 1 / (n_rep - 1), "brr": 1 / n_rep}
        if type not in defaults:
            raise DesignError(f"type={type!r} needs `scale` (and for 'jkn' `rscales`, one per replicate)")
        scale = defaults[type]
    if rscales is None:
        if type == "jkn":
            raise DesignError("type='jkn' needs `rscales`: f_h (n_h - 1) / n_h for each replicate")
        rscales = np.ones(n_rep)
    rscales = np.asarray(rscales, dtype="float64")
    if rscales.shape != (n_rep,):
        raise DesignError(f"rscales needs one value per replicate ({n_rep}); got {rscales.size}")
    return float(scale), rscales


def replicate_variance(estimate, replicates, scale: float, rscales: np.ndarray, mse: bool = False) -> np.ndarray:
    """scale * sum_r rscale_r (theta_r - centre)^2 (R `svrVar`), elementwise: `estimate` of shape s, `replicates`
    of shape s + (R,); centre = mean of the replicates with rscale > 0, or `estimate` when `mse`.

    >>> float(replicate_variance(1.0, np.array([0.0, 2.0]), 1.0, np.ones(2)))
    2.0
    """
    replicates = np.asarray(replicates, dtype="float64")
    centre = np.asarray(estimate, dtype="float64")[..., None] if mse else (
        replicates[..., rscales > 0].mean(axis=-1, keepdims=True))
    return scale * ((replicates - centre) ** 2 * rscales).sum(axis=-1)


def as_replicate(
    design: SurveyDesign,
    type: str = "auto",
    replicates: int = 50,
    seed: int | None = None,
    hadamard: np.ndarray | None = None,
    fay_rho: float = 0.0,
    mse: bool = False,
    calibrated: Literal["error", "fixed"] = "error",
) -> ReplicateDesign:
    """Replicate-weight version of a linearization design (R `as.svrepdesign`), FPC carried through.

    type : 'auto' (JK1 without strata, JKn with strata, as R), 'jk1', 'jkn', 'bootstrap' (Rao-Wu
        rescaling, `replicates` draws, `seed` required for reproducibility), 'brr' (2 PSUs per stratum;
        optional `hadamard` matrix, optional Fay `fay_rho`).
    Formulas and sources in the module docstring. The result's `.notes` lists what was dropped
    (stage-2 FPC; FPC for BRR).

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> df = pd.DataFrame({"h": [1, 1, 2, 2], "psu": [1, 2, 3, 4], "w": [1.0, 1.0, 2.0, 2.0]})
    >>> as_replicate(SurveyDesign(df, weights="w", strata="h", psu="psu"), "brr").n_replicates
    4
    """
    if not isinstance(design, SurveyDesign):
        raise DesignError(f"as_replicate() converts a SurveyDesign, not {design.__class__.__name__}")
    if design.adjustments and calibrated != "fixed":
        raise DesignError(
            "this design carries calibration adjustments, which replicate weights built from strata and PSUs "
            "would lose; convert the uncalibrated design and calibrate the replicate design, or pass "
            "calibrated='fixed' to treat the calibrated weights as fixed"
        )
    if calibrated not in ("error", "fixed"):
        raise DesignError(f"calibrated must be 'error' or 'fixed', not {calibrated!r}")
    stage = design._stages[0]
    has_strata = design.spec["strata"] is not None
    kind = type.lower()
    if kind == "auto":
        kind = "jkn" if has_strata else "jk1"
    notes = []
    if len(design._stages) > 1 and kind != "brr":
        notes.append(Note("replicate_second_stage_fpc"))
    has_fpc = design.spec["fpc"] is not None
    psu_of_row = stage.unit
    stratum_of_psu = stage.group
    n_h = stage.n_units
    f_h = stage.f  # (N_h - n_h) / N_h, 1 without FPC

    if kind == "jk1":
        if has_strata and len(n_h) > 1:
            raise DesignError("type='jk1' is for designs without strata; use type='jkn' for a stratified design")
        n = int(n_h[0])
        multiplier = np.full((len(stratum_of_psu), n), n / (n - 1))
        multiplier[np.arange(n), np.arange(n)] = 0.0
        scale, rscales = float(f_h[0]) * (n - 1) / n, np.ones(n)
        rep_type = "jk1"
    elif kind == "jkn":
        if not has_strata:
            raise DesignError("type='jkn' needs strata; use type='jk1' or 'bootstrap' for an unstratified design")
        multiplier, rscales = _jkn(stratum_of_psu, n_h, f_h, design.lonely_psu, stage.label)
        n_psu, n_rep = multiplier.shape
        scale = n_psu / n_rep if design.lonely_psu == "average" and n_rep < n_psu else 1.0
        rep_type = "jkn"
    elif kind == "bootstrap":
        if number_argument(replicates, "replicates", DesignError) < 2 or replicates != int(replicates):
            raise DesignError(f"replicates={replicates}; the bootstrap needs a whole number, at least 2")
        multiplier = _rao_wu(stratum_of_psu, n_h, f_h, replicates, seed, stage.label, design.lonely_psu)
        scale, rscales, rep_type = 1.0 / (replicates - 1), np.ones(replicates), "bootstrap"
    elif kind == "brr":
        if not has_strata:
            raise DesignError("type='brr' needs strata with exactly 2 PSUs each")
        if has_fpc:
            notes.append(Note("replicate_brr_fpc"))
        multiplier = _brr(stratum_of_psu, n_h, stage.label, hadamard, fay_rho, psu_of_row)
        scale = 1.0 / (multiplier.shape[1] * (1 - fay_rho) ** 2)
        rscales, rep_type = np.ones(multiplier.shape[1]), "brr"
    else:
        raise DesignError(f"type={type!r} is not known; choose 'auto', 'jk1', 'jkn', 'bootstrap' or 'brr'")

    rep = ReplicateDesign.__new__(ReplicateDesign)
    # rank of the replicate weights when too large to compute: JK1 n, JKn R - strata + 1 (one constraint per
    # stratum), BRR strata + 1, bootstrap min(R, PSUs - strata + 1)
    n_rep, n_strata = multiplier.shape[1], len(n_h)
    structural = {"jk1": n_rep, "jkn": n_rep - int((f_h >= CERTAINTY_TOL).sum()) + 1, "brr": n_strata + 1,
                  "bootstrap": min(n_rep, len(stratum_of_psu) - n_strata + 1)}[rep_type]
    rep._set(design.data, design.weights, psu_of_row, multiplier, design.weights, rep_type, scale, rscales, mse, None,
             notes, structural)
    return rep


def _jkn(stratum_of_psu, n_h, f_h, lonely_psu, labels):
    """JKn multipliers (PSU x replicate) and rscales, as R `jknweights` (lonely strata per lonely_psu)."""
    n_strata = len(n_h)
    columns, rscales = [], []
    for h in range(n_strata):
        psus = np.flatnonzero(stratum_of_psu == h)
        if f_h[h] < CERTAINTY_TOL:
            continue  # stratum taken completely: no sampling variance, no replicate (R drop.replicates)
        if len(psus) == 1:
            if lonely_psu == "fail":
                raise DesignError(f"stratum {labels[h]!r} has only one PSU; JKn needs 2 or more (or choose lonely_psu)")
            if lonely_psu == "adjust":
                col = np.where(stratum_of_psu == h, 0.0, n_strata / (n_strata - 1))
                columns.append(col)
                rscales.append((n_strata - 1) / n_strata)
            continue
        k = len(psus)
        for p in psus:
            col = np.ones(len(stratum_of_psu))
            col[psus] = k / (k - 1)
            col[p] = 0.0
            columns.append(col)
            rscales.append(f_h[h] * (k - 1) / k)
    if not columns:
        raise DesignError("every stratum was taken completely (FPC = sample size): there is no sampling variance")
    return np.column_stack(columns), np.asarray(rscales)


def _rao_wu(stratum_of_psu, n_h, f_h, replicates, seed, labels, lonely_psu):
    """Rao-Wu rescaled bootstrap multipliers (PSU x replicate), m_h = n_h - 1 draws with replacement."""
    if seed is None:
        raise DesignError("the bootstrap is random: give `seed` (an integer) so the replicate weights are reproducible")
    rng = np.random.default_rng(seed)
    multiplier = np.ones((len(stratum_of_psu), replicates))
    for h in range(len(n_h)):
        psus = np.flatnonzero(stratum_of_psu == h)
        n = len(psus)
        if n == 1:
            if lonely_psu in ("fail", "adjust") and f_h[h] >= CERTAINTY_TOL:
                raise DesignError(
                    f"stratum {labels[h]!r} has only one PSU; the bootstrap cannot resample it "
                    "(lonely_psu='remove' or 'certainty' lets it contribute no variance)"
                )
            continue
        m = n - 1
        counts = rng.multinomial(m, np.full(n, 1.0 / n), size=replicates).T  # n x R
        lam = np.sqrt(m * max(f_h[h], 0.0) / (n - 1))
        multiplier[psus] = 1 - lam + lam * (n / m) * counts
    return multiplier


def sylvester(size: int) -> np.ndarray:
    """Sylvester Hadamard matrix of order `size` (a power of 2), entries +1/-1, first row all +1.

    >>> sylvester(2).tolist()
    [[1, 1], [1, -1]]
    """
    if size < 1 or size & (size - 1):
        raise DesignError(f"a Sylvester Hadamard matrix has an order that is a power of 2, not {size}")
    h = np.ones((1, 1), dtype=int)
    while h.shape[0] < size:
        h = np.block([[h, h], [h, -h]])
    return h


def _brr(stratum_of_psu, n_h, labels, hadamard, fay_rho, psu_of_row):
    """BRR multipliers as R `brrweights` (strata in sorted order, PSUs by first appearance)."""
    bad = np.flatnonzero(n_h != 2)
    if len(bad):
        raise DesignError(
            f"BRR needs exactly 2 PSUs in every stratum; stratum {labels[bad[0]]!r} has {n_h[bad[0]]} "
            f"({len(bad)} such strata). Pair the PSUs into pseudo-strata first, or use type='jkn'/'bootstrap'"
        )
    if not 0 <= fay_rho < 1:
        raise DesignError(f"fay_rho={fay_rho}; must be in [0, 1)")
    n_strata = len(n_h)
    if hadamard is None:
        size = 1 << int(np.ceil(np.log2(n_strata + 1)))
        hadamard = sylvester(size)
    hmat = (np.asarray(hadamard) > 0).astype(int)  # +1/-1 or 1/0: 1 keeps the first PSU of the pair
    if hmat.ndim != 2 or hmat.shape[0] < n_strata + 1:
        raise DesignError(f"hadamard must be a matrix with at least {n_strata + 1} rows (strata + 1)")
    if not _is_hadamard(hmat):
        raise DesignError("hadamard is not a Hadamard matrix (its +1/-1 columns must be orthogonal)")
    order = sorted(range(n_strata), key=lambda h: str(labels[h]))
    rank_of_stratum = np.empty(n_strata, dtype=int)
    rank_of_stratum[order] = np.arange(n_strata)
    first_row = np.full(len(stratum_of_psu), len(psu_of_row), dtype=np.int64)
    np.minimum.at(first_row, psu_of_row, np.arange(len(psu_of_row)))
    multiplier = np.empty((len(stratum_of_psu), hmat.shape[1]))
    for h in range(n_strata):
        a, b = sorted(np.flatnonzero(stratum_of_psu == h), key=lambda p: first_row[p])
        first_chosen = hmat[1 + rank_of_stratum[h]] == 1  # R: column 2 of (0, 1) -> first PSU gets weight
        multiplier[a] = np.where(first_chosen, 2 - fay_rho, fay_rho)
        multiplier[b] = np.where(first_chosen, fay_rho, 2 - fay_rho)
    return multiplier


def _is_hadamard(hmat: np.ndarray) -> bool:
    signs = 2 * hmat - 1
    gram = signs.T @ signs
    return bool(np.array_equal(gram, np.eye(len(gram), dtype=int) * signs.shape[0]))


#: largest rows x columns^2 (flops of the SVD) for which the replicate df is computed numerically
_RANK_FLOPS = 2e9


def _rank(multiplier: np.ndarray, unit: np.ndarray, row_factor: np.ndarray, structural: int | None = None) -> int:
    """Rank of the replicate weight matrix (R degf: qr(weights, tol = 1e-5)$rank).

    Scaling a row by a non-zero factor does not change the rank, so it is the rank of the distinct
    multiplier rows of the units in use (one per PSU for a converted design). When that SVD would be too
    large (e.g. JKn with thousands of PSUs) the known rank of the method (`structural`) is used, or R.
    """
    rows = multiplier[np.unique(unit[row_factor != 0])]
    small, large = sorted(rows.shape)
    if small**2 * large > _RANK_FLOPS:
        return structural if structural is not None else multiplier.shape[1]
    rows = np.unique(np.round(rows, 10), axis=0)
    return int(np.linalg.matrix_rank(rows, tol=1e-5 * max(1.0, np.abs(rows).max())))
