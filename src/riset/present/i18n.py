"""Display labels and number formats for what a seminar audience reads (Indonesian by default, English on request).

Code, column names and keys stay in the field's vocabulary (`ikm`, `nrr`, `mutu`); only what ends up on a
chart, slide, table header or report sentence goes through this module, so switching the language is one
call: ``set_language("en")`` (or ``lang="en"`` on any chart/report function).

Numbers read by people follow the audience's convention: Indonesian uses a decimal comma and a dot as the
thousands separator (PUEBI; BPS publications), so IKM 82.4512 is shown as ``82,45`` and 1234 respondents as
``1.234``; English uses ``82.45`` and ``1,234``.

Example
-------
>>> from riset.present.i18n import label, fmt_num
>>> label("ikm_konversi"), label("ikm_konversi", lang="en")
('IKM (konversi, 25-100)', 'IKM (converted, 25-100)')
>>> fmt_num(82.4512), fmt_num(1234, 0), fmt_num(82.4512, lang="en")
('82,45', '1.234', '82.45')
"""

from __future__ import annotations

import math
from typing import Literal

from riset.errors import RisetError
from riset.skm.ikm import DEFAULT_SCHEME, Scheme, get_scheme

Lang = Literal["id", "en"]
LANGUAGES: tuple[str, ...] = ("id", "en")

_language: list[str] = ["id"]

#: key -> (Indonesian, English). Keys are the field-vocabulary names used in code.
LABELS: dict[str, tuple[str, str]] = {
    # quantities
    "ikm": ("IKM", "IKM"),
    "ikm_konversi": ("IKM (konversi, 25-100)", "IKM (converted, 25-100)"),
    "nrr": ("Nilai rata-rata (NRR)", "Mean score (NRR)"),
    "mutu": ("Mutu", "Grade"),
    "kinerja": ("Kinerja", "Performance"),
    "n": ("n", "n"),
    "n_responden": ("Jumlah responden", "Respondents"),
    "se": ("Galat baku", "Standard error"),
    "ci95": ("SK 95%", "95% CI"),
    "ci_low": ("Batas bawah SK 95%", "95% CI lower"),
    "ci_high": ("Batas atas SK 95%", "95% CI upper"),
    "p_mutu_beda": ("Peluang mutu berbeda", "Prob. different grade"),
    "deff": ("Efek desain", "Design effect"),
    "unsur": ("Unsur pelayanan", "Service element"),
    "unit": ("Unit layanan", "Service unit"),
    "opd": ("Perangkat daerah (OPD)", "Agency (OPD)"),
    "periode": ("Periode", "Period"),
    "kecamatan": ("Kecamatan", "District"),
    "kabupaten": ("Kabupaten", "Regency"),
    "persen": ("Persen", "Percent"),
    "kategori": ("Kategori", "Category"),
    "jenis_kelamin": ("Jenis kelamin", "Sex"),
    "kelompok_umur": ("Kelompok umur", "Age group"),
    "pendidikan": ("Pendidikan", "Education"),
    "pekerjaan": ("Pekerjaan", "Occupation"),
    "kinerja_ipa": ("Kinerja (rata-rata penilaian)", "Performance (mean rating)"),
    "kepentingan": ("Kepentingan (rata-rata harapan)", "Importance (mean rating)"),
    "kesesuaian": ("Tingkat kesesuaian (%)", "Conformity level (%)"),
    "kuadran": ("Kuadran", "Quadrant"),
    "kepentingan_relatif": ("Kepentingan relatif (bagian R²)", "Relative importance (share of R²)"),
    "bobot": ("Bobot", "Weight"),
    "bobot_desain": ("Bobot desain", "Design weight"),
    "bobot_akhir": ("Bobot akhir (kalibrasi)", "Final (calibrated) weight"),
    "populasi": ("Populasi", "Population"),
    "sampel_tanpa_bobot": ("Sampel tanpa bobot", "Unweighted sample"),
    "sampel_bobot_desain": ("Sampel, bobot desain", "Sample, design weights"),
    "sampel_bobot_akhir": ("Sampel, bobot akhir", "Sample, final weights"),
    "jumlah_responden": ("Jumlah responden", "Number of respondents"),
    "selisih": ("Selisih", "Difference"),
    "rekomendasi": ("Rekomendasi", "Recommendation"),
    "peringkat": ("Peringkat", "Rank"),
    # chart titles
    "judul_ikm_unit": ("IKM per unit layanan dengan selang kepercayaan 95%", "Satisfaction index (IKM) by service unit with 95% CI"),
    "judul_nrr": ("Nilai rata-rata per unsur pelayanan", "Mean score per service element"),
    "judul_ipa": ("Diagram Kartesius Importance-Performance Analysis", "Importance-Performance Analysis grid"),
    "judul_profil": ("Profil responden", "Respondent profile"),
    "judul_drivers": ("Faktor penentu kepuasan (kepentingan relatif)", "Key drivers of satisfaction (relative importance)"),
    "judul_bobot": ("Diagnostik pembobotan", "Weighting diagnostics"),
    "judul_bobot_sebaran": ("Sebaran bobot", "Weight distribution"),
    "judul_bobot_margin": ("Margin sampel vs populasi", "Sample vs population margins"),
    "judul_periode": ("Perbandingan IKM antar periode (SK 95%)", "IKM by period (95% CI)"),
    "rata_rata_kinerja": ("rata-rata kinerja", "mean performance"),
    "rata_rata_kepentingan": ("rata-rata kepentingan", "mean importance"),
    # IPA quadrants (Martilla & James 1977)
    "kuadran_I": ("I Prioritas Utama", "I Concentrate here"),
    "kuadran_II": ("II Pertahankan Prestasi", "II Keep up the good work"),
    "kuadran_III": ("III Prioritas Rendah", "III Low priority"),
    "kuadran_IV": ("IV Berlebihan", "IV Possible overkill"),
    # report chapters
    "bab_pendahuluan": ("Pendahuluan", "Introduction"),
    "bab_metodologi": ("Metodologi", "Methodology"),
    "bab_hasil": ("Hasil", "Results"),
    "bab_analisis": ("Analisis", "Analysis"),
    "bab_rekomendasi": ("Rekomendasi dan Rencana Tindak Lanjut", "Recommendations and Follow-up Plan"),
    "laporan": ("Laporan Survei Kepuasan Masyarakat", "Public Satisfaction Survey Report"),
    "seluruh": ("Seluruh responden", "All respondents"),
}


def set_language(lang: str) -> None:
    """Set the default display language for charts, dashboards and reports ('id' or 'en').

    >>> set_language("en"); set_language("id")
    """
    _language[0] = check_language(lang)


def get_language() -> str:
    """The current default display language ('id' unless `set_language` changed it)."""
    return _language[0]


def check_language(lang: str | None) -> str:
    """Return `lang` (or the default when None) after checking it is a supported language."""
    lang = _language[0] if lang is None else lang
    if lang not in LANGUAGES:
        raise RisetError(f"lang={lang!r} is not a supported display language; choose one of: {', '.join(LANGUAGES)}")
    return lang


def label(key: str, lang: str | None = None) -> str:
    """Display label of `key` in `lang` (default: the current language); unknown keys are shown as given.

    >>> label("kuadran_I")
    'I Prioritas Utama'
    """
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[LANGUAGES.index(check_language(lang))]


def unsur_name(key: str, lang: str | None = None, scheme: str | Scheme = DEFAULT_SCHEME, code: bool = True) -> str:
    """Regulation name of an unsur, e.g. 'U9 Sarana dan Prasarana' (PermenPAN-RB 14/2017 numbering).

    >>> unsur_name("sarana"), unsur_name("sarana", lang="en", code=False)
    ('U9 Sarana dan Prasarana', 'Facilities and infrastructure')
    """
    u = get_scheme(scheme).get(key)
    name = u.nama if check_language(lang) == "id" else u.nama_en
    return f"{u.kode} {name}" if code else name


def kinerja_label(mutu: str, lang: str | None = None, scheme: str | Scheme = DEFAULT_SCHEME) -> str:
    """Kinerja text of a mutu grade in `lang`, from the scheme's bands ('B' -> 'Baik' / 'Good')."""
    for band in get_scheme(scheme).bands:
        if band.mutu == mutu:
            return band.kinerja if check_language(lang) == "id" else band.kinerja_en
    raise RisetError(f"mutu {mutu!r} is not a grade of scheme {get_scheme(scheme).key}")


def fmt_num(value, decimals: int = 2, lang: str | None = None) -> str:
    """Format a number for people: Indonesian '82,45' / '1.234' (decimal comma), English '82.45' / '1,234'.

    Missing values print as an en dash.

    >>> fmt_num(1234567.891, 1), fmt_num(float("nan"))
    ('1.234.567,9', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if check_language(lang) == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_ci(low, high, decimals: int = 2, lang: str | None = None) -> str:
    """A confidence interval for people: '80,12–84,77' (id) or '80.12–84.77' (en).

    >>> fmt_ci(80.123, 84.771)
    '80,12–84,77'
    """
    return f"{fmt_num(low, decimals, lang)}–{fmt_num(high, decimals, lang)}"


def fmt_pct(share, decimals: int = 1, lang: str | None = None) -> str:
    """A share (0-1) as a percentage for people: 0.1234 -> '12,3%'.

    >>> fmt_pct(0.1234)
    '12,3%'
    """
    return f"{fmt_num(100 * float(share), decimals, lang)}%"
