"""Benchmark (b): raking to 3 margins (jenis kelamin x 2, kelompok umur x 5, pendidikan x 5) on 10^6 rows.

Same seeded stratified cluster sample as bench_estimate (`_common.synthetic_survey`); population margins
are fixed shares times the sum of the design weights. Each tool in a fresh process:

- riset     : ``weighting.rake(design, margins, epsilon=1e-9)`` then ``mean(raked, U1..U9)`` with
              calibration-aware SEs (the raking residuals enter the variance, as R svyrecvar)
- svy       : ``sample.weighting.rake(controls=..., tol=1e-9)`` then ``estimation.mean([...])``
- weightipy : ``weight_dataframe(df, scheme)`` (weights only; it starts every row at weight 1 -- it has no
              design weights -- so its weights are compared with riset raking an unweighted design)
- R survey  : ``rake(des, ..., control = list(epsilon = 1e-9))`` then ``svymean`` (calibration-aware)

Timed: (A) the raking, (B) the 9 means with SEs on the raked design. Not timed: building the design
object / Sample / R svydesign, data generation, format conversion, R's CSV read.
Agreement: raked weights (max relative difference) and means/SEs against R.

Run: ``.venv/bin/python benchmarks/bench_rake.py [--n 1000000]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

SCRIPT = Path(__file__).resolve()
SHARES = {
    "jenis_kelamin": {"Laki-laki": 0.49, "Perempuan": 0.51},
    "kelompok_umur": {"17-24": 0.18, "25-34": 0.24, "35-44": 0.22, "45-54": 0.20, "55+": 0.16},
    "pendidikan": {"SD": 0.25, "SMP": 0.22, "SMA": 0.30, "D3": 0.08, "S1": 0.15},
}
EPSILON = 1e-9


def counts(total: float) -> dict:
    return {var: {cat: share * total for cat, share in cats.items()} for var, cats in SHARES.items()}


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def worker(tool: str, n: int, out: str) -> None:
    df = C.synthetic_survey(n)
    pop = counts(float(df["w"].sum()))
    extra = {}
    if tool == "riset":
        from riset.survey import estimate, weighting
        from riset.survey.design import SurveyDesign

        margins = [pd.Series(c).rename_axis(v) for v, c in pop.items()]

        def run(d):
            t_rake, raked = _timed(lambda: weighting.rake(d, margins, epsilon=EPSILON, maxit=100))
            t_se, res = _timed(lambda: estimate.mean(raked, C.UNSUR))
            return t_rake, t_se, raked, res

        res = C.measure(lambda: SurveyDesign(df, weights="w", strata="strata", psu="psu", fpc="fpc"), run, 1)
        t_rake, t_se, raked, est = res["result"]
        # the same weights treated as fixed (no calibration residuals): what a tool without them reports
        fixed_design = SurveyDesign(df.assign(w=raked.weights), weights="w", strata="strata", psu="psu", fpc="fpc")
        extra["fixed_se_seconds"], fixed = _timed(lambda: estimate.mean(fixed_design, C.UNSUR).table)
        table = est.table[["variable", "estimate", "se"]].assign(se_fixed=fixed["se"].to_numpy())
        weights = raked.weights
    elif tool == "svy":
        import polars as pl
        import svy

        def setup():
            return svy.Sample(pl.from_pandas(df), svy.Design(stratum="strata", psu="psu", wgt="w", pop_size="fpc"))

        def run(sample):
            t_rake, raked = _timed(lambda: sample.weighting.rake(controls=pop, wgt_name="rk_wgt", tol=EPSILON,
                                                                 max_iter=100))
            t_se, res = _timed(lambda: raked.estimation.mean(C.UNSUR))
            return t_rake, t_se, raked, res

        res = C.measure(setup, run, 1)
        t_rake, t_se, raked, est = res["result"]
        rows = [(col, *r.to_polars().select(["est", "se"]).row(0)) for col, r in zip(C.UNSUR, est)]
        table = pd.DataFrame(rows, columns=["variable", "estimate", "se"])
        weights = raked.data["rk_wgt"].to_numpy()
    elif tool == "weightipy":
        import weightipy as wp

        scheme = wp.scheme_from_dict({v: {c: 100 * s for c, s in cats.items()} for v, cats in SHARES.items()},
                                     name="bench", rim_params={"convcrit": EPSILON, "max_iterations": 100})
        res = C.measure(lambda: df[list(SHARES)].copy(), lambda frame: _timed(
            lambda: wp.weight_dataframe(frame, scheme, weight_column="wp")), 1)
        t_rake, weighted = res["result"]
        t_se = float("nan")
        weights = weighted["wp"].to_numpy()
        # reference: riset raking the same rows from weight 1 (weightipy has no design weights)
        from riset.survey import weighting
        from riset.survey.design import SurveyDesign

        ones = SurveyDesign(df[list(SHARES)])
        ref = weighting.rake(ones, [pd.Series(c).rename_axis(v) for v, c in counts(float(n)).items()],
                             epsilon=EPSILON, maxit=100).weights
        extra["vs_riset_unweighted"] = C.max_rel_diff(weights / weights.sum(), ref / ref.sum())
        table = None
    else:
        raise SystemExit(f"unknown tool {tool}")
    np.save(f"{out}_{tool}_weights.npy", np.asarray(weights, dtype=float))
    if table is not None:
        table.to_csv(f"{out}_{tool}.csv", index=False)
    C.report({"rake_seconds": t_rake, "se_seconds": t_se, "peak_mib": res["peak_mib"],
              "data_mib": C.frame_bytes(df) / 2**20, **extra})


def main(n: int) -> None:
    print(f"# bench_rake: raking to 3 margins on {n:,} rows, then 9 means with SEs")
    print("machine:", C.machine())
    print("versions:", C.versions("riset", "numpy", "pandas", "svy", "svy-rs", "polars", "weightipy"))
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / f"n{n}")
        df = C.synthetic_survey(n)
        df.to_csv(f"{out}.csv", index=False)
        pop = counts(float(df["w"].sum()))
        pd.DataFrame([(v, c, x) for v, cats in pop.items() for c, x in cats.items()],
                     columns=["variable", "category", "count"]).to_csv(f"{out}_margins.csv", index=False)
        data_mib = C.frame_bytes(df) / 2**20
        del df
        t = {}
        for tool in ("riset", "svy", "weightipy"):
            t[tool] = C.run_worker(SCRIPT, tool, n, out)
            print(f"  {tool:9s} rake {t[tool]['rake_seconds']:8.3f} s  SEs {t[tool]['se_seconds']:8.3f} s  "
                  f"peak +{t[tool]['peak_mib']:7.1f} MiB", flush=True)
        t["R"] = C.run_r("bench_rake.R", f"{out}.csv", f"{out}_margins.csv", out)
        print(f"  {'R':9s} rake {t['R']['rake_seconds']:8.3f} s  SEs {t['R']['se_seconds']:8.3f} s  "
              f"peak +{t['R']['peak_mib']:7.1f} MiB", flush=True)
        w_ref = pd.read_csv(f"{out}_R_weights.csv")["w"].to_numpy()
        ref = pd.read_csv(f"{out}_R.csv")
        riset = pd.read_csv(f"{out}_riset.csv")
        svy_t = pd.read_csv(f"{out}_svy.csv")
        w = {tool: np.load(f"{out}_{tool}_weights.npy") for tool in ("riset", "svy")}
    print()
    print("| tool | rake s | 9 means + SE s | total s | peak / data | SE kind |")
    print("|---|---:|---:|---:|---:|---|")
    kinds = {"riset": "calibration-aware (raking residuals)", "svy": "as svy reports (see agreement)",
             "weightipy": "none (weights only)", "R": "calibration-aware (svyrecvar)"}
    for tool, r in t.items():
        total = r["rake_seconds"] + (0 if np.isnan(r["se_seconds"]) else r["se_seconds"])
        print(f"| {tool} | {r['rake_seconds']:.3f} | {r['se_seconds']:.3f} | {total:.3f} | "
              f"{r['peak_mib'] / data_mib:.2f} | {kinds[tool]} |")
    print(f"| riset, raked weights held fixed (svy's method) | - | {t['riset']['fixed_se_seconds']:.3f} | - | - "
          "| fixed-weight (no calibration residuals) |")
    tot = {k: v["rake_seconds"] + (0 if np.isnan(v["se_seconds"]) else v["se_seconds"]) for k, v in t.items()}
    print()
    print(f"Ratios (same run): riset/svy rake {t['riset']['rake_seconds'] / t['svy']['rake_seconds']:.3f}, "
          f"riset/svy rake+SE {tot['riset'] / tot['svy']:.3f}, "
          f"riset/weightipy rake {t['riset']['rake_seconds'] / t['weightipy']['rake_seconds']:.3f}, "
          f"R/riset rake+SE {tot['R'] / tot['riset']:.1f}; same SE method as svy (fixed weights): riset/svy "
          f"{(t['riset']['rake_seconds'] + t['riset']['fixed_se_seconds']) / tot['svy']:.3f}")
    print()
    print("Agreement (max relative difference):")
    print(f"  weights  riset vs R {C.max_rel_diff(w['riset'], w_ref):.1e}; "
          f"svy vs R {C.max_rel_diff(w['svy'], w_ref):.1e}; "
          f"weightipy vs riset raking from weight 1 (normalised) {t['weightipy']['vs_riset_unweighted']:.1e}")
    m = riset.merge(ref, on="variable", suffixes=("", "_R"))
    s = svy_t.merge(ref, on="variable", suffixes=("", "_R")).merge(riset[["variable", "se_fixed"]], on="variable")
    print(f"  means    riset vs R {C.max_rel_diff(m['estimate'], m['estimate_R']):.1e}; "
          f"svy vs R {C.max_rel_diff(s['estimate'], s['estimate_R']):.1e}")
    print(f"  SEs      riset (calibration-aware) vs R {C.max_rel_diff(m['se'], m['se_R']):.1e}; "
          f"svy vs R {C.max_rel_diff(s['se'], s['se_R']):.1e}; svy vs riset with the raked weights held fixed "
          f"{C.max_rel_diff(s['se'], s['se_fixed']):.1e}")
    print(f"  calibration-aware SE / fixed-weight SE (riset): "
          f"{', '.join(f'{v}: {a / b:.3f}' for v, a, b in zip(m['variable'], m['se'], m['se_fixed']))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "N", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.worker[2])
    else:
        main(args.n)
