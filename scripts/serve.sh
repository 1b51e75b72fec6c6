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

# One demo department (区卫生健康局) decides in its own system: the reference department system
# (refsys, its own process, port and SQLite file) receives its sub-cases and sends its decisions
# back here, signed; it also serves the province catalog feed (manage.py sync_catalog).
REFSYS_PORT="${REFSYS_PORT:-8701}"
read -r REF_DEPT REF_KEY REF_NAME < <($PY manage.py demo_department_system --url "http://127.0.0.1:$REFSYS_PORT" \
  --print-args --catalog-seed var/refsys-catalog.json)
export CATALOG_FEED_URL="${CATALOG_FEED_URL:-http://127.0.0.1:$REFSYS_PORT}" CATALOG_FEED_KEY="${CATALOG_FEED_KEY:-$REF_KEY}"
$PY -m refsys --port "$REFSYS_PORT" --db var/refsys.sqlite3 --department "$REF_DEPT" --name "$REF_NAME" \
  --key "$REF_KEY" --portal "http://127.0.0.1:${PORT:-8000}" --catalog var/refsys-catalog.json >var/refsys.log 2>&1 &
REFSYS=$!

# The data sources (数据共享: 户籍, 社保, 公积金, 不动产, 婚姻, 企业登记, 水/电/燃气, 交通违章): the
# reference program again as its own process, port and SQLite file, answering for the demo
# citizens and enterprises (records written from the demo data by manage.py demo_data_sources).
DATASRC_PORT="${DATASRC_PORT:-8703}"
[ -s var/datasource_secret ] || (umask 077 && python3 -c "import secrets; print(secrets.token_urlsafe(32))" > var/datasource_secret)
export DATA_SOURCE_URL="${DATA_SOURCE_URL:-http://127.0.0.1:$DATASRC_PORT}" DATA_SOURCE_CLIENT="${DATA_SOURCE_CLIENT:-QXZWFWZX}"
export DATA_SOURCE_KEY="${DATA_SOURCE_KEY:-d1:$(cat var/datasource_secret)}"
$PY manage.py demo_data_sources --out var/datasources.json
$PY -m refsys --port "$DATASRC_PORT" --db var/datasources.sqlite3 --department "$DATA_SOURCE_CLIENT" \
  --name "政务数据共享交换平台" --key "$DATA_SOURCE_KEY" --records var/datasources.json >var/datasources.log 2>&1 &
DATASRC=$!

# The sandbox payment provider (统一公共支付平台 沙箱, its own process, port and SQLite file): the
# citizen pays a fee on its pay page and it notifies this portal, signed with the merchant key.
PAYSIM_PORT="${PAYSIM_PORT:-8702}"
[ -s var/paysim_secret ] || (umask 077 && python3 -c "import secrets; print(secrets.token_urlsafe(32))" > var/paysim_secret)
export PAYMENT_PROVIDER_URL="${PAYMENT_PROVIDER_URL:-http://127.0.0.1:$PAYSIM_PORT}" PAYMENT_MERCHANT="${PAYMENT_MERCHANT:-QXZWFWZX}"
export PAYMENT_KEY_ID="${PAYMENT_KEY_ID:-p1}" PAYMENT_SECRET="${PAYMENT_SECRET:-$(cat var/paysim_secret)}"
export PAYMENT_NOTIFY_BASE_URL="${PAYMENT_NOTIFY_BASE_URL:-http://127.0.0.1:${PORT:-8000}}"
$PY -m paysim --port "$PAYSIM_PORT" --db var/paysim.sqlite3 --merchant "$PAYMENT_MERCHANT" \
  --key "$PAYMENT_KEY_ID:$PAYMENT_SECRET" >var/paysim.log 2>&1 &
PAYSIM=$!

# The sandbox SMS gateway (短信平台 沙箱, its own process, port and SQLite file): the portal's texts
# go there, signed; it posts delivery receipts back; its page lists the texts it "delivered".
SMSSIM_PORT="${SMSSIM_PORT:-8705}"
[ -s var/smssim_secret ] || (umask 077 && python3 -c "import secrets; print(secrets.token_urlsafe(32))" > var/smssim_secret)
export SMS_GATEWAY_URL="${SMS_GATEWAY_URL:-http://127.0.0.1:$SMSSIM_PORT}" SMS_ACCOUNT="${SMS_ACCOUNT:-QXZWFWZX}"
export SMS_KEY_ID="${SMS_KEY_ID:-s1}" SMS_SECRET="${SMS_SECRET:-$(cat var/smssim_secret)}"
export SMS_RECEIPT_BASE_URL="${SMS_RECEIPT_BASE_URL:-http://127.0.0.1:${PORT:-8000}}"
$PY -m smssim --port "$SMSSIM_PORT" --db var/smssim.sqlite3 --account "$SMS_ACCOUNT" \
  --key "$SMS_KEY_ID:$SMS_SECRET" >var/smssim.log 2>&1 &
SMSSIM=$!

# The demo hall's 市民之窗 terminal QX-T01: the reference terminal agent (its own process, port and
# key file; the private key never leaves it) reads ID cards put on its reader by its page or a
# control call and beats every 30 s. The portal holds its public key; the command prints a fresh
# one-time enrolment code to type at http://127.0.0.1:${PORT:-8000}/kiosk/ .
TERMSIM_PORT="${TERMSIM_PORT:-8704}"
TERM_KEY=$($PY -m termsim --db var/termsim.json --print-public-key)
$PY manage.py demo_terminal --public-key "$TERM_KEY" --code QX-T01 | tee var/demo_terminal.txt
$PY -m termsim --port "$TERMSIM_PORT" --db var/termsim.json --portal "http://127.0.0.1:${PORT:-8000}" \
  --terminal QX-T01 >var/termsim.log 2>&1 &
TERMSIM=$!

# One worker for the demo, started without -Q: it consumes every queue (settings.CELERY_TASK_QUEUES:
# celery, notices, exchange, figures); docker-compose runs a worker per kind.
.venv/bin/celery -A portal worker -B --pool=solo --loglevel=INFO \
  --schedule var/celerybeat-schedule >var/celery.log 2>&1 &
WORKER=$!
trap 'kill $WORKER $REFSYS $PAYSIM $SMSSIM $DATASRC $TERMSIM 2>/dev/null; wait $WORKER $REFSYS $PAYSIM $SMSSIM $DATASRC $TERMSIM 2>/dev/null' EXIT INT TERM

# Once the portal answers: one sub-case out to the department's system and back (var/demo_exchange.log).
( for _ in $(seq 1 60); do
    $PY -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${PORT:-8000}/', timeout=2)" 2>/dev/null && break
    sleep 1
  done
  $PY manage.py demo_exchange >var/demo_exchange.log 2>&1 && cat var/demo_exchange.log ) &

$PY manage.py demo_accounts
echo "后台任务日志: var/celery.log"
echo "部门自建审批系统(参考实现,${REF_NAME}): http://127.0.0.1:$REFSYS_PORT/  日志 var/refsys.log"
echo "政务数据共享交换平台(参考实现): http://127.0.0.1:$DATASRC_PORT/  日志 var/datasources.log"
echo "统一公共支付平台(沙箱): http://127.0.0.1:$PAYSIM_PORT/_control/  日志 var/paysim.log"
echo "短信平台(沙箱,代替手机查看验证码和提醒短信): http://127.0.0.1:$SMSSIM_PORT/  日志 var/smssim.log"
echo "市民之窗终端代理(参考实现,QX-T01 读卡/心跳): http://127.0.0.1:$TERMSIM_PORT/  日志 var/termsim.log"
echo "市民之窗终端页面: http://127.0.0.1:${PORT:-8000}/kiosk/  $(cat var/demo_terminal.txt)"
echo "门户地址: http://127.0.0.1:${PORT:-8000}/"
$PY manage.py runserver "127.0.0.1:${PORT:-8000}" --noreload
