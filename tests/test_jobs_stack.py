"""`make run`'s launcher (python -m service.jobs.stack): API, worker and a private Redis in
one process group; a job runs out of the box; Ctrl-C stops all of it and leaves nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from bench.server import REPO_ROOT, free_port

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed (apt-get install redis-server)"
)


def _group(pgid: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) == pgid:
                found.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return found


def test_make_run_stack_serves_jobs_and_ctrl_c_stops_everything(tmp_path: Path, seed_text: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "TORCH_THREADS": "1",
        "JOB_WORKER_CONCURRENCY": "1",
        "SUMMARIZER_MODEL": "embedded",
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "stack.log").open("wb")
    # Its own session, as a terminal's foreground job would be: Ctrl-C is SIGINT to the group.
    launcher = subprocess.Popen(
        [sys.executable, "-m", "service.jobs.stack"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        job = None
        while job is None:
            assert launcher.poll() is None, (tmp_path / "stack.log").read_text()[-5000:]
            assert time.monotonic() < deadline, (tmp_path / "stack.log").read_text()[-5000:]
            try:
                response = requests.post(
                    f"{url}/v1/jobs", json={"items": [{"id": "seed", "text": seed_text}]}, timeout=10
                )
                job = response.json() if response.status_code == 202 else None
            except requests.RequestException:
                pass
            time.sleep(0.5)
        while (status := requests.get(f"{url}/v1/jobs/{job['id']}", timeout=10).json())["status"] != "succeeded":
            assert status["status"] in ("queued", "running") and time.monotonic() < deadline, status
            time.sleep(0.2)
        members = _group(launcher.pid)
        names = " ".join(" ".join(p.cmdline()) for p in members)
        assert "redis-server 127.0.0.1:" in names and "gunicorn" in names and "celery" in names, names
        redis = next(p for p in members if "redis-server" in " ".join(p.cmdline()))
        assert all(c.laddr.ip == "127.0.0.1" for c in redis.net_connections("inet") if c.status == "LISTEN")
    finally:
        os.killpg(launcher.pid, signal.SIGINT)  # Ctrl-C
        try:
            launcher.wait(90)
        finally:
            left = _group(launcher.pid)
            for process in left:
                process.kill()
            log.close()
    assert not left, [" ".join(p.cmdline()) for p in left]
    text = (tmp_path / "stack.log").read_text()
    assert "redis stopped" in text and "web stopped" in text and "worker stopped" in text, text[-3000:]
