"""The reconciler against the reference department system (a real process): decisions it made
that never reached us are applied once, messages it lost are sent again, messages it never
acknowledged are listed."""

import datetime as dt

import pytest
from django.core.management import call_command

from exchange import reconcile, relay
from exchange.models import DepartmentKey, DepartmentSystem, InboundMessage, OutboxMessage, Reconciliation
from tests.factories import DepartmentFactory, MatterFactory, accepted_application
from workflow import tasks
from workflow.calendar_store import seed_calendar
from workflow.models import CaseLog, SubCase

pytestmark = pytest.mark.django_db
NOW = dt.timedelta(0)


@pytest.fixture
def system(refsys, settings):
    """The department system's decisions cannot reach us: its portal address is closed."""
    settings.EXCHANGE_RELAY_BASE_SECONDS = settings.EXCHANGE_RELAY_MAX_BACKOFF_SECONDS = 0
    seed_calendar(years=[2026])
    system = DepartmentSystem.objects.create(department=DepartmentFactory(code="QXSCJGJ"), name="市场监管审批系统",
                                             base_url=refsys.url, active=True)
    DepartmentKey.objects.create(system=system, key_id="k1", secret=refsys.keys["k1"])
    return system


def _dispatched(system):
    application = accepted_application(matters=[MatterFactory(department=system.department)])
    tasks.dispatch_subcases(application.pk)
    return application.subcases.get()


def test_a_decision_that_never_reached_us_is_applied_once(system, refsys):
    subcase = _dispatched(system)
    relay.relay_due()
    refsys.decide(subcase.number, "approve", reason="符合条件")
    assert refsys.stats()["decisions_sent"] == 0
    run = reconcile.reconcile_system(system)
    assert [(a["case_ref"], a["kind"], a["code"]) for a in run.applied] == [(subcase.number, "approve", "applied")]
    assert SubCase.objects.get(pk=subcase.pk).state == SubCase.State.APPROVED
    assert InboundMessage.objects.get().source == "reconciler"
    again = reconcile.reconcile_system(system)
    assert (again.applied, again.resent, again.unacknowledged) == ([], [], [])
    assert CaseLog.objects.filter(subcase=subcase, action="workflow.subcase.approved").count() == 1


def test_a_message_the_department_lost_is_sent_again(system, refsys):
    subcase = _dispatched(system)
    relay.relay_due()
    assert OutboxMessage.objects.get().status == "delivered"
    refsys.stop()
    refsys.db.unlink()  # the department restored an old backup: our message is gone there
    refsys.start()
    run = reconcile.reconcile_system(system)
    assert [r["case_ref"] for r in run.resent] == [subcase.number]
    relay.relay_due()
    stats = refsys.stats()
    assert (stats["received_messages"], OutboxMessage.objects.get().status) == (1, "delivered")


def test_unacknowledged_messages_are_listed_even_when_the_department_is_down(system, refsys, capsys):
    subcase = _dispatched(system)
    refsys.stop()
    relay.relay_due()
    run = reconcile.reconcile_system(system, older_than=NOW)
    assert not run.ok and "/api/subcases/" in run.error
    assert [(u["case_ref"], u["status"], u["attempts"]) for u in run.unacknowledged] == [(subcase.number, "pending", 1)]
    call_command("reconcile_departments", "--older-than-minutes", "0")
    out = capsys.readouterr().out
    assert "部门系统不可达" in out and f"未获确认 {subcase.number}" in out
    assert Reconciliation.objects.count() == 2


def test_the_lists_are_read_from_where_the_last_run_ended(system, refsys):
    first = _dispatched(system)
    relay.relay_due()
    run = reconcile.reconcile_system(system)
    assert run.read == {"received": 1, "full_received": True, "decisions": 0, "full_decisions": True}
    assert OutboxMessage.objects.get().confirmed_at is not None
    second = _dispatched(system)
    relay.relay_due()
    refsys.decide(second.number, "approve", reason="符合条件")  # never reaches us: the portal is closed to it
    run = reconcile.reconcile_system(system)
    assert run.read == {"received": 1, "full_received": False, "decisions": 1, "full_decisions": False}
    assert [a["case_ref"] for a in run.applied] == [second.number] and run.resent == []
    assert SubCase.objects.get(pk=second.pk).state == SubCase.State.APPROVED
    assert SubCase.objects.get(pk=first.pk).state == SubCase.State.DISPATCHED
    assert not OutboxMessage.objects.filter(confirmed_at__isnull=True).exists()
    again = reconcile.reconcile_system(system)
    assert again.read == {"received": 0, "full_received": False, "decisions": 0, "full_decisions": False}
    assert (again.applied, again.resent) == ([], [])
    assert DepartmentSystem.objects.get(pk=system.pk).cursor["received"] == 2
