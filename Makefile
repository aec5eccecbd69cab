# Two commands on a fresh machine with Python 3.11 and the package registries:
#   make demo   -> creates .venv, installs riset, runs the whole study on the bundled example into data/processed/
#   make test   -> creates .venv, installs riset with test extras, runs the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install browser java bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[workbench,test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/riset report data/raw/studi.yaml --out data/processed

# The report test opens the HTML report in headless Chromium (Debian package `chromium`); install it where
# we may (root with apt-get), otherwise that one test is skipped with its reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium not available: the browser screenshot test will be skipped"

# The out-of-core test runs the same code on PySpark in local mode, which needs Java (Debian's OpenJDK); install
# it where we may, otherwise that test is skipped with its reason.
java:
	@command -v java >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; } || \
	  echo "java not available: the PySpark test will be skipped"

test: install browser java
	$(BIN)/python -m pytest -q

# The benchmarks against svy and R survey (benchmarks/README.md), one script at a time, each tool in its own
# process; their output (machine, load, versions, times, ratios, agreement) goes to benchmarks/last_run.txt.
# About 15 minutes on 2 cores (R svyby at 10^6 is 3 of them), plus 5-20 minutes the first time to write the
# 10^8-row Parquet files (kept in /tmp/riset_1e8, 0.3 GiB, for the next run).
bench: install
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	{ uptime; for b in tasks estimate rake bootstrap ikm; do $(BIN)/python benchmarks/bench_$$b.py || exit 1; uptime; done; \
	  $(BIN)/python benchmarks/bench_tasks.py --first-call && uptime && \
	  $(BIN)/python benchmarks/bench_tasks.py --growth && uptime && $(BIN)/python benchmarks/bench_outofcore.py && uptime; } \
	  2>&1 | tee benchmarks/last_run.txt

clean:
	rm -rf $(VENV) data/processed/*.csv data/processed/*.xlsx
