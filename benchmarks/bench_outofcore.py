"""Benchmark (f): 10^8 respondents out of core -- 9 means x 50 domains with SEs from Parquet on disk (issue 20.3).

Data: `--parts` Parquet files of `--part-rows` rows each (default 10 x 10^7 = 10^8), written once to `--dir`
(kept between runs; delete it yourself). Each part is `_common.synthetic_survey(part_rows, seed=2026 + part,
n_strata=300, n_domains=50, psu_size=125)` with its strata and PSUs numbered apart from the other parts' (so the
whole file is one stratified cluster design: 3,000 strata, ~800,000 PSUs of ~125 respondents, FPC, unequal
weights) and the domain set to the stratum's region (50 regions, each a set of strata: a national SKM's
agencies or kabupaten, whose strata are their units x periods).

Timed, in a fresh process: `riset.survey.outofcore.mean(source(parquet files), U1..U9, by="domain")` with
DuckDB reading the files (one GROUP BY stratum x PSU x domain in the engine, numpy on the aggregate). Memory:
the process's peak resident memory (VmHWM, DuckDB's buffers included) and its peak above the interpreter with
riset imported. Agreement: the first part alone, out of core against `riset.survey.estimate.mean` in memory.

Run: ``.venv/bin/python benchmarks/bench_outofcore.py [--parts 10] [--part-rows 10000000] [--dir /tmp/riset_1e8]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

SCRIPT = Path(__file__).resolve()
N_STRATA, N_REGIONS, PSU_SIZE = 300, 50, 125


def part(k: int, rows: int) -> pd.DataFrame:
    """Part k: its own 300 strata and PSUs (numbered after part k-1's), domain = the stratum's region."""
    df = C.synthetic_survey(rows, seed=2026 + k, n_strata=N_STRATA, n_domains=N_REGIONS, psu_size=PSU_SIZE)
    df["strata"] += k * N_STRATA
    df["psu"] += k * (rows // PSU_SIZE + 2 * N_STRATA)
    df["domain"] = np.array([f"D{r + 1:02d}" for r in range(N_REGIONS)], dtype=object)[df["strata"] % N_REGIONS]
    df["domain"] = df["domain"].astype(str)
    return df


def write(directory: Path, parts: int, rows: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for k in range(parts):
        path = directory / f"part-{k:03d}.parquet"
        if not path.exists():
            start = time.perf_counter()
            part(k, rows).to_parquet(path, compression="zstd", index=False)
            print(f"  wrote {path.name} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.0f} s",
                  flush=True)
        files.append(path)
    return files


def worker(glob: str) -> None:
    import duckdb

    from riset.survey import outofcore

    base = C._status_mib("VmRSS")
    start = time.perf_counter()
    table = outofcore.mean(outofcore.source(duckdb.read_parquet(glob)), C.UNSUR, weights="w", strata="strata",
                           psu="psu", fpc="fpc", by="domain")
    seconds = time.perf_counter() - start
    C.report({"seconds": seconds, "hwm_mib": C._status_mib("VmHWM"), "base_mib": base, "cells": len(table),
              "n": int(table.groupby("domain")["n"].first().sum())})


def agreement(path: Path) -> float:
    import duckdb

    from riset.survey import estimate, outofcore
    from riset.survey.design import SurveyDesign

    df = pd.read_parquet(path)
    mem = estimate.mean(SurveyDesign(df, weights="w", strata="strata", psu="psu", fpc="fpc"), C.UNSUR,
                        by="domain").table
    ooc = outofcore.mean(outofcore.source(duckdb.read_parquet(str(path))), C.UNSUR, weights="w", strata="strata",
                         psu="psu", fpc="fpc", by="domain")
    both = mem.merge(ooc, on=["domain", "variable"], suffixes=("", "_ooc"))
    return max(C.max_rel_diff(both[k + "_ooc"], both[k]) for k in ("estimate", "se"))


def main(parts: int, rows: int, directory: Path) -> None:
    print(f"# bench_outofcore: {parts * rows:,} respondents in {parts} Parquet files, 9 means x {N_REGIONS} domains")
    print("machine:", C.machine())
    print("load at start:", Path("/proc/loadavg").read_text().split()[:3])
    print("versions:", C.versions("riset", "numpy", "pandas", "duckdb", "ibis-framework", "pyarrow"))
    files = write(directory, parts, rows)
    size = sum(f.stat().st_size for f in files) / 2**30
    print(f"data: {size:.1f} GiB of Parquet on disk ({parts} files)")
    r = C.run_worker(SCRIPT, str(directory / "part-*.parquet"))
    print(f"time {r['seconds']:.1f} s for {r['n']:,} respondents ({r['cells']} estimates with SEs); peak resident "
          f"memory {r['hwm_mib'] / 1024:.2f} GiB ({(r['hwm_mib'] - r['base_mib']) / 1024:.2f} GiB above the "
          f"interpreter with riset and DuckDB loaded)")
    print(f"agreement, first part ({rows:,} rows) out of core vs in memory: {agreement(files[0]):.1e}")
    print("load at end:", Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", type=int, default=10)
    parser.add_argument("--part-rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/riset_1e8"))
    parser.add_argument("--worker", metavar="GLOB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
    else:
        main(args.parts, args.part_rows, args.dir)
