"""Container health check: exit 0 when /readyz answers 200 (no curl in the slim image).
It reads HOST and PORT as the server does, through service.config.Settings."""

import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the app root is not on the path

from service.config import Settings

settings = Settings()
host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
url = f"http://{host}:{settings.port}/readyz"
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # any failure means unhealthy
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
