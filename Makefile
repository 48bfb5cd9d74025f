# archive-pipeline: `make run` sets everything up and normalizes the bundled samples; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RAW ?= raw
OUT ?= normalized
CORPUS ?= ../shared/corpus
SOURCE ?= wilson
WORKERS ?= 1
STAMP := $(VENV)/.installed

.PHONY: run normalize fetch harvest demo eval bench lint test validate clean help

help:
	@echo "make run       install into $(VENV) and normalize the bundled pages in $(RAW)/ into $(OUT)/"
	@echo "make test      run the whole test suite"
	@echo "make normalize RAW=... OUT=... WORKERS=N"
	@echo "make fetch     SOURCE=wilson   harvest a configured source (pipeline.toml) into $(RAW)/"
	@echo "make harvest   fetch then normalize"
	@echo "make demo      serve a local fixture site, harvest and normalize it (no internet needed)"
	@echo "make eval      CORPUS=../shared/corpus   score extraction against gold annotations"
	@echo "make bench     benchmark (PROFILE=1 for a profile, QUICK=1 for a short run, PAGES=N)"
	@echo "make validate  check $(OUT)/ against the JSON Schema"
	@echo "make lint      ruff"
	@echo "make clean     remove build and output artifacts"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

run: normalize validate

normalize: $(STAMP)
	$(BIN)/archive-pipeline normalize --raw-dir $(RAW) --out-dir $(OUT) --workers $(WORKERS)

validate: $(STAMP)
	$(BIN)/archive-pipeline validate $(OUT)

fetch: $(STAMP)
	$(BIN)/archive-pipeline fetch --source $(SOURCE) --raw-dir $(RAW)

harvest: fetch normalize

demo: $(STAMP)
	@dir=$${DEMO_DIR:-$$(mktemp -d)}; \
	$(BIN)/python demo/run_demo.py --raw-dir $$dir/raw && \
	$(BIN)/archive-pipeline normalize --raw-dir $$dir/raw --out-dir $$dir/normalized && \
	$(BIN)/archive-pipeline validate $$dir/normalized --raw-root $$dir && \
	echo "demo output: $$dir/normalized"

eval: $(STAMP)
	$(BIN)/archive-pipeline eval --corpus $(CORPUS)

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(if $(PROFILE),--profile) $(if $(QUICK),--quick) $(if $(PAGES),--pages $(PAGES))
	$(BIN)/python tools/bench_executors.py --pages $(or $(PAGES),2000) --workers 2 --json bench/results/executors.json

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench tools

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis eval-report.json bench/.cache
	rm -rf $(OUT)/*/ $(OUT)/records.jsonl $(OUT)/errors.jsonl $(OUT)/manifest.json $(OUT)/.index.jsonl $(OUT)/.lock
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
