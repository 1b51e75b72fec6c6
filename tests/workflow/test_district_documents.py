"""Issue 15, the names on documents: what belongs to a case names its issuer's district (a 清城区
department's decision, its licence, the verification pages), a window document the issuing hall's,
what no one issues the application district's service centre; the site's own chrome names the
deployment's area (settings.PORTAL_AREA_NAME)."""

import datetime as dt
import io

import pytest
from django.test import override_settings
from pypdf import PdfReader

from exchange.models import ElectronicLicence
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    LicenceTypeFactory,
    MatterFactory,
    ReviewerFactory,
    WindowFactory,
    qingcheng_town,
    submitted_application,
    walk_in_application,
)
from workflow import documents, services, tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_10_november_2026")]


def pdf_text(file) -> str:
    with file.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages).replace("\n", "")


def qingcheng_matter():
    town = qingcheng_town()
    department = DepartmentFactory(region=town, name="清远市清城区市场监督管理局")
    return MatterFactory(department=department, issues_licence=True, result_name="食品经营许可证",
                         licence_type=LicenceTypeFactory(name="食品经营许可证"))


@pytest.fixture
def approved():
    """A 清城区 matter received at a 清新区 hall (同城通办) and approved by its department."""
    clerk = ClerkFactory(window=WindowFactory(hall=HallFactory(name="清新区太和镇便民服务中心")))
    application = walk_in_application(clerk=clerk, matters=[qingcheng_matter()])
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                            approve=True, reason="")
    subcase.refresh_from_db()
    return application, subcase


def test_a_qingcheng_decision_names_qingcheng_and_the_hall_document_the_hall_district(approved):
    application, subcase = approved
    approval = documents.generate_notice(application=application, kind="approval", subcase=subcase)
    text = pdf_text(approval.file)
    assert "本文书由清城区一门式一网式政务服务平台生成" in text and "清新区" not in text
    assert "清远市清城区市场监督管理局" in text

    acceptance = documents.generate_notice(application=application, kind="acceptance")
    text = pdf_text(acceptance.file)  # issued by the 清新区 hall that received it
    assert "清新区太和镇便民服务中心" in text and "本文书由清新区一门式一网式政务服务平台生成" in text


def test_the_verification_page_names_the_issuer_district(client, approved):
    application, subcase = approved
    approval = documents.generate_notice(application=application, kind="approval", subcase=subcase)
    page = client.get("/verify/", {"code": approval.digest[:16]}).content.decode()
    assert "核验通过:该文书由清城区一门式一网式政务服务平台出具" in page


def test_the_licence_names_the_issuing_district(client, approved):
    application, subcase = approved
    tasks.issue_licence(subcase.pk)
    licence = ElectronicLicence.objects.get()
    assert licence.number.startswith("DZZZ-441802-2026-")
    text = pdf_text(licence.file)
    assert "本证照由清城区电子证照库签发" in text and "清新区" not in text
    page = client.get("/licences/verify/", {"number": licence.number, "code": licence.verification_code})
    assert "核验通过:该电子证照由清城区签发,当前有效。" in page.content.decode()


def test_a_deemed_acceptance_is_issued_by_the_application_district_centre():
    application = submitted_application(matters=[qingcheng_matter()])
    services.deem_overdue_applications_accepted(today=application.pre_review_due + dt.timedelta(days=1))
    application.refresh_from_db()
    text = pdf_text(documents.generate_notice(application=application, kind="acceptance").file)
    assert "清远市清城区综合政务服务中心" in text and "本文书由清城区一门式一网式政务服务平台生成" in text


def test_the_site_chrome_names_the_deployment_area(client):
    page = client.get("/").content.decode()
    assert "<title>清新区一门式一网式政务服务平台</title>" in page.replace("\n", "")
    assert "主办:清远市清新区人民政府" in page
    with override_settings(PORTAL_AREA_NAME="清远市", PORTAL_AREA_FULL_NAME="清远市"):
        page = client.get("/").content.decode()
    assert "清远市一门式一网式政务服务平台" in page and "清远市各部门政务服务事项" in page
    assert "主办:清远市人民政府 · 承办:清远市政务服务中心" in page and "清新区" not in page
