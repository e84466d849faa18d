"""WSGI entry point: `gunicorn service.wsgi:app`. The process bootstrap: settings are read
here, once, and passed down."""

from service.config import Settings, preload_torch
from service.logs import configure_logging

settings = Settings()
configure_logging(settings.log_level)
preload_torch()  # the master loads the model, then forks; each worker sizes its pool in post_fork

import logging  # noqa: E402

from models.store import ModelNotAvailable  # noqa: E402
from service.app import create_app  # noqa: E402 - logging first, so loading is logged

try:
    app = create_app(settings)
except ModelNotAvailable as exc:
    # Fail fast: a server that can never become ready helps nobody.
    logging.getLogger("precis").critical("cannot serve: %s", exc)
    raise SystemExit(3) from exc
