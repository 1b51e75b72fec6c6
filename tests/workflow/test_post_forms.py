"""The case pages' POSTs parsed by Django forms (workflow.forms): for each page a bad post shows
a Chinese message, keeps what was typed and changes nothing; a good post does what it says."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from matters.models import MaterialRequirement
from tests.factories import (
    ClerkFactory,
    EnterpriseFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    accepted_application,
    files_for,
    form_for,
    submitted_application,
)
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Material, SubCase, SubCaseExtension, SupplementRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])


def _alert(response) -> str:
    html = response.content.decode()
    return (
        html.split('class="alert alert-error"', 1)[1].split("</div>", 1)[0]
        if 'class="alert alert-error"' in html
        else ""
    )


def _apply_body(matter, citizen, **extra):
    return {
        **{f"field_{k}": v for k, v in form_for([matter], citizen).items()},
        **files_for([matter]),
        "idempotency_key": "0" * 32,
        **extra,
    }


# --- the apply page: enterprise, on_behalf, delivery, idempotency key ---------------------------


def test_apply_page_refuses_a_forged_authorisation_and_keeps_what_was_typed(client):
    citizen = UserFactory()
    matter = MatterFactory()
    client.force_login(citizen)
    body = _apply_body(
        matter,
        citizen,
        on_behalf="abc",
        delivery_method="post",
        post_recipient="陈志明",
        post_address="清新区太和镇玄真路8号",
    )
    response = client.post(f"/apply/matter/{matter.code}/", body)
    assert response.status_code == 400
    assert "代为申请的授权无效" in _alert(response)
    page = response.content.decode()
    assert 'value="陈志明"' in page and "清新区太和镇玄真路8号" in page
    assert not Application.objects.exists()


def test_apply_page_refuses_an_unknown_delivery_method(client):
    citizen = UserFactory()
    matter = MatterFactory()
    client.force_login(citizen)
    response = client.post(f"/apply/matter/{matter.code}/", _apply_body(matter, citizen, delivery_method="drone"))
    assert response.status_code == 400 and "请选择结果领取方式" in _alert(response)
    assert not Application.objects.exists()


def test_apply_page_refuses_a_forged_enterprise_then_takes_the_right_one(client):
    citizen = UserFactory()
    company = EnterpriseFactory(staff=[citizen])
    matter = MatterFactory(target="legal")
    client.force_login(citizen)
    bad = client.post(f"/apply/matter/{matter.code}/", _apply_body(matter, citizen, enterprise="x1"))
    assert bad.status_code == 400 and "请选择办事企业" in _alert(bad)
    assert not Application.objects.exists()
    other = EnterpriseFactory()  # an enterprise the citizen does not work for: the service's refusal
    refused = client.post(f"/apply/matter/{matter.code}/", _apply_body(matter, citizen, enterprise=str(other.pk)))
    assert refused.status_code == 400 and "请选择办事企业" in _alert(refused)
    assert not Application.objects.exists()
    good = client.post(f"/apply/matter/{matter.code}/", _apply_body(matter, citizen, enterprise=str(company.pk)))
    assert good.status_code == 302
    assert Application.objects.get().enterprise == company


def test_apply_page_with_a_forged_key_still_submits_once_per_key(client):
    citizen = UserFactory()
    matter = MatterFactory()
    client.force_login(citizen)
    assert (
        client.post(f"/apply/matter/{matter.code}/", _apply_body(matter, citizen, idempotency_key="x")).status_code
        == 302
    )
    key = "1" * 32
    for _ in range(2):
        assert (
            client.post(f"/apply/matter/{matter.code}/", _apply_body(matter, citizen, idempotency_key=key)).status_code
            == 302
        )
    assert Application.objects.count() == 2


# --- the clerk's pages --------------------------------------------------------------------------


def test_one_time_notice_refuses_a_material_not_listed_and_a_long_note(client):
    application = submitted_application()
    form_pk = application.matters.get().materials.get(name="申请表").pk
    client.force_login(ClerkFactory())
    url = f"/applications/{application.number}/supplement/"
    forged = client.post(url, {"material": ["999999"], "note": "请补齐"})
    assert forged.status_code == 400 and "不在本办件的材料清单中" in _alert(forged)
    long = client.post(
        url,
        {
            "material": [str(form_pk)],
            f"reason_{form_pk}": "未签字",
            "note": "长" * 1001,
            "extra_material": "申请表第三栏",
            "extra_reason": "填写有误",
        },
    )
    assert long.status_code == 400 and "告知说明不超过1000个字" in _alert(long)
    page = long.content.decode()
    assert 'value="未签字"' in page and 'value="申请表第三栏"' in page and 'value="填写有误"' in page
    assert not SupplementRequest.objects.exists()
    assert Application.objects.get(pk=application.pk).state == Application.State.SUBMITTED

    good = client.post(
        url,
        {
            "material": [str(form_pk)],
            f"reason_{form_pk}": " 未签字 ",
            "note": "请补齐",
            "extra_material": "申请表第三栏",
            "extra_reason": "填写有误",
        },
    )
    assert good.status_code == 302
    notice = SupplementRequest.objects.get()
    assert notice.items == [
        {"material": "申请表", "reason": "未签字"},
        {"material": "申请表第三栏", "reason": "填写有误"},
    ]
    assert notice.note == "请补齐"
    assert Application.objects.get(pk=application.pk).state == Application.State.SUPPLEMENT_REQUESTED


def _deferrable_application():
    matter = MatterFactory(
        materials=[
            {"name": "申请表", "source": MaterialRequirement.Source.APPLICANT},
            {
                "name": "场地平面图",
                "source": MaterialRequirement.Source.APPLICANT,
                "deferrable": True,
                "required": False,
            },
        ]
    )
    citizen = UserFactory()
    form = matter.materials.get(name="申请表")
    application = services.application_submit(
        submission=services.Submission(
            applicant=citizen,
            matters=[matter],
            form_data=form_for([matter], citizen),
            files={f"material_{form.pk}": files_for([matter])[f"material_{form.pk}"]},
        )
    )
    return application, matter.materials.get(name="场地平面图")


def test_deferred_acceptance_refuses_a_bad_date_and_keeps_the_ticks(client):
    application, plan = _deferrable_application()
    client.force_login(ClerkFactory())
    url = f"/applications/{application.number}/accept/"
    bad = client.post(url, {"deferred": [str(plan.pk)], "deferred_until": "下周五"})
    assert bad.status_code == 400 and "请按“年-月-日”填写补交期限" in _alert(bad)
    page = bad.content.decode()
    assert re.search(rf'name="deferred" value="{plan.pk}" checked', page) and 'value="下周五"' in page
    forged = client.post(url, {"deferred": ["1;DROP"], "deferred_until": "2099-01-01"})
    assert forged.status_code == 400 and "所选项目无效" in _alert(forged)
    assert Application.objects.get(pk=application.pk).state == Application.State.SUBMITTED

    due = timezone.localdate() + dt.timedelta(days=7)
    good = client.post(url, {"deferred": [str(plan.pk)], "deferred_until": due.isoformat()})
    assert good.status_code == 302
    assert Application.objects.get(pk=application.pk).state in (Application.State.ACCEPTED, Application.State.IN_REVIEW)
    placeholder = application.materials.get(name="场地平面图")
    assert placeholder.is_outstanding and placeholder.due_on == due


def test_window_supplement_refuses_forged_ids_and_takes_the_checked_originals(client):
    application = submitted_application()
    requirement = application.matters.get().materials.get(name="申请表")
    clerk = ClerkFactory()
    services.application_request_supplement(
        application=application, clerk=clerk, items=[{"material": "申请表", "reason": "未签字"}]
    )
    client.force_login(clerk)
    url = f"/applications/{application.number}/supplement-at-window/"
    bad = client.post(url, {"received": [str(requirement.pk), "x"]})
    assert bad.status_code == 400 and "所选项目无效" in _alert(bad)
    assert re.search(rf'name="received" value="{requirement.pk}" checked', bad.content.decode())
    assert Application.objects.get(pk=application.pk).state == Application.State.SUPPLEMENT_REQUESTED
    assert not application.materials.filter(source=Material.Source.WINDOW).exists()

    good = client.post(url, {"received": [str(requirement.pk)]})
    assert good.status_code == 302
    assert Application.objects.get(pk=application.pk).state == Application.State.SUBMITTED
    assert application.materials.filter(name="申请表", source=Material.Source.WINDOW).exists()


def test_delivery_change_refuses_an_unknown_method(client):
    citizen = UserFactory()
    application = submitted_application(applicant=citizen)
    client.force_login(citizen)
    bad = client.post(f"/applications/{application.number}/delivery/", {"delivery_method": "drone"})
    assert bad.status_code == 400 and "请选择结果领取方式" in _alert(bad)
    assert Application.objects.get(pk=application.pk).delivery_method == "hall"
    good = client.post(
        f"/applications/{application.number}/delivery/",
        {
            "delivery_method": "post",
            "post_recipient": "陈志明",
            "post_phone": "13912345678",
            "post_address": "清新区太和镇玄真路8号",
        },
    )
    assert good.status_code == 302
    assert Application.objects.get(pk=application.pk).post_recipient == "陈志明"


# --- the department's sub-case page --------------------------------------------------------------


def test_subcase_decision_refuses_an_unknown_choice_and_keeps_the_reason(client):
    subcase = accepted_application().subcases.get()
    client.force_login(ReviewerFactory(department=subcase.department))
    url = f"/review/{subcase.number}/decide/"
    bad = client.post(url, {"decision": "maybe", "reason": "材料真实有效"})
    assert bad.status_code == 400 and "请选择准予许可或不予许可" in _alert(bad)
    assert "材料真实有效" in bad.content.decode()
    assert SubCase.objects.get(pk=subcase.pk).state == subcase.state
    good = client.post(url, {"decision": "approve", "reason": ""})
    assert good.status_code == 302
    assert SubCase.objects.get(pk=subcase.pk).state == SubCase.State.APPROVED


def test_subcase_clock_refuses_an_unknown_action_and_a_bad_number_of_days(client):
    subcase = accepted_application().subcases.get()
    client.force_login(ReviewerFactory(department=subcase.department))
    url = f"/review/{subcase.number}/clock/"
    unknown = client.post(url, {"action": "skip_deadline"})
    assert unknown.status_code == 400 and "不支持的操作" in _alert(unknown)
    words = client.post(url, {"action": "extend", "days": "五", "reason": "需补充现场核查"})
    assert words.status_code == 400 and "延长期限为1至10个工作日" in _alert(words)
    assert not SubCaseExtension.objects.exists()
    good = client.post(url, {"action": "extend", "days": "3", "reason": "需补充现场核查"})
    assert good.status_code == 302
    assert SubCaseExtension.objects.get().days == 3


def test_refusal_and_withdrawal_refuse_a_reason_longer_than_the_page_allows(client):
    application = submitted_application()
    client.force_login(ClerkFactory())
    long = client.post(f"/applications/{application.number}/refuse/", {"reason": "依" * 1001})
    assert long.status_code == 400 and "理由不超过1000个字" in _alert(long)
    assert "依" * 1001 in long.content.decode()
    assert Application.objects.get(pk=application.pk).state == Application.State.SUBMITTED
    good = client.post(f"/applications/{application.number}/refuse/", {"reason": "不属于本机关职权范围,依法不予受理"})
    assert good.status_code == 302
    assert Application.objects.get(pk=application.pk).state == Application.State.NOT_ACCEPTED

    mine = submitted_application()
    client.force_login(mine.applicant)
    long = client.post(f"/applications/{mine.number}/withdraw/", {"reason": "撤" * 501})
    assert long.status_code == 400 and "理由不超过500个字" in _alert(long)
    assert Application.objects.get(pk=mine.pk).state == Application.State.SUBMITTED
    good = client.post(f"/applications/{mine.number}/withdraw/", {"reason": "材料准备有误"})
    assert good.status_code == 302
    assert Application.objects.get(pk=mine.pk).state == Application.State.WITHDRAWN


# --- 出件, 邮寄送达 and the revocation of a 委托 -----------------------------------------------------


def _ready(delivery=None):
    from tests.factories import HallFactory
    from tests.workflow.test_delivery import bring_to_ready, delivery_clerk

    hall = HallFactory()
    citizen = UserFactory()
    application = bring_to_ready(
        submitted_application(applicant=citizen, **({"delivery": delivery} if delivery else {})),
        clerk=ClerkFactory(window__hall=hall),
    )
    return application, delivery_clerk(hall), citizen


def test_posting_keeps_what_was_typed_and_refuses_a_carrier_longer_than_the_page(client):
    from tests.workflow.test_delivery import POST

    application, window, _citizen = _ready(POST)
    client.force_login(window)
    url = f"/applications/{application.number}/post/"
    long = client.post(url, {"carrier": "邮" * 33, "tracking_number": "SF14000123"})
    assert long.status_code == 400 and "请填写寄递企业(不超过32个字)" in _alert(long)
    bad = client.post(url, {"carrier": "顺丰速运", "tracking_number": "SF-1"})
    html = bad.content.decode()
    assert bad.status_code == 400 and "邮寄信息有误" in _alert(bad)
    assert 'value="顺丰速运"' in html and 'value="SF-1"' in html
    assert Application.objects.get(pk=application.pk).state == Application.State.RESULT_READY
    good = client.post(url, {"carrier": "顺丰速运", "tracking_number": "SF1400012345678"})
    assert good.status_code == 302 and good["Location"] == f"/applications/{application.number}/"
    assert Application.objects.get(pk=application.pk).post_tracking_number == "SF1400012345678"


def test_delivering_at_the_window_checks_the_id_number(client):
    application, window, citizen = _ready()
    client.force_login(window)
    url = f"/applications/{application.number}/deliver/"
    long = client.post(url, {"id_number": citizen.id_number + "0"})
    assert long.status_code == 400 and "身份证号码为18位" in _alert(long)
    wrong = client.post(url, {"id_number": "110101199001011234", "from": "delivery"})
    assert wrong.status_code == 302 and wrong["Location"] == "/hall/delivery/"
    assert Application.objects.get(pk=application.pk).state == Application.State.RESULT_READY
    good = client.post(url, {"id_number": citizen.id_number.lower(), "from": "delivery"})
    assert good.status_code == 302 and good["Location"] == "/hall/delivery/"
    assert Application.objects.get(pk=application.pk).state == Application.State.DELIVERED


def test_revoking_an_authorisation_refuses_a_reason_longer_than_the_box(client):
    from accounts.models import AgentAuthorisation
    from tests.factories import agent_for

    principal = UserFactory()
    grant = agent_for(principal, [MatterFactory()], starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2099, 12, 31))
    client.force_login(principal)
    url = f"/me/agents/{grant.pk}/revoke/"
    long = client.post(url, {"reason": "撤" * 201})
    assert long.status_code == 400 and "理由不超过200个字" in _alert(long)
    assert "撤" * 201 in long.content.decode()
    assert AgentAuthorisation.objects.get(pk=grant.pk).revoked_at is None
    good = client.post(url, {"reason": "已办完"})
    assert good.status_code == 302
    grant = AgentAuthorisation.objects.get(pk=grant.pk)
    assert grant.revoked_at is not None and grant.revoke_reason == "已办完"
