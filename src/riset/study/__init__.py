"""One study: its configuration, `run_study`, `StudyResults`, and the bundled example generator."""

from riset.study.run import StudyResults, StudyView, run_study, view

__all__ = ["StudyResults", "StudyView", "run_study", "view"]
