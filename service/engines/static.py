"""A static sentence embedder: a vocabulary and one vector per token (model2vec's format, as
`models.prepare embedded-fast` distils it from the packaged MiniLM), read in numpy.

A sentence's vector is the mean of its tokens' rows, L2-normalised: what model2vec's
StaticModel.encode computes, without model2vec (or torch) on the serving path. No
transformer runs, so an article costs a tokenizer call and a few gathers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_TYPE = "model2vec"  # config.json's model_type of a static model folder


def is_static_model(path: Path) -> bool:
    config = path / "config.json"
    return config.is_file() and json.loads(config.read_text(encoding="utf-8")).get("model_type") == MODEL_TYPE


class StaticEmbedder:
    """Mean-pooled, L2-normalised token vectors; the folder's own tokenizer (model2vec rewrites
    the teacher's vocabulary, dropping its unused tokens)."""

    def __init__(self, path: Path) -> None:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.vectors = load_file(str(path / "model.safetensors"))["embeddings"].astype(np.float32)
        # model2vec stores SIF weights folded into the vectors unless it names them apart.
        self.max_tokens = int(config.get("max_length") or 512)
        self.unk = self.tokenizer.token_to_id("[UNK]")
        self.dimension = int(self.vectors.shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        ids = [[t for t in e.ids[: self.max_tokens] if t != self.unk] for e in encodings]
        lengths = np.array([len(i) for i in ids])
        flat = np.fromiter((t for row in ids for t in row), dtype=np.intp, count=int(lengths.sum()))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        present = lengths > 0
        if flat.size:
            starts = np.r_[0, np.cumsum(lengths)[:-1]][present]
            out[present] = np.add.reduceat(self.vectors[flat], starts, axis=0) / lengths[present, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=out, where=norms > 1e-12)
