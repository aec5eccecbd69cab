"""Out-of-core design-based estimation: sufficient statistics from DuckDB or Polars, variance in numpy.

For national-scale SKM data (10^7+ responses) the rows need not fit in pandas. Every Taylor-linearised
estimator of `riset.survey.estimate` for a stratified multistage design (with-replacement / ultimate-cluster
variance, FPC at the first stage) depends on the data only through *per stratum x PSU x domain sums*:

    S_g = sum_{i in g} w_i y_i   (m columns: w y_j, w, w [y = c], ...),  g = (stratum h, PSU i, domain d)

Pass 1 (domain totals -> estimates):  T_d = sum_{g in d} S_g,  theta_d = g(T_d)          (ratio estimates)
Pass 2 (per-PSU linearised scores):   z_g = J_d S_g,  J_d = dg/dT at T_d                  (Binder 1983)
    because the score of a smooth function of totals is linear in the rows' values (u_i = J_d y_i), its
    PSU total is J_d times the PSU's sums, so pass 2 runs on the small aggregated table, not on the rows.
Variance (Lumley 2010 app. C; R `svyrecvar` / `svyby`, the domain keeps the full design):
    V_d = sum_h f_h n_h / (n_h - 1) [ sum_i z_hid^2 - (sum_i z_hid)^2 / n_h ],  f_h = (N_h - n_h) / N_h
    n_h = PSUs of stratum h in the whole sample (also those without domain members), N_h from `fpc`
    (population size > 1 or sampling fraction <= 1, as `riset.survey.design.SurveyDesign`); lonely PSUs as there.
    df_d = PSUs with domain members - strata with domain members (R `degf` of the subset).

The only pass over the rows is one GROUP BY (stratum, PSU, domain) run *in the engine* (DuckDB SQL or a
Polars lazy ``group_by``, both streaming/out of core); numpy then finishes on a table of at most
(#PSU x #domains) rows. Results equal `riset.survey.estimate` on the same rows (tests/test_scale.py, 1e-10).
docs/scale.md shows the same two passes on Dask and Spark.

Sources (`source`): a DuckDB connection + table name, a DuckDB relation, a Polars LazyFrame/DataFrame,
or a Parquet path (read by DuckDB). Answers must already be numeric (clean them with `riset.skm.exports` first);
NULL is a blank. Out of core there are no row numbers: errors name the column, stratum or PSU and value.

Not covered (use `riset.survey.design` in memory): a second-stage FPC, calibration adjustments, replicate
weights, quantiles, design effects, `adjust_domain_lonely`.

Example
-------
>>> import polars as pl
>>> lf = pl.LazyFrame({"h": [1, 1, 2, 2], "psu": [1, 2, 3, 4], "y": [1.0, 3.0, 2.0, 6.0], "w": [2.0, 2.0, 3.0, 3.0]})
>>> res = mean(source(lf), "y", weights="w", strata="h", psu="psu")
>>> # x = w (y - 3.2) / 10 = (-.44, -.04 | -.36, .84); V = 2 (.2^2 + .2^2) + 2 (.6^2 + .6^2) = 1.6
>>> round(float(res["estimate"].iloc[0]), 4), round(float(res["se"].iloc[0]) ** 2, 4)
(3.2, 1.6)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from riset.survey.design import CERTAINTY_TOL, LONELY_PSU, lonely_average_factor
from riset.errors import DataError, DesignError, show_value
from riset.i18n import Note
from riset.survey.estimate import (linearised_scores, mean_totals, mean_jacobian, ratio_totals, ratio_jacobian, total_totals, total_jacobian,
                            critical_value)

__all__ = ["mean", "mean_of_means", "proportion", "ratio", "Source", "source", "total"]


@dataclass(frozen=True)
class Source:
    """A table the engine reads out of core: `kind` is 'duckdb' (a DuckDB relation) or 'polars' (a LazyFrame)."""

    kind: str
    table: object

    @property
    def columns(self) -> list[str]:
        if self.kind == "duckdb":
            return list(self.table.columns)
        return list(self.table.collect_schema().names())


@dataclass(frozen=True)
class _Sum:
    """sum over the rows where all `complete` columns are not NULL of w * value; value = `column`, or
    [column = equals] when `equals` is given, or 1; `weighted=False` counts rows."""

    name: str
    column: str | None = None
    equals: object = None
    complete: tuple[str, ...] = ()
    weighted: bool = True


def source(obj, table: str | None = None) -> Source:
    """Wrap a DuckDB connection + `table`, a DuckDB relation, a Polars LazyFrame/DataFrame or a Parquet path.

    Nothing is read here; the estimators push one GROUP BY into the engine.

    >>> import polars as pl
    >>> source(pl.DataFrame({"y": [1.0]})).kind
    'polars'
    """
    if isinstance(obj, (str, Path)):
        import duckdb

        path = Path(obj)
        if not path.exists():
            raise DataError(f"Parquet file '{path}' not found")
        return Source("duckdb", duckdb.read_parquet(str(path)))
    module = type(obj).__module__.split(".")[0]
    if module in ("duckdb", "_duckdb"):
        if hasattr(obj, "table") and hasattr(obj, "execute"):  # a connection
            if table is None:
                raise DataError("a DuckDB connection needs `table`, the name of the table or view to read")
            return Source("duckdb", obj.table(table))
        return Source("duckdb", obj)
    if module == "polars":
        return Source("polars", obj.lazy())
    raise DataError(
        f"source must be a DuckDB connection (+ table), a DuckDB relation, a Polars LazyFrame/DataFrame or a "
        f"Parquet path, not {type(obj).__name__}; for a pandas DataFrame use riset.survey.design.SurveyDesign"
    )


# ---------------------------------------------------------------------------------------- engines
def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_literal(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    return repr(float(value)) if isinstance(value, (float, np.floating)) else str(int(value))


def _duckdb_aggregate(rel, keys: list[str], sums: list[_Sum], weights: str | None, extra: dict) -> pd.DataFrame:
    w = f"CAST({_sql_name(weights)} AS DOUBLE)" if weights else "1.0"
    parts = []
    for s in sums:
        cond = " AND ".join([f"{_sql_name(c)} IS NOT NULL" for c in s.complete] or ["TRUE"])
        if s.equals is not None:
            cond += f" AND {_sql_name(s.column)} = {_sql_literal(s.equals)}"
            value = w
        elif s.column is not None:
            value = f"{w} * CAST({_sql_name(s.column)} AS DOUBLE)"
        else:
            value = w
        if not s.weighted:
            parts.append(f"CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT) AS {_sql_name(s.name)}")
        else:
            parts.append(f"COALESCE(SUM(CASE WHEN {cond} THEN {value} ELSE 0 END), 0.0) AS {_sql_name(s.name)}")
    for name, (fn, col) in extra.items():
        expr = {"min": f"MIN(CAST({_sql_name(col)} AS DOUBLE))", "max": f"MAX(CAST({_sql_name(col)} AS DOUBLE))",
                "nulls": f"CAST(SUM(CASE WHEN {_sql_name(col)} IS NULL THEN 1 ELSE 0 END) AS BIGINT)"}[fn]
        parts.append(f"{expr} AS {_sql_name(name)}")
    group = ", ".join(_sql_name(k) for k in keys)
    sql = f"SELECT {group + ', ' if keys else ''}{', '.join(parts)} FROM __riset_source"
    if keys:
        sql += f" GROUP BY {group}"
    return rel.query("__riset_source", sql).df()


def _polars_aggregate(lf, keys: list[str], sums: list[_Sum], weights: str | None, extra: dict) -> pd.DataFrame:
    import polars as pl

    # a literal in an aggregation is not broadcast to the group's rows: start from a real column of ones
    lf = lf.with_columns(pl.lit(1.0).alias("__riset_one"))
    one = pl.col("__riset_one")
    w = pl.col(weights).cast(pl.Float64) if weights else one
    exprs = []
    for s in sums:
        cond = one > 0
        for c in s.complete:
            cond = cond & pl.col(c).is_not_null()
        if s.equals is not None:
            cond = cond & (pl.col(s.column) == s.equals)
            value = w
        elif s.column is not None:
            value = w * pl.col(s.column).cast(pl.Float64)
        else:
            value = w
        if not s.weighted:
            exprs.append(cond.cast(pl.Int64).sum().alias(s.name))
        else:
            exprs.append(pl.when(cond).then(value).otherwise(0.0).sum().alias(s.name))
    for name, (fn, col) in extra.items():
        c = pl.col(col).cast(pl.Float64)
        exprs.append({"min": c.min(), "max": c.max(), "nulls": pl.col(col).is_null().sum().cast(pl.Int64)}[fn]
                     .alias(name))
    out = lf.group_by(keys).agg(exprs) if keys else lf.select(exprs)
    return out.collect(engine="streaming").to_pandas()


def _aggregate(src: Source, keys, sums, weights, extra) -> pd.DataFrame:
    fn = _duckdb_aggregate if src.kind == "duckdb" else _polars_aggregate
    return fn(src.table, list(keys), list(sums), weights, dict(extra))


def _distinct(src: Source, column: str) -> list:
    """Sorted distinct non-NULL values of a column (the categories of a proportion)."""
    if src.kind == "duckdb":
        values = src.table.query("__riset_source", f"SELECT DISTINCT {_sql_name(column)} AS v FROM __riset_source "
                                 f"WHERE {_sql_name(column)} IS NOT NULL").df()["v"].tolist()
    else:
        import polars as pl

        values = src.table.select(pl.col(column).drop_nulls().unique()).collect().to_series().to_list()
    return sorted(values, key=lambda v: (str(type(v)), v))


# ---------------------------------------------------------------------------------------- the design
@dataclass
class _Cells:
    """The aggregated table as arrays: per cell g = (stratum, PSU, domain) its sums and codes."""

    sums: np.ndarray  # G x m
    n_used: np.ndarray  # G: rows counted in the estimate (complete, in a domain)
    n_rows: np.ndarray  # G: all rows of the cell
    domain: np.ndarray  # G: domain code, -1 for a blank `by` value
    stratum: np.ndarray  # G: stratum code
    psu: np.ndarray  # G: PSU code (unique over the design)
    n_psu: np.ndarray  # per stratum: sampled PSUs in the whole sample
    scale: np.ndarray  # per stratum: f_h n_h / (n_h - 1) (f_h for a lonely PSU, 0 if f_h = 0)
    lonely: np.ndarray  # per stratum: one sampled PSU
    labels: pd.DataFrame  # one row per domain
    notes: list[Note]
    lonely_rule: str  # lonely_psu option
    answered: dict  # column -> rows with an answer (in a domain), for blank messages


def _check_columns(src: Source, columns) -> None:
    present = set(src.columns)
    absent = [c for c in dict.fromkeys(columns) if c is not None and c not in present]
    if absent:
        raise DataError(f"column(s) {', '.join(map(repr, absent))} not found in the source "
                        f"(it has {', '.join(sorted(present)[:12])}{' ...' if len(present) > 12 else ''})")


def _cells(src: Source, sums: list[_Sum], weights, strata, psu, fpc, by, lonely_psu) -> _Cells:
    """One GROUP BY (strata, psu, by) in the engine, checked as `riset.survey.design.SurveyDesign` checks its input."""
    if psu is None:
        raise DesignError("riset.survey.outofcore needs `psu` (the first-stage unit column); out of core every row cannot be "
                          "its own PSU -- use riset.survey.design.SurveyDesign in memory for an unclustered design")
    if lonely_psu not in LONELY_PSU:
        raise DesignError(f"lonely_psu={lonely_psu!r} is not allowed; choose one of {', '.join(LONELY_PSU)}")
    strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
    by_cols = [by] if isinstance(by, str) else list(by or [])
    _check_columns(src, [weights, *strata_cols, psu, fpc, *by_cols, *(s.column for s in sums),
                         *(c for s in sums for c in s.complete)])
    extra = {}
    if weights:
        extra.update(__w_min=("min", weights), __w_nulls=("nulls", weights))
    if fpc:
        extra.update(__fpc_min=("min", fpc), __fpc_max=("max", fpc), __fpc_nulls=("nulls", fpc))
    counts = [_Sum("__n_rows", weighted=False)]
    group_keys = list(dict.fromkeys([*strata_cols, psu, *by_cols]))  # by = strata (IKM per unit) is common
    agg = _aggregate(src, group_keys, [*counts, *sums], weights, extra)
    if weights:
        if agg["__w_nulls"].sum() > 0:
            raise DesignError(f"weight column '{weights}' is blank in {int(agg['__w_nulls'].sum())} row(s); "
                              "every respondent needs a sampling weight")
        if (agg["__w_min"] <= 0).any():
            bad = agg.loc[agg["__w_min"] <= 0].iloc[0]
            raise DesignError(f"weight column '{weights}' has value {bad['__w_min']:g} in PSU {show_value(bad[psu])}; "
                              "sampling weights must be > 0 (for a domain use `by`)")
    for col in [*strata_cols, psu]:
        blank = agg[col].isna()
        if blank.any():
            raise DesignError(f"{'psu' if col == psu else 'strata'} column '{col}' is blank in "
                              f"{int(agg.loc[blank, '__n_rows'].sum())} row(s); every respondent needs a value")
    if strata_cols:
        stratum_keys = (pd.MultiIndex.from_frame(agg[strata_cols]) if len(strata_cols) > 1
                        else pd.Index(agg[strata_cols[0]]))
        stratum, stratum_labels = pd.factorize(stratum_keys, sort=True)
    else:
        stratum, stratum_labels = np.zeros(len(agg), dtype=np.int64), pd.Index(["(semua)"])
    # PSU codes nested in strata (R nest=TRUE), from integer codes: hashing (stratum, psu) tuples is slow
    psu_raw = pd.factorize(agg[psu])[0].astype(np.int64)
    psu_code = pd.factorize(stratum * (int(psu_raw.max()) + 1) + psu_raw)[0].astype(np.int64)
    psu_stratum = np.zeros(int(psu_code.max()) + 1, dtype=np.int64)
    psu_stratum[psu_code] = stratum
    n_psu = np.bincount(psu_stratum, minlength=len(stratum_labels))
    f = np.ones(len(stratum_labels))
    if fpc:
        f = _fpc_factor(agg, fpc, stratum, stratum_labels, n_psu)
    lonely = n_psu == 1
    if lonely_psu == "fail" and (lonely & (f >= CERTAINTY_TOL)).any():
        g = int(np.argmax(lonely & (f >= CERTAINTY_TOL)))
        raise DesignError(
            f"stratum {show_value(stratum_labels[g])} has only one sampled PSU, so its variance cannot be estimated; "
            "choose lonely_psu='remove', 'certainty', 'adjust' or 'average' (as R options(survey.lonely.psu)), or merge "
            "strata")
    scale = f * np.where(lonely, 1.0, n_psu / np.maximum(n_psu - 1, 1))
    scale = np.where(f < CERTAINTY_TOL, 0.0, scale)
    notes: list[Note] = []
    if by_cols:
        blank = agg[by_cols].isna().any(axis=1).to_numpy()
        if blank.any():
            notes.append(Note("domain_blank_by", {"n": int(agg.loc[blank, "__n_rows"].sum()),
                                                  "columns": ", ".join(by_cols)}))
        keys = pd.MultiIndex.from_frame(agg.loc[~blank, by_cols]) if len(by_cols) > 1 else pd.Index(
            agg.loc[~blank, by_cols[0]])
        codes, uniques = pd.factorize(keys, sort=True)
        domain = np.full(len(agg), -1, dtype=np.int64)
        domain[~blank] = codes
        labels = (pd.DataFrame(list(uniques), columns=by_cols) if len(by_cols) > 1
                  else pd.DataFrame({by_cols[0]: list(uniques)}))
    else:
        domain, labels = np.zeros(len(agg), dtype=np.int64), pd.DataFrame(index=[0])
    value_cols = [s.name for s in sums if s.weighted]
    n_used = agg["__n_used"].to_numpy(dtype=np.int64) if "__n_used" in agg else agg["__n_rows"].to_numpy(np.int64)
    answered = {s.complete[0]: int(agg.loc[domain >= 0, s.name].sum())
                for s in sums if s.name.startswith("__answered")}
    return _Cells(agg[value_cols].to_numpy(dtype=float), n_used, agg["__n_rows"].to_numpy(dtype=np.int64), domain,
                  np.asarray(stratum, dtype=np.int64), np.asarray(psu_code, dtype=np.int64), n_psu, scale, lonely,
                  labels, notes, lonely_psu, answered)


def _fpc_factor(agg, fpc, stratum, stratum_labels, n_psu) -> np.ndarray:
    """f_h = (N_h - n_h) / N_h from the FPC column, checked as `SurveyDesign` does (R `as.fpc`)."""
    if agg["__fpc_nulls"].sum() > 0:
        raise DesignError(f"FPC column '{fpc}' is blank in {int(agg['__fpc_nulls'].sum())} row(s); must be a number")
    lo = np.full(len(stratum_labels), np.inf)
    hi = np.full(len(stratum_labels), -np.inf)
    np.minimum.at(lo, stratum, agg["__fpc_min"].to_numpy(dtype=float))
    np.maximum.at(hi, stratum, agg["__fpc_max"].to_numpy(dtype=float))
    varies = lo != hi
    if varies.any():
        g = int(np.argmax(varies))
        raise DesignError(f"FPC column '{fpc}' varies within stratum {show_value(stratum_labels[g])} "
                          f"({lo[g]:g} to {hi[g]:g}); it must be one value per stratum")
    if (lo <= 0).any():
        g = int(np.argmax(lo <= 0))
        raise DesignError(f"FPC column '{fpc}' has value {lo[g]:g} in stratum {show_value(stratum_labels[g])}; "
                          "must be > 0")
    as_size = bool((lo > 1).any())
    if as_size and (lo < 1).any():
        g = int(np.argmax(lo < 1))
        raise DesignError(f"FPC column '{fpc}' has value {lo[g]:g} in stratum {show_value(stratum_labels[g])}, but "
                          "other values are > 1: give all as population sizes (> 1) or all as fractions n/N (<= 1), "
                          "never as 1 - n/N")
    pop = lo if as_size else n_psu / lo
    too_small = pop < n_psu - 1e-9
    if too_small.any():
        g = int(np.argmax(too_small))
        raise DesignError(f"FPC column '{fpc}' gives stratum {show_value(stratum_labels[g])} a population of "
                          f"{pop[g]:g} PSUs, but it has {n_psu[g]} sampled PSUs: the population cannot be smaller "
                          "than the sample (FPC is N or n/N, never 1 - n/N)")
    return (pop - n_psu) / pop


# ---------------------------------------------------------------------------------------- the two passes
def _fit(cells: _Cells, g: Callable, jacobian: Callable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pass 1: domain totals -> estimates; pass 2: PSU scores z_g = J_d S_g -> variances; and df per domain."""
    n_dom = len(cells.labels)
    keep = cells.domain >= 0
    d = cells.domain[keep]
    s = cells.sums[keep]
    totals = np.stack([np.bincount(d, weights=s[:, j], minlength=n_dom) for j in range(s.shape[1])], axis=1)
    est = g(totals)
    z = linearised_scores(jacobian(totals), s, d)
    # per stratum x domain: sum z and sum z^2 over the PSUs (one PSU per cell after the GROUP BY)
    key = cells.stratum[keep] * n_dom + d
    n_cells = (cells.n_psu.size) * n_dom
    s1 = np.stack([np.bincount(key, weights=z[:, j], minlength=n_cells) for j in range(z.shape[1])], axis=1)
    s2 = np.stack([np.bincount(key, weights=z[:, j] ** 2, minlength=n_cells) for j in range(z.shape[1])], axis=1)
    h, dom = np.arange(n_cells) // n_dom, np.arange(n_cells) % n_dom
    n_h = cells.n_psu[h].astype(float)[:, None]
    present = np.bincount(key, minlength=n_cells) > 0  # strata with a PSU in the domain
    lonely = (cells.lonely[h] & (cells.scale[h] > 0) & present)[:, None]  # scale 0: a census stratum
    # 'adjust' (R >= 4.3): a lonely PSU centred at the domain's mean PSU total sum z / sum_{h present} n_h
    psus_present = np.bincount(dom, weights=present * n_h[:, 0], minlength=n_dom)[:, None]
    stage_total = s1.reshape(cells.n_psu.size, n_dom, -1).sum(axis=0)
    centre = np.divide(stage_total, psus_present, out=np.zeros_like(stage_total), where=psus_present > 0)[dom]
    adjusted = s2 - 2 * centre * s1 + n_h * centre ** 2
    centred = np.where(lonely, adjusted if cells.lonely_rule == "adjust" else 0.0, s2 - s1 * s1 / n_h)
    contrib = cells.scale[h][:, None] * centred
    var = np.maximum(contrib.reshape(cells.n_psu.size, n_dom, -1).sum(axis=0), 0.0)
    if cells.lonely_rule == "average":  # the others' average for the lonely strata: P / (P - L) per domain
        var *= lonely_average_factor(np.bincount(dom, weights=present, minlength=n_dom),
                                     np.bincount(dom, weights=lonely[:, 0], minlength=n_dom), "average")[:, None]
    used = keep & (cells.n_used > 0)
    psus = pd.unique(cells.psu[used] * n_dom + cells.domain[used])  # hash unique: only counted
    strata = pd.unique(cells.stratum[used] * n_dom + cells.domain[used])
    df = (np.bincount(psus % n_dom, minlength=n_dom) - np.bincount(strata % n_dom, minlength=n_dom)).astype(float)
    return est, var, df


def _table(cells: _Cells, est, var, df, names, key: str, level: float) -> pd.DataFrame:
    n_dom, k = est.shape
    used = cells.domain >= 0
    n = np.bincount(cells.domain[used], weights=cells.n_used[used], minlength=n_dom).astype(np.int64)
    se = np.sqrt(var)
    t = critical_value(level, df)[:, None]
    frame = cells.labels.loc[cells.labels.index.repeat(k)].reset_index(drop=True)
    frame[key] = np.tile(np.asarray(names, dtype=object), n_dom)
    frame["estimate"] = est.ravel()
    frame["se"] = se.ravel()
    frame["ci_low"] = (est - t * se).ravel()
    frame["ci_high"] = (est + t * se).ravel()
    frame["n"] = np.repeat(n, k)
    frame["df"] = np.repeat(df, k)
    frame.attrs["notes"] = cells.notes
    return frame


def _blank_check(cells: _Cells, columns, na_rm: bool) -> None:
    """`na_rm=False`: a blank in a domain row is an error; True: the rows leave the estimate, with a note."""
    inside = cells.domain >= 0
    blank = int((cells.n_rows[inside] - cells.n_used[inside]).sum())
    if blank == 0:
        return
    if not na_rm:
        rows = int(cells.n_rows[inside].sum())
        col = next(c for c in columns if cells.answered[c] < rows)
        raise DataError(f"column '{col}' is blank in {rows - cells.answered[col]} row(s) ({blank} row(s) with a blank "
                        f"in {', '.join(columns)}); pass na_rm=True to estimate over the answered rows "
                        "(as R na.rm=TRUE)")
    cells.notes.append(Note("rows_blank_excluded", {"n": int(blank), "columns": ", ".join(columns)}))


def _counts(columns) -> list[_Sum]:
    """Row counts: complete cases of all `columns` (the estimate's n) and answers per column (for messages)."""
    cols = list(dict.fromkeys(columns))
    return [_Sum("__n_used", complete=tuple(cols), weighted=False),
            *(_Sum(f"__answered{j}", complete=(c,), weighted=False) for j, c in enumerate(cols))]


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise DataError(f"level={level}; a confidence level lies between 0 and 1 (e.g. 0.95)")


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# ---------------------------------------------------------------------------------------- public estimators
def mean(src: Source, variables: str | Sequence[str], *, weights: str | None = None,
         strata: str | Sequence[str] | None = None, psu: str, fpc: str | None = None,
         by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
         lonely_psu: str = "fail") -> pd.DataFrame:
    """Weighted means ybar_d = sum w y / sum w per domain with Taylor SE, out of core (= `riset.survey.estimate.mean`).

    Linearised score u_i = (y_i - ybar_d) / sum_d w (Lumley 2010 sec. 2.2); sufficient statistics per
    stratum x PSU x domain: sum w y_j and sum w. Returns the tidy table: by columns, variable, estimate, se,
    ci_low, ci_high (t with the domain's design df), n, df; notes in ``.attrs["notes"]``. With `na_rm`
    the rows with a blank in any of `variables` leave the domain (as `riset.survey.estimate.mean`).

    >>> import polars as pl
    >>> lf = pl.LazyFrame({"psu": [1, 2, 3], "y": [1.0, 2.0, 6.0]})
    >>> round(float(mean(source(lf), "y", psu="psu")["se"].iloc[0]) ** 2, 6)   # s^2 / n = 7 / 3
    2.333333
    """
    _check_level(level)
    cols = _as_list(variables)
    complete = tuple(cols)
    sums = ([_Sum(f"__wy{j}", c, complete=complete) for j, c in enumerate(cols)]
            + [_Sum(f"__w{j}", complete=complete) for j in range(len(cols))]
            + _counts(cols))
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu)
    _blank_check(cells, cols, na_rm)
    est, var, df = _fit(cells, mean_totals, mean_jacobian)
    return _table(cells, est, var, df, cols, "variable", level)


def total(src: Source, variables: str | Sequence[str], *, weights: str | None = None,
          strata: str | Sequence[str] | None = None, psu: str, fpc: str | None = None,
          by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
          lonely_psu: str = "fail") -> pd.DataFrame:
    """Horvitz-Thompson totals t_d = sum_{i in d} w y per domain with Taylor SE (= `riset.survey.estimate.total`).

    Score u_i = y_i; sufficient statistics: sum w y_j per stratum x PSU x domain. Table as `mean`.

    >>> import polars as pl
    >>> lf = pl.LazyFrame({"psu": [1, 2], "y": [1.0, 2.0], "w": [10.0, 30.0]})
    >>> float(total(source(lf), "y", weights="w", psu="psu")["estimate"].iloc[0])
    70.0
    """
    _check_level(level)
    cols = _as_list(variables)
    complete = tuple(cols)
    sums = [_Sum(f"__wy{j}", c, complete=complete) for j, c in enumerate(cols)]
    sums += _counts(cols)
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu)
    _blank_check(cells, cols, na_rm)
    est, var, df = _fit(cells, total_totals, total_jacobian)
    return _table(cells, est, var, df, cols, "variable", level)


def ratio(src: Source, numerator: str, denominator: str, *, weights: str | None = None,
          strata: str | Sequence[str] | None = None, psu: str, fpc: str | None = None,
          by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
          lonely_psu: str = "fail") -> pd.DataFrame:
    """Ratio of totals R_d = sum w y / sum w x per domain, score (y - R x) / t_x (= `riset.survey.estimate.ratio`).

    >>> import polars as pl
    >>> lf = pl.LazyFrame({"psu": [1, 2], "y": [1.0, 3.0], "x": [2.0, 2.0]})
    >>> float(ratio(source(lf), "y", "x", psu="psu")["estimate"].iloc[0])
    1.0
    """
    _check_level(level)
    complete = (numerator, denominator)
    sums = [_Sum("__wy", numerator, complete=complete), _Sum("__wx", denominator, complete=complete),
            *_counts(list(complete))]
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu)
    _blank_check(cells, list(complete), na_rm)
    est, var, df = _fit(cells, ratio_totals, ratio_jacobian)
    return _table(cells, est, var, df, [f"{numerator}/{denominator}"], "variable", level)


def proportion(src: Source, variable: str, *, weights: str | None = None,
               strata: str | Sequence[str] | None = None, psu: str, fpc: str | None = None,
               by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
               lonely_psu: str = "fail") -> pd.DataFrame:
    """Share of each category p_c = sum w [y = c] / sum w per domain with Taylor SE and Wald t CI.

    Categories: the sorted distinct non-blank values (one extra DISTINCT query). Estimates and SEs equal
    `riset.survey.estimate.proportion`; for the logit/Wilson CIs pass estimate, se^2, df and n to
    `riset.survey.estimate.proportion_ci`.

    >>> import polars as pl
    >>> lf = pl.LazyFrame({"psu": [1, 2, 3, 4], "jk": ["L", "P", "P", "P"]})
    >>> proportion(source(lf), "jk", psu="psu")["estimate"].tolist()
    [0.25, 0.75]
    """
    _check_level(level)
    _check_columns(src, [variable])
    categories = _distinct(src, variable)
    if not categories:
        raise DataError(f"column '{variable}' has no non-blank value; no proportion to estimate")
    complete = (variable,)
    sums = ([_Sum(f"__c{j}", variable, equals=c, complete=complete) for j, c in enumerate(categories)]
            + [_Sum(f"__w{j}", complete=complete) for j in range(len(categories))]
            + _counts([variable]))
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu)
    _blank_check(cells, [variable], na_rm)
    est, var, df = _fit(cells, mean_totals, mean_jacobian)
    table = _table(cells, est, var, df, [str(c) for c in categories], "category", level)
    table.insert(len(cells.labels.columns), "variable", variable)
    return table


def mean_of_means(src: Source, columns: Sequence[str], *, weights: str | None = None,
                  strata: str | Sequence[str] | None = None, psu: str, fpc: str | None = None,
                  by: str | Sequence[str] | None = None, level: float = 0.95, lonely_psu: str = "fail") -> pd.DataFrame:
    """The average over `columns` of each column's mean over the rows that answered it, per group, with design
    SE and CI, out of core (the IKM on the unsur scale is this; `riset.skm.ikm_design.ikm_outofcore`).

    theta = (1/k) sum_j R_j,  R_j = sum w a_j y_j / sum w a_j  (a_j = 1 where column j is not blank).
    Score (Binder 1983): u_i = sum_j (1/k) a_ij (y_ij - R_j) / sum w a_j. Sufficient statistics per
    stratum x PSU x group: sum w a_j y_j and sum w a_j (2k sums). A group where a column has no answer is
    an error naming the column and the group.

    Returns: by columns, n (rows), estimate, se, df, ci_low, ci_high (t with the group's design df).
    """
    _check_level(level)
    cols = list(columns)
    k = len(cols)
    if not k:
        raise DataError("mean_of_means needs at least one column")
    sums = ([_Sum(f"__ay{j}", c, complete=(c,)) for j, c in enumerate(cols)]
            + [_Sum(f"__a{j}", complete=(c,)) for j, c in enumerate(cols)])
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu)
    b = 1.0 / k

    def g(t):
        means = t[..., :k] / np.where(t[..., k:] > 0, t[..., k:], np.nan)
        return (means * b).sum(axis=-1, keepdims=True)

    def jacobian(t):
        num, den = t[:, :k], t[:, k:]
        jac = np.zeros((t.shape[0], 1, 2 * k))
        jac[:, 0, :k] = b / den
        jac[:, 0, k:] = -b * num / den**2
        return jac

    inside = cells.domain >= 0
    n_dom = len(cells.labels)
    answered = np.stack([np.bincount(cells.domain[inside], weights=cells.sums[inside, k + j], minlength=n_dom)
                         for j in range(k)], axis=1)
    if (answered <= 0).any():
        d, j = np.argwhere(answered <= 0)[0]
        where = ", ".join(f"{c}={show_value(v)}" for c, v in cells.labels.iloc[d].items()) or "the whole sample"
        raise DataError(f"column '{cols[j]}' has no answer in group {where}; its mean (and so the average of "
                        "the means) is undefined")
    est, var, df = _fit(cells, g, jacobian)
    table = cells.labels.reset_index(drop=True).copy()
    table["n"] = np.bincount(cells.domain[inside], weights=cells.n_rows[inside], minlength=n_dom).astype(np.int64)
    table["estimate"] = est[:, 0]
    table["se"] = np.sqrt(var[:, 0])
    table["df"] = df
    t = critical_value(level, df)
    table["ci_low"] = table["estimate"] - t * table["se"]
    table["ci_high"] = table["estimate"] + t * table["se"]
    table.attrs["notes"] = cells.notes
    return table
