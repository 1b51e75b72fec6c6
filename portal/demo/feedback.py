"""Demo 好差评 and 投诉举报: ratings of window visits and of decisions (good ones, a bad one whose
follow-up is overdue, one rectified after a call-back, one appealed as malicious and waiting for
a supervisor), and complaints in every state. Made once, through the services the pages use;
a second run finds them and adds nothing. Called by `manage.py load_demo` after the applications."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Department, User
from supervision.feedback import complaints, ratings
from supervision.models import Complaint, FollowUp, Occasion, Rating
from workflow import rules
from workflow import services as workflow
from workflow.calendar_store import load_calendar
from workflow.models import Application

from .districts import home_matters


def _window_visit(command, *, clerk, applicant, matter, key):
    desk = rules.clerk_desk(clerk, category=matter.target)
    application = workflow.application_receive_at_window(submission=workflow.Submission(
        applicant=applicant, matters=[matter], form_data=command._form([matter], applicant),
        files=command._files([matter]), idempotency_key=key,
    ), clerk=clerk, hall_id=desk.hall_id)
    if application.state == Application.State.SUBMITTED:
        application = workflow.application_accept(application=application, clerk=clerk)
    return application


def _rate(application, occasion, level, comment="", reasons=()):
    """Rate a window visit, or the first decision of the case."""
    if occasion == Occasion.DECISION:
        token = next(t for t in ratings.rating_tokens_for(application) if t.occasion == occasion)
    else:
        token = ratings.rating_token_issue(application=application, occasion=occasion)
    return ratings.rating_submit(token=token, level=level, comment=comment, reasons=list(reasons))


def load_ratings(command) -> int:
    if Rating.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=[
        "citizen", "citizen2", "clerk", "clerk_delivery"])}
    citizen, citizen2, clerk = users["citizen"], users["citizen2"], users["clerk"]
    reviewed = set(User.objects.filter(role=User.Role.REVIEWER).values_list("department_id", flat=True))
    natural = [m for m in home_matters().filter(target="natural").order_by("code") if m.department_id in reviewed]
    if len(natural) < 6:
        return 0
    made = 0
    ready = Application.objects.filter(idempotency_key="demo-ready").first()
    if ready is not None and ready.concluded_at:
        _rate(ready, Occasion.DECISION, 4, "网上提交材料,没跑腿就办好了。")
        made += 1
    for i, (person, level, comment, reasons) in enumerate([
        (citizen, 5, "何丽娟同志讲解很耐心,一次就办好了。", ()),
        (citizen2, 4, "", ()),
        (citizen, 3, "等候时间有点长。", ()),
        (citizen2, 2, "上午排队等了一个多小时才轮到。", ("slow",)),
        (citizen, 1, "窗口人员说话不耐烦。", ("attitude",)),
    ]):
        visit = _window_visit(command, clerk=clerk, applicant=person, matter=natural[i], key=f"demo-rate-{i}")
        rating = _rate(visit, Occasion.WINDOW_ACCEPT, level, comment, reasons)
        made += 1
        if level == 2:  # its follow-up left overdue: a red card at the next sweep
            calendar, today = load_calendar(), timezone.localdate()
            start = calendar.subtract_workdays(today, ratings.FOLLOWUP_DAYS + 2)
            FollowUp.objects.filter(rating=rating).update(opened_on=start,
                                                           due=calendar.add_workdays(start, ratings.FOLLOWUP_DAYS))
        if level == 1:  # called back and rectified by a colleague of the hall
            colleague = users["clerk_delivery"]
            ratings.followup_call_back(followup=rating.followup, user=colleague, method="phone", satisfied=True,
                                       summary="电话向陈先生致歉,说明已对窗口人员进行提醒谈话,陈先生表示接受。")
            ratings.followup_close(followup=rating.followup, user=colleague,
                                   reply="已组织窗口人员学习服务规范,在大厅增设引导员,高峰时段增开窗口。")
    # A visit just accepted, not rated yet: its QR code is on the clerk's rating page.
    visit = _window_visit(command, clerk=clerk, applicant=citizen2, matter=natural[0], key="demo-rate-qr")
    ratings.rating_token_issue(application=visit, occasion=Occasion.WINDOW_ACCEPT)
    # An online case rated 非常不满意 by someone who says it was not the case: the department appeals.
    matter = natural[5]
    online = command._submit(citizen2, [matter], key="demo-rate-online")
    if online.state == Application.State.SUBMITTED:
        online = workflow.application_accept(application=online, clerk=clerk)
        workflow.dispatch_subcases(application_id=online.pk)
        for sub in online.subcases.all():
            reviewer = User.objects.filter(role=User.Role.REVIEWER, department=sub.department).first()
            workflow.subcase_decide(subcase=sub, reviewer=reviewer, approve=True, reason="")
        online.refresh_from_db()
    if online.concluded_at:
        rating = _rate(online, Occasion.DECISION, 1, "乱七八糟,什么都办不了!", ("other",))
        reviewer = User.objects.filter(role=User.Role.REVIEWER, department=rating.department).first()
        ratings.rating_appeal(rating=rating, user=reviewer, kind="malicious",
                              statement="该件已按承诺时限提前3个工作日办结并送达,评价内容与办理情况明显不符,"
                                        "经电话核实申请人表示系他人代为评价。")
        made += 1
    return made


def load_complaints() -> int:
    if Complaint.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=[
        "citizen", "citizen2", "reviewer_scjg", "reviewer_ga", "reviewer_rs"])}
    departments = {d.code: d for d in Department.objects.filter(code__in=["QX-SCJG", "QX-GA", "QX-RSJ"])}
    if len(departments) < 3 or len(users) < 5:
        return 0
    submit = complaints.complaint_submit
    submit(subject="太和镇中心自助终端经常无法打印", contact_phone="13715823306",
           content="太和镇综合政务服务中心一楼的自助终端最近一周多次无法打印社保缴费证明,只能排队到窗口办理。")
    overdue = submit(user=users["citizen"], department_id=departments["QX-SCJG"].pk, subject="个体户变更登记要求重复提交材料",
                     content="办理个体工商户经营场所变更时,窗口要求再次提交身份证复印件和租赁合同,但上次已经提交过。")
    calendar, today = load_calendar(), timezone.localdate()
    start = calendar.subtract_workdays(today, complaints.COMPLAINT_DAYS + 3)
    Complaint.objects.filter(pk=overdue.pk).update(
        submitted_on=start, due=calendar.add_workdays(start, complaints.COMPLAINT_DAYS))
    replied = submit(user=users["citizen2"], department_id=departments["QX-GA"].pk, subject="户籍窗口中午不办理",
                     content="山塘镇派出所户籍窗口中午12点到2点半不办理业务,上班族只能请假来办。")
    complaints.complaint_reply(complaint=replied, user=users["reviewer_ga"],
                               reply="已协调山塘镇户籍窗口自12月起每周三中午轮值办理,并开通“粤省事”网上预约。")
    escalated = submit(department_id=departments["QX-RSJ"].pk, kind=Complaint.Kind.REPORT,
                       subject="社保窗口工作人员私下收取代办费", contact_name="匿名",
                       content="有人在区人社局社保窗口附近称可以“快速办理”退休审批,收取代办费500元,疑似与窗口人员有关联。")
    complaints.complaint_reply(complaint=escalated, user=users["reviewer_rs"],
                               reply="经调阅监控及询问当班人员,未发现窗口人员参与代办收费的情况。")
    complaints.complaint_escalate(complaint=escalated, code=escalated.code,
                                  reason="答复过于简单,没有说明是否调查了那名代办人员。")
    closed = submit(user=users["citizen"], department_id=departments["QX-SCJG"].pk, subject="食品经营许可进度查不到",
                    content="网上申请食品经营许可后,进度查询一直显示待受理,打电话也没人接。")
    complaints.complaint_reply(complaint=closed, user=users["reviewer_scjg"],
                               reply="系统对接故障已修复,您的申请已于次日受理,给您带来不便深表歉意。")
    complaints.complaint_accept(complaint=closed, user=users["citizen"])
    return 5


def load_feedback(command) -> tuple[int, int]:
    with transaction.atomic():
        rated = load_ratings(command)
    with transaction.atomic():
        complained = load_complaints()
    return rated, complained


def load_intermediary_complaint() -> int:
    """A complaint about an intermediary of the demo market (called after market/demo.py): the
    demo enterprise's staff member complains that the 资产评估 firm delivered late and asked for
    more money; it waits at the centre (政务服务中心) on the complaint clock, to be routed or
    closed with 投诉是否属实 (a true one lowers the firm's credit score). Made once."""
    from market.models import Intermediary

    if Complaint.objects.filter(intermediary__isnull=False).exists():
        return 0
    firm = Intermediary.objects.approved().filter(enterprise__name__contains="华诚资产评估").first()
    owner = User.objects.filter(username="enterprise").first()
    if firm is None or owner is None:
        return 0
    complaints.complaint_submit(
        user=owner,
        intermediary_id=firm.pk,
        subject="资产评估报告逾期交付并要求加收费用",
        content="我公司委托的厂房及设备抵押价值评估,合同约定 10 个工作日交付,实际逾期两个工作日才交付,"
        "评估说明还需补充;交付前对方以“加急”为由要求另付 2000 元,合同中并无此项。请中心核查处理。",
        contact_name=owner.real_name,
        contact_phone=owner.phone,
    )
    return 1
