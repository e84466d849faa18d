"""Schemathesis against the live server, from its own OpenAPI document: bounded (a fixed
number of examples per operation, a fixed seed), loopback only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.server import LiveServer

CHECKS = ("not_a_server_error,response_schema_conformance,content_type_conformance,"
          "status_code_conformance,negative_data_rejection,unsupported_method")


def test_schemathesis_finds_no_5xx_and_no_schema_mismatch(server: LiveServer) -> None:
    cli = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [str(cli), "run", f"{server.url}/openapi.json", "--checks", CHECKS, "--max-examples", "40", "--seed", "1",
         "--workers", "1", "--request-timeout", "60", "--suppress-health-check", "all", "--no-color",
         "--generation-database", "none"],
        capture_output=True, text=True, timeout=600,
    )
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", result.stdout).groups())
    assert generated == passed >= 100
