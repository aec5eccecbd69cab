"""Calibrated weights on a `SurveyDesign`: post-stratification, raking, calibration, trimming.

Each function takes a design and returns a new design whose weights are adjusted and which carries
the adjustment into the variance exactly as R `survey` does (Lumley 2010, ch. 7; source of
`postStratify`, `rake`, `calibrate`, `svyrecvar`, survey 4.x): the returned design is
``design.with_weights(w_new, adjust=f)`` where `f` residualises the weighted influence values `x`
before the stratified multistage variance formula:

- post-stratification: x_i - w_i * (sum_{j in c} x_j d_j / w_j) / (sum_{j in c} d_j), c = cell of i,
  d = weights before, w = weights after;
- raking: the post-stratification residual of each margin in turn, 10 passes (as `svyrecvar`);
- calibration (GREG): x_i - w_i * [resid of x/w on X sqrt(d/c)]_i, with w = g sqrt(d c) (`qr.resid`; c the
  working-model variances of `calibrate(variance=)`, 1 by default and for bounded/nonlinear calibration, as R).

So SEs after calibration are the SEs of the regression residuals (Sarndal, Swensson & Wretman 1992,
ch. 6; Deville & Sarndal 1992), not of the raw variable as if the weights were fixed.
Margins are checked by `riset.survey.margins` (no silent drops). Example (api data of R survey)::

    from riset.survey.design import SurveyDesign
    d = SurveyDesign(apiclus1, weights="pw", psu="dnum", fpc="fpc")
    pop = pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype")
    d_ps = poststratify(d, pop)            # weights sum to 6194 within each stype
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import linalg, sparse

from riset.errors import WeightingError, show_value
from riset.i18n import Note, label
from riset.survey.margins import (Margin, check_columns, check_margin, check_margins, collapse_margin, indicator_matrix,
                           margin_from_table, scale_margin)
from riset.survey.diagnostics import WeightDiagnostics, weight_diagnostics
from riset.survey.base import Adjustment, number_argument, row_blocks
from riset.survey.design import indicator

__all__ = ["aggregation_cells", "calibrate", "calibration_bounds", "calibration_g", "CalibrationFit", "closed_form",
           "cluster_means", "method_name", "METHODS", "model_matrix", "numeric_column", "population_margins",
           "poststratify", "rake", "rake_fit", "RakingFit", "raking_coefficients", "raking_cross", "trim_weights",
           "weight_to_population", "WeightingRun", "working_variance"]

Calfun = Literal["linear", "raking", "logit"]
_RAKE_VARIANCE_PASSES = 10  # svyrecvar iterates the raking residuals 10 times


def _cell_sums(idx: np.ndarray, values: np.ndarray, n_cells: int) -> np.ndarray:
    """Column sums of `values` (n x k) within cells `idx` -> n_cells x k."""
    # one bincount per column: np.add.at on an n x k array is ~100x slower (the raking variance runs
    # 10 passes x margins of these on every variance call)
    return np.stack([np.bincount(idx, weights=values[:, j], minlength=n_cells) for j in range(values.shape[1])],
                    axis=1).reshape(n_cells, values.shape[1])


def _poststrat_adjuster(idx: np.ndarray, n_cells: int, old_w: np.ndarray, new_w: np.ndarray):
    """The `svyrecvar` residual for one post-stratification (cell means of x/w weighted by old w)."""
    psw = np.where((new_w == 0) & (old_w == 0), 1.0, new_w)
    old_sum = np.bincount(idx, weights=old_w, minlength=n_cells)

    def adjust(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float).reshape(len(idx), -1)
        means = _cell_sums(idx, x * (old_w / psw)[:, None], n_cells) / old_sum[:, None]
        return x - means[idx] * psw[:, None]

    return adjust


def _start_weights(design, what: str) -> np.ndarray:
    """The design's weights; weighting a domain (rows with weight 0) is refused, as the adjustments
    divide by the weights and the margins describe the whole population."""
    w = np.asarray(design.weights, dtype=float)
    zero = np.flatnonzero(w == 0)
    if zero.size:
        raise WeightingError(f"{what}: the design has {zero.size} row(s) with weight 0 (outside a domain, e.g. row "
                             f"{design.data.index[zero[0]]}); weight the full design, then take the domain with .subset()")
    return w


def _poststrat_step(counts: np.ndarray, idx: np.ndarray, w: np.ndarray) -> np.ndarray:
    sample = np.bincount(idx, weights=w, minlength=len(counts))
    return w * (counts / sample)[idx]


def _poststrat_columns(counts: np.ndarray, idx: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """`_poststrat_step` on every replicate column at once (a cell a replicate leaves empty stays 0)."""
    sample = np.asarray(indicator(idx, len(counts)) @ reps)
    factor = np.divide(counts[:, None], sample, out=np.zeros_like(sample), where=sample != 0)
    return reps * factor[idx]


def poststratify(design, margin: Margin | pd.Series, *, partial: bool = False):
    """Post-stratify: scale the weights so each cell's weighted count equals its population N_c.

    w_i* = w_i * N_c / sum_{j in c} w_j (Holt & Smith 1979; R `postStratify`). Variance uses the
    within-cell residuals (see module docstring). `margin` is a `riset.survey.margins.Margin` or a Series
    of counts indexed by category; it is checked first (`check_margin`), `partial` as in R.

    Example: ``poststratify(d, pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype"))``
    gives weights summing to 4421 / 755 / 1018 in the three school types. On a replicate design every
    replicate column is post-stratified too, so the variance carries the weighting (R).
    """
    margin = check_margin(margin, design.data, partial=partial)
    old = _start_weights(design, "poststratify")
    idx = margin.cell_index(design.data)
    new = _poststrat_step(margin.counts, idx, old)
    # a replicate design post-stratifies every replicate column too (R postStratify.svyrep.design)
    return design.reweighted(new, lambda: _poststrat_adjuster(idx, len(margin.counts), old, new),
                             lambda reps: _poststrat_columns(margin.counts, idx, reps))


def rake(design, margins: Sequence[Margin | pd.Series], *, epsilon: float = 1e-6, maxit: int = 100,
         force: bool = False, rtol: float = 1e-6):
    """Rake (iterative proportional fitting) the weights to several margins.

    Each sweep post-stratifies to every margin in turn (Deming & Stephan 1940; R `rake`). It stops
    when the largest change of the weighted joint table of all margin variables between sweeps is
    below `epsilon` (if `epsilon` < 1 it is relative to the total weight, as in R), else after
    `maxit` sweeps with a `WeightingError` (or, with `force=True`, the last weights). Unlike R it then
    also checks every margin is met within 10 x that tolerance: IPF can settle on margins the sample
    cannot meet (changes between sweeps vanish while one margin stays off), which is an error too. Margins are
    checked first, including that their totals agree within `rtol`. The variance uses the raking
    residuals of the last sweep, iterated as `svyrecvar` does.

    Example: ``rake(d, [m_stype, m_sch_wide])`` reproduces both margins to within `epsilon`.
    """
    if not margins:
        raise WeightingError("rake: give at least one margin")
    data = design.data
    margins = check_margins(margins, data, rtol=rtol)
    start = _start_weights(design, "rake")
    # joint cell of all margin variables from per-variable codes (hashing the text of every row is slow)
    joint = np.zeros(len(data), dtype=np.int64)
    for var in dict.fromkeys(v for m in margins for v in m.variables):
        codes = pd.factorize(data[var].astype(str))[0]
        joint = pd.factorize(joint * (int(codes.max()) + 1) + codes)[0]  # stays < n: no overflow
    cells = [m.cell_index(data) for m in margins]
    fit = rake_fit(start, cells, margins, joint, epsilon=epsilon, maxit=maxit, force=force)
    passes = [(idx, len(m.counts), w) for m, idx, w in zip(margins, cells, fit.steps)]

    def sweep_replicates(reps: np.ndarray) -> np.ndarray:
        """The same sweeps on every replicate column (R rake on a svyrep.design)."""
        for _ in range(fit.sweeps):
            for margin, idx in zip(margins, cells):
                reps = _poststrat_columns(margin.counts, idx, reps)
        return reps

    return design.reweighted(fit.weights, lambda: _raking_adjuster(passes), sweep_replicates)


@dataclass(frozen=True)
class RakingFit:
    """Iterative proportional fitting of weights `start` (one per row of a table: respondents, or the cells of
    the margin variables with their summed weights) to margins: the raked `weights`, `steps` (per margin, the
    weights right after its post-stratification in the last sweep: what `svyrecvar`'s raking residuals use),
    and per margin the cumulative factor of each of its cells after the last sweep (`factors`) and before it
    (`previous`), so that w_i = start_i prod_M factors_M[c_M(i)]."""

    weights: np.ndarray
    steps: tuple[np.ndarray, ...]
    factors: tuple[np.ndarray, ...]
    previous: tuple[np.ndarray, ...]
    sweeps: int


def rake_fit(start: np.ndarray, cells: Sequence[np.ndarray], margins: Sequence[Margin], joint: np.ndarray, *,
             epsilon: float = 1e-6, maxit: int = 100, force: bool = False) -> RakingFit:
    """IPF of `start` to the checked `margins` (rows fall in cell cells[M] of margin M): each sweep multiplies the
    weights of cell c of each margin in turn by N_c / sum_{i in c} w_i (Deming & Stephan 1940; R `rake`).

    Convergence, as `rake`: the weighted table of the joint cells `joint` (one code per row: the cross of all
    margin variables) changes by less than `epsilon` (x the total start weight if < 1) between sweeps, within
    `maxit` sweeps, and the margins are then met within 10 x that tolerance; else `WeightingError` (unless
    `force`). The rows may be respondents or aggregated cells (weights summed over the respondents of a cell,
    as `riset.survey.outofcore_weighting` gets them from a GROUP BY): the arithmetic is the same.
    """
    if number_argument(maxit, "rake: maxit", WeightingError) < 1:
        raise WeightingError(f"rake: maxit must be >= 1, got {maxit}")
    if not number_argument(epsilon, "rake: epsilon", WeightingError) > 0:
        raise WeightingError(f"rake: epsilon={epsilon}; the convergence tolerance must be > 0")
    tol = epsilon * start.sum() if epsilon < 1 else epsilon
    old_table = np.bincount(joint, weights=start)
    factors = [np.ones(len(m.counts)) for m in margins]
    w, converged, sweeps, delta, previous, steps = start, False, 0, np.inf, factors, []
    while sweeps < maxit:
        previous, steps = [f.copy() for f in factors], []
        for margin, idx, factor in zip(margins, cells, factors):
            step = margin.counts / np.bincount(idx, weights=w, minlength=len(margin.counts))
            w = w * step[idx]
            factor *= step
            steps.append(w)
        sweeps += 1
        new_table = np.bincount(joint, weights=w)
        delta = float(np.max(np.abs(new_table - old_table)))
        if delta < tol:
            converged = True
            break
        old_table = new_table
    if not converged and not force:
        raise WeightingError(f"rake did not converge: after {sweeps} sweep(s) the weighted table still changed by "
                             f"{delta:.3g} (> tolerance {tol:.3g}); raise maxit, check the margins, or force=True")
    # a small change between sweeps can also mean IPF is stuck: margins the sample's cells cannot meet
    misfit = max(float(np.max(np.abs(np.bincount(idx, weights=w, minlength=len(m.counts)) - m.counts)))
                 for m, idx in zip(margins, cells))
    if converged and misfit > 10 * tol and not force:
        raise WeightingError(f"rake: the sweeps settled but the margins are not met (largest gap {misfit:.3g} > "
                             f"{10 * tol:.3g}); the sample's cross-classification cannot reproduce all margins at once "
                             "(e.g. a category of one margin only occurs together with one category of another)")
    return RakingFit(w, tuple(steps), tuple(factors), tuple(previous), sweeps)


#: rows per block of the in-place pass of the raking residuals over an n x k array
_BLOCK = 1 << 14


def _cross_sums(idx_m: np.ndarray, n_m: int, idx_p: np.ndarray, n_p: int, values: np.ndarray):
    """n_m x n_p table of sum(values) over the rows in cell c of M and c' of P (sparse when it is large)."""
    if n_m * n_p <= len(idx_m):  # the usual case: a few cells per margin, one bincount
        return np.bincount(idx_m * n_p + idx_p, weights=values, minlength=n_m * n_p).reshape(n_m, n_p)
    codes, pairs = pd.factorize(idx_m.astype(np.int64) * n_p + idx_p)
    sums = np.bincount(codes, weights=values, minlength=len(pairs))
    return sparse.csr_matrix((sums, (pairs // n_p, pairs % n_p)), shape=(n_m, n_p))


def raking_cross(passes: Sequence[tuple[np.ndarray, int, np.ndarray]], rows: np.ndarray | None = None):
    """The cross tables C_MP[c, c'] = sum of w_P / w_M over the rows in cell c of M and c' of P, and the rows per
    cell of each margin, from `passes` (per margin: cell of each row, number of cells, weights after its step).
    `rows`: how many respondents each row stands for (a cell of an aggregated table; 1 each by default)."""
    ones = np.ones(len(passes[0][0])) if rows is None else np.asarray(rows, dtype=float)
    count = [np.bincount(idx, weights=ones, minlength=n_cells) for idx, n_cells, _ in passes]
    cross = [[_cross_sums(idx_m, n_m, idx_p, n_p, ones * w_p / w_m) for idx_p, n_p, w_p in passes]
             for idx_m, n_m, w_m in passes]
    return cross, count


def _raking_adjuster(passes: list[tuple[np.ndarray, int, np.ndarray]]):
    """svyrecvar's raking residuals: 10 sweeps of x <- x - w_M * ave_M(x / w_M) over the margins M.

    `passes` holds, per margin of the last raking sweep, its cells idx_M, number of cells and the weights
    w_M right after its post-stratification step; ave_M is the unweighted cell mean. Every pass subtracts
    w_M times a per-cell constant, so after any number of passes x = x0 - sum_M w_M * b_M[idx_M], and
    cellsum_M(x / w_M) = cellsum_M(x0 / w_M) - sum_M' C_MM' b_M' with C_MM'[c, c'] = sum of w_M' / w_M
    over the rows in cell c of M and c' of M'. The sweeps therefore run on the small cell vectors b_M:
    the same residuals as sweeping the n rows 10 x margins times, for one pass over the rows.
    """
    n = len(passes[0][0])
    cross, count = raking_cross(passes)
    # cellsum_M(x / w_M) = to_cell[M] @ x: column-compressed, one pass over the rows without an n x k temporary
    to_cell = [indicator(idx, n_cells, 1 / w) for idx, n_cells, w in passes]

    def adjust(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float).reshape(n, -1)
        b = raking_coefficients([np.asarray(a @ x) for a in to_cell], cross, count)
        out = x.copy()
        # x - sum_M w_M * b_M[idx_M], in cache-sized blocks (no n x k temporaries)
        for block in row_blocks(n, _BLOCK):
            for (idx, _, w), b_m in zip(passes, b):
                out[block] -= b_m[idx[block]] * w[block, None]
        return out

    return adjust


def raking_coefficients(base: Sequence[np.ndarray], cross, count: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The per-cell constants b_M of svyrecvar's raking residuals x - sum_M w_M b_M[c_M(i)] (`_raking_adjuster`).

    `base[M]` (cells x k): cellsum_M(x / w_M); `cross[M][P]` (cells_M x cells_P): sum of w_P / w_M over the rows in
    cell c of M and c' of P; `count[M]`: rows per cell. Ten sweeps over the margins of
    b_M += [base_M - sum_P cross_MP b_P] / count_M, which is R's ``x <- x - psw * ave(x / psw, margin)`` repeated
    10 times (`svyrecvar`, survey 4.x) written on the cell vectors instead of the rows.
    """
    b = [np.zeros_like(s) for s in base]
    for _ in range(_RAKE_VARIANCE_PASSES):
        for m, c in enumerate(count):
            sums = base[m] - sum(cross[m][p] @ b[p] for p in range(len(base)))
            b[m] = b[m] + np.divide(sums, c[:, None], out=np.zeros_like(sums), where=c[:, None] > 0)
    return b


def _calfun_linear(u, lower, upper):
    g = np.clip(u + 1.0, lower, upper)
    return g - 1.0, ((u < upper - 1) & (u > lower - 1)).astype(float)


def _calfun_raking(u, lower, upper):
    # dF as R's cal.raking, which tests u against bounds - 1 (not log bounds): kept so the Newton path
    # matches R; g itself is clipped to the bounds either way and convergence is checked on the totals
    e = np.exp(u)
    return np.clip(e, lower, upper) - 1.0, np.where((u < upper - 1) & (u > lower - 1), e, 0.0)


def _calfun_logit(u, lower, upper):
    # R's cal.logit, written with exp(-|t|) so that large |t| gives g -> L or U instead of inf / inf
    a = (upper - lower) / ((upper - 1) * (1 - lower))
    c1, c2, c3, c4 = lower * (upper - 1), upper * (1 - lower), upper - 1, 1 - lower
    t = a * u
    e = np.exp(-np.abs(t))
    pos = t > 0
    g = np.where(pos, (c1 * e + c2) / (c3 * e + c4), (c1 + c2 * e) / (c3 + c4 * e))
    deriv = a * (c2 * c3 - c1 * c4) * np.where(pos, e / (c3 * e + c4) ** 2, e / (c3 + c4 * e) ** 2)
    return g - 1.0, deriv


_CALFUNS = {"linear": _calfun_linear, "raking": _calfun_raking, "logit": _calfun_logit}


def numeric_column(data: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """Column `column` of `data` as finite floats; `WeightingError` naming `what`, the column, the first bad value and
    its row (the file's line: header + 1) otherwise."""
    if column not in data.columns:
        raise WeightingError(f"calibrate: {what} names column '{column}', which is not in the data")
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise WeightingError(f"calibrate: column '{column}' ({what}) has value {show_value(data[column].iloc[bad[0]])} "
                             f"in row {bad[0] + 2} ({bad.size} row(s) not numeric or blank); a number is needed in "
                             "every row")
    return values


def model_matrix(data: pd.DataFrame, margins: list[Margin], totals: Mapping[str, float],
                  population_size: float | None, rtol: float,
                  intercept: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Calibration variables X (n x p), their population totals and names; the first margin keeps all
    its cells (they span the intercept), later margins drop their first cell (implied by N). Without margins
    the intercept column (total `population_size`) comes first, unless `intercept=False` (R's ``~ x - 1``: the
    totals alone, the weights need not reproduce N)."""
    if not intercept and (margins or population_size is not None):
        raise WeightingError("calibrate: intercept=False calibrates to the numeric totals alone; it takes no margins "
                             "(their cells span the intercept) and no population_size")
    columns, pop, names = [], [], []
    for k, margin in enumerate(margins):
        ind = indicator_matrix(margin, data)
        labels = margin.labels
        first = 0 if k == 0 else 1
        columns.append(ind[:, first:])
        pop.extend(margin.counts[first:])
        names.extend(f"{margin.name}={'/'.join(lab)}" for lab in labels[first:])
    if margins and population_size is not None:
        total = margins[0].total
        if abs(total - population_size) > rtol * max(total, population_size):
            raise WeightingError(f"calibrate: population_size={population_size:,.0f} disagrees with the total "
                                 f"{total:,.0f} of margin '{margins[0].name}'")
    if not margins and intercept:
        if population_size is None:
            raise WeightingError("calibrate: give population_size (N) or at least one margin; the weights must "
                                 "also reproduce the population size (or intercept=False to calibrate to the "
                                 "totals alone, R's ~ x - 1)")
        columns.append(np.ones((len(data), 1)))
        pop.append(float(population_size))
        names.append("N")
    for var, total in (totals or {}).items():
        columns.append(numeric_column(data, var, "totals")[:, None])
        pop.append(number_argument(total, f"calibrate: totals['{var}']", WeightingError))
        names.append(var)
    if not columns:
        raise WeightingError("calibrate: intercept=False needs at least one numeric total (totals=)")
    return np.hstack(columns), np.asarray(pop, dtype=float), names


def _grake(mm, ww, calfun: Calfun, lower, upper, pop, epsilon, maxit, size: float | None, c: np.ndarray):
    """Newton iterations of R survey's `grake` for g = 1 + F(x'eta / c) (c: working-model variances, R's
    `variance`); returns the fit, achieved misfit, iterations.

    `size` is the population size N: R's model matrix has an intercept where riset's first column is the first
    cell of the first margin, so that column's scale is N / sum(w) in R's rescaling (below), which then starts
    Newton where R does (the steps are invariant to the parametrisation, the start is not)."""
    fm1 = _CALFUNS[calfun]
    sample_total = mm.T @ ww
    scales = pop / sample_total
    if size is not None:
        scales[0] = size / ww.sum()
    scale = None
    # as grake: rescale weights far below the population size -- but not when there are bounds, which
    # R then applies to the rescaled weights (so g breaks them); here bounds always hold for g itself
    if np.min(scales) > 20 and np.all(np.isinf(lower)) and np.all(np.isinf(upper)):
        scale = float(np.mean(scales))
        ww, sample_total = ww * scale, sample_total * scale
    def state(eta):
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected below and the step halved
            f, deriv = fm1(mm @ eta / c, lower, upper)
            misfit = pop - sample_total - mm.T @ (ww * f)
        ok = np.all(np.isfinite(f)) and np.all(np.isfinite(deriv))
        return f, deriv, misfit, (float(np.max(np.abs(misfit) / (1 + np.abs(pop)))) if ok else np.inf)

    eta = np.zeros(mm.shape[1])
    f, deriv, misfit, achieved = state(eta)
    it = 1
    while True:
        tmat = (mm * (ww * deriv / c)[:, None]).T @ mm
        deta = np.linalg.pinv(tmat, rtol=256 * np.finfo(float).eps) @ misfit
        # Newton step as grake; halve it while it overflows or makes the fit worse (damped Newton:
        # grake only halves on overflow, and diverges where the full exponential step overshoots)
        for _ in range(40):
            f_new, deriv_new, misfit_new, achieved_new = state(eta + deta)
            if achieved_new <= achieved or achieved_new < epsilon:
                break
            deta = deta / 2
        else:
            break  # no step improves the fit: not converged
        eta = eta + deta
        f, deriv, misfit, achieved = f_new, deriv_new, misfit_new, achieved_new
        if achieved < epsilon:
            break
        it += 1
        if it > maxit:
            break
    scale = 1.0 if scale is None else scale
    return CalibrationFit((1.0 + f) * scale, eta, scale), achieved, it


def calibrate(design, margins: Sequence[Margin | pd.Series] = (), *, totals: Mapping[str, float] | None = None,
              population_size: float | None = None, intercept: bool = True, variance=None,
              calfun: Calfun = "linear", bounds=(-np.inf, np.inf), bounds_const: bool = False,
              aggregate: int | str | Sequence[str] | None = None, maxit: int = 50, epsilon: float = 1e-7,
              force: bool = False, partial: bool = False, rtol: float = 1e-6):
    """Calibrate the weights to population margins and totals (Deville & Sarndal 1992; R `calibrate`).

    Finds g_i with sum_i d_i g_i x_i = t_x for X = cell indicators of `margins` (+ the numeric
    columns of `totals`; N via `population_size` when there is no margin; no N at all with `intercept=False`,
    R's ``~ x - 1``), minimising a distance:
    - "linear" (GREG): g_i = 1 + x_i' lambda / c_i, the minimiser of sum_i (w_i - d_i)^2 c_i / d_i, with c_i the
      working-model variances `variance` (a column or one positive number per row; 1 by default; R `variance`);
      e.g. ``totals={"x": t}, intercept=False, variance="x"`` is the ratio estimator t * sum d y / sum d x.
      With finite `bounds` (L, U) g_i = clip(1 + x_i' lambda / c_i, L, U) solved by Newton steps, so the bounds
      hold exactly (R `calfun="linear", bounds=`);
    - "raking": g_i = exp(x_i' lambda / c_i) (clipped to `bounds`), the multiplicative/raking ratio form;
    - "logit": g_i = [L(U-1) + U(1-L) e^{A u}] / [U - 1 + (1-L) e^{A u}], A = (U-L)/((U-1)(1-L)),
      u = x_i' lambda / c_i, strictly inside (L, U) (needs finite bounds with L < 1 < U).
    `bounds` = (L, U): numbers, or per row (column names or arrays, R ``bounds = list(lower =, upper =)``); with
    `bounds_const=True` they bound the weights w_i themselves, i.e. g_i in [L_i / d_i, U_i / d_i]
    (R `bounds.const`). `aggregate`: one g per cluster -- 1 (2) for the design's stage-1 (stage-2) units, or
    column name(s) whose cross are the clusters (R `aggregate.stage` / `aggregate.index`): X, d and c are
    replaced by their unweighted means within the cluster before calibrating (R `ave`).
    Convergence: max_k |t_k - sum_i d_i g_i x_ik| / (1 + |t_k|) < `epsilon` within `maxit` Newton steps,
    else `WeightingError` (or `force=True`: keep the last g, as R). The variance uses the GREG residuals
    of x/w on X sqrt(d / c) (R `qr.resid`), i.e. SEs of the regression residuals; as R, a bounded or nonlinear
    calibration residualises on X sqrt(d) (R `calibrate` ignores `variance` there).

    Example: ``calibrate(d, [m_stype], totals={"api99": 3914069})`` matches R
    ``calibrate(dclus1, ~stype + api99, c(6194, 755, 1018, 3914069))``.
    """
    data = design.data
    d = _start_weights(design, "calibrate")
    lower, upper = _g_bounds(calfun, bounds, bounds_const, data, d)
    margins = check_margins(margins, data, rtol=rtol, partial=partial) if margins else []
    mm, pop, names = model_matrix(data, margins, totals or {}, population_size, rtol, intercept)
    c = None if variance is None else working_variance(variance, data)
    cells = None if aggregate is None else aggregation_cells(design, aggregate)
    mm, d_fit, c = (mm, d, c) if cells is None else (cluster_means(cells, mm), cluster_means(cells, d),
                                                     None if c is None else cluster_means(cells, c))

    def g_of(start: np.ndarray) -> np.ndarray:
        start = start if cells is None else cluster_means(cells, start)
        return calibration_g(mm, start, pop, names, margins, population_size, calfun, lower, upper,
                             "per row" if np.ndim(lower) else bounds, maxit, epsilon, force, c).g

    def calibrate_replicates(reps: np.ndarray) -> np.ndarray:
        """Every replicate column calibrated to the same totals (R calibrate.svyrep.design)."""
        return np.column_stack([reps[:, r] * g_of(reps[:, r]) for r in range(reps.shape[1])])

    g = g_of(d)
    residual_c = c if closed_form(calfun, lower, upper) else None
    return design.reweighted(d * g, lambda: _calibration_adjuster(mm, d_fit, g, residual_c), calibrate_replicates)


def working_variance(variance, data: pd.DataFrame) -> np.ndarray:
    """The working-model variances c_i of `calibrate` (R `variance` of length n): a column name or one number per
    row, all finite and > 0; `WeightingError` naming the row otherwise."""
    c = (numeric_column(data, variance, "variance") if isinstance(variance, str)
         else _per_row(variance, "variance", data))
    bad = np.flatnonzero(~(c > 0))
    if bad.size:
        raise WeightingError(f"calibrate: variance is {show_value(c[bad[0]])} in row {data.index[bad[0]]} "
                             f"({bad.size} row(s) <= 0 or blank); working-model variances must be > 0")
    return c


def _per_row(values, what: str, data: pd.DataFrame) -> np.ndarray:
    """`values` as one float per row of `data`, none blank; `WeightingError` naming `what` otherwise."""
    try:
        out = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise WeightingError(f"calibrate: {what} must be a number, a column name or one number per row") from None
    if out.size != len(data):
        raise WeightingError(f"calibrate: {what} has {out.size} value(s); one per row ({len(data)}) is needed")
    bad = np.flatnonzero(np.isnan(out))
    if bad.size:
        raise WeightingError(f"calibrate: {what} is blank in row {data.index[bad[0]]} ({bad.size} row(s))")
    return out


def _g_bounds(calfun: str, bounds, bounds_const: bool, data: pd.DataFrame, d: np.ndarray):
    """The bounds (L, U) on g of `calibrate`: `calibration_bounds` for two numbers; per row (numbers, column names
    or arrays, divided by the start weights d with `bounds_const`, R `bounds.const`) otherwise, checked
    L_i <= U_i and, for 'logit', finite L_i < 1 < U_i."""
    if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__") or len(bounds) != 2:
        raise WeightingError(f"calibrate: bounds={bounds!r}; give (lower, upper)")
    scalars = all(isinstance(b, (int, float, np.integer, np.floating)) for b in bounds)
    if scalars and not bounds_const:
        return calibration_bounds(calfun, bounds)
    _check_calfun(calfun)
    lower, upper = (_bound(b, side, data) for b, side in zip(bounds, ("lower", "upper")))
    if bounds_const:
        lower, upper = lower / d, upper / d
    if calfun == "logit":
        bad = np.flatnonzero(~(np.isfinite(lower) & np.isfinite(upper) & (lower < 1) & (upper > 1)))
    else:
        bad = np.flatnonzero(~(lower <= upper))
    if bad.size:
        i = bad[0]
        need = "finite lower < 1 < upper (calfun='logit')" if calfun == "logit" else "lower <= upper"
        raise WeightingError(f"calibrate: bounds on g in row {data.index[i]} are [{lower[i]:.6g}, {upper[i]:.6g}] "
                             f"({bad.size} row(s)); {need} is needed")
    return lower, upper


def _bound(value, side: str, data: pd.DataFrame) -> np.ndarray:
    """One side of per-row bounds: a number (the same in every row), a column name or one number per row (+-inf
    allowed, blanks not)."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return np.full(len(data), float(value))
    if isinstance(value, str):
        if value not in data.columns:
            raise WeightingError(f"calibrate: bounds ({side}) names column '{value}', which is not in the data")
        value = pd.to_numeric(data[value], errors="coerce")
    return _per_row(value, f"bounds ({side})", data)


def aggregation_cells(design, aggregate) -> np.ndarray:
    """Cluster code of each row for `calibrate(aggregate=)`: stage k (1 or 2) of the design -- its strata, PSU and,
    for 2, SSU columns crossed -- or the cross of the named column(s)."""
    if isinstance(aggregate, (int, np.integer)) and not isinstance(aggregate, bool):
        spec = getattr(design, "spec", {})
        stage = {1: ["psu"], 2: ["psu", "ssu"]}.get(int(aggregate))
        if stage is None or any(spec.get(role) is None for role in stage):
            raise WeightingError(f"calibrate: aggregate={aggregate}, but the design has no stage-{aggregate} "
                                 "clusters; give the cluster column(s) instead")
        strata = spec.get("strata")
        columns = ([strata] if isinstance(strata, str) else list(strata or [])) + [spec[role] for role in stage]
    else:
        columns = [aggregate] if isinstance(aggregate, str) else list(aggregate)
    check_columns(design.data, columns, "calibrate: aggregate")
    return design.data.groupby(columns, sort=False).ngroup().to_numpy()


def cluster_means(cells: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Unweighted mean of `values` (n or n x p) within the clusters `cells`, on every row (R `ave`)."""
    counts = np.bincount(cells)
    if values.ndim == 1:
        return (np.bincount(cells, weights=values) / counts)[cells]
    return (_cell_sums(cells, values, len(counts)) / counts[:, None])[cells]


def calibration_bounds(calfun: str, bounds: tuple[float, float]) -> tuple[float, float]:
    """The bounds (L, U) on g of a calibration function, checked: L <= 1 <= U; 'logit' needs finite L < 1 < U."""
    _check_calfun(calfun)
    lower, upper = float(bounds[0]), float(bounds[1])
    if not lower <= 1 <= upper or lower == upper:
        raise WeightingError(f"calibrate: bounds={bounds} must satisfy lower <= 1 <= upper (they bound g = new/old weight)")
    if calfun == "logit" and not (np.isfinite(lower) and np.isfinite(upper) and lower < 1 < upper):
        raise WeightingError(f"calibrate: calfun='logit' needs finite bounds with lower < 1 < upper, got {bounds}")
    return lower, upper


def _check_calfun(calfun: str) -> None:
    if calfun not in _CALFUNS:
        raise WeightingError(f"calibrate: calfun={calfun!r}; allowed: {list(_CALFUNS)}")


def _calibration_adjuster(mm: np.ndarray, d: np.ndarray, g: np.ndarray, c: np.ndarray | None) -> Adjustment:
    """Residuals from the weighted calibration model (R `regcalibrate` stores qr(mm * sqrt(d / c)) and svyrecvar uses
    ``qr.resid(qr, x / w) * w`` with w = g sqrt(d c); c = 1 when None)."""
    c = np.ones(len(d)) if c is None else c
    half = np.sqrt(d / c)
    q, r, _ = linalg.qr(mm * half[:, None], mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    q = q[:, : int(np.sum(diag > diag.max() * 1e-7))]
    wcal = g * np.sqrt(d * c)

    def adjust(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float).reshape(len(wcal), -1)
        z = x / wcal[:, None]
        return (z - q @ (q.T @ z)) * wcal[:, None]

    return adjust


@dataclass(frozen=True)
class CalibrationFit:
    """The g-weights of a calibration, g_i = scale (1 + F(x_i' eta / c_i)) with F(u) = g(u) - 1 of the calibration
    function (`calibrate`'s calfun and bounds; c_i the working-model variance, 1 by default; scale is R `grake`'s
    rescaling of weights far below the totals, else 1): the coefficients `eta` give g of any row from its
    calibration variables (out of core: one per cell)."""

    g: np.ndarray
    eta: np.ndarray
    scale: float


def closed_form(calfun: str, lower, upper) -> bool:
    """Whether the calibration is unbounded linear (GREG), solved in closed form (R `regcalibrate`)."""
    return calfun == "linear" and bool(np.all(np.isinf(lower)) and np.all(np.isinf(upper)))


def calibration_g(mm, d, pop, names, margins, population_size, calfun, lower, upper, bounds, maxit, epsilon,
                  force, variance: np.ndarray | None = None) -> CalibrationFit:
    """The g-weights that calibrate the start weights `d` to `pop` (closed form for unbounded linear).

    `mm` (rows x p) from `model_matrix`; the rows may be respondents or the cells of the calibration variables
    with `d` summed over their respondents (the Newton steps only use sums of d F(x' eta) x over the rows).
    `variance`: the working-model variances c_i (None: 1); the unbounded linear g is then
    g_i = 1 + x_i' (sum_j d_j x_j x_j' / c_j)^-1 (t_x - sum_j d_j x_j) / c_i, the minimiser of
    sum_i (w_i - d_i)^2 c_i / d_i subject to sum_i w_i x_i = t_x (Deville & Sarndal 1992; R `regcalibrate`'s
    lambda = `calibrate`'s variance). `lower`, `upper`: bounds on g, numbers or one per row."""
    c = np.ones(len(d)) if variance is None else variance
    if closed_form(calfun, lower, upper):
        sample_total = mm.T @ d
        tmat = (mm * (d / c)[:, None]).T @ mm
        eta = np.linalg.pinv(tmat, rtol=256 * np.finfo(float).eps) @ (pop - sample_total)
        fit = CalibrationFit(1.0 + mm @ eta / c, eta, 1.0)
        achieved = float(np.max(np.abs(pop - mm.T @ (d * fit.g)) / (1 + np.abs(pop))))
        if not np.all(np.isfinite(fit.g)) or (not achieved <= max(epsilon, 1e-9) and not force):
            raise WeightingError(f"calibrate: the totals {names} cannot all be met (misfit {achieved:.3g}); "
                                 "check for contradictory totals")
    else:
        size = margins[0].total if margins else population_size
        fit, achieved, it = _grake(mm, d, calfun, lower, upper, pop, epsilon, maxit, size, c)
        if not np.all(np.isfinite(fit.g)) or (not achieved < epsilon and not force):
            raise WeightingError(
                f"calibrate ({calfun}, bounds={bounds}) did not converge: relative misfit {achieved:.3g} after {it} "
                f"iteration(s); widen the bounds, raise maxit, use fewer margins, or force=True to keep the last g"
            + _ratio_hint(size, d.sum(), lower, upper))
    return fit


def _ratio_hint(size: float | None, sample_size: float, lower, upper) -> str:
    if size is None or np.ndim(lower) or np.ndim(upper) or lower <= size / sample_size <= upper:
        return ""
    ratio = size / sample_size
    return (f" (the population total is {ratio:.3g} x the weighted sample total, outside the bounds: rescale the "
            "weights or the margins, e.g. riset.survey.margins.scale_margin, first)")


def trim_weights(design, *, lower: float = -np.inf, upper: float = np.inf, strict: bool = False):
    """Trim weights to [lower, upper] and share the trimmed amount equally among the untrimmed.

    w_i* = clip(w_i, lower, upper) + (sum_j (w_j - clip(w_j))) / #{untrimmed} for untrimmed i (R
    `trimWeights`; Potter 1990), keeping the weight total. The redistribution may push weights past a
    limit again; `strict=True` repeats until none is outside. The variance adjustments of an
    earlier calibration are kept as they were (as in R).

    Example: ``trim_weights(d_cal, lower=20, upper=45)``.
    """
    lower = number_argument(lower, "trim_weights: lower", WeightingError)
    upper = number_argument(upper, "trim_weights: upper", WeightingError)
    if not lower < upper:
        raise WeightingError(f"trim_weights: lower={lower} must be below upper={upper}")
    w = np.asarray(design.weights, dtype=float)
    changed = False
    while True:
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        if outside.all():
            raise WeightingError(f"trim_weights: all {w.size} weights lie outside [{lower}, {upper}]; nothing left "
                                 "to redistribute to — widen the limits")
        clipped = np.clip(w, lower, upper)
        clipped[~outside] += (w - clipped).sum() / (~outside).sum()
        w, changed = clipped, True
        if not strict:
            break
    return design.with_weights(w) if changed else design


#: Methods of `weight_to_population` (codes); `method_name` gives their names for people.
METHODS: tuple[str, ...] = ("poststratify", "rake", "linear", "raking", "logit")


def method_name(method: str, lang: str | None = None) -> str:
    """Name of a weighting method for people (catalog entry ``weighting_method_<method>``).

    >>> method_name("linear"), method_name("poststratify", "en")
    ('Kalibrasi linear (GREG)', 'Post-stratification')
    """
    return label(f"weighting_method_{method}", lang)


@dataclass(frozen=True)
class WeightingRun:
    """One weighting recipe applied: the new `design`, the `margins` used (after scaling/collapsing),
    `diagnostics` (before/after, `riset.survey.diagnostics`) and `notes` (`riset.i18n.Note` codes with their
    values: every scaling, collapse, dropped cell and trimming done; ``str(note)`` or ``note.text(lang)`` for
    people)."""

    design: object
    margins: list[Margin]
    diagnostics: WeightDiagnostics
    notes: list[Note]

    def to_frame(self) -> pd.DataFrame:
        """The weight distribution before and after (`diagnostics.to_frame()`)."""
        return self.diagnostics.to_frame()

    def summary(self, lang: str | None = None) -> str:
        """What the weighting did to the weights, then every step it took (its notes), in `lang`."""
        return "\n".join([self.diagnostics.summary(lang), *(note.text(lang) for note in self.notes)])

    def __repr__(self) -> str:
        return self.summary()

    def weights_frame(self, id_column: str | None = None, name: str = "bobot_akhir") -> pd.DataFrame:
        """Design and final weight per respondent (with `id_column` if given), ready to write to CSV."""
        data = self.design.data
        out = self.diagnostics.weights[["bobot_desain", "bobot_akhir"]].rename(columns={"bobot_akhir": name})
        if id_column is not None:
            out.insert(0, id_column, data.loc[out.index, id_column].to_numpy())
        return out


def weight_to_population(design, population: pd.DataFrame, margins: Sequence[str | Sequence[str]], *,
                         method: str = "rake", bounds: tuple[float, float] | None = None,
                         trim_ratio: float | None = None, strict: bool = False, scale: bool | str = True,
                         keep_totals: Sequence[str] | None = None, collapse_min_n: int | None = None,
                         count: str = "jumlah", by: str | None = None, maxit: int | None = None) -> WeightingRun:
    """Weight a design to a population table in one call (the study, the weighting widget and notebook 02).

    Steps:

    1. margins from `population` (one per entry of `margins`, a column or a list of columns for a cross;
       `riset.survey.margins.margin_from_table`), with `scale`:
       - True: each margin rescaled to the design-weighted total, N_c' = N_c * sum_i d_i / N (match the
         *composition* of the population, keep the estimated number of service users);
       - a column name, e.g. "kecamatan": the population is rescaled *within* each category k of that
         column to the design-weighted total of k, N_c' = N_c * (sum_{i in k} d_i) / N_k (the composition
         of the residents of each kecamatan, the number of visits of each kecamatan as the design says;
         categories of the table without respondents are left out, with a note);
       - False: the counts as they are;
    2. with `keep_totals` (columns of the data, e.g. ["unit", "periode"]) one more margin: the
       design-weighted totals sum_{i in c} d_i of their cross, so those totals (and the estimates of
       totals per unit x periode) stay as the design gives them;
    3. with `collapse_min_n`, crossed population margins collapse cells with fewer respondents along their
       last variable (reported);
    4. `method` — 'poststratify' (one margin), 'rake' (IPF), or calibration 'linear' / 'raking' / 'logit'
       with `bounds` on g (Deville & Sarndal 1992; 'raking' is R survey's ``calfun = "raking"``,
       g_i = exp(x_i' lambda), which reaches the same weights as IPF);
    5. with `trim_ratio` = k, `trim_weights` to [mean/k, k * mean] of the weights (Potter 1990).

    A study's own choice comes from its study file (`riset.study.run.weighting_recipe`). Example::

        weight_to_population(d, bps, ["kecamatan", ["jenis_kelamin", "kelompok_umur"]], method="rake")

    Hand check: kecamatan A has 10 visits by design weight and residents L 30 / P 70, so its margin
    cells are L 3 / P 7; with keep_totals=["unit"], unit X keeps its design-weighted visits.
    """
    built, notes = population_margins(design.data, design.weights, population, margins, method=method, scale=scale,
                                      keep_totals=keep_totals, collapse_min_n=collapse_min_n, count=count)
    limits = {} if maxit is None else {"maxit": maxit}
    if method == "poststratify":
        new = poststratify(design, built[0])
    elif method == "rake":
        new = rake(design, built, **limits)
    else:
        new = calibrate(design, built, calfun=method, bounds=bounds or (-np.inf, np.inf), **limits)
    used = check_margins(built, design.data)
    notes += [note for m in used for note in m.notes]
    if trim_ratio is not None:
        if trim_ratio <= 1:
            raise WeightingError(f"trim_ratio must be > 1 (weights kept within [mean/k, k x mean]), got {trim_ratio}")
        mean = float(np.mean(new.weights[new.weights != 0]))
        lower, upper = mean / trim_ratio, mean * trim_ratio
        trimmed = trim_weights(new, lower=lower, upper=upper, strict=strict)
        n_out = int(np.sum((new.weights != 0) & ((new.weights < lower) | (new.weights > upper))))
        notes.append(Note("weighting_trimmed_off" if n_out else "weighting_trimmed",
                          {"lower": float(lower), "upper": float(upper), "k": float(trim_ratio), "n": n_out}))
        new = trimmed
    return WeightingRun(design=new, margins=used, notes=notes,
                        diagnostics=weight_diagnostics(design, new, used, by=by))


_VISITS = "_bobot_desain_total"


def population_margins(data: pd.DataFrame, weights, population: pd.DataFrame, margins: Sequence[str | Sequence[str]],
                       *, method: str = "rake", scale: bool | str = True, keep_totals: Sequence[str] | None = None,
                       collapse_min_n: int | None = None, count: str = "jumlah",
                       respondents=None) -> tuple[list[Margin], list[Note]]:
    """Steps 1-3 of `weight_to_population`: the margins from the population table (scaled, collapsed) and the kept
    design-weighted totals, with the notes that say what was done. `data` and `weights` (start weights d) are the
    respondents, or the cells of the variables involved with d summed over their respondents and `respondents`
    counting them (out of core, `riset.survey.outofcore_weighting.weight_to_population`): only sums of d and
    respondent counts per category are read."""
    if method not in METHODS:
        raise WeightingError(f"method={method!r}; allowed: {list(METHODS)}")
    if not margins:
        raise WeightingError("choose at least one margin (a column of the population table, or a list of columns)")
    keep = [keep_totals] if isinstance(keep_totals, str) else list(keep_totals or [])
    if method == "poststratify" and len(margins) + bool(keep) != 1:
        raise WeightingError(f"poststratify takes one margin, got {len(margins) + bool(keep)} (keep_totals counts "
                             "as one); choose a crossed margin (e.g. jenis_kelamin x kelompok_umur) or use rake / "
                             "calibration for several margins")
    notes = []
    weights = np.asarray(weights, dtype=float)
    total = float(np.sum(weights))
    table = population
    if isinstance(scale, str):
        table = _scale_within(data, weights, population, scale, count, notes)
    elif scale:
        notes.append(Note("weighting_scaled", {"total": int(round(total))}))
    built = []
    for spec in margins:
        m = margin_from_table(table, [spec] if isinstance(spec, str) else list(spec), count)
        if scale is True:
            m = scale_margin(m, total)
        if collapse_min_n and len(m.variables) > 1:
            m = collapse_margin(m, data, along=m.variables[-1], min_n=collapse_min_n, respondents=respondents)
        built.append(m)
    if keep:
        check_columns(data, keep, "keep_totals")
        built.append(margin_from_table(data[keep].assign(**{_VISITS: weights}), keep, _VISITS))
        notes.append(Note("weighting_keep_totals", {"cells": tuple(keep)}))
    return built, notes


def _scale_within(data: pd.DataFrame, weights: np.ndarray, population: pd.DataFrame, within: str, count: str,
                  notes: list[Note]) -> pd.DataFrame:
    """The population table with `count` rescaled within each category k of `within`:
    N_c' = N_c * (sum_{i in k} d_i) / N_k; categories without respondents are left out (noted)."""
    residents = margin_from_table(population, within, count).to_series()  # checks the column and the counts
    check_columns(data, [within], "scale")
    visits = pd.Series(weights).groupby(data[within].astype(str).to_numpy(), sort=False).sum()
    absent = [k for k in visits.index if k not in residents.index]
    if absent:
        raise WeightingError(f"scale='{within}': the population table has no rows for {within} "
                             f"{', '.join(map(repr, absent))} (present in the sample); add them to the table")
    empty = [k for k in visits.index if residents[k] <= 0 < visits[k]]
    if empty:
        raise WeightingError(f"scale='{within}': {within} {', '.join(map(repr, empty))} has 0 residents in the "
                             "population table but respondents in the sample")
    key = population[within].astype(str)
    unused = sorted(set(residents.index) - set(visits.index))
    if unused:
        notes.append(Note("weighting_unused_categories", {"column": within, "categories": ", ".join(unused),
                                                          "rows": int(key.isin(unused).sum())}))
    part = population[key.isin(visits.index)]
    factor = key[part.index].map(visits / residents[visits.index])
    notes.append(Note("weighting_scaled_within", {"column": within}))
    return part.assign(**{count: pd.to_numeric(part[count]) * factor})
