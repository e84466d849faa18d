"""Soak: drive a live server at fixed concurrency for a fixed time with real articles mixed
with bad inputs; report requests, responses by status, and the server's memory (PSS) at start and end.

    python -m bench.soak [--url http://127.0.0.1:8000] [--seconds 600] [--concurrency 32]

Without --url it starts its own server (docker/gunicorn.conf.py) on a free loopback port.
Every loop stops by itself at the deadline; traffic goes to the given URL only (loopback)."""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.common import load_articles

BAD_INPUTS: list[dict] = [
    {"data": b'{"text": "unterminated', "headers": {"Content-Type": "application/json"}},
    {"data": b"\xff\xfe\x00 not utf-8", "headers": {"Content-Type": "text/plain"}},
    {"data": b'["an", "array"]', "headers": {"Content-Type": "application/json"}},
    {"json": {"text": "   "}},
    {"json": {"text": "x", "max_sentences": -1}},
    {"json": {"html": "<<<>>>" * 200}},
    {"data": b"a=b", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"json": {"text": "Clifford Coonan\n\nREAD MORE"}},
]


def server_memory_kib(pid: int) -> int:
    """Memory of a process and its children (gunicorn's master and workers), KiB, as the sum
    of their PSS: pages a worker shares with the master copy-on-write count once, not twice."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total


def soak(url: str, seconds: float, concurrency: int, bad_share: float = 0.2) -> dict:
    articles = [a["article"] for a in load_articles()]
    deadline = time.monotonic() + seconds
    statuses: Counter[str] = Counter()
    lock = threading.Lock()

    def worker(index: int) -> None:
        rng = random.Random(index)
        session = requests.Session()
        while time.monotonic() < deadline:
            kwargs = rng.choice(BAD_INPUTS) if rng.random() < bad_share else {"json": {"text": rng.choice(articles)}}
            try:
                status = str(session.post(f"{url}/v1/summarize", timeout=120, **kwargs).status_code)
            except requests.RequestException as exc:
                status = type(exc).__name__
            with lock:
                statuses[status] += 1

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return {
        "seconds": seconds,
        "concurrency": concurrency,
        "requests": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for s, n in statuses.items() if not s.isdigit() or s.startswith("5")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    server = None
    if args.url is None:
        import tempfile

        from bench.server import LiveServer

        server = LiveServer(Path(tempfile.mkdtemp()) / "soak.log").start()
        args.url = server.url
    try:
        pid = server.process.pid if server and server.process else None
        start_kib = server_memory_kib(pid) if pid else None
        report = soak(args.url, args.seconds, args.concurrency)
        if pid:
            report.update(pss_start_mib=round(start_kib / 1024, 1), pss_end_mib=round(server_memory_kib(pid) / 1024, 1))
        print(json.dumps(report, indent=2))
        return 1 if report["server_errors"] else 0
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
