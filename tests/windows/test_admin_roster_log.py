"""Seats and matter authorisations edited by hand in /admin/ go through the windows services: every
add, change and delete leaves a roster-log row (before and after), overlapping seats are refused
on the form, and only an administrator may edit them there."""


import pytest

from accounts.models import User
from core import audit
from tests.factories import ClerkFactory, MatterFactory, UserFactory, WindowFactory
from windows.models import ClerkAuthorisation, RosterLog, Seat

pytestmark = pytest.mark.django_db

SEATS = "/admin/windows/seat/"
GRANTS = "/admin/windows/clerkauthorisation/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    return client


def seat_form(seat, **changes):
    data = {"clerk": seat.clerk_id, "window": seat.window_id, "starts_on": seat.starts_on.isoformat(),
            "ends_on": seat.ends_on.isoformat() if seat.ends_on else "", "_save": "1"}
    data.update(changes)
    return data


def test_editing_adding_and_deleting_a_seat_in_the_admin_is_logged(admin_client):
    clerk = ClerkFactory()
    seat = clerk.seats.get()
    other = WindowFactory()
    response = admin_client.post(f"{SEATS}{seat.pk}/change/", seat_form(seat, ends_on="2026-06-30"))
    assert response.status_code == 302, response.content.decode()[:2000]
    edited = RosterLog.objects.get(clerk=clerk, action="windows.seat.edited")
    assert edited.data["before"]["ends_on"] is None and edited.data["after"]["ends_on"] == "2026-06-30"
    assert edited.actor.role == User.Role.ADMINISTRATOR and edited.data["via"] == "admin"

    response = admin_client.post(f"{SEATS}add/", {"clerk": clerk.pk, "window": other.pk, "starts_on": "2026-07-01",
                                                  "ends_on": "", "_save": "1"})
    assert response.status_code == 302
    added = RosterLog.objects.get(clerk=clerk, action="windows.seat.added")
    new_seat = Seat.objects.get(pk=added.data["seat"])
    assert new_seat.window == other and added.data["after"]["window"] == str(other)

    response = admin_client.post(f"{SEATS}{new_seat.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Seat.objects.filter(pk=new_seat.pk).exists()
    deleted = RosterLog.objects.get(clerk=clerk, action="windows.seat.deleted")
    assert deleted.data["before"]["starts_on"] == "2026-07-01"
    assert audit.verify_table(RosterLog).ok


def test_an_overlapping_seat_is_refused_on_the_form_and_nothing_is_logged(admin_client):
    clerk = ClerkFactory()  # seated, open-ended, since 2026-01-01
    response = admin_client.post(f"{SEATS}add/", {"clerk": clerk.pk, "window": WindowFactory().pk,
                                                  "starts_on": "2026-05-01", "ends_on": "", "_save": "1"})
    assert response.status_code == 200
    assert "重叠" in response.content.decode()
    assert clerk.seats.count() == 1 and not RosterLog.objects.filter(clerk=clerk).exists()


def test_editing_and_deleting_an_authorisation_in_the_admin_is_logged(admin_client):
    matter_a, matter_b = MatterFactory(), MatterFactory()
    clerk = ClerkFactory(authorised=[matter_a])
    grant = ClerkAuthorisation.objects.get(clerk=clerk)
    response = admin_client.post(f"{GRANTS}{grant.pk}/change/", {
        "clerk": clerk.pk, "category": "", "matters": [matter_a.pk, matter_b.pk], "starts_on": "2026-01-01",
        "ends_on": "", "_save": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(grant.matters.all()) == {matter_a, matter_b}
    edited = RosterLog.objects.get(clerk=clerk, action="windows.authorisation.edited")
    assert edited.data["before"]["matters"] == [matter_a.code]
    assert edited.data["after"]["matters"] == sorted([matter_a.code, matter_b.code])

    response = admin_client.post(f"{GRANTS}{grant.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ClerkAuthorisation.objects.filter(pk=grant.pk).exists()
    assert RosterLog.objects.get(clerk=clerk, action="windows.authorisation.deleted").data["before"]["matters"] == \
        sorted([matter_a.code, matter_b.code])


def test_staff_who_are_not_administrators_cannot_edit_seats_in_the_admin(client):
    clerk = ClerkFactory()
    supervisor = UserFactory(role=User.Role.SUPERVISOR, is_staff=True)
    client.force_login(supervisor)
    seat = clerk.seats.get()
    response = client.post(f"{SEATS}{seat.pk}/change/", seat_form(seat, ends_on="2026-02-01"))
    assert response.status_code in (302, 403)
    seat.refresh_from_db()
    assert seat.ends_on is None and not RosterLog.objects.filter(clerk=clerk).exists()


def test_a_clerk_with_a_roster_log_is_kept(admin_client):
    clerk = ClerkFactory()
    seat = clerk.seats.get()
    admin_client.post(f"{SEATS}{seat.pk}/change/", seat_form(seat, ends_on="2026-06-30"))
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        clerk.delete()
    assert RosterLog.objects.filter(clerk=clerk).exists()
