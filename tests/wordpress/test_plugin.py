"""The Précis plugin in a real WordPress against a real Précis: publishing through the REST API
fills the meta, the excerpt and the page's meta description with what Précis answers; an
editor's excerpt stays; the settings page never shows the key; an archive backfill runs as a
Précis job whose signed webhook writes the results back; a forged webhook is refused; and a
failing Précis (a wrong key, a timeout, Précis stopped) never stops a post from publishing.

The tests run in this order; the last one stops Précis's API and starts it again."""

from __future__ import annotations

import html
import json
import re
import socket
import time
from datetime import UTC, datetime
from typing import Any

import requests
from standardwebhooks.webhooks import Webhook

from integrations.wordpress.stack import ADMIN, WordPressSite
from tests.conftest import SEED_PATH
from tests.wordpress.conftest import API_KEY, WEBHOOK_SECRET, Precis, WordPressClient, article_html

META = {
    "summary": "precis_summary",
    "key_points": "precis_key_points",
    "seo_description": "precis_seo_description",
    "social": "precis_social",
}


def seed_post() -> tuple[str, str]:
    title, _, body = SEED_PATH.read_text(encoding="utf-8").partition("\n")
    return title.strip(), article_html(body)


def assert_filled_as_precis_answers(precis: Precis, post: dict[str, Any], *, excerpt: bool = True) -> None:
    """Each field equals Précis's own answer for the post's stored HTML and title."""
    html_sent, title = post["content"]["raw"], post["title"]["raw"]
    answers = {purpose: precis.summarize(html=html_sent, title=title, purpose=purpose) for purpose in META}
    for purpose, key in META.items():
        assert post["meta"][key] == answers[purpose]["summary"], purpose
    assert json.loads(post["meta"]["precis_model"]) == answers["summary"]["model"]
    assert len(post["meta"]["precis_seo_description"]) <= 155
    assert post["meta"]["precis_error"] == ""
    if excerpt:  # the summary as HTML text
        assert post["excerpt"]["raw"] == html.escape(answers["summary"]["summary"], quote=False)


def test_publishing_fills_the_fields_the_excerpt_and_the_meta_description(
    precis: Precis, wordpress: WordPressSite, wp: WordPressClient
) -> None:
    title, body = seed_post()
    post = wp.publish(title, body)
    assert post["status"] == "publish"
    assert_filled_as_precis_answers(precis, post)
    page = requests.get(post["link"], timeout=60)
    assert page.status_code == 200
    descriptions = re.findall(r'<meta name="description" content="([^"<>]*)"', page.text)
    assert [html.unescape(d) for d in descriptions] == [post["meta"]["precis_seo_description"]]

    # With an SEO plugin active (Yoast's constant, from a must-use plugin), it prints its own: none here.
    must_use = wordpress.site / "wp-content" / "mu-plugins"
    must_use.mkdir(exist_ok=True)
    (must_use / "seo-plugin.php").write_text("<?php define('WPSEO_VERSION', '21.0');\n")
    try:
        assert 'name="description"' not in requests.get(post["link"], timeout=60).text
    finally:
        (must_use / "seo-plugin.php").unlink()

    # An update of the content asks again: the excerpt Précis wrote follows the new summary.
    shorter = "\n".join(body.splitlines()[:8])
    response = wp.rest("POST", f"/wp/v2/posts/{post['id']}", json={"content": shorter})
    assert response.status_code == 200, response.text
    updated = wp.post(post["id"])
    assert updated["meta"]["precis_summary"] != post["meta"]["precis_summary"]
    assert_filled_as_precis_answers(precis, updated)


def test_a_classic_plain_text_post_is_summarised_as_wordpress_shows_it(
    precis: Precis, wordpress: WordPressSite, wp: WordPressClient
) -> None:
    """Paragraphs as blank lines (the classic editor's way): sent with their <p> as displayed."""
    title, _, body = SEED_PATH.read_text(encoding="utf-8").partition("\n")
    post = wp.publish(title.strip() + " (classic)", body)
    assert post["meta"]["precis_error"] == ""
    assert post["excerpt"]["raw"] == html.escape(post["meta"]["precis_summary"], quote=False) != ""
    # WordPress's own paragraph markup (wpautop), as its pages show the post.
    shown = wordpress.php("echo json_encode(wpautop($precis_input['raw']));", raw=post["content"]["raw"])
    assert shown.count("<p>") > 5
    answer = precis.summarize(html=shown, title=post["title"]["raw"], purpose="summary")
    assert post["meta"]["precis_summary"] == answer["summary"]


def test_an_editors_excerpt_is_never_overwritten(precis: Precis, wp: WordPressClient) -> None:
    title, body = seed_post()
    own = "Our editor's own standfirst: the talks, in one line."
    post = wp.publish(title, body, excerpt=own)
    assert post["excerpt"]["raw"] == own
    assert_filled_as_precis_answers(precis, post, excerpt=False)

    # A Précis excerpt that an editor then rewrites is theirs from then on.
    second = wp.publish(title + " (2)", body)
    assert second["excerpt"]["raw"] == html.escape(second["meta"]["precis_summary"], quote=False)
    response = wp.rest("POST", f"/wp/v2/posts/{second['id']}", json={"excerpt": own})
    assert response.status_code == 200, response.text
    response = wp.rest("POST", f"/wp/v2/posts/{second['id']}", json={"content": body + "<p>Updated at noon.</p>"})
    assert response.status_code == 200, response.text
    assert wp.post(second["id"])["excerpt"]["raw"] == own


def admin_session(site: WordPressSite) -> requests.Session:
    """Logged in through wp-login.php, as a person would be."""
    state = json.loads((site.folder / "state.json").read_text())
    session = requests.Session()
    session.cookies.set("wordpress_test_cookie", "WP Cookie check")
    response = session.post(
        f"{site.url}/wp-login.php",
        data={"log": ADMIN, "pwd": state["admin_password"], "wp-submit": "Log In", "testcookie": "1"},
        timeout=60,
    )
    assert response.status_code == 200 and "wp-admin" in response.url, response.url
    return session


def test_the_settings_page_never_prints_the_key_or_the_secret(wordpress: WordPressSite) -> None:
    page = admin_session(wordpress).get(f"{wordpress.url}/wp-admin/options-general.php?page=precis", timeout=60)
    assert page.status_code == 200
    assert API_KEY not in page.text and WEBHOOK_SECRET not in page.text
    assert WEBHOOK_SECRET.removeprefix("whsec_") not in page.text
    assert page.text.count('<span class="precis-secret-state">set</span>') == 2
    assert 'type="password"' in page.text


def test_the_row_action_summarises_a_post_with_a_nonce_only(
    precis: Precis, wordpress: WordPressSite, wp: WordPressClient
) -> None:
    title, body = seed_post()
    wordpress.update_settings(on_publish=False)
    try:
        post = wp.publish(title + " (row action)", body)
    finally:
        wordpress.update_settings(on_publish=True)
    assert post["meta"]["precis_summary"] == ""
    session = admin_session(wordpress)
    listing = session.get(f"{wordpress.url}/wp-admin/edit.php", timeout=60).text
    links = [html.unescape(href) for href in re.findall(r'href="([^"]*action=precis_summarise[^"]*)"', listing)]
    link = next((href for href in links if f"post={post['id']}&_wpnonce=" in href), None)
    assert link, "no Summarise with Précis row action"
    without_nonce = f"{wordpress.url}/wp-admin/admin-post.php?action=precis_summarise&post={post['id']}"
    assert session.get(without_nonce, timeout=60).status_code == 403
    assert wp.post(post["id"])["meta"]["precis_summary"] == ""
    done = session.get(link, headers={"Referer": f"{wordpress.url}/wp-admin/edit.php"}, timeout=120)
    assert done.status_code == 200 and "precis=done" in done.url
    assert "Précis summarised the post." in done.text
    assert_filled_as_precis_answers(precis, wp.post(post["id"]))


def test_archive_backfill_runs_as_one_job_whose_webhook_writes_the_results(
    precis: Precis, wordpress: WordPressSite, wp: WordPressClient, dev_articles: list[dict[str, str]]
) -> None:
    wordpress.update_settings(on_publish=False)
    try:
        posts = []
        for article in dev_articles[:20]:
            title, _, body = article["article"].partition("\n")
            posts.append(wp.publish(title.strip(), article_html(body)))
    finally:
        wordpress.update_settings(on_publish=True)
    assert all(post["meta"]["precis_summary"] == "" for post in posts)
    listed = wp.rest("GET", "/wp/v2/posts", params={"context": "edit", "per_page": 100}).json()
    # The job holds every published post without a Précis summary (WordPress's "Hello world!" too).
    unsummarised = {post["id"] for post in listed if post["meta"]["precis_model"] == ""}
    assert unsummarised >= {post["id"] for post in posts}

    session = admin_session(wordpress)
    settings_page = session.get(f"{wordpress.url}/wp-admin/options-general.php?page=precis", timeout=60).text
    form = settings_page[settings_page.index('value="precis_backfill"') :]
    nonce = re.search(r'name="_wpnonce" value="([^"]+)"', form).group(1)
    # Without the nonce the action is refused; with it, the job is submitted.
    refused = session.post(f"{wordpress.url}/wp-admin/admin-post.php", data={"action": "precis_backfill"}, timeout=60)
    assert refused.status_code == 403
    response = session.post(
        f"{wordpress.url}/wp-admin/admin-post.php",
        data={"action": "precis_backfill", "_wpnonce": nonce, "_wp_http_referer": "/wp-admin/"},
        timeout=120,
    )
    assert response.status_code == 200 and "Summarise the archive" in response.text, response.text[-2000:]
    jobs = wordpress.php("echo json_encode(get_option('precis_jobs'));")
    assert len(jobs) == 1
    (job_id,) = jobs
    assert f"Submitted to Précis as job {job_id}" in response.text

    # Nothing polls: the worker finishes the job, Précis calls the webhook, WordPress writes.
    deadline = time.monotonic() + 300
    while (status := wordpress.php("echo json_encode(get_option('precis_jobs'));")[job_id]["status"]) != "written":
        assert status in ("queued", "running", "succeeded", "writing") and time.monotonic() < deadline, (
            status,
            precis.worker.log()[-3000:],
        )
        time.sleep(1)
    job = requests.get(f"{precis.url}/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60)
    assert job.json()["status"] == "succeeded" and job.json()["total"] == len(unsummarised) * len(META)
    for post in posts:
        assert_filled_as_precis_answers(precis, wp.post(post["id"]))


def signed(body: bytes, timestamp: float) -> dict[str, str]:
    """Headers of a webhook signed by the standardwebhooks library (the one Précis signs with)."""
    message_id = f"msg_{int(timestamp * 1000)}"
    signature = Webhook(WEBHOOK_SECRET).sign(message_id, datetime.fromtimestamp(timestamp, tz=UTC), body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }


def test_a_forged_or_stale_webhook_is_refused(wordpress: WordPressSite) -> None:
    url = f"{wordpress.url}/?rest_route=/precis/v1/webhook"
    body = json.dumps({"type": "job.succeeded", "timestamp": "", "data": {"id": "no-such-job"}}).encode()
    genuine = signed(body, time.time())
    forged = {**genuine, "webhook-signature": "v1," + "A" * 43 + "="}
    assert requests.post(url, data=body, headers=forged, timeout=60).status_code == 401
    stale = signed(body, time.time() - 600)
    assert requests.post(url, data=body, headers=stale, timeout=60).status_code == 401
    assert requests.post(url, data=body + b" ", headers=genuine, timeout=60).status_code == 401
    assert requests.post(url, data=body, timeout=60).status_code == 401
    # The same body, signed: accepted (the job is unknown to Précis, so nothing is written).
    assert requests.post(url, data=body, headers=genuine, timeout=60).status_code in (200, 503)


def test_the_php_verifier_accepts_what_standardwebhooks_signs(wordpress: WordPressSite) -> None:
    """Signatures from the Python library, checked by the plugin's PHP: rotation (several v1
    values), a wrong secret, the 5-minute window both ways."""
    now = time.time()
    body = '{"type": "job.succeeded", "data": {"id": "é"}}'
    cases = []
    for offset, expected in ((0, True), (-299, True), (-301, False), (299, True), (301, False)):
        headers = signed(body.encode(), now + offset)
        cases.append({**headers, "body": body, "now": int(now), "expected": expected})
    rotated = {**cases[0], "webhook-signature": "v1,bm90IGl0 " + cases[0]["webhook-signature"]}
    wrong_secret = {**cases[0], "secret": "whsec_" + "QUJD" * 8, "expected": False}
    results = wordpress.php(
        """$out = array();
        foreach ($precis_input['cases'] as $c) {
            $secret = $c['secret'] ?? $precis_input['secret'];
            $out[] = Precis_Signature::verify($secret, $c['webhook-id'], $c['webhook-timestamp'],
                $c['webhook-signature'], $c['body'], $c['now']) === $c['expected'];
        }
        echo json_encode($out);""",
        cases=[*cases, rotated, wrong_secret],
        secret=WEBHOOK_SECRET,
    )
    assert results == [True] * (len(cases) + 2)


def test_a_failing_precis_never_blocks_publishing(
    precis: Precis, wordpress: WordPressSite, wp: WordPressClient
) -> None:
    title, body = seed_post()
    # A 4xx: the key is not valid (403).
    wordpress.update_settings(api_key="not-the-key")
    try:
        refused = wp.publish(title, body)
    finally:
        wordpress.update_settings(api_key=API_KEY)
    assert refused["status"] == "publish"
    assert "403" in refused["meta"]["precis_error"] and refused["meta"]["precis_summary"] == ""

    # A timeout: a server on loopback that takes the connection and never answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        wordpress.update_settings(url=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=1)
        try:
            waited = wp.publish(title, body)
        finally:
            wordpress.update_settings(url=precis.url, timeout=15)
    assert waited["status"] == "publish" and waited["meta"]["precis_summary"] == ""
    assert "timed out" in waited["meta"]["precis_error"], waited["meta"]

    # Précis stopped: the post publishes, the error is kept, a retry is scheduled.
    precis.api.stop()
    # An embed only an administrator may post (unfiltered_html): WP-Cron's retry, run without a
    # user, must leave the content as it is.
    embed = '<p><iframe src="https://example.invalid/map" title="map"></iframe></p>'
    post = wp.publish(title, body + embed)
    assert embed in post["content"]["raw"]
    assert post["status"] == "publish"
    assert "could not be reached" in post["meta"]["precis_error"], post["meta"]
    assert post["meta"]["precis_summary"] == "" and post["excerpt"]["raw"] == ""
    scheduled = wordpress.php(
        "echo json_encode(wp_next_scheduled('precis_retry', array((int) $precis_input['id'])));", id=post["id"]
    )
    assert scheduled and scheduled > time.time()
    session = admin_session(wordpress)
    edit = session.get(f"{wordpress.url}/wp-admin/post.php?post={post['id']}&action=edit", timeout=60)
    assert "Précis could not summarise this post" in edit.text
    box = edit.text[edit.text.index('id="precis"') :]
    assert "Last attempt failed" in box and "Summarise with Précis" in box

    # Back up: the retry (WP-Cron's hook, run now) fills the post and clears the error.
    precis.api.start()
    wordpress.php("do_action('precis_retry', (int) $precis_input['id']); echo json_encode(true);", id=post["id"])
    retried = wp.post(post["id"])
    assert_filled_as_precis_answers(precis, retried)
    assert retried["content"]["raw"] == post["content"]["raw"]
