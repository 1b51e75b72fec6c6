"""Paying fees: orders at the provider, their settlement (at most once, whatever arrives), the
query for notifications that never came, refunds and the daily reconciliation.

The provider is called outside any row lock except for refunds (whose refund number is fixed per
order, so a retried call cannot refund twice)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, Forbidden, Invalid, NotFound
from workflow import rules
from workflow import services as workflow_services

from .models import FeeLine, PaymentNotification, PaymentOrder, Reconciliation, UtilityBill, yuan
from .provider import Provider, ProviderError, notification_is_authentic

logger = logging.getLogger(__name__)
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _provider() -> Provider:
    provider = Provider.configured()
    if provider is None:
        raise Conflict(_("网上缴费暂未开通,请到大厅收费窗口缴纳。"), code="payments_not_configured")
    return provider


def can_pay(user, fee_line: FeeLine) -> bool:
    return rules.acts_for_applicant(fee_line.application, user)


def _new_trade_no() -> str:
    return "TB" + timezone.localdate().strftime("%Y%m%d") + secrets.token_hex(5).upper()


def start_payment(*, fee_line_id: int, user, return_url: str) -> PaymentOrder:
    """The order that pays a fee line, at the provider: the open one again, or a new one."""
    with transaction.atomic():
        line = FeeLine.objects.select_for_update().select_related("application").filter(pk=fee_line_id).first()
        if line is None or not can_pay(user, line):
            raise NotFound(_("未找到该费用。"))
        if line.status != FeeLine.Status.UNPAID:
            raise Conflict(_("该费用已缴纳,无需重复缴费。"), code="fee_paid")
        order = line.orders.filter(status=PaymentOrder.Status.CREATED).first()
        if order is None:
            order = PaymentOrder.objects.create(fee_line=line, out_trade_no=_new_trade_no(), amount_fen=line.amount_fen)
    return _at_provider(order, subject=f"{line.application.number} {line.name}", return_url=return_url)


def _at_provider(order: PaymentOrder, *, subject: str, return_url: str) -> PaymentOrder:
    """The order created at the provider (outside any lock), unless it already was."""
    if order.pay_url:
        return order
    try:
        answer = _provider().create_order(
            out_trade_no=order.out_trade_no, amount_fen=order.amount_fen, subject=subject,
            notify_url=settings.PAYMENT_NOTIFY_BASE_URL.rstrip("/") + "/payments/notify/", return_url=return_url)
    except ProviderError as error:
        logger.warning("payment order %s not created: %s", order.out_trade_no, error)
        raise Conflict(_("支付平台暂时无法连接,请稍后再试。"), code="provider_unavailable") from error
    if answer.get("amount_fen") != order.amount_fen or answer.get("out_trade_no") != order.out_trade_no:
        raise Conflict(_("支付平台返回的订单与本系统不符,请稍后再试。"), code="provider_mismatch")
    PaymentOrder.objects.filter(pk=order.pk).update(provider_order_id=answer["order_id"], pay_url=answer["pay_url"])
    order.refresh_from_db()
    return order


# --- utility bills (水/电/燃气): arrears reported by the data sources --------------------------------

BILL_ANSWER_HOURS = 24  # a bill is made from a logged answer at most this old


def bill_fen(value) -> int | None:
    """Arrears as the source gives them (yuan, a number or a string) in fen; None if unreadable."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite():
        return None
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def bill_from_query(*, user, source: str) -> UtilityBill:
    """The bill for the arrears the data source reported for `user` in their newest logged answer
    of `source` (水/电/燃气), made once per account and month. Nothing the page posts is trusted:
    the amount, account and month come from the logged answer."""
    from exchange.models import DataQuery

    if source not in UtilityBill.Source.values:
        raise NotFound(_("不支持该类缴费。"))
    since = timezone.now() - dt.timedelta(hours=BILL_ANSWER_HOURS)
    row = (DataQuery.objects.filter(subject=user, source=source, outcome=DataQuery.Outcome.FOUND, asked_at__gte=since)
           .order_by("-asked_at", "-pk").first())
    label = UtilityBill.Source(source).label
    if row is None:
        raise Conflict(_("请先查询%(kind)s,再缴纳欠费。") % {"kind": label}, code="bill_not_queried")
    answer = row.answer or {}
    amount, account = bill_fen(answer.get("arrears")), str(answer.get("account") or "").strip()[:32]
    month = str(answer.get("bill_month") or "").strip()[:7] or timezone.localdate().strftime("%Y-%m")
    if amount is None or not account:
        raise Conflict(_("%(kind)s的查询结果中没有可缴纳的欠费信息。") % {"kind": label}, code="bill_unreadable")
    if amount <= 0:
        raise Conflict(_("%(kind)s没有欠费,无需缴纳。") % {"kind": label}, code="no_arrears")
    with transaction.atomic():
        bill = UtilityBill.objects.select_for_update().filter(source=source, account=account, bill_month=month).first()
        if bill is None:
            bill = UtilityBill.objects.create(person=user, source=source, account=account, bill_month=month,
                                              amount_fen=amount, data_query=row)
    if bill.person_id != user.pk:
        raise NotFound(_("未找到该账单。"))
    if bill.status != UtilityBill.Status.UNPAID:
        raise Conflict(_("%(kind)s %(month)s 的欠费已缴纳,供应单位销账前查询结果可能仍显示欠费。")
                       % {"kind": label, "month": month}, code="bill_paid")
    return bill


def bills_for(user):
    if not getattr(user, "is_authenticated", False):
        return UtilityBill.objects.none()
    return UtilityBill.objects.filter(person=user).prefetch_related("orders").order_by("-created_at", "-pk")


def start_bill_payment(*, bill_id: int, user, return_url: str) -> PaymentOrder:
    """The order that pays a utility bill: the open one again, or a new one."""
    with transaction.atomic():
        bill = UtilityBill.objects.select_for_update().filter(pk=bill_id, person=user).first()
        if bill is None:
            raise NotFound(_("未找到该账单。"))
        if bill.status != UtilityBill.Status.UNPAID:
            raise Conflict(_("该账单已缴纳,无需重复缴费。"), code="bill_paid")
        order = bill.orders.filter(status=PaymentOrder.Status.CREATED).first()
        if order is None:
            order = PaymentOrder.objects.create(bill=bill, out_trade_no=_new_trade_no(), amount_fen=bill.amount_fen)
    return _at_provider(order, subject=str(bill.name), return_url=return_url)


def _parse_time(value) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return timezone.now()
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def settle_paid(*, out_trade_no: str, amount_fen, provider_order_id: str, paid_at, source: str) -> str:
    """Record that the provider says `out_trade_no` is paid. In the caller's transaction; the
    order row is locked, so of two notifications arriving together the second waits and then
    finds the order paid. Returns a PaymentNotification outcome."""
    order = PaymentOrder.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
    if order is None or amount_fen != order.amount_fen or (
            order.provider_order_id and provider_order_id and provider_order_id != order.provider_order_id):
        return PaymentNotification.Outcome.REJECTED
    if order.status != PaymentOrder.Status.CREATED:
        return PaymentNotification.Outcome.DUPLICATE
    paid = _parse_time(paid_at)
    # Besides the row lock, the change itself is conditional: where the database gives no row
    # locks (SQLite) or a read came before the lock, the second writer updates no row.
    receipt_number = f"PJ{paid.astimezone(BEIJING):%Y}{order.pk:010d}"
    won = PaymentOrder.objects.filter(pk=order.pk, status=PaymentOrder.Status.CREATED).update(
        status=PaymentOrder.Status.PAID, paid_at=paid, settled_by=source, receipt_number=receipt_number,
        provider_order_id=order.provider_order_id or provider_order_id)
    if not won:
        return PaymentNotification.Outcome.DUPLICATE
    if order.bill_id:  # a utility bill: paid once, like the order
        UtilityBill.objects.filter(pk=order.bill_id, status=UtilityBill.Status.UNPAID).update(
            status=UtilityBill.Status.PAID, paid_at=paid)
        logger.info("utility bill %s paid by order %s", order.bill_id, order.out_trade_no)
        return PaymentNotification.Outcome.SETTLED
    line = FeeLine.objects.select_for_update().select_related("application").get(pk=order.fee_line_id)
    order.refresh_from_db()
    line.status, line.paid_at = FeeLine.Status.PAID, paid
    line.save(update_fields=["status", "paid_at"])
    workflow_services.log_case(
        line.application, actor=None, action="payments.fee.paid",
        note=_("已缴费:%(name)s %(amount)s 元(订单 %(no)s,电子票据 %(receipt)s)") % {
            "name": line.name, "amount": yuan(line.amount_fen), "no": order.out_trade_no,
            "receipt": order.receipt_number},
        data={"out_trade_no": order.out_trade_no, "amount_fen": order.amount_fen, "settled_by": source},
    )
    # an electronic result that waited for this fee goes out now
    workflow_services.deliver_electronically_when_ready(application_id=line.application_id)
    return PaymentNotification.Outcome.SETTLED


def handle_notification(*, path: str, headers, body: bytes) -> bool:
    """The provider's asynchronous notification. False (refused, logged) when the signature is
    not the provider's or the content does not match an order; a repeated one changes nothing."""
    text = body.decode("utf-8", errors="replace")[:4000]
    if not notification_is_authentic(path=path, headers=headers, body=body):
        logger.warning("payment notification refused: bad signature (%s)", text[:200])
        PaymentNotification.objects.create(outcome=PaymentNotification.Outcome.BAD_SIGNATURE, body=text,
                                           detail=_("签名校验失败"))
        return False
    try:
        data = json.loads(body)
        out_trade_no = str(data["out_trade_no"])
        ok = data.get("status") == "paid" and isinstance(data.get("amount_fen"), int)
    except (ValueError, KeyError, TypeError):
        data, out_trade_no, ok = {}, "", False
    with transaction.atomic():
        outcome = (settle_paid(out_trade_no=out_trade_no, amount_fen=data["amount_fen"],
                               provider_order_id=str(data.get("order_id", "")), paid_at=data.get("paid_at"),
                               source="notification")
                   if ok else PaymentNotification.Outcome.REJECTED)
        PaymentNotification.objects.create(out_trade_no=out_trade_no[:64], outcome=outcome, body=text)
    if outcome == PaymentNotification.Outcome.REJECTED:
        logger.warning("payment notification rejected for %r", out_trade_no)
    return outcome != PaymentNotification.Outcome.REJECTED


def query_order(*, order_id: int) -> bool:
    """Ask the provider about an order still waiting for its payment; settle it when paid.
    Idempotent: a settled order is left alone. Returns whether the order is paid now."""
    order = PaymentOrder.objects.filter(pk=order_id).first()
    if order is None:
        return False
    if order.status != PaymentOrder.Status.CREATED:
        return order.status == PaymentOrder.Status.PAID
    provider = Provider.configured()
    if provider is None:
        return False
    try:
        answer = provider.query(order.out_trade_no)
    except ProviderError as error:
        if error.status != 404:
            logger.warning("payment order %s not queried: %s", order.out_trade_no, error)
        PaymentOrder.objects.filter(pk=order.pk).update(queried_at=timezone.now())
        return False
    PaymentOrder.objects.filter(pk=order.pk).update(queried_at=timezone.now())
    if answer.get("status") not in ("paid", "refunded"):
        return False
    with transaction.atomic():
        outcome = settle_paid(out_trade_no=order.out_trade_no, amount_fen=answer.get("amount_fen"),
                              provider_order_id=str(answer.get("order_id", "")), paid_at=answer.get("paid_at"),
                              source="query")
    return outcome in (PaymentNotification.Outcome.SETTLED, PaymentNotification.Outcome.DUPLICATE)


def unsettled_order_ids(*, now=None) -> list[int]:
    """Orders sent to the provider and still unpaid here after PAYMENT_QUERY_AFTER_SECONDS (the
    notification is late or never comes), newest last, at most a week back."""
    now = now or timezone.now()
    return list(PaymentOrder.objects.filter(
        status=PaymentOrder.Status.CREATED, created_at__lte=now - dt.timedelta(seconds=settings.PAYMENT_QUERY_AFTER_SECONDS),
        created_at__gte=now - dt.timedelta(days=7),
    ).exclude(provider_order_id="").order_by("created_at").values_list("pk", flat=True)[:500])


def can_refund(user) -> bool:
    from .selectors import may_refund

    return may_refund(user)


def refund(*, order_id: int, actor, reason: str) -> PaymentOrder:
    """Refund a paid order in full at the provider (e.g. a fee charged in error)."""
    if not can_refund(actor):
        raise Forbidden(_("只有监督管理人员或系统管理员可以办理退费。"))
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 200:
        raise Invalid(_("请填写退费原因(不超过200字)。"), code="reason_required",
                      fields={"reason": [_("请填写退费原因。")]})
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound(_("未找到该支付订单。"))
        if order.status != PaymentOrder.Status.PAID:
            raise Conflict(_("该订单不是已支付状态,不能退费。"), code="not_paid")
        try:
            answer = _provider().refund(out_trade_no=order.out_trade_no, out_refund_no="RF" + order.out_trade_no[2:],
                                        amount_fen=order.amount_fen, reason=reason)
        except ProviderError as error:
            raise Conflict(_("支付平台未受理退款:%(m)s") % {"m": error}, code="refund_refused") from error
        if answer.get("amount_fen") != order.amount_fen:
            raise Conflict(_("支付平台退款金额与订单不符。"), code="refund_mismatch")
        order.status, order.refunded_fen = PaymentOrder.Status.REFUNDED, order.amount_fen
        order.refunded_at, order.refunded_by, order.refund_reason = timezone.now(), actor, reason
        order.save()
        if order.bill_id:
            UtilityBill.objects.filter(pk=order.bill_id).update(status=UtilityBill.Status.REFUNDED)
            return order
        line = FeeLine.objects.select_for_update().select_related("application").get(pk=order.fee_line_id)
        line.status = FeeLine.Status.REFUNDED
        line.save(update_fields=["status"])
        workflow_services.log_case(line.application, actor=actor, action="payments.fee.refunded",
                                   note=_("已退费:%(name)s %(amount)s 元,原因:%(reason)s") % {
                                       "name": line.name, "amount": yuan(order.amount_fen), "reason": reason})
    return order


def _day_bounds(day: dt.date):
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BEIJING)
    return start, start + dt.timedelta(days=1)


def reconcile(*, day: dt.date) -> Reconciliation:
    """Compare the provider's statement of `day` (Beijing time) with our paid and refunded
    orders; every difference is listed. Running it again for the day replaces the result."""
    try:
        statement = _provider().statement(day.isoformat())
    except ProviderError as error:
        raise Conflict(_("未能取得支付平台对账单:%(m)s") % {"m": error}, code="statement_unavailable") from error
    start, end = _day_bounds(day)
    ours = {("pay", o.out_trade_no): o.amount_fen
            for o in PaymentOrder.objects.filter(paid_at__gte=start, paid_at__lt=end)}
    ours.update({("refund", o.out_trade_no): o.refunded_fen
                 for o in PaymentOrder.objects.filter(refunded_at__gte=start, refunded_at__lt=end)})
    theirs: dict[tuple[str, str], int] = {}
    for entry in statement.get("entries", []):
        key = (str(entry.get("type")), str(entry.get("out_trade_no")))
        theirs[key] = theirs.get(key, 0) + int(entry.get("amount_fen") or 0)
    kinds = {"pay": _("收款"), "refund": _("退款")}
    differences = []
    for key in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(key), theirs.get(key)
        if mine == other:
            continue
        if mine is None:
            kind, note = "missing_here", _("支付平台有%(k)s记录,本系统没有") % {"k": kinds.get(key[0], key[0])}
        elif other is None:
            kind, note = "missing_there", _("本系统有%(k)s记录,支付平台对账单没有") % {"k": kinds.get(key[0], key[0])}
        else:
            kind, note = "amount", _("%(k)s金额不一致") % {"k": kinds.get(key[0], key[0])}
        differences.append({"kind": kind, "type": key[0], "out_trade_no": key[1], "ours_fen": mine,
                            "theirs_fen": other, "note": note})
    pay = lambda d, t: sum(v for (k, _n), v in d.items() if k == t)  # noqa: E731
    record, _created = Reconciliation.objects.update_or_create(day=day, defaults={
        "ran_at": timezone.now(), "differences": differences,
        "provider_pay_fen": pay(theirs, "pay"), "provider_refund_fen": pay(theirs, "refund"),
        "our_pay_fen": pay(ours, "pay"), "our_refund_fen": pay(ours, "refund"),
    })
    if differences:
        logger.warning("reconciliation of %s: %d differences", day, len(differences))
    return record
