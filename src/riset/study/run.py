"""One study from its study file to `StudyResults`: read -> check -> design -> weights -> IKM with CI at every
level -> change between periods -> drivers -> IPA -> recommendations. The report, the CLI, the notebooks and
the dashboard all read the one `StudyResults` (nothing is computed twice).

Steps (each delegated to the module that owns it; `riset.study.plan` decides which run):

1. `riset.skm.exports.read_survey` reads the export(s) with the codebook; every blanked or converted cell is
   kept in `StudyResults.survey.issues` (never dropped silently).
2. `riset.survey.design.SurveyDesign` describes the sampling design of the study file (`design:`), e.g. strata
   = unit x periode, PSU = sampled service day with its FPC, SSU = respondent with its FPC (Lumley 2010,
   ch. 3), or a simple random sample.
3. Weights (`weighting:`): equal, the design's, or the design's adjusted to population margins by
   `riset.survey.weighting.weight_to_population` (post-stratification, raking or calibration; Deville &
   Sarndal 1992); the variance carries the adjustment, as R `calibrate()` does.
4. IKM and NRR for the whole area and every reporting level (`levels:`) with design-based SE and CI
   (`riset.skm.ikm_design`), the scheme's exact weight (1/9 in PermenPAN-RB 14/2017), mutu with the
   probability of a different grade.
5. With a period column: the change from the first to the last period (`compare_periods`, design t test).
6. With an overall-satisfaction item: key drivers (`riset.skm.drivers`, LMG/Shapley share of R^2 with
   design bootstrap CIs; `riset.study.key_drivers`: with many blank complaint answers the headline keeps those
   respondents with the blanks multiply imputed, and the listwise analysis and the one without the complaint
   unsur are set beside it) and an out-of-sample check of the listwise ranking. IPA (`riset.skm.ipa`) with
   stated importance, or with the headline drivers' derived importance; CSI with stated importance. Ranked
   recommendations.

Example
-------
>>> from riset.study import run_study                       # doctest: +SKIP
>>> res = run_study("data/raw/studi.yaml")                  # doctest: +SKIP
>>> res.area_row()[["ikm_konversi", "ci_low", "ci_high", "mutu"]]   # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from riset.errors import DataError, RisetError, WeightingError
from riset.i18n import Note, check_language, fmt_ci, fmt_num, say
from riset.skm.drivers import DriverImportance, OutOfSampleCheck, out_of_sample_check
from riset.skm.drivers_mi import RankingSensitivity
from riset.skm.exports import SurveyData, read_codebook, read_survey
from riset.skm.ikm_design import compare_periods, ikm_design
from riset.survey.compare import compare_means, holm, rank_intervals
from riset.textsafe import mask_personal
from riset.skm.instrument import InstrumentResult, check_instrument
from riset.skm.ipa import CsiResult, IpaResult, csi, derived_importance, ipa, servqual_gap
from riset.skm.opentext import OpenText, load_lexicon, open_text
from riset.skm.recommend import Recommendations, load_catalogue, recommend
from riset.skm.schemes import Scheme, get_scheme
from riset.skm.trend import period_series
from riset.study.config import StudyConfig, StudyError, load_study
from riset.study.key_drivers import DriverAnalyses, driver_analyses
from riset.study.online import OnlineAnswers, compare_online, pooled_design, weight_online
from riset.study.plan import Step, StudyPlan
from riset.study.progress import (Progress, did_columns, external_scores, innovation_effects, period_order,
                                  published_table, read_innovations, series_table, targets_table)
from riset.survey.design import SurveyDesign
from riset.survey.diagnostics import margin_shares, weight_summary
from riset.survey.margins import margin_from_table
from riset.survey.replicate import ReplicateDesign, as_replicate
from riset.survey.weighting import WeightingRun, weight_to_population

__all__ = ["AREA", "SAMPLE_KIND", "StudyResults", "StudyView", "check_study", "plan_study", "population_table", "profile",
           "read_study_survey", "run_study", "view", "weighting_recipe"]

#: Level key of the whole area (every respondent); its group is the area's name.
AREA = "area"
#: Column marking each respondent's kind of sample ('probability' or 'online') when a study has online answers.
SAMPLE_KIND = "jenis_sampel"
_EQUAL = "_bobot_sama"
_FINAL = "_bobot_akhir"


@dataclass
class StudyResults:
    """Everything a seminar needs from one study; tidy tables plus the objects they came from.

    Tables (pandas, one row per ...):
    - `ikm`: group at each level (`level` = 'area' for the whole area, then the study's levels, e.g. 'unit',
      'unit_periode') with n_responden, ikm, ikm_konversi, se, ci_low, ci_high (converted scale, 95%), mutu,
      kinerja, p_mutu_beda, and display names;
    - `nrr`: level x group x unsur with nrr, se, ci_low, ci_high (1-4 scale);
    - `profile`: variabel, kategori, n, persen (unweighted respondent profile), None without demographics;
    - `weights`: one row per respondent (design and final weight); `weight_table`: Kish deff, n_eff, range;
      `margins`: population vs sample shares (%) of every weighting variable (unweighted, design, final),
      None without adjustment;
    - `period_change`: change in converted IKM from the first to the last period for the area and per unit,
      None with fewer than two periods;
    - `recommendations`: ranked unit x unsur improvements (`riset.skm.recommend`).
    Objects: `config` (the study file), `plan` (what ran, what was skipped and why), `survey` (the data read),
    `designs` ('none' equal weights, 'design', and 'final' when weights were adjusted; `design` is the one
    the tables use), `key_drivers` (`riset.study.key_drivers.DriverAnalyses`; `drivers` is its headline),
    `drivers_check`, `ipa_result`, `csi_result`, `instrument`, and `online` (`riset.study.online.OnlineAnswers`:
    the online answers' weighting, IKM and comparison with the probability sample; None without online answers).
    """

    config: StudyConfig
    plan: StudyPlan
    scheme: Scheme
    survey: SurveyData
    unsur_map: dict[str, str]
    importance_map: dict[str, str]
    overall: str | None
    designs: dict[str, SurveyDesign]
    weighting: str
    weighting_run: WeightingRun | None
    ikm: pd.DataFrame
    nrr: pd.DataFrame
    profile: pd.DataFrame | None
    weights: pd.DataFrame
    weight_table: pd.DataFrame
    margins: pd.DataFrame | None
    instrument: InstrumentResult | None
    key_drivers: DriverAnalyses | None
    drivers_check: OutOfSampleCheck | None
    ipa_result: IpaResult | None
    csi_result: CsiResult | None
    recommend_result: dict[str, Recommendations]
    period_change: pd.DataFrame | None = None
    open_text_result: OpenText | None = None
    subgroups: pd.DataFrame | None = None
    servqual: pd.DataFrame | None = None
    progress: Progress = field(default_factory=Progress)
    notes: list = field(default_factory=list)
    online: OnlineAnswers | None = None

    # ------------------------------------------------------------------ convenient views
    @property
    def title(self) -> str:
        return self.config.title

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def design(self) -> SurveyDesign:
        """The design with the final weights (adjusted, design or equal, per the study's weighting)."""
        return self.designs[self.weighting]

    @property
    def design_base(self) -> SurveyDesign:
        """The design with the design weights (before any adjustment)."""
        return self.designs["design"]

    @property
    def unit(self) -> str | None:
        """The service-unit column (league table, recommendations, publication sheets)."""
        return self.config.unit

    def levels(self) -> list[str]:
        """The IKM levels of this study: 'area', then those of the study file."""
        return list(dict.fromkeys(self.ikm["level"]))

    def level_columns(self, name: str) -> tuple[str, ...]:
        """The data columns of a level ('unit_periode' -> ('unit', 'periode'); 'area' -> ())."""
        columns = {self.config.level_name(lv): lv for lv in self.config.levels}
        if name != AREA and name not in columns:
            raise RisetError(f"level {name!r} is not an IKM level of this study; levels: {', '.join(self.levels())}")
        return columns.get(name, ())

    def level(self, name: str) -> pd.DataFrame:
        """IKM rows of one level ('area', 'unit', 'unit_periode', ...)."""
        if name not in self.levels():
            raise RisetError(f"level {name!r} is not an IKM level of this study; levels: {', '.join(self.levels())}")
        return self.ikm[self.ikm["level"] == name].reset_index(drop=True)

    def area_row(self) -> pd.Series:
        """The IKM row of the whole area (all respondents, all periods)."""
        return self.level(AREA).iloc[0]

    def units(self) -> pd.DataFrame:
        """IKM rows of the service units (the `unit` level), empty when the study has no unit column."""
        return self.level(self.unit) if self.unit and self.unit in self.levels() else self.ikm.iloc[0:0]

    def nrr_of(self, level: str = AREA, group: str | None = None) -> pd.DataFrame:
        """NRR per unsur of one group of a level (the whole area when `group` is None)."""
        part = self.nrr[self.nrr["level"] == level]
        if group is not None:
            part = part[part["group"] == group]
        if part.empty:
            raise RisetError(f"no NRR rows for level {level!r}, group {group!r}")
        return part.reset_index(drop=True)

    def unit_name(self, code) -> str:
        """Display name of a unit code (its name column, else the code)."""
        units = self.units()
        name_col = self.config.names.get(self.unit or "")
        if name_col and name_col in units.columns:
            match = units.loc[units[self.unit].astype(str) == str(code), name_col]
            if len(match) and isinstance(match.iloc[0], str):
                return match.iloc[0]
        return str(code)

    @property
    def ipa(self) -> pd.DataFrame | None:
        """IPA table (unsur, kode, nama, kinerja, kepentingan, tingkat_kesesuaian, kuadran, kuadran_label)."""
        return None if self.ipa_result is None else self.ipa_result.table

    @property
    def recommendations(self) -> pd.DataFrame:
        """Ranked recommendations (Indonesian text)."""
        return self.recommend_result["id"].table

    def recommendations_in(self, lang: str | None = None) -> Recommendations:
        """The `riset.skm.recommend.Recommendations` with text in `lang`."""
        return self.recommend_result[check_language(lang)]

    @property
    def n(self) -> int:
        """Number of respondents behind the estimates: every row read, except that with online answers kept apart
        (`online.combine: separate`) only the probability sample's rows (the online answers are shown beside the
        estimates, in `online`, not in them)."""
        return len(self.weights)

    @property
    def drivers(self) -> DriverImportance | None:
        """The headline driver analysis (`riset.study.key_drivers`): blank unsur answers imputed when listwise
        deletion would leave out many respondents, else listwise; None without an overall item."""
        return None if self.key_drivers is None else self.key_drivers.headline

    def drivers_table(self) -> pd.DataFrame | None:
        """The headline's importance per unsur as shares of R^2 with CIs, best first
        (`riset.skm.drivers.DriverImportance.share_table`)."""
        return None if self.drivers is None else self.drivers.share_table("lmg")

    def drivers_sensitivity(self) -> RankingSensitivity | None:
        """The headline driver ranking beside the other treatments of blank answers
        (`riset.study.key_drivers.DriverAnalyses.sensitivity`); None when there is none."""
        return None if self.key_drivers is None else self.key_drivers.sensitivity()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the study by key (the XLSX writer names the sheets)."""
        sheets = {"ikm": self.ikm, "nrr": self.nrr}
        optional = {"ipa": self.ipa, "csi": None if self.csi_result is None else self.csi_result.index,
                    "csi_unsur": None if self.csi_result is None else self.csi_result.table,
                    "drivers": None if self.drivers is None else self._drivers_frame(),
                    "drivers_sensitivity": None if self.drivers_sensitivity() is None
                    else self.drivers_sensitivity().table,
                    "recommendations": self.recommendations, "profile": self.profile,
                    "weights": self.weight_table,
                    "margins": None if self.weighting_run is None else self.weighting_run.diagnostics.margins,
                    "period_change": self.period_change, "open_text": self.open_text(),
                    "online_ikm": None if self.online is None else self.online.ikm,
                    "online_comparison": None if self.online is None else self.online.comparison,
                    "online_weights": None if self.online is None else self.online.weighting.weight_table,
                    "data_issues": self.survey.issues}
        sheets.update({k: v for k, v in optional.items() if v is not None})
        return sheets

    def _drivers_frame(self) -> pd.DataFrame:
        """The driver model's table (`to_frame`: SE, df, variances, ...) best first, in the ranking of
        `drivers_table` that the report and the sensitivity table show."""
        rank = {u: i for i, u in enumerate(self.drivers_table()["unsur"])}
        return self.drivers.to_frame().sort_values("unsur", key=lambda s: s.map(rank), kind="stable").reset_index(
            drop=True)

    def open_text(self) -> pd.DataFrame | None:
        """What respondents wrote in the free-text columns (codebook role 'text'): id, unit, column, text with
        personal data masked (`riset.textsafe.mask_personal`); None without such columns or answers."""
        cb, data = self.survey.codebook, self.survey.data
        columns = [c for c in cb.columns("text") if c in data.columns]
        keep = [cb.id, *([self.unit] if self.unit in data.columns else [])]
        parts = [data.loc[data[c].notna(), keep].assign(kolom=c, jawaban=data.loc[data[c].notna(), c].map(mask_personal))
                 for c in columns]
        table = pd.concat(parts, ignore_index=True) if parts else None
        return table if table is not None and len(table) else None

    def note_texts(self, lang: str | None = None) -> list[str]:
        """Every note of the study (data, weighting, estimation) in `lang`."""
        return [n.text(lang) if isinstance(n, Note) else str(n) for n in self.notes]

    def to_frame(self) -> pd.DataFrame:
        """The IKM of every level of the study (area, units, ...) with CIs: the table `ikm`."""
        return self.ikm.copy()

    def summary(self, lang: str | None = None) -> str:
        """The study in a few lines: title, the area's IKM with CI, the units, what was skipped."""
        lang = check_language(lang)
        row = self.area_row()
        lines = [self.title, say("summary_area", lang, level=say(f"area_{self.config.area.level}", lang),
                                 name=self.config.area.name, ikm=fmt_num(row["ikm_konversi"], 2, lang),
                                 ci=fmt_ci(row["ci_low"], row["ci_high"], 2, lang), mutu=row["mutu"],
                                 n=int(row["n_responden"]))]
        units = self.units()
        if len(units) > 1:
            cols = [c for c in (self.unit, self.config.names.get(self.unit)) if c in units.columns]
            shown = units[[*cols, "n_responden", "ikm_konversi", "ci_low", "ci_high", "mutu"]]
            lines.append(shown.round(2).to_string(index=False))
        lines += [s.text(lang) for s in self.plan.skipped()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


# ---------------------------------------------------------------------------------------------- reading
def read_study_survey(config: StudyConfig) -> SurveyData:
    """The study's answers: every export file of `config.data` read with the codebook and appended.

    With several files the respondent ids must stay unique across them (an id found in two files is an
    error naming both), unless the study file says ``data_merge: by_id``: then the files are successive
    downloads (weekly Kobo exports) merged by id, a later file's row replacing an earlier one, and the data
    report says how many respondents were new, changed, unchanged, and missing from the latest file (kept).
    The column `sumber_data` records each row's file.
    """
    codebook = read_codebook(config.codebook)
    parts = [read_survey(d.path, codebook, sheet=d.sheet) for d in config.data]
    if any(d.source == "online" for d in config.data):  # each row's kind of sample, for the online marks
        for source, part in zip(config.data, parts):
            part.data[SAMPLE_KIND] = source.source
    if len(parts) == 1:
        return parts[0]
    if codebook.row_ids:  # ids made from row numbers repeat across files: the file's name makes them unique
        for source, part in zip(config.data, parts):
            part.data[codebook.id] = [f"{source.path.stem}:{r}" for r in part.data[codebook.id]]
    notes = list(dict.fromkeys(n for p in parts for n in p.notes))
    frames = [p.data.assign(sumber_data=s.path.name) for s, p in zip(config.data, parts)]
    if config.data_merge == "by_id":
        data, note = _merge_by_id(frames, codebook.id, [s.path.name for s in config.data])
        notes.append(note)
    else:
        seen: dict = {}
        for source, part in zip(config.data, parts):
            for rid in part.data[codebook.id]:
                if rid in seen:
                    raise DataError(f"respondent id {rid!r} is in both '{seen[rid]}' and '{source.path.name}'; "
                                    "ids must be unique across the study's export files (or, for successive "
                                    "downloads of one form, set data_merge: by_id in the study file)")
                seen[rid] = source.path.name
        data = pd.concat(frames, ignore_index=True)
    issues = pd.concat([p.issues for p in parts], ignore_index=True)
    return SurveyData(data=data, codebook=codebook, issues=issues, source=", ".join(d.path.name for d in config.data),
                      notes=tuple(notes))


def _merge_by_id(frames: list[pd.DataFrame], id_column: str, names: list[str]) -> tuple[pd.DataFrame, Note]:
    """Successive downloads merged by respondent id: a later row replaces an earlier one; nothing is dropped.
    Returns the data and a note on what the last file added, changed and left out."""
    merged = frames[0]
    for frame in frames[1:]:
        merged = pd.concat([merged[~merged[id_column].isin(frame[id_column])], frame], ignore_index=True)
    before = pd.concat(frames[:-1], ignore_index=True).drop_duplicates(id_column, keep="last").set_index(id_column)
    last = frames[-1].set_index(id_column)
    answers = [c for c in last.columns if c != "sumber_data"]
    common = last.index.intersection(before.index)
    old, new = before.loc[common, answers], last.loc[common, answers]
    changed = int((~((old == new) | (old.isna() & new.isna()))).any(axis=1).sum())
    added = int((~last.index.isin(before.index)).sum())
    missing = int((~before.index.isin(last.index)).sum())
    return merged, Note("read_merged_by_id", {"files": ", ".join(names), "added": added, "changed": changed,
                                              "same": len(common) - changed, "missing": missing})


# ---------------------------------------------------------------------------------------------- the plan
def _overall(config: StudyConfig, survey: SurveyData) -> str | None:
    if config.overall is False:
        return None
    if isinstance(config.overall, str):
        _need(survey, [config.overall], "overall")
        return config.overall
    found = survey.codebook.columns("overall")
    return found[0] if found else None


def _importance(config: StudyConfig, survey: SurveyData) -> dict[str, str]:
    if config.importance is False:
        return {}
    stated = survey.codebook.unsur_map("importance")
    if config.importance:
        _need(survey, list(config.importance), "importance")
        unmapped = [c for c in config.importance if c not in stated]
        if unmapped:
            raise StudyError(f"importance column '{unmapped[0]}' has no unsur in the codebook; give it "
                             "role: importance and unsur: <name> there")
        return {c: stated[c] for c in config.importance}
    return stated


def _need(survey: SurveyData, columns: Sequence[str], key: str) -> None:
    absent = [c for c in columns if c not in survey.data.columns]
    if absent:
        raise StudyError(f"study file key '{key}' names column '{absent[0]}', which is not in the data "
                         f"({survey.source}); columns: {', '.join(map(str, survey.data.columns[:12]))}"
                         f"{', ...' if len(survey.data.columns) > 12 else ''}")


def check_study(config: StudyConfig, survey: SurveyData) -> None:
    """Every column the study file names exists in the data (one-line `StudyError` naming key and column)."""
    for i, level in enumerate(config.levels, start=1):
        _need(survey, level, f"levels[{i}]")
    for key, value in (("unit", config.unit), ("period", config.period), ("service_type", config.service_type)):
        if value:
            _need(survey, [value], key)
    for column, name in config.names.items():
        _need(survey, [column, name], f"names.{column}")
    _need(survey, config.design.columns(), "design")
    w = config.weighting
    for i, variables in enumerate(w.variables, start=1):
        _need(survey, variables, f"weighting.variables[{i}]")
    _need(survey, w.keep_totals, "weighting.keep_totals")
    if isinstance(w.scale, str):
        _need(survey, [w.scale], "weighting.scale")
    if config.period:
        period_order(config, survey.data)


def plan_study(config: StudyConfig, survey: SurveyData) -> StudyPlan:
    """What `run_study` computes on this data, and what it skips and why (`riset check` prints it)."""
    check_study(config, survey)
    data = survey.data
    overall, importance = _overall(config, survey), _importance(config, survey)
    demographics = survey.codebook.columns("demographic")
    n_units = data[config.unit].nunique() if config.unit else 0
    n_periods = data[config.period].nunique() if config.period else 0
    method = config.weighting.method
    if config.online.volume and config.data and all(d.source == "online" for d in config.data):
        weighting = Step("weighting", True, "weighting_online", {"cells": tuple(config.online.cells)})
    elif method == "design" and not (config.design.weights or config.design.fpc):
        weighting = Step("weighting", True, "weighting_equal_design")
    else:
        weighting = Step("weighting", True, f"weighting_{method}",
                         {"variables": [tuple(v) for v in config.weighting.variables]})
    steps = [
        Step("ikm", True, "ikm_area", {"name": config.area.name}),
        Step("levels", bool(config.levels), "levels" if config.levels else "no_levels",
             {"levels": ", ".join(" × ".join(lv) for lv in config.levels)}),
        Step("league", n_units > 1, "league" if n_units > 1 else ("one_unit" if config.unit else "no_unit"),
             {"n": n_units}),
        weighting,
        Step("profile", bool(demographics), "profile" if demographics else "no_demographics",
             {"columns": list(demographics)}),
        Step("instrument", len(data) >= 10, "instrument" if len(data) >= 10 else "too_few", {"n": len(data)}),
        Step("period_change", n_periods >= 2, "period_change" if n_periods >= 2 else (
            "one_period" if config.period else "no_period"), {"n": n_periods}),
        Step("drivers", overall is not None, "drivers" if overall else "no_overall", {"column": overall}),
        Step("out_of_sample", overall is not None and config.out_of_sample,
             "out_of_sample" if overall and config.out_of_sample else ("off" if overall else "no_overall")),
        Step("ipa", bool(importance) or overall is not None,
             "ipa_stated" if importance else ("ipa_derived" if overall else "no_importance_no_overall")),
        Step("csi", bool(importance), "csi" if importance else "no_importance"),
        Step("recommendations", True, "recommendations" if n_units else "recommendations_area"),
        Step("series", n_periods >= 3, "series" if n_periods >= 3 else "few_periods", {"n": n_periods},
             optional=n_periods < 2),
        Step("targets", config.targets is not None, "targets" if config.targets else "no_targets", optional=True),
        Step("published", config.previous is not None, "published" if config.previous else "no_previous",
             optional=True),
        Step("study_series", config.series is not None, "study_series" if config.series else "no_series",
             {"n": len(config.series.studies) if config.series else 0}, optional=True),
        Step("innovations", config.innovations is not None, "innovations" if config.innovations else "no_innovations",
             optional=True),
        Step("external", config.external is not None, "external" if config.external else "no_external",
             optional=True),
    ]
    warnings = []
    if config.data and any(d.source == "online" for d in config.data):
        warnings.append(Note("online_source", {"files": ", ".join(d.path.name for d in config.data
                                                                   if d.source == "online")}))
    return StudyPlan(tuple(steps), len(data), tuple(warnings))


# ---------------------------------------------------------------------------------------------- pipeline
def run_study(study: str | Path | StudyConfig, *, progress: bool = False) -> StudyResults:
    """Run the whole study of a study file (or a `StudyConfig`) and return `StudyResults`.

    Every analysis whose inputs exist runs; the others are skipped with their reason in `results.plan`.
    Random steps (bootstrap replicates, cross-validation folds) use the study's `seed`.
    """
    config = study if isinstance(study, StudyConfig) else load_study(study)
    survey = read_study_survey(config)
    plan = plan_study(config, survey)
    cb = survey.codebook
    scheme = get_scheme(cb.scheme)
    unsur_map = cb.unsur_map("unsur")
    overall, importance_map = _overall(config, survey), _importance(config, survey)
    notes: list = [survey.summary()]

    order, times = period_order(config, survey.data) if config.period else (None, None)
    register = read_innovations(config, survey.data, order)
    extra = did_columns(config, survey.data, register, order) if register is not None else {}
    data = survey.data.assign(**{_EQUAL: 1.0}, **extra)
    data, designs, weighting, run, online_part = _sources(data, config, progress)
    base, final = designs["design"], designs[weighting]
    if run is not None:
        notes += run.notes

    levels = {AREA: (), **{config.level_name(lv): lv for lv in config.levels}}
    ikm_table, nrr_table = _ikm_tables(final, unsur_map, scheme, levels, config)
    ikm_table = _unit_ranks(ikm_table, final, unsur_map, scheme, config, levels)
    ikm_table = _online_share(ikm_table, data, levels)
    online = None
    if online_part is not None:
        online = _online_answers(online_part, unsur_map, scheme, levels, config)
        notes += online.notes()
    period_change = (_period_change(final, unsur_map, scheme, config, order, notes) if plan.runs("period_change")
                     else None)
    final_data = data.assign(**{_FINAL: np.asarray(final.weights)})
    area_row = ikm_table[ikm_table["level"] == AREA].iloc[0]
    units = ikm_table[ikm_table["level"] == config.unit] if config.unit in levels else ikm_table.iloc[0:0]
    series = None
    if plan.runs("series"):
        over_time = dict(periods=order, times=times, scheme=scheme)
        series = (period_series(final, unsur_map, config.period, **over_time),
                  period_series(final, unsur_map, config.period, by=config.unit, **over_time) if config.unit else None)
    scores, zones = external_scores(config)
    effects = ((None,) * 3 if register is None else
               innovation_effects(config, final, unsur_map, register, order, scheme))
    progress_tables = Progress(
        series=series[0] if series else None, series_units=series[1] if series else None,
        targets=targets_table(config, area_row, units), published=published_table(config, area_row, units),
        study_series=series_table(config, area_row, units, _ikm_of), external=scores, external_zones=zones,
        innovations=effects[0], innovations_nrr=effects[1],
        innovations_series=effects[2])

    found = drivers = check = None
    if plan.runs("drivers"):
        found = driver_analyses(final, final_data, overall, unsur_map, config, _FINAL, progress)
        drivers = found.headline
        notes += drivers.notes
        if plan.runs("out_of_sample"):
            # the check fits on the respondents with every answer: compared with the analysis on the same ones
            check = out_of_sample_check(final_data, overall, unsur_map, weights=_FINAL, reference=found.listwise,
                                        groups=config.design.psu, n_repeats=3, seed=config.seed, progress=progress)
    ipa_result = ipa_units = csi_result = None
    if plan.runs("ipa"):
        kepentingan = importance_map or derived_importance(drivers)
        ipa_result = ipa(final_data, unsur_map, kepentingan, weights=_FINAL)
        if plan.runs("league"):
            ipa_units = ipa(final_data, unsur_map, kepentingan, weights=_FINAL, by=config.unit)
    if plan.runs("csi"):
        csi_result = csi(ipa_result)
    instrument = check_instrument(data, unsur_map) if plan.runs("instrument") else None

    unit_level = config.unit if config.unit in levels else AREA
    unit_rows = ikm_table[ikm_table["level"] == unit_level]
    unit_nrr = nrr_table[nrr_table["level"] == unit_level]
    by = config.unit if unit_level != AREA else "group"
    if config.service_type and unit_level != AREA:
        kinds = data.drop_duplicates(config.unit).set_index(config.unit)[config.service_type]
        unit_rows = unit_rows.assign(**{config.service_type: unit_rows[config.unit].map(kinds)})
    catalogue = load_catalogue(config.actions, scheme)
    said = _open_text(final, cb, config, scheme)
    complaints = None if said is None else (said.complaints(config.unit) if unit_level != AREA else
                                             said.shares[said.shares["level"] == "area"].rename(
                                                 columns={"keluhan": "share"})[["unsur", "share"]])
    recommend_result = {lang: recommend(_Ikm(unit_rows, unit_nrr), ipa_units if ipa_units is not None else ipa_result,
                                        drivers, complaints, by=by, names=config.names.get(by),
                                        service=config.service_type, catalogue=catalogue, lang=lang, scheme=scheme)
                        for lang in ("id", "en")}
    demographics = cb.columns("demographic")
    expectation = cb.unsur_map("expectation")
    gaps = servqual_gap(final, unsur_map, expectation, scheme=scheme) if expectation else None
    subgroups = _subgroups(final, list(unsur_map), demographics, scheme,
                           {c: list(s.labels.values()) for c, s in cb.specs.items() if s.labels})
    return StudyResults(
        config=config, plan=plan, scheme=scheme, survey=survey, unsur_map=unsur_map, importance_map=importance_map,
        overall=overall, designs=designs, weighting=weighting, weighting_run=run, ikm=ikm_table, nrr=nrr_table,
        profile=profile(data, demographics, order={c: list(s.labels.values()) for c, s in cb.specs.items()
                                                            if s.labels}) if demographics else None,
        weights=pd.DataFrame({cb.id: data[cb.id].to_numpy(), "bobot_desain": np.asarray(base.weights),
                              "bobot_akhir": np.asarray(final.weights)}, index=data.index),
        weight_table=weight_summary({"desain": base, "akhir": final}),
        margins=_margin_shares(base, final, config) if run is not None else None,
        instrument=instrument, key_drivers=found, drivers_check=check, ipa_result=ipa_result, csi_result=csi_result,
        recommend_result=recommend_result, period_change=period_change, progress=progress_tables, notes=notes,
        open_text_result=said,
        subgroups=subgroups, servqual=gaps, online=online,
    )


@dataclass
class _Ikm:
    """The unit rows of the IKM tables in the shape `riset.skm.recommend.recommend` reads."""

    table: pd.DataFrame
    nrr: pd.DataFrame


def _designs(data: pd.DataFrame, config: StudyConfig,
             progress: bool = False) -> tuple[dict[str, SurveyDesign], str, WeightingRun | None]:
    """The designs of the study ('none' equal weights, 'design', and 'final' when weights are adjusted to
    margins), the key of the one the tables use, and the weighting run."""
    base = _design(data, config, weights=config.design.weights)
    designs = {"none": _design(data, config, weights=_EQUAL), "design": base}
    run = None
    if config.weighting.adjusts:
        run = _adjusted(base, config)
        designs["final"] = (run.design if config.weighting.targets == "known" else
                             _estimated_targets(base, run, config, progress))
    return designs, {"none": "none", "design": "design"}.get(config.weighting.method, "final"), run


def _sources(data: pd.DataFrame, config: StudyConfig, progress: bool = False):
    """The rows, designs, weighting key and weighting run of the study's estimates, and its online part.

    Without online answers: `_designs` of all rows. Online answers only: their volume weights
    (`riset.study.online.weight_online`) are the study's final weights. Both kinds: the sources stay apart --
    with `online.combine: separate` the estimates use the probability rows and their design alone; with
    `pooled_weighted` one design pools them (`riset.study.online.pooled_design`). The online part is (online weighting, design of the
    probability rows or None, combine)."""
    online = data[SAMPLE_KIND].eq("online") if SAMPLE_KIND in data.columns else pd.Series(False, index=data.index)
    if not online.any():
        return (data, *_designs(data, config, progress), None)
    spec = config.online
    volume = None if spec.volume is None else _population_table(spec.volume, spec.cells, spec.count, "online")
    margins = None if spec.margins is None else _population_table(
        spec.margins, [c for v in spec.variables for c in v], spec.margins_count, "online")
    weighted = weight_online(data[online], spec, volume, margins)
    if online.all():
        designs, weighting, run = _designs(data, config, progress)
        if weighted.runs:
            if config.weighting.adjusts:
                raise StudyError("a study of online answers only is weighted by its online: keys (volume, margins); "
                                 "remove its weighting: margins or give them as online.margins")
            designs["final"], weighting = weighted.design, "final"
        return data, designs, weighting, run, (weighted, None, "only")
    prob = data[~online]
    designs, weighting, run = _designs(prob, config, progress)
    if spec.combine == "separate":
        return prob, designs, weighting, run, (weighted, designs[weighting], "separate")
    pooled, pooled_designs = pooled_design(designs[weighting], weighted, config)
    return pooled, pooled_designs, "final", run, (weighted, designs[weighting], "pooled_weighted")


def _online_answers(part, unsur_map, scheme: Scheme, levels: Mapping[str, Sequence[str]],
                    config: StudyConfig) -> OnlineAnswers:
    """The online IKM at every level the online answers fill, and beside a probability sample the same groups
    from it, on the cells the online answers cover (`compare_online`)."""
    weighted, prob, combine = part
    data = weighted.design.data
    filled = {k: by for k, by in levels.items() if all(c in data.columns and data[c].notna().all() for c in by)}
    table, _ = _ikm_tables(weighted.design, unsur_map, scheme, filled, config)
    table["bagian_daring"] = 1.0
    if prob is None:
        return OnlineAnswers(combine, weighted, table)
    cells = list(config.online.cells) or [c for c in (config.unit, config.period) if c]
    inside = np.ones(len(prob.data), dtype=bool)
    if cells:
        covered = pd.MultiIndex.from_frame(data[cells].astype(str)).unique()
        inside = pd.MultiIndex.from_frame(prob.data[cells].astype(str)).isin(covered)
    if not inside.any():
        return OnlineAnswers(combine, weighted, table)
    reference, _ = _ikm_tables(prob.subset(inside), unsur_map, scheme, filled, config)
    return OnlineAnswers(combine, weighted, table, compare_online(reference, table))


def _estimated_targets(base: SurveyDesign, run: WeightingRun, config: StudyConfig,
                       progress: bool = False) -> ReplicateDesign:
    """Weights whose calibration targets are estimated from the sample (`weighting.targets: estimated`):
    Rao-Wu bootstrap replicates of the design weights, each re-weighted with the recipe (`weighting_recipe`),
    so its targets -- margins scaled to its own weighted totals, its own kept totals -- are recomputed from the
    replicate; the variance then carries the targets' sampling error, which the linearisation with fixed
    targets leaves out (Fuller 2009 sec. 5.8; Lumley 2010 sec. 7.4)."""
    reps = as_replicate(base, type="bootstrap", replicates=config.replicates, seed=config.seed)
    population, recipe = population_table(config), weighting_recipe(config)
    columns = []
    for r in tqdm(range(reps.n_replicates), desc="target replikasi", unit="rep", disable=not progress):
        start = np.asarray(reps.replicate_weights[:, r])
        keep = start > 0
        part = SurveyDesign(base.data.loc[keep].assign(**{_FINAL: start[keep]}), weights=_FINAL)
        try:
            weights = weight_to_population(part, population, **recipe).design.weights
        except WeightingError as exc:
            raise StudyError(f"weighting.targets: estimated: bootstrap replicate {r + 1} cannot be re-weighted "
                             f"({exc}); merge small cells (weighting.collapse_min_n) or use targets: known") from None
        column = np.zeros(len(start))
        column[keep] = weights
        columns.append(column)
    data = base.data.assign(**{_FINAL: np.asarray(run.design.weights)})
    return ReplicateDesign(data, _FINAL, np.column_stack(columns), "bootstrap", scale=reps.scale,
                           rscales=reps.rscales, mse=reps.mse, df=base.df, df_from_design=True)


def _ikm_of(config: StudyConfig) -> tuple[pd.Series, pd.DataFrame]:
    """The IKM of an earlier study (`series:`): its area row and unit rows, with its own design and weights."""
    survey = read_study_survey(config)
    designs, weighting, _ = _designs(survey.data.assign(**{_EQUAL: 1.0}), config)
    levels = {AREA: (), **({config.unit: (config.unit,)} if config.unit else {})}
    table, _ = _ikm_tables(designs[weighting], survey.codebook.unsur_map("unsur"),
                           get_scheme(survey.codebook.scheme), levels, config)
    return table[table["level"] == AREA].iloc[0], table[table["level"] == config.unit]


def _design(data: pd.DataFrame, config: StudyConfig, weights: str | None) -> SurveyDesign:
    spec = config.design
    return SurveyDesign(data, weights=weights, strata=list(spec.strata) or None, psu=spec.psu, fpc=spec.fpc,
                        ssu=spec.ssu, fpc2=spec.fpc2, lonely_psu=spec.lonely_psu)


def weighting_recipe(config: StudyConfig) -> dict[str, Any]:
    """The study file's weighting as the arguments of `weight_to_population` (margins, method, bounds,
    trim_ratio, scale, keep_totals, collapse_min_n, count): the run, the weighting widget and notebook 02 use
    this one recipe, so they give the same weights. Empty when the study keeps its design weights."""
    w = config.weighting
    if not w.adjusts:
        return {}
    method = {"poststratify": "poststratify", "rake": "rake", "calibrate": w.calfun}[w.method]
    return {"margins": [list(v) for v in w.variables], "method": method, "bounds": w.bounds, "trim_ratio": w.trim,
            "scale": w.scale, "keep_totals": list(w.keep_totals), "collapse_min_n": w.collapse_min_n,
            "count": w.count}


def population_table(config: StudyConfig) -> pd.DataFrame | None:
    """The study's population margins table (weighting.margins), None when it has none."""
    w = config.weighting
    if w.margins is None:
        return None
    return _population_table(w.margins, [c for v in w.variables for c in v], w.count)


def _adjusted(base: SurveyDesign, config: StudyConfig) -> WeightingRun:
    """Design weights adjusted to the population margins of the study file (`weight_to_population`)."""
    return weight_to_population(base, population_table(config), **weighting_recipe(config))


def _margin_shares(base: SurveyDesign, final: SurveyDesign, config: StudyConfig) -> pd.DataFrame:
    """Population and sample shares of each weighting variable on its own (the crossed margins the weights
    were adjusted to would be too many cells to read), before and after the adjustment."""
    w = config.weighting
    singles = list(dict.fromkeys(c for v in w.variables for c in v))
    population = _population_table(w.margins, singles, w.count)
    return margin_shares({"desain": base, "akhir": final}, [margin_from_table(population, v, w.count) for v in singles])


def _population_table(path: Path, variables: Sequence[str], count: str, key: str = "weighting") -> pd.DataFrame:
    """A population table (CSV or XLSX): one column per weighting variable and a count column (study file keys
    `key`.variables / `key`.count, named in the error)."""
    table = pd.read_excel(path) if path.suffix.lower() in (".xlsx", ".xlsm") else pd.read_csv(
        path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    absent = [c for c in [*dict.fromkeys(variables), count] if c not in table.columns]
    if absent:
        raise StudyError(f"population table '{path.name}' has no column '{absent[0]}' ({key}.variables / "
                         f"{key}.count); its columns: {', '.join(map(str, table.columns))}")
    return table


def _ikm_tables(design: SurveyDesign, unsur_map: Mapping[str, str], scheme: Scheme,
                levels: Mapping[str, Sequence[str]], config: StudyConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IKM and NRR with design-based SE/CI (`riset.skm.ikm_design`) at every level; groups are domains of the
    full design."""
    tables, nrrs = [], []
    for level, by in levels.items():
        res = ikm_design(design, unsur_map, by=list(by) or None, scheme=scheme)
        for frame, out in ((res.table, tables), (res.nrr, nrrs)):
            frame = frame.copy()
            frame.insert(0, "level", level)
            frame.insert(1, "group", _group_names(frame, by, config.area.name))
            out.append(frame)
    inside = np.asarray(design.weights) > 0
    return (_add_names(pd.concat(tables, ignore_index=True), design.data.loc[inside], config),
            pd.concat(nrrs, ignore_index=True))


def _open_text(design, cb, config: StudyConfig, scheme: Scheme) -> OpenText | None:
    """The free-text answers (codebook role 'text') coded with the lexicon (the study's `lexicon`, else the
    bundled one); None without such columns or answers."""
    columns = [c for c in cb.columns("text") if c in design.data.columns]
    if not columns:
        return None
    by = config.unit if config.unit and config.unit in design.data.columns else None
    said = open_text(design, columns, id_column=cb.id, by=by, lexicon=load_lexicon(config.lexicon, scheme),
                     scheme=scheme)
    return said if said.n_answers else None


def _online_share(table: pd.DataFrame, data: pd.DataFrame, levels) -> pd.DataFrame:
    """Per IKM row, the share of its respondents from online (self-selected) sources, `bagian_daring`; a row
    where it is 1 rests on no probability sample and is marked in every output. Nothing without online data."""
    if SAMPLE_KIND not in data.columns:
        return table
    online = data[SAMPLE_KIND].eq("online").astype(float)
    out = table.copy()
    out["bagian_daring"] = np.nan
    for level, by in levels.items():
        rows = out["level"] == level
        if not by:
            out.loc[rows, "bagian_daring"] = float(online.mean())
            continue
        shares = online.groupby([data[c].astype(str) for c in by]).mean()
        keys = out.loc[rows, list(by)].astype(str)
        index = pd.MultiIndex.from_frame(keys) if len(by) > 1 else pd.Index(keys[by[0]])
        out.loc[rows, "bagian_daring"] = shares.reindex(index).to_numpy()
    return out


def _unit_ranks(table: pd.DataFrame, design, unsur_map, scheme: Scheme, config: StudyConfig, levels) -> pd.DataFrame:
    """The units' rank by IKM (1 = highest) and its simultaneous interval (`rank_intervals`: pairwise t tests on
    the design covariance of the units' IKM, Holm over all pairs, the same rule as the change verdicts);
    nothing without at least three units."""
    unit = config.unit
    rows = table["level"] == unit
    if unit not in levels or rows.sum() < 3:
        return table
    fit = ikm_design(design, unsur_map, by=unit, scheme=scheme, covmat=True)
    ranks = rank_intervals(fit.table["ikm_konversi"].to_numpy(), fit.vcov.to_numpy(), df=fit.table["df"].to_numpy(),
                           adjust="holm").table
    ranks.index = fit.table[unit].astype(str).to_numpy()
    out = table.copy()
    codes = out.loc[rows, unit].astype(str)
    for column, name in (("rank", "peringkat"), ("rank_low", "peringkat_bawah"), ("rank_high", "peringkat_atas")):
        out.loc[rows, name] = codes.map(ranks[column]).to_numpy()
    return out


def _period_change(design: SurveyDesign, unsur_map: Mapping[str, str], scheme: Scheme, config: StudyConfig,
                   order: list, notes: list) -> pd.DataFrame:
    """Change in IKM from the first to the last period (time `order`) for the area and per unit
    (`compare_periods`, 95%)."""
    tables = []
    groups = [(AREA, [])] + ([(config.unit, [config.unit])] if config.unit else [])
    for level, by in groups:
        res = compare_periods(design, unsur_map, period=config.period, by=by or None, base=order[0], compare=order[-1],
                              scheme=scheme, adjust="holm")
        t = res.table.copy()
        t.insert(0, "level", level)
        t.insert(1, "group", _group_names(t, by, config.area.name))
        tables.append(t)
        notes += [n for n in res.notes if n not in notes]
    inside = np.asarray(design.weights) > 0
    return _add_names(pd.concat(tables, ignore_index=True), design.data.loc[inside], config)


def _group_names(table: pd.DataFrame, by: Sequence[str], area: str) -> list[str]:
    if not by:
        return [area] * len(table)
    return [" / ".join(str(v) for v in row) for row in table[list(by)].itertuples(index=False)]


def _add_names(table: pd.DataFrame, data: pd.DataFrame, config: StudyConfig) -> pd.DataFrame:
    """Display-name columns beside their code columns (`names:`), and for every single-column level the
    coarser levels it sits in (e.g. the OPD of each unit) where the data nests them."""
    singles = [lv[0] for lv in config.levels if len(lv) == 1]
    for column, name in config.names.items():
        if column in table.columns and name not in table.columns and name in data.columns:
            names = data.drop_duplicates(column).set_index(column)[name]
            table.insert(table.columns.get_loc(column) + 1, name, table[column].map(names))
    for fine in singles:
        if fine not in table.columns:
            continue
        for coarse in singles:
            if coarse == fine or coarse not in data.columns:
                continue
            if data.groupby(fine)[coarse].nunique().max() == 1:  # every unit lies in one OPD
                parent = data.drop_duplicates(fine).set_index(fine)[coarse]
                filled = table[fine].map(parent)
                table[coarse] = table[coarse].fillna(filled) if coarse in table.columns else filled
    return table


#: Demographic columns compared when they have between 2 and this many categories.
MAX_SUBGROUP_CATEGORIES = 10


def _subgroups(design, unsur_columns: list[str], demographics: list[str], scheme: Scheme,
               orders: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame | None:
    """Do respondent groups (sex, age, education ...) rate the service differently? Per demographic column:
    the mean of the respondents' IKM scores (each respondent's answered unsur averaged, on the converted
    scale) in each category with CI, and the design-based Wald test of equal means (`compare_means`), with
    Holm's adjustment over the columns compared. None without demographics."""
    data = design.data
    score = data[unsur_columns].apply(pd.to_numeric, errors="coerce").mean(axis=1) * scheme.conversion
    parts = []
    for column in demographics:
        categories = data[column].dropna().nunique()
        if not 2 <= categories <= MAX_SUBGROUP_CATEGORIES:
            continue
        result = compare_means(design, score.where(data[column].notna()), column)
        part = result.to_frame().rename(columns={"category": "kategori", "estimate": "skor"}).assign(variabel=column)
        rank = {str(c): i for i, c in enumerate((orders or {}).get(column, ()))}  # the codebook's order
        part = part.iloc[np.argsort([rank.get(str(k), len(rank)) for k in part["kategori"]], kind="stable")]
        parts.append(part)
    if not parts:
        return None
    table = pd.concat(parts, ignore_index=True)
    tests = table.drop_duplicates("variabel")
    table["p_holm"] = table["variabel"].map(dict(zip(tests["variabel"], holm(tests["p_value"].to_numpy()))))
    return table[["variabel", "kategori", "n", "skor", "se", "ci_low", "ci_high", "F", "ndf", "ddf", "p_value",
                  "p_holm"]]


@dataclass
class StudyView:
    """One selection of a study (a domain: unit / OPD / periode / demographic filters) under one weighting.

    `ikm`: the domain's IKM row (n_responden, ikm_konversi, se, ci_low, ci_high, mutu, kinerja, p_mutu_beda);
    `nrr`: NRR per unsur with CI; `ipa`: IPA of the domain (stated importance), None without importance;
    `recommendations`: the study's recommendations for the units in the domain.
    """

    selection: dict[str, str]
    weighting: str
    ikm: pd.Series
    nrr: pd.DataFrame
    ipa: IpaResult | None
    recommendations: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """NRR per unsur of the domain, with CIs."""
        return self.nrr.copy()

    def summary(self, lang: str | None = None) -> str:
        """The domain, its IKM with CI and quality grade, and the NRR table."""
        lang = check_language(lang)
        chosen = ", ".join(f"{k} = {v}" for k, v in self.selection.items()) or say("view_everyone", lang)
        row = self.ikm
        return "\n".join([say("view_summary", lang, selection=chosen, weighting=self.weighting,
                               ikm=fmt_num(row["ikm_konversi"], 2, lang), ci=fmt_ci(row["ci_low"], row["ci_high"], 2, lang),
                               mutu=row["mutu"], n=int(row["n_responden"])),
                           self.nrr.round(3).to_string(index=False)])

    def __repr__(self) -> str:
        return self.summary()


def view(results: StudyResults, selection: Mapping[str, object] | None = None, weighting: str | None = None) -> StudyView:
    """IKM with CI, NRR, IPA and recommendations for one domain of the study, from the stored designs.

    Domain estimation keeps the full design (weights zero outside the domain, as `subset()` in R survey),
    so the SEs are those of a domain, not of a separate small survey (Lumley 2010, sec. 2.3.1).

    Parameters
    ----------
    selection : column -> value, e.g. ``{"unit": "PKM-KOTA", "jenis_kelamin": "Perempuan"}``; None or a
        None value = no restriction on that column.
    weighting : 'none', 'design' or 'final' (default: the study's own weighting).
    """
    weighting = results.weighting if weighting is None else weighting
    if weighting not in results.designs:
        raise RisetError(f"weighting={weighting!r} is not available in this study; available: {', '.join(results.designs)}")
    chosen = {str(k): v for k, v in (selection or {}).items() if v is not None}
    design = results.designs[weighting]
    data = design.data
    mask = pd.Series(True, index=data.index)
    for column, value in chosen.items():
        if column not in data.columns:
            raise DataError(f"selection column '{column}' is not a column of the survey data")
        mask &= data[column].astype(str) == str(value)
    if not mask.any():
        text = ", ".join(f"{k} = {v}" for k, v in chosen.items())
        raise DataError(f"no respondent matches the selection {text}")
    ikm_table, nrr_table = _ikm_tables(design.subset(mask.to_numpy()), results.unsur_map, results.scheme,
                                       {"domain": ()}, results.config)
    part = data.loc[mask].assign(**{_FINAL: np.asarray(design.weights)[mask.to_numpy()]})
    ipa_result = None
    if results.importance_map:
        ipa_result = ipa(part, results.unsur_map, results.importance_map, weights=_FINAL)
    elif results.drivers is not None:
        ipa_result = ipa(part, results.unsur_map, derived_importance(results.drivers), weights=_FINAL)
    rec = results.recommendations
    if results.unit:
        rec = rec[rec["unit"].astype(str).isin(part[results.unit].astype(str).unique())]
    return StudyView(chosen, weighting, ikm_table.iloc[0], nrr_table.drop(columns=["level", "group"]), ipa_result,
                     rec.reset_index(drop=True))


def profile(data: pd.DataFrame, variables: Sequence[str],
            order: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Respondent profile: count and percent of respondents per category of each characteristic.

    persen = n_category / n_respondents x 100; blanks are their own category 'Tidak diisi' (never dropped).
    Categories follow `order` (e.g. the codebook's labels: SD ke bawah, SMP, ..., S1 ke atas) where given;
    otherwise categories that all start with a number (age groups '17-24', ..., '55+') keep their numeric
    order and others are listed from most to least frequent; 'Tidak diisi' comes last.

    >>> profile(pd.DataFrame({"jenis_kelamin": ["Laki-laki", "Perempuan", "Perempuan"]}), ["jenis_kelamin"])["n"].tolist()
    [2, 1]
    >>> profile(pd.DataFrame({"pendidikan": ["SMP", "SD", "SMP"]}), ["pendidikan"],
    ...         order={"pendidikan": ["SD", "SMP"]})["kategori"].tolist()
    ['SD', 'SMP']
    """
    order = order or {}
    rows = []
    for var in variables:
        if var not in data.columns:
            raise DataError(f"profile: column '{var}' not found in the data")
        counts = data[var].dropna().astype(str).value_counts(sort=True)
        if var in order:
            rank = {str(category): i for i, category in enumerate(order[var])}
            counts = counts.iloc[np.argsort([rank.get(k, len(rank)) for k in counts.index], kind="stable")]
        elif len(counts) and counts.index.str.match(r"^\d").all():
            counts = counts.iloc[np.argsort([float(re.match(r"\d+", k).group()) for k in counts.index], kind="stable")]
        blank = int(data[var].isna().sum())
        if blank:
            counts = pd.concat([counts, pd.Series({"Tidak diisi": blank})])
        part = pd.DataFrame({"variabel": var, "kategori": counts.index, "n": counts.to_numpy()})
        part["persen"] = 100 * part["n"] / part["n"].sum()
        rows.append(part)
    return pd.concat(rows, ignore_index=True)
