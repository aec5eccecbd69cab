"""Read survey exports (CSV / XLSX) and their codebook (YAML / XLSX) into clean, reported data.

The codebook (docs/architecture.md) says what each column of the export is: its role, the unsur it
measures (by *name*: questionnaires number the unsur differently from PermenPAN-RB 14/2017), the answer
scale, the answer labels and the missing-value codes. `read_survey` applies it cell by cell:

    blank                      -> NaN (not an issue)
    missing code (e.g. 9)      -> NaN, reported "kode hilang"
    label text / letter a-d    -> its number on the scale (a = 1, b = 2, ...), reported
    number outside the scale   -> NaN, reported "di luar skala"
    unknown text ("bagus", "-")-> NaN, reported "teks tidak dikenali"

Every changed cell is one row of `SurveyData.issues` (row numbers as in the spreadsheet, header = row 1)
and rows are never dropped: `SurveyData.data` is indexed by that row number ("baris").

Example
-------
>>> from riset.skm.exports import read_codebook, read_survey          # doctest: +SKIP
>>> survey = read_survey("data/raw/contoh_skm_responden.csv",
...                      read_codebook("data/raw/contoh_skm_codebook.yaml"))   # doctest: +SKIP
>>> print(survey.summary())                                  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import zipfile
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import numpy as np
import pandas as pd

from riset.errors import CodebookError, DataError, RisetError, show_value
from riset.i18n import Note, check_language, say
from riset.skm.schemes import DEFAULT_SCHEME, get_scheme, resolve_unsur, unsur_columns
from riset.textsafe import mask_personal, printable, shorten, spreadsheet_cell
from riset.yamlfile import read_yaml

__all__ = ["BARIS_KOSONG", "BOBOT_TIDAK_POSITIF", "BUKAN_ANGKA", "BUKAN_BULAT", "BULK_INVALID", "Codebook",
           "ColumnSpec", "DI_LUAR_SKALA", "DIKOSONGKAN", "HURUF_PILIHAN", "ISSUE_COLUMNS", "KARAKTER_KENDALI",
           "KATEGORI_TAK_DIKENAL", "KODE_HILANG", "KOLOM_TAK_DIKENAL", "LABEL_TEKS", "number_format", "read_codebook",
           "read_survey", "ROLES", "ROW_ID", "SCALED_ROLES", "SurveyData", "TEKS_TAK_DIKENAL", "write_table"]

ROLES = ("id", "unsur", "overall", "importance", "expectation", "group", "demographic", "design", "weight", "text",
         "other")
#: The id column riset makes from the row numbers when an export has none (Google Forms).
ROW_ID = "id_baris"
#: roles whose answers are numbers on a scale (scale required, labels map text back to numbers)
SCALED_ROLES = ("unsur", "overall", "importance", "expectation")

_TOP_FIELDS = ("study", "scheme", "id", "ignore", "columns", "description", "notes", "version", "source")
_COLUMN_FIELDS = ("role", "unsur", "scale", "labels", "missing", "question", "pertanyaan", "description",
                  "keterangan", "decimal", "bins")
_XLSX_COLUMN_FIELDS = ("kolom", "role", "unsur", "scale_min", "scale_max", "labels", "missing", "pertanyaan",
                       "question", "keterangan", "description")

# Reasons written to SurveyData.issues["masalah"] (Indonesian: the report is read by the research team).
KODE_HILANG = "kode hilang"
LABEL_TEKS = "label teks"
HURUF_PILIHAN = "huruf pilihan"
DI_LUAR_SKALA = "di luar skala"
BUKAN_BULAT = "bukan bilangan bulat"
TEKS_TAK_DIKENAL = "teks tidak dikenali"
KATEGORI_TAK_DIKENAL = "kategori tidak dikenal"
BUKAN_ANGKA = "bukan angka"
BOBOT_TIDAK_POSITIF = "bobot tidak positif"
KOLOM_TAK_DIKENAL = "kolom tidak ada di codebook"
BARIS_KOSONG = "baris kosong"
KARAKTER_KENDALI = "karakter kendali"
DIKOSONGKAN = "dikosongkan"
ISSUE_COLUMNS = ("baris", "id_responden", "kolom", "nilai_asli", "masalah", "tindakan")


# --------------------------------------------------------------------------------------------- codebook
@dataclass(frozen=True)
class ColumnSpec:
    """What one column of the export is: its role, unsur key (resolved), scale, labels and missing codes."""

    name: str
    role: str
    unsur: str | None = None
    scale: tuple[int, int] | None = None
    labels: Mapping[int | str, str] = field(default_factory=dict)
    missing: tuple[float | str, ...] = ()
    question: str | None = None
    decimal: str | None = None
    bins: tuple[float, ...] = ()

    def allowed_text(self) -> str:
        """What a cell of this column may hold, for error messages: "1-4 or a label (Tidak cepat, ...)"."""
        if self.scale:
            text = f"{self.scale[0]}-{self.scale[1]}"
            if self.labels:
                text += f" or a label ({', '.join(self.labels.values())})"
        elif self.labels:
            text = "one of: " + ", ".join(self.labels.values())
        else:
            text = "any value"
        if self.missing:
            text += f"; missing code(s) {', '.join(_fmt(m) for m in self.missing)}"
        return text


@dataclass(frozen=True)
class Codebook:
    """A study's codebook: scheme, respondent id column, ignored columns and one `ColumnSpec` per column.

    Build it with `read_codebook` (YAML or XLSX) or `Codebook.from_dict`; both validate everything and
    raise `CodebookError` naming the entry at fault.
    """

    study: str
    scheme: str
    id: str
    ignore: tuple[str, ...]
    specs: Mapping[str, ColumnSpec]
    source: str = field(default="<dict>", compare=False)
    row_ids: bool = False

    def columns(self, role: str | None = None) -> list[str]:
        """Column names in codebook order, all of them or only those with `role`."""
        if role is not None and role not in ROLES:
            raise CodebookError(f"unknown role '{role}'; roles are: {', '.join(ROLES)}")
        return [name for name, spec in self.specs.items() if role is None or spec.role == role]

    def unsur_map(self, role: str = "unsur") -> dict[str, str]:
        """{column: unsur key} in the regulation's order, for `riset.ikm.ikm` (role 'unsur') or the
        stated-importance items (role 'importance').

        >>> cb.unsur_map()                                    # doctest: +SKIP
        {'U1': 'persyaratan', ..., 'U9': 'pengaduan', 'U8': 'sarana'}
        """
        if role not in ("unsur", "importance", "expectation"):
            raise CodebookError(f"unsur_map role must be 'unsur', 'importance' or 'expectation', not '{role}'")
        order = {k: i for i, k in enumerate(get_scheme(self.scheme).keys)}
        pairs = [(name, spec.unsur) for name, spec in self.specs.items() if spec.role == role]
        return dict(sorted(pairs, key=lambda item: order[item[1]]))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], source: str = "<dict>") -> Codebook:
        """Validate a codebook given as a mapping (the parsed YAML) and build it."""
        return _build_codebook(raw, source)


def read_codebook(path: str | Path) -> Codebook:
    """Read a codebook from YAML (.yaml/.yml) or Excel (.xlsx) and validate it.

    YAML has the layout of docs/architecture.md. The XLSX form has one row per column with the fields
    kolom, role, unsur, scale_min, scale_max, labels ("1=Tidak sesuai; 2=Kurang sesuai; ..."), missing
    ("9" or "0; 9"), optionally pertanyaan; the id column has role 'id', ignored columns role 'ignore',
    and an optional sheet 'studi' holds key/value rows (study, scheme).

    >>> cb = read_codebook("data/raw/contoh_skm_codebook.yaml")   # doctest: +SKIP
    >>> cb.unsur_map()["U8"]                                      # doctest: +SKIP
    'sarana'
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        raw = read_yaml(path, CodebookError, "codebook")
        if not isinstance(raw, Mapping):
            raise CodebookError(f"codebook {path.name} must be a mapping with 'id' and 'columns', got {type(raw).__name__}")
        return _build_codebook(raw, path.name)
    if suffix == ".xlsx":
        return _build_codebook(_codebook_dict_from_xlsx(path), path.name)
    raise CodebookError(f"codebook {path.name}: unsupported file type '{suffix}'; use .yaml, .yml or .xlsx")


def _build_codebook(raw: Mapping[str, Any], source: str) -> Codebook:
    unknown = [k for k in raw if k not in _TOP_FIELDS]
    if unknown:
        raise CodebookError(f"codebook {source}: unknown field(s) {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(_TOP_FIELDS)}")
    scheme = str(raw.get("scheme") or DEFAULT_SCHEME)
    try:
        sch = get_scheme(scheme)
    except CodebookError as exc:
        raise CodebookError(f"codebook {source}, 'scheme': {exc}") from None
    columns = raw.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise CodebookError(f"codebook {source} needs a 'columns' mapping (column name -> role, unsur, scale ...)")
    ignore = raw.get("ignore") or []
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list) or not all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in ignore):
        raise CodebookError(f"codebook {source}, 'ignore': a list of column names, not {show_value(ignore)}")
    ignore = tuple(str(c).strip() for c in ignore)

    specs: dict[str, ColumnSpec] = {}
    for name, entry in columns.items():
        specs[str(name).strip()] = _column_spec(str(name).strip(), entry, sch, source)
    both = [c for c in ignore if c in specs]
    if both:
        raise CodebookError(f"codebook {source}: column(s) {', '.join(map(repr, both))} are both described and ignored")

    id_col = _id_column(raw.get("id"), specs, source)
    _check_unsur_sets(specs, sch, source)
    return Codebook(str(raw.get("study") or ""), sch.key, id_col, ignore, specs, source, row_ids=id_col == ROW_ID)


def _column_spec(name: str, entry: Any, sch, source: str) -> ColumnSpec:
    where = f"codebook {source}, column '{name}'"
    if not isinstance(entry, Mapping):
        raise CodebookError(f"{where}: needs a mapping such as {{role: group}}, got {entry!r}")
    unknown = [k for k in entry if k not in _COLUMN_FIELDS]
    if unknown:
        raise CodebookError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(_COLUMN_FIELDS)}")
    role = str(entry.get("role") or "").strip().lower()
    if role not in ROLES:
        raise CodebookError(f"{where}: role {entry.get('role')!r} is not known; roles are: {', '.join(ROLES)}")

    unsur_key = None
    if role in ("unsur", "importance", "expectation"):
        if entry.get("unsur") in (None, ""):
            raise CodebookError(f"{where}: role '{role}' needs 'unsur' (a name such as persyaratan, sarana, pengaduan)")
        try:
            unsur_key = resolve_unsur(str(entry["unsur"]), sch).key
        except CodebookError as exc:
            raise CodebookError(f"{where}: {exc}") from None
    elif entry.get("unsur") not in (None, ""):
        raise CodebookError(f"{where}: 'unsur' is only allowed for roles unsur, importance and expectation, not '{role}'")

    scale = _scale(entry.get("scale"), where)
    if role in SCALED_ROLES and scale is None:
        if role not in ("unsur", "expectation"):
            raise CodebookError(f"{where}: role '{role}' needs a scale such as [1, 4]")
        scale = sch.scale
    if role in ("unsur", "expectation") and scale != sch.scale:
        raise CodebookError(f"{where}: scale {list(scale)} does not match {sch.title}, whose unsur are scored "
                            f"{sch.scale[0]}-{sch.scale[1]}; rescale the answers before computing IKM")
    if scale is not None and role not in SCALED_ROLES + ("other",):
        raise CodebookError(f"{where}: 'scale' is only allowed for roles {', '.join(SCALED_ROLES)} and other, not '{role}'")

    labels = _labels(entry.get("labels"), scale, where)
    if role in ("unsur", "expectation") and not labels:
        labels = dict(zip(range(scale[0], scale[1] + 1), sch.get(unsur_key).labels))
    missing = _missing(entry.get("missing"), scale, labels, where)
    question = entry.get("question") or entry.get("pertanyaan") or None
    bins = _bins(entry.get("bins"), role, where)
    if bins:
        labels = {text: text for text in _bin_labels(bins)}
    decimal = entry.get("decimal")
    if decimal not in (None, ",", "."):
        raise CodebookError(f"{where}: decimal must be ',' (1.853,5 = one thousand ...) or '.' (1,853.5), "
                            f"not {show_value(decimal)}")
    return ColumnSpec(name, role, unsur_key, scale, labels, missing, None if question is None else str(question),
                      decimal, bins)


def _bins(value: Any, role: str, where: str) -> tuple[float, ...]:
    """Lower edges of numeric classes (ages 17, 25, 35, 45, 55 -> 17-24, ..., 55+), for group and
    demographic columns holding numbers."""
    if value in (None, [], ()):
        return ()
    if role not in ("group", "demographic"):
        raise CodebookError(f"{where}: 'bins' is only allowed for roles group and demographic, not '{role}'")
    if not isinstance(value, (list, tuple)) or len(value) < 2 or any(_as_number(v) is None for v in value):
        raise CodebookError(f"{where}: bins must be a list of at least two numbers (lower edges), got {show_value(value)}")
    edges = tuple(float(_as_number(v)) for v in value)
    if any(b <= a for a, b in zip(edges, edges[1:])):
        raise CodebookError(f"{where}: bins must increase, got {show_value(list(value))}")
    return edges


def _bin_labels(edges: tuple[float, ...]) -> list[str]:
    """'17-24', '25-34', ..., '55+' for whole edges (upper end = next edge - 1)."""
    whole = all(e == int(e) for e in edges)
    shown = [_fmt(int(e)) if whole else _fmt(e) for e in edges]
    uppers = [_fmt(int(b) - 1) if whole else f"<{_fmt(b)}" for b in edges[1:]]
    return [f"{a}-{u}" for a, u in zip(shown, uppers)] + [f"{shown[-1]}+"]


def _scale(value: Any, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or len(value) != 2 or not all(_is_int(v) for v in value):
        raise CodebookError(f"{where}: scale must be two whole numbers [low, high], got {value!r}")
    lo, hi = int(value[0]), int(value[1])
    if lo >= hi:
        raise CodebookError(f"{where}: scale {[lo, hi]} is inverted or empty; write [low, high] such as [1, 4]")
    return lo, hi


def _labels(value: Any, scale: tuple[int, int] | None, where: str) -> dict[int | str, str]:
    if value in (None, "", {}):
        return {}
    if isinstance(value, (list, tuple)):
        if scale is not None:
            raise CodebookError(f"{where}: labels of a scaled column must be a mapping such as {{1: Tidak sesuai}}")
        value = {str(v): v for v in value}
    if not isinstance(value, Mapping):
        raise CodebookError(f"{where}: labels must be a mapping code -> label, got {value!r}")
    labels: dict[int | str, str] = {}
    for code, text in value.items():
        if scale is not None:
            if not _is_int(code):
                raise CodebookError(f"{where}: label code {code!r} is not a whole number on the scale {scale[0]}-{scale[1]}")
            code = int(code)
            if not scale[0] <= code <= scale[1]:
                raise CodebookError(f"{where}: label {code}={text!r} is outside the scale {scale[0]}-{scale[1]}")
        else:
            code = int(code) if _is_int(code) else str(code).strip()
        if text is None or str(text).strip() == "":
            raise CodebookError(f"{where}: label {code!r} has no text")
        labels[code] = " ".join(str(text).split())
    seen: dict[str, Any] = {}
    for code, text in labels.items():
        key = _norm_text(text)
        if key in seen:
            raise CodebookError(f"{where}: label {text!r} is used for both {seen[key]!r} and {code!r}")
        seen[key] = code
    return labels


def _missing(value: Any, scale, labels, where: str) -> tuple[float | str, ...]:
    if value in (None, "", []):
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    codes: list[float | str] = []
    for item in items:
        number = _as_number(item)
        code = number if number is not None else _norm_text(item)
        if scale is not None and number is not None and scale[0] <= number <= scale[1]:
            raise CodebookError(f"{where}: missing code {_fmt(number)} lies inside the scale {scale[0]}-{scale[1]}, "
                                "so real answers would be blanked")
        if number is None and code in {_norm_text(t) for t in labels.values()}:
            raise CodebookError(f"{where}: missing code {item!r} is also an answer label")
        codes.append(code)
    return tuple(codes)


def _id_column(top: Any, specs: dict[str, ColumnSpec], source: str) -> str:
    declared = [name for name, spec in specs.items() if spec.role == "id"]
    if len(declared) > 1:
        raise CodebookError(f"codebook {source}: columns {', '.join(map(repr, declared))} all have role 'id'; keep one")
    if top not in (None, ""):
        top = str(top).strip()
        if declared and declared[0] != top:
            raise CodebookError(f"codebook {source}: 'id' is '{top}' but column '{declared[0]}' has role 'id'")
        if top in specs and specs[top].role != "id":
            raise CodebookError(f"codebook {source}: 'id' is '{top}' but that column has role '{specs[top].role}'")
        if top not in specs:
            specs[top] = ColumnSpec(top, "id")
        return top
    if declared:
        return declared[0]
    # no id column (Google Forms): the spreadsheet row numbers become the ids, and the data report says so
    if ROW_ID in specs:
        raise CodebookError(f"codebook {source}: column '{ROW_ID}' is riset's id made from row numbers; name the "
                            "respondent id column with 'id: <column>' or rename that column")
    specs[ROW_ID] = ColumnSpec(ROW_ID, "id")
    return ROW_ID


def _check_unsur_sets(specs: dict[str, ColumnSpec], sch, source: str) -> None:
    unsur = {name: spec.unsur for name, spec in specs.items() if spec.role == "unsur"}
    try:
        unsur_columns(unsur, sch)
    except CodebookError as exc:
        raise CodebookError(f"codebook {source}, unsur columns: {exc}") from None
    for role in ("importance", "expectation"):
        seen: dict[str, str] = {}
        for name, spec in specs.items():
            if spec.role == role:
                if spec.unsur in seen:
                    raise CodebookError(f"codebook {source}: {role} columns '{seen[spec.unsur]}' and '{name}' are both "
                                        f"mapped to unsur '{sch.get(spec.unsur).nama}'")
                seen[spec.unsur] = name


def _codebook_dict_from_xlsx(path: Path) -> dict[str, Any]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise CodebookError(f"codebook {path.name} cannot be opened as an Excel workbook ({exc})") from None
    try:
        sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        ws = sheets.get("kolom") or sheets.get("columns") or wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
        info_rows = [list(r) for r in sheets["studi"].iter_rows(min_row=1, values_only=True)] if "studi" in sheets else []
    finally:
        wb.close()
    rows = [r for r in rows if any(not _is_blank(v) for v in r)]
    if not rows:
        raise CodebookError(f"codebook {path.name}: sheet '{ws.title}' is empty")
    header = [str(v).strip().lower() if v is not None else "" for v in rows[0]]
    if "kolom" not in header or "role" not in header:
        raise CodebookError(f"codebook {path.name}: the first row must name the fields {', '.join(_XLSX_COLUMN_FIELDS)}; "
                            f"found {', '.join(h for h in header if h)}")
    unknown = [h for h in header if h and h not in _XLSX_COLUMN_FIELDS]
    if unknown:
        raise CodebookError(f"codebook {path.name}: unknown field(s) {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(_XLSX_COLUMN_FIELDS)}")
    raw: dict[str, Any] = {"columns": {}, "ignore": []}
    for key, value, *_ in (r + [None, None] for r in info_rows):
        if not _is_blank(key) and str(key).strip().lower() not in ("key", "kunci", "field"):
            k = str(key).strip().lower()
            raw[k] = [v.strip() for v in str(value).split(";") if v.strip()] if k == "ignore" else value
    for excel_row, values in enumerate(rows[1:], start=2):
        cell = dict(zip(header, values))
        name = cell.get("kolom")
        if _is_blank(name):
            raise CodebookError(f"codebook {path.name}, row {excel_row}: 'kolom' is empty")
        name = str(name).strip()
        role = "" if _is_blank(cell.get("role")) else str(cell["role"]).strip().lower()
        if role == "ignore":
            raw["ignore"].append(name)
            continue
        entry: dict[str, Any] = {"role": role}
        if not _is_blank(cell.get("unsur")):
            entry["unsur"] = str(cell["unsur"]).strip()
        lo, hi = cell.get("scale_min"), cell.get("scale_max")
        if not (_is_blank(lo) and _is_blank(hi)):
            entry["scale"] = [_xlsx_number(lo), _xlsx_number(hi)]
        if not _is_blank(cell.get("labels")):
            entry["labels"] = _parse_label_text(str(cell["labels"]), f"codebook {path.name}, column '{name}'")
        if not _is_blank(cell.get("missing")):
            entry["missing"] = [_xlsx_number(v) for v in re.split(r"[;,]", str(cell["missing"])) if v.strip()]
        for key in ("pertanyaan", "question", "keterangan", "description"):
            if not _is_blank(cell.get(key)):
                entry[key] = str(cell[key]).strip()
        if name in raw["columns"]:
            raise CodebookError(f"codebook {path.name}, row {excel_row}: column '{name}' is described twice")
        raw["columns"][name] = entry
    return raw


def _parse_label_text(text: str, where: str) -> dict[str, str] | list[str]:
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    if not any("=" in p for p in parts):
        return parts
    labels = {}
    for part in parts:
        code, sep, label = part.partition("=")
        if not sep:
            raise CodebookError(f"{where}: label '{part}' has no '='; write labels as \"1=Tidak sesuai; 2=Kurang sesuai\"")
        labels[code.strip()] = label.strip()
    return labels


def _xlsx_number(value: Any) -> Any:
    number = _as_number(value)
    if number is None:
        return str(value).strip()
    return int(number) if number == int(number) else number


# ------------------------------------------------------------------------------------------- survey
@dataclass
class SurveyData:
    """A validated survey export.

    `data`: one row per respondent, indexed by the spreadsheet row number ("baris", header = row 1);
    answer columns are float (NaN = blank), category columns text. `issues`: one row per changed cell
    (baris, id_responden, kolom, nilai_asli, masalah, tindakan). `summary()`: one Indonesian paragraph.
    """

    data: pd.DataFrame
    codebook: Codebook
    issues: pd.DataFrame
    source: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    notes: tuple[Note, ...] = ()

    @property
    def blanked(self) -> pd.DataFrame:
        """The issues that blanked a cell (missing codes, out-of-range numbers, unknown text)."""
        return self.issues[self.issues["tindakan"] == DIKOSONGKAN]

    def to_frame(self) -> pd.DataFrame:
        """The respondents' answers (a copy of `data`)."""
        return self.data.copy()

    def summary(self, lang: str | None = None) -> str:
        """One paragraph: rows read, cells blanked by reason and column, labels converted, rows skipped, notes.

        >>> survey.summary()                                   # doctest: +SKIP
        'Dibaca 1200 baris responden dari contoh.csv (UTF-8, pemisah ","). 14 sel dikosongkan: ...'
        """
        lang = check_language(lang)
        sep = say("read_separator", lang, sep=_show_sep(self.delimiter)) if self.delimiter else None
        how = ", ".join(x for x in (self.encoding, sep) if x)
        text = [say("read_rows_how" if how else "read_rows", lang, n=len(self.data), source=self.source, how=how)]
        cells = self.issues[self.issues["baris"].notna() & (self.issues["masalah"] != BARIS_KOSONG)]
        blanked = cells[cells["tindakan"] == DIKOSONGKAN]
        shown = self.column_names(lang)
        if blanked.empty:
            text.append(say("read_none_blanked", lang))
        else:
            reasons = "; ".join(f"{reason} {len(part)} ({_per_column(part, self.data.columns, shown)})"
                                for reason, part in blanked.groupby("masalah", sort=False))
            text.append(say("read_blanked", lang, n=len(blanked), reasons=reasons))
        converted = cells[cells["tindakan"] != DIKOSONGKAN]
        if not converted.empty:
            text.append(say("read_converted", lang, n=len(converted),
                            columns=_per_column(converted, self.data.columns, shown)))
        empty_rows = self.issues[self.issues["masalah"] == BARIS_KOSONG]
        if not empty_rows.empty:
            text.append(say("read_empty_rows", lang, n=len(empty_rows),
                            rows=", ".join(str(int(b)) for b in empty_rows["baris"])))
        kept = self.issues[self.issues["masalah"] == KOLOM_TAK_DIKENAL]
        if not kept.empty:
            text.append(say("read_kept_columns", lang, columns=", ".join(kept["kolom"])))
        text.extend(n.text(lang) for n in self.notes)
        text.append(say("read_nothing_dropped", lang))
        return " ".join(text)

    def __repr__(self) -> str:
        return f"SurveyData({len(self.data)} rows, {len(self.issues)} issues)\n{self.summary()}"

    def column_names(self, lang: str | None = None) -> dict[str, str]:
        """An answer column whose name is not its unsur's regulation code, with that code beside it ('U8' holding
        sarana -> 'U8 (unsur U9)'), so a reader does not take the questionnaire's numbering for the regulation's."""
        lang = check_language(lang)
        try:
            sch = get_scheme(self.codebook.scheme)
        except RisetError:
            return {}
        names = {}
        for role in ("unsur", "importance"):
            for column, key in self.codebook.unsur_map(role).items():
                code = sch.get(key).kode
                if re.sub(r"\D", "", str(column)) != re.sub(r"\D", "", code):  # numbered otherwise than the rule
                    names[column] = say("column_of_unsur", lang, column=column, unsur=code)
        return names


def read_survey(
    path: str | Path,
    codebook: Codebook | str | Path,
    sheet: str | int | None = None,
    unknown: Literal["error", "keep"] = "error",
    strict: bool = False,
) -> SurveyData:
    """Read a survey export (CSV or XLSX), apply the codebook and report every changed cell.

    CSV: delimiter sniffed among ',', ';' and tab; UTF-8 with or without BOM, else cp1252 (Excel on
    Indonesian Windows). XLSX: the first sheet, or `sheet` (name or 0-based position).

    unknown : columns neither described nor ignored by the codebook: 'error' (default) raises listing
        them; 'keep' keeps them as text and reports them in `issues`.
    strict : raise `DataError` on the first invalid cell (out of range, unknown text) instead of
        blanking and reporting it. Missing codes are not errors.

    Raises `DataError` for an empty file, codebook columns absent from the data, unknown columns,
    blank or duplicate respondent ids; never drops a respondent row.

    >>> survey = read_survey("export.csv", "codebook.yaml")              # doctest: +SKIP
    >>> survey.data.loc[41, "U3"], survey.issues.iloc[0]["masalah"]    # doctest: +SKIP
    (nan, 'di luar skala (1-4)')
    """
    if unknown not in ("error", "keep"):
        raise DataError(f"unknown must be 'error' or 'keep', not {unknown!r}")
    cb = codebook if isinstance(codebook, Codebook) else read_codebook(codebook)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    suffix = path.suffix.lower()
    if sheet is not None and suffix != ".xlsx":
        raise DataError(f"{path.name}: a sheet ({sheet!r}) applies to .xlsx workbooks only; this is a {suffix} file")
    if suffix == ".xlsx":
        header, rows = _read_xlsx_rows(path, sheet)
        encoding = delimiter = None
        header = _check_header(header, path.name)
        if not rows:
            raise DataError(f"{path.name} has a header but no data rows")
        frame, empty_rows = _rows_to_frame(header, rows, path.name)
    elif suffix in (".csv", ".txt", ".tsv"):
        frame, empty_rows, encoding, delimiter = _read_csv_frame(path)
    elif suffix == ".xls":
        raise DataError(f"{path.name}: old .xls workbooks are not supported; save it as .xlsx or .csv")
    else:
        raise DataError(f"{path.name}: unsupported file type '{suffix}'; use .csv or .xlsx")
    if frame.empty:
        raise DataError(f"{path.name} has a header but only blank rows ({len(empty_rows)})")
    frame, notes = _match_questions(frame, cb, path.name)
    if cb.row_ids:
        if ROW_ID in frame.columns:
            raise DataError(f"{path.name} has a column '{ROW_ID}', the name riset gives ids made from row numbers; "
                            "name it as the respondent id in the codebook (id: ...) or rename it")
        frame.insert(0, ROW_ID, [str(b) for b in frame.index])
        notes.append(Note("read_row_ids", {"column": ROW_ID}))
    _check_columns(frame, cb, path.name, unknown)

    data, issues = _apply_codebook(frame, cb, empty_rows, path.name)
    if strict:
        _raise_first_invalid(issues, cb)
    return SurveyData(data, cb, issues, path.name, encoding, delimiter, tuple(notes))


def _match_questions(frame: pd.DataFrame, cb: Codebook, name: str) -> tuple[pd.DataFrame, list[Note]]:
    """Exports whose headers are the questions themselves (Google Forms, Kobo with labels): a codebook column
    absent from the data takes the header that is its question text (case, spacing, a leading number and a
    final '?' or ':' ignored). Each match is said in the data report."""
    absent = [c for c, spec in cb.specs.items() if c not in frame.columns and spec.question]
    if not absent:
        return frame, []
    by_text: dict[str, list[str]] = {}
    for header in frame.columns:
        if header not in cb.specs:
            by_text.setdefault(_question_key(header), []).append(header)
    renames, notes = {}, []
    for column in absent:
        found = by_text.get(_question_key(cb.specs[column].question), [])
        if len(found) > 1:
            raise DataError(f"{name}: the question of codebook column '{column}' heads {len(found)} columns "
                            f"({', '.join(map(repr, found))}); keep one or name the columns in the codebook")
        if found:
            renames[found[0]] = column
    if renames:
        frame = frame.rename(columns=renames)
        notes.append(Note("read_question_headers", {"n": len(renames), "matches": "; ".join(
            f"'{shorten(h)}' = {c}" for h, c in renames.items())}))
    return frame, notes


def _question_key(text: Any) -> str:
    key = _norm_text(re.sub(r"^\s*\d+\s*[.)]\s*", "", str(text)))
    return key.rstrip(" ?:*.")





def _apply_codebook(frame: pd.DataFrame, cb: Codebook, empty_rows: list[int], name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert every column by its role; return the clean data and the issues sorted by row, then column."""
    ids = _respondent_ids(frame, cb.id, name)
    id_of = dict(zip(ids.index, ids.to_numpy()))
    out: dict[str, pd.Series] = {}
    issues: list[tuple] = []
    for col in frame.columns:
        spec = cb.specs.get(col)
        if col in cb.ignore:
            continue
        if col == cb.id:
            out[col] = ids
        elif spec is None:  # only reached with unknown="keep"
            out[col] = pd.Series([_text_value(v) for v in frame[col]], index=frame.index)
            issues.append((np.nan, None, col, None, KOLOM_TAK_DIKENAL, "dipertahankan sebagai teks"))
        else:
            out[col], col_issues = _convert_column(frame[col], spec, name)
            issues += [(b, id_of[b], col, nilai, masalah, tindakan) for b, nilai, masalah, tindakan in col_issues]
    issues += [(b, None, "", "", BARIS_KOSONG, "dilewati") for b in empty_rows]

    order = {c: i for i, c in enumerate(frame.columns)}
    table = pd.DataFrame(issues, columns=list(ISSUE_COLUMNS))
    table = (
        table.assign(_col=table["kolom"].map(order).fillna(-1))
        .sort_values(["baris", "_col"], kind="stable", na_position="first")
        .drop(columns="_col")
        .reset_index(drop=True)
        .astype({"baris": "Int64"})
    )
    return pd.DataFrame(out, index=frame.index), table


def _read_csv_frame(path: Path) -> tuple[pd.DataFrame, list[int], str, str]:
    """A CSV export as one row per respondent (index: the spreadsheet row number, header = 1), the numbers
    of its blank rows, its encoding and delimiter. UTF-8 and UTF-16 files are streamed from disk; equal
    cells share one string, so memory grows with the distinct values, not with the cells."""
    with _open_text(path) as (handle, encoding):
        sample = handle.read(50_000)
        if not sample.strip():
            raise DataError(f"{path.name} is empty (no header, no rows)")
        delimiter = _sniff_delimiter(sample)
        handle.seek(0)
        frame, empty = _parse_csv(csv.reader(handle, delimiter=delimiter), path.name, delimiter)
    return frame, empty, encoding, delimiter


@contextmanager
def _open_text(path: Path):
    """The export as a text stream and a description of its encoding (`_decode` for files that are not
    clean UTF-8 or UTF-16)."""
    with path.open("rb") as raw:
        head = raw.read(4000)
    codec = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec, encoding = "utf-16", "UTF-16"
    elif len(head) >= 4 and head.count(0) >= len(head) // 3:
        codec = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        encoding = "UTF-16 (tanpa BOM)"
    elif _clean_utf8(path):
        codec, encoding = "utf-8-sig", "UTF-8 dengan BOM" if head.startswith(b"\xef\xbb\xbf") else "UTF-8"
    if codec is None:
        text, encoding = _decode(path.read_bytes(), path.name)
        yield io.StringIO(text, newline=""), encoding
        return
    try:
        with path.open(encoding=codec, newline="") as handle:
            yield handle, encoding
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name}: looks like {encoding} text but byte {exc.start} cannot be decoded; save it "
                        "again as CSV UTF-8") from None


def _clean_utf8(path: Path) -> bool:
    """Whether the file is valid UTF-8 throughout (read in chunks); a NUL byte is refused here."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            if b"\x00" in chunk:
                line += chunk[:chunk.index(b"\x00")].count(b"\n")
                raise DataError(f"{path.name}: line {line} holds a NUL byte; the file is binary or damaged, not a "
                                "CSV export")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _parse_csv(reader, name: str, delimiter: str) -> tuple[pd.DataFrame, list[int]]:
    """Records -> a frame of the non-blank rows (blank rows listed, trailing ones dropped). A row with more
    non-blank values than the header, or fewer values, is refused: never padded, never cut."""
    first = next(reader, None)
    if first is None or not any(c.strip() for c in first):
        raise DataError(f"{name}: the first line must be the header, but it is empty")
    header = _check_header(first, name)
    width = len(header)
    # each column is kept as codes into its distinct values (a pandas Categorical): memory grows with the
    # distinct answers, units and dates, not with the cells
    codes = [array("i") for _ in range(width)]
    values: list[dict[str, int]] = [{} for _ in range(width)]
    numbers: list[int] = []
    empty: list[int] = []
    short: list[tuple[int, int]] = []
    for number, record in enumerate(reader, start=2):
        if not any(c.strip() for c in record):
            empty.append(number)
            continue
        if len(record) > width:
            extra = [v for v in record[width:] if v.strip()]
            if extra:
                raise DataError(f"{name}: row {number} has {len(record)} values but the header has {width} columns "
                                f"(extra value {extra[0]!r}); check the delimiter or quoting")
        elif len(record) < width:
            short.append((number, len(record)))
            continue
        for column, seen, value in zip(codes, values, record):
            column.append(seen.setdefault(value, len(seen)))
        numbers.append(number)
    if short:
        _refuse_short_rows(short, width, name, delimiter)
    last = numbers[-1] if numbers else 0
    empty = [n for n in empty if n < last]  # blank lines after the last respondent are not rows
    if not numbers:
        raise DataError(f"{name} has a header but no data rows")
    frame = pd.DataFrame({h: pd.Categorical.from_codes(np.frombuffer(codes[j], dtype=np.int32),
                                                        pd.Index(list(values[j]), dtype=object))
                          for j, h in enumerate(header)}, index=pd.Index(numbers, name="baris"))
    return frame, empty


def _refuse_short_rows(short: list[tuple[int, int]], width: int, name: str, delimiter: str) -> None:
    """A CSV row with fewer fields than the header is a line break inside an unquoted field (one respondent
    split in two rows) or a lost delimiter."""
    (first, count), others = short[0], [str(n) for n, _ in short[1:6]]
    more = f" (also row(s) {', '.join(others)}{' ...' if len(short) > 6 else ''}; {len(short)} in all)" if others else ""
    raise DataError(f"{name}: row {first} has {count} values but the header has {width} columns{more}; a line "
                    f"break inside an unquoted field splits a respondent over two rows, or a '{_show_sep(delimiter)}' "
                    "is missing: fix these rows (quote fields that hold line breaks) and read again")


def _decode(blob: bytes, name: str) -> tuple[str, str]:
    """Text of a CSV and a description of its encoding: UTF-16 (with or without BOM, Excel "Unicode Text"),
    UTF-8 (with or without BOM), UTF-8 with a few stray bytes of another encoding (decoded as cp1252 and
    named with their lines), else cp1252 (Excel "CSV" on Indonesian Windows) or latin-1."""
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(blob, "utf-16", name), "UTF-16"
    head = blob[:4000]
    if len(head) >= 4 and head.count(0) >= len(head) // 3:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        return _utf16(blob, "utf-16-le" if odd > even else "utf-16-be", name), "UTF-16 (tanpa BOM)"
    if b"\x00" in blob:
        line = blob[:blob.index(b"\x00")].count(b"\n") + 1
        raise DataError(f"{name}: line {line} holds a NUL byte; the file is binary or damaged, not a CSV export")
    bom = blob.startswith(b"\xef\xbb\xbf")
    try:
        return blob.decode("utf-8-sig"), "UTF-8 dengan BOM" if bom else "UTF-8"
    except UnicodeDecodeError:
        pass
    text = blob.decode("utf-8-sig", errors="surrogateescape")
    stray = [i for i, c in enumerate(text) if "\udc80" <= c <= "\udcff"]
    utf8_letters = any(ord(c) > 127 and not "\udc80" <= c <= "\udcff" for c in text)
    if not utf8_letters:  # every non-ASCII byte is invalid UTF-8: a whole cp1252 (or latin-1) file
        try:
            return blob.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return blob.decode("latin-1"), "latin-1"
    lines = sorted({text.count("\n", 0, i) + 1 for i in stray})
    fixed = "".join(bytes([ord(c) - 0xDC00]).decode("cp1252", errors="replace") if "\udc80" <= c <= "\udcff" else c
                    for c in text)
    shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
    return fixed, f"UTF-8; {len(stray)} byte bukan UTF-8 di baris {shown} dibaca sebagai cp1252 (periksa teksnya)"


def _utf16(blob: bytes, codec: str, name: str) -> str:
    try:
        return blob.decode(codec).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: looks like UTF-16 text but byte {exc.start} cannot be decoded; save it again as "
                        "CSV UTF-8") from None


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter (',', ';' or tab) that splits the first lines into the most consistent columns."""
    sample = text[:50_000]
    lines = sample.splitlines()
    if len(sample) == 50_000 and len(lines) > 1:
        sample = "\n".join(lines[:-1])  # a cut-off last line would look inconsistent
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r][:100]
        if not records:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records)
        score = (consistent if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_xlsx_rows(path: Path, sheet: str | int | None) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataError(f"{path.name} cannot be opened as an Excel workbook ({' '.join(str(exc).split())})") from None
    try:
        ws = _worksheet(wb, sheet, path.name)
        ws.reset_dimensions()  # the <dimension> tag may understate the sheet: read every row there is
        numbered = [(i, [_xlsx_cell(v) for v in r]) for i, r in enumerate(ws.iter_rows(min_row=1, values_only=True),
                                                                        start=1)]
        title = ws.title
    finally:
        wb.close()
    if _has_formulas(path):
        _check_formula_values(path, sheet, numbered)
    while numbered and all(_is_blank(v) for v in numbered[-1][1]):
        numbered.pop()
    while numbered and all(_is_blank(v) for v in numbered[0][1]):
        numbered.pop(0)  # header may sit below empty rows; row numbers stay those of the sheet
    if not numbered:
        raise DataError(f"{path.name} is empty (sheet '{title}' has no header, no rows)")
    return numbered[0][1], numbered[1:]


def _xlsx_cell(value: Any) -> Any:
    """A cell as read: TRUE/FALSE stay text (a boolean must never pass for the answer 1 or 0)."""
    return str(value).upper() if isinstance(value, bool) else value


def _worksheet(wb, sheet: str | int | None, name: str):
    if sheet is None:
        return wb.worksheets[0]
    if isinstance(sheet, int):
        if not 0 <= sheet < len(wb.worksheets):
            raise DataError(f"{name} has {len(wb.worksheets)} sheet(s); sheet={sheet} does not exist")
        return wb.worksheets[sheet]
    if sheet in wb.sheetnames:
        return wb[sheet]
    raise DataError(f"{name} has no sheet '{sheet}'; sheets: {', '.join(wb.sheetnames)}")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (an <f> element), without parsing it."""
    with zipfile.ZipFile(path) as archive:
        for item in archive.namelist():
            if item.startswith("xl/worksheets/") and item.endswith(".xml"):
                with archive.open(item) as handle:
                    tail = b""
                    while chunk := handle.read(1 << 20):
                        if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                            return True
                        tail = chunk[-3:]
    return False


def _check_formula_values(path: Path, sheet: str | int | None, numbered: list[tuple[int, list[Any]]]) -> None:
    """Formula cells whose value was never computed (files written by scripts) read as blank: refuse them."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = _worksheet(wb, sheet, path.name)
        ws.reset_dimensions()
        missing = [(f"{get_column_letter(j)}{i}", formula)
                   for (i, values), formulas in zip(numbered, ws.iter_rows(min_row=1, values_only=True))
                   for j, (value, formula) in enumerate(zip(values, formulas), start=1)
                   if value is None and isinstance(formula, str) and formula.startswith("=")]
    finally:
        wb.close()
    if missing:
        cell, formula = missing[0]
        raise DataError(f"{path.name}: {len(missing)} cell(s) hold a formula without a computed value (first: {cell} "
                        f"{formula!r}); the file was written by a program that does not calculate formulas: open it "
                        "in Excel or LibreOffice, save it, and read it again")


def _check_header(header: list[Any], name: str) -> list[str]:
    cols = ["" if _is_blank(h) else str(h).strip() for h in header]
    while cols and cols[-1] == "":
        cols.pop()
    blank = [i + 1 for i, c in enumerate(cols) if c == ""]
    if blank:
        raise DataError(f"{name}: header cell(s) in column position(s) {', '.join(map(str, blank))} are empty; "
                        "every column needs a name")
    seen: dict[str, int] = {}
    for i, c in enumerate(cols, start=1):
        if c in seen:
            raise DataError(f"{name}: column '{c}' appears twice in the header (positions {seen[c]} and {i})")
        seen[c] = i
    return cols


def _rows_to_frame(header: list[str], rows, name: str) -> tuple[pd.DataFrame, list[int]]:
    width = len(header)
    kept, numbers, empty = [], [], []
    for number, values in rows:
        values = list(values)
        extra = [v for v in values[width:] if not _is_blank(v)]
        if extra:
            raise DataError(f"{name}: row {number} has {width + len(values[width:])} values but the header has "
                            f"{width} columns (extra value {extra[0]!r}); check the delimiter or quoting")
        values = (values + [None] * width)[:width]
        if all(_is_blank(v) for v in values):
            empty.append(number)
            continue
        kept.append(values)
        numbers.append(number)
    frame = pd.DataFrame(kept, columns=header, index=pd.Index(numbers, name="baris"), dtype=object)
    return frame, empty


def _check_columns(frame: pd.DataFrame, cb: Codebook, name: str, unknown: str) -> None:
    absent = [c for c in cb.specs if c not in frame.columns]
    if absent:
        raise DataError(f"{name}: column(s) {', '.join(map(repr, absent))} described in codebook {cb.source} "
                        f"are not in the data; columns found: {', '.join(frame.columns)}")
    extra = [c for c in frame.columns if c not in cb.specs and c not in cb.ignore]
    if extra and unknown == "error":
        raise DataError(f"{name}: column(s) {', '.join(map(repr, extra))} are not in codebook {cb.source}; describe "
                        "them (role other, for instance), list them under 'ignore', or keep them as text (riset ikm "
                        "--unknown-columns keep; read_survey(..., unknown='keep'))")


def _respondent_ids(frame: pd.DataFrame, id_col: str, name: str) -> pd.Series:
    ids = pd.Series([_text_value(v) for v in frame[id_col]], index=frame.index)
    blank = ids.isna()
    if blank.any():
        rows = [str(b) for b in ids.index[blank]]
        shown = ", ".join(rows[:10]) + (" ..." if len(rows) > 10 else "")
        raise DataError(f"{name}: respondent id column '{id_col}' is blank in {len(rows)} row(s): {shown}")
    dup = ids[ids.duplicated(keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        rows = list(dup.index[dup == first])
        n_ids = dup.nunique()
        raise DataError(f"{name}: respondent id '{first}' in column '{id_col}' appears in rows "
                        f"{', '.join(map(str, rows))}" + (f" ({n_ids} duplicated ids in all)" if n_ids > 1 else "")
                        + "; ids must be unique")
    return ids


def _convert_column(raw: pd.Series, spec: ColumnSpec, name: str = "") -> tuple[pd.Series, list[tuple]]:
    """Convert one column cell by cell (cached per distinct raw value); return values and issues.

    Numbers written as text are read in the column's own format (`number_format`); a column whose answers
    are mostly off the scale stops the reading (`_check_bulk_invalid`)."""
    convert = {
        "unsur": _scaled_cell, "overall": _scaled_cell, "importance": _scaled_cell, "expectation": _scaled_cell,
        "weight": _weight_cell, "design": _design_cell,
    }.get(spec.role, _scaled_cell if spec.scale else _text_cell)
    numeric = convert in (_scaled_cell, _weight_cell, _design_cell)
    # each distinct cell is converted once; the rows take their value by code (-1: an empty cell)
    if isinstance(raw.dtype, pd.CategoricalDtype):  # a CSV column: already codes into its distinct cells
        codes, uniques = raw.cat.codes.to_numpy(), list(raw.cat.categories)
    else:
        codes, uniques = pd.factorize(np.asarray(raw.to_numpy(), dtype=object), use_na_sentinel=True)
        uniques = list(uniques)
    read_number = number_format(uniques, spec, name) if numeric else None
    converted = []
    for cell in uniques:
        parsed = read_number(cell) if read_number is not None and isinstance(cell, str) else None
        converted.append(convert(cell if parsed is None else parsed, spec))
    table = np.empty(len(converted) + 1, dtype=object)
    table[:] = [c[0] for c in converted] + [convert(None, spec)[0]]  # the last entry: an empty cell (code -1)
    values = table[codes]
    flagged = np.flatnonzero([m is not None for _, m, _ in converted])
    issues = []
    if len(flagged):
        rows = np.flatnonzero(np.isin(codes, flagged))
        # what respondents wrote is shown without the personal data it may hold
        shown = {k: mask_personal(_raw_text(uniques[k])) if spec.role == "text" else _raw_text(uniques[k])
                 for k in flagged}
        issues = [(raw.index[i], shown[codes[i]], converted[codes[i]][1], converted[codes[i]][2]) for i in rows]
    if convert is _scaled_cell:
        _check_bulk_invalid(int(sum(n for k, n in zip(*np.unique(codes[codes >= 0], return_counts=True))
                                    if not _is_blank(uniques[k]))), issues, spec, name)
    if convert in (_scaled_cell, _weight_cell):
        series = pd.Series(values, index=raw.index, dtype="float64")
    elif convert is _design_cell and all(v is None or isinstance(v, float) for v in table):
        series = pd.Series([np.nan if v is None else v for v in values], index=raw.index, dtype="float64")
    else:
        table[:] = [_text_value(v) if isinstance(v, float) else v for v in table]
        series = pd.Series(table[codes], index=raw.index)
    return series, issues


_ID_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?")   # 1.853 / 1.853,25 / 12.345.678
_EN_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")   # 1,853 / 1,853.25
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)?|[.,]\d+)")
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")             # 1.853 or 1,853: either reading


def number_format(raw, spec: ColumnSpec, name: str = ""):
    """How the numbers written as text in one column are to be read: a function text -> float (None when the
    text is no number), by the column's decimal mark.

    Indonesian spreadsheets write 1.853,25 (dot groups thousands, comma is the decimal mark), English ones
    1,853.25. The mark is the codebook's ``decimal`` when given, else read off the column: a comma decimal
    (2,5), dot groups (1.234.567, 1.853,25) or a number below 1000 with a comma mean ','; a dot decimal
    (2.5, 0.853), comma groups or 1,853.25 mean '.'. A column holding only '1.853'-like numbers (either
    reading fits) or evidence for both is refused with a message, never guessed.
    """
    texts = {v.strip() for v in set(raw) if isinstance(v, str) and v.strip()}
    decimal = spec.decimal
    if decimal is None:
        comma, dot, ambiguous = [], [], []
        for t in texts:
            if _AMBIGUOUS.fullmatch(t):
                ambiguous.append(t)
            elif _ID_GROUPED.fullmatch(t) or (_PLAIN_NUMBER.fullmatch(t) and "," in t):
                comma.append(t)
            elif _EN_GROUPED.fullmatch(t) or (_PLAIN_NUMBER.fullmatch(t) and "." in t):
                dot.append(t)
        if comma and dot:
            raise DataError(f"{name}: column '{spec.name}' mixes number formats ({comma[0]!r} has a decimal comma, "
                            f"{dot[0]!r} a decimal point); write every number the same way, or set decimal: ',' or "
                            f"'.' for this column in the codebook")
        if ambiguous and not (comma or dot):
            raise DataError(f"{name}: column '{spec.name}' has {len(ambiguous)} number(s) like {sorted(ambiguous)[0]!r} "
                            "that read as thousands (Indonesian 1.853 = 1853) or as decimals (1.853); set decimal: "
                            "',' (Indonesian) or '.' for this column in the codebook, or save the numbers without "
                            "thousands separators")
        decimal = "," if comma else "." if dot else None
    if decimal is None:
        return _as_number
    group = "." if decimal == "," else ","
    grouped = _ID_GROUPED if decimal == "," else _EN_GROUPED

    def read(text: str) -> float | None:
        t = text.strip()
        if grouped.fullmatch(t) or _PLAIN_NUMBER.fullmatch(t):
            if group in t and not grouped.fullmatch(t):
                return None
            return float(t.replace(group, "").replace(decimal, "."))
        return None

    return read


#: A column stops the reading when at least this many of its answers, and this share of its non-blank ones,
#: are off the scale or unrecognised (a wrong scale or label set, not a few typos).
BULK_INVALID = (5, 0.2)


def _check_bulk_invalid(given: int, issues: list[tuple], spec: ColumnSpec, name: str) -> None:
    """Refuse a column whose answers are off the codebook in bulk, naming the likely cause, instead of blanking
    them one by one and computing an IKM on the rest."""
    bad = [(cell, masalah) for _, cell, masalah, tindakan in issues
           if tindakan == DIKOSONGKAN and masalah != KODE_HILANG]
    lo, hi = spec.scale
    numbers = [n for n in (_as_number(c) for c, _ in bad) if n is not None]
    wider_scale = bool(numbers) and len(numbers) == len(bad) and set(numbers) == {float(hi + 1)}
    share = BULK_INVALID[1] / 4 if wider_scale else BULK_INVALID[1]  # every off value is hi + 1: a wider form
    if not given or len(bad) < BULK_INVALID[0] or len(bad) / given < share:
        return
    counts = pd.Series([c for c, _ in bad]).value_counts()
    shown = ", ".join(f"{v!r} ({n})" for v, n in counts.head(3).items())
    if numbers and len(numbers) == len(bad) and max(numbers) > hi:
        cause = (f"answers go up to {_fmt(max(numbers))} but the codebook's scale is {lo}-{hi}: the form probably "
                 f"used a {lo}-{_fmt(max(numbers))} scale; recode the answers to {lo}-{hi} before reading")
    elif any("_" in str(c) for c, _ in bad):
        cause = "the answers look like XML choice names (Kobo/ODK 'name' column): export with labels, or give the " \
                "codebook these names as labels"
    elif any(re.match(r"\s*\d+\s*[.)]", str(c)) for c, _ in bad):
        cause = "the answers are numbered labels whose number or text differs from the codebook's labels"
    else:
        cause = f"the answers are not the codebook's codes or labels ({spec.allowed_text()})"
    raise DataError(f"{name}: column '{spec.name}': {len(bad)} of {given} answers ({len(bad) / given:.0%}) cannot be "
                    f"read ({shown}); {cause}. riset does not compute an IKM on the rest")


def _scaled_cell(cell: Any, spec: ColumnSpec) -> tuple[float, str | None, str | None]:
    if _is_blank(cell):
        return np.nan, None, None
    lo, hi = spec.scale
    number = _as_number(cell)
    if number is not None:
        if number in spec.missing:
            return np.nan, KODE_HILANG, DIKOSONGKAN
        if number != int(number):
            return np.nan, BUKAN_BULAT, DIKOSONGKAN
        if not lo <= number <= hi:
            return np.nan, f"{DI_LUAR_SKALA} ({lo}-{hi})", DIKOSONGKAN
        return float(number), None, None
    text = _norm_text(cell)
    if text in spec.missing:
        return np.nan, KODE_HILANG, DIKOSONGKAN
    by_label = {_norm_label(label): code for code, label in spec.labels.items()}
    if _norm_label(text) in by_label:
        code = by_label[_norm_label(text)]
        return float(code), LABEL_TEKS, f"diganti {code}"
    numbered = _NUMBERED.fullmatch(text)
    if numbered:  # Google Forms "4. Sangat sesuai": the number, when the label agrees (or there are no labels)
        code, rest = int(numbered.group(1)), _norm_label(numbered.group(2))
        if lo <= code <= hi and (not by_label or by_label.get(rest) == code):
            return float(code), LABEL_TEKS, f"diganti {code}"
    letter = re.fullmatch(r"\(?([a-z])[.)]?(?:\s+(.*))?", text) if spec.labels else None
    if letter:
        code = lo + ord(letter.group(1)) - ord("a")
        rest = letter.group(2)
        if code <= hi and (rest is None or by_label.get(_norm_text(rest)) == code):
            return float(code), HURUF_PILIHAN, f"diganti {code}"
    return np.nan, TEKS_TAK_DIKENAL, DIKOSONGKAN


def _text_cell(cell: Any, spec: ColumnSpec) -> tuple[Any, str | None, str | None]:
    if _is_blank(cell):
        return None, None, None
    number = _as_number(cell)
    if spec.bins and number is not None and number not in spec.missing:
        if number < spec.bins[0]:
            return None, f"{KATEGORI_TAK_DIKENAL} (di bawah {_fmt(spec.bins[0])})", DIKOSONGKAN
        position = int(np.searchsorted(spec.bins, number, side="right")) - 1
        return _bin_labels(spec.bins)[position], None, None
    text = _norm_text(cell)
    if (number is not None and number in spec.missing) or text in spec.missing:
        return None, KODE_HILANG, DIKOSONGKAN
    if not spec.labels:
        value = _text_value(cell)
        if isinstance(cell, str) and printable(cell) != cell:  # a stray control character (\x07, \x0b ...)
            return _text_value(printable(cell)), KARAKTER_KENDALI, "dihapus"
        return value, None, None
    if number is not None and number == int(number) and int(number) in spec.labels:
        return spec.labels[int(number)], None, None
    for code, label in spec.labels.items():  # the label itself, or its code written as text ("PKM-A")
        if _norm_label(label) == _norm_label(text) or _norm_label(code) == _norm_label(text):
            return label, None, None
    return None, KATEGORI_TAK_DIKENAL, DIKOSONGKAN


def _weight_cell(cell: Any, spec: ColumnSpec) -> tuple[float, str | None, str | None]:
    if _is_blank(cell):
        return np.nan, None, None
    number = _as_number(cell)
    if number is not None and number in spec.missing:
        return np.nan, KODE_HILANG, DIKOSONGKAN
    if number is None or not math.isfinite(number):
        return np.nan, BUKAN_ANGKA, DIKOSONGKAN
    if number <= 0:
        return np.nan, BOBOT_TIDAK_POSITIF, DIKOSONGKAN
    return float(number), None, None


def _design_cell(cell: Any, spec: ColumnSpec) -> tuple[Any, str | None, str | None]:
    """Design columns are numbers (fpc, weights) or identifiers (strata, psu): keep identifiers as text."""
    if _is_blank(cell):
        return None, None, None
    number = _as_number(cell)
    if number is not None and number in spec.missing:
        return None, KODE_HILANG, DIKOSONGKAN
    return (float(number) if number is not None else _text_value(cell)), None, None


def _raise_first_invalid(issues: pd.DataFrame, cb: Codebook) -> None:
    invalid = issues[(issues["tindakan"] == DIKOSONGKAN) & (issues["masalah"] != KODE_HILANG)]
    if invalid.empty:
        return
    first = invalid.iloc[0]
    spec = cb.specs[first["kolom"]]
    number = _as_number(first["nilai_asli"])
    raise DataError(
        f"column '{first['kolom']}' has value {show_value(first['nilai_asli'] if number is None else number)} in row {first['baris']} "
        f"(id {first['id_responden']}); allowed {spec.allowed_text()} "
        f"({len(invalid)} invalid cell(s) in all; read without --strict (strict=True) to blank and report them)"
    )


# ------------------------------------------------------------------------------------------- writing
def write_table(table: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, index: bool = False) -> Path:
    """Write a table as CSV (UTF-8, comma) or XLSX, chosen by the file extension; create the folder.

    A mapping {sheet name: DataFrame} writes several sheets into one .xlsx. Text that a spreadsheet would run
    as a formula (starting with =, +, -, @) gets a leading quote and control characters are dropped
    (`riset.textsafe.spreadsheet_cell`, OWASP CSV-injection guidance); numbers stay numbers. The file is
    written beside its place and moved there at the end, so a failure never leaves half a file. Returns the
    path written.

    >>> write_table(result.table, "data/processed/ikm_per_unit.xlsx")   # doctest: +SKIP
    PosixPath('data/processed/ikm_per_unit.xlsx')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise RisetError(f"cannot write '{path}': the file name must end in .csv or .xlsx")
    sheets = {str(k): _safe_frame(v) for k, v in (table.items() if isinstance(table, Mapping) else {"tabel": table}.items())}
    if suffix == ".csv" and len(sheets) != 1:
        raise RisetError(f"cannot write {len(sheets)} tables to one CSV file '{path}'; use .xlsx or one file per table")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        if suffix == ".csv":
            next(iter(sheets.values())).to_csv(partial, index=index, encoding="utf-8")
        else:
            with pd.ExcelWriter(partial, engine="openpyxl") as writer:
                for sheet_name, frame in sheets.items():
                    frame.to_excel(writer, sheet_name=printable(sheet_name)[:31] or "tabel", index=index)
        os.replace(partial, path)
    except OSError as exc:  # a full disk, a file open in Excel: say which file
        raise RisetError(f"cannot write '{path}': {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return path


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and headers made safe for a spreadsheet (`spreadsheet_cell`); numbers untouched."""
    out = frame.copy()
    out.columns = [spreadsheet_cell(c) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = [spreadsheet_cell(v) if isinstance(v, str) else v for v in out[col]]
    return out


# ------------------------------------------------------------------------------------------- helpers
def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _is_int(value: Any) -> bool:
    number = _as_number(value)
    return number is not None and number == int(number)


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)?|[.,]\d+)")


def _as_number(value: Any) -> float | None:
    """A number from a cell: int/float, or text like '4', '4.0', '4,0' (Indonesian decimal comma)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value.strip().replace(",", "."))
    return None


def _norm_text(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _norm_label(value: Any) -> str:
    """A label as compared: case and spacing ignored, and Kobo/ODK choice names (sangat_sesuai) as words."""
    return " ".join(str(value).replace("_", " ").split()).casefold()


_NUMBERED = re.compile(r"(\d+)\s*[.):-]\s*(.+)")


def _text_value(value: Any) -> str | None:
    """A cell as text: trimmed; whole numbers from Excel without '.0'; dates as ISO."""
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _raw_text(value: Any) -> str:
    return "" if value is None else (_text_value(value) if not isinstance(value, str) else value)


def _fmt(number: Any) -> str:
    return str(int(number)) if isinstance(number, float) and number == int(number) else str(number)


def _show_sep(delimiter: str | None) -> str:
    return {"\t": "tab"}.get(delimiter, delimiter or "")


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _per_column(part: pd.DataFrame, columns, names: Mapping[str, str] | None = None) -> str:
    counts = part["kolom"].value_counts()
    names = names or {}
    return ", ".join(f"{names.get(col, col)} {counts[col]}" for col in columns if col in counts.index)
