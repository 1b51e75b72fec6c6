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
