"""Shared helpers of the benchmark scripts: seeded synthetic survey, timing, peak memory, versions, R runner.

Not part of the `riset` package and not a test: each ``bench_*.py`` script imports this module, builds
its data with `synthetic_survey` (same seed -> same data for every tool), times each tool on the
*estimation only* (data already in memory in the tool's own format; reading files is excluded, for R as
well: R times with ``proc.time()`` after ``fread``), and prints the ratios measured in the same run.
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
R_DIR = HERE / "r"
UNSUR = [f"U{j}" for j in range(1, 10)]
N_STRATA = 100
PSU_SIZE = 20  # respondents per PSU (service day), on average
N_DOMAINS = 50


def synthetic_survey(n: int, seed: int = 2026, n_strata: int = N_STRATA, n_domains: int = N_DOMAINS,
                     psu_size: int = PSU_SIZE) -> pd.DataFrame:
    """A stratified two-stage exit-interview sample with n respondents (seeded).

    strata: `n_strata` strata; PSUs ("service days") of ~`psu_size` respondents, at least 2 per stratum;
    fpc: N_h = number of PSUs in stratum h's population (2-10 times the sampled n_h); weight
    w = N_h/n_h * M_hi/m_hi with M_hi visitors that day (3-30 times the m_hi interviewed).
    domain: one of `n_domains` domains ("D01".., unequal sizes, crossing strata and PSUs);
    jenis_kelamin (2), kelompok_umur (5), pendidikan (5): the three raking margins;
    U1..U9: answers 1-4 (float) from a latent score with domain and PSU effects, so domains differ and
    PSUs are correlated (design effect > 1).
    """
    rng = np.random.default_rng(seed)
    n_psu = max(2 * n_strata, n // psu_size)
    psu_stratum = np.sort(np.concatenate([np.repeat(np.arange(n_strata), 2),
                                          rng.integers(0, n_strata, n_psu - 2 * n_strata)]))
    # every PSU gets >= 1 respondent, the rest spread at random
    psu = np.sort(np.concatenate([np.arange(n_psu), rng.integers(0, n_psu, n - n_psu)]))
    n_h = np.bincount(psu_stratum, minlength=n_strata)
    big_n_h = np.ceil(n_h * rng.uniform(2, 10, n_strata))
    m_i = np.bincount(psu, minlength=n_psu)
    big_m_i = np.ceil(m_i * rng.uniform(3, 30, n_psu))
    stratum = psu_stratum[psu]
    w = (big_n_h / n_h)[stratum] * (big_m_i / m_i)[psu]
    share = rng.dirichlet(np.full(n_domains, 2.0))
    domain = rng.choice(n_domains, size=n, p=share)
    sex = rng.integers(0, 2, n)
    age = rng.choice(5, size=n, p=[0.2, 0.25, 0.25, 0.18, 0.12])
    edu = rng.choice(5, size=n, p=[0.15, 0.2, 0.35, 0.1, 0.2])
    latent = (rng.normal(0, 0.4, n_domains)[domain] + rng.normal(0, 0.3, n_psu)[psu]
              + 0.1 * sex - 0.05 * age)
    frame = {
        "strata": stratum.astype(np.int64),
        "psu": psu.astype(np.int64),
        "fpc": big_n_h[stratum],
        "w": w,
        "domain": np.array([f"D{d + 1:02d}" for d in range(n_domains)], dtype=object)[domain],
        "jenis_kelamin": np.array(["Laki-laki", "Perempuan"], dtype=object)[sex],
        "kelompok_umur": np.array(["17-24", "25-34", "35-44", "45-54", "55+"], dtype=object)[age],
        "pendidikan": np.array(["SD", "SMP", "SMA", "D3", "S1"], dtype=object)[edu],
    }
    cut = np.array([-0.9, 0.0, 0.9])
    for j, col in enumerate(UNSUR):
        score = latent + rng.normal(0.15 * (j % 3), 0.8, n)
        frame[col] = (1 + np.searchsorted(cut, score)).astype("float64")
    out = pd.DataFrame(frame)
    for col in ("domain", "jenis_kelamin", "kelompok_umur", "pendidikan"):
        out[col] = out[col].astype(str)
    return out


def frame_bytes(df: pd.DataFrame) -> int:
    """In-memory size of the data (deep: strings counted), the 'data size' of the memory targets."""
    return int(df.memory_usage(deep=True).sum())


def best_of(fn, repeat: int = 3):
    """Run `fn` `repeat` times; return (best wall seconds, last result). Best-of, as timeit recommends."""
    best, result = np.inf, None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def repeats_for(n: int) -> int:
    """Best of 3 below a million rows, 1 at a million (keeps the whole run within minutes on 2 cores)."""
    return 3 if n < 1_000_000 else 1


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def duckdb_table(df: pd.DataFrame, name: str):
    """An in-memory DuckDB connection holding `df` as table `name` (a real table, not a view on pandas)."""
    import duckdb

    con = duckdb.connect()
    con.register("_frame", df)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
    con.unregister("_frame")
    return con


def measure(setup, run, repeat: int) -> dict:
    """Time `run(state)` (best of `repeat`) after the untimed `setup()`; peak memory above the loaded data.

    Peak = VmHWM - VmRSS, with the high-water mark reset (Linux /proc/self/clear_refs = 5) after `setup`
    and a gc: the memory the estimation itself needs on top of the data already in memory -- counted for
    every allocator (numpy, Polars/Rust, R), unlike tracemalloc. Returns seconds, peak_mib, result.
    """
    state = setup()
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    base = _status_mib("VmRSS")
    seconds, result = best_of(lambda: run(state), repeat)
    return {"seconds": seconds, "peak_mib": _status_mib("VmHWM") - base, "result": result}


def run_worker(script: Path, *args) -> dict:
    """Run ``python script --worker ...`` in a fresh interpreter (one tool, one size) and parse its RESULT line."""
    proc = subprocess.run([sys.executable, str(script), "--worker", *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr[-3000:]}")
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def report(payload: dict) -> None:
    """Print the worker's RESULT line (JSON) for `run_worker`."""
    print("RESULT " + json.dumps(payload), flush=True)


def versions(*packages: str) -> dict[str, str]:
    """Installed versions of `packages` plus Python and R survey (for RESULTS.md)."""
    out = {"python": platform.python_version()}
    for p in packages:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    try:
        r = subprocess.run(["Rscript", "-e", 'cat(R.version$major, ".", R.version$minor, " survey ",'
                            ' as.character(packageVersion("survey")), sep="")'],
                           capture_output=True, text=True, check=True)
        out["R"] = r.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out["R"] = "not available"
    return out


def machine() -> str:
    """One line describing the machine: cores, memory, CPU model, date (UTC)."""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{os.cpu_count()} cores, {mem:.0f} GiB, {cpu}, {platform.system()} {platform.release()}; {now}"


def run_r(script: str, *args: str, timeout: float = 1800) -> dict:
    """Run benchmarks/r/<script> with Rscript; it prints one JSON line prefixed 'RESULT ' (timings, numbers)."""
    proc = subprocess.run(["Rscript", str(R_DIR / script), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript {script} failed:\n{proc.stderr[-2000:]}")
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def max_rel_diff(a, b) -> float:
    """max |a - b| / max(|b|, 1e-6 * max|b|) over paired arrays (both NaN: equal).

    The floor keeps cells whose exact value is 0 (an SE of a domain where every answer is the same, e.g.
    R's 2.3e-16 against riset's 4e-16) from showing as a 100% disagreement.
    """
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    ok = ~(np.isnan(a) & np.isnan(b))
    if not ok.any():
        return 0.0
    floor = 1e-6 * np.nanmax(np.abs(b[ok]))
    return float(np.nanmax(np.abs(a[ok] - b[ok]) / np.maximum(np.abs(b[ok]), floor)))
