"""HTTP, the batch endpoint, the CLI (in process) and bench.evaluate all go through the one
use case: on the dev sets they return byte-identical sentences. `make test` reads all 200 BBC
articles and every tenth of the 1,000 CNN ones (all of CNN takes about 25 minutes on one core
through the four doors); PRECIS_EQUALITY_ALL=1 reads all of them. Both embedded tiers: the
MiniLM default and the fast tier (`embedded-fast`)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bench.common import DEV_SETS, load_articles
from bench.evaluate import SystemScores, request_for, summarise_rows
from service.cli import main
from service.summarizer import Summarizer


def _sentences(body: dict) -> str:
    return json.dumps(body["sentences"], ensure_ascii=False, sort_keys=True)


@pytest.mark.timeout(3600)  # with PRECIS_EQUALITY_ALL=1: 4,000 CNN summaries on one core
@pytest.mark.parametrize("publisher", ["bbc", "cnn"])
@pytest.mark.parametrize("model", ["embedded", "embedded-fast"])
def test_http_batch_cli_and_evaluate_give_byte_identical_sentences(
    request: pytest.FixtureRequest, model: str, publisher: str, tmp_path: Path
) -> None:
    fast = model == "embedded-fast"
    client: FlaskClient = request.getfixturevalue("fast_client" if fast else "client")
    engine = request.getfixturevalue("fast_engine" if fast else "engine")
    if not DEV_SETS[publisher].is_file():
        pytest.skip(f"{DEV_SETS[publisher]} is not present")
    every = 1 if publisher == "bbc" or os.environ.get("PRECIS_EQUALITY_ALL") == "1" else 10
    dev_articles = load_articles(DEV_SETS[publisher])[::every]
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
        main(
            ["summarize", str(source), "--model", model, "--max-sentences", "3", "-o", str(out), "--no-progress"],
            stdout=io.StringIO(),
        )
        == 0
    )
    cli = {row["id"]: _sentences(row) for row in map(json.loads, out.read_text().splitlines())}

    rows = [{"id": i, "article": t} for i, t in articles.items()]
    bodies = summarise_rows(
        Summarizer(engine), [request_for(row, max_sentences=3) for row in rows], SystemScores(model)
    )
    evaluate = {row["id"]: _sentences(body) for row, body in zip(rows, bodies, strict=True)}

    assert len(http) == {"bbc": 200, "cnn": 1000 // every}[publisher]
    assert batch == http
    assert cli == http
    assert evaluate == http
