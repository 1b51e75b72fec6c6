"""The 统一调配 page: the administrator's rows of the page matrix and what the page does."""

import pytest
from django.utils import timezone

from accounts.models import User
from tests.factories import ClerkFactory, HallFactory, MatterFactory, UserFactory, WindowFactory, submitted_application
from windows.models import ClerkAuthorisation, Seat
from workflow import services
from workflow.calendar_store import seed_calendar


@pytest.fixture
def admin(db):
    seed_calendar(years=[2026])
    return UserFactory(role=User.Role.ADMINISTRATOR, real_name="何建国")


def test_administrator_sees_the_roster_and_moves_a_clerk(client, admin):
    hall_b = HallFactory(name="山塘镇便民服务中心")
    window_b = WindowFactory(hall=hall_b, number="B02", name="自然人综合窗口")
    clerk = ClerkFactory(real_name="梁晓红")
    application = submitted_application()
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    client.force_login(admin)
    page = client.get("/staffing/").content.decode()
    assert "梁晓红" in page and clerk.seats.get().window.hall.name in page

    today = timezone.localdate().isoformat()
    response = client.post("/staffing/", {"action": "move", "clerk": clerk.pk, "window": window_b.pk, "starts_on": today})
    assert response.status_code == 302
    assert Seat.objects.get(clerk=clerk, ends_on__isnull=True).window == window_b
    page = client.get("/staffing/").content.decode()
    roster = page.split('id="roster"', 1)[1].split("</section>", 1)[0]
    assert "山塘镇便民服务中心" in roster and "梁晓红" in roster
    assert "调至" in page  # the roster log
    # the moved clerk's hall page still lists the case in hand
    client.force_login(clerk)
    assert application.number in client.get("/hall/?tab=in_hand").content.decode()

    client.force_login(admin)
    overlap = client.post("/staffing/", {"action": "move", "clerk": clerk.pk, "window": window_b.pk, "starts_on": today})
    assert overlap.status_code == 409 and "不能重叠" in overlap.content.decode()


def test_administrator_grants_and_ends_authorisations(client, admin):
    clerk = ClerkFactory(authorised=[])
    matter = MatterFactory(name="城乡居民养老保险参保登记")
    client.force_login(admin)
    today = timezone.localdate().isoformat()
    assert client.post("/staffing/", {"action": "authorise", "clerk": clerk.pk, "starts_on": today}).status_code == 400
    response = client.post("/staffing/", {"action": "authorise", "clerk": clerk.pk, "matters": [matter.pk],
                                          "starts_on": today})
    assert response.status_code == 302
    grant = ClerkAuthorisation.objects.get(clerk=clerk, matters=matter)
    assert "城乡居民养老保险参保登记" in client.get("/staffing/").content.decode().split('id="grants"', 1)[1]
    client.post("/staffing/", {"action": "end", "authorisation": grant.pk, "ends_on": today})
    grant.refresh_from_db()
    assert grant.ends_on == timezone.localdate()


@pytest.mark.parametrize("make", [lambda: UserFactory(), ClerkFactory, lambda: UserFactory(role=User.Role.SUPERVISOR)])
def test_only_administrators_use_the_staffing_page(client, admin, make):
    clerk = ClerkFactory()
    client.force_login(make())
    assert client.get("/staffing/").status_code == 403
    assert client.post("/staffing/", {"action": "move", "clerk": clerk.pk, "window": WindowFactory().pk,
                                      "starts_on": timezone.localdate().isoformat()}).status_code == 403
    assert Seat.objects.filter(clerk=clerk).count() == 1


def test_walk_in_screen_offers_only_authorised_matters(client, admin):
    mine, theirs = MatterFactory(name="城乡居民养老保险参保登记"), MatterFactory(name="再生育审批")
    client.force_login(ClerkFactory(authorised=[mine]))
    pick = client.get("/hall/walk-in/").content.decode()
    assert "城乡居民养老保险参保登记" in pick and "再生育审批" not in pick
    refused = client.get(f"/hall/walk-in/?matter={theirs.code}", follow=True)
    assert "您未获授权受理以下事项:再生育审批" in refused.content.decode()
    assert client.get(f"/hall/walk-in/?matter={mine.code}").status_code == 200
