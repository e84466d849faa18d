"""Newsroom boilerplate removal for plain article text.

Articles pasted from a CMS or extracted from a page carry lines that are not the story:
the headline and standfirst, photo captions with credits (often printed twice), "READ
MORE" links, crossheads, bylines and author bios. The cleaner works on blocks (lines,
after re-joining hard-wrapped ones) and keeps a record of what it dropped and why.

Removals are certain or doubtful. Certain: a block marked as furniture (a caption with its
credit, a READ MORE, sharing or newsletter line, a "By ..." byline: service/text/furniture.py),
an exact repeat, a wire dateline, and the bylines, datelines and kickers above the headline.
Doubtful: a block judged by its shape alone (an unpunctuated fragment or crosshead, a bare
name, an author bio, a line in capitals).

Copy that is not English (`language` not None or "en") is read with the English rules and
those of the other languages European newsrooms write in ("Lire aussi", "Par Jean Dupont",
"PARIS (AFP) -", "Foto: dpa": service/text/furniture_multilingual.py), whatever its detected
language, and its sentences are counted with Unicode capitals ("À", "É"); English copy is
read exactly as before.

It can never eat the article: a block is removed only when it is shaped like boilerplate
(a line or a short paragraph of one or two sentences), never the whole text; the longest
block printed once (a caption printed twice can be longer than any paragraph) goes only as
certain furniture; doubtful removals together stay under a stated share of the text; and
when cleaning would leave fewer than two sentences, the doubtful removals (and a
standfirst) are given back while the certain ones stay out (`removed` then holds
`fallback: 1`). A one-paragraph article (CNN's shape) is therefore never touched by the
block rules, whatever words ("pictured", "Photo:", "READ MORE", "By") its sentences hold."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import regex

from service.text import furniture, furniture_multilingual, titles
from service.text.titles import PageTitles, TitleSource

# A block that ends like a sentence: terminal punctuation, maybe inside quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
# A well-formed character reference: "&#243;", "&#xF3;", "&eacute;" (never a bare "&").
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Zero-width characters, soft hyphens and left-to-right/right-to-left marks: page extraction
# drops them too, so the same story sent as text and as HTML gives the same sentences.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")

# A Daily Mail-style byline glued to the front of a one-paragraph article:
# "By . Jane Smith . PUBLISHED: . 08:24 EST, 1 May 2013 . | . UPDATED: . 09:10 EST, 1 May 2013 . "
_BYLINE_PREFIX = re.compile(
    r"^(?:By \. [^.]{1,80}? \. (?:and [^.]{1,60}? \. )?)?"
    r"(?:(?:PUBLISHED|UPDATED|Last updated)\b:?[^|]{0,60}?\d{4} \. (?:\| \. )?)+"
    r"|^By \. [^.]{1,80}? \. (?:and [^.]{1,60}? \. )?(?=[A-Z\"'‘“(])"
)
# Sentence ends, to count the sentences of a block without running the full splitter.
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
# The same in any language: a capital is any Unicode capital, quotes may be « » „ and a
# Spanish sentence may open with ¿ or ¡.
_ANY_SENTENCE_BREAK = regex.compile(r"[.!?…][\"'”’»)\]]*(?=\s+[\"'“‘„«(\[¿¡]?\s?[\p{Lu}\d])")

# Only a block this short can be boilerplate: a caption, credit, link, byline or bio is a
# line or a paragraph of one or two sentences.
BOILERPLATE_MAX_SENTENCES = 2
BOILERPLATE_MAX_WORDS = 60
# Doubtful removals never take more than this share of the text's characters (or, in a very
# short text, more than two lines' worth).
MAX_REMOVED_SHARE = 0.4
MIN_REMOVED_BUDGET = 160
# Cleaning that leaves fewer sentences than this gives back its doubtful removals.
MIN_SENTENCES = 2
# Hard-wrapped text: lines no longer than this, most of them close to the longest.
WRAP_MAX_WIDTH = 100

# Blocks without terminal punctuation and at most this many words are labels, not prose.
FRAGMENT_MAX_WORDS = 15
STANDFIRST_MAX_WORDS = 40


@dataclass
class CleanArticle:
    body: str  # the story's prose, paragraphs separated by blank lines
    title: str | None = None
    title_source: TitleSource = "none"  # where the headline came from (service/text/titles.py)
    title_confidence: float = 0.0  # how sure it is that `title` is the headline
    standfirst: str | None = None
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (kind, block) removed as boilerplate
    fallback: bool = False  # cleaning would have left too little: the doubtful removals were given back

    @property
    def removed(self) -> Counter[str]:
        """How many blocks of each kind were removed, and `fallback: 1` when the doubtful
        removals were given back."""
        return Counter(kind for kind, _ in self.dropped) + Counter({"fallback": int(self.fallback)})


def normalise(text: str) -> str:
    """Character references decoded, Unicode NFC, unified newlines and spaces, invisible
    characters removed."""
    # Scraped copy holds HTML character references as text ("se volvi&#243; loco"); a page
    # shows them as characters, and the same story must read the same as text and as HTML.
    text = _CHARACTER_REFERENCE.sub(lambda found: html.unescape(found.group()), text)
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


@dataclass(frozen=True)
class Rules:
    """The furniture rules a text is read with: English's, and when the text is not English
    also the other languages' (never gated on which language it is: a French "Lire aussi"
    in copy detected as Italian, or a language no rule names, is still furniture)."""

    multilingual: bool

    @classmethod
    def for_language(cls, language: str | None) -> Rules:
        return cls(multilingual=language not in (None, "en"))

    def sentence_count(self, block: str) -> int:
        if not self.multilingual:
            return sentence_count(block)
        return len(_ANY_SENTENCE_BREAK.findall(block)) + 1

    def shaped_like_boilerplate(self, block: str) -> bool:
        """A line or a short paragraph of one or two sentences."""
        return len(block.split()) <= BOILERPLATE_MAX_WORDS and self.sentence_count(block) <= BOILERPLATE_MAX_SENTENCES

    def is_caption(self, block: str) -> bool:
        return furniture.is_caption(block) or (self.multilingual and furniture_multilingual.is_caption(block))

    def is_link(self, block: str) -> bool:
        return furniture.is_link(block) or (self.multilingual and furniture_multilingual.is_link(block))

    def is_byline(self, block: str) -> bool:
        return furniture.is_byline(block) or (self.multilingual and furniture_multilingual.is_byline(block))

    def is_dateline(self, block: str) -> bool:
        return furniture.is_dateline(block) or (self.multilingual and furniture_multilingual.is_dateline(block))

    def agency_dateline(self, block: str) -> re.Match[str] | regex.Match[str] | None:
        found = furniture.agency_dateline(block)
        if not self.multilingual:
            return found
        # The longer reading: "(ANSA) - ROMA, 12 MAG - " over English's "(ANSA) ".
        wider = furniture_multilingual.agency_dateline(block)
        return wider if wider and (found is None or wider.end() > found.end()) else found


@dataclass(frozen=True)
class Verdict:
    kind: str
    certain: bool  # marked as furniture (a credit, a link, "By ..."), not judged by its shape alone


def _classify(block: str, bylines: list[str], rules: Rules) -> Verdict | None:
    """The kind of boilerplate `block` is, or None when it is story text."""
    if rules.is_caption(block):
        return Verdict("caption", True)
    if rules.is_link(block):
        return Verdict("link", True)
    if _is_shouting(block):
        return Verdict("link", False)
    if rules.is_byline(block):
        return Verdict("byline", True)
    if any(block.startswith(name) and block != name for name in bylines):
        return Verdict("bio", False)
    if _is_fragment(block):
        words = block.split()
        # A short run of capitalised words on its own is a byline (its name may open a bio).
        if 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
            bylines.append(block)
            return Verdict("byline", False)
        return Verdict("fragment", False)
    return None


def _strip_dateline(blocks: list[str], dropped: list[tuple[str, str]], rules: Rules) -> None:
    """Cut a byline, then a wire dateline, from the front of the first block."""
    for kind, match in (("byline", _BYLINE_PREFIX.match), ("dateline", rules.agency_dateline)):
        found = match(blocks[0]) if blocks else None
        if found and found.end() < len(blocks[0]):
            dropped.append((kind, found.group().strip()))
            blocks[0] = blocks[0][found.end() :].lstrip()


def _boilerplate(blocks: list[str], rules: Rules) -> tuple[dict[int, str], set[int]]:
    """Which blocks to remove, by index, and as what kind; and which of those removals are
    doubtful (judged by shape alone: a fragment, a bio, a name, a line in capitals)."""
    # The longest block printed once is the body's backbone (the whole of a one-paragraph
    # article): only marked furniture (a caption's credit, a link) is removed even then.
    # Repeated blocks are layout (captions, bylines printed twice), not prose.
    counts = Counter(_key(b) for b in blocks)
    longest = max((len(b) for b in blocks if counts[_key(b)] == 1), default=-1)
    seen: set[str] = set()
    bylines: list[str] = []
    found: dict[int, str] = {}
    doubtful: set[int] = set()
    for i, block in enumerate(blocks):
        key = _key(block)
        if key in seen:
            found[i] = "duplicate"  # a repeat loses no text, whatever its size
        elif (
            rules.shaped_like_boilerplate(block)
            and (verdict := _classify(block, bylines, rules))
            and (verdict.certain or len(block) != longest)
        ):
            found[i] = verdict.kind
            if not verdict.certain:
                doubtful.add(i)
        seen.add(key)
    # Doubtful removals keep under the share limit: past it, the longest (the least
    # boilerplate-like) stay.
    budget = max(MAX_REMOVED_SHARE * sum(len(b) for b in blocks), MIN_REMOVED_BUDGET)
    for i in sorted(doubtful, key=lambda i: len(blocks[i])):
        budget -= len(blocks[i])
        if budget < 0:
            del found[i]
            doubtful.discard(i)
    if len(found) == len(blocks):
        # Never the whole text: what is left when all of it looks like furniture is summarised.
        keep = [i for i in doubtful if len(blocks[i].split()) >= 3] or [max(found, key=lambda i: len(blocks[i]))]
        for i in keep:
            del found[i]
            doubtful.discard(i)
    return found, doubtful


def clean_text(
    raw: str, title: str | None = None, page: PageTitles | None = None, language: str | None = None
) -> CleanArticle:
    """Strip boilerplate from a plain-text article and find its headline and standfirst.

    The headline is the given `title`, else one of the `page`'s titles, else a first line
    that reads as one (service/text/titles.py). Bylines, datelines and kickers above the
    story are removed first, so none is ever taken for the headline. `language` is the
    detected ISO 639-1 code (None or "en": English copy)."""
    rules = Rules.for_language(language)
    blocks = _blocks(normalise(raw))
    article = CleanArticle(body="")
    _strip_top(blocks, article.dropped, rules)
    headline, printed = titles.decide(blocks, given=title, page=page)
    article.title, article.title_source, article.title_confidence = headline.text, headline.source, headline.confidence
    if printed:
        blocks.pop(0)
        _strip_top(blocks, article.dropped, rules)  # a byline or dateline under the headline
    if article.title and len(blocks) > 1 and _is_standfirst(blocks[0], rules):
        article.standfirst = blocks.pop(0)
    if not blocks:
        return article

    _strip_dateline(blocks, article.dropped, rules)
    found, doubtful = _boilerplate(blocks, rules)
    left = "\n\n".join(b for i, b in enumerate(blocks) if i not in found)
    if _too_little(left, rules) and (doubtful or article.standfirst):
        # Too little is left: give back what was only doubtfully boilerplate, and keep the
        # certain removals (a caption's credit, a link, a byline, a repeat, a dateline).
        found = {i: kind for i, kind in found.items() if i not in doubtful}
        if article.standfirst:
            blocks.insert(0, article.standfirst)
            found = {i + 1: kind for i, kind in found.items()}
            article.standfirst = None
        article.fallback = True
    article.dropped.extend((kind, blocks[i]) for i, kind in sorted(found.items()))
    article.body = "\n\n".join(b for i, b in enumerate(blocks) if i not in found)
    return article


def _strip_top(blocks: list[str], dropped: list[tuple[str, str]], rules: Rules) -> None:
    """Remove the bylines, datelines and kickers that open the text, while more text follows."""
    while len(blocks) > 1 and (kind := _top_furniture(blocks[0], rules)):
        dropped.append((kind, blocks.pop(0)))


def _top_furniture(block: str, rules: Rules) -> str | None:
    if len(block.split()) > titles.HEADLINE_MAX_WORDS:
        return None
    if rules.is_byline(block):
        return "byline"
    if rules.is_dateline(block):
        return "dateline"
    if furniture.is_kicker(block):
        return "kicker"
    if not rules.multilingual:
        return None
    # A kicker, a "Lire aussi" or a photo credit above the headline is never taken for it.
    if furniture_multilingual.is_kicker(block):
        return "kicker"
    if furniture_multilingual.is_link(block):
        return "link"
    return "caption" if furniture_multilingual.is_caption(block) else None


def _too_little(body: str, rules: Rules) -> bool:
    from service.text.sentences import split_sentences  # syntok only for the rare short result

    return rules.sentence_count(body) < MIN_SENTENCES and len(split_sentences(body)) < MIN_SENTENCES


def _is_standfirst(block: str, rules: Rules) -> bool:
    """A summary line under the headline: unpunctuated, longer than a byline, not a credit."""
    return (
        not _SENTENCE_END.search(block)
        and len(block.split()) <= STANDFIRST_MAX_WORDS
        and len(block.split()) > 4
        and not (rules.is_byline(block) or rules.is_caption(block) or rules.is_link(block))
    )
