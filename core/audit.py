"""The hash chain of the log tables (tamper evidence).

Every row of an `AppendOnlyModel` table is sealed when it is inserted: it takes the next place
in its table's chain of the (Beijing) day, the hash of the row before it, and its own hash:
SHA-256 over a canonical serialisation of its fields (the previous hash and its place included).
The chain's end (`AuditChainHead`) is locked while a row is sealed, until the transaction that
inserts it commits, so two writers never take the same place and a rolled-back insert leaves no
gap. `verify()` walks every chain and names the first row that does not fit: changed (its hash),
inserted behind the seal (no place), removed (a gap, or a chain that ends before its head says).

Someone who can write the database AND recompute hashes could rewrite a whole chain from the
changed row on; each finished day's end is therefore also sealed into a signed anchor file outside
the database (core/anchors.py), and `verify` compares every finished day's chain with it: a tail
rewritten and re-hashed, or a day without its anchor, is named with its table and day."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from itertools import groupby

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .chained import chained_models

# Never part of the serialisation: the database's id (given after the hash is computed) and the
# hash itself.
_NOT_HASHED = {"id", "row_hash"}
# Values left out, so that adding a nullable or blank column to a log table later does not
# change the hash of the rows written before it.
_EMPTY = (None, "", [], {})


def _plain(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value


def _hashed_fields(model):
    return [f for f in model._meta.concrete_fields if f.attname not in _NOT_HASHED and not f.primary_key]


def _normal(f, value):
    if value is None:
        return None
    if isinstance(f, models.JSONField):
        return value
    target = f.target_field if f.is_relation else f
    return target.to_python(value)


def digest(model, values: dict) -> str:
    """SHA-256 (hex) of one row given as {attname: value}; `model` may be a historical model."""
    row = {}
    for f in _hashed_fields(model):
        value = _plain(_normal(f, values.get(f.attname)))
        if any(value is e or (type(value) is type(e) and value == e) for e in _EMPTY):
            continue
        row[f.attname] = value
    text = json.dumps({"table": model._meta.label, "row": row}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in _hashed_fields(type(instance))}


# database alias: (SQL, what each parameter is) of the locked read of a chain's head, compiled
# once by the ORM (every log row written reads it: the query is not built again each time)
_HEAD_SQL: dict[str, tuple[str, list[str]]] = {}
_LABEL_MARK, _DAY_MARK = "\x00table", dt.date(1901, 2, 3)


def _read_locked_head(Head, label: str, day: dt.date, using: str):
    from django.db import connections

    adapt = connections[using].ops.adapt_datefield_value
    cached = _HEAD_SQL.get(using)
    if cached is None:
        query = Head.objects.using(using).select_for_update().filter(table=_LABEL_MARK, day=_DAY_MARK) \
            .order_by("pk")[:1].query
        sql, compiled = query.get_compiler(using).as_sql()
        roles = ["table" if p == _LABEL_MARK else "day" if p == _DAY_MARK else "day_text" if p == adapt(_DAY_MARK)
                 else None for p in compiled]
        if None in roles or len(roles) != 2:  # not the plain statement expected: the ORM's each time
            return Head.objects.using(using).select_for_update().filter(table=label, day=day).first()
        cached = _HEAD_SQL[using] = (sql, roles)
    sql, roles = cached
    values = {"table": label, "day": day, "day_text": adapt(day)}
    return next(iter(Head.objects.db_manager(using).raw(sql, [values[r] for r in roles])), None)


def _locked_head(label: str, day: dt.date, using: str):
    Head = apps.get_model("core", "AuditChainHead")
    head = _read_locked_head(Head, label, day, using)
    if head is not None:  # every write of the day but the first: one query
        return head
    Head.objects.using(using).get_or_create(table=label, day=day)
    return Head.objects.using(using).select_for_update().get(table=label, day=day)


def seal(instances, *, using: str) -> None:
    """Give each new row its place, the previous hash and its own hash, in the order given.
    Call inside the transaction that inserts them (the head stays locked until it ends)."""
    if not instances:
        return
    model = type(instances[0])
    day = timezone.localdate()
    head = _locked_head(model._meta.label, day, using)
    for instance in instances:
        instance.chain_day = day
        instance.chain_seq = head.seq + 1
        instance.prev_hash = head.last_hash
        instance.row_hash = digest(model, _values(instance))
        head.seq, head.last_hash = instance.chain_seq, instance.row_hash
    head.save(update_fields=["seq", "last_hash"])


def backfill(model, *, time_field: str, using: str = "default", head_model=None) -> int:
    """Seal the rows written before the chain existed (a data migration): each joins the chain of
    the Beijing day of its `time_field`, in the order of that time and then of its id. Works on
    historical models; run it before the table's trigger is installed."""
    Head = head_model or apps.get_model("core", "AuditChainHead")
    label = model._meta.label
    names = [f.attname for f in _hashed_fields(model)]
    rows = (model._base_manager.using(using).filter(chain_seq__isnull=True)
            .order_by(time_field, "pk").values("pk", *names))
    count = 0
    heads = {}
    for values in rows.iterator(chunk_size=2000):
        day = timezone.localdate(values[time_field]) if values[time_field] else timezone.localdate()
        if day not in heads:
            heads[day], _created = Head.objects.using(using).get_or_create(table=label, day=day)
        head = heads[day]
        values.update(chain_day=day, chain_seq=head.seq + 1, prev_hash=head.last_hash)
        values["row_hash"] = digest(model, values)
        model._base_manager.using(using).filter(pk=values["pk"]).update(
            chain_day=day, chain_seq=values["chain_seq"], prev_hash=values["prev_hash"], row_hash=values["row_hash"])
        head.seq, head.last_hash = values["chain_seq"], values["row_hash"]
        count += 1
    for head in heads.values():
        head.save(update_fields=["seq", "last_hash"])
    return count


def reseal_day(model, day: dt.date, *, using: str = "default") -> None:
    """Recompute one day's chain of one table after rows were deliberately rewritten (the demo
    loader back-dates the history it has just written; nothing else may call this). On
    PostgreSQL the caller must hold `pgtrigger.ignore` for the table's trigger."""
    with transaction.atomic(using=using):
        _reseal_day(model, day, using)


def _reseal_day(model, day, using):
    Head = apps.get_model("core", "AuditChainHead")
    head = Head.objects.using(using).select_for_update().get(table=model._meta.label, day=day)
    last = ""
    names = [f.attname for f in _hashed_fields(model)]
    for values in model._base_manager.using(using).filter(chain_day=day).order_by("chain_seq").values("pk", *names):
        values["prev_hash"] = last
        values["row_hash"] = digest(model, values)
        model._base_manager.using(using).filter(pk=values["pk"]).update(prev_hash=last, row_hash=values["row_hash"])
        last = values["row_hash"]
    head.last_hash = last
    head.save(update_fields=["last_hash"])


# --- verification ---------------------------------------------------------------------------------

@dataclass
class Break:
    table: str
    row_id: int | None
    day: dt.date | None
    seq: int | None
    reason: str

    def __str__(self):
        row = f"id={self.row_id}" if self.row_id is not None else _("(无对应记录)")
        return f"{self.table} {row} {self.day or '-'} #{self.seq or '-'}: {self.reason}"


@dataclass
class TableReport:
    table: str
    name: str
    rows: int = 0
    chains: int = 0
    first_break: Break | None = None
    days: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _anchor_break(label, anchor, day, seq, last):
    """Why the day's chain end (seq, last hash) does not match its anchor, or None."""
    from .anchors import Anchor

    if anchor is None:
        return _("缺少该日的外部锚定:无法证明该日链尾未被改写")
    assert isinstance(anchor, Anchor)
    if anchor.tables is None:
        return {"bad_signature": _("该日外部锚定的签名无效"), "unknown_key": _("该日外部锚定由未知密钥签名"),
                "not_configured": _("未配置外部锚定密钥(AUDIT_ANCHOR_KEY),无法核对该日链尾")}.get(
            anchor.problem, _("该日外部锚定无法读取"))
    sealed = anchor.tables.get(label)
    if sealed is None:
        return _("该日外部锚定中没有此表") if seq else None
    if sealed["seq"] != seq or sealed["last_hash"] != last:
        return _("与外部锚定不符:该日链尾已被改写(锚定时第 %(a)s 条、哈希 %(ah)s…,现为第 %(b)s 条、哈希 %(bh)s…)") % {
            "a": sealed["seq"], "ah": sealed["last_hash"][:12], "b": seq, "bh": (last or "-")[:12]}
    return None


def verify_table(model, *, since: dt.date | None = None, using: str = "default", anchors=None) -> TableReport:
    """Walk the chains of one table (from `since` on, or all) and stop at the first break.
    `anchors` ({day: core.anchors.Anchor}): each finished day (before today) is also checked
    against its anchor outside the database; None leaves that check out."""
    Head = apps.get_model("core", "AuditChainHead")
    label = model._meta.label
    report = TableReport(table=label, name=str(model._meta.verbose_name))
    names = [f.attname for f in _hashed_fields(model)]
    qs = model._base_manager.using(using).all()
    heads_qs = Head.objects.using(using).filter(table=label)
    if since:
        qs = qs.filter(models.Q(chain_day__gte=since) | models.Q(chain_day__isnull=True))
        heads_qs = heads_qs.filter(day__gte=since)
    heads = {h.day: h for h in heads_qs}

    def broken(row_id, day, seq, reason):
        report.first_break = Break(label, row_id, day, seq, reason)
        return report

    today = timezone.localdate()

    rows = qs.order_by(models.F("chain_day").asc(nulls_first=True), "chain_seq", "pk").values("pk", "row_hash", *names)
    seen_days = set()
    for day, day_rows in groupby(rows.iterator(chunk_size=2000), key=lambda v: v["chain_day"]):
        expected, last, last_pk = 1, "", None
        for values in day_rows:
            report.rows += 1
            if day is None or values["chain_seq"] is None:
                return broken(values["pk"], day, None, _("未封存:该记录不在哈希链上(绕过系统写入)"))
            seq = values["chain_seq"]
            if seq > expected:
                after = _("(其前一条 id=%(pk)s)") % {"pk": last_pk} if last_pk else _("(当日第一条)")
                return broken(values["pk"], day, seq,
                              _("链断裂:第 %(gap)s 条记录已被删除%(after)s") % {"gap": expected, "after": after})
            if seq < expected:
                return broken(values["pk"], day, seq, _("链断裂:序号重复"))
            if values["prev_hash"] != last:
                return broken(values["pk"], day, seq, _("链断裂:前一条的哈希不符"))
            if digest(model, values) != values["row_hash"]:
                return broken(values["pk"], day, seq, _("内容已被改动:哈希不符"))
            expected, last, last_pk = seq + 1, values["row_hash"], values["pk"]
        seen_days.add(day)
        report.chains += 1
        head = heads.get(day)
        if head is None or head.seq != expected - 1 or head.last_hash != last:
            return broken(last_pk, day, expected - 1,
                          _("链尾不符:该日最后一条之后的记录已被删除(或链尾被改动)"))
        if anchors is not None and day < today:
            reason = _anchor_break(label, anchors.get(day), day, expected - 1, last)
            if reason:
                return broken(last_pk, day, expected - 1, reason)
    for day, head in sorted(heads.items()):
        if day not in seen_days and head.seq:
            return broken(None, day, 1, _("整日记录缺失:链尾记有 %(n)s 条,表中一条也没有") % {"n": head.seq})
    if anchors is not None:
        for day, anchor in sorted(anchors.items()):
            sealed = (anchor.tables or {}).get(label)
            if day not in seen_days and day < today and sealed and sealed["seq"]:
                return broken(None, day, 1, _("整日记录缺失:外部锚定记有 %(n)s 条,表中一条也没有") % {"n": sealed["seq"]})
    return report


def verify(*, since: dt.date | None = None, using: str = "default", anchored: bool = True) -> list[TableReport]:
    """Every chained table; with `anchored`, each finished day against its anchor file too."""
    from . import anchors as anchor_files

    anchors = None
    if anchored:
        try:
            anchors = anchor_files.load(since)
        except ImproperlyConfigured:  # no signing key in production: every finished day says so
            anchors = anchor_files.NotConfigured()
    return [verify_table(m, since=since, using=using, anchors=anchors) for m in chained_models()]


def backfill_operation(app_label: str, time_fields: dict):
    """A migration step sealing the existing rows of `app_label`'s log models
    ({model name: time field}); place it before the tables' triggers are added."""
    from django.db import migrations

    def forwards(apps_, schema_editor):
        head = apps_.get_model("core", "AuditChainHead")
        for name, time_field in time_fields.items():
            backfill(apps_.get_model(app_label, name), time_field=time_field, using=schema_editor.connection.alias,
                     head_model=head)

    return migrations.RunPython(forwards, migrations.RunPython.noop)
