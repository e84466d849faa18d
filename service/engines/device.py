"""Where the Hugging Face engines run (DEVICE) and at what precision, and whether the model
may be loaded before gunicorn or Celery forks.

CUDA cannot be initialised in a process that forks afterwards: a child inherits a driver
state it cannot use. So the device is resolved without initialising CUDA (NVML counts the
GPUs), and on a GPU each worker process loads its own copy after the fork; on a CPU the
master loads the model once and the workers share it copy-on-write."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from models.store import ModelNotAvailable
from service.config import DEVICE_PATTERN

# What a precision means as weights' dtype, for /v1/models and every response's `model`.
DTYPES = {"off": "float32", "bf16": "bfloat16", "fp16": "float16", "int8": "int8"}


class DeviceUnavailable(ModelNotAvailable):
    """DEVICE names a GPU this machine does not have: the server refuses to start (exit 3)."""


@dataclass(frozen=True)
class Placement:
    """A resolved DEVICE: `cpu` or `cuda:N`."""

    device: str

    @property
    def gpu(self) -> bool:
        return self.device.startswith("cuda")


def _gpu_count() -> int:
    """GPUs torch can use, counted without initialising CUDA (safe before a fork)."""
    # torch asks NVML rather than the CUDA runtime while this is set; it must be set before the
    # first call, so set it here rather than rely on the environment.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def resolve_device(requested: str) -> Placement:
    """DEVICE (`auto`, `cpu`, `cuda`, `cuda:N`) as a concrete device; DeviceUnavailable when it
    names a GPU torch cannot see (no GPU, a CPU build of torch, or N past the last one)."""
    if not re.match(DEVICE_PATTERN, requested):
        raise ValueError(f"DEVICE={requested!r}: expected auto, cpu, cuda or cuda:N")
    if requested == "cpu":
        return Placement("cpu")
    count = _gpu_count()
    if requested == "auto":
        return Placement("cuda:0" if count else "cpu")
    index = int(requested.partition(":")[2] or 0)
    if index >= count:
        import torch

        seen = f"{count} GPU(s)" if torch.version.cuda else f"a CPU-only build of torch ({torch.__version__})"
        raise DeviceUnavailable(f"DEVICE={requested} but torch sees {seen}; set DEVICE=cpu or DEVICE=auto")
    return Placement(f"cuda:{index}")


def load_after_fork(requested_device: str, preload_model: str) -> bool:
    """Whether each worker process loads its own model after the fork: always on a GPU (CUDA
    must not be initialised before the fork), and on any device with PRELOAD_MODEL=off."""
    gpu = resolve_device(requested_device).gpu  # DeviceUnavailable first, whatever PRELOAD_MODEL says
    return gpu or preload_model == "off"


def gpu_precision(requested: str) -> str:
    """QUANTIZE on a GPU: bfloat16 where the GPU has it, else float16; `off` keeps fp32.
    (int8 here is CPU dynamic quantisation, so a GPU runs it in half precision too.)"""
    if requested == "off":
        return "off"
    import torch

    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


def dtype_name(precision: str) -> str | None:
    """The weights' dtype at this precision; None where there are none here (an inference server's)."""
    return DTYPES.get(precision)
