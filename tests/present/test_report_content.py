"""The laporan's content on the bundled example: who each analysis leaves out is said where the analysis is shown
(issue 14.7: drivers, IPA, instrument checks, subgroup comparisons), the cleaning log's kinds in the reader's
language, and units named (not coded) in every IKM table (issue 14.4)."""

from collections import defaultdict

from riset.i18n import fmt_num
from riset.present.report.content import build_laporan, conclusions
from riset.present.report.document import Paragraph
from riset.present.report.text import methodology
from riset.skm.schemes import unsur_name


def _text(results, lang="id"):
    laporan = build_laporan(results, defaultdict(lambda: Paragraph("")), lang)
    return {section.title: " ".join(b.text for _, s, b in laporan.blocks() if s is section and isinstance(b, Paragraph))
            for _, section, _ in laporan.blocks()}


def test_every_analysis_says_whom_it_leaves_out(example_results):
    res = example_results
    text = " ".join(_text(res).values())
    rated = int(res.survey.data[list(res.importance_map)].notna().any(axis=1).sum())
    assert rated == res.n and f"semua {fmt_num(res.n, 0)} responden mengisi kepentingan" in text
    ins = res.instrument
    assert ins.n_dropped > 0
    assert f"{fmt_num(ins.n_dropped, 0)} dari {fmt_num(ins.n + ins.n_dropped, 0)} responden tidak disertakan" in text
    assert "tidak disertakan pada perbandingan ciri itu" in text or res.subgroups["n"].groupby(
        res.subgroups["variabel"]).sum().eq(res.n).all()
    # the driver headline imputes blank unsur answers: only a blank overall item leaves one out
    assert res.drivers.n == int(res.survey.data[res.overall].notna().sum())
    assert (f"memakai {fmt_num(res.drivers.n, 0)} dari {fmt_num(res.n, 0)} responden, yaitu semua yang menjawab "
            f"kepuasan keseluruhan. Sebanyak {fmt_num(res.n - res.drivers.n, 0)} responden yang tidak menjawab "
            "kepuasan keseluruhan tidak disertakan") in text
    english = " ".join(_text(res, "en").values())
    assert f"all {fmt_num(res.n, 0, 'en')} respondents rated importance" in english


def test_bab_iv_lists_unsur_names_that_hold_commas_apart_and_states_r2_as_a_share(example_results):
    """Issue 14: 'Waktu Penyelesaian, Perilaku Pelaksana, Sistem, Mekanisme, dan Prosedur' reads as five unsur;
    names are separated by semicolons (as the out-of-sample check does), and the model 'explains 70%' like the
    out-of-sample check's percentages, not 'explains 0,70'."""
    from riset.i18n import fmt_pct

    res = example_results
    for lang in ("id", "en"):
        text = " ".join(_text(res, lang).values())
        names = [unsur_name(k, lang, res.scheme, code=False) for k in res.drivers_table()["unsur"]]
        assert any("," in n for n in names[:3])
        assert "; ".join(names[:3]) + "." in text and ", ".join(names[:3]) not in text
        assert f"{'; '.join(names[:3])} (" in " ".join(conclusions(res, lang))
        assert f" {fmt_pct(res.drivers.r2, 0, lang)} " in text and fmt_num(res.drivers.r2, 2, lang) + " vari" not in text


def test_every_kind_of_the_cleaning_log_has_a_label_in_both_languages():
    from riset.i18n import catalog
    from riset.present.report.content import issue_label
    from riset.skm import exports

    kinds = [exports.KODE_HILANG, exports.LABEL_TEKS, exports.HURUF_PILIHAN, exports.DI_LUAR_SKALA, exports.BUKAN_BULAT,
             exports.TEKS_TAK_DIKENAL, exports.KATEGORI_TAK_DIKENAL, exports.BUKAN_ANGKA, exports.BOBOT_TIDAK_POSITIF,
             exports.KOLOM_TAK_DIKENAL, exports.BARIS_KOSONG, exports.KARAKTER_KENDALI]
    for kind in kinds:
        for lang in ("id", "en"):
            assert "issue_" + kind.replace(" ", "_") in catalog(lang), (kind, lang)
    assert issue_label(f"{exports.DI_LUAR_SKALA} (1-4)", "en") == "out of scale (1-4)"
    assert issue_label(f"{exports.DI_LUAR_SKALA} (1-4)", "id") == "di luar skala (1-4)"


def test_units_crossed_with_periods_are_named_not_coded(example_results):
    """Issue 14.4: the IKM per unit x periode tables (Bab III and the appendix) show the unit's name."""
    from riset.present.report.content import build_laporan as build
    from riset.present.report.document import Table

    res = example_results
    laporan = build(res, defaultdict(lambda: Paragraph("")), "id")
    cells = {c for _, _, b in laporan.blocks() if isinstance(b, Table) for row in b.rows for c in row}
    crossed = res.level("unit_periode").iloc[0]
    assert f"{res.unit_name(crossed[res.unit])} / {crossed['periode']}" in cells
    assert crossed["group"] not in cells  # the code form 'DIK-... / 2026-S1' is gone


def test_the_synthesis_names_where_each_unsur_is_weakest(example_results):
    """Issue 14.2: the area-wide synthesis tells the unsur apart by the units where each is lowest."""
    from riset.present.report.content import synthesis

    res = example_results
    lines = synthesis(res)
    names = set(res.units()[res.config.names[res.unit]])
    assert lines and all("terendah di " in line for line in lines)
    assert all(any(name in line.split("terendah di ")[1] for name in names) for line in lines)


def test_bab_ii_is_plain_language_and_the_technical_detail_is_in_the_appendix(example_results):
    """Issue 14.4: Bab II Metodologi speaks to a seminar audience; the design, weighting and test details (PSU,
    FPC, calibration sources, LMG, Rubin) are in the appendix's technical section."""
    laporan = build_laporan(example_results, defaultdict(lambda: Paragraph("")), "id")
    texts = {}
    for chapter, _, block in laporan.blocks():
        if isinstance(block, Paragraph):
            texts.setdefault(chapter.title, []).append(block.text)
    method = " ".join(next(v for k, v in texts.items() if "Metodologi" in k))
    appendix = " ".join(next(v for k, v in texts.items() if "Lampiran" in k))
    technical = ("PSU", "FPC", "Deville", "calibrate()", "Shapley", "Rubin", "svy")
    assert not [w for w in technical if w in method], method
    assert sum(w in appendix for w in technical) >= 3
    assert "Rincian Teknis Metodologi" in method


def test_text_names_columns_by_their_labels_and_no_r_function(example_results):
    """Issue 14: Bab II, the Lampiran and the method slide's speaker notes name the margins, cells, strata and
    weights as words ('kecamatan × jenis kelamin', 'bobot desain'), never as data columns ('jenis_kelamin',
    'kolom bobot_desain'), and cite R's survey package without a function name ('calibrate()')."""
    config = example_results.config
    columns = {c for v in config.weighting.variables for c in v} | set(config.weighting.keep_totals) | {
        c for c in (config.design.psu, config.design.fpc, config.design.fpc2, config.design.weights, *config.design.strata)
        if c}
    assert {"jenis_kelamin", "kelompok_umur", "bobot_desain"} <= columns  # the check reaches the reviewed ones
    for lang, words in (("id", ("kecamatan × jenis kelamin", "kecamatan × kelompok umur", "(bobot desain)")),
                        ("en", ("district × sex", "district × age group", "(design weight)"))):
        for text in (" ".join(_text(example_results, lang).values()), "\n\n".join(methodology(example_results, lang))):
            assert all(w in text for w in words), text
            assert not [c for c in columns if "_" in c and c in text]
            assert "calibrate()" not in text and "kolom bobot" not in text
