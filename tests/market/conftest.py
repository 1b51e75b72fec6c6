"""A small market: service items linked to matters, approved intermediaries with staff, a demand."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import EnterpriseMembership
from market import services
from market.models import Intermediary, Qualification, ServiceItem
from tests.factories import DepartmentFactory, EnterpriseFactory, MatterFactory, UserFactory
from workflow.calendar_store import seed_calendar

D = dt.date
LONG_VALID = dt.date(2027, 12, 31)
DEADLINE = dt.date(2026, 9, 25)


@pytest.fixture
def calendar_2026(db):
    seed_calendar(years=[2026])


@pytest.fixture
def at(time_machine):
    """at(date): the services act on that Beijing date (10:00)."""

    def move(day: dt.date):
        moment = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.get_current_timezone())
        time_machine.move_to(moment, tick=False)

    return move


@pytest.fixture
def planning(db):
    """建设工程规划许可 (自然资源) needs 测绘."""
    department = DepartmentFactory(name="清远市自然资源局清新分局")
    matter = MatterFactory(
        name="建设工程规划许可证核发",
        department=department,
        target="legal",
        materials=[
            {"name": "建设工程规划许可申请表", "source": "applicant"},
            {"name": "测绘成果报告", "source": "applicant", "deferrable": True, "required": False},
        ],
    )
    item = ServiceItem.objects.create(code="CH", name="测绘", report_name="测绘成果报告")
    item.matters.add(matter)
    return matter, item


def member_of(enterprise, user=None):
    user = user or UserFactory()
    EnterpriseMembership.objects.create(enterprise=enterprise, user=user)
    return user


def approved_intermediary(item, *, valid_until=LONG_VALID, name=None):
    """(intermediary, staff member user) approved by the centre, qualified for `item`."""
    enterprise = EnterpriseFactory(**({"name": name} if name else {}))
    user = member_of(enterprise)
    intermediary = Intermediary.objects.create(
        enterprise=enterprise,
        contact_name="陈工",
        contact_phone="0763-5812345",
        address="清远市清新区太和镇",
        registered_by=user,
        status=Intermediary.Status.APPROVED,
    )
    Qualification.objects.create(
        intermediary=intermediary,
        service_item=item,
        name="测绘资质",
        level="乙级",
        scope="工程测量、不动产测绘",
        certificate_number="乙测资字44500123",
        issuer="广东省自然资源厅",
        valid_from=D(2024, 1, 1),
        valid_until=valid_until,
    )
    return intermediary, user


@pytest.fixture
def owner(db):
    """An enterprise and its staff member, the project owner."""
    enterprise = EnterpriseFactory(name="清远市清新区禾云山茶业有限公司")
    return enterprise, member_of(enterprise)


def post_demand(
    owner_user, item, *, enterprise=None, method="draw", ceiling=5_000_00, deadline=DEADLINE, days=10, **kwargs
):
    return services.demand_post(
        user=owner_user,
        owner_enterprise=enterprise,
        service_item=item,
        title="新建茶叶加工厂房测绘",
        scope="厂房用地 1.2 公顷地形图测绘及房产面积测算",
        budget_ceiling_fen=ceiling,
        bid_deadline=deadline,
        service_days=days,
        method=method,
        **kwargs,
    )


@pytest.fixture
def three(planning):
    _matter, item = planning
    return [approved_intermediary(item, name=f"清远市{n}测绘有限公司") for n in ("恒信", "粤北", "华南")]


@pytest.fixture
def open_demand(calendar_2026, at, planning, owner, three):
    """Posted on Mon Sep 21, three bids, bidding closes Fri Sep 25."""
    matter, item = planning
    enterprise, user = owner
    at(D(2026, 9, 21))
    demand = post_demand(user, item, enterprise=enterprise, matter=matter)
    for (intermediary, staff), price in zip(three, (4_200_00, 3_900_00, 4_800_00)):
        services.bid_submit(user=staff, demand=demand, intermediary=intermediary, price_fen=price, days=5)
    return demand
