"""riset: a research workbench for public-service satisfaction surveys (SKM / IKM).

Modules, one concept each: `io` (survey export + codebook), `ikm` (PermenPAN-RB 14/2017 index),
`datasets` (bundled example study), `sampling`, `design`, `estimate`, `weighting`, `instrument`,
`models`, `drivers`, `recommend`, `charts`, `widgets`, `report`, `cli`.
"""

from riset.errors import CodebookError, DataError, DesignError, RisetError, WeightingError

__version__ = "0.1.0"

__all__ = ["RisetError", "DataError", "CodebookError", "DesignError", "WeightingError", "__version__"]
