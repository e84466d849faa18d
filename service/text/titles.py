"""The article's headline: where it came from, and how sure that is.

Sources, in order:
    field       the request's `title` (confidence 1)
    html        the page's <h1>, og:title, metadata headline or <title>, with the site's
                name and section cut off ("Headline | Site", "Headline - Site", "Site: Headline")
    first_line  a first line that reads as a headline
    none        no headline (confidence 0: the ranker's headline term is off)

A found line is trusted only when it reads as a headline of this article: never page
furniture (a byline, a dateline, a caption, a kicker, a link: service/text/furniture.py),
never a generic page title (a section's name, the site's name), never the article's own
first sentence, and never a line that shares no content word with the article. A line that passes is trusted
as fully as a given title, wherever it was found: the same story then gets the same summary
whether its headline came as the request's field, the first line, an <h1> or a <title>.
(Sharing a single word is no doubt: a punning headline, "Tory expert denies defeatism" over
"The Conservatives' campaign director has denied ...", shares little.)"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from service.text import furniture
from service.text.sentences import split_sentences

TitleSource = Literal["field", "html", "first_line", "none"]

HEADLINE_MAX_WORDS = 25
HEADLINE_MIN_WORDS = 2
SURE = 1.0

# Words that carry no topic: a line of nothing else is a page's or a section's name
# ("News story", "Home", "World news", "Latest news", "Politics | UK").
GENERIC_WORDS = frozenset({
    "news", "story", "stories", "article", "articles", "home", "homepage", "page", "pages", "latest",
    "breaking", "top", "world", "uk", "us", "usa", "international", "national", "local", "politics",
    "business", "money", "sport", "sports", "football", "tech", "technology", "science", "health",
    "entertainment", "culture", "arts", "lifestyle", "travel", "opinion", "opinions", "comment", "analysis",
    "live", "video", "videos", "photo", "photos", "pictures", "gallery", "galleries", "today", "section",
    "index", "untitled", "document", "front", "edition", "online", "headlines", "headline", "updates", "update",
    "more", "main", "site", "web", "website", "blog", "newsroom", "weather", "global", "region", "regional",
    "daily", "weekly", "times", "post", "press", "herald", "journal", "com", "co", "org", "net", "www"
})  # fmt: skip
STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "so", "yet", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "into", "onto", "over", "under", "about", "after", "before", "as", "is", "are", "was", "were", "be",
    "been", "being", "am", "has", "have", "had", "do", "does", "did", "will", "would", "shall", "should", "can",
    "could", "may", "might", "must", "it", "its", "this", "that", "these", "those", "there", "here", "he",
    "she", "they", "we", "you", "i", "me", "him", "her", "them", "us", "our", "your", "their", "his", "my",
    "not", "no", "than", "then", "too", "very", "just", "also", "up", "down", "out", "off", "new", "says",
    "said", "say", "how", "why", "what", "who", "whom", "which", "when", "where", "all", "any", "some", "each",
    "more", "most", "other", "such", "own", "same", "only", "both", "few", "s", "t"
})  # fmt: skip
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Separators between a headline and a site's or section's name, with spaces around them.
_SEPARATOR = re.compile(r"(\s+(?:[|•·»~/]|::|[-–—])\s+)")
_DASHES = frozenset("-–—")
# "Site: Headline" (a site's name before a colon; only cut when the site is known).
_SITE_PREFIX = re.compile(r"^(?P<site>[^:]{2,60}?)\s*:\s+(?P<rest>\S.*)$")
# A headline may ask or exclaim ("Can Yahoo dominate next decade?"); one that ends in a full
# stop is a sentence.
_STATEMENT_END = re.compile(r"[.…][\"'”’)\]]*$")


@dataclass(frozen=True)
class Title:
    text: str | None = None
    source: TitleSource = "none"
    confidence: float = 0.0  # how sure it is that `text` is the headline: 1 given, 0 none


NO_TITLE = Title()


@dataclass(frozen=True)
class PageTitles:
    """What a web page says its headline and its site are (service/text/html.py)."""

    h1: tuple[str, ...] = ()
    og_title: str | None = None
    metadata_title: str | None = None  # trafilatura's: JSON-LD headline, meta title, ...
    title: str | None = None  # the <title> element
    site_names: tuple[str, ...] = ()  # og:site_name, application-name, publisher, host

    def candidates(self) -> list[tuple[str, bool]]:
        """(title, whether it may carry the site's and section's names), in the order they
        are trusted, without repeats. An <h1> is the story's own heading: nothing is cut from
        it. Of several <h1>s (a logo, a section, the story's), those the page's other titles
        repeat come first."""
        named = " ".join(key(t) for t in (self.og_title, self.metadata_title, self.title) if t)
        h1 = sorted(self.h1, key=lambda text: key(text) not in named)
        seen: dict[str, bool] = {}
        for text, decorated in (
            *((t, False) for t in h1),
            (self.og_title, True),
            (self.metadata_title, True),
            (self.title, True),
        ):
            if text and text.strip():
                seen.setdefault(" ".join(text.split()), decorated)
        return list(seen.items())


def key(text: str) -> str:
    """A line's words, case and punctuation aside: for telling that two lines are the same."""
    return re.sub(r"\W+", " ", text).strip().casefold()


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold().replace("’", "'"))


def _stem(word: str) -> str:
    # A crude stem, only for telling whether two texts share a word ("profit"/"profits").
    word = word.removesuffix("'s")
    return word[:5] if len(word) > 5 else word.removesuffix("s") if len(word) > 3 else word


def content_words(text: str) -> set[str]:
    """The stems of the words that carry the topic: no stopwords, no section names."""
    return {_stem(w) for w in _words(text) if w not in STOPWORDS and w not in GENERIC_WORDS}


def _site_words(site_names: Iterable[str]) -> set[str]:
    return {_stem(w) for name in site_names for w in _words(name.replace(".", " "))} - {"www", "com", "co", "uk"}


def _squash(text: str) -> str:
    squashed = re.sub(r"[^\w]+", "", text.casefold())
    return squashed.removeprefix("the").removeprefix("www")


def is_site_name(text: str, site_names: Sequence[str]) -> bool:
    """The site's own name, maybe with a generic word ("BBC News" for the site "BBC")."""
    squashed = _squash(text)
    if not squashed:
        return False
    if any(squashed == _squash(name) or squashed == _squash(name.split(".")[0]) for name in site_names if name):
        return True
    words = content_words(text)
    return bool(words) and words <= _site_words(site_names)


def is_generic(text: str) -> bool:
    """A page's or section's name: no word that carries a topic ("World news", "Home")."""
    return not content_words(text)


def _name_like(part: str) -> bool:
    """A short run of capitalised words: how a site's name reads ("The Morning Ledger")."""
    words = part.split()
    return len(words) <= 4 and all(w[:1].isupper() or w[:1].isdigit() or w in {"&", "of", "the", "and"} for w in words)


def strip_site(text: str, site_names: Sequence[str] = (), article: str = "") -> str | None:
    """The headline without the site's and section's names around it: "Headline | Site",
    "Headline - Section - Site", "Site | Headline", and "Site: Headline" when the site is
    known. A name the article itself mentions is part of the headline ("Farrell saga to drag
    on - Lindsay": a quote's speaker). None when no part is left that reads as a headline
    rather than a name ("World news | The Morning Ledger")."""
    mentioned = f" {key(article)} "
    pieces = _SEPARATOR.split(text.strip())
    parts, separators = pieces[0::2], [s.strip() for s in pieces[1::2]]
    first, last = 0, len(parts)
    unnamed = 0  # parts cut as a site's name nobody declared: a page names its site once

    def site_like(i: int, dash: bool, edge: str) -> bool:
        nonlocal unnamed
        part, others = parts[i], parts[first:i] + parts[i + 1 : last]
        if is_site_name(part, site_names) or is_generic(part):
            return True
        # An unnamed site: a name shorter than the headline beside it; after the headline,
        # or before it when set off by a bar (a dash inside a headline joins two of its own
        # phrases: "North Korea - China talks").
        longer = len(part.split()) < max(len(o.split()) for o in others)
        if (
            unnamed == 0
            and (edge == "end" or not dash)
            and longer
            and _name_like(part)
            and f" {key(part)} " not in mentioned
        ):
            unnamed += 1
            return True
        return False

    while last - first > 1 and site_like(last - 1, separators[last - 2] in _DASHES, "end"):
        last -= 1
    while last - first > 1 and site_like(first, separators[first] in _DASHES, "start"):
        first += 1
    headline = "".join(pieces[2 * first : 2 * last - 1]).strip()
    prefixed = _SITE_PREFIX.match(headline)
    if prefixed and site_names and is_site_name(prefixed.group("site"), site_names):
        headline = prefixed.group("rest")
    if headline != text.strip() and _name_like(headline):
        return None  # a section's and a site's names, and no headline between them
    return headline


def rejection(line: str, rest: Sequence[str], site_names: Sequence[str] = ()) -> str | None:
    """Why `line` is not the headline of the article whose blocks follow it (`rest`), or
    None when it reads as one."""
    words = line.split()
    if not HEADLINE_MIN_WORDS <= len(words) <= HEADLINE_MAX_WORDS:
        return "length"
    if _STATEMENT_END.search(line) or len(split_sentences(line)) > 1:
        return "sentence"
    for kind, test in (
        ("byline", furniture.is_byline),
        ("dateline", furniture.is_dateline),
        ("dateline", furniture.agency_dateline),
        ("caption", furniture.is_caption),
        ("kicker", furniture.is_kicker),
        ("link", furniture.is_link),
    ):
        if test(line):
            return kind
    if is_site_name(line, site_names):
        return "site"
    if is_generic(line):
        return "generic"
    line_key = key(line)
    if rest and (key(rest[0]) + " ").startswith(line_key + " "):
        return "first sentence"
    if not content_words(line) & content_words(" ".join(rest)):
        return "unrelated"
    return None


def _is_first(blocks: Sequence[str], *lines: str) -> bool:
    """Whether the article's first block is one of these lines (the headline, as printed)."""
    return bool(blocks) and key(blocks[0]) in {key(line) for line in lines}


def from_page(page: PageTitles, blocks: Sequence[str]) -> tuple[Title, bool] | None:
    """The first of the page's titles that reads as this article's headline, and whether
    the text's first block is that headline."""
    article = " ".join(blocks)
    for candidate, decorated in page.candidates():
        unkicked = furniture.strip_kicker(candidate)
        headline = strip_site(unkicked, page.site_names, article) if decorated else unkicked
        if not headline:
            continue
        printed = _is_first(blocks, headline, candidate)
        rest = blocks[1:] if printed else blocks
        if rejection(headline, rest, page.site_names) is None:
            return Title(headline, "html", SURE), printed
    return None


def from_first_line(blocks: Sequence[str]) -> tuple[Title, bool] | None:
    """The first block, when it reads as a headline and more text follows it."""
    if len(blocks) < 2:
        return None
    headline = furniture.strip_kicker(blocks[0])
    if rejection(headline, blocks[1:]) is not None:
        return None
    return Title(headline, "first_line", SURE), True


def decide(blocks: Sequence[str], given: str | None = None, page: PageTitles | None = None) -> tuple[Title, bool]:
    """The article's headline, and whether the first block is that headline (and so no
    part of the body)."""
    if given and given.strip():
        title = " ".join(given.split())
        return Title(title, "field", SURE), _is_first(blocks, title)
    return (from_page(page, blocks) if page else None) or from_first_line(blocks) or (NO_TITLE, False)
