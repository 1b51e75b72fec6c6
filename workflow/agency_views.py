"""委托代办 pages: a principal grants, lists and revokes the authorisations of their agents (in
"我的" area); an agent sees what they may do for whom. The authorisation is an `accounts`
record naming catalog matters, so the pages live here, where both may be imported."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as people
from accounts import services as accounts_services
from accounts.forms import AgentGrantForm
from accounts.models import Enterprise, User
from core.errors import DomainError
from core.web.access import not_found_page, role_required, show_domain_error
from core.web.forms import checked
from matters.models import Matter

from .forms import ReasonForm
from .views import agency_shown


def _grant_form(request, data=None):
    user = request.user
    enterprises = Enterprise.objects.filter(enterprisemembership__user=user, enterprisemembership__may_authorise=True)
    matters = Matter.objects.filter(is_active=True).select_related("department").order_by("target", "code")
    today = timezone.localdate()
    initial = {"starts_on": today, "ends_on": today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29)
               else today.replace(year=today.year + 1, day=28)}
    return AgentGrantForm(data, enterprises=enterprises, matters=matters, me=user.real_name, initial=initial)


def _context(request, form):
    today = timezone.localdate()
    return {
        "title": _("委托代办"),
        "form": form,
        "granted": [agency_shown(a, today) for a in people.authorisations_granted(request.user)[:200]],
        "received": [agency_shown(a, today) for a in people.authorisations_received(request.user)[:200]],
    }


@role_required(User.Role.PUBLIC)
def agents(request):
    form = _grant_form(request, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            enterprise = Enterprise.objects.filter(pk=data["enterprise"]).first() if data["enterprise"] else None
            matters = list(Matter.objects.filter(pk__in=[int(v) for v in data["matters"]]))
            try:
                grant = accounts_services.authorisation_grant(
                    by=request.user, enterprise=enterprise, agent_name=data["agent_name"],
                    agent_id_number=data["agent_id_number"], matters=matters, starts_on=data["starts_on"],
                    ends_on=data["ends_on"], note=data["note"],
                )
            except DomainError as exc:
                show_domain_error(request, exc)
                form.add_domain_errors(exc.fields)
                status = exc.status
            else:
                messages.success(request, _("已委托 %(agent)s 代为办理 %(n)s 个事项,%(from)s 至 %(to)s。") % {
                    "agent": grant.agent.real_name, "n": len(matters), "from": grant.starts_on, "to": grant.ends_on})
                return redirect("portal:agents")
        else:
            status = 400
    return render(request, "accounts/agents.html", _context(request, form), status=status)


@role_required(User.Role.PUBLIC)
@require_POST
def agent_revoke(request, pk):
    grant = people.authorisations_for(request.user).filter(pk=pk).select_related("enterprise").first()
    if grant is None or not (accounts_services.may_manage_authorisation(request.user, grant)
                             or grant.agent_id == request.user.pk):
        return not_found_page(request, _("未找到该委托,或您无权撤销。"))
    form = ReasonForm(request.POST, max_length=200)
    try:
        accounts_services.authorisation_revoke(authorisation=grant, by=request.user, reason=checked(form)["reason"])
    except DomainError as exc:
        show_domain_error(request, exc)
        context = _context(request, _grant_form(request))
        context["revoke"] = {"pk": grant.pk, "reason": form.data.get("reason", ""), "errors": exc.fields.get("reason")}
        return render(request, "accounts/agents.html", context, status=exc.status)
    messages.success(request, _("委托已撤销,代办人不能再以委托人名义办理。"))
    return redirect("portal:agents")
