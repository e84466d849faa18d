"""What happens around every request: request id, API-key check, rate limit, access log
and metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from service import edge, metrics
from service.auth import ApiKeys
from service.config import Settings
from service.errors import forbidden, unauthorized

access_log = logging.getLogger("precis.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def is_open(path: str, open_routes: tuple[str, ...]) -> bool:
    return any(path == route or (route != "/" and path.startswith(route.rstrip("/") + "/")) for route in open_routes)


def rate_limit_key() -> str:
    """Per API key when auth is on, else per client address."""
    return g.get("api_key") or get_remote_address()


# Routes opt in with @limiter.limit(configured_rate_limit, exempt_when=rate_limit_off).
limiter = Limiter(rate_limit_key, default_limits=[], headers_enabled=True)


def configured_rate_limit() -> str:
    return edge.settings().rate_limit or "1/second"


def rate_limit_off() -> bool:
    return not edge.settings().rate_limit


def install(app: Flask, settings: Settings) -> None:
    keys = ApiKeys.load(settings.api_keys, settings.api_keys_file)
    app.config["RATELIMIT_STORAGE_URI"] = settings.rate_limit_storage
    limiter.init_app(app)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        if keys.enabled and not is_open(request.path, settings.open_routes):
            _authenticate(keys)

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        route = request.url_rule.rule if request.url_rule else "unmatched"
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        metrics.REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        metrics.LATENCY.labels(route).observe(seconds)
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "bytes": response.calculate_content_length(),
                "remote": request.remote_addr,
                "api_key": g.get("api_key"),
            },
        )
        return response


def _authenticate(keys: ApiKeys) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="precis"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Send an API key as 'Authorization: Bearer KEY'.", challenge)
    name = keys.identify(token.strip())
    if name is None:
        raise forbidden("The API key is not valid.", challenge)
    g.api_key = name
