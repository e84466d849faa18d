"""The headline is trusted only when it is one (issue 18): where it came from, how sure that
is, and the lines that are never a headline. Real articles: the seed and the dev sets."""

from __future__ import annotations

import json
from html import escape, unescape

import pytest
from flask.testing import FlaskClient

from bench.server import REPO_ROOT
from service.domain.summary import Engine
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer, read_article
from service.text.cleaning import clean_text
from service.text.html import read_page
from service.text.sentences import split_sentences
from service.text.titles import PageTitles, strip_site
from tests.support import summarize

SEED_HEADLINE = "North Korea and China in talks to repair frayed relationship"
CNN_DEV = REPO_ROOT.parent / "shared" / "data" / "cnndm-dev.jsonl"


def _story(seed_text: str) -> list[str]:
    """The seed's story paragraphs (the lines that end like sentences), without its furniture."""
    return [line.strip() for line in seed_text.splitlines() if line.strip().endswith(".")]


def _page(head: str = "", before_story: str = "", story: list[str] | None = None) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in story or [])
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body><nav><a href='/'>Home</a></nav>"
        f"<article>{before_story}{paragraphs}</article><footer><p>© The Paper</p></footer></body></html>"
    )


def _read_page(html: str):
    page = read_page(html)
    return clean_text(page.text, page=page.titles)


@pytest.fixture(scope="module")
def bbc_rows(dev_articles: list[dict[str, str]]) -> list[dict[str, str]]:
    # Ten BBC stories, one from each part of the set, and one whose headline ends in a
    # quote's attribution ("Farrell saga to drag on - Lindsay"), not a site's name.
    return [*dev_articles[::20], *(row for row in dev_articles if row["id"] == "bbc-sport-399")]


def _cnn_row(row_id: str) -> dict[str, str]:
    if not CNN_DEV.is_file():
        pytest.skip("../shared/data/cnndm-dev.jsonl is not present")
    with CNN_DEV.open(encoding="utf-8") as handle:
        return next(row for row in map(json.loads, handle) if row["id"] == row_id)


def _headline_and_body(row: dict[str, str]) -> tuple[str, list[str]]:
    # A few BBC stories hold HTML entities as text ("volvi&#243;"), which a page would show as
    # characters: unescaped here so that text and page carry the same story.
    headline, _, body = unescape(row["article"]).partition("\n\n")
    return headline, [p for p in body.split("\n\n") if p.strip()]


# --- every source -------------------------------------------------------------------------


def test_a_given_title_is_the_field(seed_text: str) -> None:
    article = clean_text("\n\n".join(_story(seed_text)), title="Beijing talks")
    assert (article.title, article.title_source, article.title_confidence) == ("Beijing talks", "field", 1.0)


def test_a_first_line_that_reads_as_a_headline(seed_text: str) -> None:
    article = clean_text(seed_text)
    assert (article.title, article.title_source, article.title_confidence) == (SEED_HEADLINE, "first_line", 1.0)


def test_one_paragraph_has_no_title() -> None:
    if not CNN_DEV.is_file():
        pytest.skip("../shared/data/cnndm-dev.jsonl is not present")
    with CNN_DEV.open(encoding="utf-8") as handle:
        row = json.loads(handle.readline())
    article = clean_text(row["article"])
    assert (article.title, article.title_source, article.title_confidence) == (None, "none", 0.0)


@pytest.mark.parametrize(
    ("head", "h1"),
    [
        ("<title>News story</title>", f"<h1>{SEED_HEADLINE}</h1>"),
        (f"<meta property='og:title' content='{SEED_HEADLINE}'><title>Home</title>", ""),
        (f"<title>{SEED_HEADLINE} | The Paper</title>", ""),
        (f"<title>{SEED_HEADLINE} - The Paper</title>", ""),
        (f"<title>{SEED_HEADLINE} | World | The Paper</title>", ""),
        (f"<title>The Paper: {SEED_HEADLINE}</title><meta property='og:site_name' content='The Paper'>", ""),
        (f"<title>The Paper | {SEED_HEADLINE}</title>", ""),
        (f"<title>EXCLUSIVE: {SEED_HEADLINE}</title>", ""),
    ],
)
def test_a_page_title_with_its_site_and_section_cut_off(seed_text: str, head: str, h1: str) -> None:
    article = _read_page(_page(head, h1, _story(seed_text)))
    assert (article.title, article.title_source, article.title_confidence) == (SEED_HEADLINE, "html", 1.0)
    assert article.body.startswith("Negotiators from communist allies")


def test_the_headline_h1_is_preferred_to_a_logo_h1(seed_text: str) -> None:
    html = _page(
        f"<title>{SEED_HEADLINE} | The Paper</title>", f"<h1>The Paper</h1><h1>{SEED_HEADLINE}</h1>", _story(seed_text)
    )
    assert _read_page(html).title == SEED_HEADLINE


def test_a_site_name_before_a_colon_is_cut_only_when_the_site_is_known() -> None:
    assert strip_site("The Paper: Storm hits coast", ["The Paper"]) == "Storm hits coast"
    assert strip_site("Brexit: what happens next", ["The Paper"]) == "Brexit: what happens next"
    assert strip_site("Storm hits coast | thepaper.co.uk", ["thepaper.co.uk"]) == "Storm hits coast"
    # A dash inside a headline joins two of its own phrases.
    assert strip_site("North Korea - China talks resume") == "North Korea - China talks resume"


def test_same_headline_same_confidence_in_every_shape(bbc_rows: list[dict[str, str]]) -> None:
    """Given, first line, <h1>, og:title, cleaned <title>: one headline, one confidence, one body."""
    for row in bbc_rows:
        headline, body = _headline_and_body(row)
        shapes = {
            "field": clean_text("\n\n".join(body), title=headline),
            "first_line": clean_text("\n\n".join([headline, *body])),
            "h1": _read_page(_page("<title>News story</title>", f"<h1>{escape(headline)}</h1>", body)),
            "og:title": _read_page(
                _page(f"<meta property='og:title' content='{escape(headline, quote=True)}'>", "", body)
            ),
            "<title>": _read_page(_page(f"<title>{escape(headline)} | The Paper</title>", "", body)),
        }
        seen = {(a.title, a.title_confidence, a.body) for a in shapes.values()}
        assert len(seen) == 1, (row["id"], {name: (a.title, a.title_confidence) for name, a in shapes.items()})
        assert next(iter(seen))[:2] == (headline, 1.0)


# --- never a title ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "By Jane Moran",
        "By Jane Moran and Tom Lee",
        "Jane Moran, Political Correspondent",
        "Jane Moran | Business reporter",
        "Reporting by Jane Moran in Beijing",
    ],
)
def test_a_byline_is_never_the_title_and_is_removed(seed_text: str, line: str) -> None:
    article = clean_text("\n\n".join([line, *_story(seed_text)]))
    assert article.title is None and article.title_source == "none"
    assert article.removed["byline"] == 1 and line not in article.body


def test_a_byline_under_the_headline_is_removed(seed_text: str) -> None:
    article = clean_text("\n\n".join([SEED_HEADLINE, "By Jane Moran", *_story(seed_text)]))
    assert article.title == SEED_HEADLINE and article.removed == {"byline": 1}


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Published 3 March 2024, 10:42 GMT", "dateline"),
        ("Updated: Mon 4 Mar 2024 09.00 GMT", "dateline"),
        ("BREAKING", "kicker"),
        ("LIVE", "kicker"),
        ("UPDATED", "kicker"),
        ("EXCLUSIVE", "kicker"),
    ],
)
def test_a_dateline_or_kicker_on_top_is_never_the_title(seed_text: str, line: str, kind: str) -> None:
    article = clean_text("\n\n".join([line, SEED_HEADLINE, *_story(seed_text)]))
    assert article.title == SEED_HEADLINE and article.title_source == "first_line"
    assert article.removed == {kind: 1}


def test_a_kicker_before_the_headline_is_cut_from_it(seed_text: str) -> None:
    article = clean_text("\n\n".join([f"BREAKING: {SEED_HEADLINE}", *_story(seed_text)]))
    assert article.title == SEED_HEADLINE


def test_a_caption_is_never_the_title(seed_text: str) -> None:
    caption = "Soldiers on the Yalu river. Photograph: Jacky Chen/Reuters"
    article = clean_text("\n\n".join([caption, *_story(seed_text)]))
    assert article.title is None and caption not in article.body


@pytest.mark.parametrize(
    "title",
    [
        "News story",
        "Home",
        "World news",
        "Latest news",
        "World news | The Paper",
        "The Paper",
        "Politics | UK",
    ],
)
def test_a_generic_page_title_is_never_the_title(seed_text: str, title: str) -> None:
    head = f"<title>{escape(title)}</title><meta property='og:site_name' content='The Paper'>"
    article = _read_page(_page(head, "", _story(seed_text)))
    assert (article.title, article.title_source, article.title_confidence) == (None, "none", 0.0)
    assert article.body.startswith("Negotiators from communist allies")


def test_a_section_and_an_unnamed_site_are_no_title(seed_text: str) -> None:
    """The issue's page: a section's and a site's names, the site not declared anywhere."""
    article = _read_page(_page("<title>World news | The Morning Ledger</title>", "", _story(seed_text)))
    assert article.title is None


def test_the_first_sentence_is_never_the_title(seed_text: str) -> None:
    story = _story(seed_text)
    lede = story[0].removesuffix(".")
    article = _read_page(_page(f"<meta property='og:title' content='{escape(lede, quote=True)}'>", "", story))
    assert article.title is None and article.body.startswith(story[0])


def test_a_paragraph_of_several_sentences_is_never_the_title() -> None:
    """A CNN lede that ends with a question and opens with a wire dateline, set as its own
    paragraph: three sentences of story, not a headline (and the dateline is still cut)."""
    row = _cnn_row("ece92ffd3a149ecbf4b9702527b36a22d96e497a")
    sentences = [s.text for s in split_sentences(row["article"])]
    article = clean_text(" ".join(sentences[:3]) + "\n\n" + " ".join(sentences[3:]))
    assert article.title is None and article.removed == {"dateline": 1}
    assert article.body.startswith("Kids, being kids, like to climb on things.")


def test_a_line_sharing_no_word_with_the_article_is_never_the_title(seed_text: str) -> None:
    article = clean_text("\n\n".join(["Ten cheap city breaks for the autumn", *_story(seed_text)]))
    assert article.title is None


# --- through the service --------------------------------------------------------------------


def test_title_source_in_the_response(client: FlaskClient, seed_text: str) -> None:
    story = "\n\n".join(_story(seed_text))
    cases = [
        ({"text": seed_text}, "first_line", SEED_HEADLINE),
        ({"text": story, "title": "Beijing talks"}, "field", "Beijing talks"),
        ({"html": _page(f"<title>{SEED_HEADLINE} | The Paper</title>", "", _story(seed_text))}, "html", SEED_HEADLINE),
        ({"text": story}, "none", None),
        ({"text": f"By Jane Moran\n\n{story}"}, "none", None),
    ]
    for request, source, title in cases:
        response = summarize(client, json=request)
        assert response.status_code == 200, response.text
        summary_input = response.get_json()["input"]
        assert summary_input["title_source"] == source and summary_input.get("title") == title, request


def test_a_byline_first_is_reported_removed_and_changes_nothing(client: FlaskClient, seed_text: str) -> None:
    story = "\n\n".join([SEED_HEADLINE, *_story(seed_text)])
    plain = summarize(client, json={"text": story}).get_json()
    bylined = summarize(client, json={"text": f"By Jane Moran\n\n{story}"}).get_json()
    assert bylined["input"]["removed"] == {"byline": 1}
    assert bylined["input"]["title"] == SEED_HEADLINE
    assert bylined["summary"] == plain["summary"]


def test_the_ranker_leans_on_the_headline_only_when_there_is_one(engine: Engine, seed_text: str) -> None:
    summarizer = Summarizer(engine)
    story = "\n\n".join(_story(seed_text))
    with_title = summarizer.prepare(SummarizeRequest(text=seed_text)).document
    without = summarizer.prepare(SummarizeRequest(text=f"By Jane Moran\n\n{story}")).document
    assert (with_title.title, with_title.title_confidence) == (SEED_HEADLINE, 1.0)
    assert (without.title, without.title_confidence) == (None, 0.0)


def test_read_article_for_a_page_reports_where_the_title_came_from(seed_text: str) -> None:
    html = _page("<title>News story</title>", f"<h1>{SEED_HEADLINE}</h1>", _story(seed_text))
    article, sentences = read_article(SummarizeRequest(html=html))
    assert (article.title, article.title_source) == (SEED_HEADLINE, "html")
    assert sentences[0].text.startswith("Negotiators from communist allies")


def test_page_titles_are_read_from_the_markup() -> None:
    html = (
        "<html><head><title>Storm hits coast | The Paper</title>"
        "<meta property='og:title' content='Storm hits the coast'>"
        "<meta property='og:site_name' content='The Paper'>"
        "<meta property='og:url' content='https://www.thepaper.example/storm'></head>"
        "<body><h1>Storm hits coast</h1><p>A storm hit the coast on Monday.</p></body></html>"
    )
    titles = read_page(html).titles
    assert titles == PageTitles(
        h1=("Storm hits coast",),
        og_title="Storm hits the coast",
        metadata_title=titles.metadata_title,
        title="Storm hits coast | The Paper",
        site_names=titles.site_names,
    )
    assert "The Paper" in titles.site_names and "thepaper.example" in titles.site_names
