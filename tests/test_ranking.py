import numpy as np
import pytest

from service.domain.summary import SummaryParams
from service.ranker.ranking import (
    RankerWeights,
    RankInput,
    pacsum_centrality,
    score_grid,
    score_sentences,
    select_sentences,
    top_k_grid,
)
from service.text.sentences import Sentence


def _sentences(n: int, words: int = 8) -> list[Sentence]:
    return [Sentence(" ".join([f"w{i}"] * words), i * 100, i * 100 + 50, i) for i in range(n)]


def _article(
    embeddings: np.ndarray,
    title: np.ndarray | None = None,
    confidence: float = 1.0,
    words: list[Sentence] | None = None,
) -> RankInput:
    counts = np.array([s.words for s in words]) if words else np.full(len(embeddings), 8)
    return RankInput(embeddings, counts, title, confidence)


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_lead_prior_wins_among_equals() -> None:
    embeddings = _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])
    scores = score_sentences(_article(embeddings), RankerWeights(centrality=0.0))
    assert list(np.argsort(-scores)) == [0, 1, 2, 3]


def test_centrality_finds_the_sentence_the_others_echo() -> None:
    # Sentence 2 is similar to every other sentence; the rest are unrelated to each other.
    embeddings = _unit([[1, 0, 0, 0.2], [0, 1, 0, 0.2], [1, 1, 1, 1], [0, 0, 1, 0.2]])
    centrality = pacsum_centrality(embeddings @ embeddings.T, backward=1.0, edge_threshold=0.0)
    assert int(np.argmax(centrality)) == 2
    scores = score_sentences(
        _article(embeddings), RankerWeights(position=0.0, lede=0.0, backward=1.0, edge_threshold=0.0)
    )
    assert int(np.argmax(scores)) == 2


def test_headline_similarity_lifts_a_sentence() -> None:
    embeddings = _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    title = _unit([[0, 0, 1]])[0]
    scores = score_sentences(
        _article(embeddings, title), RankerWeights(position=0.0, lede=0.0, centrality=0.0, title=1.0)
    )
    assert int(np.argmax(scores)) == 2


def test_selection_skips_near_duplicates_and_keeps_article_order() -> None:
    sentences = _sentences(4)
    embeddings = _unit([[1, 0, 0], [1, 0.01, 0], [0, 1, 0], [0, 0, 1]])
    scores = np.array([0.9, 0.8, 0.5, 0.7])
    chosen = select_sentences(
        sentences, _article(embeddings, words=sentences), scores, SummaryParams(max_sentences=3), RankerWeights()
    )
    assert [c.source.index for c in chosen] == [0, 2, 3]


def test_word_budget_is_respected_but_never_empty() -> None:
    sentences = _sentences(4, words=10)
    embeddings = _unit([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    chosen = select_sentences(
        sentences, _article(embeddings, words=sentences), scores, SummaryParams(max_words=25), RankerWeights()
    )
    assert [c.source.index for c in chosen] == [0, 1]
    chosen = select_sentences(
        sentences, _article(embeddings, words=sentences), scores, SummaryParams(max_words=5), RankerWeights()
    )
    assert len(chosen) == 1


def test_short_fragments_only_fill_in_last() -> None:
    sentences = [Sentence("Yes.", 0, 4, 0)] + _sentences(3)[1:]
    embeddings = _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    scores = np.array([0.9, 0.5, 0.4])
    chosen = select_sentences(
        sentences, _article(embeddings, words=sentences), scores, SummaryParams(max_sentences=2), RankerWeights()
    )
    assert [c.source.index for c in chosen] == [1, 2]


def test_lede_bonus_keeps_the_first_sentence_against_a_central_one() -> None:
    # Sentence 2 echoes every other sentence; a lede bonus still keeps sentence 0 first.
    embeddings = _unit([[1, 0, 0, 0.2], [0, 1, 0, 0.2], [1, 1, 1, 1], [0, 0, 1, 0.2]])
    central = RankerWeights(position=0.0, lede=0.0, backward=1.0, edge_threshold=0.0, centrality=1.0)
    assert int(np.argmax(score_sentences(_article(embeddings), central))) == 2
    with_lede = RankerWeights(position=0.0, backward=1.0, edge_threshold=0.0, centrality=1.0, lede=2.0)
    assert int(np.argmax(score_sentences(_article(embeddings), with_lede))) == 0


def test_headline_term_scales_with_how_sure_the_title_is() -> None:
    embeddings = _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    title = _unit([[0, 0, 1]])[0]
    weights = RankerWeights(centrality=0.0, lede=0.0, title=1.0)
    sure = score_sentences(_article(embeddings, title, 1.0), weights)
    half = score_sentences(_article(embeddings, title, 0.5), weights)
    none = score_sentences(_article(embeddings, title, 0.0), weights)
    assert sure[2] - half[2] == pytest.approx(0.5)
    np.testing.assert_allclose(none, score_sentences(_article(embeddings), weights))
    assert int(np.argmax(sure)) == 2 and int(np.argmax(none)) == 0


def test_vectorised_grid_equals_one_weighting_at_a_time() -> None:
    rng = np.random.default_rng(7)
    embeddings = rng.normal(size=(12, 16))
    embeddings[5] = embeddings[1] + 0.01  # a near-duplicate pair, so some rows take the slow path
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    title = embeddings[3]
    article = RankInput(embeddings, np.array([8, 8, 3, 8, 8, 8, 8, 2, 8, 8, 8, 8]), title, 0.7)
    points = [
        RankerWeights(position_decay=d, centrality=c, lede=0.0, backward=b, redundancy=0.9)
        for d in (0.3, 2.0)
        for c in (0.0, 3.0)
        for b in (-0.3, 0.3)
    ]
    grid = score_grid(article, points)
    sentences = [Sentence(f"s{i} " * 8, 0, 10, i) for i in range(12)]
    params = SummaryParams(max_sentences=3)
    for row, weights in enumerate(points):
        np.testing.assert_allclose(grid[row], score_sentences(article, weights))
        expected = [c.source.index for c in select_sentences(sentences, article, grid[row], params, weights)]
        assert list(top_k_grid(article, grid[row : row + 1], weights, 3)[0]) == expected
