"""Text catalogs (one per language) and number formats: the only place where words for people live.

Every layer computes with *codes* (a verdict ``"naik"``, a note ``Note("rows_blank_excluded", n=3)``,
a column ``"ci_low"``); what a person reads is looked up here, in the catalog of the language asked for:
``riset/i18n/id/*.yaml`` (Indonesian, the default) and ``riset/i18n/en/*.yaml`` (English), one file per
topic, the same keys in both (tests/test_i18n.py checks that). This package imports nothing else of riset
but `riset.errors`, so the engine (`riset.survey`), the SKM domain (`riset.skm`) and the presentation layer
(`riset.present`) read the same catalog without importing each other. Documents (report, slides,
dashboards) are composed in `riset.present` only.

Numbers read by people follow the audience's convention: Indonesian uses a decimal comma and a dot as the
thousands separator (PUEBI; BPS publications), so IKM 82.4512 is shown as ``82,45`` and 1234 respondents as
``1.234``; English uses ``82.45`` and ``1,234``.

Example
-------
>>> label("ikm_konversi"), label("ikm_konversi", lang="en")
('IKM (konversi, 25-100)', 'IKM (converted, 25-100)')
>>> fmt_num(82.4512), fmt_num(1234, 0), fmt_num(82.4512, lang="en")
('82,45', '1.234', '82.45')
>>> say("rows_blank_excluded", n=3, columns="U1, U2", lang="en")
'3 respondents with a blank in U1, U2 were left out (na_rm).'
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from riset.errors import RisetError

__all__ = [
    "LANGUAGES", "Lang", "Note", "catalog", "check_language", "column_words", "fmt_ci", "fmt_num", "fmt_p", "fmt_pct", "fmt_short",
    "fmt_signed", "get_language", "label", "say", "set_language",
]

Lang = Literal["id", "en"]
LANGUAGES: tuple[str, ...] = ("id", "en")

_language: list[str] = ["id"]


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """Every entry of the catalog of `lang` (all topic files merged; a key defined twice is an error)."""
    lang = check_language(lang)
    merged: dict[str, str] = {}
    for item in sorted(resources.files(__package__).joinpath(lang).iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        entries = yaml.safe_load(item.read_text(encoding="utf-8")) or {}
        twice = sorted(set(entries) & set(merged))
        if twice:
            raise RisetError(f"catalog {lang}/{item.name} defines {twice[0]!r} again (already in another file)")
        merged.update({str(k): str(v) for k, v in entries.items()})
    return merged


def set_language(lang: str) -> None:
    """Set the default display language ('id' or 'en') for summaries, charts, dashboards and reports.

    >>> set_language("en"); set_language("id")
    """
    _language[0] = check_language(lang)


def get_language() -> str:
    """The current default display language ('id' unless `set_language` changed it)."""
    return _language[0]


def check_language(lang: str | None) -> str:
    """Return `lang` (or the default when None) after checking it is a supported language."""
    lang = _language[0] if lang is None else lang
    if lang not in LANGUAGES:
        raise RisetError(f"lang={lang!r} is not a supported display language; choose one of: {', '.join(LANGUAGES)}")
    return lang


def label(key: str, lang: str | None = None) -> str:
    """Display label of `key` in `lang` (default: the current language); unknown keys are shown as given.

    >>> label("kuadran_I"), label("kuadran_I", "en")
    ('I Prioritas Utama', 'I Concentrate here')
    """
    return catalog(check_language(lang)).get(key, key)


def column_words(columns, lang: str | None = None) -> str:
    """Data columns named inside a sentence: each column by its `label` with a small first letter
    ('jenis_kelamin' -> 'jenis kelamin'; an acronym stays: 'OPD'), a column the catalog does not know with spaces
    for its underscores ('n_hari_layanan' -> 'n hari layanan'); a tuple is a cross of columns (' × '), a list an
    enumeration (', '), so the margins [('kecamatan', 'jenis_kelamin'), ('kecamatan', 'kelompok_umur')] read
    'kecamatan × jenis kelamin, kecamatan × kelompok umur'.

    >>> column_words([("unit", "kelompok_umur"), "bobot_desain"], "en")
    'service unit × age group, design weight'
    """
    if isinstance(columns, list):
        return ", ".join(column_words(c, lang) for c in columns)
    if isinstance(columns, tuple):
        return " × ".join(column_words(c, lang) for c in columns)
    shown = label(str(columns), lang)
    shown = shown.replace("_", " ") if shown == str(columns) else shown
    return shown[:1].lower() + shown[1:] if shown[1:2].islower() else shown


class _Values(string.Formatter):
    """str.format that writes numbers the audience's way: ``{x}`` -> fmt_num(x, 2), ``{x:.1f}`` -> 1 decimal,
    ``{x:d}`` -> whole number with thousands separators, ``{x:%}`` -> percentage with 1 decimal, ``{x:g}`` /
    ``{x:.1g}`` -> at most 4 / 1 decimals without trailing zeros (`fmt_short`: '0,05', '95'). A value that is
    itself a catalog key is written ``{x!l}`` and shown as its `label` in the language; data columns (one, a
    tuple crossed, a list of them) are written ``{x!w}`` and named as words in the sentence (`column_words`)."""

    def __init__(self, lang: str):
        self.lang = lang

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "w":
            return column_words(value, self.lang)
        return label(str(value), self.lang) if conversion == "l" else super().convert_field(value, conversion)

    def format_field(self, value: Any, spec: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (spec and spec[-1] not in "fdg%"):
            return format(value, spec) if spec else str(value)
        decimals = int(spec[1:-1]) if spec.startswith(".") else None
        if spec.endswith("%"):
            return fmt_pct(value, 1 if decimals is None else decimals, self.lang)
        if spec.endswith("g"):
            return fmt_short(value, 4 if decimals is None else decimals, self.lang)
        if spec.endswith("d") or (not spec and isinstance(value, int)):
            return fmt_num(value, 0, self.lang)
        return fmt_num(value, 2 if decimals is None else decimals, self.lang)


def say(code: str, lang: str | None = None, **values: Any) -> str:
    """The catalog's sentence for `code` in `lang`, with `values` filled in (numbers formatted for `lang`).

    A code missing from the catalog is an error in riset, not in the user's data.

    >>> say("rows_blank_excluded", "id", n=1234, columns="U3")
    '1.234 responden dengan nilai kosong pada U3 tidak dihitung (na_rm).'
    """
    lang = check_language(lang)
    template = catalog(lang).get(code)
    if template is None:
        raise RisetError(f"riset has no {lang} text for {code!r} (riset/i18n/{lang}/); please report this")
    return _Values(lang).format(template, **values)


@dataclass(frozen=True)
class Note:
    """Something a computation did or assumed, as a catalog code with its values (never a sentence).

    ``str(note)`` renders it in the current language; ``note.text("en")`` in English.

    >>> Note("rows_blank_excluded", {"n": 2, "columns": "y"}).text("en")
    '2 respondents with a blank in y were left out (na_rm).'
    """

    code: str
    values: dict = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        return say(self.code, lang, **self.values)

    def __str__(self) -> str:
        return self.text()


def fmt_num(value, decimals: int = 2, lang: str | None = None, grouping: bool = True) -> str:
    """Format a number for people: Indonesian '82,45' / '1.234' (decimal comma), English '82.45' / '1,234'.

    Missing values print as an en dash. `grouping=False` leaves out the thousands separator (years: '2025,5').

    Negative numbers carry a real minus sign (U+2212), which does not break a line.

    >>> fmt_num(1234567.891, 1), fmt_num(float("nan")), fmt_num(-1.5), fmt_num(2025.5, 1, grouping=False)
    ('1.234.567,9', '–', '−1,50', '2025,5')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{float(value):{',' if grouping else ''}.{decimals}f}".replace("-", "\u2212")
    if check_language(lang) == "id":
        text = text.translate(_ID_DIGITS)
    return text


_ID_DIGITS = str.maketrans({",": ".", ".": ","})


def fmt_short(value, decimals: int = 4, lang: str | None = None) -> str:
    """A number for people with at most `decimals` decimals and no trailing zeros: '0,05', '95', '3,841'.

    >>> fmt_short(0.05), fmt_short(95.0, 1), fmt_short(2.70554, 3, "en"), fmt_short(1500, 0)
    ('0,05', '95', '2.706', '1.500')
    """
    text = fmt_num(value, decimals, lang)
    if decimals <= 0 or text == "–":
        return text
    point = "," if check_language(lang) == "id" else "."
    return text.rstrip("0").rstrip(point)


def fmt_signed(value, decimals: int = 2, lang: str | None = None) -> str:
    """A change for people, always with its sign: '+1,23', '−0,45', '0,00'.

    >>> fmt_signed(1.234), fmt_signed(-0.45, lang="en")
    ('+1,23', '−0.45')
    """
    return ("+" if value is not None and float(value) > 0 else "") + fmt_num(value, decimals, lang)


def fmt_ci(low, high, decimals: int = 2, lang: str | None = None) -> str:
    """A confidence interval for people: '80,12–84,77' (id) or '80.12–84.77' (en); with a negative limit the
    dash would read as a minus, so the limits are joined by words: '−4,64 s.d. −2,95' / '−4.64 to −2.95'.

    >>> fmt_ci(80.123, 84.771), fmt_ci(-4.64, 2.5), fmt_ci(-4.64, -2.95, lang="en")
    ('80,12–84,77', '−4,64 s.d. 2,50', '−4.64 to −2.95')
    """
    joint = "–" if not (low is not None and float(low) < 0) else (" s.d. " if check_language(lang) == "id" else " to ")
    return f"{fmt_num(low, decimals, lang)}{joint}{fmt_num(high, decimals, lang)}"


def fmt_pct(share, decimals: int = 1, lang: str | None = None) -> str:
    """A share (0-1) as a percentage for people: 0.1234 -> '12,3%'.

    >>> fmt_pct(0.1234)
    '12,3%'
    """
    return f"{fmt_num(100 * float(share), decimals, lang)}%"


def fmt_p(p, lang: str | None = None, equation: bool = False) -> str:
    """A p-value for people: '0,012', and '< 0,001' below one in a thousand (never 'p = < 0,001'); with
    `equation`, the whole statement: 'p = 0,012' or 'p < 0,001'.

    >>> fmt_p(0.01234), fmt_p(0.00001, "en"), fmt_p(0.01234, equation=True), fmt_p(0.00001, "en", equation=True)
    ('0,012', '< 0.001', 'p = 0,012', 'p < 0.001')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = –" if equation else "–"
    text = f"< {fmt_num(0.001, 3, lang)}" if p < 0.001 else fmt_num(p, 3, lang)
    return ("p " if p < 0.001 else "p = ") + text if equation else text
