"""The production image, for real: built by `make image`, run with podman.

Run with `make test-docker` (PRECIS_IMAGE names the image to test)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import requests

from bench.server import REPO_ROOT, free_port
from tests.support import SEED_BOILERPLATE

IMAGE = os.environ.get("PRECIS_IMAGE", "")
pytestmark = pytest.mark.skipif(not IMAGE, reason="PRECIS_IMAGE is not set (run `make test-docker`)")

# POSTs stdin as text/plain from inside the container, to its own loopback.
INSIDE_POST = (
    "import sys, urllib.request; "
    "req = urllib.request.Request('http://127.0.0.1:8000/v1/summarize', data=sys.stdin.buffer.read(), "
    "headers={'Content-Type': 'text/plain'}); "
    "print(urllib.request.urlopen(req, timeout=60).read().decode())"
)


def podman(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=check, timeout=300, **kwargs)


def wait_healthy(name: str, timeout: float = 120.0) -> float:
    """Run the image's own HEALTHCHECK until it passes; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if podman("healthcheck", "run", name, check=False).returncode == 0:
            return time.monotonic() - started
        state = podman("inspect", "-f", "{{.State.Running}}", name).stdout.strip()
        assert state == "true", podman("logs", name, check=False).stdout
        time.sleep(0.5)
    raise AssertionError(f"{name} not healthy after {timeout} s:\n{podman('logs', name, check=False).stdout}")


@pytest.fixture(scope="module")
def container() -> Iterator[tuple[str, str]]:
    """The image as compose runs it: read-only root, tmpfs /tmp, host network on a free port."""
    name, port = f"precis-test-{uuid.uuid4().hex[:8]}", free_port()
    podman(
        "run", "-d", "--network", "host", "--read-only", "--tmpfs", "/tmp", "-e", f"PORT={port}", "--name", name, IMAGE
    )
    try:
        print(f"\n{IMAGE}: healthy {wait_healthy(name):.1f} s after start")
        yield name, f"http://127.0.0.1:{port}"
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


def test_seed_article_through_the_container(container: tuple[str, str], seed_text: str) -> None:
    _, url = container
    response = requests.post(
        f"{url}/v1/summarize", data=seed_text.encode(), headers={"Content-Type": "text/plain"}, timeout=60
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert 2 <= len(body["sentences"]) <= 4
    assert body["summary"].startswith("Negotiators from communist allies North Korea and China")
    for fragment in SEED_BOILERPLATE:
        assert fragment not in body["summary"]
    assert body["model"]["name"] == "embedded"
    print("seed summary from the container:", json.dumps(body["summary"]))


def test_cli_with_url_works_inside_the_image(container: tuple[str, str], seed_text: str) -> None:
    """The CLI and its client need only the image's runtime dependencies."""
    name, url = container
    result = podman(
        "exec",
        "-i",
        name,
        "python",
        "-m",
        "service",
        "summarize",
        "--url",
        url,
        "--no-progress",
        "--length",
        "short",
        "-",
        input=seed_text,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["id"] == "-" and len(row["sentences"]) == 2
    assert row["summary"].startswith("Negotiators from communist allies North Korea and China")


def test_runs_as_non_root(container: tuple[str, str]) -> None:
    name, _ = container
    assert podman("image", "inspect", "-f", "{{.Config.User}}", IMAGE).stdout.strip() == "precis"
    # Every process of the container, gunicorn's master and workers included.
    listing = podman(
        "exec",
        name,
        "python",
        "-c",
        "import pathlib\n"
        "for p in pathlib.Path('/proc').glob('[0-9]*'):\n"
        "    try:\n"
        "        status = (p / 'status').read_text().splitlines()\n"
        "        uid = next(line for line in status if line.startswith('Uid:')).split()[1]\n"
        "        print(uid, (p / 'cmdline').read_bytes().replace(b'\\0', b' ').decode())\n"
        "    except (OSError, StopIteration):\n"
        "        pass\n",
    ).stdout
    processes = [line.split(" ", 1) for line in listing.splitlines() if line.strip()]
    assert any("gunicorn" in cmd for _, cmd in processes), listing
    assert all(uid != "0" for uid, _ in processes), listing
    assert any(cmd.startswith("tini") for _, cmd in processes), listing


def test_image_is_lean_and_offline() -> None:
    config = json.loads(podman("image", "inspect", IMAGE).stdout)[0]["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["HF_HUB_OFFLINE"] == "1" and env["HOST"] == "0.0.0.0" and env["PORT"] == "8000"
    assert "8000/tcp" in config["ExposedPorts"]
    listing = podman(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        IMAGE,
        "-c",
        "ls -a /app; command -v gcc pip || true; ls /opt/venv/lib/python3.11/site-packages/torch",
    ).stdout
    for absent in (".git", "tests", "seeds", ".venv", "gcc", "include"):
        assert absent not in listing.split(), absent
    size = int(podman("image", "inspect", "-f", "{{.Size}}", IMAGE).stdout)
    print(f"\n{IMAGE}: {size / 1e9:.2f} GB")


def test_starts_and_serves_without_any_network(seed_text: str) -> None:
    name = f"precis-offline-{uuid.uuid4().hex[:8]}"
    podman("run", "-d", "--network", "none", "--name", name, IMAGE)
    try:
        wait_healthy(name)
        result = podman("exec", "-i", name, "python", "-c", INSIDE_POST, input=seed_text)
        assert json.loads(result.stdout)["summary"].startswith("Negotiators from communist allies")
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


def test_stop_is_graceful_with_exit_code_0() -> None:
    name, port = f"precis-stop-{uuid.uuid4().hex[:8]}", free_port()
    podman("run", "-d", "--network", "host", "-e", f"PORT={port}", "--name", name, IMAGE)
    try:
        wait_healthy(name)
        started = time.monotonic()
        podman("stop", "-t", "40", name)
        took = time.monotonic() - started
        state = json.loads(podman("inspect", name).stdout)[0]["State"]
        assert state["ExitCode"] == 0, podman("logs", name, check=False).stdout
        assert took < 40, took  # within the grace period: SIGKILL never came
        logs = podman("logs", name, check=False)
        assert "Shutting down: Master" in logs.stderr + logs.stdout
        print(f"\npodman stop took {took:.1f} s, exit code 0")
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


def test_calibrate_runs_inside_the_image() -> None:
    """A newsroom calibrates where it serves: `python -m service calibrate` needs only the
    image's runtime dependencies (rouge-score, torch), offline, read-only, as the non-root user."""
    train = REPO_ROOT.parent / "shared" / "data" / "cnndm-train.jsonl"
    if not train.is_file():
        pytest.skip(f"{train} is not present")
    with train.open(encoding="utf-8") as handle:
        rows = [json.loads(next(handle)) for _ in range(12)]
    archive = "".join(
        json.dumps({"id": r["id"], "text": r["article"], "reference": r["reference"]}) + "\n" for r in rows
    )
    script = (
        "cat > /tmp/ours.jsonl && python -m service calibrate --data /tmp/ours.jsonl --out /tmp/ours.json "
        "--ranker salience --folds 2 >&2 && cat /tmp/ours.json"
    )
    result = subprocess.run(
        [
            "podman",
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            "--read-only",
            "--tmpfs",
            "/tmp",
            IMAGE,
            "sh",
            "-c",
            script,
        ],
        input=archive,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "requirements-dev" not in result.stderr
    profile = json.loads(result.stdout)
    assert profile["name"] == "ours" and profile["ranker"] == "salience"
    assert profile["data"]["articles"] == 12
    gain = profile["evaluation"]["cross_validated"]["rouge2_minus_lead3"]
    assert gain["ci95"][0] <= gain["mean"] <= gain["ci95"][1]
