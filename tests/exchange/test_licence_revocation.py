"""本部门证照: a reviewer of the issuing department revokes a licence with a reason on a page; the
revocation names who did it, the verification page shows it, and nobody else may revoke."""

import pytest

from exchange.models import ElectronicLicence
from tests.factories import ReviewerFactory, UserFactory

from .test_licences import calendar, licence  # noqa: F401 - that module's fixtures

pytestmark = pytest.mark.django_db


def test_the_issuing_department_revokes_with_a_reason(client, licence):  # noqa: F811
    reviewer = ReviewerFactory(department=licence.department)
    client.force_login(reviewer)
    page = client.get("/licences/issued/").content.decode()
    assert licence.number in page and "本部门证照" in page and 'data-confirm="确定注销该证照?' in page

    blank = client.post("/licences/issued/", {"number": licence.number, "reason": "  "})
    assert blank.status_code == 400 and "请填写注销原因" in blank.content.decode()
    assert ElectronicLicence.objects.get(pk=licence.pk).revoked_at is None

    other = ReviewerFactory()
    client.force_login(other)
    assert licence.number not in client.get("/licences/issued/").content.decode()
    refused = client.post("/licences/issued/", {"number": licence.number, "reason": "越权注销"})
    assert refused.status_code == 404 and ElectronicLicence.objects.get(pk=licence.pk).revoked_at is None
    client.force_login(UserFactory())
    assert client.get("/licences/issued/").status_code == 403

    client.force_login(reviewer)
    done = client.post("/licences/issued/", {"number": licence.number, "reason": "经营场所已变更,原许可注销"})
    assert done.status_code == 302
    revoked = ElectronicLicence.objects.get(pk=licence.pk)
    assert revoked.revoked_by == reviewer and revoked.revocation_reason == "经营场所已变更,原许可注销"
    page = client.get("/licences/issued/").content.decode()
    assert "已注销" in page and "经营场所已变更" in page
    again = client.post("/licences/issued/", {"number": licence.number, "reason": "再次注销"})
    assert again.status_code == 409 and "该证照已注销" in again.content.decode()
    verify = client.get("/licences/verify/", {"number": licence.number, "code": licence.verification_code})
    assert "已注销" in verify.content.decode() and "经营场所已变更" in verify.content.decode()
