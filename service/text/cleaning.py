"""Newsroom boilerplate removal for plain article text.

Articles pasted from a CMS or extracted from a page carry lines that are not the story:
the headline and standfirst, photo captions with credits (often printed twice), "READ
MORE" links, crossheads, bylines and author bios. The cleaner works on blocks (lines,
after re-joining hard-wrapped ones) and keeps a record of what it dropped and why."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

# A block that ends like a sentence: terminal punctuation, maybe inside quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
# Credits that mark a photo or video caption.
_CREDIT = re.compile(
    r"\b(?:Photograph|Photographs|Photo|Photos|Picture|Pictures|Image|Images|Illustration|"
    r"Composite|Video|Credit|Source)\s*:\s*\S"
    r"|\((?:[^()]*\b(?:Getty Images|AFP|Reuters|AP Photo|PA Wire|PA Media|EPA|Shutterstock|"
    r"Alamy|Bloomberg)\b[^()]*)\)\s*$",
    re.IGNORECASE,
)
# Promotional and navigation lines inside the story.
_LINK = re.compile(
    r"^(?:read|see|watch|listen|click|tap)\b.{0,40}\b(?:more|also|here|next|related)\b"
    r"|^(?:related|advertisement|sponsored|sign up|subscribe|share this|follow us|"
    r"most read|more on this story|you may also like)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^[Bb]y\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}(?:\s*(?:,|and|in)\b.*)?$")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")

# Blocks without terminal punctuation and at most this many words are labels, not prose.
FRAGMENT_MAX_WORDS = 15
HEADLINE_MAX_WORDS = 25
STANDFIRST_MAX_WORDS = 40


@dataclass
class CleanArticle:
    body: str  # the story's prose, paragraphs separated by blank lines
    title: str | None = None
    standfirst: str | None = None
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (kind, block) removed as boilerplate

    @property
    def removed(self) -> Counter[str]:
        """How many blocks of each kind were removed."""
        return Counter(kind for kind, _ in self.dropped)


def normalise(text: str) -> str:
    """Unicode NFC, unified newlines and spaces, invisible characters removed."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _blocks(text: str) -> list[str]:
    """One block per line, re-joining lines that were hard-wrapped mid-sentence."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in filter(None, paragraph.split("\n")):
            if lines and _continues(lines[-1], line):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
        blocks.extend(lines)
    return blocks


def _continues(previous: str, line: str) -> bool:
    return not _SENTENCE_END.search(previous) and line[:1].islower()


def _is_fragment(block: str) -> bool:
    return not _SENTENCE_END.search(block) and len(block.split()) <= FRAGMENT_MAX_WORDS


def _is_shouting(block: str) -> bool:
    letters = [ch for ch in block if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and len(block.split()) <= 8


def _key(block: str) -> str:
    return re.sub(r"\W+", " ", block).strip().casefold()


def _classify(block: str, seen: set[str], bylines: list[str]) -> str | None:
    """The kind of boilerplate `block` is, or None when it is story text."""
    if _key(block) in seen:
        return "duplicate"
    if _CREDIT.search(block):
        return "caption"
    if _LINK.search(block) or _is_shouting(block):
        return "link"
    if _BYLINE.match(block):
        return "byline"
    if any(block.startswith(name) and block != name for name in bylines):
        return "bio"
    if _is_fragment(block):
        words = block.split()
        # A short run of capitalised words on its own is a byline (its name may open a bio).
        if 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
            bylines.append(block)
            return "byline"
        return "fragment"
    return None


def clean_text(raw: str, title: str | None = None) -> CleanArticle:
    """Strip boilerplate from a plain-text article and find its headline and standfirst.

    An explicit `title` wins; otherwise a first line that reads as a headline (no
    terminal punctuation, followed by more text) is taken as one."""
    blocks = _blocks(normalise(raw))
    article = CleanArticle(body="", title=title.strip() if title and title.strip() else None)

    if article.title and blocks and _key(blocks[0]) == _key(article.title):
        blocks.pop(0)
    elif article.title is None and len(blocks) > 1 and _is_headline(blocks[0], HEADLINE_MAX_WORDS):
        article.title = blocks.pop(0)
    if article.title and len(blocks) > 1 and _is_standfirst(blocks[0]):
        article.standfirst = blocks.pop(0)

    seen: set[str] = set()
    bylines: list[str] = []
    kept: list[str] = []
    for block in blocks:
        kind = _classify(block, seen, bylines)
        seen.add(_key(block))
        if kind is None:
            kept.append(block)
        else:
            article.dropped.append((kind, block))
    if not kept:
        # Nothing reads like prose: an unpunctuated note is still worth summarising.
        kept = [b for kind, b in article.dropped if kind == "fragment" and len(b.split()) >= 3]
        article.dropped = [(kind, b) for kind, b in article.dropped if b not in kept]
    article.body = "\n\n".join(kept)
    return article


def _is_headline(block: str, max_words: int) -> bool:
    return not _SENTENCE_END.search(block) and len(block.split()) <= max_words


def _is_standfirst(block: str) -> bool:
    """A summary line under the headline: unpunctuated, longer than a byline, not a credit."""
    return (
        _is_headline(block, STANDFIRST_MAX_WORDS)
        and len(block.split()) > 4
        and not (_BYLINE.match(block) or _CREDIT.search(block) or _LINK.search(block))
    )
