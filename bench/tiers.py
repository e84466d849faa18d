"""The two embedded tiers side by side in one run: MiniLM (`embedded`) and its static
distillation (`embedded-fast`), in process and served, the same distinct dev articles,
response cache off (CACHE_MAX_BYTES=0).

    python -m bench.tiers [--count 200] [--concurrency 1 16] [--workers 2]

In process: Summarizer.summarize_many on one thread (articles/s, CPU ms per article).
Served: real gunicorn (docker/gunicorn.conf.py) per tier, and the textbook server
(bench/baseline/app.py on MiniLM, the issue's yardstick), all up at once and driven in turn
at each concurrency: articles/s, p50/p99 latency, the server's CPU ms per article
(master and workers) and its memory (RSS and PSS of all its processes). The CPU's flags
are printed: the speed of MiniLM's int8 matmuls depends on them. Ratios are what to read
on a shared machine. Traffic goes to 127.0.0.1 only; every run is bounded by its count."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import psutil

from bench.common import load_articles, machine
from bench.load import BaselineServer, drive, wait_until_serving
from bench.server import LiveServer
from service.config import Settings
from service.engines.registry import load_engine
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer

TIERS = ("embedded", "embedded-fast")
# The textbook server (bench/baseline/app.py: a Flask file, gunicorn's sync defaults) on the
# default tier's model, driven in the same turns.
TEXTBOOK = "textbook (embedded)"
Served = dict[tuple[str, int], tuple[float, float, float, float]]  # (articles/s, p50, p99, CPU ms)
Memory = dict[str, tuple[float, float]]  # RSS and PSS, MiB


def in_process(model: str, texts: list[str]) -> tuple[float, float]:
    """(articles/s, CPU ms per article) of the use case on one thread, after a warm-up."""
    summarizer = Summarizer(load_engine(Settings(model=model)))
    requests = [SummarizeRequest(text=t) for t in texts]
    summarizer.summarize_many(requests[:8])
    started, cpu = time.perf_counter(), time.process_time()
    outcomes = summarizer.summarize_many(requests)
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    failed = [o for o in outcomes if isinstance(o, Exception)]
    if failed:
        raise RuntimeError(f"{model}: {len(failed)} articles failed in process: {failed[0]}")
    return len(texts) / wall, 1000 * used / len(texts)


def _processes(server: LiveServer) -> list[psutil.Process]:
    assert server.process is not None
    root = psutil.Process(server.process.pid)
    return [root, *root.children(recursive=True)]


def _cpu_seconds(server: LiveServer) -> float:
    total = 0.0
    for process in _processes(server):
        times = process.cpu_times()
        total += times.user + times.system
    return total


def _memory_mib(server: LiveServer) -> tuple[float, float]:
    rss = pss = 0.0
    for process in _processes(server):
        info = process.memory_full_info()
        rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
    return rss / 2**20, pss / 2**20


def serve_all(payloads: list[dict[str, str]], concurrency: list[int], workers: str) -> tuple[Served, Memory]:
    """Both tiers and the textbook server up at once, driven in turn at each concurrency."""
    served: Served = {}
    settings = {"CACHE_MAX_BYTES": "0", "WEB_CONCURRENCY": workers}
    with tempfile.TemporaryDirectory() as folder:
        plans: dict[str, LiveServer] = {
            model: LiveServer(Path(folder) / f"{model}.log", SUMMARIZER_MODEL=model, **settings) for model in TIERS
        }
        plans[TEXTBOOK] = BaselineServer(Path(folder) / "textbook.log", SUMMARIZER_MODEL="embedded", **settings)
        servers: dict[str, LiveServer] = {}
        try:
            for model, plan in plans.items():  # each one up inside the try: a failed start stops the others
                servers[model] = plan.start(600)
            for server in servers.values():
                wait_until_serving(server, payloads[0])
                drive(server.url, payloads[:16], 4, "warm-up")
            for level in concurrency:
                for model, server in servers.items():
                    cpu = _cpu_seconds(server)
                    run = drive(server.url, payloads, level, model)
                    if run.errors:
                        raise RuntimeError(f"{model} at c{level}: {run.errors}")
                    cpu_ms = 1000 * (_cpu_seconds(server) - cpu) / run.requests
                    p50, p99 = 1000 * run.percentile(50), 1000 * run.percentile(99)
                    served[model, level] = (run.throughput, p50, p99, cpu_ms)
            return served, {model: _memory_mib(server) for model, server in servers.items()}
        finally:
            for server in servers.values():
                server.stop()


def report(local: dict[str, tuple[float, float]], served: Served, memory: Memory, concurrency: list[int]) -> None:
    print("| tier | where | articles/s | p50 ms | p99 ms | CPU ms / article | RSS MiB (PSS) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for model in (*TIERS, TEXTBOOK):
        if model in local:
            rate, cpu_ms = local[model]
            print(f"| {model} | in process, one thread | {rate:.1f} | | | {cpu_ms:.1f} | |")
        rss, pss = memory[model]
        for level in concurrency:
            rate, p50, p99, cpu_ms = served[model, level]
            print(
                f"| {model} | served, c{level} | {rate:.1f} | {p50:.0f} | {p99:.0f} | {cpu_ms:.1f} | "
                f"{rss:.0f} ({pss:.0f}) |"
            )
    print("\n| ratio (fast / default) | articles/s |\n| --- | ---: |")
    base, fast = TIERS
    print(f"| in process | {local[fast][0] / local[base][0]:.1f}× |")
    for level in concurrency:
        print(f"| served, c{level} | {served[fast, level][0] / served[base, level][0]:.1f}× |")
    print("\n| ratio (served / textbook), articles/s | " + " | ".join(f"c{c}" for c in concurrency) + " |")
    print("| --- |" + " ---: |" * len(concurrency))
    for model in TIERS:
        ratios = " | ".join(f"{served[model, c][0] / served[TEXTBOOK, c][0]:.1f}×" for c in concurrency)
        print(f"| {model} | {ratios} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="distinct dev articles per run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--workers", default="2", help="gunicorn workers per tier (WEB_CONCURRENCY)")
    args = parser.parse_args(argv)

    texts = [row["article"] for row in load_articles(limit=args.count)]
    local = {model: in_process(model, texts) for model in TIERS}
    served, memory = serve_all([{"text": t} for t in texts], args.concurrency, args.workers)
    print(f"Machine: {machine()}")
    print(f"{args.count} distinct dev articles per run, cache off, {args.workers} gunicorn workers per tier\n")
    report(local, served, memory, args.concurrency)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
