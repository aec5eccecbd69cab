"""Small studies shaped differently from the bundled example, written into a folder as a team would have them
(export files, codebook, studi.yaml), with the numbers a hand computation needs.

Each builder writes its files and returns a dict with the study file path and `expected`: the hand-computed
IKM (converted) of the area and per unit, from the raw answers with numpy, independent of riset.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from riset.skm.schemes import UNSUR_2004, UNSUR_2017

QUESTIONS_2017 = {f"Q{i}": u for i, u in enumerate(UNSUR_2017, start=1)}
LABELS_2017 = {u.key: u.labels for u in UNSUR_2017}


def _answers(rng: np.random.Generator, n: int, k: int, level: np.ndarray) -> np.ndarray:
    """n x k answers 1-4 around a per-row level (each row's own mean)."""
    raw = level[:, None] + rng.normal(0, 0.7, size=(n, k))
    return np.clip(np.rint(raw), 1, 4).astype(int)


def _hand_ikm(answers: np.ndarray, weights: np.ndarray | None = None) -> float:
    """PermenPAN-RB 14/2017 / KepMenPAN 25/2004: NRR_j = weighted mean of the answers given, IKM = mean NRR x 25."""
    w = np.ones(len(answers)) if weights is None else weights
    a = np.asarray(answers, dtype=float)
    given = ~np.isnan(a)
    nrr = (np.where(given, a, 0) * w[:, None]).sum(axis=0) / (given * w[:, None]).sum(axis=0)
    return float(nrr.mean() * 25)


def _write_yaml(path: Path, content: dict) -> None:
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")


def kecamatan_2004(folder: Path, seed: int = 1) -> dict:
    """A kecamatan office on the older KepMenPAN 25/2004 scheme (14 unsur, 1/14): 2 service desks, simple random
    sampling per desk (strata), design weights from the number of visitors per desk, no overall item."""
    rng = np.random.default_rng(seed)
    units = {"KTP": ("Loket KTP", 60, 900.0), "IZIN": ("Loket Perizinan", 40, 200.0)}
    rows = []
    for code, (name, n, visitors) in units.items():
        level = rng.normal(3.0 if code == "KTP" else 2.6, 0.4, size=n)
        ans = _answers(rng, n, 14, level)
        for i in range(n):
            rows.append({"no": f"{code}-{i + 1:03d}", "loket": code, "nama_loket": name, "bobot": visitors / n,
                         **{f"P{j + 1}": int(ans[i, j]) for j in range(14)}})
    data = pd.DataFrame(rows)
    data.to_csv(folder / "jawaban.csv", index=False)
    columns = {"no": {"role": "id"}, "loket": {"role": "group"}, "nama_loket": {"role": "group"},
               "bobot": {"role": "weight"}}
    columns.update({f"P{j + 1}": {"role": "unsur", "unsur": u.key, "scale": [1, 4]} for j, u in enumerate(UNSUR_2004)})
    _write_yaml(folder / "codebook.yaml", {"study": "IKM Kecamatan Sukamaju", "scheme": "kepmenpan25_2004",
                                           "id": "no", "columns": columns})
    _write_yaml(folder / "studi.yaml", {
        "study": "IKM Kecamatan Sukamaju 2026", "area": {"name": "Kecamatan Sukamaju", "level": "kecamatan"},
        "organiser": "Tim Survei Kecamatan", "data": "jawaban.csv", "codebook": "codebook.yaml",
        "design": {"weights": "bobot", "strata": "loket"}, "levels": ["loket"], "names": {"loket": "nama_loket"},
        "weighting": {"method": "design"}})
    answers = data[[f"P{j + 1}" for j in range(14)]].to_numpy(float)
    w = data["bobot"].to_numpy()
    per_unit = {code: _hand_ikm(answers[data["loket"] == code], w[data["loket"] == code]) for code in units}
    return {"study": folder / "studi.yaml", "area": "Kecamatan Sukamaju", "unit": "loket",
            "expected": {"area": _hand_ikm(answers, w), "units": per_unit},
            "absent": ["kabupaten", "Kabupaten", "K1", "P1–P9", "bobot_desain"]}


def bare_instansi(folder: Path, seed: int = 2) -> dict:
    """An agency with no overall item, no importance items and no demographics: one table of 9 answers per
    respondent and a service column; simple random sampling, equal weights."""
    rng = np.random.default_rng(seed)
    n = 90
    service = rng.choice(["Pengaduan", "Informasi", "Legalisir"], size=n)
    ans = _answers(rng, n, 9, rng.normal(3.1, 0.4, size=n)).astype(float)
    ans[rng.random((n, 9)) < 0.04] = np.nan  # blanks are excluded from NRR, never counted as 0
    data = pd.DataFrame(ans, columns=list(QUESTIONS_2017)).astype("Int64")
    data.insert(0, "layanan", service)
    data.insert(0, "id", [f"R{i:03d}" for i in range(1, n + 1)])
    data.to_csv(folder / "data.csv", index=False)
    columns = {"id": {"role": "id"}, "layanan": {"role": "group"}}
    columns.update({q: {"role": "unsur", "unsur": u.key, "scale": [1, 4]} for q, u in QUESTIONS_2017.items()})
    _write_yaml(folder / "codebook.yaml", {"study": "SKM Dinas Arsip", "id": "id", "columns": columns})
    _write_yaml(folder / "studi.yaml", {
        "study": "SKM Dinas Perpustakaan dan Kearsipan 2026", "area": {"name": "Dinas Perpustakaan dan Kearsipan",
                                                                       "level": "instansi"},
        "data": "data.csv", "codebook": "codebook.yaml", "levels": ["layanan"], "weighting": "none"})
    per_unit = {s: _hand_ikm(ans[service == s]) for s in sorted(set(service))}
    return {"study": folder / "studi.yaml", "area": "Dinas Perpustakaan dan Kearsipan", "unit": "layanan",
            "expected": {"area": _hand_ikm(ans), "units": per_unit},
            "absent": ["kabupaten", "Kabupaten", "K1", "P1", "bobot_desain", "Importance-Performance Analysis (kepentingan"]}


def several_files(folder: Path, seed: int = 3) -> dict:
    """A kota study whose answers come in three exports (one per collection wave), appended; stratified by
    puskesmas with a population size per stratum (FPC), a period column with two periods, an overall item on
    1-10 and importance items."""
    rng = np.random.default_rng(seed)
    units = {"PKM1": ("Puskesmas Kota Utara", 3000), "PKM2": ("Puskesmas Kota Selatan", 2000)}
    frames = []
    for wave, periode in ((1, "2026-T1"), (2, "2026-T1"), (3, "2026-T2")):
        for code, (name, population) in units.items():
            n = 25
            level = rng.normal(2.8 + 0.2 * (wave == 3), 0.4, size=n)
            ans = _answers(rng, n, 9, level)
            part = pd.DataFrame(ans, columns=list(QUESTIONS_2017))
            part.insert(0, "puskesmas", code)
            part.insert(1, "nama_puskesmas", name)
            part.insert(2, "triwulan", periode)
            part.insert(3, "populasi", population)
            part["kepuasan"] = np.clip(np.rint(ans.mean(axis=1) * 2.2 + rng.normal(0, 0.8, n)), 1, 10).astype(int)
            for q in range(1, 10):
                part[f"penting{q}"] = rng.integers(3, 5, size=n)
            part.insert(0, "id", [f"W{wave}-{code}-{i:02d}" for i in range(n)])
            frames.append(part)
        pd.concat(frames[-2:]).to_csv(folder / f"gelombang_{wave}.csv", index=False)
    data = pd.concat(frames, ignore_index=True)
    columns = {"id": {"role": "id"}, "puskesmas": {"role": "group"}, "nama_puskesmas": {"role": "group"},
               "triwulan": {"role": "group"}, "populasi": {"role": "design"}}
    columns.update({q: {"role": "unsur", "unsur": u.key, "scale": [1, 4]} for q, u in QUESTIONS_2017.items()})
    columns["kepuasan"] = {"role": "overall", "scale": [1, 10]}
    columns.update({f"penting{i}": {"role": "importance", "unsur": u.key, "scale": [1, 4]}
                    for i, u in enumerate(UNSUR_2017, start=1)})
    _write_yaml(folder / "codebook.yaml", {"study": "SKM Puskesmas Kota", "id": "id", "columns": columns})
    _write_yaml(folder / "studi.yaml", {
        "study": "SKM Puskesmas Kota Lestari 2026", "area": {"name": "Kota Lestari", "level": "kota"},
        "data": [f"gelombang_{w}.csv" for w in (1, 2, 3)], "codebook": "codebook.yaml",
        "design": {"strata": "puskesmas", "fpc": "populasi"}, "levels": ["puskesmas", "triwulan"],
        "unit": "puskesmas", "period": "triwulan", "names": {"puskesmas": "nama_puskesmas"},
        "overall": "kepuasan", "drivers": {"replicates": 20, "out_of_sample": False}})
    answers = data[list(QUESTIONS_2017)].to_numpy(float)
    w = data["puskesmas"].map({c: p / 75 for c, (_, p) in units.items()}).to_numpy()  # N_h / n_h
    per_unit = {c: _hand_ikm(answers[data["puskesmas"] == c]) for c in units}
    return {"study": folder / "studi.yaml", "area": "Kota Lestari", "unit": "puskesmas",
            "expected": {"area": _hand_ikm(answers, w), "units": per_unit},
            "absent": ["kabupaten", "Kabupaten", "K1", "P1–P9", "bobot_desain"]}


def google_forms(folder: Path, seed: int = 7) -> dict:
    """A Google Forms export as it is downloaded: no id column, a Timestamp, the full question texts as headers
    (numbered), answers as numbered labels ("4. Sangat sesuai"), ages as numbers (binned by the codebook), a
    free-text 'saran' column; 3 units, 120 respondents, simple random sampling in each unit (no weights)."""
    rng = np.random.default_rng(seed)
    units = ["Loket Pelayanan Terpadu", "Layanan Pengaduan", "Layanan Informasi Publik"]
    n = 120
    unit = rng.choice(units, size=n)
    ans = _answers(rng, n, 9, rng.normal(3.0, 0.45, size=n))
    frame = pd.DataFrame({"Timestamp": [f"2026/09/{1 + i % 28:02d} 09:{i % 60:02d}:00 GMT+7" for i in range(n)],
                          "Unit layanan yang Anda kunjungi": unit,
                          "Umur (tahun)": rng.integers(17, 75, size=n),
                          "Jenis kelamin": rng.choice(["Laki-laki", "Perempuan"], size=n)})
    for j, u in enumerate(UNSUR_2017):
        frame[f"{j + 1}. {u.question}"] = [f"{a}. {u.labels[a - 1]}" for a in ans[:, j]]
    frame["Saran dan masukan untuk perbaikan layanan"] = [
        "Antrean terlalu lama, mohon ditambah loket" if i % 9 == 0 else ("" if i % 2 else "Sudah baik") for i in range(n)]
    frame.to_csv(folder / "Formulir SKM (Jawaban) - Form Responses 1.csv", index=False)
    columns = {"Timestamp": {"role": "other"},
               "unit": {"role": "group", "question": "Unit layanan yang Anda kunjungi"},
               "umur": {"role": "demographic", "question": "Umur (tahun)", "bins": [17, 25, 35, 45, 55]},
               "jenis_kelamin": {"role": "demographic", "question": "Jenis kelamin"},
               "saran": {"role": "text", "question": "Saran dan masukan untuk perbaikan layanan"}}
    columns.update({f"U{j + 1}": {"role": "unsur", "unsur": u.key, "question": u.question}
                    for j, u in enumerate(UNSUR_2017)})
    _write_yaml(folder / "codebook.yaml", {"study": "SKM DPMPTSP", "columns": columns})
    _write_yaml(folder / "studi.yaml", {
        "study": "SKM Dinas Penanaman Modal dan PTSP Kabupaten Sekadau 2026",
        "area": {"name": "DPMPTSP Kabupaten Sekadau", "level": "instansi"},
        "data": "Formulir SKM (Jawaban) - Form Responses 1.csv", "codebook": "codebook.yaml",
        "design": {"strata": "unit"}, "levels": ["unit"], "unit": "unit", "weighting": "none"})
    per_unit = {u: _hand_ikm(ans[unit == u]) for u in units}
    return {"study": folder / "studi.yaml", "area": "DPMPTSP Kabupaten Sekadau", "unit": "unit",
            "expected": {"area": _hand_ikm(ans), "units": per_unit},
            "written": "Antrean terlalu lama, mohon ditambah loket",
            "absent": ["kabupaten Tanjung", "K1", "P1–P9", "bobot_desain"]}


def _rake(base: np.ndarray, cells: list[np.ndarray], targets: list[dict], tol: float = 1e-13) -> np.ndarray:
    """Iterative proportional fitting by hand (numpy): scale the weights to each margin in turn."""
    w = base.astype(float).copy()
    for _ in range(1000):
        before = w.copy()
        for cell, target in zip(cells, targets):
            for category, total in target.items():
                inside = cell == category
                w[inside] *= total / w[inside].sum()
        if np.abs(w - before).max() < tol:
            break
    return w


def kobo_xlsx(folder: Path, seed: int = 11) -> dict:
    """A KoboToolbox XLSX export: group paths as headers, answers as XML choice names (sangat_sesuai), _uuid as
    id and Kobo's own columns ignored; a stratified cluster design (2 wilayah strata, posyandu as PSUs, design
    weights) raked to two population margins that are not the example's (status_bpjs, tempat_tinggal)."""
    rng = np.random.default_rng(seed)
    rows = []
    for wilayah, n_psu_pop, psus in (("Hulu", 12, ["PY-H1", "PY-H2", "PY-H3"]), ("Hilir", 20, ["PY-I1", "PY-I2", "PY-I3"])):
        for psu in psus:
            m = int(rng.integers(8, 14))
            visitors = int(rng.integers(40, 90))
            level = rng.normal(2.9 if wilayah == "Hulu" else 3.2, 0.4, size=m)
            ans = _answers(rng, m, 9, level)
            for i in range(m):
                rows.append({"_uuid": f"{psu}-{i:02d}-{rng.integers(1e9):09d}", "wilayah": wilayah, "posyandu": psu,
                             "layanan": "Posyandu " + wilayah, "bobot": n_psu_pop / 3 * visitors / m,
                             "status_bpjs": rng.choice(["ya", "tidak"], p=[0.7, 0.3]),
                             "tempat_tinggal": rng.choice(["desa", "kota"], p=[0.6, 0.4]),
                             **{f"penilaian/u{j + 1}": ans[i, j] for j in range(9)}})
    data = pd.DataFrame(rows)
    export = data.copy()
    for j, u in enumerate(UNSUR_2017):
        export[f"penilaian/u{j + 1}"] = [u.labels[a - 1].lower().replace(" ", "_") for a in data[f"penilaian/u{j + 1}"]]
    export.insert(1, "start", "2026-08-01T08:00:00.000+07:00")
    export.insert(2, "_submission_time", "2026-08-01T09:00:00")
    export.to_excel(folder / "skm_posyandu_kobo.xlsx", index=False, sheet_name="SKM Posyandu")
    margins = pd.DataFrame({"status_bpjs": ["ya", "tidak", "ya", "tidak"], "tempat_tinggal": ["desa", "desa", "kota", "kota"],
                            "jumlah": [9000, 3000, 5000, 1000]})
    margins.to_csv(folder / "penduduk.csv", index=False)
    columns = {"_uuid": {"role": "id"}, "wilayah": {"role": "design"}, "posyandu": {"role": "design"},
               "layanan": {"role": "group"}, "bobot": {"role": "weight"},
               "status_bpjs": {"role": "demographic", "labels": ["ya", "tidak"]},
               "tempat_tinggal": {"role": "demographic", "labels": ["desa", "kota"]}}
    columns.update({f"penilaian/u{j + 1}": {"role": "unsur", "unsur": u.key} for j, u in enumerate(UNSUR_2017)})
    _write_yaml(folder / "codebook.yaml", {"study": "SKM Posyandu", "ignore": ["start", "_submission_time"],
                                           "columns": columns})
    _write_yaml(folder / "studi.yaml", {
        "study": "SKM Posyandu Kabupaten Kapuas Hulu 2026", "area": {"name": "Kabupaten Kapuas Hulu", "level": "kabupaten"},
        "data": {"path": "skm_posyandu_kobo.xlsx", "sheet": "SKM Posyandu"}, "codebook": "codebook.yaml",
        "design": {"weights": "bobot", "strata": "wilayah", "psu": "posyandu"}, "levels": ["layanan"], "unit": "layanan",
        "weighting": {"method": "rake", "margins": "penduduk.csv", "count": "jumlah",
                      "variables": ["status_bpjs", "tempat_tinggal"]}})
    # by hand: rake the design weights to the two margins, each scaled to the design-weighted total
    total = data["bobot"].sum()
    targets = [{k: v * total / margins["jumlah"].sum() for k, v in margins.groupby(var)["jumlah"].sum().items()}
               for var in ("status_bpjs", "tempat_tinggal")]
    w = _rake(data["bobot"].to_numpy(), [data["status_bpjs"].to_numpy(), data["tempat_tinggal"].to_numpy()], targets)
    answers = data[[f"penilaian/u{j + 1}" for j in range(9)]].to_numpy(float)
    per_unit = {g: _hand_ikm(answers[data["layanan"] == g], w[data["layanan"] == g]) for g in data["layanan"].unique()}
    return {"study": folder / "studi.yaml", "area": "Kabupaten Kapuas Hulu", "unit": "layanan",
            "expected": {"area": _hand_ikm(answers, w), "units": per_unit},
            "rel": 1e-8,  # riset's raking stops when no weight moves by 1e-6 of the total (R's rule), the hand IPF later
            "absent": ["Tanjung Harapan", "K1", "P1–P9", "bobot_desain", "kecamatan"]}


#: name -> builder, for parametrised tests
STUDIES = {"kecamatan_2004": kecamatan_2004, "bare_instansi": bare_instansi, "several_files": several_files,
           "google_forms": google_forms, "kobo_xlsx": kobo_xlsx}


#: true effect of the innovation on the converted IKM in `progress_study`: answers are 1 + Binomial(3, p), so
#: E[IKM] = 25 (1 + 3 p) and a shift of p by DELTA moves it by 75 DELTA
DELTA = 0.10
TRUE_DID = 75 * DELTA


def _binomial_answers(rng, n, p):
    return 1 + rng.binomial(3, p, size=(n, 9))


def progress_study(folder: Path, seed: int = 5) -> dict:
    """Four periods of a kabupaten's health and population services: PKM1 starts an innovation in 2026-S1 (its
    p rises by DELTA), PKM2 is its comparison unit (same service type); parallel trends otherwise. With targets,
    last year's published figures, an earlier study (2024) as a series and Ombudsman scores."""
    rng = np.random.default_rng(seed)
    periods = ["2025-S1", "2025-S2", "2026-S1", "2026-S2"]
    units = {"PKM1": ("Puskesmas Satu", "puskesmas", 0.55), "PKM2": ("Puskesmas Dua", "puskesmas", 0.60),
             "DUK": ("Disdukcapil", "dukcapil", 0.65), "RS": ("RSUD", "rumah_sakit", 0.50)}
    frames = []
    for t, period in enumerate(periods):
        for code, (name, kind, base) in units.items():
            p = base + 0.02 * t + DELTA * (code == "PKM1" and t >= 2)
            part = pd.DataFrame(_binomial_answers(rng, 60, p), columns=list(QUESTIONS_2017))
            part.insert(0, "id", [f"{period}-{code}-{i:02d}" for i in range(60)])
            part.insert(1, "unit", code)
            part.insert(2, "nama_unit", name)
            part.insert(3, "jenis", kind)
            part.insert(4, "periode", period)
            frames.append(part)
    data = pd.concat(frames, ignore_index=True)
    data.to_csv(folder / "jawaban.csv", index=False)
    columns = {"id": {"role": "id"}, "unit": {"role": "group"}, "nama_unit": {"role": "group"},
               "jenis": {"role": "group"}, "periode": {"role": "group"}}
    columns.update({q: {"role": "unsur", "unsur": u.key, "scale": [1, 4]} for q, u in QUESTIONS_2017.items()})
    _write_yaml(folder / "codebook.yaml", {"study": "SKM Kabupaten Maju", "id": "id", "columns": columns})
    pd.DataFrame({"unit": ["PKM1"], "nama": ["Antrean daring"], "mulai": ["2026-S1"]}).to_csv(folder / "inovasi.csv",
                                                                                              index=False)
    pd.DataFrame({"tahun": [2019, 2021, 2023], "nilai": [50.39, 62.21, None], "kategori": ["", "", "B"]}).to_csv(
        folder / "ombudsman.csv", index=False)
    pd.DataFrame({"unit": ["PKM1", "DUK"], "ikm": [70.0, 82.0], "se": [1.5, None], "n": [None, 150]}).to_csv(
        folder / "ikm_2024_unit.csv", index=False)
    earlier = folder / "studi_2024"
    earlier.mkdir()
    old = data[data["periode"] == "2025-S1"].assign(periode="2024", unit=lambda d: d["unit"].replace({"DUK": "CAPIL"}),
                                                    id=lambda d: "old-" + d["id"])
    old.to_csv(earlier / "jawaban.csv", index=False)
    _write_yaml(earlier / "codebook.yaml", {"study": "SKM 2024", "id": "id", "columns": columns})
    _write_yaml(earlier / "studi.yaml", {"study": "SKM Kabupaten Maju 2024", "area": "Kabupaten Maju",
                                         "data": "jawaban.csv", "codebook": "codebook.yaml",
                                         "design": {"strata": "unit"}, "levels": ["unit"]})
    _write_yaml(folder / "studi.yaml", {
        "study": "SKM Kabupaten Maju 2025-2026", "area": {"name": "Kabupaten Maju", "level": "kabupaten"},
        "data": "jawaban.csv", "codebook": "codebook.yaml", "design": {"strata": ["unit", "periode"]},
        "levels": ["unit", "periode", ["unit", "periode"]], "unit": "unit", "period": "periode",
        "names": {"unit": "nama_unit"}, "service_type": "jenis",
        "targets": {"area": 80, "default": 78, "units": {"PKM1": 85}},
        "previous": {"label": "2024", "ikm": 75.0, "n": 400, "units": "ikm_2024_unit.csv"},
        "series": {"studies": ["studi_2024"], "labels": ["2024"], "rename": {"CAPIL": "DUK"}},
        "innovations": "inovasi.csv",
        "external": {"file": "ombudsman.csv", "categories": {"A": [88.01, "hijau"], "B": [78.01, "hijau"],
                                                             "C": [66.01, "kuning"], "D": [55.01, "merah"],
                                                             "E": [0, "merah"]}}})
    return {"study": folder / "studi.yaml", "true_did": TRUE_DID}
