"""The role × endpoint × object matrix of issue 12: one district with every role and objects of
several owners, a list of endpoints (pages, API lists and details, the data-use CSV export, the
supervisor's drill-down, PDFs of notices, licences and receipts), and for every role the objects
each endpoint may show. `run(world)` returns the differences — an object shown that should not
be, or one missing — so that a test can also prove that a widened selector is caught.

What an endpoint "shows" is read from the answer itself: which application numbers and licence
numbers appear in the page, JSON or CSV (a sub-case's number contains its application's); a PDF or
a detail read shows its one object when it answers 200. A refused answer (login redirect, 403,
404) shows nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    "department_leader", "other_reviewer", "supervisor", "administrator",
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


def build() -> World:
    seed_calendar(years=[timezone.localdate().year])
    dept, other_dept = DepartmentFactory(), DepartmentFactory()
    natural = MatterFactory(department=dept)
    legal = MatterFactory(department=dept, target="legal")
    other_matter = MatterFactory(department=other_dept)
    for matter in (natural, other_matter):
        FeeItem.objects.create(matter=matter, name="受理费", amount_fen=500, legal_basis="粤价〔2026〕1号",
                               charge_at=FeeItem.ChargeAt.ACCEPTANCE)
    hall_a, hall_b, hall_c = HallFactory(), HallFactory(), HallFactory()
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
        "administrator": UserFactory(role=User.Role.ADMINISTRATOR),
    }
    agent_for(citizen, [natural], agent=agent_within)
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
    return world


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
}
FEES = {"citizen": {"in_review", "agent_lapsed"}, "other_citizen": {"other"}}
RECEIPTS = {"citizen": {"in_review"}, "other_citizen": {"other"}, "supervisor": {"in_review", "other"},
            "administrator": {"in_review", "other"}}
DATA_USE = {"citizen": {"in_review"}, "other_citizen": {"other"}}
# 首问责任: the asker, the clerk who recorded (and owns) it, supervisors
CONSULTED = {"citizen": {"cons_citizen"}, "other_citizen": {"cons_other"}, "clerk_seated": {"cons_citizen"},
             "supervisor": {"cons_citizen", "cons_other"}}


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
    kind: str = "apps"  # which numbers to look for in a list: World.apps, .licences, .consultations


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
          lambda r: {"in_review", "agent_lapsed", "enterprise", "other"} if r == "supervisor" else set()),
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
]


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _shown(world, body: str, kind: str) -> set:
    objects = getattr(world, kind)
    return {name for name, obj in objects.items() if obj.number in body}


def run(world, *, roles=ROLES, probes=PROBES, stop_at_first=False) -> list[str]:
    """Every difference between what each endpoint shows each role and what it may show."""
    failures = []
    for role in roles:
        client = _client(world.users[role])
        for probe in probes:
            expected = probe.expected(role)
            shown = set()
            for url, name in probe.urls(world):
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
