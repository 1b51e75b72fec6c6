"""Binding a staff member's authenticator (手机令牌) by the staff member themself.

A staff account without a confirmed TOTP device cannot sign in (accounts.security). An
administrator opens an enrolment for it — a new account, a lost phone — with the user admin's
action `open_enrolment`: every device of the account is removed and one unconfirmed device with a
fresh random secret is made. For `WINDOW` after that, a right password signs nobody in but leads
to the enrolment page, which shows the secret (QR code and text) once; the first right 6-digit
code confirms the device and completes the sign-in with the second factor. A wrong code counts as
a failed sign-in (django-axes). After the window the device is stale and only a new opening helps.

So the password alone is enough to bind a phone only inside a window an administrator opened for
that person; outside it, it is never enough.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

WINDOW = dt.timedelta(hours=72)
PENDING_MINUTES = 10  # between the password and the code on the enrolment page
SESSION_KEY = "tongban_otp_enrol"
PENDING_NAME = "待绑定手机令牌"
DEVICE_NAME = "手机令牌"


def open_enrolment(user):
    """Remove the user's devices and make one unconfirmed device to be bound within WINDOW."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(user=user, name=PENDING_NAME, confirmed=False)


def pending_device(user):
    """The user's unconfirmed device of an enrolment still open, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (TOTPDevice.objects.filter(user=user, confirmed=False, created_at__gte=timezone.now() - WINDOW)
            .order_by("-created_at").first())


def has_confirmed_device(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def begin(request, user, next_url: str) -> None:
    """The password was right and an enrolment is open: remember whom, for PENDING_MINUTES."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"user": user.pk, "at": int(timezone.now().timestamp()), "next": next_url}


def pending(request):
    """(user, device, next) of the enrolment begun in this session, or None when there is none,
    it is older than PENDING_MINUTES, or the administrator's window closed meanwhile."""
    from .models import User

    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict):
        return None
    if timezone.now().timestamp() - int(state.get("at", 0)) > PENDING_MINUTES * 60:
        request.session.pop(SESSION_KEY, None)
        return None
    user = User.objects.filter(pk=state.get("user"), is_active=True).first()
    device = pending_device(user) if user is not None else None
    if device is None:
        request.session.pop(SESSION_KEY, None)
        return None
    return user, device, state.get("next") or ""


def confirm(device, token: str) -> bool:
    """Bind the device when `token` is its current code."""
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and len(token) == device.digits) or not device.verify_token(token):
        return False
    device.confirmed = True
    device.name = DEVICE_NAME
    device.save(update_fields=["confirmed", "name"])
    return True


def secret_text(device) -> str:
    """The base32 secret in groups of four, for typing into an authenticator by hand."""
    import base64

    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
