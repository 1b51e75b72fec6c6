"""`__in_array`: a list of ids as one array parameter on PostgreSQL (core.lookups), the plain IN
elsewhere; the same rows either way."""

import pytest
from django.db import connection

from accounts.models import Hall
from tests.factories import HallFactory

pytestmark = pytest.mark.django_db


def test_in_array_reads_the_rows_whose_ids_are_listed_and_no_other():
    halls = [HallFactory() for _ in range(4)]
    wanted = [halls[0].pk, halls[2].pk, halls[2].pk, None]
    assert sorted(Hall.objects.filter(pk__in_array=wanted).values_list("pk", flat=True)) == sorted(
        {halls[0].pk, halls[2].pk})
    assert list(Hall.objects.filter(pk__in_array=[])) == []
    assert Hall.objects.exclude(pk__in_array=[halls[1].pk]).count() == Hall.objects.count() - 1


def test_on_postgresql_the_list_is_one_parameter_however_long():
    sql, params = Hall.objects.filter(pk__in_array=list(range(1, 3001))).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::bigint[])" in sql and params == ("{" + ",".join(map(str, range(1, 3001))) + "}",)
    else:
        assert " IN (" in sql and len(params) == 3000
