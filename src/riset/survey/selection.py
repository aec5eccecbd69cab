"""Selecting a probability sample from a frame: every scheme returns inclusion probabilities and weights.

Each selected row gets `pi` (its first-order inclusion probability) and `bobot_desain` = 1 / pi, the
Horvitz-Thompson design weight. Schemes (all without replacement, fixed size, seeded):

    srs              simple random sampling, pi = n / N
    systematic       random start, fractional interval N / n (Madow 1949), pi = n / N
    pps_systematic   probability proportional to size x_k: pi_k = n x_k / sum x (Madow 1949)
    pps_brewer       Brewer's (1975) draw-by-draw method (Tille 2006, Algorithm 6.10): exact pi_k, all pi_kl > 0
    pps_sampford     Sampford's (1967) rejective method (Tille 2006, ch. 7): exact pi_k, all pi_kl > 0

Units whose size is so large that n x_k / sum x >= 1 are certainty units: taken with pi = 1 and the rest
of the sample drawn among the others, repeatedly (Tille 2006, section 2.10; R sampling::inclusionprobabilities).
With `strata=` each stratum is sampled separately with its own n_h (an int for all, a mapping, or the
table from `riset.survey.sampling.allocate`). Also: `two_stage` (PSUs by PPS, then SRS of elements) and
`exit_interview_plan` (sampled service days per unit and respondents per day).

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"desa": list("ABCDE"), "kk": [10, 20, 30, 40, 100]})
>>> s = pps_brewer(frame, 2, size="kk", seed=1)
>>> len(s), s["pi"].sum() < 2, inclusion_probabilities(frame["kk"], 2).sum()
(2, np.True_, np.float64(2.0))
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd

from riset.errors import DesignError, show_value
from riset.survey.sampling import per_stratum

__all__ = ["DRAWS", "exit_interview_plan", "inclusion_probabilities", "pps_brewer", "pps_sampford",
           "pps_systematic", "select", "service_calendar", "srs", "systematic", "two_stage"]

Draw = Callable[[np.ndarray, np.random.Generator], np.ndarray]
_EPS = 1e-9


def inclusion_probabilities(size, n: int) -> np.ndarray:
    """pi_k = n x_k / sum x, with certainty units (pi >= 1) set to 1 and the rest rescaled, repeatedly.

    Source: Tille (2006) Sampling Algorithms, section 2.10; the same rule as R sampling::inclusionprobabilities.
    The result sums to n exactly.

    >>> inclusion_probabilities([1, 1, 1, 7], 2).tolist()
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 1.0]
    """
    x = np.asarray(size, dtype="float64")
    if n > np.count_nonzero(x > 0):
        raise DesignError(f"n={n} is more than the {np.count_nonzero(x > 0)} units with a positive size")
    pi = np.zeros_like(x)
    certain = np.zeros(len(x), dtype=bool)
    while True:
        rest = n - certain.sum()
        free = ~certain
        pi[free] = rest * x[free] / x[free].sum() if rest > 0 else 0.0
        pi[certain] = 1.0
        newly = free & (pi >= 1 - _EPS)
        if not newly.any():
            return pi
        certain |= newly


# ------------------------------------------------------------------------------------------ draws on pi


def _draw_srs(pik: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = int(round(pik.sum()))
    mask = np.zeros(len(pik), dtype=bool)
    mask[rng.choice(len(pik), size=n, replace=False)] = True
    return mask


def _draw_systematic(pik: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unit k is selected when an integer lies in [C_{k-1} + 1 - u, C_k + 1 - u), C the cumulated pi."""
    n = int(round(pik.sum()))
    cum = np.cumsum(pik)
    cum *= n / cum[-1]
    u = rng.random()
    hits = np.ceil(cum - u - _EPS)
    return np.diff(np.concatenate([[0.0], hits])) > 0


def _brewer_probabilities(pik: np.ndarray, selected: np.ndarray, step: int) -> np.ndarray:
    """Draw probabilities at step i (1-based) of Brewer's method for fixed n (Tille 2006, Algorithm 6.10):

    p_k  proportional to  pi_k (n - a - pi_k) / (n - a - pi_k (n - i + 1)),  a = sum of pi over units drawn.
    """
    n = round(pik.sum())
    a = pik[selected].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        p = pik * ((n - a) - pik) / ((n - a) - pik * (n - step + 1))
    p = np.where(selected | (pik <= 0), 0.0, p)
    return p / p.sum()


def _draw_brewer(pik: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    selected = np.zeros(len(pik), dtype=bool)
    for step in range(1, int(round(pik.sum())) + 1):
        p = _brewer_probabilities(pik, selected, step)
        selected[min(np.searchsorted(np.cumsum(p), rng.random() * p.sum(), side="right"), len(p) - 1)] = True
    return selected


def _draw_sampford(pik: np.ndarray, rng: np.random.Generator, batch: int = 256, max_tries: int = 200_000) -> np.ndarray:
    """Sampford (1967): first unit with p = pi/n, n-1 more with replacement with p ~ pi/(1-pi); redo until distinct."""
    n = int(round(pik.sum()))
    N = len(pik)
    mask = np.zeros(N, dtype=bool)
    if n == 0:
        return mask
    first_p = pik / n
    lam = pik / (1 - pik)
    rest_p = lam / lam.sum()
    for _ in range(0, max_tries, batch):
        draws = np.column_stack([rng.choice(N, size=batch, p=first_p), rng.choice(N, size=(batch, n - 1), p=rest_p)])
        ordered = np.sort(draws, axis=1)
        distinct = np.flatnonzero((np.diff(ordered, axis=1) != 0).all(axis=1))
        if len(distinct):
            mask[draws[distinct[0]]] = True
            return mask
    raise DesignError(
        f"Sampford's method found no sample of {n} distinct units in {max_tries} tries (the pi are too unequal "
        "or n is large relative to N); use pps_brewer"
    )


def _without_certainty(draw: Draw) -> Draw:
    """Take certainty units (pi = 1) directly and let `draw` choose among the others."""

    def wrapped(pik: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        certain = pik >= 1 - _EPS
        mask = certain.copy()
        rest = ~certain & (pik > 0)
        if round(pik[rest].sum()) > 0:
            mask[rest] = draw(pik[rest], rng)
        return mask

    return wrapped


DRAWS: dict[str, tuple[Draw, bool]] = {
    "srs": (_draw_srs, False),
    "systematic": (_draw_systematic, False),
    "pps_systematic": (_draw_systematic, True),
    "pps_brewer": (_without_certainty(_draw_brewer), True),
    "pps_sampford": (_without_certainty(_draw_sampford), True),
}


# ------------------------------------------------------------------------------------------ selection


def _sizes(frame: pd.DataFrame, size: str | None, pps: bool, method: str) -> np.ndarray:
    if not pps:
        return np.ones(len(frame))
    if size is None:
        raise DesignError(f"method '{method}' draws with probability proportional to size: give size= (a column)")
    if size not in frame.columns:
        raise DesignError(f"size column '{size}' not found in the frame; columns are {list(frame.columns)}")
    x = pd.to_numeric(frame[size], errors="coerce")
    bad = x.isna() | (x <= 0) | ~np.isfinite(x)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DesignError(
            f"size column '{size}' has value {show_value(frame[size].iloc[row])} in row {row + 1} ({int(bad.sum())} such "
            "row(s)); PPS needs a positive size for every unit (a unit of size 0 could never be selected: remove "
            "it from the frame explicitly if that is intended)"
        )
    return x.to_numpy(dtype="float64")


def _strata_labels(frame: pd.DataFrame, strata: str | None) -> tuple[np.ndarray, list]:
    if strata is None:
        return np.zeros(len(frame), dtype=int), [0]
    if strata not in frame.columns:
        raise DesignError(f"strata column '{strata}' not found in the frame; columns are {list(frame.columns)}")
    blank = frame[strata].isna()
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise DesignError(f"strata column '{strata}' is blank in row {row + 1} ({int(blank.sum())} row(s)); every unit needs a stratum")
    codes, labels = pd.factorize(frame[strata], sort=True)
    return codes, list(labels)


def _inclusion(frame: pd.DataFrame, n, method: str, size: str | None, strata: str | None, sort_by) -> tuple[np.ndarray, list]:
    """pi for every frame row and the frame positions in drawing order, stratum by stratum."""
    if method not in DRAWS:
        raise DesignError(f"selection method={method!r}; choose one of: {', '.join(DRAWS)}")
    if len(frame) == 0:
        raise DesignError("the sampling frame has no rows")
    x = _sizes(frame, size, DRAWS[method][1], method)
    codes, labels = _strata_labels(frame, strata)
    n_h = per_stratum(n, labels, strata or "strata") if strata else {0: int(n) if np.isscalar(n) else _no_strata(n)}
    order = np.arange(len(frame))
    if sort_by is not None:
        order = np.asarray(frame.reset_index(drop=True).sort_values(sort_by, kind="stable").index)
    pi = np.zeros(len(frame))
    groups = []
    for code, label in enumerate(labels):
        pos = order[codes[order] == code]
        size_h = n_h[label]
        where = f" in stratum {label!r}" if strata else ""
        if size_h < 1 or size_h > len(pos):
            raise DesignError(
                f"n={size_h}{where} is not possible: allowed 1 to {len(pos)} (the number of units{where}); "
                "a stratum with n=0 would give its units no chance of selection"
            )
        pi[pos] = inclusion_probabilities(x[pos], size_h)
        groups.append(pos)
    return pi, groups


def _no_strata(n) -> int:
    raise DesignError(f"n={n!r} gives a size per stratum but strata= is not set; name the strata column")


def select(
    frame: pd.DataFrame,
    n,
    method: str = "srs",
    *,
    size: str | None = None,
    strata: str | None = None,
    sort_by: str | Sequence[str] | None = None,
    seed=None,
    keep_frame: bool = False,
) -> pd.DataFrame:
    """Draw a sample of `n` rows from `frame` by `method` (see the module docstring); seeded.

    Parameters
    ----------
    n : sample size; with `strata`, an int for every stratum, a mapping stratum -> n_h, or the table
        returned by `riset.survey.sampling.allocate` (columns strata and n_h).
    size : column with the measure of size x_k (PPS methods only), e.g. visitors per period.
    strata : column with the stratum of each unit; strata are drawn independently.
    sort_by : systematic methods: order of the frame within strata before the systematic pass
        (implicit stratification, e.g. by kecamatan); ignored by the other methods.
    seed : int or numpy Generator; the same seed gives the same sample.
    keep_frame : return every frame row with `terpilih` (selected) instead of only the sample.

    Returns the selected rows (a copy, frame order, original index) with `pi`, `bobot_desain` = 1/pi and,
    for PPS, `pasti` (certainty unit). Horvitz-Thompson: sum over the sample of y / pi is unbiased for Y.

    >>> frame = pd.DataFrame({"id": range(10)})
    >>> s = select(frame, 4, "systematic", seed=3)
    >>> len(s), s["bobot_desain"].unique().tolist()
    (4, [2.5])
    """
    rng = np.random.default_rng(seed)
    pi, groups = _inclusion(frame, n, method, size, strata, sort_by)
    draw = DRAWS[method][0]
    chosen = np.zeros(len(frame), dtype=bool)
    for pos in groups:
        chosen[pos] = draw(pi[pos], rng)
    out = frame.copy()
    out["pi"] = pi
    out["bobot_desain"] = 1 / pi
    if DRAWS[method][1]:
        out["pasti"] = pi >= 1 - _EPS
    if keep_frame:
        out["terpilih"] = chosen
        return out
    return out.iloc[np.flatnonzero(chosen)]


def srs(frame: pd.DataFrame, n, *, strata: str | None = None, seed=None, keep_frame: bool = False) -> pd.DataFrame:
    """Simple random sample without replacement: pi = n / N (per stratum). Cochran (1977) ch. 2.

    >>> srs(pd.DataFrame({"id": range(8)}), 2, seed=1)["pi"].tolist()
    [0.25, 0.25]
    """
    return select(frame, n, "srs", strata=strata, seed=seed, keep_frame=keep_frame)


def systematic(frame: pd.DataFrame, n, *, strata: str | None = None, sort_by=None, seed=None, keep_frame: bool = False) -> pd.DataFrame:
    """Systematic sample with a random start and fractional interval k = N / n: pi = n / N exactly.

    Units ceil(u k), ceil((u + 1) k), ... for u ~ U(0, 1) (Madow 1949; Cochran 1977 ch. 8). Order the
    frame with `sort_by` to spread the sample (implicit stratification).

    >>> systematic(pd.DataFrame({"id": range(9)}), 3, seed=2)["bobot_desain"].tolist()
    [3.0, 3.0, 3.0]
    """
    return select(frame, n, "systematic", strata=strata, sort_by=sort_by, seed=seed, keep_frame=keep_frame)


def pps_systematic(frame: pd.DataFrame, n, size: str, *, strata: str | None = None, sort_by=None, seed=None, keep_frame: bool = False) -> pd.DataFrame:
    """Systematic PPS: pi_k = n x_k / sum x (certainty units at 1), cumulated, random start (Madow 1949).

    Simple and exact for pi_k, but some pairs have pi_kl = 0, so no unbiased variance estimator exists:
    analyse it as with-replacement or use pps_brewer / pps_sampford.

    >>> frame = pd.DataFrame({"id": range(4), "x": [1, 1, 1, 7]})
    >>> pps_systematic(frame, 2, "x", seed=1)["pasti"].sum()
    np.int64(1)
    """
    return select(frame, n, "pps_systematic", size=size, strata=strata, sort_by=sort_by, seed=seed, keep_frame=keep_frame)


def pps_brewer(frame: pd.DataFrame, n, size: str, *, strata: str | None = None, seed=None, keep_frame: bool = False) -> pd.DataFrame:
    """PPS without replacement by Brewer's method: exactly pi_k = n x_k / sum x, all pi_kl > 0.

    n draws; at draw i the units not yet drawn are chosen with probability proportional to
    pi_k (n - a - pi_k) / (n - a - pi_k (n - i + 1)), a = sum of pi already drawn (Brewer 1975;
    Tille 2006, Algorithm 6.10; as R sampling::UPbrewer). Certainty units are taken first.

    >>> frame = pd.DataFrame({"id": range(5), "x": [1, 2, 3, 4, 10]})
    >>> pps_brewer(frame, 2, "x", seed=4)["pi"].sum() <= 2
    np.True_
    """
    return select(frame, n, "pps_brewer", size=size, strata=strata, seed=seed, keep_frame=keep_frame)


def pps_sampford(frame: pd.DataFrame, n, size: str, *, strata: str | None = None, seed=None, keep_frame: bool = False) -> pd.DataFrame:
    """PPS without replacement by Sampford's rejective method: exactly pi_k = n x_k / sum x, all pi_kl > 0.

    One unit with probability pi_k / n, then n - 1 with replacement with probability proportional to
    pi_k / (1 - pi_k); the whole draw is repeated until all n are distinct (Sampford 1967; Tille 2006,
    ch. 7). Certainty units are taken first; slow when the pi are close to 1.

    >>> frame = pd.DataFrame({"id": range(5), "x": [1, 2, 3, 4, 10]})
    >>> len(pps_sampford(frame, 3, "x", seed=4))
    3
    """
    return select(frame, n, "pps_sampford", size=size, strata=strata, seed=seed, keep_frame=keep_frame)


# ------------------------------------------------------------------------------------------ two stages


def two_stage(
    psu_frame: pd.DataFrame,
    n_psu,
    m: int | str,
    *,
    psu: str,
    size: str,
    elements: pd.DataFrame | None = None,
    method: str = "pps_brewer",
    strata: str | None = None,
    seed=None,
) -> pd.DataFrame:
    """Two-stage cluster sample: PSUs by `method` (PPS on `size`), then SRS of m elements in each PSU.

    pi_i (PSU, from stage 1), pi_j|i = m_i / M_i, pi_ij = pi_i pi_j|i, bobot_desain = 1 / pi_ij
    (Cochran 1977, ch. 11; Lumley 2010, ch. 3). With PPS on M_i and equal m the sample is self-weighting.

    Parameters
    ----------
    psu_frame : one row per PSU (desa, puskesmas) with columns `psu` and `size`.
    m : elements per selected PSU (an int or a column of psu_frame); a PSU with fewer elements is taken whole.
    elements : optional list of elements (households, visitors) with a `psu` column. Given: the selected
        elements are returned and M_i is counted from it. Not given: one row per selected PSU is
        returned with M_i = `size`, as a plan for the field.
    method, strata, seed : as in `select`.

    Returns rows with pi_psu, bobot_psu, N_ssu (M_i), n_ssu (m_i), pi_ssu, pi and bobot_desain.

    >>> desa = pd.DataFrame({"desa": list("ABCD"), "kk": [50, 100, 150, 200]})
    >>> plan = two_stage(desa, 2, 10, psu="desa", size="kk", seed=1)
    >>> plan["bobot_desain"].round(2).tolist()   # self-weighting: M / (n m) = 500 / 20
    [25.0, 25.0]
    """
    rng = np.random.default_rng(seed)
    for col in (psu, size) + ((m,) if isinstance(m, str) else ()):
        if col not in psu_frame.columns:
            raise DesignError(f"column '{col}' not found in the PSU frame; columns are {list(psu_frame.columns)}")
    if psu_frame[psu].duplicated().any():
        raise DesignError(f"PSU {psu_frame[psu][psu_frame[psu].duplicated()].iloc[0]!r} appears more than once in column '{psu}'")
    pps = DRAWS.get(method, (None, False))[1]
    stage1 = select(psu_frame, n_psu, method, size=size if pps else None, strata=strata, seed=rng)
    stage1 = stage1.rename(columns={"pi": "pi_psu", "bobot_desain": "bobot_psu"})
    if elements is None:
        M = _positive_whole(stage1[size], size)
    else:
        if psu not in elements.columns:
            raise DesignError(f"the element list has no PSU column '{psu}'")
        counts = elements[psu].value_counts()
        absent = [p for p in stage1[psu] if p not in counts.index]
        if absent:
            raise DesignError(f"selected PSU(s) {absent} have no elements in the element list")
        M = counts.reindex(stage1[psu]).to_numpy(dtype="float64")
    want = _positive_whole(stage1[m], m) if isinstance(m, str) else np.full(len(stage1), float(m))
    if (want < 1).any():
        raise DesignError(f"m={m!r}: every selected PSU needs at least 1 element")
    stage1["N_ssu"] = M.astype(int)
    stage1["n_ssu"] = np.minimum(want, M).astype(int)
    stage1["pi_ssu"] = stage1["n_ssu"] / stage1["N_ssu"]
    stage1["pi"] = stage1["pi_psu"] * stage1["pi_ssu"]
    stage1["bobot_desain"] = 1 / stage1["pi"]
    if elements is None:
        return stage1
    design_cols = [psu, "pi_psu", "bobot_psu", "N_ssu", "n_ssu", "pi_ssu", "pi", "bobot_desain"]
    inside = elements[elements[psu].isin(stage1[psu])]
    # SRS within each PSU: the n_ssu smallest of independent uniform keys
    rank = pd.Series(rng.random(len(inside)), index=inside.index).groupby(inside[psu]).rank(method="first")
    chosen = inside[rank <= inside[psu].map(stage1.set_index(psu)["n_ssu"])]
    return chosen.join(stage1[design_cols].set_index(psu), on=psu)


def _positive_whole(values: pd.Series, name: str) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce")
    bad = x.isna() | (x < 1) | (x % 1 != 0)
    if bad.any():
        raise DesignError(f"column '{name}' has value {show_value(values[bad].iloc[0])}; allowed: whole numbers >= 1")
    return x.to_numpy(dtype="float64")


# ------------------------------------------------------------------------------------ exit interviews


def service_calendar(start, end, weekmask: str = "Mon Tue Wed Thu Fri", holidays: Sequence = ()) -> pd.DatetimeIndex:
    """Service days between `start` and `end` (inclusive) on the weekdays of `weekmask`, minus `holidays`.

    >>> len(service_calendar("2026-08-03", "2026-08-14", holidays=["2026-08-17"]))
    10
    """
    return pd.bdate_range(start, end, freq="C", weekmask=weekmask, holidays=list(holidays))


def exit_interview_plan(
    units: pd.DataFrame,
    n: str | int = "n_sampel",
    *,
    days: str | int | None = None,
    per_day: str | int | None = None,
    unit: str = "unit",
    periode: str | None = "periode",
    service_days: str | None = "n_hari_layanan",
    start=None,
    end=None,
    weekmask: str = "Mon Tue Wed Thu Fri",
    holidays: Sequence = (),
    population: str | None = "pengguna_per_periode",
    min_days: int = 1,
    seed=None,
) -> pd.DataFrame:
    """Exit-interview plan for service points: sampled service days per unit and respondents per day.

    Stage 1: d of the unit's D service days by simple random sampling (pi_hari = d / D).
    Stage 2: on each sampled day, systematic sampling of the leaving visitors over the *whole* service day:
    the visitor numbered `mulai_acak` (a random start r, 1 <= r <= k), then every k-th after it until closing
    time, k = floor(expected visitors of the day / quota m_j) (`interval_pengunjung`); interviewers do not
    stop when the quota is reached early, so the day's interviews spread over its hours -- approaching leavers
    one after another until the quota would take only the first hours and bias the mean when satisfaction
    drifts through the day. The n interviews of a unit are split over its d days as evenly as possible (the
    n mod d extra interviews go to randomly chosen days). After fieldwork, with M_j visitors counted that day
    and m_j interviewed: bobot_desain = D / d * M_j / m_j, which treats the day's systematic sample as a simple
    random one (Cochran 1977 ch. 8, 11; Lumley 2010 ch. 3).

    Parameters
    ----------
    units : one row per unit layanan (x periode), e.g. the sampling frame.
    n : target interviews per unit: a column (the `n_sampel` of `riset.survey.sampling.sample_size`) or an int.
    days, per_day : exactly one: sampled days per unit (d), or the most interviews one day can take
        (d = ceil(n / per_day)); an int or a column.
    service_days : column with D, the unit's service days in the period (days are then numbered H001..HD).
    start, end, weekmask, holidays : alternatively (or as well) the fieldwork period: the unit's service
        days are the dates from `service_calendar`, and the plan carries the date of each sampled day. When a
        D column is also given it must agree with the calendar.
    population : column with the expected visitors in the period (optional: gives the interval k).
    min_days : at least this many sampled days per unit (but never more than its service days or
        interviews): the days are the PSUs, and a design-based SE needs several of them (8 or more is wise).

    Returns one row per unit x sampled day: the unit's columns, hari_ke, hari (PSU id
    'UNIT/PERIODE/H017'), [tanggal], n_hari_layanan (D), n_hari_sampel (d), kuota_hari (m_j), pi_hari,
    bobot_hari (D / d) and, with `population`, perkiraan_pengunjung_hari, interval_pengunjung (k) and mulai_acak
    (the random start r of the day).

    >>> units = pd.DataFrame({"unit": ["PKM-A"], "n_hari_layanan": [120], "n_sampel": [50]})
    >>> plan = exit_interview_plan(units, days=6, periode=None, population=None, seed=1)
    >>> sorted(plan["kuota_hari"]), plan["bobot_hari"].iloc[0]
    ([8, 8, 8, 8, 9, 9], np.float64(20.0))
    """
    if (days is None) == (per_day is None):
        raise DesignError("give exactly one of days= (sampled days per unit) or per_day= (interviews a day can take)")
    if unit not in units.columns:
        raise DesignError(f"unit column '{unit}' not found; columns are {list(units.columns)}")
    rng = np.random.default_rng(seed)
    table = units.reset_index(drop=True)
    keys = [unit] + ([periode] if periode and periode in table.columns else [])
    repeated = table.duplicated(keys)
    if repeated.any():
        row = int(np.flatnonzero(repeated.to_numpy())[0])
        raise DesignError(f"row {row + 1} repeats {', '.join(f'{k}={table[k].iloc[row]!r}' for k in keys)}; "
                          "one row per unit (and periode), or the day ids would collide")
    target = _per_unit(table, n, "n")
    calendar = service_calendar(start, end, weekmask, holidays) if start is not None or end is not None else None
    if calendar is None and (service_days is None or service_days not in table.columns):
        raise DesignError(f"give the service days: a column service_days= (D per unit; '{service_days}' not found) or start= and end=")
    if calendar is not None and len(calendar) == 0:
        raise DesignError(f"no service days between {start} and {end} on {weekmask!r}")
    D = np.full(len(table), float(len(calendar))) if calendar is not None else _per_unit(table, service_days, "service_days")
    if calendar is not None and service_days is not None and service_days in table.columns:
        given = _per_unit(table, service_days, "service_days")
        if (given != D).any():
            row = int(np.flatnonzero(given != D)[0])
            raise DesignError(
                f"unit {table[unit].iloc[row]!r}: column '{service_days}' says {int(given[row])} service days but the "
                f"calendar {start}..{end} ({weekmask}) has {len(calendar)}; pass service_days=None to use the calendar"
            )
    d = _per_unit(table, days, "days") if days is not None else np.ceil(target / _per_unit(table, per_day, "per_day"))
    if min_days > 1:
        d = np.maximum(d, np.minimum(min_days, np.minimum(D, target)))
    for bad, why in ((d > D, "more sampled days than service days"), (d > target, "more sampled days than interviews")):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DesignError(
                f"unit {table[unit].iloc[row]!r}: {int(d[row])} sampled days with {int(target[row])} interviews and "
                f"{int(D[row])} service days -- {why}"
            )
    rows = []
    for i in range(len(table)):
        Di, di, ni = int(D[i]), int(d[i]), int(target[i])
        picked = np.sort(rng.choice(Di, size=di, replace=False)) + 1
        quota = np.full(di, ni // di)
        quota[rng.choice(di, size=ni % di, replace=False)] += 1
        part = pd.DataFrame({"_row": i, "hari_ke": picked, "kuota_hari": quota})
        if calendar is not None:
            part["tanggal"] = calendar[picked - 1].date
        rows.append(part)
    plan = pd.concat(rows, ignore_index=True)
    row = plan.pop("_row").to_numpy()
    carried = table.drop(columns=[c for c in _PLAN_COLUMNS if c in table.columns])
    plan = carried.iloc[row].reset_index(drop=True).join(plan)
    prefix = plan[unit].astype(str) + ("/" + plan[periode].astype(str) if periode and periode in plan.columns else "")
    plan["hari"] = prefix + "/H" + plan["hari_ke"].map("{:03d}".format)
    plan["n_hari_layanan"] = D[row].astype(int)
    plan["n_hari_sampel"] = d[row].astype(int)
    plan["pi_hari"] = d[row] / D[row]
    plan["bobot_hari"] = D[row] / d[row]
    if population is not None and population in table.columns:
        per_day_visitors = _per_unit(table, population, "population")[row] / D[row]
        plan["perkiraan_pengunjung_hari"] = per_day_visitors.round(1)
        plan["interval_pengunjung"] = np.maximum(1, np.floor(per_day_visitors / plan["kuota_hari"])).astype(int)
        plan["mulai_acak"] = [int(rng.integers(1, k + 1)) for k in plan["interval_pengunjung"]]
    first = ["hari", "hari_ke"] + (["tanggal"] if calendar is not None else []) + ["kuota_hari"]
    return plan[[c for c in carried.columns] + first + [c for c in plan.columns if c not in first and c not in carried.columns]]


def _per_unit(table: pd.DataFrame, value, name: str) -> np.ndarray:
    """A whole number >= 1 per unit, from a column of `table` or one value for all units."""
    if isinstance(value, str):
        if value not in table.columns:
            raise DesignError(f"{name}='{value}' is not a column of the units table; columns are {list(table.columns)}")
        raw = table[value]
    else:
        raw = pd.Series([value] * len(table))
    x = pd.to_numeric(raw, errors="coerce")
    bad = x.isna() | (x < 1) | (x % 1 != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        where = f"column '{value}'" if isinstance(value, str) else name
        raise DesignError(f"{where} has value {show_value(raw.iloc[row])} in row {row + 1}; allowed: whole numbers >= 1")
    return x.to_numpy(dtype="float64")


_PLAN_COLUMNS = ("hari_ke", "hari", "tanggal", "n_hari_layanan", "n_hari_sampel", "kuota_hari", "pi_hari",
                 "bobot_hari", "perkiraan_pengunjung_hari", "interval_pengunjung", "mulai_acak")
