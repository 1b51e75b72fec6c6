"""The queue's pages: the hall's terminal and the phone (取号, 预约签到), a ticket's own page, the
hall's screen (叫号屏), the clerk's calling actions, and appointments (预约)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Department, Hall, User
from core.errors import DomainError
from core.web.access import not_found_page, role_required, show_domain_error
from core.web.forms import checked

from . import clock
from . import queue_selectors as selectors
from . import queue_services as services
from .forms import TerminalForm
from .models import AppointmentSlot, Ticket
from .selectors import seats_today

BOOKABLE = services.BOOKABLE


def _hall_or_404(request, code):
    return Hall.objects.filter(code=code).first()


def hall_list(request):
    """Where to take a number, watch the screen or book: one row per hall."""
    halls = selectors.halls_in_order()
    return render(request, "windows/queue_halls.html", {"title": _("取号与预约"), "halls": halls})


def terminal(request, code):
    """The terminal (and the phone): big buttons per queue, and check-in for appointments."""
    hall = _hall_or_404(request, code)
    if hall is None:
        return not_found_page(request, _("未找到该办事大厅。"))
    kiosk = request.GET.get("mode") == "terminal"
    source = Ticket.Source.TERMINAL if kiosk else Ticket.Source.PHONE
    check_in_error, errors, posted = "", {}, {}
    if request.method == "POST":
        form = TerminalForm(request.POST)
        try:
            data = checked(form)
            if form.check_in:
                ticket = services.appointment_check_in(
                    hall=hall, code=data["code"], id_number=data["id_number"], user=request.user)
                messages.success(request, _("签到成功,您的号码是 %(number)s(预约优先)。") % {"number": ticket.number})
            else:
                department_id = data["department_id"]
                department = Department.objects.filter(pk=department_id).first() if department_id else None
                ticket = services.ticket_take(hall=hall, category=data["category"], department=department,
                                              source=source, user=request.user, phone=data["phone"].strip())
                messages.success(request, _("取号成功,您的号码是 %(number)s。") % {"number": ticket.number})
            url = reverse("portal:ticket", args=[ticket.token])
            return redirect(f"{url}?mode=terminal" if kiosk else url)
        except DomainError as exc:
            show_domain_error(request, exc)
            check_in_error = exc.message if form.check_in else ""
            errors = exc.fields
            # the booking code and the phone come back; an ID number is not shown again (a shared screen)
            posted = {"code": form.data.get("code", ""), "phone": form.data.get("phone", "")}
            status = exc.status
    else:
        status = 200
    today = clock.today()
    waiting = {(r["category"], r["department_id"]): r["waiting"] for r in selectors.waiting_counts(hall, today)}
    queues = selectors.hall_categories(hall)
    for q in queues:
        q["waiting"] = waiting.get((q["category"], q["department"].pk if q["department"] else None), 0)
        q["key"] = _queue_key(q)
    mine = []
    if request.user.is_authenticated:
        mine = list(Ticket.objects.filter(user=request.user, hall=hall, day=today,
                                          state__in=(Ticket.State.WAITING, Ticket.State.CALLED)))
    return render(request, "windows/terminal.html", {
        "title": _("取号:%(hall)s") % {"hall": hall.name}, "hall": hall, "queues": queues, "kiosk": kiosk,
        "mine": mine, "check_in_error": check_in_error, "errors": errors, "posted": posted, "body_class": "terminal" if kiosk else "",
    }, status=status)


def _ticket_context(ticket):
    estimate = selectors.estimate_wait(ticket) if ticket.state == Ticket.State.WAITING else None
    return {"ticket": ticket, "estimate": estimate}


def ticket_page(request, token):
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        return not_found_page(request, _("未找到该号码。"))
    context = _ticket_context(ticket)
    if request.GET.get("partial") == "1":
        return render(request, "windows/_ticket_status.html", context)
    context.update({"title": _("我的号码 %(number)s") % {"number": ticket.number},
                    "kiosk": request.GET.get("mode") == "terminal",
                    "owner": request.user.is_authenticated and ticket.user_id == request.user.pk})
    return render(request, "windows/ticket.html", context)


@require_POST
@login_required
def ticket_cancel(request, token):
    ticket = selectors.ticket_by_token(token)
    if ticket is None or ticket.user_id != request.user.pk:
        return not_found_page(request, _("未找到该号码。"))
    try:
        services.ticket_cancel(user=request.user, ticket=ticket)
        messages.success(request, _("已取消号码 %(number)s。") % {"number": ticket.number})
    except DomainError as exc:
        show_domain_error(request, exc)
    return redirect("portal:ticket", token=ticket.token)


def screen(request, code):
    """The hall's screen (a TV): numbers called, updated by static/js/screen.js without reload."""
    hall = _hall_or_404(request, code)
    if hall is None:
        return not_found_page(request, _("未找到该办事大厅。"))
    return render(request, "windows/screen.html", {
        "title": _("叫号屏:%(hall)s") % {"hall": hall.name}, "hall": hall, "screen": selectors.screen(hall),
        "poll_url": reverse("api-screen", args=[hall.code]),
    })


# --- the clerk's calling panel (on the hall page) -----------------------------------------------------


def calling_panel(clerk, *, seats=None) -> dict:
    """What the clerk's hall page shows of the queue: the current ticket and who waits (`seats`:
    today's, when the page has read them already)."""
    if seats is None:
        seats = seats_today(clerk, clock.today())
    windows = [s.window for s in seats]
    if not windows:
        return {"windows": []}
    hall = windows[0].hall
    today = clock.today()
    finished = Ticket.objects.filter(called_by=clerk, day=today).aggregate(
        served=Count("pk", filter=Q(state=Ticket.State.SERVED)), no_show=Count("pk", filter=Q(state=Ticket.State.NO_SHOW)))
    return {
        "windows": windows,
        "hall": hall,
        "current": selectors.current_ticket(clerk),
        "waiting": selectors.waiting_counts(hall, today, windows=windows),
        "served_today": finished["served"],
        "no_show_today": finished["no_show"],
    }


@role_required(User.Role.CLERK)
def calling_refresh(request):
    """The calling panel alone: the hall page swaps it in every 15 s (static/js/portal.js)."""
    return render(request, "windows/_calling.html", {"calling": calling_panel(request.user)})


@require_POST
@role_required(User.Role.CLERK)
def call_next(request):
    try:
        ticket = services.ticket_call_next(clerk=request.user)
        messages.success(request, _("请 %(number)s 号到 %(window)s 号窗口办理。") % {"number": ticket.number,
                                                                         "window": ticket.window.number})
    except DomainError as exc:
        show_domain_error(request, exc)
    return redirect("portal:hall")


@require_POST
@role_required(User.Role.CLERK)
def ticket_action(request, token, action):
    if action not in ("recall", "serve", "no-show"):
        return not_found_page(request)
    try:
        ticket = services.access_ticket_for_clerk(request.user, token)
        if action == "recall":
            ticket = services.ticket_recall(clerk=request.user, ticket=ticket)
            messages.success(request, _("已重呼 %(number)s(第 %(n)s 次)。") % {"number": ticket.number, "n": ticket.recall_count})
        elif action == "serve":
            services.ticket_finish(clerk=request.user, ticket=ticket, outcome=Ticket.State.SERVED)
            messages.success(request, _("%(number)s 已办结。") % {"number": ticket.number})
        else:
            services.ticket_finish(clerk=request.user, ticket=ticket, outcome=Ticket.State.NO_SHOW)
            messages.warning(request, _("%(number)s 已记为过号未到。") % {"number": ticket.number})
    except DomainError as exc:
        show_domain_error(request, exc)
        if exc.status == 404:
            return not_found_page(request, exc.message)
    return redirect("portal:hall")


# --- appointments -----------------------------------------------------------------------------------------


@role_required(User.Role.PUBLIC)
def my_appointments(request):
    from .home_visits import home_visits_for  # 上门办理 (windows.home_visits)

    services.appointments_mark_missed()  # lazily, besides the daily task
    return render(request, "windows/my_appointments.html", {
        "title": _("我的预约"), "appointments": list(selectors.my_appointments(request.user)[:100]),
        "home_visits": list(home_visits_for(request.user)[:50]),
    })


@role_required(User.Role.PUBLIC)
def book(request):
    """Pick a hall, a queue and a slot; the slots of the next working days with places left."""
    halls = selectors.halls_in_order()
    hall = next((h for h in halls if h.code == request.GET.get("hall")), halls[0] if halls else None)
    queues = [q for q in selectors.hall_categories(hall) if q["category"] in BOOKABLE] if hall else []
    wanted = request.GET.get("queue", "")
    queue = next((q for q in queues if _queue_key(q) == wanted), queues[0] if queues else None)
    days = []
    if queue is not None:
        slots = selectors.open_slots(hall=hall, category=queue["category"],
                                     department_id=queue["department"].pk if queue["department"] else None)
        by_day: dict[dt.date, list[AppointmentSlot]] = {}
        for slot in slots[:200]:
            by_day.setdefault(slot.date, []).append(slot)
        days = sorted(by_day.items())
    for q in queues:
        q["key"] = _queue_key(q)
    return render(request, "windows/book.html", {
        "title": _("预约办事"), "halls": halls, "hall": hall, "queues": queues, "queue": queue,
        "queue_key": _queue_key(queue) if queue else "", "days": days,
    })


def _queue_key(q):
    return f"{q['category']}-{q['department'].pk}" if q["department"] else q["category"]


@require_POST
@role_required(User.Role.PUBLIC)
def book_slot(request, pk):
    slot = AppointmentSlot.objects.select_related("hall").filter(pk=pk).first()
    if slot is None:
        return not_found_page(request, _("未找到该预约时段。"))
    try:
        appointment = services.appointment_book(user=request.user, slot=slot)
    except DomainError as exc:
        show_domain_error(request, exc)
        return redirect(f"{reverse('portal:book')}?hall={slot.hall.code}")
    start = timezone.localtime(slot.starts_at)
    messages.success(request, _("预约成功:%(hall)s %(when)s,预约码 %(code)s。请于预约时段开始前30分钟至时段结束前到大厅签到取号。")
                     % {"hall": slot.hall.name, "when": f"{start:%Y-%m-%d %H:%M}", "code": appointment.code})
    return redirect("portal:my_appointments")


@require_POST
@role_required(User.Role.PUBLIC)
def appointment_cancel(request, code):
    try:
        appointment = services.access_appointment(request.user, code)
        services.appointment_cancel(user=request.user, appointment=appointment)
        messages.success(request, _("已取消预约 %(code)s。") % {"code": appointment.code})
    except DomainError as exc:
        if exc.status == 404:
            return not_found_page(request, exc.message)
        show_domain_error(request, exc)
    if request.POST.get("back") == "me":  # cancelled on 我的: back to its card
        return redirect(reverse("portal:personal") + "#me-appointments")
    return redirect("portal:my_appointments")


