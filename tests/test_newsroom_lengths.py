"""Newsroom lengths: X's weighted count, rule-based compression, fitting a purpose; and
every BBC dev article through seo_description, social and key_points; and lengths in other
languages and scripts (accented letters, CJK weighing 2, real French articles)."""

from __future__ import annotations

import json
import unicodedata
from itertools import islice

import pytest

from bench.server import REPO_ROOT
from service.editorial.fitting import Candidate, fit_purpose, fit_text, fits, rank_candidates
from service.editorial.purposes import CHARACTERS, POLICIES, SEO_MAX_CHARS, SOCIAL_MAX_WEIGHTED
from service.text.compression import ELLIPSIS, compress
from service.text.sentences import split_sentences
from service.text.x_length import x_weighted_length

key_point_count = POLICIES["key_points"].bullets.count_for  # type: ignore[union-attr]  # a list purpose

LINK = "https://www.bbc.co.uk/news/world-12345678"


def test_x_weighted_length_follows_twitter_text_v3() -> None:
    assert x_weighted_length("a" * 280) == 280
    assert x_weighted_length("漢" * 140) == 280  # CJK weighs 2
    assert x_weighted_length("Read more: https://example.com/a/very/long/path?with=query&and=more") == 11 + 23
    assert x_weighted_length("see bbc.co.uk.") == 4 + 23 + 1  # bare domains are URLs too; the full stop is not
    assert x_weighted_length("‘quoted’ — “yes”") == 16  # U+2018-201D and U+2014 are in the weight-1 ranges
    assert x_weighted_length("…") == 2 and x_weighted_length("€") == 2
    assert x_weighted_length("👨‍👩‍👧") == 2 and x_weighted_length("👍🏽") == 2  # one emoji sequence, weight 2
    assert x_weighted_length("e\u0301") == 1  # NFC first: é is one code point


@pytest.mark.parametrize(
    ("sentence", "expected", "rules"),
    [
        (
            "The minister, who took office in May, said the plan would cost £2bn (about $2.6bn) over five years.",
            "The minister said the plan would cost £2bn over five years.",
            ("parenthetical", "appositive"),
        ),
        (
            "John Smith, 45, was arrested on Monday after a car crashed into a shop in Leeds, police said.",
            "John Smith was arrested on Monday after a car crashed into a shop in Leeds.",
            ("attribution", "appositive"),
        ),
        (
            "Although sales fell in the first quarter, the company expects profits to rise by 10% this year, "
            "according to a statement.",
            "The company expects profits to rise by 10% this year.",
            ("attribution", "leading"),
        ),
        (
            "Tony Blair, the prime minister, said the election would be held on 5 May.",
            "Tony Blair said the election would be held on 5 May.",
            ("appositive",),
        ),
        (
            "Mira Nair said she was thrilled to make the film Vanity Fair - as the book has long been a favourite.",
            "Mira Nair said she was thrilled to make the film Vanity Fair.",
            ("parenthetical",),
        ),
        (
            '"Any decision [to lift the embargo] must not increase arms exports," the foreign secretary said.',
            '"Any decision must not increase arms exports," the foreign secretary said.',
            ("parenthetical",),
        ),
        (
            "The plan - backed by ministers - will go ahead next spring, said Mr Brown.",
            "The plan will go ahead next spring.",
            ("parenthetical", "attribution"),
        ),
    ],
)
def test_compress_keeps_words_verbatim_and_in_order(sentence: str, expected: str, rules: tuple[str, ...]) -> None:
    result = compress(sentence)
    assert result.text == expected and result.rules == rules
    pieces = "".join(sentence[start:end] for start, end in result.spans)
    assert pieces[1:] == result.text[1:] and pieces[0].upper() == result.text[0]  # only the first letter's case
    assert all(a < b for a, b in result.spans) and all(
        prev[1] <= nxt[0] for prev, nxt in zip(result.spans, result.spans[1:], strict=False)
    )


def test_compress_leaves_quotes_and_short_sentences_alone() -> None:
    # The speaker of a quote is not an attribution to drop, and nothing is left of a tiny sentence.
    for sentence in (
        '"We will win this," he said.',
        "Prices will rise, he said.",
        "No changes are needed here.",
        '"It was Becky Sharp, who is a memorable character, because I saw myself in her," she said.',
    ):
        result = compress(sentence)
        assert result.text == sentence and not result.compressed and result.spans == [(0, len(sentence))]


def _candidates(text: str) -> list[Candidate]:
    return [Candidate(s.text, s.start, s.end, s.index, -s.index) for s in split_sentences(text)]


def test_whole_sentences_first_then_compression_then_a_word_boundary_cut() -> None:
    short = "Ministers approved the new rail line on Tuesday after a long debate in parliament."
    fitted = fit_purpose(_candidates(short), "seo_description")
    assert fitted.text == short and not fitted.compressed and fitted.characters == len(short)

    long = (
        "The regional government, which has been under pressure from farmers for months, approved a package of "
        "emergency loans worth £40m for growers hit by the floods (the worst since 1953), officials said."
    )
    fitted = fit_purpose(_candidates(long), "seo_description")
    assert fitted.compressed and not fitted.truncated and fitted.characters <= SEO_MAX_CHARS
    piece = fitted.pieces[0]
    assert [long[a:b] for a, b in piece.spans][0].startswith("The regional government")

    unbreakable = " ".join(["Councillors"] + ["voted to extend the scheme for residents"] * 6) + "."
    fitted = fit_purpose(_candidates(unbreakable), "seo_description")
    assert fitted.truncated and fitted.text.endswith(ELLIPSIS) and fitted.characters <= SEO_MAX_CHARS
    kept = fitted.text[: -len(ELLIPSIS)]
    assert unbreakable.startswith(kept) and unbreakable[len(kept)] == " "  # never cut mid-word
    assert [unbreakable[a:b] for a, b in fitted.pieces[0].spans] == [kept]


def test_social_leaves_room_for_a_link_by_weighted_length() -> None:
    cjk = "東京都は火曜日、新しい防災計画を発表した。" * 20
    fitted = fit_purpose([Candidate(cjk, 0, len(cjk), 0)], "social")
    assert fitted.weighted_length <= SOCIAL_MAX_WEIGHTED and fitted.text
    assert x_weighted_length(f"{fitted.text} {LINK}") <= 280


def test_key_points_are_three_to_five_distinct_bullets() -> None:
    subjects = ["The mayor", "A local bakery", "Three nurses", "The river board", "Our reporter", "Two schools"]
    actions = ["opened a new office", "won an award", "closed for repairs", "asked for more money", "moved to Cork"]
    times = ["on Monday", "last year", "in the spring", "after the storm"]
    sentences = [f"{s} {a} {t} in the town." for s in subjects for a in actions for t in times][:40]
    fitted = fit_purpose(_candidates(" ".join(sentences)), "key_points")
    assert len(fitted.pieces) == key_point_count(40) == 5
    assert len({p.text for p in fitted.pieces}) == 5
    assert fitted.text.splitlines()[0].startswith("- ") and fits(fitted.text, "key_points")
    assert key_point_count(3) == 3 and key_point_count(20) == 4
    # Near-repeats are one point, not two.
    repeated = " ".join(f"Point number {i} of the story concerns one subject, item {i}." for i in range(40))
    assert len(fit_purpose(_candidates(repeated), "key_points").pieces) < 5


def test_key_points_of_the_seed_article(seed_text: str) -> None:
    from service.text.cleaning import clean_text

    body = clean_text(seed_text).body
    candidates = _candidates(body)
    fitted = fit_purpose(candidates, "key_points")
    assert len(fitted.pieces) == key_point_count(len(candidates)) == 3
    assert [p.index for p in fitted.pieces] == sorted(p.index for p in fitted.pieces)
    _assert_spans_match(body, fitted)


def test_generated_text_that_missed_its_budget() -> None:
    generated = (
        "The council, which met on Monday evening, approved a new budget that raises local taxes by 4% to pay for "
        "road repairs and libraries, the mayor said. It will take effect in April."
    )
    assert not fits(generated, "seo_description")
    fitted = fit_text(generated, "seo_description")
    assert 0 < fitted.characters <= SEO_MAX_CHARS and fits(fitted.text, "seo_description")


def test_generated_bullets_become_key_points() -> None:
    generated = (
        "- The council approved a new budget for the town on Monday.\n"
        "* Local taxes will rise by four per cent from April onwards.\n"
        "3. Libraries and road repairs get most of the extra money raised."
    )
    fitted = fit_text(generated, "key_points")
    assert [p.text for p in fitted.pieces] == [
        "The council approved a new budget for the town on Monday.",
        "Local taxes will rise by four per cent from April onwards.",
        "Libraries and road repairs get most of the extra money raised.",
    ]
    assert all(generated[p.spans[0][0] : p.spans[0][1]] == p.text for p in fitted.pieces)
    assert fits(fitted.text, "key_points")


def test_summary_has_no_budget_here() -> None:
    with pytest.raises(ValueError):
        fit_purpose(_candidates("One sentence that is long enough here."), "summary")


@pytest.fixture(scope="module")
def ranked_dev(dev_articles: list[dict[str, str]]):
    try:
        from bench.ranked import load_embedder, rank_article

        embedder = load_embedder()
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    return [rank_article(embedder, row) for row in dev_articles]


def test_every_dev_article_fits_every_purpose(ranked_dev) -> None:
    assert len(ranked_dev) == 200
    for article in ranked_dev:
        candidates = rank_candidates(article.sentences, article.scores)
        for top in (3, 1):
            seo = fit_purpose(candidates, "seo_description", top=top)
            social = fit_purpose(candidates, "social", top=top)
            assert seo.text.strip() and 0 < seo.characters <= SEO_MAX_CHARS, article.id
            assert social.text.strip() and x_weighted_length(f"{social.text} {LINK}") <= 280, article.id
            for fitted in (seo, social):
                _assert_spans_match(article.body, fitted)
        points = fit_purpose(candidates, "key_points")
        assert 1 <= len(points.pieces) <= 5 and all(p.text.strip() for p in points.pieces), article.id


def _assert_spans_match(body: str, fitted) -> None:
    for piece in fitted.pieces:
        source = "".join(body[a:b] for a, b in piece.spans)
        text = piece.text.removesuffix(ELLIPSIS) if piece.truncated else piece.text
        assert source[1:] == text[1:] and source[0].upper() == text[0].upper()


# --- Other languages ------------------------------------------------------------------------

FR_DEV = REPO_ROOT.parent / "shared" / "data" / "fr-orangesum-dev.jsonl"


def test_seo_description_counts_an_accented_letter_as_one_character() -> None:
    composed = "Le président a été réélu à l'Élysée après une élection très disputée en février. " * 2
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)  # the accents as combining marks
    assert CHARACTERS.count(decomposed) == CHARACTERS.count(composed) == len(composed)
    text = composed[:SEO_MAX_CHARS].rstrip()
    assert fits(unicodedata.normalize("NFD", text), "seo_description")
    assert len(unicodedata.normalize("NFD", text)) > SEO_MAX_CHARS  # a code-point count would refuse it
    fitted = fit_text(unicodedata.normalize("NFD", composed), "seo_description")
    assert 0 < fitted.characters <= SEO_MAX_CHARS


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("été à l'Élysée", 14),  # accented Latin: one each
        ("Привет, мир", 11),  # Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai: one each
        ("Γειά σου", 8),
        ("مرحبا", 5),
        ("नमस्ते", 6),
        ("東京都", 6),  # CJK ideographs: two each
        ("ひらがなカタカナ", 16),  # Japanese kana: two each
        ("한국어 뉴스", 11),  # Hangul syllables two each, the space one
        ("東京 Tokyo", 10),
    ],
)
def test_social_counts_as_x_does_in_every_script(text: str, weight: int) -> None:
    assert x_weighted_length(text) == weight


def test_social_post_of_a_japanese_article_fits_by_weight_not_by_characters() -> None:
    sentences = [
        "東京都は火曜日、首都直下地震に備えた新しい防災計画を発表した。",
        "計画では、避難所の数を二倍に増やし、食料の備蓄を三日分から七日分に拡大する。",
        "小池知事は記者会見で「都民の命を守るために全力を尽くす」と述べた。",
        "専門家からは、高層マンションの住民への対策が不十分だとの指摘も出ている。",
    ]
    body = "".join(sentences)
    candidates = [Candidate(s, body.index(s), body.index(s) + len(s), i, -float(i)) for i, s in enumerate(sentences)]
    social = fit_purpose(candidates, "social")
    assert x_weighted_length(f"{social.text} {LINK}") <= 280
    assert len(social.text) < SOCIAL_MAX_WEIGHTED  # fewer characters than the weighted budget: each weighs 2
    assert x_weighted_length(social.text) > len(social.text)
    _assert_spans_match(body, social)


def _french_candidates(count: int) -> list[tuple[str, list[Candidate]]]:
    from service.text.cleaning import clean_text

    if not FR_DEV.is_file():
        pytest.skip("../shared/data/fr-orangesum-dev.jsonl is not present")
    articles = []
    with FR_DEV.open(encoding="utf-8") as handle:
        for line in islice(handle, count):
            body = clean_text(json.loads(line)["article"], language="fr").body
            sentences = split_sentences(body, "fr")
            # Lead order stands for the ranking: the fitting is what is under test here.
            articles.append((body, rank_candidates(sentences, [-float(s.index) for s in sentences])))
    return articles


def test_real_french_articles_fit_every_purpose_in_french() -> None:
    from service.text.language import detect_language

    for body, candidates in _french_candidates(80):
        seo = fit_purpose(candidates, "seo_description")
        social = fit_purpose(candidates, "social")
        points = fit_purpose(candidates, "key_points")
        assert 0 < seo.characters <= SEO_MAX_CHARS
        assert x_weighted_length(f"{social.text} {LINK}") <= 280
        assert 1 <= len(points.pieces) <= 5
        for fitted in (seo, social, points):
            _assert_spans_match(body, fitted)  # the article's own words, so its language
        assert detect_language(" ".join(p.text for p in points.pieces)).code == "fr"
