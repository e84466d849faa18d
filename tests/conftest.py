from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from tests.server import REPO_ROOT, LiveServer

SEED_PATH = REPO_ROOT / "seeds" / "north-korea-china-talks.txt"
DEV_DATA = REPO_ROOT.parent / "shared" / "data" / "dev.jsonl"

# Text of the seed article that is not the story: none of it may reach a summary.
SEED_BOILERPLATE = [
    "Photograph",
    "Jacky Chen",
    "READ SOME MORE",
    "Cautious response",
    "Clifford Coonan",
    "Irish Times contributor",
    "North Korean soldiers chat",
]


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def dev_articles() -> list[dict[str, str]]:
    """Real BBC articles from ../shared when present (CI has it); else skip."""
    if not DEV_DATA.is_file():
        pytest.skip("../shared/data/dev.jsonl is not present")
    with DEV_DATA.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("server") / "gunicorn.log").start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def engine():
    from service.config import Settings
    from service.engines.registry import load_engine

    return load_engine(replace(Settings.from_env(), model="embedded"))


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Random-weight BART, T5 and Llama-style models with real tokenizers, built locally."""
    from tests.tiny_models import build_bart, build_llama, build_t5

    root = tmp_path_factory.mktemp("tiny-models")
    return {"bart": build_bart(root / "bart"), "t5": build_t5(root / "t5"), "llama": build_llama(root / "llama")}


def load_tiny(path: Path, **settings):
    from service.config import Settings
    from service.engines.registry import load_engine

    return load_engine(replace(Settings.from_env(), model=str(path), **settings))
