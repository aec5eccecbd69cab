"""riset init -> fill -> check -> report, in a folder whose path has spaces and non-ASCII characters (as on a
Windows laptop: 'Laporan SKM/Kecamatan Sukamaju – 2026'); the IKM equals a hand computation."""

import csv

import numpy as np
import pytest
import yaml

from riset.cli import main
from riset.skm.questionnaire import QUESTION_ORDER
from riset.skm.schemes import get_scheme
from riset.study import run_study


def _fill(folder, n=60, seed=7):
    """Answers as a team types them: numbers for most cells, the answer label for some, a few blanks."""
    rng = np.random.default_rng(seed)
    header = next(csv.reader(open(folder / "jawaban.csv", encoding="utf-8")))
    scheme = get_scheme("permenpan14_2017")
    numbers = rng.integers(2, 5, size=(n, 9)).astype(float)
    numbers[rng.random((n, 9)) < 0.05] = np.nan
    rows = []
    for i in range(n):
        row = {c: "" for c in header}
        row.update(id_responden=f"S{i:03d}", tanggal="2026-03-02", unit=["KEC", "PKM"][i % 2],
                   nama_unit=["Kantor Kecamatan", "Puskesmas Sukamaju"][i % 2], jenis_kelamin=["Laki-laki", "Perempuan"][i % 2],
                   kelompok_umur="25-34", pendidikan="SMA/SMK", pekerjaan="Wirausaha", K1=str(rng.integers(5, 11)),
                   saran="antri terlalu lama" if i % 5 == 0 else "")
        for j, key in enumerate(QUESTION_ORDER):
            value = numbers[i, j]
            if np.isnan(value):
                continue
            label = scheme.get(key).labels[int(value) - 1]
            row[f"U{j + 1}"] = label if i % 4 == 0 else str(int(value))
            row[f"P{j + 1}"] = str(rng.integers(3, 5))
        rows.append(row)
    with open(folder / "jawaban.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    return numbers


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ruang kerja") / "Laporan SKM" / "Kecamatan Sukamaju – 2026"
    assert main(["init", str(folder), "--area", "Kecamatan Sukamaju", "--level", "kecamatan"]) == 0
    return folder, _fill(folder)


def test_init_writes_the_standard_questionnaire_and_refuses_to_overwrite(study, capsys):
    folder, _ = study
    codebook = yaml.safe_load((folder / "codebook.yaml").read_text(encoding="utf-8"))
    assert [codebook["columns"][f"U{i}"]["unsur"] for i in (8, 9)] == ["sarana", "pengaduan"]
    assert "kesesuaian persyaratan" in codebook["columns"]["U1"]["pertanyaan"]
    assert main(["init", str(folder)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_check_then_report_on_the_filled_study(study, capsys, tmp_path):
    folder, numbers = study
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Kecamatan Sukamaju" in out and "Rencana analisis untuk 60 responden" in out
    assert main(["report", str(folder / "studi.yaml"), "--out", str(tmp_path / "hasil akhir")]) == 0
    assert (tmp_path / "hasil akhir" / "laporan_skm.html").is_file()
    res = run_study(folder)
    assert res.area_row()["ikm_konversi"] == pytest.approx(25 * np.nanmean(numbers, axis=0).mean(), rel=1e-12)
