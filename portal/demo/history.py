"""Ninety days of past cases for the supervisor's dashboard: a few applications a day for the
demo catalog's hall matters, online or at the windows of the demo halls, accepted by the seated
clerks (a few deemed accepted), decided mostly on time by the departments (some late, some after
a special procedure), most delivered. Rows are bulk-inserted with stored dates (the services act
"now"); numbers use the sequence type "LS" (历史), so the history is made once.

Then `supervision.figures.refresh_all()` builds the rollups the dashboard reads."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.identity import id_check_char
from accounts.models import User
from core.clock import law
from windows.models import Seat
from workflow.calendar_store import load_calendar
from workflow.models import Application, SubCase

from .catalog import DISTRICT
from .districts import home_matters

DAYS = 90
PREFIX = "441803-{year}-LS-"
TITLES = {"natural": "个人办件", "legal": "企业办件"}


SURNAMES = "陈李黄张梁刘何罗林吴钟郑谢冯朱邓曾彭"
GIVEN = ["志强", "丽华", "建国", "秀英", "伟", "敏", "嘉欣", "国华", "淑贞", "海燕", "俊杰", "晓彤"]
RESIDENTS = 60


def _residents(rng):
    """The district's past applicants: real-name residents of their own (no password one could
    sign in with here), so that the demo accounts people sign in with keep a short list."""
    people = list(User.objects.filter(username__startswith="resident").order_by("pk"))
    for i in range(len(people), RESIDENTS):
        first17 = f"441803{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
        person = User(username=f"resident{i + 1:03d}", role=User.Role.PUBLIC,
                      real_name=rng.choice(SURNAMES) + rng.choice(GIVEN), id_number=first17 + id_check_char(first17),
                      phone=f"13{rng.randint(100000000, 999999999)}")
        person.set_unusable_password()
        if not User.objects.filter(id_number=person.id_number).exists():
            person.save()
            people.append(person)
    return people


def _moment(day, hour, minute):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def load_history(*, today=None, seed=2026) -> int:
    today = today or timezone.localdate()
    if Application.objects.filter(number__contains="-LS-").exists():
        return 0
    rng = random.Random(seed)
    calendar = load_calendar()
    # 清新区's history (its numbers are 441803-…): its matters, received at its halls
    matters = list(home_matters().select_related("department").order_by("code"))
    seats = list(Seat.objects.select_related("window", "clerk").filter(
        window__category__in=["natural", "legal"], window__hall__region__code__startswith=DISTRICT[:6]))
    citizens = _residents(rng)
    if not matters or not seats or not citizens:
        return 0
    apps, plans, n = [], [], 0
    for back in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        per_day = rng.randint(5, 12) if calendar.is_workday(day) else rng.randint(0, 2)
        for _ in range(per_day):
            n += 1
            seat = rng.choice(seats)
            category = "legal" if seat.window.category == "legal" else "natural"
            chosen = [m for m in matters if m.target == category] or matters
            picked = rng.sample(chosen, min(len(chosen), rng.choice([1, 1, 1, 2, 3])))
            online = rng.random() < 0.45
            deemed = online and rng.random() < 0.04
            accepted_on = None
            if rng.random() < 0.96:
                accepted_on = day if (not online or deemed) else calendar.add_workdays(day, rng.randint(0, 2))
                if accepted_on > today:
                    accepted_on = None
            applicant = rng.choice(citizens)
            app = Application(
                number=f"{PREFIX.format(year=day.year)}{n:06d}", applicant=applicant, created_by=applicant if online else seat.clerk,
                category=category, title=f"{picked[0].name}{'等' if len(picked) > 1 else ''}", channel="online" if online else "window",
                state=Application.State.IN_REVIEW if accepted_on else Application.State.NOT_ACCEPTED,
                received_hall=None if online else seat.window.hall, submitted_at=_moment(day, rng.randint(8, 17), rng.randint(0, 59)),
                received_on=day,
                accepted_on=accepted_on, accepted_at=_moment(accepted_on, 10, 30) if accepted_on else None,
                accepted_by=None if (deemed or not accepted_on) else seat.clerk,
                accepted_hall=None if (deemed or not accepted_on) else seat.window.hall, deemed_accepted=deemed,
                refusal_reason="" if accepted_on else "申请事项不属于本机关职权范围,请向市级部门申请。",
            )
            apps.append(app)
            plans.append((app, picked, seat))
    Application.objects.bulk_create(apps)
    subs, delivered = [], []
    for app, picked, seat in plans:
        if not app.accepted_on:
            continue
        decisions = []
        for k, matter in enumerate(picked, 1):
            paused = 3 if rng.random() < 0.06 else 0
            deadline = calendar.add_workdays(app.accepted_on, matter.promised_days + paused)
            late = rng.choice([0] * 12 + [1, 2, 4])
            taken = min(matter.promised_days, int(matter.promised_days * rng.random() ** 1.5)) + late + paused
            decided_on = calendar.add_workdays(app.accepted_on, taken)
            decided = decided_on <= today and not (decided_on == today and rng.random() < 0.5)
            state = (rng.choice([SubCase.State.APPROVED] * 9 + [SubCase.State.DENIED]) if decided
                     else SubCase.State.EXAMINING)
            decisions.append(decided_on if decided else None)
            subs.append(SubCase(
                number=f"{app.number}-{k:02d}", application=app, matter=matter, department=matter.department,
                accepted_by_id=app.accepted_by_id, state=state, promised_days=matter.promised_days, started_on=app.accepted_on, deadline=deadline,
                yellow_from=law.yellow_from(calendar, start=app.accepted_on, deadline=deadline,
                                            limit_days=matter.promised_days),
                dispatched_at=app.accepted_at, decided_on=decided_on if decided else None,
                decided_at=_moment(decided_on, 15, 20) if decided else None, paused_days=paused,
                decision_reason="" if state != SubCase.State.DENIED else "申请材料与实际情况不符。",
            ))
        if all(decisions):
            handed = max(decisions) + dt.timedelta(days=rng.randint(0, 3))
            if handed <= today and rng.random() < 0.85:
                delivered.append((app.pk, _moment(handed, 11, 5), seat.clerk if rng.random() < 0.8 else None,
                                  seat.window.hall))
    SubCase.objects.bulk_create(subs)
    for pk, moment, clerk, hall in delivered:
        Application.objects.filter(pk=pk).update(state=Application.State.DELIVERED, delivered_at=moment,
                                                 delivered_by=clerk, delivery_hall=hall if clerk else None)
    return len(apps)
