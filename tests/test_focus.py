"""Focused ranking: the blend of focus similarity and salience, its thresholds, and the
real embedded model on the seed article."""

from __future__ import annotations

import numpy as np
import pytest

from service.editorial.focus import focus_instruction, lexical_overlap
from service.ranker.focus import (
    MATCH_THRESHOLD,
    SENTENCE_THRESHOLD,
    FocusSettings,
    focus_scores,
    focused_input,
    focused_order,
    related_mask,
)


def _unit(vector: list[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_a_central_sentence_unrelated_to_the_focus_is_never_returned() -> None:
    focus = _unit([1, 0, 0])
    sentences = np.stack([_unit([0, 1, 0]), _unit([0.9, 0.1, 0.4]), _unit([0.8, 0.5, 0.3]), _unit([0.1, 0.2, 1])])
    salience = np.array([9.0, 0.5, 0.2, 0.1])  # the first sentence is by far the most central
    blended, matched = focus_scores(sentences, focus, salience)
    assert matched
    assert not np.isfinite(blended[0]) and not np.isfinite(blended[3])
    assert focused_order(blended) == [1, 2]


def test_salience_decides_between_equally_related_sentences() -> None:
    focus = _unit([1, 0, 0])
    sentences = np.stack([_unit([0.8, 0.6, 0]), _unit([0.8, 0, 0.6])])
    assert focused_order(focus_scores(sentences, focus, np.array([0.1, 0.9]))[0]) == [1, 0]
    assert focused_order(focus_scores(sentences, focus, np.array([0.9, 0.1]))[0]) == [0, 1]


def test_nothing_related_means_not_matched_rather_than_noise() -> None:
    focus = _unit([1, 0, 0])
    weak = MATCH_THRESHOLD - 0.05
    sentences = np.stack([_unit([weak, np.sqrt(1 - weak**2), 0]), _unit([0, 0, 1])])
    blended, matched = focus_scores(sentences, focus, np.array([1.0, 0.5]))
    assert not matched and focused_order(blended) == []
    assert focus_scores(np.zeros((0, 3)), focus, np.zeros(0))[1] is False


def test_thresholds_are_settings() -> None:
    similarity = np.array([0.6, 0.45, 0.3, SENTENCE_THRESHOLD - 0.01])
    assert related_mask(similarity).tolist() == [True, True, False, False]  # 0.7 x 0.6 = 0.42
    assert related_mask(similarity, FocusSettings(relative_threshold=0.9)).tolist() == [True, False, False, False]
    assert related_mask(similarity, FocusSettings(relative_threshold=0.0, sentence_threshold=0.2)).tolist() == [
        True,
        True,
        True,
        False,
    ]


def test_lexical_overlap_counts_the_focus_words() -> None:
    sentences = ["Elections in Ireland were held.", "The Irish election was close.", "Nothing here."]
    assert lexical_overlap(sentences, "the elections in Ireland").tolist() == [1.0, 0.5, 0.0]
    assert lexical_overlap(sentences, "the of and").tolist() == [0.0, 0.0, 0.0]  # stopwords only


def test_seq2seq_input_and_instruct_prompt() -> None:
    blended = np.array([-np.inf, 0.4, -np.inf, 0.9])
    assert focused_input(blended) == [1, 3]  # article order, for the model to read
    prompt = focus_instruction('  the "energy   price cap"  ' + "x" * 300)
    assert "the 'energy price cap'" in prompt and len(prompt) < 400


def _focused(seed_ranked, focus: str) -> tuple[np.ndarray, bool]:
    embedder, article = seed_ranked
    lexical = lexical_overlap([s.text for s in article.sentences], focus)
    return focus_scores(article.embeddings, embedder.embed([focus])[0], article.scores, lexical=lexical)


@pytest.fixture(scope="module")
def seed_ranked(seed_text: str):
    from bench.ranked import load_embedder, rank_article

    try:
        embedder = load_embedder()
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    return embedder, rank_article(embedder, {"id": "seed", "article": seed_text, "reference": ""})


@pytest.mark.parametrize("focus", ["Korean War", "the United States and talks with Washington"])
def test_seed_article_focus_brings_its_sentences_first(seed_ranked, focus: str) -> None:
    _, article = seed_ranked
    blended, matched = _focused(seed_ranked, focus)
    assert matched
    order = focused_order(blended)
    keywords = {"Korean War": ["Korean War"], "the United States and talks with Washington": ["US", "Washington"]}
    assert any(k in article.sentences[order[0]].text for k in keywords[focus])
    assert 0 < len(order) < len(article.sentences)  # unrelated sentences are left out


@pytest.mark.parametrize("focus", ["Premier League transfer window", "recipe for chocolate cake"])
def test_seed_article_unrelated_focus_is_not_matched(seed_ranked, focus: str) -> None:
    assert not _focused(seed_ranked, focus)[1]
