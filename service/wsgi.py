"""WSGI entry point: `gunicorn service.wsgi:app`."""

import logging
import os

logging.basicConfig(
    level=os.environ.get("LOG_LEVEL", "INFO").upper(),
    format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
)

from service.app import create_app  # noqa: E402 - logging first, so loading is logged

app = create_app()
