"""WSGI entry point: `gunicorn service.wsgi:app`. The process bootstrap: settings are read
here, once, and passed down."""

from service.config import Settings, preload_torch
from service.logs import configure_logging

settings = Settings()
configure_logging(settings.log_level)

import logging  # noqa: E402

from models.store import ModelNotAvailable  # noqa: E402
from service.app import create_app  # noqa: E402 - logging first, so loading is logged
from service.engines.device import load_after_fork  # noqa: E402

try:
    if not load_after_fork(settings.device, settings.preload_model):
        # The master loads the model, then forks; each worker sizes its pool in post_fork.
        # (Loaded after the fork, this runs in a worker, whose pool post_fork has sized.)
        preload_torch()
    app = create_app(settings)
except ModelNotAvailable as exc:  # a model not prepared, or DEVICE naming a GPU this machine lacks
    # Fail fast: a server that can never become ready helps nobody.
    logging.getLogger("precis").critical("cannot serve: %s", exc)
    raise SystemExit(3) from exc
