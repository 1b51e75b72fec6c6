"""Background work of 政民互动: the daily 免申即享 run.

Beat calls `plan_benefit_runs` every `BENEFIT_PLAN_SECONDS` (60 by default). For each active
benefit it records, once per Beijing day, the intent `civic-benefit:<id>:<day>` to run it
(core.intents): a run lost with the broker or a killed worker, or stopped by a data source that
is down, is sent again by the intent relay until it finishes. The run itself (`benefits.run`) is
safe twice: one offer and one message per person. A run longer than INTENT_LEASE_SECONDS renews
its intent's lease as it goes (`core.intents.Heartbeat`), so it is not sent again while alive.
So `make run`'s worker offers the demo's
benefit within a minute of starting, and a district's runs happen once a day, not every minute.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core import intents
from core.models import Intent

from . import benefits
from .models import Benefit

RUN_TASK = "civic.tasks.run_benefit"


def run_key(benefit_id: int, day) -> str:
    return f"civic-benefit:{benefit_id}:{day.isoformat()}"


@shared_task(name="civic.tasks.plan_benefit_runs", ignore_result=True)
def plan_benefit_runs() -> int:
    """Record today's run of every active benefit not recorded yet; returns how many were new."""
    day = timezone.localdate()
    planned = 0
    for benefit_id in Benefit.objects.filter(is_active=True).values_list("pk", flat=True):
        key = run_key(benefit_id, day)
        if Intent.objects.filter(key=key).exists():  # today's run recorded (pending or done)
            continue
        with transaction.atomic():
            intents.record(RUN_TASK, [benefit_id], key=key)
        planned += 1
    return planned


@shared_task(name=RUN_TASK, ignore_result=True)
def run_benefit(benefit_id: int, intent_id: int | None = None) -> dict | None:
    """One benefit's run; the intent closes when it went through every citizen. A data source that
    fails raises (the offers made so far stay) and leaves the intent pending for the relay."""

    def effect():
        benefit = Benefit.objects.filter(pk=benefit_id, is_active=True).first()
        if benefit is None:  # stopped meanwhile: nothing to do
            return {"checked": 0, "eligible": 0, "offered": 0}
        # a district's run outlasts the intent's lease: renew it while going, so the relay does
        # not start the same run again beside this one (a dead run stops beating and is resent)
        return benefits.run(benefit, heartbeat=intents.Heartbeat(intent_id))

    return intents.fulfil(intent_id, effect, finished=lambda counts: True, label=f"benefit {benefit_id}")
