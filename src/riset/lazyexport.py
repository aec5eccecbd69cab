"""Re-exports of a subpackage loaded on first use (PEP 562), so that ``from riset.survey import mean`` works
without importing every module of the engine when one is imported.

>>> getattr_, dir_ = lazy_exports("riset.survey", {"SurveyDesign": "design"})
>>> getattr_("SurveyDesign").__name__
'SurveyDesign'
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list]]:
    """The module-level `__getattr__` and `__dir__` of `package` for `exports` (public name -> submodule that
    defines it); a name once loaded is kept in the package's namespace."""

    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{exports[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list:
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__
