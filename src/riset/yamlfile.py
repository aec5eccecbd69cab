"""Reading YAML written by people (study files, codebooks, action catalogues): safe, one-line errors.

YAML keeps the last of two equal keys silently and a pathological file can nest thousands of levels; both
become one-line errors here, naming the file and the line, raised as the caller's error class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from riset.errors import RisetError

__all__ = ["read_yaml"]


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key '{key}' is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(path: str | Path, error: type[RisetError] = RisetError, what: str = "file") -> Any:
    """The content of a YAML file; `error` (one line naming the file, and the line where known) for a file that
    cannot be read, is not UTF-8, is not valid YAML, gives a key twice or nests absurdly deep."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise error(f"cannot read {what} '{path}': {exc.strerror or exc}") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{what} {path.name} is not valid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise error(f"{what} {path.name}: not valid YAML ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise error(f"{what} {path.name}: nested too deeply") from None
