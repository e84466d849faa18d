"""The editorial step after a generative model has written: a purpose's budget checked,
one firmer retry when it was missed, and the text made into summary sentences (fitted by
the same rules as the extractive engine's when it still misses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.length import fit_in_order
from service.domain.summary import Purpose, SummaryParams, SummarySentence
from service.editorial.fitting import fit_text, fits
from service.editorial.purposes import policy
from service.text.postprocess import generated_sentences


def needs_retry(text: str, purpose: Purpose) -> bool:
    """Whether the answer missed its purpose's budget (it is asked once more, firmly)."""
    return policy(purpose).budgeted and not fits(text, purpose)


def retry_settings(settings: Mapping[str, Any], purpose: Purpose) -> dict[str, Any]:
    """The firmer retry's generation settings: fewer tokens to spend, no minimum."""
    tokens = min(int(settings["max_new_tokens"]), policy(purpose).retry_tokens)
    return {**settings, "max_new_tokens": tokens, "min_new_tokens": 0}


def summary_sentences(text: str, params: SummaryParams) -> list[SummarySentence]:
    """A generated text as the summary's sentences: within the request's length (a purpose
    without a budget), as generated when it fits its purpose's budget, else fitted."""
    row = policy(params.purpose)
    if not row.budgeted:
        return [SummarySentence(s) for s in fit_in_order(generated_sentences(text), params)]
    if not fits(text, params.purpose):
        fitted = fit_text(text, params.purpose)
        return [SummarySentence(p.text, compressed=p.compressed, truncated=p.truncated) for p in fitted.pieces]
    if row.bullets:
        lines = (line.strip().lstrip("-*•").strip() for line in text.splitlines())
        return [SummarySentence(line) for line in lines if line]
    return [SummarySentence(s) for s in generated_sentences(text)]
