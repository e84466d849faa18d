"""Fitting the context model (context.py) with torch, an article at a time: each article is
a sequence of sentences (their named features and embeddings), with graded oracle labels
and a weight (calibration balances publishers with it). `init` warm-starts from a fitted
model, its standardisation and shape kept: how calibration fine-tunes the shipped default
on a newsroom's archive. Serving reads the fitted numbers in numpy; torch is needed only here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from service.ranker.context import ContextModel
from service.ranker.salience import EMBEDDINGS, FEATURES

# The headline's columns of the named features: zeroed when training hides an article's headline.
TITLE_COLUMNS = [FEATURES.index(name) for name in ("title", "title_raw", "title_weight")]
# An article's sentences past this many are left out of its training sequence (not of serving).
MAX_TRAIN_SENTENCES = 100


@dataclass
class Sequenced:
    """One article for fitting."""

    named: np.ndarray  # (n, standardised inputs) float32: the named features (and the surface's), raw
    embeddings: np.ndarray | None  # (n, d) float16, None on lexical vectors
    labels: np.ndarray  # (n,) float32 in [0, 1]
    weight: float = 1.0
    titled: bool = False
    # (n, k * d): inner encoder layers' vectors, read after the embedding (RankInput.layers; the
    # same array, so an archive's vectors are held once).
    layers: np.ndarray | None = None


@dataclass(frozen=True)
class FitOptions:
    width: int = 128
    layers: int = 2
    heads: int = 4
    feedforward: int = 256
    epochs: int = 6
    learning_rate: float = 1e-3
    batch: int = 32
    dropout: float = 0.1
    weight_decay: float = 1e-2
    title_drop: float = 0.5  # the share of titled articles shown without their headline, drawn each epoch
    seed: int = 0


def standardisation(articles: Sequence[Sequenced]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale of the standardised inputs over every sentence (a constant column: scale 1)."""
    total = sum(len(a.named) for a in articles)
    mean = sum(a.named.sum(axis=0, dtype=np.float64) for a in articles) / total
    scale = np.sqrt(sum(((a.named - mean) ** 2).sum(axis=0) for a in articles) / total)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def _network(inputs: int, options: FitOptions) -> Any:
    """The torch twin of ContextModel.score_inputs, on padded batches with a sentence mask."""
    import torch
    from torch import nn

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            w = options.width
            self.norm1, self.qkv, self.out = nn.LayerNorm(w), nn.Linear(w, 3 * w), nn.Linear(w, w)
            self.norm2, self.ff1, self.ff2 = (
                nn.LayerNorm(w),
                nn.Linear(w, options.feedforward),
                nn.Linear(options.feedforward, w),
            )

        def attend(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            b, n, w = x.shape
            size = w // options.heads
            q, k, v = (m.view(b, n, options.heads, size).transpose(1, 2) for m in self.qkv(x).split(w, dim=-1))
            logits = (q @ k.transpose(-1, -2) / math.sqrt(size)).masked_fill(~mask[:, None, None, :], float("-inf"))
            return self.out((logits.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, w))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inp = nn.Linear(inputs, options.width)
            self.layers: Sequence[Layer] = nn.ModuleList([Layer() for _ in range(options.layers)])  # type: ignore[assignment]
            self.norm, self.head = nn.LayerNorm(options.width), nn.Linear(options.width, 1)
            self.drop = nn.Dropout(options.dropout)

        def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            h = self.inp(self.drop(x))
            for layer in self.layers:
                h = h + self.drop(layer.attend(layer.norm1(h), mask))
                h = h + self.drop(layer.ff2(torch.relu(layer.ff1(layer.norm2(h)))))
            return self.head(self.norm(h))[..., 0]

    return Net()


# (torch module path, ContextModel key): a Linear's weight is stored transposed, (in, out).
_TOP = (("inp", "in"), ("head", "head"))
_TOP_NORMS = (("norm", "norm"),)
_LAYER = (("qkv", "qkv"), ("out", "out"), ("ff1", "ff1"), ("ff2", "ff2"))
_LAYER_NORMS = (("norm1", "norm1"), ("norm2", "norm2"))


def _pairs(model: ContextModel) -> list[tuple[str, dict[str, np.ndarray], str, bool]]:
    """(torch prefix, where the arrays live, key stem, is a Linear) for every module."""
    out = [(t, model.top, k, True) for t, k in _TOP] + [(t, model.top, k, False) for t, k in _TOP_NORMS]
    for number, p in enumerate(model.layers):
        out += [(f"layers.{number}.{t}", p, k, True) for t, k in _LAYER]
        out += [(f"layers.{number}.{t}", p, k, False) for t, k in _LAYER_NORMS]
    return out


def _load(net: Any, model: ContextModel) -> None:
    import torch

    state = {}
    for prefix, arrays, key, linear in _pairs(model):
        first, second = (
            (arrays[f"{key}_w"].T, arrays[f"{key}_b"]) if linear else (arrays[f"{key}_g"], arrays[f"{key}_b"])
        )
        state[f"{prefix}.weight"] = torch.tensor(np.ascontiguousarray(first), dtype=torch.float32)
        state[f"{prefix}.bias"] = torch.tensor(second, dtype=torch.float32)
    net.load_state_dict(state)


def _export(net: Any, shape: ContextModel) -> ContextModel:
    """The network's numbers in `shape`'s layout (a model of the same shape: only arrays are read)."""
    state = {name: tensor.detach().numpy().astype(np.float64) for name, tensor in net.state_dict().items()}
    top: dict[str, np.ndarray] = {}
    layers: list[dict[str, np.ndarray]] = [{} for _ in shape.layers]
    for prefix, _, key, linear in _pairs(shape):
        target = top if not prefix.startswith("layers.") else layers[int(prefix.split(".")[1])]
        target[f"{key}_w" if linear else f"{key}_g"] = (
            state[f"{prefix}.weight"].T.copy() if linear else state[f"{prefix}.weight"]
        )
        target[f"{key}_b"] = state[f"{prefix}.bias"]
    return replace(shape, top=top, layers=tuple(layers))


def _blank(
    mean: np.ndarray,
    scale: np.ndarray,
    inputs: int,
    options: FitOptions,
    blocks: tuple[str, ...],
    encoder_layers: tuple[int, ...] = (),
) -> ContextModel:
    """A model of the right shape (zeros), for _export's layout."""
    w, f = options.width, options.feedforward
    top = {"in_w": np.zeros((inputs, w)), "in_b": np.zeros(w), "norm_g": np.ones(w), "norm_b": np.zeros(w)}
    top |= {"head_w": np.zeros((w, 1)), "head_b": np.zeros(1)}
    layer = {"norm1_g": np.ones(w), "norm1_b": np.zeros(w), "qkv_w": np.zeros((w, 3 * w)), "qkv_b": np.zeros(3 * w)}
    layer |= {"out_w": np.zeros((w, w)), "out_b": np.zeros(w), "norm2_g": np.ones(w), "norm2_b": np.zeros(w)}
    layer |= {"ff1_w": np.zeros((w, f)), "ff1_b": np.zeros(f), "ff2_w": np.zeros((f, w)), "ff2_b": np.zeros(w)}
    layers = tuple(dict(layer) for _ in range(options.layers))
    return ContextModel(mean, scale, top, layers, options.heads, blocks, encoder_layers)


def _batch(
    chosen: Sequence[Sequenced],
    mean: np.ndarray,
    scale: np.ndarray,
    dimension: int,
    drop: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Padded inputs, labels, mask and per-sentence loss weights (an article's weight shared by its sentences)."""
    n = min(MAX_TRAIN_SENTENCES, max(len(a.labels) for a in chosen))
    x = np.zeros((len(chosen), n, len(mean) + dimension), dtype=np.float32)
    y = np.zeros((len(chosen), n), dtype=np.float32)
    mask = np.zeros((len(chosen), n), dtype=bool)
    weight = np.zeros((len(chosen), n), dtype=np.float32)
    for row, a in enumerate(chosen):
        m = min(n, len(a.labels))
        named = a.named[:m].astype(np.float64)
        if a.titled and rng.random() < drop:
            named[:, TITLE_COLUMNS] = 0.0
        x[row, :m, : len(mean)] = (named - mean) / scale
        if dimension and a.embeddings is not None:
            d = a.embeddings.shape[1]
            x[row, :m, len(mean) : len(mean) + d] = a.embeddings[:m]
            if a.layers is not None:
                x[row, :m, len(mean) + d :] = a.layers[:m]
        y[row, :m], mask[row, :m], weight[row, :m] = a.labels[:m], True, a.weight / m
    return x, y, mask, weight


def _batches(articles: Sequence[Sequenced], size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches in random order, each of articles of similar lengths (little padding): a random
    pool of 50 batches at a time is sorted by length and cut."""
    order = rng.permutation(len(articles))
    batches = []
    for begin in range(0, len(order), 50 * size):
        pool = sorted(order[begin : begin + 50 * size], key=lambda i: len(articles[i].labels))
        batches += [np.array(pool[i : i + size]) for i in range(0, len(pool), size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def fit_context(
    articles: Sequence[Sequenced],
    blocks: tuple[str, ...] = (EMBEDDINGS,),
    options: FitOptions | None = None,
    init: ContextModel | None = None,
    progress: bool = False,
    encoder_layers: tuple[int, ...] = (),
) -> ContextModel:
    """Weighted binary cross-entropy over each article's sentences, AdamW with a one-cycle
    schedule (from its peak at once when warm-starting: the model is already near)."""
    import torch
    from tqdm import tqdm

    options = options or FitOptions()
    usable = [a for a in articles if len(a.labels) >= 2]
    if not usable:
        raise ValueError("context model: no article with two or more sentences to fit on")
    first = usable[0]
    dimension = 0 if first.embeddings is None else int(first.embeddings.shape[1])
    dimension += 0 if first.layers is None else int(first.layers.shape[1])
    if init is not None:
        if init.blocks != blocks:
            raise ValueError(f"context model: cannot warm-start a {blocks} model from a {init.blocks} one")
        if init.encoder_layers != encoder_layers:
            raise ValueError(
                f"context model: cannot warm-start on encoder layers {list(encoder_layers)}"
                f" from a model of layers {list(init.encoder_layers)}"
            )
        options = replace(
            options,
            width=init.width,
            layers=len(init.layers),
            heads=init.heads,
            feedforward=init.layers[0]["ff1_w"].shape[1],
        )
        mean, scale, shape = init.mean, init.scale, init
    else:
        mean, scale = standardisation(usable)
        shape = _blank(mean, scale, len(mean) + dimension, options, blocks, encoder_layers)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    net = _network(len(mean) + dimension, options)
    if init is not None:
        _load(net, init)
    steps = options.epochs * math.ceil(len(usable) / options.batch)
    optimiser = torch.optim.AdamW(net.parameters(), lr=options.learning_rate, weight_decay=options.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=options.learning_rate, total_steps=max(1, steps), pct_start=0.1 if init is None else 0.01
    )
    net.train()
    with tqdm(total=steps, desc="fitting (context)", disable=not progress) as bar:
        for _ in range(options.epochs):
            for batch in _batches(usable, options.batch, rng):
                chosen = [usable[i] for i in batch]
                x, y, mask, weight = (
                    torch.from_numpy(a) for a in _batch(chosen, mean, scale, dimension, options.title_drop, rng)
                )
                optimiser.zero_grad()
                logits = net(x, mask)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y, weight=weight, reduction="sum")
                (loss / len(chosen)).backward()
                optimiser.step()
                schedule.step()
                bar.update(1)
    net.eval()
    return _export(net, shape)
