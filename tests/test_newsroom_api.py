"""Focus, newsroom lengths and sentence streaming through the API (issue 15), in process
with the embedded model and SmolLM2, and streaming through the real gunicorn server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx2
import pytest
from flask.testing import FlaskClient

from bench.server import LiveServer
from service.app import create_app
from service.config import Settings
from service.domain.summary import SummaryParams, SummaryResult
from service.editorial.purposes import SEO_MAX_CHARS
from service.engines.registry import load_engine
from service.schemas import SentenceOut, SummarizeRequest
from service.summarizer import Summarized, Summarizer
from service.text.x_length import X_URL_LENGTH, x_weighted_length
from tests.support import PROBLEM_KEYS, assert_problem, summarize


def _events(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_focus_returns_only_related_sentences(client: FlaskClient, seed_text: str) -> None:
    plain = summarize(client, json={"text": seed_text}).get_json()
    focused = summarize(client, json={"text": seed_text, "focus": "nuclear weapons"}).get_json()
    assert focused["focus"] == "nuclear weapons" and focused["focus_matched"] is True
    assert all("nuclear" in s["text"] for s in focused["sentences"]), focused["summary"]
    assert focused["summary"] != plain["summary"]
    assert "focus_matched" not in plain


def test_unrelated_focus_says_so_and_returns_the_usual_summary(client: FlaskClient, seed_text: str) -> None:
    plain = summarize(client, json={"text": seed_text}).get_json()
    unrelated = summarize(client, json={"text": seed_text, "focus": "football transfer fees"}).get_json()
    assert unrelated["focus_matched"] is False
    assert unrelated["summary"] == plain["summary"]


@pytest.mark.parametrize("purpose", ["seo_description", "social", "key_points"])
def test_newsroom_lengths_fit_their_budget(client: FlaskClient, seed_text: str, dev_articles, purpose: str) -> None:
    for text in [seed_text] + [row["article"] for row in dev_articles[:10]]:
        body = summarize(client, json={"text": text, "purpose": purpose}).get_json()
        summary = body["summary"]
        assert summary.strip() and body["characters"] == len(summary)
        assert body["purpose"]["name"] == purpose and body["purpose"]["measured"] <= body["purpose"]["limit"]
        if purpose == "seo_description":
            assert len(summary) <= SEO_MAX_CHARS
        elif purpose == "social":
            assert x_weighted_length(summary) + 1 + X_URL_LENGTH <= 280
        else:
            bullets = summary.splitlines()
            assert 3 <= len(bullets) <= 5 and all(b.startswith("- ") for b in bullets)
        for sentence in body["sentences"]:
            shortened = sentence.get("compressed") or sentence.get("truncated")
            words = sentence["text"].rstrip("…").split() if shortened else [sentence["text"]]
            assert all(word in text for word in words)  # verbatim, whole or shortened


def test_compressed_sentences_map_back_to_the_article(client: FlaskClient, dev_articles) -> None:
    compressed = []
    for row in dev_articles[:60]:
        body = summarize(
            client, json={"text": row["article"], "purpose": "seo_description", "include_text": True}
        ).get_json()
        compressed += [(body["input"]["text"], s) for s in body["sentences"] if s.get("compressed")]
    assert compressed, "no compressed SEO description in 60 dev articles"
    for article, sentence in compressed:
        kept = "".join(article[start:end] for start, end in sentence["spans"])
        # The same characters in the same order, spacing aside (a first letter may be capitalised).
        assert "".join(kept.split()).lower() == "".join(sentence["text"].rstrip("…").split()).lower()


def test_a_purpose_refuses_length_options(client: FlaskClient, seed_text: str) -> None:
    response = summarize(client, json={"text": seed_text, "purpose": "social", "max_sentences": 2})
    assert_problem(response, 422, "sets its own length")


def test_stream_sends_sentences_then_the_whole_body(client: FlaskClient, seed_text: str) -> None:
    plain = summarize(client, json={"text": seed_text}).get_json()
    for kwargs in (
        {"json": {"text": seed_text, "stream": True}},
        {"json": {"text": seed_text}, "headers": {"Accept": "text/event-stream"}},
    ):
        response = summarize(client, **kwargs)
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        assert response.headers["X-Accel-Buffering"] == "no"
        events = _events(response.get_data(as_text=True))
        names = [name for name, _ in events]
        assert names == ["sentence"] * (len(names) - 1) + ["done"]
        done = events[-1][1]
        assert [data["text"] for _, data in events[:-1]] == [s["text"] for s in done["sentences"]]
        assert done["summary"] == plain["summary"]


@pytest.fixture(scope="module")
def smollm2() -> Summarizer:
    return Summarizer(load_engine(Settings(model="smollm2-135m-instruct")))


def test_generated_sentences_stream_as_generation_completes_them(smollm2: Summarizer, seed_text: str) -> None:
    """Each sentence arrives before generation ends, and they are the non-streamed summary's."""
    request = SummarizeRequest(text=seed_text, length="long")
    prepared = smollm2.prepare(request)
    arrivals: list[str] = []
    stream = smollm2.engine.stream(prepared.document, prepared.params, threading.Event())
    for item in stream:
        if isinstance(item, SummaryResult):
            streamed = item
            break
        arrivals.append(item.text)
    [whole] = smollm2.engine.summarize([prepared.document], [prepared.params])
    assert arrivals == [s.text for s in whole.sentences]
    assert [s.text for s in streamed.sentences] == [s.text for s in whole.sentences]
    assert len(arrivals) >= 2  # sentences came one by one, not all at the end


def test_closing_the_stream_stops_generation(smollm2: Summarizer, seed_text: str) -> None:
    prepared = smollm2.prepare(SummarizeRequest(text=seed_text, length="long"))
    cancel = threading.Event()
    stream: Iterator = smollm2.engine.stream(prepared.document, prepared.params, cancel)
    first = next(stream)
    stream.close()  # what the server does when the client disconnects
    assert first.text and cancel.is_set()


def test_strict_streams_no_flagged_sentence(smollm2: Summarizer, seed_text: str) -> None:
    loose = smollm2.prepare(SummarizeRequest(text=seed_text, length="long"))
    unflagged = [
        s.text for s in smollm2.stream(loose, threading.Event()) if isinstance(s, SentenceOut) and not s.unsupported
    ]
    prepared = smollm2.prepare(SummarizeRequest(text=seed_text, length="long", strict=True))
    *sentences, done = smollm2.stream(prepared, threading.Event())
    assert isinstance(done, Summarized)
    # Exactly the sentences the loose stream sent unflagged (greedy: the same generation).
    assert [s.text for s in sentences if isinstance(s, SentenceOut)] == unflagged
    assert [s.text for s in sentences] == [s.text for s in done.summary.sentences]


def test_a_stream_past_its_deadline_ends_with_an_error_event(smollm2: Summarizer, seed_text: str) -> None:
    """Once the 200 and its headers are sent, a failure can only be an `error` event: the
    problem body a plain request would get, never a `done` with a cut-short summary."""
    settings = Settings(model="smollm2-135m-instruct", request_timeout_s=0.5)
    client = create_app(settings, engine=smollm2.engine).test_client()
    response = summarize(client, json={"text": seed_text, "length": "long", "stream": True})
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    events = _events(response.get_data(as_text=True))
    assert [name for name, _ in events] == ["sentence"] * (len(events) - 1) + ["error"]
    problem = events[-1][1]
    assert problem.keys() >= PROBLEM_KEYS and problem["status"] == 504
    assert problem["type"].endswith("/deadline-exceeded") and problem["request_id"] == response.headers["X-Request-ID"]
    assert client.get("/readyz").status_code == 200  # the app goes on serving


def test_instruct_focus_and_purpose_through_the_prompt(smollm2: Summarizer, seed_text: str) -> None:
    app = create_app(Settings(model="smollm2-135m-instruct"), engine=smollm2.engine).test_client()
    body = summarize(app, json={"text": seed_text, "purpose": "seo_description", "focus": "nuclear"}).get_json()
    assert 0 < len(body["summary"]) <= SEO_MAX_CHARS and body["focus_matched"] is True
    params = SummaryParams(focus="nuclear", purpose="seo_description")
    document, engine = smollm2.prepare(SummarizeRequest(text=seed_text)).document, smollm2.engine
    assert "nuclear" in engine._prompt(engine._final_job(engine._start(document, params)))


def test_stream_through_gunicorn_with_a_real_sse_client(server: LiveServer, seed_text: str) -> None:
    with (
        httpx2.Client(timeout=120) as http,
        http.stream(
            "POST",
            f"{server.url}/v1/summarize",
            json={"text": seed_text},
            headers={"Accept": "text/event-stream"},
        ) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events("\n".join(response.iter_lines()))
    assert [name for name, _ in events][-1] == "done" and len(events) >= 3
    assert events[-1][1]["summary"] == " ".join(data["text"] for name, data in events if name == "sentence")
