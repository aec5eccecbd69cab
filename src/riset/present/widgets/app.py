"""The seminar dashboard as a web page (`riset dasbor STUDY`): the `Dasbor` of a study served by Voila, which
runs a one-cell notebook and shows only its widgets -- no code, no tables above them, nothing exported on
page load (the export button writes the package when pressed).

`dashboard_notebook(study)` is that notebook; `serve(study, port=8866)` writes it beside the study's results
and runs Voila on it until Ctrl-C.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from riset.errors import RisetError

__all__ = ["DASHBOARD_FILE", "dashboard_notebook", "serve", "write_dashboard"]

DASHBOARD_FILE = "dasbor.ipynb"


def dashboard_notebook(study: str | Path, out_dir: str | Path, lang: str | None = None) -> nbformat.NotebookNode:
    """A notebook whose only output is the dashboard of `study` (its export button writes to `out_dir`)."""
    code = (
        "import warnings\n"
        "warnings.filterwarnings('ignore')\n"
        "from riset.present.widgets import dasbor\n"
        "from riset.study.run import run_study\n"
        f"hasil = run_study({str(Path(study).resolve())!r})\n"
        f"papan = dasbor(hasil, lang={lang!r}, out_dir={str(Path(out_dir).resolve())!r})\n"
        "papan.widget"
    )
    notebook = new_notebook(cells=[new_code_cell(code)])
    notebook.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    return notebook


def write_dashboard(study: str | Path, out_dir: str | Path, lang: str | None = None) -> Path:
    """Write the dashboard notebook into `out_dir` (created); returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / DASHBOARD_FILE
    nbformat.write(dashboard_notebook(study, out, lang), path)
    return path


def serve(study: str | Path, out_dir: str | Path, port: int = 8866, lang: str | None = None,
          open_browser: bool = False) -> int:
    """Serve the dashboard of `study` with Voila on http://localhost:`port` until stopped; returns Voila's exit
    code. Voila keeps a kernel pre-heated (the study already run), so a page load during the seminar does not
    wait for the study to run again."""
    try:
        import voila  # noqa: F401 -- only to say what is missing
    except ImportError:
        raise RisetError("the dashboard page needs Voila: pip install voila") from None
    path = write_dashboard(study, out_dir, lang).resolve()  # Voila runs in the page's folder
    argv = [sys.executable, "-m", "voila", str(path), f"--port={port}", "--Voila.ip=127.0.0.1",
            "--preheat_kernel=True", *([] if open_browser else ["--no-browser"])]
    return subprocess.run(argv, cwd=str(path.parent)).returncode
