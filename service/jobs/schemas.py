"""A job's request and its view, as pydantic models: they validate the JSON body and shape
the OpenAPI document (service/openapi.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema

from service.jobs.destinations import MAX_URL_CHARS
from service.schemas import OPTION_RULES, SummarizeRequest

REF = "#/components/schemas/{model}"
# Fields an item carries itself: options apply to every item, so they cannot hold these.
ITEM_ONLY = ("text", "html", "id")
# The job's own option: the model (tier) that runs every item (service/jobs/bodies.py).
TIER_OPTION = "model"


def options_schema() -> dict[str, Any]:
    """A summarize request's options, without the article: defaults for every item."""
    schema = SummarizeRequest.model_json_schema(ref_template=REF)
    properties = {k: v for k, v in schema["properties"].items() if k not in ITEM_ONLY}
    properties[TIER_OPTION] = {
        "type": "string",
        "description": "The model that runs the job: the server's own (the default) or one a job worker pool "
        "serves (JOB_MODELS), e.g. `embedded-fast`; any other is refused (422). As JSON Lines: `?model=`.",
    }
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "allOf": OPTION_RULES,
        "description": "Options for every item (an item's own fields win). Each is checked as typed here: "
        "`0` is not `false`. Newsroom purposes exclude length, format and include_title, as in a request.",
    }


class JobRequest(BaseModel):
    """A job as JSON. (As JSON Lines, one item a line, the options come as query parameters.)"""

    model_config = ConfigDict(extra="forbid")

    # Items stay raw here: each is validated on its own, so one bad item fails alone.
    items: list[Any] = Field(min_length=1, description="Articles, each a BatchItem.")
    options: Annotated[dict[str, Any], WithJsonSchema(options_schema())] = Field(default_factory=dict)
    callback_url: str | None = Field(
        None,
        max_length=MAX_URL_CHARS,
        # The scheme rule, stated in the document only: destinations.py enforces it, and the rest,
        # at submit, with its own problem (callback-refused).
        json_schema_extra={"pattern": "^[hH][tT][tT][pP][sS]?://"},
        description="An http(s) URL that Précis POSTs a signed webhook to when the job ends (Standard Webhooks: "
        '{"type": "job.succeeded" | "job.failed" | "job.cancelled", "timestamp", "data": the job\'s view}). '
        "Private, loopback and link-local addresses are refused unless the server allows them. "
        "(Or the `callback_url` query parameter, the one way for a JSON Lines body; not both.)",
    )


Timestamp = AwareDatetime | None


class CallbackView(BaseModel):
    """A job's webhook: where it goes and how its delivery went."""

    url: str
    attempts: int = Field(ge=0, description="Deliveries tried so far (the same webhook-id each time).")
    last_status: int | None = Field(description="The HTTP status of the last try; null: none yet, or no answer.")
    delivered_at: Timestamp = Field(description="When a try was answered 2xx; null until then.")


class JobView(BaseModel):
    """A job's status, counts and settings, as GET /v1/jobs/{job_id} answers it."""

    id: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    total: int = Field(ge=0)
    succeeded: int = Field(ge=0)
    failed: int = Field(ge=0)
    created_at: Timestamp
    started_at: Timestamp
    finished_at: Timestamp
    expires_at: Timestamp = Field(description="When the job and its results are deleted.")
    result_ttl_s: int = Field(description="How long results are kept after the last activity.")
    model: dict[str, Any] = Field(description="The model the job runs with.")
    settings: dict[str, Any] = Field(description="Job options, chunk size and result TTL.")
    duplicate_results_ignored: int = Field(ge=0, description="Results of redelivered chunks, written once.")
    request_id: str = Field(description="The request that created the job.")
    results_url: str
    callback: CallbackView | None = Field(None, description="Only for a job submitted with a callback_url.")


# Fields of a job that are for the store only.
_PRIVATE = ("owner",)


def job_view(job: dict[str, Any]) -> dict[str, Any]:
    """A job as its owner sees it (shaped as JobView): GET /v1/jobs/{id}, and a webhook's `data`."""
    view = {k: v for k, v in job.items() if k not in _PRIVATE}
    view["results_url"] = f"/v1/jobs/{job['id']}/results"
    if "callback" in view:  # after results_url, where JobView puts it
        view["callback"] = view.pop("callback")
    return view
