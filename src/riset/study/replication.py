"""The replication pack: what a reviewer needs to re-run a study and get the same numbers, and the check.

`write_pack(results, folder)` writes into ``folder`` (``hasil/replikasi`` by default):

- ``studi.yaml`` and the codebook, as the study read them;
- ``inputs.json``: every input file (data, codebook, margins, ...) with its path relative to the study file and
  its sha256;
- ``requirements-lock.txt``: the exact version of every package of the environment that ran it (usable with
  ``pip install -r``), with the Python version and riset's own version in its header;
- ``manifest.json``: every number the report shows (IKM, SE and CI per level and group, NRR per unsur, driver
  shares, change tests, ...), each with the function that produced it and the notebook cell (tag) that shows
  it; counts are exact, floats carry the tolerance `verify` allows;
- the seed (in the study file and the manifest);
- with `riset notebooks`: ``notebooks/``, the executed notebooks (widget state saved) and their HTML pages, which
  read offline with their widgets (written by `riset.notebooks.run_notebooks`).

`verify(pack, data_dir=None)` re-runs the study from the pack (inputs looked up in `data_dir` by their relative
paths, else where the study file says), and compares: input hashes, package versions, the seed, and every
number of the manifest (exact for counts, `TOLERANCE` relative for floats). The `Verification` says what
differs and which numbers moved; it passes only when everything matches.

>>> pack = write_pack(run_study("data/raw/studi.yaml"), "hasil/replikasi")      # doctest: +SKIP
>>> verify(pack).passed                                                        # doctest: +SKIP
True
"""

from __future__ import annotations

import hashlib
import json
from typing import Sequence
import platform
import shutil
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from riset import __version__
from riset.errors import RisetError
from riset.i18n import check_language, say
from riset.study.config import STUDY_FILE, read_yaml, study_from_mapping

__all__ = ["MANIFEST", "TOLERANCE", "Verification", "environment_lock", "manifest", "sha256", "verify", "write_pack"]

MANIFEST = "manifest.json"
INPUTS = "inputs.json"
LOCK = "requirements-lock.txt"
#: Relative tolerance for floats when a pack is verified (counts must be equal).
TOLERANCE = 1e-9

#: Where each kind of number is computed and which notebook cell (tag) shows it.
_SOURCES = {
    "ikm": ("riset.skm.ikm_design.ikm_design", "03_ikm#ikm"),
    "nrr": ("riset.skm.ikm_design.ikm_design", "03_ikm#nrr"),
    "drivers": ("riset.study.key_drivers.driver_analyses", "04_faktor_kepuasan#drivers"),
    "period_change": ("riset.skm.ikm_design.compare_periods", "03_ikm#perubahan"),
    "ipa": ("riset.skm.ipa.ipa", "04_faktor_kepuasan#ipa"),
    "weights": ("riset.survey.weighting.weight_to_population", "02_pembobotan#bobot"),
}


def sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def environment_lock() -> str:
    """Every installed distribution as ``name==version`` (sorted), under a header with Python and riset."""
    lines = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()
                    if d.metadata["Name"] and d.metadata["Name"].lower() != "riset"}, key=str.lower)
    header = [f"# python {platform.python_version()} ({platform.system()})", f"# riset {__version__}"]
    return "\n".join(header + lines) + "\n"


def _entries(prefix: str, table: pd.DataFrame, keys: list[str], values: dict[str, str], source: str) -> list[dict]:
    function, cell = _SOURCES[source]
    out = []
    for _, row in table.iterrows():
        name = "/".join(str(row[k]) for k in keys)
        for column, kind in values.items():
            if column in row.index and pd.notna(row[column]):
                value = row[column]
                out.append({"id": f"{prefix}/{name}/{column}", "value": int(value) if kind == "count" else float(value),
                            "kind": kind, "function": function, "notebook": cell})
    return out


def manifest(results) -> dict:
    """Every number the report shows, with its producer (see the module docstring)."""
    numbers = []
    ikm_values = {"n_responden": "count", "ikm_konversi": "float", "se": "float", "ci_low": "float",
                  "ci_high": "float", "df": "count", "p_mutu_beda": "float"}
    numbers += _entries("ikm", results.ikm, ["level", "group"], ikm_values, "ikm")
    numbers += _entries("nrr", results.nrr, ["level", "group", "unsur"],
                        {"n_jawaban": "count", "nrr": "float", "se": "float", "ci_low": "float", "ci_high": "float"},
                        "nrr")
    if results.drivers is not None:
        numbers += _entries("drivers", results.drivers_table(), ["unsur"],
                            {"importance": "float", "ci_low": "float", "ci_high": "float", "peringkat": "count"},
                            "drivers")
    if results.ipa is not None:
        numbers += _entries("ipa", results.ipa, ["unsur"], {"kinerja": "float", "kepentingan": "float"}, "ipa")
    if results.period_change is not None:
        numbers += _entries("period_change", results.period_change, ["level", "group"],
                            {"selisih": "float", "se": "float", "p_value": "float", "p_holm": "float"}, "period_change")
    numbers += _entries("weights", results.weight_table.reset_index(drop=True).assign(row=lambda t: t.index),
                        ["row"], {c: "float" for c in results.weight_table.columns
                                  if pd.api.types.is_numeric_dtype(results.weight_table[c])}, "weights")
    return {"study": results.config.title, "seed": results.config.seed, "riset": __version__,
            "tolerance": TOLERANCE, "numbers": numbers}


def write_pack(results, folder: str | Path, notebooks: Sequence[str | Path] = ()) -> Path:
    """Write the replication pack of a study's results into `folder` (created); returns the folder.

    `notebooks`: executed notebooks (`riset notebooks`) copied into ``notebooks/``, each with the HTML page
    written beside it (outputs and widgets, readable offline without Jupyter)."""
    config = results.config
    if config.path is None:
        raise RisetError("a replication pack needs a study read from a study file (studi.yaml)")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config.path, out / STUDY_FILE)
    inputs = {}
    for role, path in config.files().items():
        inputs[role] = {"path": _relative(path, config.folder), "absolute": path.resolve().as_posix(),
                        "sha256": sha256(path)}
        if role == "codebook":
            shutil.copyfile(path, out / path.name)
    (out / INPUTS).write_text(json.dumps(inputs, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / LOCK).write_text(environment_lock(), encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps(manifest(results), indent=1, ensure_ascii=False), encoding="utf-8")
    if notebooks:
        _copy_notebooks(notebooks, out / "notebooks")
    return out


def _copy_notebooks(notebooks: Sequence[str | Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in map(Path, notebooks):
        for copy in (path, path.with_suffix(".html")):
            if copy.is_file():
                shutil.copyfile(copy, folder / copy.name)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


@dataclass
class Verification:
    """The result of `verify`: input files, packages and numbers that differ, and the verdict."""

    study: str
    inputs: list[dict] = field(default_factory=list)  # role, path, expected, found ('missing' if absent)
    packages: list[dict] = field(default_factory=list)  # name, expected, found
    numbers: list[dict] = field(default_factory=list)  # id, expected, found
    missing: list[str] = field(default_factory=list)  # manifest ids the re-run did not produce
    seed: tuple[int, int] | None = None  # (pack, re-run) when they differ
    n_checked: int = 0
    tolerance: float = TOLERANCE  # relative, for floats

    @property
    def passed(self) -> bool:
        return not (self.inputs or self.packages or self.numbers or self.missing or self.seed)

    def to_frame(self) -> pd.DataFrame:
        """The numbers that moved: id, expected, found."""
        return pd.DataFrame(self.numbers, columns=["id", "expected", "found"])

    def summary(self, lang: str | None = None) -> str:
        """The verdict and what differs, one line each (catalog text), on one page: the first packages and
        numbers that differ, then how many more."""
        lang = check_language(lang)
        lines = [say("verify_passed" if self.passed else "verify_failed", lang, study=self.study, n=self.n_checked,
                     tolerance=f"{self.tolerance:g}")]
        lines += [say("verify_input", lang, **item) for item in self.inputs]
        lines += _first([say("verify_package", lang, **item) for item in self.packages], 15, "verify_more_packages",
                        lang)
        if self.seed:
            lines.append(say("verify_seed", lang, expected=str(self.seed[0]), found=str(self.seed[1])))
        lines += _first([say("verify_number", lang, id=item["id"], expected=_digits(item["expected"], lang),
                             found=_digits(item["found"], lang)) for item in self.numbers], 30, "verify_more", lang)
        lines += _first([say("verify_missing", lang, id=i) for i in self.missing], 10, "verify_more_missing", lang)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def verify(pack: str | Path, data_dir: str | Path | None = None) -> Verification:
    """Re-run the study of a replication pack and compare it with the pack (see the module docstring)."""
    from riset.study.run import run_study

    pack = Path(pack)
    for name in (STUDY_FILE, INPUTS, MANIFEST, LOCK):
        if not (pack / name).is_file():
            raise RisetError(f"'{pack}' is not a replication pack: '{name}' is missing")
    original = load_study_raw(pack / STUDY_FILE)
    inputs = json.loads((pack / INPUTS).read_text(encoding="utf-8"))
    expected = json.loads((pack / MANIFEST).read_text(encoding="utf-8"))
    base = Path(data_dir) if data_dir is not None else None
    result = Verification(expected["study"])
    located = {}
    for role, item in inputs.items():
        if role == "studi":
            continue
        candidates = ([base / item["path"]] if base is not None else []) + [Path(item["absolute"])]
        if role == "codebook":
            candidates.insert(0, pack / Path(item["path"]).name)
        found = next((c for c in candidates if c.is_file()), None)
        digest = sha256(found) if found else "missing"
        if digest != item["sha256"]:
            result.inputs.append({"role": role, "path": item["path"], "expected": item["sha256"][:12],
                                  "found": digest[:12]})
        located[item["path"]] = found
    result.packages = _package_differences((pack / LOCK).read_text(encoding="utf-8"), environment_lock())
    missing_inputs = [p for p, f in located.items() if f is None]
    if missing_inputs:
        raise RisetError(f"input file '{missing_inputs[0]}' of the pack was not found; give the folder holding the "
                         "study's data with --data")
    folder = base if base is not None else pack
    config = study_from_mapping(_with_paths(original, located), folder, source=pack / STUDY_FILE)
    rerun = manifest(run_study(config))
    if rerun["seed"] != expected["seed"]:
        result.seed = (expected["seed"], rerun["seed"])
    found = {n["id"]: n for n in rerun["numbers"]}
    tolerance = result.tolerance = float(expected.get("tolerance", TOLERANCE))
    for item in expected["numbers"]:
        got = found.get(item["id"])
        result.n_checked += 1
        if got is None:
            result.missing.append(item["id"])
        elif not _same(item["value"], got["value"], item["kind"], tolerance):
            result.numbers.append({"id": item["id"], "expected": item["value"], "found": got["value"]})
    return result


def load_study_raw(path: Path) -> dict:
    """The study file's keys as written (no paths resolved)."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise RisetError(f"'{path}' is not a study file")
    return raw


def _with_paths(raw: dict, located: dict[str, Path | None]) -> dict:
    """The study file's keys with every input path replaced by where `verify` found that file."""
    def swap(value):
        if isinstance(value, str) and located.get(value.replace("\\", "/")) is not None:
            return str(located[value.replace("\\", "/")].resolve())
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value
    return swap(raw)


def _first(lines: list[str], limit: int, more: str, lang: str) -> list[str]:
    """At most `limit` lines, then one saying how many more (catalog code `more`)."""
    return lines[:limit] + ([say(more, lang, n=len(lines) - limit)] if len(lines) > limit else [])


def _digits(value: float, lang: str) -> str:
    """A number to ten significant digits, enough to see what moved; decimal comma in Indonesian."""
    text = f"{value:.10g}"
    return text.replace(".", ",") if lang == "id" else text


def _same(expected, found, kind: str, tolerance: float) -> bool:
    if kind == "count":
        return int(expected) == int(found)
    if np.isnan(expected) and np.isnan(found):
        return True
    return bool(np.isclose(found, expected, rtol=tolerance, atol=tolerance))


def _package_differences(expected: str, current: str) -> list[dict]:
    want, have = _versions(expected), _versions(current)
    return [{"name": name, "expected": version, "found": have.get(name, "-")}
            for name, version in sorted(want.items()) if have.get(name) != version]


def _versions(lock: str) -> dict[str, str]:
    """name -> version of an `environment_lock`: its ``name==version`` lines, and Python and riset from its
    header (``# python 3.11.9 (Linux)``, ``# riset 0.1.0``)."""
    versions = {}
    for line in lock.splitlines():
        if line.startswith("# "):
            name, _, version = line[2:].partition(" ")
        else:
            name, _, version = line.partition("==")
        if version:
            versions[name.lower()] = version
    return versions
