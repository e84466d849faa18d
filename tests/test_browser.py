"""The editors' page in a real browser: Playwright driving Debian's Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.server import REPO_ROOT, LiveServer
from tests.support import LANGUAGE_TEXTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "artifacts"
GERMAN = LANGUAGE_TEXTS / "de.txt"
DESKTOP = {"width": 1280, "height": 900}
# The summary's text as the page shows it, without the "(shortened)" tags.
SUMMARY_TEXTS = """lis => lis.map(li => [...li.childNodes]
    .filter(node => !(node.classList && node.classList.contains('tag'))).map(node => node.textContent).join(''))"""


@pytest.fixture(scope="module")
def page(server: LiveServer):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport=DESKTOP)
        yield context.new_page()
        browser.close()


def test_seed_article_is_summarised_and_highlighted(page, server: LiveServer, seed_text: str) -> None:
    page.goto(server.url + "/")
    page.wait_for_function("document.querySelector('#model-line').textContent.includes('embedded')")
    page.fill("#article", seed_text)
    page.click("#submit")
    page.wait_for_selector("#summary li")
    sentences = page.locator("#summary li")
    assert sentences.count() == 3
    assert sentences.first.inner_text().startswith("Negotiators from communist allies")
    assert "Summarised all 432 words in one part." in page.inner_text("#coverage")
    # The article is shown, cleaned: no caption or byline.
    source = page.inner_text("#source")
    assert "Photograph" not in source and "Clifford Coonan" not in source
    # Hovering a summary sentence highlights its source sentence in the article.
    sentences.nth(1).hover()
    active = page.locator("#source .src.active")
    assert active.count() == 1 and active.first.inner_text() == sentences.nth(1).inner_text()
    # Keyboard: focusing the third sentence moves the highlight.
    sentences.nth(2).focus()
    assert page.locator("#source .src.active").first.inner_text() == sentences.nth(2).inner_text()
    # Streamed, shown sentence by sentence, then the final render: the language is detected.
    assert page.inner_text("#language") == "Language: English."
    assert page.locator("#focus-note").is_hidden() and page.locator("#stream-status").is_hidden()


def test_errors_are_readable_messages(page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.fill("#article", "... --- !!! 123")  # no sentence at all
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    message = page.inner_text("#error")
    assert "No article sentences were found" in message and "{" not in message
    assert page.locator("#result").is_hidden()


def test_phone_width_stacks_the_panels(page, server: LiveServer, seed_text: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        _phone_layout(page, server, seed_text)
    finally:  # the page is shared: the next tests see the desktop width again
        page.set_viewport_size(DESKTOP)


def _phone_layout(page, server: LiveServer, seed_text: str) -> None:
    page.goto(server.url + "/")
    page.fill("#article", seed_text)
    page.select_option("#length-unit", "max_words")
    page.fill("#length-value", "50")
    page.click("#submit")
    page.wait_for_selector("#summary li")
    words = sum(
        len(page.locator("#summary li").nth(i).inner_text().split()) for i in range(page.locator("#summary li").count())
    )
    assert 0 < words <= 50
    boxes = [page.locator(".panel").nth(i).bounding_box() for i in range(2)]
    assert boxes[1]["y"] > boxes[0]["y"] and boxes[0]["width"] <= 390
    page.screenshot(path=str(ARTIFACTS / "editors-page-phone.png"), full_page=True)


def _summarise(page, server: LiveServer, text: str, focus: str = "", purpose: str = "summary") -> None:
    page.goto(server.url + "/")
    page.fill("#article", text)
    page.fill("#focus", focus)
    page.select_option("#purpose", purpose)
    page.click("#submit")
    page.wait_for_selector("#count:not(:empty)")


def test_focus_notice_only_when_nothing_matches(page, server: LiveServer, seed_text: str) -> None:
    _summarise(page, server, seed_text, focus="nuclear threats")
    assert page.locator("#focus-note").is_hidden()
    focused = page.eval_on_selector_all("#summary li", SUMMARY_TEXTS)
    assert focused and any("nuclear" in sentence for sentence in focused)

    _summarise(page, server, seed_text, focus="Premier League football transfers")
    assert page.locator("#focus-note").is_visible()
    assert page.inner_text("#focus-note") == (
        "Nothing in this article is about “Premier League football transfers”: here is the general summary."
    )
    # The general summary, as without a focus.
    assert page.locator("#summary li").first.inner_text().startswith("Negotiators from communist allies")
    assert page.get_attribute("#focus", "maxlength") == "200"


def test_seo_description_fits_and_shows_its_count(page, server: LiveServer, seed_text: str) -> None:
    page.goto(server.url + "/")
    page.select_option("#purpose", "seo_description")
    # The purpose sets its own length: the length and format controls step aside.
    assert page.locator("#length-unit").is_disabled() and page.locator("#format").is_disabled()
    _summarise(page, server, seed_text, purpose="seo_description")
    shown = " ".join(page.eval_on_selector_all("#summary li", SUMMARY_TEXTS))
    assert 0 < len(shown) <= 155
    assert page.inner_text("#count") == f"{len(shown)} of 155 characters."


def test_social_post_counts_weighted_characters(page, server: LiveServer, seed_text: str) -> None:
    _summarise(page, server, seed_text, purpose="social")
    count = page.inner_text("#count")
    measured, rest = count.split(" of ", 1)
    limit = int(rest.split(" ")[0])
    assert 0 < int(measured) <= limit <= 280
    assert "weighted characters, as X counts them" in count and "left for a link" in count


def test_sentences_arrive_through_the_stream(page, server: LiveServer, seed_text: str) -> None:
    page.goto(server.url + "/")
    page.fill("#article", seed_text)
    # Record every sentence the page adds while the stream is read, before the final render.
    page.evaluate("""() => {
        window.arrived = [];
        new MutationObserver(records => records.forEach(record => record.addedNodes.forEach(node => {
            if (node.classList && node.classList.contains('arriving')) window.arrived.push(node.textContent);
        }))).observe(document.querySelector('#summary'), {childList: true});
    }""")
    with page.expect_response(lambda r: r.url.endswith("/v1/summarize")) as caught:
        page.click("#submit")
    response = caught.value
    assert response.request.headers["accept"] == "text/event-stream"
    assert response.headers["content-type"].startswith("text/event-stream")
    page.wait_for_selector("#count:not(:empty)")
    final = page.eval_on_selector_all("#summary li", SUMMARY_TEXTS)
    assert len(final) == 3 and final[0].startswith("Negotiators from communist allies")
    assert page.evaluate("window.arrived") == final  # each sentence came through the stream first
    assert page.locator("#summary li.arriving").count() == 0  # then the final render replaced them
    assert page.locator("#stream-status").is_hidden()
    # The final render keeps the highlighting.
    page.locator("#summary li").nth(0).click()
    assert page.locator("#source .src.active").first.inner_text() == final[0]


def test_an_article_in_german_is_summarised_and_its_language_shown(page, server: LiveServer) -> None:
    # The default model summarises any language: the page says which, and how it was read.
    page.goto(server.url + "/")
    page.fill("#article", GERMAN.read_text(encoding="utf-8"))
    page.click("#submit")
    page.wait_for_selector("#count:not(:empty)")
    assert page.inner_text("#language") == (
        "Language: German. Sentences split by German rules; ranked by the words sentences share "
        "(no embedding model for this language)."
    )
    assert page.locator("#summary li").first.inner_text().startswith("Der Stadtrat hat am Dienstagabend")
    assert page.locator("#error").is_hidden() and page.locator("#force-box").is_hidden()


def test_keyboard_and_screenshot(page, server: LiveServer, seed_text: str) -> None:
    page.goto(server.url + "/")
    page.fill("#article", seed_text)
    # Tab order: article → … → focus → purpose; labels name every control.
    page.focus("#focus")
    page.keyboard.type("the talks in Beijing")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "purpose"
    page.keyboard.press("ArrowDown")  # key points
    assert page.input_value("#purpose") == "key_points"
    for control in ("focus", "purpose", "length-unit", "format"):
        assert page.locator(f"label[for={control}]").count() == 1
    page.focus("#focus")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("#count:not(:empty)")
    points = page.locator("#summary li")
    assert 3 <= points.count() <= 5
    # Every point, shortened or cut or whole, highlights the article words it comes from.
    page.mouse.move(0, 0)
    for i in reversed(range(points.count())):
        points.nth(i).focus()
        active = page.locator("#source .src.active")
        assert active.count() >= 1
        first_words = " ".join(active.first.inner_text().split()[:3])
        assert points.nth(i).inner_text().startswith(first_words)
    page.screenshot(path=str(REPO_ROOT / "docs" / "editors-page.png"), full_page=True)
