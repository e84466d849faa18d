"""A job's body read into its items, its options and its callback_url: JSON ({"items": […],
"options": {…}, "callback_url": …}, or callback_url as the query parameter) or JSON Lines (one
item a line, the options and callback_url as query parameters). Bad options refuse the
whole job (they would fail every item); a bad item fails alone, later."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from pydantic import ValidationError

from service.config import Settings
from service.edge import JSON_TYPE, NDJSON_TYPES, json_object, ndjson_items
from service.errors import invalid_request, too_many_items, unsupported_media_type, validation_problem
from service.inputs import parse_request, validation_context
from service.jobs.schemas import ITEM_ONLY, JobRequest
from service.schemas import SummarizeRequest

CALLBACK_PARAMETER = "callback_url"  # a query parameter (JSON Lines; JSON: it or the top-level field)


def read_job(settings: Settings) -> tuple[list[Any], dict[str, Any], str | None]:
    """The job's items (raw, or the problem of a line that is not JSON), its options and its callback_url."""
    request.max_content_length = settings.max_job_bytes  # a job may be far larger than one article
    if request.mimetype == JSON_TYPE:
        try:
            job = JobRequest.model_validate(json_object())
        except ValidationError as exc:
            raise validation_problem(exc) from exc
        items, options, callback_url = job.items, job.options, job.callback_url
        if CALLBACK_PARAMETER in request.args:  # the document offers both (a generated client sends either)
            if callback_url is not None:
                raise invalid_request("Give callback_url once: in the body or as the query parameter.")
            callback_url = request.args[CALLBACK_PARAMETER]
    elif request.mimetype in NDJSON_TYPES:
        items, options = ndjson_items(), request.args.to_dict()
        callback_url = options.pop(CALLBACK_PARAMETER, None)
        if not items:
            raise invalid_request("The body holds no items.")
    else:
        raise unsupported_media_type(
            "Send a job as application/json ({'items': […], 'options': {…}}) or application/x-ndjson."
        )
    if len(items) > settings.max_job_items:
        raise too_many_items(f"A job holds at most {settings.max_job_items} items, got {len(items)}.")
    if options:
        _check_options(options, settings, typed=request.mimetype == JSON_TYPE)
    return items, options, callback_url


def _check_options(options: dict[str, Any], settings: Settings, typed: bool) -> None:
    if set(ITEM_ONLY) & set(options):
        raise invalid_request("'options' apply to every item: they cannot hold 'text', 'html' or 'id'.")
    fields = {"text": "options", **options}
    if not typed:  # query parameters are strings: "3" may stand for 3
        parse_request(fields, settings)
        return
    try:  # JSON options are typed as the OpenAPI document says: 0 is not false
        SummarizeRequest.model_validate_json(json.dumps(fields), strict=True, context=validation_context(settings))
    except ValidationError as exc:
        raise validation_problem(exc) from exc
