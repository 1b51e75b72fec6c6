"""Issue 15, numbers from the district: an application is numbered after its matter's department's
district (GB/T 2260), wherever it was received — a walk-in for a 清城区 matter accepted at a 清新区
hall (同城通办) is numbered 441802-…; each district's sequence runs on its own, no duplicates."""

import pytest

from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    WindowFactory,
    qingcheng_town,
    submitted_application,
    walk_in_application,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_10_november_2026")]


def qingcheng_matter():
    town = qingcheng_town()
    return MatterFactory(department=DepartmentFactory(region=town))


def test_online_applications_take_the_department_district_and_count_apart():
    qingxin, qingcheng = MatterFactory(), qingcheng_matter()
    first = submitted_application(matters=[qingxin]).number
    other = submitted_application(matters=[qingcheng]).number
    second = submitted_application(matters=[qingxin]).number
    assert first.startswith("441803-2026-") and second.startswith("441803-2026-")
    assert other.startswith("441802-2026-")
    assert other.rsplit("-", 1)[1] == first.rsplit("-", 1)[1] == "000001"
    assert second.rsplit("-", 1)[1] == "000002"


def test_a_walk_in_at_a_hall_of_the_other_district_is_numbered_after_the_department():
    matter = qingcheng_matter()
    clerk = ClerkFactory(window=WindowFactory(hall=HallFactory()))  # a 清新区 hall
    application = walk_in_application(clerk=clerk, matters=[matter])
    assert application.state == "accepted"
    assert application.received_hall.region.district_code == "441803"
    assert application.number.startswith("441802-2026-")
