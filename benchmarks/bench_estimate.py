"""Benchmark (a): design-based means of the 9 unsur and proportions of U1's categories in 50 domains, Taylor SEs.

Design: stratified (100 strata), clustered (PSU = service day, ~20 respondents), FPC at the first stage
(number of PSUs in the stratum), unequal weights; n = 10^4, 10^5, 10^6 respondents, seeded
(`_common.synthetic_survey`). Tools, each in a fresh process so memory is its own:

- riset  : ``SurveyDesign(...)`` + ``mean(d, U1..U9, by="domain")`` + ``proportion(d, "U1", by="domain")``
- svy    : ``svy.Sample(polars_frame, svy.Design(...))`` + ``estimation.mean([...], by=)`` + ``estimation.prop``
- R      : ``svydesign(...)`` + ``svyby(~U1+...+U9, ~domain, des, svymean)`` + ``svyby(~factor(U1), ...)``
- riset.survey.outofcore (DuckDB): the out-of-core path on the same rows, from an in-memory DuckDB table.

Timed: design construction + the estimates (the same work in every tool), best of 3 runs (1 run at 10^6).
NOT timed: generating the data, converting it to the tool's format (pandas -> Polars/DuckDB), R's CSV read.
Memory: peak resident memory above the loaded data during the timed runs (`_common.measure`).
Agreement: estimates and SEs of every tool against R survey (max relative difference).

Run: ``.venv/bin/python benchmarks/bench_estimate.py [--sizes 10000 100000 1000000]``
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

SCRIPT = Path(__file__).resolve()
DESIGN = {"strata": "strata", "psu": "psu", "fpc": "fpc", "weights": "w"}


def _tidy(domain, variable, estimate, se) -> pd.DataFrame:
    return pd.DataFrame({"domain": np.asarray(domain, dtype=str), "variable": np.asarray(variable, dtype=str),
                         "estimate": np.asarray(estimate, float), "se": np.asarray(se, float)})


def _riset(df):
    from riset.survey.design import SurveyDesign
    from riset.survey.estimate import mean, proportion

    d = SurveyDesign(df, weights="w", strata="strata", psu="psu", fpc="fpc")
    m = mean(d, C.UNSUR, by="domain").table
    p = proportion(d, "U1", by="domain").table
    return pd.concat([_tidy(m["domain"], m["variable"], m["estimate"], m["se"]),
                      _tidy(p["domain"], "U1=" + p["category"].astype(float).astype(int).astype(str),
                            p["estimate"], p["se"])])


def _svy(frame):
    import svy

    sample = svy.Sample(frame, svy.Design(stratum="strata", psu="psu", wgt="w", pop_size="fpc"))
    means = sample.estimation.mean(C.UNSUR, by="domain")
    prop = sample.estimation.prop("U1", by="domain")
    return means, prop


def _svy_tidy(result) -> pd.DataFrame:
    means, prop = result
    parts = []
    for col, res in zip(C.UNSUR, means):
        t = res.to_polars()
        parts.append(_tidy(t["domain"].to_numpy(), col, t["est"].to_numpy(), t["se"].to_numpy()))
    t = prop.to_polars()
    parts.append(_tidy(t["domain"].to_numpy(), ["U1=" + str(int(v)) for v in t["U1"].to_numpy()],
                       t["est"].to_numpy(), t["se"].to_numpy()))
    return pd.concat(parts)


def _scale(con):
    from riset.survey import outofcore as scale

    src = scale.source(con, table="survey")
    m = scale.mean(src, C.UNSUR, by="domain", **DESIGN)
    p = scale.proportion(src, "U1", by="domain", **DESIGN)
    return pd.concat([_tidy(m["domain"], m["variable"], m["estimate"], m["se"]),
                      _tidy(p["domain"], "U1=" + p["category"].astype(float).astype(int).astype(str),
                            p["estimate"], p["se"])])


def worker(tool: str, n: int, out: str) -> None:
    # import before measuring: neither the time nor the memory of imports belongs to the estimation
    modules = {"riset": ["riset.survey.design", "riset.survey.estimate"], "svy": ["svy", "polars"],
               "scale": ["riset.survey.outofcore", "duckdb", "polars"]}
    for name in modules.get(tool, []):
        importlib.import_module(name)
    df = C.synthetic_survey(n)
    repeat = C.repeats_for(n)
    if tool == "riset":
        res = C.measure(lambda: df, _riset, repeat)
        tidy = res["result"]
    elif tool == "svy":
        import polars as pl

        res = C.measure(lambda: pl.from_pandas(df), _svy, repeat)
        tidy = _svy_tidy(res["result"])
    elif tool == "scale":
        res = C.measure(lambda: C.duckdb_table(df, "survey"), _scale, repeat)
        tidy = res["result"]
    else:
        raise SystemExit(f"unknown tool {tool}")
    tidy.to_csv(f"{out}_{tool}.csv", index=False)
    C.report({"seconds": res["seconds"], "peak_mib": res["peak_mib"], "data_mib": C.frame_bytes(df) / 2**20})


def _compare(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, float, int]:
    j = a.merge(b, on=["domain", "variable"], suffixes=("", "_ref"))
    return (C.max_rel_diff(j["estimate"], j["estimate_ref"]), C.max_rel_diff(j["se"], j["se_ref"]), len(j))


def main(sizes) -> None:
    print("# bench_estimate: 9 unsur means + U1 proportions by 50 domains, Taylor SE, strata/PSU/FPC")
    print("machine:", C.machine())
    print("versions:", C.versions("riset", "numpy", "pandas", "scipy", "svy", "svy-rs", "polars", "duckdb"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            out = str(Path(tmp) / f"n{n}")
            df = C.synthetic_survey(n)
            df.to_csv(f"{out}.csv", index=False)
            data_mib = C.frame_bytes(df) / 2**20
            del df
            timing = {}
            for tool in ("riset", "scale", "svy"):
                timing[tool] = C.run_worker(SCRIPT, tool, n, out)
                r = timing[tool]
                print(f"  n={n:>8,} {tool:6s} {r['seconds']:8.3f} s  peak +{r['peak_mib']:7.1f} MiB", flush=True)
            timing["R"] = C.run_r("bench_estimate.R", f"{out}.csv", out, C.repeats_for(n))
            print(f"  n={n:>8,} R      {timing['R']['seconds']:8.3f} s  peak +{timing['R']['peak_mib']:7.1f} MiB",
                  flush=True)
            ref = pd.read_csv(f"{out}_R.csv", dtype={"domain": str})
            agree = {t: _compare(pd.read_csv(f"{out}_{t}.csv", dtype={"domain": str}), ref)
                     for t in ("riset", "scale", "svy")}
            rows.append((n, data_mib, timing, agree))
    print()
    print("| n | data MiB | riset s | riset.survey.outofcore (DuckDB) s | svy s | R survey s | riset/svy | R/riset "
          "| riset peak / data | svy peak / data | R peak / data |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, data_mib, t, _ in rows:
        s = {k: v["seconds"] for k, v in t.items()}
        print(f"| {n:,} | {data_mib:.0f} | {s['riset']:.3f} | {s['scale']:.3f} | {s['svy']:.3f} | {s['R']:.3f} "
              f"| {s['riset'] / s['svy']:.3f} | {s['R'] / s['riset']:.1f} | {t['riset']['peak_mib'] / data_mib:.2f} "
              f"| {t['svy']['peak_mib'] / data_mib:.2f} | {t['R']['peak_mib'] / data_mib:.2f} |")
    print()
    print("Agreement with R survey (max relative difference over all domain x variable cells):")
    print("| n | cells | riset est | riset SE | riset.survey.outofcore est | riset.survey.outofcore SE | svy est | svy SE |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, _, _, a in rows:
        print(f"| {n:,} | {a['riset'][2]} | {a['riset'][0]:.1e} | {a['riset'][1]:.1e} | {a['scale'][0]:.1e} "
              f"| {a['scale'][1]:.1e} | {a['svy'][0]:.1e} | {a['svy'][1]:.1e} |")
    base = rows[0]
    print()
    print("Growth (riset seconds per 10^5 respondents):",
          ", ".join(f"n={n:,}: {t['riset']['seconds'] / n * 1e5:.3f}" for n, _, t, _ in rows),
          f"(first size {base[0]:,} includes fixed overhead)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "N", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.worker[2])
    else:
        main(args.sizes)
