"""The evening-before reminder of an appointment (预约提醒), through notifications.notify."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import notify

from .models import Appointment


def remind_appointments(today: dt.date) -> int:
    """One message per appointment booked for tomorrow (Beijing date)."""
    tomorrow = today + dt.timedelta(days=1)
    sent = 0
    for appointment in (Appointment.objects.filter(state=Appointment.State.BOOKED, slot__date=tomorrow)
                        .select_related("slot__hall", "user")):
        slot = appointment.slot
        sent += notify(
            recipient=appointment.user, kind=Kind.APPOINTMENT,
            title=_("明日 %(t)s 预约办事提醒") % {"t": slot.starts_at.astimezone().strftime("%H:%M")},
            body=_("您预约了 %(hall)s %(date)s 的办事时段,预约码 %(code)s。请携带身份证,到大厅签到取号。") % {
                "hall": slot.hall.name, "date": tomorrow, "code": appointment.code},
            link="/appointments/", dedupe_key=f"appointment:{appointment.pk}") is not None
    return sent
