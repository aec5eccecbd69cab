"""Ranked, plain-language recommendations: which unsur in which unit to fix first, why, and what it is worth.

Inputs are results computed elsewhere (nothing is re-estimated here): NRR per unit x unsur and IKM per
unit (`riset.ikm.ikm(..., by="unit")`, or a design-based result with CIs such as `riset.skm.ikm_design`),
optionally the IPA quadrants per unit (`riset.ipa.ipa(..., by="unit")`, or the kabupaten IPA applied to
every unit) and the driver importance (`riset.skm.drivers.relative_importance`).

For unit u and unsur j below the target NRR T_j:

    selisih     = T_j - NRR_uj
    dampak_ikm  = selisih x w_uj x 25        (w = 1/9, PermenPAN-RB 14/2017: IKM = sum_j NRR_j w; x 25 converted)
    ikm_baru    = IKM_u x 25 + dampak_ikm    (exact: only NRR_uj changes), mutu_baru from the 2017 table
    ikm_baru_kumulatif = IKM_u x 25 + sum of dampak_ikm of this and the unit's earlier recommendations
                                         (exact too: the unsur enter the IKM additively)
    skor        = dampak_ikm x p x share_j   (share_j = LMG share of R^2 of unsur j, p unsur: 1 = average driver;
                                              without drivers skor = dampak_ikm)

Targets: 'A' = 3.5324, the NRR at which a unit whose every unsur reached it would be graded A
(88.31 / 25); 'terbaik' = the best unit's NRR on that unsur in the kabupaten; or a number on the 1-4 scale.

Ranking: IPA quadrant first (I Prioritas Utama, then III Prioritas Rendah, II Pertahankan Prestasi,
IV Berlebihan, as Martilla & James 1977 read the grid), then `skor` (largest first). The follow-up plan
(rencana tindak lanjut, PermenPAN-RB 14/2017 Bab III: results are published with a follow-up plan) gets
a suggested activity per unsur, the responsible unit/OPD and a time frame by the unit's own order.

Example
-------
>>> import pandas as pd
>>> from riset.skm.ikm import ikm
>>> from riset.skm.schemes import UNSUR_2017
>>> d = pd.DataFrame({u.key: [3, 3] for u in UNSUR_2017} | {"unit": ["A", "B"]})
>>> d.loc[0, "waktu"] = 2
>>> rec = recommend(ikm(d, {u.key: u.key for u in UNSUR_2017}, by="unit"), per_unit=1)
>>> rec.table[["unit", "unsur", "dampak_ikm"]].round(4).values.tolist()[0]
['A', 'waktu', 4.2567]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from riset.errors import DataError
from riset.skm.schemes import DEFAULT_SCHEME, Scheme, get_scheme, grade
from riset.i18n import check_language, fmt_ci, fmt_num, fmt_pct, label

Target = Literal["A", "terbaik"] | float
_QUADRANT_ORDER = {"I": 1, "III": 2, "II": 3, "IV": 4}

#: Suggested follow-up activity per unsur (Indonesian, English); a starting point for the unit to adapt.
KEGIATAN: dict[str, tuple[str, str]] = {
    "persyaratan": ("Menyederhanakan dan memublikasikan persyaratan layanan (papan informasi, laman, media sosial)",
                    "Simplify and publish the service requirements (notice board, website, social media)"),
    "prosedur": ("Menyusun ulang alur layanan dan memasang bagan alur yang mudah dipahami di loket",
                 "Redesign the service flow and post an easy-to-follow flow chart at the counter"),
    "waktu": ("Menetapkan standar waktu penyelesaian, menerapkan sistem antrean dan memantau waktu tunggu harian",
              "Set completion-time standards, introduce a queue system and monitor daily waiting times"),
    "biaya": ("Memublikasikan tarif resmi dan menutup pungutan di luar ketentuan",
              "Publish the official tariffs and stop charges outside the rules"),
    "produk": ("Memastikan produk layanan sesuai standar pelayanan dan memeriksa mutu hasil sebelum diserahkan",
               "Make sure service products meet the service standard and check them before hand-over"),
    "kompetensi": ("Pelatihan teknis dan pendampingan bagi petugas layanan",
                   "Technical training and coaching for front-line staff"),
    "perilaku": ("Pelatihan pelayanan prima (sopan, ramah) dan pemantauan perilaku petugas",
                 "Service-excellence training (courtesy) and monitoring of staff conduct"),
    "pengaduan": ("Menyediakan kanal pengaduan yang jelas, menindaklanjuti dan mengumumkan penyelesaian pengaduan",
                  "Provide clear complaint channels, follow up and publish how complaints were resolved"),
    "sarana": ("Memperbaiki sarana ruang tunggu, toilet, dan akses bagi penyandang disabilitas",
               "Improve the waiting room, toilets and access for people with disabilities"),
}

#: Columns of `Recommendations.table` ('unit' stands for the `by` column).
COLUMNS = ("prioritas", "unit", "nama_unit", "opd", "unsur", "kode", "nama", "nrr", "nrr_ci_low", "nrr_ci_high",
           "target_nrr", "selisih", "kuadran", "bagian_r2", "ikm_konversi", "ikm_ci_low", "ikm_ci_high", "mutu",
           "dampak_ikm", "ikm_baru", "mutu_baru", "ikm_baru_kumulatif", "mutu_baru_kumulatif", "skor", "urutan_unit",
           "alasan", "dampak", "kegiatan",
           "penanggung_jawab", "waktu", "indikator")

JADWAL: dict[str, tuple[str, ...]] = {
    "id": ("1–3 bulan", "3–6 bulan", "6–12 bulan"),
    "en": ("1–3 months", "3–6 months", "6–12 months"),
}


@dataclass
class Recommendations:
    """Ranked recommendations (`table`, one row per unit x unsur) with text in `lang`."""

    table: pd.DataFrame
    lang: str
    target: str
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def rencana_tindak_lanjut(self) -> pd.DataFrame:
        """The follow-up plan: prioritas, unit, unsur, kegiatan, penanggung_jawab, waktu, indikator."""
        return self.table[["prioritas", "unit", "nama", "kegiatan", "penanggung_jawab", "waktu", "indikator"]].copy()

    def to_markdown(self, top: int | None = None) -> str:
        """Numbered list (why + impact) and the follow-up plan as a Markdown table, for the report."""
        t = self.table if top is None else self.table.head(top)
        en = self.lang == "en"
        lines = [f"### {label('rekomendasi', self.lang)}", ""]
        for row in t.itertuples():
            where = row.nama_unit if isinstance(row.nama_unit, str) else row.unit
            lines.append(f"{row.prioritas}. **{row.nama} — {where}.** {row.alasan} {row.dampak}")
        lines += ["", f"### {'Follow-up plan' if en else 'Rencana tindak lanjut'}", ""]
        plan = self.rencana_tindak_lanjut().head(len(t))
        heads = ["No", "Unit", "Unsur", "Kegiatan", "Penanggung jawab", "Waktu", "Indikator"] if not en else [
            "No", "Unit", "Element", "Activity", "Responsible", "Time frame", "Indicator"]
        lines.append("| " + " | ".join(heads) + " |")
        lines.append("|" + "---|" * len(heads))
        for row in plan.itertuples(index=False):
            lines.append("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |")
        if self.notes:
            lines += [""] + [f"*{n}*" for n in self.notes]
        return "\n".join(lines)

    def text(self, top: int | None = None) -> str:
        """Plain text: one numbered paragraph per recommendation."""
        t = self.table if top is None else self.table.head(top)
        return "\n".join(f"{r.prioritas}. {r.nama} ({r.unit}): {r.alasan} {r.dampak}" for r in t.itertuples())

    def __repr__(self) -> str:
        return self.text(10)


def _target_nrr(nrr: pd.DataFrame, target, scheme: Scheme, by: str) -> tuple[pd.Series, pd.Series, str]:
    """Target NRR per row, the unit holding it (for 'terbaik') and a label for the text."""
    if isinstance(target, str) and target in {b.mutu for b in scheme.bands}:
        band = next(b for b in scheme.bands if b.mutu == target)
        value = band.lower / scheme.conversion
        return pd.Series(value, index=nrr.index), pd.Series(None, index=nrr.index, dtype=object), f"mutu {target}"
    if target == "terbaik":
        best = nrr.loc[nrr.groupby("unsur")["nrr"].idxmax(), ["unsur", by, "nrr"]].set_index("unsur")
        return nrr["unsur"].map(best["nrr"]), nrr["unsur"].map(best[by]), "terbaik"
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise DataError(f"target={target!r} is not allowed; use a mutu grade ('A'), 'terbaik' or an NRR number"
                        ) from None
    lo, hi = scheme.scale
    if not lo <= value <= hi:
        raise DataError(f"target={value} is outside the answer scale {lo}-{hi}")
    return pd.Series(value, index=nrr.index), pd.Series(None, index=nrr.index, dtype=object), fmt_num(value, 4)


def _quadrants(ipa, units: pd.Series, by: str) -> pd.Series | None:
    if ipa is None:
        return None
    table = getattr(ipa, "table", ipa)
    if by in table.columns:
        return table.set_index([by, "unsur"])["kuadran"]
    per_unsur = table.set_index("unsur")["kuadran"]
    index = pd.MultiIndex.from_product([units.unique(), per_unsur.index], names=[by, "unsur"])
    return pd.Series(np.tile(per_unsur.to_numpy(), len(units.unique())), index=index)


def _driver_shares(drivers) -> pd.Series | None:
    if drivers is None:
        return None
    if hasattr(drivers, "shares"):
        return drivers.shares("lmg")
    shares = pd.Series(drivers, dtype=float)
    return shares / shares.sum()


def recommend(
    ikm,
    ipa=None,
    drivers=None,
    by: str = "unit",
    unit_info: pd.DataFrame | None = None,
    target: Target = "A",
    per_unit: int | None = 3,
    top: int | None = None,
    jadwal: Sequence[str] | None = None,
    lang: str = "id",
    scheme: str | Scheme = DEFAULT_SCHEME,
) -> Recommendations:
    """Rank unit x unsur improvements and explain them in plain Indonesian (or English).

    Parameters
    ----------
    ikm : result with `.table` (one row per unit: ikm or ikm_konversi, optional ci_low/ci_high on the
        converted scale, mutu, nama_unit, opd) and `.nrr` (long: unit, unsur, nrr, optional bobot,
        ci_low/ci_high on the 1-4 scale), e.g. `riset.ikm.ikm(data, unsur, by="unit")`.
    ipa : `riset.ipa.ipa` result (grouped by unit, or ungrouped = the same quadrant for every unit).
    drivers : `riset.skm.drivers.relative_importance` result, or a Series of importance per unsur key.
    by : the unit column.
    unit_info : optional frame with `by` and nama_unit / opd (e.g. the survey data); the first row per
        unit gives the names shown and the penanggung jawab.
    target : 'A' (NRR 3.5324), another mutu grade, 'terbaik' (the best unit's NRR) or an NRR number.
    per_unit : keep the first k recommendations of each unit (None = all unsur below target).
    top : keep the first `top` overall.
    jadwal : time frames for a unit's 1st, 2nd, 3rd+ recommendation (default 1–3 / 3–6 / 6–12 bulan).
    lang : 'id' or 'en' for all text columns.

    Formulas and ranking rule in the module docstring. Returns `Recommendations` whose `table` has:
    prioritas, unit, nama_unit, opd, unsur, kode, nama, nrr, nrr_ci_low, nrr_ci_high, target_nrr, selisih,
    kuadran, bagian_r2, ikm_konversi, ikm_ci_low, ikm_ci_high, mutu, dampak_ikm, ikm_baru, mutu_baru,
    ikm_baru_kumulatif, mutu_baru_kumulatif, skor, urutan_unit, alasan, dampak, kegiatan, penanggung_jawab,
    waktu, indikator.
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    units_t, nrr = getattr(ikm, "table", None), getattr(ikm, "nrr", None)
    if units_t is None or nrr is None:
        raise DataError("ikm must be an IKM result with `.table` (per unit) and `.nrr` (per unit x unsur)")
    for frame, what in ((units_t, "ikm.table"), (nrr, "ikm.nrr")):
        if by not in frame.columns:
            raise DataError(f"{what} has no column '{by}'; compute the IKM with by='{by}'")
    notes = []
    blank = nrr["nrr"].isna()
    if blank.any():
        pairs = ", ".join(f"{u}/{k}" for u, k in zip(nrr.loc[blank, by], nrr.loc[blank, "unsur"]))
        notes.append(f"{int(blank.sum())} unit × unsur tanpa jawaban tidak dinilai: {pairs}." if lang == "id"
                     else f"{int(blank.sum())} unit × unsur without answers not assessed: {pairs}.")
    nrr = nrr[~blank].copy()
    units_t = units_t.set_index(by)
    if "ikm" not in units_t.columns:
        units_t = units_t.assign(ikm=units_t["ikm_konversi"] / sch.conversion)

    nrr["target_nrr"], best_unit, target_text = _target_nrr(nrr, target, sch, by)
    nrr["selisih"] = nrr["target_nrr"] - nrr["nrr"]
    cand = nrr[nrr["selisih"] > 1e-12].copy()
    if cand.empty:
        note = ("Semua unsur di semua unit sudah mencapai target." if lang == "id"
                else "Every unsur in every unit already meets the target.")
        return Recommendations(pd.DataFrame(columns=[by if c == "unit" else c for c in COLUMNS]), lang, target_text,
                               notes + [note])
    weight = cand["bobot"] if "bobot" in cand.columns else sch.weight
    ikm_now = cand[by].map(units_t["ikm"])
    cand["ikm_konversi"] = ikm_now * sch.conversion
    cand["dampak_ikm"] = cand["selisih"] * weight * sch.conversion
    cand["ikm_baru"] = (ikm_now + cand["selisih"] * weight) * sch.conversion
    if "mutu" in units_t.columns:
        cand["mutu"] = cand[by].map(units_t["mutu"])
    else:
        cand["mutu"] = grade(cand["ikm_konversi"], sch)["mutu"]
    cand["mutu_baru"] = grade(cand["ikm_baru"], sch)["mutu"].to_numpy()
    for col, src in (("ikm_ci_low", "ci_low"), ("ikm_ci_high", "ci_high")):
        cand[col] = cand[by].map(units_t[src]) if src in units_t.columns else np.nan
    for col in ("ci_low", "ci_high"):
        cand[f"nrr_{col}"] = cand[col] if col in cand.columns else np.nan
    info = units_t if unit_info is None else unit_info.drop_duplicates(by).set_index(by)
    for col in ("nama_unit", "opd"):
        cand[col] = cand[by].map(info[col]) if col in info.columns else None

    quad = _quadrants(ipa, nrr[by], by)
    cand["kuadran"] = [quad.get((u, k)) for u, k in zip(cand[by], cand["unsur"])] if quad is not None else None
    shares = _driver_shares(drivers)
    cand["bagian_r2"] = cand["unsur"].map(shares) if shares is not None else np.nan
    rel = cand["bagian_r2"] * len(shares) if shares is not None else 1.0
    cand["skor"] = cand["dampak_ikm"] * rel
    cand["_tier"] = cand["kuadran"].map(_QUADRANT_ORDER).fillna(5) if quad is not None else 1
    cand = cand.sort_values(["_tier", "skor", "selisih"], ascending=[True, False, False], kind="stable")
    cand["urutan_unit"] = cand.groupby(by).cumcount() + 1
    if per_unit is not None:
        cand = cand[cand["urutan_unit"] <= per_unit]
    if top is not None:
        cand = cand.head(top)
    cand["prioritas"] = np.arange(1, len(cand) + 1)
    cumulative = cand.sort_values([by, "urutan_unit"]).groupby(by)["dampak_ikm"].cumsum()
    cand["ikm_baru_kumulatif"] = cand["ikm_konversi"] + cumulative.reindex(cand.index)
    cand["mutu_baru_kumulatif"] = grade(cand["ikm_baru_kumulatif"], sch)["mutu"].to_numpy()
    if "kode" not in cand.columns or "nama" not in cand.columns:
        cand["kode"] = [sch.get(k).kode for k in cand["unsur"]]
        cand["nama"] = [sch.get(k).nama for k in cand["unsur"]]
    if lang == "en":
        cand["nama"] = [sch.get(k).nama_en for k in cand["unsur"]]

    ranks = shares.rank(ascending=False, method="min") if shares is not None else None
    best = best_unit.reindex(cand.index)
    jadwal = tuple(jadwal) if jadwal is not None else JADWAL[lang]
    cand["alasan"] = [_why(r, ranks, target_text, b, lang) for r, b in zip(cand.itertuples(), best)]
    cand["kegiatan"] = [KEGIATAN[k][0 if lang == "id" else 1] if k in KEGIATAN else "" for k in cand["unsur"]]
    cand["penanggung_jawab"] = [
        (f"{nu} ({op})" if isinstance(op, str) else str(nu)) if isinstance(nu, str) else str(u)
        for u, nu, op in zip(cand[by], cand["nama_unit"], cand["opd"])
    ]
    cand["waktu"] = [jadwal[min(i, len(jadwal)) - 1] for i in cand["urutan_unit"]]
    digits = 2 if target_text == "terbaik" else 4
    cand["indikator"] = [f"NRR {n} ≥ {fmt_num(t, digits, lang)}" for n, t in zip(cand["nama"], cand["target_nrr"])]
    cand["dampak"] = [_impact(r, digits, lang) for r in cand.itertuples()]
    return Recommendations(cand[[by if c == "unit" else c for c in COLUMNS]].reset_index(drop=True), lang, target_text,
                           notes)


def _why(r, ranks, target_text: str, best_unit, lang: str) -> str:
    """The reason in words: performance vs target (with CI), IPA quadrant, driver rank, unit IKM (with CI)."""
    en = lang == "en"
    nrr = fmt_num(r.nrr, 2, lang)
    ci = "" if pd.isna(r.nrr_ci_low) else (f" (95% CI {fmt_ci(r.nrr_ci_low, r.nrr_ci_high, 2, lang)})" if en
                                           else f" (SK 95% {fmt_ci(r.nrr_ci_low, r.nrr_ci_high, 2, lang)})")
    tgt = fmt_num(r.target_nrr, 2 if target_text == "terbaik" else 4, lang)
    if target_text == "terbaik":
        goal = (f"the best unit ({best_unit}, NRR {tgt})" if en else f"unit terbaik ({best_unit}, NRR {tgt})")
    else:
        goal = (f"the target NRR {tgt} ({target_text.replace('mutu', 'grade')})" if en
                else f"target NRR {tgt} ({target_text})")
    gap = fmt_num(r.selisih, 2, lang)
    parts = [f"NRR {nrr}{ci} is {gap} below {goal}" if en else f"NRR {nrr}{ci}, {gap} di bawah {goal}"]
    if not pd.isna(r.nrr_ci_high):
        sure = r.nrr_ci_high < r.target_nrr
        if en:
            parts.append("the whole CI is below the target" if sure
                         else "the CI reaches the target, so the gap is uncertain")
        else:
            parts.append("seluruh SK di bawah target" if sure else "SK masih menyentuh target, selisih belum pasti")
    if isinstance(r.kuadran, str):
        parts.append(f"IPA quadrant {label('kuadran_' + r.kuadran, lang)}" if en
                     else f"kuadran IPA {label('kuadran_' + r.kuadran, lang)}")
    if ranks is not None and not pd.isna(r.bagian_r2):
        rank = int(ranks[r.unsur])
        share = fmt_pct(r.bagian_r2, 0, lang)
        parts.append(f"driver of overall satisfaction no. {rank} ({share} of R²)" if en
                     else f"faktor penentu kepuasan peringkat {rank} ({share} dari R²)")
    ikm = fmt_num(r.ikm_konversi, 2, lang)
    ikm_ci = "" if pd.isna(r.ikm_ci_low) else (f", 95% CI {fmt_ci(r.ikm_ci_low, r.ikm_ci_high, 2, lang)}" if en
                                               else f", SK 95% {fmt_ci(r.ikm_ci_low, r.ikm_ci_high, 2, lang)}")
    parts.append(f"unit IKM {ikm}{ikm_ci}, grade {r.mutu}" if en else f"IKM unit {ikm}{ikm_ci}, mutu {r.mutu}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _impact(r, digits: int, lang: str) -> str:
    """What the IKM would become if the unsur reached the target (exact, through the 1/9 weight), and with
    the unit's earlier recommendations done too."""
    tgt, up, new = fmt_num(r.target_nrr, digits, lang), fmt_num(r.dampak_ikm, 2, lang), fmt_num(r.ikm_baru, 2, lang)
    both = fmt_num(r.ikm_baru_kumulatif, 2, lang)
    if lang == "en":
        grade_text = f"grade {r.mutu} → {r.mutu_baru}" if r.mutu != r.mutu_baru else f"grade stays {r.mutu}"
        text = f"If its NRR reached {tgt}, the unit IKM would rise by {up} points to {new} ({grade_text})."
        if r.urutan_unit > 1:
            text += f" Together with the unit's earlier recommendations: {both} (grade {r.mutu_baru_kumulatif})."
        return text
    grade_text = f"mutu {r.mutu} → {r.mutu_baru}" if r.mutu != r.mutu_baru else f"mutu tetap {r.mutu}"
    text = f"Jika NRR-nya mencapai {tgt}, IKM unit naik {up} poin menjadi {new} ({grade_text})."
    if r.urutan_unit > 1:
        text += f" Bersama rekomendasi sebelumnya untuk unit ini: {both} (mutu {r.mutu_baru_kumulatif})."
    return text


__all__ = ["recommend", "Recommendations", "KEGIATAN", "JADWAL", "COLUMNS"]
