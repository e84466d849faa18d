"""The purposes a summary can be written for, one row each.

A row says everything the service does differently for its purpose: the budget and how
it is measured, a list or a paragraph, and what a generative engine is asked (and asked
again, more firmly, when its first answer misses the budget). `summary` has no budget:
the request's own length options (sentences, words, characters) apply.

Adding a purpose: a name in `Purpose` (service/domain/summary.py), a row below, its tests."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import get_args

from service.domain.summary import Purpose
from service.text.x_length import X_MAX_WEIGHTED, X_URL_LENGTH, x_weighted_length


@dataclass(frozen=True)
class Measure:
    """A way to count a text's length, named as the response reports it."""

    unit: str
    count: Callable[[str], int]


def nfc_length(text: str) -> int:
    """Characters as a reader counts them, in any language: an accented letter is one
    character whether it arrives composed ("é") or as a letter and a combining accent."""
    return len(unicodedata.normalize("NFC", text))


CHARACTERS = Measure("characters", nfc_length)
X_WEIGHTED = Measure("weighted characters (X)", x_weighted_length)
WORDS = Measure("words", lambda text: len(text.split()))


@dataclass(frozen=True)
class Budget:
    limit: int
    measure: Measure
    per_item: bool = False  # True: each bullet on its own; False: the whole text

    def fits(self, text: str) -> bool:
        return self.measure.count(text) <= self.limit

    def measured(self, items: Sequence[str]) -> int:
        """What the response reports: the longest item, or the items as one paragraph."""
        if self.per_item:
            return max(map(self.measure.count, items), default=0)
        return self.measure.count(" ".join(items))


@dataclass(frozen=True)
class Bullets:
    """A list layout: between `fewest` and `most` bullets, one sentence each."""

    fewest: int
    most: int
    sentences_each: int  # about one bullet for every this many article sentences

    def count_for(self, sentences: int) -> int:
        """How many bullets an article of this many sentences gets."""
        return max(self.fewest, min(self.most, math.ceil(sentences / self.sentences_each)))

    @property
    def asked(self) -> int:
        """What a prompt asks for: the middle of the range."""
        return (self.fewest + self.most) // 2


@dataclass(frozen=True)
class PurposePolicy:
    description: str  # for the API's and the CLI's documentation
    budget: Budget | None = None  # None: the request's own length options apply
    bullets: Bullets | None = None  # None: one paragraph (or the request's `format`)
    # For generative engines: the task to ask for, the firmer retry when the first answer
    # missed the budget ("{n}": the bullets asked for), and the tokens that retry may spend.
    instruction: str | None = None
    firmer_instruction: str | None = None
    retry_tokens: int = 0

    @property
    def budgeted(self) -> bool:
        """Whether the purpose sets its own length (and layout), fitted by this package."""
        return self.budget is not None

    def task(self, firmer: bool = False) -> str | None:
        """The instruction for a generative engine; None: the engine's usual summary prompt."""
        text = self.firmer_instruction if firmer else self.instruction
        if text is None:
            return None
        return text.format(n=self.bullets.asked) if self.bullets else text


SEO_MAX_CHARS = 155
SOCIAL_MAX_WEIGHTED = X_MAX_WEIGHTED - X_URL_LENGTH - 1  # room for " https://…" after the text
KEY_POINT_MAX_CHARS = 200  # a bullet longer than this is compressed

POLICIES: Mapping[Purpose, PurposePolicy] = {
    "summary": PurposePolicy(
        description="the usual summary, with the request's length options",
    ),
    "key_points": PurposePolicy(
        description="3-5 bullets, one sentence each",
        budget=Budget(KEY_POINT_MAX_CHARS, CHARACTERS, per_item=True),
        bullets=Bullets(fewest=3, most=5, sentences_each=6),
        instruction="List the {n} key points of the article as short bullet points, one sentence each.",
        firmer_instruction="Reply with exactly {n} lines, each a bullet point of at most 25 words. Nothing else.",
        retry_tokens=160,  # about 4 characters a token
    ),
    "seo_description": PurposePolicy(
        description=f"at most {SEO_MAX_CHARS} characters",
        budget=Budget(SEO_MAX_CHARS, CHARACTERS),
        instruction="Write a one-sentence description of the article for search results, at most 150 characters.",
        firmer_instruction="Your reply was too long. Reply with ONE sentence of at most 20 words. Nothing else.",
        retry_tokens=40,
    ),
    "social": PurposePolicy(
        description=f"at most {X_MAX_WEIGHTED} by X's weighted count, with room for a link",
        budget=Budget(SOCIAL_MAX_WEIGHTED, X_WEIGHTED),
        instruction="Write one short post about the article for social media, at most 240 characters, no hashtags.",
        firmer_instruction="Your reply was too long. Reply with at most two short sentences, 35 words in all. "
        "Nothing else.",
        retry_tokens=64,
    ),
}
if set(POLICIES) != set(get_args(Purpose)):
    raise RuntimeError("every Purpose needs one row in POLICIES, and every row a Purpose")


def policy(purpose: Purpose) -> PurposePolicy:
    return POLICIES[purpose]


def describe(quote: str = "`") -> str:
    """The purposes in a line, for the API's and the CLI's documentation."""
    return "; ".join(f"{quote}{name}{quote}: {row.description}" for name, row in POLICIES.items())
