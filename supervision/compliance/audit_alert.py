"""The nightly check of the audit hash chains (beat, after the day's anchors are sealed): every
chained table is walked against its rows and its anchors outside the database (core/audit.py,
core/anchors.py); when a chain is broken, every active administrator and supervisor gets one
message in the message centre naming the broken tables and days. The same breaks found again on
later nights tell no one twice (the message's dedupe key is made from the breaks); a new break does."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit
from notifications.models import Kind
from notifications.services import notify

logger = logging.getLogger(__name__)


def check_chains_and_alert() -> list[audit.Break]:
    """Verify every chain (every day, against the anchors); tell administrators and supervisors
    of the breaks, once per set of breaks. Returns the breaks found."""
    reports = audit.verify()
    breaks = [r.first_break for r in reports if not r.ok]
    if not breaks:
        logger.info("audit chains verified: %s tables, no break", len(reports))
        return []
    lines = [str(b) for b in breaks]
    logger.error("audit chains broken: %s", "; ".join(lines))
    digest = hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:24]
    recipients = User.objects.filter(is_active=True, role__in=[User.Role.ADMINISTRATOR, User.Role.SUPERVISOR])
    with transaction.atomic():
        for user in recipients:
            notify(
                recipient=user,
                kind=Kind.AUDIT_BREAK,
                dedupe_key=f"audit-break:{digest}",
                title=_("日志防篡改核验发现 %(n)s 张日志表的哈希链断裂") % {"n": len(breaks)},
                body="\n".join(lines),
                link=reverse("portal:audit_chain") + "?all=1",
            )
    return breaks
