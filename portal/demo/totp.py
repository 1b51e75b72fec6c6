"""The demo's second factor: every demo staff account is enrolled with one known TOTP secret, so
the demo stays usable. `python manage.py demo_totp <username>` prints the current code; the
same secret can be added to any authenticator app (the command prints the otpauth:// address).
Real deployments enrol each person with their own secret (admin: django-otp's TOTP devices)."""

from __future__ import annotations

import base64
from urllib.parse import quote

DEMO_TOTP_SECRET = b"tongban-demo-totp-20"  # 20 bytes; public on purpose: demo data only
DEMO_TOTP_KEY = DEMO_TOTP_SECRET.hex()
DEVICE_NAME = "演示令牌"


def enrol(user):
    """Give a demo staff member the demo TOTP device (idempotent)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name=DEVICE_NAME, defaults={"key": DEMO_TOTP_KEY, "confirmed": True})
    return device


def current_code(user) -> tuple[str, int]:
    """The code the demo device accepts now, and the seconds it stays valid."""
    import time

    from django_otp.oath import TOTP

    device = enrol(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = int(time.time())
    totp.time = now
    return f"{totp.token():0{device.digits}d}", device.step - (now - device.t0) % device.step


def otpauth_uri(username: str) -> str:
    secret = base64.b32encode(DEMO_TOTP_SECRET).decode().rstrip("=")
    return f"otpauth://totp/{quote('通办')}:{quote(username)}?secret={secret}&issuer={quote('通办')}"
