"""Design-based estimators: `mean`, `total`, `variance`, `ratio`, `proportion`, `by` (as R `survey`).

Every estimator takes a design -- `riset.survey.design.SurveyDesign` (Taylor linearization) or
`riset.survey.replicate.ReplicateDesign` (re-estimation with each replicate weight) -- and returns an
`Estimate` whose `.to_frame()` is a tidy table: estimate, se, ci_low, ci_high, deff, deff_kish, n, df.

Formulas (Lumley 2010, ch. 2-3; Sarndal, Swensson & Wretman 1992, ch. 5 and 10):

    total      t = sum_i w_i y_i                    influence u_i = y_i
    mean       ybar = t_y / t_1                     u_i = (y_i - ybar) / t_1
    ratio      R = t_y / t_x                        u_i = (y_i - R x_i) / t_x
    variance   S = n/(n-1) sum w (y - ybar)^2 / sum w  u_i = n/(n-1) ((y_i - ybar)^2 - S (n-1)/n) / t_1 (R svyvar)
    proportion p_c = mean of 1{y_i = c}
    Var = design.variance(w * u) (linearization), or scale * sum_r rscale_r (theta_r - theta_bar)^2 (replicates)
    CI  = estimate -/+ t_{df, 1-alpha/2} * SE, df = design df (R: confint(..., df = degf(design)))
    deff (design-based, R deff=TRUE) = Var / Var_SRS,  Var_SRS = s_u^2 * N^2 * (1 - n/N) / n   (without
         replacement; deff_type="wr" drops 1 - n/N as R deff="replace"), s_u^2 the weighted variance of u
         with divisor n - 1 (R svyvar)
    deff_kish = n * sum w^2 / (sum w)^2   (Kish 1965; from the weights alone)

Proportion CIs (`ci=`): 'logit' (R svyciprop method="logit": Wald on the logit scale with t), 'wilson'
(Wilson score interval with the effective sample size n_eff = p(1-p)/Var and t instead of z;
Kott & Carr 1997), 'beta' (Korn & Graubard 1998, R method="beta"), 'wald' (R method="mean").

Quantiles: `riset.survey.quantiles`.

Domains (`by=`, R `svyby`): every domain is estimated with the full design (rows outside get weight 0),
its df is the PSUs minus strata that have respondents in it (linearization) or the replicate design's df.
Missing values: `na_rm=False` raises naming the column; `na_rm=True` estimates on the answered rows
(a domain, as R na.rm=TRUE) and says how many rows were left out in `notes`.

Replicate estimates (`return_replicates=True`, R ``return.replicates = TRUE``; `mean`, `total`, `ratio`,
`proportion`, and `by` with them): on a replicate design the estimates theta_r of every replicate are kept in
`Estimate.replicates` (with `by`, every domain's, domain-major, and their covariance in `vcov`, as R svyby
computes it from them), so that `contrast` re-estimates a nonlinear function on every replicate (R
svycontrast.svrepstat). By default none are kept and `contrast` uses the delta method with `vcov`, as R. On a
linearization design it is ignored (R svymean, svytotal and svyratio have no such argument), except with `by`,
where it raises a `riset.errors.DesignError` as R svyby stops.

Example
-------
>>> import pandas as pd
>>> from riset.survey.design import SurveyDesign
>>> df = pd.DataFrame({"h": [1, 1, 2, 2], "y": [1.0, 3.0, 2.0, 6.0], "w": [2.0, 2.0, 3.0, 3.0]})
>>> res = mean(SurveyDesign(df, weights="w", strata="h"), "y")
>>> round(float(res.to_frame()["estimate"].iloc[0]), 4)
3.2
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from riset.survey.base import Design, kept_rows, row_blocks
from riset.survey.design import indicator
from riset.survey.replicate import ReplicateEstimates
from riset.survey.expression import Expression
from riset.errors import DataError, DesignError
from riset.i18n import Note, check_language, say

__all__ = ["by", "check_level", "CI_METHODS", "column_label", "critical_value", "DEFF_TYPES", "domain_kish",
           "domain_sizes", "domain_totals", "domains", "drop_blank_rows", "Estimate", "fit_mean", "numeric_columns",
           "fit_smooth", "linearised_scores", "mean", "mean_jacobian", "mean_totals", "proportion", "proportion_ci",
           "ratio", "ratio_jacobian", "ratio_totals", "SmoothFit", "contrast", "total", "total_jacobian",
           "total_totals", "variance"]

CI_METHODS = ("logit", "wilson", "beta", "wald")
DEFF_TYPES = ("wor", "wr")

_HEADERS = ("variable", "category", "p", "estimate", "se", "ci_low", "ci_high", "deff", "deff_kish", "n", "df")


@dataclass
class Estimate:
    """Estimates with their design-based uncertainty; `.to_frame()` gives the tidy table.

    `table` columns: the `by` columns, variable (and category or p), estimate, se, ci_low, ci_high,
    deff, deff_kish, n, df. `vcov` is the covariance matrix of the estimates when there is no `by` (or with
    ``covmat=True``); `replicates` holds the replicate estimates behind it when they were asked for with
    ``return_replicates=True`` on a replicate design (R ``return.replicates = TRUE``; else None), so that
    `contrast` re-estimates a nonlinear function on every replicate instead of using the delta method.
    """

    table: pd.DataFrame
    statistic: str
    level: float = 0.95
    vcov: pd.DataFrame | None = None
    notes: list[Note] = field(default_factory=list)
    lang: str | None = None
    replicates: ReplicateEstimates | None = None

    def to_frame(self) -> pd.DataFrame:
        """The tidy result table (a copy)."""
        return self.table.copy()

    @property
    def estimate(self) -> np.ndarray:
        return self.table["estimate"].to_numpy()

    @property
    def se(self) -> np.ndarray:
        return self.table["se"].to_numpy()

    def summary(self, lang: str | None = None, decimals: int = 4) -> str:
        """Readable table with Indonesian (default) or English column labels."""
        lang = check_language(lang or self.lang)
        shown = self.table.copy()
        numeric = [c for c in ("estimate", "se", "ci_low", "ci_high", "deff", "deff_kish") if c in shown]
        shown[numeric] = shown[numeric].round(decimals)
        shown = shown.rename(columns={k: column_label(k, lang, self.level) for k in _HEADERS})
        lines = [say(f"estimate_title_{self.statistic}", lang), shown.to_string(index=False)]
        lines += [say("note_prefix", lang, text=note.text(lang)) for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def column_label(key: str, lang: str | None = None, level: float = 0.95) -> str:
    """Display header of a result column ('se' -> 'Galat baku' / 'SE'; CI columns carry the level).

    >>> column_label("ci_low", "id", 0.9), column_label("ci_low", "en")
    ('SK 90% bawah', '95% CI lower')
    """
    if key not in _HEADERS:
        return key
    return say(f"estimate_col_{key}", lang, pct=f"{100 * level:g}")


# ------------------------------------------------------------------------------------------ public estimators
def mean(design, variables: str | Sequence[str], by=None, na_rm: bool = False, level: float = 0.95,
         deff_type: str = "wor", covmat: bool = False, return_replicates: bool = False) -> Estimate:
    """Weighted mean ybar = sum w y / sum w of each variable, with design SE, t CI, deff (R `svymean`).
    With `by` and `covmat`, `vcov` holds the covariance between every domain's means (R `svyby(covmat=TRUE)`),
    for `contrast`. `return_replicates`: see the module docstring.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 6.0]}))
    >>> round(float(mean(d, "y").se[0]) ** 2, 6)   # s^2 / n = 7 / 3 for a with-replacement SRS
    2.333333
    """
    cols = _as_list(variables)
    return _linear_family(design, cols, by, na_rm, level, deff_type, "mean", covmat, return_replicates)


def total(design, variables: str | Sequence[str], by=None, na_rm: bool = False, level: float = 0.95,
          deff_type: str = "wor", covmat: bool = False, return_replicates: bool = False) -> Estimate:
    """Weighted total t = sum w y (Horvitz-Thompson), with design SE, t CI, deff (R `svytotal`).
    `covmat` as in `mean`; `return_replicates`: see the module docstring.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0], "w": [10.0, 30.0]}), weights="w")
    >>> float(total(d, "y").estimate[0])
    70.0
    """
    cols = _as_list(variables)
    return _linear_family(design, cols, by, na_rm, level, deff_type, "total", covmat, return_replicates)


def variance(design, variables: str | Sequence[str], by=None, na_rm: bool = False, level: float = 0.95,
             deff_type: str = "wor") -> Estimate:
    """Design-based estimate of the population variance of a variable, or the covariance matrix of several,
    with design SEs (R `svyvar`, survey.R / surveyrep.R; Lumley 2010, sec. 2.4):

        S_jk = n / (n - 1) * sum_i w_i (x_ij - xbar_j)(x_ik - xbar_k) / sum_i w_i,   xbar_j = sum w x_j / sum w

    n the rows with a non-zero weight (and no blank) in the domain. As a smooth function of the totals
    T = [T_jk = sum w x_j x_k, T_j = sum w x_j, N = sum w], S_jk = n / (n - 1) (T_jk / N - T_j T_k / N^2):
    linearization gives u_i = n / (n - 1) ((x_ij - xbar_j)(x_ik - xbar_k) - S_jk (n - 1) / n) / N -- the
    influence values of R's svymean of the products n / (n - 1) (x - xbar)(x - xbar)'; replicate designs
    recompute xbar and S with each replicate weight, as R `svyvar.svyrep.design`. A domain with one row has no
    variance (NaN, as R's NA).

    Several variables give all p x p entries 'a:b' in R's order (column by column, `as.vector` of the matrix),
    their joint covariance in `vcov`; one variable gives its variance, named by the variable.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 6.0]}))
    >>> round(float(variance(d, "y").estimate[0]), 6)   # s^2 with divisor n - 1
    7.0
    """
    _check_options(level, deff_type)
    cols = _as_list(variables)
    domain, labels, notes = domains(design, by)
    values = numeric_columns(design, cols)
    domain = drop_blank_rows(design, values, domain, cols, na_rm, notes)
    n_dom, p = len(labels), len(cols)
    x = _stack(values)
    # centred at each domain's mean: the variance does not move, and the products stay free of cancellation
    centre = domain_totals(np.asarray(design.weights), _with_ones(x), domain, n_dom)
    with np.errstate(divide="ignore", invalid="ignore"):
        x -= (centre[:, :p] / centre[:, p:])[np.maximum(domain, 0)]
    x[domain < 0] = 0.0
    row, col = np.tile(np.arange(p), p), np.repeat(np.arange(p), p)  # entry q = (row, col), column-major as R
    y = np.hstack([x[:, row] * x[:, col], x, np.ones((len(x), 1))])
    n = domain_sizes(domain, n_dom).astype(float)
    single = n < 2  # no variance there: 0 inside the engine (finite influence values), NaN in the result
    scale = np.where(single, 0.0, n / np.maximum(n - 1, 1))
    k = p * p

    def g(t):  # t: D x m or D x R x m
        c = scale.reshape((-1,) + (1,) * (t.ndim - 1))
        big_n = t[..., -1:]
        return c * (t[..., :k] / big_n - t[..., k + row] * t[..., k + col] / big_n**2)

    def jacobian(t):
        big_n, c = t[:, -1], scale[:, None]
        jac = np.zeros((t.shape[0], k, t.shape[1]))
        q = np.arange(k)
        jac[:, q, q] = c / big_n[:, None]
        jac[:, q, k + row] -= c * t[:, k + col] / big_n[:, None] ** 2
        jac[:, q, k + col] -= c * t[:, k + row] / big_n[:, None] ** 2
        jac[:, q, -1] = c * (-t[:, :k] / big_n[:, None] ** 2
                             + 2 * t[:, k + row] * t[:, k + col] / big_n[:, None] ** 3)
        return jac

    fit = fit_smooth(design, y, g, jacobian, domain, n_dom)
    fit.estimate[single] = fit.var[single] = np.nan
    if fit.vcov is not None and single.any():
        fit.vcov[:] = np.nan
    names = cols if p == 1 else [f"{cols[i]}:{cols[j]}" for i, j in zip(row, col)]
    table = _table(design, fit, domain, labels, names, level, deff_type, "variable")
    return Estimate(table, "variance", level, _vcov(fit, _names(labels, names, by)), notes)


def ratio(design, numerator: str | Sequence[str], denominator: str | Sequence[str], by=None, na_rm: bool = False,
          level: float = 0.95, deff_type: str = "wor", covmat: bool = False,
          return_replicates: bool = False) -> Estimate:
    """Ratios of totals R = sum w y / sum w x, linearized u = (y - R x) / t_x (R `svyratio`).

    Several numerators and denominators give every ratio numerator/denominator (numerators varying fastest,
    as R) with their joint covariance in `vcov` (R `svyratio(~a + b, ~c + d, covmat = TRUE)`).
    `return_replicates`: see the module docstring.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 3.0], "x": [2.0, 2.0]}))
    >>> float(ratio(d, "y", "x").estimate[0])
    1.0
    """
    _check_options(level, deff_type)
    nums, dens = _as_list(numerator), _as_list(denominator)
    columns = list(dict.fromkeys([*nums, *dens]))
    keep = _keeps_replicates(design, by, return_replicates)
    domain, labels, notes = domains(design, by)
    values = numeric_columns(design, columns)
    domain = drop_blank_rows(design, values, domain, columns, na_rm, notes)
    y = _stack(values)
    pairs = [(columns.index(b), columns.index(a)) for a in dens for b in nums]  # (numerator, denominator)
    top, bottom = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    _check_denominators(design, y, domain, labels, columns, bottom)

    def g(t):
        return t[..., top] / t[..., bottom]

    def jacobian(t):
        jac = np.zeros((t.shape[0], len(pairs), t.shape[1]))
        rows = np.arange(len(pairs))
        jac[:, rows, top] = 1.0 / t[:, bottom]
        jac[:, rows, bottom] -= t[:, top] / t[:, bottom] ** 2
        return jac

    fit = fit_smooth(design, y, g, jacobian, domain, len(labels), covmat=_joint(by, covmat, keep))
    names = [f"{columns[a]}/{columns[b]}" for a, b in pairs]
    table = _table(design, fit, domain, labels, names, level, deff_type, "variable")
    return Estimate(table, "ratio", level, _vcov(fit, _names(labels, names, by)), notes,
                    replicates=fit.replicates if keep else None)


def _check_denominators(design, y, domain, labels: pd.DataFrame, columns, bottom) -> None:
    """Refuse a denominator whose weighted total is 0 (in the population, or in a group of `by`): the ratio and
    its linearization are undefined there."""
    zero = domain_totals(np.asarray(design.weights), y, domain, len(labels))[:, bottom] == 0
    if zero.any():
        d, j = np.argwhere(zero)[0]
        group = "" if labels.columns.empty else " in group " + ", ".join(
            f"{c}={v!r}" for c, v in labels.iloc[d].items())
        raise DataError(f"denominator '{columns[bottom[j]]}' has a weighted total of 0{group}: the ratio is undefined "
                        "there")


def contrast(estimate: Estimate, coefficients, level: float = 0.95) -> Estimate:
    """Linear or smooth nonlinear functions of estimates with their SEs (R `svycontrast`).

    Linear, `coefficients` {name of an estimate: weight} for one contrast, {contrast name: {estimate: weight}}
    for several, or a sequence of weights in the order of `estimate.vcov`: theta = C b, Var = C V C'.

    Nonlinear, `coefficients` a text over the estimates' names, e.g. ``"exp(E - H)"``, ``"E / H"``,
    ``"log(api00) - log(api99)"``, or {contrast name: text} for several (R ``svycontrast(stat, quote(...))`` or
    a list of expressions; the grammar is in `riset.survey.expression`: numbers, names -- `backquoted` when not
    identifiers, as R --, + - * / **, and exp, log, sqrt, ...): theta = g(b) with the delta method
    Var = J V J', J = dg/db exact at b (R `nlcon`, which differentiates with deriv()). Estimates from a replicate
    design made with ``return_replicates=True`` carry their replicate estimates, and then g is re-estimated on
    every replicate and Var = svrVar of those, as R `svycontrast.svrepstat` does when the statistic has
    replicates (``return.replicates = TRUE``); without them -- the default, also on a replicate design -- it is
    the delta method with the replicate covariance `vcov`, as R's. A linear contrast has the same variance
    either way, and keeps C theta_r as its replicates.

    Names are those of `vcov` (variables, or 'domain:variable' from `by` with ``covmat=True``); CIs are normal,
    as R's confint of a svycontrast.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0], "x": [1.0, 1.0, 2.0, 2.0]}))
    >>> float(contrast(mean(d, ["y", "x"]), {"y": 1, "x": -1}).estimate[0])
    1.5
    >>> float(contrast(mean(d, ["y", "x"]), "y / x").estimate[0])
    2.0
    """
    if estimate.vcov is None:
        raise DataError("these estimates have no covariance matrix: estimate without `by`, or with by= and "
                        "covmat=True")
    names = list(estimate.vcov.index)
    if isinstance(coefficients, str) or (isinstance(coefficients, Mapping) and coefficients
                                         and all(isinstance(v, str) for v in coefficients.values())):
        return _nonlinear_contrast(estimate, names, coefficients, level)
    if isinstance(coefficients, Mapping):
        if any(isinstance(v, str) for v in coefficients.values()):
            raise DataError(f"contrast {coefficients!r}: give every contrast as an expression ('a / b') or every "
                            "one as weights ({estimate name: weight}), not both")
        several = all(isinstance(v, Mapping) for v in coefficients.values())
        sets = dict(coefficients) if several else {"contrast": dict(coefficients)}
        unknown = sorted({k for c in sets.values() for k in c} - set(names))
        if unknown:
            raise DataError(f"contrast names {', '.join(map(repr, unknown))} are not estimates; estimates: "
                            f"{', '.join(names)}")
        matrix = np.array([[float(c.get(n, 0.0)) for n in names] for c in sets.values()])
        labels = list(sets)
    else:
        try:
            matrix = np.atleast_2d(np.asarray(coefficients, dtype=float))
        except (TypeError, ValueError):
            raise DataError(f"contrast coefficients {coefficients!r}: give {{estimate name: weight}}, a list of "
                            "weights, one per estimate, or an expression such as 'exp(E - H)'") from None
        if matrix.shape[1] != len(names):
            raise DataError(f"{matrix.shape[1]} coefficients for {len(names)} estimates ({', '.join(names)})")
        labels = [f"contrast{i + 1}" if len(matrix) > 1 else "contrast" for i in range(len(matrix))]
    values = matrix @ estimate.table["estimate"].to_numpy(dtype=float)
    vcov = matrix @ estimate.vcov.to_numpy() @ matrix.T
    reps = estimate.replicates
    return _contrast_estimate(estimate, labels, values, vcov, level,
                              None if reps is None else reps.with_values(reps.values @ matrix.T))


def _nonlinear_contrast(estimate: Estimate, names: list[str], expressions, level: float) -> Estimate:
    """theta_m = g_m(b) for each expression; Var = J V J' (delta method, R `nlcon`), or the replicate variance
    of g_m re-estimated on every replicate when the estimates carry replicates (R `svycontrast.svrepstat`)."""
    texts = {"contrast": expressions} if isinstance(expressions, str) else dict(expressions)
    functions = {label: Expression(text, names) for label, text in texts.items()}
    point = dict(zip(names, estimate.table["estimate"].to_numpy(dtype=float)))
    fitted = [f.evaluate(point, gradient=True) for f in functions.values()]
    values = np.array([float(v) for v, _ in fitted])
    reps = estimate.replicates
    if reps is None:
        jac = np.vstack([g for _, g in fitted])
        return _contrast_estimate(estimate, list(functions), values, jac @ estimate.vcov.to_numpy() @ jac.T, level)
    columns = dict(zip(names, reps.values.T))
    replicates = reps.with_values(np.column_stack([f.evaluate(columns) for f in functions.values()]))
    return _contrast_estimate(estimate, list(functions), values, replicates.cov(values), level, replicates)


def _contrast_estimate(estimate: Estimate, labels: list[str], values, vcov, level: float,
                       replicates: ReplicateEstimates | None = None) -> Estimate:
    se = np.sqrt(np.maximum(np.diag(vcov), 0.0))
    z = stats.norm.ppf(0.5 + level / 2)
    table = pd.DataFrame({"variable": labels, "estimate": values, "se": se, "ci_low": values - z * se,
                          "ci_high": values + z * se})
    return Estimate(table, estimate.statistic, level, pd.DataFrame(vcov, index=labels, columns=labels),
                    replicates=replicates)


def proportion(design, variable: str, by=None, na_rm: bool = False, level: float = 0.95, ci: str = "logit",
               deff_type: str = "wor", return_replicates: bool = False) -> Estimate:
    """Share of each category of `variable`, p_c = sum w 1{y = c} / sum w, with a proportion CI.

    Categories: the pandas categories if the column is categorical, else its sorted distinct values in
    the whole data (so a category absent from a domain shows 0, as R factor levels). CI methods are
    listed in the module docstring; default 'logit' as R `svyciprop`. `return_replicates`: see
    the module docstring (R ``svymean(~factor(y), design, return.replicates = TRUE)``).

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"jk": ["L", "P", "P", "P"]}))
    >>> proportion(d, "jk").to_frame()["estimate"].tolist()
    [0.25, 0.75]
    """
    _check_options(level, deff_type)
    if ci not in CI_METHODS:
        raise DataError(f"ci={ci!r} is not a proportion CI; choose one of {', '.join(CI_METHODS)}")
    keep = _keeps_replicates(design, by, return_replicates)
    domain, labels, notes = domains(design, by)
    if variable not in design.data.columns:
        raise DataError(f"column '{variable}' not found in the data")
    values = design.data[variable]
    missing = np.where(values.isna().to_numpy(), np.nan, 0.0)
    domain = drop_blank_rows(design, [missing], domain, [variable], na_rm, notes)
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = list(values.cat.categories)
    else:
        categories = sorted(values.dropna().unique(), key=lambda v: (str(type(v)), v))
    codes = pd.Categorical(values, categories=categories).codes
    y = np.zeros((len(values), len(categories)))
    has = codes >= 0
    y[np.flatnonzero(has), codes[has]] = 1.0
    fit = fit_mean(design, y, domain, len(labels), covmat=_joint(by, False, keep))
    names = [str(c) for c in categories]
    table = _table(design, fit, domain, labels, names, level, deff_type, "category")
    table.insert(len(labels.columns), "variable", variable)
    low, high = proportion_ci(table["estimate"].to_numpy(), table["se"].to_numpy() ** 2, table["df"].to_numpy(),
                              table["n"].to_numpy(), level, ci)
    table["ci_low"], table["ci_high"] = low, high
    return Estimate(table, "proportion", level, _vcov(fit, _names(labels, names, by)), notes,
                    replicates=fit.replicates if keep else None)


def by(design, by: str | Sequence[str], statistic: Callable[..., Estimate], *args, **kwargs) -> Estimate:
    """Estimates in domains (R `svyby`): ``by(design, "unit", mean, "K1")`` == ``mean(design, "K1", by="unit")``.

    Each domain is estimated with the full design (domain estimation, not a separate sample).

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 5.0]}))
    >>> by(d, "g", mean, "y").to_frame()["estimate"].tolist()
    [2.0, 5.0]
    """
    return statistic(design, *args, by=by, **kwargs)


def proportion_ci(p, var, df, n, level: float = 0.95, method: str = "logit") -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits for proportions p with design variance `var` and design df (see module docstring).

    logit: expit(logit p -/+ t se / (p (1-p)));  wilson: (p + t^2/2m -/+ t sqrt(p(1-p)/m + t^2/4m^2)) /
    (1 + t^2/m), m = p(1-p)/var;  beta: Korn-Graubard with m * (t_{n-1}/t_df)^2;  wald: p -/+ t se.

    >>> [round(float(v), 4) for v in proportion_ci(0.5, 0.0025, np.inf, 100, method="wald")]
    [0.402, 0.598]
    """
    p, var = np.asarray(p, dtype=float), np.asarray(var, dtype=float)
    df, n = np.broadcast_to(np.asarray(df, dtype=float), p.shape), np.broadcast_to(np.asarray(n, float), p.shape)
    t = critical_value(level, df)
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wald":
            return p - t * se, p + t * se
        if method == "logit":
            centre, half = np.log(p / (1 - p)), t * se / (p * (1 - p))
            # p = 0 or 1 (no respondent / every respondent in the category) has no sampling variance here
            degenerate = (var == 0) | (p == 0) | (p == 1)
            return np.where(degenerate, p, _expit(centre - half)), np.where(degenerate, p, _expit(centre + half))
        m = p * (1 - p) / var
        if method == "wilson":
            denom = 1 + t**2 / m
            mid = (p + t**2 / (2 * m)) / denom
            half = t / denom * np.sqrt(p * (1 - p) / m + t**2 / (4 * m**2))
            exact = var == 0
            return np.where(exact, p, mid - half), np.where(exact, p, mid + half)
        if method == "beta":
            alpha = 1 - level
            m = m * (stats.t.ppf(alpha / 2, n - 1) / stats.t.ppf(alpha / 2, df)) ** 2
            low = stats.beta.ppf(alpha / 2, m * p, m * (1 - p) + 1)
            high = stats.beta.ppf(1 - alpha / 2, m * p + 1, m * (1 - p))
            return np.where(p == 0, 0.0, low), np.where(p == 1, 1.0, high)
    raise DataError(f"ci={method!r} is not a proportion CI; choose one of {', '.join(CI_METHODS)}")


# ------------------------------------------------------------------------------------------ engine
@dataclass
class SmoothFit:
    """A smooth statistic g(T) of domain totals T: estimates, variances, influence values and df inputs."""

    estimate: np.ndarray  # D x k
    var: np.ndarray  # D x k
    vcov: np.ndarray | None  # k x k (only when D == 1)
    influence: np.ndarray | None  # n x k, unweighted u_i (zero outside the domains); None from `fit_columns`
    totals: np.ndarray  # D x m
    replicates: ReplicateEstimates | None = None  # a replicate design's estimates behind `vcov`, same order


def fit_smooth(design, y: np.ndarray, g: Callable, jacobian: Callable, domain: np.ndarray,
               n_domains: int, covmat: bool = False) -> SmoothFit:
    """Estimate theta_d = g(T_d), T_d = sum_{i in d} w_i y_i (m totals), in every domain d, with variances.

    `g` maps (..., m) totals to (..., k) statistics; `jacobian` maps D x m totals to D x k x m. Linearization:
    u_i = J_d y_i, Var = design.variance_by(w u) (Binder 1983; R svyrecvar). Replicates: T recomputed with each
    replicate weight column by one sparse matrix product, Var = svrVar. This is the shared engine of
    `mean`, `total`, `ratio`, `proportion` and `riset.skm.ikm_design`. With `covmat`, `vcov` is the full
    (D k) x (D k) covariance of every domain's estimates (domain-major order), as R `svyby(covmat = TRUE)`.
    """
    y = np.asarray(y, dtype=float)
    totals = domain_totals(np.asarray(design.weights), y, domain, n_domains)
    est = g(totals)
    u = linearised_scores(jacobian(totals), y, domain)
    var, vcov, replicates = design.smooth_variance(est, u, y, g, domain, n_domains, covmat)
    return SmoothFit(est, var, vcov, u, totals, replicates)


def domain_totals(w: np.ndarray, y: np.ndarray, domain: np.ndarray, n_domains: int) -> np.ndarray:
    """T_d = sum_{i in d} w_i y_i (n_domains x m; `domain` -1: in none), in one pass: the weights are the entries of
    a column-compressed domain indicator (no n x m product, no sorting)."""
    keep = domain >= 0
    if n_domains == 1:  # one weighted sum per column (BLAS), no indicator
        return (_weights_in(w, keep) @ y).reshape(1, -1)
    return np.asarray(indicator(np.where(keep, domain, 0), n_domains, _weights_in(w, keep)) @ y)


def fit_mean(design, y: np.ndarray, domain: np.ndarray, n_domains: int, covmat: bool = False) -> SmoothFit:
    """Domain means of the columns of `y`: `fit_smooth` of [y, 1] with the ratio g = T_y / T_1, in closed form.

    ybar_d = T_yd / N_d with N_d = sum_{i in d} w_i; the linearization of this ratio (Binder 1983; Lumley
    2010, sec. 2.2) is u_i = (y_i - ybar_d) / N_d in domain d, 0 outside -- the same influence values as the
    Jacobian route, without the n x k column of ones or the n x k x m Jacobian passes. `y` (n x k float,
    owned by the caller) is overwritten with u. Replicate designs take the general `fit_smooth` route.

    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"w": [1.0, 3.0]}), weights="w")
    >>> fit_mean(d, np.array([[2.0], [6.0]]), np.array([0, 0]), 1).estimate.tolist()
    [[5.0]]
    """
    if not design.linearized:
        return fit_smooth(design, _with_ones(np.asarray(y, dtype=float)), mean_totals, mean_jacobian, domain, n_domains,
                          covmat)
    est, totals = _mean_influence(design, y, domain, n_domains)
    var, vcov, _ = design.smooth_variance(est, y, None, None, domain, n_domains, covmat)
    return SmoothFit(est, var, vcov, y, totals)


def _mean_influence(design, y: np.ndarray, domain: np.ndarray, n_domains: int) -> tuple[np.ndarray, np.ndarray]:
    """Domain means (D x k) and their totals [T_y, N_d] (D x 2k) of a linearized design; `y` becomes the influence
    values u_i = (y_i - ybar_d) / N_d (0 outside the domains), in place (`fit_mean`)."""
    w = np.asarray(design.weights)
    keep = domain >= 0
    t_y = domain_totals(w, y, domain, n_domains)
    t_1 = _domain_sums(*kept_rows(keep, domain, w), n_domains=n_domains)
    with np.errstate(divide="ignore", invalid="ignore"):  # a domain emptied by na_rm: NaN, as mean_totals
        est = t_y / t_1[:, None]
        if n_domains == 1:
            y -= est[0]
            y /= t_1[0]
        else:
            d = np.maximum(domain, 0)
            for block in _blocks(*y.shape):  # in place, in cache-sized blocks: no n x k temporaries
                y[block] -= est[d[block]]
                y[block] /= t_1[d[block], None]
    if not keep.all():
        y[~keep] = 0.0
    return est, np.hstack([t_y, np.repeat(t_1[:, None], y.shape[1], axis=1)])


def _total_influence(design, y: np.ndarray, domain: np.ndarray, n_domains: int) -> tuple[np.ndarray, np.ndarray]:
    """Domain totals (D x k), twice (estimates and totals, as `fit_smooth` with `total_totals`); `y` becomes the
    influence values u_i = y_i (0 outside the domains), in place."""
    t = domain_totals(np.asarray(design.weights), y, domain, n_domains)
    y[domain < 0] = 0.0
    return t, t


def fit_columns(design, columns: Sequence[np.ndarray], domain: np.ndarray, n_domains: int,
                statistic: str, deff_type: str) -> tuple[SmoothFit, np.ndarray]:
    """Means or totals (`statistic`) of many columns in a linearized design, a few columns at a time, and their
    variance under SRS (for the deff).

    For one domain the columns (1-D, NaN for blanks; views of the data) are copied `_CHUNK_BYTES` at a time into
    a block whose influence values give each stage's unit totals; stacked, they give the full covariance of all
    the columns (`variance_of_totals`) -- the same numbers as `fit_mean` / `fit_smooth` on all the columns at
    once, without the n x k copy and n x k influence values (on 10^6 rows, 72 MB of fresh memory for 9 columns).
    With domains (`by`) the columns form one block: `variance_by` (each column alone) codes the (PSU, domain)
    pairs anew on every call. Returns the fit (no influence values held) and the SRS variances (D x k).
    """
    w = np.asarray(design.weights)
    # with `by`, every call of variance_by codes the (PSU, domain) pairs again: all the columns in one block
    step = max(1, _CHUNK_BYTES // (8 * max(len(domain), 1))) if n_domains == 1 else len(columns)
    influence = _mean_influence if statistic == "mean" else _total_influence
    est, totals, var_srs, parts = [], [], [], []
    for start in range(0, len(columns), step):
        y = _stack(columns[start:start + step])
        e, t = influence(design, y, domain, n_domains)  # y -> u
        est.append(e)
        totals.append(t)
        var_srs.append(_var_srs(w, y, domain, n_domains, deff_type))
        parts.append(design.unit_totals(y, w) if n_domains == 1 else design.variance_by(y, domain, n_domains, w))
    if n_domains == 1:
        vcov = design.variance_of_totals([np.hstack(z) for z in zip(*parts)])
        var = np.maximum(np.diag(vcov), 0.0)[None, :]
    else:
        vcov, var = None, np.hstack(parts)
    if statistic == "mean":  # [T_y of every column, N_d repeated], as `fit_mean`
        k = len(columns)
        totals = np.hstack([np.hstack([t[:, :t.shape[1] // 2] for t in totals]), np.repeat(totals[0][:, -1:], k, 1)])
    else:
        totals = np.hstack(totals)
    return SmoothFit(np.hstack(est), var, vcov, None, totals), np.hstack(var_srs)


#: cells (rows x columns) per block of the in-place passes over n x k arrays (1 MB: fits the L2 cache)
_CHUNK = 1 << 17
#: bytes of the n x c block of columns `fit_columns` works on at a time
_CHUNK_BYTES = 1 << 23


def linearised_scores(jac: np.ndarray, y: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """u_i = J_{d(i)} y_i (n x k; zero outside the domains) from the D x k x m Jacobians.

    One pass per non-zero (k, m) entry of the Jacobians, so memory stays n x k: gathering J for every
    row first would be an n x k x m array (1.3 GB for 9 means on a million rows).
    """
    u = np.zeros((len(domain), jac.shape[1]))
    if len(jac) == 1:  # one domain: one coefficient per (k, m), no row-wise gather
        for k, m in zip(*np.nonzero(jac[0])):
            u[:, k] += jac[0, k, m] * y[:, m]
    else:
        d = np.maximum(domain, 0)
        for k, m in zip(*np.nonzero((jac != 0).any(axis=0))):
            u[:, k] += jac[d, k, m] * y[:, m]
    u[domain < 0] = 0.0
    return u


def domains(design, by) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    """Domain code per row (-1: weight 0 or blank `by` value), one row of labels per domain, and notes."""
    if not isinstance(design, Design):
        raise DesignError(f"expected a survey design (SurveyDesign or ReplicateDesign), not {type(design).__name__}")
    inside = np.asarray(design.weights) != 0
    notes: list[Note] = []
    if by is None:
        return np.where(inside, 0, -1), pd.DataFrame(index=[0]), notes
    cols = _as_list(by)
    absent = [c for c in cols if c not in design.data.columns]
    if absent:
        raise DataError(f"by column(s) {', '.join(map(repr, absent))} not found in the data")
    frame = design.data[cols]
    blank = frame.isna().any(axis=1).to_numpy() & inside
    if blank.any():
        notes.append(Note("domain_blank_by", {"n": int(blank.sum()), "columns": ", ".join(cols)}))
    use = inside & ~blank
    if not use.any():
        raise DataError(f"by column(s) {', '.join(map(repr, cols))} are blank in every row of the design's domain "
                        f"({int(blank.sum())} row(s)): there is no group to estimate")
    keys = pd.MultiIndex.from_frame(frame[use]) if len(cols) > 1 else pd.Index(frame[cols[0]][use])
    codes, uniques = pd.factorize(keys, sort=True)
    domain = np.full(len(inside), -1, dtype=np.int64)
    domain[use] = codes
    labels = pd.DataFrame(list(uniques), columns=cols) if len(cols) > 1 else pd.DataFrame({cols[0]: list(uniques)})
    return domain, labels, notes


# ------------------------------------------------------------------------------------------ helpers
def mean_totals(t):
    n = t.shape[-1] // 2
    return t[..., :n] / t[..., n:]


def mean_jacobian(t):
    """mean of y_j = T_yj / T_1j; the last half of the columns are the weights' indicator columns."""
    n = t.shape[-1] // 2
    jac = np.zeros((t.shape[0], n, 2 * n))
    idx = np.arange(n)
    jac[:, idx, idx] = 1 / t[:, n:]
    jac[:, idx, n + idx] = -t[:, :n] / t[:, n:] ** 2
    return jac


def ratio_totals(t):
    return t[..., :1] / t[..., 1:2]


def ratio_jacobian(t):
    return np.stack([1 / t[:, 1], -t[:, 0] / t[:, 1] ** 2], axis=-1)[:, None, :]


def total_totals(t):
    return t


def total_jacobian(t):
    return np.broadcast_to(np.eye(t.shape[1]), (t.shape[0], t.shape[1], t.shape[1]))


def _linear_family(design, cols, by, na_rm, level, deff_type, statistic, covmat=False,
                   return_replicates=False) -> Estimate:
    _check_options(level, deff_type)
    keep = _keeps_replicates(design, by, return_replicates)
    domain, labels, notes = domains(design, by)
    columns = numeric_columns(design, cols)
    domain = drop_blank_rows(design, columns, domain, cols, na_rm, notes)
    joint = _joint(by, covmat, keep)
    if design.linearized and not joint:
        fit, var_srs = fit_columns(design, columns, domain, len(labels), statistic, deff_type)
    elif statistic == "mean":
        fit, var_srs = fit_mean(design, _stack(columns), domain, len(labels), covmat=joint), None
    else:
        fit = fit_smooth(design, _stack(columns), total_totals, total_jacobian, domain, len(labels), covmat=joint)
        var_srs = None
    table = _table(design, fit, domain, labels, cols, level, deff_type, "variable", var_srs)
    return Estimate(table, statistic, level, _vcov(fit, _names(labels, cols, by)), notes,
                    replicates=fit.replicates if keep else None)


def _keeps_replicates(design, by, return_replicates: bool) -> bool:
    """Whether the estimate keeps its replicate estimates (module docstring): asked for, on a replicate
    design. On a linearization design R's svymean/svytotal/svyratio take no such argument (it is ignored),
    and svyby stops, as `by` here does."""
    if return_replicates and by is not None and design.linearized:
        raise DesignError("return_replicates=True with `by` needs a replicate design (riset.survey.replicate."
                          "as_replicate): a linearization design has no replicate estimates to return")
    return bool(return_replicates) and not design.linearized


def _joint(by, covmat: bool, keep: bool) -> bool:
    """Whether the domains' estimates are estimated jointly (their full covariance): with `by`, for ``covmat``
    or for the replicate estimates kept (R svyby computes both from the same replicates)."""
    return by is not None and (covmat or keep)


def _names(labels: pd.DataFrame, names, by) -> list[str]:
    """Names of the estimates in table order: the variables, or 'domain:variable' (R svyby's coefficient
    names; the domain alone for one variable)."""
    names = [str(n) for n in names]
    if by is None:
        return names
    domains = [".".join(str(v) for v in row) for row in labels.itertuples(index=False)]
    return [d if len(names) == 1 else f"{d}:{n}" for d in domains for n in names]


def _with_ones(y: np.ndarray) -> np.ndarray:
    """[y, 1, ..., 1]: the mean of each column is a ratio to the total of the weights."""
    return np.hstack([y, np.ones_like(y)])


def _table(design, fit: SmoothFit, domain, labels: pd.DataFrame, names, level, deff_type, key,
           var_srs=None) -> pd.DataFrame:
    """The estimates' table; `var_srs` (D x k) as `_var_srs` of the fit's influence values when not given."""
    n_dom, k = fit.estimate.shape
    w = np.asarray(design.weights)
    df = design.df_by(domain, n_dom)
    t = critical_value(level, df)[:, None]
    se = np.sqrt(fit.var)
    if var_srs is None:
        var_srs = _var_srs(w, fit.influence, domain, n_dom, deff_type)
    with np.errstate(divide="ignore", invalid="ignore"):
        # no SRS variance (weights sum to n, so 1 - n/N = 0): deff undefined, NaN (R gives Inf/NA)
        deff = np.where(var_srs > 0, fit.var / var_srs, np.nan)
    n = domain_sizes(domain, n_dom)
    frame = labels.loc[labels.index.repeat(k)].reset_index(drop=True)
    frame[key] = np.tile(np.asarray(names, dtype=object), n_dom)
    frame["estimate"] = fit.estimate.ravel()
    frame["se"] = se.ravel()
    frame["ci_low"] = (fit.estimate - t * se).ravel()
    frame["ci_high"] = (fit.estimate + t * se).ravel()
    frame["deff"] = deff.ravel()
    frame["deff_kish"] = np.repeat(domain_kish(w, domain, n_dom), k)
    frame["n"] = np.repeat(n, k)
    frame["df"] = np.repeat(df, k).astype(int)
    return frame


def _var_srs(w, u, domain, n_dom, deff_type) -> np.ndarray:
    """Variance under SRS of the same size: s_u^2 N^2 (1 - n/N) / n (R svymean/svytotal deff)."""
    keep = domain >= 0
    d, wk = kept_rows(keep, domain, w)
    big_n, n = _domain_sums(d, wk, n_domains=n_dom), _domain_sums(d, n_domains=n_dom)
    if n_dom == 1:
        # one domain: weighted sums by BLAS, the centred squares in cache-sized blocks (no n x k copies)
        w_in = _weights_in(w, keep)
        with np.errstate(divide="ignore", invalid="ignore"):  # no row left (na_rm): NaN, as the estimate
            ubar = (w_in @ u)[None, :] / big_n[:, None]
        ss = np.zeros((1, u.shape[1]))
        for block in _blocks(*u.shape):
            centred = u[block] - ubar
            ss[0] += w_in[block] @ (centred * centred)
    else:
        (uk,) = kept_rows(keep, u)
        ubar = np.stack([np.bincount(d, weights=wk * uk[:, j], minlength=n_dom) for j in range(u.shape[1])], 1)
        ubar = ubar / big_n[:, None]
        ss = np.stack([np.bincount(d, weights=wk * (uk[:, j] - ubar[d, j]) ** 2, minlength=n_dom)
                       for j in range(u.shape[1])], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = ss / big_n[:, None] * (n / (n - 1))[:, None]
        factor = big_n**2 / n if deff_type == "wr" else big_n**2 * (big_n - n) / (big_n * n)
        return s2 * factor[:, None]


def domain_kish(w, domain, n_dom) -> np.ndarray:
    """Kish's design effect of unequal weights per domain, n sum w^2 / (sum w)^2."""
    d, wk = kept_rows(domain >= 0, domain, w)
    squares = np.array([wk @ wk]) if n_dom == 1 else np.bincount(d, weights=wk**2, minlength=n_dom)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _domain_sums(d, n_domains=n_dom) * squares / _domain_sums(d, wk, n_domains=n_dom) ** 2


def domain_sizes(domain: np.ndarray, n_domains: int) -> np.ndarray:
    """Rows in each domain (`domain` codes 0..n_domains-1, -1: in none)."""
    return _domain_sums(kept_rows(domain >= 0, domain)[0], n_domains=n_domains).astype(int)


def _domain_sums(d: np.ndarray, values: np.ndarray | None = None, *, n_domains: int) -> np.ndarray:
    """Per domain, the sum of `values` (the count of rows when None) over rows with domain code `d` (rows in no
    domain already left out): `np.bincount`, or one sum for a single domain (every code 0)."""
    if n_domains == 1:
        return np.array([float(len(d)) if values is None else values.sum()])
    return np.bincount(d, weights=values, minlength=n_domains).astype(float)


def critical_value(level: float, df) -> np.ndarray:
    """t quantile t_{df, (1+level)/2} for a two-sided CI (normal quantile where df is infinite).

    >>> round(float(critical_value(0.95, 14)), 4)
    2.1448
    """
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(df), stats.norm.ppf(0.5 + level / 2), stats.t.ppf(0.5 + level / 2, np.maximum(df, 0)))


def _expit(x):
    return 1 / (1 + np.exp(-x))


def _vcov(fit: SmoothFit, names) -> pd.DataFrame | None:
    if fit.vcov is None:
        return None
    return pd.DataFrame(fit.vcov, index=list(names), columns=list(names))


def numeric_columns(design, cols) -> list[np.ndarray]:
    """The columns as 1-D float arrays (NaN for blanks): views of the data where they are already float64."""
    absent = [c for c in cols if c not in design.data.columns]
    if absent:
        raise DataError(f"column(s) {', '.join(map(repr, absent))} not found in the data")
    return [_numeric_column(design, col) for col in cols]


def _stack(columns: Sequence[np.ndarray]) -> np.ndarray:
    """The columns as one n x k float array with blanks as 0 (their rows already left out of the domains),
    filled in row blocks that stay in cache."""
    out = np.empty((len(columns[0]), len(columns)))
    for block in _blocks(*out.shape):
        for j, values in enumerate(columns):
            out[block, j] = values[block]
        np.nan_to_num(out[block], copy=False)
    return out


def _numeric_column(design, col) -> np.ndarray:
    """A column as a 1-D array of numbers, NaN for blanks: the data's own array when it holds numpy numbers (no
    copy; integers become floats where they are stacked), text converted; an infinite value is refused."""
    raw = design.data[col]
    if pd.api.types.is_numeric_dtype(raw.dtype):  # already numbers: no text to check
        # numpy dtypes keep NaN as NaN; nullable ones (Int64, Float64) need na_value for pd.NA
        values = raw.to_numpy() if isinstance(raw.dtype, np.dtype) else raw.to_numpy(dtype=float, na_value=np.nan)
    else:
        num = pd.to_numeric(raw, errors="coerce")
        bad = (raw.notna() & num.isna()).to_numpy()
        if bad.any():
            row = design.data.index[np.argmax(bad)]
            raise DataError(
                f"column '{col}' has value {raw.loc[row]!r} in row {row}; a number is needed "
                f"({int(bad.sum())} such row(s)); for categories use proportion()"
            )
        values = num.to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        row = design.data.index[np.argmax(infinite)]
        raise DataError(f"column '{col}' has value {values[np.argmax(infinite)]} in row {row} "
                        f"({int(infinite.sum())} such row(s)); a finite number is needed")
    return values


def _blocks(n: int, k: int):
    """Slices of rows covering 0..n, `_CHUNK` cells of an n x k array each: passes that stay in cache."""
    return row_blocks(n, max(1, _CHUNK // max(k, 1)))


def _weights_in(w: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The weights with 0 outside the domains (`keep` False); `w` itself when every row is in one."""
    return w if keep.all() else np.where(keep, w, 0.0)


def drop_blank_rows(design, columns: Sequence[np.ndarray], domain, cols, na_rm, notes) -> np.ndarray:
    """`domain` with the rows blank in any of the columns (1-D, NaN for blank) left out (-1), as R na.rm=TRUE;
    an error naming the first blank when not `na_rm`."""
    blank = np.zeros(len(domain), dtype=bool)
    for values in columns:
        blank |= np.isnan(values)
    blank &= domain >= 0
    if not blank.any():
        return domain
    if not na_rm:
        first = np.argmax(blank)
        row = design.data.index[first]
        col = next(c for c, values in zip(cols, columns) if np.isnan(values[first]))
        raise DataError(
            f"column '{col}' is blank in row {row} ({int(blank.sum())} row(s) with a blank in {', '.join(cols)}); "
            "pass na_rm=True to estimate over the answered rows (as R na.rm=TRUE)"
        )
    notes.append(Note("rows_blank_excluded", {"n": int(blank.sum()), "columns": ", ".join(cols)}))
    return np.where(blank, -1, domain)


def check_level(level) -> None:
    """Refuse a confidence level that is not a number strictly between 0 and 1."""
    if isinstance(level, bool) or not isinstance(level, (int, float, np.number)) or not 0 < level < 1:
        raise DataError(f"level={level}; a confidence level lies between 0 and 1 (e.g. 0.95)")


def _check_options(level, deff_type) -> None:
    check_level(level)
    if deff_type not in DEFF_TYPES:
        raise DataError(f"deff_type={deff_type!r}; choose 'wor' (R deff=TRUE) or 'wr' (R deff='replace')")


def _as_list(value) -> list:
    """Column names: one name (text, or any other label such as a number) or a list / tuple / Index of them;
    at least one."""
    names = list(value) if isinstance(value, (list, tuple, pd.Index, np.ndarray)) else [value]
    if not names:
        raise DataError("no column given; name at least one column")
    return names
