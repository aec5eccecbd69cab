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

Approximate probability that the true mutu grade differs from the point grade (t on the design df of the CI
beside it, for the converted score x with standard error s; band edges of `riset.skm.ikm`):

    P(beda) = 1 - [T_df((upper - x) / s) - T_df((lower - x) / s)]

where [lower, upper) is the band of the point grade on the unrounded scale: `riset.skm.schemes.grade` rounds the score
half-up to 2 decimals with inclusive lower bounds, so grade A is x >= 88.305, B is 76.605 <= x < 88.305, etc.;
the lowest band extends to -inf and the highest to +inf (a true score cannot leave them). P near 0.5 means the
grade is a coin flip; report it next to the grade. R: ``1 - (pt((u - x)/s, degf) - pt((l - x)/s, degf))``
(golden test). NRR intervals respect the 1-4 scale: a t interval on the logit of (NRR - 1)/3 (`nrr_interval`;
R: svycontrast of the totals on that logit, qt on the design df).

Change between two periods (`compare_periods`): both periods are domains of the one design, so the difference
D = theta_akhir - theta_awal has influence u(D) = u(akhir) - u(awal) and Var(D) = V_akhir + V_awal - 2 Cov,
computed in one `design.variance` pass per group (or by re-estimating D with each replicate weight);
t = D / SE(D) on the design df, verdict naik / turun / tidak_berubah (codes; words in the catalog). With
``empty_unsur="reweight"`` both periods are compared on the unsur answered in both (and the change says so in
its notes), never an 8-unsur composite against a 9-unsur one. This is R's
``svycontrast(svyby(..., ~periode, design, svytotal, covmat = TRUE), <difference>)`` (Lumley 2010).

Example
-------
>>> import pandas as pd
>>> from riset.survey.design import SurveyDesign
>>> from riset.skm.schemes import UNSUR_2017
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

from riset.errors import DataError, DesignError
from riset.i18n import Note, check_language, label, say
from riset.skm.ikm import ikm
from riset.skm.schemes import DEFAULT_SCHEME, Scheme, get_scheme, grade, kinerja_label, unsur_columns
from riset.survey.base import Design
from riset.survey.compare import holm
from riset.survey.estimate import check_level, critical_value, domains, fit_smooth

__all__ = ["IkmDesignResult", "PeriodChange", "PeriodContrast", "PeriodFit", "VERDICTS", "compare_periods", "group_list",
           "ikm_outofcore",
           "ikm_design", "nrr_interval", "p_mutu_beda", "period_fit", "verdicts"]

_WEIGHT = "__bobot_desain_riset__"


@dataclass
class IkmDesignResult:
    """IKM per group with SE/CI and P(mutu beda) (`table`), NRR per group x unsur with SE/CI (`nrr`), notes.

    `table` columns: group columns, n_responden, n_tanpa_jawaban, ikm, ikm_se, ikm_konversi, se, ci_low,
    ci_high (converted scale, 25-100), df, mutu, kinerja, p_mutu_beda, unsur_kosong.
    `nrr` columns: those of `riset.skm.ikm.IkmResult.nrr` plus se, ci_low, ci_high (1-4 scale), df.
    `vcov`: with ``covmat=True``, the covariance of the groups' converted IKM (rows of `table`, same order).
    """

    table: pd.DataFrame
    nrr: pd.DataFrame
    scheme: Scheme
    level: float = 0.95
    notes: list[Note] = field(default_factory=list)
    vcov: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """The IKM table (one row per group)."""
        return self.table.copy()

    def summary(self, lang: str | None = None) -> str:
        """IKM table with headers in `lang` (Indonesian by default) under a title naming the scheme, then notes."""
        lang = check_language(lang)
        shown = self.table.drop(columns=["ikm", "ikm_se", "unsur_kosong"]).copy()
        shown["kinerja"] = [kinerja_label(m, lang, self.scheme) if isinstance(m, str) else m for m in shown["mutu"]]
        shown[["ikm_konversi", "se", "ci_low", "ci_high"]] = shown[["ikm_konversi", "se", "ci_low", "ci_high"]].round(2)
        shown["p_mutu_beda"] = shown["p_mutu_beda"].round(3)
        headers = {k: label(k, lang) for k in ("ikm_konversi", "mutu", "kinerja", "p_mutu_beda", "n_responden", "se",
                                                "ci_low", "ci_high", "df")}
        lines = [say("ikm_design_title", lang, scheme=self.scheme.title, level=f"{100 * self.level:g}"),
                 shown.rename(columns=headers).to_string(index=False)]
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()


def ikm_design(
    design,
    unsur: Mapping[str, str],
    by: str | Sequence[str] | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    level: float = 0.95,
    empty_unsur: str = "error",
    covmat: bool = False,
) -> IkmDesignResult:
    """IKM, converted IKM and NRR per unsur with design-based SE, t CI and P(mutu beda), by group.

    Parameters
    ----------
    design : `SurveyDesign` or `ReplicateDesign` (weights, possibly calibrated; a domain design works too).
    unsur : column -> unsur name mapping, as `riset.ikm.ikm` (mapped by name, not position).
    by : grouping column(s) (unit, OPD, jenis layanan, periode); each group is a domain of the full design.
    empty_unsur : as `riset.ikm.ikm` ('error', 'nan', 'reweight').
    covmat : also the covariance of the groups' converted IKM (`vcov`), for contrasts and rank intervals.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> from riset.skm.schemes import UNSUR_2017
    >>> df = pd.DataFrame({u.key: [4, 4, 3, 4] for u in UNSUR_2017})
    >>> ikm_design(SurveyDesign(df), {u.key: u.key for u in UNSUR_2017}).table["mutu"].item()
    'A'
    """
    check_level(level)
    sch = get_scheme(scheme)
    m = _fit(design, unsur, by, sch, empty_unsur, covmat=covmat)
    point, by_cols, labels, k, se = m.point, m.by_cols, m.labels, m.k, np.sqrt(m.fit.var)
    df = m.df

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
    table["p_mutu_beda"] = p_mutu_beda(table["ikm_konversi"], table["se"], sch, df=table["df"])
    order = [*by_cols, "n_responden", "n_tanpa_jawaban", "ikm", "ikm_se", "ikm_konversi", "se", "ci_low", "ci_high",
             "df", "mutu", "kinerja", "p_mutu_beda", "unsur_kosong"]
    table = table[order]

    nrr_se = pd.DataFrame(se[:, :k], columns=[u.key for u in unsur_columns(unsur, sch).values()])
    nrr_se = pd.concat([labels.reset_index(drop=True), nrr_se], axis=1).melt(
        id_vars=by_cols, var_name="unsur", value_name="se")
    nrr_se["df"] = np.tile(df.astype(int), k)
    nrr = point.nrr.merge(nrr_se, on=[*by_cols, "unsur"], how="left")
    nrr.loc[nrr["nrr"].isna(), "se"] = np.nan
    nrr["ci_low"], nrr["ci_high"] = nrr_interval(nrr["nrr"], nrr["se"], nrr["df"], level, sch.scale)
    notes = [*point.notes, *m.notes]
    flat = nrr["nrr"].notna() & (nrr["se"] == 0)
    if flat.any():
        cells = ", ".join(" / ".join(str(v) for v in (*r[by_cols], r["kode"])) for _, r in nrr[flat].iterrows())
        notes.append(Note("nrr_no_variation", {"n": int(flat.sum()), "cells": cells}))
    vcov = None
    if covmat and m.fit.vcov is not None:
        at = np.arange(len(labels)) * (k + 2) + k + 1  # the converted IKM of each domain
        names = [" / ".join(str(v) for v in row) for row in labels.itertuples(index=False)] if by_cols else ["ikm"]
        full = pd.DataFrame(m.fit.vcov[np.ix_(at, at)], index=names, columns=names)
        order = [" / ".join(str(v) for v in row) for row in table[by_cols].itertuples(index=False)] if by_cols else names
        vcov = full.loc[order, order]
    return IkmDesignResult(table, nrr, sch, level, notes, vcov)


def ikm_outofcore(src, unsur: Mapping[str, str], *, weights=None,
                  strata: str | Sequence[str] | None = None, psu: str | None = None, fpc: str | None = None,
                  by: str | Sequence[str] | None = None, scheme: str | Scheme = DEFAULT_SCHEME, level: float = 0.95,
                  lonely_psu: str = "fail", replicates=None, ssu: str | None = None,
                  fpc2: str | None = None) -> pd.DataFrame:
    """IKM per group with design SE, CI and P(mutu beda) from a DuckDB/Polars/Parquet source out of core
    (`riset.survey.outofcore.source`), equal to `ikm_design` on the same rows.

    PermenPAN-RB 14/2017: NRR_j = sum w a_j y_j / sum w a_j over the answered rows, IKM = sum_j NRR_j / 9
    (the average of the unsur means, `riset.survey.outofcore.mean_of_means`), konversi = 25 IKM; the CI is
    clipped to the converted scale. Answers must be numeric on the scheme's scale (blank = NULL). A group with
    an unsur nobody answered is an error (use `ikm_design` for the 'reweight' rule). A replicate design: its
    replicate weight columns as `replicates` (`riset.survey.outofcore.Replicates`) instead of strata/psu/fpc.
    Weights adjusted to population margins out of core (`riset.survey.outofcore_weighting`: the study's
    `weight_to_population` recipe, `rake`, `calibrate`, `poststratify`) go in as `weights`; the SE then carries the
    calibration as `ikm_design` on the calibrated `SurveyDesign` does (R svyrecvar's residuals).

    Returns: by columns, n_responden, ikm, ikm_se, ikm_konversi, se, ci_low, ci_high (25-100), df, mutu,
    kinerja, p_mutu_beda.
    """
    from riset.survey.outofcore import mean_of_means

    sch = get_scheme(scheme)
    cols = list(unsur_columns(unsur, sch))
    if len(cols) != len(sch.keys):
        raise DataError(f"ikm_outofcore needs the {len(sch.keys)} unsur of {sch.title}; got {len(cols)}")
    fit = mean_of_means(src, cols, weights=weights, strata=strata, psu=psu, fpc=fpc, by=by, level=level,
                        lonely_psu=lonely_psu, replicates=replicates, ssu=ssu, fpc2=fpc2)
    table = fit.drop(columns=["n", "estimate", "se", "df", "ci_low", "ci_high"])
    table["n_responden"] = fit["n"]
    table["ikm"] = fit["estimate"]
    table["ikm_se"] = fit["se"]
    table["ikm_konversi"] = sch.conversion * fit["estimate"]
    table["se"] = sch.conversion * fit["se"]
    lo, hi = sch.conversion * sch.scale[0], sch.conversion * sch.scale[1]
    table["ci_low"] = np.clip(sch.conversion * fit["ci_low"], lo, hi)
    table["ci_high"] = np.clip(sch.conversion * fit["ci_high"], lo, hi)
    table["df"] = fit["df"]
    graded = grade(table["ikm_konversi"].to_numpy(), sch)
    table["mutu"] = graded["mutu"].to_numpy()
    table["kinerja"] = graded["kinerja"].to_numpy()
    table["p_mutu_beda"] = p_mutu_beda(table["ikm_konversi"], table["se"], sch, df=table["df"])
    table.attrs["notes"] = fit.attrs.get("notes", [])
    return table


def nrr_interval(nrr, se, df, level: float = 0.95, scale: tuple[int, int] = (1, 4)) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits of NRR on a bounded scale: a t interval on the logit of p = (NRR - lo) / (hi - lo).

    logit p -/+ t_df SE / ((hi - lo) p (1 - p)), mapped back; SE 0 (or NRR on a bound) gives [NRR, NRR].

    >>> low, high = nrr_interval([3.9, 2.5], [0.05, 0.1], [30, 30])
    >>> round(float(high[0]), 3) < 4, round(float(low[1]), 3), round(float(high[1]), 3)
    (True, 2.297, 2.703)
    """
    x, s = np.asarray(nrr, dtype=float), np.asarray(se, dtype=float)
    lo, hi = scale
    p = (x - lo) / (hi - lo)
    t = critical_value(level, np.asarray(df, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.log(p / (1 - p))
        half = t * s / ((hi - lo) * p * (1 - p))
        low, high = lo + (hi - lo) / (1 + np.exp(-(centre - half))), lo + (hi - lo) / (1 + np.exp(-(centre + half)))
    flat = (s == 0) | (p <= 0) | (p >= 1)
    return np.where(flat, x, low), np.where(flat, x, high)


#: Verdict codes of a change (words in the catalog: verdict_<code>).
VERDICTS: tuple[str, ...] = ("naik", "turun", "tidak_berubah", "tidak_dapat_diuji")


def verdicts(codes, lang: str | None = None) -> list[str]:
    """The words of verdict codes in `lang` ('naik' -> 'naik bermakna' / 'significant increase').

    >>> verdicts(["naik", "tidak_berubah"], "en")
    ['significant increase', 'no significant change']
    """
    return [say(f"verdict_{c}", lang) for c in codes]


@dataclass
class PeriodChange:
    """Change in IKM and NRR between two periods per group, with design-based SE, t test and CI (`compare_periods`).

    `table` (converted IKM, 25-100): group columns, periode_awal, periode_akhir, n_awal, n_akhir, ikm_awal,
    ikm_akhir, se_awal, se_akhir, kov (covariance of the two periods' estimates), selisih (akhir - awal), se,
    ci_low, ci_high, t, df, p_value, p_holm (Holm-adjusted over the groups), perubahan (a code of `VERDICTS`),
    unsur_dibandingkan (the unsur the IKM change is computed on: all, or those answered in both periods).
    `nrr` (1-4 scale): group columns, unsur, periode_awal, periode_akhir, nrr_awal, nrr_akhir, selisih, se,
    ci_low, ci_high, t, df, p_value, p_holm, perubahan.
    """

    table: pd.DataFrame
    nrr: pd.DataFrame
    base: object
    compare: object
    scheme: Scheme
    level: float = 0.95
    notes: list[Note] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The IKM change table (one row per group)."""
        return self.table.copy()

    def verdicts(self, lang: str | None = None) -> pd.Series:
        """The `perubahan` codes in words of `lang`."""
        return pd.Series(verdicts(self.table["perubahan"], lang), index=self.table.index)

    def summary(self, lang: str | None = None) -> str:
        """Change table with headers in `lang` (Indonesian by default), then the notes."""
        lang = check_language(lang)
        shown = self.table.drop(columns=["se_awal", "se_akhir", "kov"]).copy()
        numbers = ["ikm_awal", "ikm_akhir", "selisih", "se", "ci_low", "ci_high", "t"]
        shown[numbers] = shown[numbers].round(2)
        shown[["p_value", "p_holm"]] = shown[["p_value", "p_holm"]].round(4)
        shown["perubahan"] = self.verdicts(lang)
        shown = shown.rename(columns={c: label(f"change_{c}", lang) for c in shown.columns
                                      if label(f"change_{c}", lang) != f"change_{c}"})
        lines = [say("change_title", lang, base=self.base, compare=self.compare, level=f"{100 * self.level:g}"),
                 shown.to_string(index=False)]
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()


def compare_periods(
    design,
    unsur: Mapping[str, str],
    period: str = "periode",
    by: str | Sequence[str] | None = "unit",
    base=None,
    compare=None,
    level: float = 0.95,
    scheme: str | Scheme = DEFAULT_SCHEME,
    empty_unsur: str = "error",
    adjust: str | None = None,
) -> PeriodChange:
    """Did the IKM (and each unsur's NRR) change between two periods? Difference, design SE, t test, CI, verdict.

    Both periods are domains of ONE design (every group x period is a domain of the full design, as R
    ``svyby``), so their estimates can be correlated -- a PSU or stratum with respondents in both periods, or
    a calibration that mixes periods. For each group and statistic theta (NRR_j, converted IKM):

        D   = theta_akhir - theta_awal
        u_i(D) = u_i(theta_akhir) - u_i(theta_awal)   (each u_i is zero outside its own domain)
        Var(D) = design.variance(w u(D)) = V_akhir + V_awal - 2 Cov(awal, akhir)
        t = D / SE(D),  df = design df of the group (PSUs minus strata with respondents in either period;
        a replicate design's df),  p = 2 P(T_df > |t|),  CI = D -/+ t_{df,(1+level)/2} SE(D)

    With a `ReplicateDesign` D is re-estimated with every replicate weight and Var(D) = svrVar of those
    differences. Verdict (codes): "naik" / "turun" when p < 1 - level (equivalently the CI excludes 0), else
    "tidak_berubah"; "tidak_dapat_diuji" when a period has no respondents in the group (or the NRR is empty).
    With ``empty_unsur="reweight"`` the IKM of both periods is recomputed on the unsur answered in both
    (b_j = 1/k over those k), so the change compares like with like; the dropped unsur are named in
    `notes`. This is R's ``svycontrast(svyby(~..., ~periode, design, svytotal,
    covmat = TRUE), <difference>)`` (Lumley 2010, sec. 2.3 and 3.4; golden test tests/r/golden_periode.R).

    Parameters
    ----------
    design : `SurveyDesign` or `ReplicateDesign` (the full design: the periods must be domains of it).
    unsur : column -> unsur name mapping, as `riset.ikm.ikm`.
    period : the period column; `base` (awal) and `compare` (akhir) are two of its values, by default the
        first and the last in sorted order.
    by : group column(s) compared separately (default 'unit'; None for all respondents together).
    level : confidence level of the CI and of the verdict (test at 1 - level).
    adjust : None (default: each group's verdict from its own test, as each unit reads its own result) or
        'holm': the verdict uses Holm's (1979) step-down adjusted p-value over the groups (separately for
        the IKM and for each unsur) -- the right choice when scanning many units for "which changed":
        testing 15 units at 5 % finds about one "significant" change by chance alone. `p_holm` is always
        in the table; `p_value` is unadjusted and the CI is the per-group interval.

    >>> import pandas as pd
    >>> from riset.survey.design import SurveyDesign
    >>> from riset.skm.schemes import UNSUR_2017
    >>> df = pd.DataFrame({u.key: [2, 2, 3, 2, 4, 4, 3, 4] for u in UNSUR_2017})
    >>> df["periode"] = ["S1"] * 4 + ["S2"] * 4
    >>> res = compare_periods(SurveyDesign(df), {u.key: u.key for u in UNSUR_2017}, by=None)
    >>> round(float(res.table["selisih"].item()), 2), res.table["perubahan"].item()
    (37.5, 'naik')
    """
    if not 0 < level < 1:
        raise DataError(f"level={level}; a confidence level lies between 0 and 1 (e.g. 0.95)")
    if adjust not in ("holm", None):
        raise DataError(f"adjust={adjust!r}; allowed 'holm' or None")
    base, compare, others = _two_periods(design, period, by, base, compare)
    fit = period_fit(design, unsur, period, by, periods=[base, compare], scheme=scheme, empty_unsur=empty_unsur)
    notes: list[Note] = []
    if others:
        notes.append(Note("change_other_periods", {"others": ", ".join(map(str, others)), "base": base,
                                                   "compare": compare}))
    c = fit.contrast([-1.0, 1.0])
    notes += [n for n in [*fit.notes, *c.notes] if n not in notes]
    table, nrr = _change_tables(fit, c, base, compare, level, adjust)
    return PeriodChange(table, nrr, base, compare, fit.scheme, level, notes)


def _two_periods(design, period: str, by, base, compare) -> tuple[object, object, list]:
    """The two periods compared (default the first and last present) and the others present, checked."""
    present = _periods_present(design, period, group_list(by))
    base = present[0] if base is None and present else base
    compare = present[-1] if compare is None and present else compare
    for name, value in (("base", base), ("compare", compare)):
        if value not in present:
            raise DataError(f"{name}={value!r} is not a period in column {period!r}; periods present: "
                            f"{', '.join(map(str, present)) or 'none'}")
    if base == compare:
        raise DataError(f"base and compare are both {base!r}; choose two different periods of {period!r}")
    return base, compare, [p for p in present if p not in (base, compare)]


def _change_tables(fit: PeriodFit, c: PeriodContrast, base, compare, level: float,
                   adjust: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The IKM change per group (both periods' IKM and SE, their covariance, the test) and the NRR change per
    group x unsur, from the fitted periods and their difference `c`."""
    k, sch, idx = fit.model.k, fit.scheme, fit.idx
    est, var_domain = c.estimates, c.model.fit.var
    safe = np.where(idx >= 0, idx, 0)
    awal = np.where(idx[:, :1] >= 0, est[safe[:, 0]], np.nan)
    akhir = np.where(idx[:, 1:] >= 0, est[safe[:, 1]], np.nan)
    var_awal, var_akhir = var_domain[safe[:, 0]], var_domain[safe[:, 1]]
    n_domain = np.bincount(fit.model.domain[fit.model.domain >= 0], minlength=len(fit.model.labels))

    table = _group_rows(fit.groups, fit.by_cols, 1)
    table["periode_awal"], table["periode_akhir"] = base, compare
    table["n_awal"] = np.where(idx[:, 0] >= 0, n_domain[safe[:, 0]], 0)
    table["n_akhir"] = np.where(idx[:, 1] >= 0, n_domain[safe[:, 1]], 0)
    table["ikm_awal"], table["ikm_akhir"] = awal[:, k + 1], akhir[:, k + 1]
    table["se_awal"] = np.where(np.isnan(awal[:, k + 1]), np.nan, np.sqrt(var_awal[:, k + 1]))
    table["se_akhir"] = np.where(np.isnan(akhir[:, k + 1]), np.nan, np.sqrt(var_akhir[:, k + 1]))
    table["kov"] = np.where(np.isnan(c.diff[:, k + 1]), np.nan, (var_awal + var_akhir - c.var)[:, k + 1] / 2)
    table = pd.concat([table, c.frame([k + 1], level, adjust)], axis=1)
    table["unsur_dibandingkan"] = c.compared_codes(sch)

    nrr = _group_rows(fit.groups, fit.by_cols, k)
    nrr["unsur"] = np.tile(list(sch.keys), len(fit.groups))
    nrr["periode_awal"], nrr["periode_akhir"] = base, compare
    nrr["nrr_awal"], nrr["nrr_akhir"] = awal[:, :k].ravel(), akhir[:, :k].ravel()
    nrr = pd.concat([nrr, c.frame(list(range(k)), level, adjust)], axis=1)
    return table, nrr


def group_list(by) -> list[str]:
    """`by` as a list of columns ([] for None)."""
    return [by] if isinstance(by, str) else list(by or [])


def _periods_present(design, period: str, by_cols: list[str]) -> list:
    """The periods with respondents in the design's domain, in sorted order; checks the period column."""
    if period not in design.data.columns:
        raise DataError(f"period column {period!r} not found in the data")
    if period in by_cols:
        raise DataError(f"period column {period!r} is also in by={by_cols}; compare periods within other groups")
    return sorted(design.data.loc[np.asarray(design.weights) != 0, period].dropna().unique(), key=str)


@dataclass
class PeriodContrast:
    """A linear contrast D = sum_t c_t theta_t of the periods, per group, for every statistic (k NRR, IKM,
    IKM konversi): `diff` and `var` (groups x statistics), `df` per group, the model it was computed on (its
    unsur weights may differ from the fit's with 'reweight'), the unsur compared per group and notes."""

    diff: np.ndarray
    var: np.ndarray
    df: np.ndarray
    model: _Model
    estimates: np.ndarray
    kept: list | None
    notes: list[Note]

    @property
    def se(self) -> np.ndarray:
        return np.where(np.isnan(self.diff), np.nan, np.sqrt(self.var))

    def frame(self, columns: list[int], level: float, adjust: str | None) -> pd.DataFrame:
        """selisih, se, ci, t, df, p, p_holm, perubahan for the statistics `columns` (groups x columns, row-wise)."""
        return _change_frame(self.diff[:, columns], self.se[:, columns], self.df, level, adjust)

    def compared_codes(self, sch: Scheme) -> list[str] | str:
        """Per group, the regulation codes of the unsur the IKM contrast uses ('' when all of them)."""
        if self.kept is None:
            return ""
        return [", ".join(sch.get(key).kode for key in keys) for keys in self.kept]


@dataclass
class PeriodFit:
    """IKM and NRR of every group x period as domains of one design, fitted once, for any contrast of the
    periods (`contrast`): a change, consecutive changes, a linear trend. `idx` maps (group, period) to the
    model's domain (-1: no respondents)."""

    design: object
    model: _Model
    period: str
    by_cols: list[str]
    groups: pd.DataFrame
    gcode: np.ndarray
    periods: list
    idx: np.ndarray
    scheme: Scheme
    empty_unsur: str
    notes: list[Note]

    def group_name(self, g: int) -> str | None:
        return " / ".join(map(str, self.groups.iloc[g].tolist())) if self.by_cols else None

    def contrast(self, coefficients) -> PeriodContrast:
        """D_g = sum_t c_t theta_{g,t} with its design variance: u_i(D) = c_t(i) u_i(theta_{g,t(i)}) (each row
        in its own domain), Var = design.variance of w u(D) per group, or the replicate variance of the
        re-estimated D (Binder 1983; R svycontrast on svyby(covmat=TRUE)). A group missing a period with
        c_t != 0 cannot be tested (NaN, noted); with 'reweight' the IKM uses the unsur answered in every
        period of the contrast."""
        c = np.asarray(coefficients, dtype=float)
        if c.shape != (len(self.periods),):
            raise DataError(f"a contrast needs one coefficient per period ({len(self.periods)}); got {c.size}")
        used = c != 0
        have = (self.idx[:, used] >= 0).all(axis=1)
        notes = []
        for g in np.flatnonzero(~have):
            missing = ", ".join(str(p) for p, u, i in zip(self.periods, used, self.idx[g]) if u and i < 0)
            notes.append(Note("change_period_missing" if self.by_cols else "change_period_missing_all",
                              {"group": self.group_name(g), "period": missing}))
        m, kept = self.model, None
        compared = _compared_unsur(m, self.idx[:, used], have, self.scheme, self.empty_unsur)
        if compared is not None:
            m, kept = _refit(self.design, m, compared["weights"]), compared["kept"]
            for g in np.flatnonzero(compared["dropped"] != ""):
                notes.append(Note("change_common_unsur" if self.by_cols else "change_common_unsur_all",
                                  {"group": self.group_name(g), "unsur": compared["dropped"][g]}))
        est = _masked_estimates(m, [*self.by_cols, self.period])
        safe = np.where(self.idx >= 0, self.idx, 0)
        diff = np.where(have[:, None], np.einsum("t,gts->gs", c, np.where((self.idx >= 0)[..., None],
                                                                         est[safe], 0.0)), np.nan)
        period_of_domain = np.full(len(m.labels), -1)
        period_of_domain[self.idx[self.idx >= 0]] = np.nonzero(self.idx >= 0)[1]
        n_groups = len(self.groups)
        coef = np.where(m.domain >= 0, c[period_of_domain[np.maximum(m.domain, 0)]], 0.0)
        # df counts the PSUs and strata of the periods the contrast uses (R degf of that subset)
        row_group = np.where((m.domain >= 0) & (coef != 0), self.gcode[np.maximum(m.domain, 0)], -1)
        if not self.design.linearized:
            rep = m.g(self.design.replicate_totals(m.y, m.domain, len(m.labels)))  # domains x R x stats
            rep_diff = np.einsum("t,gtrs->grs", c, np.where((self.idx >= 0)[..., None, None], rep[safe], 0.0))
            var = self.design.variance_of(diff, np.moveaxis(rep_diff, 1, -1))
        else:
            var = self.design.variance_by(m.fit.influence, row_group, n_groups,
                                          weights=np.asarray(self.design.weights) * coef)
        df = self.design.df_by(row_group, n_groups)
        return PeriodContrast(diff, var, df, m, est, kept, notes)


def period_fit(design, unsur: Mapping[str, str], period: str = "periode", by: str | Sequence[str] | None = None,
               periods: Sequence | None = None, scheme: str | Scheme = DEFAULT_SCHEME,
               empty_unsur: str = "error") -> PeriodFit:
    """Fit IKM and NRR of every group x period once (domains of the full design), for `PeriodFit.contrast`.

    `periods`: the periods to use, in order (default: every period present, sorted); the design is
    restricted to them (a domain: their PSUs and strata stay in the variance).
    """
    sch = get_scheme(scheme)
    by_cols = group_list(by)
    present = _periods_present(design, period, by_cols)
    periods = list(present if periods is None else periods)
    absent = [p for p in periods if p not in present]
    if absent:
        raise DataError(f"period {absent[0]!r} is not a period in column {period!r}; periods present: "
                        f"{', '.join(map(str, present)) or 'none'}")
    if len(periods) < 2:
        raise DataError(f"column {period!r} has {len(periods)} period(s); a change needs at least two")
    part = design.subset(design.data[period].isin(periods).to_numpy())
    m = _fit(part, unsur, [*by_cols, period], sch, empty_unsur)
    if by_cols:
        gkeys = pd.MultiIndex.from_frame(m.labels[by_cols]) if len(by_cols) > 1 else pd.Index(m.labels[by_cols[0]])
        gcode, guniq = pd.factorize(gkeys, sort=True)
        groups = pd.DataFrame(list(guniq), columns=by_cols) if len(by_cols) > 1 else pd.DataFrame({by_cols[0]: guniq})
    else:
        gcode, groups = np.zeros(len(m.labels), dtype=np.int64), pd.DataFrame(index=[0])
    idx = np.full((len(groups), len(periods)), -1)
    position = {p: t for t, p in enumerate(periods)}
    idx[gcode, [position[p] for p in m.labels[period]]] = np.arange(len(m.labels))
    return PeriodFit(part, m, period, by_cols, groups, gcode, periods, idx, sch, empty_unsur,
                     [n for n in [*m.point.notes, *m.notes]])


def _change_frame(diff: np.ndarray, se: np.ndarray, df: np.ndarray, level: float, adjust: str | None) -> pd.DataFrame:
    """selisih, se, ci_low, ci_high, t, df, p_value, p_holm, perubahan for groups x statistics (flattened
    row-wise); Holm's adjustment runs over the groups, one statistic (column) at a time."""
    dfs = np.repeat(df[:, None], diff.shape[1], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    with np.errstate(invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(t), dfs)  # NaN when t is (no estimate) or df is 0 (no variance to test)
    p_holm = np.apply_along_axis(holm, 0, p)
    tested = p_holm if adjust == "holm" else p
    tt = critical_value(level, dfs)
    verdict = np.where(np.isnan(tested), "tidak_dapat_diuji",
                       np.where(tested >= 1 - level, "tidak_berubah", np.where(diff > 0, "naik", "turun")))
    return pd.DataFrame({"selisih": diff.ravel(), "se": se.ravel(), "ci_low": (diff - tt * se).ravel(),
                         "ci_high": (diff + tt * se).ravel(), "t": t.ravel(), "df": dfs.ravel().astype(int),
                         "p_value": p.ravel(), "p_holm": p_holm.ravel(), "perubahan": verdict.ravel()})


@dataclass
class _Model:
    """The shared fit of `ikm_design` and `compare_periods`: point IKM (riset.skm.ikm), domains, smooth fit."""

    point: object  # riset.skm.ikm.IkmResult
    by_cols: list[str]
    domain: np.ndarray
    labels: pd.DataFrame
    notes: list[Note]
    k: int
    y: np.ndarray
    b: np.ndarray  # domains x k: the weight of each unsur in each domain's IKM
    g: object  # totals (..., 2k) -> (NRR_1..k, IKM, IKM konversi)
    fit: object  # riset.survey.estimate.SmoothFit
    df: np.ndarray
    scheme: Scheme


def _fit(design, unsur, by, sch: Scheme, empty_unsur: str, covmat: bool = False) -> _Model:
    """Point IKM/NRR and the smooth-function fit (totals y_j a_j, a_j per unsur) of every domain of `by`."""
    if not isinstance(design, Design):
        raise DesignError(f"expected a survey design (SurveyDesign or ReplicateDesign), not {type(design).__name__}")
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
    df = design.df_by(domain, n_dom)
    m = _Model(point, by_cols, domain, labels, domain_notes, k, y, b, None, None, df, sch)
    return _refit(design, m, b, covmat)


def _refit(design, m: _Model, b: np.ndarray, covmat: bool = False) -> _Model:
    """The smooth fit of the model's totals with unsur weights `b` (domains x k) in the IKM."""
    k, sch = m.k, m.scheme

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

    fit = fit_smooth(design, m.y, g, jacobian, m.domain, len(m.labels), covmat=covmat)
    return _Model(m.point, m.by_cols, m.domain, m.labels, m.notes, k, m.y, b, g, fit, m.df, sch)


def _compared_unsur(m: _Model, idx: np.ndarray, both: np.ndarray, sch: Scheme, empty_unsur: str) -> dict | None:
    """With 'reweight': per group, the unsur answered in every period of `idx` (groups x periods of the
    contrast), their weights (1/k over them, in those periods' domains) and the unsur left out; None when
    every group keeps every unsur (nothing to change)."""
    if empty_unsur != "reweight":
        return None
    answered = m.fit.totals[:, m.k:] > 0  # domains x k
    b = m.b.copy()
    kept, dropped = [], np.full(len(idx), "", dtype=object)
    for g, domains_of_group in enumerate(idx):
        if not both[g]:
            kept.append([])
            continue
        common = answered[domains_of_group].all(axis=0)
        kept.append([key for key, ok in zip(sch.keys, common) if ok])
        if not common.all():
            dropped[g] = ", ".join(sch.get(key).kode for key, ok in zip(sch.keys, common) if not ok)
        if common.any():
            b[domains_of_group] = np.where(common, 1.0 / common.sum(), 0.0)
    if not (dropped != "").any():
        return None
    return {"weights": b, "kept": kept, "dropped": dropped}


def _group_rows(groups: pd.DataFrame, by_cols: list[str], repeat: int) -> pd.DataFrame:
    """The group label columns, each group repeated `repeat` times (no columns without groups)."""
    if not by_cols:
        return pd.DataFrame(index=range(repeat))
    return groups.loc[groups.index.repeat(repeat)].reset_index(drop=True)


def _masked_estimates(m: _Model, keys: list[str]) -> np.ndarray:
    """The fit's estimates with NaN where riset.skm.ikm has none (an unsur nobody answered; IKM under 'nan')."""
    est = m.fit.estimate.copy()
    est[:, :m.k][m.fit.totals[:, m.k:] == 0] = np.nan
    index = pd.MultiIndex.from_frame(m.labels[keys]) if len(keys) > 1 else pd.Index(m.labels[keys[0]])
    empty = m.point.table.set_index(keys)["ikm"].reindex(index).isna().to_numpy()
    est[empty, m.k:] = np.nan
    return est


def p_mutu_beda(ikm_konversi, se, scheme: str | Scheme = DEFAULT_SCHEME, df=np.inf) -> np.ndarray:
    """Approximate probability that the true mutu grade differs from the point grade,
    P = 1 - [T_df((u - x)/s) - T_df((l - x)/s)], with the design df of the CI beside it (normal for df = inf).

    [l, u) is the point grade's band on the unrounded converted scale (lower bounds of `riset.skm.schemes` minus
    0.005, because scores are rounded half-up to 2 decimals before grading); s = 0 gives 0. It reads the
    estimate's sampling distribution as the uncertainty about the true score (a flat-prior reading): "with
    this precision, how likely is the grade to be another one?".

    >>> round(float(p_mutu_beda(88.305, 1.0)[0]), 3)   # exactly on the A/B edge: a coin flip
    0.5
    >>> float(p_mutu_beda(80.0, 2.0, df=7)[0]) > float(p_mutu_beda(80.0, 2.0)[0])   # few PSUs: larger risk
    True
    """
    sch = get_scheme(scheme)
    x = np.asarray(ikm_konversi, dtype=float).ravel()
    s = np.asarray(se, dtype=float).ravel()
    dist = stats.t(np.broadcast_to(np.asarray(df, dtype=float).ravel(), x.shape))
    grades = grade(x, sch)["mutu"].to_numpy()
    edges = {band.mutu: band.lower - 0.005 for band in sch.bands}
    order = [band.mutu for band in sch.bands]  # highest first
    graded = [isinstance(m, str) for m in grades]
    lower = np.array([edges[m] if ok and m != order[-1] else -np.inf for m, ok in zip(grades, graded)])
    upper = np.array([edges[order[order.index(m) - 1]] if ok and m != order[0] else np.inf
                      for m, ok in zip(grades, graded)])
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = dist.cdf((upper - x) / s) - dist.cdf((lower - x) / s)
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
