"""The `RisetError` family: errors a social scientist can act on.

Every message names what is wrong in the user's terms: the column, the row (as numbered in the
spreadsheet, header = row 1), the value and what is allowed, e.g.
"column 'U3' has value 7 in row 41; allowed 1-4".
"""


class RisetError(ValueError):
    """Base class of all errors raised on bad input to riset."""


class DataError(RisetError):
    """The survey data (answers, ids, groups) cannot be used as given."""


class CodebookError(RisetError):
    """The codebook is missing, malformed or contradicts the data."""


class DesignError(RisetError):
    """The sampling design (weights, strata, PSU, FPC) is invalid."""


class WeightingError(RisetError):
    """Weighting or calibration cannot be carried out as asked (margins, bounds, convergence)."""
