"""Online (QR) answers (issue 17.5): weighted to the service volume per unit x period and known margins, the
weighting's effect and limits reported, kept apart from the probability sample or pooled by a stated method;
the example's QR answers with a known self-selection bias that the weighting reduces."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from riset.present.report.text import methodology
from riset.skm.ikm_design import ikm_design
from riset.study import run_study
from riset.errors import RisetError
from riset.study.config import OnlineSpec, StudyError, load_study
from riset.study.example import write_example_study
from riset.study.online import composite_weights, weight_online

CELLS = ("unit", "periode")


def _answers():
    return pd.DataFrame({"unit": ["A", "A", "A", "B", "B"], "periode": ["1", "1", "2", "1", "1"]})


def test_online_answers_are_post_stratified_to_the_volume_of_their_cell():
    volume = pd.DataFrame({"unit": ["A", "A", "B", "C"], "periode": ["1", "2", "1", "1"], "jumlah": [300, 50, 80, 570]})
    result = weight_online(_answers(), OnlineSpec(cells=CELLS), volume)
    assert result.design.weights.tolist() == [150.0, 150.0, 50.0, 40.0, 40.0]  # N_c / n_c
    assert result.deff == pytest.approx(5 * sum(w**2 for w in (150, 150, 50, 40, 40)) / 430**2)
    codes = [n.code for n in result.notes]
    assert codes == ["online_weighted", "online_coverage", "online_thin_cells", "online_limits"]
    coverage = next(n for n in result.notes if n.code == "online_coverage")
    assert coverage.values["share"] == pytest.approx(430 / 1000)  # unit C (570 visits) has no online answers
    assert "43,0%" in coverage.text("id")


def test_a_cell_of_online_answers_without_volume_is_named():
    volume = pd.DataFrame({"unit": ["A", "A"], "periode": ["1", "2"], "jumlah": [300, 50]})
    with pytest.raises(StudyError, match=r"cell B / 1 \(unit × periode, 2 answers\) have no volume"):
        weight_online(_answers(), OnlineSpec(cells=CELLS), volume)


def test_without_a_volume_table_online_answers_count_the_same_and_the_note_says_so():
    result = weight_online(_answers(), OnlineSpec())
    assert result.design.weights.tolist() == [1.0] * 5 and [n.code for n in result.notes] == ["online_unweighted"]


def test_composite_weights_share_a_cell_by_effective_sample_size():
    prob = pd.DataFrame({"unit": ["A"] * 4 + ["B"], "w": [1.0, 1.0, 3.0, 3.0, 2.0]})  # neff A = 64/20 = 3.2
    online = pd.DataFrame({"unit": ["A", "A", "C"], "w": [5.0, 5.0, 9.0]})  # neff A = 2
    f_p, f_o = composite_weights(prob, online, ["unit"], "w")
    assert f_p.tolist() == pytest.approx([3.2 / 5.2] * 4 + [1.0])
    assert f_o.tolist() == pytest.approx([2 / 5.2] * 2 + [1.0])


def test_study_file_online_keys_are_checked(tmp_path):
    (tmp_path / "d.csv").write_text("id,unit\n1,A\n")
    (tmp_path / "cb.yaml").write_text("columns: {}")
    (tmp_path / "v.csv").write_text("unit,jumlah\nA,10\n")
    study = tmp_path / "studi.yaml"
    base = "data: {path: d.csv, source: online}\ncodebook: cb.yaml\nunit: unit\n"
    study.write_text(base + "online: {volume: v.csv, combine: mixed}\n")
    with pytest.raises(StudyError, match="online.combine' is 'mixed'; it must be one of separate, pooled_weighted"):
        load_study(study)
    study.write_text(base + "online: {volume: v.csv, margins: v.csv}\n")
    with pytest.raises(StudyError, match="'online.margins' .* and 'online.variables' .* go together"):
        load_study(study)
    study.write_text(base + "online: {volume: v.csv}\n")
    spec = load_study(study).online
    assert spec.cells == ("unit",) and spec.combine == "separate" and spec.volume.name == "v.csv"


# ------------------------------------------------------------------------------------- the bundled example
@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("daring")
    paths = write_example_study(folder, online=True)
    truth = yaml.safe_load(paths["kebenaran"].read_text(encoding="utf-8"))["daring"]
    return folder, truth, run_study(paths["studi"])


def test_the_example_without_online_answers_is_unchanged(tmp_path):
    paths = write_example_study(tmp_path)
    assert "daring" not in paths and "source: online" not in paths["studi"].read_text(encoding="utf-8")


def test_separate_sources_leave_the_probability_estimates_as_they_were(example):
    folder, _, res = example
    config = load_study(folder / "studi.yaml")
    alone = run_study(dataclasses.replace(config, data=config.data[:1]))  # the exit interviews only
    pd.testing.assert_frame_equal(res.ikm.drop(columns="bagian_daring"), alone.ikm)
    assert (res.ikm["bagian_daring"] == 0).all()  # every estimate rests on the probability sample
    comparison = res.online.comparison.set_index(["level", "group"])
    assert comparison.loc[("unit", "RSUD-RJ"), "n_probabilitas"] == (res.survey.data.query(
        "unit == 'RSUD-RJ' and jenis_sampel == 'probability'").shape[0])


def test_weighting_to_volume_and_user_margins_reduces_the_self_selection_bias(example):
    """Seeded figures (seed 2026): truth 78.43 (visitors of the 4 QR units, volume-weighted), raw online IKM
    70.87 (bias -7.56), weighted to unit x periode volume 74.93 (-3.51), and to the users' age and sex per unit
    as well 76.25 (-2.18): the rest is the selection on satisfaction itself, which no margin corrects."""
    _, truth, res = example
    weighting = res.online.weighting
    target = truth["ikm_pengunjung_semua"]
    equal = weighting.design.with_weights(np.ones(len(weighting.design.weights)))
    raw = ikm_design(equal, res.unsur_map).table["ikm_konversi"].iloc[0]
    volume_only = ikm_design(weighting.runs[0].design, res.unsur_map).table["ikm_konversi"].iloc[0]
    weighted = res.online.ikm.query("level == 'area'")["ikm_konversi"].iloc[0]
    assert raw - target == pytest.approx(-7.56, abs=0.01)
    assert volume_only - target == pytest.approx(-3.51, abs=0.01)
    assert weighted - target == pytest.approx(-2.18, abs=0.01)
    assert abs(weighted - target) < abs(volume_only - target) < abs(raw - target) / 2
    assert weighted < target - 1  # the limit the report states: selection on satisfaction remains
    assert weighting.deff == pytest.approx(3.31, abs=0.01) and weighting.n_eff == pytest.approx(315, abs=1)


def test_outputs_mark_online_ikm_as_non_probability_and_state_the_method(example):
    from riset.present.report import write_report

    folder, _, res = example
    assert (res.online.ikm["bagian_daring"] == 1).all()
    assert "online_ikm" in res.tables() and "online_comparison" in res.tables()
    html = write_report(res, folder / "hasil", formats=["html"])["html"].read_text(encoding="utf-8")
    assert "RSUD-RJ (daring)" not in html  # Issue 17.5: units by their names, as in every other table
    for phrase in ("IKM dari jawaban daring (bukan sampel probabilitas)", "RSUD Tanjung Harapan - Instalasi Rawat Jalan "
                   "(daring)", "efek desain Kish 3,31",
                   "Cara menggabungkan: tidak digabung", "Yang tidak dapat disimpulkan",
                   "bias itu tetap ada dan tidak tercermin dalam selang kepercayaan"):
        assert phrase in html, phrase


def test_the_online_section_opens_with_what_the_answers_are_and_names_columns_by_their_labels(example):
    """Issue 17.5 / 14: section 3.9 starts with what the online answers are, not with a note on scaling margins to
    'total bobot desain' (the probability sample's words); the margins and cells read as words ('unit layanan ×
    kelompok umur'), not data columns, and no study-file key ('kunci online') in text people read."""
    from collections import defaultdict

    from riset.i18n import say
    from riset.present.report.content import build_laporan
    from riset.present.report.document import Paragraph

    _, _, res = example
    assert "weighting_scaled_within" not in [n.code for n in res.online.weighting.notes]
    for lang, words in (("id", "unit layanan × kelompok umur"), ("en", "service unit × age group")):
        laporan = build_laporan(res, defaultdict(lambda: Paragraph("")), lang)
        section = next(s for _, s, _ in laporan.blocks() if s.title == say("sec_online", lang))
        paragraphs = [b.text for _, s, b in laporan.blocks() if s is section and isinstance(b, Paragraph)]
        assert paragraphs[0] == say("text_online", lang, n=len(res.online.weighting.design.weights))
        text = " ".join([*paragraphs, *methodology(res, lang)])  # the section, the appendix and the slide's notes
        assert words in text
        assert not [w for w in ("kelompok_umur", "jenis_kelamin", "kunci online", "online: keys", "bobot desain unit")
                    if w in text]


def test_kept_apart_the_respondents_counted_are_the_probability_samples(example):
    """Issue 17.5: with `combine: separate` the report's counts of respondents (scope, sample, profile, driver and
    IPA statements, slides) are those behind the estimates, the probability sample; the online answers are not
    'interviewed' nor left out of the driver analysis 'for a blank overall answer'."""
    from collections import defaultdict

    from riset.i18n import fmt_num
    from riset.present.report.content import build_laporan
    from riset.present.report.document import Paragraph
    from riset.present.report.text import drivers_statement

    _, _, res = example
    probability = int(res.survey.data["jenis_sampel"].eq("probability").sum())
    assert res.n == probability == res.ikm.query("level == 'area'")["n_responden"].iloc[0] < len(res.survey.data)
    statement = drivers_statement(res)[0]
    assert f"memakai {fmt_num(res.drivers.n, 0)} dari {fmt_num(probability, 0)} responden" in statement
    assert f"Sebanyak {probability - res.drivers.n} responden" in statement
    laporan = build_laporan(res, defaultdict(lambda: Paragraph("")), "id")
    text = " ".join(b.text for _, _, b in laporan.blocks() if isinstance(b, Paragraph))
    assert f"semua {fmt_num(probability, 0)} responden mengisi kepentingan" in text
    assert fmt_num(len(res.survey.data), 0) + " responden" not in text


def _pooled_copy(folder, target):
    """A copy of the example folder whose study file pools the sources (`combine: pooled_weighted`)."""
    import shutil

    shutil.copytree(folder, target)
    study = target / "studi.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("combine: separate", "combine: pooled_weighted"),
                     encoding="utf-8")
    return study


def _quick(study):
    """The study file's run with 20 bootstrap replicates and no out-of-sample check (the IKM does not use them)."""
    return run_study(dataclasses.replace(load_study(study), replicates=20, out_of_sample=False))


@pytest.fixture(scope="module")
def pooled(example, tmp_path_factory):
    folder, _, _ = example
    return _quick(_pooled_copy(folder, tmp_path_factory.mktemp("gabung") / "studi"))


def test_pooled_weighted_combines_the_sources_per_cell_with_composite_weights(example, pooled):
    _, _, separate = example
    res = pooled
    units = res.units().set_index("unit")
    assert 0 < units.loc["RSUD-RJ", "bagian_daring"] < 1 and units.loc["PKM-SMAS", "bagian_daring"] == 0
    # a unit without QR answers keeps its probability estimate; one with many moves towards the online IKM
    alone = separate.units().set_index("unit")
    assert units.loc["PKM-SMAS", "ikm_konversi"] == pytest.approx(alone.loc["PKM-SMAS", "ikm_konversi"])
    online = separate.online.ikm.query("level == 'unit'").set_index("group")["ikm_konversi"]
    assert online["RSUD-RJ"] < units.loc["RSUD-RJ", "ikm_konversi"] < alone.loc["RSUD-RJ", "ikm_konversi"]
    assert "online_combine_pooled_weighted" in [getattr(n, "code", None) for n in res.notes]
    text = " ".join(methodology(res, "id"))  # no limit on the CIs: they carry both sources' calibration
    assert "Selang kepercayaan memperhitungkan pembobotan masing-masing sumber" in text
    assert "tidak memperhitungkan kalibrasi" not in text


def test_a_study_of_online_answers_only_is_weighted_and_every_ikm_marked(example):
    folder, _, _ = example
    study = folder / "studi_daring.yaml"
    study.write_text("study: QR saja\ndata: {path: contoh_skm_daring.csv, source: online}\n"
                     "codebook: contoh_skm_codebook.yaml\nframe: contoh_kerangka_sampel.csv\nlevels: [unit]\n"
                     "period: periode\noverall: false\nimportance: false\n"
                     "online: {count: pengguna_per_periode, cells: [unit, periode]}\n", encoding="utf-8")
    res = run_study(study)
    assert res.weighting == "final" and res.online.combine == "only" and res.online.comparison is None
    assert (res.ikm["bagian_daring"] == 1).all()
    area = res.area_row()["ikm_konversi"]
    assert area == pytest.approx(res.online.ikm.query("level == 'area'")["ikm_konversi"].iloc[0])
    assert area == pytest.approx(74.93, abs=0.01)  # the volume-weighted online IKM of the test above
    assert "online_combine_only" in [getattr(n, "code", None) for n in res.notes]
    assert res.plan["weighting"].reason == "weighting_online"
    text = " ".join(methodology(res, "id"))
    assert "Tidak ada sampel probabilitas" in text and "Yang tidak dapat disimpulkan" in text
    assert "seluruh IKM dalam laporan ini bukan hasil sampel probabilitas" in text
    # the tables a notebook or the dashboard shows: the online IKM (no comparison) and the online weights
    from riset.present.report.tables import online_tables

    tables = online_tables(res)
    assert list(tables) == ["IKM dari jawaban daring yang dibobot", "Bobot daring"]
    ikm = tables["IKM dari jawaban daring yang dibobot"]
    assert ikm.iloc[0]["Kelompok"] == "Semua unit dan periode dengan jawaban daring"
    assert list(ikm.columns[2:4]) == ["Jumlah responden", "IKM (konversi, 25-100)"]


def test_pooling_says_in_the_study_files_words_what_it_lacks(example, tmp_path):
    """Issue 17.5: pooled_weighted refuses, naming the study-file key, online answers without the columns the
    probability weighting uses, and an online cell of one answer where lonely PSUs are refused."""
    folder, _, _ = example
    study = _pooled_copy(folder, tmp_path / "studi")
    copy, text = study.parent, study.read_text(encoding="utf-8")
    online_file = next(copy.glob("*daring*.csv"))
    answers = pd.read_csv(online_file)
    answers.drop(columns=["kecamatan"]).to_csv(online_file, index=False)
    with pytest.raises(RisetError, match=r"'kecamatan'"):  # the reader (codebook) or the pooling names it
        run_study(study)
    # without the users' margins (raking a one-answer cell to them fails first, with its own message)
    study.write_text(text.replace("  margins: contoh_daring_pengguna.csv\n", "").replace(
        "  variables: [[unit, kelompok_umur], [unit, jenis_kelamin]]\n", ""), encoding="utf-8")
    first = answers.groupby(["unit", "periode"]).head(1).iloc[:1]
    pd.concat([answers[(answers["unit"] != first["unit"].iloc[0]) | (answers["periode"] != first["periode"].iloc[0])],
               first]).to_csv(online_file, index=False)
    with pytest.raises(StudyError, match=r"online cell .* has one answer.*design.lonely_psu"):
        run_study(study)


# ------------------------------------------------------------- the pooled design's variance and FPC (issue 17.5)
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "pooled_online.json"


def test_pooled_se_carries_both_sources_calibration_as_r_survey(pooled, example):
    """R survey (tests/r/golden_pooled_online.R): the probability design calibrated as the study does, the online
    answers post-stratified to the cell volumes and raked to the users' margins, each a design of its own; the
    pooled IKM's SE from vcov(T_p) + vcov(T_o) of the composite-weighted totals (svycontrast). Before the
    calibration was carried the area SE was 0.2143 (the uncalibrated probability variance)."""
    gold = json.loads(GOLDEN.read_text())
    _, _, separate = example
    np.testing.assert_allclose(separate.online.weighting.design.weights[:5], gold["online_weights"], rtol=1e-9)
    area = pooled.area_row()
    assert area["ikm_konversi"] == pytest.approx(gold["area"]["ikm_konversi"], rel=1e-12)
    assert area["se"] == pytest.approx(gold["area"]["se"], rel=1e-9)
    units = pooled.units().set_index("unit")
    for unit, values in gold["units"].items():
        assert units.loc[unit, "ikm_konversi"] == pytest.approx(values["ikm_konversi"], rel=1e-12), unit
        assert units.loc[unit, "se"] == pytest.approx(values["se"], rel=1e-9), unit
    # the composite factors: pooled weight / the source's own weight of a probability row in each cell
    data, designs = pooled.designs["final"].data, pooled.designs
    factor = pd.Series(designs["final"].weights / designs["design"].weights)
    probability = data["jenis_sampel"].eq("probability").to_numpy()
    lam = factor[probability].groupby((data["unit"] + "/" + data["periode"])[probability].to_numpy()).first()
    assert lam[list(gold["lambda"])].to_numpy() == pytest.approx(list(gold["lambda"].values()), rel=1e-9)


def test_a_unit_without_online_answers_keeps_the_calibrated_designs_se(pooled, example):
    """The limiting case: where no online answer enters (lambda = 1), the pooled design gives the probability
    design's own calibrated SE, exactly."""
    _, _, separate = example
    online_units = set(separate.online.ikm.query("level == 'unit'")["group"])
    alone, units = separate.units().set_index("unit"), pooled.units().set_index("unit")
    others = [u for u in units.index if u not in online_units]
    assert others
    for unit in others:
        assert units.loc[unit, "se"] == pytest.approx(alone.loc[unit, "se"], rel=1e-12), unit


def test_fpc_as_sampling_fractions_pools_as_fpc_as_population_sizes(example, pooled, tmp_path):
    """The exit interviews' FPCs given as fractions (days sampled / days open, visitors interviewed / visitors
    that day): the online strata get n_c / N_c, the same population as the volume N_c, so every estimate and SE
    is that of the population sizes."""
    folder, _, _ = example
    study = _pooled_copy(folder, tmp_path / "studi")
    interviews = study.parent / "contoh_skm_responden.csv"
    data = pd.read_csv(interviews)
    days = data.groupby(["unit", "periode"])["hari"].transform("nunique")
    asked = data.groupby("hari")["hari"].transform("size")
    data["n_hari_layanan"], data["n_pengunjung_hari"] = days / data["n_hari_layanan"], asked / data["n_pengunjung_hari"]
    assert data[["n_hari_layanan", "n_pengunjung_hari"]].max().max() <= 1
    data.to_csv(interviews, index=False)
    res = _quick(study)
    for column in ("ikm_konversi", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(res.ikm[column], pooled.ikm[column], rtol=1e-10, err_msg=column)


def test_a_cell_volume_below_its_online_answers_is_named_when_pooling(example, tmp_path):
    """The pooled design takes a cell's volume as its population (FPC): fewer visits than answers is refused in
    the study file's words (without the users' margins, which such weights could not meet first)."""
    folder, _, _ = example
    study = _pooled_copy(folder, tmp_path / "studi")
    study.write_text(study.read_text(encoding="utf-8").replace("  margins: contoh_daring_pengguna.csv\n", "").replace(
        "  variables: [[unit, kelompok_umur], [unit, jenis_kelamin]]\n", ""), encoding="utf-8")
    frame_file = study.parent / "contoh_kerangka_sampel.csv"
    frame = pd.read_csv(frame_file)
    frame.loc[(frame["unit"] == "DUK-KK") & (frame["periode"] == "2026-S1"), "pengguna_per_periode"] = 5
    frame.to_csv(frame_file, index=False)
    with pytest.raises(StudyError, match=r"online cell DUK-KK / 2026-S1 \(unit × periode\) has 18 answers but a "
                                         r"volume of 5 \(column 'pengguna_per_periode'.*design.fpc 'n_hari_layanan'"):
        run_study(study)
