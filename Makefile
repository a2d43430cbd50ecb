# Greenlane: `make run` (install + demo data + serve on 127.0.0.1:5000), `make test` (install + whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
BENCH_DB ?=

.PHONY: run test install install-test assets db demo lint bench clean

run: install assets db demo ## install, migrate, seed demo data and serve the site
	SESSION_COOKIE_SECURE=0 $(FLASK) run --host $(HOST) --port $(PORT)

test: install-test assets ## install test tools (Chromium from apt) and run the whole suite
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r core program standards app.py
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

assets: node_modules/@uswds/uswds/package.json ## copy USWDS (npm) into static/uswds
	@mkdir -p static/uswds
	@cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js \
	      node_modules/@uswds/uswds/dist/fonts node_modules/@uswds/uswds/dist/img static/uswds/

node_modules/@uswds/uswds/package.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

db: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) seed demo

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r core program standards app.py

bench: install-test ## benchmarks on SQLite: figures and ratios to same-run baselines (PostgreSQL: see README)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/screen.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/http.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/request_cpu.py $(if $(BENCH_DB),--database-url $(BENCH_DB))

clean:
	rm -rf $(VENV) node_modules static/uswds instance screenshots
