"""py3langid's detector with its feature walk in numpy: the same scores, without a Python
step per byte of the article.

py3langid counts the n-grams of a text by walking a DFA over its UTF-8 bytes, one Python
loop turn a byte (`langid.visit_counts`): about 1.5 ms for a 10,000-character article, the
largest share of the fast tier's non-model time after sentence splitting. The DFA is
definite: after WINDOW bytes it is in the same state whatever state it started from (the
longest suffix of the text that is a node of its n-gram trie). So the state after byte i is
the walk from the start state over bytes i-WINDOW+1 .. i alone, and every position can take
its WINDOW steps together as array gathers. The features are then counted in the order
they first occur, the order of the Counter the library builds, so the naive Bayes sum adds
the same float32 terms in the same order and the scores are equal, bit for bit.

WINDOW belongs to the model file of the pinned py3langid; tests/test_language.py proves it
for that model (every pair of states meets within WINDOW bytes) and compares the scores
with the library's own walk on real articles."""

from __future__ import annotations

from typing import Any

import numpy as np
from py3langid.langid import LanguageIdentifier

# Bytes after which the DFA's state no longer depends on where it started (py3langid 0.4.0).
WINDOW = 6


class WindowedIdentifier(LanguageIdentifier):
    __slots__ = ("_moves", "_rows", "_outputs")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A view of the library's 39 MB transition table, not a copy of it.
        self._moves = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
        self._rows = np.asarray(self.tk_row, dtype=np.int32) << 8
        self._outputs = np.asarray(self.tk_output, dtype=np.int32)

    def _raw_score(self, text: bytes) -> np.ndarray:
        features = self.features(text)
        if len(features) == 0:
            return super()._raw_score(b"")  # the no-feature score
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        # As langid._sparse_score computes it, from a Counter in first-occurrence order.
        return np.log1p(counts[order].astype(np.float32)) @ self.nb_ptc[found[order]] + self.nb_pc

    def features(self, text: bytes) -> np.ndarray:
        """The feature index of every byte position that yields one, in text order."""
        data = np.frombuffer(text, dtype=np.uint8).astype(np.int32)
        states = np.zeros(len(data), dtype=np.int32)
        for lag in range(WINDOW - 1, -1, -1):  # position i reads byte i-lag; positions < lag start later
            if lag < len(data):
                states[lag:] = self._moves[self._rows[states[lag:]] + data[: len(data) - lag]]
        outputs = self._outputs[states]
        return outputs[outputs >= 0]


def library_walk(detector: WindowedIdentifier) -> LanguageIdentifier:
    """The same model with py3langid's own byte-at-a-time walk: what the windowed one is
    measured and tested against."""
    return LanguageIdentifier(
        detector.nb_ptc, detector.nb_pc, detector.nb_classes, detector.tk_nextmove, detector.tk_output,
        norm_probs=True, tk_row=detector.tk_row,
    )  # fmt: skip
