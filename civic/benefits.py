"""免申即享: find the registered citizens the shared data shows eligible for a benefit, tell
them, and let them accept in one step.

Each look-up goes through `exchange.data_access.query_for` under the benefit's matter's 数据共享
授权, so every query is a data-use record (数据使用记录) the person sees. Accepting looks again
(the data may have changed) and records the grant once: a second click grants nothing more."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, Forbidden, NotFound
from exchange.data_access import NotPermitted, query_for
from exchange.datasources import SOURCES, DataSourceError
from notifications.models import Kind
from notifications.services import notify

from .models import Benefit, BenefitOffer


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def meets(benefit: Benefit, found) -> bool:
    """Whether the source's value satisfies the rule (numbers compared as numbers)."""
    op = Benefit.Op
    if isinstance(found, bool):
        found = "true" if found else "false"
    a, b = _number(found), _number(benefit.value)
    if benefit.op in (op.GTE, op.LTE):
        if a is None or b is None:
            return False
        return a >= b if benefit.op == op.GTE else a <= b
    same = (a == b) if a is not None and b is not None else str(found) == benefit.value
    return same if benefit.op == op.EQ else not same


def check(benefit: Benefit, person, *, asked_by=None) -> tuple[bool, str, int | None]:
    """(eligible, reason in Chinese, data-use record id) for one person, by one logged query."""
    label = SOURCES.get(benefit.source, benefit.source)
    record = query_for(
        matter=benefit.matter,
        subject=person,
        asked_by=asked_by or person,
        source=benefit.source,
        fields=[benefit.field],
        case_ref=f"BENEFIT-{benefit.code}"[:40],
    )
    if not record.found or benefit.field not in record.fields:
        return (
            False,
            _("%(source)s数据中没有您的%(what)s记录,不符合“%(rule)s”的条件。")
            % {"source": label, "what": benefit.field_label, "rule": benefit.rule_text},
            record.query_id,
        )
    value = record.fields[benefit.field]
    if meets(benefit, value):
        return True, "", record.query_id
    return (
        False,
        _("%(source)s数据显示您的%(what)s为 %(value)s,不符合“%(rule)s”的条件。")
        % {"source": label, "what": benefit.field_label, "value": value, "rule": benefit.rule_text},
        record.query_id,
    )


def run(benefit: Benefit, *, today=None, heartbeat=None) -> dict:
    """Look up every registered citizen; offer the benefit to the eligible ones not offered yet and
    tell them. Safe to run twice (one offer and one message per person). A source that fails
    stops the run (nothing more is asked of it); the offers made so far stay. `heartbeat` is
    called after each person (the task renews its intent's lease with it: a run of a whole
    district outlasts INTENT_LEASE_SECONDS and must not be sent again while it runs)."""
    today = today or timezone.localdate()
    counts = {"checked": 0, "eligible": 0, "offered": 0}
    people = (
        User.objects.filter(role=User.Role.PUBLIC, is_active=True)
        .exclude(id_number=None)
        .exclude(id_number="")
        .order_by("pk")
    )
    for person in people.iterator():
        if heartbeat is not None:
            heartbeat()
        counts["checked"] += 1
        eligible, _reason, query_id = check(benefit, person, asked_by=None)
        if not eligible:
            continue
        counts["eligible"] += 1
        with transaction.atomic():
            offer, created = BenefitOffer.objects.get_or_create(
                benefit=benefit, person=person, defaults={"found_on": today, "query_id": query_id}
            )
            if created:
                counts["offered"] += 1
                notify(
                    recipient=person,
                    kind=Kind.BENEFIT,
                    title=_("您可免申享受:%(name)s") % {"name": benefit.name},
                    body=_("根据共享数据,您符合“%(rule)s”的条件,无需申请,点击一键确认即可享受:%(grant)s。")
                    % {"rule": benefit.rule_text, "grant": benefit.grant_text},
                    link=reverse("civic:benefit", args=[benefit.code]),
                    dedupe_key=f"benefit:{benefit.pk}:{person.pk}",
                )
    return counts


def accept(*, benefit: Benefit, person) -> BenefitOffer:
    """One step: looks again and records the grant; a second call returns the same grant."""
    if not getattr(person, "is_authenticated", False) or not getattr(person, "is_public", False):
        raise Forbidden(_("请以群众账号登录后确认。"), code="citizen_only")
    if not benefit.is_active:
        raise NotFound(_("该政策已停止执行。"), code="benefit_inactive")
    done = BenefitOffer.objects.filter(benefit=benefit, person=person, granted_at__isnull=False).first()
    if done is not None:
        return done
    try:
        eligible, reason, query_id = check(benefit, person)
    except (NotPermitted, DataSourceError) as exc:
        raise Conflict(getattr(exc, "message", str(exc)), code="data_unavailable") from exc
    if not eligible:
        raise Forbidden(reason, code="not_eligible")
    with transaction.atomic():
        offer, _created = BenefitOffer.objects.get_or_create(
            benefit=benefit, person=person, defaults={"found_on": timezone.localdate(), "query_id": query_id}
        )
        offer = BenefitOffer.objects.select_for_update().get(pk=offer.pk)
        if offer.granted_at is None:
            offer.granted_at, offer.grant_query_id = timezone.now(), query_id
            offer.save(update_fields=["granted_at", "grant_query_id"])
    return offer
