"""Optional int8 dynamic quantisation of an engine's Linear layers (QUANTIZE=int8).

Weights become int8, activations are quantised on the fly: on this CPU the embedded
model ran about 3× faster, but it changes which sentences win on some articles, so it is
off by default; docs/PERFORMANCE.md has the speed and ROUGE of both."""

from __future__ import annotations

import warnings

import torch

from service.engines.base import Engine


def quantize_int8(engine: Engine) -> Engine:
    holder = getattr(engine, "embedder", engine)  # the extractive engine keeps its model in its embedder
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization announces its move to torchao
        holder.model = torch.ao.quantization.quantize_dynamic(holder.model, {torch.nn.Linear}, dtype=torch.qint8)
    engine.info.settings["quantize"] = "int8"
    return engine
