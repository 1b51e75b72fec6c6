"""A department system fetches the files of its sub-cases' materials from the portal: a signed GET
(`/api/exchange/materials/<id>/file/`, docs/exchange-protocol.md), served only for a material of a
sub-case of that department pushed to its own system while the case is not withdrawn (404
otherwise, whatever the reason), each download logged. The reference department system (a real
process) fetches each file named in a pushed message, checks its SHA-256 and shows it."""

import time
import urllib.error
import urllib.request

import pytest

from exchange import relay, signing
from exchange.models import DepartmentKey, DepartmentSystem, MaterialDownload, OutboxMessage, RefusedRequest
from tests.factories import DepartmentFactory, MatterFactory, accepted_application
from workflow import services, tasks
from workflow.calendar_store import seed_calendar

from .conftest import DEPARTMENT_CODE, SECRET


@pytest.fixture(autouse=True)
def _calendar(transactional_db):
    seed_calendar(years=[2026])


def _dispatched(system):
    application = accepted_application(matters=[MatterFactory(department=system.department, name="食品经营许可")])
    tasks.dispatch_subcases(application.pk)
    return application, application.subcases.get(), application.materials.exclude(file="").get()


def _delivered():
    relay.relay_due()
    return not OutboxMessage.objects.exclude(status=OutboxMessage.Status.DELIVERED).exists()


def _get(base: str, path: str, *, department=DEPARTMENT_CODE, key_id="k1", secret=SECRET, now=None, nonce=None):
    """(status, body, error code) of a signed GET to the live portal."""
    headers = signing.sign_headers(department=department, key_id=key_id, secret=secret, method="GET", path=path,
                                   body=b"", now=now, nonce=nonce)
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=10) as response:
            return response.status, response.read(), ""
    except urllib.error.HTTPError as error:
        import json

        return error.code, b"", json.loads(error.read() or b"{}").get("code", "")


def _bytes(material) -> bytes:
    with material.file.open("rb") as f:
        return f.read()


def test_the_department_system_fetches_checks_keeps_and_shows_each_file(own_system, portal_refsys):
    application, subcase, material = _dispatched(own_system)
    [message] = OutboxMessage.objects.all()
    path = f"/api/exchange/materials/{material.pk}/file/"
    assert message.body["version"] == 2
    [named] = [m for m in message.body["subcase"]["materials"] if m.get("download")]
    assert named == {"name": material.name, "source": "upload", "sha256": material.sha256, "reference": "",
                     "size": material.size, "download": path}

    portal_refsys.wait_until(_delivered, what="delivery")
    [kept] = portal_refsys.wait_until(lambda: [f for f in portal_refsys.files(subcase.number) if f["state"] == "ok"],
                                      what="the file fetched")
    assert portal_refsys.file_bytes(kept["id"]) == _bytes(material)  # the same bytes, in its own store
    assert (kept["name"], kept["size"], kept["sha256"]) == (material.name, material.size, material.sha256)
    page = portal_refsys.page()
    assert f"{material.name}</a>({material.size} 字节,摘要一致)" in page

    [logged] = MaterialDownload.objects.all()
    assert (logged.department, logged.key_id, logged.case_ref, logged.material_id, logged.sha256, logged.size) == (
        own_system.department, "k1", subcase.number, material.pk, material.sha256, material.size)
    assert logged.at is not None


def test_a_file_whose_bytes_changed_is_shown_as_a_digest_mismatch(own_system, portal_refsys):
    application, subcase, material = _dispatched(own_system)
    with open(material.file.path, "wb") as f:  # the stored file changed after the message named its digest
        f.write(b"%PDF-1.4 not the file the applicant handed in")
    portal_refsys.wait_until(_delivered, what="delivery")
    [kept] = portal_refsys.wait_until(lambda: [f for f in portal_refsys.files(subcase.number)
                                               if f["state"] != "pending"], what="the file fetched")
    assert kept["state"] == "mismatch" and kept["sha256"] != material.sha256 == kept["expected"]
    assert "摘要不符" in portal_refsys.page()
    assert MaterialDownload.objects.get().sha256 == kept["sha256"]  # the log holds what was served


def test_another_department_a_wrong_id_or_a_back_office_subcase_get_the_same_404(own_system, live_server):
    application, subcase, material = _dispatched(own_system)
    other = DepartmentSystem.objects.create(department=DepartmentFactory(code="QXZJJ"), name="住建审批系统",
                                            base_url="http://127.0.0.1:9", active=True)
    DepartmentKey.objects.create(system=other, key_id="k1", secret="other-secret")
    path = f"/api/exchange/materials/{material.pk}/file/"
    assert _get(live_server.url, path, department="QXZJJ", secret="other-secret") == (404, b"", "not_found")
    assert _get(live_server.url, f"/api/exchange/materials/{material.pk + 1000}/file/") == (404, b"", "not_found")
    # a sub-case decided in the portal's back office (dispatched before its department had a system of
    # its own) is never served, even to that department
    DepartmentSystem.objects.filter(pk=other.pk).update(active=False)
    back_office = accepted_application(matters=[MatterFactory(department=other.department)])
    tasks.dispatch_subcases(back_office.pk)
    DepartmentSystem.objects.filter(pk=other.pk).update(active=True)
    theirs = back_office.materials.exclude(file="").get()
    assert _get(live_server.url, f"/api/exchange/materials/{theirs.pk}/file/", department="QXZJJ",
                secret="other-secret") == (404, b"", "not_found")
    assert not MaterialDownload.objects.exists()
    status, data, _code = _get(live_server.url, path)  # its own department's key
    assert (status, data) == (200, _bytes(material))


def test_forged_stale_and_replayed_requests_are_refused_and_logged(own_system, live_server):
    application, subcase, material = _dispatched(own_system)
    path = f"/api/exchange/materials/{material.pk}/file/"
    assert _get(live_server.url, path, secret="not-the-key") == (401, b"", "bad_signature")
    assert _get(live_server.url, path, key_id="k7") == (401, b"", "unknown_key")
    assert _get(live_server.url, path, now=time.time() - 400) == (401, b"", "stale_timestamp")
    assert _get(live_server.url, path, nonce="cd" * 16)[0] == 200
    assert _get(live_server.url, path, nonce="cd" * 16) == (409, b"", "replayed_nonce")
    refused = list(RefusedRequest.objects.order_by("at", "pk").values_list("code", "path", "method"))
    assert refused == [(code, path, "GET") for code in ("bad_signature", "unknown_key", "stale_timestamp",
                                                         "replayed_nonce")]
    assert MaterialDownload.objects.count() == 1


def test_a_withdrawn_cases_files_are_refused(own_system, portal_refsys, live_server):
    application, subcase, material = _dispatched(own_system)
    services.application_withdraw(application=application, applicant=application.applicant, reason="不再需要")
    portal_refsys.wait_until(_delivered, what="dispatch and withdrawal delivered")
    [kept] = portal_refsys.wait_until(lambda: [f for f in portal_refsys.files(subcase.number)
                                               if f["state"] != "pending"], what="the fetch answered")
    assert (kept["state"], kept["error"]) == ("refused", "404 not_found")
    assert "下载被拒" in portal_refsys.page()
    assert _get(live_server.url, f"/api/exchange/materials/{material.pk}/file/") == (404, b"", "not_found")
    assert not MaterialDownload.objects.exists()
