"""Key-driver explorer (ipywidgets): choose a unit and the importance source, see the IPA grid, CSI and the
recommendations for that unit.

Nothing is computed here: `Faktor.compute(unit, sumber)` calls `riset.ipa.ipa` / `riset.skm.ipa.csi` with
stated importance (P1..P9) or derived importance from `riset.skm.drivers` (`riset.skm.ipa.derived_importance`),
draws with `riset.present.charts.ipa_diagram` and filters the recommendations of `riset.skm.recommend`.
`Faktor.update()` is the callback the controls trigger, exposed so tests can set values and read outputs.

Derived importance comes from the drivers of the whole data set (one regression; a unit has too few
complete answers for a stable 9-predictor decomposition), combined with the selected unit's performance.

Example
-------
>>> from riset.present.widgets.faktor import faktor                                   # doctest: +SKIP
>>> f = faktor(data, cb.unsur_map(), cb.unsur_map("importance"), drivers=ri)  # doctest: +SKIP
>>> f.controls["unit"].value = "RSUD-RJ"; f.controls["sumber"].value = "lmg"  # doctest: +SKIP
>>> f.ipa_result.table                                                        # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import Mapping

import ipywidgets as w
import pandas as pd

from riset.present import charts
from riset.skm.drivers import DriverImportance, correlation_importance, design_frame
from riset.errors import RisetError
from riset.skm.ipa import CsiResult, IpaResult, csi, derived_importance, ipa
from riset.i18n import check_language, fmt_num, fmt_pct, label
from riset.present.widgets.dasbor import png

__all__ = ["Faktor", "faktor"]

_SOURCES = ("dinyatakan", "lmg", "johnson", "korelasi")


class Faktor:
    """The explorer: `controls` ('unit', 'sumber'), outputs (`table`, `ipa_image`, `csi_card`,
    `recommendations`, `status`), the last `ipa_result` / `csi_result`, and `widget` to display."""

    def __init__(self, data, unsur: Mapping[str, str], kepentingan: Mapping[str, str],
                 overall: str = "K1", weights: str | None = None, by: str = "unit",
                 drivers: DriverImportance | None = None, recommendations=None, lang: str | None = None):
        data, weights = design_frame(data, weights)
        self.data, self.unsur, self.kepentingan = data, dict(unsur), dict(kepentingan)
        self.weights, self.by, self.lang = weights, by, check_language(lang)
        self.drivers = drivers
        self.correlations = correlation_importance(data, overall, self.unsur, weights=weights)
        self.recs = recommendations
        self.ipa_result: IpaResult | None = None
        self.csi_result: CsiResult | None = None
        everything = label("semua", self.lang)
        units = sorted(data[by].dropna().unique())
        held = drivers.methods if drivers is not None else ()
        sources = [k for k in _SOURCES if k in held or k not in ("lmg", "johnson")]
        self.controls = {
            "unit": w.Dropdown(options=[(everything, None)] + [(str(u), u) for u in units],
                               description=label("unit", self.lang)),
            "sumber": w.ToggleButtons(options=[(label(f"sumber_{k}", self.lang), k) for k in sources],
                                      description=label("kepentingan_pendek", self.lang)),
        }
        self.table, self.csi_card, self.recommendations, self.status = w.HTML(), w.HTML(), w.HTML(), w.HTML()
        self.ipa_image = w.Image(format="png", layout=w.Layout(max_width="640px"))
        for control in self.controls.values():
            control.observe(lambda change: self.update(), names="value")
        self.widget = w.VBox([w.HBox(list(self.controls.values())), self.status, self.csi_card, self.ipa_image,
                              self.table, self.recommendations])
        self.update()

    def compute(self, unit=None, sumber: str = "dinyatakan") -> tuple[IpaResult, CsiResult | None, pd.DataFrame]:
        """IPA, CSI (None when the importance cannot weight a CSI, e.g. negative correlations) and the
        recommendations of one unit (None = all respondents) with one importance source."""
        part = self.data if unit is None else self.data[self.data[self.by] == unit]
        if sumber == "dinyatakan":
            kep = self.kepentingan
        elif sumber == "korelasi":
            kep = derived_importance(self.correlations, "korelasi")
        else:
            if self.drivers is None:
                raise RisetError(f"importance source '{sumber}' needs the drivers (riset.skm.drivers.relative_importance)")
            kep = derived_importance(self.drivers, sumber)
        result = ipa(part, self.unsur, kep, weights=self.weights, lang=self.lang)
        try:
            index = csi(result, lang=self.lang)
        except RisetError:
            index = None
        recs = pd.DataFrame()
        if self.recs is not None:
            table = getattr(self.recs, "table", self.recs)
            recs = table if unit is None else table[table[self.by] == unit]
        return result, index, recs.reset_index(drop=True)

    def update(self) -> IpaResult | None:
        """Recompute for the current control values and refresh every output."""
        try:
            self.ipa_result, self.csi_result, recs = self.compute(self.controls["unit"].value,
                                                                  self.controls["sumber"].value)
        except RisetError as err:
            self.status.value = f"<span style='color:#b00'>{html.escape(str(err))}</span>"
            return None
        self.status.value = "".join(f"<p><i>{html.escape(n.text(self.lang))}</i></p>" for n in self.ipa_result.notes)
        shown = self.ipa_result.table[["kode", "nama", "kinerja", "kepentingan", "tingkat_kesesuaian", "kuadran_label"]]
        self.table.value = shown.to_html(index=False, float_format=lambda v: fmt_num(v, 2, self.lang), na_rep="–")
        if self.csi_result is not None:
            value = self.csi_result.index.iloc[0]
            self.csi_card.value = (f"<h3>CSI {fmt_pct(value['csi'], 2, self.lang)} — "
                                   f"{html.escape(value['kategori'])}</h3>")
        else:
            self.csi_card.value = ""
        fig = charts.ipa_diagram(self.ipa_result.table, lang=self.lang, x_line=self.ipa_result.garis_kinerja,
                                 y_line=self.ipa_result.garis_kepentingan)
        self.ipa_image.value = png(fig)
        self.recommendations.value = "".join(
            f"<p><b>{r.prioritas}. {html.escape(str(r.nama))} — {html.escape(str(getattr(r, self.by)))}</b>: "
            f"{html.escape(r.alasan)} {html.escape(r.dampak)}</p>" for r in recs.head(5).itertuples()
        ) if not recs.empty else ""
        return self.ipa_result


def faktor(data, unsur: Mapping[str, str], kepentingan: Mapping[str, str], overall: str = "K1",
           weights: str | None = None, by: str = "unit", drivers: DriverImportance | None = None,
           recommendations=None, lang: str | None = None) -> Faktor:
    """Build the key-driver explorer; display `.widget` in a notebook (see `Faktor`).

    `data`: the survey DataFrame with `weights` a column, or a design (its weights are used).

    IPA per Martilla & James (1977), CSI and derived importance per `riset.skm.ipa`, LMG/Johnson per
    `riset.skm.drivers` (Lindeman, Merenda & Gold 1980; Johnson 2000).
    """
    return Faktor(data, unsur, kepentingan, overall=overall, weights=weights, by=by, drivers=drivers,
                  recommendations=recommendations, lang=lang)
