"""Issue 16: a delivered intermediary report reused as a material at a new application (the apply
page and the API) and at a 补正, offered only to the owner; the reviewer's card shows the source
and links the contract; the file is referred to, not copied; no query per reused material."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import Invalid
from market import services
from market.models import ReportUse
from tests.factories import ClerkFactory, EnterpriseFactory, ReviewerFactory, files_for, form_for, pdf_upload
from tests.market.conftest import member_of, post_demand
from workflow import services as workflow
from workflow.models import Application, Material

pytestmark = pytest.mark.django_db
D = dt.date


def deliver(owner_user, enterprise, item, matter, three, *, at):
    """A drawn contract for `item`, delivered on Fri Oct 9 2026."""
    at(D(2026, 9, 21))
    demand = post_demand(owner_user, item, enterprise=enterprise, matter=matter, deadline=D(2026, 9, 28))
    for intermediary, staff in three:
        services.bid_submit(user=staff, demand=demand, intermediary=intermediary, price_fen=3000_00, days=5)
    at(D(2026, 9, 29))
    contract = services.demand_select(user=owner_user, demand=demand)
    staff = next(s for i, s in three if i == contract.intermediary)
    at(D(2026, 10, 9))
    return services.contract_deliver(user=staff, contract=contract, upload=pdf_upload("测绘成果报告.pdf"))


@pytest.fixture
def delivered(calendar_2026, at, planning, owner, three):
    matter, item = planning
    enterprise, user = owner
    return deliver(user, enterprise, item, matter, three, at=at)


def fields(matter, user):
    return {f"field_{k}": v for k, v in form_for([matter], user).items()}


def _requirements(matter):
    return matter.materials.get(name="建设工程规划许可申请表"), matter.materials.get(name="测绘成果报告")


def test_the_apply_page_offers_the_owners_report_and_records_it(client, delivered, planning, owner, at):
    matter, _item = planning
    enterprise, user = owner
    form, survey = _requirements(matter)
    at(D(2026, 10, 12))
    client.force_login(user)
    url = reverse("portal:apply_matter", args=[matter.code])
    page = client.get(url).content.decode()
    assert "使用中介服务成果:测绘成果报告" in page and delivered.number in page
    assert f'name="report_{survey.pk}" value="{delivered.pk}"' in page
    assert f'name="report_{form.pk}" value="{delivered.pk}"' in page  # any material the applicant brings
    post = {**fields(matter, user), "enterprise": str(enterprise.pk), f"report_{survey.pk}": str(delivered.pk),
            f"material_{form.pk}": pdf_upload("申请表.pdf")}
    response = client.post(url, post)
    assert response.status_code == 302
    application = Application.objects.get(applicant=user)
    material = application.materials.get(requirement=survey)
    delivered.refresh_from_db()
    assert material.source == Material.Source.INTERMEDIARY and material.get_source_display() == "中介服务成果"
    assert material.trust_level == "B"
    assert (material.reference, material.sha256, material.size) == (
        delivered.number, delivered.report_sha256, delivered.report_size)
    assert material.file.name == delivered.report.name  # referred to, not copied
    assert ReportUse.objects.get(material=material).contract == delivered
    # the reviewer's card: the source, the contract number linking the contract, the file
    workflow.application_accept(application=application, clerk=ClerkFactory(window__category="legal"))
    subcase = application.subcases.get()
    reviewer = ReviewerFactory(department=matter.department)
    client.force_login(reviewer)
    card = client.get(reverse("portal:subcase", args=[subcase.number])).content.decode()
    contract_url = reverse("market:contract", args=[delivered.number])
    assert "中介服务成果" in card and f'href="{contract_url}"' in card
    assert client.get(contract_url).status_code == 200
    assert client.get(reverse("api-application-material", args=[application.number, material.pk])).status_code == 200
    client.force_login(ReviewerFactory())  # another department's reviewer does not see the contract
    assert client.get(contract_url).status_code == 404


def test_another_owners_report_is_refused_and_nothing_written(client, delivered, planning, at):
    matter, _item = planning
    _form, survey = _requirements(matter)
    at(D(2026, 10, 12))
    other = EnterpriseFactory(name="清远市清新区温泉旅游酒店管理有限公司")
    stranger = member_of(other)
    client.force_login(stranger)
    url = reverse("portal:apply_matter", args=[matter.code])
    assert "使用中介服务成果" not in client.get(url).content.decode()  # not offered
    post = {**fields(matter, stranger), "enterprise": str(other.pk), f"report_{survey.pk}": str(delivered.pk),
            **files_for([matter])}
    response = client.post(url, post)
    assert response.status_code == 400
    assert "只能使用本人或本单位作为项目业主、已交付的需要该项服务的成果" in response.content.decode()
    assert not Application.objects.exists() and not ReportUse.objects.exists()


def test_the_api_takes_a_report_and_refuses_another_owners(delivered, planning, owner, at):
    matter, _item = planning
    enterprise, user = owner
    form, survey = _requirements(matter)
    at(D(2026, 10, 12))
    api = APIClient()
    stranger = member_of(EnterpriseFactory(name="清远市清新区浸潭清远鸡养殖专业合作社"))
    api.force_authenticate(stranger)
    refused = api.post("/api/applications/", format="multipart", data={
        "matters": matter.code, "enterprise": stranger.enterprises.get().credit_code,
        "form_data": json.dumps(form_for([matter], stranger)), "reports": json.dumps({survey.pk: delivered.pk}),
        f"material_{form.pk}": pdf_upload()})
    assert refused.status_code == 400 and "中介服务成果" in json.dumps(refused.json(), ensure_ascii=False)
    assert not Application.objects.exists()
    bad = api.post("/api/applications/", format="json", data={"matters": [matter.code], "form_data": {},
                                                               "reports": ["x"]})
    assert bad.status_code == 400
    api.force_authenticate(user)
    answer = api.post("/api/applications/", format="multipart", data={
        "matters": matter.code, "enterprise": enterprise.credit_code,
        "form_data": json.dumps(form_for([matter], user)), "reports": json.dumps({survey.pk: delivered.pk}),
        f"material_{form.pk}": pdf_upload()})
    assert answer.status_code == 201, answer.json()
    material = Material.objects.get(requirement=survey)
    assert material.source == "intermediary" and material.reference == delivered.number


def test_a_supplement_reuses_the_report(client, delivered, planning, owner, at):
    matter, _item = planning
    enterprise, user = owner
    form, survey = _requirements(matter)
    at(D(2026, 10, 12))
    application = workflow.application_submit(submission=workflow.Submission(
        applicant=user, enterprise=enterprise, matters=[matter], form_data=form_for([matter], user),
        files={f"material_{form.pk}": pdf_upload(), f"material_{survey.pk}": pdf_upload("自绘草图.pdf")}))
    workflow.application_request_supplement(application=application, clerk=ClerkFactory(window__category="legal"),
                                            items=[{"material": "测绘成果报告", "reason": "须由具备资质的测绘单位出具"}])
    client.force_login(user)
    page = client.get(reverse("portal:application", args=[application.number])).content.decode()
    assert f'name="report_{survey.pk}" value="{delivered.pk}"' in page
    # another enterprise's member cannot use it on her own application (the service refuses)
    other_user = member_of(EnterpriseFactory(name="清远市清新区太和古洞农家菜餐饮有限公司"))
    with pytest.raises(Invalid) as refused:
        workflow.application_submit(submission=workflow.Submission(
            applicant=other_user, enterprise=other_user.enterprises.get(), matters=[matter],
            form_data=form_for([matter], other_user), files=files_for([matter]), reports={survey.pk: delivered.pk}))
    assert "只能使用本人或本单位" in refused.value.fields[f"material_{survey.pk}"][0]
    assert Application.objects.count() == 1
    response = client.post(reverse("portal:application_resubmit", args=[application.number]),
                           {**fields(matter, user), f"report_{survey.pk}": str(delivered.pk)})
    assert response.status_code == 302
    current = application.materials.get(requirement=survey, replaced_by__isnull=True)
    assert current.source == Material.Source.INTERMEDIARY and current.sha256 == delivered.report_sha256
    assert current.replaced.get().original_name == "自绘草图.pdf"  # the earlier upload is its history
    assert Application.objects.get(pk=application.pk).state == Application.State.SUBMITTED


def test_reused_reports_cost_no_query_per_material(calendar_2026, at, planning, owner, three):
    """Two reports for two materials cost as many queries as one (looked up once per submission)."""
    matter, item = planning
    enterprise, user = owner
    first = deliver(user, enterprise, item, matter, three, at=at)
    second = deliver(user, enterprise, item, matter, three, at=at)
    form, survey = _requirements(matter)
    at(D(2026, 10, 12))

    def submit(reports, files):
        with CaptureQueriesContext(connection) as queries:
            workflow.application_submit(submission=workflow.Submission(
                applicant=user, enterprise=enterprise, matters=[matter], form_data=form_for([matter], user),
                files=files, reports=reports))
        return len(queries)

    one = submit({survey.pk: first.pk}, {f"material_{form.pk}": pdf_upload()})
    two = submit({survey.pk: first.pk, form.pk: second.pk}, {})
    assert two <= one
    assert ReportUse.objects.count() == 3


def test_the_api_resubmission_takes_a_report(delivered, planning, owner, at):
    matter, _item = planning
    enterprise, user = owner
    form, survey = _requirements(matter)
    at(D(2026, 10, 12))
    application = workflow.application_submit(submission=workflow.Submission(
        applicant=user, enterprise=enterprise, matters=[matter], form_data=form_for([matter], user),
        files={f"material_{form.pk}": pdf_upload()}))
    workflow.application_request_supplement(application=application, clerk=ClerkFactory(window__category="legal"),
                                            items=[{"material": "测绘成果报告", "reason": "未提交"}])
    api = APIClient()
    api.force_authenticate(user)
    bad = api.post(f"/api/applications/{application.number}/resubmit/", {"reports": "[1]"}, format="multipart")
    assert bad.status_code == 400 and Application.objects.get(pk=application.pk).state == "supplement_requested"
    answer = api.post(f"/api/applications/{application.number}/resubmit/",
                      {"reports": json.dumps({survey.pk: delivered.pk})}, format="multipart")
    assert answer.status_code == 200, answer.json()
    material = application.materials.get(requirement=survey, replaced_by__isnull=True)
    assert (material.source, material.reference, material.trust_level) == ("intermediary", delivered.number, "B")
