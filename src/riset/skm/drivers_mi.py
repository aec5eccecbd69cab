"""Driver analysis with blank unsur answers multiply imputed, combined with Rubin's rules across the design bootstrap.

The main driver analysis (`riset.skm.drivers.relative_importance`) needs an answer to every unsur and leaves
the other respondents out (listwise). When one unsur is often blank -- the complaint unsur, left blank by
those who never complained -- or a few blanks in each unsur add up, the respondents kept are a selection, and
the shares can move. Multiple imputation keeps them (all but those without the overall item, which is what the
analysis explains and is never imputed):

Imputation (predictive mean matching within fully conditional specification; Little 1988; van Buuren 2018,
*Flexible Imputation of Missing Data*, s3.4 and s4.5): each blank column j is regressed, with the survey
weights, on the overall item and the other unsur among the respondents who answered it; a coefficient
vector is drawn from its approximate posterior (sigma^2 = weighted SSR / chi^2(n_obs - k),
beta ~ N(beta_hat, sigma^2 (X'WX)^-1)); each blank gets the observed answer of one of the `donors` (default 5)
respondents whose prediction with beta_hat is nearest to its own prediction with the drawn beta (tied donors
equally likely). Imputed answers are real answers on the scale (1-4). With several blank columns, the columns
are imputed in turn, each on the current values of all the others (chained equations), for `iterations`
rounds from a random start of observed answers. The model assumes the blank is missing at random given the
overall item and the other unsur: for "never complained" it imputes the rating a respondent would give
the complaint service judged by the rest of their answers, a stated assumption, not a fact.

Analysis: on each of the M completed data sets (seeded) the LMG (or Johnson) shares of R^2 are computed with
the full-sample weights (Q_l) and with every bootstrap replicate weight; U_l is the replicate variance of the
shares (each replicate's importance over its own R^2).

Rubin's rules (Rubin 1987, *Multiple Imputation for Nonresponse in Surveys*, s3.1; Barnard & Rubin 1999,
Biometrika 86(4)):

    Q = mean_l Q_l,   U = mean_l U_l,   B = var_l(Q_l) (divisor M - 1),   T = U + (1 + 1/M) B
    r = (1 + 1/M) B / U,   lambda = (1 + 1/M) B / T,   nu_M = (M - 1) / lambda^2    (Rubin 1987)
    nu_obs = (nu_com + 1) / (nu_com + 3) x nu_com x (1 - lambda),   nu = 1 / (1/nu_M + 1/nu_obs)
                                                                     (Barnard-Rubin, with complete-data df nu_com)
    fmi = (r + 2 / (nu + 3)) / (r + 1)   (fraction of missing information)

and the interval Q +- t(nu) sqrt(T). `ranking_sensitivity` puts the shares and ranks of several analyses
side by side (listwise, without the complaint unsur, multiply imputed) with the Spearman correlation of each
ranking with the first one.

>>> import numpy as np
>>> pooled = rubin(np.array([[1.0], [2.0], [3.0]]), np.array([[0.5], [0.5], [0.5]]))
>>> round(float(pooled["total"].iloc[0]), 4), round(float(pooled["df"].iloc[0]), 4)
(1.8333, 3.7812)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from riset.errors import DataError
from riset.i18n import Note, check_language, fmt_num, say
from riset.skm.drivers import (
    complete_cases,
    numeric_answers,
    predictor_label,
    predictor_names,
    relative_importance,
    replicate_matrix,
    replicate_shares,
    weighted_source,
)

__all__ = ["ImputedImportance", "RankingSensitivity", "imputed_importance", "pmm_impute", "ranking_sensitivity",
           "rubin"]

_WEIGHT = "__bobot_imputasi__"


def rubin(estimates: np.ndarray, variances: np.ndarray, df_complete: float | None = None) -> pd.DataFrame:
    """Rubin's rules for M imputations (rows) of p estimates (columns); formulas in the module docstring.

    Returns one row per column: estimate, within, between, total, se, df, fmi. `df_complete` (the
    complete-data df, e.g. the design df) gives the Barnard-Rubin df; without it Rubin's (1987) df.
    No between-imputation variance (nothing imputed) gives T = U, fmi = 0 and df = infinity (Rubin) or
    (nu_com + 1) / (nu_com + 3) x nu_com (Barnard-Rubin's small-sample df, as R `mice::pool` reports it).

    >>> rubin(np.array([[1.0], [2.0], [3.0]]), np.full((3, 1), 0.5), df_complete=10)["df"].round(4).tolist()
    [1.4331]
    """
    q, u = np.atleast_2d(np.asarray(estimates, dtype=float)), np.atleast_2d(np.asarray(variances, dtype=float))
    m = q.shape[0]
    if m < 2 or q.shape != u.shape:
        raise DataError(f"Rubin's rules need at least 2 imputations and one variance per estimate; got estimates "
                        f"{q.shape}, variances {u.shape}")
    within, between = u.mean(axis=0), q.var(axis=0, ddof=1)
    total = within + (1 + 1 / m) * between
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(total > 0, (1 + 1 / m) * between / total, 0.0)
        riv = np.where(within > 0, (1 + 1 / m) * between / within, np.inf)
        df = np.where(lam > 0, (m - 1) / lam**2, np.inf)
        if df_complete is not None:
            observed = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
            df = 1 / (1 / df + 1 / observed)
        fmi = np.where(between > 0, np.where(np.isfinite(riv), (riv + 2 / (df + 3)) / (riv + 1), 1.0), 0.0)
    return pd.DataFrame({"estimate": q.mean(axis=0), "within": within, "between": between, "total": total,
                         "se": np.sqrt(total), "df": df, "fmi": fmi})


def _pmm_column(x: np.ndarray, j: int, blank: np.ndarray, w: np.ndarray, rng: np.random.Generator,
                donors: int, name: str) -> np.ndarray:
    """Draws for the blanks of column j by predictive mean matching on the other columns (module docstring)."""
    design = np.column_stack([np.ones(len(x)), np.delete(x, j, axis=1)])
    obs = ~blank
    xo, yo = design[obs], x[obs, j]
    wo = w[obs] / w[obs].mean()
    dof = len(yo) - xo.shape[1]
    if dof < 1:
        raise DataError(f"column '{name}' has only {len(yo)} answers: too few to impute its blanks from "
                        f"{xo.shape[1] - 1} other columns")
    xtwx = xo.T @ (xo * wo[:, None])
    try:
        beta_hat = np.linalg.solve(xtwx, xo.T @ (wo * yo))
        sigma2 = (wo * (yo - xo @ beta_hat) ** 2).sum() / rng.chisquare(dof)
        beta = beta_hat + np.linalg.cholesky(sigma2 * np.linalg.inv(xtwx)) @ rng.standard_normal(len(beta_hat))
    except np.linalg.LinAlgError:
        raise DataError(f"column '{name}' cannot be imputed: among its answers the other columns are collinear "
                        "(one is constant or a combination of the others)") from None
    donor = _nearest_donors(xo @ beta_hat, design[blank] @ beta, min(donors, len(yo)), rng)
    return yo[donor]


def _nearest_donors(observed: np.ndarray, wanted: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """For each prediction in `wanted`, one of the `k` observed predictions nearest to it, drawn at random.

    The observed predictions are sorted once (ties in random order, so tied donors are equally likely): the k
    nearest to a value lie among the 2k sorted around its insertion point, so only those are compared --
    O((n + b) log n) instead of the b x n distances of a direct search.
    """
    shuffled = rng.permutation(len(observed))
    order = shuffled[np.argsort(observed[shuffled], kind="stable")]
    ranked = observed[order]
    width = min(2 * k, len(ranked))
    start = np.clip(np.searchsorted(ranked, wanted) - k, 0, len(ranked) - width)
    window = start[:, None] + np.arange(width)[None, :]
    nearest = np.argpartition(np.abs(ranked[window] - wanted[:, None]), k - 1, axis=1)[:, :k]
    pick = nearest[np.arange(len(wanted)), rng.integers(0, k, size=len(wanted))]
    return order[window[np.arange(len(wanted)), pick]]


def pmm_impute(x: np.ndarray, blank: np.ndarray, w: np.ndarray, rng: np.random.Generator, donors: int = 5,
               iterations: int = 5, names: Sequence[str] | None = None) -> np.ndarray:
    """One completed copy of `x` (n x k): the blanks (`blank`, n x k) filled by predictive mean matching, each
    column on all the others, in turn for `iterations` rounds from random observed answers (one round when
    only one column has blanks). `names` (one per column) name a column in errors. Formulas in the module
    docstring (van Buuren 2018, s3.4.1, s4.5).

    >>> rng = np.random.default_rng(0)
    >>> x = np.array([[1., 1.], [2., 2.], [3., 3.], [4., 4.], [2., np.nan]])
    >>> out = pmm_impute(x, np.isnan(x), np.ones(5), rng, donors=1)
    >>> float(out[4, 1])
    2.0
    """
    x = np.array(x, dtype=float)
    names = list(names) if names is not None else [f"column {j + 1}" for j in range(x.shape[1])]
    columns = [j for j in range(x.shape[1]) if blank[:, j].any()]
    for j in columns:
        x[blank[:, j], j] = rng.choice(x[~blank[:, j], j], size=int(blank[:, j].sum()))
    for _ in range(iterations if len(columns) > 1 else 1):
        for j in columns:
            x[blank[:, j], j] = _pmm_column(x, j, blank[:, j], w, rng, donors, names[j])
    return x


@dataclass
class ImputedImportance:
    """Relative importance with blank unsur multiply imputed, pooled by Rubin's rules.

    `table`: one row per predictor -- kolom, unsur, nama, importance (pooled share of R^2, 0-1), se,
    ci_low, ci_high (Q +- t(df) sqrt(T)), df, fmi, within, between, peringkat. `n`: respondents used;
    `imputed`: column -> number of answers imputed (columns with at least one); `m` imputations; `method` 'lmg'
    or 'johnson'; `replicates` per imputation; `r2`: mean R^2 over the completed data sets; `left_out`: column
    -> blank answers among the respondents left out (the outcome, and predictors not imputed).
    """

    table: pd.DataFrame
    n: int
    imputed: dict[str, int]
    m: int
    method: str
    replicates: int
    r2: float
    outcome: str
    level: float = 0.95
    notes: list[Note] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def methods(self) -> tuple[str, ...]:
        """The one importance measure pooled (`riset.skm.drivers.DriverImportance`)."""
        return (self.method,)

    def _pooled(self, method: str | None) -> None:
        if method not in (None, self.method):
            raise DataError(f"this analysis pooled {self.method} shares, not {method}")

    def ranking(self, method: str | None = None, key: Literal["unsur", "kolom"] = "unsur") -> list[str]:
        """Predictors from most to least important (pooled share)."""
        self._pooled(method)
        return self.table.sort_values("importance", ascending=False, kind="stable")[key].tolist()

    def shares(self, method: str | None = None) -> pd.Series:
        """Pooled share of R^2 (0-1) per unsur key."""
        self._pooled(method)
        return self.table.set_index("unsur")["importance"].rename(f"{self.method}_share")

    def share_table(self, method: str | None = None) -> pd.DataFrame:
        """unsur, nama, importance, ci_low, ci_high, peringkat; best first (the form of
        `RelativeImportance.share_table`)."""
        self._pooled(method)
        columns = ["unsur", "nama", "importance", "ci_low", "ci_high", "peringkat"]
        return self.table.sort_values("peringkat", kind="stable")[columns].reset_index(drop=True)

    def imputed_text(self, lang: str | None = None) -> str:
        """The imputed answers per unsur, most first, each by the regulation's code and name ('U8 Penanganan
        Pengaduan, Saran dan Masukan: 303; U1 Persyaratan: 83; ...'); a column not mapped to an unsur by its
        name."""
        names = self.table.set_index("kolom")["unsur"]
        order = sorted(self.imputed, key=lambda c: -self.imputed[c])
        return "; ".join(f"{predictor_label(names[c], lang, code=True)}: {fmt_num(self.imputed[c], 0, lang)}"
                         for c in order)

    def blanks_text(self, total: int, lang: str | None = None) -> str:
        """Whom the analysis uses of `total` respondents and why the others are left out; how many blank answers
        of which unsur were imputed, how, and the assumption that makes it valid (missing at random)."""
        names = self.table.set_index("kolom")["unsur"]
        if any(c != self.outcome for c in self.left_out):  # a predictor not imputed still leaves respondents out
            items = ", ".join(predictor_label(names[c], lang, code=True) for c in self.imputed)
            out = [say("drivers_mi_used", lang, used=self.n, n=total, left=total - self.n, items=items)]
        else:
            out = [say("drivers_mi_used_overall", lang, used=self.n, n=total)]
            out += [say("drivers_mi_left_overall", lang, left=total - self.n)] if total > self.n else []
        if len(self.imputed) == 1:
            (column, blank), = self.imputed.items()
            out.append(say("drivers_mi_blanks_one", lang, item=predictor_label(names[column], lang, code=True),
                           blank=blank))
        elif self.imputed:
            out.append(say("drivers_mi_blanks", lang, blank=sum(self.imputed.values()), k=len(self.imputed),
                           detail=self.imputed_text(lang)))
        if self.imputed:
            out += [say("drivers_mi_method", lang, m=self.m), say("drivers_mi_assumption", lang)]
        return " ".join(out)

    def interval_text(self, lang: str | None = None) -> str:
        """How the intervals were made: Rubin's total variance over the bootstrap replicates, t on the
        Barnard-Rubin df."""
        return say("drivers_mi_interval", lang, level=f"{self.level:.0%}", replicates=self.replicates, m=self.m)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self, lang: str | None = None) -> str:
        lang = check_language(lang)
        detail = ", ".join(f"{c} {n}" for c, n in self.imputed.items())
        lines = [say("drivers_mi_title", lang, outcome=self.outcome, n=self.n, m=self.m, detail=detail,
                     replicates=self.replicates, r2=fmt_num(self.r2, 4, lang), level=f"{self.level:.0%}")]
        lines.append(self.table.round(4).to_string(index=False))
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()


def imputed_importance(
    data,
    outcome: str,
    predictors: Mapping[str, str] | Sequence[str],
    impute: Sequence[str] | None = None,
    weights: str | None = None,
    replicate_weights=None,
    m: int = 20,
    seed: int | None = None,
    method: Literal["lmg", "johnson"] = "lmg",
    donors: int = 5,
    iterations: int = 5,
    df_complete: float | None = None,
    level: float = 0.95,
    progress: bool = True,
) -> ImputedImportance:
    """LMG/Johnson shares with the blanks of `impute` multiply imputed, pooled by Rubin's rules (module docstring).

    Parameters
    ----------
    data : a DataFrame (with `weights` a column and `replicate_weights` an n x R matrix aligned with it) or a
        `riset.survey.replicate.ReplicateDesign` (its weights, replicate weights and df).
    impute : predictor columns whose blanks are imputed (default: every predictor column with a blank answer of a
        respondent who answered the outcome, so that only the respondents without the outcome are left out).
        The outcome is never imputed: respondents with a blank outcome or a blank in a predictor not imputed are
        left out, and reported (`notes`, `left_out`).
    m, seed : number of imputations and the seed of the imputation draws (one stream for all M).
    method : the shares pooled: 'lmg' or 'johnson'.
    donors, iterations : predictive mean matching donors; rounds of chained imputation (several columns).
    df_complete : complete-data df for the Barnard-Rubin df (default: the design's df; else Rubin 1987).

    >>> import pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame(rng.integers(1, 5, size=(120, 2)).astype(float), columns=["U1", "U2"])
    >>> d["K1"] = d["U1"] + 2 * d["U2"] + rng.normal(size=120)
    >>> d.loc[:19, "U2"] = np.nan
    >>> reps = rng.exponential(size=(120, 30))
    >>> mi = imputed_importance(d, "K1", ["U1", "U2"], replicate_weights=reps, m=5, seed=1, progress=False)
    >>> mi.imputed, mi.ranking()
    ({'U2': 20}, ['U2', 'U1'])
    """
    frame, w_all, rep_design = weighted_source(data, weights)
    if rep_design is not None:
        if replicate_weights is not None:
            raise DataError("the replicate design already carries replicate weights; do not pass replicate_weights too")
        replicate_weights = rep_design.replicate_weights
        df_complete = rep_design.df if df_complete is None else df_complete
    if replicate_weights is None:
        raise DataError("Rubin's rules need a variance from each completed data set: pass replicate_weights "
                        "(n x R bootstrap weights) or a ReplicateDesign")
    if m < 2 or method not in ("lmg", "johnson"):
        raise DataError(f"m must be at least 2 (got {m}) and method 'lmg' or 'johnson' (got {method!r})")
    names = predictor_names(predictors)
    columns = [outcome, *names["kolom"]]
    if isinstance(w_all, np.ndarray) or w_all is None:
        w = np.ones(len(frame)) if w_all is None else w_all
        frame, weights = frame.assign(**{_WEIGHT: w}), _WEIGHT
    matrix = replicate_matrix(replicate_weights, frame)
    inside = ~(pd.to_numeric(frame[weights], errors="coerce").to_numpy() <= 0)  # a blank weight: an error below
    if impute is None:
        answered = frame.loc[inside & numeric_answers(frame, [outcome])[outcome].notna().to_numpy()]
        impute = [c for c in names["kolom"] if answered[c].isna().any()]
    impute = list(impute)
    unknown = [c for c in impute if c not in names["kolom"].tolist()]
    if unknown:
        raise DataError(f"impute: column(s) {', '.join(map(repr, unknown))} are not among the predictors")
    kept = [c for c in columns if c not in impute]
    ok, notes = complete_cases(frame.loc[inside], kept, weights)
    rows = np.flatnonzero(inside)[ok.to_numpy()]
    used, matrix = frame.iloc[rows], matrix[rows]
    values = numeric_answers(used, columns).to_numpy()
    blank = np.isnan(values)
    imputed = {c: int(blank[:, columns.index(c)].sum()) for c in impute if blank[:, columns.index(c)].any()}
    dropped = numeric_answers(frame.loc[inside][~ok.to_numpy()], kept).isna().sum()
    left_out = {c: int(k) for c, k in dropped.items() if k}
    w = pd.to_numeric(used[weights]).to_numpy(dtype=float)

    rng = np.random.default_rng(seed)
    point, within, r2 = [], [], []
    for _ in tqdm(range(m), desc="imputasi", disable=not progress):
        completed = used.assign(**dict(zip(columns, pmm_impute(values, blank, w, rng, donors, iterations, columns).T)))
        ri = relative_importance(completed, outcome, predictors, weights=weights, replicate_weights=matrix,
                                 level=level, progress=False)
        shares, rep_shares = ri.table[method].to_numpy() / ri.r2, replicate_shares(ri.replicates[method])
        point.append(shares)
        within.append(rep_design.variance_of(shares, rep_shares.T) if rep_design is not None
                      else rep_shares.var(axis=0, ddof=1))
        r2.append(ri.r2)
    pooled = rubin(np.array(point), np.array(within), df_complete)
    half = stats.t.ppf(0.5 + level / 2, pooled["df"]) * pooled["se"]
    table = names.assign(importance=pooled["estimate"], se=pooled["se"], ci_low=pooled["estimate"] - half,
                         ci_high=pooled["estimate"] + half, df=pooled["df"], fmi=pooled["fmi"],
                         within=pooled["within"], between=pooled["between"])
    table["peringkat"] = table["importance"].rank(ascending=False, method="min").astype(int)
    return ImputedImportance(table=table, n=len(used), imputed=imputed, m=m, method=method,
                             replicates=matrix.shape[1], r2=float(np.mean(r2)), outcome=outcome, level=level,
                             notes=notes, left_out=left_out)


@dataclass
class RankingSensitivity:
    """Shares and ranks of the unsur under several driver analyses side by side.

    `table`: unsur, nama, then per analysis `porsi_<name>` (share of R^2) and `peringkat_<name>`; an unsur an
    analysis leaves out (e.g. the complaint unsur) is blank there. `spearman`: per analysis, Spearman's rank
    correlation with the first analysis over the unsur both contain; `n`: respondents each one used.
    """

    table: pd.DataFrame
    spearman: dict[str, float]
    n: dict[str, int]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self, lang: str | None = None) -> str:
        lang = check_language(lang)
        lines = [say("drivers_sensitivity_row", lang, name=name, n=self.n[name], rho=fmt_num(rho, 2, lang))
                 for name, rho in self.spearman.items()]
        return "\n".join([*lines, self.table.round(4).to_string(index=False)])

    def __repr__(self) -> str:
        return self.summary()


def ranking_sensitivity(analyses: Mapping[str, object], method: Literal["lmg", "johnson"] = "lmg") -> RankingSensitivity:
    """Side-by-side shares and ranks of driver analyses (each with `share_table` and `n`), e.g.
    ``{"listwise": main, "tanpa_pengaduan": without, "imputasi": mi}``; the first is the reference.

    >>> a = pd.DataFrame({"unsur": ["x", "y", "z"], "nama": ["X", "Y", "Z"], "importance": [.5, .3, .2],
    ...                   "peringkat": [1, 2, 3]})
    >>> b = a.assign(importance=[.3, .5, .2], peringkat=[2, 1, 3])
    >>> class A:
    ...     n = 10
    ...     def __init__(self, t): self.t = t
    ...     def share_table(self, method): return self.t
    >>> ranking_sensitivity({"a": A(a), "b": A(b)}).spearman["b"]
    0.5
    """
    if not analyses:
        raise DataError("ranking_sensitivity needs at least one analysis")
    tables = {name: a.share_table(method).set_index("unsur") for name, a in analyses.items()}
    order = list(next(iter(tables.values())).index)
    order += [u for t in tables.values() for u in t.index if u not in order]
    names = pd.concat([t["nama"] for t in tables.values()])
    table = pd.DataFrame({"unsur": order, "nama": [names[~names.index.duplicated()][u] for u in order]})
    spearman = {}
    reference = next(iter(tables.values()))
    for name, t in tables.items():
        table[f"porsi_{name}"] = table["unsur"].map(t["importance"])
        table[f"peringkat_{name}"] = table["unsur"].map(t["peringkat"]).astype("Int64")
        common = [u for u in reference.index if u in t.index]
        spearman[name] = float(stats.spearmanr(reference.loc[common, "importance"], t.loc[common, "importance"])
                               .statistic) if len(common) > 1 else float("nan")
    return RankingSensitivity(table, spearman, {name: int(a.n) for name, a in analyses.items()})
