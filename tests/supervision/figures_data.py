"""Random but plausible case data for the figure tests: a district with two halls, windows and
clerks (one changes window in the middle), three departments and matters of 0, 5 and 10 promised
working days, online and window applications over September-October 2026 (across the National
Day holiday and its make-up working days), accepted by clerks or deemed accepted, sub-cases
decided on time or late, some with paused days, some delivered after supplements at a window;
queue tickets served, no-show, cancelled or left waiting (some issued just before Beijing midnight
in UTC terms), called by clerks at their windows; ratings of every level at windows and online,
some invalidated by an accepted appeal; complaints open, overdue, replied, closed and at the centre.

Rows are written directly (bulk_create): the figures are about what is stored, and the services
that store it are tested elsewhere."""

import datetime as dt
import random
import uuid

from django.utils import timezone

from accounts.models import User
from supervision.models import Complaint, Occasion, Rating, RatingToken
from tests.factories import ClerkFactory, DepartmentFactory, HallFactory, MatterFactory, UserFactory, WindowFactory
from windows.models import Seat, Ticket
from workflow.calendar_store import load_calendar, seed_calendar
from workflow.models import Application, CaseLog, SubCase

FIRST = dt.date(2026, 9, 1)
LAST = dt.date(2026, 10, 31)


def _moment(day, hour):
    return dt.datetime(day.year, day.month, day.day, hour, 17, tzinfo=timezone.get_current_timezone())


def make_district(*, seed=7, applications=160, tickets=240):
    seed_calendar(years=[2026])
    calendar = load_calendar()
    rng = random.Random(seed)
    halls = [HallFactory(name="清新区政务服务中心"), HallFactory(name="太和镇便民服务中心")]
    windows = [WindowFactory(hall=halls[0]), WindowFactory(hall=halls[0]), WindowFactory(hall=halls[1])]
    clerks = [ClerkFactory(window=windows[0]), ClerkFactory(window=windows[1]), ClerkFactory(window=windows[2])]
    # the first clerk moves to the second window from 2026-10-09
    Seat.objects.filter(clerk=clerks[0]).update(ends_on=dt.date(2026, 10, 8))
    Seat.objects.create(clerk=clerks[0], window=windows[1], starts_on=dt.date(2026, 10, 9))
    departments = [DepartmentFactory(name=name) for name in ("清远市清新区市场监督管理局", "清远市清新区民政局",
                                                              "清远市清新区自然资源局")]
    matters = []
    for i, days in enumerate((0, 5, 10, 5)):
        matters.append(MatterFactory(department=departments[i % 3], promised_days=days, name=f"测试事项{i}"))
    citizens = [UserFactory() for _ in range(5)]
    apps, subs, logs = [], [], []
    plans = []
    span = (LAST - FIRST).days
    for n in range(applications):
        channel = rng.choice(["online", "window", "window"])
        submitted = FIRST + dt.timedelta(days=rng.randrange(span + 1))
        hour = rng.choice([0, 7, 9, 15, 23])  # 00:17 and 23:17 Beijing are the previous/same UTC day
        clerk_index = rng.randrange(3)
        clerk = clerks[clerk_index]
        state = Application.State.SUBMITTED
        accepted_on = deemed = None
        hall = None
        if rng.random() < 0.85:
            deemed = channel == "online" and rng.random() < 0.2
            accepted_on = submitted if (channel == "window" or deemed) else calendar.add_workdays(submitted, rng.randrange(3))
            state = Application.State.IN_REVIEW
            hall = None if deemed else (halls[0] if clerk_index < 2 else halls[1])
        app = Application(
            number=f"441803-2026-CS-{n:06d}", applicant=citizens[n % 5], created_by=clerk if channel == "window" else citizens[n % 5],
            category="natural", title=f"测试办件{n}", channel=channel, state=state,
            received_hall=(halls[0] if clerk_index < 2 else halls[1]) if channel == "window" else None,
            submitted_at=_moment(submitted, hour), accepted_on=accepted_on,
            accepted_at=_moment(accepted_on, 10) if accepted_on else None,
            accepted_by=None if (deemed or not accepted_on) else clerk, accepted_hall=hall, deemed_accepted=bool(deemed),
        )
        apps.append(app)
        plans.append((app, accepted_on))
    Application.objects.bulk_create(apps)
    for app, accepted_on in plans:
        if not accepted_on:
            continue
        all_decided = True
        for k, matter in enumerate(rng.sample(matters, rng.randint(1, 3))):
            deadline = calendar.add_workdays(accepted_on, matter.promised_days)
            paused = rng.choice([0, 0, 0, 2, 4])
            decided_on = None
            state = SubCase.State.EXAMINING
            if rng.random() < 0.8:
                late = rng.choice([0, 0, 0, 0, 1, 3, 45, 60])
                taken = max(0, rng.randint(0, matter.promised_days) + late)
                decided_on = calendar.add_workdays(accepted_on, taken + paused)
                if rng.random() < 0.1:  # a weekend or holiday decision
                    decided_on += dt.timedelta(days=1)
                state = rng.choice([SubCase.State.APPROVED, SubCase.State.APPROVED, SubCase.State.DENIED])
            else:
                all_decided = False
            subs.append(SubCase(
                number=f"{app.number}-{k + 1:02d}", application=app, matter=matter, department=matter.department,
                state=state, promised_days=matter.promised_days, started_on=accepted_on,
                deadline=calendar.add_workdays(deadline, paused), yellow_from=deadline, dispatched_at=app.accepted_at,
                decided_on=decided_on, decided_at=_moment(decided_on, 16) if decided_on else None, paused_days=paused,
            ))
        if all_decided and rng.random() < 0.7:
            last_decision = max(s.decided_on for s in subs if s.application_id == app.pk)
            delivered = last_decision + dt.timedelta(days=rng.randrange(4))
            by_clerk = rng.random() < 0.7
            Application.objects.filter(pk=app.pk).update(
                delivered_at=_moment(delivered, rng.choice([9, 23])), delivered_by=clerks[0] if by_clerk else None,
                state=Application.State.DELIVERED)
            for _ in range(rng.choice([0, 0, 1, 2])):
                actor = rng.choice([clerks[1], app.applicant])
                logs.append(CaseLog(application=app, actor=actor, action="workflow.application.supplemented"))
    SubCase.objects.bulk_create(subs)
    CaseLog.objects.bulk_create(logs)
    _tickets(rng, halls, windows, clerks, tickets=tickets)
    _ratings(rng, apps, halls, clerks, departments)
    _complaints(rng, departments)
    return {"halls": halls, "windows": windows, "clerks": clerks, "departments": departments, "matters": matters,
            "supervisor": UserFactory(role=User.Role.SUPERVISOR)}


def _tickets(rng, halls, windows, clerks, *, tickets):
    span = (LAST - FIRST).days
    rows, sequence = [], {}
    states = [Ticket.State.SERVED] * 6 + [Ticket.State.NO_SHOW, Ticket.State.CANCELLED, Ticket.State.WAITING]
    for _n in range(tickets):
        day = FIRST + dt.timedelta(days=rng.randrange(span + 1))
        index = rng.randrange(3)
        clerk, hall = clerks[index], halls[0] if index < 2 else halls[1]
        # the clerk's window that day (the first clerk moved on 10-09)
        window = windows[index] if not (index == 0 and day >= dt.date(2026, 10, 9)) else windows[1]
        number = sequence[(hall.pk, day)] = sequence.get((hall.pk, day), 0) + 1
        issued = _moment(day, rng.choice([0, 8, 9, 14])) + dt.timedelta(seconds=rng.randrange(3000))
        state = rng.choice(states)
        called = issued + dt.timedelta(seconds=rng.randrange(5, 5400)) if state in (
            Ticket.State.SERVED, Ticket.State.NO_SHOW) else None
        rows.append(Ticket(
            token=uuid.UUID(int=rng.getrandbits(128)), hall=hall, day=day, category="natural", prefix="A",
            sequence=number, number=f"A{number:03d}", source="terminal", state=state, issued_at=issued,
            called_at=called, announced_at=called, called_by=clerk if called else None,
            window=window if called else None,
            finished_at=called + dt.timedelta(minutes=rng.randrange(1, 30)) if called else None))
    Ticket.objects.bulk_create(rows)


def _ratings(rng, apps, halls, clerks, departments):
    span = (LAST - FIRST).days
    tokens, ratings = [], []
    for app in apps:
        if rng.random() < 0.4:
            continue
        online = app.channel == "online"
        index = rng.randrange(3)
        token = RatingToken(
            token=uuid.UUID(int=rng.getrandbits(128)).hex, application=app,
            occasion=Occasion.ONLINE if online else Occasion.WINDOW_ACCEPT,
            clerk=None if online else clerks[index], hall=None if online else (halls[0] if index < 2 else halls[1]),
            department=rng.choice(departments) if online else None,
            expires_at=_moment(LAST, 9), used_at=_moment(LAST, 9))
        tokens.append(token)
    RatingToken.objects.bulk_create(tokens)
    for token in tokens:
        level = rng.choice([5, 5, 5, 4, 4, 3, 2, 1])
        ratings.append(Rating(
            token=token, application=token.application, occasion=token.occasion, clerk=token.clerk, hall=token.hall,
            department=token.department, level=level, rated_on=FIRST + dt.timedelta(days=rng.randrange(span + 1)),
            is_valid=not (level <= 2 and rng.random() < 0.3)))  # an accepted appeal invalidates some bad ones
    Rating.objects.bulk_create(ratings)


def _complaints(rng, departments):
    today = dt.date(2026, 11, 2)
    states = [Complaint.State.ROUTING, Complaint.State.OPEN, Complaint.State.OPEN, Complaint.State.REPLIED,
              Complaint.State.ESCALATED, Complaint.State.CLOSED]
    rows = []
    for n in range(30):
        state = rng.choice(states)
        submitted = today - dt.timedelta(days=rng.randrange(30))
        rows.append(Complaint(
            code=f"CODE{n:08d}", department=None if state == Complaint.State.ROUTING else rng.choice(departments),
            subject=f"测试投诉{n}", content="窗口办理等待时间长", state=state, submitted_on=submitted,
            due=submitted + dt.timedelta(days=rng.choice([5, 10, 20]))))
    Complaint.objects.bulk_create(rows)
