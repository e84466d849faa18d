"""Operations: metrics across workers, JSON logs, rate limits and a graceful SIGTERM with a
request in flight on the real server; API keys, the deadline, OpenAPI and the docs page in
process."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from bench.server import LiveServer
from service.app import create_app
from service.config import Settings
from service.schemas import SummarizeRequest
from tests.support import assert_problem, summarize

KEY, FILE_KEY = "test-key-1", "editor-key-2"


def _metrics(server: LiveServer) -> dict[str, list]:
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def _value(samples: list, name: str, **labels: str) -> float:
    return sum(s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def test_metrics_add_up_across_two_workers(server: LiveServer, dev_articles) -> None:
    before = _metrics(server)
    count = 12
    for article in dev_articles[20 : 20 + count]:
        assert summarize(server, json={"text": article["article"]}).status_code == 200
    after = _metrics(server)
    requests_total = "precis_http_requests"
    done = _value(after[requests_total], "precis_http_requests_total", route="/v1/summarize", status="200") - _value(
        before.get(requests_total, []), "precis_http_requests_total", route="/v1/summarize", status="200"
    )
    assert done == count  # every request counted once, whichever worker served it
    assert _value(after["precis_batch_size"], "precis_batch_size_count") >= count / 8
    assert _value(after["precis_inference_duration_seconds"], "precis_inference_duration_seconds_count") > 0
    assert _value(after["precis_model_ready"], "precis_model_ready", model="embedded", engine="extractive") == 1
    assert _value(after["precis_model_load_seconds"], "precis_model_load_seconds") > 0
    assert _value(after["precis_input_sentences"], "precis_input_sentences_count") >= count
    assert "precis_queue_depth" in after and "precis_cache_lookups" in after
    assert (
        _value(
            after["precis_http_request_duration_seconds"],
            "precis_http_request_duration_seconds_count",
            route="/v1/summarize",
        )
        >= count
    )


def test_logs_are_json_with_request_ids_and_no_article_text(server: LiveServer, seed_text: str) -> None:
    marker = "Zanzibar-marker-sentence"
    text = seed_text.replace("Beijing yesterday", f"Beijing yesterday ({marker})")
    assert summarize(server, json={"text": text}, headers={"X-Request-ID": "log-check-1"}).status_code == 200
    time.sleep(0.5)
    lines = [line for line in server.log().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r.get("request_id") == "log-check-1" and r.get("logger") == "precis.access"]
    assert access and access[0]["status"] == 200 and access[0]["path"] == "/v1/summarize"
    assert {"time", "level", "duration_ms"} <= access[0].keys()
    assert marker not in server.log()
    assert any(r.get("logger", "").startswith("gunicorn") for r in records)


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory, engine) -> FlaskClient:
    keys_file = tmp_path_factory.mktemp("secured") / "keys"
    keys_file.write_text(f"# hashed keys\neditor:{hashlib.sha256(FILE_KEY.encode()).hexdigest()}\n")
    settings = Settings(api_keys=KEY, api_keys_file=str(keys_file), request_timeout_s=0.001, cache_max_bytes=0)
    return create_app(settings, engine=engine).test_client()


def test_api_keys(secured: FlaskClient, seed_text: str) -> None:
    missing = assert_problem(summarize(secured, json={"text": seed_text}), 401, "Bearer")
    assert missing["status"] == 401
    wrong = summarize(secured, json={"text": seed_text}, headers={"Authorization": "Bearer nope"})
    assert_problem(wrong, 403, "not valid")
    assert "Bearer" in summarize(secured, json={"text": seed_text}).headers["WWW-Authenticate"]
    # Open routes need no key.
    for route in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert secured.get(route).status_code == 200, route
    assert_problem(secured.get("/v1/models"), 401)
    assert secured.get("/v1/models", headers={"Authorization": f"Bearer {FILE_KEY}"}).status_code == 200


def test_deadline_answers_504(secured: FlaskClient, seed_text: str) -> None:
    response = summarize(secured, json={"text": seed_text}, headers={"Authorization": f"Bearer {KEY}"})
    assert_problem(response, 504, "deadline")
    assert secured.get("/healthz").status_code == 200


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path, seed_text: str) -> None:
    live = LiveServer(tmp_path / "gunicorn.log", RATE_LIMIT="3/minute", WEB_CONCURRENCY="1").start()
    try:
        statuses = [summarize(live, json={"text": seed_text}).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        limited = summarize(live, json={"text": seed_text})
        assert_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) > 0
        assert requests.get(f"{live.url}/healthz", timeout=10).status_code == 200  # not limited
    finally:
        live.stop()


def test_openapi_is_generated_from_the_schemas(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert {"/v1/summarize", "/v1/models", "/healthz", "/readyz"} <= document["paths"].keys()
    schema = document["components"]["schemas"]["SummarizeRequest"]
    assert schema["properties"].keys() == SummarizeRequest.model_json_schema()["properties"].keys()
    assert schema["properties"]["max_words"]["anyOf"][0]["maximum"] == 5000
    responses = document["paths"]["/v1/summarize"]["post"]["responses"]
    assert {"200", "400", "413", "415", "422"} <= responses.keys()


def test_docs_page_works_offline(client: FlaskClient) -> None:
    page = client.get("/docs/")
    assert page.status_code == 200 and "swagger-ui" in page.text and "/openapi.json" in page.text
    urls = re.findall(r"https?://[^\s\"'<>]+", page.text)
    # No CDN: every asset is served from here (the test client's host is "localhost").
    assert all(url.startswith("http://localhost/") for url in urls), urls
    assert client.get("/docs/swagger-ui-bundle.js").status_code == 200


def test_sigterm_finishes_the_request_in_flight_and_exits_0(tmp_path: Path, dev_articles) -> None:
    live = LiveServer(tmp_path / "gunicorn.log", WEB_CONCURRENCY="1", CACHE_MAX_BYTES="0").start()
    # A long article (about 30,000 words) keeps the worker busy for seconds.
    article = "\n\n".join(a["article"].split("\n", 1)[1] for a in dev_articles[:70])
    result: dict = {}

    def slow() -> None:
        result["response"] = summarize(live, json={"text": article})

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(1.0)  # the request is in the worker now
    assert live.process is not None
    live.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = live.process.wait(timeout=60)
    thread.join(timeout=60)
    assert code == 0
    assert result["response"].status_code == 200 and result["response"].json()["summary"]
    assert time.monotonic() - started < 30  # within GRACEFUL_TIMEOUT
    live.stop()


def test_openapi_states_the_rules_the_server_enforces(client: FlaskClient, seed_text: str) -> None:
    """A body the document calls valid passes the server's validation, and one it calls invalid
    does not: a client generated from the document sends requests the server takes."""
    from jsonschema import Draft202012Validator

    from service.inputs import parse_request

    document = client.get("/openapi.json").get_json()
    validator = Draft202012Validator({"$ref": "#/components/schemas/SummarizeRequest", **document})
    text = seed_text[:2000]
    bodies = [
        {"text": text},
        {"html": f"<p>{text}</p>"},
        {"text": text, "html": None},
        {"text": None, "html": text},
        {"text": text, "html": text},
        {},
        {"text": None},
        {"text": " \n\t "},
        {"text": text, "length": "short"},
        {"text": text, "length": "short", "max_words": 40},
        {"text": text, "max_sentences": 2, "max_chars": 300},
        {"text": text, "length": None, "max_words": 40},
        {"text": text, "purpose": "social"},
        {"text": text, "purpose": "key_points", "length": "long"},
        {"text": text, "purpose": "seo_description", "format": "bullets"},
        {"text": text, "purpose": "social", "include_title": True},
        {"text": text, "purpose": "summary", "max_words": 9},
        {"text": text, "max_sentences": 51},
        {"text": "x" * 200_001},
    ]
    settings = Settings(model="embedded")
    for body in bodies:
        try:
            parse_request(body, settings)
            accepted = True
        except Exception:  # the 422 problem
            accepted = False
        assert validator.is_valid(body) == accepted, (body if len(str(body)) < 300 else list(body), accepted)
    # Every operation's examples are valid requests, and the server summarises them.
    schema = document["components"]["schemas"]["SummarizeRequest"]
    for field in ("text", "html"):
        [example] = schema["properties"][field]["examples"]
        assert summarize(client, json={field: example}).status_code == 200
