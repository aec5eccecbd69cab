"""Every notebook in notebooks/ runs top to bottom headless on the bundled example (its default STUDY), as a
reviewer would open and run it."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_headless(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("RISET_OUTPUT_DIR", str(tmp_path))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    # tables are shown for people (issue 14.9): headers from the catalogs, not riset's column codes
    shown = " ".join(str(o.get("data", {}).get("text/html", "")) for cell in notebook.cells
                     for o in cell.get("outputs", []))
    codes = [c for c in SNAKE_CASE_COLUMNS if f">{c}<" in shown]
    assert not codes, f"{path.name} shows column codes: {codes}"


#: Columns of riset's own tables that a notebook must not show under their code names.
SNAKE_CASE_COLUMNS = ("ikm_konversi", "n_responden", "ci_low", "ci_high", "p_mutu_beda", "penanggung_jawab",
                      "target_nrr", "ikm_jika_tercapai", "lmg_persen", "tingkat_kesesuaian")
