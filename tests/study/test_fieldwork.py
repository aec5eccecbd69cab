"""Field material from a study (issue 17.1, 17.3, 17.4): `riset form` writes an XLSForm that pyxform accepts
with the codebook of its export, a paper questionnaire per unit and QR posters whose codes hold each unit's
prefilled link."""

from pathlib import Path

import segno
from pyxform.xls2xform import convert
from pypdf import PdfReader

from riset.cli import main
from riset.present.forms import qr_payload
from riset.skm.exports import read_codebook
from riset.study.config import load_study
from riset.study.fieldwork import study_units

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "data" / "raw" / "studi.yaml"
URL = "https://ee.kobotoolbox.org/x/abcd?d[/data/unit]={unit}"


def test_riset_form_writes_every_kind(tmp_path, capsys):
    assert main(["form", str(STUDY), "--out", str(tmp_path), "--url", URL]) == 0
    units = study_units(load_study(STUDY))
    assert len(units) == 15 and units["PKM-KOTA"] == "Puskesmas Tanjung Kota"
    result = convert(xlsform=str(tmp_path / "formulir_skm.xlsx"), warnings=[])
    assert "Puskesmas Tanjung Kota" in result.xform
    codebook = read_codebook(tmp_path / "codebook_kobo.yaml")
    assert codebook.id == "_uuid" and len(codebook.unsur_map()) == 9
    papers = sorted(tmp_path.glob("kuesioner_*.pdf"))
    assert len(papers) == 15
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "kuesioner_PKM-KOTA.pdf").pages)
    assert "Puskesmas Tanjung Kota" in text and "Sangat sesuai" in text
    posters = PdfReader(tmp_path / "poster_qr.pdf")
    assert len(posters.pages) == 15
    assert qr_payload(URL, "PKM-KOTA") in " ".join(p.extract_text() for p in posters.pages).replace("\n", "")


def test_qr_codes_hold_the_unit_link():
    payload = qr_payload(URL, "RSUD RJ/1")
    assert payload.endswith("=RSUD%20RJ%2F1")
    code = segno.make(payload, error="m")
    assert code.designator.endswith("-M") and code.is_micro is False


def test_a_poster_without_a_link_is_refused(tmp_path, capsys):
    assert main(["form", str(STUDY), "--to", "qr", "--out", str(tmp_path)]) == 2
    assert "--url" in capsys.readouterr().err
