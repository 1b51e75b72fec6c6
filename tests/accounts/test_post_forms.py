"""The accounts pages' POSTs parsed by Django forms: 审核企业经办人申请 (the decision and its note).
A bad post shows a Chinese message, keeps what was typed and changes nothing; a good post decides."""

import pytest

from accounts.models import EnterpriseMembership, MembershipRequest
from tests.factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _alert(response) -> str:
    html = response.content.decode()
    return html.split('class="alert alert-error"', 1)[1].split("</div>", 1)[0] if 'alert-error"' in html else ""


@pytest.fixture
def pending():
    enterprise = EnterpriseFactory()
    boss = UserFactory()
    EnterpriseMembership.objects.create(enterprise=enterprise, user=boss, title="法定代表人", may_authorise=True)
    request = MembershipRequest.objects.create(enterprise=enterprise, user=UserFactory(real_name="刘洋"))
    return boss, request


def test_a_decision_that_is_neither_approve_nor_reject_is_refused(client, pending):
    boss, request = pending
    client.force_login(boss)
    url = f"/me/enterprises/requests/{request.pk}/decide/"
    forged = client.post(url, {"decision": "approve_all", "note": "同意"})
    assert forged.status_code == 400 and "请选择通过或驳回" in _alert(forged)
    assert 'value="同意"' in forged.content.decode()
    assert MembershipRequest.objects.get(pk=request.pk).state == "pending"


def test_a_long_note_or_a_refusal_without_one_is_refused_then_a_refusal_with_one_is_kept(client, pending):
    boss, request = pending
    client.force_login(boss)
    url = f"/me/enterprises/requests/{request.pk}/decide/"
    long = client.post(url, {"decision": "reject", "note": "非" * 201})
    assert long.status_code == 400 and "审核意见不超过200个字" in _alert(long)
    assert "非" * 201 in long.content.decode()
    bare = client.post(url, {"decision": "reject", "note": " "})
    assert bare.status_code == 400 and "不予通过须说明理由" in _alert(bare)
    assert MembershipRequest.objects.get(pk=request.pk).state == "pending"
    good = client.post(url, {"decision": "reject", "note": "非本公司员工"})
    assert good.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.decision_note, request.decided_by) == ("rejected", "非本公司员工", boss)
    assert not EnterpriseMembership.objects.filter(user=request.user).exists()
