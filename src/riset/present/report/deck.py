"""The seminar slides (PPTX, 16:9): what a kabupaten audience reads from a seat.

One message per slide, stated in its title ("2 dari 15 unit bermutu C"); body text at 20 pt or more, titles
larger; one chart per slide at full width, at most 8 units per chart (the units are split over several
slides on the same scale); the details a presenter needs are in the speaker notes. Order: title, agenda,
ringkasan, metodologi, profil responden, hasil (IKM of the area, per unit, per unsur, change), analisis
(drivers, IPA), kesimpulan, rekomendasi, rencana tindak lanjut, analyses skipped, penutup. Every sentence
comes from the catalog; every number from `StudyResults`.

>>> write_deck(results, "paparan_skm.pptx", "id")          # doctest: +SKIP
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from riset.i18n import check_language, fmt_ci, fmt_num, fmt_pct, fmt_signed, label, say
from riset.textsafe import shorten
from riset.present import charts
from riset.present.report.content import (PRIORITY_UNITS, conclusions, evidence, priority_lines, report_date,
                                         trend_unit, unit_label)
from riset.present.report.document import Figure
from riset.present.report.figures import figure_from, render_figures
from riset.present.report.text import drivers_statement, methodology
from riset.skm.schemes import kinerja_label, unsur_name
from riset.study.progress import period_order
from riset.study.run import AREA

__all__ = ["BODY_PT", "MAX_UNITS", "TITLE_PT", "write_deck"]

#: Smallest body text (pt) and the title size; a room reads 18 pt from the back rows.
BODY_PT = 20
TITLE_PT = 32
#: Most units on one chart slide.
MAX_UNITS = 8
_W, _H = Inches(13.333), Inches(7.5)
_ACCENT = RGBColor(0x25, 0x34, 0x94)
_INK = RGBColor(0x1A, 0x1A, 0x1A)
_MUTU = {"A": RGBColor(0x1A, 0x98, 0x50), "B": RGBColor(0x66, 0xBD, 0x63), "C": RGBColor(0xFD, 0xAE, 0x61),
         "D": RGBColor(0xD7, 0x30, 0x27)}


@dataclass
class _Deck:
    """The presentation being built, with its blank layout and language."""

    prs: Presentation
    lang: str

    def slide(self, title: str | None, notes: str):
        """A blank slide with its title bar and speaker notes (every slide has notes: the presenter's detail)."""
        s = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        if title is not None:
            bar = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, _W, Inches(1.25))
            bar.fill.solid()
            bar.fill.fore_color.rgb = _ACCENT
            bar.line.fill.background()
            _text(s, title, Inches(0.5), Inches(0.12), _W - Inches(1.0), Inches(1.05), TITLE_PT, bold=True,
                  color=RGBColor(0xFF, 0xFF, 0xFF), anchor=MSO_ANCHOR.MIDDLE)
        s.notes_slide.notes_text_frame.text = notes
        return s


def _text(slide, text: str, left, top, width, height, size: int = BODY_PT, bold: bool = False, color=_INK,
          align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color
    return box


def _bullets(deck: _Deck, title: str, items: list[str], notes: str, size: int = BODY_PT + 2):
    s = deck.slide(title, notes)
    box = s.shapes.add_textbox(Inches(0.7), Inches(1.6), _W - Inches(1.4), _H - Inches(2.0))
    frame = box.text_frame
    frame.word_wrap = True
    for i, item in enumerate(items):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = p.add_run()
        run.text = f"• {item}"
        run.font.size, run.font.color.rgb = Pt(size), _INK
        p.space_after = Pt(12)
    return s


def _picture(deck: _Deck, title: str, figure: Figure, notes: str):
    """One chart at full width (or full height when it is tall), centred under the title."""
    s = deck.slide(title, notes)
    top, margin = Inches(1.33), Inches(0.35)
    box_w, box_h = _W - 2 * margin, _H - top - Inches(0.08)
    width = box_w if figure.aspect * box_w <= box_h else int(box_h / figure.aspect)
    height = int(width * figure.aspect)
    s.shapes.add_picture(io.BytesIO(figure.png), int((_W - width) / 2), top, width, height)
    return s


def _table(deck: _Deck, title: str, header: list[str], rows: list[list[str]], widths: list[float], notes: str):
    s = deck.slide(title, notes)
    width = _W - Inches(1.0)
    shape = s.shapes.add_table(len(rows) + 1, len(header), Inches(0.5), Inches(1.55), width,
                               Emu(int(Inches(0.6) * (len(rows) + 1))))
    grid = shape.table
    for column, share in zip(grid.columns, widths):
        column.width = Emu(int(width * share / sum(widths)))
    for j, text in enumerate(header):
        _cell(grid.cell(0, j), text, bold=True)
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            _cell(grid.cell(i, j), text)
    return s


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold = Pt(BODY_PT), bold


# ------------------------------------------------------------------------------------------- slides
def _title_slide(deck: _Deck, results) -> None:
    config, lang = results.config, deck.lang
    s = deck.slide(None, say("deck_notes_title", lang, area=config.area.name))
    band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.0), _W, Inches(3.0))
    band.fill.solid()
    band.fill.fore_color.rgb = _ACCENT
    band.line.fill.background()
    white = RGBColor(0xFF, 0xFF, 0xFF)
    _text(s, config.title, Inches(0.8), Inches(2.2), _W - Inches(1.6), Inches(1.5), 40, bold=True, color=white,
          anchor=MSO_ANCHOR.MIDDLE)
    _text(s, say("deck_subtitle", lang, area=config.area.name), Inches(0.8), Inches(3.7), _W - Inches(1.6),
          Inches(1.0), 24, color=white)
    who = " · ".join(x for x in (config.organiser, report_date(results, lang)) if x)
    _text(s, who, Inches(0.8), Inches(5.4), _W - Inches(1.6), Inches(0.8), 22)
    if config.logo is not None:
        s.shapes.add_picture(str(config.logo), _W - Inches(2.3), Inches(0.3), height=Inches(1.4))


#: Respondent characteristics per profile slide (side by side, so the bars stay readable from a seat).
PROFILE_PANELS = 2


def _profile_slides(deck: _Deck, results) -> None:
    """The respondents' profile, two characteristics per slide."""
    lang, profile = deck.lang, results.profile
    variables = list(dict.fromkeys(profile["variabel"]))
    chunks = [variables[i:i + PROFILE_PANELS] for i in range(0, len(variables), PROFILE_PANELS)]
    for i, chunk in enumerate(chunks, start=1):
        fig = charts.demographic_profile(profile[profile["variabel"].isin(chunk)], lang=lang, title="")
        title = say("deck_profile", lang, n=results.n) + (f" ({i}/{len(chunks)})" if len(chunks) > 1 else "")
        shown = profile[profile["variabel"].isin(chunk)]
        notes = say("deck_notes_profile", lang, n=results.n, caption="; ".join(
            f"{label(v, lang)}: " + ", ".join(f"{k} {fmt_num(p, 1, lang)}%" for k, p in
                                               zip(part["kategori"], part["persen"]))
            for v, part in shown.groupby("variabel", sort=False)))
        _picture(deck, title, figure_from(fig, f"profil_{i}", ""), notes)


def _area_slide(deck: _Deck, results) -> None:
    lang, row, sch = deck.lang, results.area_row(), results.scheme
    title = say("deck_area_title", lang, area=results.config.area.name, ikm=fmt_num(row["ikm_konversi"], 2, lang),
                mutu=row["mutu"], kinerja=kinerja_label(row["mutu"], lang, sch))
    s = deck.slide(title, say("deck_notes_area", lang, p=fmt_pct(row["p_mutu_beda"], 0, lang), mutu=row["mutu"],
                              se=fmt_num(row["se"], 2, lang), df=int(row["df"])))
    box = s.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(0.9), Inches(2.0), Inches(5.2), Inches(4.4))
    box.fill.solid()
    box.fill.fore_color.rgb = _MUTU.get(row["mutu"], _ACCENT)
    box.line.fill.background()
    _text(s, fmt_num(row["ikm_konversi"], 2, lang), Inches(0.9), Inches(2.3), Inches(5.2), Inches(2.0), 80, bold=True,
          color=RGBColor(0xFF, 0xFF, 0xFF), align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
    _text(s, say("deck_mutu", lang, mutu=row["mutu"], kinerja=kinerja_label(row["mutu"], lang, sch)), Inches(0.9),
          Inches(4.5), Inches(5.2), Inches(1.2), 28, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF), align=PP_ALIGN.CENTER)
    lines = [say("deck_ci", lang, ci=fmt_ci(row["ci_low"], row["ci_high"], 2, lang)),
             say("deck_n", lang, n=int(row["n_responden"])),
             say("deck_p_mutu", lang, p=fmt_pct(row["p_mutu_beda"], 0, lang), mutu=row["mutu"])]
    for i, line in enumerate(lines):
        _text(s, line, Inches(6.7), Inches(2.3 + 1.2 * i), Inches(6.0), Inches(1.1), 24)


def _unit_slides(deck: _Deck, results) -> None:
    lang, sch, config = deck.lang, results.scheme, results.config
    units = results.units().sort_values("ikm_konversi", ascending=False, kind="stable")
    if len(units) < 2:
        return
    worst = next(b.mutu for b in reversed(sch.bands) if b.mutu in set(units["mutu"]))
    k = int((units["mutu"] == worst).sum())
    headline = say("deck_units_title", lang, k=k, n=len(units), mutu=worst)
    ends = np.concatenate([units["ci_low"], units["ci_high"]])
    limits = (max(25.0, np.floor((ends.min() - 3) / 5) * 5), min(100.0, np.ceil((ends.max() + 2) / 5) * 5))
    chunks = [units.iloc[i:i + MAX_UNITS] for i in range(0, len(units), MAX_UNITS)]
    name = config.names.get(config.unit, config.unit)
    for i, chunk in enumerate(chunks, start=1):
        fig = charts.ikm_by_unit(chunk.assign(**{name: [unit_label(results, r, lang) for _, r in chunk.iterrows()]}),
                                 group=name, lang=lang, scheme=sch,
                                 overall=float(results.area_row()["ikm_konversi"]), title="",
                                 overall_label=config.area.name, limits=limits)
        notes = "\n".join(say("deck_notes_unit", lang, unit=unit_label(results, r, lang), ikm=fmt_num(r["ikm_konversi"], 2, lang),
                              ci=fmt_ci(r["ci_low"], r["ci_high"], 2, lang), mutu=r["mutu"], n=int(r["n_responden"]))
                          for _, r in chunk.iterrows())
        title = headline if i == 1 else say("deck_units_more", lang, i=i, m=len(chunks))
        _picture(deck, title, figure_from(fig, f"ikm_unit_{i}", ""), notes)


def _nrr_slide(deck: _Deck, results) -> None:
    lang, sch = deck.lang, results.scheme
    nrr = results.nrr_of(AREA)
    low = nrr.loc[nrr["nrr"].idxmin()]
    fig = charts.nrr_unsur(nrr, lang=lang, scheme=sch, title="")
    _picture(deck, say("deck_nrr_title", lang, unsur=unsur_name(low["unsur"], lang, sch, code=False),
                       nrr=fmt_num(low["nrr"], 2, lang)), figure_from(fig, "nrr", ""),
             "\n".join(f"{unsur_name(r['unsur'], lang, sch)}: {fmt_num(r['nrr'], 2, lang)} "
                       f"({fmt_ci(r['ci_low'], r['ci_high'], 2, lang)})" for _, r in nrr.iterrows()))


def _change_slide(deck: _Deck, results, figures: dict[str, Figure]) -> None:
    if results.period_change is None:
        return
    lang = deck.lang
    area = results.period_change[results.period_change["level"] == AREA].iloc[0]
    title = say("deck_change_title", lang, verdict=say(f"verdict_{area['perubahan']}", lang),
                first=area["periode_awal"], last=area["periode_akhir"], change=fmt_signed(area["selisih"], 2, lang))
    notes = say("deck_notes_change", lang, ci=fmt_ci(area["ci_low"], area["ci_high"], 2, lang))
    if "period_units" not in figures:
        _bullets(deck, title, [notes], notes)
        return
    # the units' periods side by side, at most MAX_UNITS units per slide (as the IKM per unit)
    config = results.config
    cross = results.level(f"{config.unit}_{config.period}")
    change = results.period_change[results.period_change["level"] == config.unit]
    order, _ = period_order(config, results.survey.data)
    codes = list(dict.fromkeys(cross.sort_values("ikm_konversi", ascending=False, kind="stable")[config.unit]))
    chunks = [codes[i:i + MAX_UNITS] for i in range(0, len(codes), MAX_UNITS)]
    name = config.names.get(config.unit, config.unit)
    for i, chunk in enumerate(chunks, start=1):
        fig = charts.period_comparison(cross[cross[config.unit].isin(chunk)], group=name, lang=lang,
                                       scheme=results.scheme, change=change[change[config.unit].isin(chunk)],
                                       periods=order, title="")
        _picture(deck, title if i == 1 else say("deck_change_more", lang, i=i, m=len(chunks)),
                 figure_from(fig, f"period_units_{i}", ""), notes)


def _drivers_slide(deck: _Deck, results, figures: dict[str, Figure]) -> None:
    if results.drivers is None:
        return
    lang, sch = deck.lang, results.scheme
    top = [unsur_name(k, lang, sch, code=False) for k in results.drivers_table()["unsur"].head(2)]
    notes = "\n".join([*drivers_statement(results, lang),
                       *([results.drivers_check.verdict(lang)] if results.drivers_check is not None else [])])
    _picture(deck, say("deck_drivers_title", lang, first=top[0], second=top[1]), figures["drivers"], notes)


def _ipa_slide(deck: _Deck, results, figures: dict[str, Figure]) -> None:
    if results.ipa_result is None:
        return
    lang, sch = deck.lang, results.scheme
    quad = [unsur_name(k, lang, sch, code=False) for k in results.ipa.loc[results.ipa["kuadran"] == "I", "unsur"]]
    title = say("deck_ipa_title", lang, unsur=", ".join(quad)) if quad else say("deck_ipa_none", lang)
    _picture(deck, title, figures["ipa"], say("deck_notes_ipa", lang))


def _progress_slide(deck: _Deck, results) -> None:
    """One slide with the study's progress: the trend, last year's figure, targets, innovations."""
    lang, progress, area = deck.lang, results.progress, results.config.area.name
    items = []
    if progress.series is not None:
        trend = progress.series.trend.iloc[0]
        items.append(say("deck_series", lang, slope=fmt_signed(trend["selisih"], 2, lang),
                         per=trend_unit(results, lang), verdict=say(f"verdict_{trend['perubahan']}", lang)))
    if progress.published is not None and (progress.published["level"] == AREA).any():
        row = progress.published[progress.published["level"] == AREA].iloc[0]
        items.append(say("deck_published", lang, label=row["label"], published=fmt_num(row["ikm_terbit"], 2, lang),
                         ikm=fmt_num(row["ikm_konversi"], 2, lang), verdict=say(f"verdict_{row['perubahan']}", lang)))
    if progress.targets is not None:
        met = int((progress.targets["status"] == "met").sum())
        items.append(say("deck_targets", lang, met=met, n=len(progress.targets)))
    if progress.innovations is not None:
        for _, r in progress.innovations.iterrows():
            items.append(say("deck_innovation", lang, name=r["nama"], did=fmt_signed(r["did"], 2, lang),
                             ci=fmt_ci(r["ci_low"], r["ci_high"], 2, lang)))
    if items:
        _bullets(deck, say("deck_progress", lang, area=area), items, say("text_did_assumption", lang)
                 if progress.innovations is not None else "")


def _progress_pictures(deck: _Deck, results, figures: dict[str, Figure]) -> None:
    """The Perkembangan charts, one per slide: the area's series, each innovation against its comparison units,
    the external score beside the IKM (those that were drawn); the caption in the speaker notes."""
    lang, progress = deck.lang, results.progress
    if "series" in figures:
        trend = progress.series.trend.iloc[0]
        title = say("deck_series", lang, slope=fmt_signed(trend["selisih"], 2, lang), per=trend_unit(results, lang),
                    verdict=say(f"verdict_{trend['perubahan']}", lang))
        _picture(deck, title, figures["series"], figures["series"].caption)
    for i, (_, r) in enumerate(progress.innovations.iterrows() if progress.innovations is not None else (), start=1):
        if f"did_{i}" in figures:
            effect = say("deck_innovation", lang, name=r["nama"], did=fmt_signed(r["did"], 2, lang),
                         ci=fmt_ci(r["ci_low"], r["ci_high"], 2, lang))
            _picture(deck, say("deck_innovation_title", lang, name=shorten(r["nama"], 40),
                               did=fmt_signed(r["did"], 2, lang)), figures[f"did_{i}"],
                     f"{effect}\n{figures[f'did_{i}'].caption}\n{say('text_did_assumption', lang)}")
    if "external" in figures:
        _picture(deck, say("sec_external", lang), figures["external"], figures["external"].caption)


def _citizens_slide(deck: _Deck, results) -> None:
    """'What citizens said': the unsur mentioned most (share of respondents) and a quote for each."""
    said, lang, sch = results.open_text_result, deck.lang, results.scheme
    if said is None:
        return
    area = said.shares[(said.shares["level"] == "area") & (said.shares["sebut"] > 0)].sort_values(
        "sebut", ascending=False, kind="stable").head(3)
    items = []
    for _, r in area.iterrows():
        quote = said.quotes[said.quotes["unsur"] == r["unsur"]].head(1)
        items.append(say("deck_said", lang, unsur=unsur_name(r["unsur"], lang, sch, code=False),
                         share=fmt_pct(r["sebut"], 0, lang),
                         quote=shorten(quote["jawaban"].iloc[0], 90) if len(quote) else "–"))
    if items:
        _bullets(deck, say("deck_said_title", lang, n=fmt_num(said.n_answers, 0, lang)), items,
                 say("note_open_text_shares", lang))


def _recommendation_slides(deck: _Deck, results) -> None:
    """The area-wide synthesis, the units to start with, then a follow-up table for each of the first three."""
    lang = deck.lang
    rec = results.recommendations_in(lang)
    if rec.actions.empty:
        _bullets(deck, say("deck_rec_title", lang), [say("text_no_rtl", lang)], say("text_no_rtl", lang))
        return
    lines = [say("deck_rec_unsur", lang, unsur=unsur_name(r["unsur"], lang, results.scheme, code=False),
                 k=int(r["n_prioritas"]), n=int(r["n_total"])) for _, r in rec.synthesis.head(4).iterrows()
             if r["n_prioritas"] > 0]
    _bullets(deck, say("deck_rec_title", lang), lines, say("text_recommendations", lang))
    if len(rec.priority_units) > 1:
        first = [say("deck_priority", lang, unit=r["nama_unit"], ikm=fmt_num(r["ikm_konversi"], 2, lang),
                     mutu=r["mutu"]) for _, r in rec.priority_units.head(PRIORITY_UNITS).iterrows()]
        _bullets(deck, say("deck_priority_title", lang), first, "\n".join(priority_lines(results, lang)))
    for code in list(dict.fromkeys(rec.actions["unit"]))[:3]:
        part = rec.actions[rec.actions["unit"] == code].head(3)
        rows = [[unsur_name(r["unsur"], lang, results.scheme, code=False), str(r["kegiatan"]),
                 str(r["penanggung_jawab"]), str(r["waktu"])] for _, r in part.iterrows()]
        notes = "\n".join(f"{unsur_name(r['unsur'], lang, results.scheme)}: {evidence(r, lang, results.scheme)}. "
                          f"{label('indikator', lang)}: {r['indikator']}" for _, r in part.iterrows())
        _table(deck, say("tab_rtl_unit", lang, unit=part["nama_unit"].iloc[0]),
               [label("unsur", lang), label("kegiatan", lang), label("penanggung_jawab", lang), label("waktu", lang)],
               rows, [18, 50, 20, 12], notes)


def write_deck(results, path: str | Path, lang: str | None = None, figures: dict[str, Figure] | None = None) -> Path:
    """Write the seminar slides of a study to `path` (PPTX, 16:9); `figures` from `render_figures` (rendered
    here when not given)."""
    lang = check_language(lang)
    figures = render_figures(results, lang) if figures is None else figures
    prs = Presentation()
    prs.slide_width, prs.slide_height = _W, _H
    deck = _Deck(prs, lang)
    config = results.config
    _title_slide(deck, results)
    sections = [say("deck_agenda_summary", lang), say("deck_agenda_method", lang), say("deck_agenda_results", lang)]
    if results.drivers is not None or results.ipa_result is not None:
        sections.append(say("deck_agenda_analysis", lang))
    sections += [say("deck_agenda_conclusions", lang), say("deck_agenda_recommendations", lang)]
    _bullets(deck, say("deck_agenda", lang), sections, say("deck_notes_agenda", lang, n=len(sections)))
    found = conclusions(results, lang)
    _bullets(deck, say("deck_summary", lang), found[:3], "\n".join(found))
    method = [say("deck_method_sample", lang, n=results.n, area=config.area.name),
              say(f"deck_method_design_{config.design.kind}", lang),
              say(f"deck_method_{results.plan['weighting'].reason}", lang),
              say("deck_method_ikm", lang, k=len(results.scheme.unsur))]
    _bullets(deck, say("deck_method", lang), method, "\n\n".join(methodology(results, lang)))
    if "profil" in figures:
        _profile_slides(deck, results)
    _area_slide(deck, results)
    _unit_slides(deck, results)
    _nrr_slide(deck, results)
    _change_slide(deck, results, figures)
    _drivers_slide(deck, results, figures)
    _ipa_slide(deck, results, figures)
    _progress_slide(deck, results)
    _progress_pictures(deck, results, figures)
    _citizens_slide(deck, results)
    _bullets(deck, say("deck_conclusions", lang), found, say("deck_notes_conclusions", lang))
    _recommendation_slides(deck, results)
    skipped = [step.text(lang) for step in results.plan.skipped()]
    if skipped:
        _bullets(deck, say("deck_skipped", lang), skipped, say("deck_notes_skipped", lang), size=BODY_PT)
    closing = deck.slide(None, say("deck_notes_closing", lang, organiser=config.organiser or config.area.name))
    _text(closing, say("deck_thanks", lang), Inches(0.8), Inches(2.4), _W - Inches(1.6), Inches(1.4), 48, bold=True,
          color=_ACCENT, align=PP_ALIGN.CENTER)
    who = " · ".join(x for x in (config.organiser, config.area.name, report_date(results, lang)) if x)
    _text(closing, who, Inches(0.8), Inches(4.0), _W - Inches(1.6), Inches(1.0), 24, align=PP_ALIGN.CENTER)
    path = Path(path)
    prs.save(path)
    return path
