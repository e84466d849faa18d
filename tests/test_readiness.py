"""Models that cannot serve: unknown or unprepared ones stop the server at start with the
command that fixes it; one that fails to load leaves the process up, saying why, and
refusing work with 503."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench.server import LiveServer
from tests.support import assert_problem


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # A folder that looks like a model (config.json) but whose weights cannot load.
    broken = tmp_path_factory.mktemp("nomodel") / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "bert", "architectures": ["BertModel"]}')
    live = LiveServer(
        tmp_path_factory.mktemp("broken") / "gunicorn.log", SUMMARIZER_MODEL=str(broken), WEB_CONCURRENCY="1"
    ).start()
    yield live
    live.stop()


def test_failed_model_load_is_reported(broken_server: LiveServer, seed_text: str) -> None:
    assert requests.get(f"{broken_server.url}/healthz", timeout=10).status_code == 200
    ready = assert_problem(requests.get(f"{broken_server.url}/readyz", timeout=10), 503, "not ready")
    assert ready["model_status"] == "failed"
    work = requests.post(f"{broken_server.url}/v1/summarize", json={"text": seed_text}, timeout=10)
    assert_problem(work, 503, "not ready")
    [model] = requests.get(f"{broken_server.url}/v1/models", timeout=10).json()["models"]
    assert model["status"] == "failed" and model["error"]
    assert "failed to load" in broken_server.log()


@pytest.mark.parametrize(
    ("model", "advice"),
    [
        ("no-such-model", "neither a name"),
        ("distilbart-cnn-12-6", "python -m models.prepare distilbart-cnn-12-6"),
    ],
)
def test_unknown_or_unprepared_model_stops_the_server_at_once(tmp_path: Path, model: str, advice: str) -> None:
    live = LiveServer(tmp_path / "gunicorn.log", SUMMARIZER_MODEL=model, MODEL_STORE=str(tmp_path / "store"))
    with pytest.raises(RuntimeError, match="gunicorn exited with 3"):
        live.start(timeout=60)
    live.stop()
    assert advice in live.log()


def test_unknown_model_name_says_how_to_prepare(tmp_path: Path) -> None:
    from models.store import ModelNotAvailable, resolve

    with pytest.raises(ModelNotAvailable, match="python -m models.prepare embedded"):
        resolve("embedded", tmp_path)
    with pytest.raises(ModelNotAvailable, match="neither a name"):
        resolve("no-such-model", tmp_path)
