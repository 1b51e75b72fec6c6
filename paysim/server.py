"""The sandbox payment provider: merchants create orders, a citizen pays on its pay page, the
merchant gets a signed asynchronous notification, can query an order, refund it and read the
day's statement. Everything is signed as docs/payment-protocol.md says (HMAC-SHA256 over the
same five lines as docs/exchange-protocol.md; the signing function is refsys's).

Behaviour switched at run time (`POST /_control/`, loopback only): `notify` = "normal", "twice"
(every payment notified twice, at once), "bad_signature" (the notification's signature is wrong)
or "never"; `notify_delay` seconds between payment and notification (a late payment result).
`POST /_control/pay/<out_trade_no>` pays an order as the citizen's button does;
`POST /_control/statement/` plants an extra statement entry (for reconciliation tests).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from refsys.common import JsonHandler, Server, Store, sign

logger = logging.getLogger("paysim")

H_MERCHANT, H_KEY, H_TS, H_NONCE, H_SIG = (
    "X-Pay-Merchant", "X-Pay-Key", "X-Pay-Timestamp", "X-Pay-Nonce", "X-Pay-Signature",
)
NOTIFY_MODES = ("normal", "twice", "bad_signature", "never")
BEIJING = dt.timezone(dt.timedelta(hours=8))
MAX_NOTIFY_ATTEMPTS = 6

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, out_trade_no TEXT NOT NULL UNIQUE, amount_fen INTEGER NOT NULL,
    subject TEXT NOT NULL, notify_url TEXT NOT NULL, return_url TEXT NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL, paid_at REAL, refunded_fen INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id TEXT PRIMARY KEY, out_refund_no TEXT NOT NULL UNIQUE, out_trade_no TEXT NOT NULL,
    amount_fen INTEGER NOT NULL, reason TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, due_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, delivered_at REAL, bad_signature INTEGER NOT NULL DEFAULT 0,
    last_status TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS planted (
    id INTEGER PRIMARY KEY AUTOINCREMENT, day TEXT NOT NULL, out_trade_no TEXT NOT NULL, type TEXT NOT NULL,
    amount_fen INTEGER NOT NULL);
"""


def beijing_day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, BEIJING).date().isoformat()


def iso(ts: float | None) -> str | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, BEIJING).isoformat(timespec="seconds")


class PaySim(Store):
    def __init__(self, *, db: str, merchant: str, keys: dict[str, str], key_id: str, public_url: str = "",
                 max_backoff: float = 30.0):
        super().__init__(db, SCHEMA)
        self.merchant, self.keys, self.key_id = merchant, dict(keys), key_id
        self.public_url = public_url.rstrip("/")
        self.max_backoff = max_backoff
        self.notify, self.notify_delay = "normal", 0.0
        self.wake = threading.Event()

    # --- checks on what merchants send ---------------------------------------------------------
    def verify(self, method, path, headers, body) -> tuple[int, str, str] | None:
        merchant, key_id, ts, nonce, sig = (headers.get(h, "") for h in (H_MERCHANT, H_KEY, H_TS, H_NONCE, H_SIG))
        if not (merchant and key_id and ts and nonce and sig):
            return 401, "signature_missing", "缺少签名信息"
        secret = self.keys.get(key_id)
        if merchant != self.merchant or secret is None:
            return 401, "unknown_merchant", "商户或密钥未知"
        return self.check_signed(secret, method=method, path=path, body=body, timestamp=ts, nonce=nonce,
                                 signature=sig)

    # --- orders --------------------------------------------------------------------------------
    def order_view(self, row) -> dict:
        order_id, out_trade_no, amount, subject, _n, _r, status, created, paid, refunded = row
        pay_url = f"{self.public_url}/pay/{order_id}"
        return {"order_id": order_id, "out_trade_no": out_trade_no, "amount_fen": amount, "subject": subject,
                "status": status, "created_at": iso(created), "paid_at": iso(paid), "refunded_fen": refunded,
                "pay_url": pay_url, "qr_text": pay_url}

    def order_by(self, column: str, value: str):
        return self.one(f"SELECT * FROM orders WHERE {column} = ?", (value,))  # noqa: S608 - fixed column names

    def create_order(self, data: dict) -> tuple[dict, bool]:
        out_trade_no = str(data.get("out_trade_no", ""))
        amount = data.get("amount_fen")
        if not out_trade_no or not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ValueError("out_trade_no and a positive integer amount_fen are required")
        notify_url, return_url = str(data.get("notify_url", "")), str(data.get("return_url", ""))
        if not notify_url.startswith(("http://", "https://")):
            raise ValueError("notify_url must be an http(s) URL")
        with self.lock:
            row = self.order_by("out_trade_no", out_trade_no)
            if row is not None:
                if row[2] != amount:
                    raise PermissionError("the same out_trade_no with another amount")
                return self.order_view(row), False
            order_id = "P" + time.strftime("%Y%m%d") + secrets.token_hex(6).upper()
            self.q("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, 'created', ?, NULL, 0)",
                   (order_id, out_trade_no, amount, str(data.get("subject", ""))[:100], notify_url, return_url,
                    time.time()))
            return self.order_view(self.order_by("order_id", order_id)), True

    def pay(self, order_id: str) -> dict:
        """The citizen pays: the order is paid once; its notification is queued as switched."""
        with self.lock:
            row = self.order_by("order_id", order_id)
            if row is None:
                raise LookupError(order_id)
            if row[6] == "created":
                now = time.time()
                self.q("UPDATE orders SET status = 'paid', paid_at = ? WHERE order_id = ?", (now, order_id))
                copies = {"normal": 1, "twice": 2, "bad_signature": 1, "never": 0}[self.notify]
                for _ in range(copies):
                    self.q("INSERT INTO notifications (order_id, due_at, bad_signature) VALUES (?, ?, ?)",
                           (order_id, now + self.notify_delay, int(self.notify == "bad_signature")))
                self.wake.set()
            return self.order_view(self.order_by("order_id", order_id))

    def refund(self, data: dict) -> tuple[dict, bool]:
        out_refund_no, out_trade_no = str(data.get("out_refund_no", "")), str(data.get("out_trade_no", ""))
        amount = data.get("amount_fen")
        if not out_refund_no or not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ValueError("out_refund_no and a positive integer amount_fen are required")
        with self.lock:
            done = self.one("SELECT refund_id, out_trade_no, amount_fen, created_at FROM refunds WHERE out_refund_no = ?",
                            (out_refund_no,))
            if done is not None:
                return {"refund_id": done[0], "out_refund_no": out_refund_no, "out_trade_no": done[1],
                        "amount_fen": done[2], "status": "refunded", "refunded_at": iso(done[3])}, False
            row = self.order_by("out_trade_no", out_trade_no)
            if row is None:
                raise LookupError(out_trade_no)
            if row[6] not in ("paid", "refunded") or amount > row[2] - row[9]:
                raise PermissionError("the order is not paid, or the amount exceeds what is left to refund")
            refund_id, now = "R" + secrets.token_hex(8).upper(), time.time()
            self.q("INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?)",
                   (refund_id, out_refund_no, out_trade_no, amount, str(data.get("reason", ""))[:200], now))
            self.q("UPDATE orders SET refunded_fen = refunded_fen + ?, status = 'refunded' WHERE out_trade_no = ?",
                   (amount, out_trade_no))
            return {"refund_id": refund_id, "out_refund_no": out_refund_no, "out_trade_no": out_trade_no,
                    "amount_fen": amount, "status": "refunded", "refunded_at": iso(now)}, True

    def statement(self, day: str) -> dict:
        dt.date.fromisoformat(day)
        entries = []
        for order_id, out_trade_no, amount, paid_at in self.q(
                "SELECT order_id, out_trade_no, amount_fen, paid_at FROM orders WHERE paid_at IS NOT NULL"):
            if beijing_day(paid_at) == day:
                entries.append({"type": "pay", "out_trade_no": out_trade_no, "order_id": order_id,
                                "amount_fen": amount, "time": iso(paid_at)})
        for refund_id, out_refund_no, out_trade_no, amount, created_at in self.q(
                "SELECT refund_id, out_refund_no, out_trade_no, amount_fen, created_at FROM refunds"):
            if beijing_day(created_at) == day:
                entries.append({"type": "refund", "out_trade_no": out_trade_no, "refund_id": refund_id,
                                "out_refund_no": out_refund_no, "amount_fen": amount, "time": iso(created_at)})
        for out_trade_no, kind, amount in self.q("SELECT out_trade_no, type, amount_fen FROM planted WHERE day = ?",
                                                 (day,)):
            entries.append({"type": kind, "out_trade_no": out_trade_no, "order_id": "", "amount_fen": amount,
                            "time": f"{day}T12:00:00+08:00"})
        return {"merchant": self.merchant, "date": day, "entries": entries,
                "total_pay_fen": sum(e["amount_fen"] for e in entries if e["type"] == "pay"),
                "total_refund_fen": sum(e["amount_fen"] for e in entries if e["type"] == "refund")}

    # --- notifications out ---------------------------------------------------------------------
    def notification_body(self, order_id: str) -> bytes:
        view = self.order_view(self.order_by("order_id", order_id))
        return json.dumps({"notify_id": secrets.token_hex(12), "merchant": self.merchant, "order_id": order_id,
                           "out_trade_no": view["out_trade_no"], "amount_fen": view["amount_fen"],
                           "status": "paid", "paid_at": view["paid_at"]}, ensure_ascii=False).encode()

    def send_notification(self, notification_id: int) -> None:
        order_id, bad, attempts = self.one("SELECT order_id, bad_signature, attempts FROM notifications WHERE id = ?",
                                           (notification_id,))
        notify_url = self.order_by("order_id", order_id)[4]
        body = self.notification_body(order_id)
        path = urllib.parse.urlsplit(notify_url)
        path = path.path + (f"?{path.query}" if path.query else "")
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        sig = sign(self.keys[self.key_id], "POST", path, ts, nonce, body)
        if bad:
            sig = sign("not-the-merchant-key", "POST", path, ts, nonce, body)
        headers = {H_MERCHANT: self.merchant, H_KEY: self.key_id, H_TS: ts, H_NONCE: nonce, H_SIG: sig,
                   "Content-Type": "application/json"}
        status = ""
        try:
            request = urllib.request.Request(notify_url, data=body, method="POST", headers=headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read() or b"{}")
                status = str(response.status)
                ok = answer.get("result") == "ok"
        except urllib.error.HTTPError as error:
            status, ok = str(error.code), False
        except (OSError, ValueError) as error:
            status, ok = type(error).__name__, False
        attempts += 1
        if ok:
            self.q("UPDATE notifications SET delivered_at = ?, attempts = ?, last_status = ? WHERE id = ?",
                   (time.time(), attempts, status, notification_id))
        else:
            logger.warning("notification %s of %s not accepted: %s", notification_id, order_id, status)
            self.q("UPDATE notifications SET due_at = ?, attempts = ?, last_status = ? WHERE id = ?",
                   (time.time() + min(0.5 * 2 ** attempts, self.max_backoff), attempts, status, notification_id))

    def sender_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            with self.lock:
                due = [r[0] for r in self.q(
                    "SELECT id FROM notifications WHERE delivered_at IS NULL AND attempts < ? AND due_at <= ?",
                    (MAX_NOTIFY_ATTEMPTS, time.time()))]
                for nid in due:  # leased while in flight
                    self.q("UPDATE notifications SET due_at = ? WHERE id = ?", (time.time() + 60, nid))
            # copies of one payment go out together, each in its own thread: a real duplicate race
            threads = [threading.Thread(target=self.send_notification, args=(nid,), daemon=True) for nid in due]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.wake.wait(0.1)
            self.wake.clear()

    def stats(self) -> dict:
        count = lambda sql: self.one(sql)[0]  # noqa: E731
        return {"notify": self.notify, "notify_delay": self.notify_delay,
                "orders": count("SELECT COUNT(*) FROM orders"),
                "paid": count("SELECT COUNT(*) FROM orders WHERE paid_at IS NOT NULL"),
                "notifications_delivered": count("SELECT COUNT(*) FROM notifications WHERE delivered_at IS NOT NULL"),
                "notifications_refused": count("SELECT COUNT(*) FROM notifications WHERE last_status = '401'"),
                "notification_attempts": count("SELECT COALESCE(SUM(attempts), 0) FROM notifications"),
                "refunds": count("SELECT COUNT(*) FROM refunds")}


class Handler(JsonHandler):
    sim: PaySim
    server_version = "PaySandbox/1.0"
    log = logger

    def _dispatch(self, method):
        body = self._body()
        path = urllib.parse.urlsplit(self.path).path
        sim = self.sim
        try:
            if path.startswith("/_control/"):
                if self.client_address[0] not in ("127.0.0.1", "::1"):
                    return self._error(403, "loopback_only", "仅限本机访问")
                return self._control(method, path, body)
            if path.startswith("/pay/"):
                return self._pay_page(method, path.removeprefix("/pay/").strip("/"))
            if not path.startswith("/api/"):
                return self._error(404, "not_found", "无此地址")
            refused = sim.verify(method, self.path, self.headers, body)
            if refused is not None:
                logger.warning("refused %s %s: %s", method, self.path, refused[1])
                return self._error(*refused)
            if path == "/api/orders/" and method == "POST":
                answer, created = sim.create_order(json.loads(body))
                return self._send(201 if created else 200, answer)
            if path.startswith("/api/orders/") and method == "GET":
                row = sim.order_by("out_trade_no", path.removeprefix("/api/orders/").strip("/"))
                return self._send(200, sim.order_view(row)) if row else self._error(404, "no_order", "无此订单")
            if path == "/api/refunds/" and method == "POST":
                answer, created = sim.refund(json.loads(body))
                return self._send(201 if created else 200, answer)
            if path.startswith("/api/statements/") and method == "GET":
                return self._send(200, sim.statement(path.removeprefix("/api/statements/").strip("/")))
            return self._error(404, "not_found", "无此地址")
        except LookupError:
            return self._error(404, "no_order", "无此订单")
        except PermissionError as error:
            return self._error(409, "conflict", str(error))
        except (ValueError, KeyError, TypeError) as error:
            return self._error(400, "invalid_request", str(error))

    def _control(self, method, path, body):
        sim = self.sim
        if path == "/_control/" and method == "POST":
            data = json.loads(body or b"{}")
            if "notify" in data:
                if data["notify"] not in NOTIFY_MODES:
                    raise ValueError(f"notify must be one of {NOTIFY_MODES}")
                sim.notify = data["notify"]
            if "notify_delay" in data:
                sim.notify_delay = float(data["notify_delay"])
            return self._send(200, sim.stats())
        if path == "/_control/" and method == "GET":
            return self._send(200, sim.stats())
        if path.startswith("/_control/pay/") and method == "POST":
            row = sim.order_by("out_trade_no", path.removeprefix("/_control/pay/").strip("/"))
            if row is None:
                raise LookupError
            return self._send(200, sim.pay(row[0]))
        if path == "/_control/statement/" and method == "POST":
            data = json.loads(body)
            dt.date.fromisoformat(data["day"])
            sim.q("INSERT INTO planted (day, out_trade_no, type, amount_fen) VALUES (?, ?, ?, ?)",
                  (data["day"], str(data["out_trade_no"]), data.get("type", "pay"), int(data["amount_fen"])))
            return self._send(201, sim.statement(data["day"]))
        return self._error(404, "not_found", "无此地址")

    def _pay_page(self, method, order_id):
        sim = self.sim
        row = sim.order_by("order_id", order_id)
        if row is None:
            return self._send(404, self._page("订单不存在", "<p>未找到该支付订单。</p>"), "text/html; charset=utf-8")
        if method == "POST":
            view = sim.pay(order_id)
            back = row[5] or "/"
            sep = "&" if "?" in back else "?"
            return self._send(303, b"", "text/plain", {"Location": f"{back}{sep}out_trade_no={view['out_trade_no']}"})
        view, e = sim.order_view(row), html.escape
        yuan = f"{view['amount_fen'] // 100}.{view['amount_fen'] % 100:02d}"
        if view["status"] == "created":
            action = (f'<form method="post" action="/pay/{e(order_id)}"><button type="submit" id="pay">确认支付 ¥{yuan}'
                      "</button></form>")
        else:
            action = "<p>该订单已支付,无需重复支付。</p>"
        body = (f"<p>收款单位:{e(sim.merchant)}</p><p>订单:{e(view['out_trade_no'])}</p>"
                f"<p>项目:{e(view['subject'])}</p><p class=\"amount\">金额:¥{yuan}</p>{action}")
        return self._send(200, self._page("统一公共支付平台(沙箱)", body), "text/html; charset=utf-8")

    @staticmethod
    def _page(title, body) -> bytes:
        return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f"<h1>{html.escape(title)}</h1>{body}</html>").encode()


def serve(sim: PaySim, *, host: str, port: int, ready=print) -> None:
    stop = threading.Event()
    threading.Thread(target=sim.sender_loop, args=(stop,), daemon=True).start()
    handler = type("BoundHandler", (Handler,), {"sim": sim})
    server = Server((host, port), handler)
    if not sim.public_url:
        sim.public_url = f"http://{host}:{server.server_address[1]}"
    ready(f"READY port={server.server_address[1]}")
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        stop.set()
        server.server_close()
