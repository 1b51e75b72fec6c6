"""证照到期提醒: the holder of an electronic licence is told 30 days before it expires."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import notify

from .models import ElectronicLicence

EXPIRY_NOTICE_DAYS = 30


def remind_licence_expiry(today: dt.date) -> int:
    """Licences with a holder's account, not revoked, expiring within EXPIRY_NOTICE_DAYS: one
    message per licence and expiry date (a renewed licence is reminded again)."""
    expiring = ElectronicLicence.objects.filter(
        holder_user__isnull=False, revoked_at__isnull=True, valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)).select_related("holder_user")
    sent = 0
    for licence in expiring:
        sent += notify(
            recipient=licence.holder_user, kind=Kind.LICENCE_EXPIRY,
            title=_("《%(name)s》将于 %(d)s 到期") % {"name": licence.name, "d": licence.valid_until},
            body=_("证照编号 %(no)s。如需继续使用,请在到期前申请延续。") % {"no": licence.number},
            link="/licences/", dedupe_key=f"licence:{licence.pk}:{licence.valid_until}") is not None
    return sent
