"""The reference department system over real sockets: it takes signed sub-cases once, refuses
what is not signed by a key it holds, and can be told to be slow, to fail or to be down."""

import time
import urllib.error
import urllib.request
import uuid

import pytest

from exchange import signing


def _dispatch(number="QX2026-000001-01"):
    return {"message_id": uuid.uuid4().hex, "kind": "subcase.dispatch", "department": "QXSCJGJ",
            "subcase": {"number": number, "matter": {"code": "M1", "name": "食品经营许可"},
                        "applicant": {"name": "陈晓明"}, "deadline": "2026-12-31"}}


def test_a_signed_subcase_is_received_once_and_listed(refsys):
    message = _dispatch()
    status, answer = refsys.call("POST", "/api/subcases/", message)
    assert (status, answer["ack"], answer["duplicate"]) == (201, message["message_id"], False)
    status, answer = refsys.call("POST", "/api/subcases/", message)  # delivered again (a retry)
    assert (status, answer["duplicate"]) == (200, True)
    stats = refsys.stats()
    assert (stats["received_messages"], stats["received_posts"], stats["subcases_twice"]) == (1, 2, 0)
    status, listed = refsys.call("GET", "/api/subcases/")
    assert [r["case_ref"] for r in listed["received"]] == ["QX2026-000001-01"]
    page = urllib.request.urlopen(refsys.url + "/").read().decode()
    assert "QX2026-000001-01" in page and "食品经营许可" in page and "待审批" in page


@pytest.mark.parametrize(("headers", "code"), [
    ({signing.H_SIGNATURE: "0" * 64}, "bad_signature"),
    ({signing.H_KEY: "k9"}, "unknown_key"),
    ({signing.H_TIMESTAMP: str(int(time.time()) - 3600)}, "bad_signature"),  # changed after signing
])
def test_forged_requests_are_refused(refsys, headers, code):
    status, answer = refsys.call("POST", "/api/subcases/", _dispatch(), headers=headers)
    assert (status, answer["code"]) == (401, code)
    assert refsys.stats()["received_messages"] == 0


def test_stale_and_replayed_requests_are_refused(refsys):
    body = b'{"message_id": "m1", "kind": "subcase.dispatch", "subcase": {"number": "X-01"}}'
    stale = signing.sign_headers(department="QXSCJGJ", key_id="k1", secret="reference-secret-one", method="POST",
                                 path="/api/subcases/", body=body, now=time.time() - 301)
    status, answer = refsys.call("POST", "/api/subcases/", raw=body, headers=stale)
    assert (status, answer["code"]) == (401, "stale_timestamp")
    fresh = signing.sign_headers(department="QXSCJGJ", key_id="k1", secret="reference-secret-one", method="POST",
                                 path="/api/subcases/", body=body)
    assert refsys.call("POST", "/api/subcases/", raw=body, headers=fresh)[0] == 201
    status, answer = refsys.call("POST", "/api/subcases/", raw=body, headers=fresh)  # the same request again
    assert (status, answer["code"]) == (409, "replayed_nonce")


def test_operator_decisions_wait_for_the_portal(refsys):
    refsys.call("POST", "/api/subcases/", _dispatch("QX2026-000002-01"))
    decision = refsys.decide("QX2026-000002-01", "approve", reason="符合条件", licence={"name": "食品经营许可证"})
    status, listed = refsys.call("GET", "/api/decisions/")
    [listed_one] = listed["decisions"]
    assert listed_one["message_id"] == decision["message_id"] and listed_one["licence"]["name"] == "食品经营许可证"
    assert listed_one["sent"] is False  # the portal here is unreachable: it stays to be sent
    with pytest.raises(urllib.error.HTTPError) as unknown:
        refsys.decide("QX2099-000000-01", "approve")
    assert unknown.value.code == 404


def test_slow_failing_and_down(refsys):
    refsys.control(fail=2, fail_status=503)
    assert refsys.call("GET", "/api/subcases/")[1]["code"] == "unavailable"
    assert refsys.call("GET", "/api/subcases/")[0] == 503
    assert refsys.call("GET", "/api/subcases/")[0] == 200
    refsys.control(down_for=1.5)
    refsys.wait_until(lambda: _refused(refsys.url), what="port closed")
    refsys.wait_until(lambda: not _refused(refsys.url), what="port open again")
    assert refsys.call("GET", "/api/subcases/")[0] == 200


def test_stopped_and_started_again_it_keeps_what_it_received(refsys):
    refsys.call("POST", "/api/subcases/", _dispatch("QX2026-000003-01"))
    port = refsys.port
    refsys.stop()
    assert _refused(f"http://127.0.0.1:{port}")
    refsys.start()
    assert refsys.port == port and refsys.stats()["received_messages"] == 1


def _refused(url) -> bool:
    try:
        urllib.request.urlopen(url + "/_control/", timeout=2).read()
    except urllib.error.URLError as error:
        return isinstance(error.reason, ConnectionRefusedError)
    except ConnectionResetError:  # caught while the port was closing: neither up nor down yet
        return False
    return False
