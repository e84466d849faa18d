# Précis: `make run` serves the embedded default on 127.0.0.1:8000; `make test` runs the tests.
# Both set everything up first (virtualenv, pinned packages, the embedded model).

PYTHON ?= python3
VENV ?= .venv
# llama.cpp's server (models/llama_server.py runs it from this folder)
LLAMA_VENV := .venv-llama
# llama.cpp compiled for any x86-64 CPU with AVX2, never for the build machine's own (GGML_NATIVE):
# a native build crashed (SIGSEGV) on its first request on an AMX machine, and a native wheel copied
# to a CPU without the builder's features cannot run. pip's wheel cache is keyed by the sdist alone
# and would hand back any earlier build, so this wheel gets its own folder: rename it with the flags.
LLAMA_VERSION := $(shell sed -n 's/^llama-cpp-python\[server\]==//p' requirements-llama.txt)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
LLAMA_WHEELS := $(HOME)/.cache/precis/llama-wheels/not-native
# openapi-python-client for the client contract test (tests/contract/requirements.txt: its pins fight the service's)
CLIENT_VENV := .venv-client
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
# One variable names the model: `make run MODEL=x` and `SUMMARIZER_MODEL=x make run` agree,
# and whichever is given is prepared before serving.
MODEL ?= $(or $(SUMMARIZER_MODEL),embedded)
SUMMARIZER_MODEL := $(MODEL)
export SUMMARIZER_MODEL
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

IMAGE ?= localhost/precis:test
NGINX_IMAGE ?= localhost/precis-nginx:test
# Debian's redis-server standing in for the official redis image that compose names (no registry here).
REDIS_IMAGE ?= localhost/precis-redis:test
# Builds with podman on machines without a Docker engine or registry (see ../shared/tools).
CONTAINER_BUILD ?= ../shared/tools/container-build.sh
# Empty here: torch comes from this machine's wheel store. `docker build` defaults to PyTorch's CPU index.
TORCH_INDEX_URL ?=

.PHONY: contract-tools nginx llama-venv llama-server lint run redis wordpress wordpress-packages test-wordpress test test-docker test-stack test-compose redis-image bench image nginx-image install install-dev model browser audit lock clean

# The API (gunicorn, docker/gunicorn.conf.py), a job worker and a private Redis (loopback, free
# port, generated password) under honcho (Procfile); Ctrl-C or SIGTERM stops all three. Without
# redis-server (or with JOBS=off) only the API runs, and /v1/jobs answers 503.
run: install model redis
	$(PY) -m service.jobs.stack

# llama.cpp's OpenAI-compatible server on 127.0.0.1:8081 with the packaged SmolLM2 GGUF, in the
# foreground and its own process group (Ctrl-C stops it); then `make run MODEL=smollm2-135m-llamacpp`.
llama-server: install llama-venv
	$(PY) -m models.llama_server --host 127.0.0.1 --port $(or $(LLAMA_PORT),8081)

# Debian's redis-server for jobs, installed when missing (as root); if it cannot be, `make run`
# still serves the synchronous API.
redis:
	@command -v redis-server >/dev/null || [ "$$JOBS" = off ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; } || echo "redis-server could not be installed (not root?): make run will serve without jobs"

# A WordPress on 127.0.0.1:$(WP_PORT) with the Précis plugin active and pointed at PRECIS_URL (default: `make run`'s
# http://127.0.0.1:8000) with PRECIS_API_KEY: Debian's wordpress, its own MariaDB (a Unix socket only) and PHP's server,
# all in .wordpress/ (installed there when missing); the admin's application password in .wordpress/credentials.json.
WP_PORT ?= 8088
wordpress: install wordpress-packages
	$(PY) -m integrations.wordpress.stack --port $(WP_PORT)

# Debian's WordPress 6.1, a theme (without one no page has a <head>), PHP 8.2 and MariaDB, installed when missing (as root).
WORDPRESS_PACKAGES := wordpress wordpress-theme-twentytwentythree php-cli php-mysql mariadb-server
wordpress-packages:
	@{ [ -d /usr/share/wordpress/wp-content/themes/twentytwentythree ] && command -v php >/dev/null && php -m | grep -qx mysqli && [ -x /usr/sbin/mariadbd ]; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(WORDPRESS_PACKAGES); }

# The plugin in a real WordPress against a real Précis (gunicorn, Redis, a Celery worker): tests/wordpress.
test-wordpress: install-dev model redis wordpress-packages
	$(PY) -m pytest tests/wordpress

# The tests also use SmolLM2 (the offline abstractive demo) and its tokenizer, llama.cpp's
# server (tests/test_remote_engine.py), Debian's Chromium for the editors' page, and the client
# generators of tests/test_client_contract.py and Debian's nginx (tests/test_nginx_errors.py: docker/nginx.conf).
test: install-dev model browser nginx redis lint llama-venv contract-tools
	$(PY) -m models.prepare smollm2-135m-instruct
	# The fast tier, distilled from the prepared MiniLM (about 15 s on an idle 2-core machine).
	$(PY) -m models.prepare embedded-fast
	$(PY) -m pytest --ignore=tests/container --ignore=tests/wordpress

# ruff's rules and formatter, mypy and the import graph's contracts (import-linter), each configured
# in pyproject.toml; a finding fails `make test`.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The tables of docs/PERFORMANCE.md (about 40 minutes on 2 cores; not part of make test).
# Stop any other server or heavy job first: the benchmarks share the machine's cores.
bench: install-dev model
	$(PY) -m models.prepare smollm2-135m-instruct
	$(PY) -m bench.engine_speed --articles 8 --batch-sizes 1 4 8
	$(PY) -m bench.quantization --model embedded
	$(PY) -m bench.quantization --model smollm2-135m-instruct --variant bf16 --limit 48
	$(PY) -m bench.quantization --model smollm2-135m-instruct --variant int8 --limit 24
	$(PY) -m bench.load --models embedded --count 200
	$(PY) -m bench.load --models smollm2-135m-instruct --count 16 --concurrency 1 4 16
	$(PY) -m bench.load --models distilbart-shaped --count 8 --concurrency 1 16
	$(PY) -m bench.load --models distilbart-shaped --count 8 --concurrency 16 --quantize int8
	$(PY) -m bench.memory
	$(PY) -m bench.memory --model smollm2-135m-instruct --requests 4
	$(PY) -m bench.jobs
	$(PY) -m models.prepare embedded-fast
	$(PY) -m bench.tiers --count 200
	$(PY) -m bench.stages

nginx:
	@command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx; }

browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

# Known vulnerabilities in the pinned runtime dependencies (asks PyPI's advisory data).
audit: install-dev
	$(PIP) install -q pip-audit==2.10.1
	$(VENV)/bin/pip-audit --progress-spinner off -r requirements.txt

image:
	bash $(CONTAINER_BUILD) . $(IMAGE) --format docker --build-arg MODEL=$(MODEL) --build-arg TORCH_INDEX_URL=$(TORCH_INDEX_URL)

test-docker: install-dev image nginx-image redis-image
	PRECIS_IMAGE=$(IMAGE) PRECIS_NGINX_IMAGE=$(NGINX_IMAGE) PRECIS_REDIS_IMAGE=$(REDIS_IMAGE) $(PY) -m pytest -s tests/container

# nginx in front of API replicas (docker/nginx.Dockerfile), for compose and the stack test.
nginx-image:
	bash $(CONTAINER_BUILD) . $(NGINX_IMAGE) --format docker -f docker/nginx.Dockerfile

redis-image:
	bash $(CONTAINER_BUILD) tests/container $(REDIS_IMAGE) --format docker -f tests/container/redis.Dockerfile

# docker/compose.yaml for real with podman-compose: API replicas, a worker, Redis and nginx; a summary and a job.
test-compose: install-dev image nginx-image redis-image
	PRECIS_IMAGE=$(IMAGE) PRECIS_NGINX_IMAGE=$(NGINX_IMAGE) PRECIS_REDIS_IMAGE=$(REDIS_IMAGE) $(PY) -m pytest -s tests/container/test_compose.py

# Two API replicas behind nginx, restarted one after the other under load: no request fails.
test-stack: install-dev image nginx-image
	PRECIS_IMAGE=$(IMAGE) PRECIS_NGINX_IMAGE=$(NGINX_IMAGE) $(PY) -m pytest -s tests/container/test_stack.py

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
llama-venv: $(LLAMA_VENV)/.installed-not-native
model: $(VENV)/.installed
	$(PY) -m models.prepare $(MODEL)

$(VENV)/.installed: requirements.txt models/requirements.txt models/requirements-distill.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements.txt
	# Model packages only carry weights: their declared dependencies are not needed.
	$(PIP) install -q --no-deps -r models/requirements.txt
	# model2vec distils the fast tier at prepare time; its [distill] extra's pins would replace transformers.
	$(PIP) install -q --no-deps -r models/requirements-distill.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

# llama.cpp's server in its own virtualenv (its FastAPI/pydantic pins stay out of the service's).
# The first build compiles llama.cpp from the sdist (cmake, g++; 5 to 20 minutes on 2 cores);
# the wheel in $(LLAMA_WHEELS) makes every later one a copy. The stamp's name changed with the
# flags, so a virtualenv holding an earlier native build is made anew.
$(LLAMA_VENV)/.installed-not-native: requirements-llama.txt
	rm -rf $(LLAMA_VENV)
	$(PYTHON) -m venv $(LLAMA_VENV)
	ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(LLAMA_VENV)/bin/python -m pip --disable-pip-version-check wheel -q \
	    --no-deps --no-cache-dir --no-binary llama-cpp-python -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	$(LLAMA_VENV)/bin/python -m pip --disable-pip-version-check install -q \
	  --find-links $(LLAMA_WHEELS) --only-binary llama-cpp-python -r requirements-llama.txt
	touch $@

# The client generators of tests/test_client_contract.py: openapi-python-client in its own virtualenv,
# openapi-typescript and tsc from npm (tests/contract/package-lock.json).
contract-tools: $(CLIENT_VENV)/.installed tests/contract/node_modules/.installed

$(CLIENT_VENV)/.installed: tests/contract/requirements.txt
	test -x $(CLIENT_VENV)/bin/python || $(PYTHON) -m venv $(CLIENT_VENV)
	$(CLIENT_VENV)/bin/python -m pip --disable-pip-version-check install -q -r tests/contract/requirements.txt
	touch $@

tests/contract/node_modules/.installed: tests/contract/package.json tests/contract/package-lock.json
	cd tests/contract && npm ci --no-audit --no-fund
	touch $@

# Fit the extractive ranker to a newsroom's articles and summaries ({"id", "text"|"html"|"sentences", "reference"}
# a line, .jsonl or .jsonl.gz) and write a profile for RANKER_PROFILE: make calibrate DATA=ours.jsonl OUT=ours.json [RANKER=salience]
calibrate: install model
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m service.calibration --data $(DATA) --out $(or $(OUT),profile.json) --ranker $(or $(RANKER),weighted)

clean:
	rm -rf $(VENV) $(CLIENT_VENV) tests/contract/node_modules .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# requirements.lock: the same pins with sha256 hashes of the files pip chose here (CPython
# 3.11, x86-64 Linux), for `pip install --require-hashes -r requirements.lock`.
lock: install
	rm -rf build/lock && $(PIP) download -q --no-deps -r requirements.txt -d build/lock
	$(PY) -c "$$LOCK_SCRIPT" requirements.txt build/lock > requirements.lock

define LOCK_SCRIPT
import hashlib, pathlib, re, sys
norm = lambda s: re.sub(r"[-_.]+", "-", s).lower()
files = {norm(re.split(r"-\d", p.name, maxsplit=1)[0]): p for p in pathlib.Path(sys.argv[2]).iterdir()}
print("# Generated by `make lock` from requirements.txt; hashes of the files chosen on CPython 3.11, x86-64 Linux.")
for line in pathlib.Path(sys.argv[1]).read_text().splitlines():
    if "==" not in line or line.startswith("#"):
        continue
    name = line.split("==")[0]
    digest = hashlib.sha256(files[norm(name)].read_bytes()).hexdigest()
    print(f"{line} \\\n    --hash=sha256:{digest}")
endef
export LOCK_SCRIPT
