"""The tests of a group of a model's coefficients (`riset.survey.models.ModelResult.wald_test`, `term_test`,
`score_test`): Wald F (R `regTermTest`), Rao-Scott working likelihood-ratio (R `regTermTest(method = "LRT")`,
Lumley & Scott 2014) and working score tests (R `svyscoretest`, Rao, Scott & Skinner 1998), as results with their
table and their sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from riset.i18n import fmt_p, say

__all__ = ["LikelihoodRatioTest", "ScoreTest", "WaldTest"]


@dataclass
class WaldTest:
    """Wald F test that a group of coefficients is zero (R `regTermTest`, method "Wald").

    F = b' V^-1 b / q with q numerator and `ddf` (model residual df) denominator degrees of freedom.
    """

    terms: tuple[str, ...]
    F: float
    df: int
    ddf: int
    p: float

    def to_frame(self) -> pd.DataFrame:
        """One row: terms, F, df, ddf, p."""
        return pd.DataFrame([{"terms": " + ".join(self.terms), "F": self.F, "df": self.df, "ddf": self.ddf,
                              "p": self.p}])

    def summary(self, lang: str | None = None) -> str:
        """The test in words, in `lang`."""
        return say("model_wald_terms", lang, terms=" + ".join(self.terms), df=self.df, ddf=self.ddf, F=self.F,
                   p=fmt_p(self.p, lang, equation=True))

    def __repr__(self) -> str:
        return self.summary()


class _TermTest:
    """What the chi-square tests of a group of terms share: one row of their fields, the test in words."""

    _text: ClassVar[str]  # catalog key of the sentence
    _fields: ClassVar[tuple[str, ...]]  # the columns of `to_frame` after terms

    def to_frame(self) -> pd.DataFrame:
        """One row: terms and the test's statistics."""
        return pd.DataFrame([{"terms": " + ".join(self.terms), **{f: getattr(self, f) for f in self._fields}}])

    def summary(self, lang: str | None = None) -> str:
        """The test in words, in `lang`."""
        return say(self._text, lang, terms=" + ".join(self.terms), chisq=self.chisq, df=self.df,
                   p=fmt_p(self.p, lang, equation=True))

    def __repr__(self) -> str:
        return self.summary()


@dataclass(repr=False)
class LikelihoodRatioTest(_TermTest):
    """Rao-Scott working likelihood-ratio test that a group of coefficients is zero (R `regTermTest(...,
    method = "LRT")`): `chisq` the drop in weighted deviance, `df` coefficients tested, `lambdas` the design
    effects (eigenvalues of V0^-1 V), `ddf` the denominator df (inf: chi-square reference), `p` by
    `approximation` (see `riset.survey.distributions`)."""

    _text: ClassVar[str] = "model_lrt_terms"
    _fields: ClassVar[tuple[str, ...]] = ("chisq", "df", "ddf", "p", "approximation")

    terms: tuple[str, ...]
    chisq: float
    df: int
    ddf: float
    p: float
    lambdas: np.ndarray
    approximation: str


@dataclass(repr=False)
class ScoreTest(_TermTest):
    """Rao-Scott working score test that a group of coefficients is zero (R `svyscoretest`, method "working";
    Rao, Scott & Skinner 1998): `chisq` R's "Rao-Scott X^2" = `score` / sum(`lambdas`), `score` the working score
    statistic, `df` coefficients tested, `lambdas` the design effects of the efficient score, `ddf` the
    denominator df (inf: chi-square reference), `p` of `score` by `approximation`."""

    _text: ClassVar[str] = "model_score_terms"
    _fields: ClassVar[tuple[str, ...]] = ("chisq", "score", "df", "ddf", "p", "approximation")

    terms: tuple[str, ...]
    chisq: float
    score: float
    df: int
    ddf: float
    p: float
    lambdas: np.ndarray
    approximation: str
