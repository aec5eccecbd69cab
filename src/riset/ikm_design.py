"""IKM and NRR with design-based standard errors, confidence intervals and the chance of a different mutu grade.

Point estimates are exactly those of `riset.ikm.ikm` with the design's weights (PermenPAN-RB 14/2017):

    NRR_j  = sum_i w_i a_ij y_ij / sum_i w_i a_ij      (a_ij = 1 if respondent i answered unsur j; blanks excluded)
    IKM    = sum_j b_j NRR_j,   b_j = 1/9               (1/k over the answered unsur with empty_unsur='reweight')
    IKM konversi = 25 * IKM

Their uncertainty comes from the design (Taylor linearization of a smooth function of totals, Binder 1983;
Lumley 2010 sec. 2.2; or re-estimation with each replicate weight): with T = (sum w a_j y_j, sum w a_j)_j,

    u_i(NRR_j) = a_ij (y_ij - NRR_j) / sum_i w_i a_ij
    u_i(IKM)   = sum_j b_j u_i(NRR_j),   u_i(konversi) = 25 u_i(IKM)
    Var = design.variance(w * u);  CI = estimate -/+ t_{df} SE (clipped to 1-4 / 25-100)

This is R's ``svycontrast(svytotal(~y_1 + ... + a_9), quote((y_1/a_1 + ... + y_9/a_9)/9))`` (golden test).

Probability that the true mutu grade differs from the point grade (normal approximation on the converted score
x with standard error s; band edges of `riset.ikm`):

    P(beda) = 1 - [Phi((upper - x) / s) - Phi((lower - x) / s)]

where [lower, upper) is the band of the point grade on the unrounded scale: `riset.ikm.grade` rounds the score
half-up to 2 decimals with inclusive lower bounds, so grade A is x >= 88.305, B is 76.605 <= x < 88.305, etc.;
the lowest band extends to -inf and the highest to +inf (a true score cannot leave them). P near 0.5 means the
grade is a coin flip; report it next to the grade.

Example
-------
>>> import pandas as pd
>>> from riset.design import SurveyDesign
>>> from riset.ikm import UNSUR_2017
>>> df = pd.DataFrame({u.key: [4, 3, 3, 2] for u in UNSUR_2017})
>>> res = ikm_design(SurveyDesign(df), {u.key: u.key for u in UNSUR_2017})
>>> round(float(res.table["ikm_konversi"].iloc[0]), 2), round(float(res.table["se"].iloc[0]), 4)
(75.0, 10.2062)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from riset.errors import DesignError
from riset.estimate import column_label, critical_value, domains, fit_smooth
from riset.ikm import DEFAULT_SCHEME, Scheme, get_scheme, grade, ikm, unsur_columns
from riset.labels import check_language, kinerja_label, label
from riset.replicate import ReplicateDesign

_WEIGHT = "__bobot_desain_riset__"


@dataclass
class IkmDesignResult:
    """IKM per group with SE/CI and P(mutu beda) (`table`), NRR per group x unsur with SE/CI (`nrr`), notes.

    `table` columns: group columns, n_responden, n_tanpa_jawaban, ikm, ikm_se, ikm_konversi, se, ci_low,
    ci_high (converted scale, 25-100), df, mutu, kinerja, p_mutu_beda, unsur_kosong.
    `nrr` columns: those of `riset.ikm.IkmResult.nrr` plus se, ci_low, ci_high (1-4 scale), df.
    """

    table: pd.DataFrame
    nrr: pd.DataFrame
    scheme: Scheme
    level: float = 0.95
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self, lang: str | None = None) -> str:
        """IKM table with Indonesian (default) or English headers."""
        lang = check_language(lang)
        shown = self.table.drop(columns=["ikm", "ikm_se", "unsur_kosong"]).copy()
        shown["kinerja"] = [kinerja_label(m, lang, self.scheme) if isinstance(m, str) else m for m in shown["mutu"]]
        shown[["ikm_konversi", "se", "ci_low", "ci_high"]] = shown[["ikm_konversi", "se", "ci_low", "ci_high"]].round(2)
        shown["p_mutu_beda"] = shown["p_mutu_beda"].round(3)
        headers = {k: label(k, lang) for k in ("ikm_konversi", "mutu", "kinerja", "p_mutu_beda", "n_responden")}
        headers.update({k: column_label(k, lang, self.level) for k in ("se", "ci_low", "ci_high", "df")})
        title = "IKM dengan galat baku desain" if lang == "id" else "IKM with design-based standard errors"
        lines = [f"{title} ({self.scheme.title})", shown.rename(columns=headers).to_string(index=False)]
        lines += [("Catatan: " if lang == "id" else "Note: ") + note for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def ikm_design(
    design,
    unsur: Mapping[str, str],
    by: str | Sequence[str] | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    level: float = 0.95,
    empty_unsur: str = "error",
) -> IkmDesignResult:
    """IKM, converted IKM and NRR per unsur with design-based SE, t CI and P(mutu beda), by group.

    Parameters
    ----------
    design : `SurveyDesign` or `ReplicateDesign` (weights, possibly calibrated; a domain design works too).
    unsur : column -> unsur name mapping, as `riset.ikm.ikm` (mapped by name, not position).
    by : grouping column(s) (unit, OPD, jenis layanan, periode); each group is a domain of the full design.
    empty_unsur : as `riset.ikm.ikm` ('error', 'nan', 'reweight').

    >>> import pandas as pd
    >>> from riset.design import SurveyDesign
    >>> from riset.ikm import UNSUR_2017
    >>> df = pd.DataFrame({u.key: [4, 4, 3, 4] for u in UNSUR_2017})
    >>> ikm_design(SurveyDesign(df), {u.key: u.key for u in UNSUR_2017}).table["mutu"].item()
    'A'
    """
    sch = get_scheme(scheme)
    cols = list(unsur_columns(unsur, sch))
    w = np.asarray(design.weights)
    if (w < 0).any():
        row = design.data.index[np.argmax(w < 0)]
        raise DesignError(
            f"the design has weight {w[np.argmax(w < 0)]:g} in row {row}; IKM needs weights >= 0 "
            "(use bounded calibration so no weight turns negative)"
        )
    inside = w != 0
    point = ikm(design.data.loc[inside].assign(**{_WEIGHT: w[inside]}), unsur, by=by, weights=_WEIGHT,
                scheme=sch, empty_unsur=empty_unsur)
    by_cols = [by] if isinstance(by, str) else list(by or [])
    domain, labels, domain_notes = domains(design, by)
    n_dom, k = len(labels), len(cols)

    answers = design.data[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    answered = ~np.isnan(answers)
    y = np.hstack([np.where(answered, answers, 0.0), answered.astype(float)])
    b = _unsur_weights(point.nrr, labels, by_cols, sch)

    def g(t):
        num, den = t[..., :k], t[..., k:]
        nrr = num / np.where(den > 0, den, 1.0)
        bb = b if t.ndim == 2 else b[:, None, :]
        value = (nrr * bb).sum(axis=-1, keepdims=True)
        return np.concatenate([nrr, value, sch.conversion * value], axis=-1)

    def jacobian(t):
        num, den = t[:, :k], np.where(t[:, k:] > 0, t[:, k:], 1.0)
        jac = np.zeros((t.shape[0], k + 2, 2 * k))
        idx = np.arange(k)
        jac[:, idx, idx] = 1 / den
        jac[:, idx, k + idx] = -num / den**2
        jac[:, k] = np.einsum("dj,djm->dm", b, jac[:, :k])
        jac[:, k + 1] = sch.conversion * jac[:, k]
        return jac

    fit = fit_smooth(design, y, g, jacobian, domain, n_dom)
    se = np.sqrt(fit.var)
    df = np.full(n_dom, float(design.df)) if isinstance(design, ReplicateDesign) else design.df_by(domain, n_dom)

    per_domain = labels.copy()
    per_domain["ikm_se"] = se[:, k]
    per_domain["se"] = se[:, k + 1]
    per_domain["df"] = df.astype(int)
    table = point.table.merge(per_domain, on=by_cols, how="left") if by_cols else pd.concat(
        [point.table, per_domain.reset_index(drop=True)], axis=1)
    empty_ikm = table["ikm"].isna()
    table.loc[empty_ikm, ["ikm_se", "se"]] = np.nan
    tt = critical_value(level, table["df"].to_numpy())
    lo, hi = sch.conversion * sch.scale[0], sch.conversion * sch.scale[1]
    table["ci_low"] = np.clip(table["ikm_konversi"] - tt * table["se"], lo, hi)
    table["ci_high"] = np.clip(table["ikm_konversi"] + tt * table["se"], lo, hi)
    table["p_mutu_beda"] = p_mutu_beda(table["ikm_konversi"], table["se"], sch)
    order = [*by_cols, "n_responden", "n_tanpa_jawaban", "ikm", "ikm_se", "ikm_konversi", "se", "ci_low", "ci_high",
             "df", "mutu", "kinerja", "p_mutu_beda", "unsur_kosong"]
    table = table[order]

    nrr_se = pd.DataFrame(se[:, :k], columns=[u.key for u in unsur_columns(unsur, sch).values()])
    nrr_se = pd.concat([labels.reset_index(drop=True), nrr_se], axis=1).melt(
        id_vars=by_cols, var_name="unsur", value_name="se")
    nrr_se["df"] = np.tile(df.astype(int), k)
    nrr = point.nrr.merge(nrr_se, on=[*by_cols, "unsur"], how="left")
    nrr.loc[nrr["nrr"].isna(), "se"] = np.nan
    t_nrr = critical_value(level, nrr["df"].to_numpy())
    nrr["ci_low"] = np.clip(nrr["nrr"] - t_nrr * nrr["se"], *sch.scale)
    nrr["ci_high"] = np.clip(nrr["nrr"] + t_nrr * nrr["se"], *sch.scale)
    return IkmDesignResult(table, nrr, sch, level, [*point.notes, *domain_notes])


def p_mutu_beda(ikm_konversi, se, scheme: str | Scheme = DEFAULT_SCHEME) -> np.ndarray:
    """Probability that the true mutu grade differs from the point grade, P = 1 - [Phi((u-x)/s) - Phi((l-x)/s)].

    [l, u) is the point grade's band on the unrounded converted scale (lower bounds of `riset.ikm` minus
    0.005, because scores are rounded half-up to 2 decimals before grading); s = 0 gives 0.

    >>> round(float(p_mutu_beda(88.305, 1.0)[0]), 3)   # exactly on the A/B edge: a coin flip
    0.5
    """
    sch = get_scheme(scheme)
    x = np.asarray(ikm_konversi, dtype=float).ravel()
    s = np.asarray(se, dtype=float).ravel()
    grades = grade(x, sch)["mutu"].to_numpy()
    edges = {band.mutu: band.lower - 0.005 for band in sch.bands}
    order = [band.mutu for band in sch.bands]  # highest first
    graded = [isinstance(m, str) for m in grades]
    lower = np.array([edges[m] if ok and m != order[-1] else -np.inf for m, ok in zip(grades, graded)])
    upper = np.array([edges[order[order.index(m) - 1]] if ok and m != order[0] else np.inf
                      for m, ok in zip(grades, graded)])
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = stats.norm.cdf((upper - x) / s) - stats.norm.cdf((lower - x) / s)
    p = np.where(s == 0, 0.0, 1 - inside)
    return np.where(np.isnan(x) | np.isnan(s), np.nan, p)


def _unsur_weights(nrr_long: pd.DataFrame, labels: pd.DataFrame, by_cols, sch: Scheme) -> np.ndarray:
    """Per domain, the weight b_j of each unsur in the IKM (1/9, or 1/k after 'reweight', 0 for empty)."""
    keys = list(sch.keys)
    if not by_cols:
        return nrr_long.set_index("unsur").loc[keys, "bobot"].to_numpy(dtype=float)[None, :].repeat(len(labels), 0)
    wide = nrr_long.pivot_table(index=by_cols, columns="unsur", values="bobot", sort=False)[keys]
    index = pd.MultiIndex.from_frame(labels) if len(by_cols) > 1 else pd.Index(labels[by_cols[0]])
    return wide.reindex(index).to_numpy(dtype=float)
