"""Design-based quantiles with Woodruff or score confidence intervals (R `svyquantile`).

Quantiles (Woodruff 1952, R `svyquantile(..., qrule = "math", interval.type = "mean")`, survey >= 4.1):
q_p = smallest y with weighted CDF F(y) >= p (the lowest y when p is below the first cumulative weight share,
as survey >= 4.4); CI: p_hat = mean of 1{y <= q_p} with design SE,
[p_hat -/+ t SE] mapped back through the same rule; SE = CI width / (2 t). `interval_type="score"` (R's
interval.type = "score", survey >= 4.1) inverts the design-based score test of U_i = 1{y_i > q} - (1 - p)
instead (Francisco & Fuller 1991; see `_score_interval`). The rules see the weights as R's 1 / (1 / w).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from riset.errors import DataError
from riset.survey.distributions import uniroot
from riset.survey.estimate import (Estimate, check_level, critical_value, domain_kish, domain_sizes, domains,
                                   drop_blank_rows, fit_mean, numeric_columns)

__all__ = ["INTERVAL_TYPES", "QRULES", "qrule_math", "quantile"]


def quantile(design, variable: str, probs: float | Sequence[float] = 0.5, by=None, na_rm: bool = False,
             level: float = 0.95, qrule: str = "math", interval_type: str = "mean") -> Estimate:
    """Weighted quantiles with Woodruff CIs (R `svyquantile(qrule=, interval.type=)`); `qrule` one of
    `QRULES` (R's rules: "math" = hf1, "school" = hf2, hf3-hf9, "shahvaish"), used for the estimate and the
    CI ends. The CI of F(q) = P(y <= q) behind the Woodruff interval is, by `interval_type` (R's): "mean"
    p +- t se; "xlogit" on log(p/(1-p)); "asin" on asin(sqrt p); "beta" Clopper-Pearson with the effective
    n = p(1-p)/var scaled by (t_{n-1}/t_df)^2. A CI end whose probability falls outside [0, 1] is NaN, as in R.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"y": [3.0, 1.0, 2.0, 4.0]}))
    >>> quantile(d, "y", 0.5).estimate.tolist()   # smallest y with F(y) >= 0.5
    [2.0]
    """
    check_level(level)
    if qrule not in QRULES:
        raise DataError(f"qrule={qrule!r}; allowed: {', '.join(QRULES)}")
    if interval_type not in INTERVAL_TYPES:
        raise DataError(f"interval_type={interval_type!r}; allowed: {', '.join(INTERVAL_TYPES)}")
    rule = QRULES[qrule]
    if interval_type == "score" and not design.linearized:
        raise DataError("interval_type='score' is for Taylor (linearization) designs, as in R; a replicate "
                        f"design takes one of {', '.join(t for t in INTERVAL_TYPES if t != 'score')}")
    try:
        p = np.atleast_1d(np.asarray(probs, dtype=float))
    except (TypeError, ValueError):
        raise DataError(f"probs={probs!r}; give probabilities between 0 and 1, e.g. 0.5 for the median") from None
    if ((p <= 0) | (p >= 1)).any():
        raise DataError(f"probs must lie strictly between 0 and 1; got {p.tolist()}")
    domain, labels, notes = domains(design, by)
    (y,) = numeric_columns(design, [variable])
    domain = drop_blank_rows(design, [y], domain, [variable], na_rm, notes)
    y = np.nan_to_num(np.asarray(y, dtype=float))
    n_dom = len(labels)
    w = _rule_weights(design)
    members = [np.flatnonzero(domain == d) for d in range(n_dom)]
    qhat = np.array([[rule(y[m], w[m], pk) for pk in p] for m in members]).reshape(n_dom, len(p))
    df = design.df_by(domain, n_dom)
    t = critical_value(level, df)[:, None]
    n = domain_sizes(domain, n_dom)
    if interval_type == "score":
        low, high = _score_interval(design, y, w, domain, members, p, t[:, 0], rule)
    else:
        low, high = _woodruff_interval(design, y, w, domain, members, p, qhat, df, t, n, level, interval_type, rule)
    kish = domain_kish(np.asarray(design.weights), domain, n_dom)
    rows = []
    for d in range(n_dom):
        for k in range(len(p)):
            rows.append({**labels.iloc[d].to_dict(), "variable": variable, "p": p[k], "estimate": qhat[d, k],
                         "se": (high[d, k] - low[d, k]) / (2 * t[d, 0]), "ci_low": low[d, k], "ci_high": high[d, k],
                         "deff": np.nan, "deff_kish": kish[d], "n": int(n[d]), "df": int(df[d])})
    return Estimate(pd.DataFrame(rows), "quantile", level, None, notes)


#: The CIs of a quantile (R svyquantile's interval.type): Woodruff intervals built on a CI of F(q), and "score".
INTERVAL_TYPES = ("mean", "beta", "xlogit", "asin", "score")


def _rule_weights(design) -> np.ndarray:
    """The weights the quantile rules see: 1 / (1 / w), as R's weights(design) = 1 / prob with prob = 1 / w.
    They differ from w by at most an ulp, but a quantile at a share k/n of equal weights sits exactly on a
    cumulative weight, where that ulp decides between two neighbouring values (the score interval always
    lands there)."""
    with np.errstate(divide="ignore"):
        return 1 / (1 / np.asarray(design.weights, dtype=float))


def _woodruff_interval(design, y, w, domain, members, p, qhat, df, t, n, level, interval_type, rule):
    """Woodruff CI ends, D x k: the CI of F(q_p) mapped back through the quantile rule (R `woodruffCI`); `n` the
    rows in each domain."""
    n_dom = len(members)
    below = (y[:, None] <= qhat[np.maximum(domain, 0)]).astype(float)
    fit = fit_mean(design, below, domain, n_dom)
    p_low, p_high = _woodruff_probabilities(fit.estimate, fit.var, t, df, n, level, interval_type)
    low = np.full_like(qhat, np.nan)
    high = np.full_like(qhat, np.nan)
    for d, m in enumerate(members):
        for k in range(len(p)):
            if p_low[d, k] >= 0:
                low[d, k] = rule(y[m], w[m], p_low[d, k])
            if p_high[d, k] <= 1:
                high[d, k] = rule(y[m], w[m], p_high[d, k])
    return low, high


def _score_interval(design, y, w, domain, members, p, t, rule):
    """Score (test-inversion) CI ends of the quantiles, D x k, as R `svyquantile(interval.type = "score")`
    (R's `ffullerCI`, survey >= 4.1; Francisco & Fuller 1991, Binder 1991): with the estimating function
    U_i(theta) = 1{y_i > theta} - (1 - p) and its design-based mean and SE in the domain,

        Z(theta) = mean(U(theta)) / SE(mean(U(theta))),

    theta_low solves Z = t and theta_high solves Z = -t (t = t_{df, 1 - alpha/2}) by R's `uniroot` on
    [min y + IQR/100, max y - IQR/100] with tolerance 1 / (100 sqrt(n)) (n rows of the domain; IQR of the
    unweighted type-7 quartiles); the CI ends are the quantile rule at the *unweighted* share of rows with
    y <= theta (R: qrule(x, w, mean(x <= qlow))). Z is a step function, so the tolerance decides where the
    root lands; riset repeats R's root finder step for step. Where Z does not change sign on the interval
    R stops with an error; riset gives NaN for that end."""
    low = np.full((len(members), len(p)), np.nan)
    high = np.full_like(low, np.nan)
    for d, m in enumerate(members):
        x = y[m]
        one = np.where(domain == d, 0, -1)
        quartiles = np.percentile(x, [25, 75])
        lower, upper = x.min() + (quartiles[1] - quartiles[0]) / 100, x.max() - (quartiles[1] - quartiles[0]) / 100
        tol = 1 / (100 * np.sqrt(len(x)))
        for k, pk in enumerate(p):
            def z(theta, limit, pk=pk):
                fit = fit_mean(design, ((y > theta) - (1 - pk))[:, None].astype(float), one, 1)
                return float(fit.estimate[0, 0] / np.sqrt(fit.var[0, 0])) - limit

            for out, limit in ((low, t[d]), (high, -t[d])):
                try:
                    theta = uniroot(lambda th: z(th, limit), lower, upper, tol=tol)
                except DataError:
                    continue
                out[d, k] = rule(x, w[m], float(np.mean(x <= theta)))
    return low, high


def _woodruff_probabilities(p, var, t, df, n, level, interval_type):
    """Lower and upper probability of the Woodruff interval (R `woodruffCI`), D x k."""
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        if interval_type == "mean":
            return p - t * se, p + t * se
        if interval_type == "xlogit":
            centre, spread = np.log(p / (1 - p)), t * se / (p * (1 - p))
            return 1 / (1 + np.exp(-(centre - spread))), 1 / (1 + np.exp(-(centre + spread)))
        if interval_type == "asin":
            centre, spread = np.arcsin(np.sqrt(p)), t * se / (2 * np.sqrt(p * (1 - p)))
            return np.sin(centre - spread) ** 2, np.sin(centre + spread) ** 2
        alpha = 1 - level
        n_eff = p * (1 - p) / var * (stats.t.ppf(alpha / 2, n - 1)[:, None] / stats.t.ppf(alpha / 2, df)[:, None]) ** 2
        return (stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1),
                stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)))


def _sorted_cumulative(y: np.ndarray, w: np.ndarray):
    """Rows with non-zero weight sorted by y, their weights, and the cumulative weights as R computes them
    (cumsum() and sum() in extended precision, rounded to double: equal-weight ties resolve as in R)."""
    keep = w != 0
    y, w = y[keep], w[keep]
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cumw = np.cumsum(ws.astype(np.longdouble)).astype(float)
    total = float(np.cumsum(w.astype(np.longdouble))[-1]) if len(w) else 0.0
    return ys, ws, cumw, total


def _qs(ys, cumw, total, p):
    """R survey's `qs`: the last position whose cumulative weight is <= p W (the first when there is none),
    the next one, and the weight shares below (wlow) and above (wup)."""
    pos = max(int(np.searchsorted(cumw, p * total, side="right")), 1)  # R `last`: 1 when none
    nxt = min(pos + 1, len(ys))
    return ys[pos - 1], ys[nxt - 1], pos, p - cumw[pos - 1] / total, cumw[nxt - 1] / total - p


def _interpolate(pk, ys, p):
    return float(np.interp(p, pk, ys))  # R approx(method="linear", rule=2): ends held constant


def qrule_math(y: np.ndarray, w: np.ndarray, p: float) -> float:
    """Smallest y whose weighted CDF reaches p (R survey `qrule_math`; Hyndman & Fan type 1 with weights).

    >>> qrule_math(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4), 0.5)
    2.0
    """
    return QRULES["math"](y, w, p)


# math, school and hf3 take the low value also when p W lies below the first cumulative weight (wlow < 0), as
# R survey >= 4.4 (`wlow <= 0`; 4.1-4.3 took the second value there, so hf1 quantiles could decrease in p)
def _rule_math(ys, ws, cumw, total, p):
    low, up, _, wlow, _ = _qs(ys, cumw, total, p)
    return low if wlow <= 0 else up


def _rule_school(ys, ws, cumw, total, p):
    low, up, _, wlow, _ = _qs(ys, cumw, total, p)
    return (low + up) / 2 if wlow <= 0 else up


def _rule_hf3(ys, ws, cumw, total, p):
    values, start = np.unique(ys, return_index=True)  # weights summed over equal values (R rowsum)
    sums = np.add.reduceat(ws, start) if len(ws) else ws
    cum = np.cumsum(sums.astype(np.longdouble)).astype(float)
    low, up, pos, wlow, _ = _qs(values, cum, total, p)
    return low if wlow <= 0 and pos % 2 == 0 else up


def _rule_hf4(ys, ws, cumw, total, p):
    low, up, _, wlow, wup = _qs(ys, cumw, total, p)
    gamma = wlow / (wup + wlow)
    return low * (1 - gamma) + up * gamma


def _plotting_rule(position):
    def rule(ys, ws, cumw, total, p):
        return _interpolate(position(ws, cumw), ys, p)
    return rule


def _rule_shahvaish(ys, ws, cumw, total, p):
    n = len(ys)
    pk = (np.cumsum(ws / ws.mean()) + 0.5 - ws / 2) / (n + 1)  # as R: the raw weight in "- w / 2"
    # R approx(method="constant", f=0, rule=2): points sorted by pk, equal pk averaged (ties = mean)
    order = np.argsort(pk, kind="stable")
    knots, start = np.unique(pk[order], return_index=True)
    values = np.add.reduceat(ys[order], start) / np.diff(np.append(start, n))
    i = int(np.searchsorted(knots, p, side="right")) - 1
    return float(values[min(max(i, 0), len(knots) - 1)])


#: Quantile rules of R survey (`svyquantile(qrule=)`): Hyndman & Fan's types 1-9 with weights, the "school"
#: midpoint rule and Shah & Vaish; each maps (sorted y, their weights, cumulative weights, total, p) to q.
_RULES = {
    "math": _rule_math, "hf1": _rule_math, "school": _rule_school, "hf2": _rule_school, "hf3": _rule_hf3,
    "hf4": _rule_hf4,
    "hf5": _plotting_rule(lambda w, c: (c - w / 2) / c[-1]),
    "hf6": _plotting_rule(lambda w, c: c / (c[-1] + w[-1])),
    "hf7": _plotting_rule(lambda w, c: np.concatenate([[0.0], c[:-1]]) / c[-2]),
    "hf8": _plotting_rule(lambda w, c: (np.concatenate([[0.0], c[:-1]]) / 3 + c * 2 / 3) / (c[-1] + w[-1] / 3)),
    "hf9": _plotting_rule(lambda w, c: (np.concatenate([[0.0], c[:-1]]) * 3 / 8 + c * 5 / 8) / (c[-1] + w[-1] / 4)),
    "shahvaish": _rule_shahvaish,
}


def _quantile_rule(rule):
    def q(y, w, p):
        ys, ws, cumw, total = _sorted_cumulative(np.asarray(y, dtype=float), np.asarray(w, dtype=float))
        return np.nan if len(ys) == 0 else float(rule(ys, ws, cumw, total, p))
    return q


QRULES = {name: _quantile_rule(rule) for name, rule in _RULES.items()}
