"""Newsroom boilerplate removal for plain article text.

Articles pasted from a CMS or extracted from a page carry lines that are not the story:
the headline and standfirst, photo captions with credits (often printed twice), "READ
MORE" links, crossheads, bylines and author bios. The cleaner works on blocks (lines,
after re-joining hard-wrapped ones) and keeps a record of what it dropped and why.

It can never eat the article: a block is removed only when it is shaped like boilerplate
(a line or a short paragraph of one or two sentences, never the longest block printed
once: a caption printed twice can be longer than any paragraph), all
removals together stay under a stated share of the text, and when cleaning would leave
fewer than two sentences the uncleaned text is kept instead (`removed == {"fallback": 1}`).
A one-paragraph article (CNN's shape) is therefore never touched by the block rules,
whatever words ("pictured", "Photo:", "READ MORE", "By") its sentences hold."""

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

# A Daily Mail-style byline glued to the front of a one-paragraph article:
# "By . Jane Smith . PUBLISHED: . 08:24 EST, 1 May 2013 . | . UPDATED: . 09:10 EST, 1 May 2013 . "
_BYLINE_PREFIX = re.compile(
    r"^(?:By \. [^.]{1,80}? \. (?:and [^.]{1,60}? \. )?)?"
    r"(?:(?:PUBLISHED|UPDATED|Last updated)\b:?[^|]{0,60}?\d{4} \. (?:\| \. )?)+"
    r"|^By \. [^.]{1,80}? \. (?:and [^.]{1,60}? \. )?(?=[A-Z\"'‘“(])"
)
# A wire dateline before the story's first word: "(CNN)", "LONDON, England (Reuters) -- ",
# "Tokyo (CNN)Police say ...". It names the place and the source, not the story, and a
# sentence splitter takes "Tokyo (CNN)" for a sentence of its own.
_AGENCY_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w.'’-]*(?:,? +[A-Z][\w.'’-]*){0,5},? *)?"
    r"(?P<source>\((?:[A-Z]|the )[\w.&'’ -]{0,40}?\))"
    r"(?P<dash> *(?:--|—|–|-))? *"
    r"(?=[\"'‘“(\[]?[A-Z0-9])"
)
# Sentence ends, to count the sentences of a block without running the full splitter.
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")

# Only a block this short can be boilerplate: a caption, credit, link, byline or bio is a
# line or a paragraph of one or two sentences.
BOILERPLATE_MAX_SENTENCES = 2
BOILERPLATE_MAX_WORDS = 60
# Removals other than exact repeats never take more than this share of the text's characters
# (or, in a very short text, more than two lines' worth).
MAX_REMOVED_SHARE = 0.4
MIN_REMOVED_BUDGET = 160
# Cleaning that leaves fewer sentences than this falls back to the uncleaned text.
MIN_SENTENCES = 2
# Hard-wrapped text: lines no longer than this, most of them close to the longest.
WRAP_MAX_WIDTH = 100

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
    fallback: bool = False  # cleaning would have left too little: the uncleaned text was kept

    @property
    def removed(self) -> Counter[str]:
        """How many blocks of each kind were removed; {"fallback": 1} when none were, by the fallback."""
        if self.fallback:
            return Counter({"fallback": 1})
        return Counter(kind for kind, _ in self.dropped)


def normalise(text: str) -> str:
    """Unicode NFC, unified newlines and spaces, invisible characters removed."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _wrap_width(text: str) -> int | None:
    """The column the text is hard-wrapped at, or None when its lines are paragraphs."""
    lines = [line for line in text.split("\n") if line]
    if len(lines) < 4:
        return None
    width = max(len(line) for line in lines)
    near_full = sum(len(line) >= width - 20 for line in lines)
    return width if width <= WRAP_MAX_WIDTH and near_full >= 0.4 * len(lines) else None


def _blocks(text: str) -> list[str]:
    """One block per line, re-joining lines that were hard-wrapped mid-sentence."""
    width = _wrap_width(text)
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        previous = ""  # the last physical line, for the wrap test
        for line in filter(None, paragraph.split("\n")):
            if lines and (_continues(lines[-1], line) or _wrapped(previous, line, width)):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
            previous = line
        blocks.extend(lines)
    return blocks


def _continues(previous: str, line: str) -> bool:
    return not _SENTENCE_END.search(previous) and line[:1].islower()


def _wrapped(previous: str, line: str, width: int | None) -> bool:
    # The line before broke only because the next word would not fit in the column.
    return width is not None and len(previous) + 1 + len(line.split(" ", 1)[0]) > width


def _is_fragment(block: str) -> bool:
    return not _SENTENCE_END.search(block) and len(block.split()) <= FRAGMENT_MAX_WORDS


def _is_shouting(block: str) -> bool:
    letters = [ch for ch in block if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and len(block.split()) <= 8


def _key(block: str) -> str:
    return re.sub(r"\W+", " ", block).strip().casefold()


def sentence_count(block: str) -> int:
    """Sentences in a block, by a cheap rule (terminal punctuation before a capital)."""
    return len(_SENTENCE_BREAK.findall(block)) + 1


def _shaped_like_boilerplate(block: str, longest: int) -> bool:
    """A line or a short paragraph of one or two sentences, and not the article's longest block."""
    return (
        len(block) != longest
        and len(block.split()) <= BOILERPLATE_MAX_WORDS
        and sentence_count(block) <= BOILERPLATE_MAX_SENTENCES
    )


def _classify(block: str, bylines: list[str]) -> str | None:
    """The kind of boilerplate `block` is, or None when it is story text."""
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


def _strip_dateline(blocks: list[str], dropped: list[tuple[str, str]]) -> None:
    """Cut a byline, then a wire dateline, from the front of the first block."""
    for kind, match in (("byline", _BYLINE_PREFIX.match), ("dateline", _agency_dateline)):
        found = match(blocks[0]) if blocks else None
        if found and found.end() < len(blocks[0]):
            dropped.append((kind, found.group().strip()))
            blocks[0] = blocks[0][found.end() :].lstrip()


def _agency_dateline(block: str) -> re.Match[str] | None:
    """A wire dateline at the start of this block. After a place name it must be set off
    (a dash, glued to the next word, or a place in capitals), so that "Apple (AAPL) Chief
    Executive Tim Cook said ..." keeps its first words."""
    found = _AGENCY_DATELINE.match(block)
    if found is None or not (place := found.group("place")):
        return found
    glued = not block[found.end("source") :].startswith(" ")
    first_word = place.split()[0].strip(",")
    capitals = first_word.isupper() and len(first_word) > 2
    return found if found.group("dash") or glued or capitals else None


def _boilerplate(blocks: list[str]) -> dict[int, str]:
    """Which blocks to remove, by index, and as what kind."""
    # The longest block printed once is the body's backbone (the whole of a one-paragraph
    # article); repeated blocks are layout (captions, bylines printed twice), not prose.
    counts = Counter(_key(b) for b in blocks)
    longest = max((len(b) for b in blocks if counts[_key(b)] == 1), default=-1)
    seen: set[str] = set()
    bylines: list[str] = []
    found: dict[int, str] = {}
    for i, block in enumerate(blocks):
        key = _key(block)
        if key in seen:
            found[i] = "duplicate"  # a repeat loses no text, whatever its size
        elif _shaped_like_boilerplate(block, longest) and (kind := _classify(block, bylines)):
            found[i] = kind
        seen.add(key)
    # Keep the share limit: past it, the longest candidates (the least boilerplate-like) stay.
    budget = max(MAX_REMOVED_SHARE * sum(len(b) for b in blocks), MIN_REMOVED_BUDGET)
    for i in sorted((i for i, kind in found.items() if kind != "duplicate"), key=lambda i: len(blocks[i])):
        budget -= len(blocks[i])
        if budget < 0:
            del found[i]
    return found


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
    if not blocks:
        return article

    uncleaned = list(blocks)
    _strip_dateline(blocks, article.dropped)
    found = _boilerplate(blocks)
    article.dropped.extend((kind, blocks[i]) for i, kind in found.items())
    kept = [b for i, b in enumerate(blocks) if i not in found]
    if not kept:
        # Nothing reads like prose: an unpunctuated note is still worth summarising.
        kept = [b for kind, b in article.dropped if kind == "fragment" and len(b.split()) >= 3]
        article.dropped = [(kind, b) for kind, b in article.dropped if b not in kept]
    article.body = "\n\n".join(kept)
    if _too_little(article.body) and not _too_little(whole := "\n\n".join(uncleaned)):
        article.body, article.dropped, article.fallback = whole, [], True
    return article


def _too_little(body: str) -> bool:
    from service.text.sentences import split_sentences  # syntok only for the rare short result

    return sentence_count(body) < MIN_SENTENCES and len(split_sentences(body)) < MIN_SENTENCES


def _is_headline(block: str, max_words: int) -> bool:
    return not _SENTENCE_END.search(block) and len(block.split()) <= max_words


def _is_standfirst(block: str) -> bool:
    """A summary line under the headline: unpunctuated, longer than a byline, not a credit."""
    return (
        _is_headline(block, STANDFIRST_MAX_WORDS)
        and len(block.split()) > 4
        and not (_BYLINE.match(block) or _CREDIT.search(block) or _LINK.search(block))
    )
