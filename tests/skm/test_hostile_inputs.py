"""Bad input never costs data silently (issue 13): number formats, ragged CSV rows, XLSX dimension tags and
formula cells, answers off the codebook in bulk, numbered labels and XML names, encodings, YAML traps, Ctrl-C.
Each test feeds one class of hostile input and checks that riset either reads every cell right or stops with
one line naming the column, row and value."""

import numpy as np
import openpyxl
import pytest
import yaml

from riset.cli import main
from riset.errors import CodebookError, DataError
from riset.skm.exports import read_codebook, read_survey
from riset.skm.schemes import UNSUR_2017

KEYS = [u.key for u in UNSUR_2017]


@pytest.fixture
def codebook(tmp_path):
    columns = {"no": {"role": "id"}, "unit": {"role": "group"}, "bobot": {"role": "weight"}}
    columns |= {f"U{i}": {"role": "unsur", "unsur": k} for i, k in enumerate(KEYS, start=1)}
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump({"id": "no", "columns": columns}), encoding="utf-8")
    return path


def _csv(tmp_path, rows, weights, sep=",", name="data.csv", encoding="utf-8", answers=None):
    header = ["no", "unit", "bobot", *[f"U{i}" for i in range(1, 10)]]
    lines = [sep.join(header)]
    for i in range(rows):
        a = answers[i] if answers is not None else [str(1 + (i + j) % 4) for j in range(9)]
        lines.append(sep.join([str(i + 1), "A" if i % 2 else "B", weights[i % len(weights)], *a]))
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# ------------------------------------------------------------------------------------------- 1 numbers
def test_indonesian_thousands_and_decimal_comma_are_read_as_such(tmp_path, codebook):
    survey = read_survey(_csv(tmp_path, 6, ['"1.853,5"', '"12,25"', "853"]), codebook)
    assert survey.data["bobot"].tolist()[:3] == [1853.5, 12.25, 853.0]


def test_english_thousands_are_read_as_such(tmp_path, codebook):
    survey = read_survey(_csv(tmp_path, 6, ['"1,853.5"', "12.25", "853"]), codebook)
    assert survey.data["bobot"].tolist()[:3] == [1853.5, 12.25, 853.0]


def test_a_column_of_only_ambiguous_numbers_is_refused(tmp_path, codebook):
    path = _csv(tmp_path, 6, ["1.853", "853", "2.104"])
    with pytest.raises(DataError, match=r"column 'bobot' has 2 number\(s\) like '1.853' that read as thousands") as err:
        read_survey(path, codebook)
    assert "\n" not in str(err.value)
    # the codebook settles it
    raw = yaml.safe_load(codebook.read_text())
    raw["columns"]["bobot"]["decimal"] = ","
    codebook.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert read_survey(path, codebook).data["bobot"].tolist()[:3] == [1853.0, 853.0, 2104.0]
    raw["columns"]["bobot"]["decimal"] = "."
    codebook.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert read_survey(path, codebook).data["bobot"].tolist()[:3] == [1.853, 853.0, 2.104]


def test_mixed_number_formats_in_one_column_are_refused(tmp_path, codebook):
    with pytest.raises(DataError, match="column 'bobot' mixes number formats"):
        read_survey(_csv(tmp_path, 6, ['"2,5"', "3.5"]), codebook)


def test_a_bad_decimal_setting_is_a_codebook_error(tmp_path, codebook):
    raw = yaml.safe_load(codebook.read_text())
    raw["columns"]["bobot"]["decimal"] = "koma"
    codebook.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CodebookError, match="decimal must be ','"):
        read_codebook(codebook)


# ------------------------------------------------------------------------------------------- 2 rows
def test_a_short_row_is_refused_never_padded(tmp_path, codebook):
    path = _csv(tmp_path, 6, ["1"])
    lines = path.read_text().splitlines()
    lines[3] = ",".join(lines[3].split(",")[:-2])  # row 4 lost its last two answers
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="row 4 has 10 values but the header has 12 columns"):
        read_survey(path, codebook)


def test_an_unquoted_line_break_is_not_a_ghost_respondent(tmp_path, codebook):
    path = _csv(tmp_path, 6, ["1"])
    lines = path.read_text().splitlines()
    cells = lines[2].split(",")
    lines[2] = ",".join(cells[:5]) + "\n" + ",".join(cells[5:])  # a line break inside row 3
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"row 3 has 5 values .* \(also row\(s\) 4; 2 in all\); a line break"):
        read_survey(path, codebook)


# ------------------------------------------------------------------------------------------- 3 xlsx
def _xlsx(tmp_path, n=30):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["no", "unit", "bobot", *[f"U{i}" for i in range(1, 10)]])
    for i in range(n):
        ws.append([i + 1, "A", 2.0, *[1 + (i + j) % 4 for j in range(9)]])
    path = tmp_path / "data.xlsx"
    wb.save(path)
    return path, wb


def test_an_understated_dimension_tag_loses_no_row(tmp_path, codebook):
    import shutil
    import zipfile

    path, _ = _xlsx(tmp_path, 30)
    broken = tmp_path / "kecil.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:L31"/>', b'<dimension ref="A1:L11"/>')
                assert b'ref="A1:L11"' in data
            dst.writestr(item, data)
    shutil.copy(broken, path)
    assert len(read_survey(path, codebook).data) == 30


def test_formula_cells_without_a_value_are_refused(tmp_path, codebook):
    path, wb = _xlsx(tmp_path, 10)
    wb.active["C5"] = "=1+1"  # openpyxl stores the formula, no computed value
    wb.save(path)
    with pytest.raises(DataError, match=r"1 cell\(s\) hold a formula without a computed value \(first: C5 '=1\+1'\)"):
        read_survey(path, codebook)


# ------------------------------------------------------------------------------------------- 4 answers
def test_a_one_to_five_form_against_a_one_to_four_codebook_stops(tmp_path, codebook):
    # one answer in ten is a 5 (a 1-5 form): blanking them would bias every NRR downwards
    answers = [[str(5 if (i + j) % 10 == 0 else 1 + (i + j) % 4) for j in range(9)] for i in range(60)]
    with pytest.raises(DataError, match=r"column 'U1': 6 of 60 answers \(10%\) cannot be read \('5' \(6\)\); answers "
                                        r"go up to 5 but the codebook's scale is 1-4"):
        read_survey(_csv(tmp_path, 60, ["1"], answers=answers), codebook)


def test_numbered_labels_and_xml_names_are_read(tmp_path, codebook):
    numbered = [[f'"{1 + (i + j) % 4}. {UNSUR_2017[j].labels[(i + j) % 4]}"' for j in range(9)] for i in range(8)]
    survey = read_survey(_csv(tmp_path, 8, ["1"], answers=numbered), codebook)
    assert survey.data["U1"].tolist() == [1 + i % 4 for i in range(8)]
    xml = [[UNSUR_2017[j].labels[(i + j) % 4].lower().replace(" ", "_") for j in range(9)] for i in range(8)]
    survey = read_survey(_csv(tmp_path, 8, ["1"], answers=xml), codebook)
    assert survey.data["U2"].tolist() == [1 + (i + 1) % 4 for i in range(8)]


def test_unknown_xml_names_in_bulk_name_the_cause(tmp_path, codebook):
    answers = [["sangat_puas"] * 9 for _ in range(10)]
    with pytest.raises(DataError, match="10 of 10 answers .* XML choice names"):
        read_survey(_csv(tmp_path, 10, ["1"], answers=answers), codebook)


def test_a_few_typos_are_blanked_and_reported_not_fatal(tmp_path, codebook):
    answers = [[str(1 + (i + j) % 4) for j in range(9)] for i in range(30)]
    answers[4][0] = "7"
    survey = read_survey(_csv(tmp_path, 30, ["1"], answers=answers), codebook)
    assert np.isnan(survey.data.loc[6, "U1"]) and len(survey.issues) == 1


# ------------------------------------------------------------------------------------------- 11 encodings
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_exports_are_read(tmp_path, codebook, encoding):
    path = _csv(tmp_path, 6, ["1"], sep="\t", name="data.txt", encoding=encoding)
    survey = read_survey(path, codebook)
    assert len(survey.data) == 6 and survey.encoding.startswith("UTF-16")


def test_one_stray_cp1252_byte_does_not_garble_the_rest(tmp_path, codebook):
    path = _csv(tmp_path, 4, ["1"])
    text = path.read_text().replace("\n1,B,", "\n1,Poliklinik Anak – Ibu,", 1).replace("\n2,A,", "\n2,Café,", 1)
    blob = text.encode("utf-8").replace("Café".encode("utf-8"), "Café".encode("cp1252"))
    path.write_bytes(blob)
    survey = read_survey(path, codebook)
    assert survey.data.loc[2, "unit"] == "Poliklinik Anak – Ibu"  # UTF-8 kept as UTF-8
    assert survey.data.loc[3, "unit"] == "Café"  # the stray byte decoded as cp1252 ...
    assert "1 byte bukan UTF-8 di baris 3" in survey.encoding  # ... and reported


def test_a_nul_byte_in_a_utf8_file_is_refused(tmp_path, codebook):
    path = _csv(tmp_path, 20, ["1"])
    path.write_bytes(path.read_bytes().replace(b"\n5,", b"\n5\x00,", 1))
    with pytest.raises(DataError, match="line 6 holds a NUL byte"):
        read_survey(path, codebook)


# ------------------------------------------------------------------------------------------- 10, 12 yaml
@pytest.mark.parametrize("text, message", [
    ("id: no\ncolumns:\n  no: {role: id}\nignore: 5\n", "'ignore': a list of column names, not 5"),
    ("id: no\ncolumns:\n  no: {role: id}\nignore: true\n", "'ignore': a list of column names, not True"),
    ("id: no\nid: x\ncolumns:\n  no: {role: id}\n", "key 'id' is given twice"),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
])
def test_codebook_type_errors_and_yaml_traps_are_one_line(tmp_path, text, message):
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match=message) as err:
        read_codebook(path)
    assert "\n" not in str(err.value)


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr("riset.cli._run_check", interrupted)
    from riset.cli import SUBCOMMANDS

    monkeypatch.setitem(SUBCOMMANDS, "check", (SUBCOMMANDS["check"][0], SUBCOMMANDS["check"][1], interrupted))
    assert main(["check", "x"]) == 130
    assert capsys.readouterr().err == "riset: interrupted\n"


def test_a_sheet_for_a_csv_is_refused_not_ignored(tmp_path, codebook):
    with pytest.raises(DataError, match=r"a sheet \('Data'\) applies to .xlsx workbooks only"):
        read_survey(_csv(tmp_path, 4, ["1"]), codebook, sheet="Data")


def test_messages_name_the_command_line_flag(tmp_path, codebook, capsys):
    path = _csv(tmp_path, 4, ["1"])
    path.write_text(path.read_text().replace("no,unit,", "no,catatan,unit,", 1).replace("\n1,", "\n1,x,")
                    .replace("\n2,", "\n2,x,").replace("\n3,", "\n3,x,").replace("\n4,", "\n4,x,"))
    assert main(["ikm", str(path), "-c", str(codebook)]) == 2
    assert "--unknown-columns keep" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- 5, 6, 7 outputs
def test_written_tables_hold_no_live_formula_and_numbers_stay_numbers(tmp_path):
    import pandas as pd

    from riset.skm.exports import write_table

    frame = pd.DataFrame({"unit": ['=HYPERLINK("http://x","klik")', "+62 812", "@SUM(A1)", "-x", "Puskesmas\x0bKota"],
                          "ikm": [80.5, -1.5, 70.0, 60.0, 90.0], "kode": ["-1.5", "A", "B", "C", "D"]})
    csv_path = write_table(frame, tmp_path / "t.csv")
    text = csv_path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'+62 812" in text and "'@SUM" in text and "'-x" in text
    assert "\x0b" not in text and "-1.5" in text and "'-1.5" not in text  # a negative number stays a number
    xlsx_path = write_table({"=jahat": frame}, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(xlsx_path)
    ws = wb.worksheets[0]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws["B3"].value == -1.5 and ws["A2"].value.startswith("'=")
    assert not list(tmp_path.glob(".*tmp*"))  # nothing half-written left beside


def test_a_failing_write_leaves_no_partial_file(tmp_path, monkeypatch):
    import pandas as pd

    from riset.skm.exports import write_table

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(RisetError, match=r"cannot write '.*t\.csv': No space left on device"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert list(tmp_path.iterdir()) == []


def test_control_characters_in_text_are_dropped_and_reported(tmp_path, codebook):
    path = _csv(tmp_path, 4, ["1"])
    path.write_bytes(path.read_bytes().replace(b"\n1,B,", b"\n1,Loket\x07 B,", 1))
    survey = read_survey(path, codebook)
    assert survey.data.loc[2, "unit"] == "Loket B"
    issue = survey.issues.iloc[0]
    assert (issue["baris"], issue["kolom"], issue["masalah"]) == (2, "unit", "karakter kendali")


def test_riset_ikm_writes_all_csvs_or_none(tmp_path, codebook, monkeypatch, capsys):
    import riset.cli as cli
    from riset.skm import exports

    path = _csv(tmp_path, 6, ["1"])
    real, calls = exports.write_table, []

    def fails_second(table, target, index=False):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        return real(table, target, index)

    monkeypatch.setattr(cli, "write_table", fails_second)
    out = tmp_path / "hasil" / "ikm.csv"
    assert main(["ikm", str(path), "-c", str(codebook), "--out", str(out)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_an_unwritable_output_folder_stops_before_reading(tmp_path, codebook, capsys):
    blocker = tmp_path / "berkas"
    blocker.write_text("x")
    assert main(["ikm", str(tmp_path / "tidak_ada.csv"), "-c", str(codebook), "--out", str(blocker / "ikm.csv")]) == 2
    assert "cannot write to the output folder" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- property
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from riset.errors import RisetError  # noqa: E402

CELL = st.one_of(st.sampled_from(["1", "2", "3", "4", "", " 3 ", "5", "0", "x", "4,0", "2.5", "Sesuai",
                                  "4. Sangat sesuai", "sangat_sesuai", "=1+1", "\x07", "9"]),
                 st.text(max_size=6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=9, max_size=9), min_size=1, max_size=12),
       sep=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       weight=st.sampled_from(["2", '"1.853,5"', '"1,853.5"', "1.853", "2,5", "abc", ""]),
       cut=st.one_of(st.none(), st.integers(0, 11)))
def test_perturbed_exports_are_read_whole_or_refused_in_one_line(tmp_path_factory, codebook, rows, sep, encoding,
                                                                  weight, cut):
    folder = tmp_path_factory.mktemp("perturbed")
    quoted = [[f'"{c}"' if (sep in c or '"' in c or "\n" in c) else c for c in (r.replace('"', "'") for r in row)]
              for row in rows]
    try:
        path = _csv(folder, len(rows), [weight], sep=sep, encoding=encoding, answers=quoted)
    except UnicodeEncodeError:
        return  # a character the encoding cannot hold: not a file anyone could have written
    if cut is not None and cut < len(rows):  # one row loses its last field
        lines = path.read_bytes().decode(encoding).split("\n")
        lines[cut + 1] = lines[cut + 1].rsplit(sep, 1)[0]
        path.write_bytes("\n".join(lines).encode(encoding))
    try:
        survey = read_survey(path, codebook)
    except RisetError as err:
        assert "\n" not in str(err) and "Traceback" not in str(err)
        return
    # read: every non-blank respondent row is there, and an answer is blank exactly when the file had none
    # there or the issues report it
    assert len(survey.data) <= len(rows) and survey.data["no"].is_unique
    reported = set(zip(survey.issues["baris"].dropna().astype(int), survey.issues["kolom"]))
    answers = survey.data[[f"U{j}" for j in range(1, 10)]]
    assert answers.stack().dropna().between(1, 4).all()
    for baris, row in answers.iterrows():
        for col, value in row.items():
            raw = rows[baris - 2][int(col[1:]) - 1]
            if np.isnan(value) and raw.strip() and not raw.strip().isspace():
                assert (baris, col) in reported, (baris, col, raw)


def test_skm_functions_called_with_the_wrong_kind_of_argument_say_what_they_need():
    """The IKM and driver functions called from a notebook with a list where a mapping is needed, a data frame where a
    design is needed, no predictor or an impossible level: a riset error, not AttributeError / LinAlgError."""
    import pandas as pd

    from riset.errors import DesignError
    from riset.skm.drivers import relative_importance
    from riset.skm.ikm import ikm
    from riset.skm.ikm_design import ikm_design
    from riset.survey.design import SurveyDesign

    rng = np.random.default_rng(2)
    unsur = {f"U{i}": k for i, k in enumerate(KEYS, start=1)}
    data = pd.DataFrame(rng.integers(1, 5, (30, 9)), columns=list(unsur)).assign(K1=rng.integers(1, 11, 30), w=1.0)
    with pytest.raises(CodebookError, match=r"unsur must map each column to its unsur, e\.g\. .*got a list"):
        ikm(data, list(unsur))
    with pytest.raises(DesignError, match="expected a survey design .* not DataFrame"):
        ikm_design(data, unsur)
    with pytest.raises(DataError, match="level=2; a confidence level lies between 0 and 1"):
        ikm_design(SurveyDesign(data, weights="w"), unsur, level=2)
    with pytest.raises(DataError, match="no predictor given"):
        relative_importance(data, "K1", [])
    one = relative_importance(data, "K1", "U1")  # one column named as text, not its letters
    assert one.table["kolom"].tolist() == ["U1"]
