"""Text from the data made safe for the files people open: XML-based documents (DOCX, PPTX, XLSX) cannot hold
control characters, and spreadsheets run a cell that starts with '=' as a formula.

- `printable(text)`: characters XML 1.0 forbids (C0 controls except tab, newline and carriage return,
  unpaired surrogates, U+FFFE/U+FFFF) are dropped, so a unit name with a stray ``\\x0b`` never breaks a
  writer or leaves a half-written file;
- `spreadsheet_cell(value)`: OWASP's guard against CSV / formula injection: text starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading apostrophe-free single quote ``'`` so Excel and
  LibreOffice show it as text; numbers (and number-like text such as '-1.5') stay as they are.

>>> printable("Puskesmas\\x0bKota"), spreadsheet_cell("=HYPERLINK(\\"x\\")"), spreadsheet_cell(-1.5)
('PuskesmasKota', '\\'=HYPERLINK("x")', -1.5)
"""

from __future__ import annotations

import re
from numbers import Number

__all__ = ["printable", "spreadsheet_cell"]

_ILLEGAL = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|[.,]\d+)([eE][+-]?\d+)?%?$")


def printable(text) -> str:
    """`text` as a string without the characters XML documents cannot hold."""
    return _ILLEGAL.sub("", str(text))


def spreadsheet_cell(value):
    """A value safe for a spreadsheet or CSV cell: numbers unchanged; text that a spreadsheet would run as a
    formula prefixed with a single quote (OWASP CSV injection guidance); control characters dropped."""
    if value is None or isinstance(value, (Number, bool)):
        return value
    text = printable(value)
    if text.startswith(_FORMULA) and not _NUMBER.match(text.strip()):
        return "'" + text
    return text
