"""What a study takes to the field (`riset form STUDY --to xlsform|kertas|qr`, `write_forms`): the XLSForm for
KoboToolbox / ODK with the codebook that reads its export (`riset.skm.forms`), the paper questionnaire of each
unit and a QR poster per unit (A4 PDF).

- `paper_form(codebook, unit_name, path)`: the questionnaire from the codebook (mapping form, see
  `riset.skm.forms.codebook_mapping`) on A4: the unit's name, the respondent profile, every question with a
  box per answer option (the codebook's codes and labels), the complaint item with its filter question, and
  lines for the free-text answers.
- `qr_posters(units, url, path)`: one A4 page per unit with its name, a short invitation and a QR code of the
  form's link with the unit filled in (`url` holds ``{unit}``, e.g. an Enketo link
  ``https://ee.kobotoolbox.org/x/abcd?d[/data/unit]={unit}``); the QR code is made by `segno` (pure Python)
  and its payload returned, so a test can check what each code says.

Text in DejaVu Sans (shipped with matplotlib), labels from the data as plain text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import quote

import matplotlib
from fpdf import FPDF

import yaml

from riset.errors import RisetError
from riset.i18n import check_language, say
from riset.skm.exports import read_codebook
from riset.skm.forms import (codebook_mapping, export_codebook, google_codebook, google_questions,
                             write_xlsform, xlsform)
from riset.skm.schemes import get_scheme, resolve_unsur
from riset.study.config import StudyConfig, StudyError
from riset.study.fieldwork import study_units
from riset.textsafe import printable

__all__ = ["FORM_KINDS", "paper_form", "qr_payload", "qr_posters", "write_forms"]

#: What `write_forms` can write.
FORM_KINDS = ("xlsform", "google", "kertas", "qr")

_FONT = "DejaVu"


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf.add_font(_FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(_FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    return pdf


def paper_form(codebook: Mapping, unit_name: str, path: str | Path, *, title: str | None = None,
               lang: str | None = None) -> Path:
    """The paper questionnaire of one unit as an A4 PDF at `path` (see the module docstring)."""
    lang = check_language(lang)
    scheme = get_scheme(str(codebook.get("scheme") or "permenpan14_2017"))
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font(_FONT, "B", 14)
    pdf.multi_cell(0, 7, printable(title or codebook.get("study") or say("form_title", lang)), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(_FONT, "", 11)
    pdf.multi_cell(0, 6, printable(say("form_unit", lang, unit=unit_name)), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(_FONT, "", 9)
    pdf.multi_cell(0, 5, say("form_instructions", lang), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    number = 0
    for name, entry in (codebook.get("columns") or {}).items():
        role = str(entry.get("role", ""))
        question = entry.get("question") or entry.get("pertanyaan")
        if not question or role in ("id", "design", "weight", "group"):
            continue
        if role == "unsur" and resolve_unsur(str(entry["unsur"]), scheme).key == "pengaduan":
            number += 1
            _question(pdf, number, say("form_complained", lang), {"ya": say("form_yes", lang), "tidak": say("form_no", lang)})
        number += 1
        labels = entry.get("labels") or {}
        if isinstance(labels, (list, tuple)):
            labels = {v: v for v in labels}
        if role == "text" or (not labels and not entry.get("scale")):
            _lines(pdf, number, question, 3 if role == "text" else 1)
        else:
            codes = labels or {c: str(c) for c in range(entry["scale"][0], entry["scale"][1] + 1)}
            _question(pdf, number, question, codes)
    pdf.set_font(_FONT, "", 9)
    pdf.ln(3)
    pdf.multi_cell(0, 5, say("form_thanks", lang), new_x="LMARGIN", new_y="NEXT", align="L")
    path = Path(path)
    pdf.output(str(path))
    return path


def _question(pdf: FPDF, number: int, question: str, options: Mapping) -> None:
    if pdf.get_y() > 255:
        pdf.add_page()
    pdf.set_font(_FONT, "B", 10)
    pdf.multi_cell(0, 5.5, printable(f"{number}. {question}"), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(_FONT, "", 9.5)
    x0 = pdf.l_margin + 5
    pdf.set_x(x0)
    texts = [printable(f"{code}. {label}" if str(code).isdigit() and str(code) != str(label) else str(label))
             for code, label in options.items()]
    room = pdf.w - pdf.r_margin - x0
    per_row = next(k for k in (4, 3, 2, 1) if k == 1 or max(pdf.get_string_width(t) for t in texts) + 8 <= room / k)
    width = room / min(per_row, max(len(texts), 1))
    for i, text in enumerate(texts):
        if i and i % per_row == 0:
            pdf.ln(6)
            pdf.set_x(x0)
        x, y = pdf.get_x(), pdf.get_y()
        pdf.rect(x, y + 1, 3.5, 3.5)
        pdf.set_x(x + 5)
        pdf.cell(width - 5, 5.5, text)
    pdf.ln(8)


def _lines(pdf: FPDF, number: int, question: str, lines: int) -> None:
    if pdf.get_y() > 250:
        pdf.add_page()
    pdf.set_font(_FONT, "B", 10)
    pdf.multi_cell(0, 5.5, printable(f"{number}. {question}"), new_x="LMARGIN", new_y="NEXT", align="L")
    for _ in range(lines):
        y = pdf.get_y() + 7
        pdf.line(pdf.l_margin + 5, y, pdf.w - pdf.r_margin, y)
        pdf.set_y(y)
    pdf.ln(4)


def qr_payload(url: str, code: str) -> str:
    """The link a unit's QR code holds: `url` with ``{unit}`` replaced by the URL-encoded unit code."""
    if "{unit}" not in url:
        raise RisetError(f"the form link must hold {{unit}} where the unit's code goes, e.g. "
                         f"https://ee.kobotoolbox.org/x/abcd?d[/data/unit]={{unit}}; got {url!r}")
    return url.replace("{unit}", quote(str(code), safe=""))


def qr_posters(units: Mapping[str, str], url: str, path: str | Path, *, title: str | None = None,
               lang: str | None = None) -> dict[str, str]:
    """One A4 poster per unit (code -> name) with the QR code of its prefilled link, in one PDF at `path`;
    returns code -> the link its QR code holds."""
    import segno

    lang = check_language(lang)
    payloads = {str(code): qr_payload(url, code) for code in units}
    pdf = _pdf()
    for code, name in units.items():
        pdf.add_page()
        pdf.set_font(_FONT, "B", 24)
        pdf.multi_cell(0, 11, printable(title or say("poster_title", lang)), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(_FONT, "B", 18)
        pdf.multi_cell(0, 9, printable(name), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(_FONT, "", 13)
        pdf.multi_cell(0, 7, say("poster_invitation", lang), align="C", new_x="LMARGIN", new_y="NEXT")
        image = io.BytesIO()
        segno.make(payloads[str(code)], error="m").save(image, kind="png", scale=12, border=2)
        image.seek(0)
        size = 130
        pdf.image(image, x=(pdf.w - size) / 2, y=pdf.get_y() + 8, w=size, h=size)
        pdf.set_y(pdf.get_y() + size + 14)
        pdf.set_font(_FONT, "", 10)
        pdf.multi_cell(0, 5, say("poster_privacy", lang), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, "", 8)
        pdf.multi_cell(0, 4, payloads[str(code)], align="C", new_x="LMARGIN", new_y="NEXT")
    path = Path(path)
    pdf.output(str(path))
    return payloads


def write_forms(config: StudyConfig, out: str | Path, kinds: Sequence[str] = FORM_KINDS, url: str | None = None,
                lang: str | None = None) -> list[Path]:
    """Write the requested field material into `out`; returns the files written."""
    unknown = [k for k in kinds if k not in FORM_KINDS]
    if unknown:
        raise StudyError(f"--to {unknown[0]!r} is not a form kind; choose from {', '.join(FORM_KINDS)}")
    if "qr" in kinds and not url:
        raise StudyError("QR posters need the form's link with {unit} where the unit's code goes: --url "
                         "'https://ee.kobotoolbox.org/x/abcd?d[/data/unit]={unit}'")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    units = study_units(config)
    codebook = codebook_mapping(read_codebook(config.codebook))
    unit_column = config.unit
    written = []
    if "xlsform" in kinds:
        path = out / "formulir_skm.xlsx"
        write_xlsform(xlsform(codebook, units, title=config.title, unit_column=unit_column), path)
        book = out / "codebook_kobo.yaml"
        book.write_text(yaml.safe_dump(export_codebook(codebook, units, unit_column), sort_keys=False,
                                       allow_unicode=True), encoding="utf-8")
        written += [path, book]
    if "google" in kinds:
        questions = out / "pertanyaan_google_forms.txt"
        questions.write_text(google_questions(codebook, units, unit_column), encoding="utf-8")
        book = out / "codebook_google.yaml"
        book.write_text(yaml.safe_dump(google_codebook(codebook, units, unit_column), sort_keys=False,
                                       allow_unicode=True), encoding="utf-8")
        written += [questions, book]
    if "kertas" in kinds:
        for code, name in units.items():
            written.append(paper_form(codebook, name, out / f"kuesioner_{_stem(code)}.pdf", title=config.title,
                                      lang=lang or config.language))
    if "qr" in kinds:
        path = out / "poster_qr.pdf"
        qr_posters(units, url, path, lang=lang or config.language)
        written.append(path)
    return written


def _stem(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]+", "_", code).strip("_") or "unit"
