"""The yellow line is one rule: `core.clock.law.yellow_line` in Python, `yellow_line_sql` in the
supervision sweep's SQL (through its threshold rows). Both are evaluated by the database on the
same cases and must agree everywhere, for the default policy and for any threshold a policy sets."""

import pytest
from django.db import connection

from core.clock import law
from supervision.cards.services import _warn
from supervision.models import CardThreshold

pytestmark = pytest.mark.django_db

LIMITS = [0, 1, 2, 4, 5, 9, 10, 11, 14, 15, 19, 20, 24, 25, 30, 60, 365]
THRESHOLDS = [(20, 2), (0, 0), (10, 3), (25, 1), (33, 2), (50, 0), (100, 5)]


def _sql(expression, params):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}", params)
        return cursor.fetchone()[0]


@pytest.mark.parametrize("limit", LIMITS)
def test_default_rule_sql_equals_python(limit):
    assert _sql(f"{law.yellow_line_sql('t.lim')} FROM (SELECT %s AS lim) t", [limit]) == law.yellow_line(limit) \
        == max(2, limit // 5)


@pytest.mark.parametrize("percent, floor", THRESHOLDS)
def test_the_sweeps_threshold_sql_equals_the_threshold_rows_python(percent, floor):
    for limit in LIMITS:
        swept = _sql(f"{_warn('t.lim')} FROM (SELECT %s AS yellow_percent, %s AS yellow_days) th "
                     f"JOIN (SELECT %s AS lim) t ON 1 = 1", [percent, floor, limit])
        row = CardThreshold(yellow_percent=percent, yellow_days=floor)
        assert swept == row.warn_days(limit) == law.yellow_line(limit, percent=percent, floor_days=floor), limit
