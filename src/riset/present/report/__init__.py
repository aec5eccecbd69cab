"""The seminar package of an SKM study: the laporan (self-contained HTML, DOCX, PDF), the slides (PPTX), the
tables (XLSX) and a publication sheet per unit.

One call, ``write_report(results, out_dir)``, takes the `riset.study.StudyResults` (nothing is recomputed).
The laporan follows the usual structure of an SKM report (`riset.present.report.content`); charts are
rendered once (`riset.present.report.figures`) and embedded in every format.

Files are written to a temporary folder inside `out_dir` and moved into place only when every format has
been written, so a failure half-way never leaves a partial package next to an older complete one; the
folder is checked to be writable before anything is computed.

Example
-------
>>> from riset.study import run_study                                    # doctest: +SKIP
>>> from riset.present.report import write_report                        # doctest: +SKIP
>>> paths = write_report(run_study("data/raw/studi.yaml"), "hasil")      # doctest: +SKIP
>>> sorted(paths)                                                        # doctest: +SKIP
['html']
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Sequence

from riset.errors import RisetError
from riset.i18n import check_language
from riset.present.report.content import build_laporan
from riset.present.report.deck import write_deck
from riset.present.report.docx import write_docx
from riset.present.report.figures import render_figures
from riset.present.report.html import render_html
from riset.present.report.pdf import write_pdf
from riset.present.report.sheet import write_sheets
from riset.present.report.xlsx import write_xlsx

__all__ = ["FILE_NAMES", "FORMATS", "check_writable", "write_report"]

FORMATS: tuple[str, ...] = ("html", "docx", "pdf", "pptx", "xlsx", "lembar")
FILE_NAMES = {"html": "laporan_skm.html", "docx": "laporan_skm.docx", "pdf": "laporan_skm.pdf",
              "pptx": "paparan_skm.pptx", "xlsx": "tabel_skm.xlsx", "lembar": "lembar_publikasi"}


def check_writable(out_dir: str | Path) -> Path:
    """Create `out_dir` if needed and make sure files can be written there (one-line error otherwise)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".riset-check-"):
            pass
    except OSError as exc:
        raise RisetError(f"cannot write to the output folder '{out}': {exc.strerror or exc}") from None
    return out


def write_report(results, out_dir: str | Path = "hasil", lang: str | None = None,
                 formats: Sequence[str] = FORMATS) -> dict[str, Path]:
    """Write the seminar package of a `StudyResults` into `out_dir`; returns format -> path written.

    Everything is first written into a temporary folder in `out_dir` and moved into place at the end.
    """
    lang = check_language(lang)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise RisetError(f"formats {unknown} are not report formats; choose from: {', '.join(FORMATS)}")
    out = check_writable(out_dir)
    figures = render_figures(results, lang)
    laporan = build_laporan(results, figures, lang)
    staging = Path(tempfile.mkdtemp(dir=out, prefix=".riset-tmp-"))
    try:
        written = {}
        for fmt in formats:
            path = staging / FILE_NAMES[fmt]
            if fmt == "html":
                path.write_text(render_html(laporan), encoding="utf-8")
            elif fmt == "docx":
                write_docx(laporan, path)
            elif fmt == "pdf":
                write_pdf(laporan, path)
            elif fmt == "pptx":
                write_deck(results, path, lang, figures)
            elif fmt == "xlsx":
                write_xlsx(results, path, lang)
            elif fmt == "lembar":
                write_sheets(results, path, lang)
            written[fmt] = path
        final = {}
        for fmt, path in written.items():
            target = out / path.name
            try:
                if path.is_dir() and target.is_dir():
                    shutil.rmtree(target)  # the sheets of an earlier run: replaced as a whole
                path.replace(target)
            except PermissionError:
                raise RisetError(f"cannot replace '{target}': it is open in another program (Excel, Word, "
                                 "PowerPoint?); close it and run again") from None
            final[fmt] = target
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
