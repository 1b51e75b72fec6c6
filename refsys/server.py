"""The reference department system: receives pushed sub-cases, lets an operator (a person on its
page, or a test through its operator endpoint) decide them, and sends the decisions back to the
portal; serves the province catalog feed. Everything it sends is signed, everything it receives
is checked, as docs/exchange-protocol.md says.

A pushed sub-case's materials that name a `download` path are fetched from the portal (a signed
GET) after intake, checked against their `sha256` and kept in this program's own store; the
operator page shows each (name, size, 摘要一致 or 摘要不符).

Behaviour that tests and demos switch at run time (`POST /_control/`, loopback only):
`delay` seconds before every API answer, `fail` the next N API requests with `fail_status` (-1:
all), `duplicate` every decision sent twice, `down_for` seconds with the port closed, `auto`
("approve", "deny" or "") to decide every received sub-case at once.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from .common import JsonHandler, Store, serve_with_outages, sign

logger = logging.getLogger("refsys")

H_KEY, H_TS, H_NONCE, H_SIG, H_DEPT = (
    "X-Tongban-Key", "X-Tongban-Timestamp", "X-Tongban-Nonce", "X-Tongban-Signature", "X-Tongban-Department",
)
DECISION_KINDS = {
    "approve": "准予许可", "deny": "不予许可", "suspend": "特别程序", "resume": "特别程序结束",
    "extension": "申请延期",
}
PROCEDURES = {"hearing": "听证", "inspection": "检验", "testing": "检测", "appraisal": "鉴定", "expert_review": "专家评审"}


# --- the protocol (refsys.common, written from the document, not imported from the portal) ------


def signed_headers(*, department: str, key_id: str, secret: str, method: str, path: str, body: bytes) -> dict:
    ts, nonce = str(int(time.time())), secrets.token_hex(16)
    return {
        H_DEPT: department, H_KEY: key_id, H_TS: ts, H_NONCE: nonce,
        H_SIG: sign(secret, method, path, ts, nonce, body), "Content-Type": "application/json",
    }


# --- storage ------------------------------------------------------------------------------


SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    message_id TEXT PRIMARY KEY, kind TEXT NOT NULL, case_ref TEXT NOT NULL, body TEXT NOT NULL,
    received_at REAL NOT NULL, deliveries INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS decisions (
    message_id TEXT PRIMARY KEY, case_ref TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
    created_at REAL NOT NULL, sent_at REAL, attempts INTEGER NOT NULL DEFAULT 0, sends INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0, refused TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT, case_ref TEXT NOT NULL, name TEXT NOT NULL, download TEXT NOT NULL,
    expected TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', content BLOB, size INTEGER, got TEXT,
    error TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL DEFAULT 0,
    fetched_at REAL, UNIQUE (case_ref, download));
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS catalog (version INTEGER PRIMARY KEY, published_at TEXT NOT NULL, matters TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    source TEXT NOT NULL, subject TEXT NOT NULL, fields TEXT NOT NULL, PRIMARY KEY (source, subject));
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, subject TEXT NOT NULL, fields TEXT NOT NULL,
    purpose TEXT NOT NULL, case_ref TEXT NOT NULL, asked_at REAL NOT NULL);
"""


@dataclass
class Behaviour:
    delay: float = 0.0
    fail: int = 0  # the next N API requests fail; -1: every one
    fail_status: int = 503
    duplicate: bool = False
    auto: str = ""
    wrong: bool = False  # data-source answers come back malformed (a system giving wrong data)
    down_until: float = 0.0
    requests: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_failure(self) -> bool:
        with self.lock:
            self.requests += 1
            if self.fail == 0:
                return False
            if self.fail > 0:
                self.fail -= 1
            self.failed += 1
            return True

    def as_dict(self):
        return {"delay": self.delay, "fail": self.fail, "fail_status": self.fail_status, "duplicate": self.duplicate,
                "auto": self.auto, "wrong": self.wrong, "down": time.time() < self.down_until, "requests": self.requests,
                "failed": self.failed}


class RefSystem:
    """The program's state: its store, keys, behaviour switches and the sender of decisions."""

    def __init__(self, *, db: str, department: str, name: str, keys: dict[str, str], key_id: str, portal: str,
                 max_backoff: float = 30.0, catalog_seed: list | None = None, records: dict | None = None):
        self.store = Store(db, SCHEMA)
        self.department, self.name = department, name
        self.keys = dict(keys)  # key id -> secret; any of them verifies, `key_id` signs
        self.key_id = key_id
        self.portal = portal.rstrip("/")
        self.max_backoff = max_backoff
        self.behaviour = Behaviour()
        self.wake = threading.Event()
        # this store's identity: a reader holding a cursor into another store (a new file, a copy
        # restored from elsewhere) starts again from the beginning
        self.store.q("INSERT OR IGNORE INTO meta VALUES ('store', ?)", (uuid.uuid4().hex,))
        self.store_id = self.store.one("SELECT value FROM meta WHERE name = 'store'")[0]
        if catalog_seed and not self.store.one("SELECT 1 FROM catalog"):
            self.publish_catalog(catalog_seed)
        for source, subjects in (records or {}).items():  # {source: {subject id: {field: value}}}
            for subject, fields in subjects.items():
                self.store.q("INSERT OR REPLACE INTO records VALUES (?, ?, ?)",
                             (source, subject, json.dumps(fields, ensure_ascii=False)))

    # data sources (数据共享): one record per source and subject, only the fields asked for
    def query_record(self, source: str, message: dict) -> tuple[int, dict]:
        subject, fields = str(message["subject"]), message["fields"]
        purpose, case_ref = str(message.get("purpose", "")), str(message.get("case_ref", ""))
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields) or not purpose:
            raise ValueError("fields 必须为字段名列表,purpose 不能为空")
        self.store.q("INSERT INTO queries (source, subject, fields, purpose, case_ref, asked_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (source, subject, json.dumps(fields), purpose, case_ref, time.time()))
        row = self.store.one("SELECT fields FROM records WHERE source = ? AND subject = ?", (source, subject))
        if row is None:
            return 200, {"source": source, "subject": subject, "found": False, "fields": {}}
        record = json.loads(row[0])
        if self.behaviour.wrong:
            return 200, {"source": source, "subject": "0" * 18, "found": True, "fields": "无效数据"}
        return 200, {"source": source, "subject": subject, "found": True,
                     "fields": {f: record[f] for f in fields if f in record}}

    # incoming checks
    def verify(self, method, path, headers, body) -> tuple[int, str, str] | None:
        """None when the request is signed by a key of ours, fresh and not replayed; else
        (status, code, message)."""
        key_id, ts, nonce, sig = (headers.get(h, "") for h in (H_KEY, H_TS, H_NONCE, H_SIG))
        if not (key_id and ts and nonce and sig):
            return 401, "signature_missing", "缺少签名信息"
        secret = self.keys.get(key_id)
        if secret is None:
            return 401, "unknown_key", "签名密钥未知或已停用"
        return self.store.check_signed(secret, method=method, path=path, body=body, timestamp=ts, nonce=nonce,
                                       signature=sig)

    # sub-cases in
    def receive(self, message: dict) -> tuple[dict, bool]:
        message_id = str(message.get("message_id", ""))
        kind = str(message.get("kind", ""))
        case_ref = str((message.get("subcase") or {}).get("number", ""))
        if not message_id or not case_ref:
            raise ValueError("message_id and subcase.number are required")
        with self.store.lock:
            row = self.store.one("SELECT received_at FROM received WHERE message_id = ?", (message_id,))
            if row is not None:
                self.store.q("UPDATE received SET deliveries = deliveries + 1 WHERE message_id = ?", (message_id,))
                return {"ack": message_id, "received_at": row[0], "duplicate": True}, False
            now = time.time()
            self.store.q("INSERT INTO received VALUES (?, ?, ?, ?, ?, 1)",
                         (message_id, kind, case_ref, json.dumps(message, ensure_ascii=False), now))
        materials = (message.get("subcase") or {}).get("materials") or []
        if kind == "subcase.material":
            materials = [message.get("material") or {}]
        self.expect_files(case_ref, materials)
        if kind == "subcase.dispatch" and self.behaviour.auto in ("approve", "deny"):
            self.decide(case_ref, {"kind": self.behaviour.auto, "reason": "经审查,符合法定条件和标准,准予许可。"
                                   if self.behaviour.auto == "approve" else "申请材料不符合法定条件。"})
        return {"ack": message_id, "received_at": now, "duplicate": False}, True

    # materials' files: fetched from the portal after intake, checked, kept
    FILE_STATES = {"pending": "待下载", "ok": "摘要一致", "mismatch": "摘要不符", "refused": "下载被拒", "failed": "下载失败"}
    MAX_FETCHES = 20

    def expect_files(self, case_ref: str, materials: list) -> None:
        added = False
        for material in materials:
            if isinstance(material, dict) and material.get("download"):
                self.store.q("INSERT OR IGNORE INTO files (case_ref, name, download, expected) VALUES (?, ?, ?, ?)",
                             (case_ref, str(material.get("name", "")), str(material["download"]),
                              str(material.get("sha256", ""))))
                added = True
        if added:
            self.wake.set()

    def fetch_due(self) -> int:
        """Fetch the files that are due; returns how many arrived (whatever their digest)."""
        if time.time() < self.behaviour.down_until:
            return 0
        due = self.store.q("SELECT id, download, expected, attempts FROM files WHERE state = 'pending' AND next_at <= ? "
                           "ORDER BY id LIMIT 20", (time.time(),))
        arrived = 0
        for file_id, download, expected, attempts in due:
            status, data, code = self.get_from_portal(download)
            if status == 200:
                got = hashlib.sha256(data).hexdigest()
                self.store.q("UPDATE files SET state = ?, content = ?, size = ?, got = ?, fetched_at = ?, "
                             "attempts = attempts + 1, error = '' WHERE id = ?",
                             ("ok" if got == expected else "mismatch", data, len(data), got, time.time(), file_id))
                if got != expected:
                    logger.warning("file %s: sha256 %s, the message said %s", download, got, expected)
                arrived += 1
            elif 400 <= status < 500:
                logger.warning("portal refused file %s: %s %s", download, status, code)
                self.store.q("UPDATE files SET state = 'refused', error = ?, attempts = attempts + 1 WHERE id = ?",
                             (f"{status} {code}", file_id))
            else:
                state = "failed" if attempts + 1 >= self.MAX_FETCHES else "pending"
                wait = min(self.max_backoff, 0.5 * 2 ** attempts)
                self.store.q("UPDATE files SET state = ?, attempts = attempts + 1, next_at = ?, error = ? WHERE id = ?",
                             (state, time.time() + wait, f"{status or ''} {code}".strip(), file_id))
        return arrived

    def get_from_portal(self, path: str) -> tuple[int, bytes, str]:
        """(status, body, error code) of a signed GET to the portal; status 0 when nothing came back."""
        headers = signed_headers(department=self.department, key_id=self.key_id, secret=self.keys[self.key_id],
                                 method="GET", path=path, body=b"")
        headers.pop("Content-Type", None)
        request = urllib.request.Request(self.portal + path, headers=headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read(), ""
        except urllib.error.HTTPError as error:
            try:
                return error.code, b"", str(json.loads(error.read() or b"{}").get("code", ""))
            except ValueError:
                return error.code, b"", ""
        except OSError as error:
            return 0, b"", str(error)[:200]

    def files(self, case_ref: str | None = None) -> list[dict]:
        sql = "SELECT id, case_ref, name, state, size, expected, got, error FROM files"
        rows = self.store.q(sql + (" WHERE case_ref = ?" if case_ref else "") + " ORDER BY id",
                            (case_ref,) if case_ref else ())
        return [{"id": i, "case_ref": c, "name": n, "state": st, "state_display": self.FILE_STATES.get(st, st),
                 "size": size, "expected": e, "sha256": g, "error": err} for i, c, n, st, size, e, g, err in rows]

    # decisions out
    def decide(self, case_ref: str, decision: dict) -> dict:
        kind = decision.get("kind")
        if kind not in DECISION_KINDS:
            raise ValueError(f"kind must be one of {sorted(DECISION_KINDS)}")
        if not self.store.one("SELECT 1 FROM received WHERE case_ref = ? AND kind = 'subcase.dispatch'", (case_ref,)):
            raise LookupError(f"no sub-case {case_ref}")
        if self.store.one("SELECT 1 FROM received WHERE case_ref = ? AND kind = 'subcase.withdrawn'", (case_ref,)):
            raise ValueError(f"sub-case {case_ref} was withdrawn by the applicant")
        body = {
            "message_id": uuid.uuid4().hex, "department": self.department, "subcase": case_ref, "kind": kind,
            "reason": str(decision.get("reason", "")), "decided_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "decided_by": str(decision.get("decided_by", "") or f"{self.name}审批员"),
        }
        for key in ("procedure", "days", "licence", "result"):
            if decision.get(key) not in (None, ""):
                body[key] = decision[key]
        self.store.q("INSERT INTO decisions (message_id, case_ref, kind, body, created_at) VALUES (?, ?, ?, ?, ?)",
                     (body["message_id"], case_ref, kind, json.dumps(body, ensure_ascii=False), time.time()))
        self.wake.set()
        return body

    def send_due(self) -> int:
        """Send the decisions that are due; returns how many were delivered."""
        if time.time() < self.behaviour.down_until:
            return 0
        due = self.store.q("SELECT message_id, body, attempts FROM decisions WHERE sent_at IS NULL AND refused = '' "
                           "AND next_at <= ? ORDER BY created_at LIMIT 50", (time.time(),))
        delivered = 0
        for message_id, body, attempts in due:
            times = 2 if self.behaviour.duplicate else 1
            status, answer = 0, {}
            for _ in range(times):
                status, answer = self.post_to_portal("/api/exchange/decisions/", body.encode())
            if 200 <= status < 300:
                self.store.q("UPDATE decisions SET sent_at = ?, attempts = attempts + 1, sends = sends + ?, "
                             "last_error = '' WHERE message_id = ?", (time.time(), times, message_id))
                delivered += 1
            elif 400 <= status < 500:
                code = answer.get("code", str(status))
                logger.warning("portal refused decision %s: %s", message_id, code)
                self.store.q("UPDATE decisions SET refused = ?, attempts = attempts + 1 WHERE message_id = ?",
                             (code, message_id))
            else:
                wait = min(self.max_backoff, 0.5 * 2 ** attempts)
                self.store.q("UPDATE decisions SET attempts = attempts + 1, next_at = ?, last_error = ? "
                             "WHERE message_id = ?", (time.time() + wait, answer.get("error", str(status)), message_id))
        return delivered

    def post_to_portal(self, path: str, body: bytes) -> tuple[int, dict]:
        headers = signed_headers(department=self.department, key_id=self.key_id, secret=self.keys[self.key_id],
                                 method="POST", path=path, body=body)
        request = urllib.request.Request(self.portal + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read() or b"{}")
            except ValueError:
                return error.code, {}
        except (OSError, ValueError) as error:
            return 0, {"error": str(error)[:200]}

    def sender_loop(self, stop: threading.Event):
        while not stop.is_set():
            try:
                self.send_due()
            except Exception:  # keep sending whatever one message did
                logger.exception("sender")
            try:
                self.fetch_due()
            except Exception:  # keep fetching whatever one file did
                logger.exception("files")
            self.wake.wait(0.2)
            self.wake.clear()

    # the catalog feed
    def publish_catalog(self, matters: list) -> int:
        with self.store.lock:
            last = self.store.one("SELECT MAX(version) FROM catalog")[0] or 0
            self.store.q("INSERT INTO catalog VALUES (?, ?, ?)",
                         (last + 1, time.strftime("%Y-%m-%d"), json.dumps(matters, ensure_ascii=False)))
        return last + 1

    def stats(self) -> dict:
        one = self.store.one
        return {
            "received_messages": one("SELECT COUNT(*) FROM received")[0],
            "received_posts": one("SELECT COALESCE(SUM(deliveries), 0) FROM received")[0],
            "subcases": one("SELECT COUNT(DISTINCT case_ref) FROM received WHERE kind = 'subcase.dispatch'")[0],
            "subcases_twice": one("SELECT COUNT(*) FROM (SELECT case_ref FROM received WHERE kind = 'subcase.dispatch' "
                                  "GROUP BY case_ref HAVING COUNT(*) > 1)")[0],
            "decisions": one("SELECT COUNT(*) FROM decisions")[0],
            "decisions_sent": one("SELECT COUNT(*) FROM decisions WHERE sent_at IS NOT NULL")[0],
            "decisions_refused": one("SELECT COUNT(*) FROM decisions WHERE refused != ''")[0],
            "data_queries": one("SELECT COUNT(*) FROM queries")[0],
            "files_ok": one("SELECT COUNT(*) FROM files WHERE state = 'ok'")[0],
            "files_pending": one("SELECT COUNT(*) FROM files WHERE state = 'pending'")[0],
            "behaviour": self.behaviour.as_dict(),
        }


# --- HTTP ---------------------------------------------------------------------------------


class Handler(JsonHandler):
    system: RefSystem  # set on the subclass made by `serve`
    server_version = "RefDeptSystem/1.0"
    log = logger

    def _dispatch(self, method):
        body = self._body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        system = self.system
        if path.startswith("/_control/") or path.startswith("/_operator/") or path == "/":
            if not self._loopback():
                return self._error(403, "loopback_only", "仅限本机访问")
            return self._local(method, path, body, urllib.parse.parse_qs(url.query))
        if not path.startswith("/api/"):
            return self._error(404, "not_found", "无此地址")
        if system.behaviour.delay:
            time.sleep(system.behaviour.delay)
        if system.behaviour.take_failure():
            return self._error(system.behaviour.fail_status, "unavailable", "系统繁忙,请稍后重试")
        refused = system.verify(method, self.path, self.headers, body)
        if refused is not None:
            logger.warning("refused %s %s: %s", method, self.path, refused[1])
            return self._error(*refused)
        try:
            return self._api(method, path, body, urllib.parse.parse_qs(url.query))
        except (ValueError, KeyError) as error:
            return self._error(400, "invalid_message", str(error))

    def _api(self, method, path, body, query):
        system = self.system
        if path == "/api/subcases/" and method == "POST":
            answer, created = system.receive(json.loads(body))
            return self._send(201 if created else 200, answer)
        if path == "/api/subcases/" and method == "GET":
            since, page = self._cursor(query, "received")
            rows = system.store.q("SELECT rowid, message_id, kind, case_ref FROM received WHERE rowid > ? ORDER BY rowid "
                                  "LIMIT ?", (since, page + 1))
            return self._send(200, self._paged(rows[:page], len(rows) > page, since, "received", {
                "received": [{"message_id": m, "kind": k, "case_ref": c} for _r, m, k, c in rows[:page]]}))
        if path == "/api/decisions/" and method == "GET":
            since, page = self._cursor(query, "decisions")
            rows = system.store.q("SELECT rowid, body, sent_at FROM decisions WHERE refused = '' AND rowid > ? "
                                  "ORDER BY rowid LIMIT ?", (since, page + 1))
            return self._send(200, self._paged(rows[:page], len(rows) > page, since, "decisions", {
                "decisions": [json.loads(b) | {"sent": s is not None} for _r, b, s in rows[:page]]}))
        if path.startswith("/api/data/") and path.endswith("/query/") and method == "POST":
            source = path.removeprefix("/api/data/").removesuffix("/query/").strip("/")
            return self._send(*system.query_record(source, json.loads(body)))
        if path == "/api/catalog/versions/" and method == "GET":
            rows = system.store.q("SELECT version, published_at FROM catalog ORDER BY version")
            return self._send(200, {"versions": [{"version": v, "published_at": p} for v, p in rows]})
        if path.startswith("/api/catalog/versions/") and method == "GET":
            number = path.removeprefix("/api/catalog/versions/").strip("/")
            row = system.store.one("SELECT version, published_at, matters FROM catalog WHERE version = ?",
                                   (int(number),))
            if row is None:
                return self._error(404, "not_found", "无此目录版本")
            return self._send(200, {"version": row[0], "published_at": row[1], "matters": json.loads(row[2])})
        return self._error(404, "not_found", "无此地址")

    PAGE = 500

    def _cursor(self, query, table) -> tuple[int, int]:
        """(since, page size) of a list request: `?since=N` (the `next` of an earlier answer)."""
        since = query.get("since", ["0"])[0]
        return (int(since) if since.isdigit() else 0), self.PAGE

    def _paged(self, rows, more, since, table, answer) -> dict:
        last = self.system.store.one(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")[0]  # noqa: S608 - a fixed name
        return {**answer, "store": self.system.store_id, "next": rows[-1][0] if rows else since, "more": more,
                "last": last}

    def _local(self, method, path, body, query):
        system = self.system
        if path == "/_control/" and method == "GET":
            return self._send(200, system.stats())
        if path == "/_control/" and method == "POST":
            data = json.loads(body or b"{}")
            b = system.behaviour
            for name in ("delay", "fail", "fail_status", "duplicate", "auto", "wrong"):
                if name in data:
                    setattr(b, name, type(getattr(b, name))(data[name]))
            if "keys" in data:  # {"id": "secret"}: add keys; "sign_with": the one that signs
                system.keys.update(data["keys"])
            if data.get("retire_key"):
                system.keys.pop(data["retire_key"], None)
            if data.get("sign_with"):
                system.key_id = data["sign_with"]
            if data.get("down_for"):
                b.down_until = time.time() + float(data["down_for"])
                threading.Thread(target=self.server.go_down, daemon=True).start()
            return self._send(200, system.stats())
        if path == "/_control/files/" and method == "GET":
            return self._send(200, {"files": system.files(query.get("case", [None])[0])})
        if path.startswith("/_operator/files/") and method == "GET":
            number = path.removeprefix("/_operator/files/").strip("/")
            row = system.store.one("SELECT content FROM files WHERE id = ? AND content IS NOT NULL",
                                   (int(number) if number.isdigit() else 0,))
            if row is None:
                return self._error(404, "not_found", "无此文件")
            return self._send(200, bytes(row[0]), "application/octet-stream")
        if path == "/_control/catalog/" and method == "POST":
            return self._send(201, {"version": system.publish_catalog(json.loads(body)["matters"])})
        if path.startswith("/_operator/decide/") and method == "POST":
            case_ref = path.removeprefix("/_operator/decide/").strip("/")
            form = self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
            data = ({k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()} if form
                    else json.loads(body or b"{}"))
            if form and data.get("licence_name"):
                data["licence"] = {"name": data.pop("licence_name"), "valid_until": data.pop("valid_until", "") or None}
            if data.get("days"):
                data["days"] = int(data["days"])
            try:
                decision = system.decide(case_ref, data)
            except LookupError as error:
                return self._error(404, "not_found", str(error))
            except ValueError as error:
                return self._error(400, "invalid_decision", str(error))
            if form:
                self.send_response(303)
                self.send_header("Location", "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._send(201, decision)
        if path == "/" and method == "GET":
            return self._send(200, self._page().encode(), "text/html; charset=utf-8")
        return self._error(404, "not_found", "无此地址")

    def _page(self) -> str:
        system = self.system
        cases = system.store.q("SELECT case_ref, body, received_at FROM received WHERE kind = 'subcase.dispatch' "
                               "ORDER BY received_at DESC LIMIT 200")
        decided = {}
        for case_ref, kind, sent, refused in system.store.q(
                "SELECT case_ref, kind, sent_at, refused FROM decisions ORDER BY created_at"):
            state = "已回传" if sent else (f"被拒收:{refused}" if refused else "待回传")
            decided.setdefault(case_ref, []).append(f"{DECISION_KINDS[kind]}({state})")
        for (case_ref,) in system.store.q("SELECT case_ref FROM received WHERE kind = 'subcase.withdrawn'"):
            decided.setdefault(case_ref, []).append("申请人已撤回")
        for case_ref, body in system.store.q("SELECT case_ref, body FROM received WHERE kind = 'subcase.material' "
                                             "ORDER BY received_at"):
            name = json.loads(body).get("material", {}).get("name", "")
            decided.setdefault(case_ref, []).append(f"补交材料:{name}")
        files: dict[str, list[str]] = {}
        for f in system.files():
            e = html.escape
            size = f"{f['size']} 字节," if f["size"] is not None else ""
            state = f["state_display"] + (f"({f['error']})" if f["error"] and f["state"] != "ok" else "")
            link = (f'<a href="/_operator/files/{f["id"]}/">{e(f["name"])}</a>' if f["state"] in ("ok", "mismatch")
                    else e(f["name"]))
            files.setdefault(f["case_ref"], []).append(
                f'<li class="file-{e(f["state"])}">{link}({e(size)}{e(state)})</li>')
        options = "".join(f'<option value="{k}">{v}</option>' for k, v in DECISION_KINDS.items())
        procedures = "".join(f'<option value="{k}">{v}</option>' for k, v in PROCEDURES.items())
        rows = []
        for case_ref, body, _received in cases:
            sub = json.loads(body).get("subcase", {})
            e = html.escape
            rows.append(
                f"<tr><td>{e(case_ref)}</td><td>{e(sub.get('matter', {}).get('name', ''))}</td>"
                f"<td>{e(sub.get('applicant', {}).get('name', ''))}</td><td>{e(sub.get('deadline', ''))}</td>"
                f"<td><ul>{''.join(files.get(case_ref, [])) or '<li>无</li>'}</ul></td>"
                f"<td>{e(';'.join(decided.get(case_ref, [])) or '待审批')}</td><td>"
                f'<form method="post" action="/_operator/decide/{e(case_ref)}">'
                f'<select name="kind">{options}</select> <input name="reason" placeholder="理由" required> '
                f'<select name="procedure"><option value="">(特别程序种类)</option>{procedures}</select> '
                f'<input name="days" type="number" min="1" max="10" placeholder="延期天数" style="width:6em"> '
                f'<input name="licence_name" placeholder="证照名称(准予时)"> '
                f'<input name="valid_until" type="date" title="证照有效期至"> <button>提交</button></form></td></tr>'
            )
        return (
            f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{html.escape(system.name)}</title>'
            f"<h1>{html.escape(system.name)}(部门自建审批系统参考实现)</h1>"
            f"<p>部门编码 {html.escape(system.department)};收到子件 {len(cases)} 件。</p>"
            "<table border=1 cellpadding=4><tr><th>子件编号</th><th>事项</th><th>申请人</th><th>办结期限</th><th>材料文件</th>"
            f"<th>办理情况</th><th>审批</th></tr>{''.join(rows)}</table></html>"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(system: RefSystem, *, host: str, port: int, ready=print) -> None:
    """Serve until interrupted; `down_for` closes the port for a while, then it listens again."""
    stop = threading.Event()
    threading.Thread(target=system.sender_loop, args=(stop,), daemon=True).start()
    handler = type("BoundHandler", (Handler,), {"system": system})
    try:
        serve_with_outages(handler, host=host, port=port, ready=ready, log=logger,
                           down_until=lambda: system.behaviour.down_until)
    finally:
        stop.set()
