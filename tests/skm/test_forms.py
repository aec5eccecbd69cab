"""The XLSForm of a study (issue 17.1): valid for pyxform, the unit as a choice list, required unsur, the
complaint item asked only of those who complained; and the export KoboToolbox makes from it reads back with
the export codebook and no hand edits (Kobo's own columns, _uuid, XML choice names or labels)."""

import numpy as np
import pandas as pd
import pytest
from pyxform.xls2xform import convert

from riset.errors import CodebookError
from riset.skm.exports import Codebook, read_survey
from riset.skm.forms import COMPLAINED, KOBO_COLUMNS, export_codebook, write_xlsform, xlsform
from riset.skm.questionnaire import standard_codebook

UNITS = {"PKM-A": "Puskesmas Sungai Mas", "RSUD": "RSUD Tanjung Harapan - Rawat Jalan"}


@pytest.fixture(scope="module")
def sheets():
    return xlsform(standard_codebook(), UNITS, title="SKM Kabupaten Uji")


def test_the_form_validates_with_pyxform(sheets, tmp_path):
    path = tmp_path / "skm.xlsx"
    write_xlsform(sheets, path)
    warnings = []
    result = convert(xlsform=str(path), warnings=warnings)
    assert "<h:title>SKM Kabupaten Uji</h:title>" in result.xform
    assert not warnings
    for code, name in UNITS.items():
        assert code in result.xform and name in result.xform


def test_unsur_are_required_and_the_complaint_item_follows_a_complaint(sheets):
    survey = sheets["survey"].set_index("name")
    unsur = [f"U{i}" for i in range(1, 10)]
    assert (survey.loc[unsur, "required"] == "yes").all()
    assert survey.loc["U9", "relevant"] == f"${{{COMPLAINED}}} = 'ya'"  # U9 asks pengaduan in the sample form
    names = list(sheets["survey"]["name"])
    assert names.index(COMPLAINED) == names.index("U9") - 1
    assert survey.loc["tanggal", "type"] == "today" and "nama_unit" not in names
    u3 = sheets["choices"][sheets["choices"]["list_name"] == "U3"]
    assert u3["name"].tolist() == ["1", "2", "3", "4"] and u3["label::Indonesian (id)"].iloc[3] == "Sangat cepat"


def _kobo_export(sheets, n=12, labels=False, seed=3):
    """An export with KoboToolbox's shape: meta columns first, answers by question name, Kobo's columns last."""
    rng = np.random.default_rng(seed)
    survey, choices = sheets["survey"], sheets["choices"]
    rows = []
    for i in range(n):
        row = {"start": "2026-08-01T08:00:00.000+07:00", "end": "2026-08-01T08:07:00.000+07:00"}
        complained = i % 3 == 0
        for _, q in survey.iterrows():
            kind, name = q["type"], q["name"]
            if kind == "today":
                row[name] = "2026-08-01"
            elif name == COMPLAINED:
                row[name] = "ya" if complained else "tidak"
            elif kind.startswith("select_one"):
                options = choices[choices["list_name"] == kind.split()[1]]
                pick = options.iloc[int(rng.integers(len(options)))]
                blank = name == "U9" and not complained
                row[name] = "" if blank else (pick["label::Indonesian (id)"] if labels else pick["name"])
            elif kind == "integer":
                row[name] = int(rng.integers(17, 80))
            else:
                row[name] = "antre lama" if i % 4 == 0 else ""
        row.update({"_id": 1000 + i, "_uuid": f"7f3c-{i:04d}", "_submission_time": "2026-08-01T09:00:00",
                    "_validation_status": "", "_notes": "", "_status": "submitted_via_web", "_submitted_by": "",
                    "__version__": "vAbc", "_tags": "", "_index": i + 1})
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("labels", [False, True], ids=["xml_values", "labels"])
def test_a_kobo_export_of_the_form_reads_back_without_edits(sheets, tmp_path, labels):
    export = _kobo_export(sheets, labels=labels)
    path = tmp_path / "kobo.xlsx"
    export.to_excel(path, index=False)
    survey = read_survey(path, Codebook.from_dict(export_codebook(standard_codebook(), UNITS)))
    assert len(survey.data) == 12 and survey.data["_uuid"].tolist() == export["_uuid"].tolist()
    assert survey.blanked.empty  # nothing unreadable
    assert survey.data["U9"].isna().sum() == 8  # the complaint item is blank exactly for those who did not complain
    assert survey.data["U1"].between(1, 4).all() and survey.data["unit"].isin(list(UNITS.values())).all()


def test_a_form_needs_units_and_valid_names():
    with pytest.raises(CodebookError, match="needs the study's units"):
        xlsform(standard_codebook(), {})
    cb = standard_codebook()
    cb["columns"]["1 pertanyaan"] = {"role": "other", "pertanyaan": "x"}
    with pytest.raises(CodebookError, match="'1 pertanyaan' cannot be a form field name"):
        xlsform(cb, UNITS)


def test_a_google_forms_response_sheet_reads_with_the_google_codebook(tmp_path):
    from riset.skm.forms import google_codebook, google_questions
    from riset.skm.schemes import UNSUR_2017

    cb = standard_codebook()
    text = google_questions(cb, UNITS)
    assert text.startswith("1. Unit layanan yang Saudara kunjungi") and "Sangat sesuai" in text
    # the response sheet as Google downloads it: Timestamp, the questions as headers, answers as labels
    book = google_codebook(cb, UNITS)
    rows = []
    for i in range(6):
        row = {"Timestamp": f"2026/08/0{i + 1} 09:00:00"}
        for column, entry in book["columns"].items():
            labels = entry.get("labels") or {}
            if column == "unit":
                row[entry["question"]] = list(UNITS.values())[i % 2]
            elif entry["role"] == "text":
                row[entry["question"]] = "antre lama" if i == 2 else ""
            elif column.startswith("U"):
                row[entry["question"]] = labels[1 + (i + int(column[1:])) % 4]
            else:
                row[entry["question"]] = list(labels.values())[i % len(labels)] if labels else str(1 + i % 10)
        rows.append(row)
    path = tmp_path / "Formulir (Jawaban).csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    survey = read_survey(path, Codebook.from_dict(book))
    assert len(survey.data) == 6 and survey.blanked.empty
    assert survey.data["U1"].tolist() == [1 + (i + 1) % 4 for i in range(6)]
    assert set(survey.data["unit"]) == set(UNITS.values())
