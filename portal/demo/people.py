"""Demo data for who may act for whom: clerks' matter authorisations (授权), an agent (委托代办)
authorised by `citizen`, the legal representative who approves enterprise staff, a pending staff
request, and a person a window registered who can claim the account online.

Every step is idempotent (keyed by username, ID number or idempotency key)."""

import datetime as dt

from django.utils import timezone

from accounts.models import AgentAuthorisation, Enterprise, EnterpriseMembership, MembershipRequest, User
from matters.models import Matter
from windows.models import ClerkAuthorisation
from workflow.models import Application

from .catalog import PASSWORD, _id
from .districts import home_matters

SEATS_FROM = dt.date(2026, 1, 1)

PEOPLE = [
    # 委托代办: 陈志明 (citizen) authorised his nephew to apply for a few matters for him
    {"username": "agent", "real_name": "陈伟健", "id_number": _id("44180319950623013"), "phone": "13680271935"},
    # an employee of the tea company asking to become its 经办人 (pending)
    {"username": "staff", "real_name": "周敏", "id_number": _id("44180319960214022"), "phone": "13925380461"},
]
# A person the 太和镇 window registered at a walk-in: no password; claims the account online.
WALK_IN = {"real_name": "黄丽娟", "id_number": _id("44182719700918024"), "phone": "13760241853"}
# The clerk of the 太和镇 hall is authorised for the first matters of the natural-person catalog only.
TAIHE_MATTERS = 12
TAIHE_COMMON = ("社会保障卡申领", "居住证申领")


def natural_matters():
    return list(home_matters().filter(target="natural").order_by("code"))


def load_people():
    for row in PEOPLE:
        if not User.objects.filter(username=row["username"]).exists():
            user = User(role=User.Role.PUBLIC, **row)
            user.set_password(PASSWORD)
            user.save()
    # clerks' 授权: every matter, except the township clerk
    for clerk in User.objects.filter(role=User.Role.CLERK).exclude(username="clerk_taihe"):
        ClerkAuthorisation.objects.get_or_create(clerk=clerk, all_matters=True, category="",
                                                 defaults={"starts_on": SEATS_FROM})
    taihe = User.objects.filter(username="clerk_taihe").first()
    if taihe is not None and not ClerkAuthorisation.objects.filter(clerk=taihe).exists():
        grant = ClerkAuthorisation.objects.create(clerk=taihe, starts_on=SEATS_FROM)
        # the first matters by code, and those a town hall handles most (the delivery demo accepts
        # a 社会保障卡 application there)
        common = Matter.objects.filter(name__in=TAIHE_COMMON, target="natural")
        grant.matters.set([*natural_matters()[:TAIHE_MATTERS], *common])
    # the legal representatives among enterprise members may authorise and approve staff
    for membership in EnterpriseMembership.objects.select_related("enterprise", "user"):
        if membership.user.real_name == membership.enterprise.legal_representative and not membership.may_authorise:
            membership.title, membership.may_authorise = "法定代表人", True
            membership.save(update_fields=["title", "may_authorise"])
    # 陈志明 authorised 陈伟健 for four matters, for a year from last month
    citizen, agent = User.objects.filter(username="citizen").first(), User.objects.get(username="agent")
    if citizen is not None and not AgentAuthorisation.objects.filter(principal=citizen, agent=agent).exists():
        today = timezone.localdate()
        grant = AgentAuthorisation.objects.create(
            principal=citizen, agent=agent, starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=335), recorded_by=citizen, note="本人在外务工,委托侄子代办")
        grant.matters.set(natural_matters()[:4])
    # 陈志明 signed in to the mobile app on his phone: his notices are pushed there too (the
    # messaging sandbox's page lists them under 手机App推送)
    if citizen is not None:
        from notifications.models import AppDevice

        AppDevice.objects.get_or_create(token="demo-citizen-android-0000000001",
                                        defaults={"user": citizen, "platform": "android", "name": "陈志明的手机"})
    # 周敏 asks to become a 经办人 of the tea company
    staff = User.objects.get(username="staff")
    tea = Enterprise.objects.order_by("pk").first()
    if tea is not None and not MembershipRequest.objects.filter(user=staff, enterprise=tea).exists():
        MembershipRequest.objects.create(user=staff, enterprise=tea, note="公司行政部,负责证照办理")


def load_people_cases(*, files, form):
    """Applications of the demo people, made once: the agent's application for 陈志明 and the
    walk-in whose applicant can claim the account. `files(matters)`/`form(matters, person)` are
    load_demo's helpers."""
    from windows.services import WalkIn, walk_in_receive
    from workflow import services as workflow

    made = 0
    citizen, agent = User.objects.filter(username="citizen").first(), User.objects.get(username="agent")
    matters = natural_matters()
    if citizen is not None and matters and not Application.objects.filter(applicant=citizen, agent=agent).exists():
        workflow.application_submit(submission=workflow.Submission(
            applicant=citizen, agent=agent, matters=[matters[1]], form_data=form([matters[1]], citizen),
            files=files([matters[1]]), idempotency_key="demo-agent",
        ))
        made += 1
    clerk = User.objects.filter(username="clerk_taihe").first()
    if clerk is not None and matters and not User.objects.filter(id_number=WALK_IN["id_number"]).exists():
        person = User(real_name=WALK_IN["real_name"], id_number=WALK_IN["id_number"], phone=WALK_IN["phone"])
        walk_in_receive(clerk=clerk, accept_if_complete=True, walk_in=WalkIn(
            applicant=WALK_IN, matters=[matters[0]], form_data=form([matters[0]], person),
            received=tuple(r.pk for r in matters[0].materials.all())))
        made += 1
    return made


