"""The editors' page in a real browser: Playwright driving Debian's Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.server import REPO_ROOT, LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "artifacts"


@pytest.fixture(scope="module")
def page(server: LiveServer):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editors-page.png"), full_page=True)


def test_errors_are_readable_messages(page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.fill("#article", "Clifford Coonan\n\nREAD SOME MORE")
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    message = page.inner_text("#error")
    assert "No article sentences were found" in message and "{" not in message
    assert page.locator("#result").is_hidden()


def test_phone_width_stacks_the_panels(page, server: LiveServer, seed_text: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + "/")
    page.fill("#article", seed_text)
    page.select_option("#length-unit", "max_words")
    page.fill("#length-value", "50")
    page.click("#submit")
    page.wait_for_selector("#summary li")
    words = sum(len(page.locator("#summary li").nth(i).inner_text().split())
                for i in range(page.locator("#summary li").count()))
    assert 0 < words <= 50
    boxes = [page.locator(".panel").nth(i).bounding_box() for i in range(2)]
    assert boxes[1]["y"] > boxes[0]["y"] and boxes[0]["width"] <= 390
    page.screenshot(path=str(ARTIFACTS / "editors-page-phone.png"), full_page=True)
