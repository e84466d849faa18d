"""The editorial table (service/editorial/purposes.py) and the generative engines' pure
parts around it: the chunk planner and the lazy length budget."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import get_args

import pytest

from service.domain.length import within_budget
from service.domain.summary import Purpose, SummaryParams
from service.editorial.generated import needs_retry, retry_settings, summary_sentences
from service.editorial.purposes import CHARACTERS, POLICIES, SEO_MAX_CHARS, WORDS, X_WEIGHTED, Budget, describe, policy
from service.engines.chunking import MAX_LEVELS, ChunkPlan, ChunkPlanner, TextBudgets
from service.exceptions import InputTooLong
from service.text.x_length import x_weighted_length


def test_every_purpose_has_one_complete_row() -> None:
    assert list(POLICIES) == list(get_args(Purpose))
    for name, row in POLICIES.items():
        assert name in describe() and row.description
        if row.budgeted:  # a generative engine is told the task, and told again more firmly
            assert row.task() and row.task(firmer=True) and row.task() != row.task(firmer=True)
            assert "{" not in (row.task() or "") + (row.task(firmer=True) or "") and row.retry_tokens > 0
        else:
            assert row.task() is None and row.bullets is None


def test_a_budget_is_measured_per_item_or_whole() -> None:
    items = ["One short point.", "A second, rather longer, point."]
    assert Budget(200, CHARACTERS, per_item=True).measured(items) == len(items[1])
    assert Budget(200, CHARACTERS).measured(items) == len(" ".join(items))
    assert Budget(30, WORDS).measured(items) == 8
    assert Budget(252, X_WEIGHTED).measured(["漢字", "ok"]) == x_weighted_length("漢字 ok") == 7


def test_list_purposes_ask_for_the_middle_of_their_range() -> None:
    bullets = policy("key_points").bullets
    assert bullets is not None and bullets.asked == 4 and "4" in (policy("key_points").task() or "")


def test_generated_text_over_its_budget_is_retried_then_fitted() -> None:
    first = "The council approved a budget that raises local taxes to pay for road repairs and libraries."
    long = f"{first} It takes effect in April, after a vote that split the ruling group. Critics called it unfair."
    assert needs_retry(long, "seo_description") and not needs_retry(long, "summary")
    assert retry_settings({"max_new_tokens": 256, "min_new_tokens": 30}, "seo_description") == {
        "max_new_tokens": 40,
        "min_new_tokens": 0,
    }
    fitted = summary_sentences(long, SummaryParams(purpose="seo_description"))
    assert 0 < len(" ".join(s.text for s in fitted)) <= SEO_MAX_CHARS
    assert [s.text for s in summary_sentences(long, SummaryParams(max_words=20))] == [first]


def _words(texts: Sequence[str]) -> list[int]:
    """A real token counter for plain text: one token a word."""
    return [len(text.split()) for text in texts]


PLANNER = ChunkPlanner(_words, TextBudgets(final=20, chunk=12))
SUBJECTS = (
    "The mayor",
    "A bakery",
    "Three nurses",
    "The river board",
    "Our reporter",
    "Two schools",
    "A judge",
    "Fans",
)
SENTENCES = [f"{who} said something new about item {i} today." for i, who in enumerate(SUBJECTS)]  # 8-10 words
ARTICLE = " ".join(SENTENCES)


def test_an_article_that_fits_is_read_whole() -> None:
    plan = PLANNER.plan("A short article of seven words.", ["A short article of seven words."], "chunk")
    assert plan.final and plan.pieces == ("A short article of seven words.",)
    assert (plan.coverage.input_tokens, plan.coverage.token_limit, plan.coverage.chunks) == (6, 20, 1)


def test_a_long_article_is_chunked_at_sentence_boundaries_or_refused_or_cut() -> None:
    plan = PLANNER.plan(ARTICLE, SENTENCES, "chunk")
    assert not plan.final and " ".join(plan.pieces) == ARTICLE and len(plan.pieces) == plan.coverage.chunks == 8
    assert all(n <= 12 for n in _words(plan.pieces))
    with pytest.raises(InputTooLong):
        PLANNER.plan(ARTICLE, SENTENCES, "error")
    head = PLANNER.plan(ARTICLE, SENTENCES, "head")
    assert head.pieces == (" ".join(SENTENCES[:2]),) and head.coverage.truncated
    assert head.coverage.covered == round(len(head.pieces[0]) / len(ARTICLE), 4)


def test_partial_summaries_are_merged_without_repeats_until_one_piece() -> None:
    plan = PLANNER.plan(ARTICLE, SENTENCES, "chunk")
    merged = PLANNER.next_round(plan, ["Taxes rise. Roads get repaired.", "Taxes rise. Libraries open."])
    assert merged == ChunkPlan(("Taxes rise. Roads get repaired. Libraries open.",), plan.coverage, level=1)
    too_long = ChunkPlan(plan.pieces, plan.coverage, level=MAX_LEVELS - 1)
    last = PLANNER.next_round(too_long, SENTENCES)
    assert last.final and last.level == MAX_LEVELS and last.coverage.truncated


def test_the_length_budget_reads_a_stream_no_further_than_it_needs() -> None:
    read: list[str] = []

    def generated() -> Iterator[str]:
        for sentence in SENTENCES:
            read.append(sentence)
            yield sentence

    kept = list(within_budget(generated(), SummaryParams(max_sentences=2)))
    assert kept == SENTENCES[:2] and read == SENTENCES[:3]  # the third is read, then the stream is left
    assert list(within_budget(iter(SENTENCES), SummaryParams(max_words=3))) == SENTENCES[:1]  # never empty
