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


#: What only the bundled example has (its files, area, unit codes, periods), never in library code.
EXAMPLE_NAMES = ("contoh_skm", "Tanjung Harapan", "Tanjung Kota", "PKM-KOTA", "RSUD-RJ", "DUK-", "2026-S1",
                 "2026-S2", "semester 1 dan")


def test_library_code_names_nothing_of_the_bundled_example():
    """Strings in the code (docstrings and comments aside: they may show the example) never hold the example's
    names; only its generator (study/example.py, and study/example_online.py for its QR answers) does."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in ("example.py", "example_online.py"):
            continue
        tree = ast.parse(path.read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found += [f"{path.relative_to(SRC)}:{node.lineno} {name}" for name in EXAMPLE_NAMES if name in node.value]
    for path in sorted(SRC.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(SRC)} {name}" for name in EXAMPLE_NAMES if name in text]
    assert not found, "\n".join(found)


#: Modules whose public dataclasses are analysis results (configuration and document classes are not).
RESULT_MODULES = ("survey", "skm", "study/run.py", "study/progress.py")
#: Intermediate fits that other estimators consume (arrays without labels), not results shown to anyone.
INTERMEDIATES = {"SmoothFit", "PeriodContrast", "PeriodFit", "Margin", "Source", "Replicates", "ColumnSpec", "Codebook",
                 "Unsur", "Band", "Scheme", "RakingFit", "CalibrationFit", "ReplicateEstimates", "ModelFrame"}


def _result_classes():
    for module in RESULT_MODULES:
        paths = [SRC / module] if module.endswith(".py") else sorted((SRC / module).rglob("*.py"))
        for path in paths:
            classes = [node for node in ast.parse(path.read_text()).body if isinstance(node, ast.ClassDef)]
            own = {c.name: {n.name for n in c.body if isinstance(n, ast.FunctionDef)} for c in classes}
            for node in classes:
                if (not node.name.startswith("_") and node.name not in INTERMEDIATES
                        and any("dataclass" in ast.unparse(d) for d in node.decorator_list)):
                    # its own methods and those of base classes of the same module (a shared mixin)
                    inherited = set().union(*(own.get(ast.unparse(base), set()) for base in node.bases))
                    yield f"{path.relative_to(SRC)}:{node.name}", own[node.name] | inherited


def test_every_result_answers_to_frame_summary_and_repr():
    """Issue 11.4: a result object gives its table (`to_frame()`), its reading in words (`summary(lang=None)`)
    and a readable repr of its own (not the dataclass dump of every array)."""
    missing = [f"{name} lacks {', '.join(m for m in ('to_frame', 'summary', '__repr__') if m not in methods)}"
               for name, methods in _result_classes()
               if not {"to_frame", "summary", "__repr__"} <= methods]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("package", ["riset.survey", "riset.skm", "riset.study"])
def test_subpackages_export_what_users_call(package):
    """Issue 11.6: every name a subpackage declares resolves to the object of its defining module."""
    import importlib

    module = importlib.import_module(package)
    assert module.__all__
    for name in module.__all__:
        value = getattr(module, name)
        assert getattr(importlib.import_module(value.__module__), name) is value, name
