"""The response cache: bounded in bytes, keyed by model, options and cleaned text."""

from __future__ import annotations

from flask.testing import FlaskClient

from service.cache import ResponseCache, cache_key
from tests.support import summarize


def test_lru_is_bounded_in_bytes() -> None:
    cache = ResponseCache(max_bytes=300)
    for i in range(10):
        cache.put(cache_key("m", i), {"summary": "x" * 50})
    assert cache.size_bytes <= 300
    assert cache.get(cache_key("m", 0)) is None and cache.get(cache_key("m", 9)) == {"summary": "x" * 50}
    assert cache.hits == 1 and cache.lookups == 2
    assert ResponseCache(0).get("k") is None and not ResponseCache(0).enabled


def test_resent_article_is_answered_from_the_cache(client: FlaskClient, seed_text: str) -> None:
    article = seed_text.replace("yesterday", "on Wednesday")  # not sent by any other test
    first = summarize(client, json={"text": article, "length": "long"})
    # The same story re-saved with different surrounding whitespace cleans to the same text.
    second = summarize(
        client, json={"text": "\n\n" + article + "  \n", "length": "long"}, headers={"X-Request-ID": "again"}
    )
    other = summarize(client, json={"text": article, "length": "short"})
    assert first.headers["X-Cache"] == "miss" and other.headers["X-Cache"] == "miss"
    assert second.headers["X-Cache"] == "hit"
    assert second.get_json()["summary"] == first.get_json()["summary"]
    assert second.get_json()["timing_ms"]["inference"] == 0.0
    assert 0 < float(second.headers["X-Cache-Hit-Ratio"]) <= 1
    assert second.get_json()["request_id"] == "again"
