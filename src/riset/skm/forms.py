"""From the codebook to the field: the XLSForm of a study for KoboToolbox / ODK, and the codebook that reads the
export those tools produce from it.

`xlsform(codebook, units)` builds the three sheets of an XLSForm (survey, choices, settings):
- the unit as a choice list of the study's units (`units`: code -> name);
- every codebook column with a question (`question`/`pertanyaan`) in codebook order, except ids, design,
  weight and other grouping columns (a date column becomes the form's `today`): scaled answers and
  labelled categories as `select_one` lists whose choice names are the codebook's codes (so the export holds
  the codes, or the labels, and both read back), numbers with `bins` as integers, free text (`text` role) as
  text;
- unsur answers required; the pengaduan unsur asked only of those who say they complained (a yes/no question
  `pernah_mengadu` before it, `relevant`), as the regulation's complaint item presupposes a complaint;
- Indonesian labels (``label::Indonesian (id)``) and English ones where the scheme has them.

`export_codebook(codebook)` is the codebook for the export of that form: KoboToolbox's and ODK's own columns
(`start`, `end`, `_id`, `_uuid`, `_submission_time`, `_index`, ...) ignored, `_uuid` as the respondent id
when the codebook's id is not asked, and `pernah_mengadu` described. The form validates with `pyxform`.

>>> from riset.skm.questionnaire import standard_codebook
>>> sheets = xlsform(standard_codebook(), {"PKM-A": "Puskesmas A"}, title="SKM")
>>> sheets["survey"].iloc[0][["type", "name"]].tolist()
['select_one unit', 'unit']
"""

from __future__ import annotations

import re
from typing import Mapping

import pandas as pd

from riset.errors import CodebookError
from riset.skm.schemes import get_scheme, resolve_unsur

__all__ = ["COMPLAINED", "GOOGLE_COLUMNS", "KOBO_COLUMNS", "codebook_mapping", "export_codebook",
           "google_codebook", "google_questions", "write_xlsform", "xlsform"]

#: Google Forms columns of a response sheet that are not answers (English and Indonesian interface).
GOOGLE_COLUMNS = ("Timestamp", "Stempel waktu", "Email Address", "Alamat email", "Score", "Skor")

#: KoboToolbox / ODK columns of an export that are not answers.
KOBO_COLUMNS = ("start", "end", "today", "deviceid", "username", "phonenumber", "audit", "_id", "_uuid",
                "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__",
                "_tags", "_index", "_parent_table_name", "_parent_index", "meta/instanceID", "meta/rootUuid",
                "_xform_id_string", "_attachments", "_geolocation", "formhub/uuid", "instanceID")
#: The yes/no question before the complaint item.
COMPLAINED = "pernah_mengadu"
_ID, _EN = "label::Indonesian (id)", "label::English (en)"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def xlsform(codebook: Mapping, units: Mapping[str, str], *, title: str = "Survei Kepuasan Masyarakat",
            form_id: str = "skm", unit_column: str = "unit") -> dict[str, pd.DataFrame]:
    """The sheets (survey, choices, settings) of the study's XLSForm; see the module docstring. `codebook` is the
    mapping form of a codebook (as `riset.skm.questionnaire.standard_codebook` or the parsed YAML)."""
    columns = codebook.get("columns") or {}
    scheme = get_scheme(str(codebook.get("scheme") or "permenpan14_2017"))
    if not units:
        raise CodebookError("the form needs the study's units (code -> name) for its unit question")
    survey = [{"type": f"select_one {unit_column}", "name": unit_column, _ID: "Unit layanan yang Saudara kunjungi",
               _EN: "Service unit visited", "required": "yes"}]
    choices = [{"list_name": unit_column, "name": _choice_name(code), _ID: name, _EN: name}
               for code, name in units.items()]
    for name, entry in columns.items():
        role = str(entry.get("role", ""))
        question = entry.get("question") or entry.get("pertanyaan")
        if not _asked(name, entry, unit_column) or name == unit_column:
            continue
        if _is_date(name, entry):
            survey.append({"type": "today", "name": name})
            continue
        if not _NAME.match(str(name)):
            raise CodebookError(f"column '{name}' cannot be a form field name (letters, digits, _ . - only, not "
                                "starting with a digit); rename it in the codebook")
        labels = entry.get("labels") or {}
        if isinstance(labels, (list, tuple)):
            labels = {v: v for v in labels}
        english = _english(entry, scheme)
        row = {"name": name, _ID: question, _EN: english or question}
        if role == "unsur" and resolve_unsur(str(entry["unsur"]), scheme).key == "pengaduan":
            survey.append({"type": "select_one yatidak", "name": COMPLAINED, "required": "yes",
                           _ID: "Apakah Saudara pernah menyampaikan pengaduan, saran atau masukan kepada unit ini?",
                           _EN: "Have you ever made a complaint or suggestion to this unit?"})
            row["relevant"] = f"${{{COMPLAINED}}} = 'ya'"
        if role == "text":
            row["type"] = "text"
        elif entry.get("bins"):
            row.update(type="integer", constraint=f". >= {int(entry['bins'][0])} and . <= 120")
        elif labels or entry.get("scale"):
            codes = labels if labels else {c: str(c) for c in range(entry["scale"][0], entry["scale"][1] + 1)}
            row["type"] = f"select_one {name}"
            choices += [{"list_name": name, "name": _choice_name(code), _ID: text, _EN: text}
                        for code, text in codes.items()]
        else:
            row["type"] = "text"
        if role in ("unsur", "overall"):
            row["required"] = "yes"
        survey.append(row)
    choices += [{"list_name": "yatidak", "name": "ya", _ID: "Ya", _EN: "Yes"},
                {"list_name": "yatidak", "name": "tidak", _ID: "Tidak", _EN: "No"}]
    settings = [{"form_title": title, "form_id": form_id, "default_language": "Indonesian (id)", "version": "1"}]
    order = ["type", "name", _ID, _EN, "required", "relevant", "constraint"]
    survey_frame = pd.DataFrame(survey)
    return {"survey": survey_frame[[c for c in order if c in survey_frame.columns]],
            "choices": pd.DataFrame(choices, columns=["list_name", "name", _ID, _EN]),
            "settings": pd.DataFrame(settings)}


def _asked(name: str, entry: Mapping, unit_column: str) -> bool:
    """Whether the form asks a codebook column: the unit, and every column with a question except ids, design
    and weight columns and other grouping columns (the unit question covers them)."""
    role = str(entry.get("role", ""))
    if name == unit_column:
        return True
    return bool(entry.get("question") or entry.get("pertanyaan")) and role not in ("id", "design", "weight", "group")


def _is_date(name: str, entry: Mapping) -> bool:
    return str(entry.get("role")) == "other" and bool(re.search(r"tanggal|date", str(name), re.I))


def _choice_name(code) -> str:
    text = str(code)
    return text if _NAME.match(text) or text.isdigit() else re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def _english(entry: Mapping, scheme) -> str | None:
    if entry.get("role") in ("unsur", "importance") and entry.get("unsur"):
        u = resolve_unsur(str(entry["unsur"]), scheme)
        return getattr(u, "nama_en", None)
    return None


def write_xlsform(sheets: Mapping[str, pd.DataFrame], path) -> None:
    """The XLSForm workbook (sheets survey, choices, settings) at `path`."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def export_codebook(codebook: Mapping, units: Mapping[str, str], unit_column: str = "unit") -> dict:
    """The codebook (mapping form) that reads the KoboToolbox / ODK export of `xlsform(codebook, units)`: the
    unit read as its name whether the export holds the choice names (codes) or the labels."""
    columns = {name: dict(entry) for name, entry in (codebook.get("columns") or {}).items()
               if _asked(name, entry, unit_column)}
    columns[unit_column] = {**columns.get(unit_column, {"role": "group"}), "labels": dict(units)}
    columns["_uuid"] = {"role": "id"}
    columns[COMPLAINED] = {"role": "other", "labels": ["ya", "tidak"],
                           "pertanyaan": "Pernah menyampaikan pengaduan, saran atau masukan"}
    out = {k: v for k, v in codebook.items() if k not in ("columns", "id", "ignore")}
    ignore = [c for c in KOBO_COLUMNS if c != "_uuid"]
    return {**out, "id": "_uuid", "ignore": ignore, "columns": columns}


def codebook_mapping(codebook) -> dict:
    """A read `riset.skm.exports.Codebook` in the mapping form `xlsform` and `export_codebook` take."""
    columns = {}
    for name, spec in codebook.specs.items():
        entry = {"role": spec.role}
        if spec.unsur:
            entry["unsur"] = spec.unsur
        if spec.scale:
            entry["scale"] = list(spec.scale)
        if spec.labels and not spec.bins:
            entry["labels"] = dict(spec.labels)
        if spec.missing:
            entry["missing"] = list(spec.missing)
        if spec.question:
            entry["pertanyaan"] = spec.question
        if spec.bins:
            entry["bins"] = list(spec.bins)
        columns[name] = entry
    return {"study": codebook.study, "scheme": codebook.scheme, "id": codebook.id, "columns": columns}


_UNIT_QUESTION = "Unit layanan yang Saudara kunjungi"


def google_questions(codebook: Mapping, units: Mapping[str, str], unit_column: str = "unit") -> str:
    """The questions of the form in order and wording to paste into Google Forms (one block per question: its
    text, its type and its options), the unit first as a drop-down of the study's units."""
    blocks = [f"1. {_UNIT_QUESTION}\n   [Drop-down] " + " | ".join(units.values())]
    number = 1
    for name, entry in (codebook.get("columns") or {}).items():
        if not _asked(name, entry, unit_column) or name == unit_column or _is_date(name, entry):
            continue
        role = str(entry.get("role"))
        question = entry.get("question") or entry.get("pertanyaan")
        labels = entry.get("labels") or {}
        if isinstance(labels, (list, tuple)):
            labels = {v: v for v in labels}
        number += 1
        if role == "text":
            kind = "[Paragraf]"
        elif entry.get("bins"):
            kind = "[Jawaban singkat, angka]"
        elif labels:
            kind = "[Pilihan ganda] " + " | ".join(str(v) for v in labels.values())
        else:
            kind = "[Jawaban singkat]"
        required = " (wajib)" if role in ("unsur", "overall") else ""
        blocks.append(f"{number}. {question}{required}\n   {kind}")
    return "\n\n".join(blocks) + "\n"


def google_codebook(codebook: Mapping, units: Mapping[str, str], unit_column: str = "unit") -> dict:
    """The codebook that reads the response sheet of that Google Form as downloaded: question texts as headers
    (matched by `question`), answers as labels, no id column (row numbers become ids), the unit by its name."""
    columns = {name: dict(entry) for name, entry in (codebook.get("columns") or {}).items()
               if _asked(name, entry, unit_column) and not _is_date(name, entry)}
    columns[unit_column] = {"role": "group", "question": _UNIT_QUESTION, "labels": dict(units)}
    for entry in columns.values():
        if "pertanyaan" in entry and "question" not in entry:
            entry["question"] = entry.pop("pertanyaan")
    out = {k: v for k, v in codebook.items() if k not in ("columns", "id", "ignore")}
    return {**out, "ignore": list(GOOGLE_COLUMNS), "columns": columns}
