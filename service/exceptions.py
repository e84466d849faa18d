"""What the summarisation use case can refuse, in its own words: no HTTP here.

`service.errors` maps each of these to a problem document (status, type, title) in one
table; the CLI, the job worker and the benchmarks report them as they are."""

from __future__ import annotations

from typing import Any


class SummaryError(Exception):
    """A request the use case cannot serve; `extra` carries facts worth returning with it."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InputTooLong(SummaryError):
    """An article over the model's input limit, with overflow="error"."""

    def __init__(self, tokens: int, limit: int) -> None:
        super().__init__(
            f"The article has {tokens} tokens and the model reads at most {limit}; "
            "use overflow=chunk or overflow=head.",
            input_tokens=tokens,
            token_limit=limit,
        )
        self.tokens, self.limit = tokens, limit


class NoSentences(SummaryError):
    """Nothing left to summarise once the article was cleaned."""


class UnsupportedOption(SummaryError):
    """An option this engine cannot honour (e.g. `generation` for an extractive model)."""


class ModelNotReady(SummaryError):
    """The model is still loading, or failed to load."""


class Overloaded(SummaryError):
    """Too many articles are waiting for the model."""


class DeadlineExceeded(SummaryError):
    """The summary took longer than the request deadline."""


class UpstreamError(SummaryError):
    """The inference server that generates for this model failed (engine openai-compatible).
    Worth retrying: a job retries such items with backoff (service/jobs/worker.py)."""

    def __init__(self, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after  # seconds, as the server said (or a default), for Retry-After


class UpstreamUnavailable(UpstreamError):
    """The inference server is down, unreachable, or busy (it answered 429 or 5xx)."""


class UpstreamTimeout(UpstreamError):
    """The inference server sent nothing within the read timeout."""


class UpstreamMalformed(UpstreamError):
    """The inference server's answer is not a completion, or an empty one."""


class CallbackRefused(SummaryError):
    """A job's callback_url that Précis will not call: not http(s), or a private, loopback or
    link-local address (before or after DNS) that WEBHOOK_ALLOWED_HOSTS does not list."""


class WebhooksNotConfigured(SummaryError):
    """A job asks for a callback, and no secret would sign it (WEBHOOK_SECRET, WEBHOOK_SECRETS_FILE)."""
