"""A small supervised salience model: a linear score over features the ranker already has.

Features per sentence: the lead prior and the first three positions, relative position,
PacSum centrality, headline similarity, length, and the sentence embedding itself. The
weights come from a logistic regression on oracle labels (the sentences of a greedy
ROUGE-2 oracle against human summaries), fitted offline (`python -m service calibrate`,
`bench/tune_ranker`) and stored as plain numbers: serving needs numpy only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.engines.ranking import RankInput, minmax, pacsum_centrality

# Named features, in the order of the stored coefficients; the embedding follows them.
FEATURES = (
    "prior", "first", "second", "third", "relative_position", "centrality", "title", "title_raw",
    "has_title", "log_words", "short",
)
# Centrality as the built-in ranker computes it: the model learns how much it counts.
CENTRALITY_BACKWARD = 0.0
CENTRALITY_EDGE_THRESHOLD = 0.6
SHORT_WORDS = 5


def salience_features(embeddings: np.ndarray, title_embedding: np.ndarray | None, words: np.ndarray) -> np.ndarray:
    """(n, len(FEATURES) + dimension) features of an article's sentences."""
    n = embeddings.shape[0]
    index = np.arange(n)
    centrality = minmax(pacsum_centrality(embeddings @ embeddings.T, CENTRALITY_BACKWARD, CENTRALITY_EDGE_THRESHOLD))
    title_raw = embeddings @ title_embedding if title_embedding is not None else np.zeros(n)
    named = np.column_stack([
        1.0 / (1.0 + index),
        index == 0,
        index == 1,
        index == 2,
        index / max(1, n - 1),
        centrality,
        minmax(title_raw) if title_embedding is not None and n > 1 else np.zeros(n),
        title_raw,
        np.full(n, float(title_embedding is not None)),
        np.log1p(words),
        words < SHORT_WORDS,
    ]).astype(np.float64)
    return np.hstack([named, embeddings.astype(np.float64)])


def _digits(values: np.ndarray) -> list[float]:
    """Eight significant digits: a small file, scores equal to about 1e-6."""
    return [float(f"{v:.8g}") for v in values]


@dataclass(frozen=True)
class SalienceModel:
    """score = ((features - mean) / scale) @ coef + intercept (a logit of salience)."""

    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray

    def score(self, article: RankInput) -> np.ndarray:
        x = salience_features(article.embeddings, article.title, article.words)
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def to_json(self) -> dict:
        return {
            "features": [*FEATURES, f"embedding[{len(self.coef) - len(FEATURES)}]"],
            "coef": _digits(self.coef),
            "intercept": float(f"{self.intercept:.8g}"),
            "mean": _digits(self.mean),
            "scale": _digits(self.scale),
        }

    @classmethod
    def from_json(cls, data: dict) -> SalienceModel:
        coef = np.asarray(data["coef"], dtype=np.float64)
        mean = np.asarray(data["mean"], dtype=np.float64)
        scale = np.asarray(data["scale"], dtype=np.float64)
        if not (len(coef) == len(mean) == len(scale) > len(FEATURES)):
            raise ValueError("salience model: coef, mean and scale must have one value per feature")
        return cls(coef, float(data["intercept"]), mean, scale)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 100.0, iterations: int = 12) -> SalienceModel:
    """L2-regularised logistic regression by Newton's method, in numpy (no scikit-learn needed).

    Features are standardised first, so one `l2` suits them all; the intercept is not penalised."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-4:
            break
    return SalienceModel(w[:-1], float(w[-1]), mean, scale)
