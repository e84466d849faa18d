"""Archive throughput: a job (/v1/jobs, Celery workers, Redis) against the CLI in process,
on the same articles, side by side.

    python -m bench.jobs [--data ../shared/data/dev.jsonl] [--limit 200] [--workers 1 2] [--repeat 2]

The CLI runs here: `service.cli.InProcess` (the code of `python -m service summarize`),
JOB_CHUNK_SIZE articles an engine call, torch on every core. A job is submitted to the API
(in process, the real app) with a private redis-server and real worker processes already
started and warm (their model loaded), and timed from the POST to `succeeded`; 1 worker
process gets every core's torch threads, N processes share them. Model loading is outside
both timings. Runs are interleaved (CLI, job with 1 worker, job with 2, then again) and the best of each
is kept. The overhead per item is the job's time minus the CLI's, over the articles,
and its parts: the POST (validation, the Redis writes, the enqueue) and the store's own
operations per item measured alone. Stop other heavy processes first: this shares the cores."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.jobstack import RedisServer, Worker
from bench.server import REPO_ROOT
from service.config import Settings, available_cores

DEV_DATA = REPO_ROOT.parent / "shared" / "data" / "dev.jsonl"


def _articles(path: Path, limit: int) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle][:limit]
    return [{"id": str(row["id"]), "text": row["article"]} for row in rows]


def time_cli(items: list[dict[str, Any]], chunk: int) -> tuple[float, dict[str, str]]:
    """Seconds for the CLI's in-process path over the items (model already loaded)."""
    from service.cli import InProcess

    runner = _state.setdefault("cli", InProcess(Settings(model="embedded")))
    runner.run(items[:chunk], {})  # warm
    started = time.perf_counter()
    rows = [row for i in range(0, len(items), chunk) for row in runner.run(items[i : i + chunk], {})]
    seconds = time.perf_counter() - started
    return seconds, {row["id"]: row.get("summary", "") for row in rows}


_state: dict[str, Any] = {}


def time_job(client: Any, items: list[dict[str, Any]]) -> tuple[float, float, dict[str, str]]:
    """Seconds from the POST to `succeeded`, seconds of the POST alone, and the summaries."""
    started = time.perf_counter()
    created = client.post("/v1/jobs", json={"items": items})
    posted = time.perf_counter() - started
    assert created.status_code == 202, created.text
    job_id = created.json["id"]
    while (job := client.get(f"/v1/jobs/{job_id}").json)["status"] not in ("succeeded", "failed", "cancelled"):
        time.sleep(0.25)  # a poll costs the API a little CPU: not more often than the figures need
    seconds = time.perf_counter() - started
    assert job["status"] == "succeeded" and job["succeeded"] == len(items), job
    rows = [json.loads(line) for line in client.get(f"/v1/jobs/{job_id}/results").text.splitlines()]
    return seconds, posted, {row["id"]: row["result"]["summary"] for row in rows}


def store_cost(redis_url: str, items: list[dict[str, Any]], chunk: int) -> float:
    """Milliseconds per item of the store's own work (create, start each chunk, record), alone."""
    from redis import Redis

    from service.jobs.store import JobStore, NewJob

    store = JobStore(Redis.from_url(redis_url), 600)
    row = json.dumps({"id": "x", "status": 200, "result": {"summary": "s" * 600}})
    positions = list(enumerate(items))
    chunks = [positions[i : i + chunk] for i in range(0, len(positions), chunk)]
    started = time.perf_counter()
    job_id = store.create(NewJob("", "bench", len(items), chunks, [], {}, {}))
    for n in range(len(chunks)):
        work = store.start_chunk(job_id, n)
        assert work is not None and not store.done(job_id, [p for p, _ in work])
        store.record(job_id, [(p, row, True) for p, _ in work])
    return (time.perf_counter() - started) * 1000 / len(items)


def _interleaved(
    items: list[dict[str, Any]], args: argparse.Namespace, folder: Path, redis_url: str, cores: int
) -> tuple[list[tuple[float, dict[str, str]]], dict[int, list[Any]]]:
    """Each repeat runs the CLI, then a job on each worker count, so that whatever else the
    machine does weighs on all of them alike."""
    from service.app import create_app

    cli: list[tuple[float, dict[str, str]]] = []
    jobs: dict[int, list[Any]] = {workers: [] for workers in args.workers}
    for _ in range(args.repeat):
        cli.append(time_cli(items, args.chunk_size))
        engine = _state["cli"].summarizer.engine
        client = create_app(
            Settings(model="embedded", redis_url=redis_url, job_chunk_size=args.chunk_size), engine=engine
        ).test_client()
        for workers in args.workers:
            worker = Worker(
                folder / f"worker-{workers}.log",
                redis_url,
                concurrency=workers,
                TORCH_THREADS=str(max(1, cores // workers)),
            ).start()
            try:
                jobs[workers].append(time_job(client, items))
            finally:
                worker.stop()
    return cli, jobs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEV_DATA)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best is reported")
    parser.add_argument("--chunk-size", type=int, default=Settings().job_chunk_size)
    args = parser.parse_args(argv)
    items = _articles(args.data, args.limit)
    cores = available_cores()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as folder:
        redis = RedisServer(Path(folder)).start()
        try:
            cli, jobs = _interleaved(items, args, Path(folder), redis.url, cores)
            per_item_store = store_cost(redis.url, items, args.chunk_size)
        finally:
            redis.stop()
    cli_best = min(seconds for seconds, _ in cli)
    reference = cli[0][1]
    rows = []
    for workers, runs in jobs.items():
        best = min(runs, key=lambda run: run[0])
        same = sum(best[2][i["id"]] == reference[i["id"]] for i in items)
        rows.append((workers, best[0], statistics.median(r[1] for r in runs), same))
    n = len(items)
    print(
        f"\n{n} articles ({args.data.name}), {cores} cores, chunks of {args.chunk_size}, best of {args.repeat}; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n"
    )
    print(
        "| path | processes × torch threads | seconds | articles/s | vs CLI | job overhead ms/article "
        "| POST ms/article | same summaries |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(f"| CLI in process | 1 × {cores} | {cli_best:.1f} | {n / cli_best:.1f} | 1.00 | – | – | – |")
    for workers, seconds, posted, same in rows:
        overhead = (seconds - cli_best) * 1000 / n
        print(
            f"| job, {workers} worker process{'es' if workers > 1 else ''} | {workers} × {max(1, cores // workers)} "
            f"| {seconds:.1f} | {n / seconds:.1f} | {cli_best / seconds:.2f} | {overhead:+.1f} "
            f"| {posted * 1000 / n:.2f} | {same}/{n} |"
        )
    print(f"\nRedis store operations alone (create, start chunk, idempotent record): {per_item_store:.3f} ms/article")


if __name__ == "__main__":
    main()
