"""What lower precision (int8 or bf16) does to a model's speed and to its summaries.

    python -m bench.quantization --model embedded [--variant int8] [--limit N] [--batch-size 8]
    python -m bench.quantization --model smollm2-135m-instruct --variant bf16 --limit 48

The same articles go through the fp32 engine and the variant (batched, in process, no
HTTP): seconds per article for each, how many summaries come out word for word the same,
the share of summary sentences both keep, and ROUGE-1/2/L against the human references with
the paired variant - fp32 difference and its bootstrap 95% interval. A difference whose
interval holds zero is no measurable loss; that is the bar for making a variant a default
(the model's "quantize" in models/manifest.json)."""

from __future__ import annotations

import argparse
import time

import numpy as np
from rouge_score import rouge_scorer

from bench.common import DEV_DATA, machine
from bench.evaluate import METRICS, bootstrap_interval, read_rows
from service.config import Settings
from service.engines.registry import load_engine
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer


def summaries(
    model: str, quantize: str, requests: list[SummarizeRequest], batch_size: int
) -> tuple[list[list[str]], float, float]:
    """Each article's summary sentences, seconds per article, and the share of sentences
    flagged as unsupported by the article (the faithfulness checks)."""
    engine = load_engine(Settings(model=model, quantize=quantize))
    engine.warm_up()
    summarizer = Summarizer(engine)
    out: list[list[str]] = []
    flagged = 0
    started = time.perf_counter()
    for begin in range(0, len(requests), batch_size):
        for outcome in summarizer.summarize_many(requests[begin : begin + batch_size]):
            sentences = [] if isinstance(outcome, Exception) else outcome.summary.sentences
            out.append([s.text for s in sentences])
            flagged += sum(1 for s in sentences if s.unsupported)
    seconds = (time.perf_counter() - started) / len(requests)
    return out, seconds, flagged / max(1, sum(len(sentences) for sentences in out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded", help="a SUMMARIZER_MODEL value")
    parser.add_argument("--variant", choices=["int8", "bf16"], default="int8")
    parser.add_argument("--limit", type=int, help="only the first N dev articles")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args(argv)

    rows = read_rows(DEV_DATA, args.limit)
    requests = [SummarizeRequest(text=row["article"]) for row in rows]
    fp32, fp32_seconds, fp32_flagged = summaries(args.model, "off", requests, args.batch_size)
    low, low_seconds, low_flagged = summaries(args.model, args.variant, requests, args.batch_size)
    variant = args.variant

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores: dict[str, dict[str, list[float]]] = {name: {m: [] for m in METRICS} for name in ("fp32", variant)}
    for row, a, b in zip(rows, fp32, low, strict=True):
        for name, sentences in (("fp32", a), (variant, b)):
            result = scorer.score(row["reference"], "\n".join(sentences))
            for metric in METRICS:
                scores[name][metric].append(100 * result[metric].fmeasure)
    identical = sum(a == b for a, b in zip(fp32, low, strict=True))
    kept = np.mean([len(set(a) & set(b)) / max(1, len(a)) for a, b in zip(fp32, low, strict=True)])

    rng = np.random.default_rng(0)
    print(f"### {variant} against fp32: {args.model}, {len(rows)} dev articles, batches of {args.batch_size}\n")
    print(f"Machine: {machine()}\n")
    print(
        f"- seconds per article: fp32 {fp32_seconds:.3f}, {variant} {low_seconds:.3f} "
        f"({fp32_seconds / low_seconds:.2f}× faster)"
    )
    print(
        f"- summaries word for word the same: {identical} of {len(rows)}; "
        f"share of fp32 summary sentences {variant} keeps: {100 * kept:.1f}%"
    )
    print(
        f"- summary sentences flagged as unsupported by the article: fp32 {fp32_flagged:.0%}, "
        f"{variant} {low_flagged:.0%}\n"
    )
    print(f"| ROUGE F1 | fp32 | {variant} | {variant} - fp32 [95% interval] |\n| --- | ---: | ---: | --- |")
    for metric in METRICS:
        a, b = np.array(scores["fp32"][metric]), np.array(scores[variant][metric])
        low, high = bootstrap_interval(b - a, rng)
        print(f"| {metric} | {a.mean():.2f} | {b.mean():.2f} | {(b - a).mean():+.2f} [{low:+.2f}, {high:+.2f}] |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
