"""Each electronic licence is signed by its issuing department's Ed25519 key; the public
verification page checks the signature: a licence whose stored content (digest) was changed after
issue is refused as tampered, one issued before signing is shown as unsigned."""

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from exchange import licence_signing
from exchange.models import ElectronicLicence, IssuerKey

from .test_licences import calendar, licence  # noqa: F401 - that module's fixtures: the seeded calendar, one issued licence

pytestmark = pytest.mark.django_db


def test_a_licence_is_signed_by_its_departments_key_and_the_page_checks_it(client, licence):  # noqa: F811
    key = licence.signing_key
    assert key is not None and key.department_id == licence.department_id and key.algorithm == "Ed25519"
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
    public.verify(base64.b64decode(licence.signature), licence.digest.encode())  # raises when it does not hold
    assert licence_signing.verify(licence) is True
    assert licence_signing.issuer_key(licence.department) == key  # the department keeps one key
    assert "PRIVATE" not in key.public_key and key.private_key != key.public_key
    assert len(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)) == 32

    page = client.get("/licences/verify/", {"number": licence.number, "code": licence.verification_code})
    html = page.content.decode()
    assert page.status_code == 200 and "电子签名有效" in html and key.key_id in html and key.public_key in html

    # the stored digest changed (and the printed code with it): the signature no longer holds
    forged = "f" * 64
    ElectronicLicence.objects.filter(pk=licence.pk).update(digest=forged)
    tampered = ElectronicLicence.objects.get(pk=licence.pk)
    assert licence_signing.verify(tampered) is False
    page = client.get("/licences/verify/", {"number": licence.number, "code": tampered.verification_code})
    assert page.status_code == 409 and "电子签名核验未通过" in page.content.decode()
    assert "电子签名有效" not in page.content.decode()

    # a licence issued before signing: shown as such, checked by its code alone
    ElectronicLicence.objects.filter(pk=licence.pk).update(digest=licence.digest, signature="", signing_key=None)
    page = client.get("/licences/verify/", {"number": licence.number, "code": licence.verification_code})
    assert page.status_code == 200 and "未签名" in page.content.decode()
    assert IssuerKey.objects.count() == 1
