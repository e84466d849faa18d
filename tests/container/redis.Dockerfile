# Debian's redis-server, standing in for the official redis:7.0-bookworm image of
# docker/compose.yaml where no registry is reachable (tests/container/test_compose.py;
# `make redis-image`). Same command line and data folder as the official image.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /data
EXPOSE 6379
CMD ["redis-server"]
