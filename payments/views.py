"""Pages of payments: the citizen's fees (去缴费, the return from the pay page, receipts), the
provider's notification callback, and the supervisor's reconciliation page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from core.pdf import qr_png_data_uri
from core.web.access import role_required, show_domain_error
from core.web.forms import checked

from . import receipts, selectors, services
from .forms import ReconcileForm, RefundForm
from .models import FeeLine, PaymentOrder


@login_required
def my_fees(request):
    lines = list(selectors.fee_lines_for(request.user)[:200])
    for line in lines:
        orders = list(line.orders.all())
        line.paid_order = next((o for o in orders if o.status != PaymentOrder.Status.CREATED), None)
        line.open_order = next((o for o in orders if o.status == PaymentOrder.Status.CREATED and o.pay_url), None)
        line.qr = qr_png_data_uri(line.open_order.pay_url) if line.open_order else ""
    unpaid = sum(line.amount_fen for line in lines if line.status == FeeLine.Status.UNPAID)
    return render(request, "payments/my_fees.html", {
        "title": _("我的缴费"), "lines": lines, "unpaid_yuan": f"{unpaid // 100}.{unpaid % 100:02d}",
    })


@login_required
@require_POST
def pay(request, line_id):
    try:
        order = services.start_payment(fee_line_id=line_id, user=request.user,
                                       return_url=request.build_absolute_uri(reverse("payments:returned")))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("payments:my_fees")
    # Not a redirect to the provider: the CSP's form-action 'self' would stop a form's redirect to
    # another origin. The page shows the order's link and QR code instead.
    messages.success(request, _("支付订单 %(no)s 已生成,请点击“前往支付平台付款”或用手机扫码支付。") % {
        "no": order.out_trade_no})
    return redirect("payments:my_fees")


@login_required
def returned(request):
    """Back from the pay page: ask the provider at once rather than wait for its notification."""
    order = selectors.orders_for(request.user).filter(out_trade_no=request.GET.get("out_trade_no", "")).first()
    if order is not None and order.bill_id and order.bill.person_id == request.user.pk:
        _say_bill_paid(request, order)
        return redirect("payments:bill", bill_id=order.bill_id)
    if order is None or order.fee_line_id is None or not services.can_pay(request.user, order.fee_line):
        messages.error(request, _("未找到该支付订单。"))
        return redirect("payments:my_fees")
    if services.query_order(order_id=order.pk):
        messages.success(request, _("缴费成功:%(name)s %(amount)s 元。") % {
            "name": order.fee_line.name, "amount": order.amount_yuan})
    else:
        messages.info(request, _("支付结果确认中,请稍后刷新本页查看。"))
    return redirect("payments:my_fees")


# --- utility bills (水/电/燃气 arrears reported by the data sources) --------------------------------


def _say_bill_paid(request, order):
    if services.query_order(order_id=order.pk):
        messages.success(request, _("缴费成功:%(name)s %(amount)s 元。") % {"name": order.bill.name,
                                                                          "amount": order.amount_yuan})
    else:
        messages.info(request, _("支付结果确认中,请稍后刷新本页查看。"))


@role_required(User.Role.PUBLIC)
@require_POST
def bill_pay(request, source):
    """缴纳欠费 from a 查 card: the bill made from the newest logged answer, and its order."""
    try:
        bill = services.bill_from_query(user=request.user, source=source)
        services.start_bill_payment(bill_id=bill.pk, user=request.user,
                                    return_url=request.build_absolute_uri(reverse("payments:returned")))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:personal")
    return redirect("payments:bill", bill_id=bill.pk)


@role_required(User.Role.PUBLIC)
def bill(request, bill_id):
    found = services.bills_for(request.user).filter(pk=bill_id).first()
    if found is None:
        raise Http404
    orders = list(found.orders.all())
    open_order = next((o for o in orders if o.status == PaymentOrder.Status.CREATED and o.pay_url), None)
    paid_order = next((o for o in orders if o.status != PaymentOrder.Status.CREATED), None)
    return render(request, "payments/bill.html", {
        "title": _("缴纳%(kind)s") % {"kind": found.get_source_display()}, "bill": found, "open_order": open_order,
        "paid_order": paid_order, "qr": qr_png_data_uri(open_order.pay_url) if open_order else "",
    })


@role_required(User.Role.PUBLIC)
@require_POST
def bill_check(request, bill_id):
    """我已完成支付: ask the provider now (its notification may be on its way too)."""
    found = services.bills_for(request.user).filter(pk=bill_id).first()
    order = found.orders.exclude(status=PaymentOrder.Status.REFUNDED).order_by("-created_at").first() if found else None
    if order is None:
        raise Http404
    _say_bill_paid(request, order)
    return redirect("payments:bill", bill_id=found.pk)


@login_required
def receipt(request, out_trade_no):
    order = selectors.orders_for(request.user).filter(out_trade_no=out_trade_no).first()
    if order is None or not order.receipt_number:
        raise Http404
    response = HttpResponse(receipts.receipt_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{order.receipt_number}.pdf"'
    return response


@csrf_exempt
@require_POST
def notify(request):
    """The provider's signed asynchronous notification (docs/payment-protocol.md)."""
    accepted = services.handle_notification(path=request.get_full_path(), headers=request.headers, body=request.body)
    if not accepted:
        return JsonResponse({"result": "fail"}, status=401)
    return JsonResponse({"result": "ok"})


@login_required
def reconciliation(request):
    if not services.can_refund(request.user):
        raise PermissionDenied
    status, day_typed, errors = 200, timezone.localdate().isoformat(), {}
    if request.method == "POST":
        form = ReconcileForm(request.POST)
        day_typed = form.data.get("day", "")
        try:
            day = checked(form)["day"]
            record = services.reconcile(day=day)
        except DomainError as error:
            show_domain_error(request, error)
            status, errors = error.status, error.fields
        else:
            messages.success(request, _("%(day)s 对账完成,差异 %(n)s 笔。") % {"day": day, "n": len(record.differences)})
            return redirect("payments:reconciliation")
    records = list(selectors.reconciliations_for(request.user)[:60])
    return render(request, "payments/reconciliation.html", {
        "title": _("缴费对账"), "records": records, "today": day_typed, "errors": errors,
    }, status=status)


@login_required
@require_POST
def refund(request, out_trade_no):
    order = selectors.orders_for(request.user).filter(out_trade_no=out_trade_no).first()
    if order is None:
        raise Http404
    try:
        services.refund(order_id=order.pk, actor=request.user, reason=checked(RefundForm(request.POST))["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已退费:订单 %(no)s。") % {"no": out_trade_no})
    return redirect("payments:reconciliation")
