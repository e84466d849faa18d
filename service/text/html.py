"""Main-text extraction from web pages, on trafilatura: the story's text, and what the
page says its headline and its site are (for service/text/titles.py to judge)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import examine_title_element, extract_metadata, extract_opengraph

from service.text.titles import PageTitles

# Elements that are never the story's prose: photo captions, sidebars, page furniture.
_NOT_PROSE = ("figure", "figcaption", "aside", "footer", "nav", "script", "style", "noscript", "form", "template")
_NOT_PROSE_XPATH = " | ".join(f"//{tag}" for tag in _NOT_PROSE)
# Extraction that kept fewer words than this share of the page's paragraph text is
# rejected for the paragraphs themselves: the main-content heuristics lost the article.
MIN_EXTRACTED_SHARE = 0.5


def _strip(tree: etree._Element) -> None:
    for element in tree.xpath(_NOT_PROSE_XPATH):
        parent = element.getparent()
        if parent is None:
            continue
        # Keep the text that follows the element inside its parent (its tail).
        if element.tail and element.tail.strip():
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)


def _paragraphs(tree: etree._Element) -> str:
    """The text of every <p>, one per line: the article when the page is simple."""
    texts = (" ".join("".join(p.itertext()).split()) for p in tree.iter("p"))
    return "\n".join(t for t in texts if t)


@dataclass(frozen=True)
class Page:
    text: str  # the main text, paragraphs one per line
    titles: PageTitles


def _page_titles(tree: HtmlElement) -> PageTitles:
    """The page's <h1>s, og:title, metadata headline and <title>, and its site's names, as
    trafilatura reads them (before the page furniture is stripped: an <h1> may sit in a header)."""
    metadata = extract_metadata(tree)
    opengraph = extract_opengraph(tree)
    h1 = tuple(text for element in tree.iter("h1") if (text := " ".join("".join(element.itertext()).split())))
    application = tree.xpath("//head/meta[@name='application-name']/@content")
    url = opengraph.get("url") or metadata.url
    host = urlparse(url).hostname if url else None
    names = (
        opengraph.get("sitename"),
        metadata.sitename,
        *(str(a) for a in application),
        host.removeprefix("www.") if host else None,
    )
    return PageTitles(
        h1=h1,
        og_title=opengraph.get("title"),
        metadata_title=metadata.title,
        title=examine_title_element(tree)[0] or None,
        site_names=tuple(dict.fromkeys(n.strip() for n in names if n and n.strip())),
    )


def read_page(html: str) -> Page:
    """The page's main text (paragraphs one per line) and its titles.

    Figures and their captions, asides, footers and navigation are removed before
    trafilatura picks the main text; what newsroom boilerplate it keeps ("READ MORE"
    links, bylines) is left to the text cleaner."""
    tree = trafilatura.load_html(html)
    if tree is None:
        return Page("", PageTitles())
    page_titles = _page_titles(tree)
    _strip(tree)
    paragraphs = _paragraphs(tree)
    text = trafilatura.extract(
        tree,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    if not text or len(text.split()) < MIN_EXTRACTED_SHARE * len(paragraphs.split()):
        # Too short or too unusual for the main-content heuristics: take the paragraphs,
        # or all visible text when the page has none.
        text = paragraphs or trafilatura.baseline(etree.tostring(tree, encoding="unicode"))[1]
    return Page(text or "", page_titles)
