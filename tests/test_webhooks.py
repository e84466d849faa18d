"""Signed job webhooks with the real parts: a private redis-server, a real Celery worker
process, and a real HTTP receiver on 127.0.0.1 (allowlisted) that answers as each test
scripts it. The API runs in process, on the same Redis."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from standardwebhooks import Webhook, WebhookVerificationError

from bench.jobstack import RedisServer, Worker
from service.auth import hash_key
from service.config import Settings
from service.domain.summary import Engine
from service.jobs.store import JobStore
from tests.support.webhook_receiver import HANG, Receiver

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed (apt-get install redis-server)"
)

SECRET = "whsec_" + base64.b64encode(hashlib.sha256(b"precis webhook tests").digest()).decode()
SITE_SECRET = "whsec_" + base64.b64encode(hashlib.sha256(b"precis webhook tests: one site").digest()).decode()
SITE_KEY = "site-api-key-for-webhooks"
TERMINAL = ("succeeded", "failed", "cancelled")


@pytest.fixture(scope="module")
def secrets_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secrets") / "webhook-secrets"
    path.write_text(f"# API key name: its sites' webhook secret\nsite:{SITE_SECRET}\n")
    return path


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "api-keys"
    path.write_text(f"site:{hash_key(SITE_KEY)}\n")
    return path


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


WEBHOOK_SETTINGS = {
    "webhook_allowed_hosts": "127.0.0.1",
    "webhook_retry_delays_s": "1,1,1",  # 4 attempts, a second apart
    "webhook_timeout_s": "4",
}


@pytest.fixture(scope="module")
def worker(redis_server: RedisServer, secrets_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    env = {key.upper(): value for key, value in WEBHOOK_SETTINGS.items()}
    live = Worker(
        tmp_path_factory.mktemp("worker") / "worker.log",
        redis_server.url,
        TORCH_THREADS="1",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_SECRETS_FILE=str(secrets_file),
        **env,
    ).start()
    yield live
    live.stop()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    live = Receiver().start()
    yield live
    live.stop()


def _client(engine: Engine, **settings: Any) -> FlaskClient:
    from service.app import create_app

    return create_app(Settings(model="embedded", **settings), engine=engine).test_client()


@pytest.fixture()
def api(engine: Engine, redis_server: RedisServer) -> FlaskClient:
    return _client(engine, redis_url=redis_server.url, webhook_secret=SECRET, **WEBHOOK_SETTINGS)


def _submit(client: FlaskClient, url: str, items: list[dict[str, Any]], **headers: str) -> dict[str, Any]:
    created = client.post("/v1/jobs", json={"items": items, "callback_url": url}, headers=headers)
    assert created.status_code == 202, created.text
    job: dict[str, Any] = created.json or {}
    assert job["callback"] == {"url": url, "attempts": 0, "last_status": None, "delivered_at": None}
    return job


def _until_delivered(client: FlaskClient, job_id: str, **headers: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while not (job := client.get(f"/v1/jobs/{job_id}", headers=headers).json or {})["callback"]["delivered_at"]:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def test_a_finished_job_posts_a_signed_webhook_retried_with_one_id(
    api: FlaskClient, worker: Worker, receiver: Receiver, seed_text: str
) -> None:
    receiver.answers = [500]  # the first attempt fails, the second is taken
    job = _submit(api, receiver.url, [{"id": "a", "text": seed_text}, {"id": "b", "text": ""}])
    first, second = receiver.wait(2)
    assert (first["answer"], second["answer"]) == (500, 200)
    assert first["path"] == "/hooks/precis?site=1"
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]  # one id per job end
    assert first["headers"]["webhook-id"].startswith("msg_")
    assert first["body"] == second["body"] and first["headers"]["Content-Type"] == "application/json"

    for attempt in (first, second):
        event = Webhook(SECRET).verify(attempt["body"], attempt["headers"])
        # The signature as the contract states it (what a PHP receiver computes with hash_hmac).
        headers = attempt["headers"]
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + attempt["body"]
        key = base64.b64decode(SECRET.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        assert headers["webhook-signature"] == f"v1,{expected}"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(first["body"].replace(b"succeeded", b"cancelled"), first["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook(SITE_SECRET).verify(first["body"], first["headers"])

    done = _until_delivered(api, job["id"])
    assert done["callback"]["attempts"] == 2 and done["callback"]["last_status"] == 200
    assert (done["status"], done["succeeded"], done["failed"]) == ("succeeded", 1, 1)
    assert event["type"] == "job.succeeded" and event["timestamp"] == done["finished_at"]
    # `data` is the job's view when it ended: as GET answers it, but for the delivery still to come.
    assert event["data"]["callback"] == {"url": receiver.url, "attempts": 0, "last_status": None, "delivered_at": None}
    assert {**event["data"], "callback": done["callback"]} == done


def test_refused_callbacks_are_422_at_submit(engine: Engine, api: FlaskClient, redis_server: RedisServer) -> None:
    item = [{"id": "a", "text": "A short article. It has two sentences."}]
    for url in (
        "http://127.0.0.2:8080/hook",  # loopback, not the allowlisted 127.0.0.1
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "ftp://example.com/hook",
        "example.com/hook",
    ):
        refused = api.post("/v1/jobs", json={"items": item, "callback_url": url})
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json", (url, refused.text)
        assert (refused.json or {})["type"].endswith("/callback-refused"), (url, refused.json)
    lines = api.post(
        "/v1/jobs?callback_url=gopher://127.0.0.1:6379/", data=json.dumps(item[0]), content_type="application/x-ndjson"
    )
    assert lines.status_code == 422 and (lines.json or {})["type"].endswith("/callback-refused")
    url = "http://127.0.0.1:9/hook"  # allowed; the query parameter is the callback, not an option
    lines = api.post(
        f"/v1/jobs?length=short&callback_url={url}", data=json.dumps(item[0]), content_type="application/x-ndjson"
    )
    assert lines.status_code == 202, lines.text
    assert (lines.json or {})["callback"]["url"] == url and (lines.json or {})["settings"]["options"] == {
        "length": "short"
    }

    # A JSON body may give it as the query parameter too (the document offers both), never twice.
    as_query = api.post(f"/v1/jobs?callback_url={url}", json={"items": item})
    assert as_query.status_code == 202 and (as_query.json or {})["callback"]["url"] == url, as_query.text
    twice = api.post(f"/v1/jobs?callback_url={url}", json={"items": item, "callback_url": url})
    assert twice.status_code == 422 and "once" in (twice.json or {})["detail"], twice.text

    unsigned = _client(engine, redis_url=redis_server.url, **WEBHOOK_SETTINGS)  # no secret at all
    refused = unsigned.post("/v1/jobs", json={"items": item, "callback_url": "https://example.com/hook"})
    assert refused.status_code == 422 and (refused.json or {})["type"].endswith("/webhooks-not-configured")
    plain = unsigned.post("/v1/jobs", json={"items": item})  # no callback: nothing changes
    assert plain.status_code == 202 and "callback" not in (plain.json or {})

    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        _client(engine, redis_url=redis_server.url, webhook_secret="whsec_not-base64!")


def test_a_cancelled_job_posts_job_cancelled_signed_with_its_keys_secret(
    engine: Engine,
    redis_server: RedisServer,
    worker: Worker,
    receiver: Receiver,
    keys_file: Path,
    secrets_file: Path,
    dev_articles: list[dict[str, str]],
) -> None:
    client = _client(
        engine,
        redis_url=redis_server.url,
        api_keys_file=str(keys_file),
        webhook_secrets_file=str(secrets_file),
        job_chunk_size=4,
        **WEBHOOK_SETTINGS,
    )
    auth = {"Authorization": f"Bearer {SITE_KEY}"}
    items = [{"id": f"c{i}", "text": dev_articles[i]["article"]} for i in range(40)]
    job = _submit(client, receiver.url, items, **auth)
    cancelled = client.delete(f"/v1/jobs/{job['id']}", headers=auth)
    assert cancelled.status_code == 200 and (cancelled.json or {})["status"] == "cancelled"
    (attempt,) = receiver.wait(1)
    event = Webhook(SITE_SECRET).verify(attempt["body"], attempt["headers"])
    with pytest.raises(WebhookVerificationError):  # signed with this key's secret, not the server's
        Webhook(SECRET).verify(attempt["body"], attempt["headers"])
    assert event["type"] == "job.cancelled" and event["data"]["status"] == "cancelled"
    done = _until_delivered(client, job["id"], **auth)
    assert done["callback"]["attempts"] == 1 and len(receiver.received) == 1


def test_a_redirect_is_never_followed_and_a_silent_receiver_times_out(
    api: FlaskClient, worker: Worker, receiver: Receiver, seed_text: str
) -> None:
    receiver.answers = [307, HANG]  # not delivered; no answer within WEBHOOK_TIMEOUT_S; then taken
    job = _submit(api, receiver.url, [{"id": "a", "text": seed_text}])
    attempts = receiver.wait(3)
    assert [row["path"] for row in attempts] == ["/hooks/precis?site=1"] * 3  # never REDIRECTED
    done = _until_delivered(api, job["id"])
    assert done["callback"]["attempts"] == 3 and done["callback"]["last_status"] == 200
    assert len({row["headers"]["webhook-id"] for row in attempts}) == 1


def test_a_worker_killed_mid_delivery_still_delivers_once(
    api: FlaskClient, worker: Worker, receiver: Receiver, seed_text: str
) -> None:
    receiver.answers = [HANG]
    job = _submit(api, receiver.url, [{"id": "a", "text": seed_text}])
    receiver.wait(1)  # the worker is waiting for this answer
    killed = worker.kill_pool_process()
    receiver.released.set()
    first, second = receiver.wait(2)
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert [row["answer"] for row in receiver.received] == [None, 200]  # taken once
    Webhook(SECRET).verify(second["body"], second["headers"])
    done = _until_delivered(api, job["id"])
    assert done["callback"]["attempts"] == 2 and done["callback"]["last_status"] == 200
    log = worker.log()
    assert f"pid:{killed}" in log and "WorkerLostError" in log, log[-3000:]


def test_a_name_that_resolves_to_a_private_address_is_given_up_at_delivery(
    api: FlaskClient, worker: Worker, redis_server: RedisServer, seed_text: str
) -> None:
    """Accepted at submit (a name, no DNS there), refused after DNS at delivery: recorded as
    failed after one attempt, never retried."""
    name = socket.gethostname()
    try:
        address = socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        pytest.skip(f"this machine's name {name!r} does not resolve")
    from ipaddress import ip_address

    if ip_address(address).is_global:
        pytest.skip(f"this machine's name resolves to a public address ({address})")
    job = _submit(api, f"http://{name}:9/hook", [{"id": "a", "text": seed_text}])
    store = JobStore(redis_server.client(), 60)
    deadline = time.monotonic() + 120
    while not ((delivery := store.delivery(job["id"])) and delivery.finished):
        assert time.monotonic() < deadline, worker.log()[-3000:]
        time.sleep(0.1)
    assert delivery.steps_done == 1
    view = api.get(f"/v1/jobs/{job['id']}").json or {}
    assert view["callback"] == {"url": job["callback"]["url"], "attempts": 1, "last_status": None, "delivered_at": None}
    assert "refused" in worker.log()


def test_a_delivery_connects_to_the_address_it_checked_under_the_urls_name(receiver: Receiver) -> None:
    """What `resolve` found is where the POST goes (a later DNS answer cannot move it); the
    URL's name stays in the Host header."""
    from urllib.parse import urlsplit

    from service.jobs.delivery import post
    from service.jobs.destinations import Destination

    port = receiver.server.server_address[1]
    url = f"http://precis-receiver.invalid:{port}/hooks/precis"  # .invalid never resolves
    destination = Destination(urlsplit(url), "precis-receiver.invalid", port, "127.0.0.1")
    status = post(destination, '{"type": "job.succeeded"}', {"Content-Type": "application/json"}, Settings())
    (received,) = receiver.wait(1)
    assert status == 200 and received["path"] == "/hooks/precis"
    assert received["headers"]["Host"] == f"precis-receiver.invalid:{port}"
