"""Diagnostics of survey weights: Kish design effect, effective sample size, distribution, margins.

    deff_Kish = n sum w_i^2 / (sum w_i)^2 = 1 + CV_w^2      (CV with the population SD of the weights)
    n_eff     = n / deff_Kish = (sum w_i)^2 / sum w_i^2

(Kish 1965, sec. 11.7; Kish 1992, "Weighting for unequal P_i", J. Official Statistics 8(2)) — the
variance inflation of a mean from unequal weights alone, ignoring clustering and any gain from
calibration (for those use the design-based deff of `riset.survey.estimate`). Column names are keys in the
field's vocabulary; `riset.i18n` turns them into Indonesian / English headers.

Example
-------
>>> import numpy as np
>>> round(kish_deff(np.array([1.0, 1.0, 2.0, 4.0])), 4)        # 4 * 22 / 64
1.375
>>> round(effective_n(np.array([1.0, 1.0, 2.0, 4.0])), 4)
2.9091
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from riset.errors import WeightingError
from riset.i18n import check_language, fmt_num, say
from riset.survey.margins import Margin, as_margin

__all__ = ["effective_n", "kish_deff", "margin_comparison", "margin_shares", "weight_diagnostics",
           "weight_summary", "WeightDiagnostics"]

def _positive_total(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.size == 0 or not np.isfinite(w).all() or w.sum() <= 0:
        raise WeightingError("weight diagnostics need finite weights with a positive sum")
    return w


def kish_deff(weights) -> float:
    """Kish design effect from unequal weights: n sum w^2 / (sum w)^2 = 1 + CV^2 (Kish 1992).

    Example: ``kish_deff([1, 1, 2, 4])`` = 1.375.
    """
    w = _positive_total(weights)
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def effective_n(weights) -> float:
    """Effective sample size (sum w)^2 / sum w^2 = n / deff_Kish (Kish 1965).

    Example: ``effective_n([1, 1, 2, 4])`` = 64 / 22 = 2.909.
    """
    w = _positive_total(weights)
    return float(np.sum(w) ** 2 / np.sum(w**2))


def _summary_row(w: np.ndarray) -> dict:
    w = _positive_total(w)
    mean = w.mean()
    return {"n": int(w.size), "jumlah_bobot": float(w.sum()), "min": float(w.min()), "maks": float(w.max()),
            "rata_rata": float(mean), "cv": float(w.std() / mean),
            "rasio_maks_min": float(w.max() / w.min()) if w.min() > 0 else np.inf,
            "deff_kish": kish_deff(w), "n_efektif": effective_n(w)}


def weight_summary(designs: Mapping[str, object], *, by: str | None = None) -> pd.DataFrame:
    """Distribution of the weights per stage (e.g. {"sebelum": d0, "sesudah": d1}), overall and by group.

    Columns: tahap, kelompok, n, jumlah_bobot, min, maks, rata_rata, cv (SD/mean), rasio_maks_min,
    deff_kish (1 + cv^2), n_efektif. Only respondents in the design's domain (weight != 0) count.
    Example: ``weight_summary({"sebelum": d, "sesudah": rake(d, margins)}, by="kecamatan")``.
    """
    rows = []
    for stage, design in designs.items():
        w = np.asarray(design.weights, dtype=float)
        inside = w != 0
        rows.append({"tahap": stage, "kelompok": "semua", **_summary_row(w[inside])})
        if by is not None:
            if by not in design.data.columns:
                raise WeightingError(f"weight_summary: by='{by}' is not a column of the data")
            groups = design.data[by].astype(str).to_numpy()
            for g in pd.unique(groups[inside]):
                sel = inside & (groups == g)
                rows.append({"tahap": stage, "kelompok": g, **_summary_row(w[sel])})
    return pd.DataFrame(rows)


def margin_comparison(designs: Mapping[str, object], margins: Sequence[Margin | pd.Series]) -> pd.DataFrame:
    """Weighted totals per margin cell for each stage next to the population count.

    One row per cell: margin, kategori, populasi, then for every stage its weighted total and
    ``selisih_persen_<stage>`` = 100 (weighted - population) / population. Sample rows whose category is
    not in the margin are counted in no cell (check the margins first with `riset.survey.margins.check_margin`).
    Example: ``margin_comparison({"sebelum": d, "sesudah": d_cal}, [m_kec, m_jk])``.
    """
    frames = []
    for margin in map(as_margin, margins):
        labels = [" / ".join(lab) for lab in margin.labels]
        frame = pd.DataFrame({"margin": margin.name, "kategori": labels, "populasi": margin.counts})
        for stage, design in designs.items():
            idx = margin.cell_index(design.data)
            ok = idx >= 0
            total = np.bincount(idx[ok], weights=np.asarray(design.weights)[ok], minlength=len(margin.counts))
            frame[stage] = total
            with np.errstate(divide="ignore", invalid="ignore"):
                frame[f"selisih_persen_{stage}"] = 100 * (total - margin.counts) / margin.counts
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def margin_shares(designs: Mapping[str, object], margins: Sequence[Margin | pd.Series]) -> pd.DataFrame:
    """Population and sample shares (%) of every margin cell: the table `riset.present.charts.weighting_effect` draws.

    Columns: variabel (margin name), kategori, populasi, sampel_tanpa_bobot (unweighted count share of
    the respondents), then ``sampel_bobot_<stage>`` for each stage; each in percent of its margin total.
    Example: ``margin_shares({"desain": d, "akhir": d_cal}, [m_jk, m_umur])``.
    """
    first = next(iter(designs.values()))
    stages = {"tanpa_bobot": first.with_weights((np.asarray(first.weights) != 0).astype(float)), **designs}
    counts = margin_comparison(stages, margins)
    columns = ["populasi", *stages]
    shares = counts.groupby("margin", sort=False)[columns].transform(lambda c: 100 * c / c.sum())
    shares = shares.rename(columns={s: f"sampel_{s}" if s == "tanpa_bobot" else f"sampel_bobot_{s}" for s in stages})
    return pd.concat([counts[["margin", "kategori"]].rename(columns={"margin": "variabel"}), shares], axis=1)


@dataclass(frozen=True)
class WeightDiagnostics:
    """Tables for a weighting step (stages "desain" = before, "akhir" = after):
    `distribution` (weight_summary), `margins` (margin_comparison, counts), `shares` (margin_shares, %) and
    `weights` (one row per respondent: bobot_desain, bobot_akhir[, by]) — the last two are what
    `riset.present.charts.weighting_effect(diag.weights, diag.shares)` draws."""

    distribution: pd.DataFrame
    margins: pd.DataFrame
    shares: pd.DataFrame
    weights: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The weight distribution (one row per stage and group)."""
        return self.distribution.copy()

    def summary(self, lang: str | None = None) -> str:
        """What the weighting did to the spread of the weights: Kish deff and effective n before and after, and
        the largest gap between a weighted margin and its population count after."""
        lang = check_language(lang)
        overall = self.distribution[self.distribution["kelompok"] == "semua"].set_index("tahap")
        before, after = overall.loc["desain"], overall.loc["akhir"]
        text = say("weights_spread", lang, n=fmt_num(after["n"], 0, lang),
                   deff_before=fmt_num(before["deff_kish"], 2, lang), deff_after=fmt_num(after["deff_kish"], 2, lang),
                   neff_before=fmt_num(before["n_efektif"], 0, lang), neff_after=fmt_num(after["n_efektif"], 0, lang),
                   ratio=fmt_num(after["rasio_maks_min"], 1, lang))
        if "selisih_persen_akhir" in self.margins.columns and len(self.margins):
            gap = self.margins["selisih_persen_akhir"].abs().max()
            text += " " + say("weights_margin_gap", lang, gap=fmt_num(gap, 2, lang))
        return text

    def __repr__(self) -> str:
        return self.summary() + "\n" + self.distribution.round(3).to_string(index=False)


def weight_diagnostics(before, after, margins: Sequence[Margin | pd.Series] = (), *,
                       by: str | None = None) -> WeightDiagnostics:
    """Before/after diagnostics of a weighting step (Kish deff, n_eff, distribution, margins).

    Example: ``weight_diagnostics(d, rake(d, [m_kec, m_jk]), [m_kec, m_jk], by="kecamatan")``.
    """
    stages = {"desain": before, "akhir": after}
    inside = np.asarray(after.weights) != 0
    weights = pd.DataFrame({"bobot_desain": np.asarray(before.weights)[inside],
                            "bobot_akhir": np.asarray(after.weights)[inside]},
                           index=after.data.index[inside])
    if by is not None:
        weights[by] = after.data.loc[inside, by].to_numpy()
    return WeightDiagnostics(
        distribution=weight_summary(stages, by=by),
        margins=margin_comparison(stages, margins) if margins else pd.DataFrame(),
        shares=margin_shares(stages, margins) if margins else pd.DataFrame(),
        weights=weights,
    )
