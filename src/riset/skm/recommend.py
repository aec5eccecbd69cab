"""What each service unit should do first: targets that follow the unit's own position, one ranking quantity,
concrete actions from an editable catalogue, a synthesis over the area, and the units that need attention first.

Target: the unit's next mutu band (a unit graded C aims at B, B at A; an A unit keeps A), read on the unsur
scale as the band's cut-off (PermenPAN-RB 14/2017: A 88.31 / 25 = 3.5324, B 76.61 / 25 = 3.0644, C 2.60;
KepMenPAN 25/2004 has its own bands). Every unsur of the unit below that cut-off is a candidate.

Ranking quantity, in one sentence: **dampak = the IKM points the unit gains if this unsur's NRR reaches the
target, the other unsur unchanged** (exact, through the unsur weight w = 1/9: dampak = (target - NRR) x w x 25).
A unit's candidates are ranked by dampak; its first `per_unit` (default 3) are its actions, and a weak unsur
(a candidate) that respondents often complain about (complaint share of at least `complaint_share`, from the
open-text analysis) is added when it is not among them. IPA quadrant, driver share and complaint share are
shown as evidence beside the ranking, never multiplied into it.

Actions: from the catalogue (`riset/skm/data/tindakan.yaml`, or a study's own file merged over it), by the
unit's service type (recognised by keywords in its name or service-type column) and unsur, falling back to
the general service type; each with kegiatan, penanggung jawab, waktu and indikator.

Synthesis: per unsur, in how many units it is a candidate ("waktu is weak in 9 of 15 units"). Units that need
attention first: mutu D, then C, ..., lowest IKM first; a unit whose grade is uncertain (P(other grade) >= 0.2)
is marked.

Example
-------
>>> import pandas as pd
>>> from riset.skm.ikm import ikm
>>> from riset.skm.schemes import UNSUR_2017
>>> d = pd.DataFrame({u.key: [3, 3] for u in UNSUR_2017} | {"unit": ["A", "B"]})
>>> d.loc[0, "waktu"] = 2
>>> rec = recommend(ikm(d, {u.key: u.key for u in UNSUR_2017}, by="unit"))
>>> rec.actions[["unit", "unsur", "target_nrr"]].round(4).values.tolist()[0]
['A', 'waktu', 3.0644]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import yaml

from riset.errors import CodebookError, DataError
from riset.i18n import Note, check_language, fmt_num, label, say
from riset.skm.schemes import DEFAULT_SCHEME, Scheme, get_scheme, grade
from riset.yamlfile import read_yaml

__all__ = ["ACTION_FIELDS", "Recommendations", "action_for", "load_catalogue", "next_band_target", "recommend",
           "service_type"]

#: Fields of an action in the catalogue (each also in English with the suffix _en).
ACTION_FIELDS = ("kegiatan", "penanggung_jawab", "waktu", "indikator")
#: P(other grade) from which a unit's grade is called uncertain.
UNCERTAIN = 0.2


@dataclass
class Recommendations:
    """The recommendations of a study (see the module docstring); text fields in `lang`.

    `actions`: one row per unit x chosen unsur -- unit, nama_unit, jenis_layanan, urutan (rank in the unit),
    unsur, kode, nrr, nrr_ci_low, nrr_ci_high, target_nrr, target_mutu, dampak, ikm_konversi, mutu,
    ikm_jika_tercapai, mutu_jika_tercapai (cumulative over the unit's actions), kuadran, bagian_r2,
    bagian_keluhan, alasan (codes joined by ','), kegiatan, penanggung_jawab, waktu, indikator.
    `synthesis`: unsur, kode, n_prioritas (units where it is among the actions), n_unit (below target), n_total,
    unit_prioritas and unit (codes), most prioritised first.
    `priority_units`: urutan, unit, nama_unit, ikm_konversi, ci_low, ci_high, mutu, p_mutu_beda, n_unsur (below
    target), unsur (their codes), pasti (False when the grade is uncertain).
    `statistics`: every candidate with its numbers (for the report's appendix).
    """

    actions: pd.DataFrame
    synthesis: pd.DataFrame
    priority_units: pd.DataFrame
    statistics: pd.DataFrame
    lang: str
    notes: list[Note] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """The actions (the follow-up plan)."""
        return self.actions

    def to_frame(self) -> pd.DataFrame:
        return self.actions.copy()

    def summary(self, lang: str | None = None) -> str:
        """The synthesis, the units to start with and the actions per unit, in `lang` (codes as words)."""
        lang = check_language(lang)
        lines = [say("rec_title", lang)]
        lines += [say("rec_synthesis", lang, unsur=r["kode"], k=int(r["n_prioritas"]), n=int(r["n_unit"]),
                      total=int(r["n_total"]))
                  for _, r in self.synthesis.head(5).iterrows()]
        lines += [say("rec_priority", lang, unit=r["nama_unit"], ikm=fmt_num(r["ikm_konversi"], 2, lang),
                      mutu=r["mutu"], n=int(r["n_unsur"])) for _, r in self.priority_units.head(5).iterrows()]
        shown = self.actions[["unit", "urutan", "kode", "target_nrr", "dampak", "kegiatan"]].round(3)
        lines.append(shown.to_string(index=False))
        return "\n".join(lines + [say("note_prefix", lang, text=n.text(lang)) for n in self.notes])

    def __repr__(self) -> str:
        return self.summary()


# ------------------------------------------------------------------------------------------- catalogue
@lru_cache(maxsize=1)
def _bundled() -> dict:
    return yaml.safe_load(resources.files("riset.skm").joinpath("data", "tindakan.yaml").read_text("utf-8"))


def load_catalogue(extra: str | Path | None = None, scheme: str | Scheme = DEFAULT_SCHEME) -> dict:
    """The action catalogue: the bundled one, with a study's own file merged over it (its types added, its
    actions replacing the bundled ones of the same type and unsur). Checked: every action has the fields of
    `ACTION_FIELDS`, unsur are the scheme's, each type has keywords; one-line `CodebookError` otherwise."""
    catalogue = {"types": dict(_bundled()["types"]), "actions": {t: dict(a) for t, a in _bundled()["actions"].items()}}
    if extra is not None:
        path = Path(extra)
        own = read_yaml(path, CodebookError, "action catalogue") or {}
        if not isinstance(own, dict) or not set(own) <= {"types", "actions"}:
            raise CodebookError(f"'{path.name}': an action catalogue has the keys 'types' and 'actions'")
        catalogue["types"].update(own.get("types") or {})
        for kind, per_unsur in (own.get("actions") or {}).items():
            catalogue["actions"].setdefault(kind, {}).update(per_unsur or {})
    _check(catalogue, get_scheme(scheme), "tindakan.yaml" if extra is None else Path(extra).name)
    return catalogue


def _check(catalogue: dict, sch: Scheme, name: str) -> None:
    for kind, spec in catalogue["types"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("keywords", []), list):
            raise CodebookError(f"'{name}': type '{kind}' needs a list of keywords (keywords: [...])")
    if "umum" not in catalogue["actions"]:
        raise CodebookError(f"'{name}': the catalogue needs the general type 'umum'")
    for kind, per_unsur in catalogue["actions"].items():
        if kind not in catalogue["types"]:
            raise CodebookError(f"'{name}': actions for type '{kind}', which is not under 'types'")
        for unsur, actions in per_unsur.items():
            if unsur not in sch.keys and sch.key == DEFAULT_SCHEME:
                raise CodebookError(f"'{name}': '{kind}.{unsur}' is not an unsur of {sch.title}")
            if not isinstance(actions, list) or not actions:
                raise CodebookError(f"'{name}': '{kind}.{unsur}' needs a list of actions")
            for i, action in enumerate(actions, start=1):
                missing = [f for f in ACTION_FIELDS if not isinstance(action, dict) or not action.get(f)]
                if missing:
                    raise CodebookError(f"'{name}': action {i} of '{kind}.{unsur}' has no '{missing[0]}'")


def service_type(text: str, catalogue: Mapping) -> str:
    """The catalogue type whose keyword occurs in `text` (a unit's name or service type), else 'umum'.

    >>> service_type("Puskesmas Tanjung Kota", load_catalogue()), service_type("Kantor Arsip", load_catalogue())
    ('puskesmas', 'umum')
    """
    lowered = f" {str(text).lower()} "
    for kind, spec in catalogue["types"].items():
        if any(str(k).lower() in lowered for k in spec.get("keywords", [])):
            return kind
    return "umum"


def action_for(catalogue: Mapping, kind: str, unsur: str, lang: str | None = None,
               scheme: str | Scheme = DEFAULT_SCHEME) -> dict[str, str]:
    """The first catalogue action for a service type and unsur (falling back to the general type 'umum', then to
    a generic sentence), its fields in `lang` (a field without its _en text keeps the Indonesian, with the time
    units translated)."""
    lang, sch = check_language(lang), get_scheme(scheme)
    for source in (kind, "umum"):
        options = catalogue["actions"].get(source, {}).get(unsur)
        if options:
            chosen = options[0]
            # a field's text in `lang` (the catalogue's `<field>_en` in English), else the Indonesian; the time
            # units of a period ('1-3 bulan') in the language's words
            return {f: str(chosen.get(f"{f}_{lang}") or (_time_in(chosen[f], lang) if f == "waktu" else chosen[f]))
                    for f in ACTION_FIELDS}
    name = sch.get(unsur).name(lang)
    return {"kegiatan": say("rec_generic_action", lang, unsur=name), "penanggung_jawab": say("rec_generic_owner", lang),
            "waktu": say("rec_generic_time", lang), "indikator": say("rec_generic_indicator", lang, unsur=name)}


def _time_in(text: str, lang: str) -> str:
    """'1–3 bulan' -> '1–3 months' in English (the units from the catalog's `time_<unit>` labels)."""
    return re.sub(r"\b(hari|minggu|bulan|tahun)\b", lambda m: label(f"time_{m.group(1)}", lang), str(text))


# ------------------------------------------------------------------------------------------- targets
def next_band_target(mutu: str, scheme: str | Scheme = DEFAULT_SCHEME) -> tuple[float, str]:
    """The NRR cut-off (1-4 scale) of the band above `mutu` and that band's grade; an A unit keeps A.

    >>> next_band_target("C"), next_band_target("A")[1]
    ((3.0644, 'B'), 'A')
    """
    sch = get_scheme(scheme)
    grades = [b.mutu for b in sch.bands]  # highest first
    if mutu not in grades:
        raise DataError(f"mutu {mutu!r} is not a grade of {sch.title}")
    band = sch.bands[max(grades.index(mutu) - 1, 0)]
    return band.lower / sch.conversion, band.mutu


# ------------------------------------------------------------------------------------------- ranking
def recommend(ikm, ipa=None, drivers=None, complaints: pd.DataFrame | None = None, *, by: str = "unit",
              names: str | None = None, service: str | None = None, per_unit: int = 3, complaint_share: float = 0.2,
              catalogue: Mapping | None = None, lang: str | None = None,
              scheme: str | Scheme = DEFAULT_SCHEME) -> Recommendations:
    """Targets, ranked candidates, actions, synthesis and priority units (see the module docstring).

    Parameters
    ----------
    ikm : an IKM result with `.table` (one row per unit: `by`, ikm_konversi, mutu, optional ci_low/ci_high,
        p_mutu_beda, name and service-type columns) and `.nrr` (unit x unsur: `by`, unsur, nrr, optional bobot,
        ci_low, ci_high), e.g. `riset.skm.ikm.ikm(..., by="unit")` or `riset.skm.ikm_design.ikm_design`.
    ipa : IPA result (per unit, or one for all units) for the quadrant shown as evidence.
    drivers : a driver analysis (`riset.skm.drivers.DriverImportance`) or a Series of shares per unsur, for the
        evidence.
    complaints : unit x unsur complaint shares (columns `by`, unsur, share) from the open-text analysis.
    names, service : columns of `ikm.table` with the unit's display name and its service type (else the code).
    per_unit : the number of actions per unit (the first by dampak).
    catalogue : from `load_catalogue` (default: the bundled catalogue).
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    catalogue = load_catalogue(scheme=sch) if catalogue is None else catalogue
    units, nrr = _inputs(ikm, by, sch)
    names = names if names and names in units.columns else None
    units["nama_unit"] = units[names].astype(str) if names else units[by].astype(str)
    kind_text = units[service].astype(str) + " " + units["nama_unit"] if service and service in units.columns \
        else units["nama_unit"]
    units["jenis_layanan"] = [service_type(t, catalogue) for t in kind_text]
    notes = []
    blank = nrr["nrr"].isna()
    if blank.any():
        notes.append(Note("rec_blank_cells", {"n": int(blank.sum())}))
    nrr = nrr[~blank]

    info = units.set_index(units[by].astype(str))
    nrr = nrr.assign(_key=nrr[by].astype(str))
    mutu = nrr["_key"].map(info["mutu"])
    targets = [next_band_target(m, sch) for m in mutu]
    cand = nrr.assign(target_nrr=[t[0] for t in targets], target_mutu=[t[1] for t in targets])
    cand = cand[cand["nrr"] < cand["target_nrr"] - 1e-12].copy()
    weight = cand["bobot"] if "bobot" in cand.columns else sch.weight
    cand["dampak"] = (cand["target_nrr"] - cand["nrr"]) * weight * sch.conversion
    for column in ("ikm_konversi", "mutu", "nama_unit", "jenis_layanan"):
        cand[column] = cand["_key"].map(info[column])
    cand["kode"] = [sch.get(k).kode for k in cand["unsur"]]
    cand["kuadran"] = _quadrants(ipa, cand, by)
    cand["bagian_r2"] = cand["unsur"].map(_shares(drivers)) if drivers is not None else np.nan
    cand["bagian_keluhan"] = _complaints(complaints, cand, by)
    cand = cand.sort_values(["_key", "dampak", "nrr"], ascending=[True, False, True], kind="stable")
    cand["urutan"] = cand.groupby("_key").cumcount() + 1
    often = cand["bagian_keluhan"].fillna(0) >= complaint_share
    chosen = cand[(cand["urutan"] <= per_unit) | often].copy()
    chosen["alasan"] = [_reasons(r, cand) for _, r in chosen.iterrows()]
    chosen["urutan"] = chosen.groupby("_key").cumcount() + 1
    cumulative = chosen.groupby("_key")["dampak"].cumsum()
    chosen["ikm_jika_tercapai"] = chosen["ikm_konversi"].astype(float) + cumulative.astype(float)
    chosen["mutu_jika_tercapai"] = grade(chosen["ikm_jika_tercapai"], sch)["mutu"].to_numpy()
    actions = [action_for(catalogue, k, u, lang, sch) for k, u in zip(chosen["jenis_layanan"], chosen["unsur"])]
    for f in ACTION_FIELDS:
        chosen[f] = [a[f] for a in actions]
    order = _priority(units, cand, by)
    chosen["_order"] = chosen["_key"].map({u: i for i, u in enumerate(order["unit"])})
    chosen = chosen.sort_values(["_order", "urutan"], kind="stable")
    for col in ("ci_low", "ci_high"):
        chosen[f"nrr_{col}"] = chosen[col] if col in chosen.columns else np.nan
    columns = ["unit", "nama_unit", "jenis_layanan", "urutan", "unsur", "kode", "nrr", "nrr_ci_low", "nrr_ci_high",
               "target_nrr", "target_mutu", "dampak", "ikm_konversi", "mutu", "ikm_jika_tercapai", "mutu_jika_tercapai",
               "kuadran", "bagian_r2", "bagian_keluhan", "alasan", *ACTION_FIELDS]
    actions_table = chosen.assign(unit=chosen[by])[columns].reset_index(drop=True)
    statistics = cand.assign(unit=cand[by], nrr_ci_low=cand.get("ci_low"), nrr_ci_high=cand.get("ci_high"))[
        ["unit", "nama_unit", "unsur", "kode", "nrr", "nrr_ci_low", "nrr_ci_high", "target_nrr", "target_mutu",
         "dampak", "kuadran", "bagian_r2", "bagian_keluhan"]].reset_index(drop=True)
    if actions_table.empty:
        notes.append(Note("rec_all_met"))
    return Recommendations(actions_table, _synthesis(cand, chosen, len(units), sch), order, statistics, lang, notes)


def _inputs(ikm, by: str, sch: Scheme) -> tuple[pd.DataFrame, pd.DataFrame]:
    units, nrr = getattr(ikm, "table", None), getattr(ikm, "nrr", None)
    if units is None or nrr is None:
        raise DataError("ikm must be an IKM result with `.table` (per unit) and `.nrr` (per unit x unsur)")
    for frame, what in ((units, "ikm.table"), (nrr, "ikm.nrr")):
        if by not in frame.columns:
            raise DataError(f"{what} has no column '{by}'; compute the IKM with by='{by}'")
    units = units.copy()
    if "mutu" not in units.columns:
        units["mutu"] = grade(units["ikm_konversi"], sch)["mutu"].to_numpy()
    return units, nrr.copy()


def _quadrants(ipa, cand: pd.DataFrame, by: str) -> list:
    if ipa is None:
        return [None] * len(cand)
    table = getattr(ipa, "table", ipa)
    if by in table.columns:
        lookup = table.set_index([table[by].astype(str), "unsur"])["kuadran"]
        return [lookup.get((u, k)) for u, k in zip(cand["_key"], cand["unsur"])]
    lookup = table.set_index("unsur")["kuadran"]
    return [lookup.get(k) for k in cand["unsur"]]


def _shares(drivers) -> pd.Series:
    if hasattr(drivers, "shares"):
        return drivers.shares("lmg")
    shares = pd.Series(drivers, dtype=float)
    return shares / shares.sum()


def _complaints(complaints: pd.DataFrame | None, cand: pd.DataFrame, by: str) -> pd.Series:
    if complaints is None:
        return pd.Series(np.nan, index=cand.index)
    if by in complaints.columns:
        lookup = complaints.set_index([complaints[by].astype(str), "unsur"])["share"]
        return pd.Series([lookup.get((u, k), np.nan) for u, k in zip(cand["_key"], cand["unsur"])], index=cand.index)
    lookup = complaints.set_index("unsur")["share"]
    return cand["unsur"].map(lookup)


def _reasons(row: pd.Series, cand: pd.DataFrame) -> str:
    """Codes of the evidence for a candidate: below target, lowest of the unit, quadrant I, a top-3 driver,
    often complained about."""
    codes = ["below_target"]
    if row["nrr"] == cand.loc[cand["_key"] == row["_key"], "nrr"].min():
        codes.append("lowest_in_unit")
    if row["kuadran"] == "I":
        codes.append("quadrant_I")
    if pd.notna(row["bagian_r2"]) and row["bagian_r2"] >= cand.drop_duplicates("unsur")["bagian_r2"].nlargest(3).min():
        codes.append("top_driver")
    if pd.notna(row["bagian_keluhan"]) and row["bagian_keluhan"] > 0:
        codes.append("often_complained")
    return ",".join(codes)


#: Units named per unsur in the area-wide synthesis (those with the lowest NRR).
WEAKEST_UNITS = 2


def _synthesis(cand: pd.DataFrame, chosen: pd.DataFrame, n_units: int, sch: Scheme) -> pd.DataFrame:
    """Per unsur: the units where it is below target (n_unit), where it is among the actions (n_prioritas), and
    the units where its NRR is lowest (terendah, the WEAKEST_UNITS lowest first), which tell the unsur apart when
    most units share them."""
    first = chosen.groupby("unsur")["_key"].agg(lambda s: list(dict.fromkeys(s)))
    rows = [{"unsur": k, "kode": sch.get(k).kode, "n_prioritas": len(first.get(k, [])), "n_unit": int(part["_key"].nunique()),
             "n_total": n_units, "unit_prioritas": ", ".join(first.get(k, [])), "unit": ", ".join(part["_key"].unique()),
             "terendah": ", ".join(part.sort_values("nrr", kind="stable")["_key"].drop_duplicates().head(WEAKEST_UNITS))}
            for k, part in cand.groupby("unsur", sort=False)]
    table = pd.DataFrame(rows, columns=["unsur", "kode", "n_prioritas", "n_unit", "n_total", "unit_prioritas", "unit",
                                        "terendah"])
    return table.sort_values(["n_prioritas", "n_unit", "kode"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def _priority(units: pd.DataFrame, cand: pd.DataFrame, by: str) -> pd.DataFrame:
    grades = {m: i for i, m in enumerate(sorted(units["mutu"].dropna().unique(), reverse=True))}
    table = units.assign(unit=units[by].astype(str), _g=units["mutu"].map(grades))
    table = table.sort_values(["_g", "ikm_konversi"], ascending=[True, True], kind="stable")
    weak = cand.groupby("_key")["kode"].agg(lambda s: ", ".join(sorted(s, key=lambda c: int(re.sub(r"\D", "", c)))))
    out = pd.DataFrame({"unit": table["unit"], "nama_unit": table["nama_unit"], "ikm_konversi": table["ikm_konversi"],
                        "mutu": table["mutu"]})
    for col in ("ci_low", "ci_high", "p_mutu_beda"):
        out[col] = table[col] if col in table.columns else np.nan
    out["n_unsur"] = out["unit"].map(cand.groupby("_key").size()).fillna(0).astype(int)
    out["unsur"] = [weak.get(u, "") for u in out["unit"]]
    out["pasti"] = ~(out["p_mutu_beda"] >= UNCERTAIN)
    out.insert(0, "urutan", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)
