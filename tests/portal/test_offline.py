"""The installable mobile hall: a manifest with icons that exist, a service worker served from the
root with its scope allowed, registered only for a signed-in citizen away from the hall's shared
computers."""

import json

import pytest
from django.contrib.staticfiles import finders

from tests.factories import ClerkFactory, UserFactory

pytestmark = pytest.mark.django_db
FLAG = 'data-service-worker="/sw.js"'


def test_the_manifest_names_the_portal_and_icons_that_exist(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "通办" and manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]
    assert 'rel="manifest" href="/manifest.webmanifest"' in client.get("/").content.decode()


def test_the_worker_is_served_from_the_root_and_keeps_only_progress_pages(client):
    response = client.get("/sw.js")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/" and "no-cache" in response["Cache-Control"]
    assert 'new RegExp("^/applications/[^/]+/$")' in body and 'new RegExp("^/licences/$")' in body
    assert "/static/css/portal.css" in body and '"/offline/"' in body
    assert "{%" not in body and "&quot;" not in body
    offline = client.get("/offline/")
    assert offline.status_code == 200 and "当前无法连接网络" in offline.content.decode()


def test_only_a_citizen_away_from_the_hall_gets_the_worker(client, settings):
    settings.HALL_NETWORKS = ["10.20.0.0/16"]
    assert FLAG not in client.get("/").content.decode()  # anonymous: pages say to remove it
    citizen = UserFactory()
    client.force_login(citizen)
    assert FLAG in client.get("/applications/").content.decode()
    assert FLAG not in client.get("/applications/", REMOTE_ADDR="10.20.3.4").content.decode()  # a shared computer
    client.force_login(ClerkFactory())
    assert FLAG not in client.get("/hall/").content.decode()
