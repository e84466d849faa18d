"""Micro-batching: many concurrent requests, few engine calls, each answer its own."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.batching import MicroBatcher, QueueFull
from service.exceptions import InputTooLong
from service.schemas import SummarizeRequest
from service.summarizer import Prepared, Summarizer


def _prepared(summarizer: Summarizer, texts: list[str], **options) -> list[Prepared]:
    return [summarizer.prepare(SummarizeRequest(text=t, **options)) for t in texts]


def test_concurrent_requests_are_grouped_and_answered_individually(engine, dev_articles, seed_text: str) -> None:
    summarizer = Summarizer(engine)
    batcher = MicroBatcher(summarizer.predict, max_batch_size=8, max_wait_ms=200, max_queue=64)
    prepared = _prepared(summarizer, [seed_text] + [a["article"] for a in dev_articles[:15]])
    start = threading.Barrier(len(prepared))

    def submit(item):
        start.wait()
        return batcher.submit(item).result(timeout=120)

    with ThreadPoolExecutor(len(prepared)) as pool:
        results = list(pool.map(submit, prepared))
    assert batcher.stats.items == len(prepared)
    assert batcher.stats.largest > 1 and batcher.stats.batches < len(prepared)
    for item, result in zip(prepared, results, strict=True):
        assert result.sentences and all(s.text in item.document.text for s in result.sentences)


def test_full_queue_is_refused_not_waited_on(engine, seed_text: str) -> None:
    summarizer = Summarizer(engine)
    batcher = MicroBatcher(summarizer.predict, max_batch_size=1, max_wait_ms=0, max_queue=1)
    [item] = _prepared(summarizer, [seed_text])
    futures, refused = [], 0
    for _ in range(20):
        try:
            futures.append(batcher.submit(item))
        except QueueFull:
            refused += 1
    assert refused > 0
    assert all(f.result(timeout=60).sentences for f in futures)


def test_one_failing_article_does_not_fail_its_batch(tiny_models: dict[str, Path], load_tiny, seed_text: str) -> None:
    summarizer = Summarizer(load_tiny(tiny_models["bart"], max_new_tokens=16))
    batcher = MicroBatcher(summarizer.predict, max_batch_size=4, max_wait_ms=300, max_queue=8)
    short = "North Korea and China met for talks in Beijing. The talks were cautious."
    items = _prepared(summarizer, [short], generation={"num_beams": 1, "max_new_tokens": 4}) * 2
    items.insert(1, summarizer.prepare(SummarizeRequest(text=seed_text, overflow="error")))
    futures = [batcher.submit(i) for i in items]
    with pytest.raises(InputTooLong):
        futures[1].result(timeout=60)
    assert futures[0].result(timeout=60).sentences and futures[2].result(timeout=60).sentences
