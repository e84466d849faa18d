"""The real parts of jobs, for the tests and bench.jobs: a private redis-server on a free
loopback port (password generated, nothing on disk) and Celery worker processes.

Both are real subprocesses; stop() always leaves nothing behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
from redis import Redis
from redis.exceptions import RedisError

from bench.server import REPO_ROOT
from service.jobs.queue import QUEUES
from service.jobs.stack import start_redis_config


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server")
        conf, self.url = start_redis_config(self.folder)
        self._log = (self.folder / "redis.log").open("wb")
        self.process = subprocess.Popen([binary, str(conf)], stdout=self._log, stderr=subprocess.STDOUT)
        client = self.client()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except RedisError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited: {(self.folder / 'redis.log').read_text()}") from None
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer")

    def client(self) -> Redis:
        return Redis.from_url(self.url)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self._log.close()


class Worker:
    """`python -m celery -A service.jobs worker`, prefork, as a real subprocess."""

    def __init__(self, log_path: Path, redis_url: str, concurrency: int = 1, queues: str = QUEUES, **env: str) -> None:
        """`queues`: the default pool's; a tier's pool consumes `precis-jobs.<model>` (service/jobs/queue.py)."""
        self.log_path = log_path
        self.concurrency = concurrency
        self.queues = queues
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "SUMMARIZER_MODEL": "embedded",
            "JOB_WORKER_CONCURRENCY": str(concurrency),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180.0) -> Worker:
        self._log = self.log_path.open("ab")
        name = f"{self.log_path.stem}-{os.getpid()}-{time.monotonic_ns()}@%h"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "service.jobs",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(self.concurrency),
                "--queues",
                self.queues,
                "--hostname",
                name,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}:\n{self.log()[-5000:]}")
            if " ready." in self.log() and len(self.pool_pids()) == self.concurrency:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the worker was not ready within {timeout} s:\n{self.log()[-5000:]}")

    def pool_pids(self) -> list[int]:
        """The pool's processes (the ones that run chunks)."""
        if self.process is None or self.process.poll() is not None:
            return []
        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill_pool_process(self) -> int:
        """kill -9 one pool process (the parent starts a new one)."""
        pid = self.pool_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """kill -9 the whole worker, main process and pool, as when its machine dies: nothing
        acknowledges or gives back the chunk it holds."""
        assert self.process is not None
        _sigkill([self.process.pid, *self.pool_pids()])
        self.process.wait()

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is None:
            return
        children = self.pool_pids()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        _sigkill(children)  # never leave a pool process behind
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _sigkill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
