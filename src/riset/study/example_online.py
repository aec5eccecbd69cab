"""Online (QR-code) answers for the bundled example, with a known self-selection bias (issue 17.5).

Opt-in (`riset.study.example.make_example_study(online=True)`, CLI ``--daring``): the default example and its
numbers do not change, as this module draws from its own stream ``np.random.default_rng([seed, 17])``.

Four units put a QR code at the counter. In each unit x periode cell all N visitors of the frame
(`pengguna_per_periode`) are simulated from the unit's visitor mix (sex x age) with the example's latent answer
model; each visitor answers online with probability

    p_i = min(1, r_u / 1000 * UMUR_KALI[age_i] * exp(-KECEWA * (s_i - 3)))

with r_u the unit's answers per 1000 visits (`PER_SERIBU`: how visible its code is), UMUR_KALI higher for the
young and s_i the visitor's mean unsur answer (1-4): the dissatisfied answer more. So the raw online IKM is
biased three ways: units with many QR answers weigh too much (corrected by weighting to the volume per unit x
periode), the young -- a little less lenient -- are too many (corrected by the users' age and sex per unit,
`contoh_daring_pengguna.csv`), and the dissatisfied are too many within every cell (no margin corrects it).

Ground truth (``kebenaran["daring"]``): the visitors' expected IKM per unit x periode and of the four units
together (volume-weighted, the estimand of the weighted online IKM) and the model's parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riset.study import example as ex
from riset.study.example_text import written_answers

__all__ = ["FILES_DARING", "KECEWA", "PER_SERIBU", "UMUR_KALI", "UNIT_DARING", "online_sample", "online_study_keys"]

#: The units with a QR code and their online answers per 1000 visits (before the age and satisfaction factors).
PER_SERIBU = {"PKM-KOTA": 2.0, "RSUD-RJ": 8.0, "DUK-KTP": 6.0, "DUK-KK": 3.0}
UNIT_DARING = tuple(PER_SERIBU)
#: Multiplier of the answer probability by age group: the young scan QR codes far more often.
UMUR_KALI = dict(zip(ex.UMUR, (2.6, 1.8, 1.0, 0.6, 0.3)))
#: Self-selection on satisfaction: log-odds-like slope per point of the visitor's mean unsur answer.
KECEWA = 0.9
FILES_DARING = {"daring": "contoh_skm_daring.csv", "daring_pengguna": "contoh_daring_pengguna.csv"}
_DESIGN_COLUMNS = ("hari", "n_hari_layanan", "n_pengunjung_hari", "bobot_desain")


def online_sample(seed: int, frame: pd.DataFrame, levels: np.ndarray, offsets: np.ndarray, periods,
                  innovations=()) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The QR answers (export layout of the example, design columns blank, ids Q00001...), the users' table
    (unit x jenis_kelamin x kelompok_umur, expected visits over the periods) and the ground truth."""
    rng = np.random.default_rng([seed, 17])
    index = {u.unit: i for i, u in enumerate(ex.UNITS)}
    volume = frame.set_index(["unit", "periode"])["pengguna_per_periode"]
    visitors = pd.concat([_visitors(rng, index[u], pi, p, int(volume[(u, p)])) for u in UNIT_DARING
                          for pi, p in enumerate(periods)], ignore_index=True)
    answers = ex.draw_answers(rng, visitors, levels, offsets, periods, innovations)
    mean_answer = answers[list(ex.UNSUR_KEYS)].mean(axis=1).to_numpy()
    rate = np.array([PER_SERIBU[ex.UNITS[i].unit] for i in visitors["ui"]]) / 1000
    age_factor = np.array([UMUR_KALI[a] for a in ex.UMUR])[visitors["age"].to_numpy()]
    chosen = rng.random(len(visitors)) < np.minimum(1.0, rate * age_factor * np.exp(-KECEWA * (mean_answer - 3)))
    people, answers = visitors[chosen].reset_index(drop=True), answers[chosen].reset_index(drop=True)
    location = {k: ex.solve_location(ex.KEPENTINGAN[k], ex.SD_KEPENTINGAN_RESPONDEN, ex.SD_KEPENTINGAN_GALAT)
                for k in ex.UNSUR_KEYS}
    importance = ex.draw_importance(rng, len(people), location)
    table = ex.assemble_export(rng, people, answers, importance, periods)
    table["id_responden"] = table["id_responden"].str.replace("R", "Q", n=1)
    for column in _DESIGN_COLUMNS:
        table[column] = None
    # what the QR respondents wrote (the codebook's text column), from its own stream
    said = answers.assign(id_responden=table["id_responden"].to_numpy())
    table["saran"], _ = written_answers(np.random.default_rng([seed, 17, 18]), said,
                                        table["unit"].map(ex.UNIT_KIND))
    return table, _users(volume, periods), _truth(volume, levels, offsets, periods, innovations, table)


def _visitors(rng: np.random.Generator, ui: int, pi: int, periode: str, n: int) -> pd.DataFrame:
    """All n visitors of one cell: sex and age from the unit's visitor mix, a service day, no design."""
    unit = ex.UNITS[ui]
    cell = rng.choice(len(ex.KELAMIN) * len(ex.UMUR), size=n, p=ex.visitor_mix(ex.JENIS[unit.jenis]).ravel())
    sex, age = np.divmod(cell, len(ex.UMUR))
    calendar = ex.service_days(ex.JENIS[unit.jenis], periode)
    day = rng.integers(len(calendar), size=n)
    return pd.DataFrame({"ui": ui, "pi": pi, "tanggal": [calendar[d] for d in day],
                         "hari": [f"{unit.unit}/{periode}/Q{d:03d}" for d in day], "D": np.nan, "M": np.nan,
                         "bobot": np.nan, "sex": sex, "age": age})


def _users(volume: pd.Series, periods) -> pd.DataFrame:
    """Service users of the QR units by sex x age (the visitor mix times the visits of all periods): what a
    unit's register of visitors would give."""
    rows = []
    for code in UNIT_DARING:
        unit = ex.UNITS[[u.unit for u in ex.UNITS].index(code)]
        total = sum(int(volume[(code, p)]) for p in periods)
        mix = ex.visitor_mix(ex.JENIS[unit.jenis])
        rows += [{"unit": code, "jenis_kelamin": s, "kelompok_umur": a, "jumlah": int(round(total * mix[i, j]))}
                 for i, s in enumerate(ex.KELAMIN) for j, a in enumerate(ex.UMUR)]
    return pd.DataFrame(rows)


def _visitor_ikm(ui: int, levels, offsets, periods, innovations) -> np.ndarray:
    """Expected IKM (x25) of all visitors of a unit per periode: the latent model over the visitor age mix."""
    unit = ex.UNITS[ui]
    age_mix = ex.visitor_mix(ex.JENIS[unit.jenis]).sum(axis=0)
    shifts = np.array([ex.UMUR_SHIFT[a] for a in ex.UMUR])
    q = ex.latent_quality(unit, levels[ui], offsets[ui], periods, innovations)
    sd = np.sqrt(ex.SD_HARI**2 + ex.SD_RESPONDEN**2 + ex.SD_GALAT**2)
    nrr = np.tensordot(ex.expected_answers(q[..., None] + shifts, sd), age_mix, axes=([-1], [0]))
    return 25 * nrr.mean(axis=1)


def _truth(volume: pd.Series, levels, offsets, periods, innovations, table: pd.DataFrame) -> dict:
    index = {u.unit: i for i, u in enumerate(ex.UNITS)}
    cells = {u: dict(zip(periods, _visitor_ikm(index[u], levels, offsets, periods, innovations))) for u in UNIT_DARING}
    weights = {(u, p): float(volume[(u, p)]) for u in UNIT_DARING for p in periods}
    total = sum(weights.values())
    return ex.round_truth({
        "keterangan": "Jawaban daring (kode QR) contoh dengan bias seleksi yang diketahui; lihat "
                      "riset/study/example_online.py.",
        "unit": list(UNIT_DARING),
        "jawaban_per_seribu_kunjungan": dict(PER_SERIBU),
        "pengali_umur": dict(UMUR_KALI),
        "kecewa": KECEWA,
        "n_jawaban": {u: int((table["unit"] == u).sum()) for u in UNIT_DARING},
        "ikm_pengunjung_per_sel": cells,
        "ikm_pengunjung_unit": {u: sum(weights[(u, p)] * cells[u][p] for p in periods)
                                / sum(weights[(u, p)] for p in periods) for u in UNIT_DARING},
        "ikm_pengunjung_semua": sum(w * cells[u][p] for (u, p), w in weights.items()) / total,
    })


def online_study_keys(data_file: str) -> str:
    """The study file's data list and `online:` block for the example with its QR answers."""
    return (f"data:\n  - {data_file}\n  - {{path: {FILES_DARING['daring']}, source: online}}\n"
            "# Jawaban daring (kode QR): dibobot ke kunjungan unit x periode (kerangka) dan ke umur dan jenis kelamin\n"
            "# pengguna tiap unit; dilaporkan terpisah dari sampel probabilitas.\n"
            "online:\n  count: pengguna_per_periode\n  cells: [unit, periode]\n"
            f"  margins: {FILES_DARING['daring_pengguna']}\n"
            "  variables: [[unit, kelompok_umur], [unit, jenis_kelamin]]\n  scale: unit\n  combine: separate\n")
