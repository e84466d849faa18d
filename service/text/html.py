"""Main-text extraction from web pages, on trafilatura."""

from __future__ import annotations

import trafilatura
from lxml import etree
from trafilatura.metadata import extract_metadata

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


def extract_html(html: str) -> tuple[str | None, str]:
    """Return (title, main text) of an HTML page; paragraphs come one per line.

    Figures and their captions, asides, footers and navigation are removed before
    trafilatura picks the main text; what newsroom boilerplate it keeps ("READ MORE"
    links, bylines) is left to the text cleaner."""
    tree = trafilatura.load_html(html)
    if tree is None:
        return None, ""
    metadata = extract_metadata(tree)
    title = metadata.title if metadata is not None else None
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
    return title, text or ""
