"""The laporan as one self-contained HTML file: charts inlined as base64 PNG, no external URL (opens offline,
can be e-mailed). Text from the document model is escaped by Jinja's autoescape, so names from the data are
shown as written and never run as markup.
"""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape

from riset.present.report.document import Bullets, Callout, Figure, Laporan, Table

__all__ = ["render_html"]

#: Accent and mutu colours of the page (the charts use the same).
THEME = {"accent": "#253494", "mutu": {"A": "#1a9850", "B": "#66bd63", "C": "#fdae61", "D": "#d73027"}}


def _kind(block) -> str:
    for cls, name in ((Figure, "figure"), (Table, "table"), (Callout, "callout"), (Bullets, "bullets")):
        if isinstance(block, cls):
            return name
    return "paragraph"


def render_html(doc: Laporan) -> str:
    """The HTML report as one string (template ``templates/laporan.html.j2``)."""
    env = Environment(loader=PackageLoader("riset.present.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    logo = "data:image/png;base64," + base64.b64encode(doc.cover.logo).decode("ascii") if doc.cover.logo else None
    return env.get_template("laporan.html.j2").render(doc=doc, kind=_kind, theme=THEME, logo=logo)
