"""`SurveyDesign`: a complex sampling design and its Taylor-linearization variance (modelled on R `survey`).

A design is described once -- weights, strata, primary sampling units (PSU), finite population
correction (FPC), optionally a second stage (SSU + its FPC) -- and every estimator in
`riset.survey.estimate` takes it. The variance of any smooth statistic is obtained from its *weighted
influence values* x_i (n x k), as R's `svyrecvar` does (Lumley 2010, sec. 2.2 and appendix C):

    stage 1:  V1 = sum_h f_h * n_h / (n_h - 1) * sum_i (z_hi - zbar_h)(z_hi - zbar_h)^T
              z_hi = sum of x over the rows of PSU i in stratum h,  zbar_h = mean of z_hi over the n_h PSUs
              f_h  = (N_h - n_h) / N_h  (1 without FPC, i.e. with-replacement / ultimate-cluster approximation)
    stage 2:  V2 = sum_hi (n_h / N_h) * g_hi * m_hi / (m_hi - 1) * sum_j (u_hij - ubar_hi)(...)^T
              u_hij = sum of x over SSU j of PSU hi, g_hi = (M_hi - m_hi) / M_hi   (only when both FPCs are given,
              as R's default `survey.ultimate.cluster = FALSE`)
    V = V1 + V2

FPC is given as a *population size* (number of PSUs in the stratum, number of SSUs in the PSU) or as a
*sampling fraction* n/N: values > 1 are population sizes, values <= 1 fractions (as R `as.fpc`, decided
jointly over both stages). It is never the factor 1 - n/N: passing 1 - n/N as a "fraction" silently
inverts the correction, the most common way peers report wrong SEs -- check what your column holds.

Lonely PSU (a stratum with one sampled PSU, R `options(survey.lonely.psu)`):
``"fail"`` (default) raises; ``"remove"`` and ``"certainty"`` let the stratum contribute zero (for
`survey.design2` objects R computes both the same way); ``"adjust"`` centres the lonely PSU total at
the mean PSU total of the stage, sum_i z_i / sum_h n_h over the strata with a row in the (domain of the)
design, instead of at its stratum mean (R survey >= 4.3; R 4.1-4.2 centred it at zero, which gives the same
SE for means, whose influence values sum to zero, but not for totals); ``"average"`` gives a lonely
stratum the average contribution of the others: the sum over the other strata times H / (H - L), H strata of
the stage with a row in the (domain of the) design and L lonely ones among them (R `onestage`: nstrat /
nokstrat; a calibrated design keeps every row in a domain, as R, so there H counts every stratum). A
stratum whose FPC says every PSU was taken (f_h = 0) is not lonely: it contributes no variance (and counts
among the H). At the second stage riset's groups are the PSUs of the whole stage, where R averages within
each PSU.

Domains: `subset(mask)` keeps every row and sets the weights outside the domain to zero, so the number of PSUs per
stratum (n_h) and the FPC stay those of the full design, as `subset()` in R survey; by default (R's
`survey.adjust.domain.lonely = FALSE`) a domain never creates new lonely strata. With ``adjust_domain_lonely=True``
(R `options(survey.adjust.domain.lonely = TRUE)`) a stratum that keeps one of its n_h > 1 PSUs in the domain is
lonely there for ``"adjust"`` (its n_h PSU totals, zero outside the domain, are centred at the mean PSU total of the
stage, with the factor n_h / (n_h - 1)) and ``"average"`` (left out, and counted among the L); the other rules are
unchanged (R only warns). The design df counts the PSUs and strata with respondents in the domain (R `degf` of the
subset).

Example
-------
>>> import pandas as pd
>>> from riset.survey.design import SurveyDesign
>>> df = pd.DataFrame({"strata": [1, 1, 2, 2], "y": [1.0, 3.0, 2.0, 6.0], "w": [2.0, 2.0, 3.0, 3.0]})
>>> d = SurveyDesign(df, weights="w", strata="strata")
>>> # Var(total) = sum_h n_h/(n_h-1) sum_i (w y_hi - mean_h)^2 = 2*(2^2+2^2) + 2*(6^2+6^2)
>>> float(d.variance(d.weights * df["y"].to_numpy())[0, 0])
160.0
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from riset.errors import DesignError
from riset.survey.base import Adjustment, Design, kept_rows, readonly, row_blocks

__all__ = ["CERTAINTY_TOL", "indicator", "LONELY_PSU", "lonely_average_factor", "positive_weights", "SurveyDesign"]

LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")


#: f below this is treated as "every unit taken" (R onestrat uses the same tolerance).
CERTAINTY_TOL = 1e-7


@dataclass(frozen=True)
class _Stage:
    """One sampling stage, pre-computed for vectorised variance.

    `unit` maps each row to its sampled unit at this stage (0..U-1, unique over the whole design);
    `group` maps each unit to its stratum (stage 1) or to its parent PSU (stage 2); per group:
    `n_units` sampled units, `f` = (N - n)/N (1 without FPC), `outer` = the factor multiplying the
    group's contribution (1 at stage 1, n_h/N_h of the parent stratum at stage 2), `label` for messages.
    """

    unit: np.ndarray
    group: np.ndarray
    n_units: np.ndarray
    f: np.ndarray
    outer: np.ndarray
    label: np.ndarray
    unit_index: np.ndarray  # `unit` as the row indices of the sparse rows -> units indicator
    row_pointer: np.ndarray  # 0..n: one entry per row of that column-compressed indicator
    units_to_groups: sparse.csc_matrix  # G x U indicator

    def rows_to_units(self, values=None) -> sparse.csc_matrix:
        """U x n indicator with `values` (n, 1 by default) as its entries: ``rows_to_units(w) @ u`` is the
        unit totals of w_i u_i, without the n x k product (R rowsum)."""
        return _column_indicator(self.unit_index, self.row_pointer, len(self.group), values)


def indicator(codes: np.ndarray, n_codes: int, values=None) -> sparse.csc_matrix:
    """Sparse n_codes x len(codes) matrix with `values` (1 by default) at (codes[i], i); `ind @ x` is R's
    rowsum(x, codes) without a Python loop. Column-compressed: one entry per column, so it is built without
    sorting and its product is one pass over the rows of x into the small n_codes x k result."""
    return _column_indicator(*_compressed(codes, n_codes), n_codes, values)


def _column_indicator(index: np.ndarray, pointer: np.ndarray, n_codes: int, values=None) -> sparse.csc_matrix:
    """The column-compressed indicator with row indices `index` (one per column) and `values` (1 by default)."""
    data = np.ones(len(index)) if values is None else np.asarray(values, dtype="float64")
    return sparse.csc_matrix((data, index, pointer), shape=(n_codes, len(index)))


def _compressed(codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices and column pointers of a column-compressed indicator with one entry per column (int32
    when they fit)."""
    n = len(codes)
    kind = np.int32 if max(n, n_codes) < np.iinfo(np.int32).max else np.int64
    return np.asarray(codes, dtype=kind), np.arange(n + 1, dtype=kind)


def _stage(unit, group, n_units, f, outer, label) -> _Stage:
    return _Stage(unit, group, n_units, f, outer, label, *_compressed(unit, len(group)), indicator(group, len(n_units)))


class SurveyDesign(Design):
    """A stratified multistage sampling design for Taylor-linearization variance (R `svydesign`).

    Parameters
    ----------
    data : DataFrame, one row per respondent. The design holds a copy-on-write view of it, not a copy: no
        memory and no time at any size; a later change of the caller's frame copies the changed columns on the
        caller's side, so the design keeps the data it was built with (pandas >= 3; with an older pandas without
        copy-on-write the frame is copied once). Besides it the design holds only small arrays: the weights, the
        stratum / PSU codes per row and the sparse row -> PSU -> stratum indicators.
    weights : column of sampling weights (> 0). None: from the FPC as prod N/n over stages (as R), or 1.
    strata : stratum column, or a list of columns whose combination is the stratum (e.g. unit x periode).
    psu : primary sampling unit column (nested within strata); None = each row is its own PSU.
    fpc : stage-1 FPC column: number of PSUs in the stratum's population (> 1) or sampling fraction (<= 1).
    ssu : second-stage unit column (nested within PSU); used for variance when `fpc` and `fpc2` are given.
    fpc2 : stage-2 FPC column: number of SSUs in the PSU's population, or the stage-2 sampling fraction.
    lonely_psu : 'fail' | 'remove' | 'certainty' | 'adjust' | 'average' (see module docstring).
    adjust_domain_lonely : treat a stratum with one PSU in a domain (of several sampled) as lonely there, by
        `lonely_psu` (R options(survey.adjust.domain.lonely = TRUE); see module docstring).

    Attributes: `.data`, `.weights` (read-only float array, zero outside a domain), `.n` (rows in the
    domain), `.df` (design degrees of freedom = PSUs - strata with a non-zero weight, R `degf`),
    `.adjustments` (calibration residualisers applied by `.variance`). Methods: `variance`,
    `variance_by` / `df_by` (all domains at once), `with_weights`, `subset`.

    >>> import pandas as pd
    >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 4.0]}))
    >>> d.n, d.df
    (3, 2)
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str | None = None,
        strata: str | Sequence[str] | None = None,
        psu: str | None = None,
        fpc: str | None = None,
        ssu: str | None = None,
        fpc2: str | None = None,
        lonely_psu: str = "fail",
        adjust_domain_lonely: bool = False,
    ):
        if not isinstance(data, pd.DataFrame):
            raise DesignError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        if len(data) == 0:
            raise DesignError("data has no rows; a design needs at least two sampled units")
        if not data.columns.is_unique:
            twice = list(dict.fromkeys(data.columns[data.columns.duplicated()]))
            raise DesignError(f"data has duplicated column name(s) {', '.join(map(repr, twice))}; give every column "
                              "its own name")
        for role, column in {"weights": weights, "psu": psu, "fpc": fpc, "ssu": ssu, "fpc2": fpc2}.items():
            if isinstance(column, (list, tuple, set, dict, pd.Index, np.ndarray)):
                raise DesignError(f"{role}={column!r}: give one column name" + (
                    "" if role == "weights" else f" ({role} takes one column; strata may be a list)"))
        if not isinstance(lonely_psu, str) or lonely_psu not in LONELY_PSU:
            raise DesignError(f"lonely_psu={lonely_psu!r} is not allowed; choose one of {', '.join(LONELY_PSU)}")
        if fpc2 is not None and (fpc is None or ssu is None):
            raise DesignError("fpc2 (stage-2 FPC) needs both `ssu` (the stage-2 unit column) and `fpc` (stage 1)")
        if ssu is not None and psu is None:
            raise DesignError("ssu (stage-2 unit) needs `psu`, the stage-1 unit it is nested in")
        if ssu is not None and fpc is not None and fpc2 is None:
            raise DesignError(
                "ssu is given with a stage-1 fpc but no fpc2: give the number of SSUs in each PSU's population "
                "(fpc2), or drop `ssu` to use the ultimate-cluster (stage-1 only) variance"
            )
        # pandas copy-on-write (pandas >= 3, or the option on): a shallow copy is safe and free -- a later change
        # of the caller's frame copies on the caller's side; without it the frame is copied whole
        self._data = data.copy(deep=not _copy_on_write())
        self.lonely_psu = lonely_psu
        self.adjust_domain_lonely = bool(adjust_domain_lonely)
        self.spec = {"weights": weights, "strata": strata, "psu": psu, "fpc": fpc, "ssu": ssu, "fpc2": fpc2}
        strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
        used = [c for c in [weights, *strata_cols, psu, fpc, ssu, fpc2] if c is not None]
        absent = [c for c in used if c not in data.columns]
        if absent:
            raise DesignError(f"design column(s) {', '.join(map(repr, absent))} not found in the data")

        index = data.index  # row labels, for messages only
        stratum_code, stratum_label = _codes(data, strata_cols, "strata")
        psu_code = _nested(stratum_code, _codes(data, [psu], "psu")[0] if psu else np.arange(len(data)))
        psu_stratum = _outer_of(psu_code, stratum_code)
        n_psu = np.bincount(psu_stratum, minlength=len(stratum_label))

        if fpc2 is not None:
            ssu_code = _nested(psu_code, _codes(data, [ssu], "ssu")[0])
            ssu_psu = _outer_of(ssu_code, psu_code)
            n_ssu = np.bincount(ssu_psu, minlength=len(psu_stratum))
        else:
            ssu_code = n_ssu = None
        pop1, pop2 = self._population_sizes(data, fpc, fpc2, stratum_code, psu_code, n_psu, n_ssu, index)
        f1 = np.ones(len(stratum_label)) if pop1 is None else (pop1 - n_psu) / pop1
        stage1 = _stage(
            unit=psu_code,
            group=psu_stratum,
            n_units=n_psu,
            f=f1,
            outer=np.ones(len(stratum_label)),
            label=np.asarray(stratum_label, dtype=object),
        )
        self._stages = [stage1]
        if pop2 is not None:
            self._stages.append(
                _stage(
                    unit=ssu_code,
                    group=ssu_psu,
                    n_units=n_ssu,
                    f=(pop2 - n_ssu) / pop2,
                    outer=(n_psu / pop1)[psu_stratum],
                    label=np.asarray(_outer_of(psu_code, data[psu].to_numpy()), dtype=object),
                )
            )
        if lonely_psu == "fail":
            for number, stage in enumerate(self._stages, start=1):
                _check_lonely(stage, number, strata_cols if number == 1 else [psu], index)

        if weights is not None:
            w = positive_weights(data[weights], weights, index)
        elif pop1 is not None:
            w = (pop1 / n_psu)[stratum_code]
            if pop2 is not None:
                w = w * (pop2 / self._stages[1].n_units)[psu_code]
        else:
            w = np.ones(len(data))
        # a float weights column is read as a read-only view of the frame (copy-on-write keeps it unchanged)
        self._weights = w if w.dtype == np.float64 and not w.flags.writeable else readonly(w)
        self.adjustments: tuple[Adjustment, ...] = ()

    # ---------------------------------------------------------------- construction helpers
    def _population_sizes(self, data, fpc, fpc2, stratum_code, psu_code, n_psu, n_ssu, index):
        """Population sizes per stratum (stage 1) and per PSU (stage 2) from FPC columns (R `as.fpc`)."""
        if fpc is None:
            return None, None
        values = {fpc: _numeric(data[fpc], fpc, index)}
        if fpc2 is not None:
            values[fpc2] = _numeric(data[fpc2], fpc2, index)
        as_size = any(bool((v > 1).any()) for v in values.values())
        if as_size and any(bool((v < 1).any()) for v in values.values()):
            col = next(c for c, v in values.items() if (v < 1).any())
            row = index[np.argmax(values[col] < 1)]
            raise DesignError(
                f"FPC column '{col}' has value {values[col][np.argmax(values[col] < 1)]} in row {row}, but other FPC "
                "values are > 1: give all FPC values as population sizes (> 1) or all as sampling fractions "
                "n/N (<= 1), never as 1 - n/N"
            )
        pop1 = self._per_group(values[fpc], fpc, stratum_code, n_psu, as_size, index, "stratum", "PSUs")
        pop2 = None
        if fpc2 is not None:
            pop2 = self._per_group(values[fpc2], fpc2, psu_code, n_ssu, as_size, index, "PSU", "SSUs")
        return pop1, pop2

    @staticmethod
    def _per_group(value, col, group, n_sampled, as_size, index, what, units):
        per_group = _outer_of(group, value)  # one of the group's values: all of them, if it has one value
        bad = _first_mismatch(per_group, group, value)
        if bad is not None:
            other = np.argmax((group == group[bad]) & (value == per_group[group[bad]]))
            raise DesignError(
                f"FPC column '{col}' varies within a {what}: row {index[bad]} has {value[bad]}, "
                f"row {index[other]} has {value[other]}; it must be one value per {what}"
            )
        first = _first_row(group, index)
        if (per_group <= 0).any():
            g = np.argmax(per_group <= 0)
            raise DesignError(f"FPC column '{col}' has value {per_group[g]} in row {first(g)}; must be > 0")
        pop = per_group if as_size else n_sampled / per_group
        too_small = pop < n_sampled - 1e-9
        if too_small.any():
            g = np.argmax(too_small)
            shown = f"{per_group[g]:g}" + ("" if as_size else f" (= population of {pop[g]:g})")
            raise DesignError(
                f"FPC column '{col}' has value {shown} in row {first(g)}, but that {what} has {n_sampled[g]} "
                f"sampled {units}: the population size cannot be smaller than the sample "
                "(FPC is the population size N or the fraction n/N, never 1 - n/N)"
            )
        return pop.astype("float64")

    # ---------------------------------------------------------------- public API
    linearized = True

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata among rows with non-zero weight (R `degf`)."""
        stage = self._stages[0]
        (units,) = kept_rows(self.in_domain, stage.unit)
        psus = np.flatnonzero(np.bincount(units, minlength=len(stage.group)))  # no sort of the n rows
        return int(len(psus) - len(np.unique(stage.group[psus])))

    def variance(self, x, weights=None) -> np.ndarray:
        """Covariance matrix (k x k) of the totals of the weighted influence values `x` (n x k).

        `x` is what R's `svyrecvar` takes: for a total x_i = w_i y_i, for a mean
        x_i = w_i (y_i - ybar) / sum(w). With `weights` (n), `x` holds the unweighted u_i and x_i = w_i u_i is
        never formed: the weights enter the sparse unit-total product (no n x k temporary). Each adjustment in
        `.adjustments` (calibration residualiser) is applied to x first, in order; then the stratified
        multistage formula of the module docstring (Lumley 2010, appendix C; Sarndal, Swensson & Wretman 1992,
        result 4.3.1).

        >>> import pandas as pd
        >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 6.0]}), fpc=None)
        >>> float(d.variance([[1.0], [2.0], [6.0]])[0, 0])   # 3 * var(y) for a with-replacement total
        21.0
        """
        return self.variance_of_totals(self.unit_totals(x, weights))

    def unit_totals(self, x, weights=None) -> list[np.ndarray]:
        """Per stage, the unit totals z_j = sum_{i in unit j} x_i (units x k) of `x` after each calibration
        adjustment (`weights` as in `variance`): what `variance_of_totals` needs. The adjustments act on each
        column alone (residuals of a linear projection), so the totals of a few columns at a time, stacked,
        give the covariance of all of them."""
        x = self._check_x(x)
        if self.adjustments:
            if weights is not None:
                x = x * np.asarray(weights, dtype="float64")[:, None]
                weights = None
            for adjust in self.adjustments:
                x = np.asarray(adjust(x), dtype="float64").reshape(x.shape)
        return [_finite_totals(stage.rows_to_units(weights) @ x) for stage in self._stages]

    def variance_of_totals(self, totals: Sequence[np.ndarray]) -> np.ndarray:
        """Covariance matrix (k x k) from each stage's unit totals (`unit_totals`; the columns may come from
        several calls): the stratified multistage formula of the module docstring."""
        # R drops the rows outside a domain (a calibrated design keeps them): the strata "present" are those
        # with a row in the domain
        present = np.ones(len(self._weights), dtype=bool) if self.adjustments else self.in_domain
        v = 0.0
        for stage, z in zip(self._stages, totals):
            (units,) = kept_rows(present, stage.unit)
            in_domain = np.asarray(stage.units_to_groups @ (np.bincount(units, minlength=len(stage.group)) > 0))
            v = v + _between_units(np.asarray(z), stage, self.lonely_psu, in_domain, self.adjust_domain_lonely)
        return v

    def variance_by(self, x, domain, n_domains: int, weights=None) -> np.ndarray:
        """Variances (n_domains x k) of the columns of `x` restricted to each domain, without building them.

        `domain` gives each row's domain code 0..n_domains-1 (-1: in no domain); `weights` as in `variance`.
        The result for domain d equals ``diag(self.variance(x * (domain == d)[:, None]))`` -- the domain
        estimator of R `svyby`, which keeps the full design -- but is computed for all domains at once from
        sum_i (z_i - zbar)^2 = sum_i z_i^2 - (sum_i z_i)^2 / n_h per stratum x domain, so 50 domains on a
        million rows cost one pass. With calibration `.adjustments` (which mix rows across domains) it
        falls back to one `variance` call per domain.

        >>> import pandas as pd
        >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 6.0, 3.0]}))
        >>> d.variance_by([[1.0], [2.0], [6.0], [3.0]], [0, 0, 1, 1], 2).ravel().tolist()
        [3.6666666666666665, 33.0]
        """
        x = self._check_x(x)
        domain = np.asarray(domain, dtype=np.int64)
        if domain.shape != (x.shape[0],):
            raise DesignError(f"variance_by() needs one domain code per row ({x.shape[0]}); got {domain.shape}")
        if self.adjustments:
            return np.stack(
                [np.diag(self.variance(np.where((domain == d)[:, None], x, 0.0), weights)) for d in range(n_domains)]
            ).reshape(n_domains, x.shape[1])
        keep = domain >= 0
        out = np.zeros((n_domains, x.shape[1]))
        w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype="float64")
        # no copy of x when every row is in a domain (the usual `by=` case; n x k on 10^6 rows)
        xs, ds, ws = (x, domain, w) if keep.all() else (x[keep], domain[keep], w[keep])
        for stage in self._stages:
            out += _between_units_by(xs, ds, ws, n_domains, stage, keep, self.lonely_psu, self.adjust_domain_lonely)
        # sum z^2 - (sum z)^2 / n can round to -1e-16 where the exact variance is 0 (e.g. a proportion of
        # the stratum variable itself)
        return np.maximum(out, 0.0)

    def df_by(self, domain, n_domains: int) -> np.ndarray:
        """Design df per domain: PSUs minus strata that have a row in the domain (R `degf` of the subset)."""
        domain = np.asarray(domain, dtype=np.int64)
        stage = self._stages[0]
        unit, dom = kept_rows(domain >= 0, stage.unit, domain)
        pairs = unit if n_domains == 1 else unit * n_domains + dom
        n_pairs = len(stage.group) * n_domains
        # (PSU, domain) pairs present: a table of the pairs when it is small, else a hash-based unique (O(n),
        # no sort; order irrelevant: only counted)
        psu_pairs = (np.flatnonzero(np.bincount(pairs, minlength=n_pairs)) if n_pairs <= 4 * len(pairs)
                     else pd.unique(pairs))
        stratum_pairs = pd.unique(stage.group[psu_pairs // n_domains] * n_domains + psu_pairs % n_domains)
        return (
            np.bincount(psu_pairs % n_domains, minlength=n_domains)
            - np.bincount(stratum_pairs % n_domains, minlength=n_domains)
        ).astype(float)

    def _check_x(self, x) -> np.ndarray:
        """`x` as an n x k float array (finiteness is checked on its unit totals, `_finite_totals`)."""
        x = np.asarray(x, dtype="float64")
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[0] != len(self._weights):
            raise DesignError(
                f"variance() needs an n x k array with n = {len(self._weights)} rows (one per row of the data, "
                f"zero outside the domain); got shape {x.shape}"
            )
        return x

    def with_weights(self, weights, adjust: Adjustment | None = None) -> "SurveyDesign":
        """A new design with the same structure and new weights (e.g. calibrated), plus a variance adjustment.

        `weights`: array of length n (finite; GREG calibration may produce negative weights, which R allows
        too). Rows outside the current domain must keep weight zero. `adjust`: callable mapping the n x k
        weighted influence values to their residuals from the calibration model (Deville & Sarndal 1992;
        R `calibrate()` stores the QR of the weighted model matrix and `svyrecvar` replaces x by
        ``qr.resid(qr, x / w) * w``; post-stratification subtracts the post-stratum means). It is appended
        to `.adjustments` and applied by `.variance` in order (as R's `postStrata` list). `subset()` keeps
        the adjustments (they act on all n rows); `riset.survey.replicate.as_replicate` refuses a design with
        adjustments unless told to treat the calibrated weights as fixed.

        >>> import pandas as pd
        >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0]}))
        >>> d.with_weights([2.0, 3.0]).weights.tolist()
        [2.0, 3.0]
        """
        w = np.asarray(weights, dtype="float64").ravel()
        if w.shape != self._weights.shape:
            raise DesignError(f"with_weights() needs {len(self._weights)} weights (one per row); got {w.size}")
        bad = ~np.isfinite(w)
        if bad.any():
            raise DesignError(f"new weights have value {w[np.argmax(bad)]} in row {self._data.index[np.argmax(bad)]}")
        outside = (self._weights == 0) & (w != 0)
        if outside.any():
            row = self._data.index[np.argmax(outside)]
            raise DesignError(
                f"new weights give row {row} weight {w[np.argmax(outside)]}, but it is outside the domain "
                "(weight 0); calibrate the full design and take the domain afterwards"
            )
        new = copy.copy(self)
        new._weights = readonly(w)
        if adjust is not None:
            if not callable(adjust):
                raise DesignError(f"adjust must be a callable (n x k array -> n x k array), not {type(adjust).__name__}")
            new.adjustments = (*self.adjustments, adjust)
        return new

    def smooth_variance(self, estimate, influence, y, g, domain, n_domains, covmat=False):
        """Linearization: the design variance of the weighted influence values x_i = w_i u_i in every domain
        (`variance_by`; `variance` for the covariance of one domain, or of all domains' columns with `covmat`).
        `estimate`, `y` and `g` are not needed; there are no replicate estimates (None)."""
        if n_domains == 1:
            # one domain: the variances are the diagonal of the covariance (one pass of any calibration
            # adjustment instead of two); the influence values are already zero outside the domain
            vcov = self.variance(influence, self._weights)
            return np.maximum(np.diag(vcov), 0.0)[None, :], vcov, None
        var = self.variance_by(influence, domain, n_domains, self._weights)
        if not covmat:
            return var, None, None
        # each domain's influence values in their own block of columns (domain-major)
        n, k = influence.shape
        spread = np.zeros((n, n_domains * k))
        rows = np.flatnonzero(domain >= 0)
        spread[rows[:, None], domain[rows, None] * k + np.arange(k)] = influence[rows]
        return var, self.variance(spread, self._weights), None

    def estimator_cov(self, estimate, scores, score_weights, bread_inv, refit):
        """Linearization (sandwich) covariance A^-1 V(sum U) A^-1: the design variance of the influence values
        U_i A^-1 (Binder 1983; R `svy.varcoef`), taken as A^-1' V(U) A^-1 -- the same quadratic form, with the
        weights inside the unit sums (no n x p array of influence values). `estimate`, `refit` are not needed."""
        bread_inv = np.asarray(bread_inv, dtype="float64")
        return bread_inv.T @ self.variance(scores, score_weights) @ bread_inv

    def reweighted(self, weights, adjuster, recalibrate) -> "SurveyDesign":
        """New weights with the calibration residualiser `adjuster()` appended to `.adjustments`."""
        return self.with_weights(weights, adjust=adjuster())

    def __repr__(self) -> str:
        stage = self._stages[0]
        kinds = []
        if self.spec["strata"] is not None:
            kinds.append(f"{len(stage.n_units)} strata")
        kinds.append(f"{len(stage.group)} PSU")
        if len(self._stages) > 1:
            kinds.append(f"{len(self._stages[1].group)} SSU")
        fpc = "with FPC" if self.spec["fpc"] is not None else "without FPC"
        domain = "" if self.n == len(self._weights) else f" (domain of {len(self._weights)} rows)"
        adj = f", {len(self.adjustments)} calibration adjustment(s)" if self.adjustments else ""
        return (
            f"SurveyDesign: {self.n} respondents{domain}, {', '.join(kinds)}, {fpc}, df = {self.df}, "
            f"lonely_psu = {self.lonely_psu!r}{adj}"
        )


def _copy_on_write() -> bool:
    """Whether pandas copies on write (always from pandas 3; an option before)."""
    return int(pd.__version__.split(".")[0]) >= 3 or pd.options.mode.copy_on_write is True


# -------------------------------------------------------------------- variance core
def _between_units(z: np.ndarray, stage: _Stage, lonely_psu: str, in_domain: np.ndarray,
                   adjust_domain: bool) -> np.ndarray:
    """sum_g outer_g * f_g * n_g/(n_g-1) * sum_i (z_gi - zbar_g)(z_gi - zbar_g)^T, vectorised over groups;
    `in_domain` counts each group's units with a row in the domain (lonely PSUs: module docstring)."""
    group = stage.group
    n_g = stage.n_units.astype("float64")
    sums = np.asarray(stage.units_to_groups @ z)
    centred = z - (sums / np.maximum(n_g, 1)[:, None])[group]
    scale, lonely = _group_scale(stage, lonely_psu)
    alone = lonely.copy()
    if adjust_domain and lonely_psu in ("adjust", "average"):
        alone |= _domain_lonely(stage.n_units, stage.f, in_domain)
    present = in_domain > 0
    if lonely_psu == "adjust":
        # R >= 4.3 (onestage): a lonely stratum's units are centred at the mean PSU total of the whole stage
        # (sum of z over the PSUs of the strata present), not at their stratum mean
        # (strata without a row in the domain contribute nothing)
        recentre = (alone & present)[group]
        centred[recentre] = z[recentre] - z.sum(axis=0) / n_g[present].sum()
    if lonely_psu == "average":
        scale = np.where(alone, 0.0, scale)
    unit_scale = scale[group]
    factor = lonely_average_factor(present.sum(), (alone & present).sum(), lonely_psu)
    return (centred * unit_scale[:, None]).T @ centred * factor


def _domain_lonely(n_units: np.ndarray, f: np.ndarray, in_domain: np.ndarray) -> np.ndarray:
    """Groups with one unit in the domain of several sampled, not taken completely (R
    survey.adjust.domain.lonely = TRUE, which changes only the 'adjust' and 'average' rules)."""
    return (in_domain == 1) & (n_units > 1) & (f >= CERTAINTY_TOL)


def lonely_average_factor(n_present, n_alone, lonely_psu: str):
    """lonely_psu='average' (per domain, elementwise): P / (P - L), P the strata with a row in the domain and
    L the lonely ones among them, whose contribution the others' stand in for (R `onestage`: nstrat /
    nokstrat); 1 for the other rules."""
    n_present, n_alone = np.asarray(n_present, dtype=float), np.asarray(n_alone, dtype=float)
    if lonely_psu != "average":
        return np.ones_like(n_present)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_alone < n_present, n_present / (n_present - n_alone), np.nan)


def _group_scale(stage: _Stage, lonely_psu: str) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the factor of its centred sum of squares, and whether it is a lonely (n = 1) group."""
    n_g = stage.n_units.astype("float64")
    certain = stage.f < CERTAINTY_TOL
    lonely = (n_g == 1) & ~certain
    scale = stage.outer * stage.f * np.where(lonely, 0.0 if lonely_psu == "average" else 1.0,
                                             n_g / np.maximum(n_g - 1, 1))
    return np.where(certain, 0.0, scale), lonely


def _between_units_by(x, domain, weights, n_domains, stage: _Stage, keep, lonely_psu: str,
                      adjust_domain: bool) -> np.ndarray:
    """Domain version of `_between_units` (diagonal only), from per stratum x domain sums of z and z^2
    (z: unit x domain totals of weights * x)."""
    pair = stage.unit[keep] * n_domains + domain
    codes, pairs = pd.factorize(pair)
    z = _finite_totals(indicator(codes, len(pairs), weights) @ x)
    unit, dom = pairs // n_domains, pairs % n_domains
    group = stage.group[unit]
    cell = group * n_domains + dom
    cells, cell_codes = np.unique(cell, return_inverse=True)
    to_cell = indicator(cell_codes, len(cells))
    s1 = np.asarray(to_cell @ z)
    s2 = np.asarray(to_cell @ np.square(z, out=z))  # z is not needed after s1: square in place
    scale, lonely = _group_scale(stage, lonely_psu)
    g, d = cells // n_domains, cells % n_domains
    n_g = stage.n_units[g].astype("float64")[:, None]
    alone = lonely[g].copy()
    if adjust_domain and lonely_psu in ("adjust", "average"):
        alone |= _domain_lonely(stage.n_units[g], stage.f[g], np.bincount(cell_codes, minlength=len(cells)))
    # R: a lonely PSU is centred at its own value ("remove"/"certainty": zero) or, "adjust", at the mean PSU
    # total c of the stage (domain): sum over the group's n_g units of (z - c)^2
    stage_total = np.asarray(indicator(d, n_domains) @ s1)
    centre = (stage_total / np.bincount(d, weights=n_g[:, 0], minlength=n_domains)[:, None])[d]
    adjusted = s2 - 2 * centre * s1 + n_g * centre ** 2
    centred_ss = np.where(alone[:, None], adjusted if lonely_psu == "adjust" else 0.0, s2 - s1 * s1 / n_g)
    factor = lonely_average_factor(np.bincount(d, minlength=n_domains),
                                   np.bincount(d, weights=alone, minlength=n_domains), lonely_psu)[d]
    contrib = scale[g][:, None] * centred_ss * factor[:, None]
    return np.asarray(indicator(d, n_domains) @ contrib)


def _finite_totals(z) -> np.ndarray:
    """Unit totals as an array, refused when not finite: a missing or infinite influence value makes its
    unit's total NaN or infinite, so checking the U totals checks the n values."""
    z = np.asarray(z)
    if not np.isfinite(z).all():
        raise DesignError("variance() got missing or infinite influence values; remove or impute them first")
    return z


def _check_lonely(stage: _Stage, number: int, columns, index: pd.Index) -> None:
    lonely = (stage.n_units == 1) & (stage.f >= CERTAINTY_TOL)
    if lonely.any():
        g = np.argmax(lonely)
        what = "stratum" if number == 1 else "PSU"
        inner = "PSU" if number == 1 else "SSU"
        cols = ", ".join(map(repr, columns)) if columns else "(no strata)"
        row = _first_row(stage.group[stage.unit], index)(g)
        raise DesignError(
            f"{what} {stage.label[g]!r} ({cols}, first in row {row}) has only one sampled {inner} "
            f"at stage {number} ({int(lonely.sum())} such {what}(s)), so its variance cannot be estimated; "
            "choose lonely_psu='remove', 'certainty', 'adjust' or 'average' (as R options(survey.lonely.psu)), or "
            "merge strata"
        )


# -------------------------------------------------------------------- input helpers
def _codes(data: pd.DataFrame, columns: list[str], role: str) -> tuple[np.ndarray, list]:
    """Integer codes (sorted order of values) of a column or a combination of columns; no missing values."""
    if not columns:
        return np.zeros(len(data), dtype=np.int64), ["(semua)"]
    frame = data[columns]
    missing = frame.isna().any(axis=1).to_numpy()
    if missing.any():
        row = data.index[np.argmax(missing)]
        col = next(c for c in columns if pd.isna(frame.loc[row, c]))
        raise DesignError(
            f"{role} column '{col}' is blank in row {row} ({int(missing.sum())} row(s) blank); every respondent "
            f"needs a {role} value"
        )
    if len(columns) == 1:
        column = frame[columns[0]]
        found = _small_int_codes(column.to_numpy()) if _is_int(column) else None
        codes, uniques = found if found else pd.factorize(column, sort=True)
        return codes.astype(np.int64, copy=False), list(uniques)
    keys = pd.MultiIndex.from_frame(frame.astype(str))
    codes, uniques = pd.factorize(keys, sort=True)
    return codes.astype(np.int64, copy=False), [" / ".join(u) for u in uniques]


def _is_int(column: pd.Series) -> bool:
    return isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu"


def _small_int_codes(values: np.ndarray) -> tuple[np.ndarray, pd.Index] | None:
    """Codes in sorted order of integer values spanning at most 4 n numbers (stratum and PSU numbers usually
    do), by a table of the numbers present: no hashing, no sort. None for a wider span (factorize instead)."""
    low, high = int(values.min()), int(values.max())
    if high - low > 4 * len(values):
        return None
    # a table from 0 is indexed by the values themselves (no shifted copy of them)
    start = 0 if 0 <= low and high <= 4 * len(values) else low
    rows = values if start == 0 else values - start
    present = np.zeros(high - start + 1, dtype=bool)
    present[rows] = True
    code_of = np.cumsum(present) - 1
    return code_of[rows], pd.Index(np.flatnonzero(present) + start)


def _nested(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Codes of `inner` made unique within `outer` (PSU within stratum, SSU within PSU), as R nest=TRUE: `inner`
    itself when each of its codes already lies in one `outer` (PSU numbers unique across strata: no re-coding)."""
    if _first_mismatch(_outer_of(inner, outer), inner, outer) is None:
        return inner
    pair = outer.astype(np.int64) * (int(inner.max()) + 1) + inner.astype(np.int64)
    return pd.factorize(pair, sort=True)[0].astype(np.int64, copy=False)


def _outer_of(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Per code 0..max of `inner`, the value of `outer` on its rows (PSU -> its stratum, SSU -> its PSU): one
    scatter, no sort -- every row of a code carries the same outer value when `inner` is nested in `outer`."""
    out = np.empty(int(inner.max()) + 1, dtype=np.asarray(outer).dtype)
    out[inner] = outer
    return out


#: rows per block of the checks that compare every row with a per-group table
_ROWS = 1 << 16


def _first_mismatch(table: np.ndarray, codes: np.ndarray, values: np.ndarray) -> int | None:
    """The first row i with table[codes[i]] != values[i], None when every row agrees; in blocks of rows (no
    temporary the size of the data)."""
    for rows in row_blocks(len(codes), _ROWS):
        differ = table[codes[rows]] != values[rows]
        if differ.any():
            return rows.start + int(np.argmax(differ))
    return None


def _first_row(codes: np.ndarray, index: pd.Index):
    """g -> the label of the first row with code g (for messages: computed only when one is written)."""
    return lambda g: index[int(np.argmax(codes == g))]


def _numeric(column: pd.Series, name: str, index) -> np.ndarray:
    """The column as float64 numbers (a view when it already holds numpy numbers), refused where not finite."""
    numbers = isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf"
    values = (column if numbers else pd.to_numeric(column, errors="coerce")).to_numpy(dtype="float64")
    bad = ~np.isfinite(values)
    if bad.any():
        raise DesignError(
            f"column '{name}' has value {column.iloc[np.argmax(bad)]!r} in row {index[np.argmax(bad)]}; "
            f"must be a number ({int(bad.sum())} such row(s))"
        )
    return values


def positive_weights(column: pd.Series, name: str, index) -> np.ndarray:
    w = _numeric(column, name, index)
    bad = w <= 0
    if bad.any():
        raise DesignError(
            f"weight column '{name}' has value {w[np.argmax(bad)]:g} in row {index[np.argmax(bad)]}; sampling "
            f"weights must be > 0 ({int(bad.sum())} such row(s)). For a domain use design.subset()."
        )
    return w

