"""Container health check: exit 0 when /readyz answers 200 (no curl in the slim image)."""

import os
import sys
import urllib.request

host = os.environ.get("HOST", "127.0.0.1")
if host in ("0.0.0.0", "::", ""):
    host = "127.0.0.1"
url = f"http://{host}:{os.environ.get('PORT', '8000')}/readyz"
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
