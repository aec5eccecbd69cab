"""The `riset` command line.

    riset ikm DATA --codebook CB [--by unit --by opd] [--weights COL] [--out ikm.xlsx]
    riset demo [--out data/processed]
    riset report [--data-dir DIR] [--out data/processed] [--weighting kalibrasi] [--lang id]
    riset notebooks [--data-dir DIR] [--out data/processed] [--only 03]
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

EXAMPLE_DATA = Path("data") / "raw" / "contoh_skm_responden.csv"
EXAMPLE_CODEBOOK = Path("data") / "raw" / "contoh_skm_codebook.yaml"


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
    survey = read_survey(args.data, read_codebook(args.codebook), sheet=args.sheet,
                         unknown=args.unknown_columns, strict=args.strict)
    result = ikm(survey.data, survey.codebook.unsur_map(), by=args.by or None, weights=args.weights,
                 scheme=args.scheme or survey.codebook.scheme, legacy_weight=args.legacy_weight,
                 empty_unsur=args.empty_unsur)
    out = Path(args.out) if args.out else Path(f"{Path(args.data).stem}_ikm.csv")
    written = _write_ikm(result, survey, out)  # before printing: a closed pipe must not cost the files
    print(result.summary())
    print()
    print(survey.summary())
    for path in written:
        print(f"Ditulis: {path}")
    return 0


def _write_ikm(result: IkmResult, survey: SurveyData, out: Path) -> list[Path]:
    """IKM table (+ NRR, notes, data issues): sheets of one .xlsx, or CSV files side by side."""
    notes = pd.DataFrame({"catatan": result.notes + [survey.summary()]})
    if out.suffix.lower() == ".xlsx":
        sheets = {"IKM": result.table, "NRR": result.nrr, "Catatan": notes}
        if not survey.issues.empty:
            sheets["Masalah data"] = survey.issues
        return [write_table(sheets, out)]
    written = [write_table(result.table, out), write_table(result.nrr, _beside(out, "nrr"))]
    if not survey.issues.empty:
        written.append(write_table(survey.issues, _beside(out, "masalah_data")))
    return written


def _beside(path: Path, what: str) -> Path:
    return path.with_name(f"{path.stem}_{what}{path.suffix}")


# --------------------------------------------------------------------------------------- riset demo
def _add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="data/processed", metavar="DIR",
                        help="folder for the result tables (default: data/processed)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder holding contoh_skm_responden.csv and contoh_skm_codebook.yaml "
                             "(default: data/raw of the repository)")


def _run_demo(args: argparse.Namespace) -> int:
    data_path, _ = _example_files(args.data_dir)
    study = _run_study(data_path.parent)
    survey = study.survey  # read and validated once, by the study
    cb = survey.codebook
    results: dict[str, IkmResult] = {}
    tables: dict[str, pd.DataFrame] = {}
    for name, by in (("ikm_per_unit", "unit"), ("ikm_per_periode", "periode"), ("ikm_per_opd", "opd")):
        results[name] = ikm(survey.data, cb.unsur_map(), by=by, scheme=cb.scheme)
        tables[name] = results[name].table
        tables[name.replace("ikm", "nrr")] = results[name].nrr
    overall = ikm(survey.data, cb.unsur_map(), scheme=cb.scheme).table.assign(unit="Semua unit")
    tables["ikm_per_unit"] = pd.concat([tables["ikm_per_unit"], overall], ignore_index=True)
    if not survey.issues.empty:
        tables["masalah_data"] = survey.issues
    out = Path(args.out)
    written = [write_table(table, out / f"{name}.csv") for name, table in tables.items()]
    written.append(write_table(tables, out / "ikm_contoh.xlsx"))
    written += _write_package(study, out)

    # The study (design-weighted, calibrated, with CIs) was printed above; these tables apply the
    # regulation's formula to the raw answers, as old reports did, for comparison.
    print()
    notes: list[str] = []
    for name, result in results.items():
        print(f"\n== {name}: tanpa bobot, rumus PermenPAN-RB 14/2017 apa adanya (pembanding laporan lama) ==")
        print(_shown(tables[name]).to_string(index=False))
        for note in result.notes:
            if note not in notes:  # blank-answer notes repeat for every grouping
                print(f"Catatan: {note}")
                notes.append(note)
    print()
    for path in written:
        print(f"Ditulis: {path}")
    return 0


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table.round({"ikm": 4, "ikm_konversi": 2})


def _example_files(data_dir: str | None) -> tuple[Path, Path]:
    """Find the bundled example: --data-dir, else data/raw under the current folder or its parents,
    else under the repository this package is installed from (editable install)."""
    if data_dir:
        bases = [Path(data_dir)]
        names = (EXAMPLE_DATA.name, EXAMPLE_CODEBOOK.name)
    else:
        here = Path.cwd().resolve()
        bases = [here, *here.parents, Path(__file__).resolve().parents[2]]
        names = (str(EXAMPLE_DATA), str(EXAMPLE_CODEBOOK))
    for base in bases:
        data, codebook = (base / n for n in names)
        if data.is_file() and codebook.is_file():
            return data, codebook
    looked = Path(data_dir) if data_dir else EXAMPLE_DATA.parent
    raise RisetError(f"example study not found ({names[0]} and {names[1]} in {looked}); "
                     "create it with 'python -m riset.study.example --out data/raw' or pass --data-dir")


# ------------------------------------------------------------------------------------- riset report
def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder with the study files (default: the bundled example in data/raw)")
    parser.add_argument("--out", default="data/processed", metavar="DIR",
                        help="folder for the seminar package (default: data/processed)")
    parser.add_argument("--weighting", choices=("kalibrasi", "desain", "tanpa"), default="kalibrasi",
                        help="calibrated weights (default), design weights only, or equal weights")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="language of the report (default: id)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the bootstrap and cross-validation")


def _run_report(args: argparse.Namespace) -> int:
    data_path, _ = _example_files(args.data_dir)
    study = _run_study(data_path.parent, args.weighting, args.seed)
    for path in _write_package(study, Path(args.out), args.lang):
        print(f"Ditulis: {path}")
    return 0


def _run_study(data_dir: Path, weighting: str = "kalibrasi", seed: int = 2026):
    """The whole study (riset.study.run), its summary printed."""
    from riset.study.run import run_study

    results = run_study(data_dir, weighting=weighting, seed=seed)
    print(results.summary())
    return results


def _write_package(results, out: Path, lang: str = "id") -> list[Path]:
    """Seminar package HTML/DOCX/PPTX/XLSX (riset.present.report) of a study's results."""
    from riset.present.report import write_report

    return list(write_report(results, out, lang=lang).values())


# ---------------------------------------------------------------------------------- riset notebooks
def _add_notebooks_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default="data/raw", metavar="DIR",
                        help="folder with the study files the notebooks read (default: data/raw)")
    parser.add_argument("--out", default="data/processed", metavar="DIR",
                        help="folder for outputs; executed notebooks go to DIR/notebooks (default: data/processed)")
    parser.add_argument("--only", action="append", default=[], metavar="PREFIX",
                        help="run only notebooks whose name starts with PREFIX (repeatable, e.g. --only 03)")
    parser.add_argument("--seed", type=int, default=2026, help="SEED parameter of the notebooks")


def _run_notebooks(args: argparse.Namespace) -> int:
    from riset.notebooks import run_notebooks

    for path in run_notebooks(args.data_dir, args.out, only=args.only, seed=args.seed):
        print(f"Ditulis: {path}")
    return 0


# ------------------------------------------------------------------------------------------- main
Subcommand = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]

SUBCOMMANDS: dict[str, Subcommand] = {
    "ikm": ("IKM (PermenPAN-RB 14/2017) of a survey export, by group", _add_ikm_arguments, _run_ikm),
    "demo": ("run the study on the bundled example and write the tables", _add_demo_arguments, _run_demo),
    "report": ("run the whole study and write the seminar package (HTML, PPTX, DOCX, XLSX)", _add_report_arguments,
               _run_report),
    "notebooks": ("run the study notebooks top to bottom on a data set (papermill), keeping executed copies",
                  _add_notebooks_arguments, _run_notebooks),
}


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
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except SystemExit as exc:  # --help, --version and usage errors end argparse with SystemExit
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except RisetError as exc:
        return _fail(str(exc))
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
