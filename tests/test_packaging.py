"""environment.yml (for conda users) lists the engine and the workbench extra of pyproject.toml, nothing else."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.match(r"^\s*([A-Za-z0-9_.\-]+)", spec).group(1).lower().replace("_", "-")


def _normalise(spec: str) -> str:
    return f"{_name(spec)}{spec[len(_name(spec)):].replace(' ', '')}"


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    strings = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_section = next(d for d in env["dependencies"] if isinstance(d, dict))
    # packages conda-forge lacks are installed by pip from the same file
    listed = [d for d in strings if _name(d) not in ("python", "pip")] + [d for d in pip_section["pip"] if d != "-e ."]
    wanted = project["dependencies"] + project["optional-dependencies"]["workbench"]
    assert sorted(map(_normalise, listed)) == sorted(map(_normalise, wanted))
    python = next(d for d in strings if _name(d) == "python")
    assert python.replace("python", "") == project["requires-python"]
    assert "-e ." in pip_section["pip"]
