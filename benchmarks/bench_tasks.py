"""Benchmark (e): the tasks a user starts with, each building its own design, riset against svy and R survey.

Design (issue 20): n respondents (10^6 by default), 300 strata, PSUs of ~125 respondents (8,000 at 10^6), FPC,
unequal weights, 40 regions (`_common.synthetic_survey(n, n_strata=300, n_domains=40, psu_size=125)`).
Tasks, each timed from the data frame to the result (the design object is built inside the task):

- build  : the design object alone (riset `SurveyDesign`, svy `Sample`, R `svydesign`)
- means  : 9 means of the whole population with SEs (riset with its default design effect)
- ratio  : one ratio U1/U2 with its SE
- lm     : linear model U1 ~ U2 + ... + U6 + kelompok_umur (5 numeric predictors and a 5-level text factor)
- rake   : raking to 3 margins, then the 9 means with calibration-aware SEs (svy: its own SEs)

Each (tool, task) runs in a **fresh process** (imports before timing), which times the task's *first* call and
then a *second* call in the same process; rounds are interleaved (riset, svy, riset, svy, ...) and the median
over rounds is reported, so both tools see the same machine load. Peak memory: resident memory above the
loaded data during both calls (`_common.measure`). Agreement: every estimate and SE against R survey (max
relative difference).

Growth (`--growth`): riset alone at 10^5, 10^6 and 10^7 rows for means, domain means (9 means x 40 regions),
ratio, rake and the linear model: seconds per 10^5 rows (first call, fresh process) and peak memory / frame.

First call (`--first-call`): riset's first and second call of each task in fresh processes, cold and after
512 MiB were written and freed just before the first call (this VM hands memory left free for ~2 s back to the
host; touching it again costs ~2 ms/MiB): equal warm calls show the cold first call's extra time is that.

Run: ``.venv/bin/python benchmarks/bench_tasks.py [--n 1000000] [--rounds 3]``, ``... --first-call``,
``.venv/bin/python benchmarks/bench_tasks.py --growth [--sizes 100000 1000000 10000000]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402
from bench_rake import EPSILON, counts  # noqa: E402

SCRIPT = Path(__file__).resolve()
TASKS = ("build", "means", "ratio", "lm", "rake")
GROWTH_TASKS = ("means", "domains", "ratio", "rake", "lm")
PREDICTORS = ["U2", "U3", "U4", "U5", "U6"]
FORMULA = "U1 ~ " + " + ".join(PREDICTORS) + " + kelompok_umur"


def survey(n: int) -> pd.DataFrame:
    """The issue's design: 300 strata, PSUs of ~125 respondents, FPC, unequal weights, 40 regions."""
    return C.synthetic_survey(n, n_strata=300, n_domains=40, psu_size=125)


def _tidy(names, estimates, ses) -> pd.DataFrame:
    return pd.DataFrame({"name": [str(x) for x in names], "estimate": np.asarray(estimates, float),
                         "se": np.asarray(ses, float)})


def riset_tasks(df: pd.DataFrame) -> dict:
    from riset.survey import estimate, models, weighting
    from riset.survey.design import SurveyDesign

    margins = [pd.Series(c).rename_axis(v) for v, c in counts(float(df["w"].sum())).items()]

    def build():
        return SurveyDesign(df, weights="w", strata="strata", psu="psu", fpc="fpc")

    def means(design):
        t = estimate.mean(design, C.UNSUR).table
        return _tidy(t["variable"], t["estimate"], t["se"])

    def lm():
        fit = models.linear(FORMULA, build())
        return _tidy(range(len(fit.params)), fit.params, fit.se)

    def ratio():
        t = estimate.ratio(build(), "U1", "U2").table
        return _tidy(["U1/U2"], t["estimate"], t["se"])

    return {
        "build": build,
        "means": lambda: means(build()),
        "domains": lambda: estimate.mean(build(), C.UNSUR, by="domain"),
        "ratio": ratio,
        "lm": lm,
        "rake": lambda: means(weighting.rake(build(), margins, epsilon=EPSILON, maxit=100)),
    }


def svy_tasks(df: pd.DataFrame) -> dict:
    import polars as pl
    import svy

    frame = pl.from_pandas(df)
    pop = counts(float(df["w"].sum()))

    def build():
        return svy.Sample(frame, svy.Design(stratum="strata", psu="psu", wgt="w", pop_size="fpc"))

    def means(sample):
        rows = [r.to_polars().select(["est", "se"]).row(0) for r in sample.estimation.mean(C.UNSUR)]
        return _tidy(C.UNSUR, [r[0] for r in rows], [r[1] for r in rows])

    def ratio():
        row = build().estimation.ratio("U1", "U2").to_polars().select(["est", "se"]).row(0)
        return _tidy(["U1/U2"], [row[0]], [row[1]])

    def lm():
        coefs = build().glm.fit("U1", x=[*PREDICTORS, svy.Cat("kelompok_umur")]).coefs
        return _tidy(range(len(coefs)), [c.est for c in coefs], [c.se for c in coefs])

    return {
        "build": build,
        "means": lambda: means(build()),
        "ratio": ratio,
        "lm": lm,
        "rake": lambda: means(build().weighting.rake(controls=pop, wgt_name="rk_wgt", tol=EPSILON, max_iter=100)),
    }


#: MiB written and freed just before the first call in `--first-call`'s warm runs
WARM_MIB = 512


def _touch_and_free(mib: int) -> None:
    """Write `mib` MiB and free them: memory the next allocations find already backed by the host (in this VM
    memory left free for about 2 s is handed back to the host, and touching it again costs ~2 ms/MiB)."""
    block = np.ones(mib * 2**17)
    del block


def worker(tool: str, task: str, data: str, out: str, warm: bool = False) -> None:
    df = pd.read_parquet(data)
    tasks = (riset_tasks if tool == "riset" else svy_tasks)(df)

    def run(fn):
        seconds = []
        for _ in range(2):  # the first call of the process, then a second one
            start = time.perf_counter()
            result = fn()
            seconds.append(time.perf_counter() - start)
        return seconds, result

    def setup():
        if warm:
            _touch_and_free(WARM_MIB)
        return tasks[task]

    res = C.measure(setup, run, 1)
    (first, second), result = res["result"]
    if isinstance(result, pd.DataFrame):
        result.to_csv(out, index=False)
    C.report({"first": first, "second": second, "peak_mib": res["peak_mib"], "data_mib": C.frame_bytes(df) / 2**20})


def comparison(n: int, rounds: int) -> None:
    print(f"# bench_tasks: the issue-20 tasks at n = {n:,}, {rounds} interleaved rounds, each tool and task in a "
          "fresh process")
    print("machine:", C.machine())
    print("load at start:", Path("/proc/loadavg").read_text().split()[:3])
    print("versions:", C.versions("riset", "numpy", "pandas", "scipy", "svy", "svy-rs", "polars"))
    with tempfile.TemporaryDirectory() as tmp:
        df = survey(n)
        data = str(Path(tmp) / "data.parquet")
        df.to_parquet(data)
        df.to_csv(Path(tmp) / "data.csv", index=False)
        pd.DataFrame([(v, c, x) for v, cats in counts(float(df["w"].sum())).items() for c, x in cats.items()],
                     columns=["variable", "category", "count"]).to_csv(Path(tmp) / "margins.csv", index=False)
        print(f"data: {n:,} rows, {df['strata'].nunique()} strata, {df['psu'].nunique()} PSUs, "
              f"{df['domain'].nunique()} regions, {C.frame_bytes(df) / 2**20:.0f} MiB in pandas")
        del df
        runs = {(tool, task): [] for tool in ("riset", "svy") for task in TASKS}
        for r in range(rounds):
            for task in TASKS:
                for tool in ("riset", "svy"):
                    runs[tool, task].append(C.run_worker(SCRIPT, tool, task, data, f"{tmp}/{tool}_{task}.csv"))
            print(f"round {r + 1} done; load {Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
        r_side = C.run_r("bench_tasks.R", f"{tmp}/data.csv", f"{tmp}/margins.csv", f"{tmp}/R")
        agree = {}
        for task in TASKS:
            if task == "build":
                continue
            ref = pd.read_csv(f"{tmp}/R_{task}.csv")
            agree[task] = {tool: max(C.max_rel_diff(pd.read_csv(f"{tmp}/{tool}_{task}.csv")[k], ref[k])
                                     for k in ("estimate", "se")) for tool in ("riset", "svy")}
    print()
    print("| task | riset first s | riset second s | svy first s | svy second s | R s | riset/svy first | "
          "riset/svy second | riset first/second | riset peak / data | svy peak / data | riset vs R | svy vs R |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for task in TASKS:
        med = {(tool, k): statistics.median(x[k] for x in runs[tool, task]) for tool in ("riset", "svy")
               for k in ("first", "second", "peak_mib")}
        data_mib = runs["riset", task][0]["data_mib"]
        a = agree.get(task, {})
        print(f"| {task} | {med['riset', 'first']:.3f} | {med['riset', 'second']:.3f} | {med['svy', 'first']:.3f} | "
              f"{med['svy', 'second']:.3f} | {r_side[task]:.3f} | {med['riset', 'first'] / med['svy', 'first']:.2f} | "
              f"{med['riset', 'second'] / med['svy', 'second']:.2f} | "
              f"{med['riset', 'first'] / med['riset', 'second']:.2f} | {med['riset', 'peak_mib'] / data_mib:.2f} | "
              f"{med['svy', 'peak_mib'] / data_mib:.2f} | {a.get('riset', float('nan')):.1e} | "
              f"{a.get('svy', float('nan')):.1e} |")
    print("\nmedian over rounds; every round's riset/svy (first call):")
    for task in TASKS:
        print(f"  {task:6s}", " ".join(f"{a['first'] / b['first']:.2f}" for a, b in zip(runs['riset', task],
                                                                                       runs['svy', task])))
    print("load at end:", Path("/proc/loadavg").read_text().split()[:3])


def first_call(n: int, rounds: int) -> None:
    """Where the first call's extra time goes: each task in a fresh process as in the comparison ('cold'), and
    again with WARM_MIB MiB written and freed just before the first call ('warm'). Equal warm first and second calls
    mean the cold first call's extra time is the VM serving memory the process touches for the first time, not
    work riset does once (imports, caches)."""
    print(f"# bench_tasks --first-call: riset's first and second call at n = {n:,}, cold and after writing and "
          f"freeing {WARM_MIB} MiB, {rounds} interleaved rounds")
    print("machine:", C.machine())
    print("load at start:", Path("/proc/loadavg").read_text().split()[:3])
    runs = {(task, warm): [] for task in TASKS for warm in (False, True)}
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "data.parquet")
        survey(n).to_parquet(data)
        for _ in range(rounds):
            for task in TASKS:
                for warm in (False, True):
                    args = ["riset", task, data, f"{tmp}/out.csv"] + (["warm"] if warm else [])
                    runs[task, warm].append(C.run_worker(SCRIPT, *args))
    print()
    print("| task | cold first s | cold second s | cold first / second | warm first s | warm second s | "
          "warm first / second |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for task in TASKS:
        cells = []
        for warm in (False, True):
            first = statistics.median(r["first"] for r in runs[task, warm])
            second = statistics.median(r["second"] for r in runs[task, warm])
            cells += [f"{first:.3f}", f"{second:.3f}", f"{first / second:.2f}"]
        print(f"| {task} | " + " | ".join(cells) + " |")
    print("load at end:", Path("/proc/loadavg").read_text().split()[:3])


def growth(sizes: list[int]) -> None:
    print("# bench_tasks --growth: riset in memory, seconds per 10^5 rows and peak memory / frame")
    print("machine:", C.machine())
    print("load at start:", Path("/proc/loadavg").read_text().split()[:3])
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            data = str(Path(tmp) / f"n{n}.parquet")
            survey(n).to_parquet(data)
            for task in GROWTH_TASKS:
                rows[n, task] = C.run_worker(SCRIPT, "riset", task, data, f"{tmp}/out.csv")
                print(f"  n={n:>11,} {task:8s} first {rows[n, task]['first']:8.3f} s  second "
                      f"{rows[n, task]['second']:8.3f} s  peak {rows[n, task]['peak_mib']:8.0f} MiB", flush=True)
            Path(data).unlink()
    print()
    print("| task | " + " | ".join(f"s / 10^5 rows at {n:,}" for n in sizes) + " | largest / smallest | "
          + " | ".join(f"peak / frame at {n:,}" for n in sizes) + " |")
    print("|---|" + "---:|" * (2 * len(sizes) + 1))
    for task in GROWTH_TASKS:
        per = [rows[n, task]["first"] / n * 1e5 for n in sizes]
        peak = [rows[n, task]["peak_mib"] / rows[n, task]["data_mib"] for n in sizes]
        print(f"| {task} | " + " | ".join(f"{p:.4f}" for p in per) + f" | {per[-1] / per[0]:.2f} | "
              + " | ".join(f"{p:.2f}" for p in peak) + " |")
    print("load at end:", Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--growth", action="store_true")
    parser.add_argument("--first-call", action="store_true", help="riset's first call, cold and after warming memory")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--worker", nargs="+", metavar="ARG", help=argparse.SUPPRESS)  # TOOL TASK DATA OUT [warm]
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker[:4], warm=args.worker[4:] == ["warm"])
    elif args.first_call:
        first_call(args.n, args.rounds)
    elif args.growth:
        growth(args.sizes)
    else:
        comparison(args.n, args.rounds)
