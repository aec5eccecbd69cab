"""The general design-based survey engine: sampling, selection, designs, weighting, estimation, models.

Nothing here knows of SKM or writes prose; notes are codes with values. What a user calls is importable from
here (``from riset.survey import SurveyDesign, mean, rake``), loaded on first use so that importing one module
of the engine does not load all of them (statsmodels, scikit-learn).
"""

from riset.lazyexport import lazy_exports

#: public name -> module that defines it
_EXPORTS = {
    "Design": "base", "SurveyDesign": "design", "ReplicateDesign": "replicate", "as_replicate": "replicate",
    "Estimate": "estimate", "by": "estimate", "contrast": "estimate", "mean": "estimate", "proportion": "estimate",
    "quantile": "quantiles", "ratio": "estimate", "total": "estimate", "variance": "estimate",
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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
