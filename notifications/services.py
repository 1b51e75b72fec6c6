"""One service every app calls to tell a person something: `notify`. In-site message centre now;
an SMS channel through a provider interface is the next step (docs/plan.md, issue 16)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import REQUIRED_KINDS, Kind, Message, Preference


def wants(user, kind: str) -> bool:
    if kind in REQUIRED_KINDS:
        return True
    return not Preference.objects.filter(user=user, kind=kind, enabled=False).exists()


def notify(*, recipient, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str) -> Message | None:
    """Leave a message for `recipient` unless they switched the kind off; once per `dedupe_key`
    (a second call returns the first message). Inside the caller's transaction, so a message about
    a change that is rolled back is rolled back with it."""
    if recipient is None or not recipient.is_active or not wants(recipient, kind):
        return None
    existing = Message.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Message.objects.create(recipient=recipient, kind=Kind(kind), title=title[:120], body=body,
                                          link=link[:255], dedupe_key=dedupe_key[:120])
    except IntegrityError:  # the same event from a concurrent run
        return Message.objects.get(recipient=recipient, dedupe_key=dedupe_key[:120])


def mark_read(*, user, message_ids=None) -> int:
    """Mark the user's messages read (all unread when `message_ids` is None); others' are untouched."""
    unread = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=list(message_ids))
    return unread.update(read_at=timezone.now())


def set_preferences(*, user, enabled: dict[str, bool]) -> None:
    with transaction.atomic():
        for kind in Kind.values:
            if kind in REQUIRED_KINDS or kind not in enabled:
                continue
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"enabled": bool(enabled[kind])})


def unread_count(user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_of(user) -> list[tuple[str, str, bool, bool]]:
    """(kind, label, enabled, required) for every kind, for the preferences page."""
    off = set(Preference.objects.filter(user=user, enabled=False).values_list("kind", flat=True))
    return [(value, label, value not in off or value in REQUIRED_KINDS, value in REQUIRED_KINDS)
            for value, label in Kind.choices]
