"""SmolLM2 in process (transformers) against SmolLM2 on llama.cpp's server (Q4_1 GGUF, the
openai-compatible engine), side by side in one run, through the same serving layer.

    python -m bench.remote_engine [--articles 50] [--data cnn] [--concurrency 1 8] [--threads N] [--ttfs 10]

Both engines summarise the same dev articles (3 sentences, greedy, cache off) through
service.runtime.Runtime, as the API would: in process, the micro-batcher groups concurrent
requests into generate() calls; through the server, each request goes on at once and the
server schedules them. Reported per engine and concurrency: articles/s, generated tokens/s
(the summaries counted with SmolLM2's tokenizer, for both), median latency, and the time to
the first streamed sentence (one request at a time, the first --ttfs articles); and per
engine, the share of summary sentences the faithfulness check flags. The two runs alternate
on the same cores; the llama.cpp server idles while the in-process engine runs."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import DEV_SETS, load_articles, machine
from models.llama_server import LlamaServer, llama_python
from service.config import Settings, available_cores
from service.runtime import Runtime
from service.schemas import SentenceOut, SummarizeRequest
from service.summarizer import Summarized

IN_PROCESS, ON_SERVER = "smollm2-135m-instruct", "smollm2-135m-llamacpp"


@dataclass
class Run:
    model: str
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    tokens: int = 0
    sentences: int = 0
    flagged: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def articles(self) -> int:
        return len(self.latencies)

    def row(self, label: str, first_sentence_s: float | None) -> dict[str, Any]:
        return {
            "engine": self.model,
            "label": label,
            "concurrency": self.concurrency,
            "articles": self.articles,
            "articles_per_s": round(self.articles / self.seconds, 3),
            "tokens_per_s": round(self.tokens / self.seconds, 1),
            "median_latency_s": round(statistics.median(self.latencies), 2) if self.latencies else None,
            "first_sentence_s": round(first_sentence_s, 2) if first_sentence_s is not None else None,
            "flagged_share": round(self.flagged / self.sentences, 3) if self.sentences else None,
            "sentences": self.sentences,
            "errors": self.errors,
        }


def runtime_for(model: str, threads: int, **settings: Any) -> Runtime:
    from service.config import configure_torch
    from service.engines.registry import load_warm_engine

    config = Settings(model=model, cache_max_bytes=0, torch_threads=threads, **settings)
    configure_torch(config, 1)
    return Runtime(config, load_warm_engine(config))


def summarize_all(runtime: Runtime, requests: list[SummarizeRequest], concurrency: int, tokenizer: Any) -> Run:
    run = Run(runtime.settings.model, concurrency)

    def one(index: int) -> tuple[float, Summarized | Exception]:
        started = time.perf_counter()
        try:
            summarized, _ = runtime.summarize(requests[index], f"bench-{index}")
        except Exception as exc:  # counted, never fatal: an engine's failure is a result here
            return time.perf_counter() - started, exc
        return time.perf_counter() - started, summarized

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(one, range(len(requests))))
    run.seconds = time.perf_counter() - started
    for seconds, outcome in outcomes:
        if isinstance(outcome, Exception):
            run.errors[type(outcome).__name__] = run.errors.get(type(outcome).__name__, 0) + 1
            continue
        run.latencies.append(seconds)
        sentences = outcome.summary.sentences
        run.tokens += len(tokenizer(" ".join(s.text for s in sentences), add_special_tokens=False)["input_ids"])
        run.sentences += len(sentences)
        run.flagged += sum(1 for s in sentences if s.unsupported)
    return run


def first_sentence_seconds(runtime: Runtime, requests: list[SummarizeRequest]) -> float | None:
    """Median time to the first streamed (checked) sentence, one request at a time."""
    times = []
    for request in requests:
        started = time.perf_counter()
        events = runtime.stream(request.model_copy(update={"stream": True}))
        try:
            for event in events:
                if isinstance(event, SentenceOut):
                    times.append(time.perf_counter() - started)
                    break
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
    return statistics.median(times) if times else None


def label(runtime: Runtime) -> str:
    info = runtime.model.engine().info
    if info.engine == "openai-compatible":
        return "llama.cpp server, Q4_1 GGUF"
    return f"transformers in process, {info.precision} weights (from the Q4_1 GGUF)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.remote_engine", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--data", choices=sorted(DEV_SETS), default="cnn")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--threads", type=int, default=available_cores(), help="torch's and llama.cpp's threads")
    parser.add_argument("--ttfs", type=int, default=10, help="articles streamed for the time to first sentence")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    if not llama_python().exists():
        print("error: llama.cpp's server is not built: run `make llama-venv`", file=sys.stderr)
        return 1
    from transformers import AutoTokenizer

    from models.prepare import default_store

    rows = load_articles(DEV_SETS[args.data], args.articles)
    requests = [SummarizeRequest(text=row.get("text") or row.get("article") or "", max_sentences=3) for row in rows]
    print(f"Machine: {machine()}; {args.threads} thread(s) each for torch and llama.cpp")
    print(f"{len(requests)} {args.data} dev articles, 3 sentences each, greedy, cache off\n")
    gguf = "SmolLM2-135M-Instruct.Q4_1.gguf"
    tokenizer = AutoTokenizer.from_pretrained(default_store() / IN_PROCESS, gguf_file=gguf)

    with tempfile.TemporaryDirectory() as workdir:
        server = LlamaServer(Path(workdir) / "llama.log", threads=args.threads).start()
        try:
            runtimes = {
                IN_PROCESS: runtime_for(IN_PROCESS, args.threads),
                ON_SERVER: runtime_for(ON_SERVER, args.threads, generation_url=server.url),
            }
            first = {model: first_sentence_seconds(rt, requests[: args.ttfs]) for model, rt in runtimes.items()}
            results = []
            for concurrency in args.concurrency:
                for model, runtime in runtimes.items():  # alternating, on the same cores
                    run = summarize_all(runtime, requests, concurrency, tokenizer)
                    results.append(run.row(label(runtime), first[model] if concurrency == 1 else None))
                    print(json.dumps(results[-1]), flush=True)
        finally:
            server.stop()
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": results}, indent=2) + "\n", encoding="utf-8")
    return 0


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| engine | concurrency | articles/s | tokens/s | median latency (s) | first sentence (s) | flagged |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        first = row["first_sentence_s"]
        lines.append(
            f"| {row['label']} | {row['concurrency']} | {row['articles_per_s']} | {row['tokens_per_s']} "
            f"| {row['median_latency_s']} | {first if first is not None else '—'} "
            f"| {row['flagged_share']:.1%} of {row['sentences']} |"
        )
    by = {(row["engine"], row["concurrency"]): row for row in rows}
    for concurrency in sorted({row["concurrency"] for row in rows}):
        mine, theirs = by.get((ON_SERVER, concurrency)), by.get((IN_PROCESS, concurrency))
        if mine and theirs and theirs["articles_per_s"]:
            lines.append(
                f"\nConcurrency {concurrency}: llama.cpp server / transformers = "
                f"{mine['articles_per_s'] / theirs['articles_per_s']:.2f}× articles/s, "
                f"{mine['tokens_per_s'] / max(theirs['tokens_per_s'], 1e-9):.2f}× tokens/s"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
