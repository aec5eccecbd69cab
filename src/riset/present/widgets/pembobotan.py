"""Weighting explorer (ipywidgets): choose population margins, the method (post-stratification, raking,
calibration linear / raking / logit with bounds) and trimming; see the weight diagnostics.

Given a `recipe` (the study file's weighting, `riset.study.run.weighting_recipe`), the explorer starts from it,
so the weights first shown are the weights the report uses (`riset.study.run_study`); "Atur sendiri" opens
the other choices. The recipe is offered when the population table and the data have its columns, else
the explorer starts from raking to every single margin.

Nothing is computed here: `Pembobotan.update()` calls `riset.survey.weighting.weight_to_population` and draws
`riset.present.charts.weighting_effect`; it is the callback of the "Hitung" button, exposed so tests (and
reviewers without a browser) can set control values and read `run`, `status`, `summary`, `margins`.

Example
-------
>>> from riset.present.widgets.pembobotan import pembobotan                         # doctest: +SKIP
>>> pb = pembobotan(design, penduduk, recipe=weighting_recipe(config))   # doctest: +SKIP
>>> pb.inputs()["scale"]               # the study's recipe                    # doctest: +SKIP
>>> pb.controls["margin"].value = (("kecamatan",), ("jenis_kelamin", "kelompok_umur"))  # doctest: +SKIP
>>> pb.controls["metode"].value = "logit"; pb.update().diagnostics.distribution  # doctest: +SKIP
"""

from __future__ import annotations

import html
from itertools import combinations
from pathlib import Path

import ipywidgets as w
import pandas as pd

from riset.present import charts
from riset.errors import RisetError
from riset.skm.exports import write_table
from riset.i18n import check_language, fmt_num
from riset.survey.weighting import METHODS, WeightingRun, method_name, weight_to_population
from riset.present.widgets.dasbor import png

__all__ = ["Pembobotan", "margin_options", "pembobotan"]

#: The arguments of `weight_to_population` a recipe may set (the rest are the widget's defaults).
RECIPE_KEYS = ("margins", "method", "scale", "keep_totals", "bounds", "trim_ratio", "collapse_min_n")
RECIPE_LABEL = "Seperti studi (berkas studi): bobot yang sama dengan bobot laporan"

_STYLE = {"description_width": "200px"}
_LAYOUT = w.Layout(width="480px")
_SUMMARY = {"tahap": "Tahap", "kelompok": "Kelompok", "n": "n", "min": "Min", "maks": "Maks", "rata_rata": "Rata-rata",
            "cv": "KV", "rasio_maks_min": "Maks/min", "deff_kish": "Deff Kish", "n_efektif": "n efektif"}


def margin_options(population: pd.DataFrame, count: str = "jumlah") -> list[tuple[str, tuple[str, ...]]]:
    """(label, columns) for every single category column of the population table and every cross of them."""
    columns = [c for c in population.columns if c != count]
    return [(" × ".join(combo), combo) for k in range(1, len(columns) + 1) for combo in combinations(columns, k)]


def _recipe_fits(recipe, design, options: list) -> bool:
    """The study's recipe can run here: its margins are among the options and its columns are in the data."""
    if not recipe:
        return False
    values = [o[1] for o in options]
    margins = [tuple(m) for m in recipe["margins"]]
    columns = {c for m in margins for c in m} | set(recipe.get("keep_totals") or ())
    return all(m in values for m in margins) and columns <= set(design.data.columns)


def _scale_options(design, population: pd.DataFrame, count: str) -> list[tuple[str, object]]:
    within = [c for c in population.columns if c != count and c in design.data.columns]
    return [("Komposisi seluruh wilayah (skala ke total bobot desain)", True),
            *[(f"Komposisi per {c} (skala ke total bobot desain tiap {c})", c) for c in within],
            ("Jumlah penduduk apa adanya (tanpa skala)", False)]


def _keep_options(design, recipe) -> list[tuple[str, tuple[str, ...]]]:
    strata = design.spec.get("strata")
    strata = (strata,) if isinstance(strata, str) else tuple(strata or ())
    keep = [("Tidak ada", ())]
    for cols in dict.fromkeys(c for c in (strata, tuple((recipe or {}).get("keep_totals") or ()))
                              if c and set(c) <= set(design.data.columns)):
        keep.append((f"Total kunjungan (bobot desain) per {' × '.join(cols)}", cols))
    return keep


class Pembobotan:
    """The explorer: `controls` (name -> widget), outputs (`status`, `summary`, `margins`, `chart`), the last
    `run` (a `WeightingRun`, None after an input error) and `widget` to display. `controls["resep"]` is
    "laporan" (the study's recipe, the default where it fits) or "atur" (own choice); changing any other
    control switches it to "atur"."""

    def __init__(self, design, population: pd.DataFrame, *, recipe: dict | None = None, count: str = "jumlah",
                 by: str | None = None, id_column: str | None = None, out_dir: str | Path = "data/processed",
                 lang: str | None = None):
        recipe = dict(recipe or {})
        count = recipe.pop("count", count)
        unknown = sorted(set(recipe) - set(RECIPE_KEYS))
        if unknown:
            raise RisetError(f"recipe has no key {unknown[0]!r}; keys: {', '.join(RECIPE_KEYS)}")
        self.design, self.population, self.count, self.by = design, population, count, by
        self.id_column, self.out_dir, self.lang = id_column, Path(out_dir), check_language(lang)
        self.run: WeightingRun | None = None
        options = margin_options(population, count)
        self.recipe = recipe if _recipe_fits(recipe, design, options) else {}
        recipes = ([(RECIPE_LABEL, "laporan")] if self.recipe else []) + \
            [("Atur sendiri (margin, skala, metode, batas, pemangkasan di bawah)", "atur")]
        default = tuple(o[1] for o in options if len(o[1]) == 1)
        c = self.controls = {
            "resep": w.Dropdown(description="Resep", options=recipes, value=recipes[0][1]),
            "margin": w.SelectMultiple(description="Margin penduduk", options=options, value=default, rows=6),
            "skala": w.Dropdown(description="Yang disamakan", options=_scale_options(design, population, count),
                                value=True),
            "pertahankan": w.Dropdown(description="Pertahankan", options=_keep_options(design, self.recipe), value=()),
            "metode": w.Dropdown(description="Metode", options=[(method_name(m, self.lang), m) for m in METHODS],
                                 value="rake"),
            "pakai_batas": w.Checkbox(description="Batasi rasio bobot baru/lama (g)", value=False),
            "batas": w.FloatRangeSlider(description="Batas g (bawah, atas)", min=0.05, max=6.0, step=0.05,
                                        value=(0.5, 2.0)),
            "gabung_min": w.BoundedIntText(description="Gabungkan sel dengan responden <", value=0, min=0, max=1000),
            "pangkas": w.Checkbox(description="Pangkas bobot ekstrem", value=False),
            "rasio_pangkas": w.BoundedFloatText(description="Batas pangkas (k x rata-rata)", value=5.0, min=1.01,
                                                max=100, step=0.5),
            "ketat": w.Checkbox(description="Pangkas berulang sampai tak ada yang lewat batas", value=False),
        }
        for control in c.values():
            control.style = _STYLE
            control.layout = _LAYOUT
        self._applying = False
        c["resep"].observe(self._recipe_changed, names="value")
        for name, control in c.items():
            if name != "resep":
                control.observe(self._own_choice, names="value")
        c["metode"].observe(self._method_changed, names="value")
        if c["resep"].value == "laporan":
            self._apply_recipe()
        self.button = w.Button(description="Hitung", button_style="primary")
        self.button.on_click(lambda _b: self.update())
        self.save_button = w.Button(description="Simpan bobot (CSV)")
        self.save_button.on_click(lambda _b: self.save())
        self.status, self.summary, self.margins = w.HTML(), w.HTML(), w.HTML()
        self.chart = w.Image(format="png")
        self.widget = w.VBox([w.HTML("<b>Pembobotan: bobot desain → bobot terkalibrasi</b>"), *c.values(),
                              w.HBox([self.button, self.save_button]), self.status, self.summary, self.chart,
                              self.margins])
        self.update()

    def _apply_recipe(self) -> None:
        """Set the controls to the study's recipe."""
        c, r, self._applying = self.controls, self.recipe, True
        try:
            c["margin"].value = tuple(tuple(m) for m in r["margins"])
            c["skala"].value = r.get("scale", True)
            c["pertahankan"].value = tuple(r.get("keep_totals") or ())
            c["metode"].value = r.get("method", "rake")
            c["pakai_batas"].value = r.get("bounds") is not None
            if r.get("bounds") is not None:
                c["batas"].value = tuple(r["bounds"])
            c["pangkas"].value = r.get("trim_ratio") is not None
            if r.get("trim_ratio") is not None:
                c["rasio_pangkas"].value = r["trim_ratio"]
            c["gabung_min"].value = r.get("collapse_min_n") or 0
        finally:
            self._applying = False

    def _recipe_changed(self, change) -> None:
        if change["new"] == "laporan":
            self._apply_recipe()

    def _own_choice(self, _change) -> None:
        if not self._applying:
            self.controls["resep"].value = "atur"

    def _method_changed(self, change) -> None:
        if change["new"] == "logit":
            self.controls["pakai_batas"].value = True  # logit calibration needs finite bounds

    def inputs(self) -> dict:
        """The arguments `update` passes to `riset.survey.weighting.weight_to_population`."""
        c = self.controls
        return {
            "margins": [list(m) for m in c["margin"].value],
            "method": c["metode"].value,
            "keep_totals": list(c["pertahankan"].value) or None,
            "bounds": tuple(c["batas"].value) if c["pakai_batas"].value else None,
            "trim_ratio": c["rasio_pangkas"].value if c["pangkas"].value else None,
            "strict": c["ketat"].value,
            "scale": c["skala"].value,
            "collapse_min_n": c["gabung_min"].value or None,
        }

    def update(self) -> WeightingRun | None:
        """Recompute from the current control values; show diagnostics, or the input error in `status`."""
        try:
            self.run = weight_to_population(self.design, self.population, count=self.count, by=self.by,
                                            **self.inputs())
        except RisetError as err:
            self.run = None
            self.status.value = f"<p style='color:#b00020'>Belum dapat dihitung: {html.escape(str(err))}</p>"
            self.summary.value = self.margins.value = ""
            self.chart.value = b""
            return None
        diag = self.run.diagnostics
        notes = "".join(f"<li>{html.escape(n.text(self.lang))}</li>" for n in self.run.notes)
        same = (" — bobot yang sama dengan bobot laporan (riset.study.run_study)"
                if self.controls["resep"].value == "laporan" else "")
        method = method_name(self.controls["metode"].value, self.lang)
        self.status.value = f"<p><b>{html.escape(method)}</b> selesai{same}.</p><ul>{notes}</ul>"
        self.summary.value = "<p><b>Sebaran bobot</b></p>" + _table(diag.distribution[list(_SUMMARY)].rename(columns=_SUMMARY), self.lang)
        view = diag.margins.rename(columns={"margin": "Margin", "kategori": "Kategori", "populasi": "Populasi",
                                            "desain": "Bobot desain", "akhir": "Bobot akhir",
                                            "selisih_persen_desain": "Selisih % (desain)",
                                            "selisih_persen_akhir": "Selisih % (akhir)"})
        self.margins.value = "<p><b>Margin: populasi vs sampel berbobot</b></p>" + _table(view, self.lang)
        # the kept visit totals are not a population composition: the chart shows the population margins only
        kept = " x ".join(self.controls["pertahankan"].value)
        shares = diag.shares[diag.shares["variabel"] != kept]
        self.chart.value = png(charts.weighting_effect(diag.weights, shares, lang=self.lang))
        return self.run

    def save(self) -> Path | None:
        """Write the design and final weights per respondent to `out_dir`/bobot_kalibrasi.csv."""
        if self.run is None:
            return None
        path = write_table(self.run.weights_frame(self.id_column), self.out_dir / "bobot_kalibrasi.csv")
        self.status.value += f"<p>Bobot disimpan ke {html.escape(str(path))}</p>"
        return path

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _table(frame: pd.DataFrame, lang: str) -> str:
    shown = frame.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: fmt_num(v, 2, lang))
    return shown.to_html(index=False, border=0)


def pembobotan(design, population: pd.DataFrame, *, recipe: dict | None = None, count: str = "jumlah",
               by: str | None = None, id_column: str | None = None, out_dir: str | Path = "data/processed",
               lang: str | None = None) -> Pembobotan:
    """Build the weighting explorer on a design and a population table (one row per cell, counts in
    `count`), starting from `recipe` (the study's weighting) where given; display `.widget` in a notebook."""
    return Pembobotan(design, population, recipe=recipe, count=count, by=by, id_column=id_column, out_dir=out_dir,
                      lang=lang)
