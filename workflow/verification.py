"""The public verification page (文书核验): anyone holding a notice types or scans its
verification code and learns whether the portal issued it, and what it states in outline.

The code is the first 16 hex digits of the notice's content digest (`workflow.documents`),
printed as `1A2B-3C4D-5E6F-7A8B`. Input is forgiving (dashes, spaces, lower case, full-width
characters); anything that is not 16 hex digits is refused before the database is asked. Failed
look-ups are counted per client address, like the progress look-up, so codes cannot be guessed
quickly; 16 hex digits are 64 bits, so a guess succeeds essentially never anyway.

What a genuine notice shows is what the paper already says, with the applicant's name masked:
the kind, the application (and sub-case) number, the date and the issuing body. A notice carries
the issuer's Ed25519 signature over its content digest (exchange.licence_signing): the page
checks it, refuses a notice whose stored content no longer matches it (409), and says so of a
notice issued before notices were signed.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from core.digests import format_code, normalise_code
from core.throttle import FailureThrottle, client_address
from exchange import licence_signing

from . import documents

# Failed look-ups per client address and hour.
VERIFY_LIMIT = 20
VERIFY_WINDOW = 3600
verify_throttle = FailureThrottle("verify", limit=VERIFY_LIMIT, window=VERIFY_WINDOW)


def verify(request):
    raw = request.GET.get("code", "")
    context = {"title": _("文书核验"), "code": raw.strip()[:40]}
    if not raw.strip():
        return render(request, "workflow/verify.html", context)
    code = normalise_code(raw)
    if code is None:
        context["error"] = _("核验码格式不正确:核验码为16位数字或字母A至F,如 1A2B-3C4D-5E6F-7A8B,请核对后重新输入。")
        return render(request, "workflow/verify.html", context, status=400)
    client = client_address(request)
    if verify_throttle.blocked(c=client):
        context["error"] = _("核验失败次数过多,请一小时后再试,或拨打 12345 热线咨询。")
        return render(request, "workflow/verify.html", context, status=429)
    notice = documents.notice_for_code(code)
    if notice is None:
        verify_throttle.fail(c=client)
        context["error"] = _("未查到该核验码对应的文书。请核对核验码;如仍查不到,该文书可能不是本平台出具的,请拨打 12345 热线核实。")
        return render(request, "workflow/verify.html", context, status=404)
    signed = licence_signing.verify(notice)
    if signed is False:  # the stored content no longer matches what the issuer signed
        context["error"] = _("电子签名核验未通过:该文书的内容与出具机关的签名不一致,可能已被篡改,请勿采信,并拨打 12345 热线核实。")
        return render(request, "workflow/verify.html", context, status=409)
    context.update({"code": format_code(notice.digest), "facts": documents.verified_facts(notice),
                    "signature": {"valid": signed, "key": notice.signing_key}})
    return render(request, "workflow/verify.html", context)
