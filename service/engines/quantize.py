"""Lower-precision inference for an engine's model (QUANTIZE): int8 or bfloat16.

int8: dynamic quantisation of the Linear layers, weights with one scale per output channel,
activations quantised on the fly. bf16: weights and activations in bfloat16, fast only on
CPUs with native bf16 (AVX512-BF16 or AMX). A model gets either by default (QUANTIZE=auto)
only where its manifest entry says so, after bench/quantization.py measured no loss of
ROUGE; docs/PERFORMANCE.md has the figures."""

from __future__ import annotations

import logging
import warnings
from typing import TypeVar, cast

import torch

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=torch.nn.Module)


def cpu_has_bf16() -> bool:
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def effective_precision(requested: str, manifest_default: str) -> str:
    """What QUANTIZE means for this model on this CPU: "int8", "bf16" or "off"."""
    if requested != "auto":
        return requested
    if manifest_default == "bf16" and not cpu_has_bf16():
        log.info("this CPU has no native bfloat16: serving in fp32")  # bf16 would be slower
        return "off"
    return manifest_default


def convert(model: ModelT, precision: str, device: str = "cpu") -> ModelT:
    """The model at `precision` ("int8", "bf16", "fp16" or "off") on `device` ("cpu" or
    "cuda:N", service/engines/device.py); engines call it while they load."""
    converted = _at_precision(model, precision, device)
    return converted if device == "cpu" else converted.to(device)


def _at_precision(model: ModelT, precision: str, device: str) -> ModelT:
    if precision == "int8":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization announces its move to torchao
            # One scale per output channel: as fast as one per tensor here, and much closer to
            # fp32 (embedding cosine 0.975 against 0.940 on the dev articles' sentences).
            per_channel = {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}
            # A copy of the same class, its Linear layers swapped (torch types it as a bare Module).
            return cast(ModelT, torch.ao.quantization.quantize_dynamic(model, per_channel, dtype=torch.qint8))
    if precision == "bf16":
        if device == "cpu" and not cpu_has_bf16():
            log.warning("QUANTIZE=bf16 on a CPU without native bfloat16: expect it to be slower than fp32")
        return model.to(torch.bfloat16)
    if precision == "fp16":  # a GPU without bfloat16 (gpu_precision)
        return model.to(torch.float16)
    return model
