"""Every result of a study run reads as a table, in words (Indonesian by default, English on request) and as a
repr (issue 11.4), on the bundled example."""

import re

import pandas as pd
import pytest

from riset.study.run import view


def _results(res):
    run = res.weighting_run
    return {"study": res, "view": view(res, {"unit": res.units()[res.unit].iloc[0]}), "weighting": run,
            "weights": run.diagnostics, "survey": res.survey, "instrument": res.instrument,
            "kmo": res.instrument.kmo, "drivers": res.drivers, "progress": res.progress}


@pytest.mark.parametrize("key", ["study", "view", "weighting", "weights", "survey", "instrument", "kmo", "drivers"])
def test_result_has_table_words_and_repr(example_results, key):
    result = _results(example_results)[key]
    assert isinstance(result.to_frame(), pd.DataFrame) and len(result.to_frame())
    said_id, said_en = result.summary(), result.summary(lang="en")
    assert said_id and said_en and said_id != said_en
    assert said_id.splitlines()[0] in repr(result)


def test_weighting_summary_states_the_spread_before_and_after(example_results):
    text = example_results.weighting_run.diagnostics.summary()
    assert "deff Kish" in text and "sebelum" in text and "sesudah" in text
    assert "Kish deff" in example_results.weighting_run.diagnostics.summary(lang="en")


def test_tests_between_groups_read_in_both_languages(example_results):
    from riset.survey.compare import chisq, compare_means, ttest
    from riset.survey.models import linear

    design = example_results.design
    data = design.data
    u1 = next(iter(example_results.unsur_map))
    two = data["jenis_kelamin"].isin(data["jenis_kelamin"].dropna().unique()[:2]).to_numpy()
    results = [chisq(design, "jenis_kelamin", "periode"), ttest(design.subset(two), u1, "jenis_kelamin"),
               compare_means(design, data[u1], "periode"), linear(f"{u1} ~ C(periode)", design).wald_test("C(periode)"),
               linear(f"{u1} ~ C(periode)", design).term_test("C(periode)", method="LRT")]
    for result in results:
        said_id, said_en = result.summary(), result.summary(lang="en")
        assert said_id != said_en and re.search(r"p [=<] 0,\d", said_id) and re.search(r"p [=<] 0\.\d", said_en)
        assert repr(result) == said_id and len(result.to_frame()) >= 1
