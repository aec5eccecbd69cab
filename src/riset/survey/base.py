"""`Design`: what every survey design answers, whichever way it computes variances.

riset has two kinds of design, as R `survey` has `survey.design2` and `svyrep.design`:

- `riset.survey.design.SurveyDesign` (Taylor linearization): the variance of a smooth statistic theta is the
  design variance of its weighted influence values x_i = w_i u_i (Binder 1983; R `svyrecvar`);
- `riset.survey.replicate.ReplicateDesign` (replicate weights): theta is re-estimated with every replicate
  weight column and Var = scale * sum_r rscale_r (theta_r - theta_bar)^2 (R `svrVar`).

Both share the data, the weights and the domain rule (a domain keeps every row and sets the weights outside
it to zero, as R `subset()`), and answer the same questions -- the design df of each domain, the variance of a
smooth statistic, the covariance of a fitted estimator, a re-weighting -- so that the estimators of
`riset.survey.estimate`, `riset.survey.models` and `riset.survey.weighting` call these methods instead of asking
which kind of design they hold.
"""

from __future__ import annotations

import abc
import copy
from typing import Callable, ClassVar

import numpy as np
import pandas as pd

from riset.errors import DesignError

__all__ = ["Design", "domain_mask", "kept_rows", "number_argument", "readonly", "row_blocks"]

#: maps the n x k weighted influence values to their residuals from a calibration model (see
#: `SurveyDesign.with_weights`)
Adjustment = Callable[[np.ndarray], np.ndarray]


class Design(abc.ABC):
    """A sampling design over the rows of `data` with weights `weights` (zero outside the current domain).

    Subclasses set `linearized` and implement `df`, `df_by`, `smooth_variance`, `estimator_cov` and
    `reweighted`; `data`, `weights`, `in_domain`, `n`, `population_size` and `subset` are shared.
    """

    #: True: variances from weighted influence values (Taylor linearization); False: from re-estimation with
    #: replicate weights. Estimators with a closed-form influence function use it to skip the general route.
    linearized: ClassVar[bool]

    _data: pd.DataFrame
    _weights: np.ndarray

    @property
    def data(self) -> pd.DataFrame:
        """The design's view of the data (all rows, also those outside a domain). Do not modify it."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """Sampling (or calibrated) weights as a read-only float array; zero outside the domain."""
        return self._weights

    @property
    def in_domain(self) -> np.ndarray:
        """Boolean array: rows with a non-zero weight (the current domain)."""
        return self._weights != 0

    @property
    def n(self) -> int:
        """Number of respondents in the (domain of the) design."""
        return int(self.in_domain.sum())

    @property
    def population_size(self) -> float:
        """Estimated population size of the domain, sum of weights."""
        return float(self._weights.sum())

    def subset(self, mask):
        """Domain: keep the full design, set the weights outside `mask` to zero (R `subset(design, ...)`).

        `mask` is one True/False per row (array or Series aligned on the data's index). The variance
        structure stays that of the full design; see each design for its degrees of freedom.
        """
        new = copy.copy(self)
        new._restrict(domain_mask(mask, self._data.index))
        return new

    def _restrict(self, inside: np.ndarray) -> None:
        """Zero everything this design weights outside `inside` (called on a shallow copy)."""
        self._weights = readonly(np.where(inside, self._weights, 0.0))

    @property
    @abc.abstractmethod
    def df(self) -> int:
        """Design degrees of freedom of the domain (R `degf`)."""

    @abc.abstractmethod
    def df_by(self, domain, n_domains: int) -> np.ndarray:
        """Design degrees of freedom of each domain 0..n_domains-1 (`domain`: one code per row, -1 in none)."""

    @abc.abstractmethod
    def smooth_variance(self, estimate: np.ndarray, influence: np.ndarray, y: np.ndarray,
                        g: Callable[[np.ndarray], np.ndarray], domain: np.ndarray, n_domains: int,
                        covmat: bool = False) -> tuple[np.ndarray, np.ndarray | None, object | None]:
        """Variances (D x k) of theta_d = g(T_d), T_d = sum_{i in d} w_i y_i, in every domain d, their covariance,
        and the replicate estimates behind it.

        `estimate` (D x k) is g of the full-sample totals, `influence` (n x k) the unweighted influence values
        u_i of theta (zero outside the domains). The covariance is k x k when D == 1; with `covmat` it is the
        (D k) x (D k) covariance of every domain's estimates (domain-major, R `svyby(covmat = TRUE)`); else None.
        A replicate design also gives, with the covariance, the estimates of every replicate in the same order
        (`riset.survey.replicate.ReplicateEstimates`, R `return.replicates = TRUE`); otherwise None.
        """

    @abc.abstractmethod
    def estimator_cov(self, estimate: np.ndarray, scores: np.ndarray, score_weights: np.ndarray,
                      bread_inv: np.ndarray, refit: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Covariance (p x p) of an estimator defined by estimating equations (a model's coefficients).

        The score contributions are U_i = score_weights_i * scores_i (n x p, zero for rows not used) and the
        influence values U_i A^-1 with `bread_inv` = A^-1 (p x p); `refit(w)`: the estimates refitted with the
        weight column w (n rows), for re-estimation.
        """

    @abc.abstractmethod
    def reweighted(self, weights, adjuster: Callable[[], Adjustment],
                   recalibrate: Callable[[np.ndarray], np.ndarray]) -> "Design":
        """The design with new (calibrated) weights, the calibration carried into the variance.

        `adjuster()` builds the linearization residualiser of the calibration (Deville & Sarndal 1992);
        `recalibrate(W)` applies the same calibration to every column of an n x R weight matrix (R
        `calibrate.svyrep.design`). Each design uses the one its variance method needs.
        """


def domain_mask(mask, index: pd.Index) -> np.ndarray:
    """One True/False per row of `index` from a boolean array or a Series (aligned on the index)."""
    if isinstance(mask, pd.Series):
        if not mask.index.equals(index):
            mask = mask.reindex(index)
        if mask.isna().any():
            raise DesignError(
                f"domain mask is blank for row {mask.index[mask.isna().to_numpy()][0]}; it must be True/False "
                "for every row of the design"
            )
        mask = mask.to_numpy()
    m = np.asarray(mask)
    if m.shape != (len(index),) or m.dtype != bool:
        raise DesignError(f"domain mask must be {len(index)} True/False values (one per row); got {m.dtype} {m.shape}")
    return m


def number_argument(value, name: str, error: type[Exception]) -> float:
    """An argument that must be one real number (a count, a bound, a tolerance) as a float; `error` (the riset
    error class of the caller) naming the argument and its value otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise error(f"{name}={value!r}: a number is needed")
    return float(value)


def row_blocks(n: int, rows: int):
    """Slices of at most `rows` rows covering 0..n: passes over large arrays in pieces that stay in cache, or the
    blocks of a tall matrix.

    >>> [(b.start, b.stop) for b in row_blocks(5, 2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    return (slice(start, min(start + rows, n)) for start in range(0, n, rows))


def kept_rows(keep: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows of `arrays` where `keep`; the arrays themselves (no copy) when every row is kept."""
    return arrays if keep.all() else tuple(a[keep] for a in arrays)


def readonly(values: np.ndarray) -> np.ndarray:
    """A read-only float64 copy of `values`."""
    out = np.array(values, dtype="float64", copy=True)
    out.flags.writeable = False
    return out
