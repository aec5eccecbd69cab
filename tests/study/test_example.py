"""The bundled example study (data/raw/contoh_*) is what riset.study.example writes, and its truth is recoverable.

The answers are cleaned here with plain pandas and the codebook (not with riset.skm.exports), so these tests are an
independent check of the files; one test cross-checks riset.skm.exports against the listed invalid cells.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from riset.study import example as datasets
from riset.errors import RisetError
from riset.skm.ikm import ikm
from riset.skm.schemes import UNSUR_2017

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
UNSUR_COLS = [f"U{i}" for i in range(1, 10)]
IMPORTANCE_COLS = [f"P{i}" for i in range(1, 10)]


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(RAW / datasets.FILES["responden"], dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def codebook() -> dict:
    return yaml.safe_load((RAW / datasets.FILES["codebook"]).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def truth() -> dict:
    return yaml.safe_load((RAW / datasets.FILES["kebenaran"]).read_text(encoding="utf-8"))


def _clean(raw: pd.DataFrame, codebook: dict) -> tuple[pd.DataFrame, set, dict]:
    """Numbers from digits or labels (case/spaces ignored); blanks and missing codes -> NaN; the rest invalid."""
    out = raw.copy()
    invalid, kinds = set(), {}
    for col, spec in codebook["columns"].items():
        if spec["role"] not in ("unsur", "overall", "importance"):
            continue
        lo, hi = spec["scale"]
        by_label = {str(v).strip().casefold(): k for k, v in spec.get("labels", {}).items()}
        missing = set(spec.get("missing", []))
        values, count = [], {"kosong": 0, "kode_9": 0, "teks_label": 0}
        for row, cell in enumerate(raw[col]):
            text = cell.strip()
            if text == "":
                count["kosong"] += 1
                values.append(np.nan)
            elif text.isdigit() and int(text) in missing:
                count["kode_9"] += 1
                values.append(np.nan)
            elif text.isdigit() and lo <= int(text) <= hi:
                values.append(float(text))
            elif text.casefold() in by_label:
                count["teks_label"] += 1
                values.append(float(by_label[text.casefold()]))
            else:
                invalid.add((row + 2, col))  # spreadsheet row: header is row 1
                values.append(np.nan)
        out[col] = values
        kinds[col] = count
    return out, invalid, kinds


@pytest.fixture(scope="module")
def clean(raw, codebook):
    return _clean(raw, codebook)


def test_bundled_files_are_exactly_what_the_cli_writes(tmp_path):
    datasets.main(["--out", str(tmp_path), "--seed", "2026"])
    for filename in datasets.FILES.values():
        assert (tmp_path / filename).read_bytes() == (RAW / filename).read_bytes(), filename


def test_the_seed_changes_the_answers(raw):
    other = datasets.make_example_study(seed=7)["responden"]
    assert other["K1"].fillna("").tolist()[:300] != raw["K1"].tolist()[:300]


def test_size_and_shape(raw, codebook):
    assert (RAW / datasets.FILES["responden"]).stat().st_size < 1_000_000
    assert 1800 <= len(raw) <= 2400
    assert raw["id_responden"].is_unique
    per_cell = raw.groupby(["unit", "periode"]).size()
    assert len(per_cell) == 15 * 2 and per_cell.between(30, 120).all()
    assert set(raw["periode"]) == {"2026-S1", "2026-S2"}
    assert raw["kecamatan"].nunique() == 6
    assert set(raw["opd"]) == {"Dinas Kesehatan", "RSUD Tanjung Harapan", "Dinas Pendidikan dan Kebudayaan", "Disdukcapil"}
    assert set(raw.columns) == set(codebook["columns"]) | set(codebook["ignore"])


def test_codebook_maps_unsur_by_name_with_the_regulation_labels(codebook):
    cols = codebook["columns"]
    assert cols["U8"]["unsur"] == "sarana" and cols["U9"]["unsur"] == "pengaduan"
    assert cols["P8"]["unsur"] == "sarana" and cols["P9"]["unsur"] == "pengaduan"
    for u in UNSUR_2017:
        col = next(c for c, spec in cols.items() if spec["role"] == "unsur" and spec["unsur"] == u.key)
        assert tuple(cols[col]["labels"][k] for k in (1, 2, 3, 4)) == u.labels
        assert cols[col]["missing"] == [9] and cols[col]["scale"] == [1, 4]
    assert cols["K1"] == {"role": "overall", "scale": [1, 10], "pertanyaan": datasets.PERTANYAAN_K1}
    assert codebook["ignore"] == ["Timestamp"] and codebook["id"] == "id_responden"


def test_reader_finds_exactly_the_listed_invalid_cells_and_counts(clean, truth):
    _, invalid, kinds = clean
    listed = {(cell["baris"], cell["kolom"]) for cell in truth["sel_tidak_valid"]}
    assert 5 <= len(listed) <= 15
    assert invalid == listed
    for col, count in kinds.items():
        assert count == truth["isian_berantakan"][col], col
    blank_share = {col: kinds[col]["kosong"] / 1960 for col in kinds}
    assert 0.12 < blank_share["U9"] < 0.18  # pengaduan: many never complained
    assert all(0.015 < blank_share[c] < 0.045 for c in UNSUR_COLS[:8])
    label_share = sum(kinds[c]["teks_label"] for c in UNSUR_COLS) / (9 * 1960)
    assert 0.035 < label_share < 0.065


def test_riset_io_reports_the_same_invalid_cells(truth):
    io = pytest.importorskip("riset.skm.exports")
    survey = io.read_survey(RAW / datasets.FILES["responden"], io.read_codebook(RAW / datasets.FILES["codebook"]))
    blanked = survey.blanked
    blanked = blanked[blanked["masalah"] != io.KODE_HILANG]
    assert set(zip(blanked["baris"].astype(int), blanked["kolom"])) == {
        (cell["baris"], cell["kolom"]) for cell in truth["sel_tidak_valid"]
    }


def test_design_weights_are_D_over_d_times_M_over_m(raw):
    frame = pd.read_csv(RAW / datasets.FILES["kerangka"])
    data = raw.astype({"n_hari_layanan": int, "n_pengunjung_hari": int, "bobot_desain": float})
    d = data.groupby(["unit", "periode"])["hari"].transform("nunique")
    m = data.groupby("hari")["hari"].transform("size")
    expected = data["n_hari_layanan"] / d * data["n_pengunjung_hari"] / m
    np.testing.assert_allclose(data["bobot_desain"], expected, rtol=0, atol=1e-6)
    # PSU ids belong to their stratum; day count and M per day are constant within a PSU
    assert (data["hari"].str.split("/").str[:2].str.join("/") == data["unit"] + "/" + data["periode"]).all()
    assert data.groupby("hari")["n_pengunjung_hari"].nunique().eq(1).all()
    assert (m <= data["n_pengunjung_hari"]).all()
    merged = data.merge(frame, on=["unit", "periode"], suffixes=("", "_frame"))
    assert len(merged) == len(data) and (merged["n_hari_layanan"] == merged["n_hari_layanan_frame"]).all()
    # the weights estimate the frame's N (sum of visitors over all service days) from d sampled days
    n_frame = frame.set_index(["unit", "periode"])["pengguna_per_periode"].sort_index()
    visitors_on_sampled_days = data.drop_duplicates("hari").groupby(["unit", "periode"])["n_pengunjung_hari"].sum()
    assert (visitors_on_sampled_days < n_frame).all()
    estimate = data.groupby(["unit", "periode"])["bobot_desain"].sum()
    assert (estimate / n_frame).between(0.7, 1.3).all()
    assert abs(estimate.sum() / n_frame.sum() - 1) < 0.05


def test_margins_cover_every_kecamatan_sex_and_age_in_the_data(raw):
    margin = pd.read_csv(RAW / datasets.FILES["margin"])
    cells = set(zip(margin["kecamatan"], margin["jenis_kelamin"], margin["kelompok_umur"]))
    assert set(zip(raw["kecamatan"], raw["jenis_kelamin"], raw["kelompok_umur"])) <= cells
    assert len(cells) == len(margin) == 6 * 2 * 5
    assert (margin["jumlah"] > 0).all()
    assert 150_000 < margin["jumlah"].sum() < 200_000  # residents 17+ of a kabupaten of ~250,000


def test_respondent_mix_differs_from_the_population_so_weighting_matters(raw):
    margin = pd.read_csv(RAW / datasets.FILES["margin"])
    women_pop = margin.loc[margin["jenis_kelamin"] == "Perempuan", "jumlah"].sum() / margin["jumlah"].sum()
    women_sample = (raw["jenis_kelamin"] == "Perempuan").mean()
    assert abs(women_pop - 0.5) < 0.02 and women_sample > women_pop + 0.08
    kind = raw["unit"].str.split("-").str[0]
    women = (raw["jenis_kelamin"] == "Perempuan").groupby(kind).mean()
    assert women["PKM"] > women["DUK"] + 0.1
    assert raw.loc[kind.str.startswith("SMPN"), "kelompok_umur"].mode()[0] == "35-44"


def test_ols_of_k1_on_the_unsur_recovers_the_true_betas(clean, truth):
    data, _, _ = clean
    complete = data.dropna(subset=UNSUR_COLS + ["K1"])
    assert len(complete) > 1000
    x = np.column_stack([np.ones(len(complete)), complete[UNSUR_COLS].to_numpy(float)])
    coef = np.linalg.lstsq(x, complete["K1"].to_numpy(float), rcond=None)[0][1:]
    names = [truth["model_k1"]["kolom"][c] for c in UNSUR_COLS]
    true = np.array([truth["model_k1"]["beta"][k] for k in names])
    np.testing.assert_allclose(coef, true, atol=0.07)
    estimated_order = [names[i] for i in np.argsort(-coef)]
    assert estimated_order[:4] == truth["model_k1"]["urutan_menurut_beta"][:4]
    assert truth["model_k1"]["urutan_menurut_porsi_r2"] == truth["model_k1"]["urutan_menurut_beta"]


def test_unit_grades_from_riset_ikm_match_the_intended_grades(clean, truth):
    data, _, _ = clean
    table = ikm(data, datasets.KOLOM_UNSUR, by="unit").table.set_index("unit")
    intended = pd.Series({u: t["mutu"] for u, t in truth["mutu_unit"].items()})
    assert table["mutu"].to_dict() == intended.to_dict()
    expected = pd.Series({u: t["ikm_harapan"] for u, t in truth["mutu_unit"].items()})
    assert (table["ikm_konversi"] - expected).abs().max() < 2.0
    assert (intended == "A").sum() >= 1 and (intended == "C").sum() >= 1 and (intended == "B").sum() > len(intended) / 2


def test_ipa_quadrants_are_the_intended_ones(clean, truth):
    data, _, _ = clean
    performance = pd.Series(data[UNSUR_COLS].mean().to_numpy(), index=[datasets.KOLOM_UNSUR[c] for c in UNSUR_COLS])
    importance = pd.Series(data[IMPORTANCE_COLS].mean().to_numpy(), index=performance.index)
    names = {(True, False): "I", (True, True): "II", (False, False): "III", (False, True): "IV"}
    for perf, imp in ((performance, importance),
                      (pd.Series(truth["kepentingan"]["kinerja_harapan"]), pd.Series(truth["kepentingan"]["rata_rata_harapan"]))):
        quadrant = {k: names[(imp[k] >= imp.mean(), perf[k] >= perf.mean())] for k in perf.index}
        assert quadrant == {k: q.split()[0] for k, q in truth["kepentingan"]["kuadran_ipa"].items()}
    assert set(quadrant.values()) == {"I", "II", "III", "IV"}
    np.testing.assert_allclose(importance[list(truth["kepentingan"]["rata_rata_harapan"])],
                               list(truth["kepentingan"]["rata_rata_harapan"].values()), atol=0.05)


def test_biaya_is_mostly_gratis_except_at_the_rsud(clean):
    data, _, _ = clean
    gratis = (data["U4"] == 4).groupby(data["opd"]).mean()
    assert gratis["Dinas Kesehatan"] > 0.8 and gratis["Disdukcapil"] > 0.75
    assert gratis["RSUD Tanjung Harapan"] < 0.4


def test_observed_nrr_per_unit_and_periode_follow_the_true_expected_nrr(clean, truth):
    data, _, _ = clean
    observed = data.groupby(["unit", "periode"])[UNSUR_COLS].mean().rename(columns=datasets.KOLOM_UNSUR)
    expected = pd.DataFrame({(u, p): nrr for u, t in truth["mutu_unit"].items() for p, nrr in t["nrr_harapan"].items()}).T
    diff = (observed - expected.loc[observed.index, observed.columns]).abs()
    assert diff.to_numpy().mean() < 0.08 and diff.to_numpy().max() < 0.35
    # the units that changed in S2 show it in the unsur that changed (latent shift >= 0.4 -> NRR moves >= 0.2)
    changes = [(u, k, v) for u, t in truth["mutu_unit"].items() for k, v in t["perubahan_s2_laten"].items() if abs(v) >= 0.4]
    assert len(changes) >= 4
    for unit, key, shift in changes:
        moved = observed.loc[(unit, "2026-S2"), key] - observed.loc[(unit, "2026-S1"), key]
        assert np.sign(moved) == np.sign(shift) and abs(moved) > 0.2, (unit, key, moved)


def test_readme_tables_state_the_ground_truth(truth):
    readme = (RAW / "README.md").read_text(encoding="utf-8")
    assert "python -m riset.study.example --out data/raw --seed 2026" in readme
    for unit, t in truth["mutu_unit"].items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| {unit} |"))
        assert f"| {t['ikm_harapan']:.2f} | {t['mutu']} |" in row, unit
    for rank, key in enumerate(truth["model_k1"]["urutan_menurut_beta"], start=1):
        assert f"| {rank} | {key} | {datasets.KOLOM_UNSUR_BY_KEY[key]} | {truth['model_k1']['beta'][key]:.2f} |" in readme
    for key, quadrant in truth["kepentingan"]["kuadran_ipa"].items():
        assert f"| {truth['kepentingan']['rata_rata_harapan'][key]:.2f} | {quadrant} |" in readme


@pytest.mark.parametrize("seed", [-1, 2.5, "2026", None])
def test_a_bad_seed_is_refused_with_its_value(seed):
    with pytest.raises(RisetError, match=f"seed must be a whole number >= 0.*{seed!r}"):
        datasets.make_example_study(seed)
