"""The standard SKM questionnaire as a codebook: the 9 unsur of PermenPAN-RB 14/2017 with the official question
texts and answer labels of the regulation's sample questionnaire, the usual respondent profile, and the
optional overall-satisfaction, importance and suggestion items.

The sample questionnaire (PermenPAN-RB 14/2017, Lampiran) asks the unsur in its own order -- sarana dan
prasarana as question 8, penanganan pengaduan as 9 -- which is not the regulation's numbering (U8
pengaduan, U9 sarana); the codebook names each column's unsur, so the order of questions never matters.

>>> cb = standard_codebook()
>>> cb["columns"]["U8"]["unsur"], cb["columns"]["U9"]["unsur"], cb["columns"]["U3"]["labels"][4]
('sarana', 'pengaduan', 'Sangat cepat')
"""

from __future__ import annotations

from riset.skm.schemes import DEFAULT_SCHEME, get_scheme

__all__ = ["PROFILE", "QUESTION_ORDER", "standard_codebook"]

#: The sample questionnaire's order of the unsur (question 1..9).
QUESTION_ORDER = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana",
                  "pengaduan")

#: The respondent profile of the sample questionnaire (column -> question, answer labels).
PROFILE = {
    "jenis_kelamin": ("Jenis kelamin", ("Laki-laki", "Perempuan")),
    "kelompok_umur": ("Umur", ("17-24", "25-34", "35-44", "45-54", "55+")),
    "pendidikan": ("Pendidikan terakhir", ("SD ke bawah", "SMP", "SMA/SMK", "D1-D3-D4", "S1", "S2 ke atas")),
    "pekerjaan": ("Pekerjaan utama", ("PNS", "TNI", "Polri", "Pegawai swasta", "Wirausaha", "Pelajar/Mahasiswa",
                                      "Lainnya")),
}
_IMPORTANCE = ("Tidak penting", "Kurang penting", "Penting", "Sangat penting")
_OVERALL = "Secara keseluruhan, seberapa puas Saudara dengan pelayanan unit ini? (1 = sangat tidak puas, 10 = sangat puas)"
_IMPORTANT = "Seberapa penting bagi Saudara: {nama}?"
_SUGGESTION = "Saran dan masukan Saudara untuk perbaikan pelayanan unit ini"
MISSING = 9


def standard_codebook(title: str = "Survei Kepuasan Masyarakat", *, overall: bool = True, importance: bool = True,
                      suggestion: bool = True) -> dict:
    """The codebook (in the YAML form of `riset.skm.exports.read_codebook`) of the standard questionnaire.

    Columns: id_responden, tanggal, unit (service-unit code), nama_unit, the profile (`PROFILE`), U1..U9 in the
    sample questionnaire's order (answers 1-4 or their labels, 9 = tidak menjawab), and optionally K1 (overall
    satisfaction 1-10), P1..P9 (importance of each unsur, 1-4) and saran (free text).
    """
    scheme = get_scheme(DEFAULT_SCHEME)
    columns: dict[str, dict] = {
        "id_responden": {"role": "id"},
        "tanggal": {"role": "other", "pertanyaan": "Tanggal pengisian"},
        "unit": {"role": "group", "pertanyaan": "Kode unit layanan"},
        "nama_unit": {"role": "group", "pertanyaan": "Nama unit layanan"},
    }
    for column, (question, labels) in PROFILE.items():
        columns[column] = {"role": "demographic", "labels": dict(enumerate(labels, start=1)), "pertanyaan": question}
    for number, key in enumerate(QUESTION_ORDER, start=1):
        u = scheme.get(key)
        columns[f"U{number}"] = {"role": "unsur", "unsur": key, "scale": [1, 4],
                                 "labels": dict(enumerate(u.labels, start=1)), "missing": [MISSING],
                                 "pertanyaan": u.question}
    if overall:
        columns["K1"] = {"role": "overall", "scale": [1, 10], "missing": [99], "pertanyaan": _OVERALL}
    if importance:
        for number, key in enumerate(QUESTION_ORDER, start=1):
            columns[f"P{number}"] = {"role": "importance", "unsur": key, "scale": [1, 4],
                                     "labels": dict(enumerate(_IMPORTANCE, start=1)), "missing": [MISSING],
                                     "pertanyaan": _IMPORTANT.format(nama=scheme.get(key).nama.lower())}
    if suggestion:
        columns["saran"] = {"role": "other", "pertanyaan": _SUGGESTION}
    return {"study": title, "scheme": scheme.key, "id": "id_responden", "ignore": ["Timestamp"], "columns": columns}
