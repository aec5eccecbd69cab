"""Shared fixtures: the bundled example study, run once per test session (20 replicates, no out-of-sample
check) for the tests that only read its results."""

from dataclasses import replace
from pathlib import Path

import pytest

from riset.study.config import load_study
from riset.study.run import run_study

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "raw" / "studi.yaml"


@pytest.fixture(scope="session")
def example_results():
    """`run_study` on data/raw/studi.yaml (do not modify: the session shares it)."""
    return run_study(replace(load_study(EXAMPLE), replicates=20, out_of_sample=False))
