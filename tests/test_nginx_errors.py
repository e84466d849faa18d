"""The image's nginx (docker/nginx.conf, as docker/nginx-entrypoint.sh fills it in) answers
its own errors as problem documents too (a header or request line over its buffers, a body
over client_max_body_size, a request that is not HTTP, no replica answering), and passes the
API's answers through as they are. Debian's nginx on loopback, in front of the real gunicorn."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench.server import REPO_ROOT, LiveServer, free_port
from tests.support import assert_problem

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx)")


class Nginx:
    def __init__(self, folder: Path, upstream_port: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        upstream = f"server 127.0.0.1:{upstream_port} max_fails=1 fail_timeout=2s;"
        conf = (REPO_ROOT / "docker" / "nginx.conf").read_text()
        conf = conf.replace("__LISTEN__", f"127.0.0.1:{self.port}").replace("__UPSTREAMS__", upstream)
        (folder / "nginx.conf").write_text(conf.replace("/tmp/", f"{folder}/"))  # pid and temp folders
        self.process = subprocess.Popen(
            ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(folder / "nginx.log").open("wb"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/nginx-health", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError((folder / "nginx.log").read_text())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def proxy(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), server.port)
    yield nginx
    nginx.stop()


def _fresh_id(problem: dict, response: requests.Response) -> None:
    assert len(problem["request_id"]) == 32 and response.headers["X-Request-ID"] == problem["request_id"]


@pytest.mark.parametrize(
    ("headers", "path", "status", "words"),
    [
        ({"X-Request-ID": "r" * 20_000}, "/healthz", 431, ("header", "8192 bytes")),
        ({"Authorization": "Bearer " + "k" * 64_000}, "/v1/models", 431, ("header", "8192 bytes")),
        ({}, "/v1/jobs/" + "0" * 10_000, 414, ("request line", "8192 bytes")),
    ],
    ids=["request-id-20000", "authorization-64kB", "job-path-10000"],
)
def test_nginx_limits_answer_problem_documents(
    proxy: Nginx, seed_text: str, headers: dict[str, str], path: str, status: int, words: tuple[str, ...]
) -> None:
    response = requests.get(proxy.url + path, headers=headers, timeout=30)
    _fresh_id(assert_problem(response, status, *words), response)
    answer = requests.post(f"{proxy.url}/v1/summarize", json={"text": seed_text}, timeout=120)
    assert answer.status_code == 200 and answer.json()["summary"]


def test_a_body_over_client_max_body_size_and_a_request_that_is_not_http(proxy: Nginx) -> None:
    # 200 MB for any route; 1 GiB for POST /v1/jobs (an archive as JSON Lines: MAX_JOB_BODY_BYTES).
    for path, size in (("/v1/summarize", 300_000_000), ("/v1/jobs", 1_200_000_000)):
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as raw:
            raw.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n".encode())
            raw.sendall(f"Content-Length: {size}\r\n\r\n".encode())
            answer = raw.recv(65536).decode()
        assert answer.startswith("HTTP/1.1 413") and "Content-Type: application/problem+json" in answer, path
        assert "limit of 200 MB (1 GiB for a job)" in json.loads(answer.split("\r\n\r\n", 1)[1])["detail"]
    # Between the two, a job's body gets past nginx to the API (this one has no Redis: its own 503 says so).
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as raw:
        raw.sendall(b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n")
        raw.sendall(b"Content-Length: 300000000\r\n\r\n")
        answer = raw.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 503") and "REDIS_URL" in answer
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = raw.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 400") and "Content-Type: application/problem+json" in answer
    assert json.loads(answer.split("\r\n\r\n", 1)[1])["title"] == "Bad Request"


def test_the_apis_own_problems_pass_through(proxy: Nginx) -> None:
    response = requests.post(f"{proxy.url}/v1/summarize", json={"text": " "}, timeout=30)
    assert_problem(response, 422)
    assert_problem(requests.get(f"{proxy.url}/no/such/route", timeout=30), 404)


def test_no_replica_answering_is_a_502_problem(tmp_path: Path) -> None:
    nginx = Nginx(tmp_path, free_port())  # nothing listens there
    try:
        response = requests.get(f"{nginx.url}/v1/models", timeout=60)
        problem = assert_problem(response, 502, "replica")
        _fresh_id(problem, response)
        assert response.headers["Retry-After"] == "5"
    finally:
        nginx.stop()
