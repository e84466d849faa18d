"""One article in the shapes newsroom copy arrives in, for checking that the same article
gets the same summary whatever its shape (issue 18).

The canonical form is **one paragraph**: the article's body with its whitespace collapsed
to single spaces, under its headline line where the data has a headline. Every other shape
is built from that one string, so it carries exactly the same story text:

- paragraphs are cut from it at the sentence starts the service's own splitter
  (`split_sentences`) finds, a few sentences each;
- the headline is the data's own, never made up: BBC dev keeps it as the article's first
  line, followed by a blank line (`../shared/data/README.md`), and text shapes keep it as
  their first line, HTML shapes in `<h1>` or `<title>`. CNN dev has no headline, and none
  is made from the reference (that would leak it), so CNN's shapes have none: its
  `<title>Headline | Site</title>` page carries a section name, `World news | The Morning
  Ledger`, as the issue's hidden set did, and its `<h1>` page has no `<h1>` (a bare page);
- boilerplate is planted in some shapes (a byline, a photo caption, a READ MORE line,
  share and newsletter lines, navigation, a sidebar, a footer); a text shape's plants are
  in the article's language where `TEXT_PLANTS` has it ("Par …", "Lire aussi : …"). Each
  plant has marker phrases: a summary sentence holding one means the plant reached it.

A shape is a function from an `Article` to a request body (`{"text": ...}` or
`{"html": ...}`); `SHAPES` lists them in the order tables show them."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from html import escape
from typing import Any

import numpy as np

from service.schemas import SummarizeRequest
from service.summarizer import Outcome, Summarizer
from service.text.language import detect_language, reading_language
from service.text.sentences import split_sentences

BASELINE = "one_paragraph"
# Sentences per paragraph, in turn: "a few sentences each", not all the same.
PARAGRAPH_SIZES = (3, 2, 4)
WRAP_COLUMNS = 72
SITE = "The Morning Ledger"
GENERIC_TITLE = "News story"
SECTION_TITLE = "World news"  # the <title> of a headline-less page: a section, not a headline

# Planted boilerplate: (text, marker phrases that betray it in a summary).
Plant = tuple[str, tuple[str, ...]]
BYLINE = ("By Jane Moran", ("Jane Moran",))
CAPTION = ("A police officer at the scene. Photograph: Jane Doe/Reuters", ("A police officer at the scene", "Jane Doe"))
READ_MORE = ("READ MORE: Ministers face fresh questions over the ferry contract", ("READ MORE", "ferry contract"))
SHARE = ("Share this article", ("Share this article",))
NEWSLETTER = ("Sign up to our morning newsletter", ("morning newsletter",))


@dataclass(frozen=True)
class TextPlants:
    """The boilerplate planted in a text shape, in the language of the newsroom's copy."""

    byline: Plant
    caption: Plant
    read_more: Plant
    share: Plant
    newsletter: Plant

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(marker for _, markers in astuple(self) for marker in markers)


# A language without its own plants gets the English ones (copy mixes them in practice).
TEXT_PLANTS = {
    "en": TextPlants(BYLINE, CAPTION, READ_MORE, SHARE, NEWSLETTER),
    "fr": TextPlants(
        ("Par Jeanne Moreau", ("Jeanne Moreau",)),
        ("Un policier sur les lieux. Photo : Jeanne Dupuis / AFP", ("Un policier sur les lieux", "Jeanne Dupuis")),
        (
            "Lire aussi : Les ministres face à de nouvelles questions sur le contrat des ferries",
            ("Lire aussi", "contrat des ferries"),
        ),
        ("Partager cet article", ("Partager cet article",)),
        ("Inscrivez-vous à notre newsletter du matin", ("newsletter du matin",)),
    ),
}
NAV = (
    ("Home", "World", "Ledger Sport", "Ledger Opinion", "Newsletters", "Sign in"),
    ("Ledger Sport", "Ledger Opinion"),
)
ASIDE = (
    ("Most read at the Ledger", "Storm warning issued for the long weekend", "Ten cheap city breaks for the autumn"),
    ("Most read at the Ledger", "Storm warning", "cheap city breaks"),
)
FOOTER = (
    (f"© 2026 {SITE}. All rights reserved.", "Contact the Ledger newsroom", "Privacy policy"),
    (SITE, "All rights reserved", "Ledger newsroom"),
)


@dataclass(frozen=True)
class Article:
    """One dev article, ready to be shaped."""

    id: str
    headline: str | None
    body: str  # the one-paragraph story text
    paragraphs: tuple[str, ...]  # `body` cut at sentence starts, a few sentences each
    reference: str
    language: str = "en"  # as the service reads it: the text shapes' plants are in it


def text_plants(article: Article) -> TextPlants:
    return TEXT_PLANTS.get(article.language, TEXT_PLANTS["en"])


def article_from_row(row: dict[str, Any]) -> Article:
    """An Article from a dev line {"id", "article", "reference"}. A first line followed by a
    blank line is the headline (BBC dev); an article without line breaks has none (CNN dev).
    Paragraphs are cut where the service's splitter for the article's language starts a
    sentence (French by pysbd's French rules), so no cut falls inside one of its sentences."""
    raw: str = row["article"]
    first, sep, rest = raw.partition("\n\n")
    headline = first.strip() if sep and "\n" not in first.strip() and rest.strip() else None
    body = " ".join((rest if headline else raw).split())
    language = reading_language(detect_language(raw))
    starts = [s.start for s in split_sentences(body, language)] or [0]
    cuts, position = [], 0
    for size in itertools.cycle(PARAGRAPH_SIZES):
        cuts.append(starts[position])
        position += size
        if position >= len(starts):
            break
    paragraphs = tuple(body[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(body)], strict=True))
    return Article(str(row.get("id")), headline, body, paragraphs, row["reference"], language)


def _text(article: Article, blocks: Iterable[str], newline: str = "\n") -> dict[str, str]:
    """Blocks separated by blank lines, under the headline line when there is one."""
    head = [article.headline] if article.headline else []
    return {"text": "\n\n".join([*head, *blocks]).replace("\n", newline)}


def one_paragraph(article: Article) -> dict[str, str]:
    return _text(article, [article.body])


def paragraphs(article: Article) -> dict[str, str]:
    return _text(article, article.paragraphs)


def paragraphs_with_boilerplate(article: Article) -> dict[str, str]:
    """A byline line first, a photo caption after the first paragraph, a READ MORE line
    after the second, share and newsletter lines at the end."""
    plants = text_plants(article)
    story = list(article.paragraphs)
    story.insert(1, plants.caption[0])
    story.insert(min(3, len(story)), plants.read_more[0])
    return _text(article, [plants.byline[0], *story, plants.share[0], plants.newsletter[0]])


def crlf(article: Article) -> dict[str, str]:
    return _text(article, article.paragraphs, newline="\r\n")


def _wrapped_blocks(article: Article) -> list[str]:
    return [textwrap.fill(p, WRAP_COLUMNS, break_long_words=False, break_on_hyphens=False) for p in article.paragraphs]


def hard_wrapped(article: Article) -> dict[str, str]:
    return _text(article, _wrapped_blocks(article))


def hard_wrapped_crlf(article: Article) -> dict[str, str]:
    return _text(article, _wrapped_blocks(article), newline="\r\n")


def _page(article: Article, title: str | None, h1: bool, furniture: bool = False) -> dict[str, str]:
    """A news page: the paragraphs in <article><p>; optionally a <title>, the headline in
    <h1>, and page furniture (nav, a figure with its caption, an aside, a footer)."""
    head = f"<title>{escape(title)}</title>" if title else ""
    story = [f"<p>{escape(p)}</p>" for p in article.paragraphs]
    if furniture:
        story.insert(1, f"<figure><img src='scene.jpg' alt=''><figcaption>{escape(CAPTION[0])}</figcaption></figure>")
        heading, *items = ASIDE[0]
        links = "".join(f"<li><a href='/story/{i}'>{escape(t)}</a></li>" for i, t in enumerate(items))
        story.insert(min(3, len(story)), f"<aside><h2>{escape(heading)}</h2><ul>{links}</ul></aside>")
    if h1 and article.headline:
        story.insert(0, f"<h1>{escape(article.headline)}</h1>")
    nav = footer = ""
    if furniture:
        nav = (
            "<nav><ul>"
            + "".join(f"<li><a href='/{i}'>{escape(t)}</a></li>" for i, t in enumerate(NAV[0]))
            + "</ul></nav>"
        )
        footer = "<footer>" + "".join(f"<p>{escape(t)}</p>" for t in FOOTER[0]) + "</footer>"
    return {
        "html": f"<!DOCTYPE html><html lang='{article.language}'><head><meta charset='utf-8'>{head}</head><body>{nav}"
        f"<main><article>{''.join(story)}</article></main>{footer}</body></html>"
    }


def html_generic_title(article: Article) -> dict[str, str]:
    """<title>News story</title>; the headline (BBC) in <h1>."""
    return _page(article, GENERIC_TITLE, h1=True)


def html_site_title(article: Article) -> dict[str, str]:
    """<title>Headline | Site</title> and no <h1>; CNN: <title>World news | Site</title>."""
    return _page(article, f"{article.headline or SECTION_TITLE} | {SITE}", h1=False)


def html_h1(article: Article) -> dict[str, str]:
    """The headline in <h1> and no <title>; CNN (no headline): a bare page."""
    return _page(article, None, h1=True)


def html_furniture(article: Article) -> dict[str, str]:
    """<title>News story</title>, the headline (BBC) in <h1>, <nav>, <figure>/<figcaption>
    after the first paragraph, <aside> after the second, <footer>."""
    return _page(article, GENERIC_TITLE, h1=True, furniture=True)


@dataclass(frozen=True)
class Shape:
    name: str
    label: str  # as tables show it
    build: Callable[[Article], dict[str, str]]
    # Marker phrases of the boilerplate planted in an article of this shape.
    planted: Callable[[Article], tuple[str, ...]] = lambda article: ()


def _text_markers(article: Article) -> tuple[str, ...]:
    return text_plants(article).markers


_PAGE_MARKERS = CAPTION[1] + NAV[1] + ASIDE[1] + FOOTER[1]  # HTML chrome: the same in every language


def _page_markers(article: Article) -> tuple[str, ...]:
    return _PAGE_MARKERS


SHAPES: dict[str, Shape] = {
    s.name: s
    for s in (
        Shape(BASELINE, "one paragraph", one_paragraph),
        Shape("paragraphs", "paragraphs", paragraphs),
        Shape(
            "boilerplate",
            "paragraphs, byline first, caption, READ MORE, share/newsletter",
            paragraphs_with_boilerplate,
            _text_markers,
        ),
        Shape("crlf", "paragraphs, CRLF", crlf),
        Shape("wrapped", "hard-wrapped at 72 columns", hard_wrapped),
        Shape("wrapped_crlf", "hard-wrapped at 72 columns, CRLF", hard_wrapped_crlf),
        Shape("html_generic_title", "HTML, `<title>News story</title>`", html_generic_title),
        Shape("html_site_title", "HTML, `<title>Headline | Site</title>`", html_site_title),
        Shape("html_h1", "HTML, `<h1>`", html_h1),
        Shape("html_furniture", "HTML, `<nav>`, `<figure>`, `<aside>`, `<footer>`", html_furniture, _page_markers),
    )
}


def request_for(shape: Shape, article: Article, **options: Any) -> SummarizeRequest:
    return SummarizeRequest(**shape.build(article), **options)


def selection(body: dict[str, Any] | None) -> tuple[str, ...] | None:
    """The selected sentences' texts, whitespace-normalised; None for a refusal."""
    return None if body is None else tuple(" ".join(s["text"].split()) for s in body["sentences"])


def leaked(shape: Shape, article: Article, body: dict[str, Any] | None) -> list[str]:
    """Marker phrases of this shape's planted boilerplate found in the summary (a phrase the
    story itself holds does not count)."""
    if body is None:
        return []
    story = f"{article.headline or ''} {article.body}".casefold()
    summary = " ".join(s["text"] for s in body["sentences"]).casefold()
    return [m for m in shape.planted(article) if m.casefold() not in story and m.casefold() in summary]


@contextmanager
def embeddings_reused(engine: Any) -> Iterator[dict[tuple[str, ...], np.ndarray]]:
    """While open, an engine's sentence encoder computes each distinct input once: the shapes
    of one article mostly clean to the same sentences and title, and the encoder is a pure
    function of its input (one call for an article's sentences, one for its headline; int8
    scales per call), so a repeat call would return the very same array. The memo is yielded,
    for the caller to clear."""
    embedder = getattr(engine, "embedder", None)
    memo: dict[tuple[str, ...], np.ndarray] = {}
    if embedder is None:  # not the extractive engine: nothing to reuse
        yield memo
        return
    encode = embedder.embed

    def embed(texts: Sequence[str]) -> np.ndarray:
        key = tuple(texts)
        if key not in memo:
            memo[key] = encode(texts)
        return memo[key].copy()

    embedder.embed = embed
    try:
        yield memo
    finally:
        del embedder.embed  # the class's own method again


def summarise_shape(
    summarizer: Summarizer, shape: Shape, articles: list[Article], options: list[dict[str, Any]], chunk: int = 16
) -> list[dict[str, Any] | None]:
    """Response bodies through the service's own use case, in order; None where refused.
    `options` are each article's request options (say {"max_sentences": 3})."""
    bodies: list[dict[str, Any] | None] = []
    for begin in range(0, len(articles), chunk):
        requests = [
            request_for(shape, a, **o)
            for a, o in zip(articles[begin : begin + chunk], options[begin : begin + chunk], strict=True)
        ]
        bodies.extend(map(body_of, summarizer.summarize_many(requests)))
    return bodies


def body_of(outcome: Outcome) -> dict[str, Any] | None:
    """One article's JSON body as the service answers it; None when the service refused it."""
    return None if isinstance(outcome, Exception) else outcome.summary.as_json()
