"""`riset notebooks STUDY`: a reviewer points the study notebooks at a study file and gets executed copies;
the notebooks name nothing of the bundled example, so they run on a study shaped differently."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

from riset.cli import main
from riset.notebooks import run_notebooks

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "study"))
from own_studies import bare_instansi, google_forms, kecamatan_2004, kobo_xlsx, several_files  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: What only the bundled example has: its files, unit codes, area, columns and items.
EXAMPLE_WORDS = r"contoh_|PKM|RSUD|DUK-|SMPN|Tanjung|bobot_desain|n_hari|id_responden|\bK1\b|\bP[1-9]\b|" \
                r"kecamatan|kelompok_umur|jenis_kelamin|\bopd\b|2026-S|DATA_DIR"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_take_the_study_file_and_name_nothing_of_the_example(path):
    notebook = nbformat.read(path, as_version=4)
    parameters = notebook.cells[[c.metadata.get("tags", []) for c in notebook.cells].index(["parameters"])]
    assert re.search(r"^STUDY = ", parameters.source, re.M) and re.search(r"^OUTPUT_DIR = ", parameters.source, re.M)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert not re.findall(EXAMPLE_WORDS, code), path.name
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")  # stored without outputs


@pytest.mark.parametrize("builder", [kecamatan_2004, bare_instansi, google_forms, kobo_xlsx, several_files],
                         ids=["kecamatan_2004", "bare_instansi", "google_forms", "kobo_xlsx", "several_files"])
def test_every_notebook_runs_on_a_study_unlike_the_example(builder, tmp_path, capsys):
    study = builder(tmp_path)["study"]
    out = tmp_path / "hasil saya"
    assert main(["notebooks", str(study), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for path in NOTEBOOKS:
        executed = out / "notebooks" / path.name
        assert f"Ditulis: {executed}" in printed
        notebook = nbformat.read(executed, as_version=4)
        injected = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'STUDY = "{study.resolve()}"' in injected.source
        assert all(c.get("execution_count") for c in notebook.cells if c.cell_type == "code" and c.source.strip())
    assert (out / "laporan_skm.html").is_file()  # notebook 05 wrote the package to OUTPUT_DIR
    # the replication pack holds the executed notebooks and their HTML
    pack = out / "replikasi" / "notebooks"
    assert {p.name for p in pack.iterdir()} >= {f"{p.stem}{s}" for p in NOTEBOOKS for s in (".ipynb", ".html")}
    assert "Rencana analisis" in (pack / "02_pembobotan.html").read_text(encoding="utf-8")
    # ... that read offline: no script from the network, the dashboard's widget state in the page
    for page in pack.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", html, flags=re.I), page.name
    dashboard = (pack / "05_temuan_rekomendasi.html").read_text(encoding="utf-8")
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', dashboard, re.S)
    assert state and '"DropdownModel"' in state.group(1) and '"ImageModel"' in state.group(1)


def test_the_dashboard_notebook_shows_its_controls_offline(tmp_path, offline_dom):
    """The executed dashboard notebook's HTML, opened in Chromium with no network: the unit and period choices
    and the IKM card and charts they control are drawn from the saved widget state."""
    study = several_files(tmp_path)["study"]
    executed = run_notebooks(study, tmp_path / "hasil", only=["05"], progress=False)[0]
    dom = offline_dom(executed.with_suffix(".html"))
    assert len(re.findall(r'class="[^"]*widget-dropdown[^"]*"', dom)) >= 2 and "(semua)" in dom
    assert re.search(r'class="[^"]*widget-html[^"]*".*?IKM\s+\d{2},\d{2}', dom, flags=re.S)  # the card
    assert re.search(r'<img[^>]*src="blob:', dom) or re.search(r'<img[^>]*src="data:image/png', dom)  # charts


def test_a_bad_study_file_stops_before_any_notebook(tmp_path, capsys):
    (tmp_path / "studi.yaml").write_text("study: X\n", encoding="utf-8")
    assert main(["notebooks", str(tmp_path), "--out", str(tmp_path / "hasil")]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and err.startswith("riset: error:") and "data" in err
    assert not (tmp_path / "hasil").exists()


def test_a_failing_notebook_is_one_line_naming_it(tmp_path, capsys):
    study = bare_instansi(tmp_path)["study"]
    broken = tmp_path / "nb"
    broken.mkdir()
    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise ValueError('sengaja')"))
    nbformat.write(notebook, broken / "01_rusak.ipynb")
    from riset.errors import RisetError

    with pytest.raises(RisetError, match=r"^notebook 01_rusak stopped in cell \d+: ValueError: sengaja") as err:
        run_notebooks(study, tmp_path / "hasil", notebooks=broken, progress=False)
    assert "\n" not in str(err.value)


def test_unknown_notebook_prefix_lists_the_available_ones(tmp_path, capsys):
    study = bare_instansi(tmp_path)["study"]
    assert main(["notebooks", str(study), "--only", "99", "--out", str(tmp_path / "hasil")]) == 2
    assert "no notebook starts with 99; available: 01_desain_sampel, 02_pembobotan" in capsys.readouterr().err


def test_every_cell_the_manifest_cites_exists():
    from riset.study.replication import _SOURCES  # noqa: PLC2701 -- the test reads the module's own table

    tags = {f"{p.stem}#{t}" for p in NOTEBOOKS for c in nbformat.read(p, as_version=4).cells
            for t in c.metadata.get("tags", [])}
    assert {cell for _, cell in _SOURCES.values()} <= tags
