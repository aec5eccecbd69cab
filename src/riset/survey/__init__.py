"""The general design-based survey engine: sampling, selection, designs, weighting, estimation, models.

Nothing here knows of SKM or writes prose; notes are codes with values. What a user calls is importable from
here (``from riset.survey import SurveyDesign, mean, rake``), loaded on first use so that importing one module
of the engine does not load all of them (statsmodels, scikit-learn).
"""

from importlib import import_module

#: public name -> module that defines it
_EXPORTS = {
    "Design": "base", "SurveyDesign": "design", "ReplicateDesign": "replicate", "as_replicate": "replicate",
    "Estimate": "estimate", "by": "estimate", "contrast": "estimate", "mean": "estimate", "proportion": "estimate",
    "quantile": "estimate", "ratio": "estimate", "total": "estimate",
    "ModelResult": "models", "linear": "models", "logistic": "models", "ordinal": "models",
    "Margin": "margins", "margin_from_table": "margins",
    "calibrate": "weighting", "poststratify": "weighting", "rake": "weighting", "trim_weights": "weighting",
    "weight_to_population": "weighting", "WeightingRun": "weighting",
    "effective_n": "diagnostics", "kish_deff": "diagnostics", "weight_diagnostics": "diagnostics",
    "nonresponse_adjust": "nonresponse",
    "chisq": "compare", "compare_means": "compare", "rank_intervals": "compare", "ttest": "compare",
    "allocate": "sampling", "sample_size": "sampling",
    "exit_interview_plan": "selection", "select": "selection", "two_stage": "selection",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'riset.survey' has no attribute {name!r}")
    value = getattr(import_module(f"riset.survey.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
