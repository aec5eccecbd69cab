"""Text from the data made safe for the files people open: XML-based documents (DOCX, PPTX, XLSX) cannot hold
control characters, and spreadsheets run a cell that starts with '=' as a formula.

- `printable(text)`: characters XML 1.0 forbids (C0 controls except tab, newline and carriage return,
  unpaired surrogates, U+FFFE/U+FFFF) are dropped, so a unit name with a stray ``\\x0b`` never breaks a
  writer or leaves a half-written file;
- `mask_personal(text)`: what respondents wrote, without the personal data it may hold: phone numbers, NIK
  (16 digits), e-mail addresses and names after a title (Pak, Bu, dr. ...) are replaced by a tag;
- `spreadsheet_cell(value)`: OWASP's guard against CSV / formula injection: text starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading apostrophe-free single quote ``'`` so Excel and
  LibreOffice show it as text; numbers (and number-like text such as '-1.5') stay as they are.

>>> printable("Puskesmas\\x0bKota"), spreadsheet_cell("=HYPERLINK(\\"x\\")"), spreadsheet_cell(-1.5)
('PuskesmasKota', '\\'=HYPERLINK("x")', -1.5)
"""

from __future__ import annotations

import re
from numbers import Number

__all__ = ["mask_personal", "printable", "shorten", "spreadsheet_cell"]

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


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
_PHONE = re.compile(r"(?<![\w+])\(?(?:\+?62|0)(?:[\s.()-]*\d){8,12}(?!\d)")
_TITLES = r"\b(?i:pak|bu|bpk\.?|bapak|ibu|sdr\.?|sdri\.?|saudara|saudari|dr\.|drg\.|mas|mbak|kak|ners|bidan)"
#: Words after a title that name a role, not a person ("pak petugas", "bu bidan"): kept.
_ROLES = {"petugas", "dokter", "bidan", "perawat", "satpam", "kepala", "camat", "lurah", "kades", "guru", "kasir",
          "admin", "operator", "pegawai", "staf", "staff", "sekretaris", "bupati", "wali", "rt", "rw", "polisi",
          "security", "loket", "yang", "dan", "di", "ke", "itu", "ini", "tadi", "dokternya", "petugasnya"}
_NAMED = re.compile(_TITLES + r"\s+([A-Za-z][a-z']+(?:\s+[A-Z][a-z']+)*)")


def mask_personal(text) -> str:
    """`text` with personal data replaced: e-mail -> [email], NIK (16 digits) -> [NIK], phone -> [telepon],
    a name after a title -> title [nama] (a role after the title, "pak petugas", is kept).

    >>> mask_personal("Pak Budi Santoso lambat, hubungi 0812-3456-7890 / budi@mail.com, NIK 3201234567890123")
    'Pak [nama] lambat, hubungi [telepon] / [email], NIK [NIK]'
    """
    out = _EMAIL.sub("[email]", str(text))
    out = _NIK.sub("[NIK]", out)
    out = _PHONE.sub("[telepon]", out)

    def name(match: re.Match) -> str:
        words = match.group(1)
        if words.split()[0].lower() in _ROLES:
            return match.group(0)
        return match.group(0)[: match.start(1) - match.start(0)] + "[nama]"

    return _NAMED.sub(name, out)


def shorten(text, width: int = 50) -> str:
    """`text` on one line, cut at a word to at most `width` characters with an ellipsis.

    >>> shorten("Bagaimana pendapat Saudara tentang kesesuaian persyaratan", 30)
    'Bagaimana pendapat Saudara…'
    """
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[:width - 1].rsplit(" ", 1)[0] if " " in text[:width - 1] else text[:width - 1]
    return cut + "…"
