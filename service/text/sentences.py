"""Sentence splitting with character spans, on syntok.

syntok handles abbreviations ("Mr.", "U.S."), decimals and quotes, and gives token
offsets, so every sentence keeps its exact span in the text it came from. It measured
about 5x faster than pysbd on the dev articles with equal or better splits."""

from __future__ import annotations

from dataclasses import dataclass

from syntok import segmenter

# Titles that always come before a name, which syntok's abbreviation list lacks: it ends a
# sentence at "Gov." in "Gov. Jerry Brown said ...", common in American copy.
TITLES_BEFORE_NAMES = frozenset(
    {
        "Gov",
        "Lt",
        "Sgt",
        "Rep",
        "Reps",
        "Rev",
        "Maj",
        "Cpl",
        "Pvt",
        "Det",
        "Supt",
        "Insp",
        "Cmdr",
        "Hon",
        "Sens",
        "Gens",
        "Atty",
        "Msgr",
        "Rt",
    }
)


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
        first_of_paragraph = len(sentences)
        for tokens in paragraph:
            if not tokens:
                continue
            start = tokens[0].offset
            end = tokens[-1].offset + len(tokens[-1].value)
            piece = text[start:end]
            # A run of punctuation or digits alone is no sentence a reader would want back.
            if not any(ch.isalpha() for ch in piece):
                continue
            if len(sentences) > first_of_paragraph and _ends_with_title(sentences[-1].text) and piece[:1].isupper():
                start = sentences.pop().start
                piece = text[start:end]
            sentences.append(Sentence(piece, start, end, len(sentences)))
    return sentences


def _ends_with_title(sentence: str) -> bool:
    last = sentence.rsplit(maxsplit=1)[-1]
    return last.endswith(".") and last[:-1] in TITLES_BEFORE_NAMES
