"""The role × endpoint × object matrix of issue 12: one district with every role and objects of
several owners, a list of endpoints (pages, API lists and details, the data-use CSV export, the
supervisor's drill-down, PDFs of notices, licences and receipts; complaints, ratings, follow-ups,
red and yellow cards, appointments, queue tickets and 委托代办 records), and for every role the
objects each endpoint may show. `run(world)` returns the differences — an object shown that should not
be, or one missing — so that a test can also prove that a widened selector is caught.

What an endpoint "shows" is read from the answer itself: which application numbers and licence
numbers appear in the page, JSON or CSV (a sub-case's number contains its application's), and for
objects without a number a mark of their own (`World.marks`: a complaint's subject, a rating's
comment, a card's reason, an appointment's code, a ticket's token or masked phone, an
authorisation's id in the page or the JSON); a PDF or a detail read shows its one object when it
answers 200. An action (POST) on someone else's object shows it when it gets past the access
check: the world's objects are chosen so that their owner's action is refused by the state (409:
an appointment already cancelled, an authorisation already revoked), never carried out. A refused
answer (login redirect, 401, 403, 404) shows nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone

from accounts.models import EnterpriseMembership, User
from accounts.services import authorisation_revoke
from exchange.models import DataQuery
from exchange.services import licence_issue
from matters.models import FeeItem
from payments.models import FeeLine, PaymentOrder
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    EnterpriseFactory,
    HallFactory,
    MatterFactory,
    RegionFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    WindowFactory,
    agent_for,
    submitted_application,
)
from windows.models import Window
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.documents import generate_notice
from workflow.models import Application, Notice

ROLES = (
    "anonymous", "citizen", "other_citizen", "agent_within", "agent_outside", "enterprise_representative",
    "enterprise_staff", "clerk_seated", "clerk_other_hall", "clerk_unseated", "delivery_clerk", "reviewer",
    "department_leader", "other_reviewer", "supervisor", "district_supervisor", "administrator",
)
APPS = ("waiting", "by_agent", "in_review", "agent_lapsed", "enterprise", "other")
LICENCES = ("lic_citizen", "lic_enterprise", "lic_other")


@dataclass
class World:
    users: dict
    apps: dict  # name → Application
    licences: dict  # name → ElectronicLicence
    notices: dict = field(default_factory=dict)  # app name → Notice
    orders: dict = field(default_factory=dict)  # app name → PaymentOrder with a receipt
    consultations: dict = field(default_factory=dict)  # name → Consultation (首问责任)
    complaints: dict = field(default_factory=dict)  # name → Complaint
    ratings: dict = field(default_factory=dict)  # name → Rating
    followups: dict = field(default_factory=dict)  # name → FollowUp (差评整改)
    cards: dict = field(default_factory=dict)  # name → Card
    appointments: dict = field(default_factory=dict)  # name → Appointment (cancelled)
    tickets: dict = field(default_factory=dict)  # name → Ticket
    authorisations: dict = field(default_factory=dict)  # name → AgentAuthorisation
    halls: dict = field(default_factory=dict)  # name → Hall
    marks: dict = field(default_factory=dict)  # kind → {name: [strings, any of which shows the object]}


def build() -> World:
    seed_calendar(years=[timezone.localdate().year])
    # two districts (issue 15): the other department and hall B are 清城区's, the rest 清新区's
    qingcheng = RegionFactory(code="441802000000", name="清城区")
    dept, other_dept = DepartmentFactory(), DepartmentFactory(region=qingcheng)
    natural = MatterFactory(department=dept)
    legal = MatterFactory(department=dept, target="legal")
    other_matter = MatterFactory(department=other_dept)
    for matter in (natural, other_matter):
        FeeItem.objects.create(matter=matter, name="受理费", amount_fen=500, legal_basis="粤价〔2026〕1号",
                               charge_at=FeeItem.ChargeAt.ACCEPTANCE)
    hall_a, hall_b, hall_c = HallFactory(), HallFactory(region=qingcheng), HallFactory()
    citizen, other_citizen = UserFactory(), UserFactory()
    agent_within, agent_outside = UserFactory(), UserFactory()
    representative, staff = UserFactory(), UserFactory()
    enterprise = EnterpriseFactory(staff=[staff])
    EnterpriseMembership.objects.create(enterprise=enterprise, user=representative, may_authorise=True)
    seated = ClerkFactory(window=WindowFactory(hall=hall_a))
    legal_clerk = ClerkFactory(window=WindowFactory(hall=hall_a, category=Window.Category.LEGAL))
    clerk_b = ClerkFactory(window=WindowFactory(hall=hall_b))
    leader = ReviewerFactory(department=dept, is_department_leader=True)
    users = {
        "anonymous": None,
        "citizen": citizen,
        "other_citizen": other_citizen,
        "agent_within": agent_within,
        "agent_outside": agent_outside,
        "enterprise_representative": representative,
        "enterprise_staff": staff,
        "clerk_seated": seated,
        "clerk_other_hall": ClerkFactory(window=WindowFactory(hall=hall_c)),
        "clerk_unseated": UserFactory(role=User.Role.CLERK),
        "delivery_clerk": ClerkFactory(window=WindowFactory(hall=hall_b, category=Window.Category.DELIVERY,
                                                            name="综合出件窗口")),
        "reviewer": ReviewerFactory(department=dept),
        "department_leader": leader,
        "other_reviewer": ReviewerFactory(department=other_dept),
        "supervisor": SupervisorFactory(),
        "district_supervisor": SupervisorFactory(district=qingcheng),  # 清城区's alone
        "administrator": UserFactory(role=User.Role.ADMINISTRATOR),
    }
    within = agent_for(citizen, [natural], agent=agent_within)
    lapsing = agent_for(citizen, [natural], agent=agent_outside)

    apps = {}
    # waiting at every natural-person window (同城通办), submitted by the citizen herself
    apps["waiting"] = submitted_application(applicant=citizen, matters=[natural])
    # submitted by her agent within the authorisation, waiting too
    apps["by_agent"] = submitted_application(applicant=citizen, matters=[natural], agent=agent_within)
    # accepted by the seated clerk, in review at the department
    apps["in_review"] = services.application_accept(
        application=submitted_application(applicant=citizen, matters=[natural]), clerk=seated)
    services.dispatch_subcases(application_id=apps["in_review"].pk)
    # submitted by the other agent, accepted; then the authorisation is revoked
    apps["agent_lapsed"] = services.application_accept(
        application=submitted_application(applicant=citizen, matters=[natural], agent=agent_outside), clerk=seated)
    authorisation_revoke(authorisation=lapsing, by=citizen, reason="不再委托")
    # the enterprise's, applied for by its 经办人, accepted at the legal-person window
    apps["enterprise"] = services.application_accept(
        application=submitted_application(applicant=staff, enterprise=enterprise, matters=[legal]), clerk=legal_clerk)
    services.dispatch_subcases(application_id=apps["enterprise"].pk)
    # another citizen's, accepted at hall B, approved, its result waiting at hall B's delivery window
    other = services.application_accept(
        application=submitted_application(applicant=other_citizen, matters=[other_matter]), clerk=clerk_b)
    services.dispatch_subcases(application_id=other.pk)
    for subcase in other.subcases.all():
        services.subcase_decide(subcase=subcase, reviewer=users["other_reviewer"], approve=True, reason="")
    services.prepare_result(application_id=other.pk)
    apps["other"] = Application.objects.get(pk=other.pk)
    assert apps["other"].state == Application.State.RESULT_READY, apps["other"].state

    def issue(app, *, holder_user=None, holder_enterprise=None):
        subcase = app.subcases.first()
        holder = holder_enterprise or holder_user
        return licence_issue(
            case_ref=subcase.number, application_number=app.number, matter=subcase.matter, department=subcase.department,
            name="测试许可证", holder_name=getattr(holder, "name", "") or holder.real_name,
            holder_id_number=getattr(holder, "credit_code", "") or holder.id_number,
            holder_user=holder_user, holder_enterprise=holder_enterprise)[0]

    licences = {
        "lic_citizen": issue(apps["in_review"], holder_user=citizen),
        "lic_enterprise": issue(apps["enterprise"], holder_enterprise=enterprise),
        "lic_other": issue(apps["other"], holder_user=other_citizen),
    }
    world = World(users=users, apps=apps, licences=licences)
    world.notices["in_review"] = generate_notice(application=apps["in_review"], kind=Notice.Kind.ACCEPTANCE)
    world.notices["other"] = Notice.objects.filter(application=apps["other"]).first()
    for name in ("in_review", "other"):
        line = FeeLine.objects.get(application=apps[name])
        world.orders[name] = PaymentOrder.objects.create(
            fee_line=line, out_trade_no=f"TBTEST{line.pk:06d}", amount_fen=line.amount_fen,
            status=PaymentOrder.Status.PAID, paid_at=timezone.now(), settled_by="query",
            receipt_number=f"PJTEST{line.pk:06d}")
    from windows.services import consultation_open

    for name, staff, asker in (("cons_citizen", seated, citizen), ("cons_other", clerk_b, other_citizen)):
        world.consultations[name] = consultation_open(staff=staff, channel="window", topic="新生儿落户",
                                                      question="新生儿落户需要带哪些材料?", asker=asker)
    for name, subject in (("in_review", citizen), ("other", other_citizen)):
        DataQuery.objects.create(subject=subject, asked_by=subject, matter=apps[name].matters.first(),
                                 case_ref=apps[name].number, source="shebao", fields=["参保状态"],
                                 purpose="办件核验", outcome=DataQuery.Outcome.FOUND)
    world.halls = {"a": hall_a, "b": hall_b}
    world.authorisations = {"auth_within": within, "auth_lapsed": lapsing}
    _feedback_and_queue(world, dept=dept, other_dept=other_dept, natural=natural)
    return world


def _feedback_and_queue(world, *, dept, other_dept, natural):
    """Complaints, ratings and their follow-ups, cards, appointments and tickets of several owners."""
    from supervision.cards.models import Card
    from supervision.feedback import complaints, ratings
    from supervision.feedback.models import Occasion
    from tests.factories import AppointmentSlotFactory, ticket, walk_in_application
    from windows.queue_services import appointment_book, appointment_cancel

    users, apps = world.users, world.apps
    for name, user, department in (("cpl_citizen", users["citizen"], dept),
                                   ("cpl_other", users["other_citizen"], other_dept),
                                   ("cpl_routing", None, None)):  # anonymous, not yet routed: the centre's
        world.complaints[name] = complaints.complaint_submit(
            user=user, department_id=department.pk if department else None, subject=f"投诉{name}窗口推诿",
            content="窗口工作人员推诿,多次往返。", contact_name="陈先生", contact_phone="13800138000")
    # a bad rating of a window visit at hall A (the seated clerk's), and of the other department's decision
    visit = walk_in_application(clerk=users["clerk_seated"], applicant=users["citizen"], matters=[natural])
    for name, application, occasion, level in (("rat_window", visit, Occasion.WINDOW_ACCEPT, 1),
                                               ("rat_decision", apps["other"], Occasion.DECISION, 2)):
        link = ratings.rating_token_issue(application=application, occasion=occasion)
        world.ratings[name] = ratings.rating_submit(token=link, level=level, comment=f"评价{name}办理太慢",
                                                    reasons=["slow"])
        world.followups[name.replace("rat_", "fu_")] = world.ratings[name].followup
    subcase = apps["other"].subcases.first()
    for name, kwargs in (
        ("card_pre_review", {"application": apps["waiting"], "trigger": Card.Trigger.PRE_REVIEW}),
        ("card_deferred", {"application": apps["in_review"], "trigger": Card.Trigger.DEFERRED_MATERIAL}),
        ("card_decision", {"application": apps["other"], "subcase": subcase, "department": other_dept,
                           "trigger": Card.Trigger.DECISION}),
        ("card_followup", {"followup": world.followups["fu_window"], "hall": world.halls["a"],
                           "trigger": Card.Trigger.FOLLOWUP}),
    ):
        world.cards[name] = Card.objects.create(level=Card.Level.YELLOW, reason=f"测试牌{name}", **kwargs)
    for name, user, hall, phone in (("citizen", users["citizen"], world.halls["a"], "13900001111"),
                                    ("other", users["other_citizen"], world.halls["b"], "13900002222")):
        slot = AppointmentSlotFactory(hall=hall)
        appointment = appointment_book(user=user, slot=slot)
        world.appointments[f"appt_{name}"] = appointment_cancel(user=user, appointment=appointment)
        world.tickets[f"tkt_{name}"] = ticket(hall=hall, user=user, phone=phone)  # A001 in each hall
    world.marks = {
        "complaints": {n: [c.subject] for n, c in world.complaints.items()},
        "ratings": {n: [r.comment] for n, r in world.ratings.items()},
        "followups": {n: [f.rating.comment] for n, f in world.followups.items()},
        "cards": {n: [c.reason] for n, c in world.cards.items()},
        "appointments": {n: [a.code] for n, a in world.appointments.items()},
        "tickets": {n: [str(t.token), t.phone_masked] for n, t in world.tickets.items()},
        "authorisations": {n: [f'data-authorisation="{a.pk}"', f'"id":{a.pk},']
                           for n, a in world.authorisations.items()},
    }


# --- what each role may see ---------------------------------------------------------------------

# Applications in the role's lists (the API list and the 我的办件 page).
LISTED = {
    "anonymous": set(),
    "citizen": {"waiting", "by_agent", "in_review", "agent_lapsed"},
    "other_citizen": {"other"},
    "agent_within": {"by_agent"},
    "agent_outside": set(),  # submitted by him, but the authorisation was revoked
    "enterprise_representative": {"enterprise"},
    "enterprise_staff": {"enterprise"},
    "clerk_seated": {"waiting", "by_agent", "in_review", "agent_lapsed"},  # queue, what she accepted
    "clerk_other_hall": {"waiting", "by_agent"},  # the queue of every natural-person window (同城通办)
    "clerk_unseated": set(),
    "delivery_clerk": {"other"},  # the result waiting at her delivery window
    "reviewer": {"in_review", "agent_lapsed", "enterprise"},  # sub-cases at her department
    "department_leader": {"in_review", "agent_lapsed", "enterprise"},
    "other_reviewer": {"other"},
    "supervisor": set(APPS),
    # the case pages read city-wide (issue 15 scopes the supervision pages, not the case reads)
    "district_supervisor": set(APPS),
    "administrator": set(),
}
WITH_SUBCASES = {"in_review", "agent_lapsed", "enterprise", "other"}  # accepted, so dispatched
PUBLIC = {"citizen", "other_citizen", "agent_within", "agent_outside", "enterprise_representative", "enterprise_staff"}
CLERKS = {"clerk_seated", "clerk_other_hall", "clerk_unseated", "delivery_clerk"}
SEATED = {"clerk_seated", "clerk_other_hall", "delivery_clerk"}
LICENSED = {
    "citizen": {"lic_citizen"},
    "other_citizen": {"lic_other"},
    "enterprise_representative": {"lic_enterprise"},
    "enterprise_staff": {"lic_enterprise"},
    "reviewer": {"lic_citizen", "lic_enterprise"},  # issued by her department
    "department_leader": {"lic_citizen", "lic_enterprise"},
    "other_reviewer": {"lic_other"},
    "supervisor": set(LICENCES),
    "district_supervisor": set(LICENCES),
}
FEES = {"citizen": {"in_review", "agent_lapsed"}, "other_citizen": {"other"}}
RECEIPTS = {"citizen": {"in_review"}, "other_citizen": {"other"}, "supervisor": {"in_review", "other"},
            "district_supervisor": {"in_review", "other"}, "administrator": {"in_review", "other"}}
DATA_USE = {"citizen": {"in_review"}, "other_citizen": {"other"}}
# 首问责任: the asker, the clerk who recorded (and owns) it, supervisors
CONSULTED = {"citizen": {"cons_citizen"}, "other_citizen": {"cons_other"}, "clerk_seated": {"cons_citizen"},
             "supervisor": {"cons_citizen", "cons_other"}, "district_supervisor": {"cons_citizen", "cons_other"}}


# 投诉举报: the complainant (我的投诉), the department it was routed to, supervisors (the centre's
# own, not yet routed, only they)
COMPLAINED = {"citizen": {"cpl_citizen"}, "other_citizen": {"cpl_other"}, "reviewer": {"cpl_citizen"},
              "department_leader": {"cpl_citizen"}, "other_reviewer": {"cpl_other"},
              "supervisor": {"cpl_citizen", "cpl_other", "cpl_routing"},
              "district_supervisor": {"cpl_other"}}  # its department's; routing is the city centre's
STAFF_COMPLAINTS = {"reviewer", "department_leader", "other_reviewer", "supervisor", "district_supervisor"}
# 好差评 and 差评整改: the rated department's reviewers, clerks seated today in the rated hall,
# supervisors; never the person rated about (the window rating is of hall A, where the seated clerk sits)
RATED = {"clerk_seated": {"window"}, "other_reviewer": {"decision"}, "supervisor": {"window", "decision"},
         "district_supervisor": {"decision"}}  # 清城区's department's decision, not hall A's window
STAFF = CLERKS | {"reviewer", "department_leader", "other_reviewer", "supervisor", "district_supervisor"}
# red and yellow cards (decisions: "Who answers for an application's own card")
CARDED = {
    # the pre-review of an online application waiting at every natural-person window; the 容缺
    # card of the case she accepted at hall A; the follow-up of hall A's window rating
    "clerk_seated": {"card_pre_review", "card_deferred", "card_followup"},
    "clerk_other_hall": {"card_pre_review"},  # seated at a natural-person window of hall C today
    "other_reviewer": {"card_decision"},  # its department's sub-case
    "supervisor": {"card_pre_review", "card_deferred", "card_decision", "card_followup"},
    "district_supervisor": {"card_decision"},  # 清城区's department's; the others are hall A's or 清新区's
}
BOOKED = {"citizen": {"appt_citizen"}, "other_citizen": {"appt_other"}}
QUEUED = {"citizen": {"tkt_citizen"}, "other_citizen": {"tkt_other"}}
# the ticket A001 found by the workbench search in the halls where the clerk sits today
QUEUED_AT = {"clerk_seated": {"tkt_citizen"}, "delivery_clerk": {"tkt_other"}}
# 委托代办: granted (the principal) and received (the agent, even after the revocation); a clerk
# only with both people's ID numbers, which these lists do not give
AUTHORISED = {"citizen": {"auth_within", "auth_lapsed"}, "agent_within": {"auth_within"},
              "agent_outside": {"auth_lapsed"}}


def _of(table, roles=None):
    return lambda role: table.get(role, set()) if roles is None or role in roles else set()


def _ratings(prefix):
    return lambda role: {f"{prefix}_{k}" for k in RATED.get(role, set())}


def readable(role) -> set:
    """Details: what is listed, and for a clerk seated today any case by its number (found at
    her window; the read is logged)."""
    return set(APPS) if role in SEATED else LISTED[role]


def subcases(role) -> set:
    if role in ("agent_within", "agent_outside"):
        return set()  # agents follow the application, not its sub-cases
    return LISTED[role] & WITH_SUBCASES


@dataclass
class Probe:
    name: str
    urls: object  # world → [(url, object name or None)]; None: a list, read its contents
    expected: object  # role → set of object names
    kind: str = "apps"  # which numbers to look for in a list: World.apps, .licences, .consultations …
    method: str = "get"  # "post": an action on each object (shown: it got past the access check)


def _list(url):
    return lambda world: [(url, None)]


PROBES = [
    Probe("api application list", _list("/api/applications/?page_size=200"), lambda r: LISTED[r]),
    Probe("page 我的办件", _list("/applications/"), lambda r: LISTED[r] if r in PUBLIC else set()),
    Probe("page 窗口工作台", _list("/hall/"),  # the queue of her windows today
          lambda r: LISTED[r] & {"waiting", "by_agent"} if r in CLERKS else set()),
    Probe("api sub-case list", _list("/api/subcases/?page_size=200"), subcases),
    Probe("page 审批工作台", _list("/review/"),
          # open sub-cases of her department (the other department's is decided)
          lambda r: LISTED[r] & WITH_SUBCASES if r in ("reviewer", "department_leader") else set()),
    Probe("page 出件", _list("/hall/delivery/"), lambda r: {"other"} if r == "delivery_clerk" else set()),
    Probe("api licence list", _list("/api/licences/"), lambda r: LICENSED.get(r, set()), kind="licences"),
    Probe("page 我的证照", _list("/licences/"),
          lambda r: LICENSED.get(r, set()) if r in ("citizen", "other_citizen", "enterprise_representative",
                                                    "enterprise_staff") else set(), kind="licences"),
    Probe("api fee list", _list("/api/fees/"), lambda r: FEES.get(r, set())),
    Probe("page 我的缴费", _list("/payments/"), lambda r: FEES.get(r, set())),
    Probe("csv 数据使用记录", _list("/my-data-use/?format=csv"), lambda r: DATA_USE.get(r, set())),
    Probe("drill-down 办件明细", _list("/supervision/figures/cases/?count=accepted&dim=all&key=0&period=year"),
          # a district supervisor: accepted at the district's halls (hall B: "other")
          lambda r: {"in_review", "agent_lapsed", "enterprise", "other"} if r == "supervisor"
          else {"other"} if r == "district_supervisor" else set()),
    Probe("drill-down 办件明细 (hall A)",
          lambda w: [(f"/supervision/figures/cases/?count=accepted&dim=hall&key={w.halls['a'].pk}&period=year", None)],
          # another district's hall: 404 for 清城区's supervisor
          lambda r: {"in_review", "agent_lapsed", "enterprise"} if r == "supervisor" else set()),
    Probe("api application detail",
          lambda w: [(f"/api/applications/{a.number}/", n) for n, a in w.apps.items()], readable),
    Probe("page application detail",
          lambda w: [(f"/applications/{a.number}/", n) for n, a in w.apps.items()], readable),
    Probe("pdf notice",
          lambda w: [(f"/api/applications/{w.apps[n].number}/notices/{notice.pk}/file/", n)
                     for n, notice in w.notices.items()], lambda r: readable(r) & {"in_review", "other"}),
    Probe("pdf licence",
          lambda w: [(f"/api/licences/{lic.number}/file/", n) for n, lic in w.licences.items()],
          lambda r: LICENSED.get(r, set())),
    Probe("pdf receipt",
          lambda w: [(f"/payments/orders/{o.out_trade_no}/receipt.pdf", n) for n, o in w.orders.items()],
          lambda r: RECEIPTS.get(r, set())),
    Probe("api consultation list", _list("/api/consultations/"), lambda r: CONSULTED.get(r, set()),
          kind="consultations"),
    Probe("page 咨询", _list("/consultations/?tab=all"), lambda r: CONSULTED.get(r, set()), kind="consultations"),
    Probe("api consultation detail",
          lambda w: [(f"/api/consultations/{c.number}/", n) for n, c in w.consultations.items()],
          lambda r: CONSULTED.get(r, set())),
    # 投诉举报
    Probe("api complaint list", _list("/api/complaints/"), _of(COMPLAINED), kind="complaints"),
    Probe("page 投诉举报办理", _list("/supervision/complaints/?state=all"), _of(COMPLAINED, STAFF_COMPLAINTS),
          kind="complaints"),
    Probe("page 我的投诉", _list("/complaints/mine/"), _of(COMPLAINED, PUBLIC), kind="complaints"),
    Probe("api complaint detail",
          lambda w: [(f"/api/complaints/{c.pk}/", n) for n, c in w.complaints.items()], _of(COMPLAINED)),
    # 好差评 and 差评整改
    Probe("api rating list", _list("/api/ratings/"), _ratings("rat"), kind="ratings"),
    Probe("page 好差评", _list("/supervision/ratings/"), _ratings("rat"), kind="ratings"),
    Probe("api follow-up list", _list("/api/followups/"), _ratings("fu"), kind="followups"),
    Probe("page 差评整改", _list("/supervision/followups/?state="), _ratings("fu"), kind="followups"),
    Probe("api follow-up detail",
          lambda w: [(f"/api/followups/{f.pk}/", n) for n, f in w.followups.items()], _ratings("fu")),
    # red and yellow cards
    Probe("api card list", _list("/api/cards/?state=all"), _of(CARDED), kind="cards"),
    Probe("page 红黄牌", _list("/supervision/cards/?state=all"), _of(CARDED), kind="cards"),
    Probe("api card detail", lambda w: [(f"/api/cards/{c.pk}/", n) for n, c in w.cards.items()], _of(CARDED)),
    # 预约 and 取号
    Probe("api appointment list", _list("/api/appointments/"), _of(BOOKED), kind="appointments"),
    Probe("page 我的预约", _list("/appointments/"), _of(BOOKED), kind="appointments"),
    Probe("api appointment cancel",
          lambda w: [(f"/api/appointments/{a.code}/cancel/", n) for n, a in w.appointments.items()],
          _of(BOOKED), method="post"),
    Probe("page 取号 (my tickets)",
          lambda w: [(f"/queue/{h.code}/", None) for h in w.halls.values()], _of(QUEUED), kind="tickets"),
    Probe("page 工作台检索 (ticket A001)", _list("/hall/search/?q=A001"), _of(QUEUED_AT), kind="tickets"),
    # 委托代办
    Probe("api authorisation list", _list("/api/authorisations/"), _of(AUTHORISED), kind="authorisations"),
    Probe("page 委托代办", _list("/me/agents/"), _of(AUTHORISED), kind="authorisations"),
    Probe("api authorisation revoke",
          lambda w: [(f"/api/authorisations/{w.authorisations['auth_lapsed'].pk}/revoke/", "auth_lapsed")],
          # the principal, the agent, and a clerk seated today (the principal brings the paper to
          # any window, decisions: "Object permissions in one place per app"); refused by the state
          lambda r: {"auth_lapsed"} if r in SEATED or "auth_lapsed" in AUTHORISED.get(r, set()) else set(),
          method="post"),
]


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _shown(world, body: str, kind: str) -> set:
    if kind in world.marks:
        return {name for name, marks in world.marks[kind].items() if any(mark in body for mark in marks)}
    objects = getattr(world, kind)
    return {name for name, obj in objects.items() if obj.number in body}


REFUSED = (401, 403, 404)


def _got_through(response) -> bool:
    """An action answered past the access check (409 for an object in the wrong state, 400 …)."""
    if response.status_code in REFUSED:
        return False
    return not (response.status_code == 302 and resolve_url(settings.LOGIN_URL) in response.get("Location", ""))


def run(world, *, roles=ROLES, probes=PROBES, stop_at_first=False) -> list[str]:
    """Every difference between what each endpoint shows each role and what it may show."""
    failures = []
    for role in roles:
        client = _client(world.users[role])
        for probe in probes:
            expected = probe.expected(role)
            shown = set()
            for url, name in probe.urls(world):
                if probe.method == "post":
                    response = client.post(url, {"reason": "矩阵检查"}, content_type="application/json")
                    if _got_through(response):
                        shown.add(name)
                    continue
                response = client.get(url)
                if response.status_code != 200:
                    continue
                if name is not None:
                    shown.add(name)
                else:
                    body = b"".join(response) if response.streaming else response.content
                    shown |= _shown(world, body.decode("utf-8", "replace"), probe.kind)
            if shown != expected:
                failures.append(f"{role} · {probe.name}: shows {sorted(shown - expected)} it must not, "
                                f"misses {sorted(expected - shown)}")
                if stop_at_first:
                    return failures
    return failures
