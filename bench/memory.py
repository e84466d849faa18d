"""Memory per gunicorn worker: PSS and private (USS) memory with 1, 2 and 4 workers.

    python -m bench.memory [--workers 1 2 4] [--model embedded] [--requests 16]

Each server is started on a free loopback port, warmed with a few real articles, and read
from /proc/PID/smaps_rollup: the model is loaded once in the master and shared
copy-on-write, so what a worker adds is its private memory, not its RSS; the server's
total PSS, read for each worker count, gives what each extra worker adds."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import requests

from bench.common import load_articles, machine
from bench.server import LiveServer


def rollup(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return fields


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--model", default="embedded", help="a SUMMARIZER_MODEL value")
    parser.add_argument("--requests", type=int, default=16, help="articles summarised before reading memory")
    args = parser.parse_args(argv)
    articles = [a["article"] for a in load_articles(limit=args.requests)]
    print(f"Machine: {machine()}; model {args.model}, after {args.requests} requests\n")
    print("| workers | process | RSS MiB | PSS MiB | private MiB |\n| ---: | --- | ---: | ---: | ---: |")
    totals: dict[int, float] = {}  # workers -> the whole server's PSS, MiB
    for workers in args.workers:
        server = LiveServer(
            Path(tempfile.mkdtemp()) / "memory.log", WEB_CONCURRENCY=str(workers), SUMMARIZER_MODEL=args.model
        ).start(timeout=600)
        try:
            for article in articles:
                requests.post(f"{server.url}/v1/summarize", json={"text": article}, timeout=600).raise_for_status()
            assert server.process is not None
            master = server.process.pid
            children = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
            totals[workers] = 0.0
            for role, pid in [("master", master)] + [(f"worker {i + 1}", p) for i, p in enumerate(children)]:
                r = rollup(pid)
                private = r["Private_Clean"] + r["Private_Dirty"]
                totals[workers] += r["Pss"] / 1024
                print(f"| {workers} | {role} | {r['Rss'] / 1024:.0f} | {r['Pss'] / 1024:.0f} | {private / 1024:.0f} |")
        finally:
            server.stop()
    # PSS adds up to the physical memory the server uses: its growth per added worker is
    # what a worker costs, pages it shares with the others counted once.
    print("\n| workers | server PSS MiB | added per extra worker MiB |\n| ---: | ---: | ---: |")
    previous: int | None = None
    for workers, total in totals.items():
        added = f"{(total - totals[previous]) / (workers - previous):.0f}" if previous else "—"
        print(f"| {workers} | {total:.0f} | {added} |")
        previous = workers
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
