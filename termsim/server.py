"""The terminal agent: the device side of docs/terminal-protocol.md.

A real 市民之窗 terminal runs an agent beside its browser: it reads the ID card, watches the
printer's paper, and reports both to the portal signed with the device's own Ed25519 key (the
portal keeps only the public key). This one plays that agent; its card reader and paper sensor are
control calls on its own port, loopback only. It does not import the portal: it signs the five
lines itself, as any vendor's agent would.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from refsys.common import JsonHandler

logger = logging.getLogger("termsim")

EVENTS = "/api/terminals/events/"
H_TERMINAL, H_TIMESTAMP, H_NONCE, H_SIGNATURE = (
    "X-Tongban-Terminal",
    "X-Tongban-Timestamp",
    "X-Tongban-Nonce",
    "X-Tongban-Signature",
)
PAPER = ("ok", "low", "out")


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """METHOD, path with query, Unix seconds, nonce, hex SHA-256 of the body: one per line."""
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode()


class Agent:
    def __init__(self, *, db: str, portal: str, terminal: str, beat_seconds: float = 30.0):
        self.path = Path(db)
        self.portal = portal.rstrip("/")
        self.terminal = terminal
        self.beat_seconds = beat_seconds
        self.lock = threading.Lock()
        self.private = self._load_or_make_key()
        self.card: dict | None = None
        self.paper, self.reader_ok = "ok", True
        self.beats = 0
        self.last: dict = {}
        self.wake = threading.Event()

    # --- the device's key ------------------------------------------------------------------------
    def _load_or_make_key(self) -> Ed25519PrivateKey:
        if self.path.exists():
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored["private_key"]))
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"private_key": base64.b64encode(raw).decode(), "public_key": self._public(key)}, handle)
        return key

    @staticmethod
    def _public(key: Ed25519PrivateKey) -> str:
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    @property
    def public_key(self) -> str:
        return self._public(self.private)

    # --- reports to the portal -------------------------------------------------------------------
    def send(self, message: dict) -> dict:
        """One signed event; the portal's answer as {"status", "answer"} (never raises)."""
        body = json.dumps(message, ensure_ascii=False).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = self.private.sign(canonical("POST", EVENTS, timestamp, nonce, body))
        headers = {
            H_TERMINAL: self.terminal,
            H_TIMESTAMP: timestamp,
            H_NONCE: nonce,
            H_SIGNATURE: base64.b64encode(signature).decode(),
            "Content-Type": "application/json",
        }
        request = urllib.request.Request(self.portal + EVENTS, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                result = {"status": response.status, "answer": json.loads(response.read() or b"{}")}
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
            result = {"status": error.code, "answer": answer}
        except (OSError, ValueError) as error:
            result = {"status": 0, "answer": {"code": "unreachable", "message": str(error)}}
        logger.info("%s → %s %s", message.get("event"), result["status"], result["answer"].get("message", ""))
        with self.lock:
            self.last[message.get("event", "")] = result
        return result

    def beat(self) -> dict:
        with self.lock:
            message = {"event": "heartbeat", "paper": self.paper, "reader_ok": self.reader_ok}
        result = self.send(message)
        with self.lock:
            self.beats += 1
        return result

    def insert(self, *, name: str, id_number: str, photo: str = "") -> dict:
        photo_sha256 = hashlib.sha256((photo or f"photo:{id_number}").encode()).hexdigest()
        card = {"name": name, "id_number": id_number, "photo_sha256": photo_sha256}
        with self.lock:
            self.card = card
        return self.send({"event": "card_inserted", "card": card})

    def remove(self) -> dict:
        with self.lock:
            self.card = None
        return self.send({"event": "card_removed"})

    def status(self) -> dict:
        with self.lock:
            card = dict(self.card) if self.card else None
            if card:
                card["id_number"] = card["id_number"][:4] + "*" * 10 + card["id_number"][-4:]
            return {
                "terminal": self.terminal,
                "portal": self.portal,
                "public_key": self.public_key,
                "card": card,
                "paper": self.paper,
                "reader_ok": self.reader_ok,
                "beats": self.beats,
                "beat_seconds": self.beat_seconds,
                "last": self.last,
            }

    def beat_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.beat()
            self.wake.wait(self.beat_seconds)
            self.wake.clear()


class Handler(JsonHandler):
    agent: Agent
    server_version = "TermSim/1.0"
    log = logger
    log_level = logging.DEBUG

    def _dispatch(self, method):
        if not self._loopback():
            return self._error(403, "loopback_only", "仅限本机访问")
        raw = self._body()
        path = urllib.parse.urlsplit(self.path).path
        form = "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or "")
        try:
            data = (
                {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()} if form else json.loads(raw or b"{}")
            )
        except ValueError:
            return self._error(400, "invalid_request", "请求不是 JSON")
        agent = self.agent
        if method == "GET" and path == "/":
            return self._send(200, self._page(), "text/html; charset=utf-8")
        if method == "GET" and path == "/_control/":
            return self._send(200, agent.status())
        if method != "POST":
            return self._error(404, "not_found", "无此地址")
        if path == "/_control/card/":
            if not data.get("name") or not data.get("id_number"):
                return self._error(400, "invalid_card", "需要姓名和身份证号码")
            result = agent.insert(
                name=str(data["name"]), id_number=str(data["id_number"]), photo=str(data.get("photo", ""))
            )
        elif path == "/_control/card/remove":
            result = agent.remove()
        elif path == "/_control/beat":
            result = agent.beat()
        elif path == "/_control/":
            if "paper" in data:
                if data["paper"] not in PAPER:
                    return self._error(400, "invalid_paper", "paper 只能是 ok、low 或 out")
                agent.paper = data["paper"]
            if "reader_ok" in data:
                agent.reader_ok = data["reader_ok"] not in (False, "false", "0", "")
            result = agent.beat()
        else:
            return self._error(404, "not_found", "无此地址")
        if form:  # the demo page's buttons
            return self._send(303, b"", "text/plain", {"Location": "/"})
        return self._send(200, result)

    def _page(self) -> bytes:
        s, e = self.agent.status(), html.escape
        card = f"{e(s['card']['name'])} {e(s['card']['id_number'])}" if s["card"] else "无"
        last = "".join(
            f"<li>{e(k)}:{v['status']} {e(str(v['answer'].get('message', '')))}</li>" for k, v in s["last"].items()
        )
        return (
            f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>终端代理 {e(s["terminal"])}</title>'
            f"<h1>市民之窗终端代理(参考实现):{e(s['terminal'])}</h1>"
            f"<p>门户:{e(s['portal'])};心跳 {s['beats']} 次(每 {s['beat_seconds']:g} 秒);打印纸:{e(s['paper'])}"
            f";读卡器:{'正常' if s['reader_ok'] else '故障'}</p><p>读卡区:{card}</p>"
            '<form method="post" action="/_control/card/"><label>姓名 <input name="name"></label> '
            '<label>身份证号码 <input name="id_number" size="20"></label> <button>放上身份证</button></form>'
            '<form method="post" action="/_control/card/remove"><button>取走身份证</button></form>'
            '<form method="post" action="/_control/"><select name="paper"><option>ok</option><option>low</option>'
            "<option>out</option></select> <button>设置打印纸</button></form>"
            f"<h2>最近一次上报</h2><ul>{last}</ul></html>"
        ).encode()


def serve(agent: Agent, *, host: str, port: int, ready=print) -> None:
    stop = threading.Event()
    handler = type("BoundHandler", (Handler,), {"agent": agent})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    ready(f"READY port={server.server_address[1]}")
    threading.Thread(target=agent.beat_loop, args=(stop,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        agent.wake.set()
        server.server_close()
