"""`make run`: the API, a job worker and a private Redis on one machine, under honcho.

    python -m service.jobs.stack [--procfile Procfile]

Redis listens on loopback, on a free port, with a password generated for this run, and
keeps nothing on disk; REDIS_URL (given to the API and the worker) carries both. The
processes of the Procfile run under honcho's manager, in this process group (Ctrl-C
reaches all of them) and with a parent-death signal, so none outlives this launcher; on
Ctrl-C or SIGTERM honcho stops them all. Without redis-server, or with JOBS=off, only the
API runs (in the foreground, exec'd) and one line says how to enable jobs. A REDIS_URL
already set is used as is: no local Redis is started."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from service.config import REPO_ROOT, Settings

_PR_SET_PDEATHSIG = 1


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def redis_config(port: int, password: str, folder: Path) -> str:
    """A throwaway Redis: loopback only, password required, nothing written to disk."""
    return (
        "\n".join(
            [
                "bind 127.0.0.1",
                f"port {port}",
                f"requirepass {password}",
                f"dir {folder}",
                "daemonize no",
                'save ""',
                "appendonly no",
                "protected-mode yes",
                'logfile ""',
                "databases 1",
            ]
        )
        + "\n"
    )


def start_redis_config(folder: Path) -> tuple[Path, str]:
    """Writes the config of a private Redis into `folder`; returns it and the REDIS_URL."""
    port, password = free_port(), secrets.token_urlsafe(24)
    conf = folder / "redis.conf"
    conf.write_text(redis_config(port, password, folder))
    conf.chmod(0o600)
    return conf, f"redis://:{password}@127.0.0.1:{port}/0"


def die_with_parent() -> None:
    # Runs in each child between fork and exec: SIGTERM when honcho's runner goes, however it goes.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _run_honcho(procfile: Path, env: dict[str, str], graceful_timeout: int, skip: tuple[str, ...] = ()) -> int:
    import functools

    from honcho import manager as honcho_manager
    from honcho.environ import parse_procfile
    from honcho.process import Popen, Process

    class ForegroundProcess(Process):
        """A Procfile process in our process group (honcho's default is a new session)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._child_ctor = functools.partial(Popen, start_new_session=False, preexec_fn=die_with_parent)

    class PidSignals:
        """Signals each process itself: they are not process-group leaders here."""

        def terminate(self, pid: int) -> None:
            _signal(pid, signal.SIGTERM)

        def kill(self, pid: int) -> None:
            _signal(pid, signal.SIGKILL)

    # Give gunicorn its graceful shutdown before honcho escalates to SIGKILL.
    honcho_manager.KILL_WAIT = graceful_timeout + 5
    runner = honcho_manager.Manager()
    runner._process_ctor = ForegroundProcess
    runner._procmgr = PidSignals()
    for name, command in parse_procfile(procfile.read_text()).processes.items():
        if name in skip:
            continue
        # `exec`: the shell is replaced, so the signal reaches the program itself.
        runner.add_process(name, f"exec {command}", env=env, cwd=str(REPO_ROOT))
    runner.loop()
    return runner.returncode or 0


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _api_only(reason: str, enable: str) -> None:
    print(f"jobs are off ({reason}): /v1/jobs answers 503; to enable them, {enable}.", flush=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.execv(str(gunicorn), [str(gunicorn), "-c", "docker/gunicorn.conf.py"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.jobs.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--procfile", type=Path, default=REPO_ROOT / "Procfile")
    args = parser.parse_args(argv)
    os.chdir(REPO_ROOT)
    settings = Settings()
    env = dict(os.environ)
    # The venv's gunicorn and celery first on PATH, for the Procfile's commands.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if not settings.jobs:
        _api_only("JOBS=off", "run `make run` without JOBS=off")
    if settings.redis_url:  # someone else's Redis: run no local one
        return _run_honcho(args.procfile, env, settings.graceful_timeout, skip=("redis",))
    if shutil.which("redis-server") is None:  # before any temporary folder: exec leaves none behind
        _api_only(
            "redis-server is not installed",
            "install it as root (`apt-get install redis-server`) and run `make run` again, or set REDIS_URL to a Redis",
        )
    with tempfile.TemporaryDirectory(prefix="precis-redis-") as folder:
        conf, env["REDIS_URL"] = start_redis_config(Path(folder))
        env["PRECIS_REDIS_CONF"] = str(conf)
        return _run_honcho(args.procfile, env, settings.graceful_timeout)


if __name__ == "__main__":
    sys.exit(main())
