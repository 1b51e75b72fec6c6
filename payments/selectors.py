"""Who reads which fees, orders, receipts and reconciliations (issue 12): decided here once, for
the pages, the API and the receipt PDF alike.

- the applicant, and the agent who submitted the application while the authorisation it was
  made under is in force: that application's fee lines, their orders and receipts;
- supervisors and administrators (who refund and reconcile): every order and reconciliation,
  but no fee list of their own;
- the person a utility bill (水/电/燃气 arrears) was made for: its orders and receipts;
- everyone else: nothing (a clerk or a reviewer does not pay).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import FeeLine, PaymentOrder, Reconciliation


def _acts_for_applicant(user) -> Q:
    """As `workflow.rules.acts_for_applicant`, as a filter on fee lines."""
    today = timezone.localdate()
    return Q(application__applicant=user) | Q(
        application__agent=user, application__agent_authorisation__revoked_at__isnull=True,
        application__agent_authorisation__ends_on__gte=today)


def fee_lines_for(user):
    qs = FeeLine.objects.select_related("application").prefetch_related("orders").order_by("-created_at", "-pk")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(_acts_for_applicant(user))


def may_refund(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (
        user.is_superuser or getattr(user, "is_supervisor", False) or getattr(user, "role", "") == "administrator"))


def orders_for(user):
    qs = PaymentOrder.objects.select_related("fee_line__application__applicant", "bill__person")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if may_refund(user):
        return qs
    return qs.filter(Q(fee_line__in=fee_lines_for(user).values("pk")) | Q(bill__person=user))


def access_order(user, out_trade_no: str) -> PaymentOrder:
    order = orders_for(user).filter(out_trade_no=out_trade_no or "").first()
    if order is None:
        raise NotFound(_("未找到该支付订单。"), code="order_not_found")
    return order


def reconciliations_for(user):
    return Reconciliation.objects.all() if may_refund(user) else Reconciliation.objects.none()
