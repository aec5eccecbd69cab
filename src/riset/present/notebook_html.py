"""An executed notebook as one self-contained HTML page, its widgets included, that reads without internet.

nbconvert's HTML loads require.js, MathJax and the Jupyter widget renderer from CDNs, so offline the controls
of a notebook (and the charts and tables they show) stay empty. `export_html` uses nbconvert's ``lab`` page
with nothing fetched (template ``offline/notebook.html.j2``): when the notebook shows widgets, the widget state
the execution saved (``metadata.widgets``, ``application/vnd.jupyter.widget-state+json``; nbclient's
``store_widget_state``) is rendered by the standard widget renderer of ipywidgets 8
(``@jupyter-widgets/html-manager``'s ``embed.js``, kept in ``offline/`` with the icon font of its buttons),
written into the page itself.
The controls show the state they had at the end of the run; without a kernel, moving them changes nothing.

>>> export_html("hasil/notebooks/03_ikm.ipynb")                     # doctest: +SKIP
PosixPath('hasil/notebooks/03_ikm.html')
"""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from riset.errors import RisetError

__all__ = ["WIDGET_STATE", "WIDGET_VIEW", "export_html", "shows_widgets"]

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_OFFLINE = Path(__file__).resolve().parent / "offline"
_RENDERER = _OFFLINE / "jupyter-widgets-embed.js"
_ICON_FONT = _OFFLINE / "fa-solid-900.woff2"


def shows_widgets(notebook: nbformat.NotebookNode) -> bool:
    """Whether a cell output displays a widget whose state the notebook saved."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    views = (output.get("data", {}).get(WIDGET_VIEW, {}).get("model_id")
             for cell in notebook.cells for output in cell.get("outputs", []))
    return any(model in state for model in views)


def export_html(notebook: str | Path, target: str | Path | None = None) -> Path:
    """Write the executed `notebook` as a self-contained HTML page (default: beside it, ``.html``)."""
    source = Path(notebook)
    target = Path(target) if target is not None else source.with_suffix(".html")
    node = nbformat.read(source, as_version=4)
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(_OFFLINE)],
                            template_file="notebook.html.j2")
    resources = {"metadata": {"name": source.stem}}
    if shows_widgets(node):
        # a "</script" inside the renderer would end its script element early
        resources["widget_embed_js"] = _RENDERER.read_text(encoding="utf-8").replace("</script", "<\\/script")
        resources["widget_icon_font"] = base64.b64encode(_ICON_FONT.read_bytes()).decode("ascii")
    body, _ = exporter.from_notebook_node(node, resources=resources)
    try:
        target.write_text(body, encoding="utf-8")
    except OSError as err:
        raise RisetError(f"cannot write '{target}': {err.strerror}") from None
    return target
