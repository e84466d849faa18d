"""Two API replicas behind nginx, for real (podman): restarted one after the other while a
load runs through nginx, and not one request fails.

Run with `make test-stack` (or `make test-docker`): PRECIS_IMAGE and PRECIS_NGINX_IMAGE
name the images (`make image nginx-image`)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from bench.server import free_port

IMAGE = os.environ.get("PRECIS_IMAGE", "")
NGINX_IMAGE = os.environ.get("PRECIS_NGINX_IMAGE", "")
pytestmark = pytest.mark.skipif(
    not (IMAGE and NGINX_IMAGE), reason="PRECIS_IMAGE and PRECIS_NGINX_IMAGE are not set (run `make test-stack`)"
)


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=check, timeout=300)


def wait_healthy(name: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if podman("healthcheck", "run", name, check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"{name} not healthy after {timeout} s:\n{podman('logs', name, check=False).stdout[-3000:]}")


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[str, list[str]]]:
    """nginx on a free port in front of two API containers on their own free ports."""
    tag = uuid.uuid4().hex[:8]
    ports = [free_port(), free_port()]
    apis = [f"precis-api{i}-{tag}" for i in (1, 2)]
    nginx, nginx_port = f"precis-nginx-{tag}", free_port()
    try:
        for name, port in zip(apis, ports, strict=True):
            # One worker with one torch thread each: two replicas share this machine's cores.
            podman(
                "run",
                "-d",
                "--network",
                "host",
                "--read-only",
                "--tmpfs",
                "/tmp",
                "-e",
                f"PORT={port}",
                "-e",
                "WEB_CONCURRENCY=1",
                "-e",
                "TORCH_THREADS=1",
                "-e",
                "GRACEFUL_TIMEOUT=20",
                "--name",
                name,
                IMAGE,
            )
        podman(
            "run",
            "-d",
            "--network",
            "host",
            "--read-only",
            "--tmpfs",
            "/tmp",
            "-e",
            f"NGINX_PORT={nginx_port}",
            "-e",
            f"NGINX_UPSTREAMS=127.0.0.1:{ports[0]} 127.0.0.1:{ports[1]}",
            "--name",
            nginx,
            NGINX_IMAGE,
        )
        for name in apis:
            wait_healthy(name)
        wait_healthy(nginx)
        yield f"http://127.0.0.1:{nginx_port}", apis
        # nginx says why it answered 502 or gave up on a replica: shown when a test fails.
        print(f"\nnginx log:\n{podman('logs', nginx, check=False).stderr[-6000:]}")
    finally:
        for name in (*apis, nginx):
            podman("rm", "-f", "-t", "0", name, check=False)


def _load(url: str, text: str, stop: threading.Event, outcomes: Counter[str]) -> None:
    session = requests.Session()
    while not stop.is_set():
        try:
            response = session.post(f"{url}/v1/summarize", json={"text": text, "length": "short"}, timeout=60)
            outcomes["ok" if response.status_code == 200 else f"status {response.status_code}"] += 1
        except requests.RequestException as exc:
            outcomes[type(exc).__name__] += 1


def test_rolling_restart_behind_nginx_fails_no_request(stack: tuple[str, list[str]], seed_text: str) -> None:
    url, apis = stack
    stop, outcomes = threading.Event(), Counter[str]()
    threads = [threading.Thread(target=_load, args=(url, seed_text, stop, outcomes)) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        for name in apis:
            before = outcomes["ok"]
            # SIGTERM: gunicorn stops accepting and finishes what it has; nginx sends the rest on.
            podman("stop", "-t", "40", name)
            podman("start", name)
            # Straight on to the next, as an orchestrator does once a replica is ready:
            # nginx may still hold a failure mark on the one that just came back.
            wait_healthy(name)
            assert outcomes["ok"] > before  # the load kept being served through the restart
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
    print(f"\nthrough nginx during two rolling restarts: {dict(outcomes)}")
    assert outcomes["ok"] > 0
    assert set(outcomes) == {"ok"}, dict(outcomes)
