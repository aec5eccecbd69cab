"""`pip install riset` (no workbench extra) gives the engine, the SKM rules and the study runner; the workbench
commands say what to install instead of a traceback. Simulated in a fresh interpreter in which every module of
the workbench extra fails to import, as on an engine-only install."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from riset.cli import WORKBENCH_MODULES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "raw"

_BLOCK = """
import importlib.abc, sys
BLOCKED = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
"""


def _engine_only(code: str, tmp_path) -> subprocess.CompletedProcess:
    script = _BLOCK.format(blocked=sorted(WORKBENCH_MODULES)) + code
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=600)


def test_workbench_modules_are_the_workbench_extra():
    """The blocked list covers every distribution of the extra (import names differ: python-pptx -> pptx)."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["workbench"]
    import_name = {"python-pptx": "pptx", "python-docx": "docx", "fpdf2": "fpdf"}
    names = {import_name.get(d.split(">")[0].split("=")[0], d.split(">")[0].split("=")[0]) for d in extra}
    assert names <= WORKBENCH_MODULES
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not {d.split(">")[0] for d in core} & names


def test_engine_skm_and_study_import_and_run_without_the_workbench(tmp_path):
    if not (EXAMPLE / "studi.yaml").is_file():
        pytest.skip("the bundled example is not here")
    out = _engine_only(f"""
import riset.survey, riset.skm, riset.study
from riset.study.run import run_study
res = run_study({str(EXAMPLE / 'studi.yaml')!r})
print("IKM", res.summary("id")[:200])
blocked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print("loaded", blocked)
""", tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "IKM " in out.stdout and "loaded []" in out.stdout


def test_riset_ikm_and_check_work_without_the_workbench(tmp_path):
    if not (EXAMPLE / "studi.yaml").is_file():
        pytest.skip("the bundled example is not here")
    out = _engine_only(f"""
from riset.cli import main
sys.exit(main(["check", {str(EXAMPLE / 'studi.yaml')!r}]))
""", tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]


@pytest.mark.parametrize("command", ["report", "notebooks", "form", "dasbor"])
def test_a_workbench_command_names_the_extra_to_install(tmp_path, command):
    if not (EXAMPLE / "studi.yaml").is_file():
        pytest.skip("the bundled example is not here")
    extra = ["--to", "xlsform"] if command == "form" else []
    out = _engine_only(f"""
from riset.cli import main
sys.exit(main([{command!r}, {str(EXAMPLE / 'studi.yaml')!r}, "--out", "hasil", *{extra!r}]))
""", tmp_path)
    assert out.returncode == 2, out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert f"'riset {command}' needs the workbench" in lines[0] and 'pip install "riset[workbench]"' in lines[0]
