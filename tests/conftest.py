"""Fixtures: real articles, the embedded engine loaded once, the app in process, and a
live gunicorn server for what only a real server shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench.server import REPO_ROOT, LiveServer
from service.config import Settings
from service.domain.summary import Engine

SEED_PATH = REPO_ROOT / "seeds" / "north-korea-china-talks.txt"
DEV_DATA = REPO_ROOT.parent / "shared" / "data" / "dev.jsonl"


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
def engine() -> Engine:
    """The embedded default engine, loaded once for the whole session."""
    from service.engines.registry import load_engine

    return load_engine(Settings(model="embedded"))


@pytest.fixture(scope="session")
def app(engine: Engine) -> Flask:
    """The app serving the embedded engine in process: no model store, no gunicorn."""
    from service.app import create_app

    return create_app(Settings(model="embedded"), engine=engine)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def fast_engine() -> Engine:
    """The fast tier (`embedded-fast`: static vectors distilled from MiniLM), loaded once."""
    from service.engines.registry import load_engine

    return load_engine(Settings(model="embedded-fast"))


@pytest.fixture(scope="session")
def fast_app(fast_engine: Engine) -> Flask:
    from service.app import create_app

    return create_app(Settings(model="embedded-fast"), engine=fast_engine)


@pytest.fixture()
def fast_client(fast_app: Flask) -> FlaskClient:
    return fast_app.test_client()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("server") / "gunicorn.log").start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Random-weight BART, T5 and Llama-style models with real tokenizers, built locally."""
    from models.tiny import build_bart, build_llama, build_t5

    root = tmp_path_factory.mktemp("tiny-models")
    return {"bart": build_bart(root / "bart"), "t5": build_t5(root / "t5"), "llama": build_llama(root / "llama")}


@pytest.fixture(scope="session")
def load_tiny():
    """Load a locally built model folder as an engine, with these settings."""
    from service.engines.registry import load_engine

    def load(path: Path, **settings) -> Engine:
        return load_engine(Settings(model=str(path), **settings))

    return load
