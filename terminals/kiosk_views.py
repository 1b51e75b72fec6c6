"""The kiosk's pages (市民之窗): bound to the device by its cookie, one resident's session at a time.

Every page of a resident names the session in its address (`/kiosk/<session>/…`), so a page left
on the screen can never act on the next card's session; every such request goes through
`kiosk.access_session` (services.touch). The page polls `/kiosk/state/` and counts the idle time
down (static/js/kiosk.js); the server ends an idle session on its own, whatever the page does."""

from __future__ import annotations

import functools

from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts.display import display_of
from accounts.identity import mask, mask_name, mask_phone
from accounts.models import Display
from core.errors import Conflict, DomainError, NotFound
from core.pdf import qr_png_data_uri
from exchange.data_access import NotPermitted, query_for
from exchange.datasources import SOURCES, DataSourceError
from exchange.models import DataSourcePolicy
from exchange.selectors import licences_for
from exchange.traffic import receipt_lines, vehicle_rows
from payments import selectors as fees
from payments import services as payments
from payments.models import FeeLine, PaymentOrder, UtilityBill, yuan
from windows import queue_selectors, queue_services
from windows.models import Window
from workflow.selectors import applications_for

from . import hooks, kiosk, kiosk_apply, receipts, services
from .forms import EnrolForm, KioskCodeForm, KioskIdNumberForm, KioskPinForm, RateForm, TicketForm
from .models import CardSession, KioskReceipt

FIELD_LABELS = {
    "name": "姓名",
    "address": "户籍地址",
    "household_no": "户号",
    "relation": "与户主关系",
    "insured": "参保状态",
    "months": "累计缴费月数",
    "account_open": "账户状态",
    "balance": "账户余额(元)",
    "properties": "不动产数量",
    "certificate_no": "不动产权证号",
    "status": "状态",
    "account": "户号",
    "arrears": "欠费(元)",
    "bill_month": "账单月份",
    "bill_amount": "账单金额(元)",
    "unpaid_violations": "未处理违章(起)",
}


def _shown(field: str, value) -> str:
    if isinstance(value, bool):
        return {"insured": "参保中", "account_open": "正常"}.get(field, "是") if value else "否"
    return "—" if value in (None, "") else str(value)


def _large(request, session=None) -> bool:
    person = getattr(session, "person", None)
    if person is not None and session.state == CardSession.State.ACTIVE and person.display:
        return person.display == Display.LARGE
    return display_of(request) == Display.LARGE


def _page(request, template, terminal, session=None, status=200, **context):
    context.update(
        {
            "terminal": terminal,
            "session": session,
            "large_print": _large(request, session),
            "remaining": services.seconds_left(session) if session else "",
            "idle_seconds": int(services.idle_limit(session or context.get("ended")).total_seconds()),
        }
    )
    return render(request, template, context, status=status)


def device_required(view):
    """The terminal of this browser's cookie, else the enrolment page (or 403 for a POST)."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        terminal = kiosk.device_of(request)
        if terminal is None:
            if request.method != "GET":
                return HttpResponse(_("本设备未登记为自助终端。"), status=403)
            return redirect("kiosk:enrol")
        return view(request, terminal, *args, **kwargs)

    return wrapper


def in_session(*, active=True):
    """A resident's request: the session it names, touched (ended or idle: back to the start)."""

    def decorate(view):
        @functools.wraps(view)
        @device_required
        def wrapper(request, terminal, session_id, *args, **kwargs):
            try:
                session = kiosk.access_session(terminal, session_id, active=active)
            except Conflict as error:
                messages.info(request, error.message)
                return redirect("kiosk:home")
            except DomainError as error:
                if error.code == "pin_required":
                    return redirect("kiosk:home")
                messages.error(request, error.message)
                return redirect("kiosk:home")
            return view(request, terminal, session, *args, **kwargs)

        return wrapper

    return decorate


# --- the device ------------------------------------------------------------------------------------


@never_cache
def enrol(request):
    """终端登记: the one-time code from the hall's head binds this browser to its terminal."""
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = kiosk.enrol(code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            response = redirect("kiosk:home")
            response.set_signed_cookie(
                kiosk.COOKIE,
                kiosk.cookie_value(enrolment),
                salt=kiosk.SALT,
                max_age=kiosk.COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    return render(
        request,
        "terminals/kiosk/enrol.html",
        {"form": form, "terminal": kiosk.device_of(request), "large_print": _large(request), "title": _("终端登记")},
    )


@device_required
def home(request, terminal):
    """What the screen shows: the PIN pad for a card just read, the menu of an open session, or
    the invitation to put the ID card on the reader (with why the last session ended)."""
    session = kiosk.showing(terminal)
    if session is not None and session.state == CardSession.State.ACTIVE:
        return redirect("kiosk:menu", session_id=session.pk)
    if session is not None and session.state == CardSession.State.AWAITING_CODE:
        return _code_page(request, terminal, session, KioskCodeForm())
    if session is not None:
        return _pin_page(request, terminal, session, KioskPinForm())
    ended = kiosk.last_ended(terminal)
    return _page(request, "terminals/kiosk/idle.html", terminal, ended=ended, title=_("请读取身份证"))


@require_GET
@device_required
def state(request, terminal):
    """Polled by the page: the session on screen and its seconds left (no touch)."""
    session = kiosk.showing(terminal)
    ended = None if session else kiosk.last_ended(terminal, within_seconds=10)
    return JsonResponse(
        {
            "session": session.pk if session else None,
            "state": session.state if session else None,
            "remaining": services.seconds_left(session) if session else 0,
            "ended": ended.pk if ended else None,
            "ended_reason": ended.end_reason if ended else "",
        }
    )


def paid(request):
    """Where the payment platform sends the resident's phone back after paying (no session here)."""
    return render(request, "terminals/kiosk/paid.html", {"title": _("支付完成"), "large_print": _large(request)})


# --- the resident ----------------------------------------------------------------------------------


def _pin_page(request, terminal, session, form):
    can_text = bool(session.person and session.person.phone)
    return _page(request, "terminals/kiosk/pin.html", terminal, session, form=form, can_text=can_text,
                 title=_("输入终端密码"))


def _code_page(request, terminal, session, form):
    return _page(request, "terminals/kiosk/code.html", terminal, session, form=form,
                 minutes=services.CODE_MINUTES, title=_("输入短信验证码"))


@device_required
def id_number(request, terminal):
    """没带身份证: the ID number typed on the pad; a code goes to the account's registered phone."""
    form = KioskIdNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.id_number_entered(terminal, id_number=form.cleaned_data["id_number"])
        except DomainError as error:
            form.add_error("id_number", error.message)
        else:
            return redirect("kiosk:home")
    if kiosk.showing(terminal) is not None and request.method == "GET":
        return redirect("kiosk:home")  # a card is on the reader: its session first
    return _page(request, "terminals/kiosk/id_number.html", terminal, form=form, title=_("输入身份证号码"))


@require_POST
@in_session(active=False)
def code_send(request, terminal, session):
    """获取短信验证码 / 重新获取."""
    try:
        services.request_code(session)
    except Conflict as error:
        session.refresh_from_db()
        if session.state == CardSession.State.ENDED:
            messages.info(request, error.message)
            return redirect("kiosk:home")
        messages.error(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("kiosk:home")


def _second_factor(request, terminal, session, form, *, field, enter, page):
    """A posted PIN or texted code: right → the menu; a session that ended meanwhile (too many
    wrong tries, idle, card taken) or was verified already → the start screen with the reason;
    otherwise the same screen with the reason under the field."""
    if form.is_valid():
        try:
            enter(session, form.cleaned_data[field])
        except DomainError as error:
            session.refresh_from_db()
            if session.state == CardSession.State.ENDED or error.code == "already_verified":
                messages.info(request, error.message)
                return redirect("kiosk:home")
            form.add_error(field, error.message)
        else:
            return redirect("kiosk:menu", session_id=session.pk)
    return page(request, terminal, session, form)


@sensitive_post_parameters("code")
@require_POST
@in_session(active=False)
def code(request, terminal, session):
    return _second_factor(request, terminal, session, KioskCodeForm(request.POST), field="code",
                          enter=services.enter_code, page=_code_page)


@sensitive_post_parameters("pin")
@require_POST
@in_session(active=False)
def pin(request, terminal, session):
    return _second_factor(request, terminal, session, KioskPinForm(request.POST), field="pin",
                          enter=services.enter_pin, page=_pin_page)


@in_session()
def menu(request, terminal, session):
    return _page(request, "terminals/kiosk/menu.html", terminal, session, title=_("查·缴·办"))


@require_POST
@in_session(active=False)
def finish(request, terminal, session):
    services.finish(session)
    messages.success(request, _("您已退出,请取走身份证。"))
    return redirect("kiosk:home")


@in_session()
def my_applications(request, terminal, session):
    rows = list(applications_for(session.person).prefetch_related("subcases__department").order_by("-created_at")[:20])
    return _page(request, "terminals/kiosk/applications.html", terminal, session, rows=rows, title=_("我的办件"))


@in_session()
def my_licences(request, terminal, session):
    rows = list(licences_for(session.person).order_by("-issued_on")[:20])
    return _page(request, "terminals/kiosk/licences.html", terminal, session, rows=rows, title=_("我的证照"))


def _sources():
    matter = kiosk.query_matter()
    if matter is None:
        return None, []
    return matter, [
        (p.source, SOURCES.get(p.source, p.source), p)
        for p in DataSourcePolicy.objects.filter(matter=matter).order_by("pk")
    ]


@in_session()
def data(request, terminal, session):
    _matter, sources = _sources()
    return _page(request, "terminals/kiosk/data.html", terminal, session, sources=sources, title=_("数据查询"))


@require_POST
@in_session()
def data_query(request, terminal, session, source):
    matter, sources = _sources()
    policy = next((p for s, _label, p in sources if s == source), None)
    if policy is None:
        raise Http404
    label = SOURCES.get(source, source)
    try:
        record = query_for(
            matter=matter,
            subject=session.person,
            asked_by=session.person,
            source=source,
            fields=list(policy.fields),
            case_ref=f"终端{terminal.code}",
        )
    except (NotPermitted, DataSourceError) as error:
        messages.error(request, error.message)
        return redirect("kiosk:data", session_id=session.pk)
    rows = [(FIELD_LABELS.get(f, f), _shown(f, record.fields.get(f))) for f in policy.fields
            if f != "vehicles"] if record.found else []
    vehicles = vehicle_rows(record.fields.get("vehicles")) if record.found else []
    arrears = payments.bill_fen(record.fields.get("arrears")) if record.found and source in UtilityBill.Source.values \
        else None
    receipt = kiosk.receipt_make(
        session,
        kind=KioskReceipt.Kind.QUERY,
        title=_("%(s)s查询结果") % {"s": label},
        lines=[*rows, *receipt_lines(vehicles)] or [(_("查询结果"), _("未查到记录"))],
    )
    return _page(
        request,
        "terminals/kiosk/data_result.html",
        terminal,
        session,
        label=label,
        rows=rows,
        vehicles=vehicles,
        found=record.found,
        receipt=receipt,
        source=source,
        arrears=yuan(arrears) if arrears and arrears > 0 else "",
        title=_("%(s)s查询结果") % {"s": label},
    )


def _pay_page(request, terminal, session, *, what, order, check_url):
    """The order's QR code for the resident's phone, and 我已完成支付 (`check_url`)."""
    return _page(request, "terminals/kiosk/pay.html", terminal, session, what=what, order=order, check_url=check_url,
                 qr=qr_png_data_uri(order.pay_url), title=_("扫码缴费"))


def _checked(request, terminal, session, order, *, what, check_url, lines, name):
    """我已完成支付: ask the platform now (its notification may be on its way too); paid → the
    receipt (`lines` before the order's own), else the QR code again."""
    if not payments.query_order(order_id=order.pk):
        messages.info(request, _("尚未收到支付结果,请在手机上完成支付后再点“我已完成支付”。"))
        return _pay_page(request, terminal, session, what=what, order=order, check_url=check_url)
    order.refresh_from_db()
    paid_at = timezone.localtime(order.paid_at).strftime("%Y-%m-%d %H:%M:%S") if order.paid_at else ""
    receipt = kiosk.receipt_make(session, kind=KioskReceipt.Kind.PAYMENT, title=_("缴费凭条"), lines=[
        *lines,
        (_("金额"), f"¥{yuan(order.amount_fen)}"),
        (_("订单号"), order.out_trade_no),
        (_("电子票据号"), order.receipt_number),
        (_("缴费时间"), paid_at),
    ])
    return _page(request, "terminals/kiosk/done.html", terminal, session, receipt=receipt,
                 headline=_("缴费成功:%(name)s %(amount)s 元") % {"name": name, "amount": yuan(order.amount_fen)},
                 title=_("缴费成功"))


def _live_order(orders):
    order = orders.exclude(status=PaymentOrder.Status.REFUNDED).order_by("-created_at").first()
    if order is None:
        raise Http404
    return order


@require_POST
@in_session()
def bill_pay(request, terminal, session, source):
    """缴纳欠费: the bill from the answer just logged, its order's QR code for the resident's phone."""
    try:
        bill = payments.bill_from_query(user=session.person, source=source)
        order = payments.start_bill_payment(bill_id=bill.pk, user=session.person,
                                            return_url=request.build_absolute_uri(reverse("kiosk:paid")))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("kiosk:data", session_id=session.pk)
    return _pay_page(request, terminal, session, what=bill.name, order=order,
                     check_url=reverse("kiosk:bill_check", args=[session.pk, bill.pk]))


@require_POST
@in_session()
def bill_check(request, terminal, session, bill_id):
    bill = get_object_or_404(payments.bills_for(session.person), pk=bill_id)
    return _checked(request, terminal, session, _live_order(bill.orders), what=bill.name,
                    check_url=reverse("kiosk:bill_check", args=[session.pk, bill.pk]),
                    lines=[(_("缴费项目"), bill.get_source_display()), (_("户号"), bill.account),
                           (_("账单月份"), bill.bill_month)],
                    name=bill.get_source_display())


@in_session()
def my_fees(request, terminal, session):
    lines = list(fees.fee_lines_for(session.person)[:30])
    return _page(request, "terminals/kiosk/fees.html", terminal, session, lines=lines, title=_("缴费"))


def _fee_line(session, line_id) -> FeeLine:
    return get_object_or_404(fees.fee_lines_for(session.person), pk=line_id)


@require_POST
@in_session()
def fee_pay(request, terminal, session, line_id):
    """An order at the payment platform; the screen shows its QR code for the resident's phone."""
    line = _fee_line(session, line_id)
    try:
        order = payments.start_payment(
            fee_line_id=line.pk, user=session.person, return_url=request.build_absolute_uri(reverse("kiosk:paid"))
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("kiosk:fees", session_id=session.pk)
    return _pay_page(request, terminal, session, what=line.name, order=order,
                     check_url=reverse("kiosk:fee_check", args=[session.pk, line.pk]))


@require_POST
@in_session()
def fee_check(request, terminal, session, line_id):
    line = _fee_line(session, line_id)
    return _checked(request, terminal, session, _live_order(line.orders), what=line.name,
                    check_url=reverse("kiosk:fee_check", args=[session.pk, line.pk]),
                    lines=[(_("办件编号"), line.application.number), (_("收费项目"), line.name)], name=line.name)


@in_session()
def queue(request, terminal, session):
    categories = queue_selectors.hall_categories(terminal.hall)
    return _page(
        request, "terminals/kiosk/queue.html", terminal, session, categories=categories, title=_("取号与预约签到")
    )


def _ticket_done(request, terminal, session, ticket, *, kind, headline):
    wait = queue_selectors.estimate_wait(ticket)
    receipt = kiosk.receipt_make(
        session,
        kind=kind,
        title=_("排队号"),
        lines=[
            (_("号码"), ticket.number),
            (_("业务"), ticket.category_label),
            (_("前面等候"), _("%(n)s 人") % {"n": wait.ahead}),
            (_("预计等候"), _("约 %(n)s 分钟") % {"n": wait.minutes}),
            (_("取号时间"), timezone.localtime(ticket.issued_at).strftime("%Y-%m-%d %H:%M")),
        ],
    )
    return _page(
        request,
        "terminals/kiosk/done.html",
        terminal,
        session,
        receipt=receipt,
        headline=headline,
        big=ticket.number,
        title=headline,
    )


@require_POST
@in_session()
def ticket_take(request, terminal, session):
    form = TicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("kiosk:queue", session_id=session.pk)
    category, _sep, department_id = form.cleaned_data["queue"].partition(":")
    choice = next(
        (
            c
            for c in queue_selectors.hall_categories(terminal.hall)
            if c["category"] == category
            and (category != Window.Category.DEPARTMENT or str(getattr(c["department"], "pk", "")) == department_id)
        ),
        None,
    )
    if choice is None:
        messages.error(request, _("本大厅没有办理该类业务的窗口,请咨询导办人员。"))
        return redirect("kiosk:queue", session_id=session.pk)
    try:
        ticket = queue_services.ticket_take(
            hall=terminal.hall, category=category, department=choice["department"], user=session.person
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("kiosk:queue", session_id=session.pk)
    return _ticket_done(
        request, terminal, session, ticket, kind=KioskReceipt.Kind.TICKET, headline=_("取号成功,请留意叫号")
    )


@require_POST
@in_session()
def check_in(request, terminal, session):
    try:
        ticket = queue_services.appointment_check_in(
            hall=terminal.hall, id_number=session.person.id_number, user=session.person
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("kiosk:queue", session_id=session.pk)
    return _ticket_done(
        request, terminal, session, ticket, kind=KioskReceipt.Kind.CHECK_IN, headline=_("预约签到成功,请留意叫号")
    )


@in_session()
def rate(request, terminal, session):
    provider = hooks.ratings()
    rows = []
    if provider is not None:
        for application in (
            applications_for(session.person).filter(applicant=session.person).order_by("-created_at")[:10]
        ):
            rows.extend((application, token, label) for token, label in provider.open_ratings(application))
    return _page(
        request,
        "terminals/kiosk/rate.html",
        terminal,
        session,
        rows=rows,
        levels=provider.levels if provider else [],
        title=_("服务评价"),
    )


@require_POST
@in_session()
def rate_submit(request, terminal, session, number):
    provider = hooks.ratings()
    application = applications_for(session.person).filter(applicant=session.person, number=number).first()
    form = RateForm(request.POST)
    if provider is None or application is None:
        raise Http404
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("kiosk:rate", session_id=session.pk)
    try:
        said = provider.rate(
            token=form.cleaned_data["token"],
            level=form.cleaned_data["level"],
            actor=session.person,
            application_id=application.pk,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("kiosk:rate", session_id=session.pk)
    receipt = kiosk.receipt_make(
        session,
        kind=KioskReceipt.Kind.RATING,
        title=_("评价凭条"),
        lines=[(_("办件编号"), application.number), (_("评价"), said)],
    )
    return _page(
        request,
        "terminals/kiosk/done.html",
        terminal,
        session,
        receipt=receipt,
        headline=_("感谢您的评价"),
        title=_("感谢您的评价"),
    )


# --- 办: self-service matters and 补正 --------------------------------------------------------------


@in_session()
def apply_list(request, terminal, session):
    owed = [
        (application, notice, qr_png_data_uri(request.build_absolute_uri(
            reverse("portal:application", kwargs={"number": application.number}))))
        for application, notice in kiosk_apply.supplements_owed(session.person)
    ]
    return _page(request, "terminals/kiosk/apply.html", terminal, session,
                 matters=list(kiosk_apply.self_service_matters()), owed=owed, title=_("自助申办"))


@require_POST
@in_session()
def supplement_print(request, terminal, session, number):
    """The one-time notice of a 补正 printed, to take to the hall or to answer on the phone."""
    row = next(((a, n) for a, n in kiosk_apply.supplements_owed(session.person) if a.number == number), None)
    if row is None or row[1] is None:
        raise Http404
    application, notice = row
    receipt = kiosk.receipt_make(
        session,
        kind=KioskReceipt.Kind.SUPPLEMENT,
        title=_("补正告知"),
        lines=[(_("办件编号"), application.number)]
        + [(item["material"], item.get("reason") or _("需补正")) for item in notice.items]
        + [(_("补正方式"), _("手机扫码网上补正,或携带材料到任一大厅窗口"))],
    )
    return _page(request, "terminals/kiosk/done.html", terminal, session, receipt=receipt,
                 headline=_("补正告知已打印"), title=_("补正告知"))


@in_session()
def apply_matter(request, terminal, session, code):
    matter = kiosk_apply.access_matter(code)
    if matter is None:
        raise Http404
    plan = kiosk_apply.plan_for(session.person, matter)
    errors = {}
    if request.method == "POST" and plan.possible:
        chosen = {f.key: request.POST.get(f.key, "") for f in plan.choose}
        try:
            application = kiosk_apply.apply(session, plan, chosen)
        except DomainError as error:
            messages.error(request, error.message)
            errors = dict(error.fields)
        else:
            receipt = kiosk.receipt_make(
                session,
                kind=KioskReceipt.Kind.APPLY,
                title=_("申请回执"),
                lines=[
                    (_("办件编号"), application.number),
                    (_("事项"), matter.name),
                    (_("状态"), application.get_state_display()),
                    (_("提交时间"), timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")),
                    (_("承诺时限"), _("%(n)s 个工作日") % {"n": matter.promised_days}),
                ],
            )
            return _page(request, "terminals/kiosk/done.html", terminal, session, receipt=receipt,
                         headline=_("申请已提交:%(name)s") % {"name": matter.name}, big=application.number,
                         title=_("申请已提交"))
    shown = [(f.label, _shown_value(f, value)) for f, value in plan.known]
    choices = [(f, errors.get(f.key, [])) for f in plan.choose]
    return _page(request, "terminals/kiosk/apply_matter.html", terminal, session, plan=plan, shown=shown,
                 choices=choices, title=matter.name, status=400 if errors else 200)


def _shown_value(form_field, value) -> str:
    if form_field.type == "id_number":
        return mask(value, keep_start=4, keep_end=4)
    if form_field.type == "phone":
        return mask_phone(value)
    return value


@csp_replace({"frame-ancestors": ["'self'"]})  # printed from a hidden frame of the kiosk page
@xframe_options_sameorigin
@in_session()
def receipt_pdf(request, terminal, session, receipt_id):
    try:
        receipt = kiosk.access_receipt(session, receipt_id)
    except NotFound:
        raise Http404 from None
    pdf = receipts.receipt_pdf(
        receipt, holder=mask_name(session.card_name), id_masked=session.card_id_masked, terminal=terminal
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kiosk-receipt-{receipt.pk}.pdf"'
    return response
