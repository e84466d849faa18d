"""Tune the extractive ranker's few weights on articles with human summaries, by k-fold
cross-validation, and report the held-out ROUGE-2 against Lead-3 at equal length.

    python -m bench.tune_ranker [--data ../shared/data/dev.jsonl] [--folds 5]

Each fold picks the grid point with the best mean ROUGE-2 on the other folds and is scored
on its own articles: the reported score is out of sample. The weights picked on all the
data are printed for `RankerWeights`' defaults."""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from bench.common import DEV_DATA
from bench.evaluate import read_rows
from service.config import Settings
from service.engines.base import SummaryParams
from service.engines.ranking import RankerWeights, score_sentences, select_sentences
from service.engines.registry import load_engine
from service.pipeline import prepare
from service.schemas import SummarizeRequest

GRID = {
    "position_decay": [0.2, 0.3, 0.5, 0.8],
    "centrality": [0.25, 0.5, 1.0, 2.0],
    "title": [0.0, 0.3, 0.6, 1.2],
    "backward": [-0.3, 0.0, 0.3],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEV_DATA)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    rows = read_rows(args.data, None)
    engine = load_engine(replace(Settings.from_env(), model="embedded"))
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    params = SummaryParams(max_sentences=3)
    # Embed every article once; every grid point only re-ranks.
    cache = []
    for row in rows:
        document = prepare(SummarizeRequest(text=row["article"])).document
        embeddings = engine.embedder.embed([s.text for s in document.sentences])
        title = engine.embedder.embed([document.title])[0] if document.title else None
        cache.append((document, embeddings, title, row["reference"]))

    def rouge2(sentences: list[str], reference: str) -> float:
        return 100 * scorer.score(reference, "\n".join(sentences))["rouge2"].fmeasure

    lead = np.array([rouge2([s.text for s in doc.sentences[:3]], ref) for doc, _, _, ref in cache])
    points = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]
    table = np.zeros((len(points), len(cache)))
    words = np.zeros((len(points), len(cache)))
    for p, point in enumerate(points):
        weights = replace(RankerWeights(), **point)
        for a, (doc, emb, title, ref) in enumerate(cache):
            chosen = select_sentences(doc.sentences, emb, score_sentences(emb, title, weights), params, weights)
            table[p, a] = rouge2([c.text for c in chosen], ref)
            words[p, a] = sum(len(c.text.split()) for c in chosen)

    folds = np.arange(len(cache)) % args.folds
    held_out = np.zeros(len(cache))
    for fold in range(args.folds):
        best = int(np.argmax(table[:, folds != fold].mean(axis=1)))
        held_out[folds == fold] = table[best, folds == fold]
        print(f"fold {fold}: picked {points[best]}")
    rng = np.random.default_rng(0)
    diff = held_out - lead
    means = rng.choice(diff, size=(1000, len(diff)), replace=True).mean(axis=1)
    print(f"\ncross-validated ROUGE-2 {held_out.mean():.2f} vs Lead-3 {lead.mean():.2f}: "
          f"{diff.mean():+.2f} [{np.percentile(means, 2.5):+.2f}, {np.percentile(means, 97.5):+.2f}]")
    default = int(np.argmax([p == {k: getattr(RankerWeights(), k) for k in GRID} for p in points]))
    print(f"current defaults {points[default]}: {table[default].mean():.2f} (on all articles), "
          f"{words[default].mean():.0f} words")
    best = int(np.argmax(table.mean(axis=1)))
    print(f"best on all articles {points[best]}: {table[best].mean():.2f}, {words[best].mean():.0f} words "
          f"(Lead-3: {np.mean([sum(len(s.text.split()) for s in d.sentences[:3]) for d, *_ in cache]):.0f} words)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
