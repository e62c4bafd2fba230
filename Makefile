# Clausewise: `make demo` runs the main job on samples/, `make test` runs the test suite.
# Everything the project needs is installed from here (venv, llama-cpp-python built once, models, Chromium, Tesseract).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CACHE_DIR := $(or $(CLAUSEWISE_CACHE_DIR),$(HOME)/.cache/clausewise)
WHEELS := $(CACHE_DIR)/wheels
LLAMA_VERSION := 0.3.36
# Portable CPU build (no -march=native); flags measured in ../shared/notes/local-llm.md.
LLAMA_CMAKE_ARGS := -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_BLAS=OFF -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF
TEST_MODEL := qwen2.5-coder-0.5b
DEMO_MODEL := qwen2.5-coder-1.5b

.PHONY: install system-deps services pg-roles llama-wheel models demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# llama-cpp-python has no binary wheel on PyPI: compile it once (about 9 minutes on 2 cores)
# into the shared cache, so every clone and CI run reuses the same wheel.
llama-wheel: $(BIN)/python
	@mkdir -p $(WHEELS)
	@if ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
		echo "llama-cpp-python $(LLAMA_VERSION): reusing wheel from $(WHEELS)"; \
	else \
		echo "llama-cpp-python $(LLAMA_VERSION): building from source once (about 9 minutes)"; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 FORCE_CMAKE=1 \
			$(BIN)/pip wheel --no-deps "llama-cpp-python==$(LLAMA_VERSION)" -w $(WHEELS); \
	fi

install: llama-wheel
	$(BIN)/pip install --quiet --find-links $(WHEELS) -e '.[dev,local]'

# Debian packages the tests and OCR need (Chromium for the browser check, Tesseract for scanned PDFs).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr tesseract-ocr-eng"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The 0.5B runs the real-model tests; the default 1.5B's tokenizer is needed to replay its recorded answers
# (chunk boundaries depend on the model's own tokenizer). Both are checked against pinned SHA-256s.
# PostgreSQL for the tests: start the local cluster if it is installed but not running.
services:
	@if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		echo "starting PostgreSQL"; \
		for v in $$(ls /etc/postgresql 2>/dev/null); do pg_ctlcluster --skip-systemctl-redirect $$v main start || true; done; \
	fi

# PostgreSQL with two roles (README "Database roles"): PG_OWNER owns the schema and migrates, PG_WRITER is the role
# the application connects as; it owns nothing and may only SELECT and INSERT on the audit tables. Creates the
# roles and the database where missing (as PG_ADMIN, a superuser or CREATEROLE role), then migrates as the owner,
# which grants the writer. Give the roles passwords (ALTER ROLE ... PASSWORD) where the cluster asks for them.
PG_ADMIN ?= postgresql://postgres@127.0.0.1:5432/postgres
PG_HOST ?= 127.0.0.1:5432
PG_DB ?= clausewise
PG_OWNER ?= clausewise_owner
PG_WRITER ?= clausewise_writer
pg-roles: install
	@printf '%s\n' \
		"SELECT 'CREATE ROLE $(PG_OWNER) LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$(PG_OWNER)') \\gexec" \
		"SELECT 'CREATE ROLE $(PG_WRITER) LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$(PG_WRITER)') \\gexec" \
		"SELECT 'CREATE DATABASE $(PG_DB) OWNER $(PG_OWNER)' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$(PG_DB)') \\gexec" \
		| psql "$(PG_ADMIN)" -v ON_ERROR_STOP=1 -q
	CLAUSEWISE_DATABASE_OWNER_URL=postgresql+psycopg://$(PG_OWNER)@$(PG_HOST)/$(PG_DB) \
		CLAUSEWISE_DATABASE_URL=postgresql+psycopg://$(PG_WRITER)@$(PG_HOST)/$(PG_DB) $(BIN)/clausewise db upgrade
	@echo "run clausewise with CLAUSEWISE_DATABASE_URL=postgresql+psycopg://$(PG_WRITER)@$(PG_HOST)/$(PG_DB)"

models: install
	$(BIN)/clausewise model install $(TEST_MODEL)
	$(BIN)/clausewise model install $(DEMO_MODEL)

demo: install system-deps
	$(BIN)/clausewise model install $(DEMO_MODEL)
	$(BIN)/clausewise ingest samples/
	$(BIN)/python scripts/compare_samples.py

lint: install
	$(BIN)/lint-imports

test: install system-deps services models lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .clausewise .pytest_cache
