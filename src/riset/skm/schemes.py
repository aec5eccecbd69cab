"""IKM schemes: the unsur (service elements), answer scale and mutu bands of PermenPAN-RB 14/2017 and
KepMenPAN 25/2004, and the rules that match a codebook's names to them.

PermenPAN-RB 14/2017 (Lampiran): 9 unsur in the regulation's order U1 Persyaratan ... U9 Sarana dan
Prasarana, answers 1-4, weight exactly 1/9, converted score x 25, mutu bands on the converted score
(inclusive lower bounds on the score as reported, rounded to 2 decimals):

    88.31 - 100.00  A  Sangat Baik        65.00 -  76.60  C  Kurang Baik
    76.61 -  88.30  B  Baik               25.00 -  64.99  D  Tidak Baik

KepMenPAN KEP/25/M.PAN/2/2004: 14 unsur, weight 1/14, bands 81.26 A, 62.51 B, 43.76 C, 25.00 D.

Unsur are matched by *name*, never by position: the regulation's sample questionnaire puts sarana/prasarana
as question 8 and pengaduan as 9, while the regulation's list has them the other way round.

>>> get_scheme("permenpan14_2017").weight == 1 / 9
True
>>> grade([88.31, 88.30])["mutu"].tolist()
['A', 'B']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from riset.errors import CodebookError
from riset.i18n import check_language

__all__ = [
    "Band", "DEFAULT_SCHEME", "LEGACY_WEIGHTS", "SCHEMES", "Scheme", "UNSUR_2004", "UNSUR_2017", "Unsur",
    "get_scheme", "grade", "kinerja_label", "resolve_unsur", "unsur_columns", "unsur_name",
]


@dataclass(frozen=True)
class Unsur:
    """One service element (unsur pelayanan) of an SKM scheme.

    `key` is the stable name used in code and codebooks; `kode` is the regulation's numbering
    (U1..U9), which is *not* a questionnaire position; `labels` are the answer labels for 1..4; `question`
    the wording of the regulation's sample questionnaire (PermenPAN-RB 14/2017, Lampiran).
    """

    key: str
    kode: str
    nama: str
    nama_en: str
    labels: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    question: str = ""

    def name(self, lang: str | None = None) -> str:
        """The unsur's name in `lang` (default: the current language)."""
        return self.nama if check_language(lang) == "id" else self.nama_en


@dataclass(frozen=True)
class Band:
    """A mutu band: scores with `lower <= round(score, 2)` (and below the next band) get this grade."""

    lower: float
    mutu: str
    kinerja: str
    kinerja_en: str


@dataclass(frozen=True)
class Scheme:
    """An IKM scheme: its unsur (regulation order), answer scale and mutu bands (highest first)."""

    key: str
    title: str
    unsur: tuple[Unsur, ...]
    bands: tuple[Band, ...]
    scale: tuple[int, int] = (1, 4)
    conversion: float = 25.0

    @property
    def weight(self) -> float:
        """Weighted-average weight: 1 / number of unsur (1/9 in 2017, 1/14 in 2004), never rounded."""
        return 1.0 / len(self.unsur)

    def get(self, key: str) -> Unsur:
        for u in self.unsur:
            if u.key == key:
                return u
        raise CodebookError(f"unsur '{key}' is not part of scheme {self.key}; known: {', '.join(self.keys)}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(u.key for u in self.unsur)


#: Question texts of the regulation's sample questionnaire (PermenPAN-RB 14/2017, Lampiran), by unsur.
_Q = {
    "persyaratan": "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
    "prosedur": "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "waktu": "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
    "biaya": "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "produk": "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
    "kompetensi": "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
    "perilaku": "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
    "sarana": "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
    "pengaduan": "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
}

_SESUAI = ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")

UNSUR_2017: tuple[Unsur, ...] = (
    Unsur("persyaratan", "U1", "Persyaratan", "Requirements", _SESUAI,
          question=_Q["persyaratan"]),
    Unsur("prosedur", "U2", "Sistem, Mekanisme, dan Prosedur", "Systems, mechanisms and procedures",
          ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
          ("sistem mekanisme dan prosedur", "sistem mekanisme prosedur", "mekanisme", "sistem dan prosedur"),
          question=_Q["prosedur"]),
    Unsur("waktu", "U3", "Waktu Penyelesaian", "Completion time",
          ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
          ("waktu penyelesaian", "waktu pelayanan", "kecepatan"),
          question=_Q["waktu"]),
    Unsur("biaya", "U4", "Biaya/Tarif", "Cost/tariff",
          ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"), ("biaya tarif", "tarif", "biaya/tarif"),
          question=_Q["biaya"]),
    Unsur("produk", "U5", "Produk Spesifikasi Jenis Pelayanan", "Service product specification", _SESUAI,
          ("produk spesifikasi jenis pelayanan", "produk spesifikasi", "produk layanan", "spesifikasi"),
          question=_Q["produk"]),
    Unsur("kompetensi", "U6", "Kompetensi Pelaksana", "Staff competence",
          ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"), ("kompetensi pelaksana",),
          question=_Q["kompetensi"]),
    Unsur("perilaku", "U7", "Perilaku Pelaksana", "Staff conduct",
          ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
          ("perilaku pelaksana", "kesopanan", "keramahan"),
          question=_Q["perilaku"]),
    Unsur("pengaduan", "U8", "Penanganan Pengaduan, Saran dan Masukan", "Handling of complaints and suggestions",
          ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
          ("penanganan pengaduan saran dan masukan", "penanganan pengaduan", "pengaduan saran dan masukan",
           "maklumat pengaduan"),
          question=_Q["pengaduan"]),
    Unsur("sarana", "U9", "Sarana dan Prasarana", "Facilities and infrastructure",
          ("Buruk", "Cukup", "Baik", "Sangat baik"), ("sarana dan prasarana", "sarana prasarana", "prasarana"),
          question=_Q["sarana"]),
)

_BAIK = ("Tidak baik", "Kurang baik", "Baik", "Sangat baik")

UNSUR_2004: tuple[Unsur, ...] = tuple(
    Unsur(key, f"U{i}", nama, en, _BAIK)
    for i, (key, nama, en) in enumerate(
        [
            ("prosedur", "Prosedur pelayanan", "Service procedure"),
            ("persyaratan", "Persyaratan pelayanan", "Service requirements"),
            ("kejelasan_petugas", "Kejelasan petugas pelayanan", "Clarity of service staff"),
            ("kedisiplinan", "Kedisiplinan petugas pelayanan", "Staff discipline"),
            ("tanggung_jawab", "Tanggung jawab petugas pelayanan", "Staff responsibility"),
            ("kemampuan", "Kemampuan petugas pelayanan", "Staff ability"),
            ("kecepatan", "Kecepatan pelayanan", "Speed of service"),
            ("keadilan", "Keadilan mendapatkan pelayanan", "Fairness of service"),
            ("kesopanan", "Kesopanan dan keramahan petugas", "Courtesy of staff"),
            ("kewajaran_biaya", "Kewajaran biaya pelayanan", "Fairness of cost"),
            ("kepastian_biaya", "Kepastian biaya pelayanan", "Certainty of cost"),
            ("kepastian_jadwal", "Kepastian jadwal pelayanan", "Certainty of schedule"),
            ("kenyamanan", "Kenyamanan lingkungan", "Comfort of environment"),
            ("keamanan", "Keamanan pelayanan", "Security of service"),
        ],
        start=1,
    )
)

SCHEMES: dict[str, Scheme] = {
    "permenpan14_2017": Scheme(
        "permenpan14_2017",
        "PermenPAN-RB No. 14 Tahun 2017",
        UNSUR_2017,
        (
            Band(88.31, "A", "Sangat Baik", "Very good"),
            Band(76.61, "B", "Baik", "Good"),
            Band(65.00, "C", "Kurang Baik", "Poor"),
            Band(25.00, "D", "Tidak Baik", "Very poor"),
        ),
    ),
    "kepmenpan25_2004": Scheme(
        "kepmenpan25_2004",
        "KepMenPAN No. KEP/25/M.PAN/2/2004",
        UNSUR_2004,
        (
            Band(81.26, "A", "Sangat Baik", "Very good"),
            Band(62.51, "B", "Baik", "Good"),
            Band(43.76, "C", "Kurang Baik", "Poor"),
            Band(25.00, "D", "Tidak Baik", "Very poor"),
        ),
    ),
}

DEFAULT_SCHEME = "permenpan14_2017"

#: Weights printed in old Excel/PHP calculators; only accepted through the explicit `legacy_weight` option.
LEGACY_WEIGHTS = (0.11, 0.111)


def get_scheme(scheme: str | Scheme = DEFAULT_SCHEME) -> Scheme:
    """Return a `Scheme` by key ('permenpan14_2017' or 'kepmenpan25_2004')."""
    if isinstance(scheme, Scheme):
        return scheme
    try:
        return SCHEMES[scheme]
    except KeyError:
        raise CodebookError(f"unknown IKM scheme '{scheme}'; choose one of: {', '.join(SCHEMES)}") from None


def unsur_name(key: str, lang: str | None = None, scheme: str | Scheme = DEFAULT_SCHEME, code: bool = True) -> str:
    """Regulation name of an unsur, e.g. 'U9 Sarana dan Prasarana' (PermenPAN-RB 14/2017 numbering).

    >>> unsur_name("sarana"), unsur_name("sarana", lang="en", code=False)
    ('U9 Sarana dan Prasarana', 'Facilities and infrastructure')
    """
    u = get_scheme(scheme).get(key)
    name = u.name(lang)
    return f"{u.kode} {name}" if code else name


def kinerja_label(mutu: str, lang: str | None = None, scheme: str | Scheme = DEFAULT_SCHEME) -> str:
    """Kinerja text of a mutu grade in `lang`, from the scheme's bands ('B' -> 'Baik' / 'Good').

    >>> kinerja_label("B"), kinerja_label("B", "en")
    ('Baik', 'Good')
    """
    for band in get_scheme(scheme).bands:
        if band.mutu == mutu:
            return band.kinerja if check_language(lang) == "id" else band.kinerja_en
    raise CodebookError(f"mutu {mutu!r} is not a grade of scheme {get_scheme(scheme).key}")


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def resolve_unsur(name: str, scheme: str | Scheme = DEFAULT_SCHEME) -> Unsur:
    """Find the unsur a codebook names, by key, full name or a known alias (case and punctuation ignored).

    Codes such as 'U8' are refused on purpose: questionnaires number the unsur differently from the
    regulation (sarana and pengaduan are swapped in the sample questionnaire), so a code is ambiguous.

    >>> resolve_unsur("Penanganan Pengaduan, Saran dan Masukan").key
    'pengaduan'
    """
    sch = get_scheme(scheme)
    wanted = _normalise(name)
    if re.fullmatch(r"u ?\d+", wanted):
        raise CodebookError(
            f"unsur '{name}' is a question number, not a name; questionnaires order the unsur differently "
            f"(sarana and pengaduan are swapped in the sample questionnaire). Use a name such as "
            f"{', '.join(repr(k) for k in sch.keys[:3])} ..."
        )
    for u in sch.unsur:
        if wanted in {_normalise(u.key), _normalise(u.nama), _normalise(u.nama_en), *map(_normalise, u.aliases)}:
            return u
    raise CodebookError(f"unsur '{name}' is not an unsur of {sch.title}; known: {', '.join(sch.keys)}")


def grade(ikm_konversi, scheme: str | Scheme = DEFAULT_SCHEME) -> pd.DataFrame:
    """Mutu and kinerja for converted IKM scores (25-100), inclusive lower bounds.

    The score is first rounded half-up to 2 decimals, as it is reported, so 88.305 -> 88.31 -> A and
    88.30 -> B (PermenPAN-RB 14/2017 table: 88.31-100 A, 76.61-88.30 B, 65.00-76.60 C, 25.00-64.99 D).

    >>> grade([88.31, 88.30, 65.0, 64.99])["mutu"].tolist()
    ['A', 'B', 'C', 'D']
    """
    sch = get_scheme(scheme)
    scores = pd.Series(ikm_konversi, dtype="float64")
    reported = np.floor(scores.to_numpy() * 100 + 0.5 + 1e-9) / 100
    mutu = np.full(len(scores), None, dtype=object)
    kinerja = np.full(len(scores), None, dtype=object)
    for band in reversed(sch.bands):
        hit = reported >= band.lower - 1e-9
        mutu[hit] = band.mutu
        kinerja[hit] = band.kinerja
    return pd.DataFrame({"mutu": mutu, "kinerja": kinerja}, index=scores.index)


def unsur_columns(unsur: Mapping[str, str], scheme: str | Scheme = DEFAULT_SCHEME) -> dict[str, Unsur]:
    """Validate a column -> unsur-name mapping against a scheme; return column -> `Unsur`.

    Every unsur of the scheme needs exactly one column; errors name the offending column or unsur.
    """
    sch = get_scheme(scheme)
    if not isinstance(unsur, Mapping):
        raise CodebookError(f"unsur must map each column to its unsur, e.g. {{'U1': 'persyaratan', 'U2': 'prosedur'}}; "
                            f"got a {type(unsur).__name__}")
    resolved = {col: resolve_unsur(name, sch) for col, name in unsur.items()}
    seen: dict[str, str] = {}
    for col, u in resolved.items():
        if u.key in seen:
            raise CodebookError(f"columns '{seen[u.key]}' and '{col}' are both mapped to unsur '{u.nama}'")
        seen[u.key] = col
    missing = [u for u in sch.unsur if u.key not in seen]
    if missing:
        names = ", ".join(f"{u.kode} {u.nama}" for u in missing)
        raise CodebookError(f"no column is mapped to unsur {names} ({sch.title} needs all {len(sch.unsur)})")
    order = {u.key: i for i, u in enumerate(sch.unsur)}
    return dict(sorted(resolved.items(), key=lambda item: order[item[1].key]))
