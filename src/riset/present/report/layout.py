"""Table layout shared by the DOCX and PDF writers: column widths that keep numbers on one line and never break
a word of a header, and the font size that makes them fit the page."""

from __future__ import annotations

from functools import lru_cache

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from riset.present.report.document import Table

__all__ = ["CELL_MARGIN_CM", "CHAR_CM", "FIGURE_MAX_CM", "TEXT_HEIGHT_CM", "TEXT_WIDTH_CM", "column_widths",
           "figure_size_cm", "table_layout", "text_cm"]

#: A4 (21 cm) minus 2.5 cm margins on each side.
TEXT_WIDTH_CM = 16.0
#: A4 (29.7 cm) minus the 2.5 cm top and 2.2 cm bottom margins.
TEXT_HEIGHT_CM = 25.0
#: The tallest a figure is drawn, about half the text height: a figure that does not fit below the text moves whole
#: to the next page (with its caption), and the page it leaves is then at most about half empty.
FIGURE_MAX_CM = 13.0
#: Average width of one character of 9 pt text (cm), for the width a cell wants (not for its floor), and the
#: cell's left + right margins.
CHAR_CM = 0.215
CELL_MARGIN_CM = 0.45
#: The widest font a reader may have for the documents' sans-serif text (LibreOffice without Calibri falls back to
#: it; matplotlib ships it), bold as the headers; words are measured in it with a small safety margin.
_FONT = FontProperties(family="DejaVu Sans", weight="bold")
_SAFETY = 1.04


@lru_cache(maxsize=4096)
def text_cm(text: str, size: float = 9.0) -> float:
    """Width (cm) of `text` set in bold DejaVu Sans at `size` pt, times a 4 % safety margin.

    >>> round(text_cm("Penanggung"), 2) > round(text_cm("Waktu"), 2)
    True
    """
    width_pt, _, _ = TextToPath().get_text_width_height_descent(text, _sized(size), ismath=False)
    return width_pt * 2.54 / 72 * _SAFETY


@lru_cache(maxsize=8)
def _sized(size: float) -> FontProperties:
    font = _FONT.copy()
    font.set_size(size)
    return font


def figure_size_cm(aspect: float, max_height_cm: float = FIGURE_MAX_CM) -> tuple[float, float]:
    """Width and height (cm) of a figure whose height / width is `aspect`: the text width, narrower when that would
    make it taller than `max_height_cm`.

    >>> figure_size_cm(0.5), figure_size_cm(1.3)
    ((16.0, 8.0), (10.0, 13.0))
    """
    width = min(TEXT_WIDTH_CM, max_height_cm / max(aspect, 1e-6))
    return width, width * aspect


def table_layout(table: Table, total_cm: float = TEXT_WIDTH_CM) -> tuple[list[float], float]:
    """Column widths (cm) and the font size (pt) of a table: 9 pt, or 8 / 7 pt when the columns' longest words
    and numbers do not fit the page at 9 pt."""
    for size in (9.0, 8.0, 7.0):
        widths = column_widths(table, total_cm, size)
        if widths is not None:
            return widths, size
    return column_widths(table, total_cm, 7.0, force=True), 7.0


def column_widths(table: Table, total_cm: float = TEXT_WIDTH_CM, size: float = 9.0,
                  force: bool = False) -> list[float] | None:
    """Column widths in cm. Each column is at least as wide as its longest word (header included, measured in bold
    DejaVu Sans at the table's size: `text_cm`),
    so "Peluang" or "Waktu" never break in two. Without `Table.widths` a column wants its longest cell on one
    line (at most 40 characters); when the wants exceed the page, the columns that can wrap give up room in
    proportion to what they can spare. With `Table.widths` those relative widths are used, widened to the
    floors with room taken from the columns that have some to spare."""
    char = CHAR_CM * size / 9.0
    texts = [[table.header[j], *(r[j] for r in table.rows)] for j in range(len(table.header))]
    floors = [max(text_cm(w, size) for text in col for w in (text.split() or [""])) + CELL_MARGIN_CM
              for col in texts]
    # numbers and codes (right / centre aligned) stay on one line: only left-aligned text wraps
    floors = [max(f, max(len(t) for t in col[1:] or [""]) * char * 0.9 + CELL_MARGIN_CM) if a != "l" else f
              for f, col, a in zip(floors, texts, table.align)]
    if sum(floors) > total_cm and not force:
        return None
    if table.widths:
        wants = [total_cm * w / sum(table.widths) for w in table.widths]
    else:
        wants = [max(min(max(len(t) for t in col[1:] or col), 40) * char * 0.9 + CELL_MARGIN_CM, f)
                 for col, f in zip(texts, floors)]
    wants = [max(w, f) for w, f in zip(wants, floors)]
    excess = sum(wants) - total_cm
    if excess <= 0:  # room to spare: to the columns that wrap, in proportion to their wants
        wrapping = [w if w > f + 1e-9 else 0.0 for w, f in zip(wants, floors)]
        share = wrapping if sum(wrapping) else wants
        return [w - excess * s / sum(share) for w, s in zip(wants, share)]
    spare = [w - f for w, f in zip(wants, floors)]
    if sum(spare) >= excess:
        return [w - excess * sp / sum(spare) for w, sp in zip(wants, spare)]
    return [total_cm * f / sum(floors) for f in floors]  # even the floors do not fit: shrink them alike
