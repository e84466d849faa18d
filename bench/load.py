"""Served throughput and latency: Précis against the textbook baseline, side by side.

    python -m bench.load [--models embedded smollm2-135m-instruct distilbart-shaped] [--workers N]
        [--quantize auto|int8|off] [--count N] [--concurrency 1 4 16 64]

For each model: its in-process ceiling (the engine alone on the same articles at its best
batch size, no HTTP), then Précis and the baseline (bench/baseline/app.py) started with the
same worker count and model, and, at each concurrency, one run against each, alternating,
of distinct real articles (cache off). The load generator runs on the same cores; its share
of the CPU is reported with each run. Traffic goes to 127.0.0.1 only; every run is bounded
by its request count."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.common import REPO_ROOT, load_articles, machine
from bench.engine_speed import FIXED_60, build_engine, time_engine
from bench.server import LiveServer
from service.config import QUANTIZE_CHOICES
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer

# Requests per run, by model: enough to fill the highest concurrency of fast models, and
# bounded for slow generative ones.
DEFAULT_COUNTS = {"embedded": 256, "smollm2-135m-instruct": 24, "distilbart-shaped": 12}


@dataclass
class RunResult:
    server: str
    concurrency: int
    requests: int
    errors: dict[str, int]
    seconds: float
    latencies: list[float]
    client_cpu: float  # CPU seconds the load generator itself used: it shares the machine

    @property
    def client_share(self) -> float:
        """The load generator's share of the machine's CPU during the run."""
        return self.client_cpu / (self.seconds * (os.cpu_count() or 1))

    @property
    def throughput(self) -> float:
        return (self.requests - sum(self.errors.values())) / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else float("nan")


def drive(url: str, payloads: list[dict], concurrency: int, server: str) -> RunResult:
    local = threading.local()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def one(payload: dict) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        started = time.perf_counter()
        try:
            status = str(local.session.post(f"{url}/v1/summarize", json=payload, timeout=900).status_code)
        except requests.RequestException as exc:
            status = type(exc).__name__
        with lock:
            if status == "200":
                latencies.append(time.perf_counter() - started)
            else:
                errors[status] = errors.get(status, 0) + 1

    started, cpu_started = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, payloads))
    return RunResult(
        server,
        concurrency,
        len(payloads),
        errors,
        time.perf_counter() - started,
        latencies,
        time.process_time() - cpu_started,
    )


class BaselineServer(LiveServer):
    """gunicorn defaults, as a tutorial leaves them: sync workers, no preload."""

    def start(self, timeout: float = 600.0) -> BaselineServer:
        self._log = self.log_path.open("wb")
        import subprocess

        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                self.env["WEB_CONCURRENCY"],
                "--timeout",
                "900",
                "--bind",
                f"127.0.0.1:{self.port}",
                "bench.baseline.app:app",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self._wait(timeout)


def wait_until_serving(server: LiveServer, payload: dict, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.post(f"{server.url}/v1/summarize", json=payload, timeout=600).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{server.url} never served:\n{server.log()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_COUNTS))
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="gunicorn workers for both servers (default: one per core, Précis's default)",
    )
    parser.add_argument(
        "--baseline-workers",
        type=int,
        help="workers for the baseline alone (default: --workers); 1 is its best on 2 cores",
    )
    parser.add_argument("--count", type=int, help="requests per run (default: by model)")
    parser.add_argument(
        "--quantize",
        choices=QUANTIZE_CHOICES,
        default="auto",
        help="QUANTIZE for Précis (default: the manifest's); the baseline is always fp32",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    articles = load_articles()
    report: list[dict] = []
    baseline_workers = args.baseline_workers or args.workers
    lines = [
        (
            f"Machine: {machine()}; gunicorn workers: Précis {args.workers}, baseline {baseline_workers}; "
            f"cache off; Précis with QUANTIZE={args.quantize}, the baseline fp32."
        ),
        "",
    ]
    with tempfile.TemporaryDirectory() as workdir:
        for name in args.models:
            count = args.count or DEFAULT_COUNTS.get(name, 16)
            generation = FIXED_60 if name == "distilbart-shaped" else None
            payloads = [
                {"text": a["article"], **({"generation": generation} if generation else {})}
                for a in (articles * (count // len(articles) + 1))[:count]
            ]
            # Ceiling: the engine alone, in this process, at its best batch size.
            engine, _ = build_engine(name, Path(workdir), args.quantize)
            model_ref = str(Path(workdir) / "distilbart-shaped") if name == "distilbart-shaped" else name
            # The same articles as the runs.
            prepared = [Summarizer(engine).prepare(SummarizeRequest(**p)) for p in payloads]
            docs, params = [p.document for p in prepared], [p.params for p in prepared]
            engine.summarize(docs[:1], params[:1])
            ceiling = max(1 / time_engine(engine, docs, params, b) for b in (1, 8))
            quantize = engine.info.settings["quantize"]
            del engine
            env = {"SUMMARIZER_MODEL": model_ref, "WEB_CONCURRENCY": str(args.workers), "CACHE_MAX_BYTES": "0"}
            precis_env = {**env, "QUANTIZE": args.quantize}
            precis = LiveServer(Path(workdir) / f"precis-{name}.log", **precis_env).start(timeout=600)
            baseline_env = {**env, "WEB_CONCURRENCY": str(baseline_workers)}
            baseline = BaselineServer(Path(workdir) / f"baseline-{name}.log", **baseline_env).start(timeout=600)
            try:
                for server in (precis, baseline):
                    wait_until_serving(server, payloads[0])
                lines += [
                    (
                        f"### {name} (Précis quantize {quantize}): ceiling {ceiling:.2f} articles/s in process "
                        f"({count} requests a run)"
                    ),
                    "",
                    (
                        "| concurrency | server | articles/s | p50 s | p95 s | p99 s | errors | vs baseline "
                        "| vs ceiling | load generator's CPU |"
                    ),
                    "| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
                ]
                for concurrency in args.concurrency:
                    runs = [
                        drive(precis.url, payloads, concurrency, "précis"),
                        drive(baseline.url, payloads, concurrency, "baseline"),
                    ]
                    for run in runs:
                        ratio = run.throughput / runs[1].throughput if runs[1].throughput else float("nan")
                        lines.append(
                            f"| {concurrency} | {run.server} | {run.throughput:.2f} | {run.percentile(50):.2f} | "
                            f"{run.percentile(95):.2f} | {run.percentile(99):.2f} | {run.errors or 0} | "
                            f"{ratio:.2f}× | {run.throughput / ceiling:.0%} | {run.client_share:.0%} |"
                        )
                        report.append(
                            {
                                "model": name,
                                "ceiling": ceiling,
                                "server": run.server,
                                "concurrency": concurrency,
                                "throughput": run.throughput,
                                "p50": run.percentile(50),
                                "p95": run.percentile(95),
                                "p99": run.percentile(99),
                                "errors": run.errors,
                                "client_cpu_share": run.client_share,
                            }
                        )
                        print(lines[-1], flush=True)
                lines.append("")
            finally:
                precis.stop()
                baseline.stop()
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "runs": report}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
