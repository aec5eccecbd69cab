"""The general design-based survey engine: sampling, selection, designs, weighting, estimation, models.

Nothing here knows of SKM or writes prose; notes are codes with values.
"""

__all__ = []
