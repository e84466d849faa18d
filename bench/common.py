"""Shared by the benchmarks: the dev articles, the machine's description."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT.parent / "shared" / "data"
DEV_DATA = DATA_DIR / "dev.jsonl"
# The two publishers' dev sets (every quality decision) and train sets (fitting only).
DEV_SETS = {"bbc": DATA_DIR / "dev.jsonl", "cnn": DATA_DIR / "cnndm-dev.jsonl"}
TRAIN_SETS = {"bbc": DATA_DIR / "bbc-train.jsonl", "cnn": DATA_DIR / "cnndm-train.jsonl"}


def load_articles(path: Path = DEV_DATA, limit: int | None = None) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:limit] if limit else rows


def article_source(row: dict[str, str]) -> tuple[str, str]:
    """("text" or "html", the article) of a data line: {"text"}, {"html"} or {"article"} (plain text)."""
    if row.get("html"):
        return "html", row["html"]
    return "text", row.get("text") or row.get("article") or ""


def prepare_row(row: dict[str, str]):
    """The cleaned article and its sentences, read as the service reads a request
    (service.summarizer.read_article, the one read step; no 422 here)."""
    from service.schemas import SummarizeRequest
    from service.summarizer import read_article

    kind, raw = article_source(row)
    return read_article(SummarizeRequest(**{kind: raw}, title=row.get("title")))


# The instruction-set flags that matter to the matmuls of a transformer on a CPU: machines
# here differ in them, so every bench prints them beside its figures (machine()).
FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_int8", "amx_bf16")


def cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                present = set(line.split(":", 1)[1].split())
                return " ".join(f for f in FLAGS if f in present) or "none of " + " ".join(FLAGS)
    except OSError:
        pass
    return "unknown"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}; CPU flags: {cpu_flags()}"
    )
