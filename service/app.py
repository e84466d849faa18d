"""The Flask app factory."""

from __future__ import annotations

from flask import Flask

from service.api import api
from service.config import Settings
from service.errors import register_error_handlers
from service.runtime import Runtime


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app and start loading its model (synchronously unless MODEL_LOAD=background).

    Under gunicorn the app is preloaded, so the model is loaded once in the master and
    shared copy-on-write by the forked workers."""
    settings = settings or Settings.from_env()
    if settings.torch_threads > 0:
        import torch

        torch.set_num_threads(settings.torch_threads)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # keep “quotes” and accents readable
    app.json.sort_keys = False  # type: ignore[attr-defined]
    runtime = Runtime(settings)
    app.extensions["precis.runtime"] = runtime
    register_error_handlers(app)
    app.register_blueprint(api)
    runtime.model.start()
    return app
