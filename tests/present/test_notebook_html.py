"""An executed notebook as HTML that reads offline (issue 19): the widget state the execution saved is in the
page, the widget renderer is written into it, no script comes from the network, and Chromium with no network
draws the controls and what they show."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from riset.present.notebook_html import WIDGET_STATE, export_html, shows_widgets

RENDERER = Path(__file__).resolve().parents[2] / "src" / "riset" / "present" / "offline" / "jupyter-widgets-embed.js"

SLIDER = """import ipywidgets as w
slider = w.IntSlider(value=7, min=1, max=10, description="Jumlah unit")
choice = w.Dropdown(options=["Puskesmas Mawar", "Puskesmas Melati"], value="Puskesmas Melati", description="Unit")
w.VBox([slider, choice, w.HTML("<b id='keluaran'>IKM 81,25</b>")])"""


def _executed(tmp_path, *sources) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    nbformat.write(notebook, tmp_path / "01_uji.ipynb")
    return notebook


def _script_sources(html: str) -> list[str]:
    return re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, flags=re.I)


@pytest.fixture(scope="module")
def with_widgets(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb")
    notebook = _executed(folder, SLIDER)
    return notebook, export_html(folder / "01_uji.ipynb")


def test_the_page_holds_the_widget_state_and_the_renderer_and_loads_nothing(with_widgets):
    notebook, page = with_widgets
    assert page.name == "01_uji.html" and shows_widgets(notebook)
    html = page.read_text(encoding="utf-8")
    assert not [s for s in _script_sources(html) if re.match(r"(https?:)?//", s)], _script_sources(html)
    state = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">(.*?)</script>', html, flags=re.S).group(1)
    assert '"IntSliderModel"' in state and '"Jumlah unit"' in state and '"Puskesmas Melati"' in state
    assert RENDERER.read_text(encoding="utf-8")[:5000] in html  # the renderer, written into the page
    assert "unpkg.com/@jupyter-widgets" not in html and "require.min.js" not in html


def test_a_notebook_without_widgets_gets_no_renderer(tmp_path):
    notebook = _executed(tmp_path, "print('IKM', 81.25)")
    html = export_html(tmp_path / "01_uji.ipynb", tmp_path / "halaman.html").read_text(encoding="utf-8")
    assert not shows_widgets(notebook) and "IKM 81.25" in html
    assert len(html) < 1_000_000 and not _script_sources(html)


def test_offline_chromium_draws_the_controls_and_their_output(with_widgets, offline_dom):
    dom = offline_dom(with_widgets[1])
    assert re.search(r'class="[^"]*widget-slider[^"]*"><label class="widget-label"[^>]*>Jumlah unit</label>', dom)
    assert re.search(r"<select[^>]*>.*Puskesmas Melati", dom, flags=re.S)
    assert re.search(r"<b id=\"keluaran\">IKM 81,25</b>", dom)
    assert "jupyter-widgets-disconnected" in dom  # drawn from the saved state, no kernel behind it
