"""The supervisor's efficiency dashboard (效能监督). Read-only; it refreshes itself every 60 s
by fetching `?partial=1` (the same figures, rendered by the same template) and swapping them in."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.views import role_required
from workflow.models import Application

from . import selectors
from .models import Card

REFRESH_SECONDS = 60


@role_required(User.Role.SUPERVISOR, allow_superuser=True)
def dashboard(request):
    data = selectors.dashboard()
    by_state = data["applications_by_state"]
    counts = {state: n for state, _label, n in by_state}
    cards = list(data["cards"])
    context = {
        "title": _("效能监督"),
        "data": data,
        "by_state": [row for row in by_state if row[0] != Application.State.DRAFT],
        "total": sum(n for state, _label, n in by_state if state != Application.State.DRAFT),
        "open_total": sum(counts.get(state, 0) for state in Application.OPEN_STATES),
        "cards": cards,
        "red": sum(1 for c in cards if c.level == Card.Level.RED),
        "yellow": sum(1 for c in cards if c.level == Card.Level.YELLOW),
        "refresh_seconds": REFRESH_SECONDS,
    }
    template = "supervision/_dashboard_body.html" if request.GET.get("partial") == "1" else "supervision/dashboard.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response
