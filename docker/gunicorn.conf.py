"""gunicorn settings shared by `make run` and the Docker image, from service.config.Settings.

On a CPU the app is preloaded: the model is loaded once in the master, before the workers
fork, and its weights are shared copy-on-write. On a GPU (DEVICE, service/engines/device.py)
CUDA must not be initialised before the fork, so each worker imports the app and loads its
own model after it: one worker per GPU by default. Workers are threaded (gthread), so requests of a
worker can wait together for a micro-batch. On SIGTERM gunicorn stops accepting, lets
in-flight requests finish within GRACEFUL_TIMEOUT, and exits 0."""

import contextlib
import ctypes
import gc
import os
import shutil
import sys
import tempfile
from typing import cast

from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker

from service.config import Settings, available_cores, configure_torch
from service.engines.device import DeviceUnavailable, load_after_fork, resolve_device

# Prometheus multiprocess mode: every process writes its samples here, /metrics sums them.
# Set, and emptied of a previous run's samples, before the app (and prometheus_client) loads.
_metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="precis-metrics-"))
shutil.rmtree(_metrics_dir, ignore_errors=True)
os.makedirs(_metrics_dir, exist_ok=True)
settings = Settings()
try:
    # Resolved here, in the master, without initialising CUDA (NVML counts the GPUs).
    _gpu = resolve_device(settings.device).gpu
    _after_fork = load_after_fork(settings.device, settings.preload_model)
except DeviceUnavailable as exc:
    # One line and exit 3 at start, never a traceback per request.
    print(f"precis: cannot serve: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(3) from None

wsgi_app = "service.wsgi:app"
bind = f"{settings.host}:{settings.port}"
# One worker per core by default, each with cores ÷ workers torch threads (below). On 2
# cores, 2 workers × 1 thread served 1.4× the articles/s of 1 worker × 2 threads at
# concurrency 16 (embedded and SmolLM2 alike): separate processes run cleaning, Python and
# the model side by side instead of contending for one GIL. One client alone (keep-alive
# keeps it on one worker) gets one core: TORCH_THREADS=2 gives it back to the extractive
# model, at a 5-10% cost under load. The model is still loaded once (preload, below).
# A worker that loads its own model after the fork holds a whole copy: on a GPU, one worker
# (one model) per GPU, with threads and the micro-batcher for concurrency.
workers = settings.web_concurrency or (1 if _gpu else available_cores())
# gthread, whose own error answers (414, 431, 400 before the app sees the request) are
# problem documents like every other error (service/gunicorn_worker.py).
worker_class = "service.gunicorn_worker.ProblemThreadWorker"
# Enough threads per worker for a micro-batch to fill (MAX_BATCH_SIZE is 8 by default).
threads = settings.threads
preload_app = not _after_fork
# Generous: a long article on a slow CPU must never be killed mid-summary by accident
# (REQUEST_TIMEOUT_S answers such a request with 504 well before this).
timeout = settings.timeout
graceful_timeout = settings.graceful_timeout
# Longer than the usual 60 s idle timeout of load balancers, so that the proxy, not
# gunicorn, closes idle connections and never sends on one gunicorn has just closed.
keepalive = settings.keepalive
backlog = settings.backlog
# The app writes its own JSON access log line (with the request id); gunicorn's own
# messages go out as JSON too.
accesslog = None
loglevel = settings.log_level.lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.logs.json_formatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": loglevel.upper()},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        # precis.access already logs every request, with its request id.
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
# No runtime control socket: nothing uses it, and it would need a writable home folder.
control_socket_disable = True

# glibc gives each thread that allocates its own heap arena (up to 8 per core), and every
# arena keeps freed memory: with 16 request threads a worker's private memory doubled.
# Two arenas measured no slower. Set here, in the master, so that every worker inherits it.
_M_ARENA_MAX = -8
with contextlib.suppress(OSError, AttributeError):  # not glibc
    ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, settings.malloc_arena_max)


def pre_fork(server: Arbiter, worker: Worker) -> None:
    # Move everything the master loaded out of the garbage collector's sight: a collection
    # in a worker would otherwise write to (and so copy) every page holding those objects.
    gc.collect()
    gc.freeze()


def post_fork(server: Arbiter, worker: Worker) -> None:
    configure_torch(settings, workers)


def child_exit(server: Arbiter, worker: Worker) -> None:
    from service.metrics import mark_worker_dead

    # The arbiter set it to the child's pid at fork; the stubs type the "[booting]" placeholder before that.
    mark_worker_dead(cast(int, worker.pid), _metrics_dir)
