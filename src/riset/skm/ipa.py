"""Importance-Performance Analysis (IPA) and the Customer Satisfaction Index (CSI).

IPA (Martilla & James 1977, Journal of Marketing 41(1)); in Indonesian SKM studies as "analisis
tingkat kesesuaian dan diagram Kartesius". For each unsur i, with X = performance (kinerja, the unsur
answers U) and Y = importance (kepentingan, the P answers):

    kinerja_i      = mean X_i                      (weighted mean over the answers given; = NRR_i)
    kepentingan_i  = mean Y_i
    Tk_i           = sum X_i / sum Y_i x 100 %    (tingkat kesesuaian; computed as kinerja_i / kepentingan_i,
                                                   which is the same when the same respondents answer both,
                                                   and stays unbiased when blanks differ between X and Y)
    lines          X-bar = mean of the kinerja_i, Y-bar = mean of the kepentingan_i (means of item means)
    kuadran I   Prioritas Utama        kepentingan >= Y-bar, kinerja <  X-bar
            II  Pertahankan Prestasi   kepentingan >= Y-bar, kinerja >= X-bar
            III Prioritas Rendah       kepentingan <  Y-bar, kinerja <  X-bar
            IV  Berlebihan             kepentingan <  Y-bar, kinerja >= X-bar
    (a point exactly on a line counts as high).

Importance is either *stated* (the P1..P9 answers, same 1-4 scale) or *derived* from the drivers
(`derived_importance`: LMG or Johnson share of R^2 in %, or the correlation of the unsur with K1). With
derived importance Tk is not defined (the scales differ) and is left blank, with a note.

CSI (as used in Indonesian service-quality studies, e.g. Aritonang 2005): MIS_i = mean importance,
MSS_i = mean performance, WF_i = MIS_i / sum MIS, WS_i = WF_i x MSS_i, CSI = sum WS_i / HS with HS the top
of the performance scale (4). Default categories (configurable; sources differ): 0.81-1.00 Sangat Puas,
0.66-0.80 Puas, 0.51-0.65 Cukup Puas, 0.35-0.50 Kurang Puas, 0.00-0.34 Tidak Puas.

Example
-------
>>> import pandas as pd
>>> d = pd.DataFrame({"U1": [4, 3], "U2": [2, 2], "P1": [3, 3], "P2": [4, 4]})
>>> r = ipa(d, {"U1": "persyaratan", "U2": "prosedur"}, {"P1": "persyaratan", "P2": "prosedur"})
>>> r.table[["unsur", "tingkat_kesesuaian", "kuadran"]].values.tolist()
[['persyaratan', 116.66666666666667, 'IV'], ['prosedur', 50.0, 'I']]
>>> round(csi(r).value, 4)
0.6607
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from riset.errors import DataError, show_value
from riset.i18n import Note, check_language, say
from riset.skm.drivers import DriverImportance, design_frame
from riset.skm.ikm import scale_answers
from riset.skm.schemes import DEFAULT_SCHEME, Scheme, get_scheme, resolve_unsur
from riset.survey.estimate import critical_value, domains, fit_mean

__all__ = ["CSI_BANDS", "CsiResult", "ImportanceSource", "IpaResult", "KUADRAN", "csi", "csi_category", "servqual_gap",
           "derived_importance", "ipa"]

ImportanceSource = Literal["dinyatakan", "lmg", "johnson", "korelasi"]
KUADRAN = ("I", "II", "III", "IV")

#: CSI categories: (inclusive lower bound on the CSI rounded to 2 decimals, Indonesian, English), highest first.
CSI_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.81, "Sangat Puas", "Very satisfied"),
    (0.66, "Puas", "Satisfied"),
    (0.51, "Cukup Puas", "Fairly satisfied"),
    (0.35, "Kurang Puas", "Dissatisfied"),
    (0.00, "Tidak Puas", "Not satisfied"),
)


@dataclass
class IpaResult:
    """IPA per unsur (and group): `table` with [by...], unsur, kode, nama, kinerja, kepentingan,
    tingkat_kesesuaian, kuadran (I-IV; words in the catalog, kuadran_I ...); `lines` with [by...], garis_kinerja,
    garis_kepentingan (means of the item means, per group)."""

    table: pd.DataFrame
    lines: pd.DataFrame
    by: list[str]
    sumber: str
    scale: tuple[int, int]
    notes: list[Note] = field(default_factory=list)

    @property
    def garis_kinerja(self) -> float:
        """The performance line (ungrouped result only)."""
        return float(self._single_line()["garis_kinerja"])

    @property
    def garis_kepentingan(self) -> float:
        """The importance line (ungrouped result only)."""
        return float(self._single_line()["garis_kepentingan"])

    def _single_line(self) -> pd.Series:
        if len(self.lines) != 1:
            raise DataError(f"this IPA is grouped by {self.by}; read the lines per group from `.lines`")
        return self.lines.iloc[0]

    def to_frame(self) -> pd.DataFrame:
        """The IPA table (one row per unsur, and group)."""
        return self.table.copy()

    def summary(self, lang: str | None = None) -> str:
        """The IPA table with the quadrants in words of `lang`, the lines, then the notes."""
        lang = check_language(lang)
        shown = self.table.assign(kuadran=[say(f"kuadran_{q}", lang) for q in self.table["kuadran"]]).round(4)
        lines = [say("ipa_title", lang, source=self.sumber), shown.to_string(index=False),
                 self.lines.round(4).to_string(index=False)]
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()


def derived_importance(result: DriverImportance | pd.DataFrame, method: ImportanceSource = "lmg") -> pd.Series:
    """Derived importance per unsur key from the drivers, for `ipa(..., kepentingan=...)`.

    'lmg' / 'johnson': share of R^2 in percent (sums to 100) from a driver analysis
    (`riset.skm.drivers.DriverImportance`: `relative_importance`, or `riset.skm.drivers_mi.imputed_importance`);
    'korelasi': weighted correlation with the overall item from `riset.skm.drivers.correlation_importance`.

    >>> t = pd.DataFrame({"unsur": ["waktu", "biaya"], "korelasi": [0.6, 0.2]})
    >>> derived_importance(t, "korelasi").tolist()
    [0.6, 0.2]
    """
    if method in ("lmg", "johnson"):
        if isinstance(result, pd.DataFrame) or method not in result.methods:
            raise DataError(f"method={method!r} needs a driver analysis holding {method} shares "
                            "(riset.skm.drivers.relative_importance or riset.skm.drivers_mi.imputed_importance)")
        return (100 * result.shares(method)).rename(method)
    if method == "korelasi":
        table = result if isinstance(result, pd.DataFrame) else result.table
        if "korelasi" not in table.columns:
            raise DataError("method='korelasi' needs the table of riset.skm.drivers.correlation_importance")
        return table.set_index("unsur")["korelasi"].rename(method)
    raise DataError(f"method={method!r} is not a derived importance; choose 'lmg', 'johnson' or 'korelasi'")


def _resolve(mapping: Mapping[str, str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for col, name in mapping.items():
        key = resolve_unsur(name).key
        if key in out.values():
            raise DataError(f"{what}: two columns are mapped to unsur '{key}' (second: '{col}')")
        out[col] = key
    return out


def _weighted_means(answers: pd.DataFrame, w: pd.Series, keys: list[pd.Series]) -> pd.DataFrame:
    """Weighted mean of every column over the answers given, by group (no group = one row)."""
    answered = answers.notna()
    num = answers.fillna(0).mul(w, axis=0)
    den = answered.mul(w, axis=0)
    if keys:
        num, den = num.groupby(keys, sort=True).sum(), den.groupby(keys, sort=True).sum()
    else:
        num, den = num.sum().to_frame().T, den.sum().to_frame().T
    return num / den.where(den > 0)


def ipa(
    data,
    kinerja: Mapping[str, str],
    kepentingan: Mapping[str, str] | pd.Series,
    weights: str | None = None,
    by: str | Sequence[str] | None = None,
    sumber: str | None = None,
    scale: tuple[int, int] = (1, 4),
) -> IpaResult:
    """Importance-Performance Analysis per unsur (Martilla & James 1977), optionally by group.

    Parameters
    ----------
    data : one row per respondent, or a design (`SurveyDesign` / `ReplicateDesign`: its weights are used,
        rows outside a domain are left out).
    kinerja : performance columns -> unsur name, e.g. ``{"U1": "persyaratan", ..., "U8": "sarana"}``.
    kepentingan : stated importance columns -> unsur name (``{"P1": "persyaratan", ...}``), or derived
        importance as a Series (or dict of numbers) indexed by unsur key (see `derived_importance`), the
        same for every group.
    weights : survey weight column; means are weighted means over the answers given.
    by : grouping column(s), e.g. 'unit'; quadrant lines are the means of the item means within a group.
    sumber : name of the importance source shown in output (default 'dinyatakan' or the Series name).
    scale : answer scale of the stated importance (checked like the unsur answers).

    Formulas, quadrant rule and tie rule in the module docstring.
    """
    data, weights = design_frame(data, weights)
    perf_cols = _resolve(kinerja, "kinerja")
    by_cols = [by] if isinstance(by, str) else list(by or [])
    absent = [c for c in by_cols + ([weights] if weights else []) if c not in data.columns]
    if absent:
        raise DataError(f"column(s) {', '.join(repr(c) for c in absent)} not found in the data")
    w = pd.Series(1.0, index=data.index) if weights is None else pd.to_numeric(data[weights], errors="coerce")
    if w.isna().any() or (w < 0).any():
        row = w.index[(w.isna() | (w < 0)).to_numpy()][0]
        raise DataError(f"weight column '{weights}' has value {show_value(data.loc[row, weights])} in row {row}; "
                        "weights must be >= 0")
    keys = [data[c] for c in by_cols]
    if by_cols and data[by_cols].isna().any(axis=None):
        n_blank = int(data[by_cols].isna().any(axis=1).sum())
        raise DataError(f"grouping column(s) {by_cols} blank in {n_blank} row(s); "
                        "fill them or drop those rows explicitly")

    perf = scale_answers(data, list(perf_cols), (1, 4)).rename(columns=perf_cols)
    perf_mean = _weighted_means(perf, w, keys)
    notes: list[Note] = []
    if isinstance(kepentingan, Mapping) and all(isinstance(v, (int, float)) for v in kepentingan.values()):
        kepentingan = pd.Series(kepentingan, dtype=float)
    if isinstance(kepentingan, pd.Series):
        stated = False
        imp_values = kepentingan.rename(index=lambda k: resolve_unsur(k).key)
        missing = [k for k in perf_cols.values() if k not in imp_values.index or pd.isna(imp_values[k])]
        if missing:
            raise DataError(f"derived importance has no value for unsur {', '.join(missing)}")
        imp_mean = pd.DataFrame([imp_values[list(perf_mean.columns)].to_numpy()] * len(perf_mean),
                                index=perf_mean.index, columns=perf_mean.columns)
        sumber = sumber or str(kepentingan.name or "turunan")
        notes.append(Note("ipa_derived", {"source": sumber}))
    else:
        stated = True
        imp_cols = _resolve(kepentingan, "kepentingan")
        if set(imp_cols.values()) != set(perf_cols.values()):
            diff = set(perf_cols.values()) ^ set(imp_cols.values())
            raise DataError("kinerja and kepentingan must cover the same unsur; "
                            f"only one has: {', '.join(sorted(diff))}")
        imp = scale_answers(data, list(imp_cols), scale).rename(columns=imp_cols)
        imp_mean = _weighted_means(imp, w, keys)[perf_mean.columns]
        sumber = sumber or "dinyatakan"

    empty = perf_mean.isna() | imp_mean.isna()
    if empty.any(axis=None):
        raise DataError(f"{int(empty.to_numpy().sum())} group x unsur cell(s) have no answers "
                        "(kinerja or kepentingan); "
                        "choose a larger group or fill the data")
    line_x, line_y = perf_mean.mean(axis=1), imp_mean.mean(axis=1)
    long = pd.DataFrame({
        "kinerja": perf_mean.stack(),
        "kepentingan": imp_mean.stack(),
        "garis_x": perf_mean.apply(lambda c: line_x).stack(),
        "garis_y": imp_mean.apply(lambda c: line_y).stack(),
    })
    long.index = long.index.set_names([*(by_cols or ["_semua"]), "unsur"])
    long = long.reset_index()
    if not by_cols:
        long = long.drop(columns="_semua")
    high_imp, high_perf = long["kepentingan"] >= long["garis_y"], long["kinerja"] >= long["garis_x"]
    long["tingkat_kesesuaian"] = 100 * long["kinerja"] / long["kepentingan"] if stated else np.nan
    long["kuadran"] = np.select([high_imp & ~high_perf, high_imp & high_perf, ~high_imp & ~high_perf],
                                ["I", "II", "III"], "IV")
    units = {u: resolve_unsur(u) for u in perf_cols.values()}
    long.insert(len(by_cols) + 1, "kode", [units[u].kode for u in long["unsur"]])
    long.insert(len(by_cols) + 2, "nama", [units[u].nama for u in long["unsur"]])
    order = {k: i for i, k in enumerate(sorted(units, key=lambda k: int(units[k].kode[1:])))}
    long = long.sort_values([*by_cols, "unsur"], key=lambda s: s.map(order) if s.name == "unsur" else s, kind="stable")
    table = long[[*by_cols, "unsur", "kode", "nama", "kinerja", "kepentingan", "tingkat_kesesuaian", "kuadran"]]
    lines = pd.DataFrame({"garis_kinerja": line_x, "garis_kepentingan": line_y})
    lines = lines.rename_axis(by_cols).reset_index() if by_cols else lines.reset_index(drop=True)
    return IpaResult(table.reset_index(drop=True), lines, by_cols, sumber, scale, notes)


@dataclass
class CsiResult:
    """CSI per unsur (`table`: [by...], unsur, nama, mis, mss, wf, ws) and per group (`index`: [by...],
    csi, csi_persen, kategori)."""

    table: pd.DataFrame
    index: pd.DataFrame
    hs: float
    notes: list[Note] = field(default_factory=list)

    @property
    def value(self) -> float:
        """The CSI (0-1) of an ungrouped result."""
        if len(self.index) != 1:
            raise DataError("this CSI is grouped; read the value per group from `.index`")
        return float(self.index["csi"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """The CSI per group (csi, csi_persen, kategori)."""
        return self.index.copy()

    def summary(self, lang: str | None = None) -> str:
        """The CSI per unsur and per group, then the notes."""
        lang = check_language(lang)
        lines = ["Customer Satisfaction Index (CSI)", self.table.round(4).to_string(index=False),
                 self.index.round(4).to_string(index=False)]
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()


def csi_category(value, bands: Sequence[tuple] = CSI_BANDS, lang: str = "id") -> list[str]:
    """CSI category of each value: the band whose inclusive lower bound the value (rounded half-up to 2
    decimals, as reported) reaches. `bands`: (lower, label_id[, label_en]) highest first.

    >>> csi_category([0.81, 0.805, 0.8049, 0.34])
    ['Sangat Puas', 'Sangat Puas', 'Puas', 'Tidak Puas']
    """
    pos = 1 if check_language(lang) == "id" else 2
    lowers = [b[0] for b in bands]
    if any(a <= b for a, b in zip(lowers, lowers[1:])):
        raise DataError(f"CSI bands must be ordered from the highest lower bound down; got {lowers}")
    out = []
    for v in np.atleast_1d(np.asarray(value, dtype=float)):
        reported = np.floor(v * 100 + 0.5 + 1e-9) / 100
        band = next((b for b in bands if reported >= b[0] - 1e-9), None)
        if band is None or np.isnan(v):
            raise DataError(f"CSI value {v!r} is below every category (lowest lower bound {lowers[-1]})")
        out.append(band[min(pos, len(band) - 1)])
    return out


def csi(result: IpaResult, hs: float | None = None, bands: Sequence[tuple] = CSI_BANDS, lang: str = "id") -> CsiResult:
    """Customer Satisfaction Index from an IPA result (per group when the IPA was grouped).

    MIS_i = kepentingan_i, MSS_i = kinerja_i, WF_i = MIS_i / sum MIS, WS_i = WF_i MSS_i,
    CSI = sum WS_i / HS; HS = top of the performance scale (default 4). Category from `bands`.

    >>> d = pd.DataFrame({"U1": [4, 4], "U2": [4, 4], "P1": [1, 2], "P2": [4, 3]})
    >>> r = ipa(d, {"U1": "persyaratan", "U2": "prosedur"}, {"P1": "persyaratan", "P2": "prosedur"})
    >>> csi(r).index[["csi", "kategori"]].values.tolist()
    [[1.0, 'Sangat Puas']]
    """
    hs = float(hs if hs is not None else 4)
    t = result.table
    table = t[[*result.by, "unsur", "nama"]].copy()
    table["mis"], table["mss"] = t["kepentingan"], t["kinerja"]
    if (table["mis"] < 0).any():
        raise DataError(f"CSI needs non-negative importance; importance source '{result.sumber}' has negative values")
    total = table.groupby(result.by)["mis"].transform("sum") if result.by else table["mis"].sum()
    table["wf"] = table["mis"] / total
    table["ws"] = table["wf"] * table["mss"]
    if result.by:
        index = table.groupby(result.by, sort=True)["ws"].sum().rename("csi").reset_index()
    else:
        index = pd.DataFrame({"csi": [table["ws"].sum()]})
    index["csi"] = index["csi"] / hs
    index["csi_persen"] = 100 * index["csi"]
    index["kategori"] = csi_category(index["csi"], bands, lang)
    notes = [] if result.sumber == "dinyatakan" else [Note("csi_derived", {"source": result.sumber})]
    return CsiResult(table, index, hs, notes)


def servqual_gap(design, unsur: Mapping[str, str], expectation: Mapping[str, str], *, by: str | None = None,
                 scheme: str | Scheme = DEFAULT_SCHEME, level: float = 0.95) -> pd.DataFrame:
    """SERVQUAL gap per unsur (Parasuraman, Zeithaml & Berry 1988): gap = mean(perception - expectation) over
    the respondents who answered both, weighted, with a design-based SE and t CI (domains of the full design;
    per `by` group when given). A negative gap: the service falls short of what users expect.

    Columns: (by), unsur, kode, persepsi, harapan, kesenjangan, se, ci_low, ci_high, n.

    >>> from riset.survey.design import SurveyDesign
    >>> d = SurveyDesign(pd.DataFrame({"U3": [2, 3, 4], "E3": [4, 4, 4]}))
    >>> servqual_gap(d, {"U3": "waktu"}, {"E3": "waktu"})["kesenjangan"].round(4).tolist()
    [-1.0]
    """
    sch = get_scheme(scheme)
    perceived = {resolve_unsur(name, sch).key: col for col, name in unsur.items()}
    expected = {resolve_unsur(name, sch).key: col for col, name in expectation.items()}
    keys = [k for k in sch.keys if k in perceived and k in expected]
    if not keys:
        raise DataError("servqual_gap needs perception and expectation columns of the same unsur")
    data = design.data
    domain, labels, _ = domains(design, by)
    rows = []
    for key in keys:
        p = pd.to_numeric(data[perceived[key]], errors="coerce").to_numpy(dtype=float)
        e = pd.to_numeric(data[expected[key]], errors="coerce").to_numpy(dtype=float)
        both = ~np.isnan(p) & ~np.isnan(e)
        dom = np.where(both, domain, -1)
        values = np.column_stack([np.where(both, p, 0.0), np.where(both, e, 0.0), np.where(both, p - e, 0.0)])
        fit = fit_mean(design, values, dom, len(labels))
        se = np.sqrt(fit.var[:, 2])
        df = design.df_by(dom, len(labels))
        t = critical_value(level, df)
        n = np.bincount(dom[dom >= 0], minlength=len(labels))
        for d in range(len(labels)):
            rows.append({**({by: labels.iloc[d, 0]} if by else {}), "unsur": key, "kode": sch.get(key).kode,
                         "persepsi": fit.estimate[d, 0], "harapan": fit.estimate[d, 1],
                         "kesenjangan": fit.estimate[d, 2], "se": se[d], "ci_low": fit.estimate[d, 2] - t[d] * se[d],
                         "ci_high": fit.estimate[d, 2] + t[d] * se[d], "n": int(n[d])})
    return pd.DataFrame(rows)
