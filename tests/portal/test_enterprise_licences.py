"""企业专属网页 lists the enterprise's licences (issue 10): name, number, state today (有效, 将到期,
已过期, 已注销), valid until and a link to the licence's card in the wallet (QR code and public
verification there), for its legal representative and its authorised 经办人 only."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import EnterpriseMembership, MembershipRequest
from exchange.models import ElectronicLicence
from tests.factories import ClerkFactory, EnterpriseFactory, MatterFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)  # a Monday


def _licence(firm, number, name, *, until, revoked=False, holder_user=None):
    matter = MatterFactory(name=f"{name}核发", target="legal")
    return ElectronicLicence.objects.create(
        number=number, case_ref=f"S-{number}", application_number=f"A-{number}", name=name, matter=matter,
        department=matter.department, holder_name=firm.name if firm else holder_user.real_name,
        holder_enterprise=firm, holder_user=holder_user, issued_on="2025-01-02", valid_from="2025-01-02",
        valid_until=until, sha256="a" * 64, digest=number[-1] * 64,
        revoked_at=timezone.now() if revoked else None, revocation_reason="许可证被依法撤销" if revoked else "")


@pytest.fixture
def world():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        representative, clerk_of_firm = UserFactory(real_name="陈志强"), UserFactory(real_name="李经办")
        firm = EnterpriseFactory()
        EnterpriseMembership.objects.create(enterprise=firm, user=representative, title="法定代表人", may_authorise=True)
        EnterpriseMembership.objects.create(enterprise=firm, user=clerk_of_firm, title="经办人")
        asking = UserFactory()
        MembershipRequest.objects.create(user=asking, enterprise=firm, note="本人为公司员工")
        other_firm = EnterpriseFactory(staff=[UserFactory()])
        licences = {
            "valid": _licence(firm, "DZZZ-441803-2025-000101", "食品经营许可证", until=dt.date(2030, 1, 1)),
            "expiring": _licence(firm, "DZZZ-441803-2025-000102", "排污许可证", until=TODAY + dt.timedelta(days=25)),
            "expired": _licence(firm, "DZZZ-441803-2025-000103", "临时占道许可", until=dt.date(2026, 5, 31)),
            "revoked": _licence(firm, "DZZZ-441803-2025-000104", "户外广告设置许可", until=dt.date(2029, 1, 1),
                                revoked=True),
        }
        theirs = _licence(other_firm, "DZZZ-441803-2025-000105", "建筑施工许可", until=dt.date(2030, 1, 1))
        own = _licence(None, "DZZZ-441803-2025-000106", "机动车驾驶证", until=dt.date(2030, 1, 1),
                       holder_user=representative)
        yield {"firm": firm, "representative": representative, "clerk_of_firm": clerk_of_firm, "asking": asking,
               "other": other_firm.members.get(), "licences": licences, "theirs": theirs, "own": own}


def _rows(html):
    section = html.split('id="me-licences"', 1)[1].split("</section>", 1)[0]
    return {number: row for number, row in
            ((row.split('"', 1)[0], row) for row in section.split('data-licence="')[1:])}


@pytest.mark.parametrize("member", ["representative", "clerk_of_firm"])
def test_the_representative_and_an_authorised_clerk_see_every_licence_with_its_state(client, world, member):
    client.force_login(world[member])
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        html = client.get(reverse("portal:enterprise_home", args=[world["firm"].credit_code])).content.decode()
        wallet = client.get(reverse("portal:licences")).content.decode()
    rows = _rows(html)
    licences = world["licences"]
    assert set(rows) == {lic.number for lic in licences.values()}  # not another firm's, not the person's own
    states = {"valid": "有效", "expiring": "将到期(25 天后)", "expired": "已过期", "revoked": "已注销"}
    for key, licence in licences.items():
        row = rows[licence.number]
        assert licence.name in row and states[key] in row, (key, row)
        assert licence.valid_until.isoformat() in row
        assert f'href="/licences/#card-{licence.number}"' in row
        assert f'id="card-{licence.number}"' in wallet  # the link lands on the licence's card (QR, verification)
    assert ">有效<" not in rows[licences["expired"].number] and "已注销" not in rows[licences["valid"].number]


@pytest.mark.parametrize("who", ["asking", "other"])
def test_anyone_else_gets_404(client, world, who):
    client.force_login(world[who])  # a 经办人 request still pending; a member of another enterprise
    answer = client.get(reverse("portal:enterprise_home", args=[world["firm"].credit_code]))
    assert answer.status_code == 404
    assert world["licences"]["valid"].number not in answer.content.decode()


def test_staff_and_visitors_do_not_see_it(client, world):
    url = reverse("portal:enterprise_home", args=[world["firm"].credit_code])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(ClerkFactory())
    answer = client.get(url)
    assert answer.status_code == 403 and world["licences"]["valid"].number not in answer.content.decode()
