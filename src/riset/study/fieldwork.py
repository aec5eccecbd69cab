"""The units a study takes to the field (forms, paper questionnaires and QR posters are made per unit,
`riset.present.forms.write_forms`): from the study's sampling frame (its unit column and the name column of
`names`), else from its data; a study with neither stops with a message.
"""

from __future__ import annotations

import pandas as pd

from riset.study.config import StudyConfig, StudyError

__all__ = ["study_units"]


def study_units(config: StudyConfig) -> dict[str, str]:
    """The study's units, code -> display name, from its frame, else from its data."""
    unit = config.unit
    if not unit:
        raise StudyError("the study file names no unit column (unit: ...); forms and posters are made per unit")
    name = config.names.get(unit)
    if config.frame is not None:
        frame = pd.read_excel(config.frame) if config.frame.suffix.lower() in (".xlsx", ".xlsm") else pd.read_csv(
            config.frame, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
        if unit in frame.columns:
            return _pairs(frame, unit, name)
    from riset.study.run import read_study_survey

    data = read_study_survey(config).data
    if unit not in data.columns:
        raise StudyError(f"unit column '{unit}' is neither in the frame nor in the data")
    return _pairs(data, unit, name)


def _pairs(frame: pd.DataFrame, unit: str, name: str | None) -> dict[str, str]:
    rows = frame.dropna(subset=[unit]).drop_duplicates(unit)
    names = rows[name] if name and name in rows.columns else rows[unit]
    return {str(c): str(n) for c, n in zip(rows[unit], names)}
