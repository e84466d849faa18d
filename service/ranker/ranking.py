"""Unsupervised sentence ranking for news, on sentence embeddings: the one ranker that
serving (service/engines/extractive.py) and calibration (service/calibration/calibrate.py) share.

Score = lead prior (+ a bonus for the lede) + PacSum-style directed centrality +
similarity to the headline. News puts its key facts first, so a pure centrality ranker
loses to taking the first sentences (Lead-3), and loses most on publishers whose human
summaries restate the lede (CNN's highlights); the position prior keeps that strength,
and centrality and the headline pick which of the early sentences carry the story.

The interface, on indices:
    embed_article(embedder, texts, title)                    the embedder's rows for an article
    rank_input(embedded, texts, titled, title_confidence, layers)  what the ranker reads of an article (RankInput)
    score_sentences(article, weights) -> scores              one score per sentence
    select_indices(article, scores, weights, budget, texts)  the chosen indices, article order
    score_grid / top_k_grid                                  the same for many weights at once"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

from service.domain.length import LengthBudget
from service.domain.summary import SummaryParams, SummarySentence
from service.ranker.lexical import LexicalEmbedder
from service.text.sentences import Sentence


class TextEmbedder(Protocol):
    """Anything that embeds texts as one row each (the encoder, static or lexical vectors)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


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
    title: float = 0.8  # scaled by how sure the headline is one (RankInput.title_confidence)
    # PacSum: edges to preceding sentences count `backward` times those to following ones;
    # below zero it favours sentences that later text elaborates on (the lead).
    backward: float = -0.3
    edge_threshold: float = 0.6  # share of the similarity range below which edges are dropped
    redundancy: float = 0.85  # cosine above which a candidate repeats a chosen sentence
    min_words: int = 5  # shorter sentences are only chosen when nothing else is left


@dataclass
class RankInput:
    """What the ranker reads of one article. Derived matrices are computed once and kept,
    so calibration can score thousands of weightings of one article cheaply."""

    embeddings: np.ndarray  # (n, d), rows L2-normalised
    words: np.ndarray  # (n,) words per sentence
    title: np.ndarray | None = None  # the headline's embedding, L2-normalised
    # How sure it is that the title is the article's headline (service/text/titles.py):
    # 1 for a title the caller gave, less for one found in the page or the first line.
    title_confidence: float = 1.0
    texts: Sequence[str] = ()  # the sentences themselves: a salience model's surface features read them
    # (n, k * d) float16: the sentences' mean-pooled vectors at k inner encoder layers,
    # L2-normalised per layer, when the profile's model reads them (ContextModel.encoder_layers).
    layers: np.ndarray | None = None
    _centrality: dict[tuple[float, float], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return int(self.embeddings.shape[0])

    @cached_property
    def similarity(self) -> np.ndarray:
        return self.embeddings @ self.embeddings.T

    @cached_property
    def title_similarity(self) -> np.ndarray:
        """Min-max similarity to the headline; zeros without one (or with one sentence)."""
        if self.title is None or self.n < 2:
            return np.zeros(self.n)
        return minmax(self.embeddings @ self.title)

    def centrality(self, backward: float, edge_threshold: float) -> np.ndarray:
        key = (backward, edge_threshold)
        if key not in self._centrality:
            self._centrality[key] = minmax(pacsum_centrality(self.similarity, backward, edge_threshold))
        return self._centrality[key]

    @property
    def title_weight(self) -> float:
        """The share of the headline term this article's title earns (0 without one)."""
        return 0.0 if self.title is None else float(self.title_confidence)

    def only(self, indices: Sequence[int]) -> RankInput:
        """The same article restricted to these sentences, for selecting among them alone."""
        keep = np.asarray(indices, dtype=np.intp)
        layers = None if self.layers is None else self.layers[keep]
        return RankInput(self.embeddings[keep], self.words[keep], self.title, self.title_confidence, layers=layers)


def embed_article(embedder: TextEmbedder, texts: Sequence[str], title: str | None) -> np.ndarray:
    """The embedder's rows for an article's sentences `texts`, then its headline's row when it has
    one: what rank_input reads, built here for serving, calibration and the benchmarks alike.
    The headline gets an encoder call of its own: int8 scales activations once per call, so a
    headline in the sentences' call would move their vectors (up to 0.06 in 1 - cos), and an
    article would rank differently with and without its headline line for that alone.
    Lexical vectors compare within one call only, so they take the headline in the same call."""
    if not title:
        return embedder.embed(texts)
    if isinstance(embedder, LexicalEmbedder):
        return embedder.embed([*texts, title])
    return np.vstack([embedder.embed(texts), embedder.embed([title])])


def rank_input(
    embedded: np.ndarray,
    texts: Sequence[str],
    titled: bool = False,
    title_confidence: float = 1.0,
    layers: int = 0,
) -> RankInput:
    """What the ranker reads of an article, from the embedder's rows for `texts` (its sentences)
    followed, when `titled`, by its headline's row: the one builder that serving
    (service/engines/extractive.py), calibration and the benchmarks share. `layers`: how many
    inner layers' vectors follow the final one's in each row (extractive.WithLayers)."""
    n = len(texts)
    words = np.array([len(text.split()) for text in texts])
    if not layers:
        title = embedded[n] if titled else None
        return RankInput(embedded[:n], words, title, title_confidence, list(texts))
    # Copies, not views: a cached chunk's wide rows are then freed, and the inner layers are
    # kept at half precision (an archive of 20,000 stories holds them in memory to fit).
    width = embedded.shape[1] // (1 + layers)
    title = embedded[n, :width].copy() if titled else None
    final, inner = np.ascontiguousarray(embedded[:n, :width]), embedded[:n, width:].astype(np.float16)
    return RankInput(final, words, title, title_confidence, list(texts), layers=inner)


def minmax(values: np.ndarray) -> np.ndarray:
    """Scaled to [0, 1]; a flat input (nothing to tell apart) is all zeros."""
    span = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / span if span > 1e-9 else np.zeros_like(values, dtype=np.float64)


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


def score_sentences(article: RankInput, weights: RankerWeights) -> np.ndarray:
    """One salience score per sentence."""
    return score_grid(article, [weights])[0]


def score_grid(article: RankInput, points: Sequence[RankerWeights]) -> np.ndarray:
    """(len(points), n) scores: score_sentences for every weighting at once."""
    n = article.n
    index = np.arange(n, dtype=np.float64)
    out = np.zeros((len(points), n))
    for row, w in enumerate(points):
        out[row] = w.position / (1.0 + index) ** w.position_decay
        out[row] += w.centrality * article.centrality(w.backward, w.edge_threshold)
        out[row] += (w.title * article.title_weight) * article.title_similarity
    if n:
        out[:, 0] += np.array([w.lede for w in points])
    return out


def _candidate_order(scores: np.ndarray, words: np.ndarray, min_words: int) -> list[int]:
    # Highest score first; short fragments go to the back of the queue rather than out of it.
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    order.sort(key=lambda i: bool(words[i] < min_words))
    return order


def select_indices(
    article: RankInput, scores: np.ndarray, weights: RankerWeights, budget: LengthBudget, texts: Sequence[str]
) -> list[int]:
    """The best sentences within the length budget, without near-duplicates, in article order.

    At least one sentence is always chosen, even when the shortest candidate is over the
    budget: an empty summary helps nobody."""
    order = _candidate_order(scores, article.words, weights.min_words)
    chosen: list[int] = []
    for i in order:
        if budget.full():
            break
        if not budget.fits(texts[i]):
            continue
        if chosen and float(np.max(article.similarity[chosen, i])) > weights.redundancy:
            continue
        chosen.append(i)
        budget.add(texts[i])
    if not chosen and order:
        chosen = [min(order[:3], key=lambda i: len(texts[i]))]
    return sorted(chosen)


def top_k_grid(article: RankInput, scores: np.ndarray, weights: RankerWeights, k: int) -> list[tuple[int, ...]]:
    """select_indices at `max_sentences=k` for each row of `scores` (from score_grid), vectorised.

    The top k by score are taken at once; a row whose top k hold a near-duplicate pair
    goes through select_indices itself, so the result is always the same."""
    n = article.n
    if n == 0:
        return [() for _ in range(len(scores))]
    ranked = scores - 1e6 * (article.words < weights.min_words)  # fragments only fill in last
    top = np.sort(np.argsort(-ranked, axis=1, kind="stable")[:, :k], axis=1)
    redundant = article.similarity > weights.redundancy
    clash = np.zeros(len(scores), dtype=bool)
    for a, b in itertools.combinations(range(top.shape[1]), 2):
        clash |= redundant[top[:, a], top[:, b]]
    texts = [""] * n  # max_sentences alone: the texts are never measured
    params = SummaryParams(max_sentences=k)
    return [
        tuple(select_indices(article, scores[row], weights, LengthBudget(params), texts))
        if clash[row]
        else tuple(int(i) for i in top[row])
        for row in range(len(scores))
    ]


def select_sentences(
    sentences: list[Sentence], article: RankInput, scores: np.ndarray, params: SummaryParams, weights: RankerWeights
) -> list[SummarySentence]:
    """select_indices as the summary's sentences."""
    texts = [s.text for s in sentences]
    chosen = select_indices(article, scores, weights, LengthBudget(params), texts)
    return [SummarySentence(sentences[i].text, sentences[i], float(scores[i])) for i in chosen]
