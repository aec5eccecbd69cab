"""Every notebook in notebooks/ runs top to bottom headless on the bundled example (its default STUDY), as a
reviewer would open and run it."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from riset.i18n import say

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
    # the example has no online answers: no online section, and no error for its absence (issue 17.5)
    assert say("sec_online", "id") not in _text(notebook)


def _text(notebook) -> str:
    """Every text, markdown and HTML output of an executed notebook."""
    return " ".join(str(o.get("data", {}).get(kind, "")) + str(o.get("text", ""))
                    for cell in notebook.cells for o in cell.get("outputs", [])
                    for kind in ("text/html", "text/markdown", "text/plain"))


def test_notebooks_04_and_05_show_the_online_tables_of_a_study_with_online_answers(tmp_path, monkeypatch):
    """Issue 17.5: on the example with its QR answers, the online cells of notebooks 04 and 05 show the online
    IKM beside the probability sample's and the online weights, headers from the catalogs. Cheap: one kernel
    runs notebook 04's opening (the study run, 20 bootstrap replicates) and then the cells tagged `online` of
    both notebooks."""
    from riset.study.example import write_example_study

    study = write_example_study(tmp_path / "contoh", online=True)["studi"]
    study.write_text(study.read_text(encoding="utf-8").replace("drivers: {replicates: 100}", "drivers: {replicates: 20, "
                                                               "out_of_sample: false}"), encoding="utf-8")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("RISET_STUDY", str(study))
    monkeypatch.setenv("RISET_OUTPUT_DIR", str(tmp_path / "hasil"))
    first, last = (nbformat.read(ROOT / "notebooks" / name, as_version=4) for name in
                   ("04_faktor_kepuasan.ipynb", "05_temuan_rekomendasi.ipynb"))
    online = [[c for c in nb.cells if "online" in c.metadata.get("tags", [])] for nb in (first, last)]
    assert [len(cells) for cells in online] == [1, 1]
    opening = first.cells[:[c.metadata.get("tags", []) for c in first.cells].index(["parameters"]) + 2]
    notebook = nbformat.v4.new_notebook(cells=[*opening, *online[0], *online[1]])
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    assert not [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    for cell in notebook.cells[-2:]:
        shown = _text(nbformat.from_dict({"cells": [cell]}))
        for words in (say("sec_online", "id"), say("tab_online_comparison", "id"), "Bobot daring",
                      "IKM daring (bukan sampel probabilitas)", "Galat baku selisih", "n efektif",
                      say("online_covered", "id"), "RSUD Tanjung Harapan - Instalasi Rawat Jalan / 2026-S1"):
            assert words in shown, words
        assert not [c for c in ("ikm_daring", "se_selisih", "n_probabilitas", "deff_kish") if f">{c}<" in shown]


#: Columns of riset's own tables that a notebook must not show under their code names.
SNAKE_CASE_COLUMNS = ("ikm_konversi", "n_responden", "ci_low", "ci_high", "p_mutu_beda", "penanggung_jawab",
                      "target_nrr", "ikm_jika_tercapai", "lmg_persen", "tingkat_kesesuaian")
