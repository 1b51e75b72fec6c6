"""日志防篡改核验: the supervisor's page lists every log table's chain and names the first broken
row once a case-log row is changed behind the portal's back; other roles are refused."""

import pgtrigger
import pytest
from django.db import connection

from accounts.models import User
from tests.factories import ClerkFactory, ReviewerFactory, SupervisorFactory, UserFactory, accepted_application
from workflow.models import CaseLog

pytestmark = pytest.mark.django_db

URL = "/supervision/audit-log/"


def test_the_supervisor_sees_every_chain_intact_then_the_changed_row(client):
    application = accepted_application()
    client.force_login(SupervisorFactory())
    page = client.get(URL).content.decode()
    assert 'data-audit="broken">0<' in page
    assert "办件日志" in page and "调配记录" in page and "数据使用记录" in page
    assert "断裂</span>" not in page

    row = application.log.order_by("pk").first()
    with pgtrigger.ignore("workflow.CaseLog:append_only"), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CaseLog._meta.db_table} SET note = %s WHERE id = %s", ["改写的备注", row.pk])
    page = client.get(URL).content.decode()
    assert 'data-audit="broken">1<' in page
    assert f"id={row.pk}" in page and "内容已被改动" in page
    assert client.get(URL + "?all=1").status_code == 200


@pytest.mark.parametrize("make", [lambda: UserFactory(role=User.Role.PUBLIC), ClerkFactory, ReviewerFactory])
def test_other_roles_are_refused(client, make):
    client.force_login(make())
    assert client.get(URL).status_code in (302, 403)
