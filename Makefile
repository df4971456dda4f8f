# ywtb 一网通办 — every target installs what it needs and is safe to run twice.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.local/bin:$(CURDIR)/.cache/bin:$(PATH)
UV ?= uv

.PHONY: help bootstrap debian-deps protos check-protos lint fmt run up down test test-unit images bench new-service clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

bootstrap: ## Install uv and the locked Python packages of every workspace member
	@bash tools/bootstrap.sh

debian-deps: ## Install the Debian packages the full stack and browser tests need (PostgreSQL, Redis, JDK, Maven, Chromium)
	@bash tools/debian_deps.sh

protos: bootstrap ## Regenerate shared/api (ywtb.api.* and their comments), docs/asyncapi.yaml and docs/error-codes.md
	@bash tools/gen_protos.sh
	@$(UV) run --frozen python tools/gen_proto_comments.py
	@$(UV) run --frozen python tools/gen_asyncapi.py
	@$(UV) run --frozen python tools/gen_error_codes.py

check-protos: protos ## Fail when regenerating the protos changes the tree
	@git diff --exit-code --stat -- shared/api protos docs/asyncapi.yaml docs/error-codes.md && \
	  test -z "$$(git status --porcelain -- shared/api protos docs/asyncapi.yaml docs/error-codes.md)" || \
	  { echo "check-protos: generated code is stale: run 'make protos' and commit" >&2; git status --porcelain -- shared/api protos docs/asyncapi.yaml docs/error-codes.md; exit 1; }

lint: bootstrap ## ruff over the Python code, mypy over ywtb.common and the services, buf lint and buf breaking
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
	@bash tools/typecheck.sh
	@bash tools/install_buf.sh
	@bash tools/lint_protos.sh

fmt: bootstrap ## Format the Python code with ruff
	@$(UV) run --frozen ruff format .
	@$(UV) run --frozen ruff check --fix .

run: bootstrap ## Run the whole platform on the embedded default (SQLite, embedded event log, built-in issuer)
	@$(UV) run --frozen python tools/run_platform.py --demo-case

up: bootstrap debian-deps ## Full local stack: PostgreSQL, Redis, Kafka (KRaft), Keycloak, then every service on it
	@bash deploy/local/up.sh
	@bash tools/platform_up.sh

down: ## Stop the services and the full local stack
	@bash tools/platform_down.sh
	@bash deploy/local/down.sh

test-unit: bootstrap ## Only the tests that need no server (fast)
	@$(UV) run --frozen pytest -m "not integration" -q

test: bootstrap debian-deps check-protos lint ## Everything CI runs: protos drift, lint, the stack, every test
	@bash tools/test.sh

images: bootstrap ## Build every component's image with podman (no registry needed) and smoke-run each as the chart runs it
	@bash tools/images.sh $(IMAGES_ARGS)

bench: bootstrap ## Every benchmark (cases/s on make up's stack, gateway vs direct gRPC, engine, RSS): one table against the targets
	@$(UV) run --frozen python tools/bench.py $(BENCH_ARGS)

new-service: bootstrap ## Scaffold a gRPC service on the kit: make new-service NAME=licence TITLE=电子证照 (registry, chart, proto, tests)
	@test -n "$(NAME)" || { echo "usage: make new-service NAME=<name> [TITLE=<中文名>]" >&2; exit 2; }
	@$(UV) run --frozen python tools/new_service.py "$(NAME)" --title "$(or $(TITLE),$(NAME))"
	@$(UV) lock --quiet && $(UV) sync --all-packages --frozen --quiet
	@$(MAKE) --no-print-directory protos
	@bash tools/test_chart.sh --update
	@$(UV) run --frozen pytest -q -m "not integration" services/$(NAME)
	@$(UV) run --frozen pytest -q -m "not integration" shared/common/tests/conformance -k "$(NAME)"
	@echo "new-service: services/$(NAME) is ready; review and commit it with deploy/, charts/, protos/, shared/api, pyproject.toml, uv.lock"

clean: down ## Stop the stack and delete run data (keeps the download cache)
	@rm -rf .run
