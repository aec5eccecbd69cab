"""Presentation: labels and text catalogs (id/en), charts, report writers and widgets."""

__all__ = []
