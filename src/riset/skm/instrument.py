"""Instrument quality: validity (item-total r vs r-tabel), reliability (Cronbach alpha), one-factor check.

What reviewers of an Indonesian SKM report expect (uji validitas dan reliabilitas), computed from the
items' covariance matrix C (k items, n respondents; classical test theory, unweighted):

    r hitung (corrected item-total r)   r_j = cov(x_j, T - x_j) / sqrt(var(x_j) var(T - x_j)),  T = sum of items
                                            = (sum_l C_jl - C_jj) / sqrt(C_jj (sum C - 2 sum_l C_jl + C_jj))
    r tabel                             r* = t / sqrt(n - 2 + t^2),  t = t_{1 - a/2, n - 2}  (two-tailed)
                                        (n = 30, a = 0.05 -> 0.361); item valid when r hitung > r tabel
    Cronbach alpha                      alpha = k / (k - 1) * (1 - tr(C) / sum(C))          (Cronbach 1951)
    CI (Feldt 1965; Feldt, Woodruff & Salih 1987): (1 - alpha)/(1 - alpha_pop) ~ F(n - 1, (n - 1)(k - 1)):
        [1 - (1 - alpha) F_{1-g/2},  1 - (1 - alpha) F_{g/2}],  g = 1 - level
    alpha jika item dihapus             alpha of the k - 1 other items
    reliable when alpha > 0.60 (0.70 for a stricter reading; configurable)
    KMO (Kaiser 1970; Kaiser & Rice 1974)   KMO = sum r_ij^2 / (sum r_ij^2 + sum p_ij^2) over i != j,
        p_ij = -Q_ij / sqrt(Q_ii Q_jj) partial correlations from Q = R^-1; MSA_j the same over row j only
    Bartlett's test of sphericity        chi2 = -(n - 1 - (2k + 5)/6) ln det R,  df = k(k - 1)/2
    first principal component            loadings sqrt(lambda_1) v_1, variance explained lambda_1 / k;
        one factor is plausible when only lambda_1 > 1 (Kaiser criterion) and every loading >= 0.40.

Missing answers: ``missing="listwise"`` (default) uses the respondents who answered every item and reports
how many were left out; ``"pairwise"`` estimates C from all answers to each pair (as R psych's default)
and uses the smallest pair count as n for r tabel, Bartlett and the CI (conservative). Values match
R psych 2.2.9 (alpha, alpha.ci, KMO, cortest.bartlett, principal).

Example
-------
>>> import pandas as pd
>>> from riset.skm.instrument import check_instrument, r_tabel
>>> round(r_tabel(30), 3)
0.361
>>> answers = pd.DataFrame({"U1": [1, 2, 3, 4, 4], "U2": [1, 3, 3, 4, 3], "U3": [2, 2, 3, 4, 4]})
>>> round(check_instrument(answers).alpha, 4)
0.932
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from riset.errors import DataError, RisetError
from riset.i18n import Note, check_language, fmt_num, fmt_p, label, say
from riset.skm.schemes import resolve_unsur, unsur_name

__all__ = ["InstrumentResult", "KMO_BANDS", "Kmo", "MIN_LOADING", "check_instrument", "cronbach_alpha", "feldt_ci",
           "kmo", "r_tabel"]

Missing = Literal["listwise", "pairwise"]

#: Kaiser's (1974) reading of KMO / MSA, highest first: (lower bound, code); words in the catalog (kmo_<code>).
KMO_BANDS: tuple[tuple[float, str], ...] = (
    (0.90, "marvelous"),
    (0.80, "meritorious"),
    (0.70, "middling"),
    (0.60, "mediocre"),
    (0.50, "miserable"),
    (0.00, "unacceptable"),
)

#: A loading below this on the first component marks an item that does not fit the one-factor picture.
MIN_LOADING = 0.40

def r_tabel(n: int, alpha: float = 0.05, tails: int = 2) -> float:
    """Critical Pearson r for n respondents ("r tabel"): r* = t / sqrt(df + t^2), df = n - 2.

    t is the Student t quantile at 1 - alpha/2 (two-tailed, the usual SKM table) or 1 - alpha (tails=1).
    Source: the t test of a correlation, t = r sqrt(df) / sqrt(1 - r^2), solved for r.

    >>> round(r_tabel(30), 3), round(r_tabel(30, alpha=0.01), 3), round(r_tabel(20), 3)
    (0.361, 0.463, 0.444)
    """
    if not (isinstance(n, (int, np.integer)) and n >= 3):
        raise DataError(f"r tabel needs n >= 3 respondents (df = n - 2 >= 1); got n = {n!r}")
    if not 0 < alpha < 1:
        raise DataError(f"alpha={alpha!r} must be between 0 and 1 (e.g. 0.05)")
    if tails not in (1, 2):
        raise DataError(f"tails={tails!r} must be 1 or 2")
    df = n - 2
    t = stats.t.ppf(1 - alpha / tails, df)
    return float(t / np.sqrt(df + t**2))


def cronbach_alpha(cov: np.ndarray) -> float:
    """alpha = k/(k-1) (1 - tr(C)/sum(C)) from the k x k item covariance matrix (Cronbach 1951).

    >>> cronbach_alpha(np.array([[1.0, 0.5], [0.5, 1.0]]))   # 2 * (1 - 2/3)
    0.6666666666666667
    """
    c = np.asarray(cov, dtype="float64")
    k = c.shape[0]
    return float(k / (k - 1) * (1 - np.trace(c) / c.sum()))


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval of Cronbach alpha: 1 - (1 - alpha) F quantiles, F(n-1, (n-1)(k-1)).

    >>> [round(v, 3) for v in feldt_ci(0.8, n=30, k=6)]
    [0.664, 0.893]
    """
    g = 1 - level
    d1, d2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * stats.f.ppf(1 - g / 2, d1, d2)
    upper = 1 - (1 - alpha) * stats.f.ppf(g / 2, d1, d2)
    return float(lower), float(upper)


@dataclass
class Kmo:
    """Kaiser-Meyer-Olkin measure: `overall` KMO and `msa` per item (measure of sampling adequacy)."""

    overall: float
    msa: pd.Series

    @property
    def band(self) -> str:
        """Kaiser's (1974) band of the overall value, a code of `KMO_BANDS` (>= 0.5 is the usual minimum)."""
        return next(code for lower, code in KMO_BANDS if self.overall >= lower)

    def reading(self, lang: str | None = None) -> str:
        """Kaiser's words for the overall value in `lang` ('baik' / 'meritorious')."""
        return say(f"kmo_{self.band}", lang)

    def to_frame(self) -> pd.DataFrame:
        """MSA per item."""
        return self.msa.to_frame()

    def summary(self, lang: str | None = None) -> str:
        """The overall KMO with Kaiser's reading and the item with the lowest MSA."""
        lang = check_language(lang)
        return say("kmo_summary", lang, kmo=fmt_num(self.overall, 3, lang), reading=self.reading(lang),
                   lowest=fmt_num(self.msa.min(), 3, lang), item=self.msa.idxmin())

    def __repr__(self) -> str:
        return self.summary()


def kmo(corr: pd.DataFrame | np.ndarray) -> Kmo:
    """KMO and per-item MSA from a correlation matrix (Kaiser 1970; Kaiser & Rice 1974).

    KMO = sum_{i!=j} r_ij^2 / (sum_{i!=j} r_ij^2 + sum_{i!=j} p_ij^2), p_ij = -Q_ij / sqrt(Q_ii Q_jj), Q = R^-1.

    >>> r = pd.DataFrame([[1, .5, .5], [.5, 1, .5], [.5, .5, 1]], index=list("abc"), columns=list("abc"))
    >>> round(kmo(r).overall, 4)   # p_ij = 1/3: 1.5 / (1.5 + 6/9)
    0.6923
    """
    names = list(corr.columns) if isinstance(corr, pd.DataFrame) else [f"item{j + 1}" for j in range(len(corr))]
    r = np.asarray(corr, dtype="float64")
    try:
        q = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        raise DataError(
            "the correlation matrix of the items is singular (an item repeats others); KMO needs it invertible"
        ) from None
    d = np.sqrt(np.diag(q))
    p = -q / np.outer(d, d)
    off = ~np.eye(len(r), dtype=bool)
    r2, p2 = np.where(off, r**2, 0), np.where(off, p**2, 0)
    overall = r2.sum() / (r2.sum() + p2.sum())
    return Kmo(float(overall), pd.Series(r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0)), index=names, name="msa"))


@dataclass
class InstrumentResult:
    """Validity and reliability of a set of items (see the module docstring for the formulas).

    `items`: per item n, mean, sd, r hitung, r tabel, verdict, alpha if deleted, MSA, loading.
    `alpha`, `alpha_ci` (Feldt), `threshold`, `reliable`; `kmo`, `bartlett` (chi2, df, p), `eigenvalues`,
    `variance_explained`, `one_factor`; `n` (respondents used), `n_dropped`, `r_critical`, `notes`.
    """

    items: pd.DataFrame
    alpha: float
    alpha_ci: tuple[float, float]
    level: float
    threshold: float
    significance: float
    r_critical: float
    kmo: Kmo
    bartlett: tuple[float, int, float]
    eigenvalues: np.ndarray
    variance_explained: float
    n: int
    n_dropped: int
    missing: str
    labels: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def reliable(self) -> bool:
        return self.alpha > self.threshold

    @property
    def one_factor(self) -> bool:
        """Only the first eigenvalue above 1 and every first-component loading >= 0.40."""
        return bool((self.eigenvalues > 1).sum() == 1 and (self.items["loading"] >= MIN_LOADING).all())

    @property
    def valid_items(self) -> list[str]:
        return list(self.items.index[self.items["valid"]])

    def to_frame(self) -> pd.DataFrame:
        """Per-item table: n, mean, sd, r (corrected item-total), r_tabel, valid, alpha_if_deleted, msa, loading."""
        return self.items.assign(r_tabel=self.r_critical)[
            ["n", "mean", "sd", "r", "r_tabel", "valid", "alpha_if_deleted", "msa", "loading"]]

    def table(self, lang: str | None = None) -> pd.DataFrame:
        """The per-item table as printed in an SKM report: unsur names and headers in `lang`, 3 decimals."""
        lang = check_language(lang)
        t = self.to_frame().round(3)
        t["valid"] = [say("item_valid" if v else "item_invalid", lang) for v in t["valid"]]
        t.insert(0, "label", [self._label(c, lang) for c in t.index])
        return t.rename(columns={c: label(f"instrument_{c}", lang) for c in t.columns}).rename_axis(
            label("instrument_item", lang))

    def summary(self, lang: str | None = None) -> str:
        """The checks in words (r tabel, invalid items, alpha with its CI, KMO, Bartlett, one factor) and the table."""
        lang = check_language(lang)
        lo, hi = self.alpha_ci
        chi2, df, p = self.bartlett
        invalid = [c for c in self.items.index if c not in self.valid_items]
        lines = [
            say("instrument_title", lang, k=len(self.items), n=self.n) + (
                say("instrument_dropped", lang, n=self.n_dropped) if self.n_dropped else ""),
            say("instrument_validity", lang, significance=fmt_num(self.significance, 2, lang), df=self.n - 2,
                r=fmt_num(self.r_critical, 3, lang), invalid=", ".join(invalid) or "–"),
            say("instrument_alpha", lang, alpha=fmt_num(self.alpha, 3, lang), level=f"{self.level:.0%}",
                low=fmt_num(lo, 3, lang), high=fmt_num(hi, 3, lang), threshold=fmt_num(self.threshold, 2, lang),
                verdict=say("reliable" if self.reliable else "unreliable", lang)),
            say("instrument_factor", lang, kmo=fmt_num(self.kmo.overall, 3, lang), reading=self.kmo.reading(lang),
                df=df, chi2=fmt_num(chi2, 2, lang), p=fmt_p(p, lang),
                share=fmt_num(100 * self.variance_explained, 1, lang),
                verdict=say("one_factor" if self.one_factor else "more_factors", lang)),
            self.table(lang).to_string(),
        ]
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()

    def _label(self, col: str, lang: str) -> str:
        name = self.labels.get(col)
        if name is None:
            return col
        try:
            return unsur_name(resolve_unsur(name).key, lang, code=False)
        except RisetError:
            return name


def check_instrument(
    data: pd.DataFrame,
    items: Sequence[str] | Mapping[str, str] | None = None,
    significance: float = 0.05,
    threshold: float = 0.60,
    level: float = 0.95,
    missing: Missing = "listwise",
) -> InstrumentResult:
    """Validity (corrected item-total r vs r tabel), Cronbach alpha with Feldt CI, KMO and one-factor check.

    Parameters
    ----------
    data : one row per respondent (not changed).
    items : item columns, or a column -> unsur name mapping (labels such as "Waktu Penyelesaian");
        None = every numeric column.
    significance : level of the r-tabel test (0.05 -> r tabel 0.361 at n = 30; 0.01 also common).
    threshold : alpha above which the instrument is called reliable (0.60; 0.70 for a stricter reading).
    level : confidence level of the Feldt interval for alpha.
    missing : 'listwise' (default; respondents with any blank item left out and reported) or 'pairwise'.

    Unweighted on purpose: validity and reliability describe the questionnaire in the sample that
    answered it (classical test theory), not a population quantity.

    >>> # check_instrument(df, {"U1": "persyaratan", ..., "U9": "pengaduan"}).summary()
    """
    if missing not in ("listwise", "pairwise"):
        raise DataError(f"missing={missing!r} is not allowed; choose 'listwise' or 'pairwise'")
    if not 0 < threshold < 1:
        raise DataError(f"threshold={threshold!r} must be between 0 and 1 (0.60 or 0.70 are usual)")
    if not 0 < level < 1:
        raise DataError(f"level={level!r} must be between 0 and 1 (e.g. 0.95)")
    labels = dict(items) if isinstance(items, Mapping) else {}
    cols = list(items) if items is not None else [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    values = _item_values(data, cols)
    notes: list[Note] = []
    answered_all = values.notna().all(axis=1)
    silent = int(values.isna().all(axis=1).sum())
    if missing == "listwise":
        used = values[answered_all]
        n_dropped = int((~answered_all).sum())
        if n_dropped:
            per = ", ".join(f"{c} {int(k)}" for c, k in values.isna().sum().items() if k)
            notes.append(Note("instrument_listwise", {"n": n_dropped, "per": per}))
        cov = used.cov().to_numpy()
        corr = used.corr().to_numpy()
        n = len(used)
    else:
        used = values[~values.isna().all(axis=1)]
        n_dropped = silent
        pairs = used.notna().astype(int)
        counts = pairs.T @ pairs
        n = int(counts.to_numpy().min())
        cov = used.cov().to_numpy()
        corr = used.corr().to_numpy()
        notes.append(Note("instrument_pairwise", {"n": n}))
    if n < 3:
        raise DataError(f"only {n} respondents answered every item; validity needs at least 3 (30 or more is usual)")
    constant = [c for c, v in zip(cols, np.diag(cov)) if not v > 0]
    if constant:
        raise DataError(
            f"item '{constant[0]}' has the same answer for every respondent used; a constant item has no "
            "item-total correlation -- remove it"
        )
    k = len(cols)
    alpha = cronbach_alpha(cov)
    rows = cov.sum(axis=1)
    total = cov.sum()
    diag = np.diag(cov)
    r_item = (rows - diag) / np.sqrt(diag * (total - 2 * rows + diag))
    alpha_deleted = [cronbach_alpha(np.delete(np.delete(cov, j, 0), j, 1)) if k > 2 else np.nan for j in range(k)]
    critical = r_tabel(n, significance)
    kmo_result = kmo(pd.DataFrame(corr, index=cols, columns=cols))
    eig, vec = np.linalg.eigh(corr)
    eig, vec = eig[::-1], vec[:, ::-1]
    first = vec[:, 0] * np.sqrt(eig[0])
    first = first if first.sum() >= 0 else -first
    chi2 = float(-(n - 1 - (2 * k + 5) / 6) * np.log(np.linalg.det(corr)))
    df = k * (k - 1) // 2
    table = pd.DataFrame(
        {
            "n": used.notna().sum().astype(int),
            "mean": used.mean(),
            "sd": used.std(),
            "r": r_item,
            "valid": r_item > critical,
            "alpha_if_deleted": alpha_deleted,
            "msa": kmo_result.msa.to_numpy(),
            "loading": first,
        },
        index=pd.Index(cols, name="item"),
    )
    if k < 3:
        notes.append(Note("instrument_few_items"))
    return InstrumentResult(
        items=table, alpha=alpha, alpha_ci=feldt_ci(alpha, n, k, level), level=level, threshold=threshold,
        significance=significance, r_critical=critical, kmo=kmo_result,
        bartlett=(chi2, df, float(stats.chi2.sf(chi2, df))), eigenvalues=eig,
        variance_explained=float(eig[0] / k), n=n, n_dropped=n_dropped, missing=missing, labels=labels, notes=notes,
    )


def _item_values(data: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    if len(cols) < 2:
        raise DataError(f"an instrument check needs at least 2 item columns; got {cols}")
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise DataError(f"item column(s) {', '.join(map(repr, absent))} not found in the data")
    values = data[cols].apply(pd.to_numeric, errors="coerce")
    for c in cols:
        bad = data[c].notna() & values[c].isna()
        if bad.any():
            row = bad[bad].index[0]
            raise DataError(
                f"item column '{c}' has value {data.loc[row, c]!r} in row {row}; answers must be numbers "
                "(read the file with riset.skm.exports to map answer labels to scores)"
            )
    return values.astype("float64")
