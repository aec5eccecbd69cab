"""Survey-weighted regression: linear, logistic and proportional-odds ordinal logit (R `svyglm`, `svyolr`).

Why are people satisfied? Overall satisfaction is regressed on the service factors plus controls (unit,
demographics) with the sampling design taken into account. Point estimates maximise the *weighted*
(pseudo-)likelihood; standard errors come from the design-based sandwich (Binder 1983; Lumley 2010,
ch. 5), exactly as R survey computes them:

    score contributions   U_i = w_i * d log l_i / d theta            (n x p; zero for rows not used)
    bread                 A   = - sum_i w_i d2 log l_i / d theta2     (p x p, observed information)
    influence             x_i = U_i A^{-1}                            (R: estfun %*% Ainv, svy.varcoef)
    Var(theta_hat)        = design.variance(x)                        (svyrecvar: strata, PSU, FPC, stages)

  linear   (svyglm gaussian):        U_i = w_i x_i (y_i - x_i'b),       A = X'WX
  logistic (svyglm quasibinomial):   U_i = w_i x_i (y_i - mu_i),        A = X' W diag(mu(1-mu)) X
  ordinal  (svyolr, logit link):     logit P(Y <= k) = zeta_k - x'b  (MASS::polr parametrisation: no
                                     intercept; cut-points zeta_1 < ... < zeta_{K-1}, named "a|b")

Replicate-weight designs (`riset.survey.replicate.ReplicateDesign`: JK1, JKn, bootstrap, BRR) are handled as
R's svyglm/svyolr methods for svrepdesign: the model is refitted with every replicate weight column
(starting from the full-sample estimate) and Var = scale * sum_r rscale_r (b_r - b_bar)(b_r - b_bar)'.

Inference as R: t tests with residual df = design df + 1 - p for svyglm (df = PSUs - strata of the rows used, R
`degf`), design df - (number of slopes) for svyolr; the Wald F test of a group of terms is R's `regTermTest` (F = b'
V^-1 b / q on (q, residual df)); `term_test(method="LRT")` is its Rao-Scott working likelihood-ratio test (the drop
in weighted deviance against sum_i lambda_i chi^2_1, lambda_i the design effects of the tested coefficients; R
`regTermTest(method = "LRT")`, Lumley & Scott 2014; linear, logistic and ordinal); `score_test` the Rao-Scott
working score test from the smaller model (R `svyscoretest`, Rao, Scott & Skinner 1998; linear, logistic). Rows
with a blank in any model variable are left out and reported (`n_dropped`, `dropped_by`); the design keeps all its
PSUs, as R's svyglm does (the left-out rows get zero influence), so SEs are domain-correct.

The ordinal model is fitted by Newton-Raphson on the weighted log-likelihood with analytic gradient and
Hessian (it is concave in (b, zeta), Pratt 1981), so the estimates are the exact MLE; R's svyolr stops
BFGS at reltol 1e-8 and differentiates the gradient numerically, which moves its printed values by up to
about 1e-3 relative -- the golden tests compare against svyolr run with a tight optimizer control.

Calibrated designs (riset.survey.weighting) are covered too: `design.variance` applies the calibration residuals
to x first, as R's svyrecvar applies `postStrata`.

Public API: `linear`, `logistic`, `ordinal` (formula, design) -> `ModelResult` with `.params`, `.se`, `.cov`,
`.tvalues`, `.pvalues`, `.deff` (linear, logistic), `.predict(newdata, total=)` (linear, logistic; R
predict.svyglm), `.conf_int()`, `.wald_test(terms)`, `.term_test(terms, method="LRT")`, `.score_test(terms)`
(linear, logistic), `.r2` (linear), `.vif()`, `.residuals()` /
`.normality()` (residual checks), `.to_frame()`, `.summary()`. The SKM formula (overall satisfaction on the unsur
in regulation order) is `riset.skm.drivers.satisfaction_formula`.

Labels: columns are shown through ``labels=`` (column -> display name, e.g. the unsur names from
`riset.skm.drivers.unsur_labels`); tables and summaries in Indonesian (``lang="en"`` for English).

Example
-------
>>> import numpy as np, pandas as pd
>>> from riset.survey.design import SurveyDesign
>>> from riset.survey.models import linear
>>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 5.5, 6.0], "x": [1, 2, 3, 4, 5, 6], "w": [1, 2, 1, 2, 1, 2]})
>>> fit = linear("y ~ x", SurveyDesign(df, weights="w"))
>>> round(float(fit.params["x"]), 4)
1.0385
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import linalg, special, stats

from riset.survey.base import Design
from riset.errors import DataError, RisetError
from riset.i18n import Note, check_language, fmt_p, label, say
from riset.survey.distributions import pfsum
from riset.survey.estimate import Estimate, check_level, critical_value
from riset.survey.model_tests import LikelihoodRatioTest, ScoreTest, WaldTest
from riset.survey.model_frame import (Kind, ModelFrame, check_collinear, model_frame, new_model_matrix, plain_number,
                                      r_factor)

__all__ = ["LikelihoodRatioTest", "linear", "logistic", "ModelResult", "ordinal", "ScoreTest", "VIF_LIMIT",
           "WaldTest"]


#: VIF at or above this flags multicollinearity (the rule of thumb SKM reviewers use).
VIF_LIMIT = 10.0

_HEAD_KEYS = ("variable", "estimate", "std_error", "t", "p", "ci_lower", "ci_upper", "significant", "odds_ratio",
              "or_lower", "or_upper", "yes", "no", "intercept", "cut", "multicollinear")


def _head(lang: str | None) -> dict[str, str]:
    """Table headers and words of the model tables in `lang` (catalog entries ``model_col_*``)."""
    return {k: say(f"model_col_{k}", lang) for k in _HEAD_KEYS}


# ============================================================================ results
@dataclass
class ModelResult:
    """A fitted survey-weighted model: coefficients, design-based covariance and diagnostics.

    `params` (Series, by term), `cov` (DataFrame), `df_resid` (df of the t and F tests), `n` (rows used),
    `n_dropped` and `dropped_by` (rows left out for blanks, per variable), `notes` (what a reader must know),
    `labels` (column -> display label) for tables.
    `X`, `y`, `weights` and `rows` are the model matrix, outcome, weights and row labels of the respondents
    used; linear/logistic keep `fitted` (response scale) for `residuals()`; ordinal keeps `levels` (outcome
    categories, lowest first; cut-points come after the `n_slopes` slopes in `params`).
    """

    kind: Kind
    formula: str
    outcome: str
    params: pd.Series
    cov: pd.DataFrame
    df_resid: int
    design_df: int
    n: int
    n_dropped: int
    dropped_by: dict[str, int]
    term_columns: dict[str, list[str]]
    labels: dict[str, str]
    weights: np.ndarray = field(repr=False)
    rows: pd.Index = field(repr=False)
    X: pd.DataFrame = field(repr=False)
    y: np.ndarray = field(repr=False)
    fitted: np.ndarray | None = field(default=None, repr=False)
    levels: tuple | None = None
    notes: list[str] = field(default_factory=list)
    weight_mean: float = field(default=1.0, repr=False)  # mean design weight (R svyglm's rescaling)
    design: Design | None = field(default=None, repr=False)  # the design fitted on (score test)
    used: np.ndarray | None = field(default=None, repr=False)  # bool over the design's rows: the rows used

    # ------------------------------------------------------------------ inference
    @property
    def se(self) -> pd.Series:
        """Design-based standard errors, sqrt(diag(cov))."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index, name="se")

    @property
    def tvalues(self) -> pd.Series:
        return (self.params / self.se).rename("t")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p of t = b / se on `df_resid` degrees of freedom (R summary.svyglm)."""
        p = 2 * stats.t.sf(np.abs(self.tvalues), self.df_resid)
        return pd.Series(p, index=self.params.index, name="p")

    @property
    def n_slopes(self) -> int:
        """Number of coefficients that are not ordinal cut-points."""
        return len(self.params) - (len(self.levels) - 1 if self.kind == "ordinal" else 0)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """b -/+ t_{(1+level)/2, df_resid} se (R confint.svyglm uses the same t quantile with ddf)."""
        _check_level(level)
        q = stats.t.ppf(0.5 + level / 2, self.df_resid)
        return pd.DataFrame({"lower": self.params - q * self.se, "upper": self.params + q * self.se})

    def predict(self, newdata: pd.DataFrame, total: float | None = None, scale: str = "link", vcov: bool = False,
                level: float = 0.95):
        """Predictions for the rows of `newdata` with their design-based SEs (R `predict.svyglm`):

            eta = x'b,  Var(eta) = x' V x;  on the response scale mu = h(eta), Var(mu) = h'(eta)^2 Var(eta)

        (delta method; h the inverse link: the identity for a linear model, expit for a logistic one). With
        `total` (the population size N) `newdata` holds population totals of the predictors and the intercept
        column becomes N: x'b is then the regression estimator of the outcome's total (R ``predict(fit,
        newdata, total = N)``; equal to the total of the outcome in the design calibrated to N and those totals).
        `newdata` needs the formula's columns; text columns take the categories of the fitted data. Formulas
        with I(), C() or interactions are refused (write the model with plain columns). Returns an
        `riset.survey.estimate.Estimate` (one row per row of `newdata`, t CI on `df_resid`; `vcov` with
        ``vcov=True``).
        """
        check_level(level)
        if self.kind == "ordinal":
            raise RisetError("predict() is for linear and logistic models (an ordinal model predicts categories)")
        if scale not in ("link", "response"):
            raise DataError(f"scale={scale!r}; choose 'link' (x'b) or 'response' (the outcome's scale)")
        if not isinstance(newdata, pd.DataFrame) or newdata.empty:
            raise DataError("newdata must be a data frame with at least one row of the model's predictors")
        fitted = self.design.data.loc[self.used] if self.design is not None else None
        x = new_model_matrix(self.term_columns, newdata, fitted, total)
        v = self.cov.to_numpy()
        eta = x @ self.params.to_numpy()
        var = np.einsum("ij,jk,ik->i", x, v, x)
        gradient = np.ones_like(eta)
        if scale == "response" and self.kind == "logistic":
            eta = special.expit(eta)
            gradient = eta * (1 - eta)
            var = gradient**2 * var
        se = np.sqrt(var)
        t = float(critical_value(level, self.df_resid))
        names = [str(i) for i in newdata.index]
        table = pd.DataFrame({"variable": names, "estimate": eta, "se": se, "ci_low": eta - t * se,
                              "ci_high": eta + t * se, "df": self.df_resid})
        cov = None
        if vcov:
            cov = pd.DataFrame(gradient[:, None] * (x @ v @ x.T) * gradient[None, :], index=names, columns=names)
        return Estimate(table, "prediction", level, cov)

    def wald_test(self, terms: str | Sequence[str] | None = None) -> WaldTest:
        """Wald F test that all coefficients of `terms` are zero (R `regTermTest(model, ~ terms)`).

        `terms`: term names as in the formula ("U3", "C(unit)", or "U1 + U2"); None = every term except the
        intercept and cut-points (the overall model test).

        >>> # fit.wald_test("C(unit)")  ->  Wald F(4, 37) = ..., p = ...
        """
        names, cols = self._tested(terms)
        b = self.params[cols].to_numpy()
        v = self.cov.loc[cols, cols].to_numpy()
        chisq = float(b @ np.linalg.solve(v, b))
        q = len(cols)
        F = chisq / q
        return WaldTest(tuple(names), F, q, self.df_resid, float(stats.f.sf(F, q, self.df_resid)))

    def term_test(self, terms: str | Sequence[str] | None = None, method: str = "Wald", df: float | None = None,
                  approximation: str = "saddlepoint") -> WaldTest | LikelihoodRatioTest:
        """Test that all coefficients of `terms` are zero: ``method="Wald"`` is `wald_test`; ``"LRT"`` the
        Rao-Scott working likelihood-ratio test (Rao & Scott 1984; Lumley & Scott 2014; R ``regTermTest(model,
        ~terms, method = "LRT", df =, lrt.approximation =)``, for svyglm and svyolr fits):

            chisq = D(model without `terms`) - D(model), D the deviance with the weights scaled to mean 1
                    (R svyglm, svyolr), the smaller model refitted on the same rows;
            lambdas = eigenvalues of V0^-1 V on the tested coefficients, V the design-based covariance,
                    V0 the model-based covariance of the same scaled weights (`_naive_cov`);
            p = P(sum_i lambda_i chi^2_1 / (chi^2_ddf / ddf) > chisq), ddf = `df` (default the residual df,
                    ``df=np.inf`` the chi-square reference), by `approximation` (R `lrt.approximation`:
                    "saddlepoint" (default), "integration", "satterthwaite"; `riset.survey.distributions`).

        Ordinal models: R takes V0 = solve(svyolr's Hessian), whose weights are not scaled, while its deviance
        scales them to mean 1, so R's lambdas are mean(w) times these and its p-value is too large whenever the
        weights do not average 1; riset scales both (chisq as R's, lambdas = R's / mean(w)).
        """
        if method == "Wald":
            return self.wald_test(terms)
        if method != "LRT":
            raise DataError(f"method={method!r}; allowed: 'Wald', 'LRT'")
        names, cols = self._tested(terms)
        kept, reduced = self._refit_without(cols)
        chisq = self._deviance(kept, reduced) - self._deviance(self.X, self.params.to_numpy())
        index = [self.params.index.get_loc(c) for c in cols]
        naive = self._naive_cov()[np.ix_(index, index)]
        v = self.cov.loc[cols, cols].to_numpy()
        lambdas = np.sort(np.linalg.eigvals(np.linalg.solve(naive, v)).real)[::-1]
        ddf = float(self.df_resid if df is None else df)
        return LikelihoodRatioTest(tuple(names), float(chisq), len(cols), ddf,
                                   pfsum(chisq, lambdas, ddf, approximation), lambdas, approximation)

    def score_test(self, terms: str | Sequence[str], df: float | None = None,
                   approximation: str = "satterthwaite") -> ScoreTest:
        """Rao-Scott working score test that the coefficients of `terms` are zero, from the model without them
        (Rao, Scott & Skinner 1998; R ``svyscoretest(model, ~terms)``, its default method "working", score.R):
        the smaller model is refitted on the same rows, b~ its coefficients with zeros for `terms` ("o"; the
        others "i"), mu~ its fitted values and, with a canonical link (linear, logistic),

            u_i = x_i (y_i - mu~_i),  I = X' W V(mu~) X   (raw weights; V = 1 or mu (1 - mu); RSS98 eq. 3.3)
            efficient score  U = sum_i w_i (u_io - I_oi I_ii^-1 u_ii),  Var_design(U) = V_U (as a total)
            I_o.i = I_oo - I_oi I_ii^-1 I_io,   c = phi * mean(w),  phi the dispersion (R sigma(model)^2)
            score = U' I_o.i^-1 U / c,   lambdas = eigenvalues of I_o.i^-1 V_U / c,   chisq = score / sum(lambdas)

        p = P(sum_i lambda_i chi^2_1 / (chi^2_ddf / ddf) > score), ddf = `df` (default the residual df, ``np.inf``
        the chi-square reference), by `approximation` (R's default "satterthwaite"; `riset.survey.distributions`).
        phi: svyvar of the Pearson residuals (y - mu) / sqrt(V(mu)) of this model (R summary.svyglm), or sum w r^2 /
        sum w with replicate weights (R summary.svrepglm); mean(w) the mean design weight (of the replicate
        weights relative to the full-sample ones with replicates, as R's weights(svrepdesign) of as.svrepdesign).
        """
        if self.kind == "ordinal":
            raise RisetError("the score test is for linear and logistic models (R svyscoretest is for svyglm)")
        names, cols = self._tested(terms)
        kept, reduced = self._refit_without(cols)
        tested = self.params.index.isin(cols)
        X = self.X.to_numpy()
        mu = self._mean(X[:, ~tested] @ reduced)
        info = X.T @ (X * (self.weights * self._variance(mu))[:, None])
        project = np.linalg.solve(info[np.ix_(~tested, ~tested)], info[np.ix_(~tested, tested)])
        u = X * (self.y - mu)[:, None]
        efficient = u[:, tested] - u[:, ~tested] @ project
        score = self.weights @ efficient
        v_score = self._total_cov(efficient)
        info_o = info[np.ix_(tested, tested)] - info[np.ix_(tested, ~tested)] @ project
        c = self._dispersion() * self._design_weight_mean()
        statistic = float(score @ np.linalg.solve(info_o, score)) / c
        lambdas = np.sort(np.linalg.eigvals(np.linalg.solve(info_o, v_score) / c).real)[::-1]
        ddf = float(self.df_resid if df is None else df)
        return ScoreTest(tuple(names), statistic / float(lambdas.sum()), statistic, int(tested.sum()), ddf,
                         pfsum(statistic, lambdas, ddf, approximation), lambdas, approximation)

    def _mean(self, eta: np.ndarray) -> np.ndarray:
        """The inverse link: eta (linear), 1 / (1 + e^-eta) (logistic)."""
        return eta if self.kind == "linear" else special.expit(eta)

    def _variance(self, mu: np.ndarray) -> np.ndarray:
        """The variance function V(mu): 1 (gaussian), mu (1 - mu) (binomial)."""
        return np.ones_like(mu) if self.kind == "linear" else mu * (1 - mu)

    def _total_cov(self, values: np.ndarray) -> np.ndarray:
        """Design covariance of the totals sum_i w_i values_i (R svytotal) over the rows used."""
        spread = _spread(values, self.used)
        weights = _spread(self.weights[:, None], self.used)[:, 0]
        return self.design.estimator_cov(weights @ spread, spread, weights, np.eye(values.shape[1]),
                                         lambda w: w @ spread)

    def _dispersion(self) -> float:
        """R's dispersion of a svyglm, phi = sigma(model)^2, of the Pearson residuals r = (y - mu) / sqrt(V(mu)):
        n / (n - 1) sum w (r - rbar)^2 / sum w, n the rows with a non-zero weight (svyvar, summary.svyglm), or
        sum w r^2 / sum w with replicate weights (summary.svrepglm)."""
        r = (self.y - self.fitted) / np.sqrt(self._variance(self.fitted))
        w = self.weights
        if not self.design.linearized:
            return float(w @ r**2 / w.sum())
        n = np.count_nonzero(w)
        return float(n / (n - 1) * (w @ (r - np.average(r, weights=w)) ** 2) / w.sum())

    def _design_weight_mean(self) -> float:
        """R's mean(weights(model$survey.design)): the mean design weight (svyglm's scaling), or with replicate
        weights the mean of the replicate weights relative to the full-sample ones (R as.svrepdesign stores them so)."""
        if self.design.linearized:
            return self.weight_mean
        w = np.asarray(self.design.weights, dtype=float)
        inside = w != 0
        return float((self.design.replicate_weights[inside] / w[inside, None]).mean())

    def _refit_without(self, cols: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
        """The model matrix without the columns `cols` and the model refitted on it (same rows and weights)."""
        kept = self.X.drop(columns=cols)
        if kept.shape[1] == 0 and self.kind != "ordinal":
            raise DataError(f"testing {', '.join(map(repr, cols))} needs a smaller model with at least one "
                            "coefficient left")
        frame = ModelFrame(self.y, kept, self.weights, np.ones(len(self.y), dtype=bool), {}, self.outcome, 0, {},
                       self.levels)
        return kept, _FITTERS[self.kind](frame).params

    def _scaled_weights(self) -> np.ndarray:
        """The weights scaled as R scales them in the deviance and the model-based covariance: by the mean design
        weight (svyglm's prior weights) or, ordinal, by the mean non-zero weight of the rows used (svyolr)."""
        w = self.weights
        return w / (w[w != 0].mean() if self.kind == "ordinal" else self.weight_mean)

    def _deviance(self, X: pd.DataFrame, params: np.ndarray) -> float:
        """Deviance at `params` of the model with matrix `X` and the scaled weights w (R deviance of svyglm, svyolr):
        sum w (y - eta)^2 (linear), -2 sum w log(mu^y (1 - mu)^(1-y)) = 2 sum w log(1 + e^-(2y-1)eta) (logistic),
        -2 sum w log P(Y = y) (ordinal)."""
        w = self._scaled_weights()
        if self.kind == "ordinal":
            return -2 * _polr(params, X.to_numpy(), self.y, w, len(self.levels))[0]
        eta = X.to_numpy() @ params
        if self.kind == "linear":
            return float(np.sum(w * (self.y - eta) ** 2))
        return float(2 * np.sum(w * np.logaddexp(0, -(2 * self.y - 1) * eta)))

    @property
    def deff(self) -> pd.Series:
        """Design effect of each coefficient of a linear or logistic model (R ``svyglm(..., deff = TRUE)``,
        ``deff(model)``; survey.R): the design-based variance over the variance of the same weighted fit as a
        plain GLM on a simple random sample,

            deff_j = V_jj / (phi (X' W V(mu) X)^-1)_jj,   phi = sum_i w_i (y_i - mu_i)^2 / V(mu_i) / (n - p)

        with V(mu) = 1 (gaussian) or mu (1 - mu) (quasibinomial, as riset's logistic), n the rows used with a
        non-zero weight, p the coefficients -- R's glm ``summary()$cov.scaled`` with the weights scaled to mean 1
        (the ratio does not depend on that scale). defftest.R: deff = (SE / glm SE)^2. R computes it for Taylor
        designs; riset takes the same ratio with the replicate covariance of a replicate design. R's svyolr has
        no design effects, nor has `ordinal`.
        """
        if self.kind == "ordinal":
            raise RisetError("design effects of coefficients are for linear and logistic models (R svyglm(deff = "
                             "TRUE)); R's svyolr has none for an ordinal model")
        w = self._scaled_weights()
        variance = 1.0 if self.kind == "linear" else self.fitted * (1 - self.fitted)
        phi = np.sum(w * (self.y - self.fitted) ** 2 / variance) / (np.count_nonzero(w) - len(self.params))
        srs = phi * np.diag(self._naive_cov())
        return pd.Series(np.diag(self.cov.to_numpy()) / srs, index=self.params.index, name="deff")

    def _naive_cov(self) -> np.ndarray:
        """Model-based covariance with the scaled weights w (`_scaled_weights`): (X' W V(mu) X)^-1 of a linear
        or logistic model (R svyglm's `naive.cov`), V = 1 (gaussian) or mu (1 - mu) (binomial); the inverse of
        the information -d2 sum w log P(Y = y) / d theta2 of an ordinal model (R svyolr's solve(Hessian))."""
        w = self._scaled_weights()
        X = self.X.to_numpy()
        if self.kind == "ordinal":
            return np.linalg.inv(-_polr(self.params.to_numpy(), X, self.y, w, len(self.levels))[2])
        working = w if self.kind == "linear" else w * self.fitted * (1 - self.fitted)
        return np.linalg.inv(X.T @ (X * working[:, None]))

    def _tested(self, terms) -> tuple[list[str], list[str]]:
        """The names of `terms` and their coefficient columns (None: every term but the intercept)."""
        if terms is None:
            names = [t for t in self.term_columns if t != "Intercept"]
        else:
            names = [t.strip() for t in terms.split("+")] if isinstance(terms, str) else list(terms)
        unknown = [t for t in names if t not in self.term_columns]
        if unknown:
            raise DataError(
                f"term(s) {', '.join(map(repr, unknown))} not in the model; "
                f"terms are: {', '.join(map(repr, self.term_columns))}"
            )
        cols = [c for t in names for c in self.term_columns[t]]
        if not cols:
            raise DataError("the model has no term to test besides the intercept")
        return names, cols

    @property
    def r2(self) -> float:
        """Weighted R^2 = 1 - sum w e^2 / sum w (y - ybar_w)^2 (linear model only)."""
        if self.kind != "linear":
            raise RisetError(f"R² is defined for the linear model; this is a {self.kind} model")
        ybar = np.average(self.y, weights=self.weights)
        sse = np.sum(self.weights * (self.y - self.fitted) ** 2)
        return float(1 - sse / np.sum(self.weights * (self.y - ybar) ** 2))

    # ------------------------------------------------------------------ diagnostics
    def vif(self, lang: str | None = None) -> pd.DataFrame:
        """Variance inflation per term from the weighted correlation of the predictors.

        GVIF_t = det(R_tt) det(R_oo) / det(R) (Fox & Monette 1992; R the weighted correlation matrix of
        all non-intercept columns, t the term's columns, o the others); for a one-column term this is
        VIF_j = 1 / (1 - R^2_j). `vif` = GVIF^(1/df) is compared with the rule VIF < 10 for every term.
        """
        L = _head(check_language(lang))
        terms = {t: c for t, c in self.term_columns.items() if t != "Intercept"}
        cols = [c for cs in terms.values() for c in cs]
        if len(cols) < 2:
            raise RisetError("VIF needs at least two predictor columns")
        R = _weighted_corr(self.X[cols].to_numpy(), self.weights)
        det_all = np.linalg.det(R)
        rows = []
        for term, tc in terms.items():
            inside = [cols.index(c) for c in tc]
            other = [i for i in range(len(cols)) if i not in inside]
            gvif = np.linalg.det(R[np.ix_(inside, inside)]) * np.linalg.det(R[np.ix_(other, other)]) / det_all
            v = gvif ** (1 / len(tc))
            rows.append((self._label(term, lang), len(tc), gvif, v, L["yes"] if v >= VIF_LIMIT else L["no"]))
        head = (L["variable"], "df", "gvif", "vif", L["multicollinear"])
        return pd.DataFrame(rows, columns=head, index=pd.Index(list(terms), name="term"))

    def residuals(self) -> pd.DataFrame:
        """Per respondent used: `fitted`, `residual` = y - fitted (response scale), `weight`, `standardized`.

        Standardized: residual / sqrt(weighted mean of squared residuals) for linear; Pearson residual
        (y - mu) / sqrt(mu (1 - mu)) for logistic. Index = the data's row labels (for a residual chart).
        """
        if self.kind == "ordinal":
            raise RisetError("residuals() is for linear and logistic models; an ordinal model has no single residual")
        e = self.y - self.fitted
        if self.kind == "linear":
            std = e / np.sqrt(np.average(e**2, weights=self.weights))
        else:
            std = e / np.sqrt(self.fitted * (1 - self.fitted))
        return pd.DataFrame({"fitted": self.fitted, "residual": e, "weight": self.weights, "standardized": std},
                            index=self.rows)

    def normality(self, lang: str | None = None) -> pd.Series:
        """Weighted skewness and excess kurtosis of the residuals and the Jarque-Bera statistic (linear).

        S = m3 / m2^1.5, K = m4 / m2^2 - 3 with weighted central moments m_r; JB = n (S^2 + K^2/4) / 6,
        p from chi-square(2) (Jarque & Bera 1987). Design-based SEs do not assume normal residuals; this
        is the descriptive check reviewers ask for (|S| < 1 and |K| < 2 read as roughly normal).
        """
        if self.kind != "linear":
            raise RisetError(f"normality() is for the linear model; this is a {self.kind} model")
        e = self.y - self.fitted
        m = [np.average((e - np.average(e, weights=self.weights)) ** r, weights=self.weights) for r in (2, 3, 4)]
        skew, kurt = m[1] / m[0] ** 1.5, m[2] / m[0] ** 2 - 3
        jb = self.n * (skew**2 + kurt**2 / 4) / 6
        ok = abs(skew) < 1 and abs(kurt) < 2
        verdict = say("model_residuals_normal", lang) if ok else say("model_residuals_not_normal", lang)
        return pd.Series({"n": self.n, "skewness": skew, "kurtosis": kurt, "jarque_bera": jb,
                          "p": float(stats.chi2.sf(jb, 2)), "verdict": verdict})

    # ------------------------------------------------------------------ tables
    def to_frame(self, lang: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Coefficient table: label, estimate, design-based SE, t, p, CI (+ odds ratios for logit models).

        Index = the model's term names; `variabel` holds the display label (from `labels` for
        columns). Ordinal cut-points come last, labelled "Ambang a|b"; their p is left blank (testing a
        cut-point against 0 has no meaning). `signifikan` compares p with 1 - level.
        """
        L = _head(check_language(lang))
        ci = self.conf_int(level)
        p = self.pvalues.copy()
        cut = self._cut_names()
        p[cut] = np.nan
        table = pd.DataFrame(
            {
                L["variable"]: [self._label(t, lang) for t in self.params.index],
                L["estimate"]: self.params,
                L["std_error"]: self.se,
                L["t"]: self.tvalues,
                L["p"]: p,
                L["ci_lower"]: ci["lower"],
                L["ci_upper"]: ci["upper"],
                L["significant"]: [("" if np.isnan(v) else L["yes"] if v < 1 - level else L["no"]) for v in p],
            }
        )
        if self.kind != "linear":
            table[L["odds_ratio"]] = np.exp(self.params)
            table[L["or_lower"]] = np.exp(ci["lower"])
            table[L["or_upper"]] = np.exp(ci["upper"])
            table.loc[cut, [L["odds_ratio"], L["or_lower"], L["or_upper"]]] = np.nan
        table.index.name = "term"
        return table

    def summary(self, lang: str | None = None, level: float = 0.95) -> str:
        """Readable report: model, n used/dropped, design df, overall Wald F, R² (linear), table, notes."""
        lang = check_language(lang)
        lines = [say(f"model_title_{self.kind}", lang), say("model_formula", lang, formula=self.formula),
                 say("model_sizes", lang, n=self.n, dropped=self.n_dropped, design_df=self.design_df,
                     df_resid=self.df_resid)]
        if len(self.term_columns) > (1 if "Intercept" in self.term_columns else 0):
            test = self.wald_test()
            lines.append(say("model_wald", lang, df=test.df, ddf=test.ddf, F=test.F,
                             p=fmt_p(test.p, lang, equation=True)))
        if self.kind == "linear":
            lines.append(say("model_r2", lang, r2=self.r2))
        shown = self.to_frame(lang, level).round(4)
        lines.append(shown.to_string(index=False))
        lines += [say("note_prefix", lang, text=n.text(lang)) for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    # ------------------------------------------------------------------ helpers
    def _cut_names(self) -> list[str]:
        return list(self.params.index[self.n_slopes:]) if self.kind == "ordinal" else []

    def _label(self, term: str, lang: str) -> str:
        L = _head(check_language(lang))
        if term == "Intercept":
            return L["intercept"]
        if term in self._cut_names():
            return f"{L['cut']} {term}"
        return " × ".join(_one_label(part, self.labels, lang) for part in term.split(":"))


# ============================================================================ public fitting functions
def linear(formula: str, design, labels: Mapping[str, str] | None = None, lang: str | None = None) -> ModelResult:
    """Survey-weighted linear regression with design-based (sandwich) SEs, as R `svyglm(family=gaussian())`.

    b = (X'WX)^-1 X'Wy (weighted least squares by QR, as R lm.wfit); influence x_i = w_i x_i e_i (X'WX)^-1;
    Var(b) = design.variance(x) (Binder 1983; Lumley 2010, sec. 5.2). t tests on design df + 1 - p.

    Parameters
    ----------
    formula : patsy formula on the design's data, e.g. ``"K1 ~ U1 + U2 + ... + U9 + C(unit)"``; text
        columns become treatment-coded categories (first level = reference).
    design : `riset.survey.design.SurveyDesign` (its domain, weights, strata, PSU, FPC are used) or a
        `riset.survey.replicate.ReplicateDesign` (variance from refits with the replicate weights).
    labels : optional column -> display label (e.g. ``{"U3": "Waktu Penyelesaian", "umur": "Umur (tahun)"}``);
        columns known to `riset.i18n` (unit, jenis_kelamin, kelompok_umur, ...) are labelled already.
    lang : language of `notes`, 'id' or 'en' (None = the current `riset.i18n` language).

    >>> # linear("K1 ~ U1 + U2 + U3", design).to_frame()
    """
    return _fit_model("linear", formula, design, labels, lang)


def logistic(formula: str, design, labels: Mapping[str, str] | None = None, lang: str | None = None) -> ModelResult:
    """Survey-weighted logistic regression (satisfied vs not), as R `svyglm(family=quasibinomial())`.

    logit P(y = 1) = x'b fitted by weighted IRLS (statsmodels GLM Binomial, var_weights = w);
    influence x_i = w_i x_i (y_i - mu_i) (X' W diag(mu(1-mu)) X)^-1; Var(b) = design.variance(x)
    (Binder 1983; Lumley 2010, sec. 6.1). The outcome must be 0/1, e.g. ``"I(K1 >= 8) ~ U1 + ..."``.
    Perfect separation (an outcome predicted exactly by a predictor) is refused, naming the predictor.

    >>> # logistic("I(K1 >= 8) ~ U1 + U2 + U3", design).to_frame()["rasio_odds"]
    """
    return _fit_model("logistic", formula, design, labels, lang)


def ordinal(formula: str, design, labels: Mapping[str, str] | None = None, lang: str | None = None) -> ModelResult:
    """Survey-weighted proportional-odds (ordinal logit) regression, as R `svyolr` (MASS::polr model).

    logit P(Y <= k) = zeta_k - x'b, k = 1..K-1 (no intercept; cut-points zeta named "a|b" after the
    adjacent outcome levels). Weighted MLE by Newton-Raphson with analytic derivatives; influence
    x_i = U_i H^-1 with U_i the weighted score and H the observed information in the (b, zeta)
    parametrisation (R svyolr: gmini %*% solve(Hessian)); Var = design.variance(x). t tests on design
    df - number of slopes (Lumley 2010, sec. 6.3; McCullagh 1980).

    The outcome is an ordered categorical column (its category order) or numbers (sorted); it needs at
    least 3 observed levels. Levels nobody chose are left out and reported in `notes`.

    >>> # ordinal("K1 ~ U1 + U2 + U3", design).to_frame()
    """
    return _fit_model("ordinal", formula, design, labels, lang)


# ============================================================================ internals: fits
@dataclass
class _Fit:
    params: np.ndarray
    names: list[str]
    # score contributions U_i = score_weights_i * scores_i (n_used x p; for a GLM scores = X, score_weights =
    # w (y - mu)); the influence values are U_i bread_inv, never formed (the design takes U and the bread)
    scores: np.ndarray
    score_weights: np.ndarray
    bread_inv: np.ndarray
    fitted: np.ndarray | None


def _fit_linear(fr: ModelFrame, start: np.ndarray | None = None) -> _Fit:
    """Weighted least squares by QR (as R lm.wfit): with sqrt(W)[X | y] = Q [[R, r], [0, s]],
    b = R^-1 r and the bread (X'WX)^-1 = R^-1 R^-T -- no normal equations, no SVD."""
    X, y, w = fr.X.to_numpy(), fr.y, fr.w
    p = X.shape[1]
    r, norms = r_factor(X, w, y)
    check_collinear(fr, (r[:p, :p], norms[:p]))
    r_inv = linalg.solve_triangular(r[:p, :p], np.eye(p), check_finite=False)
    params = r_inv @ r[:p, p]
    fitted = X @ params
    return _Fit(params, list(fr.X.columns), X, w * (y - fitted), r_inv @ r_inv.T, fitted)


def _fit_logistic(fr: ModelFrame, start: np.ndarray | None = None) -> _Fit:
    X, y, w = fr.X.to_numpy(), fr.y, fr.w
    values = np.unique(y)
    if not np.isin(values, [0.0, 1.0]).all():
        raise DataError(
            f"logistic() needs a 0/1 outcome; '{fr.outcome}' has values "
            f"{', '.join(str(plain_number(v)) for v in values[:8])}. "
            "Write the outcome as a condition, e.g. 'I(K1 >= 8) ~ ...' for 'puas' (satisfied) vs not"
        )
    if len(values) < 2:
        raise DataError(f"outcome '{fr.outcome}' is {plain_number(values[0])} for every respondent used; "
                        "nothing to model")
    _check_separation(fr)
    scaled = w / w.mean()  # as R svyglm: the fit is invariant to the scale, IRLS is better conditioned
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=scaled)
        res = model.fit(start_params=start, tol=1e-12, maxiter=100)
        mu = np.asarray(res.fittedvalues)
        eta = X @ np.asarray(res.params)
    if not res.converged or np.abs(eta).max() > 30:
        raise DataError(
            f"outcome '{fr.outcome}' is (almost) perfectly predicted by a combination of the predictors "
            f"(largest |linear predictor| = {np.abs(eta).max():.1f}); the odds ratios would be infinite. Merge "
            "sparse categories or drop a predictor"
        )
    bread_inv = np.linalg.inv(X.T @ (X * (w * mu * (1 - mu))[:, None]))
    return _Fit(np.asarray(res.params), list(fr.X.columns), X, w * (y - mu), bread_inv, mu)


def _weight_mean(design) -> float:
    """Mean design weight, by which R svyglm divides the weights: over the rows of the design -- R drops the
    rows outside a domain, except from a calibrated Taylor design, where they stay with weight 0."""
    w = np.asarray(design.weights, dtype=float)
    keeps_rows = design.linearized and bool(design.adjustments)
    return float(w.mean() if keeps_rows else w[w != 0].mean())


def _check_separation(fr: ModelFrame) -> None:
    """Refuse a predictor that separates the 0/1 outcome on its own (complete or quasi-complete)."""
    y = fr.y.astype(bool)
    for col in fr.X.columns:
        if col == "Intercept":
            continue
        x = fr.X[col].to_numpy()
        x1, x0 = x[y], x[~y]
        if x0.max() <= x1.min() or x1.max() <= x0.min():
            low, high = (0, 1) if x0.max() <= x1.min() else (1, 0)
            lo_x, hi_x = (x0, x1) if low == 0 else (x1, x0)
            raise DataError(
                f"outcome '{fr.outcome}' is perfectly separated by column '{col}': every respondent with outcome "
                f"{high} has {col} >= {plain_number(hi_x.min())} and every one with outcome {low} has {col} <= "
                f"{plain_number(lo_x.max())} (perfect separation); the odds ratio would be infinite. Merge "
                "categories of that predictor or drop it"
            )


def _fit_ordinal(fr: ModelFrame, start: np.ndarray | None = None) -> _Fit:
    X, y, w = fr.X.to_numpy(), fr.y, fr.w
    k = len(fr.levels)
    scaled = w / w.mean()
    cum = np.cumsum(np.bincount(y, weights=scaled, minlength=k))[:-1] / scaled.sum()
    theta = np.concatenate([np.zeros(X.shape[1]), special.logit(cum)]) if start is None else np.asarray(start)
    theta = _polr_mle(theta, X, y, scaled, k)
    if theta is None:
        raise DataError(
            f"the ordinal model for '{fr.outcome}' did not converge (an outcome level is perfectly predicted by the "
            "predictors, or a category is too sparse); merge sparse categories or drop a predictor"
        )
    _, _, hess, scores = _polr(theta, X, y, w, k, with_scores=True)
    names = list(fr.X.columns) + [f"{a}|{b}" for a, b in zip(fr.levels[:-1], fr.levels[1:])]
    return _Fit(theta, names, scores, np.ones(len(scores)), np.linalg.inv(-hess), None)


def _polr_mle(theta, X, y, w, k, max_iter: int = 200):
    """Newton-Raphson with step halving from `theta`; None when it fails (separation, singular Hessian).

    The log-likelihood is concave in (b, zeta) (Pratt 1981), so full Newton steps, halved while they do not
    increase it or break the order of the cut-points, reach the maximum; stop when the step is < 1e-11.
    """
    pb = X.shape[1]
    with np.errstate(all="ignore"):
        try:
            ll, grad, hess = _polr(theta, X, y, w, k)
            for _ in range(max_iter):
                step = np.linalg.solve(-hess, grad)
                t = 1.0
                while t >= 1e-10:
                    cand = theta + t * step
                    if np.all(np.diff(cand[pb:]) > 0):
                        new = _polr(cand, X, y, w, k)
                        if new[0] >= ll - 1e-12 * abs(ll):
                            break
                    t /= 2
                else:
                    break  # no ascent left: at the maximum up to rounding
                theta, (ll, grad, hess) = cand, new
                if np.max(np.abs(t * step)) < 1e-11:
                    break
            step = np.linalg.solve(-hess, grad)
        except np.linalg.LinAlgError:
            return None
    return theta if np.all(np.isfinite(step)) and np.max(np.abs(step)) < 1e-7 else None


def _polr(theta, X, y, w, k, with_scores=False):
    """Weighted log-likelihood, gradient and Hessian of the logit proportional-odds model.

    l_i = log(F(a_i) - F(b_i)), a_i = zeta_{y_i} - eta_i, b_i = zeta_{y_i - 1} - eta_i (zeta_0 = -inf,
    zeta_K = +inf), F the logistic cdf, f = F(1 - F), f' = f(1 - 2F).
    """
    n, pb = X.shape
    zeta = np.concatenate([[-np.inf], theta[pb:], [np.inf]])
    eta = X @ theta[:pb]
    a, b = zeta[y + 1] - eta, zeta[y] - eta
    Fa, Fb = special.expit(a), special.expit(b)
    # p = F(a) - F(b) without cancellation when both are close to 1
    p = np.where(b > 0, special.expit(-b) - special.expit(-a), Fa - Fb)
    fa, fb = Fa * (1 - Fa), Fb * (1 - Fb)
    La, Lb = fa / p, -fb / p
    Laa = fa * (1 - 2 * Fa) / p - La**2
    Lbb = -fb * (1 - 2 * Fb) / p - Lb**2
    Lab = -La * Lb
    Da = np.zeros((n, pb + k - 1))
    Db = np.zeros((n, pb + k - 1))
    Da[:, :pb] = -X
    Db[:, :pb] = -X
    rows = np.arange(n)
    top, bottom = y < k - 1, y > 0
    Da[rows[top], pb + y[top]] = 1.0
    Db[rows[bottom], pb + y[bottom] - 1] = 1.0
    ll = float(np.sum(w * np.log(p)))
    scores = Da * (w * La)[:, None] + Db * (w * Lb)[:, None]
    cross = Da.T @ (Db * (w * Lab)[:, None])
    hess = Da.T @ (Da * (w * Laa)[:, None]) + Db.T @ (Db * (w * Lbb)[:, None]) + cross + cross.T
    if with_scores:
        return ll, scores.sum(axis=0), hess, scores
    return ll, scores.sum(axis=0), hess


_FITTERS: dict[str, Callable[..., _Fit]] = {"linear": _fit_linear, "logistic": _fit_logistic, "ordinal": _fit_ordinal}


def _fit_model(kind: Kind, formula, design, labels, lang) -> ModelResult:
    fr, notes = model_frame(kind, formula, design, check_language(lang))
    fit = _FITTERS[kind](fr)
    scores, score_weights = fit.scores, fit.score_weights
    if not fr.used.all():  # rows left out (blanks, outside the domain) have zero influence
        scores, score_weights = _spread(scores, fr.used), _spread(score_weights[:, None], fr.used)[:, 0]
    # a replicate design refits from the full-sample estimate with each replicate weight column (R svrVar)
    cov = design.estimator_cov(fit.params, scores, score_weights, fit.bread_inv,
                               lambda w: _FITTERS[kind](replace(fr, w=w[fr.used]), start=fit.params).params)
    used_design = design.subset(fr.used)
    design_df = used_design.df
    df_resid = design_df - fr.X.shape[1] if kind == "ordinal" else design_df + 1 - len(fit.params)
    if df_resid < 1:
        notes.append(Note("model_few_df", {"df": int(df_resid), "design_df": int(design_df),
                                           "p": len(fit.params)}))
    names = pd.Index(fit.names)
    return ModelResult(
        kind=kind,
        formula=formula,
        outcome=fr.outcome,
        params=pd.Series(fit.params, index=names, name="estimate"),
        cov=pd.DataFrame(cov, index=names, columns=names),
        df_resid=int(df_resid),
        design_df=int(design_df),
        n=int(fr.used.sum()),
        n_dropped=fr.n_dropped,
        dropped_by=fr.dropped_by,
        term_columns=fr.term_columns,
        labels={str(k): str(v) for k, v in (labels or {}).items()},
        weights=fr.w,
        rows=fr.X.index,
        X=fr.X,
        y=fr.y,
        fitted=fit.fitted,
        levels=fr.levels,
        notes=notes,
        weight_mean=_weight_mean(design),
        design=design,
        used=fr.used,
    )


# ============================================================================ internals: labels, helpers
_LEVEL = re.compile(r"^(?:C\()?(?P<var>[^\[\(\),]+?)(?:,[^\[]*)?\)?\[(?:T\.)?(?P<level>.*)\]$")


def _one_label(part: str, names: Mapping[str, str], lang: str | None) -> str:
    """'U3' -> its label; 'C(unit)[T.RSUD]' -> 'Unit layanan: RSUD'; else the riset.i18n label, or as is."""
    m = _LEVEL.match(part)
    if m:
        var = m.group("var").strip()
        return f"{names.get(var) or label(var, lang)}: {m.group('level')}"
    return names.get(part) or label(part, lang)


def _spread(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`values` (one row per True of `rows`) placed on all rows, zero elsewhere."""
    out = np.zeros((len(rows), values.shape[1]))
    out[rows] = values
    return out


def _weighted_corr(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    centred = X - np.average(X, axis=0, weights=w)
    cov = centred.T @ (centred * w[:, None]) / w.sum()
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)



def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise RisetError(f"level={level!r} must be between 0 and 1 (e.g. 0.95)")
