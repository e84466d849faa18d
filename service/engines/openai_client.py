"""An OpenAI-compatible inference server (vLLM, llama.cpp, Ollama, TGI), over HTTP: chat
completions whole or streamed, the models it serves, and its faults in Précis' own words.

Every way the server can fail becomes one of three exceptions, which the API answers in
the usual problem shape (service/errors.py): unreachable, busy (429/503) or any other
error status → UpstreamUnavailable (503, with the server's Retry-After when it gave one);
no answer within the read timeout → UpstreamTimeout (504); an answer that is not a
completion, or an empty one → UpstreamMalformed (502). The API key goes in a header and
nowhere else: it is never logged nor part of any message."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx2

from service.exceptions import UpstreamMalformed, UpstreamTimeout, UpstreamUnavailable

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER_S = 5  # when the server is down or busy and says nothing of when to come back
PROBE_TIMEOUT_S = 2.0  # /readyz's look at the server: short, a probe must not hang


@dataclass(frozen=True)
class ServerConfig:
    base_url: str  # e.g. http://127.0.0.1:8081/v1
    api_key: str = field(default="", repr=False)  # never in a repr, hence never in a log
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 60.0
    concurrency: int = 8  # requests in flight at once, from this process

    @property
    def host(self) -> str:
        """host:port, for provenance (never the path or any credentials in the URL)."""
        parts = urlsplit(self.base_url)
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


def _retry_after(response: httpx2.Response) -> int:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else DEFAULT_RETRY_AFTER_S


class OpenAIServer:
    """One client per process: a pooled HTTP client, at most `concurrency` requests at once."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._slots = threading.BoundedSemaphore(config.concurrency)
        self._clients: dict[int, httpx2.Client] = {}

    @property
    def _http(self) -> httpx2.Client:
        """This process's HTTP client: a pool opened before gunicorn's fork (the warm-up) must
        not be shared by the workers, whose requests would interleave on its sockets."""
        pid = os.getpid()
        if pid not in self._clients:
            config = self.config
            headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
            self._clients = {
                pid: httpx2.Client(
                    base_url=config.base_url.rstrip("/") + "/",
                    headers=headers,
                    timeout=httpx2.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
                    limits=httpx2.Limits(
                        max_connections=config.concurrency, max_keepalive_connections=config.concurrency
                    ),
                )
            }
        return self._clients[pid]

    # --- what the server serves ------------------------------------------------------------
    def models(self, timeout: float | None = None) -> list[dict[str, Any]]:
        """GET /models: the server's models (id, and whatever else it reports, e.g. vLLM's max_model_len)."""
        with self._faults("listing models"):
            response = self._http.get("models", timeout=timeout or httpx2.USE_CLIENT_DEFAULT)
            self._raise_for_status(response)
            data = response.json().get("data")
        if not isinstance(data, list):
            raise UpstreamMalformed("The inference server's model list has no 'data'.")
        return [entry for entry in data if isinstance(entry, dict) and entry.get("id")]

    def probe(self) -> str | None:
        """Why the server cannot serve right now, or None when it answers: for /readyz."""
        try:
            self.models(timeout=PROBE_TIMEOUT_S)
        except (UpstreamUnavailable, UpstreamTimeout, UpstreamMalformed) as exc:
            return exc.detail
        return None

    # --- completions -----------------------------------------------------------------------
    def complete(self, body: Mapping[str, Any]) -> Completion:
        """One chat completion, whole."""
        with self._slots, self._faults("generating"):
            response = self._http.post("chat/completions", json={**body, "stream": False})
            self._raise_for_status(response)
            try:
                answer = response.json()
                text = answer["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise UpstreamMalformed("The inference server's answer is not a chat completion.") from exc
        if not isinstance(text, str) or not text.strip():
            raise UpstreamMalformed("The inference server answered with an empty completion.")
        usage = answer.get("usage") or {}
        return Completion(text, usage.get("prompt_tokens"), usage.get("completion_tokens"))

    def stream(self, body: Mapping[str, Any], cancel: threading.Event) -> Generator[str, None, None]:
        """The completion's text as the server streams it, a delta at a time. Closing the
        generator, or setting `cancel`, closes the connection: the server stops generating."""
        with (
            self._slots,
            self._faults("streaming"),
            self._http.stream("POST", "chat/completions", json={**body, "stream": True}) as response,
        ):
            self._raise_for_status(response)
            wrote = False
            for delta in _deltas(response.iter_lines()):
                if cancel.is_set():
                    return
                wrote = wrote or bool(delta.strip())
                yield delta
            if not wrote:
                raise UpstreamMalformed("The inference server streamed an empty completion.")

    def close(self) -> None:
        self._http.close()

    # --- faults ----------------------------------------------------------------------------
    def _raise_for_status(self, response: httpx2.Response) -> None:
        if response.is_success:
            return
        response.read()
        status = response.status_code
        if status in (429, 502, 503, 504) or status >= 500:
            raise UpstreamUnavailable(
                f"The inference server is busy or failing (HTTP {status}); retry shortly.",
                retry_after=_retry_after(response),
            )
        # A 4xx the server gave to a request Précis built: not the caller's fault, nor retryable as is.
        log.warning("inference server refused a request: HTTP %d %s", status, response.text[:300])
        raise UpstreamMalformed(f"The inference server refused the request (HTTP {status}).")

    @contextmanager
    def _faults(self, doing: str) -> Iterator[None]:
        where = self.config.host
        try:
            yield
        except httpx2.TimeoutException as exc:
            if isinstance(exc, httpx2.ConnectTimeout | httpx2.PoolTimeout):
                raise UpstreamUnavailable(
                    f"The inference server at {where} did not accept a connection in time.",
                    retry_after=DEFAULT_RETRY_AFTER_S,
                ) from exc
            raise UpstreamTimeout(
                f"The inference server at {where} sent nothing for {self.config.read_timeout_s:g} s while {doing}."
            ) from exc
        except httpx2.ConnectError as exc:
            raise UpstreamUnavailable(
                f"The inference server at {where} is unreachable.", retry_after=DEFAULT_RETRY_AFTER_S
            ) from exc
        except httpx2.TransportError as exc:  # the connection broke mid-answer (the server died)
            raise UpstreamUnavailable(
                f"The connection to the inference server at {where} broke while {doing}.",
                retry_after=DEFAULT_RETRY_AFTER_S,
            ) from exc


def _deltas(lines: Iterator[str]) -> Iterator[str]:
    """The content deltas of an OpenAI server-sent event stream ("data: {json}" lines, "data: [DONE]")."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        payload = line.removeprefix("data:").strip()
        if payload == "[DONE]":
            return
        try:
            choice = json.loads(payload)["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise UpstreamMalformed("The inference server's stream is not a chat completion stream.") from exc
        content = (choice.get("delta") or {}).get("content")
        if content:
            yield content
