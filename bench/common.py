"""Shared by the benchmarks: the dev articles, the machine's description."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_DATA = REPO_ROOT.parent / "shared" / "data" / "dev.jsonl"


def load_articles(path: Path = DEV_DATA, limit: int | None = None) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:limit] if limit else rows


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
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"
