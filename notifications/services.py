"""One service every app calls to tell a person something: `notify`. Three channels: the in-site
message centre, a text through the SMS gateway (notifications/sms.py), and a notice pushed to the
mobile app on each device the person registered (the same messaging platform), each as the
person's preferences say (kinds the law requires go on every channel). A text or a push is queued
as an intent (core.intents) in the caller's transaction and sent by `notifications.tasks.send_sms`
/ `send_push` once it commits; the gateway is reached outside any transaction of ours."""

from __future__ import annotations

import json
import logging
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import mask_phone
from core import intents

from . import sms
from .models import (
    REQUIRED_KINDS,
    SITE_ONLY_KINDS,
    SMS_OFF_BY_DEFAULT,
    AppDevice,
    Channel,
    Kind,
    Message,
    Preference,
    PushMessage,
    SmsMessage,
)

logger = logging.getLogger(__name__)
SMS_MAX_CHARS = 300


def default_on(kind: str, channel: str) -> bool:
    if channel == Channel.SMS:
        return kind not in SMS_OFF_BY_DEFAULT and kind not in SITE_ONLY_KINDS
    if channel == Channel.APP:
        return kind not in SITE_ONLY_KINDS
    return True


def switchable(kind: str, channel: str) -> bool:
    """站内信 is always on (the message centre is the record of what the person was told); a text
    can be switched off per kind, except the kinds the law requires."""
    if channel == Channel.SITE:
        return False
    return kind not in REQUIRED_KINDS and kind not in SITE_ONLY_KINDS


def wants(user, kind: str, channel: str = Channel.SITE) -> bool:
    if channel != Channel.SITE and kind in SITE_ONLY_KINDS:
        return False
    if kind in REQUIRED_KINDS or channel == Channel.SITE:  # an old row switching 站内信 off counts for nothing
        return True
    chosen = Preference.objects.filter(user=user, kind=kind, channel=channel).values_list("enabled", flat=True).first()
    return default_on(kind, channel) if chosen is None else chosen


def notify(*, recipient, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str,
           sms_text: str | None = None) -> Message | None:
    """Tell `recipient` on the channels they want for `kind`, once per `dedupe_key` on each (a
    second call returns the first message and queues no second text). Inside the caller's
    transaction: a message about a change that is rolled back is rolled back with it, and the
    text is sent only after the commit. Returns the in-site message (None when that channel is
    off); `sms_text` replaces the title and body in the text."""
    if recipient is None or not recipient.is_active:
        return None
    dedupe_key = dedupe_key[:120]
    message = None
    if wants(recipient, kind, Channel.SITE):
        message = _leave_message(recipient=recipient, kind=kind, title=title, body=body, link=link,
                                 dedupe_key=dedupe_key)
    gateway = sms.provider()
    if gateway is not None and wants(recipient, kind, Channel.SMS):
        queue_sms(recipient=recipient, kind=kind, text=sms_text or _sms_text(title, body), dedupe_key=dedupe_key)
    if gateway is not None and wants(recipient, kind, Channel.APP):
        queue_pushes(recipient=recipient, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key)
    return message


def queue_pushes(*, recipient, kind: str, title: str, body: str, link: str, dedupe_key: str) -> list[PushMessage]:
    """The notice for each device the person registered, queued once per device (none without a
    device); each push is an intent recorded in the caller's transaction."""
    queued = []
    for device in AppDevice.objects.filter(user=recipient):
        existing = PushMessage.objects.filter(device=device, dedupe_key=dedupe_key).first()
        if existing is not None:
            queued.append(existing)
            continue
        try:
            with transaction.atomic():
                push = PushMessage.objects.create(
                    recipient=recipient, device=device, kind=Kind(kind), dedupe_key=dedupe_key,
                    client_ref=uuid.uuid4().hex, title=title[:120], body=body[:300], link=link[:255])
        except IntegrityError:  # the same event from a concurrent run
            queued.append(PushMessage.objects.get(device=device, dedupe_key=dedupe_key))
            continue
        intents.record("notifications.tasks.send_push", [push.pk], key=f"notifications.push:{push.pk}")
        queued.append(push)
    return queued


def push_send(*, push_id: int) -> bool:
    """Hand one queued push to the platform: True when nothing is left to do (handed over, refused
    for good, the device removed, not queued any more), False to try again later (platform down,
    failing, slow past our timeout, not configured): the intent stays pending for the relay."""
    push = PushMessage.objects.select_related("device").filter(pk=push_id).first()
    if push is None or push.status != PushMessage.Status.QUEUED:
        return True
    queued = PushMessage.objects.filter(pk=push_id, status=PushMessage.Status.QUEUED)
    if push.device is None:  # removed since: nothing to push to
        queued.update(status=PushMessage.Status.FAILED, last_error="device_removed")
        return True
    gateway = sms.provider()
    if gateway is None:
        queued.update(last_error="消息平台未配置")
        return False
    queued.update(attempts=F("attempts") + 1)
    url = settings.SITE_URL + push.link if push.link.startswith("/") else push.link  # the app opens the page
    try:
        push_id_there = gateway.push(client_ref=push.client_ref, token=push.device.token, title=push.title,
                                     body=push.body, link=url)
    except sms.GatewayError as error:
        if error.final:
            queued.update(status=PushMessage.Status.FAILED, last_error=str(error)[:255])
            return True
        queued.update(last_error=str(error)[:255])
        logger.warning("push %s not handed over, to be sent again: %s", push_id, error)
        return False
    queued.update(status=PushMessage.Status.SENT, provider_id=push_id_there, sent_at=timezone.now(), last_error="")
    return True


def register_device(*, user, token: str, platform: str, name: str = "") -> AppDevice:
    """The app on a phone registers (or renews) its push token for `user`; a token another person
    registered before moves to `user` (the phone changed hands)."""
    device, _created = AppDevice.objects.update_or_create(
        token=token, defaults={"user": user, "platform": platform, "name": name[:64]})
    return device


def remove_device(*, user, device_id: int) -> bool:
    """The person removes one of their devices (signed out of the app): nothing more is pushed to it."""
    return AppDevice.objects.filter(user=user, pk=device_id).delete()[0] > 0


def _leave_message(*, recipient, kind, title, body, link, dedupe_key) -> Message:
    existing = Message.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Message.objects.create(recipient=recipient, kind=Kind(kind), title=title[:120], body=body,
                                          link=link[:255], dedupe_key=dedupe_key)
    except IntegrityError:  # the same event from a concurrent run
        return Message.objects.get(recipient=recipient, dedupe_key=dedupe_key)


def _sms_text(title: str, body: str) -> str:
    text = f"【{settings.SMS_SIGN_NAME}】{title.rstrip('。')}。{body}".strip()
    return text[:SMS_MAX_CHARS]


def queue_sms(*, recipient, kind: str, text: str, dedupe_key: str) -> SmsMessage | None:
    """The text for this notification, queued once (None when the person has no mobile number);
    the send is an intent recorded in the caller's transaction."""
    phone = (recipient.phone or "").strip()
    if not phone:
        return None
    existing = SmsMessage.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                recipient=recipient, kind=Kind(kind), dedupe_key=dedupe_key, client_ref=uuid.uuid4().hex,
                phone_masked=mask_phone(phone), text=text[:SMS_MAX_CHARS])
    except IntegrityError:
        return SmsMessage.objects.get(recipient=recipient, dedupe_key=dedupe_key)
    intents.record("notifications.tasks.send_sms", [message.pk], key=f"notifications.sms:{message.pk}")
    return message


def sms_resend(*, sms_id: int) -> bool:
    """An administrator sends a failed text again: the row goes back to queued under a new
    reference at the gateway (which deduplicates on the reference, and would answer the old one
    with the failed message), and the send intent opens again. Safe twice: a text that is not
    failed (queued again already, sent, delivered) is left alone and False returned. A late
    receipt for the old reference finds nothing to change."""
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=sms_id).first()
        if message is None or message.status != SmsMessage.Status.FAILED:
            return False
        message.status, message.client_ref = SmsMessage.Status.QUEUED, uuid.uuid4().hex
        message.provider_id, message.sent_at, message.delivered_at = "", None, None
        message.last_error = ""
        message.save(update_fields=["status", "client_ref", "provider_id", "sent_at", "delivered_at", "last_error"])
        intents.record("notifications.tasks.send_sms", [message.pk], key=f"notifications.sms:{message.pk}")
    return True


def receipt_url() -> str:
    return settings.SMS_RECEIPT_BASE_URL.rstrip("/") + reverse("notifications:sms_receipt")


def sms_send(*, sms_id: int) -> bool:
    """Hand one queued text to the gateway. True when nothing is left to do (handed over — the
    gateway answers a reference it knows with the same message — or refused for good, or not
    queued any more); False when it must be tried again later (gateway down, failing, slow past
    our timeout, not configured): the intent stays pending and the relay sends it again."""
    message = SmsMessage.objects.select_related("recipient").filter(pk=sms_id).first()
    if message is None or message.status != SmsMessage.Status.QUEUED:
        return True
    queued = SmsMessage.objects.filter(pk=sms_id, status=SmsMessage.Status.QUEUED)
    gateway = sms.provider()
    if gateway is None:
        queued.update(last_error="短信平台未配置")
        return False
    phone = (message.recipient.phone or "").strip()
    if not phone:
        queued.update(status=SmsMessage.Status.FAILED, last_error="no_phone")
        return True
    queued.update(attempts=F("attempts") + 1)
    try:
        msg_id = gateway.send(client_ref=message.client_ref, phone=phone, text=message.text, receipt_url=receipt_url())
    except sms.GatewayError as error:
        if error.final:
            queued.update(status=SmsMessage.Status.FAILED, last_error=str(error)[:255])
            logger.warning("sms %s refused for good: %s", sms_id, error)
            return True
        queued.update(last_error=str(error)[:255])
        logger.warning("sms %s not handed over, to be sent again: %s", sms_id, error)
        return False
    queued.update(status=SmsMessage.Status.SENT, provider_id=msg_id, sent_at=timezone.now(), last_error="")
    SmsMessage.objects.filter(pk=sms_id, provider_id="").update(provider_id=msg_id)  # a receipt came first
    logger.info("sms %s handed over as %s", sms_id, msg_id)
    return True


def sms_receipt(*, path: str, headers, body: bytes) -> bool:
    """The gateway's signed delivery receipt: the text is delivered (or failed) once; a receipt
    posted again, or for a text already settled, changes nothing. False: not authentic."""
    gateway = sms.provider()
    if gateway is None or not gateway.receipt_is_authentic(path=path, headers=headers, body=body):
        return False
    try:
        data = json.loads(body)
        client_ref, msg_id, status = str(data["client_ref"]), str(data["msg_id"]), str(data["status"])
    except (ValueError, KeyError, TypeError):
        return False
    open_ = SmsMessage.objects.filter(client_ref=client_ref,
                                      status__in=[SmsMessage.Status.QUEUED, SmsMessage.Status.SENT])
    if status == "delivered":
        changed = open_.update(status=SmsMessage.Status.DELIVERED, delivered_at=timezone.now(), provider_id=msg_id)
    elif status == "failed":
        changed = open_.update(status=SmsMessage.Status.FAILED, provider_id=msg_id,
                               last_error=str(data.get("error", "failed"))[:255])
    else:
        return False
    logger.info("sms receipt %s for %s: %s (%s)", data.get("receipt_id", ""), msg_id, status,
                "applied" if changed else "nothing to change")
    return True


def send_code(*, user, purpose: str, label: str, minutes: int = 5) -> str:
    """A 6-digit one-time code for `purpose` (帮办 confirmation, a terminal's second factor …),
    told to `user` as a required message (in-site and by text). Returns the code: the caller keeps
    only its hash and checks it. Each call is a new code and a new text."""
    code = f"{secrets.randbelow(10**6):06d}"
    notify(recipient=user, kind=Kind.CONFIRMATION_CODE, title=_("%(label)s验证码") % {"label": label},
           body=_("验证码 %(code)s,%(n)s 分钟内有效。请勿告知他人。") % {"code": code, "n": minutes},
           link="", dedupe_key=f"code:{purpose}:{uuid.uuid4().hex}")
    return code


def mark_read(*, user, message_ids=None) -> int:
    """Mark the user's messages read (all unread when `message_ids` is None); others' are untouched."""
    unread = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=list(message_ids))
    return unread.update(read_at=timezone.now())


def set_preferences(*, user, enabled: dict[tuple[str, str], bool]) -> None:
    """`enabled` maps (kind, channel) to on/off; required kinds and site-only alerts are left as
    they are whatever is asked."""
    with transaction.atomic():
        for (kind, channel), on in enabled.items():
            if kind not in Kind.values or channel not in Channel.values or not switchable(kind, channel):
                continue
            Preference.objects.update_or_create(user=user, kind=kind, channel=channel, defaults={"enabled": bool(on)})


def unread_count(user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_of(user) -> list[dict]:
    """Per kind: its label and, per channel, whether it is on and whether it can be switched."""
    chosen = {(k, c): on for k, c, on in Preference.objects.filter(user=user).values_list("kind", "channel", "enabled")}
    rows = []
    for kind, label in Kind.choices:
        channels = []
        for channel in Channel.values:
            can = switchable(kind, channel)
            if channel != Channel.SITE and kind in SITE_ONLY_KINDS:
                on = False
            elif not can:
                on = True
            else:
                on = chosen.get((kind, channel), default_on(kind, channel))
            channels.append({"channel": channel, "label": Channel(channel).label, "on": on, "switchable": can})
        rows.append({"kind": kind, "label": label, "required": kind in REQUIRED_KINDS, "channels": channels})
    return rows
