"""Calibrated weights out of core: post-stratification, raking and calibration of a source's weights in its engine.

A national SKM weighted to BPS margins need not leave DuckDB, Polars or Spark (`riset.survey.outofcore`). Every
weighting of `riset.survey.weighting` gives a respondent in cell c_M of each margin M a weight w_i = d_i g(c_1, ...,
c_K): g depends on the row only through the cells of the margin variables. So one GROUP BY of the margin variables
-- the *joint table*: per cell j of their cross present in the data, D_j = sum d_i, the rows n_j, sum d_i^2 and the
weights' range -- holds everything the weighting needs, and numpy runs the in-memory algorithm on it:

- `poststratify`: g = N_c / D_c (Holt & Smith 1979; R `postStratify`);
- `rake`: iterative proportional fitting, each sweep multiplying cell c of each margin in turn by
  N_c / sum_{i in c} w_i, to R `rake`'s convergence rule (`riset.survey.weighting.rake_fit`, the same function the
  in-memory `rake` runs on the rows): the margins' cell totals of every sweep are sums over the joint table;
- `calibrate`: g = F(x' eta) for the linear (GREG), raking and logit distances with bounds (Deville & Sarndal 1992;
  R `calibrate` / `grake`), Newton steps on sums over the joint table (`riset.survey.weighting.calibration_g`);
- `weight_to_population`: a study's recipe (margins scaled within a category, design-weighted totals kept), the
  margins built by `riset.survey.weighting.population_margins` from the joint table, then one of the above.

The result, `CalibratedWeights`, keeps per margin a small table (its cells' factors, or its coefficients of
x' eta) and puts the weight into every query as an Ibis expression: a CASE over the margin variables gives each
row its cells, and w = d prod_M f_M[c_M] (post-stratification, raking) or w = d scale F(sum_M eta_M[c_M])
(calibration). Give it as `weights=` to the estimators of `riset.survey.outofcore` (and
`riset.skm.ikm_design.ikm_outofcore`); their SEs then carry the calibration as R does (`svyrecvar` with the
design's `postStrata`): the variance of theta_d is that of the total of the residual scores

    e_i = w_i u_i - sum_M v_iM b_M[c_M(i)]

- GREG residual (post-stratification, calibration; R `qr.resid(qr(X sqrt(d)), x / w) * w`): v_M = w and
  sum_M b_M[c_M(i)] = x_i' B, B = (X'DX)^+ X'D u, X the cell indicators (model matrix of `calibrate`), D the start
  weights: X'DX from the joint table, X'Du from a GROUP BY (domain, margin variables) of the statistics' d-weighted
  sums times the domain's Jacobian (Sarndal, Swensson & Wretman 1992, result 6.6.1);
- raking residual (R 3.6-3+: ``x <- x - psw * ave(x / psw, margin)`` over the margins of the last sweep, 10 times):
  v_M = the weights right after margin M's step of the last sweep, b_M from the same 10 sweeps on cell vectors
  (`riset.survey.weighting.raking_coefficients`), their cross tables from the joint table and their bases from a
  GROUP BY (domain, margin variables) of the statistics' unweighted sums.

One stage: e's PSU totals are the PSU's score sums minus sum_M V_M[psu] . b_M, V_M a GROUP BY (strata, PSU, cell
of M) of v_M; a second stage: e row by row in the engine, one column per domain x statistic, for the SSUs' sums of
squares (`riset.survey.outofcore._residual_variance`). The variance is that of a total of e over the whole design
(a domain keeps the full design, as R `svyby`). Equal to `riset.survey.weighting` + `riset.survey.estimate` on the
same rows to 1e-10 (tests/survey/test_outofcore_weighting.py, tests/skm/test_ikm_outofcore.py), which equal R.

Example
-------
>>> import polars as pl
>>> from riset.survey import outofcore as scale
>>> lf = pl.LazyFrame({"psu": [1, 2, 3, 4], "jk": ["L", "P", "P", "P"], "y": [1.0, 2.0, 3.0, 4.0]})
>>> ps = poststratify(scale.source(lf), pd.Series({"L": 50.0, "P": 50.0}).rename_axis("jk"))
>>> float(scale.total(scale.source(lf), "y", psu="psu", weights=ps)["estimate"].iloc[0])   # 50 x 1 + 50 x 3
200.0
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from typing import ClassVar, Sequence

import numpy as np
import pandas as pd
from scipy import linalg

from riset.errors import WeightingError, show_value
from riset.i18n import Note, check_language, fmt_num, say
from riset.survey.margins import Margin, as_margin, check_margin, check_margins
from riset.survey.outofcore import Source, evaluate, lookup, python_value
from riset.survey.weighting import (calibration_bounds, calibration_g, method_name, model_matrix, population_margins,
                                    rake_fit, raking_coefficients, raking_cross)

__all__ = ["CalibratedWeights", "calibrate", "poststratify", "rake", "weight_to_population"]

_CELL = "__riset_cell{}"  # the cell of margin M of each row
_CARRIER = "__riset_v{}"  # the raking residual's carrier v_M (weights after margin M's step)


@dataclass(frozen=True, repr=False)
class CalibratedWeights:
    """Weights calibrated out of core (`poststratify`, `rake`, `calibrate`): what they hold is small -- the
    `margins` (checked), the `joint` table of the margin variables (one row per cell present: their values, `__d` =
    sum of start weights, `__n` rows, `__d2`, `__dmin`, `__dmax`), each joint row's cell of every margin (`cells`)
    and its g = w / d (`g`), and per margin the cell `terms`: factors f_M (post-stratification, raking: g =
    prod_M f_M[c_M]; `previous`: raking's factors before its last sweep) or coefficients eta_M (calibration: g =
    scale F(sum_M eta_M[c_M]) with the distance `calfun` and `bounds`).

    `weighted(table)` adds the weight to an Ibis table of the source; as `weights=` of `riset.survey.outofcore`'s
    estimators the weight and the calibration-aware SEs are computed in the source's engine.
    """

    method: str
    start: str | None
    margins: tuple[Margin, ...]
    joint: pd.DataFrame
    cells: tuple[np.ndarray, ...]
    g: np.ndarray
    terms: tuple[np.ndarray, ...]
    previous: tuple[np.ndarray, ...] | None = None
    calfun: str | None = None
    bounds: tuple[float, float] = (-np.inf, np.inf)
    scale: float = 1.0
    notes: tuple[Note, ...] = ()
    _attached: dict = field(default_factory=dict, init=False, compare=False)
    #: the column `attach` adds: the calibrated weight
    column: ClassVar[str] = "__riset_w"

    @property
    def variables(self) -> list[str]:
        """The margin variables (the columns of the joint table)."""
        return list(dict.fromkeys(v for m in self.margins for v in m.variables))

    @property
    def model_weights(self) -> str | None:
        """The weights of the sums the residual model needs: the start weights (GREG), none (raking: unweighted)."""
        return None if self.method == "rake" else self.start

    # ------------------------------------------------------------------ the weight as an Ibis expression
    def weighted(self, table, name: str = "bobot_akhir"):
        """The Ibis table `table` (of the source the weights were calibrated on) with the calibrated weight as column
        `name`: ``w.weighted(ibis_table).select("id", "bobot_akhir").to_parquet(...)`` writes them out of core."""
        return self.attach(table).rename({name: self.column}).drop(
            *[c for c in self._helper_columns() if c != self.column])

    def attach(self, t):
        """`t` with the columns every query of a calibrated estimate reads: each margin's cell (a CASE over its
        variables), the weight `column` = d g, and for raking the carriers v_M. Built once per table (an estimate
        runs several queries on the same table)."""
        key = t.op()
        if key not in self._attached:
            self._attached.clear()
            self._attached[key] = self._attach(t)
        return self._attached[key]

    def _attach(self, t):
        t = t.mutate(**{self.cell(m): self._cell_code(t, m) for m in range(len(self.margins))})
        start = t[self.start].cast("float64") if self.start else 1.0
        columns = {self.column: start * self._g(t, self.terms)}
        if self.previous is not None:
            for m in range(len(self.margins)):
                step = [self.terms[k] if k <= m else self.previous[k] for k in range(len(self.margins))]
                columns[_CARRIER.format(m)] = start * self._g(t, step)
        return t.mutate(**columns)

    def cell(self, m: int) -> str:
        """The column `attach` adds with each row's cell of margin m."""
        return _CELL.format(m)

    def carrier(self, m: int) -> str:
        """The column carrying margin m's residual term: the weight (GREG) or the weights after its raking step."""
        return _CARRIER.format(m) if self.previous is not None else self.column

    def _helper_columns(self) -> list[str]:
        carriers = [_CARRIER.format(m) for m in range(len(self.margins))] if self.previous is not None else []
        return [*(self.cell(m) for m in range(len(self.margins))), self.column, *carriers]

    def _cell_code(self, t, m: int):
        """The cell of margin m of each row: a CASE over the values of its variables present in the data."""
        import ibis

        variables = list(self.margins[m].variables)
        pairs = self.joint[variables].assign(__cell=self.cells[m]).drop_duplicates(variables)
        branches = []
        for row in pairs.itertuples(index=False):
            values = [python_value(v) for v in row[:-1]]
            branches.append((functools.reduce(operator.and_, [t[v] == x for v, x in zip(variables, values)]),
                             int(row[-1])))
        return ibis.cases(*branches, else_=ibis.null("int64"))

    def _g(self, t, terms: Sequence[np.ndarray]):
        """g of each row from its cells: prod_M f_M[c_M] or scale F(sum_M eta_M[c_M])."""
        looked = [lookup(t[self.cell(m)], terms[m]) for m in range(len(self.margins))]
        if self.calfun is None:
            return functools.reduce(operator.mul, looked)
        return self.scale * _calibration_function(self.calfun, functools.reduce(operator.add, looked), *self.bounds)

    # ------------------------------------------------------------------ the calibration-aware variance
    def residual_coefficients(self, rows: pd.DataFrame, domain: np.ndarray, scores: np.ndarray,
                              n_dom: int) -> list[np.ndarray]:
        """b_M (cells_M x domains x k) of the residual scores e_i = w_i u_i - sum_M v_iM b_M[c_M(i)] (module docstring).

        `rows`: an aggregate by (domain, margin variables) of the statistics' sums with `model_weights`; `scores`
        (rows x k): J_d times those sums, zero outside the domains (`domain` = -1)."""
        k = scores.shape[1]
        row_cells = [m.cell_index(rows) for m in self.margins]
        if self.previous is not None:
            ratio = self._steps(row_cells)
            base = [_cell_sums(c, len(m.counts), domain, (scores * (self._g_rows(row_cells) / r)[:, None]), n_dom)
                    for m, c, r in zip(self.margins, row_cells, ratio)]
            passes = [(c, len(m.counts), g_m) for m, c, g_m in zip(self.margins, self.cells, self._steps(self.cells))]
            b = raking_coefficients(base, *raking_cross(passes, self.joint["__n"].to_numpy(dtype=float)))
        else:
            rhs = [_cell_sums(c, len(m.counts), domain, scores, n_dom) for m, c in zip(self.margins, row_cells)]
            b = self._greg_coefficients(rhs)
        return [bm.reshape(len(m.counts), n_dom, k) for m, bm in zip(self.margins, b)]

    def _g_rows(self, cells: Sequence[np.ndarray]) -> np.ndarray:
        """g of rows in `cells` (one array per margin) for factor forms: prod_M f_M[c_M]."""
        return functools.reduce(operator.mul, [f[c] for f, c in zip(self.terms, cells)])

    def _steps(self, cells: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Raking: g right after each margin's step of the last sweep, for rows in `cells`."""
        k = len(self.margins)
        return [functools.reduce(operator.mul, [(self.terms[j] if j <= m else self.previous[j])[cells[j]]
                                                for j in range(k)]) for m in range(k)]

    def _greg_coefficients(self, rhs: list[np.ndarray]) -> list[np.ndarray]:
        """B = (X'DX)^+ X'D u per margin's cells (the first margin keeps all cells, later ones drop their first, as
        `riset.survey.weighting.model_matrix`): X'DX is A'A with A = X_j sqrt(D_j) over the joint cells, solved by the
        pivoted QR of A with R `qr`'s rank rule (|r_jj| > 1e-7 max |r_jj|), the projection `calibrate` uses."""
        mm, _, _ = model_matrix(self.joint, list(self.margins), {}, None, 1.0)
        a = mm * np.sqrt(self.joint["__d"].to_numpy(dtype=float))[:, None]
        _, r, piv = linalg.qr(a, mode="economic", pivoting=True)
        diag = np.abs(np.diag(r))
        rank = int(np.sum(diag > diag.max() * 1e-7))
        firsts = [0] + [1] * (len(rhs) - 1)
        stacked = np.vstack([x[first:] for x, first in zip(rhs, firsts)])
        top = r[:rank, :rank]
        beta = np.zeros_like(stacked)
        beta[piv[:rank]] = linalg.solve_triangular(top, linalg.solve_triangular(top, stacked[piv[:rank]], trans="T"))
        out, at = [], 0
        for x, first in zip(rhs, firsts):
            size = x.shape[0] - first
            out.append(np.vstack([np.zeros((first, x.shape[1])), beta[at:at + size]]))
            at += size
        return out

    def correction(self, t, b: list[np.ndarray], d: int, j: int):
        """sum_M v_M b_M,dj[c_M] as an Ibis expression on a table with `attach`'s columns."""
        import ibis

        terms = [t[self.carrier(m)] * lookup(t[self.cell(m)], bm[:, d, j]) for m, bm in enumerate(b)
                 if np.any(bm[:, d, j] != 0)]
        return functools.reduce(operator.add, terms) if terms else ibis.literal(0.0)

    # ------------------------------------------------------------------ what a person reads
    def to_frame(self) -> pd.DataFrame:
        """Per margin cell: margin, kategori, populasi (N_c), n (respondents), the start and the calibrated weights'
        totals (bobot_desain, bobot_akhir) and their gap from N_c in percent."""
        d = self.joint["__d"].to_numpy(dtype=float)
        n = self.joint["__n"].to_numpy(dtype=float)
        frames = []
        for margin, c in zip(self.margins, self.cells):
            size = len(margin.counts)
            after = np.bincount(c, weights=d * self.g, minlength=size)
            frames.append(pd.DataFrame({
                "margin": margin.name, "kategori": [" / ".join(lab) for lab in margin.labels],
                "populasi": margin.counts, "n": np.bincount(c, weights=n, minlength=size).astype(np.int64),
                "bobot_desain": np.bincount(c, weights=d, minlength=size), "bobot_akhir": after,
                "selisih_persen": 100 * (after - margin.counts) / margin.counts}))
        return pd.concat(frames, ignore_index=True)

    def summary(self, lang: str | None = None) -> str:
        """The method and margins, the Kish deff and effective n before and after, the largest weight over the
        smallest and the largest margin gap -- all from the joint table."""
        lang = check_language(lang)
        d, d2, n = (self.joint[c].to_numpy(dtype=float) for c in ("__d", "__d2", "__n"))
        rows = n.sum()
        deff = [rows * s2 / s**2 for s, s2 in ((d.sum(), d2.sum()), ((self.g * d).sum(), (self.g**2 * d2).sum()))]
        ends = np.r_[self.g * self.joint["__dmin"].to_numpy(dtype=float), self.g * self.joint["__dmax"].to_numpy(dtype=float)]
        text = [say("weighting_outofcore", lang, method=method_name(self.method, lang),
                    margins=", ".join(m.name for m in self.margins), cells=fmt_num(len(self.joint), 0, lang)),
                say("weights_spread", lang, n=fmt_num(rows, 0, lang), deff_before=fmt_num(deff[0], 2, lang),
                    deff_after=fmt_num(deff[1], 2, lang), neff_before=fmt_num(rows / deff[0], 0, lang),
                    neff_after=fmt_num(rows / deff[1], 0, lang), ratio=fmt_num(ends.max() / ends.min(), 1, lang)),
                say("weights_margin_gap", lang, gap=fmt_num(self.to_frame()["selisih_persen"].abs().max(), 2, lang))]
        return "\n".join([" ".join(text), *(note.text(lang) for note in self.notes)])

    def __repr__(self) -> str:
        return self.summary()


def _calibration_function(calfun: str, u, lower: float, upper: float):
    """g = 1 + F(u) of the calibration distances of `riset.survey.weighting.calibrate` (R `cal.linear`,
    `cal.raking`, `cal.logit`) as an Ibis expression: clip(1 + u, L, U), clip(e^u, L, U), and the logit
    g = [L(U - 1) + U(1 - L) e^{Au}] / [U - 1 + (1 - L) e^{Au}], A = (U - L) / ((U - 1)(1 - L)), written with
    e^{-|Au|} as there."""
    import ibis

    if calfun == "logit":
        a = (upper - lower) / ((upper - 1) * (1 - lower))
        c1, c2, c3, c4 = lower * (upper - 1), upper * (1 - lower), upper - 1, 1 - lower
        t = a * u
        e = (-t.abs()).exp()
        return ibis.ifelse(t > 0, (c1 * e + c2) / (c3 * e + c4), (c1 + c2 * e) / (c3 + c4 * e))
    g = u + 1.0 if calfun == "linear" else u.exp()
    if np.isinf(lower) and np.isinf(upper):
        return g
    return g.clip(lower=lower if np.isfinite(lower) else None, upper=upper if np.isfinite(upper) else None)


def _cell_sums(cell: np.ndarray, n_cells: int, domain: np.ndarray, values: np.ndarray, n_dom: int) -> np.ndarray:
    """cells x (domains * k) sums of `values` (rows x k) over the rows of each cell and domain (domain -1: none)."""
    inside = domain >= 0
    key = cell[inside] * n_dom + domain[inside]
    k = values.shape[1]
    sums = np.stack([np.bincount(key, weights=values[inside, j], minlength=n_cells * n_dom) for j in range(k)], axis=1)
    return sums.reshape(n_cells, n_dom * k)


def _joint_table(src: Source, variables: list[str], weights: str | None) -> pd.DataFrame:
    """One GROUP BY of the margin variables in the engine: per cell of their cross present, the start weights' sum,
    sum of squares, range and blanks and the rows; margin variables and weights checked (names in the messages)."""
    import ibis

    absent = [c for c in [*variables, weights] if c is not None and c not in src.columns]
    if absent:
        raise WeightingError(f"column(s) {', '.join(map(repr, absent))} not found in the source; the margins name the "
                             "source's columns and `weights` its start (design) weight column")

    def build(t):
        if not weights:  # a weight of 1 each
            n = t.count().cast("float64")
            return t.group_by(variables).aggregate(__d=n, __d2=n, __dmin=ibis.literal(1.0), __dmax=ibis.literal(1.0),
                                                   __n=t.count(), __dnull=ibis.literal(0))
        d = t[weights].cast("float64")
        return t.group_by(variables).aggregate(__d=d.sum(), __d2=(d * d).sum(), __dmin=d.min(), __dmax=d.max(),
                                               __n=t.count(), __dnull=t[weights].isnull().cast("int64").sum())

    joint = evaluate(src, build)
    for var in variables:
        blank = joint[var].isna().to_numpy()
        if blank.any():
            raise WeightingError(f"margin variable '{var}' is blank in {int(joint.loc[blank, '__n'].sum())} row(s) of "
                                 "the source; fill or recode them before weighting")
    if weights and joint["__dnull"].sum() > 0:
        raise WeightingError(f"weight column '{weights}' is blank in {int(joint['__dnull'].sum())} row(s); every "
                             "respondent needs a start weight")
    if weights and (joint["__dmin"] <= 0).any():
        bad = joint.loc[joint["__dmin"] <= 0].iloc[0]
        where = ", ".join(f"{v}={show_value(bad[v])}" for v in variables)
        raise WeightingError(f"weight column '{weights}' has value {bad['__dmin']:g} (at {where}); start weights must be "
                             "> 0 -- weight the full sample, then estimate domains with `by`")
    return joint.sort_values(variables, kind="stable").reset_index(drop=True)


def _margins(margins) -> list[Margin]:
    return [as_margin(m) for m in ([margins] if isinstance(margins, (Margin, pd.Series)) else margins)]


def _variables(margins: Sequence[Margin]) -> list[str]:
    return list(dict.fromkeys(v for m in margins for v in m.variables))


def poststratify(src: Source, margin: Margin | pd.Series, *, weights: str | None = None,
                 partial: bool = False) -> CalibratedWeights:
    """Post-stratify the start weights of a source out of core: w_i = d_i N_c / sum_{j in c} d_j (Holt & Smith 1979;
    R `postStratify`; = `riset.survey.weighting.poststratify`). `margin`: a `Margin` or a Series of counts indexed by
    category (index named after the column(s)); checked against the source as in memory (a category of the data
    missing from the margin, or a margin cell without respondents unless `partial`, is a `WeightingError` naming the
    variable and category). SEs use the post-stratification residuals (GREG with the cell indicators).
    """
    margins = _margins(margin)
    return _poststratify(_joint_table(src, _variables(margins), weights), margins[0], weights, partial)


def _poststratify(joint: pd.DataFrame, margin: Margin, weights: str | None, partial: bool,
                  notes: Sequence[Note] = ()) -> CalibratedWeights:
    checked = check_margin(margin, joint, partial=partial, respondents=joint["__n"])
    cell = checked.cell_index(joint)
    factor = checked.counts / np.bincount(cell, weights=joint["__d"].to_numpy(dtype=float), minlength=len(checked.counts))
    return CalibratedWeights("poststratify", weights, (checked,), joint, (cell,), factor[cell], (factor,),
                             notes=(*notes, *checked.notes))


def rake(src: Source, margins: Sequence[Margin | pd.Series], *, weights: str | None = None, epsilon: float = 1e-6,
         maxit: int = 100, force: bool = False, rtol: float = 1e-6) -> CalibratedWeights:
    """Rake the start weights of a source to several margins out of core (IPF; Deming & Stephan 1940; R `rake`;
    = `riset.survey.weighting.rake`).

    Sweep s multiplies the weights of cell c of each margin in turn by f = N_c / sum_{i in c} w_i; the cell totals
    are sums over the joint table of the margin variables (one GROUP BY in the engine), so g_i = prod_M F_M[c_M(i)]
    with F_M the product of margin M's factors over the sweeps. Convergence as in memory and as R: the joint
    table's largest change between sweeps below `epsilon` (x the total start weight if `epsilon` < 1) within
    `maxit` sweeps, and every margin met within 10 x that tolerance; else `WeightingError` (or `force`). A category
    of the data missing from a margin, or a margin cell without respondents, is a `WeightingError` naming the
    variable, the category and the respondents. SEs use R's raking residuals (module docstring).

    Example: ``rake(src, [m_kecamatan_jk, m_kecamatan_umur], weights="bobot_desain")``.
    """
    margins = _margins(margins)
    if not margins:
        raise WeightingError("rake: give at least one margin")
    return _rake(_joint_table(src, _variables(margins), weights), margins, weights, epsilon=epsilon, maxit=maxit,
                 force=force, rtol=rtol)


def _rake(joint: pd.DataFrame, margins: list[Margin], weights: str | None, *, epsilon: float = 1e-6, maxit: int = 100,
          force: bool = False, rtol: float = 1e-6, notes: Sequence[Note] = ()) -> CalibratedWeights:
    checked = check_margins(margins, joint, rtol=rtol, respondents=joint["__n"])
    cells = [m.cell_index(joint) for m in checked]
    crossed = joint.groupby(_variables(checked), sort=False).ngroup().to_numpy()  # the margin variables' cross
    fit = rake_fit(joint["__d"].to_numpy(dtype=float), cells, checked, crossed, epsilon=epsilon, maxit=maxit,
                   force=force)
    g = functools.reduce(operator.mul, [f[c] for f, c in zip(fit.factors, cells)])
    return CalibratedWeights("rake", weights, tuple(checked), joint, tuple(cells), g, fit.factors,
                             previous=fit.previous, notes=(*notes, *(n for m in checked for n in m.notes)))


def calibrate(src: Source, margins: Sequence[Margin | pd.Series], *, weights: str | None = None,
              calfun: str = "linear", bounds: tuple[float, float] = (-np.inf, np.inf), maxit: int = 50,
              epsilon: float = 1e-7, force: bool = False, partial: bool = False, rtol: float = 1e-6) -> CalibratedWeights:
    """Calibrate the start weights of a source to margins out of core (Deville & Sarndal 1992; R `calibrate`;
    = `riset.survey.weighting.calibrate` with margins): g_i = F(x_i' eta) with x_i the cell indicators (first
    margin all cells, later ones without their first), F the distance `calfun` -- 'linear' (GREG) 1 + u, 'raking'
    e^u, 'logit' -- clipped to `bounds`; Newton steps on sums over the joint table (sum_j D_j F(x_j' eta) x_j = t_x),
    converged when max_k |t_k - sum d g x_k| / (1 + |t_k|) < `epsilon` within `maxit`, else `WeightingError` (or
    `force`). SEs use the GREG residuals of the scores on X (module docstring). Numeric calibration totals need
    the rows: use `riset.survey.weighting.calibrate` in memory for those.
    """
    lower, upper = calibration_bounds(calfun, bounds)
    margins = _margins(margins)
    if not margins:
        raise WeightingError("calibrate: give at least one margin (numeric totals need riset.survey.weighting)")
    return _calibrate(_joint_table(src, _variables(margins), weights), margins, weights, calfun, (lower, upper),
                      maxit=maxit, epsilon=epsilon, force=force, partial=partial, rtol=rtol)


def _calibrate(joint: pd.DataFrame, margins: list[Margin], weights: str | None, calfun: str,
               bounds: tuple[float, float], *, maxit: int = 50, epsilon: float = 1e-7, force: bool = False,
               partial: bool = False, rtol: float = 1e-6, notes: Sequence[Note] = ()) -> CalibratedWeights:
    checked = check_margins(margins, joint, rtol=rtol, partial=partial, respondents=joint["__n"])
    mm, pop, names = model_matrix(joint, checked, {}, None, rtol)
    fit = calibration_g(mm, joint["__d"].to_numpy(dtype=float), pop, names, checked, None, calfun, *bounds, bounds,
                        maxit, epsilon, force)
    terms, at = [], 0
    for k, m in enumerate(checked):  # eta per margin cell (a later margin's first cell: 0)
        size = len(m.counts) - (k > 0)
        terms.append(np.r_[np.zeros(int(k > 0)), fit.eta[at:at + size]])
        at += size
    return CalibratedWeights(calfun, weights, tuple(checked), joint, tuple(m.cell_index(joint) for m in checked),
                             fit.g, tuple(terms), calfun=calfun, bounds=bounds, scale=fit.scale,
                             notes=(*notes, *(n for m in checked for n in m.notes)))


def weight_to_population(src: Source, population: pd.DataFrame, margins: Sequence[str | Sequence[str]], *,
                         weights: str | None = None, method: str = "rake", bounds: tuple[float, float] | None = None,
                         trim_ratio: float | None = None, scale: bool | str = True,
                         keep_totals: Sequence[str] | None = None, collapse_min_n: int | None = None,
                         count: str = "jumlah", maxit: int | None = None) -> CalibratedWeights:
    """A study's weighting recipe out of core (= `riset.survey.weighting.weight_to_population`, the study file's
    `weighting:` through `riset.study.run.weighting_recipe`): the margins of the population table -- scaled to the
    design-weighted total or within each category of `scale`, the design-weighted totals of `keep_totals` kept,
    small crossed cells collapsed -- and `method` ('poststratify', 'rake', 'linear', 'raking', 'logit' with
    `bounds`). The design-weighted totals and respondent counts these steps read come from one GROUP BY of the
    margin, scale and keep variables (`riset.survey.weighting.population_margins` runs on it). Trimming
    (`trim_ratio`) would make the weights depend on each row's own start weight, not only on its cells: it is an
    error here (weight in memory for it). The arguments are those of `riset.study.run.weighting_recipe`.

    Example: ``weight_to_population(src, bps, [["kecamatan", "jenis_kelamin"], ["kecamatan", "kelompok_umur"]],
    weights="bobot_desain", method="raking", scale="kecamatan", keep_totals=["unit", "periode"])``.
    """
    if trim_ratio is not None:
        raise WeightingError(f"trim_ratio={trim_ratio}: trimmed weights depend on each respondent's own weight, so "
                             "they are not computed out of core; weight in memory (riset.survey.weighting) to trim")
    keep = [keep_totals] if isinstance(keep_totals, str) else list(keep_totals or [])
    specs = [[m] if isinstance(m, str) else list(m) for m in margins]
    variables = list(dict.fromkeys([*(v for m in specs for v in m), *([scale] if isinstance(scale, str) else []), *keep]))
    joint = _joint_table(src, variables, weights)
    built, notes = population_margins(joint, joint["__d"], population, margins, method=method, scale=scale,
                                      keep_totals=keep, collapse_min_n=collapse_min_n, count=count,
                                      respondents=joint["__n"])
    limits = {} if maxit is None else {"maxit": maxit}
    if method == "poststratify":
        return _poststratify(joint, built[0], weights, False, notes)
    if method == "rake":
        return _rake(joint, built, weights, notes=notes, **limits)
    return _calibrate(joint, built, weights, method, calibration_bounds(method, bounds or (-np.inf, np.inf)),
                      notes=notes, **limits)
