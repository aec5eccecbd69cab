"""The `RisetError` family: errors a social scientist can act on.

Every message names what is wrong in the user's terms: the column, the row (as numbered in the
spreadsheet, header = row 1), the value and what is allowed, e.g.
"column 'U3' has value 7 in row 41; allowed 1-4".
"""

import re

__all__ = ["CodebookError", "DataError", "DesignError", "RisetError", "show_value", "WeightingError"]

_NUMPY_REPR = re.compile(r"np\.(?:float|int|uint|str_|bool)\w*\(([^()]*)\)")


class RisetError(ValueError):
    """Base class of all errors raised on bad input to riset. The message is read by people: numpy reprs
    such as ``np.float64(2.5)`` in it are shown as the plain value ``2.5``."""

    def __init__(self, message="", *args):
        if isinstance(message, str):
            message = _NUMPY_REPR.sub(r"\1", message)
        super().__init__(message, *args)


class DataError(RisetError):
    """The survey data (answers, ids, groups) cannot be used as given."""


class CodebookError(RisetError):
    """The codebook is missing, malformed or contradicts the data."""


class DesignError(RisetError):
    """The sampling design (weights, strata, PSU, FPC) is invalid."""


class WeightingError(RisetError):
    """Weighting or calibration cannot be carried out as asked (margins, bounds, convergence)."""


def show_value(value) -> str:
    """A cell value as a user reads it in a message: 7, 2.5, 'Sangat baik' (no numpy type names)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)
