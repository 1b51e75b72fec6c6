"""Every notice (文书) is signed like a licence: Ed25519 over its content digest by the issuer's key —
the hall's for the window documents (acceptance, refusal, supplement), the department's for the
decisions, the service centre's when no hall is known. The public verification page checks the
signature: a notice whose stored content was changed is refused, one issued before notices were
signed says so."""

import base64
import datetime as dt
import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.cache import cache
from pypdf import PdfReader

from core.digests import format_code
from exchange import licence_signing
from exchange.models import IssuerKey
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, accepted_application, submitted_application
from workflow import documents, services
from workflow.calendar_store import seed_calendar
from workflow.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])
    cache.clear()  # the verification page counts failures in the cache


def _holds(notice: Notice) -> bool:
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(notice.signing_key.public_key))
    public.verify(base64.b64decode(notice.signature), notice.digest.encode())  # raises when it does not hold
    return True


def _pdf_text(notice: Notice) -> str:
    with notice.file.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages).replace("\n", "")


def test_window_notices_are_signed_by_the_hall_and_decisions_by_the_department():
    food = MatterFactory(name="食品经营许可")
    clerk = ClerkFactory()
    application = accepted_application(matters=[food], clerk=clerk)
    acceptance = documents.generate_notice(application=application, kind="acceptance")
    hall = application.accepted_hall
    assert acceptance.signing_key.hall == hall and acceptance.signing_key.department is None and _holds(acceptance)
    assert acceptance.signing_key.key_id.startswith(hall.code) and acceptance.signing_key.algorithm == "Ed25519"
    assert f"电子签名:Ed25519(密钥 {acceptance.signing_key.key_id})" in _pdf_text(acceptance)

    subcase = application.subcases.get()
    subcase = services.subcase_decide(
        subcase=subcase,
        reviewer=ReviewerFactory(department=food.department),
        approve=False,
        reason="经营场所与有毒、有害场所的距离不符合规定",
    )
    denial = documents.generate_notice(application=application, kind="denial", subcase=subcase)
    assert denial.signing_key.department == food.department and denial.signing_key.hall is None and _holds(denial)
    # one key per issuer, reused; the department's licences and notices share it
    assert licence_signing.issuer_key(food.department) == denial.signing_key
    assert licence_signing.issuer_key(hall=hall) == acceptance.signing_key
    second = accepted_application(matters=[food], clerk=clerk)
    assert second.accepted_hall == hall
    assert documents.generate_notice(application=second, kind="acceptance").signing_key == acceptance.signing_key
    assert licence_signing.verify(acceptance) is True and licence_signing.verify(denial) is True


def test_supplement_and_refusal_are_signed_by_the_clerks_hall_a_deemed_acceptance_by_the_centre():
    clerk = ClerkFactory()
    hall = clerk.seats.get().window.hall
    application = submitted_application()
    services.application_request_supplement(
        application=application, clerk=clerk, items=[{"material": "申请表", "reason": "未签名"}]
    )
    supplement = documents.generate_notice(application=application, kind="supplement")
    assert supplement.signing_key.hall == hall and _holds(supplement)
    refused = submitted_application()
    services.application_refuse(application=refused, clerk=clerk, reason="申请事项不属于本机关职权范围")
    refusal = documents.generate_notice(application=refused, kind="refusal")
    assert refusal.signing_key == supplement.signing_key and _holds(refusal)

    deemed = submitted_application()  # online, never seen by a clerk: issued by the centre itself
    services.deem_overdue_applications_accepted(today=deemed.pre_review_due + dt.timedelta(days=1))
    deemed.refresh_from_db()
    notice = documents.generate_notice(application=deemed, kind="acceptance")
    assert documents.centre_name("441803") in _pdf_text(notice)
    key = notice.signing_key
    assert key.hall is None and key.department is None and key.key_id.startswith("ZWFWZX-") and _holds(notice)


def test_the_verification_page_checks_the_signature(client):
    application = accepted_application(matters=[MatterFactory(name="食品经营许可")])
    notice = documents.generate_notice(application=application, kind="acceptance")
    code = format_code(notice.digest)
    page = client.get("/verify/", {"code": code})
    html = page.content.decode()
    assert page.status_code == 200 and "核验通过" in html and "电子签名有效" in html
    assert notice.signing_key.key_id in html and notice.signing_key.public_key in html

    # the stored content changed after issue (a forged digest, its printed code with it): refused
    forged = "0a" * 32
    Notice.objects.filter(pk=notice.pk).update(digest=forged)
    page = client.get("/verify/", {"code": format_code(forged)})
    html = page.content.decode()
    assert page.status_code == 409 and "电子签名核验未通过" in html and "核验通过" not in html
    assert application.number not in html  # nothing of the forged notice is shown

    # a signature copied from another notice does not hold either
    Notice.objects.filter(pk=notice.pk).update(digest=notice.digest)
    other = documents.generate_notice(application=accepted_application(), kind="acceptance")
    Notice.objects.filter(pk=notice.pk).update(signature=other.signature, signing_key=other.signing_key)
    assert client.get("/verify/", {"code": code}).status_code == 409

    # a notice issued before notices were signed: shown, and said to be unsigned
    Notice.objects.filter(pk=notice.pk).update(signature="", signing_key=None)
    page = client.get("/verify/", {"code": code})
    html = page.content.decode()
    assert page.status_code == 200 and "核验通过" in html and "未签名" in html and "电子签名有效" not in html
    assert "该文书出具于电子签名启用之前" in html


def test_a_key_belongs_to_one_issuer():
    application = accepted_application()
    with pytest.raises(ValueError):
        licence_signing.issuer_key(application.matters.get().department, hall=application.accepted_hall)
    assert IssuerKey.objects.count() == 0
