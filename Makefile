# Two commands: `make run` (set up and serve on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint setup deps dev-deps migrate seed translations bench browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt requirements.txt $(VENV)/.deps
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

CATALOGUE := lms/translations/en/LC_MESSAGES/messages
translations: deps $(CATALOGUE).mo

# Compiled only when the catalogue changed: two test runs started together never rewrite it under each other.
$(CATALOGUE).mo: $(CATALOGUE).po
	$(BIN)/pybabel compile --use-fuzzy -d lms/translations -f >/dev/null

migrate: deps
	mkdir -p instance
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask demo seed --if-empty

run: translations seed
	@echo "Mở http://127.0.0.1:$(PORT) — tài khoản demo: admin, hr, trainer, learner; mật khẩu Demo@2017"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: dev-deps translations
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: dev-deps
	$(BIN)/ruff check lms tests bench wsgi.py

bench: dev-deps
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache
