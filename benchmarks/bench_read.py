"""Reading a survey export: `riset ikm` on the bundled example's export repeated to n respondents (issue 13).

Measures wall time and peak memory (max RSS of a fresh process, so the interpreter and its imports are
included; the import-only RSS is printed beside it) for n = 50,000, 100,000 and 200,000 respondents, and the
ratio of peak memory to file size. Reading must stay linear in n and the memory under 5x the file size above
the import baseline. Usage: ``python benchmarks/bench_read.py [--sizes 50000 200000]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


def export(n: int, folder: Path) -> Path:
    base = pd.read_csv(RAW / "contoh_skm_responden.csv", dtype=str, keep_default_na=False)
    big = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n]
    big["id_responden"] = [f"R{i:07d}" for i in range(n)]
    path = folder / f"ekspor_{n}.csv"
    big.to_csv(path, index=False)
    return path


def peak_rss(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and max RSS (MB) of a child process."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000, 200_000])
    args = parser.parse_args()
    riset = str(Path(sys.executable).with_name("riset"))
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _, base = peak_rss([sys.executable, "-c", "import riset.cli, riset.skm.exports, riset.skm.ikm"])
        print(f"imports alone: {base:.0f} MB")
        print(f"{'n':>9} {'file MB':>8} {'seconds':>8} {'peak MB':>8} {'peak/file':>9} {'(peak-imports)/file':>20}")
        for n in args.sizes:
            path = export(n, folder)
            size = path.stat().st_size / 1e6
            wall, peak = peak_rss([riset, "ikm", str(path), "-c", str(RAW / "contoh_skm_codebook.yaml"),
                                   "--by", "unit", "--out", str(folder / f"ikm_{n}.csv")])
            print(f"{n:>9,} {size:>8.1f} {wall:>8.2f} {peak:>8.0f} {peak / size:>9.1f} {(peak - base) / size:>20.1f}")


if __name__ == "__main__":
    main()
