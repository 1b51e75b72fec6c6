"""The colour of running decision clocks as the cards see them, for workflow's pages (registered
on `workflow.hooks.register_clock_levels` in `SupervisionConfig.ready`).

No second copy of the rule: this runs the sweep's own SELECT for the decision trigger
(`services._trigger_rows`, under the policy in force that day) restricted to the sub-cases asked
about, so a sub-case is red or yellow on the review list exactly when the sweep would give it a
card that day.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from .models import Card, WorkdayIndex
from .services import _trigger_rows, ensure_workday_index, policy_in_force

CHUNK = 500


def workday_ordinal(day: dt.date) -> int:
    """The working-day index's ordinal of `day`, read as the last sweep left the index (a page
    must not wait for the index's lock, which a sweep holds for its whole run); built only when
    the index does not cover the day yet. A calendar edited since the last sweep shows here when
    the next sweep rebuilds the index, as it does on the cards."""
    ordinal = WorkdayIndex.objects.filter(day=day).values_list("ordinal", flat=True).first()
    if ordinal is None:
        with transaction.atomic():
            ordinal = ensure_workday_index(today=day)
    return ordinal


def decision_levels(subcase_ids: list[int], day: dt.date) -> dict[int, str]:
    """{sub-case id: "red" | "yellow"} for those of `subcase_ids` the decision clock flags on `day`."""
    ids = sorted({int(i) for i in subcase_ids})
    if not ids:
        return {}
    levels = {}
    ordinal = workday_ordinal(day)
    policy = policy_in_force(day)
    rows, params = _trigger_rows(Card.Trigger.DECISION, policy=policy, today=day, today_ordinal=ordinal)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            cursor.execute(
                f"SELECT r.subcase_id, r.level FROM ({rows}) r "
                f"WHERE r.subcase_id IN ({', '.join(['%s'] * len(chunk))})",
                [*params, *chunk],
            )
            levels.update({subcase_id: level for subcase_id, level in cursor.fetchall()})
    return levels
