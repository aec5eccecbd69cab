"""What the laporan says: the chapters of an SKM report built from a study's results and the catalog.

The usual structure of an SKM report (PermenPAN-RB 14/2017 Lampiran; the reports teams hand to the
kabupaten): cover, kata pengantar, daftar isi, Bab I Pendahuluan (latar belakang, dasar hukum, maksud dan
tujuan, ruang lingkup, waktu, tim), Bab II Metodologi (in plain language; the technical detail goes to an
appendix), Bab III Hasil, Bab IV Analisis, Bab V Kesimpulan dan Rekomendasi, Lampiran (kuesioner, data
quality, technical tables). An analysis that did not run (no overall item, one period, ...) is replaced by
one sentence saying why (`results.plan`). Every sentence comes from the catalog
(`riset/i18n/*/report.yaml`); every number from `StudyResults`.

>>> laporan = build_laporan(results, render_figures(results), "id")     # doctest: +SKIP
>>> [c.title for c in laporan.chapters][:2]                              # doctest: +SKIP
['Pendahuluan', 'Metodologi']
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from riset.i18n import check_language, fmt_ci, fmt_num, fmt_p, fmt_pct, fmt_signed, label, say
from riset.present.report.document import Bullets, Callout, Chapter, Cover, Figure, Laporan, Paragraph, Section, Table
from riset.present.report.text import drivers_statement, headline, methodology
from riset.skm.ikm import ikm as plain_ikm
from riset.skm.ikm_design import verdicts
from riset.skm.schemes import kinerja_label, unsur_name
from riset.study.run import AREA
from riset.textsafe import mask_personal

__all__ = [
    "MAX_OPEN_TEXT", "PRIORITY_UNITS", "QUOTED_UNSUR", "QUOTES_PER_UNSUR", "build_laporan", "column_label", "conclusions",
    "drivers_sensitivity_table", "evidence", "group_name", "ikm_table", "issue_label", "level_label", "nrr_table", "online_table",
    "nrr_unit_table", "open_text_table", "subgroup_blocks", "unsur_names", "what_citizens_said",
    "period_change_table", "plain_formula_table", "priority_lines", "recommendation_statistics",
    "recommendation_tables", "report_date", "synthesis", "trend_unit", "unit_label",
]

_MONTHS = {"id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                  "November", "Desember"),
           "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")}


# ------------------------------------------------------------------------------------------- small helpers
def report_date(results, lang: str | None = None) -> str:
    """The report's date in words ('3 Desember 2026'): the study file's `date`, else today."""
    lang = check_language(lang)
    day = results.config.date or dt.date.today()
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def column_label(column: str, lang: str | None = None) -> str:
    """Display label of a data column: the catalog's label ('jenis_kelamin' -> 'Jenis kelamin'), else the
    column name with spaces."""
    shown = label(column, lang)
    return shown if shown != column else column.replace("_", " ").strip().capitalize()


def level_label(results, level: str, lang: str | None = None) -> str:
    """Display name of an IKM level: 'area' -> 'Wilayah', 'unit_periode' -> 'Unit layanan × Periode'."""
    if level == AREA:
        return label("area", lang)
    return " × ".join(column_label(c, lang) for c in results.level_columns(level))


def unit_label(results, row, lang: str | None = None) -> str:
    """Display name of a unit row: its name column (study file `names:`), else its code; marked '(daring)' when
    its IKM rests on online answers only."""
    name = results.config.names.get(results.config.unit or "")
    value = row.get(name) if name else None
    return _marked(str(value) if isinstance(value, str) and value else str(row[results.config.unit]), row, lang)


def _marked(text: str, row, lang: str | None) -> str:
    """`text` with the online mark when the row's IKM rests on online (self-selected) answers only."""
    return f"{text} {say('online_mark', lang)}" if row.get("bagian_daring", 0) == 1 else text


def _area_level(results, lang: str) -> str:
    return say(f"area_{results.config.area.level}", lang)


def _group_label(results, level: str, row, lang: str) -> str:
    """A group of an IKM level for people: the unit's name where the level holds the unit (also crossed with
    other columns: 'Disdukcapil - Akta / 2026-S2'), else the group's values."""
    if level == results.config.unit:
        return unit_label(results, row, lang)
    return _marked(group_name(results, level, row["group"]), row, lang)


def group_name(results, level: str, group) -> str:
    """A group of an IKM level ('RSUD-RJ / 2026-S1', values joined by ' / ' in the level's column order) with the
    unit's name (study file `names:`) in place of its code, as every table shows it."""
    columns = results.level_columns(level) if level != AREA else ()
    parts = str(group).split(" / ")
    if results.config.unit not in columns or len(parts) != len(columns):
        return str(group)
    return " / ".join(results.unit_name(p) if c == results.config.unit else p for c, p in zip(columns, parts))


# ------------------------------------------------------------------------------------------- tables
def ikm_table(results, level: str, lang: str | None = None) -> Table:
    """IKM rows of one level for people: (rank,) group, n, IKM, 95% CI, mutu, kinerja, P(mutu beda).

    Periods read in time order; every other level is ranked best first and numbered.
    """
    lang = check_language(lang)
    rows = results.level(level)
    is_period = level == results.config.period
    rows = rows.sort_values(level if is_period else "ikm_konversi", ascending=is_period, kind="stable")
    columns = results.level_columns(level)
    head = " × ".join(column_label(c, lang) for c in columns) if level != results.config.unit else label("unit", lang)
    ranked = not is_period and "peringkat_atas" in rows.columns and rows["peringkat_atas"].notna().all()
    first = [] if is_period else [label("peringkat_rentang" if ranked else "nomor", lang)]
    header = first + [head, label("n", lang), label("ikm_konversi_pendek", lang), label("ci95", lang),
                      label("mutu", lang), label("p_mutu_beda", lang)]
    body = []
    for rank, (_, r) in enumerate(rows.iterrows(), start=1):
        cells = [_group_label(results, level, r, lang), fmt_num(r["n_responden"], 0, lang),
                 fmt_num(r["ikm_konversi"], 2, lang), fmt_ci(r["ci_low"], r["ci_high"], 2, lang), str(r["mutu"]),
                 fmt_pct(r["p_mutu_beda"], 0, lang)]
        shown = f"{rank} ({int(r['peringkat_bawah'])}–{int(r['peringkat_atas'])})" if ranked else str(rank)
        body.append(cells if is_period else [shown, *cells])
    align = (["l"] if is_period else ["r", "l"]) + ["r", "r", "r", "c", "r"]
    notes = [say("note_rank_interval", lang, k=len(rows), pairs=len(rows) * (len(rows) - 1) // 2)] if ranked else []
    if "bagian_daring" in rows.columns and (rows["bagian_daring"] > 0).any():
        notes.append(say("note_online", lang))
    return Table(say("tab_ikm_level", lang, level=head.lower() if lang == "id" else head), header, body, align,
                 note=" ".join(notes) or None)


def online_table(results, lang: str | None = None) -> Table | None:
    """The online IKM of the area and the units (marked non-probability), beside the probability-sample IKM of
    the same units and periods with the difference and its p-value when the study has both; None without
    online answers."""
    lang = check_language(lang)
    part = results.online
    if part is None:
        return None
    levels = [AREA, results.config.unit]
    mark = say("online_mark", lang)

    def name(r) -> str:  # the online area row covers only the cells with online answers; a unit by its name
        return f"{say('online_covered', lang) if r['level'] == AREA else results.unit_name(r['group'])} {mark}"

    if part.comparison is None:
        rows = part.ikm[part.ikm["level"].isin(levels)]
        body = [[name(r), fmt_num(r["n_responden"], 0, lang), fmt_num(r["ikm_konversi"], 2, lang),
                 fmt_ci(r["ci_low"], r["ci_high"], 2, lang)] for _, r in rows.iterrows()]
        header = [label("kelompok", lang), label("n", lang), label("ikm_konversi_pendek", lang), label("ci95", lang)]
        return Table(say("tab_online_ikm", lang), header, body, ["l", "r", "r", "r"], note=say("note_online", lang))
    rows = part.comparison[part.comparison["level"].isin(levels)]
    body = [[name(r), fmt_num(r["n_daring"], 0, lang), fmt_num(r["ikm_daring"], 2, lang),
             fmt_num(r["n_probabilitas"], 0, lang), fmt_num(r["ikm_probabilitas"], 2, lang),
             fmt_signed(r["selisih"], 2, lang), fmt_p(r["p_value"], lang)] for _, r in rows.iterrows()]
    header = [label("kelompok", lang), f"n {mark}", f"IKM {mark}", label("n", lang), label("ikm_konversi_pendek", lang),
              label("selisih", lang), label("p_value", lang)]
    return Table(say("tab_online_comparison", lang), header, body, ["l", "r", "r", "r", "r", "r", "r"],
                 note=say("note_online_comparison", lang))


def nrr_table(results, lang: str | None = None) -> Table:
    """NRR per unsur of the whole area with 95% CI, converted NRR and n, in the regulation's order."""
    lang = check_language(lang)
    part = results.nrr_of(AREA)
    header = [label("unsur", lang), label("kolom_kuesioner", lang), label("nrr", lang), label("ci95", lang),
              label("nrr_konversi", lang), label("n", lang)]
    body = [[unsur_name(r["unsur"], lang, results.scheme), str(r["kolom"]), fmt_num(r["nrr"], 2, lang),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang), fmt_num(results.scheme.conversion * r["nrr"], 2, lang),
             fmt_num(r["n_jawaban"], 0, lang)] for _, r in part.iterrows()]
    return Table(say("tab_nrr_area", lang, area=results.config.area.name), header, body, ["l", "c", "r", "r", "r", "r"])


def nrr_unit_table(results, lang: str | None = None) -> Table:
    """NRR per unit (rows, ranked by IKM) x unsur (columns U1..U9 in the regulation's order), plus the IKM."""
    lang = check_language(lang)
    unit = results.config.unit
    units = results.units().sort_values("ikm_konversi", ascending=False, kind="stable")
    part = results.nrr[results.nrr["level"] == unit]
    wide = part.pivot_table(index=unit, columns="unsur", values="nrr", aggfunc="first")
    keys = [k for k in results.scheme.keys if k in wide.columns]
    header = [label("unit", lang), *[results.scheme.get(k).kode for k in keys], label("ikm_konversi_pendek", lang)]
    body = [[unit_label(results, r), *[fmt_num(wide.loc[r[unit], k], 2, lang) for k in keys],
             fmt_num(r["ikm_konversi"], 2, lang)] for _, r in units.iterrows()]
    note = "; ".join(f"{results.scheme.get(k).kode} {unsur_name(k, lang, results.scheme, code=False)}" for k in keys)
    return Table(say("tab_nrr_unit", lang), header, body, ["l"] + ["r"] * (len(keys) + 1), note=note)


def plain_formula_table(results, lang: str | None = None) -> Table | None:
    """Per unit: the study's IKM (design-based, with CI) beside the regulation's formula applied to the raw
    answers without weights (what a spreadsheet gives), and their difference; None when they coincide for
    every unit (equal weights)."""
    lang = check_language(lang)
    unit = results.config.unit
    data = results.survey.data
    by = unit if unit and len(results.units()) > 1 else None
    plain = plain_ikm(data, results.unsur_map, by=by, scheme=results.scheme, empty_unsur="nan").table
    study = results.units() if by else results.level(AREA)
    merged = study.merge(plain[[*([by] if by else []), "ikm_konversi"]].rename(
        columns={"ikm_konversi": "polos"}), on=by, how="left") if by else study.assign(
        polos=plain["ikm_konversi"].iloc[0])
    if np.allclose(merged["ikm_konversi"], merged["polos"], atol=0.005, equal_nan=True):
        return None
    merged = merged.sort_values("ikm_konversi", ascending=False, kind="stable")
    header = [label("unit", lang), label("ikm_studi", lang), label("ci95", lang), label("ikm_polos", lang),
              label("selisih", lang)]
    body = [[unit_label(results, r, lang) if by else results.config.area.name, fmt_num(r["ikm_konversi"], 2, lang),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang), fmt_num(r["polos"], 2, lang),
             fmt_signed(r["ikm_konversi"] - r["polos"], 2, lang)] for _, r in merged.iterrows()]
    return Table(say("tab_plain_formula", lang), header, body, ["l", "r", "r", "r", "r"])


def period_change_table(results, lang: str | None = None) -> Table:
    """Change in IKM between the first and last period: the area, then the units by change; with 95% CI,
    p and Holm-adjusted p; the verdict uses the Holm-adjusted p (the rule stated under the table)."""
    lang = check_language(lang)
    change = results.period_change
    area = change[change["level"] == AREA]
    units = change[change["level"] == results.config.unit].sort_values("selisih", ascending=False, kind="stable")
    first, last = change["periode_awal"].iloc[0], change["periode_akhir"].iloc[0]
    header = [label("unit", lang), f"IKM {first}", f"IKM {last}", label("selisih", lang), label("ci95", lang), "p",
              label("p_holm", lang), label("perubahan", lang)]
    body = []
    for _, r in pd.concat([area, units]).iterrows():
        name = results.config.area.name if r["level"] == AREA else unit_label(results, r, lang)
        body.append([name, fmt_num(r["ikm_awal"], 2, lang), fmt_num(r["ikm_akhir"], 2, lang),
                     fmt_signed(r["selisih"], 2, lang), fmt_ci(r["ci_low"], r["ci_high"], 2, lang),
                     fmt_p(r["p_value"], lang), fmt_p(r["p_holm"], lang), _verdict(r, lang)])
    return Table(say("tab_period_change", lang, first=first, last=last), header, body,
                 ["l", "r", "r", "r", "r", "r", "r", "l"], note=say("note_period_holm", lang))


def drivers_sensitivity_table(results, sensitivity, lang: str | None = None) -> Table:
    """Share of R^2 (rank) of each unsur under each treatment of blank answers, side by side; the note says what
    each treatment is."""
    lang = check_language(lang)
    names = list(sensitivity.n)
    header = [label("unsur", lang), *(say(f"sens_{k}", lang) for k in names)]
    body = [[unsur_name(r["unsur"], lang, results.scheme, code=False),
             *("–" if pd.isna(r[f"porsi_{k}"]) else f"{fmt_pct(r[f'porsi_{k}'], 1, lang)} ({r[f'peringkat_{k}']})"
               for k in names)] for _, r in sensitivity.table.iterrows()]
    return Table(say("tab_drivers_sensitivity", lang), header, body, ["l", *["r"] * len(names)],
                 note=" ".join([say("note_drivers_sensitivity", lang), *(say(f"note_sens_{k}", lang) for k in names)]))


def unsur_names(keys, lang: str, scheme) -> str:
    """The unsur's names in a sentence, separated by semicolons: a name may hold commas ('Sistem, Mekanisme, dan
    Prosedur'), so commas between names would read as more unsur than there are."""
    return "; ".join(unsur_name(k, lang, scheme, code=False) for k in keys)


def _sensitivity_text(results, sensitivity, lang: str) -> str:
    """Each other treatment of blank answers in one clause (n, top three, Spearman with the headline)."""
    rows = []
    for k in list(sensitivity.n)[1:]:
        top = sensitivity.table.dropna(subset=[f"peringkat_{k}"]).sort_values(f"peringkat_{k}", kind="stable")
        rows.append(say("text_drivers_sensitivity_row", lang, name=say(f"sens_{k}", lang), used=sensitivity.n[k],
                        n=results.n, top=unsur_names(top["unsur"].head(3), lang, results.scheme),
                        rho=fmt_num(sensitivity.spearman[k], 2, lang)))
    return " ".join([*rows, say("text_drivers_sensitivity_close", lang)])


def _verdict(row, lang: str) -> str:
    """The change verdict of a row in words (the study tests with Holm's adjustment over units)."""
    return verdicts([row["perubahan"]], lang)[0]


def evidence(row, lang: str, scheme) -> str:
    """Why an action was chosen, in one short clause from its reason codes ('NRR 2,45, di bawah 3,06 (batas mutu
    B); terendah di unit ini; kuadran I IPA')."""
    parts = []
    for code in str(row["alasan"]).split(","):
        if code == "below_target":
            parts.append(say("why_below_target", lang, nrr=fmt_num(row["nrr"], 2, lang),
                             target=fmt_num(row["target_nrr"], 2, lang), mutu=row["target_mutu"]))
        elif code == "often_complained":
            parts.append(say("why_often_complained", lang, share=fmt_pct(row["bagian_keluhan"], 0, lang)))
        elif code:
            parts.append(say(f"why_{code}", lang))
    return "; ".join(parts)


def recommendation_tables(results, lang: str | None = None) -> list[Table]:
    """The follow-up plan (rencana tindak lanjut), one table per unit in the order of priority: unsur with the
    evidence, kegiatan, penanggung jawab, waktu, and the indikator with the unit's target."""
    lang = check_language(lang)
    actions = results.recommendations_in(lang).actions
    out = []
    header = [label("unsur", lang), label("alasan", lang), label("kegiatan", lang), label("penanggung_jawab", lang),
              label("waktu", lang), label("indikator", lang)]
    for _, part in actions.groupby("unit", sort=False):
        rows = [[unsur_name(r["unsur"], lang, results.scheme), evidence(r, lang, results.scheme), str(r["kegiatan"]),
                 str(r["penanggung_jawab"]), str(r["waktu"]),
                 say("indicator_with_target", lang, indicator=r["indikator"],
                     unsur=unsur_name(r["unsur"], lang, results.scheme, code=False),
                     target=fmt_num(r["target_nrr"], 2, lang), mutu=r["target_mutu"])] for _, r in part.iterrows()]
        out.append(Table(say("tab_rtl_unit", lang, unit=part["nama_unit"].iloc[0]), header, rows, ["l"] * 6,
                         widths=[13, 19, 27, 14, 9, 18]))
    return out


def synthesis(results, lang: str | None = None) -> list[str]:
    """The area-wide picture of the recommendations: the unsur most often a priority, in how many units."""
    lang = check_language(lang)
    rec = results.recommendations_in(lang)
    return [say("synthesis_line", lang, unsur=unsur_name(r["unsur"], lang, results.scheme, code=False),
                k=int(r["n_prioritas"]), n=int(r["n_unit"]), total=int(r["n_total"]),
                weakest=", ".join(results.unit_name(code) for code in str(r["terendah"]).split(", ") if code))
            for _, r in rec.synthesis.iterrows() if r["n_prioritas"] > 0][:5]


#: Units named as needing attention first, in the report and on the slides.
PRIORITY_UNITS = 5


def priority_lines(results, lang: str | None = None, top: int = PRIORITY_UNITS) -> list[str]:
    """The units that need attention first, one line each: IKM with CI, mutu, the unsur below target."""
    lang = check_language(lang)
    rec = results.recommendations_in(lang)
    lines = []
    for _, r in rec.priority_units.head(top).iterrows():
        text = say("priority_line", lang, unit=r["nama_unit"], ikm=fmt_num(r["ikm_konversi"], 2, lang),
                   ci=fmt_ci(r["ci_low"], r["ci_high"], 2, lang), mutu=r["mutu"], n=int(r["n_unsur"]),
                   unsur=r["unsur"] or "–")
        lines.append(text if r["pasti"] else text + " " + say("priority_uncertain", lang,
                                                              p=fmt_pct(r["p_mutu_beda"], 0, lang)))
    return lines


def recommendation_statistics(results, lang: str | None = None) -> Table:
    """Every candidate of the recommendations with its numbers (appendix)."""
    lang = check_language(lang)
    stats = results.recommendations_in(lang).statistics
    header = [label("unit", lang), label("unsur", lang), label("nrr", lang), label("ci95", lang),
              label("sasaran", lang), label("dampak", lang), label("kuadran", lang), label("bagian_r2", lang)]
    rows = [[results.unit_name(r["unit"]) if results.unit else str(r["unit"]), str(r["kode"]),
             fmt_num(r["nrr"], 2, lang), fmt_ci(r["nrr_ci_low"], r["nrr_ci_high"], 2, lang),
             f"{fmt_num(r['target_nrr'], 2, lang)} ({r['target_mutu']})", fmt_num(r["dampak"], 2, lang),
             str(r["kuadran"] or "–"), "–" if pd.isna(r["bagian_r2"]) else fmt_pct(r["bagian_r2"], 0, lang)]
            for _, r in stats.iterrows()]
    return Table(say("tab_rec_statistics", lang), header, rows, ["l", "c", "r", "r", "r", "r", "c", "r"],
                 note=say("note_dampak", lang))


# ------------------------------------------------------------------------------------------- conclusions
def conclusions(results, lang: str | None = None) -> list[str]:
    """The main findings as statements: the area's IKM, how many units per mutu, the weakest unsur, the
    strongest drivers and the change between periods (only those that ran)."""
    lang = check_language(lang)
    out = [headline(results, lang)]
    units = results.units()
    if len(units) > 1:
        counts = units["mutu"].value_counts()
        parts = [say("count_mutu", lang, n=int(counts[b.mutu]), mutu=b.mutu, kinerja=kinerja_label(b.mutu, lang, results.scheme))
                 for b in results.scheme.bands if b.mutu in counts.index]
        best, worst = units.loc[units["ikm_konversi"].idxmax()], units.loc[units["ikm_konversi"].idxmin()]
        out.append(say("concl_units", lang, n=len(units), counts=", ".join(parts),
                       best=unit_label(results, best, lang), best_ikm=fmt_num(best["ikm_konversi"], 2, lang),
                       worst=unit_label(results, worst, lang), worst_ikm=fmt_num(worst["ikm_konversi"], 2, lang)))
    nrr = results.nrr_of(AREA).sort_values("nrr", kind="stable")
    low = nrr.iloc[0]
    out.append(say("concl_weakest", lang, unsur=unsur_name(low["unsur"], lang, results.scheme),
                   nrr=fmt_num(low["nrr"], 2, lang), ci=fmt_ci(low["ci_low"], low["ci_high"], 2, lang),
                   best=unsur_name(nrr.iloc[-1]["unsur"], lang, results.scheme),
                   best_nrr=fmt_num(nrr.iloc[-1]["nrr"], 2, lang)))
    if results.drivers is not None:
        top = results.drivers_table().head(3)
        out.append(say("concl_drivers", lang, unsur=unsur_names(top["unsur"], lang, results.scheme),
                       share=fmt_pct(top["importance"].sum(), 0, lang)))
    if results.period_change is not None:
        area = results.period_change[results.period_change["level"] == AREA].iloc[0]
        out.append(say("concl_change", lang, first=area["periode_awal"], last=area["periode_akhir"],
                       change=fmt_signed(area["selisih"], 2, lang), ci=fmt_ci(area["ci_low"], area["ci_high"], 2, lang),
                       verdict=_verdict(area, lang)))
    return out


# ------------------------------------------------------------------------------------------- chapters
def _pendahuluan(results, lang: str) -> Chapter:
    config, sch = results.config, results.scheme
    units = results.units()
    scope = [say("scope_area", lang, area=config.area.name, n=results.n)]
    if len(units) > 1:
        names = [unit_label(results, r, lang) for _, r in units.iterrows()]
        scope.append(say("scope_units", lang, n=len(names), units=", ".join(names) if len(names) <= 30 else
                         say("scope_units_many", lang, first=", ".join(names[:10]))))
    if config.period:
        periods = sorted(results.survey.data[config.period].dropna().astype(str).unique())
        scope.append(say("scope_periods", lang, periods=", ".join(periods)))
    legal = [say("law_uu_25_2009", lang), say("law_pp_96_2012", lang), say(f"law_{sch.key}", lang)]
    time = [say("time_fieldwork", lang, text=config.fieldwork)] if config.fieldwork else [
        say("time_unknown", lang)]
    team = [say("team_organiser", lang, organiser=config.organiser)] if config.organiser else []
    sections = [
        Section(say("sec_background", lang), [Paragraph(say("text_background", lang, scheme=sch.title,
                                                             area=config.area.name))]),
        Section(say("sec_legal", lang), [Bullets(legal, numbered=True)]),
        Section(say("sec_purpose", lang), [Paragraph(say("text_purpose", lang, area=config.area.name)),
                                           Bullets([say("aim_1", lang), say("aim_2", lang), say("aim_3", lang)])]),
        Section(say("sec_scope", lang), [Paragraph(" ".join(scope))]),
        Section(say("sec_time", lang), [Paragraph(" ".join(time))]),
    ]
    if team or config.team:
        sections.append(Section(say("sec_team", lang), [*(Paragraph(t) for t in team),
                                                         *([Bullets(list(config.team))] if config.team else [])]))
    return Chapter(say("chapter_word", lang, n="I"), say("ch_intro", lang), sections)


def _metodologi(results, figures, lang: str) -> Chapter:
    sch = results.scheme
    unsur_rows = [[u.kode, unsur_name(u.key, lang, sch, code=False), _column_of(results, u.key)] for u in sch.unsur]
    questionnaire = Table(say("tab_unsur", lang, scheme=sch.title), [label("kode", lang), label("unsur", lang),
                                                                      label("kolom_kuesioner", lang)],
                          unsur_rows, ["c", "l", "c"], widths=[10, 60, 20], note=say("note_unsur_order", lang))
    plan = [s.text(lang) for s in results.plan.steps]
    weighted = results.config.weighting.adjusts
    sections = [
        Section(say("sec_sample", lang), [Paragraph(say("plain_sample", lang, n=results.n)),
                                          Paragraph(say("plain_weighting" if weighted else "plain_no_weighting", lang))]),
        Section(say("sec_questionnaire", lang), [Paragraph(say("text_questionnaire", lang, k=len(sch.unsur),
                                                                 scale=f"{sch.scale[0]}–{sch.scale[1]}")),
                                                 questionnaire]),
        Section(say("sec_processing", lang), [Paragraph(say("plain_ikm", lang, k=len(sch.unsur),
                                                              scale=f"{sch.scale[0]}–{sch.scale[1]}",
                                                              conversion=fmt_num(sch.conversion, 0, lang),
                                                              scheme=sch.title)),
                                              Paragraph(say("text_ci_meaning", lang)),
                                              Paragraph(say("plain_technical", lang))]),
        Section(say("sec_data_quality", lang), [Paragraph(results.survey.summary())]),
        Section(say("sec_plan", lang), [Bullets(plan)]),
    ]
    if "bobot" in figures:
        sections[0].blocks.append(figures["bobot"])
    return Chapter(say("chapter_word", lang, n="II"), say("ch_method", lang), sections)


def _column_of(results, key: str) -> str:
    return next((c for c, k in results.unsur_map.items() if k == key), "–")


def _hasil(results, figures, lang: str) -> Chapter:
    config = results.config
    row = results.area_row()
    sections = []
    if "profil" in figures:
        sections.append(Section(say("sec_profile", lang), [Paragraph(say("text_profile", lang, n=results.n)),
                                                            figures["profil"]]))
    else:
        sections.append(Section(say("sec_profile", lang), [Paragraph(results.plan["profile"].text(lang))]))
    area = [Callout(fmt_num(row["ikm_konversi"], 2, lang), say("callout_ikm", lang, area=config.area.name),
                    say("callout_detail", lang, ci=fmt_ci(row["ci_low"], row["ci_high"], 2, lang), mutu=row["mutu"],
                        kinerja=kinerja_label(row["mutu"], lang, results.scheme), n=int(row["n_responden"])),
                    mutu=str(row["mutu"])),
            Paragraph(headline(results, lang) + " " + say("text_p_mutu", lang, p=fmt_pct(row["p_mutu_beda"], 0, lang),
                                                          mutu=row["mutu"]))]
    sections.append(Section(say("sec_ikm_area", lang, level=_area_level(results, lang), area=config.area.name), area))
    if len(results.units()) > 1:
        blocks = [Paragraph(conclusions(results, lang)[1]), ikm_table(results, config.unit, lang)]
        if "ikm_unit" in figures:
            blocks.append(figures["ikm_unit"])
        sections.append(Section(say("sec_ikm_units", lang), blocks))
    for level in results.levels():
        if level in (AREA, config.unit):
            continue
        blocks = [ikm_table(results, level, lang)]
        if level == f"{config.unit}_{config.period}" and "period_units" in figures:
            blocks.append(figures["period_units"])
        sections.append(Section(say("sec_ikm_level", lang, level=" × ".join(column_label(c, lang)
                                                                           for c in results.level_columns(level))),
                                blocks))
    nrr_blocks = [nrr_table(results, lang), figures["nrr_area"]]
    if len(results.units()) > 1:
        nrr_blocks += [nrr_unit_table(results, lang)]
        if "nrr_heatmap" in figures:
            nrr_blocks.append(figures["nrr_heatmap"])
    sections.append(Section(say("sec_nrr", lang), nrr_blocks))
    plain = plain_formula_table(results, lang)
    if plain is not None:
        sections.append(Section(say("sec_plain", lang), [Paragraph(say("text_plain", lang)), plain]))
    online = online_table(results, lang)
    if online is not None:
        weighting = results.online.weighting
        intro = say("text_online", lang, n=len(weighting.design.weights))
        sections.append(Section(say("sec_online", lang), [Paragraph(t) for t in [intro, *weighting.summary(
            lang).splitlines()]] + [online]))
    return Chapter(say("chapter_word", lang, n="III"), say("ch_results", lang), sections)


def _analisis(results, figures, lang: str) -> Chapter:
    plan, sch = results.plan, results.scheme
    sections = []
    if results.drivers is not None:
        d = results.drivers
        top = results.drivers_table().head(3)
        blocks = [Paragraph(say("text_drivers", lang, column=results.overall, r2=fmt_pct(d.r2, 0, lang),
                                top=unsur_names(top["unsur"], lang, sch))),
                  *(Paragraph(t) for t in drivers_statement(results, lang)), figures["drivers"]]
        if results.drivers_check is not None:
            blocks.append(Paragraph(results.drivers_check.verdict(lang)))
        sensitivity = results.drivers_sensitivity()
        if sensitivity is not None:
            blocks += [Paragraph(_sensitivity_text(results, sensitivity, lang)),
                       drivers_sensitivity_table(results, sensitivity, lang)]
        sections.append(Section(say("sec_drivers", lang), blocks))
    else:
        sections.append(Section(say("sec_drivers", lang), [Paragraph(plan["drivers"].text(lang))]))
    if results.ipa_result is not None:
        quad = results.ipa.loc[results.ipa["kuadran"] == "I", "unsur"]
        blocks = [Paragraph(say("text_ipa", lang, unsur=unsur_names(quad, lang, sch) or say("none", lang)) + " " + _ipa_basis(results, lang)), figures["ipa"],
                  _ipa_table(results, lang)]
        if results.csi_result is not None:
            csi = results.csi_result.index.iloc[0]
            blocks.append(Paragraph(say("text_csi", lang, csi=fmt_pct(csi["csi"], 1, lang), category=csi["kategori"])))
        sections.append(Section(say("sec_ipa", lang), blocks))
    else:
        sections.append(Section(say("sec_ipa", lang), [Paragraph(plan["ipa"].text(lang))]))
    if results.period_change is not None:
        sections.append(Section(say("sec_change", lang), [Paragraph(_change_text(results, lang)),
                                                           period_change_table(results, lang)]))
    else:
        sections.append(Section(say("sec_change", lang), [Paragraph(plan["period_change"].text(lang))]))
    if results.servqual is not None:
        gaps = results.servqual
        rows = [[unsur_name(r["unsur"], lang, sch), fmt_num(r["persepsi"], 2, lang), fmt_num(r["harapan"], 2, lang),
                 fmt_signed(r["kesenjangan"], 2, lang), fmt_ci(r["ci_low"], r["ci_high"], 2, lang)]
                for _, r in gaps.iterrows()]
        short = [unsur_name(r["unsur"], lang, sch, code=False) for _, r in gaps.iterrows() if r["ci_high"] < 0]
        sections.append(Section(say("sec_servqual", lang), [
            Paragraph(say("text_servqual", lang, which=", ".join(short) or say("none_differ", lang))),
            Table(say("tab_servqual", lang), [label("unsur", lang), label("persepsi", lang), label("harapan", lang),
                                               label("kesenjangan", lang), label("ci95", lang)], rows,
                  ["l", "r", "r", "r", "r"])]))
    if results.subgroups is not None:
        sections.append(Section(say("sec_subgroups", lang), subgroup_blocks(results, lang)))
    sections += _perkembangan(results, lang, figures)
    said = what_citizens_said(results, lang)
    if said:
        sections.append(Section(say("sec_open_text_analysis", lang), said))
    if results.instrument is not None:
        sections.append(Section(say("sec_instrument", lang), [Paragraph(_instrument_text(results, lang))]))
    return Chapter(say("chapter_word", lang, n="IV"), say("ch_analysis", lang), sections)


def subgroup_blocks(results, lang: str | None = None) -> list:
    """'Perbedaan antarkelompok responden': one sentence on which respondent groups rate differently (Holm-
    adjusted), and a table of the mean respondent score per category with CI and the test's p-value."""
    lang = check_language(lang)
    table = results.subgroups
    tests = table.drop_duplicates("variabel")
    differ = [column_label(v, lang) for v, p in zip(tests["variabel"], tests["p_holm"]) if p < 0.05]
    text = say("text_subgroups", lang, which=", ".join(differ) if differ else say("none_differ", lang))
    rows = [[column_label(r["variabel"], lang), str(r["kategori"]), fmt_num(r["n"], 0, lang), fmt_num(r["skor"], 2, lang),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang), fmt_p(r["p_holm"], lang)] for _, r in table.iterrows()]
    left = {column_label(v, lang): results.n - int(part["n"].sum()) for v, part in table.groupby("variabel", sort=False)}
    left = {k: v for k, v in left.items() if v > 0}
    if left:
        text += " " + say("text_subgroups_left_out", lang, detail="; ".join(f"{k} {fmt_num(v, 0, lang)}"
                                                                          for k, v in left.items()))
    header = [label("variabel", lang), label("kategori", lang), label("n", lang), label("skor_responden", lang),
              label("ci95", lang), label("p_holm", lang)]
    return [Paragraph(text), Table(say("tab_subgroups", lang), header, rows, ["l", "l", "r", "r", "r", "r"],
                                   note=say("note_subgroups", lang))]


#: Unsur quoted in "Apa kata masyarakat" (the most mentioned first) and quotes per unsur.
QUOTED_UNSUR, QUOTES_PER_UNSUR = 3, 2


def what_citizens_said(results, lang: str | None = None) -> list:
    """'Apa kata masyarakat': how many wrote something, the share of all respondents mentioning and
    complaining about each unsur (design-weighted, with CI), and quotes for the most mentioned unsur."""
    lang = check_language(lang)
    said = results.open_text_result
    if said is None:
        return []
    sch = results.scheme
    area = said.shares[said.shares["level"] == "area"].sort_values("sebut", ascending=False, kind="stable")
    header = [label("unsur", lang), label("sebut", lang), label("ci95", lang), label("mengeluhkan", lang)]
    rows = [[unsur_name(r["unsur"], lang, sch), fmt_pct(r["sebut"], 1, lang),
             fmt_ci(100 * r["sebut_ci_low"], 100 * r["sebut_ci_high"], 1, lang), fmt_pct(r["keluhan"], 1, lang)]
            for _, r in area.iterrows() if r["sebut"] > 0]
    blocks = [Paragraph(say("text_open_text_analysis", lang, n=fmt_num(said.n_answers, 0, lang),
                            total=fmt_num(results.n, 0, lang)))]
    if rows:
        blocks.append(Table(say("tab_open_text_shares", lang), header, rows, ["l", "r", "r", "r"],
                            note=say("note_open_text_shares", lang)))
    quotes = said.quotes
    lines = []
    for key in area[area["sebut"] > 0]["unsur"].head(QUOTED_UNSUR):
        chosen = quotes[quotes["unsur"] == key].drop_duplicates("jawaban").head(QUOTES_PER_UNSUR)
        unit = results.unit
        lines += [say("quote_line", lang, unsur=unsur_name(key, lang, sch, code=False), quote=q["jawaban"],
                      unit=results.unit_name(q["group"]) if unit else results.config.area.name)
                  for _, q in chosen.iterrows()]
    if lines:
        blocks += [Paragraph(say("text_quotes", lang)), Bullets(lines)]
    if said.themes is not None and len(said.themes):
        rows = [[str(r["tema"]), str(r["kata"]), fmt_num(r["n"], 0, lang), str(r["contoh"])]
                for _, r in said.themes.iterrows()]
        blocks += [Paragraph(say("text_themes", lang)),
                   Table(say("tab_themes", lang), [label("tema", lang), label("kata_kunci", lang), label("n", lang),
                                                   label("contoh", lang)], rows, ["r", "l", "r", "l"],
                         widths=[8, 27, 8, 57])]
    return blocks


def _ipa_basis(results, lang: str) -> str:
    """Who the IPA rests on: each unsur's mean over those who answered it; with stated importance, how many
    respondents rated importance at all (the others are left out of the importance means)."""
    if results.ipa_result.sumber != "dinyatakan" or not results.importance_map:
        return say("text_ipa_basis", lang)
    rated = int(results.designs[results.weighting].data[list(results.importance_map)].notna().any(axis=1).sum())
    if rated == results.n:
        return say("text_ipa_basis_all", lang, n=results.n)
    return say("text_ipa_basis_stated", lang, rated=rated, n=results.n, left=results.n - rated)


def _ipa_table(results, lang: str) -> Table:
    header = [label("unsur", lang), label("kinerja", lang), label("kepentingan_pendek", lang), label("kesesuaian", lang),
              label("kuadran", lang)]
    body = [[unsur_name(r["unsur"], lang, results.scheme), fmt_num(r["kinerja"], 2, lang),
             fmt_num(r["kepentingan"], 2, lang),
             "–" if pd.isna(r["tingkat_kesesuaian"]) else fmt_num(r["tingkat_kesesuaian"], 1, lang),
             label(f"kuadran_{r['kuadran']}", lang)] for _, r in results.ipa.iterrows()]
    return Table(say("tab_ipa", lang), header, body, ["l", "r", "r", "r", "l"])


def _change_text(results, lang: str) -> str:
    change = results.period_change
    area = change[change["level"] == AREA].iloc[0]
    units = change[change["level"] == results.config.unit]
    names = {v: [unit_label(results, r, lang) for _, r in units.iterrows() if r["perubahan"] == v] for v in ("naik", "turun")}
    return say("text_change", lang, first=area["periode_awal"], last=area["periode_akhir"],
               verdict=_verdict(area, lang), change=fmt_signed(area["selisih"], 2, lang),
               ci=fmt_ci(area["ci_low"], area["ci_high"], 2, lang), p=fmt_p(area["p_value"], lang),
               n_units=len(units), up=", ".join(names["naik"]) or say("none", lang),
               down=", ".join(names["turun"]) or say("none", lang))


def _instrument_text(results, lang: str) -> str:
    ins = results.instrument
    invalid = [c for c in ins.items.index if c not in ins.valid_items]
    text = say("text_instrument", lang, n=ins.n, r_table=fmt_num(ins.r_critical, 3, lang),
               invalid=", ".join(invalid) or say("none", lang), alpha=fmt_num(ins.alpha, 2, lang),
               verdict=say("reliable" if ins.reliable else "unreliable", lang),
               threshold=fmt_num(ins.threshold, 2, lang))
    if ins.n_dropped:
        text += " " + say("text_instrument_left_out", lang, left=ins.n_dropped, n=ins.n + ins.n_dropped)
    return text


def _perkembangan(results, lang: str, figures: dict | None = None) -> list[Section]:
    """Bab IV sections on progress: the series and trend, last year's figures, earlier studies, targets,
    innovations and external scores (only those the study file asked for)."""
    progress, config = results.progress, results.config
    sections = []
    if progress.series is not None:
        trend = progress.series.trend.iloc[0]
        periods = progress.series.periods
        blocks = [Paragraph(say("text_series", lang, first=periods[0], last=periods[-1], n=len(periods),
                                per=trend_unit(results, lang),
                                slope=fmt_signed(trend["selisih"], 2, lang), ci=fmt_ci(trend["ci_low"], trend["ci_high"], 2, lang),
                                verdict=_verdict(trend, lang)))]
        rows = [[str(r[config.period]), fmt_num(r["n_responden"], 0, lang), fmt_num(r["ikm_konversi"], 2, lang),
                 fmt_ci(r["ci_low"], r["ci_high"], 2, lang), str(r["mutu"])] for _, r in progress.series.table.iterrows()]
        blocks.append(Table(say("tab_series_area", lang, area=config.area.name),
                            [label("periode", lang), label("n", lang), label("ikm_konversi_pendek", lang),
                             label("ci95", lang), label("mutu", lang)], rows, ["l", "r", "r", "r", "c"]))
        if figures and "series" in figures:
            blocks.append(figures["series"])
        blocks.append(_changes_table(progress.series, say("tab_series_changes", lang, area=config.area.name), lang))
        if progress.series_units is not None:
            blocks += _unit_series_blocks(results, lang, figures)
        sections.append(Section(say("sec_series", lang), blocks))
    if progress.published is not None:
        pub = progress.published
        rows = [[config.area.name if r["level"] == AREA else results.unit_name(r["group"]),
                 fmt_num(r["ikm_konversi"], 2, lang), fmt_num(r["ikm_terbit"], 2, lang), fmt_signed(r["selisih"], 2, lang),
                 fmt_ci(r["ci_low"], r["ci_high"], 2, lang), fmt_p(r["p_value"], lang), _verdict(r, lang)]
                for _, r in pub.iterrows()]
        kinds = [say(f"published_{k}", lang) for k in dict.fromkeys(pub["jenis_uji"])]
        sections.append(Section(say("sec_published", lang, label=pub["label"].iloc[0]), [
            Table(say("tab_published", lang, label=pub["label"].iloc[0]),
                  [label("unit", lang), label("ikm_konversi_pendek", lang), say("col_published", lang,
                                                                                label=pub["label"].iloc[0]),
                   label("selisih", lang), label("ci95", lang), "p", label("perubahan", lang)], rows,
                  ["l", "r", "r", "r", "r", "r", "l"]), *[Paragraph(k) for k in kinds]]))
    if progress.study_series is not None:
        series = progress.study_series
        studies = list(dict.fromkeys(series["studi"]))
        wide = series.pivot_table(index=["level", "kode"], columns="studi", values="ikm_konversi", aggfunc="first",
                                  sort=False)
        last = series.groupby(["level", "kode"]).tail(1).set_index(["level", "kode"])
        rows = [[str(last.loc[(lv, code), "nama"]), *[fmt_num(wide.loc[(lv, code)].get(s), 2, lang) for s in studies],
                 _verdict(last.loc[(lv, code)], lang) if last.loc[(lv, code), "perubahan"] else "–"]
                for (lv, code) in wide.index]
        sections.append(Section(say("sec_study_series", lang), [
            Table(say("tab_study_series", lang), [label("unit", lang), *studies, label("perubahan", lang)], rows,
                  ["l"] + ["r"] * len(studies) + ["l"], note=say("note_study_series", lang))]))
    if progress.targets is not None:
        t = progress.targets
        rows = [[config.area.name if r["level"] == AREA else unit_label(results, r), fmt_num(r["ikm_konversi"], 2, lang),
                 fmt_ci(r["ci_low"], r["ci_high"], 2, lang), fmt_num(r["target"], 2, lang), fmt_p(r["p_value"], lang),
                 fmt_p(r["p_holm"], lang), say(f"target_{r['status']}", lang), fmt_pct(r["p_target"], 0, lang)]
                for _, r in t.iterrows()]
        sections.append(Section(say("sec_targets", lang), [
            Paragraph(say("text_targets", lang)),
            Table(say("tab_targets", lang), [label("unit", lang), label("ikm_konversi_pendek", lang),
                                             label("ci95", lang), label("sasaran", lang), "p", label("p_holm", lang),
                                             label("status", lang), label("p_sasaran", lang)], rows,
                  ["l", "r", "r", "r", "r", "r", "l", "r"])]))
    if progress.innovations is not None:
        sections.append(Section(say("sec_innovations", lang), _innovation_blocks(results, lang, figures)))
    if progress.external is not None:
        sections.append(Section(say("sec_external", lang), _external_blocks(results, lang, figures)))
    return sections


def _external_blocks(results, lang: str, figures: dict | None) -> list:
    """The yearly external scores with category and zone, the chart beside the IKM, and the rules applied."""
    spec, e = results.config.external, results.progress.external
    rows = [[str(int(r["tahun"])), "–" if pd.isna(r["nilai"]) else fmt_num(r["nilai"], 2, lang),
             str(r["kategori"]) if isinstance(r["kategori"], str) and r["kategori"] else "–",
             say(f"zona_{r['zona']}", lang) if isinstance(r["zona"], str) else "–", str(r["sumber"])]
            for _, r in e.iterrows()]
    later = ("; ".join(say("external_category", lang, name=c, lower=fmt_num(lower, 2, lang),
                           zone=say(f"zona_{zone}", lang)) for c, lower, zone in spec.categories)
             if spec.categories else say("external_entered", lang))
    blocks = [Table(say("tab_external", lang), [label("tahun", lang), label("nilai", lang), label("kategori", lang),
                                                label("zona", lang), label("sumber", lang)], rows,
                    ["l", "r", "c", "l", "l"],
                    note=say("note_external", lang, until=str(spec.since - 1), since=str(spec.since), rule=later))]
    if figures and "external" in figures:
        blocks.append(figures["external"])
    return blocks


def trend_unit(results, lang: str) -> str:
    """What the trend's slope is per: a period step, or a unit of the study file's `periods.times`."""
    spec = results.config.periods
    if spec is None or spec.times is None:
        return say("trend_per_period", lang)
    decimals = next(d for d in (0, 1, 2, 6) if all(round(t, d) == t for t in spec.times) or d == 6)
    return say("trend_per_time", lang, times="; ".join(fmt_num(t, decimals, lang, grouping=False) for t in spec.times))


def _changes_table(series, title: str, lang: str) -> Table:
    """Each consecutive change of the area's IKM (from -> to) with its CI, df and Holm-adjusted p; the note
    states the multiplicity (the family of tests and the adjustment)."""
    rows = [[f"{r['periode_dari']} → {r['periode_ke']}", fmt_signed(r["selisih"], 2, lang),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang), fmt_num(r["df"], 0, lang), fmt_p(r["p_holm"], lang),
             _verdict(r, lang)] for _, r in series.changes.iterrows()]
    return Table(title, [label("langkah", lang), label("selisih", lang), label("ci95", lang), label("df", lang),
                         label("p_holm", lang), label("perubahan", lang)], rows, ["l", "r", "r", "r", "r", "l"],
                 note=series.notes[-1].text(lang))


#: Marks of a significant (Holm) change in the per-unit change table.
_CHANGE_MARKS = {"naik": " ▲", "turun": " ▼"}


def _unit_series_blocks(results, lang: str, figures: dict | None) -> list:
    """Per unit: the chart of its IKM per period, each consecutive change and the trend (one row per unit,
    ▲/▼ where the Holm-adjusted test is significant), the multiplicity stated."""
    units, unit = results.progress.series_units, results.config.unit
    steps = units.changes.assign(langkah=units.changes["periode_dari"].astype(str) + " → "
                                 + units.changes["periode_ke"].astype(str))
    columns = list(dict.fromkeys(steps["langkah"]))
    cells = {(r[unit], r["langkah"]): fmt_signed(r["selisih"], 2, lang) + _CHANGE_MARKS.get(r["perubahan"], "")
             for _, r in steps.iterrows()}
    rows = [[results.unit_name(r[unit]), *[cells.get((r[unit], c), "–") for c in columns],
             fmt_signed(r["selisih"], 2, lang) + _CHANGE_MARKS.get(r["perubahan"], ""),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang)] for _, r in units.trend.iterrows()]
    blocks = [figures["series_units"]] if figures and "series_units" in figures else []
    blocks.append(Table(say("tab_series_units", lang), [label("unit", lang), *columns, label("tren", lang),
                                                         label("ci95", lang)], rows,
                        ["l", *["r"] * (len(columns) + 2)],
                        note=f"{say('note_series_units', lang, per=trend_unit(results, lang))} "
                             f"{units.notes[-1].text(lang)}"))
    return blocks


def _innovation_blocks(results, lang: str, figures: dict | None) -> list:
    """Per innovation: the evidence paragraph, the table of its DiD on the IKM with the placebo row (CI, df),
    the chart of the groups' IKM per period when there is one, and its DiD on the NRR of each unsur."""
    progress, sch, blocks = results.progress, results.scheme, []
    header = [label("ukuran", lang), label("did", lang), label("ci95", lang), label("df", lang), "p",
              label("perubahan", lang)]
    for i, (_, r) in enumerate(progress.innovations.iterrows(), start=1):
        blocks.append(Paragraph(say("text_innovation", lang, name=r["nama"], unit=", ".join(
            results.unit_name(u) for u in r["unit"].split(", ")), start=r["mulai"], did=fmt_signed(r["did"], 2, lang),
            ci=fmt_ci(r["ci_low"], r["ci_high"], 2, lang), p=fmt_p(r["p_value"], lang),
            verdict=_verdict(r, lang), n_t=int(r["n_inovasi"]), n_c=int(r["n_pembanding"]))))
        rows = [[say("did_effect", lang), fmt_signed(r["did"], 2, lang), fmt_ci(r["ci_low"], r["ci_high"], 2, lang),
                 fmt_num(r["df"], 0, lang), fmt_p(r["p_value"], lang), _verdict(r, lang)]]
        if pd.notna(r.get("placebo_did")):
            blocks.append(Paragraph(say("text_placebo", lang, did=fmt_signed(r["placebo_did"], 2, lang),
                                        p=fmt_p(r["placebo_p_value"], lang))))
            rows.append([say("did_placebo", lang), fmt_signed(r["placebo_did"], 2, lang),
                         fmt_ci(r["placebo_ci_low"], r["placebo_ci_high"], 2, lang), fmt_num(r["placebo_df"], 0, lang),
                         fmt_p(r["placebo_p_value"], lang), "–"])
        blocks.append(Table(say("tab_did", lang, name=r["nama"]), header, rows, ["l", "r", "r", "r", "r", "l"]))
        if figures and f"did_{i}" in figures:
            blocks.append(figures[f"did_{i}"])
        nrr = progress.innovations_nrr[(progress.innovations_nrr["nama"] == r["nama"])
                                       & (progress.innovations_nrr["mulai"] == r["mulai"])]
        rows = [[unsur_name(u["unsur"], lang, sch), fmt_signed(u["did"], 2, lang), fmt_ci(u["ci_low"], u["ci_high"], 2, lang),
                 fmt_num(u["df"], 0, lang), fmt_p(u["p_holm"], lang), _verdict(u, lang)] for _, u in nrr.iterrows()]
        blocks.append(Table(say("tab_did_nrr", lang, name=r["nama"]),
                            [label("unsur", lang), *header[1:4], label("p_holm", lang), label("perubahan", lang)], rows,
                            ["l", "r", "r", "r", "r", "l"], note=say("note_did_nrr", lang)))
    blocks.append(Paragraph(say("text_did_assumption", lang)))
    return blocks


def _kesimpulan(results, lang: str) -> Chapter:
    rec = results.recommendations_in(lang)
    sections = [Section(say("sec_conclusions", lang), [Bullets(conclusions(results, lang), numbered=True)]),
                Section(say("sec_recommendations", lang), [
                    Paragraph(say("text_recommendations", lang)), Paragraph(say("text_synthesis", lang)),
                    Bullets(synthesis(results, lang)), Paragraph(say("text_priority", lang)),
                    Bullets(priority_lines(results, lang), numbered=True),
                    *(Paragraph(n.text(lang)) for n in rec.notes)]),
                Section(say("sec_rtl", lang), [*recommendation_tables(results, lang)] or [
                    Paragraph(say("text_no_rtl", lang))]),
                Section(say("sec_closing", lang), [Paragraph(say("text_closing", lang, area=results.config.area.name))])]
    return Chapter(say("chapter_word", lang, n="V"), say("ch_conclusions", lang), sections)


def _lampiran(results, lang: str) -> Chapter:
    sections = [Section(say("sec_questionnaire_appendix", lang), [_questionnaire_table(results, lang)]),
                Section(say("sec_method_technical", lang), [Paragraph(p) for p in methodology(results, lang)]),
                Section(say("sec_ikm_technical", lang), [_technical_ikm_table(results, lang)])]
    if len(results.recommendations_in(lang).statistics):
        sections.append(Section(say("sec_rec_statistics", lang), [recommendation_statistics(results, lang)]))
    texts = open_text_table(results, lang)
    if texts is not None:
        sections.append(Section(say("sec_open_text", lang), [Paragraph(say("text_open_text", lang)), texts]))
    issues = results.survey.issues
    if not issues.empty:
        counts = issues.groupby(["kolom", "masalah"]).size().reset_index(name="n")
        shown = results.survey.column_names(lang)
        sections.append(Section(say("sec_issues", lang), [Table(
            say("tab_issues", lang), [label("kolom", lang), label("masalah", lang), label("n", lang)],
            [[shown.get(r["kolom"], str(r["kolom"])), issue_label(r["masalah"], lang), fmt_num(r["n"], 0, lang)]
             for _, r in counts.iterrows()],
            ["l", "l", "r"])]))
    return Chapter(say("appendix_word", lang, n="A"), say("ch_appendix", lang), sections, appendix=True)


#: The most written answers the appendix lists per unit and text column: the longest distinct ones (the rest
#: are in the data; the XLSX keeps them all).
MAX_OPEN_TEXT = 12


def open_text_table(results, lang: str | None = None) -> Table | None:
    """What respondents wrote in the free-text columns (codebook role 'text'), by unit, as written but with
    personal data masked (`riset.textsafe.mask_personal`): per unit and column up to `MAX_OPEN_TEXT` distinct
    answers, longest first (ties in text order); None when the study has no such column or nobody wrote
    anything."""
    lang = check_language(lang)
    cb, data = results.survey.codebook, results.survey.data
    columns = [c for c in cb.columns("text") if c in data.columns]
    unit = results.unit if results.unit in data.columns else None
    rows, n = [], 0
    for column in columns:
        written = data[data[column].notna() & data[column].astype(str).str.strip().ne("")]
        n += len(written)
        answers = pd.DataFrame({"unit": written[unit].astype(str) if unit else "", "jawaban": written[column].astype(str)})
        chosen = (answers.drop_duplicates().assign(_n=answers["jawaban"].str.len())
                  .sort_values(["unit", "_n", "jawaban"], ascending=[True, False, True], kind="stable")
                  .groupby("unit", sort=False).head(MAX_OPEN_TEXT))
        question = cb.specs[column].question or column
        rows += [[results.unit_name(r["unit"]) if unit else results.config.area.name, question,
                  mask_personal(r["jawaban"])] for _, r in chosen.iterrows()]
    if not rows:
        return None
    note = say("note_open_text_cut", lang, shown=len(rows), n=n, per_unit=MAX_OPEN_TEXT) if len(rows) < n else None
    return Table(say("tab_open_text", lang, n=n), [label("unit", lang), label("pertanyaan", lang),
                                                   label("jawaban", lang)],
                 rows, ["l", "l", "l"], widths=[22, 28, 50], note=note)


def issue_label(kind: str, lang: str | None = None) -> str:
    """A kind of the data-cleaning log (`riset.skm.exports.SurveyData.issues`, Indonesian codes, some with a
    detail in brackets: 'di luar skala (1-4)') in `lang`.

    >>> issue_label("di luar skala (1-4)", "en")
    'out of scale (1-4)'
    """
    kind, bracket, detail = str(kind).partition(" (")
    return label("issue_" + kind.replace(" ", "_"), lang) + (bracket + detail if bracket else "")


def _questionnaire_table(results, lang: str) -> Table:
    cb = results.survey.codebook
    rows = []
    for name, spec in cb.specs.items():
        if spec.role not in ("unsur", "overall", "importance", "demographic", "group"):
            continue
        answers = "; ".join(f"{k} = {v}" for k, v in spec.labels.items()) if spec.labels else (
            f"{spec.scale[0]}–{spec.scale[1]}" if spec.scale else "")
        rows.append([name, spec.question or column_label(name, lang), answers])
    return Table(say("tab_questionnaire", lang), [label("kolom", lang), label("pertanyaan", lang),
                                                  label("pilihan_jawaban", lang)], rows, ["l", "l", "l"],
                 widths=[12, 55, 33])


def _technical_ikm_table(results, lang: str) -> Table:
    rows = results.ikm
    header = [label("tingkat", lang), label("kelompok", lang), label("n", lang), label("ikm_konversi_pendek", lang),
              label("se", lang), label("ci95", lang), label("df", lang), label("p_mutu_beda", lang)]
    body = [[level_label(results, r["level"], lang), _group_label(results, r["level"], r, lang),
             fmt_num(r["n_responden"], 0, lang), fmt_num(r["ikm_konversi"], 2, lang),
             fmt_num(r["se"], 3, lang), fmt_ci(r["ci_low"], r["ci_high"], 2, lang), str(int(r["df"])),
             fmt_pct(r["p_mutu_beda"], 1, lang)] for _, r in rows.iterrows()]
    return Table(say("tab_ikm_technical", lang), header, body, ["l", "l", "r", "r", "r", "r", "r", "r"])


def build_laporan(results, figures: dict[str, Figure], lang: str | None = None) -> Laporan:
    """The whole laporan of a study: cover, kata pengantar, Bab I-V and Lampiran, captions numbered."""
    lang = check_language(lang)
    config = results.config
    cover = Cover(title=config.title, subtitle=say("report_subtitle", lang), area=config.area.name,
                  organiser=config.organiser, date=report_date(results, lang),
                  logo=config.logo.read_bytes() if config.logo else None)
    preface = [say("preface_1", lang, area=config.area.name, scheme=results.scheme.title),
               say("preface_2", lang), say("preface_3", lang)]
    laporan = Laporan(cover, preface, [_pendahuluan(results, lang), _metodologi(results, figures, lang),
                                       _hasil(results, figures, lang), _analisis(results, figures, lang),
                                       _kesimpulan(results, lang), _lampiran(results, lang)], lang,
                      preface_title=say("preface_title", lang), contents_title=say("contents_title", lang),
                      signature=[f"{config.area.name}, {report_date(results, lang)}", config.organiser or ""])
    laporan.number_captions(say("table_word", lang), say("figure_word", lang))
    return laporan
