"""我的证照 as a wallet: a card per licence with its name, holder, number, validity and state
(有效/已过期/已注销), and a QR code of the licence's public verification page drawn on the server
(a PNG data URI: no CDN, no request of its own, so the service worker's kept copy shows it)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from core.pdf import qr_png_data_uri
from exchange.models import ElectronicLicence
from exchange.services import licence_verify_url
from portal.offline import KEPT_PAGES
from tests.factories import UserFactory

from .test_licences import calendar, licence  # noqa: F401 - that module's fixtures: the seeded calendar, one issued licence

pytestmark = pytest.mark.django_db


def _cards(html: str) -> dict[str, str]:
    """{licence number: the card's HTML}."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<article class="licence-card[^"]*" data-licence="([^"]+)".*?</article>', html, re.S)
    }


def test_each_licence_is_a_card_with_its_state_and_a_qr_code_of_its_verification(client, licence):  # noqa: F811
    holder = licence.holder_user
    today = timezone.localdate()
    base = {
        "matter": licence.matter,
        "department": licence.department,
        "holder_name": licence.holder_name,
        "holder_id_number": licence.holder_id_number,
        "holder_id_masked": licence.holder_id_masked,
        "holder_user": holder,
        "sha256": "a" * 64,
    }
    expired = ElectronicLicence.objects.create(
        number="DZZZ-441803-2020-000001",
        case_ref="S-OLD",
        application_number=licence.application_number,
        name="公共场所卫生许可证",
        issued_on=dt.date(2020, 3, 2),
        valid_from=dt.date(2020, 3, 2),
        valid_until=today - dt.timedelta(days=1),
        digest="b" * 64,
        **base,
    )
    revoked = ElectronicLicence.objects.create(
        number="DZZZ-441803-2025-000009",
        case_ref="S-REV",
        application_number=licence.application_number,
        name="排水许可证",
        issued_on=dt.date(2025, 5, 6),
        valid_from=dt.date(2025, 5, 6),
        digest="c" * 64,
        revoked_at=timezone.now(),
        revocation_reason="以欺骗手段取得许可",
        **base,
    )
    client.force_login(holder)
    response = client.get("/licences/")
    html = response.content.decode()
    cards = _cards(html)
    assert list(cards) == [licence.number, revoked.number, expired.number]  # newest first

    card = cards[licence.number]
    assert 'data-status="valid"' in card and "有效" in card and "食品经营许可证" in card
    assert licence.holder_name in card and licence.holder_id_masked in card and licence.department.name in card
    validity = (
        f"{licence.valid_from:%Y-%m-%d} 至 {licence.valid_until:%Y-%m-%d}"
        if licence.valid_until
        else f"{licence.valid_from:%Y-%m-%d} 至 长期"
    )
    assert validity in card and licence.verification_code in card
    qr = qr_png_data_uri(licence_verify_url(licence.number, licence.verification_code))
    assert f'src="{qr}"' in card  # the code of the public verification URL, drawn here
    href = re.search(r'class="licence-qr" href="([^"]+)"', card).group(1).replace("&amp;", "&")
    assert href == f"/licences/verify/?number={licence.number}&code={licence.verification_code}"

    assert 'data-status="expired"' in cards[expired.number] and "已过期" in cards[expired.number]
    assert f"{expired.valid_until:%Y-%m-%d}" in cards[expired.number]
    assert 'data-status="revoked"' in cards[revoked.number] and "已注销" in cards[revoked.number]
    assert "以欺骗手段取得许可" in cards[revoked.number] and "2025-05-06 至 长期" in cards[revoked.number]
    # nothing from an outside host (a CSRF token may spell "cdn", so the attributes are read)
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html) and "<table" not in html

    # the QR code's page: the public verification, no sign-in needed
    client.logout()
    page = client.get(href).content.decode()
    assert "核验通过" in page and licence.number in page and "电子签名有效" in page
    # the wallet is one of the pages the service worker keeps for reading offline
    assert any(re.search(pattern, "/licences/") for pattern in KEPT_PAGES)


def test_someone_else_sees_no_card_of_it(client, licence):  # noqa: F811
    client.force_login(UserFactory())
    html = client.get("/licences/").content.decode()
    assert not _cards(html) and licence.number not in html and "您还没有电子证照" in html
