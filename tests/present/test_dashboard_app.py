"""The dashboard as a web page (issue 14.8): `riset dasbor`'s Voila page in a real headless browser (Chromium
via Playwright): the widgets render, choosing a unit changes the IKM shown. Skipped where Voila, Playwright or
Chromium is missing (make test installs Chromium where it can)."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "study"))
from own_studies import bare_instansi  # noqa: E402
from riset.present.widgets.app import write_dashboard
from riset.study.run import run_study

voila = pytest.importorskip("voila")
playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium)")
def test_the_dashboard_page_renders_and_a_choice_changes_the_ikm(tmp_path):
    study = bare_instansi(tmp_path)["study"]
    res = run_study(study)
    page_file = write_dashboard(study, tmp_path / "hasil", "id")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "voila", str(page_file), f"--port={port}", "--no-browser",
                               "--Voila.ip=127.0.0.1"], cwd=str(page_file.parent), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/", timeout=1)
            except OSError as exc:
                if getattr(exc, "code", None):  # an HTTP answer: the server is up
                    break
                time.sleep(0.5)
            else:
                break
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            page.wait_for_selector("text=IKM", timeout=120_000)
            area = res.area_row()
            from riset.i18n import fmt_num

            assert f"IKM {fmt_num(area['ikm_konversi'], 2, 'id')}" in page.inner_text("body")
            unit = res.units().iloc[0]
            page.select_option("select >> nth=0", label=res.unit_name(unit["layanan"]))
            shown = f"IKM {fmt_num(unit['ikm_konversi'], 2, 'id')}"
            page.wait_for_function(f"document.body.innerText.includes({shown!r})", timeout=60_000)
            advice = page.inner_text("ol")
            assert advice.count(res.unit_name(unit["layanan"])) == advice.count("—")  # only the chosen unit's
            assert page.locator("img:visible").count() == 1  # the NRR chart; no empty IPA box
            page.screenshot(path=str(tmp_path / "dasbor.png"), full_page=True)
            assert "Traceback" not in page.inner_text("body")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_with_a_relative_study_path_hands_voila_a_notebook_it_can_find(tmp_path, monkeypatch):
    # `riset dasbor data/raw/studi.yaml` from the project folder: Voila runs in the page's folder, so the
    # notebook it is given must be found from there ("argument is neither a file nor a directory")
    from riset.present.widgets import app

    study = Path(bare_instansi(tmp_path)["study"])
    monkeypatch.chdir(tmp_path)
    seen = {}

    def run(argv, cwd):
        seen.update(argv=argv, cwd=cwd)
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(app.subprocess, "run", run)
    assert app.serve(study.relative_to(tmp_path), Path("hasil")) == 0
    assert (Path(seen["cwd"]) / seen["argv"][3]).is_file()
    # a kernel kept pre-heated with the study already run: a page load in the seminar does not wait ~36 s
    assert "--preheat_kernel=True" in seen["argv"]
