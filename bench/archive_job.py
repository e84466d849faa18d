"""An archive job at scale: N distinct articles as one JSON Lines upload to the real API
(gunicorn), run by one worker pool (real Celery prefork processes, a private redis-server),
against the same model in process, with the worker's memory along the way.

    python -m bench.archive_job [--count 100000] [--model embedded] [--processes 2] [--sample 2000]

Articles cycle through both dev sets (BBC, CNN), each made distinct (a numbered sentence
appended), with CACHE_MAX_BYTES=0: no cache answers any of them. The upload is streamed
(chunked) and timed alone; the job is timed from the POST to `succeeded`. The worker's RSS
(main process and each pool process) and Redis's used memory are read as the job passes 10%,
50% and 100% of N (10k, 50k, 100k at the default N). After it ends the results are read as
a stream and every id checked to appear once, in input order. Then the same model summarises
`--sample` of the same articles in process (service.cli.InProcess: one engine call a chunk,
torch on every core), and the job's rate is shown beside it, with the projection to 1,000,000
articles on this machine and on N like it. Run it alone on the machine: it shares its cores."""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import requests

from bench.common import DEV_SETS, load_articles, machine
from bench.jobstack import RedisServer, Worker
from bench.server import LiveServer
from service.config import Settings, available_cores

TERMINAL = ("succeeded", "failed", "cancelled")
TARGET_ARTICLES = 1_000_000
TARGET_HOURS = 6.0


def distinct_articles(count: int) -> Iterator[dict[str, str]]:
    """`count` articles, cycling the dev sets, each one distinct."""
    pool = [row["article"] for path in DEV_SETS.values() for row in load_articles(path)]
    for n, text in zip(range(count), itertools.cycle(pool), strict=False):
        yield {"id": f"archive-{n}", "text": f"{text}\n\nThis is archive item number {n}."}


def body(count: int, batch: int = 512) -> Iterator[bytes]:
    """The JSON Lines body, a batch of lines at a time (never the whole of it in memory)."""
    lines: list[str] = []
    for item in distinct_articles(count):
        lines.append(json.dumps(item))
        if len(lines) == batch:
            yield ("\n".join(lines) + "\n").encode()
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode()


def worker_memory(worker: Worker) -> dict[str, float]:
    """MiB: the worker's main process, and its largest pool process (RSS)."""
    assert worker.process is not None
    main = psutil.Process(worker.process.pid).memory_info().rss
    pool = [psutil.Process(pid).memory_info().rss for pid in worker.pool_pids()]
    return {"main": main / 2**20, "pool_max": max(pool, default=0) / 2**20}


def run_job(api: LiveServer, worker: Worker, redis: RedisServer, count: int) -> dict[str, Any]:
    checkpoints = sorted({max(1, count // 10), max(1, count // 2), count})
    redis_base = int(redis.client().info("memory")["used_memory"])
    started = time.perf_counter()
    created = requests.post(
        f"{api.url}/v1/jobs", data=body(count), headers={"Content-Type": "application/x-ndjson"}, timeout=3600
    )
    uploaded = time.perf_counter() - started
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    redis_after_upload = int(redis.client().info("memory")["used_memory"])
    seen: list[dict[str, Any]] = []
    progress: list[int] = []
    while True:
        job = requests.get(f"{api.url}/v1/jobs/{job_id}", timeout=60).json()
        done = job["succeeded"] + job["failed"]
        progress.append(done)
        while checkpoints and done >= checkpoints[0]:
            memory = worker_memory(worker)
            used = int(redis.client().info("memory")["used_memory"])
            seen.append({"items": checkpoints.pop(0), "done": done, **memory, "redis_mib": used / 2**20})
        if job["status"] in TERMINAL:
            break
        time.sleep(1.0)
    seconds = time.perf_counter() - started
    redis_end = int(redis.client().info("memory")["used_memory"])
    ids = _result_ids(api, job_id)
    expected = [f"archive-{n}" for n in range(count)]
    return {
        "job": job,
        "seconds": seconds,
        "upload_s": uploaded,
        "checkpoints": seen,
        "monotone": progress == sorted(progress),
        "every_item_once_in_order": ids == expected,
        "redis_inputs_mib": (redis_after_upload - redis_base) / 2**20,
        "redis_bytes_per_result": (redis_end - redis_base) / count,
    }


def _result_ids(api: LiveServer, job_id: str) -> list[str]:
    with requests.get(f"{api.url}/v1/jobs/{job_id}/results", stream=True, timeout=3600) as response:
        return [json.loads(line)["id"] for line in response.iter_lines() if line]


def in_process_rate(model: str, sample: int, chunk: int) -> float:
    """Articles per second of the same model here, one engine call a chunk (model loaded first)."""
    from service.cli import InProcess

    runner = InProcess(Settings(model=model, cache_max_bytes=0))
    items = list(distinct_articles(sample))
    runner.run(items[:chunk], {})  # warm
    started = time.perf_counter()
    for i in range(0, len(items), chunk):
        runner.run(items[i : i + chunk], {})
    return len(items) / (time.perf_counter() - started)


def _sampler(worker: Worker, stop: threading.Event, peaks: dict[str, float]) -> None:
    """Peak RSS of the worker's pool between checkpoints, read every second."""
    while not stop.wait(1.0):
        try:
            memory = worker_memory(worker)
        except psutil.Error:
            continue
        for key, value in memory.items():
            peaks[key] = max(peaks.get(key, 0.0), value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.archive_job", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--processes", type=int, default=available_cores(), help="worker pool processes")
    parser.add_argument("--sample", type=int, default=2000, help="articles for the in-process rate")
    parser.add_argument("--chunk-size", type=int, default=Settings().job_chunk_size)
    args = parser.parse_args(argv)
    cores = available_cores()
    threads = max(1, cores // args.processes)
    env = {"SUMMARIZER_MODEL": args.model, "CACHE_MAX_BYTES": "0", "JOB_CHUNK_SIZE": str(args.chunk_size)}
    caps = {
        "MAX_JOB_ITEMS": str(max(args.count, 100_000)),
        "MAX_JOB_BODY_BYTES": str(max(1 << 30, args.count * 12_000)),
    }
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as folder:
        redis = RedisServer(Path(folder)).start()
        api = LiveServer(Path(folder) / "api.log", REDIS_URL=redis.url, **env, **caps)
        worker = Worker(
            Path(folder) / "worker.log", redis.url, concurrency=args.processes, TORCH_THREADS=str(threads), **env
        )
        peaks: dict[str, float] = {}
        stop = threading.Event()
        try:
            api.start()
            worker.start()
            sampler = threading.Thread(target=_sampler, args=(worker, stop, peaks), daemon=True)
            sampler.start()
            outcome = run_job(api, worker, redis, args.count)
        finally:
            stop.set()
            worker.stop()
            api.stop()
            redis.stop()
    local = in_process_rate(args.model, min(args.sample, args.count), args.chunk_size)
    _report(args, cores, threads, outcome, local, peaks)


def _report(
    args: argparse.Namespace, cores: int, threads: int, outcome: dict[str, Any], local: float, peaks: dict[str, float]
) -> None:
    n, job = args.count, outcome["job"]
    rate = n / outcome["seconds"]
    hours = TARGET_ARTICLES / rate / 3600
    print(f"\n{machine()}; {cores} cores available")
    print(f"model {args.model}, {n} distinct articles (BBC + CNN dev sets, cycled), chunks of {args.chunk_size}\n")
    print("| path | processes × torch threads | articles | seconds | articles/s | vs in process |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| in process (service.cli.InProcess) | 1 × {cores} | {min(args.sample, n)} | – | {local:.1f} | 1.00 |")
    print(
        f"| job, /v1/jobs JSON Lines | {args.processes} × {threads} | {n} | {outcome['seconds']:.0f} "
        f"| {rate:.1f} | {rate / local:.2f} |"
    )
    print(
        f"\nstatus {job['status']}: {job['succeeded']} succeeded, {job['failed']} failed; "
        f"every item once, in order: {outcome['every_item_once_in_order']}; progress monotone: {outcome['monotone']}"
    )
    print(
        f"upload (streamed JSON Lines, validated, into Redis): {outcome['upload_s']:.1f} s "
        f"({n / outcome['upload_s']:.0f} articles/s); Redis after it: +{outcome['redis_inputs_mib']:.0f} MiB"
    )
    print("\n| items done | worker main RSS MiB | largest pool process RSS MiB | Redis used MiB |")
    print("| --- | --- | --- | --- |")
    for point in outcome["checkpoints"]:
        print(
            f"| {point['items']} ({point['done']}) | {point['main']:.0f} | {point['pool_max']:.0f} "
            f"| {point['redis_mib']:.0f} |"
        )
    print(f"peak over the run: main {peaks.get('main', 0):.0f} MiB, pool process {peaks.get('pool_max', 0):.0f} MiB")
    print(
        f"Redis per result kept: {outcome['redis_bytes_per_result']:.0f} bytes "
        f"(1,000,000 results: {outcome['redis_bytes_per_result'] * 1e6 / 2**30:.2f} GiB)"
    )
    verdict = "under" if hours < TARGET_HOURS else "over"
    print(
        f"\nprojection: 1,000,000 articles at {rate:.1f} articles/s = {hours:.1f} h on this machine "
        f"({verdict} {TARGET_HOURS:.0f} h; {TARGET_ARTICLES / TARGET_HOURS / 3600:.0f} articles/s needed); "
        f"on M such machines, about {hours:.1f}/M h (the workers scale out; Redis is shared)"
    )


if __name__ == "__main__":
    main()
