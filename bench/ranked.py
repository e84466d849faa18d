"""Dev articles read, embedded and scored as the embedded engine does it, for the
newsroom-feature benchmarks (bench.focus, bench.lengths) and their tests.

Uses the service's own read step (bench.common.prepare_row: service.summarizer.read_article),
the engine's encoder and the shared ranker (ranking.rank_input, score_sentences with the
current default RankerWeights), so the figures follow whatever the ranking is tuned to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from bench.common import REPO_ROOT, prepare_row
from service.engines.extractive import SentenceEmbedder
from service.ranker.ranking import RankerWeights, embed_article, rank_input, score_sentences
from service.text.sentences import Sentence

EMBEDDED = REPO_ROOT / "models" / "embedded"


@dataclass
class RankedArticle:
    id: str
    title: str | None
    body: str  # the cleaned article: sentence spans index it
    sentences: list[Sentence]
    embeddings: np.ndarray  # one L2-normalised row per sentence
    scores: np.ndarray  # the engine's salience, one per sentence
    reference: str


def load_embedder(path: Path = EMBEDDED, precision: str = "int8") -> SentenceEmbedder:
    """The embedded model as served by default (int8: QUANTIZE=auto)."""
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path} is missing: run `python -m models.prepare embedded`")
    torch.set_num_threads(1)  # the machine is shared; one thread keeps the runs polite
    return SentenceEmbedder(path, precision)


def rank_article(embedder: SentenceEmbedder, row: dict[str, str]) -> RankedArticle:
    clean, sentences = prepare_row(row)
    texts = [s.text for s in sentences]
    embedded = embed_article(embedder, texts, clean.title)
    article = rank_input(embedded, texts, bool(clean.title), clean.title_confidence)
    scores = score_sentences(article, RankerWeights())
    return RankedArticle(row["id"], clean.title, clean.body, sentences, article.embeddings, scores, row["reference"])
