"""The tables as a workbook for people: 'Baca saya' first, translated headers and codes, numbers as numbers with
formats, frozen header, filters; formulas and control characters from the data are neutralised."""

import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from riset.i18n import fmt_num
from riset.present.report.xlsx import write_xlsx
from riset.study import run_study
from riset.study.config import load_study

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    res = run_study(replace(load_study(ROOT / "data" / "raw" / "studi.yaml"), replicates=20, out_of_sample=False))
    return openpyxl.load_workbook(write_xlsx(res, tmp_path_factory.mktemp("x") / "t.xlsx", "id")), res


def test_readme_first_then_one_sheet_per_table(book):
    wb, res = book
    assert wb.sheetnames[0] == "Baca saya" and {"IKM", "NRR", "Rekomendasi", "Masalah data"} <= set(wb.sheetnames)
    about = [r[0].value for r in wb["Baca saya"].iter_rows()]
    assert about[0] == res.title and any(str(v).startswith("IKM: ") for v in about)
    # the driver ranking under the three treatments of blank complaint answers; a rank the analysis lacks is empty
    ws = wb["Kepekaan faktor penentu"]
    header = [c.value for c in ws[1]]
    assert "Peringkat (tanpa unsur pengaduan)" in header and ws.max_row == 1 + len(res.unsur_map)
    column = header.index("Peringkat (tanpa unsur pengaduan)") + 1
    assert sum(ws.cell(r, column).value is None for r in range(2, ws.max_row + 1)) == 1
    # the headline keeps the blank complaint answers (imputed) and the sheet says so (issue 14.7)
    note = next(v for v in about if str(v).startswith("Faktor penentu (lembar “Faktor penentu”)"))
    mi = res.key_drivers.imputed
    assert res.drivers is mi and f"memakai {fmt_num(mi.n, 0)} dari {fmt_num(res.n, 0)} responden" in note
    assert f"{fmt_num(sum(mi.imputed.values()), 0)} jawaban kosong pada {len(mi.imputed)} unsur (U8 Penanganan" in note
    assert "aturan Rubin" in note and "tabel kepekaan" in note
    drivers = wb["Faktor penentu"]
    shares = [r[0] for r in drivers.iter_rows(min_row=2, min_col=get_index(drivers, "Porsi R²"), values_only=True)]
    assert shares == pytest.approx(sorted(mi.table["importance"], reverse=True))
    assert drivers.cell(2, get_index(drivers, "Fraksi informasi hilang")).number_format == "0%"
    assert drivers.cell(2, get_index(drivers, "Varians antarimputasi (poin persen²)")).number_format == "0.0000"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_driver_sheet_ranks_names_each_unsur_once_and_shows_the_variances_size(book, tmp_path, lang):
    """Issue 14: the 'Faktor penentu' rows were in questionnaire order while the report and the sensitivity sheet
    rank them; a 'Nama' column repeated the unsur column's name; Rubin's variances of a share (about 1e-5) read
    0.000000. Now best first, the name once, the variances in squared percentage points with the unit in the
    header."""
    from riset.i18n import label
    from riset.skm.schemes import unsur_name

    _, res = book
    sheet = openpyxl.load_workbook(write_xlsx(res, tmp_path / "t.xlsx", lang))[label("sheet_drivers", lang)]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    ranked = list(res.drivers_table()["unsur"])
    assert [r[header.index(label("unsur", lang))] for r in rows] == [unsur_name(u, lang, res.scheme) for u in ranked]
    assert label("nama", lang) not in header
    table = res.drivers.to_frame().set_index("unsur").loc[ranked]
    for column in ("within", "between"):
        shown = header.index(label(f"{column}_pp2", lang))
        assert [r[shown] for r in rows] == pytest.approx((table[column] * 1e4).tolist())
        assert all(round(r[shown], 4) > 0 for r in rows)  # visible at the format's 4 decimals
        assert sheet.cell(2, shown + 1).number_format == "0.0000"


def test_the_limits_of_a_share_show_in_the_shares_unit(book):
    """Issue 14.7: the driver sheet showed a share as 23.2 % beside its limits as 0.18 / 0.28; the limits (and SE)
    of a share are percent with the share's decimals, while the same column names elsewhere keep their unit."""
    wb, res = book
    drivers = wb["Faktor penentu"]
    header = [c.value for c in drivers[1]]
    share = drivers.cell(2, get_index(drivers, "Porsi R²"))
    assert share.number_format == "0.0%"
    limits = [c for c in header if c in ("Batas bawah SK 95%", "Batas atas SK 95%")]
    assert len(limits) == 2, header
    for name in limits:
        cells = [r[0] for r in drivers.iter_rows(min_row=2, min_col=get_index(drivers, name),
                                                 max_col=get_index(drivers, name))]
        assert {c.number_format for c in cells} == {share.number_format}
        assert all(0 < c.value < 1 for c in cells)  # shares, shown as percent by the format
    assert drivers.cell(2, get_index(drivers, "Galat baku")).number_format == "0.00%"
    side = wb["Kepekaan faktor penentu"]
    assert side.cell(2, get_index(side, "Porsi R² (kosong diimputasi)")).number_format == "0.0%"
    # the IKM sheet's limits bound an IKM on 25-100: two decimals, not percent
    ikm = wb["IKM"]
    for name in limits:
        assert ikm.cell(2, get_index(ikm, name)).number_format == "0.00"
    assert ikm.cell(2, get_index(ikm, "Galat baku")).number_format == "0.000"


def test_numbers_are_numbers_with_formats_and_headers_are_words(book):
    wb, res = book
    ws = wb["IKM"]
    header = [c.value for c in ws[1]]
    assert "IKM (konversi, 25-100)" in header and "Tingkat" in header and "Galat baku" in header
    col = header.index("IKM (konversi, 25-100)") + 1
    cell = ws.cell(2, col)
    assert isinstance(cell.value, float) and cell.number_format == "0.00"
    assert cell.value == pytest.approx(res.ikm["ikm_konversi"].iloc[0])
    assert ws.cell(2, header.index("Peluang mutu berbeda") + 1).number_format == "0%"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws.cell(2, header.index("Tingkat") + 1).value == "Wilayah"
    change = wb["Perubahan periode"]
    verdicts = {c.value for c in change[get_col(change, "Perubahan")][1:]}
    assert verdicts <= {"naik bermakna", "turun bermakna", "tidak berubah bermakna", "tidak dapat diuji"}


def test_the_reasons_for_an_action_are_a_clause_not_codes(book):
    # the report's RTL says "NRR 2,37, di bawah 3,06 (batas mutu B); terendah di unit ini"; the sheet showed
    # the reason codes ("below_target,lowest_in_unit")
    wb, _res = book
    ws = wb["Rekomendasi"]
    reasons = [c.value for c in ws[get_col(ws, "Alasan")][1:]]
    assert reasons and all("_" not in r for r in reasons)
    assert all(r.startswith("NRR ") and "di bawah" in r for r in reasons if "batas mutu" in r)


def get_index(ws, name):
    return [c.value for c in ws[1]].index(name) + 1


def get_col(ws, name):
    from openpyxl.utils import get_column_letter
    return get_column_letter(get_index(ws, name))


def test_formula_and_control_characters_from_the_data_are_neutralised(tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "study"))
    from own_studies import bare_instansi

    study = bare_instansi(tmp_path)
    data = tmp_path / "data.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("Legalisir", "=HYPERLINK(\"http://x\")\x07"),
                    encoding="utf-8")
    wb = openpyxl.load_workbook(write_xlsx(run_study(study["study"]), tmp_path / "t.xlsx", "en"))
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v == "'=HYPERLINK(\"http://x\")" for v in values)
    assert not any(v.startswith("=") for v in values) and not any("\x07" in v for v in values)


def test_every_column_riset_makes_has_a_header_in_both_languages_and_unsur_are_named(book):
    """Issue 14.6: no snake_case header from riset's own tables (columns of the team's data keep their names),
    and the unsur column shows the regulation's code and name, not the internal key."""
    from riset.i18n import catalog, label

    wb, res = book
    data_columns = set(res.survey.data.columns)
    unlabelled = {(key, c) for key, t in {**res.tables(), **res.progress.tables()}.items() if t is not None
                  for c in t.columns if c not in data_columns and not (c in catalog("id") and c in catalog("en"))}
    assert not unlabelled, sorted(unlabelled)
    sheet = wb["Faktor penentu"]
    header = [c.value for c in sheet[1]]
    shown = [row[header.index(label("unsur", "id"))] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert shown and all(str(v).startswith("U") and " " in str(v) for v in shown), shown
