"""免申即享 on the beat: each active benefit's run recorded once a day as an intent, run against
the reference data source (its own process), safe twice, and left pending while the source is
down so that the relay sends it again."""

import pytest
from django.conf import settings as django_settings

from civic import tasks
from civic.models import Benefit, BenefitOffer
from core.models import Intent
from notifications.models import Message
from tests.civic.test_benefits import benefit, expected, people, source  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_beat_plans_the_runs_and_they_go_to_the_exchange_queue():
    entry = django_settings.CELERY_BEAT_SCHEDULE["civic-plan-benefit-runs"]
    assert entry["task"] == "civic.tasks.plan_benefit_runs" and entry["schedule"] <= 300
    assert django_settings.CELERY_TASK_ROUTES["civic.tasks.run_benefit"] == {"queue": "exchange"}


def test_one_run_a_day_offers_the_eligible_once(source, people, benefit):  # noqa: F811
    Benefit.objects.create(code="stopped", name="已停止的补贴", matter=benefit.matter, source="budongchan",
                           field="properties", field_label="名下房产套数", op=Benefit.Op.EQ, value="0",
                           grant_text="无", is_active=False)
    assert tasks.plan_benefit_runs() == 1  # the inactive one is not run
    assert tasks.plan_benefit_runs() == 0  # the same day: recorded already
    intent = Intent.objects.get(task="civic.tasks.run_benefit")
    assert intent.args == [benefit.pk] and intent.status == "pending"
    eligible = expected(people)
    counts = tasks.run_benefit(benefit.pk, intent_id=intent.pk)
    assert counts["offered"] == len(eligible) > 0
    intent.refresh_from_db()
    assert intent.status == "done"
    assert tasks.run_benefit(benefit.pk, intent_id=intent.pk) is None  # sent twice: skipped
    assert tasks.run_benefit(benefit.pk)["offered"] == 0  # run again directly: nothing new
    assert set(BenefitOffer.objects.values_list("person_id", flat=True)) == eligible
    assert Message.objects.filter(kind="benefit").count() == len(eligible)
    assert tasks.plan_benefit_runs() == 0  # done today: not opened again


def test_a_source_that_is_down_leaves_the_run_pending(source, people, benefit):  # noqa: F811
    tasks.plan_benefit_runs()
    intent = Intent.objects.get(task="civic.tasks.run_benefit")
    source.stop()
    with pytest.raises(Exception):  # noqa: B017  (the data source's error, whatever its class)
        tasks.run_benefit(benefit.pk, intent_id=intent.pk)
    intent.refresh_from_db()
    assert intent.status == "pending" and intent.last_error
    assert not BenefitOffer.objects.exists()


def test_a_run_slower_than_the_lease_is_not_started_twice(source, people, benefit, settings, time_machine):  # noqa: F811
    """Each look-up takes 4 s on the clock (moved as its data-use record is written) against a 6 s
    lease: 8 people last 32 s, over five leases. The run renews its lease as it goes, so at no point
    is its intent due for the relay; it runs once and closes. (The clock stays near the real one:
    the reference source refuses requests signed too far from its own time.)"""
    import datetime as dt

    from django.db.models.signals import post_save

    from core import intents
    from exchange.models import DataQuery

    settings.INTENT_LEASE_SECONDS = 6
    time_machine.move_to(dt.datetime.now(tz=dt.UTC), tick=False)
    tasks.plan_benefit_runs()
    intent = Intent.objects.get(task="civic.tasks.run_benefit")
    due_while_running = []

    def slow_look_up(sender, instance, created, **kwargs):
        time_machine.shift(dt.timedelta(seconds=4))
        due_while_running.append(intent.pk in intents.due_ids())

    post_save.connect(slow_look_up, sender=DataQuery, dispatch_uid="slow-look-up")
    try:
        counts = tasks.run_benefit(benefit.pk, intent_id=intent.pk)
    finally:
        post_save.disconnect(dispatch_uid="slow-look-up", sender=DataQuery)
    assert counts["checked"] == len(people) == len(due_while_running) == 8  # 32 s, over five leases
    assert not any(due_while_running)  # never due: the relay would not have sent it again
    intent.refresh_from_db()
    assert (intent.status, intent.runs, intent.sends) == ("done", 1, 0)
    assert Message.objects.filter(kind="benefit").count() == len(expected(people))


def test_a_run_that_stops_beating_is_due_a_lease_later(benefit, settings, time_machine):  # noqa: F811
    """Without heartbeats (the worker died mid-run) the intent is due again a lease after the last
    renewal: the relay resends it (safe: one offer per person)."""
    import datetime as dt

    from core import intents

    settings.INTENT_LEASE_SECONDS = 60
    time_machine.move_to(dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC), tick=False)
    tasks.plan_benefit_runs()
    intent = Intent.objects.get(task="civic.tasks.run_benefit")
    beat = intents.Heartbeat(intent.pk)
    time_machine.shift(dt.timedelta(seconds=10))
    beat()  # too soon after the start: no UPDATE
    assert beat.renewals == 0
    time_machine.shift(dt.timedelta(seconds=20))
    beat()  # a third of a lease passed: renewed until 30 + 60 s
    assert beat.renewals == 1 and intent.pk not in intents.due_ids()
    time_machine.shift(dt.timedelta(seconds=59))
    assert intent.pk not in intents.due_ids()
    time_machine.shift(dt.timedelta(seconds=2))
    assert intent.pk in intents.due_ids()
