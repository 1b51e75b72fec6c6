"""适老化 (issue 13): the large-print, high-contrast display ("大字版").

A signed-in person's choice is kept with their account (`User.display`), so it follows them to
any computer, phone or self-service terminal they sign in on; before sign-in, or for someone who
never chose, the device's own choice (a cookie) applies. The page shell reads it once per request
(portal.context_processors.navigation) and marks `<html class="large-print">`."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import Display

COOKIE = "tongban_display"
COOKIE_AGE = 365 * 24 * 3600


def display_of(request) -> str:
    """The display this request's pages use: the person's choice, else the device's, else standard."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.display:
        return user.display
    chosen = request.COOKIES.get(COOKIE, "")
    return chosen if chosen in Display.values else Display.STANDARD


class DisplayForm(forms.Form):
    mode = forms.ChoiceField(
        choices=Display.choices,
        error_messages={"required": _("请选择页面显示方式。"), "invalid_choice": _("无法识别的页面显示方式。")},
    )
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, data, *, request):
        super().__init__(data)
        self.request = request

    def clean_next(self):
        """The page to go back to: this site's only, else the home page."""
        target = self.cleaned_data["next"]
        safe = url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure())
        return target if safe else "/"


@require_POST
def choose_display(request):
    """Switch between 标准版 and 大字版; back to the page the button was on."""
    form = DisplayForm(request.POST, request=request)
    valid = form.is_valid()
    response = redirect(form.cleaned_data.get("next") or "/")
    if not valid:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return response
    mode = form.cleaned_data["mode"]
    if request.user.is_authenticated and request.user.display != mode:
        request.user.display = mode
        request.user.save(update_fields=["display"])
    response.set_cookie(COOKIE, mode, max_age=COOKIE_AGE, samesite="Lax", httponly=True, secure=request.is_secure())
    return response
