"""The openai-compatible engine against the real llama.cpp server (llama-cpp-python[server],
`make llama-venv`) serving the packaged SmolLM2 GGUF: summaries, batches, a job, streams,
focus, purposes, strict, and the server killed, frozen and restarted under it. Only a server
answering garbage is a local stub (tests/support/garbage_server.py).

Generations are kept short (few new tokens) so that the file runs in a couple of minutes."""

from __future__ import annotations

import json
import shutil
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from models.llama_server import LlamaServer, llama_python
from service.config import Settings
from service.domain.summary import Engine
from tests.support.garbage_server import garbage_server

pytestmark = pytest.mark.skipif(
    not llama_python().exists(), reason="llama.cpp's server is not built: `make llama-venv`"
)

MODEL = "smollm2-135m-llamacpp"
SERVED_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
API_KEY = "upstream-secret-key-never-shown"
SHORT = {"max_new_tokens": 32}  # a sentence or so: enough to check, quick to generate
# Generous: on a busy shared CPU the server may take minutes over a long prompt; the fault test sets its own.
READ_TIMEOUT_S = 600


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    server = LlamaServer(tmp_path_factory.mktemp("llama") / "llama.log", threads=2).start()
    yield server
    server.stop()


def remote_settings(url: str, **overrides: Any) -> Settings:
    overrides.setdefault("generation_read_timeout_s", READ_TIMEOUT_S)
    overrides.setdefault("request_timeout_s", READ_TIMEOUT_S)
    return Settings(model=MODEL, generation_url=url, generation_api_key=API_KEY, cache_max_bytes=0, **overrides)


def remote_client(settings: Settings) -> tuple[FlaskClient, Engine]:
    from service.app import create_app
    from service.engines.registry import load_engine

    engine = load_engine(settings)
    return create_app(settings, engine=engine).test_client(), engine


@pytest.fixture(scope="module")
def short_articles(dev_articles: list[dict[str, str]]) -> list[str]:
    """The shortest real dev articles: the server reads every prompt token before it writes."""
    return sorted((a.get("text") or a["article"] for a in dev_articles), key=len)[:4]


@pytest.fixture(scope="module")
def client(llama: LlamaServer) -> FlaskClient:
    return remote_client(remote_settings(llama.url))[0]


def short_item(position: int, text: str) -> dict[str, Any]:
    return {"id": str(position), "text": text, "generation": SHORT, "max_sentences": 1}


def summarize(client: FlaskClient, text: str, **body: Any) -> Any:
    return client.post("/v1/summarize", json={"text": text, "generation": SHORT, **body})


def test_the_seed_summarised_through_the_server_names_engine_model_and_host(
    client: FlaskClient, llama: LlamaServer, seed_text: str
) -> None:
    response = summarize(client, seed_text, max_sentences=2)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["summary"].strip()
    model = body["model"]
    assert (model["engine"], model["id"], model["host"]) == ("openai-compatible", SERVED_ID, f"127.0.0.1:{llama.port}")
    assert body["input"]["tokens"] and body["input"]["token_limit"]  # planned against the server's context
    for sentence in body["sentences"]:  # every generated sentence is checked against the article
        assert "support" in sentence and "unsupported" in sentence
    models = client.get("/v1/models").get_data(as_text=True)
    assert API_KEY not in models and SERVED_ID in models


def test_batch_articles_each_summarised(client: FlaskClient, short_articles: list[str]) -> None:
    items = [
        {"id": str(i), "text": text, "generation": SHORT, "max_sentences": 1}
        for i, text in enumerate(short_articles[:3])
    ]
    response = client.post("/v1/summarize/batch", json={"items": items})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = response.get_json()["items"]
    assert [row["status"] for row in rows] == [200, 200, 200]
    assert all(row["result"]["summary"].strip() for row in rows)


@pytest.mark.parametrize("purpose", ["key_points", "seo_description", "social"])
def test_each_purpose_is_served_with_its_budget_measured(
    client: FlaskClient, short_articles: list[str], purpose: str
) -> None:
    response = summarize(client, short_articles[0], purpose=purpose)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["summary"].strip()
    assert body["purpose"]["name"] == purpose and body["purpose"]["measured"] > 0


def test_focus_goes_into_the_prompt_and_is_reported(client: FlaskClient, seed_text: str) -> None:
    response = summarize(client, seed_text, focus="China", max_sentences=1)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["focus"] == "China" and body["focus_matched"] is True


def test_strict_drops_exactly_the_flagged_sentences(client: FlaskClient, short_articles: list[str]) -> None:
    text = short_articles[1]
    loose = summarize(client, text, max_sentences=3).get_json()["sentences"]
    strict = summarize(client, text, max_sentences=3, strict=True).get_json()["sentences"]
    # Greedy decoding on the server: the same generation both times.
    assert [s["text"] for s in strict] == [s["text"] for s in loose if not s["unsupported"]]


def events(chunks: Iterable[bytes] | Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    name = ""
    for chunk in chunks:
        for line in (chunk.decode() if isinstance(chunk, bytes) else chunk).splitlines():
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                yield name, json.loads(line.removeprefix("data:"))


def test_stream_sends_checked_sentences_then_the_answer(client: FlaskClient, short_articles: list[str]) -> None:
    response = client.post("/v1/summarize", json={"text": short_articles[2], "stream": True, "max_sentences": 2})
    assert response.status_code == 200
    received = list(events(response.response))
    names = [name for name, _ in received]
    assert names[-1] == "done" and names.count("sentence") >= 1
    done = received[-1][1]
    assert [data["text"] for name, data in received if name == "sentence"] == [s["text"] for s in done["sentences"]]
    assert done["model"]["engine"] == "openai-compatible"


def test_garbage_from_the_server_answers_502() -> None:
    with garbage_server() as url:
        for answer in ("not-json", "no-choices", "empty"):
            client, _ = remote_client(remote_settings(url, generation_model=answer))
            response = client.post("/v1/summarize", json={"text": "A short article. It has two sentences."})
            assert response.status_code == 502, answer
            assert response.get_json()["type"].endswith("/generation-malformed")


def test_server_killed_frozen_and_restarted(llama: LlamaServer, seed_text: str, short_articles: list[str]) -> None:
    """Killed mid-request: 503 with Retry-After, /readyz still ready and saying why; frozen: 504
    after the read timeout; back: summaries again. No 500, no request left hanging."""
    client, _ = remote_client(remote_settings(llama.url, generation_read_timeout_s=3))
    patient, _ = remote_client(remote_settings(llama.url))
    outcome: dict[str, Any] = {}
    long_request = threading.Thread(
        target=lambda: outcome.update(response=summarize(client, seed_text, generation={"max_new_tokens": 256}))
    )
    long_request.start()
    time.sleep(1.0)  # the server is reading the prompt or generating
    llama.kill()
    long_request.join(timeout=READ_TIMEOUT_S)
    assert not long_request.is_alive()
    response = outcome["response"]
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["type"].endswith("/generation-unavailable")

    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["upstream"]["reachable"] is False and ready.get_json()["upstream"]["detail"]
    refused = summarize(client, seed_text)
    assert refused.status_code == 503 and refused.headers["Retry-After"].isdigit()

    llama.start()
    llama.signal(signal.SIGSTOP)  # up, but hung: nothing comes back within the read timeout
    try:
        hung = summarize(client, seed_text)
        assert hung.status_code == 504, hung.get_data(as_text=True)
        assert hung.get_json()["type"].endswith("/generation-timeout")
    finally:
        llama.signal(signal.SIGCONT)
    back = summarize(patient, short_articles[0], max_sentences=1)
    assert back.status_code == 200, back.get_data(as_text=True)
    assert client.get("/readyz").get_json()["upstream"]["reachable"] is True


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_a_job_survives_the_server_going_away_and_coming_back(
    llama: LlamaServer, tmp_path: Path, short_articles: list[str]
) -> None:
    """A job's items that met the outage are retried with backoff by the worker; none is lost."""
    from bench.jobstack import RedisServer, Worker
    from service.app import create_app

    (tmp_path / "redis").mkdir()
    redis = RedisServer(tmp_path / "redis").start()
    worker = Worker(
        tmp_path / "worker.log", redis.url, 1, SUMMARIZER_MODEL=MODEL, GENERATION_URL=llama.url, TORCH_THREADS="1"
    ).start()
    try:
        settings = remote_settings(llama.url, redis_url=redis.url, job_chunk_size=2)
        api = create_app(settings, engine=remote_client(settings)[1]).test_client()
        llama.kill()
        items = [
            {"id": str(i), "text": t, "generation": SHORT, "max_sentences": 1} for i, t in enumerate(short_articles[:3])
        ]
        created = api.post("/v1/jobs", json={"items": items})
        assert created.status_code == 202, created.get_data(as_text=True)
        job_id = created.get_json()["id"]
        deadline = time.monotonic() + 2 * READ_TIMEOUT_S
        while "retrying them" not in worker.log():  # the worker met the outage and backs off
            assert time.monotonic() < deadline, worker.log()[-2000:]
            time.sleep(0.2)
        llama.start()
        while (status := api.get(f"/v1/jobs/{job_id}").get_json())["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, status
            time.sleep(0.5)
        lines = api.get(f"/v1/jobs/{job_id}/results").get_data(as_text=True).splitlines()
        rows = [json.loads(line) for line in lines if line]
        assert [row["id"] for row in rows] == [item["id"] for item in items]
        assert [row["status"] for row in rows] == [200, 200, 200], rows
    finally:
        worker.stop()
        redis.stop()
        if llama.process is None or llama.process.poll() is not None:
            llama.start()
