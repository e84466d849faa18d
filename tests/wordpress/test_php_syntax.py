"""Every PHP file of the plugin parses (php -l), uninstall.php too, which no request loads."""

from __future__ import annotations

import subprocess

from integrations.wordpress.stack import PLUGIN


def test_every_plugin_file_parses() -> None:
    files = sorted(PLUGIN.rglob("*.php"))
    assert len(files) >= 10
    for path in files:
        result = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
