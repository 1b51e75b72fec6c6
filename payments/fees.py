"""Fee lines of applications, made when the matter says (受理后 / 出件前), and the rule that a
result is not handed out while a fee is unpaid. Registered on `workflow.hooks` (apps.py); runs
inside workflow's transactions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from matters.models import FeeItem, Matter
from workflow.models import SubCase

from .models import FeeLine, yuan

EVENT_CHARGE = {"accepted": FeeItem.ChargeAt.ACCEPTANCE, "result_ready": FeeItem.ChargeAt.DELIVERY}


def add_fee_lines(application, charge_at: str) -> list[FeeLine]:
    """The fee lines of `application` due at `charge_at`; an item already there is not added
    again. A fee due before delivery is charged only for matters that were approved."""
    matters = application.matters.all()
    if charge_at == FeeItem.ChargeAt.DELIVERY:
        matters = Matter.objects.filter(subcases__application=application, subcases__state=SubCase.State.APPROVED)
    items = FeeItem.objects.filter(matter__in=matters, charge_at=charge_at, is_active=True).distinct()
    made = []
    for item in items.order_by("matter__code", "order", "id"):
        line, created = FeeLine.objects.get_or_create(
            application=application, fee_item=item,
            defaults={"name": item.name, "amount_fen": item.amount_fen, "legal_basis": item.legal_basis,
                      "charge_at": item.charge_at},
        )
        if created:
            made.append(line)
    return made


def unpaid_message(application) -> str | None:
    unpaid = list(FeeLine.objects.filter(application=application, status=FeeLine.Status.UNPAID))
    if not unpaid:
        return None
    total = sum(line.amount_fen for line in unpaid)
    names = "、".join(f"{line.name}({yuan(line.amount_fen)} 元)" for line in unpaid)
    return _("该办件尚有未缴费用:%(names)s,合计 %(total)s 元。请申请人在“我的缴费”中缴纳后再出件。") % {
        "names": names, "total": yuan(total)}


class FeeListener:
    def application_event(self, application, event: str) -> None:
        charge_at = EVENT_CHARGE.get(event)
        if charge_at is not None:
            add_fee_lines(application, charge_at)

    def delivery_refusal(self, application) -> str | None:
        return unpaid_message(application)
