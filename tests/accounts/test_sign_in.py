"""Issue 12 A: sign-in holds — lockout after 5 failures per account and per client (behind the
proxy too), tokens that expire, differ per sign-in, die at sign-out and are stored hashed, idle
timeouts, TOTP for staff (with the requirement on), password rules, sign-up and claim that do
not tell whether someone is registered and are rate-limited."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import User
from accounts.security import SEEN_KEY
from portal.demo import totp as demo_totp
from tests.factories import PASSWORD, ClerkFactory, SupervisorFactory, UserFactory, valid_id_number
from windows.services import walk_in_receive

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/auth/token/"


def post_login(client, username, password, addr="198.51.100.1", xff=None, otp_token=None):
    data = {"username": username, "password": password}
    if otp_token is not None:
        data["otp_token"] = otp_token
    headers = {"HTTP_X_FORWARDED_FOR": xff} if xff else {}
    return client.post(LOGIN, data, REMOTE_ADDR=addr, **headers)


# --- lockout -------------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    user = UserFactory()
    statuses = [post_login(client, user.username, "wrong-Pass1", addr=f"198.51.100.{n + 1}").status_code
                for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks at once
    locked = post_login(client, user.username, PASSWORD, addr="198.51.100.99")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_from_one_client_lock_that_client_for_other_accounts(client):
    victims = [UserFactory() for _ in range(5)]
    for victim in victims:
        post_login(client, victim.username, "wrong-Pass1", addr="203.0.113.5")
    fresh = UserFactory()
    assert post_login(client, fresh.username, PASSWORD, addr="203.0.113.5").status_code == 429
    assert post_login(client, fresh.username, PASSWORD, addr="203.0.113.6").status_code == 302


def test_behind_the_proxy_clients_are_told_apart_and_cannot_pick_their_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for n in range(5):  # a guesser at 198.51.100.7, through our proxy
        post_login(client, f"nobody{n}", "wrong-Pass1", addr="10.0.0.2", xff="198.51.100.7")
    neighbour = UserFactory()
    through_proxy = {"addr": "10.0.0.2", "xff": "198.51.100.8"}
    assert post_login(client, neighbour.username, PASSWORD, **through_proxy).status_code == 302
    client.logout()
    guesser = {"addr": "10.0.0.2", "xff": "198.51.100.7"}
    assert post_login(client, neighbour.username, PASSWORD, **guesser).status_code == 429
    # straight to gunicorn with a made-up X-Forwarded-For: the header is not believed
    for n in range(5):
        post_login(client, f"other{n}", "wrong-Pass1", addr="203.0.113.50", xff=f"192.0.2.{n}")
    assert post_login(client, neighbour.username, PASSWORD, addr="203.0.113.50",
                      xff="192.0.2.200").status_code == 429


def test_the_token_endpoint_locks_out_too_with_the_api_error_shape():
    api = APIClient(REMOTE_ADDR="198.51.100.20")
    user = UserFactory()
    for _ in range(4):
        response = api.post(TOKEN, {"username": user.username, "password": "wrong-Pass1"}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    assert api.post(TOKEN, {"username": user.username, "password": "wrong-Pass1"}, format="json").status_code == 429
    response = api.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json() == {"code": "locked_out", "message": response.json()["message"], "fields": {}}
    assert "登录失败次数过多" in response.json()["message"]


# --- tokens --------------------------------------------------------------------------------------

def test_tokens_differ_per_sign_in_are_stored_hashed_expire_and_die_at_sign_out():
    user = UserFactory()
    api = APIClient()
    first = api.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json").json()
    second = api.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json").json()
    assert first["token"] != second["token"] and first["expiry"]
    stored = list(AuthToken.objects.filter(user=user).values_list("digest", "token_key"))
    assert len(stored) == 2 and all(first["token"] not in (digest, key) for digest, key in stored)

    api.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert api.get("/api/accounts/me/").json()["username"] == user.username
    assert api.post("/api/auth/logout/").status_code == 204
    gone = api.get("/api/accounts/me/")
    assert gone.status_code == 401 and gone.json()["code"] == "authentication_failed"

    api.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")
    assert api.get("/api/accounts/me/").status_code == 200  # the other sign-in is unaffected
    AuthToken.objects.filter(user=user).update(expiry="2020-01-01T00:00:00Z")
    assert api.get("/api/accounts/me/").status_code == 401


# --- idle timeout --------------------------------------------------------------------------------

def _idle(client, minutes):
    session = client.session
    session[SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_staff_sessions_end_after_30_idle_minutes_citizens_later(client):
    clerk = ClerkFactory()
    client.force_login(clerk)
    assert client.get("/hall/").status_code == 200
    _idle(client, 29)
    assert client.get("/hall/").status_code == 200
    _idle(client, 31)
    ended = client.get("/hall/")
    assert ended.status_code == 302 and ended["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session

    citizen = UserFactory()
    client.force_login(citizen)
    client.get("/applications/")
    _idle(client, 31)
    assert client.get("/applications/").status_code == 200


def test_shared_hall_computers_end_sessions_after_15_idle_minutes(client, settings):
    settings.HALL_NETWORKS = ["10.20.0.0/16"]
    citizen = UserFactory()
    client.force_login(citizen)
    client.get("/applications/", REMOTE_ADDR="10.20.3.4")
    _idle(client, 16)
    assert client.get("/applications/", REMOTE_ADDR="10.20.3.4").status_code == 302


# --- TOTP for staff (requirement on) ------------------------------------------------------------

@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True


def code_for(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def test_staff_need_their_totp_code_citizens_do_not(client, otp_on):
    clerk = ClerkFactory()
    device = TOTPDevice.objects.create(user=clerk, name="手机", confirmed=True)
    refused = post_login(client, clerk.username, PASSWORD)
    assert refused.status_code == 200 and "动态口令" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert post_login(client, clerk.username, PASSWORD, otp_token=code_for(device)).status_code == 302
    assert client.get("/hall/").status_code == 200

    client.logout()
    wrong = post_login(client, clerk.username, PASSWORD, otp_token=code_for(device, offset=-3600))
    assert "_auth_user_id" not in client.session and "口令不正确" in wrong.content.decode()
    citizen = UserFactory()
    assert post_login(client, citizen.username, PASSWORD).status_code == 302


def test_a_staff_session_without_the_second_factor_is_ended(client, otp_on):
    supervisor = SupervisorFactory()
    client.force_login(supervisor)  # as if signed in some other way, without a code
    response = client.get("/supervision/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(client, otp_on):
    clerk = ClerkFactory()
    device = TOTPDevice.objects.create(user=clerk, name="手机", confirmed=True)
    bad = "000000" if code_for(device) != "000000" else "111111"
    for n in range(5):
        post_login(client, clerk.username, PASSWORD, addr=f"198.51.100.{30 + n}", otp_token=bad)
    assert post_login(client, clerk.username, PASSWORD, addr="198.51.100.60",
                      otp_token=code_for(device)).status_code == 429


def test_the_token_endpoint_asks_staff_for_their_code(otp_on):
    clerk = ClerkFactory()
    device = TOTPDevice.objects.create(user=clerk, name="手机", confirmed=True)
    api = APIClient()
    refused = api.post(TOKEN, {"username": clerk.username, "password": PASSWORD}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "otp_required"
    granted = api.post(TOKEN, {"username": clerk.username, "password": PASSWORD, "otp_token": code_for(device)},
                       format="json")
    assert granted.status_code == 200 and granted.json()["token"]


def test_the_admin_sign_in_is_the_portals_own(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_demo_staff_sign_in_with_the_code_demo_totp_prints(client, otp_on, capsys):
    clerk = ClerkFactory(username="clerk_demo")
    demo_totp.enrol(clerk)
    call_command("demo_totp", "clerk_demo")
    code = capsys.readouterr().out.split("当前动态口令: ")[1][:6]
    assert post_login(client, "clerk_demo", PASSWORD, otp_token=code).status_code == 302


# --- passwords (GB/T 22239 level 3) --------------------------------------------------------------

@pytest.mark.parametrize("password", [
    "Tongban1", "Tongban@2026", "zhangsan1", "Zhangsan1!", "Password123!", "12345678", "abcdefgh", "Abcdefgh",
    "Qwerty123", "Ab1!", "ZHANGSAN88", "wangxiaoming1",
])
def test_weak_passwords_are_refused(password):
    user = User(username="wangxiaoming", real_name="王小明")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.parametrize("password", ["Kx7#mq2Lp", "lu7!Hqz3w", "Demo#7Kq2m"])
def test_strong_passwords_pass(password):
    validate_password(password, User(username="wangxiaoming", real_name="王小明"))


def test_sign_up_refuses_tongban1_with_a_chinese_reason():
    response = APIClient().post("/api/accounts/signup/", {
        "username": "newcomer", "password": "Tongban1", "real_name": "陈新", "id_number": valid_id_number("19900101"),
        "phone": "13800138001"}, format="json")
    assert response.status_code == 400 and "password" in response.json()["fields"]


# --- sign-up and claim do not tell whether someone is registered ---------------------------------

def test_sign_up_answers_alike_for_registered_online_and_at_a_window():
    online = UserFactory()
    window = walk_in_register_person()
    answers = []
    for person in (online, window):
        response = APIClient().post("/api/accounts/signup/", {
            "username": f"x{person.pk}", "password": "Kx7#mq2Lp", "real_name": person.real_name,
            "id_number": person.id_number, "phone": "13800138002"}, format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][1]["code"] == "id_number_unavailable"


def walk_in_register_person():
    user = User(username=f"id{valid_id_number('19800202')}", real_name="林秀", id_number=valid_id_number("19800202"),
                phone="13800138003", role=User.Role.PUBLIC)
    user.set_unusable_password()
    user.save()
    return user


def test_sign_up_attempts_on_taken_numbers_are_rate_limited(client):
    taken = UserFactory()
    statuses = []
    for n in range(6):
        response = client.post("/accounts/signup/", {
            "real_name": taken.real_name, "id_number": taken.id_number, "phone": "13800138004",
            "username": f"probe{n}", "password1": "Kx7#mq2Lp", "password2": "Kx7#mq2Lp"}, REMOTE_ADDR="198.51.100.77")
        statuses.append(response.status_code)
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    assert "尝试次数过多" in response.content.decode()


def test_any_address_is_limited_to_20_sign_up_attempts_a_quarter_hour():
    api = APIClient(REMOTE_ADDR="198.51.100.88")
    codes = [api.post("/api/accounts/signup/", {"username": f"u{n}", "password": "x", "real_name": "陈新",
                                                 "id_number": valid_id_number(), "phone": ""}, format="json").status_code
             for n in range(21)]
    assert codes[:20] == [400] * 20 and codes[20] == 429


_ = walk_in_receive  # the window's own registration is tested in tests/windows
