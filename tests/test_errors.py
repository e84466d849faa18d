"""A bug inside a request becomes a 500 problem document without a stack trace."""

from __future__ import annotations

from flask import Blueprint

from service.app import create_app
from service.config import Settings


def test_unexpected_exception_is_a_clean_500(engine) -> None:
    # An app of its own: the route below fails on purpose.
    app = create_app(Settings(), engine=engine)
    failing = Blueprint("failing", __name__)

    @failing.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    app.register_blueprint(failing)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["title"] == "Internal Server Error" and body["status"] == 500
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
