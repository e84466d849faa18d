"""int8 dynamic quantisation of an engine's Linear layers (QUANTIZE).

Weights become int8 with one scale per output channel; activations are quantised on the
fly. A model gets it by default (QUANTIZE=auto) only where its manifest entry says so,
after bench/quantization.py measured no loss: the embedded model is 3× faster in its
model pass with ROUGE unchanged; SmolLM2-135M loses most of its ROUGE, so it stays fp32.
docs/PERFORMANCE.md has the figures."""

from __future__ import annotations

import warnings

import torch

from service.engines.base import Engine


def quantize_int8(engine: Engine) -> Engine:
    holder = getattr(engine, "embedder", engine)  # the extractive engine keeps its model in its embedder
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization announces its move to torchao
        # One scale per output channel: as fast as one per tensor here, and much closer to
        # fp32 (embedding cosine 0.975 against 0.940 on the dev articles' sentences).
        per_channel = {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}
        holder.model = torch.ao.quantization.quantize_dynamic(holder.model, per_channel, dtype=torch.qint8)
    return engine
