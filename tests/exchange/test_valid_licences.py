"""Issue 15: the submission's e-licence look-up (`exchange.selectors.valid_licences_for`) runs a
statement compiled once per number of names; it finds what the ORM's query finds: the newest
valid licence of each name held by the person or held for a child they are the guardian of,
never an expired, revoked or another person's one."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from exchange import selectors
from tests.factories import MatterFactory, UserFactory, held_licence

pytestmark = pytest.mark.django_db


def test_the_compiled_look_up_finds_what_the_orm_finds():
    citizen, other, matter = UserFactory(), UserFactory(), MatterFactory()
    old = held_licence(citizen, matter, name="户口簿", number="441803-HK-000001")
    new = held_licence(citizen, matter, name="户口簿", number="441803-HK-000002")
    new.issued_on = dt.date(2021, 5, 1)
    new.save()
    expired = held_licence(citizen, matter, name="营业执照", number="441803-YY-000001")
    expired.valid_until = dt.date(2025, 1, 1)
    expired.save()
    revoked = held_licence(citizen, matter, name="结婚证", number="441803-JH-000001")
    revoked.revoked_at = timezone.now()
    revoked.save()
    child = held_licence(other, matter, name="出生医学证明", number="441803-CS-000001")
    child.guardian_id_number = citizen.id_number
    child.save()
    held_licence(other, matter, name="身份证", number="441803-SF-000001")
    selectors._VALID_LICENCES_SQL.clear()
    names = ["户口簿", "营业执照", "结婚证", "出生医学证明", "身份证"]
    day = dt.date(2026, 11, 10)
    for _round in range(2):  # compiled, then read from the cache
        found = selectors.valid_licences_for(holder_id_number=citizen.id_number, names=names, day=day)
        assert {name: lic.number for name, lic in found.items()} == {
            "户口簿": new.number, "出生医学证明": child.number}
        assert found["户口簿"].sha256 == "a" * 64
    assert (connection.alias, len(names)) in selectors._VALID_LICENCES_SQL
    orm = selectors._valid_licences_query(citizen.id_number, sorted(names), day)
    assert [lic.number for lic in orm] == [lic.number for lic in selectors._valid_licences_rows(
        citizen.id_number, sorted(names), day)]
    one = selectors.valid_licences_for(holder_id_number=citizen.id_number, names=["户口簿"], day=day)
    assert one["户口簿"].number == new.number and old.number != new.number
    theirs = selectors.valid_licences_for(holder_id_number=other.id_number, names=names, day=day)
    assert {name: lic.number for name, lic in theirs.items()} == {"出生医学证明": child.number, "身份证": "441803-SF-000001"}
    later = selectors.valid_licences_for(holder_id_number=citizen.id_number, names=["营业执照"],
                                         day=dt.date(2024, 6, 1))
    assert later["营业执照"].number == expired.number  # valid on that day
