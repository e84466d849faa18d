"""The batch endpoint, the Python client and the command line."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bench.server import LiveServer, free_port
from service.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE, main
from service.client import PrecisClient, PrecisError
from tests.support import LANGUAGE_TEXTS, assert_problem


def test_batch_answers_each_item_and_isolates_bad_ones(client: FlaskClient, seed_text: str, dev_articles) -> None:
    items = [
        {"id": "seed", "text": seed_text, "length": "short"},
        {"id": "bad-length", "text": seed_text, "max_sentences": 0},
        {"id": "dev", "text": dev_articles[3]["article"], "format": "bullets"},
        {"id": "empty", "text": "   "},
        "not an object",
    ]
    response = client.post("/v1/summarize/batch", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.get_json()["items"]
    assert [r["id"] for r in results] == ["seed", "bad-length", "dev", "empty", "#4"]
    assert [r["status"] for r in results] == [200, 422, 200, 422, 422]
    assert len(results[0]["result"]["sentences"]) == 2
    assert results[2]["result"]["summary"].startswith("- ")
    assert results[1]["error"]["type"].endswith("invalid-request") and "max_sentences" in results[1]["error"]["detail"]


def test_batch_limits_and_shape(client: FlaskClient, seed_text: str) -> None:
    too_many = {"items": [{"id": str(i), "text": seed_text} for i in range(33)]}
    assert_problem(client.post("/v1/summarize/batch", json=too_many), 422, "at most 32")
    assert_problem(client.post("/v1/summarize/batch", json={"items": []}), 422)
    assert_problem(client.post("/v1/summarize/batch", data=b"x", headers={"Content-Type": "text/plain"}), 415)


class _Flaky(BaseHTTPRequestHandler):
    """Answers 429 (Retry-After: 0) twice, then 200: what the client must ride out."""

    calls = 0

    def do_POST(self) -> None:  # http.server's naming
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, body = (
            (429, {"title": "Too Many Requests", "status": 429, "detail": "slow down"})
            if type(self).calls <= 2
            else (200, {"summary": "ok"})
        )
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


def test_client_retries_429_then_succeeds() -> None:
    httpd = HTTPServer(("127.0.0.1", free_port()), _Flaky)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        client = PrecisClient(f"http://127.0.0.1:{httpd.server_port}", retries=3, backoff=0.01)
        assert client.summarize(text="x") == {"summary": "ok"}
        assert _Flaky.calls == 3
    finally:
        httpd.shutdown()


def test_client_against_the_server(server: LiveServer, seed_text: str) -> None:
    client = PrecisClient(server.url)
    assert client.ready()
    result = client.summarize(text=seed_text, max_words=60)
    assert 0 < len(result["summary"].split()) <= 60
    with pytest.raises(PrecisError) as caught:
        client.summarize(text="   ")
    assert caught.value.status == 422 and "whitespace" in caught.value.problem["detail"]
    assert client.models()["models"][0]["name"] == "embedded"


def _rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_cli_in_process_over_files_folders_jsonl_and_stdin(tmp_path: Path, seed_text: str) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "seed.txt").write_text(seed_text)
    (folder / "page.html").write_text(
        "<html><body><article><h1>Talks</h1>"
        + "".join(f"<p>{p}</p>" for p in seed_text.split("\n\n") if p.strip().endswith("."))
        + "</article></body></html>"
    )
    (folder / "more.jsonl").write_text(
        json.dumps({"id": "j1", "article": seed_text}) + "\n" + json.dumps({"id": "j2", "text": "   "}) + "\n"
    )
    out = tmp_path / "out.jsonl"
    code = main(
        ["summarize", str(folder), "-", "-o", str(out), "--length", "short", "--no-progress"],
        stdin=io.StringIO(seed_text),
    )
    rows = _rows(out.read_text())
    assert code == EXIT_SOME_FAILED  # j2 is whitespace only
    expected = ["j1", "j2", str(folder / "page.html"), str(folder / "seed.txt"), "-"]
    assert sorted(r["id"] for r in rows) == sorted(expected)
    good = [r for r in rows if "error" not in r]
    assert len(good) == 4 and all(len(r["sentences"]) == 2 for r in good)
    assert [r for r in rows if "error" in r][0]["error"]["status"] == 422


def test_cli_exit_codes(tmp_path: Path, server: LiveServer, seed_text: str) -> None:
    stdout = io.StringIO()
    assert (
        main(["summarize", "-", "--url", server.url, "--no-progress"], stdin=io.StringIO(seed_text), stdout=stdout)
        == EXIT_OK
    )
    assert _rows(stdout.getvalue())[0]["summary"].startswith("Negotiators")
    assert main(["summarize", str(tmp_path / "missing.txt"), "--no-progress"]) == EXIT_USAGE
    (tmp_path / "a.txt").write_text(seed_text)
    dead = f"http://127.0.0.1:{free_port()}"
    assert (
        main(["summarize", str(tmp_path / "a.txt"), "--url", dead, "--no-progress"], stdout=io.StringIO())
        == EXIT_UNAVAILABLE
    )
    with pytest.raises(SystemExit):
        main(["summarize"])  # argparse: PATH is required


def test_client_streams_sentences_then_the_whole_body(server: LiveServer, seed_text: str) -> None:
    client = PrecisClient(server.url)
    events = list(client.stream(text=seed_text, focus="nuclear threats", include_text=True))
    assert [e["event"] for e in events] == ["sentence"] * (len(events) - 1) + ["done"]
    body = events[-1]["data"]
    assert body["focus"] == "nuclear threats" and body["focus_matched"] is True
    streamed = [e["data"] for e in events[:-1]]
    # Each sentence streamed is the final one, in order, as the whole body has it.
    assert [s["position"] for s in streamed] == list(range(len(body["sentences"])))
    assert [{k: v for k, v in s.items() if k != "position"} for s in streamed] == body["sentences"]
    assert body["characters"] == len(body["summary"]) and body["input"]["language"]["code"] == "en"
    # Validation fails before the stream starts: a problem document, raised as summarize does.
    with pytest.raises(PrecisError) as caught:
        list(client.stream(text=seed_text, purpose="haiku"))
    assert caught.value.status == 422 and "purpose" in caught.value.problem["detail"]


def test_client_purposes_against_the_server(server: LiveServer, seed_text: str) -> None:
    client = PrecisClient(server.url)
    seo = client.summarize(text=seed_text, purpose="seo_description")
    assert seo["purpose"]["name"] == "seo_description" and seo["purpose"]["limit"] == 155
    assert seo["characters"] == len(seo["summary"]) == seo["purpose"]["measured"] <= 155
    unrelated = client.summarize(text=seed_text, focus="Premier League football transfers")
    assert unrelated["focus_matched"] is False
    assert unrelated["summary"] == client.summarize(text=seed_text)["summary"]


GERMAN = LANGUAGE_TEXTS / "de.txt"


def test_cli_focus_purpose_and_language_in_process(tmp_path: Path, seed_text: str) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "seed.txt").write_text(seed_text)
    (articles / "de.txt").write_text(GERMAN.read_text(encoding="utf-8"))
    out = tmp_path / "out.jsonl"
    code = main(
        [
            "summarize",
            str(articles),
            "-o",
            str(out),
            "--purpose",
            "seo_description",
            "--focus",
            "nuclear threats",
            "--no-progress",
        ]
    )
    rows = {Path(r["id"]).name: r for r in _rows(out.read_text())}
    assert code == EXIT_OK  # the German article too: ranked on lexical features (issue 21)
    assert rows["de.txt"]["input"]["language"]["code"] == "de" and rows["de.txt"]["input"]["ranking"] == "lexical"
    seed = rows["seed.txt"]
    assert seed["purpose"]["name"] == "seo_description" and len(seed["summary"]) <= 155
    assert seed["focus"] == "nuclear threats" and seed["focus_matched"] is True

    code = main(
        [
            "summarize",
            str(articles),
            "-o",
            str(out),
            "--language",
            "force",
            "--purpose",
            "key_points",
            "--focus",
            "Premier League football transfers",
            "--no-progress",
        ]
    )
    rows = {Path(r["id"]).name: r for r in _rows(out.read_text())}
    assert code == EXIT_OK
    assert rows["de.txt"]["input"]["language"]["code"] == "de"
    assert rows["seed.txt"]["focus_matched"] is False and 3 <= len(rows["seed.txt"]["sentences"]) <= 5
    with pytest.raises(SystemExit):
        main(["summarize", str(articles), "--purpose", "haiku"])


def test_cli_purpose_through_a_server(server: LiveServer, seed_text: str) -> None:
    stdout = io.StringIO()
    assert (
        main(
            ["summarize", "-", "--url", server.url, "--purpose", "social", "--no-progress"],
            stdin=io.StringIO(seed_text),
            stdout=stdout,
        )
        == EXIT_OK
    )
    row = _rows(stdout.getvalue())[0]
    assert row["purpose"]["name"] == "social" and row["purpose"]["measured"] <= 280


def test_cli_rows_are_the_same_in_process_and_through_a_server(
    tmp_path: Path, server: LiveServer, seed_text: str
) -> None:
    """One row shape for both modes: the summary without the request's transport fields, or
    the item's own problem document (type, title, status, detail)."""
    source = tmp_path / "items.jsonl"
    source.write_text(
        "".join(
            json.dumps(row) + "\n"
            for row in (
                {"id": "good", "text": seed_text},
                {"id": "blank", "text": "   "},
                {"id": "no-sentence", "text": "12345. *** 678!"},
            )
        )
    )
    modes = {}
    for mode, extra in (("in-process", []), ("server", ["--url", server.url])):
        stdout = io.StringIO()
        assert (
            main(["summarize", str(source), "--length", "short", "--no-progress", *extra], stdout=stdout)
            == EXIT_SOME_FAILED
        )
        modes[mode] = {row["id"]: row for row in _rows(stdout.getvalue())}
    local, remote = modes["in-process"], modes["server"]
    assert local.keys() == remote.keys() == {"good", "blank", "no-sentence"}
    assert local["good"].keys() == remote["good"].keys() and "timing_ms" not in local["good"]
    assert local["good"]["sentences"] == remote["good"]["sentences"]
    for item in ("blank", "no-sentence"):
        mine, theirs = local[item]["error"], remote[item]["error"]
        assert mine.keys() == theirs.keys() and mine.keys() >= {"type", "title", "status", "detail"}
        assert {k: v for k, v in mine.items() if k != "request_id"} == {
            k: v for k, v in theirs.items() if k != "request_id"
        }
