"""Jobs at archive scale, with the real parts: JSON Lines read as a stream under their own
cap, every item exactly once and progress monotone while a whole worker is killed and
another takes over, and a job routed to the worker pool of the model (tier) it names.
Speed is bench/archive_job.py's business, not these tests'."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from bench.jobstack import RedisServer, Worker
from service.config import Settings
from service.domain.summary import Engine
from service.jobs.queue import TIER_QUEUE

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed (apt-get install redis-server)"
)

TERMINAL = ("succeeded", "failed", "cancelled")
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture()
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    redis = RedisServer(tmp_path).start()
    yield redis
    redis.stop()


def _client(engine: Engine, **settings: Any) -> FlaskClient:
    from service.app import create_app

    return create_app(Settings(model="embedded", **settings), engine=engine).test_client()


def _lines(items: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(item) + "\n" for item in items).encode()


def _short_articles(dev_articles: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """Real articles, cut to their first lines: a few hundred of them run quickly."""
    articles = []
    for n in range(count):
        text = dev_articles[n % len(dev_articles)]["article"]
        articles.append({"id": f"a-{n}", "text": "\n".join(text.splitlines()[:6]) + f"\nThis is article {n}."})
    return articles


def test_json_lines_caps_and_lines_that_fail_alone(engine: Engine, redis_server: RedisServer, seed_text: str) -> None:
    client = _client(engine, redis_url=redis_server.url, max_body_bytes=3000, max_job_body_bytes=20_000)
    short = "A short article. It has two sentences."
    body = _lines([{"id": "ok", "text": short}]) + b'{"id": "long", "text": "' + b"word " * 1000 + b'"}\n'
    body += b"{not json\n" + _lines([{"id": "last", "text": short}])
    created = client.post("/v1/jobs", data=body, headers=NDJSON)
    assert created.status_code == 202, created.text
    job = created.json
    assert (job["total"], job["failed"]) == (4, 2)  # the line over MAX_BODY_BYTES and the one that is not JSON
    # A byte not in the body's charset, however far in, refuses the whole body, and leaves nothing.
    before = set(redis_server.client().keys("precis:job:*"))
    latin = client.post("/v1/jobs", data=body + "\u00e9".encode("latin-1") + b"\n", headers=NDJSON)
    assert latin.status_code == 400 and "line 5" in latin.json["detail"]
    assert set(redis_server.client().keys("precis:job:*")) == before
    too_big = client.post(
        "/v1/jobs", data=_lines([{"id": str(n), "text": seed_text[:2500]} for n in range(9)]), headers=NDJSON
    )
    assert too_big.status_code == 413 and too_big.mimetype == "application/problem+json"
    # Over MAX_JOB_ITEMS half way through the stream: refused, and nothing of it is left in Redis.
    capped = _client(engine, redis_url=redis_server.url, max_job_items=5)
    before = set(redis_server.client().keys("precis:job:*"))
    refused = capped.post("/v1/jobs", data=_lines([{"id": str(n), "text": short} for n in range(6)]), headers=NDJSON)
    assert refused.status_code == 422 and "at most 5 items" in refused.json["detail"]
    assert set(redis_server.client().keys("precis:job:*")) == before
    empty = capped.post("/v1/jobs", data=b"\n\n", headers=NDJSON)
    assert empty.status_code == 422 and "no items" in empty.json["detail"]
    utf16 = capped.post(
        "/v1/jobs",
        data=_lines([{"id": "a", "text": short}]),
        headers={"Content-Type": "application/x-ndjson; charset=utf-16"},
    )
    assert utf16.status_code == 415


def test_every_item_once_in_order_and_progress_monotone_with_a_worker_killed(
    engine: Engine, redis_server: RedisServer, tmp_path: Path, dev_articles: list[dict[str, str]]
) -> None:
    """A few hundred articles as JSON Lines; the whole worker is killed (kill -9, main process
    and pool) mid-job and another started: every id appears exactly once, in input order, and
    the counts read during the run never go down."""
    env = {"TORCH_THREADS": "1", "JOB_VISIBILITY_TIMEOUT_S": "5"}
    doomed, heir = Worker(tmp_path / "doomed.log", redis_server.url, **env), None
    items = _short_articles(dev_articles, 320)
    try:
        doomed.start()
        client = _client(engine, redis_url=redis_server.url, job_chunk_size=8)
        created = client.post("/v1/jobs", data=_lines(items), headers=NDJSON)
        assert created.status_code == 202, created.text
        job_id = created.json["id"]
        progress: list[int] = []
        deadline = time.monotonic() + 600

        def read() -> dict[str, Any]:
            job = client.get(f"/v1/jobs/{job_id}").json
            progress.append(job["succeeded"] + job["failed"])
            ids = [json.loads(row)["id"] for row in client.get(f"/v1/jobs/{job_id}/results").text.splitlines()]
            assert ids == [item["id"] for item in items[: len(ids)]]  # while it runs: a prefix, in order
            return job

        while read()["succeeded"] < 40:
            assert time.monotonic() < deadline, doomed.log()[-3000:]
            time.sleep(0.1)
        doomed.kill()
        heir = Worker(tmp_path / "heir.log", redis_server.url, **env).start()
        while (job := read())["status"] not in TERMINAL:
            assert time.monotonic() < deadline, heir.log()[-3000:]
            time.sleep(0.2)
        assert (job["status"], job["succeeded"], job["failed"]) == ("succeeded", len(items), 0)
        assert 0 < progress[len(progress) // 2] < len(items)  # progress was read while the job ran
        assert progress == sorted(progress)
        rows = [json.loads(line) for line in client.get(f"/v1/jobs/{job_id}/results").text.splitlines()]
        assert [row["id"] for row in rows] == [item["id"] for item in items]  # every item, exactly once
        assert all(row["status"] == 200 for row in rows)
        assert not redis_server.client().exists(f"precis:job:{job_id}:inputs")  # each chunk's input went once run
    finally:
        doomed.stop()
        if heir is not None:
            heir.stop()


def test_a_job_runs_on_the_pool_of_the_model_it_names(
    engine: Engine, redis_server: RedisServer, tmp_path: Path, seed_text: str
) -> None:
    """Two pools on two real models: the embedded default, and a locally built BART (random
    weights) on its own queue. A job naming the BART model runs there and its view says so; a
    job naming a model no pool serves is refused."""
    from models.tiny import build_bart

    bart = str(build_bart(tmp_path / "bart"))
    pools = [
        Worker(tmp_path / "default.log", redis_server.url, TORCH_THREADS="1"),
        Worker(
            tmp_path / "bart.log",
            redis_server.url,
            queues=TIER_QUEUE.format(model=bart),
            SUMMARIZER_MODEL=bart,
            MAX_NEW_TOKENS="8",
            TORCH_THREADS="1",
        ),
    ]
    items = [{"id": "one", "text": seed_text}, {"id": "two", "text": seed_text[:1500]}]
    try:
        for pool in pools:
            pool.start()
        client = _client(engine, redis_url=redis_server.url, job_models=bart)
        ran = {}
        for tier in ("embedded", bart):
            created = client.post("/v1/jobs", json={"items": items, "options": {"model": tier}})
            assert created.status_code == 202, created.text
            deadline = time.monotonic() + 300
            while (job := client.get(f"/v1/jobs/{created.json['id']}").json)["status"] not in TERMINAL:
                assert time.monotonic() < deadline, [pool.log()[-2000:] for pool in pools]
                time.sleep(0.2)
            assert (job["status"], job["succeeded"]) == ("succeeded", 2), job
            ran[tier] = job["model"]["engine"]
        assert ran == {"embedded": "extractive", bart: "seq2seq"}
        # As JSON Lines the tier is a query parameter; a model no pool serves is refused at once.
        unserved = client.post("/v1/jobs?model=bart-large-cnn", data=_lines(items), headers=NDJSON)
        assert unserved.status_code == 422 and "bart-large-cnn" in unserved.json["detail"]
        assert client.post("/v1/jobs", json={"items": items, "options": {"model": 3}}).status_code == 422
    finally:
        for pool in pools:
            pool.stop()
