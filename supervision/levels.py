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

from .models import Card
from .services import _trigger_rows, ensure_workday_index, policy_in_force

CHUNK = 500


def decision_levels(subcase_ids: list[int], day: dt.date) -> dict[int, str]:
    """{sub-case id: "red" | "yellow"} for those of `subcase_ids` the decision clock flags on `day`."""
    ids = sorted({int(i) for i in subcase_ids})
    if not ids:
        return {}
    levels = {}
    with transaction.atomic():
        ordinal = ensure_workday_index(today=day)
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
