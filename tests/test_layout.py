"""The layers import downwards only: present -> study -> skm -> survey (docs/architecture.md).

Checked on the source (every import statement, also inside functions), so a lazy import cannot hide a
dependency the wrong way. `riset.errors` and `riset.i18n` are leaves every layer may use.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "riset"

#: layer -> riset packages it must never import
FORBIDDEN = {
    "survey": ("riset.skm", "riset.study", "riset.present", "riset.cli", "riset.notebooks"),
    "skm": ("riset.study", "riset.present", "riset.cli", "riset.notebooks"),
    "study": ("riset.present", "riset.cli", "riset.notebooks"),
    "i18n": ("riset.survey", "riset.skm", "riset.study", "riset.present", "riset.cli", "riset.notebooks"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "riset" and {a.name for a in node.names} <= {"__version__"}:
                continue  # the package's version number is a leaf too
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_down(layer):
    wrong = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for line, name in _imports(path):
            if name == "riset" or name.startswith(FORBIDDEN[layer]):
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_no_private_names_imported_across_modules():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("riset"):
                wrong += [f"{path.relative_to(SRC)}:{node.lineno} {node.module}.{a.name}"
                          for a in node.names if a.name.startswith("_") and a.name != "__version__"]
    assert not wrong, "\n".join(wrong)


def test_every_module_declares_its_public_api():
    missing = [str(p.relative_to(SRC)) for p in sorted(SRC.rglob("*.py"))
               if p.name != "__main__.py" and "__all__" not in p.read_text()]
    assert not missing, missing
