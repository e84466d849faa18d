"""In-process engine speed, no HTTP: seconds per article at several batch sizes.

    python -m bench.engine_speed [--models embedded smollm2-135m-instruct distilbart-shaped] [--articles 8]
        [--quantize auto|int8|off] [--num-beams N]

`distilbart-shaped` is sshleifer/distilbart-cnn-12-6's exact architecture with random
weights (built locally, as no hub is reachable here), generating a fixed 60 tokens with
the checkpoint's 4 beams: it stands for the real model's cost, not its quality. The best
rate here is the ceiling that served throughput is compared with (bench/load)."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from bench.common import load_articles, machine
from service.config import QUANTIZE_CHOICES, Settings
from service.engines.registry import load_engine
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer

FIXED_60 = {"min_new_tokens": 60, "max_new_tokens": 60}


def build_engine(name: str, workdir: Path, quantize: str = "auto"):
    settings = Settings(quantize=quantize)
    if name == "distilbart-shaped":
        from models.tiny import build_distilbart_shaped

        path = build_distilbart_shaped(workdir / "distilbart-shaped")
        return load_engine(settings.model_copy(update={"model": str(path)})), FIXED_60
    return load_engine(settings.model_copy(update={"model": name})), {}


def time_engine(engine, documents, params, batch_size: int) -> float:
    """Seconds per article, all articles summarised in batches of `batch_size`."""
    started = time.perf_counter()
    for begin in range(0, len(documents), batch_size):
        engine.summarize(documents[begin : begin + batch_size], params[begin : begin + batch_size])
    return (time.perf_counter() - started) / len(documents)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["embedded", "smollm2-135m-instruct", "distilbart-shaped"])
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--quantize", choices=QUANTIZE_CHOICES, default="auto", help="QUANTIZE for every model")
    parser.add_argument("--num-beams", type=int, help="beams for generative models (default: the checkpoint's)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    articles = load_articles(limit=args.articles)
    rows = []
    print(f"Machine: {machine()}; torch threads: {torch.get_num_threads()}; {len(articles)} dev articles\n")
    print("| model | batch size | s / article | articles / s |\n| --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as workdir:
        for name in args.models:
            engine, generation = build_engine(name, Path(workdir), args.quantize)
            if args.num_beams and engine.abstractive:
                generation = {**generation, "num_beams": args.num_beams}
            beams = f", {args.num_beams} beams" if args.num_beams else ""
            label = f"{name} (quantize {engine.info.settings['quantize']}{beams})"
            prepared = [Summarizer(engine).prepare(SummarizeRequest(text=a["article"])) for a in articles]
            documents = [p.document for p in prepared]
            params = [replace(p.params, generation=generation or p.params.generation) for p in prepared]
            engine.summarize(documents[:1], params[:1])  # warm-up
            for batch_size in args.batch_sizes:
                seconds = time_engine(engine, documents, params, batch_size)
                rows.append({"model": label, "batch_size": batch_size, "seconds_per_article": seconds})
                print(f"| {label} | {batch_size} | {seconds:.3f} | {1 / seconds:.2f} |", flush=True)
            del engine
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
