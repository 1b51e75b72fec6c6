"""The audit chain's anchor outside the database (core/anchors.py): each finished Beijing day's
chain ends sealed into a signed file; a tail rewritten and re-hashed by someone with database
write access is caught only thanks to it; a day without its anchor is reported as such; beat
seals and verifies every night; a break is told to administrators and supervisors once."""

import base64
import datetime as dt
import json
import os

import pgtrigger
import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.db import connection

from accounts.models import User
from core import anchors, audit
from matters.models import CatalogLog
from notifications.models import Kind, Message
from supervision.compliance.tasks import verify_audit_chains
from tests.factories import SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 2)
TODAY = dt.date(2026, 12, 4)
TABLE = CatalogLog._meta.db_table


def write_rows(n=3, day=DAY):
    with time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        for i in range(n):
            CatalogLog.objects.create(
                action="matters.theme.edited",
                table="matters.Theme",
                object_id=str(i),
                object_repr=f"主题{i}",
                data={"before": {"name": "旧"}, "after": {"name": f"新{i}"}},
            )


def catalog_report(**kwargs):
    return next(r for r in audit.verify(**kwargs) if r.table == "matters.CatalogLog")


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


def rewrite_and_rehash_tail():
    """What someone with database write access does: change the last row of the day, then
    recompute the day's hashes and its chain head so the chain itself is whole again."""
    last = CatalogLog.objects.filter(chain_day=DAY).order_by("-chain_seq").first()
    with pgtrigger.ignore("matters.CatalogLog:append_only"), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["篡改后的主题", last.pk])
        audit.reseal_day(CatalogLog, DAY)
    return last


def test_a_rewritten_and_rehashed_tail_is_caught_only_thanks_to_the_anchor(today):
    write_rows()
    assert anchors.seal_finished_days() == [DAY, dt.date(2026, 12, 3)]
    assert anchors.path_for(DAY).stat().st_mode & 0o222 == 0  # written once, read-only
    assert catalog_report().ok

    last = rewrite_and_rehash_tail()
    assert catalog_report(anchored=False).ok  # the chain alone no longer shows it
    report = catalog_report()
    assert not report.ok
    assert (report.first_break.table, report.first_break.day, report.first_break.row_id) == (
        "matters.CatalogLog",
        DAY,
        last.pk,
    )
    assert "与外部锚定不符" in report.first_break.reason
    assert all(r.ok for r in audit.verify() if r.table != "matters.CatalogLog")


def test_sealing_twice_leaves_the_first_anchor(today):
    write_rows()
    anchors.seal_finished_days()
    first = anchors.path_for(DAY).read_text()
    write_rows(1, day=TODAY)  # today's rows are not sealed until tomorrow
    assert anchors.seal_finished_days() == []
    assert anchors.path_for(DAY).read_text() == first
    assert json.loads(first)["body"]["tables"]["matters.CatalogLog"]["seq"] == 3


def test_a_missing_anchor_day_is_reported_as_such(today):
    write_rows()
    report = catalog_report()
    assert not report.ok and report.first_break.day == DAY
    assert "缺少该日的外部锚定" in report.first_break.reason
    anchors.seal_finished_days()
    assert catalog_report().ok
    os.chmod(anchors.path_for(DAY), 0o644)
    anchors.path_for(DAY).unlink()  # the file removed from the box
    assert "缺少该日的外部锚定" in catalog_report().first_break.reason
    write_rows(1, day=TODAY)
    assert catalog_report(since=dt.date(2026, 12, 3)).ok  # today is not due yet


def test_an_anchor_signed_with_another_key_is_not_trusted(today, settings):
    write_rows()
    anchors.seal_finished_days()
    retired = anchors.signing_key().public_key()
    settings.AUDIT_ANCHOR_KEY = base64.b64encode(os.urandom(32)).decode()  # a new key, the old one forgotten
    assert "未知密钥" in catalog_report().first_break.reason
    settings.AUDIT_ANCHOR_PUBLIC_KEYS = [base64.b64encode(anchors._raw(retired)).decode()]  # kept after a rotation
    assert catalog_report().ok


def test_a_forged_anchor_fails_its_signature(today):
    write_rows()
    anchors.seal_finished_days()
    rewrite_and_rehash_tail()
    path = anchors.path_for(DAY)
    record = json.loads(path.read_text())
    head = audit.apps.get_model("core", "AuditChainHead").objects.get(table="matters.CatalogLog", day=DAY)
    record["body"]["tables"]["matters.CatalogLog"]["last_hash"] = head.last_hash  # forged to match, not re-signed
    os.chmod(path, 0o644)
    path.write_text(json.dumps(record))
    assert "签名无效" in catalog_report().first_break.reason


def test_the_beat_schedule_seals_then_verifies_after_midnight():
    schedule = {e["task"]: e["schedule"] for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    seal, check = schedule["core.tasks.seal_audit_anchors"], schedule["supervision.tasks.verify_audit_chains"]
    assert isinstance(seal, crontab) and isinstance(check, crontab)
    assert seal.hour == {0} and check.hour == {0} and min(seal.minute) < min(check.minute)


def test_a_break_is_told_to_administrators_and_supervisors_once(today):
    administrator = UserFactory(role=User.Role.ADMINISTRATOR)
    supervisor = SupervisorFactory()
    citizen = UserFactory()
    write_rows()
    anchors.seal_finished_days()
    assert verify_audit_chains() == 0
    assert not Message.objects.filter(kind=Kind.AUDIT_BREAK).exists()

    rewrite_and_rehash_tail()
    assert verify_audit_chains() == 1
    assert verify_audit_chains() == 1  # the next night: the same break, no second message
    alerts = Message.objects.filter(kind=Kind.AUDIT_BREAK)
    assert sorted(m.recipient_id for m in alerts) == sorted([administrator.pk, supervisor.pk])
    assert not alerts.filter(recipient=citizen).exists()
    message = alerts.first()
    assert "matters.CatalogLog" in message.body and "2026-12-02" in message.body
    assert message.link.startswith("/supervision/audit-log/")


def test_without_a_signing_key_every_finished_day_says_it_cannot_be_checked(today, settings):
    write_rows()
    settings.AUDIT_ANCHOR_KEY, settings.DEBUG = "", False
    assert "未配置外部锚定密钥" in catalog_report().first_break.reason
    with pytest.raises(anchors.ImproperlyConfigured):
        anchors.seal_finished_days()
