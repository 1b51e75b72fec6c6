"""消息中心: a signed-in person's messages, newest first, and which kinds they want."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import NotFound
from core.web.paging import page_of

from . import selectors, services

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
        services.set_preferences(user=request.user, enabled={
            kind: request.POST.get(kind) == "on" for kind, _label, _on, required in
            services.preferences_of(request.user) if not required})
        flash.success(request, _("消息接收设置已保存。"))
        return redirect("portal:message_preferences")
    return render(request, "notifications/preferences.html", {
        "title": _("消息接收设置"), "kinds": services.preferences_of(request.user),
    })
