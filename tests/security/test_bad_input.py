"""Issue 12 A: bad input answers 400 in Chinese with the one error shape, never a 500 or a
traceback; the same Idempotency-Key with another body is refused with 422."""

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    PASSWORD,  # noqa: F401 (token clients sign in with it)
    MatterFactory,
    UserFactory,
    files_for,
    form_for,
)

pytestmark = pytest.mark.django_db


def token_client(user):
    client = APIClient()
    token = client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json").json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    return client


def assert_error_shape(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert isinstance(body["fields"], dict) and body["message"]
    assert "Traceback" not in response.content.decode()
    return body


@pytest.mark.parametrize("form_data", [True, "x", 1, [1, 2], None])
def test_form_data_that_is_not_an_object_is_a_400_in_chinese(form_data):
    citizen, matter = UserFactory(), MatterFactory()
    response = token_client(citizen).post("/api/applications/", {"matters": [matter.code], "form_data": form_data},
                                          format="json")
    body = assert_error_shape(response, 400)
    assert "form_data" in body["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


@pytest.mark.parametrize("payload", [True, "x", 1, [1, 2]])
def test_a_body_that_is_not_an_object_is_a_400(payload):
    citizen = UserFactory()
    assert_error_shape(token_client(citizen).post("/api/applications/", payload, format="json"), 400)


def test_multipart_form_data_that_is_not_an_object_is_a_400():
    citizen, matter = UserFactory(), MatterFactory()
    response = token_client(citizen).post("/api/applications/", {"matters": matter.code, "form_data": "true"},
                                          format="multipart")
    assert "form_data" in assert_error_shape(response, 400)["fields"]


@pytest.mark.parametrize("url", [
    "/api/complaints/?department=99999999999999999999999",
    "/api/applications/?department=99999999999999999999999",
    "/api/subcases/?department=99999999999999999999999",
    "/api/authorisations/99999999999999999999999/",
    "/api/cards/99999999999999999999999/",
    "/api/ratings/99999999999999999999999/",
])
def test_huge_integers_are_never_a_server_error(url):
    citizen = UserFactory()
    response = token_client(citizen).get(url)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert_error_shape(response, response.status_code)


def test_an_unknown_api_path_answers_the_error_shape():
    assert_error_shape(APIClient().get("/api/no-such-thing/"), 404)


def test_the_same_idempotency_key_with_another_body_is_refused_with_422():
    citizen, first_matter, second_matter = UserFactory(), MatterFactory(), MatterFactory()
    client = token_client(citizen)

    def submit(matter):
        payload = {"matters": matter.code, "form_data": json.dumps(form_for([matter], citizen)), **files_for([matter])}
        return client.post("/api/applications/", data=payload, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")

    first = submit(first_matter)
    assert first.status_code == 201
    again = submit(first_matter)  # an honest retry: a new multipart boundary, the same content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    other = submit(second_matter)
    body = assert_error_shape(other, 422)
    assert body["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("url", [
    "/api/ratings/?level=²", "/api/complaints/?department=²", "/api/followups/?department=١٢",
    "/api/authorisations/²/", "/api/cards/?after=99999999999999999999999",
])
def test_digits_that_are_not_ascii_integers_are_never_a_server_error(url):
    response = token_client(UserFactory()).get(url)
    assert response.status_code < 500, response.content


def test_small_int_accepts_only_ascii_digits_that_fit_a_bigint():
    from core.numbers import is_small_int, small_int

    assert small_int("42") == 42 and small_int(7) == 7
    assert small_int("²") is None and small_int("١٢") is None and small_int("9" * 19) is None
    assert not is_small_int("") and not is_small_int("-1") and not is_small_int(None)
