"""Design weights and nonresponse adjustment (weighting classes or response-propensity classes).

Design weight: d_i = 1 / pi_i, pi_i the inclusion probability from the selection step
(Horvitz & Thompson 1952). Weighting-class nonresponse adjustment: within cell c,

    a_c = sum_{i in c} d_i / sum_{i in c, responded} d_i,      w_i = d_i a_c  for respondents

(Kalton & Flores-Cervantes 2003, sec. 2). Cells with fewer than `min_respondents` respondents make
a_c unstable (or infinite); they are collapsed — with a neighbouring class when the cells are
ordered (e.g. propensity quintiles), else into their parent cell (drop the last cell variable) —
and every collapse is reported. Response-propensity classes (Little 1986; Rosenbaum & Rubin 1983):
estimate P(respond | x) by logistic regression (scikit-learn) and group respondents and
nonrespondents into classes of equal size by estimated propensity.

Example
-------
>>> import pandas as pd
>>> sample = pd.DataFrame({"kec": ["A", "A", "A", "B", "B"], "d": [2.0, 2, 2, 3, 3],
...                        "respon": [True, True, False, True, False]})
>>> res = nonresponse_adjust(sample, weights="d", responded="respon", cells=["kec"], min_respondents=1)
>>> res.data["bobot_nr"].tolist()        # A: 6/4 = 1.5, B: 6/3 = 2
[3.0, 3.0, 6.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from riset.errors import WeightingError, show_value
from riset.i18n import Note, check_language, fmt_num, say

__all__ = ["design_weights", "nonresponse_adjust", "NonresponseResult", "propensity_classes"]

_SEP = " | "


def design_weights(*probs: pd.Series, name: str = "bobot_desain") -> pd.Series:
    """Design weights d_i = 1 / (pi_1i x pi_2i x ...) from the inclusion probability of each stage.

    One Series per sampling stage, e.g. the `pi` column of `riset.survey.selection` for one stage, or for an
    exit-interview design the day (d/D) and the visitor (m/M) probabilities, giving D/d x M/m
    (Horvitz & Thompson 1952; Cochran 1977, ch. 11). Every pi must lie in (0, 1]; otherwise
    `WeightingError` naming the stage, row and value.

    Example: ``design_weights(pd.Series([0.5, 0.25]))`` -> 2.0, 4.0;
    ``design_weights(hari_pi, pengunjung_pi)`` -> 1 / (pi_hari x pi_pengunjung).
    """
    if not probs:
        raise WeightingError("design_weights: give the inclusion probability of at least one stage")
    product = pd.Series(1.0, index=probs[0].index)
    for stage, prob in enumerate(probs, start=1):
        p = pd.to_numeric(prob, errors="coerce")
        bad = np.flatnonzero(~((p > 0) & (p <= 1)).to_numpy())
        if bad.size:
            r = bad[0]
            label = f"'{prob.name}'" if prob.name is not None else f"of stage {stage}"
            raise WeightingError(f"inclusion probability {label} has value {show_value(prob.iloc[r])} in row "
                                 f"{r + 2} ({bad.size} bad row(s)); allowed: a number in (0, 1]")
        product = product * p.to_numpy()
    return (1.0 / product).rename(name)


@dataclass(frozen=True)
class NonresponseResult:
    """Respondents with adjusted weights, the adjustment per final cell, and every collapse made.

    `data`: the respondents only (nonrespondents carry no weight after the adjustment; their count is
    in `cells`), with the new weight column. `cells`: one row per final cell with n, respondents,
    weight sums and factor a_c. `collapses`: one row per merge (empty if none): sel, ke, n_responden and
    alasan, a code ('collapsed_parent' or 'collapsed_neighbour': fewer than `min_respondents` respondents,
    merged into the parent cell or the neighbouring class); `notes` says each merge for people.
    """

    data: pd.DataFrame
    cells: pd.DataFrame
    collapses: pd.DataFrame
    min_respondents: int = 1

    @property
    def notes(self) -> list[Note]:
        """Every merge as a `riset.i18n.Note` (``note.text(lang)`` phrases it in Indonesian or English)."""
        return [Note(f"nonresponse_{row.alasan}", {"cell": row.sel, "target": row.ke, "n": int(row.n_responden),
                                                   "min": self.min_respondents})
                for row in self.collapses.itertuples(index=False)]

    def to_frame(self) -> pd.DataFrame:
        """The final cells with their adjustment factors."""
        return self.cells.copy()

    def summary(self, lang: str | None = None) -> str:
        """Cells, merges, the range of the adjustment factors and the respondents kept."""
        lang = check_language(lang)
        return say("nonresponse_summary", lang, cells=len(self.cells), collapses=len(self.collapses),
                   low=fmt_num(self.cells["faktor"].min(), 3, lang), high=fmt_num(self.cells["faktor"].max(), 3, lang),
                   respondents=fmt_num(self.cells["n_responden"].sum(), 0, lang),
                   sampled=fmt_num(self.cells["n"].sum(), 0, lang))

    def __repr__(self) -> str:
        return self.summary() + "\n" + self.cells.round(4).to_string()


def nonresponse_adjust(
    data: pd.DataFrame,
    *,
    weights: str,
    responded: str,
    cells: Sequence[str],
    min_respondents: int = 20,
    ordered: bool = False,
    name: str = "bobot_nr",
) -> NonresponseResult:
    """Weighting-class nonresponse adjustment with reported collapsing of small cells.

    a_c = sum_{i in c} d_i / sum_{i in c, responded} d_i (Kalton & Flores-Cervantes 2003). A cell
    with fewer than `min_respondents` respondents is merged: with `ordered=True` (cells = one ordered
    variable, e.g. propensity class) into the adjacent class with fewer respondents; otherwise
    all cells sharing its parent (the cell without its last variable) become one cell. `responded`
    is a boolean (or 0/1) column; `data` holds respondents and nonrespondents of the sample.

    Example: see the module docstring.
    """
    cells = list(cells)
    for col in [weights, responded, *cells]:
        if col not in data.columns:
            raise WeightingError(f"nonresponse_adjust: column '{col}' not found; available: {list(data.columns)}")
    if min_respondents < 1:
        raise WeightingError(f"nonresponse_adjust: min_respondents must be >= 1, got {min_respondents}")
    if ordered and len(cells) != 1:
        raise WeightingError(f"nonresponse_adjust: ordered=True needs exactly one cell variable, got {cells}")
    resp = data[responded]
    ok = resp.isin([True, False, 0, 1]).to_numpy()
    if not ok.all():
        r = int(np.argmin(ok))
        raise WeightingError(f"column '{responded}' has value {show_value(resp.iloc[r])} in row {r + 2}; "
                             "allowed: True/False or 1/0")
    d = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~(d > 0))
    if bad.size:
        raise WeightingError(f"column '{weights}' has value {show_value(data[weights].iloc[bad[0]])} in row "
                             f"{bad[0] + 2}; design weights must be > 0")
    for col in cells:
        blank = np.flatnonzero(data[col].isna().to_numpy())
        if blank.size:
            raise WeightingError(f"cell column '{col}' is blank in row {blank[0] + 2} ({blank.size} row(s)); "
                                 "every sampled unit needs a cell")
    r = resp.astype(bool).to_numpy()
    keys = data[cells].astype(str)
    if ordered:
        labels, collapses = _collapse_ordered(keys[cells[0]], data[cells[0]], r, min_respondents)
    else:
        labels, collapses = _collapse_parent(keys, r, min_respondents)
    frame = pd.DataFrame({"sel": labels, "d": d, "d_resp": np.where(r, d, 0.0), "resp": r})
    table = frame.groupby("sel", sort=False).agg(n=("d", "size"), n_responden=("resp", "sum"),
                                                 jumlah_bobot=("d", "sum"), jumlah_bobot_responden=("d_resp", "sum"))
    table["faktor"] = table["jumlah_bobot"] / table["jumlah_bobot_responden"]
    out = data.loc[r].copy()
    out[name] = d[r] * table["faktor"].reindex(labels[r]).to_numpy()
    return NonresponseResult(data=out, cells=table.reset_index(), collapses=collapses, min_respondents=min_respondents)


def _collapse_report(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["sel", "ke", "n_responden", "alasan"])


def _collapse_parent(keys: pd.DataFrame, r: np.ndarray, min_resp: int) -> tuple[np.ndarray, pd.DataFrame]:
    """Cells = full key; a small cell and its siblings become their parent cell, deepest first."""
    n, depth = keys.shape
    prefix = np.empty((depth + 1, n), dtype=object)  # prefix[lv] = label using the first lv variables
    prefix[0] = "(semua)"
    for lv in range(1, depth + 1):
        prefix[lv] = keys.iloc[:, :lv].agg(_SEP.join, axis=1).to_numpy(dtype=object) if lv > 1 \
            else keys.iloc[:, 0].to_numpy(dtype=object)
    level = np.full(n, depth)
    rows = []
    while True:
        labels = prefix[level, np.arange(n)]
        n_resp = pd.Series(r).groupby(labels).sum()
        small = n_resp[n_resp < min_resp]
        if small.empty:
            return labels, _collapse_report(rows)
        if (level == 0).all():
            raise WeightingError(f"nonresponse_adjust: only {int(n_resp.iloc[0])} respondent(s) in the whole sample, "
                                 f"fewer than min_respondents={min_resp}")
        cell_level = pd.Series(level).groupby(labels).first()
        deepest = int(cell_level[small.index].max())
        for lab in small.index[cell_level[small.index] == deepest]:
            parent = prefix[deepest - 1][np.argmax(labels == lab)]
            rows.append({"sel": lab, "ke": parent, "n_responden": int(small[lab]),
                         "alasan": "collapsed_parent"})
            level = np.where(prefix[deepest - 1] == parent, np.minimum(level, deepest - 1), level)


def _collapse_ordered(keys: pd.Series, raw: pd.Series, r: np.ndarray, min_resp: int):
    """Classes in sorted order of the raw values; merge a small class with its smaller neighbour."""
    order = list(dict.fromkeys(keys.iloc[np.argsort(raw.to_numpy(), kind="stable")]))
    groups = [[k] for k in order]
    n = {k: int(r[(keys == k).to_numpy()].sum()) for k in order}
    counts = [n[k] for k in order]
    rows = []
    while len(groups) > 1 and min(counts) < min_resp:
        i = int(np.argmin(counts))
        nbrs = [k for k in (i - 1, i + 1) if 0 <= k < len(groups)]
        k = min(nbrs, key=lambda q: counts[q])
        rows.append({"sel": "+".join(groups[i]), "ke": "+".join(groups[k]), "n_responden": counts[i],
                     "alasan": "collapsed_neighbour"})
        a, b = sorted((i, k))
        groups[a], counts[a] = groups[a] + groups[b], counts[a] + counts[b]
        del groups[b], counts[b]
    if counts[0] < min_resp:
        raise WeightingError(f"nonresponse_adjust: only {counts[0]} respondent(s) in the whole sample, "
                             f"fewer than min_respondents={min_resp}")
    label = {k: "+".join(g) for g in groups for k in g}
    return keys.map(label).to_numpy(dtype=object), _collapse_report(rows)


def propensity_classes(
    data: pd.DataFrame,
    *,
    responded: str,
    covariates: Sequence[str],
    n_classes: int = 5,
    weights: str | None = None,
    seed: int = 2026,
) -> pd.Series:
    """Response-propensity classes: quantile groups (1 = lowest) of P(respond | covariates).

    p_i = logistic(b0 + x_i'b) fitted by scikit-learn `LogisticRegression` (text covariates one-hot
    coded, numeric ones as is; optionally weighted by `weights`), then `n_classes` classes of equal
    size by rank of p_i (Little 1986; Valliant, Dever & Kreuter 2018, ch. 13). Use the result as an
    ordered cell in `nonresponse_adjust(..., ordered=True)`.

    Example: ``data["kelas"] = propensity_classes(data, responded="respon", covariates=["kec", "umur"])``.
    """
    from sklearn.linear_model import LogisticRegression

    missing = [c for c in [responded, *covariates] if c not in data.columns]
    if missing:
        raise WeightingError(f"propensity_classes: column(s) {missing} not found")
    x = data[list(covariates)]
    blank = x.isna().any(axis=1).to_numpy()
    if blank.any():
        raise WeightingError(f"propensity_classes: {int(blank.sum())} row(s) have a blank covariate (first: row "
                             f"{int(np.argmax(blank)) + 2}); impute or recode them first")
    if not 2 <= n_classes <= len(data):
        raise WeightingError(f"propensity_classes: n_classes must be between 2 and {len(data)}, got {n_classes}")
    design_matrix = pd.get_dummies(x, drop_first=True, dtype=float)
    y = data[responded].astype(bool).to_numpy()
    if y.all() or not y.any():
        raise WeightingError(f"propensity_classes: column '{responded}' is {'all True' if y.all() else 'all False'}; "
                             "a propensity model needs respondents and nonrespondents")
    sw = None if weights is None else pd.to_numeric(data[weights]).to_numpy(dtype=float)
    model = LogisticRegression(C=1e6, max_iter=1000, random_state=seed)
    model.fit(design_matrix.to_numpy(), y, sample_weight=sw)
    p = model.predict_proba(design_matrix.to_numpy())[:, 1]
    ranks = pd.Series(p, index=data.index).rank(method="first")
    return pd.qcut(ranks, n_classes, labels=range(1, n_classes + 1)).astype(int).rename("kelas_propensitas")
