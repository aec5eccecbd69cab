"""The replication pack (issue 19): a pack made from a small study verifies; changing one answer, the seed or a
package version each makes verify fail, naming what changed and which numbers moved."""

import json
import re
import shutil

import pandas as pd
import pytest
import yaml

from own_studies import several_files
from riset.cli import main


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kota")
    study = several_files(folder)
    assert main(["report", str(study["study"]), "--out", str(folder / "hasil")]) == 0
    return folder, folder / "hasil" / "replikasi"


def test_the_pack_holds_what_a_reviewer_needs(made):
    _, pack = made
    names = {p.name for p in pack.iterdir()}
    assert {"studi.yaml", "codebook.yaml", "inputs.json", "manifest.json", "requirements-lock.txt"} <= names
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["seed"] == 2026 and len(manifest["numbers"]) > 100
    ikm = next(n for n in manifest["numbers"] if n["id"] == "ikm/area/Kota Lestari/ikm_konversi")
    assert ikm["function"] == "riset.skm.ikm_design.ikm_design" and ikm["notebook"].startswith("03_ikm")
    assert "pandas==" in (pack / "requirements-lock.txt").read_text()


def test_the_pack_verifies(made, capsys):
    _, pack = made
    assert main(["verify", str(pack)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("LOLOS") and "bilangan pecahan sampai 1e-09 relatif" in out
    assert (pack / "verifikasi.txt").read_text(encoding="utf-8").startswith("LOLOS")


def test_one_changed_answer_fails_naming_the_file_and_the_numbers(made, tmp_path, capsys):
    folder, pack = made
    data = tmp_path / "data"
    shutil.copytree(folder, data, ignore=shutil.ignore_patterns("hasil"))
    wave = pd.read_csv(data / "gelombang_1.csv")
    wave.loc[0, "Q3"] = 1 if wave.loc[0, "Q3"] != 1 else 4
    wave.to_csv(data / "gelombang_1.csv", index=False)
    assert main(["verify", str(pack), "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "TIDAK LOLOS" in out and "gelombang_1.csv" in out
    assert re.search(r"angka ikm/area/Kota Lestari/ikm_konversi: \d+,\d+, seharusnya \d+,\d+", out)  # decimal comma


def test_a_changed_seed_or_package_version_fails(made, tmp_path, capsys):
    folder, pack = made
    other = tmp_path / "pack"
    shutil.copytree(pack, other)
    raw = yaml.safe_load((other / "studi.yaml").read_text())
    raw["seed"] = 7
    (other / "studi.yaml").write_text(yaml.safe_dump(raw))
    assert main(["verify", str(other), "--data", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "benih acak 7, seharusnya 2026" in out and "drivers/" in out
    lock = (pack / "requirements-lock.txt").read_text().replace("numpy==", "numpy==0.0.0-")
    shutil.copytree(pack, tmp_path / "pack2")
    (tmp_path / "pack2" / "requirements-lock.txt").write_text(lock)
    assert main(["verify", str(tmp_path / "pack2"), "--data", str(folder)]) == 1
    assert "paket numpy" in capsys.readouterr().out
    lock = (pack / "requirements-lock.txt").read_text().replace("# riset ", "# riset 0.0.0-")
    (tmp_path / "pack2" / "requirements-lock.txt").write_text(lock)
    assert main(["verify", str(tmp_path / "pack2"), "--data", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "paket riset versi" in out and "paket numpy" not in out


def test_the_verdict_stays_one_page_however_much_differs():
    from riset.study.replication import Verification

    result = Verification("SKM Uji", n_checked=500, seed=(2026, 7),
                          packages=[{"name": f"paket{i}", "expected": "1.0", "found": "2.0"} for i in range(200)],
                          numbers=[{"id": f"ikm/unit/U{i}/ikm_konversi", "expected": 80.5, "found": 80.25}
                                   for i in range(500)],
                          missing=[f"nrr/unit/U{i}/nrr" for i in range(40)])
    lines = result.summary("id").splitlines()
    assert not result.passed and len(lines) <= 60
    assert lines[0].startswith("TIDAK LOLOS") and "  benih acak 7, seharusnya 2026" in lines
    assert "  angka ikm/unit/U0/ikm_konversi: 80,25, seharusnya 80,5" in lines
    assert {"  ... dan 185 paket lain", "  ... dan 470 angka lain",
            "  ... dan 30 angka lain yang tidak dihasilkan lagi"} <= set(lines)


def test_report_with_notebooks_puts_the_executed_notebooks_in_the_pack(tmp_path, monkeypatch):
    """`riset report --notebooks` runs the study notebooks into the package and hands them to the pack (the
    notebooks' own run is tested in tests/test_run_notebooks.py; here it is stood in for)."""
    import riset.notebooks
    import riset.study.replication

    folder = tmp_path / "kota"
    folder.mkdir()
    study = several_files(folder)
    ran, packed = [], {}

    def fake_run(path, out, lang=None, **_):
        ran.append((path, out))
        page = out / "notebooks" / "03_ikm.ipynb"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("{}", encoding="utf-8")
        return [page]

    real_pack = riset.study.replication.write_pack

    def spy_pack(results, where, notebooks=()):
        packed["notebooks"] = list(notebooks)
        return real_pack(results, where)

    monkeypatch.setattr(riset.notebooks, "run_notebooks", fake_run)
    monkeypatch.setattr(riset.study.replication, "write_pack", spy_pack)
    assert main(["report", str(study["study"]), "--out", str(folder / "hasil"), "--notebooks"]) == 0
    assert ran and ran[0][1] == folder / "hasil"
    assert [p.name for p in packed["notebooks"]] == ["03_ikm.ipynb"]
