"""Drives a running server with the client openapi-python-client generated from its
/openapi.json (tests/test_client_contract.py runs this in .venv-client, the generator's own
virtualenv, with the generated package `precis_client` on PYTHONPATH). Every answer must
parse into the generated models; what was parsed is printed as JSON for the test to compare
with the in-process answers, and with the webhooks its receiver (CALLBACK_URL) got.

    python use_python_client.py BASE_URL ARTICLE_FILE CALLBACK_URL"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from precis_client import Client
from precis_client.api.default import (
    cancel_job,
    create_job,
    get_job,
    get_job_results,
    healthz,
    models,
    readyz,
    summarize,
    summarize_batch,
)
from precis_client.models import (
    BatchItem,
    BatchRequest,
    BatchResponse,
    BatchResult,
    CallbackView,
    Health,
    JobRequest,
    JobRequestOptions,
    JobRequestOptionsLengthType0,
    JobView,
    JobViewStatus,
    Models,
    Problem,
    Readiness,
    SummarizeRequest,
    SummarizeResponse,
)

TERMINAL = (JobViewStatus.SUCCEEDED, JobViewStatus.FAILED, JobViewStatus.CANCELLED)


def expect(answer: object, model: type) -> Any:
    assert isinstance(answer, model), f"expected {model.__name__}, got {answer!r}"
    return answer


def run(base_url: str, article: str, callback_url: str) -> dict[str, Any]:
    client = Client(base_url=base_url, timeout=120.0, raise_on_unexpected_status=True)
    facts: dict[str, Any] = {}
    expect(healthz.sync(client=client), Health)
    facts["ready_model"] = expect(readyz.sync(client=client), Readiness).model
    facts["max_text_chars"] = expect(models.sync(client=client), Models).limits.max_text_chars

    # Summarize as JSON, the options in the body and in the query string.
    answer = expect(summarize.sync(client=client, body=SummarizeRequest(text=article)), SummarizeResponse)
    assert answer.sentences and answer.sentences[0].support and answer.request_id
    facts["summary"] = answer.summary
    facts["sentences"] = [sentence.text for sentence in answer.sentences]
    facts["model"] = answer.model.name
    short = summarize.sync(client=client, body=SummarizeRequest(text=article), max_sentences=2)
    facts["summary_two"] = expect(short, SummarizeResponse).summary
    refused = expect(summarize.sync(client=client, body=SummarizeRequest(text=" ")), Problem)
    facts["refused"] = [refused.status, refused.type_]

    # A batch: one good item, one bad one that fails alone.
    items = [BatchItem(id="good", text=article).to_dict(), {"id": "bad", "text": ""}]
    batch = expect(summarize_batch.sync(client=client, body=BatchRequest(items=items)), BatchResponse)
    good, bad = batch.items
    facts["batch"] = [good.id, expect(good.result, SummarizeResponse).summary]
    facts["batch"] += [bad.id, expect(bad.error, Problem).status]

    # Jobs with a callback (in the body; the other as the query parameter): create, cancel one
    # still queued, then status and results of the other, and their webhooks' delivery.
    options = JobRequestOptions(length=JobRequestOptionsLengthType0.SHORT)
    job_items = [{"id": f"a-{i}", "text": article} for i in range(2)]
    body = JobRequest(items=job_items, options=options, callback_url=callback_url)
    job = expect(create_job.sync(client=client, body=body), JobView)
    queued = [{"id": f"q-{i}", "text": article} for i in range(48)]
    behind = expect(create_job.sync(client=client, body=JobRequest(items=queued), callback_url=callback_url), JobView)
    facts["cancelled"] = expect(cancel_job.sync(behind.id, client=client), JobView).status.value
    deadline = time.monotonic() + 300
    while job.status not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.2)
        job = expect(get_job.sync(job.id, client=client), JobView)
    facts["job"] = [job.status.value, job.total, job.succeeded, job.failed, job.finished_at is not None]
    facts["job_ids"] = [job.id, behind.id]
    facts["callbacks"] = [_delivered(client, job_id, deadline) for job_id in facts["job_ids"]]
    # JSON Lines, which the generator does not read: its 200 is left out of the generated client,
    # so the rows are read from the raw answer, each into the generated BatchResult.
    lenient = Client(base_url=base_url, timeout=120.0)
    answer = get_job_results.sync_detailed(job.id, client=lenient)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/x-ndjson")
    rows = [BatchResult.from_dict(json.loads(line)) for line in answer.content.decode().splitlines()]
    facts["job_results"] = [[row.id, expect(row.result, SummarizeResponse).summary] for row in rows]
    return facts


def _delivered(client: Client, job_id: str, deadline: float) -> list[Any]:
    """The job's `callback`, parsed into the generated model, once its webhook was delivered."""
    while True:
        callback = expect(get_job.sync(job_id, client=client), JobView).callback
        callback = expect(callback, CallbackView)
        if callback.delivered_at is not None or time.monotonic() > deadline:
            return [callback.url, callback.attempts, callback.last_status, callback.delivered_at is not None]
        time.sleep(0.2)


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], Path(sys.argv[2]).read_text(encoding="utf-8"), sys.argv[3])))
