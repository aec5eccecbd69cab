"""Change over time and against targets: a series of periods with its trend, a comparison with last year's
published IKM, targets (IKU) met or not, and the difference-in-differences effect of a service innovation.

Series (`period_series`): IKM per group x period as domains of one design (`riset.skm.ikm_design.period_fit`);
each consecutive change D_t = theta_t - theta_{t-1} and the linear trend

    b = sum_t c_t theta_t,  c_t = (x_t - xbar) / sum_s (x_s - xbar)^2      (x_t = 0, 1, 2, ... or given times)

(the least-squares slope through the period estimates, in IKM points per period) are linear contrasts with
design SEs that carry the covariance of periods sharing PSUs or a calibration (R svycontrast on
svyby(covmat=TRUE); Lumley 2010, sec. 3.4), tested with t on the design df. Multiplicity: Holm's step-down
adjustment over every group and step of a family (all consecutive changes; all trends), stated in `notes`.

Targets (`check_targets`): with estimate x, SE s and design df, each target T is tested by
t = (x - T) / s on the df, p = 2 P(T_df > |t|), and the p-values of all rows tested together (the units of a
study) are adjusted by Holm's step-down rule, as the change verdicts and the unit ranks are. The target is
'met' when the adjusted p is below 1 - level and x > T, 'not_met' when it is below and x < T, else
'indistinct'; unadjusted (``adjust=None``) this is the CI rule (met when the CI's lower limit is above T).
The approximate probability that the true IKM reaches T is P = 1 - T_df((T - x) / s).

Published figure (`compare_published`): last year's IKM from its report, as a point (treated as fixed: a
one-sample t test, ignoring its own error), with its SE or CI (independent samples: z = D / sqrt(s^2 + s0^2)),
or with its n only (s0 approximated as s sqrt(n / n0): the same variance per respondent and design effect as
this year's -- an assumption said in the caveat).

Difference in differences (`did_coefficients`): (T_after - T_before) - (C_after - C_before) over the four
domains innovating / comparison x before / after of one design, as one contrast, so shared PSUs and the
calibration enter its SE; the assumption (parallel trends without the innovation) is stated, and with two or
more periods before the start a placebo DiD on the pre-periods is shown.

>>> check_targets(pd.DataFrame({"ikm_konversi": [84.0, 80.5], "se": [0.5, 1.5], "df": [30, 30]}), 82)["status"].tolist()
['met', 'indistinct']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from riset.errors import DataError
from riset.i18n import Note, check_language, say
from riset.skm.ikm_design import group_list, ikm_design, period_fit, verdicts
from riset.skm.schemes import DEFAULT_SCHEME, Scheme
from riset.survey.compare import holm
from riset.survey.estimate import critical_value

__all__ = ["PeriodSeries", "PublishedComparison", "TARGET_STATUS", "check_targets", "compare_published",
           "did_coefficients", "holm_family", "period_series", "trend_coefficients"]

#: Codes of a target check (words in the catalog: target_<code>).
TARGET_STATUS = ("met", "not_met", "indistinct", "untestable")


def trend_coefficients(times: Sequence[float]) -> np.ndarray:
    """Contrast coefficients of the least-squares slope through estimates at `times`: c_t = (x_t - xbar) / Sxx.

    >>> trend_coefficients([0, 1, 2]).tolist()
    [-0.5, 0.0, 0.5]
    """
    x = np.asarray(times, dtype=float)
    centred = x - x.mean()
    sxx = (centred**2).sum()
    if sxx == 0:
        raise DataError("a trend needs at least two different times")
    return centred / sxx


@dataclass
class PeriodSeries:
    """IKM per group and period (`table`), consecutive changes (`changes`) and the linear trend per group
    (`trend`), all on the converted scale with design SEs; verdicts are codes (`riset.skm.ikm_design.VERDICTS`)
    from Holm-adjusted p-values over each family."""

    table: pd.DataFrame
    changes: pd.DataFrame
    trend: pd.DataFrame
    periods: list
    scheme: Scheme
    level: float = 0.95
    notes: list[Note] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """IKM per group and period."""
        return self.table.copy()

    def summary(self, lang: str | None = None) -> str:
        """The series, the changes and the trends with verdicts in `lang`, then the notes."""
        lang = check_language(lang)
        shown = [say("series_title", lang, periods=" → ".join(map(str, self.periods))),
                 self.table.round(2).to_string(index=False)]
        for frame in (self.changes, self.trend):
            part = frame.assign(perubahan=verdicts(frame["perubahan"], lang)).round(4)
            shown.append(part.to_string(index=False))
        return "\n".join(shown + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()


def period_series(design, unsur: Mapping[str, str], period: str, by: str | Sequence[str] | None = None,
                  periods: Sequence | None = None, times: Sequence[float] | None = None,
                  scheme: str | Scheme = DEFAULT_SCHEME, level: float = 0.95,
                  empty_unsur: str = "error") -> PeriodSeries:
    """IKM per group over any number of periods, each consecutive change and the linear trend with design SEs.

    Parameters
    ----------
    design : the full design (`SurveyDesign` or `ReplicateDesign`); every group x period is a domain of it.
    period : the period column; `periods` its values in time order (default: sorted); `times` their
        positions for the trend (default 0, 1, 2, ... : the slope is per period step).
    by : group columns (e.g. 'unit'); None for all respondents together.
    Formulas and the multiplicity rule in the module docstring.
    """
    fit = period_fit(design, unsur, period, by, periods=periods, scheme=scheme, empty_unsur=empty_unsur)
    ordered, by_cols, k = fit.periods, group_list(by), fit.model.k
    times = list(range(len(ordered))) if times is None else list(times)
    if len(times) != len(ordered):
        raise DataError(f"times needs one value per period ({len(ordered)}); got {len(times)}")
    points = ikm_design(fit.design, unsur, by=[*by_cols, period], scheme=fit.scheme, level=level,
                        empty_unsur=empty_unsur).table
    points[period] = pd.Categorical(points[period], categories=ordered, ordered=True)
    table = points.sort_values([*by_cols, period], kind="stable").reset_index(drop=True)
    table = table[[*by_cols, period, "n_responden", "ikm_konversi", "se", "ci_low", "ci_high", "df", "mutu"]]

    steps = []
    for t in range(1, len(ordered)):
        c = np.zeros(len(ordered))
        c[t - 1], c[t] = -1.0, 1.0
        contrast = fit.contrast(c)
        rows = _rows(fit, contrast, [k + 1], level)
        rows.insert(len(by_cols), "periode_dari", ordered[t - 1])
        rows.insert(len(by_cols) + 1, "periode_ke", ordered[t])
        steps.append(rows)
    changes = holm_family(pd.concat(steps, ignore_index=True), level)
    slope = fit.contrast(trend_coefficients(times))
    trend = holm_family(_rows(fit, slope, [k + 1], level), level)
    notes = list(fit.notes)
    notes.append(Note("series_multiplicity", {"changes": int(changes["p_value"].notna().sum()),
                                              "trends": int(trend["p_value"].notna().sum())}))
    return PeriodSeries(table, changes, trend, ordered, fit.scheme, level, notes)


def _rows(fit, contrast, columns: list[int], level: float) -> pd.DataFrame:
    frame = contrast.frame(columns, level, None)
    groups = fit.groups.reset_index(drop=True) if fit.by_cols else pd.DataFrame(index=range(len(frame)))
    return pd.concat([groups, frame], axis=1)


def holm_family(frame: pd.DataFrame, level: float) -> pd.DataFrame:
    """Holm over every test of the family (all groups and steps; or all unsur of one effect); verdicts from the
    adjusted p (`p_holm`, `perubahan` from the sign of `selisih`)."""
    frame = frame.copy()
    frame["p_holm"] = holm(frame["p_value"].to_numpy())
    tested = frame["p_holm"]
    frame["perubahan"] = np.where(tested.isna(), "tidak_dapat_diuji",
                                  np.where(tested >= 1 - level, "tidak_berubah",
                                           np.where(frame["selisih"] > 0, "naik", "turun")))
    return frame


def check_targets(table: pd.DataFrame, targets: float | Mapping, group: str | None = None,
                  level: float = 0.95, adjust: str | None = "holm") -> pd.DataFrame:
    """Target per row (a number for all, or a mapping from the `group` column's values; missing = no
    target): target, p_value (two-sided t test of IKM = target on the row's df), p_holm (Holm-adjusted over
    the rows with a target), status ('met' / 'not_met' / 'indistinct' from p_holm, or from p_value with
    ``adjust=None``; 'untestable' without SE), and p_target = P(true IKM >= target) = 1 - T_df((target - x) / s)
    (approximate: the sampling distribution read as uncertainty about the true value). SE 0: the target is
    met when x >= target, not met below it."""
    if adjust not in ("holm", None):
        raise DataError(f"adjust={adjust!r}; allowed 'holm' or None")
    out = table.copy()
    if isinstance(targets, Mapping):
        if group is None or group not in out.columns:
            raise DataError("targets per group need the group column (`group=`) of the table")
        out["target"] = out[group].map(lambda g: targets.get(g, targets.get(str(g), np.nan))).astype(float)
    else:
        out["target"] = float(targets)
    x, s = out["ikm_konversi"].to_numpy(float), out["se"].to_numpy(float)
    df = np.maximum(out["df"].to_numpy(float) if "df" in out.columns else np.full(len(out), np.inf), 1)
    target = out["target"].to_numpy(float)
    untestable = np.isnan(target) | np.isnan(s) | np.isnan(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_target = np.where(s > 0, stats.t.sf((target - x) / s, df), (x >= target).astype(float))
        p = np.where(s > 0, 2 * stats.t.sf(np.abs(x - target) / s, df), 0.0)
    out["p_value"] = np.where(untestable, np.nan, p)
    out["p_holm"] = holm(out["p_value"].to_numpy())
    tested = out["p_holm"] if adjust == "holm" else out["p_value"]
    decided = (tested < 1 - level).to_numpy()
    out["p_target"] = np.where(untestable, np.nan, p_target)
    out["status"] = np.select([untestable, decided & (x >= target), decided & (x < target)],
                              ["untestable", "met", "not_met"], "indistinct")
    return out


@dataclass
class PublishedComparison:
    """This study's IKM against a published figure: the difference, its SE, t and p, the kind of test
    ('fixed', 'independent', 'approximate') and its caveat (a catalog code)."""

    estimate: float
    published: float
    diff: float
    se: float
    df: float
    t: float
    p_value: float
    ci_low: float
    ci_high: float
    kind: str
    verdict: str

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])

    def summary(self, lang: str | None = None) -> str:
        """The comparison in one sentence, with its caveat."""
        lang = check_language(lang)
        return say("published_text", lang, estimate=self.estimate, published=self.published, diff=self.diff,
                   verdict=say(f"verdict_{self.verdict}", lang), caveat=say(f"published_{self.kind}", lang))

    def __repr__(self) -> str:
        return self.summary()


def compare_published(estimate: float, se: float, df: float, published: float, *, published_se: float | None = None,
                      published_ci: tuple[float, float] | None = None, published_n: int | None = None,
                      n: int | None = None, level: float = 0.95) -> PublishedComparison:
    """Compare this study's IKM (estimate, SE, design df) with a published IKM (see the module docstring).

    >>> r = compare_published(80.0, 0.5, 40, 78.0)
    >>> r.kind, r.verdict, round(r.t, 1)
    ('fixed', 'naik', 4.0)
    """
    if published_ci is not None:
        lo, hi = published_ci
        published_se = (hi - lo) / (2 * stats.norm.ppf(0.5 + level / 2))
    if published_se is not None:
        kind, s0 = "independent", float(published_se)
    elif published_n is not None:
        if not n:
            raise DataError("comparing with a published n needs this study's n (`n=`)")
        kind, s0 = "approximate", se * np.sqrt(n / published_n)
    else:
        kind, s0 = "fixed", 0.0
    diff = estimate - published
    total = float(np.sqrt(se**2 + s0**2))
    t = diff / total if total > 0 else np.sign(diff) * np.inf
    p = float(2 * stats.t.sf(abs(t), df))
    half = float(critical_value(level, df)) * total
    verdict = "tidak_berubah" if p >= 1 - level else ("naik" if diff > 0 else "turun")
    return PublishedComparison(estimate, published, diff, total, df, float(t), p, diff - half, diff + half, kind, verdict)


def did_coefficients(categories: Sequence[str]) -> np.ndarray:
    """Contrast coefficients of a difference in differences over the four categories of a combined
    group x phase column, in the order given: 'inovasi|sesudah' +1, 'inovasi|sebelum' -1, 'pembanding|sesudah'
    -1, 'pembanding|sebelum' +1.

    >>> did_coefficients(["pembanding|sebelum", "pembanding|sesudah", "inovasi|sebelum", "inovasi|sesudah"]).tolist()
    [1.0, -1.0, -1.0, 1.0]
    """
    sign = {"inovasi|sesudah": 1.0, "inovasi|sebelum": -1.0, "pembanding|sesudah": -1.0, "pembanding|sebelum": 1.0}
    unknown = [c for c in categories if c not in sign]
    if unknown:
        raise DataError(f"category {unknown[0]!r} is not one of {', '.join(sign)}")
    return np.array([sign[c] for c in categories])
