"""Tables for people: a result table with its codes shown in words and its columns named from the catalogs.

The study's tables (`StudyResults.tables()`, the progress tables, a recommendation table) keep codes -- column
names such as ``ikm_konversi``, verdicts such as ``naik``, unsur keys such as ``waktu`` -- so that code can
work with them. What a person reads (the XLSX workbook, the notebooks) goes through `words` (values) and
`for_people` (values and headers), in the language asked for.

>>> import pandas as pd
>>> for_people(pd.DataFrame({"unsur": ["waktu"], "perubahan": ["naik"], "ikm_konversi": [81.234]}), decimals=1)
         Unsur pelayanan      Perubahan  IKM (konversi, 25-100)
0  U3 Waktu Penyelesaian  naik bermakna                    81.2
"""

from __future__ import annotations

import pandas as pd

from riset.errors import RisetError
from riset.i18n import check_language, label, say
from riset.present.report.content import column_label, evidence, group_name, level_label
from riset.skm.schemes import DEFAULT_SCHEME, get_scheme, unsur_name
from riset.study.run import AREA

__all__ = ["CODE_COLUMNS", "for_people", "online_tables", "words"]

#: Columns whose values are codes, and the catalog key that names each value.
CODE_COLUMNS = {"perubahan": "verdict_{}", "status": "target_{}", "kuadran": "kuadran_{}",
                "jenis_uji": "published_kind_{}", "tahap": "tahap_{}"}


def _code_word(column: str, value, lang: str):
    if not isinstance(value, str) or not value:
        return value
    key = CODE_COLUMNS[column].format(value)
    word = label(key, lang)
    return word if word != key else value


def _unsur_word(key, lang: str, scheme) -> object:
    """An unsur key as the regulation's code and name; anything else (e.g. 'lainnya') as it is."""
    try:
        return unsur_name(key, lang, scheme)
    except RisetError:
        return key


def _names_unsur(table: pd.DataFrame, scheme) -> bool:
    """Whether the `nama` column of `table` only holds the scheme's name of each row's unsur."""
    sch = get_scheme(scheme)
    return all(k in sch.keys and sch.get(k).nama == n for k, n in zip(table["unsur"], table["nama"]))


def words(table: pd.DataFrame, results=None, lang: str | None = None) -> pd.DataFrame:
    """`table` with its codes in words: verdicts, target status, IPA quadrants, stages; unsur keys as
    'U3 Waktu Penyelesaian' (a `nama` column that only repeats the unsur's name is then dropped); with the
    study's `results`, IKM levels as 'Unit layanan × Periode' and the reason codes of an action as the report's
    short clause. Other column names are kept."""
    lang = check_language(lang)
    scheme = results.scheme if results is not None else DEFAULT_SCHEME
    out = table.copy()
    for column in CODE_COLUMNS.keys() & set(out.columns):
        out[column] = [_code_word(column, v, lang) for v in out[column]]
    if "unsur" in out.columns:
        out["unsur"] = [_unsur_word(k, lang, scheme) for k in out["unsur"]]
        if "nama" in out.columns and _names_unsur(table, scheme):
            out = out.drop(columns="nama")
    if results is not None and "level" in out.columns:
        levels = {lv: level_label(results, lv, lang) for lv in results.levels()}
        out["level"] = out["level"].map(lambda v: levels.get(v, v))
    if results is not None and "alasan" in out.columns:
        out["alasan"] = [evidence(r, lang, scheme) for _, r in table.iterrows()]
    return out


def for_people(table: pd.DataFrame, results=None, lang: str | None = None, decimals: int | None = None) -> pd.DataFrame:
    """`words(table)` with every column named from the catalogs and numbers rounded to `decimals` (if given): the
    table a notebook displays."""
    out = words(table, results, lang)
    if decimals is not None:
        out = out.round(decimals)
    return out.rename(columns={c: column_label(c, lang) for c in out.columns})


#: Columns of the online IKM shown in a study of online answers only (the comparison table shows all of its own).
_ONLINE_IKM = ["level", "group", "n_responden", "ikm_konversi", "ci_low", "ci_high", "mutu"]


def online_tables(results, lang: str | None = None, decimals: int | None = None) -> dict[str, pd.DataFrame]:
    """The tables of a study's online (self-selected) answers (`StudyResults.online`) for people, by title:
    the online IKM beside the probability-sample IKM of the same groups with the difference and its p-value
    (`riset.study.online.compare_online`) -- or, without a probability sample, the online IKM -- and the online
    weights before and after the weighting (Kish deff, effective n). Units are named by their names, the area
    row as what it covers (the units and periods with online answers). Empty when the study has no online
    answers, so a notebook or the dashboard shows nothing."""
    part = results.online
    if part is None:
        return {}
    lang = check_language(lang)
    if part.comparison is not None:
        title, table = say("tab_online_comparison", lang), part.comparison.copy()
    else:
        title, table = say("tab_online_ikm", lang), part.ikm[_ONLINE_IKM].copy()
    table["group"] = [group_name(results, lv, g) for lv, g in zip(table["level"], table["group"])]
    table.loc[table["level"] == AREA, "group"] = say("online_covered", lang)
    for count in {"n_daring", "n_probabilitas", "n_responden"} & set(table.columns):
        table[count] = table[count].astype("Int64")  # a group with online answers only has no probability n
    return {title: for_people(table, results, lang, decimals),
            label("sheet_online_weights", lang): for_people(part.weighting.weight_table, results, lang, decimals)}
