"""Benchmark (d): IKM per unit layanan with design-based SE for 500 units (PermenPAN-RB 14/2017).

Seeded sample (`_common.synthetic_survey` with 500 strata = 500 units, 10 service days (PSU) per unit,
~20 respondents per day, FPC = service days in the period; 10^5 respondents by default). Each tool in a
fresh process:

- riset            : ``ikm_design(SurveyDesign(...), unsur, by="unit")`` -- IKM, konversi, NRR per unsur,
                     SEs, CIs, mutu and P(mutu beda) for every unit
- riset.survey.outofcore      : ``ikm_outofcore(source(duckdb_con, "skm"), unsur, by="unit", ...)`` (riset.skm.ikm_design) (out of core)
- riset.skm.ikm (no SE): ``ikm(df, unsur, by="unit", weights="w")`` -- the point estimates only, for scale
- svy / R survey   : mean of each respondent's average of the 9 unsur by unit (equal to the IKM when no
                     answer is blank, which holds for this data), ``estimation.mean(by=)`` / ``svyby``

Timed: design construction + estimation; not timed: data generation, conversion, R's CSV read.
Agreement: IKM and its SE against R survey.

Run: ``.venv/bin/python benchmarks/bench_ikm.py [--units 500 --n 100000]``
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


def data(n: int, units: int) -> pd.DataFrame:
    df = C.synthetic_survey(n, n_strata=units)
    df["unit"] = [f"UL{h:04d}" for h in df["strata"]]
    return df


def mapping() -> dict:
    from riset.skm.schemes import UNSUR_2017

    return {col: u.key for col, u in zip(C.UNSUR, UNSUR_2017)}


def worker(tool: str, n: int, units: int, out: str) -> None:
    modules = {"riset": ["riset.skm.ikm_design", "riset.survey.design"], "scale": ["riset.survey.outofcore", "riset.skm.ikm_design", "duckdb"],
               "ikm": ["riset.skm.ikm"], "svy": ["svy", "polars"]}
    for name in modules[tool]:
        importlib.import_module(name)
    df = data(n, units)
    repeat = 3
    if tool == "riset":
        from riset.survey.design import SurveyDesign
        from riset.skm.ikm_design import ikm_design

        def run(frame):
            d = SurveyDesign(frame, weights="w", strata="strata", psu="psu", fpc="fpc")
            return ikm_design(d, mapping(), by="unit").table

        res = C.measure(lambda: df, run, repeat)
        table = res["result"][["unit", "ikm", "ikm_se"]]
    elif tool == "scale":
        from riset.skm.ikm_design import ikm_outofcore
        from riset.survey import outofcore as scale

        res = C.measure(lambda: C.duckdb_table(df, "skm"),
                        lambda con: ikm_outofcore(scale.source(con, "skm"), mapping(), by="unit", weights="w",
                                                  strata="strata", psu="psu", fpc="fpc"), repeat)
        table = res["result"][["unit", "ikm", "ikm_se"]]
    elif tool == "ikm":
        from riset.skm.ikm import ikm

        res = C.measure(lambda: df, lambda frame: ikm(frame, mapping(), by="unit", weights="w").table, repeat)
        table = res["result"][["unit", "ikm"]].assign(ikm_se=np.nan)
    elif tool == "svy":
        import polars as pl
        import svy

        def setup():
            return pl.from_pandas(df.assign(ikm_i=df[C.UNSUR].mean(axis=1)))

        def run(frame):
            sample = svy.Sample(frame, svy.Design(stratum="strata", psu="psu", wgt="w", pop_size="fpc"))
            return sample.estimation.mean("ikm_i", by="unit")

        res = C.measure(setup, run, repeat)
        t = res["result"].to_polars()
        table = pd.DataFrame({"unit": t["unit"].to_numpy(), "ikm": t["est"].to_numpy(), "ikm_se": t["se"].to_numpy()})
    else:
        raise SystemExit(f"unknown tool {tool}")
    table.to_csv(f"{out}_{tool}.csv", index=False)
    C.report({"seconds": res["seconds"], "peak_mib": res["peak_mib"], "data_mib": C.frame_bytes(df) / 2**20})


def main(n: int, units: int) -> None:
    print(f"# bench_ikm: IKM with design SE for {units} units, {n:,} respondents")
    print("machine:", C.machine())
    print("versions:", C.versions("riset", "numpy", "pandas", "duckdb", "svy", "svy-rs", "polars"))
    tools = ("riset", "scale", "ikm", "svy")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / f"n{n}")
        df = data(n, units)
        df.to_csv(f"{out}.csv", index=False)
        data_mib = C.frame_bytes(df) / 2**20
        del df
        t = {tool: C.run_worker(SCRIPT, tool, n, units, out) for tool in tools}
        t["R"] = C.run_r("bench_ikm.R", f"{out}.csv", out)
        tables = {tool: pd.read_csv(f"{out}_{tool}.csv") for tool in (*tools, "R")}
    names = {"riset": "riset ikm_design (IKM+NRR, SE, CI, mutu, P)", "scale": "riset.scale.ikm (DuckDB)",
             "ikm": "riset.ikm.ikm (point only)", "svy": "svy mean by unit", "R": "R svyby svymean"}
    print()
    print("| tool | s | peak / data | IKM vs R | SE vs R |")
    print("|---|---:|---:|---:|---:|")
    ref = tables["R"]
    for tool, r in t.items():
        j = tables[tool].merge(ref, on="unit", suffixes=("", "_R"))
        se = "-" if j["ikm_se"].isna().all() else f"{C.max_rel_diff(j['ikm_se'], j['ikm_se_R']):.1e}"
        print(f"| {names[tool]} | {r['seconds']:.3f} | {r['peak_mib'] / data_mib:.2f} | "
              f"{C.max_rel_diff(j['ikm'], j['ikm_R']):.1e} | {se} |")
    print()
    print(f"Ratios (same run): riset/svy {t['riset']['seconds'] / t['svy']['seconds']:.3f}, "
          f"R/riset {t['R']['seconds'] / t['riset']['seconds']:.1f}, units compared: {len(ref)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--worker", nargs=4, metavar=("TOOL", "N", "UNITS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]), args.worker[3])
    else:
        main(args.n, args.units)
