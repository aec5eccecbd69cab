"""Indeks Kepuasan Masyarakat (IKM) as defined by PermenPAN-RB 14/2017 (and KepMenPAN 25/2004).

Formulas (PermenPAN-RB 14/2017, Lampiran, Bab II.F):

    NRR_j      = sum of answers to unsur j / number of answers to unsur j      (blank answers excluded)
    w          = 1 / 9   (exactly; many calculators print 0,11 or 0,111, which biases IKM down)
    IKM        = sum_j NRR_j * w                                              (range 1-4)
    IKM konv.  = IKM * 25                                                     (range 25-100)

    mutu / kinerja from the converted score (inclusive lower bounds, on the score rounded to 2 decimals):
        88.31 - 100.00  A  Sangat Baik
        76.61 -  88.30  B  Baik
        65.00 -  76.60  C  Kurang Baik
        25.00 -  64.99  D  Tidak Baik

With survey weights w_i the NRR is the weighted mean over the respondents who answered:
NRR_j = sum_i w_i y_ij / sum_i w_i  (i answered j). Unsur are matched to columns by *name*, never by
position: the regulation's sample questionnaire puts sarana/prasarana as question 8 and pengaduan as 9,
while the regulation's list has them the other way round.

Example
-------
>>> import pandas as pd
>>> from riset.skm.schemes import UNSUR_2017
>>> answers = pd.DataFrame({u.key: [4, 4] for u in UNSUR_2017})
>>> result = ikm(answers, {u.key: u.key for u in UNSUR_2017})
>>> float(result.table["ikm_konversi"].iloc[0]), result.table["mutu"].iloc[0]
(100.0, 'A')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from riset.errors import DataError, show_value
from riset.i18n import Note, check_language, say
from riset.skm.schemes import DEFAULT_SCHEME, LEGACY_WEIGHTS, SCHEMES, Scheme, Unsur, get_scheme, grade, unsur_columns

__all__ = ["EmptyUnsur", "IkmResult", "OUTPUT_COLUMNS", "group_columns", "ikm", "scale_answers"]

EmptyUnsur = Literal["error", "nan", "reweight"]


def scale_answers(data: pd.DataFrame, columns: Sequence[str], scale: tuple[int, int]) -> pd.DataFrame:
    """The answers of `columns` as floats, blank = NaN, after checking every value is a whole number on `scale`.

    >>> scale_answers(pd.DataFrame({"U1": [1, None, 4]}), ["U1"], (1, 4))["U1"].tolist()
    [1.0, nan, 4.0]
    """
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise DataError(f"column(s) {', '.join(repr(c) for c in absent)} not found in the data")
    answers = data[list(columns)].apply(pd.to_numeric, errors="coerce")
    lo, hi = scale
    for col in columns:
        raw, num = data[col], answers[col]
        bad = (raw.notna() & num.isna()) | (num.notna() & ((num < lo) | (num > hi) | (num % 1 != 0)))
        if bad.any():
            row = bad[bad].index[0]
            raise DataError(
                f"column '{col}' has value {show_value(raw.loc[row])} in row {row}; allowed {lo}-{hi} or blank "
                f"({int(bad.sum())} such cell(s); read the file with riset.skm.exports.read_survey to clean them)"
            )
    return answers.astype("float64")


@dataclass
class IkmResult:
    """IKM per group (`table`), NRR per group x unsur (`nrr`) and what was reported about missing data."""

    table: pd.DataFrame
    nrr: pd.DataFrame
    scheme: Scheme
    weight: float
    notes: list[Note] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The IKM table (one row per group)."""
        return self.table.copy()

    def nrr_wide(self, value: str = "nrr") -> pd.DataFrame:
        """NRR (or another column of `nrr`) as groups x unsur, columns in the regulation's order."""
        by = [c for c in self.nrr.columns if c not in _NRR_COLUMNS] or ["semua"]
        wide = self.nrr.assign(semua="Semua").pivot(index=by, columns="unsur", values=value)
        return wide[[k for k in self.scheme.keys if k in wide.columns]]

    def summary(self, lang: str | None = None) -> str:
        """The IKM table under a title naming the scheme and the unsur weight, then the notes."""
        lang = check_language(lang)
        shown = self.table.round({"ikm": 4, "ikm_konversi": 2})
        weight = (f"1/{len(self.scheme.unsur)}" if self.weight == self.scheme.weight
                  else say("legacy_weight", lang, weight=self.weight))
        lines = [say("ikm_title", lang, scheme=self.scheme.title, weight=weight), shown.to_string(index=False)]
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()

    def to_excel(self, path) -> None:
        """Write the IKM table, NRR table and notes as sheets of one XLSX file."""
        with pd.ExcelWriter(path) as writer:
            self.table.to_excel(writer, sheet_name="IKM", index=False)
            self.nrr.to_excel(writer, sheet_name="NRR", index=False)
            pd.DataFrame({"catatan": [n.text() for n in self.notes]}).to_excel(writer, sheet_name="Catatan",
                                                                                index=False)


_NRR_COLUMNS = ("unsur", "kode", "nama", "kolom", "n_jawaban", "n_kosong", "nrr", "bobot", "nrr_tertimbang")


def ikm(
    data: pd.DataFrame,
    unsur: Mapping[str, str],
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    legacy_weight: float | None = None,
    empty_unsur: EmptyUnsur = "error",
) -> IkmResult:
    """Compute NRR per unsur and the IKM (unconverted and x25), mutu and kinerja, by group.

    Parameters
    ----------
    data : one row per respondent; answers on the scheme's scale (1-4), blank = not answered.
    unsur : mapping column -> unsur name (key, full name or alias), e.g. ``{"U8": "sarana"}``.
    by : grouping column(s) (unit layanan, jenis layanan, OPD, periode); None = all respondents.
    weights : optional column of survey weights; NRR becomes the weighted mean over answers given.
    scheme : 'permenpan14_2017' (9 unsur, w = 1/9) or 'kepmenpan25_2004' (14 unsur, w = 1/14).
    legacy_weight : reproduce an old report that used a rounded weight (0.11 or 0.111). Biased:
        with 0.11 a perfect score gives 99.00, not 100.
    empty_unsur : what to do when a group has no answer at all for an unsur:
        'error' (default) raises naming the group and unsur; 'nan' leaves that group's IKM blank;
        'reweight' averages the unsur that have answers (w = 1/k) and says so in `notes`.

    Returns an `IkmResult`: `table` (group, n_responden, n_tanpa_jawaban, ikm, ikm_konversi, mutu,
    kinerja, unsur_kosong), `nrr` (long, one row per group x unsur) and `notes`.
    """
    sch = get_scheme(scheme)
    cols = unsur_columns(unsur, sch)
    by_cols = group_columns(by)
    absent = [c for c in by_cols + ([weights] if weights else []) if c not in data.columns]
    if absent:
        raise DataError(f"column(s) {', '.join(repr(c) for c in absent)} not found in the data")
    if empty_unsur not in ("error", "nan", "reweight"):
        raise DataError(f"empty_unsur must be 'error', 'nan' or 'reweight', not {empty_unsur!r}")
    weight = _weight(sch, legacy_weight)
    if legacy_weight is not None and empty_unsur == "reweight":
        raise DataError("legacy_weight reproduces old reports and cannot be combined with empty_unsur='reweight'")

    answers = scale_answers(data, list(cols), sch.scale)
    w = _survey_weights(data, weights)
    missing_groups = data[by_cols].isna().any(axis=1) if by_cols else pd.Series(False, index=data.index)
    if missing_groups.any():
        row = missing_groups[missing_groups].index[0]
        raise DataError(
            f"grouping column(s) {by_cols} blank in {int(missing_groups.sum())} row(s), first in row {row}; "
            "fill them or drop those rows explicitly"
        )
    keys = data[by_cols] if by_cols else pd.DataFrame({"_all": np.zeros(len(data), dtype=int)}, index=data.index)
    answered = answers.notna()
    groupers = [keys[c] for c in keys]
    weighted_sum = answers.fillna(0).mul(w, axis=0).groupby(groupers, sort=True).sum()
    weight_sum = answered.mul(w, axis=0).groupby(groupers, sort=True).sum()
    n_answers = answered.groupby(groupers, sort=True).sum()
    n_rows = answered.groupby(groupers, sort=True).size()
    n_silent = (~answered.any(axis=1)).groupby(groupers, sort=True).sum()

    nrr_wide = weighted_sum / weight_sum.where(weight_sum > 0)
    nrr_wide.columns = [cols[c].key for c in nrr_wide.columns]
    empty = nrr_wide.isna()
    notes = _missing_notes(answers, cols, n_silent)

    if empty.any(axis=None):
        first_group, first_unsur = next((g, k) for g, row in empty.iterrows() for k in row.index if row[k])
        group_text = _group_text(by_cols, first_group)
        if empty_unsur == "error":
            raise DataError(
                f"{group_text} has no answers for unsur '{sch.get(first_unsur).nama}' "
                f"({int(empty.to_numpy().sum())} empty group x unsur cell(s)); use empty_unsur='nan' to leave "
                "its IKM blank or 'reweight' to average the unsur that were answered"
            )
        for g, row in empty.iterrows():
            gone = ", ".join(sch.get(k).kode for k in row.index[row.to_numpy()])
            if gone:
                code = f"ikm_empty_unsur_{empty_unsur}" + ("" if by_cols else "_all")
                notes.append(Note(code, {"group": _group_text(by_cols, g), "unsur": gone}))

    if empty_unsur == "reweight":
        unit_weights = (~empty).div((~empty).sum(axis=1), axis=0)
        ikm_value = (nrr_wide.fillna(0) * unit_weights).sum(axis=1)
        ikm_value[(~empty).sum(axis=1) == 0] = np.nan
    else:
        unit_weights = pd.DataFrame(weight, index=nrr_wide.index, columns=nrr_wide.columns)
        ikm_value = (nrr_wide * weight).sum(axis=1, min_count=len(cols))

    table = pd.DataFrame(
        {
            "n_responden": n_rows,
            "n_tanpa_jawaban": n_silent,
            "ikm": ikm_value,
            "ikm_konversi": ikm_value * sch.conversion,
        }
    )
    table = pd.concat([table, grade(table["ikm_konversi"], sch).set_index(table.index)], axis=1)
    table["unsur_kosong"] = [", ".join(k for k in row.index if row[k]) for _, row in empty.iterrows()]
    table = _flatten_groups(table, by_cols)

    nrr_long = _nrr_long(nrr_wide, n_answers, n_rows, unit_weights, cols, by_cols)
    return IkmResult(table=table, nrr=nrr_long, scheme=sch, weight=weight, notes=notes)


#: Columns of the IKM and NRR tables; a grouping column may not carry one of these names.
OUTPUT_COLUMNS = ("n_responden", "n_tanpa_jawaban", "ikm", "ikm_konversi", "mutu", "kinerja", "unsur_kosong",
                  *_NRR_COLUMNS, "ikm_se", "se", "ci_low", "ci_high", "df", "p_mutu_beda", "level", "group")


def group_columns(by: str | Sequence[str] | None) -> list[str]:
    """The grouping columns of `by` as a list, checked: each once, none named like an output column.

    >>> group_columns("unit"), group_columns(["unit", "periode"]), group_columns(None)
    (['unit'], ['unit', 'periode'], [])
    """
    cols = [by] if isinstance(by, str) else list(by or [])
    bad = [c for c in cols if not isinstance(c, str)]
    if bad:
        raise DataError(f"grouping column {bad[0]!r} is not a column name")
    twice = [c for c in dict.fromkeys(cols) if cols.count(c) > 1]
    if twice:
        raise DataError(f"grouping column '{twice[0]}' is given twice; give each grouping column once")
    clash = [c for c in cols if c in OUTPUT_COLUMNS]
    if clash:
        raise DataError(f"grouping column '{clash[0]}' has the name of a column of the IKM tables "
                        f"({', '.join(OUTPUT_COLUMNS[:9])}, ...); rename it in the data and codebook "
                        f"(e.g. '{clash[0]}_unit')")
    return cols


def _weight(sch: Scheme, legacy_weight: float | None) -> float:
    if legacy_weight is None:
        return sch.weight
    if sch.key != DEFAULT_SCHEME or legacy_weight not in LEGACY_WEIGHTS:
        raise DataError(
            f"legacy_weight={legacy_weight!r} is not a weight old {SCHEMES[DEFAULT_SCHEME].title} calculators used; "
            f"allowed: {', '.join(map(str, LEGACY_WEIGHTS))}"
        )
    return float(legacy_weight)


def _survey_weights(data: pd.DataFrame, weights: str | None) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=data.index)
    w = pd.to_numeric(data[weights], errors="coerce")
    bad = w.isna() | (w <= 0) | ~np.isfinite(w)
    if bad.any():
        row = bad[bad].index[0]
        raise DataError(
            f"weight column '{weights}' has value {show_value(data.loc[row, weights])} in row {row}; weights must be positive numbers"
        )
    return w.astype("float64")


def _group_text(by_cols: list[str], group) -> str:
    if not by_cols:
        return "all respondents"
    values = group if isinstance(group, tuple) else (group,)
    return ", ".join(f"{c}={v}" for c, v in zip(by_cols, values))


def _missing_notes(answers: pd.DataFrame, cols: dict[str, Unsur], n_silent: pd.Series) -> list[Note]:
    notes = []
    blanks = answers.isna().sum()
    total_blank = int(blanks.sum())
    if total_blank:
        detail = ", ".join(f"{col} ({cols[col].kode}) {int(n)}" for col, n in blanks.items() if n)
        notes.append(Note("ikm_blank_answers", {"n": total_blank, "detail": detail}))
    silent = int(n_silent.sum())
    if silent:
        notes.append(Note("ikm_silent_respondents", {"n": silent}))
    return notes


def _flatten_groups(table: pd.DataFrame, by_cols: list[str]) -> pd.DataFrame:
    if not by_cols:
        return table.reset_index(drop=True)
    return table.rename_axis(by_cols).reset_index()


def _nrr_long(nrr_wide, n_answers, n_rows, unit_weights, cols, by_cols) -> pd.DataFrame:
    frames = []
    for col, u in cols.items():
        part = pd.DataFrame(
            {
                "unsur": u.key,
                "kode": u.kode,
                "nama": u.nama,
                "kolom": col,
                "n_jawaban": n_answers[col],
                "n_kosong": n_rows - n_answers[col],
                "nrr": nrr_wide[u.key],
                "bobot": unit_weights[u.key],
            }
        )
        part["nrr_tertimbang"] = part["nrr"] * part["bobot"]
        frames.append(_flatten_groups(part, by_cols))
    long = pd.concat(frames, ignore_index=True)
    if by_cols:
        long = long.sort_values(by_cols, kind="stable").reset_index(drop=True)
    return long[[*by_cols, *_NRR_COLUMNS]]
