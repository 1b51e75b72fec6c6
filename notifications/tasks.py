"""Background work of notifications: one text, or one push to the mobile app, handed to the messaging
platform (an intent each, safe twice)."""

from __future__ import annotations

from celery import shared_task

from core.intents import fulfil

from . import services


@shared_task(name="notifications.tasks.send_sms", ignore_result=True)
def send_sms(sms_id: int, intent_id: int | None = None) -> bool:
    """The gateway is called outside a transaction of ours and the text's row records the outcome
    itself; the intent closes only when the text was handed over (or refused for good), so a
    gateway that is down leaves it pending for the relay."""
    return fulfil(
        intent_id, lambda: services.sms_send(sms_id=sms_id), finished=lambda done: done, label=f"sms {sms_id}"
    )


@shared_task(name="notifications.tasks.send_push", ignore_result=True)
def send_push(push_id: int, intent_id: int | None = None) -> bool:
    """As `send_sms`, for a notice pushed to the mobile app on one device."""
    return fulfil(
        intent_id, lambda: services.push_send(push_id=push_id), finished=lambda done: done, label=f"push {push_id}"
    )
