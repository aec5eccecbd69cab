"""riset: a research workbench for public-service satisfaction surveys (SKM / IKM).

One concept per module (see docs/architecture.md): `io` (survey export + codebook), `ikm`
(PermenPAN-RB 14/2017 index), `datasets` (bundled example study), `sampling` and `selection`, `design`,
`replicate`, `estimate`, `ikm_design`, `scale`, `nonresponse`, `margins`, `weighting`,
`weight_diagnostics`, `instrument`, `models`, `drivers`, `ipa`, `recommend`, `study`, `charts`, `report`,
`labels`, `widgets`, `notebooks`, `cli`.
"""

from riset.errors import CodebookError, DataError, DesignError, RisetError, WeightingError

__version__ = "0.1.0"

__all__ = ["RisetError", "DataError", "CodebookError", "DesignError", "WeightingError", "__version__"]
