"""`make test-wordpress`: a real WordPress (Debian's packages, its own MariaDB and PHP server,
integrations/wordpress/stack.py) with the Précis plugin, against a real Précis: gunicorn,
a private Redis and a Celery worker, so that the archive backfill runs as a real job whose
webhook comes back to WordPress."""

from __future__ import annotations

import base64
import html
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from bench.jobstack import RedisServer, Worker
from bench.server import LiveServer
from integrations.wordpress.stack import WordPressSite, missing_parts

API_KEY = "wordpress-" + secrets.token_urlsafe(16)
WEBHOOK_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass
class Precis:
    api: LiveServer
    worker: Worker
    redis: RedisServer

    @property
    def url(self) -> str:
        return self.api.url

    def summarize(self, **body: Any) -> dict[str, Any]:
        """Asks Précis directly, as the plugin does."""
        response = requests.post(
            f"{self.url}/v1/summarize", json=body, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture(scope="session")
def precis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Precis]:
    folder = tmp_path_factory.mktemp("precis")
    settings = {
        "API_KEYS": API_KEY,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        # WordPress listens on loopback: Précis refuses such callbacks unless allowed.
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "SUMMARIZER_MODEL": "embedded",
        "TORCH_THREADS": "1",
    }
    redis = RedisServer(folder).start()
    worker = api = None
    try:
        worker = Worker(folder / "worker.log", redis.url, **settings).start()
        api = LiveServer(folder / "gunicorn.log", REDIS_URL=redis.url, WEB_CONCURRENCY="1", **settings).start()
        yield Precis(api, worker, redis)
    finally:
        if api is not None:
            api.stop()
        if worker is not None:
            worker.stop()
        redis.stop()


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory, precis: Precis) -> Iterator[WordPressSite]:
    if missing := missing_parts():
        pytest.fail(f"missing {', '.join(missing)}: run `make test-wordpress`, which installs them")
    site = WordPressSite(tmp_path_factory.mktemp("wordpress")).start(precis.url, API_KEY, WEBHOOK_SECRET)
    yield site
    site.stop()


class WordPressClient:
    """The REST API, authenticated with the admin's application password (plain permalinks)."""

    def __init__(self, site: WordPressSite) -> None:
        self.site = site
        self.session = requests.Session()
        self.session.auth = (site.credentials["user"], site.credentials["application_password"])

    def rest(self, method: str, route: str, **kwargs: Any) -> requests.Response:
        params = {"rest_route": route, **kwargs.pop("params", {})}
        return self.session.request(method, f"{self.site.url}/", params=params, timeout=120, **kwargs)

    def publish(self, title: str, html: str, **fields: Any) -> dict[str, Any]:
        response = self.rest(
            "POST", "/wp/v2/posts", json={"title": title, "content": html, "status": "publish", **fields}
        )
        assert response.status_code == 201, response.text
        return self.post(response.json()["id"])

    def post(self, post_id: int) -> dict[str, Any]:
        """The post as an editor sees it (context=edit: the raw excerpt and the Précis meta)."""
        response = self.rest("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"})
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture(scope="session")
def wp(wordpress: WordPressSite) -> WordPressClient:
    return WordPressClient(wordpress)


def article_html(text: str) -> str:
    """A plain-text article as the HTML an editor's post holds: one paragraph a line."""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
