"""HTTP, the batch endpoint, the CLI (in process) and bench.evaluate all go through the one
use case: on the 200 dev articles they return byte-identical sentences."""

from __future__ import annotations

import io
import json
from pathlib import Path

from flask.testing import FlaskClient

from bench.evaluate import SystemScores, request_for, summarise_rows
from service.cli import main
from service.summarizer import Summarizer


def _sentences(body: dict) -> str:
    return json.dumps(body["sentences"], ensure_ascii=False, sort_keys=True)


def test_http_batch_cli_and_evaluate_give_byte_identical_sentences(
    client: FlaskClient, engine, dev_articles: list[dict[str, str]], tmp_path: Path
) -> None:
    articles = {row["id"]: row["article"] for row in dev_articles}
    http = {}
    for item_id, text in articles.items():
        response = client.post("/v1/summarize", json={"text": text, "max_sentences": 3})
        assert response.status_code == 200, response.text
        http[item_id] = _sentences(response.get_json())

    batch = {}
    ids = list(articles)
    for begin in range(0, len(ids), 32):
        items = [{"id": i, "text": articles[i], "max_sentences": 3} for i in ids[begin : begin + 32]]
        response = client.post("/v1/summarize/batch", json={"items": items})
        for row in response.get_json()["items"]:
            assert row["status"] == 200, row
            batch[row["id"]] = _sentences(row["result"])

    source = tmp_path / "dev.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in articles.items()))
    out = tmp_path / "out.jsonl"
    assert (
        main(["summarize", str(source), "--max-sentences", "3", "-o", str(out), "--no-progress"], stdout=io.StringIO())
        == 0
    )
    cli = {row["id"]: _sentences(row) for row in map(json.loads, out.read_text().splitlines())}

    rows = [{"id": i, "article": t} for i, t in articles.items()]
    bodies = summarise_rows(
        Summarizer(engine), [request_for(row, max_sentences=3) for row in rows], SystemScores("embedded")
    )
    evaluate = {row["id"]: _sentences(body) for row, body in zip(rows, bodies, strict=True)}

    assert len(http) == 200
    assert batch == http
    assert cli == http
    assert evaluate == http
