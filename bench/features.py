"""Cleaned, split and embedded articles with their references, cached for fitting and tuning.

    python -m bench.features --data ../shared/data/cnndm-train.jsonl [--limit N]

Every article goes through the service's own cleaning and splitting, and the served
encoder (int8 by default, as in production) embeds each article in one call of its own,
as the engine does; the cache lives under /tmp (never in the repository), keyed by the
article's sentences, so a change to cleaning re-embeds only the articles it changed."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
from pathlib import Path

import numpy as np

from bench.common import load_articles
from service.calibration import Article, article_input, make_article, served_embedder

CACHE_DIR = Path(os.environ.get("PRECIS_FEATURE_CACHE", "/tmp/precis-features"))


def _key(sentences: list[str], title: str | None) -> str:
    return hashlib.sha256(json.dumps([sentences, title]).encode()).hexdigest()[:24]


_EMBEDDER: list = []


def _embedder():
    if not _EMBEDDER:
        _EMBEDDER.append(served_embedder())
    return _EMBEDDER[0]


def load(path: Path, limit: int | None = None, stride: int = 1) -> list[Article]:
    """Articles of a JSON Lines file ({id, article|text|html, reference}), embedded and cached."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    store_path = CACHE_DIR / f"{path.stem}.pkl"
    store: dict[str, np.ndarray] = pickle.loads(store_path.read_bytes()) if store_path.exists() else {}
    rows = load_articles(path, limit)[::stride]
    prepared = [article_input(row) for row in rows]
    missing = [(s, t) for s, t in prepared if _key(s, t) not in store]
    for count, (sentences, title) in enumerate(missing, 1):
        store[_key(sentences, title)] = _embedder().embed(sentences + ([title] if title else []))
        if count % 200 == 0 or count == len(missing):
            tmp = store_path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(store))
            tmp.replace(store_path)
    articles = []
    for number, (row, (sentences, title)) in enumerate(zip(rows, prepared, strict=True)):
        embedded = store[_key(sentences, title)]
        articles.append(make_article(str(row.get("id", number)), sentences, embedded[: len(sentences)],
                                     embedded[-1] if title else None, row["reference"]))
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--stride", type=int, default=1, help="every k-th article only")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # a shared machine: one core for this
    for path in args.data:
        articles = load(path, args.limit, args.stride)
        print(json.dumps({"data": path.name, "articles": len(articles),
                          "sentences": int(sum(len(a.sentences) for a in articles))}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
