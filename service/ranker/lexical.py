"""Lexical sentence vectors, for the languages the embedding model was not trained on.

The extractive ranker (service/ranker/ranking.py) reads an article only through the
cosine similarities of its sentences and headline: centrality, headline overlap and
redundancy. `LexicalEmbedder` gives vectors whose cosine is lexical similarity, so the
ranker, the weighted calibration grid and house-style profiles work on any language
unchanged, with no model to ship (a salience model reads the sentences' surface in place of
embedding dimensions, which these coordinates are not: service/ranker/salience.py):

- word unigrams and bigrams, and character 4-grams within words (they match inflected
  forms, "ministre"/"ministres", "Regierung"/"Regierungschef", and read scripts written
  without spaces), TF-IDF weighted with sublinear counts, each half L2-normalised (3-5-grams
  ranked no better on French dev and took twice as long);
- the IDF is fitted on the one call's texts (an article's sentences and its headline):
  words every sentence uses weigh little, the story's own names and terms weigh most, in
  any language and with no stop-word list.

The vectors are returned as a small dense factor of their Gram matrix: rows of length
`len(texts)` whose dot products are exactly the TF-IDF cosines, instead of one column per
n-gram of the article (tens of thousands), so calibration keeps thousands of articles in
memory. Vectors of two calls are not comparable (each call has its own vocabulary): embed
what must be compared (a focus with the sentences) in one call."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Character n-grams carry as much as words: inflection and compounds are where words miss.
WORD_SHARE = 0.5
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (4, 4)
# The ranker's similarity matrices are float32 for the embedding model too.
DTYPE = np.float32


class LexicalEmbedder:
    """L2-normalised lexical vectors for one article's texts (the `Embedder` interface)."""

    kind = "lexical"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), len(texts)) rows, L2-normalised, whose dot products are the texts'
        lexical cosine similarities; a text with no word or character n-gram is all zeros."""
        m = len(texts)
        if m == 0:
            return np.zeros((0, 0), dtype=DTYPE)
        gram = WORD_SHARE * _cosines(texts, "word", WORD_NGRAMS) + (1 - WORD_SHARE) * _cosines(
            texts, "char_wb", CHAR_NGRAMS
        )
        values, vectors = np.linalg.eigh(gram)
        factor = vectors * np.sqrt(np.clip(values, 0.0, None))
        norms = np.linalg.norm(factor, axis=1, keepdims=True)
        return (factor / np.where(norms > 1e-9, norms, 1.0)).astype(DTYPE)


def _cosines(texts: Sequence[str], analyzer: str, ngrams: tuple[int, int]) -> np.ndarray:
    """(m, m) TF-IDF cosine similarities of the texts over one kind of n-gram (zeros for
    texts that have none)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Words are \w+: one-letter words count, in every script (the default needs two letters).
    pattern = {"token_pattern": r"(?u)\b\w+\b"} if analyzer == "word" else {}
    vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, dtype=np.float64, **pattern)
    try:
        matrix = vectorizer.fit_transform(texts)  # rows L2-normalised
    except ValueError:  # no n-gram in any text (punctuation or digits alone)
        return np.zeros((len(texts), len(texts)))
    return np.asarray((matrix @ matrix.T).todense())
