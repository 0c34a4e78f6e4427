# Two front-door commands: `make demo` and `make test`. Everything else is setup they pull in.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
export PATH := $(ROOT)/.tools/bin:$(ROOT)/node_modules/.bin:$(ROOT)/.venv/bin:$(PATH)
export PYSPARK_PYTHON := $(ROOT)/.venv/bin/python
export PYTHONPATH := $(ROOT)/spark/src
export NODE_NO_WARNINGS := 1

NODE_STAMP := .tools/bin/node
NPM_STAMP := node_modules/.install-stamp
VENV_STAMP := .venv/.install-stamp
BUNDLE := .build/contracts.bundle.json
LOCALFS_JAR := .build/spark-localfs/pipeline-localfs.jar

.PHONY: help setup demo test lint typecheck test-ts test-py lint-sql test-infra java clean clean-local

help:
	@echo "make demo   run the whole pipeline locally on generated sample data"
	@echo "make test   run every test and check"

## --- setup (installs on first use, no-ops afterwards) ---------------------------------
$(NODE_STAMP): scripts/ensure-node.sh
	@scripts/ensure-node.sh

$(NPM_STAMP): package.json package-lock.json $(NODE_STAMP)
	@echo "installing npm packages"
	@# `npm install` (it follows package-lock.json): npm 11's `npm ci` under Node 22 wrongly reports the
	@# lock file's optional platform packages (biome, duckdb bindings) as missing.
	@npm install --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV_STAMP): spark/requirements-dev.txt
	@echo "creating the Python virtualenv (.venv) with PySpark"
	@test -x .venv/bin/python || python3 -m venv .venv
	@.venv/bin/pip install --quiet --disable-pip-version-check -r spark/requirements-dev.txt
	@touch $@

$(BUNDLE): $(NPM_STAMP) $(wildcard contracts/*.yaml) $(wildcard src/contracts/*.ts)
	@tsx src/cli/main.ts contracts bundle --out $@

java:
	@scripts/check-java.sh

# Local mode's file:// file system without a forked chmod per folder (spark/localfs).
$(LOCALFS_JAR): $(VENV_STAMP) spark/localfs/build.sh $(wildcard spark/localfs/src/pipeline/localfs/*.java)
	@spark/localfs/build.sh "$$(python -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')" $@

setup: $(NPM_STAMP) $(VENV_STAMP) $(BUNDLE) java $(LOCALFS_JAR)

## --- front door ------------------------------------------------------------------------
demo: setup
	@tsx src/cli/main.ts demo --stage demo

test: setup lint typecheck test-ts test-py test-infra
	@echo "all tests and checks passed"

## --- checks ----------------------------------------------------------------------------
lint: $(NPM_STAMP) $(VENV_STAMP) lint-sql
	@biome check .
	@ruff check spark
	@ruff format --check spark

lint-sql: $(VENV_STAMP)
	@sqlfluff lint sql --dialect redshift --processes 2

typecheck: $(NPM_STAMP)
	@tsc --noEmit -p tsconfig.json

test-ts: $(NPM_STAMP) $(BUNDLE)
	@vitest run

test-py: $(VENV_STAMP) $(BUNDLE) java $(LOCALFS_JAR)
	@cd spark && pytest -q

test-infra: $(NPM_STAMP) $(VENV_STAMP) $(BUNDLE)
	@scripts/test-infra.sh

# Build outputs only: the local stages under .local/ hold data (files dropped by hand included).
clean:
	rm -rf .build .serverless dist

# Every local stage with its raw zone, warehouse and runs: only when asked for by name.
clean-local:
	@test "$(FORCE)" = 1 || { echo "make clean-local deletes every local stage under .local/ (raw files included): make clean-local FORCE=1"; exit 1; }
	rm -rf .local

## --- Spark job packaging and benchmark (spark/) ---------------------------------------------
.PHONY: schemas spark-package bench-spark bench-spark-plan-reuse bench-spark-big-file bench-spark-big-file-job bench-generator bench-warehouse bench-pipeline
# The exchanged documents' JSON Schemas (src/documents -> spark/src/pipeline_spark/schemas/, committed; a test
# fails while they differ from what src/documents exports). The Spark package carries them.
schemas: $(NPM_STAMP)
	@tsx scripts/export-document-schemas.ts

spark-package: $(VENV_STAMP) schemas
	@python spark/build.py --out .build/spark

bench-spark: $(VENV_STAMP) $(BUNDLE) java $(LOCALFS_JAR)
	@python bench/spark/run.py

# How fast a warm small day could be with no per-run planning at all (an experiment, not the job).
bench-spark-plan-reuse: $(VENV_STAMP) $(BUNDLE) java $(LOCALFS_JAR)
	@python bench/spark/plan_reuse.py

bench-spark-big-file: $(VENV_STAMP) $(BUNDLE) java $(LOCALFS_JAR)
	@python bench/spark/big_file.py

bench-spark-big-file-job: $(VENV_STAMP) $(BUNDLE) java $(LOCALFS_JAR)
	@python bench/spark/big_file.py --whole-job

## --- other benchmarks (results in bench/results/) ------------------------------------------------
bench-generator: $(NPM_STAMP)
	@tsx bench/generator/run.ts

bench-warehouse: $(NPM_STAMP) $(BUNDLE)
	@tsx bench/warehouse/run.ts

bench-pipeline: setup
	@tsx bench/pipeline/run.ts
