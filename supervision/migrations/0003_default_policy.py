"""Existing cards get their application and department from their sub-case (they were all
decision-clock cards); the default card policy is seeded: yellow when at most 20 % of the limit or
2 working days remain, for every step and matter kind (the behaviour before card rules were data),
a refusal reason shorter than 5 characters counting as none. And the working-day index's state row,
which concurrent sweeps lock."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

STEPS = ["decision", "pre_review", "delivery"]
KINDS = ["licensing", "confirmation", "payment", "levy", "reward", "adjudication", "other_power", "public_service"]


def make_index_state(apps, schema_editor):
    """The row concurrent sweeps lock; the first sweep builds the index from the calendar."""
    WorkdayIndexState = apps.get_model("supervision", "WorkdayIndexState")
    WorkdayIndexState.objects.get_or_create(
        pk=1, defaults={"signature": "", "first_day": dt.date(2000, 1, 1), "last_day": dt.date(2000, 1, 1),
                        "built_at": timezone.now()},
    )


def seed_default_policy(apps, schema_editor):
    CardPolicy = apps.get_model("supervision", "CardPolicy")
    CardThreshold = apps.get_model("supervision", "CardThreshold")
    if CardPolicy.objects.exists():
        return
    policy = CardPolicy.objects.create(
        version=1, title="默认规则", status="published", effective_from=dt.date(2000, 1, 1),
        note="剩余时限不超过20%或不超过2个工作日亮黄牌,超过期限亮红牌;不予受理理由少于5个字亮红牌;同一材料重复要求补正亮黄牌。",
        refusal_reason_min_chars=5, published_at=timezone.now(),
    )
    CardThreshold.objects.bulk_create(
        CardThreshold(policy=policy, step=step, matter_kind=kind, yellow_percent=20, yellow_days=2)
        for step in STEPS for kind in KINDS
    )


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0002_card_rules"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE supervision_card SET "
            "application_id = (SELECT s.application_id FROM workflow_subcase s WHERE s.id = supervision_card.subcase_id), "
            "department_id = (SELECT s.department_id FROM workflow_subcase s WHERE s.id = supervision_card.subcase_id) "
            "WHERE application_id IS NULL AND subcase_id IS NOT NULL",
            migrations.RunSQL.noop,
        ),
        migrations.RunPython(seed_default_policy, migrations.RunPython.noop),
        migrations.RunPython(make_index_state, migrations.RunPython.noop),
    ]
