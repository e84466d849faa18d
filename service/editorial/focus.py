"""A summary focused on what the editor asks about (`focus`, up to 200 characters): the
words that relate a sentence to it, what an instruct model is told, and the focused
input of a seq2seq model (extract the related sentences, then abstract).

The extractive engine's embedding blend and its fitted thresholds are in
service/ranker/focus.py; the word overlap below is one of its terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from service.domain.summary import Document

MAX_FOCUS_CHARS = 200
_WORD = re.compile(r"\w+")
# Words that say nothing about what a focus is about.
_STOPWORDS = frozenset(
    {
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "but", "about",
        "into", "over", "under", "after", "before", "than", "as", "is", "are", "was", "were", "be", "been", "it",
        "its", "this", "that", "these", "those", "what", "which", "who", "whom", "how", "why", "when", "where",
        "news", "story", "article", "focus",
    }
)  # fmt: skip


def _words(text: str) -> set[str]:
    # A trailing "s" is dropped so "election" finds "elections".
    return {w.removesuffix("s") for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS and len(w) > 1}


def lexical_overlap(sentence_texts: Sequence[str], focus: str) -> np.ndarray:
    """Share of the focus's words (stopwords aside) that each sentence contains, 0..1."""
    wanted = _words(focus)
    if not wanted:
        return np.zeros(len(sentence_texts))
    return np.array([len(wanted & _words(text)) / len(wanted) for text in sentence_texts])


# Instruct models: appended to the system prompt; the focus is the user's text, so it is
# quoted and capped, and the model is told what to do when the article does not cover it.
FOCUS_INSTRUCTION = (
    'Focus the summary on this topic: "{focus}". Leave out what does not concern it. If the article says nothing '
    "about it, summarise the article as usual."
)


def focus_instruction(focus: str) -> str:
    return FOCUS_INSTRUCTION.format(focus=" ".join(focus.split())[:MAX_FOCUS_CHARS].replace('"', "'"))


@dataclass(frozen=True)
class Focused:
    """The document a generative model summarises for a focus, and what to report."""

    document: Document
    matched: bool | None = None  # whether a sentence relates to the focus; None: no focus asked
    selected: int | None = None  # the related sentences given as the input (seq2seq)


def focused_document(document: Document, focus: str | None, in_prompt: bool) -> Focused:
    """A sentence relates to the focus when it holds one of its words. A model that reads
    the focus in its prompt (`in_prompt`) gets the whole article; another gets the related
    sentences alone, in article order, when there are any."""
    if not focus:
        return Focused(document)
    overlap = lexical_overlap([s.text for s in document.sentences], focus)
    related = [s for s, share in zip(document.sentences, overlap, strict=True) if share > 0]
    if not related or in_prompt:
        return Focused(document, matched=bool(related))
    text = " ".join(s.text for s in related)
    return Focused(replace(document, text=text, sentences=related), matched=True, selected=len(related))
