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

The only pass over the rows is one GROUP BY (stratum, PSU, domain) run *in the engine*; numpy then finishes on
a table of at most (#PSU x #domains) rows. The GROUP BY is written once, as an Ibis expression
(`_sums_expression`), and each engine runs it: DuckDB as SQL (streaming), Polars as a lazy plan (streaming
engine), and any Ibis backend as itself -- PySpark, BigQuery, Trino, ClickHouse, ... (docs/scale.md: a national
SKM on a Spark cluster). Results equal `riset.survey.estimate` on the same rows to 1e-10
(tests/survey/test_outofcore.py, also on Spark in local mode).

Sources (`source`): a DuckDB connection + table name, a DuckDB relation, a Polars LazyFrame/DataFrame, a
Parquet path (read by DuckDB), or an Ibis table of any backend. Answers must already be numeric (clean them with `riset.skm.exports` first);
NULL is a blank. Out of core there are no row numbers: errors name the column, stratum or PSU and value.

Replicate designs: with `replicates` (`Replicates`: the replicate weight columns of the source, type, scale,
rscales) the one GROUP BY (domain) sums every statistic's totals under the full-sample weight and under each
replicate weight, T_d^r = sum_{i in d} w_i^r y_i, and numpy re-estimates theta_d^r = g(T_d^r) and
Var = scale sum_r rscale_r (theta_d^r - centre)^2 (R `svrVar`), as `riset.survey.replicate.ReplicateDesign` does in
memory; a calibrated design whose replicate columns were re-calibrated carries its calibration this way.

Second stage (`ssu`, `fpc2`, with `fpc`; SurveyDesign's stage 2, R `svyrecvar`): a nested GROUP BY in the engine
gives per stratum x PSU x domain the sums of the SSUs' cross-products Q = sum_j S_j S_j', and the number of
sampled SSUs per PSU; V2_d = sum_hi (n_h/N_h) (M_hi - m_hi)/M_hi m_hi/(m_hi - 1) [J_d Q J_d' - (J_d S)^2 / m_hi].

Calibrated weights (`weights=` a `riset.survey.outofcore_weighting.CalibratedWeights`: post-stratification, raking,
calibration computed from a GROUP BY of the margin variables): the weight is an Ibis expression in every query,
and the variance is that of the total of the residual scores e_i = w_i u_i - sum_M v_iM b_M[c_M(i)] (R `svyrecvar`
with the design's `postStrata`; `_residual_variance`).

Not covered (use `riset.survey.design` in memory): calibration to numeric totals, trimmed weights, quantiles,
design effects, `adjust_domain_lonely`.

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

import functools
import operator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from riset.survey.design import CERTAINTY_TOL, LONELY_PSU, lonely_average_factor
from riset.survey.replicate import replicate_scales, replicate_variance
from riset.errors import DataError, DesignError, WeightingError, show_value
from riset.i18n import Note
from riset.survey.estimate import (linearised_scores, mean_totals, mean_jacobian, ratio_totals, ratio_jacobian, total_totals, total_jacobian,
                            critical_value)

__all__ = ["evaluate", "lookup", "mean", "mean_of_means", "proportion", "python_value", "ratio", "Replicates", "Source",
           "source", "total"]


@dataclass(frozen=True)
class Source:
    """A table the engine reads out of core: `kind` is 'duckdb' (a DuckDB relation), 'polars' (a LazyFrame) or
    'ibis' (an Ibis table on any backend: DuckDB, Polars, PySpark, BigQuery, Trino, ClickHouse, ...)."""

    kind: str
    table: object
    #: columns every expression on the table sees, added first (calibrated weights: `outofcore_weighting`)
    prepare: Callable | None = None

    @property
    def columns(self) -> list[str]:
        if self.kind == "duckdb":
            return list(self.table.columns)
        if self.kind == "polars":
            return list(self.table.collect_schema().names())
        return list(self.table.columns)

    def schema(self):
        """The Ibis schema of the table (read from its first zero rows; nothing else is read)."""
        import ibis

        if self.kind == "ibis":
            return self.table.schema()
        empty = self.table.limit(0).to_arrow_table() if self.kind == "duckdb" else (
            self.table.limit(0).collect().to_arrow())
        return ibis.Schema.from_pyarrow(empty.schema)


@dataclass(frozen=True)
class _Sum:
    """sum over the rows where all `complete` columns are not NULL of w * value; value = `column`, or
    [column = equals] when `equals` is given, or `expression(table)`, or 1; `weighted=False` counts rows."""

    name: str
    column: str | None = None
    equals: object = None
    complete: tuple[str, ...] = ()
    weighted: bool = True
    weight: str | None = None  # another weight column than the design's (a replicate weight)
    expression: Callable | None = None  # value = expression(table) instead of a column (residual scores)


@dataclass(frozen=True)
class Replicates:
    """Replicate analysis weights held as columns of the source (R ``svrepdesign(repweights =, type =,
    combined.weights = TRUE)``): every statistic is re-estimated with each column and
    Var = scale sum_r rscale_r (theta_r - centre)^2 (`riset.survey.replicate.replicate_variance`); `type`,
    `scale`, `rscales` and `mse` as `riset.survey.replicate.ReplicateDesign`. `df`: the design df, by default
    R - 1 (R's `degf` of a full-rank replicate matrix, as JK1, bootstrap and BRR have).

    >>> Replicates(("r1", "r2", "r3"), "jk1").df_or_default()
    2
    """

    columns: tuple[str, ...]
    type: str
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    mse: bool = False
    df: int | None = None

    def df_or_default(self) -> int:
        return int(self.df) if self.df is not None else len(self.columns) - 1


def source(obj, table: str | None = None) -> Source:
    """Wrap a DuckDB connection + `table`, a DuckDB relation, a Polars LazyFrame/DataFrame, a Parquet path (a file,
    a glob such as ``"skm/part-*.parquet"``, or a folder of Parquet files), or an Ibis table of any backend (e.g.
    ``ibis.pyspark.connect(spark).table("skm")``).

    Nothing is read here; the estimators push one GROUP BY into the engine.

    >>> import polars as pl
    >>> source(pl.DataFrame({"y": [1.0]})).kind
    'polars'
    """
    if isinstance(obj, (str, Path)):
        import duckdb

        path = Path(obj)
        if path.is_dir():  # a folder of Parquet parts (a dataset written in pieces)
            path = path / "*.parquet"
        if not (path.exists() or any(path.parent.glob(path.name))):
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
    if module == "ibis":
        return Source("ibis", obj)
    raise DataError(
        f"source must be a DuckDB connection (+ table), a DuckDB relation, a Polars LazyFrame/DataFrame, a Parquet "
        f"path or an Ibis table, not {type(obj).__name__}; for a pandas DataFrame use riset.survey.design.SurveyDesign"
    )


# ---------------------------------------------------------------------------------------- engines
#: the name the aggregation gives the source table (DuckDB: the relation's alias; Polars: the registered frame)
_TABLE = "__riset_source"


def _sums_expression(t, keys: list[str], sums: list[_Sum], weights: str | None, extra: dict):
    """The one GROUP BY of the sufficient statistics, as an Ibis expression on table `t` (bound to a backend, or
    unbound and named `_TABLE`): per group of `keys`, every `_Sum` and the `extra` min / max / NULL counts."""
    import ibis

    design_w = t[weights].cast("float64") if weights else ibis.literal(1.0)
    exprs = {}
    for s in sums:
        w = t[s.weight].cast("float64") if s.weight else design_w
        cond, factor = _row_value(t, s)
        value = w if factor is None else w * factor
        if cond is None:  # every row counts: the group's row count (or sum of weights)
            total = t.count() if not s.weighted or (weights is None and s.weight is None and factor is None) else (
                value.sum())
        else:
            total = cond.cast("int64").sum() if not s.weighted else ibis.ifelse(cond, value, 0.0).sum()
        exprs[s.name] = total if not s.weighted else total.cast("float64").coalesce(0.0)
    for name, (fn, col) in extra.items():
        c = t[col].cast("float64")
        exprs[name] = {"min": c.min(), "max": c.max(), "nulls": t[col].isnull().cast("int64").sum()}[fn]
    return t.group_by(keys).aggregate(**exprs) if keys else t.aggregate(**exprs)


def _row_value(t, s: _Sum):
    """The row's condition (None: every row) and the value multiplying its weight (None: 1) of a sum."""
    conditions = [t[c].notnull() for c in s.complete]
    factor = None
    if s.equals is not None:
        conditions.append(t[s.column] == s.equals)
    elif s.expression is not None:
        factor = s.expression(t)
    elif s.column is not None:
        factor = t[s.column].cast("float64")
    return (functools.reduce(operator.and_, conditions) if conditions else None), factor


def evaluate(src: Source, build) -> pd.DataFrame:
    """Evaluate the Ibis expression `build(table)` in the source's own engine and return it as pandas (it must be
    small: an aggregate): an Ibis table on its backend; a DuckDB relation through the expression's SQL (DuckDB
    streams it); a Polars LazyFrame through the Polars backend's lazy plan, collected by the streaming engine.
    The table has the columns `src.prepare` adds (calibrated weights).

    >>> import polars as pl
    >>> evaluate(source(pl.LazyFrame({"y": [1.0, 2.0]})), lambda t: t.aggregate(s=t.y.sum()))["s"].tolist()
    [3.0]
    """
    import ibis

    table = src.table if src.kind == "ibis" else ibis.table(src.schema(), name=_TABLE)
    expr = build(table if src.prepare is None else src.prepare(table))
    if src.kind == "ibis":
        return expr.to_pandas()
    if src.kind == "duckdb":
        return src.table.query(_TABLE, str(ibis.to_sql(expr, dialect="duckdb"))).df()
    plan = ibis.polars.connect(tables={_TABLE: src.table}).compile(expr)
    return plan.collect(engine="streaming").to_pandas()


def _aggregate(src: Source, keys, sums, weights, extra) -> pd.DataFrame:
    return evaluate(src, lambda t: _sums_expression(t, list(keys), list(sums), weights, dict(extra)))


def _distinct(src: Source, column: str) -> list:
    """Sorted distinct non-NULL values of a column (the categories of a proportion)."""
    values = evaluate(src, lambda t: t.filter(t[column].notnull()).select(v=t[column]).distinct())["v"].tolist()
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
    replicate: tuple | None = None  # replicate designs: (G x R x m sums, scale, rscales, mse, df)
    stage2: tuple | None = None  # second stage: (G x m x m sums of SSU cross-products, G stage-2 factors, G flags)
    units: pd.DataFrame | None = None  # the strata and PSU values of each cell (calibrated weights' carriers)


def _check_columns(src: Source, columns) -> None:
    present = set(src.columns)
    absent = [c for c in dict.fromkeys(columns) if c is not None and c not in present]
    if absent:
        raise DataError(f"column(s) {', '.join(map(repr, absent))} not found in the source "
                        f"(it has {', '.join(sorted(present)[:12])}{' ...' if len(present) > 12 else ''})")


def _cells(src: Source, sums: list[_Sum], weights, strata, psu, fpc, by, lonely_psu,
           replicates: Replicates | None = None, ssu: str | None = None, fpc2: str | None = None) -> _Cells:
    """One GROUP BY (strata, psu, by) in the engine, checked as `riset.survey.design.SurveyDesign` checks its input;
    with `replicates`, one GROUP BY (by) of the sums under the full-sample and every replicate weight."""
    if replicates is not None:
        if not (weights is None or isinstance(weights, str)):
            raise DesignError("calibrated weights out of core are for a Taylor design (strata, psu, fpc); a replicate "
                              "design gives its replicate columns already calibrated (riset.survey.weighting on a "
                              "ReplicateDesign) as `replicates`")
        return _replicate_cells(src, sums, weights, (strata, psu, fpc), by, replicates)
    if psu is None:
        raise DesignError("riset.survey.outofcore needs `psu` (the first-stage unit column); out of core every row cannot be "
                          "its own PSU -- use riset.survey.design.SurveyDesign in memory for an unclustered design")
    if lonely_psu not in LONELY_PSU:
        raise DesignError(f"lonely_psu={lonely_psu!r} is not allowed; choose one of {', '.join(LONELY_PSU)}")
    if (ssu is None) != (fpc2 is None) or (fpc2 is not None and fpc is None):
        raise DesignError("a second stage out of core needs `ssu`, `fpc2` and the first stage's `fpc` together "
                          "(without FPCs the ultimate-cluster variance of the first stage is the design's variance)")
    strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
    by_cols = [by] if isinstance(by, str) else list(by or [])
    src, weights, start = _weighting(src, weights)
    _check_columns(src, [start, *strata_cols, psu, fpc, *by_cols, *(s.column for s in sums),
                         *(c for s in sums for c in s.complete)])
    extra = {}
    if start:
        extra.update(__w_min=("min", start), __w_nulls=("nulls", start))
    if weights != start:
        extra.update(__cal_nulls=("nulls", weights))
    if fpc:
        extra.update(__fpc_min=("min", fpc), __fpc_max=("max", fpc), __fpc_nulls=("nulls", fpc))
    counts = [_Sum("__n_rows", weighted=False)]
    group_keys = list(dict.fromkeys([*strata_cols, psu, *by_cols]))  # by = strata (IKM per unit) is common
    agg = _aggregate(src, group_keys, [*counts, *sums], weights, extra)
    if start:
        if agg["__w_nulls"].sum() > 0:
            raise DesignError(f"weight column '{start}' is blank in {int(agg['__w_nulls'].sum())} row(s); "
                              "every respondent needs a sampling weight")
        if (agg["__w_min"] <= 0).any():
            bad = agg.loc[agg["__w_min"] <= 0].iloc[0]
            raise DesignError(f"weight column '{start}' has value {bad['__w_min']:g} in PSU {show_value(bad[psu])}; "
                              "sampling weights must be > 0 (for a domain use `by`)")
    if weights != start and agg["__cal_nulls"].sum() > 0:
        raise WeightingError(f"{int(agg['__cal_nulls'].sum())} row(s) of the source fall in no cell of the calibrated "
                             "weights' margins (their categories were not in the table the weights were calibrated on, "
                             "or a margin variable is blank); calibrate on the same source")
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
    domain, labels, notes = _domains(agg, by_cols)
    value_cols = [s.name for s in sums if s.weighted]
    n_used, n_rows, answered = _row_counts(agg, sums, domain)
    stage2 = None
    if ssu is not None:
        stage2 = _second_stage(src, agg, [s for s in sums if s.weighted], weights, strata_cols, psu, ssu, fpc2,
                               group_keys, 1.0 - f[stratum], lonely_psu)
    return _Cells(agg[value_cols].to_numpy(dtype=float), n_used, n_rows, domain,
                  np.asarray(stratum, dtype=np.int64), np.asarray(psu_code, dtype=np.int64), n_psu, scale, lonely,
                  labels, notes, lonely_psu, answered, stage2=stage2, units=agg[[*strata_cols, psu]])


def _weighting(src: Source, weights) -> tuple[Source, str | None, str | None]:
    """The source, the weight column the sums use and the sampling weight column checked (> 0, not blank). Calibrated
    weights (`riset.survey.outofcore_weighting`) are a column their `attach` adds to the source's table, computed
    from their start weights."""
    if weights is None or isinstance(weights, str):
        return src, weights, weights
    if not hasattr(weights, "attach"):
        raise DataError(f"weights must be a column name or calibrated weights (riset.survey.outofcore_weighting: rake, "
                        f"poststratify, calibrate), not {type(weights).__name__}")
    return replace(src, prepare=weights.attach), weights.column, weights.start


def _second_stage(src: Source, agg: pd.DataFrame, sums: list[_Sum], weights, strata_cols: list[str], psu: str,
                  ssu: str, fpc2: str, group_keys: list[str], outer: np.ndarray, lonely_psu: str) -> tuple:
    """The second stage's sufficient statistics, aligned with the rows of the first stage's aggregate `agg`
    (one per stratum x PSU x domain): Q_g = sum over the SSUs j of the cell of S_gj S_gj^T (S_gj the SSU's sums,
    from a nested GROUP BY in the engine), the PSU's sampled SSUs m (over the whole sample) and its population
    M from `fpc2`; and the factor of each cell, outer_h (M - m)/M m/(m - 1) with outer_h = n_h / N_h (`outer`),
    as `riset.survey.design.SurveyDesign`'s stage 2 (R `svyrecvar`)."""
    names = [s.name for s in sums]
    m = len(names)
    pairs = [(a, b) for a in range(m) for b in range(a, m)]
    inner_keys = list(dict.fromkeys([*strata_cols, psu, ssu, *group_keys]))

    def cross_products(t):
        inner = _sums_expression(t, inner_keys, sums, weights, {"__f2_min": ("min", fpc2), "__f2_max": ("max", fpc2),
                                                                "__f2_nulls": ("nulls", fpc2)})
        aggs = {f"__q{a}_{b}": (inner[names[a]] * inner[names[b]]).sum() for a, b in pairs}
        aggs.update(__f2_min=inner["__f2_min"].min(), __f2_max=inner["__f2_max"].max(),
                    __f2_nulls=inner["__f2_nulls"].sum())
        return inner.group_by(group_keys).aggregate(**aggs)

    def ssu_counts(t):
        return t.group_by([*strata_cols, psu]).aggregate(__m=t[ssu].nunique(),
                                                         __ssu_nulls=t[ssu].isnull().cast("int64").sum())

    _check_columns(src, [ssu, fpc2])
    cells = agg[group_keys].merge(evaluate(src, cross_products), on=group_keys, how="left", validate="one_to_one")
    cells = cells.merge(evaluate(src, ssu_counts), on=[*strata_cols, psu], how="left", validate="many_to_one")
    if cells["__ssu_nulls"].sum() > 0:
        raise DesignError(f"ssu column '{ssu}' is blank in {int(cells['__ssu_nulls'].sum())} row(s); every "
                          "respondent needs a second-stage unit")
    if cells["__f2_nulls"].sum() > 0 or (cells["__f2_min"] <= 0).any():
        raise DesignError(f"FPC column '{fpc2}' has a blank or a value <= 0; it must be a number > 0 in every row")
    whole = cells.groupby([*strata_cols, psu], dropna=False)
    lo, hi = whole["__f2_min"].transform("min").to_numpy(), whole["__f2_max"].transform("max").to_numpy()
    if (lo != hi).any():
        bad = cells.loc[lo != hi].iloc[0]
        raise DesignError(f"FPC column '{fpc2}' varies within PSU {show_value(bad[psu])} ({lo[lo != hi][0]:g} to "
                          f"{hi[lo != hi][0]:g}); it must be one value per PSU")
    n_ssu = cells["__m"].to_numpy(dtype=float)
    population = lo if (lo > 1).any() else n_ssu / lo  # sizes, or the fractions m / M (R as.fpc)
    if (population < n_ssu - 1e-9).any():
        bad = cells.loc[population < n_ssu - 1e-9].iloc[0]
        raise DesignError(f"FPC column '{fpc2}' gives PSU {show_value(bad[psu])} a population of {bad['__f2_min']:g} "
                          f"SSUs, but it has {int(bad['__m'])} sampled: the population cannot be smaller than the sample")
    g = (population - n_ssu) / population
    lonely = (n_ssu == 1) & (g >= CERTAINTY_TOL)
    if lonely.any() and lonely_psu == "fail":
        bad = cells.loc[lonely].iloc[0]
        raise DesignError(f"PSU {show_value(bad[psu])} has only one sampled SSU, so its second-stage variance cannot "
                          "be estimated; choose lonely_psu='remove', 'certainty' or 'adjust'")
    if lonely.any() and lonely_psu == "average":
        raise DesignError("lonely_psu='average' at the second stage is not available out of core; use "
                          "riset.survey.design.SurveyDesign in memory")
    factor = np.where(g < CERTAINTY_TOL, 0.0, outer * g * np.where(n_ssu > 1, n_ssu / np.maximum(n_ssu - 1, 1), 1.0))
    factor = np.where(lonely & (lonely_psu in ("remove", "certainty")), 0.0, factor)
    q = np.zeros((len(cells), m, m))
    for a, b in pairs:
        q[:, a, b] = q[:, b, a] = cells[f"__q{a}_{b}"].to_numpy(dtype=float)
    return q, factor, n_ssu


def _domains(agg: pd.DataFrame, by_cols: list[str]) -> tuple[np.ndarray, pd.DataFrame, list[Note]]:
    """Domain code of each aggregated cell (-1 for a blank `by` value, with a note) and one row of labels per
    domain."""
    notes: list[Note] = []
    if not by_cols:
        return np.zeros(len(agg), dtype=np.int64), pd.DataFrame(index=[0]), notes
    blank = agg[by_cols].isna().any(axis=1).to_numpy()
    if blank.any():
        notes.append(Note("domain_blank_by", {"n": int(agg.loc[blank, "__n_rows"].sum()), "columns": ", ".join(by_cols)}))
    keys = pd.MultiIndex.from_frame(agg.loc[~blank, by_cols]) if len(by_cols) > 1 else pd.Index(
        agg.loc[~blank, by_cols[0]])
    codes, uniques = pd.factorize(keys, sort=True)
    domain = np.full(len(agg), -1, dtype=np.int64)
    domain[~blank] = codes
    labels = (pd.DataFrame(list(uniques), columns=by_cols) if len(by_cols) > 1
              else pd.DataFrame({by_cols[0]: list(uniques)}))
    return domain, labels, notes


def _replicate_cells(src: Source, sums: list[_Sum], weights, taylor, by, replicates: Replicates) -> _Cells:
    """The sums per domain under the full-sample weight and under every replicate weight column (one GROUP BY),
    checked as `riset.survey.replicate.ReplicateDesign` checks its input."""
    if any(x is not None for x in taylor):
        raise DesignError("a replicate design is described by its replicate weights: give `replicates` without "
                          "strata, psu or fpc")
    if weights is None:
        raise DesignError("replicate weights need the full-sample weight column (`weights`)")
    columns = list(replicates.columns)
    if len(columns) < 2:
        raise DesignError(f"replicates needs at least 2 replicate weight columns; got {len(columns)}")
    scale, rscales = replicate_scales(replicates.type, len(columns), replicates.scale, replicates.rscales)
    by_cols = [by] if isinstance(by, str) else list(by or [])
    _check_columns(src, [weights, *columns, *by_cols, *(s.column for s in sums), *(c for s in sums for c in s.complete)])
    extra = {"__w_min": ("min", weights), "__w_nulls": ("nulls", weights)}
    for r, col in enumerate(columns):
        extra.update({f"__r{r}_min": ("min", col), f"__r{r}_nulls": ("nulls", col)})
    value_cols = [s.name for s in sums if s.weighted]
    per_replicate = [replace(s, name=f"{s.name}__r{r}", weight=col) for r, col in enumerate(columns)
                     for s in sums if s.weighted]
    agg = _aggregate(src, by_cols, [_Sum("__n_rows", weighted=False), *sums, *per_replicate], weights, extra)
    if agg["__w_nulls"].sum() > 0 or (agg["__w_min"] <= 0).any():
        raise DesignError(f"weight column '{weights}' has a blank or a value <= 0; full-sample weights must be > 0")
    for r, col in enumerate(columns):
        if agg[f"__r{r}_nulls"].sum() > 0 or (agg[f"__r{r}_min"] < 0).any():
            raise DesignError(f"replicate weight column '{col}' has a blank or a negative value "
                              f"(smallest {agg[f'__r{r}_min'].min():g}); replicate weights must be numbers >= 0")
    domain, labels, notes = _domains(agg, by_cols)
    rep = np.stack([agg[[f"{name}__r{r}" for name in value_cols]].to_numpy(dtype=float)
                    for r in range(len(columns))], axis=1)  # G x R x m
    n_used, n_rows, answered = _row_counts(agg, sums, domain)
    zeros = np.zeros(len(agg), dtype=np.int64)
    return _Cells(agg[value_cols].to_numpy(dtype=float), n_used, n_rows, domain,
                  zeros, zeros, np.ones(1, dtype=np.int64), np.zeros(1), np.zeros(1, dtype=bool), labels, notes,
                  "fail", answered, (rep, scale, rscales, replicates.mse, replicates.df_or_default()))


def _row_counts(agg: pd.DataFrame, sums: list[_Sum], domain: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per aggregated cell the rows counted in the estimate (complete, `_counts`) and all its rows, and per column
    the rows in a domain that answered it (for the blank messages)."""
    n_rows = agg["__n_rows"].to_numpy(dtype=np.int64)
    n_used = agg["__n_used"].to_numpy(dtype=np.int64) if "__n_used" in agg else n_rows
    answered = {s.complete[0]: int(agg.loc[domain >= 0, s.name].sum()) for s in sums if s.name.startswith("__answered")}
    return n_used, n_rows, answered


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
def _fit(cells: _Cells, g: Callable, jacobian: Callable,
         residual: Callable | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pass 1: domain totals -> estimates; pass 2: PSU scores z_g = J_d S_g -> variances; and df per domain.
    A replicate design re-estimates instead (`_replicate_fit`); calibrated weights take the variances from
    `residual(J)` (`_residual_variance`: the scores' residuals from the calibration model)."""
    if cells.replicate is not None:
        return _replicate_fit(cells, g)
    n_dom = len(cells.labels)
    keep = cells.domain >= 0
    d = cells.domain[keep]
    s = cells.sums[keep]
    totals = np.stack([np.bincount(d, weights=s[:, j], minlength=n_dom) for j in range(s.shape[1])], axis=1)
    est = g(totals)
    jac = jacobian(totals)
    var = _score_variance(cells, jac) if residual is None else residual(jac)
    used = keep & (cells.n_used > 0)
    psus = pd.unique(cells.psu[used] * n_dom + cells.domain[used])  # hash unique: only counted
    strata = pd.unique(cells.stratum[used] * n_dom + cells.domain[used])
    df = (np.bincount(psus % n_dom, minlength=n_dom) - np.bincount(strata % n_dom, minlength=n_dom)).astype(float)
    return est, var, df


def _score_variance(cells: _Cells, jac: np.ndarray) -> np.ndarray:
    """V_d of the module docstring from the cells' PSU scores z_g = J_d S_g (both stages; `jac` D x k x m)."""
    n_dom = len(cells.labels)
    keep = cells.domain >= 0
    d = cells.domain[keep]
    z = linearised_scores(jac, cells.sums[keep], d)
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
    var = contrib.reshape(cells.n_psu.size, n_dom, -1).sum(axis=0)
    if cells.lonely_rule == "average":  # the others' average for the lonely strata: P / (P - L) per domain
        var = var * lonely_average_factor(np.bincount(dom, weights=present, minlength=n_dom),
                                          np.bincount(dom, weights=lonely[:, 0], minlength=n_dom), "average")[:, None]
    if cells.stage2 is not None:
        var = var + _second_stage_variance(cells, jac, n_dom)
    return np.maximum(var, 0.0)


def _second_stage_variance(cells: _Cells, jac: np.ndarray, n_dom: int) -> np.ndarray:
    """V2_d = sum over the PSU cells of domain d of factor * [sum_j z_j^2 - (sum_j z_j)^2 / m], z_j = J_d S_j the
    SSU scores: sum_j z_j^2 = J_d Q J_d' and sum_j z_j = J_d S (the cell's sums); a lonely SSU under 'adjust' is
    centred at zero (as the first stage)."""
    q, factor, n_ssu = cells.stage2
    keep = cells.domain >= 0
    j = jac[cells.domain[keep]]  # G x k x m
    z_sum = np.einsum("gkm,gm->gk", j, cells.sums[keep])
    # a Q of G x m holds only each column's own squares: columns that are scores each (J picks one per score)
    z_sq = np.einsum("gkm,gm->gk", j**2, q[keep]) if q.ndim == 2 else np.einsum("gkm,gmn,gkn->gk", j, q[keep], j)
    centred = np.where((n_ssu[keep] == 1)[:, None], z_sq, z_sq - z_sum**2 / n_ssu[keep][:, None])
    contrib = factor[keep][:, None] * centred
    return np.stack([np.bincount(cells.domain[keep], weights=contrib[:, c], minlength=n_dom)
                     for c in range(contrib.shape[1])], axis=1)


def _residual_variance(src: Source, sums: list[_Sum], cells: _Cells, weights, strata, psu, fpc, by, lonely_psu,
                       ssu, fpc2) -> Callable | None:
    """Calibrated weights (`riset.survey.outofcore_weighting`): the variance of theta_d is the design variance of
    the total of the residual scores (Deville & Sarndal 1992; R `svyrecvar` applying the design's `postStrata`),

        e_i(d, k) = w_i u_i(d, k) - sum_M v_iM b_M,dk[c_M(i)],   u_i(d, k) = J_dk y_i [i in d]

    with c_M(i) the cell of margin M of row i and the carriers v_M and cell constants b_M of the calibration:
    the GREG residual of post-stratification and calibration (v_M = w, sum_M b_M[c_M(i)] = x_i' B with
    B = (X'DX)^+ X'D u, X the cell indicators, D the start weights) or the raking residual (v_M = the weights after
    margin M's step of the last sweep, b_M from ten sweeps of its post-stratification residuals). The b_M come from
    the statistics' sums per domain x cell of the margin variables (one GROUP BY: their X'D y blocks, small).
    The variance is that of a total of e over the whole design, one column per domain x statistic (the domain keeps
    the full design, as R `svyby`). One stage: e's PSU totals are z_hid - sum_M V_M[hi] b_M,dk with z from pass 1
    and V_M[hi, c] = sum of v_M over the PSU's rows in cell c (one GROUP BY per margin): numpy does the rest. A
    second stage needs e's SSU totals, so the engine computes e row by row (`_residual_score`), one column per
    domain x statistic, and runs the two stages' GROUP BYs on them. None for plain weights."""
    if weights is None or isinstance(weights, str):
        return None
    by_cols = _as_list(by) if by is not None else []
    values = [s for s in sums if s.weighted]

    def variance(jac: np.ndarray) -> np.ndarray:
        n_dom, k, _ = jac.shape
        keys = list(dict.fromkeys([*by_cols, *weights.variables]))
        rows = _aggregate(src, keys, values, weights.model_weights, {})
        domain = _domain_codes(rows, cells.labels, by_cols)
        inside = domain >= 0
        scores = np.zeros((len(rows), k))
        sums_rows = rows[[s.name for s in values]].to_numpy(dtype=float)
        scores[inside] = np.einsum("rkm,rm->rk", jac[domain[inside]], sums_rows[inside])
        b = weights.residual_coefficients(rows, domain, scores, n_dom)
        squares = None
        if ssu is not None:
            residuals = [_Sum(f"__e{d}_{j}", expression=functools.partial(_residual_score, weights, b, d, j))
                         for d in range(n_dom) for j in range(k)]
            scored = functools.partial(_scored, weights, values, jac, cells.labels, by_cols)
            squares = _ssu_squares(replace(src, prepare=scored), residuals, cells, ssu)
        return _carrier_variance(replace(src, prepare=weights.attach), weights, cells, jac, b, squares).reshape(n_dom, k)

    return variance


def _carrier_variance(src: Source, weights, cells: _Cells, jac: np.ndarray, b: list[np.ndarray],
                      squares: np.ndarray | None) -> np.ndarray:
    """Variance of the residual totals: per PSU e_hi(d, k) = z_hid,k - sum_M V_M[hi] . b_M[:, d, k] (PSU x (D k),
    numpy), z from the pass-1 cells, V_M from one GROUP BY (strata, PSU, cell of M) of the carrier v_M each; then the
    first-stage variance of each column's total (`_score_variance` with one cell per PSU) and, with the SSUs' sums
    of squares (`_ssu_squares`), the second stage's with the PSUs' factors and SSU counts of pass 1."""
    n_dom, k, _ = jac.shape
    n_units = int(cells.psu.max()) + 1
    keep = cells.domain >= 0
    e = np.zeros((n_units, n_dom * k))
    z = linearised_scores(jac, cells.sums[keep], cells.domain[keep])
    e[cells.psu[keep][:, None], cells.domain[keep][:, None] * k + np.arange(k)] = z  # one cell per PSU x domain
    keys = list(cells.units.columns)
    codes = cells.units.assign(__unit=cells.psu).drop_duplicates(keys)
    for m, bm in enumerate(b):
        cell, carrier = weights.cell(m), weights.carrier(m)
        v = evaluate(src, lambda t: t.group_by([*keys, cell]).aggregate(__v=t[carrier].sum()))
        unit = v[keys].merge(codes, on=keys, how="left")["__unit"].to_numpy(dtype=np.int64)
        carried = sparse.csr_matrix((v["__v"].to_numpy(dtype=float), (unit, v[cell].to_numpy(dtype=np.int64))),
                                    shape=(n_units, bm.shape[0]))
        e -= carried @ bm.reshape(bm.shape[0], n_dom * k)
    stratum = np.zeros(n_units, dtype=np.int64)
    stratum[cells.psu] = cells.stratum
    stage2 = None
    if squares is not None:
        _, factor, n_ssu = cells.stage2
        per_unit = np.zeros(n_units), np.ones(n_units)
        per_unit[0][cells.psu], per_unit[1][cells.psu] = factor, n_ssu  # per PSU: the same in each of its cells
        stage2 = (squares, *per_unit)
    units = replace(cells, sums=e, n_used=np.ones(n_units, dtype=np.int64), n_rows=np.ones(n_units, dtype=np.int64),
                    domain=np.zeros(n_units, dtype=np.int64), stratum=stratum, psu=np.arange(n_units),
                    labels=pd.DataFrame(index=[0]), stage2=stage2, units=None)
    return _score_variance(units, np.eye(n_dom * k)[None])[0]


def _ssu_squares(src: Source, residuals: list[_Sum], cells: _Cells, ssu: str) -> np.ndarray:
    """sum over the SSUs j of each PSU of e_j^2 for every residual column (PSU x columns, in pass 1's PSU codes): a
    GROUP BY (strata, PSU, SSU) of the residual scores computed row by row, then one per PSU of their squares."""
    keys = list(cells.units.columns)

    def build(t):
        inner = _sums_expression(t, [*keys, ssu], residuals, None, {})
        return inner.group_by(keys).aggregate(**{s.name: (inner[s.name] * inner[s.name]).sum() for s in residuals})

    agg = evaluate(src, build)
    codes = cells.units.assign(__unit=cells.psu).drop_duplicates(keys)
    unit = agg[keys].merge(codes, on=keys, how="left")["__unit"].to_numpy(dtype=np.int64)
    out = np.zeros((int(cells.psu.max()) + 1, len(residuals)))
    out[unit] = agg[[s.name for s in residuals]].to_numpy(dtype=float)
    return out


def _domain_codes(rows: pd.DataFrame, labels: pd.DataFrame, by_cols: list[str]) -> np.ndarray:
    """The domain (row of `labels`) of every aggregated row, -1 for a blank `by` value."""
    if not by_cols:
        return np.zeros(len(rows), dtype=np.int64)
    coded = rows[by_cols].merge(labels.assign(__domain=np.arange(len(labels))), on=by_cols, how="left")
    return coded["__domain"].fillna(-1).to_numpy(dtype=np.int64)


#: columns `_scored` adds: each row's domain and its weighted scores w_i u_i(k) in that domain
_DOMAIN, _SCORE = "__riset_domain", "__riset_score{}"


def _scored(weights, values: list[_Sum], jac: np.ndarray, labels: pd.DataFrame, by_cols: list[str], t):
    """The table with the calibrated weights attached, each row's domain code (a CASE over the `by` values; -1 in
    none) and its weighted scores w_i J_d(i),k y_i (the Jacobians looked up by the domain code): computed once per
    row, whatever the number of domains."""
    import ibis

    t = weights.attach(t)
    if by_cols:
        branches = [(functools.reduce(operator.and_, [t[c] == python_value(v) for c, v in row.items()]), d)
                    for d, row in labels[by_cols].iterrows()]
        t = t.mutate(**{_DOMAIN: ibis.cases(*branches, else_=-1)})
    else:
        t = t.mutate(**{_DOMAIN: ibis.literal(0, type="int64")})
    inside, scores = t[_DOMAIN] >= 0, {}
    for j in range(jac.shape[1]):
        terms = []
        for m in np.flatnonzero(jac[:, j].any(axis=0)):
            cond, factor = _row_value(t, values[m])
            term = lookup(t[_DOMAIN], jac[:, j, m]) * (factor if factor is not None else 1.0)
            terms.append(term if cond is None else ibis.ifelse(cond, term, 0.0))
        score = t[weights.column] * functools.reduce(operator.add, terms) if terms else ibis.literal(0.0)
        scores[_SCORE.format(j)] = ibis.ifelse(inside, score, 0.0)
    return t.mutate(**scores)


def _residual_score(weights, b, d: int, j: int, t):
    """e_i(d, k) of `_residual_variance` on the table of `_scored`: the row's score if it is in domain d, minus the
    calibration's term sum_M v_iM b_M,dk[c_M(i)]."""
    import ibis

    return ibis.ifelse(t[_DOMAIN] == d, t[_SCORE.format(j)], 0.0) - weights.correction(t, b, d, j)


def python_value(value):
    """A value of a pandas column as a Python value, for an Ibis literal (numpy scalars -> int, float, ...)."""
    return value.item() if isinstance(value, np.generic) else value


def lookup(code, values: np.ndarray):
    """values[code] on the integer column `code` (>= 0): an array literal of doubles indexed by the code (DuckDB
    ``list_extract(CAST([...] AS DOUBLE[]), code + 1)``, Polars ``list.get``, Spark ``element_at``): one node per
    lookup, where a CASE would need one per value -- and is 10x slower in DuckDB."""
    import ibis

    return ibis.array([ibis.literal(float(v), type="float64") for v in values])[code.cast("int32")]  # Spark: int


def _replicate_fit(cells: _Cells, g: Callable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """theta_d = g(T_d) under the full-sample weights and under each replicate's (T_d^r summed from the cells),
    Var = svrVar of the replicate estimates; df of the design for every domain (as R keeps it for domains)."""
    rep, scale, rscales, mse, df = cells.replicate
    n_dom = len(cells.labels)
    keep = cells.domain >= 0
    member = np.zeros((n_dom, int(keep.sum())))
    member[cells.domain[keep], np.arange(int(keep.sum()))] = 1.0
    est = g(member @ cells.sums[keep])
    rep_est = g(np.einsum("dg,grm->drm", member, rep[keep]))  # D x R x k
    var = replicate_variance(est, np.moveaxis(rep_est, 1, -1), scale, rscales, mse)
    return est, var, np.full(n_dom, float(df))


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
         strata: str | Sequence[str] | None = None, psu: str | None = None, fpc: str | None = None,
         by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
         lonely_psu: str = "fail", replicates: Replicates | None = None,
         ssu: str | None = None, fpc2: str | None = None) -> pd.DataFrame:
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
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu, replicates, ssu, fpc2)
    _blank_check(cells, cols, na_rm)
    est, var, df = _fit(cells, mean_totals, mean_jacobian,
                        _residual_variance(src, sums, cells, weights, strata, psu, fpc, by, lonely_psu, ssu, fpc2))
    return _table(cells, est, var, df, cols, "variable", level)


def total(src: Source, variables: str | Sequence[str], *, weights: str | None = None,
          strata: str | Sequence[str] | None = None, psu: str | None = None, fpc: str | None = None,
          by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
          lonely_psu: str = "fail", replicates: Replicates | None = None,
         ssu: str | None = None, fpc2: str | None = None) -> pd.DataFrame:
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
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu, replicates, ssu, fpc2)
    _blank_check(cells, cols, na_rm)
    est, var, df = _fit(cells, total_totals, total_jacobian,
                        _residual_variance(src, sums, cells, weights, strata, psu, fpc, by, lonely_psu, ssu, fpc2))
    return _table(cells, est, var, df, cols, "variable", level)


def ratio(src: Source, numerator: str, denominator: str, *, weights: str | None = None,
          strata: str | Sequence[str] | None = None, psu: str | None = None, fpc: str | None = None,
          by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
          lonely_psu: str = "fail", replicates: Replicates | None = None,
         ssu: str | None = None, fpc2: str | None = None) -> pd.DataFrame:
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
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu, replicates, ssu, fpc2)
    _blank_check(cells, list(complete), na_rm)
    est, var, df = _fit(cells, ratio_totals, ratio_jacobian,
                        _residual_variance(src, sums, cells, weights, strata, psu, fpc, by, lonely_psu, ssu, fpc2))
    return _table(cells, est, var, df, [f"{numerator}/{denominator}"], "variable", level)


def proportion(src: Source, variable: str, *, weights: str | None = None,
               strata: str | Sequence[str] | None = None, psu: str | None = None, fpc: str | None = None,
               by: str | Sequence[str] | None = None, na_rm: bool = False, level: float = 0.95,
               lonely_psu: str = "fail", replicates: Replicates | None = None,
         ssu: str | None = None, fpc2: str | None = None) -> pd.DataFrame:
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
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu, replicates, ssu, fpc2)
    _blank_check(cells, [variable], na_rm)
    est, var, df = _fit(cells, mean_totals, mean_jacobian,
                        _residual_variance(src, sums, cells, weights, strata, psu, fpc, by, lonely_psu, ssu, fpc2))
    table = _table(cells, est, var, df, [str(c) for c in categories], "category", level)
    table.insert(len(cells.labels.columns), "variable", variable)
    return table


def mean_of_means(src: Source, columns: Sequence[str], *, weights: str | None = None,
                  strata: str | Sequence[str] | None = None, psu: str | None = None, fpc: str | None = None,
                  by: str | Sequence[str] | None = None, level: float = 0.95, lonely_psu: str = "fail",
                  replicates: Replicates | None = None,
         ssu: str | None = None, fpc2: str | None = None) -> pd.DataFrame:
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
    cells = _cells(src, sums, weights, strata, psu, fpc, by, lonely_psu, replicates, ssu, fpc2)
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
    est, var, df = _fit(cells, g, jacobian,
                        _residual_variance(src, sums, cells, weights, strata, psu, fpc, by, lonely_psu, ssu, fpc2))
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
