"""What int8 dynamic quantisation does to a model's speed and to its summaries.

    python -m bench.quantization --model embedded [--limit N] [--batch-size 8]
    python -m bench.quantization --model smollm2-135m-instruct --limit 24

The same articles go through the fp32 and the int8 engine (batched, in process, no HTTP):
seconds per article for each, how many summaries come out word for word the same, the
share of summary sentences both keep, and ROUGE-1/2/L against the human references with
the paired int8 - fp32 difference and its bootstrap 95% interval. A difference whose
interval holds zero is no measurable loss; that is the bar for making int8 a default."""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
from rouge_score import rouge_scorer

from bench.common import DEV_DATA, machine
from bench.evaluate import METRICS, bootstrap_interval, read_rows
from service.config import Settings
from service.engines.registry import load_engine
from service.pipeline import PreparedRequest, checked_sentences, prepare, run_engine
from service.schemas import SummarizeRequest


def summaries(model: str, quantize: str, prepared: list[PreparedRequest], batch_size: int) -> tuple[list[list[str]], float]:
    """Each article's summary sentences, and seconds per article."""
    engine = load_engine(replace(Settings.from_env(), model=model, quantize=quantize))
    engine.warm_up()
    out: list[list[str]] = []
    started = time.perf_counter()
    for begin in range(0, len(prepared), batch_size):
        batch = prepared[begin : begin + batch_size]
        for item, result in zip(batch, run_engine(engine, batch), strict=True):
            out.append([s.text for s in checked_sentences(item, result, engine)])
    return out, (time.perf_counter() - started) / len(prepared)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded", help="a SUMMARIZER_MODEL value")
    parser.add_argument("--limit", type=int, help="only the first N dev articles")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args(argv)

    rows = read_rows(DEV_DATA, args.limit)
    prepared = [prepare(SummarizeRequest(text=row["article"])) for row in rows]
    fp32, fp32_seconds = summaries(args.model, "", prepared, args.batch_size)
    int8, int8_seconds = summaries(args.model, "int8", prepared, args.batch_size)

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores = {variant: {m: [] for m in METRICS} for variant in ("fp32", "int8")}
    for row, a, b in zip(rows, fp32, int8, strict=True):
        for variant, sentences in (("fp32", a), ("int8", b)):
            result = scorer.score(row["reference"], "\n".join(sentences))
            for metric in METRICS:
                scores[variant][metric].append(100 * result[metric].fmeasure)
    identical = sum(a == b for a, b in zip(fp32, int8))
    kept = np.mean([len(set(a) & set(b)) / max(1, len(a)) for a, b in zip(fp32, int8)])

    rng = np.random.default_rng(0)
    print(f"### int8 against fp32: {args.model}, {len(rows)} dev articles, batches of {args.batch_size}\n")
    print(f"Machine: {machine()}\n")
    print(f"- seconds per article: fp32 {fp32_seconds:.3f}, int8 {int8_seconds:.3f} "
          f"({fp32_seconds / int8_seconds:.2f}× faster)")
    print(f"- summaries word for word the same: {identical} of {len(rows)}; "
          f"share of fp32 summary sentences int8 keeps: {100 * kept:.1f}%\n")
    print("| ROUGE F1 | fp32 | int8 | int8 - fp32 [95% interval] |\n| --- | ---: | ---: | --- |")
    for metric in METRICS:
        a, b = np.array(scores["fp32"][metric]), np.array(scores["int8"][metric])
        low, high = bootstrap_interval(b - a, rng)
        print(f"| {metric} | {a.mean():.2f} | {b.mean():.2f} | {(b - a).mean():+.2f} [{low:+.2f}, {high:+.2f}] |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
