"""`riset init DIR`: a new study folder a team fills in, with nothing of the bundled example in it.

Writes (never over an existing file unless asked):

- ``studi.yaml``: the study file with every key explained in Indonesian comments (`riset.study.config`);
- ``codebook.yaml``: the standard questionnaire of PermenPAN-RB 14/2017 (`riset.skm.questionnaire`): the 9
  unsur with the official question texts and answer labels, the usual profile, optional overall satisfaction,
  importance and saran items -- delete what the form does not ask;
- ``jawaban.csv``: an empty data template with the codebook's columns as headers;
- ``README.md``: what to do next, in Indonesian.

>>> import tempfile
>>> sorted(p.name for p in init_study(tempfile.mkdtemp(), area="Kecamatan Sukamaju", level="kecamatan"))
['README.md', 'codebook.yaml', 'jawaban.csv', 'studi.yaml']
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import yaml

from riset.skm.questionnaire import standard_codebook
from riset.study.config import AREA_LEVELS, STUDY_FILE, StudyError

__all__ = ["init_study"]

_STUDY_TEMPLATE = """\
# Berkas studi: semua yang khas untuk studi ini. Nama berkas ditulis relatif terhadap folder ini.
# Periksa dengan:  riset check {study_file}     Buat laporan:  riset report {study_file}

study: {title}                      # judul pada sampul laporan dan slide
area: {{name: {area}, level: {level}}}   # level: kabupaten | kota | kecamatan | provinsi | instansi
organiser: null                     # penyelenggara, mis. LPPM Universitas ... (sampul, slide)
team: []                            # nama anggota tim (Bab I)
fieldwork: null                     # waktu pengumpulan data, mis. "Maret-April {year}"
data: jawaban.csv                   # ekspor jawaban (CSV/XLSX); beberapa berkas: [gel1.csv, gel2.csv]
codebook: codebook.yaml             # arti setiap kolom (YAML atau XLSX)

# Desain sampel. "srs" = acak sederhana. Untuk desain lain tulis kolomnya, mis.:
# design: {{weights: bobot, strata: unit, psu: hari, fpc: n_hari, lonely_psu: adjust}}
design: srs

levels: [unit]                      # tingkat pelaporan IKM (kolom kelompok; [unit, periode] untuk silang)
unit: unit                          # kolom unit layanan (peringkat, rekomendasi, lembar publikasi)
period: null                        # kolom periode (semester/tahun), untuk perubahan antar periode
names: {{unit: nama_unit}}            # kolom nama tampilan

# Pembobotan: none (sama), design (bobot desain), atau poststratify | rake | calibrate dengan margin
# populasi, mis. {{method: rake, margins: penduduk.csv, variables: [jenis_kelamin, kelompok_umur]}}
weighting: {{method: design}}

overall: K1                         # kolom kepuasan keseluruhan (false bila tidak ditanyakan)
importance: null                    # kolom kepentingan per unsur (null = dari codebook; false = tidak ada)
language: id                        # id | en
seed: {year}                        # benih acak: hasil yang sama setiap kali dijalankan
"""

_README = """\
# {title}

Folder studi ini dibuat oleh `riset init`. Langkah berikutnya:

1. **Sesuaikan `codebook.yaml`** dengan formulir Anda: nama kolom sesuai judul kolom di ekspor, hapus
   pertanyaan yang tidak ditanyakan (K1, P1-P9, saran bersifat pilihan). Unsur dicocokkan menurut nama
   (`unsur: waktu`), bukan nomor pertanyaan.
2. **Isi data**: salin ekspor Google Forms / KoboToolbox / hasil entri kertas ke `jawaban.csv` (atau ganti
   nama berkas di `studi.yaml`). Jawaban boleh berupa angka 1-4 atau labelnya ("Sangat cepat").
3. **Lengkapi `studi.yaml`**: judul, wilayah, penyelenggara, desain sampel, tingkat pelaporan.
4. Jalankan:

```
riset check {folder}      # memeriksa berkas dan menjelaskan analisis yang akan dijalankan
riset report {folder}     # membuat laporan (HTML, DOCX, PDF), slide (PPTX) dan tabel (XLSX) di hasil/
riset notebooks {folder}  # menjalankan buku catatan Jupyter untuk penelaah
```

Semua angka dihitung menurut PermenPAN-RB 14/2017 (bobot unsur tepat 1/9) dengan selang kepercayaan
sesuai desain sampel.
"""


def init_study(folder: str | Path, *, title: str | None = None, area: str | None = None,
               level: str = "kabupaten", force: bool = False) -> list[Path]:
    """Create a study folder (see the module docstring); returns the files written.

    An existing file is never overwritten unless `force`; a one-line error names it.
    """
    if level not in AREA_LEVELS:
        raise StudyError(f"level '{level}' is not an area level; choose one of {', '.join(AREA_LEVELS)}")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    year = dt.date.today().year
    area = area or f"{level.capitalize()} ..."
    title = title or f"Survei Kepuasan Masyarakat {area} {year}"
    codebook = standard_codebook(title)
    files = {
        STUDY_FILE: _STUDY_TEMPLATE.format(title=_quote(title), area=_quote(area), level=level, year=year,
                                           study_file=STUDY_FILE),
        "codebook.yaml": "# Codebook standar PermenPAN-RB 14/2017 (kuesioner contoh peraturan); sesuaikan dengan "
                         "formulir Anda.\n" + yaml.safe_dump(codebook, sort_keys=False, allow_unicode=True, width=110),
        "README.md": _README.format(title=title, folder=out.name if " " not in out.name else f'"{out.name}"'),
    }
    existing = [name for name in [*files, "jawaban.csv"] if (out / name).exists()]
    if existing and not force:
        raise StudyError(f"'{out / existing[0]}' already exists; choose an empty folder or add --force to overwrite")
    written = []
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    with open(out / "jawaban.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(list(codebook["columns"]))
    written.append(out / "jawaban.csv")
    return written


def _quote(text: str) -> str:
    """A YAML scalar for `text` (quoted when it needs it)."""
    return yaml.safe_dump(text, default_flow_style=True, allow_unicode=True, width=10_000).strip().removesuffix("...").strip()
