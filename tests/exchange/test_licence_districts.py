"""Issue 15, licence numbers from the district: an electronic licence is numbered after its issuing
sub-case's department's district (GB/T 2260), `DZZZ-441802-…` for a 清城区 department, each
district counting on its own per year, no duplicates."""

import datetime as dt

import pytest
from django.db import connection

from exchange import licence_identifier
from exchange.models import ElectronicLicence, LicenceSequence
from exchange.services import next_licence_number
from tests.concurrency import run_concurrently
from tests.factories import (
    DepartmentFactory,
    LicenceTypeFactory,
    MatterFactory,
    ReviewerFactory,
    accepted_application,
    qingcheng_town,
)
from workflow import services, tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_10_november_2026")]


def licence_matter(department=None):
    kwargs = {"department": department} if department is not None else {}
    return MatterFactory(issues_licence=True, result_name="食品经营许可证",
                         licence_type=LicenceTypeFactory(name="食品经营许可证"), **kwargs)


def qingcheng_department():
    town = qingcheng_town()
    return DepartmentFactory(region=town, name="清远市清城区市场监督管理局")


def issue(matter):
    application = accepted_application(matters=[matter])
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                            approve=True, reason="")
    tasks.issue_licence(subcase.pk)
    return ElectronicLicence.objects.get(case_ref=subcase.number)


def test_licences_take_the_issuing_department_district_and_count_apart():
    qingxin, qingcheng = licence_matter(), licence_matter(qingcheng_department())
    first, other, second = issue(qingxin), issue(qingcheng), issue(qingxin)
    assert first.number == "DZZZ-441803-2026-000001"
    assert other.number == "DZZZ-441802-2026-000001"
    assert second.number == "DZZZ-441803-2026-000002"
    assert set(LicenceSequence.objects.values_list("district", "year", "last")) == {
        ("441803", 2026, 2), ("441802", 2026, 1)}


def test_a_year_starts_each_district_afresh_and_the_serial_carries_the_district():
    assert next_licence_number(district_code="441802", day=dt.date(2026, 12, 31)) == "DZZZ-441802-2026-000001"
    assert next_licence_number(district_code="441802", day=dt.date(2027, 1, 1)) == "DZZZ-441802-2027-000001"
    assert next_licence_number(district_code="441803", day=dt.date(2027, 1, 1)) == "DZZZ-441803-2027-000001"
    assert licence_identifier.serial_of("DZZZ-441802-2027-000001") == "4418022027000001"  # GB/T 36904 serial


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)")
def test_numbers_drawn_at_once_in_two_districts_are_each_district_own_and_never_twice():
    day = dt.date(2026, 11, 10)
    draws = [lambda district=district: next_licence_number(district_code=district, day=day)
             for district in ("441802", "441803") * 3]
    results = run_concurrently(*draws)
    assert all(kind == "ok" for kind, _ in results), results
    numbers = [number for _, number in results]
    assert sorted(numbers) == [f"DZZZ-{d}-2026-{n:06d}" for d in ("441802", "441803") for n in (1, 2, 3)]
