"""Clients generated from the OpenAPI document work: a Python client (openapi-python-client,
in its own virtualenv .venv-client: its typer pin fights transformers') generated from the
RUNNING server's /openapi.json, with jobs on (real gunicorn, Redis and a Celery worker),
summarises, batches and runs jobs with a callback, and every answer parses into its generated
model, equal to the in-process answers, while a real receiver on 127.0.0.1 gets each job's
webhook, signed (checked with standardwebhooks); TypeScript types (openapi-typescript) of the same document
type-check a small client file with tsc. `make test` installs both tools
(`make contract-tools`)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from standardwebhooks import Webhook

from bench.jobstack import RedisServer, Worker
from bench.server import REPO_ROOT, LiveServer
from service.app import create_app
from service.config import Settings
from service.domain.summary import Engine
from tests.support.webhook_receiver import Receiver

CONTRACT = REPO_ROOT / "tests" / "contract"
SEED_PATH = REPO_ROOT / "seeds" / "north-korea-china-talks.txt"
CLIENT_VENV = REPO_ROOT / ".venv-client" / "bin"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"precis client contract: webhooks").decode()
# The receiver listens on 127.0.0.1: allowed, as a newsroom would allow its own CMS.
WEBHOOKS = {"WEBHOOK_SECRET": WEBHOOK_SECRET, "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
NODE_BIN = CONTRACT / "node_modules" / ".bin"
# What openapi-python-client 0.29.1 cannot generate, and says so: bodies other than JSON
# (text/plain and text/html articles, JSON Lines jobs) and the JSON Lines results answer
# (read from the detailed response instead). Server-sent events are not supported either: the
# generated summarize parses JSON answers only (service/client.py streams). Any other
# warning, a model or an operation left out, fails the test.
KNOWN_WARNINGS = {
    ("POST /v1/summarize", "text/plain"),
    ("POST /v1/summarize", "text/html"),
    ("POST /v1/jobs", "application/x-ndjson"),
    ("GET /v1/jobs/{job_id}/results", "application/x-ndjson"),
}


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO_ROOT)} is missing: run `make contract-tools`")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    live = Receiver().start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def jobs_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    folder = tmp_path_factory.mktemp("contract")
    redis = RedisServer(folder).start()
    worker = Worker(folder / "worker.log", redis.url, TORCH_THREADS="1", **WEBHOOKS).start()
    api = LiveServer(
        folder / "gunicorn.log", REDIS_URL=redis.url, WEB_CONCURRENCY="1", TORCH_THREADS="1", **WEBHOOKS
    ).start()
    try:
        yield api
    finally:
        api.stop()
        worker.stop()
        redis.stop()


def _generator_warnings(output: str) -> set[tuple[str, str]]:
    """(operation, the media type it could not read, or the whole reason) of each
    `WARNING parsing METHOD PATH within TAG.` block."""
    found = set()
    for operation, reason in re.findall(r"WARNING parsing (\S+ \S+) within \S+\.\s+(.+)", output):
        media = re.search(r"Unsupported content[_ ]type ([\w/+.-]+)", reason)
        found.add((operation, media.group(1) if media else reason))
    return found


def test_a_generated_python_client_drives_the_running_server(
    jobs_api: LiveServer, receiver: Receiver, client: FlaskClient, seed_text: str, tmp_path: Path
) -> None:
    _need(CLIENT_VENV / "openapi-python-client")
    document = tmp_path / "openapi.json"
    document.write_bytes(requests.get(f"{jobs_api.url}/openapi.json", timeout=30).content)
    env = {**os.environ, "PATH": f"{CLIENT_VENV}{os.pathsep}{os.environ['PATH']}"}  # it formats with its ruff
    generated = subprocess.run(
        [str(CLIENT_VENV / "openapi-python-client"), "generate", "--path", str(document)]
        + ["--output-path", str(tmp_path / "precis_client"), "--meta", "none"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert _generator_warnings(output) == KNOWN_WARNINGS, output

    used = subprocess.run(
        [str(CLIENT_VENV / "python"), str(CONTRACT / "use_python_client.py"), jobs_api.url, str(SEED_PATH)]
        + [receiver.url],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(tmp_path)},
        timeout=600,
    )
    assert used.returncode == 0, used.stdout[-3000:] + used.stderr[-5000:]
    facts: dict[str, Any] = json.loads(used.stdout)

    def in_process(**body: Any) -> dict[str, Any]:
        answer = client.post("/v1/summarize", json={"text": seed_text, **body})
        assert answer.status_code == 200, answer.text
        return answer.get_json()

    expected = in_process()
    assert facts["summary"] and facts["summary"] == expected["summary"]
    assert facts["sentences"] == [sentence["text"] for sentence in expected["sentences"]]
    assert facts["model"] == facts["ready_model"] == "embedded"
    assert facts["max_text_chars"] == Settings(model="embedded").max_text_chars
    assert facts["summary_two"] == in_process(max_sentences=2)["summary"] != facts["summary"]
    assert facts["refused"] == [422, "https://precis.invalid/problems/invalid-request"]
    assert facts["batch"] == ["good", expected["summary"], "bad", 422]
    assert facts["cancelled"] == "cancelled"
    assert facts["job"] == ["succeeded", 2, 2, 0, True]
    short = in_process(length="short")["summary"]
    assert facts["job_results"] == [["a-0", short], ["a-1", short]]

    # Each job's webhook arrived once, signed, and its view's `callback` says so.
    assert facts["callbacks"] == [[receiver.url, 1, 200, True]] * 2
    events = [Webhook(WEBHOOK_SECRET).verify(row["body"], row["headers"]) for row in receiver.wait(2)]
    assert sorted((event["data"]["id"], event["type"]) for event in events) == sorted(
        zip(facts["job_ids"], ["job.succeeded", "job.cancelled"], strict=True)
    )
    assert len(receiver.received) == 2


def test_typescript_types_of_the_document_type_check(engine: Engine, tmp_path: Path) -> None:
    """openapi-typescript's types of the document (jobs on) compile a small client file
    (tests/contract/uses_types.ts) with tsc --strict; its @ts-expect-error lines fail the
    check if the document stops refusing what the API refuses."""
    _need(NODE_BIN / "tsc")
    app = create_app(Settings(model="embedded", redis_url="redis://127.0.0.1:9/0"), engine=engine)
    document = tmp_path / "openapi.json"
    document.write_bytes(app.test_client().get("/openapi.json").data)
    assert "/v1/jobs" in json.loads(document.read_bytes())["paths"]
    shutil.copy(CONTRACT / "uses_types.ts", tmp_path / "uses_types.ts")
    # Fields with a default stay optional in a request (the tool's default makes them required).
    typescript = [str(NODE_BIN / "openapi-typescript"), str(document), "--default-non-nullable", "false"]
    generated = subprocess.run([*typescript, "-o", str(tmp_path / "precis.d.ts")], capture_output=True, text=True)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    options = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"]
    checked = subprocess.run(
        [str(NODE_BIN / "tsc"), *options, str(tmp_path / "uses_types.ts")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The check can fail: a request the schema refuses does not compile.
    (tmp_path / "wrong.ts").write_text(
        'import type { components } from "./precis";\n'
        'export const wrong: components["schemas"]["SummarizeRequest"] = { text: "x", max_words: "many" };\n'
    )
    wrong = [str(NODE_BIN / "tsc"), *options, str(tmp_path / "wrong.ts")]
    refused = subprocess.run(wrong, capture_output=True, text=True)
    assert refused.returncode != 0 and "not assignable to type 'number'" in refused.stdout, refused.stdout
