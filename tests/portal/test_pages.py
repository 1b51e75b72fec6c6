"""One table of (role, method, url, expected status) over every HTML page and page action,
refusals first: the page side of tests/test_permissions.py.

A fresh district per row, built only as far as the row needs it: the citizen's application
waiting at the window, one waiting for a supplement, one in review and one whose result is ready
at the window; a clerk seated today at a natural-person window, reviewers of the matter's
department and of another, a supervisor. "login" means a redirect to the sign-in page; 404 means
"you may not even know it exists". Every refusal, and every POST by the supervisor, leaves the
cases as they were; allowed actions redirect and do what they say.
"""

from functools import cached_property
from unittest import mock

import pytest
from django.core.cache import cache

from accounts.models import AgentAuthorisation, EnterpriseMembership, MembershipRequest, User
from supervision.feedback import complaints, ratings
from supervision.models import CallBack, Complaint, Rating, RatingAppeal
from tests.factories import (
    PASSWORD,
    AppointmentSlotFactory,
    ClerkFactory,
    DepartmentFactory,
    EnterpriseFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    agent_for,
    concluded_application,
    form_for,
    pdf_upload,
    submitted_application,
    theme_with,
    valid_id_number,
    walk_in_application,
)
from windows import queue_services
from windows import services as window_services
from windows.models import Appointment, Consultation, ConsultationEvent, Ticket
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, CaseLog, Channel, SubCase

ROLES = ["anonymous", "owner", "other_citizen", "clerk", "reviewer", "other_reviewer", "supervisor"]
LOGIN = "login"  # a redirect to /accounts/login/ (with ?next=… back to the page)
S = Application.State


class World:
    """A fresh district; each part is made the first time a row asks for it."""

    def __init__(self):
        seed_calendar(years=[2026])

    @cached_property
    def matter(self):
        return MatterFactory()

    @cached_property
    def theme(self):
        return theme_with([self.matter], code="test-theme", name="测试一件事", target="natural")

    @cached_property
    def users(self):
        return _LazyUsers(self)

    @cached_property
    def waiting(self):
        return submitted_application(applicant=self.users["owner"], matters=[self.matter])

    @cached_property
    def supplement(self):
        application = submitted_application(applicant=self.users["owner"], matters=[self.matter])
        services.application_request_supplement(application=application, clerk=self.users["clerk"],
                                                items=[{"material": "申请表", "reason": "未签字"}])
        return Application.objects.get(pk=application.pk)

    @cached_property
    def in_review(self):
        application = accepted_application(applicant=self.users["owner"], matters=[self.matter],
                                           clerk=self.users["clerk"])
        services.dispatch_subcases(application_id=application.pk)
        return Application.objects.get(pk=application.pk)

    @cached_property
    def subcase(self):
        return self.in_review.subcases.get()

    @cached_property
    def ready(self):
        """Result at the window: accepted, dispatched, approved, result prepared (no PDF made)."""
        application = accepted_application(applicant=self.users["owner"], matters=[self.matter],
                                           clerk=self.users["clerk"])
        services.dispatch_subcases(application_id=application.pk)
        services.subcase_decide(subcase=application.subcases.get(), reviewer=self.users["reviewer"],
                                approve=True, reason="")
        with mock.patch("workflow.documents.generate_notice"):
            services.prepare_result(application_id=application.pk)
        return Application.objects.get(pk=application.pk)

    @cached_property
    def hall(self):
        return self.users["clerk"].seats.get().window.hall

    @cached_property
    def ticket(self):
        """The owner's number, waiting in the clerk's hall."""
        return queue_services.ticket_take(hall=self.hall, category="natural", user=self.users["owner"])

    @cached_property
    def called(self):
        """A number the clerk has called."""
        self.ticket  # noqa: B018 - the clerk calls the owner's number
        return queue_services.ticket_call_next(clerk=self.users["clerk"])

    @cached_property
    def slot(self):
        return AppointmentSlotFactory(hall=self.hall)

    @cached_property
    def booking(self):
        return queue_services.appointment_book(user=self.users["owner"], slot=AppointmentSlotFactory(hall=self.hall))

    @cached_property
    def agent(self):
        return UserFactory(real_name="张伟")

    @cached_property
    def grant(self):
        """The owner authorised `agent` for the matter (委托代办)."""
        return agent_for(self.users["owner"], [self.matter], agent=self.agent)

    @cached_property
    def enterprise(self):
        """An enterprise whose legal representative member (may authorise) is the owner."""
        enterprise = EnterpriseFactory()
        EnterpriseMembership.objects.create(enterprise=enterprise, user=self.users["owner"], title="法定代表人",
                                            may_authorise=True)
        return enterprise

    @cached_property
    def staff_request(self):
        return MembershipRequest.objects.create(user=UserFactory(real_name="周敏"), enterprise=self.enterprise,
                                                note="行政部")

    @cached_property
    def walked_in_person(self):
        """Registered at a window (no password) with a walk-in application."""
        from windows.services import WalkIn, walk_in_receive

        person = UserFactory.build()
        application = walk_in_receive(clerk=self.users["clerk"], accept_if_complete=True, walk_in=WalkIn(
            matters=[self.matter], form_data=form_for([self.matter], person),
            applicant={"real_name": "黄丽娟", "id_number": person.id_number, "phone": "13712345678"},
            received=tuple(r.pk for r in self.matter.materials.all())))
        return application.applicant, application

    @cached_property
    def consultation(self):
        """首问责任: the clerk recorded the owner's question and owns the answer."""
        return window_services.consultation_open(
            staff=self.users["clerk"], channel=Consultation.Channel.WINDOW, topic="新生儿落户",
            question="新生儿落户需要带哪些材料?", asker_name=self.users["owner"].real_name,
            asker_id_number=self.users["owner"].id_number,
        )

    @cached_property
    def ready_post(self):
        """Result ready, to be posted: the applicant chose 邮寄送达."""
        application = submitted_application(applicant=self.users["owner"], matters=[self.matter], delivery={
            "method": "post", "recipient": "陈志明", "phone": "13826651024", "address": "清远市清新区太和镇玄真路8号"})
        application = services.application_accept(application=application, clerk=self.users["clerk"])
        services.dispatch_subcases(application_id=application.pk)
        services.subcase_decide(subcase=application.subcases.get(), reviewer=self.users["reviewer"],
                                approve=True, reason="")
        with mock.patch("workflow.documents.generate_notice"):
            services.prepare_result(application_id=application.pk)
        return Application.objects.get(pk=application.pk)
    # 好差评 and 投诉举报 -------------------------------------------------------------------------
    @cached_property
    def followup(self):
        """A bad online rating of a case of the matter's department: its follow-up."""
        case = concluded_application(applicant=self.users["owner"], matters=[self.matter])
        token = ratings.rating_token_issue(application=case, occasion="decision")
        return ratings.rating_submit(token=token, level=1, comment="等了很久").followup

    @cached_property
    def rate_link(self):
        return ratings.rating_token_issue(application=self.ready, occasion="decision")

    @cached_property
    def walk_in(self):
        return walk_in_application(clerk=self.users["clerk"], applicant=self.users["owner"], matters=[self.matter])

    @cached_property
    def complaint(self):
        return complaints.complaint_submit(user=self.users["owner"], department_id=self.matter.department_id,
                                           subject="重复提交材料", content="窗口要求重复提交同一份材料,希望改进。")

    def snapshot(self):
        """What no refusal may change: every case's state, the case log, the accounts, the
        authorisations and staff requests, the consultations and their history."""
        return (
            sorted(Application.objects.values_list("number", "state", "delivery_method", "pickup_hall")),
            sorted(SubCase.objects.values_list("number", "state")),
            Application.objects.filter(log__isnull=False).count(),
            User.objects.count(),
            sorted(AgentAuthorisation.objects.values_list("pk", "revoked_at")),
            sorted(MembershipRequest.objects.values_list("pk", "state")),
            EnterpriseMembership.objects.count(),
            sorted(User.objects.values_list("pk", "password")),
            sorted(Consultation.objects.values_list("number", "state", "owner_id")),
            ConsultationEvent.objects.count(),
        )


class _LazyUsers:
    def __init__(self, world):
        self.world, self.made = world, {}

    def __getitem__(self, role):
        if role not in self.made:
            self.made[role] = {
                "anonymous": lambda: None,
                "owner": UserFactory,
                "other_citizen": UserFactory,
                "clerk": ClerkFactory,
                "reviewer": lambda: ReviewerFactory(department=self.world.matter.department),
                "other_reviewer": lambda: ReviewerFactory(department=DepartmentFactory()),
                "supervisor": SupervisorFactory,
            }[role]()
        return self.made[role]


class _Url(dict):
    """`url.format_map(_Url(world))`: only the objects the url names are made."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, key):
        w = self.world
        return {
            "matter": lambda: w.matter.code,
            "theme": lambda: w.theme.code,
            "waiting": lambda: w.waiting.number,
            "supplement": lambda: w.supplement.number,
            "in_review": lambda: w.in_review.number,
            "ready": lambda: w.ready.number,
            "ready_post": lambda: w.ready_post.number,
            "subcase": lambda: w.subcase.number,
            "grant": lambda: w.grant.pk,
            "staff_request": lambda: w.staff_request.pk,
            "last4": lambda: w.users["owner"].id_number[-4:],
            "wrong4": lambda: _wrong(w.users["owner"].id_number[-4:]),
            "hall": lambda: w.hall.code,
            "ticket": lambda: w.ticket.token,
            "called": lambda: w.called.token,
            "slot": lambda: w.slot.pk,
            "booking": lambda: w.booking.code,
            "consultation": lambda: w.consultation.number,
            "owner_id_number": lambda: w.users["owner"].id_number,
            "followup": lambda: w.followup.pk,
            "rate_link": lambda: w.rate_link.token,
            "walk_in": lambda: w.walk_in.number,
            "complaint": lambda: w.complaint.pk,
            "code": lambda: w.complaint.code,
        }[key]()


def _wrong(last4):
    return ("1" if last4[0] != "1" else "2") + last4[1:]


# --- request bodies (made from the row's world) ------------------------------------------------


def _oneform(world, user):
    return {f"field_{key}": value for key, value in form_for([world.matter], user or UserFactory.build()).items()}


def _uploads(world):
    return {f"material_{r.pk}": pdf_upload(f"{r.name}.pdf") for r in world.matter.materials.all() if r.must_be_brought}


def apply_body(world, role):
    return {**_oneform(world, world.users[role]), **_uploads(world)}


def resubmit_body(world, role):
    return {**_oneform(world, world.users["owner"]), **_uploads(world)}


def supplement_body(world, role):
    requirement = world.matter.materials.order_by("pk").first()
    return {"material": [requirement.pk], f"reason_{requirement.pk}": "未签字", "note": "请补齐后重新提交"}


def walk_in_body(world, role):
    person = UserFactory.build()
    return {"applicant_real_name": "王秀英", "applicant_id_number": person.id_number, "applicant_phone": "13712345678",
            **_oneform(world, person), "received": [r.pk for r in world.matter.materials.all()], "accept_now": "1"}


def consultation_body(world, role):
    return {"channel": "window", "asker_name": "王秀英", "asker_phone": "13712345678", "topic": "营业执照",
            "question": "个体户营业执照可以网上办吗?"}


def handover_body(world, role):
    return {"to": world.users["reviewer"].pk, "reason": "涉及部门政策,请审批人员答复"}


def signup_body(world, role):
    return {"real_name": "赵晓燕", "id_number": valid_id_number(), "phone": "13612345678", "username": "zhaoxiaoyan",
            "password1": PASSWORD, "password2": PASSWORD}


def grant_body(world, role):
    return {"agent_name": world.agent.real_name, "agent_id_number": world.agent.id_number, "enterprise": "",
            "matters": [world.matter.pk], "starts_on": "2026-01-01", "ends_on": "2026-12-31", "note": "代为办理"}


def window_grant_body(world, role):
    owner = world.users["owner"]
    return {**grant_body(world, role), "principal_real_name": owner.real_name, "principal_id_number": owner.id_number,
            "letter_checked": "1"}


def staff_request_body(world, role):
    return {"credit_code": world.enterprise.credit_code, "note": "财务部出纳"}


def claim_body(world, role):
    person, application = world.walked_in_person
    return {"real_name": person.real_name, "id_number": person.id_number, "phone": person.phone,
            "application_number": application.number, "username": "huanglijuan", "password1": PASSWORD,
            "password2": PASSWORD}


def login_body(world, role):
    return {"username": world.users["owner"].username, "password": PASSWORD}


def with_waiting_ticket(world, role):
    world.ticket  # noqa: B018 - a number waits in the clerk's hall
    return {}


# --- what an allowed action did (checked on every row answered 302) ------------------------------


def ticket_taken(world, role, response):
    ticket = Ticket.objects.get(hall=world.hall, number="A001")
    return response["Location"] == f"/queue/tickets/{ticket.token}/" and ticket.user == world.users[role]


def ticket_became(attr, state, **fields):
    def check(world, role, response):
        ticket = Ticket.objects.get(pk=getattr(world, attr).pk)
        return ticket.state == state and all(getattr(ticket, k) == v for k, v in fields.items())
    return check


def booked(world, role, response):
    return Appointment.objects.filter(slot=world.slot, user=world.users[role], state="booked").exists()


def booking_cancelled(world, role, response):
    return Appointment.objects.get(pk=world.booking.pk).state == "cancelled"

def posted(world, role, response):
    application = Application.objects.get(pk=world.ready_post.pk)
    return application.state == S.DELIVERED and application.post_tracking_number == "1186543210975"


def delivery_became_post(world, role, response):
    return Application.objects.get(pk=world.waiting.pk).delivery_method == "post"


def state_of(application):
    return Application.objects.get(pk=application.pk).state


def became(attr, state):
    return lambda world, role, response: state_of(getattr(world, attr)) == state


def repeat_permitted(world, role, response):
    return world.waiting.repeat_permits.filter(granted_by=world.users[role]).exists()


def applied(world, role, response):
    new = Application.objects.filter(applicant=world.users[role]).get()
    return new.state == S.SUBMITTED and response["Location"] == f"/applications/{new.number}/"


def walked_in(world, role, response):
    new = Application.objects.filter(channel=Channel.WINDOW).get()
    return new.state == S.ACCEPTED and new.created_by == world.users["clerk"]


def consultation_recorded(world, role, response):
    new = Consultation.objects.get(topic="营业执照")
    return new.owner == new.recorded_by == world.users[role] and response["Location"] == f"/consultations/{new.number}/"


def consultation_answered(world, role, response):
    return Consultation.objects.get(pk=world.consultation.pk).state == Consultation.State.ANSWERED


def consultation_handed_to_reviewer(world, role, response):
    return Consultation.objects.get(pk=world.consultation.pk).owner == world.users["reviewer"]


def subcase_became(state):
    return lambda world, role, response: SubCase.objects.get(pk=world.subcase.pk).state == state


def signed_up(world, role, response):
    return User.objects.filter(username="zhaoxiaoyan").exists() == (role == "anonymous")


def signed_in_as_owner(world, role, response):
    return role != "anonymous" or response.wsgi_request.session.get("_auth_user_id") == str(world.users["owner"].pk)


def signed_out(world, role, response):
    return "_auth_user_id" not in response.wsgi_request.session and response["Location"] == "/"


def to_workbench(world, role, response):
    return response["Location"] == {
        "owner": "/applications/", "other_citizen": "/applications/", "clerk": "/hall/",
        "reviewer": "/review/", "other_reviewer": "/review/", "supervisor": "/supervision/",
    }[role]


def looked_up(world, role, response):
    log = CaseLog.objects.get(application=world.waiting, action="workflow.application.looked_up")
    return log.actor == world.users[role] and response["Location"] == f"/applications/{world.waiting.number}/"


def granted(world, role, response):
    return AgentAuthorisation.objects.filter(principal=world.users[role], agent=world.agent).count() == 1


def granted_at_window(world, role, response):
    grant = AgentAuthorisation.objects.get(agent=world.agent)
    return grant.principal == world.users["owner"] and grant.recorded_by == world.users["clerk"]


def revoked(world, role, response):
    return AgentAuthorisation.objects.get(pk=world.grant.pk).revoked_by == world.users[role]


def staff_requested(world, role, response):
    return MembershipRequest.objects.filter(user=world.users[role], state="pending").count() == 1 and not \
        EnterpriseMembership.objects.filter(user=world.users[role], enterprise=world.enterprise).exists()


def staff_approved(world, role, response):
    request = MembershipRequest.objects.get(pk=world.staff_request.pk)
    return request.state == "approved" and EnterpriseMembership.objects.filter(user=request.user).exists()


def claimed(world, role, response):
    person = User.objects.get(pk=world.walked_in_person[0].pk)
    return person.has_usable_password() == (role == "anonymous")
def evaluation_queued(world, role, response):
    from supervision.models import ReportJob

    job = ReportJob.objects.get()
    return job.requested_by == world.users[role] and job.state == "queued" and f"job={job.pk}" in response["Location"]


def to_workbench_page(world, role, response):
    return response["Location"] == "/workbench/"


def rated(world, role, response):
    return Rating.objects.filter(token=world.rate_link, level=4).exists()


def complained(world, role, response):
    complaint = Complaint.objects.get(subject="办事难")
    return complaint.complainant == world.users[role] and response["Location"].endswith(complaint.code)


def called_back(world, role, response):
    return CallBack.objects.filter(followup=world.followup, by=world.users[role]).exists()


def appealed(world, role, response):
    return RatingAppeal.objects.filter(rating=world.followup.rating, appealed_by=world.users[role]).exists()


def complaint_became(state):
    return lambda world, role, response: Complaint.objects.get(pk=world.complaint.pk).state == state


COMPLAINT = {"subject": "办事难", "content": "窗口工作人员要求重复提交同一份材料。"}
PUBLIC = [200] * 7
# (method, url, body, expected per role in ROLES order, what a 302 did)
CASES = [
    # public pages
    ("get", "/", None, PUBLIC, None),
    ("get", "/guide/", None, PUBLIC, None),
    ("get", "/guide/matters/{matter}/", None, PUBLIC, None),
    ("get", "/guide/matters/441803-XK-9999/", None, [404] * 7, None),
    ("get", "/guide/matters/{matter}/v1/", None, [302] * 7, None),  # the current version: its page
    ("get", "/guide/matters/{matter}/v9/", None, [404] * 7, None),
    ("get", "/guide/matters/{matter}/materials/999999/form/", None, [404] * 7, None),
    # (the guide as PDF, public, binary: tests/matters/test_guide_pdf.py)
    # the business manual (业务手册): staff only
    ("get", "/manual/matters/{matter}/", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/themes/", None, PUBLIC, None),
    ("get", "/themes/{theme}/", None, PUBLIC, None),
    ("get", "/themes/no-such-theme/", None, [404] * 7, None),
    ("get", "/progress/", None, PUBLIC, None),
    ("get", "/verify/", None, PUBLIC, None),
    # 办件公示: public, nothing about the applicant (tests/portal/test_disclosure.py)
    ("get", "/disclosure/", None, PUBLIC, None),
    ("get", "/disclosure/?number={waiting}&state=submitted&received_from=2026-01-01", None, PUBLIC, None),
    ("get", "/disclosure/?received_from=yesterday", None, [400] * 7, None),
    ("get", "/progress/?number={waiting}&id_last4={last4}", None, PUBLIC, None),
    ("get", "/progress/?number={waiting}&id_last4={wrong4}", None, [404] * 7, None),
    # sign-in pages
    ("get", "/accounts/login/", None, [200, 302, 302, 302, 302, 302, 302], to_workbench_page),
    ("post", "/accounts/login/", login_body, [302] * 7, signed_in_as_owner),
    ("get", "/accounts/signup/", None, [200, 302, 302, 302, 302, 302, 302], to_workbench_page),
    ("post", "/accounts/signup/", signup_body, [302] * 7, signed_up),
    ("get", "/accounts/logout/", None, [405] * 7, None),
    ("post", "/accounts/logout/", {}, [302] * 7, signed_out),
    ("get", "/workbench/", None, [LOGIN, 302, 302, 302, 302, 302, 302], to_workbench),
    # claiming an account a window registered (anonymous only; signed-in people go to their workbench)
    ("get", "/accounts/claim/", None, [200, 302, 302, 302, 302, 302, 302], to_workbench_page),
    ("post", "/accounts/claim/", claim_body, [302] * 7, claimed),
    # 委托代办 (我的): the principal grants and revokes; the agent is a registered real-name user
    ("get", "/me/agents/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("post", "/me/agents/", grant_body, [LOGIN, 302, 302, 403, 403, 403, 403], granted),
    ("post", "/me/agents/{grant}/revoke/", {"reason": "改由本人办理"}, [LOGIN, 302, 404, 403, 403, 403, 403], revoked),
    # enterprise staff (经办人): ask to join; the enterprise's authoriser (owner here) decides
    ("get", "/me/enterprises/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("post", "/me/enterprises/", staff_request_body, [LOGIN, 409, 302, 403, 403, 403, 403], staff_requested),
    ("post", "/me/enterprises/requests/{staff_request}/decide/", {"decision": "approve"},
     [LOGIN, 302, 404, 403, 403, 403, 403], staff_approved),
    ("get", "/me/enterprises/requests/{staff_request}/letter/", None, [LOGIN, 404, 404, 403, 403, 403, 403], None),
    ("get", "/me/enterprises/requests/{staff_request}/decide/", None, [LOGIN, 405, 405, 403, 403, 403, 403], None),
    # apply online
    ("get", "/apply/matter/{matter}/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("post", "/apply/matter/{matter}/", apply_body, [LOGIN, 302, 302, 403, 403, 403, 403], applied),
    ("get", "/apply/theme/{theme}/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("post", "/apply/theme/{theme}/", apply_body, [LOGIN, 302, 302, 403, 403, 403, 403], applied),
    # applications and their actions
    ("get", "/applications/", None, [LOGIN, 200, 200, 302, 302, 302, 302], to_workbench_page),
    ("get", "/applications/{waiting}/", None, [LOGIN, 200, 404, 200, 404, 404, 200], None),
    ("get", "/applications/{supplement}/", None, [LOGIN, 200, 404, 200, 404, 404, 200], None),
    ("get", "/applications/{in_review}/", None, [LOGIN, 200, 404, 200, 200, 404, 200], None),
    ("get", "/applications/{ready}/", None, [LOGIN, 200, 404, 200, 200, 404, 200], None),
    ("get", "/applications/{waiting}/accept/", None, [LOGIN, 405, 405, 405, 405, 405, 405], None),
    ("post", "/applications/{waiting}/withdraw/", {"reason": "不办了"},
     [LOGIN, 302, 404, 403, 404, 404, 403], became("waiting", S.WITHDRAWN)),
    ("post", "/applications/{in_review}/withdraw/", {"reason": "不办了"},
     [LOGIN, 302, 404, 403, 403, 404, 403], became("in_review", S.WITHDRAWN)),
    ("post", "/applications/{supplement}/resubmit/", resubmit_body,
     [LOGIN, 302, 404, 403, 404, 404, 403], became("supplement", S.SUBMITTED)),
    ("post", "/applications/{supplement}/supplement-at-window/", {},
     [LOGIN, 403, 404, 302, 404, 404, 403], became("supplement", S.SUBMITTED)),
    ("post", "/applications/{in_review}/materials/999999/provide/", {}, [LOGIN, 404, 404, 404, 404, 404, 404], None),
    ("post", "/applications/{waiting}/accept/", {}, [LOGIN, 403, 404, 302, 404, 404, 403], became("waiting", S.ACCEPTED)),
    ("post", "/applications/{waiting}/supplement/", supplement_body,
     [LOGIN, 403, 404, 302, 404, 404, 403], became("waiting", S.SUPPLEMENT_REQUESTED)),
    # The one write a supervisor makes: leave for a repeated supplement (a permit and a log row).
    ("post", "/applications/{waiting}/allow-repeat/", {"reason": "原件与扫描件不一致"},
     [LOGIN, 403, 404, 403, 404, 404, 302], repeat_permitted),
    ("post", "/applications/{waiting}/refuse/", {"reason": "不属于本区管辖"},
     [LOGIN, 403, 404, 302, 404, 404, 403], became("waiting", S.NOT_ACCEPTED)),
    ("post", "/applications/{ready}/deliver/", lambda world, role: {"id_number": world.users["owner"].id_number},
     [LOGIN, 403, 404, 302, 403, 404, 403], became("ready", S.DELIVERED)),
    # result delivery: the applicant's choice, posting by the delivery window
    ("post", "/applications/{waiting}/delivery/", {"delivery_method": "post", "post_recipient": "陈志明",
                                                   "post_phone": "13826651024", "post_address": "清远市清新区太和镇玄真路8号"},
     [LOGIN, 302, 404, 403, 404, 404, 403], delivery_became_post),
    ("post", "/applications/{ready_post}/post/", {"carrier": "中国邮政EMS", "tracking_number": "1186543210975"},
     [LOGIN, 403, 404, 302, 403, 404, 403], posted),
    ("get", "/applications/{ready_post}/", None, [LOGIN, 200, 404, 200, 200, 404, 200], None),
    # electronic licences: the holder's list, the public verification
    ("get", "/licences/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("get", "/licences/verify/", None, PUBLIC, None),
    ("get", "/licences/verify/?number=DZZZ-441803-2026-999999&code=0000-0000-0000-0000", None, [404] * 7, None),
    ("get", "/licences/verify/?number=DZZZ-441803-2026-999999&code=12", None, [400] * 7, None),
    # the window
    ("get", "/hall/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/?tab=supplement", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/walk-in/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/walk-in/?matter={matter}", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("post", "/hall/walk-in/?matter={matter}", walk_in_body, [LOGIN, 403, 403, 302, 403, 403, 403], walked_in),
    ("get", "/hall/delivery/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/search/?q={waiting}", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("post", "/hall/search/{waiting}/open/", {"kind": "number"}, [LOGIN, 403, 403, 302, 403, 403, 403], looked_up),
    ("post", "/hall/search/441803-2026-XK-999999/open/", {"kind": "number"}, [LOGIN, 403, 403, 404, 403, 403, 403],
     None),
    # the queue (取号叫号): public numbers and screen, calling from the clerk's hall page
    ("get", "/queue/", None, PUBLIC, None),
    ("get", "/queue/{hall}/", None, PUBLIC, None),
    ("get", "/queue/{hall}/?mode=terminal", None, PUBLIC, None),
    ("get", "/queue/NO-SUCH-HALL/", None, [404] * 7, None),
    ("post", "/queue/{hall}/", {"queue": "natural"}, [302] * 7, ticket_taken),
    ("get", "/queue/{hall}/screen/", None, PUBLIC, None),
    ("get", "/queue/tickets/{ticket}/", None, PUBLIC, None),
    ("get", "/queue/tickets/{ticket}/?partial=1", None, PUBLIC, None),
    ("post", "/queue/tickets/{ticket}/cancel/", {}, [LOGIN, 302, 404, 404, 404, 404, 404],
     ticket_became("ticket", "cancelled")),
    ("get", "/hall/queue/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/queue/call/", None, [405] * 7, None),
    ("post", "/hall/queue/call/", with_waiting_ticket, [LOGIN, 403, 403, 302, 403, 403, 403],
     ticket_became("ticket", "called")),
    ("post", "/hall/queue/{called}/recall/", {}, [LOGIN, 403, 403, 302, 403, 403, 403],
     ticket_became("called", "called", recall_count=1)),
    ("post", "/hall/queue/{called}/serve/", {}, [LOGIN, 403, 403, 302, 403, 403, 403], ticket_became("called", "served")),
    ("post", "/hall/queue/{called}/no-show/", {}, [LOGIN, 403, 403, 302, 403, 403, 403],
     ticket_became("called", "no_show")),
    # appointments (预约): citizens and enterprises
    ("get", "/appointments/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("get", "/appointments/book/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("get", "/appointments/book/?hall={hall}&queue=natural", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("post", "/appointments/slots/{slot}/book/", {}, [LOGIN, 302, 302, 403, 403, 403, 403], booked),
    ("post", "/appointments/{booking}/cancel/", {}, [LOGIN, 302, 404, 403, 403, 403, 403], booking_cancelled),
    ("get", "/hall/?tab=in_hand", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/agents/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("post", "/hall/agents/", window_grant_body, [LOGIN, 403, 403, 302, 403, 403, 403], granted_at_window),
    # 统一调配: administrators only (their rows: tests/windows/test_staffing_pages.py)
    ("get", "/staffing/", None, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("post", "/staffing/", {"action": "move"}, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("get", "/hall/walk-in/?theme={theme}", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/walk-in/lookup/?id_number={owner_id_number}", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/walk-in/{waiting}/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/walk-in/no-such-number/", None, [LOGIN, 403, 403, 404, 403, 403, 403], None),
    # 首问责任 consultations: any staff member records and owns; supervisors read; citizens read theirs
    ("get", "/consultations/", None, [LOGIN, 200, 200, 200, 200, 200, 200], None),
    ("get", "/consultations/?tab=all", None, [LOGIN, 200, 200, 200, 200, 200, 200], None),
    ("get", "/consultations/?overdue=1", None, [LOGIN, 200, 200, 200, 200, 200, 200], None),
    ("get", "/consultations/new/", None, [LOGIN, 403, 403, 200, 200, 200, 403], None),
    ("post", "/consultations/new/", consultation_body, [LOGIN, 403, 403, 302, 302, 302, 403], consultation_recorded),
    ("get", "/consultations/{consultation}/", None, [LOGIN, 200, 404, 200, 404, 404, 200], None),
    ("post", "/consultations/{consultation}/answer/", {"answer": "请携带出生医学证明和户口簿"},
     [LOGIN, 403, 404, 302, 404, 404, 403], consultation_answered),
    ("post", "/consultations/{consultation}/handover/", handover_body,
     [LOGIN, 403, 404, 302, 404, 404, 403], consultation_handed_to_reviewer),
    ("get", "/consultations/{consultation}/answer/", None, [LOGIN, 405, 405, 405, 405, 405, 405], None),
    # the department
    ("get", "/review/", None, [LOGIN, 403, 403, 403, 200, 200, 403], None),
    ("get", "/review/{subcase}/", None, [LOGIN, 403, 403, 403, 200, 404, 200], None),
    ("post", "/review/{subcase}/start/", {}, [LOGIN, 403, 403, 403, 302, 404, 403],
     subcase_became(SubCase.State.EXAMINING)),
    ("post", "/review/{subcase}/decide/", {"decision": "approve"}, [LOGIN, 403, 403, 403, 302, 404, 403],
     subcase_became(SubCase.State.APPROVED)),
    ("post", "/review/{subcase}/clock/", {"action": "suspend", "kind": "hearing", "reason": "申请听证"},
     [LOGIN, 403, 403, 403, 302, 404, 403], subcase_became(SubCase.State.SUSPENDED)),
    # supervision
    ("get", "/supervision/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/?partial=1", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/?period=year&group_by=clerk&channel=online&wall=1", None,
     [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/figures/cases/?period=month&count=concluded&dim=department&key=1", None,
     [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/figures/cases/?count=nonsense", None, [LOGIN, 403, 403, 403, 403, 403, 400], None),
    ("get", "/supervision/audit/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    # 两集中、三到位 (its XLSX: tests/supervision/test_compliance.py)
    ("get", "/supervision/compliance/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/cards/", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/cards/?state=all&level=red&review=none", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/policies/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    # performance evaluation (administrators too: tests/supervision/test_evaluation.py)
    ("get", "/supervision/evaluation/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/evaluation/?start=2026-10-01&end=2026-10-31", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("post", "/supervision/evaluation/export/", {"start": "2026-10-01", "end": "2026-10-31"},
     [LOGIN, 403, 403, 403, 403, 403, 302], evaluation_queued),
    ("get", "/supervision/evaluation/export/", None, [405] * 7, None),
    ("get", "/supervision/evaluation/jobs/999999/", None, [LOGIN, 403, 403, 403, 403, 403, 404], None),
    ("get", "/supervision/evaluation/jobs/999999/pdf/", None, [LOGIN, 403, 403, 403, 403, 403, 404], None),
    ("post", "/supervision/policies/", {}, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    # the catalog as XLSX: administrators only. The administrator's rows and the XLSX downloads
    # (binary, not a page): tests/matters/test_catalog_pages.py
    ("get", "/catalog/", None, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("get", "/catalog/export/", None, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("post", "/catalog/import/", {}, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("get", "/catalog/import/", None, [405] * 7, None),
    # the situation questions' preview: administrators only (their rows: tests/matters/test_questions.py)
    ("get", "/catalog/themes/{theme}/situations/", None, [LOGIN, 403, 403, 403, 403, 403, 403], None),
    ("post", "/catalog/themes/{theme}/situations/", {}, [405] * 7, None),
    ("get", "/guide/?q=yyzz&target=legal&level=district&theme={theme}", None, PUBLIC, None),
    # 好差评: the one-time link is the key (anyone holding it rates once); "评价" on the application
    # for its applicant; the window's QR page for the clerk; staff lists narrowed by role
    ("get", "/rate/{rate_link}/", None, PUBLIC, None),
    ("get", "/rate/NoSuchLinkNoSuchLinkNoSuchLink/", None, [404] * 7, None),
    ("post", "/rate/{rate_link}/", {"level": "4"}, [302] * 7, rated),
    ("get", "/applications/{ready}/rate/", None, [LOGIN, 200, 404, 404, 404, 404, 404], None),
    ("get", "/hall/rate/{walk_in}/", None, [LOGIN, 403, 403, 200, 403, 403, 403], None),
    ("get", "/hall/rate/441803-2026-XK-999999/", None, [LOGIN, 403, 403, 404, 403, 403, 403], None),
    ("get", "/supervision/ratings/", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/ratings/?by=clerk&start=2026-01-01&level=2&occasion=decision", None,
     [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/appeals/", None, [LOGIN, 403, 403, 403, 403, 403, 200], None),
    ("get", "/supervision/followups/", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/followups/?state=open&overdue=1", None, [LOGIN, 403, 403, 200, 200, 200, 200], None),
    ("get", "/supervision/followups/{followup}/", None, [LOGIN, 403, 403, 404, 200, 404, 200], None),
    ("post", "/supervision/followups/{followup}/", {"action": "call_back", "method": "phone", "summary": "电话回访"},
     [LOGIN, 403, 403, 404, 302, 404, 403], called_back),
    ("post", "/supervision/followups/{followup}/", {"action": "appeal", "kind": "mistaken", "statement": "误评"},
     [LOGIN, 403, 403, 404, 302, 404, 403], appealed),
    ("post", "/supervision/followups/{followup}/", {"action": "decide", "decision": "accept", "reason": "成立"},
     [LOGIN, 403, 403, 404, 403, 404, 403], None),
    # 投诉举报: anyone complains and follows it by code; the department replies; supervisors close
    ("get", "/complaints/", None, PUBLIC, None),
    ("post", "/complaints/", COMPLAINT, [302] * 7, complained),
    ("get", "/complaints/status/", None, PUBLIC, None),
    ("get", "/complaints/status/?code={code}", None, PUBLIC, None),
    ("get", "/complaints/status/?code=ABCDEFGHJKLM", None, [404] * 7, None),
    ("post", "/complaints/status/", {"code": "{code}", "action": "accept"}, [409] * 7, None),
    ("get", "/complaints/mine/", None, [LOGIN, 200, 200, 403, 403, 403, 403], None),
    ("get", "/supervision/complaints/", None, [LOGIN, 403, 403, 403, 200, 200, 200], None),
    ("get", "/supervision/complaints/?state=all&overdue=1", None, [LOGIN, 403, 403, 403, 200, 200, 200], None),
    ("get", "/supervision/complaints/{complaint}/", None, [LOGIN, 403, 403, 403, 200, 404, 200], None),
    ("post", "/supervision/complaints/{complaint}/", {"action": "reply", "reply": "已核实处理"},
     [LOGIN, 403, 403, 403, 302, 404, 403], complaint_became("replied")),
    ("post", "/supervision/complaints/{complaint}/", {"action": "close", "note": "督查办结"},
     [LOGIN, 403, 403, 403, 403, 404, 302], complaint_became("closed")),
]


def _refused(expected):
    return expected == LOGIN or expected >= 400


def _rows():
    for method, url, body, statuses, effect in CASES:
        assert len(statuses) == len(ROLES), url
        for role, expected in zip(ROLES, statuses):
            yield pytest.param(role, method, url, body, expected, effect, id=f"{role}-{method}-{url}")


def _cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _message(html):
    """The sentence a refusal shows: the error page's paragraph or the page's error alert."""
    for start, end in (('class="error-page', "</section>"), ('class="alert alert-error"', "</div>")):
        if start in html:
            return html.split(start, 1)[1].split(end, 1)[0]
    return ""


@pytest.fixture
def world(db):
    cache.clear()  # the progress look-up counts failures per number and address in the cache
    return World()


@pytest.mark.parametrize("role,method,url,body,expected,effect",
                         sorted(_rows(), key=lambda p: not _refused(p.values[4])))
def test_page_matrix(client, world, role, method, url, body, expected, effect):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = url.format_map(_Url(world))
    data = body(world, role) if callable(body) else body
    if isinstance(data, dict):  # a body may name the world's objects too ({"code": "{code}"})
        data = {k: v.format_map(_Url(world)) if isinstance(v, str) and "{" in v else v for k, v in data.items()}
    unchanged = _refused(expected) or (role == "supervisor" and method == "post" and "allow-repeat" not in url)
    before = world.snapshot() if unchanged else None

    response = client.post(url, data=data) if method == "post" else client.get(url)

    html = response.content.decode()
    if expected == LOGIN:
        assert response.status_code == 302, html[:300]
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    else:
        assert response.status_code == expected, f"{response.status_code}: {_message(html) or html[:300]}"
    if expected in (403, 404, 405):
        assert _cjk(_message(html)), html[:500]  # a Chinese sentence saying why
    if expected == 404:  # nothing of a case the reader may not see
        for made in ("waiting", "supplement", "in_review", "ready"):
            assert made not in vars(world) or vars(world)[made].title not in html
    if expected == 302 and effect is not None:
        assert effect(world, role, response), response.get("Location")
    if unchanged:  # a refusal, or any POST by the supervisor, changes no case
        assert world.snapshot() == before


def test_public_pages_are_open_to_everyone():
    """The guide, themes and progress pages are rows of the matrix with 200 for every role."""
    public = [url for method, url, _b, statuses, _e in CASES if statuses == PUBLIC]
    assert {"/", "/guide/", "/guide/matters/{matter}/", "/themes/", "/themes/{theme}/", "/progress/"} <= set(public)


def test_progress_lookup_shows_the_state_only_to_the_right_last4(client, world):
    application = world.waiting
    last4 = world.users["owner"].id_number[-4:]

    right = client.get("/progress/", {"number": application.number, "id_last4": last4.lower()})
    assert right.status_code == 200
    html = right.content.decode()
    assert application.title in html and "待受理" in html
    assert world.users["owner"].real_name not in html  # the name is masked: 李**

    wrong = client.get("/progress/", {"number": application.number, "id_last4": _wrong(last4)})
    assert wrong.status_code == 404
    html = wrong.content.decode()
    assert application.title not in html and "待受理" not in html
    assert "未查到" in html

    unknown = client.get("/progress/", {"number": "441803-2026-XK-999999", "id_last4": last4})
    assert unknown.status_code == 404 and unknown.content.decode().count("未查到") == 1
