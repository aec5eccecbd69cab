"""Studies shaped differently from the bundled example go end to end through the CLI (check -> report) and
give the IKM a hand computation gives; the report speaks of their own area and columns (issue 12)."""

import re

import pandas as pd
import pytest

from own_studies import STUDIES
from riset.cli import main
from riset.study import run_study


@pytest.fixture(scope="module", params=sorted(STUDIES))
def study(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    return STUDIES[request.param](folder)


def test_check_says_what_runs_and_exits_0(study, capsys):
    assert main(["check", str(study["study"])]) == 0
    out = capsys.readouterr().out
    assert study["area"] in out and "dilewati" in out or "Rencana analisis" in out


def test_ikm_equals_the_hand_computation(study):
    res = run_study(study["study"])
    rel = study.get("rel", 1e-12)
    assert res.area_row()["ikm_konversi"] == pytest.approx(study["expected"]["area"], rel=rel)
    units = res.units().set_index(study["unit"])["ikm_konversi"]
    assert set(units.index) == set(study["expected"]["units"])
    for code, value in study["expected"]["units"].items():
        assert units[code] == pytest.approx(value, rel=rel)


def test_report_names_the_study_and_nothing_of_the_example(study, capsys, tmp_path):
    assert main(["report", str(study["study"]), "--out", str(tmp_path)]) == 0
    html = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", (tmp_path / "laporan_skm.html").read_text("utf-8"))
    assert study["area"] in html
    for word in study["absent"]:
        assert word not in html, word
    if "written" in study:  # what respondents wrote is carried to the report's appendix
        assert study["written"] in html


def test_a_wrong_type_in_the_study_file_is_one_line(tmp_path, capsys):
    study = STUDIES["bare_instansi"](tmp_path)["study"]
    text = study.read_text(encoding="utf-8").replace("levels:", "design: {strata: {a: 1}}\nlevels:")
    study.write_text(text, encoding="utf-8")
    assert main(["check", str(study)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("riset: error:") and "design.strata" in err and "Traceback" not in err


def test_successive_downloads_merge_by_id(tmp_path):
    from own_studies import bare_instansi
    from riset.study.run import read_study_survey
    from riset.study.config import load_study

    info = bare_instansi(tmp_path)
    data = pd.read_csv(tmp_path / "data.csv")
    first = data.iloc[:60]
    second = data.iloc[10:90].copy()  # a later, cumulative download: rows 0-9 deleted in Kobo, 60-89 new
    second.loc[second.index[0], "Q1"] = 1 if second["Q1"].iloc[0] != 1 else 2  # one answer corrected
    first.to_csv(tmp_path / "unduhan_1.csv", index=False)
    second.to_csv(tmp_path / "unduhan_2.csv", index=False)
    study = info["study"]
    text = study.read_text(encoding="utf-8").replace("data: data.csv", "data: [unduhan_1.csv, unduhan_2.csv]")
    study.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="data_merge: by_id"):
        read_study_survey(load_study(study))
    study.write_text(text + "data_merge: by_id\n", encoding="utf-8")
    survey = read_study_survey(load_study(study))
    assert len(survey.data) == 90 and survey.data["id"].is_unique  # nothing lost, nobody twice
    assert ("ekspor terakhir menambah 30 responden baru, mengubah 1, sama 49; 10 responden ekspor sebelumnya "
            "tidak ada di ekspor terakhir dan tetap dipakai") in survey.summary()
    changed = survey.data.set_index("id").loc[second["id"].iloc[0], "Q1"]
    assert changed == second["Q1"].iloc[0]  # the later download wins


def test_online_answers_are_marked_as_not_a_probability_sample(tmp_path, capsys):
    info = STUDIES["google_forms"](tmp_path)
    study = info["study"]
    text = study.read_text(encoding="utf-8")
    name = next(tmp_path.glob("*.csv")).name
    text = text.replace(f"data: {name}", f"data: {{path: '{name}', source: online}}")
    study.write_text(text, encoding="utf-8")
    res = run_study(study)
    units = res.units()
    assert (units["bagian_daring"] == 1).all() and res.area_row()["bagian_daring"] == 1
    assert main(["report", str(study), "--out", str(tmp_path / "hasil")]) == 0
    html = (tmp_path / "hasil" / "laporan_skm.html").read_text(encoding="utf-8")
    assert "(daring)" in html and "bukan sampel probabilitas" in html and "bias seleksi" in html


def test_a_form_asking_expectations_gets_its_servqual_gaps(tmp_path):
    import yaml

    info = STUDIES["bare_instansi"](tmp_path)
    data = pd.read_csv(tmp_path / "data.csv")
    for q in [f"Q{i}" for i in range(1, 10)]:
        data[f"H{q}"] = 4  # every expectation at the top of the scale
    data.to_csv(tmp_path / "data.csv", index=False)
    book = yaml.safe_load((tmp_path / "codebook.yaml").read_text(encoding="utf-8"))
    for q, entry in list(book["columns"].items()):
        if entry.get("role") == "unsur":
            book["columns"][f"H{q}"] = {"role": "expectation", "unsur": entry["unsur"]}
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    res = run_study(info["study"])
    gaps = res.servqual.set_index("unsur")
    nrr = res.nrr_of().set_index("unsur")["nrr"]
    # expectation 4 everywhere: the gap is the unsur's mean minus 4 (equal weights, blanks left out)
    assert gaps["kesenjangan"].to_numpy() == pytest.approx((nrr.loc[gaps.index] - 4).to_numpy(), rel=1e-12)
    assert (gaps["ci_high"] < 0).all()
    assert main(["report", str(info["study"]), "--out", str(tmp_path / "hasil")]) == 0
    assert "SERVQUAL" in (tmp_path / "hasil" / "laporan_skm.html").read_text(encoding="utf-8")
