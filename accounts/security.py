"""Sign-in that holds (issue 12 A): lockout answers, the second factor for staff, idle timeouts.

- **Lockout** is django-axes (settings `AXES_*`): 5 failures per account and, separately, per
  client address lock for 15 minutes, on the sign-in page, the admin and the API token endpoint.
  The client address is `REMOTE_ADDR` after `core.proxy.TrustedProxyMiddleware`, i.e. the
  visitor's own behind our proxy and never a header a client chose. `lockout_response` answers
  in Chinese: a page, or the API's `{code, message, fields}`.
- **TOTP** (django-otp) is required of staff and administrators (`requires_otp`) when
  `settings.OTP_REQUIRED` is on (the default; the test settings turn it off globally and the
  tests of this module turn it back on). The code goes on the sign-in form or in the token
  request; a wrong code counts as a failed sign-in for the lockout.
- **Idle timeout** (`SessionGuardMiddleware`): a staff session ends after 30 minutes without a
  request, any session from a shared hall computer (`settings.HALL_NETWORKS`) after 15, a
  citizen's after `PUBLIC_IDLE_MINUTES`; and a staff session that did not pass the second factor
  (signed in some other way) is ended at once.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_login_failed
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

LOCKOUT_MINUTES = 15
STAFF_IDLE_MINUTES = 30
HALL_IDLE_MINUTES = 15
SEEN_KEY = "tongban_seen"
SEEN_WRITE_EVERY = 60  # seconds: the session is written at most once a minute for the clock


def client_ip(request) -> str:
    """For django-axes: the address TrustedProxyMiddleware left in REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"


def lockout_message() -> str:
    return _("登录失败次数过多,账号或当前网络已被暂时锁定,请 %(m)d 分钟后再试;如忘记密码,请携带身份证到任一政务服务大厅综合窗口办理。") % {
        "m": LOCKOUT_MINUTES}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer once locked: 429, in Chinese, JSON for the API."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": lockout_message(), "fields": {}}, status=429)
    return render(request, "accounts/locked_out.html", {"title": _("暂时无法登录"), "message": lockout_message()},
                  status=429)


# --- the second factor -------------------------------------------------------------------------


def requires_otp(user) -> bool:
    if not getattr(settings, "OTP_REQUIRED", True) or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or not user.is_public)


def totp_device(user, token: str):
    """The user's confirmed TOTP device that accepts `token` (6 digits), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or len(token) != 6:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def otp_failed(request, username: str) -> None:
    """A right password with a wrong code is a failed sign-in (django-axes counts it)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# --- idle timeout and unverified staff sessions ------------------------------------------------


def in_hall(request) -> bool:
    """The request comes from a shared computer of a hall (settings.HALL_NETWORKS)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in getattr(settings, "HALL_NETWORKS", []))


def idle_limit_seconds(request, user) -> int:
    if in_hall(request):
        return HALL_IDLE_MINUTES * 60
    if user.is_staff or user.is_superuser or not user.is_public:
        return STAFF_IDLE_MINUTES * 60
    return getattr(settings, "PUBLIC_IDLE_MINUTES", 120) * 60


class SessionGuardMiddleware:
    """After AuthenticationMiddleware and django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._check(request, user)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _end(self, request, message):
        logout(request)
        if request.path.startswith("/api/"):
            return None  # the API goes on as anonymous: 401 where a sign-in is needed
        messages.info(request, message)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")

    def _check(self, request, user):
        if requires_otp(user) and not (hasattr(user, "is_verified") and user.is_verified()):
            return self._end(request, _("工作人员须使用动态口令登录,请重新登录。"))
        now = int(time.time())
        seen = request.session.get(SEEN_KEY)
        if seen is not None and now - int(seen) > idle_limit_seconds(request, user):
            return self._end(request, _("您已较长时间未操作,为保护信息安全已自动退出,请重新登录。"))
        if seen is None or now - int(seen) >= SEEN_WRITE_EVERY:
            request.session[SEEN_KEY] = now
        return None
