"""Tidying generated text: spacing artifacts, repeated and unfinished sentences.

Seq2seq checkpoints trained on tokenised corpora emit " ." and " ,"; beam search repeats
itself; a generation cut by its token budget stops mid-sentence. None of that reaches an
editor."""

from __future__ import annotations

import re

from service.text.sentences import split_sentences

_FIXES = [
    (re.compile(r"<n>"), " "),  # PEGASUS' newline token
    (re.compile(r"\s+([.,;:!?%)\]}])"), r"\1"),  # "word ." -> "word."
    (re.compile(r"([(\[{])\s+"), r"\1"),  # "( word" -> "(word"
    (re.compile(r"([$£€])\s+(?=\d)"), r"\1"),  # "$ 3m" -> "$3m"
    (re.compile(r"\s+(['’](?:s|re|ve|ll|d|m|t)\b|n['’]t\b)", re.IGNORECASE), r"\1"),  # "it 's" -> "it's"
    (re.compile(r"([.!?])(?=[A-Z][a-z])"), r"\1 "),  # "end.Next" -> "end. Next"
    (re.compile(r"\s{2,}"), " "),
]
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_WORD = re.compile(r"\w+")


def fix_spacing(text: str) -> str:
    for pattern, replacement in _FIXES:
        text = pattern.sub(replacement, text)
    return text.strip()


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def is_repeat(sentence: str, kept: list[str], threshold: float = 0.8) -> bool:
    """Whether `sentence` says again what one of `kept` said (word-set Jaccard)."""
    words = _words(sentence)
    for other in kept:
        other_words = _words(other)
        union = words | other_words
        if union and len(words & other_words) / len(union) >= threshold:
            return True
    return False


def generated_sentences(text: str) -> list[str]:
    """Clean generated text into complete, distinct sentences.

    An unfinished last sentence is dropped when a finished one precedes it; a text with
    no finished sentence at all is kept whole rather than answered with nothing."""
    sentences = [s.text for s in split_sentences(fix_spacing(text))]
    if len(sentences) > 1 and not _TERMINAL.search(sentences[-1]):
        sentences.pop()
    kept: list[str] = []
    for sentence in sentences:
        if not is_repeat(sentence, kept):
            kept.append(sentence)
    return kept
