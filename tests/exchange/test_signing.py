"""Signed messages into the portal: forged, stale, replayed or unknown-key requests are refused
with their code and kept for the auditor; a repeated decision is applied once; keys rotate with
two active at once, in both directions."""

import json
import time

import pytest
from django.urls import reverse

from exchange import departments, relay, signing
from exchange.models import DepartmentKey, DepartmentSystem, InboundMessage, OutboxMessage, RefusedRequest
from tests.factories import DepartmentFactory, MatterFactory, accepted_application
from workflow import tasks
from workflow.calendar_store import seed_calendar
from workflow.models import CaseLog, SubCase

pytestmark = pytest.mark.django_db
PATH = "/api/exchange/decisions/"


@pytest.fixture
def system():
    seed_calendar(years=[2026])
    department = DepartmentFactory(code="QXSCJGJ")
    system = DepartmentSystem.objects.create(department=department, name="市场监管审批系统",
                                             base_url="http://127.0.0.1:9", active=True)
    DepartmentKey.objects.create(system=system, key_id="k1", secret="s-one")
    return system


@pytest.fixture
def subcase(system):
    application = accepted_application(matters=[MatterFactory(department=system.department)])
    tasks.dispatch_subcases(application.pk)
    return application.subcases.get()


def _post(client, body: dict, *, key_id="k1", secret="s-one", now=None, nonce=None, tamper=None):
    raw = json.dumps(body).encode()
    headers = signing.sign_headers(department="QXSCJGJ", key_id=key_id, secret=secret, method="POST", path=PATH,
                                   body=raw, now=now, nonce=nonce)
    headers.update(tamper or {})
    return client.post(PATH, data=raw, content_type="application/json", headers=headers)


def _approve(subcase, message_id="m-1"):
    return {"message_id": message_id, "subcase": subcase.number, "kind": "approve", "reason": "符合条件"}


def test_the_path_is_the_documented_one():
    assert reverse("api-exchange-decisions") == PATH


@pytest.mark.parametrize(("change", "code"), [
    ({"secret": "not-the-key"}, "bad_signature"),
    ({"key_id": "k7"}, "unknown_key"),
    ({"skew": -400}, "stale_timestamp"),
    ({"skew": 400}, "stale_timestamp"),
    ({"tamper": {signing.H_DEPARTMENT: "QXZJJ"}}, "unknown_key"),
    ({"tamper": {signing.H_SIGNATURE: ""}}, "signature_missing"),
])
def test_forged_and_stale_decisions_are_refused_and_logged(client, subcase, change, code):
    if "skew" in change:  # the clock is read when the test runs, not when the tests are collected
        change = {"now": time.time() + change["skew"]}
    answer = _post(client, _approve(subcase), **change)
    assert (answer.status_code, answer.json()["code"]) == (401, code)
    assert answer.json()["message"]  # said in Chinese for the department's IT staff
    assert RefusedRequest.objects.get().code == code
    assert not InboundMessage.objects.exists()
    assert SubCase.objects.get(pk=subcase.pk).state == SubCase.State.DISPATCHED


def test_a_changed_body_breaks_the_signature(client, subcase):
    raw = json.dumps(_approve(subcase)).encode()
    headers = signing.sign_headers(department="QXSCJGJ", key_id="k1", secret="s-one", method="POST", path=PATH,
                                   body=raw)
    forged = raw.replace(b"approve", b"deny")
    answer = client.post(PATH, data=forged, content_type="application/json", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")


def test_a_replayed_request_is_refused_and_a_repeated_message_applies_once(client, subcase):
    first = _post(client, _approve(subcase), nonce="ab" * 16)
    assert (first.status_code, first.json()["code"], first.json()["duplicate"]) == (200, "applied", False)
    replay = _post(client, _approve(subcase), nonce="ab" * 16)
    assert (replay.status_code, replay.json()["code"]) == (409, "replayed_nonce")
    again = _post(client, _approve(subcase))  # the department re-sends: same message id, new nonce
    assert (again.status_code, again.json()["code"], again.json()["duplicate"]) == (200, "applied", True)
    assert CaseLog.objects.filter(subcase=subcase, action="workflow.subcase.approved").count() == 1
    assert list(RefusedRequest.objects.values_list("code", flat=True)) == ["replayed_nonce"]


def test_decisions_about_another_departments_subcase_are_refused(client, system):
    other = accepted_application(matters=[MatterFactory()])
    tasks.dispatch_subcases(other.pk)
    answer = _post(client, _approve(other.subcases.get()))
    assert (answer.status_code, answer.json()["code"]) == (403, "not_department_subcase")


def test_bad_licence_data_is_refused_before_anything_changes(client, subcase):
    answer = _post(client, {**_approve(subcase), "licence": {"name": "证", "valid_until": "明年"}})
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_licence")
    assert "licence.valid_until" in answer.json()["fields"]
    assert SubCase.objects.get(pk=subcase.pk).state == SubCase.State.DISPATCHED


def test_two_keys_are_active_during_a_rotation(client, system, subcase):
    new = departments.rotate_key(system)
    assert _post(client, _approve(subcase, "m-new"), key_id=new.key_id, secret=new.secret).status_code == 200
    departments.rotate_key(system)  # a third key: the oldest is retired
    answer = _post(client, _approve(subcase, "m-old"), key_id="k1", secret="s-one")
    assert (answer.status_code, answer.json()["code"]) == (401, "unknown_key")


def test_outgoing_messages_are_signed_with_the_newest_key(refsys, settings):
    """The reference system holds k1 only: after a rotation the portal signs with k2, which it
    refuses, until the department adds the new key."""
    settings.EXCHANGE_RELAY_BASE_SECONDS = settings.EXCHANGE_RELAY_MAX_BACKOFF_SECONDS = 0
    seed_calendar(years=[2026])
    system = DepartmentSystem.objects.create(department=DepartmentFactory(code="QXSCJGJ"), name="市场监管审批系统",
                                             base_url=refsys.url, active=True)
    DepartmentKey.objects.create(system=system, key_id="k1", secret=refsys.keys["k1"])
    new = departments.rotate_key(system)
    application = accepted_application(matters=[MatterFactory(department=system.department)])
    tasks.dispatch_subcases(application.pk)
    relay.relay_due()
    message = OutboxMessage.objects.get()
    assert (message.status, message.last_status, message.last_error) == ("pending", 401, "unknown_key")
    refsys.control(keys={new.key_id: new.secret})
    relay.relay_due()
    assert OutboxMessage.objects.get().status == "delivered"
    assert refsys.stats()["received_messages"] == 1


def test_the_back_office_cannot_decide_a_subcase_sent_to_the_department_system(subcase):
    from core.errors import Conflict
    from tests.factories import ReviewerFactory
    from workflow import services

    reviewer = ReviewerFactory(department=subcase.department)
    with pytest.raises(Conflict) as refused:
        services.subcase_decide(subcase=subcase, reviewer=reviewer, approve=True, reason="")
    assert refused.value.code == "decided_in_department_system" and "自建审批系统" in refused.value.message


def test_department_keys_are_encrypted_at_rest_and_still_sign(client, system, subcase):
    """A dump of the key table holds no secret in clear (exchange 0020); the migration's rewrite
    encrypts rows written in clear and its reverse writes them back; signing works throughout."""
    from django.db import connection

    from core import pii
    from tests.core.test_pii import dump

    new = departments.rotate_key(system)
    secrets_ = ["s-one", new.secret]
    tables = dump(by_table=True)
    assert not [s for s in secrets_ if s in tables["exchange_departmentkey"]]
    assert not [s for s in secrets_ if s in "\n".join(tables.values())]
    assert departments.signing_key(system).secret == new.secret  # read back in clear by the model

    with connection.cursor() as cursor:  # a row as it was before the migration: in clear
        cursor.execute("UPDATE exchange_departmentkey SET secret = %s WHERE key_id = 'k1'", ["s-one"])
    assert "s-one" in dump(by_table=True)["exchange_departmentkey"]
    assert pii.rewrite(DepartmentKey, ["secret"]) == 2  # the migration's forward step
    assert "s-one" not in dump(by_table=True)["exchange_departmentkey"]
    assert DepartmentKey.objects.get(key_id="k1").secret == "s-one"

    answer = _post(client, _approve(subcase), key_id="k1", secret="s-one")  # verified against the decrypted key
    assert (answer.status_code, answer.json()["code"]) == (200, "applied")
    pii.rewrite(DepartmentKey, ["secret"], plain=True)  # the reverse
    assert "s-one" in dump(by_table=True)["exchange_departmentkey"]
