"""A model that cannot load: the process stays up, says why, and refuses work with 503."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import requests

from bench.server import LiveServer
from tests.support import assert_problem


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    missing = tmp_path_factory.mktemp("nomodel") / "absent-model"
    live = LiveServer(tmp_path_factory.mktemp("broken") / "gunicorn.log",
                      SUMMARIZER_MODEL=str(missing), WEB_CONCURRENCY="1").start()
    yield live
    live.stop()


def test_failed_model_load_is_reported(broken_server: LiveServer, seed_text: str) -> None:
    assert requests.get(f"{broken_server.url}/healthz", timeout=10).status_code == 200
    ready = assert_problem(requests.get(f"{broken_server.url}/readyz", timeout=10), 503, "absent-model")
    assert ready["model_status"] == "failed"
    work = requests.post(f"{broken_server.url}/v1/summarize", json={"text": seed_text}, timeout=10)
    assert_problem(work, 503, "not ready")
    [model] = requests.get(f"{broken_server.url}/v1/models", timeout=10).json()["models"]
    assert model["status"] == "failed" and "absent-model" in model["error"]
    assert "failed to load" in broken_server.log()


def test_unknown_model_name_says_how_to_prepare(tmp_path: Path) -> None:
    from models.store import ModelNotAvailable, resolve

    with pytest.raises(ModelNotAvailable, match="python -m models.prepare embedded"):
        resolve("embedded", tmp_path)
    with pytest.raises(ModelNotAvailable, match="neither a name"):
        resolve("no-such-model", tmp_path)
