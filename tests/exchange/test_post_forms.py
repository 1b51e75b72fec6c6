"""本部门证照's POST parsed by a Django form (exchange.forms.LicenceRevokeForm): a bad post shows a
Chinese message, keeps the typed reason in the licence's row and revokes nothing; a good post
revokes with the reason."""

import pytest

from exchange.models import ElectronicLicence
from tests.factories import ReviewerFactory

from .test_licences import calendar, licence  # noqa: F401 - that module's fixtures

pytestmark = pytest.mark.django_db


def test_revocation_refuses_a_long_reason_or_a_forged_number_and_keeps_what_was_typed(client, licence):  # noqa: F811
    client.force_login(ReviewerFactory(department=licence.department))
    long = client.post("/licences/issued/", {"number": licence.number.lower(), "reason": "注" * 256})
    html = long.content.decode()
    assert long.status_code == 400 and "注销原因不超过255个字" in html
    assert 'value="' + "注" * 256 + '"' in html
    forged = client.post("/licences/issued/", {"number": "X" * 40, "reason": "持证人申请注销"})
    assert forged.status_code == 400 and "未找到该证照" in forged.content.decode()
    assert ElectronicLicence.objects.get(pk=licence.pk).revoked_at is None

    good = client.post("/licences/issued/", {"number": licence.number.lower(), "reason": "持证人申请注销"})
    assert good.status_code == 302
    licence.refresh_from_db()
    assert licence.revoked_at is not None and licence.revocation_reason == "持证人申请注销"
