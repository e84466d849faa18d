"""A short soak: 30 s at concurrency 32, real articles mixed with bad inputs."""

from __future__ import annotations

from bench.server import LiveServer
from bench.soak import server_memory_kib, soak


def test_short_soak_has_no_server_errors(server: LiveServer, dev_articles) -> None:
    assert server.process is not None
    before = server_memory_kib(server.process.pid)
    report = soak(server.url, seconds=30, concurrency=32)
    after = server_memory_kib(server.process.pid)
    print(f"\nsoak: {report}, PSS {before / 1024:.0f} -> {after / 1024:.0f} MiB")
    assert report["server_errors"] == 0, report
    assert report["statuses"].get("200", 0) > 10
    assert {"400", "415", "422"} <= report["statuses"].keys()
