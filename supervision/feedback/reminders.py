"""办件待评价: the applicant of a case handed out (出件) 3 days ago and not rated yet is reminded
once, while its rating links are still valid (RATING_VALID_DAYS after the occasion), with the link
to the case's rating page. Through notifications.notify (the person's preferences; a text only
when they switched it on)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import notify
from workflow.models import Application

from .ratings import RATING_VALID_DAYS

RATING_REMIND_AFTER_DAYS = 3


def remind_ratings(today: dt.date) -> int:
    """Cases delivered between RATING_VALID_DAYS - 1 and RATING_REMIND_AFTER_DAYS days before
    `today` (Beijing dates) with no rating at all: one message per case."""
    start = lambda day: timezone.make_aware(dt.datetime.combine(day, dt.time.min))  # noqa: E731
    due = (
        Application.objects.filter(
            delivered_at__gte=start(today - dt.timedelta(days=RATING_VALID_DAYS - 1)),
            delivered_at__lt=start(today - dt.timedelta(days=RATING_REMIND_AFTER_DAYS - 1)),
        )
        .exclude(ratings__isnull=False)
        .select_related("applicant")
    )
    sent = 0
    for application in due:
        sent += (
            notify(
                recipient=application.applicant,
                kind=Kind.RATING_DUE,
                title=_("请为办件 %(n)s 的服务评价") % {"n": application.number},
                body=_("您的办件已办结出件。请对窗口服务和审批部门作出“好差评”,您的评价会用于改进服务。"),
                link=reverse("portal:application_ratings", args=[application.number]),
                dedupe_key=f"rating-due:{application.pk}",
            )
            is not None
        )
    return sent
