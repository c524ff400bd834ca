# qualitykit: the readable entry point. `make help` lists every target.
# Fail closed: bash with -e, -u and pipefail in every recipe; no swallowed exit codes.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --warn-undefined-variables

export UV_PYTHON_DOWNLOADS := never
export PYRIGHT_PYTHON_IGNORE_WARNINGS := 1

PYTHON ?= python3
# uv when it is on PATH, else a private copy in a venv of its own under .qualitykit/: a system
# Python that is externally managed (PEP 668, Debian's and Ubuntu's) refuses `pip install`.
# The interpreter itself (not a shim or a symlink's name): uv keeps .venv while it matches.
PYTHON_EXE = $(shell $(PYTHON) -c 'import os, sys; print(os.path.realpath(sys.executable))')
BOOTSTRAP := .qualitykit/bootstrap
UV_ON_PATH := $(shell command -v uv 2>/dev/null)
UV := $(or $(UV_ON_PATH),$(BOOTSTRAP)/bin/uv)
VENV := .venv
# The environment is synced from uv.lock whenever pyproject.toml or uv.lock is newer than this.
SYNCED := $(VENV)/.synced
# Tools run straight from the synced environment (uv run would add ~0.1 s to every call).
RUN := $(VENV)/bin/python -m
PYTEST_BASE := -p no:cacheprovider
# The slowest tests of each longer suite, in its output: where CI's 30 minutes go.
DURATIONS := --durations=12
# make mutation MUTATION_ARGS='--shard 1/4'; make mutation-changed MUTATION_BASE=main
MUTATION_ARGS ?=
TRIAGE_ARGS ?=
MUTATION_BASE ?= origin/main
# Where Debian's chromium package puts the browser the report's e2e test drives.
CHROMIUM ?= /usr/bin/chromium

.PHONY: help install quality ruff-format ruff-lint mypy pyright vulture actionlint zizmor makefile
.PHONY: policy coverage badge badge-check ratchet baseline baseline-update mutation mutation-changed
.PHONY: summary report triage test test-slow unit integration regression browser e2e benchmark format hooks lock clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(BOOTSTRAP)/bin/uv:
	@echo "qualitykit: installing uv into $(BOOTSTRAP) with $(PYTHON_EXE) ($$($(PYTHON) -V 2>&1))"
	$(PYTHON) -m venv $(BOOTSTRAP)
	$(BOOTSTRAP)/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.9,<1'

$(SYNCED): pyproject.toml uv.lock | $(if $(UV_ON_PATH),,$(BOOTSTRAP)/bin/uv)
	@echo "qualitykit: syncing $(VENV) from uv.lock with $(PYTHON_EXE) ($$($(PYTHON) -V 2>&1))"
	$(UV) sync --locked --python "$(PYTHON_EXE)"
	@touch $@

install: $(SYNCED) ## Install uv if missing, then sync .venv from uv.lock
quality: $(SYNCED) ## Run the whole gate in parallel and print one summary
	$(RUN) qualitykit gate

ruff-format: $(SYNCED) ## Gate step: ruff format --check (never rewrites)
	$(RUN) qualitykit check $@
ruff-lint: $(SYNCED) ## Gate step: ruff check --no-fix
	$(RUN) qualitykit check $@
mypy: $(SYNCED) ## Gate step: mypy --strict
	$(RUN) qualitykit check $@
pyright: $(SYNCED) ## Gate step: pyright (strict)
	$(RUN) qualitykit check $@
vulture: $(SYNCED) ## Gate step: dead code (vulture, with vulture_whitelist.py)
	$(RUN) qualitykit check $@
actionlint: $(SYNCED) ## Gate step: actionlint on .github/workflows
	$(RUN) qualitykit check $@
zizmor: $(SYNCED) ## Gate step: zizmor --offline on .github/workflows
	$(RUN) qualitykit check $@
makefile: $(SYNCED) ## Gate step: this Makefile (mbake format check, make parse)
	$(RUN) qualitykit check $@
policy: $(SYNCED) ## Gate step: repository policies (the gate-integrity self-audit)
	$(RUN) qualitykit check $@
coverage: $(SYNCED) ## Gate step: the suite under coverage (branch), floors per group, ratchet
	$(RUN) qualitykit check coverage
badge-check: $(SYNCED) ## Gate step (badge): the committed badge matches the measured coverage
	$(RUN) qualitykit check badge
badge: $(SYNCED) ## Write docs/assets/coverage.svg (+ its figures) from the measured coverage
	$(RUN) qualitykit coverage badge
ratchet: $(SYNCED) ## Accept the measured coverage as the new baseline (coverage-baseline.json)
	$(RUN) qualitykit coverage ratchet --update
baseline: $(SYNCED) ## Record today's findings (qualitykit-baseline.json): the gate fails on new ones only
	$(RUN) qualitykit baseline
baseline-update: $(SYNCED) ## Remove fixed findings from the baseline (it only ever shrinks)
	$(RUN) qualitykit baseline --update
mutation: $(SYNCED) ## Mutation testing of [tool.qualitykit.mutation] modules (score in the README)
	$(RUN) qualitykit mutation run $(MUTATION_ARGS)
mutation-changed: $(SYNCED) ## Mutation testing of the lines changed since $(MUTATION_BASE) only
	$(RUN) qualitykit mutation run --changed --base $(MUTATION_BASE) $(MUTATION_ARGS)
summary: $(SYNCED) ## Show the last gate results without running anything
	$(RUN) qualitykit summary
report: $(SYNCED) ## Write .qualitykit/report/index.html: gate, findings, coverage, mutation, triage, trends
	$(RUN) qualitykit report
triage: $(SYNCED) ## Run the suite once: clustered failures, delta, repro in reports/<STAMP>/
	$(RUN) qualitykit triage $(if $(TRIAGE_ARGS),-- $(TRIAGE_ARGS))

# The fast suite is the gate's coverage step ([tool.qualitykit.steps.coverage]: not slow, on 2
# processes): one run gives the tests' verdict and the figures, and `make quality` reuses it
# while no input changed. pytest's own output: .qualitykit/logs/coverage.log.
test: $(SYNCED) ## The fast suite (unit + integration + regression, not slow) under coverage
	$(RUN) qualitykit check coverage
# The slow tests run on two processes (real third-party repos, each in its own tmp dir and venv;
# incremental property runs); those marked serial (mutation kills and resumes) time their
# signals and run alone, after them. The two marker sets make up every slow test. loadgroup:
# the tests of an xdist_group share one worker (the hook-repo tests: one pre-commit store).
test-slow: $(SYNCED) ## Only the slow tests (real third-party repos, e2e, mutation kills)
	$(RUN) pytest $(PYTEST_BASE) $(DURATIONS) -m "slow and not serial" -n 2 --dist loadgroup tests
	$(RUN) pytest $(PYTEST_BASE) $(DURATIONS) -m "slow and serial" tests
unit: $(SYNCED) ## Unit tests only
	$(RUN) pytest $(PYTEST_BASE) tests/unit
integration: $(SYNCED) ## Integration tests (real tools on repos in tmp_path)
	$(RUN) pytest $(PYTEST_BASE) -m "not slow" tests/integration
regression: $(SYNCED) ## Regression tests (gate step: qualitykit check regression)
	$(RUN) pytest $(PYTEST_BASE) tests/regression
# The report's browser test drives Debian's chromium (Playwright, executable_path): installed
# here when missing, as root; otherwise one line says how, and e2e stops (never skips it).
browser: ## Install Debian's chromium for the report's browser test when it is missing (root)
	@test -x $(CHROMIUM) || test "$$(id -u)" = 0 || { echo "qualitykit: $(CHROMIUM) is missing: as root run apt-get update && apt-get install -y chromium" >&2; exit 1; }
	@test -x $(CHROMIUM) || { apt-get update && apt-get install -y chromium; }
e2e: $(SYNCED) browser ## End-to-end: the gate on fixture repos, from the outside (not slow)
	$(RUN) pytest $(PYTEST_BASE) $(DURATIONS) -m "not slow" -n 2 tests/e2e
benchmark: $(SYNCED) ## Side-by-side timings of the gate (prints ratios)
	$(RUN) benchmarks.gate

format: $(SYNCED) ## Rewrite code: ruff format and ruff check --fix (asked for, never in the gate)
	$(RUN) ruff format .
	$(RUN) ruff check --fix .
hooks: $(SYNCED) ## Install the pre-commit (commit), commit-msg and pre-push git hooks
	$(RUN) pre_commit install --hook-type pre-commit --hook-type commit-msg --hook-type pre-push
lock: ## Refresh uv.lock after editing dependencies
	$(UV) lock
clean: ## Remove generated state (.qualitykit/)
	rm -rf .qualitykit
