"""Faithfulness flags for generated summaries.

For each summary sentence: the article sentences that support it (by content-word
overlap), and the numbers, names and quotations in it that the article does not contain.
Small models invent organisations and quotes; an editor must see where.

An English article is read as before. An article in any other language is read with the
rules of the languages European newsrooms write in, whichever it is: quotes in « … », „ … “
and ‚ … ‘; numbers grouped with spaces or dots and with decimal commas ("2 600", "1.200",
"2,5 millions", "3,4 %"), compared by value; names in Unicode capitals, the capitalised word
that opens a sentence ("Selon", "Die") not taken for part of one, and a name's word matched
in any inflection or compound the article writes it in ("Stromnetzes", "Bundesregierung").
A sentence taken word for word from the article is never flagged, whatever its language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

import regex

from service.domain.summary import Document

_WORD = re.compile(r"[\w'’-]+")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d%?|(?<![\w.])\d%?")
_QUOTE = re.compile(r"[“\"]([^”\"]{3,}?)[”\"]")
# Runs of capitalised words (allowing "of", "the", "de" … inside): candidate names.
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:(?:of|the|de|van|von|al|bin|for|and)\s+)?[A-Z][\w'’-]*)*")
_STOPWORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as",
        "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "he",
        "she", "they", "we", "you", "i", "his", "her", "their", "our", "your", "them", "him", "us", "not", "no",
        "so", "than", "then", "there", "here", "has", "have", "had", "do", "does", "did", "will", "would", "can",
        "could", "should", "may", "might", "must", "also", "after", "before", "over", "under", "about", "into",
        "out", "up", "down", "more", "most", "less", "least", "very", "just", "only", "said", "says", "say",
    }
)  # fmt: skip
# Function words of the other languages European newsrooms write in (French, German,
# Spanish, Italian, Portuguese, Dutch): never content, never a name's first word.
_OTHER_FUNCTION_WORDS = """
    le la les l un une des du de d et ou mais en dans sur pour par avec sans au aux ce cette ces il elle
    ils elles on nous vous qui que qu dont est sont était a ont été selon après avant depuis lors plus
    ne pas se sa son ses leur leurs y der die das den dem ein eine einen einem einer und oder aber im am
    zum zur von vom mit für auf aus bei nach vor über ist sind war wurde wird hat haben sich nicht auch
    es er sie wir ihr el los las una unos o pero con por para sin del al su sus fue ha han según tras lo
    como más este esta estos gli uno e di da per tra fra nel nella della dei degli delle che non è sono
    hanno secondo dopo questo questa os as um uma do dos no na em ao com não foi het een van op te met
    voor zijn niet dat volgens
"""
_OTHER_STOPWORDS = frozenset(_OTHER_FUNCTION_WORDS.split())
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


# Quotes of every European newsroom: “…” and "…", « … » (French spaces inside), „…“ and
# „…” (German, Polish), ‚…‘ (German single), ‹ … ›; the quoted words are in any group.
_ANY_QUOTE = regex.compile(
    r"„([^“”„]{3,}?)[“”]|‚([^‘’‚]{3,}?)[‘’]|«\s*([^»«]{3,}?)\s*»|‹\s*([^›‹]{3,}?)\s*›|[“\"]([^”\"“]{3,}?)[”\"]"
)
# A number with its grouping and decimal marks: "2 600" (a space, no-break or narrow no-break
# space between groups of three), "1.200", "2,5", "1,234.5", "3,4 %".
_ANY_NUMBER = regex.compile(
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?!\d)(?:[ \u00a0\u202f]?%)?"
    r"|(?<![\w.])\d[\d,.]*\d(?:[ \u00a0\u202f]?%)?|(?<![\w.])\d(?:[ \u00a0\u202f]?%)?"
)
_ANY_WORD = regex.compile(r"[\w'’-]+")
# Runs of words in Unicode capitals, with the particles names carry ("Banque de France",
# "Ursula von der Leyen", "José Luis Rodríguez Zapatero").
_ANY_NAME = regex.compile(
    r"(?<![\w'’-])\p{Lu}[\w'’-]*(?:\s+(?:(?:of|the|de|du|des|la|le|van|von|der|den|di|da|del|della|dos|y|al|bin|for|and"
    r"|et|und)\s+)?\p{Lu}[\w'’-]*)*"
)
# A sentence's start: the text's, or after a sentence end (and an opening quote or bracket).
_SENTENCE_START = regex.compile(r"(?:^|[.!?…:]\s+)[\"'“‘„«¿¡(\[]?\s?$")
# A name's word matches an article word that starts with the same stem (an inflection:
# "Stromnetzes" for "Stromnetze") or a word of the article's text that holds it ("Regierung"
# in "Bundesregierung").
_STEM_CHARS = 5


def _number_readings(text: str) -> set[str]:
    """The values a written number can mean: "2 600" -> {"2600"}; "2,5" -> {"2.5"};
    "1.200" -> {"1200", "1.2"} (German thousands or English decimals); "3,4 %" -> {"3.4"}."""
    digits = regex.sub(r"[\s\u00a0\u202f%]", "", text).rstrip(".,")
    marks = [c for c in digits if c in ",."]
    if not marks:
        return {_canonical(digits)}
    if len(set(marks)) == 2:  # both: the last is the decimal mark
        decimal = digits[max(digits.rfind(","), digits.rfind("."))]
        whole, _, fraction = digits.rpartition(decimal)
        return {_canonical(regex.sub(r"[.,]", "", whole) + "." + fraction)}
    mark = marks[0]
    if len(marks) > 1:  # a repeated mark groups thousands: "1.200.000"
        return {_canonical(digits.replace(mark, ""))}
    whole, _, fraction = digits.partition(mark)
    readings = {_canonical(f"{whole}.{fraction}")}
    if len(fraction) == 3:
        readings.add(_canonical(whole + fraction))
    return readings


def _canonical(number: str) -> str:
    try:
        value = Decimal(number)
    except InvalidOperation:
        return number
    return format(value.normalize(), "f")


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


def _any_squash(text: str) -> str:
    return " ".join(_ANY_WORD.findall(text.casefold().replace("’", "'")))


def _any_content_words(text: str) -> set[str]:
    # A word's first letters stand for its stem in any language ("gouvernement", "gouvernements").
    tokens = (_token(m.group()) for m in _ANY_WORD.finditer(text))
    return {t[:7] for t in tokens if t and t not in _STOPWORDS and t not in _OTHER_STOPWORDS}


class ArticleIndex:
    """What a summary sentence is checked against, computed once per article."""

    def __init__(self, document: Document) -> None:
        self.document = document
        # English is read as it always was; any other language with the rules above.
        self.english = getattr(document, "language", "en") == "en"
        if self.english:
            self.squashed = f" {_squash(document.text)} "
            self.words = {_token(w) for w in _WORD.findall(document.text)}
            self.numbers = {_normal_number(n) for n in _NUMBER.findall(document.text)}
        else:
            self.squashed = f" {_any_squash(document.text)} "
            self.words = {_token(w) for w in _ANY_WORD.findall(document.text)}
            self.numbers = {r for n in _ANY_NUMBER.findall(document.text) for r in _number_readings(n)}
            self.stems = {w[:_STEM_CHARS] for w in self.words if len(w) >= _STEM_CHARS}
        self._content_words = _content_words if self.english else _any_content_words
        self.sentence_words = [self._content_words(s.text) for s in document.sentences]

    def support(self, sentence: str) -> list[Support]:
        words = self._content_words(sentence)
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
        if not self.english:
            return self._unsupported_any(sentence)
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

    def _unsupported_any(self, sentence: str) -> list[Flag]:
        """`unsupported` for an article in a language other than English."""
        flags: list[Flag] = []
        for number in _ANY_NUMBER.findall(sentence):
            if not _number_readings(number) & self.numbers:
                flags.append(Flag(number.strip(), "number"))
        for groups in _ANY_QUOTE.findall(sentence):
            quote = next(g for g in groups if g)
            if f" {_any_squash(quote)} " not in self.squashed:
                flags.append(Flag(quote, "quote"))
        for match in _ANY_NAME.finditer(sentence):
            if self._mentions_any(match.group()):
                continue
            words = match.group().split()
            # A sentence's first word is capitalised anyway, in any language ("Selon", "Laut",
            # "Según"): a name starts after it, as after a function word ("Die", "Le").
            if _SENTENCE_START.search(sentence[: match.start()]):
                words.pop(0)
            while words and (words[0].casefold() in _STOPWORDS or words[0].casefold() in _OTHER_STOPWORDS):
                words.pop(0)
            name = " ".join(words)
            if name and not self._mentions_any(name):
                flags.append(Flag(name, "entity"))
        return flags

    def _mentions_any(self, phrase: str) -> bool:
        squashed = _any_squash(phrase)
        if f" {squashed} " in self.squashed:
            return True
        return all(self._known_word(_token(t)) for t in squashed.split())

    def _known_word(self, token: str) -> bool:
        if token in self.words or token in _STOPWORDS or token in _OTHER_STOPWORDS:
            return True
        # An inflection ("Stromnetzes") or a part of a compound ("Regierung" in "Bundesregierung").
        return len(token) >= _STEM_CHARS and (token[:_STEM_CHARS] in self.stems or token in self.squashed)
