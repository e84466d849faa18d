"""A learned salience model: a small network (or a logistic regression, its one-layer case)
over each sentence's features, served in numpy from the profile's JSON.

Features per sentence (`salience_features`):
- position: the lead prior, the first three positions, relative position, log index;
- the sentence: log words, a short-fragment flag;
- the article around it: PacSum centrality, similarity to the lede, to the article's
  centroid, to the previous and next sentences, the highest similarity to any earlier
  sentence (does it repeat?), log sentence count;
- the headline: min-max and raw similarity, scaled by how sure the title is one;
- embeddings (`EMBEDDINGS`): the sentence's own, its neighbours' mean and the article's
  centroid, so the network can learn what a summary sentence says in the context it says it;
- or, on lexical vectors (service/ranker/lexical.py), whose coordinates are one article's own
  and mean nothing across articles, the sentence's surface (`SURFACE`): names, numbers,
  quotes, questions, asides, read from its characters in any script. The named features
  (positions, lengths, similarities) are read from lexical vectors as from embeddings.

Fitted offline (`python -m service calibrate --ranker salience`, service/ranker/salience_fit.py)
on the sentences of a greedy ROUGE-2 oracle against a newsroom's own summaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.ranker.ranking import RankInput

# Named features, in the order of the stored standardisation; one block follows them
# (`feature_names`): the surface features, or the embeddings.
FEATURES = (
    "prior",
    "first",
    "second",
    "third",
    "relative_position",
    "log_index",
    "log_words",
    "short",
    "centrality",
    "centrality_backward",
    "lede_similarity",
    "centroid_similarity",
    "previous_similarity",
    "next_similarity",
    "earlier_max_similarity",
    "log_sentences",
    "title",
    "title_raw",
    "title_weight",
)
EMBEDDING_BLOCKS = ("sentence", "neighbours", "centroid")
SURFACE_FEATURES = (
    "name_share",
    "log_names",
    "has_digit",
    "log_digits",
    "quoted",
    "question",
    "colon",
    "parenthesis",
    "log_characters",
    "commas_per_word",
)
# The blocks that follow the named features: a model reads one of them (SalienceModel.blocks).
EMBEDDINGS = "embeddings"
SURFACE = "surface"
QUOTE_MARKS = frozenset('«»"“”„‹›「」『』')  # not ’ or ': the apostrophe of French and English
CLOSERS = ' \t\n\u00a0\u202f»"”’›」』)）'  # what may follow a sentence's last mark
SHORT_WORDS = 5
CENTRALITY_EDGE_THRESHOLD = 0.6


def salience_features(article: RankInput, blocks: Sequence[str] = (EMBEDDINGS,)) -> np.ndarray:
    """(n, features) for an article's sentences: the named features, then each of `blocks`
    (3 * dimension columns for EMBEDDINGS, len(SURFACE_FEATURES) for SURFACE, which reads
    article.texts)."""
    n = article.n
    e = article.embeddings.astype(np.float64)
    if n == 0:
        return np.zeros((0, feature_count(blocks, e.shape[1])))
    s = article.similarity
    index = np.arange(n)
    centroid = e.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    adjacent = np.diag(s, 1) if n > 1 else np.zeros(0)
    earlier = np.where(np.tril(np.ones((n, n), dtype=bool), -1), s, -1.0).max(axis=1)
    earlier[0] = 0.0
    title_raw = e @ article.title if article.title is not None else np.zeros(n)
    weight = article.title_weight
    padded = np.vstack([np.zeros_like(e[:1]), e, np.zeros_like(e[:1])])
    neighbours = (padded[:-2] + padded[2:]) / 2
    named = np.column_stack(
        [
            1.0 / (1.0 + index),
            index == 0,
            index == 1,
            index == 2,
            index / max(1, n - 1),
            np.log1p(index),
            np.log1p(article.words),
            article.words < SHORT_WORDS,
            article.centrality(0.0, CENTRALITY_EDGE_THRESHOLD),
            article.centrality(-0.3, CENTRALITY_EDGE_THRESHOLD),
            s[0],
            e @ centroid,
            np.r_[0.0, adjacent],
            np.r_[adjacent, 0.0],
            earlier,
            np.full(n, np.log(n)),
            weight * article.title_similarity,
            weight * title_raw,
            np.full(n, weight),
        ]
    ).astype(np.float64)
    parts = [named]
    if SURFACE in blocks:
        if len(article.texts) != n:
            raise ValueError("salience model: its surface features need the article's sentence texts")
        parts.append(surface_features(article.texts))
    if EMBEDDINGS in blocks:
        parts += [e, neighbours, np.broadcast_to(centroid, e.shape)]
    return np.hstack(parts)


def feature_names(blocks: Sequence[str]) -> list[str]:
    """What a model file lists: the named features, the surface's, an embedding block's name each."""
    surface = list(SURFACE_FEATURES) if SURFACE in blocks else []
    embedded = [f"{b}_embedding" for b in EMBEDDING_BLOCKS] if EMBEDDINGS in blocks else []
    return [*FEATURES, *surface, *embedded]


def feature_count(blocks: Sequence[str], dimension: int) -> int:
    """Columns of `salience_features`: one per listed name, `dimension` per embedding block."""
    embedded = len(EMBEDDING_BLOCKS) * (dimension - 1) if EMBEDDINGS in blocks else 0
    return len(feature_names(blocks)) + embedded


def surface_features(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), len(SURFACE_FEATURES)): what a sentence's characters say in any script.
    Capitalised words after the first are names (German nouns too: a profile learns its own
    language's weight); `split` words, so a text without spaces is one word."""
    rows = []
    for text in texts:
        words = text.split()
        count = max(1, len(words))
        names = sum(1 for word in words[1:] if word[:1].isupper())
        digits = sum(character.isdigit() for character in text)
        stripped = text.rstrip(CLOSERS)  # a question may end inside its quote: « … ? »
        rows.append(
            [
                names / count,
                np.log1p(names),
                digits > 0,
                np.log1p(digits),
                any(character in QUOTE_MARKS for character in text),
                stripped.endswith(("?", "？")) or "¿" in text,
                ":" in text or "：" in text,
                "(" in text or "（" in text,
                np.log1p(len(text)),
                sum(text.count(mark) for mark in ",，、") / count,
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(len(texts), len(SURFACE_FEATURES))


def seven_digits(values: np.ndarray) -> list:
    """Seven significant digits: a smaller file, scores equal to about 1e-5."""
    return np.vectorize(lambda v: float(f"{v:.7g}"), otypes=[float])(values).tolist()


@dataclass(frozen=True)
class SalienceModel:
    """score = layers(((features - mean) / scale)), ReLU between layers: a logit of salience.
    One layer is a logistic regression; two, a small MLP. `blocks`: what it reads after the
    named features (EMBEDDINGS, or SURFACE for a language ranked on lexical vectors)."""

    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]  # (weight (in, out), bias (out,)) each
    blocks: tuple[str, ...] = (EMBEDDINGS,)

    @property
    def kind(self) -> str:
        return "logistic" if len(self.layers) == 1 else "mlp"

    def score(self, article: RankInput) -> np.ndarray:
        return self.score_features(salience_features(article, self.blocks))

    def score_features(self, x: np.ndarray) -> np.ndarray:
        h = (x - self.mean) / self.scale
        for number, (weight, bias) in enumerate(self.layers):
            h = h @ weight + bias
            if number < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h[:, 0]

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "features": feature_names(self.blocks),
            "mean": seven_digits(self.mean),
            "scale": seven_digits(self.scale),
            "layers": [{"weight": seven_digits(w), "bias": seven_digits(b)} for w, b in self.layers],
        }

    @classmethod
    def from_json(cls, data: dict) -> SalienceModel:
        mean = np.asarray(data["mean"], dtype=np.float64)
        scale = np.asarray(data["scale"], dtype=np.float64)
        layers = tuple(
            (np.asarray(layer["weight"], dtype=np.float64), np.asarray(layer["bias"], dtype=np.float64))
            for layer in data["layers"]
        )
        width = len(mean)
        for weight, bias in layers:
            if weight.ndim != 2 or weight.shape[0] != width or bias.shape != (weight.shape[1],):
                raise ValueError("salience model: each layer's weight must be (inputs, outputs) with one bias each")
            width = weight.shape[1]
        if not layers or width != 1 or len(scale) != len(mean):
            raise ValueError("salience model: mean and scale need one value per input, and one output")
        features = list(data.get("features", ()))
        blocks = tuple(block for block in (SURFACE, EMBEDDINGS) if feature_names([block])[-1] in features)
        if features != feature_names(blocks):
            raise ValueError(
                "salience model: `features` must list the named features, then the surface or embedding block, "
                "in the order this version computes them"
            )
        # The embedding dimension is the model's to know: whatever the listed blocks leave.
        embedded = len(mean) - feature_count(blocks, 0)
        if (embedded <= 0 or embedded % len(EMBEDDING_BLOCKS)) if EMBEDDINGS in blocks else embedded:
            raise ValueError("salience model: mean and scale need one value per feature it lists")
        return cls(mean, scale, layers, blocks)
