"""docker/compose.yaml, run for real with podman-compose: two API replicas, a job worker, Redis
and nginx on the file's own network; one summary and one job through nginx, and nginx really
spreads requests over both replicas. The llama, vllm and GPU variants are rendered and checked
(their images need a 20-minute llama.cpp build, a registry or a GPU; see test_deploy.py too).

Run with `make test-compose` (or `make test-docker`): PRECIS_IMAGE, PRECIS_NGINX_IMAGE and
PRECIS_REDIS_IMAGE name the images (`make image nginx-image redis-image`; the last is Debian's
redis-server standing in for the official redis image, which no registry here serves)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from bench.server import REPO_ROOT, free_port

IMAGE = os.environ.get("PRECIS_IMAGE", "")
NGINX_IMAGE = os.environ.get("PRECIS_NGINX_IMAGE", "")
REDIS_IMAGE = os.environ.get("PRECIS_REDIS_IMAGE", "")
pytestmark = pytest.mark.skipif(
    not (IMAGE and NGINX_IMAGE and REDIS_IMAGE),
    reason="PRECIS_IMAGE, PRECIS_NGINX_IMAGE and PRECIS_REDIS_IMAGE are not set (run `make test-compose`)",
)
COMPOSE = REPO_ROOT / "docker" / "compose.yaml"
GPU = REPO_ROOT / "docker" / "compose.gpu.yaml"
PODMAN_COMPOSE = str(Path(sys.executable).with_name("podman-compose"))


def compose(
    env: dict[str, str], *args: str, files: tuple[Path, ...] = (COMPOSE,), check: bool = True
) -> subprocess.CompletedProcess[str]:
    argv = [PODMAN_COMPOSE, *(f"--file={path}" for path in files), *args]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"{' '.join(argv)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def podman(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[str, str]]:
    """The default services of docker/compose.yaml, as a project of their own, nginx on a free port."""
    project = f"precis-compose-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {
        **os.environ,
        "COMPOSE_PROJECT_NAME": project,
        "PRECIS_IMAGE": IMAGE,
        "PRECIS_NGINX_IMAGE": NGINX_IMAGE,
        "REDIS_IMAGE": REDIS_IMAGE,
        "PRECIS_PORT": str(port),
        "REDIS_PASSWORD": uuid.uuid4().hex,
    }
    try:
        compose(env, f"--project-name={project}", "up", "--detach", "--no-build")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while True:
            try:
                if requests.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, _logs(project)
            time.sleep(1)
        yield url, project
        print(f"\ncompose logs:\n{_logs(project)[-6000:]}")
    finally:
        compose(env, f"--project-name={project}", "down", "--volumes", "--timeout", "10", check=False)


def _containers(project: str, service: str) -> list[str]:
    listing = podman(
        "ps",
        "--all",
        "--filter",
        f"label=io.podman.compose.project={project}",
        "--filter",
        f"label=com.docker.compose.service={service}",
        "--format",
        "{{.Names}}",
    )
    return sorted(listing.stdout.split())


def _logs(project: str) -> str:
    names = podman("ps", "--all", "--filter", f"label=io.podman.compose.project={project}", "--format", "{{.Names}}")
    return "\n".join(f"--- {name}\n{podman('logs', '--tail', '40', name).stdout}" for name in names.stdout.split())


def _summaries_served(container: str) -> int:
    """POST /v1/summarize answers this replica logged (the app's JSON access log)."""
    lines = (json.loads(line) for line in podman("logs", container).stdout.splitlines() if line.startswith("{"))
    return sum(1 for line in lines if line.get("path") == "/v1/summarize" and line.get("status") == 200)


def test_a_summary_through_nginx_and_both_replicas_serve(stack: tuple[str, str], seed_text: str) -> None:
    url, project = stack
    apis = _containers(project, "api")
    assert len(apis) == 2, apis
    assert len(_containers(project, "worker")) == 1 and len(_containers(project, "redis")) == 1
    answers = [requests.post(f"{url}/v1/summarize", json={"text": seed_text}, timeout=120) for _ in range(8)]
    assert {answer.status_code for answer in answers} == {200}, [a.text[:300] for a in answers]
    body = answers[0].json()
    assert body["model"]["name"] == "embedded" and len(body["sentences"]) == 3
    assert (body["model"]["device"], body["model"]["dtype"]) == ("cpu", "int8")  # DEVICE=auto, no GPU here
    assert body["summary"].startswith("Negotiators from communist allies North Korea and China met")
    served = {name: _summaries_served(name) for name in apis}
    # nginx balanced over both replicas that compose's DNS gave it for `api`.
    assert sum(served.values()) == 8 and all(served.values()), served


def test_a_job_through_nginx_runs_on_the_worker(stack: tuple[str, str], seed_text: str) -> None:
    url, _ = stack
    items = [{"id": "seed", "text": seed_text}, {"id": "short", "text": seed_text, "length": "short"}]
    created = requests.post(f"{url}/v1/jobs", json={"items": items}, timeout=30)
    assert created.status_code == 202, created.text
    location = created.headers["Location"]
    deadline = time.monotonic() + 300
    while (status := requests.get(f"{url}{location}", timeout=10).json())["status"] != "succeeded":
        assert status["status"] in ("queued", "running") and time.monotonic() < deadline, status
        time.sleep(0.5)
    rows = [json.loads(line) for line in requests.get(f"{url}{location}/results", timeout=30).text.splitlines()]
    assert [(row["id"], row["status"]) for row in rows] == [("seed", 200), ("short", 200)]
    assert [len(row["result"]["sentences"]) for row in rows] == [3, 2]


def _config(*args: str, files: tuple[Path, ...] = (COMPOSE,)) -> dict[str, Any]:
    rendered = compose(dict(os.environ), *args, "config", files=files)
    return yaml.safe_load(rendered.stdout)


def test_the_profiles_and_the_gpu_variant_render() -> None:
    """podman-compose's own reading of the files: each profile adds its server, the GPU file
    reserves a GPU for one worker per container (what cannot run on this machine)."""
    assert sorted(_config()["services"]) == ["api", "nginx", "redis", "worker"]
    llama = _config("--profile=llama")["services"]
    assert llama["llama"]["build"]["dockerfile"] == "docker/llama.Dockerfile"
    assert llama["api"]["environment"]["GENERATION_URL"] == "http://llama:8081/v1"
    vllm = _config("--profile=vllm")["services"]["vllm"]
    assert vllm["deploy"]["resources"]["reservations"]["devices"][0]["driver"] == "nvidia"
    gpu = _config(files=(COMPOSE, GPU))["services"]
    for service in ("api", "worker"):
        assert gpu[service]["environment"]["DEVICE"] == "cuda"
        assert gpu[service]["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert gpu["api"]["environment"]["WEB_CONCURRENCY"] == "1"
    args = gpu["api"]["build"]["args"]  # a list of KEY=value once podman-compose merged the two files
    assert "TORCH_VARIANT=cu128" in args or args.get("TORCH_VARIANT") == "cu128", args
