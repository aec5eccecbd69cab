"""Sample size per unit layanan and allocation of a sample across strata.

Sample size (one row per unit, vectorised):

    Krejcie & Morgan (1970):  s = X2 N P(1-P) / (d2 (N-1) + X2 P(1-P)),  X2 = 3.841, P = 0.5, d = 0.05
    Cochran, proportion:      n0 = z2 P(1-P) / d2,   n = n0 / (1 + (n0 - 1) / N)   (Cochran 1977, ch. 4)
    Cochran, mean:            n0 = (z S / d)2,       n = n0 / (1 + n0 / N)         (Cochran 1977, ch. 4)
    Slovin (1960):            n  = N / (1 + N e2)   (= Cochran-for-a-mean form with n0 = 1 / e2)

Krejcie & Morgan is Cochran's proportion formula with X2 = z2 = 3.841: the published table is that
formula rounded to the *nearest* integer (all 90 rows; rounding up gives one more at 45 of them).
The design effect multiplies n0 before the finite population correction (the design's variance is
deff x the SRS variance *with* fpc), and the expected response rate divides the completed interviews
needed: n_kontak = ceil(n / response_rate), capped at N.

Allocation across strata (Cochran 1977, ch. 5; Gabler, Ganninger & Muennich 2012 for the bounds):
n_h = clip(lambda a_h, min_h, max_h) with a_h = 1 (equal), N_h (proportional), N_h S_h (Neyman) or
N_h S_h / sqrt(c_h) (optimal with costs), lambda chosen so the n_h add up to n; then integers by
largest remainder, which keeps the total and the bounds.

Example
-------
>>> from riset.survey.sampling import sample_size
>>> sample_size([100, 1000]).to_frame()["n_sampel"].tolist()
[80, 278]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from riset.errors import DataError, DesignError, show_value
from riset.i18n import Note, label, say

__all__ = ["allocate", "KM_CHI2", "KREJCIE_MORGAN_1970", "krejcie_morgan_table", "method_name", "METHODS",
           "per_stratum", "read_frame", "respondent_score", "sample_size", "SampleSizeResult", "SCALES", "score_sd"]

Method = Literal["krejcie_morgan", "krejcie_morgan_table", "slovin", "cochran_proportion", "cochran_mean"]
#: Sample-size methods (codes); `method_name` gives their names for people.
METHODS: tuple[str, ...] = ("krejcie_morgan", "krejcie_morgan_table", "slovin", "cochran_proportion", "cochran_mean")

#: Krejcie & Morgan (1970), Table 1, as published: population N -> sample s.
KREJCIE_MORGAN_1970: dict[int, int] = dict(
    zip(
        [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100, 110, 120, 130, 140, 150,
         160, 170, 180, 190, 200, 210, 220, 230, 240, 250, 260, 270, 280, 290, 300, 320, 340, 360, 380, 400,
         420, 440, 460, 480, 500, 550, 600, 650, 700, 750, 800, 850, 900, 950, 1000, 1100, 1200, 1300, 1400,
         1500, 1600, 1700, 1800, 1900, 2000, 2200, 2400, 2600, 2800, 3000, 3500, 4000, 4500, 5000, 6000, 7000,
         8000, 9000, 10000, 15000, 20000, 30000, 40000, 50000, 75000, 1000000],
        [10, 14, 19, 24, 28, 32, 36, 40, 44, 48, 52, 56, 59, 63, 66, 70, 73, 76, 80, 86, 92, 97, 103, 108,
         113, 118, 123, 127, 132, 136, 140, 144, 148, 152, 155, 159, 162, 165, 169, 175, 181, 186, 191, 196,
         201, 205, 210, 214, 217, 226, 234, 242, 248, 254, 260, 265, 269, 274, 278, 285, 291, 297, 302,
         306, 310, 313, 317, 320, 322, 327, 331, 335, 338, 341, 346, 351, 354, 357, 361, 364,
         367, 368, 370, 375, 377, 379, 380, 381, 382, 384],
    )
)

#: Chi-square (1 df) value Krejcie & Morgan printed for 95 % confidence.
KM_CHI2 = 3.841

#: IKM score scales a margin and an SD can be given on: code -> (lowest, highest); names in the catalog
#: (``sampling_scale_<code>``).
SCALES = {"konversi": (25.0, 100.0), "asli": (1.0, 4.0)}

_EPS = 1e-9


def read_frame(path, *, keys: Sequence[str] = ("unit", "periode"), population: str = "pengguna_per_periode") -> pd.DataFrame:
    """Read a sampling frame (CSV or XLSX): one row per unit layanan (x periode) with its N.

    Checks that the `keys` columns identify each row once and that N is a whole number >= 1; errors name
    the row as numbered in the spreadsheet (header = row 1).

    >>> frame = read_frame("data/raw/contoh_kerangka_sampel.csv")        # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"sampling frame '{path}' not found")
    frame = pd.read_excel(path) if path.suffix.lower() == ".xlsx" else pd.read_csv(path)
    absent = [c for c in (*keys, population) if c not in frame.columns]
    if absent:
        raise DataError(f"sampling frame '{path.name}' has no column(s) {absent}; columns are {list(frame.columns)}")
    dup = frame.duplicated(list(keys), keep="first")
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        values = ", ".join(f"{k}={show_value(frame[k].iloc[row])}" for k in keys)
        raise DataError(f"sampling frame '{path.name}': row {row + 2} repeats {values}; each unit once per periode")
    N = pd.to_numeric(frame[population], errors="coerce")
    bad = N.isna() | (N < 1) | (N % 1 != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"sampling frame '{path.name}': column '{population}' has value {show_value(frame[population].iloc[row])} "
            f"in row {row + 2}; allowed: a whole number >= 1"
        )
    return frame


def krejcie_morgan_table(population) -> np.ndarray:
    """Published Krejcie & Morgan (1970) sample size, looked up as practitioners do.

    A population that is not a row of the table takes the next *larger* tabled N (the conservative
    reading); N above 1,000,000 gets 384.

    >>> krejcie_morgan_table([100, 101, 2_000_000]).tolist()
    [80, 86, 384]
    """
    N = np.atleast_1d(np.asarray(population, dtype="float64"))
    keys = np.array(sorted(KREJCIE_MORGAN_1970))
    values = np.array([KREJCIE_MORGAN_1970[k] for k in keys])
    pos = np.minimum(np.searchsorted(keys, N - _EPS, side="left"), len(keys) - 1)
    return np.minimum(values[pos], np.ceil(N)).astype(int)


@dataclass
class SampleSizeResult:
    """Sample size per unit (`table`), totals and the assumptions behind them (`notes`).

    `table` keeps the caller's rows, index and columns (a number or list of N becomes a column N) and
    adds: n0 (infinite-population size incl. deff), n_fpc
    (after the finite population correction, unrounded), n_sampel (completed interviews needed),
    n_kontak (to approach, inflated for non-response) and sensus (True when everybody is taken).
    `notes` are `riset.i18n.Note` codes with their values (method and its parameters, deff, fpc, response
    rate, census, rounding); `assumptions(lang)` and `summary(lang)` phrase them in Indonesian or English.
    """

    table: pd.DataFrame
    method: str
    notes: tuple[Note, ...] = ()

    @property
    def total(self) -> int:
        """Completed interviews needed over all units."""
        return int(self.table["n_sampel"].sum())

    @property
    def total_kontak(self) -> int:
        """People to approach over all units (after the response-rate inflation)."""
        return int(self.table["n_kontak"].sum())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def assumptions(self, lang: str | None = None) -> list[str]:
        """The assumptions behind the numbers, one sentence each, in `lang` (default: the current language).

        >>> sample_size(100, "slovin", deff=1.5).assumptions("en")[1]
        'Design effect (deff) = 1.5: n0 is multiplied by 1.5 before the finite population correction.'
        """
        return [note.text(lang) for note in self.notes]

    def summary(self, lang: str | None = None) -> str:
        """Method, the table, the totals and the assumptions, in Indonesian (default) or English."""
        shown = self.table.copy()
        shown[["n0", "n_fpc"]] = shown[["n0", "n_fpc"]].round(2)
        return "\n".join(
            [
                say("sample_size_title", lang, method=method_name(self.method, lang)),
                shown.to_string(index=False),
                say("sample_size_total", lang, n=self.total, contacts=self.total_kontak),
                say("sample_size_assumptions", lang),
                *(f"- {text}" for text in self.assumptions(lang)),
            ]
        )

    def __repr__(self) -> str:
        return self.summary()


def method_name(method: str, lang: str | None = None) -> str:
    """Name of a sample-size method for people (catalog entry ``sampling_method_<method>``).

    >>> method_name("cochran_mean"), method_name("krejcie_morgan_table", "en")
    ('Cochran (1977), rata-rata (skor IKM)', 'Krejcie & Morgan (1970), published table')
    """
    return label(f"sampling_method_{method}", lang)


def _population_table(population, column: str) -> tuple[pd.DataFrame, np.ndarray]:
    if isinstance(population, pd.DataFrame):
        if column not in population.columns:
            raise DataError(
                f"column '{column}' (population size N per unit) not found; columns are {list(population.columns)}; "
                "name it with population_column="
            )
        table = population.copy()
        raw = table[column]
    else:
        raw = pd.Series(np.atleast_1d(np.asarray(population, dtype=object)), name="N")
        column = "N"
        table = pd.DataFrame({"N": pd.to_numeric(raw, errors="coerce")})
    N = pd.to_numeric(raw, errors="coerce")
    bad = N.isna() | (N < 1) | ((N % 1 != 0) & np.isfinite(N))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"population size '{column}' has value {show_value(raw.iloc[row])} in row {row + 1}; "
            f"allowed: a whole number >= 1 (or inf for an unknown, very large population); {int(bad.sum())} such row(s)"
        )
    clash = [c for c in ("n0", "n_fpc", "n_sampel", "n_kontak", "sensus") if c in table.columns]
    if clash:
        raise DataError(f"the units table already has column(s) {clash}; rename them before sizing the sample")
    return table, N.to_numpy(dtype="float64")


def _check_range(name: str, value: float, lo: float, hi: float, lo_open=True, hi_open=False, hint="") -> float:
    value = float(value)
    ok = (value > lo if lo_open else value >= lo) and (value < hi if hi_open else value <= hi)
    if not np.isfinite(value) or not ok:
        left, right = "(" if lo_open else "[", ")" if hi_open else "]"
        raise DataError(f"{name}={value!r} is outside the allowed range {left}{lo}, {hi}{right}{hint}")
    return value


def sample_size(
    population,
    method: Method = "krejcie_morgan",
    *,
    margin: float | None = None,
    confidence: float = 0.95,
    p: float = 0.5,
    sd: float | str | None = None,
    scale: str = "konversi",
    deff: float = 1.0,
    response_rate: float = 1.0,
    rounding: Literal["up", "nearest"] | None = None,
    population_column: str = "pengguna_per_periode",
) -> SampleSizeResult:
    """Sample size per unit layanan, with fpc, design effect and response-rate inflation.

    Parameters
    ----------
    population : an integer N, a list of N, or a DataFrame with one row per unit and its N in
        `population_column` (e.g. the sampling frame: pengguna_per_periode). N = inf: unknown, very
        large population (no fpc).
    method : 'krejcie_morgan' (formula, X2 = 3.841 at 95 % as published, otherwise chi2(1) quantile),
        'krejcie_morgan_table' (the published table, next larger N), 'slovin' (n = N / (1 + N e2)),
        'cochran_proportion' (n0 = z2 P(1-P)/d2, fpc n0/(1 + (n0-1)/N)), 'cochran_mean'
        (n0 = (z SD / d)2, fpc n0/(1 + n0/N); sizes the IKM *mean* directly). `METHODS` lists them,
        `method_name` gives their names for people.
    margin : d or e, the half-width of the confidence interval. Proportion methods and Slovin: a
        proportion (default 0.05). cochran_mean: IKM points on `scale` (required).
    confidence : 0.95 by default (z = 1.96; Slovin has no confidence level: its e2 matches z = 2, P = 0.5).
    p : expected proportion P (0.5 is the most conservative).
    sd : cochran_mean only: standard deviation of a respondent's IKM score on `scale` (from a pilot
        or a previous round, see `score_sd`; on the 25-100 scale typically 8-12 points, i.e. 0.3-0.5 on
        the 1-4 scale): one number, or the name of a column of the units table (an SD per unit).
    scale : 'konversi' (25-100, as IKM is reported) or 'asli' (1-4); margin and sd are on this scale.
    deff : design effect of the planned design (1 = simple random sampling; day-clustered exit
        interviews often 1.5-2). Multiplies n0 before the fpc.
    response_rate : expected share of those approached who complete the interview (0-1].
    rounding : 'up' (conservative) or 'nearest' (how Krejcie & Morgan built their table). Default:
        'nearest' for 'krejcie_morgan', so the formula gives the published table the regulation points
        to (N=500 -> 217, 2000 -> 322); 'up' for every other method, as is conventional.

    Returns a `SampleSizeResult` (`.to_frame()`, `.total`, `.notes`, `.assumptions(lang)`, `.summary(lang)`).
    Each method is one function computing n0 and the unrounded n (`_krejcie_morgan`, `_krejcie_morgan_published`,
    `_slovin`, `_cochran_proportion`, `_cochran_mean`); `_finish` rounds, inflates for non-response and flags
    census units for all of them.

    Sources: Krejcie & Morgan (1970) Educ. Psychol. Meas. 30:607-610 (the table PermenPAN-RB 14/2017
    points to); Cochran (1977) Sampling Techniques, 3rd ed., chapter 4; Slovin (1960) as cited by
    Tejada & Punzalan (2012).

    >>> sample_size(500).to_frame()["n_sampel"].item()
    217
    >>> sample_size(1000, "cochran_mean", margin=2, sd=10).to_frame()["n_sampel"].item()
    88
    """
    if method not in METHODS:
        raise DataError(f"method={method!r} is not known; choose one of: {', '.join(METHODS)}")
    if rounding is None:
        rounding = "nearest" if method == "krejcie_morgan" else "up"
    if rounding not in ("up", "nearest"):
        raise DataError(f"rounding={rounding!r}; allowed 'up' or 'nearest'")
    if scale not in SCALES:
        raise DataError(f"scale={scale!r}; allowed 'konversi' (25-100) or 'asli' (1-4)")
    table, N = _population_table(population, population_column)
    confidence = _check_range("confidence", confidence, 0, 1, hi_open=True)
    deff = _check_range("deff", deff, 0, 50, hint="; deff is a ratio of variances (1 = simple random sampling)")
    response_rate = _check_range("response_rate", response_rate, 0, 1, hint="; give a share such as 0.8")
    p = _check_range("p", p, 0, 1, hi_open=True)
    if method == "krejcie_morgan_table":
        size = _krejcie_morgan_published(N, margin=margin, confidence=confidence, p=p, deff=deff)
    elif method == "cochran_mean":
        size = _cochran_mean(table, N, margin=margin, sd=sd, scale=scale, confidence=confidence, deff=deff)
    elif method == "slovin":
        size = _slovin(N, _proportion_margin(margin), deff)
    elif method == "cochran_proportion":
        size = _cochran_proportion(N, _proportion_margin(margin), confidence, p, deff)
    else:
        size = _krejcie_morgan(N, _proportion_margin(margin), confidence, p, deff, rounding)
    return _finish(table, N, size, method, rounding, response_rate)


class _Size(NamedTuple):
    """What one method gives the shared last step: n0 (incl. deff), n_fpc (unrounded) and its notes."""

    n0: np.ndarray
    n_fpc: np.ndarray
    notes: tuple[Note, ...]


def _krejcie_morgan(N, margin: float, confidence: float, p: float, deff: float, rounding: str) -> _Size:
    """Krejcie & Morgan (1970): s = X2 N P(1-P) / (d2 (N-1) + X2 P(1-P)), which is Cochran's proportion formula
    with X2 = 3.841 at 95 % (as they printed it), otherwise the chi2(1) quantile."""
    chi2 = KM_CHI2 if abs(confidence - 0.95) < 1e-12 else float(stats.chi2.ppf(confidence, 1))
    n0, n_fpc = _proportion(N, chi2, p, margin, deff)
    values = {"chi2": chi2, "confidence": 100 * confidence, "p": p, "margin": margin}
    rounded = Note("sample_size_km_rounded_up") if rounding == "up" else Note("sample_size_km_rounded_nearest")
    return _Size(n0, n_fpc, (Note("sample_size_krejcie_morgan", values), rounded, *_design_notes(deff)))


def _cochran_proportion(N, margin: float, confidence: float, p: float, deff: float) -> _Size:
    """Cochran (1977, ch. 4) for a proportion: n0 = z2 P(1-P) / d2 x deff, n = n0 / (1 + (n0 - 1) / N)."""
    z2 = float(stats.norm.ppf(0.5 + confidence / 2) ** 2)
    n0, n_fpc = _proportion(N, z2, p, margin, deff)
    values = {"chi2": z2, "confidence": 100 * confidence, "p": p, "margin": margin}
    return _Size(n0, n_fpc, (Note("sample_size_cochran_proportion", values), *_design_notes(deff)))


def _proportion(N, chi2: float, p: float, margin: float, deff: float) -> tuple[np.ndarray, np.ndarray]:
    n0 = np.full(len(N), chi2 * p * (1 - p) / margin**2 * deff)
    return n0, _fpc(n0, N, minus_one=True)


def _slovin(N, margin: float, deff: float) -> _Size:
    """Slovin (1960): n = N / (1 + N e2), i.e. n0 = deff / e2 with the fpc for a mean."""
    n0 = np.full(len(N), deff / margin**2)
    return _Size(n0, _fpc(n0, N, minus_one=False), (Note("sample_size_slovin", {"margin": margin}), *_design_notes(deff)))


def _krejcie_morgan_published(N, *, margin, confidence: float, p: float, deff: float) -> _Size:
    """The published Krejcie & Morgan table (`krejcie_morgan_table`): 95 %, P = 0.5, d = 0.05, SRS only."""
    changed = [
        f"{k}={v!r}" for k, v, d in
        [("margin", margin, None), ("confidence", confidence, 0.95), ("p", p, 0.5), ("deff", deff, 1.0)]
        if v != d and not (k == "margin" and v == 0.05)
    ]
    if changed:
        raise DataError(
            f"the published Krejcie & Morgan table fixes 95 % confidence, P = 0.5, d = 0.05 and SRS; got "
            f"{', '.join(changed)}: use method='krejcie_morgan' (the formula) instead"
        )
    n0 = np.full(len(N), KM_CHI2 * 0.25 / 0.05**2)
    return _Size(n0, krejcie_morgan_table(N).astype("float64"), (Note("sample_size_krejcie_morgan_table"),))


def _cochran_mean(table: pd.DataFrame, N, *, margin, sd, scale: str, confidence: float, deff: float) -> _Size:
    """Cochran (1977, ch. 4) for the mean IKM score: n0 = (z SD / d)2 x deff, n = n0 / (1 + n0 / N); the notes
    give d and SD on both IKM scales (x 25 between them)."""
    lo, hi = SCALES[scale]
    if margin is None or sd is None:
        raise DataError(
            f"method='cochran_mean' needs margin (IKM points) and sd (standard deviation), both on {_scale_text(scale)}"
        )
    margin = _check_range("margin", margin, 0, hi - lo, hi_open=True, hint=f" IKM points on {_scale_text(scale)}")
    sd_values = _sd_per_unit(table, sd, (hi - lo) / 2, scale)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    n0 = (z * sd_values / margin) ** 2 * deff * np.ones(len(N))
    other = "asli" if scale == "konversi" else "konversi"
    factor = 1 / 25 if scale == "konversi" else 25
    values = {"z": z, "confidence": 100 * confidence, "margin": margin, "margin_other": margin * factor,
              "scale": f"sampling_scale_{scale}", "other_scale": f"sampling_scale_{other}"}
    if isinstance(sd, str):
        method = Note("sample_size_cochran_mean_sd_column",
                      {**values, "column": sd, "sd_min": float(sd_values.min()), "sd_max": float(sd_values.max())})
    else:
        method = Note("sample_size_cochran_mean", {**values, "sd": sd_values, "sd_other": sd_values * factor})
    meaning = Note("sample_size_cochran_mean_meaning", {"margin": margin, "confidence": 100 * confidence})
    return _Size(n0, _fpc(n0, N, minus_one=False), (method, meaning, *_design_notes(deff)))


def _proportion_margin(margin: float | None) -> float:
    """d (or Slovin's e) of a proportion: 0.05 unless given."""
    return 0.05 if margin is None else _check_range("margin", margin, 0, 1, hi_open=True, hint=" (a proportion such as 0.05)")


def _design_notes(deff: float) -> tuple[Note, Note]:
    """What every formula assumes about the design: its design effect and the finite population correction."""
    design = Note("sample_size_deff", {"deff": deff}) if deff != 1 else Note("sample_size_srs")
    return design, Note("sample_size_fpc")


def _finish(table: pd.DataFrame, N: np.ndarray, size: _Size, method: str, rounding: str,
            response_rate: float) -> SampleSizeResult:
    """The last step every method shares: n = n_fpc rounded up or to the nearest whole number, at most N;
    n_kontak = ceil(n / response_rate), at most N; sensus where n_kontak reaches N; and the notes saying so."""
    n = np.ceil(size.n_fpc - _EPS) if rounding == "up" else np.floor(size.n_fpc + 0.5)
    n = np.minimum(n, N)
    n_kontak = np.minimum(np.ceil(n / response_rate - _EPS), N)
    census = n_kontak >= N
    notes = list(size.notes)
    if response_rate < 1:
        notes.append(Note("sample_size_response_rate", {"percent": 100 * response_rate, "rate": response_rate}))
    if census.any():
        notes.append(Note("sample_size_census", {"n": int(census.sum())}))
    notes.append(Note("sample_size_rounding_up") if rounding == "up" else Note("sample_size_rounding_nearest"))
    table["n0"] = size.n0
    table["n_fpc"] = size.n_fpc
    table["n_sampel"] = n.astype(int)
    table["n_kontak"] = n_kontak.astype(int)
    table["sensus"] = census
    return SampleSizeResult(table=table, method=method, notes=tuple(notes))


def _scale_text(scale: str) -> str:
    """A scale as the (English) error messages name it: "scale='asli' (1-4)"."""
    lo, hi = SCALES[scale]
    return f"scale='{scale}' ({lo:g}-{hi:g})"


def _sd_per_unit(table: pd.DataFrame, sd, top: float, scale: str) -> np.ndarray | float:
    """SD for cochran_mean: one number, or a column of the units table (one SD per unit)."""
    if not isinstance(sd, str):
        return _check_range("sd", sd, 0, top, hint=f" on {_scale_text(scale)} (at most half its range)")
    if sd not in table.columns:
        raise DataError(f"sd='{sd}' is not a column of the units table; columns are {list(table.columns)}")
    values = pd.to_numeric(table[sd], errors="coerce")
    bad = values.isna() | (values <= 0) | (values > top)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"column '{sd}' has value {show_value(table[sd].iloc[row])} in row {row + 1}; allowed: an SD in (0, {top}] "
            f"on {_scale_text(scale)}"
        )
    return values.to_numpy(dtype="float64")


def respondent_score(data: pd.DataFrame, columns: Sequence[str], scale: str = "konversi") -> pd.Series:
    """Each respondent's IKM score: the mean of the unsur he or she answered (x 25 on the 'konversi' scale).

    Blank for a respondent who answered none. A planning quantity (its SD feeds `cochran_mean`, its design
    effect the `deff`); the reported IKM is the mean of the NRR (`riset.skm.ikm`), which differs slightly when
    answers are blank.

    >>> respondent_score(pd.DataFrame({"U1": [4, 3], "U2": [4, None]}), ["U1", "U2"]).tolist()
    [100.0, 75.0]
    """
    if scale not in SCALES:
        raise DataError(f"scale={scale!r}; allowed 'konversi' (25-100) or 'asli' (1-4)")
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise DataError(f"column(s) {absent} not found in the data")
    answers = data[list(columns)].apply(pd.to_numeric, errors="coerce")
    out_of_scale = answers.notna() & ((answers < 1) | (answers > 4))
    if out_of_scale.any(axis=None):
        row, col = next((r, c) for c in answers.columns for r in answers.index[out_of_scale[c]])
        raise DataError(f"column '{col}' has value {show_value(data.loc[row, col])} in row {row}; allowed 1-4 or blank")
    return (answers.mean(axis=1) * (25 if scale == "konversi" else 1)).rename("skor")


def score_sd(data: pd.DataFrame, columns: Sequence[str], *, by: str | Sequence[str] | None = None,
             scale: str = "konversi") -> pd.DataFrame:
    """Standard deviation of respondents' IKM scores in an earlier round, to plan `cochran_mean`.

    SD (ddof = 1) of `respondent_score` per group, unweighted (a planning value, not an estimate to
    report). Respondents who answered no unsur are left out and counted in `n_tanpa_jawaban`. Cochran
    (1977, ch. 4) recommends such a pilot or previous-round estimate of S.

    >>> d = pd.DataFrame({"unit": ["A", "A", "A"], "U1": [4, 3, 2], "U2": [4, 3, None]})
    >>> score_sd(d, ["U1", "U2"], by="unit")["sd_skor"].round(2).tolist()   # scores 100, 75, 50
    [25.0]
    """
    by_cols = [by] if isinstance(by, str) else list(by or [])
    absent = [c for c in by_cols if c not in data.columns]
    if absent:
        raise DataError(f"column(s) {absent} not found in the data")
    score = respondent_score(data, columns, scale)
    keys = [data[c] for c in by_cols] if by_cols else [pd.Series("semua", index=data.index, name="kelompok")]
    grouped = score.groupby(keys, sort=True)
    result = pd.DataFrame({
        "n_responden": grouped.count(),
        "n_tanpa_jawaban": score.isna().groupby(keys, sort=True).sum(),
        "sd_skor": grouped.std(ddof=1),
    })
    return result.reset_index()


def _fpc(n0: np.ndarray, N: np.ndarray, minus_one: bool) -> np.ndarray:
    """Finite population correction: n0 / (1 + (n0 - 1)/N) for a proportion, n0 / (1 + n0/N) for a mean."""
    with np.errstate(invalid="ignore", divide="ignore"):
        corrected = n0 / (1 + (n0 - (1 if minus_one else 0)) / N)
    return np.where(np.isinf(N), n0, corrected)


# --------------------------------------------------------------------------------------------- allocation

Allocation = Literal["equal", "proportional", "neyman", "optimal"]


def allocate(
    strata: pd.DataFrame,
    n: int,
    method: Allocation = "proportional",
    *,
    stratum: str = "strata",
    population: str = "N",
    sd: str | None = None,
    cost: str | None = None,
    minimum: int | str = 0,
    maximum: int | str | None = None,
) -> pd.DataFrame:
    """Allocate a total sample `n` to strata, keeping the total exactly.

    n_h = clip(lambda a_h, min_h, max_h), with a_h = 1 (equal), N_h (proportional), N_h S_h (Neyman) or
    N_h S_h / sqrt(c_h) (optimal with cost per interview c_h), and lambda such that sum n_h = n. For
    Neyman and optimal allocation this is the variance-minimising allocation under the bounds (Gabler,
    Ganninger & Muennich 2012, Metrika 75; Cochran 1977, 5.5 and 5.9); for equal and proportional it keeps
    the strata that are not at a bound in the intended ratio. max_h is the
    stratum size N_h (or smaller if `maximum` says so); a minimum above N_h is lowered to N_h (the
    stratum is taken whole). Integers by largest remainder: floor every n_h, then give the units still
    missing to the largest fractional parts, ties to the stratum listed first.

    Parameters
    ----------
    strata : one row per stratum with columns `stratum`, `population` (N_h) and, as needed, `sd` (S_h)
        and `cost` (c_h).
    minimum, maximum : a number for every stratum or the name of a column.

    Returns a copy of `strata` with `n_kontinu` (before rounding), `n_h` and `keterangan`.

    >>> s = pd.DataFrame({"strata": ["A", "B", "C"], "N": [500, 300, 200]})
    >>> allocate(s, 100)["n_h"].tolist()
    [50, 30, 20]
    >>> allocate(s, 100, minimum=25)["n_h"].tolist()
    [47, 28, 25]
    """
    methods = ("equal", "proportional", "neyman", "optimal")
    if method not in methods:
        raise DesignError(f"allocation method={method!r}; choose one of: {', '.join(methods)}")
    needed = [stratum, population] + ([sd] if method in ("neyman", "optimal") else []) + ([cost] if method == "optimal" else [])
    if None in needed:
        raise DesignError(f"method='{method}' needs " + ("sd= (S_h column)" if sd is None else "cost= (c_h column)"))
    for col in needed + [c for c in (minimum, maximum) if isinstance(c, str)]:
        if col not in strata.columns:
            raise DesignError(f"column '{col}' not found in the strata table; columns are {list(strata.columns)}")
    out = strata.copy()
    dup = out[stratum].duplicated()
    if dup.any():
        raise DesignError(
            f"stratum {out[stratum][dup].iloc[0]!r} appears {int((out[stratum] == out[stratum][dup].iloc[0]).sum())} "
            f"times in column '{stratum}'; give one row per stratum"
        )
    N_h = _positive(out, population, allow_zero=False, whole=True)
    shares = {
        "equal": lambda: np.ones(len(out)),
        "proportional": lambda: N_h,
        "neyman": lambda: N_h * _positive(out, sd, allow_zero=True),
        "optimal": lambda: N_h * _positive(out, sd, allow_zero=True) / np.sqrt(_positive(out, cost, allow_zero=False)),
    }[method]()
    lo = _bound(out, minimum, "minimum", 0)
    hi = np.minimum(N_h, _bound(out, maximum, "maximum", np.inf)) if maximum is not None else N_h
    lo = np.minimum(lo, hi)
    n = int(n)
    if n < lo.sum():
        raise DesignError(
            f"n={n} cannot give the {len(out)} strata their minimum (they need {int(lo.sum())} together); "
            "lower `minimum` or raise n"
        )
    if n > hi.sum():
        raise DesignError(
            f"n={n} is more than the strata can hold ({int(hi.sum())} units together, each capped at its size"
            f"{' and `maximum`' if maximum is not None else ''}); lower n"
        )
    if shares.sum() <= 0 and n > lo.sum():
        raise DesignError(f"all allocation weights are zero (column '{sd}' is 0 everywhere); use 'proportional'")
    # shares below 1e-12 of the largest cannot earn a whole interview; as zeros they keep lambda finite
    shares = np.where(shares > 1e-12 * shares.max(), shares / shares.max(), 0.0) if shares.max() > 0 else shares
    zero = shares <= 0
    if zero.any() and n > hi[~zero].sum() + lo[zero].sum():
        # strata with S_h = 0 get their minimum unless all others are full: then they share the rest by N_h
        x = hi.astype("float64").copy()
        x[zero] = _box_allocation(N_h[zero], lo[zero], hi[zero], n - hi[~zero].sum())
    else:
        x = _box_allocation(shares, lo, hi, n)
    out["n_kontinu"] = x
    out["n_h"] = _largest_remainder(x, hi, n)
    note = np.where(out["n_h"] >= N_h, "sensus", np.where(out["n_h"] <= lo, "minimum", ""))
    out["keterangan"] = np.where((note == "minimum") & (lo == 0), "", note)
    return out


def _positive(frame: pd.DataFrame, col: str, allow_zero: bool, whole: bool = False) -> np.ndarray:
    values = pd.to_numeric(frame[col], errors="coerce")
    bad = values.isna() | (values < 0) | ((values == 0) & (not allow_zero)) | (((values % 1) != 0) & whole)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        allowed = "a number >= 0" if allow_zero else ("a whole number > 0" if whole else "a number > 0")
        raise DesignError(f"column '{col}' has value {show_value(frame[col].iloc[row])} in row {row + 1}; allowed: {allowed}")
    return values.to_numpy(dtype="float64")


def _bound(frame: pd.DataFrame, bound, name: str, default: float) -> np.ndarray:
    if bound is None:
        return np.full(len(frame), default)
    if isinstance(bound, str):
        return _positive(frame, bound, allow_zero=True, whole=True)
    if bound < 0 or bound % 1:
        raise DesignError(f"{name}={bound!r}; allowed: a whole number >= 0 or a column name")
    return np.full(len(frame), float(bound))


def _box_allocation(a: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: float) -> np.ndarray:
    """Solve sum_h clip(lambda a_h, lo_h, hi_h) = n for lambda (f is piecewise linear, nondecreasing)."""
    positive = a > 0
    if n <= lo.sum() or not positive.any():
        return lo.astype("float64").copy()
    with np.errstate(divide="ignore", over="ignore"):
        breaks = np.unique(np.concatenate([lo[positive] / a[positive], hi[positive] / a[positive]]))
    breaks = breaks[np.isfinite(breaks)]
    f = np.clip(np.outer(breaks, a), lo, hi).sum(axis=1)
    k = int(np.searchsorted(f, n - _EPS))
    if k < len(breaks) and abs(f[k] - n) < _EPS:
        lam = breaks[k]
    else:
        left = breaks[k - 1] if k > 0 else 0.0
        x_left = np.clip(left * a, lo, hi)
        free = (left * a >= lo - _EPS) & (left * a < hi - _EPS) & positive
        lam = left + (n - x_left.sum()) / a[free].sum()
    return np.clip(lam * a, lo, hi)


def _largest_remainder(x: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    base = np.floor(x + _EPS)
    short = int(round(n - base.sum()))
    remainder = np.where(base < hi, x - base, -np.inf)
    order = np.lexsort((np.arange(len(x)), -remainder))
    base[order[:short]] += 1
    return base.astype(int)


def per_stratum(n: int | Mapping | pd.Series | pd.DataFrame, labels: Sequence, stratum: str = "strata") -> dict:
    """Sample size per stratum label from an int (same n everywhere), a mapping/Series or `allocate`'s output."""
    if isinstance(n, pd.DataFrame):
        if stratum not in n.columns or "n_h" not in n.columns:
            raise DesignError(f"an allocation table needs columns '{stratum}' and 'n_h' (the output of allocate)")
        n = dict(zip(n[stratum], n["n_h"]))
    elif isinstance(n, pd.Series):
        n = n.to_dict()
    elif not isinstance(n, Mapping):
        return {label: int(n) for label in labels}
    unknown = [k for k in n if k not in set(labels)]
    missing = [k for k in labels if k not in n]
    if unknown or missing:
        raise DesignError(
            "sample sizes per stratum do not match the frame's strata: "
            + "; ".join(
                part for part in (f"not in the frame: {unknown}" if unknown else "", f"no n given for: {missing}" if missing else "") if part
            )
        )
    return {label: int(n[label]) for label in labels}
