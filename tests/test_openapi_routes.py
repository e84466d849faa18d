"""The OpenAPI document's paths come from one route table (service/routes.py), checked
against the routes Flask serves, with a stable operationId on every operation."""

from __future__ import annotations

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from service.app import create_app
from service.config import Settings
from service.domain.summary import Engine
from service.openapi import route_drift
from service.routes import ROUTES, options_in_query
from service.schemas import SummarizeRequest


def test_the_table_and_flask_serve_the_same_routes(app: Flask) -> None:
    assert route_drift(app.url_map) == (set(), set())
    # A route served without its row is found (and so is a row without its route).
    extra = Flask(__name__)
    extra.add_url_rule("/v1/extra/<item_id>", "extra", lambda item_id: Response(item_id), methods=["PUT"])
    undocumented, unserved = route_drift(extra.url_map)
    assert undocumented == {("PUT", "/v1/extra/{item_id}")}
    assert ("POST", "/v1/summarize") in unserved and len(unserved) == len(ROUTES)


def test_an_app_whose_routes_drifted_does_not_start(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("service.openapi.ROUTES", tuple(r for r in ROUTES if r.path != "/metrics"))
    with pytest.raises(RuntimeError, match="/metrics"):
        create_app(Settings(model="embedded"), engine=engine)


def test_every_operation_has_a_stable_unique_operation_id(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert {"summarize", "summarizeBatch", "models", "healthz", "readyz", "metrics", "editorsPage", "docsPage"} <= set(
        ids
    )
    for path in ("/", "/docs/", "/metrics", "/openapi.json"):
        assert "200" in document["paths"][path]["get"]["responses"], path
        assert client.get(path).status_code == 200, path


def test_query_options_are_the_schema_fields_a_query_string_can_carry(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    parameters = document["paths"]["/v1/summarize"]["post"]["parameters"]
    names = {p["name"] for p in parameters}
    assert names == set(SummarizeRequest.model_fields) - {"text", "html", "generation"}
    assert {q.name for q in options_in_query(SummarizeRequest)} == names
    # Each carries its field's schema, with this deployment's caps.
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["max_sentences"]["anyOf"][0]["maximum"] == Settings(model="embedded").max_summary_sentences
    assert by_name["purpose"] == document["components"]["schemas"]["SummarizeRequest"]["properties"]["purpose"]


def test_with_api_keys_only_the_v1_operations_are_secured(engine: Engine) -> None:
    secured = create_app(Settings(model="embedded", api_keys="k"), engine=engine).test_client()
    document = secured.get("/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert ("security" in operation) == path.startswith("/v1/"), path
            assert ("401" in operation["responses"]) == path.startswith("/v1/"), path
