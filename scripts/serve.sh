#!/usr/bin/env bash
# Serve the portal on http://127.0.0.1:8000 with background work running: a Celery worker with
# embedded beat (deadline sweeps every minute). Without REDIS_URL the broker is kombu's
# filesystem transport under var/broker, so nothing needs installing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The demo only: DEBUG on (plain HTTP on 127.0.0.1) and the key `make run` keeps in var/.
export DEBUG="${DEBUG:-true}"
if [ -z "${SECRET_KEY:-}" ] && [ -z "${SECRET_KEY_FILE:-}" ]; then
  [ -s var/secret_key ] || (umask 077 && mkdir -p var && python3 -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key)
  export SECRET_KEY_FILE="$PWD/var/secret_key"
fi
mkdir -p var/broker/queue var/broker/processed

.venv/bin/celery -A portal worker -B --pool=solo --loglevel=INFO \
  --schedule var/celerybeat-schedule >var/celery.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM

$PY manage.py demo_accounts
echo "后台任务日志: var/celery.log"
echo "门户地址: http://127.0.0.1:${PORT:-8000}/"
$PY manage.py runserver "127.0.0.1:${PORT:-8000}" --noreload
