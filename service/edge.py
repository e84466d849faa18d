"""The HTTP edge every blueprint shares: this app's runtime, and request bodies read into
fields. One decoder and one JSON reader, so a body that is wrong in the same way gets the
same problem on every route."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from flask import Flask, current_app, request

from service.errors import (
    ProblemError,
    invalid_encoding,
    invalid_request,
    malformed_json,
    unsupported_charset,
    unsupported_media_type,
)
from service.inputs import parse_request

if TYPE_CHECKING:
    from service.config import Settings
    from service.runtime import Runtime

_RUNTIME = "precis.runtime"
_READ_BUFFER = 1 << 16  # bytes of a streamed body read at a time
JSON_TYPE = "application/json"
# A text body is the article itself; its options come in the query string.
TEXT_FIELDS = {"text/plain": "text", "text/html": "html"}
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


def install_runtime(app: Flask, runtime: Runtime) -> None:
    app.extensions[_RUNTIME] = runtime


def runtime() -> Runtime:
    """The serving layer of the app that answers this request."""
    found: Runtime = current_app.extensions[_RUNTIME]
    return found


def settings() -> Settings:
    return runtime().settings


def is_json(mimetype: str) -> bool:
    return mimetype == JSON_TYPE or mimetype.endswith("+json")


def body_text() -> str:
    """The body decoded in its declared charset (UTF-8 unless it says otherwise)."""
    charset = request.mimetype_params.get("charset", "utf-8")
    raw = request.get_data(cache=False)
    try:
        return raw.decode(charset)
    except LookupError as exc:
        raise unsupported_charset(f"Unknown charset {charset!r}.") from exc
    except UnicodeDecodeError as exc:
        raise invalid_encoding(f"The body is not valid {charset}: byte {exc.start} cannot be decoded.") from exc


def parse_json(text: str, what: str = "The body") -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise malformed_json(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from exc
    except RecursionError as exc:
        raise malformed_json(f"{what} is nested too deeply.") from exc


def json_object() -> dict[str, Any]:
    """The body as a JSON object (a 422 for any other JSON value)."""
    body = parse_json(body_text())
    if not isinstance(body, dict):
        kind = type(body).__name__ if body is not None else "null"
        raise invalid_request(f"The JSON body must be an object, not {kind}.")
    return body


def ndjson_items(max_line_bytes: int) -> Iterator[Any]:
    """One JSON value a line, read from the body as a stream (never the whole body at once);
    a line that is not JSON, or is over `max_line_bytes`, is its own item: the problem that
    fails it alone. Lines end as str.splitlines() ends them, as when the body was read whole.
    A body that is not in its charset is refused whole (400), wherever the bad byte is; its
    byte cap is the request's max_content_length (413 past it)."""
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        name = codecs.lookup(charset).name
        b"".decode(name)  # a codec that is no text encoding (rot13) fails here
    except LookupError as exc:
        raise unsupported_charset(f"Unknown charset {charset!r}.") from exc
    if name.startswith(("utf-16", "utf-32")):  # their newlines are not the byte b"\n"
        raise unsupported_charset(f"JSON Lines are read line by line: send UTF-8, not {charset!r}.")
    number = 0
    for raw in _lines(_buffered(request.stream), max_line_bytes):
        if raw is None:
            number += 1
            yield invalid_request(f"Line {number} is over {max_line_bytes} bytes (MAX_BODY_BYTES).")
            continue
        try:
            text = raw.decode(name)
        except UnicodeDecodeError as exc:
            raise invalid_encoding(f"The body is not valid {charset}: line {number + 1} cannot be decoded.") from exc
        for line in text.splitlines():
            number += 1
            if line.strip():
                try:
                    yield parse_json(line, f"Line {number}")
                except ProblemError as problem:
                    yield problem


def _buffered(stream: IO[bytes]) -> IO[bytes]:
    """werkzeug's capped stream reads a line a byte at a time (7 million calls for a 7 MB
    body, 30 times the rest of a job's upload): read it through a buffer instead."""
    return io.BufferedReader(stream, _READ_BUFFER) if isinstance(stream, io.RawIOBase) else stream


def _lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """The stream's lines, None for one over `limit` bytes (the rest of it is skipped)."""
    while raw := stream.readline(limit + 1):
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (rest := stream.readline(limit + 1)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield raw


def article_fields() -> dict[str, Any]:
    """A summarize request's fields: a JSON object or a text body, plus the query string's
    options (for a JSON body too, the body's own winning: none is silently ignored)."""
    mimetype = request.mimetype
    if not mimetype:
        raise unsupported_media_type("Send Content-Type application/json, text/plain or text/html.")
    if is_json(mimetype):
        body, query = json_object(), request.args.to_dict()
        for name in query.keys() & body.keys():  # the body's value wins, but a bad one in the query is refused
            alone = {name: query[name]} if name in TEXT_FIELDS.values() else {"text": "-", name: query[name]}
            parse_request(alone, settings())
        return {**query, **body}
    if mimetype in TEXT_FIELDS:
        return {**request.args.to_dict(), TEXT_FIELDS[mimetype]: body_text()}
    raise unsupported_media_type(
        f"Content-Type {mimetype!r} is not supported; use application/json, text/plain or text/html."
    )
