"""Sample size calculator (ipywidgets): method, N or a table of units, margin, confidence, P or SD, deff,
response rate -> n per unit, the total and the assumptions, with Indonesian labels.

The widget computes nothing itself: every number comes from `riset.survey.sampling.sample_size`.
`UkuranSampel.update()` is the callback the controls trigger; it returns the
`SampleSizeResult` and is exposed so tests (and reviewers without a browser) can set control values
and read the outputs (`result`, `output.value`).

Example
-------
>>> from riset.present.widgets import ukuran_sampel
>>> calc = ukuran_sampel()
>>> calc.controls["N"].value = 1000
>>> calc.result.total
278
>>> calc.controls["metode"].value = "cochran_mean"
>>> calc.controls["sd"].value, calc.controls["margin"].value = 10.0, "2"   # margin typed as text ("2,5" too)
>>> calc.result.total
88

In a notebook, show it with ``calc.widget`` (or just ``calc``):

>>> calc.widget                     # doctest: +SKIP
"""

from __future__ import annotations

import html
import re

import ipywidgets as w
import pandas as pd

from riset.errors import RisetError
from riset.i18n import fmt_num, fmt_short
from riset.survey.sampling import METHODS, SampleSizeResult, method_name, sample_size

__all__ = ["DEFAULT_MARGIN", "DEFAULT_SD", "ukuran_sampel", "UkuranSampel"]

#: Default margin per kind of method: a proportion, or IKM points on each scale.
DEFAULT_MARGIN = {"proporsi": 0.05, "konversi": 2.5, "asli": 0.1}
DEFAULT_SD = {"konversi": 10.0, "asli": 0.4}
_STYLE = {"description_width": "190px"}
_LAYOUT = w.Layout(width="420px")
_SHOWN = ("unit", "nama_unit", "periode")


class UkuranSampel:
    """The calculator: `controls` (name -> widget), `output` (HTML table, total and assumptions),
    the last `result` (a `SampleSizeResult`, None after an input error) and `widget` to display."""

    def __init__(self, units: pd.DataFrame | None = None, population_column: str = "pengguna_per_periode"):
        self.units = units
        self.population_column = population_column
        self.result: SampleSizeResult | None = None
        c = self.controls = {
            "metode": w.Dropdown(description="Metode", options=[(method_name(m, "id"), m) for m in METHODS],
                                 value="krejcie_morgan"),
            "pakai_tabel": w.Checkbox(description="Pakai tabel unit layanan (N per unit)", value=units is not None,
                                      disabled=units is None),
            "N": w.IntText(description="Jumlah populasi (N)", value=1000),
            # text, not a number box: a browser in the Indonesian locale turns "0,07" typed in a number box into 7
            "margin": w.Text(description="Batas galat (d, proporsi)", value=_shown(DEFAULT_MARGIN["proporsi"])),
            "kepercayaan": w.Dropdown(description="Tingkat kepercayaan",
                                      options=[("90%", 0.90), ("95%", 0.95), ("99%", 0.99)], value=0.95),
            "p": w.BoundedFloatText(description="Proporsi (P)", value=0.5, min=0.01, max=0.99, step=0.05),
            "sd": w.FloatText(description="Simpangan baku skor IKM (SD)", value=DEFAULT_SD["konversi"], step=0.5),
            "skala": w.Dropdown(description="Skala margin dan SD",
                                options=[("konversi 25-100", "konversi"), ("asli 1-4", "asli")], value="konversi"),
            "deff": w.BoundedFloatText(description="Efek desain (deff)", value=1.0, min=0.1, max=10, step=0.1),
            "respons": w.BoundedFloatText(description="Tingkat respons (0-1)", value=1.0, min=0.05, max=1, step=0.05),
            "pembulatan": w.Dropdown(description="Pembulatan",
                                     options=[("bawaan (K&M: terdekat seperti tabel; lainnya: ke atas)", "bawaan"),
                                              ("ke atas", "up"), ("ke terdekat", "nearest")],
                                     value="bawaan"),
        }
        for control in c.values():
            control.style = _STYLE
            control.layout = _LAYOUT
        self.output = w.HTML()
        c["metode"].observe(self._method_changed, names="value")
        c["skala"].observe(self._scale_changed, names="value")
        c["N"].observe(self._own_n, names="value")
        for control in c.values():
            control.observe(lambda _change: self.update(), names="value")
        self._method_changed(None)
        self.widget = w.VBox([w.HTML("<b>Kalkulator ukuran sampel SKM</b>"), *c.values(), self.output])
        self.update()

    def _method_changed(self, _change) -> None:
        method = self.controls["metode"].value
        mean = method == "cochran_mean"
        c = self.controls
        c["p"].disabled = method in ("slovin", "cochran_mean", "krejcie_morgan_table")
        c["sd"].disabled = c["skala"].disabled = not mean
        c["kepercayaan"].disabled = method in ("slovin", "krejcie_morgan_table")
        c["margin"].disabled = c["deff"].disabled = method == "krejcie_morgan_table"
        c["pembulatan"].disabled = method == "krejcie_morgan_table"
        c["margin"].description = "Batas galat (poin IKM)" if mean else "Batas galat (d, proporsi)"
        c["margin"].value = _shown(DEFAULT_MARGIN[c["skala"].value if mean else "proporsi"])
        if method == "krejcie_morgan_table":
            c["kepercayaan"].value, c["p"].value, c["deff"].value = 0.95, 0.5, 1.0

    def _scale_changed(self, change) -> None:
        self.controls["sd"].value = DEFAULT_SD[change["new"]]
        if self.controls["metode"].value == "cochran_mean":
            self.controls["margin"].value = _shown(DEFAULT_MARGIN[change["new"]])

    def _own_n(self, _change) -> None:
        """An N typed by the user is used: the unit table is switched off."""
        if self.units is not None and self.controls["pakai_tabel"].value:
            self.controls["pakai_tabel"].value = False

    def inputs(self) -> dict:
        """The arguments `update` passes to `riset.survey.sampling.sample_size`."""
        c = self.controls
        method = c["metode"].value
        args = {"method": method, "response_rate": c["respons"].value}
        if method != "krejcie_morgan_table":
            rounding = None if c["pembulatan"].value == "bawaan" else c["pembulatan"].value
            args |= {"margin": _number(c["margin"].value, "Batas galat"), "deff": c["deff"].value, "rounding": rounding}
        if method in ("krejcie_morgan", "cochran_proportion", "cochran_mean"):
            args["confidence"] = c["kepercayaan"].value
        if method in ("krejcie_morgan", "cochran_proportion"):
            args["p"] = c["p"].value
        if method == "cochran_mean":
            args |= {"sd": c["sd"].value, "scale": c["skala"].value}
        return args

    def update(self) -> SampleSizeResult | None:
        """Recompute from the current control values; show the table or the input error in `output`."""
        use_units = self.units is not None and self.controls["pakai_tabel"].value
        population = self.units if use_units else self.controls["N"].value
        try:
            self.result = sample_size(population, population_column=self.population_column, **self.inputs())
        except RisetError as err:
            self.result = None
            self.output.value = (f"<p style='color:#b00020'>Masukan belum dapat dihitung: "
                                 f"{html.escape(_in_words(str(err)))}</p>")
            return None
        self.output.value = self._render(self.result)
        return self.result

    def _render(self, result: SampleSizeResult) -> str:
        table = result.to_frame()
        shown = [c for c in _SHOWN if c in table.columns]
        population = self.population_column if self.population_column in table.columns else "N"
        view = table[shown + [population, "n_sampel", "n_kontak"]].rename(
            columns={population: "Populasi (N)", "n_sampel": "Sampel (n)", "n_kontak": "Dihubungi",
                     "unit": "Unit", "nama_unit": "Nama unit", "periode": "Periode"}
        )
        for col in ("Populasi (N)", "Sampel (n)", "Dihubungi"):
            view[col] = view[col].map(lambda v: fmt_num(v, 0, "id"))
        view["Sensus"] = table["sensus"].map({True: "ya", False: ""})
        items = "".join(f"<li>{html.escape(text)}</li>" for text in result.assumptions("id"))
        return (
            view.to_html(index=False, border=0)
            + f"<p><b>Total: {fmt_num(result.total, 0, 'id')} responden</b> "
            f"(dihubungi: {fmt_num(result.total_kontak, 0, 'id')})</p><p>Asumsi:</p><ul>{items}</ul>"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


#: The engine's argument names as the calculator's controls call them (for its messages).
_WORDS = {"margin": "Batas galat", "sd": "Simpangan baku", "deff": "Efek desain", "response_rate": "Tingkat respons",
          "confidence": "Tingkat kepercayaan", "p": "Proporsi"}


def _in_words(message: str) -> str:
    """An engine message with `name=value` written as the control's label and the value ('sd=60.0' ->
    'Simpangan baku 60')."""
    def words(match):
        value = match.group(2)
        number = float(value) if value.replace(".", "", 1).lstrip("-").isdigit() else None
        return f"{_WORDS[match.group(1)]} {fmt_short(number, 2, 'id') if number is not None else value}"
    return re.sub(r"\b(" + "|".join(_WORDS) + r")=([-\w.]+)", words, message)


def _shown(value: float) -> str:
    return fmt_short(value, 3, "id")


def _number(text: str, name: str) -> float:
    """A number typed with a decimal comma or point ('0,07' or '0.07')."""
    try:
        return float(str(text).strip().replace(",", "."))
    except ValueError:
        raise RisetError(f"{name}: '{text}' bukan angka (tulis misalnya 0,05)") from None


def ukuran_sampel(units: pd.DataFrame | None = None, population_column: str = "pengguna_per_periode") -> UkuranSampel:
    """Build the sample size calculator; with `units` (one row per unit layanan, N in `population_column`)
    it sizes every unit and gives the total. Display `.widget` (or the returned object) in a notebook."""
    return UkuranSampel(units, population_column)
