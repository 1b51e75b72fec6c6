"""Who reads which messages (issue 12): a signed-in person their own, nobody anyone else's."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import Message, SmsMessage


def messages_for(user):
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(recipient=user)


def access_message(user, pk) -> Message:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    message = messages_for(user).filter(pk=pk).first() if pk and 0 < pk < 2**63 else None
    if message is None:
        raise NotFound(_("消息不存在或不属于您。"), code="message_not_found")
    return message


def texts_for(user):
    """A person's own texts (masked number, status), newest first."""
    if not getattr(user, "is_authenticated", False):
        return SmsMessage.objects.none()
    return SmsMessage.objects.filter(recipient=user).only(
        "kind", "phone_masked", "status", "created_at", "delivered_at").order_by("-created_at", "-pk")
