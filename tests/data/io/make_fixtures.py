"""Write the derived fixtures of tests/data/io from the hand-made survey.csv and codebook.yaml.

Run from the repository root: `.venv/bin/python tests/data/io/make_fixtures.py`. Each file is a
variant a real export takes: another delimiter or encoding, an XLSX workbook, a broken copy.
"""

import csv
import io
from pathlib import Path

import openpyxl
import yaml

HERE = Path(__file__).resolve().parent
rows = list(csv.reader(io.StringIO((HERE / "survey.csv").read_text(encoding="utf-8"))))
header, body = rows[0], rows[1:]


def write_csv(name, records, delimiter=",", encoding="utf-8"):
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    (HERE / name).write_bytes(buf.getvalue().encode(encoding))


def replaced(row_number, column, value):
    """survey.csv with one cell changed (row_number as in the spreadsheet, header = 1)."""
    out = [list(r) for r in rows]
    out[row_number - 1][header.index(column)] = value
    return out


# Excel on Indonesian Windows: semicolon delimiter, decimal comma, cp1252 text (en dash = byte 0x96).
write_csv("survey_semicolon.csv", replaced(4, "bobot", "12,5"), delimiter=";")
write_csv("survey_cp1252.csv", replaced(2, "hari", "A – Puskesmas Café/H1"), delimiter=";", encoding="cp1252")
write_csv("survey_bom_tab.tsv", rows, delimiter="\t", encoding="utf-8-sig")

write_csv("header_only.csv", [header])
write_csv("duplicate_ids.csv", replaced(6, "id_responden", "R002"))
write_csv("blank_id.csv", replaced(6, "id_responden", " "))
write_csv("missing_column.csv", [[c for c, h in zip(r, header) if h != "K1"] for r in rows])
unknown = [r[:15] + ["x" if i and any(r) else ""] + r[15:] + ["" if i else "catatan"] for i, r in enumerate(rows)]
unknown[0][15] = "Kota"
write_csv("unknown_column.csv", unknown)

# The same export as a workbook: numbers as numbers, header on row 1, a second sheet ignored.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Form Responses 1"
for r in rows:
    ws.append([_ for _ in (float(v) if v.replace(".", "", 1).isdigit() else (v if v else None) for v in r)])
wb.create_sheet("Ringkasan").append(["bukan data responden"])
wb.save(HERE / "survey.xlsx")

# The codebook of codebook.yaml in its XLSX form (one row per column, labels as "1=...; 2=...").
cb = yaml.safe_load((HERE / "codebook.yaml").read_text(encoding="utf-8"))
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "kolom"
ws.append(["kolom", "role", "unsur", "scale_min", "scale_max", "labels", "missing", "pertanyaan"])
ws.append([cb["id"], "id"])
for name in cb["ignore"]:
    ws.append([name, "ignore"])
for name, spec in cb["columns"].items():
    scale = spec.get("scale", [None, None])
    labels = "; ".join(f"{k}={v}" for k, v in spec.get("labels", {}).items()) or None
    missing = "; ".join(str(m) for m in spec.get("missing", [])) or None
    ws.append([name, spec["role"], spec.get("unsur"), scale[0], scale[1], labels, missing, spec.get("question")])
info = wb.create_sheet("studi")
info.append(["key", "value"])
info.append(["study", cb["study"]])
info.append(["scheme", cb["scheme"]])
wb.save(HERE / "codebook.xlsx")
