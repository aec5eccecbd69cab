"""Survei Kepuasan Masyarakat: PermenPAN-RB 14/2017 and KepMenPAN 25/2004 schemes, IKM, codebook and
exports, instrument checks, drivers, IPA and the ranking behind recommendations.

What a user calls is importable from here (``from riset.skm import compare_periods, read_survey``), loaded on
first use. The functions named like their module (`riset.skm.ikm.ikm`, `riset.skm.ikm_design.ikm_design`,
`riset.skm.ipa.ipa`, `riset.skm.recommend.recommend`) are imported from the module: the package attribute of
that name is the module.
"""

from riset.lazyexport import lazy_exports

#: public name -> module that defines it
_EXPORTS = {
    "Scheme": "schemes", "get_scheme": "schemes", "grade": "schemes", "unsur_name": "schemes",
    "Codebook": "exports", "SurveyData": "exports", "read_codebook": "exports", "read_survey": "exports",
    "standard_codebook": "questionnaire", "xlsform": "forms", "write_xlsform": "forms",
    "compare_periods": "ikm_design",
    "period_series": "trend", "check_targets": "trend", "compare_published": "trend",
    "check_instrument": "instrument", "relative_importance": "drivers", "out_of_sample_check": "drivers",
    "csi": "ipa", "servqual_gap": "ipa", "open_text": "opentext",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
