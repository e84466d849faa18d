"""Faithfulness flags for generated summaries.

For each summary sentence: the article sentences that support it (by content-word
overlap), and the numbers, names and quotations in it that the article does not contain.
Small models invent organisations and quotes; an editor must see where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from service.engines.base import Document

_WORD = re.compile(r"[\w'’-]+")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d%?|(?<![\w.])\d%?")
_QUOTE = re.compile(r"[“\"]([^”\"]{3,}?)[”\"]")
# Runs of capitalised words (allowing "of", "the", "de" … inside): candidate names.
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:(?:of|the|de|van|von|al|bin|for|and)\s+)?[A-Z][\w'’-]*)*")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "your",
        "them",
        "him",
        "us",
        "not",
        "no",
        "so",
        "than",
        "then",
        "there",
        "here",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "also",
        "after",
        "before",
        "over",
        "under",
        "about",
        "into",
        "out",
        "up",
        "down",
        "more",
        "most",
        "less",
        "least",
        "very",
        "just",
        "only",
        "said",
        "says",
        "say",
    ]
)
SUPPORT_THRESHOLD = 0.25  # share of a summary sentence's content words in the source sentence
MAX_SUPPORT = 3

FlagKind = Literal["number", "entity", "quote"]


@dataclass(frozen=True)
class Support:
    index: int  # article sentence index
    score: float


@dataclass(frozen=True)
class Flag:
    text: str
    kind: FlagKind


_POSSESSIVE = re.compile(r"['’]s$")
_SUFFIXES = ("ies", "ing", "ed", "es", "s")


def _token(word: str) -> str:
    """Case-folded word without possessive or edge punctuation: "Korea’s" -> "korea"."""
    return _POSSESSIVE.sub("", word.casefold()).strip("'’-")


def _stem(word: str) -> str:
    """A light suffix stripper, enough to match "improving" with "improve"d."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word.rstrip("e") if len(word) > 4 else word


def _content_words(text: str) -> set[str]:
    tokens = (_token(m.group()) for m in _WORD.finditer(text))
    return {_stem(t) for t in tokens if t and t not in _STOPWORDS}


def _normal_number(text: str) -> str:
    return text.replace(",", "").rstrip("%").rstrip(".")


def _squash(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold().replace("’", "'")))


class ArticleIndex:
    """What a summary sentence is checked against, computed once per article."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.squashed = f" {_squash(document.text)} "
        self.words = {_token(w) for w in _WORD.findall(document.text)}
        self.numbers = {_normal_number(n) for n in _NUMBER.findall(document.text)}
        self.sentence_words = [_content_words(s.text) for s in document.sentences]

    def support(self, sentence: str) -> list[Support]:
        words = _content_words(sentence)
        if not words:
            return []
        scored = [
            Support(i, round(len(words & source) / len(words), 4))
            for i, source in enumerate(self.sentence_words)
            if len(words & source) >= 2
        ]
        scored.sort(key=lambda s: -s.score)
        return [s for s in scored[:MAX_SUPPORT] if s.score >= SUPPORT_THRESHOLD]

    def _mentions(self, phrase: str) -> bool:
        squashed = _squash(phrase)
        if f" {squashed} " in self.squashed:
            return True
        # A name written differently ("President Xi" for "Xi Jinping") is supported when
        # each of its words is in the article.
        tokens = [_token(t) for t in squashed.split()]
        return all(t in self.words or t in _STOPWORDS for t in tokens)

    def unsupported(self, sentence: str) -> list[Flag]:
        flags: list[Flag] = []
        for number in _NUMBER.findall(sentence):
            if _normal_number(number) not in self.numbers:
                flags.append(Flag(number, "number"))
        for quote in _QUOTE.findall(sentence):
            if f" {_squash(quote)} " not in self.squashed:
                flags.append(Flag(quote, "quote"))
        for match in _NAME.finditer(sentence):
            words = match.group().split()
            # A sentence's first word is capitalised anyway ("The", "Officials"): a name
            # starts after it unless it is itself part of one.
            while words and (words[0].casefold() in _STOPWORDS or (match.start() == 0 and len(words) == 1)):
                words.pop(0)
            name = " ".join(words)
            if name and not self._mentions(name):
                flags.append(Flag(name, "entity"))
        return flags
