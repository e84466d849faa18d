"""API behaviour, in process: the app serves the embedded engine loaded once per session."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support import LANGUAGE_TEXTS, SEED_BOILERPLATE, assert_problem, summarize


def test_health_and_readiness(client: FlaskClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "model": "embedded", "device": "cpu", "dtype": "int8"}


def test_models_lists_the_embedded_default(client: FlaskClient) -> None:
    body = client.get("/v1/models").get_json()
    [model] = body["models"]
    assert model["name"] == "embedded" and model["status"] == "ready"
    assert model["id"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert model["engine"] == "extractive"
    assert model["revision"].startswith("sha256:")
    assert model["settings"]["quantize"] == "int8"  # QUANTIZE=auto: the manifest's measured default
    assert body["limits"]["max_body_bytes"] == 1_000_000


def test_seed_article_summary(client: FlaskClient, seed_text: str) -> None:
    response = summarize(client, json={"text": seed_text, "include_text": True}, headers={"X-Request-ID": "seed-1"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-ID"] == "seed-1"
    body = response.get_json()
    assert body["request_id"] == "seed-1"
    assert 2 <= len(body["sentences"]) <= 4
    for fragment in SEED_BOILERPLATE:
        assert fragment not in body["summary"], fragment
    cleaned = body["input"]["text"]
    for sentence in body["sentences"]:
        # Extractive: each sentence is the article's own text, at the span it reports.
        assert cleaned[sentence["start"] : sentence["end"]] == sentence["text"]
        assert sentence["text"] in seed_text
    assert [s["index"] for s in body["sentences"]] == sorted(s["index"] for s in body["sentences"])
    assert body["summary"] == " ".join(s["text"] for s in body["sentences"])
    assert "Negotiators from communist allies North Korea and China" in body["summary"]
    assert body["model"]["engine"] == "extractive" and body["model"]["precision"] == "int8"
    assert body["input"]["truncated"] is False
    assert body["input"]["title"] == "North Korea and China in talks to repair frayed relationship"
    assert body["input"]["sentences"] == 16
    assert body["input"]["removed"]["caption"] == 1
    assert set(body["timing_ms"]) == {"total", "cleaning", "inference"}


def test_plain_text_body_with_query_options(client: FlaskClient, seed_text: str) -> None:
    response = summarize(
        client,
        params={"length": "short", "format": "bullets"},
        data=seed_text.encode("utf-8"),
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert len(body["sentences"]) == 2
    assert body["summary"] == "\n".join(f"- {s['text']}" for s in body["sentences"])
    assert "text" not in body["input"]


def _seed_page(seed_text: str) -> str:
    paragraphs = [p.strip() for p in seed_text.split("\n\n") if p.strip().endswith(".")]
    story = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html><head><title>Talks | The Paper</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        "<article><h1>North Korea and China in talks to repair frayed relationship</h1>"
        "<figure><img src='x.jpg'>"
        "<figcaption>Soldiers on the Yalu. Photograph: Jacky Chen/Reuters</figcaption></figure>"
        f"{story}<p>READ SOME MORE</p></article>"
        "<footer>© The Paper. All rights reserved. Subscribe to our newsletter.</footer></body></html>"
    )


def test_html_input_as_json_field_and_as_body(client: FlaskClient, seed_text: str) -> None:
    page = _seed_page(seed_text)
    as_field = summarize(client, json={"html": page, "length": "long"})
    as_body = summarize(
        client, data=page.encode(), params={"length": "long"}, headers={"Content-Type": "text/html; charset=utf-8"}
    )
    for response in (as_field, as_body):
        assert response.status_code == 200, response.text
        body = response.get_json()
        assert len(body["sentences"]) == 5
        for junk in ("Home", "Photograph", "READ SOME MORE", "rights reserved", "Subscribe"):
            assert junk not in body["summary"]
        assert all(s["text"] in seed_text for s in body["sentences"])
    assert as_field.get_json()["summary"] == as_body.get_json()["summary"]


def test_length_options(client: FlaskClient, seed_text: str) -> None:
    counts = {}
    for options in ({"length": "short"}, {"length": "medium"}, {"length": "long"}, {"max_sentences": 4}):
        response = summarize(client, json={"text": seed_text, **options})
        assert response.status_code == 200, response.text
        counts[next(iter(options.values()))] = len(response.get_json()["sentences"])
    assert counts == {"short": 2, "medium": 3, "long": 5, 4: 4}
    words = summarize(client, json={"text": seed_text, "max_words": 60}).get_json()
    assert 0 < len(words["summary"].split()) <= 60


def test_request_id_is_generated_when_absent_or_unsafe(client: FlaskClient) -> None:
    plain = client.get("/healthz")
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    for response in (plain, unsafe):
        assert len(response.headers["X-Request-ID"]) == 32


# --- errors: one problem+json shape, and the server keeps serving ---------------------


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = summarize(client, data=b'{"text": "unterminated', headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "not valid JSON")


def test_invalid_utf8_is_400(client: FlaskClient) -> None:
    for content_type in ("application/json", "text/plain"):
        response = summarize(client, data=b'{"text": "caf\xe9 \xff"}', headers={"Content-Type": content_type})
        assert_problem(response, 400, "utf-8")


def test_json_that_is_not_an_object_is_422(client: FlaskClient) -> None:
    for payload in (b'["text", "an array"]', b"null", b'"just a string"', b"42"):
        response = summarize(client, data=payload, headers={"Content-Type": "application/json"})
        assert_problem(response, 422, "must be an object")


def test_unknown_route_is_404_and_wrong_method_is_405(client: FlaskClient) -> None:
    assert_problem(client.get("/v2/nothing"), 404)
    response = client.get("/v1/summarize")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]
    assert_problem(client.delete("/healthz"), 405)


def test_body_over_the_cap_is_413(client: FlaskClient) -> None:
    big = b'{"text": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    response = summarize(client, data=big, headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


def test_unsupported_media_type_is_415(client: FlaskClient) -> None:
    assert_problem(summarize(client, data={"text": "x"}), 415, "application/x-www-form-urlencoded")
    assert_problem(summarize(client, data=b"hello", headers={"Content-Type": "image/png"}), 415)
    assert_problem(summarize(client, data=b"hello", headers={"Content-Type": ""}), 415)


def test_invalid_fields_are_422_with_field_errors(client: FlaskClient, seed_text: str) -> None:
    cases = [
        ({}, "exactly one of 'text' or 'html'"),
        ({"text": seed_text, "html": "<p>x</p>"}, "exactly one"),
        ({"text": ""}, "at least 1 character"),
        ({"text": " \n\t \u00a0 "}, "empty or whitespace"),
        ({"text": 42}, "text"),
        ({"text": seed_text, "length": "tiny"}, "length"),
        ({"text": seed_text, "max_sentences": 0}, "max_sentences"),
        ({"text": seed_text, "max_sentences": 51}, "at most 50"),
        ({"text": seed_text, "max_words": 3}, "max_words"),
        ({"text": seed_text, "length": "short", "max_words": 50}, "at most one"),
        ({"text": seed_text, "colour": "red"}, "colour"),
        ({"text": seed_text, "format": "haiku"}, "format"),
    ]
    for payload, words in cases:
        body = assert_problem(summarize(client, json=payload), 422, words)
        assert body["errors"] and all({"field", "message"} <= e.keys() for e in body["errors"])


def test_text_over_the_character_cap_is_422(client: FlaskClient) -> None:
    body = assert_problem(summarize(client, json={"text": "Word. " * 40_000}), 422, "at most 200000")
    assert body["errors"][0]["field"] == "text"


def test_text_with_no_sentences_is_422(client: FlaskClient) -> None:
    for text in ("... --- !!! 123", "— • —\n\n* * *"):
        assert_problem(summarize(client, json={"text": text}), 422, "no article sentences")


def test_a_short_text_is_summarised_not_refused(client: FlaskClient) -> None:
    """Cleaning never removes the whole text: what is there is summarised. (The READ MORE line
    is a link for certain; the bare name shares no word with the rest, so it is no headline.)"""
    body = summarize(client, json={"text": "Clifford Coonan\n\nREAD SOME MORE"}).get_json()
    assert body["summary"] == "Clifford Coonan" and body["input"]["removed"] == {"link": 1}
    assert body["input"].get("title") is None and body["input"]["title_source"] == "none"


def test_server_keeps_serving_after_bad_input(client: FlaskClient, seed_text: str) -> None:
    bad = [
        dict(data=b"\x00\xff\xfe", headers={"Content-Type": "application/json"}),
        dict(data=b"[" * 100_000, headers={"Content-Type": "application/json"}),
        dict(json={"html": "<<<>>>" * 1000}),
        dict(json={"html": "\x00" * 100}),
        dict(data="\u0000 \ud7ff \ufffd".encode("utf-8", "surrogatepass"), headers={"Content-Type": "text/plain"}),
    ]
    for kwargs in bad:
        response = summarize(client, **kwargs)
        assert 400 <= response.status_code < 500, (kwargs, response.status_code, response.text)
        assert response.headers["Content-Type"].startswith("application/problem+json")
    assert summarize(client, json={"text": seed_text}).status_code == 200


def test_headline_guides_but_is_returned_only_when_asked(client: FlaskClient, seed_text: str) -> None:
    headline = "North Korea and China in talks to repair frayed relationship"
    body = summarize(client, json={"text": seed_text}).get_json()
    assert body["input"]["title"] == headline and headline not in body["summary"]
    given = summarize(client, json={"text": seed_text.split("\n", 1)[1], "title": "Beijing talks"}).get_json()
    assert given["input"]["title"] == "Beijing talks" and "Beijing talks" not in given["summary"]
    asked = summarize(client, json={"text": seed_text, "include_title": True}).get_json()
    assert asked["summary"].startswith(headline + "\n\n")
    assert asked["summary"].endswith(body["summary"])


def test_max_chars_keeps_whole_sentences(client: FlaskClient, seed_text: str) -> None:
    body = summarize(client, json={"text": seed_text, "max_chars": 400}).get_json()
    assert 0 < len(body["summary"]) <= 400
    assert all(s["text"] in seed_text for s in body["sentences"])


# --- language ---------------------------------------------------------------------------


def test_language_is_detected_and_reported(client: FlaskClient, seed_text: str) -> None:
    body = summarize(client, json={"text": seed_text}).get_json()
    assert body["input"]["language"]["code"] == "en" and body["input"]["language"]["confidence"] > 0.9
    assert client.get("/v1/models").get_json()["models"][0]["languages"] == ["en"]


def test_an_article_in_another_language_is_summarised_by_the_extractive_default(client: FlaskClient) -> None:
    """The embedded model reads English; any other language is ranked on lexical features
    (issue 21, tests/test_multilingual.py), never refused. A model that reads English only
    (seq2seq, instruct) still answers 422 unless forced: tests/test_multilingual.py."""
    german = (LANGUAGE_TEXTS / "de.txt").read_text(encoding="utf-8")
    answered = summarize(client, json={"text": german})
    assert answered.status_code == 200, answered.text
    report = answered.get_json()["input"]
    assert (report["language"]["code"], report["splitter"], report["ranking"]) == ("de", "pysbd:de", "lexical")


def test_english_articles_quoting_foreign_phrases_are_summarised(client: FlaskClient) -> None:
    for path in sorted(LANGUAGE_TEXTS.glob("en-*.txt")):
        response = summarize(client, json={"text": path.read_text(encoding="utf-8")})
        assert response.status_code == 200, (path.name, response.text)
        assert response.get_json()["input"]["language"]["code"] == "en"
