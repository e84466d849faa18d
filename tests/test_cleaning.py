"""Cleaning on real articles in every shape news copy arrives in: it removes boilerplate
that is shaped like boilerplate, and never the article."""

from __future__ import annotations

import json
import textwrap
from html import escape

import pytest
from flask.testing import FlaskClient

from bench.server import REPO_ROOT
from service.text.cleaning import clean_text, normalise
from service.text.html import read_page
from service.text.sentences import split_sentences
from tests.support import SEED_BOILERPLATE, summarize

SEED_FIRST = "Negotiators from communist allies North Korea and China"
SEED_LAST = "arsenal of nuclear weapons."
SEED_SENTENCES = 16
CNN_DEV = REPO_ROOT.parent / "shared" / "data" / "cnndm-dev.jsonl"


def _seed_blocks(seed_text: str) -> list[str]:
    return [line for line in seed_text.splitlines() if line.strip()]


def seed_html(seed_text: str) -> str:
    """The seed as a CMS page: the caption in a <figure>, the link in an <aside>, the byline
    and bio in a <footer>, the crosshead as an <h2>."""
    blocks = _seed_blocks(seed_text)
    title, standfirst, caption = blocks[0], blocks[1], blocks[2]
    body = []
    for block in blocks[4:]:
        if block == "READ SOME MORE":
            body.append(f"<aside><p>{escape(block)}</p></aside>")
        elif block == "Cautious response":
            body.append(f"<h2>{escape(block)}</h2>")
        elif block.startswith("Clifford Coonan"):
            continue
        else:
            body.append(f"<p>{escape(block)}</p>")
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>{escape(title)}</h1>"
        f"<p class='standfirst'>{escape(standfirst)}</p>"
        f"<figure><img src='a.jpg' alt=''><figcaption>{escape(caption)}</figcaption></figure>"
        + "".join(body)
        + "</article><footer><p>Clifford Coonan</p><p>Clifford Coonan, an Irish Times contributor, spent 15 "
        "years reporting from Beijing.</p><p>© 2024 The Irish Times</p></footer></body></html>"
    )


def _shapes(seed_text: str) -> dict[str, str]:
    wrapped = "\n".join(textwrap.fill(line, 72) for line in seed_text.split("\n"))
    return {
        "blank lines": seed_text,
        "crlf": seed_text.replace("\n", "\r\n"),
        "hard-wrapped": wrapped,
        "hard-wrapped, crlf": wrapped.replace("\n", "\r\n"),
        "one line per paragraph": "\n".join(_seed_blocks(seed_text)),
    }


SHAPES = ["blank lines", "crlf", "hard-wrapped", "hard-wrapped, crlf", "one line per paragraph"]


@pytest.mark.parametrize("shape", SHAPES)
def test_seed_article_in_each_text_shape(seed_text: str, shape: str) -> None:
    article = clean_text(_shapes(seed_text)[shape])
    assert article.title == "North Korea and China in talks to repair frayed relationship"
    assert article.standfirst.startswith("Meetings expected to focus")
    assert article.body.startswith(SEED_FIRST) and article.body.endswith(SEED_LAST)
    for fragment in SEED_BOILERPLATE:
        assert fragment not in article.body, fragment
    assert len(split_sentences(article.body)) == SEED_SENTENCES
    assert not article.fallback


def test_seed_article_as_html(seed_text: str) -> None:
    page = read_page(seed_html(seed_text))
    article = clean_text(page.text, page=page.titles)
    assert article.title == "North Korea and China in talks to repair frayed relationship"
    assert article.title_source == "html"
    assert article.body.startswith(SEED_FIRST) and article.body.endswith(SEED_LAST)
    for fragment in [*SEED_BOILERPLATE, "Irish Times", "Home", "World"]:
        assert fragment not in article.body, fragment
    assert len(split_sentences(article.body)) == SEED_SENTENCES


def test_seed_article_removed_counts(seed_text: str) -> None:
    article = clean_text(seed_text)
    assert article.removed == {"caption": 1, "duplicate": 2, "link": 1, "fragment": 1, "byline": 1, "bio": 1}


def test_seed_story_as_one_paragraph_keeps_every_sentence(seed_text: str) -> None:
    story = clean_text(seed_text).body.replace("\n\n", " ")
    article = clean_text(story)
    assert article.body == story and not article.dropped


# Real sentences that mention the words the boilerplate rules look for.
MENTIONS = [
    "The boy, pictured left with his mother, was found safe on Tuesday evening after a long search.",
    "Photo: a caption credit like this one once sat inside a sentence the editors kept, police said.",
    "Satellite images released by the agency show the extent of the flooding across the region.",
    "Videoed by a neighbour, the arrest was shared thousands of times before the video was removed.",
    "READ MORE about the case was the headline on a poster that protesters carried to the court.",
    "By the end of the week, officials said, more than 200 families had returned to their homes.",
]


@pytest.mark.parametrize("mention", MENTIONS)
def test_one_paragraph_article_mentioning_boilerplate_words_is_kept(mention: str) -> None:
    story = (
        "(CNN)Rescuers searched through the night for a missing boy in the hills above the town. "
        f"{mention} The search involved more than 100 volunteers and two helicopters. "
        "His family thanked everyone who had helped."
    )
    article = clean_text(story)
    assert article.body == story.removeprefix("(CNN)")
    assert article.dropped == [("dateline", "(CNN)")]


@pytest.mark.parametrize(
    ("raw", "dateline"),
    [
        ("(CNN)Share, and your gift will be multiplied. Six patients got kidneys.", "(CNN)"),
        ("Tokyo (CNN)Police in Japan say they have arrested a man. He is 40.", "Tokyo (CNN)"),
        (
            "LONDON, England (Reuters) -- Harry Potter star Daniel Radcliffe gains access to a fortune. He is 18.",
            "LONDON, England (Reuters) --",
        ),
        ("(CNN) -- The National Football League has suspended him. The team agreed.", "(CNN) --"),
        (
            "Omaha, Nebraska (the Heartland Project)When Ryan Sallans spoke, people listened. He was 30.",
            "Omaha, Nebraska (the Heartland Project)",
        ),
    ],
)
def test_a_wire_dateline_is_cut_and_reported(raw: str, dateline: str) -> None:
    """Place and source are no part of the story; left in, "Tokyo (CNN)" splits off as a
    sentence of its own."""
    article = clean_text(raw)
    assert article.body == raw.removeprefix(dateline).lstrip()
    assert article.dropped == [("dateline", dateline)]


@pytest.mark.parametrize(
    "story",
    [
        "Apple (AAPL) Chief Executive Tim Cook said sales rose. Analysts had expected less.",
        "The talks (in Beijing) went well, officials said. More are planned.",
        "(CNN)",
    ],
)
def test_a_name_and_parenthesis_that_is_no_dateline_stays(story: str) -> None:
    assert clean_text(story).body == story


@pytest.mark.skipif(not CNN_DEV.is_file(), reason="../shared/data/cnndm-dev.jsonl is not present")
def test_no_cnn_dev_article_loses_its_body() -> None:
    """The seven CNN articles the old caption rule refused, and every other: one paragraph, kept whole."""
    with CNN_DEV.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    for row in rows:
        article = clean_text(row["article"])
        assert len(split_sentences(article.body)) >= 2, row["id"]
        assert len(article.body) >= 0.95 * len(normalise(row["article"]).strip()), row["id"]


def test_planted_dateline_in_one_paragraph_is_cut() -> None:
    story = (
        "By . Jane Smith . PUBLISHED: . 08:24 EST, 1 May 2013 . | . UPDATED: . 09:10 EST, 1 May 2013 . "
        "Scientists have found a new species of frog in the rainforest. It is smaller than a fingernail. "
        "The team says many more species are waiting to be found."
    )
    article = clean_text(story)
    assert article.body.startswith("Scientists have found")
    assert "PUBLISHED" not in article.body and "Jane Smith" not in article.body
    assert article.removed == {"byline": 1}


def test_long_paragraph_with_a_credit_is_never_removed() -> None:
    long_block = (
        "The council met on Monday to approve the budget. Members argued for three hours. "
        "The final vote was seven to two. Photo: council archive."
    )
    article = clean_text(f"Budget approved\n\nShort intro sentence here today.\n\n{long_block}")
    assert long_block in article.body


def test_cleaning_that_would_leave_one_sentence_keeps_its_certain_removals() -> None:
    """A caption with a credit and a READ MORE link are boilerplate however short the story."""
    raw = (
        "A storm hit the coast on Monday and cut power to thousands of homes.\n\n"
        "Photo: waves on the harbour wall. Jane Doe/Reuters\n\nRead more: storms explained"
    )
    article = clean_text(raw)
    assert article.body == "A storm hit the coast on Monday and cut power to thousands of homes."
    assert article.removed == {"caption": 1, "link": 1} and not article.fallback


def test_cleaning_that_would_leave_one_sentence_gives_back_only_the_doubtful() -> None:
    """A fragment is only doubtfully boilerplate: given back (and reported) when the story is
    too short without it; the caption stays out."""
    raw = (
        "Storm hits coast\n\nPower cut to thousands\n\n"
        "Waves crash over the harbour wall. (Getty Images)\n\n"
        "A storm hit the coast on Monday and cut power to 20,000 homes across the region, the utility said."
    )
    article = clean_text(raw)
    assert article.title == "Storm hits coast" and article.fallback
    assert article.removed == {"caption": 1, "fallback": 1}
    assert article.body == (
        "Power cut to thousands\n\n"
        "A storm hit the coast on Monday and cut power to 20,000 homes across the region, the utility said."
    )


def test_doubtful_removals_stay_under_the_stated_share() -> None:
    """Unpunctuated lines are only doubtfully boilerplate: they never take more than 40%."""
    story = (
        "A storm hit the coast on Monday. Power was cut to 20,000 homes. Engineers worked through the "
        "night to restore it. Schools stayed closed on Tuesday. The council opened two shelters."
    )
    raw = "\n\n".join([story] + [f"Harbour scene number {i} at dawn on the first day of the storm" for i in range(8)])
    article = clean_text(raw)
    removed = sum(len(block) for _, block in article.dropped)
    assert 0 < removed <= 0.4 * len(normalise(raw))
    assert set(article.removed) == {"fragment"}


def test_captions_with_credits_are_removed_whatever_their_share() -> None:
    """A credit marks a caption for certain: a short story loses all of its captions."""
    story = "A storm hit the coast on Monday. Power was cut to 20,000 homes."
    raw = "\n\n".join([story] + [f"Photo: harbour scene number {i} at dawn, by Jane Doe." for i in range(8)])
    article = clean_text(raw)
    assert article.body == story and article.removed == {"caption": 8}


def test_hard_wrapped_lines_are_joined() -> None:
    article = clean_text("The minister said the plan\nwould cost more than expected.\nShe left early.")
    assert article.body == "The minister said the plan would cost more than expected.\n\nShe left early."


def test_hard_wrapped_line_starting_with_a_capital_is_joined() -> None:
    text = (
        "Negotiators from communist allies North Korea and China met for talks\n"
        "in Beijing yesterday aimed at improving their damaged relationship, just\n"
        "days after the North made a surprise call for dialogue with the US and\n"
        "South Korea. Tensions ran high earlier this year when the North\n"
        "threatened to wage nuclear war on the US."
    )
    assert clean_text(text).body == " ".join(text.split("\n"))


def test_explicit_title_drops_matching_first_line() -> None:
    article = clean_text("Big news today\n\nSomething happened in town. It was big.", title="Big news today")
    assert article.title == "Big news today"
    assert article.body == "Something happened in town. It was big."


def test_captions_links_and_bylines_are_removed() -> None:
    raw = "\n\n".join(
        [
            "Storm hits coast",
            "By Jane Smith and Tom Jones",
            "Waves crash over the harbour wall on Monday. (Getty Images)",
            "A storm hit the coast on Monday, cutting power to 20,000 homes.",
            "Read more: how storms are named",
            "Advertisement",
            "Engineers expect to restore power by Wednesday.",
        ]
    )
    article = clean_text(raw)
    assert article.title == "Storm hits coast"
    assert article.body == (
        "A storm hit the coast on Monday, cutting power to 20,000 homes.\n\n"
        "Engineers expect to restore power by Wednesday."
    )
    assert article.removed["caption"] == 1 and article.removed["byline"] == 1 and article.removed["link"] == 2


def test_unpunctuated_note_is_kept() -> None:
    assert clean_text("the council approved the new budget on tuesday").body == (
        "the council approved the new budget on tuesday"
    )
    # A lone block is the article: never removed, whatever it looks like.
    assert clean_text("Clifford Coonan").body == "Clifford Coonan"


def test_normalise_unifies_spaces_newlines_and_invisibles() -> None:
    assert normalise("A\u00a0b\u200b c\r\nd\u2029e") == "A b c\nd\n\ne"


def test_character_references_in_text_read_as_a_page_shows_them() -> None:
    """BBC dev copy holds "se volvi&#243; loco": as text it reads as the HTML page shows it."""
    raw = 'Marca: "Wayne Rooney se volvi&#243; loco en el Bernab&#233;u". AT&T and R&D stay.'
    text = 'Marca: "Wayne Rooney se volvió loco en el Bernabéu". AT&T and R&D stay.'
    assert normalise(raw) == text
    assert read_page(f"<html><body><p>{escape(raw)}</p></body></html>").text == text


# A real-shaped photo gallery: a 25-word blurb, sent byline-first with a caption (issue 18).
GALLERY_BLURB = (
    "Heavy overnight snow has closed hundreds of schools and roads across northern England, "
    "and readers have been sending us their wintry pictures of the scene."
)
GALLERY_CAPTION = (
    "Commuters walk along a snow-covered road in Harrogate, North Yorkshire, after buses were "
    "cancelled across the county on Tuesday morning. Photograph: Jacky Chen/Reuters"
)
GALLERIES = [
    [
        "By Jane Moran",
        "In pictures: Snow blankets northern England",
        GALLERY_CAPTION,
        GALLERY_BLURB,
        "Share this article",
        "Sign up to our newsletter",
    ],
    ["By Jane Moran", GALLERY_CAPTION, GALLERY_BLURB, "Share on Facebook", "Follow us on Twitter"],
    ["By Jane Moran", GALLERY_BLURB, GALLERY_CAPTION, "READ MORE: How to drive safely in the snow"],
]


@pytest.mark.parametrize("blocks", GALLERIES)
def test_a_near_empty_story_keeps_its_certain_removals(blocks: list[str]) -> None:
    """Fewer than two sentences are left, and still the caption, the byline and the sharing
    lines stay out: only doubtful removals are ever given back."""
    article = clean_text("\n\n".join(blocks))
    assert article.body == GALLERY_BLURB
    assert article.removed["caption"] == 1 and article.removed["byline"] == 1
    assert article.removed["link"] == len(blocks) - 3 - (article.title is not None)
    assert article.title in (None, "Snow blankets northern England")


@pytest.mark.parametrize("blocks", GALLERIES)
def test_the_caption_is_never_the_summary_of_a_near_empty_story(client: FlaskClient, blocks: list[str]) -> None:
    body = summarize(client, json={"text": "\n\n".join(blocks)}).get_json()
    assert body["summary"] == GALLERY_BLURB
    assert body["input"]["removed"]["caption"] == 1


@pytest.mark.parametrize(
    "line",
    [
        "Share this article",
        "Share on Facebook",
        "Share via Email",
        "Sign up to our newsletter",
        "Get our free morning newsletter",
        "Follow us on Twitter",
        "Follow Jane Moran on Instagram",
        "READ MORE: Ministers face fresh questions over the ferry contract",
    ],
)
def test_share_and_newsletter_lines_are_links(seed_text: str, line: str) -> None:
    story = clean_text(seed_text).body
    article = clean_text(f"{story}\n\n{line}")
    assert article.body == story and article.removed == {"link": 1}


def test_a_paragraph_about_shares_is_story() -> None:
    raw = (
        "Share prices fell sharply on Monday.\n\nThe company said it would cut 200 jobs. "
        "Its chief executive resigned on Friday."
    )
    assert clean_text(raw).body == raw
