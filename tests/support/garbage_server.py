"""A local HTTP stub that speaks the OpenAI routes but answers garbage: the one fault the real
llama.cpp server cannot be made to show (tests/test_remote_engine.py uses the real one for the rest)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL_ID = "garbage-model"
# What /v1/chat/completions answers, by the model asked for: not JSON, JSON without choices, an empty completion.
ANSWERS = {
    "not-json": b"<html>502 upstream proxy says hello</html>",
    "no-choices": json.dumps({"id": "x", "object": "chat.completion", "choices": []}).encode(),
    "empty": json.dumps({"choices": [{"message": {"role": "assistant", "content": "  "}}]}).encode(),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._answer(json.dumps({"object": "list", "data": [{"id": MODEL_ID, "object": "model"}]}).encode())

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        self._answer(ANSWERS.get(body.get("model"), ANSWERS["not-json"]))

    def _answer(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@contextmanager
def garbage_server() -> Iterator[str]:
    """The stub on a free loopback port, for as long as the block runs; yields its base URL (…/v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
