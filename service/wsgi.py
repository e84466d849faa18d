"""WSGI entry point: `gunicorn service.wsgi:app`."""

import os

from service.logs import configure_logging

configure_logging(os.environ.get("LOG_LEVEL", "INFO"))

from service.app import create_app  # noqa: E402 - logging first, so loading is logged

app = create_app()
