"""The whole SKM study in one call: read -> validate -> design -> weights -> IKM with CI -> drivers -> IPA ->
recommendations, returned as one `StudyResults` that the report, the CLI, the notebooks and the dashboards
all read (nothing is computed twice).

Steps (each delegated to the module that owns it):

1. `riset.skm.exports.read_survey` reads the export with its codebook; every blanked or converted cell is kept in
   `StudyResults.survey.issues` (never dropped silently).
2. `riset.survey.design.SurveyDesign` describes the sampling design. For the bundled example (exit interviews,
   see `riset.study.example`): strata = unit x periode, PSU = sampled service day (`hari`) with stage-1 FPC
   `n_hari_layanan` (service days D), SSU = respondent with stage-2 FPC `n_pengunjung_hari` (visitors M
   that day), design weight ``bobot_desain`` = D/d x M/m (Lumley 2010, ch. 3; Cochran 1977, ch. 10-11).
3. `riset.survey.weighting.weight_to_population` with `riset.survey.weighting.REPORT_RECIPE` (raking calibration)
   adjusts the design weights so that within each kecamatan the weighted sex and age composition of the
   service users matches that of the residents 17+ (``contoh_margin_penduduk.csv``, scaled to the
   design-weighted visits of the kecamatan), while each unit x periode keeps its design-weighted total of
   visits (Deville & Sarndal 1992). The variance carries the calibration (residuals), as R `calibrate()`
   does. Notebook 02 and the pembobotan widget offer the same recipe as their default.
4. IKM and NRR per kabupaten, OPD, unit, periode and unit x periode with design-based SE and 95% CI
   (`riset.skm.ikm_design`), weight exactly 1/9 (PermenPAN-RB 14/2017), mutu with the probability of a
   different grade.
5. Key drivers of overall satisfaction K1 (`riset.skm.drivers`: LMG/Shapley share of R² with design bootstrap
   CIs), an out-of-sample check, IPA with stated importance and CSI (`riset.skm.ipa`), and ranked
   recommendations (`riset.skm.recommend`).

Example
-------
>>> from riset.study.run import run_study                     # doctest: +SKIP
>>> res = run_study("data/raw")                            # doctest: +SKIP
>>> res.kabupaten()[["ikm_konversi", "ci_low", "ci_high", "mutu"]]   # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from riset.study.example import FILES
from riset.survey.design import SurveyDesign
from riset.skm.drivers import OutOfSampleCheck, RelativeImportance, out_of_sample_check, relative_importance
from riset.errors import DataError, RisetError
from riset.skm.schemes import Scheme, get_scheme
from riset.skm.ikm_design import compare_periods, ikm_design
from riset.skm.exports import SurveyData, read_codebook, read_survey
from riset.skm.ipa import CsiResult, IpaResult, csi, ipa
from riset.skm.recommend import Recommendations, recommend
from riset.survey.replicate import as_replicate
from riset.i18n import check_language, fmt_ci, fmt_num
from riset.skm.schemes import kinerja_label
from riset.survey.margins import margin_from_table
from riset.survey.diagnostics import margin_shares, weight_summary
from riset.survey.weighting import REPORT_RECIPE, weight_to_population

Weighting = Literal["kalibrasi", "desain", "tanpa"]
WEIGHTINGS: tuple[str, ...] = ("kalibrasi", "desain", "tanpa")

#: Design of the bundled example study (columns of contoh_skm_responden.csv); `ssu` is the respondent id.
EXAMPLE_DESIGN: dict[str, object] = {
    "weights": "bobot_desain",
    "strata": ("unit", "periode"),
    "psu": "hari",
    "fpc": "n_hari_layanan",
    "fpc2": "n_pengunjung_hari",
}
#: Grouping levels of the IKM table, from the whole kabupaten down to unit x periode.
LEVELS: dict[str, tuple[str, ...]] = {
    "kabupaten": (),
    "periode": ("periode",),
    "opd": ("opd",),
    "unit": ("unit",),
    "unit_periode": ("unit", "periode"),
}
#: Demographic characteristics shown in the respondent profile (codebook role 'demographic').
PROFILE_ORDER = ("jenis_kelamin", "kelompok_umur", "pendidikan", "pekerjaan", "kecamatan")
_ONE = "_bobot_sama"
_FINAL = "_bobot_akhir"


@dataclass
class StudyResults:
    """Everything a seminar needs from one SKM study; tidy tables plus the objects they came from.

    Tables (pandas, one row per ...):
    - `ikm`: group at each level (`level` = kabupaten / periode / opd / unit / unit_periode) with
      n_responden, ikm, ikm_konversi, se, ci_low, ci_high (converted scale, 95%), mutu, kinerja, p_mutu_beda;
    - `nrr`: level x group x unsur with nrr, se, ci_low, ci_high (1-4 scale);
    - `profile`: variabel, kategori, n, persen (unweighted respondent profile);
    - `weights`: one row per respondent (bobot_desain, bobot_akhir); `weight_table`: Kish deff, n_eff,
      min/max per stage (`riset.survey.diagnostics.weight_summary`); `margins`: sex/age shares (%) of the
      population and of the sample unweighted / design-weighted / final-weighted;
    - `recommendations`: ranked unit x unsur improvements with text (`riset.skm.recommend`; Indonesian,
      `recommendations_in("en")` for English).
    - `period_change`: change in converted IKM from the first to the last periode (level kabupaten / unit):
      ikm_awal, ikm_akhir, selisih, se (with the covariance of the two periods), ci_low, ci_high, t, df,
      p_value, perubahan (naik / turun / tidak berubah bermakna at 95%; `riset.skm.ikm_design.compare_periods`);
      None when the data has fewer than two periods.
    Objects: `survey` (io), `designs` ('tanpa' equal weights, 'desain', and 'kalibrasi' when calibrated;
    `design` is the one the tables use), `drivers`,
    `drivers_check`, `ipa_result`, `csi_result`.
    """

    title: str
    scheme: Scheme
    survey: SurveyData
    unsur_map: dict[str, str]
    importance_map: dict[str, str]
    design_spec: dict[str, object]
    weighting: str
    designs: dict[str, SurveyDesign]
    ikm: pd.DataFrame
    nrr: pd.DataFrame
    profile: pd.DataFrame
    weights: pd.DataFrame
    weight_table: pd.DataFrame
    margins: pd.DataFrame | None
    drivers: RelativeImportance
    drivers_check: OutOfSampleCheck | None
    ipa_result: IpaResult
    csi_result: CsiResult
    recommend_result: dict[str, Recommendations]
    seed: int
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    period_change: pd.DataFrame | None = None

    # ------------------------------------------------------------------ convenient views
    @property
    def design(self) -> SurveyDesign:
        """The design with the final weights (calibrated, design or equal, per `weighting`)."""
        return self.designs[self.weighting]

    @property
    def design_base(self) -> SurveyDesign:
        """The design with the design weights (before calibration)."""
        return self.designs["desain"]

    def levels(self) -> list[str]:
        """The IKM levels of this study (those of `LEVELS` whose columns the data has)."""
        return list(dict.fromkeys(self.ikm["level"]))

    def level(self, name: str) -> pd.DataFrame:
        """IKM rows of one level ('kabupaten', 'periode', 'opd', 'unit', 'unit_periode')."""
        if name not in self.levels():
            raise RisetError(f"level {name!r} is not an IKM level of this study; levels: {', '.join(self.levels())}")
        return self.ikm[self.ikm["level"] == name].reset_index(drop=True)

    def kabupaten(self) -> pd.Series:
        """The kabupaten-wide IKM row (all respondents, all periods)."""
        return self.level("kabupaten").iloc[0]

    def nrr_of(self, level: str = "kabupaten", group: str | None = None) -> pd.DataFrame:
        """NRR per unsur of one group of a level (the kabupaten when `group` is None)."""
        part = self.nrr[self.nrr["level"] == level]
        if group is not None:
            part = part[part["group"] == group]
        if part.empty:
            raise RisetError(f"no NRR rows for level {level!r}, group {group!r}")
        return part.reset_index(drop=True)

    @property
    def ipa(self) -> pd.DataFrame:
        """IPA table (unsur, kode, nama, kinerja, kepentingan, tingkat_kesesuaian, kuadran, kuadran_label)."""
        return self.ipa_result.table

    @property
    def recommendations(self) -> pd.DataFrame:
        """Ranked recommendations (Indonesian text): prioritas, unit, nama_unit, unsur, nama, nrr, target_nrr,
        dampak_ikm, ikm_baru, mutu_baru, alasan, dampak, kegiatan, penanggung_jawab, waktu, indikator, ..."""
        return self.recommend_result["id"].table

    def recommendations_in(self, lang: str | None = None) -> Recommendations:
        """The `riset.skm.recommend.Recommendations` with text in `lang`."""
        return self.recommend_result[check_language(lang)]

    @property
    def n(self) -> int:
        """Number of respondents read (rows of the export)."""
        return len(self.survey.data)

    def drivers_table(self) -> pd.DataFrame:
        """Relative importance per unsur as shares of R² (importance, ci_low, ci_high: 0-1), best first."""
        t = self.drivers.table
        out = pd.DataFrame({"unsur": t["unsur"], "nama": t["nama"], "importance": t["lmg"] / self.drivers.r2})
        if "lmg_lo" in t.columns:
            out["ci_low"] = t["lmg_lo"] / self.drivers.r2
            out["ci_high"] = t["lmg_hi"] / self.drivers.r2
        out["peringkat"] = t["peringkat"].to_numpy()
        return out.sort_values("peringkat", kind="stable").reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the study by sheet name (for XLSX export)."""
        sheets = {
            "IKM": self.ikm,
            "NRR": self.nrr,
            "IPA": self.ipa,
            "CSI": self.csi_result.index,
            "CSI per unsur": self.csi_result.table,
            "Faktor penentu": self.drivers.table,
            "Rekomendasi": self.recommendations,
            "Profil responden": self.profile,
            "Bobot": self.weight_table,
            "Masalah data": self.survey.issues,
        }
        if self.margins is not None:
            sheets["Margin pembobotan"] = self.margins
        if self.period_change is not None:
            sheets["Perubahan periode"] = self.period_change
        sheets["Catatan"] = pd.DataFrame({"catatan": self.notes})
        return sheets

    # ------------------------------------------------------------------ text
    def methodology(self, lang: str | None = None) -> list[str]:
        """Methodology paragraphs (design, weighting, IKM formula with the 1/9 weight, CIs, drivers)."""
        lang = check_language(lang)
        spec = self.design_spec
        strata = [spec["strata"]] if isinstance(spec.get("strata"), str) else list(spec.get("strata") or [])
        n_strata = self.survey.data.groupby(strata).ngroups if strata else 1
        n_psu = self.survey.data[spec["psu"]].nunique() if spec.get("psu") else self.n
        two_stage = dict(spec) == {**EXAMPLE_DESIGN, "ssu": spec.get("ssu")}
        k = len(self.scheme.unsur)
        ci_text = "selang kepercayaan 95%" if lang == "id" else "95% confidence interval"
        if lang == "id":
            design = (
                f"Survei ini memakai desain sampel dua tahap berstrata: strata = unit layanan × periode ({n_strata} strata); "
                f"unit sampling primer (PSU) = hari layanan yang terpilih secara acak ({n_psu} hari), dengan koreksi populasi "
                f"terhingga dari jumlah hari layanan per periode; unit tahap kedua = pengunjung yang diwawancarai saat keluar "
                f"(exit interview), dengan koreksi populasi terhingga dari jumlah pengunjung hari itu. Bobot desain = "
                f"(D/d) × (M/m). Galat baku dihitung dengan linearisasi Taylor sesuai desain (Lumley 2010; paket R survey)."
            )
            weighting = {
                "kalibrasi": "Bobot desain dikalibrasi (raking; Deville & Särndal 1992) sehingga komposisi jenis kelamin dan "
                             "kelompok umur pengguna layanan di tiap kecamatan sama dengan penduduk 17+ (data margin "
                             "penduduk), sementara total kunjungan tiap unit × periode tetap. Galat baku memperhitungkan "
                             "kalibrasi (residual regresi), seperti fungsi calibrate() di R survey.",
                "desain": "Estimasi memakai bobot desain tanpa kalibrasi.",
                "tanpa": "Estimasi memakai bobot yang sama untuk setiap responden (tanpa pembobotan), "
                         "seperti perhitungan SKM konvensional; galat baku tetap memperhitungkan strata dan klaster.",
            }[self.weighting]
            formula = (
                f"Nilai rata-rata (NRR) tiap unsur = jumlah nilai jawaban / jumlah jawaban yang terisi (jawaban kosong tidak "
                f"dihitung). IKM = Σ NRR × bobot, dengan bobot tertimbang tepat 1/{k} (bukan 0,11 yang membuat nilai sempurna "
                f"menjadi 99,00), lalu dikonversi × 25 (skala 25–100) dan dikategorikan menurut {self.scheme.title}: "
                f"88,31–100 A (Sangat Baik), 76,61–88,30 B (Baik), 65,00–76,60 C (Kurang Baik), 25,00–64,99 D (Tidak Baik). "
                f"Setiap IKM disertai {ci_text} berbasis desain dan peluang bahwa mutu sebenarnya berbeda dari mutu titik."
            )
            drivers = (
                f"Faktor penentu kepuasan: regresi kepuasan keseluruhan (K1, skala 1–10) atas {k} unsur, dengan kepentingan "
                f"relatif LMG/Shapley (bagian R²; Lindeman, Merenda & Gold 1980) dan selang kepercayaan bootstrap sesuai "
                f"desain{'; diperiksa di luar sampel dengan gradient boosting' if self.drivers_check else ''}. "
                f"Importance-Performance Analysis memakai kepentingan yang dinyatakan responden (P1–P{k})."
            )
        else:
            design = (
                f"The survey uses a stratified two-stage design: strata = service unit × period ({n_strata} strata); primary "
                f"sampling units (PSU) = randomly selected service days ({n_psu} days) with a finite population correction "
                f"from the number of service days per period; second stage = visitors interviewed on exit, with a finite "
                f"population correction from that day's visitors. Design weight = (D/d) × (M/m). Standard errors use Taylor "
                f"linearisation under the design (Lumley 2010; R package survey)."
            )
            weighting = {
                "kalibrasi": "Design weights were calibrated (raking; Deville & Särndal 1992) so that within each district the "
                             "sex and age composition of service users matches residents aged 17+, keeping each unit × "
                             "period's total visits. Standard errors account for the calibration, as R survey's calibrate().",
                "desain": "Estimates use the design weights without calibration.",
                "tanpa": "Estimates weight every respondent equally (no weighting), as conventional SKM calculators do; "
                         "standard errors still account for strata and clusters.",
            }[self.weighting]
            formula = (
                f"Mean score (NRR) per element = sum of answers / number of answers given (blanks excluded). IKM = Σ NRR × "
                f"weight with the weight exactly 1/{k} (not 0.11, which turns a perfect score into 99.00), converted × 25 "
                f"(scale 25–100) and graded per {self.scheme.title}: 88.31–100 A, 76.61–88.30 B, 65.00–76.60 C, "
                f"25.00–64.99 D. Every IKM has a design-based {ci_text} and the probability that the true grade differs."
            )
            drivers = (
                f"Key drivers: regression of overall satisfaction (K1, 1–10) on the {k} elements, with LMG/Shapley "
                f"relative importance (share of R²) and design bootstrap CIs"
                f"{', checked out of sample with gradient boosting' if self.drivers_check else ''}. "
                f"The Importance-Performance Analysis uses stated importance (P1–P{k})."
            )
        if not two_stage:
            design = _design_text(spec, strata, n_strata, n_psu, lang)
        return [design, weighting, formula, drivers]

    def headline(self, lang: str | None = None) -> str:
        """One sentence: the kabupaten IKM with CI, mutu and n."""
        lang = check_language(lang)
        row = self.kabupaten()
        value, ci = fmt_num(row["ikm_konversi"], 2, lang), fmt_ci(row["ci_low"], row["ci_high"], 2, lang)
        kinerja = kinerja_label(row["mutu"], lang, self.scheme)
        n = fmt_num(row["n_responden"], 0, lang)
        if lang == "id":
            return (f"IKM kabupaten {value} (SK 95% {ci}), mutu {row['mutu']} ({kinerja}), "
                    f"dari {n} responden.")
        return f"Regency IKM {value} (95% CI {ci}), grade {row['mutu']} ({kinerja}), from {n} respondents."

    def summary(self) -> str:
        shown = self.level("unit")[["unit", "nama_unit", "n_responden", "ikm_konversi", "ci_low", "ci_high", "mutu"]]
        return "\n".join([self.title, self.headline(), shown.round(2).to_string(index=False), *self.notes])

    def __repr__(self) -> str:
        return self.summary()


def _design_text(spec: Mapping[str, object], strata: list[str], n_strata: int, n_psu: int, lang: str) -> str:
    """Methodology sentence for a design other than the example's two-stage exit-interview design."""
    psu, weights = spec.get("psu"), spec.get("weights")
    if lang == "id":
        parts = [f"strata = {' × '.join(strata)} ({n_strata} strata)" if strata else "tanpa strata",
                 f"unit sampling primer (PSU) = {psu} ({n_psu} PSU)" if psu else "setiap responden adalah PSU-nya sendiri",
                 f"bobot desain dari kolom {weights}" if weights else "bobot dari koreksi populasi terhingga atau sama"]
        return (f"Desain sampel: {'; '.join(parts)}"
                f"{'; dengan koreksi populasi terhingga (' + str(spec['fpc']) + ')' if spec.get('fpc') else ''}. "
                f"Galat baku dihitung dengan linearisasi Taylor sesuai desain (Lumley 2010; paket R survey).")
    parts = [f"strata = {' × '.join(strata)} ({n_strata} strata)" if strata else "no strata",
             f"primary sampling units (PSU) = {psu} ({n_psu} PSUs)" if psu else "each respondent is its own PSU",
             f"design weights from column {weights}" if weights else "weights from the finite population correction or equal"]
    return (f"Sampling design: {'; '.join(parts)}"
            f"{'; with a finite population correction (' + str(spec['fpc']) + ')' if spec.get('fpc') else ''}. "
            f"Standard errors use Taylor linearisation under the design (Lumley 2010; R package survey).")


# ---------------------------------------------------------------------------------------------- pipeline
def run_study(
    data_dir: str | Path = "data/raw",
    *,
    survey_file: str | Path | None = None,
    codebook_file: str | Path | None = None,
    margin_file: str | Path | None = None,
    design: Mapping[str, object] | None = None,
    weighting: Weighting = "kalibrasi",
    overall: str = "K1",
    n_replicates: int = 100,
    out_of_sample: bool = True,
    seed: int = 2026,
    progress: bool = False,
) -> StudyResults:
    """Run the whole study on a survey export and return `StudyResults`.

    Parameters
    ----------
    data_dir : folder with the study files; defaults to the bundled example's names (`riset.study.example.FILES`).
    survey_file, codebook_file, margin_file : override a file (absolute, or relative to `data_dir`).
        Without margins, `weighting='kalibrasi'` is refused (choose 'desain' or 'tanpa').
    design : design columns for `SurveyDesign` (weights, strata, psu, fpc, fpc2); the respondent id is the
        second-stage unit. Default: the example's design (`EXAMPLE_DESIGN`). Other data: e.g.
        ``{"weights": None, "strata": "unit", "psu": None}`` for a simple random sample per unit.
        The data needs a 'unit' column; levels whose columns are absent (periode, opd) are skipped with a note.
        Calibration ('kalibrasi') needs kecamatan, jenis_kelamin, kelompok_umur and a margin table with them.
    weighting : 'kalibrasi' (design weights raked to the population margins), 'desain' or 'tanpa' (equal
        weights; the variance still follows strata and PSUs).
    overall : the overall-satisfaction column (codebook role 'overall').
    n_replicates : bootstrap replicates (Rao-Wu, seeded) for the driver CIs.
    out_of_sample : run the cross-validated boosting check of the driver ranking.
    seed : seed of every random step (bootstrap replicates, cross-validation folds).
    """
    if weighting not in WEIGHTINGS:
        raise RisetError(f"weighting={weighting!r} is not allowed; choose one of: {', '.join(WEIGHTINGS)}")
    folder = Path(data_dir)
    paths = {
        "responden": _path(folder, survey_file, FILES["responden"]),
        "codebook": _path(folder, codebook_file, FILES["codebook"]),
        "margin": _path(folder, margin_file, FILES["margin"]) if (margin_file or weighting == "kalibrasi") else None,
    }
    survey = read_survey(paths["responden"], read_codebook(paths["codebook"]))
    cb = survey.codebook
    scheme = get_scheme(cb.scheme)
    unsur_map, importance_map = cb.unsur_map("unsur"), cb.unsur_map("importance")
    notes = [survey.summary()]
    spec = dict(EXAMPLE_DESIGN if design is None else design)
    spec["ssu"] = cb.id
    data = survey.data.copy()
    if "unit" not in data.columns:
        raise DataError("the survey has no 'unit' column: the study reports the IKM per unit layanan; "
                        "add it to the export and to the codebook (role: group)")
    if "nama_unit" not in data.columns:
        data["nama_unit"] = data["unit"].astype(str)
    levels = {name: by for name, by in LEVELS.items() if set(by) <= set(data.columns)}
    skipped = [name for name in LEVELS if name not in levels]
    if skipped:
        notes.append(f"Tingkat {', '.join(skipped)} dilewati karena kolomnya tidak ada di data.")
    data[_ONE] = 1.0

    base = _design(data, spec, weights=spec.get("weights"))
    equal = _design(data, spec, weights=_ONE)
    margins_table = None
    if weighting == "kalibrasi":
        final, margins_table, note = _calibrated(base, paths["margin"])
        notes.append(note)
    else:
        final = base if weighting == "desain" else equal
    designs = {"tanpa": equal, "desain": base, **({"kalibrasi": final} if weighting == "kalibrasi" else {})}
    ikm_table, nrr_table = _ikm_tables(final, unsur_map, scheme, levels)
    period_change = _period_change(final, unsur_map, scheme, levels, notes)
    final_data = data.assign(**{_FINAL: np.asarray(final.weights)})
    drivers, check = _drivers(final_data, final, overall, unsur_map, spec.get("psu"), n_replicates, out_of_sample,
                              seed, progress)
    notes += drivers.notes
    ipa_result = ipa(final_data, unsur_map, importance_map, weights=_FINAL)
    csi_result = csi(ipa_result)
    ipa_units = ipa(final_data, unsur_map, importance_map, weights=_FINAL, by="unit")
    results_unit = ikm_table[ikm_table["level"] == "unit"]
    nrr_unit = nrr_table[nrr_table["level"] == "unit"]
    return StudyResults(
        title=cb.study,
        scheme=scheme,
        survey=survey,
        unsur_map=unsur_map,
        importance_map=importance_map,
        design_spec=spec,
        weighting=weighting,
        designs=designs,
        ikm=ikm_table,
        nrr=nrr_table,
        profile=profile(survey.data, [c for c in PROFILE_ORDER if c in cb.columns("demographic")],
                        order={c: list(spec.labels.values()) for c, spec in cb.specs.items() if spec.labels}),
        weights=pd.DataFrame({"id_responden": data[cb.id].to_numpy(), "bobot_desain": np.asarray(base.weights),
                              "bobot_akhir": np.asarray(final.weights)}, index=data.index),
        weight_table=weight_summary({"desain": base, "akhir": final}),
        margins=margins_table,
        drivers=drivers,
        drivers_check=check,
        ipa_result=ipa_result,
        csi_result=csi_result,
        recommend_result={lang: recommend(SimpleNamespace(table=results_unit, nrr=nrr_unit), ipa_units, drivers,
                                          lang=lang, scheme=scheme) for lang in ("id", "en")},
        seed=seed,
        sources={k: str(v) for k, v in paths.items() if v is not None},
        notes=notes,
        period_change=period_change,
    )


@dataclass
class StudyView:
    """One selection of a study (a domain: unit / OPD / periode / demographic filters) under one weighting.

    `ikm`: the domain's IKM row (n_responden, ikm_konversi, se, ci_low, ci_high, mutu, kinerja, p_mutu_beda);
    `nrr`: NRR per unsur with CI; `ipa`: IPA of the domain (stated importance); `recommendations`: the
    study's recommendations for the units in the domain.
    """

    selection: dict[str, str]
    weighting: str
    ikm: pd.Series
    nrr: pd.DataFrame
    ipa: IpaResult
    recommendations: pd.DataFrame


def view(results: StudyResults, selection: Mapping[str, object] | None = None, weighting: str | None = None) -> StudyView:
    """IKM with CI, NRR, IPA and recommendations for one domain of the study, from the stored designs.

    Domain estimation keeps the full design (weights zero outside the domain, as `subset()` in R survey),
    so the SEs are those of a domain, not of a separate small survey (Lumley 2010, sec. 2.3.1).

    Parameters
    ----------
    selection : column -> value, e.g. ``{"unit": "PKM-KOTA", "jenis_kelamin": "Perempuan"}``; None or a
        None value = no restriction on that column.
    weighting : 'kalibrasi', 'desain' or 'tanpa' (default: the study's own weighting).

    >>> v = view(res, {"unit": "PKM-KOTA"}, weighting="tanpa")   # doctest: +SKIP
    >>> v.ikm["ikm_konversi"], v.ikm["ci_low"], v.ikm["ci_high"]  # doctest: +SKIP
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
                                       {"domain": ()})
    part = data.loc[mask].assign(**{_FINAL: np.asarray(design.weights)[mask.to_numpy()]})
    ipa_result = ipa(part, results.unsur_map, results.importance_map, weights=_FINAL)
    rec = results.recommendations
    rec = rec[rec["unit"].isin(part["unit"].unique())]
    return StudyView(chosen, weighting, ikm_table.iloc[0], nrr_table.drop(columns=["level", "group"]), ipa_result,
                     rec.reset_index(drop=True))


def _path(folder: Path, given, default: str) -> Path:
    path = Path(given) if given is not None else Path(default)
    path = path if path.is_absolute() else folder / path
    if not path.exists():
        raise DataError(f"study file '{path}' not found; give the folder of the study files or the file itself")
    return path


def _design(data: pd.DataFrame, spec: Mapping[str, object], weights: str | None) -> SurveyDesign:
    strata = spec.get("strata")
    return SurveyDesign(
        data,
        weights=weights,
        strata=list(strata) if isinstance(strata, (list, tuple)) else strata,
        psu=spec.get("psu"),
        fpc=spec.get("fpc"),
        ssu=spec.get("ssu") if spec.get("fpc2") else None,
        fpc2=spec.get("fpc2"),
    )


def _calibrated(base: SurveyDesign, margin_path: Path) -> tuple[SurveyDesign, pd.DataFrame, str]:
    """The study's weights: `riset.survey.weighting.REPORT_RECIPE` (raking to kecamatan x sex and kecamatan x age,
    resident composition scaled to each kecamatan's design-weighted visits, and to the design-weighted visits
    of each unit x periode); the margin table compares overall sex and age shares of residents and sample."""
    population = pd.read_csv(margin_path)
    run = weight_to_population(base, population, **REPORT_RECIPE)
    table = margin_shares({"desain": base, "akhir": run.design},
                          [margin_from_table(population, var) for var in ("jenis_kelamin", "kelompok_umur")])
    note = (f"Bobot dikalibrasi (raking) ke {len(run.margins)} margin: kecamatan × jenis kelamin, kecamatan × kelompok "
            f"umur (komposisi penduduk 17+), dan unit × periode (total kunjungan).")
    return run.design, table, note


def _ikm_tables(design: SurveyDesign, unsur_map: Mapping[str, str], scheme: Scheme,
                levels: Mapping[str, Sequence[str]] = LEVELS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IKM and NRR with design-based SE/CI (`riset.skm.ikm_design`) at every level; groups are domains of the
    full design."""
    tables, nrrs = [], []
    for level, by in levels.items():
        res = ikm_design(design, unsur_map, by=list(by) or None, scheme=scheme)
        t = res.table.copy()
        t.insert(0, "level", level)
        t.insert(1, "group", _group_names(t, by))
        tables.append(t)
        n = res.nrr.copy()
        n.insert(0, "level", level)
        n.insert(1, "group", _group_names(n, by))
        nrrs.append(n)
    inside = np.asarray(design.weights) > 0
    return _add_names(pd.concat(tables, ignore_index=True), design.data.loc[inside]), pd.concat(nrrs, ignore_index=True)


def _period_change(design: SurveyDesign, unsur_map: Mapping[str, str], scheme: Scheme,
                   levels: Mapping[str, Sequence[str]], notes: list[str]) -> pd.DataFrame | None:
    """Change in IKM from the first to the last periode, kabupaten-wide and per unit (`compare_periods`, 95%);
    None (with a note) when the data has fewer than two periods."""
    if "periode" not in levels:
        return None
    if design.data.loc[np.asarray(design.weights) > 0, "periode"].nunique() < 2:
        notes.append("Hanya satu periode: perubahan IKM antar periode tidak diuji.")
        return None
    tables = []
    for level, by in (("kabupaten", []), ("unit", ["unit"])):
        res = compare_periods(design, unsur_map, by=by or None, scheme=scheme)
        t = res.table.copy()
        t.insert(0, "level", level)
        t.insert(1, "group", _group_names(t, by))
        tables.append(t)
        notes += [n for n in res.notes if n not in notes]
    inside = np.asarray(design.weights) > 0
    return _add_names(pd.concat(tables, ignore_index=True), design.data.loc[inside])


def _group_names(table: pd.DataFrame, by: Sequence[str]) -> list[str]:
    if not by:
        return ["Kabupaten"] * len(table)
    return [" / ".join(str(v) for v in row) for row in table[list(by)].itertuples(index=False)]


def _add_names(table: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    if "unit" in table.columns and "nama_unit" in data.columns:
        names = data.drop_duplicates("unit").set_index("unit")["nama_unit"]
        table.insert(table.columns.get_loc("unit") + 1, "nama_unit", table["unit"].map(names))
        if "opd" in data.columns:
            opd = data.drop_duplicates("unit").set_index("unit")["opd"]
            table["opd"] = table["opd"].fillna(table["unit"].map(opd)) if "opd" in table.columns else table["unit"].map(opd)
    return table


def _drivers(data, final, overall, unsur_map, psu, n_replicates, out_of_sample, seed, progress):
    # Rao-Wu bootstrap of the final design; calibration factors are held fixed in the replicates (as R does
    # for a calibrated design converted with as.svrepdesign)
    replicates = as_replicate(final, type="bootstrap", replicates=n_replicates, seed=seed, calibrated="fixed")
    drivers = relative_importance(data, overall, unsur_map, weights=_FINAL, replicate_weights=replicates.replicate_weights,
                                  progress=progress)
    check = None
    if out_of_sample:
        # folds keep each PSU (service day) together
        check = out_of_sample_check(data, overall, unsur_map, weights=_FINAL, reference=drivers, groups=psu,
                                    n_repeats=3, seed=seed, progress=progress)
    return drivers, check


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
