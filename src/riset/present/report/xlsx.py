"""The study's tables as a workbook for people (openpyxl): a first sheet "Baca saya" that says what each sheet
holds (and how the driver analysis treated blank answers), then one sheet per table with headers in the reader's
language, numbers kept as numbers with number formats (2 decimals for IKM and NRR, 3 for SEs, percentages as %),
codes shown as words, sensible widths, a frozen header row and a filter. Every text cell passes the formula and
control-character guards of `riset.textsafe.spreadsheet_cell`.

>>> write_xlsx(results, "tabel_skm.xlsx", "id")       # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from riset.i18n import check_language, label, say
from riset.present.report.content import column_label, report_date
from riset.present.report.text import drivers_statement
from riset.present.report.tables import words
from riset.textsafe import spreadsheet_cell

__all__ = ["NUMBER_FORMATS", "TABLE_FORMATS", "TABLE_UNITS", "write_xlsx"]

#: Number format per column name (anything else: integers '0', other numbers '0.00').
NUMBER_FORMATS = {
    "ikm": "0.0000", "ikm_se": "0.0000", "se": "0.000", "se_awal": "0.000", "se_akhir": "0.000", "se_selisih": "0.000",
    "nrr": "0.00", "nrr_tertimbang": "0.0000", "bobot": "0.0000", "p_value": "0.0000", "p_holm": "0.0000",
    "p_mutu_beda": "0%", "p_target": "0%", "persen": "0.0", "importance": "0.0%", "lmg_persen": "0.0",
    "johnson_persen": "0.0", "kov": "0.0000", "csi": "0.0000", "t": "0.00",
    "fmi": "0%", "within_pp2": "0.0000", "between_pp2": "0.0000",
}
#: Formats of one table that differ from `NUMBER_FORMATS`, by table key: a column name can mean another quantity
#: there. In the driver table (pooled shares of R^2) the interval limits and the SE are shares, shown in the
#: share's unit (percent; the SE with one more decimal); elsewhere ci_low / ci_high bound an IKM or NRR and se is
#: in their unit. The sensitivity table's shares are shown as the headline's share is.
_SHARE = NUMBER_FORMATS["importance"]
TABLE_FORMATS = {
    "drivers": {"ci_low": _SHARE, "ci_high": _SHARE, "se": "0.00%"},
    "drivers_sensitivity": {"porsi_imputasi": _SHARE, "porsi_listwise": _SHARE, "porsi_tanpa_pengaduan": _SHARE},
}
#: Columns of one table shown in another unit, by table key: column -> (column in the new unit, factor). The
#: driver table's Rubin variances of a share (on 0-1, about 1e-5) would read 0.000000; in squared percentage
#: points, the unit of the share as the sheet shows it (23.2 %), they read 0.0300-0.5000.
TABLE_UNITS = {"drivers": {"within": ("within_pp2", 1e4), "between": ("between_pp2", 1e4)}}
_HEADER_FILL = PatternFill("solid", fgColor="E8EBF5")


def _value(value):
    if value is pd.NA or isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return spreadsheet_cell(value)


def _sheet_name(key: str, lang: str, taken: set[str]) -> str:
    name = label(f"sheet_{key}", lang)
    name = "".join(c for c in name if c not in "[]:*?/\\")[:31]
    base, i = name, 2
    while name.lower() in taken:
        name = f"{base[:28]} {i}"
        i += 1
    taken.add(name.lower())
    return name


def _write_table(ws, table: pd.DataFrame, lang: str, formats: dict[str, str]) -> None:
    """One table on sheet `ws`; `formats`: number format per column name (others: integers '0', numbers '0.00')."""
    columns = list(table.columns)
    ws.append([column_label(c, lang) for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.itertuples(index=False):
        ws.append([_value(v) for v in row])
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        numeric = pd.api.types.is_numeric_dtype(table[column]) and not pd.api.types.is_bool_dtype(table[column])
        if numeric:
            integer = pd.api.types.is_integer_dtype(table[column]) or column in ("n", "df", "n_responden")
            fmt = formats.get(column, "0" if integer else "0.00")
            for cell in ws[letter][1:]:
                cell.number_format = fmt
        texts = [str(column_label(column, lang))] + [str(v) for v in table[column].head(200)]
        ws.column_dimensions[letter].width = min(max(10, max(len(t) for t in texts) + 2), 60)
    ws.freeze_panes = "A2"
    if len(table):
        ws.auto_filter.ref = ws.dimensions


def _readme(ws, results, sheets: list[tuple[str, str]], lang: str) -> None:
    config = results.config
    lines = [(config.title, True), (say("xlsx_about", lang, area=config.area.name, date=report_date(results, lang),
                                        n=results.n), False),
             (results.plan["weighting"].text(lang), False), ("", False), (say("xlsx_sheets", lang), True)]
    lines += [(f"{name}: {say(f'sheet_{key}_about', lang)}", False) for key, name in sheets]
    notes = [say("xlsx_note_drivers", lang, sheet=name, text=" ".join(drivers_statement(results, lang)))
             for key, name in sheets if key == "drivers"]
    if notes:
        lines += [("", False), (say("xlsx_notes", lang), True), *((n, False) for n in notes)]
    for text, bold in lines:
        ws.append([spreadsheet_cell(text)])
        cell = ws.cell(ws.max_row, 1)
        cell.font = Font(bold=bold, size=13 if bold and ws.max_row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")  # the notes are paragraphs
    ws.column_dimensions["A"].width = 120


def write_xlsx(results, path: str | Path, lang: str | None = None) -> Path:
    """Write every table of a study (and its progress tables) to `path` (XLSX) with a 'Baca saya' sheet first."""
    lang = check_language(lang)
    tables = {**results.tables(), **results.progress.tables()}
    book = Workbook()
    readme = book.active
    readme.title = _sheet_name("readme", lang, taken := set())
    written = []
    for key, table in tables.items():
        if table is None or not isinstance(table, pd.DataFrame):
            continue
        units = {c: unit for c, unit in TABLE_UNITS.get(key, {}).items() if c in table.columns}
        table = words(table.assign(**{c: table[c] * factor for c, (_, factor) in units.items()}), results, lang)
        table = table.rename(columns={c: new for c, (new, _) in units.items()})
        name = _sheet_name(key, lang, taken)
        _write_table(book.create_sheet(name), table.reset_index(drop=True), lang,
                     {**NUMBER_FORMATS, **TABLE_FORMATS.get(key, {})})
        written.append((key, name))
    _readme(readme, results, written, lang)
    path = Path(path)
    book.save(path)
    return path
