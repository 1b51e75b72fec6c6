"""The read replica (issue 15, more boxes; core/db_router.py): the dashboard, its drill-down, the
disclosure page and API and the figures API read through the `replica` alias, and nothing writes
through it. On PostgreSQL the replica is the test database itself through a second, read-only
connection (`default_transaction_read_only=on`), so a write that reached it would fail: the pages
answering proves they only read there."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.db.utils import InternalError
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.db_router import REPLICA, replica_reads
from supervision.figures import services as figures
from tests.factories import PASSWORD, password_sign_in, submitted_application
from tests.supervision.figures_data import make_district
from workflow.models import Application

ROOT = Path(__file__).resolve().parents[2]
QUERY = "period=custom&first=2026-09-01&last=2026-10-31"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),  # the replica's own connection sees committed rows only
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a read-only PostgreSQL connection (DATABASE_URL)"),
]


@pytest.fixture
def replica():
    """The `replica` alias, added for this test: the test database through a read-only connection."""
    params = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    params["OPTIONS"] = {**params.get("OPTIONS", {}), "options": "-c default_transaction_read_only=on"}
    connections.settings[REPLICA] = params
    # connected here: the test case only lets connections it was told of at its start connect later
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def district(replica):
    data = make_district(applications=24, tickets=30)
    data["submitted"] = [submitted_application(), submitted_application()]  # received through the form: disclosed
    figures.refresh_all()
    return data


def walk(client, url, alias_queries):
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, CaptureQueriesContext(connection) as on_primary:
        response = client.get(url)
    alias_queries[url] = (len(on_replica.captured_queries), on_primary.captured_queries)
    return response


def test_the_read_only_pages_answer_through_the_replica_and_a_write_there_fails(district, client):
    seen: dict[str, tuple] = {}
    assert password_sign_in(client, district["supervisor"].username, PASSWORD)
    dashboard = walk(client, f"/supervision/?{QUERY}&group_by=department", seen)
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert all(d.name in html for d in district["departments"])
    drill = walk(client, f"/supervision/figures/cases/?{QUERY}&count=concluded&dim=all&key=0", seen)
    assert drill.status_code == 200 and re.search(r"共 [1-9]\d* 件", drill.content.decode())
    api = APIClient()
    api.force_authenticate(district["supervisor"])
    assert walk(api, f"/api/supervision/figures/?{QUERY}", seen).status_code == 200

    public = type(client)()
    listed = walk(public, "/api/disclosure/applications/", seen)
    assert listed.status_code == 200
    text = json.dumps(listed.json(), ensure_ascii=False)
    assert all(a.number in text for a in district["submitted"])
    disclosed = walk(public, "/disclosure/", seen)
    assert disclosed.status_code == 200 and all(a.number in disclosed.content.decode() for a in district["submitted"])

    for url, (on_replica, on_primary) in seen.items():
        assert on_replica > 0, f"{url} read nothing through the replica"
        primary_reads = [q["sql"] for q in on_primary if "django_session" not in q["sql"]
                         and "accounts_user" not in q["sql"] and "knox" not in q["sql"]]
        assert not any(s.lstrip().upper().startswith("SELECT") for s in primary_reads), (url, primary_reads[:3])

    # a page not named for the replica reads the primary alone
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get("/supervision/cards/").status_code == 200
    assert on_replica.captured_queries == []


def test_nothing_writes_through_the_replica(replica, district):
    with replica_reads():
        assert router.db_for_read(Application) == REPLICA
        assert router.db_for_write(Application) == DEFAULT_DB_ALIAS
        application = Application.objects.order_by("pk").first()
        assert application._state.db == REPLICA
        application.save(update_fields=["updated_at"])  # to the primary
        with transaction.atomic():  # a read in a transaction of the primary sees that transaction: the primary
            assert router.db_for_read(Application) == DEFAULT_DB_ALIAS
            assert Application.objects.select_for_update().filter(pk=application.pk).exists()
    assert router.db_for_read(Application) == DEFAULT_DB_ALIAS
    assert not router.allow_migrate(REPLICA, "workflow")

    # a write sent there by hand fails: the connection is read-only
    with pytest.raises(InternalError, match="read-only transaction"):
        Application.objects.using(REPLICA).filter(pk=application.pk).update(channel="online")
    connections[REPLICA].close()
    connections[REPLICA].connect()  # a fresh connection is read-only too
    with pytest.raises(InternalError, match="read-only transaction"):
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("CREATE TABLE replica_write_probe (id int)")


def test_database_replica_url_adds_a_read_only_mirror_alias():
    probe = ("import json, django; django.setup(); from django.conf import settings as s; "
             "r = s.DATABASES['replica']; print(json.dumps([r['NAME'], r['HOST'], r['OPTIONS'], r['TEST']['MIRROR'], "
             "s.DATABASE_ROUTERS]))")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="true",
               DATABASE_URL="postgres://tongban@primary:5432/tongban",
               DATABASE_REPLICA_URL="postgres://tongban@standby:5432/tongban")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        "tongban", "standby", {"options": "-c default_transaction_read_only=on"}, "default",
        ["core.db_router.ReplicaRouter"]]
