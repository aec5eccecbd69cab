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


def _without_images(text: str) -> str:
    """Text without embedded images: base64 runs (may hold any short string, "Sri" among them), with the
    escapes of notebook JSON and widget state (\\n, \\/)."""
    return re.sub(r"[A-Za-z0-9+/=\\]{100,}", "", text)


def _texts(folder: Path) -> dict[str, str]:
    out = {"html": _without_images((folder / "laporan_skm.html").read_text(encoding="utf-8"))}
    for name in ("laporan_skm.docx", "paparan_skm.pptx", "tabel_skm.xlsx"):
        with zipfile.ZipFile(folder / name) as archive:
            out[name] = " ".join(archive.read(i).decode("utf-8", "ignore") for i in archive.namelist()
                                 if i.endswith(".xml"))
    pdfs = [folder / "laporan_skm.pdf", *sorted((folder / "lembar_publikasi").glob("*.pdf"))]
    out["pdf"] = " ".join(page.extract_text() for p in pdfs for page in PdfReader(p).pages)
    return out


def _study_with_secrets(tmp_path) -> Path:
    """The Google Forms study with personal data written into its saran column."""
    study = google_forms(tmp_path)
    export = next(tmp_path.glob("*.csv"))
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    column = "Saran dan masukan untuk perbaikan layanan"
    for i, text in enumerate(WRITTEN):
        frame.loc[i * 7, column] = text
    frame.to_csv(export, index=False)
    return study["study"]


def test_no_personal_data_survives_into_any_output(tmp_path, capsys):
    out = tmp_path / "hasil"
    assert main(["report", str(_study_with_secrets(tmp_path)), "--out", str(out)]) == 0
    texts = _texts(out)
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    assert "[telepon]" in texts["html"] and "Pak [nama]" in texts["html"] and "[email]" in texts["html"]


def test_no_personal_data_survives_into_the_executed_notebooks(tmp_path, capsys):
    """`riset notebooks`: the executed notebooks, their HTML and the replication pack hold none of it either."""
    out = tmp_path / "hasil"
    assert main(["notebooks", str(_study_with_secrets(tmp_path)), "--out", str(out)]) == 0
    written = [p for p in out.rglob("*") if p.suffix in (".ipynb", ".html", ".csv", ".md", ".yaml", ".json")]
    assert any(p.suffix == ".ipynb" for p in written)
    for path in written:
        text = _without_images(path.read_text(encoding="utf-8", errors="ignore"))
        for secret in SECRETS:
            assert secret not in text, (path.relative_to(out), secret)
