"""上门办理 (issue 13): who may book, see, assign and act on a home visit; a visit is a slot of the
clerk's day (no overlap, opening hours, no holiday); at the visit the case is received as a
walk-in and recorded as 上门办理 ("a home visit booked and its case accepted")."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, Invalid
from notifications.models import Message
from tests.factories import (
    ClerkFactory,
    HallFactory,
    MatterFactory,
    UserFactory,
    WindowFactory,
    valid_id_number,
)
from windows import home_visits
from windows import services as window_services
from windows.models import HallHead, HomeVisit
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Channel, Source

V = HomeVisit.State


def local(when: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(when))


@pytest.fixture
def world(db, at):
    seed_calendar(years=[2026])
    at("2026-11-23 09:00")  # a Monday
    hall = HallFactory(name="太和镇便民服务中心")
    matter = MatterFactory(name="城乡居民养老保险待遇领取", home_visit=True)
    plain = MatterFactory(name="不可上门的事项")
    clerk = ClerkFactory(real_name="何丽娟", window=WindowFactory(hall=hall))
    head = ClerkFactory(real_name="邓志强", window=WindowFactory(hall=hall))
    HallHead.objects.create(hall=hall, clerk=head)
    unauthorised = ClerkFactory(window=WindowFactory(hall=hall), authorised=[plain])
    elsewhere = ClerkFactory()  # seated at another hall
    citizen = UserFactory(real_name="陈伟军")
    mother_id = valid_id_number(birth="19420315")
    return {
        "hall": hall,
        "matter": matter,
        "plain": plain,
        "clerk": clerk,
        "head": head,
        "unauthorised": unauthorised,
        "elsewhere": elsewhere,
        "citizen": citizen,
        "other": UserFactory(),
        "mother_id": mother_id,
    }


def book(world, **kwargs):
    values = {
        "user": world["citizen"],
        "matter": world["matter"],
        "hall": world["hall"],
        "reason": "elderly",
        "address": "清新区太和镇桂园路12号3栋201",
        "phone": "13912345678",
        "preferred_date": dt.date(2026, 11, 25),
        "for_self": False,
        "person_name": "陈秀英",
        "person_id_number": world["mother_id"],
        "relation": "子女",
    }
    values.update(kwargs)
    return home_visits.home_visit_book(**values)


def test_the_guide_offers_a_home_visit_only_for_matters_that_allow_it(world, client):
    page = client.get(f"/guide/matters/{world['matter'].code}/").content.decode()
    assert "可预约上门办理" in page and f"/home-visits/book/{world['matter'].code}/" in page
    page = client.get(f"/guide/matters/{world['plain'].code}/").content.decode()
    assert "/home-visits/book/" not in page


def test_a_citizen_books_for_an_elderly_parent_and_sees_it_on_my_appointments(world, client):
    client.force_login(world["citizen"])
    response = client.post(
        f"/home-visits/book/{world['matter'].code}/",
        {
            "for_self": "0",
            "person_name": "陈秀英",
            "person_id_number": world["mother_id"],
            "relation": "子女",
            "reason": "elderly",
            "address": "清新区太和镇桂园路12号3栋201",
            "phone": "13912345678",
            "hall": world["hall"].code,
            "preferred_date": "2026-11-25",
        },
    )
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert (visit.state, visit.booked_by, visit.person_name, visit.hall) == (
        V.REQUESTED,
        world["citizen"],
        "陈秀英",
        world["hall"],
    )
    page = client.get("/appointments/").content.decode()
    assert visit.code in page and "待安排(希望 2026-11-25)" in page
    client.force_login(world["other"])
    assert visit.code not in client.get("/appointments/").content.decode()
    assert client.post(f"/home-visits/{visit.code}/cancel/").status_code == 404


def test_booking_is_refused_for_staff_other_matters_holidays_and_missing_details(world, client):
    with pytest.raises(Forbidden):
        book(world, user=world["clerk"])
    client.force_login(world["clerk"])
    assert client.get(f"/home-visits/book/{world['matter'].code}/").status_code == 403
    with pytest.raises(Invalid, match="不提供上门办理"):
        book(world, matter=world["plain"])
    with pytest.raises(Invalid) as refused:
        book(world, preferred_date=dt.date(2026, 11, 28), address="太和", phone="123")  # a Saturday
    assert set(refused.value.fields) == {"preferred_date", "address", "phone"}
    assert "节假日" in refused.value.fields["preferred_date"][0]
    with pytest.raises(Invalid) as refused:
        book(world, person_id_number="441803194203150000")
    assert "person_id_number" in refused.value.fields
    assert not HomeVisit.objects.exists()


def test_the_hall_clerks_see_the_request_and_clerks_of_another_hall_do_not(world, client):
    visit = book(world)
    client.force_login(world["clerk"])
    assert visit.code in client.get("/hall/home-visits/").content.decode()
    page = client.get(f"/hall/home-visits/{visit.code}/").content.decode()
    assert "清新区太和镇桂园路12号3栋201" in page and world["mother_id"] not in page  # the ID number masked
    client.force_login(world["elsewhere"])
    assert visit.code not in client.get("/hall/home-visits/").content.decode()
    assert client.get(f"/hall/home-visits/{visit.code}/").status_code == 404
    client.force_login(world["other"])
    assert client.get(f"/hall/home-visits/{visit.code}/").status_code == 403


def test_a_clerk_takes_the_visit_as_a_slot_of_her_day_and_the_citizen_is_told(world, client):
    visit = book(world)
    client.force_login(world["clerk"])
    response = client.post(
        f"/hall/home-visits/{visit.code}/assign/", {"starts_at": "2026-11-25T09:30", "minutes": "60"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.state, visit.clerk, visit.assigned_by) == (V.SCHEDULED, world["clerk"], world["clerk"])
    assert timezone.localtime(visit.ends_at).strftime("%H:%M") == "10:30"
    message = Message.objects.get(recipient=world["citizen"], kind="home_visit")
    assert "2026-11-25 09:30" in message.body and "何**" in message.body
    client.force_login(world["citizen"])
    assert "2026-11-25 09:30–10:30" in client.get("/appointments/").content.decode()


def test_who_may_assign(world):
    visit = book(world)
    start = local("2026-11-25 09:30")
    with pytest.raises(Forbidden, match="未获授权"):  # seated at the hall, not authorised for the matter
        home_visits.home_visit_assign(
            visit=visit, by=world["unauthorised"], clerk=world["unauthorised"], starts_at=start
        )
    with pytest.raises(Forbidden) as refused:  # a clerk of another hall
        home_visits.home_visit_assign(visit=visit, by=world["elsewhere"], clerk=world["elsewhere"], starts_at=start)
    assert refused.value.code == "may_not_assign"
    with pytest.raises(Forbidden) as refused:  # a clerk may take it herself, not give it to a colleague
        home_visits.home_visit_assign(visit=visit, by=world["clerk"], clerk=world["head"], starts_at=start)
    assert refused.value.code == "may_not_assign"
    with pytest.raises(Forbidden):  # nor a citizen
        home_visits.home_visit_assign(visit=visit, by=world["citizen"], clerk=world["clerk"], starts_at=start)
    with pytest.raises(Forbidden, match="未获授权"):  # the head may not send an unauthorised clerk either
        home_visits.home_visit_assign(visit=visit, by=world["head"], clerk=world["unauthorised"], starts_at=start)
    home_visits.home_visit_assign(visit=visit, by=world["head"], clerk=world["clerk"], starts_at=start)
    assert HomeVisit.objects.get().clerk == world["clerk"]


def test_visits_of_one_clerk_never_overlap_and_keep_to_working_hours(world):
    first, second = book(world), book(world, person_name="陈伟军", for_self=True)
    head, clerk = world["head"], world["clerk"]
    home_visits.home_visit_assign(visit=first, by=head, clerk=clerk, starts_at=local("2026-11-25 09:00"), minutes=90)
    with pytest.raises(Conflict) as refused:
        home_visits.home_visit_assign(visit=second, by=head, clerk=clerk, starts_at=local("2026-11-25 10:00"))
    assert refused.value.code == "visit_overlap" and "09:00–10:30" in refused.value.message
    with pytest.raises(Invalid) as refused:  # National Day
        home_visits.home_visit_assign(visit=second, by=head, clerk=clerk, starts_at=local("2026-10-01 10:00"))
    assert refused.value.code == "visit_in_past"  # the clock is in November: October is past
    with pytest.raises(Invalid) as refused:
        home_visits.home_visit_assign(
            visit=second, by=head, clerk=clerk, starts_at=local("2026-11-28 10:00")
        )  # Saturday
    assert refused.value.code == "visit_on_holiday"
    with pytest.raises(Invalid) as refused:  # runs into the lunch break
        home_visits.home_visit_assign(visit=second, by=head, clerk=clerk, starts_at=local("2026-11-25 11:30"))
    assert refused.value.code == "visit_outside_hours"
    with pytest.raises(Invalid) as refused:
        home_visits.home_visit_assign(visit=second, by=head, clerk=clerk, starts_at=local("2026-11-25 17:00"))
    assert refused.value.code == "visit_outside_hours"
    # right after the first visit: no overlap
    home_visits.home_visit_assign(visit=second, by=head, clerk=clerk, starts_at=local("2026-11-25 10:30"))
    assert [v.pk for v in home_visits.day_of(clerk, dt.date(2026, 11, 25))] == [first.pk, second.pk]


def test_a_holiday_visit_is_refused(world, at):
    at("2026-09-28 09:00")
    visit = book(world, preferred_date=dt.date(2026, 9, 30))
    with pytest.raises(Invalid) as refused:
        home_visits.home_visit_assign(
            visit=visit, by=world["head"], clerk=world["clerk"], starts_at=local("2026-10-01 10:00")
        )
    assert refused.value.code == "visit_on_holiday"


def scheduled_today(world, at):
    """A visit scheduled for today at 10:00 (the queue clock set to today), returned with the
    clock moved to 10:05, when the clerk is at the door."""
    today = timezone.localdate()
    at(f"{today} 07:00")
    visit = HomeVisit.objects.create(
        code="HV" + str(HomeVisit.objects.count()).zfill(6),
        matter=world["matter"],
        hall=world["hall"],
        booked_by=world["citizen"],
        person_name="陈秀英",
        person_id_number=world["mother_id"],
        relation="子女",
        reason="elderly",
        address="清新区太和镇桂园路12号3栋201",
        phone="13912345678",
        preferred_date=today,
        state=V.SCHEDULED,
        clerk=world["clerk"],
        assigned_by=world["head"],
        starts_at=local(f"{today} 10:00"),
        ends_at=local(f"{today} 11:00"),
    )
    at(f"{today} 10:05")
    return visit


def receive_post(world, visit, **extra):
    upload = world["matter"].materials.get(name="申请表")
    return {
        "applicant_id_number": visit.person_id_number,
        "applicant_real_name": visit.person_name,
        "applicant_phone": visit.phone,
        "decision": "accept",
        f"mark_{upload.pk}": "window",
        **extra,
    }


def test_a_home_visit_booked_and_its_case_accepted(world, at, client):
    visit = scheduled_today(world, at)
    client.force_login(world["clerk"])
    page = client.get(f"/hall/home-visits/{visit.code}/receive/").content.decode()
    assert "上门收件" in page and "清新区太和镇桂园路12号3栋201" in page
    response = client.post(f"/hall/home-visits/{visit.code}/receive/", receive_post(world, visit))
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get()
    assert application.state == Application.State.ACCEPTED
    assert (application.channel, application.source) == (Channel.WINDOW, Source.HOME_VISIT)
    assert application.applicant.real_name == "陈秀英" and application.accepted_by == world["clerk"]
    submitted = application.log.get(action="workflow.application.submitted")
    assert submitted.note.startswith("上门办理") and submitted.data["source"] == "home_visit"
    visit.refresh_from_db()
    assert (visit.state, visit.application) == (V.RECEIVED, application)
    assert visit.events.filter(action="windows.home_visit.received").exists()
    client.force_login(world["citizen"])
    assert application.number in client.get("/appointments/").content.decode()


def test_only_the_visiting_clerk_receives_on_the_visit_day(world, at, client):
    visit = scheduled_today(world, at)
    client.force_login(world["head"])  # the head of the hall is not the one at the door
    response = client.post(f"/hall/home-visits/{visit.code}/receive/", receive_post(world, visit))
    assert response.status_code == 302 and not Application.objects.exists()
    walk_in = window_services.WalkIn(
        applicant={"real_name": "陈秀英", "id_number": world["mother_id"], "phone": ""},
        matters=[world["matter"]],
        form_data={},
        received=tuple(world["matter"].materials.filter(name="申请表").values_list("pk", flat=True)),
        home_visit=visit.pk,
    )
    with pytest.raises(Forbidden):
        window_services.walk_in_accept(clerk=world["head"], walk_in=walk_in)
    other = UserFactory()
    with pytest.raises(Invalid, match="不一致"):  # another person's ID card
        window_services.walk_in_accept(
            clerk=world["clerk"],
            walk_in=dataclasses.replace(
                walk_in, applicant={"real_name": "", "id_number": other.id_number, "phone": ""}
            ),
        )
    at(f"{timezone.localdate() + dt.timedelta(days=1)} 10:05")
    with pytest.raises(Conflict, match="上门当日"):
        window_services.walk_in_accept(clerk=world["clerk"], walk_in=walk_in)
    assert not Application.objects.exists()


def test_cancel_and_nobody_home(world, at, client):
    visit = book(world)
    client.force_login(world["other"])
    assert client.post(f"/home-visits/{visit.code}/cancel/").status_code == 404
    client.force_login(world["citizen"])
    client.post(f"/home-visits/{visit.code}/cancel/")
    assert HomeVisit.objects.get().state == V.CANCELLED
    with pytest.raises(Conflict):
        home_visits.home_visit_assign(
            visit=visit, by=world["head"], clerk=world["clerk"], starts_at=local("2026-11-25 09:00")
        )
    second = book(world)
    home_visits.home_visit_assign(
        visit=second, by=world["head"], clerk=world["clerk"], starts_at=local("2026-11-25 09:00")
    )
    with pytest.raises(Conflict, match="未到"):
        home_visits.home_visit_no_show(visit=second, clerk=world["clerk"])
    at("2026-11-25 09:20")
    with pytest.raises(Forbidden):
        home_visits.home_visit_no_show(visit=second, clerk=world["head"])
    with pytest.raises(Invalid):  # the hall cancels only with a reason
        home_visits.home_visit_cancel(visit=second, by=world["head"])
    home_visits.home_visit_no_show(visit=second, clerk=world["clerk"], note="敲门无人应答,电话未接")
    assert HomeVisit.objects.get(pk=second.pk).state == V.NO_SHOW
