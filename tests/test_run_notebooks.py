"""`riset notebooks`: a reviewer points the study notebooks at another data folder and gets executed copies."""

import shutil
from pathlib import Path

import nbformat

from riset.cli import main

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def test_notebook_runs_on_another_data_folder(tmp_path, capsys):
    other = tmp_path / "studi_lain"
    shutil.copytree(RAW, other)
    out = tmp_path / "hasil"
    assert main(["notebooks", "--only", "01", "--data-dir", str(other), "--out", str(out)]) == 0
    executed = out / "notebooks" / "01_desain_sampel.ipynb"
    assert f"Ditulis: {executed}" in capsys.readouterr().out
    notebook = nbformat.read(executed, as_version=4)
    injected = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f'DATA_DIR = "{other}"' in injected.source and f'OUTPUT_DIR = "{out}"' in injected.source
    assert all(c.get("execution_count") for c in notebook.cells if c.cell_type == "code" and c.source.strip())
    assert any(p.suffix in {".csv", ".xlsx"} for p in out.iterdir())  # the notebook wrote its plan to OUTPUT_DIR


def test_a_failing_notebook_is_one_line_naming_it(tmp_path, capsys):
    empty = tmp_path / "kosong"
    empty.mkdir()
    assert main(["notebooks", "--only", "01", "--data-dir", str(empty), "--out", str(tmp_path / "hasil")]) == 2
    err = capsys.readouterr().err.strip()  # the progress bar, then the one error line
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith("riset: error: notebook 01_desain_sampel stopped in cell")
    assert "DataError: sampling frame" in err.splitlines()[-1]


def test_unknown_notebook_prefix_lists_the_available_ones(tmp_path, capsys):
    assert main(["notebooks", "--only", "99", "--out", str(tmp_path)]) == 2
    assert "no notebook starts with 99; available: 01_desain_sampel, 02_pembobotan" in capsys.readouterr().err
