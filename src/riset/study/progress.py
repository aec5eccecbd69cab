"""Perkembangan: the study against time, targets and innovations, from the study file's optional keys.

- a series of periods inside the study (three or more): consecutive changes and the linear trend
  (`riset.skm.trend.period_series`), for the area and per unit;
- `targets`: the area's and each unit's IKM against its target (met / not met / not distinguishable);
- `previous`: last year's published IKM (area and units) against this year's;
- `series`: earlier studies (one study file per year) and this one as one series, units aligned by code
  (renamed codes mapped), consecutive years compared as independent samples;
- `innovations`: a register of service innovations (unit, name, first period); each one's
  difference-in-differences effect on the IKM against comparable units, with a placebo test on the periods
  before it when there are two or more;
- `external`: the agency's yearly external scores (Ombudsman compliance) classified by the rule in force that
  year (the later rule's categories from the study file).

Every table holds codes and numbers; the report phrases them (`riset.present.report.content`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from riset.errors import DataError
from riset.skm.ikm_design import ikm_design, period_fit
from riset.skm.trend import PeriodSeries, check_targets, compare_published, did_coefficients, holm_family
from riset.survey.compare import holm
from riset.study.config import EXTERNAL_ZONES, OMBUDSMAN_ZONES_2021, StudyConfig, StudyError

__all__ = ["DID_CATEGORIES", "Progress", "did_columns", "external_scores", "innovation_effects", "period_order",
           "published_table", "read_innovations", "series_table", "targets_table"]

#: The four domains of a difference in differences, in the order of `riset.skm.trend.did_coefficients`.
DID_CATEGORIES = ("inovasi|sesudah", "inovasi|sebelum", "pembanding|sesudah", "pembanding|sebelum")


@dataclass
class Progress:
    """The study's progress tables (each None when its inputs are missing)."""

    series: PeriodSeries | None = None
    series_units: PeriodSeries | None = None
    targets: pd.DataFrame | None = None
    published: pd.DataFrame | None = None
    study_series: pd.DataFrame | None = None
    innovations: pd.DataFrame | None = None
    innovations_nrr: pd.DataFrame | None = None
    innovations_series: pd.DataFrame | None = None
    external: pd.DataFrame | None = None
    external_zones: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """The area's IKM per period (the series table; empty when the study has one period)."""
        return self.series.to_frame() if self.series is not None else pd.DataFrame()

    def summary(self, lang: str | None = None) -> str:
        """The series in words and every other progress table there is, by key."""
        parts = [self.series.summary(lang)] if self.series is not None else []
        parts += [f"{key}:\n{table.to_string(index=False)}" for key, table in self.tables().items()
                  if not key.startswith("series")]
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        return self.summary()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables that exist, by key (the XLSX writer names the sheets)."""
        found = {"targets": self.targets, "published": self.published, "study_series": self.study_series,
                 "innovations": self.innovations, "innovations_nrr": self.innovations_nrr,
                 "innovations_series": self.innovations_series,
                 "external": self.external, "external_zones": self.external_zones}
        for key, series in (("series", self.series), ("series_units", self.series_units)):
            if series is not None:
                found.update({key: series.table, f"{key}_changes": series.changes, f"{key}_trend": series.trend})
        return {k: v for k, v in found.items() if v is not None}


# ------------------------------------------------------------------------------------------- periods
def period_order(config: StudyConfig, data: pd.DataFrame) -> tuple[list, list[float] | None]:
    """The periods of the data in time order -- the study file's `periods.order`, else text order -- as the
    data writes them, and their times (`periods.times`, None: equally spaced). Every period of the data must be
    in the order and every period of the order in the data (`StudyError` naming the period otherwise)."""
    column = data[config.period].dropna()
    by_text = {str(v): v for v in column.unique()}
    if config.periods is None:
        return [by_text[t] for t in sorted(by_text)], None
    order = config.periods.order
    unlisted = [t for t in sorted(by_text) if t not in order]
    if unlisted:
        n = int((column.astype(str) == unlisted[0]).sum())
        raise StudyError(f"column '{config.period}' has period '{unlisted[0]}' ({n} rows) that key periods.order "
                         f"({', '.join(order)}) does not list; add it in its place in time")
    absent = [t for t in order if t not in by_text]
    if absent:
        raise StudyError(f"key periods.order lists '{absent[0]}', which is not a period of column '{config.period}' "
                         f"(periods there: {', '.join(sorted(by_text))}); remove it or correct its spelling")
    return [by_text[t] for t in order], None if config.periods.times is None else list(config.periods.times)


# ------------------------------------------------------------------------------------------- targets
def targets_table(config: StudyConfig, area_row: pd.Series, units: pd.DataFrame) -> pd.DataFrame | None:
    """The area's and each unit's IKM against its target (`riset.skm.trend.check_targets`): the units' verdicts
    use Holm's adjustment over the units tested (the area is one test on its own); None without targets."""
    t = config.targets
    if t is None:
        return None
    rows = []
    if t.area is not None:
        rows.append(check_targets(area_row.to_frame().T.assign(level="area"), t.area))
    if config.unit and len(units) and (t.units or t.default is not None):
        goals = {code: t.for_unit(code) for code in units[config.unit]}
        rows.append(check_targets(units.assign(level=config.unit),
                                  {k: v for k, v in goals.items() if v is not None}, group=config.unit))
    if not rows:
        return None
    out = pd.concat(rows, ignore_index=True)
    keep = ["level", "group", *[c for c in (config.unit, config.names.get(config.unit or "")) if c in out.columns],
            "n_responden", "ikm_konversi", "se", "ci_low", "ci_high", "df", "target", "p_value", "p_holm", "status", "p_target"]
    return out[[c for c in dict.fromkeys(keep) if c in out.columns]]


# ------------------------------------------------------------------------------------------- published
def published_table(config: StudyConfig, area_row: pd.Series, units: pd.DataFrame) -> pd.DataFrame | None:
    """This year's IKM against last year's published figures (area and units); None without `previous`."""
    prev = config.previous
    if prev is None:
        return None
    rows = []
    if prev.ikm is not None:
        rows.append(_published_row("area", area_row["group"], area_row, prev.ikm, prev.se, prev.ci, prev.n))
    if prev.units is not None:
        table = _read_table(prev.units, "previous.units")
        if config.unit is None or "unit" not in table.columns or "ikm" not in table.columns:
            raise StudyError(f"'{prev.units.name}' (previous.units) needs the columns unit and ikm (and se, or "
                             "ci_low and ci_high, or n)")
        current = units.set_index(units[config.unit].astype(str))
        for _, r in table.iterrows():
            code = str(r["unit"])
            if code not in current.index:
                continue
            ci = (float(r["ci_low"]), float(r["ci_high"])) if {"ci_low", "ci_high"} <= set(r.index) and pd.notna(
                r["ci_low"]) else None
            rows.append(_published_row(config.unit, code, current.loc[code], float(r["ikm"]),
                                       _opt(r, "se"), ci, None if _opt(r, "n") is None else int(r["n"])))
    if not rows:
        return None
    out = pd.DataFrame(rows)
    out.insert(0, "label", prev.label)
    return out


def _published_row(level, group, row, published, se0, ci0, n0) -> dict:
    result = compare_published(float(row["ikm_konversi"]), float(row["se"]), float(row["df"]), published,
                               published_se=se0, published_ci=ci0, published_n=n0, n=int(row["n_responden"]))
    return {"level": level, "group": group, "ikm_konversi": result.estimate, "ikm_terbit": published,
            "selisih": result.diff, "se": result.se, "ci_low": result.ci_low, "ci_high": result.ci_high,
            "p_value": result.p_value, "jenis_uji": result.kind, "perubahan": result.verdict}


def _opt(row: pd.Series, key: str):
    return float(row[key]) if key in row.index and pd.notna(row[key]) else None


def _read_table(path: Path, key: str) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path)
        return pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
    except (ValueError, OSError) as exc:
        raise StudyError(f"cannot read '{path.name}' ({key}): {' '.join(str(exc).split())}") from None


# ------------------------------------------------------------------------------------------- study series
def series_table(config: StudyConfig, area_row: pd.Series, units: pd.DataFrame, estimate) -> pd.DataFrame | None:
    """Earlier studies and this one as one series: IKM with SE/CI per study for the area and each unit (codes
    renamed old -> new), and the change from the previous study as independent samples:
    D = x_t - x_{t-1}, SE = sqrt(s_t^2 + s_{t-1}^2), t on min(df_t, df_{t-1}) (conservative), Holm over the
    units of each step. `estimate(config) -> (area_row, units)` runs an earlier study's IKM."""
    spec = config.series
    if spec is None:
        return None
    from riset.study.config import load_study

    frames = []
    labels = list(spec.labels) or [None] * len(spec.studies)
    for path, label in zip(spec.studies, labels):
        earlier = load_study(path)
        e_area, e_units = estimate(earlier)
        frames.append(_series_rows(label or earlier.title, earlier, e_area, e_units, spec.rename))
    frames.append(_series_rows(config.title, config, area_row, units, {}))
    table = pd.concat(frames, ignore_index=True)
    order = {label: i for i, label in enumerate(dict.fromkeys(table["studi"]))}
    table["urutan"] = table["studi"].map(order)
    table = table.sort_values(["level", "kode", "urutan"], kind="stable").reset_index(drop=True)
    previous = table.groupby(["level", "kode"])[["ikm_konversi", "se", "df"]].shift(1)
    table["selisih"] = table["ikm_konversi"] - previous["ikm_konversi"]
    table["se_selisih"] = np.sqrt(table["se"] ** 2 + previous["se"] ** 2)
    df = np.minimum(table["df"], previous["df"])
    with np.errstate(divide="ignore", invalid="ignore"):
        table["p_value"] = 2 * stats.t.sf(np.abs(table["selisih"] / table["se_selisih"]), df)
    table["p_holm"] = np.nan
    for _, part in table.groupby(["level", "urutan"]):
        table.loc[part.index, "p_holm"] = holm(part["p_value"].to_numpy())
    table["perubahan"] = np.where(table["p_holm"].isna(), "",
                                  np.where(table["p_holm"] >= 0.05, "tidak_berubah",
                                           np.where(table["selisih"] > 0, "naik", "turun")))
    return table.sort_values(["level", "kode", "urutan"], kind="stable").reset_index(drop=True)


def _series_rows(label: str, config: StudyConfig, area_row: pd.Series, units: pd.DataFrame,
                 rename: Mapping[str, str]) -> pd.DataFrame:
    columns = ["n_responden", "ikm_konversi", "se", "ci_low", "ci_high", "df", "mutu"]
    area = area_row[columns].to_frame().T.assign(level="area", kode="area", nama=config.area.name)
    parts = [area]
    if config.unit and len(units):
        name = config.names.get(config.unit)
        u = units[columns].assign(level="unit", kode=units[config.unit].astype(str).map(lambda c: rename.get(c, c)),
                                  nama=units[name] if name in units.columns else units[config.unit].astype(str))
        parts.append(u)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "studi", label)
    return out.astype({c: float for c in columns if c != "mutu"})


# ------------------------------------------------------------------------------------------- innovations
def read_innovations(config: StudyConfig, data: pd.DataFrame, order: list) -> pd.DataFrame | None:
    """The innovation register (columns unit, nama, mulai = the first period with the innovation, optional
    pembanding = the comparison units' codes separated by ';'), checked against the data: units known, a period
    before and after the start (periods in time `order`, `period_order`), comparison units that do not
    innovate."""
    if config.innovations is None:
        return None
    if not config.period or not config.unit:
        raise StudyError("key 'innovations' needs the study's 'unit' and 'period' columns (before / after)")
    table = _read_table(config.innovations, "innovations")
    absent = [c for c in ("unit", "nama", "mulai") if c not in table.columns]
    if absent:
        raise StudyError(f"'{config.innovations.name}' (innovations) has no column '{absent[0]}'; it needs unit, "
                         "nama and mulai (the first period with the innovation), optionally pembanding")
    periods = [str(p) for p in order]
    units = set(data[config.unit].astype(str))
    innovating = set(table["unit"].astype(str))
    given = table["pembanding"] if "pembanding" in table.columns else pd.Series("", index=table.index)
    given = given.fillna("").astype(str).map(lambda text: ";".join(c.strip() for c in text.split(";") if c.strip()))
    for i, r in table.iterrows():
        if str(r["unit"]) not in units:
            raise StudyError(f"'{config.innovations.name}' row {i + 2}: unit '{r['unit']}' is not in the data")
        if str(r["mulai"]) not in periods[1:]:
            raise StudyError(f"'{config.innovations.name}' row {i + 2}: mulai '{r['mulai']}' must be a period of "
                             f"the data after the first ({', '.join(periods[1:])})")
        for code in filter(None, given[i].split(";")):
            if code not in units or code in innovating:
                why = "is not in the data" if code not in units else "has an innovation itself"
                raise StudyError(f"'{config.innovations.name}' row {i + 2}: comparison unit '{code}' (column "
                                 f"pembanding) {why}; name units without an innovation, separated by ';'")
    return table.assign(unit=table["unit"].astype(str), mulai=table["mulai"].astype(str), pembanding=given)


def did_columns(config: StudyConfig, data: pd.DataFrame, register: pd.DataFrame, order: list) -> dict[str, pd.Series]:
    """Per innovation, a column of the data with its DiD domain ('inovasi|sebelum', ...; blank outside both
    groups), one with the group alone ('inovasi' / 'pembanding', for the groups' IKM per period) and, with two
    or more periods before the start, a placebo column on the pre-periods (the last pre-period as a pretend
    start). Comparison units: those the register names (column pembanding), else the others of the same
    service type (the study's `service_type` column) when it is given, else every unit without an innovation."""
    out = {}
    position = {str(p): t for t, p in enumerate(order)}  # time order (`period_order`), not text order
    period = data[config.period].astype(str).map(position)
    unit = data[config.unit].astype(str)
    innovating = set(register["unit"])
    for i, (name, part) in enumerate(register.groupby(["nama", "mulai"], sort=False), start=1):
        treated = set(part["unit"])
        named = {code for text in part["pembanding"] for code in text.split(";") if code}
        compare = unit.isin(named) if named else ~unit.isin(innovating)
        if config.service_type and not named:
            kinds = set(data.loc[unit.isin(treated), config.service_type].astype(str))
            compare &= data[config.service_type].astype(str).isin(kinds)
        group = pd.Series(np.select([unit.isin(treated), compare], ["inovasi", "pembanding"], ""), index=data.index)
        start = position[name[1]]
        phase = pd.Series(np.where(period >= start, "sesudah", "sebelum"), index=data.index)
        _check_did_cells(config, name, treated, group, phase)
        inside = (group != "") & period.notna()  # a blank period is in neither phase
        out[f"_did_{i}"] = (group + "|" + phase).where(inside)
        out[f"_did_{i}_kelompok"] = group.where(inside)
        if start >= 2:  # two or more periods before the start: the last of them as a pretend start
            pretend = pd.Series(np.where(period == start - 1, "sesudah", "sebelum"), index=data.index)
            out[f"_did_{i}_placebo"] = (group + "|" + pretend).where(inside & (period <= start - 1))
    return out


def _check_did_cells(config: StudyConfig, name: tuple, treated: set, group: pd.Series, phase: pd.Series) -> None:
    """A DiD needs respondents in all four cells; say which one is empty (no comparable unit is the usual case)."""
    present = set(zip(group[group != ""], phase[group != ""]))
    if not any(g == "pembanding" for g, _ in present):
        kind = (f" of the service type ('{config.service_type}') of {', '.join(sorted(treated))}"
                if config.service_type else "")
        raise StudyError(f"'{config.innovations.name}': innovation '{name[0]}' has no comparison unit (no unit{kind} "
                         "without an innovation); a difference in differences needs one: name comparable units in "
                         "the register's column pembanding (unit codes separated by ';', e.g. 'PKM2;PKM3')")
    empty = [f"{g} {p}" for g in ("inovasi", "pembanding") for p in ("sebelum", "sesudah") if (g, p) not in present]
    if empty:
        raise StudyError(f"'{config.innovations.name}': innovation '{name[0]}' (mulai {name[1]}) has no respondents "
                         f"in '{empty[0]}'; a difference in differences needs the innovating and the comparison "
                         "units both before and after the start")


def innovation_effects(config: StudyConfig, design, unsur, register: pd.DataFrame, order: list, scheme,
                       level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The DiD effect of each innovation on the converted IKM and on the NRR of each unsur:
    (innovating after - before) - (comparison after - before) as one contrast of four domains of the final
    design (shared PSUs and the calibration in its SE; R svycontrast on svyby(covmat=TRUE)), t on the design
    df; a placebo DiD of the IKM on the pre-periods where there are two or more. The NRR effects of one
    innovation are one family: Holm-adjusted over its unsur (`p_holm`), verdicts from the adjusted p.

    Returns (IKM: one row per innovation; NRR: one row per innovation x unsur; the IKM of the innovating and
    the comparison units in each period (time `order`), with CIs: one row per innovation x group x period)."""
    rows, nrr, series = [], [], []
    for i, (key, part) in enumerate(register.groupby(["nama", "mulai"], sort=False), start=1):
        effect, per_unsur = _did(design, unsur, f"_did_{i}", scheme, level)
        placebo = (_did(design, unsur, f"_did_{i}_placebo", scheme, level)[0]
                   if f"_did_{i}_placebo" in design.data.columns else {})
        head = {"nama": key[0], "mulai": key[1], "unit": ", ".join(sorted(part["unit"]))}
        rows.append({**head, **effect, **{f"placebo_{k}": v for k, v in placebo.items()
                                          if k in ("did", "se", "ci_low", "ci_high", "df", "p_value")}})
        nrr.append(per_unsur.assign(**head)[[*head, *per_unsur.columns]])
        column = f"_did_{i}_kelompok"
        inside = design.subset(design.data[column].notna().to_numpy())
        groups = ikm_design(inside, unsur, by=[column, config.period], scheme=scheme, level=level,
                            empty_unsur="reweight").table.rename(columns={column: "kelompok"})
        groups = groups[["kelompok", config.period, "n_responden", "ikm_konversi", "se", "ci_low", "ci_high", "df"]]
        groups = groups.sort_values(["kelompok", config.period], key=lambda c: c.map(
            {p: t for t, p in enumerate(order)}) if c.name == config.period else c, kind="stable")
        series.append(groups.assign(**head)[[*head, *groups.columns]])
    return pd.DataFrame(rows), pd.concat(nrr, ignore_index=True), pd.concat(series, ignore_index=True)


def _did(design, unsur, column: str, scheme, level: float) -> tuple[dict, pd.DataFrame]:
    """The DiD of the IKM konversi (a row) and of each unsur's NRR (a table, Holm over the unsur)."""
    fit = period_fit(design, unsur, column, None, periods=list(DID_CATEGORIES), scheme=scheme, empty_unsur="reweight")
    contrast = fit.contrast(did_coefficients(DID_CATEGORIES))
    k = fit.model.k
    frame = contrast.frame([k + 1], level, None).iloc[0]
    n = np.bincount(fit.model.domain[fit.model.domain >= 0], minlength=len(fit.model.labels))
    counts = {cat: int(n[fit.idx[0, j]]) if fit.idx[0, j] >= 0 else 0 for j, cat in enumerate(DID_CATEGORIES)}
    per_unsur = holm_family(contrast.frame(list(range(k)), level, None), level).rename(columns={"selisih": "did"})
    per_unsur.insert(0, "unsur", list(fit.scheme.keys))
    return ({"did": frame["selisih"], "se": frame["se"], "ci_low": frame["ci_low"], "ci_high": frame["ci_high"],
             "df": frame["df"], "p_value": frame["p_value"], "perubahan": frame["perubahan"],
             "n_inovasi": counts["inovasi|sebelum"] + counts["inovasi|sesudah"],
             "n_pembanding": counts["pembanding|sebelum"] + counts["pembanding|sesudah"]},
            per_unsur.drop(columns="t"))


# ------------------------------------------------------------------------------------------- external
def external_scores(config: StudyConfig) -> tuple[pd.DataFrame, pd.DataFrame] | tuple[None, None]:
    """The agency's yearly external scores (columns tahun, nilai, optional kategori, sumber) with their zone by the
    rule in force that year (`riset.study.config.ExternalSpec`): before `since` the Ombudsman zones (hijau >= 81,
    kuning 51-80.99, merah <= 50.99); from `since` on the study file's categories (a value is classified by
    their lowest values; an entered category without a value gives its zone; an entered category the value
    contradicts is refused), or without them the entered category (a zone only when it is one). Values are
    entered by the team; riset classifies them, it never computes them.

    Returns (the scores with kategori and zona; the zones of each year's rule: tahun, kategori, bawah, atas,
    zona -- the chart's background), or (None, None) without `external`."""
    spec = config.external
    if spec is None:
        return None, None
    name = spec.path.name
    table = _read_table(spec.path, "external")
    absent = [c for c in ("tahun", "nilai") if c not in table.columns]
    if absent:
        raise StudyError(f"'{name}' (external) has no column '{absent[0]}'; it needs tahun and nilai")
    _check_numbers(table, "nilai", name)
    _check_numbers(table, "tahun", name)
    table = table.assign(tahun=table["tahun"].astype(int)).sort_values("tahun", kind="stable").reset_index(drop=True)
    entered = (table["kategori"] if "kategori" in table.columns else pd.Series("", index=table.index))
    entered = entered.fillna("").astype(str).str.strip()
    categories, zones = [], []
    for i, r in table.iterrows():
        rule = _external_rule(spec, int(r["tahun"]))
        by_name = {c.upper(): (c, zone) for c, _, zone in rule}
        given = by_name.get(entered[i].upper())
        if pd.notna(r["nilai"]) and rule:
            category, zone = next((c, zone) for c, lower, zone in rule if float(r["nilai"]) >= lower)
            if entered[i] and given is not None and given[0] != category:
                raise DataError(f"'{name}' year {int(r['tahun'])}: value {r['nilai']:g} is category '{category}' by "
                                f"the rule of that year, but kategori says '{entered[i]}'; correct one of them")
        elif given is not None:
            category, zone = given
        else:
            category, zone = entered[i], entered[i].lower() if entered[i].lower() in EXTERNAL_ZONES else None
        categories.append(category or None)
        zones.append(zone)
    table["kategori"], table["zona"] = categories, zones
    if "sumber" not in table.columns:
        table["sumber"] = "Ombudsman RI"
    bands = [{"tahun": int(year), "kategori": c, "bawah": lower, "atas": upper, "zona": zone}
             for year in dict.fromkeys(table["tahun"]) for rule in [_external_rule(spec, int(year))]
             for (c, lower, zone), upper in zip(rule, _uppers(rule))]
    return table, pd.DataFrame(bands, columns=["tahun", "kategori", "bawah", "atas", "zona"])


def _external_rule(spec, year: int) -> tuple[tuple[str, float, str], ...]:
    """(category, lowest value, zone) of the rule in force in `year`, highest first (empty: none configured)."""
    if year < spec.since:
        return tuple((zone, lower, zone) for lower, zone in OMBUDSMAN_ZONES_2021)
    return spec.categories


def _uppers(rule) -> list[float]:
    return [100.0] + [lower for _, lower, _ in rule[:-1]]


def _check_numbers(table: pd.DataFrame, column: str, name: str) -> None:
    bad = pd.to_numeric(table[column], errors="coerce").isna() & table[column].notna()
    if bad.any():
        raise DataError(f"'{name}' column '{column}' has value {table.loc[bad.idxmax(), column]!r}; a number is needed")
