"""Issue 17: a licence's holder comes from the licence type, not from the applicant. The 出生医学证明
names the newborn (name and birth date from the form; no ID number yet), the parent who applied is
the guardian: it is on the parent's 我的证照, the PDF and the verification page name the newborn,
and the parent's later applications still take it from the store (免提交)."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from pypdf import PdfReader
from rest_framework.test import APIClient

from exchange import services as exchange_services
from exchange.models import ElectronicLicence, LicenceType
from matters.models import MaterialRequirement
from tests.factories import (
    ClerkFactory,
    LicenceTypeFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    files_for,
    submitted_application,
)
from workflow import services, tasks
from workflow.calendar_store import seed_calendar
from workflow.models import Material

pytestmark = pytest.mark.django_db
LICENCE = MaterialRequirement.Source.LICENCE


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])
    cache.clear()


def pdf_text(licence) -> str:
    with licence.file.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages).replace("\n", "")


def birth_certificate_matter(**kwargs):
    kind = LicenceTypeFactory(name="出生医学证明", holder_kind=LicenceType.HolderKind.FORM_PERSON,
                              holder_fields={"name": "baby_name", "birth_date": "baby_birth_date"})
    return MatterFactory(
        name="出生医学证明首次签发", issues_licence=True, result_name="出生医学证明", licence_type=kind,
        materials=[{"name": "分娩记录", "source": MaterialRequirement.Source.APPLICANT}],
        fields=[{"key": "baby_name", "label": "新生儿姓名"},
                {"key": "baby_birth_date", "label": "新生儿出生日期", "type": "date"},
                {"key": "mother_name", "label": "母亲姓名"}], **kwargs)


def issue(matter, parent, form):
    application = services.application_submit(submission=services.Submission(
        applicant=parent, matters=[matter], form_data=form, files=files_for([matter])))
    application = services.application_accept(application=application, clerk=ClerkFactory())
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                            approve=True, reason="")
    tasks.issue_licence(subcase.pk)
    return ElectronicLicence.objects.filter(case_ref=subcase.number).first()


@pytest.fixture
def parent():
    return UserFactory(real_name="王丽华")


@pytest.fixture
def certificate(parent):
    return issue(birth_certificate_matter(), parent,
                 {"baby_name": "陈思远", "baby_birth_date": "2026-11-20", "mother_name": "王丽华"})


def test_the_birth_certificate_names_the_newborn_not_the_parent(certificate, parent):
    assert (certificate.holder_name, certificate.holder_birth_date) == ("陈思远", dt.date(2026, 11, 20))
    assert certificate.holder_id_number == "" and certificate.holder_id_masked == ""
    assert certificate.holder_user is None and certificate.holder_enterprise is None
    assert (certificate.guardian_user, certificate.guardian_name, certificate.guardian_id_number) == (
        parent, "王丽华", parent.id_number)
    text = pdf_text(certificate)
    assert "陈思远" in text and "2026年11月20日" in text and "王**" in text
    assert "王丽华" not in text and parent.id_number not in text


def test_the_parent_sees_it_on_my_licences_as_guardian_and_downloads_it(client, certificate, parent):
    client.force_login(parent)
    page = client.get("/licences/").content.decode()
    assert "陈思远" in page and "2026-11-20 出生" in page and "本人为监护人" in page and certificate.number in page
    api = APIClient()
    api.force_authenticate(parent)
    assert [row["number"] for row in api.get("/api/licences/").json()["results"]] == [certificate.number]
    assert api.get(f"/api/licences/{certificate.number}/file/").status_code == 200
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.get(f"/api/licences/{certificate.number}/file/").status_code == 404
    assert stranger.get("/api/licences/").json()["results"] == []


def test_the_verification_page_names_the_newborn_with_the_birth_date(client, certificate):
    html = client.get("/licences/verify/", {"number": certificate.number,
                                            "code": certificate.verification_code}).content.decode()
    assert "陈**" in html and "2026年11月20日" in html and "监护人" in html and "王**" in html
    assert "<dt>证件号码</dt>" not in html and "陈思远" not in html
    body = APIClient().get("/api/licences/verify/", {"number": certificate.number,
                                                    "code": certificate.verification_code}).json()
    assert (body["holder"], body["holder_id"], body["holder_birth_date"], body["guardian"]) == (
        "陈**", "", "2026-11-20", "王**")


def test_the_guardian_still_gets_it_without_submitting_it(certificate, parent):
    """出生登记 by the parent: the 出生医学证明 comes from the store (免提交), as before."""
    registration = MatterFactory(name="出生登记", materials=[{"name": "出生医学证明", "source": LICENCE}])
    later = submitted_application(applicant=parent, matters=[registration])
    material = later.materials.get(name="出生医学证明")
    assert material.source == Material.Source.LICENCE
    assert (material.reference, material.sha256) == (certificate.number, certificate.sha256)
    other = submitted_application(applicant=UserFactory(), matters=[registration])
    assert other.materials.get(name="出生医学证明").reference == ""
    assert exchange_services.valid_licence_for(holder_id_number=parent.id_number, name="出生医学证明") == certificate


def test_the_guardian_gets_it_through_a_mapped_licence_source_too(certificate, parent, client):
    """The apply page's 免提交 (a requirement mapped to an e-licence, exchange.exemptions)."""
    from django.urls import reverse

    from exchange.models import MaterialSource

    registration = MatterFactory(name="出生登记", materials=[{"name": "出生医学证明", "source": LICENCE}])
    MaterialSource.objects.create(requirement=registration.materials.get(), kind="licence", licence_name="出生医学证明")
    client.force_login(parent)
    page = client.get(reverse("portal:apply_matter", args=[registration.code])).content.decode()
    assert "已获取(免提交)" in page and certificate.number in page
    client.force_login(UserFactory())
    assert "电子证照库中没有您有效的“出生医学证明”" in client.get(
        reverse("portal:apply_matter", args=[registration.code])).content.decode()


def test_an_ordinary_licence_still_names_the_applicant(parent):
    licence = issue(MatterFactory(issues_licence=True, result_name="食品经营许可证"), parent,
                    {"applicant_name": "王丽华", "contact_phone": "13912345678"})
    assert (licence.holder_name, licence.holder_user, licence.holder_id_number) == ("王丽华", parent, parent.id_number)
    assert licence.guardian_user is None and licence.holder_birth_date is None


def test_no_licence_to_the_wrong_person_when_the_form_names_nobody(parent):
    matter = birth_certificate_matter()
    matter.fields.filter(key="baby_name").update(required=False)
    assert issue(matter, parent, {"baby_name": "", "baby_birth_date": "2026-11-20", "mother_name": "王丽华"}) is None


def test_the_licence_type_must_say_where_the_holder_is_in_the_form():
    kind = LicenceType(name="出生医学证明", code="LOCAL-0001", holder_kind=LicenceType.HolderKind.FORM_PERSON,
                       holder_fields={})
    with pytest.raises(ValidationError) as refused:
        kind.clean()
    assert "holder_fields" in refused.value.message_dict
    kind.holder_fields = {"name": "baby_name", "birth_date": "baby_birth_date"}
    kind.clean()
