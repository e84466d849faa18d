from service.text.cleaning import clean_text, normalise
from tests.conftest import SEED_BOILERPLATE


def test_seed_article_loses_all_boilerplate(seed_text: str) -> None:
    article = clean_text(seed_text)
    assert article.title == "North Korea and China in talks to repair frayed relationship"
    assert article.standfirst.startswith("Meetings expected to focus")
    for fragment in SEED_BOILERPLATE:
        assert fragment not in article.body, fragment
    assert article.body.startswith("Negotiators from communist allies")
    assert article.body.endswith("arsenal of nuclear weapons.")
    assert article.removed == {"caption": 1, "duplicate": 2, "link": 1, "fragment": 1, "byline": 1, "bio": 1}


def test_hard_wrapped_lines_are_joined() -> None:
    article = clean_text("The minister said the plan\nwould cost more than expected.\nShe left early.")
    assert article.body == "The minister said the plan would cost more than expected.\nShe left early.".replace("\n", "\n\n")


def test_explicit_title_drops_matching_first_line() -> None:
    article = clean_text("Big news today\n\nSomething happened in town. It was big.", title="Big news today")
    assert article.title == "Big news today"
    assert article.body == "Something happened in town. It was big."


def test_captions_links_and_bylines_are_removed() -> None:
    raw = "\n\n".join([
        "Storm hits coast",
        "By Jane Smith and Tom Jones",
        "Waves crash over the harbour wall on Monday. (Getty Images)",
        "A storm hit the coast on Monday, cutting power to 20,000 homes.",
        "Read more: how storms are named",
        "Advertisement",
        "Engineers expect to restore power by Wednesday.",
    ])
    article = clean_text(raw)
    assert article.title == "Storm hits coast"
    assert article.body == (
        "A storm hit the coast on Monday, cutting power to 20,000 homes.\n\n"
        "Engineers expect to restore power by Wednesday."
    )
    assert article.removed["caption"] == 1 and article.removed["byline"] == 1 and article.removed["link"] == 2


def test_unpunctuated_note_is_kept_when_nothing_else_is() -> None:
    assert clean_text("the council approved the new budget on tuesday").body == (
        "the council approved the new budget on tuesday"
    )
    assert clean_text("Clifford Coonan").body == ""


def test_normalise_unifies_spaces_newlines_and_invisibles() -> None:
    assert normalise("A\u00a0b\u200b c\r\nd\u2029e") == "A b c\nd\n\ne"
