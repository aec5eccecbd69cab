"""The `riset` command line.

    riset ikm DATA --codebook CB [--by unit --by opd] [--weights COL] [--out ikm.xlsx]
    riset init DIR [--area NAME --level kecamatan]
    riset check STUDY
    riset report STUDY [--out DIR] [--lang id]
    riset notebooks STUDY [--out DIR] [--only 03]
    riset form STUDY [--to xlsform|google|kertas|qr] [--url LINK]
    riset dasbor STUDY [--port 8866]
    riset verify PACK [--data DIR]
    riset demo [--out data/processed]
    riset --version

Each subcommand is one entry of `SUBCOMMANDS`: name -> (help, add_arguments(parser), run(args) -> int),
so a new one is a function pair and a line. Bad input (any `RisetError`, a missing or unreadable file)
ends with exit code 2 and one line on stderr, "riset: error: <message>", never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, NoReturn, Sequence

import pandas as pd

from riset import __version__
from riset.errors import RisetError
from riset.skm.ikm import IkmResult, ikm
from riset.skm.schemes import SCHEMES
from riset.skm.exports import SurveyData, read_codebook, read_survey, write_table

__all__ = ["build_parser", "EXAMPLE_STUDY", "main", "SUBCOMMANDS", "WORKBENCH_MODULES"]

EXAMPLE_STUDY = Path("data") / "raw" / "studi.yaml"


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line, like every other riset error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"riset: error: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------------------- riset ikm
def _add_ikm_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA", help="survey export, .csv or .xlsx (one row per respondent)")
    parser.add_argument("--codebook", "-c", required=True, metavar="CB", help="codebook, .yaml or .xlsx")
    parser.add_argument("--by", action="append", default=[], metavar="COL",
                        help="grouping column (unit, opd, periode, ...); repeat for several")
    parser.add_argument("--weights", metavar="COL", help="survey weight column (weighted NRR)")
    parser.add_argument("--scheme", choices=sorted(SCHEMES), help="IKM scheme (default: the codebook's)")
    parser.add_argument("--legacy-weight", type=float, metavar="W",
                        help="reproduce an old report's rounded unsur weight (0.11 or 0.111); biased")
    parser.add_argument("--empty-unsur", choices=("error", "nan", "reweight"), default="error",
                        help="a group with no answers for an unsur: stop (default), blank its IKM, or reweight")
    parser.add_argument("--sheet", help="sheet of an .xlsx export (default: the first)")
    parser.add_argument("--unknown-columns", choices=("error", "keep"), default="error",
                        help="columns the codebook does not describe: stop (default) or keep and report them")
    parser.add_argument("--strict", action="store_true", help="stop at the first invalid cell instead of blanking it")
    parser.add_argument("--out", metavar="FILE", help="output .csv or .xlsx (default: <DATA name>_ikm.csv here)")


def _run_ikm(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path(f"{Path(args.data).stem}_ikm.csv")
    _check_writable(out.parent)  # before the computation, not after it
    survey = read_survey(args.data, read_codebook(args.codebook), sheet=args.sheet,
                         unknown=args.unknown_columns, strict=args.strict)
    result = ikm(survey.data, survey.codebook.unsur_map(), by=args.by or None, weights=args.weights,
                 scheme=args.scheme or survey.codebook.scheme, legacy_weight=args.legacy_weight,
                 empty_unsur=args.empty_unsur)
    written = _write_ikm(result, survey, out)  # before printing: a closed pipe must not cost the files
    print(result.summary())
    print()
    print(survey.summary())
    for path in written:
        print(f"Ditulis: {path}")
    return 0


def _check_writable(folder: Path) -> None:
    existing = next((p for p in (folder.resolve(), *folder.resolve().parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK):
        raise RisetError(f"cannot write to the output folder '{folder}' (not a writable folder)")


def _write_ikm(result: IkmResult, survey: SurveyData, out: Path) -> list[Path]:
    """IKM table (+ NRR, notes, data issues): sheets of one .xlsx, or CSV files side by side, all or none."""
    notes = pd.DataFrame({"catatan": result.notes + [survey.summary()]})
    if out.suffix.lower() == ".xlsx":
        sheets = {"IKM": result.table, "NRR": result.nrr, "Catatan": notes}
        if not survey.issues.empty:
            sheets["Masalah data"] = survey.issues
        return [write_table(sheets, out)]
    tables = {out: result.table, _beside(out, "nrr"): result.nrr}
    if not survey.issues.empty:
        tables[_beside(out, "masalah_data")] = survey.issues
    staged = {path: path.with_name(f".{path.stem}.staged{path.suffix}") for path in tables}
    try:
        for path, table in tables.items():
            write_table(table, staged[path])
        for path, temporary in staged.items():
            os.replace(temporary, path)
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
    return list(tables)


def _beside(path: Path, what: str) -> Path:
    return path.with_name(f"{path.stem}_{what}{path.suffix}")


# -------------------------------------------------------------------------------------- riset init
def _add_init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="folder of the new study (created if needed)")
    parser.add_argument("--title", help="title of the study (default from the area)")
    parser.add_argument("--area", help="name of the area, e.g. 'Kecamatan Sukamaju'")
    parser.add_argument("--level", default="kabupaten",
                        choices=("kabupaten", "kota", "kecamatan", "provinsi", "instansi"), help="level of the area")
    parser.add_argument("--force", action="store_true", help="overwrite files that already exist")


def _run_init(args: argparse.Namespace) -> int:
    from riset.study.init import init_study

    for path in init_study(args.folder, title=args.title, area=args.area, level=args.level, force=args.force):
        print(f"Ditulis: {path}")
    return 0


# ------------------------------------------------------------------------------------- riset check
def _add_study_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="the study file (studi.yaml) or its folder; 'riset init DIR' creates one")


def _run_check(args: argparse.Namespace) -> int:
    from riset.study.config import load_study
    from riset.study.run import plan_study, read_study_survey

    config = load_study(args.study)
    survey = read_study_survey(config)
    print(config.title)
    print(survey.summary())
    print(plan_study(config, survey).summary(config.language))
    return 0


# ------------------------------------------------------------------------------------- riset report
def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    _add_study_argument(parser)
    parser.add_argument("--out", metavar="DIR",
                        help="folder for the seminar package (default: 'hasil' beside the study file)")
    parser.add_argument("--lang", choices=("id", "en"), help="language of the package (default: the study's)")
    parser.add_argument("--notebooks", action="store_true",
                        help="also run the study notebooks (into DIR/notebooks) and put the executed copies, with "
                             "their offline HTML, in the replication pack (a few minutes more)")


def _run_report(args: argparse.Namespace) -> int:
    from riset.present.report import write_report
    from riset.study.config import load_study
    from riset.study.run import run_study

    from riset.study.replication import write_pack

    config = load_study(args.study)
    out = Path(args.out) if args.out else config.folder / "hasil"
    results = run_study(config, progress=True)
    print(results.summary(args.lang or config.language))
    for path in write_report(results, out, lang=args.lang or config.language).values():
        print(f"Ditulis: {path}")
    notebooks = ()
    if getattr(args, "notebooks", False):
        from riset.notebooks import run_notebooks

        notebooks = run_notebooks(config.path, out, lang=args.lang)
        for path in notebooks:
            print(f"Ditulis: {path}")
    print(f"Paket replikasi: {write_pack(results, out / 'replikasi', notebooks=notebooks)}")
    return 0


# --------------------------------------------------------------------------------------- riset demo
def _add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="data/processed", metavar="DIR",
                        help="folder for the seminar package (default: data/processed)")
    parser.add_argument("--lang", choices=("id", "en"), help="language of the package (default: the study's)")


def _run_demo(args: argparse.Namespace) -> int:
    args.study = _example_study()
    return _run_report(args)


def _example_study() -> Path:
    """The bundled example's study file: data/raw/studi.yaml under the current folder or one of its parents,
    else under the repository this package is installed from (editable install)."""
    here = Path.cwd().resolve()
    for base in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if (base / EXAMPLE_STUDY).is_file():
            return base / EXAMPLE_STUDY
    raise RisetError(f"the bundled example ({EXAMPLE_STUDY}) is not here; run 'riset report' on your own study "
                     "file, or recreate the example with 'python -m riset.study.example --out data/raw'")


# ---------------------------------------------------------------------------------- riset notebooks
def _add_notebooks_arguments(parser: argparse.ArgumentParser) -> None:
    _add_study_argument(parser)
    parser.add_argument("--out", metavar="DIR",
                        help="folder for outputs; executed notebooks go to DIR/notebooks (default: 'hasil' "
                             "beside the study file)")
    parser.add_argument("--only", action="append", default=[], metavar="PREFIX",
                        help="run only notebooks whose name starts with PREFIX (repeatable, e.g. --only 03)")
    parser.add_argument("--lang", choices=("id", "en"), help="language of tables and charts (default: the study's)")


def _run_notebooks(args: argparse.Namespace) -> int:
    from riset.notebooks import run_notebooks
    from riset.study.config import load_study

    config = load_study(args.study)  # a study file that does not load stops here, before any notebook runs
    out = Path(args.out) if args.out else config.folder / "hasil"
    written = run_notebooks(config.path, out, only=args.only, lang=args.lang)
    for path in written:
        print(f"Ditulis: {path}")
    if not args.only:  # the whole set: the replication pack with the executed notebooks
        from riset.study.replication import write_pack
        from riset.study.run import run_study

        print(f"Paket replikasi: {write_pack(run_study(config), out / 'replikasi', notebooks=written)}")
    return 0


# ------------------------------------------------------------------------------------------- riset form
def _add_form_arguments(parser: argparse.ArgumentParser) -> None:
    _add_study_argument(parser)
    parser.add_argument("--to", action="append", choices=("xlsform", "google", "kertas", "qr"), metavar="KIND",
                        help="xlsform (KoboToolbox/ODK form + the codebook of its export), google (the questions "
                             "to paste into Google Forms + the codebook of its response sheet), kertas (a paper "
                             "questionnaire per unit), qr (QR posters per unit); repeatable (default: all)")
    parser.add_argument("--url", help="the form's link with {unit} where the unit's code goes (for --to qr)")
    parser.add_argument("--out", metavar="DIR", help="folder (default: 'formulir' beside the study file)")


def _run_form(args: argparse.Namespace) -> int:
    from riset.study.config import load_study
    from riset.present.forms import FORM_KINDS, write_forms

    config = load_study(args.study)
    kinds = args.to or [k for k in FORM_KINDS if k != "qr" or args.url]
    for path in write_forms(config, Path(args.out) if args.out else config.folder / "formulir", kinds, args.url):
        print(f"Ditulis: {path}")
    return 0


# ------------------------------------------------------------------------------------------ riset dasbor
def _add_dasbor_arguments(parser: argparse.ArgumentParser) -> None:
    _add_study_argument(parser)
    parser.add_argument("--port", type=int, default=8866, help="port of the page (default 8866)")
    parser.add_argument("--out", metavar="DIR", help="folder the export button writes to (default: 'hasil')")
    parser.add_argument("--lang", choices=("id", "en"), help="language of the dashboard (default: the study's)")
    parser.add_argument("--open", action="store_true", help="open the page in the browser")


def _run_dasbor(args: argparse.Namespace) -> int:
    from riset.present.widgets.app import serve
    from riset.study.config import load_study

    config = load_study(args.study)
    out = Path(args.out) if args.out else config.folder / "hasil"
    print(f"Dasbor: http://localhost:{args.port}/ (hentikan dengan Ctrl-C)")
    return serve(config.path, out, port=args.port, lang=args.lang or config.language, open_browser=args.open)


# ------------------------------------------------------------------------------------------ riset verify
def _add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pack", metavar="PACK", help="a replication pack (the folder hasil/replikasi of a study)")
    parser.add_argument("--data", metavar="DIR", help="folder holding the study's input files (default: where the "
                                                      "study read them)")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="language of the verdict")


def _run_verify(args: argparse.Namespace) -> int:
    from riset.study.replication import verify

    result = verify(args.pack, args.data)
    text = result.summary(args.lang)
    print(text)
    page = Path(args.pack) / "verifikasi.txt"
    page.write_text(text + "\n", encoding="utf-8")
    print(f"Ditulis: {page}")
    return 0 if result.passed else 1


# ------------------------------------------------------------------------------------------- main
Subcommand = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]

SUBCOMMANDS: dict[str, Subcommand] = {
    "ikm": ("IKM (PermenPAN-RB 14/2017) of a survey export, by group", _add_ikm_arguments, _run_ikm),
    "init": ("create a study folder: studi.yaml, the standard codebook, a data template and a README",
             _add_init_arguments, _run_init),
    "check": ("check a study's files and say what will be computed, and what skipped and why",
              _add_study_argument, _run_check),
    "dasbor": ("serve the seminar dashboard of a study as a web page (Voila)", _add_dasbor_arguments, _run_dasbor),
    "form": ("the field material of a study: XLSForm for KoboToolbox/ODK, paper questionnaires, QR posters",
             _add_form_arguments, _run_form),
    "report": ("run the whole study and write the seminar package (HTML, PPTX, DOCX, XLSX)", _add_report_arguments,
               _run_report),
    "notebooks": ("run the study notebooks top to bottom on a study (papermill), keeping executed copies",
                  _add_notebooks_arguments, _run_notebooks),
    "verify": ("re-run a study from its replication pack and compare every number (exit 0 only if all match)",
               _add_verify_arguments, _run_verify),
    "demo": ("the seminar package of the bundled example study (riset report data/raw/studi.yaml)",
             _add_demo_arguments, _run_demo),
}


#: Top-level modules of the `workbench` extra (charts, report writers, widgets, notebooks, dashboard).
WORKBENCH_MODULES = frozenset({"matplotlib", "ipywidgets", "jupyterlab", "pptx", "docx", "jinja2", "fpdf",
                               "nbclient", "nbformat", "nbconvert", "ipykernel", "papermill", "segno", "voila"})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per entry of `SUBCOMMANDS`."""
    parser = _Parser(prog="riset", description="Research workbench for public-service satisfaction surveys (SKM/IKM).")
    parser.add_argument("--version", action="version", version=f"riset {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_arguments, run) in SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(command)
        command.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `riset` with `argv` (default: the process arguments); return the exit code.

    0 on success; 2 on bad input, with one line "riset: error: <message>" on stderr.

    >>> main(["ikm", "survey.csv", "--codebook", "codebook.yaml", "--by", "unit"])   # doctest: +SKIP
    0
    """
    args = None
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except SystemExit as exc:  # --help, --version and usage errors end argparse with SystemExit
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except RisetError as exc:
        return _fail(str(exc))
    except ModuleNotFoundError as exc:  # a workbench command on an engine-only install (pip install riset)
        if (exc.name or "").split(".")[0] not in WORKBENCH_MODULES:
            raise
        return _fail(f"'riset {getattr(args, 'command', '')}' needs the workbench (the Python package '{exc.name}' is not installed): "
                     "pip install \"riset[workbench]\"")
    except KeyboardInterrupt:  # Ctrl-C: one line, the conventional exit code 130, no traceback
        print("riset: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`: the files are written, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except FileNotFoundError as exc:
        return _fail(f"file not found: {exc.filename}")
    except OSError as exc:
        return _fail(f"cannot read or write {exc.filename or 'a file'}: {exc.strerror or exc}")


def _fail(message: str) -> int:
    print(f"riset: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
