#!/usr/bin/env python3
"""Container health check: GET /healthz/ on the local gunicorn, with a Host it accepts.

Standard library only (the slim image has no curl). Exits 0 when the portal answers 200, 1
otherwise. HEALTH_URL overrides the address (the proxy's check uses it).
"""

import os
import sys
import urllib.request

url = os.environ.get("HEALTH_URL", "http://127.0.0.1:8000/healthz/")
hosts = [h.strip().lstrip("*.") for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
request = urllib.request.Request(url, headers={"Host": hosts[0] if hosts else "localhost"})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - a fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # noqa: BLE001
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
