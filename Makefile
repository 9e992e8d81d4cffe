# Teplokarty — everything a newcomer needs: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
CHROMIUM_STAMP := $(VENV)/.chromium-tried

.PHONY: install dev demo test test-fast lint bench bench-ingest bench-ingest-pg bench-detect bench-dask bench-geocode bench-api bench-quality eval-filter bench-basemap screenshots clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Teplokarty needs Python 3.11+ (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,postgis,dask]'
	@touch $@ $(RUN_STAMP)

## install: .venv with the `heatmap` command in .venv/bin
install: $(RUN_STAMP)

# Chromium for the browser tests: the system's, else Playwright's own build, downloaded once
# per venv when none is found (no network: one line says so and those tests skip; to try
# again, .venv/bin/playwright install chromium)
$(CHROMIUM_STAMP): $(DEV_STAMP)
	@$(BIN)/python -m heatmap.devtools.suite chromium
	@touch $@

## dev: install plus test, lint and optional-engine dependencies, and Chromium for the browser tests
dev: $(DEV_STAMP) $(CHROMIUM_STAMP)

## demo: run the whole flow on the bundled samples; writes demo-out/map.html
demo: install
	$(BIN)/heatmap demo --out demo-out

## test: the whole suite on every CPU (pytest-xdist). PostGIS tests use HEATMAP_TEST_PG_DSN, or else a
## throwaway PostgreSQL+PostGIS server when its binaries are installed; browser tests the system's
## Chromium, else Playwright's; each skipped group is named at the end with why and how to run it
XDIST := -n auto --dist loadfile
test: dev
	$(BIN)/pytest $(XDIST)

## test-fast: the suite without slow tests
test-fast: dev
	$(BIN)/pytest $(XDIST) -m "not slow"

## lint: ruff (lint, complexity, format check), mypy, the import contract (layers) and sizes, all clean
lint: dev
	$(BIN)/ruff check heatmap tests benchmarks
	$(BIN)/ruff format --check heatmap tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m heatmap.devtools.layers
	$(BIN)/python -m heatmap.devtools.sizes

## bench: every benchmark, this project beside its peer (PostGIS columns need a DSN)
PG_DSN ?= $(or $(HEATMAP_TEST_PG_DSN),postgresql://postgres@127.0.0.1:5432/postgres)
bench: bench-ingest bench-ingest-pg bench-detect bench-geocode

bench-ingest: dev
	$(BIN)/python benchmarks/bench_ingest.py

bench-ingest-pg: dev
	$(BIN)/python benchmarks/bench_ingest_pg.py --dsn $(PG_DSN)

## bench-detect: kernels in-process (scikit-learn, PostGIS, h3ronpy), then whole commands
bench-detect: dev
	$(BIN)/python benchmarks/bench_detect.py --n 100000 1000000 --pg-dsn $(PG_DSN)
	$(BIN)/python benchmarks/bench_commands.py --n 300000 1000000

## bench-commands: whole commands as processes beside peer scripts (start-up, detect-file)
bench-commands: dev
	$(BIN)/python benchmarks/bench_commands.py

## perf-table: run bench-commands and bench-api, save benchmarks/results/, rewrite README's table
perf-table: dev
	$(BIN)/python benchmarks/perf_table.py

bench-dask: dev
	$(BIN)/python benchmarks/bench_dask.py --n 10000000

## bench-geocode: geocoder per class of writing on held-out cities, geocode-file, gazetteer build
bench-geocode: dev
	$(BIN)/python benchmarks/bench_geocode.py

## bench-api: wrk on loopback, point lookups beside a trivial endpoint (needs wrk)
bench-api: dev
	$(BIN)/python benchmarks/bench_api.py

## bench-quality: detection quality on planted concentrations over real registries (../shared/data)
bench-quality: dev
	$(BIN)/python benchmarks/bench_quality.py

## eval-filter: recall and precision of the comment filter on real text (../shared/data)
eval-filter: dev
	$(BIN)/python benchmarks/eval_comment_filter.py

## bench-basemap: the gazetteer basemap on real registries: build time, answer size and time per zoom
bench-basemap: dev
	$(BIN)/python benchmarks/bench_basemap.py

## screenshots: the agents' and engineers' pages at 1366x768 and 390 px, offline, into docs/ (needs Chromium)
screenshots: dev
	$(BIN)/python docs/screenshots.py --out docs

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
