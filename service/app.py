"""The Flask app factory."""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, jsonify
from flask.json.provider import DefaultJSONProvider
from flask_swagger_ui import get_swaggerui_blueprint

from service import metrics, middleware
from service.api import api
from service.auth import ApiKeys
from service.config import Settings
from service.edge import install_runtime
from service.engines.base import Engine
from service.errors import register_error_handlers
from service.jobs.api import jobs_api
from service.jobs.backend import install_backend
from service.openapi import openapi_document
from service.runtime import Runtime


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Flask:
    """Build the app. Given an engine, serve it (the model store is never touched);
    otherwise load SUMMARIZER_MODEL's (synchronously unless MODEL_LOAD=background).

    Under gunicorn the app is preloaded, so the model is loaded once in the master and
    shared copy-on-write by the forked workers."""
    settings = settings or Settings()
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    json_provider = cast(DefaultJSONProvider, app.json)  # Flask's default provider class
    json_provider.ensure_ascii = False  # keep “quotes” and accents readable
    json_provider.sort_keys = False
    runtime = Runtime(settings, engine)
    install_runtime(app, runtime)
    register_error_handlers(app)
    middleware.install(app, settings)
    app.register_blueprint(api)
    app.register_blueprint(jobs_api)
    install_backend(app, settings)
    _register_docs(app, settings)
    runtime.model.start()
    return app


def _register_docs(app: Flask, settings: Settings) -> None:
    document = openapi_document(settings, ApiKeys.load(settings.api_keys, settings.api_keys_file).enabled)

    @app.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(document)

    @app.get("/")
    def editors_page() -> Response:
        return app.send_static_file("index.html")

    @app.get("/metrics")
    def metrics_route() -> Response:
        return Response(
            metrics.render_metrics(settings.prometheus_multiproc_dir), content_type=metrics.CONTENT_TYPE_LATEST
        )

    # Swagger UI from the flask-swagger-ui package: its assets are served from here, no CDN.
    app.register_blueprint(get_swaggerui_blueprint("/docs", "/openapi.json", config={"app_name": "Précis API"}))
