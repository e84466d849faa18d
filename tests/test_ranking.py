import numpy as np

from service.engines.base import SummaryParams
from service.engines.ranking import RankerWeights, pacsum_centrality, score_sentences, select_sentences
from service.text.sentences import Sentence


def _sentences(n: int, words: int = 8) -> list[Sentence]:
    return [Sentence(" ".join([f"w{i}"] * words), i * 100, i * 100 + 50, i) for i in range(n)]


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_lead_prior_wins_among_equals() -> None:
    embeddings = _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])
    scores = score_sentences(embeddings, None, RankerWeights(centrality=0.0))
    assert list(np.argsort(-scores)) == [0, 1, 2, 3]


def test_centrality_finds_the_sentence_the_others_echo() -> None:
    # Sentence 2 is similar to every other sentence; the rest are unrelated to each other.
    embeddings = _unit([[1, 0, 0, 0.2], [0, 1, 0, 0.2], [1, 1, 1, 1], [0, 0, 1, 0.2]])
    centrality = pacsum_centrality(embeddings @ embeddings.T, backward=1.0, edge_threshold=0.0)
    assert int(np.argmax(centrality)) == 2
    scores = score_sentences(embeddings, None, RankerWeights(position=0.0, lede=0.0, backward=1.0, edge_threshold=0.0))
    assert int(np.argmax(scores)) == 2


def test_headline_similarity_lifts_a_sentence() -> None:
    embeddings = _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    title = _unit([[0, 0, 1]])[0]
    scores = score_sentences(embeddings, title, RankerWeights(position=0.0, lede=0.0, centrality=0.0, title=1.0))
    assert int(np.argmax(scores)) == 2


def test_selection_skips_near_duplicates_and_keeps_article_order() -> None:
    sentences = _sentences(4)
    embeddings = _unit([[1, 0, 0], [1, 0.01, 0], [0, 1, 0], [0, 0, 1]])
    scores = np.array([0.9, 0.8, 0.5, 0.7])
    chosen = select_sentences(sentences, embeddings, scores, SummaryParams(max_sentences=3), RankerWeights())
    assert [c.source.index for c in chosen] == [0, 2, 3]


def test_word_budget_is_respected_but_never_empty() -> None:
    sentences = _sentences(4, words=10)
    embeddings = _unit([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    chosen = select_sentences(sentences, embeddings, scores, SummaryParams(max_words=25), RankerWeights())
    assert [c.source.index for c in chosen] == [0, 1]
    chosen = select_sentences(sentences, embeddings, scores, SummaryParams(max_words=5), RankerWeights())
    assert len(chosen) == 1


def test_short_fragments_only_fill_in_last() -> None:
    sentences = [Sentence("Yes.", 0, 4, 0)] + _sentences(3)[1:]
    embeddings = _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    scores = np.array([0.9, 0.5, 0.4])
    chosen = select_sentences(sentences, embeddings, scores, SummaryParams(max_sentences=2), RankerWeights())
    assert [c.source.index for c in chosen] == [1, 2]


def test_lede_bonus_keeps_the_first_sentence_against_a_central_one() -> None:
    # Sentence 2 echoes every other sentence; a lede bonus still keeps sentence 0 first.
    embeddings = _unit([[1, 0, 0, 0.2], [0, 1, 0, 0.2], [1, 1, 1, 1], [0, 0, 1, 0.2]])
    central = RankerWeights(position=0.0, lede=0.0, backward=1.0, edge_threshold=0.0, centrality=1.0)
    assert int(np.argmax(score_sentences(embeddings, None, central))) == 2
    with_lede = RankerWeights(position=0.0, backward=1.0, edge_threshold=0.0, centrality=1.0, lede=2.0)
    assert int(np.argmax(score_sentences(embeddings, None, with_lede))) == 0
