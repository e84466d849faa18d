"""A salience model with sentence context: a small transformer over an article's sentences
(BertSumExt's inter-sentence layers, on the frozen sentence embeddings the service computes
already), served in numpy from the profile's JSON.

Each sentence enters as its standardised named features (salience.py: positions, length,
centrality, similarities to the lede, the headline and the neighbours; on lexical vectors
the surface block too) followed, on embeddings, by the embedding itself (lexical coordinates
are one article's own, so they never enter). A linear map takes that to the model's width,
pre-norm transformer layers let every sentence read every other, and a final norm and a
linear map give one logit per sentence. Without a headline its features are zero (the
title weight is zero); training hides the headline from part of the titled articles, so
one model serves copy with and without one.

Fitted offline by context_fit.py (torch is needed only there)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.ranker.ranking import RankInput
from service.ranker.salience import EMBEDDINGS, FEATURES, SURFACE, SURFACE_FEATURES, salience_features, seven_digits

KIND = "context"
LAYER_NORM_EPS = 1e-5
# One layer's parameters and the model's own, in the order a file lists them.
LAYER_PARAMETERS = (
    "norm1_g",
    "norm1_b",
    "qkv_w",
    "qkv_b",
    "out_w",
    "out_b",
    "norm2_g",
    "norm2_b",
    "ff1_w",
    "ff1_b",
    "ff2_w",
    "ff2_b",
)
TOP_PARAMETERS = ("in_w", "in_b", "norm_g", "norm_b", "head_w", "head_b")
EMBEDDING_INPUT = "embedding"


def standardised_blocks(blocks: Sequence[str]) -> tuple[str, ...]:
    """The blocks standardised with the named features (the surface's); embeddings enter raw."""
    return tuple(b for b in blocks if b != EMBEDDINGS)


def input_names(blocks: Sequence[str]) -> list[str]:
    """What a model file lists: the named features, the surface's, then 'embedding' if it reads one."""
    surface = list(SURFACE_FEATURES) if SURFACE in blocks else []
    return [*FEATURES, *surface, *([EMBEDDING_INPUT] if EMBEDDINGS in blocks else [])]


def blocks_of(names: Sequence[str]) -> tuple[str, ...]:
    surface = (SURFACE,) if SURFACE_FEATURES[0] in names else ()
    return surface + ((EMBEDDINGS,) if EMBEDDING_INPUT in names else ())


def layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + LAYER_NORM_EPS) * gain + bias


def self_attention(x: np.ndarray, p: dict[str, np.ndarray], heads: int) -> np.ndarray:
    n, width = x.shape
    size = width // heads
    q, k, v = (m.reshape(n, heads, size).transpose(1, 0, 2) for m in np.split(x @ p["qkv_w"] + p["qkv_b"], 3, axis=1))
    logits = q @ k.transpose(0, 2, 1) / np.sqrt(size)
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return (weights @ v).transpose(1, 0, 2).reshape(n, width) @ p["out_w"] + p["out_b"]


@dataclass(frozen=True)
class ContextModel:
    """logits = head(norm(layers(in(standardised named features ++ embedding))))."""

    mean: np.ndarray  # of the standardised inputs (the named features, and the surface's)
    scale: np.ndarray
    top: dict[str, np.ndarray]
    layers: tuple[dict[str, np.ndarray], ...]
    heads: int
    blocks: tuple[str, ...] = (EMBEDDINGS,)
    # Inner encoder layers whose mean-pooled vectors follow the embedding (RankInput.layers):
    # MiniLM's layers 2 and 4 carry the wording that its final layer abstracts away.
    encoder_layers: tuple[int, ...] = ()

    @property
    def kind(self) -> str:
        return KIND

    @property
    def width(self) -> int:
        return int(self.top["in_w"].shape[1])

    def inputs(self, article: RankInput) -> np.ndarray:
        """(n, inputs): what the first layer reads of each sentence."""
        named = (salience_features(article, standardised_blocks(self.blocks)) - self.mean) / self.scale
        if EMBEDDINGS not in self.blocks:
            return named
        if not self.encoder_layers:
            return np.hstack([named, article.embeddings.astype(np.float64)])
        if article.layers is None:
            raise ValueError(f"context model: reads encoder layers {list(self.encoder_layers)}, the article has none")
        x = np.hstack([named, article.embeddings.astype(np.float64), article.layers.astype(np.float64)])
        if x.shape[1] != self.top["in_w"].shape[0]:
            raise ValueError(f"context model: reads {self.top['in_w'].shape[0]} inputs a sentence, given {x.shape[1]}")
        return x

    def score(self, article: RankInput) -> np.ndarray:
        return self.score_inputs(self.inputs(article)) if article.n else np.zeros(0)

    def score_inputs(self, x: np.ndarray) -> np.ndarray:
        h = x @ self.top["in_w"] + self.top["in_b"]
        for p in self.layers:
            h = h + self_attention(layer_norm(h, p["norm1_g"], p["norm1_b"]), p, self.heads)
            inner = np.maximum(layer_norm(h, p["norm2_g"], p["norm2_b"]) @ p["ff1_w"] + p["ff1_b"], 0.0)
            h = h + inner @ p["ff2_w"] + p["ff2_b"]
        return (layer_norm(h, self.top["norm_g"], self.top["norm_b"]) @ self.top["head_w"] + self.top["head_b"])[:, 0]

    def to_json(self) -> dict:
        return {
            "kind": KIND,
            "features": input_names(self.blocks),
            "heads": self.heads,
            **({"encoder_layers": list(self.encoder_layers)} if self.encoder_layers else {}),
            "mean": seven_digits(self.mean),
            "scale": seven_digits(self.scale),
            "top": {name: seven_digits(self.top[name]) for name in TOP_PARAMETERS},
            "layers": [{name: seven_digits(p[name]) for name in LAYER_PARAMETERS} for p in self.layers],
        }

    @classmethod
    def from_json(cls, data: dict) -> ContextModel:
        names = list(data.get("features", ()))
        blocks = blocks_of(names)
        if names != input_names(blocks):
            raise ValueError(
                "context model: `features` must list the named features, then the surface's or 'embedding', "
                "in the order this version computes them"
            )
        try:
            top = {name: np.asarray(data["top"][name], dtype=np.float64) for name in TOP_PARAMETERS}
            layers = tuple(
                {name: np.asarray(layer[name], dtype=np.float64) for name in LAYER_PARAMETERS}
                for layer in data["layers"]
            )
            mean, scale = (np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale"))
            encoder_layers = tuple(int(layer) for layer in data.get("encoder_layers", ()))
            model = cls(mean, scale, top, layers, int(data["heads"]), blocks, encoder_layers)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"context model: {exc} is missing or malformed") from exc
        model.check()
        return model

    def check(self) -> None:
        """Every array of the shape the forward pass needs (a file from another version fails here, not mid-request)."""
        standardised = len(FEATURES) + (len(SURFACE_FEATURES) if SURFACE in self.blocks else 0)
        width = self.width
        embedding_inputs = self.top["in_w"].shape[0] - standardised
        problems = [
            self.mean.shape != (standardised,) or self.scale.shape != (standardised,),
            self.top["in_w"].ndim != 2 or self.top["in_b"].shape != (width,),
            EMBEDDINGS not in self.blocks and self.top["in_w"].shape[0] != standardised,
            self.heads < 1 or width % self.heads != 0,
            self.top["head_w"].shape != (width, 1) or self.top["head_b"].shape != (1,),
            self.top["norm_g"].shape != (width,),
            bool(self.encoder_layers) and EMBEDDINGS not in self.blocks,
            EMBEDDINGS in self.blocks and embedding_inputs % (1 + len(self.encoder_layers)) != 0,
        ]
        for p in self.layers:
            problems += [
                p["qkv_w"].shape != (width, 3 * width) or p["out_w"].shape != (width, width),
                p["ff1_w"].shape[0] != width or p["ff2_w"].shape != (p["ff1_w"].shape[1], width),
            ]
        if any(problems):
            raise ValueError("context model: its arrays do not fit together (mean, scale, widths, heads, layers)")
