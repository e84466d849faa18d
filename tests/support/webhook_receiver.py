"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1 (which the tests
allowlist in WEBHOOK_ALLOWED_HOSTS) that records what Précis POSTs and answers as the test
scripts it (tests/test_webhooks.py, tests/test_client_contract.py)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG = -1  # a scripted answer: hold the request until released
REDIRECTED = "/redirected"  # where a scripted 3xx answer points


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers the scripted statuses
    in turn (200 once they run out; a 3xx points to REDIRECTED); HANG holds the request until `release`."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.received: list[dict[str, Any]] = []
        self.released = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    answer = receiver.answers.pop(0) if receiver.answers else 200
                    row = {"path": self.path, "headers": dict(self.headers), "body": body, "answer": answer}
                    receiver.received.append(row)
                if answer == HANG:
                    receiver.released.wait(60)
                    row["answer"] = None  # its sender is gone: nobody reads this answer
                    return
                self.send_response(answer)
                if 300 <= answer < 400:  # a redirect to another path here: a sender must not follow it
                    self.send_header("Location", REDIRECTED)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/precis?site=1"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def wait(self, count: int, timeout: float = 120.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} webhook(s) of {count} after {timeout} s"
            time.sleep(0.05)
        return list(self.received)
