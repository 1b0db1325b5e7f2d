# Two commands on a fresh machine with Python >= 3.11 and make:
#   make report   -> .venv, install, clean the bundled sample data, build the default year's reports
#   make test     -> lint + the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
YEAR ?= 2024
STAMP := $(VENV)/.installed

.PHONY: report clean-data test lint bench sample fonts help

help:
	@echo "make report   clean data/raw and build outputs/$(YEAR)/ (creates .venv when missing)"
	@echo "make test     ruff + pytest"
	@echo "make bench    run benchmarks/ and print ratios"
	@echo "make sample   regenerate data/raw from scripts/make_sample_data.py"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $(STAMP)

# The bundled CJK font is built once per machine from the pip package (about 7 s on 2 cores), then cached.
fonts: $(STAMP)
	@$(BIN)/python -m analysis.present.fonts path

clean-data: $(STAMP)
	$(BIN)/enforcement clean --raw data/raw --out data/processed

report: clean-data fonts
	$(BIN)/enforcement report --year $(YEAR)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

test: lint fonts
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

sample: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py --out data/raw
