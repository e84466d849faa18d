"""Prometheus metrics, correct across gunicorn workers.

With PROMETHEUS_MULTIPROC_DIR set (docker/gunicorn.conf.py sets it), every process writes
its samples to that folder and /metrics sums them (prometheus_client multiprocess mode);
without it (a single process) the default registry is used."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,  # noqa: F401 - re-exported for the route
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64)
_COUNT_BUCKETS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)

REQUESTS = Counter(
    "precis_http_requests_total", "HTTP requests by route, method and status.", ["route", "method", "status"]
)
LATENCY = Histogram(
    "precis_http_request_duration_seconds", "HTTP request latency by route.", ["route"], buckets=_LATENCY_BUCKETS
)
INFERENCE = Histogram("precis_inference_duration_seconds", "Engine time per micro-batch.", buckets=_LATENCY_BUCKETS)
BATCH_SIZE = Histogram("precis_batch_size", "Articles per micro-batch.", buckets=_SIZE_BUCKETS)
QUEUE_DEPTH = Gauge("precis_queue_depth", "Articles waiting for the model.", multiprocess_mode="livesum")
INPUT_SENTENCES = Histogram("precis_input_sentences", "Sentences per cleaned article.", buckets=_COUNT_BUCKETS)
INPUT_TOKENS = Histogram(
    "precis_input_tokens", "Model tokens per article (abstractive engines).", buckets=_COUNT_BUCKETS
)
OUTPUT_SENTENCES = Histogram("precis_output_sentences", "Sentences per summary.", buckets=_COUNT_BUCKETS)
CACHE_LOOKUPS = Counter("precis_cache_lookups_total", "Response cache lookups by result.", ["result"])
MODEL_LOAD_SECONDS = Gauge("precis_model_load_seconds", "Time the model took to load.", multiprocess_mode="max")
MODEL_READY = Gauge(
    "precis_model_ready", "1 when the model is loaded and serving.", ["model", "engine"], multiprocess_mode="max"
)


def render_metrics(multiproc_dir: str) -> bytes:
    if multiproc_dir:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY)


def mark_worker_dead(pid: int, multiproc_dir: str) -> None:
    """Called by gunicorn when a worker exits, so its live gauges stop counting."""
    if multiproc_dir:
        multiprocess.mark_process_dead(pid, multiproc_dir)
