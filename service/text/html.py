"""Main-text extraction from web pages, on trafilatura."""

from __future__ import annotations

import trafilatura
from trafilatura.metadata import extract_metadata


def extract_html(html: str) -> tuple[str | None, str]:
    """Return (title, main text) of an HTML page; paragraphs come one per line.

    trafilatura drops navigation, figures and footers; what newsroom boilerplate it keeps
    ("READ MORE" links, bylines) is left to the text cleaner."""
    tree = trafilatura.load_html(html)
    if tree is None:
        return None, ""
    metadata = extract_metadata(tree)
    title = metadata.title if metadata is not None else None
    text = trafilatura.extract(
        tree,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    if not text:
        # Too short or too unusual for the main-content heuristics: take all visible text.
        _, text, _ = trafilatura.baseline(html)
    return title, text or ""
