"""Tests between groups under the sampling design: a two-way table's association (R `svychisq`) and the
difference of a mean between two groups (R `svyttest`).

Association in a two-way table of `row` x `col` (Rao & Scott 1984; Lumley 2010, sec. 6.2), as R survey 4.x:

- Pearson's X^2 of the weighted table scaled to the sample size N, X^2 = sum (O - E)^2 / E;
- design effects Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C, with p the cell proportions (their design
  covariance V), D = diag(p) and C the interaction contrasts orthogonal to the main effects;
- ``"F"`` (default): F = X^2 / tr(Delta) on d0 = tr(Delta)^2 / tr(Delta^2) and d0 x nu df, nu the design df
  (second-order Rao-Scott); ``"Chisq"``: X^2 / mean(diag Delta) against chi^2 on (r-1)(c-1) df (first order);
- ``"Wald"``: W = Y' V_Y^-1 Y on the cells (i, j > 1) of Y = T_ij - T_i. T_.j / T (Koch, Freeman & Freeman 1975),
  F = W / ((r-1)(c-1)) on ((r-1)(c-1), nu); ``"adjWald"``: F = W (nu - q + 1) / (q nu) on (q, nu - q + 1);
- ``"lincom"`` and ``"saddlepoint"``: X^2 itself, its p-value from its asymptotic distribution
  sum_i delta_i chi^2_1 / (chi^2_d / d), delta_i the eigenvalues of Delta and d = d0 x nu (Lumley & Scott
  2013; R `pFsum`, see `riset.survey.distributions`): "lincom" exactly (Imhof's integral; R uses
  CompQuadForm's `davies`, and falls back to the saddlepoint when CompQuadForm is not installed),
  "saddlepoint" by the saddlepoint approximation. `ndf` is then the number of delta_i, `ddf` d; on a
  replicate design R (`svychisq.svyrep.design`) takes no denominator (d infinite: R `pchisqsum`), as here.

Rows with a blank in either column are left out, as domains (the design keeps all its PSUs).

Difference of means (R `svyttest`): the slope of a survey-weighted regression of y on the indicator of the
second group, t = b / SE(b) on the design df - 1; one group: the mean against 0.

Ranks of domain estimates (league tables, `rank_intervals`): every pair of the K domains is tested,
t = (theta_i - theta_j) / SE, SE^2 = V_ii + V_jj - 2 V_ij from their design covariance, on min(df_i, df_j) df
(conservative), and the K(K-1)/2 p-values are adjusted by Holm's (1979) step-down rule (`holm`). Domain i is
placed above j only when their difference is significant after the adjustment; its rank interval is

    [1 + #domains significantly above i,  K - #domains significantly below i],

so domains not separated from each other share ranks. Holm controls the family-wise error over all pairs,
so with probability at least `level` no pair is ordered wrongly and every interval holds at once
(simultaneous intervals; cf. Goldstein & Spiegelhalter 1996 for the per-domain intervals this replaces,
Klein, Wright & Wieczorek 2020 for simultaneous ranking intervals).

>>> import pandas as pd
>>> from riset.survey.design import SurveyDesign
>>> d = SurveyDesign(pd.DataFrame({"a": list("xxyyxy"), "b": list("ppqqqp")}))
>>> round(chisq(d, "a", "b", statistic="Chisq").pearson, 4)
0.6667
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from riset.errors import DataError
from riset.i18n import fmt_p, say
from riset.survey.distributions import pfsum
from riset.survey.estimate import (critical_value, domain_sizes, domains, fit_mean, fit_smooth, total_jacobian,
                                   total_totals)

__all__ = ["CHISQ_STATISTICS", "ChisqTest", "GroupMeans", "RankIntervals", "TTest", "chisq", "compare_means", "holm",
           "rank_intervals", "ttest"]

#: The statistics of `chisq` (R svychisq's).
CHISQ_STATISTICS = ("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint")


@dataclass
class ChisqTest:
    """A design-based test of association: `statistic` with its reference distribution ('F' with `ndf` and
    `ddf`, or 'chisq' with `ndf`), `p_value`, Pearson's `pearson` X^2 of the table scaled to n, the design
    effects `delta` (eigenvalues of Delta) and `table`, the weighted shares of every cell."""

    method: str
    statistic: float
    ndf: float
    ddf: float | None
    p_value: float
    pearson: float
    delta: np.ndarray
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"method": self.method, "statistic": self.statistic, "ndf": self.ndf, "ddf": self.ddf,
                              "p_value": self.p_value, "pearson": self.pearson}])

    def summary(self, lang: str | None = None) -> str:
        """The test in one line (Indonesian by default, or English) and the table of weighted shares."""
        values = {"method": self.method, "statistic": self.statistic, "ndf": self.ndf, "ddf": self.ddf,
                  "p": fmt_p(self.p_value, lang, equation=True)}
        line = say("chisq_summary_chisq" if self.ddf is None else "chisq_summary_f", lang, **values)
        return f"{line}\n{self.table.round(4)}"

    def __repr__(self) -> str:
        return self.summary()


@dataclass
class TTest:
    """A design-based t test: `estimate` (difference of the second group's mean minus the first's, or the
    mean), `se`, `statistic`, `df`, `p_value` (two-sided), `groups` (first, second)."""

    estimate: float
    se: float
    statistic: float
    df: int
    p_value: float
    groups: tuple

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"estimate": self.estimate, "se": self.se, "statistic": self.statistic, "df": self.df,
                              "p_value": self.p_value}])

    def summary(self, lang: str | None = None) -> str:
        """The test in one line, in Indonesian (default) or English."""
        return say("ttest_summary", lang, statistic=self.statistic, df=int(self.df),
                   p=fmt_p(self.p_value, lang, equation=True), estimate=self.estimate)

    def __repr__(self) -> str:
        return self.summary()


def _codes(design, column: str) -> tuple[np.ndarray, list]:
    if column not in design.data.columns:
        raise DataError(f"column '{column}' not found in the data")
    values = design.data[column]
    levels = sorted(values.dropna().unique(), key=lambda v: (str(type(v)), v))
    if len(levels) < 2:
        raise DataError(f"column '{column}' has {len(levels)} category; a test between groups needs at least 2")
    code = values.map({v: i for i, v in enumerate(levels)}).to_numpy(dtype=float)
    return code, levels


def chisq(design, row: str, col: str, statistic: str = "F") -> ChisqTest:
    """Test of association between the categories of `row` and `col` (see the module docstring; R
    ``svychisq(~row + col, design, statistic=)``)."""
    if statistic not in CHISQ_STATISTICS:
        raise DataError(f"statistic={statistic!r}; allowed: {', '.join(CHISQ_STATISTICS)}")
    r, row_levels = _codes(design, row)
    c, col_levels = _codes(design, col)
    nr, nc = len(row_levels), len(col_levels)
    w = np.asarray(design.weights)
    complete = ~np.isnan(r) & ~np.isnan(c)
    domain = np.where(complete & (w != 0), 0, -1)
    cell = np.where(complete, np.nan_to_num(r) + nr * np.nan_to_num(c), -1).astype(int)  # rows vary fastest
    cells = np.zeros((len(w), nr * nc))
    cells[complete, cell[complete]] = 1.0
    n = len(w)
    weighted = np.bincount(cell[complete], weights=w[complete], minlength=nr * nc)
    observed = (weighted * n / weighted.sum()).reshape(nc, nr).T  # svytable(Ntotal = N)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((observed - expected) ** 2 / expected))
    shares = pd.DataFrame(observed / observed.sum(), index=pd.Index(row_levels, name=row),
                          columns=pd.Index(col_levels, name=col))
    nu = design.df
    if statistic in ("Wald", "adjWald"):
        return _wald(design, cells, r, c, nr, nc, domain, nu, statistic, pearson, shares)
    fit = fit_mean(design, cells.copy(), domain, 1)
    p, v = fit.estimate[0], fit.vcov
    contrasts = _interaction_contrasts(nr, nc)
    inv_p = np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p))
    denom = contrasts.T @ (np.diag(inv_p) / n) @ contrasts
    numer = contrasts.T @ np.diag(inv_p) @ v @ np.diag(inv_p) @ contrasts
    delta = np.linalg.solve(denom, numer)
    trace, trace2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    eigen = np.sort(np.linalg.eigvals(delta).real)[::-1]
    d0 = trace ** 2 / trace2
    if statistic == "F":
        f = pearson / trace
        return ChisqTest("F", f, d0, d0 * nu, float(stats.f.sf(f, d0, d0 * nu)), pearson, eigen, shares)
    if statistic in ("lincom", "saddlepoint"):
        method = "integration" if statistic == "lincom" else "saddlepoint"
        ddf = np.inf if not design.linearized else d0 * nu
        return ChisqTest(statistic, pearson, len(eigen), ddf, pfsum(pearson, eigen, ddf, method), pearson, eigen,
                         shares)
    q = delta.shape[1]
    return ChisqTest("Chisq", pearson, q, None, float(stats.chi2.sf(pearson / (trace / q), q)), pearson, eigen, shares)


def _interaction_contrasts(nr: int, nc: int) -> np.ndarray:
    """The interaction columns of ~rows * cols (treatment coding, rows fastest) made orthogonal to the main
    effects ~rows + cols (R: qr.resid(qr(X1), X12[, -(1:(nr + nc - 1))]))."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    main = np.column_stack([np.ones(nr * nc), *[(rows == i) * 1.0 for i in range(1, nr)],
                            *[(cols == j) * 1.0 for j in range(1, nc)]])
    inter = np.column_stack([((rows == i) & (cols == j)) * 1.0 for j in range(1, nc) for i in range(1, nr)])
    coef, *_ = np.linalg.lstsq(main, inter, rcond=None)
    return inter - main @ coef


def _wald(design, cells, r, c, nr, nc, domain, nu, statistic, pearson, shares) -> ChisqTest:
    rows_ind = np.column_stack([(r == i) * 1.0 for i in range(nr)])
    cols_ind = np.column_stack([(c == j) * 1.0 for j in range(nc)])
    y = np.hstack([cells, rows_ind, cols_ind, np.ones((len(r), 1))])
    fit = fit_smooth(design, y, total_totals, total_jacobian, domain, 1)
    t = fit.totals[0]
    sigma = fit.vcov
    cell_t, row_t, col_t, total = t[:nr * nc], t[nr * nc:nr * nc + nr], t[nr * nc + nr:-1], t[-1]
    k_row = np.tile(np.arange(nr), nc)
    k_col = np.repeat(np.arange(nc), nr)
    expected = row_t[k_row] * col_t[k_col] / total
    resid = cell_t - expected
    jac = np.zeros((nr * nc, len(t)))
    jac[:, :nr * nc] = np.eye(nr * nc)
    jac[np.arange(nr * nc), nr * nc + k_row] = -col_t[k_col] / total
    jac[np.arange(nr * nc), nr * nc + nr + k_col] = -row_t[k_row] / total
    jac[:, -1] = row_t[k_row] * col_t[k_col] / total ** 2
    v = jac @ sigma @ jac.T
    use = np.flatnonzero((k_row > 0) & (k_col > 0))
    wald = float(resid[use] @ np.linalg.solve(v[np.ix_(use, use)], resid[use]))
    q = (nr - 1) * (nc - 1)
    if statistic == "Wald":
        f, ddf = wald / q, nu
    else:
        ddf = nu - q + 1
        f = wald * ddf / (q * nu)
    return ChisqTest(statistic, f, q, ddf, float(stats.f.sf(f, q, ddf)), pearson, np.array([]), shares)


def ttest(design, variable: str, group: str | None = None) -> TTest:
    """Design-based t test of the difference of `variable`'s mean between the two categories of `group`
    (second minus first, categories sorted), or of its mean against 0 without `group` (R `svyttest`)."""
    from riset.survey.models import linear

    if variable not in design.data.columns:
        raise DataError(f"column '{variable}' not found in the data")
    if group is None:
        y = pd.to_numeric(design.data[variable], errors="coerce").to_numpy(dtype=float)
        keep = ~np.isnan(y) & (np.asarray(design.weights) != 0)
        fit = fit_mean(design, np.nan_to_num(y)[:, None].copy(), np.where(keep, 0, -1), 1)
        estimate, se = float(fit.estimate[0, 0]), float(np.sqrt(fit.var[0, 0]))
        df = design.df - 1
        t = estimate / se
        return TTest(estimate, se, t, df, float(2 * stats.t.sf(abs(t), df)), ())
    _, levels = _codes(design, group)
    if len(levels) != 2:
        raise DataError(f"column '{group}' has {len(levels)} categories; a t test compares two "
                        f"({', '.join(map(str, levels[:6]))})")
    model = linear(f"Q('{variable}') ~ C(Q('{group}'))", design)
    term = model.params.index[1]
    estimate, se = float(model.params[term]), float(model.se[term])
    t = estimate / se
    return TTest(estimate, se, t, model.df_resid, float(2 * stats.t.sf(abs(t), model.df_resid)), tuple(levels))


def holm(p) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (R ``p.adjust(p, "holm")``); NaN (untestable) entries stay NaN
    and do not count: with the m finite p-values sorted, adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j)).

    >>> holm([0.01, 0.04, 0.03, float("nan")]).round(2).tolist()
    [0.03, 0.06, 0.06, nan]
    """
    p = np.asarray(p, dtype=float)
    flat = p.ravel()
    out = np.full(flat.shape, np.nan)
    finite = np.flatnonzero(~np.isnan(flat))
    order = finite[np.argsort(flat[finite], kind="stable")]
    m = len(order)
    out[order] = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * flat[order]))
    return out.reshape(p.shape)


@dataclass
class RankIntervals:
    """Ranks of K estimates with simultaneous intervals (`rank_intervals`): `table` (one row per estimate: rank,
    rank_low, rank_high, n_above, n_below -- the domains significantly above / below it), `pairs` (one row per
    pair i < j: first, second, diff = theta_i - theta_j, se, t, df, p_value, p_holm, separated), the `level`
    and the `adjust` rule ('holm' or None: unadjusted pairwise tests)."""

    table: pd.DataFrame
    pairs: pd.DataFrame
    level: float
    adjust: str | None

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def summary(self) -> str:
        rule = "Holm over" if self.adjust == "holm" else "unadjusted,"
        return (f"ranks with intervals from {len(self.pairs)} pairwise t tests ({rule} all pairs, "
                f"level {self.level:g})\n{self.table}")

    def __repr__(self) -> str:
        return self.summary()


def rank_intervals(estimates, vcov, df=np.inf, level: float = 0.95, adjust: str | None = "holm",
                   descending: bool = True) -> RankIntervals:
    """Rank of each estimate (1 = highest with `descending`) and its interval of ranks from the pairwise tests
    of the module docstring: `df` one design df for all or one per estimate (a pair uses the smaller);
    `adjust` 'holm' (simultaneous) or None (each pair tested at 1 - `level` on its own). A pair with SE 0 is
    separated when the estimates differ. A pandas Series of estimates keeps its index as the table's.

    >>> r = rank_intervals([80.0, 70.0, 69.9], np.diag([0.01, 1.0, 1.0]), df=30).table
    >>> r["rank"].tolist(), r["rank_low"].tolist(), r["rank_high"].tolist()
    ([1, 2, 3], [1, 2, 2], [1, 3, 3])
    """
    if adjust not in ("holm", None):
        raise DataError(f"adjust={adjust!r}; allowed 'holm' or None")
    if not 0 < level < 1:
        raise DataError(f"level must lie between 0 and 1, got {level}")
    index = estimates.index if isinstance(estimates, pd.Series) else None
    theta = np.asarray(estimates, dtype=float)
    k = len(theta)
    cov = np.asarray(vcov, dtype=float)
    if cov.shape != (k, k):
        raise DataError(f"vcov must be {k} x {k}, got {cov.shape}")
    dfs = np.broadcast_to(np.asarray(df, dtype=float), (k,))
    first, second = np.triu_indices(k, 1)
    diff = theta[first] - theta[second]
    se = np.sqrt(np.maximum(cov[first, first] + cov[second, second] - 2 * cov[first, second], 0.0))
    pair_df = np.minimum(dfs[first], dfs[second])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
        p = np.where(se > 0, 2 * stats.t.sf(np.abs(t), pair_df), (diff == 0).astype(float))
    p = np.where(np.isnan(diff) | np.isnan(se), np.nan, p)
    p_holm = holm(p)
    tested = p_holm if adjust == "holm" else p
    separated = tested < 1 - level  # NaN: not separated
    sign = -1.0 if descending else 1.0
    above = np.zeros((k, k), dtype=bool)  # above[i, j]: i is significantly above j
    first_above = separated & (sign * diff < 0)
    above[first[first_above], second[first_above]] = True
    second_above = separated & (sign * diff > 0)
    above[second[second_above], first[second_above]] = True
    n_above, n_below = above.sum(axis=0), above.sum(axis=1)
    table = pd.DataFrame({"rank": np.argsort(np.argsort(sign * theta, kind="stable"), kind="stable") + 1,
                          "rank_low": 1 + n_above, "rank_high": k - n_below, "n_above": n_above, "n_below": n_below},
                         index=index)
    pairs = pd.DataFrame({"first": first, "second": second, "diff": diff, "se": se, "t": t, "df": pair_df,
                          "p_value": p, "p_holm": p_holm, "separated": separated})
    if index is not None:
        pairs["first"], pairs["second"] = index[first], index[second]
    return RankIntervals(table, pairs, level, adjust)


@dataclass
class GroupMeans:
    """Means of a value in each category of a group with their CIs (`table`: category, n, estimate, se, ci_low,
    ci_high) and the design-based Wald test that they are all equal: F = W / q on (q, design df), W the Wald
    statistic of the q = categories - 1 differences from the first category (Lumley 2010, sec. 5.2)."""

    table: pd.DataFrame
    statistic: float
    ndf: int
    ddf: int
    p_value: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.assign(F=self.statistic, ndf=self.ndf, ddf=self.ddf, p_value=self.p_value)

    def summary(self, lang: str | None = None) -> str:
        """The Wald test that every category has the same mean, then the means with their CIs."""
        line = say("chisq_summary_f", lang, method="F", statistic=self.statistic, ndf=self.ndf, ddf=self.ddf,
                   p=fmt_p(self.p_value, lang, equation=True))
        return line + "\n" + self.table.round(4).to_string(index=False)

    def __repr__(self) -> str:
        return self.summary()


def compare_means(design, values, group: str, level: float = 0.95) -> GroupMeans:
    """Means of `values` (one per row of the design; NaN = blank, left out as a domain) in each category of
    `group`, and the Wald test of their equality, from the categories' joint design covariance.

    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"g": list("aabbcc"), "y": [1.0, 2.0, 2.0, 3.0, 3.0, 4.0]}))
    >>> compare_means(d, d.data["y"], "g").table["estimate"].tolist()
    [1.5, 2.5, 3.5]
    """
    y = np.asarray(values, dtype=float)
    domain, labels, _ = domains(design, group)
    domain = np.where(np.isnan(y), -1, domain)
    n_dom = len(labels)
    if n_dom < 2:
        raise DataError(f"column '{group}' has {n_dom} category; comparing means needs at least 2")
    fit = fit_mean(design, np.nan_to_num(y)[:, None].copy(), domain, n_dom, covmat=True)
    theta = fit.estimate[:, 0]
    se = np.sqrt(fit.var[:, 0])
    df = design.df_by(domain, n_dom)
    t = critical_value(level, df)
    table = pd.DataFrame({"category": labels.iloc[:, 0].to_numpy(), "n": domain_sizes(domain, n_dom),
                          "estimate": theta, "se": se, "ci_low": theta - t * se, "ci_high": theta + t * se})
    contrasts = np.hstack([-np.ones((n_dom - 1, 1)), np.eye(n_dom - 1)])
    diff = contrasts @ theta
    cov = contrasts @ fit.vcov @ contrasts.T
    wald = float(diff @ np.linalg.lstsq(cov, diff, rcond=None)[0])
    q, ddf = n_dom - 1, int(design.df)
    f = wald / q
    return GroupMeans(table, f, q, ddf, float(stats.f.sf(f, q, ddf)))
