"""Personal data at rest (core/pii.py): AES-GCM columns, blind-index look-ups, key rotation, and
the dump of every table holding no plain ID number or mobile number."""

import base64
import re
import secrets

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import AgentAuthorisation, User
from core import pii
from tests.factories import UserFactory, valid_id_number

pytestmark = pytest.mark.django_db

ID_RE = re.compile(r"(?<![0-9A-Za-z+/])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z+/=])")
# Not inside base64 or hex (ciphertext, password hashes, digests): no letter, digit, + / = beside it.
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z+/])1[3-9]\d{9}(?![0-9A-Za-z+/=])")


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def dump(by_table=False):
    """Every row of every table, as text (what a database dump would hold)."""
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out[table] = "\n".join(repr(row) for row in cursor.fetchall())
    return out if by_table else "\n".join(out.values())


def plain_pii(text: str) -> list[str]:
    return ID_RE.findall(text) + MOBILE_RE.findall(text)


def test_the_columns_hold_ciphertext_and_the_model_the_plain_value():
    number = valid_id_number("19850612")
    user = UserFactory(id_number=number, phone="13912345678")
    stored = raw("accounts_user", "id_number", user.pk)
    assert stored.startswith("pii1:t2:") and number not in stored
    assert raw("accounts_user", "phone", user.pk).startswith("pii1:t2:")
    user.refresh_from_db()
    assert (user.id_number, user.phone) == (number, "13912345678")
    assert User.objects.values_list("id_number", flat=True).get(pk=user.pk) == number


def test_exact_look_ups_go_through_the_blind_index_joins_included():
    principal = UserFactory(id_number=valid_id_number("19800101"))
    other = UserFactory(id_number=valid_id_number("19800102"), phone="13800000001")
    assert User.objects.get(id_number=principal.id_number.lower()) == principal
    assert User.objects.get(id_number__iexact=principal.id_number) == principal
    assert set(User.objects.filter(id_number__in=[principal.id_number, other.id_number])) == {principal, other}
    assert User.objects.get(phone="13800000001") == other
    assert not User.objects.filter(id_number=valid_id_number("19800103")).exists()
    assert User.objects.filter(id_number=None).count() == User.objects.filter(id_number__isnull=True).count()
    AgentAuthorisation.objects.create(principal=principal, agent=other, recorded_by=principal,
                                      starts_on="2026-01-01", ends_on="2026-12-31")
    assert AgentAuthorisation.objects.filter(principal__id_number=principal.id_number,
                                             agent__id_number=other.id_number).count() == 1


def test_a_search_the_index_cannot_answer_is_refused_not_wrong():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(id_number__contains="4418"))


def test_the_same_number_twice_is_refused_by_the_index():
    from django.db import IntegrityError, transaction

    number = valid_id_number("19700101")
    UserFactory(id_number=number)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(id_number=number)


def test_rotation_reads_old_keys_and_rewrites_under_the_writing_one(settings):
    old = UserFactory(id_number=valid_id_number("19660101"), phone="13700000002")
    assert raw("accounts_user", "id_number", old.pk).startswith("pii1:t2:")
    new_key = base64.b64encode(secrets.token_bytes(32))
    settings.PII_KEYS = {"t3": base64.b64decode(new_key), **settings.PII_KEYS}
    settings.PII_WRITE_KEY = "t3"
    pii.reset_keys()
    try:
        assert User.objects.get(pk=old.pk).id_number == old.id_number  # old key still reads
        call_command("reencrypt_pii", batch=2)
        assert raw("accounts_user", "id_number", old.pk).startswith("pii1:t3:")
        settings.PII_KEYS = {"t3": settings.PII_KEYS["t3"]}  # the old keys dropped
        pii.reset_keys()
        assert User.objects.get(id_number=old.id_number).phone == "13700000002"
    finally:
        pii.reset_keys()


def test_the_migration_encrypts_old_plain_rows_in_batches():
    users = [UserFactory(id_number=valid_id_number(f"1990010{i}"), phone=f"1390000000{i}") for i in range(1, 6)]
    with connection.cursor() as cursor:  # as the rows were before the migration
        for user in users:
            cursor.execute("UPDATE accounts_user SET id_number = %s, phone = %s, id_number_index = NULL, "
                           "phone_index = NULL WHERE id = %s", [user.id_number, user.phone, user.pk])
    assert users[0].id_number in dump()
    assert pii.rewrite(User, ["id_number", "phone"], batch=2) >= 5
    assert plain_pii(dump()) == []
    assert User.objects.get(id_number=users[3].id_number) == users[3]
    pii.rewrite(User, ["id_number", "phone"], batch=2, plain=True)  # the reverse
    assert raw("accounts_user", "id_number", users[0].pk) == users[0].id_number


def test_a_dump_after_the_demo_data_has_no_plain_id_number_or_mobile():
    call_command("load_demo", verbosity=0)
    found = {table: plain_pii(text) for table, text in dump(by_table=True).items() if plain_pii(text)}
    assert found == {}, {table: (len(numbers), numbers[:2]) for table, numbers in found.items()}


def test_messages_to_and_from_department_systems_are_encrypted_at_rest():
    from exchange.models import InboundMessage, OutboxMessage
    from tests.factories import DepartmentFactory

    department = DepartmentFactory()
    number = valid_id_number("19850612")
    out = OutboxMessage.objects.create(department=department, kind="subcase.created", case_ref="X-1",
                                       body={"form": {"holder_id": number, "contact_phone": "13912345678"}})
    came = InboundMessage.objects.create(message_id="m-1", department=department, kind="approve", case_ref="X-1",
                                         body={"reason": f"申请人 {number} 材料齐全"}, outcome="applied",
                                         status_code=200, answer={"ok": True})
    assert plain_pii(raw("exchange_outboxmessage", "body", out.pk)) == []
    assert plain_pii(raw("exchange_inboundmessage", "body", came.pk)) == []
    out.refresh_from_db()
    assert out.body["form"]["holder_id"] == number
