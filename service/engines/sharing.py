"""Keeping a loaded model's memory shared by every gunicorn worker."""

from __future__ import annotations

import torch


def touch_weights(model: torch.nn.Module) -> None:
    """Read every weight once, in the process that loaded it (the gunicorn master).

    Weights loaded from safetensors stay memory-mapped. A page the master never read is
    first mapped by a worker and counted as that worker's private memory; an embedding
    table is mostly rows a warm-up never reads. Read before the fork, every page is shared
    by all workers, and no first request pays for the page faults."""
    with torch.inference_mode():
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor.is_floating_point():
                tensor.sum()
