"""Claiming online an account a window registered, and enterprise staff asking to become 经办人."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services
from accounts.models import EnterpriseMembership, MembershipRequest, User
from core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    ClerkFactory,
    EnterpriseFactory,
    MatterFactory,
    UserFactory,
    form_for,
    password_sign_in,
    submitted_application,
)
from windows.services import WalkIn, walk_in_receive
from workflow.calendar_store import seed_calendar


@pytest.fixture
def walked_in(db):
    cache.clear()
    seed_calendar(years=[2026])
    matter = MatterFactory()
    person = UserFactory.build()
    application = walk_in_receive(clerk=ClerkFactory(), accept_if_complete=True, walk_in=WalkIn(
        matters=[matter], form_data=form_for([matter], person),
        applicant={"real_name": "黄丽娟", "id_number": person.id_number, "phone": "13712345678"},
        received=tuple(r.pk for r in matter.materials.all())))
    return application


def claim_body(application, **change):
    person = application.applicant
    return {"real_name": person.real_name, "id_number": person.id_number, "phone": person.phone,
            "application_number": application.number, "username": "huanglijuan", "password1": PASSWORD,
            "password2": PASSWORD, **change}


def test_a_window_registered_person_claims_the_account_and_sees_the_applications(client, walked_in):
    person = walked_in.applicant
    assert not person.has_usable_password()
    signup = client.post("/accounts/signup/", {
        "real_name": "黄丽娟", "id_number": person.id_number, "phone": "13712345678", "username": "hlj",
        "password1": PASSWORD, "password2": PASSWORD})
    assert signup.status_code == 400 and "请使用“认领窗口登记的账号”" in signup.content.decode()

    response = client.post("/accounts/claim/", claim_body(walked_in, application_number=walked_in.number.lower()))

    assert response.status_code == 302 and response["Location"] == "/applications/"
    person.refresh_from_db()
    assert person.username == "huanglijuan" and person.check_password(PASSWORD)
    assert User.objects.filter(id_number=person.id_number).count() == 1
    assert walked_in.number in client.get("/applications/").content.decode()
    client.logout()
    assert password_sign_in(client, "huanglijuan", PASSWORD)


@pytest.mark.parametrize("change", [
    {"real_name": "黄丽华"}, {"phone": "13712345670"}, {"application_number": "441803-2026-XK-999999"},
])
def test_every_mismatch_gets_the_same_refusal(client, walked_in, change):
    response = client.post("/accounts/claim/", claim_body(walked_in, **change))
    assert response.status_code == 400
    assert "身份信息或办件编号与窗口登记的不一致" in response.content.decode()
    assert not User.objects.get(pk=walked_in.applicant_id).has_usable_password()


def test_another_persons_application_number_does_not_claim(walked_in):
    other = submitted_application()
    with pytest.raises(Invalid) as refused:
        services.account_claim(id_number=walked_in.applicant.id_number, real_name="黄丽娟", phone="13712345678",
                               application_number=other.number, username="x1", password=PASSWORD)
    assert refused.value.code == "claim_mismatch"


def test_a_registered_account_cannot_be_claimed_and_the_answer_does_not_say_it_is_registered(walked_in):
    owner = UserFactory(phone="13712345678")
    application = submitted_application(applicant=owner)
    with pytest.raises(Invalid) as registered:
        services.account_claim(id_number=owner.id_number, real_name=owner.real_name, phone="13712345678",
                               application_number=application.number, username="x2", password=PASSWORD)
    with pytest.raises(Invalid) as mismatch:
        services.account_claim(id_number=owner.id_number, real_name="别人", phone="13712345678",
                               application_number=application.number, username="x2", password=PASSWORD)
    assert (registered.value.code, registered.value.message) == (mismatch.value.code, mismatch.value.message)


def test_failed_claims_are_throttled(client, walked_in):
    for _attempt in range(5):
        assert client.post("/accounts/claim/", claim_body(walked_in, phone="13712345670")).status_code == 400
    blocked = client.post("/accounts/claim/", claim_body(walked_in))
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode()
    assert not User.objects.get(pk=walked_in.applicant_id).has_usable_password()


# --- enterprise staff ------------------------------------------------------------------------


@pytest.fixture
def firm(db):
    enterprise = EnterpriseFactory(name="清远市清新区禾云山茶业有限公司")
    boss = UserFactory(real_name="陈志强")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=boss, title="法定代表人", may_authorise=True)
    staff = UserFactory(real_name="周敏")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=staff)
    return {"enterprise": enterprise, "boss": boss, "staff": staff}


def test_request_then_approval_by_the_legal_representative(client, firm):
    newcomer = UserFactory(real_name="刘洋")
    client.force_login(newcomer)
    letter = SimpleUploadedFile("授权书.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post("/me/enterprises/", {"credit_code": firm["enterprise"].credit_code.lower(),
                                                "note": "财务部", "letter": letter})
    assert response.status_code == 302
    request = MembershipRequest.objects.get(user=newcomer)
    assert request.state == "pending" and request.letter
    # pending grants nothing: not a member, cannot apply in the enterprise's name
    assert not EnterpriseMembership.objects.filter(user=newcomer).exists()
    legal = MatterFactory(target="legal")
    with pytest.raises(Forbidden):
        submitted_application(applicant=newcomer, matters=[legal], enterprise=firm["enterprise"])
    assert client.post("/me/enterprises/", {"credit_code": firm["enterprise"].credit_code}).status_code == 409

    # an ordinary member may neither see nor decide; the legal representative does both
    client.force_login(firm["staff"])
    assert "刘洋" not in client.get("/me/enterprises/").content.decode()
    assert client.post(f"/me/enterprises/requests/{request.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert client.get(f"/me/enterprises/requests/{request.pk}/letter/").status_code == 404
    client.force_login(firm["boss"])
    assert "刘洋" in client.get("/me/enterprises/").content.decode()
    letter_page = client.get(f"/me/enterprises/requests/{request.pk}/letter/")
    assert letter_page.status_code == 200 and b"".join(letter_page.streaming_content) == PDF_BYTES
    assert client.post(f"/me/enterprises/requests/{request.pk}/decide/", {"decision": "approve"}).status_code == 302
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by == firm["boss"]
    assert EnterpriseMembership.objects.get(user=newcomer, enterprise=firm["enterprise"]).may_authorise is False
    submitted_application(applicant=newcomer, matters=[legal], enterprise=firm["enterprise"])


def test_rejection_needs_a_reason_and_administrators_may_decide(firm):
    request = services.membership_request(user=UserFactory(), credit_code=firm["enterprise"].credit_code, note="")
    with pytest.raises(Invalid):
        services.membership_decide(request=request, by=firm["boss"], approve=False)
    admin = UserFactory(role=User.Role.ADMINISTRATOR)
    services.membership_decide(request=request, by=admin, approve=False, note="非本公司员工")
    request.refresh_from_db()
    assert request.state == "rejected" and not EnterpriseMembership.objects.filter(user=request.user).exists()
    with pytest.raises(Conflict):
        services.membership_decide(request=request, by=admin, approve=True)
    for outsider in (firm["staff"], ClerkFactory(), UserFactory(role=User.Role.SUPERVISOR)):
        fresh = services.membership_request(user=UserFactory(), credit_code=firm["enterprise"].credit_code)
        with pytest.raises(Forbidden):
            services.membership_decide(request=fresh, by=outsider, approve=True)


def test_requests_check_the_credit_code_and_the_requester(firm):
    user = UserFactory()
    with pytest.raises(Invalid) as bad:
        services.membership_request(user=user, credit_code="91441803MA0000000X")
    assert "credit_code" in bad.value.fields
    from tests.factories import valid_credit_code

    with pytest.raises(NotFound):
        services.membership_request(user=user, credit_code=valid_credit_code())
    with pytest.raises(Forbidden):
        services.membership_request(user=ClerkFactory(), credit_code=firm["enterprise"].credit_code)
    with pytest.raises(Conflict):
        services.membership_request(user=firm["staff"], credit_code=firm["enterprise"].credit_code)
    with pytest.raises(Invalid):
        services.membership_request(user=user, credit_code=firm["enterprise"].credit_code,
                                    letter=SimpleUploadedFile("a.txt", b"hello", content_type="text/plain"))
    assert not MembershipRequest.objects.exists()
