"""The demo's 上门办理 and 帮办 (issue 13): a few matters the elderly and disabled need marked as
allowing a home visit; 何丽娟 (clerk) is head of the district hall; 李秀英 (citizen2) booked a
home visit for her mother, scheduled on the next working day with 何丽娟; a help-desk clerk,
梁淑贞 (clerk_assist, 帮办代办窗口 C01), filled an application with 陈志明 (citizen), who confirmed
it with the code in his message centre (no SMS gateway yet: the code is read there).

Idempotent: each part is made once."""

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone

from accounts.models import Hall, User
from matters.models import Matter
from notifications.models import Message
from windows import help_desk, home_visits
from windows.models import ClerkAuthorisation, HallHead, HelpDeskDraft, HomeVisit, Seat, Window
from workflow.calendar_store import load_calendar

from . import totp
from .catalog import PASSWORD, _id

HOME_VISIT_MATTERS = (
    "社会保障卡申领",
    "居民身份证换领",
    "职工基本养老保险退休待遇核定",
    "最低生活保障审核确认",
    "困难残疾人生活补贴和重度残疾人护理补贴申领",
)
ASSIST_CLERK = {
    "username": "clerk_assist",
    "real_name": "梁淑贞",
    "id_number": _id("44180319920611028"),
    "phone": "13929671503",
}
MOTHER = {"person_name": "李桂芳", "person_id_number": _id("44180319430312026")}
SEATS_FROM = dt.date(2026, 1, 1)


def load_home_visits(command) -> dict:
    with transaction.atomic():
        if not Matter.objects.filter(home_visit=True).exists():  # keep what an administrator set since
            Matter.objects.filter(name__in=HOME_VISIT_MATTERS, target="natural").update(home_visit=True)
        hall = Hall.objects.filter(code="QX-ZWZX").first()
        head = User.objects.filter(username="clerk").first()
        if hall is None or head is None:
            return {"visits": 0, "help_desk": 0}
        HallHead.objects.get_or_create(hall=hall, clerk=head)
        assist = _assist_clerk(hall)
    return {"visits": _booked_visit(hall, head), "help_desk": _help_desk_application(command, assist)}


def _assist_clerk(hall):
    clerk = User.objects.filter(username=ASSIST_CLERK["username"]).first()
    if clerk is None:
        clerk = User(role=User.Role.CLERK, **ASSIST_CLERK)
        clerk.set_password(PASSWORD)
        clerk.save()
        totp.enrol(clerk)  # staff sign in with a second factor
    window = Window.objects.filter(hall=hall, category=Window.Category.ASSIST).order_by("number").first()
    if window is not None:
        Seat.objects.get_or_create(clerk=clerk, window=window, defaults={"starts_on": SEATS_FROM})
    ClerkAuthorisation.objects.get_or_create(
        clerk=clerk, all_matters=True, category="", defaults={"starts_on": SEATS_FROM}
    )
    return clerk


def _booked_visit(hall, head) -> int:
    citizen = User.objects.filter(username="citizen2").first()
    matter = Matter.objects.filter(name="社会保障卡申领", home_visit=True).first()
    if citizen is None or matter is None or HomeVisit.objects.exists():
        return 0
    calendar = load_calendar()
    day = calendar.workdays_from(timezone.localdate() + dt.timedelta(days=1), 1)[0]
    with transaction.atomic():
        visit = home_visits.home_visit_book(
            user=citizen,
            matter=matter,
            hall=hall,
            reason="elderly",
            reason_note="83岁,腿脚不便,不能久站",
            address="清远市清新区太和镇洲心大道东18号2栋302",
            phone=citizen.phone,
            preferred_date=day,
            for_self=False,
            relation="女儿",
            **MOTHER,
        )
        home_visits.home_visit_assign(
            visit=visit, by=head, clerk=head, starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        )
    return 1


def _help_desk_application(command, clerk) -> int:
    citizen = User.objects.filter(username="citizen").first()
    matter = Matter.objects.filter(name="城乡居民基本养老保险参保登记", target="natural").first()
    if citizen is None or matter is None or HelpDeskDraft.objects.exists():
        return 0
    try:
        help_desk.help_desk_hall(clerk)
    except Exception:  # noqa: BLE001 - no 帮办 window seated today in this catalog: nothing to show
        return 0
    draft = help_desk.help_desk_start(
        clerk=clerk,
        id_number=citizen.id_number,
        matter=matter,
        form_data=command._form([matter], citizen),
        files=command._files([matter]),
    )
    # The citizen reads the code on the phone (消息中心) and tells it to the clerk.
    body = Message.objects.filter(recipient=citizen, kind="confirmation_code").order_by("-pk").first().body
    help_desk.help_desk_confirm(clerk=clerk, draft=draft, code=re.search(r"确认码 (\d{6})", body).group(1))
    return 1
