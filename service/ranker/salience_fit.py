"""Fitting the salience model (service/ranker/salience.py) with torch: a logistic regression
(no hidden layer) or a small MLP, on standardised sentence features and (soft) oracle labels.
Serving reads the fitted numbers in numpy; torch is needed only here."""

from __future__ import annotations

from typing import Any

import numpy as np

from service.ranker.salience import EMBEDDINGS, SalienceModel

BATCH = 1024


def _byte_dropout(p: float, seed: int) -> Any:
    """Input dropout whose mask comes from random bytes (numpy's generator, eight a draw): the
    same regulariser as torch's Dropout with `p` to 1/256, without its per-element draws,
    which took 44% of an MLP fit's time on 1,171 features."""
    import torch

    class ByteDropout(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.threshold = round(p * 256)
            self.scale = 256 / (256 - self.threshold)
            self.rng = np.random.default_rng(seed)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if not self.training or not self.threshold:
                return x
            drawn = np.frombuffer(self.rng.bytes(x.numel()), np.uint8).reshape(x.shape)
            return torch.where(torch.from_numpy(drawn >= self.threshold), x * self.scale, 0.0)

    return ByteDropout()


def fit_ensemble(
    x: np.ndarray,
    y: np.ndarray,
    members: int = 1,
    seed: int = 0,
    blocks: tuple[str, ...] = (EMBEDDINGS,),
    **options: Any,
) -> SalienceModel:
    """`members` MLPs fitted from different seeds, served as one: their hidden layers side by
    side and the output averaged, which is the mean of their logits exactly. Averaging
    steadies a model fitted on a few thousand articles, whose single fits vary by a few
    tenths of ROUGE-2 from seed to seed."""
    fitted = [fit_salience(x, y, seed=seed + member, blocks=blocks, **options) for member in range(members)]
    if members == 1 or len(fitted[0].layers) != 2:
        return fitted[0]
    first = np.hstack([m.layers[0][0] for m in fitted]), np.concatenate([m.layers[0][1] for m in fitted])
    output = np.vstack([m.layers[1][0] for m in fitted]) / members, np.mean([m.layers[1][1] for m in fitted], axis=0)
    return SalienceModel(fitted[0].mean, fitted[0].scale, (first, output), blocks)


def fit_salience(
    x: np.ndarray,
    y: np.ndarray,
    hidden: int = 0,
    epochs: int = 6,
    weight_decay: float = 1e-4,
    dropout: float = 0.1,
    seed: int = 0,
    progress: bool = False,
    blocks: tuple[str, ...] = (EMBEDDINGS,),
) -> SalienceModel:
    """Binary cross-entropy on the labels (1 for oracle sentences, or a soft gain in [0, 1]),
    Adam with decoupled weight decay; `hidden` 0 is a logistic regression. A feature the
    data never varied (the headline's, in an archive without headlines) gets zero weight:
    its weights were never trained, and must not score what serving later sees of it."""
    import torch
    from tqdm import tqdm

    torch.manual_seed(seed)
    mean = x.mean(axis=0, dtype=np.float64)
    scale = x.std(axis=0, dtype=np.float64)
    constant = scale < 1e-9
    scale[constant] = 1.0
    inputs = torch.from_numpy(((x - mean) / scale).astype(np.float32))
    targets = torch.from_numpy(y.astype(np.float32))
    width = inputs.shape[1]
    if hidden:
        model = torch.nn.Sequential(
            _byte_dropout(dropout, seed),
            torch.nn.Linear(width, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, 1),
        )
    else:
        model = torch.nn.Sequential(torch.nn.Linear(width, 1))
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=weight_decay)
    loss_of = torch.nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    steps = epochs * ((len(inputs) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=2e-3, total_steps=max(1, steps))
    model.train()
    with tqdm(total=steps, desc=f"fitting ({'mlp' if hidden else 'logistic'})", disable=not progress) as bar:
        for _ in range(epochs):
            order = torch.randperm(len(inputs), generator=generator)
            for begin in range(0, len(order), BATCH):
                batch = order[begin : begin + BATCH]
                optimiser.zero_grad()
                loss = loss_of(model(inputs[batch])[:, 0], targets[batch])
                loss.backward()
                optimiser.step()
                schedule.step()
                bar.update(1)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    layers = tuple(
        (m.weight.detach().numpy().T.astype(np.float64).copy(), m.bias.detach().numpy().astype(np.float64))
        for m in linears
    )
    layers[0][0][constant] = 0.0
    return SalienceModel(mean, scale, layers, blocks)
