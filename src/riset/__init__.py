"""riset: a research workbench for public-service satisfaction surveys (SKM / IKM).

The work flows down four layers (docs/architecture.md):

- `riset.survey`: the general design-based engine (sampling, selection, designs, weighting, estimation,
  models, out of core); no SKM words, no prose.
- `riset.skm`: PermenPAN-RB 14/2017 and KepMenPAN 25/2004 (schemes, IKM, codebook and exports,
  instrument, drivers, IPA, recommendations).
- `riset.study`: one study (its configuration, `run_study`, `StudyResults`, the example generator).
- `riset.present`: text catalogs (id/en), charts, the report writers and the widgets.

`riset.cli`, `riset.notebooks` and `riset.errors` sit beside them.
"""

from riset.errors import CodebookError, DataError, DesignError, RisetError, WeightingError

__version__ = "0.1.0"

__all__ = ["RisetError", "DataError", "CodebookError", "DesignError", "WeightingError", "__version__"]
