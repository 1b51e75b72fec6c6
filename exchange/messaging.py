"""证照到期提醒: the holder of an electronic licence is told some days before it expires — as its
licence type says (`LicenceType.days_ahead`, 30 by default; 30 for a licence without a type) — with a link that opens the renewal
application pre-filled from the licence (workflow.renewal)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import notify

from .models import ElectronicLicence, LicenceType

EXPIRY_NOTICE_DAYS = 30


def notice_days(licence) -> int:
    """How many days before its expiry the holder of `licence` is reminded: its type's setting."""
    kind = licence.licence_type if licence.licence_type_id else None
    return kind.days_ahead if kind is not None else EXPIRY_NOTICE_DAYS


def remind_licence_expiry(today: dt.date) -> int:
    """Licences with a holder's account, not revoked, expiring within their type's notice days
    (from `today`, a Beijing date): one message per licence and expiry date (a renewed licence
    is reminded again). A sweep on a later day of the window finds the message already there."""
    widest = max([EXPIRY_NOTICE_DAYS, *LicenceType.objects.values_list("days_ahead", flat=True)])
    expiring = ElectronicLicence.objects.filter(
        holder_user__isnull=False, revoked_at__isnull=True, valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=widest)).select_related("holder_user", "licence_type")
    sent = 0
    for licence in expiring:
        left = (licence.valid_until - today).days
        if left > notice_days(licence):
            continue
        sent += notify(
            recipient=licence.holder_user, kind=Kind.LICENCE_EXPIRY,
            title=_("《%(name)s》将于 %(d)s 到期") % {"name": licence.name, "d": licence.valid_until},
            body=_("证照编号 %(no)s,还有 %(n)s 天到期。如需继续使用,请在到期前点击“一键续办”申请,"
                   "申请表已按原证照信息预先填好。") % {"no": licence.number, "n": left},
            link=reverse("portal:licence_renew", args=[licence.number]),
            dedupe_key=f"licence:{licence.pk}:{licence.valid_until}",
            sms_text=_("【%(sign)s】您的《%(name)s》(编号 %(no)s)将于 %(d)s 到期,请登录门户“消息中心”一键续办。") % {
                "sign": _sign(), "name": licence.name, "no": licence.number, "d": licence.valid_until},
        ) is not None
    return sent


def _sign() -> str:
    from django.conf import settings

    return settings.SMS_SIGN_NAME
