"""The study file (``studi.yaml``): everything specific to one study, read and checked in one place.

A team describes its study once; every command (`riset check`, `riset report`, `riset notebooks`, the
dashboard) reads the same file. Keys are English like the codebook's; paths are relative to the study
file; every key except `data` and `codebook` is optional::

    study: SKM Kecamatan Sukamaju 2026             # title on the report
    area: {name: Kecamatan Sukamaju, level: kecamatan}   # kabupaten | kota | kecamatan | provinsi | instansi
    organiser: LPPM Universitas ...                # cover, slides
    data: jawaban_formulir.csv                     # or a list: several exports appended, ids kept unique
    codebook: codebook.yaml                        # YAML or XLSX
    design: srs                                    # or {weights:, strata:, psu:, fpc:, ssu:, fpc2:, lonely_psu:}
    levels: [unit]                                 # reporting levels: group columns (or lists of columns)
    unit: unit                                     # the service-unit column (default: the first level)
    period: null                                   # the period column, for change between periods
    periods: {order: [2019, 2021, 2023], times: [2019, 2021, 2023]}   # time order (default: text order), times
    names: {unit: nama_unit}                       # display-name columns
    weighting: {method: none}                      # none | design | poststratify | rake | calibrate
    overall: null                                  # overall-satisfaction column (default: the codebook's)
    importance: null                               # importance columns (default: the codebook's)
    language: id
    seed: 2026

`external` (yearly Ombudsman compliance scores, entered by the team) is a file, or with the rule from 2022::

    external:
      file: kepatuhan.csv           # columns tahun, nilai, optional kategori, sumber
      since: 2022                   # first year of the later rule (until then: hijau >= 81, kuning >= 51, merah)
      categories: {A: [88.01, hijau], B: [78.01, hijau], C: [66.01, kuning], D: [55.01, merah], E: [0, merah]}

`weighting` with margins::

    weighting:
      method: rake                  # poststratify | rake | calibrate (calfun linear | raking | logit)
      margins: penduduk.csv         # population table: one column per variable + a count column
      count: jumlah                 # the count column (default 'jumlah')
      variables: [jenis_kelamin, [kecamatan, kelompok_umur]]   # a column, or a list for a crossed margin
      scale: true                   # true: match the composition | false: the counts | a column: within it
      keep_totals: [unit]           # keep the design-weighted totals of these cells
      targets: known                # known (a census / register) | estimated: margins scaled to the sample's own
                                    #   totals or kept totals -> SEs from bootstrap replicates re-weighted each
      bounds: [0.3, 3.0]            # calibrate only: limits of the g-weights
      trim: 3.5                     # trim weights to [mean/3.5, 3.5 x mean]

`drivers` (key-driver analysis, when there is an overall item)::

    drivers:
      replicates: 200               # bootstrap replicates (also those re-weighted for estimated targets)
      mc_target: 0.25               # optional: raise the count (from 100) until the Monte Carlo error of the
                                    #   share interval ends is below 0.25 percentage points
      imputations: 20               # blank unsur answers multiply imputed (Rubin's rules); 0 = off
      out_of_sample: true           # cross-validated boosting check of the ranking

Online answers (a data source with ``source: online``: QR codes at the counter, links on a website) are a
self-selected sample; `online` says how riset weights them and how they meet a probability sample::

    data: [wawancara.csv, {path: qr.csv, source: online}]
    online:
      volume: kunjungan.csv         # visits / transactions per cell (default: the frame table)
      count: kunjungan              # its count column (default 'jumlah')
      cells: [unit, periode]        # the cells of the volume table (default: unit and period)
      margins: pengguna.csv         # optional: other known margins of the service users
      variables: [[unit, kelompok_umur]]   # their columns (a list inside for a cross)
      margins_count: jumlah
      scale: unit                   # as weighting.scale: composition within each unit
      combine: separate             # separate (probability IKM reported, online beside it) | pooled_weighted

Errors name the study file, the key and the value, on one line (`StudyError`).

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "data.csv").write_text("id,unit\\n1,A\\n"); _ = (folder / "cb.yaml").write_text("columns: {}")
>>> _ = (folder / "studi.yaml").write_text("study: Contoh\\ndata: data.csv\\ncodebook: cb.yaml\\n")
>>> config = load_study(folder / "studi.yaml")
>>> config.title, config.area.level, config.weighting.method, config.design.kind
('Contoh', 'kabupaten', 'design', 'srs')
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from riset.errors import RisetError
from riset.i18n import LANGUAGES
from riset.yamlfile import read_yaml as _read_yaml

__all__ = [
    "AREA_LEVELS", "Area", "COMBINE", "DataSource", "DesignSpec", "EXTERNAL_ZONES", "ExternalSpec",
    "OMBUDSMAN_ZONES_2021", "OnlineSpec", "PeriodsSpec", "Previous", "STUDY_FILE", "SeriesSpec", "StudyConfig",
    "StudyError", "Targets", "WEIGHTING_METHODS", "WeightingSpec", "find_study_file", "load_study", "read_yaml",
    "study_from_mapping",
]

#: The usual name of a study file; `riset report DIR` looks for it in DIR.
STUDY_FILE = "studi.yaml"
#: Administrative level of the area the study covers (wording: "IKM kabupaten", "IKM kecamatan", ...).
AREA_LEVELS = ("kabupaten", "kota", "kecamatan", "provinsi", "instansi")
#: none = every respondent weighs the same; design = the design's weights; the rest adjust them to margins.
WEIGHTING_METHODS = ("none", "design", "poststratify", "rake", "calibrate")
CALFUNS = ("linear", "raking", "logit")
SOURCES = ("probability", "online")
#: How online answers meet a probability sample: kept apart (the probability IKM is the estimate, the online IKM
#: is reported beside it) or pooled per cell with composite weights.
COMBINE = ("separate", "pooled_weighted")
TARGET_KINDS = ("known", "estimated")
LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")

_TOP_KEYS = ("study", "area", "organiser", "team", "fieldwork", "date", "logo", "data", "codebook", "design",
             "levels", "unit", "period", "names", "service_type", "weighting", "overall", "importance",
             "language", "seed", "frame", "drivers", "description", "targets", "previous", "series", "innovations",
             "external", "actions", "lexicon", "data_merge", "online", "periods")
_TARGET_KEYS = ("area", "units", "default")
_PREVIOUS_KEYS = ("label", "ikm", "se", "ci", "n", "units")
_SERIES_KEYS = ("studies", "labels", "rename")
_PERIODS_KEYS = ("order", "times")
_EXTERNAL_KEYS = ("file", "since", "categories")
#: The zones a category of an external score is shown in (colours of the Ombudsman compliance zones).
EXTERNAL_ZONES = ("hijau", "kuning", "merah")
#: Ombudsman compliance zones until 2021 (lower bounds of the converted score): hijau >= 81, kuning >= 51.
OMBUDSMAN_ZONES_2021 = ((81.0, "hijau"), (51.0, "kuning"), (0.0, "merah"))
_DESIGN_KEYS = ("weights", "strata", "psu", "fpc", "ssu", "fpc2", "lonely_psu")
_WEIGHTING_KEYS = ("method", "calfun", "margins", "count", "variables", "scale", "keep_totals", "targets", "bounds",
                   "trim", "collapse_min_n")
_DRIVER_KEYS = ("replicates", "out_of_sample", "mc_target", "imputations")
_ONLINE_KEYS = ("volume", "count", "cells", "margins", "variables", "margins_count", "scale", "combine")


class StudyError(RisetError):
    """The study file is missing, unreadable or describes something inconsistent."""


@dataclass(frozen=True)
class Area:
    """The area the study reports on: its name and administrative level."""

    name: str
    level: str = "kabupaten"


@dataclass(frozen=True)
class DataSource:
    """One export file of the study; `source` 'online' marks a self-selected (non-probability) sample."""

    path: Path
    source: str = "probability"
    sheet: str | None = None


@dataclass(frozen=True)
class DesignSpec:
    """The sampling design as column names (see `riset.survey.design.SurveyDesign`); kind 'srs' has none."""

    weights: str | None = None
    strata: tuple[str, ...] = ()
    psu: str | None = None
    fpc: str | None = None
    ssu: str | None = None
    fpc2: str | None = None
    lonely_psu: str = "fail"

    @property
    def kind(self) -> str:
        """'srs', 'stratified', 'cluster', 'stratified_cluster' or 'two_stage' (for the methodology text)."""
        if self.fpc2 is not None:
            return "two_stage"
        if self.psu is not None:
            return "stratified_cluster" if self.strata else "cluster"
        return "stratified" if self.strata else "srs"

    def columns(self) -> list[str]:
        """Every data column the design names."""
        return [c for c in (self.weights, *self.strata, self.psu, self.fpc, self.ssu, self.fpc2) if c]


@dataclass(frozen=True)
class WeightingSpec:
    """How the final weights are made (`riset.survey.weighting.weight_to_population`)."""

    method: str = "design"
    calfun: str = "raking"
    margins: Path | None = None
    count: str = "jumlah"
    variables: tuple[tuple[str, ...], ...] = ()
    scale: bool | str = True
    keep_totals: tuple[str, ...] = ()
    targets: str = "known"
    bounds: tuple[float, float] | None = None
    trim: float | None = None
    collapse_min_n: int | None = None

    @property
    def adjusts(self) -> bool:
        """True when the design weights are adjusted to population margins."""
        return self.method in ("poststratify", "rake", "calibrate")


@dataclass(frozen=True)
class OnlineSpec:
    """How online (self-selected) answers are weighted and combined (`riset.study.online`): the service volume
    per cell (`volume` table, `count` column, `cells` columns; None = no volume weighting), other known margins
    of the users, and the `combine` method with a probability sample."""

    volume: Path | None = None
    count: str = "jumlah"
    cells: tuple[str, ...] = ()
    margins: Path | None = None
    variables: tuple[tuple[str, ...], ...] = ()
    margins_count: str = "jumlah"
    scale: bool | str = True
    combine: str = "separate"


@dataclass(frozen=True)
class Targets:
    """IKM targets (converted scale): for the whole area, per unit code, and a default for other units."""

    area: float | None = None
    units: dict = field(default_factory=dict)
    default: float | None = None

    def for_unit(self, code) -> float | None:
        return self.units.get(code, self.units.get(str(code), self.default))


@dataclass(frozen=True)
class Previous:
    """Last year's published IKM (from its report): label, the area's IKM with its SE, CI or n, and an optional
    table per unit (columns unit, ikm and se, or ci_low + ci_high, or n)."""

    label: str
    ikm: float | None = None
    se: float | None = None
    ci: tuple[float, float] | None = None
    n: int | None = None
    units: Path | None = None


@dataclass(frozen=True)
class SeriesSpec:
    """Earlier studies (one study file per year, oldest first) reported as one series with this one; unit
    codes renamed by `rename` (old -> new) before they are aligned."""

    studies: tuple[Path, ...]
    labels: tuple[str, ...] = ()
    rename: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExternalSpec:
    """The agency's yearly external scores (a table: tahun, nilai, optional kategori, sumber) and the rule that
    classifies them: before `since` the Ombudsman compliance zones (`OMBUDSMAN_ZONES_2021`); from `since` on the
    `categories` the study file gives -- (name, lowest value, zone) from the highest category down -- or, without
    them, the category the team entered (its zone only when it is itself a zone: hijau, kuning, merah)."""

    path: Path
    since: int = 2022
    categories: tuple[tuple[str, float, str], ...] = ()


@dataclass(frozen=True)
class PeriodsSpec:
    """The periods of the `period` column in time order (as written in the data) and optionally their times
    (e.g. years 2019, 2021, 2023: unequal spacing; the trend is then per unit of time). Without this key the
    periods are taken in text order ('2025-S1' < '2025-S2' < '2026-S1')."""

    order: tuple[str, ...]
    times: tuple[float, ...] | None = None


@dataclass(frozen=True)
class StudyConfig:
    """Everything study-specific, from a study file (`load_study`) or built in code (`study_from_mapping`)."""

    path: Path | None
    folder: Path
    title: str
    area: Area
    data: tuple[DataSource, ...]
    codebook: Path
    design: DesignSpec = DesignSpec()
    levels: tuple[tuple[str, ...], ...] = ()
    unit: str | None = None
    period: str | None = None
    periods: PeriodsSpec | None = None
    names: dict[str, str] = field(default_factory=dict)
    service_type: str | None = None
    weighting: WeightingSpec = WeightingSpec()
    overall: str | bool | None = None
    importance: tuple[str, ...] | bool | None = None
    language: str = "id"
    seed: int = 2026
    organiser: str | None = None
    team: tuple[str, ...] = ()
    fieldwork: str | None = None
    date: date | None = None
    logo: Path | None = None
    frame: Path | None = None
    replicates: int = 200
    out_of_sample: bool = True
    mc_target: float | None = None
    imputations: int = 20
    description: str | None = None
    targets: Targets | None = None
    previous: Previous | None = None
    series: SeriesSpec | None = None
    innovations: Path | None = None
    external: ExternalSpec | None = None
    actions: Path | None = None
    lexicon: Path | None = None
    data_merge: str = "error"
    online: OnlineSpec = OnlineSpec()

    def files(self) -> dict[str, Path]:
        """Every input file the study reads, by role (data files numbered when there are several)."""
        out = {"studi": self.path} if self.path else {}
        many = len(self.data) > 1
        out.update({f"data_{i}" if many else "data": d.path for i, d in enumerate(self.data, start=1)})
        out["codebook"] = self.codebook
        for key, path in (("margins", self.weighting.margins), ("frame", self.frame), ("logo", self.logo),
                          ("online_volume", self.online.volume), ("online_margins", self.online.margins)):
            if path is not None:
                out[key] = path
        return out

    def level_name(self, columns: Sequence[str]) -> str:
        """The key of a reporting level: its columns joined by '_' ('unit', 'unit_periode')."""
        return "_".join(columns)


# --------------------------------------------------------------------------------------------- reading
def find_study_file(target: str | Path) -> Path:
    """The study file `target` names: the file itself, or ``studi.yaml`` (or the only ``*.yaml`` with a
    `codebook` key) in the folder `target`."""
    path = Path(target)
    if path.is_file():
        return path
    if path.is_dir():
        if (path / STUDY_FILE).is_file():
            return path / STUDY_FILE
        raise StudyError(f"folder '{path}' has no {STUDY_FILE}; create one with 'riset init {path}' "
                         f"or name the study file")
    raise StudyError(f"study file '{path}' not found")


def load_study(target: str | Path) -> StudyConfig:
    """Read and check a study file (or the ``studi.yaml`` of a folder); paths become relative to it."""
    path = find_study_file(target)
    raw = read_yaml(path)
    if not isinstance(raw, Mapping):
        raise StudyError(f"{path.name}: a study file is a set of keys (study:, data:, codebook:, ...), "
                         f"not {type(raw).__name__}")
    return study_from_mapping(raw, path.parent, source=path)


def read_yaml(path: Path) -> Any:
    """Safe YAML with a one-line `StudyError` for syntax errors, duplicate keys and absurd nesting."""
    return _read_yaml(path, StudyError, "study file")


def study_from_mapping(raw: Mapping[str, Any], folder: str | Path, source: Path | None = None) -> StudyConfig:
    """A `StudyConfig` from the keys of a study file; relative paths are taken from `folder`."""
    folder = Path(folder)
    r = _Reader(raw, source.name if source else "studi", folder)
    r.unknown(raw, _TOP_KEYS, "")
    title = r.text("study", required=False) or "Survei Kepuasan Masyarakat"
    area = r.area()
    design = r.design()
    weighting = r.weighting()
    levels = r.levels()
    unit = r.text("unit", required=False)
    if unit is None:
        unit = next((lv[0] for lv in levels if len(lv) == 1), None)
    drivers = raw.get("drivers") or {}
    if not isinstance(drivers, Mapping):
        r.fail("drivers", drivers, "a set of keys (replicates:, out_of_sample:, mc_target:, imputations:)")
    r.unknown(drivers, _DRIVER_KEYS, "drivers.")
    language = raw.get("language", "id")
    if language not in LANGUAGES:
        r.fail("language", language, f"one of {', '.join(LANGUAGES)}")
    return StudyConfig(
        path=source,
        folder=folder,
        title=title,
        area=area,
        data=r.data(),
        codebook=r.path("codebook", required=True),
        design=design,
        levels=levels,
        unit=unit,
        period=r.text("period", required=False),
        periods=r.periods(),
        names=r.names(),
        service_type=r.text("service_type", required=False),
        weighting=weighting,
        overall=r.optional_column("overall"),
        importance=r.importance(),
        language=language,
        seed=r.integer("seed", raw.get("seed", 2026)),
        organiser=r.text("organiser", required=False),
        team=r.text_list("team"),
        fieldwork=r.text("fieldwork", required=False),
        date=r.date("date"),
        logo=r.path("logo", required=False),
        frame=r.path("frame", required=False),
        replicates=r.integer("drivers.replicates", drivers.get("replicates", 200), minimum=20),
        out_of_sample=r.boolean("drivers.out_of_sample", drivers.get("out_of_sample", True)),
        mc_target=None if drivers.get("mc_target") is None else
        r.number("drivers.mc_target", drivers["mc_target"], low=0.01, high=5.0) / 100,
        imputations=r.imputations(drivers.get("imputations", 20)),
        description=r.text("description", required=False),
        targets=r.targets(),
        previous=r.previous(),
        series=r.series(),
        innovations=r.path("innovations", required=False),
        external=r.external(),
        actions=r.path("actions", required=False),
        lexicon=r.path("lexicon", required=False),
        data_merge=r.choice("data_merge", ("error", "by_id"), "error"),
        online=r.online(unit, r.text("period", required=False)),
    )


class _Reader:
    """Typed access to the keys of a study file, every failure one line naming file, key and value."""

    def __init__(self, raw: Mapping[str, Any], name: str, folder: Path):
        self.raw, self.name, self.folder = raw, name, folder

    def fail(self, key: str, value: Any, wanted: str) -> None:
        shown = repr(value) if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True).strip()
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise StudyError(f"{self.name}: key '{key}' is {shown}; it must be {wanted}")

    def unknown(self, mapping: Mapping, allowed: Sequence[str], prefix: str) -> None:
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{prefix}{close[0]}'?)" if close else f"; known keys: {', '.join(allowed)}"
                raise StudyError(f"{self.name}: unknown key '{prefix}{key}'{hint}")

    def text(self, key: str, required: bool, value: Any = ...) -> str | None:
        value = self.raw.get(key) if value is ... else value
        if value is None:
            if required:
                raise StudyError(f"{self.name}: key '{key}' is missing")
            return None
        if isinstance(value, (dict, list, bool)):
            self.fail(key, value, "a text")
        return str(value).strip()

    def choice(self, key: str, allowed: Sequence[str], default: str) -> str:
        value = self.raw.get(key)
        if value is None:
            return default
        if str(value) not in allowed:
            self.fail(key, value, "one of " + ", ".join(allowed))
        return str(value)

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.fail(key, value, "a text or a list of texts")
        return tuple(str(v) for v in value)

    def integer(self, key: str, value: Any, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(key, value, f"a whole number >= {minimum}")
        return int(value)

    def imputations(self, value: Any) -> int:
        if value == 1 or isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail("drivers.imputations", value, "0 (off) or a whole number >= 2 (Rubin's rules need two)")
        return value

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.fail(key, value, "true or false")
        return value

    def date(self, key: str) -> date | None:
        value = self.raw.get(key)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(key, value, "a date written YYYY-MM-DD")

    def resolve(self, key: str, value: Any) -> Path:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, value, "a file name (relative to the study file)")
        path = Path(value.strip().replace("\\", "/")) if "\\" in value and not Path(value).exists() else Path(value)
        path = path if path.is_absolute() else self.folder / path
        if not path.is_file():
            raise StudyError(f"{self.name}: file '{value}' of key '{key}' not found (looked in {path.parent})")
        return path

    def path(self, key: str, required: bool) -> Path | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise StudyError(f"{self.name}: key '{key}' is missing; it names the {key} file")
            return None
        return self.resolve(key, value)

    def data(self) -> tuple[DataSource, ...]:
        value = self.raw.get("data")
        if value is None:
            raise StudyError(f"{self.name}: key 'data' is missing; it names the export file(s) of the answers")
        entries = value if isinstance(value, list) else [value]
        if not entries:
            self.fail("data", value, "a file name or a list of file names")
        out = []
        for i, entry in enumerate(entries, start=1):
            key = f"data[{i}]" if isinstance(value, list) else "data"
            if isinstance(entry, Mapping):
                self.unknown(entry, ("path", "source", "sheet"), f"{key}.")
                source = entry.get("source", "probability")
                if source not in SOURCES:
                    self.fail(f"{key}.source", source, f"one of {', '.join(SOURCES)}")
                out.append(DataSource(self.resolve(f"{key}.path", entry.get("path")), source,
                                      self.text(f"{key}.sheet", False, entry.get("sheet"))))
            else:
                out.append(DataSource(self.resolve(key, entry)))
        paths = [d.path.resolve() for d in out]
        if len(set(paths)) < len(paths):
            twice = next(p for p in paths if paths.count(p) > 1)
            raise StudyError(f"{self.name}: key 'data' lists '{twice.name}' twice")
        return tuple(out)

    def area(self) -> Area:
        value = self.raw.get("area")
        if value is None:
            return Area(self.text("study", required=False) or "wilayah studi")
        if isinstance(value, str):
            return Area(value)
        if not isinstance(value, Mapping):
            self.fail("area", value, "a name, or {name: ..., level: ...}")
        self.unknown(value, ("name", "level"), "area.")
        level = value.get("level", "kabupaten")
        if level not in AREA_LEVELS:
            self.fail("area.level", level, f"one of {', '.join(AREA_LEVELS)}")
        name = self.text("area.name", True, value.get("name"))
        return Area(name, level)

    def columns(self, key: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.fail(key, value, "a column name or a list of column names")
        return tuple(value)

    def design(self) -> DesignSpec:
        value = self.raw.get("design", "srs")
        if value in ("srs", None):
            return DesignSpec()
        if isinstance(value, str):
            self.fail("design", value, "'srs' or {weights:, strata:, psu:, fpc:, ssu:, fpc2:, lonely_psu:}")
        if not isinstance(value, Mapping):
            self.fail("design", value, "'srs' or a set of design keys")
        self.unknown(value, _DESIGN_KEYS, "design.")
        single = {k: self.text(f"design.{k}", False, value.get(k)) for k in ("weights", "psu", "fpc", "ssu", "fpc2")}
        lonely = value.get("lonely_psu", "fail")
        if lonely not in LONELY_PSU:
            self.fail("design.lonely_psu", lonely, f"one of {', '.join(LONELY_PSU)}")
        if single["fpc2"] and not (single["fpc"] and single["psu"] and single["ssu"]):
            raise StudyError(f"{self.name}: key 'design.fpc2' (second-stage FPC) needs design.psu, design.fpc "
                             "and design.ssu (the second-stage unit, e.g. the respondent id)")
        return DesignSpec(strata=self.columns("design.strata", value.get("strata")), lonely_psu=lonely, **single)

    def levels(self) -> tuple[tuple[str, ...], ...]:
        value = self.raw.get("levels")
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail("levels", value, "a list of group columns (a list inside for a cross, e.g. [unit, periode])")
        out = [self.columns(f"levels[{i}]", v) for i, v in enumerate(value, start=1)]
        if len(set(out)) < len(out):
            twice = next(lv for lv in out if out.count(lv) > 1)
            raise StudyError(f"{self.name}: key 'levels' lists {' x '.join(twice)} twice")
        return tuple(out)

    def names(self) -> dict[str, str]:
        value = self.raw.get("names") or {}
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            self.fail("names", value, "a set of 'column: display-name column' pairs, e.g. {unit: nama_unit}")
        return {str(k): v for k, v in value.items()}

    def optional_column(self, key: str) -> str | bool | None:
        value = self.raw.get(key)
        if value is False:
            return False
        return self.text(key, required=False)

    def importance(self) -> tuple[str, ...] | bool | None:
        value = self.raw.get("importance")
        if value is None or value is False:
            return value
        return self.columns("importance", value)

    def number(self, key: str, value, low: float = 25.0, high: float = 100.0) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.fail(key, value, f"a number from {low:g} to {high:g}")
        return float(value)

    def mapping(self, key: str, allowed: Sequence[str]) -> Mapping | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.fail(key, value, f"a set of keys ({', '.join(allowed)})")
        self.unknown(value, allowed, f"{key}.")
        return value

    def targets(self) -> Targets | None:
        value = self.raw.get("targets")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Targets(area=self.number("targets", value), default=self.number("targets", value))
        value = self.mapping("targets", _TARGET_KEYS)
        if value is None:
            return None
        units = value.get("units") or {}
        if not isinstance(units, Mapping):
            self.fail("targets.units", units, "a set of 'unit code: target' pairs")
        return Targets(area=None if value.get("area") is None else self.number("targets.area", value["area"]),
                       units={k: self.number(f"targets.units.{k}", v) for k, v in units.items()},
                       default=None if value.get("default") is None else self.number("targets.default",
                                                                                      value["default"]))

    def previous(self) -> Previous | None:
        value = self.mapping("previous", _PREVIOUS_KEYS)
        if value is None:
            return None
        ci = value.get("ci")
        if ci is not None and not (isinstance(ci, list) and len(ci) == 2 and ci[0] < ci[1]):
            self.fail("previous.ci", ci, "two numbers [lower, upper]")
        n = value.get("n")
        return Previous(
            label=self.text("previous.label", True, value.get("label")),
            ikm=None if value.get("ikm") is None else self.number("previous.ikm", value["ikm"]),
            se=None if value.get("se") is None else self.number("previous.se", value["se"], 0.0, 50.0),
            ci=None if ci is None else (self.number("previous.ci", ci[0]), self.number("previous.ci", ci[1])),
            n=None if n is None else self.integer("previous.n", n, 2),
            units=None if value.get("units") is None else self.resolve("previous.units", value["units"]))

    def external(self) -> ExternalSpec | None:
        value = self.raw.get("external")
        if value is None or isinstance(value, str):
            return None if value is None else ExternalSpec(self.resolve("external", value))
        value = self.mapping("external", _EXTERNAL_KEYS)
        since = self.integer("external.since", value.get("since", 2022), 2000)
        categories = value.get("categories") or {}
        wanted = ("a set of 'category: [lowest value, zone]' pairs, highest first, zone one of "
                  f"{', '.join(EXTERNAL_ZONES)} (e.g. A: [88.01, hijau])")
        if not isinstance(categories, Mapping):
            self.fail("external.categories", categories, wanted)
        rows = []
        for name, rule in categories.items():
            if (not isinstance(rule, list) or len(rule) != 2 or isinstance(rule[0], bool)
                    or not isinstance(rule[0], (int, float)) or rule[1] not in EXTERNAL_ZONES):
                self.fail(f"external.categories.{name}", rule, "[lowest value, zone] with zone one of "
                                                               f"{', '.join(EXTERNAL_ZONES)}")
            rows.append((str(name), float(rule[0]), str(rule[1])))
        if any(b[1] >= a[1] for a, b in zip(rows, rows[1:])):
            self.fail("external.categories", categories, "categories from the highest lowest value down")
        if rows and rows[-1][1] > 0:
            self.fail("external.categories", categories, f"{wanted}; the last one starting at 0")
        return ExternalSpec(self.resolve("external.file", value.get("file")), since, tuple(rows))

    def periods(self) -> PeriodsSpec | None:
        value = self.mapping("periods", _PERIODS_KEYS)
        if value is None:
            return None
        if not self.raw.get("period"):
            raise StudyError(f"{self.name}: key 'periods' orders the values of the period column; name that column "
                             "in key 'period' too")
        order = value.get("order")
        if (not isinstance(order, list) or len(order) < 2 or not all(isinstance(p, (str, int)) for p in order)
                or len({str(p) for p in order}) != len(order)):
            self.fail("periods.order", order, "a list of two or more different periods, earliest first, "
                                              "written as in the data (e.g. [2019, 2021, 2023])")
        times = value.get("times")
        if times is not None:
            if (not isinstance(times, list) or len(times) != len(order)
                    or not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in times)):
                self.fail("periods.times", times, f"a list of {len(order)} numbers, one per period of periods.order")
            if any(b <= a for a, b in zip(times, times[1:])):
                self.fail("periods.times", times, "increasing numbers (the times of periods.order, earliest first)")
        return PeriodsSpec(tuple(str(p) for p in order), None if times is None else tuple(float(t) for t in times))

    def series(self) -> SeriesSpec | None:
        value = self.mapping("series", _SERIES_KEYS)
        if value is None:
            return None
        studies = value.get("studies")
        if not isinstance(studies, list) or not studies:
            self.fail("series.studies", studies, "a list of earlier study files, oldest first")
        labels = value.get("labels") or []
        if labels and len(labels) != len(studies):
            self.fail("series.labels", labels, f"one label per study ({len(studies)})")
        rename = value.get("rename") or {}
        if not isinstance(rename, Mapping):
            self.fail("series.rename", rename, "a set of 'old code: new code' pairs")
        paths = []
        for i, item in enumerate(studies, start=1):
            path = self.folder / str(item) if not Path(str(item)).is_absolute() else Path(str(item))
            path = path / STUDY_FILE if path.is_dir() else path
            if not path.is_file():
                raise StudyError(f"{self.name}: study file '{item}' of key 'series.studies' not found")
            paths.append(path)
        return SeriesSpec(tuple(paths), tuple(str(x) for x in labels), {str(k): str(v) for k, v in rename.items()})

    def online(self, unit: str | None, period: str | None) -> OnlineSpec:
        value = self.mapping("online", _ONLINE_KEYS)
        if value is None:
            return OnlineSpec()
        combine = value.get("combine", "separate")
        if combine not in COMBINE:
            self.fail("online.combine", combine, f"one of {', '.join(COMBINE)}")
        volume = value.get("volume", self.raw.get("frame"))
        cells = self.columns("online.cells", value.get("cells")) or tuple(c for c in (unit, period) if c)
        if volume is not None and not cells:
            raise StudyError(f"{self.name}: key 'online.cells' is missing; it names the columns of the volume "
                             "table's cells (e.g. [unit, periode])")
        variables = value.get("variables") or []
        if isinstance(variables, str):
            variables = [variables]
        if not isinstance(variables, list):
            self.fail("online.variables", variables, "a list of columns (a list inside for a crossed margin)")
        margins = value.get("margins")
        if (margins is None) != (not variables):
            raise StudyError(f"{self.name}: keys 'online.margins' (the table) and 'online.variables' (its columns) "
                             "go together")
        if margins is not None and volume is None:
            raise StudyError(f"{self.name}: key 'online.margins' needs 'online.volume' (the visits or transactions "
                             "per unit and period the online answers are first weighted to)")
        scale = value.get("scale", True)
        if not isinstance(scale, (bool, str)):
            self.fail("online.scale", scale, "true, false or a column name")
        return OnlineSpec(
            volume=None if volume is None else self.resolve("online.volume", volume),
            count=self.text("online.count", False, value.get("count")) or "jumlah",
            cells=cells if volume is not None else (),
            margins=None if margins is None else self.resolve("online.margins", margins),
            variables=tuple(self.columns(f"online.variables[{i}]", v) for i, v in enumerate(variables, 1)),
            margins_count=self.text("online.margins_count", False, value.get("margins_count")) or "jumlah",
            scale=scale, combine=combine)

    def weighting(self) -> WeightingSpec:
        value = self.raw.get("weighting")
        if value is None:
            return WeightingSpec()
        if isinstance(value, str):
            value = {"method": value}
        if not isinstance(value, Mapping):
            self.fail("weighting", value, "{method: none | design | poststratify | rake | calibrate, ...}")
        self.unknown(value, _WEIGHTING_KEYS, "weighting.")
        method = value.get("method", "design")
        if method not in WEIGHTING_METHODS:
            self.fail("weighting.method", method, f"one of {', '.join(WEIGHTING_METHODS)}")
        calfun = value.get("calfun", "raking")
        if calfun not in CALFUNS:
            self.fail("weighting.calfun", calfun, f"one of {', '.join(CALFUNS)}")
        targets = value.get("targets", "known")
        if targets not in TARGET_KINDS:
            self.fail("weighting.targets", targets, "'known' (census, register) or 'estimated' (from the sample)")
        adjusts = method in ("poststratify", "rake", "calibrate")
        margins = value.get("margins")
        variables = value.get("variables")
        if adjusts and (margins is None or not variables):
            raise StudyError(f"{self.name}: weighting.method '{method}' needs weighting.margins (the population "
                             "table) and weighting.variables (its columns to match)")
        if not adjusts and (margins is not None or variables):
            raise StudyError(f"{self.name}: weighting.margins/variables are given but weighting.method is "
                             f"'{method}'; choose poststratify, rake or calibrate to use them")
        if isinstance(variables, str):
            variables = [variables]
        if variables is not None and not isinstance(variables, list):
            self.fail("weighting.variables", variables, "a list of columns (a list inside for a crossed margin)")
        scale = value.get("scale", True)
        if not isinstance(scale, (bool, str)):
            self.fail("weighting.scale", scale, "true, false or a column name")
        bounds = value.get("bounds")
        if bounds is not None and not (isinstance(bounds, list) and len(bounds) == 2
                                       and all(isinstance(b, (int, float)) for b in bounds) and bounds[0] < bounds[1]):
            self.fail("weighting.bounds", bounds, "two numbers [lower, upper] with lower < upper, e.g. [0.3, 3]")
        trim = value.get("trim")
        if trim is not None and (isinstance(trim, bool) or not isinstance(trim, (int, float)) or trim <= 1):
            self.fail("weighting.trim", trim, "a number above 1 (weights kept within [mean/k, k x mean])")
        collapse = value.get("collapse_min_n")
        return WeightingSpec(
            method=method,
            calfun=calfun,
            margins=self.resolve("weighting.margins", margins) if margins is not None else None,
            count=self.text("weighting.count", False, value.get("count")) or "jumlah",
            variables=tuple(self.columns(f"weighting.variables[{i}]", v) for i, v in enumerate(variables or [], 1)),
            scale=scale,
            keep_totals=self.columns("weighting.keep_totals", value.get("keep_totals")),
            targets=targets,
            bounds=tuple(float(b) for b in bounds) if bounds else None,
            trim=float(trim) if trim is not None else None,
            collapse_min_n=None if collapse is None else self.integer("weighting.collapse_min_n", collapse, 1),
        )
