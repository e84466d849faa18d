"""Fit the fast tier's salience head: calibration's own code (service/calibration/calibrate.py:
the read step, greedy ROUGE-2 oracle labels with graded near-misses, the salience MLP or the
context model) on the static vectors of `embedded-fast` instead of MiniLM's, then score it
on the dev sets with calibration's selection (tests/test_calibration.py ties it to the service).

    python -m bench.fast_head --limit 4000 [--ranker salience|context] [--out service/profiles/fast-default.json.gz]

The train set is the large CNN set the shipped `cnn` profile was fitted on (read as it was:
one sentence a paragraph, capitals restored). Static vectors are cached like MiniLM's
(service/calibration/archive.py, keyed by the vectors' hash): embedding is milliseconds an
article, reading and labelling are the cost."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import REPO_ROOT
from models.prepare import sha256_of
from service.calibration import calibrate as fitting
from service.calibration.archive import DEFAULT_CACHE, encoder_for
from service.ranker.profile import Profile, save_profile
from service.ranker.ranking import RankerWeights

SHARED = REPO_ROOT.parent / "shared" / "data"
TRAIN = SHARED / "cnndm-train-large-cnn.jsonl.gz"
DEV = {"cnndm-dev": (SHARED / "cnndm-dev.jsonl", 1000), "bbc-dev": (SHARED / "dev.jsonl", 200)}
MODEL = "embedded-fast"
# Static vectors of one article's sentences sit closer together than MiniLM's (centred, 16% of
# pairs above 0.85, none above 0.95): at the default's 0.85 the redundancy rule skips the lede.
REDUNDANCY = 0.95


def context_model(articles: list[fitting.Article], epochs: int) -> Any:
    from service.ranker.context_fit import FitOptions, Sequenced, fit_context
    from service.ranker.salience import EMBEDDINGS, FEATURES

    named = len(FEATURES)
    sequences = []
    for article in articles:
        if len(article.sentences) < 2:
            continue
        features, labels = fitting.labelled(article)
        embeddings = article.rank.embeddings.astype(np.float16)
        titled = article.rank.title is not None
        sequences.append(Sequenced(features[:, :named], embeddings, labels.astype(np.float32), 1.0, titled))
    return fit_context(sequences, (EMBEDDINGS,), FitOptions(epochs=epochs), progress=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=4000, help="the first N train stories")
    parser.add_argument(
        "--ranker",
        choices=("weighted", "salience", "context"),
        default="weighted",
        help="weighted: the built-in default's weights (no fit); salience: the MLP on named features and vectors",
    )
    parser.add_argument("--epochs", type=int, default=6, help="context model: epochs")
    parser.add_argument("--out", type=Path, help="write the profile here")
    args = parser.parse_args(argv)

    embedder, key = encoder_for("en", model_name=MODEL)
    started = time.perf_counter()
    train: list[fitting.Article] = []
    learned: Any = None
    if args.ranker != "weighted":
        train = fitting.load_articles(TRAIN, embedder, key, DEFAULT_CACHE, args.limit, "paragraphs")
    if args.ranker == "context":
        learned = context_model(train, args.epochs)
    elif args.ranker == "salience":
        learned = fitting.fit_salience_model(train, "mlp", progress=True)
    fitted_s = time.perf_counter() - started
    profile = Profile("fast-default", RankerWeights(redundancy=REDUNDANCY), learned, language="en")
    dev: dict[str, Any] = {}
    for name, (path, count) in DEV.items():
        articles = fitting.load_articles(path, embedder, key, DEFAULT_CACHE, count, "given", progress=False)
        gains = fitting.gains(articles, profile)
        dev[name] = fitting.summary(gains)
        low, high = dev[name]["ci95"]
        print(f"{name}: ROUGE-2 minus Lead-3 {gains.mean():+.3f} [{low:+.3f}, {high:+.3f}] on {len(gains)} articles")
    print(f"read, labelled and fitted in {fitted_s:.0f} s")
    if args.out:
        meta = {
            **({"model": learned.kind} if learned is not None else {}),
            "data": {"path": "../shared/data/" + TRAIN.name, "articles": len(train), "sha256": sha256_of(TRAIN)},
            "encoder": {"model": MODEL, "key": key},
            "evaluation": {
                "metric": "ROUGE-2 F1 x 100 at 3 sentences minus Lead-3 on the same text",
                "dev": {"how": "calibration's selection, bootstrap 95%", **dev},
            },
            "command": "python -m bench.fast_head " + " ".join(sys.argv[1:]),
        }
        save_profile(replace(profile, meta=meta), args.out)
        print(f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
