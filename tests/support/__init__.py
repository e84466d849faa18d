"""Helpers shared by the tests (fixtures live in tests/conftest.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bench.server import LiveServer

PROBLEM_KEYS = {"type", "title", "status", "detail", "request_id"}
# Short texts in several languages (de.txt, fr.txt, en-*.txt, ...), for language detection.
LANGUAGE_TEXTS = Path(__file__).resolve().parent.parent / "data" / "languages"

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

Response = requests.Response | TestResponse


def json_of(response: Response) -> Any:
    """The JSON body of a live server's or the in-process client's response."""
    return response.get_json() if isinstance(response, TestResponse) else response.json()


def summarize(target: LiveServer | FlaskClient, **kwargs: Any) -> Response:
    """POST /v1/summarize to a live server (requests' arguments) or the in-process client
    (the same arguments: `params` becomes the query string)."""
    if isinstance(target, LiveServer):
        return requests.post(f"{target.url}/v1/summarize", timeout=120, **kwargs)
    return target.post("/v1/summarize", query_string=kwargs.pop("params", None), **kwargs)


def assert_problem(response: Response, status: int, *detail_words: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem of this status whose detail holds these words."""
    text = response.text
    assert response.status_code == status, text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = json_of(response)
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert "Traceback" not in text
    for word in detail_words:
        assert word.lower() in body["detail"].lower(), body["detail"]
    return body


# Every schemathesis run checks these: no 5xx, answers as documented, invalid input refused.
FUZZ_CHECKS = (
    "not_a_server_error,response_schema_conformance,content_type_conformance,"
    "status_code_conformance,negative_data_rejection,unsupported_method"
)


# A document that does not state the rules the API enforces shows as generated data the API
# mostly rejects: that warning fails the run.
# Invalid data may also be refused before the app sees it, as gunicorn refuses a request line or
# headers over its limits (414, 431; a query parameter over its maxLength, percent-encoded, can be),
# or as too large (413): each a rejection too, besides schemathesis's own list.
REJECTIONS = ("400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "431", "5xx")
FUZZ_CHECKED = f"[checks.negative_data_rejection]\nexpected-statuses = {json.dumps(list(REJECTIONS))}\n"
FUZZ_CONFIG = '[warnings]\nfail-on = ["validation_mismatch"]\n' + FUZZ_CHECKED


def fuzz(base_url: str, max_examples: int, *options: str, mismatch_fails: bool = True) -> int:
    """Run schemathesis against a live server's OpenAPI document (fixed seed, bounded, one
    worker); assert it found nothing, warned of nothing it fails on, and return how many
    cases it generated. `mismatch_fails` False: data the API mostly rejects is no failure
    (a deployment's own rules the document cannot state)."""
    cli = Path(sys.executable).parent / "schemathesis"
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as config:
        config.write(FUZZ_CONFIG if mismatch_fails else FUZZ_CHECKED)
    result = subprocess.run(
        [
            str(cli),
            "--config-file",
            config.name,
            "run",
            f"{base_url}/openapi.json",
            *options,
            "--checks",
            FUZZ_CHECKS,
            "--max-examples",
            str(max_examples),
            "--seed",
            "1",
            "--workers",
            "1",
            "--request-timeout",
            "60",
            "--suppress-health-check",
            "all",
            "--no-color",
            "--generation-database",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    Path(config.name).unlink()
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert not mismatch_fails or "rejected generated data" not in result.stdout, result.stdout[-5000:]
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", result.stdout).groups())
    assert generated == passed
    return generated
