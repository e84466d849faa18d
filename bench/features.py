"""Articles of the shared data files, read, split and embedded as the service does it, with
their references, for fitting and tuning (service.calibration.calibrate.load_articles: the one read
step, the served encoder, the on-disk embedding cache of service/calibration/archive.py).

    python -m bench.features --data ../shared/data/cnndm-train.jsonl [--limit N] [--stride K]

The cache lives outside the repository (PRECIS_FEATURE_CACHE, default ~/.cache/precis/embeddings)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from service.calibration.archive import DEFAULT_CACHE, served_encoder
from service.calibration.calibrate import Article, load_articles

CACHE_DIR = Path(os.environ.get("PRECIS_FEATURE_CACHE") or DEFAULT_CACHE)
_ENCODER: list = []


def load(path: Path, limit: int | None = None, stride: int = 1, progress: bool = False) -> list[Article]:
    """Articles of a JSON Lines file ({id, article|text|html|sentences, reference}), embedded and cached."""
    if not _ENCODER:
        _ENCODER.append(served_encoder())
    embedder, key = _ENCODER[0]
    return load_articles(path, embedder, key, CACHE_DIR, limit, progress=progress, stride=stride)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--stride", type=int, default=1, help="every k-th article only")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # a shared machine: one core for this
    for path in args.data:
        articles = load(path, args.limit, args.stride, progress=True)
        print(
            json.dumps(
                {
                    "data": path.name,
                    "articles": len(articles),
                    "sentences": int(sum(len(a.sentences) for a in articles)),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
