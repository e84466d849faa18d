"""llama.cpp's OpenAI-compatible server on a prepared GGUF model, for the `openai-compatible`
engine (service/engines/remote.py): `make llama-server`, the tests and bench/remote_engine.py.

    python -m models.llama_server [--model smollm2-135m-llamacpp] [--host 127.0.0.1] [--port 8081] [--print]

The server is `llama-cpp-python[server]` in its own virtualenv (.venv-llama: `make llama-venv`),
so its FastAPI and pydantic pins never meet the service's. It runs in the foreground in its
own process group; Ctrl-C or SIGTERM here stops the group."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from models.prepare import default_store, prepare
from models.store import load_manifest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "smollm2-135m-llamacpp"
CONTEXT_TOKENS = 2048  # the server's context window (n_ctx); Précis plans its chunks to fit it


def llama_python() -> Path:
    """The server's interpreter: `make llama-venv` builds its virtualenv here."""
    return REPO_ROOT / ".venv-llama" / "bin" / "python"


def gguf_path(name: str = DEFAULT_MODEL, store: Path | None = None) -> Path:
    """The GGUF file a manifest entry's server runs: its `served_from` model, prepared if need be."""
    entry = load_manifest()[name]
    served = entry.get("served_from", name)
    folder = prepare(served, store or default_store())
    gguf = load_manifest()[served].get("gguf_file")
    if not gguf:
        raise SystemExit(f"model {served!r} has no GGUF file for llama.cpp")
    return folder / gguf


def command(
    name: str = DEFAULT_MODEL, host: str = "127.0.0.1", port: int = 8081, threads: int | None = None
) -> list[str]:
    """The server's command line; the model is served under the manifest's id, which the engine asks for."""
    args = [
        str(llama_python()),
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf_path(name)),
        "--model_alias",
        load_manifest()[name]["hub_id"],
        "--host",
        host,
        "--port",
        str(port),
        "--n_ctx",
        str(CONTEXT_TOKENS),
        # Its default cuts a running stream short whenever another request arrives; Précis sends
        # concurrent requests and streams, so each must run to its end (or to the client leaving).
        "--interrupt_requests",
        "false",
    ]
    return args + (["--n_threads", str(threads)] if threads else [])


def server_env(host: str, port: int) -> dict[str, str]:
    """The server's environment. llama-cpp-python's server lets HOST and PORT override its
    --host and --port, and `make` exports both for Précis itself (PORT=8000)."""
    return {**os.environ, "HOST": host, "PORT": str(port)}


class LlamaServer:
    """The server as a child process in its own process group, for the tests and the bench:
    started on a free port, stopped, killed or frozen (SIGSTOP: a server that hangs) on demand."""

    def __init__(self, log_path: Path, name: str = DEFAULT_MODEL, port: int = 0, threads: int | None = None) -> None:
        self.log_path = log_path
        self.port = port or _free_port()
        self.argv = command(name, "127.0.0.1", self.port, threads)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 180.0) -> LlamaServer:
        with self.log_path.open("ab") as log:
            process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=server_env("127.0.0.1", self.port),
            )
        self.process = process
        self._wait_for_model_list(process, timeout)
        self._generate_once(process, timeout)
        return self

    def _wait_for_model_list(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise self._failure(f"exited ({process.returncode})")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise self._failure(f"did not answer within {timeout:g} s")

    def _generate_once(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        """One one-token completion: a server that lists its model but cannot compute (a build for
        another CPU dies on its first request) fails here with its exit status, not as 503s later."""
        body = json.dumps({"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 1}).encode()
        request = urllib.request.Request(
            f"{self.url}/chat/completions", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                answer.read()
        except OSError as error:
            try:
                status: int | None = process.wait(timeout=2)  # a crashed server's signal, once reaped
            except subprocess.TimeoutExpired:
                status = None
            raise self._failure(f"failed its first completion ({error}; exit status {status})") from error

    def _failure(self, what: str) -> RuntimeError:
        return RuntimeError(f"llama.cpp's server {what}:\n{self.log()[-2000:]}")

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL, as a crashed or evicted server."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self) -> None:
        self.signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
        self.signal(signal.SIGTERM)
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.is_file() else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.llama_server", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="an openai-compatible manifest entry")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--threads", type=int, help="llama.cpp's threads (default: its own choice)")
    parser.add_argument("--print", action="store_true", help="print the command line and exit")
    args = parser.parse_args(argv)
    argv_ = command(args.model, args.host, args.port, args.threads)
    if args.print:
        print(" ".join(argv_))
        return 0
    if not llama_python().exists():
        print(f"error: {llama_python()} is missing: run `make llama-venv`", file=sys.stderr)
        return 1
    # its own process group
    server = subprocess.Popen(argv_, start_new_session=True, env=server_env(args.host, args.port))

    def stop(signum: int, _frame: object) -> None:
        os.killpg(server.pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return server.wait()


if __name__ == "__main__":
    sys.exit(main())
