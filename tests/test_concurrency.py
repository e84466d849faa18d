"""200 concurrent requests with distinct real articles: all answered, each with its own summary."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.server import LiveServer
from service.text.cleaning import normalise


def test_200_concurrent_requests(server: LiveServer, seed_text: str, dev_articles: list[dict[str, str]]) -> None:
    articles = [seed_text] + [a["article"] for a in dev_articles[:199]]
    local = threading.local()  # one keep-alive connection per client thread, as a real client has

    def post(i: int) -> tuple[int, int, dict]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        response = local.session.post(
            f"{server.url}/v1/summarize", json={"text": articles[i]}, headers={"X-Request-ID": f"c{i}"}, timeout=300
        )
        return i, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(post, range(len(articles))))

    assert len(results) == 200
    for i, status, body in results:
        assert status == 200, (i, body)
        assert body["request_id"] == f"c{i}"
        # Each answer is drawn from its own article, not a neighbour's.
        source = normalise(articles[i])
        assert body["sentences"] and all(s["text"] in source for s in body["sentences"]), i
