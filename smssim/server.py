"""The reference SMS gateway (短信平台 沙箱): an account sends a text to a mobile number, the
gateway answers with its message id, "delivers" it to the handset a moment later and posts a
signed delivery receipt (回执) back to the address the send named. Everything is signed as
docs/sms-protocol.md says (HMAC-SHA256 over the same five lines as docs/exchange-protocol.md; the
signing function is refsys's).

A send names the sender's own reference (`client_ref`): the same reference sent again is the same
message (answered 200 with the first message id), so a task run twice texts the handset once.

Behaviour switched at run time (`POST /_control/`, loopback only): `receipt` = "normal", "twice"
(every receipt posted twice, at once), "never" or "failed" (the handset is unreachable: a failed
receipt); `deliver_delay` seconds from send to handset; `fail` (every send answered 503, nothing
kept); `slow` seconds before a send is answered; `down_for` seconds with the port closed.

`GET /` is the sandbox's handset: the texts it delivered, newest first (numbers masked), so a demo
user can read the code the portal sent them, and the notices pushed to the mobile app
(`POST /api/pushes/`, the platform's app channel: same account, keys and signature; idempotent by
`client_ref`).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from refsys.common import JsonHandler, Server, Store, serve_with_outages, sign

logger = logging.getLogger("smssim")

H_ACCOUNT, H_KEY, H_TS, H_NONCE, H_SIG = (
    "X-Sms-Account",
    "X-Sms-Key",
    "X-Sms-Timestamp",
    "X-Sms-Nonce",
    "X-Sms-Signature",
)
RECEIPT_MODES = ("normal", "twice", "never", "failed")
BEIJING = dt.timezone(dt.timedelta(hours=8))
MAX_RECEIPT_ATTEMPTS = 8
PHONE_RE = re.compile(r"1\d{10}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    msg_id TEXT PRIMARY KEY, client_ref TEXT NOT NULL UNIQUE, phone TEXT NOT NULL, text TEXT NOT NULL,
    receipt_url TEXT NOT NULL, status TEXT NOT NULL, created_at REAL NOT NULL, deliver_at REAL NOT NULL,
    delivered_at REAL, sends INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS pushes (
    push_id TEXT PRIMARY KEY, client_ref TEXT NOT NULL UNIQUE, token TEXT NOT NULL, title TEXT NOT NULL,
    body TEXT NOT NULL, link TEXT NOT NULL, created_at REAL NOT NULL, sends INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS receipts (
    receipt_id TEXT PRIMARY KEY, msg_id TEXT NOT NULL, due_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at REAL, last_status TEXT NOT NULL DEFAULT '');
"""


def iso(ts: float | None) -> str | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, BEIJING).isoformat(timespec="seconds")


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "*" * len(phone)


class SmsSim(Store):
    def __init__(self, *, db: str, account: str, keys: dict[str, str], key_id: str, max_backoff: float = 30.0):
        super().__init__(db, SCHEMA)
        self.account, self.keys, self.key_id = account, dict(keys), key_id
        self.max_backoff = max_backoff
        self.receipt, self.deliver_delay, self.fail, self.slow = "normal", 0.2, False, 0.0
        self.down_until = 0.0
        self.refused_sends = 0
        self.wake = threading.Event()

    # --- checks on what accounts send ------------------------------------------------------------
    def verify(self, method, path, headers, body) -> tuple[int, str, str] | None:
        account, key_id, ts, nonce, sig = (headers.get(h, "") for h in (H_ACCOUNT, H_KEY, H_TS, H_NONCE, H_SIG))
        if not (account and key_id and ts and nonce and sig):
            return 401, "signature_missing", "缺少签名信息"
        secret = self.keys.get(key_id)
        if account != self.account or secret is None:
            return 401, "unknown_account", "账号或密钥未知"
        return self.check_signed(secret, method=method, path=path, body=body, timestamp=ts, nonce=nonce,
                                 signature=sig)

    # --- messages --------------------------------------------------------------------------------
    def view(self, row) -> dict:
        msg_id, client_ref, phone, _text, _url, status, created, _due, delivered, sends = row
        return {
            "msg_id": msg_id,
            "client_ref": client_ref,
            "phone": mask_phone(phone),
            "status": status,
            "created_at": iso(created),
            "delivered_at": iso(delivered),
            "sends": sends,
        }

    def by(self, column: str, value: str):
        return self.one(f"SELECT * FROM messages WHERE {column} = ?", (value,))  # noqa: S608 - fixed column names

    def send(self, data: dict) -> tuple[dict, bool]:
        client_ref, phone, text = (str(data.get(k, "")) for k in ("client_ref", "phone", "text"))
        receipt_url = str(data.get("receipt_url", ""))
        if not client_ref or len(client_ref) > 64:
            raise ValueError("client_ref (1-64 characters) is required")
        if not PHONE_RE.fullmatch(phone):
            raise ValueError("phone must be an 11-digit mainland mobile number")
        if not text or len(text) > 500:
            raise ValueError("text (1-500 characters) is required")
        if receipt_url and not receipt_url.startswith(("http://", "https://")):
            raise ValueError("receipt_url must be an http(s) URL")
        with self.lock:
            row = self.by("client_ref", client_ref)
            if row is not None:
                if (row[2], row[3]) != (phone, text):
                    raise PermissionError("the same client_ref with another number or text")
                self.q("UPDATE messages SET sends = sends + 1 WHERE msg_id = ?", (row[0],))
                return self.view(self.by("msg_id", row[0])), False
            msg_id, now = "SM" + time.strftime("%Y%m%d") + secrets.token_hex(6).upper(), time.time()
            self.q(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, 'accepted', ?, ?, NULL, 1)",
                (msg_id, client_ref, phone, text, receipt_url, now, now + self.deliver_delay),
            )
            self.wake.set()
            return self.view(self.by("msg_id", msg_id)), True

    def push(self, data: dict) -> tuple[dict, bool]:
        """A notice for the mobile app on the device of `token` (the platform's app channel); the
        same `client_ref` again is the same push (answered with the first push id)."""
        client_ref, token, title, body, link = (str(data.get(k, "")) for k in ("client_ref", "token", "title", "body",
                                                                                  "link"))
        if not client_ref or len(client_ref) > 64:
            raise ValueError("client_ref (1-64 characters) is required")
        if not 16 <= len(token) <= 200:
            raise ValueError("token (16-200 characters) is required")
        if not title or len(title) > 120 or len(body) > 300:
            raise ValueError("title (1-120 characters) and body (at most 300) are required")
        if link and not link.startswith(("http://", "https://")):
            raise ValueError("link must be an http(s) URL")
        with self.lock:
            row = self.one("SELECT * FROM pushes WHERE client_ref = ?", (client_ref,))
            if row is not None:
                if (row[2], row[3], row[4]) != (token, title, body):
                    raise PermissionError("the same client_ref with another device or notice")
                self.q("UPDATE pushes SET sends = sends + 1 WHERE push_id = ?", (row[0],))
                return {"push_id": row[0], "client_ref": client_ref, "sends": row[7] + 1}, False
            push_id = "PU" + time.strftime("%Y%m%d") + secrets.token_hex(6).upper()
            self.q("INSERT INTO pushes VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                   (push_id, client_ref, token, title, body, link, time.time()))
            return {"push_id": push_id, "client_ref": client_ref, "sends": 1}, True

    def push_listing(self, limit: int = 50) -> list[dict]:
        rows = self.q("SELECT * FROM pushes ORDER BY created_at DESC LIMIT ?", (limit,))
        return [{"push_id": r[0], "client_ref": r[1], "token": r[2], "title": r[3], "body": r[4], "link": r[5],
                 "created_at": iso(r[6]), "sends": r[7]} for r in rows]

    def deliver_due(self) -> None:
        """Messages whose handset time came: delivered (or failed, as switched), receipts queued."""
        with self.lock:
            due = self.q(
                "SELECT msg_id, receipt_url FROM messages WHERE status = 'accepted' AND deliver_at <= ?", (time.time(),)
            )
            for msg_id, receipt_url in due:
                now, status = time.time(), "failed" if self.receipt == "failed" else "delivered"
                self.q(
                    "UPDATE messages SET status = ?, delivered_at = ? WHERE msg_id = ?",
                    (status, now if status == "delivered" else None, msg_id),
                )
                copies = {"normal": 1, "twice": 2, "never": 0, "failed": 1}[self.receipt] if receipt_url else 0
                for _ in range(copies):
                    self.q(
                        "INSERT INTO receipts (receipt_id, msg_id, due_at) VALUES (?, ?, ?)",
                        ("RC" + secrets.token_hex(8).upper(), msg_id, now),
                    )

    # --- receipts out ----------------------------------------------------------------------------
    def send_receipt(self, receipt_id: str) -> None:
        msg_id, attempts = self.one("SELECT msg_id, attempts FROM receipts WHERE receipt_id = ?", (receipt_id,))
        row = self.by("msg_id", msg_id)
        url, status, delivered = row[4], row[5], row[8]
        body = json.dumps(
            {
                "receipt_id": receipt_id,
                "account": self.account,
                "msg_id": msg_id,
                "client_ref": row[1],
                "status": status,
                "error": "" if status == "delivered" else "handset_unreachable",
                "delivered_at": iso(delivered),
            },
            ensure_ascii=False,
        ).encode()
        parts = urllib.parse.urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            H_ACCOUNT: self.account,
            H_KEY: self.key_id,
            H_TS: ts,
            H_NONCE: nonce,
            H_SIG: sign(self.keys[self.key_id], "POST", path, ts, nonce, body),
            "Content-Type": "application/json",
        }
        try:
            request = urllib.request.Request(url, data=body, method="POST", headers=headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read() or b"{}")
                code, ok = str(response.status), answer.get("result") == "ok"
        except urllib.error.HTTPError as error:
            code, ok = str(error.code), False
        except (OSError, ValueError) as error:
            code, ok = type(error).__name__, False
        attempts += 1
        if ok:
            self.q(
                "UPDATE receipts SET delivered_at = ?, attempts = ?, last_status = ? WHERE receipt_id = ?",
                (time.time(), attempts, code, receipt_id),
            )
        else:
            logger.warning("receipt %s of %s not accepted: %s", receipt_id, msg_id, code)
            self.q(
                "UPDATE receipts SET due_at = ?, attempts = ?, last_status = ? WHERE receipt_id = ?",
                (time.time() + min(0.5 * 2**attempts, self.max_backoff), attempts, code, receipt_id),
            )

    def worker_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.deliver_due()
            with self.lock:
                due = [
                    r[0]
                    for r in self.q(
                        "SELECT receipt_id FROM receipts WHERE delivered_at IS NULL AND attempts < ? AND due_at <= ?",
                        (MAX_RECEIPT_ATTEMPTS, time.time()),
                    )
                ]
                for rid in due:  # leased while in flight
                    self.q("UPDATE receipts SET due_at = ? WHERE receipt_id = ?", (time.time() + 60, rid))
            # copies of one receipt go out together, each in its own thread: a real duplicate race
            threads = [threading.Thread(target=self.send_receipt, args=(rid,), daemon=True) for rid in due]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.wake.wait(0.1)
            self.wake.clear()

    def stats(self) -> dict:
        count = lambda sql: self.one(sql)[0]  # noqa: E731
        return {
            "receipt": self.receipt,
            "deliver_delay": self.deliver_delay,
            "fail": self.fail,
            "slow": self.slow,
            "messages": count("SELECT COUNT(*) FROM messages"),
            "sends": count("SELECT COALESCE(SUM(sends), 0) FROM messages"),
            "refused_sends": self.refused_sends,
            "delivered": count("SELECT COUNT(*) FROM messages WHERE status = 'delivered'"),
            "failed": count("SELECT COUNT(*) FROM messages WHERE status = 'failed'"),
            "receipts": count("SELECT COUNT(*) FROM receipts"),
            "pushes": count("SELECT COUNT(*) FROM pushes"),
            "push_sends": count("SELECT COALESCE(SUM(sends), 0) FROM pushes"),
            "receipts_delivered": count("SELECT COUNT(*) FROM receipts WHERE delivered_at IS NOT NULL"),
        }

    def listing(self, limit: int = 50) -> list[dict]:
        rows = self.q("SELECT * FROM messages ORDER BY created_at DESC LIMIT ?", (limit,))
        return [{**self.view(r), "text": r[3]} for r in rows]


class Handler(JsonHandler):
    sim: SmsSim
    server: Server
    server_version = "SmsSandbox/1.0"
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
            if path == "/" and method == "GET":
                return self._send(200, self._handset_page(), "text/html; charset=utf-8")
            if not path.startswith("/api/"):
                return self._error(404, "not_found", "无此地址")
            refused = sim.verify(method, self.path, self.headers, body)
            if refused is not None:
                logger.warning("refused %s %s: %s", method, self.path, refused[1])
                return self._error(*refused)
            if path == "/api/messages/" and method == "POST":
                if sim.slow:
                    time.sleep(sim.slow)
                if sim.fail:
                    sim.refused_sends += 1
                    return self._error(503, "unavailable", "短信平台繁忙,请稍后重试")
                answer, created = sim.send(json.loads(body))
                return self._send(201 if created else 200, answer)
            if path == "/api/pushes/" and method == "POST":
                if sim.fail:
                    sim.refused_sends += 1
                    return self._error(503, "unavailable", "消息平台繁忙,请稍后重试")
                answer, created = sim.push(json.loads(body))
                return self._send(201 if created else 200, answer)
            if path.startswith("/api/messages/") and method == "GET":
                row = sim.by("client_ref", path.removeprefix("/api/messages/").strip("/"))
                return self._send(200, sim.view(row)) if row else self._error(404, "no_message", "无此短信")
            return self._error(404, "not_found", "无此地址")
        except PermissionError as error:
            return self._error(409, "conflict", str(error))
        except (ValueError, KeyError, TypeError) as error:
            return self._error(400, "invalid_request", str(error))

    def _control(self, method, path, body):
        sim = self.sim
        if path == "/_control/" and method == "POST":
            data = json.loads(body or b"{}")
            if "receipt" in data:
                if data["receipt"] not in RECEIPT_MODES:
                    raise ValueError(f"receipt must be one of {RECEIPT_MODES}")
                sim.receipt = data["receipt"]
            if "deliver_delay" in data:
                sim.deliver_delay = float(data["deliver_delay"])
            if "fail" in data:
                sim.fail = bool(data["fail"])
            if "slow" in data:
                sim.slow = float(data["slow"])
            self._send(200, sim.stats())
            if float(data.get("down_for", 0)) > 0:
                sim.down_until = time.time() + float(data["down_for"])
                threading.Thread(target=self.server.shutdown, daemon=True).start()
            return None
        if path == "/_control/" and method == "GET":
            return self._send(200, sim.stats())
        if path == "/_control/messages/" and method == "GET":
            return self._send(200, sim.listing(500))
        if path == "/_control/pushes/" and method == "GET":
            return self._send(200, sim.push_listing(500))
        return self._error(404, "not_found", "无此地址")

    def _handset_page(self) -> bytes:
        e = html.escape
        rows = "".join(
            f"<tr><td>{e(m['created_at'] or '')}</td><td>{e(m['phone'])}</td><td>{e(m['text'])}</td>"
            f"<td>{'已送达' if m['status'] == 'delivered' else '发送失败' if m['status'] == 'failed' else '发送中'}</td></tr>"
            for m in self.sim.listing()
        )
        pushes = "".join(
            f"<tr><td>{e(p['created_at'] or '')}</td><td>{e(p['token'][:6])}…</td><td>{e(p['title'])}</td>"
            f"<td>{e(p['body'])}</td></tr>"
            for p in self.sim.push_listing()
        )
        return (
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>短信平台(沙箱)</title>'
            "<h1>短信平台(沙箱):已发送的短信</h1><p>演示用:这里代替手机显示门户发出的短信,最近 50 条。</p>"
            "<table border=1 cellpadding=4><tr><th>时间</th><th>手机号码</th><th>内容</th><th>状态</th></tr>"
            f"{rows}</table><h2>手机App推送</h2>"
            "<table border=1 cellpadding=4><tr><th>时间</th><th>设备令牌</th><th>标题</th><th>内容</th></tr>"
            f"{pushes}</table></html>"
        ).encode()


def serve(sim: SmsSim, *, host: str, port: int, ready=print) -> None:
    """Serve until interrupted; `down_for` closes the port for a while, then it listens again."""
    stop = threading.Event()
    threading.Thread(target=sim.worker_loop, args=(stop,), daemon=True).start()
    handler = type("BoundHandler", (Handler,), {"sim": sim})
    try:
        serve_with_outages(handler, host=host, port=port, ready=ready, log=logger, down_until=lambda: sim.down_until)
    finally:
        stop.set()
