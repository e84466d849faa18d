"""gunicorn's gthread worker, whose own error answers are problem documents too.

gunicorn refuses some requests before the app sees them (a request line over
LIMIT_REQUEST_LINE: 414; a header over its limits: 431; a request it cannot parse: 400) and
answers them with an HTML page of its own. This worker lets gunicorn classify and log the
error as always, then answers it with the API's one problem shape (service/errors.py) and
closes the connection, as gunicorn does. The limits themselves are unchanged.
docker/gunicorn.conf.py names it as `worker_class`."""

from __future__ import annotations

import json
import socket
import uuid
from typing import Any

from gunicorn import util
from gunicorn.http.message import Request
from gunicorn.workers.gthread import ThreadWorker

from service.errors import PROBLEM_MIME, ProblemError, problem_body

# What a client can do about each of gunicorn's own answers (any other 4xx: the request
# could not be read as HTTP).
_DETAILS = {
    414: "The request line (method, path and query) is over this server's limit of {limit_request_line} bytes.",
    431: "The request's headers are over this server's limits ({limit_request_fields} fields, "
    "{limit_request_field_size} bytes each).",
    403: "This server does not take requests forwarded this way.",
    417: "This server cannot meet the request's Expect header.",
    500: "An unexpected error occurred.",
    501: "The request's Transfer-Encoding is not supported.",
}
_MALFORMED = "The request could not be read as HTTP."
_LIMITS = ("limit_request_line", "limit_request_fields", "limit_request_field_size")  # gunicorn's settings


class _Recorder:
    """Stands in for the client's socket while gunicorn writes its error: keeps the status
    line it chose and sends nothing."""

    def __init__(self) -> None:
        self.written = b""

    def gettimeout(self) -> float | None:
        return None

    def setblocking(self, flag: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.written += data


def problem_answer(status: int, reason: str, detail: str) -> bytes:
    """A whole HTTP/1.1 answer: the problem document, with a fresh request id."""
    request_id = uuid.uuid4().hex
    slug = reason.lower().replace(" ", "-") or "error"
    body = json.dumps(problem_body(ProblemError(status, slug, reason, detail), request_id)).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_MIME}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {request_id}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ProblemThreadWorker(ThreadWorker):
    def handle_error(self, req: Request | None, client: socket.socket, addr: Any, exc: BaseException) -> None:
        recorder = _Recorder()
        super().handle_error(req, recorder, addr, exc)  # type: ignore[arg-type]  # gunicorn only writes to it
        status_line = recorder.written.split(b"\r\n", 1)[0].decode("latin-1")  # "HTTP/1.1 431 Request Header …"
        _, code, reason = (status_line.split(" ", 2) + ["", ""])[:3]
        status = int(code) if code.isdigit() else 500
        limits = {name: getattr(self.cfg, name) for name in _LIMITS}
        detail = _DETAILS.get(status, _MALFORMED).format(**limits)
        try:
            util.write_nonblock(client, problem_answer(status, reason or "Internal Server Error", detail))
        except Exception:
            self.log.debug("Failed to send error message.")
