"""Background work recorded with its change (core.intents): written in the caller's transaction,
woken on commit, done once in the transaction of its effect, sent again by the relay after its
lease, opened again when asked for after it was done."""

import datetime as dt
import os

import pytest
from celery import current_app
from django.db import transaction

from core import intents
from core.models import Intent
from portal.celery import app as celery_app
from tests.conftest import use_broker
from tests.factories import ClerkFactory, MatterFactory, submitted_application
from workflow import services, tasks
from workflow.calendar_store import seed_calendar
from workflow.models import Application, CaseLog, Notice

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("REDIS_URL", "")


def purge_queue() -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(celery_app.conf.task_default_queue)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args=None, kwargs=None, **options:
                        calls.append((name, tuple(args or ()), kwargs or {})))
    return calls


def test_an_intent_is_written_with_the_change_and_woken_after_commit(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            pk = intents.record("workflow.tasks.prepare_result", [7], key="workflow.result:7")
            assert sent == []
    assert sent == [("workflow.tasks.prepare_result", (7,), {"intent_id": pk})]
    intent = Intent.objects.get(pk=pk)
    assert (intent.status, intent.task, intent.args) == (Intent.Status.PENDING, "workflow.tasks.prepare_result", [7])


def test_no_intent_survives_a_rolled_back_change(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        intents.record("workflow.tasks.prepare_result", [7], key="workflow.result:7")
        raise RuntimeError("rolled back")
    assert not Intent.objects.exists() and sent == []


def test_asking_twice_is_one_intent_and_asking_after_done_opens_it_again(sent):
    first = intents.record("supervision.tasks.refresh_figure_days", ["2026-12-04"] * 2, key="figures:2026-12-04")
    again = intents.record("supervision.tasks.refresh_figure_days", ["2026-12-04"] * 2, key="figures:2026-12-04")
    assert first == again and Intent.objects.count() == 1
    intents.fulfil(first, lambda: None)
    assert Intent.objects.get(pk=first).status == Intent.Status.DONE
    intents.record("supervision.tasks.refresh_figure_days", ["2026-12-04"] * 2, key="figures:2026-12-04")
    assert Intent.objects.get(pk=first).status == Intent.Status.PENDING


def test_a_done_intent_is_skipped_and_a_failed_run_leaves_it_pending(sent):
    pk = intents.record("x.tasks.y", [], key="x:1")
    runs = []

    def broken():
        runs.append("broken")
        Intent.objects.create(key="made-by-the-effect", task="t", next_attempt_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        raise ValueError("department unreachable")

    with pytest.raises(ValueError):
        intents.fulfil(pk, broken)
    intent = Intent.objects.get(pk=pk)
    assert intent.status == Intent.Status.PENDING and "department unreachable" in intent.last_error
    assert not Intent.objects.filter(key="made-by-the-effect").exists()  # the effect rolled back with it
    assert intents.fulfil(pk, lambda: runs.append("ok") or "result") == "result"
    assert intents.fulfil(pk, lambda: runs.append("twice")) is None
    assert runs == ["broken", "ok"] and Intent.objects.get(pk=pk).runs == 2


def test_a_run_that_began_before_the_work_was_asked_again_does_not_close_it(sent):
    pk = intents.record("x.tasks.y", [], key="x:1")

    def effect():  # meanwhile the work is asked for again by another change
        intents.record("x.tasks.y", [], key="x:1")

    intents.fulfil(pk, effect)
    assert Intent.objects.get(pk=pk).status == Intent.Status.PENDING


def test_the_relay_sends_again_what_is_not_done_after_its_lease_with_a_growing_wait(sent, settings, time_machine):
    settings.INTENT_LEASE_SECONDS, settings.INTENT_MAX_BACKOFF_SECONDS = 60, 200
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    pk = intents.record("x.tasks.y", [1], key="x:1")
    sent.clear()
    assert intents.relay_due() == 0  # within its lease: the wake-up may still be on its way
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 1, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 1 and sent == [("x.tasks.y", (1,), {"intent_id": pk})]
    assert intents.relay_due() == 0  # claimed: not sent twice in a row
    waits, now = [], dt.datetime(2026, 12, 4, 10, 1, 1, tzinfo=dt.UTC)
    for _ in range(3):
        intent = Intent.objects.get(pk=pk)
        waits.append((intent.next_attempt_at - now).total_seconds())
        now = intent.next_attempt_at
        time_machine.move_to(now, tick=False)
        assert intents.relay_due() == 1
    assert waits == [120, 200, 200]  # the lease doubled per send, then capped
    assert Intent.objects.get(pk=pk).sends == 4
    intents.fulfil(pk, lambda: None)
    time_machine.move_to(dt.datetime(2026, 12, 5, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 0


def test_the_relay_leaves_the_rest_due_when_the_broker_goes_away(monkeypatch, settings, time_machine):
    settings.INTENT_LEASE_SECONDS = 60
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    monkeypatch.setattr(current_app, "send_task", lambda *a, **k: None)
    for n in range(3):
        intents.record("x.tasks.y", [n], key=f"x:{n}")

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(current_app, "send_task", down)
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 5, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 0
    assert intents.backlog() == {"pending": 3, "due": 3}
    assert set(Intent.objects.values_list("sends", flat=True)) == {0}


def test_an_acceptance_is_recorded_as_intents_its_tasks_close(sent, django_capture_on_commit_callbacks):
    seed_calendar(years=[2026])
    application = submitted_application(matters=[MatterFactory()])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application=application, clerk=ClerkFactory())
    recorded = dict(Intent.objects.values_list("key", "pk"))
    dispatch, notice = (recorded[f"workflow.dispatch:{application.pk}"],
                        recorded[f"workflow.notice:{application.pk}:acceptance::"])
    assert ("workflow.tasks.dispatch_subcases", (application.pk,), {"intent_id": dispatch}) in sent
    for name, args, kwargs in sent:  # what the worker would do, twice
        getattr(tasks, name.rsplit(".", 1)[1])(*args, **kwargs)
        getattr(tasks, name.rsplit(".", 1)[1])(*args, **kwargs)
    assert set(Intent.objects.filter(pk__in=[dispatch, notice]).values_list("status", flat=True)) == {"done"}
    assert Application.objects.get(pk=application.pk).state == Application.State.IN_REVIEW
    assert Notice.objects.filter(application=application, kind="acceptance").count() == 1
    assert CaseLog.objects.filter(application=application, action="workflow.application.dispatched").count() == 1


def test_recover_stalled_asks_for_missing_work_as_intents(sent, time_machine):
    seed_calendar(years=[2026])
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC))
    application = submitted_application(matters=[MatterFactory()])
    services.application_accept(application=application, clerk=ClerkFactory())
    Intent.objects.all().delete()  # as if written before the intents table
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 10, tzinfo=dt.UTC))
    tasks.recover_stalled()
    assert set(Intent.objects.values_list("key", flat=True)) == {
        f"workflow.dispatch:{application.pk}", f"workflow.notice:{application.pk}:acceptance::"}


def test_a_run_taken_by_the_worker_is_sent_again_a_lease_after_it_began_not_after_its_send(
    sent, settings, time_machine
):
    settings.INTENT_LEASE_SECONDS, settings.INTENT_MAX_BACKOFF_SECONDS = 60, 600
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    pk = intents.record("x.tasks.y", [1], key="x:1")
    # the wake-up waited in the queue 50 s: the worker takes it 10 s before its lease would run out
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, 50, tzinfo=dt.UTC), tick=False)

    def killed():
        time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 5, tzinfo=dt.UTC), tick=False)
        raise SystemExit("SIGKILL")  # the worker dies mid-task

    with pytest.raises(SystemExit):
        intents.fulfil(pk, killed)
    sent.clear()
    assert intents.relay_due() == 0  # a lease after the send, but the run began only 15 s ago
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 50, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 1 and sent == [("x.tasks.y", (1,), {"intent_id": pk})]
    assert intents.fulfil(pk, lambda: "made") == "made" and Intent.objects.get(pk=pk).runs == 2


@pytest.fixture
def redis_broker():
    """The real broker (REDIS_URL, this test worker's own database): the relay reads its queue."""
    use_broker(REDIS_URL)
    purge_queue()
    try:
        yield
    finally:
        purge_queue()
        use_broker("memory://")


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real broker)")
def test_the_relay_tops_the_queue_up_to_its_bound_and_waits_while_it_is_fuller(redis_broker, settings, time_machine):
    settings.INTENT_LEASE_SECONDS, settings.INTENT_MAX_BACKOFF_SECONDS, settings.INTENT_RELAY_MAX_QUEUED = 60, 60, 5
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    recorded = [intents.record("x.tasks.y", [n], key=f"x:{n}") for n in range(8)]  # no commit: no wake-up
    assert intents.queued_messages() == 0
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 1, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 5  # up to the bound, the oldest first
    assert intents.queued_messages() == 5
    assert set(Intent.objects.filter(sends=1).values_list("pk", flat=True)) == set(recorded[:5])
    assert intents.relay_due() == 0  # the queue is full: the other three wait, still due
    assert intents.backlog() == {"pending": 8, "due": 3}
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 5, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 0  # every lease ran out, but what is queued is not sent again

    purge_queue()  # Redis restarted empty: what waited in it is gone
    assert intents.queued_messages() == 0
    assert intents.relay_due() == 5 and intents.relay_due() == 0
    assert set(Intent.objects.values_list("sends", flat=True)) == {1, 2}


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real broker)")
def test_the_relay_sends_what_fits_under_the_bound_next_to_other_work_in_the_queue(
    redis_broker, settings, time_machine
):
    settings.INTENT_LEASE_SECONDS, settings.INTENT_RELAY_MAX_QUEUED = 60, 4
    for n in range(3):  # other work queued meanwhile (a beat task, an export)
        celery_app.send_task("x.tasks.other", args=(n,))
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    for n in range(3):
        intents.record("x.tasks.y", [n], key=f"x:{n}")
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 1, tzinfo=dt.UTC), tick=False)
    assert intents.queued_messages() == 3
    assert intents.relay_due() == 1 and intents.queued_messages() == 4


def test_the_relay_sends_as_before_when_the_queue_cannot_be_read(sent, monkeypatch, settings, time_machine):
    settings.INTENT_LEASE_SECONDS = 60
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    intents.record("x.tasks.y", [1], key="x:1")
    monkeypatch.setattr(intents, "queue_lengths", lambda queues: None)
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 1, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 1
