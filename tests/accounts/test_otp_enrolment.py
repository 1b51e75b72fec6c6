"""Staff bind their own authenticator (手机令牌) inside an enrolment an administrator opened:
without one they cannot sign in at all; with one, the password leads to a page with the secret,
and the first right code binds it and signs them in with the second factor."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import enrolment
from tests.accounts.test_sign_in import code_for, post_login
from tests.factories import PASSWORD, ClerkFactory, UserFactory

pytestmark = pytest.mark.django_db

ENROL = "/accounts/otp/enrol/"


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True


def wrong_code(device):
    return "000000" if code_for(device) != "000000" else "111111"


def test_staff_without_an_authenticator_cannot_sign_in_and_are_told_why(client, otp_on):
    clerk = ClerkFactory()
    response = post_login(client, clerk.username, PASSWORD)
    assert response.status_code == 200
    assert "尚未绑定手机令牌" in response.content.decode() and "联系系统管理员" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(ENROL).status_code == 302  # no enrolment begun in this session


def test_an_opened_enrolment_binds_the_phone_and_signs_in_with_the_second_factor(client, otp_on):
    clerk = ClerkFactory()
    old = TOTPDevice.objects.create(user=clerk, name="旧手机", confirmed=True)
    device = enrolment.open_enrolment(clerk)
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()  # the lost phone's device is void

    response = post_login(client, clerk.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == ENROL
    assert "_auth_user_id" not in client.session  # the password alone signs nobody in

    page = client.get(ENROL)
    body = page.content.decode()
    assert page.status_code == 200 and "绑定手机令牌" in body
    assert 'src="data:image/png;base64,' in body
    shown = re.search(r"data-otp-secret>([A-Z2-7 ]+)<", body).group(1).replace(" ", "")
    assert shown == enrolment.secret_text(device).replace(" ", "")

    wrong = client.post(ENROL, {"otp_token": wrong_code(device)})
    assert wrong.status_code == 400 and "口令不正确" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.post(ENROL, {"otp_token": "12a"}).status_code == 400

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):  # django-otp waits 1 s after a failure
        done = client.post(ENROL, {"otp_token": code_for(device)})
        assert done.status_code == 302
        assert client.get("/hall/").status_code == 200  # signed in and verified: the guard keeps the session
    device.refresh_from_db()
    assert device.confirmed and device.name == enrolment.DEVICE_NAME

    client.logout()
    assert "动态口令" in post_login(client, clerk.username, PASSWORD).content.decode()  # from now on the code is asked
    assert "_auth_user_id" not in client.session


def test_an_enrolment_closes_after_72_hours(client, otp_on):
    clerk = ClerkFactory()
    enrolment.open_enrolment(clerk)
    with time_machine.travel(timezone.now() + enrolment.WINDOW + dt.timedelta(minutes=1)):
        response = post_login(client, clerk.username, PASSWORD)
    assert response.status_code == 200 and "尚未绑定手机令牌" in response.content.decode()


def test_the_enrolment_page_expires_ten_minutes_after_the_password(client, otp_on):
    clerk = ClerkFactory()
    device = enrolment.open_enrolment(clerk)
    post_login(client, clerk.username, PASSWORD)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=enrolment.PENDING_MINUTES + 1)):
        late = client.post(ENROL, {"otp_token": code_for(device)})
    assert late.status_code == 302 and late["Location"].startswith("/accounts/login/")
    device.refresh_from_db()
    assert not device.confirmed


def test_wrong_codes_on_the_enrolment_page_lock_the_account(client, otp_on):
    clerk = ClerkFactory()
    device = enrolment.open_enrolment(clerk)
    post_login(client, clerk.username, PASSWORD)
    statuses = [client.post(ENROL, {"otp_token": wrong_code(device)}).status_code for _ in range(5)]
    assert statuses[-1] == 429
    assert client.post(ENROL, {"otp_token": code_for(device)}).status_code in (302, 429)
    device.refresh_from_db()
    assert not device.confirmed


def test_citizens_never_see_the_enrolment(client, otp_on):
    citizen = UserFactory()
    assert post_login(client, citizen.username, PASSWORD)["Location"] != ENROL


def test_the_administrator_opens_an_enrolment_from_the_user_list(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    clerk = ClerkFactory()
    TOTPDevice.objects.create(user=clerk, name="旧手机", confirmed=True)
    client.force_login(admin)
    response = client.post("/admin/accounts/user/", {"action": "open_otp_enrolment", "_selected_action": [clerk.pk]},
                           follow=True)
    assert "已为 1 个账号开通手机令牌绑定" in response.content.decode()
    assert list(TOTPDevice.objects.filter(user=clerk).values_list("confirmed", flat=True)) == [False]
    assert enrolment.pending_device(clerk) is not None

    clerk_client = client.__class__()
    clerk_client.force_login(clerk)
    refused = clerk_client.post("/admin/accounts/user/", {"action": "open_otp_enrolment",
                                                          "_selected_action": [admin.pk]})
    assert refused.status_code in (302, 403)
    assert not TOTPDevice.objects.filter(user=admin).exists()
