"""riset.i18n: one catalog per language with the same keys, numbers formatted for the audience."""

from importlib import resources

import pytest
import yaml

from riset.errors import RisetError
from riset.i18n import LANGUAGES, Note, catalog, column_words, fmt_num, fmt_p, say


def _topics(lang):
    return {p.name for p in resources.files("riset.i18n").joinpath(lang).iterdir() if p.name.endswith(".yaml")}


def test_every_language_has_the_same_topic_files_and_keys():
    assert _topics("id") == _topics("en")
    for topic in _topics("id"):
        keys = [set(yaml.safe_load(resources.files("riset.i18n").joinpath(lang, topic).read_text()) or {})
                for lang in LANGUAGES]
        assert keys[0] == keys[1], f"{topic}: only in one language: {sorted(keys[0] ^ keys[1])}"


def test_every_template_takes_the_same_fields_in_both_languages():
    import string
    fields = {lang: {k: {(f, c) for _, f, _, c in string.Formatter().parse(v) if f} for k, v in catalog(lang).items()}
              for lang in LANGUAGES}
    differ = [k for k in fields["id"] if fields["id"][k] != fields["en"][k]]
    assert not differ, differ


def test_numbers_in_sentences_follow_the_language():
    assert say("rows_blank_excluded", "id", n=1234, columns="U1") .startswith("1.234 responden")
    assert say("rows_blank_excluded", "en", n=1234, columns="U1").startswith("1,234 respondents")
    assert fmt_num(82.455, 2, "id") == "82,46" or fmt_num(82.455, 2, "id") == "82,45"
    assert fmt_p(0.0004, "id") == "< 0,001"


def test_a_note_is_a_code_with_values_rendered_on_demand():
    note = Note("rows_blank_excluded", {"n": 2, "columns": "y"})
    assert note.code == "rows_blank_excluded"
    assert note.text("id") != note.text("en")


def test_unknown_code_is_an_error_of_riset_not_a_keyerror():
    with pytest.raises(RisetError, match="no id text"):
        say("no_such_code", "id")


def test_every_code_the_library_names_is_in_both_catalogs():
    """A literal code in `Note("...")` or `say("...")` anywhere in riset has its sentence in id and en."""
    import re
    from pathlib import Path
    src = Path(resources.files("riset"))
    codes = {m.group(1): path.relative_to(src) for path in src.rglob("*.py")
             for m in re.finditer(r"\b(?:Note|say)\(\s*\"([a-z][a-z0-9_]*)\"", path.read_text(encoding="utf-8"))}
    assert len(codes) > 50
    missing = sorted(f"{code} ({where})" for code, where in codes.items()
                     if any(code not in catalog(lang) for lang in LANGUAGES))
    assert not missing, missing


def test_columns_in_a_sentence_are_named_by_their_labels():
    """Issue 14: '{x!w}' names data columns as words: a tuple crossed, a list enumerated, an acronym kept."""
    margins = [("kecamatan", "jenis_kelamin"), ("opd",), "n_tanpa_label"]
    assert column_words(margins, "id") == "kecamatan × jenis kelamin, perangkat daerah (OPD), n tanpa label"
    assert column_words(margins, "en") == "district × sex, agency (OPD), n tanpa label"
    note = Note("weighting_keep_totals", {"cells": ("unit", "kelompok_umur")})
    assert "unit layanan × kelompok umur" in note.text("id") and "service unit × age group" in note.text("en")
