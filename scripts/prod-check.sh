#!/usr/bin/env bash
# Production check (CI runs it; so can anyone): the settings the compose file uses, DEBUG off,
#  1. the project refuses to start without SECRET_KEY;
#  2. collectstatic with the production storage (hashed names, every reference resolved);
#  3. `check --deploy --fail-level WARNING` is clean;
#  4. gunicorn answers: /healthz/ over plain HTTP, the home page through the "proxy" (a request
#     from a trusted address with X-Forwarded-Proto: https) with its security headers, and a
#     plain-HTTP page request redirected to HTTPS;
#  5. the image builds, when a Docker daemon is present (otherwise says so and goes on).
# Works on a throw-away SQLite database and static folder; touches nothing of the project's.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
WORK="$(mktemp -d)"
GUNICORN_PID=""
cleanup() {
  [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '== prod-check: %s\n' "$*"; }

env -u SECRET_KEY -u SECRET_KEY_FILE -u PII_KEYS -u PII_KEYS_FILE DEBUG=false "$PY" manage.py check >"$WORK/nokey.log" 2>&1 && {
  say "FAILED: started without SECRET_KEY"; exit 1; }
grep -q "refusing to start" "$WORK/nokey.log" || { say "FAILED: no refusal message"; cat "$WORK/nokey.log"; exit 1; }
say "refuses to start without SECRET_KEY: ok"
env -u PII_KEYS -u PII_KEYS_FILE -u PII_INDEX_KEY -u PII_INDEX_KEY_FILE SECRET_KEY=x DEBUG=false "$PY" manage.py check \
  >"$WORK/nopii.log" 2>&1 && { say "FAILED: started without PII_KEYS"; exit 1; }
grep -q "PII_KEYS.*refusing to start" "$WORK/nopii.log" || { say "FAILED: no PII refusal"; cat "$WORK/nopii.log"; exit 1; }
say "refuses to start without PII_KEYS/PII_INDEX_KEY: ok"

export DEBUG=false
export SECRET_KEY_FILE="$WORK/secret_key"
"$PY" -c "import secrets; print(secrets.token_urlsafe(50))" >"$SECRET_KEY_FILE"
export PII_KEYS_FILE="$WORK/pii_keys" PII_INDEX_KEY_FILE="$WORK/pii_index_key"
"$PY" -c "import base64, secrets; print('k1:' + base64.b64encode(secrets.token_bytes(32)).decode())" >"$PII_KEYS_FILE"
"$PY" -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())" >"$PII_INDEX_KEY_FILE"
unset PII_KEYS PII_INDEX_KEY || true
export AUDIT_ANCHOR_KEY_FILE="$WORK/audit_anchor_key" AUDIT_ANCHOR_DIR="$WORK/anchors"
"$PY" -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())" >"$AUDIT_ANCHOR_KEY_FILE"
unset AUDIT_ANCHOR_KEY || true
unset SECRET_KEY HTTPS SECURE_SSL_REDIRECT SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE SECURE_HSTS_SECONDS || true
export ALLOWED_HOSTS="tongban.example.gov.cn,localhost,127.0.0.1"
export CSRF_TRUSTED_ORIGINS="https://tongban.example.gov.cn"
export SITE_URL="https://tongban.example.gov.cn"
export TRUSTED_PROXIES="127.0.0.1"
export STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
export DJANGO_SETTINGS_MODULE=portal.settings
unset REDIS_URL CELERY_BROKER_URL || true

"$PY" manage.py collectstatic --noinput -v0
test -f "$STATIC_ROOT/staticfiles.json" || { say "FAILED: no manifest"; exit 1; }
say "collectstatic with DEBUG off: ok ($(find "$STATIC_ROOT" -type f | wc -l) files)"

"$PY" manage.py check --deploy --fail-level WARNING
say "check --deploy --fail-level WARNING: ok"

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py shell -c "from core import anchors; anchors.seal_finished_days()"
"$PY" manage.py verify_audit >"$WORK/verify.log" 2>&1 || { say "FAILED: verify_audit"; cat "$WORK/verify.log"; exit 1; }
say "audit anchors sealed and verified with the production key: ok"
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
.venv/bin/gunicorn portal.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
GUNICORN_PID=$!
"$PY" - "$PORT" <<'PYCHECK'
import sys
import time
import urllib.error
import urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def get(path, **headers):
    request = urllib.request.Request(base + path, headers={"Host": "tongban.example.gov.cn", **headers})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


for _ in range(60):
    try:
        status, _h, body = get("/healthz/")
        break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("gunicorn did not answer")
assert status == 200 and '"ok"' in body, (status, body)
print("== prod-check: gunicorn /healthz/ over HTTP: 200")

status, headers, body = get("/", **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
assert status == 200, status
assert "max-age=31536000" in headers.get("Strict-Transport-Security", ""), headers
csp = headers.get("Content-Security-Policy", "")
assert "script-src 'self'" in csp and "unsafe-inline" not in csp, csp
assert "通办" in body
print("== prod-check: home page through the proxy: 200 with HSTS and CSP")

status, headers, _body = get("/")
assert status == 301 and headers["Location"].startswith("https://"), (status, headers)
status, _h, body = get("/no-such-page/", **{"X-Forwarded-Proto": "https"})
assert status == 404 and "URLconf" not in body, status
print("== prod-check: plain HTTP redirected to HTTPS; unknown page is the portal's 404")
PYCHECK

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  say "Docker daemon found: building the image"
  docker build -q -t tongban:prod-check . >/dev/null
  docker run --rm --entrypoint id tongban:prod-check -u | grep -qv '^0$' || { say "FAILED: image runs as root"; exit 1; }
  say "image builds and runs as a non-root user: ok"
else
  say "SKIPPED the image build: no Docker daemon on this machine (the settings, collectstatic, check --deploy and gunicorn were checked above)"
fi
say "all passed"
