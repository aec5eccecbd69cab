"""Shared fixtures: the bundled example study, run once per test session (20 replicates, no out-of-sample
check) for the tests that only read its results; an HTML page as headless Chromium renders it offline."""

import re
import subprocess
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


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def offline_dom(tmp_path):
    """`offline_dom(page)`: the DOM of an HTML file after headless Chromium ran its scripts for 8 s of virtual
    time, every http(s) request sent to a dead proxy (so nothing from the network can help it render), without
    its script elements (what is drawn, not the data it was drawn from). Skipped without /usr/bin/chromium
    (`make browser` installs it)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium missing: apt-get install -y chromium")

    def render(page: Path) -> str:
        cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               f"--user-data-dir={tmp_path / 'chromium-profil'}", "--virtual-time-budget=8000", "--dump-dom",
               Path(page).resolve().as_uri()]
        dom = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout
        return re.sub(r"<script\b[^>]*>.*?</script>", "", dom, flags=re.S | re.I)

    return render
