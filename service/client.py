"""A small, typed, synchronous Python client for the Précis API.

    from service.client import PrecisClient
    client = PrecisClient("http://127.0.0.1:8000", api_key=None)
    result = client.summarize(text=article, length="short")
    print(result["summary"])

429 and 503 answers are retried with exponential backoff, honouring Retry-After; so are
connection failures. Any other error raises PrecisError with the server's problem document.
It needs only runtime dependencies: httpx2 (the httpx family, which huggingface_hub pins)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2

RETRY_STATUSES = (429, 503)
JOB_OVER = ("succeeded", "failed", "cancelled")


class PrecisError(Exception):
    """The server answered with an error (its RFC 9457 problem document is `problem`)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail') or problem.get('title') or 'error'}")
        self.status, self.problem = status, problem


class PrecisClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: float = 300.0,
        retries: int = 4,
        backoff: float = 0.5,
        http: httpx2.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.http = http or httpx2.Client(timeout=timeout)
        if api_key:
            self.http.headers["Authorization"] = f"Bearer {api_key}"

    def summarize(self, text: str | None = None, html: str | None = None, **options: Any) -> dict[str, Any]:
        """Summarise one article; `options` are the API's fields (length, max_words, format, …)."""
        return self._request("POST", "/v1/summarize", json=_article_body(text, html, options))

    def stream(self, text: str | None = None, html: str | None = None, **options: Any) -> Iterator[dict[str, Any]]:
        """Summarise one article as server-sent events: `{"event": "sentence", "data": {…, "position": i}}`
        for each sentence as soon as it is final, then `{"event": "done", "data": <the whole response>}`
        or `{"event": "error", "data": <problem document>}`. Errors found before streaming starts
        (validation) raise PrecisError, as `summarize` does; 429/503 are retried like it."""
        body = _article_body(text, html, options)
        for attempt in range(self.retries + 1):
            with self.http.stream(
                "POST", f"{self.base_url}/v1/summarize", json=body, headers={"Accept": "text/event-stream"}
            ) as response:
                if response.status_code in RETRY_STATUSES and attempt < self.retries:
                    response.read()
                    delay = self._retry_after(response, attempt)
                else:
                    yield from self._events(response)
                    return
            time.sleep(delay)

    def _events(self, response: httpx2.Response) -> Iterator[dict[str, Any]]:
        self._raise_for_problem(response)
        if not response.headers.get("Content-Type", "").startswith("text/event-stream"):
            response.read()  # a server that answered with the whole body at once
            yield {"event": "done", "data": response.json()}
            return
        name, data = "", list[str]()
        for line in itertools.chain(response.iter_lines(), [""]):  # a final blank line ends an unterminated event
            if not line:
                if data:
                    yield {"event": name or "message", "data": json.loads("\n".join(data))}
                name, data = "", []
            elif not line.startswith(":"):  # ":" opens a comment (keep-alive)
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)

    @staticmethod
    def _problem(response: httpx2.Response) -> dict[str, Any]:
        try:
            return response.json()
        except ValueError:
            return {"detail": response.text[:500]}

    def summarize_batch(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several articles, each `{"id": …, "text" or "html": …, options…}`; per-item results."""
        return self._request("POST", "/v1/summarize/batch", json={"items": items})["items"]

    def models(self) -> dict[str, Any]:
        return self._request("GET", "/v1/models")

    def ready(self) -> bool:
        try:
            return self.http.get(f"{self.base_url}/readyz").status_code == 200
        except httpx2.HTTPError:
            return False

    def _raise_for_problem(self, response: httpx2.Response) -> None:
        """An error answer as PrecisError (read first: a streamed response has no body yet)."""
        if response.status_code >= 400:
            response.read()
            raise PrecisError(response.status_code, self._problem(response))

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in range(self.retries + 1):
            try:
                response = self.http.request(method, f"{self.base_url}{path}", **kwargs)
            except httpx2.TransportError:
                if attempt == self.retries:
                    raise
                time.sleep(self.backoff * 2**attempt)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                time.sleep(self._retry_after(response, attempt))
                continue
            self._raise_for_problem(response)
            return response.json()
        raise AssertionError("unreachable")

    def _retry_after(self, response: httpx2.Response, attempt: int) -> float:
        header = response.headers.get("Retry-After", "")
        try:
            return max(0.0, float(header))
        except ValueError:
            return self.backoff * 2**attempt

    # --- archive jobs (/v1/jobs) ---------------------------------------------------------
    def submit_job(self, items: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
        """Submit a job: `items` as for summarize_batch, `options` (length, format, …) for every item."""
        body: dict[str, Any] = {"items": items}
        if options:
            body["options"] = options
        return self._request("POST", "/v1/jobs", json=body)

    def job(self, job_id: str) -> dict[str, Any]:
        """The job's status, counts, timestamps, model and settings."""
        return self._request("GET", f"/v1/jobs/{job_id}")

    def wait(
        self,
        job_id: str,
        timeout: float | None = None,
        poll: float = 1.0,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Poll until the job is over (succeeded, failed or cancelled); TimeoutError after `timeout` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if on_progress is not None:
                on_progress(job)
            if job["status"] in JOB_OVER:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} is still {job['status']} after {timeout} s")
            time.sleep(poll)

    def results(self, job_id: str) -> Iterator[dict[str, Any]]:
        """The job's results, `{"id", "status", "result" | "error"}` each, in input order, read
        as they stream (JSON Lines); while the job runs, the finished prefix."""
        with self.http.stream("GET", f"{self.base_url}/v1/jobs/{job_id}/results") as response:
            self._raise_for_problem(response)
            for line in response.iter_lines():
                if line.strip():
                    yield json.loads(line)

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        """Cancel: queued items never run; finished results stay readable."""
        return self._request("DELETE", f"/v1/jobs/{job_id}")


def _article_body(text: str | None, html: str | None, options: dict[str, Any]) -> dict[str, Any]:
    """The request body: the article and the options that are set."""
    return {k: v for k, v in {"text": text, "html": html, **options}.items() if v is not None}
