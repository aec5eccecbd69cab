"""What the example's respondents write under "Saran dan masukan": seeded text with its known meaning.

Each respondent of the example study (`riset.study.example`) may write a saran / keluhan. The text follows the
respondent's own answers, so that what people write agrees with how they scored the unsur::

    P(writes)                    = TULIS                      (else the cell is blank)
    P(empty meaning | writes)    = KOSONG                     ("-", "tidak ada", "mantap", "cukup", ...)
    P(beyond the unsur | writes) = LAINNYA                    (outreach, roads, general praise: no unsur)
    else 1 unsur (or 2 with probability DUA_UNSUR), drawn with weight SEBUT[j] * (5 - U_ij)^2
    tone of the clause about unsur j:  U_ij <= 2 -> keluhan (followed by a saran with probability SARAN_SESUDAH)
                                       U_ij = 3  -> saran, pujian or keluhan (NADA_TIGA)
                                       U_ij = 4  -> pujian, or saran (NADA_EMPAT)

Clauses come from a bank written per unsur and tone (`KALIMAT`; the produk clauses per kind of unit). They are
then written the way people type on a phone or a paper form: informal spellings (`tidak` -> gk / tdk / nggak,
`banget` -> bgt, `antre` -> antri, `yang` -> yg), letters repeated for emphasis ("lamaaa"), any case and loose
punctuation. Negations are part of the clauses ("petugasnya tidak ramah" is a complaint about perilaku,
"tidak lama" praise about waktu). Part of the bank uses words outside the bundled lexicon on purpose (people
write "nunggu", "main HP"): the coder's accuracy measured against this truth is an honest figure.

The truth per respondent (`kebenaran_saran`: id, unsur, nada, kosong) is returned beside the answers; the
text draws come from their own random stream, so the rest of the example does not change with them.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from riset.skm.schemes import UNSUR_2017

__all__ = ["DUA_UNSUR", "KALIMAT", "KALIMAT_LAINNYA", "KALIMAT_PRODUK", "KOSONG", "LAINNYA", "NADA_EMPAT",
           "NADA_TIGA", "SARAN_SESUDAH", "SEBUT", "TULIS", "JAWABAN_KOSONG", "written_answers"]

TULIS, KOSONG, LAINNYA, DUA_UNSUR, SARAN_SESUDAH = 0.55, 0.22, 0.08, 0.25, 0.35
NADA_TIGA = {"saran": 0.55, "pujian": 0.25, "keluhan": 0.20}
NADA_EMPAT = {"pujian": 0.8, "saran": 0.2}
#: How readily people write about each unsur (before the weight of a low score).
SEBUT = {"persyaratan": 0.7, "prosedur": 0.9, "waktu": 1.4, "biaya": 0.5, "produk": 0.6, "kompetensi": 0.7,
         "perilaku": 1.2, "pengaduan": 0.5, "sarana": 1.1}

JAWABAN_KOSONG = ("-", "tidak ada", "Tidak ada", "tidak ada saran", "mantap", "Mantap!!", "cukup", "ok", "sudah baik",
                  "sip", "terima kasih", "makasih", ".", "pertahankan", "belum ada", "--")

#: Clauses per unsur and tone (what one clause says about one unsur).
KALIMAT = {
    "persyaratan": {
        "keluhan": ["persyaratannya terlalu banyak", "syaratnya berubah ubah, tiap datang beda lagi",
                    "berkas saya dibilang kurang lengkap padahal sudah sesuai", "syarat tidak diumumkan dengan jelas",
                    "harus fotokopi berkas berkali kali"],
        "pujian": ["syaratnya mudah dipenuhi", "persyaratan jelas dan sederhana", "berkasnya tidak banyak"],
        "saran": ["mohon syarat ditempel di depan loket", "sebaiknya persyaratan diumumkan lewat media sosial",
                  "tolong formulir disediakan di loket"],
    },
    "prosedur": {
        "keluhan": ["prosedurnya berbelit belit", "alurnya ribet, dilempar dari meja ke meja",
                    "aplikasi online sering error", "harus bolak balik ke beberapa meja", "prosesnya ribet banget"],
        "pujian": ["alurnya jelas, tidak ribet", "prosedur mudah diikuti", "pendaftaran online gampang"],
        "saran": ["mohon alur pelayanan dipasang di dinding", "sebaiknya pendaftaran bisa lewat online",
                  "tolong prosedur disederhanakan"],
    },
    "waktu": {
        "keluhan": ["antre lama banget", "nunggu dari pagi sampai siang", "antrean panjang sekali",
                    "pelayanannya lambat", "petugas datang terlambat", "sudah seminggu belum selesai",
                    "lama menunggu panggilan", "jam buka tidak tepat waktu"],
        "pujian": ["pelayanannya cepat", "tidak lama menunggu", "cepat selesai, tidak sampai satu jam",
                   "antrean tertib dan cepat"],
        "saran": ["tolong tambah loket supaya antrean tidak panjang", "mohon jam pelayanan diperpanjang",
                  "sebaiknya ada papan nomor antrean"],
    },
    "biaya": {
        "keluhan": ["ada pungli di loket", "biayanya mahal", "diminta uang tambahan tanpa kuitansi"],
        "pujian": ["gratis, tidak dipungut biaya", "biaya sesuai tarif resmi", "tidak ada pungutan sama sekali"],
        "saran": ["tarif sebaiknya dipasang di papan pengumuman", "mohon biaya diumumkan secara terbuka"],
    },
    "kompetensi": {
        "keluhan": ["petugas kurang paham aturan", "penjelasannya membingungkan", "ditanya tidak bisa menjelaskan",
                    "petugas baru belum menguasai pekerjaannya"],
        "pujian": ["petugas menjelaskan dengan jelas", "petugasnya paham dan terampil", "informasinya lengkap"],
        "saran": ["petugas perlu pelatihan lagi", "mohon petugas diberi pelatihan"],
    },
    "perilaku": {
        "keluhan": ["petugasnya tidak ramah", "petugasnya jutek", "judes banget", "saya dibentak petugas",
                    "petugas kurang sopan", "petugas sibuk main HP", "satpamnya galak"],
        "pujian": ["petugasnya ramah ramah", "pelayanan sopan dan sabar", "petugasnya murah senyum",
                   "petugas ramah dan membantu"],
        "saran": ["mohon petugas lebih ramah", "tolong petugas lebih sabar melayani orang tua"],
    },
    "pengaduan": {
        "keluhan": ["lapor keluhan tidak ditanggapi", "nomor pengaduan tidak aktif", "komplain lewat WA tidak dibalas",
                    "keluhan saya diabaikan"],
        "pujian": ["keluhan saya langsung ditanggapi", "pengaduan direspon dengan baik"],
        "saran": ["sediakan nomor WA pengaduan", "mohon ada kotak saran", "tolong pengaduan ditindaklanjuti"],
    },
    "sarana": {
        "keluhan": ["ruang tunggunya panas", "toilet kotor dan bau", "parkiran sempit", "kursi di ruang tunggu kurang",
                    "AC mati", "kebersihan toilet kurang dijaga"],
        "pujian": ["ruang tunggu nyaman dan bersih", "toiletnya bersih", "tempatnya nyaman"],
        "saran": ["tambah kursi di ruang tunggu", "mohon disediakan tempat parkir yang luas",
                  "tolong toilet diperbaiki"],
    },
}
#: Produk clauses per kind of unit (what the service hands over differs).
KALIMAT_PRODUK = {
    "puskesmas": {"keluhan": ["obatnya sering habis", "resep yang diberikan tidak sesuai"],
                  "pujian": ["obatnya lengkap"], "saran": ["mohon stok obat ditambah"]},
    "rsud": {"keluhan": ["obatnya sering kosong di apotek", "hasil lab lama keluar dan salah nama"],
             "pujian": ["hasil pemeriksaan jelas"], "saran": ["mohon obat dilengkapi"]},
    "sekolah": {"keluhan": ["surat mutasi salah ketik nama", "ijazah yang dilegalisir salah stempel"],
                "pujian": ["suratnya rapi dan benar"], "saran": ["mohon surat dicek dulu sebelum diserahkan"]},
    "dinas": {"keluhan": ["legalisir ijazah salah stempel", "hasil legalisir tidak rapi"],
              "pujian": ["hasil legalisir rapi"], "saran": ["mohon hasil dicek dulu sebelum diserahkan"]},
    "dukcapil": {"keluhan": ["KTP saya salah cetak", "nama di akta salah ketik", "blanko KTP habis terus"],
                 "pujian": ["KTP langsung jadi, datanya benar"], "saran": ["mohon hasil cetak dicek dulu"]},
}
#: Answers with content about none of the unsur: (text, tones).
KALIMAT_LAINNYA = (
    ("tolong adakan layanan keliling ke desa", {"saran"}), ("layanan keliling ke desa perlu diadakan", {"saran"}),
    ("sosialisasi program ke masyarakat perlu ditingkatkan", {"saran"}),
    ("mohon sosialisasi program ke desa desa", {"saran"}), ("jalan menuju kantor rusak, tolong diperbaiki", {"saran"}),
    ("jalan ke sini rusak parah", {"keluhan"}), ("pelayanan sudah bagus, pertahankan", {"pujian"}),
    ("semoga makin maju", {"saran"}), ("pemerintah harus lebih peduli rakyat kecil", {"saran"}),
)

_INFORMAL = (  # (word, ways it is typed, share typed informally)
    ("tidak", ("gk", "tdk", "nggak", "ga", "gak"), 0.4), ("banget", ("bgt",), 0.6), ("antre", ("antri",), 0.6),
    ("antrean", ("antrian",), 0.6), ("yang", ("yg",), 0.4), ("sudah", ("udah", "sdh"), 0.3), ("dengan", ("dgn",), 0.3),
    ("saya", ("sy",), 0.2), ("sekali", ("bgt",), 0.2),
)
_LINKS = {True: (" tapi ", ", tapi ", ". "), False: (", ", " dan ", ". ", " ")}


def written_answers(rng: np.random.Generator, answers: pd.DataFrame, kinds: pd.Series,
                    id_column: str = "id_responden") -> tuple[list, pd.DataFrame]:
    """The saran column (text or None per row of `answers`) and its truth.

    `answers`: one row per respondent, a column per unsur key with the answer 1-4 as given (before any
    messiness of the export), and `id_column`; `kinds`: the kind of unit per row (keys of `KALIMAT_PRODUK`).
    Truth columns: id, unsur (keys joined by ';', regulation order), nada (tones joined by ';'), kosong.
    """
    order = list(SEBUT)
    texts, truth = [], []
    for (_, row), kind in zip(answers.iterrows(), kinds):
        if rng.random() >= TULIS:
            texts.append(None)
            truth.append(((), (), True))
            continue
        if rng.random() < KOSONG:
            texts.append(str(rng.choice(JAWABAN_KOSONG)))
            truth.append(((), (), True))
            continue
        if rng.random() < LAINNYA:
            text, tones = KALIMAT_LAINNYA[rng.integers(len(KALIMAT_LAINNYA))]
            texts.append(_as_typed(rng, text))
            truth.append(((), tuple(sorted(tones)), False))
            continue
        weight = np.array([SEBUT[k] * (5 - int(row[k])) ** 2 for k in order])
        chosen = rng.choice(len(order), size=1 + int(rng.random() < DUA_UNSUR), replace=False, p=weight / weight.sum())
        clauses = [(order[j], *_clause(rng, order[j], int(row[order[j]]), kind)) for j in chosen]
        texts.append(_as_typed(rng, _joined(rng, clauses)))
        tones = {t for _, _, ts in clauses for t in ts}
        truth.append((tuple(u.key for u in UNSUR_2017 if u.key in {c[0] for c in clauses}), tuple(sorted(tones)),
                      False))
    table = pd.DataFrame({id_column: answers[id_column].to_numpy(), "unsur": [";".join(u) for u, _, _ in truth],
                          "nada": [";".join(t) for _, t, _ in truth], "kosong": [k for _, _, k in truth]})
    return texts, table


def _bank(unsur: str, kind: str) -> dict:
    return KALIMAT_PRODUK[kind] if unsur == "produk" else KALIMAT[unsur]


def _clause(rng: np.random.Generator, unsur: str, answer: int, kind: str) -> tuple[str, tuple[str, ...]]:
    """One clause about `unsur` in the tone the answer (1-4) suggests; a complaint may come with a saran."""
    if answer <= 2:
        tone = "keluhan"
    else:
        shares = NADA_TIGA if answer == 3 else NADA_EMPAT
        tone = str(rng.choice(list(shares), p=list(shares.values())))
    bank = _bank(unsur, kind)
    text = str(rng.choice(bank[tone]))
    if tone == "keluhan" and rng.random() < SARAN_SESUDAH:
        return f"{text}, {rng.choice(bank['saran'])}", ("keluhan", "saran")
    return text, (tone,)


def _joined(rng: np.random.Generator, clauses) -> str:
    if len(clauses) == 1:
        return clauses[0][1]
    contrast = set(clauses[0][2]) != set(clauses[1][2])
    links = _LINKS[contrast]
    return clauses[0][1] + str(links[rng.integers(len(links))]) + clauses[1][1]


def _as_typed(rng: np.random.Generator, text: str) -> str:
    """The answer as typed: informal spellings, a letter repeated for emphasis, any case, loose punctuation."""
    words = text.split(" ")
    for i, word in enumerate(words):
        for standard, informal, share in _INFORMAL:
            if word.lower() == standard and rng.random() < share:
                words[i] = str(informal[rng.integers(len(informal))])
    if rng.random() < 0.12:
        vowel_end = [i for i, w in enumerate(words) if len(w) >= 4 and w[-1] in "aiueo"]
        if vowel_end:
            i = vowel_end[rng.integers(len(vowel_end))]
            words[i] += words[i][-1] * int(rng.integers(2, 5))
    out = " ".join(words)
    case = rng.random()
    out = out.upper() if case < 0.06 else out[:1].upper() + out[1:] if case < 0.6 else out
    return out + ("", "", ".", "!!", " ..", "!")[rng.integers(6)]
