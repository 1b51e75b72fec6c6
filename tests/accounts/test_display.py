"""适老化 (issue 13): the large-print, high-contrast display (大字版) is one button away on every
page, follows the person who chose it to any device they sign in on, and before sign-in is the
device's own choice."""

import re

import pytest
from django.test import Client

from accounts.display import COOKIE
from accounts.models import Display, User
from tests.factories import ClerkFactory, UserFactory, password_sign_in

pytestmark = pytest.mark.django_db

CHOOSE = "/accounts/display/"


def html_classes(response) -> list[str]:
    return re.search(r'<html class="([^"]*)"', response.content.decode()).group(1).split()


def test_every_page_offers_the_switch_and_standard_is_the_default(client):
    response = client.get("/guide/")
    assert "large-print" not in html_classes(response)
    page = response.content.decode()
    assert 'action="/accounts/display/"' in page and 'value="large"' in page and 'aria-pressed="false"' in page


def test_a_visitor_switches_and_the_device_remembers_it(client):
    response = client.post(CHOOSE, {"mode": "large", "next": "/guide/"})
    assert response.status_code == 302 and response["Location"] == "/guide/"
    assert response.cookies[COOKIE].value == "large"
    page = client.get("/guide/")
    assert "large-print" in html_classes(page)
    assert 'value="standard"' in page.content.decode() and 'aria-pressed="true"' in page.content.decode()
    client.post(CHOOSE, {"mode": "standard", "next": "/guide/"})
    assert "large-print" not in html_classes(client.get("/guide/"))


def test_a_persons_choice_follows_them_to_another_device():
    person = UserFactory()
    phone = Client()
    assert password_sign_in(phone, person.username)
    phone.post(CHOOSE, {"mode": "large", "next": "/"})
    person.refresh_from_db()
    assert person.display == Display.LARGE

    terminal = Client()  # a hall computer that never chose
    assert "large-print" not in html_classes(terminal.get("/"))
    assert password_sign_in(terminal, person.username)
    assert "large-print" in html_classes(terminal.get("/applications/"))


def test_the_persons_own_choice_wins_over_the_devices():
    neighbour = UserFactory(display=Display.STANDARD)
    shared = Client()
    shared.post(CHOOSE, {"mode": "large", "next": "/"})  # the previous visitor's choice
    assert "large-print" in html_classes(shared.get("/"))
    assert password_sign_in(shared, neighbour.username)
    assert "large-print" not in html_classes(shared.get("/applications/"))


def test_someone_who_never_chose_keeps_the_devices_choice_when_signing_in():
    person = UserFactory()
    device = Client()
    device.post(CHOOSE, {"mode": "large", "next": "/"})
    assert password_sign_in(device, person.username)
    assert "large-print" in html_classes(device.get("/applications/"))
    person.refresh_from_db()
    assert person.display == ""  # a device's choice is not written into the account


def test_staff_pages_have_it_too(client):
    clerk = ClerkFactory(display=Display.LARGE)
    client.force_login(clerk)
    assert "large-print" in html_classes(client.get("/hall/"))


def test_an_unknown_choice_is_refused_with_a_message_and_changes_nothing(client):
    person = UserFactory()
    assert password_sign_in(client, person.username)
    response = client.post(CHOOSE, {"mode": "huge", "next": "/applications/"}, follow=True)
    assert "无法识别的页面显示方式。" in response.content.decode()
    assert COOKIE not in response.cookies and COOKIE not in client.cookies
    assert User.objects.get(pk=person.pk).display == ""
    assert "large-print" not in html_classes(response)


def test_the_way_back_never_leaves_the_site(client):
    response = client.post(CHOOSE, {"mode": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get(CHOOSE).status_code == 405
