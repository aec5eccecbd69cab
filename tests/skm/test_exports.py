"""riset.skm.exports: every cell of the hand-made exports in tests/data/io is checked against what a person reads.

survey.csv (header = spreadsheet row 1):
  row 3 R002  U3 "  Sangat CEPAT "  -> 4 (label, any case / spaces)     U9 blank -> NaN, not an issue
  row 4 R003  U1 9 -> missing code;  P1 "Penting" -> 3;  jenis_kelamin "perempuan" -> "Perempuan"
  row 5 R004  U2 "c" -> 3 (questionnaire letter);  K1 44 -> outside 1-10;  jenis_kelamin 1 -> "Laki-laki"
  row 6 R005  U3 7 -> outside 1-4;  U5 "bagus" -> unknown text
  row 7 R006  U4 2.5 -> not a whole number;  U6 "-" -> unknown text
  row 8       entirely blank -> skipped and reported
  row 9 R007  jenis_kelamin "Laki2" -> unknown category;  U9 0 -> outside 1-4 (0 is not a missing code here)
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from riset.errors import CodebookError, DataError, RisetError
from riset.skm.exports import Codebook, read_codebook, read_survey, write_table

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
CODEBOOK_YAML = DATA / "codebook.yaml"

EXPECTED_ISSUES = [
    # baris, id, kolom, nilai_asli, masalah, tindakan
    (3, "R002", "U3", "  Sangat CEPAT ", "label teks", "diganti 4"),
    (4, "R003", "U1", "9", "kode hilang", "dikosongkan"),
    (4, "R003", "P1", "Penting", "label teks", "diganti 3"),
    (5, "R004", "U2", "c", "huruf pilihan", "diganti 3"),
    (5, "R004", "K1", "44", "di luar skala (1-10)", "dikosongkan"),
    (6, "R005", "U3", "7", "di luar skala (1-4)", "dikosongkan"),
    (6, "R005", "U5", "bagus", "teks tidak dikenali", "dikosongkan"),
    (7, "R006", "U4", "2.5", "bukan bilangan bulat", "dikosongkan"),
    (7, "R006", "U6", "-", "teks tidak dikenali", "dikosongkan"),
    (8, None, "", "", "baris kosong", "dilewati"),
    (9, "R007", "jenis_kelamin", "Laki2", "kategori tidak dikenal", "dikosongkan"),
    (9, "R007", "U9", "0", "di luar skala (1-4)", "dikosongkan"),
]


@pytest.fixture(scope="module")
def codebook():
    return read_codebook(CODEBOOK_YAML)


@pytest.fixture(scope="module")
def survey(codebook):
    return read_survey(DATA / "survey.csv", codebook)


def _issue_tuples(issues):
    return [
        (int(r.baris), None if pd.isna(r.id_responden) else r.id_responden, r.kolom, r.nilai_asli, r.masalah, r.tindakan)
        for r in issues.itertuples()
    ]


def _export(tmp_path, changes, name="export.csv"):
    """survey.csv with cells changed: {(spreadsheet row, column): new text}."""
    lines = (DATA / "survey.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = [line.split(",") for line in lines]
    for (row, col), value in changes.items():
        cells[row - 1][header.index(col)] = value
    path = tmp_path / name
    path.write_text("\n".join(",".join(c) for c in cells) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------ reading
def test_every_changed_cell_is_reported_with_spreadsheet_row(survey):
    assert list(survey.issues.columns) == ["baris", "id_responden", "kolom", "nilai_asli", "masalah", "tindakan"]
    assert _issue_tuples(survey.issues) == EXPECTED_ISSUES


def test_no_respondent_row_is_dropped_and_rows_keep_their_number(survey):
    assert survey.data.index.name == "baris"
    assert survey.data.index.tolist() == [2, 3, 4, 5, 6, 7, 9]  # row 8 was blank
    assert survey.data["id_responden"].tolist() == ["R001", "R002", "R003", "R004", "R005", "R006", "R007"]
    assert "Timestamp" not in survey.data.columns  # ignored by the codebook


def test_answers_are_floats_with_nan_for_blank_and_blanked_cells(survey):
    d = survey.data
    assert d["U3"].dtype == np.float64
    assert d.loc[3, "U3"] == 4.0  # "  Sangat CEPAT "
    assert d.loc[5, "U2"] == 3.0  # letter c
    assert d.loc[4, "P1"] == 3.0  # "Penting"
    for row, col in [(3, "U9"), (4, "U1"), (5, "K1"), (6, "U3"), (6, "U5"), (7, "U4"), (7, "U6"), (9, "U9")]:
        assert np.isnan(d.loc[row, col]), (row, col)
    assert d["U8"].tolist() == [4, 3, 3, 3, 3, 2, 1]
    assert d.loc[2, "K1"] == 9.0  # 9 is a valid answer on K1's 1-10 scale (missing codes are per column)


def test_category_labels_codes_and_unknown_categories(survey):
    assert survey.data["jenis_kelamin"].tolist()[:6] == ["Laki-laki", "Perempuan", "Perempuan", "Laki-laki",
                                                          "Laki-laki", "Perempuan"]
    assert pd.isna(survey.data.loc[9, "jenis_kelamin"])
    assert survey.data["hari"].tolist()[0] == "A/H1"  # design ids stay text
    assert survey.data["bobot"].tolist() == [10, 10, 12, 8, 8, 8, 8]


def test_summary_counts_blanked_cells_by_reason_and_column(survey):
    text = survey.summary()
    assert text.startswith('Dibaca 7 baris responden dari survey.csv (UTF-8, pemisah ",").')
    assert "8 sel dikosongkan: kode hilang 1 (U1 1);" in text
    # U9 of this questionnaire holds pengaduan, which the regulation numbers U8: said beside the column
    assert "di luar skala (1-4) 2 (U3 1, U9 (unsur U8) 1)" in text
    assert "teks tidak dikenali 2 (U5 1, U6 1)" in text
    assert "3 jawaban berupa label teks atau huruf pilihan diubah menjadi angka" in text
    assert "1 baris kosong seluruhnya dilewati (baris 8)" in text
    assert len(survey.blanked) == 8


def test_ikm_on_read_data_matches_hand_computation(survey):
    from riset.skm.ikm import ikm

    table = ikm(survey.data, survey.codebook.unsur_map(), by="unit").table.set_index("unit")
    # unit A: NRR U1 (4+3)/2, U3 (4+4+3)/3, U9 (4+3)/2, the other six 10/3 -> IKM 30.6667/9
    assert table.loc["A", "ikm"] == pytest.approx((3.5 + 11 / 3 + 3.5 + 6 * 10 / 3) / 9)
    assert table.loc["A", "ikm_konversi"] == pytest.approx(85.185185, abs=1e-5)


# ---------------------------------------------------------------------------- formats, encodings
def test_semicolon_csv_with_decimal_comma(codebook, survey):
    semi = read_survey(DATA / "survey_semicolon.csv", codebook)
    assert semi.delimiter == ";"
    assert semi.data.loc[4, "bobot"] == 12.5  # "12,5"
    pd.testing.assert_frame_equal(semi.data.drop(columns="bobot"), survey.data.drop(columns="bobot"))


def test_cp1252_excel_export(codebook, survey):
    cp = read_survey(DATA / "survey_cp1252.csv", codebook)
    assert cp.encoding == "cp1252"
    assert cp.data.loc[2, "hari"] == "A – Puskesmas Café/H1"
    assert _issue_tuples(cp.issues) == EXPECTED_ISSUES


def test_utf8_bom_and_tab_delimiter(codebook, survey):
    tab = read_survey(DATA / "survey_bom_tab.tsv", codebook)  # BOM must not stick to "Timestamp"
    assert (tab.encoding, tab.delimiter) == ("UTF-8 dengan BOM", "\t")
    pd.testing.assert_frame_equal(tab.data, survey.data)


def test_xlsx_export_reads_like_the_csv(codebook, survey):
    book = read_survey(DATA / "survey.xlsx", codebook)
    pd.testing.assert_frame_equal(book.data, survey.data)
    assert _issue_tuples(book.issues) == EXPECTED_ISSUES


def test_xlsx_sheet_choice(codebook):
    with pytest.raises(DataError, match=r"no sheet 'Data'; sheets: Form Responses 1, Ringkasan"):
        read_survey(DATA / "survey.xlsx", codebook, sheet="Data")
    with pytest.raises(DataError, match=r"survey.xlsx has a header but no data rows"):
        read_survey(DATA / "survey.xlsx", codebook, sheet="Ringkasan")
    assert read_survey(DATA / "survey.xlsx", codebook, sheet=0).data.shape == (7, 16)


def test_broken_xlsx(codebook):
    with pytest.raises(DataError, match=r"broken.xlsx cannot be opened as an Excel workbook"):
        read_survey(DATA / "broken.xlsx", codebook)


# ------------------------------------------------------------------------------ validation
def test_empty_file_and_header_only(codebook):
    with pytest.raises(DataError, match=r"empty.csv is empty"):
        read_survey(DATA / "empty.csv", codebook)
    with pytest.raises(DataError, match=r"header_only.csv has a header but no data rows"):
        read_survey(DATA / "header_only.csv", codebook)


def test_unknown_columns_error_lists_them(codebook):
    with pytest.raises(DataError) as err:
        read_survey(DATA / "unknown_column.csv", codebook)
    assert "'Kota', 'catatan'" in str(err.value) and "unknown='keep'" in str(err.value)


def test_unknown_columns_kept_and_reported(codebook):
    kept = read_survey(DATA / "unknown_column.csv", codebook, unknown="keep")
    assert kept.data["Kota"].tolist() == ["x"] * 7
    extra = kept.issues[kept.issues["masalah"] == "kolom tidak ada di codebook"]
    assert extra["kolom"].tolist() == ["Kota", "catatan"] and extra["baris"].isna().all()
    assert len(kept.issues) == len(EXPECTED_ISSUES) + 2


def test_codebook_column_absent_from_data(codebook):
    with pytest.raises(DataError, match=r"column\(s\) 'K1' described in codebook codebook.yaml are not in the data"):
        read_survey(DATA / "missing_column.csv", codebook)


def test_duplicate_ids_name_the_id_and_both_rows(codebook):
    with pytest.raises(DataError, match=r"respondent id 'R002' in column 'id_responden' appears in rows 3, 6"):
        read_survey(DATA / "duplicate_ids.csv", codebook)


def test_blank_ids_name_the_rows(codebook):
    with pytest.raises(DataError, match=r"'id_responden' is blank in 1 row\(s\): 6$"):
        read_survey(DATA / "blank_id.csv", codebook)


def test_strict_stops_at_first_invalid_cell_in_row_order(codebook):
    with pytest.raises(DataError) as err:
        read_survey(DATA / "survey.csv", codebook, strict=True)
    message = str(err.value)
    assert message.startswith("column 'K1' has value 44 in row 5 (id R004); allowed 1-10")
    assert "7 invalid cell(s) in all" in message  # missing codes and converted labels are not invalid


def test_strict_message_lists_labels(tmp_path, codebook):
    path = _export(tmp_path, {(5, "K1"): "4", (6, "U5"): "3", (7, "U4"): "2", (7, "U6"): "2",
                              (9, "U9"): "1", (9, "jenis_kelamin"): "2"})
    with pytest.raises(DataError) as err:
        read_survey(path, codebook, strict=True)
    assert str(err.value).startswith(
        "column 'U3' has value 7 in row 6 (id R005); allowed 1-4 or a label (Tidak cepat, Kurang cepat, Cepat, "
        "Sangat cepat); missing code(s) 9 (1 invalid cell(s) in all"
    )


@pytest.mark.parametrize(
    ("text", "expected", "masalah"),
    [
        ("SANGAT SESUAI", 4.0, "label teks"),
        ("  kurang   sesuai ", 2.0, "label teks"),
        ("a", 1.0, "huruf pilihan"),
        ("D.", 4.0, "huruf pilihan"),
        ("b. Kurang sesuai", 2.0, "huruf pilihan"),
        ("b. Sangat sesuai", np.nan, "teks tidak dikenali"),  # letter and label disagree
        ("e", np.nan, "teks tidak dikenali"),  # no fifth option
        ('"4,0"', 4.0, None),  # decimal comma (quoted in a comma CSV): a plain number, no issue
        ("?", np.nan, "teks tidak dikenali"),
        ("5", np.nan, "di luar skala (1-4)"),
    ],
)
def test_label_and_letter_mapping(tmp_path, codebook, text, expected, masalah):
    survey = read_survey(_export(tmp_path, {(2, "U1"): text}), codebook)
    value = survey.data.loc[2, "U1"]
    assert (np.isnan(value) and np.isnan(expected)) or value == expected
    u1 = survey.issues[(survey.issues["baris"] == 2) & (survey.issues["kolom"] == "U1")]
    assert u1["masalah"].tolist() == ([masalah] if masalah else [])
    if masalah:
        assert u1["nilai_asli"].item() == text


def test_weight_column_non_positive_or_text_blanked(tmp_path, codebook):
    survey = read_survey(_export(tmp_path, {(2, "bobot"): "0", (3, "bobot"): "sepuluh"}), codebook)
    assert survey.data["bobot"].isna().tolist()[:3] == [True, True, False]
    rows = survey.issues[survey.issues["kolom"] == "bobot"]
    assert rows[["baris", "nilai_asli", "masalah"]].values.tolist() == [[2, "0", "bobot tidak positif"],
                                                                       [3, "sepuluh", "bukan angka"]]


def test_row_with_more_values_than_header(tmp_path, codebook):
    path = _export(tmp_path, {(4, "P1"): "3,catatan lepas"})
    with pytest.raises(DataError, match=r"row 4 has 18 values but the header has 17 columns \(extra value 'catatan lepas'\)"):
        read_survey(path, codebook)


def test_duplicate_header(tmp_path, codebook):
    path = _export(tmp_path, {(1, "P1"): "U1"})
    with pytest.raises(DataError, match=r"column 'U1' appears twice in the header \(positions 7 and 17\)"):
        read_survey(path, codebook)


def test_missing_file_and_unsupported_type(tmp_path, codebook):
    with pytest.raises(FileNotFoundError):
        read_survey(tmp_path / "nope.csv", codebook)
    (tmp_path / "old.xls").write_bytes(b"x")
    with pytest.raises(DataError, match=r"old .xls workbooks are not supported"):
        read_survey(tmp_path / "old.xls", codebook)


# --------------------------------------------------------------------------------- codebook
def test_codebook_yaml(codebook):
    assert (codebook.study, codebook.scheme, codebook.id, codebook.ignore) == (
        "Uji riset.io", "permenpan14_2017", "id_responden", ("Timestamp",))
    # questionnaire order U8 = sarana, U9 = pengaduan, returned in the regulation's order (pengaduan before sarana)
    assert codebook.unsur_map() == {"U1": "persyaratan", "U2": "prosedur", "U3": "waktu", "U4": "biaya",
                                    "U5": "produk", "U6": "kompetensi", "U7": "perilaku", "U9": "pengaduan",
                                    "U8": "sarana"}
    assert codebook.unsur_map("importance") == {"P1": "persyaratan"}
    assert codebook.columns("overall") == ["K1"]
    assert codebook.columns("id") == ["id_responden"]
    assert codebook.specs["U4"].labels[4] == "Gratis"
    assert codebook.specs["U1"].missing == (9.0,)


def test_codebook_xlsx_equals_yaml(codebook):
    assert read_codebook(DATA / "codebook.xlsx") == codebook


def _raw_codebook():
    return yaml.safe_load(CODEBOOK_YAML.read_text(encoding="utf-8"))


def _with(change):
    raw = _raw_codebook()
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (lambda r: r["columns"]["unit"].update(role="kelompok"),
         r"column 'unit': role 'kelompok' is not known; roles are: id, unsur"),
        (lambda r: r["columns"]["K1"].update(scale=[10, 1]),
         r"column 'K1': scale \[10, 1\] is inverted"),
        (lambda r: r["columns"]["P1"]["labels"].update({5: "Mutlak penting"}),
         r"column 'P1': label 5='Mutlak penting' is outside the scale 1-4"),
        (lambda r: r["columns"]["U5"].update(unsur="kebersihan"),
         r"column 'U5': unsur 'kebersihan' is not an unsur of PermenPAN-RB No. 14 Tahun 2017"),
        (lambda r: r["columns"]["U9"].update(unsur="sarana"),
         r"columns 'U8' and 'U9' are both mapped to unsur 'Sarana dan Prasarana'"),
        (lambda r: r["columns"].pop("U9"),
         r"no column is mapped to unsur U8 Penanganan Pengaduan, Saran dan Masukan"),
        (lambda r: r["columns"]["U8"].update(unsur="U8"),
         r"column 'U8': unsur 'U8' is a question number, not a name"),
        (lambda r: r["columns"]["U2"].update(missing=[3, 9]),
         r"column 'U2': missing code 3 lies inside the scale 1-4"),
        (lambda r: r["columns"]["U2"].update(skala=[1, 4]),
         r"column 'U2': unknown field\(s\) 'skala'"),
        (lambda r: r["columns"]["U3"].update(scale=[1, 5]),
         r"column 'U3': scale \[1, 5\] does not match PermenPAN-RB No. 14 Tahun 2017"),
        (lambda r: r["columns"]["K1"].pop("scale"),
         r"column 'K1': role 'overall' needs a scale"),
        (lambda r: (r.pop("id"), r["columns"].pop("id_responden", None), r["columns"].update(id_baris={"role": "group"})),
         r"column 'id_baris' is riset's id made from row numbers"),
        (lambda r: r.update(scheme="permenpan2099"),
         r"'scheme': unknown IKM scheme 'permenpan2099'"),
        (lambda r: r["columns"]["U1"]["labels"].update({2: "Sangat sesuai"}),
         r"column 'U1': label 'Sangat sesuai' is used for both 2 and 4"),
    ],
)
def test_codebook_errors_name_the_entry(change, pattern):
    with pytest.raises(CodebookError, match=pattern) as err:
        Codebook.from_dict(_with(change), source="cb.yaml")
    assert str(err.value).startswith("codebook cb.yaml")


def test_codebook_invalid_yaml(tmp_path):
    path = tmp_path / "rusak.yaml"
    path.write_text("id: id_responden\ncolumns:\n  U1: {role: unsur\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"codebook rusak.yaml is not valid YAML at line \d"):
        read_codebook(path)


def test_unsur_labels_default_to_the_regulation(tmp_path):
    raw = _raw_codebook()
    raw["columns"]["U3"].pop("labels")
    cb = Codebook.from_dict(raw)
    assert list(cb.specs["U3"].labels.values()) == ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"]


# ------------------------------------------------------------------------------- write_table
def test_write_table_csv_and_xlsx(tmp_path):
    frame = pd.DataFrame({"unit": ["A", "B"], "ikm_konversi": [85.19, 53.7]})
    csv_path = write_table(frame, tmp_path / "sub" / "t.csv")
    pd.testing.assert_frame_equal(pd.read_csv(csv_path), frame)
    xlsx = write_table({"IKM": frame, "NRR": frame.head(1)}, tmp_path / "t.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["IKM", "NRR"]
    pd.testing.assert_frame_equal(sheets["IKM"], frame)
    with pytest.raises(RisetError, match=r"must end in .csv or .xlsx"):
        write_table(frame, tmp_path / "t.json")


# --------------------------------------------------------------------- the bundled example study
EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw"


def test_example_study_reads_with_exactly_the_injected_problems():
    """The generator (riset.study.example) logs every cell it spoiled in contoh_kebenaran.yaml; the reader must
    blank exactly those invalid cells and count the same missing codes and typed labels per column."""
    truth = yaml.safe_load((EXAMPLE / "contoh_kebenaran.yaml").read_text(encoding="utf-8"))
    survey = read_survey(EXAMPLE / "contoh_skm_responden.csv", read_codebook(EXAMPLE / "contoh_skm_codebook.yaml"))
    issues = survey.issues
    invalid = issues[(issues["tindakan"] == "dikosongkan") & (issues["masalah"] != "kode hilang")]
    assert 5 <= len(invalid) <= 15
    assert sorted(zip(invalid["baris"].astype(int), invalid["kolom"], invalid["nilai_asli"])) == sorted(
        (cell["baris"], cell["kolom"], str(cell["nilai"])) for cell in truth["sel_tidak_valid"])
    for col, counts in truth["isian_berantakan"].items():
        mine = issues[issues["kolom"] == col]
        blank_in_file = int(survey.data[col].isna().sum()) - int((mine["tindakan"] == "dikosongkan").sum())
        assert blank_in_file == counts["kosong"], col
        if "kode_9" in counts:
            assert int((mine["masalah"] == "kode hilang").sum()) == counts["kode_9"], col
            assert int(mine["masalah"].isin(["label teks", "huruf pilihan"]).sum()) == counts["teks_label"], col
    assert survey.data["id_responden"].is_unique and survey.data.index.min() == 2


# ------------------------------------------------------------------------ more export shapes
def test_semicolon_file_whose_text_holds_commas(tmp_path, codebook):
    text = (DATA / "survey_semicolon.csv").read_text(encoding="utf-8").replace(";A;", ";Puskesmas A, Kota;")
    (tmp_path / "s.csv").write_text(text, encoding="utf-8")
    survey = read_survey(tmp_path / "s.csv", codebook)
    assert survey.delimiter == ";"
    assert survey.data["unit"].tolist()[:3] == ["Puskesmas A, Kota"] * 3


def test_xlsx_header_below_blank_rows_keeps_sheet_row_numbers(tmp_path, codebook):
    import openpyxl

    wb = openpyxl.load_workbook(DATA / "survey.xlsx")
    wb.active.insert_rows(1, amount=2)
    wb.save(tmp_path / "shifted.xlsx")
    survey = read_survey(tmp_path / "shifted.xlsx", codebook)
    assert survey.data.index.tolist() == [4, 5, 6, 7, 8, 9, 11]
    assert survey.issues.loc[survey.issues["kolom"] == "K1", "baris"].tolist() == [7]


# ------------------------------------------------------------------ property: nothing is lost
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELL = st.sampled_from(["", "1", "2", "3", "4", "4.0", "0", "5", "9", "44", "2.5", "Sesuai", " sangat SESUAI ",
                        "a", "d", "e", "bagus", "-", "?", "Tidak mudah"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(CELL, min_size=9, max_size=9), min_size=1, max_size=6))
def test_every_blanked_cell_is_reported_and_no_row_is_lost(tmp_path_factory, grid):
    """Whatever the answers, each respondent row survives, each kept answer lies on 1-4, and a cell is NaN
    exactly when it was blank in the file or is reported as blanked."""
    cb = read_codebook(CODEBOOK_YAML)
    header = ["Timestamp", "id_responden", "unit", "jenis_kelamin", "hari", "bobot", *[f"U{j}" for j in range(1, 10)],
              "K1", "P1"]
    lines = [",".join(header)] + [",".join(["t", f"R{i}", "A", "Perempuan", "H1", "1", *row, "5", "3"])
                                  for i, row in enumerate(grid)]
    path = tmp_path_factory.mktemp("prop") / "grid.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        survey = read_survey(path, cb)
    except DataError as err:  # answers off the scale in bulk stop the reading, in one line naming the column
        assert "\n" not in str(err) and "cannot be read" in str(err)
        return
    answers = survey.data[[f"U{j}" for j in range(1, 10)]]
    assert survey.data.index.tolist() == list(range(2, 2 + len(grid)))
    assert answers.stack().dropna().between(1, 4).all()
    blanked = {(b, k) for b, k in zip(survey.blanked["baris"], survey.blanked["kolom"])}
    for i, row in enumerate(grid):
        for j, cell in enumerate(row, start=1):
            is_nan = np.isnan(answers.loc[i + 2, f"U{j}"])
            assert is_nan == (cell.strip() == "" or (i + 2, f"U{j}") in blanked), (i, j, cell)
