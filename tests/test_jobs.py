"""Jobs with the real parts: a private redis-server on a free loopback port, real Celery
worker processes and the real gunicorn API, with API keys on (a job belongs to its key)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from bench.jobstack import RedisServer, Worker
from bench.server import LiveServer
from service.config import Settings
from service.domain.summary import Engine
from tests.support import fuzz

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed (apt-get install redis-server)"
)

ALPHA, BETA = "alpha-key-for-jobs", "beta-key-for-jobs"
TERMINAL = ("succeeded", "failed", "cancelled")
CHUNK = 16


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def worker(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    live = Worker(tmp_path_factory.mktemp("worker") / "worker.log", redis_server.url, TORCH_THREADS="1").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def api(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        tmp_path_factory.mktemp("api") / "gunicorn.log",
        REDIS_URL=redis_server.url,
        WEB_CONCURRENCY="1",
        TORCH_THREADS="1",
        API_KEYS=f"{ALPHA},{BETA}",
        JOB_CHUNK_SIZE=str(CHUNK),
    ).start()
    yield live
    live.stop()


def _auth(key: str = ALPHA) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def submit(api: LiveServer, items: list[Any], key: str = ALPHA, **body: Any) -> dict[str, Any]:
    response = requests.post(f"{api.url}/v1/jobs", json={"items": items, **body}, headers=_auth(key), timeout=120)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["Location"] == f"/v1/jobs/{job['id']}"
    return job


def job_status(api: LiveServer, job_id: str, key: str = ALPHA) -> dict[str, Any]:
    response = requests.get(f"{api.url}/v1/jobs/{job_id}", headers=_auth(key), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def wait(api: LiveServer, job_id: str, until: tuple[str, ...] = TERMINAL, timeout: float = 600.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = job_status(api, job_id)
        if job["status"] in until:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s: {job}")


def results(api: LiveServer, job_id: str, key: str = ALPHA) -> list[dict[str, Any]]:
    response = requests.get(f"{api.url}/v1/jobs/{job_id}/results", headers=_auth(key), timeout=120)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def _stable(body: dict[str, Any]) -> dict[str, Any]:
    """A response body without what differs between two runs of the same article."""
    return {k: v for k, v in body.items() if k not in ("request_id", "timing_ms")}


def test_500_item_job_matches_summarize(api: LiveServer, worker: Worker, dev_articles: list[dict[str, str]]) -> None:
    articles = [a["article"] for a in dev_articles[:50]]
    items = [{"id": f"art-{i}", "text": articles[i % len(articles)]} for i in range(500)]
    job = submit(api, items, options={"length": "short"})
    assert job["status"] in ("queued", "running") and job["total"] == 500
    assert job["settings"]["options"] == {"length": "short"} and job["model"]["name"] == "embedded"
    assert job["result_ttl_s"] == 86400 and job["expires_at"]

    expected = []
    for text in articles:
        response = requests.post(
            f"{api.url}/v1/summarize", json={"text": text, "length": "short"}, headers=_auth(), timeout=120
        )
        assert response.status_code == 200, response.text
        expected.append(_stable(response.json()))

    done = wait(api, job["id"])
    assert (done["status"], done["succeeded"], done["failed"]) == ("succeeded", 500, 0)
    assert done["started_at"] and done["finished_at"] and done["created_at"] <= done["started_at"]
    rows = results(api, job["id"])
    assert [row["id"] for row in rows] == [item["id"] for item in items]
    for i, row in enumerate(rows):
        assert row["status"] == 200, row
        assert _stable(row["result"]) == expected[i % len(articles)], row["id"]


def test_worker_killed_mid_chunk_loses_nothing_and_counts_once(
    api: LiveServer, worker: Worker, dev_articles: list[dict[str, str]]
) -> None:
    items = [{"id": f"kill-{i}", "text": dev_articles[i % 200]["article"]} for i in range(6 * CHUNK)]
    job = submit(api, items)
    wait(api, job["id"], until=("running", *TERMINAL), timeout=120)
    killed = worker.kill_pool_process()  # mid-chunk: the first chunk takes about a second
    done = wait(api, job["id"])
    assert (done["status"], done["succeeded"], done["failed"]) == ("succeeded", len(items), 0)
    rows = results(api, job["id"])
    assert [row["id"] for row in rows] == [item["id"] for item in items]  # every item, exactly once
    assert all(row["status"] == 200 for row in rows)
    log = worker.log()
    assert f"pid:{killed}" in log and "WorkerLostError" in log, log[-3000:]


def test_api_restarted_mid_job_still_finishes(
    api: LiveServer, worker: Worker, dev_articles: list[dict[str, str]]
) -> None:
    items = [{"id": f"restart-{i}", "text": dev_articles[i]["article"]} for i in range(4 * CHUNK)]
    job = submit(api, items)
    assert api.stop() == 0
    api.start()
    done = wait(api, job["id"])
    assert (done["status"], done["succeeded"], done["total"]) == ("succeeded", len(items), len(items))
    assert [row["id"] for row in results(api, job["id"])] == [item["id"] for item in items]


def test_cancel_leaves_queued_items_unrun_and_results_readable(
    api: LiveServer, worker: Worker, redis_server: RedisServer, dev_articles: list[dict[str, str]]
) -> None:
    items = [{"id": f"cancel-{i}", "text": dev_articles[i % 200]["article"]} for i in range(20 * CHUNK)]
    job = submit(api, items)
    wait(api, job["id"], until=("running", *TERMINAL), timeout=120)
    response = requests.delete(f"{api.url}/v1/jobs/{job['id']}", headers=_auth(), timeout=30)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    at_cancel = response.json()
    # Let the worker drain the queue: every remaining chunk is taken and skipped.
    broker = redis_server.client()
    deadline = time.monotonic() + 120
    while broker.llen("precis-jobs") and time.monotonic() < deadline:
        time.sleep(0.2)
    # The chunk that was running when the job was cancelled may still land: read the results
    # between two equal status reads, so that both describe the same moment.
    while True:
        after = job_status(api, job["id"])
        rows = results(api, job["id"])
        if job_status(api, job["id"]) == after or time.monotonic() > deadline:
            break
    assert after["status"] == "cancelled" and after["finished_at"]
    done = after["succeeded"] + after["failed"]
    # At most the chunk in flight finished after the cancel; the queued ones never ran.
    assert done <= at_cancel["succeeded"] + at_cancel["failed"] + CHUNK
    assert done < len(items)
    assert len(rows) == done and all(row["status"] == 200 for row in rows)
    positions = [int(row["id"].split("-")[1]) for row in rows]
    assert positions == sorted(positions)


def test_bad_items_fail_alone_as_in_the_batch_endpoint(api: LiveServer, worker: Worker, seed_text: str) -> None:
    items: list[Any] = [
        {"id": "good", "text": seed_text},
        {"id": "empty", "text": "   "},
        {"id": "both", "text": "A sentence.", "html": "<p>A sentence.</p>"},
        {"id": "unknown-field", "text": seed_text, "colour": "blue"},
        {"id": "zero-sentences", "text": seed_text, "max_sentences": 0},
        {"id": "generation", "text": seed_text, "generation": {"num_beams": 2}},  # refused by the worker's engine
        "not an object",
        {"text": "No id here. None at all."},
    ]
    job = submit(api, items)
    done = wait(api, job["id"])
    rows = results(api, job["id"])
    batch = requests.post(f"{api.url}/v1/summarize/batch", json={"items": items}, headers=_auth(), timeout=120)
    assert batch.status_code == 200, batch.text
    expected = batch.json()["items"]
    assert [(row["id"], row["status"]) for row in rows] == [(row["id"], row["status"]) for row in expected]
    assert rows[0]["status"] == 200 and all(row["status"] >= 400 for row in rows[1:])
    for got, want in zip(rows[1:], expected[1:], strict=True):
        assert _stable(got["error"]) == _stable(want["error"])
    assert (done["status"], done["succeeded"], done["failed"]) == ("succeeded", 1, len(items) - 1)


def test_json_lines_body_with_a_malformed_line(api: LiveServer, worker: Worker, seed_text: str) -> None:
    body = "\n".join(
        [json.dumps({"id": "one", "text": seed_text}), "{not json", json.dumps({"id": "three", "text": seed_text})]
    )
    response = requests.post(
        f"{api.url}/v1/jobs?length=short",
        data=body.encode(),
        headers={**_auth(), "Content-Type": "application/x-ndjson"},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert response.json()["settings"]["options"] == {"length": "short"}
    done = wait(api, job_id)
    rows = results(api, job_id)
    assert [(r["id"], r["status"]) for r in rows] == [("one", 200), ("#1", 400), ("three", 200)]
    assert len(rows[0]["result"]["sentences"]) <= 2
    assert (done["succeeded"], done["failed"]) == (2, 1)


def test_a_job_is_visible_only_to_its_key(api: LiveServer, worker: Worker, seed_text: str) -> None:
    job = submit(api, [{"id": "mine", "text": seed_text}], key=ALPHA)
    for method, path in (("GET", ""), ("GET", "/results"), ("DELETE", "")):
        other = requests.request(method, f"{api.url}/v1/jobs/{job['id']}{path}", headers=_auth(BETA), timeout=30)
        assert other.status_code == 404, other.text
        assert other.headers["Content-Type"] == "application/problem+json"
        anonymous = requests.request(method, f"{api.url}/v1/jobs/{job['id']}{path}", timeout=30)
        assert anonymous.status_code == 401
    assert wait(api, job["id"])["status"] == "succeeded"
    assert requests.get(f"{api.url}/v1/jobs/{'0' * 32}", headers=_auth(), timeout=30).status_code == 404


def test_job_caps_and_bad_bodies(api: LiveServer, worker: Worker) -> None:
    url, headers = f"{api.url}/v1/jobs", _auth()
    cases = [
        ({"json": {"items": []}}, 422),
        ({"json": {"items": [{"id": "a", "text": "x"}], "options": {"length": "enormous"}}}, 422),
        ({"json": {"items": [{"id": "a", "text": "x"}], "options": {"text": "y"}}}, 422),
        ({"json": {"items": [{"id": "a", "text": "x"}], "extra": 1}}, 422),
        ({"json": [1, 2]}, 422),
        ({"data": b"{", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": b"text", "headers": {"Content-Type": "text/plain"}}, 415),
    ]
    for kwargs, status in cases:
        extra_headers = kwargs.pop("headers", {})
        response = requests.post(url, headers={**headers, **extra_headers}, timeout=30, **kwargs)
        assert response.status_code == status, (kwargs, response.text)
        assert response.headers["Content-Type"] == "application/problem+json"


# --- in process: the app with other settings, on the same Redis and worker -------------------


def _app_client(engine: Engine, **settings: Any) -> FlaskClient:
    from service.app import create_app

    return create_app(Settings(model="embedded", **settings), engine=engine).test_client()


def test_results_expire_after_the_ttl(
    engine: Engine, redis_server: RedisServer, worker: Worker, seed_text: str
) -> None:
    client = _app_client(engine, redis_url=redis_server.url, job_result_ttl_s=5)
    created = client.post("/v1/jobs", json={"items": [{"id": "a", "text": seed_text}, {"id": "b", "text": ""}]})
    assert created.status_code == 202, created.text
    job = created.json
    assert job["result_ttl_s"] == 5
    deadline = time.monotonic() + 120
    while (job := client.get(f"/v1/jobs/{job['id']}").json)["status"] not in TERMINAL:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert (job["status"], job["succeeded"], job["failed"]) == ("succeeded", 1, 1)
    assert len(client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()) == 2
    while client.get(f"/v1/jobs/{job['id']}").status_code == 200:  # expires_at is 5 s after the last activity
        assert time.monotonic() < deadline
        time.sleep(0.2)
    for path in ("", "/results"):
        gone = client.get(f"/v1/jobs/{job['id']}{path}")
        assert gone.status_code == 404 and "expired" in gone.json["detail"]
    assert not redis_server.client().keys(f"precis:job:{job['id']}*")


def test_a_whole_worker_killed_its_chunk_goes_to_another_worker(
    engine: Engine, tmp_path: Path, dev_articles: list[dict[str, str]]
) -> None:
    """kill -9 of the whole worker, main process and pool (its machine died): the chunk it
    held was never acknowledged, so once JOB_VISIBILITY_TIMEOUT_S has passed another worker
    takes it, and the job ends with every item exactly once. On its own Redis, so that the
    module's worker takes no chunk."""
    redis = RedisServer(tmp_path).start()
    env = {"TORCH_THREADS": "1", "JOB_VISIBILITY_TIMEOUT_S": "5"}
    workers = [Worker(tmp_path / "doomed.log", redis.url, **env), Worker(tmp_path / "heir.log", redis.url, **env)]
    try:
        doomed, heir = workers
        doomed.start()
        client = _app_client(engine, redis_url=redis.url, job_chunk_size=CHUNK)
        items = [{"id": f"lost-{i}", "text": dev_articles[i]["article"]} for i in range(3 * CHUNK)]
        created = client.post("/v1/jobs", json={"items": items})
        assert created.status_code == 202, created.text
        job_id = created.json["id"]
        deadline = time.monotonic() + 300
        broker = redis.client()
        while not broker.hlen("unacked"):  # kombu's record of a chunk handed out, not yet acked
            assert time.monotonic() < deadline, doomed.log()[-3000:]
            time.sleep(0.05)
        doomed.kill()
        assert broker.hlen("unacked") == 1  # the chunk it held was never acknowledged
        heir.start()
        while (job := client.get(f"/v1/jobs/{job_id}").json)["status"] not in TERMINAL:
            assert time.monotonic() < deadline, (job, heir.log()[-3000:])
            time.sleep(0.2)
        assert (job["status"], job["succeeded"], job["failed"]) == ("succeeded", len(items), 0)
        rows = [json.loads(line) for line in client.get(f"/v1/jobs/{job_id}/results").text.splitlines()]
        assert [row["id"] for row in rows] == [item["id"] for item in items]  # every item, exactly once
        assert all(row["status"] == 200 for row in rows)
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()


def test_without_redis_jobs_answer_503_and_the_sync_api_serves(engine: Engine, seed_text: str) -> None:
    for settings, words in (({"jobs": False}, "JOBS=off"), ({"redis_url": ""}, "REDIS_URL")):
        client = _app_client(engine, **settings)
        response = client.post("/v1/jobs", json={"items": [{"id": "a", "text": seed_text}]})
        assert response.status_code == 503 and response.mimetype == "application/problem+json"
        assert words in response.json["detail"]
        assert client.get(f"/v1/jobs/{'0' * 32}").status_code == 503
        assert client.post("/v1/summarize", json={"text": seed_text}).status_code == 200
        assert "/v1/jobs" not in client.get("/openapi.json").json["paths"]


def test_item_and_byte_caps(engine: Engine, redis_server: RedisServer) -> None:
    client = _app_client(engine, redis_url=redis_server.url, max_job_items=3, max_job_bytes=5000)
    items = [{"id": str(i), "text": "A short article. It has two sentences."} for i in range(4)]
    too_many = client.post("/v1/jobs", json={"items": items})
    assert too_many.status_code == 422 and "at most 3 items" in too_many.json["detail"]
    too_big = client.post("/v1/jobs", json={"items": [{"id": "a", "text": "word " * 2000}]})
    assert too_big.status_code == 413
    # A job may be larger than one article's MAX_BODY_BYTES: its own cap applies.
    client = _app_client(engine, redis_url=redis_server.url, max_body_bytes=2000)
    assert client.post("/v1/jobs", json={"items": [{"id": "a", "text": "word. " * 1000}]}).status_code == 202
    assert "/v1/jobs" in client.get("/openapi.json").json["paths"]


def test_python_client_and_cli_run_a_job(
    api: LiveServer, worker: Worker, dev_articles: list[dict[str, str]], tmp_path: Path
) -> None:
    from service.cli import main
    from service.client import PrecisClient, PrecisError

    client = PrecisClient(api.url, api_key=ALPHA)
    items = [{"id": a["id"], "text": a["article"]} for a in dev_articles[:20]]
    job = client.submit_job(items, length="short")
    done = client.wait(job["id"], timeout=600, poll=0.2)
    assert (done["status"], done["succeeded"]) == ("succeeded", 20)
    rows = list(client.results(job["id"]))
    assert [r["id"] for r in rows] == [i["id"] for i in items] and all(r["status"] == 200 for r in rows)
    with pytest.raises(PrecisError) as other:
        PrecisClient(api.url, api_key=BETA).job(job["id"])
    assert other.value.status == 404
    assert client.cancel_job(job["id"])["status"] == "succeeded"  # over already: nothing to cancel

    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps({"id": a["id"], "article": a["article"]}) + "\n" for a in dev_articles[:6]))
    out = tmp_path / "out.jsonl"
    code = main(
        [
            "summarize",
            "--job",
            "--url",
            api.url,
            "--api-key",
            ALPHA,
            "--length",
            "short",
            "--no-progress",
            "-o",
            str(out),
            str(source),
        ]
    )
    assert code == 0
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [w["id"] for w in written] == [a["id"] for a in dev_articles[:6]]
    by_id = {r["id"]: r["result"]["summary"] for r in rows}
    assert all(w["summary"] == by_id[w["id"]] for w in written)


def test_schemathesis_on_the_jobs_api(api: LiveServer, worker: Worker) -> None:
    """The /v1/jobs operations, fuzzed from the OpenAPI document as the rest of the API is."""
    # This server signs no webhook (no secret: no fuzz traffic may leave the machine) and runs
    # one tier, so every generated callback_url and options.model is refused with its 422
    # problem: a deployment's rule the document cannot state. Server errors, status codes and
    # negative-data rejection are still checked.
    options = ("--include-path-regex", "^/v1/jobs", "-H", f"Authorization: Bearer {ALPHA}")
    assert fuzz(api.url, 25, *options, mismatch_fails=False) >= 40


def test_the_worker_reads_its_settings_once() -> None:
    """The worker's settings are built once per process, not once per item (each build re-reads
    the environment)."""
    from service.jobs import worker

    assert worker.settings() is worker.settings()
