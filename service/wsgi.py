"""WSGI entry point: `gunicorn service.wsgi:app`. The process bootstrap: settings are read
here, once, and passed down."""

from service.config import Settings
from service.logs import configure_logging

settings = Settings()
configure_logging(settings.log_level)

from service.app import create_app  # noqa: E402 - logging first, so loading is logged

app = create_app(settings)
