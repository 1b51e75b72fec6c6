"""Supervision writes only its own records: the red and yellow cards."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.models import SubCase

from .models import Card

logger = logging.getLogger(__name__)


@transaction.atomic
def sweep_deadlines(*, today=None) -> dict:
    """Open and close cards from the deadlines stored on sub-cases, set-based.

    A running sub-case (dispatched or examining; the clock stops while suspended) is red from
    the day after its deadline, and yellow from its `yellow_from` date up to the deadline.
    A card closes as soon as its condition no longer holds (decided, paused, or turned red).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    running = SubCase.objects.filter(state__in=SubCase.RUNNING_STATES)
    wanted = {
        Card.Level.RED: running.filter(deadline__lt=today),
        Card.Level.YELLOW: running.filter(deadline__gte=today, yellow_from__lte=today),
    }
    reasons = {
        Card.Level.RED: _("已超过办结期限"),
        Card.Level.YELLOW: _("剩余时限不足20%或不超过2个工作日"),
    }
    counts = {}
    for level, due in wanted.items():
        closed = (
            Card.objects.filter(level=level, closed_at__isnull=True)
            .exclude(subcase__in=due.values("pk"))
            .update(closed_at=now, close_reason=_("时限状态已变化(办结、暂停或升级)"))
        )
        open_card = Card.objects.filter(subcase=OuterRef("pk"), level=level, closed_at__isnull=True)
        new_ids = list(due.filter(~Exists(open_card)).values_list("pk", flat=True))
        Card.objects.bulk_create([Card(subcase_id=pk, level=level, reason=reasons[level]) for pk in new_ids])
        counts[level] = {"opened": len(new_ids), "closed": closed}
    logger.info("sweep %s: %s", today, counts)
    return counts
