"""统一调配: clerks' matter authorisations (授权) decide what they may accept and see, and a move
to another hall keeps every case in their hands."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict, Forbidden, Invalid
from tests.factories import (
    ClerkFactory,
    HallFactory,
    MatterFactory,
    UserFactory,
    WindowFactory,
    files_for,
    form_for,
    submitted_application,
)
from windows import services as windows_services
from windows.models import RosterLog, Seat, Window
from windows.selectors import authorised_matter_ids, roster
from workflow import selectors, services
from workflow.calendar_store import seed_calendar
from workflow.models import Application

S = Application.State


@pytest.fixture
def admin(db):
    seed_calendar(years=[2026])
    return UserFactory(role=User.Role.ADMINISTRATOR, real_name="管理员")


def today():
    return timezone.localdate()


def test_a_clerk_not_authorised_for_a_matter_neither_sees_nor_accepts_it(admin):
    mine, theirs = MatterFactory(name="居民身份证换领"), MatterFactory(name="再生育审批")
    clerk = ClerkFactory(authorised=[mine])
    ok = submitted_application(matters=[mine])
    other = submitted_application(matters=[theirs])
    both = submitted_application(matters=[mine, theirs])

    assert list(selectors.clerk_queue(clerk)) == [ok]
    for application in (other, both):
        for act in (
            lambda a: services.application_accept(application=a, clerk=clerk),
            lambda a: services.application_refuse(application=a, clerk=clerk, reason="不属于本窗口"),
            lambda a: services.application_request_supplement(application=a, clerk=clerk,
                                                              items=[{"material": "申请表", "reason": "缺"}]),
        ):
            with pytest.raises(Forbidden) as refused:
                act(application)
            assert refused.value.code == "clerk_not_authorised"
            assert "再生育审批" in refused.value.message and "居民身份证换领" not in refused.value.message
        assert Application.objects.get(pk=application.pk).state == S.SUBMITTED
    services.application_accept(application=ok, clerk=clerk)
    assert Application.objects.get(pk=ok.pk).state == S.ACCEPTED
    # a blanket clerk sees all three (one is accepted now)
    assert set(selectors.clerk_queue(ClerkFactory())) == {other, both}


def test_walk_in_refused_for_a_matter_outside_the_authorisation(admin):
    mine, theirs = MatterFactory(), MatterFactory(name="再生育审批")
    clerk = ClerkFactory(authorised=[mine])
    person = UserFactory.build()
    with pytest.raises(Forbidden) as refused:
        windows_services.walk_in_receive(clerk=clerk, accept_if_complete=True, walk_in=windows_services.WalkIn(
            applicant={"real_name": "王秀英", "id_number": person.id_number, "phone": ""},
            matters=[theirs], form_data=form_for([theirs], person)))
    assert refused.value.code == "clerk_not_authorised"
    assert not Application.objects.exists() and not User.objects.filter(id_number=person.id_number).exists()


def test_authorisations_by_category_and_period(admin):
    natural, legal = MatterFactory(), MatterFactory(target="legal")
    clerk = ClerkFactory(authorised=[])
    assert authorised_matter_ids(clerk, today()) == frozenset()
    windows_services.clerk_authorise(clerk=clerk, by=admin, starts_on=today(), all_matters=True, category="legal")
    assert authorised_matter_ids(clerk, today()) == frozenset({legal.pk})
    grant = windows_services.clerk_authorise(clerk=clerk, by=admin, starts_on=today() + dt.timedelta(days=3),
                                             ends_on=today() + dt.timedelta(days=5), matters=[natural])
    assert natural.pk not in authorised_matter_ids(clerk, today())
    assert natural.pk in authorised_matter_ids(clerk, today() + dt.timedelta(days=4))
    windows_services.clerk_authorisation_end(authorisation=grant, by=admin, ends_on=today() + dt.timedelta(days=3))
    assert natural.pk not in authorised_matter_ids(clerk, today() + dt.timedelta(days=4))
    with pytest.raises(Invalid):
        windows_services.clerk_authorise(clerk=clerk, by=admin, starts_on=today())  # neither all nor named
    with pytest.raises(Forbidden):
        windows_services.clerk_authorise(clerk=clerk, by=ClerkFactory(), starts_on=today(), all_matters=True)
    assert RosterLog.objects.filter(clerk=clerk, action="windows.authorisation.granted").count() == 2


def test_moving_a_clerk_between_halls_keeps_the_case_in_hand(admin):
    hall_a, hall_b = HallFactory(name="太和镇便民服务中心"), HallFactory(name="三坑镇便民服务中心")
    window_b = WindowFactory(hall=hall_b, number="B01")
    clerk = ClerkFactory(window__hall=hall_a)
    matter = MatterFactory()
    person = UserFactory.build()
    application = windows_services.walk_in_receive(clerk=clerk, accept_if_complete=False, walk_in=windows_services.WalkIn(
        applicant={"real_name": "黄丽娟", "id_number": person.id_number, "phone": ""}, matters=[matter],
        form_data=form_for([matter], person)))
    assert application.received_hall == hall_a and application.state == S.SUBMITTED
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    assert list(selectors.cases_in_hand(clerk)) == [application]

    seat = windows_services.seat_move(clerk=clerk, window=window_b, starts_on=today(), by=admin)

    old = Seat.objects.get(clerk=clerk, window__hall=hall_a)
    assert old.ends_on == today() - dt.timedelta(days=1) and seat.starts_on == today() and seat.ends_on is None
    assert [s.window for s in roster(today()) if s.clerk == clerk] == [window_b]
    assert RosterLog.objects.get(clerk=clerk, action="windows.seat.moved").data["hall"] == hall_b.name
    # still in their hands at hall B, and they finish it there
    assert list(selectors.cases_in_hand(clerk)) == [application]
    services.application_supplement_at_window(application=application, clerk=clerk, files=files_for([matter]))
    assert list(selectors.cases_in_hand(clerk)) == [application]  # a walk-in they registered, not yet accepted
    services.application_accept(application=application, clerk=clerk)
    application.refresh_from_db()
    assert application.state == S.ACCEPTED and application.accepted_hall == hall_b
    assert list(selectors.cases_in_hand(clerk)) == []


def test_a_case_in_hand_is_finished_even_at_a_window_of_another_category(admin):
    legal_window = WindowFactory(category=Window.Category.LEGAL, name="法人综合窗口")
    clerk = ClerkFactory()
    matter = MatterFactory()
    application = submitted_application(matters=[matter])
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    stranger = submitted_application(matters=[matter])
    windows_services.seat_move(clerk=clerk, window=legal_window, starts_on=today(), by=admin)

    services.application_supplement_at_window(application=application, clerk=clerk, files=files_for([matter]))
    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED
    # a natural-person application not in their hands: the legal window may not take it
    with pytest.raises(Forbidden) as refused:
        services.application_accept(application=stranger, clerk=clerk)
    assert refused.value.code == "wrong_window_category"
    assert stranger not in selectors.clerk_queue(clerk)


def test_seat_moves_never_overlap_and_only_administrators_move(admin):
    clerk = ClerkFactory()
    window = WindowFactory()
    windows_services.seat_move(clerk=clerk, window=window, starts_on=today() + dt.timedelta(days=7), by=admin)
    with pytest.raises(Conflict) as refused:
        windows_services.seat_move(clerk=clerk, window=WindowFactory(), starts_on=today() + dt.timedelta(days=3),
                                   by=admin)
    assert refused.value.code == "seat_overlap"
    with pytest.raises(Forbidden):
        windows_services.seat_move(clerk=clerk, window=window, starts_on=today() + dt.timedelta(days=30),
                                   by=ClerkFactory())
    with pytest.raises(Invalid):
        windows_services.seat_move(clerk=UserFactory(), window=window, starts_on=today(), by=admin)
    seats = list(Seat.objects.filter(clerk=clerk).order_by("starts_on"))
    assert [(s.starts_on, s.ends_on) for s in seats] == [
        (dt.date(2026, 1, 1), today() + dt.timedelta(days=6)), (today() + dt.timedelta(days=7), None)]
