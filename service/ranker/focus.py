"""The extractive engine's focused ranking (the focus itself, its word overlap and the
generative engines' focus steps: service/editorial/focus.py).

Each sentence's relevance to the focus is the cosine similarity of their embeddings (the
engine's encoder, all-MiniLM-L6-v2) plus LEXICAL_WEIGHT times the share of the focus's
words that the sentence contains: a small encoder places a bare name ("AOL", "Vonn")
poorly, and the name written in the sentence is the plainest evidence there is.
Ranking blends relevance and the usual salience:

    similarity = cosine + LEXICAL_WEIGHT * overlap
    blended = RELEVANCE_WEIGHT * similarity / max(similarity)
              + (1 - RELEVANCE_WEIGHT) * minmax(salience)        for related sentences
    blended = -inf                                               for the others

A sentence is related when its similarity is at least SENTENCE_THRESHOLD and at least
RELATIVE_THRESHOLD times the article's best similarity: a central sentence that says
nothing about the focus is never returned, however salient. When no sentence reaches
MATCH_THRESHOLD the article does not speak of the focus at all: `matched` is False and
the caller answers `focus_matched: false` (with the unfocused summary, or none) rather
than the least unrelated sentences.

The thresholds and the weight were measured on MiniLM similarities by bench/focus.py
(fitted on train articles, reported on dev articles: docs/QUALITY.md, "Newsroom features")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.ranker.ranking import minmax

# Fitted by `python -m bench.focus` on 100 BBC + 100 CNN train articles, reported on dev
# (docs/QUALITY.md, "Newsroom features"). Similarities below include the word-overlap term.
MATCH_THRESHOLD = 0.41  # best sentence below this: the article is not about the focus
SENTENCE_THRESHOLD = 0.1  # a sentence below this is unrelated to the focus ...
RELATIVE_THRESHOLD = 0.7  # ... and so is one below 0.7 times the article's best match
RELEVANCE_WEIGHT = 0.7  # of the blend; salience has the rest
LEXICAL_WEIGHT = 0.3  # one focus word in three found in a sentence adds 0.1 to its cosine


@dataclass(frozen=True)
class FocusSettings:
    match_threshold: float = MATCH_THRESHOLD
    sentence_threshold: float = SENTENCE_THRESHOLD
    relative_threshold: float = RELATIVE_THRESHOLD
    relevance_weight: float = RELEVANCE_WEIGHT
    lexical_weight: float = LEXICAL_WEIGHT


def focus_similarity(
    sentence_embeddings: np.ndarray,
    focus_embedding: np.ndarray,
    lexical: np.ndarray | None = None,
    settings: FocusSettings = FocusSettings(),
) -> np.ndarray:
    """Each sentence's relevance: cosine similarity (rows and focus L2-normalised) plus the
    weighted word overlap from `lexical_overlap`, when given."""
    similarity = sentence_embeddings @ focus_embedding
    return similarity + settings.lexical_weight * lexical if lexical is not None else similarity


def related_mask(similarity: np.ndarray, settings: FocusSettings = FocusSettings()) -> np.ndarray:
    """Which sentences speak of the focus."""
    if similarity.size == 0:
        return np.zeros(0, dtype=bool)
    floor = max(settings.sentence_threshold, settings.relative_threshold * float(similarity.max()))
    return similarity >= floor


def focus_scores(
    sentence_embeddings: np.ndarray,
    focus_embedding: np.ndarray,
    salience: np.ndarray,
    settings: FocusSettings = FocusSettings(),
    lexical: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """Blended scores (-inf for sentences unrelated to the focus) and whether the article
    matches the focus at all. When it does not, every score is -inf. `lexical` is
    `lexical_overlap(sentence_texts, focus)`; without it relevance is the cosine alone."""
    similarity = focus_similarity(sentence_embeddings, focus_embedding, lexical, settings)
    matched = bool(similarity.size) and float(similarity.max()) >= settings.match_threshold
    blended = np.full(similarity.shape, -np.inf)
    if not matched:
        return blended, False
    related = related_mask(similarity, settings)
    relevance = np.clip(similarity, 0.0, None) / float(similarity.max())
    mixed = settings.relevance_weight * relevance + (1 - settings.relevance_weight) * minmax(np.asarray(salience))
    blended[related] = mixed[related]
    return blended, True


def focused_order(blended: np.ndarray) -> list[int]:
    """Related sentences, best first: what a selection step may choose from."""
    return [int(i) for i in np.argsort(-blended, kind="stable") if np.isfinite(blended[i])]


def focused_input(blended: np.ndarray) -> list[int]:
    """seq2seq (extract, then abstract): the related sentences, in article order, to give
    the model instead of the whole article; report their indices with the summary."""
    return sorted(focused_order(blended))
