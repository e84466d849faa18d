"""Unsupervised sentence ranking for news, on sentence embeddings.

Score = lead prior (+ a bonus for the lede) + PacSum-style directed centrality +
similarity to the headline. News puts its key facts first, so a pure centrality ranker
loses to taking the first sentences (Lead-3), and loses most on publishers whose human
summaries restate the lede (CNN's highlights); the position prior keeps that strength,
and centrality and the headline pick which of the early sentences carry the story."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.engines.base import SummaryParams, SummarySentence
from service.engines.length import LengthBudget
from service.text.sentences import Sentence


@dataclass(frozen=True)
class RankerWeights:
    # Defaults: the robust built-in profile, chosen to maximise the worse of the two
    # publishers' (BBC, CNN) ROUGE-2 margins over Lead-3 on their train sets
    # (bench/tune_ranker, docs/QUALITY.md): a strong lead prior, the lede kept, small
    # content terms deciding among the early sentences.
    position: float = 1.0  # weight of the lead prior 1 / (1 + index) ** position_decay
    position_decay: float = 0.6
    lede: float = 10.0  # extra score for the first sentence (news ledes carry the story)
    centrality: float = 0.1
    title: float = 0.8
    # PacSum: edges to preceding sentences count `backward` times those to following ones;
    # below zero it favours sentences that later text elaborates on (the lead).
    backward: float = -0.3
    edge_threshold: float = 0.6  # share of the similarity range below which edges are dropped
    redundancy: float = 0.85  # cosine above which a candidate repeats a chosen sentence
    min_words: int = 5  # shorter sentences are only chosen when nothing else is left


def minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / span if span > 1e-9 else np.zeros_like(values)


def pacsum_centrality(similarity: np.ndarray, backward: float, edge_threshold: float) -> np.ndarray:
    """Directed centrality of each sentence (Zheng & Lapata 2019, PacSum)."""
    n = similarity.shape[0]
    if n < 2:
        return np.zeros(n)
    off_diagonal = similarity[~np.eye(n, dtype=bool)]
    low, high = off_diagonal.min(), off_diagonal.max()
    edges = np.clip(similarity - (low + edge_threshold * (high - low)), 0.0, None)
    np.fill_diagonal(edges, 0.0)
    following = np.triu(edges, k=1).sum(axis=1)
    preceding = np.tril(edges, k=-1).sum(axis=1)
    return following + backward * preceding


def score_sentences(
    embeddings: np.ndarray, title_embedding: np.ndarray | None, weights: RankerWeights
) -> np.ndarray:
    """One salience score per sentence; `embeddings` rows are L2-normalised."""
    n = embeddings.shape[0]
    prior = 1.0 / (1.0 + np.arange(n)) ** weights.position_decay
    similarity = embeddings @ embeddings.T
    centrality = minmax(pacsum_centrality(similarity, weights.backward, weights.edge_threshold))
    scores = weights.position * prior + weights.centrality * centrality
    if n:
        scores[0] += weights.lede
    if title_embedding is not None and n > 1:
        scores = scores + weights.title * minmax(embeddings @ title_embedding)
    return scores


def select_sentences(
    sentences: list[Sentence],
    embeddings: np.ndarray,
    scores: np.ndarray,
    params: SummaryParams,
    weights: RankerWeights,
) -> list[SummarySentence]:
    """Pick the best sentences within the length budget, without near-duplicates.

    Returned in article order. At least one sentence is always returned, even when the
    shortest candidate is over the budget: an empty summary helps nobody."""
    order = sorted(range(len(sentences)), key=lambda i: -scores[i])
    # Short fragments go to the back of the queue rather than out of it.
    order.sort(key=lambda i: sentences[i].words < weights.min_words)
    chosen: list[int] = []
    budget = LengthBudget(params)
    for i in order:
        if budget.full():
            break
        if not budget.fits(sentences[i].text):
            continue
        if chosen and float(np.max(embeddings[chosen] @ embeddings[i])) > weights.redundancy:
            continue
        chosen.append(i)
        budget.add(sentences[i].text)
    if not chosen and order:
        chosen = [min(order[:3], key=lambda i: len(sentences[i].text))]
    return [SummarySentence(sentences[i].text, sentences[i], float(scores[i])) for i in sorted(chosen)]
