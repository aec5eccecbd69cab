"""Benchmark (c): 200 Rao-Wu bootstrap replicates on 10^5 rows, then 9 unsur means by 50 domains with replicate SEs.

Same seeded stratified cluster sample as bench_estimate, without the FPC (so every tool does the same
Rao-Wu rescaling bootstrap with m_h = n_h - 1 draws: riset ``as_replicate(type="bootstrap")``, svy
``create_bs_wgts``, R ``as.svrepdesign(type = "subbootstrap")``). Timed: (A) making the replicate weights,
(B) the 450 means with replicate SEs. Not timed: the linearization design / Sample / svydesign, data
generation, conversion, R's CSV read.

Agreement: the replicates are random draws of each tool's own generator, so bootstrap SEs cannot agree to
1e-6 across tools; estimates must (same weights), and each tool's bootstrap SE is compared with riset's
Taylor SE of the same cell (checked against R in bench_estimate): the ratio should scatter around 1 with
the bootstrap's own noise, about sqrt(1/(2*200)) = 5% per cell.

Run: ``.venv/bin/python benchmarks/bench_bootstrap.py [--n 100000 --replicates 200]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

SCRIPT = Path(__file__).resolve()
SEED = 2026


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def worker(tool: str, n: int, out: str, replicates: int) -> None:
    df = C.synthetic_survey(n)
    if tool == "riset":
        from riset.survey.design import SurveyDesign
        from riset.survey.estimate import mean
        from riset.survey.replicate import as_replicate

        def run(d):
            t_make, rep = _timed(lambda: as_replicate(d, type="bootstrap", replicates=replicates, seed=SEED))
            t_est, res = _timed(lambda: mean(rep, C.UNSUR, by="domain").table)
            return t_make, t_est, res

        res = C.measure(lambda: SurveyDesign(df, weights="w", strata="strata", psu="psu"), run, 1)
        t_make, t_est, table = res["result"]
        table = table[["domain", "variable", "estimate", "se"]]
        taylor = mean(SurveyDesign(df, weights="w", strata="strata", psu="psu"), C.UNSUR, by="domain").table
        table = table.assign(se_taylor=taylor["se"].to_numpy())
    elif tool == "svy":
        import polars as pl
        import svy

        def run(sample):
            t_make, rep = _timed(lambda: sample.weighting.create_bs_wgts(n_reps=replicates, rstate=SEED))
            t_est, res = _timed(lambda: rep.estimation.mean(C.UNSUR, by="domain", method="replication"))
            return t_make, t_est, res

        res = C.measure(lambda: svy.Sample(pl.from_pandas(df), svy.Design(stratum="strata", psu="psu", wgt="w")),
                        run, 1)
        t_make, t_est, results = res["result"]
        parts = []
        for col, r in zip(C.UNSUR, results):
            t = r.to_polars()
            parts.append(pd.DataFrame({"domain": t["domain"].to_numpy(), "variable": col,
                                       "estimate": t["est"].to_numpy(), "se": t["se"].to_numpy()}))
        table = pd.concat(parts)
    else:
        raise SystemExit(f"unknown tool {tool}")
    table.to_csv(f"{out}_{tool}.csv", index=False)
    C.report({"make_seconds": t_make, "est_seconds": t_est, "peak_mib": res["peak_mib"],
              "data_mib": C.frame_bytes(df) / 2**20})


def main(n: int, replicates: int) -> None:
    print(f"# bench_bootstrap: {replicates} Rao-Wu bootstrap replicates on {n:,} rows, 9 means x 50 domains")
    print("machine:", C.machine())
    print("versions:", C.versions("riset", "numpy", "pandas", "scipy", "svy", "svy-rs", "polars"))
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / f"n{n}")
        df = C.synthetic_survey(n)
        df.to_csv(f"{out}.csv", index=False)
        data_mib = C.frame_bytes(df) / 2**20
        del df
        t = {tool: C.run_worker(SCRIPT, tool, n, out, replicates) for tool in ("riset", "svy")}
        t["R"] = C.run_r("bench_bootstrap.R", f"{out}.csv", out, replicates)
        tables = {tool: pd.read_csv(f"{out}_{tool}.csv", dtype={"domain": str}) for tool in ("riset", "svy", "R")}
    print()
    print("| tool | make replicates s | 450 means + SE s | total s | peak / data |")
    print("|---|---:|---:|---:|---:|")
    tot = {}
    for tool, r in t.items():
        tot[tool] = r["make_seconds"] + r["est_seconds"]
        print(f"| {tool} | {r['make_seconds']:.3f} | {r['est_seconds']:.3f} | {tot[tool]:.3f} | "
              f"{r['peak_mib'] / data_mib:.2f} |")
    print()
    print(f"Ratios (same run): riset/svy {tot['riset'] / tot['svy']:.3f}, R/riset {tot['R'] / tot['riset']:.1f}")
    taylor = tables["riset"][["domain", "variable", "estimate", "se_taylor"]]
    print("Agreement:")
    for tool in ("riset", "svy", "R"):
        j = tables[tool].merge(taylor, on=["domain", "variable"], suffixes=("", "_ref"))
        ratio = j["se"] / j["se_taylor"]
        print(f"  {tool:5s} estimates vs riset {C.max_rel_diff(j['estimate'], j['estimate_ref']):.1e}; bootstrap SE / "
              f"Taylor SE: median {ratio.median():.3f}, 5%-95% {ratio.quantile(0.05):.3f}-{ratio.quantile(0.95):.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--worker", nargs=4, metavar=("TOOL", "N", "OUT", "REPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.worker[2], int(args.worker[3]))
    else:
        main(args.n, args.replicates)
