"""The electronic-licence store: issued once per approved sub-case in a worker, a PDF that states
holder and number, the public verification by number and code, revocation, delivery as 电子证照
closing the art. 44 clock, and 免提交 materials taken from the store."""

import datetime as dt
import io
from unittest import mock

import pytest
from celery import current_app
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from exchange import services as exchange_services
from exchange.models import ElectronicLicence
from supervision.cards.services import sweep_deadlines
from supervision.models import Card
from tests.factories import (
    ClerkFactory,
    EnterpriseFactory,
    LicenceTypeFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    accepted_application,
    submitted_application,
)
from workflow import services, tasks
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Material

pytestmark = pytest.mark.django_db
S = Application.State
D = dt.date


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])
    cache.clear()


def pdf_text(licence) -> str:
    with licence.file.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages).replace("\n", "")


def approve_all(application):
    services.dispatch_subcases(application_id=application.pk)
    for subcase in application.subcases.all():
        services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                                approve=True, reason="")
    return application.subcases.order_by("number")


def licence_matter(**kwargs):
    """A matter issuing licences of the type named as its result (made, or found by that name)."""
    name = kwargs.pop("result_name", "食品经营许可证")
    holder = "enterprise" if kwargs.get("target") == "legal" else "person"
    kwargs.setdefault("licence_type", LicenceTypeFactory(name=name, holder_kind=holder))
    return MatterFactory(issues_licence=True, result_name=name, **kwargs)


def test_approval_queues_the_licence_on_commit(django_capture_on_commit_callbacks):
    application = accepted_application(matters=[licence_matter(), MatterFactory()])
    services.dispatch_subcases(application_id=application.pk)
    with mock.patch.object(current_app, "send_task") as send:  # workflow.enqueue names its tasks
        with django_capture_on_commit_callbacks(execute=True):
            for subcase in application.subcases.order_by("number"):
                services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                                        approve=True, reason="")
    licensed = application.subcases.get(matter__issues_licence=True)
    issued = [c.kwargs["args"] for c in send.call_args_list if c.args[0] == "workflow.tasks.issue_licence"]
    assert issued == [(licensed.pk,)]  # only the matter that issues one


def test_licence_is_issued_once_even_if_the_task_runs_twice():
    citizen = UserFactory(real_name="陈志明")
    application = accepted_application(applicant=citizen, matters=[licence_matter()])
    subcase = approve_all(application).get()
    tasks.issue_licence(subcase.pk)
    tasks.issue_licence(subcase.pk)
    licence = ElectronicLicence.objects.get()
    assert licence.case_ref == subcase.number and licence.application_number == application.number
    assert licence.number.startswith(f"DZZZ-441803-{subcase.decided_on.year}-")
    assert licence.holder_user == citizen and licence.holder_id_masked == citizen.id_number[:4] + "*" * 10 + citizen.id_number[-4:]
    assert licence.name == "食品经营许可证" and licence.issued_on == subcase.decided_on and licence.valid_until is None
    assert application.log.filter(action="workflow.subcase.licence_issued").count() == 1

    text = pdf_text(licence)
    assert "陈志明" in text and licence.number in text and "食品经营许可证" in text
    assert licence.verification_code in text
    assert citizen.id_number not in text  # only the masked number is printed


def test_a_denied_or_unlicensed_sub_case_gets_no_licence():
    application = accepted_application(matters=[MatterFactory()])
    subcase = approve_all(application).get()
    tasks.issue_licence(subcase.pk)
    assert not ElectronicLicence.objects.exists()


def test_an_enterprise_holds_the_licence_of_its_application():
    staff = UserFactory()
    enterprise = EnterpriseFactory(staff=[staff], name="清远市清新区太和古洞农家菜餐饮有限公司")
    matter = licence_matter(target="legal")
    application = accepted_application(applicant=staff, matters=[matter], enterprise=enterprise,
                                       clerk=ClerkFactory(window__category="legal"))
    tasks.issue_licence(approve_all(application).get().pk)
    licence = ElectronicLicence.objects.get()
    assert licence.holder_enterprise == enterprise and licence.holder_id_number == enterprise.credit_code
    assert "清远市清新区太和古洞农家菜餐饮有限公司" in pdf_text(licence)
    client = APIClient()
    client.force_authenticate(staff)
    assert [row["number"] for row in client.get("/api/licences/").json()["results"]] == [licence.number]


@pytest.fixture
def licence():
    application = accepted_application(matters=[licence_matter()])
    tasks.issue_licence(approve_all(application).get().pk)
    return ElectronicLicence.objects.get()


def test_verification_page_by_number_and_code(client, licence):
    ok = client.get("/licences/verify/", {"number": licence.number, "code": licence.verification_code.lower()})
    html = ok.content.decode()
    assert ok.status_code == 200 and "核验通过" in html and licence.number in html and "食品经营许可证" in html
    assert licence.holder_name not in html  # masked: 李**

    wrong = client.get("/licences/verify/", {"number": licence.number, "code": "0000-0000-0000-0000"})
    assert wrong.status_code == 404 and "未查到" in wrong.content.decode()
    assert "食品经营许可证" not in wrong.content.decode()
    bad = client.get("/licences/verify/", {"number": licence.number, "code": "12"})
    assert bad.status_code == 400


def test_verification_json_and_revocation(licence):
    client = APIClient()
    answer = client.get("/api/licences/verify/", {"number": licence.number, "code": licence.verification_code})
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "valid" and body["number"] == licence.number and body["holder_id"] == licence.holder_id_masked
    wrong = client.get("/api/licences/verify/", {"number": licence.number, "code": "ffffffffffffffff"})
    assert wrong.status_code == 404 and set(wrong.json()) == {"code", "message", "fields"}

    exchange_services.licence_revoke(licence=licence, reason="经营场所已变更,原许可注销")
    body = client.get("/api/licences/verify/", {"number": licence.number, "code": licence.verification_code}).json()
    assert body["status"] == "revoked" and body["revocation_reason"] == "经营场所已变更,原许可注销"
    html = APIClient().get("/licences/verify/", {"number": licence.number, "code": licence.verification_code}).content
    assert "已注销" in html.decode()


def test_pdf_download_is_access_checked_like_materials(licence):
    holder = licence.holder_user
    url = f"/api/licences/{licence.number}/file/"
    for user, expected in [(None, 401), (UserFactory(), 404), (ClerkFactory(), 404),
                           (ReviewerFactory(), 404), (ReviewerFactory(department=licence.department), 200),
                           (holder, 200)]:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        response = client.get(url)
        assert response.status_code == expected, (user, response.status_code)
    client = APIClient()
    client.force_authenticate(holder)
    pdf = b"".join(client.get(url).streaming_content)
    assert pdf.startswith(b"%PDF") and exchange_services.hashlib.sha256(pdf).hexdigest() == licence.sha256


# --- delivery as 电子证照 ----------------------------------------------------------------------------


def ready(matters, *, applicant=None, delivery=None):
    application = accepted_application(applicant=applicant or UserFactory(), matters=matters,
                                       delivery=delivery or {"method": "electronic"})
    subcases = list(approve_all(application))
    return application, subcases


def test_electronic_delivery_waits_for_every_licence_then_delivers_without_a_clerk(client):
    citizen = UserFactory()
    application, (first, second) = ready([licence_matter(), licence_matter(result_name="排水许可证")],
                                         applicant=citizen)
    tasks.issue_licence(first.pk)  # before the result is ready
    with mock.patch("workflow.documents.generate_notice"):
        tasks.prepare_result(application.pk)
    application.refresh_from_db()
    assert application.state == S.RESULT_READY  # the second licence is still being made
    tasks.issue_licence(second.pk)
    application.refresh_from_db()
    assert application.state == S.DELIVERED and application.delivered_by is None
    entry = application.log.get(action="workflow.application.delivered_electronically")
    assert entry.actor is None and len(entry.data["licences"]) == 2

    client.force_login(citizen)
    page = client.get(f"/applications/{application.number}/").content.decode()
    assert "排水许可证" in page and "/api/licences/DZZZ-" in page
    mine = client.get("/licences/").content.decode()
    assert mine.count("DZZZ-441803-") >= 2


def test_choosing_electronic_after_the_licence_exists_delivers_at_once():
    citizen = UserFactory()
    application, (subcase,) = ready([licence_matter()], applicant=citizen, delivery={"method": "hall"})
    tasks.issue_licence(subcase.pk)
    with mock.patch("workflow.documents.generate_notice"):
        tasks.prepare_result(application.pk)
    assert Application.objects.get(pk=application.pk).state == S.RESULT_READY  # collected at a hall
    services.application_set_delivery(application=application, applicant=citizen, delivery={"method": "electronic"})
    assert Application.objects.get(pk=application.pk).state == S.DELIVERED


def test_delivery_card_closes_once_delivered_electronically(time_machine):
    def at(day):
        moment = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.get_current_timezone())
        time_machine.move_to(moment, tick=False)

    at(D(2026, 9, 28))
    application = accepted_application(matters=[licence_matter(promised_days=5)],
                                       delivery={"method": "electronic"})
    services.dispatch_subcases(application_id=application.pk)
    at(D(2026, 9, 29))
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department), approve=True,
                            reason="")
    with mock.patch("workflow.documents.generate_notice"):
        services.prepare_result(application_id=application.pk)
    sweep_deadlines(today=D(2026, 10, 20))  # licence due 2026-10-19, nothing issued yet
    assert list(Card.objects.filter(closed_at__isnull=True).values_list("trigger", "level")) == [("delivery", "red")]

    at(D(2026, 10, 20))
    tasks.issue_licence(subcase.pk)
    assert Application.objects.get(pk=application.pk).state == S.DELIVERED
    sweep_deadlines(today=D(2026, 10, 20))
    assert not Card.objects.filter(closed_at__isnull=True).exists()
    assert Card.objects.get().close_reason


def test_recover_stalled_finds_an_approved_sub_case_without_its_licence(time_machine):
    application = accepted_application(matters=[licence_matter()])
    subcase = approve_all(application).get()
    later = timezone.now() + dt.timedelta(minutes=10)
    time_machine.move_to(later, tick=False)
    assert services.stalled_application_ids()["licence"] == [subcase.pk]
    tasks.issue_licence(subcase.pk)
    assert services.stalled_application_ids()["licence"] == []


# --- 免提交: materials from the store ------------------------------------------------------------


def test_licence_materials_name_the_applicants_valid_licence():
    citizen = UserFactory()
    held = licence_matter(result_name="居民身份证")
    application = accepted_application(applicant=citizen, matters=[held])
    tasks.issue_licence(approve_all(application).get().pk)
    licence = ElectronicLicence.objects.get()

    later = submitted_application(applicant=citizen, matters=[MatterFactory()])  # needs 居民身份证 (免提交)
    material = later.materials.get(name="居民身份证")
    assert material.source == Material.Source.LICENCE
    assert (material.reference, material.sha256) == (licence.number, licence.sha256)

    exchange_services.licence_revoke(licence=licence, reason="证件遗失补办")
    again = submitted_application(applicant=citizen, matters=[MatterFactory()])
    assert again.materials.get(name="居民身份证").reference == ""  # a revoked licence is not used
    other = submitted_application(applicant=UserFactory(), matters=[MatterFactory()])
    assert other.materials.get(name="居民身份证").reference == ""


def test_electronic_delivery_of_a_denied_application_names_no_licence():
    application = accepted_application(matters=[licence_matter()], delivery={"method": "electronic"})
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department), approve=False,
                            reason="经现场核查,经营场所与生活区未有效分隔")
    assert application.subcases.get().licence_due is None  # denied: no licence clock
    with mock.patch("workflow.documents.generate_notice"):
        tasks.prepare_result(application.pk)
    application.refresh_from_db()
    assert application.state == S.DELIVERED and not ElectronicLicence.objects.exists()
    entry = application.log.get(action="workflow.application.delivered_electronically")
    assert entry.data == {"licences": []} and "无证照签发" in entry.note
