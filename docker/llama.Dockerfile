# llama.cpp's OpenAI-compatible server on the CPU, with the packaged SmolLM2 GGUF baked in:
# the `llama` profile of docker/compose.yaml (the server `make llama-server` runs, as an image).
#   docker build -f docker/llama.Dockerfile -t precis-llama .
#   docker run -p 8081:8081 precis-llama        # then GENERATION_URL=http://HOST:8081/v1
# llama-cpp-python[server] (requirements-llama.txt) compiles llama.cpp from its sdist: about
# 20 minutes on two busy cores the first time. Where a registry is reachable, llama.cpp's own
# ghcr.io/ggml-org/llama.cpp:server image serves a mounted GGUF the same way (no build).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
# Compiled for any x86-64 CPU with AVX2, not the build machine's (the Makefile's LLAMA_CMAKE_ARGS):
# an image runs on other machines than the one that built it.
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 CMAKE_ARGS=-DGGML_NATIVE=OFF
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/llama
COPY requirements-llama.txt /tmp/
RUN /opt/llama/bin/pip install -r /tmp/requirements-llama.txt
WORKDIR /src
# The GGUF comes from its PyPI package (models/requirements.txt), never from a model hub.
COPY models/__init__.py models/manifest.json models/prepare.py models/store.py models/requirements.txt models/
RUN pip install --no-deps --target /tmp/model-packages -r models/requirements.txt \
 && PYTHONPATH=/tmp/model-packages python -m models.prepare smollm2-135m-instruct --store /models \
 && mv /models/*/SmolLM2-135M-Instruct.Q4_1.gguf /models/model.gguf

FROM ${BASE_IMAGE} AS runtime
# llama.cpp's CPU backend is built with OpenMP.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10002 --user-group --no-create-home --home-dir /nonexistent llama
COPY --from=build /opt/llama /opt/llama
COPY --from=build /models/model.gguf /models/model.gguf
USER llama
EXPOSE 8081
# Served under the upstream id the manifest's smollm2-135m-llamacpp asks for; a 2048-token
# context, as models/llama_server.py gives `make llama-server`.
ENTRYPOINT ["tini", "--", "/opt/llama/bin/python", "-m", "llama_cpp.server", "--model", "/models/model.gguf", \
            "--model_alias", "HuggingFaceTB/SmolLM2-135M-Instruct", "--host", "0.0.0.0", "--port", "8081"]
CMD ["--n_ctx", "2048"]
