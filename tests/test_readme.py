"""The Python example in README.md runs as written, from the repository root."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs(monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert blocks, "README.md has no python example"
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(blocks[0].replace("print(survey.summary())", "survey.summary()"), "README.md", "exec"), namespace)
    table = namespace["result"].to_frame()
    assert len(table) == 15 and table["ikm_konversi"].between(25, 100).all()
    assert {"se", "ci_low", "ci_high", "mutu"} <= set(table.columns)
