"""What the reference programs share (the department system here, the payment sandbox `paysim`,
the SMS sandbox `smssim`): the request signature of docs/exchange-protocol.md with its freshness
and replay checks, a small SQLite store holding the nonces seen, JSON answers over
`http.server`, a server that can close its port for a while, and the command line they have in
common. Written from the protocol documents; nothing here imports the portal.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TIMESTAMP_WINDOW = 300  # seconds either way

NONCE_TABLE = "CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, seen_at REAL NOT NULL);"


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode()


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret.encode(), canonical(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


class Store:
    """One SQLite file of the program's own, its schema plus the nonce table; one lock serialises
    the threads of the HTTP server and the program's sender."""

    def __init__(self, path: str, schema: str):
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(schema + "\n" + NONCE_TABLE)

    def q(self, sql, args=()):
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    def one(self, sql, args=()):
        rows = self.q(sql, args)
        return rows[0] if rows else None

    def check_signed(self, secret: str, *, method: str, path: str, body: bytes, timestamp: str, nonce: str,
                     signature: str) -> tuple[int, str, str] | None:
        """None when `signature` is the key's over the request, the timestamp is fresh and the nonce
        new (then remembered); else (status, code, message). The caller has found the key."""
        if not hmac.compare_digest(sign(secret, method, path, timestamp, nonce, body), signature):
            return 401, "bad_signature", "签名不正确"
        try:
            stale = abs(time.time() - int(timestamp)) > TIMESTAMP_WINDOW
        except ValueError:
            stale = True
        if stale:
            return 401, "stale_timestamp", "时间戳超出允许范围"
        try:
            self.q("INSERT INTO nonces VALUES (?, ?)", (nonce, time.time()))
        except sqlite3.IntegrityError:
            return 409, "replayed_nonce", "该随机数已使用(重放)"
        self.q("DELETE FROM nonces WHERE seen_at < ?", (time.time() - 2 * TIMESTAMP_WINDOW,))
        return None


class JsonHandler(BaseHTTPRequestHandler):
    """Answers in JSON (or bytes of a given type); errors as {code, message, fields}. Subclasses
    write `_dispatch(method)`."""

    log = logging.getLogger("refsys")
    log_level = logging.INFO

    def log_message(self, fmt, *args):
        self.log.log(self.log_level, "%s %s", self.address_string(), fmt % args)

    def _send(self, status: int, payload, content_type="application/json; charset=utf-8", headers=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, code, message):
        self._send(status, {"code": code, "message": message, "fields": {}})

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _loopback(self) -> bool:
        return self.client_address[0] in ("127.0.0.1", "::1")

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method):  # pragma: no cover - every program writes its own
        raise NotImplementedError


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def go_down(self):
        """Close the port until the program's `down_until`, then listen again (`serve_with_outages`)."""
        self.shutdown()


def serve_with_outages(handler, *, host: str, port: int, ready, down_until: Callable[[], float],
                       log: logging.Logger) -> None:
    """Serve until interrupted. A control call that ran `server.go_down()` closes the port; it
    listens again on the same port once `down_until()` has passed."""
    announced = False
    while True:
        server = Server((host, port), handler)
        port = server.server_address[1]
        if not announced:
            ready(f"READY port={port}")
            announced = True
        else:
            log.warning("up again on port %s", port)
        server.serve_forever(poll_interval=0.1)
        server.server_close()
        wait = down_until() - time.time()
        log.warning("down for %.1f s", max(wait, 0))
        if wait > 0:
            time.sleep(wait)


# --- the command line ------------------------------------------------------------------------


def parser_for(prog: str, description: str, *, port: int, db: str, key_help: str) -> argparse.ArgumentParser:
    """The options every signing reference program takes; the program adds its own."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--db", default=db, help="its own SQLite file")
    parser.add_argument("--key", action="append", required=True, metavar="ID:SECRET",
                        help=f"a shared key; repeat for two during a rotation; the last one {key_help}")
    parser.add_argument("--max-backoff", type=float, default=30.0)
    parser.add_argument("--log-level", default="INFO")
    return parser


def keys_of(args) -> tuple[dict[str, str], str]:
    """The keys given as ID:SECRET, and the id of the last one (the one that signs)."""
    keys = dict(k.split(":", 1) for k in args.key)
    return keys, args.key[-1].split(":", 1)[0]


def run(name: str, args, serve: Callable, program) -> int:
    """Configure logging as `name` and serve `program` until interrupted; `READY port=N` on stdout."""
    logging.basicConfig(level=args.log_level, format=f"%(asctime)s {name} %(levelname)s %(message)s")
    try:
        serve(program, host=args.host, port=args.port, ready=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        return 0
    return 0
