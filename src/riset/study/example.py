"""Seeded generator of the bundled example study (``data/raw/contoh_*``) and its ground truth.

The study is fictional: Kabupaten Tanjung Harapan (about 250,000 people, 6 kecamatan) surveys 15 unit
layanan -- 6 puskesmas, the RSUD outpatient clinic, 3 SMP negeri, the Dinas Pendidikan legalisir desk and
4 Disdukcapil services -- in two periods (2026-S1, 2026-S2) with exit interviews.

Sampling: two stages, stratified by unit x periode (Lumley 2010, ch. 3; Cochran 1977, ch. 10-11)::

    stage 1   d service days by simple random sampling out of the D days the unit is open in the period
    stage 2   on a sampled day the interviewer approaches leaving visitors one after another until
              `target_per_hari` have answered (or the day's M visitors run out); m = interviews that day
    bobot_desain = D / d * M / m

Refusal depends on sex and age (`RESPON`), so respondents over-represent women and people aged 35-54;
post-stratifying / raking to the resident margins (`contoh_margin_penduduk.csv`) corrects part of that.

Answers come from a latent-variable model with cut-points c = (1.5, 2.5, 3.5)::

    y*_ij   = q[u(i), p(i), j] + a[age(i)] + h[day(i)] + r_i + e_ij
              h ~ N(0, SD_HARI^2), r ~ N(0, SD_RESPONDEN^2), e ~ N(0, SD_GALAT^2)
    U_ij    = 1 + #{k : y*_ij > c_k}                                                       (1-4)
    E[U_ij] = 1 + sum_k Phi((q + a - c_k) / s),  s^2 = SD_HARI^2 + SD_RESPONDEN^2 + SD_GALAT^2
    q[u, p, j] = L_u + UNSUR_OFFSET[j] + z_uj + gain[u, p, j]    (biaya: BIAYA_LEVEL[jenis] + z_uj)
    K1_i    = clip(round(K1_INTERSEP + sum_j BETA[j] U_ij + K1_UMUR[age] + K1_KELAMIN[sex] + N(0, SD_K1^2)), 1, 10)
    P_ij    = 1 + #{k : m_j + r'_i + e'_ij > c_k}      with m_j solved so that E[P_j] = KEPENTINGAN[j]

L_u is solved so that the expected unweighted IKM of the unit (both periods pooled, x25) equals the
unit's intended score, which lies well inside a PermenPAN-RB 14/2017 band (A >= 88.31, B >= 76.61,
C >= 65.00). A longer series (`make_example_study(periods=PERIODE_SERI, innovations=INOVASI_SERI)`, CLI
``--seri``) adds earlier semesters and an innovation register: each innovation adds its latent effect to
q[u, p, j] from its first period on, and the ground truth gains its effect on the IKM.

Finally the answers are made messy like a merged paper + online export (labels typed instead of digits,
blanks, missing code 9, a few invalid cells); every injected cell is listed in the ground truth (`kebenaran`).

Example
-------
>>> from riset.study.example import make_example_study
>>> study = make_example_study(seed=2026)
>>> sorted(study)
['codebook', 'kebenaran', 'kebenaran_saran', 'kerangka', 'margin', 'responden']
>>> study["kebenaran"]["model_k1"]["urutan_menurut_beta"][:3]
['waktu', 'perilaku', 'prosedur']
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import factorial
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm

from riset.errors import RisetError
from riset.skm.schemes import UNSUR_2017, get_scheme, grade
from riset.study.example_text import written_answers

__all__ = ["BETA", "codebook", "CUT_POINTS", "DEFAULT_SEED", "FILES", "IBU_KOTA", "JENIS", "Jenis", "K1_INTERSEP",
           "K1_KELAMIN", "K1_UMUR", "KECAMATAN", "KELAMIN", "KEPENTINGAN", "KODE_9", "KOLOM_KEPENTINGAN",
           "KOLOM_UNSUR", "KOLOM_UNSUR_BY_KEY", "KOSONG", "KUADRAN", "LABEL_KEPENTINGAN", "main",
           "make_example_study", "MISSING_CODE", "PEKERJAAN", "PENDIDIKAN", "PERIODE", "PERTANYAAN_K1",
           "PERTANYAAN_P", "PERTANYAAN_SARAN", "RESPON_KELAMIN", "RESPON_UMUR", "SD_K1", "SD_UNIT_UNSUR", "STUDY",
           "STUDY_FILE", "TEKS_LABEL", "TIDAK_VALID", "UMUR", "UMUR_SHIFT", "UnitLayanan", "UNITS", "UNSUR_KEYS",
           "UNSUR_OFFSET", "write_example_study",
           # the longer series (issue 16)
           "FILE_INOVASI", "INOVASI_SERI", "Inovasi", "PERIODE_SERI", "study_file",
           # the building blocks the opt-in online sample reuses (riset.study.example_online)
           "assemble_export", "draw_answers", "draw_importance", "expected_answers", "latent_quality", "round_truth",
           "service_days", "solve_location", "UNIT_KIND", "visitor_mix"]

DEFAULT_SEED = 2026
STUDY = "SKM Kabupaten Tanjung Harapan 2026 (data contoh fiktif)"
PERIODE = ("2026-S1", "2026-S2")
#: The longer series for change over time (issue 16): four semesters, one registered innovation (`INOVASI_SERI`).
PERIODE_SERI = ("2025-S1", "2025-S2", "2026-S1", "2026-S2")
#: Semesters the calendar below knows (national and school holidays, approximate dates).
_TAHUN = (2024, 2025, 2026)

FILES = {
    "studi": "studi.yaml",
    "responden": "contoh_skm_responden.csv",
    "kerangka": "contoh_kerangka_sampel.csv",
    "margin": "contoh_margin_penduduk.csv",
    "codebook": "contoh_skm_codebook.yaml",
    "kebenaran": "contoh_kebenaran.yaml",
    "kebenaran_saran": "contoh_kebenaran_saran.csv",
}

#: Questionnaire order (the regulation's sample questionnaire): U8 = sarana, U9 = pengaduan.
KOLOM_UNSUR = {
    "U1": "persyaratan", "U2": "prosedur", "U3": "waktu", "U4": "biaya", "U5": "produk",
    "U6": "kompetensi", "U7": "perilaku", "U8": "sarana", "U9": "pengaduan",
}
KOLOM_UNSUR_BY_KEY = {k: c for c, k in KOLOM_UNSUR.items()}
UNSUR_KEYS = tuple(u.key for u in UNSUR_2017)  # regulation order
KOLOM_KEPENTINGAN = {f"P{c[1:]}": k for c, k in KOLOM_UNSUR.items()}
LABEL_KEPENTINGAN = ("Tidak penting", "Kurang penting", "Penting", "Sangat penting")
PERTANYAAN_K1 = "Secara keseluruhan, seberapa puas Bapak/Ibu dengan pelayanan unit ini? (1 = sangat tidak puas, 10 = sangat puas)"
PERTANYAAN_P = "Seberapa penting bagi Bapak/Ibu: {nama}?"
PERTANYAAN_SARAN = "Saran dan masukan untuk perbaikan pelayanan unit ini"
MISSING_CODE = 9

#: Kecamatan (fictional) and total population; residents aged 17+ are about 68 % (70 % in the capital).
KECAMATAN = {
    "Tanjung Kota": 62_000, "Bukit Asri": 45_000, "Pantai Lestari": 38_000,
    "Sungai Mas": 41_000, "Lembah Hijau": 33_000, "Air Jernih": 31_000,
}
IBU_KOTA = "Tanjung Kota"
KELAMIN = ("Laki-laki", "Perempuan")
UMUR = ("17-24", "25-34", "35-44", "45-54", "55+")
PENDIDIKAN = ("SD ke bawah", "SMP", "SMA/SMK", "D1-D3", "S1 ke atas")
PEKERJAAN = ("PNS/TNI/Polri", "Pegawai swasta", "Wiraswasta", "Petani/Nelayan", "Pelajar/Mahasiswa",
             "Ibu rumah tangga", "Lainnya")


@dataclass(frozen=True)
class Jenis:
    """What is common to one kind of unit: opening days, visitor mix, where visitors live, cost level."""

    hari_buka: int                          # 6 = Monday-Saturday, 5 = Monday-Friday
    perempuan: float                        # share of women among visitors
    umur: tuple[float, ...]                 # visitor age mix over UMUR
    pendidikan_kali: tuple[float, ...]      # multipliers on the age-specific education mix
    kecamatan_sendiri: float                # share of visitors living in the unit's own kecamatan
    biaya: float                            # latent level of biaya (4.3: nearly everyone answers "Gratis")
    libur_sekolah: bool = False


JENIS = {
    "puskesmas": Jenis(6, 0.65, (0.12, 0.22, 0.20, 0.20, 0.26), (1.2, 1.0, 1.0, 0.8, 0.7), 0.85, 4.30),
    "rsud": Jenis(6, 0.56, (0.10, 0.18, 0.20, 0.22, 0.30), (1.0, 1.0, 1.0, 1.0, 1.0), 0.35, 3.05),
    "sekolah": Jenis(5, 0.60, (0.04, 0.20, 0.52, 0.20, 0.04), (0.9, 1.0, 1.0, 1.1, 1.1), 0.85, 4.30, True),
    "dinas": Jenis(5, 0.52, (0.45, 0.35, 0.12, 0.06, 0.02), (0.05, 0.6, 1.0, 1.4, 1.5), 0.40, 4.20),
    "dukcapil": Jenis(5, 0.50, (0.22, 0.25, 0.22, 0.17, 0.14), (1.0, 1.0, 1.0, 1.0, 1.0), 0.40, 4.25),
}


@dataclass(frozen=True)
class UnitLayanan:
    """One service unit: identity, kind, intended IKM (x25), daily visitors, sample plan, S2 change (latent)."""

    unit: str
    nama_unit: str
    opd: str
    jenis_layanan: str
    kecamatan: str
    jenis: str
    ikm_target: float
    pengunjung_per_hari: float
    hari_sampel: int
    target_per_hari: int
    perubahan_s2: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Inovasi:
    """A service innovation of the register: unit, name, first period with it, and its latent effect, added to
    q[u, p, j] of the named unsur in that period and every later one."""

    unit: str
    nama: str
    mulai: str
    efek: tuple[tuple[str, float], ...]


_DINKES, _DIKBUD, _DUKCAPIL = "Dinas Kesehatan", "Dinas Pendidikan dan Kebudayaan", "Disdukcapil"
_RSUD = "RSUD Tanjung Harapan"
_PKM_LAYANAN = "Pelayanan kesehatan dasar (rawat jalan)"
_SMP_LAYANAN = "Administrasi sekolah (PPDB, mutasi, legalisir)"

UNITS: tuple[UnitLayanan, ...] = (
    UnitLayanan("PKM-KOTA", "Puskesmas Tanjung Kota", _DINKES, _PKM_LAYANAN, "Tanjung Kota", "puskesmas",
                91.0, 105, 12, 8),
    UnitLayanan("PKM-BASRI", "Puskesmas Bukit Asri", _DINKES, _PKM_LAYANAN, "Bukit Asri", "puskesmas",
                82.0, 80, 10, 7),
    UnitLayanan("PKM-PLESTARI", "Puskesmas Pantai Lestari", _DINKES, _PKM_LAYANAN, "Pantai Lestari", "puskesmas",
                80.0, 70, 10, 7, (("waktu", 0.40), ("prosedur", 0.25))),
    UnitLayanan("PKM-SMAS", "Puskesmas Sungai Mas", _DINKES, _PKM_LAYANAN, "Sungai Mas", "puskesmas",
                71.5, 75, 10, 7, (("sarana", 0.60), ("waktu", 0.30))),
    UnitLayanan("PKM-LHIJAU", "Puskesmas Lembah Hijau", _DINKES, _PKM_LAYANAN, "Lembah Hijau", "puskesmas",
                84.5, 55, 10, 7),
    UnitLayanan("PKM-AJERNIH", "Puskesmas Air Jernih", _DINKES, _PKM_LAYANAN, "Air Jernih", "puskesmas",
                80.5, 50, 10, 7),
    UnitLayanan("RSUD-RJ", "RSUD Tanjung Harapan - Instalasi Rawat Jalan", _RSUD, "Rawat jalan rumah sakit",
                "Tanjung Kota", "rsud", 72.0, 260, 15, 8, (("waktu", 0.70), ("prosedur", 0.40), ("sarana", 0.30))),
    UnitLayanan("SMPN1-KOTA", "SMP Negeri 1 Tanjung Harapan", _DIKBUD, _SMP_LAYANAN, "Tanjung Kota", "sekolah",
                85.0, 16, 8, 5),
    UnitLayanan("SMPN2-BASRI", "SMP Negeri 2 Tanjung Harapan", _DIKBUD, _SMP_LAYANAN, "Bukit Asri", "sekolah",
                81.5, 13, 8, 5, (("pengaduan", 0.50),)),
    UnitLayanan("SMPN3-SMAS", "SMP Negeri 3 Tanjung Harapan", _DIKBUD, _SMP_LAYANAN, "Sungai Mas", "sekolah",
                80.0, 12, 8, 5),
    UnitLayanan("DIK-LEGALISIR", "Dinas Pendidikan - Layanan Legalisir Ijazah", _DIKBUD,
                "Legalisir ijazah dan surat keterangan pengganti ijazah", "Tanjung Kota", "dinas",
                83.0, 18, 8, 5),
    UnitLayanan("DUK-KTP", "Disdukcapil - Layanan KTP-el", _DUKCAPIL, "Perekaman dan pencetakan KTP-el",
                "Tanjung Kota", "dukcapil", 80.5, 90, 12, 8, (("waktu", 0.60),)),
    UnitLayanan("DUK-KK", "Disdukcapil - Layanan Kartu Keluarga", _DUKCAPIL, "Penerbitan dan perubahan Kartu Keluarga",
                "Tanjung Kota", "dukcapil", 82.5, 60, 10, 7, (("waktu", -0.35),)),
    UnitLayanan("DUK-AKTA", "Disdukcapil - Layanan Akta Pencatatan Sipil", _DUKCAPIL,
                "Akta kelahiran, kematian dan perkawinan", "Tanjung Kota", "dukcapil", 91.5, 35, 8, 6),
    UnitLayanan("DUK-PLESTARI", "Disdukcapil - Loket Pelayanan Kecamatan Pantai Lestari", _DUKCAPIL,
                "Pelayanan administrasi kependudukan (KTP-el, KK, akta)", "Pantai Lestari", "dukcapil",
                79.5, 25, 8, 5),
)
#: The kind of service of each unit, the key of its sentences in riset.study.example_text.
UNIT_KIND = {u.unit: u.jenis for u in UNITS}

#: The series example's innovation: online registration and queue at one puskesmas from 2026-S1. Comparable
#: units are the other puskesmas without an innovation; two of them change in 2026-S2 (`perubahan_s2`), so the
#: DiD estimand (`kebenaran["inovasi"]`, did_harapan) differs a little from the effect on the unit itself.
INOVASI_SERI = (Inovasi("PKM-LHIJAU", "Pendaftaran dan antrean daring", "2026-S1",
                        (("waktu", 0.80), ("prosedur", 0.50), ("sarana", 0.30))),)
#: The unit changes of `UnitLayanan.perubahan_s2` hold from this period on.
_MULAI_PERUBAHAN = "2026-S2"
FILE_INOVASI = "contoh_inovasi.csv"

# --- latent answer model ------------------------------------------------------------------------------
CUT_POINTS = (1.5, 2.5, 3.5)
SD_HARI, SD_RESPONDEN, SD_GALAT = 0.08, 0.30, 0.55
#: Unsur pattern relative to the unit level: waktu and pengaduan weakest, perilaku/kompetensi strongest.
UNSUR_OFFSET = {
    "persyaratan": 0.22, "prosedur": -0.15, "waktu": -0.40, "produk": 0.20, "kompetensi": 0.25,
    "perilaku": 0.32, "sarana": -0.12, "pengaduan": -0.30,
}
SD_UNIT_UNSUR = 0.08
#: Older respondents are a little more lenient (shift of the latent answer).
UMUR_SHIFT = dict(zip(UMUR, (-0.12, -0.06, 0.0, 0.05, 0.10)))

# --- overall satisfaction K1 (1-10) -------------------------------------------------------------------
BETA = {
    "waktu": 0.60, "perilaku": 0.50, "prosedur": 0.36, "sarana": 0.28, "kompetensi": 0.21,
    "persyaratan": 0.17, "pengaduan": 0.12, "produk": 0.07, "biaya": 0.03,
}
K1_INTERSEP = -0.20
K1_UMUR = dict(zip(UMUR, (-0.20, -0.10, 0.0, 0.10, 0.25)))
K1_KELAMIN = {"Laki-laki": 0.0, "Perempuan": 0.15}
SD_K1 = 0.60

# --- stated importance P1..P9 (1-4) and the intended IPA quadrant --------------------------------------
KEPENTINGAN = {
    "persyaratan": 3.15, "prosedur": 3.55, "waktu": 3.75, "biaya": 2.95, "produk": 3.10,
    "kompetensi": 3.55, "perilaku": 3.65, "sarana": 3.15, "pengaduan": 3.05,
}
SD_KEPENTINGAN_RESPONDEN, SD_KEPENTINGAN_GALAT = 0.25, 0.45
KUADRAN = {
    "waktu": "I Prioritas Utama", "prosedur": "I Prioritas Utama",
    "perilaku": "II Pertahankan Prestasi", "kompetensi": "II Pertahankan Prestasi",
    "sarana": "III Prioritas Rendah", "pengaduan": "III Prioritas Rendah",
    "persyaratan": "IV Berlebihan", "produk": "IV Berlebihan", "biaya": "IV Berlebihan",
}

#: Probability that an approached visitor agrees to the interview: base by sex x multiplier by age.
RESPON_KELAMIN = {"Laki-laki": 0.72, "Perempuan": 0.86}
RESPON_UMUR = dict(zip(UMUR, (0.70, 0.85, 1.0, 1.0, 0.85)))

#: Education mix by age group (rows UMUR, columns PENDIDIKAN), before the unit-kind multipliers.
_PENDIDIKAN_UMUR = np.array([
    [0.08, 0.22, 0.55, 0.05, 0.10],
    [0.15, 0.22, 0.40, 0.07, 0.16],
    [0.25, 0.22, 0.33, 0.06, 0.14],
    [0.38, 0.20, 0.26, 0.05, 0.11],
    [0.58, 0.17, 0.17, 0.03, 0.05],
])

# --- messiness of the export ----------------------------------------------------------------------------
KOSONG = {"unsur": 0.03, "pengaduan": 0.15, "importance": 0.02, "overall": 0.01, "pendidikan": 0.01,
          "pekerjaan": 0.015}
KODE_9 = 0.005
TEKS_LABEL = {"unsur": 0.05, "importance": 0.02}
#: Invalid cells injected: (column family, value as typed).
TIDAK_VALID = (
    ("unsur", "5"), ("unsur", "44"), ("unsur", "0"), ("unsur", "bagus"), ("unsur", "-"), ("unsur", "?"),
    ("unsur", "ok"), ("importance", "5"), ("importance", "??"), ("overall", "0"), ("overall", "11"),
)

# Approximate 2026 national holidays and cuti bersama (fictional study: dates need not be official).
_LIBUR = frozenset(date.fromisoformat(d) for d in (
    "2026-01-01", "2026-01-16", "2026-02-17", "2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23",
    "2026-03-24", "2026-04-03", "2026-05-01", "2026-05-14", "2026-05-27", "2026-06-01", "2026-06-16",
    "2026-08-17", "2026-08-25", "2026-12-24", "2026-12-25",
    # earlier years, for the longer series (PERIODE_SERI)
    "2024-01-01", "2024-02-08", "2024-02-09", "2024-02-14", "2024-03-11", "2024-03-29", "2024-04-08", "2024-04-09",
    "2024-04-10", "2024-04-11", "2024-04-12", "2024-04-15", "2024-05-01", "2024-05-09", "2024-05-10", "2024-05-23",
    "2024-05-24", "2024-06-17", "2024-06-18", "2024-07-08", "2024-08-17", "2024-09-16", "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-03-28", "2025-03-31", "2025-04-01", "2025-04-02",
    "2025-04-03", "2025-04-04", "2025-04-07", "2025-04-18", "2025-05-01", "2025-05-12", "2025-05-13", "2025-05-29",
    "2025-05-30", "2025-06-06", "2025-06-09", "2025-06-27", "2025-08-18", "2025-09-05", "2025-12-25", "2025-12-26",
))
_LIBUR_SEKOLAH = ((date(2026, 3, 16), date(2026, 3, 28)), (date(2026, 6, 22), date(2026, 7, 11)),
                  (date(2026, 12, 19), date(2026, 12, 31)),
                  (date(2024, 4, 5), date(2024, 4, 16)), (date(2024, 6, 24), date(2024, 7, 13)),
                  (date(2024, 12, 21), date(2024, 12, 31)), (date(2025, 3, 24), date(2025, 4, 8)),
                  (date(2025, 6, 23), date(2025, 7, 12)), (date(2025, 12, 20), date(2025, 12, 31)))
_HARI_KALI = (1.25, 1.05, 1.0, 0.95, 0.8, 0.7)  # Monday .. Saturday visitor multipliers


def make_example_study(seed: int = DEFAULT_SEED, periods=PERIODE, innovations=(), online: bool = False) -> dict:
    """Generate the example study: respondents, sampling frame, population margins, codebook, ground truth.

    The model is described in the module docstring (two-stage exit-interview design with
    bobot_desain = D/d * M/m, latent-variable answers, K1 = clip(round(a + sum_j beta_j U_j + controls
    + e), 1, 10)); the same `seed` always gives the same files. Keys of the result:
    ``responden`` (the messy export, all answers as text), ``kerangka`` (unit x periode frame),
    ``margin`` (residents 17+ by kecamatan x jenis_kelamin x kelompok_umur), ``codebook`` (dict in the
    format of docs/architecture.md), ``kebenaran`` (ground truth, dict) and ``kebenaran_saran`` (per
    respondent, the unsur and tone the saran text was written about: `riset.study.example_text`).

    `periods` (semesters 'YYYY-S1' / 'YYYY-S2' of 2024-2026 in time order, default `PERIODE`) and `innovations`
    (`Inovasi` rows, e.g. `INOVASI_SERI`) give a longer series: the units' `perubahan_s2` hold from 2026-S2 on,
    each innovation's latent effect from its first period on, and the result gains ``inovasi`` (the register:
    unit, nama, mulai) and ``kebenaran["inovasi"]`` (the true effect on the IKM). The unit levels are solved on
    the two 2026 semesters without innovations, so they are the same in every series; the default call gives
    exactly the bundled files. `online` adds QR answers of a few units with a known self-selection bias
    (``daring``, ``daring_pengguna``, ``kebenaran["daring"]``: `riset.study.example_online`, its own random
    stream: the other files stay the same).

    >>> study = make_example_study(2026)
    >>> study["responden"]["unit"].nunique(), sorted(study["responden"]["periode"].unique())
    (15, ['2026-S1', '2026-S2'])
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise RisetError(f"seed must be a whole number >= 0 (e.g. 2026), not {seed!r}")
    periods, innovations = _check_series(periods, innovations)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    rng_unit, rng_days, rng_people, rng_answers, rng_mess, rng_margin, rng_truth = streams

    offsets = rng_unit.normal(0.0, SD_UNIT_UNSUR, size=(len(UNITS), len(UNSUR_KEYS)))
    levels = np.array([_solve_level(u, offsets[i]) for i, u in enumerate(UNITS)])
    frame, days = _frame_and_days(rng_days, periods)
    people = _respondents(rng_people, days)
    answers = draw_answers(rng_answers, people, levels, offsets, periods, innovations)
    importance_location = {k: solve_location(KEPENTINGAN[k], SD_KEPENTINGAN_RESPONDEN, SD_KEPENTINGAN_GALAT)
                           for k in UNSUR_KEYS}
    importance = draw_importance(rng_answers, len(people), importance_location)
    clean = assemble_export(rng_people, people, answers, importance, periods)
    responden, mess = _make_messy(rng_mess, clean)
    kebenaran = _truth(rng_truth, seed, levels, offsets, importance_location, mess, periods, innovations)
    # saran / keluhan text (riset.study.example_text) from its own stream: the draws above do not change
    responden["saran"], kebenaran_saran = written_answers(
        np.random.default_rng([seed, 18]), clean.rename(columns=KOLOM_UNSUR), clean["unit"].map(UNIT_KIND))
    study = {
        "responden": responden,
        "kerangka": frame,
        "margin": _margins(rng_margin),
        "codebook": codebook(),
        "kebenaran": kebenaran,
        "kebenaran_saran": kebenaran_saran,
    }
    if innovations:
        study["inovasi"] = pd.DataFrame([{"unit": i.unit, "nama": i.nama, "mulai": i.mulai} for i in innovations])
        kebenaran["inovasi"] = round_truth(_innovation_truth(frame, levels, offsets, periods, innovations))
    if online:
        from riset.study.example_online import online_sample
        study["daring"], study["daring_pengguna"], kebenaran["daring"] = online_sample(seed, frame, levels, offsets,
                                                                                        periods, innovations)
    return study


def _check_series(periods, innovations) -> tuple[tuple[str, ...], tuple[Inovasi, ...]]:
    """Periods known to the calendar, in time order; innovations of known units and unsur, starting after the
    first period."""
    periods, innovations = tuple(periods), tuple(innovations)
    known = [f"{y}-S{h}" for y in _TAHUN for h in (1, 2)]
    for p in periods:
        if p not in known:
            raise RisetError(f"period {p!r} is not a semester the example knows ({', '.join(known)})")
    if len(periods) < 2 or list(periods) != sorted(set(periods)):
        raise RisetError(f"periods must be two or more different semesters in time order, not {list(periods)}")
    codes = {u.unit for u in UNITS}
    for i in innovations:
        if i.unit not in codes:
            raise RisetError(f"innovation {i.nama!r}: unit {i.unit!r} is not a unit of the example")
        if i.mulai not in periods[1:]:
            raise RisetError(f"innovation {i.nama!r}: mulai {i.mulai!r} must be one of {', '.join(periods[1:])}")
        unknown = [k for k, _ in i.efek if k not in UNSUR_KEYS]
        if unknown:
            raise RisetError(f"innovation {i.nama!r}: {unknown[0]!r} is not an unsur ({', '.join(UNSUR_KEYS)})")
    return periods, innovations


def write_example_study(out_dir, seed: int = DEFAULT_SEED, periods=PERIODE, innovations=(),
                        online: bool = False) -> dict[str, Path]:
    """Write the five example files (names in `FILES`) into `out_dir`; return name -> path.

    With `periods` / `innovations` (see `make_example_study`) the study covers that series, its study file
    names the innovation register and the register is written too (``inovasi``: `FILE_INOVASI`).

    CSV: UTF-8, comma-separated, '\\n' line ends, blanks as empty fields; YAML: UTF-8, keys in a fixed order.
    Writing twice with the same seed gives byte-identical files.

    >>> import tempfile
    >>> paths = write_example_study(tempfile.mkdtemp())
    >>> sorted(p.name for p in paths.values())[0]
    'contoh_kebenaran.yaml'
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    study = make_example_study(seed, periods, innovations, online)
    series = tuple(periods) != PERIODE or bool(innovations)
    header = (f"# Dibuat oleh: python -m riset.study.example --out <folder> --seed {seed}{' --seri' * series}"
              f"{' --daring' * online}  (jangan diedit tangan)\n")
    paths = {}
    files = FILES | ({"inovasi": FILE_INOVASI} if innovations else {})
    if online:
        from riset.study.example_online import FILES_DARING
        files |= FILES_DARING
    for name, filename in files.items():
        path = out / filename
        if name == "studi":
            path.write_text(header + study_file(periods, innovations, online), encoding="utf-8")
            paths[name] = path
            continue
        content = study[name]
        if isinstance(content, pd.DataFrame):
            content.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        else:
            text = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
            path.write_text(header + text, encoding="utf-8")
        paths[name] = path
    return paths


#: The example's study file (`riset.study.config`): everything specific to this study lives here, nothing
#: of it in library code. `make demo` runs ``riset report data/raw/studi.yaml`` like any user's study.
STUDY_FILE = f"""\
# Berkas studi contoh (fiktif). Kunci dan artinya: riset init, atau docs/architecture.md.
study: {STUDY}
area: {{name: Kabupaten Tanjung Harapan, level: kabupaten}}
organiser: Tim Peneliti riset (data contoh fiktif)
fieldwork: Januari-Desember 2026 (semester 1 dan semester 2)
data: {FILES["responden"]}
codebook: {FILES["codebook"]}
frame: {FILES["kerangka"]}
# Wawancara keluar dua tahap berstrata: strata unit x periode, PSU hari layanan (FPC: hari buka),
# SSU responden (FPC: pengunjung hari itu); bobot desain = D/d x M/m.
design:
  weights: bobot_desain
  strata: [unit, periode]
  psu: hari
  fpc: n_hari_layanan
  ssu: id_responden
  fpc2: n_pengunjung_hari
levels: [periode, opd, unit, [unit, periode]]
unit: unit
period: periode
names: {{unit: nama_unit}}
service_type: jenis_layanan
# Komposisi jenis kelamin dan umur penduduk 17+ di tiap kecamatan, total kunjungan tiap unit x periode tetap.
weighting:
  method: calibrate
  calfun: raking
  margins: {FILES["margin"]}
  count: jumlah
  variables: [[kecamatan, jenis_kelamin], [kecamatan, kelompok_umur]]
  scale: kecamatan
  keep_totals: [unit, periode]
overall: K1
importance: [{", ".join(KOLOM_KEPENTINGAN)}]
language: id
seed: {DEFAULT_SEED}
drivers: {{replicates: 100}}
"""


def study_file(periods=PERIODE, innovations=(), online: bool = False) -> str:
    """`STUDY_FILE` for a series of `periods` (title and fieldwork line), naming the innovation register when
    there are `innovations` and the QR answers with their `online:` keys when `online`; the bundled `STUDY_FILE`
    itself for the default."""
    periods = tuple(periods)
    text = STUDY_FILE
    if online:
        from riset.study.example_online import online_study_keys
        text = text.replace(f"data: {FILES['responden']}\n", online_study_keys(FILES["responden"]))
    if periods != PERIODE:
        years = sorted({p[:4] for p in periods})
        span = years[0] if len(years) == 1 else f"{years[0]}-{years[-1]}"
        text = text.replace(f"study: {STUDY}", f"study: {STUDY.replace('2026', span, 1)}")
        text = re.sub(r"(?m)^fieldwork: .*$", f"fieldwork: {len(periods)} semester ({', '.join(periods)})", text)
    if innovations:
        text += f"# Register inovasi pelayanan (unit, nama, mulai = semester pertama dengan inovasi).\n" \
                f"innovations: {FILE_INOVASI}\n"
    return text


def codebook() -> dict:
    """The codebook of the example export (format of docs/architecture.md), as a dict.

    Unsur are named, not numbered: U8 is 'sarana' and U9 'pengaduan' (sample-questionnaire order).
    Labels are those of PermenPAN-RB 14/2017 (`riset.skm.schemes.UNSUR_2017`); 9 = "tidak tahu / tidak menjawab".

    >>> codebook()["columns"]["U8"]["unsur"]
    'sarana'
    """
    scheme = get_scheme("permenpan14_2017")
    columns: dict[str, dict] = {"id_responden": {"role": "id"}, "periode": {"role": "group"},
                                "tanggal": {"role": "other"}, "kecamatan": {"role": "demographic"}}
    columns |= {c: {"role": "group"} for c in ("opd", "unit", "nama_unit", "jenis_layanan")}
    columns |= {c: {"role": "design"} for c in ("hari", "n_hari_layanan", "n_pengunjung_hari")}
    columns["bobot_desain"] = {"role": "weight"}
    # categories listed in their natural order (the respondent profile follows it)
    columns |= {c: {"role": "demographic", "labels": dict(enumerate(cats, start=1))}
                for c, cats in (("jenis_kelamin", KELAMIN), ("kelompok_umur", UMUR), ("pendidikan", PENDIDIKAN),
                                ("pekerjaan", PEKERJAAN))}
    for col, key in KOLOM_UNSUR.items():
        labels = dict(enumerate(scheme.get(key).labels, start=1))
        columns[col] = {"role": "unsur", "unsur": key, "scale": [1, 4], "labels": labels, "missing": [MISSING_CODE],
                        "pertanyaan": scheme.get(key).question}
    columns["K1"] = {"role": "overall", "scale": [1, 10], "pertanyaan": PERTANYAAN_K1}
    for col, key in KOLOM_KEPENTINGAN.items():
        columns[col] = {"role": "importance", "unsur": key, "scale": [1, 4],
                        "labels": dict(enumerate(LABEL_KEPENTINGAN, start=1)), "missing": [MISSING_CODE],
                        "pertanyaan": PERTANYAAN_P.format(nama=scheme.get(key).nama.lower())}
    columns["saran"] = {"role": "text", "pertanyaan": PERTANYAAN_SARAN}
    return {"study": STUDY, "scheme": scheme.key, "id": "id_responden", "ignore": ["Timestamp"], "columns": columns}


# --- expected answers and solving the latent levels ----------------------------------------------------

def expected_answers(location, sd: float) -> np.ndarray:
    """E[U] = 1 + sum_k Phi((location - c_k) / sd) for a latent N(location, sd^2) cut at CUT_POINTS."""
    loc = np.asarray(location, dtype=float)[..., None]
    return 1.0 + norm.cdf((loc - np.array(CUT_POINTS)) / sd).sum(axis=-1)


def _bisect(f, target: float, lo: float, hi: float) -> float:
    """x in [lo, hi] with f(x) = target for an increasing f (60 halvings: as exact as a float allows)."""
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < target else (lo, mid)
    return (lo + hi) / 2


def visitor_mix(jenis: Jenis) -> np.ndarray:
    """P(sex, age) among the unit's visitors (2 x 5; sex and age independent)."""
    return np.outer([1 - jenis.perempuan, jenis.perempuan], jenis.umur)


def _respondent_mix(jenis: Jenis) -> np.ndarray:
    """P(sex, age | respondent) = P(sex, age) p(sex, age) / sum: the visitor mix after refusals (2 x 5)."""
    mix = visitor_mix(jenis) * np.outer([RESPON_KELAMIN[s] for s in KELAMIN], [RESPON_UMUR[a] for a in UMUR])
    return mix / mix.sum()


def latent_quality(unit: UnitLayanan, level: float, offsets: np.ndarray, periods=PERIODE, innovations=()) -> np.ndarray:
    """Latent quality q[periode, unsur] (periods x 9) of one unit: its base, plus `perubahan_s2` from 2026-S2
    on and each of its innovations' effect from the innovation's first period on."""
    jenis = JENIS[unit.jenis]
    base = np.array([jenis.biaya if k == "biaya" else level + UNSUR_OFFSET[k] for k in UNSUR_KEYS]) + offsets
    changes = [(_MULAI_PERUBAHAN, unit.perubahan_s2), *((i.mulai, i.efek) for i in innovations if i.unit == unit.unit)]
    gain = np.zeros((len(periods), len(UNSUR_KEYS)))
    for start, effect in changes:
        step = dict(effect)
        gain += np.outer([p >= start for p in periods], [step.get(k, 0.0) for k in UNSUR_KEYS])
    return base + gain


def _expected_nrr(unit: UnitLayanan, level: float, offsets: np.ndarray, periods=PERIODE, innovations=()) -> np.ndarray:
    """Expected answer per periode x unsur (periods x 9), averaged over the unit's respondent age mix."""
    age_mix = _respondent_mix(JENIS[unit.jenis]).sum(axis=0)
    shifts = np.array([UMUR_SHIFT[a] for a in UMUR])
    q = latent_quality(unit, level, offsets, periods, innovations)
    sd = np.sqrt(SD_HARI**2 + SD_RESPONDEN**2 + SD_GALAT**2)
    return np.tensordot(expected_answers(q[..., None] + shifts, sd), age_mix, axes=([-1], [0]))


def _solve_level(unit: UnitLayanan, offsets: np.ndarray) -> float:
    """L_u such that the expected pooled IKM x25 equals unit.ikm_target.

    Both periods have the same planned n, so the pooled unweighted mean is the average of the two.
    """
    return _bisect(lambda level: 25 * _expected_nrr(unit, level, offsets).mean(), unit.ikm_target, -2.0, 7.0)


def solve_location(mean: float, sd_person: float, sd_noise: float) -> float:
    """Latent location m with E[answer] = mean when the latent is N(m, sd_person^2 + sd_noise^2)."""
    sd = np.sqrt(sd_person**2 + sd_noise**2)
    return _bisect(lambda m: float(expected_answers(m, sd)), mean, -2.0, 8.0)


# --- frame, days, respondents ------------------------------------------------------------------------

def service_days(jenis: Jenis, periode: str) -> list[date]:
    year, half = int(periode[:4]), periode[-1]
    start, end = (date(year, 1, 1), date(year, 6, 30)) if half == "1" else (date(year, 7, 1), date(year, 12, 31))
    days = [start + timedelta(n) for n in range((end - start).days + 1)]
    open_days = [d for d in days if d.weekday() < jenis.hari_buka and d not in _LIBUR]
    if jenis.libur_sekolah:
        open_days = [d for d in open_days if not any(a <= d <= b for a, b in _LIBUR_SEKOLAH)]
    return open_days


def _frame_and_days(rng: np.random.Generator, periods) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frame (unit x periode) and the sampled days with their visitor count M."""
    frame_rows, day_rows = [], []
    for ui, unit in enumerate(UNITS):
        jenis = JENIS[unit.jenis]
        for pi, periode in enumerate(periods):
            calendar = service_days(jenis, periode)
            mean = unit.pengunjung_per_hari * np.array([_HARI_KALI[d.weekday()] for d in calendar])
            visitors = rng.poisson(mean * rng.gamma(15.0, 1 / 15.0, size=len(calendar)))
            # a day with fewer visitors than twice the quota does not happen at these units (keeps m near quota)
            visitors = np.maximum(visitors, 2 * unit.target_per_hari)
            sampled = np.sort(rng.choice(len(calendar), size=unit.hari_sampel, replace=False))
            frame_rows.append({
                "unit": unit.unit, "nama_unit": unit.nama_unit, "opd": unit.opd, "jenis_layanan": unit.jenis_layanan,
                "kecamatan": unit.kecamatan, "periode": periode, "n_hari_layanan": len(calendar),
                "pengguna_per_periode": int(visitors.sum()), "n_hari_sampel": unit.hari_sampel,
                "target_per_hari": unit.target_per_hari, "n_sampel_rencana": unit.hari_sampel * unit.target_per_hari,
            })
            day_rows += [{"ui": ui, "pi": pi, "tanggal": calendar[k], "hari": f"{unit.unit}/{periode}/H{k + 1:03d}",
                          "D": len(calendar), "M": int(visitors[k])} for k in sampled]
    return pd.DataFrame(frame_rows), pd.DataFrame(day_rows)


def _respondents(rng: np.random.Generator, days: pd.DataFrame) -> pd.DataFrame:
    """Approach the M visitors of each sampled day in order; keep the first `target_per_hari` who agree."""
    rows = []
    for day in days.itertuples(index=False):
        unit = UNITS[day.ui]
        mix = visitor_mix(JENIS[unit.jenis])
        cell = rng.choice(mix.size, size=day.M, p=mix.ravel())
        sex, age = np.divmod(cell, len(UMUR))
        p = np.array([RESPON_KELAMIN[KELAMIN[s]] * RESPON_UMUR[UMUR[a]] for s, a in zip(sex, age)])
        agreed = np.flatnonzero(rng.random(day.M) < p)[: unit.target_per_hari]
        rows += [{"ui": day.ui, "pi": day.pi, "tanggal": day.tanggal, "hari": day.hari, "D": day.D, "M": day.M,
                  "sex": int(sex[k]), "age": int(age[k])} for k in agreed]
    people = pd.DataFrame(rows)
    people["m"] = people.groupby("hari")["hari"].transform("size")
    people["d"] = people.groupby(["ui", "pi"])["hari"].transform("nunique")
    people["bobot"] = people["D"] / people["d"] * (people["M"] / people["m"])
    return people


def draw_answers(rng: np.random.Generator, people: pd.DataFrame, levels, offsets, periods,
             innovations) -> pd.DataFrame:
    """Unsur answers U (1-4, by unsur key) and K1 (1-10) from the latent model, before any messiness."""
    n = len(people)
    # unit x periode x unsur
    q = np.stack([latent_quality(u, levels[i], offsets[i], periods, innovations) for i, u in enumerate(UNITS)])
    day_codes, day_index = np.unique(people["hari"].to_numpy(), return_inverse=True)
    day_effect = rng.normal(0.0, SD_HARI, size=len(day_codes))[day_index]
    shift = np.array([UMUR_SHIFT[a] for a in UMUR])[people["age"].to_numpy()]
    person = rng.normal(0.0, SD_RESPONDEN, size=n)
    latent = (q[people["ui"].to_numpy(), people["pi"].to_numpy()] + (shift + day_effect + person)[:, None]
              + rng.normal(0.0, SD_GALAT, size=(n, len(UNSUR_KEYS))))
    u = 1 + (latent[..., None] > np.array(CUT_POINTS)).sum(axis=-1)
    out = pd.DataFrame(u, columns=list(UNSUR_KEYS), index=people.index)
    out["K1"] = _k1(rng, out, people["age"].to_numpy(), people["sex"].to_numpy())
    return out


def _k1(rng: np.random.Generator, u: pd.DataFrame, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    linear = (K1_INTERSEP + u[list(BETA)].to_numpy() @ np.array(list(BETA.values()))
              + np.array(list(K1_UMUR.values()))[age] + np.array(list(K1_KELAMIN.values()))[sex]
              + rng.normal(0.0, SD_K1, size=len(u)))
    return np.clip(np.round(linear), 1, 10).astype(int)


def draw_importance(rng: np.random.Generator, n: int, location: dict[str, float]) -> pd.DataFrame:
    latent = (np.array([location[k] for k in UNSUR_KEYS]) + rng.normal(0.0, SD_KEPENTINGAN_RESPONDEN, size=(n, 1))
              + rng.normal(0.0, SD_KEPENTINGAN_GALAT, size=(n, len(UNSUR_KEYS))))
    return pd.DataFrame(1 + (latent[..., None] > np.array(CUT_POINTS)).sum(axis=-1), columns=list(UNSUR_KEYS))


def _categorical(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of an (n x k) matrix of non-negative weights."""
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((rng.random((len(weights), 1)) > cum).sum(axis=1), weights.shape[1] - 1)


def assemble_export(rng: np.random.Generator, people: pd.DataFrame, answers: pd.DataFrame,
              importance: pd.DataFrame, periods) -> pd.DataFrame:
    """Clean respondent table in export layout (answers numeric), sorted by data-entry time, ids assigned."""
    n = len(people)
    units = [UNITS[i] for i in people["ui"]]
    kinds = [JENIS[u.jenis] for u in units]
    sex, age = people["sex"].to_numpy(), people["age"].to_numpy()

    edu_w = _PENDIDIKAN_UMUR[age] * np.array([k.pendidikan_kali for k in kinds])
    edu = _categorical(rng, edu_w)
    occupation = _categorical(rng, _occupation_weights(sex, age, edu))
    names = list(KECAMATAN)
    pop = np.array(list(KECAMATAN.values()), dtype=float)
    own = np.array([[names.index(u.kecamatan) == k for k in range(len(names))] for u in units], dtype=float)
    share_own = np.array([k.kecamatan_sendiri for k in kinds])[:, None]
    others = pop * (1 - own)
    home = _categorical(rng, share_own * own + (1 - share_own) * others / others.sum(axis=1, keepdims=True))

    on_the_spot = rng.random(n) < 0.6
    entry_day = np.where(on_the_spot, 0, rng.integers(1, 11, size=n))
    seconds = np.where(on_the_spot, rng.integers(8 * 3600, 14 * 3600, size=n), rng.integers(8 * 3600, 16 * 3600, size=n))
    stamp = [datetime.combine(t, datetime.min.time()) + timedelta(days=int(dd), seconds=int(s))
             for t, dd, s in zip(people["tanggal"], entry_day, seconds)]

    table = pd.DataFrame({
        "Timestamp": [s.strftime("%Y/%m/%d %H:%M:%S") for s in stamp],
        "periode": [periods[p] for p in people["pi"]],
        "tanggal": [t.isoformat() for t in people["tanggal"]],
        "kecamatan": [names[h] for h in home],
        "opd": [u.opd for u in units], "unit": [u.unit for u in units], "nama_unit": [u.nama_unit for u in units],
        "jenis_layanan": [u.jenis_layanan for u in units],
        "hari": people["hari"].to_numpy(), "n_hari_layanan": people["D"].to_numpy(),
        "n_pengunjung_hari": people["M"].to_numpy(), "bobot_desain": people["bobot"].round(6).to_numpy(),
        "jenis_kelamin": [KELAMIN[s] for s in sex], "kelompok_umur": [UMUR[a] for a in age],
        "pendidikan": [PENDIDIKAN[e] for e in edu], "pekerjaan": [PEKERJAAN[o] for o in occupation],
    })
    for col, key in KOLOM_UNSUR.items():
        table[col] = answers[key].to_numpy()
    table["K1"] = answers["K1"].to_numpy()
    for col, key in KOLOM_KEPENTINGAN.items():
        table[col] = importance[key].to_numpy()
    order = np.lexsort((table["hari"].to_numpy(), table["Timestamp"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    table.insert(1, "id_responden", [f"R{i:05d}" for i in range(1, n + 1)])
    return table


def _occupation_weights(sex: np.ndarray, age: np.ndarray, edu: np.ndarray) -> np.ndarray:
    """Weights over PEKERJAAN given sex (0 = Laki-laki), age group index and education index."""
    n = len(sex)
    young, woman, old = age == 0, sex == 1, age == 4
    higher = edu >= 3
    w = np.zeros((n, len(PEKERJAAN)))
    w[:, 0] = np.where(higher, 0.40, np.where(edu == 2, 0.06, 0.01)) * np.where(young, 0.2, 1.0)
    w[:, 1] = np.where(edu >= 2, 0.16, 0.08)
    w[:, 2] = 0.20
    w[:, 3] = np.array([0.40, 0.30, 0.12, 0.03, 0.03])[edu] * np.where(woman, 0.6, 1.0)
    w[:, 4] = np.where(young, 0.45, 0.01)
    w[:, 5] = np.where(woman, np.where(young, 0.12, 0.35), 0.0)
    w[:, 6] = np.where(old, 0.25, 0.06)
    return w


# --- population margins ----------------------------------------------------------------------------------

def _margins(rng: np.random.Generator) -> pd.DataFrame:
    """Residents aged 17+ by kecamatan x jenis_kelamin x kelompok_umur (BPS-style projection, rounded)."""
    rows = []
    for kec, total in KECAMATAN.items():
        capital = kec == IBU_KOTA
        adults = total * (0.70 if capital else 0.68)
        age_share = np.array((0.20, 0.23, 0.20, 0.17, 0.20) if capital else (0.17, 0.21, 0.20, 0.18, 0.24))
        women = np.array((0.49, 0.50, 0.50, 0.50, 0.53))
        for s, sex in enumerate(KELAMIN):
            for a, umur in enumerate(UMUR):
                share = age_share[a] * (women[a] if s else 1 - women[a])
                rows.append({"kecamatan": kec, "jenis_kelamin": sex, "kelompok_umur": umur,
                             "jumlah": int(round(adults * share * rng.normal(1.0, 0.02)))})
    return pd.DataFrame(rows)


# --- messiness ---------------------------------------------------------------------------------------------

def _label_variant(rng: np.random.Generator, label: str) -> str:
    """The label as someone typed it: any case, maybe a space before or after (never inside)."""
    text = (label, label.lower(), label.upper(), label.capitalize())[rng.integers(4)]
    return (text, f" {text}", f"{text} ", f"  {text}  ")[rng.choice(4, p=(0.55, 0.15, 0.2, 0.1))]


def _make_messy(rng: np.random.Generator, clean: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Turn answers into text cells with blanks, code 9, typed labels and invalid cells; log each injection."""
    book = codebook()["columns"]
    out = clean.copy()
    family = {c: "unsur" for c in KOLOM_UNSUR} | {c: "importance" for c in KOLOM_KEPENTINGAN} | {"K1": "overall"}
    counts = {}
    plain = {}
    for col, fam in family.items():
        values = out[col].astype(int).astype(str).to_numpy(dtype=object)
        rate = KOSONG["pengaduan"] if KOLOM_UNSUR.get(col) == "pengaduan" else KOSONG[fam]
        blank = rng.random(len(values)) < rate
        code9 = ~blank & (rng.random(len(values)) < (KODE_9 if fam != "overall" else 0.0))
        label = ~blank & ~code9 & (rng.random(len(values)) < TEKS_LABEL.get(fam, 0.0))
        values[blank] = ""
        values[code9] = str(MISSING_CODE)
        for i in np.flatnonzero(label):
            values[i] = _label_variant(rng, book[col]["labels"][int(clean.at[i, col])])
        out[col] = values
        counts[col] = {"kosong": int(blank.sum()), "kode_9": int(code9.sum()), "teks_label": int(label.sum())}
        plain[col] = ~blank & ~code9 & ~label
    for col in ("pendidikan", "pekerjaan"):
        blank = rng.random(len(out)) < KOSONG[col]
        out[col] = out[col].where(~blank, "")
        counts[col] = {"kosong": int(blank.sum())}

    invalid = []
    taken = set()
    for fam, value in TIDAK_VALID:
        cols = [c for c, f in family.items() if f == fam]
        while True:
            col = cols[rng.integers(len(cols))]
            row = int(rng.choice(np.flatnonzero(plain[col])))
            if (row, col) not in taken:
                break
        taken.add((row, col))
        invalid.append({"baris": row + 2, "id_responden": out.at[row, "id_responden"], "kolom": col,
                        "nilai": value, "jawaban_asli": int(clean.at[row, col])})
        out.at[row, col] = value
    invalid.sort(key=lambda cell: (cell["baris"], cell["kolom"]))
    out = out.replace({"": None})
    return out, {"per_kolom": counts, "sel_tidak_valid": invalid}


# --- ground truth ------------------------------------------------------------------------------------------

def _shapley_r2(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """LMG / Shapley decomposition of R^2 over the columns of x (Lindeman, Merenda & Gold 1980).

    Kept separate from `riset.skm.drivers` on purpose: the ground truth must not come from the code it checks.
    """
    cov = np.cov(np.column_stack([x, y]), rowvar=False)
    sxx, sxy, syy = cov[:-1, :-1], cov[:-1, -1], cov[-1, -1]
    p = x.shape[1]
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        r2[mask] = sxy[idx] @ np.linalg.solve(sxx[np.ix_(idx, idx)], sxy[idx]) / syy
    lmg = np.zeros(p)
    for mask in range(1 << p):
        k = bin(mask).count("1")
        for j in range(p):
            if not mask >> j & 1:
                lmg[j] += factorial(k) * factorial(p - k - 1) / factorial(p) * (r2[mask | 1 << j] - r2[mask])
    return lmg, float(r2[-1])


def _population_shares(rng: np.random.Generator, levels, offsets, periods, innovations,
                       n: int = 200_000) -> tuple[dict, float]:
    """Expected LMG shares of the 9 unsur in K1: the model simulated for n respondents of the sampled mix."""
    plan = np.array([[u.hari_sampel * u.target_per_hari] * len(periods) for u in UNITS], dtype=float)
    cell = rng.choice(plan.size, size=n, p=plan.ravel() / plan.sum())
    ui, pi = np.divmod(cell, len(periods))
    sex, age = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    for i, unit in enumerate(UNITS):
        here = ui == i
        draw = rng.choice(len(KELAMIN) * len(UMUR), size=int(here.sum()), p=_respondent_mix(JENIS[unit.jenis]).ravel())
        sex[here], age[here] = np.divmod(draw, len(UMUR))
    people = pd.DataFrame({"ui": ui, "pi": pi, "sex": sex, "age": age, "hari": np.arange(n).astype(str)})
    answers = draw_answers(rng, people, levels, offsets, periods, innovations)
    lmg, r2 = _shapley_r2(answers[list(UNSUR_KEYS)].to_numpy(float), answers["K1"].to_numpy(float))
    return dict(zip(UNSUR_KEYS, lmg)), r2


def round_truth(obj, digits: int = 4):
    if isinstance(obj, dict):
        return {k: round_truth(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [round_truth(v, digits) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return round(float(obj), digits)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _truth(rng, seed, levels, offsets, importance_location, mess, periods, innovations) -> dict:
    lmg, r2 = _population_shares(rng, levels, offsets, periods, innovations)
    total = sum(lmg.values())
    by_unit, performance = {}, np.zeros(len(UNSUR_KEYS))
    for i, unit in enumerate(UNITS):
        nrr = _expected_nrr(unit, levels[i], offsets[i], periods, innovations)
        pooled = nrr.mean(axis=0)
        performance += pooled * unit.hari_sampel * unit.target_per_hari
        ikm = 25 * pooled.mean()
        by_unit[unit.unit] = {
            "ikm_harapan": ikm,
            "mutu": str(grade([ikm])["mutu"].iloc[0]),
            "ikm_harapan_per_periode": {p: 25 * nrr[k].mean() for k, p in enumerate(periods)},
            "tingkat_laten": levels[i],
            "nrr_harapan": {p: dict(zip(UNSUR_KEYS, nrr[k])) for k, p in enumerate(periods)},
            "perubahan_s2_laten": dict(unit.perubahan_s2),
        }
    performance /= sum(u.hari_sampel * u.target_per_hari for u in UNITS)
    truth = {
        "seed": seed,
        "keterangan": "Kebenaran model pembangkit data contoh (fiktif). Lihat data/raw/README.md.",
        "model_k1": {
            "rumus": "K1 = clip(round(intersep + sum_j beta_j * U_j + efek_umur + efek_kelamin + e), 1, 10); "
                     "e ~ N(0, sd_galat^2); U_j = jawaban unsur 1-4 sebelum dikosongkan",
            "intersep": K1_INTERSEP,
            "beta": dict(BETA),
            "kolom": {KOLOM_UNSUR_BY_KEY[k]: k for k in BETA},
            "efek_umur": dict(K1_UMUR),
            "efek_kelamin": dict(K1_KELAMIN),
            "sd_galat": SD_K1,
            "urutan_menurut_beta": sorted(BETA, key=BETA.get, reverse=True),
            "lmg_harapan": lmg,
            "porsi_r2_harapan": {k: v / total for k, v in lmg.items()},
            "urutan_menurut_porsi_r2": sorted(lmg, key=lmg.get, reverse=True),
            "r2_harapan": r2,
        },
        "model_unsur": {
            "rumus": "y* = q[unit, periode, unsur] + efek_umur + efek_hari + efek_responden + e; U = 1 + #(y* > ambang)",
            "ambang": list(CUT_POINTS),
            "sd_hari": SD_HARI, "sd_responden": SD_RESPONDEN, "sd_galat": SD_GALAT,
            "efek_umur": dict(UMUR_SHIFT),
            "selisih_unsur": dict(UNSUR_OFFSET),
            "tingkat_biaya_per_jenis": {k: j.biaya for k, j in JENIS.items()},
        },
        "mutu_unit": by_unit,
        "kepentingan": {
            "rata_rata_harapan": dict(KEPENTINGAN),
            "lokasi_laten": importance_location,
            "kinerja_harapan": dict(zip(UNSUR_KEYS, performance)),
            "kuadran_ipa": {k: KUADRAN[k] for k in UNSUR_KEYS},
        },
        "respons": {"peluang_kelamin": dict(RESPON_KELAMIN), "pengali_umur": dict(RESPON_UMUR)},
        "isian_berantakan": mess["per_kolom"],
        "sel_tidak_valid": mess["sel_tidak_valid"],
    }
    return round_truth(truth)


def _innovation_truth(frame: pd.DataFrame, levels, offsets, periods, innovations) -> list[dict]:
    """Per innovation: its true effect on the IKM of its unit after the start, and the expected DiD.

    A domain's expected IKM is the visitor-weighted mean of its unit x periode cells' expected IKM
    (N_up = `pengguna_per_periode`: the target of the design-weighted ratio estimator; the cells' expectations
    over the respondent age mix, as in `mutu_unit`). efek_ikm_harapan = E[IKM_after | innovation] -
    E[IKM_after | none] of the innovating unit; did_harapan = (T_after - T_before) - (C_after - C_before) with C
    the comparable units (same jenis_layanan, no innovation: the rule of the study's `service_type`; None
    without any). The two differ by the comparison units' own changes (`perubahan_s2`), i.e. by how far
    parallel trends fail.
    """
    visitors = frame.set_index(["unit", "periode"])["pengguna_per_periode"]
    with_, without = ({u.unit: 25 * _expected_nrr(u, levels[i], offsets[i], periods, given).mean(axis=1)
                       for i, u in enumerate(UNITS)} for given in (innovations, ()))

    def domain(ikm: dict, units: list[str], chosen: list[str]) -> float:
        cells = [(u, p) for u in units for p in chosen]
        w = np.array([visitors[c] for c in cells], dtype=float)
        return float(w @ np.array([ikm[u][periods.index(p)] for u, p in cells]) / w.sum())

    innovating = {i.unit for i in innovations}
    kind = {u.unit: u.jenis_layanan for u in UNITS}
    rows = []
    for inn in innovations:
        after, before = [p for p in periods if p >= inn.mulai], [p for p in periods if p < inn.mulai]
        comparison = [u.unit for u in UNITS if kind[u.unit] == kind[inn.unit] and u.unit not in innovating]
        treated = [inn.unit]
        did = None if not comparison else ((domain(with_, treated, after) - domain(with_, treated, before))
                                           - (domain(with_, comparison, after) - domain(with_, comparison, before)))
        rows.append({"unit": inn.unit, "nama": inn.nama, "mulai": inn.mulai, "efek_laten": dict(inn.efek),
                     "efek_ikm_harapan": domain(with_, treated, after) - domain(without, treated, after),
                     "pembanding": comparison, "did_harapan": did})
    return rows


def main(argv=None) -> None:
    """Command line: ``python -m riset.study.example --out data/raw [--seed 2026] [--seri]``."""
    parser = argparse.ArgumentParser(prog="python -m riset.study.example", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/raw", help="folder to write the example files into (default data/raw)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--seri", action="store_true",
                        help=f"the longer series: periods {', '.join(PERIODE_SERI)} with the innovation register")
    parser.add_argument("--daring", action="store_true",
                        help="add QR-code (online) answers of a few units with a known self-selection bias")
    args = parser.parse_args(argv)
    series = (PERIODE_SERI, INOVASI_SERI) if args.seri else (PERIODE, ())
    for path in write_example_study(args.out, args.seed, *series, online=args.daring).values():
        print(path)


if __name__ == "__main__":
    main()
