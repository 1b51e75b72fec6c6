"""消息中心: a signed-in person's messages, newest first, and which kinds they want on which
channel; the SMS gateway's delivery receipts."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import NotFound
from core.web.paging import page_of

from . import selectors, services
from .forms import PreferencesForm, field_name
from .models import Channel

PER_PAGE = 20


@login_required
def inbox(request):
    page = page_of(request, selectors.messages_for(request.user), PER_PAGE)
    return render(request, "notifications/inbox.html", {
        "title": _("消息中心"), "page": page, "unread": services.unread_count(request.user),
    })


@login_required
@require_POST
def read(request):
    """Mark one message read (`message`), or all (`all`); then follow the message's link."""
    ids = None
    target = None
    if "all" not in request.POST:
        try:
            message = selectors.access_message(request.user, request.POST.get("message", ""))
        except NotFound as error:
            flash.error(request, error.message)
            return redirect("portal:messages")
        ids, target = [message.pk], message.link
    services.mark_read(user=request.user, message_ids=ids)
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("portal:messages")


@login_required
def preferences(request):
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():  # only booleans: every post is valid
            services.set_preferences(user=request.user, enabled=form.choices())
            flash.success(request, _("消息接收设置已保存。"))
        return redirect("portal:message_preferences")
    rows = services.preferences_of(request.user)
    for row in rows:
        for cell in row["channels"]:
            cell["name"] = field_name(row["kind"], cell["channel"])
    return render(request, "notifications/preferences.html", {
        "title": _("消息接收设置"), "rows": rows, "channels": Channel.choices,
        "phone": request.user.masked_phone, "sms_on": services.sms.provider() is not None,
        "texts": selectors.texts_for(request.user)[:10],
        "devices": list(request.user.app_devices.all()[:10]),
    })


@csrf_exempt
@require_POST
def sms_receipt(request):
    """The SMS gateway's signed delivery receipt (docs/sms-protocol.md)."""
    if not services.sms_receipt(path=request.get_full_path(), headers=request.headers, body=request.body):
        return JsonResponse({"result": "fail"}, status=401)
    return JsonResponse({"result": "ok"})
