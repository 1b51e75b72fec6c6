"""A department that decides in its own system: its sub-cases go out through the outbox to the
reference department system (a real process), its signed decisions come back to the portal (a
live server) and apply through the workflow services, and the applicant sees the result."""

import datetime as dt
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from exchange import relay
from exchange.models import DepartmentSystem, ExchangeMessage, InboundMessage, OutboxMessage
from matters.models import MaterialRequirement
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    LicenceTypeFactory,
    MatterFactory,
    UserFactory,
    accepted_application,
    files_for,
    form_for,
)
from workflow import services, tasks
from workflow.calendar_store import seed_calendar
from workflow.models import Application, CaseLog, SubCase


@pytest.fixture(autouse=True)
def _calendar(transactional_db):
    seed_calendar(years=[2026])


def _accepted_and_dispatched(system, *, licence=False):
    matter = MatterFactory(department=system.department, name="食品经营许可", issues_licence=licence,
                           result_name="食品经营许可证")
    application = accepted_application(matters=[matter])
    tasks.dispatch_subcases(application.pk)
    return application, application.subcases.get()


def _all_delivered(refsys):
    """A wait_until condition: every outbox message delivered, and the reference system done
    fetching the files its messages named. On SQLite in memory (`make test`) the live server
    answers on the test's own connection: a fetch answered while the test wrote in a
    transaction released the test's savepoint ("no such savepoint", once in session 18)."""

    def settled():
        relay.relay_due()
        delivered = not OutboxMessage.objects.exclude(status=OutboxMessage.Status.DELIVERED).exists()
        return delivered and refsys.stats()["files_pending"] == 0

    return settled


def test_a_subcase_goes_out_is_decided_there_and_the_applicant_sees_the_result(own_system, portal_refsys, client):
    application, subcase = _accepted_and_dispatched(own_system, licence=True)
    [message] = OutboxMessage.objects.all()
    assert (message.kind, message.case_ref, message.status) == ("subcase.dispatch", subcase.number, "pending")
    assert message.body["subcase"]["matter"]["name"] == "食品经营许可"
    assert ExchangeMessage.objects.get(case_ref=subcase.number).channel == "department_system"

    portal_refsys.wait_until(_all_delivered(portal_refsys), what="delivery")
    page = portal_refsys.stats()
    assert (page["received_messages"], page["subcases"]) == (1, 1)

    portal_refsys.decide(subcase.number, "approve", reason="经审查,符合食品经营许可条件。", decided_by="李审批",
                         licence={"name": "食品经营许可证", "valid_until": "2031-12-31"})
    portal_refsys.wait_until(lambda: portal_refsys.stats()["decisions_sent"] == 1, what="decision sent back")

    subcase.refresh_from_db()
    application.refresh_from_db()
    assert subcase.state == SubCase.State.APPROVED and application.state == Application.State.CONCLUDED
    assert subcase.reviewer.username == "sys-qxscjgj" and not subcase.reviewer.has_usable_password()
    assert "李审批" in subcase.decision_reason
    assert CaseLog.objects.filter(subcase=subcase, action="workflow.subcase.approved").count() == 1

    tasks.issue_licence(subcase.pk)
    tasks.prepare_result(application.pk)
    licence = application.applicant.licences.get()
    assert (licence.name, str(licence.valid_until)) == ("食品经营许可证", "2031-12-31")
    client.force_login(application.applicant)
    page = client.get(reverse("portal:application", args=[application.number])).content.decode()
    assert "准予许可" in page or "已办结" in page
    assert "经审查,符合食品经营许可条件。" in page


def test_special_procedure_extension_and_denial_come_back(own_system, portal_refsys):
    application, subcase = _accepted_and_dispatched(own_system)
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="delivery")
    portal_refsys.decide(subcase.number, "suspend", procedure="inspection", reason="需对经营场所进行现场检验")
    portal_refsys.wait_until(lambda: SubCase.objects.get(pk=subcase.pk).state == SubCase.State.SUSPENDED,
                             what="suspension applied")
    portal_refsys.decide(subcase.number, "resume", result="检验合格")
    portal_refsys.decide(subcase.number, "extension", days=5, reason="现场核查需要时间")
    portal_refsys.decide(subcase.number, "deny", reason="经营场所不符合食品安全要求")
    portal_refsys.wait_until(lambda: portal_refsys.stats()["decisions_sent"] == 4, what="all sent")
    subcase.refresh_from_db()
    assert subcase.state == SubCase.State.DENIED and subcase.paused_days >= 0
    assert subcase.extensions.get().status == "pending"  # the leader approves in the portal (art. 42)
    actions = list(CaseLog.objects.filter(subcase=subcase).order_by("pk").values_list("action", flat=True))
    assert actions == ["workflow.subcase.examining", "workflow.subcase.suspended", "workflow.subcase.resumed",
                       "workflow.subcase.extension_requested", "workflow.subcase.denied"]


def test_a_decision_sent_twice_is_applied_once(own_system, portal_refsys):
    application, subcase = _accepted_and_dispatched(own_system)
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="delivery")
    portal_refsys.control(duplicate=True)
    portal_refsys.decide(subcase.number, "approve", reason="符合条件")
    portal_refsys.wait_until(lambda: portal_refsys.stats()["decisions_sent"] == 1, what="decision sent")
    assert InboundMessage.objects.count() == 1
    assert CaseLog.objects.filter(subcase=subcase, action="workflow.subcase.approved").count() == 1


def test_a_decision_the_case_cannot_take_is_refused_and_kept(own_system, portal_refsys):
    application, subcase = _accepted_and_dispatched(own_system)
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="delivery")
    portal_refsys.decide(subcase.number, "approve", reason="符合条件")
    portal_refsys.decide(subcase.number, "deny", reason="后来改变主意")
    portal_refsys.wait_until(lambda: portal_refsys.stats()["decisions_refused"] == 1, what="second refused")
    rejected = InboundMessage.objects.get(outcome="rejected")
    assert (rejected.kind, rejected.answer["code"]) == ("deny", "state_conflict")
    assert SubCase.objects.get(pk=subcase.pk).state == SubCase.State.APPROVED


def test_licence_data_missing_a_required_item_is_refused_whole_then_accepted(own_system, portal_refsys):
    """The licence type declares 经营项目 as required and no form field gives it: an approval whose
    licence data lacks it is refused (kept, with the code and the item named), the sub-case stays as
    it was; the department sends it again with the item and the licence carries it."""
    kind = LicenceTypeFactory(name="食品经营许可证", holder_kind="person", data_items=[
        {"key": "business_scope", "name": "经营项目", "type": "text", "required": True}])
    matter = MatterFactory(department=own_system.department, name="食品经营许可", issues_licence=True,
                           result_name="食品经营许可证", licence_type=kind)
    application = accepted_application(matters=[matter])
    tasks.dispatch_subcases(application.pk)
    subcase = application.subcases.get()
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="delivery")
    portal_refsys.decide(subcase.number, "approve", reason="符合条件", licence={"name": "食品经营许可证", "data": {}})
    portal_refsys.wait_until(lambda: portal_refsys.stats()["decisions_refused"] == 1, what="refused")
    rejected = InboundMessage.objects.get(outcome="rejected")
    assert rejected.answer["code"] == "invalid_licence_data"
    assert "缺少必填数据项“经营项目”" in rejected.answer["message"]
    assert SubCase.objects.get(pk=subcase.pk).state == SubCase.State.DISPATCHED  # nothing applied
    assert not CaseLog.objects.filter(subcase=subcase, action="workflow.subcase.approved").exists()

    portal_refsys.decide(subcase.number, "approve", reason="符合条件",
                         licence={"name": "食品经营许可证", "data": {"business_scope": "预包装食品销售"}})
    portal_refsys.wait_until(lambda: SubCase.objects.get(pk=subcase.pk).state == SubCase.State.APPROVED,
                             what="approval applied")
    tasks.issue_licence(subcase.pk)
    licence = application.applicant.licences.get()
    assert licence.data == {"business_scope": "预包装食品销售"} and licence.licence_type == kind


def test_the_outbox_row_is_part_of_the_dispatch_transaction(own_system):
    matter = MatterFactory(department=own_system.department)
    application = accepted_application(matters=[matter])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dispatch_subcases(application_id=application.pk)
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the dispatch fails after the row was written")
    assert not OutboxMessage.objects.exists()
    assert Application.objects.get(pk=application.pk).state == Application.State.ACCEPTED


def test_a_back_office_department_gets_no_outbox_message(own_system):
    matter = MatterFactory()  # another department, without a system of its own
    application = accepted_application(matters=[matter])
    tasks.dispatch_subcases(application.pk)
    assert not OutboxMessage.objects.exists()
    assert ExchangeMessage.objects.get().channel == "back_office"


def test_failures_back_off_then_dead_letter_then_resend(own_system, portal_refsys, settings, admin_client):
    settings.EXCHANGE_RELAY_MAX_ATTEMPTS = 3
    portal_refsys.control(fail=-1, fail_status=503)
    application, subcase = _accepted_and_dispatched(own_system)
    message = OutboxMessage.objects.get()
    portal_refsys.wait_until(lambda: relay.relay_due() is not None and OutboxMessage.objects.get().status == "dead",
                             what="dead letter")
    message.refresh_from_db()
    assert (message.attempts, message.last_status, message.last_error) == (3, 503, "unavailable")
    assert portal_refsys.stats()["received_messages"] == 0

    listing = admin_client.get(reverse("admin:exchange_outboxmessage_changelist") + "?status__exact=dead")
    assert subcase.number in listing.content.decode() and "死信" in listing.content.decode()
    portal_refsys.control(fail=0)
    answer = admin_client.post(reverse("admin:exchange_outboxmessage_changelist"),
                               {"action": "resend", "_selected_action": [message.pk]}, follow=True)
    assert "已重新排入发送队列 1 条" in answer.content.decode()
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="delivery after re-send")
    assert portal_refsys.stats()["received_messages"] == 1


def test_backoff_is_exponential_and_capped():
    assert [relay.backoff(n, base=2, cap=300) for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_a_department_set_in_the_admin_gets_an_account_and_a_key(admin_client):
    department = DepartmentFactory(code="QXZJJ", name="清远市清新区住房和城乡建设局")
    answer = admin_client.post(reverse("admin:exchange_departmentsystem_add"), {
        "department": department.pk, "name": "住建审批系统", "base_url": "http://127.0.0.1:8702", "active": "on",
        "keys-TOTAL_FORMS": "0", "keys-INITIAL_FORMS": "0"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    system = DepartmentSystem.objects.get()
    assert system.account.department == department and system.account.role == get_user_model().Role.REVIEWER
    assert list(system.keys.values_list("key_id", "active")) == [("k1", True)]
    admin_client.post(reverse("admin:exchange_departmentsystem_changelist"),
                      {"action": "rotate_keys", "_selected_action": [system.pk]})
    admin_client.post(reverse("admin:exchange_departmentsystem_changelist"),
                      {"action": "rotate_keys", "_selected_action": [system.pk]})
    assert dict(system.keys.values_list("key_id", "active")) == {"k3": True, "k2": True, "k1": False}


def test_a_withdrawal_reaches_the_department_system_which_then_refuses_to_decide(own_system, portal_refsys):
    application, subcase = _accepted_and_dispatched(own_system)
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="delivery")
    services.application_withdraw(application=application, applicant=application.applicant, reason="不再需要")
    withdrawn = OutboxMessage.objects.get(kind="subcase.withdrawn")
    assert (withdrawn.case_ref, withdrawn.body["reason"]) == (subcase.number, "不再需要")
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="withdrawal delivered")
    page = urllib.request.urlopen(portal_refsys.url + "/").read().decode()
    assert "申请人已撤回" in page
    with pytest.raises(urllib.error.HTTPError) as refused:
        portal_refsys.decide(subcase.number, "approve", reason="符合条件")
    assert refused.value.code == 400


def test_a_deferred_material_handed_in_after_the_dispatch_reaches_the_department_system(own_system, portal_refsys):
    matter = MatterFactory(department=own_system.department, name="食品经营许可", materials=[
        {"name": "申请表", "source": MaterialRequirement.Source.APPLICANT},
        {"name": "场地平面图", "source": MaterialRequirement.Source.APPLICANT, "deferrable": True, "required": False}])
    citizen = UserFactory()
    form, plan = matter.materials.get(name="申请表"), matter.materials.get(name="场地平面图")
    application = services.application_submit(submission=services.Submission(
        applicant=citizen, matters=[matter], form_data=form_for([matter], citizen),
        files={f"material_{form.pk}": files_for([matter])[f"material_{form.pk}"]},
    ))
    services.application_accept(application=application, clerk=ClerkFactory(), deferred=[plan.pk],
                                deferred_until=timezone.localdate() + dt.timedelta(days=7))
    tasks.dispatch_subcases(application.pk)
    subcase = application.subcases.get()
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="dispatch delivered")

    owed = application.materials.get(name="场地平面图")
    services.deferred_material_provide(material=owed, actor=citizen,
                                       upload=files_for([matter])[f"material_{plan.pk}"])
    [pushed] = OutboxMessage.objects.filter(kind="subcase.material")
    handed_in = application.materials.filter(name="场地平面图", replaced_by__isnull=True).exclude(pk=owed.pk).get()
    assert pushed.case_ref == subcase.number
    assert pushed.body["material"] == {"name": "场地平面图", "source": handed_in.source, "sha256": handed_in.sha256,
                                       "reference": "", "size": handed_in.size,
                                       "download": f"/api/exchange/materials/{handed_in.pk}/file/"}
    assert len(handed_in.sha256) == 64
    portal_refsys.wait_until(_all_delivered(portal_refsys), what="material delivered")
    page = urllib.request.urlopen(portal_refsys.url + "/").read().decode()
    assert "补交材料:场地平面图" in page
    fetched = portal_refsys.wait_until(
        lambda: [f for f in portal_refsys.files(subcase.number) if f["name"] == "场地平面图" and f["state"] == "ok"],
        what="the handed-in file fetched")
    handed_in.file.open("rb")
    assert portal_refsys.file_bytes(fetched[0]["id"]) == handed_in.file.read()
