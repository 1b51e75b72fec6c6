"""Demo of result delivery (统一窗口出件): results waiting at different halls (同城通办), one to
post and one posted with its tracking number, one delivered as an electronic licence.

Made once, through the same services the pages use; `load_demo` calls `load_delivery` on every
run and it returns at once when its applications exist (they are keyed by idempotency key).
"""

from __future__ import annotations

from accounts.models import Hall, User
from matters.models import Matter
from workflow import services as workflow
from workflow.models import Application

KEY = "demo-delivery-"


def _ready(command, *, applicant, matter_name, key, clerk, delivery):
    """Submit online with the delivery choice, accept at the clerk's hall, approve every sub-case
    and prepare the result (the conclusion notice is made as the worker would)."""
    matter = Matter.objects.get(name=matter_name)
    application = workflow.application_submit(submission=workflow.Submission(
        applicant=applicant, matters=[matter], form_data=command._form([matter], applicant),
        files=command._files([matter]), idempotency_key=f"{KEY}{key}", delivery=delivery,
    ))
    application = workflow.application_accept(application=application, clerk=clerk)
    workflow.dispatch_subcases(application_id=application.pk)
    for subcase in application.subcases.all():
        reviewer = User.objects.filter(role=User.Role.REVIEWER, department=subcase.department).first()
        workflow.subcase_decide(subcase=subcase, reviewer=reviewer, approve=True, reason="")
        if subcase.matter.issues_licence:
            workflow.issue_subcase_licence(subcase_id=subcase.pk)  # what the worker does on commit
    workflow.prepare_result(application_id=application.pk)
    return Application.objects.get(pk=application.pk)


def load_delivery(command) -> int:
    if Application.objects.filter(idempotency_key__startswith=KEY).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(
        username__in=["citizen", "citizen2", "clerk", "clerk_taihe", "clerk_delivery"])}
    if len(users) < 5:
        return 0
    centre, taihe = Hall.objects.get(code="QX-ZWZX"), Hall.objects.get(code="QX-TAIHE")
    citizen, citizen2 = users["citizen"], users["citizen2"]
    # Accepted at the district centre, collected at the Taihe town hall (its window delivers).
    _ready(command, applicant=citizen, matter_name="居住证申领", key="taihe", clerk=users["clerk"],
           delivery={"method": "hall", "hall": taihe.pk})
    # Accepted in Taihe, collected at the district centre's delivery window D01.
    _ready(command, applicant=citizen2, matter_name="社会保障卡申领", key="centre", clerk=users["clerk_taihe"],
           delivery={"method": "hall", "hall": centre.pk})
    # To post: one waiting at the centre's delivery window, one already posted with its tracking number.
    post = {"method": "post", "recipient": "李秀英", "phone": "13692370815",
            "address": "清远市清新区山塘镇山塘大道18号山塘供销社宿舍2栋301"}
    _ready(command, applicant=citizen2, matter_name="林木采伐许可证核发", key="to-post", clerk=users["clerk"],
           delivery=post)
    posted = _ready(command, applicant=citizen, matter_name="乡村建设规划许可证核发", key="posted",
                    clerk=users["clerk"], delivery={**post, "recipient": "陈志明", "phone": "13826651024",
                                                   "address": "清远市清新区禾云镇禾云圩府前街5号旁陈屋巷12号"})
    workflow.application_post(application=posted, clerk=users["clerk_delivery"], carrier="中国邮政EMS",
                              tracking_number="1186543210975")
    # Delivered as an electronic licence: made available on the applicant's page when issued.
    _ready(command, applicant=citizen, matter_name="个体工商户设立登记", key="electronic", clerk=users["clerk"],
           delivery={"method": "electronic"})
    return 5
