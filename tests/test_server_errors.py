"""Errors gunicorn answers itself, before the app sees the request (a request line or a
header over its limits, a request it cannot parse), are problem documents like every other
error, and the server keeps serving; the echoed request id is capped and sanitised. On the
real gunicorn (docker/gunicorn.conf.py's worker class)."""

from __future__ import annotations

import json
import re
import socket

import pytest
import requests

from bench.server import LiveServer
from tests.support import assert_problem, summarize

FRESH_ID = re.compile(r"^[0-9a-f]{32}$")


def _still_serving(server: LiveServer, seed_text: str) -> None:
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert summarize(server, json={"text": seed_text}).json()["summary"]


def _fresh_request_id(problem: dict, response: requests.Response) -> None:
    assert FRESH_ID.match(problem["request_id"]) and response.headers["X-Request-ID"] == problem["request_id"]


@pytest.mark.parametrize(
    ("headers", "path", "status", "words"),
    [
        ({"X-Request-ID": "r" * 20_000}, "/healthz", 431, ("headers", "8190 bytes")),
        ({"Authorization": "Bearer " + "k" * 64_000}, "/v1/models", 431, ("headers", "8190 bytes")),
        ({}, "/v1/jobs/" + "0" * 10_000, 414, ("request line", "4094 bytes")),
    ],
    ids=["request-id-20000", "authorization-64kB", "job-path-10000"],
)
def test_gunicorns_limits_answer_problem_documents(
    server: LiveServer, seed_text: str, headers: dict[str, str], path: str, status: int, words: tuple[str, ...]
) -> None:
    response = requests.get(server.url + path, headers=headers, timeout=30)
    problem = assert_problem(response, status, *words)
    assert problem["type"].endswith(("/request-header-fields-too-large", "/uri-too-long"))
    assert problem["title"] in ("Request Header Fields Too Large", "URI Too Long")
    assert "<html" not in response.text and "k" * 100 not in response.text and "r" * 100 not in response.text
    _fresh_request_id(problem, response)
    _still_serving(server, seed_text)


def test_a_request_gunicorn_cannot_parse_answers_a_problem_document(server: LiveServer, seed_text: str) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    fields = dict(line.split(": ", 1) for line in lines[1:])
    assert fields["Content-Type"] == "application/problem+json" and int(fields["Content-Length"]) == len(body)
    problem = json.loads(body)
    assert (problem["status"], problem["title"]) == (400, "Bad Request")
    assert problem["type"] == "https://precis.invalid/problems/bad-request" and problem["detail"]
    assert problem["request_id"] == fields["X-Request-ID"]
    _still_serving(server, seed_text)


@pytest.mark.parametrize(
    "given",
    ["x" * 129, "x" * 5000, "has space", "<script>", "id\tab", "ünïcode"],
    ids=["129-chars", "5000-chars", "space", "markup", "tab", "non-ascii"],
)
def test_an_unfit_request_id_is_replaced_by_a_fresh_one(server: LiveServer, given: str) -> None:
    response = requests.get(f"{server.url}/v1/models", headers={"X-Request-ID": given.encode()}, timeout=30)
    assert response.status_code == 200
    assert FRESH_ID.match(response.headers["X-Request-ID"]), response.headers["X-Request-ID"]


def test_a_fit_request_id_is_echoed(server: LiveServer, seed_text: str) -> None:
    given = "cms-42." + "a" * 121  # 128 characters of the allowed alphabet
    response = summarize(server, json={"text": seed_text}, headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given and response.json()["request_id"] == given
