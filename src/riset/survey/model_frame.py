"""The model frame of a survey-weighted regression (`riset.survey.models`): the rows and columns a formula uses
from the design's data, the design matrix (built directly for a plain 'y ~ a + b + text' formula, by patsy
otherwise), the checks a user can act on (blank, constant, infinite and collinear columns) and the R factor of
the weighted QR that the linear fit and the collinearity checks share (R `model.frame`, `lm.wfit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import patsy
from scipy import linalg

from riset.errors import DataError, DesignError
from riset.i18n import Note
from riset.survey.base import Design, row_blocks

__all__ = ["check_collinear", "Kind", "ModelFrame", "model_frame", "new_model_matrix", "plain_number", "r_factor"]

Kind = Literal["linear", "logistic", "ordinal"]


@dataclass
class ModelFrame:
    y: np.ndarray
    X: pd.DataFrame
    w: np.ndarray
    used: np.ndarray  # bool over all design rows
    term_columns: dict[str, list[str]]
    outcome: str
    n_dropped: int
    dropped_by: dict[str, int]
    levels: tuple | None = None


def model_frame(kind: Kind, formula: str, design, lang: str) -> tuple[ModelFrame, list[str]]:
    if not isinstance(design, Design):
        raise DesignError(
            "design must be a riset.survey.design.SurveyDesign or riset.survey.replicate.ReplicateDesign, "
            f"not {type(design).__name__}"
        )
    if not isinstance(formula, str) or "~" not in formula:
        raise DataError(f"formula must be text like 'K1 ~ U1 + U2', not {formula!r}")
    data = design.data
    if not data.index.is_unique:
        raise DataError("the design's data has duplicated row labels; reset the index before building the design")
    inside = np.asarray(design.in_domain)
    # only the columns the formula can name (a superset: every column whose name occurs in it, also inside
    # Q("...")), and the rows of the domain: no copy of the rest of the frame
    named = [c for c in data.columns if str(c) in formula]
    domain = _categorical_text(data[named] if inside.all() else data.loc[inside, named], formula)
    outcome = formula.split("~", 1)[0].strip()
    notes: list[str] = []
    X, y_frame, term_columns = _direct_matrices(kind, formula, domain) or _patsy_matrices(kind, formula, domain, data)
    if y_frame is not None and list(y_frame.columns) == [f"{outcome}[False]", f"{outcome}[True]"]:
        y_frame = y_frame[[f"{outcome}[True]"]]  # a condition such as I(K1 >= 8): True = 1
    if kind == "ordinal":
        y_raw = _ordinal_outcome(outcome, domain)
        keep_y = y_raw.notna()
    else:
        if y_frame.shape[1] != 1:
            raise DataError(
                f"outcome '{outcome}' gives {y_frame.shape[1]} columns ({_some(y_frame.columns)}); it must be one "
                "numeric column (for a category use a 0/1 expression such as I(K1 >= 8))"
            )
        keep_y = pd.Series(_labels_in(domain.index, y_frame.index), index=domain.index)
    keep = keep_y & pd.Series(_labels_in(domain.index, X.index), index=domain.index)
    dropped = domain.index[~keep.to_numpy()]
    if len(dropped) and _unused_levels(X, domain.index[keep.to_numpy()]):
        # a category only rows with a blank had: coded again from the rows used, as R's model frame drops
        # unused levels (glm: drop.unused.levels = TRUE) -- no all-zero dummy, and the reference as R's
        used_rows = _drop_unused_categories(domain.loc[keep.to_numpy()])
        X, y_frame, term_columns = (_direct_matrices(kind, formula, used_rows)
                                    or _patsy_matrices(kind, formula, used_rows, data))
        if y_frame is not None and list(y_frame.columns) == [f"{outcome}[False]", f"{outcome}[True]"]:
            y_frame = y_frame[[f"{outcome}[True]"]]
    dropped_by = _dropped_by(formula, domain.loc[dropped])
    if len(dropped):
        detail = ", ".join(f"{c} {k}" for c, k in dropped_by.items())
        notes.append(Note("model_rows_dropped", {"n": len(dropped), "detail": detail}))
    used_labels = domain.index[keep.to_numpy()]
    order = [c for cols in term_columns.values() for c in cols]
    X = X[order] if len(used_labels) == len(X) else X.loc[used_labels, order]
    if kind == "ordinal":  # polr: coded with an intercept (treatment contrasts), which the cut-points replace
        X = X.drop(columns=term_columns.pop("Intercept", []))
    used = _labels_in(data.index, used_labels)
    w = np.asarray(design.weights, dtype="float64")[used]
    levels = None
    if kind == "ordinal":
        y, levels, empty = _ordinal_codes(y_raw.loc[used_labels], outcome)
        if empty:
            shown = ", ".join(map(str, empty))
            notes.append(Note("model_empty_categories", {"categories": shown, "outcome": outcome}))
    else:
        y = y_frame.loc[used_labels].iloc[:, 0].to_numpy(dtype="float64")
    frame = ModelFrame(y, X, w, used, term_columns, outcome, len(dropped), dropped_by, levels)
    _check_columns(frame, kind)
    return frame, notes


def _unused_levels(X: pd.DataFrame, used: pd.Index) -> bool:
    """Whether a column of X is zero on every row used but not on every row of the domain: the dummy of a
    category that only rows left out (a blank elsewhere in the model) have."""
    zero = X.to_numpy() == 0
    zero_used = zero[_labels_in(X.index, used)].all(axis=0)
    return bool((zero_used & ~zero.all(axis=0)).any())


def _drop_unused_categories(frame: pd.DataFrame) -> pd.DataFrame:
    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.assign(**{c: frame[c].cat.remove_unused_categories() for c in categorical})


def _labels_in(index: pd.Index, labels: pd.Index) -> np.ndarray:
    """Which rows of `index` are among `labels` (a subset of its unique labels): all of them, without a hash
    lookup of every label, when there are as many labels as rows."""
    return np.ones(len(index), dtype=bool) if len(labels) == len(index) else np.asarray(index.isin(labels))


def _patsy_matrices(kind: Kind, formula: str, domain: pd.DataFrame, data: pd.DataFrame):
    """X (rows without a blank in the predictors), y (rows with an outcome; None for the ordinal model) and the
    columns of each term in the formula's order, by patsy (any formula: I(), C(), interactions, transforms)."""
    lhs, rhs = formula.split("~", 1)
    try:
        X = patsy.dmatrix(rhs, domain, return_type="dataframe", NA_action="drop")
        y_frame = None if kind == "ordinal" else patsy.dmatrix(
            lhs.strip() + " - 1", domain, return_type="dataframe", NA_action="drop")
    except patsy.PatsyError as err:
        raise _formula_error(err, formula, data) from None
    slices = X.design_info.term_name_slices
    # patsy groups categorical terms first; keep the formula's order, as R does (unsur before controls)
    order = [t.name() for t in patsy.ModelDesc.from_formula(rhs).rhs_termlist if t.name() in slices]
    return X, y_frame, {name: list(X.columns[slices[name]]) for name in order}


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _direct_matrices(kind: Kind, formula: str, domain: pd.DataFrame):
    """What `_patsy_matrices` gives, built directly for the common formula 'y ~ a + b + ...' whose names are all
    columns -- numbers (as they are) or categories with text levels (treatment dummies named 'a[T.level]', the
    first level the reference, as patsy): no formula evaluation, so no fixed cost on small data and no
    per-row work on large data. None for any other formula (patsy builds it)."""
    lhs, rhs = (part.strip() for part in formula.split("~", 1))
    terms = [t.strip() for t in rhs.split("+")]
    names = [lhs, *terms]
    if (not all(_NAME.fullmatch(t) for t in names) or len(set(terms)) < len(terms)
            or not set(names) <= set(domain.columns)):
        return None
    kinds = {c: _column_kind(domain[c]) for c in names}
    if None in kinds.values() or (kind != "ordinal" and kinds[lhs] != "number"):
        return None
    n = len(domain)
    complete = np.ones(n, dtype=bool)
    columns, term_columns = [np.ones(n)], {"Intercept": ["Intercept"]}
    for term in terms:
        if kinds[term] == "number":
            values = domain[term].to_numpy(dtype="float64")
            complete &= ~np.isnan(values)
            columns.append(values)
            term_columns[term] = [term]
        else:
            codes = domain[term].cat.codes.to_numpy()
            complete &= codes >= 0
            levels = domain[term].cat.categories[1:]
            columns += [(codes == j).astype("float64") for j in range(1, len(levels) + 1)]
            term_columns[term] = [f"{term}[T.{level}]" for level in levels]
    matrix = np.column_stack(columns)
    X = pd.DataFrame(_rows(matrix, complete), index=_rows(domain.index, complete),
                     columns=[c for cols in term_columns.values() for c in cols], copy=False)
    y_frame = None
    if kind != "ordinal":
        y = domain[lhs].to_numpy(dtype="float64")
        answered = ~np.isnan(y)
        y_frame = pd.DataFrame({lhs: _rows(y, answered)}, index=_rows(domain.index, answered), copy=False)
    return X, y_frame, term_columns


def _rows(values, mask: np.ndarray):
    """`values[mask]`; `values` itself (no copy) when every row is in the mask."""
    return values if mask.all() else values[mask]


def _column_kind(column: pd.Series) -> str | None:
    """'number' (a numpy int/float column), 'category' (a pandas categorical with text levels), else None."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        return "number"
    if isinstance(dtype, pd.CategoricalDtype) and all(isinstance(c, str) for c in dtype.categories):
        return "category"
    return None


def _categorical_text(frame: pd.DataFrame, formula: str) -> pd.DataFrame:
    """The text columns the formula names as pandas categoricals (categories sorted, as patsy sorts text
    levels): patsy then reads their codes instead of sniffing every row's value, which on a million rows is most
    of a model's time. Same design matrix, same coefficients. Nullable number columns (Int64, Float64, boolean:
    blanks as pd.NA) become floats with NaN blanks, which both model-matrix routes drop as blanks."""
    named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", formula))
    text = [c for c in frame.columns if c in named and (frame[c].dtype == object or pd.api.types.is_string_dtype(
        frame[c].dtype)) and not isinstance(frame[c].dtype, pd.CategoricalDtype)]
    nullable = [c for c in frame.columns if c in named and isinstance(frame[c].dtype, pd.api.extensions.ExtensionDtype)
                and (pd.api.types.is_numeric_dtype(frame[c].dtype) or pd.api.types.is_bool_dtype(frame[c].dtype))
                and not isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not text and not nullable:
        return frame
    return frame.assign(**{c: pd.Categorical(frame[c]) for c in text},
                        **{c: frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in nullable})


def _some(names, shown: int = 5) -> str:
    """The first few of many names, 'a, b, c, d, e, ... (40 in all)'."""
    names = [str(n) for n in names]
    return ", ".join(names) if len(names) <= shown else f"{', '.join(names[:shown])}, ... ({len(names)} in all)"


def _formula_error(err: patsy.PatsyError, formula: str, data: pd.DataFrame) -> DataError:
    missing = re.search(r"name '([^']+)' is not defined", str(err))
    if missing:
        return DataError(
            f"column '{missing.group(1)}' in formula '{formula}' is not in the data; columns are: "
            f"{', '.join(map(str, data.columns[:30]))}{' ...' if len(data.columns) > 30 else ''}"
        )
    return DataError(f"formula '{formula}' cannot be used: {str(err).splitlines()[0]}")


def _dropped_by(formula: str, dropped: pd.DataFrame) -> dict[str, int]:
    """Per variable of the formula: how many of the left-out rows are blank in it."""
    if dropped.empty:
        return {}
    tokens = set(re.findall(r"[A-Za-z_][\w\.]*", formula))
    cols = [c for c in dropped.columns if str(c) in tokens]
    blanks = dropped[cols].isna().sum()
    return {str(c): int(k) for c, k in blanks.items() if k}


def _ordinal_outcome(outcome: str, domain: pd.DataFrame) -> pd.Series:
    if outcome not in domain.columns:
        raise DataError(f"ordinal outcome '{outcome}' must be a column of the data (got an expression or unknown name)")
    return domain[outcome]


def _ordinal_codes(y: pd.Series, outcome: str) -> tuple[np.ndarray, tuple, list]:
    """Codes 0..K-1 in the outcome's order; levels nobody chose are removed (and returned)."""
    if isinstance(y.dtype, pd.CategoricalDtype):
        all_levels = list(y.cat.categories)
    else:
        numeric = pd.to_numeric(y, errors="coerce")
        if numeric.isna().any():
            bad = y[numeric.isna()].iloc[0]
            raise DataError(
                f"ordinal outcome '{outcome}' has value {bad!r}; it must be numbers or an ordered category "
                "(pd.Categorical(..., categories=[...], ordered=True))"
            )
        y = numeric
        all_levels = sorted(y.unique())
    present = set(y.unique())
    levels = [lv for lv in all_levels if lv in present]
    empty = [lv for lv in all_levels if lv not in present]
    if len(levels) < 3:
        raise DataError(
            f"ordinal outcome '{outcome}' has {len(levels)} level(s) among the rows used "
            f"({', '.join(map(str, levels))}); "
            "a proportional-odds model needs at least 3 ordered levels (use logistic() for two)"
        )
    codes = y.map({lv: i for i, lv in enumerate(levels)}).to_numpy(dtype=np.int64)
    return codes, tuple(plain_number(lv) for lv in levels), empty


def _check_columns(fr: ModelFrame, kind: Kind) -> None:
    X = fr.X.to_numpy()
    n, p = X.shape
    n_params = p + (len(fr.levels) - 1 if kind == "ordinal" else 0)
    if n <= n_params:
        raise DataError(f"only {n} respondents left for {n_params} coefficients; the model cannot be estimated")
    _check_finite(X, list(fr.X.columns), fr.X.index)
    if kind != "ordinal":
        _check_finite(np.asarray(fr.y, dtype=float)[:, None], [fr.outcome], fr.X.index)
    constant = np.ptp(X, axis=0) == 0  # one pass over the rows for every column
    for j, col in enumerate(fr.X.columns):
        if constant[j] and col != "Intercept":
            raise DataError(
                f"column '{col}' is constant ({plain_number(X[0, j])}) among the {n} respondents used; "
                "a constant predictor cannot be estimated -- remove it from the formula"
            )
    if kind == "logistic":
        check_collinear(fr, r_factor(X, fr.w))
    elif kind == "ordinal":  # the cut-points act as an intercept: the columns are checked beside a column of ones
        check_collinear(fr, r_factor(np.column_stack([np.ones(n), X]), np.ones(n)), shift=1)
    # linear: checked on the QR of its own fit (`_fit_linear`), made once


def _check_finite(values: np.ndarray, names: list, index: pd.Index) -> None:
    """Refuse an infinite value of a model column, naming the column and the row (blanks are already dropped);
    found from the column sums (one pass, no n x p temporary)."""
    for j in np.flatnonzero(~np.isfinite(values.sum(axis=0))):
        infinite = np.isinf(values[:, j])
        if infinite.any():  # (a sum can overflow without an infinite value)
            i = int(np.argmax(infinite))
            raise DataError(f"column '{names[j]}' has value {values[i, j]} in row {index[i]} "
                            f"({int(infinite.sum())} such row(s)); a model needs finite numbers")


def check_collinear(fr: ModelFrame, factor: tuple[np.ndarray, np.ndarray], shift: int = 0) -> None:
    """Refuse the first predictor that is a linear combination of the columns before it (`_collinear`);
    `shift`: columns of the factor before the model's own."""
    collinear = _collinear(factor)
    if collinear is not None:
        raise DataError(
            f"predictors are perfectly collinear: column '{fr.X.columns[collinear - shift]}' is a linear "
            "combination of the columns before it in the formula; remove it (or one of the columns it repeats)"
        )


#: R lm.fit's tolerance: a column whose norm falls below this fraction of its own once the columns before it
#: are projected out is a linear combination of them (LINPACK dqrdc2)
_COLLINEAR_TOL = 1e-7


#: rows of sqrt(w) [X | y] factored at a time by `r_factor`
_QR_ROWS = 1 << 16


def r_factor(X: np.ndarray, w: np.ndarray, y: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """R of the Householder QR of sqrt(w) [X | y] (LAPACK dgeqrf, columns in the formula's order, only R formed)
    and the norms of those columns.

    Tall-skinny QR (Demmel et al. 2012): each block of `_QR_ROWS` rows is factored alone and the stacked
    R factors once more, so only one block of the n x (p+1) array exists at a time. R is that of the whole
    array up to the signs of its rows, which neither b = R^-1 r, nor (X'WX)^-1 = R^-1 R^-T, nor the
    collinearity check |R_jj| see."""
    n, p = X.shape
    m = p + (y is not None)
    root = np.sqrt(w)
    norms2 = np.zeros(m)
    factors = []
    for rows in row_blocks(n, _QR_ROWS):
        a = np.empty((rows.stop - rows.start, m), order="F")
        np.multiply(X[rows], root[rows, None], out=a[:, :p])
        if y is not None:
            np.multiply(y[rows], root[rows], out=a[:, p])
        norms2 += np.einsum("ij,ij->j", a, a)
        factors.append(_householder_r(a))
    r = factors[0] if len(factors) == 1 else _householder_r(np.asfortranarray(np.vstack(factors)))
    return r, np.sqrt(norms2)


def _householder_r(a: np.ndarray) -> np.ndarray:
    """The upper-triangular R (its first min(rows, columns) rows) of the QR of `a` (Fortran order, overwritten)."""
    return np.triu(linalg.lapack.dgeqrf(a, overwrite_a=True)[0][: a.shape[1]])


def _collinear(factor: tuple[np.ndarray, np.ndarray]) -> int | None:
    """First column that is (numerically) a linear combination of the columns before it, or None:
    |R_jj| <= tol x ||x_j|| (tol 1e-7, R `lm.fit`)."""
    r, norms = factor
    p = min(r.shape[1], len(norms))
    small = np.abs(np.diag(r)[:p]) <= _COLLINEAR_TOL * norms[:p]
    return int(np.argmax(small)) if small.any() else None


def new_model_matrix(term_columns: dict[str, list[str]], newdata: pd.DataFrame, fitted: pd.DataFrame | None,
                     total: float | None = None) -> np.ndarray:
    """The model matrix of a plain formula's terms (`term_columns`, as the fit made them) for the rows of `newdata`:
    the intercept as 1 (or `total`, for predictions at population totals), numbers as they are, text as the
    treatment dummies of the fitted categories (`fitted`: the rows the model was fitted on). Expression terms
    (I(), C(), interactions), missing columns, blanks, text where a number is needed and categories the fit did
    not see are refused with a `DataError` naming the column and row."""
    return np.column_stack([_new_columns(term, cols, newdata, fitted, total) for term, cols in term_columns.items()])


def _new_columns(term: str, cols: list[str], newdata: pd.DataFrame, fitted: pd.DataFrame | None,
                 total: float | None) -> np.ndarray:
    if term == "Intercept":
        return np.full((len(newdata), 1), 1.0 if total is None else float(total))
    categorical = all(c.startswith(f"{term}[T.") and c.endswith("]") for c in cols)
    if (fitted is not None and term not in fitted.columns) or (cols != [term] and not categorical):
        raise DataError(f"predict() builds the predictors of a plain formula ('y ~ a + b + text'); term {term!r} "
                        "is an expression: refit the model with plain columns")
    if term not in newdata.columns:
        raise DataError(f"newdata has no column {term!r}, a predictor of the model")
    values = newdata[term]
    blank = values.isna().to_numpy()
    if blank.any():
        raise DataError(f"newdata column {term!r} is blank in row {newdata.index[np.argmax(blank)]}")
    if not categorical:
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna().to_numpy()
        if bad.any():
            row = newdata.index[np.argmax(bad)]
            raise DataError(f"newdata column {term!r} has value {values.loc[row]!r} in row {row}; a number is needed")
        return numbers.to_numpy(dtype=float)[:, None]
    levels = [c[len(term) + 3:-1] for c in cols]
    known = set(map(str, fitted[term].unique())) if fitted is not None else set(levels)
    text = values.astype(str)
    unknown = ~text.isin(known | set(levels)).to_numpy()
    if unknown.any():
        row = newdata.index[np.argmax(unknown)]
        raise DataError(f"newdata column {term!r} has category {values.loc[row]!r} in row {row}, which the model "
                        f"was not fitted with ({', '.join(sorted(known))})")
    return np.column_stack([(text == level).to_numpy(dtype=float) for level in levels])


def plain_number(value):
    """numpy scalars as plain Python numbers (ints when whole) for messages and labels."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
