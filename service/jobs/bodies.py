"""A job's body read into its items, its options, its tier and its callback_url: JSON
({"items": […], "options": {…}, "callback_url": …}, or callback_url as the query parameter) or
JSON Lines (one item a line, the options and callback_url as query parameters). JSON Lines are
read as a stream, a line at a time, under a cap of their own (MAX_JOB_BODY_BYTES: an archive);
a JSON body is read whole (MAX_JOB_BYTES). Bad options refuse the whole job (they would fail
every item); a bad item fails alone, later."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import request
from pydantic import ValidationError

from service.config import Settings
from service.edge import JSON_TYPE, NDJSON_TYPES, json_object, ndjson_items
from service.errors import invalid_request, too_many_items, unsupported_media_type, validation_problem
from service.inputs import parse_request, validation_context
from service.jobs.schemas import ITEM_ONLY, TIER_OPTION, JobRequest
from service.schemas import SummarizeRequest

CALLBACK_PARAMETER = "callback_url"  # a query parameter (JSON Lines; JSON: it or the top-level field)
_DEFAULT = object()  # no options.model: the API's own model (null is no model name: 422)


@dataclass(frozen=True)
class JobBody:
    items: Iterable[Any]  # raw items, or the problem of a line that is not JSON; a stream for JSON Lines
    options: dict[str, Any]  # for every item
    tier: str  # the model that runs it, as SUMMARIZER_MODEL names it
    callback_url: str | None


def read_job(settings: Settings) -> JobBody:
    """The job's body; JSON Lines items are read only as they are iterated."""
    if request.mimetype == JSON_TYPE:
        request.max_content_length = settings.max_job_bytes  # a job may be far larger than one article
        try:
            job = JobRequest.model_validate(json_object())
        except ValidationError as exc:
            raise validation_problem(exc) from exc
        if len(job.items) > settings.max_job_items:
            raise too_many_items(f"A job holds at most {settings.max_job_items} items, got {len(job.items)}.")
        items: Iterable[Any] = job.items
        options, callback_url = dict(job.options), job.callback_url
        if CALLBACK_PARAMETER in request.args:  # the document offers both (a generated client sends either)
            if callback_url is not None:
                raise invalid_request("Give callback_url once: in the body or as the query parameter.")
            callback_url = request.args[CALLBACK_PARAMETER]
    elif request.mimetype in NDJSON_TYPES:
        request.max_content_length = settings.max_job_body_bytes
        items, options = ndjson_items(settings.max_body_bytes), request.args.to_dict()
        callback_url = options.pop(CALLBACK_PARAMETER, None)
    else:
        raise unsupported_media_type(
            "Send a job as application/json ({'items': […], 'options': {…}}) or application/x-ndjson."
        )
    tier = _tier(options.pop(TIER_OPTION, _DEFAULT), settings)
    if options:
        _check_options(options, settings, typed=request.mimetype == JSON_TYPE)
    return JobBody(items, options, tier, callback_url)


def _tier(model: Any, settings: Settings) -> str:
    """The job's model: the API's own unless `options.model` names a model a worker pool serves."""
    if model is _DEFAULT or model == settings.model:
        return settings.model
    if not isinstance(model, str) or model not in settings.job_models:
        served = ", ".join(repr(name) for name in (settings.model, *settings.job_models))
        raise invalid_request(
            f"No job worker pool serves model {model!r} here: options.model may name {served} (JOB_MODELS)."
        )
    return model


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
