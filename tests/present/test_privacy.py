"""Personal data respondents write (phone numbers, NIK, e-mail, names after a title) never reaches a file of the
seminar package: the free-text answers are carried masked (issue 18.6)."""

import re
import sys
import zipfile
from pathlib import Path

import pandas as pd
from pypdf import PdfReader

from riset.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "study"))
from own_studies import google_forms  # noqa: E402

SECRETS = ["0812-3456-7890", "081234567890", "3201234567890123", "budi.santoso@gmail.com", "Budi Santoso", "Sri"]
WRITTEN = ["Pak Budi Santoso di loket lambat, hubungi 0812-3456-7890", "NIK saya 3201234567890123 belum jadi",
           "kirim ke budi.santoso@gmail.com ya", "Mbak Sri ramah sekali", "WA 081234567890\x07 tolong"]


def _texts(folder: Path) -> dict[str, str]:
    out = {"html": re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "",
                          (folder / "laporan_skm.html").read_text(encoding="utf-8"))}
    for name in ("laporan_skm.docx", "paparan_skm.pptx", "tabel_skm.xlsx"):
        with zipfile.ZipFile(folder / name) as archive:
            out[name] = " ".join(archive.read(i).decode("utf-8", "ignore") for i in archive.namelist()
                                 if i.endswith(".xml"))
    pdfs = [folder / "laporan_skm.pdf", *sorted((folder / "lembar_publikasi").glob("*.pdf"))]
    out["pdf"] = " ".join(page.extract_text() for p in pdfs for page in PdfReader(p).pages)
    return out


def test_no_personal_data_survives_into_any_output(tmp_path, capsys):
    study = google_forms(tmp_path)
    export = next(tmp_path.glob("*.csv"))
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    column = "Saran dan masukan untuk perbaikan layanan"
    for i, text in enumerate(WRITTEN):
        frame.loc[i * 7, column] = text
    frame.to_csv(export, index=False)
    out = tmp_path / "hasil"
    assert main(["report", str(study["study"]), "--out", str(out)]) == 0
    texts = _texts(out)
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    assert "[telepon]" in texts["html"] and "Pak [nama]" in texts["html"] and "[email]" in texts["html"]
