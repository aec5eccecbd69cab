"""Run the study notebooks top to bottom on any study, as a reviewer does (papermill, with a progress bar).

Each notebook in `notebooks/` has its parameters in a first cell tagged ``parameters`` (``STUDY``, the study
file; ``OUTPUT_DIR``; ``LANG``; and its own). `run_notebooks` executes them in order with papermill (Jupyter's
standard parameterised runner), injecting the study file and the output folder, and writes the executed copies,
with all their tables and charts and the state of their widgets, to ``OUTPUT_DIR/notebooks/``, each with an HTML
page beside it that reads in any browser without Jupyter or internet, its widgets included
(`riset.present.notebook_html.export_html`). Nothing in the notebooks names the bundled example: everything
study-specific comes from the study file.

Example: ``run_notebooks("data/raw/studi.yaml", "data/processed")`` or, on the command line,
``riset notebooks path/to/studi.yaml --out hasil``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import papermill
from tqdm.auto import tqdm

from riset.errors import RisetError
from riset.present.notebook_html import export_html
from riset.study.config import find_study_file

__all__ = ["NOTEBOOK_PATTERN", "find_notebooks", "run_notebooks"]

NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"


def find_notebooks(folder: str | Path | None = None, only: Sequence[str] = ()) -> list[Path]:
    """The study notebooks (``NN_name.ipynb``) in `folder`, in order; default: ``notebooks/`` of the current
    folder or one of its parents, else of the repository this package is installed from.

    `only`: keep notebooks whose name starts with one of these prefixes (e.g. ``["01", "03_ikm"]``).
    """
    if folder is None:
        here = Path.cwd().resolve()
        candidates = [base / "notebooks" for base in (here, *here.parents, Path(__file__).resolve().parents[2])]
        folder = next((c for c in candidates if any(c.glob(NOTEBOOK_PATTERN))), candidates[0])
    folder = Path(folder)
    found = sorted(folder.glob(NOTEBOOK_PATTERN))
    if not found:
        raise RisetError(f"no study notebooks ({NOTEBOOK_PATTERN}) in {folder}")
    chosen = [p for p in found if not only or p.name.startswith(tuple(only))]
    if not chosen:
        names = ", ".join(p.stem for p in found)
        raise RisetError(f"no notebook starts with {', '.join(only)}; available: {names}")
    return chosen


def run_notebooks(
    study: str | Path = "data/raw/studi.yaml",
    out_dir: str | Path = "data/processed",
    *,
    notebooks: str | Path | None = None,
    only: Sequence[str] = (),
    lang: str | None = None,
    progress: bool = True,
) -> list[Path]:
    """Execute the study notebooks in order with ``STUDY``, ``OUTPUT_DIR`` (and ``LANG`` when given) injected.

    Returns the paths of the executed copies (``out_dir/notebooks/NN_name.ipynb``, the widget state saved in
    their metadata), each with its offline HTML page (``NN_name.html``) beside it. A failing cell stops the run
    with a `RisetError` naming the notebook and the error; the executed copy up to that cell is kept for
    inspection.
    """
    study_file = find_study_file(study).resolve()
    out_dir = Path(out_dir).resolve()
    paths = find_notebooks(notebooks, only)
    executed_dir = out_dir / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"STUDY": str(study_file), "OUTPUT_DIR": str(out_dir), **({"LANG": lang} if lang else {})}
    written = []
    bar = tqdm(paths, desc="notebook", unit="nb", disable=not progress)
    for path in bar:
        bar.set_postfix_str(path.stem)
        target = executed_dir / path.name
        try:
            papermill.execute_notebook(str(path), str(target), parameters=parameters, cwd=str(path.parent),
                                       progress_bar=False, kernel_name="python3", store_widget_state=True)
        except papermill.PapermillExecutionError as err:
            raise RisetError(
                f"notebook {path.stem} stopped in cell {err.exec_count}: {err.ename}: {err.evalue} "
                f"(executed copy: {target})"
            ) from None
        export_html(target)
        written.append(target)
    return written
