"""Schemathesis against the live server, from its own OpenAPI document: bounded (a fixed
number of examples per operation, a fixed seed), loopback only."""

from __future__ import annotations

from bench.server import LiveServer
from tests.support import fuzz


def test_schemathesis_finds_no_5xx_and_no_schema_mismatch(server: LiveServer) -> None:
    assert fuzz(server.url, 40) >= 100
