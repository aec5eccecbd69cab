"""What a study will compute, and what it will skip and why: decided once from the study file and the data.

`riset check` prints the plan; `run_study` follows it; the report says in one sentence per skipped analysis
why it is missing (a study with no overall-satisfaction item has no driver regression, one with a single
period has no change analysis, ...). Every step is a code with a status and a reason code; the words are in
the catalog (`riset/i18n/*/study.yaml`).

>>> step = Step("drivers", False, "no_overall")
>>> step.runs, step.text("id")
(False, 'Faktor penentu kepuasan: dilewati, karena formulir tidak memiliki pertanyaan kepuasan keseluruhan.')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from riset.i18n import Note, check_language, say

__all__ = ["STEPS", "Step", "StudyPlan"]

#: Every analysis of a study, in report order.
STEPS = ("ikm", "levels", "league", "weighting", "profile", "instrument", "period_change", "drivers",
         "out_of_sample", "ipa", "csi", "recommendations", "series", "targets", "published", "study_series",
         "innovations", "external")


@dataclass(frozen=True)
class Step:
    """One analysis: `runs` or not, with a reason code and values for the sentence (catalog `plan_<reason>`)."""

    code: str
    runs: bool
    reason: str
    values: dict = field(default_factory=dict)
    optional: bool = False

    def text(self, lang: str | None = None) -> str:
        """'<analysis>: <computed as / skipped because> ...' in `lang`."""
        lang = check_language(lang)
        head = say(f"step_{self.code}", lang)
        return say("plan_runs" if self.runs else "plan_skips", lang, step=head,
                   reason=say(f"reason_{self.reason}", lang, **self.values))


@dataclass(frozen=True)
class StudyPlan:
    """The steps of one study (`STEPS` order), the data's size and every warning found while checking."""

    steps: tuple[Step, ...]
    n_respondents: int
    warnings: tuple[Note, ...] = ()

    def __getitem__(self, code: str) -> Step:
        for step in self.steps:
            if step.code == code:
                return step
        raise KeyError(code)

    def runs(self, code: str) -> bool:
        """True when the step `code` is computed."""
        return self[code].runs

    def skipped(self) -> list[Step]:
        """The analyses the study's data could not support (optional extras not asked for are not listed)."""
        return [s for s in self.steps if not s.runs and not s.optional]

    def to_frame(self) -> pd.DataFrame:
        """One row per step: langkah (code), dihitung, alasan (code)."""
        return pd.DataFrame({"langkah": [s.code for s in self.steps], "dihitung": [s.runs for s in self.steps],
                             "alasan": [s.reason for s in self.steps]})

    def summary(self, lang: str | None = None) -> str:
        """The plan in words: what will be computed, what will be skipped and why."""
        lang = check_language(lang)
        lines = [say("plan_title", lang, n=self.n_respondents)]
        lines += [("  + " if s.runs else "  - ") + s.text(lang) for s in self.steps if s.runs or not s.optional]
        extras = [say(f"step_{s.code}", lang) for s in self.steps if s.optional and not s.runs]
        if extras:
            lines.append(say("plan_extras", lang, steps=", ".join(extras)))
        lines += [say("plan_warning", lang, text=w.text(lang)) for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()
