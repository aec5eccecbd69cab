"""ipywidgets dashboards and calculators; each widget calls the library only and exposes its callback for tests."""

from riset.present.widgets.dasbor import Dasbor, dasbor  # noqa: F401
from riset.present.widgets.faktor import Faktor, faktor  # noqa: F401
from riset.present.widgets.pembobotan import Pembobotan, pembobotan  # noqa: F401
from riset.present.widgets.sampel import UkuranSampel, ukuran_sampel  # noqa: F401

__all__ = ["Dasbor", "dasbor", "Faktor", "faktor", "Pembobotan", "pembobotan", "ukuran_sampel",
           "UkuranSampel"]
