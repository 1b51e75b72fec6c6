"""The whole flow through the services: submit, accept, dispatch, decide, conclude, deliver."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.errors import Conflict, Forbidden, Invalid
from exchange.models import ExchangeMessage
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    accepted_application,
    files_for,
    form_for,
    submitted_application,
)
from workflow import services, tasks
from workflow.calendar_store import seed_calendar
from workflow.models import Application, CaseLog, Material, Notice, SubCase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])


def pdf_text(notice):
    with notice.file.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def test_submission_records_materials_number_and_pre_review_due():
    app = submitted_application()
    assert app.state == Application.State.SUBMITTED
    assert app.number.startswith(f"441803-{timezone.localdate().year}-XK-")
    sources = dict(app.materials.values_list("name", "source"))
    assert sources == {"申请表": Material.Source.UPLOAD, "居民身份证": Material.Source.LICENCE}
    assert app.materials.get(name="申请表").sha256
    assert app.pre_review_due > timezone.localdate()
    assert list(app.log.values_list("action", flat=True)) == ["workflow.application.submitted"]


def test_same_idempotency_key_creates_one_application():
    citizen = UserFactory()
    matter = MatterFactory()
    first = submitted_application(applicant=citizen, matters=[matter], idempotency_key="k-1")
    again = submitted_application(applicant=citizen, matters=[matter], idempotency_key="k-1")
    assert again.pk == first.pk
    assert Application.objects.count() == 1


def test_online_submission_without_required_upload_is_refused_and_writes_nothing():
    citizen = UserFactory()
    matter = MatterFactory()
    with pytest.raises(Invalid) as exc:
        services.application_submit(submission=services.Submission(
            applicant=citizen, matters=[matter], form_data=form_for([matter], citizen), files={},
        ))
    assert "申请表" in str(exc.value.fields)
    assert Application.objects.count() == 0


def test_upload_type_is_checked_by_content_not_name():
    from django.core.files.uploadedfile import SimpleUploadedFile

    citizen = UserFactory()
    matter = MatterFactory()
    files = {k: SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf") for k in files_for([matter])}
    with pytest.raises(Invalid) as exc:
        services.application_submit(submission=services.Submission(
            applicant=citizen, matters=[matter], form_data=form_for([matter], citizen), files=files,
        ))
    assert exc.value.code == "invalid_materials"
    assert Application.objects.count() == 0


def test_form_errors_name_each_field_in_chinese():
    citizen = UserFactory()
    matter = MatterFactory()
    with pytest.raises(Invalid) as exc:
        services.application_submit(submission=services.Submission(
            applicant=citizen, matters=[matter], form_data={"contact_phone": "12345"}, files=files_for([matter]),
        ))
    assert exc.value.fields["applicant_name"] == ["此项为必填项。"]
    assert "手机号码" in exc.value.fields["contact_phone"][0]


def test_acceptance_splits_into_subcases_with_working_day_deadlines(django_capture_on_commit_callbacks):
    dept_a, dept_b = MatterFactory(promised_days=5), MatterFactory(promised_days=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        app = accepted_application(matters=[dept_a, dept_b])
    assert app.state == Application.State.ACCEPTED
    subcases = list(app.subcases.order_by("number"))
    assert [s.number for s in subcases] == [f"{app.number}-01", f"{app.number}-02"]
    assert {s.department_id for s in subcases} == {dept_a.department_id, dept_b.department_id}
    same_day = next(s for s in subcases if s.promised_days == 0)
    assert same_day.deadline == app.accepted_on
    work = [c for c in callbacks if not getattr(c, "figures_day", None)]  # not the dashboard's refresh of the day
    assert len(work) == 2  # dispatch and the acceptance notice, queued after commit


def test_deadline_skips_national_day_2026():
    """Accepted on Wednesday 2026-09-30: day not counted, Oct 1-7 off, Sat Oct 10 a make-up day."""
    from workflow.calendar_store import load_calendar

    assert load_calendar().add_workdays(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)


def test_dispatch_task_is_idempotent():
    app = accepted_application(matters=[MatterFactory(), MatterFactory()])
    tasks.dispatch_subcases(app.pk)
    tasks.dispatch_subcases(app.pk)
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW
    assert ExchangeMessage.objects.filter(kind="dispatch").count() == 2
    assert CaseLog.objects.filter(application=app, action="workflow.application.dispatched").count() == 1


def test_acceptance_notice_pdf_has_real_chinese_text():
    app = accepted_application(matters=[MatterFactory(name="食品经营许可", promised_days=10)])
    tasks.generate_notice(app.pk, "acceptance")
    tasks.generate_notice(app.pk, "acceptance")
    notice = Notice.objects.get(application=app)
    text = pdf_text(notice)
    assert "受理通知书" in text
    assert app.number in text
    assert "食品经营许可" in text
    assert "决定予以受理" in text


def test_reviewers_decide_in_parallel_then_result_is_delivered():
    m1, m2 = MatterFactory(), MatterFactory()
    r1, r2 = ReviewerFactory(department=m1.department), ReviewerFactory(department=m2.department)
    app = accepted_application(matters=[m1, m2])
    s1, s2 = app.subcases.get(matter=m1), app.subcases.get(matter=m2)

    with pytest.raises(Forbidden):
        services.subcase_decide(subcase=s1, reviewer=r2, approve=True, reason="")
    services.subcase_start_examining(subcase=s1, reviewer=r1)
    services.subcase_decide(subcase=s1, reviewer=r1, approve=True, reason="")
    app.refresh_from_db()
    assert app.state == Application.State.ACCEPTED  # one still open
    with pytest.raises(Invalid):
        services.subcase_decide(subcase=s2, reviewer=r2, approve=False, reason="  ")
    services.subcase_decide(subcase=s2, reviewer=r2, approve=False, reason="经营场所不符合要求")
    app.refresh_from_db()
    assert app.state == Application.State.CONCLUDED

    tasks.prepare_result(app.pk)
    tasks.prepare_result(app.pk)
    app.refresh_from_db()
    assert app.state == Application.State.RESULT_READY
    conclusion = Notice.objects.get(application=app, kind="conclusion")
    assert "经营场所不符合要求" in pdf_text(conclusion)

    clerk = ClerkFactory(window__hall=app.pickup_hall)  # collected where it was accepted (the default)
    with pytest.raises(Invalid):
        services.application_deliver(application=app, clerk=clerk, id_number="441803199001010000")
    services.application_deliver(application=app, clerk=clerk, id_number=app.applicant.id_number)
    app.refresh_from_db()
    assert app.state == Application.State.DELIVERED
    assert app.delivered_by == clerk


def test_supplement_lists_everything_then_applicant_resubmits():
    app = submitted_application()
    clerk = ClerkFactory()
    with pytest.raises(Invalid):
        services.application_request_supplement(application=app, clerk=clerk, items=[])
    services.application_request_supplement(
        application=app, clerk=clerk, note="请一次补齐",
        items=[{"material": "申请表", "reason": "未签名"}, {"material": "场地证明", "reason": "缺少"}],
    )
    app.refresh_from_db()
    assert app.state == Application.State.SUPPLEMENT_REQUESTED
    assert [i["material"] for i in app.supplement_requests.get().items] == ["申请表", "场地证明"]
    requirement = app.matters.get().materials.get(name="申请表")
    services.application_resubmit(application=app, applicant=app.applicant,
                                  files={f"material_{requirement.pk}": files_for(app.matters.all())[f"material_{requirement.pk}"]})
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED
    assert app.supplement_requests.get().resolved_at is not None
    assert app.materials.filter(name="申请表").count() == 2


def test_refusal_needs_a_reason_and_only_a_clerk_may_refuse():
    app = submitted_application()
    with pytest.raises(Forbidden):
        services.application_refuse(application=app, clerk=app.applicant, reason="不属于本机关职权范围")
    with pytest.raises(Invalid):
        services.application_refuse(application=app, clerk=ClerkFactory(), reason="")
    services.application_refuse(application=app, clerk=ClerkFactory(), reason="不属于本机关职权范围")
    app.refresh_from_db()
    assert app.state == Application.State.NOT_ACCEPTED
    assert app.refusal_reason == "不属于本机关职权范围"


def test_clerk_without_a_seat_today_or_at_the_wrong_category_is_refused():
    from windows.models import Window

    app = submitted_application()
    legal_clerk = ClerkFactory(window__category=Window.Category.LEGAL, window__name="法人综合窗口")
    with pytest.raises(Forbidden) as exc:
        services.application_accept(application=app, clerk=legal_clerk)
    assert exc.value.code == "wrong_window_category"
    unseated = UserFactory(role="clerk")
    with pytest.raises(Forbidden) as exc:
        services.application_accept(application=app, clerk=unseated)
    assert exc.value.code == "no_seat_today"


def test_accepting_twice_is_a_conflict():
    app = accepted_application()
    with pytest.raises(Conflict):
        services.application_accept(application=app, clerk=ClerkFactory())
    assert app.subcases.count() == 1


def test_withdrawal_closes_open_subcases():
    app = accepted_application(matters=[MatterFactory(), MatterFactory()])
    services.application_withdraw(application=app, applicant=app.applicant, reason="不再需要")
    assert set(SubCase.objects.filter(application=app).values_list("state", flat=True)) == {"withdrawn"}
    with pytest.raises(Forbidden):
        services.application_withdraw(application=submitted_application(), applicant=UserFactory())


def test_a_company_being_set_up_applies_without_an_enterprise_record():
    from core.errors import Invalid as InvalidError

    founder = UserFactory()
    registration = MatterFactory(target="legal", establishes_entity=True)
    seal = MatterFactory(target="legal")
    app = submitted_application(applicant=founder, matters=[registration, seal])
    assert app.enterprise is None and app.category == "legal"
    with pytest.raises(InvalidError) as exc:
        submitted_application(applicant=founder, matters=[seal])
    assert exc.value.code == "enterprise_required"


def test_form_and_material_problems_are_reported_together():
    citizen, matter = UserFactory(), MatterFactory()
    with pytest.raises(Invalid) as exc:
        services.application_submit(submission=services.Submission(
            applicant=citizen, matters=[matter], form_data={}, files={},
        ))
    assert "applicant_name" in exc.value.fields
    assert any(key.startswith("material_") for key in exc.value.fields)


def test_a_second_supplement_on_the_same_point_needs_a_supervisors_leave():
    from tests.factories import SupervisorFactory

    app = submitted_application()
    clerk = ClerkFactory()
    services.application_request_supplement(application=app, clerk=clerk, items=[{"material": "申请表", "reason": "未签字"}])
    services.application_resubmit(application=app, applicant=app.applicant, files={})
    with pytest.raises(Invalid) as exc:
        services.application_request_supplement(application=app, clerk=clerk,
                                                items=[{"material": "申请表", "reason": "签字不清"}])
    assert exc.value.code == "supplement_repeated" and "申请表" in exc.value.message
    services.application_request_supplement(application=app, clerk=clerk,
                                            items=[{"material": "场地证明", "reason": "新发现缺少"}])  # a new point is fine
    services.application_resubmit(application=app, applicant=app.applicant, files={})
    with pytest.raises(Forbidden):
        services.supplement_repeat_allow(application=app, supervisor=clerk, reason="x")
    services.supplement_repeat_allow(application=app, supervisor=SupervisorFactory(), reason="原件与扫描件不一致,需重新核对")
    services.application_request_supplement(application=app, clerk=clerk, items=[{"material": "申请表", "reason": "签字不清"}])
    services.application_resubmit(application=app, applicant=app.applicant, files={})
    with pytest.raises(Invalid):  # the leave is used up
        services.application_request_supplement(application=app, clerk=clerk, items=[{"material": "申请表", "reason": "再"}])


def test_each_material_says_where_it_came_from_and_how_far_to_trust_it():
    app = submitted_application()
    levels = {m.name: (m.source, m.trust_level) for m in app.materials.all()}
    assert levels == {"申请表": ("upload", "C"), "居民身份证": ("licence", "A")}


def test_the_supplement_can_be_brought_to_any_window():
    app = submitted_application()
    clerk = ClerkFactory()
    services.application_request_supplement(application=app, clerk=clerk, items=[{"material": "申请表", "reason": "未签字"}])
    requirement = app.matters.get().materials.get(name="申请表")
    with pytest.raises(Forbidden):
        services.application_supplement_at_window(application=app, clerk=UserFactory(), received=[requirement.pk])
    services.application_supplement_at_window(application=app, clerk=ClerkFactory(), received=[requirement.pk])
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED
    assert app.materials.filter(name="申请表", source=Material.Source.WINDOW).exists()
    assert app.log.get(action="workflow.application.supplemented").note == "窗口收取补正材料"


def test_acceptance_with_a_minor_material_to_follow():
    """容缺受理: a material marked deferrable may follow by a date; others may not."""
    from matters.models import MaterialRequirement

    matter = MatterFactory(materials=[
        {"name": "申请表", "source": MaterialRequirement.Source.APPLICANT},
        {"name": "场地平面图", "source": MaterialRequirement.Source.APPLICANT, "deferrable": True, "required": False},
    ])
    plan = matter.materials.get(name="场地平面图")
    form = matter.materials.get(name="申请表")
    citizen = UserFactory()
    app = services.application_submit(submission=services.Submission(
        applicant=citizen, matters=[matter], form_data=form_for([matter], citizen),
        files={f"material_{form.pk}": files_for([matter])[f"material_{form.pk}"]},
    ))
    clerk = ClerkFactory()
    due = timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(Invalid) as exc:
        services.application_accept(application=app, clerk=clerk, deferred=[form.pk], deferred_until=due)
    assert exc.value.code == "not_deferrable"
    with pytest.raises(Invalid):
        services.application_accept(application=app, clerk=clerk, deferred=[plan.pk], deferred_until=timezone.localdate())
    services.application_accept(application=app, clerk=clerk, deferred=[plan.pk], deferred_until=due)
    placeholder = app.materials.get(name="场地平面图")
    assert placeholder.is_outstanding and placeholder.due_on == due and placeholder.trust_level == ""

    with pytest.raises(Forbidden):
        services.deferred_material_provide(material=placeholder, actor=UserFactory(), upload=files_for([matter])[f"material_{form.pk}"])
    from tests.factories import pdf_upload

    services.deferred_material_provide(material=placeholder, actor=app.applicant, upload=pdf_upload("平面图.pdf"))
    placeholder.refresh_from_db()
    assert placeholder.fulfilled_at is not None
    assert app.materials.filter(name="场地平面图", source=Material.Source.UPLOAD).exists()
    with pytest.raises(Conflict):
        services.deferred_material_provide(material=placeholder, actor=app.applicant, upload=pdf_upload())


def test_stalled_background_steps_are_found_for_requeueing():
    from workflow.models import Application as App

    app = accepted_application()
    assert services.stalled_application_ids()["dispatch"] == []  # just now: not stalled yet
    App.objects.filter(pk=app.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=10),
                                         accepted_at=timezone.now() - dt.timedelta(minutes=10))
    stalled = services.stalled_application_ids()
    assert stalled["dispatch"] == [app.pk] and stalled["notice"] == [app.pk]
    tasks.dispatch_subcases(app.pk)
    assert services.stalled_application_ids()["dispatch"] == []
