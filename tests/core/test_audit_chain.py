"""The hash chain of the log tables: every row sealed at insert, `verify_audit` names the first
row changed, inserted or deleted behind the ORM's back, and on PostgreSQL the database itself
refuses UPDATE and DELETE on a log table."""

import io

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core import audit
from core.chained import chained_models
from core.models import AppendOnlyModel, AuditChainHead
from exchange.models import DataQuery, ExchangeMessage, Exemption, RefusedRequest
from supervision.feedback.models import FeedbackLog
from supervision.models import CardLog
from tests.concurrency import run_concurrently
from windows.models import ConsultationEvent, RosterLog
from workflow.models import CalendarChange, CaseLog

pytestmark = pytest.mark.django_db

TABLE = RefusedRequest._meta.db_table
IGNORE = "exchange.RefusedRequest:append_only"
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers need PostgreSQL (DATABASE_URL)")


def refused(n=3):
    return [RefusedRequest.objects.create(code="bad_signature", department_code=f"D{i}", method="POST",
                                          path="/api/decisions/") for i in range(n)]


def behind_the_orm(sql, params=()):
    """What someone with database access does: raw SQL, the trigger held off on PostgreSQL."""
    with pgtrigger.ignore(IGNORE), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_command():
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return False, out.getvalue(), str(exc)
    return True, out.getvalue(), ""


def test_every_log_table_is_on_the_chain():
    for model in (CaseLog, CalendarChange, ConsultationEvent, RosterLog, CardLog, FeedbackLog, DataQuery,
                  Exemption, RefusedRequest, ExchangeMessage):
        assert issubclass(model, AppendOnlyModel), model
        assert model in chained_models()


def test_rows_are_sealed_in_one_line_per_day():
    rows = refused(3)
    today = timezone.localdate()
    assert [(r.chain_day, r.chain_seq) for r in rows] == [(today, 1), (today, 2), (today, 3)]
    assert rows[0].prev_hash == "" and rows[1].prev_hash == rows[0].row_hash and rows[2].prev_hash == rows[1].row_hash
    head = AuditChainHead.objects.get(table="exchange.RefusedRequest", day=today)
    assert (head.seq, head.last_hash) == (3, rows[2].row_hash)
    more = RefusedRequest.objects.bulk_create([RefusedRequest(code="stale", method="GET", path="/x/") for _ in range(2)])
    assert [r.chain_seq for r in more] == [4, 5] and more[0].prev_hash == rows[2].row_hash
    report = audit.verify_table(RefusedRequest)
    assert report.ok and report.rows == 5 and report.chains == 1
    ok, out, _ = verify_command()
    assert ok, out
    assert "OK     exchange.RefusedRequest" in out


def test_a_changed_row_is_named():
    rows = refused(3)
    behind_the_orm(f"UPDATE {TABLE} SET remote_addr = %s WHERE id = %s", ["10.0.0.9", rows[1].pk])
    report = audit.verify_table(RefusedRequest)
    assert not report.ok
    assert (report.first_break.row_id, report.first_break.day, report.first_break.seq) == (
        rows[1].pk, timezone.localdate(), 2)
    assert "改动" in report.first_break.reason
    ok, out, error = verify_command()
    assert not ok and "1 of" in error
    assert "BROKEN exchange.RefusedRequest" in out and f"id={rows[1].pk} day={timezone.localdate()} seq=2" in out


def test_a_deleted_row_is_named_by_its_place_and_the_row_after_it():
    rows = refused(3)
    behind_the_orm(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])
    broken = audit.verify_table(RefusedRequest).first_break
    assert (broken.row_id, broken.seq) == (rows[2].pk, 3)
    assert "第 2 条记录已被删除" in broken.reason and f"id={rows[0].pk}" in broken.reason


def test_a_deleted_last_row_is_named_by_the_chain_head():
    rows = refused(3)
    behind_the_orm(f"DELETE FROM {TABLE} WHERE id = %s", [rows[2].pk])
    broken = audit.verify_table(RefusedRequest).first_break
    assert (broken.row_id, broken.seq) == (rows[1].pk, 2)
    assert "链尾不符" in broken.reason


def test_a_row_inserted_behind_the_seal_is_named():
    refused(2)
    behind_the_orm(f"INSERT INTO {TABLE} (at, code, department_code, key_id, method, path, remote_addr, prev_hash, "
                   "row_hash) VALUES (%s, 'x', '', '', 'GET', '/', '', '', '')", [timezone.now()])
    forged = RefusedRequest.objects.get(code="x")
    broken = audit.verify_table(RefusedRequest).first_break
    assert broken.row_id == forged.pk and "未封存" in broken.reason


def test_a_rewritten_hash_still_breaks_the_next_link():
    rows = refused(3)
    behind_the_orm(f"UPDATE {TABLE} SET remote_addr = '1.1.1.1', row_hash = %s WHERE id = %s", ["0" * 64, rows[0].pk])
    broken = audit.verify_table(RefusedRequest).first_break
    assert broken.row_id == rows[0].pk  # its own hash does not match its content


def test_backfill_seals_rows_written_before_the_chain():
    rows = refused(3)
    behind_the_orm(f"UPDATE {TABLE} SET chain_day = NULL, chain_seq = NULL, prev_hash = '', row_hash = ''")
    AuditChainHead.objects.filter(table="exchange.RefusedRequest").delete()
    assert audit.verify_table(RefusedRequest).first_break.row_id == rows[0].pk
    with pgtrigger.ignore(IGNORE):
        assert audit.backfill(RefusedRequest, time_field="at") == 3
    assert audit.verify_table(RefusedRequest).ok


@on_postgres
def test_postgres_refuses_update_and_delete_of_a_log_row():
    row = refused(1)[0]
    for sql in (f"UPDATE {TABLE} SET remote_addr = '6.6.6.6' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    row.refresh_from_db()
    assert row.remote_addr == ""
    assert audit.verify_table(RefusedRequest).ok


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_keep_one_line():
    def writer(i):
        def run():
            with transaction.atomic():
                for j in range(5):
                    RefusedRequest.objects.create(code="replay", department_code=f"{i}-{j}", method="POST", path="/")
        return run

    results = run_concurrently(*(writer(i) for i in range(6)))
    assert all(r[0] == "ok" for r in results), results
    seqs = sorted(RefusedRequest.objects.values_list("chain_seq", flat=True))
    assert seqs == list(range(1, 31))
    assert audit.verify_table(RefusedRequest).ok


def test_the_heads_locked_read_is_compiled_once_and_reads_the_right_head():
    audit._HEAD_SQL.clear()
    refused(2)  # the day's first row makes the head; the second reads it through the compiled statement
    sql, roles = audit._HEAD_SQL[connection.alias]
    assert sorted(roles) in (["day", "table"], ["day_text", "table"])
    if connection.vendor == "postgresql":
        assert sql.endswith("FOR UPDATE")
    other = AuditChainHead.objects.create(table="exchange.Other", day=timezone.localdate(), seq=9, last_hash="x" * 64)
    with transaction.atomic():
        head = audit._read_locked_head(AuditChainHead, RefusedRequest._meta.label, timezone.localdate(),
                                       connection.alias)
        assert head is not None and head.pk != other.pk and head.seq == 2
        assert audit._read_locked_head(AuditChainHead, "exchange.Nothing", timezone.localdate(),
                                       connection.alias) is None
