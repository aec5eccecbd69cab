"""The `riset` command line: tables written and exit 0 on good input; exit 2 and one line on bad input."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from riset import __version__
from riset.cli import SUBCOMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "io"
SURVEY, CODEBOOK = str(DATA / "survey.csv"), str(DATA / "codebook.yaml")
EXAMPLE = ROOT / "data" / "raw"

# unit A of tests/data/io/survey.csv: NRR U1 (4+3)/2, U3 (4+4+3)/3, U9 (4+3)/2, six unsur 10/3 (see test_io)
IKM_A = (3.5 + 11 / 3 + 3.5 + 6 * 10 / 3) / 9
# unit B: U1 (2+2+1+1)/4, U2 (3+2+2+1)/4, U3 (3+2+1)/3, U4 (3+3+1)/3, U5 (3+2+1)/3, U6 (3+3+1)/3,
#         U7 (3+3+2+1)/4, U8 (3+3+2+1)/4, U9 (3+3+2)/3 (row 9 "0" blanked)
IKM_B = (1.5 + 2 + 2 + 7 / 3 + 2 + 7 / 3 + 2.25 + 2.25 + 8 / 3) / 9


def test_ikm_by_unit_writes_table_nrr_and_issues(tmp_path, capsys):
    out = tmp_path / "hasil" / "ikm.csv"
    assert main(["ikm", SURVEY, "--codebook", CODEBOOK, "--by", "unit", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert table["unit"].tolist() == ["A", "B"]
    assert table["ikm"].tolist() == pytest.approx([IKM_A, IKM_B])
    assert table["mutu"].tolist() == ["B", "D"]  # 85.19 and 53.70
    nrr = pd.read_csv(tmp_path / "hasil" / "ikm_nrr.csv")
    assert nrr.set_index(["unit", "kolom"]).loc[("A", "U3"), "nrr"] == pytest.approx(11 / 3)
    issues = pd.read_csv(tmp_path / "hasil" / "ikm_masalah_data.csv")
    assert len(issues) == 12 and issues.loc[issues["kolom"] == "K1", "baris"].tolist() == [5]
    printed = capsys.readouterr().out
    assert "85.19" in printed and "53.70" in printed
    assert "Dibaca 7 baris responden dari survey.csv" in printed


def test_ikm_xlsx_output_weights_and_default_name(tmp_path, capsys, monkeypatch):
    out = tmp_path / "ikm.xlsx"
    assert main(["ikm", SURVEY, "-c", CODEBOOK, "--by", "unit", "--weights", "bobot", "--out", str(out)]) == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["IKM", "NRR", "Catatan", "Masalah data"]
    nrr = sheets["NRR"].set_index(["unit", "kolom"])["nrr"]
    # unit A, U3 weighted by bobot 10, 10, 12: (10*4 + 10*4 + 12*3) / 32
    assert nrr.loc[("A", "U3")] == pytest.approx(116 / 32)
    monkeypatch.chdir(tmp_path)
    assert main(["ikm", SURVEY, "-c", CODEBOOK]) == 0
    assert pd.read_csv(tmp_path / "survey_ikm.csv")["n_responden"].tolist() == [7]


def _one_line_error(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("riset: error: ")
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ikm", str(DATA / "duplicate_ids.csv"), "-c", CODEBOOK], "respondent id 'R002' in column 'id_responden' appears in rows 3, 6"),
        (["ikm", str(DATA / "empty.csv"), "-c", CODEBOOK], "empty.csv is empty"),
        (["ikm", SURVEY, "-c", CODEBOOK, "--strict"], "column 'K1' has value 44 in row 5"),
        (["ikm", SURVEY, "-c", CODEBOOK, "--by", "opd"], "column(s) 'opd' not found in the data"),
        (["ikm", SURVEY, "-c", CODEBOOK, "--legacy-weight", "0.1"], "legacy_weight=0.1"),
        (["ikm", "tidak_ada.csv", "-c", CODEBOOK], "file not found: tidak_ada.csv"),
        (["ikm", SURVEY, "-c", str(DATA / "broken.xlsx")], "codebook broken.xlsx cannot be opened"),
        (["ikm", SURVEY, "-c", CODEBOOK, "--out", "ikm.json"], "must end in .csv or .xlsx"),
        (["ikm", SURVEY], "the following arguments are required: --codebook"),
        (["ikm", SURVEY, "-c", CODEBOOK, "--empty-unsur", "skip"], "argument --empty-unsur: invalid choice: 'skip'"),
        (["laporan"], "argument COMMAND: invalid choice: 'laporan'"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, expected, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert expected in _one_line_error(capsys)


def test_console_script_bad_input(tmp_path):
    riset = Path(sys.executable).with_name("riset")
    bad = subprocess.run([riset, "ikm", str(DATA / "blank_id.csv"), "-c", CODEBOOK], capture_output=True,
                         text=True, cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr == "riset: error: blank_id.csv: respondent id column 'id_responden' is blank in 1 row(s): 6\n"


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"riset {__version__}"


def test_demo_without_example_data_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("riset.cli.EXAMPLE_STUDY", Path("tidak/ada/studi.yaml"))
    assert main(["demo", "--out", str(tmp_path / "out")]) == 2
    error = _one_line_error(capsys)
    assert "the bundled example (tidak/ada/studi.yaml) is not here" in error and "riset report" in error
    assert not (tmp_path / "out").exists()


def test_subcommands_are_a_table():
    assert set(SUBCOMMANDS) >= {"ikm", "demo"}
    assert all(callable(add) and callable(run) for _, add, run in SUBCOMMANDS.values())


def test_demo_on_the_bundled_example(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"laporan_skm.html", "laporan_skm.docx", "laporan_skm.pdf", "paparan_skm.pptx", "tabel_skm.xlsx",
            "replikasi"} <= names
    printed = capsys.readouterr().out
    # the study is printed first: the area's IKM with its confidence interval, then the files written
    assert printed.index("IKM Kabupaten Tanjung Harapan") < printed.index("Ditulis:") and "SK 95%" in printed
    sheets = pd.read_excel(tmp_path / "tabel_skm.xlsx", sheet_name=None)
    assert len(sheets) >= 3 and next(iter(sheets)) == "Baca saya"
