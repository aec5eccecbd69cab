"""The seminar package of an SKM study: a self-contained HTML report, a PPTX slide deck, a DOCX laporan and XLSX tables.

One call, ``write_report(results, out_dir)``, takes the `riset.study.StudyResults` (nothing is recomputed)
and writes into `out_dir` (default ``data/processed/``):

- ``laporan_skm.html`` — one file, charts inlined as base64 PNG, no external URL (opens offline, can be
  e-mailed);
- ``laporan_skm.docx`` — the laporan with the standard chapters of an SKM report (PermenPAN-RB 14/2017,
  Lampiran: publication with a follow-up plan): 1 Pendahuluan, 2 Metodologi, 3 Hasil, 4 Analisis,
  5 Rekomendasi dan Rencana Tindak Lanjut; tables and charts;
- ``paparan_skm.pptx`` — the seminar slides (16:9);
- ``tabel_skm.xlsx`` — every table of the study, one sheet each (numbers kept as numbers).

Numbers read by people use the audience's format (``82,45``; `riset.i18n.fmt_num`); every IKM carries its
95% confidence interval, mutu and n; the methodology names the design, the weighting and the 1/9 weight.

Example
-------
>>> from riset.study.run import run_study                          # doctest: +SKIP
>>> from riset.present.report import write_report                      # doctest: +SKIP
>>> paths = write_report(run_study("data/raw"), "data/processed")   # doctest: +SKIP
>>> sorted(paths)                                               # doctest: +SKIP
['docx', 'html', 'pptx', 'xlsx']
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from riset.present import charts
from riset.errors import RisetError
from riset.skm.ikm_design import VERDICTS
from riset.skm.exports import write_table
from riset.i18n import check_language, fmt_ci, fmt_num, fmt_pct, label
from riset.skm.schemes import kinerja_label, unsur_name

FORMATS: tuple[str, ...] = ("html", "docx", "pptx", "xlsx")
FILE_NAMES = {"html": "laporan_skm.html", "docx": "laporan_skm.docx", "pptx": "paparan_skm.pptx",
              "xlsx": "tabel_skm.xlsx"}
#: Chapter keys of the laporan, in order (labels in riset.i18n).
CHAPTERS = ("bab_pendahuluan", "bab_metodologi", "bab_hasil", "bab_analisis", "bab_rekomendasi")


@dataclass
class Figure:
    """A rendered chart: a key, its caption and the PNG bytes (rendered once, used by every format)."""

    key: str
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Table:
    """A table for people: caption, header and rows of already formatted strings."""

    caption: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    """One chapter: title, then blocks in order (str = paragraph, `Table`, `Figure`)."""

    title: str
    blocks: list


# ------------------------------------------------------------------------------------------- content
def render_figures(results, lang: str | None = None) -> dict[str, Figure]:
    """Render every chart of the report once (PNG, 150 dpi) from the study results.

    Keys: ikm_unit, nrr, profil, ipa, drivers, periode (when the data has periods) and bobot (when weights
    were adjusted).
    """
    lang = check_language(lang)
    kab = results.kabupaten()
    ipa_lines = results.ipa_result.lines.iloc[0]
    made = {
        "ikm_unit": (charts.ikm_by_unit(results.level("unit"), group="nama_unit", lang=lang, scheme=results.scheme,
                                        overall=float(kab["ikm_konversi"])),
                     _t(lang, "IKM per unit layanan (titik) dengan selang kepercayaan 95% (garis) di atas pita mutu; "
                              "garis putus-putus = IKM kabupaten.",
                        "IKM per service unit (dot) with 95% confidence interval (line) over the grade bands; dashed "
                        "line = regency IKM.")),
        "nrr": (charts.nrr_unsur(results.nrr_of("kabupaten"), lang=lang, scheme=results.scheme),
                _t(lang, "Nilai rata-rata (NRR) tiap unsur untuk seluruh responden, dengan SK 95%; garis titik-titik = "
                         "batas mutu A, B, C pada skala 1–4.",
                   "Mean score (NRR) per element, all respondents, with 95% CI; dotted lines = grade cut-offs A, B, "
                   "C on the 1–4 scale.")),
        "profil": (charts.demographic_profile(results.profile, lang=lang),
                   _t(lang, "Profil responden (persen dan jumlah).", "Respondent profile (percent and count).")),
        "ipa": (charts.ipa_diagram(results.ipa, lang=lang, scheme=results.scheme,
                                   x_line=float(ipa_lines["garis_kinerja"]), y_line=float(ipa_lines["garis_kepentingan"])),
                _t(lang, "Diagram Kartesius IPA: kinerja (NRR) dan kepentingan yang dinyatakan responden; garis = rata-rata "
                         "dari rata-rata unsur.",
                   "IPA grid: performance (NRR) and stated importance; lines = mean of the element means.")),
        "drivers": (charts.driver_importance(results.drivers_table(), lang=lang, scheme=results.scheme),
                    _t(lang, f"Kepentingan relatif unsur terhadap kepuasan keseluruhan (LMG, bagian dari R² = "
                             f"{fmt_num(results.drivers.r2, 2, lang)}), dengan SK 95% bootstrap sesuai desain.",
                       f"Relative importance of the elements for overall satisfaction (LMG, share of R² = "
                       f"{fmt_num(results.drivers.r2, 2, lang)}), with 95% design bootstrap CI.")),
    }
    if "unit_periode" in results.levels():
        change = _unit_changes(results)
        made["periode"] = (charts.period_comparison(results.level("unit_periode"), group="nama_unit", lang=lang,
                                                    scheme=results.scheme, change=change),
                           _t(lang, "IKM per unit pada tiap periode dengan SK 95%"
                                    + ("; ▲/▼ = naik/turun bermakna (uji t desain, p < 0,05)." if change is not None else "."),
                              "IKM per unit in each period with 95% CI"
                              + ("; ▲/▼ = significant increase/decrease (design-based t test, p < 0.05)."
                                 if change is not None else ".")))
    if results.weighting != "tanpa":
        made["bobot"] = (charts.weight_diagnostics(results.weights, results.margins, lang=lang),
                         _t(lang, "Diagnostik bobot: sebaran bobot desain dan bobot akhir, serta komposisi sampel "
                                  "dibandingkan populasi.",
                            "Weight diagnostics: distribution of design and final weights, and sample composition "
                            "against the population."))
    out = {}
    for key, (fig, caption) in made.items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=150, facecolor="white")
        plt.close(fig)
        out[key] = Figure(key, caption, buffer.getvalue())
    return out


def _t(lang: str, id_text: str, en_text: str) -> str:
    return id_text if lang == "id" else en_text


def ikm_table(results, level: str = "unit", lang: str | None = None) -> Table:
    """IKM rows of one level as a people-formatted table: group, n, IKM, 95% CI, mutu, kinerja, P(mutu beda)."""
    lang = check_language(lang)
    rows = results.level(level)
    # periods read in time order; every other level is ranked, best first
    rows = rows.sort_values("periode" if level == "periode" else "ikm_konversi", ascending=level == "periode",
                            kind="stable")
    name_col = {"unit": "nama_unit", "unit_periode": "group", "opd": "opd", "periode": "periode"}.get(level, "group")
    header = [label({"unit": "unit", "unit_periode": "unit", "opd": "opd", "periode": "periode"}.get(level, "kategori"), lang),
              label("n", lang), label("ikm_konversi", lang), label("ci95", lang), label("mutu", lang),
              label("kinerja", lang), label("p_mutu_beda", lang)]
    body = [[str(r[name_col]), fmt_num(r["n_responden"], 0, lang), fmt_num(r["ikm_konversi"], 2, lang),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang), str(r["mutu"]), kinerja_label(r["mutu"], lang, results.scheme),
             fmt_pct(r["p_mutu_beda"], 0, lang)] for _, r in rows.iterrows()]
    caption = {"unit": _t(lang, "IKM per unit layanan", "IKM per service unit"),
               "opd": _t(lang, "IKM per perangkat daerah (OPD)", "IKM per agency (OPD)"),
               "periode": _t(lang, "IKM per periode", "IKM per period"),
               "unit_periode": _t(lang, "IKM per unit dan periode", "IKM per unit and period"),
               "kabupaten": _t(lang, "IKM kabupaten", "Regency IKM")}[level]
    return Table(caption, header, body)


def _unit_changes(results):
    """The unit rows of `results.period_change` (None when the study has fewer than two periods)."""
    change = results.period_change
    return None if change is None else change[change["level"] == "unit"]


def period_change_table(results, lang: str | None = None) -> Table:
    """Change in IKM between the two periods (kabupaten, then units by change): IKM awal, akhir, selisih with
    its 95% CI, p-value and verdict (`riset.skm.ikm_design.compare_periods`, design-based t test)."""
    lang = check_language(lang)
    change = results.period_change
    rows = pd.concat([change[change["level"] == "kabupaten"],
                      _unit_changes(results).sort_values("selisih", ascending=False, kind="stable")])
    first, last = change["periode_awal"].iloc[0], change["periode_akhir"].iloc[0]
    header = [label("unit", lang), f"IKM {first}", f"IKM {last}", _t(lang, "Selisih", "Change"), label("ci95", lang),
              "p", "p (Holm)", _t(lang, "Perubahan", "Verdict")]
    body = [[str(r["group"]) if r["level"] == "kabupaten" else str(r["nama_unit"]), fmt_num(r["ikm_awal"], 2, lang),
             fmt_num(r["ikm_akhir"], 2, lang), ("+" if r["selisih"] > 0 else "") + fmt_num(r["selisih"], 2, lang),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang), _fmt_p(r["p_value"], lang), _fmt_p(r["p_holm"], lang),
             r["perubahan"] if lang == "id" else VERDICTS[r["perubahan"]]] for _, r in rows.iterrows()]
    return Table(_t(lang, f"Perubahan IKM dari {first} ke {last} (uji t sesuai desain sampel, SK 95%)",
                    f"Change in IKM from {first} to {last} (design-based t test, 95% CI)"), header, body)


def _fmt_p(p, lang: str) -> str:
    return ("< " + fmt_num(0.001, 3, lang)) if p < 0.001 else fmt_num(p, 3, lang)


def _p_clause(p, lang: str) -> str:
    """'p = 0,004' or 'p < 0,001' in running text."""
    shown = _fmt_p(p, lang)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def _change_text(results, lang: str) -> str:
    """One paragraph: the kabupaten's change with CI and p, and which units changed significantly."""
    change = results.period_change
    kab = change[change["level"] == "kabupaten"].iloc[0]
    units = _unit_changes(results)
    up = units.loc[units["perubahan"] == "naik bermakna", "nama_unit"].astype(str).tolist()
    down = units.loc[units["perubahan"] == "turun bermakna", "nama_unit"].astype(str).tolist()
    robust = units.loc[units["p_holm"] < 0.05, "nama_unit"].astype(str).tolist()
    verdict = kab["perubahan"] if lang == "id" else VERDICTS[kab["perubahan"]]
    diff = ("+" if kab["selisih"] > 0 else "") + fmt_num(kab["selisih"], 2, lang)
    return _t(lang,
              f"Dari {kab['periode_awal']} ke {kab['periode_akhir']} IKM kabupaten {verdict} ({diff} poin; SK 95% "
              f"{fmt_ci(kab['ci_low'], kab['ci_high'], 2, lang)}; {_p_clause(kab['p_value'], lang)}). Unit yang naik "
              f"bermakna: {', '.join(up) or 'tidak ada'}; turun bermakna: {', '.join(down) or 'tidak ada'}. Uji ini "
              f"memperhitungkan desain sampel dan korelasi kedua periode. Karena {len(units)} unit diuji sekaligus, "
              f"sekitar {fmt_num(0.05 * len(units), 1, lang)} unit diperkirakan tampak berubah bermakna karena "
              f"kebetulan saja; setelah penyesuaian Holm (kolom p (Holm)) yang tetap bermakna: "
              f"{', '.join(robust) or 'tidak ada'}. SK yang saling tumpang tindih pada grafik belum berarti tidak "
              f"ada perubahan.",
              f"From {kab['periode_awal']} to {kab['periode_akhir']} the regency IKM shows a {verdict} ({diff} points; "
              f"95% CI {fmt_ci(kab['ci_low'], kab['ci_high'], 2, lang)}; {_p_clause(kab['p_value'], lang)}). Units "
              f"with a significant increase: {', '.join(up) or 'none'}; decrease: {', '.join(down) or 'none'}. The "
              f"test accounts for the sampling design and the correlation of the two periods. With {len(units)} units "
              f"tested at once, about {fmt_num(0.05 * len(units), 1, lang)} would look significant by chance alone; "
              f"after Holm's adjustment (column p (Holm)) these remain significant: {', '.join(robust) or 'none'}. "
              f"Overlapping CIs on the chart do not by themselves mean no change.")


def nrr_table(results, lang: str | None = None) -> Table:
    """NRR per unsur (kabupaten) with 95% CI and converted NRR, in the regulation's order."""
    lang = check_language(lang)
    part = results.nrr_of("kabupaten")
    header = [label("unsur", lang), label("nrr", lang), label("ci95", lang), _t(lang, "NRR × 25", "NRR × 25"),
              label("n", lang)]
    body = [[unsur_name(r["unsur"], lang, results.scheme), fmt_num(r["nrr"], 2, lang),
             fmt_ci(r["ci_low"], r["ci_high"], 2, lang), fmt_num(25 * r["nrr"], 2, lang),
             fmt_num(r["n_jawaban"], 0, lang)] for _, r in part.iterrows()]
    return Table(_t(lang, "Nilai rata-rata per unsur (seluruh responden)", "Mean score per element (all respondents)"),
                 header, body)


def ipa_table(results, lang: str | None = None) -> Table:
    """IPA per unsur: kinerja, kepentingan, tingkat kesesuaian (%), kuadran."""
    lang = check_language(lang)
    header = [label("unsur", lang), label("kinerja", lang), label("kepentingan", lang).split(" (")[0],
              label("kesesuaian", lang), label("kuadran", lang)]
    body = [[unsur_name(r["unsur"], lang, results.scheme), fmt_num(r["kinerja"], 2, lang), fmt_num(r["kepentingan"], 2, lang),
             fmt_num(r["tingkat_kesesuaian"], 1, lang), label(f"kuadran_{r['kuadran']}", lang)]
            for _, r in results.ipa.iterrows()]
    return Table(_t(lang, "Importance-Performance Analysis per unsur", "Importance-Performance Analysis per element"),
                 header, body)


def recommendation_table(results, lang: str | None = None, top: int = 10) -> Table:
    """The ranked recommendations: priority, unit, unsur, why and what it is worth (riset.skm.recommend)."""
    lang = check_language(lang)
    rec = results.recommendations_in(lang).table.head(top)
    header = [label("peringkat", lang), label("unit", lang), label("unsur", lang), label("rekomendasi", lang)]
    body = [[str(r["prioritas"]), str(r["nama_unit"]), unsur_name(r["unsur"], lang, results.scheme),
             f"{r['alasan']} {r['dampak']}"] for _, r in rec.iterrows()]
    return Table(_t(lang, "Rekomendasi perbaikan menurut prioritas", "Improvements by priority"), header, body)


def follow_up_table(results, lang: str | None = None, top: int = 10) -> Table:
    """The follow-up plan (rencana tindak lanjut): unsur, activity, responsible unit, time frame, indicator."""
    lang = check_language(lang)
    plan = results.recommendations_in(lang).rencana_tindak_lanjut().head(top)
    header = ["No", label("unsur", lang), _t(lang, "Kegiatan", "Activity"),
              _t(lang, "Penanggung jawab", "Responsible"), _t(lang, "Waktu", "Time frame"),
              _t(lang, "Indikator", "Indicator")]
    body = [[str(r["prioritas"]), str(r["nama"]), str(r["kegiatan"]), str(r["penanggung_jawab"]),
             str(r["waktu"]), str(r["indikator"])] for _, r in plan.iterrows()]
    return Table(_t(lang, "Rencana tindak lanjut", "Follow-up plan"), header, body)


def build_sections(results, figures: dict[str, Figure], lang: str | None = None) -> list[Section]:
    """The five chapters of the laporan as blocks (paragraphs, tables, figures), shared by HTML and DOCX."""
    lang = check_language(lang)
    data = results.survey.data
    n_units = data["unit"].nunique()
    periods = sorted(data["periode"].unique()) if "periode" in data.columns else []
    worst = results.level("unit").sort_values("ikm_konversi").iloc[0]
    best = results.level("unit").sort_values("ikm_konversi").iloc[-1]
    quad1 = [unsur_name(k, lang, results.scheme, code=False) for k in results.ipa.loc[results.ipa["kuadran"] == "I", "unsur"]]
    top_drivers = [unsur_name(k, lang, results.scheme, code=False) for k in results.drivers_table()["unsur"].head(3)]
    pendahuluan = [
        _t(lang,
           f"Survei Kepuasan Masyarakat (SKM) ini mengukur kepuasan pengguna {n_units} unit layanan"
           f"{' pada periode ' + ', '.join(periods) if periods else ''}, sesuai {results.scheme.title} tentang Pedoman "
           f"Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik. Hasilnya wajib dipublikasikan "
           f"bersama rencana tindak lanjut.",
           f"This Public Satisfaction Survey (SKM) measures the satisfaction of users of {n_units} service units"
           f"{' in ' + ', '.join(periods) if periods else ''}, following {results.scheme.title}. Results must be "
           f"published with a follow-up plan."),
        _t(lang,
           f"Jumlah responden: {fmt_num(results.n, 0, lang)} orang. {results.headline(lang)}",
           f"Respondents: {fmt_num(results.n, 0, lang)}. {results.headline(lang)}"),
    ]
    metodologi = [*results.methodology(lang), results.survey.summary() if lang == "id" else
                  _data_quality_en(results), figures["profil"]]
    if "bobot" in figures:
        metodologi.append(figures["bobot"])
    hasil = [
        results.headline(lang),
        _t(lang,
           f"IKM tertinggi: {best['nama_unit']} ({fmt_num(best['ikm_konversi'], 2, lang)}, mutu {best['mutu']}); "
           f"terendah: {worst['nama_unit']} ({fmt_num(worst['ikm_konversi'], 2, lang)}, mutu {worst['mutu']}).",
           f"Highest IKM: {best['nama_unit']} ({fmt_num(best['ikm_konversi'], 2, lang)}, grade {best['mutu']}); "
           f"lowest: {worst['nama_unit']} ({fmt_num(worst['ikm_konversi'], 2, lang)}, grade {worst['mutu']})."),
        ikm_table(results, "unit", lang), figures["ikm_unit"],
        *[ikm_table(results, level, lang) for level in ("opd", "periode") if level in results.levels()],
        *[figures[key] for key in ("periode",) if key in figures],
        *([_change_text(results, lang), period_change_table(results, lang)]
          if results.period_change is not None else []),
        nrr_table(results, lang), figures["nrr"],
    ]
    analisis = [
        _t(lang,
           f"Unsur yang paling menentukan kepuasan keseluruhan: {', '.join(top_drivers)}.",
           f"Elements that drive overall satisfaction most: {', '.join(top_drivers)}."),
        figures["drivers"],
    ]
    if results.drivers_check is not None:
        analisis.append(results.drivers_check.verdict(lang))
    analisis += [
        _t(lang,
           f"Unsur di kuadran I (Prioritas Utama: penting tetapi kinerjanya di bawah rata-rata): "
           f"{', '.join(quad1) or 'tidak ada'}. Indeks Kepuasan Pelanggan (CSI): "
           f"{fmt_pct(results.csi_result.index['csi'].iloc[0], 1, lang)} ({results.csi_result.index['kategori'].iloc[0]}).",
           f"Elements in quadrant I (Concentrate here: important but below-average performance): "
           f"{', '.join(quad1) or 'none'}. Customer Satisfaction Index (CSI): "
           f"{fmt_pct(results.csi_result.index['csi'].iloc[0], 1, lang)}."),
        figures["ipa"], ipa_table(results, lang),
    ]
    rekomendasi = [
        _t(lang,
           "Rekomendasi diurutkan menurut dampaknya pada IKM: unsur yang penting, kinerjanya rendah dan "
           "ketidakpastiannya kecil didahulukan. Unit layanan menetapkan kegiatan, waktu dan penanggung jawab "
           "tindak lanjut untuk setiap butir, lalu melaporkannya pada SKM berikutnya.",
           "Recommendations are ranked by their effect on the IKM: important, low-performing elements with small "
           "uncertainty come first. Each unit sets the activity, timing and person responsible for every item and "
           "reports on it in the next survey."),
        recommendation_table(results, lang),
        follow_up_table(results, lang),
    ]
    bodies = (pendahuluan, metodologi, hasil, analisis, rekomendasi)
    return [Section(label(key, lang), blocks) for key, blocks in zip(CHAPTERS, bodies)]


def _data_quality_en(results) -> str:
    issues = results.survey.issues
    blanked = int((issues["tindakan"] == "dikosongkan").sum()) if not issues.empty else 0
    return (f"Data quality: {fmt_num(results.n, 0, 'en')} respondent rows read; {blanked} cells blanked as invalid or "
            f"missing codes and {len(issues) - blanked} text answers converted to numbers (listed in the XLSX sheet "
            f"'Masalah data'). No respondent was dropped.")


# ------------------------------------------------------------------------------------------- writers
def write_report(
    results,
    out_dir: str | Path = "data/processed",
    lang: str | None = None,
    formats: Sequence[str] = FORMATS,
) -> dict[str, Path]:
    """Write the seminar package (HTML, DOCX, PPTX, XLSX) of a `StudyResults` into `out_dir`.

    Charts are rendered once and embedded in every format; returns format -> path written.
    """
    lang = check_language(lang)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise RisetError(f"formats {unknown} are not report formats; choose from: {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures = render_figures(results, lang) if set(formats) - {"xlsx"} else {}
    sections = build_sections(results, figures, lang) if {"html", "docx"} & set(formats) else []
    paths: dict[str, Path] = {}
    for fmt in formats:
        path = out / FILE_NAMES[fmt]
        if fmt == "html":
            path.write_text(render_html(results, sections, lang), encoding="utf-8")
        elif fmt == "docx":
            _write_docx(results, sections, path, lang)
        elif fmt == "pptx":
            _write_pptx(results, figures, path, lang)
        else:
            write_table(results.tables(), path)
        paths[fmt] = path
    return paths


def render_html(results, sections: list[Section], lang: str | None = None) -> str:
    """The HTML report as one string (template ``templates/laporan.html.j2``, images as data URIs)."""
    lang = check_language(lang)
    env = Environment(loader=PackageLoader("riset.present.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("laporan.html.j2")
    return template.render(
        lang=lang, title=results.title, subtitle=label("laporan", lang), sections=sections,
        headline=results.headline(lang), kab=_kab_card(results, lang), date=dt.date.today().isoformat(),
        is_table=lambda b: isinstance(b, Table), is_figure=lambda b: isinstance(b, Figure),
    )


def _kab_card(results, lang: str) -> dict[str, str]:
    kab = results.kabupaten()
    return {"ikm": fmt_num(kab["ikm_konversi"], 2, lang), "ci": fmt_ci(kab["ci_low"], kab["ci_high"], 2, lang),
            "mutu": str(kab["mutu"]), "kinerja": kinerja_label(kab["mutu"], lang, results.scheme),
            "n": fmt_num(kab["n_responden"], 0, lang),
            "label_ikm": label("ikm_konversi", lang), "label_ci": label("ci95", lang), "label_mutu": label("mutu", lang),
            "label_n": label("n_responden", lang)}


def _write_docx(results, sections: list[Section], path: Path, lang: str) -> None:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    doc.add_heading(results.title, level=0)
    doc.add_paragraph(f"{label('laporan', lang)} — {dt.date.today().isoformat()}")
    for number, section in enumerate(sections, start=1):
        doc.add_heading(f"{number}. {section.title}", level=1)
        for block in section.blocks:
            if isinstance(block, Figure):
                doc.add_picture(io.BytesIO(block.png), width=Cm(16))
                doc.add_paragraph(block.caption, style="Caption")
            elif isinstance(block, Table):
                doc.add_paragraph(block.caption, style="Caption")
                table = doc.add_table(rows=1, cols=len(block.header))
                table.style = "Light Grid Accent 1"
                table.autofit = False
                for cell, text in zip(table.rows[0].cells, block.header):
                    cell.text = text
                for row in block.rows:
                    for cell, text in zip(table.add_row().cells, row):
                        cell.text = text
                for row in table.rows:
                    for cell in row.cells:
                        for run in cell.paragraphs[0].runs:
                            run.font.size = Pt(9)
                widths = _column_shares(block)
                for column, share in zip(table.columns, widths):  # the grid (LibreOffice) and each cell (Word)
                    column.width = Cm(16 * share)
                    for cell in column.cells:
                        cell.width = Cm(16 * share)
                doc.add_paragraph()
            else:
                doc.add_paragraph(str(block))
    doc.save(path)


def _column_shares(table: Table) -> list[float]:
    """Column widths as shares of the page: short columns (numbers, grades, time frames) fit on one line, long
    ones are capped at 30 characters (a recommendation wraps instead of squeezing the numbers), and no column
    is narrower than its longest word."""
    weights = []
    for j, head in enumerate(table.header):
        texts = [head, *(r[j] for r in table.rows)]
        longest_word = max(len(word) for text in texts for word in (text.split() or [""]))
        longest = max(len(t) for t in texts[1:] or [head])
        weights.append(max(longest + 4 if longest <= 12 else min(longest, 30), longest_word + 3, 9))
    return [w / sum(weights) for w in weights]


def _write_pptx(results, figures: dict[str, Figure], path: Path, lang: str) -> None:
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    title_layout, only_title = prs.slide_layouts[0], prs.slide_layouts[5]

    slide = prs.slides.add_slide(title_layout)
    # the default template is 4:3; stretch the placeholders across the 16:9 slide
    for shape, top, height in ((slide.shapes.title, 1.6, 2.0), (slide.placeholders[1], 3.8, 2.6)):
        shape.left, shape.top = Inches(0.8), Inches(top)
        shape.width, shape.height = prs.slide_width - Inches(1.6), Inches(height)
    slide.shapes.title.text = results.title
    slide.placeholders[1].text = f"{label('laporan', lang)}\n{results.headline(lang)}"

    def titled(text: str):
        s = prs.slides.add_slide(only_title)
        title = s.shapes.title
        title.left, title.top = Inches(0.5), Inches(0.25)
        title.width, title.height = prs.slide_width - Inches(1.0), Inches(1.0)
        title.text = text
        title.text_frame.paragraphs[0].font.size = Pt(28)
        return s

    def picture(text: str, fig: Figure, note: str | None = None):
        s = titled(text)
        top, bottom = Inches(1.35), Inches(1.3 if note else 0.3)
        box_w, box_h = prs.slide_width - Inches(1.0), prs.slide_height - top - bottom
        pic = s.shapes.add_picture(io.BytesIO(fig.png), Inches(0.5), top)
        scale = min(box_w / pic.width, box_h / pic.height)
        pic.width, pic.height = int(pic.width * scale), int(pic.height * scale)
        pic.left = int((prs.slide_width - pic.width) / 2)
        if note:
            tb = s.shapes.add_textbox(Inches(0.5), prs.slide_height - Inches(1.25), box_w, Inches(1.15))
            tb.text_frame.word_wrap = True
            tb.text_frame.text = note
            tb.text_frame.paragraphs[0].font.size = Pt(12)
        return s

    def bullets(text: str, items: list[str], size: int = 18):
        s = titled(text)
        tb = s.shapes.add_textbox(Inches(0.7), Inches(1.5), prs.slide_width - Inches(1.4), prs.slide_height - Inches(2.0))
        tf = tb.text_frame
        tf.word_wrap = True
        for i, item in enumerate(items):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = f"• {item}"
            p.font.size = Pt(size)
            p.space_after = Pt(10)
        return s

    def table_slide(text: str, table: Table, widths: Sequence[float], size: int = 12, row: float = 0.36):
        s = titled(text)
        width = prs.slide_width - Inches(1.0)
        height = Emu(int(Inches(row) * (len(table.rows) + 1)))
        shape = s.shapes.add_table(len(table.rows) + 1, len(table.header), Inches(0.5), Inches(1.4), width, height)
        grid = shape.table
        for column, share in zip(grid.columns, widths):
            column.width = Emu(int(width * share / sum(widths)))
        for j, head in enumerate(table.header):
            grid.cell(0, j).text = head
        for i, row in enumerate(table.rows, start=1):
            for j, text in enumerate(row):
                grid.cell(i, j).text = text
        for r in range(len(table.rows) + 1):
            for j in range(len(table.header)):
                for p in grid.cell(r, j).text_frame.paragraphs:
                    p.font.size = Pt(size)
        return s

    kab = results.kabupaten()
    bullets(label("bab_metodologi", lang), results.methodology(lang), size=14)
    bullets(_t(lang, "Hasil utama", "Key results"), [
        results.headline(lang),
        _t(lang, f"Bobot unsur tepat 1/{len(results.scheme.unsur)}; IKM konversi = IKM × 25.",
           f"Element weight exactly 1/{len(results.scheme.unsur)}; converted IKM = IKM × 25."),
        _t(lang, f"Peluang mutu kabupaten sebenarnya berbeda dari {kab['mutu']}: {fmt_pct(kab['p_mutu_beda'], 0, lang)}.",
           f"Probability that the regency's true grade differs from {kab['mutu']}: {fmt_pct(kab['p_mutu_beda'], 0, lang)}."),
    ])
    unit_rows = ikm_table(results, "unit", lang)
    table_slide(unit_rows.caption, unit_rows, (34, 6, 12, 14, 7, 12, 15), size=11)
    picture(_t(lang, "IKM per unit layanan", "IKM per service unit"), figures["ikm_unit"], figures["ikm_unit"].caption)
    if "periode" in figures:
        picture(_t(lang, "IKM semester 1 dan 2", "IKM by period"), figures["periode"], figures["periode"].caption)
    if results.period_change is not None:
        change = period_change_table(results, lang)
        table_slide(_t(lang, "Perubahan IKM antar periode", "Change in IKM between periods"), change,
                    (28, 9, 9, 8, 15, 7, 8, 16), size=9, row=0.32)
    picture(_t(lang, "Nilai per unsur pelayanan", "Score per service element"), figures["nrr"])
    picture(label("judul_profil", lang), figures["profil"])
    picture(_t(lang, "Faktor penentu kepuasan", "Key drivers of satisfaction"), figures["drivers"],
            results.drivers_check.verdict(lang) if results.drivers_check is not None else None)
    picture(_t(lang, "Importance-Performance Analysis", "Importance-Performance Analysis"), figures["ipa"])
    if "bobot" in figures:
        picture(label("judul_bobot", lang), figures["bobot"])
    rec = recommendation_table(results, lang, top=5)
    table_slide(label("rekomendasi", lang), rec, (7, 20, 18, 55), size=10)
    plan = follow_up_table(results, lang, top=6)
    table_slide(plan.caption, plan, (5, 15, 32, 22, 10, 16), size=10)
    prs.save(path)
