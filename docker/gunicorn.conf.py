"""gunicorn settings shared by `make run` and the Docker image; all from the environment.

The app is preloaded: the model is loaded once in the master, before the workers fork,
and its weights are shared copy-on-write. Workers are threaded (gthread), so one slow
request does not block the others of its worker."""

import os

_cores = os.cpu_count() or 1

wsgi_app = "service.wsgi:app"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
preload_app = True
# Generous: a long article on a slow CPU must never be killed mid-summary by accident.
timeout = int(os.environ.get("TIMEOUT", "300"))
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
# Longer than the usual 60 s idle timeout of load balancers, so that the proxy, not
# gunicorn, closes idle connections and never sends on one gunicorn has just closed.
keepalive = int(os.environ.get("KEEPALIVE", "75"))
backlog = int(os.environ.get("BACKLOG", "2048"))
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# No runtime control socket: nothing uses it, and it would need a writable home folder.
control_socket_disable = True

# Split the cores between workers so their torch thread pools don't oversubscribe the CPU.
# Set before the app (and torch) loads, so the master's pool already has the right size.
os.environ.setdefault("TORCH_THREADS", str(max(1, _cores // max(1, workers))))


def post_fork(server, worker):  # noqa: ANN001 - gunicorn hook signature
    import torch

    torch.set_num_threads(int(os.environ["TORCH_THREADS"]))
