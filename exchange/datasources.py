"""Data-source connectors (数据共享, issue 10 B): signed HTTP/JSON queries to another
organisation's system for one subject's record, with a timeout per attempt, a few retries with
backoff, and a circuit breaker per source so a system that is down is not hammered and the
citizen is told at once (in Chinese) to hand the material in themselves.

The wire format is docs/exchange-protocol.md §数据共享: `POST /api/data/<source>/query/` with
`{"subject", "fields", "purpose", "case_ref"}`, signed as every exchange request; the answer is
`{"source", "subject", "found", "fields": {name: value}}` holding only fields that were asked for.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from exchange import signing

SOURCES = {
    "huji": "户籍", "shebao": "社保", "gongjijin": "公积金", "budongchan": "不动产", "hunyin": "婚姻",
    "qiye": "企业登记", "shui": "水", "dian": "电", "ranqi": "燃气", "jiaotong": "交通违章",
}
# The sources that know enterprises by their unified social credit code (统一社会信用代码); every
# other source knows people by their ID number.
ENTERPRISE_SOURCES = frozenset({"qiye"})


def takes_enterprise(source: str) -> bool:
    return source in ENTERPRISE_SOURCES


class DataSourceError(Exception):
    """The source could not give a usable answer; `message` is for the citizen."""

    def __init__(self, source: str, code: str, message: str):
        super().__init__(f"{source}: {code}")
        self.source, self.code, self.message = source, code, message


class DataSourceUnavailable(DataSourceError):
    pass


@dataclass
class CircuitBreaker:
    """Closed → open after `threshold` failures in a row; open for `cooldown` seconds, then one
    trial request (half-open) closes it on success or opens it again."""

    threshold: int = 3
    cooldown: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self.lock:
            return self.opened_at is None or now - self.opened_at >= self.cooldown

    def success(self) -> None:
        with self.lock:
            self.failures, self.opened_at = 0, None

    def failure(self, now: float | None = None) -> None:
        with self.lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = time.monotonic() if now is None else now

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


@dataclass(frozen=True)
class Record:
    source: str
    subject: str
    found: bool
    fields: dict
    query_id: int | None = None  # the DataQuery row, once logged (exchange.data_access)


class DataSourceClient:
    def __init__(self, *, base_url: str, department: str, key_id: str, secret: str, timeout: float = 3.0,
                 retries: int = 2, backoff: float = 0.2, breaker: CircuitBreaker | None = None):
        self.base_url = base_url.rstrip("/")
        self.department, self.key_id, self.secret = department, key_id, secret
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.breakers: dict[str, CircuitBreaker] = {}
        self._breaker_template = breaker or CircuitBreaker()

    def breaker(self, source: str) -> CircuitBreaker:
        if source not in self.breakers:
            t = self._breaker_template
            self.breakers[source] = CircuitBreaker(threshold=t.threshold, cooldown=t.cooldown)
        return self.breakers[source]

    def query(self, source: str, subject: str, fields: list[str], *, purpose: str, case_ref: str = "") -> Record:
        label = SOURCES.get(source, source)
        if source not in SOURCES:
            raise DataSourceError(source, "unknown_source", f"未知的数据来源:{source}")
        breaker = self.breaker(source)
        unavailable = DataSourceUnavailable(
            source, "unavailable", f"{label}数据暂时无法获取,请您自行上传该材料,已填写的内容不会丢失。")
        if not breaker.allow():
            raise unavailable
        path = f"/api/data/{source}/query/"
        body = json.dumps({"subject": subject, "fields": list(fields), "purpose": purpose, "case_ref": case_ref},
                          ensure_ascii=False).encode()
        timed_out = False
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            headers = signing.sign_headers(department=self.department, key_id=self.key_id, secret=self.secret,
                                           method="POST", path=path, body=body)
            request = urllib.request.Request(self.base_url + path, data=body, method="POST",
                                             headers={**headers, "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer = json.loads(response.read())
            except urllib.error.HTTPError as error:
                if error.code < 500:  # our request was refused: retrying will not help
                    breaker.failure()
                    raise DataSourceError(source, f"http_{error.code}",
                                          f"{label}数据查询被拒绝,请您自行上传该材料。") from error
                continue
            except (OSError, ValueError) as error:  # refused, reset, timed out, or not JSON
                timed_out = _is_timeout(error)
                continue
            record = self._parse(source, subject, fields, answer)
            if record is None:  # a wrong answer counts as a failure, not as data
                breaker.failure()
                raise DataSourceError(source, "invalid_answer", f"{label}数据返回内容有误,请您自行上传该材料。")
            breaker.success()
            return record
        breaker.failure()
        if timed_out:  # the system answers too slowly rather than not at all: a page may say so
            raise DataSourceUnavailable(source, "timeout", unavailable.message)
        raise unavailable

    @staticmethod
    def _parse(source: str, subject: str, fields: list[str], answer) -> Record | None:
        if not isinstance(answer, dict) or answer.get("source") != source or answer.get("subject") != subject:
            return None
        values = answer.get("fields")
        if not isinstance(answer.get("found"), bool) or not isinstance(values, dict):
            return None
        if set(values) - set(fields):  # more than was asked for: refuse it rather than keep it
            return None
        return Record(source=source, subject=subject, found=answer["found"], fields=dict(values))


def _is_timeout(error: Exception) -> bool:
    reason = getattr(error, "reason", None)  # urllib wraps a connect timeout in URLError
    return isinstance(error, TimeoutError) or isinstance(reason, TimeoutError)


_clients: dict[tuple, DataSourceClient] = {}


def client_from_settings() -> DataSourceClient | None:
    """The portal's client (one per process, so its circuit breakers are shared by requests);
    None when no data source is configured."""
    from django.conf import settings

    url, key = settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY
    if not url or ":" not in key:
        return None
    config = (url, key, settings.DATA_SOURCE_CLIENT, settings.DATA_SOURCE_TIMEOUT_SECONDS)
    if config not in _clients:
        key_id, secret = key.split(":", 1)
        _clients[config] = DataSourceClient(base_url=url, department=settings.DATA_SOURCE_CLIENT, key_id=key_id,
                                            secret=secret, timeout=settings.DATA_SOURCE_TIMEOUT_SECONDS)
    return _clients[config]
