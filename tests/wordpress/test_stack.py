"""`make wordpress`'s launcher (python -m integrations.wordpress.stack): WordPress answers on
loopback with the plugin active and an application password written; SIGTERM stops the PHP
server and MariaDB and leaves no process behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from bench.server import REPO_ROOT, free_port


def test_the_launcher_serves_wordpress_and_sigterm_stops_it_all(tmp_path: Path) -> None:
    port = free_port()
    folder = tmp_path / "site"
    log = (tmp_path / "stack.log").open("wb")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "integrations.wordpress.stack", "--port", str(port), "--folder", str(folder)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while "Ctrl-C stops it all" not in (tmp_path / "stack.log").read_text():
            assert launcher.poll() is None and time.monotonic() < deadline, (tmp_path / "stack.log").read_text()
            time.sleep(0.5)
        children = psutil.Process(launcher.pid).children(recursive=True)
        names = " ".join(" ".join(child.cmdline()) for child in children)
        assert "mariadbd" in names and f"127.0.0.1:{port}" in names, names
        listening = [c.laddr for child in children for c in child.net_connections("inet") if c.status == "LISTEN"]
        assert listening and all(address.ip == "127.0.0.1" for address in listening), listening
        credentials = json.loads((folder / "credentials.json").read_text())
        assert credentials["url"] == f"http://127.0.0.1:{port}/" and credentials["user"] == "admin"
        me = requests.get(
            f"{credentials['url']}?rest_route=/wp/v2/plugins/precis/precis",
            auth=(credentials["user"], credentials["application_password"]),
            timeout=60,
        )
        assert me.status_code == 200 and me.json()["status"] == "active", me.text
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(90)
        log.close()
    assert launcher.returncode == 0, (tmp_path / "stack.log").read_text()
    left = [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    assert not left, [" ".join(child.cmdline()) for child in left]
