"""DEVICE: where the Hugging Face engines run, what every answer reports of it, and the two
ways a server loads its model (before gunicorn forks on a CPU, after it on a GPU).

This machine has no GPU, and no test needs one: `auto` must say `cpu`, `cuda` must stop the
server at start with one clear line and exit 3, and the post-fork loading path a GPU needs
is run for real on the CPU (PRELOAD_MODEL=off)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from bench.server import REPO_ROOT, LiveServer, free_port
from models.store import ModelNotAvailable
from service.config import Settings
from service.domain.summary import Engine
from service.engines.device import DeviceUnavailable, load_after_fork, resolve_device
from service.engines.generative import GenerativeEngine

SEED = REPO_ROOT / "seeds" / "north-korea-china-talks.txt"


def _without_device() -> dict[str, str]:
    """This process's environment, less any DEVICE or PRELOAD_MODEL a developer has set."""
    return {k: v for k, v in os.environ.items() if k not in {"DEVICE", "PRELOAD_MODEL"}}


def test_auto_resolves_to_the_cpu_here_and_cuda_is_refused() -> None:
    assert resolve_device("auto").device == "cpu"
    assert resolve_device("cpu").device == "cpu"
    for requested in ("cuda", "cuda:0", "cuda:3"):
        with pytest.raises(DeviceUnavailable, match=rf"DEVICE={requested} but torch sees"):
            resolve_device(requested)
    # It is a ModelNotAvailable: every bootstrap that refuses an unprepared model refuses it too.
    assert issubclass(DeviceUnavailable, ModelNotAvailable)
    # Only the CPU loads before the fork unless told otherwise.
    assert not load_after_fork("auto", "auto")
    assert load_after_fork("cpu", "off")


def test_device_setting_rejects_what_is_not_a_device() -> None:
    for bad in ("gpu", "cuda:", "cuda:x", "mps"):
        with pytest.raises(ValueError):
            Settings(device=bad)


def test_every_answer_reports_device_and_dtype(client: FlaskClient, engine: Engine, seed_text: str) -> None:
    assert engine.info.device == "cpu"
    dtype = {"int8": "int8", "off": "float32", "bf16": "bfloat16"}[engine.info.precision]
    ready = client.get("/readyz").get_json()
    assert (ready["device"], ready["dtype"]) == ("cpu", dtype)
    [entry] = client.get("/v1/models").get_json()["models"]
    assert (entry["device"], entry["dtype"]) == ("cpu", dtype)
    summary = client.post("/v1/summarize", json={"text": seed_text}).get_json()
    assert (summary["model"]["device"], summary["model"]["dtype"]) == ("cpu", dtype)
    batch = client.post("/v1/summarize/batch", json={"items": [{"id": "seed", "text": seed_text}]}).get_json()
    assert batch["items"][0]["result"]["model"]["device"] == "cpu"


def test_a_generative_model_on_the_cpu_reports_its_precision_as_dtype(
    load_tiny: Callable[..., Engine], tiny_models: dict[str, Path]
) -> None:
    engine = load_tiny(tiny_models["llama"], device="auto", quantize="off")
    assert (engine.info.device, engine.info.precision) == ("cpu", "off")
    assert isinstance(engine, GenerativeEngine)
    assert next(engine.model.parameters()).device.type == "cpu"


def test_the_app_factory_refuses_a_gpu_it_does_not_have() -> None:
    from service.app import create_app

    with pytest.raises(DeviceUnavailable, match="DEVICE=cuda but torch sees"):
        create_app(Settings(model="embedded", device="cuda"))


def test_the_cli_exits_3_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service", "summarize", str(SEED), "--no-progress"],
        cwd=REPO_ROOT,
        env={**_without_device(), "DEVICE": "cuda"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DEVICE=cuda but torch sees" in lines[0], result.stderr


@pytest.mark.parametrize("preload", ["auto", "off"])
def test_gunicorn_exits_3_at_start_with_one_line(preload: str) -> None:
    """Through docker/gunicorn.conf.py (make run and the image), preloading or not: the
    master refuses before forking a worker."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "docker/gunicorn.conf.py"],
        cwd=REPO_ROOT,
        env={**_without_device(), "DEVICE": "cuda", "PRELOAD_MODEL": preload, "PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Booting worker" not in result.stdout + result.stderr  # refused before any fork
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "DEVICE=cuda" in line]
    assert lines == ["precis: cannot serve: DEVICE=cuda but torch sees " + lines[0].split("torch sees ")[1]]


def test_bare_gunicorn_on_the_wsgi_module_exits_3() -> None:
    """`gunicorn service.wsgi:app` without the config loads the app in the worker, after the
    fork: the worker refuses with one log line and gunicorn stops with the same exit code."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{free_port()}", "service.wsgi:app"],
        cwd=REPO_ROOT,
        env={**_without_device(), "DEVICE": "cuda"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    refusals = [json.loads(line) for line in result.stdout.splitlines() if "cannot serve" in line]
    assert len(refusals) == 1 and refusals[0]["level"] == "CRITICAL", result.stdout
    assert "DEVICE=cuda but torch sees" in refusals[0]["message"]


def test_the_job_worker_exits_3_with_one_line() -> None:
    """The Celery job worker refuses before its pool forks (no broker needed to get there)."""
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "service.jobs", "worker", "--queues", "precis-jobs", "--without-mingle"],
        cwd=REPO_ROOT,
        env={**_without_device(), "DEVICE": "cuda", "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    refusals = [json.loads(line) for line in result.stdout.splitlines() if "cannot start" in line]
    assert len(refusals) == 1 and refusals[0]["level"] == "CRITICAL", result.stdout
    assert "DEVICE=cuda but torch sees" in refusals[0]["message"]


@pytest.mark.parametrize(("preload", "expected"), [("auto", True), ("off", False)])
def test_gunicorn_config_preloads_on_the_cpu_unless_told_not_to(preload: str, expected: bool) -> None:
    """What docker/gunicorn.conf.py decides here (no GPU): preload or not, and one worker per
    core either way (one worker per GPU is only for a GPU)."""
    from service.config import available_cores

    env = {**_without_device(), "PRELOAD_MODEL": preload}
    env.pop("WEB_CONCURRENCY", None)
    read = (
        "import json, runpy; c = runpy.run_path('docker/gunicorn.conf.py'); "
        "print(json.dumps([c['preload_app'], c['workers']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", read], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [expected, available_cores()]


def test_post_fork_loading_serves_a_real_summary(tmp_path: Path, seed_text: str) -> None:
    """PRELOAD_MODEL=off: the path a GPU takes, on the CPU. The master forks first and each
    worker loads its own model (two 'ready' lines, each after its worker booted), then serves."""
    live = LiveServer(
        tmp_path / "gunicorn.log",
        **{"PRELOAD_MODEL": "off", "WEB_CONCURRENCY": "2", "TORCH_THREADS": "1"},
    )
    live.start()
    try:
        ready = requests.get(f"{live.url}/readyz", timeout=120)
        assert ready.status_code == 200 and ready.json()["device"] == "cpu"
        answer = requests.post(f"{live.url}/v1/summarize", json={"text": seed_text, "length": "short"}, timeout=120)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["sentences"]) == 2 and body["model"]["device"] == "cpu"
        # The same summary as the preloaded in-process engine gives.
        assert body["summary"].startswith("Negotiators from communist allies North Korea and China met")
    finally:
        assert live.stop() == 0
    log = live.log()
    messages = [json.loads(line)["message"] for line in log.splitlines() if line.startswith("{")]
    booted = [i for i, m in enumerate(messages) if m.startswith("Booting worker")]
    loaded = [i for i, m in enumerate(messages) if m.startswith("model 'embedded' ready")]
    assert len(booted) == 2 and len(loaded) == 2, log
    assert min(loaded) > min(booted), log  # loaded in the workers, after the fork
